"""Networks for disruption analysis: a researcher's edge list, or a case's canonical tables.

:func:`read_edgelist` reads an edge-list CSV (``source,target[,weight]``) and an
optional node file (``id,role[,group][,label]``) into an undirected igraph
graph. :func:`victim_controller_pairs` turns node roles into the
(victim, controller) pairs used by reachability. :func:`load_network` is what
``crimnet disrupt`` calls: an edge list, or canonical tables (the hetero graph
view) with the generator's ground truth.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import igraph as ig
import numpy as np
import pandas as pd

from crimnet.errors import SchemaError, check_type

__all__ = ["read_edgelist", "victim_controller_pairs"]

_ID_COLUMNS = ("id", "node", "node_id", "name")


def read_edgelist(edges: str | Path, *, nodes: str | Path | None = None) -> ig.Graph:
    """Read an edge-list CSV (and optional node attributes) into an undirected simple graph.

    Parameters
    ----------
    edges : str or Path
        CSV with a header; the first two columns (or ``source``/``target``)
        are node ids, read as strings. A numeric ``weight`` column is kept;
        other columns (e.g. a role in a bipartite person-crime file) are
        ignored. Directed files are read as undirected: dismantling is about
        whether two nodes are connected at all. Bipartite files give a graph
        with both kinds of node.
    nodes : str or Path, optional
        CSV listing nodes (also isolated ones): an id column (``id``,
        ``node``, ``node_id`` or ``name``, else the first column) and optional
        ``role`` (e.g. victim, controller), ``group`` (ring or cluster id) and
        ``label`` (node type, e.g. Person, Phone, for costs) columns.

    Returns
    -------
    igraph.Graph
        Undirected, no loops, one edge per node pair (weight: the largest of
        the parallel or reciprocal rows, default 1.0). Vertex attributes
        ``name`` (str id), and ``role``, ``group``, ``label`` (str or None).
        Vertex order: node file order, then first appearance in the edge list.

    Raises
    ------
    crimnet.errors.SchemaError
        If a file is missing or has fewer than two columns.

    Notes
    -----
    O((n + m) log m) with pandas.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "e.csv").write_text("source,target\\na,b\\nb,a\\nb,c\\nc,c\\n")
    >>> _ = (d / "n.csv").write_text("id,role,group\\na,controller,1\\nc,victim,1\\nz,victim,2\\n")
    >>> g = read_edgelist(d / "e.csv", nodes=d / "n.csv")
    >>> g.vs["name"], g.ecount(), g.vs["role"]
    (['a', 'c', 'z', 'b'], 2, ['controller', 'victim', 'victim', None])
    """
    check_type(edges, (str, os.PathLike), param="edges", func="read_edgelist", expected="a path (str or os.PathLike)")
    path = Path(edges)
    if not path.exists():
        raise SchemaError(f"{path}: no such edge-list file.")
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    if df.shape[1] < 2:
        raise SchemaError(f"{path}: an edge list needs two columns (source,target); got {list(df.columns)}.")
    scol, tcol = ("source", "target") if {"source", "target"} <= set(df.columns) else tuple(df.columns[:2])
    s = df[scol].str.strip()
    t = df[tcol].str.strip()
    w = pd.to_numeric(df["weight"], errors="coerce").fillna(1.0) if "weight" in df.columns else pd.Series(1.0, df.index)
    attrs = pd.DataFrame(columns=["id", "role", "group", "label"])
    if nodes is not None:
        npath = Path(nodes)
        if not npath.exists():
            raise SchemaError(f"{npath}: no such node file.")
        nd = pd.read_csv(npath, dtype=str, keep_default_na=False)
        idcol = next((c for c in _ID_COLUMNS if c in nd.columns), nd.columns[0])
        attrs = pd.DataFrame({"id": nd[idcol].str.strip()})
        for c in ("role", "group", "label"):
            vals = nd[c].str.strip() if c in nd.columns else pd.Series("", index=nd.index)
            attrs[c] = vals.where(vals != "", None)
        attrs = attrs.drop_duplicates("id")
    ids = pd.Index(pd.unique(pd.concat([attrs["id"], pd.Series(np.stack([s, t], 1).ravel())], ignore_index=True)))
    a = ids.get_indexer(s)
    b = ids.get_indexer(t)
    e = pd.DataFrame({"a": np.minimum(a, b), "b": np.maximum(a, b), "w": w.to_numpy(float)})
    e = e[e["a"] != e["b"]].groupby(["a", "b"], sort=True)["w"].max().reset_index()
    g = ig.Graph(n=len(ids), edges=e[["a", "b"]].to_numpy().tolist(), directed=False)
    g.vs["name"] = ids.astype(str).tolist()
    g.es["weight"] = e["w"].tolist()
    at = attrs.set_index("id").reindex(ids)
    for c in ("role", "group", "label"):
        g.vs[c] = [v if isinstance(v, str) else None for v in at[c].tolist()]
    g["source"] = str(path)
    return g


def victim_controller_pairs(
    graph: ig.Graph, *, victim_role: str = "victim", controller_role: str = "controller"
) -> tuple[list[Any], list[Any], list[tuple[Any, Any]]]:
    """Return (victims, controllers, pairs) from the ``role`` and ``group`` vertex attributes.

    A pair is a victim with each controller of the same ``group``; when no
    node has a group, every victim is paired with every controller.

    Parameters
    ----------
    graph : igraph.Graph
        With vertex attributes ``name`` and ``role`` (and optionally ``group``).
    victim_role, controller_role : str
        Role values (compared case-insensitively).

    Returns
    -------
    tuple
        victims (list of names), controllers (list of names), pairs (list of
        (victim, controller) name tuples). Empty lists without roles.

    Examples
    --------
    >>> g = ig.Graph(4); g.vs["name"] = list("abcd")
    >>> g.vs["role"] = ["victim", "controller", "victim", "controller"]; g.vs["group"] = ["1", "1", "2", "2"]
    >>> victim_controller_pairs(g)[2]
    [('a', 'b'), ('c', 'd')]
    """
    check_type(graph, ig.Graph, param="graph", func="victim_controller_pairs", expected="an igraph.Graph")
    if "role" not in graph.vertex_attributes():
        return [], [], []
    names = graph.vs["name"] if "name" in graph.vertex_attributes() else list(range(graph.vcount()))
    roles = [str(r).lower() if r is not None else "" for r in graph.vs["role"]]
    groups = graph.vs["group"] if "group" in graph.vertex_attributes() else [None] * graph.vcount()
    df = pd.DataFrame({"name": names, "role": roles, "group": groups})
    vic = df[df["role"] == victim_role.lower()]
    con = df[df["role"] == controller_role.lower()]
    if df["group"].notna().any():  # a node without a group is paired with nobody (pandas would match None to None)
        m = vic.dropna(subset=["group"]).merge(con.dropna(subset=["group"]), on="group", suffixes=("_v", "_c"))
    else:
        m = vic.merge(con, how="cross", suffixes=("_v", "_c"))
    pairs = list(zip(m["name_v"].tolist(), m["name_c"].tolist(), strict=True))
    return vic["name"].tolist(), con["name"].tolist(), pairs
