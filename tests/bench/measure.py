"""What a command costs: wall time, processor time of its whole process tree, and the
peak of the memory that tree holds at once."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import psutil

POLL = 0.05
"""Seconds between two samples of the tree's memory: publish may fork workers and
Pandoc runs WeasyPrint as a child, each of which can live for well under a second."""


@dataclass(frozen=True)
class Cost:
    wall: float
    """Seconds from the start of the command to its end."""
    cpu: float
    """User plus system seconds of the command and every descendant it waited for."""
    peak: int
    """Bytes: the largest sum of the resident sets of the process and all its descendants
    seen at one sample, or the largest single process's own peak if that is more (a
    child too short-lived for any sample)."""

    @property
    def peak_mib(self) -> float:
        return self.peak / 2**20


class CommandFailed(RuntimeError):
    pass


def _tree_rss(root: psutil.Process) -> int:
    try:
        processes = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for process in processes:
        try:
            total += process.memory_info().rss
        except (psutil.NoSuchProcess, psutil.ZombieProcess, psutil.AccessDenied):
            continue  # ended between the listing and the reading: nothing held any more
    return total


def measure(command: Sequence[str], *, cwd: Path | None = None,
            env: Mapping[str, str] | None = None, log: Path | None = None) -> Cost:
    """Run `command` to its end and return what it cost; its output goes to `log` (or
    nowhere). A command that fails raises `CommandFailed` with the end of its output:
    the cost of a failed build is no measure of a build."""
    out = open(log, "wb") if log is not None else open(os.devnull, "wb")  # noqa: SIM115
    with out:
        start = time.perf_counter()
        process = subprocess.Popen(list(command), cwd=cwd, env=None if env is None else dict(env),
                                   stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
        peak = 0
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            try:
                root = psutil.Process(process.pid)
            except psutil.NoSuchProcess:
                return
            while not done.is_set():
                peak = max(peak, _tree_rss(root))
                done.wait(POLL)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        # wait4 gives the child's own account: its processor time with that of every
        # descendant it reaped, and the largest resident set among them, unmixed with
        # any other child of this process.
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        done.set()
        sampler.join()
        process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        tail = log.read_text(errors="replace")[-2000:] if log is not None else ""
        raise CommandFailed(f"{' '.join(command)} exited with {process.returncode}\n{tail}")
    # ru_maxrss is in kilobytes on Linux.
    return Cost(wall=wall, cpu=usage.ru_utime + usage.ru_stime,
                peak=max(peak, usage.ru_maxrss * 1024))
