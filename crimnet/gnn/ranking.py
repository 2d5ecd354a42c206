"""A learned cluster score: rings above look-alikes, from member role probabilities and cluster features.

:func:`cluster_features` describes each detected cluster by what its members'
role probabilities say (how likely its most likely perpetrator is, how many
members look like victims...) and by the rule indicators detection already
computes (``indicators`` of :func:`crimnet.graphs.detect.detection.detect`).
:func:`fit_ranker` fits a class-balanced logistic regression on clusters of
cases whose rings are known (hits of :func:`crimnet.graphs.detect.evaluate.ring_hits`
are positives; every other cluster, look-alikes included, a negative), and
:func:`rank_clusters` scores the clusters of a new case with the reasons in
words: the features that pushed the score up most (coefficient times
standardised value).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

from crimnet.errors import ParameterError, check_columns, check_interval, check_type
from crimnet.gnn.fragments import MIN_LINK_SHARE, choose_min_share, fold_yield

__all__ = [
    "ClusterRanker",
    "cluster_features",
    "fit_ranker",
    "matched_negatives",
    "rank_clusters",
    "ring_parts",
    "with_fold_share",
    "FEATURE_WORDS",
]

FEATURE_WORDS = {
    "log_size": "cluster size (log)",
    "rule_score": "rule risk score",
    "perp_max": "highest perpetrator probability of a member",
    "perp_mean": "mean perpetrator probability of members",
    "perp_count": "members more likely perpetrators than not",
    "controller_max": "highest controller probability of a member",
    "victim_mean": "mean victim probability of members",
    "victim_count": "members more likely victims than not",
    "victim_share": "share of members more likely victims than not",
}
"""Plain words for each learned cluster feature (indicator features read ``indicator <name>``)."""


def cluster_features(clusters: pd.DataFrame, roles: pd.DataFrame) -> pd.DataFrame:
    """Describe each cluster by its members' role probabilities and its rule indicators.

    Parameters
    ----------
    clusters : DataFrame
        ``cluster_id``, ``members`` (lists of Person ids), optionally ``score`` and ``indicators`` (lists of
        dicts with ``name`` and ``strength``), as :func:`crimnet.graphs.detect.detection.detect` returns.
    roles : DataFrame
        :func:`crimnet.gnn.roles.predict_roles` output (``node_id``, ``p_<role>``, ``p_perpetrator``).

    Returns
    -------
    DataFrame
        Indexed by ``cluster_id``; the columns of :data:`FEATURE_WORDS` then ``ind_<indicator>`` (strength in
        [0, 1], 0 when absent), float64.

    Raises
    ------
    crimnet.errors.ParameterError
        If an argument is not a DataFrame with the columns named.

    Examples
    --------
    >>> c = pd.DataFrame({"cluster_id": [1], "members": [["a", "b"]], "score": [2.0]})
    >>> r = pd.DataFrame({"node_id": ["a", "b"], "p_perpetrator": [0.9, 0.1], "p_controller": [0.8, 0.0],
    ...                   "p_victim": [0.05, 0.9]})
    >>> cluster_features(c, r).loc[1, ["perp_max", "victim_count"]].tolist()
    [0.9, 1.0]
    """
    check_type(clusters, pd.DataFrame, param="clusters", func="cluster_features", expected="a clusters DataFrame")
    check_type(roles, pd.DataFrame, param="roles", func="cluster_features", expected="a roles DataFrame")
    check_columns(clusters, ["cluster_id", "members"], param="clusters", func="cluster_features")
    check_columns(roles, ["node_id"], param="roles", func="cluster_features")
    m = clusters[["cluster_id", "members"]].explode("members").dropna(subset=["members"])
    m = m.rename(columns={"members": "node_id"}).assign(node_id=lambda d: d["node_id"].astype(str))
    r = roles.assign(node_id=roles["node_id"].astype(str)).drop_duplicates("node_id")
    j = m.merge(r[["node_id", "p_perpetrator", "p_controller", "p_victim"]], on="node_id", how="left").fillna(0.0)
    j["is_perp"] = (j["p_perpetrator"] > 0.5).astype(float)
    j["is_victim"] = (j["p_victim"] > 0.5).astype(float)
    g = j.groupby("cluster_id")
    out = pd.DataFrame(
        {
            "perp_max": g["p_perpetrator"].max(),
            "perp_mean": g["p_perpetrator"].mean(),
            "perp_count": g["is_perp"].sum(),
            "controller_max": g["p_controller"].max(),
            "victim_mean": g["p_victim"].mean(),
            "victim_count": g["is_victim"].sum(),
            "victim_share": g["is_victim"].mean(),
        }
    ).reindex(clusters["cluster_id"])
    sizes = clusters["members"].map(len).to_numpy(dtype=float)
    out.insert(0, "rule_score", clusters["score"].to_numpy(dtype=float) if "score" in clusters else 0.0)
    out.insert(0, "log_size", np.log1p(sizes))
    if "indicators" in clusters and len(clusters):
        ind = clusters[["cluster_id", "indicators"]].explode("indicators").dropna(subset=["indicators"])
        if len(ind):
            flat = pd.DataFrame(ind["indicators"].tolist(), index=ind["cluster_id"].to_numpy())
            if {"name", "strength"} <= set(flat.columns):
                flat = flat.reset_index(names="cluster_id")
                wide = flat.pivot_table(index="cluster_id", columns="name", values="strength", aggfunc="max")
                wide.columns = [f"ind_{c}" for c in wide.columns]
                out = out.join(wide)
    return out.fillna(0.0).astype(float)


def ring_parts(clusters: pd.DataFrame, truth: pd.DataFrame, *, min_share: float = 0.5) -> pd.DataFrame:
    """Say which clusters are mostly one planted ring's people: a ring or a fragment of one.

    Parameters
    ----------
    clusters : DataFrame
        ``cluster_id`` and ``members`` (lists of Person ids).
    truth : DataFrame
        Aligned truth (:func:`crimnet.synthetic.truth.align_truth`: ``node_id``, ``ring_id``, None or '' outside
        rings).
    min_share : float, default 0.5
        Share of a cluster's members (all of them, people outside the truth included) that must belong to one
        ring (in (0, 1]).

    Returns
    -------
    DataFrame
        Indexed by ``cluster_id`` in the order of `clusters`: ``ring_id`` (the ring holding most of its members,
        None when it holds none), ``share`` (float, that ring's share of the members) and ``part`` (bool:
        ``share >= min_share``).

    Raises
    ------
    crimnet.errors.ParameterError
        If an argument has the wrong type or lacks a column, or `min_share` is out of range.

    Notes
    -----
    Unlike a hit of :func:`crimnet.graphs.detect.evaluate.ring_hits` (half of the ring's perpetrators in the
    cluster too), a cluster of a ring's victims is a part: detection caps clusters at an investigator's size,
    so a ring of 40 people comes out in pieces, and each piece leads to the ring. Fitting the ranker with
    those pieces as negatives teaches it that a ring's house of victims is not ring-like. O(members) joins.

    Examples
    --------
    >>> t = pd.DataFrame({"node_id": list("abcde"), "ring_id": ["R", "R", "R", None, None]})
    >>> c = pd.DataFrame({"cluster_id": [1, 2], "members": [["a", "b", "d"], ["c", "d", "e"]]})
    >>> ring_parts(c, t)["part"].tolist()
    [True, False]
    """
    check_type(clusters, pd.DataFrame, param="clusters", func="ring_parts", expected="a clusters DataFrame")
    check_type(truth, pd.DataFrame, param="truth", func="ring_parts", expected="an aligned truth DataFrame")
    check_columns(clusters, ["cluster_id", "members"], param="clusters", func="ring_parts")
    check_columns(truth, ["node_id", "ring_id"], param="truth", func="ring_parts")
    check_interval(min_share, param="min_share", func="ring_parts", low=0, high=1, closed="right")
    ring = truth["ring_id"].astype(object)
    t = (
        truth.loc[ring.notna() & (ring.astype(str) != ""), ["node_id", "ring_id"]]
        .astype(str)
        .drop_duplicates("node_id")
    )
    size = clusters.set_index("cluster_id")["members"].map(len)
    m = clusters[["cluster_id", "members"]].explode("members").dropna(subset=["members"])
    m = m.assign(node_id=m["members"].astype(str)).merge(t, on="node_id")
    n = m.groupby(["cluster_id", "ring_id"]).size().reset_index(name="n")
    n["share"] = n["n"] / n["cluster_id"].map(size).to_numpy()
    best = n.sort_values(["share", "ring_id"], ascending=[False, True]).drop_duplicates("cluster_id")
    best = best.set_index("cluster_id").reindex(clusters["cluster_id"])
    out = pd.DataFrame({"ring_id": best["ring_id"].astype(object).where(best["ring_id"].notna(), None),
                        "share": best["share"].fillna(0.0).astype(float)})  # fmt: skip
    out["part"] = out["share"] >= min_share
    return out


@dataclass
class ClusterRanker:
    """A fitted cluster ranker: a logistic regression over standardised cluster features.

    Attributes
    ----------
    features : list of str
        Feature columns, in order.
    mean, scale : list of float
        Standardisation.
    coef : list of float
        Coefficients on the standardised features.
    intercept : float
    metrics : dict
        Fit measures.
    min_share : float
        The fold threshold of its order (:func:`crimnet.gnn.fragments.fold_fragments`): chosen on the
        validation cases by :func:`crimnet.gnn.workflow.train`, :data:`crimnet.gnn.fragments.MIN_LINK_SHARE`
        otherwise.
    """

    features: list[str]
    mean: list[float]
    scale: list[float]
    coef: list[float]
    intercept: float
    metrics: dict[str, Any] = field(default_factory=dict)
    min_share: float = MIN_LINK_SHARE

    def to_dict(self) -> dict[str, Any]:
        """The ranker as plain JSON-able values."""
        keys = ("features", "mean", "scale", "coef", "intercept", "metrics", "min_share")
        return {k: getattr(self, k) for k in keys}


def matched_negatives(features: pd.DataFrame, hits: pd.Series, *, per_ring: int = 3,
                      match_on: Sequence[str] = ("log_size",)) -> pd.Series:  # fmt: skip
    """Keep, for each ring, the non-ring clusters most like it in size: negatives a size cue cannot tell apart.

    Parameters
    ----------
    features : DataFrame
        :func:`cluster_features` of one case (indexed by ``cluster_id``).
    hits : Series
        Bool by ``cluster_id``: the cluster is a planted ring.
    per_ring : int, default 3
        Negatives kept per ring (>= 1): its nearest non-ring clusters in `match_on`, each kept once.
    match_on : sequence of str, default ('log_size',)
        Columns of `features` matched on (Euclidean distance after dividing each by its spread over the case).

    Returns
    -------
    Series
        `hits` restricted to the rings and their matched negatives (bool by ``cluster_id``).

    Raises
    ------
    crimnet.errors.ParameterError
        If an argument has the wrong type or a `match_on` column is missing.

    Notes
    -----
    Case-control matching (Rosenbaum & Rubin 1985): the ranker then learns what tells a ring from a cluster of
    its own size, not that rings are larger or smaller than most clusters. O(rings x clusters) distances.

    Examples
    --------
    >>> f = pd.DataFrame({"log_size": [3.0, 3.1, 1.0, 2.9, 0.5]}, index=[1, 2, 3, 4, 5])
    >>> h = pd.Series([True, False, False, False, False], index=[1, 2, 3, 4, 5])
    >>> matched_negatives(f, h, per_ring=2).index.tolist()
    [1, 2, 4]
    """
    check_type(features, pd.DataFrame, param="features", func="matched_negatives", expected="a DataFrame")
    check_type(hits, pd.Series, param="hits", func="matched_negatives", expected="a bool Series")
    check_interval(per_ring, param="per_ring", func="matched_negatives", low=1, closed="left", integer=True)
    missing = [m for m in match_on if m not in features.columns]
    if missing:
        raise ParameterError(
            f"The 'match_on' parameter of matched_negatives must name columns of 'features'. Got {missing!r} instead."
        )
    y = hits.reindex(features.index).fillna(False).to_numpy(dtype=bool)
    x = features[list(match_on)].to_numpy(dtype=float)
    spread = x.std(0)
    x = x / np.where(spread > 1e-9, spread, 1.0)
    pos, neg = np.flatnonzero(y), np.flatnonzero(~y)
    if not len(pos) or not len(neg):
        return hits.reindex(features.index).fillna(False).astype(bool)
    dist = np.linalg.norm(x[pos][:, None, :] - x[neg][None, :, :], axis=2)
    nearest = np.argsort(dist, axis=1, kind="stable")[:, :per_ring]
    keep = np.zeros(len(y), dtype=bool)
    keep[pos] = True
    keep[neg[np.unique(nearest)]] = True
    return pd.Series(y[keep], index=features.index[keep], name=hits.name)


def fit_ranker(
    features: pd.DataFrame | Sequence[pd.DataFrame],
    hits: pd.Series | Sequence[pd.Series],
    *,
    c: float = 1.0,
    matched: int = 0,
) -> ClusterRanker:
    """Fit the cluster ranker on clusters whose truth is known.

    Parameters
    ----------
    features : DataFrame or sequence of DataFrame
        :func:`cluster_features` of each case.
    hits : Series or sequence of Series
        Per case, bool by ``cluster_id``: the cluster is a planted ring (True) or not (a look-alike or
        background: False).
    c : float, default 1.0
        Inverse L2 regularisation strength (> 0).
    matched : int, default 0
        0: every non-ring cluster is a negative. k > 0: only the k non-ring clusters nearest in size to each ring
        (:func:`matched_negatives`), so cluster size alone cannot separate the classes.

    Returns
    -------
    ClusterRanker

    Raises
    ------
    crimnet.errors.ParameterError
        If the inputs do not match or hold a single class.

    Examples
    --------
    >>> f = pd.DataFrame({"perp_max": [0.9, 0.8, 0.1, 0.2]}, index=[1, 2, 3, 4])
    >>> r = fit_ranker([f], [pd.Series([True, True, False, False], index=[1, 2, 3, 4])])
    >>> r.coef[0] > 0
    True
    """
    if isinstance(features, pd.DataFrame):
        features = [features]
    if isinstance(hits, pd.Series):
        hits = [hits]
    check_type(features, (list, tuple), param="features", func="fit_ranker", expected="a list of DataFrames")
    check_type(hits, (list, tuple), param="hits", func="fit_ranker", expected="a list of Series")
    check_interval(c, param="c", func="fit_ranker", low=0, closed="neither")
    check_interval(matched, param="matched", func="fit_ranker", low=0, closed="left", integer=True)
    if len(features) != len(hits) or not features:
        raise ParameterError(
            f"The 'hits' parameter of fit_ranker must match 'features' (one per case). Got {len(hits)} instead."
        )
    if matched:
        hits = [matched_negatives(f, h, per_ring=matched) for f, h in zip(features, hits, strict=True)]
        features = [f.loc[h.index] for f, h in zip(features, hits, strict=True)]
    cols = sorted(set().union(*[set(f.columns) for f in features]))
    x = pd.concat([f.reindex(columns=cols).fillna(0.0) for f in features]).to_numpy(dtype=float)
    y = np.concatenate(
        [h.reindex(f.index).fillna(False).to_numpy(dtype=bool) for f, h in zip(features, hits, strict=True)]
    )
    if y.all() or not y.any():
        raise ParameterError("The 'hits' parameter of fit_ranker must hold both classes. Got a single class instead.")
    mean, scale = x.mean(0), x.std(0)
    scale = np.where(scale > 1e-9, scale, 1.0)
    lr = LogisticRegression(C=c, class_weight="balanced", max_iter=2000).fit((x - mean) / scale, y)
    return ClusterRanker(cols, mean.tolist(), scale.tolist(), lr.coef_[0].tolist(), float(lr.intercept_[0]),
                         {"clusters": int(len(y)), "rings": int(y.sum()), "matched": matched})  # fmt: skip


def _words(name: str) -> str:
    return FEATURE_WORDS.get(name, f"indicator {name[4:]}" if name.startswith("ind_") else name)


def rank_clusters(ranker: ClusterRanker, features: pd.DataFrame, *, reasons: int = 3) -> pd.DataFrame:
    """Score clusters with a fitted ranker and say why, in words.

    Parameters
    ----------
    ranker : ClusterRanker
        :func:`fit_ranker` output.
    features : DataFrame
        :func:`cluster_features` of the case.
    reasons : int, default 3
        Features named per cluster (>= 0).

    Returns
    -------
    DataFrame
        ``cluster_id``, ``gnn_score`` (probability of a ring, in [0, 1]) and ``reasons`` (str: the features
        that raised the score most, with their values and contributions), highest score first.

    Raises
    ------
    crimnet.errors.ParameterError
        If an argument has the wrong type.

    Examples
    --------
    >>> f = pd.DataFrame({"perp_max": [0.9, 0.1]}, index=pd.Index([1, 2], name="cluster_id"))
    >>> r = ClusterRanker(["perp_max"], [0.5], [0.4], [2.0], 0.0)
    >>> rank_clusters(r, f)["cluster_id"].tolist()
    [1, 2]
    """
    check_type(ranker, ClusterRanker, param="ranker", func="rank_clusters", expected="a ClusterRanker")
    check_type(features, pd.DataFrame, param="features", func="rank_clusters", expected="a DataFrame")
    check_interval(reasons, param="reasons", func="rank_clusters", low=0, closed="left", integer=True)
    x = features.reindex(columns=ranker.features).fillna(0.0).to_numpy(dtype=float)
    z = (x - np.asarray(ranker.mean)) / np.asarray(ranker.scale)
    contrib = z * np.asarray(ranker.coef)
    logit = contrib.sum(1) + ranker.intercept
    score = 1.0 / (1.0 + np.exp(-logit))
    top = np.argsort(-contrib, axis=1, kind="stable")[:, :reasons]
    texts = [
        "; ".join(
            f"{_words(ranker.features[j])} {x[i, j]:.2f} ({contrib[i, j]:+.1f})" for j in top[i] if contrib[i, j] > 0
        )
        for i in range(len(x))
    ]
    out = pd.DataFrame({"cluster_id": features.index.to_numpy(), "gnn_score": score, "reasons": texts})
    return out.sort_values("gnn_score", ascending=False, kind="stable").reset_index(drop=True)


def with_fold_share(
    ranker: ClusterRanker,
    features: Sequence[pd.DataFrame],
    ring_of: Sequence[pd.Series],
    links: Sequence[pd.DataFrame],
    rings: Sequence[int],
) -> ClusterRanker:
    """The ranker with the fold threshold that put the most distinct rings in its top k on validation cases.

    Parameters
    ----------
    ranker : ClusterRanker
        A fitted ranker.
    features : sequence of DataFrame
        :func:`cluster_features` of each validation case.
    ring_of : sequence of Series
        Per case, the ring id by cluster id of the clusters that are parts of a ring (missing elsewhere):
        :func:`ring_parts`' ``ring_id`` where ``part``.
    links : sequence of DataFrame
        Per case, :func:`crimnet.gnn.fragments.cluster_links` of its clusters.
    rings : sequence of int
        Per case, the number of planted rings: the k its top k is read at (cases with none are skipped).

    Returns
    -------
    ClusterRanker
        A copy with ``min_share`` set by :func:`crimnet.gnn.fragments.choose_min_share` over
        :data:`crimnet.gnn.fragments.FOLD_SHARES`, and the mean ``rings_at_k`` of each share in its metrics
        (``fold_rings_at_k``); `ranker` itself when no case has a ring.

    Raises
    ------
    crimnet.errors.ParameterError
        If an argument has the wrong type or the sequences differ in length.

    Notes
    -----
    One ranking and one :func:`crimnet.gnn.fragments.fold_yield` per case. The cases are the ranker's own
    fitting cases (its validation cases): the threshold is chosen before any test case is seen, and a
    handful of rings per case makes the choice coarse, which the tie rule (fold least) keeps conservative.
    """
    check_type(ranker, ClusterRanker, param="ranker", func="with_fold_share", expected="a ClusterRanker")
    if not len(features) == len(ring_of) == len(links) == len(rings):
        raise ParameterError(
            "The 'ring_of', 'links' and 'rings' parameters of with_fold_share must have one entry per case of "
            f"'features' ({len(features)}). Got {len(ring_of)}, {len(links)} and {len(rings)} instead."
        )
    yields = [
        fold_yield(rank_clusters(ranker, f)["cluster_id"], lk, r, k)
        for f, r, lk, k in zip(features, ring_of, links, rings, strict=True)
        if k
    ]
    if not yields:
        return ranker
    table = pd.concat(yields, ignore_index=True)
    fold = table.groupby("min_share")["rings_at_k"].mean()
    metrics = {**ranker.metrics, "fold_rings_at_k": {str(s): round(float(v), 4) for s, v in fold.items()}}
    return replace(ranker, min_share=choose_min_share(table), metrics=metrics)
