"""A production's own rules laid over the shipped ones: what "by id" means, and what a replacement records.

``rules:`` in production.yaml names a folder that may hold ``plans/*.yaml``, ``scale_minimums.yaml``
and ``work_rules.yaml``, each read by the same strict model as the shipped file. What a user entry
adds or replaces (the identity of a figure):

- a plan by its ``plan:`` id: a new id adds the plan; a shipped id replaces the plan's header (name,
  covers, dates basis, remittance...) by the user file's, and merges its rates by ``id``;
- a rate entry by its ``id`` within its plan: a shipped id is replaced whole, a new id is added;
  shipped entries the user file does not name are kept;
- a scale minimum by (union, classification, budget tier, effective_from): the same key replaces
  the shipped entry, another adds one; two entries of one classification (and tier, or untiered)
  in force on one date are refused;
- a work-rule schedule by its ``id``: the same id replaces, another adds; schedules may not overlap;
- an alias by (union, classification); budget tiers are the shipped file's and may not be redeclared.

Every replacement is recorded (:class:`Replacement`) so that nothing changes silently.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Replacement:
    """A shipped figure a production's own rule file replaced.

    Attributes:
      kind: what was replaced: ``plan``, ``rate``, ``minimum``, ``schedule`` or ``alias``.
      id: the replaced item's identity as the overlay rules define it (a rate id, a plan id,
        ``union/classification/tier/effective_from`` for a minimum).
      shipped_file: the shipped file that held it.
      user_file: the production's file that replaces it.
      line: the line of the replacing entry in ``user_file``, when known.
    """

    kind: str
    id: str
    shipped_file: str
    user_file: str
    line: int | None = None

    def __str__(self) -> str:
        at = f", line {self.line}" if self.line is not None else ""
        return f"{self.user_file}{at} replaces shipped {self.kind} {self.id} ({self.shipped_file})"
