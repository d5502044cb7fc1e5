"""Reports: pure data builders behind each notebook, their display helpers, and rendering to HTML.

- :mod:`prodlib.reports.cost`: :func:`cost_report` -> :class:`CostReport` (pure).
- :mod:`prodlib.reports.exceptions`: :func:`exceptions_report` -> :class:`ExceptionsReport` (pure).
- :mod:`prodlib.reports.load`: the one place reports read the ledger (or the built-in demo).
- :mod:`prodlib.reports.display`: HTML tables, the data stamp header, plotly charts.
- :mod:`prodlib.reports.export`: CSV and stamp JSON beside each HTML.
- :mod:`prodlib.reports.render`: papermill + nbconvert -> offline HTML; ``render_all`` + index.html.

Only the pure builders are imported here; plotly, papermill and nbconvert load when used.
"""

from prodlib.reports.cost import CostLine, CostReport, cost_report
from prodlib.reports.exceptions import ExceptionsReport, exceptions_report

__all__ = ["CostLine", "CostReport", "ExceptionsReport", "cost_report", "exceptions_report"]
