"""Hidden links: the split, the baselines and the GNN link predictor; hidden person-thing links of a case."""

from __future__ import annotations

from pathlib import Path

import igraph as ig
import numpy as np
import pandas as pd
import pytest

from crimnet.datasets import load_network
from crimnet.errors import ParameterError
from crimnet.gnn.case_graph import case_graph
from crimnet.gnn.case_links import (
    case_link_prediction,
    hide_links,
    link_metrics,
    pair_features,
    shared_things_scores,
)
from crimnet.gnn.hetero_links import hetero_sage_link_scores
from crimnet.gnn.links import adamic_adar_scores, hide_edges, katz_scores, link_prediction
from crimnet.synthetic import generate_case
from crimnet.tables import CanonicalTables


def test_hidden_edges_and_negatives_are_disjoint_and_right_sized() -> None:
    g = ig.Graph.Erdos_Renyi(n=60, m=200)
    s = hide_edges(g, share=0.1, seed=3)
    assert len(s["hidden"]) == 20 and len(s["kept"]) == 180 and len(s["negative"]) == 20
    edges = {tuple(sorted(e)) for e in g.get_edgelist()}
    assert {tuple(p) for p in s["hidden"]} <= edges
    assert not ({tuple(p) for p in s["negative"]} & edges)
    assert not ({tuple(p) for p in s["hidden"]} & {tuple(p) for p in s["kept"]})


def test_baselines_score_a_closed_triangle_above_a_distant_pair() -> None:
    kept = np.array([[0, 1], [1, 2], [2, 3], [3, 4], [0, 5], [5, 2]])
    pairs = np.array([[0, 2], [0, 4]])
    aa = adamic_adar_scores(6, kept, pairs)
    katz = katz_scores(6, kept, pairs, beta=0.1)
    assert aa[0] > aa[1] == 0 and katz[0] > katz[1] > 0


@pytest.mark.heavy
def test_link_prediction_on_a_bundled_network() -> None:
    r = link_prediction(load_network("london_gang"), seed=0, epochs=100).set_index("method")
    # the gang's ties cluster: every method finds hidden ties well above chance
    assert (r["auc"] > 0.6).all(), r
    assert r.loc["adamic_adar", "auc"] > 0.8


def _town(people: int = 40, shared: int = 10) -> CanonicalTables:
    """People p0..p{n-1}, each with a phone and an account of their own; pairs (p2i, p2i+1) < `shared` share
    an address and a second phone, so that those phone links may be hidden without leaving a node bare."""
    ids = [f"p{i}" for i in range(people)]
    own = [f"+4477009{i:05d}" for i in range(people)]
    pair = np.arange(shared) // 2
    return CanonicalTables.from_partial(
        {
            "Person": pd.DataFrame({"id": ids}),
            "Phone": pd.DataFrame({"id": own + [f"+4477008{j:05d}" for j in range(shared // 2)]}),
            "Account": pd.DataFrame({"id": [f"{i:06d}:{i:08d}" for i in range(people)]}),
            "Address": pd.DataFrame({"id": [f"LS1 1AA|{j} high street" for j in range(shared // 2)]}),
            "USES_PHONE": pd.DataFrame({"src": ids + ids[:shared], "dst": own + [f"+4477008{j:05d}" for j in pair]}),
            "HOLDS": pd.DataFrame({"src": ids, "dst": [f"{i:06d}:{i:08d}" for i in range(people)]}),
            "LIVES_AT": pd.DataFrame({"src": ids[:shared], "dst": [f"LS1 1AA|{j} high street" for j in pair]}),
        }
    )


def test_hiding_removes_exactly_the_share_and_draws_negatives_that_are_never_links() -> None:
    g = case_graph(_town())
    visible, test = hide_links(g, share=0.1, seed=5)
    for rel, total, hidden in (("USES_PHONE", 50, 5), ("HOLDS", 40, 4)):
        t = test[test["rel"] == rel]
        assert len(visible[rel]) == total - hidden and t["label"].tolist() == [1] * hidden + [0] * hidden
        true = {tuple(p) for p in g.links[rel]}
        pos = {tuple(p) for p in t[t["label"] == 1][["src", "dst"]].to_numpy()}
        neg = {tuple(p) for p in t[t["label"] == 0][["src", "dst"]].to_numpy()}
        assert pos <= true and not pos & {tuple(p) for p in visible[rel]} and len(pos) == hidden
        assert not neg & true and len(neg) == hidden  # distinct, never a true link (hidden ones included)
        # negatives join the type's labels: a person and a phone (account)
        assert (t["src"] < g.offsets["Phone"]).all() and (t["dst"] >= g.offsets["Phone"]).all()


def test_keep_last_never_hides_a_nodes_last_link() -> None:
    g = case_graph(_town(shared=10))
    # 10 people hold a second, shared phone: of the 20 links of those people, 5 may go without leaving a bare
    # node (one per pair of sharers at most); every account has one holder, so no HOLDS link may go
    visible, test = hide_links(g, rels=["USES_PHONE"], share=0.1, seed=0, keep_last=True)
    before = np.bincount(g.links["USES_PHONE"].ravel(), minlength=g.n)
    after = np.bincount(visible["USES_PHONE"].ravel(), minlength=g.n)
    assert (test["label"] == 1).sum() == 5 and ((before == 0) | (after >= 1)).all()
    with pytest.raises(ParameterError, match="may be hidden"):
        hide_links(g, rels=["HOLDS"], share=0.1, keep_last=True)
    with pytest.raises(ParameterError, match="may be hidden"):
        hide_links(g, rels=["USES_PHONE"], share=0.2, keep_last=True)


def test_shared_things_ranks_a_hidden_shared_phone_above_random_pairs() -> None:
    g = case_graph(_town(shared=10))
    visible, test = hide_links(g, rels=["USES_PHONE"], share=0.1, seed=0, keep_last=True)
    x = pair_features(g.n, visible, test[["src", "dst"]].to_numpy(), "USES_PHONE")
    pos, neg = x["shared_things"][test["label"] == 1], x["shared_things"][test["label"] == 0]
    # the hidden sharer lives with the one still on the phone: one path through the address (degree 2)
    assert np.allclose(pos, 1 / np.log(2)) and (neg == 0).all()
    assert link_metrics(test["label"].to_numpy(), x["shared_things"].to_numpy()) == {"auc": 1.0, "ap": 1.0}


def test_shared_things_counts_weighted_paths_of_three() -> None:
    # 0 shares thing 2 with 1 (degree 2) and thing 4 with 1 (degree 3, also 5's); 1 uses 3
    e = np.array([[0, 2], [1, 2], [0, 4], [1, 4], [5, 4], [1, 3]])
    s = shared_things_scores(6, e, np.array([[0, 3], [5, 3], [0, 5]]))
    assert np.allclose(s, [1 / np.log(2) + 1 / np.log(3), 1 / np.log(3), 0.0])


def test_link_metrics_on_a_tiny_ranking() -> None:
    # AUC: 3 of the 4 positive-negative pairs ordered right; AP: precision 1 at the first positive, 2/3 at the 2nd
    m = link_metrics(np.array([1, 0, 1, 0]), np.array([0.9, 0.8, 0.3, 0.1]))
    assert m["auc"] == pytest.approx(0.75) and m["ap"] == pytest.approx((1 + 2 / 3) / 2)
    assert link_metrics(np.array([1, 0]), np.array([0.5, 0.5]))["auc"] == 0.5  # ties count half


def test_case_link_prediction_finds_hidden_shared_phones_in_a_generated_case(tmp_path: Path) -> None:
    generate_case(tmp_path, people=600, seed=31, preset="medium")
    t = CanonicalTables.read(tmp_path / "truth" / "tables")
    r = case_link_prediction(t, rels=["USES_PHONE"], share=0.03, seed=0, keep_last=True, epochs=5).set_index("method")
    assert set(r.index) == {"adamic_adar", "shared_things", "katz", "logreg", "logreg_pair", "hetero_sage"}
    # people sharing a phone share other things too: paths through them find the hidden links
    assert r.loc["shared_things", "auc"] > 0.8 and r.loc["katz", "auc"] > 0.65, r


def test_hetero_sage_link_scores_are_probabilities_repeatable_with_a_seed() -> None:
    g = case_graph(_town())
    visible, test = hide_links(g, rels=["HOLDS"], share=0.1, seed=1)
    pairs = test[["src", "dst"]].to_numpy()
    a = hetero_sage_link_scores(g, visible, "HOLDS", pairs, epochs=3, hidden=8, seed=2)
    b = hetero_sage_link_scores(g, visible, "HOLDS", pairs, epochs=3, hidden=8, seed=2)
    assert a.shape == (len(pairs),) and ((a > 0) & (a < 1)).all() and np.array_equal(a, b)
