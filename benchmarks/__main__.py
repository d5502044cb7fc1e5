"""`make bench`: run every benchmarks/bench_*.py in turn; each prints its own figures."""

from __future__ import annotations

import runpy
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent


def main(names: list[str]) -> int:
    scripts = sorted(HERE.glob("bench_*.py"))
    if names:
        scripts = [s for s in scripts if any(n in s.stem for n in names)]
    for script in scripts:
        print(f"== {script.stem}", flush=True)
        t0 = time.perf_counter()
        sys.argv = [str(script)]  # each benchmark runs with its own defaults
        try:
            runpy.run_path(str(script), run_name="__main__")
        except SystemExit as done:  # a script that ends with sys.exit() must not end the others
            if done.code not in (None, 0):
                print(f"   {script.stem} exited with {done.code}", flush=True)
        print(f"   ({script.stem} took {time.perf_counter() - t0:.1f} s)\n", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
