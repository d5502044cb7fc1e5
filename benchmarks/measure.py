"""Whole-process measurements for the benchmarks: wall time and peak memory of one command.

Each figure is a fresh process timed from outside (start-up included, as a user runs it), its peak
resident memory from the kernel's accounting of that one child (``os.wait4``), so figures of
different commands in one benchmark do not mix.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import resource
import shutil
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


# -- the results record: what `make bench` judges and tabulates (benchmarks/tables.py) ------------------

RESULTS_ENV = "PRODLIB_BENCH_RESULTS"  # the JSON-lines file the runner reads its tables from
CACHE_ENV = "PRODLIB_BENCH_CACHE"  # the folder of studio samples and fresh ledgers shared across benchmarks
BOUND_SCALE = 1_000_000  # issue 12's bounds are for the studio scale: smaller scales are not judged


@dataclass(frozen=True)
class Target:
    """One of issue 12's figures: its number, the key its records carry, what it is, its bounds.

    bounds: (field, op, limit): field is ``value`` (the figure, in ``unit``), ``peak_mb``, ``ratio``
    (baseline / figure: how many times faster than the baseline) or ``rate`` (scale / value, per second).
    at_scale: the scale the bounds are for (None: any scale).
    """

    number: int
    key: str
    what: str
    bounds: tuple[tuple[str, str, float], ...] = ()
    unit: str = "s"
    at_scale: int | None = BOUND_SCALE


TARGETS: tuple[Target, ...] = (
    Target(1, "run", "fresh studio run, SQLite (`prodlib run`, reconcile included), vs bean-check -C",
           (("value", "<=", 30), ("peak_mb", "<=", 2048), ("ratio", ">=", 5))),
    Target(1, "run PostgreSQL", "the same on PostgreSQL (COPY), beside SQLite"),
    Target(2, "day", "the nightly day: 5,000 new lines onto the million (`prodlib run`)", (("value", "<=", 3),)),
    Target(2, "day post", "the day's posting alone (`prodlib run --no-reconcile`)", (("value", "<=", 3),)),
    Target(3, "validation", "Great Expectations suites, share of the fresh run", (("value", "<=", 10),), unit="%"),
    Target(3, "import", "importing Great Expectations as prodlib does", (("value", "<=", 2),), at_scale=None),
    Target(4, "fringes", "fringes: payroll lines through the whole engine, vs the decimal reference",
           (("value", "<=", 1.5), ("ratio", ">=", 50))),
    Target(5, "reports", "all notebooks (`prodlib report --jobs 2`), vs one at a time",
           (("value", "<=", 45), ("peak_mb", "<=", 2048))),
    Target(6, "verify", "`prodlib audit verify`, vs the reference path", (("rate", ">=", 150_000),)),
    Target(6, "export", "`prodlib export beancount` (flat memory: its peak in the growth table)",
           (("value", "<=", 20),)),
)
GROWTH = ("run", "day", "fringes", "reports", "verify", "export")  # issue 12, 7: the growth table's rows


def target_of(key: str) -> Target | None:
    return next((t for t in TARGETS if t.key == key), None)


def _field(rec: dict, field: str) -> float | None:
    if field == "rate":
        return rec["scale"] / rec["value"] if rec.get("value") and rec.get("scale") else None
    return rec.get(field)


def judge(rec: dict) -> bool | None:
    """True if a record meets every bound of its target, False if it misses one, None if not judged:
    no bound, a figure missing (none of the others missed), or measured below the bounds' scale."""
    t = target_of(rec["key"])
    if t is None or not t.bounds or (t.at_scale and (rec.get("scale") or 0) < t.at_scale):
        return None
    verdicts = []
    for field, op, limit in t.bounds:
        v = _field(rec, field)
        verdicts.append(None if v is None else v <= limit if op == "<=" else v >= limit)
    return False if False in verdicts else None if None in verdicts else True


def bound_text(t: Target | None) -> str:
    """A target's bounds as a reader reads them: "<= 30 s, peak <= 2,048 MB, ratio >= 5x"."""
    words = {"value": "{op} {lim:,g} " + (t.unit if t else ""), "peak_mb": "peak {op} {lim:,g} MB",
             "ratio": "ratio {op} {lim:,g}x", "rate": "{op} {lim:,g}/s"}
    return ", ".join(words[f].format(op=op, lim=lim) for f, op, lim in t.bounds) if t else ""


def record(key: str, label: str, scale: int | None, value: float | None, *, unit: str = "s", baseline: str = "",
           base_value: float | None = None, ratio: float | None = None, peak_mb: float | None = None,
           scaled: bool = False, note: str = "") -> dict:
    """One figure as a JSON line in ``$PRODLIB_BENCH_RESULTS`` (nothing written when it is unset), judged
    against its target. ``ratio`` is baseline / figure; ``scaled``: the baseline was measured on fewer
    lines and scaled per line. Returns the record."""
    t = target_of(key)
    rec = {"target": t.number if t else 7, "key": key, "label": label, "scale": scale, "value": value,
           "unit": unit, "baseline": baseline, "base_value": base_value, "ratio": ratio, "peak_mb": peak_mb,
           "scaled": scaled, "note": note, "bound": bound_text(t)}
    rec["met"] = judge(rec)
    if os.environ.get(RESULTS_ENV):
        with open(os.environ[RESULTS_ENV], "a", encoding="utf-8") as fh:
            fh.write(json.dumps(rec) + "\n")
    return rec


# Rows printed without a key but recorded by their label's first word (bench_fringes, bench_reports:
# their figures are read back from the printed text, so those scripts need no change to be recorded):
# label prefix -> (key, the baseline was scaled per line, peak memory is this process's own so far).
ROW_RECORDS: dict[str, tuple[str, bool, bool]] = {"fringes ": ("fringes", True, True),
                                                  "report ": ("reports", False, False)}


def row(label: str, figure: str, baseline: str = "", ratio: float | None = None, target: str = "", *,
        key: str | None = None, scale: int | None = None, value: float | None = None, unit: str = "s",
        base_value: float | None = None, peak_mb: float | None = None, scaled: bool = False, note: str = "") -> None:
    """One printed line: what, its figure, the baseline measured in the same run, their ratio, the target.
    With ``key``, also its record (``record``); without, a row whose label starts with a ``ROW_RECORDS``
    prefix is recorded from its text (``read_row``)."""
    r = f"{ratio:6.1f}x" if ratio is not None else " " * 7
    print(f"   {label:<34s} {figure:<30s} {baseline:<34s} {r}  {target}", flush=True)
    if key:
        record(key, label, scale, value, unit=unit, baseline=baseline, base_value=base_value, ratio=ratio,
               peak_mb=peak_mb, scaled=scaled, note=note)
        return
    prefix = next((p for p in ROW_RECORDS if label.strip().startswith(p)), None)
    if prefix is None:
        return
    key, scaled, own_peak = ROW_RECORDS[prefix]
    scale, value, peak_mb, base_value = read_row(label, figure, baseline)
    if scale is None or value is None:
        print(f"   (results: no scale or seconds read from {label!r}: {figure!r}; recorded without)", flush=True)
    if peak_mb is None and own_peak:
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    record(key, label.strip(), scale, value, baseline=baseline.strip(), base_value=base_value, ratio=ratio,
           peak_mb=peak_mb, scaled=scaled, note="read from the printed row" + ("; peak: the process's so far"
                                                                              if own_peak else ""))


_SCALE = re.compile(r"\d{1,3}(?:,\d{3})+|\d+")
_SECONDS = re.compile(r"(\d+(?:\.\d+)?)\s*s\b")
_MB = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*MB\b")


def read_row(label: str, figure: str, baseline: str) -> tuple[int | None, float | None, float | None, float | None]:
    """(scale, seconds, peak MB, baseline seconds) read back from a printed row: the first number of its
    label, the first "N s" and "N MB" of its figure, the first "N s" of its baseline (None where absent)."""
    def first(rx: re.Pattern, text: str) -> float | None:
        m = rx.search(text)
        return float(m[1 if rx.groups else 0].replace(",", "")) if m else None

    scale = first(_SCALE, label)
    return (int(scale) if scale is not None else None, first(_SECONDS, figure), first(_MB, figure),
            first(_SECONDS, baseline))


# -- the studio samples and fresh ledgers, built once per commit and shared across benchmarks ----------

REPO = Path(__file__).resolve().parent.parent
SEED = 7


def cache_dir() -> Path | None:
    """``$PRODLIB_BENCH_CACHE``, else var/bench/<key>: the key hashes the committed src/ tree and
    pyproject.toml with any uncommitted change to them, so a ledger built by other code is never reused
    (a change elsewhere, such as benchmarks/, keeps it). None outside a git checkout."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    git = ["git", "-C", str(REPO)]
    try:
        tree = subprocess.run([*git, "rev-parse", "HEAD:src", "HEAD:pyproject.toml"], capture_output=True,
                              check=True).stdout
        dirty = subprocess.run([*git, "status", "--porcelain", "--untracked-files=all", "--", "src", "pyproject.toml"],
                               capture_output=True, check=True).stdout
        diff = subprocess.run([*git, "diff", "HEAD", "--", "src", "pyproject.toml"], capture_output=True,
                              check=True).stdout if dirty else b""
    except (OSError, subprocess.CalledProcessError):
        return None
    return REPO / "var" / "bench" / hashlib.sha256(tree + dirty + diff).hexdigest()[:12]


def _studio(n: int) -> Path | None:
    cache = cache_dir()
    return cache / f"studio-{n}-seed{SEED}" if cache else None


def keep_studio(n: int, sample: Path, db: Path, remittance: Path) -> None:
    """Keep a fresh studio ledger of ``n`` invoice lines (``prodlib run`` on ``sample``, before anything
    else was posted onto it), its sample and its remittance files, for the benchmarks after this one."""
    dest = _studio(n)
    if dest is None:
        return
    part = dest.with_name(dest.name + ".part")
    shutil.rmtree(part, ignore_errors=True)
    part.mkdir(parents=True)
    shutil.copytree(sample, part / "sample")
    shutil.copytree(remittance, part / "remittance")
    for f in db.parent.glob(db.name + "*"):  # the database and its WAL, if the run left one
        shutil.copyfile(f, part / f.name.replace(db.name, "ledger.db"))
    shutil.rmtree(dest, ignore_errors=True)
    part.rename(dest)


def studio_ledger(n: int, work: Path, remittance_out: Path) -> tuple[Path, Path]:
    """(sample, ledger) of the studio sample at ``n`` invoice lines posted by ``prodlib run``: the one
    bench_pipeline kept for this code (``keep_studio``), else built here (and kept). The ledger is a
    copy in ``work``, the remittance files copied to ``remittance_out``; the sample is only to be read."""
    src = _studio(n)
    if src is None or not (src / "ledger.db").exists():
        build = work / f"studio-{n}-build"
        shutil.rmtree(build, ignore_errors=True)
        build.mkdir(parents=True)
        db = build / "ledger.db"
        for step in (["prodlib", "sample", "--scale", "studio", "--seed", str(SEED), "--invoice-lines", str(n),
                      "--out", str(build / "sample")],
                     ["prodlib", "run", "--input", str(build / "sample"), "--db", f"sqlite:///{db}", "--quiet",
                      "--remittance-out", str(build / "remittance")]):
            done = measure(step)
            if done.returncode not in (0, 1):
                raise SystemExit(f"{' '.join(step)} exited {done.returncode}:\n{done.stdout[-2000:]}")
        if src is None:
            src = build
        else:
            keep_studio(n, build / "sample", db, build / "remittance")
            shutil.rmtree(build)
    ledger = work / f"studio-{n}.db"
    for f in src.glob("ledger.db*"):
        shutil.copyfile(f, work / f.name.replace("ledger.db", ledger.name))
    shutil.rmtree(remittance_out, ignore_errors=True)
    shutil.copytree(src / "remittance", remittance_out)
    return src / "sample", ledger
