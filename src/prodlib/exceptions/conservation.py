"""Conservation over the whole history, from the ledger: every row read is posted, waiting in the
queue, written off or released; none lost, none counted twice.

``rows read`` is every batch's rows read, less the batches that posted a corrected (or a released)
row: those rows were read once, in the file that quarantined them. So::

    rows read = posted + already posted + corrected + waiting (open, in review) + written off
                + released + superseded

where ``posted`` is the rows the file batches posted, each quarantined row is counted once by the
state of its exception (``corrected`` standing for the row its correction batch posted), and
``superseded`` is a row whose corrected form another batch had already posted (counted there).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from prodlib.ledger import exceptions as store


@dataclass(frozen=True)
class Conservation:
    """The whole history's rows, by where each one is now.

    Attributes:
      rows_read: rows read from the files (correction and release batches excluded: not new reads).
      posted: rows the file batches posted (entries, PO versions, budget lines, accepted rows).
      already_posted: rows of re-exports found already posted (posted by an earlier batch).
      quarantined: rows the file batches quarantined (each one an exception).
      by_state: the quarantined rows' exceptions per state now.
      corrections_posted: rows the correction batches posted (equals ``by_state["corrected"]``).
      unlinked: quarantine rows with no exception (0 unless the queue was bypassed).
      releases_posted: rows the batches of executed overrides posted (prodlib.overrides), each a
        ``released`` exception (at most ``by_state["released"]``: a release may post nothing).
    """

    rows_read: int
    posted: int
    already_posted: int
    quarantined: int
    by_state: dict[str, int]
    corrections_posted: int
    unlinked: int
    releases_posted: int = 0

    @property
    def holds(self) -> bool:
        """rows read = posted + already posted + every quarantined row by its state, the corrected ones
        posted exactly once by their correction batches, none without an exception."""
        return (self.rows_read == self.posted + self.already_posted + sum(self.by_state.values())
                and sum(self.by_state.values()) == self.quarantined
                and self.corrections_posted == self.by_state.get("corrected", 0)
                and self.releases_posted <= self.by_state.get("released", 0) and self.unlinked == 0)

    def line(self) -> str:
        states = " + ".join(f"{s} {n:,}" for s, n in self.by_state.items() if n)
        return (f"rows read {self.rows_read:,} = posted {self.posted:,} + already posted {self.already_posted:,}"
                f"{' + ' + states if states else ''}: {'holds' if self.holds else 'BROKEN'}")


def conservation(conn: sa.Connection, production_id: str) -> Conservation:
    """:class:`Conservation` of one production's ledger (fringe batches are derived, not read: left out)."""
    from prodlib.exceptions.lifecycle import STATES

    linked = {int(b): a for (b, a) in conn.execute(sa.text(
        "SELECT DISTINCT batch_id, action FROM exception_events WHERE production_id = :p AND batch_id IS NOT NULL "
        "AND action IN ('correct', 'release')"), {"p": production_id})}
    read = posted = already = quarantined = fixed = released = 0
    for bid, kind, r, p, q, a in conn.execute(sa.text(
            "SELECT batch_id, kind, rows_read, rows_posted, rows_quarantined, rows_already_posted FROM batches "
            "WHERE production_id = :p"), {"p": production_id}):
        if kind == "fringe":
            continue
        if int(bid) in linked:  # a correction's or an override's batch: those rows were read in their file
            if linked[int(bid)] == "release":
                released += int(p)
            else:
                fixed += int(p)
            continue
        read, posted, quarantined, already = read + int(r), posted + int(p), quarantined + int(q), already + int(a)
    cur = store.current_frame(conn, production_id)
    cur = cur[cur["origin"] == "quarantine"]
    counts = cur["state"].value_counts().to_dict()
    by_state = {s: int(counts.get(s, 0)) for s in STATES}
    unlinked = int(conn.execute(sa.text(
        "SELECT COUNT(*) FROM quarantine q WHERE q.production_id = :p AND NOT EXISTS "
        "(SELECT 1 FROM exceptions x WHERE x.q_id = q.q_id AND x.production_id = q.production_id)"),
        {"p": production_id}).scalar())
    return Conservation(read, posted, already, quarantined, by_state, fixed, unlinked, released)
