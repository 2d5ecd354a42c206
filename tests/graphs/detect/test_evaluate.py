"""Detection metrics on hand-made cases, truth alignment, and the detect pipeline and CLI."""

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from crimnet.cli import app
from crimnet.graphs.detect import detect, evaluate_detection
from crimnet.graphs.detect.evaluate import (
    adjusted_rand_index,
    average_precision,
    evaluate_clusters,
    normalized_mutual_info,
    precision_at_k,
    ring_hits,
    ring_recall,
)
from crimnet.synthetic.truth import align_truth, read_truth
from tests.fixtures import toy_case

TRUTH = pd.DataFrame(
    {
        "node_id": list("abcdefghij"),
        "role": [
            "controller",
            "recruiter",
            "victim",
            "victim",
            "controller",
            "victim",
            "victim",
            "none",
            "none",
            "none",
        ],
        "ring_id": ["R1", "R1", "R1", "R1", "R2", "R2", "R2", None, None, None],
    }
)


def _clusters(groups, scores):
    return pd.DataFrame(
        {
            "cluster_id": range(len(groups)),
            "method": "m",
            "members": groups,
            "size": [len(g) for g in groups],
            "score": scores,
        }
    )


def test_hits_precision_and_recall():
    c = _clusters([["a", "c", "d"], ["h", "i", "j", "e"], ["e", "f", "g"], ["b", "h"]], [4.0, 3.0, 2.0, 1.0])
    h = ring_hits(c, TRUTH)
    # R1 has 2 perpetrators: {a} covers half, purity 1 -> hit; cluster 1 purity 1/4 -> miss
    assert h["hit"].tolist() == [True, False, True, True]
    assert h.loc[3, "ring_id"] == "R1" and h.loc[3, "purity"] == 0.5
    assert precision_at_k(c, TRUTH, k=2) == 0.5
    assert precision_at_k(c, TRUTH, k=8) == 3 / 8
    assert ring_recall(c, TRUTH) == 1.0
    assert ring_recall(c, TRUTH, k=1) == 0.5


def test_average_precision_known_values():
    s = pd.DataFrame({"node_id": list("abcdefghij"), "score": [9, 8, 1, 1, 7, 1, 1, 0, 0, 0]})
    assert average_precision(s, TRUTH) == 1.0
    worst = s.assign(score=-s["score"])
    # 3 perpetrators ranked 8, 9, 10 of 10 (ties in node order)
    assert average_precision(worst, TRUTH) == pytest.approx((1 / 8 + 2 / 9 + 3 / 10) / 3)


def test_nmi_ari_known_values():
    a = np.array([0, 0, 0, 1, 1, 1])
    assert normalized_mutual_info(a, a[::-1]) == pytest.approx(1.0)
    assert adjusted_rand_index(a, np.array([5, 5, 5, 9, 9, 9])) == pytest.approx(1.0)
    assert adjusted_rand_index(np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1])) == pytest.approx(-0.5)
    assert normalized_mutual_info(np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1])) == pytest.approx(0.0)
    m = evaluate_clusters(_clusters([["a", "b", "c", "d"], ["e", "f", "g"]], [2.0, 1.0]), TRUTH, k=2)
    assert m["nmi"] == pytest.approx(1.0) and m["ari"] == pytest.approx(1.0) and m["precision_at_k"] == 1.0


def test_align_truth_identity_and_majority(tmp_path):
    (tmp_path / "truth").mkdir()
    (tmp_path / "truth" / "persons.csv").write_text("person_id,role,ring_id,typology\nP1,victim,R1,sexual\nP2,none,,\n")
    t = read_truth(tmp_path)
    assert align_truth(t)["node_id"].tolist() == ["P1", "P2"]
    res = pd.DataFrame({"source": ["s"] * 4, "record_id": ["1", "2", "3", "4"], "entity_id": ["E1", "E1", "E1", "E2"]})
    ents = pd.DataFrame(
        {
            "source": ["s"] * 4,
            "record_id": ["1", "2", "3", "4"],
            "entity_type": "Person",
            "entity_id": ["P2", "P1", "P1", "P2"],
        }
    )
    out = align_truth(t, resolution=res, truth_entities=ents).set_index("node_id")
    assert out.loc["E1", "person_id"] == "P1" and out.loc["E1", "ring_id"] == "R1"
    assert out.loc["E2", "role"] == "none"


@pytest.fixture(scope="module")
def toy():
    return toy_case(n_families=150, n_rings=4, seed=2)


def test_detect_finds_planted_rings_and_beats_baselines(toy):
    tables, truth = toy
    result = detect(tables, methods=("leiden", "louvain", "spectral"), seed=0)
    ev = evaluate_detection(result, truth, tables=tables, k=4).set_index("method")
    for method in ("leiden", "louvain", "spectral"):
        assert ev.loc[method, "precision_at_k"] == 1.0
        assert ev.loc[method, "ring_recall"] == 1.0
        assert ev.loc[method, "node_ap"] > ev.loc["baseline_degree", "node_ap"]
        assert ev.loc[method, "node_ap"] > ev.loc["baseline_address", "node_ap"]
    assert ev.loc["baseline_address", "precision_at_k"] < 1.0
    top = result.clusters[result.clusters["method"] == "leiden"].iloc[0]
    assert top["indicators"][0]["text"]
    # re-running with the previous clusters keeps every id
    again = detect(tables, methods=("leiden",), seed=0, previous_clusters=result.clusters)
    assert set(again.events.loc[again.events["method"] == "leiden", "event"]) == {"kept"}


def test_cli_detect_writes_and_prints(tmp_path, toy):
    tables, truth = toy
    tables.write(tmp_path / "tables")
    case = tmp_path / "case"
    (case / "truth").mkdir(parents=True)
    truth.drop(columns="node_id").to_csv(case / "truth" / "persons.csv", index=False)
    runner = CliRunner()
    result = runner.invoke(
        app, ["detect", str(tmp_path / "tables"), "--out", str(tmp_path / "out"), "--truth", str(case), "--top", "4"]
    )
    assert result.exit_code == 0, result.output
    assert "Top 4 clusters (infomap)" in result.output  # the default method
    assert "unrelated adult" in " ".join(result.output.split())  # the reason, however the table wraps it
    assert "baseline_address" in result.output
    clusters = pd.read_parquet(tmp_path / "out" / "clusters.parquet")
    scores = pd.read_parquet(tmp_path / "out" / "node_scores.parquet")
    assert list(clusters.columns)[:6] == ["cluster_id", "method", "members", "size", "score", "indicators"]
    assert list(scores.columns) == ["node_id", "label", "method", "score"]
    assert (tmp_path / "out" / "evaluation.csv").exists()
    bad = runner.invoke(app, ["detect", str(tmp_path / "tables"), "--out", str(tmp_path / "o2"), "--method", "x"])
    assert bad.exit_code == 2
    message = " ".join(bad.output.replace("│", " ").split())  # typer boxes and wraps usage errors
    assert "Invalid value for '--method': 'x' is not a detection method. Choose from:" in message
    assert "infomap" in message and "leiden" in message


def test_clusters_of_two_methods_sharing_ids_are_scored_apart():
    # every method numbers its clusters from 0; the metrics must not merge clusters by id
    t = pd.DataFrame(
        {"node_id": list("abcd"), "role": ["controller", "victim", "controller", "victim"], "ring_id": list("RRSS")}
    )
    c = pd.DataFrame(
        {"cluster_id": [0, 0], "method": ["m1", "m2"], "members": [["a", "b"], ["c", "d"]], "size": [2, 2],
         "score": [2.0, 1.0]}
    )  # fmt: skip
    assert ring_hits(c, t)[["ring_id", "hit"]].to_dict("records") == [
        {"ring_id": "R", "hit": True},
        {"ring_id": "S", "hit": True},
    ]
    assert precision_at_k(c, t, k=2) == 1.0 and ring_recall(c, t) == 1.0


def test_average_precision_does_not_depend_on_the_order_of_ties():
    t = pd.DataFrame({"node_id": list("abcd"), "role": ["controller", "none", "none", "victim"], "ring_id": None})
    s = pd.DataFrame({"node_id": list("abcd"), "score": [0.5, 0.5, 0.9, 0.1]})
    ap = average_precision(s, t)
    assert ap == pytest.approx(1 / 3)  # the tie block {a, b} reached after c: precision 1/3 at recall 1
    assert average_precision(s, t.iloc[::-1]) == pytest.approx(ap)
    untied = pd.DataFrame({"node_id": list("abcd"), "score": [0.8, 0.5, 0.9, 0.1]})
    assert average_precision(untied, t) == pytest.approx(0.5)  # mean precision at the positives' ranks
