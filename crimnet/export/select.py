"""Which part of a case to export or draw: all of it, a cluster, a person or entity to N hops, or a path.

Subnetworks are chosen on the heterogeneous graph (:func:`crimnet.graphs.views.hetero_graph`), so a
subnetwork has the nodes and edges the detection and disruption stages see; the whole case is every
node table, postcodes included.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

import igraph as ig

from crimnet.errors import CrimnetError, check_interval, check_type
from crimnet.export.case import ExportCase
from crimnet.graphs.views import hetero_graph
from crimnet.schema import NODE_LABELS

__all__ = ["Selection", "select_subnetwork", "find_node", "display_name", "MAX_HOPS"]

MAX_HOPS = 4
"""Widest neighbourhood asked for: at 4 hops through a shared address most of a town is in reach."""


@dataclass
class Selection:
    """The nodes chosen for an export or a page.

    Attributes
    ----------
    keys : list of str or None
        Node keys ``'<Label>:<id>'`` (as :mod:`crimnet.graphs.views` names vertices); None for the whole case.
    seeds : list of str
        The nodes asked for: a cluster's members, the person or entity, the nodes on the paths.
    title : str
        What the selection is, in words, with names rather than ids.
    graph : igraph.Graph or None
        The heterogeneous graph it was chosen on (None for the whole case), for pages that draw it.
    """

    keys: list[str] | None
    seeds: list[str] = field(default_factory=list)
    title: str = ""
    graph: ig.Graph | None = None


def display_name(text: str) -> str:
    """A normalised name as a person writes it: alphabetic words capitalised, tokens and numbers kept.

    Pseudonymised names (``name_<hex>`` tokens) and postcodes are left as they are.

    >>> display_name("ana maria pop"), display_name("9 rowan grove flat 6"), display_name("name_0a1b o'neill")
    ('Ana Maria Pop', '9 Rowan Grove Flat 6', "name_0a1b O'neill")
    """
    check_type(text, str, param="text", func="display_name", expected="a str")
    words = text.split()
    return " ".join(w.capitalize() if w.replace("'", "").replace("-", "").isalpha() else w for w in words)


def find_node(case: ExportCase, node: str, *, param: str = "person") -> str:
    """The key (``'<Label>:<id>'``) of the node `node` names: a key, a person's id, or a person's full name.

    Parameters
    ----------
    case : ExportCase
        The case to look in.
    node : str
        ``'<Label>:<id>'`` for any node (``'Phone:+447700900123'``), a Person id, or a person's full name
        (case and spacing ignored).
    param : str, default 'person'
        The parameter that gave `node`, named when it is not a str.

    Returns
    -------
    str

    Raises
    ------
    crimnet.errors.CrimnetError
        No node has that key, id or name (the message names `node` and suggests close names), or several
        people have that name (the message lists their ids).
    """
    check_type(case, ExportCase, param="case", func="find_node", expected="an ExportCase")
    check_type(node, str, param=param, func="find_node", expected="a str")
    text = node
    people = case.tables.nodes["Person"]
    label, _, node_id = text.partition(":")
    if label in NODE_LABELS and node_id and (case.tables.nodes[label]["id"].astype(str) == node_id).any():
        return text
    if (people["id"].astype(str) == text).any():
        return f"Person:{text}"
    names = people["name"].fillna("").astype(str).str.lower().str.split().str.join(" ")
    wanted = " ".join(text.lower().split())
    hits = people.loc[(names == wanted).to_numpy(), "id"].astype(str).tolist()
    if len(hits) == 1:
        return f"Person:{hits[0]}"
    if hits:
        shown = ", ".join(hits[:10]) + (f" and {len(hits) - 10} more" if len(hits) > 10 else "")
        raise CrimnetError(f"{len(hits)} people are called {text!r} in {case.where}; give one's id: {shown}.")
    close = difflib.get_close_matches(wanted, sorted(set(names) - {""}), n=3, cutoff=0.8)
    hint = f" Did you mean {', '.join(repr(display_name(c)) for c in close)}?" if close else ""
    raise CrimnetError(
        f"no person or node {text!r} in {case.where}: give a person's id or full name, or '<Label>:<id>'.{hint}"
    )


def select_subnetwork(
    case: ExportCase,
    *,
    cluster: str | None = None,
    person: str | None = None,
    between: tuple[str, str] | None = None,
    hops: int = 1,
) -> Selection:
    """Choose the whole case, one cluster, one person or entity to `hops` hops, or the paths between two nodes.

    Parameters
    ----------
    case : ExportCase
        The case (:func:`crimnet.export.read_export_case`).
    cluster : str, optional
        A cluster id of the run: its members and what lies within `hops` of them.
    person : str, optional
        A person (id or full name) or any node (``'<Label>:<id>'``), and what lies within `hops` of it.
    between : pair of str, optional
        Two nodes named as for `person`: every shortest path between them, and what lies within `hops`
        of the paths.
    hops : int, default 1
        Neighbourhood radius around the cluster, the person or the paths, in [0, :data:`MAX_HOPS`].

    Returns
    -------
    Selection

    Raises
    ------
    crimnet.errors.CrimnetError
        More than one of `cluster`, `person` and `between` given; the case holds no clusters (not read
        from a run), or none with id `cluster` (the message names it); a node not found (:func:`find_node`);
        no path between the two nodes of `between`.

    Notes
    -----
    Builds the heterogeneous graph of the case: O(n + m) in its nodes and relationship rows.
    """
    func = "select_subnetwork"
    check_type(case, ExportCase, param="case", func=func, expected="an ExportCase")
    check_interval(hops, param="hops", func=func, low=0, high=MAX_HOPS, closed="both", integer=True)
    asked = [name for name, value in (("cluster", cluster), ("person", person), ("between", between)) if value]
    if len(asked) > 1:
        given = " and ".join(f"{a}= (--{a})" for a in asked)
        raise CrimnetError(f"give one of cluster= (--cluster), person= (--person) or between= (--between), not {given}")
    if not asked:
        return Selection(None, title=f"{case.where}: the whole case")
    graph = hetero_graph(case.tables)
    index = {name: i for i, name in enumerate(graph.vs["name"])}
    if cluster is not None:
        row = _cluster_row(case, str(cluster))
        seeds = [f"Person:{m}" for m in row["members"]]
        title = f"Cluster {cluster} (score {row['score']:.2f}, {row['size']} people)"
    elif person is not None:
        seeds = [find_node(case, person)]
        title = _name_of(case, seeds[0])
    else:
        assert between is not None
        ends = [find_node(case, between[0], param="between"), find_node(case, between[1], param="between")]
        seeds, title = _paths(case, graph, index, ends)
    found = [index[s] for s in seeds if s in index]
    reach = {v for hood in graph.neighborhood(found, order=hops) for v in hood} if found else set()
    keys = [graph.vs[v]["name"] for v in sorted(reach)]
    suffix = "" if hops == 0 else f" and everything within {hops} hop{'s' if hops > 1 else ''}"
    return Selection(keys, seeds, title + suffix, graph)


def _cluster_row(case: ExportCase, cluster: str) -> dict[str, Any]:
    clusters = case.clusters
    if clusters is None:
        raise CrimnetError(
            f"{case.where} holds no clusters: cluster= (--cluster) needs a run folder (crimnet run-case or "
            "crimnet demo), or the store inside one."
        )
    hit = clusters[clusters["cluster_id"] == cluster]
    if hit.empty:
        top = ", ".join(clusters["cluster_id"].head(5))
        raise CrimnetError(
            f"cluster {cluster!r} is not one of the {len(clusters)} clusters of {case.where}; "
            f"the highest scored: {top}."
        )
    return dict(hit.iloc[0])


def _name_of(case: ExportCase, key: str) -> str:
    label, _, node_id = key.partition(":")
    if label in ("Person", "Business"):
        table = case.tables.nodes[label]
        names = table.loc[table["id"].astype(str) == node_id, "name"].dropna()
        if len(names):
            return f"{display_name(names.iloc[0])} ({label.lower()} {node_id})"
    return f"{label} {node_id}"


def _paths(case: ExportCase, graph: ig.Graph, index: dict[str, int], ends: list[str]) -> tuple[list[str], str]:
    """The nodes of every shortest path between the two `ends`, and what they are in words."""
    a, b = (index.get(e) for e in ends)
    names = [_name_of(case, e) for e in ends]
    paths = graph.get_all_shortest_paths(a, to=b) if a is not None and b is not None else []
    if not paths:
        raise CrimnetError(f"no path links {names[0]} and {names[1]} in {case.where}.")
    on_paths = [graph.vs[v]["name"] for v in sorted({v for p in paths for v in p})]
    many = f"{len(paths)} shortest paths" if len(paths) > 1 else "The shortest path"
    return on_paths, f"{many} ({len(paths[0]) - 1} hops) between {names[0]} and {names[1]}"
