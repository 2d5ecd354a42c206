"""Risk scoring and explanations on a planted ring; weight fitting."""

import numpy as np
import pandas as pd
import pytest

from crimnet.errors import ParameterError
from crimnet.graphs.detect.community import clusters_from_membership
from crimnet.graphs.detect.evaluate import ring_hits
from crimnet.graphs.detect.risk import (
    INDICATORS,
    RiskWeights,
    cluster_features,
    cluster_risk,
    fit_risk_weights,
    risk_scores,
)
from crimnet.graphs.views import person_projection
from tests.fixtures import toy_case


@pytest.fixture(scope="module")
def case():
    tables, truth = toy_case(n_families=120, n_rings=3, seed=1)
    g = person_projection(tables)
    # clusters: each planted ring, plus background families grouped by address
    ring_members = truth[truth["ring_id"].notna()].groupby("ring_id")["node_id"].agg(list)
    la = tables.rels["LIVES_AT"]
    fam = la[~la["src"].isin(truth.loc[truth["ring_id"].notna(), "node_id"])].groupby("dst")["src"].agg(list)
    members = list(ring_members) + [m for m in fam if len(m) >= 3]
    clusters = pd.DataFrame(
        {
            "cluster_id": np.arange(len(members)),
            "method": "truth",
            "members": members,
            "size": [len(m) for m in members],
        }
    )
    return tables, truth, g, clusters


def test_planted_rings_rank_first_with_plain_words(case):
    tables, truth, g, clusters = case
    scored = cluster_risk(tables, clusters, graph=g)
    hits = ring_hits(scored, truth)
    assert hits["hit"].head(3).all() and not hits["hit"].iloc[3:].any()
    top = scored.iloc[0]
    names = [i["name"] for i in top["indicators"]]
    assert {"wage_sweep", "unrelated_adults_address", "people_per_phone", "same_small_business"} <= set(names)
    contributions = [i["contribution"] for i in top["indicators"]]
    assert contributions == sorted(contributions, reverse=True)
    assert sum(contributions) == pytest.approx(top["score"])
    texts = " | ".join(i["text"] for i in top["indicators"])
    n_victims = top["size"] - 2
    assert f"{n_victims} unrelated adult members (distinct family names) registered at one address (" in texts
    assert "mill lane, LS1 2AB" in texts
    assert f"{n_victims} people share one phone (+4416327" in texts
    assert "work at one small business (sparkle car wash" in texts
    assert "kept by a member, seen" in texts


def test_risk_scores_rank_organisers_above_victims(case):
    tables, truth, g, clusters = case
    scored = cluster_risk(tables, clusters, graph=g)
    s = risk_scores(tables, scored, graph=g).merge(truth, on="node_id")
    ctrl = s.loc[s["role"] == "controller", "score"]
    victims = s.loc[s["role"] == "victim", "score"]
    background = s.loc[s["role"] == "none", "score"]
    assert ctrl.min() > background.max()
    assert ctrl.mean() > victims.mean()


def test_weights_change_the_score_and_are_validated(case):
    tables, truth, g, clusters = case
    zero = RiskWeights(**{i.name: 0.0 for i in INDICATORS})
    assert (cluster_risk(tables, clusters, graph=g, weights=zero)["score"] == 0).all()
    with pytest.raises(ParameterError, match="The 'density' parameter of RiskWeights must be a float"):
        RiskWeights(density=float("nan"))
    assert RiskWeights.from_dict(RiskWeights(density=3.0).to_dict()) == RiskWeights(density=3.0)


def test_fit_risk_weights_separates_rings(case):
    tables, truth, g, clusters = case
    feats = cluster_features(tables, clusters, graph=g)
    in_ring = set(truth.loc[truth["ring_id"].notna(), "node_id"])
    labels = np.array([m[0] in in_ring for m in clusters["members"]])
    w = fit_risk_weights(feats, labels)
    scored = cluster_risk(tables, clusters, graph=g, weights=w)
    assert ring_hits(scored, truth)["hit"].head(int(labels.sum())).all()
    with pytest.raises(ParameterError, match="The 'labels' parameter of fit_risk_weights"):
        fit_risk_weights(feats, np.zeros(len(feats)))


def test_features_are_zero_without_evidence():
    from crimnet.tables import CanonicalTables

    t = CanonicalTables.from_partial({"Person": pd.DataFrame({"id": list("abc")})})
    c = clusters_from_membership(person_projection(t), [0, 0, 0], method="m")
    f = cluster_features(t, c)
    assert (f[[i.name for i in INDICATORS]].to_numpy() == 0).all()


def test_generated_ring_explanation(tmp_path):
    synthetic = pytest.importorskip("crimnet.synthetic")
    if not hasattr(synthetic, "generate_case"):
        pytest.skip("generator not available")
    from crimnet.synthetic.truth import align_truth, read_truth
    from crimnet.tables import CanonicalTables

    synthetic.generate_case(tmp_path / "case", people=1000, seed=4, preset="medium")
    tables = CanonicalTables.read(tmp_path / "case" / "truth" / "tables")
    truth = align_truth(read_truth(tmp_path / "case"))
    rings = truth[truth["ring_id"].notna()].groupby("ring_id")["node_id"].agg(list)
    clusters = pd.DataFrame(
        {
            "cluster_id": np.arange(len(rings)),
            "method": "truth",
            "members": list(rings),
            "size": rings.map(len).to_numpy(),
        }
    )
    scored = cluster_risk(tables, clusters, graph=person_projection(tables), min_size=2)
    assert (scored["score"] > 0).all()
    for indicators in scored["indicators"]:
        assert indicators, "every planted ring shows at least one indicator"
        for item in indicators:
            assert item["text"] and item["contribution"] > 0 and not item["text"].startswith(item["name"])


@pytest.mark.parametrize("seen_at, raised", [("home_b", True), ("elsewhere", False)])
def test_vehicle_keeper_signal_needs_a_sighting_at_a_members_home_or_workplace(seen_at, raised):
    from crimnet.tables import CanonicalTables

    t = CanonicalTables.from_partial(
        {
            "Person": pd.DataFrame({"id": ["a", "b"]}),
            "Address": pd.DataFrame({"id": ["home_b", "elsewhere"]}),
            "Vehicle": pd.DataFrame({"id": ["V1"]}),
            "LIVES_AT": pd.DataFrame({"src": ["b"], "dst": ["home_b"]}),
            "KEEPS": pd.DataFrame({"src": ["a"], "dst": ["V1"]}),
            "SEEN_AT": pd.DataFrame({"id": ["r1"], "src": ["V1"], "dst": [seen_at], "ts": ["2025-01-01T00:00:00Z"]}),
        }
    )
    c = pd.DataFrame(
        {"cluster_id": [0], "method": ["m"], "members": [["a", "b"]], "size": [2], "score": [2.0], "indicators": [[]]}
    )
    s = risk_scores(t, c).set_index("node_id")["score"]
    # three organiser signals without a graph: a keeper seen at a member's home gets 2 x (0.5 + 0.5 / 3)
    assert s["a"] == pytest.approx(2 * (0.5 + 0.5 / 3) if raised else 1.0)
    assert s["b"] == pytest.approx(1.0)


def test_a_crowded_address_counts_only_the_members_who_live_there():
    """A hall of 40 unrelated residents lends nothing to a cluster of whom one lives there; a house of members does."""
    from crimnet.graphs.detect.risk import cluster_features
    from crimnet.tables import CanonicalTables

    hall = [f"h{i}" for i in range(40)]
    house = ["v1", "v2", "v3", "v4", "c1"]
    people = [*hall, *house, "x1", "x2"]
    names = [f"ann name{i}" for i in range(len(people))]  # every one of another family
    tables = CanonicalTables.from_partial(
        {
            "Person": pd.DataFrame({"id": people, "name": names}),
            "Address": pd.DataFrame({"id": ["HALL", "HOUSE"]}),
            "LIVES_AT": pd.DataFrame(
                {"src": [*hall, "x1", *house], "dst": ["HALL"] * (len(hall) + 1) + ["HOUSE"] * len(house)}
            ),
        }
    )
    clusters = pd.DataFrame(
        {"cluster_id": [0, 1], "method": "m", "members": [["x1", "x2"], house], "size": [2, len(house)]}
    )
    features = cluster_features(tables, clusters).set_index("cluster_id")
    assert features.loc[0, "unrelated_adults_address"] == 1  # x1 alone at the hall of 41
    assert features.loc[1, "unrelated_adults_address"] == len(house)
    assert features.loc[0, "details"]["unrelated_adults_address"]["adults"] == len(hall) + 1  # context kept


def test_a_vehicle_counts_only_where_its_keeper_does_not_live_or_work():
    from crimnet.graphs.detect.risk import cluster_features
    from crimnet.tables import CanonicalTables

    home, others = ["k", "a1", "a2", "a3"], ["b1", "b2", "b3"]  # k keeps the van and lives at HOME
    people = [*home, *others]

    def shared(places: list[str]) -> float:
        tables = CanonicalTables.from_partial(
            {
                "Person": pd.DataFrame({"id": people, "name": [f"ann name{i}" for i in range(len(people))]}),
                "Address": pd.DataFrame({"id": ["HOME", "FLAT"]}),
                "Vehicle": pd.DataFrame({"id": ["VAN1"]}),
                "LIVES_AT": pd.DataFrame({"src": people, "dst": ["HOME"] * len(home) + ["FLAT"] * len(others)}),
                "KEEPS": pd.DataFrame({"src": ["k"], "dst": ["VAN1"]}),
                "SEEN_AT": pd.DataFrame(
                    {"id": [f"r{i}" for i in range(len(places))], "src": ["VAN1"] * len(places), "dst": places}
                ),
            }
        )
        clusters = pd.DataFrame({"cluster_id": [0], "method": "m", "members": [people], "size": [len(people)]})
        return float(cluster_features(tables, clusters)["shared_vehicle"].iloc[0])

    assert shared(["HOME", "HOME"]) == 0  # parked at its keeper's own home: nothing
    assert shared(["HOME", "FLAT"]) == len(others)  # at the flat of three other members
