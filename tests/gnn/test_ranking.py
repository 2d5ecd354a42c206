"""The learned cluster ranking and the boosted-tree baseline."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crimnet.errors import ParameterError
from crimnet.gnn.baselines import fit_boosted, neighbourhood_table, predict_boosted
from crimnet.gnn.data import to_hetero_data
from crimnet.gnn.ranking import cluster_features, fit_ranker, matched_negatives, rank_clusters
from crimnet.gnn.roles import role_labels
from tests.fixtures import tiny, toy_case


def _roles(perp: dict[str, float], victim: dict[str, float]) -> pd.DataFrame:
    ids = sorted(set(perp) | set(victim))
    return pd.DataFrame(
        {
            "node_id": ids,
            "p_perpetrator": [perp.get(i, 0.0) for i in ids],
            "p_controller": [perp.get(i, 0.0) for i in ids],
            "p_victim": [victim.get(i, 0.0) for i in ids],
        }
    )


def test_ranker_puts_rings_first_and_says_why() -> None:
    clusters = pd.DataFrame(
        {
            "cluster_id": [1, 2, 3, 4],
            "members": [["a", "b", "c"], ["d", "e"], ["f", "g", "h"], ["i", "j"]],
            "score": [1.0, 3.0, 1.5, 2.0],
            "indicators": [[{"name": "wage_sweep", "strength": 1.0}], [], [], []],
        }
    )
    roles = _roles({"a": 0.9, "f": 0.8, "d": 0.1}, {"b": 0.9, "c": 0.8, "g": 0.7, "h": 0.9, "e": 0.2})
    f = cluster_features(clusters, roles)
    assert f.loc[1, "perp_max"] == 0.9 and f.loc[1, "victim_count"] == 2.0 and f.loc[1, "ind_wage_sweep"] == 1.0
    hits = pd.Series([True, False, True, False], index=[1, 2, 3, 4])
    ranker = fit_ranker([f], [hits])
    ranked = rank_clusters(ranker, f)
    assert set(ranked["cluster_id"].head(2)) == {1, 3}
    assert "perpetrator probability" in ranked.loc[0, "reasons"] or "victim" in ranked.loc[0, "reasons"]
    with pytest.raises(ParameterError):
        fit_ranker([f], [pd.Series(False, index=f.index)])


def test_matched_negatives_keep_the_clusters_nearest_each_ring_in_size() -> None:
    f = pd.DataFrame({"log_size": [3.0, 1.0, 3.2, 2.9, 0.5, 1.1, 0.9]}, index=[10, 11, 12, 13, 14, 15, 16])
    h = pd.Series([True, True, False, False, False, False, False], index=f.index)
    kept = matched_negatives(f, h, per_ring=2)
    assert kept.index.tolist() == [10, 11, 12, 13, 15, 16] and kept.sum() == 2  # 14 (smallest) matches no ring
    assert matched_negatives(f, h, per_ring=9).index.tolist() == f.index.tolist()
    with pytest.raises(ParameterError, match="match_on"):
        matched_negatives(f, h, match_on=("links",))


def test_matched_ranker_cannot_win_by_size_alone() -> None:
    """Rings are large, most background clusters small, and a few large look-alikes lack perpetrators: fitted on
    every cluster the ranker leans on size; fitted on size-matched negatives it leans on the perpetrators."""
    rng = np.random.default_rng(5)
    n_ring, n_small, n_look = 6, 60, 6
    size = np.r_[rng.normal(3.0, 0.1, n_ring), rng.normal(1.0, 0.2, n_small), rng.normal(3.0, 0.1, n_look)]
    perp = np.r_[rng.uniform(0.5, 0.9, n_ring), rng.uniform(0.0, 0.9, n_small), rng.uniform(0.0, 0.4, n_look)]
    f = pd.DataFrame({"log_size": size, "perp_max": perp})
    h = pd.Series(np.r_[np.ones(n_ring, bool), np.zeros(n_small + n_look, bool)])
    every, matched = fit_ranker([f], [h]), fit_ranker([f], [h], matched=2)
    assert matched.metrics["clusters"] <= n_ring * 3 and every.metrics["clusters"] == len(f)
    w_every, w_matched = (dict(zip(r.features, r.coef, strict=True)) for r in (every, matched))
    assert w_every["log_size"] > w_every["perp_max"] > 0  # size is the cue on every cluster
    assert w_matched["perp_max"] > 3 * abs(w_matched["log_size"])  # not once sizes are matched
    # a small ring against a large look-alike: only the matched ranker puts the ring first
    new = pd.DataFrame({"log_size": [1.2, 3.0], "perp_max": [0.85, 0.2]}, index=pd.Index([1, 2], name="cluster_id"))
    assert rank_clusters(matched, new)["cluster_id"].tolist() == [1, 2]
    assert rank_clusters(every, new)["cluster_id"].tolist() == [2, 1]


def test_neighbourhood_table_aggregates_neighbours() -> None:
    g = to_hetero_data(tiny())
    tab = neighbourhood_table(g)
    assert tab.index.tolist() == ["p1", "p2", "p3"]
    # p1 and p2 share a phone and an address; p3 only the address: p3's peers are p1 and p2
    col = "peer_max_deg_USES_PHONE_out"
    assert tab.loc["p3", col] == pytest.approx(np.log1p(1.0))
    assert tab.loc["p3", "mean_rev_LIVES_AT_occupants"] == pytest.approx(np.log1p(3.0))


def test_boosted_trees_fit_and_predict_probabilities() -> None:
    t0, truth0 = toy_case(n_families=60, n_rings=2, seed=0)
    lg = role_labels(to_hetero_data(t0), truth0)
    clf = fit_boosted([lg], max_iter=20)
    p = predict_boosted(clf, lg.graph)
    assert p.shape == (len(lg.y), 5)
    np.testing.assert_allclose(p.sum(1), 1.0)
