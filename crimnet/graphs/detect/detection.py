"""Detection end to end: project, cluster, split, score, explain, track and evaluate.

:func:`detect` is the Python entry point; ``crimnet detect`` wraps
:func:`detect_case`, which reads canonical tables from a folder, runs
:func:`detect`, writes ``clusters.parquet`` and ``node_scores.parquet`` and,
given a generated case, evaluates against its truth.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import igraph as ig
import numpy as np
import pandas as pd

from crimnet.errors import bad_parameter, check_choice, check_interval, check_type
from crimnet.graphs.detect import centrality, community, spectral
from crimnet.graphs.detect.evaluate import crowded_address_baseline, evaluate_clusters, largest_degree_baseline
from crimnet.graphs.detect.money import swept_accounts
from crimnet.graphs.detect.risk import RiskWeights, cluster_risk, risk_scores
from crimnet.graphs.detect.tracking import match_clusters
from crimnet.graphs.views import PROJECTION_VIA, hetero_graph, person_projection
from crimnet.tables import CanonicalTables

__all__ = ["METHODS", "DetectionResult", "detect", "evaluate_detection"]

METHODS = ("leiden", "louvain", "label_propagation", "infomap", "consensus", "spectral", "leiden_hetero")
"""Detection methods: community methods on the person projection, ``spectral`` (recursive
Fiedler bisection of the projection's components) and ``leiden_hetero`` (Leiden on the
heterogeneous graph, clusters keep their people)."""

INFOMAP_CHUNK_ABOVE = 100_000
"""Projections with more people run Infomap inside Leiden communities (:func:`crimnet.graphs.detect.community.
infomap_clusters`, ``chunk``), :data:`INFOMAP_CHUNK` people per call: whole, igraph's Infomap took 53 s of the
81 s detect step at 300,000 people, over 10 minutes at 1,000,000, and grows faster than linearly. Forced on the
quality cases (chunks of 4,000), precision@10 and ring recall stayed at 0.53 / 0.93 (15,000 people) and
1.0 / 0.92 (60,000) against 0.53 / 0.90 and 1.0 / 0.94 whole."""

INFOMAP_CHUNK = 20_000
"""People per Infomap call on large projections (see :data:`INFOMAP_CHUNK_ABOVE`)."""

LEIDEN_SPLIT_FACTOR = 4
"""Communities above ``LEIDEN_SPLIT_FACTOR x max_cluster_size`` people are first split by Leiden inside each
(:func:`crimnet.graphs.detect.community.leiden_split`), the pieces still above `max_cluster_size` then by Fiedler cuts.
Modularity's resolution limit makes Leiden's communities grow with the graph (a median of 770 people at 100,000,
thousands at 1,000,000), and splitting those by Fiedler cuts alone took one eigenvector per cut; with 4 (120
people) the quality table is unchanged for Infomap and better in ring recall for Leiden than with Fiedler cuts
alone, and with 1 (Leiden all the way down) precision@10 fell to 0.73 (benchmarks/results/detect.md)."""

_CENTRALITY = ("degree", "weighted_degree", "pagerank", "betweenness")

DEFAULT_KIND_WEIGHTS: dict[str, float] = {"call": 10.0, "payment": 10.0, "business": 0.3}
"""Projection multipliers used by :func:`detect`: repeated calls and payments are the ties that bind
organisers to their victims in generated cases, while co-workers of one business are mostly unrelated
(chosen on generated ``medium`` cases, seeds 1-3; see ``benchmarks/results/detect.md``)."""


@dataclass
class DetectionResult:
    """The outcome of :func:`detect`.

    Attributes
    ----------
    clusters : DataFrame
        Scored ``clusters`` of every method (cluster_id, method, members,
        size, score, indicators), each method ranked by score.
    node_scores : DataFrame
        ``node_scores`` (node_id, label, method, score): per-method risk
        (``'<method>_risk'``) and the requested centralities.
    events : DataFrame or None
        Cluster tracking events when `previous_clusters` was given.
    graph : igraph.Graph or None
        The person projection used.
    timings : dict
        Seconds per step.
    parameters : dict
        The arguments of the run.
    """

    clusters: pd.DataFrame
    node_scores: pd.DataFrame
    events: pd.DataFrame | None = None
    graph: ig.Graph | None = None
    timings: dict[str, float] = field(default_factory=dict)
    parameters: dict[str, Any] = field(default_factory=dict)


def _run_method(
    method: str,
    proj: ig.Graph,
    tables: CanonicalTables,
    *,
    seed: int,
    resolution: float,
    max_cluster_size: int,
    edges: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> pd.DataFrame:
    if method == "leiden":
        c = community.leiden_clusters(proj, resolution=resolution, seed=seed)
    elif method == "louvain":
        c = community.louvain_clusters(proj, resolution=resolution, seed=seed)
    elif method == "label_propagation":
        c = community.label_propagation_clusters(proj, seed=seed)
    elif method == "infomap":
        chunk = INFOMAP_CHUNK if proj.vcount() > INFOMAP_CHUNK_ABOVE else None
        c = community.infomap_clusters(proj, seed=seed, trials=1, chunk=chunk)
    elif method == "consensus":
        c = community.consensus_clusters(proj, resolution=resolution, seed=seed, n_runs=5, max_rounds=3)
    elif method == "spectral":
        c = spectral.fiedler_bisection(proj, max_size=max_cluster_size, seed=seed)
    else:  # leiden_hetero
        c = community.leiden_clusters(hetero_graph(tables), resolution=resolution, seed=seed)
    if method == "leiden_hetero":
        memb = community._membership_of(proj, c, "Person")
    else:
        memb = np.asarray(c.attrs["membership"], dtype=np.int64)
    if method != "spectral":
        memb = _split_oversized(proj.vcount(), edges, memb, max_cluster_size, seed=seed)
    c = community.clusters_from_membership(
        proj, memb, method=method, parameters={**c.attrs.get("parameters", {}), "max_cluster_size": max_cluster_size}
    )
    c.attrs["method"] = method
    return c


def _split_oversized(
    n: int,
    edges: tuple[np.ndarray, np.ndarray, np.ndarray],
    memb: np.ndarray,
    max_size: int,
    *,
    seed: int,
) -> np.ndarray:
    """Split communities above `max_size`: Leiden inside each above 4 x `max_size`, then Fiedler cuts."""
    memb = community._split_by_leiden(
        n, edges, memb, max_size=LEIDEN_SPLIT_FACTOR * max_size, resolution=1.0, seed=seed
    )
    return spectral._split_pieces(n, edges, memb, max_size=max_size, seed=seed)


def detect(
    tables: CanonicalTables,
    *,
    methods: Sequence[str] = ("leiden",),
    seed: int = 0,
    resolution: float = 1.0,
    via: Sequence[str] = tuple(PROJECTION_VIA),
    max_shared: int = 50,
    kind_weights: dict[str, float] | None = None,
    max_cluster_size: int = 30,
    min_size: int = 3,
    weights: RiskWeights | None = None,
    centralities: Sequence[str] = ("weighted_degree", "pagerank"),
    previous_clusters: pd.DataFrame | None = None,
) -> DetectionResult:
    """Find, score and explain likely perpetrator clusters in a case.

    Steps: the person projection (:func:`crimnet.graphs.views.person_projection`);
    communities by each method; communities larger than `max_cluster_size`
    split (by Leiden inside each above :data:`LEIDEN_SPLIT_FACTOR` times that
    size, then by Fiedler bisection); risk indicators, scores and explanations
    (:func:`crimnet.graphs.detect.risk.cluster_risk`); person scores; optionally
    stable ids against a previous run.

    Parameters
    ----------
    tables : CanonicalTables
        The canonical tables of the case.
    methods : sequence of str, default ('leiden',)
        Any of :data:`METHODS`.
    seed : int, default 0
        Seed of every randomised step.
    resolution : float, default 1.0
        Modularity resolution of Leiden, Louvain and consensus (> 0).
    via : sequence of str, default all
        Evidence kinds of the projection (:data:`crimnet.graphs.views.PROJECTION_VIA`).
    max_shared : int, default 50
        Entities shared by more people are left out of the projection.
    kind_weights : dict of str to float, optional
        Multipliers of each evidence kind in the projection; default
        :data:`DEFAULT_KIND_WEIGHTS`.
    max_cluster_size : int, default 30
        Communities larger than this are split: by Leiden inside each
        (:func:`crimnet.graphs.detect.community.leiden_split`) down to
        ``LEIDEN_SPLIT_FACTOR * max_cluster_size``, then by Fiedler cuts.
    min_size : int, default 3
        Smallest cluster scored and reported.
    weights : RiskWeights, optional
        Risk weights (default :class:`~crimnet.graphs.detect.risk.RiskWeights`).
    centralities : sequence of str, default ('weighted_degree', 'pagerank')
        Centralities of the projection added to ``node_scores``: any of
        ``'degree'``, ``'weighted_degree'``, ``'pagerank'``, ``'betweenness'``
        (sampled above 5,000 people).
    previous_clusters : DataFrame, optional
        Clusters of an earlier run: ids are carried over
        (:func:`crimnet.graphs.detect.tracking.match_clusters`) and events reported.

    Returns
    -------
    DetectionResult

    Raises
    ------
    crimnet.errors.ParameterError
        If a parameter is out of range.

    Notes
    -----
    Near linear in the number of linked pairs m: the projection (sparse
    products), the community method, splitting (a Leiden call per round on
    all oversized communities at once, about log(size) rounds, then one small
    dense eigenproblem per Fiedler cut, the cuts of a level swept in one
    vectorised pass) and the risk joins. Memory O(n + m). On the 1,000,000
    person case see ``benchmarks/results/detect_speed.md``.

    Examples
    --------
    >>> from crimnet.tables import CanonicalTables
    >>> t = CanonicalTables.from_partial({
    ...     "Person": pd.DataFrame({"id": list("abcd"), "name": ["w a", "x b", "y c", "z d"]}),
    ...                 "Phone": pd.DataFrame({"id": ["+4477"]}),
    ...                 "USES_PHONE": pd.DataFrame({"src": list("abcd"), "dst": ["+4477"] * 4})})
    >>> r = detect(t)
    >>> r.clusters[["method", "size"]].to_dict("records")
    [{'method': 'leiden', 'size': 4}]
    """
    func = "detect"
    check_type(tables, CanonicalTables, param="tables", func=func, expected="a CanonicalTables")
    if isinstance(methods, str) or not isinstance(methods, Sequence) or len(methods) == 0:
        raise bad_parameter("methods", func, f"a non-empty sequence of {list(METHODS)}", methods)
    for m in methods:
        check_choice(m, METHODS, param="methods", func=func)
    for cname in centralities:
        check_choice(cname, _CENTRALITY, param="centralities", func=func)
    check_interval(seed, param="seed", func=func, low=0, closed="left", integer=True)
    check_interval(resolution, param="resolution", func=func, low=0)
    check_interval(max_cluster_size, param="max_cluster_size", func=func, low=2, closed="left", integer=True)
    check_interval(min_size, param="min_size", func=func, low=1, closed="left", integer=True)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    kw = DEFAULT_KIND_WEIGHTS if kind_weights is None else kind_weights
    proj = person_projection(
        tables, via=via, max_shared=max_shared, kind_weights={k: v for k, v in kw.items() if k in via}
    )
    all_clusters, all_scores = [], []
    edges = community.weighted_edge_arrays(proj, "weight")
    timings["projection"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    swept = swept_accounts(tables)  # shared by the risk of every method
    timings["sweeps"] = time.perf_counter() - t0
    for method in dict.fromkeys(methods):
        t0 = time.perf_counter()
        raw = _run_method(
            method, proj, tables, seed=seed, resolution=resolution, max_cluster_size=max_cluster_size, edges=edges
        )
        timings[f"{method}_clusters"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        raw = raw[raw["size"] >= min_size].reset_index(drop=True)
        scored = cluster_risk(tables, raw, graph=proj, weights=weights, min_size=min_size, max_size=None, swept=swept)
        all_clusters.append(scored)
        all_scores.append(risk_scores(tables, scored, graph=proj, swept=swept))
        timings[f"{method}_risk"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    for cname in centralities:
        if cname == "degree":
            all_scores.append(centrality.degree_scores(proj))
        elif cname == "weighted_degree":
            all_scores.append(centrality.weighted_degree_scores(proj))
        elif cname == "pagerank":
            all_scores.append(centrality.pagerank_scores(proj))
        else:
            inv = proj.copy()
            inv.es["distance"] = (1.0 / np.asarray(proj.es["weight"], dtype=float)).tolist() if proj.ecount() else []
            all_scores.append(centrality.betweenness_scores(inv, distance="distance", seed=seed))
    timings["centrality"] = time.perf_counter() - t0
    features = pd.concat([c.attrs["features"] for c in all_clusters], ignore_index=True)
    for frame in (*all_clusters, *all_scores):
        frame.attrs = {}  # attrs may hold DataFrames, which pandas cannot compare when concatenating
    clusters = pd.concat(all_clusters, ignore_index=True)
    events = None
    if previous_clusters is not None:
        clusters, events = match_clusters(previous_clusters, clusters)
    clusters.attrs = {"features": features, "weights": (weights or RiskWeights()).to_dict()}
    node_scores = pd.concat(all_scores, ignore_index=True)
    params = {
        "methods": list(methods),
        "seed": seed,
        "resolution": resolution,
        "via": list(via),
        "max_shared": max_shared,
        "kind_weights": dict(kw),
        "max_cluster_size": max_cluster_size,
        "min_size": min_size,
        "centralities": list(centralities),
    }
    clusters.attrs["parameters"] = params
    node_scores.attrs["parameters"] = params
    return DetectionResult(
        clusters=clusters, node_scores=node_scores, events=events, graph=proj, timings=timings, parameters=params
    )


def evaluate_detection(
    result: DetectionResult,
    truth_aligned: pd.DataFrame,
    *,
    tables: CanonicalTables | None = None,
    k: int = 10,
    baselines: bool = True,
) -> pd.DataFrame:
    """Evaluate every method of a detection run, and the single-indicator baselines, against truth.

    Parameters
    ----------
    result : DetectionResult
        Output of :func:`detect`.
    truth_aligned : DataFrame
        :func:`crimnet.synthetic.truth.align_truth` output.
    tables : CanonicalTables, optional
        Needed for the ``'many people at one address'`` baseline.
    k : int, default 10
        Cut-off of precision@k.
    baselines : bool, default True
        Add rows ``baseline_degree`` (ego networks of the highest-degree
        people) and ``baseline_address`` (occupants of the most crowded
        addresses; needs `tables`).

    Returns
    -------
    DataFrame
        One row per method: ``method`` and the metrics of
        :func:`crimnet.graphs.detect.evaluate.evaluate_clusters` (``precision_at_k``,
        ``ring_recall``, ``ring_recall_at_k``, ``node_ap``, ``nmi``, ``ari``,
        ``n_clusters``, ``n_rings``), best precision first.

    Examples
    --------
    >>> from crimnet.tables import CanonicalTables
    >>> t = CanonicalTables.from_partial({
    ...     "Person": pd.DataFrame({"id": list("abc")}), "Phone": pd.DataFrame({"id": ["+1"]}),
    ...                 "USES_PHONE": pd.DataFrame({"src": list("abc"), "dst": ["+1"] * 3})})
    >>> truth = pd.DataFrame({"node_id": list("abc"), "role": ["controller", "victim", "victim"], "ring_id": "R"})
    >>> evaluate_detection(detect(t), truth, k=1, baselines=False)[["method", "precision_at_k"]].to_dict("records")
    [{'method': 'leiden', 'precision_at_k': 1.0}]
    """
    check_type(result, DetectionResult, param="result", func="evaluate_detection", expected="a DetectionResult")
    check_interval(k, param="k", func="evaluate_detection", low=1, closed="left", integer=True)
    rows = []
    for method, c in result.clusters.groupby("method", sort=False):
        ns = result.node_scores[result.node_scores["method"] == f"{method}_risk"]
        rows.append({"method": method, **evaluate_clusters(c, truth_aligned, node_scores=ns, k=k)})
    if baselines and result.graph is not None:
        c, s = largest_degree_baseline(result.graph, top=max(k, 100))
        rows.append({"method": "baseline_degree", **evaluate_clusters(c, truth_aligned, node_scores=s, k=k)})
    if baselines and tables is not None:
        c, s = crowded_address_baseline(tables, top=max(k, 100))
        rows.append({"method": "baseline_address", **evaluate_clusters(c, truth_aligned, node_scores=s, k=k)})
    out = pd.DataFrame(rows)
    return out.sort_values(["precision_at_k", "ring_recall"], ascending=False, kind="stable").reset_index(drop=True)
