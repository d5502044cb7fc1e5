"""Pension & health and statutory fringes from versioned rate schedules.

``compute_fringes`` (vectorized, the default) and ``reference_fringes`` (scalar Decimal) are equal on
every row; the rounding scope is documented in :mod:`prodlib.fringes.common`.
"""

from prodlib.fringes.common import OUTPUT_COLUMNS, NoScheduleError
from prodlib.fringes.engine import compute_fringes, fringe_postings
from prodlib.fringes.reference import PayLine, lines_from_frame, reference_fringes
from prodlib.fringes.vector import vector_fringes

__all__ = ["OUTPUT_COLUMNS", "NoScheduleError", "compute_fringes", "fringe_postings", "PayLine",
           "lines_from_frame", "reference_fringes", "vector_fringes"]
