"""`make bench`'s results record and tables (benchmarks/measure.py, benchmarks/tables.py), on hand-written
records: what is judged MET / NOT MET / not judged, what reads "not reached", the growth ratios. No timing."""

from __future__ import annotations

import json

from benchmarks import measure, tables

SAMPLE = [  # as the benchmarks write them (measure.record), figures invented
    {"key": "run", "label": "prodlib run", "scale": 10_000, "value": 18.8, "unit": "s", "peak_mb": 924.0},
    {"key": "run", "label": "prodlib run", "scale": 100_000, "value": 28.2, "unit": "s", "peak_mb": 1386.0},
    {"key": "run", "label": "prodlib run", "scale": 1_000_000, "value": 127.0, "unit": "s", "peak_mb": 4744.0,
     "baseline": "bean-check -C on its exported books", "base_value": 163.0, "ratio": 163.0 / 127.0},
    {"key": "day post", "label": "day post", "scale": 1_000_000, "value": 2.99, "unit": "s", "peak_mb": 472.0},
    {"key": "validation", "label": "GX", "scale": 1_000_000, "value": 5.4, "unit": "%"},
    {"key": "import", "label": "import GX", "scale": None, "value": 0.95, "unit": "s",
     "baseline": "plain import", "base_value": 2.7, "ratio": 2.84},
    {"key": "fringes", "label": "fringes 10,000 lines", "scale": 10_000, "value": 0.15, "unit": "s",
     "baseline": "reference scaled 1.9 s", "ratio": 12.5, "scaled": True},
    {"key": "fringes", "label": "fringes 100,000 lines", "scale": 100_000, "value": 1.35, "unit": "s",
     "baseline": "reference scaled 19.3 s", "ratio": 14.3, "scaled": True},
    {"key": "verify", "label": "verify", "scale": 1_000_000, "value": 5.0, "unit": "s", "peak_mb": 841.0,
     "base_value": 11.5, "ratio": 2.3},
    {"key": "export", "label": "export", "scale": 1_000_000, "value": 21.0, "unit": "s", "peak_mb": 412.0},
    {"key": "post", "label": "post", "scale": 100_000, "value": 20.0, "unit": "s", "peak_mb": 884.0},
]


def _line(table: str, first: str) -> list[str]:
    """The cells of the table line whose second cell (the target's text or the growth row) starts so."""
    for ln in table.splitlines():
        cells = [c.strip() for c in ln.strip("|").split("|")]
        if len(cells) > 1 and (cells[1].startswith(first) or cells[0] == first):
            return cells
    raise AssertionError(f"no line {first!r} in\n{table}")


def test_judge_bounds_at_the_million_only() -> None:
    run = SAMPLE[2]
    assert measure.judge(run) is False  # 127 s > 30 s, 4.7 GB > 2 GB, ratio 1.3 < 5
    assert measure.judge(SAMPLE[3]) is True  # the day's posting: 2.99 <= 3
    assert measure.judge(SAMPLE[0]) is None  # 10k: the bound is for the million
    assert measure.judge(SAMPLE[5]) is True  # import: any scale
    assert measure.judge(SAMPLE[8]) is True  # verify: 200,000/s >= 150,000/s
    assert measure.judge({**SAMPLE[8], "value": 7.0}) is False  # 142,857/s
    # a figure missing: not judged unless another bound already failed
    assert measure.judge({**SAMPLE[3], "value": None}) is None
    assert measure.judge({**run, "value": 20.0, "peak_mb": 1000.0, "ratio": None}) is None
    assert measure.judge({**run, "ratio": None}) is False
    assert measure.judge({"key": "run PostgreSQL", "scale": 1_000_000, "value": 166.0}) is None  # no bound


def test_record_writes_a_judged_json_line(tmp_path, monkeypatch) -> None:
    out = tmp_path / "r.jsonl"
    monkeypatch.setenv(measure.RESULTS_ENV, str(out))
    measure.record("day", "day", 1_000_000, 60.9, baseline="the fresh run", base_value=127.0, ratio=2.1)
    measure.record("day post", "day post", 1_000_000, 2.5, peak_mb=400.0)
    a, b = [json.loads(ln) for ln in out.read_text().splitlines()]
    assert (a["target"], a["met"], a["bound"]) == (2, False, "<= 3 s")
    assert (b["target"], b["met"]) == (2, True)
    c = measure.record("post", "post", 10_000, 16.0)
    assert (c["target"], c["met"], c["bound"]) == (7, None, "")


def test_rows_of_fringes_and_reports_are_read_back(tmp_path, monkeypatch) -> None:
    out = tmp_path / "r.jsonl"
    monkeypatch.setenv(measure.RESULTS_ENV, str(out))
    measure.row("fringes 1,000,000 lines", " 12.94 s    77,280/s 4,757,912 rows", "reference scaled    193.0 s",
                14.9, "<= 1.5 s, >= 50x")
    measure.row("report    100,000 invoice lines", "  16.6 s    661 MB (--jobs 2)", "one at a time   28.8 s    650 MB",
                1.7)
    measure.row("decimal reference   100,000 lines", " 19.30 s", "vector", 14.0)  # no key, no prefix: not recorded
    f, r = [json.loads(ln) for ln in out.read_text().splitlines()]
    assert (f["key"], f["scale"], f["value"], f["base_value"], f["scaled"], f["met"]) == \
        ("fringes", 1_000_000, 12.94, 193.0, True, False)
    assert f["peak_mb"] > 0  # the process's own
    assert (r["key"], r["scale"], r["value"], r["peak_mb"], r["base_value"], r["met"]) == \
        ("reports", 100_000, 16.6, 661.0, 28.8, None)


def test_targets_table(tmp_path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in SAMPLE) + '{"key": "run", "sca', encoding="utf-8")
    recs = tables.read(path)  # the torn last line (a benchmark stopped mid-write) is skipped
    assert len(recs) == len(SAMPLE)
    table = tables.targets_table(recs)
    run = _line(table, "fresh studio run")
    assert run[2:] == ["1,000,000", "127.0 s", "4,744 MB", "bean-check -C on its exported books: 163.0 s", "1.3x",
                       "<= 30 s, peak <= 2,048 MB, ratio >= 5x", "NOT MET"]
    assert _line(table, "the same on PostgreSQL")[3] == tables.NOT_REACHED
    assert _line(table, "the nightly day")[-1] == tables.NOT_REACHED
    assert _line(table, "the day's posting")[-1] == "MET"
    assert _line(table, "Great Expectations")[3:] == ["5.40 %", "", "", "", "<= 10 %", "MET"]
    assert _line(table, "importing")[2:4] == ["", "0.95 s"] and _line(table, "importing")[-1] == "MET"
    fringes = _line(table, "fringes")
    assert fringes[2] == "100,000" and fringes[6] == "14.3x (scaled)"
    assert fringes[-1] == "not judged (bound at 1,000,000)"
    assert _line(table, "all notebooks")[-1] == tables.NOT_REACHED
    assert _line(table, "`prodlib audit verify`")[3] == "5.00 s (200,000/s)"
    assert _line(table, "`prodlib audit verify`")[-1] == "MET"
    assert _line(table, "`prodlib export beancount`")[-1] == "NOT MET"


def test_growth_table() -> None:
    table = tables.growth_table(SAMPLE)
    head = [c.strip() for c in table.splitlines()[0].strip("|").split("|")]
    assert head == ["what", "10,000", "100,000", "1,000,000"]
    assert _line(table, "run")[1:] == ["18.8 s, 924 MB", "28.2 s (1.5x), 1,386 MB (1.5x)",
                                       "127.0 s (4.5x), 4,744 MB (3.4x)"]
    assert _line(table, "fringes")[1:] == ["0.15 s", "1.35 s (9.0x)", tables.NOT_REACHED]
    assert _line(table, "day")[1:] == [tables.NOT_REACHED] * 3
    assert _line(table, "post")[1:] == ["", "20.0 s, 884 MB", ""]  # a row beyond issue 12's list: blanks
    rows = [ln.split("|")[1].strip() for ln in table.splitlines()[2:]]
    assert rows == ["run", "day", "fringes", "reports", "verify", "export", "day post", "post"]
    assert "validation" not in rows and "import" not in rows  # not seconds at a scale


def test_report_says_how_each_benchmark_ended() -> None:
    text = tables.report(SAMPLE, [("bench_pipeline", "stopped after 1800 s", 1820.4), ("bench_books", "ok", 61.0)])
    assert "### Issue 12 targets" in text and "### Growth" in text
    assert "| bench_pipeline | stopped after 1800 s | 1,820 |" in text
