from __future__ import annotations

import re
from html.parser import HTMLParser

import igraph as ig
import pytest

from crimnet.viz import LABEL_COLOURS, NARROW_HINT, annotate, cluster_subgraph, subnetwork_html
from tests.viz.helpers import page_data


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self._where: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._where.append(tag)

    def handle_endtag(self, tag):
        if self._where and self._where[-1] == tag:
            self._where.pop()

    def handle_data(self, data):
        if not self._where or self._where[-1] != "script":
            self.text.append(data)


def parse(page: str) -> Tags:
    t = Tags()
    t.feed(page)
    return t


@pytest.fixture(scope="module")
def annotated(tables, graph):
    sub = cluster_subgraph(graph, ["Person:p1", "Person:p2"], hops=1)
    return annotate(
        sub, tables, roles={"Person:p1": "controller", "Person:p2": "victim"}, risk={"Person:p1": 3.0},
        cuts=["Phone:+447700900001"],
    )  # fmt: skip


@pytest.fixture(scope="module")
def page(annotated, tmp_path_factory):
    path = tmp_path_factory.mktemp("page") / "c.html"
    return subnetwork_html(annotated, path, title="Cluster 7: ana pop", seed=1).read_text(encoding="utf-8")


def test_labels_are_names_with_roles_and_cut_points(page, annotated):
    nodes, edges = page_data(page)
    assert len(nodes) == annotated.vcount() == 6 and len(edges) == annotated.ecount()
    label = {n["id"]: n["label"] for n in nodes}
    assert label["Person:p1"] == "ana pop\n(controller)" and label["Person:p2"] == "ion popa\n(victim)"
    assert label["Phone:+447700900001"] == "✂1 +447700900001"
    assert label["Account:111111:00000001"] == "111111:00000001 (ana pop)"
    by_id = {n["id"]: n for n in nodes}
    assert by_id["Phone:+447700900001"]["borderWidth"] == 6  # the cut point's thick border
    assert by_id["Person:p1"]["size"] > by_id["Person:p2"]["size"]  # size by risk
    assert by_id["Person:p1"]["color"]["background"] == LABEL_COLOURS["Person"]
    assert {n["shape"] for n in nodes} == {"dot", "triangle", "square", "diamond"}
    # what the click panel shows: properties and the source records of the node and of its links
    assert by_id["Person:p2"]["records"] == ["police_intel:2", "payroll:7"]
    assert by_id["Person:p1"]["props"]["dob"] == "1990-01-02"
    paid = next(e for e in edges if e["rtype"] == "PAID")
    assert paid["records"] == ["bank_transactions:TX1", "bank_transactions:TX2"] and paid["count"] == 2
    assert "ana pop" in by_id["Person:p1"]["title"] and "Person:p1" not in by_id["Person:p1"]["title"]


def test_page_has_title_heading_legend_search_filters_and_hooks(page):
    t = parse(page)
    assert [a for tag, a in t.tags if tag == "title"] and page.count("<title>Cluster 7: ana pop</title>") == 1
    assert [tag for tag, _ in t.tags].count("h1") == 1
    main = next(a for tag, a in t.tags if a.get("id") == "crimnet-page")
    assert (main["data-node-count"], main["data-edge-count"], main["data-drawn"]) == ("6", "7", "true")
    ids = {a.get("id") for _, a in t.tags}
    assert {"crimnet-search", "crimnet-panel", "crimnet-legend", "crimnet-graph", "crimnet-fit"} <= ids
    filters = sorted(a["data-type"] for tag, a in t.tags if "crimnet-filter" in a.get("class", ""))
    assert filters == ["Account", "Address", "Person", "Phone"]
    legend = page[page.index("id='crimnet-legend'") :].split("</section>")[0]
    for word in ("Person", "Phone", "Address", "Account", "controller", "victim", "disruption point", "risk"):
        assert word in legend, word
    for hook in ("window.crimnetNetwork", "window.crimnetNodes", "window.crimnetSelect", "window.crimnetSearch",
                 "window.crimnetNodePosition", "window.crimnetReady"):  # fmt: skip
        assert hook in page, hook
    assert "sans-serif" in page.split("</style>")[0]
    assert [a["value"] for tag, a in t.tags if tag == "option"] == ["ana pop", "ion popa"]  # search suggestions


def test_labels_are_at_least_14px_on_screen(page):
    font = int(re.search(r"font: \{size: (\d+),", page).group(1))
    least = float(re.search(r"if \(network.getScale\(\) < ([\d.]+)\)", page).group(1))
    assert font * least >= 14


def test_page_is_offline(page):
    assert "vis.Network" in page and len(page) > 400_000  # vis-network is inlined
    assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", page, re.I)
    assert not re.search(r"<(script|link|img|iframe)\b[^>]*\b(src|href)=", page.replace("src='data:", ""), re.I)


def test_layout_is_the_same_on_every_render(annotated, tmp_path):
    first = page_data(subnetwork_html(annotated, tmp_path / "a.html", seed=1).read_text())[0]
    again = page_data(subnetwork_html(annotated.copy(), tmp_path / "b.html", seed=1).read_text())[0]
    other = page_data(subnetwork_html(annotated, tmp_path / "c.html", seed=2).read_text())[0]
    xy = [(n["x"], n["y"]) for n in first]
    assert xy == [(n["x"], n["y"]) for n in again] and xy != [(n["x"], n["y"]) for n in other]
    assert len(set(xy)) == len(xy)
    assert "physics: false" in (tmp_path / "a.html").read_text()  # drawn where placed: no jitter, no settling


def test_a_subnetwork_over_the_cap_is_not_drawn_and_says_how_to_narrow_it(tmp_path):
    g = ig.Graph.Ring(12)
    g.vs["name"] = [f"Person:p{i}" for i in range(12)]
    g.vs["label"] = ["Person"] * 12
    page = subnetwork_html(g, tmp_path / "big.html", title="Too big", max_nodes=10).read_text()
    t = parse(page)
    cap = next(a for _, a in t.tags if a.get("id") == "crimnet-cap")
    assert cap["data-node-count"] == "12" and "data-drawn='false'" in page
    assert "This subnetwork has 12 nodes and 12 links, more than the 10 a page draws" in page
    assert NARROW_HINT in page and "new vis.DataSet" not in page and "vis.Network" not in page
    assert "crimnet-graph" not in {a.get("id") for _, a in t.tags}


def test_names_are_escaped(tmp_path):
    g = ig.Graph([(0, 1)])
    g.vs["name"] = ["Person:a", "Person:b"]
    g.vs["label"] = ["Person", "Person"]
    g.vs["display"] = ["</script><script>alert(1)</script>", "' onmouseover='x"]
    page = subnetwork_html(g, tmp_path / "x.html", title="<b>t</b>").read_text()
    outside = re.sub(r"<script>.*?</script>", "", page, flags=re.S)  # script text is not markup
    assert "</script><script>alert" not in page and "<b>t</b>" not in page and "' onmouseover='x" not in outside
    assert "&lt;b&gt;t&lt;/b&gt;" in page and "&#x27; onmouseover=&#x27;x" in page  # the datalist option
    nodes, _ = page_data(page)
    assert nodes[0]["label"] == "</script><script>alert(1)</script>"  # the name, decoded back in the browser
