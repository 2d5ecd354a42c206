"""The `crimnet disrupt` command on a researcher's edge list and on canonical tables."""

from __future__ import annotations

import igraph as ig
import pandas as pd
import pytest
from typer.testing import CliRunner

from crimnet import datasets
from crimnet.cases import load_network
from crimnet.cli import app
from crimnet.graphs import disrupt as d
from crimnet.graphs.edgelist import read_edgelist, victim_controller_pairs

runner = CliRunner()


def test_cli_on_published_edge_list(tmp_path):
    siren = datasets.path("siren")
    out = tmp_path / "out"
    res = runner.invoke(
        app,
        [
            "disrupt",
            "--edges",
            str(siren),
            "--budget",
            "0.1",
            "--strategy",
            "degree_adaptive",
            "--strategy",
            "random",
            "--out",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    assert "degree_adaptive" in res.output and "R-index" in res.output
    summary = pd.read_csv(out / "summary.csv")
    assert summary["strategy"].tolist() == ["degree_adaptive", "random"]
    assert (summary["budget"] == 4).all()  # 10% of 44 nodes
    s = summary.set_index("strategy")
    assert s.loc["degree_adaptive", "r_index"] < s.loc["random", "r_index"]
    curves = pd.read_csv(out / "curves.csv")
    assert {"strategy", "k", "lcc_fraction", "victims_reachable_fraction"} <= set(curves.columns)
    assert len(curves) == 2 * 45
    assert (out / "curves.png").stat().st_size > 1000


def test_cli_edge_list_with_roles(tmp_path):
    edges = tmp_path / "e.csv"
    edges.write_text("source,target\nboss,phone\nphone,v1\nphone,v2\nboss2,flat\nflat,v3\nflat,x\n")
    nodes = tmp_path / "n.csv"
    nodes.write_text("id,role,group\nboss,controller,A\nv1,victim,A\nv2,victim,A\nboss2,controller,B\nv3,victim,B\n")
    g = read_edgelist(edges, nodes=nodes)
    v, c, p = victim_controller_pairs(g)
    assert sorted(p) == [("v1", "boss"), ("v2", "boss"), ("v3", "boss2")]
    out = tmp_path / "o"
    res = runner.invoke(
        app,
        [
            "disrupt",
            "--edges",
            str(edges),
            "--nodes",
            str(nodes),
            "--budget",
            "2",
            "--strategy",
            "victim_controller_cut",
            "--strategy",
            "random",
            "--out",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    s = pd.read_csv(out / "summary.csv").set_index("strategy")
    assert s.loc["victim_controller_cut", "reachability_at_budget"] == 0.0
    ranking = pd.read_csv(out / "rankings.csv")
    cut = ranking[ranking["strategy"] == "victim_controller_cut"]["node_id"].tolist()[:2]
    assert set(cut) == {"phone", "flat"}


def test_cli_rejects_both_inputs(tmp_path):
    edges = tmp_path / "e.csv"
    edges.write_text("source,target\na,b\n")
    res = runner.invoke(app, ["disrupt", "--edges", str(edges), "--tables", str(tmp_path)])
    assert res.exit_code == 2
    assert "--edges must be given, or --tables" in res.output  # the options typed, not load_network's parameters


def test_every_published_network_reads(tmp_path):
    for name in datasets.list(kind="network")["name"]:
        g = read_edgelist(datasets.path(name), nodes=datasets.node_path(name))
        assert g.vcount() > 10 and g.ecount() > 10 and not g.is_directed()
    g = read_edgelist(datasets.path("montreal_gangs"), nodes=datasets.node_path("montreal_gangs"))
    assert g.vcount() == 35  # two isolated gangs from the node file


def test_cli_on_canonical_tables_with_truth(tmp_path):
    views = pytest.importorskip("crimnet.graphs.views")
    pytest.importorskip("crimnet.synthetic.truth")
    from crimnet.tables import CanonicalTables

    frames = {
        "Person": pd.DataFrame({"id": ["c1", "v1", "v2", "c2", "v3"]}),
        "Phone": pd.DataFrame({"id": ["+1", "+2"]}),
        "Address": pd.DataFrame({"id": ["a1"]}),
        "USES_PHONE": pd.DataFrame({"src": ["c1", "v1", "v2", "c2", "v3"], "dst": ["+1", "+1", "+1", "+2", "+2"]}),
        "LIVES_AT": pd.DataFrame({"src": ["v2", "v3"], "dst": ["a1", "a1"]}),
    }
    try:
        tables = views.CanonicalTables.from_partial(frames)
    except Exception:  # pragma: no cover - fall back to the plain constructor
        tables = CanonicalTables.from_frames(frames)
    tables.write(tmp_path / "tables")
    truth = tmp_path / "case" / "truth"
    truth.mkdir(parents=True)
    (truth / "persons.csv").write_text(
        "person_id,role,ring_id,typology\nc1,controller,R1,labour\nv1,victim,R1,labour\nv2,victim,R1,labour\n"
        "c2,controller,R2,sexual\nv3,victim,R2,sexual\n"
    )
    net = load_network(tables=tmp_path / "tables", truth=tmp_path / "case")
    assert sorted(net.pairs) == [("Person:v1", "Person:c1"), ("Person:v2", "Person:c1"), ("Person:v3", "Person:c2")]
    res = runner.invoke(
        app,
        [
            "disrupt",
            "--tables",
            str(tmp_path / "tables"),
            "--truth",
            str(tmp_path / "case"),
            "--strategy",
            "victim_controller_cut",
            "--budget",
            "2",
            "--cost",
            "Person=10",
            "--cost",
            "Phone=1",
            "--cost",
            "Address=3",
            "--out",
            str(tmp_path / "o"),
        ],
    )
    assert res.exit_code == 0, res.output
    s = pd.read_csv(tmp_path / "o" / "summary.csv").set_index("strategy")
    assert s.loc["victim_controller_cut", "reachability_at_budget"] == 0.0
    r = pd.read_csv(tmp_path / "o" / "rankings.csv")["node_id"].tolist()[:2]
    assert set(r) == {"Phone:+1", "Phone:+2"}  # two phones (cost 2) beat arrests and the address

    # the same network read back from an embedded store gives the same cut
    from crimnet.graphs.store import open_store

    with open_store(tmp_path / "store", create=True) as db:
        db.write(tables)
    via_store = runner.invoke(
        app,
        [
            "disrupt",
            "--store",
            str(tmp_path / "store"),
            "--truth",
            str(tmp_path / "case"),
            "--strategy",
            "victim_controller_cut",
            "--budget",
            "2",
            "--cost",
            "Person=10",
            "--cost",
            "Phone=1",
            "--cost",
            "Address=3",
            "--out",
            str(tmp_path / "o2"),
        ],
    )
    assert via_store.exit_code == 0, via_store.output
    r2 = pd.read_csv(tmp_path / "o2" / "rankings.csv")["node_id"].tolist()[:2]
    assert set(r2) == set(r)


def test_strategies_listed_in_help():
    res = runner.invoke(app, ["disrupt", "--help"])
    assert res.exit_code == 0
    assert "--strategy" in res.output and "--budget" in res.output
    assert "degree_adaptive" in d.strategies()


def test_victims_and_controllers_without_a_group_are_paired_with_nobody():
    g = ig.Graph(n=5)
    g.vs["name"] = list("vwxyz")
    g.vs["role"] = ["victim", "victim", "controller", "controller", "victim"]
    g.vs["group"] = ["1", None, "1", None, "2"]
    victims, controllers, pairs = victim_controller_pairs(g)
    assert sorted(victims) == ["v", "w", "z"] and sorted(controllers) == ["x", "y"]
    assert pairs == [("v", "x")]


@pytest.mark.parametrize(
    "option, value, message",
    [("--cost", "Person", "'Person' is not Label=number"), ("--budget", "ten", "'ten' is not a number of nodes")],
)
def test_cli_bad_budget_or_cost_is_a_usage_error(tmp_path, option, value, message):
    edges = tmp_path / "e.csv"
    edges.write_text("source,target\na,b\nb,c\n")
    res = CliRunner().invoke(app, ["disrupt", "--edges", str(edges), option, value])
    assert res.exit_code == 2
    assert message in " ".join(res.output.split())


def test_cli_says_the_block_and_the_weights_and_optimises():
    res = runner.invoke(
        app,
        [
            "disrupt", "--edges", "montagna_meetings_undirected", "--budget", "20",
            "--strategy", "betweenness_adaptive", "--strategy", "degree", "--weights", "strength", "--optimise", "300",
        ],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    text = " ".join(res.output.split())
    assert "betweenness_adaptive 1" in text  # the block: one node at a time
    assert "Weights (strength) used as tie strengths by: degree" in text
    assert "used as tie lengths by: betweenness_adaptive" in text
    assert "Optimised first 20 removals" in text
    bad = runner.invoke(app, ["disrupt", "--edges", "siren", "--weights", "heavy"])
    assert bad.exit_code != 0 and "weight meaning" in bad.output
