"""Export a case, or part of it, for the tools analysts already use: Gephi, i2 Analyst's Notebook, web tools.

Three steps, each its own module: read a case (:mod:`crimnet.export.case`: a run folder, canonical
tables or a store), choose the nodes (:mod:`crimnet.export.select`: all, a cluster, a person or entity to
N hops, the paths between two nodes), name them and gather their links
(:mod:`crimnet.export.network`), then write them (:mod:`crimnet.export.formats`: GraphML, GEXF,
i2 CSV, JSON). :func:`export_network` does all three; docs/export.md says how to open each file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from crimnet.errors import check_choice, check_interval
from crimnet.export.case import ExportCase, read_export_case
from crimnet.export.formats import (
    EXPORT_FORMATS,
    I2_ENTITY_COLUMNS,
    I2_LINK_COLUMNS,
    LIST_JOIN,
    i2_tables,
    json_document,
    to_networkx,
    write_export,
    write_gexf,
    write_graphml,
    write_i2,
    write_json,
)
from crimnet.export.network import Subnetwork, build_subnetwork
from crimnet.export.pages import PAGE_MAX_NODES, RunReport, run_report, write_page
from crimnet.export.select import MAX_HOPS, Selection, display_name, find_node, select_subnetwork

__all__ = [
    "EXPORT_FORMATS",
    "ExportCase",
    "ExportResult",
    "I2_ENTITY_COLUMNS",
    "I2_LINK_COLUMNS",
    "LIST_JOIN",
    "MAX_HOPS",
    "PAGE_MAX_NODES",
    "RunReport",
    "Selection",
    "Subnetwork",
    "build_subnetwork",
    "display_name",
    "export_network",
    "find_node",
    "i2_tables",
    "json_document",
    "read_export_case",
    "run_report",
    "select_subnetwork",
    "to_networkx",
    "write_gexf",
    "write_graphml",
    "write_i2",
    "write_json",
    "write_page",
    "write_export",
]


@dataclass
class ExportResult:
    """What :func:`export_network` wrote.

    Attributes
    ----------
    paths : list of Path
        The files written (two for ``i2``, one otherwise).
    title : str
        What was exported, in words.
    nodes, links : int
        Numbers of nodes and links written.
    counts : dict of str to int
        Nodes per label.
    """

    paths: list[Path]
    title: str
    nodes: int
    links: int
    counts: dict[str, int] = field(default_factory=dict)


def export_network(
    source: str | os.PathLike[str] | None,
    out: str | os.PathLike[str],
    *,
    fmt: str = "graphml",
    store: str | None = None,
    cluster: str | None = None,
    person: str | None = None,
    between: tuple[str, str] | None = None,
    hops: int = 1,
    events: bool = False,
) -> ExportResult:
    """Export a case, one cluster, a person or entity to `hops` hops, or the paths between two nodes.

    Parameters
    ----------
    source : str or path, optional
        A run folder or a folder of canonical tables (:func:`read_export_case`); None to read `store`.
    out : str or path
        The file to write (``graphml``, ``gexf``, ``json``) or the folder (``i2``: ``entities.csv``, ``links.csv``).
    fmt : {'graphml', 'gexf', 'i2', 'json'}, default 'graphml'
        The format (:data:`EXPORT_FORMATS`).
    store : str, optional
        A store folder or Bolt URI, when `source` is None.
    cluster, person, between, hops
        The part to export, as for :func:`select_subnetwork`; none of the three: the whole case.
    events : bool, default False
        One link per payment, call and sighting instead of one per ordered pair (:func:`build_subnetwork`).

    Returns
    -------
    ExportResult

    Raises
    ------
    crimnet.errors.CrimnetError
        From :func:`read_export_case` (a source that is not there, named) and :func:`select_subnetwork`
        (a cluster or person not in the case, named).
    """
    check_choice(fmt, EXPORT_FORMATS, param="fmt", func="export_network")
    check_interval(hops, param="hops", func="export_network", low=0, high=MAX_HOPS, closed="both", integer=True)
    case = read_export_case(source, store=store)
    selection = select_subnetwork(case, cluster=cluster, person=person, between=between, hops=hops)
    sub = build_subnetwork(case, selection, events=events)
    paths = write_export(sub, out, fmt)
    counts = {str(k): int(v) for k, v in sub.nodes["type"].value_counts(sort=False).items()}
    return ExportResult(paths, sub.title, len(sub.nodes), len(sub.links), counts)
