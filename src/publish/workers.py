"""Independent pieces of work on every core, each in a process of its own.

Each piece runs in a child forked from the build, which has already read the book:
the child starts with everything in memory and sends back only its result, pickled,
through a pipe; its memory is the system's again when it ends, so the build's peak
does not grow with the number of editions. The results come back in the order of
the pieces, whatever order they finish in, so what the build prints and writes is
that of one run after another.

A child dies with the build: a signal that stops the build (Ctrl-C reaches every
process of the terminal's group; `timeout` and a container's stop only the build)
ends the children before the build removes what they were writing, and a build
killed outright takes them with it (`PR_SET_PDEATHSIG`).
"""

from __future__ import annotations

import gc
import os
import pickle
import select
import signal
import sys
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar, cast

from publish.signals import STOPPING

T = TypeVar("T")
_PR_SET_PDEATHSIG = 1


class WorkerLost(Exception):
    """A child ended without sending its result: killed, or out of memory."""


@dataclass(frozen=True)
class _Raised:
    """What a child raised, where it cannot be sent as itself."""

    text: str


def cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") \
        else os.cpu_count() or 1


def run(pieces: Sequence[Callable[[], T]], jobs: int,
        started: Callable[[int], None] = lambda index: None) -> list[T]:
    """The results of `pieces`, in their order, at most `jobs` running at once;
    `started` is told the index of each piece as it starts. One piece, or one job,
    runs in this process. What a piece raises is raised here."""
    if jobs <= 1 or len(pieces) <= 1:
        results = []
        for index, piece in enumerate(pieces):
            started(index)
            results.append(piece())
        return results
    results_by_index: dict[int, object] = {}
    running: dict[int, tuple[int, int, list[bytes]]] = {}
    waiting = list(range(len(pieces)))
    try:
        while waiting or running:
            while waiting and len(running) < jobs:
                index = waiting.pop(0)
                started(index)
                pid, pipe = _fork(pieces[index])
                running[pipe] = (index, pid, [])
            ready, _, _ = select.select(list(running), [], [])
            for pipe in ready:
                index, pid, chunks = running[pipe]
                chunk = os.read(pipe, 1 << 20)
                if chunk:
                    chunks.append(chunk)
                    continue
                os.close(pipe)
                del running[pipe]
                _, status = os.waitpid(pid, 0)
                results_by_index[index] = _result(b"".join(chunks), status)
    finally:
        for pipe, (_, pid, _) in running.items():
            os.close(pipe)
            _end(pid)
    return [cast(T, results_by_index[index]) for index in range(len(pieces))]


def _fork(piece: Callable[[], object]) -> tuple[int, int]:
    """Start `piece` in a child; its pid and the pipe its result comes through."""
    reading, writing = os.pipe()
    parent = os.getpid()
    # Blocked across the fork, a stopping signal waits until the child has its own
    # handlers, instead of running the build's (which unwinds the build) in the child.
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, STOPPING)
    pid = os.fork()
    if pid == 0:  # the child
        try:
            os.close(reading)
            for number in STOPPING:
                signal.signal(number, signal.SIG_DFL)
            _die_with_parent(parent)
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
            # What the build holds stays shared with it: the collector need not walk
            # it (and so copy its pages) in the child.
            gc.freeze()
            _send(writing, piece)
        finally:
            os._exit(0)
    signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
    os.close(writing)
    return pid, reading


def _send(pipe: int, piece: Callable[[], object]) -> None:
    try:
        outcome: tuple[bool, object] = (True, piece())
    except Exception as error:  # sent to the build to raise
        outcome = (False, error)
    try:
        data = pickle.dumps(outcome)
    except Exception:  # what cannot be pickled goes as text
        data = pickle.dumps((False, _Raised("".join(traceback.format_exception(
            outcome[1] if isinstance(outcome[1], BaseException) else TypeError(
                f"a result of type {type(outcome[1]).__name__} cannot be sent"))))))
    with os.fdopen(pipe, "wb") as out:
        out.write(data)


def _result(data: bytes, status: int) -> object:
    if not data:
        raise WorkerLost(_ended(status))
    done, value = pickle.loads(data)  # written by our own child
    if done:
        return value
    if isinstance(value, _Raised):
        raise RuntimeError(f"a worker failed:\n{value.text}")
    raise value


def _ended(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"a worker was killed by {signal.Signals(os.WTERMSIG(status)).name}"
    return f"a worker exited with status {os.waitstatus_to_exitcode(status)} " \
        "without its result"


def _end(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass


def _die_with_parent(parent: int) -> None:
    if sys.platform.startswith("linux"):
        import ctypes  # only here: it takes longer to import than a build with nothing to do

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
        # The parent may have died before the call: then the child is orphaned already.
        if os.getppid() != parent:
            os._exit(1)
