"""Pictures of subnetworks: interactive offline HTML pages, static figures (PNG, SVG) and timelines.

Everything takes a plain :class:`igraph.Graph` as built by :mod:`crimnet.graphs.views`
(vertex attributes ``name`` ``'<Label>:<id>'``, ``label``, ``node_id``; edge
attributes ``type`` and ``weight``), best annotated from the case's tables by
:func:`annotate` (names, roles, risk, cut points, source records). Pages embed
vis-network inline and carry no reference to any remote resource, so they open
on an air-gapped machine.

Modules: :mod:`~crimnet.viz.subgraphs` (what to draw), :mod:`~crimnet.viz.annotate`
(names and provenance), :mod:`~crimnet.viz.pages` (HTML), :mod:`~crimnet.viz.figures`
(PNG/SVG), :mod:`~crimnet.viz.timeline` (dated records), :mod:`~crimnet.viz.subnetwork`
(all of it in one call), :mod:`~crimnet.viz.style` (colours and shapes).
"""

from __future__ import annotations

from crimnet.viz.annotate import annotate, display_names, relationship_rows
from crimnet.viz.figures import score_histogram, subnetwork_figures, subnetwork_png
from crimnet.viz.pages import NARROW_HINT, subnetwork_html
from crimnet.viz.style import LABEL_COLOURS, ROLE_COLOURS
from crimnet.viz.subgraphs import cluster_subgraph, path_subgraph, seeded_layout
from crimnet.viz.subnetwork import SubnetworkFiles, write_subnetwork
from crimnet.viz.timeline import TIMELINE_KINDS, cluster_timeline, timeline_figures, timeline_html

__all__ = [
    "LABEL_COLOURS", "ROLE_COLOURS", "NARROW_HINT", "TIMELINE_KINDS", "SubnetworkFiles", "annotate",
    "cluster_subgraph", "cluster_timeline", "display_names", "path_subgraph", "relationship_rows",
    "score_histogram", "seeded_layout", "subnetwork_figures", "subnetwork_html", "subnetwork_png",
    "timeline_figures", "timeline_html", "write_subnetwork",
]  # fmt: skip
