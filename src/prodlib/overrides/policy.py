"""Who may approve an override, and what a justification must say: tables, and pure checks over them.

Approvers: two distinct people, neither the requester, one holding a role of each group of
:data:`APPROVAL_GROUPS`; above the production's ``overrides.third_approval_above`` also one of
:data:`THIRD_APPROVAL` (production.yaml, :class:`prodlib.production.OverridePolicy`). Roles come from
the production's role book (``prodlib.access.roles``, roles.yaml): anything with
``holds(person, role, production_id) -> bool``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import permutations
from typing import Protocol

from prodlib.access.roles import BOND_REP, LINE_PRODUCER, PRODUCTION_ACCOUNTANT, STUDIO_EXECUTIVE, UPM
from prodlib.errors import ApprovalRefusedError, JustificationError
from prodlib.reasons import Reason

#: Each group needs one approver holding one of its roles (a distinct person per group).
APPROVAL_GROUPS: tuple[tuple[str, ...], ...] = ((PRODUCTION_ACCOUNTANT,), (LINE_PRODUCER, UPM))
#: The extra group for an override above the production's third-approval amount.
THIRD_APPROVAL: tuple[str, ...] = (STUDIO_EXECUTIVE, BOND_REP)

#: The closed list of justification codes (code -> what it means). A request names one of them.
JUSTIFICATIONS: dict[str, str] = {
    "SHOOT_DAY_AT_RISK": "the shoot day stops unless the vendor or crew is paid now",
    "SIDE_LETTER_PENDING": "a signed side letter or rate card is not yet in the rule data",
    "DOCUMENT_IN_TRANSIT": "the paperwork exists and is on its way (signed PO, W-9, start packet)",
    "NOT_A_DUPLICATE": "the apparent duplicate is a separate, verified charge",
    "DATE_CORRECT_AS_BILLED": "the date outside the window is right (a prep or wrap charge billed late)",
    "SAFETY": "a safety matter that cannot wait for the correction",
}

#: The shortest justification text, in characters, whitespace collapsed.
MIN_JUSTIFICATION_CHARS = 40
#: Distinct words (of 3 or more letters, placeholders not counted) a justification needs at least.
MIN_JUSTIFICATION_WORDS = 6
#: Words that say nothing: a text made of these (and short words) is boilerplate.
PLACEHOLDER_WORDS = frozenset({
    "tbd", "todo", "n/a", "none", "test", "testing", "xxx", "asdf", "qwerty", "lorem", "ipsum", "dolor", "placeholder",
    "urgent", "asap", "see", "above", "below", "attached", "per", "email", "override", "approved", "please", "the",
    "and", "for", "justification", "reason", "needed", "need", "required", "fix", "later",
})


#: Rules no override bypasses: the row has no value to post (it does not parse, has no rate to convert
#: it) or no account to post to (its cost code does not resolve). Such a row is corrected instead.
NOT_BYPASSABLE: frozenset[Reason] = frozenset({
    Reason.MALFORMED_AMOUNT, Reason.MALFORMED_DATE, Reason.MALFORMED_VALUE, Reason.MALFORMED_FILE_REGION,
    Reason.CURRENCY_MISMATCH, Reason.AMOUNT_OUT_OF_BOUNDS, Reason.FX_RATE_MISSING,
    Reason.UNKNOWN_COST_CODE, Reason.AMBIGUOUS_COST_CODE, Reason.MISSING_COST_CODE,
})


#: Kinds whose quarantined rows an override can post (one two-line entry per row). Payroll is not
#: among them: a pay line posts with its fringes and its timecard day (correct it and run again);
#: nor are kinds that do not journal (purchase orders, budgets, timecards, bank lines).
EXECUTABLE_KINDS: tuple[str, ...] = ("invoice", "petty_cash")


class RoleBook(Protocol):
    """What approval needs of the role book (``prodlib.access.roles.RoleBook``)."""

    def holds(self, person: str, role: str, production_id: str) -> bool: ...


def check_justification(code: str, text: str) -> str:
    """The text, whitespace collapsed, if ``code`` is on the list and ``text`` says something; else
    JustificationError saying what is wrong."""
    if code not in JUSTIFICATIONS:
        raise JustificationError(f"justification code {code!r} is not one of {', '.join(JUSTIFICATIONS)}")
    clean = " ".join((text or "").split())
    if not clean:
        raise JustificationError("a justification text is required")
    if len(clean) < MIN_JUSTIFICATION_CHARS:
        raise JustificationError(f"the justification text has {len(clean)} characters; write at least "
                                 f"{MIN_JUSTIFICATION_CHARS} saying what happened and why it cannot wait")
    words = {w.lower() for w in re.findall(r"[A-Za-z]{3,}", clean)} - PLACEHOLDER_WORDS
    if len(words) < MIN_JUSTIFICATION_WORDS:
        raise JustificationError(f"the justification text is boilerplate ({len(words)} distinct meaningful words; "
                                 f"at least {MIN_JUSTIFICATION_WORDS}): say what happened and why it cannot wait")
    return clean


def required_groups(amount: Decimal, third_approval_above: Decimal) -> tuple[tuple[str, ...], ...]:
    """The role groups an override of ``amount`` needs an approver from."""
    return APPROVAL_GROUPS + ((THIRD_APPROVAL,) if abs(amount) > third_approval_above else ())


@dataclass(frozen=True)
class Approval:
    """One recorded approval.

    Attributes:
      person: who approved.
      roles: the approval roles they held in the production when they approved.
    """

    person: str
    roles: tuple[str, ...]


def _matching(approvals: Sequence[Approval], groups: Sequence[tuple[str, ...]]) -> tuple[int, ...] | None:
    """A distinct group per approver (group index per approval) such that each approver holds a role
    of their group, or None."""
    for perm in permutations(range(len(groups)), len(approvals)):
        if all(set(a.roles) & set(groups[g]) for a, g in zip(approvals, perm, strict=True)):
            return perm
    return None


def admit(approvals: Sequence[Approval], person: str, requester: str, roles: RoleBook, production_id: str,
          groups: Sequence[tuple[str, ...]]) -> Approval:
    """The approval ``person`` may add to ``approvals``, or ApprovalRefusedError saying why not.

    Refused: the requester; a person who approved already; a person holding no role of a group that
    the approvals so far leave open (every approver must fill a group of their own)."""
    if person == requester:
        raise ApprovalRefusedError(f"{person} requested this override and cannot approve it")
    if any(a.person == person for a in approvals):
        raise ApprovalRefusedError(f"{person} approved this override already; a second approver is needed")
    wanted = sorted({r for g in groups for r in g})
    held = tuple(r for r in wanted if roles.holds(person, r, production_id))
    new = Approval(person, held)
    if not held or _matching([*approvals, new], groups) is None:
        open_roles = [" or ".join(g) for g in open_groups(approvals, groups)]
        raise ApprovalRefusedError(f"{person} holds none of the roles still needed in {production_id} "
                                   f"({'; '.join(open_roles) or 'none: the approvals are complete'})")
    return new


def open_groups(approvals: Sequence[Approval], groups: Sequence[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """The groups no approver fills yet (under the best assignment of approvers to groups)."""
    best: list[tuple[str, ...]] = list(groups)
    for perm in permutations(range(len(groups)), len(approvals)):
        if all(set(a.roles) & set(groups[g]) for a, g in zip(approvals, perm, strict=True)):
            left = [groups[g] for g in range(len(groups)) if g not in perm]
            if len(left) < len(best):
                best = left
    return best


def complete(approvals: Sequence[Approval], groups: Sequence[tuple[str, ...]]) -> bool:
    """Whether the approvals fill every group, each by a distinct approver."""
    return len(approvals) >= len(groups) and not open_groups(approvals, groups)
