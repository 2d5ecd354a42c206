"""Detection metrics against planted rings, and single-indicator baselines.

Definitions follow DESIGN.md ("Measures"):

* a cluster **hits** ring ``r`` when its members include at least half of
  ``r``'s perpetrators (roles controller, recruiter, facilitator) and at least
  half of its members belong to ``r``;
* **precision@k**: the share of the k highest-scoring clusters that hit a ring;
* **ring recall**: the share of rings hit by at least one cluster (optionally
  among the top k);
* node-level **average precision** of a node score for perpetrators;
* **NMI / ARI** between the clusters and the rings, over ring members.

Truth is the output of :func:`crimnet.synthetic.truth.align_truth` (node_id,
person_id, role, ring_id, typology).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from crimnet.errors import bad_parameter, check_interval, check_type
from crimnet.graphs.detect.community import membership_table
from crimnet.tables import CanonicalTables

__all__ = [
    "PERPETRATOR_ROLES",
    "ring_hits",
    "precision_at_k",
    "ring_recall",
    "average_precision",
    "normalized_mutual_info",
    "adjusted_rand_index",
    "evaluate_clusters",
    "largest_degree_baseline",
    "crowded_address_baseline",
]

PERPETRATOR_ROLES = ("controller", "recruiter", "facilitator")


def _check_truth(truth: pd.DataFrame, func: str) -> pd.DataFrame:
    check_type(truth, pd.DataFrame, param="truth", func=func, expected="an aligned truth DataFrame")
    missing = [c for c in ("node_id", "role", "ring_id") if c not in truth.columns]
    if missing:
        raise bad_parameter("truth", func, "a DataFrame with columns node_id, role, ring_id", f"missing {missing}")
    t = truth[["node_id", "role", "ring_id"]].copy()
    t["node_id"] = t["node_id"].astype(str)
    t["ring_id"] = t["ring_id"].astype(object).where(t["ring_id"].notna() & (t["ring_id"].astype(str) != ""), None)
    return t


def _ranked(clusters: pd.DataFrame) -> pd.DataFrame:
    c = clusters.reset_index(drop=True)
    score = c["score"].fillna(-np.inf) if "score" in c else pd.Series(0.0, index=c.index)
    order = np.lexsort((-c["size"].to_numpy(), -score.to_numpy()))  # score desc, then larger first
    return c.iloc[order].reset_index(drop=True)


def ring_hits(clusters: pd.DataFrame, truth: pd.DataFrame) -> pd.DataFrame:
    """Match every cluster to the ring it covers best and say whether it is a hit.

    Parameters
    ----------
    clusters : DataFrame
        A ``clusters`` table (cluster_id, members, size, score...).
    truth : DataFrame
        Aligned truth (node_id, role, ring_id).

    Returns
    -------
    DataFrame
        One row per cluster in rank order (score descending, ties by size):
        ``rank`` (int64, from 1), ``cluster_id``, ``size``, ``score``,
        ``ring_id`` (best ring or None), ``perp_coverage`` (float, share of
        that ring's perpetrators in the cluster), ``purity`` (float, share of
        the cluster in that ring), ``hit`` (bool).

    Notes
    -----
    Rings without any perpetrator use all their members in place of the
    perpetrators. O(total members) joins.

    Examples
    --------
    >>> t = pd.DataFrame({"node_id": list("abcd"), "role": ["controller", "victim", "victim", "none"],
    ...                   "ring_id": ["R", "R", "R", None]})
    >>> c = pd.DataFrame({"cluster_id": [0, 1], "method": "m", "members": [["a", "b"], ["c", "d"]],
    ...                   "size": [2, 2], "score": [2.0, 1.0]})
    >>> ring_hits(c, t)[["cluster_id", "ring_id", "hit"]].to_dict("records")
    [{'cluster_id': 0, 'ring_id': 'R', 'hit': True}, {'cluster_id': 1, 'ring_id': 'R', 'hit': False}]
    """
    check_type(clusters, pd.DataFrame, param="clusters", func="ring_hits", expected="a pandas DataFrame")
    t = _check_truth(truth, "ring_hits")
    ranked = _ranked(clusters)
    ranked["rank"] = np.arange(1, len(ranked) + 1, dtype=np.int64)
    out = ranked[["rank", "cluster_id", "size"]].copy()
    out["score"] = ranked["score"].to_numpy() if "score" in ranked else np.nan
    ring_members = t[t["ring_id"].notna()]
    perps = ring_members[ring_members["role"].isin(PERPETRATOR_ROLES)]
    n_perp = perps.groupby("ring_id").size()
    n_all = ring_members.groupby("ring_id").size()
    denom = n_all.copy()
    denom.loc[n_perp.index] = n_perp
    # members keyed by rank, not cluster_id: every method numbers its clusters from 0
    m = membership_table(ranked.assign(cluster_id=ranked["rank"], method="x")).rename(columns={"cluster_id": "rank"})
    j = m.merge(ring_members, on="node_id", how="inner")
    if len(j):
        j["is_perp"] = j["role"].isin(PERPETRATOR_ROLES) | ~j["ring_id"].isin(n_perp.index)
        agg = j.groupby(["rank", "ring_id"]).agg(n_in=("node_id", "size"), p_in=("is_perp", "sum")).reset_index()
        agg["perp_coverage"] = agg["p_in"] / agg["ring_id"].map(denom).to_numpy()
        agg["purity"] = agg["n_in"] / agg["rank"].map(dict(zip(out["rank"], out["size"], strict=True))).to_numpy()
        agg["hit"] = (agg["perp_coverage"] >= 0.5) & (agg["purity"] >= 0.5)
        agg = agg.sort_values(["rank", "hit", "perp_coverage", "purity"], ascending=[True, False, False, False])
        best = agg.drop_duplicates("rank").set_index("rank")
        out["ring_id"] = out["rank"].map(best["ring_id"]).astype(object).where(out["rank"].isin(best.index), None)
        out["perp_coverage"] = out["rank"].map(best["perp_coverage"]).fillna(0.0).astype(float)
        out["purity"] = out["rank"].map(best["purity"]).fillna(0.0).astype(float)
        out["hit"] = out["rank"].map(best["hit"]).fillna(False).astype(bool)
    else:
        out["ring_id"], out["perp_coverage"], out["purity"], out["hit"] = None, 0.0, 0.0, False
    return out.reset_index(drop=True)


def precision_at_k(clusters: pd.DataFrame, truth: pd.DataFrame, *, k: int = 10) -> float:
    """Return the share of the `k` highest-scoring clusters that hit a planted ring.

    Fewer than `k` clusters count the missing ranks as misses. Overlapping
    clusters (e.g. the degree baseline's ego networks) can each hit the same
    ring; :func:`ring_recall` counts distinct rings.

    Examples
    --------
    >>> t = pd.DataFrame({"node_id": ["a", "b"], "role": ["controller", "victim"], "ring_id": ["R", "R"]})
    >>> c = pd.DataFrame({"cluster_id": [0], "method": "m", "members": [["a", "b"]], "size": [2], "score": [1.0]})
    >>> precision_at_k(c, t, k=2)
    0.5
    """
    check_type(clusters, pd.DataFrame, param="clusters", func="precision_at_k", expected="a pandas DataFrame")
    check_interval(k, param="k", func="precision_at_k", low=1, closed="left", integer=True)
    hits = ring_hits(clusters, truth)
    return float(hits["hit"].head(k).sum() / k)


def ring_recall(clusters: pd.DataFrame, truth: pd.DataFrame, *, k: int | None = None) -> float:
    """Return the share of planted rings hit by at least one cluster (among the top `k` if given).

    Examples
    --------
    >>> t = pd.DataFrame({"node_id": ["a", "b"], "role": ["controller", "controller"], "ring_id": ["R", "S"]})
    >>> c = pd.DataFrame({"cluster_id": [0], "method": "m", "members": [["a"]], "size": [1], "score": [1.0]})
    >>> ring_recall(c, t)
    0.5
    """
    check_type(clusters, pd.DataFrame, param="clusters", func="ring_recall", expected="a pandas DataFrame")
    if k is not None:
        check_interval(k, param="k", func="ring_recall", low=1, closed="left", integer=True)
    t = _check_truth(truth, "ring_recall")
    rings = t["ring_id"].dropna().unique()
    if len(rings) == 0:
        return float("nan")
    hits = ring_hits(clusters, truth)
    if k is not None:
        hits = hits.head(k)
    return float(hits.loc[hits["hit"], "ring_id"].nunique() / len(rings))


def average_precision(
    node_scores: pd.DataFrame, truth: pd.DataFrame, *, roles: tuple[str, ...] = PERPETRATOR_ROLES
) -> float:
    """Return the average precision of a node score for finding people with `roles`.

    ``AP = sum over score thresholds t of (recall(t) - recall(t-1)) * precision(t)``,
    ranking the truth's people by score (descending; people without a score rank
    last). People with equal scores form one threshold, so the result does not
    depend on the truth's row order; with no ties it is the mean, over positives,
    of the precision at each positive's rank (as scikit-learn's
    ``average_precision_score``).

    Examples
    --------
    >>> t = pd.DataFrame({"node_id": list("abc"), "role": ["controller", "none", "victim"], "ring_id": None})
    >>> s = pd.DataFrame({"node_id": list("abc"), "score": [0.2, 0.9, 0.1]})
    >>> average_precision(s, t)
    0.5
    """
    check_type(node_scores, pd.DataFrame, param="node_scores", func="average_precision", expected="a pandas DataFrame")
    t = _check_truth(truth, "average_precision")
    s = node_scores[["node_id", "score"]].astype({"node_id": str}).groupby("node_id")["score"].max()
    scores = t["node_id"].map(s).fillna(-np.inf).to_numpy(dtype=float)
    pos = t["role"].isin(roles).to_numpy()
    if pos.sum() == 0:
        return float("nan")
    order = np.argsort(-scores, kind="stable")
    ranked, hits = scores[order], pos[order]
    last = np.r_[np.flatnonzero(ranked[1:] != ranked[:-1]), len(ranked) - 1]  # end of each block of equal scores
    tp = np.cumsum(hits)[last]
    precision = tp / (last + 1)
    return float((np.diff(tp, prepend=0) * precision).sum() / pos.sum())


def _contingency(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    ia = pd.factorize(a)[0]
    ib = pd.factorize(b)[0]
    import scipy.sparse as sp

    return sp.coo_matrix((np.ones(len(ia)), (ia, ib)), shape=(ia.max() + 1, ib.max() + 1)).toarray()


def normalized_mutual_info(labels_true: np.ndarray, labels_pred: np.ndarray) -> float:
    """Return the normalised mutual information (arithmetic mean normalisation) of two labellings.

    ``NMI = 2 I(A; B) / (H(A) + H(B))``; 1 for identical partitions up to relabelling.

    References
    ----------
    .. [1] Danon, L., Díaz-Guilera, A., Duch, J. & Arenas, A. (2005). Comparing
       community structure identification. J. Stat. Mech. P09008.
       doi:10.1088/1742-5468/2005/09/P09008

    Examples
    --------
    >>> normalized_mutual_info(np.array([0, 0, 1, 1]), np.array([5, 5, 7, 7]))
    1.0
    """
    a, b = _label_arrays(labels_true, labels_pred, "normalized_mutual_info")
    if len(a) == 0:
        return float("nan")
    c = _contingency(a, b) / len(a)
    pa, pb = c.sum(axis=1), c.sum(axis=0)
    nz = c > 0
    mi = float((c[nz] * np.log(c[nz] / np.outer(pa, pb)[nz])).sum())
    ha = float(-(pa[pa > 0] * np.log(pa[pa > 0])).sum())
    hb = float(-(pb[pb > 0] * np.log(pb[pb > 0])).sum())
    if ha + hb == 0:
        return 1.0
    return float(np.clip(2 * mi / (ha + hb), 0.0, 1.0))


def adjusted_rand_index(labels_true: np.ndarray, labels_pred: np.ndarray) -> float:
    """Return the adjusted Rand index of two labellings (1 identical, about 0 random).

    References
    ----------
    .. [1] Hubert, L. & Arabie, P. (1985). Comparing partitions. Journal of
       Classification 2, 193-218. doi:10.1007/BF01908075

    Examples
    --------
    >>> adjusted_rand_index(np.array([0, 0, 1, 1]), np.array([1, 1, 0, 0]))
    1.0
    """
    a, b = _label_arrays(labels_true, labels_pred, "adjusted_rand_index")
    if len(a) < 2:
        return float("nan")
    c = _contingency(a, b)

    def comb2(x: np.ndarray) -> float:
        return float((x * (x - 1) / 2).sum())

    s_ij = comb2(c)
    s_a, s_b = comb2(c.sum(axis=1)), comb2(c.sum(axis=0))
    total = len(a) * (len(a) - 1) / 2
    expected = s_a * s_b / total
    max_index = (s_a + s_b) / 2
    if max_index == expected:
        return 1.0
    return float((s_ij - expected) / (max_index - expected))


def evaluate_clusters(
    clusters: pd.DataFrame,
    truth: pd.DataFrame,
    *,
    node_scores: pd.DataFrame | None = None,
    k: int = 10,
) -> dict[str, float]:
    """Compute every detection metric for one method.

    Parameters
    ----------
    clusters : DataFrame
        Ranked (scored) ``clusters`` table of one method.
    truth : DataFrame
        Aligned truth.
    node_scores : DataFrame, optional
        ``node_scores`` of the method (node_id, score) for average precision.
    k : int, default 10
        Cut-off of precision@k and recall@k.

    Returns
    -------
    dict
        ``precision_at_k``, ``ring_recall`` (all clusters), ``ring_recall_at_k``,
        ``node_ap`` (NaN without `node_scores`), ``nmi`` and ``ari`` (over
        ring members: true ring against the cluster holding each, people in no
        cluster as singletons), ``n_clusters``, ``n_rings``.

    Examples
    --------
    >>> t = pd.DataFrame({"node_id": list("ab"), "role": ["controller", "victim"], "ring_id": ["R", "R"]})
    >>> c = pd.DataFrame({"cluster_id": [0], "method": "m", "members": [["a", "b"]], "size": [2], "score": [1.0]})
    >>> evaluate_clusters(c, t, k=1)["precision_at_k"]
    1.0
    """
    check_type(clusters, pd.DataFrame, param="clusters", func="evaluate_clusters", expected="a pandas DataFrame")
    check_interval(k, param="k", func="evaluate_clusters", low=1, closed="left", integer=True)
    t = _check_truth(truth, "evaluate_clusters")
    hits = ring_hits(clusters, t)
    rings = t["ring_id"].dropna().unique()
    n_rings = len(rings)
    members = t[t["ring_id"].notna()]
    memb = membership_table(clusters.assign(method="x")).drop_duplicates("node_id").set_index("node_id")["cluster_id"]
    pred = members["node_id"].map(memb)
    pred = np.where(pred.notna(), pred.astype("Float64").astype(str), "single:" + members["node_id"].astype(str))
    return {
        "precision_at_k": float(hits["hit"].head(k).sum() / k),
        "ring_recall": float(hits.loc[hits["hit"], "ring_id"].nunique() / n_rings) if n_rings else float("nan"),
        "ring_recall_at_k": float(hits.head(k).loc[lambda h: h["hit"], "ring_id"].nunique() / n_rings)
        if n_rings
        else float("nan"),
        "node_ap": average_precision(node_scores, t) if node_scores is not None else float("nan"),
        "nmi": normalized_mutual_info(members["ring_id"].astype(str).to_numpy(), np.asarray(pred)),
        "ari": adjusted_rand_index(members["ring_id"].astype(str).to_numpy(), np.asarray(pred)),
        "n_clusters": int(len(clusters)),
        "n_rings": int(n_rings),
    }


def largest_degree_baseline(graph, *, top: int = 100) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Baseline: rank people by degree; each of the `top` people and their neighbours form a cluster.

    Parameters
    ----------
    graph : igraph.Graph
        The person projection.
    top : int, default 100
        Number of clusters (ego networks of the highest-degree people).

    Returns
    -------
    clusters, node_scores : DataFrame
        Method ``'baseline_degree'``; cluster score = the ego's degree, node
        score = degree.

    Examples
    --------
    >>> import igraph as ig
    >>> c, s = largest_degree_baseline(ig.Graph.Star(4), top=1)
    >>> c["members"].tolist(), c["score"].tolist()
    ([['0', '1', '2', '3']], [3.0])
    """
    from crimnet.graphs.detect.centrality import degree_scores

    check_interval(top, param="top", func="largest_degree_baseline", low=1, closed="left", integer=True)
    scores = degree_scores(graph)
    deg = scores["score"].to_numpy()
    egos = np.argsort(-deg, kind="stable")[:top]
    ids = scores["node_id"].to_numpy()
    members = [ids[np.asarray(sorted({int(v), *graph.neighbors(int(v))}))].tolist() for v in egos]
    clusters = pd.DataFrame(
        {
            "cluster_id": np.arange(len(egos), dtype=np.int64),
            "method": "baseline_degree",
            "members": pd.Series(members, dtype=object),
            "size": np.array([len(m) for m in members], dtype=np.int64),
            "score": deg[egos].astype(float),
            "indicators": pd.Series([[] for _ in egos], dtype=object),
        }
    )
    clusters.attrs.update(method="baseline_degree", parameters={"top": top})
    return clusters, scores.assign(method="baseline_degree")


def crowded_address_baseline(tables, *, top: int = 100) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Baseline: "many people at one address": the occupants of the most crowded addresses.

    Parameters
    ----------
    tables : CanonicalTables
        The canonical tables.
    top : int, default 100
        Number of clusters (the `top` addresses by number of occupants).

    Returns
    -------
    clusters, node_scores : DataFrame
        Method ``'baseline_address'``; cluster score = occupants; node score =
        occupants of the person's most crowded address (0 without one).

    Examples
    --------
    >>> from crimnet.tables import CanonicalTables
    >>> t = CanonicalTables.from_partial({
    ...     "Person": pd.DataFrame({"id": list("abc")}), "Address": pd.DataFrame({"id": ["x", "y"]}),
    ...                 "LIVES_AT": pd.DataFrame({"src": list("abc"), "dst": ["x", "x", "y"]})})
    >>> crowded_address_baseline(t, top=1)[0][["members", "score"]].to_dict("list")
    {'members': [['a', 'b']], 'score': [2.0]}
    """
    check_type(tables, CanonicalTables, param="tables", func="crowded_address_baseline", expected="a CanonicalTables")
    check_interval(top, param="top", func="crowded_address_baseline", low=1, closed="left", integer=True)
    la = tables.rels["LIVES_AT"][["src", "dst"]].astype(str).drop_duplicates()
    occ = la.groupby("dst")["src"].agg(list)
    n_occ = occ.map(len).sort_values(ascending=False, kind="stable")
    chosen = n_occ.head(top)
    clusters = pd.DataFrame(
        {
            "cluster_id": np.arange(len(chosen), dtype=np.int64),
            "method": "baseline_address",
            "members": pd.Series([sorted(occ[a]) for a in chosen.index], dtype=object),
            "size": chosen.to_numpy(dtype=np.int64),
            "score": chosen.to_numpy(dtype=float),
            "indicators": pd.Series([[] for _ in range(len(chosen))], dtype=object),
        }
    )
    clusters.attrs.update(method="baseline_address", parameters={"top": top})
    person_max = la.assign(n=la["dst"].map(n_occ)).groupby("src")["n"].max()
    people = tables.nodes["Person"]["id"].astype(str)
    scores = pd.DataFrame(
        {
            "node_id": people.to_numpy(),
            "label": "Person",
            "method": "baseline_address",
            "score": people.map(person_max).fillna(0).to_numpy(dtype=float),
        }
    )
    return clusters, scores


def _label_arrays(labels_true: Any, labels_pred: Any, func: str) -> tuple[np.ndarray, np.ndarray]:
    """Check two labellings of the same items and return them as arrays."""
    check_type(
        labels_true,
        (np.ndarray, pd.Series, list, tuple),
        param="labels_true",
        func=func,
        expected="an array-like of labels",
    )
    a, b = np.asarray(labels_true), np.asarray(labels_pred)
    if len(a) != len(b):
        raise bad_parameter("labels_pred", func, f"of length {len(a)}", len(b))
    return a, b
