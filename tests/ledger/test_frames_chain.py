"""Properties of the vectorized pieces the hashes rest on, against plain-Python references."""

from __future__ import annotations

import json
from decimal import Decimal

import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from prodlib.ledger.chain import json_strings, lines_json
from prodlib.ledger.frames import cents_to_money, cents_to_text, money_to_cents
from prodlib.money import from_cents

CENTS = st.integers(min_value=-999_999_999_999_999_999, max_value=999_999_999_999_999_999)


@settings(max_examples=100, deadline=None)
@given(st.lists(CENTS, max_size=40))
def test_cents_money_round_trip(values):
    s = cents_to_money(values)
    assert [Decimal(str(x)) for x in s] == [from_cents(v) for v in values]
    assert money_to_cents(s).tolist() == values
    assert cents_to_text(np.array(values, dtype=np.int64)) == [f"{from_cents(v):.2f}" for v in values]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text()), max_size=30))
def test_json_strings_equal_json_dumps(values):
    assert json_strings(values).to_pylist() == [json.dumps(v, ensure_ascii=False) for v in values]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 5), st.text(min_size=1, max_size=8), CENTS), max_size=30))
def test_lines_json_equals_json_dumps(lines):
    lines = sorted(lines, key=lambda t: t[0])
    entry_ids = np.arange(1, 6, dtype=np.int64)
    got = lines_json(np.array([t[0] for t in lines], dtype=np.int64), pa.array([t[1] for t in lines], pa.string()),
                     np.array([t[2] for t in lines], dtype=np.int64), entry_ids)
    want = [json.dumps([[a, f"{from_cents(c):.2f}"] for e, a, c in lines if e == i], ensure_ascii=False,
                       separators=(",", ":")) for i in range(1, 6)]
    assert got == want


def test_money_to_cents_refuses_sub_cent_and_null():
    import pytest

    with pytest.raises(ValueError):
        money_to_cents(pa.array([Decimal("1.005")], pa.decimal128(18, 3)))
    with pytest.raises(ValueError):
        money_to_cents(pa.array([None], pa.decimal128(18, 2)))
    assert money_to_cents(pa.array([Decimal("1.010")], pa.decimal128(18, 3))).tolist() == [101]
