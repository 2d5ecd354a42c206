"""Compositions over one case: read its files, run a stage, write its outputs.

The algorithm layer (:mod:`crimnet.graphs`) takes tables and graphs, never
paths. What reads a folder of canonical tables, a store, an edge list or a
generated case's truth, and what joins two stages (the roles that detection
infers, cut apart by a disruption strategy), lives here, one level up, beside
:mod:`crimnet.pipeline`.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import igraph as ig
import numpy as np
import pandas as pd

from crimnet.errors import ParameterError, bad_parameter, check_interval, check_type
from crimnet.frames import write_csv
from crimnet.graphs.detect import DEFAULT_METHOD, DetectionResult, detect, evaluate_detection
from crimnet.graphs.detect.evaluate import evaluate_clusters
from crimnet.graphs.detect.roles import infer_roles, inferred_pairs
from crimnet.graphs.disrupt import victim_controller_cut_ranking
from crimnet.graphs.edgelist import read_edgelist, victim_controller_pairs
from crimnet.graphs.store import open_store
from crimnet.graphs.views import hetero_graph
from crimnet.synthetic.truth import align_truth, read_truth, read_truth_entities, ring_pairs
from crimnet.tables import CanonicalTables

__all__ = [
    "Network",
    "detect_case",
    "detected_cut_ranking",
    "evaluate_order",
    "load_network",
    "read_case_tables",
    "write_detection",
]


def write_detection(result: DetectionResult, out: str | Path) -> list[Path]:
    """Write ``clusters.parquet`` (indicators as JSON strings), ``node_scores.parquet`` and ``detect.json``.

    Returns the paths written.
    """
    check_type(result, DetectionResult, param="result", func="write_detection", expected="a DetectionResult")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    c = result.clusters.copy()
    c["members"] = c["members"].map(lambda m: [str(x) for x in m])
    c["indicators"] = c["indicators"].map(lambda i: json.dumps(i, default=float))
    c.attrs = {}
    ns = result.node_scores.copy()
    ns.attrs = {}
    paths = [out / "clusters.parquet", out / "node_scores.parquet", out / "detect.json"]
    c.to_parquet(paths[0], index=False)
    ns.to_parquet(paths[1], index=False)
    meta = {
        "parameters": result.parameters,
        "timings_s": result.timings,
        "weights": result.clusters.attrs.get("weights", {}),
    }
    if result.events is not None:
        result.events.to_parquet(out / "cluster_events.parquet", index=False)
        paths.append(out / "cluster_events.parquet")
    paths[2].write_text(json.dumps(meta, indent=2, default=str) + "\n")
    return paths


def detect_case(
    tables_dir: str | Path,
    *,
    out: str | Path,
    methods: Sequence[str] = (DEFAULT_METHOD,),
    seed: int = 0,
    truth: str | Path | None = None,
    resolution_file: str | Path | None = None,
    previous: str | Path | None = None,
    k: int = 10,
) -> tuple[DetectionResult, pd.DataFrame | None]:
    """Read canonical tables from a folder, detect, write the results and evaluate against truth.

    Parameters
    ----------
    tables_dir : str or Path
        Folder of canonical tables (``nodes_*.parquet``, ``edges_*.parquet``).
    out : str or Path
        Output folder for ``clusters.parquet``, ``node_scores.parquet``, ``detect.json``
        (and ``evaluation.csv`` with `truth`).
    methods : sequence of str, default (DEFAULT_METHOD,)
        Methods of :func:`~crimnet.graphs.detect.detection.detect`; by default
        :data:`crimnet.graphs.detect.detection.DEFAULT_METHOD`.
    seed : int, default 0
        Seed.
    truth : str or Path, optional
        A generated case directory (with ``truth/persons.csv``).
    resolution_file : str or Path, optional
        Ingest's ``resolution.parquet`` when the tables come from ingest
        (requires ``truth/entities.csv`` in the case).
    previous : str or Path, optional
        A previous ``clusters.parquet`` whose ids to carry over.
    k : int, default 10
        Cut-off of precision@k.

    Returns
    -------
    result : DetectionResult
        Its ``timings`` add ``read`` (the tables) and ``write`` (the output files), in seconds.
    evaluation : DataFrame or None
        :func:`~crimnet.graphs.detect.evaluate_detection` output when `truth` is given.

    Notes
    -----
    The tables' list columns (``sources``, ``record_ids``) are only read for
    ``leiden_hetero``, the one method that uses them: they are most of the
    tables' memory. On the 1,000,000-person case the whole step's seconds
    per stage and peak memory are in ``benchmarks/results/detect_speed.md``.
    """
    check_type(
        tables_dir, (str, os.PathLike), param="tables_dir", func="detect_case", expected="a path (str or os.PathLike)"
    )
    check_interval(k, param="k", func="detect_case", low=1, closed="left", integer=True)
    t0 = time.perf_counter()
    # only leiden_hetero weighs edges by their sources
    tables = CanonicalTables.read(tables_dir, lists="leiden_hetero" in methods)
    read_s = time.perf_counter() - t0
    prev = pd.read_parquet(previous) if previous is not None else None
    result = detect(tables, methods=methods, seed=seed, previous_clusters=prev)
    result.timings = {"read": read_s, **result.timings}
    t0 = time.perf_counter()
    write_detection(result, out)
    result.timings["write"] = time.perf_counter() - t0
    evaluation = None
    if truth is not None:
        evaluation = evaluate_detection(result, _aligned_truth(truth, resolution_file), tables=tables, k=k)
        write_csv(evaluation, Path(out) / "evaluation.csv")  # formula cells neutralised
    return result, evaluation


def _aligned_truth(truth: str | Path, resolution_file: str | Path | None) -> pd.DataFrame:
    persons = read_truth(truth)
    if resolution_file is None:
        return align_truth(persons)
    return align_truth(persons, resolution=pd.read_parquet(resolution_file), truth_entities=read_truth_entities(truth))


def evaluate_order(
    clusters: pd.DataFrame,
    truth: str | Path,
    *,
    score: str,
    resolution_file: str | Path | None = None,
    node_scores: pd.DataFrame | None = None,
    k: int = 10,
) -> pd.DataFrame:
    """Evaluate detected clusters ranked by another score (the learned one) against a generated case's truth.

    Parameters
    ----------
    clusters : DataFrame
        Detected clusters (``cluster_id``, ``members``, ``size``, ``method``...) with a column `score`.
    truth : str or Path
        A generated case directory (with ``truth/persons.csv``).
    score : str
        The column to rank by, highest first (clusters where it is missing come last), e.g. ``'gnn_score'``
        (:func:`crimnet.gnn.apply.learned_order`). With a ``fragment`` column (the learned order's folded
        fragments, :func:`crimnet.gnn.fragments.fold_fragments`), the heads come first by `score`, then the
        fragments by `score`, as the learned order shows them: precision@k counts k distinct structures.
    resolution_file : str or Path, optional
        Ingest's ``resolution.parquet`` when the clusters come from ingested tables.
    node_scores : DataFrame, optional
        ``node_id`` and ``score`` of people (the learned perpetrator probability) for the node-level average precision.
    k : int, default 10
        Cut-off of precision@k.

    Returns
    -------
    DataFrame
        One row per method, ``method`` (``'<method> by <score>'``) and the metrics of
        :func:`crimnet.graphs.detect.evaluate.evaluate_clusters`; the same columns as :func:`detect_case`'s
        evaluation, so that the two orders stand in one table.

    Raises
    ------
    crimnet.errors.ParameterError
        If `clusters` is not a DataFrame or lacks `score`, or `k` is below 1.

    Notes
    -----
    One sort of the clusters plus :func:`~crimnet.graphs.detect.evaluate.evaluate_clusters`: O(c log c + n).
    """
    check_type(clusters, pd.DataFrame, param="clusters", func="evaluate_order", expected="a clusters DataFrame")
    check_interval(k, param="k", func="evaluate_order", low=1, closed="left", integer=True)
    if score not in clusters.columns:
        raise bad_parameter("score", "evaluate_order", f"a column of clusters ({sorted(clusters.columns)})", score)
    aligned = _aligned_truth(truth, resolution_file)
    value = clusters[score].astype(np.float64).fillna(-np.inf).to_numpy()
    if "fragment" in clusters.columns:
        # learned_order's folded order: heads by score, then the fragments, then the unscored (fragment missing)
        tiers = {False: 0, True: 1, "False": 0, "True": 1}  # as written, or read back from a CSV file
        tier = clusters["fragment"].map(tiers).fillna(2).to_numpy(dtype=np.int64)
        position = np.empty(len(value), dtype=np.float64)
        position[np.lexsort((-value, tier))] = np.arange(len(value))
        value = -position  # ring_hits ranks by score, highest first: the folded position as a score
    ranked = clusters.assign(score=value)
    by = ranked.groupby("method", sort=False) if "method" in ranked.columns else [("clusters", ranked)]
    rows = [
        {"method": f"{method} by {score}", **evaluate_clusters(c, aligned, node_scores=node_scores, k=k)}
        for method, c in by
    ]
    return pd.DataFrame(rows)


@dataclass
class Network:
    """A graph to disrupt, with its victim/controller labels when known (None otherwise)."""

    graph: ig.Graph
    victims: list[Any] | None = None
    controllers: list[Any] | None = None
    pairs: list[tuple[Any, Any]] | None = None
    source: str = ""


def load_network(
    *,
    edges: str | Path | None = None,
    nodes: str | Path | None = None,
    tables: str | Path | None = None,
    truth: str | Path | None = None,
    resolution: str | Path | None = None,
    store: str | Path | None = None,
) -> Network:
    """Load the network that ``crimnet disrupt`` analyses: an edge list, canonical tables or a store.

    Parameters
    ----------
    edges, nodes : str or Path, optional
        An edge-list CSV and optional node file (see :func:`~crimnet.graphs.edgelist.read_edgelist`);
        victim/controller labels come from the node file's ``role``/``group``.
    tables : str or Path, optional
        A directory of canonical tables; the graph is the hetero graph view
        (:func:`crimnet.graphs.views.hetero_graph`).
    truth : str or Path, optional
        With `tables`: a generated case directory (or its ``truth/``); Persons
        are labelled via :func:`crimnet.synthetic.truth.align_truth`, and each
        victim is paired with the controllers of its own ring.
    resolution : str or Path, optional
        With `truth`: ingest's resolution table (Parquet or CSV), when the
        tables are ingested rather than the generator's true tables.
    store : str or Path, optional
        Instead of `tables`: a graph store (embedded store directory or
        ``bolt://`` URI, see :func:`crimnet.graphs.store.open_store`); its
        tables are read back and viewed as with `tables`.

    Returns
    -------
    Network
        graph, victims, controllers, pairs (None when unlabelled) and source.

    Raises
    ------
    crimnet.errors.ParameterError
        Unless exactly one of `edges`, `tables` and `store` is given, or when `truth`
        or `resolution` come without what they need.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "e.csv").write_text("source,target\\n1,2\\n2,3\\n")
    >>> load_network(edges=d / "e.csv").graph.vcount()
    3
    """
    func = "load_network"
    if sum(x is not None for x in (edges, tables, store)) != 1:
        raise ParameterError(
            f"The 'edges' parameter of {func} must be given, or 'tables', or 'store', but only one. Got "
            f"edges={edges!r}, tables={tables!r}, store={store!r} instead."
        )
    if edges is not None:
        if truth is not None or resolution is not None:
            raise ParameterError(
                f"The 'truth' parameter of {func} must be None with an edge list (labels come from the node "
                f"file). Got {truth!r} instead."
            )
        g = read_edgelist(edges, nodes=nodes)
        v, c, p = victim_controller_pairs(g)
        labelled = bool(v) and bool(c)
        return Network(g, v if labelled else None, c if labelled else None, p if labelled else None, str(edges))
    g = hetero_graph(read_case_tables(tables, store))
    source = str(tables if tables is not None else store)
    if truth is None:
        if resolution is not None:
            raise ParameterError(f"The 'resolution' parameter of {func} needs 'truth'. Got {resolution!r} instead.")
        return Network(g, source=source)
    res = None
    ents = None
    if resolution is not None:
        rp = Path(resolution)
        res = pd.read_parquet(rp) if rp.suffix == ".parquet" else pd.read_csv(rp, dtype=str)
        ents = read_truth_entities(truth)
    aligned = align_truth(read_truth(truth), resolution=res, truth_entities=ents)
    names = set(g.vs["name"])
    named = "Person:" + aligned["node_id"].astype(str)
    vic = named[(aligned["role"] == "victim") & named.isin(names)].tolist()
    con = named[(aligned["role"] == "controller") & named.isin(names)].tolist()
    return Network(g, vic, con, ring_pairs(aligned, names=names), source)


def read_case_tables(tables: str | Path | None, store: str | Path | None = None) -> CanonicalTables:
    """Read a case's canonical tables from a folder of Parquet tables or, with `tables` None, from a store.

    Parameters
    ----------
    tables : str or Path or None
        Folder of ``nodes_*.parquet`` / ``edges_*.parquet``.
    store : str or Path, optional
        Store directory or Bolt URI (see :func:`crimnet.graphs.store.open_store`), read when `tables` is None.

    Returns
    -------
    CanonicalTables
    """
    check_type(
        tables, (str, os.PathLike, type(None)), param="tables", func="read_case_tables", expected="a path or None"
    )
    if tables is not None:
        return CanonicalTables.read(tables)
    with open_store(store) as db:
        return db.tables()


def detected_cut_ranking(
    graph: ig.Graph,
    tables: CanonicalTables,
    clusters: pd.DataFrame,
    *,
    top: int | None = 10,
    budget: int | None = None,
    costs: Mapping[str, float] | None = None,
    seed: int = 0,
    **role_params: Any,
) -> pd.DataFrame:
    """Cut inferred victims off from inferred controllers in the top detected clusters.

    Infers roles in the `top` clusters (:func:`~crimnet.graphs.detect.roles.infer_roles`), pairs victims
    with the controllers of their cluster (:func:`~crimnet.graphs.detect.roles.inferred_pairs`) and ranks
    nodes with :func:`crimnet.graphs.disrupt.victim_controller_cut_ranking`
    (minimum-cost vertex cuts, max-flow) on those pairs: the label-free
    counterpart of the true-label strategy ``victim_controller_cut``.

    Parameters
    ----------
    graph : igraph.Graph
        The heterogeneous graph of `tables`
        (:func:`crimnet.graphs.views.hetero_graph`; vertex names
        ``'<Label>:<id>'``).
    tables : CanonicalTables
        The canonical tables the clusters were found in.
    clusters : DataFrame
        Detected ``clusters`` (``cluster_id``, ``members``, ``score``).
    top : int or None, default 10
        Clusters to act on, by descending score; all when None.
    budget : int, optional
        Truncate the order to its first `budget` nodes (default: every node).
    costs : mapping of str to float, optional
        Cost of acting on a node per label (see
        :data:`crimnet.graphs.disrupt.DEFAULT_COSTS`); unit costs when None.
        They are the vertex capacities of the cuts.
    seed : int, default 0
        Tie-break seed.
    **role_params
        Further keyword arguments of :func:`~crimnet.graphs.detect.roles.infer_roles` (``controller_min``...).

    Returns
    -------
    DataFrame
        ``ranking``: ``rank`` (int64, 1-based), ``node_id`` (vertex name),
        ``label`` (str), ``strategy`` (``'detected_cut'``); ``attrs`` record
        the parameters and the number of inferred pairs (``pairs``). Inferred
        people missing from `graph` are dropped; with no pair left the order is
        adaptive degree (what the cut strategy completes with).

    Raises
    ------
    crimnet.errors.ParameterError
        On a bad graph, tables, clusters or parameter.

    Notes
    -----
    :func:`~crimnet.graphs.detect.roles.infer_roles` plus one max-flow per inferred ring on the
    component(s) that hold it (see ``victim_controller_cut_ranking``).

    References
    ----------
    L. R. Ford and D. R. Fulkerson (1956), doi:10.4153/CJM-1956-045-5.

    Examples
    --------
    >>> from crimnet.graphs.views import hetero_graph
    >>> t = CanonicalTables.from_partial({
    ...     "Person": pd.DataFrame({"id": ["a", "b"]}), "Phone": pd.DataFrame({"id": ["+44"]}),
    ...                 "USES_PHONE": pd.DataFrame({"src": ["a", "b"], "dst": ["+44", "+44"]})})
    >>> c = pd.DataFrame({"cluster_id": [0], "members": [["a", "b"]], "score": [1.0]})
    >>> r = detected_cut_ranking(hetero_graph(t), t, c)
    >>> r["strategy"].iloc[0], sorted(r["node_id"]) == sorted(hetero_graph(t).vs["name"])
    ('detected_cut', True)
    """
    func = "detected_cut_ranking"
    check_type(graph, ig.Graph, param="graph", func=func, expected="an igraph.Graph")
    if top is not None:
        check_interval(top, param="top", func=func, low=1, closed="left", integer=True)
    roles = infer_roles(tables, clusters, top=top, **role_params)
    pairs = inferred_pairs(roles)
    names = set(graph.vs["name"]) if "name" in graph.vertex_attributes() else set()
    pairs = [p for p in pairs if p[0] in names and p[1] in names]
    r = victim_controller_cut_ranking(graph, pairs=pairs, budget=budget, costs=costs, seed=seed)
    r["strategy"] = "detected_cut"
    r.attrs.update(roles.attrs["parameters"])
    r.attrs.update(strategy="detected_cut", pairs=len(pairs))
    return r
