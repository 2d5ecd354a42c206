"""What the pictures say about each node and edge: names, properties, roles, risk, cut points and source records.

The graph views carry ids only; names, address lines and provenance live in the
canonical tables (:mod:`crimnet.schema`). :func:`annotate` joins them onto a
subgraph as vertex and edge attributes, which the pages and figures draw; it
shows whatever the tables hold (pseudonym tokens in a pseudonymised run).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import igraph as ig
import numpy as np
import pandas as pd

from crimnet.errors import check_type
from crimnet.schema import REL_TYPES
from crimnet.tables import CanonicalTables

__all__ = ["annotate", "display_names", "relationship_rows"]
# describe_row and VERBS are shared with crimnet.viz.timeline, not exported: their arguments are one row

_MAX_RECORDS = 50  # record ids kept per node or edge: a hub address can have thousands
_MAX_DETAILS = 20  # event lines kept per edge (payments, calls)
_LONG = 300  # characters of a property shown (the resolution trail can be long)


def display_names(tables: CanonicalTables, ids: Iterable[str]) -> dict[str, str]:
    """Return the name an analyst reads for each vertex name ``'<Label>:<id>'`` of `ids`.

    A person's and a business's ``name``, an address's ``'<line>, <postcode>'``, an account's id with
    its holders' names (``'<id> (<holder>, ...)'``), a phone's or vehicle's id; the id when the table has
    no such row or the name is empty.
    """
    check_type(tables, CanonicalTables, param="tables", func="display_names", expected="a CanonicalTables")
    wanted = _by_label(ids)
    names: dict[str, str] = {}
    holders = _holders(tables, wanted.get("Account", []))
    for label, node_ids in wanted.items():
        rows = _rows(tables.nodes.get(label), node_ids)
        for node_id in node_ids:
            row = rows.get(node_id, {})
            if label in ("Person", "Business") and _text(row.get("name")):
                shown = _text(row.get("name"))
            elif label == "Address" and _text(row.get("line")):
                shown = ", ".join(p for p in (_text(row.get("line")), _text(row.get("postcode"))) if p)
            elif label == "Account" and holders.get(node_id):
                shown = f"{node_id} ({holders[node_id]})"
            else:
                shown = node_id
            names[f"{label}:{node_id}"] = shown
    return names


def annotate(
    graph: ig.Graph,
    tables: CanonicalTables | None = None,
    *,
    roles: Mapping[str, str] | None = None,
    risk: Mapping[str, float] | None = None,
    cuts: Sequence[str] = (),
) -> ig.Graph:
    """Return a copy of `graph` with what the pages and figures show of each node and edge.

    Parameters
    ----------
    graph : igraph.Graph
        A subgraph of :func:`crimnet.graphs.views.hetero_graph` (vertex attributes ``name``, ``label``,
        ``node_id``; edge attribute ``type``).
    tables : CanonicalTables, optional
        The case's tables: names, properties and source records. Without them nodes show their ids.
    roles : mapping of str to str, optional
        Vertex name to inferred role (``'controller'``, ``'victim'``...); ``'other'`` is not shown.
    risk : mapping of str to float, optional
        Vertex name to risk score (higher is riskier); drawn as node size.
    cuts : sequence of str
        Disruption points, best first, as vertex names; drawn with a thick border and their rank.

    Returns
    -------
    igraph.Graph
        Vertex attributes added: ``display`` (str), ``props`` (dict of str to str), ``records`` and
        ``sources`` (lists of str), ``role`` (str, '' for none), ``risk`` (float, NaN when unknown),
        ``cut`` (int rank, 0 for none). Edge attributes added: ``records`` (list of str), ``details``
        (list of str: one line per record, dated), ``events`` (int: rows behind the edge).
    """
    check_type(graph, ig.Graph, param="graph", func="annotate", expected="an igraph.Graph")
    if tables is not None:
        check_type(tables, CanonicalTables, param="tables", func="annotate", expected="a CanonicalTables or None")
    g = graph.copy()
    names = list(g.vs["name"]) if g.vcount() else []
    labels = g.vs["label"] if "label" in g.vs.attributes() else [n.split(":", 1)[0] for n in names]
    node_ids = g.vs["node_id"] if "node_id" in g.vs.attributes() else [n.split(":", 1)[-1] for n in names]
    shown = display_names(tables, names) if tables is not None else {}
    rank = {name: i + 1 for i, name in enumerate(cuts)}
    roles, risk = roles or {}, risk or {}
    g.vs["display"] = [shown.get(n, nid) for n, nid in zip(names, node_ids, strict=True)]
    g.vs["role"] = [r if (r := str(roles.get(n, ""))) != "other" else "" for n in names]
    g.vs["risk"] = [float(risk[n]) if n in risk else math.nan for n in names]
    g.vs["cut"] = [rank.get(n, 0) for n in names]
    rows: dict[str, dict[str, dict[str, Any]]] = {}
    if tables is not None:
        for label, ids in _by_label(names).items():
            rows[label] = _rows(tables.nodes.get(label), ids)
    props, records, sources = [], [], []
    for label, nid in zip(labels, node_ids, strict=True):
        row = rows.get(label, {}).get(nid, {})
        props.append({k: _short(v) for k, v in row.items() if k not in ("id", "sources", "record_ids") and _text(v)})
        records.append(_strings(row.get("record_ids"))[:_MAX_RECORDS])
        sources.append(_strings(row.get("sources")))
    g.vs["props"], g.vs["records"], g.vs["sources"] = props, records, sources
    _annotate_edges(g, tables, labels, node_ids, g.vs["display"])
    return g


def describe_row(rel: str, row: Mapping[str, Any], src: str, dst: str) -> str:
    """Return one relationship row in words: ``'2025-02-17 ann lee's account paid 13.15 GBP to ... (BILLS)'``.

    `src` and `dst` are the names shown for its two ends; the date is the event's timestamp or
    the first date a source asserts the relationship.
    """
    check_type(rel, str, param="rel", func="describe_row", expected="a relationship type name")
    date = _text(row.get("ts")) or _text(row.get("first_seen"))
    if rel == "PAID":
        amount = row.get("amount")
        money = f" {float(str(amount)) / 100:,.2f} {_text(row.get('currency'))}".rstrip() if _text(amount) else ""
        ref = f" ({_text(row.get('reference'))})" if _text(row.get("reference")) else ""
        what = f"{src} paid{money} to {dst}{ref}"
    elif rel == "CALLED":
        secs = f" ({_text(row.get('duration_s'))} s)" if _text(row.get("duration_s")) else ""
        what = f"{src} called {dst}{secs}"
    else:
        what = f"{src} {VERBS.get(rel, rel.lower())} {dst}"
        if _text(row.get("last_seen")) and _text(row.get("last_seen")) != _text(row.get("first_seen")):
            what += f" (until {_text(row.get('last_seen'))})"
    return f"{date} {what}".strip()


VERBS: dict[str, str] = {
    "USES_PHONE": "uses phone",
    "LIVES_AT": "lives at",
    "HOLDS": "holds account",
    "WORKS_AT": "works at",
    "DIRECTS": "directs",
    "LOCATED_AT": "is at",
    "KEEPS": "keeps vehicle",
    "SEEN_AT": "seen at",
    "OWNS": "owns account",
    "LETS": "lets",
    "MANAGES": "manages",
    "ASSOCIATE_OF": "is named as an associate of",
}
"""How a relationship reads in words, by type (payments and calls have their own wording)."""


def relationship_rows(tables: CanonicalTables, ids: Iterable[str]) -> dict[str, pd.DataFrame]:
    """Return, per relationship type, the rows whose two ends are both among the vertex names `ids`."""
    check_type(tables, CanonicalTables, param="tables", func="relationship_rows", expected="a CanonicalTables")
    wanted = {label: set(v) for label, v in _by_label(ids).items()}
    found = {}
    for rel, spec in REL_TYPES.items():
        df = tables.rels[rel]
        if len(df) == 0 or spec.src not in wanted or spec.dst not in wanted:
            continue
        hit = df[df["src"].astype(str).isin(wanted[spec.src]) & df["dst"].astype(str).isin(wanted[spec.dst])]
        if len(hit):
            found[rel] = hit
    return found


def _annotate_edges(
    g: ig.Graph, tables: CanonicalTables | None, labels: list[str], node_ids: list[str], shown: list[str]
) -> None:
    records: list[list[str]] = [[] for _ in range(g.ecount())]
    details: list[list[str]] = [[] for _ in range(g.ecount())]
    events = [0] * g.ecount()
    if tables is not None and g.ecount():
        by_pair: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
        for rel, df in relationship_rows(tables, g.vs["name"]).items():
            spec = REL_TYPES[rel]
            for row in df.to_dict("records"):
                key = (rel, f"{spec.src}:{row['src']}", f"{spec.dst}:{row['dst']}")
                by_pair.setdefault(key, []).append(row)
        name = g.vs["name"]
        for e in g.es:
            rel = e["type"] if "type" in g.es.attributes() else ""
            u, v = e.source, e.target
            ends = [(u, v), (v, u)] if u != v else [(u, v)]
            for a, b in ends:
                for row in by_pair.get((rel, name[a], name[b]), []):
                    events[e.index] += 1
                    records[e.index] += _strings(row.get("record_ids"))
                    details[e.index].append(describe_row(rel, row, shown[a], shown[b]))
            records[e.index] = sorted(set(records[e.index]))[:_MAX_RECORDS]
            details[e.index] = sorted(details[e.index])[:_MAX_DETAILS]
    g.es["records"], g.es["details"], g.es["events"] = records, details, events


def _holders(tables: CanonicalTables, accounts: list[str]) -> dict[str, str]:
    """The names of the people (HOLDS) and businesses (OWNS) holding each account, sorted and joined."""
    found: dict[str, set[str]] = {}
    wanted = set(accounts)
    for rel, label in (("HOLDS", "Person"), ("OWNS", "Business")):
        df = tables.rels[rel]
        hit = df[df["dst"].astype(str).isin(wanted)] if len(df) and wanted else df.iloc[:0]
        if len(hit) == 0:
            continue
        rows = _rows(tables.nodes[label], hit["src"].astype(str).tolist())
        for src, dst in zip(hit["src"].astype(str), hit["dst"].astype(str), strict=True):
            name = _text(rows.get(src, {}).get("name")) or src
            found.setdefault(dst, set()).add(name)
    return {a: ", ".join(sorted(n)) for a, n in found.items()}


def _by_label(ids: Iterable[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name in ids:
        label, _, node_id = str(name).partition(":")
        out.setdefault(label, []).append(node_id)
    return out


def _rows(df: pd.DataFrame | None, node_ids: list[str]) -> dict[str, dict[str, Any]]:
    if df is None or len(df) == 0:
        return {}
    hit = df[df["id"].astype(str).isin(set(node_ids))]
    return {str(r["id"]): r for r in hit.to_dict("records")}


def _strings(value: Any) -> list[str]:
    if value is None or isinstance(value, float | str):
        return [value] if isinstance(value, str) and value else []
    return [str(v) for v in value]


def _text(value: Any) -> str:
    """`value` as text, '' for a missing one (None, NaN, NA); a list joined with commas."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list | tuple | np.ndarray):
        return ", ".join(str(v) for v in value)
    return "" if pd.isna(value) else str(value)


def _short(value: Any) -> str:
    text = _text(value)
    return text if len(text) <= _LONG else text[: _LONG - 1] + "…"
