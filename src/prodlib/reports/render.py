"""Render report notebooks to self-contained HTML: papermill executes, nbconvert exports.

The HTML has no code cells, no prompts, and loads nothing from the network: the lab template's
require.js, MathJax and mermaid CDN scripts are left out (the reports use none of them), and the
notebooks inline plotly.js once through :func:`prodlib.reports.display.use_offline_plotly`.
"""

from __future__ import annotations

import html
import json
import logging
import os
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from prodlib.reports.audience import RoleError
from prodlib.resources import package_folder

log = logging.getLogger(__name__)

#: The reports ``render_all`` renders, in index order: (notebook stem, title).
REPORTS: tuple[tuple[str, str], ...] = (
    ("cost_report", "Cost report"),
    ("exceptions", "Exception queue"),  # issue 10: replaces the quarantine report
    # P&H remittance and contingency (prodlib.reports.pnh, prodlib.reports.contingency)
    ("pnh_remittance", "P&H remittance"),
    ("contingency", "Contingency"),
    ("cash_flow", "Cash flow"),  # prodlib.reports.cashflow
)

#: With ``jobs`` > 1 the notebooks start in this order, the longest first (on a studio ledger the two
#: that read the open commitments), so the last to finish is a short one: the index keeps REPORTS' order.
LONGEST_FIRST = ("cost_report", "contingency", "pnh_remittance", "cash_flow", "exceptions")

# The lab template without its CDN scripts (require.js, MathJax, mermaid): the reports need none.
_OFFLINE_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
"""


class ReportError(RuntimeError):
    """A report failed to render: which notebook, which cell, what went wrong."""


@dataclass(frozen=True)
class Rendered:
    name: str
    html: Path
    seconds: float


def notebooks_dir() -> Path:
    """``$PRODLIB_NOTEBOOKS``, else the notebooks installed with the package (``prodlib/notebooks/``)."""
    env = os.environ.get("PRODLIB_NOTEBOOKS")
    return Path(env) if env else package_folder("notebooks")


def html_exporter():
    import jinja2
    from nbconvert import HTMLExporter

    return HTMLExporter(
        template_name="lab", template_file="prodlib_offline.html.j2",
        extra_loaders=[jinja2.DictLoader({"prodlib_offline.html.j2": _OFFLINE_TEMPLATE})],
        exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
    )


def _papermill():
    """papermill, imported with ``rfc3987_syntax``'s grammars deferred (:mod:`prodlib.reports.imports`)."""
    from prodlib.reports.imports import defer_iri_grammar

    defer_iri_grammar()
    import papermill

    return papermill


def notebook_parameters(notebook: Path) -> set[str]:
    """Names declared in the notebook's ``parameters`` cell."""
    pm = _papermill()

    return set(pm.inspect_notebook(str(notebook)))


def _failure(notebook: Path, exc: Exception, kept: Path | None) -> ReportError:
    from papermill.exceptions import PapermillExecutionError

    where = f" (executed notebook kept at {kept})" if kept else ""
    if isinstance(exc, PapermillExecutionError):
        first = next((ln for ln in (exc.source or "").splitlines() if ln.strip()), "")
        return ReportError(f"report {notebook.name} failed in cell {exc.exec_count} ({first.strip()!r}): "
                           f"{exc.ename}: {exc.evalue}{where}")
    return ReportError(f"report {notebook.name} failed: {type(exc).__name__}: {exc}{where}")


def render_report(notebook: Path, out_html: Path, parameters: dict) -> Path:
    """Execute ``notebook`` with ``parameters`` and write its outputs as offline HTML to ``out_html``.

    Raises :class:`ReportError` naming the notebook, the failing cell and the exception; the
    executed notebook is then kept beside ``out_html`` as ``<stem>.failed.ipynb`` for inspection.
    """
    pm = _papermill()
    notebook, out_html = Path(notebook), Path(out_html)
    if not notebook.exists():
        raise ReportError(f"report notebook {notebook} does not exist")
    out_html.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="prodlib-render-") as tmp:
        executed = Path(tmp) / notebook.name
        try:
            pm.execute_notebook(str(notebook), str(executed), parameters=parameters, progress_bar=False,
                                log_output=False, cwd=str(notebook.parent))
        except Exception as exc:  # noqa: BLE001 - every failure becomes one clear ReportError
            kept = None
            if executed.exists():
                kept = out_html.with_suffix(".failed.ipynb")
                kept.write_bytes(executed.read_bytes())
            raise _failure(notebook, exc, kept) from None
        body, _ = html_exporter().from_filename(str(executed))
    out_html.write_text(body, encoding="utf-8")
    stale = out_html.with_suffix(".failed.ipynb")
    if stale.exists():
        stale.unlink()
    return out_html


def _render_one(stem: str, nb_dir: Path, out_dir: Path, common: dict) -> tuple[str, Path | None, float, str]:
    """Render one report of :data:`REPORTS`: (stem, HTML path or None, seconds, failure text or "")."""
    nb = nb_dir / f"{stem}.ipynb"
    out_html = out_dir / f"{stem}.html"
    t0 = time.perf_counter()  # its stale files are gone: render_all removes them first
    try:
        if not nb.exists():
            raise ReportError(f"report notebook {nb} does not exist")
        declared = notebook_parameters(nb)
        path = render_report(nb, out_html, {k: v for k, v in common.items() if k in declared})
    except ReportError as exc:
        return stem, None, time.perf_counter() - t0, str(exc)
    return stem, path, time.perf_counter() - t0, ""


def _report_files(out_dir: Path, stem: str) -> list[Path]:
    """Every file a report writes into ``out_dir``: its HTML, CSVs (``<stem>.csv``, ``<stem>_*.csv``), stamp."""
    return [out_dir / f"{stem}.html", out_dir / f"{stem}.stamp.json", out_dir / f"{stem}.failed.ipynb",
            *out_dir.glob(f"{stem}.csv"), *out_dir.glob(f"{stem}_*.csv")]


def render_all(db_url: str, out_dir: Path, params: dict | None = None, notebooks: Path | None = None,
               remittance_dir: Path | str | None = None, role: str = "", person: str = "",
               accounts: tuple[str, ...] = (), jobs: int = 1) -> list[Path]:
    """Render every report of :data:`REPORTS` into ``out_dir`` (HTML + CSV + stamp) and write index.html.

    ``params`` (budget_version, as_of, production_title, chart, ...) go to each notebook that declares
    them; ``database_url`` and ``export_dir`` are set here, and ``remittance_dir`` (the folder of
    ``prodlib run --remittance-out``; default ``params["remittance_dir"]``, else ``<out_dir>/remittance``).
    Returns the HTML paths, index.html last.
    ``role``/``person``: who the reports are for (:mod:`prodlib.reports.audience`; default the
    production accountant: everything). Only the role's reports are rendered, each builder leaves
    out what the role may not see, and every page, CSV and the index say whom they were rendered
    for (``accounts``: a department head's, from roles.yaml). Files of reports not rendered for the
    role are removed from ``out_dir``, and a role without
    person-level pay refuses an ``out_dir`` holding the P&H remittance files (RoleError, exit 2).
    ``jobs`` > 1 renders that many notebooks at once, each in its own worker process (each notebook
    already runs in its own kernel); the index keeps the order of :data:`REPORTS`.
    A report that fails does not stop the others: the index marks it, then one :class:`ReportError`
    lists every failure.
    """
    from prodlib.reports.load import reader_of

    out_dir = Path(out_dir)
    reader = reader_of(role, person, accounts=",".join(accounts))
    rem = remittance_dir or (params or {}).get("remittance_dir") or out_dir / "remittance"
    if not reader.person_pay and Path(rem).is_dir() and Path(rem).resolve().is_relative_to(out_dir.resolve()):
        raise RoleError(str(rem), f"holds the P&H remittance files (person-level pay): render the {reader.role} "
                                  "role's reports into a folder of their own")
    out_dir.mkdir(parents=True, exist_ok=True)
    nb_dir = notebooks or notebooks_dir()
    common = {**(params or {}), "database_url": db_url, "export_dir": str(out_dir.resolve()),
              "role": reader.role, "person": reader.person, "accounts": ",".join(reader.accounts)}
    common["remittance_dir"] = str(Path(rem).resolve())
    done: list[Rendered] = []
    failures: dict[str, str] = {}
    for stem, _title in REPORTS:
        for stale in _report_files(out_dir, stem):
            stale.unlink(missing_ok=True)  # never leave last night's figures (or another role's) beside tonight's
    stems = [stem for stem, _title in REPORTS if reader.sees(stem)]
    if jobs > 1:
        _papermill()  # imported once here, before the workers fork, not once in each of them
        import nbconvert  # noqa: F401
        order = sorted(stems, key=lambda st: LONGEST_FIRST.index(st) if st in LONGEST_FIRST else len(LONGEST_FIRST))
        with ProcessPoolExecutor(max_workers=min(jobs, len(stems))) as pool:
            by_stem = {r[0]: r for r in pool.map(_render_one, order, [nb_dir] * len(order), [out_dir] * len(order),
                                                 [common] * len(order))}
        results = [by_stem[stem] for stem in stems]
    else:
        results = [_render_one(stem, nb_dir, out_dir, common) for stem in stems]
    for stem, path, seconds, failure in results:
        if failure:
            failures[stem] = failure
            log.error("%s", failure)
            continue
        done.append(Rendered(stem, path, seconds))
        log.info("rendered %s in %.1f s (%d bytes)", path, seconds, path.stat().st_size)
    index = write_index(out_dir, failures, reader.caption)
    if failures:
        raise ReportError(f"{len(failures)} of {len(reader.reports)} report(s) failed (index: {index}):\n"
                          + "\n".join(f"  {msg}" for msg in failures.values()))
    return [r.html for r in done] + [index]


def write_index(out_dir: Path, failures: dict[str, str] | None = None, rendered_for: str = "") -> Path:
    """Write ``out_dir/index.html``: one line per report (title, as-of, data stamp, links; or its failure),
    under the role the reports were rendered for."""
    out_dir = Path(out_dir)
    failures = failures or {}
    entries = []
    for stem, title in REPORTS:
        page = out_dir / f"{stem}.html"
        if stem in failures:
            entries.append((stem, title, {"failed": failures[stem]}, False))
            continue
        if not page.exists():
            continue
        stamp_file = out_dir / f"{stem}.stamp.json"
        stamp = json.loads(stamp_file.read_text(encoding="utf-8")) if stamp_file.exists() else {}
        entries.append((stem, title, stamp, (out_dir / f"{stem}.csv").exists()))
    path = out_dir / "index.html"
    path.write_text(index_html(entries, rendered_for), encoding="utf-8")
    return path


def index_html(entries: list[tuple[str, str, dict, bool]], rendered_for: str = "") -> str:
    """The index page: self-contained (inline style, relative links only)."""
    production = next((s.get("title") for _, _, s, _ in entries if s.get("title")), "prodlib reports")
    rows = []
    for stem, title, stamp, has_csv in entries:
        esc = html.escape
        if "failed" in stamp:
            rows.append(f"<tr><td>{esc(title)}</td><td colspan=\"3\" class=\"failed\">FAILED: "
                        f"{esc(stamp['failed'])}</td></tr>")
            continue
        links = f'<a href="{esc(stem)}.html">{esc(title)}</a>'
        if has_csv:
            links += f' &middot; <a href="{esc(stem)}.csv">CSV</a>'
        data = f"{stamp.get('source', '?')}"
        if stamp.get("budget_version"):
            data += f", budget {stamp['budget_version']}"
        digest = stamp.get("inputs_sha256", "")
        demo = " <b>(DEMO DATA)</b>" if stamp.get("demo") else ""
        rows.append(f"<tr><td>{links}</td><td>{esc(str(stamp.get('as_of', '?')))}</td>"
                    f"<td>{esc(data)}{demo}</td><td><code>{esc(digest[:16])}</code></td></tr>")
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{html.escape(production)}: reports</title><style>"
        "body{font-family:system-ui,sans-serif;margin:2em;color:#222}"
        "table{border-collapse:collapse}td,th{padding:4px 10px;border-bottom:1px solid #ddd;text-align:left}"
        "th{background:#f2f4f7}.failed{color:#b00020}</style></head><body>"
        f"<h1>{html.escape(production)}</h1><p>Reports rendered by prodlib"
        f"{' for role ' + html.escape(rendered_for) if rendered_for else ''}.</p>"
        "<table><thead><tr><th>Report</th><th>As of</th><th>Data</th><th>Inputs SHA-256</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></body></html>\n"
    )
