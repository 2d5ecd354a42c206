"""A subnetwork as two tables an analyst's tool reads: its nodes (named) and its links (directed, dated).

Nodes are labelled by what a person recognises (a person's or business's name, an address's street
line and postcode, a phone number, an account's sort code and number, a registration), never by an
internal id; the id is kept as the node's identity. Provenance (``sources``, ``record_ids``) is kept on
every node and link.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from crimnet.errors import check_type
from crimnet.export.case import ExportCase
from crimnet.export.select import Selection, display_name
from crimnet.frames import isin
from crimnet.schema import NODE_LABELS, REL_TYPES

__all__ = ["Subnetwork", "build_subnetwork", "NODE_COLUMNS", "LINK_COLUMNS"]

NODE_COLUMNS: tuple[str, ...] = ("key", "type", "identity", "label")
"""The first columns of :attr:`Subnetwork.nodes`; the node's properties follow."""
LINK_COLUMNS: tuple[str, ...] = ("source", "target", "type", "date", "last_date", "count")
"""The first columns of :attr:`Subnetwork.links`; the link's properties follow."""
INTEGER_COLUMNS: tuple[str, ...] = ("count", "amount", "duration_s")
"""Link columns holding whole numbers (events, minor units of money, seconds)."""


@dataclass
class Subnetwork:
    """Nodes and links of a case or part of it, ready to write in any export format.

    Attributes
    ----------
    nodes : DataFrame
        One row per node: ``key`` (``'<Label>:<id>'``, unique), ``type`` (the label), ``identity`` (its id),
        ``label`` (its name as a person reads it), then its properties of :mod:`crimnet.schema` (missing
        values as None), the run's ``risk``, ``cluster`` and ``role`` for people when known, and
        ``sources`` and ``record_ids`` (lists of str).
    links : DataFrame
        One row per relationship type and ordered pair of nodes (the edges of
        :func:`crimnet.graphs.views.hetero_graph`, directed as the sources assert them): ``source`` and
        ``target`` (node keys), ``type``, ``date`` and ``last_date`` (first and last day asserted,
        ``YYYY-MM-DD`` or None), ``count`` (events: payments, calls, sightings; 1 for other types), then
        ``amount`` (total, minor units) and ``currency`` of payments, ``duration_s`` (total) of calls,
        ``wording`` of associations, and ``sources`` and ``record_ids`` (lists of str).
    title : str
        What the subnetwork is, in words.
    """

    nodes: pd.DataFrame
    links: pd.DataFrame
    title: str = ""


def build_subnetwork(case: ExportCase, selection: Selection | None = None, *, events: bool = False) -> Subnetwork:
    """Return the nodes and links of `selection` in `case`, with names, run scores and provenance.

    Parameters
    ----------
    case : ExportCase
        The case (:func:`crimnet.export.read_export_case`).
    selection : Selection, optional
        The nodes to keep (:func:`crimnet.export.select_subnetwork`); None keeps the whole case. The links
        are every relationship between two kept nodes.
    events : bool, default False
        One link per payment, call and sighting (``date`` its day, ``time`` its UTC time, ``event_id``,
        and its own amount, reference or duration) instead of one per ordered pair of nodes: for
        timelines (i2's, Gephi's).

    Returns
    -------
    Subnetwork

    Notes
    -----
    O(n + m) in the case's node and relationship rows (one filter per table, one group-by per event type).
    """
    check_type(case, ExportCase, param="case", func="build_subnetwork", expected="an ExportCase")
    selection = Selection(None, title=f"{case.where}: the whole case") if selection is None else selection
    check_type(selection, Selection, param="selection", func="build_subnetwork", expected="a Selection or None")
    keep = None if selection.keys is None else set(selection.keys)
    parts = [_nodes(label, case, keep) for label in NODE_LABELS]
    nodes = _missing_as_none(pd.concat([p for p in parts if len(p)] or [parts[0]], ignore_index=True))
    present = set(nodes["key"])
    check_type(events, bool, param="events", func="build_subnetwork", expected="a bool")
    links = [_links(rel, case, present, events=events) for rel in REL_TYPES]
    links_df = _missing_as_none(pd.concat([x for x in links if len(x)] or [links[0]], ignore_index=True))
    return Subnetwork(nodes, links_df, selection.title)


def _missing_as_none(df: pd.DataFrame) -> pd.DataFrame:
    """Every cell a Python object, the missing ones None, counts and totals whole numbers again.

    Tables of several labels or types fill each other's columns with NaN, which makes a column of
    integers floats.
    """
    out = df.astype(object)
    out = out.where(out.notna(), None)
    for col in INTEGER_COLUMNS:
        if col in out.columns:
            out[col] = pd.Series([None if v is None else int(v) for v in out[col]], index=out.index, dtype=object)
    return out


def _label_text(label: str, df: pd.DataFrame) -> list[str]:
    ids = df["id"].astype(str).tolist()
    if label in ("Person", "Business"):
        return [
            display_name(n) if isinstance(n, str) and n.strip() else i for n, i in zip(df["name"], ids, strict=True)
        ]
    if label == "Address":  # the id is the address key '<postcode>|<line>': its line where the column has none
        lines = [
            line if isinstance(line, str) and line.strip() else i.partition("|")[2]
            for line, i in zip(df["line"], ids, strict=True)
        ]
        return [
            ", ".join(x for x in (display_name(line), pc if isinstance(pc, str) else "") if x) or i
            for line, pc, i in zip(lines, df["postcode"], ids, strict=True)
        ]
    return ids


def _nodes(label: str, case: ExportCase, keep: set[str] | None) -> pd.DataFrame:
    df = case.tables.nodes[label]
    keys = label + ":" + df["id"].astype(str)
    if keep is not None:
        kept = isin(keys, keep)  # Arrow's hash set: pandas' isin on Arrow strings loops in Python
        df, keys = df[kept], keys[kept]
    out = pd.DataFrame(
        {
            "key": keys.tolist(),
            "type": label,
            "identity": df["id"].astype(str).tolist(),
            "label": _label_text(label, df),
        }
    )
    for f in NODE_LABELS[label].properties:
        out[f.name] = _plain(df[f.name])
    if label == "Person" and case.risk:
        out["risk"] = [case.risk.get(i) for i in out["identity"]]
    if label == "Person" and case.clusters is not None:
        clusters = case.clusters
        member_of = {m: cid for cid, ms in zip(clusters["cluster_id"], clusters["members"], strict=True) for m in ms}
        out["cluster"] = [member_of.get(i) for i in out["identity"]]
    if label == "Person" and case.roles:
        out["role"] = [case.roles.get(i) for i in out["identity"]]
    out["sources"] = _lists(df["sources"])
    out["record_ids"] = _lists(df["record_ids"])
    return out


def _links(rel: str, case: ExportCase, present: set[str], *, events: bool) -> pd.DataFrame:
    spec = REL_TYPES[rel]
    df = case.tables.rels[rel]
    src, dst = spec.src + ":" + df["src"].astype(str), spec.dst + ":" + df["dst"].astype(str)
    ok = isin(src, present) & isin(dst, present)
    df = df[ok].assign(source=src[ok], target=dst[ok])
    if spec.key == "event" and events:
        return _each_event(rel, df)
    if spec.key == "pair":
        out = pd.DataFrame(
            {
                "source": df["source"].tolist(),
                "target": df["target"].tolist(),
                "type": rel,
                "date": _plain(df["first_seen"]),
                "last_date": _plain(df["last_seen"]),
                "count": 1,
            }
        )
        for f in spec.properties:
            out[f.name] = _plain(df[f.name])
        out["sources"] = _lists(df["sources"])
        out["record_ids"] = _lists(df["record_ids"])
        return out
    return _events(rel, df)


def _each_event(rel: str, df: pd.DataFrame) -> pd.DataFrame:
    """Events of one type as one link each, dated to the day, with its time, id and own properties."""
    ts = df["ts"].astype(object)
    out = pd.DataFrame(
        {
            "source": df["source"].tolist(),
            "target": df["target"].tolist(),
            "type": rel,
            "date": [t[:10] if isinstance(t, str) and t else f for t, f in zip(ts, df["first_seen"], strict=True)],
            "last_date": None,
            "count": 1,
            "time": [t[11:19] if isinstance(t, str) and len(t) >= 19 else None for t in ts],
            "event_id": df["id"].astype(str).tolist(),
        }
    )
    for f in REL_TYPES[rel].properties:
        if f.name != "ts":
            out[f.name] = _plain(df[f.name])
    out["sources"] = _lists(df["sources"])
    out["record_ids"] = _lists(df["record_ids"])
    return out


def _events(rel: str, df: pd.DataFrame) -> pd.DataFrame:
    """Events of one type (payments, calls, sightings) as one link per ordered pair: counted, dated, totalled."""
    day = df["ts"].astype(object).map(lambda t: t[:10] if isinstance(t, str) and t else None)
    day = day.where(day.notna(), df["first_seen"].astype(object))
    events = pd.DataFrame(
        {
            "source": df["source"].to_numpy(),
            "target": df["target"].to_numpy(),
            "day": pd.Series(day.to_numpy(), dtype="string"),
            "sources": _lists(df["sources"]),
            "record_ids": _lists(df["record_ids"]),
        }
    )
    totals = {"PAID": ["amount"], "CALLED": ["duration_s"]}.get(rel, [])
    for col in totals:
        events[col] = pd.to_numeric(df[col], errors="coerce").fillna(0).to_numpy(dtype="int64")
    grouped = events.groupby(["source", "target"], sort=True)
    out = grouped.agg(date=("day", "min"), last_date=("day", "max"), count=("day", "size"))
    out.insert(0, "type", rel)
    for col in totals:
        out[col] = grouped[col].sum()
    # the lists of each pair in one pass: a group-by applying Python per group costs ~1 ms a pair
    sources: dict[tuple[str, str], set[str]] = defaultdict(set)
    records: dict[tuple[str, str], list[str]] = defaultdict(list)
    currencies: dict[tuple[str, str], set[str]] = defaultdict(set)
    currency = df["currency"].astype(object) if rel == "PAID" else pd.Series([None] * len(df), dtype=object)
    pairs = list(zip(events["source"], events["target"], strict=True))
    for pair, ss, rs, c in zip(pairs, events["sources"], events["record_ids"], currency, strict=True):
        sources[pair].update(ss)
        records[pair].extend(rs)
        if isinstance(c, str):
            currencies[pair].add(c)
    if rel == "PAID":
        out["currency"] = [" | ".join(sorted(currencies[p])) or None for p in out.index]
    out["sources"] = [sorted(sources[p]) for p in out.index]
    out["record_ids"] = [records[p] for p in out.index]
    out = out.reset_index()
    for col in ("date", "last_date"):
        out[col] = _plain(out[col])
    return out


def _plain(values: pd.Series) -> list[Any]:
    """Cells as plain Python values, missing ones as None (numpy and Arrow scalars are not XML or JSON values)."""
    out: list[Any] = []
    for v in values.astype(object):
        if v is None or (isinstance(v, float) and v != v) or v is pd.NA:
            out.append(None)
        elif isinstance(v, np.generic):
            out.append(v.item())
        else:
            out.append(v)
    return out


def _lists(values: pd.Series) -> list[list[str]]:
    return [
        [] if v is None or (isinstance(v, float) and v != v) else [str(x) for x in v] for v in values.astype(object)
    ]
