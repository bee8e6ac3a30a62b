"""A clean stop for long runs: SIGTERM, SIGINT (Ctrl-C) or a time limit ends a run after the step
in progress, with a checkpoint and the exported weights, so that `--resume` goes on from exactly
there. A second signal stops at once, as usual."""
import signal
import threading
import time

SIGNALS = (signal.SIGTERM, signal.SIGINT)


class StopRequest:
    """Truthy (call it) once a stop is asked for: a signal arrived or `minutes` have passed since
    the `with` block began. Handlers are installed only in the main thread (signals reach no other)."""

    def __init__(self, minutes=None):
        self.minutes = minutes
        self.reason = None
        self._deadline = None
        self._previous = {}

    def __enter__(self):
        self._deadline = None if self.minutes is None else time.monotonic() + 60 * self.minutes
        if threading.current_thread() is threading.main_thread():
            self._previous = {s: signal.signal(s, self._signalled) for s in SIGNALS}
        return self

    def __exit__(self, *exc):
        for number, handler in self._previous.items():
            signal.signal(number, handler)
        self._previous = {}

    def _signalled(self, number, frame):
        self.reason = signal.Signals(number).name
        signal.signal(number, self._previous.get(number, signal.SIG_DFL))  # a second one stops at once

    def __call__(self):
        if self.reason is None and self._deadline is not None and time.monotonic() >= self._deadline:
            self.reason = f"{self.minutes:g} minutes"
        return self.reason is not None
