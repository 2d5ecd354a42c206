"""Reading back what a page holds: its node and edge data, as a browser would get them."""

from __future__ import annotations

import json
import re


def page_data(page: str) -> tuple[list[dict], list[dict]]:
    """The vis DataSets of a page: (nodes, edges)."""
    nodes = re.search(r"var nodes = new vis\.DataSet\((\[.*?\])\);\n", page, re.S)
    edges = re.search(r"var edges = new vis\.DataSet\((\[.*?\])\);</script>", page, re.S)
    assert nodes and edges, "no node or edge data in the page"
    return json.loads(nodes.group(1)), json.loads(edges.group(1))
