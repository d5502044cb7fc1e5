"""`make bench`: every benchmarks/bench_*.py in turn, each in its own process, each within a time bound.

    .venv/bin/python -m benchmarks                         # all of them, with their defaults
    .venv/bin/python -m benchmarks pipeline                # one (or several): names match by substring
    .venv/bin/python -m benchmarks pipeline -- --scales 100000 --no-pg    # one, with its own options
    .venv/bin/python -m benchmarks --scales 10000,100000     # every one at these scales (SCALE_OPTIONS)

Its own process: a benchmark's peak memory is its own, not the ones before it. A benchmark that
runs past its time bound (``TIMEOUTS``; ``$PRODLIB_BENCH_TIMEOUT`` seconds for every one when set) is
stopped (SIGTERM: it prints the figures it has; SIGKILL 20 s later) and said so; the others run.
Each benchmark writes its figures as JSON lines to ``$PRODLIB_BENCH_RESULTS`` (set here to
benchmarks/results/<UTC time>.jsonl); at the end the runner prints the targets table and the growth
table from them (benchmarks/tables.py) and writes both to benchmarks/results/latest.md.
``$PRODLIB_BENCH_CACHE`` (var/bench/<commit>) holds the studio samples and fresh ledgers
bench_pipeline builds, which bench_reports reuses instead of building them again.
Before the first, prodlib's modules are byte-compiled (what ``pip install`` does; with
PYTHONDONTWRITEBYTECODE set, every CLI start would compile them again and time that).
"""

from __future__ import annotations

import compileall
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from benchmarks import tables
from benchmarks.measure import CACHE_ENV, RESULTS_ENV, cache_dir

HERE = Path(__file__).parent
RESULTS = HERE / "results"
# Each benchmark's time bound (s) at its defaults alone on the 2-core machine, about twice what it
# takes: the pipeline ~15 min (3 scales, PostgreSQL, bean-check on the million), the others minutes.
TIMEOUTS = {"bench_pipeline": 1800, "bench_reports": 900}
DEFAULT_TIMEOUT = 600
# ``--scales a,b``: each benchmark's own options for those scales (invoice lines, entries, payroll lines).
SCALE_OPTIONS = {
    "bench_pipeline": lambda s: ["--scales", ",".join(map(str, s))],
    "bench_books": lambda s: ["--rows", *map(str, s)],
    "bench_ledger": lambda s: ["--rows", *map(str, s)],
    "bench_fringes": lambda s: ["--rows", *map(str, s), "--reference-rows", str(min(s))],
    "bench_reports": lambda s: ["--lines", *map(str, s)],
}


def main(argv: list[str]) -> int:
    names, extra = (argv[: argv.index("--")], argv[argv.index("--") + 1 :]) if "--" in argv else (argv, [])
    scales: list[int] = []
    if "--scales" in names:
        i = names.index("--scales")
        scales = [int(x) for x in names[i + 1].split(",") if x]
        names = names[:i] + names[i + 2 :]
    scripts = sorted(HERE.glob("bench_*.py"))
    if names:
        scripts = [s for s in scripts if any(n in s.stem for n in names)]
    import prodlib

    compileall.compile_dir(Path(prodlib.__file__).parent, quiet=1)
    RESULTS.mkdir(exist_ok=True)
    jsonl = RESULTS / f"{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}.jsonl"
    env = {**os.environ, RESULTS_ENV: str(jsonl)}
    cache = cache_dir()
    if cache is not None and not os.environ.get(CACHE_ENV):  # var/bench/<commit>: other commits' are never reused
        for old in cache.parent.glob("*"):
            if old != cache and old.is_dir():
                shutil.rmtree(old, ignore_errors=True)
    if cache is not None:
        env[CACHE_ENV] = str(cache)
    outcomes: list[tuple[str, str, float]] = []
    t_all = time.perf_counter()
    for script in scripts:
        print(f"== {script.stem}", flush=True)
        timeout = float(os.environ.get("PRODLIB_BENCH_TIMEOUT") or TIMEOUTS.get(script.stem, DEFAULT_TIMEOUT))
        t0, how = time.perf_counter(), "ok"
        own = SCALE_OPTIONS[script.stem](scales) if scales and script.stem in SCALE_OPTIONS else []
        proc = subprocess.Popen([sys.executable, str(script), *own, *extra], start_new_session=True, env=env)
        try:
            if proc.wait(timeout=timeout):
                how = f"exited with {proc.returncode}"
                print(f"   {script.stem} {how}", flush=True)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGTERM)  # the benchmark and the commands it started: it prints what it has
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            how = f"stopped after {timeout:.0f} s"
            print(f"   {script.stem} {how} (PRODLIB_BENCH_TIMEOUT)", flush=True)
        outcomes.append((script.stem, how, time.perf_counter() - t0))
        print(f"   ({script.stem} took {outcomes[-1][2]:.1f} s)\n", flush=True)
    outcomes.append(("all benchmarks", "", time.perf_counter() - t_all))
    text = tables.report(tables.read(jsonl), outcomes)
    jsonl.with_suffix(".md").write_text(text, encoding="utf-8")
    (RESULTS / "latest.md").write_text(text, encoding="utf-8")
    print(text, flush=True)
    print(f"all benchmarks: {outcomes[-1][2]:.1f} s; the tables above are in {RESULTS / 'latest.md'}, "
          f"the figures in {jsonl}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
