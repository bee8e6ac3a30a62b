"""The controller side of GTP: run an engine as a subprocess and talk to it."""
import os
import shutil
import subprocess


class GtpClient:
    """Runs a GTP engine as a subprocess and sends it commands.

    `send(cmd)` -> (ok, text); `send_many(cmds)` writes all the commands at once and then reads
    all the answers (one round trip instead of one per command). stderr of the engine goes to
    `stderr` (default: discarded)."""

    def __init__(self, command, stderr=subprocess.DEVNULL, cwd=None, env=None):
        self.command = command
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=stderr, cwd=cwd, env=env)
        self._out = self.process.stdout
        self.transcript = None  # set to a list to record (command, ok, text)

    def send(self, command):
        return self.send_many([command])[0]

    def send_many(self, commands):
        self.process.stdin.write("".join(c + "\n" for c in commands).encode())
        self.process.stdin.flush()
        answers = [self.read_response() for _ in commands]
        if self.transcript is not None:
            self.transcript.extend((c, ok, text) for c, (ok, text) in zip(commands, answers))
        return answers

    def read_response(self):
        """One response: (ok, text without the '=', '?' and id)."""
        lines = []
        while True:
            raw = self._out.readline()
            if not raw:
                raise EOFError(f"{self.command[0]} closed its output")
            line = raw.decode("utf-8", errors="replace").replace("\r", "").rstrip("\n")
            if not line.strip():
                if lines:
                    break
                continue  # tolerate stray blank lines before a response
            lines.append(line)
        head = lines[0]
        if head[0] not in "=?":
            raise ValueError(f"not a GTP response: {head!r}")
        i = 1
        while i < len(head) and head[i].isdigit():
            i += 1
        lines[0] = head[i:].strip()
        return head[0] == "=", "\n".join(lines).strip()

    def close(self, timeout=10):
        if self.process.poll() is None:
            try:
                self.send("quit")
            except (OSError, EOFError, ValueError):
                pass
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def gnugo_path():
    """GNU Go's executable: $GNUGO, else /usr/games/gnugo, else `gnugo` on PATH; None if absent."""
    for candidate in (os.environ.get("GNUGO"), "/usr/games/gnugo", shutil.which("gnugo")):
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None
