"""A real uvicorn server in a thread, for the browser tests: the app of gogo.web with the bundled
nets, on a free port of 127.0.0.1."""
import socket
import threading
import time

from gogo.players.search import SearchPlayer
from gogo.web.app import create_app, server


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerThread:
    def __init__(self):
        self.app = create_app(lambda: SearchPlayer(seed=1, mixing=0.0, uniform_rollouts=True))
        self.port = free_port()
        self.server = server(self.app, "127.0.0.1", self.port)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/"

    def __enter__(self):
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the web server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(10)
