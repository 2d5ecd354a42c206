"""A saved model inside the pipeline: scores to files and the store, the report's people, learned cut roles.

The whole demo with a model is heavy (about 30 s on two busy cores); the normal suite scores a case's tables
with the same functions the pipeline calls and renders the report's section from them.
"""

from __future__ import annotations

import ast
import html
import re

import igraph as ig
import pandas as pd
import pytest
from typer.testing import CliRunner

from crimnet.cli import app
from crimnet.gnn.apply import cluster_roles, score_tables, write_learned
from crimnet.graphs import disrupt as d
from crimnet.graphs.detect import detect
from crimnet.graphs.detect.roles import inferred_pairs
from crimnet.graphs.disrupt.robustness import robustness_curve
from crimnet.graphs.store import open_store
from crimnet.graphs.views import hetero_graph
from crimnet.report import ReportInputs, write_report
from crimnet.schema import ROLES
from crimnet.synthetic.generate import generate_case
from crimnet.tables import CanonicalTables
from crimnet.viz import display_names


@pytest.fixture(scope="module")
def scored(model, tmp_path_factory):
    """Another seed's true tables, its detected clusters and what the model says of them."""
    case = generate_case(tmp_path_factory.mktemp("case") / "c", people=300, seed=33)
    tables = CanonicalTables.read(case.truth_tables)
    clusters = detect(tables, seed=0).clusters
    return tables, clusters, score_tables(model, tables, clusters, people=8)


def test_explanations_name_entities_truly_adjacent_and_the_report_shows_them_by_name(scored, tmp_path):
    tables, clusters, learned = scored
    people = learned.people
    assert len(people) == 8 and people["p_perpetrator"].is_monotonic_decreasing
    assert people["p_perpetrator"].iloc[0] == pytest.approx(learned.roles["p_perpetrator"].max())
    graph = hetero_graph(tables)
    nodes = [n for ns in people["neighbours"] for n in ns]
    assert len(nodes) >= 8
    for pid, neighbours in zip(people["node_id"], people["neighbours"], strict=True):
        assert all(graph.are_adjacent(f"Person:{pid}", n) for n in neighbours), pid  # never two hops away
    names = display_names(tables, [*("Person:" + people["node_id"]), *nodes])
    inputs = ReportInputs(config={}, gnn_people=people, gnn_scores=learned.clusters, names=names)
    page = html.unescape(write_report(inputs, tmp_path / "report.html").read_text())
    section = page[page.index("People the model puts forward") : page.index("</section>", page.index("id='gnn'"))]
    assert all(names[n] in section for n in [*("Person:" + people["node_id"]), *nodes])
    written = write_learned(learned, tmp_path / "score")
    assert [p.name for p in written] == ["node_scores.csv", "clusters.csv", "people.csv"]
    back = pd.read_csv(tmp_path / "score" / "people.csv", dtype={"node_id": str})
    assert back["neighbours"].map(ast.literal_eval).tolist() == people["neighbours"].tolist()


@pytest.fixture(scope="module")
def demo_run(model, tmp_path_factory):
    out = tmp_path_factory.mktemp("demo") / "run"
    result = CliRunner().invoke(
        app, ["demo", "--people", "300", "--seed", "33", "--out", str(out), "--model", str(model)]
    )
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.heavy
def test_role_probabilities_go_to_node_scores_and_to_the_store(demo_run):
    people = CanonicalTables.read(demo_run / "ingest" / "tables").nodes["Person"]
    scores = pd.read_csv(demo_run / "score" / "node_scores.csv")
    assert set(scores["method"]) == {f"gnn_{r}" for r in ROLES} | {"gnn_perpetrator"}
    assert len(scores) == len(people) * (len(ROLES) + 1)
    wide = scores.pivot(index="node_id", columns="method", values="score")
    assert wide[[f"gnn_{r}" for r in ROLES]].sum(axis=1).sub(1).abs().max() < 1e-5
    with open_store(demo_run / "store", read_only=True) as db:
        stored = db.query("MATCH (p:Person) RETURN p.id AS id, p.p_victim AS v, p.p_perpetrator AS perp")
    assert len(stored) == len(people) and stored["v"].notna().all()
    merged = stored.merge(wide, left_on="id", right_index=True)
    assert len(merged) == len(people)
    assert (merged["perp"] - merged["gnn_perpetrator"]).abs().max() < 1e-6


@pytest.mark.heavy
def test_report_lists_top_people_explained_by_entities_truly_adjacent_to_them(demo_run):
    tables = CanonicalTables.read(demo_run / "ingest" / "tables")
    graph = hetero_graph(tables)
    people = pd.read_csv(demo_run / "score" / "people.csv", dtype={"node_id": str})
    assert len(people) == 10 and people["p_perpetrator"].is_monotonic_decreasing
    page = html.unescape((demo_run / "report.html").read_text())
    section = page[page.index("People the model puts forward") : page.index("</section>", page.index("id='gnn'"))]
    names = display_names(tables, [f"Person:{p}" for p in people["node_id"]])
    explained = 0
    for pid, neighbours in zip(people["node_id"], people["neighbours"].map(ast.literal_eval), strict=True):
        assert names[f"Person:{pid}"] in section
        for node in neighbours:
            assert graph.are_adjacent(f"Person:{pid}", node), (pid, node)  # never an entity two hops away
            assert display_names(tables, [node])[node] in section
            explained += 1
    assert explained >= 10
    assert '"model":' in (demo_run / "config.json").read_text()


@pytest.mark.heavy
def test_disruption_compares_the_learned_strategies_on_the_learned_roles(demo_run):
    summary = pd.read_csv(demo_run / "disrupt" / "summary.csv").set_index("strategy")
    assert {"detected_cut", "learned_cut", "learned_score"} <= set(summary.index)
    assert not summary.loc[["learned_cut", "learned_score"], "uses_ground_truth"].any()
    learned = pd.read_csv(demo_run / "score" / "roles.csv", dtype={"node_id": str})
    rules = pd.read_csv(demo_run / "detect" / "roles.csv", dtype={"node_id": str})
    top = set(rules["cluster_id"].astype(str))
    assert set(learned["cluster_id"].astype(str)) <= top  # the same clusters, other roles
    page = (demo_run / "report.html").read_text()
    assert "Victim-controller cut (learned roles)" in page
    clusters = page[page.index("id='clusters'") : page.index("</section>", page.index("id='clusters'"))]
    assert "Learned probabilities" in clusters and clusters.count("perpetrator 0.") >= 3  # beside every member


@pytest.mark.heavy
def test_the_run_takes_its_top_clusters_in_the_order_of_the_learned_score(demo_run):
    learned = pd.read_csv(demo_run / "score" / "clusters.csv")
    page = html.unescape((demo_run / "report.html").read_text())
    heads = re.findall(r"<h3 id='cluster-([^']+)'>\d+\. Cluster [^:]+: learned score ([0-9.]+), rule score", page)
    assert len(heads) >= 3
    assert [c for c, _ in heads] == learned["cluster_id"].astype(str).head(len(heads)).tolist()
    assert f"{learned['gnn_score'].iloc[0]:.2f}" == heads[0][1]


def test_learned_roles_change_the_cut_and_what_it_separates():
    """Victims v1, v2 live at A with their true controller c; rule roles took o (who shares a phone with v1)."""
    g = ig.Graph()
    g.add_vertices(["Person:v1", "Person:v2", "Person:c", "Person:o", "Address:A", "Phone:P"])
    g.add_edges([("Person:v1", "Address:A"), ("Person:v2", "Address:A"), ("Person:c", "Address:A"),
                 ("Person:v1", "Phone:P"), ("Person:o", "Phone:P")])  # fmt: skip
    g.vs["label"] = [n.split(":")[0] for n in g.vs["name"]]
    clusters = pd.DataFrame({"cluster_id": [7], "members": [["v1", "v2", "c", "o"]]})
    probs = pd.DataFrame(
        {"node_id": ["v1", "v2", "c", "o"], "p_perpetrator": [0.05, 0.1, 0.7, 0.3], "p_victim": [0.9, 0.6, 0.1, 0.2]}
    )
    learned = cluster_roles(clusters, probs)
    assert learned["role"].tolist() == ["victim", "victim", "controller", "other"]
    rules = learned.assign(role=["victim", "victim", "other", "controller"])
    true_pairs = [("Person:v1", "Person:c"), ("Person:v2", "Person:c")]
    reach = {}
    for name, roles in (("rules", rules), ("learned", learned)):
        cut = d.victim_controller_cut_ranking(g, pairs=inferred_pairs(roles), budget=1)
        reach[name] = float(robustness_curve(g, cut, pairs=true_pairs)["victims_reachable_fraction"].iloc[1])
    assert reach == {"rules": 1.0, "learned": 0.0}  # the learned roles' one action (the address) frees both
    assert cluster_roles(clusters, probs, perpetrator_min=0.8)["role"].tolist().count("controller") == 0
    # what the run compares: the evidence's roles with the model's added, a controller when either says so
    both = cluster_roles(clusters, probs, evidence=rules.assign(evidence=["", "", "", "shares a phone"]))
    assert both["role"].tolist() == ["victim", "victim", "controller", "controller"]
    assert both["evidence"].tolist()[2:] == ["learned perpetrator probability 0.70", "shares a phone"]
    cut = d.victim_controller_cut_ranking(g, pairs=inferred_pairs(both), budget=2)
    assert set(cut["node_id"]) == {"Address:A", "Phone:P"}


def test_without_a_model_the_report_leaves_the_section_out(tmp_path):
    page = write_report(ReportInputs(config={}), tmp_path / "report.html").read_text()
    assert "learned scores (no GNN model was given)" in page and "People the model puts forward" not in page


def test_a_folder_that_is_not_a_model_is_refused_before_any_work(tmp_path):
    from crimnet.errors import SchemaError
    from crimnet.pipeline import demo

    (tmp_path / "not-a-model").mkdir()
    with pytest.raises(SchemaError, match="no model.pt"):
        demo(tmp_path / "run", people=300, model=tmp_path / "not-a-model")
    assert not (tmp_path / "run").exists()
