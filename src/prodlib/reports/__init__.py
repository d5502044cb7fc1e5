"""Reports: pure data builders behind each notebook, their display helpers, and rendering to HTML.

- :mod:`prodlib.reports.cost`: :func:`cost_report` -> :class:`CostReport` (pure).
- :mod:`prodlib.reports.quarantine`: :func:`quarantine_report` -> :class:`QuarantineReport` (pure).
- :mod:`prodlib.reports.load`: the one place reports read the ledger (or the built-in demo).
- :mod:`prodlib.reports.display`: HTML tables, the data stamp header, plotly charts.
- :mod:`prodlib.reports.export`: CSV and stamp JSON beside each HTML.
- :mod:`prodlib.reports.render`: papermill + nbconvert -> offline HTML; ``render_all`` + index.html.

Only the pure builders are imported here; plotly, papermill and nbconvert load when used.
"""

from prodlib.reports.cost import CostLine, CostReport, cost_report
from prodlib.reports.quarantine import QuarantineReport, quarantine_report

__all__ = ["CostLine", "CostReport", "QuarantineReport", "cost_report", "quarantine_report"]
