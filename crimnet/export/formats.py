"""Write a :class:`~crimnet.export.network.Subnetwork` for the tools analysts use.

* GraphML and GEXF (Gephi, yEd, Cytoscape), through networkx's writers: a directed multigraph whose
  node ids are the keys ``'<Label>:<id>'``, with a ``label`` (the name) and scalar attributes (lists
  joined with ``'; '``).
* i2 Analyst's Notebook: ``entities.csv`` (Entity Type, Identity, Label, attributes) and ``links.csv``
  (From Type, From Identity, To Type, To Identity, Link Type, Date, attributes), the layout its import
  specifications map column by column; formula cells neutralised (:func:`crimnet.frames.write_csv`).
* JSON for web tools (d3, vis-network, sigma.js): node-link ``{"nodes": [...], "links": [...]}``, lists kept.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from crimnet.errors import check_choice, check_type
from crimnet.export.network import NODE_COLUMNS, Subnetwork
from crimnet.frames import write_csv

__all__ = [
    "EXPORT_FORMATS",
    "LIST_JOIN",
    "I2_ENTITY_COLUMNS",
    "I2_LINK_COLUMNS",
    "to_networkx",
    "i2_tables",
    "json_document",
    "write_graphml",
    "write_gexf",
    "write_i2",
    "write_json",
    "write_export",
]

EXPORT_FORMATS: tuple[str, ...] = ("graphml", "gexf", "i2", "json")
"""The export formats: GraphML and GEXF (Gephi), i2 Analyst's Notebook CSV, node-link JSON."""
LIST_JOIN = "; "
"""Separator of a list's items (sources, record ids) where a format holds only scalars."""
I2_ENTITY_COLUMNS: tuple[str, ...] = ("Entity Type", "Identity", "Label")
"""The first columns of ``entities.csv``; the attributes follow."""
I2_LINK_COLUMNS: tuple[str, ...] = ("From Type", "From Identity", "To Type", "To Identity", "Link Type", "Date")
"""The first columns of ``links.csv``; the attributes follow (``From Label`` and ``To Label`` first)."""


def _scalar(value: Any) -> Any:
    return LIST_JOIN.join(str(v) for v in value) if isinstance(value, list | tuple) else value


def _scalars(values: pd.Series, index: pd.Index) -> pd.Series:
    """A column's cells as CSV scalars; whole numbers as text, so that a column of them with gaps stays whole.

    pandas makes a column of integers and missing values floats at the slightest step (``12845.0``),
    and an amount in pence or a count written so reads wrong.
    """
    cells = [str(v) if isinstance(v, int) and not isinstance(v, bool) else _scalar(v) for v in values]
    return pd.Series(cells, index=index, dtype=object)


def _attributes(row: Mapping[str, Any], skip: tuple[str, ...]) -> dict[str, Any]:
    """A row's attributes as scalars, the missing ones (None) left out: GraphML and GEXF declare a type per key."""
    return {k: _scalar(v) for k, v in row.items() if k not in skip and v is not None}


def to_networkx(sub: Subnetwork) -> Any:
    """Return `sub` as a :class:`networkx.MultiDiGraph` with scalar attributes.

    Nodes are keyed ``'<Label>:<id>'`` with ``label`` (the name), ``type``, ``identity`` and the
    properties; edges run source -> target, keyed by their type (``'<type>:<event id>'`` for one link per
    event), with ``label`` (the type),
    ``relationship`` (the type; GEXF reserves an edge's ``type`` for its direction), ``date`` and
    the rest. Lists are joined with :data:`LIST_JOIN`.
    """
    import networkx as nx

    check_type(sub, Subnetwork, param="sub", func="to_networkx", expected="a Subnetwork")
    graph = nx.MultiDiGraph(name=sub.title)
    for row in sub.nodes.to_dict("records"):
        graph.add_node(row["key"], **_attributes(row, ("key",)))
    for row in sub.links.to_dict("records"):
        attrs = _attributes(row, ("source", "target", "type"))
        key = f"{row['type']}:{row['event_id']}" if row.get("event_id") else row["type"]  # one edge per event
        graph.add_edge(row["source"], row["target"], key=key, label=row["type"], relationship=row["type"], **attrs)
    return graph


def _target(path: str | os.PathLike[str], func: str) -> Path:
    check_type(path, (str, os.PathLike), param="path", func=func, expected="a path")
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    return out


def write_graphml(sub: Subnetwork, path: str | os.PathLike[str]) -> Path:
    """Write `sub` as GraphML (:func:`to_networkx`, then :func:`networkx.write_graphml`) and return the path."""
    import networkx as nx

    check_type(sub, Subnetwork, param="sub", func="write_graphml", expected="a Subnetwork")
    out = _target(path, "write_graphml")
    nx.write_graphml(to_networkx(sub), out)
    return out


def write_gexf(sub: Subnetwork, path: str | os.PathLike[str]) -> Path:
    """Write `sub` as GEXF 1.2 (:func:`to_networkx`, then :func:`networkx.write_gexf`) and return the path."""
    import networkx as nx

    check_type(sub, Subnetwork, param="sub", func="write_gexf", expected="a Subnetwork")
    out = _target(path, "write_gexf")
    nx.write_gexf(to_networkx(sub), out)
    return out


def i2_tables(sub: Subnetwork) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the entity and link tables of `sub` in the layout of i2 Analyst's Notebook's import.

    Lists are joined with :data:`LIST_JOIN` and whole numbers written as text (``'12845'``).
    """
    check_type(sub, Subnetwork, param="sub", func="i2_tables", expected="a Subnetwork")
    nodes = sub.nodes
    entities = pd.DataFrame(
        {"Entity Type": nodes["type"], "Identity": nodes["identity"], "Label": nodes["label"]}, index=nodes.index
    )
    for col in nodes.columns[len(NODE_COLUMNS) :]:
        entities[col] = _scalars(nodes[col], entities.index)
    links = sub.links
    by_key = nodes.set_index("key")
    ends = {
        end: (by_key["type"].reindex(links[end]).to_numpy(), by_key["identity"].reindex(links[end]).to_numpy())
        for end in ("source", "target")
    }
    table = pd.DataFrame(
        {
            "From Type": ends["source"][0],
            "From Identity": ends["source"][1],
            "To Type": ends["target"][0],
            "To Identity": ends["target"][1],
            "Link Type": links["type"].to_numpy(),
            "Date": links["date"].to_numpy(),
            "From Label": by_key["label"].reindex(links["source"]).to_numpy(),
            "To Label": by_key["label"].reindex(links["target"]).to_numpy(),
        }
    )
    for col in links.columns:
        if col not in ("source", "target", "type", "date"):
            table[col] = _scalars(links[col], table.index)
    return entities.reset_index(drop=True), table


def write_i2(sub: Subnetwork, out: str | os.PathLike[str]) -> list[Path]:
    """Write ``entities.csv`` and ``links.csv`` of `sub` for i2 Analyst's Notebook into the folder `out`; return both.

    Cells a spreadsheet would run as formulas are neutralised (a leading apostrophe), as in every CSV
    crimnet writes (:func:`crimnet.frames.write_csv`); plain numbers (E.164 phones) are left as they are.
    """
    check_type(sub, Subnetwork, param="sub", func="write_i2", expected="a Subnetwork")
    check_type(out, (str, os.PathLike), param="out", func="write_i2", expected="a path")
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    entities, links = i2_tables(sub)
    paths = [folder / "entities.csv", folder / "links.csv"]
    write_csv(entities, paths[0])
    write_csv(links, paths[1])
    return paths


def json_document(sub: Subnetwork) -> dict[str, Any]:
    """Return `sub` as node-link JSON: ``{"title", "directed", "nodes": [...], "links": [...]}``.

    A node is ``{"id", "type", "identity", "label", "properties"}``; a link ``{"source", "target", "type",
    "date", "properties"}``. Missing values are left out of ``properties``; lists stay lists.
    """
    check_type(sub, Subnetwork, param="sub", func="json_document", expected="a Subnetwork")
    nodes = [
        {
            "id": row["key"],
            "type": row["type"],
            "identity": row["identity"],
            "label": row["label"],
            "properties": {k: v for k, v in row.items() if k not in NODE_COLUMNS and v is not None},
        }
        for row in sub.nodes.to_dict("records")
    ]
    links = [
        {
            "source": row["source"],
            "target": row["target"],
            "type": row["type"],
            "date": row["date"],
            "properties": {
                k: v for k, v in row.items() if k not in ("source", "target", "type", "date") and v is not None
            },
        }
        for row in sub.links.to_dict("records")
    ]
    return {"title": sub.title, "directed": True, "nodes": nodes, "links": links}


def write_json(sub: Subnetwork, path: str | os.PathLike[str]) -> Path:
    """Write `sub` as node-link JSON (:func:`json_document`, UTF-8) and return the path."""
    check_type(sub, Subnetwork, param="sub", func="write_json", expected="a Subnetwork")
    out = _target(path, "write_json")
    out.write_text(json.dumps(json_document(sub), ensure_ascii=False, indent=1, default=str) + "\n", encoding="utf-8")
    return out


def write_export(sub: Subnetwork, out: str | os.PathLike[str], fmt: str = "graphml") -> list[Path]:
    """Write `sub` in format `fmt` (one of :data:`EXPORT_FORMATS`) at `out`; return the files written.

    `out` is a file for ``graphml``, ``gexf`` and ``json``, and a folder for ``i2`` (two files); `fmt`
    defaults to ``graphml``.
    """
    check_type(sub, Subnetwork, param="sub", func="write_export", expected="a Subnetwork")
    check_choice(fmt, EXPORT_FORMATS, param="fmt", func="write_export")
    if fmt == "i2":
        return write_i2(sub, out)
    writer = {"graphml": write_graphml, "gexf": write_gexf, "json": write_json}[fmt]
    return [writer(sub, out)]
