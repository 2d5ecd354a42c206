"""``crimnet detect --model``: clusters in the order of the learned score, beside the rule score, with reasons."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from crimnet.cli import app
from crimnet.errors import ParameterError
from crimnet.gnn.apply import learned_order
from crimnet.report import ClusterSection, ReportInputs, write_report
from crimnet.synthetic.generate import generate_case


def test_learned_order_puts_scored_clusters_first_method_by_method():
    clusters = pd.DataFrame({"method": ["a", "a", "a", "b"], "cluster_id": [0, 1, 2, 0], "score": [3.0, 2.0, 1.0, 5.0]})
    ranked = pd.DataFrame(
        {"method": ["a", "a", "b"], "cluster_id": [2, 0, 0], "gnn_score": [0.9, 0.2, 0.5], "reasons": list("xyz")}
    )
    out = learned_order(clusters, ranked)
    assert list(zip(out["method"], out["cluster_id"], strict=True)) == [("a", 2), ("b", 0), ("a", 0), ("a", 1)]
    assert out["reasons"].tolist()[:3] == ["x", "z", "y"] and pd.isna(out["gnn_score"].iloc[3])
    assert learned_order(clusters, ranked.iloc[:0]).equals(clusters)  # no ranker: the rule order stays
    with pytest.raises(ParameterError, match="gnn_score"):
        learned_order(clusters, ranked.drop(columns="gnn_score"))


def test_detect_with_a_model_ranks_by_the_learned_score_and_shows_both(model, tmp_path):
    case = generate_case(tmp_path / "case", people=300, seed=34)
    out = tmp_path / "detect"
    result = CliRunner().invoke(
        app, ["detect", str(case.truth_tables), "--out", str(out), "--model", str(model), "--top", "3"],
        env={"COLUMNS": "200"},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "by the learned score" in result.output and "rule score" in result.output
    learned = pd.read_csv(out / "learned" / "clusters.csv")
    assert len(learned) == len(pd.read_parquet(out / "clusters.parquet"))
    # heads by learned score, then the fragments of their structures (crimnet.gnn.fragments) by score
    assert learned["fragment"].is_monotonic_increasing and not learned["fragment"].iloc[0]
    assert all(part["gnn_score"].is_monotonic_decreasing for _, part in learned.groupby("fragment"))
    table = result.output[result.output.index("by the learned score") :]
    cells = [[c.strip() for c in ln.split("│")[1:]] for ln in table.splitlines() if ln.startswith("│")]
    first = next(c for c in cells if c[0] == "1")
    assert first[1] == str(learned["cluster_id"].iloc[0])  # rank 1 is the learned score's best
    assert first[3] == f"{learned['gnn_score'].iloc[0]:.2f}" and first[4]  # with its reasons
    assert [c[0] for c in cells if c[0]] == ["1", "2", "3"]
    nodes = pd.read_csv(out / "learned" / "node_scores.csv")
    assert {"gnn_perpetrator", "gnn_victim"} <= set(nodes["method"])


def test_detect_refuses_a_folder_that_is_not_a_model_before_detecting(tmp_path):
    case = generate_case(tmp_path / "case", people=300, seed=35)
    (tmp_path / "nothing").mkdir()
    out = tmp_path / "detect"
    result = CliRunner().invoke(
        app, ["detect", str(case.truth_tables), "--out", str(out), "--model", str(tmp_path / "nothing")]
    )
    assert result.exit_code != 0 and "model.pt" in result.output
    assert not (out / "clusters.parquet").exists()


def _text(page: Path) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", page.read_text()))


def test_report_heads_each_cluster_with_its_learned_score_and_why(tmp_path):
    learned = ClusterSection("7", 2.5, 4, ["4 people share one phone"], pd.DataFrame(), learned=(0.83, "reason a"))
    plain = ClusterSection("9", 4.0, 3, [], pd.DataFrame())
    inputs = ReportInputs(config={}, clusters=[learned, plain])
    page = _text(write_report(inputs, tmp_path / "r.html"))
    assert (
        "the first by the learned cluster score, cluster 7, has 4 people (learned score 0.83, rule score 2.50)" in page
    )
    assert "1. Cluster 7: learned score 0.83, rule score 2.50, 4 people" in page
    assert "Learned cluster score 0.83: reason a." in page
    assert "2. Cluster 9: score 4.00, 3 people" in page  # no learned score: the heading is the rules' alone
    page = _text(write_report(ReportInputs(config={}, clusters=[plain]), tmp_path / "p.html"))
    assert "the highest-scoring, cluster 9" in page and "Learned cluster score" not in page
