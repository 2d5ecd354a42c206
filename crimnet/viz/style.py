"""How each kind of node is drawn, shared by the pages, the static figures and the report legend."""

from __future__ import annotations

__all__ = ["LABEL_COLOURS", "VIS_SHAPES", "MPL_MARKERS", "ROLE_COLOURS", "CUT_COLOUR", "OTHER_COLOUR"]

LABEL_COLOURS: dict[str, str] = {
    "Person": "#4e79a7",
    "Phone": "#f28e2b",
    "Address": "#59a14f",
    "Account": "#e15759",
    "Business": "#b07aa1",
    "Vehicle": "#9c755f",
}
"""Colour of each node label, shared by the HTML and PNG renderings and the report legend."""

OTHER_COLOUR = "#bab0ac"
"""Colour of a node whose label has none in :data:`LABEL_COLOURS`."""

VIS_SHAPES: dict[str, str] = {
    "Person": "dot",
    "Phone": "triangle",
    "Address": "square",
    "Account": "diamond",
    "Business": "star",
    "Vehicle": "triangleDown",
}
"""vis-network shape of each node label in the interactive pages."""

MPL_MARKERS: dict[str, str] = {
    "Person": "o",
    "Phone": "^",
    "Address": "s",
    "Account": "D",
    "Business": "*",
    "Vehicle": "v",
}
"""matplotlib marker of each node label, the same shapes as :data:`VIS_SHAPES`."""

ROLE_COLOURS: dict[str, str] = {
    "controller": "#b10026",
    "recruiter": "#e6550d",
    "facilitator": "#8c6d31",
    "victim": "#6a51a3",
}
"""Border (page) and ring (figure) colour of a person with an inferred role; other people have none."""

CUT_COLOUR = "#000000"
"""Border of a disruption point (a cut point): thick, black, with a scissors mark and its rank in the label."""
