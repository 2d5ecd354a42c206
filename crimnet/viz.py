"""Pictures of subnetworks: interactive offline HTML (pyvis) and static PNG (matplotlib).

Both take a plain :class:`igraph.Graph` as built by :mod:`crimnet.graphs.views`
(vertex attributes ``name`` ``'<Label>:<id>'``, ``label``, ``node_id``; edge
attributes ``type`` and ``weight``). The HTML embeds vis-network inline and
carries no reference to any remote resource, so it opens on an air-gapped
machine.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import igraph as ig

from crimnet.errors import check_interval, check_type

__all__ = ["LABEL_COLOURS", "cluster_subgraph", "subnetwork_html", "subnetwork_png"]

LABEL_COLOURS: dict[str, str] = {
    "Person": "#4e79a7",
    "Phone": "#f28e2b",
    "Address": "#59a14f",
    "Account": "#e15759",
    "Business": "#b07aa1",
    "Vehicle": "#9c755f",
}
"""Colour of each node label, shared by the HTML and PNG renderings and the report legend."""

_SHAPES = {
    "Person": "dot",
    "Phone": "triangle",
    "Address": "square",
    "Account": "diamond",
    "Business": "star",
    "Vehicle": "triangleDown",
}
# pyvis' template pulls Bootstrap from a CDN even with inline vis-network; those
# tags only style a loading bar, so they are removed for offline use.
_REMOTE_TAG = re.compile(r"<(link|script)\b[^>]*\b(?:href|src)=\"https?://[^\"]*\"[^>]*>(?:\s*</script>)?", re.I)


def cluster_subgraph(graph: ig.Graph, members: Iterable[str], *, hops: int = 1, max_nodes: int = 400) -> ig.Graph:
    """Return the subgraph induced by `members` and everything within `hops` of them.

    Parameters
    ----------
    graph : igraph.Graph
        A graph with a vertex attribute ``name`` (for example ``hetero_graph``).
    members : iterable of str
        Vertex names (``'<Label>:<id>'``) of the cluster.
    hops : int, default 1
        Neighbourhood radius; 1 adds the phones, addresses, accounts... the members touch.
    max_nodes : int, default 400
        Cap on the result; the nearest vertices (by hop, then degree) are kept.

    Returns
    -------
    igraph.Graph
        The induced subgraph, vertex attributes kept, with ``member`` (bool) added.

    Notes
    -----
    Time O(size of the neighbourhood).
    """
    check_type(graph, ig.Graph, param="graph", func="cluster_subgraph", expected="an igraph.Graph")
    check_interval(hops, param="hops", func="cluster_subgraph", low=0, high=4, closed="both", integer=True)
    check_interval(max_nodes, param="max_nodes", func="cluster_subgraph", low=1, closed="left", integer=True)
    index = {n: i for i, n in enumerate(graph.vs["name"])}
    seeds = [index[m] for m in members if m in index]
    hop: dict[int, int] = {v: 0 for v in seeds}
    frontier = seeds
    for h in range(1, hops + 1):
        nxt = {u for v in frontier for u in graph.neighbors(v)} - hop.keys()
        hop.update({u: h for u in nxt})
        frontier = list(nxt)
    degree = graph.degree()
    keep = sorted(hop, key=lambda v: (hop[v], -degree[v], v))[:max_nodes]
    sub = graph.induced_subgraph(sorted(keep))
    seed_names = {graph.vs[v]["name"] for v in seeds}
    sub.vs["member"] = [n in seed_names for n in sub.vs["name"]]
    return sub


def subnetwork_html(
    graph: ig.Graph,
    path: str | Path,
    *,
    title: str = "crimnet subnetwork",
    notes: Mapping[str, str] | None = None,
    height_px: int = 750,
) -> Path:
    """Write `graph` as a self-contained interactive HTML page and return its path.

    Parameters
    ----------
    graph : igraph.Graph
        Vertex attributes ``name`` and ``label`` (``member`` optional: members are drawn larger).
    path : str or Path
        Output file.
    title : str
        Page heading.
    notes : mapping of str to str, optional
        Extra tooltip text per vertex name (roles, scores).
    height_px : int, default 750
        Canvas height in pixels.

    Returns
    -------
    Path
        The written file. It references no remote resource: it works offline.
    """
    check_type(graph, ig.Graph, param="graph", func="subnetwork_html", expected="an igraph.Graph")
    check_interval(height_px, param="height_px", func="subnetwork_html", low=1, closed="left", integer=True)
    from pyvis.network import Network

    net = Network(
        height=f"{height_px}px",
        width="100%",
        heading=html.escape(title),
        cdn_resources="in_line",
        directed=graph.is_directed(),
    )
    notes = notes or {}
    members = graph.vs["member"] if "member" in graph.vs.attributes() else [False] * graph.vcount()
    for v, is_member in zip(graph.vs, members, strict=True):
        label = v["label"] if "label" in graph.vs.attributes() else "Person"
        tip = f"{v['name']}" + (f"\n{notes[v['name']]}" if v["name"] in notes else "")
        net.add_node(
            v.index,
            label=_short(v["name"]),
            title=tip,
            color=LABEL_COLOURS.get(label, "#bab0ac"),
            shape=_SHAPES.get(label, "dot"),
            size=22 if is_member else 12,
        )
    has_type = "type" in graph.es.attributes()
    for e in graph.es:
        net.add_edge(
            e.source,
            e.target,
            title=e["type"] if has_type else "",
            value=e["weight"] if "weight" in graph.es.attributes() else 1,
        )
    net.toggle_physics(graph.vcount() <= 300)
    page = _REMOTE_TAG.sub("", net.generate_html())
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    return out


def subnetwork_png(graph: ig.Graph, path: str | Path, *, title: str = "", seed: int = 0, dpi: int = 150) -> Path:
    """Draw `graph` as a static PNG for reports, coloured by node label, and return its path.

    The layout is Fruchterman-Reingold with a fixed `seed`, so the same graph
    gives the same picture.
    """
    check_type(graph, ig.Graph, param="graph", func="subnetwork_png", expected="an igraph.Graph")
    check_interval(seed, param="seed", func="subnetwork_png", low=0, closed="left", integer=True)
    check_interval(dpi, param="dpi", func="subnetwork_png", low=1, closed="left", integer=True)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    rng = np.random.default_rng(seed)
    start = rng.random((graph.vcount(), 2)).tolist()
    layout = (
        np.asarray(graph.layout_fruchterman_reingold(seed=start, niter=500).coords)
        if graph.vcount()
        else np.zeros((0, 2))
    )
    labels = graph.vs["label"] if "label" in graph.vs.attributes() else ["Person"] * graph.vcount()
    members = graph.vs["member"] if "member" in graph.vs.attributes() else [False] * graph.vcount()
    fig, ax = plt.subplots(figsize=(8, 8))
    for e in graph.es:
        (x0, y0), (x1, y1) = layout[e.source], layout[e.target]
        ax.plot([x0, x1], [y0, y1], color="#999999", lw=0.6, zorder=1)
    for lab in sorted(set(labels)):
        idx = [i for i, x in enumerate(labels) if x == lab]
        ax.scatter(
            layout[idx, 0],
            layout[idx, 1],
            s=[90 if members[i] else 30 for i in idx],
            c=LABEL_COLOURS.get(lab, "#bab0ac"),
            label=lab,
            zorder=2,
            edgecolors="white",
            linewidths=0.5,
        )
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    if graph.vcount():
        ax.legend(loc="best", fontsize=8, frameon=False)
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    return out


def _short(name: str, width: int = 24) -> str:
    return name if len(name) <= width else name[: width - 1] + "…"
