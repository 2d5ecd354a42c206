"""An interactive page of part of a case: a cluster with its cut points, a person or entity to N hops, a path.

The drawing is :func:`crimnet.viz.write_subnetwork`'s; this module picks what to draw from a case
(:mod:`crimnet.export.select`) and brings the run's roles, risk scores and, for a cluster, its
disruption points, ranked as the run ranked them (same strategy, costs and seed).
"""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import igraph as ig

from crimnet.errors import CrimnetError, check_interval, check_type
from crimnet.export.case import RUN_MARKER, ExportCase, read_export_case, read_run_clusters
from crimnet.export.select import select_subnetwork
from crimnet.tables import read_case

if TYPE_CHECKING:
    from crimnet.viz import SubnetworkFiles

__all__ = ["write_page", "run_report", "RunReport", "PAGE_MAX_NODES", "CUTS_PER_CLUSTER"]

PAGE_MAX_NODES = 500
"""Largest subnetwork a page draws; a larger one gets a page with its size and how to narrow it."""
CUTS_PER_CLUSTER = 10
"""Disruption points ranked for a cluster's page, as the run report ranks them."""


def write_page(
    case: ExportCase,
    path: str | os.PathLike[str],
    *,
    cluster: str | None = None,
    person: str | None = None,
    between: tuple[str, str] | None = None,
    hops: int = 1,
    max_nodes: int = PAGE_MAX_NODES,
    figures: bool = False,
) -> SubnetworkFiles:
    """Write the interactive page of one cluster, one person or entity to `hops` hops, or a path.

    Parameters
    ----------
    case : ExportCase
        The case (:func:`crimnet.export.read_export_case`); from a run it brings roles, risk and the run's seed.
    path : str or path
        The page (``.html``); figures, when asked for, go beside it.
    cluster, person, between, hops
        What to draw, as for :func:`crimnet.export.select_subnetwork` (the same nodes an export of them
        holds); exactly one of the three. A cluster is drawn with its disruption points ranked
        (:data:`CUTS_PER_CLUSTER`), a path with the nodes on it marked.
    max_nodes : int, default PAGE_MAX_NODES
        Largest subnetwork drawn; a larger one gets a page with its node count and how to narrow it.
    figures : bool, default False
        Also write the static figure and the timeline (PNG and SVG) beside the page.

    Returns
    -------
    crimnet.viz.SubnetworkFiles
        What was written and drawn (``drawn`` False when the subnetwork was over `max_nodes`).

    Raises
    ------
    crimnet.errors.CrimnetError
        None or several of `cluster`, `person` and `between` given; and as for
        :func:`crimnet.export.select_subnetwork`.
    """
    from crimnet.viz import write_subnetwork  # matplotlib and the page templates: only when a page is drawn

    func = "write_page"
    check_type(case, ExportCase, param="case", func=func, expected="an ExportCase")
    check_type(path, (str, os.PathLike), param="path", func=func, expected="a path")
    check_interval(max_nodes, param="max_nodes", func=func, low=1, closed="left", integer=True)
    if not (cluster or person or between):
        raise CrimnetError(
            "give what to draw: cluster= (--cluster), person= (--person) or between= (--between); "
            "a whole case is too large for a page (export it instead)"
        )
    selection = select_subnetwork(case, cluster=cluster, person=person, between=between, hops=hops)
    graph = selection.graph
    assert graph is not None  # a cluster, a person or a path is chosen on the graph
    cuts: list[str] = []
    if cluster is not None:
        cuts = _cluster_cuts(case, graph, str(cluster), selection.seeds)
    return write_subnetwork(
        graph, Path(path), members=selection.seeds, tables=case.tables, hops=hops,
        roles={f"Person:{k}": v for k, v in (case.roles or {}).items()},
        risk={f"Person:{k}": v for k, v in (case.risk or {}).items()}, cuts=cuts, title=selection.title,
        max_nodes=max_nodes, seed=case.seed, figures=figures,
    )  # fmt: skip


def _cluster_cuts(case: ExportCase, graph: ig.Graph, cluster: str, members: list[str]) -> list[str]:
    """The cluster's disruption points, best first, as the run's report ranks them."""
    import pandas as pd

    from crimnet.graphs.disrupt import DEFAULT_COSTS, cluster_disruption_points

    one = pd.DataFrame({"cluster_id": [cluster], "members": [members], "score": [1.0]})
    points = cluster_disruption_points(
        graph, one, top=1, per_cluster=CUTS_PER_CLUSTER, costs=DEFAULT_COSTS, seed=case.seed
    )
    return points.sort_values("rank")["node_id"].astype(str).tolist()


@dataclass
class RunReport:
    """Where a run's report and cluster pages are, and which pages were drawn again.

    Attributes
    ----------
    run : Path
        The run folder.
    report : Path
        Its ``report.html`` (see `exists`).
    exists : bool
        Whether the report is there (a run stopped before its report stage has none).
    written : datetime.datetime or None
        When the report was last written (UTC), None when it is not there.
    case : str or None
        The case of the run's tables (``ingest/tables/case.json``).
    pages : dict of str to Path
        Cluster id -> its interactive page (``clusters/<id>.html``), highest score first.
    redrawn : list of Path
        The pages drawn again by :func:`run_report` with ``redraw=True``.
    """

    run: Path
    report: Path
    exists: bool
    written: datetime.datetime | None = None
    case: str | None = None
    pages: dict[str, Path] = field(default_factory=dict)
    redrawn: list[Path] = field(default_factory=list)


def run_report(run: str | os.PathLike[str], *, redraw: bool = False) -> RunReport:
    """Say where the report and cluster pages of a run are; with `redraw`, draw its cluster pages again.

    The report itself is not re-rendered: the run keeps neither its timings, its watch matches, nor what
    the report computes at the end of a run (member lists, separations), so a new ``report.html`` would
    lack parts of the one written with the run. The cluster pages are made from what the run keeps (tables,
    clusters, roles, risk scores; cut points ranked again with the run's seed), so they can be redrawn
    with the current pages' features, each at its place, keeping the report's links.

    Parameters
    ----------
    run : str or path
        A run folder (``crimnet run-case`` or ``crimnet demo``).
    redraw : bool, default False
        Draw the page of every cluster that has one again (``clusters/<id>.html``).

    Returns
    -------
    RunReport

    Raises
    ------
    crimnet.errors.CrimnetError
        `run` is not a run folder (the message names it).
    """
    check_type(run, (str, os.PathLike), param="run", func="run_report", expected="a path")
    folder = Path(run)
    if not (folder / RUN_MARKER).is_file():
        raise CrimnetError(f"{folder}: not a run folder (no {RUN_MARKER}); give the --out of crimnet run-case or demo.")
    report = folder / "report.html"
    found = RunReport(folder, report, report.is_file(), case=read_case(folder / "ingest" / "tables"))
    if found.exists:
        found.written = datetime.datetime.fromtimestamp(report.stat().st_mtime, tz=datetime.UTC)
    on_disk = {p.stem: p for p in sorted((folder / "clusters").glob("*.html"))}
    clusters = read_run_clusters(folder)
    order = [] if clusters is None else list(clusters["cluster_id"])
    found.pages = {
        cid: on_disk[cid] for cid in [*(c for c in order if c in on_disk), *sorted(set(on_disk) - set(order))]
    }
    if redraw and found.pages:
        case = read_export_case(folder)
        for cid, page in found.pages.items():
            if cid in order:  # a page whose cluster the run no longer lists is left as it is
                write_page(case, page, cluster=cid)
                found.redrawn.append(page)
    return found
