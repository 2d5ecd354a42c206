"""Detection end to end: project, cluster, split, score, explain, track and evaluate.

:func:`detect` is the Python entry point; ``crimnet detect`` wraps
:func:`crimnet.cases.detect_case`, which reads canonical tables from a folder,
runs :func:`detect`, writes ``clusters.parquet``, ``node_scores.parquet`` and
``detect.json`` and, given a generated case, evaluates against its truth.

Methods are looked up by name in :data:`DETECTION_METHODS`, each entry the
function that finds its communities and the fixed arguments it runs with;
:data:`DEFAULT_METHOD` is the best measured one. Every result records the
arguments its method ran with in ``attrs`` (see :class:`DetectionResult`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import igraph as ig
import numpy as np
import pandas as pd

from crimnet.errors import bad_parameter, check_choice, check_interval, check_type
from crimnet.graphs.detect.centrality import (
    betweenness_scores,
    degree_scores,
    pagerank_scores,
    weighted_degree_scores,
)
from crimnet.graphs.detect.community import (
    cluster_membership,
    clusters_from_membership,
    consensus_clusters,
    infomap_clusters,
    label_propagation_clusters,
    leiden_clusters,
    louvain_clusters,
)
from crimnet.graphs.detect.evaluate import crowded_address_baseline, evaluate_clusters, largest_degree_baseline
from crimnet.graphs.detect.money import swept_accounts
from crimnet.graphs.detect.risk import RiskWeights, cluster_risk, risk_scores
from crimnet.graphs.detect.split import fiedler_bisection, split_oversized
from crimnet.graphs.detect.tracking import match_clusters
from crimnet.graphs.views import PROJECTION_VIA, hetero_graph, person_projection
from crimnet.tables import CanonicalTables

__all__ = [
    "CENTRALITIES",
    "DEFAULT_METHOD",
    "DETECTION_METHODS",
    "METHODS",
    "DetectionMethod",
    "DetectionResult",
    "detect",
    "evaluate_detection",
]

INFOMAP_CHUNK_ABOVE = 100_000
"""Projections with more people run Infomap inside Leiden communities (:func:`crimnet.graphs.detect.community.
infomap_clusters`, ``chunk``), :data:`INFOMAP_CHUNK` people per call: whole, igraph's Infomap took 53 s of the
81 s detect step at 300,000 people, over 10 minutes at 1,000,000, and grows faster than linearly. Forced on the
quality cases (chunks of 4,000), precision@10 and ring recall stayed at 0.53 / 0.93 (15,000 people) and
1.0 / 0.92 (60,000) against 0.53 / 0.90 and 1.0 / 0.94 whole."""

INFOMAP_CHUNK = 20_000
"""People per Infomap call on large projections (see :data:`INFOMAP_CHUNK_ABOVE`)."""

INFOMAP_TRIALS = 1
"""Infomap attempts per call in :func:`detect` (``infomap_clusters`` alone defaults to 3): the quality table of
``benchmarks/results/detect.md`` and the demo were measured with one."""

LEIDEN_SPLIT_FACTOR = 4
"""Communities above ``LEIDEN_SPLIT_FACTOR x max_cluster_size`` people are first split by Leiden inside each
(:func:`crimnet.graphs.detect.split.leiden_split`), the pieces still above `max_cluster_size` then by Fiedler cuts
(:func:`crimnet.graphs.detect.split.split_oversized`). Modularity's resolution limit makes Leiden's communities grow
with the graph (a median of 770 people at 100,000, thousands at 1,000,000), and splitting those by Fiedler cuts
alone took one eigenvector per cut; with 4 (120 people) the quality table is unchanged for Infomap and better in
ring recall for Leiden than with Fiedler cuts alone, and with 1 (Leiden all the way down) precision@10 fell to 0.73
(benchmarks/results/detect.md)."""


@dataclass(frozen=True)
class DetectionMethod:
    """How :func:`detect` runs one method: an entry of :data:`DETECTION_METHODS`.

    Attributes
    ----------
    func : callable
        ``func(graph, **parameters, seed=...)`` returns a ``clusters`` table
        whose ``attrs`` hold ``membership`` and ``parameters``
        (:mod:`crimnet.graphs.detect.community`).
    parameters : mapping of str to object
        Fixed keyword arguments of `func`, where :func:`detect` differs from
        `func`'s own defaults.
    graph : {'projection', 'heterogeneous'}
        The graph `func` runs on: the person projection, or the heterogeneous
        graph of the tables (its clusters keep their people).
    takes : tuple of str
        Arguments of :func:`detect` passed on: ``'resolution'``, and
        ``'max_size'`` (:func:`detect`'s `max_cluster_size`).
    split : bool
        Whether :func:`detect` splits the communities above `max_cluster_size`
        afterwards (:func:`crimnet.graphs.detect.split.split_oversized`);
        False for a method that splits them itself.
    """

    func: Callable[..., pd.DataFrame]
    parameters: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    graph: str = "projection"
    takes: tuple[str, ...] = ()
    split: bool = True


DETECTION_METHODS: Mapping[str, DetectionMethod] = MappingProxyType(
    {
        "leiden": DetectionMethod(leiden_clusters, takes=("resolution",)),
        "louvain": DetectionMethod(louvain_clusters, takes=("resolution",)),
        "label_propagation": DetectionMethod(label_propagation_clusters),
        "infomap": DetectionMethod(
            infomap_clusters,
            MappingProxyType({"trials": INFOMAP_TRIALS, "chunk": INFOMAP_CHUNK, "chunk_above": INFOMAP_CHUNK_ABOVE}),
        ),
        "consensus": DetectionMethod(
            consensus_clusters, MappingProxyType({"n_runs": 5, "max_rounds": 3}), takes=("resolution",)
        ),
        "spectral": DetectionMethod(fiedler_bisection, takes=("max_size",), split=False),
        "leiden_hetero": DetectionMethod(leiden_clusters, graph="heterogeneous", takes=("resolution",)),
    }
)
"""Detection methods by name: community methods on the person projection, ``spectral`` (recursive Fiedler
bisection of the projection's components) and ``leiden_hetero`` (Leiden on the heterogeneous graph)."""

METHODS: tuple[str, ...] = tuple(DETECTION_METHODS)
"""The names of :data:`DETECTION_METHODS`."""

DEFAULT_METHOD = "infomap"
"""The method :func:`detect`, :func:`crimnet.cases.detect_case`, :func:`crimnet.pipeline.run_case` and the CLI run
when none is named: the best measured one (``benchmarks/results/detect.md``, generated medium cases, 3 seeds).
Infomap has the highest ring recall at both sizes (0.867 at 15,000 people, tied with Leiden; 0.967 at 60,000, against
0.825 for Leiden and 0.808 for spectral) and the highest precision@10 at 15,000 (0.567, tied with Leiden), with the
best node average precision there (0.424 against 0.405). At 60,000 its precision@10 (0.967) is second only to
spectral's 1.0, which took 278 s against Infomap's 7.4 s."""


def _betweenness_on_distances(graph: ig.Graph, seed: int) -> pd.DataFrame:
    """Betweenness with distances ``1 / strength`` (strong ties are short)."""
    inv = graph.copy()
    inv.es["distance"] = (1.0 / np.asarray(graph.es["weight"], dtype=float)).tolist() if graph.ecount() else []
    return betweenness_scores(inv, distance="distance", seed=seed)


CENTRALITIES: Mapping[str, Callable[[ig.Graph, int], pd.DataFrame]] = MappingProxyType(
    {
        "degree": lambda graph, seed: degree_scores(graph),
        "weighted_degree": lambda graph, seed: weighted_degree_scores(graph),
        "pagerank": lambda graph, seed: pagerank_scores(graph),
        "betweenness": _betweenness_on_distances,
    }
)
"""Centralities :func:`detect` can add to ``node_scores``, by name: ``f(projection, seed)``
(:mod:`crimnet.graphs.detect.centrality`; betweenness with distances ``1 / strength``, sampled above 5,000 people)."""

DEFAULT_KIND_WEIGHTS: Mapping[str, float] = MappingProxyType({"call": 10.0, "payment": 10.0, "business": 0.3})
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
        size, score, indicators), each method ranked by score. ``attrs``:
        ``parameters`` (as below), ``weights`` (the risk weights),
        ``features`` (the raw risk indicators of every cluster) and
        ``methods``: per method, the ``attrs`` of its own clusters table
        (``parameters`` its function ran with, ``quality``, ``weights``,
        ``risk_parameters``...; without the membership vector, which is the
        ``members`` column again).
    node_scores : DataFrame
        ``node_scores`` (node_id, label, method, score): per-method risk
        (``'<method>_risk'``) and the requested centralities. ``attrs``:
        ``parameters`` and ``methods`` (the ``attrs`` of each score table).
    events : DataFrame or None
        Cluster tracking events when `previous_clusters` was given.
    graph : igraph.Graph or None
        The person projection used.
    timings : dict
        Seconds per step.
    parameters : dict
        The arguments of the run, and ``method_parameters``: the arguments
        each method's function ran with (:data:`DETECTION_METHODS` and the
        function's own defaults).
    """

    clusters: pd.DataFrame
    node_scores: pd.DataFrame
    events: pd.DataFrame | None = None
    graph: ig.Graph | None = None
    timings: dict[str, float] = field(default_factory=dict)
    parameters: dict[str, Any] = field(default_factory=dict)


def _run_method(
    name: str, proj: ig.Graph, tables: CanonicalTables, *, seed: int, resolution: float, max_cluster_size: int
) -> pd.DataFrame:
    """Communities of method `name` on the projection, split down to `max_cluster_size`, with their attrs."""
    method = DETECTION_METHODS[name]
    given = {"resolution": resolution, "max_size": max_cluster_size}
    graph = hetero_graph(tables) if method.graph == "heterogeneous" else proj
    found = method.func(graph, **method.parameters, **{k: given[k] for k in method.takes}, seed=seed)
    if method.graph == "heterogeneous":
        memb = cluster_membership(proj, found, member_label="Person")
    else:
        memb = np.asarray(found.attrs["membership"], dtype=np.int64)
    splitting: dict[str, Any] = {"max_cluster_size": max_cluster_size}
    if method.split:
        splitting["leiden_above"] = LEIDEN_SPLIT_FACTOR * max_cluster_size
        memb = split_oversized(
            proj, memb, max_size=max_cluster_size, leiden_above=splitting["leiden_above"], resolution=1.0, seed=seed
        )
    out = clusters_from_membership(
        proj, memb, method=name, parameters={**found.attrs.get("parameters", {}), **splitting}
    )
    out.attrs.update({k: v for k, v in found.attrs.items() if k not in out.attrs})  # codelength, rounds...
    return out


def _provenance(frames: list[pd.DataFrame]) -> dict[str, dict[str, Any]]:
    """The attrs of each table by its method, without what is kept elsewhere (features) or is the table again."""
    return {
        f.attrs["method"]: {k: v for k, v in f.attrs.items() if k not in ("features", "membership")} for f in frames
    }


def detect(
    tables: CanonicalTables,
    *,
    methods: Sequence[str] = (DEFAULT_METHOD,),
    seed: int = 0,
    resolution: float = 1.0,
    via: Sequence[str] = tuple(PROJECTION_VIA),
    max_shared: int = 50,
    kind_weights: Mapping[str, float] | None = None,
    max_cluster_size: int = 30,
    min_size: int = 3,
    weights: RiskWeights | None = None,
    centralities: Sequence[str] = ("weighted_degree", "pagerank"),
    previous_clusters: pd.DataFrame | None = None,
) -> DetectionResult:
    """Find, score and explain likely perpetrator clusters in a case.

    Steps: the person projection (:func:`crimnet.graphs.views.person_projection`);
    communities by each method (:data:`DETECTION_METHODS`); communities larger
    than `max_cluster_size` split (by Leiden inside each above
    :data:`LEIDEN_SPLIT_FACTOR` times that size, then by Fiedler bisection:
    :func:`crimnet.graphs.detect.split.split_oversized`); risk indicators,
    scores and explanations (:func:`crimnet.graphs.detect.risk.cluster_risk`);
    person scores; optionally stable ids against a previous run.

    Parameters
    ----------
    tables : CanonicalTables
        The canonical tables of the case.
    methods : sequence of str, default (DEFAULT_METHOD,)
        Any of :data:`METHODS`; by default :data:`DEFAULT_METHOD` (``'infomap'``).
    seed : int, default 0
        Seed of every randomised step.
    resolution : float, default 1.0
        Modularity resolution of Leiden, Louvain and consensus (> 0).
    via : sequence of str, default all
        Evidence kinds of the projection (:data:`crimnet.graphs.views.PROJECTION_VIA`).
    max_shared : int, default 50
        Entities shared by more people are left out of the projection.
    kind_weights : mapping of str to float, optional
        Multipliers of each evidence kind in the projection; default
        :data:`DEFAULT_KIND_WEIGHTS`.
    max_cluster_size : int, default 30
        Communities larger than this are split: by Leiden inside each
        (:func:`crimnet.graphs.detect.split.leiden_split`) down to
        ``LEIDEN_SPLIT_FACTOR * max_cluster_size``, then by Fiedler cuts.
    min_size : int, default 3
        Smallest cluster scored and reported.
    weights : RiskWeights, optional
        Risk weights (default :class:`~crimnet.graphs.detect.risk.RiskWeights`).
    centralities : sequence of str, default ('weighted_degree', 'pagerank')
        Centralities of the projection added to ``node_scores``: any of
        :data:`CENTRALITIES` (``'degree'``, ``'weighted_degree'``,
        ``'pagerank'``, ``'betweenness'``, sampled above 5,000 people).
    previous_clusters : DataFrame, optional
        Clusters of an earlier run: ids are carried over
        (:func:`crimnet.graphs.detect.tracking.match_clusters`) and events reported.

    Returns
    -------
    DetectionResult
        Its tables' ``attrs`` record the parameters of every step (see
        :class:`DetectionResult`).

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
    [{'method': 'infomap', 'size': 4}]
    >>> r.clusters.attrs["methods"]["infomap"]["parameters"]["trials"]
    1
    """
    func = "detect"
    check_type(tables, CanonicalTables, param="tables", func=func, expected="a CanonicalTables")
    if isinstance(methods, str) or not isinstance(methods, Sequence) or len(methods) == 0:
        raise bad_parameter("methods", func, f"a non-empty sequence of {list(METHODS)}", methods)
    for m in methods:
        check_choice(m, METHODS, param="methods", func=func)
    for cname in centralities:
        check_choice(cname, tuple(CENTRALITIES), param="centralities", func=func)
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
    timings["projection"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    swept = swept_accounts(tables)  # shared by the risk of every method
    timings["sweeps"] = time.perf_counter() - t0
    for method in dict.fromkeys(methods):
        t0 = time.perf_counter()
        raw = _run_method(method, proj, tables, seed=seed, resolution=resolution, max_cluster_size=max_cluster_size)
        timings[f"{method}_clusters"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        raw = raw[raw["size"] >= min_size].reset_index(drop=True)
        scored = cluster_risk(tables, raw, graph=proj, weights=weights, min_size=min_size, max_size=None, swept=swept)
        all_clusters.append(scored)
        all_scores.append(risk_scores(tables, scored, graph=proj, swept=swept))
        timings[f"{method}_risk"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    all_scores += [CENTRALITIES[cname](proj, seed) for cname in centralities]
    timings["centrality"] = time.perf_counter() - t0
    features = pd.concat([c.attrs["features"] for c in all_clusters], ignore_index=True)
    cluster_attrs, score_attrs = _provenance(all_clusters), _provenance(all_scores)
    for frame in (*all_clusters, *all_scores):
        frame.attrs = {}  # attrs may hold DataFrames, which pandas cannot compare when concatenating
    clusters = pd.concat(all_clusters, ignore_index=True)
    events = None
    if previous_clusters is not None:
        clusters, events = match_clusters(previous_clusters, clusters)
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
        "method_parameters": {m: a["parameters"] for m, a in cluster_attrs.items()},
    }
    clusters.attrs = {
        "parameters": params,
        "weights": (weights or RiskWeights()).to_dict(),
        "features": features,
        "methods": cluster_attrs,
    }
    node_scores.attrs = {"parameters": params, "methods": score_attrs}
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
    [{'method': 'infomap', 'precision_at_k': 1.0}]
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
