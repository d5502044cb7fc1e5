"""What a user runs, timed from outside: `prodlib run` as a subprocess (CLI start included), fresh and the next night.

    .venv/bin/python benchmarks/bench_pipeline.py [--scales 10000,100000,1000000] [--day-lines 5000]
        [--pg URL | --no-pg] [--pg-scale N] [--beancount-max N] [--keep DIR]
    .venv/bin/python -m benchmarks pipeline          # the same, with the defaults

For each scale (invoice lines of the studio sample: ``prodlib sample --scale studio --invoice-lines N``):
- run: ``prodlib run`` into a fresh SQLite ledger, wall time and peak RSS of the child process
  (``os.wait4``: the kernel's own accounting of that process);
- post and reconcile: the same run in two commands, each timed on its own, beside it: the posting
  (``prodlib run --no-reconcile``, into a second ledger) and ``prodlib reconcile`` (the night over the
  whole ledger, which ``prodlib run`` does after posting);
- day: the next night, one new export of ``--day-lines`` lines beside the files already posted,
  ``prodlib run`` again onto that ledger (baseline: the fresh run of the same production), with its
  posting and its reconciliation beside it; then the same day again (nothing new: run skips the night);
- bean-check (``-C``: no cache) on the books exported by ``prodlib export beancount``, at every scale
  up to ``--beancount-max`` (default: the million too, issue 12's target 1; about 1.5-3 min there);
- PostgreSQL (COPY) at ``--pg-scale``, beside SQLite.
Then, at the largest scale: the Great Expectations suites' share of the run (every kind's files
validated in-process as the run does) and the import costs, each beside its baseline. Prints
figures, asserts nothing about time; each is also a record for `make bench`'s tables
(``measure.record``), and each scale's sample, fresh ledger and remittance files are kept for
bench_reports (``measure.keep_studio``).
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).parent))
from measure import keep_studio, record  # noqa: E402

BIN = Path(sys.executable).parent
PRODLIB = str(BIN / "prodlib")
DAY_SOURCE_ID = "night_day"


@dataclass(frozen=True)
class Child:
    """One finished child process: wall seconds, peak RSS (MB), exit code, what it printed, and its
    CPU seconds (user + system: on a shared machine, the figure the other work disturbs least)."""

    wall: float
    rss_mb: float
    code: int
    out: str
    err: str
    cpu: float = 0.0


def child(cmd: list[str], env: dict[str, str] | None = None) -> Child:
    """Run ``cmd`` to its end; wall time from fork to reaping, peak RSS from its own rusage."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env={**os.environ, **(env or {})})
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Child(wall, usage.ru_maxrss / 1024, proc.returncode, out.read(), err.read(),
                     usage.ru_utime + usage.ru_stime)


def checked(cmd: list[str], env: dict[str, str] | None = None) -> Child:
    done = child(cmd, env)
    if done.code not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} exited {done.code}:\n{done.err[-2000:]}")
    return done


def make_sample(folder: Path, lines: int) -> None:
    from prodlib.sample import generate

    generate(folder, scale="studio", seed=7, invoice_lines=lines)


def add_day_file(folder: Path, lines: int) -> Path:
    """The next night's export: ``lines`` new invoice lines in one new file, declared in sources.yaml
    beside the files already posted. Its rows are an existing vendor's rows (same layout, codes and
    faults) with new invoice numbers, so every row is new to the ledger."""
    doc = yaml.safe_load((folder / "sources.yaml").read_text(encoding="utf-8"))
    entry = next(s for s in doc["sources"] if s["kind"] == "invoice")
    with (folder / entry["path"]).open(encoding=entry.get("encoding", "utf-8"), newline="") as f:
        header, *rows = list(csv.reader(f, delimiter=entry.get("delimiter", ",")))
    number = header.index(entry["columns"]["invoice_number"])
    path = Path("invoices") / "night" / "night_day.csv"
    (folder / path).parent.mkdir(parents=True, exist_ok=True)
    with (folder / path).open("w", encoding=entry.get("encoding", "utf-8"), newline="") as f:
        w = csv.writer(f, delimiter=entry.get("delimiter", ","))
        w.writerow(header)
        for i in range(lines):
            row = list(rows[i % len(rows)])
            row[number] = f"{row[number]}-N{i // len(rows)}"
            w.writerow(row)
    doc["sources"].append({**entry, "id": DAY_SOURCE_ID, "path": str(path)})
    (folder / "sources.yaml").write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return folder / path


def run_cli(folder: Path, url: str, remittance: Path, *extra: str) -> Child:
    return checked([PRODLIB, "run", "--input", str(folder), "--db", url, "--quiet",
                    "--remittance-out", str(remittance), *extra])


def reconcile_cli(folder: Path, url: str, out: Path) -> Child:
    return checked([PRODLIB, "reconcile", "--input", str(folder), "--db", url, "--out", str(out)])


def post_then_reconcile(folder: Path, url: str, tmp: Path) -> tuple[Child, Child]:
    """What ``prodlib run`` does in two commands: the posting (``run --no-reconcile``), then the night
    over the whole ledger (``prodlib reconcile``), each timed on its own."""
    return run_cli(folder, url, tmp / "remittance", "--no-reconcile"), reconcile_cli(folder, url, tmp / "night")


def beside(post: Child, night: Child, both: Child) -> str:
    return (f"post (run --no-reconcile) {post.wall:6.1f} s (cpu {post.cpu:.1f} s, peak {post.rss_mb:,.0f} MB) + "
            f"reconcile {night.wall:6.1f} s (cpu {night.cpu:.1f} s, peak {night.rss_mb:,.0f} MB); "
            f"run with reconcile {both.wall:6.1f} s (cpu {both.cpu:.1f} s)")


def summary(done: Child) -> str:
    """The run summary's total line and its skipped-files line, as the user reads them."""
    lines = [ln for ln in done.out.splitlines() if ln.startswith(("total", "already posted"))]
    return " | ".join(" ".join(ln.split()) for ln in lines)


@dataclass
class Row:
    scale: int
    what: str
    wall: float
    rss_mb: float
    note: str = ""
    cpu: float = 0.0


def pg_database(base_url: str):
    """A fresh PostgreSQL database for one run (dropped afterwards): (url, drop)."""
    import sqlalchemy as sa

    name = f"perfrun_bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = sa.engine.make_url(base_url).set(database=name).render_as_string(hide_password=False)

    def drop() -> None:
        with admin.connect() as c:
            c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()

    return url, drop


def validation_share(folder: Path, run_wall: float, scale: int) -> None:
    """Every kind's files validated as the run validates them (the suite once over all files of a
    kind), in-process, beside the fresh run's wall time."""
    import pandas as pd

    from prodlib.ingest import read_source
    from prodlib.sources import load_input_set
    from prodlib.validate import _context, suite_columns, validate_frame

    t = time.perf_counter()
    _context()
    t_import = time.perf_counter() - t
    inputs = load_input_set(folder)
    total, rows = 0.0, 0
    for kind in sorted({s.kind for s in inputs.sources}):
        frames = [read_source(s, s.currency or inputs.production.currency).frame for s in inputs.of_kind(kind)]
        cols = list(suite_columns(kind))
        frame = pd.concat([f[[c for c in cols if c in f]] for f in frames], ignore_index=True)
        t = time.perf_counter()
        validate_frame(kind, frame, inputs.production)
        total += time.perf_counter() - t
        rows += len(frame)
    print(f"   validation: Great Expectations suites over {rows:,} rows of every kind: {total:5.2f} s "
          f"+ context {t_import:4.2f} s = {100 * (total + t_import) / run_wall:4.1f} % of the fresh run "
          f"({run_wall:.1f} s)  [target <= 10 %]", flush=True)
    record("validation", f"GX suites over {rows:,} rows, share of the fresh run", scale,
           100 * (total + t_import) / run_wall, unit="%", baseline="the fresh run", base_value=run_wall,
           note=f"suites {total:.2f} s + context {t_import:.2f} s")


def import_costs() -> None:
    """Fresh processes: GX as prodlib imports it vs a plain import; the CLI's start; the pipeline's import."""
    py = sys.executable
    plain = checked([py, "-c", "import great_expectations"])
    ours = checked([py, "-c", "from prodlib.validate import import_gx; import_gx()"])
    bare = checked([py, "-c", "pass"])
    print(f"   import great_expectations: as prodlib does {ours.wall - bare.wall:5.2f} s, plain "
          f"{plain.wall - bare.wall:5.2f} s (ratio {plain.wall / ours.wall:4.1f}x; interpreter start "
          f"{bare.wall:.2f} s subtracted)  [target <= 2 s]", flush=True)
    record("import", "import great_expectations as prodlib does", None, ours.wall - bare.wall,
           baseline="plain import", base_value=plain.wall - bare.wall, ratio=plain.wall / ours.wall,
           note=f"interpreter start {bare.wall:.2f} s subtracted")
    helped = checked([PRODLIB, "--help"])
    pipe = checked([py, "-c", "import prodlib.pipeline"])
    print(f"   CLI start: `prodlib --help` {helped.wall:5.2f} s; `import prodlib.pipeline` {pipe.wall:5.2f} s",
          flush=True)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scales", default="10000,100000,1000000", help="invoice lines per sample, comma-separated")
    ap.add_argument("--day-lines", type=int, default=5000, help="new lines of the next night's file")
    ap.add_argument("--pg", default=os.environ.get("PRODLIB_TEST_PG_URL"), help="PostgreSQL URL (a database "
                    "is created per run and dropped); default $PRODLIB_TEST_PG_URL")
    ap.add_argument("--no-pg", action="store_true", help="skip PostgreSQL")
    ap.add_argument("--pg-scale", type=int, default=None, help="the scale run on PostgreSQL (default: the largest)")
    ap.add_argument("--beancount-max", type=int, default=1_000_000,
                    help="largest scale whose exported books bean-check -C checks (the million: 1.5-3 min)")
    ap.add_argument("--keep", default=None, help="keep samples and ledgers in this folder")
    args = ap.parse_args(argv)
    scales = [int(s) for s in args.scales.split(",") if s]
    pg_scale = args.pg_scale or max(scales)
    tmp = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="prodlib-bench-"))
    tmp.mkdir(parents=True, exist_ok=True)
    rows: list[Row] = []

    def stopped(signum, frame) -> None:  # the runner's time bound: print the figures measured so far
        raise TimeoutError

    signal.signal(signal.SIGTERM, stopped)
    try:
        for n in scales:
            folder = tmp / f"studio-{n}"
            shutil.rmtree(folder, ignore_errors=True)
            t = time.perf_counter()
            make_sample(folder, n)
            print(f"-- {n:,} invoice lines (sample written in {time.perf_counter() - t:.1f} s)", flush=True)
            db = tmp / f"studio-{n}.db"
            for p in tmp.glob(f"studio-{n}.db*"):
                p.unlink()
            url = f"sqlite:///{db}"
            post_db = tmp / f"studio-{n}-post.db"
            for p in tmp.glob(f"studio-{n}-post.db*"):
                p.unlink()
            post, night = post_then_reconcile(folder, f"sqlite:///{post_db}", tmp)
            rows.append(Row(n, "post", post.wall, post.rss_mb, "run --no-reconcile", post.cpu))
            rows.append(Row(n, "reconcile", night.wall, night.rss_mb, "prodlib reconcile, whole ledger", night.cpu))
            record("post", "prodlib run --no-reconcile (the posting)", n, post.wall, peak_mb=post.rss_mb,
                   note=f"cpu {post.cpu:.1f} s")
            record("reconcile", "prodlib reconcile (the night, whole ledger)", n, night.wall, peak_mb=night.rss_mb,
                   note=f"cpu {night.cpu:.1f} s")
            fresh = run_cli(folder, url, tmp / f"remittance-{n}")
            keep_studio(n, folder, db, tmp / f"remittance-{n}")  # before the day adds a file to the folder
            print(f"   fresh: {beside(post, night, fresh)}", flush=True)
            rows.append(Row(n, "run", fresh.wall, fresh.rss_mb, f"{db.stat().st_size / 1e6:,.0f} MB ledger", fresh.cpu))
            print(f"   run  (fresh SQLite): {fresh.wall:6.1f} s (cpu {fresh.cpu:.1f} s), peak {fresh.rss_mb:6,.0f} MB; "
                  f"{summary(fresh)}", flush=True)
            bean = None
            try:
                if n <= args.beancount_max:
                    books = tmp / f"studio-{n}.beancount"
                    exp = checked([PRODLIB, "export", "beancount", "--db", url, "--out", str(books)])
                    bean = child([str(BIN / "bean-check"), "-C", str(books)])
                    books.unlink()
                    print(f"   bean-check -C on the exported books: {bean.wall:6.1f} s (cpu {bean.cpu:.1f} s), "
                          f"peak {bean.rss_mb:6,.0f} MB "
                          f"(exit {bean.code}); bean-check / prodlib run = {bean.wall / fresh.wall:4.1f}  "
                          f"[target >= 5]; (export beancount {exp.wall:.1f} s)", flush=True)
                    rows.append(Row(n, "bean-check -C", bean.wall, bean.rss_mb,
                                    f"bean-check / prodlib run = {bean.wall / fresh.wall:.1f}", bean.cpu))
                    record("bean-check -C", "bean-check -C on the exported books", n, bean.wall,
                           peak_mb=bean.rss_mb, baseline="prodlib run", base_value=fresh.wall,
                           ratio=fresh.wall / bean.wall, note=f"exit {bean.code}; cpu {bean.cpu:.1f} s")
            finally:  # the run's figure is recorded even when the time bound stops bean-check
                record("run", "prodlib run, fresh SQLite ledger", n, fresh.wall, peak_mb=fresh.rss_mb,
                       baseline="bean-check -C on its exported books" if bean else
                       f"bean-check -C not run (--beancount-max {args.beancount_max:,})" if n > args.beancount_max
                       else "bean-check -C not reached", base_value=bean.wall if bean else None,
                       ratio=bean.wall / fresh.wall if bean else None, note=f"cpu {fresh.cpu:.1f} s")
            if n == pg_scale and args.pg and not args.no_pg:
                pg_url, drop = pg_database(args.pg)
                try:
                    pg = run_cli(folder, pg_url, tmp / "remittance")
                finally:
                    drop()
                rows.append(Row(n, "run PostgreSQL", pg.wall, pg.rss_mb, f"{pg.wall / fresh.wall:.2f} of SQLite",
                                pg.cpu))
                record("run PostgreSQL", "prodlib run, fresh PostgreSQL (COPY)", n, pg.wall, peak_mb=pg.rss_mb,
                       baseline="the SQLite run", base_value=fresh.wall, ratio=fresh.wall / pg.wall,
                       note=f"client cpu {pg.cpu:.1f} s (the server's not counted)")
                print(f"   run  (fresh PostgreSQL, COPY): {pg.wall:6.1f} s (cpu {pg.cpu:.1f} s, the server's "
                      f"not counted), peak {pg.rss_mb:6,.0f} MB; "
                      f"SQLite {fresh.wall:.1f} s", flush=True)
            add_day_file(folder, args.day_lines)
            day_post, day_night = post_then_reconcile(folder, f"sqlite:///{post_db}", tmp)
            day = run_cli(folder, url, tmp / "remittance")
            rows.append(Row(n, "day post", day_post.wall, day_post.rss_mb,
                            f"{args.day_lines:,} new lines; run --no-reconcile", day_post.cpu))
            rows.append(Row(n, "day reconcile", day_night.wall, day_night.rss_mb, "prodlib reconcile, whole ledger",
                            day_night.cpu))
            print(f"   day: {beside(day_post, day_night, day)}", flush=True)
            record("day post", f"{args.day_lines:,} new lines: run --no-reconcile", n, day_post.wall,
                   peak_mb=day_post.rss_mb, note=f"cpu {day_post.cpu:.2f} s")
            record("day reconcile", "the day's prodlib reconcile (whole ledger)", n, day_night.wall,
                   peak_mb=day_night.rss_mb, note=f"cpu {day_night.cpu:.1f} s")
            again = run_cli(folder, url, tmp / "remittance")
            rows.append(Row(n, "day again", again.wall, again.rss_mb, "nothing new: reconcile skipped", again.cpu))
            print(f"   the same day again (nothing new posted, reconcile skipped): {again.wall:6.2f} s "
                  f"(cpu {again.cpu:.2f} s)", flush=True)
            record("day again", "the same day again (nothing new)", n, again.wall, peak_mb=again.rss_mb,
                   note=f"cpu {again.cpu:.2f} s")
            record("day", f"{args.day_lines:,} new lines: prodlib run (reconcile included)", n, day.wall,
                   peak_mb=day.rss_mb, baseline="the fresh run", base_value=fresh.wall, ratio=fresh.wall / day.wall,
                   note=f"cpu {day.cpu:.2f} s")
            rows.append(Row(n, "day", day.wall, day.rss_mb,
                            f"{args.day_lines:,} new lines; {day.wall / fresh.wall:.3f} of the fresh run", day.cpu))
            print(f"   day  (+{args.day_lines:,} lines onto it): {day.wall:6.2f} s (cpu {day.cpu:.2f} s), "
                  f"peak {day.rss_mb:6,.0f} MB; "
                  f"fresh run / day = {fresh.wall / day.wall:5.1f}  [target <= 3 s]; {summary(day)}",
                  flush=True)
            if n == max(scales):
                validation_share(folder, fresh.wall, n)
                import_costs()
    except (TimeoutError, SystemExit) as why:
        print(f"   stopped before the end ({type(why).__name__} {why}): the figures so far", flush=True)
    try:
        print("-- growth (time and peak memory per scale; 'x per 10x' is the time ratio to the scale ten times "
              "smaller: 10 is linear, less is better)")
        print(f"   {'what':<16} {'lines':>10} {'time':>8} {'cpu':>8} {'peak MB':>8} {'x per 10x':>9}  note")
        for r in rows:
            prev = next((p for p in rows if p.what == r.what and p.scale * 10 == r.scale), None)
            growth = f"{r.wall / prev.wall:9.1f}" if prev else f"{'':>9}"
            print(f"   {r.what:<16} {r.scale:>10,} {r.wall:8.2f} {r.cpu:8.2f} {r.rss_mb:8,.0f} {growth}  {r.note}")
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
