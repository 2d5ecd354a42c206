import re

import igraph as ig
import pytest

from crimnet.errors import ParameterError
from crimnet.viz import cluster_subgraph, subnetwork_html, subnetwork_png


@pytest.fixture
def small():
    g = ig.Graph([(0, 1), (0, 2), (1, 2), (2, 3), (3, 4)])
    g.vs["name"] = ["Person:a", "Person:b", "Phone:+447700900001", "Address:LS1 1AA|1 high street", "Person:c"]
    g.vs["label"] = ["Person", "Person", "Phone", "Address", "Person"]
    g.es["type"] = ["KNOWS", "USES_PHONE", "USES_PHONE", "LIVES_AT", "LIVES_AT"]
    g.es["weight"] = [1.0] * 5
    return g


def test_cluster_subgraph_takes_members_and_their_neighbours(small):
    sub = cluster_subgraph(small, ["Person:a"], hops=1)
    assert sorted(sub.vs["name"]) == ["Person:a", "Person:b", "Phone:+447700900001"]
    assert sub.vs.find(name="Person:a")["member"] and not sub.vs.find(name="Person:b")["member"]
    assert cluster_subgraph(small, ["Person:a"], hops=2).vcount() == 4
    assert cluster_subgraph(small, ["Person:a"], hops=3, max_nodes=2).vcount() == 2


def test_cluster_subgraph_checks_hops(small):
    with pytest.raises(ParameterError, match="The 'hops' parameter of cluster_subgraph must be an int in"):
        cluster_subgraph(small, ["Person:a"], hops=9)


def test_html_is_self_contained_and_offline(small, tmp_path):
    page = subnetwork_html(small, tmp_path / "net.html", notes={"Person:a": "controller"}).read_text()
    assert "vis.Network" in page or "new vis" in page  # the library is inlined
    # no resource is fetched from a network: no src/href pointing outside the file
    assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", page, re.I)
    assert page.count('"label"') >= small.vcount() and "controller" in page


def test_png_is_written(small, tmp_path):
    out = subnetwork_png(small, tmp_path / "net.png", title="ring 1")
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and out.stat().st_size > 5000
