"""The streaming Beancount export writes, byte for byte, what the in-memory export wrote.

``previous_export`` is the export as it was before it streamed (every journal line loaded into one
frame, then written at once), kept here frozen as the reference: on the sample production, on a
ledger with a reversal and a description holding a quote and a backslash, and on the euro
production (foreign-currency lines with total prices), in small chunks so every chunk boundary is
crossed, the files are identical.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prodlib.accounts import AP
from prodlib.errors import LedgerError
from prodlib.ledger import Ledger, beancount_account, export_beancount
from prodlib.ledger.chain import money_text
from prodlib.ledger.frames import money_to_cents
from prodlib.ledger.view import LedgerView
from prodlib.money import from_cents
from prodlib.pipeline import run
from prodlib.sample import generate

from ..test_fx import eur_folder
from .helpers import full_ledger


def _text(v: object) -> str:
    return v.replace("\\", "/").replace('"', "'").replace("\n", " ").replace("\r", " ") if isinstance(v, str) else ""


def previous_export(ledger: LedgerView, path: Path, currency: str = "USD") -> Path:
    """The export before streaming (frozen copy): the reference the new one must equal."""
    frame, fx, production = ledger.entries_frame(None), ledger.fx_frame(None), ledger.production_id
    names = {a: beancount_account(a) for a in sorted(set(frame["account"]))}
    foreign = {int(e): (c, int(o), int(a)) for e, c, o, a in zip(
        fx["entry_id"], fx["currency"], money_to_cents(fx["original_amount"]) if len(fx) else [],
        money_to_cents(fx["amount"]) if len(fx) else [], strict=True)}
    first: dict[str, date] = {}
    totals: dict[tuple[str, str], int] = defaultdict(int)
    cents = money_to_cents(frame["amount"]).tolist() if len(frame) else []
    body: list[str] = []
    last_entry, last_date = None, None
    for i, (eid, d, acct, desc, party, h) in enumerate(zip(frame["entry_id"], frame["entry_date"], frame["account"],
                                                         frame["description"], frame["party_id"],
                                                         frame["entry_hash"], strict=True)):
        if eid != last_entry:
            if last_entry is not None:
                body.append("")
            payee = f'"{_text(party)}" ' if _text(party) else ""
            body += [f'{d.isoformat()} * {payee}"{_text(desc)}"', f'  entry: "{int(eid)}"', f'  hash: "{h}"']
            last_entry = eid
        if acct not in first or d < first[acct]:
            first[acct] = d
        if int(eid) in foreign:
            cur, original, converted = foreign[int(eid)]
            if abs(cents[i]) != abs(converted):
                raise LedgerError("line is not its entry's amount")
            units = original if (cents[i] > 0) == (converted > 0) else -original
            totals[acct, cur] += units
            totals[acct, currency] += 0
            body.append(f"  {names[acct]}  {from_cents(units)} {cur} @@ {from_cents(abs(cents[i]))} {currency}")
        else:
            totals[acct, currency] += cents[i]
            body.append(f"  {names[acct]}  {from_cents(cents[i])} {currency}")
        last_date = d if last_date is None or d > last_date else last_date
    head = [f"; prodlib ledger export, production {production}",
            f'option "title" "{_text(production)}"', f'option "operating_currency" "{currency}"', ""]
    held: dict[str, list[str]] = defaultdict(list)
    for a, cur in totals:
        held[a].append(cur)
    opens = [f"{first[a].isoformat()} open {names[a]} {','.join(sorted(held[a]))}"
             for a in sorted(first, key=lambda k: names[k])]
    tail = []
    if last_date is not None:
        check = (last_date + timedelta(days=1)).isoformat()
        tail = ["", *[f"{check} balance {names[a]}  {from_cents(totals[a, cur])} {cur}"
                      for a, cur in sorted(totals, key=lambda k: (names[k[0]], k[1]))]]
    path.write_text("\n".join([*head, *opens, "", *body, *tail]) + "\n", encoding="utf-8")
    return path


def same_bytes(url_or_led, tmp_path: Path, chunks=(3, 50_000)) -> bytes:
    led = url_or_led if isinstance(url_or_led, LedgerView) else LedgerView.open(url_or_led)
    want = previous_export(led, tmp_path / "previous.beancount").read_bytes()
    for c in chunks:
        got = export_beancount(led, tmp_path / f"stream{c}.beancount", chunk=c).read_bytes()
        assert got == want, f"chunk {c}"
    return want


@pytest.mark.slow
def test_the_sample_production_exports_byte_for_byte_as_before(tmp_path):
    generate(tmp_path / "sample", scale="indie", seed=7)
    url = f"sqlite:///{tmp_path / 'books.db'}"
    run(tmp_path / "sample", url)
    text = same_bytes(url, tmp_path, chunks=(7, 50_000)).decode()
    assert text.count("\n  entry: ") > 500  # the sample's journal, not an empty file


def test_a_reversal_and_escaped_text_export_as_before(led, tmp_path):
    full_ledger(led)
    led.reverse_entry(3, "2026-03-20", "wrong vendor", "AP clerk")
    led.post_entry("2026-02-27", [("2500-02", "12.34"), ("PETTY_CASH", "-12.34")], 'quote " and \\ backslash',
                   kind="adjustment", reason="late receipt", author="Accountant")
    text = same_bytes(led, tmp_path).decode()
    assert "quote ' and / backslash" in text


def test_foreign_currency_lines_export_as_before(tmp_path):
    root = eur_folder(tmp_path / "eur")
    url = f"sqlite:///{root / 'books.db'}"
    run(root, url)
    text = same_bytes(url, tmp_path).decode()
    assert f"  {beancount_account(AP)}  -1234.56 EUR @@ 1336.41 USD" in text


def test_an_empty_ledger_exports_its_header_only(tmp_path):
    led = Ledger.open(str(tmp_path / "empty.db"))
    try:
        same_bytes(led, tmp_path)
    finally:
        led.close()


@given(st.integers(min_value=-10**17, max_value=10**17))
def test_money_text_is_the_decimal_amount_as_beancount_reads_it(cents):
    # The export formats amounts with chain.money_text; it must equal the Decimal it used to print.
    assert money_text(cents) == str(from_cents(cents))
