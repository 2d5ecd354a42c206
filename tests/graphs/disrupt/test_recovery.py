"""The recovery model (Duijn, Kashirin & Sloot 2014): invariants of curves on networks that rewire."""

from __future__ import annotations

import igraph as ig
import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from crimnet import datasets
from crimnet.errors import ParameterError
from crimnet.graphs.disrupt import (
    RECOVERY_SUMMARY_COLUMNS,
    betweenness_adaptive_ranking,
    compare_recovery,
    degree_ranking,
    disrupt,
    recovery_curve,
    robustness_curve,
)


@pytest.fixture(scope="module")
def meetings():
    g = datasets.load_network("montagna_meetings_undirected")
    return g, betweenness_adaptive_ranking(g, budget=30)


@pytest.mark.parametrize("mode", ["broker", "neighbours"])
def test_probability_zero_is_the_immediate_curve(meetings, mode):
    g, ranking = meetings
    c = recovery_curve(g, ranking, p=0.0, mode=mode, seed=3)
    np.testing.assert_array_equal(c["lcc_fraction_recovered"], c["lcc_fraction"])
    np.testing.assert_array_equal(c["lcc_fraction"], robustness_curve(g, ranking)["lcc_fraction"])
    assert (c["ties_added"] == 0).all()


@pytest.mark.parametrize("mode", ["broker", "neighbours"])
@pytest.mark.parametrize("p", [0.3, 1.0])
def test_recovery_only_adds_ties(meetings, mode, p):
    g, ranking = meetings
    c = recovery_curve(g, ranking, p=p, mode=mode, seed=1)
    assert len(c) == 31 and c["k"].tolist() == list(range(31))
    assert (c["lcc_fraction_recovered"] >= c["lcc_fraction"]).all()
    # nodes are never added: a share of the original n, at most the n - k nodes left
    assert (c["lcc_fraction_recovered"] * g.vcount() <= g.vcount() - c["k"] + 1e-9).all()
    assert c["ties_added"].is_monotonic_increasing
    assert c["ties_added"].iloc[-1] > 0
    assert g.vcount() == 101 and g.ecount() == 256  # the input graph is untouched


def test_recovery_blunts_the_attack(meetings):
    g, ranking = meetings
    c = recovery_curve(g, ranking, p=0.5, seed=0)
    immediate, recovered = c["lcc_fraction"].iloc[1:21].sum(), c["lcc_fraction_recovered"].iloc[1:21].sum()
    assert recovered > immediate * 1.2  # Duijn et al.: disruption is far less effective once the network recovers


@pytest.mark.parametrize("mode", ["broker", "neighbours"])
def test_seeded_reproducibility(meetings, mode):
    g, ranking = meetings
    a = recovery_curve(g, ranking, p=0.4, mode=mode, seed=7)
    b = recovery_curve(g, ranking, p=0.4, mode=mode, seed=7)
    assert a.equals(b)
    others = [recovery_curve(g, ranking, p=0.4, mode=mode, seed=s)["ties_added"].iloc[-1] for s in range(8, 12)]
    assert len({a["ties_added"].iloc[-1], *others}) > 1


def test_broker_is_the_most_similar_survivor():
    # hub 0 with leaves 1..3 and 4; 4 shares neighbours 1 and 2 with the hub, so 4 takes over and ties to 3
    g = ig.Graph([(0, 1), (0, 2), (0, 3), (0, 4), (4, 1), (4, 2)])
    c = recovery_curve(g, [0], p=1.0, mode="broker")
    assert c["ties_added"].tolist() == [0, 1]
    assert c["lcc_fraction_recovered"].tolist() == [1.0, 0.8]
    assert c["lcc_fraction"].tolist() == [1.0, 0.6]


def test_neighbours_close_ranks():
    c = recovery_curve(ig.Graph.Star(5), [0], p=1.0, mode="neighbours")
    assert c["ties_added"].tolist() == [0, 6]  # the 4 leaves form a clique
    assert c["lcc_fraction_recovered"].tolist() == [1.0, 0.8]


def test_bad_parameters_are_refused():
    g = ig.Graph.Star(4)
    with pytest.raises(ParameterError, match="'p' parameter of recovery_curve"):
        recovery_curve(g, [0], p=1.5)
    with pytest.raises(ParameterError, match="'mode' parameter"):
        recovery_curve(g, [0], mode="recruit")
    with pytest.raises(ParameterError, match="'k' parameter"):
        recovery_curve(g, [0], k=3)


def test_compare_recovery_summarises_each_strategy(meetings):
    g, ranking = meetings
    res = disrupt(g, strategies=["degree", "betweenness_adaptive"], budget=20)
    curves, summary = compare_recovery(g, res.rankings, p=0.5, k=20, seed=2)
    assert list(summary.columns) == RECOVERY_SUMMARY_COLUMNS
    assert summary["strategy"].tolist() == ["degree", "betweenness_adaptive"]
    assert (summary["budget"] == 20).all() and len(curves) == 2 * 21
    s = summary.set_index("strategy")
    # the immediate side is the comparison's own numbers; the recovered side is each strategy's recovery_curve
    immediate = res.summary.set_index("strategy")
    np.testing.assert_allclose(s["r_index_budget"], immediate.loc[s.index, "r_index_budget"])
    np.testing.assert_allclose(s["lcc_fraction_at_budget"], immediate.loc[s.index, "lcc_fraction_at_budget"])
    alone = recovery_curve(g, degree_ranking(g), p=0.5, k=20, seed=2)
    assert s.loc["degree", "r_index_budget_recovered"] == pytest.approx(alone["lcc_fraction_recovered"][1:].mean())
    assert s.loc["degree", "ties_added"] == alone["ties_added"].iloc[-1]
    assert (s["r_index_budget_recovered"] >= s["r_index_budget"]).all()
    # sequential betweenness sums to 545 over k = 1..20 immediately (Cavallaro et al. 2020)
    assert round(s.loc["betweenness_adaptive", "r_index_budget"] * 20 * 101) == 545


def test_compare_recovery_refuses_rankings_without_strategies():
    with pytest.raises(ParameterError, match="'rankings' parameter of compare_recovery"):
        compare_recovery(ig.Graph.Star(4), pd.DataFrame({"node_id": [0]}))


def test_cli_recovery_prints_and_writes_both_curves(tmp_path):
    from crimnet.cli import app

    argv = ["disrupt", "--edges", "siren", "--strategy", "degree_adaptive", "--budget", "5"]
    res = CliRunner().invoke(app, [*argv, "--recovery", "1", "--recovery-mode", "neighbours", "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    assert "After recovery (neighbours, p = 1)" in res.output
    summary = pd.read_csv(tmp_path / "recovery_summary.csv")
    curves = pd.read_csv(tmp_path / "recovery_curves.csv")
    assert summary["strategy"].tolist() == ["degree_adaptive"] and summary["budget"].tolist() == [5]
    assert curves["k"].tolist() == list(range(6))
    immediate = pd.read_csv(tmp_path / "curves.csv").head(6)
    np.testing.assert_allclose(curves["lcc_fraction"], immediate["lcc_fraction"])
    assert (curves["lcc_fraction_recovered"] >= curves["lcc_fraction"]).all() and summary["ties_added"][0] > 0
    bad = CliRunner().invoke(app, [*argv, "--recovery", "1.5"])
    assert bad.exit_code != 0
    plain = CliRunner().invoke(app, argv)
    assert "After recovery" not in plain.output
