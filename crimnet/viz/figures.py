"""Static figures for reports (PNG and SVG, matplotlib): a named subnetwork and a score distribution.

Figures read the vertex attributes :func:`crimnet.viz.annotate.annotate` adds
(``display``, ``role``, ``cut``, ``risk``) when present, and fall back to ids.
Robustness curves with the budget marked are drawn by
:meth:`crimnet.graphs.disrupt.compare.DisruptionResult.plot`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import igraph as ig
import numpy as np
import pandas as pd

from crimnet.errors import check_interval, check_type
from crimnet.viz.style import CUT_COLOUR, LABEL_COLOURS, MPL_MARKERS, OTHER_COLOUR, ROLE_COLOURS
from crimnet.viz.subgraphs import seeded_layout

__all__ = ["subnetwork_png", "subnetwork_figures", "score_histogram", "save_figure"]


def subnetwork_png(
    graph: ig.Graph, path: str | Path, *, title: str = "", seed: int = 0, dpi: int = 120, max_labels: int = 40
) -> Path:
    """Draw `graph` as a static figure for reports and return its path (PNG, or SVG when `path` ends in .svg).

    Nodes are coloured and shaped by label, sized by risk; people with an inferred role get a
    coloured ring and their role under their name; cut points a thick black ring and ``✂<rank>``.
    The layout is :func:`crimnet.viz.subgraphs.seeded_layout`: the same graph gives the same picture.

    Parameters
    ----------
    graph : igraph.Graph
        A subgraph, best :func:`crimnet.viz.annotate.annotate`-d (names, roles, cut points).
    path : str or Path
        Output file; the format follows its suffix.
    title : str
        Figure title.
    seed : int, default 0
        Layout seed.
    dpi : int, default 120
        Resolution of a PNG.
    max_labels : int, default 40
        Most nodes labelled by name: cut points, people with a role, members, then the most connected.

    Returns
    -------
    Path
    """
    return subnetwork_figures(graph, path, title=title, seed=seed, dpi=dpi, max_labels=max_labels, svg=False)[0]


def subnetwork_figures(
    graph: ig.Graph,
    path: str | Path,
    *,
    title: str = "",
    seed: int = 0,
    dpi: int = 120,
    max_labels: int = 40,
    svg: bool = True,
) -> tuple[Path, ...]:
    """Draw `graph` once and write it to `path` and, when `svg`, to the SVG beside it; return the paths.

    As :func:`subnetwork_png`, whose parameters these are.
    """
    check_type(graph, ig.Graph, param="graph", func="subnetwork_figures", expected="an igraph.Graph")
    check_interval(seed, param="seed", func="subnetwork_figures", low=0, closed="left", integer=True)
    check_interval(dpi, param="dpi", func="subnetwork_figures", low=1, closed="left", integer=True)
    check_interval(max_labels, param="max_labels", func="subnetwork_figures", low=0, closed="left", integer=True)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.collections import LineCollection
    from matplotlib.lines import Line2D

    n = graph.vcount()
    xy = seeded_layout(graph, seed=seed)
    attr = _attributes(graph)
    fig, ax = plt.subplots(figsize=(10, 10))
    ends = np.asarray(graph.get_edgelist(), dtype=int).reshape(-1, 2)
    ax.add_collection(LineCollection(xy[ends], colors="#aaaaaa", linewidths=0.6, zorder=1))  # one artist: fast
    size = _sizes(attr["risk"], attr["member"], attr["cut"])
    for lab in sorted(set(attr["label"])):
        idx = [i for i in range(n) if attr["label"][i] == lab]
        edge = [_ring(attr, i) for i in idx]
        ax.scatter(
            xy[idx, 0], xy[idx, 1], s=size[idx], c=LABEL_COLOURS.get(lab, OTHER_COLOUR),
            marker=MPL_MARKERS.get(lab, "o"), edgecolors=[c for c, _ in edge],
            linewidths=[w for _, w in edge], zorder=2,
        )  # fmt: skip
    for i in _labelled(graph, attr, max_labels):
        text = attr["display"][i] + (f"\n({attr['role'][i]})" if attr["role"][i] else "")
        if attr["cut"][i]:
            text = f"✂{attr['cut'][i]} {text}"
        ax.annotate(
            text, xy[i], xytext=(0, -10), textcoords="offset points", ha="center", va="top", fontsize=8,
            fontweight="bold" if attr["cut"][i] or attr["role"][i] else "normal", zorder=3,
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.7},
        )  # fmt: skip
    handles = [
        Line2D([], [], ls="", marker=MPL_MARKERS.get(lab, "o"), color=LABEL_COLOURS.get(lab, OTHER_COLOUR), ms=9,
               label=lab)
        for lab in sorted(set(attr["label"]))
    ]  # fmt: skip
    handles += [
        Line2D([], [], ls="", marker="o", mfc="white", mec=ROLE_COLOURS[r], mew=2.5, ms=9, label=f"role: {r}")
        for r in ROLE_COLOURS
        if r in attr["role"]
    ]
    if any(attr["cut"]):
        handles.append(Line2D([], [], ls="", marker="o", mfc="white", mec=CUT_COLOUR, mew=4, ms=10,
                              label="✂ cut point (rank)"))  # fmt: skip
    if np.isfinite(attr["risk"]).any():
        handles.append(Line2D([], [], ls="", marker="", label="size: risk score"))
    if n:
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=9, frameon=False)
    ax.set_axis_off()
    ax.margins(0.08)
    if title:
        ax.set_title(title)
    out = Path(path)
    paths = [out] + ([out.with_suffix(".svg")] if svg and out.suffix.lower() != ".svg" else [])
    save_figure(fig, paths, dpi=dpi)
    return tuple(paths)


def save_figure(fig: Any, paths: Sequence[str | Path], *, dpi: int = 150) -> None:
    """Save a matplotlib figure to each path (the format from its suffix), trimmed to what it draws, then close it.

    The trimmed box is measured once, not once per file as ``bbox_inches='tight'`` does (a full draw each):
    a page's figures are drawn one time fewer per format. SVG text stays text (names can be searched and
    copied), and a fixed hash salt makes the same figure the same file.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure; closed afterwards.
    paths : sequence of str or Path
        Files to write (``.png``, ``.svg``...); their folders are created.
    dpi : int, default 150
        Resolution of raster formats.
    """
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    check_type(fig, Figure, param="fig", func="save_figure", expected="a matplotlib Figure")
    check_type(paths, (list, tuple), param="paths", func="save_figure", expected="a list of paths")
    # what savefig(bbox_inches='tight') measures, with its default padding
    box = fig.get_tightbbox(fig.canvas.get_renderer()).padded(plt.rcParams["savefig.pad_inches"])
    with plt.rc_context({"svg.fonttype": "none", "svg.hashsalt": "crimnet"}):
        for p in paths:
            Path(p).parent.mkdir(parents=True, exist_ok=True)
            fig.savefig(p, dpi=dpi, bbox_inches=box)
    plt.close(fig)


def score_histogram(
    scores: pd.Series | Sequence[float],
    path: str | Path,
    *,
    marked: Mapping[str, float] | None = None,
    bins: int = 30,
    title: str = "Risk scores",
    xlabel: str = "score",
) -> Path:
    """Draw the distribution of `scores` (PNG, or SVG by suffix) with named values marked; return the path.

    Parameters
    ----------
    scores : Series or sequence of float
        Scores of every node or cluster.
    path : str or Path
        Output file.
    marked : mapping of str to float, optional
        Values drawn as labelled vertical lines (the reported clusters, a threshold).
    bins : int, default 30
        Number of bins, at least 1.
    title, xlabel : str
        Figure title and x-axis label.
    """
    check_type(scores, (pd.Series, list, tuple, np.ndarray), param="scores", func="score_histogram",
               expected="a Series or a sequence of numbers")  # fmt: skip
    check_interval(bins, param="bins", func="score_histogram", low=1, closed="left", integer=True)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    values = pd.to_numeric(pd.Series(list(scores)), errors="coerce").dropna().to_numpy(dtype=float)
    fig, ax = plt.subplots(figsize=(7, 3.5))
    ax.hist(values, bins=bins, color=LABEL_COLOURS["Person"], alpha=0.8)
    for i, (name, value) in enumerate(sorted((marked or {}).items(), key=lambda kv: kv[1])):
        ax.axvline(value, color="#b10026", lw=1, ls="--")
        ax.annotate(name, (value, 1 - 0.08 * (i % 6)), xycoords=("data", "axes fraction"), fontsize=8,
                    rotation=0, ha="left", va="top", color="#b10026")  # fmt: skip
    ax.set(xlabel=xlabel, ylabel="count", title=f"{title} (n = {len(values)})")
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=150, bbox_inches="tight")
    plt.close(fig)
    return out


def _attributes(graph: ig.Graph) -> dict[str, Any]:
    """The drawn attributes of every vertex, with defaults for a graph :func:`annotate` has not seen."""
    n, have = graph.vcount(), set(graph.vs.attributes())
    names = graph.vs["name"] if "name" in have else [str(i) for i in range(n)]
    return {
        "label": graph.vs["label"] if "label" in have else ["Person"] * n,
        "display": graph.vs["display"] if "display" in have else graph.vs["node_id"] if "node_id" in have else names,
        "role": graph.vs["role"] if "role" in have else [""] * n,
        "cut": graph.vs["cut"] if "cut" in have else [0] * n,
        "risk": np.asarray(graph.vs["risk"] if "risk" in have else [math.nan] * n, dtype=float),
        "member": graph.vs["member"] if "member" in have else [False] * n,
    }


def _sizes(risk: np.ndarray, member: Sequence[bool], cut: Sequence[int]) -> np.ndarray:
    """Marker areas: 40 to 400 by risk where known (scaled to the highest), else 160 for members, 40 for others.

    A cut point is at least 160, so that its fill still shows inside its thick ring.
    """
    base = np.where(np.asarray(member, dtype=bool), 160.0, 40.0) if len(risk) else np.zeros(0)
    known = ~np.isnan(risk)
    if known.any():
        top = max(float(risk[known].max()), 1e-9)
        base[known] = 40 + 360 * np.clip(risk[known] / top, 0, 1)
    return np.where(np.asarray(cut, dtype=int) > 0, np.maximum(base, 160.0), base) if len(base) else base


def _ring(attr: dict[str, Any], i: int) -> tuple[str, float]:
    if attr["cut"][i]:
        return CUT_COLOUR, 3.5
    if attr["role"][i] in ROLE_COLOURS:
        return ROLE_COLOURS[attr["role"][i]], 2.5
    return "white", 0.5


def _labelled(graph: ig.Graph, attr: dict[str, Any], max_labels: int) -> list[int]:
    degree = graph.degree()
    order = sorted(
        range(graph.vcount()),
        key=lambda i: (not attr["cut"][i], not attr["role"][i], not attr["member"][i], -degree[i], i),
    )
    return order[:max_labels]
