"""`make bench`: every benchmarks/bench_*.py in turn, each in its own process, each within a time bound.

    .venv/bin/python -m benchmarks                         # all of them, with their defaults
    .venv/bin/python -m benchmarks pipeline                # one (or several): names match by substring
    .venv/bin/python -m benchmarks pipeline -- --scales 100000 --no-pg    # one, with its own options

Its own process: a benchmark's peak memory is its own, not the ones before it. A benchmark that
runs past ``$PRODLIB_BENCH_TIMEOUT`` seconds (default 600) is stopped (SIGTERM: it prints the figures it
has; SIGKILL 20 s later) and said so; the others run.
Before the first, prodlib's modules are byte-compiled (what ``pip install`` does; with
PYTHONDONTWRITEBYTECODE set, every CLI start would compile them again and time that).
"""

from __future__ import annotations

import compileall
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent


def main(argv: list[str]) -> int:
    names, extra = (argv[: argv.index("--")], argv[argv.index("--") + 1 :]) if "--" in argv else (argv, [])
    scripts = sorted(HERE.glob("bench_*.py"))
    if names:
        scripts = [s for s in scripts if any(n in s.stem for n in names)]
    timeout = float(os.environ.get("PRODLIB_BENCH_TIMEOUT", "600"))
    import prodlib

    compileall.compile_dir(Path(prodlib.__file__).parent, quiet=1)
    t_all = time.perf_counter()
    for script in scripts:
        print(f"== {script.stem}", flush=True)
        t0 = time.perf_counter()
        proc = subprocess.Popen([sys.executable, str(script), *extra], start_new_session=True)
        try:
            if proc.wait(timeout=timeout):
                print(f"   {script.stem} exited with {proc.returncode}", flush=True)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGTERM)  # the benchmark and the commands it started: it prints what it has
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            print(f"   {script.stem} stopped after {timeout:.0f} s (PRODLIB_BENCH_TIMEOUT)", flush=True)
        print(f"   ({script.stem} took {time.perf_counter() - t0:.1f} s)\n", flush=True)
    print(f"all benchmarks: {time.perf_counter() - t_all:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
