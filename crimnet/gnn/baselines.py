"""Non-graph-learning baselines the GNN is measured against.

* :func:`neighbourhood_table` and :func:`fit_boosted`: gradient-boosted trees
  (scikit-learn's ``HistGradientBoostingClassifier``) on each person's own
  features plus aggregates of their neighbourhood: for every relationship type
  out of or into Person, the mean and the maximum of the neighbours' features,
  and for the people reached through one shared node (a phone, an address, an
  account...) the mean and maximum of their person features. Boosted trees on
  hand-made neighbourhood features are a strong baseline in the financial-crime
  literature (Weber et al., "Anti-Money Laundering in Bitcoin", KDD workshop 2019).
* :func:`rule_scores`: today's rule scores of detection (cluster risk passed to
  people, and the controller and victim evidence of
  :func:`crimnet.graphs.detect.roles.infer_roles`), as probabilities-shaped
  columns so every ranking is measured the same way.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.ensemble import HistGradientBoostingClassifier

from crimnet.errors import ParameterError, check_interval, check_type
from crimnet.gnn.data import REVERSE_PREFIX, GraphData
from crimnet.gnn.roles import LabelledGraph
from crimnet.graphs.detect.detection import detect
from crimnet.graphs.detect.roles import infer_roles
from crimnet.schema import ROLES
from crimnet.tables import CanonicalTables

__all__ = ["neighbourhood_table", "fit_boosted", "predict_boosted", "rule_scores"]


def _adjacency(graph: GraphData, et: tuple[str, str, str]) -> sp.csr_matrix:
    """Row-normalisable adjacency dst-type x src-type of one edge type (rows: the receiving nodes)."""
    ei = graph.data[et].edge_index.numpy()
    n_src, n_dst = len(graph.ids[et[0]]), len(graph.ids[et[2]])
    return sp.csr_matrix((np.ones(ei.shape[1]), (ei[1], ei[0])), shape=(n_dst, n_src))


def _mean_max(a: sp.csr_matrix, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    deg = np.asarray(a.sum(1)).ravel()
    mean = (a @ x) / np.maximum(deg, 1)[:, None]
    mx = np.zeros((a.shape[0], x.shape[1]))
    if a.nnz and x.shape[1]:
        coo = a.tocoo()
        vals = pd.DataFrame(x[coo.col]).groupby(coo.row).max()
        mx[vals.index.to_numpy()] = vals.to_numpy()
    return mean, mx


def neighbourhood_table(graph: GraphData) -> pd.DataFrame:
    """Return each person's features with the mean and maximum of their neighbours' features.

    Parameters
    ----------
    graph : GraphData
        :func:`crimnet.gnn.data.to_hetero_data` output.

    Returns
    -------
    DataFrame
        One row per person, indexed by Person id: ``self_<f>``, for every edge type into Person
        ``mean_<rel>_<f>`` and ``max_<rel>_<f>``, and ``peer_mean_<f>`` / ``peer_max_<f>`` over the people
        sharing any node with the person (two hops through a non-person node).

    Raises
    ------
    crimnet.errors.ParameterError
        If `graph` is not a :class:`GraphData`.

    Notes
    -----
    Sparse products and one group-by per edge type: O(m x f) for m edges and f features.
    """
    check_type(graph, GraphData, param="graph", func="neighbourhood_table", expected="a GraphData")
    xp = graph.data["Person"].x.numpy().astype(float)
    cols = {f"self_{c}": xp[:, i] for i, c in enumerate(graph.features["Person"])}
    peers = sp.csr_matrix((len(graph.ids["Person"]), len(graph.ids["Person"])))
    for et in graph.data.edge_types:
        if et[2] != "Person" or len(graph.ids[et[0]]) == 0:
            continue
        a = _adjacency(graph, et)
        x = graph.data[et[0]].x.numpy().astype(float)
        mean, mx = _mean_max(a, x)
        for i, c in enumerate(graph.features[et[0]]):
            cols[f"mean_{et[1]}_{c}"] = mean[:, i]
            cols[f"max_{et[1]}_{c}"] = mx[:, i]
        if et[0] != "Person" and et[1].startswith(REVERSE_PREFIX):
            peers = peers + (a @ a.T)
    peers = sp.csr_matrix(peers)
    peers.setdiag(0)
    peers.eliminate_zeros()
    peers.data[:] = 1.0
    mean, mx = _mean_max(peers, xp)
    for i, c in enumerate(graph.features["Person"]):
        cols[f"peer_mean_{c}"] = mean[:, i]
        cols[f"peer_max_{c}"] = mx[:, i]
    return pd.DataFrame(cols, index=graph.ids["Person"])


def fit_boosted(
    train: Sequence[LabelledGraph], *, seed: int = 0, max_iter: int = 200
) -> HistGradientBoostingClassifier:
    """Fit gradient-boosted trees on the neighbourhood tables of labelled graphs (balanced class weights).

    Parameters
    ----------
    train : sequence of LabelledGraph
        Training cases.
    seed : int, default 0
        Random state (>= 0).
    max_iter : int, default 200
        Boosting iterations (>= 1); early stopping on a 10% validation split.

    Returns
    -------
    HistGradientBoostingClassifier
        Fitted; ``feature_names_in_`` holds the columns.

    Raises
    ------
    crimnet.errors.ParameterError
        If `train` is empty or a number is out of range.
    """
    check_type(train, (list, tuple), param="train", func="fit_boosted", expected="a non-empty list of LabelledGraph")
    if not train:
        raise ParameterError("The 'train' parameter of fit_boosted must be a non-empty list. Got [] instead.")
    check_interval(seed, param="seed", func="fit_boosted", low=0, closed="left", integer=True)
    check_interval(max_iter, param="max_iter", func="fit_boosted", low=1, closed="left", integer=True)
    tabs = [neighbourhood_table(lg.graph) for lg in train]
    cols = sorted(set().union(*[set(t.columns) for t in tabs]))
    x = pd.concat([t.reindex(columns=cols).fillna(0.0) for t in tabs])
    y = np.concatenate([lg.y.numpy() for lg in train])
    ok = y >= 0
    clf = HistGradientBoostingClassifier(
        max_iter=max_iter, learning_rate=0.05, class_weight="balanced", random_state=seed, early_stopping=True
    )
    return clf.fit(x[ok], y[ok])


def predict_boosted(clf: HistGradientBoostingClassifier, graph: GraphData) -> np.ndarray:
    """Return ``(people, len(ROLES))`` role probabilities of the boosted trees (0 for a role never seen).

    Raises
    ------
    crimnet.errors.ParameterError
        If `clf` is not a fitted classifier or `graph` not a :class:`GraphData`.
    """
    check_type(clf, HistGradientBoostingClassifier, param="clf", func="predict_boosted", expected="a fitted model")
    check_type(graph, GraphData, param="graph", func="predict_boosted", expected="a GraphData")
    x = neighbourhood_table(graph).reindex(columns=list(clf.feature_names_in_)).fillna(0.0)
    p = clf.predict_proba(x)
    out = np.zeros((len(x), len(ROLES)))
    out[:, clf.classes_.astype(int)] = p
    return out


def rule_scores(tables: CanonicalTables, *, seed: int = 0) -> pd.DataFrame:
    """Today's rule scores of every person: detection's risk, and the controller and victim evidence.

    Parameters
    ----------
    tables : CanonicalTables
        The case.
    seed : int, default 0
        Seed of detection (>= 0).

    Returns
    -------
    DataFrame
        Indexed by Person id: ``risk`` (the person's risk score of :func:`crimnet.graphs.detect.detection.detect`),
        ``score_controller`` and ``score_victim`` (points of :func:`crimnet.graphs.detect.roles.infer_roles`
        over every detected cluster; 0 outside clusters). ``attrs['clusters']`` holds the detected clusters.

    Raises
    ------
    crimnet.errors.ParameterError
        If `tables` is not a :class:`CanonicalTables`.
    """
    check_type(tables, CanonicalTables, param="tables", func="rule_scores", expected="a CanonicalTables")
    check_interval(seed, param="seed", func="rule_scores", low=0, closed="left", integer=True)
    res = detect(tables, seed=seed)
    ids = pd.Index(tables.nodes["Person"]["id"].astype(str))
    ns = res.node_scores
    risk = ns[ns["method"].str.endswith("_risk")].drop_duplicates("node_id").set_index("node_id")["score"]
    roles = infer_roles(tables, res.clusters)
    r = roles.groupby(roles["node_id"].astype(str))[["score_controller", "score_victim"]].max()
    out = pd.DataFrame(index=ids)
    out["risk"] = risk.reindex(ids).fillna(0.0).to_numpy(dtype=float)
    out["score_controller"] = r["score_controller"].reindex(ids).fillna(0.0).to_numpy(dtype=float)
    out["score_victim"] = r["score_victim"].reindex(ids).fillna(0.0).to_numpy(dtype=float)
    out.attrs["clusters"] = res.clusters
    return out
