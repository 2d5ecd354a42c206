"""A cluster's events in time: payments, calls, sightings, tenancies, as a table, a figure and a page section.

The rows are the dated records behind the edges of a drawn subnetwork: every
relationship row of the canonical tables whose two ends are both in it. Event
types (``PAID``, ``CALLED``, ``SEEN_AT``) are dated by their timestamp; pair
types (``LIVES_AT``, ``WORKS_AT``...) by the first date a source asserts them,
with the last one as their end. Rows without any date are counted, not shown.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from crimnet.errors import CrimnetError, check_interval, check_type
from crimnet.schema import REL_TYPES
from crimnet.tables import CanonicalTables
from crimnet.viz.annotate import describe_row, display_names, relationship_rows
from crimnet.viz.figures import save_figure

__all__ = ["TIMELINE_KINDS", "cluster_timeline", "timeline_figures", "timeline_html"]

TIMELINE_KINDS: dict[str, str] = {
    "PAID": "payment",
    "CALLED": "call",
    "SEEN_AT": "sighting",
    "LIVES_AT": "tenancy",
    "LETS": "letting",
    "WORKS_AT": "employment",
    "DIRECTS": "directorship",
    "HOLDS": "account held",
    "OWNS": "account held",
    "USES_PHONE": "phone used",
    "KEEPS": "vehicle kept",
    "LOCATED_AT": "premises",
    "MANAGES": "premises",
    "ASSOCIATE_OF": "association",
}
"""The kind of event each relationship type is on a timeline, in the order of the figure's lanes."""

EVENT_TYPES = tuple(name for name, spec in REL_TYPES.items() if spec.key == "event")

COLUMNS = ("date", "end", "kind", "type", "src", "dst", "what", "amount", "record_ids")


def cluster_timeline(tables: CanonicalTables, ids: Iterable[str]) -> pd.DataFrame:
    """Return the dated records between the vertices `ids` (``'<Label>:<id>'``), oldest first.

    Parameters
    ----------
    tables : CanonicalTables
        The case's tables.
    ids : iterable of str
        Vertex names of a subnetwork (for example ``sub.vs["name"]``).

    Returns
    -------
    DataFrame
        date (str, ``YYYY-MM-DD`` or a UTC timestamp), end (str: the last date a pair relationship is
        asserted, '' for events), kind (:data:`TIMELINE_KINDS`), type (relationship type), src and dst
        (vertex names), what (the row in words, with names), amount (float, major units; NaN but for
        payments), record_ids (str, comma-separated); sorted by date, then type, src, dst. Its
        ``attrs["undated"]`` counts the rows left out for want of a date.
    """
    check_type(tables, CanonicalTables, param="tables", func="cluster_timeline", expected="a CanonicalTables")
    names = list(ids)
    shown = display_names(tables, names)
    rows, undated = [], 0
    for rel, df in relationship_rows(tables, names).items():
        spec = REL_TYPES[rel]
        event = spec.key == "event"
        for row in df.to_dict("records"):
            date = _text(row.get("ts")) if event else _text(row.get("first_seen"))
            date = date or _text(row.get("first_seen"))
            if not date:
                undated += 1
                continue
            src, dst = f"{spec.src}:{row['src']}", f"{spec.dst}:{row['dst']}"
            amount = row.get("amount") if rel == "PAID" else None
            rows.append(
                {
                    "date": date,
                    "end": "" if event else _text(row.get("last_seen")),
                    "kind": TIMELINE_KINDS.get(rel, rel.lower()),
                    "type": rel,
                    "src": src,
                    "dst": dst,
                    "what": describe_row(rel, {**row, "ts": None, "first_seen": None}, shown[src], shown[dst]),
                    "amount": float(str(amount)) / 100 if _text(amount) else float("nan"),
                    "record_ids": ", ".join(str(r) for r in (row.get("record_ids") if _listed(row) else [])),
                }
            )
    out = pd.DataFrame(rows, columns=list(COLUMNS))
    out = out.sort_values(["date", "type", "src", "dst"], kind="stable").reset_index(drop=True)
    out.attrs["undated"] = undated
    return out


def timeline_figures(df: pd.DataFrame, path: str | Path, *, title: str = "", dpi: int = 120) -> tuple[Path, Path]:
    """Draw a timeline (:func:`cluster_timeline`) as a PNG and an SVG and return their paths.

    One lane per kind of event; events are points (payments sized by amount), pair relationships
    bars from their first to their last date. `path` names the PNG; the SVG is beside it.
    """
    check_type(df, pd.DataFrame, param="df", func="timeline_figures", expected="a timeline DataFrame")
    check_interval(dpi, param="dpi", func="timeline_figures", low=1, closed="left", integer=True)
    missing = {"date", "end", "kind", "amount"} - set(df.columns)
    if missing:
        raise CrimnetError(f"timeline_figures: the table lacks {sorted(missing)}; pass cluster_timeline's result.")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    kinds = [k for k in dict.fromkeys(TIMELINE_KINDS.values()) if k in set(df["kind"])]
    kinds += sorted(set(df["kind"]) - set(kinds))
    start = pd.to_datetime(df["date"].str[:10], errors="coerce")
    end = pd.to_datetime(df["end"].where(df["end"] != "").str[:10], errors="coerce")
    events = df["type"].isin(EVENT_TYPES).to_numpy() if "type" in df.columns else np.zeros(len(df), dtype=bool)
    window = _event_window(start, events)
    panels = [(kinds, None)] + ([([k for k in kinds if k in set(df.loc[events, "kind"])], window)] if window else [])
    fig, axes = plt.subplots(
        len(panels), 1, figsize=(10, sum(1.4 + 0.42 * max(1, len(k)) for k, _ in panels)), squeeze=False,
        height_ratios=[max(1, len(k)) + 2 for k, _ in panels],
    )  # fmt: skip
    cmap = plt.get_cmap("tab10")
    colour = {k: cmap(i % 10) for i, k in enumerate(kinds)}
    for ax, (shown, span) in zip(axes[:, 0], panels, strict=True):
        lane = {k: i for i, k in enumerate(shown)}
        for kind in shown:
            sel = (df["kind"] == kind).to_numpy()
            y = lane[kind]
            spans = sel & end.notna().to_numpy()
            if spans.any():
                ax.hlines([y] * int(spans.sum()), start[spans], end[spans], colors=[colour[kind]], lw=4, alpha=0.35)
            amount = df.loc[sel, "amount"].fillna(0).to_numpy()
            sizes = 12 + 60 * (amount / amount.max()) if len(amount) and amount.max() > 0 else 14
            ax.scatter(start[sel], [y] * int(sel.sum()), s=sizes, color=colour[kind], alpha=0.7, zorder=2)
        ax.set_yticks(range(len(shown)), [f"{k} ({int((df['kind'] == k).sum())})" for k in shown])
        ax.set_ylim(-0.7, len(shown) - 0.3)
        ax.grid(axis="x", color="#dddddd", lw=0.6)
        if span is not None:
            ax.set_xlim(*span)
            ax.set_title(f"Payments, calls and sightings, {span[0]:%d %b %Y} to {span[1]:%d %b %Y}", fontsize=10)
        for label in ax.get_xticklabels():
            label.set_rotation(25)
            label.set_horizontalalignment("right")
    axes[0, 0].set_title(title or f"Timeline: {len(df)} dated records")
    fig.subplots_adjust(hspace=0.45)
    png = Path(path)
    svg = png.with_suffix(".svg")
    save_figure(fig, [png, svg], dpi=dpi)
    return png, svg


def timeline_html(df: pd.DataFrame, *, png: str | Path | None = None, max_rows: int = 300) -> str:
    """Return a timeline (:func:`cluster_timeline`) as an HTML section, every text escaped.

    The section has ``id="crimnet-timeline"`` and ``data-row-count`` (rows in the timeline); its
    table shows the first `max_rows`, one ``<tr class="crimnet-event">`` each, and says how many
    more there are. `png`, when given, is embedded as a data URI (the page stays one file).
    """
    check_type(df, pd.DataFrame, param="df", func="timeline_html", expected="a timeline DataFrame")
    check_interval(max_rows, param="max_rows", func="timeline_html", low=1, closed="left", integer=True)
    e = html.escape
    undated = int(df.attrs.get("undated", 0))
    head = f"{len(df)} dated record{'s' if len(df) != 1 else ''}" + (
        f"; {undated} without a date not shown" if undated else ""
    )
    pic = ""
    if png is not None:
        data = base64.b64encode(Path(png).read_bytes()).decode()
        pic = f'<img class="crimnet-timeline-figure" alt="timeline" src="data:image/png;base64,{data}">'
    body = "".join(
        f'<tr class="crimnet-event"><td>{e(_when(str(r.date)))}</td><td>{e(str(r.kind))}</td>'
        f"<td>{e(str(r.what))}</td><td>{e(str(r.record_ids))}</td></tr>"
        for r in df.head(max_rows).itertuples()
    )
    more = f"<p>{len(df) - max_rows} later records not listed.</p>" if len(df) > max_rows else ""
    table = (
        "<div class='crimnet-timeline-rows'><table class='crimnet-timeline-table'><thead><tr><th>Date</th>"
        f"<th>Kind</th><th>What</th><th>Source records</th></tr></thead><tbody>{body}</tbody></table></div>"
        if len(df)
        else "<p>No dated record links these nodes.</p>"
    )
    return (
        f'<section id="crimnet-timeline" data-row-count="{len(df)}"><h2>Timeline</h2><p>{e(head)}</p>'
        f"{pic}{table}{more}</section>"
    )


def _event_window(start: pd.Series, events: np.ndarray) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """The events' period, padded, when under a fifth of the whole timeline (else None: one panel is enough)."""
    when = start[events].dropna()
    if len(when) == 0 or start.dropna().empty:
        return None
    whole = start.max() - start.min()
    lo, hi = when.min(), when.max()
    if whole <= pd.Timedelta(0) or (hi - lo) > whole / 5:
        return None
    pad = max((hi - lo) / 20, pd.Timedelta(days=1))
    return lo - pad, hi + pad


def _listed(row: dict[str, object]) -> bool:
    value = row.get("record_ids")
    return value is not None and not isinstance(value, float | str)


def _when(date: str) -> str:
    """A date or UTC timestamp as a reader scans it: ``2025-02-17 11:01 UTC``."""
    return f"{date[:10]} {date[11:16]} UTC" if len(date) >= 16 and date[10] == "T" else date


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return "" if value is pd.NA or value is pd.NaT else str(value)
