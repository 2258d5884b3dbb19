"""The signals that ask a command to stop: Ctrl-C (SIGINT), `timeout`, CI and
container stops (SIGTERM), a closed terminal (SIGHUP)."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

STOPPING = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

Handler = Callable[[int, FrameType | None], None]


@contextmanager
def stopping_with(handler: Handler) -> Iterator[None]:
    """`handler` handles the signals that ask to stop while the block runs."""
    previous = {stop: signal.signal(stop, handler) for stop in STOPPING}
    try:
        yield
    finally:
        for stop, earlier in previous.items():
            signal.signal(stop, earlier)


@contextmanager
def held() -> Iterator[None]:
    """Signals asking to stop that arrive in the block take effect when it ends, so
    that the block runs whole."""
    if threading.current_thread() is not threading.main_thread():
        # Python runs signal handlers in the main thread: they cannot break in here.
        yield
        return
    arrived: list[int] = []
    with stopping_with(lambda number, frame: arrived.append(number)):
        yield
    if arrived:
        signal.raise_signal(arrived[0])
