"""The HTML report of one run: what went in, what was found, where to cut, and how sure we are.

The report is one self-contained HTML file (tables inline, PNGs embedded as
data URIs, links to the offline pyvis pages beside it) so that it can be
attached to a case file and opened on an air-gapped machine.
"""

from __future__ import annotations

import base64
import datetime
import html
import json
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from crimnet import __version__
from crimnet.errors import check_type

__all__ = ["ReportInputs", "ClusterSection", "write_report"]


@dataclass
class ClusterSection:
    """One detected cluster as the report shows it.

    Attributes
    ----------
    cluster_id : str
        Stable cluster id.
    score : float
        Risk score: the weighted sum of the cluster's indicator strengths (see
        :mod:`crimnet.graphs.detect.risk`); higher is more likely exploitation.
    size : int
        Number of people in the cluster.
    reasons : list of str
        The indicators that drove the score, in plain words, strongest first.
    disruption : DataFrame
        Ranked disruption points for this cluster (rank, node_id, label, strategy).
    html_page : str, optional
        Relative link to the interactive subnetwork page.
    png : Path, optional
        Static picture embedded in the report.
    truth : str, optional
        For synthetic cases: what the cluster really is (ring id and typology, or "background").
    roles : DataFrame, optional
        Inferred controllers and victims (node_id, role, evidence), from observable data only.
    """

    cluster_id: str
    score: float
    size: int
    reasons: list[str]
    disruption: pd.DataFrame
    html_page: str | None = None
    png: Path | None = None
    truth: str | None = None
    roles: pd.DataFrame | None = None


@dataclass
class ReportInputs:
    """Everything a run report shows; each part is optional except the configuration."""

    config: Mapping[str, Any]
    title: str = "crimnet run report"
    ingest_summary: pd.DataFrame | None = None
    graph_counts: Mapping[str, int] | None = None
    clusters: list[ClusterSection] = field(default_factory=list)
    disruption_summary: pd.DataFrame | None = None
    disruption_curves_png: Path | None = None
    detection_evaluation: pd.DataFrame | None = None
    watch_matches: pd.DataFrame | None = None
    timings: Mapping[str, float] | None = None


def write_report(inputs: ReportInputs, path: str | Path) -> Path:
    """Render `inputs` as one self-contained HTML file at `path` and return the path.

    Numbers are shown as computed; no section is invented when its input is
    missing (the section is left out and the contents list says so).
    """
    check_type(inputs, ReportInputs, param="inputs", func="write_report", expected="a ReportInputs")
    parts = [f"<h1>{_e(inputs.title)}</h1>", f"<p class='meta'>crimnet {__version__}</p>"]
    if inputs.timings:
        total = sum(inputs.timings.values())
        parts.append(
            _section(
                "Run",
                _table(
                    pd.DataFrame(
                        {"stage": list(inputs.timings), "seconds": [round(v, 2) for v in inputs.timings.values()]}
                    )
                )
                + f"<p>Total {total:.1f} s.</p>",
            )
        )
    if inputs.ingest_summary is not None:
        summary = inputs.ingest_summary.drop(columns=["sha256"], errors="ignore")  # merge bookkeeping
        parts.append(_section("Sources ingested", _table(summary)))
    if inputs.graph_counts:
        counts = pd.DataFrame({"table": list(inputs.graph_counts), "rows": list(inputs.graph_counts.values())})
        parts.append(_section("Graph", _table(counts)))
    if inputs.clusters:
        parts.append(
            _section("Likely perpetrator clusters", "".join(_cluster(c, i + 1) for i, c in enumerate(inputs.clusters)))
        )
    if inputs.disruption_summary is not None:
        body = _table(inputs.disruption_summary)
        oracle = inputs.disruption_summary.get("uses_ground_truth", pd.Series(dtype=bool)).astype(bool)
        if oracle.any():
            names = ", ".join(inputs.disruption_summary.loc[oracle.to_numpy(), "strategy"].astype(str))
            body += (
                f"<p>{_e(names)}: ranked from the planted victim/controller labels themselves (uses_ground_truth), "
                "a bound for the other strategies, not something an investigation can run.</p>"
            )
        if inputs.disruption_curves_png is not None:
            body += _img(inputs.disruption_curves_png, "robustness curves")
        parts.append(_section("Disruption strategies compared", body))
    if inputs.detection_evaluation is not None:
        parts.append(_section("Detection against ground truth", _table(inputs.detection_evaluation)))
    if inputs.watch_matches is not None:
        body = _table(inputs.watch_matches) if len(inputs.watch_matches) else "<p>No new matches.</p>"
        parts.append(_section("Watch rules: new matches", body))
    parts.append(_section("Configuration", f"<pre>{_e(json.dumps(dict(inputs.config), indent=2, default=str))}</pre>"))
    page = (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{_e(inputs.title)}</title>"
        f"<style>{_CSS}</style></head><body>{''.join(parts)}</body></html>"
    )
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    return out


def _cluster(c: ClusterSection, rank: int) -> str:
    reasons = "".join(f"<li>{_e(r)}</li>" for r in c.reasons) or "<li>no indicator fired</li>"
    head = f"<h3>{rank}. Cluster {_e(c.cluster_id)}: score {c.score:.2f}, {c.size} people</h3>"
    truth = f"<p class='truth'>Ground truth: {_e(c.truth)}</p>" if c.truth else ""
    link = f"<p><a href='{_e(c.html_page)}'>Open the interactive subnetwork</a></p>" if c.html_page else ""
    pic = _img(c.png, f"cluster {c.cluster_id}") if c.png else ""
    cut = _table(c.disruption.head(10)) if len(c.disruption) else "<p>No disruption point found.</p>"
    roles = ""
    if c.roles is not None and len(c.roles):
        roles = f"<p>Inferred roles (from the evidence above, not confirmed):</p>{_table(c.roles)}"
    return (
        f"<div class='cluster'>{head}{truth}<p>Why:</p><ul>{reasons}</ul>{roles}{link}{pic}"
        f"<p>Where to cut first:</p>{cut}</div>"
    )


def _section(title: str, body: str) -> str:
    return f"<section><h2>{_e(title)}</h2>{body}</section>"


def _table(df: pd.DataFrame, columns: Sequence[str] | None = None) -> str:
    """`df` as an HTML table; every text cell and column name escaped, quotes included (pandas leaves quotes)."""
    shown = df if columns is None else df[list(columns)]
    shown = shown.copy()
    for col in shown.columns:
        dtype = shown[col].dtype
        if isinstance(dtype, np.dtype) and dtype.kind in "biufcmM":  # numpy numbers, booleans, dates: no markup
            continue
        shown[col] = pd.Series([_cell(v) for v in shown[col].astype(object)], index=shown.index, dtype=object)
    shown.columns = [_e(c) for c in shown.columns]
    return shown.to_html(index=False, border=0, classes="t", float_format=lambda x: f"{x:.3g}", escape=False)


def _cell(v: object) -> object:
    """A table cell ready for ``to_html(escape=False)``: text escaped; numbers, dates and missing values as they are."""
    if v is pd.NA:
        return _e(v)  # pandas writes it '<NA>'
    if isinstance(v, (numbers.Number, datetime.date, datetime.timedelta, np.datetime64, np.timedelta64)):
        return v
    if pd.api.types.is_scalar(v) and pd.isna(v):
        return v
    return _e(v)


def _img(path: Path, alt: str) -> str:
    data = base64.b64encode(Path(path).read_bytes()).decode()
    return f"<img alt='{_e(alt)}' src='data:image/png;base64,{data}'>"


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


_CSS = """
body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;color:#222}
h1{margin-bottom:0}.meta{color:#666}section{margin-top:2em}
table.t{border-collapse:collapse;font-size:0.9em}table.t td,table.t th{padding:3px 8px;border-bottom:1px solid #ddd}
.cluster{border-left:4px solid #e15759;padding-left:1em;margin:1.5em 0}.truth{color:#555;font-style:italic}
img{max-width:100%}pre{background:#f6f6f6;padding:1em;overflow:auto}
"""
