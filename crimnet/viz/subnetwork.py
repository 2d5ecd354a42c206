"""One call from a graph and the case's tables to a subnetwork's page, figures and timeline.

The entry points an analyst asks for: one person or entity to N hops, one
cluster, the path between two people, a cluster with its disruption points.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import igraph as ig
import pandas as pd

from crimnet.errors import check_interval, check_type
from crimnet.tables import CanonicalTables
from crimnet.viz.annotate import annotate
from crimnet.viz.figures import subnetwork_figures
from crimnet.viz.pages import subnetwork_html
from crimnet.viz.subgraphs import cluster_subgraph, path_subgraph
from crimnet.viz.timeline import cluster_timeline, timeline_figures, timeline_html

__all__ = ["SubnetworkFiles", "write_subnetwork"]


@dataclass
class SubnetworkFiles:
    """What :func:`write_subnetwork` wrote, and what it drew.

    Attributes
    ----------
    html : Path
        The interactive page.
    graph : igraph.Graph
        The annotated subgraph (names, roles, risk, cut points, source records).
    drawn : bool
        False when the subgraph had more than ``max_nodes`` and the page only says so.
    png, svg : Path or None
        The static figure (None when not drawn or not asked for).
    timeline : DataFrame or None
        The dated records between its nodes (:func:`crimnet.viz.timeline.cluster_timeline`); None without tables.
    timeline_png, timeline_svg : Path or None
        The timeline figure (None when there is no dated record).
    members : DataFrame
        The people of `members` as drawn: node_id, name, role ('' for none), risk, cut_rank (0 for
        none); cut points first by rank, then by risk, highest first.
    """

    html: Path
    graph: ig.Graph
    drawn: bool
    png: Path | None = None
    svg: Path | None = None
    timeline: pd.DataFrame | None = None
    timeline_png: Path | None = None
    timeline_svg: Path | None = None
    members: pd.DataFrame = field(default_factory=pd.DataFrame)


def write_subnetwork(
    graph: ig.Graph,
    path: str | Path,
    *,
    members: Sequence[str],
    tables: CanonicalTables | None = None,
    hops: int = 1,
    between: bool = False,
    roles: Mapping[str, str] | None = None,
    risk: Mapping[str, float] | None = None,
    cuts: Sequence[str] = (),
    title: str = "crimnet subnetwork",
    max_nodes: int = 500,
    seed: int = 0,
    figures: bool = True,
) -> SubnetworkFiles:
    """Write the page (and figures, timeline) of the subnetwork around or between `members`.

    Parameters
    ----------
    graph : igraph.Graph
        The case's :func:`crimnet.graphs.views.hetero_graph`.
    path : str or Path
        The page; figures go beside it (``<stem>.png``, ``.svg``, ``<stem>-timeline.png``, ``.svg``).
    members : sequence of str
        Vertex names: one person or entity, a cluster's people, or the people to join.
    tables : CanonicalTables, optional
        Names, properties, source records and the timeline come from them.
    hops : int, default 1
        Neighbourhood radius around `members` (around the paths when `between`), 0 to 4.
    between : bool, default False
        Draw the shortest paths joining `members` in turn instead of their neighbourhood.
    roles, risk, cuts
        As for :func:`crimnet.viz.annotate.annotate` (keyed by vertex name).
    title : str
        Page title and heading.
    max_nodes : int, default 500
        Largest subnetwork drawn; a larger one gets a page with its size and how to narrow it.
    seed : int, default 0
        Layout seed (page and figure share the layout).
    figures : bool, default True
        Also write the static figure and the timeline figure (PNG and SVG).

    Returns
    -------
    SubnetworkFiles
    """
    func = "write_subnetwork"
    check_type(graph, ig.Graph, param="graph", func=func, expected="an igraph.Graph")
    check_interval(hops, param="hops", func=func, low=0, high=4, closed="both", integer=True)
    check_interval(max_nodes, param="max_nodes", func=func, low=1, closed="left", integer=True)
    check_interval(seed, param="seed", func=func, low=0, closed="left", integer=True)
    names = list(members)
    if between:
        sub = path_subgraph(graph, names, hops=min(hops, 2))
    else:
        sub = cluster_subgraph(graph, names, hops=hops, max_nodes=max(graph.vcount(), 1))
    sub = annotate(sub, tables, roles=roles, risk=risk, cuts=cuts)
    page = Path(path)
    drawn = sub.vcount() <= max_nodes
    png = svg = tl_png = tl_svg = None
    timeline = cluster_timeline(tables, sub.vs["name"]) if tables is not None and drawn else None
    if figures and drawn:
        png, svg = subnetwork_figures(sub, page.with_suffix(".png"), title=title, seed=seed)
        if timeline is not None and len(timeline):
            tl_png, tl_svg = timeline_figures(
                timeline, page.with_name(page.stem + "-timeline.png"), title=f"{title}: timeline"
            )
    section = timeline_html(timeline, png=tl_png) if timeline is not None else ""
    html = subnetwork_html(sub, page, title=title, max_nodes=max_nodes, seed=seed, timeline=section)
    people = [v for v in sub.vs if v["member"] and v["label"] == "Person"]
    listed = pd.DataFrame(
        {
            "node_id": [v["node_id"] for v in people],
            "name": [v["display"] for v in people],
            "role": [v["role"] for v in people],
            "risk": [v["risk"] for v in people],
            "cut_rank": [v["cut"] for v in people],
        }
    )
    listed = listed.sort_values(["cut_rank", "risk"], ascending=[True, False], key=_cut_first).reset_index(drop=True)
    return SubnetworkFiles(html, sub, drawn, png, svg, timeline, tl_png, tl_svg, listed)


def _cut_first(col: pd.Series) -> pd.Series:
    """Sort key: cut points first by rank (0, no cut, last); risk as it is."""
    return col.where(col > 0, 10**9) if col.name == "cut_rank" else col
