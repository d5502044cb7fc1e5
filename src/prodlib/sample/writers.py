"""Writers of the sample production: CSV bytes in each export's encoding, sources.yaml,
production.yaml and manifest.json. Nothing else in the sample writes a file.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import yaml

from prodlib.production import Production, production_document
from prodlib.reasons import Reason
from prodlib.sample.model import ExpectedFinding, Fault, FileInfo, Manifest
from prodlib.sources import SourceSpec
from prodlib.sources import write_sources as dump_sources


def csv_bytes(
    header: Sequence[str],
    columns: Sequence[pa.Array],
    delimiter: str = ",",
    eol: str = "\n",
    encoding: str = "utf-8",
) -> bytes:
    """One CSV file as bytes: fields quoted only when they must be (as Excel and most exporters do).

    Lines are joined by Arrow kernels and the result is the string array's data buffer, so there is
    no per-row Python work. No field may contain a line break: line numbers must stay physical.
    """
    def quote(col: pa.Array) -> pa.Array:
        col = pc.fill_null(col, "")
        needs = pc.or_(pc.match_substring(col, delimiter), pc.match_substring(col, '"'))
        quoted = pc.binary_join_element_wise('"', pc.replace_substring(col, '"', '""'), '"', "")
        return pc.if_else(needs, quoted, col)

    def quote_one(s: str) -> str:
        return '"' + s.replace('"', '""') + '"' if (delimiter in s or '"' in s) else s

    head = delimiter.join(quote_one(h) for h in header) + eol
    if len(columns) == 0 or len(columns[0]) == 0:
        text = head.encode("utf-8")
    else:
        lines = pc.binary_join_element_wise(*[quote(c) for c in columns], delimiter)
        lines = pc.binary_join_element_wise(lines, eol, "")
        if isinstance(lines, pa.ChunkedArray):
            lines = lines.combine_chunks()
        offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32, count=len(lines) + 1, offset=lines.offset * 4)
        body = lines.buffers()[2].to_pybytes()[offsets[0]:offsets[-1]]
        text = head.encode("utf-8") + body
    if encoding.lower().replace("_", "-") in ("utf-8", "utf8"):
        return text
    if encoding.lower().replace("_", "-") == "utf-8-sig":
        return b"\xef\xbb\xbf" + text
    return text.decode("utf-8").encode(encoding)


@dataclass
class ExportFolder:
    """The output folder while the generator writes: every export, its sources.yaml entry, its faults.

    Attributes:
      root: the output folder.
      files: relative path -> what was written there.
      faults: every injected fault so far (manifest rows).
      sources: sources.yaml entries, in the order the exports were written.
      findings: every injected cash fault so far (the manifest's reconciliation findings).
    """

    root: Path
    files: dict[str, FileInfo] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    sources: list[SourceSpec] = field(default_factory=list)
    findings: list[ExpectedFinding] = field(default_factory=list)

    def write(
        self, rel: str, kind: str, source_id: str, columns: list[tuple[str, str, pa.Array]], *,
        date_format: str | None = None, money_locale: str = "us", delimiter: str = ",", eol: str = "\n",
        encoding: str = "utf-8", constants: dict[str, str] | None = None, default_cost_code: str | None = None,
        faults: list[tuple[int, str, str]] | None = None,
    ) -> None:
        """Write one export; ``columns`` = (canonical name or "", header, values); faults = (row, fault, field)."""
        header = [h for _, h, _ in columns]
        data = csv_bytes(header, [v for _, _, v in columns], delimiter, eol, encoding)
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        rows = len(columns[0][2])
        self.files[rel] = FileInfo(source_id, kind, rows)
        for row, fault, fld in faults or ():
            self.faults.append(Fault(source_id, rel, int(row) + 2, fault, Reason(fault.upper()).value, fld))
        self.sources.append(SourceSpec(
            id=source_id, kind=kind, path=path, display_path=rel, columns={c: h for c, h, _ in columns if c},
            date_format=date_format or SourceSpec.date_format, money_locale=money_locale, delimiter=delimiter,
            encoding=encoding, constants=dict(constants or {}), default_cost_code=default_cost_code or None))


def write_sources(root: Path, specs: list[SourceSpec]) -> Path:
    """sources.yaml through the sources model's own dumper (the one place the sample writes it)."""
    return dump_sources(specs, "production.yaml", root / "sources.yaml",
                                 header="# How each raw export maps to prodlib's canonical columns "
                                        "(docs/ARCHITECTURE.md).\n")


def write_production(root: Path, production: Production) -> Path:
    """production.yaml: the model's own document (``production_document``) under a one-line comment."""
    return _write_yaml(root / "production.yaml", production_document(production),
                       "Sample production facts (prodlib.sample): every date of every export must fall in `window`.")


def _write_yaml(path: Path, document: dict, comment: str) -> Path:
    """A YAML document in its file's key order, under a one-line comment."""
    path.write_text(f"# {comment}\n" + yaml.safe_dump(document, sort_keys=False, allow_unicode=True),
                    encoding="utf-8")
    return path


def write_manifest(root: Path, manifest: Manifest) -> Path:
    """manifest.json: every file with its row count and every injected fault."""
    path = root / "manifest.json"
    path.write_text(json.dumps(manifest.to_dict(), indent=1) + "\n", encoding="utf-8")
    return path


def sample_roles(production_id: str) -> dict:
    """The sample's roles.yaml document: a few invented people per role on ``production_id``.

    The studio executive and the auditor also hold a second, invented production
    (``<production_id>-SEQUEL``) so that a scope over several productions has something to show.
    """
    sequel = f"{production_id}-SEQUEL"
    one, both = [production_id], [production_id, sequel]
    return {
        "version": "2026.1",
        "sample": True,
        "source": "prodlib sample: invented people, not any production's crew",
        "departments": [
            {"id": "camera", "name": "Camera", "accounts": ["3300"]},
            {"id": "grip", "name": "Grip", "accounts": ["2500-01", "2500-02"]},
            {"id": "electric", "name": "Electrical", "accounts": ["3200"]},
        ],
        "members": [
            {"id": "P-0101", "name": "Dana Whitfield", "roles": ["production_accountant"], "productions": one},
            {"id": "P-0102", "name": "Ravi Sandoval", "roles": ["production_accountant"], "productions": one},
            {"id": "P-0201", "name": "Mina Castellanos", "roles": ["payroll_processor"], "productions": one},
            {"id": "P-0301", "name": "Sam Okafor", "roles": ["department_head"], "productions": one,
             "departments": ["camera"]},
            {"id": "P-0302", "name": "Jo Lindqvist", "roles": ["department_head"], "productions": one,
             "departments": ["grip", "electric"]},
            {"id": "P-0401", "name": "Priya Halvorsen", "roles": ["line_producer"], "productions": one},
            {"id": "P-0402", "name": "Tomas Eberly", "roles": ["upm"], "productions": one},
            {"id": "P-0501", "name": "Celeste Arango", "roles": ["studio_executive"], "productions": both},
            {"id": "P-0601", "name": "Howard Pell", "roles": ["bond_rep"], "productions": one},
            {"id": "P-0701", "name": "Aiko Brandt", "roles": ["auditor"], "productions": both},
        ],
    }


def write_roles(root: Path, production_id: str) -> Path:
    """roles.yaml: the sample's people and roles (:func:`sample_roles`) under a one-line comment."""
    return _write_yaml(root / "roles.yaml", sample_roles(production_id),
                       "Sample roles (prodlib.access): who may read and write what; invented people.")
