"""The entry points an analyst asks for, end to end on a toy case: a cluster with its cut points, the path between two
people, one person to N hops, and a subnetwork too large to draw."""

from __future__ import annotations

import pytest

from crimnet.graphs.views import hetero_graph
from crimnet.viz import write_subnetwork
from tests.fixtures import toy_case
from tests.viz.helpers import page_data


@pytest.fixture(scope="module")
def case():
    tables, truth = toy_case(n_families=40, n_rings=2)
    return tables, truth, hetero_graph(tables)


def ring(truth, ring_id):
    return truth.loc[truth["ring_id"] == ring_id, ["person_id", "role"]]


def test_cluster_page_with_cut_points_roles_and_timeline(case, tmp_path):
    tables, truth, graph = case
    people = ring(truth, truth["ring_id"].dropna().iloc[0])
    members = ["Person:" + p for p in people["person_id"]]
    roles = {"Person:" + p: r for p, r in zip(people["person_id"], people["role"], strict=True)}
    boss = next(m for m, r in roles.items() if r == "controller")
    drawn = write_subnetwork(
        graph, tmp_path / "clusters" / "r1.html", members=members, tables=tables, roles=roles,
        risk={boss: 5.0}, cuts=[boss], title="Ring 1",
    )  # fmt: skip
    assert drawn.drawn and drawn.png.exists() and drawn.svg.exists() and drawn.timeline_png.exists()
    page = drawn.html.read_text(encoding="utf-8")
    nodes, _ = page_data(page)
    assert len(nodes) == drawn.graph.vcount() and f"data-node-count='{len(nodes)}'" in page
    names = dict(zip("Person:" + tables.nodes["Person"]["id"], tables.nodes["Person"]["name"], strict=True))
    boss_node = next(n for n in nodes if n["id"] == boss)
    assert boss_node["label"] == f"✂1 {names[boss]}\n(controller)"
    assert {n["display"] for n in nodes if n["member"]} == {names[m] for m in members}
    # the timeline: every dated record between the drawn nodes, in the page, sorted
    tl = drawn.timeline
    assert len(tl) > 0 and tl["date"].tolist() == sorted(tl["date"])
    assert f'data-row-count="{len(tl)}"' in page and page.count('<tr class="crimnet-event">') == min(len(tl), 300)
    assert set(tl["kind"]) >= {"payment"}
    # the members listed with names, the cut point first
    assert drawn.members.loc[0, "node_id"] == boss.split(":", 1)[1] and drawn.members.loc[0, "cut_rank"] == 1
    assert len(drawn.members) == len(members) and set(drawn.members["name"]) == {names[m] for m in members}


def test_path_between_two_people_and_one_person_to_n_hops(case, tmp_path):
    tables, truth, graph = case
    a, b = ("Person:" + p for p in ring(truth, truth["ring_id"].dropna().iloc[0])["person_id"].iloc[:2])
    path = write_subnetwork(
        graph, tmp_path / "p.html", members=[a, b], tables=tables, between=True, hops=0, figures=False
    )
    nodes, _ = page_data(path.html.read_text())
    hops = graph.distances(graph.vs.find(name=a).index, graph.vs.find(name=b).index)[0][0]
    assert path.png is None and {a, b} <= {n["id"] for n in nodes} and len(nodes) == hops + 1
    one = write_subnetwork(graph, tmp_path / "h.html", members=[a], tables=tables, hops=2, figures=False)
    assert one.graph.vcount() > one.graph.vs["member"].count(True) == 1


def test_too_large_a_subnetwork_gets_its_size_and_no_drawing(case, tmp_path):
    tables, _, graph = case
    members = ["Person:" + p for p in tables.nodes["Person"]["id"]]
    big = write_subnetwork(graph, tmp_path / "all.html", members=members, tables=tables, max_nodes=50)
    page = big.html.read_text()
    assert not big.drawn and big.png is None and big.timeline is None
    assert f"This subnetwork has {big.graph.vcount():,} nodes" in page and "vis.Network" not in page
