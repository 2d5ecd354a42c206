"""A saved model applied to one case's tables: what ``crimnet score`` and ``crimnet run-case --model`` use.

:func:`score_tables` gives every person a probability per role, ranks the
case's detected clusters with the learned cluster score (when the model folder
holds a ranker) and explains the people the model puts forward: for each, the
directly adjacent entities whose features raised their perpetrator probability
most (:func:`crimnet.gnn.explain.adjacent_saliency`). :func:`cluster_roles`
turns the probabilities into the roles of the members of the top clusters, in
the shape of :func:`crimnet.graphs.detect.roles.infer_roles`, so the
victim-controller cut can run on learned roles instead of the rule-inferred ones.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import igraph as ig
import numpy as np
import pandas as pd

from crimnet.errors import ParameterError, check_columns, check_interval, check_type
from crimnet.frames import write_csv
from crimnet.gnn.data import to_hetero_data
from crimnet.gnn.explain import adjacent_saliency
from crimnet.gnn.fragments import cluster_links, fold_fragments
from crimnet.gnn.persist import load_model
from crimnet.gnn.ranking import ClusterRanker, cluster_features, rank_clusters
from crimnet.gnn.roles import predict_roles, torch_threads
from crimnet.graphs.views import person_projection
from crimnet.tables import CanonicalTables

__all__ = [
    "LearnedScores",
    "score_tables",
    "write_learned",
    "cluster_roles",
    "cluster_probabilities",
    "node_scores",
    "learned_order",
]


@dataclass
class LearnedScores:
    """What a saved model says about one case.

    Attributes
    ----------
    roles : DataFrame
        :func:`crimnet.gnn.roles.predict_roles` output: one row per person, ``node_id``, ``p_<role>``,
        ``p_perpetrator`` and ``role``.
    node_scores : DataFrame
        The same probabilities as ``node_scores`` rows (:func:`node_scores`).
    clusters : DataFrame
        The clusters given, ranked by the learned score: ``cluster_id``, ``part_of`` (the higher-ranked cluster
        whose structure it is a fragment of, itself for a head) and ``fragment`` (bool,
        :func:`crimnet.gnn.fragments.fold_fragments`), ``gnn_score`` (in [0, 1]), ``reasons`` (words), then the
        clusters' own columns; heads by score first, then the fragments. Empty when the model has no ranker.
    people : DataFrame
        The people with the highest perpetrator probability, highest first: ``node_id``, ``cluster_id`` (the
        detected cluster holding them, or NA), ``p_perpetrator``, ``p_controller``, ``p_victim``, ``role``
        (the most probable), ``neighbours`` (list of vertex names ``'<Label>:<id>'`` of the adjacent entities
        that raised the probability most), ``relations`` (the relationship type to each) and ``saliency``
        (list of float, gradient x input).
    """

    roles: pd.DataFrame
    node_scores: pd.DataFrame
    clusters: pd.DataFrame
    people: pd.DataFrame = field(default_factory=pd.DataFrame)


def node_scores(roles: pd.DataFrame) -> pd.DataFrame:
    """Turn :func:`crimnet.gnn.roles.predict_roles` output into ``node_scores`` rows (method ``gnn_<role>``).

    Parameters
    ----------
    roles : DataFrame
        ``node_id`` and ``p_<role>`` columns.

    Returns
    -------
    DataFrame
        ``node_id``, ``label`` ('Person'), ``method`` (``gnn_controller``... and ``gnn_perpetrator``),
        ``score`` (probability), the contract of detection's ``node_scores``.

    Raises
    ------
    crimnet.errors.ParameterError
        If `roles` is not a DataFrame.

    Notes
    -----
    O(people x roles): one melt.

    Examples
    --------
    >>> node_scores(pd.DataFrame({"node_id": ["a"], "p_victim": [0.9]}))["method"].tolist()
    ['gnn_victim']
    """
    check_type(roles, pd.DataFrame, param="roles", func="node_scores", expected="a DataFrame")
    cols = [c for c in roles.columns if c.startswith("p_")]
    long = roles.melt(id_vars=["node_id"], value_vars=cols, var_name="method", value_name="score")
    long["method"] = "gnn_" + long["method"].str[2:]
    long.insert(1, "label", "Person")
    return long[["node_id", "label", "method", "score"]].reset_index(drop=True)


def _membership(clusters: pd.DataFrame) -> pd.Series:
    """Cluster id by member id (str); a person in several clusters keeps the first."""
    m = clusters[["cluster_id", "members"]].explode("members").dropna(subset=["members"])
    return m.assign(members=m["members"].astype(str)).drop_duplicates("members").set_index("members")["cluster_id"]


def score_tables(
    model: str | os.PathLike[str],
    tables: CanonicalTables,
    clusters: pd.DataFrame,
    *,
    people: int = 10,
    explain: int = 3,
    batch_size: int | None = None,
    device: str | None = None,
    threads: int | None = 1,
) -> LearnedScores:
    """Score a case's people and clusters with a saved model, and explain its top people.

    Parameters
    ----------
    model : str or path
        A model folder written by :func:`crimnet.gnn.workflow.train`.
    tables : CanonicalTables
        The case.
    clusters : DataFrame
        Its detected clusters (:func:`crimnet.graphs.detect.detection.detect`: ``cluster_id``, ``members``,
        ``score``, ``indicators``).
    people : int, default 10
        People put forward with explanations, by descending perpetrator probability (>= 0).
    explain : int, default 3
        Adjacent entities named per person (>= 1).
    batch_size : int, optional
        Score in mini-batches of this many people (:func:`crimnet.gnn.roles.predict_roles`).
    device : str, optional
        Default CUDA when present.
    threads : int or None, default 1
        Torch's CPU threads while scoring (restored after); None leaves torch's own setting. One by
        default: a case's graph gains little from more, and on a busy machine torch's threads spin against
        other work (a 1,000-person case on 2 shared cores: 2.6 s with one thread, 13-16 s with two).

    Returns
    -------
    LearnedScores

    Raises
    ------
    crimnet.errors.ParameterError
        If an argument has the wrong type or is out of range.
    crimnet.errors.SchemaError
        If `model` is not a model folder.

    Notes
    -----
    One forward pass over the whole graph (O(L (n + m) h^2)), one logistic score per cluster, and one
    forward and backward pass over each explained person's L-hop neighbourhood.
    """
    func = "score_tables"
    check_type(model, (str, os.PathLike), param="model", func=func, expected="a model folder")
    check_type(tables, CanonicalTables, param="tables", func=func, expected="a CanonicalTables")
    check_type(clusters, pd.DataFrame, param="clusters", func=func, expected="a clusters DataFrame")
    check_interval(people, param="people", func=func, low=0, closed="left", integer=True)
    check_interval(explain, param="explain", func=func, low=1, closed="left", integer=True)
    with torch_threads(threads, func=func):
        return _score(model, tables, clusters, people=people, explain=explain, batch_size=batch_size, device=device)


def _score(
    model: str | os.PathLike[str],
    tables: CanonicalTables,
    clusters: pd.DataFrame,
    *,
    people: int,
    explain: int,
    batch_size: int | None,
    device: str | None,
) -> LearnedScores:
    rm, ranker = load_model(model)
    g = to_hetero_data(tables)
    roles = predict_roles(rm, g, batch_size=batch_size, device=device)
    ranked = pd.DataFrame()
    if ranker is not None and len(clusters):
        # each detection method numbers its clusters from 0: rank them method by method
        groups = clusters.groupby("method", sort=False) if "method" in clusters else [(None, clusters)]
        projection = person_projection(tables)
        ranked = pd.concat([_ranked(ranker, c, roles, projection) for _, c in groups], ignore_index=True)
    top = roles.sort_values(["p_perpetrator", "node_id"], ascending=[False, True], kind="stable").head(people)
    cols = ["node_id", "p_perpetrator", "p_controller", "p_victim", "role"]
    shown = top[cols].reset_index(drop=True)
    shown.insert(1, "cluster_id", shown["node_id"].map(_membership(clusters)) if len(clusters) else pd.NA)
    why = [adjacent_saliency(rm, g, str(p), top=explain) for p in shown["node_id"]]  # a handful of people
    shown["neighbours"] = [(w["label"] + ":" + w["node_id"]).tolist() for w in why]
    shown["relations"] = [w["relation"].astype(str).tolist() for w in why]
    shown["saliency"] = [w["saliency"].astype(float).tolist() for w in why]
    return LearnedScores(roles, node_scores(roles), ranked, shown)


def _ranked(ranker: ClusterRanker, clusters: pd.DataFrame, roles: pd.DataFrame, projection: ig.Graph) -> pd.DataFrame:
    """One method's clusters by learned score, fragments folded behind the heads (``part_of``, ``fragment``)."""
    ranked = rank_clusters(ranker, cluster_features(clusters, roles))
    folded = fold_fragments(ranked["cluster_id"], cluster_links(projection, clusters), min_share=ranker.min_share)
    return folded.merge(ranked, on="cluster_id", how="left").merge(clusters, on="cluster_id", how="left")


def learned_order(clusters: pd.DataFrame, ranked: pd.DataFrame) -> pd.DataFrame:
    """Order detected clusters by the learned cluster score, highest first, with the score and its reasons.

    Parameters
    ----------
    clusters : DataFrame
        Detected clusters (:func:`crimnet.graphs.detect.detection.detect`: ``cluster_id``, ``members``,
        ``score``..., ``method`` when several methods ran).
    ranked : DataFrame
        :attr:`LearnedScores.clusters` of the same clusters (``cluster_id``, ``gnn_score``, ``reasons``, and
        ``method``); empty when the model has no cluster ranker.

    Returns
    -------
    DataFrame
        `clusters` with ``gnn_score`` (float in [0, 1], NaN where not scored) and ``reasons`` (str) added,
        highest learned score first; with ``fragment`` and ``part_of`` in `ranked` (:func:`score_tables`), those
        too, and the fragments follow every head (:func:`crimnet.gnn.fragments.fold_fragments`); unscored
        clusters follow in their own order. A copy of `clusters` when `ranked` is empty.

    Raises
    ------
    crimnet.errors.ParameterError
        If an argument is not a DataFrame, or `ranked` lacks ``cluster_id``, ``gnn_score`` or ``reasons``.

    Notes
    -----
    One hash join and one stable sort: O(c log c) for c clusters.

    Examples
    --------
    >>> c = pd.DataFrame({"cluster_id": [0, 1, 2], "score": [3.0, 2.0, 1.0]})
    >>> r = pd.DataFrame({"cluster_id": [2, 0], "gnn_score": [0.9, 0.2], "reasons": ["a", "b"]})
    >>> learned_order(c, r)["cluster_id"].tolist()
    [2, 0, 1]
    """
    check_type(clusters, pd.DataFrame, param="clusters", func="learned_order", expected="a clusters DataFrame")
    check_type(ranked, pd.DataFrame, param="ranked", func="learned_order", expected="a DataFrame")
    if not len(ranked):
        return clusters.copy()
    if not {"cluster_id", "gnn_score", "reasons"} <= set(ranked.columns):
        raise ParameterError(
            "The 'ranked' parameter of learned_order must have columns cluster_id, gnn_score and reasons. "
            f"Got {list(ranked.columns)!r} instead."
        )
    keys = [k for k in ("method", "cluster_id") if k in clusters and k in ranked]
    added = ["gnn_score", "reasons", *(c for c in ("fragment", "part_of") if c in ranked)]
    out = clusters.drop(columns=added, errors="ignore").merge(ranked[[*keys, *added]], on=keys, how="left")
    order = out.sort_values("gnn_score", ascending=False, kind="stable", na_position="last")
    if "fragment" in out:  # heads by score, then fragments by score, then the unscored
        order = order.sort_values("fragment", kind="stable", na_position="last", key=lambda f: f.astype(float))
    return order.reset_index(drop=True)


def write_learned(learned: LearnedScores, out: str | os.PathLike[str]) -> list[Path]:
    """Write ``node_scores.csv``, ``clusters.csv`` and ``people.csv`` of `learned` to `out` (created if needed).

    List cells (members, neighbours...) are written as text; formula-like cells are neutralised
    (:func:`crimnet.frames.write_csv`).

    Parameters
    ----------
    learned : LearnedScores
        :func:`score_tables` output.
    out : str or path
        A folder.

    Returns
    -------
    list of Path
        The files written.

    Raises
    ------
    crimnet.errors.ParameterError
        If an argument has the wrong type.
    """
    check_type(learned, LearnedScores, param="learned", func="write_learned", expected="a LearnedScores")
    check_type(out, (str, os.PathLike), param="out", func="write_learned", expected="a folder")
    o = Path(out)
    o.mkdir(parents=True, exist_ok=True)
    paths = [o / "node_scores.csv", o / "clusters.csv", o / "people.csv"]
    for path, frame in zip(paths, (learned.node_scores, learned.clusters, learned.people), strict=True):
        listed = [c for c in frame.columns if frame[c].map(lambda v: isinstance(v, list | tuple)).any()]
        write_csv(frame.assign(**{c: frame[c].map(str) for c in listed}), path)
    return paths


def cluster_roles(
    clusters: pd.DataFrame,
    roles: pd.DataFrame,
    *,
    victim_min: float = 0.5,
    perpetrator_min: float = 0.5,
    evidence: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Roles of the members of `clusters` from learned probabilities, in the shape the cut reads.

    A member is a ``'controller'`` (the side the victim-controller cut separates victims from) when its
    perpetrator probability (controller, recruiter and facilitator together) is at least `perpetrator_min`,
    a ``'victim'`` when its victim probability is at least `victim_min`, else ``'other'``. With `evidence`
    (the roles inferred from the records, :func:`crimnet.graphs.detect.roles.infer_roles`) a member is a
    controller when either says so, else a victim when either says so: the model finds controllers the
    evidence rarely shows, the evidence victims the model can miss on tables unlike its training cases.
    Pass the rows of the clusters to act on (the top ones); :func:`crimnet.graphs.detect.roles.inferred_pairs`
    then pairs each cluster's victims with its controllers.

    Parameters
    ----------
    clusters : DataFrame
        ``cluster_id`` and ``members`` (lists of Person ids).
    roles : DataFrame
        :func:`crimnet.gnn.roles.predict_roles` output (``node_id``, ``p_perpetrator``, ``p_victim``).
    victim_min, perpetrator_min : float, default 0.5
        Probability thresholds, in (0, 1]. Above 0.5 a person cannot be both.
    evidence : DataFrame, optional
        Roles from the evidence: ``cluster_id``, ``node_id``, ``role`` and ``evidence`` (its words are kept).

    Returns
    -------
    DataFrame
        ``cluster_id``, ``node_id`` (str), ``role`` and ``evidence`` (the probability in words, and the
        evidence's words), one row per member, in cluster then member order; members the model did not score
        are ``'other'`` unless the evidence names them.

    Raises
    ------
    crimnet.errors.ParameterError
        If an argument is not a DataFrame with those columns, or a threshold is out of range.

    Notes
    -----
    O(members): one merge.

    Examples
    --------
    >>> c = pd.DataFrame({"cluster_id": [1], "members": [["a", "b", "c"]]})
    >>> r = pd.DataFrame({"node_id": ["a", "b", "c"], "p_perpetrator": [0.8, 0.1, 0.3], "p_victim": [0.1, 0.7, 0.3]})
    >>> cluster_roles(c, r)["role"].tolist()
    ['controller', 'victim', 'other']
    >>> e = pd.DataFrame({"cluster_id": [1], "node_id": ["c"], "role": ["victim"], "evidence": ["paid in cash"]})
    >>> cluster_roles(c, r, evidence=e)["role"].tolist()
    ['controller', 'victim', 'victim']
    """
    func = "cluster_roles"
    check_type(clusters, pd.DataFrame, param="clusters", func=func, expected="a DataFrame")
    check_interval(victim_min, param="victim_min", func=func, low=0, high=1, closed="right")
    check_interval(perpetrator_min, param="perpetrator_min", func=func, low=0, high=1, closed="right")
    _check_frames(
        func, clusters, roles, evidence, ["node_id", "p_perpetrator", "p_victim"],
        ["cluster_id", "node_id", "role", "evidence"],
    )  # fmt: skip
    m = clusters[["cluster_id", "members"]].explode("members").dropna(subset=["members"])
    m = m.rename(columns={"members": "node_id"}).assign(node_id=lambda d: d["node_id"].astype(str))
    r = roles[["node_id", "p_perpetrator", "p_victim"]].astype({"node_id": str}).drop_duplicates("node_id")
    j = m.merge(r, on="node_id", how="left").fillna({"p_perpetrator": 0.0, "p_victim": 0.0})
    perp = (j["p_perpetrator"] >= perpetrator_min) & (j["p_perpetrator"] >= j["p_victim"])
    vic = j["p_victim"] >= victim_min
    said = pd.Series("", index=j.index)
    told = pd.Series("other", index=j.index)
    if evidence is not None:
        e = evidence[["cluster_id", "node_id", "role", "evidence"]].astype({"node_id": str})
        e = e.drop_duplicates(["cluster_id", "node_id"]).set_index(["cluster_id", "node_id"])
        key = pd.MultiIndex.from_arrays([j["cluster_id"], j["node_id"]])
        told = e["role"].reindex(key).fillna("other").set_axis(j.index)
        said = e["evidence"].reindex(key).fillna("").astype(str).set_axis(j.index)
    j["role"] = "other"
    j.loc[vic | (told == "victim"), "role"] = "victim"
    j.loc[perp | (told == "controller"), "role"] = "controller"
    learned = [
        f"learned perpetrator probability {p:.2f}" if role == "controller" and is_perp else
        f"learned victim probability {v:.2f}" if role == "victim" and is_vic else ""
        for role, p, v, is_perp, is_vic in zip(j["role"], j["p_perpetrator"], j["p_victim"], perp, vic, strict=True)
    ]  # fmt: skip
    j["evidence"] = ["; ".join(w for w in pair if w) for pair in zip(learned, said, strict=True)]
    return j[["cluster_id", "node_id", "role", "evidence"]].reset_index(drop=True)


def cluster_probabilities(
    clusters: pd.DataFrame, roles: pd.DataFrame, *, evidence: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Victim and controller probabilities of the members of `clusters`, as the expected cut reads them.

    The rows :func:`crimnet.graphs.disrupt.expected_cut_ranking` weighs pairs with, instead of the
    yes/no roles of :func:`cluster_roles`: a pair of a cluster is a true victim-controller pair with
    probability ``p_victim * p_controller``, so a member the model is unsure of still counts, in
    proportion. When `clusters` carries the learned cluster score ``gnn_score`` (:func:`learned_order`),
    both probabilities are multiplied by it: a pair is only a ring's when the cluster is a ring, and a
    look-alike's tenants (victim-like people without a controller) then weigh little. A role the
    evidence (:func:`crimnet.graphs.detect.roles.infer_roles`) names raises that probability to 1 before
    the cluster weight: the records show it.

    Parameters
    ----------
    clusters : DataFrame
        ``cluster_id`` and ``members`` (lists of Person ids), optionally ``gnn_score`` (in [0, 1]; NaN,
        i.e. a cluster the ranker did not score, counts as 1).
    roles : DataFrame
        :func:`crimnet.gnn.roles.predict_roles` output (``node_id``, ``p_victim``, ``p_controller``).
    evidence : DataFrame, optional
        ``cluster_id``, ``node_id`` and ``role`` (``'victim'``, ``'controller'`` or other).

    Returns
    -------
    DataFrame
        ``group`` (the cluster id), ``node_id`` (vertex name ``'Person:<id>'``), ``p_victim`` and
        ``p_controller`` (float64), one row per member in cluster then member order; members the model
        did not score have probability 0 unless the evidence names them.

    Raises
    ------
    crimnet.errors.ParameterError
        If an argument is not a DataFrame with those columns.

    Notes
    -----
    O(members): two merges.

    Examples
    --------
    >>> c = pd.DataFrame({"cluster_id": [1], "members": [["a", "b"]], "gnn_score": [0.5]})
    >>> r = pd.DataFrame({"node_id": ["a", "b"], "p_victim": [0.1, 0.6], "p_controller": [0.8, 0.0]})
    >>> cluster_probabilities(c, r)[["node_id", "p_victim", "p_controller"]].values.tolist()
    [['Person:a', 0.05, 0.4], ['Person:b', 0.3, 0.0]]
    """
    func = "cluster_probabilities"
    check_type(clusters, pd.DataFrame, param="clusters", func=func, expected="a DataFrame")
    _check_frames(
        func, clusters, roles, evidence, ["node_id", "p_victim", "p_controller"], ["cluster_id", "node_id", "role"]
    )
    weight = clusters["gnn_score"] if "gnn_score" in clusters else pd.Series(1.0, index=clusters.index)
    m = clusters[["cluster_id", "members"]].assign(w=weight.astype(float).fillna(1.0).to_numpy())
    m = m.explode("members").dropna(subset=["members"]).rename(columns={"members": "node_id"})
    m = m.assign(node_id=m["node_id"].astype(str))
    r = roles[["node_id", "p_victim", "p_controller"]].astype({"node_id": str}).drop_duplicates("node_id")
    j = m.merge(r, on="node_id", how="left").fillna({"p_victim": 0.0, "p_controller": 0.0})
    if evidence is not None:
        e = evidence[["cluster_id", "node_id", "role"]].astype({"node_id": str})
        e = e.drop_duplicates(["cluster_id", "node_id"]).set_index(["cluster_id", "node_id"])["role"]
        told = e.reindex(pd.MultiIndex.from_arrays([j["cluster_id"], j["node_id"]])).to_numpy()
        j.loc[told == "victim", "p_victim"] = 1.0
        j.loc[told == "controller", "p_controller"] = 1.0
    return pd.DataFrame(
        {
            "group": j["cluster_id"].to_numpy(),
            "node_id": ("Person:" + j["node_id"]).to_numpy(),
            "p_victim": (j["p_victim"] * j["w"]).astype(np.float64).to_numpy(),
            "p_controller": (j["p_controller"] * j["w"]).astype(np.float64).to_numpy(),
        }
    )


def _check_frames(
    func: str,
    clusters: Any,
    roles: Any,
    evidence: Any,
    role_cols: list[str],
    evidence_cols: list[str],
) -> None:
    """Refuse clusters, roles or evidence (when given) that are not DataFrames with the columns `func` reads."""
    given = (evidence,) if evidence is not None else ()
    for name, df, cols in (
        ("clusters", clusters, ["cluster_id", "members"]),
        ("roles", roles, role_cols),
        *(("evidence", e, evidence_cols) for e in given),
    ):
        check_columns(df, cols, param=name, func=func)
