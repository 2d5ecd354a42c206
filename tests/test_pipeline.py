"""End to end: generate -> ingest -> store -> detect -> disrupt -> report, through the CLI."""

import re

import pandas as pd
import pytest
from typer.testing import CliRunner

from crimnet.cli import app
from crimnet.graphs.store import open_store

runner = CliRunner()


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    result = runner.invoke(app, ["demo", "--people", "1500", "--seed", "3", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out, result.output


def test_demo_prints_top_clusters_with_reasons_and_cuts(demo_run):
    out, output = demo_run
    assert "Likely perpetrator clusters" in output
    clusters = pd.read_parquet(out / "detect" / "clusters.parquet")
    top = clusters.sort_values("score", ascending=False).head(5)
    # every reported cluster id appears with its score in the printed table
    for cid in top["cluster_id"].astype(str):
        assert cid in output
    assert f"Report: {out / 'report.html'}" in output.replace("\n", "")


def test_report_is_complete_and_offline(demo_run):
    out, _ = demo_run
    page = (out / "report.html").read_text()
    for heading in (
        "Sources ingested",
        "Graph",
        "Likely perpetrator clusters",
        "Disruption strategies compared",
        "Detection against ground truth",
        "Configuration",
    ):
        assert f"<h2>{heading}</h2>" in page
    assert page.count("data:image/png;base64,") >= 2
    assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", page)
    pages = sorted((out / "clusters").glob("*.html"))
    assert pages and all(p.with_suffix(".png").exists() for p in pages)


def test_disruption_comparison_uses_truth_pairs(demo_run):
    out, _ = demo_run
    summary = pd.read_csv(out / "disrupt" / "summary.csv").set_index("strategy")
    assert {"random", "degree", "victim_controller_cut"} <= set(summary.index)
    assert summary["r_index"].between(0, 1).all()
    # the cut computed from the true victim-controller pairs separates them all within budget
    assert summary.loc["victim_controller_cut", "reachability_at_budget"] == 0
    assert summary.loc["random", "reachability_at_budget"] > 0.5
    # the cut between roles inferred from the evidence (no truth) does better than removing at random
    assert summary.loc["detected_cut", "reachability_at_budget"] < summary.loc["random", "reachability_at_budget"]
    # only the oracle is marked as ranking from the truth, and the report says so
    assert summary.index[summary["uses_ground_truth"]].tolist() == ["victim_controller_cut"]
    page = (out / "report.html").read_text()
    assert "victim_controller_cut: ranked from the planted victim/controller labels themselves" in page


def test_inferred_roles_are_reported_with_evidence(demo_run):
    out, _ = demo_run
    roles = pd.read_csv(out / "detect" / "roles.csv")
    assert set(roles["role"]) <= {"controller", "victim", "other"}
    assert (roles["role"] == "victim").any()
    assert roles.loc[roles["role"] != "other", "evidence"].str.len().gt(0).all()
    assert "Inferred roles" in (out / "report.html").read_text()


def test_risk_scores_are_written_back_to_the_store(demo_run):
    out, _ = demo_run
    scores = pd.read_parquet(out / "detect" / "node_scores.parquet")
    risk = scores[scores["method"] == "infomap_risk"]
    with open_store(out / "store") as db:
        stored = db.query("MATCH (p:Person) WHERE p.risk IS NOT NULL RETURN p.id AS id, p.risk AS risk")
    assert len(stored) == len(risk) > 0
    merged = stored.merge(risk, left_on="id", right_on="node_id")
    assert (merged["risk"] - merged["score"]).abs().max() < 1e-9
