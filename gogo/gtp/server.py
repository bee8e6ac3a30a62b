"""The GTP server loop: an engine answering command lines from a stream, pondering while no input
waits."""
import queue
import threading


def serve(engine, instream, outstream):
    """Answer command lines from `instream` (binary) on `outstream` (binary) until quit or EOF.
    A reader thread queues the input, so that an analysis command streams, and the engine ponders,
    until a new line arrives."""
    lines = queue.Queue()

    def read():
        for raw in instream:
            lines.put(raw.decode("utf-8", errors="replace"))
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    while True:
        if lines.empty():
            engine.ponder(interrupted=lambda: not lines.empty())
        line = lines.get()
        if line is None:
            break
        for chunk in engine.respond(line, interrupted=lambda: not lines.empty()):
            outstream.write(chunk.encode("utf-8", errors="replace"))
            outstream.flush()
        if engine.quit:
            break
    engine.player.close()
