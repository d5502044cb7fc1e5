"""Whole-process measurements for the benchmarks: wall time and peak memory of one command.

Each figure is a fresh process timed from outside (start-up included, as a user runs it), its peak
resident memory from the kernel's accounting of that one child (``os.wait4``), so figures of
different commands in one benchmark do not mix.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Measured:
    """One finished process.

    Attributes:
      seconds: wall-clock seconds from start to exit.
      peak_mb: the peak resident memory in MB of the largest single process of its tree (itself, or
        a child such as a notebook's kernel): each process's high-water mark (VmHWM), read from
        /proc every 50 ms (the accounting at exit would count the benchmark's own pages, which a
        forked child holds until it execs).
      returncode: its exit status.
      stdout: what it printed (text).
    """

    seconds: float
    peak_mb: float
    returncode: int
    stdout: str


def measure(argv: list[str], *, env: dict | None = None, timeout: float = 3600) -> Measured:
    """Run ``argv`` (a program in this environment's bin folder, or a path) and measure it."""
    prog = argv[0] if "/" in argv[0] else str(BIN / argv[0]) if (BIN / argv[0]).exists() else argv[0]
    out = Path(os.environ.get("TMPDIR", "/tmp")) / f"bench-{os.getpid()}-{time.monotonic_ns()}.out"
    with out.open("w") as fh:
        t0 = time.perf_counter()
        p = subprocess.Popen([prog, *argv[1:]], stdout=fh, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
        deadline, peak, last = t0 + timeout, 0, 0.0
        while True:
            pid, status, _ = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                p.kill()
                pid, status, _ = os.wait4(p.pid, 0)
                break
            if time.perf_counter() - last > 0.05:  # high-water marks only grow: the last sample is the peak
                peak, last = max(peak, _tree_peak_kb(p.pid)), time.perf_counter()
            time.sleep(0.01)
        seconds = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    text = out.read_text(errors="replace")
    out.unlink()
    return Measured(seconds, peak / 1024, p.returncode, text)


def _tree_peak_kb(root: int) -> int:
    """The largest peak resident set so far (VmHWM, KB) among ``root`` and its descendants (Linux /proc)."""
    parents: dict[int, int] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                parents[int(d.name)] = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    tree, frontier = {root}, [root]
    while frontier:
        kids = [c for c, pp in parents.items() if pp in frontier and c not in tree]
        tree.update(kids)
        frontier = kids
    best = 0
    for pid in tree:
        try:
            status = Path(f"/proc/{pid}/status").read_text().splitlines()
            hwm = next((ln for ln in status if ln.startswith("VmHWM:")), None)  # none for a zombie
            best = max(best, int(hwm.split()[1])) if hwm else best
        except (OSError, IndexError, ValueError):
            continue
    return best


def row(label: str, figure: str, baseline: str = "", ratio: float | None = None, target: str = "") -> None:
    """One printed line: what, its figure, the baseline measured in the same run, their ratio, the target."""
    r = f"{ratio:6.1f}x" if ratio is not None else " " * 7
    print(f"   {label:<34s} {figure:<30s} {baseline:<34s} {r}  {target}", flush=True)
