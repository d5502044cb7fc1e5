"""audit verify's fast path: the same canonical text as the posting builder, or it steps aside.

The fast path (``chain.fast_entry_texts``, one f-string per entry) may only ever say "this chunk is
clean": a text it builds must be byte for byte ``entry_parts``' (the builder posting uses), and where
a value needs JSON escaping it must decline so the reference path decides. Tampering is caught the
same way with it as without it (tests/ledger/test_tamper.py runs through it; here one tampered file
is checked by the worker processes too).
"""

from __future__ import annotations

import shutil
import sqlite3
from datetime import date, timedelta

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from prodlib.ledger import Ledger, verify_chain
from prodlib.ledger import chain as ch
from prodlib.ledger import verify as v

from .helpers import full_ledger, postings

# Text that needs escaping (quotes, backslashes, control characters) and text that does not (accents,
# apostrophes, emoji), and None.
plain = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters='"\\'
                                       + "".join(map(chr, range(32)))), max_size=12)
anything = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)
maybe = st.none() | plain | anything
ints = st.none() | st.integers(min_value=0, max_value=2**40)
cents = st.integers(min_value=-10**13, max_value=10**13)


@st.composite
def entries(draw):
    n = draw(st.integers(min_value=1, max_value=6))
    rows, lines, fx = [], [], {}
    for eid in range(1, n + 1):
        strs = [draw(maybe) for _ in range(10)]  # author desc doc kind party po production reason row_hash source
        batch, sline, rev = draw(ints), draw(ints), draw(ints)
        day = date(2026, 1, 1) + timedelta(days=draw(st.integers(0, 400)))
        prev = draw(st.sampled_from([ch.GENESIS, "ab" * 32]))
        au, de, doc, k, pa_, po, prod, rs, rh, src = strs
        rows.append((eid, au, batch, day.isoformat(), de, doc, k, sline, pa_, po, prev, prod, rs, rev, rh, src,
                     sum(s is not None for s in strs)))
        for _ in range(draw(st.integers(0, 3))):
            lines.append((eid, draw(plain | anything), draw(cents)))
        if draw(st.booleans()):
            fx[eid] = (draw(st.sampled_from(["EUR", "GBP", 'E"R'])), draw(cents),
                       draw(st.sampled_from(["1.0825", "0.9"])))
    return rows, lines, fx


def reference_texts(rows, lines, fx) -> list[str]:
    """The posting builder's texts (``entry_parts`` with the stored previous hash in the middle)."""
    ids = np.array([r[0] for r in rows], np.int64)
    cols = {k: [r[i] for r in rows] for k, i in (
        ("author", 1), ("batch", 2), ("date", 3), ("desc", 4), ("doc", 5), ("kind", 6), ("line", 7), ("party", 8),
        ("po", 9), ("production", 11), ("reason", 12), ("reverses", 13), ("row_hash", 14), ("source", 15))}
    cols["date"] = [date.fromisoformat(d) for d in cols["date"]]
    cols["id"] = ids
    if fx:
        got = [fx.get(int(e)) for e in ids]
        cols["fx"] = ch.fx_json([g and g[0] for g in got], [g[1] if g else 0 for g in got], [g and g[2] for g in got])
    text = ch.lines_json(np.array([x[0] for x in lines], np.int64), [x[1] for x in lines],
                         np.array([x[2] for x in lines], np.int64), ids)
    heads, tails = ch.entry_parts(cols, text)
    return [h + r[10] + t for h, r, t in zip(heads, rows, tails, strict=True)]


@settings(max_examples=300, deadline=None)
@given(entries())
def test_fast_text_is_the_posting_builders_or_declines(case):
    rows, lines, fx = case
    fast = ch.fast_entry_texts(rows, lines, fx)
    needs_escape = any(s is not None and any(c == '"' or c == "\\" or ord(c) < 32 for c in s)
                       for r in rows for s in (*r[1:2], *r[4:7], *r[8:10], *r[11:13], *r[14:16]))
    needs_escape |= any(any(c == '"' or c == "\\" or ord(c) < 32 for c in x[1]) for x in lines)
    needs_escape |= any('"' in f[0] for f in fx.values())
    if fast is None:
        assert needs_escape  # it steps aside only where a value needs escaping
        return
    assert not needs_escape
    assert fast[0] == reference_texts(rows, lines, fx)


def test_money_text_matches_the_decimal_cast_on_ties_and_negatives():
    # -5 cents is "-0.05" (not "-0.5" nor "0.-5"); -100 is "-1.00"; 0 is "0.00".
    assert [ch.money_text(c) for c in (0, 5, -5, -100, 10, -123456789)] == [
        "0.00", "0.05", "-0.05", "-1.00", "0.10", "-1234567.89"]


def test_a_clean_ledger_is_decided_by_the_fast_path(led):
    full_ledger(led)
    with led.engine.connect() as conn:
        done = v._fast_chunk(conn, 1, 100, 0, ch.GENESIS)
    assert done is not None and done[0] == 6  # entries 1-6 of full_ledger, every hash recomputed


def test_a_description_with_quotes_is_verified_by_the_reference(led):
    frame = postings([("2026-02-10", "2500-02", "AP", "12.30")])
    frame["description"] = ['the "A" camera \\ rig']
    led.post_batch("acme", "inv/acme.csv", "H9", "invoice", frame, None, 1)
    with led.engine.connect() as conn:
        assert v._fast_chunk(conn, 1, 100, 0, ch.GENESIS) is None  # declines ...
    assert verify_chain(led).ok  # ... and the reference path verifies it


def test_worker_processes_name_the_same_break(tmp_path, monkeypatch):
    # 30 two-line entries in chunks of 7: five chunks over two processes; then entry 17's amount is
    # edited on both sides (still balanced): every path must name journal entry 17.
    path = tmp_path / "l.db"
    led = Ledger.open(str(path))
    led.post_batch("acme", "inv/acme.csv", "H1", "invoice",
                   postings([("2026-02-10", "2500-02", "AP", f"{i}.25") for i in range(1, 31)]), None, 30)
    led.close()
    monkeypatch.setattr(v, "CHUNK", 7)
    assert verify_chain(str(path), workers=2).ok
    with Ledger.open(str(path)).engine.connect() as conn:  # the worker processes decided it, clean
        assert v._parallel_journal(conn, 1, 31, 7, set(), 2)[:1] == (30,)
    bad = tmp_path / "bad.db"
    shutil.copy(path, bad)
    con = sqlite3.connect(bad)
    for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        con.execute(f"DROP TRIGGER {name}")
    con.execute("UPDATE journal_lines SET amount_cents = amount_cents * 2 WHERE entry_id = 17")
    con.commit()
    con.close()
    results = [verify_chain(str(bad), workers=w, fast=f) for w, f in ((2, True), (1, True), (1, False))]
    assert {r.first_broken for r in results} == {"journal entry 17"}
    assert len({r.problems for r in results}) == 1
