"""``crimnet detect --model --truth``: the learned order is evaluated beside the rule order, in one table."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from crimnet.cases import evaluate_order
from crimnet.cli import app
from crimnet.errors import ParameterError
from crimnet.synthetic.generate import generate_case
from crimnet.synthetic.truth import read_truth


def test_detect_with_a_model_and_truth_evaluates_both_orders(model, tmp_path):
    case = generate_case(tmp_path / "case", people=300, seed=36)
    out = tmp_path / "detect"
    result = CliRunner().invoke(
        app,
        ["detect", str(case.truth_tables), "--out", str(out), "--model", str(model), "--truth", str(case.root),
         "--top", "3"],
        env={"COLUMNS": "240"},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "the learned order" in result.output and "infomap by gnn_score" in result.output
    by_learned = pd.read_csv(out / "learned" / "evaluation.csv")
    assert by_learned["method"].tolist() == ["infomap by gnn_score"]
    # the learned order's precision@3 is what the learned clusters file says: its top 3 clusters against the rings
    clusters = pd.read_parquet(out / "clusters.parquet")
    rule = pd.read_csv(out / "evaluation.csv").set_index("method")
    row = by_learned.iloc[0]
    assert 0.0 <= row["precision_at_k"] <= 1.0 and row["n_clusters"] == rule.at["infomap", "n_clusters"]
    assert row["ring_recall"] == pytest.approx(rule.at["infomap", "ring_recall"])  # same clusters, another order
    assert len(clusters) == row["n_clusters"]


def test_evaluate_order_ranks_by_the_column_it_is_given(tmp_path):
    case = generate_case(tmp_path / "case", people=300, seed=37)
    truth = read_truth(case.root)
    rings = truth[truth["ring_id"].notna()].groupby("ring_id")["person_id"].apply(list)
    ring = rings.iloc[0]
    # one true ring and one cluster of people in no ring; the learned score puts the ring first, the other order last
    outsiders = truth.loc[truth["ring_id"].isna(), "person_id"].head(len(ring)).tolist()
    clusters = pd.DataFrame(
        {"cluster_id": [0, 1], "method": "m", "members": [outsiders, ring], "size": [len(outsiders), len(ring)],
         "score": [2.0, 1.0], "gnn_score": [0.1, 0.9]}
    )  # fmt: skip
    learned = evaluate_order(clusters, case.root, score="gnn_score", k=1)
    rule = evaluate_order(clusters, case.root, score="score", k=1)
    assert learned.at[0, "method"] == "m by gnn_score" and learned.at[0, "precision_at_k"] == 1.0
    assert rule.at[0, "precision_at_k"] == 0.0
    with pytest.raises(ParameterError, match="score"):
        evaluate_order(clusters, case.root, score="nothing")


def test_evaluate_order_keeps_the_folded_order_of_fragments(tmp_path):
    case = generate_case(tmp_path / "case", people=300, seed=37)
    truth = read_truth(case.root)
    ring = truth[truth["ring_id"].notna()].groupby("ring_id")["person_id"].apply(list).iloc[0]
    outsiders = truth.loc[truth["ring_id"].isna(), "person_id"].head(len(ring)).tolist()
    # the ring's cluster scores highest but was folded as a fragment behind the outsiders' cluster (its head)
    clusters = pd.DataFrame(
        {"cluster_id": [0, 1], "method": "m", "members": [ring, outsiders], "size": [len(ring), len(outsiders)],
         "score": [1.0, 1.0], "gnn_score": [0.9, 0.5], "fragment": [True, False], "part_of": [1, 1]}
    )  # fmt: skip
    folded = evaluate_order(clusters, case.root, score="gnn_score", k=1)
    by_score = evaluate_order(clusters.drop(columns=["fragment", "part_of"]), case.root, score="gnn_score", k=1)
    assert folded.at[0, "precision_at_k"] == 0.0 and by_score.at[0, "precision_at_k"] == 1.0
    assert folded.at[0, "ring_recall"] == by_score.at[0, "ring_recall"] == pytest.approx(1 / truth["ring_id"].nunique())
