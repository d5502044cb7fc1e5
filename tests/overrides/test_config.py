"""production.yaml's ``overrides:`` is strict, and the override types document every field."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from prodlib.errors import ConfigError
from prodlib.overrides import policy, store
from prodlib.production import OverridePolicy, load_production

from .scenario import PRODUCTION


def _load(tmp_path, overrides_line: str):
    p = tmp_path / "production.yaml"
    p.write_text(PRODUCTION.replace('overrides: {third_approval_above: "25000.00", execute_within_hours: 48}',
                                    overrides_line), encoding="utf-8")
    return load_production(p)


def test_the_policy_as_written(tmp_path) -> None:
    got = _load(tmp_path, 'overrides: {third_approval_above: "10000.00", execute_within_hours: 24}').overrides
    assert got == OverridePolicy(Decimal("10000.00"), 24)


def test_without_the_key_the_defaults(tmp_path) -> None:
    assert _load(tmp_path, "").overrides == OverridePolicy(Decimal("25000.00"), 48)


@pytest.mark.parametrize(("line", "says"), [
    ('overrides: {third_aproval_above: "1.00"}', "unknown key"),
    ("overrides: {third_approval_above: 25000}", "must be quoted"),
    ('overrides: {third_approval_above: "25000.001"}', "not an amount in cents"),
    ("overrides: {execute_within_hours: 0}", "at least 1 hour"),
    ('overrides: {execute_within_hours: "48"}', "not a whole number"),
])
def test_a_wrong_policy_is_one_line_naming_the_key(tmp_path, line, says) -> None:
    with pytest.raises(ConfigError, match=says) as e:
        _load(tmp_path, line)
    assert "production.yaml, line 10" in str(e.value)


@pytest.mark.parametrize("cls", [OverridePolicy, policy.Approval, store.Transition, store.Override])
def test_each_type_documents_every_field(cls) -> None:
    block = (cls.__doc__ or "").split("Attributes:", 1)[1]
    assert [f.name for f in dataclasses.fields(cls) if f.name not in block] == []
