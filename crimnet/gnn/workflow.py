"""``crimnet train`` and ``crimnet score``: the file-reading compositions of the GNN package.

:func:`train` reads generated cases (their tables and planted truth), trains the
role model (early-stopped on other cases) and the cluster ranker (fitted on the
validation cases' detected clusters, scored by the role model: positives are the
clusters mostly of one ring's people, fragments of a ring included,
:func:`crimnet.gnn.ranking.ring_parts`; its fold threshold is the one that put the most
distinct rings in the top k of those cases, :func:`crimnet.gnn.ranking.with_fold_share`), and saves both
with :func:`crimnet.gnn.persist.save_model`. :func:`score` loads a model folder
and scores a case's canonical tables (:func:`crimnet.gnn.apply.score_tables`):
role probabilities per person (as ``node_scores`` rows, method ``gnn_<role>``),
the detected clusters ranked by the learned score with reasons, and the top
people with the entities behind their score.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from crimnet.errors import ParameterError, check_interval, check_type
from crimnet.gnn.apply import score_tables, write_learned
from crimnet.gnn.data import GraphData, to_hetero_data
from crimnet.gnn.fragments import cluster_links
from crimnet.gnn.persist import save_model
from crimnet.gnn.ranking import ClusterRanker, cluster_features, fit_ranker, ring_parts, with_fold_share
from crimnet.gnn.roles import EPOCH_SIZE, RoleModel, fit_roles, predict_roles, role_labels, torch_threads
from crimnet.graphs.detect.detection import detect
from crimnet.synthetic.truth import align_truth, read_truth, read_truth_entities
from crimnet.tables import CanonicalTables

__all__ = ["read_case", "train", "score", "TRUE_TABLES"]

TRUE_TABLES = "truth/tables"
"""Where a generated case keeps its true canonical tables (the default `tables` of :func:`train`)."""

RESOLUTION_FILE = "resolution.parquet"


def read_case(case: str | os.PathLike[str], tables: str = TRUE_TABLES) -> tuple[CanonicalTables, pd.DataFrame]:
    """Read a generated case's tables and its truth aligned to their people.

    Parameters
    ----------
    case : str or path
        A generated case folder (with ``truth/``).
    tables : str, default 'truth/tables'
        The tables, relative to `case` or absolute: the generator's true tables, or an ingest's output folder
        (``crimnet ingest --out``: its ``tables/`` are read and the truth is aligned to its resolved people
        through its ``resolution.parquet``), or that folder's ``tables/``.

    Returns
    -------
    (CanonicalTables, DataFrame)
        The tables and :func:`crimnet.synthetic.truth.align_truth` output.

    Raises
    ------
    crimnet.errors.ParameterError
        If `case` is not a path.
    crimnet.errors.SchemaError
        If the truth is missing.
    """
    check_type(case, (str, os.PathLike), param="case", func="read_case", expected="a path")
    d = Path(case)
    tdir = Path(tables) if Path(tables).is_absolute() else d / tables
    tdir = tdir / "tables" if (tdir / "tables").is_dir() else tdir  # an ingest's output folder holds its tables
    t = CanonicalTables.read(tdir)
    persons = read_truth(d)
    resolution = tdir.parent / RESOLUTION_FILE  # beside an ingest's tables; the generator's tables have none
    if resolution.exists():
        truth = align_truth(persons, resolution=pd.read_parquet(resolution), truth_entities=read_truth_entities(d))
    else:
        truth = align_truth(persons)
    return t, truth


def _ranker_inputs(rm: RoleModel, t: CanonicalTables, g: GraphData, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    clusters = detect(t, seed=seed).clusters
    return clusters, cluster_features(clusters, predict_roles(rm, g))


def _ring_count(truth: pd.DataFrame) -> int:
    ring = truth["ring_id"].astype(object)
    return int(ring[ring.notna() & (ring.astype(str) != "")].nunique())


def train(
    cases: Sequence[str | os.PathLike[str]],
    out: str | os.PathLike[str],
    *,
    valid: Sequence[str | os.PathLike[str]],
    tables: str = TRUE_TABLES,
    model: str = "sage",
    hidden: int = 64,
    num_layers: int = 2,
    epochs: int = 60,
    patience: int = 10,
    batch_size: int = 512,
    lr: float = 0.005,
    seed: int = 0,
    device: str | None = None,
    epoch_size: int | None = EPOCH_SIZE,
    threads: int | None = 1,
) -> dict[str, Any]:
    """Train the role model and the cluster ranker on generated cases and save them to `out`.

    Parameters
    ----------
    cases : sequence of path
        Training cases (generated case folders).
    out : str or path
        The model folder to write.
    valid : sequence of path
        Validation cases: early stopping of the role model, and the clusters the ranker is fitted on (a
        cluster mostly of one ring's people is a positive, :func:`crimnet.gnn.ranking.ring_parts`; more cases
        give it more rings: one 4,000-person case holds 5), whose folded order chooses the ranker's fold
        threshold (:func:`crimnet.gnn.ranking.with_fold_share`).
    tables : str, default 'truth/tables'
        Tables of each case (see :func:`read_case`).
    model : {'sage', 'hgt'}, default 'sage'
        The architecture.
    hidden, num_layers, epochs, patience, batch_size, lr, seed, device, epoch_size
        As :func:`crimnet.gnn.roles.fit_roles` (which also fits the temperature on the validation cases).
    threads : int or None, default 1
        Torch's CPU threads while training (restored after); None leaves torch's own setting. One by default
        (:func:`crimnet.gnn.roles.torch_threads`: 210 s against 720 s with two on the 100,000-person case).

    Returns
    -------
    dict
        ``out`` (str), ``role_metrics`` (the role model's metrics), ``ranker`` (its metrics, or None when the
        validation clusters hold a single class) and ``seconds``.

    Raises
    ------
    crimnet.errors.ParameterError
        If an argument has the wrong type or is empty.
    """
    check_type(cases, (list, tuple), param="cases", func="train", expected="a non-empty list of case folders")
    check_type(valid, (list, tuple), param="valid", func="train", expected="a non-empty list of case folders")
    if not cases or not valid:
        raise ParameterError("The 'cases' parameter of train must be a non-empty list of case folders. Got [] instead.")
    check_interval(seed, param="seed", func="train", low=0, closed="left", integer=True)
    with torch_threads(threads, func="train"):
        return _train(
            cases, out, valid=valid, tables=tables, model=model, hidden=hidden, num_layers=num_layers, epochs=epochs,
            patience=patience, batch_size=batch_size, lr=lr, seed=seed, device=device, epoch_size=epoch_size,
        )  # fmt: skip


def _train(
    cases: Sequence[str | os.PathLike[str]], out: str | os.PathLike[str], *, valid: Sequence[str | os.PathLike[str]],
    tables: str, model: str, hidden: int, num_layers: int, epochs: int, patience: int, batch_size: int, lr: float,
    seed: int, device: str | None, epoch_size: int | None,
) -> dict[str, Any]:  # fmt: skip
    started = time.perf_counter()
    read = {str(c): read_case(c, tables) for c in [*cases, *valid]}
    graphs = {k: to_hetero_data(t) for k, (t, _) in read.items()}
    labelled = {k: role_labels(graphs[k], truth) for k, (_, truth) in read.items()}
    rm = fit_roles(
        [labelled[str(c)] for c in cases], [labelled[str(c)] for c in valid], model=model, hidden=hidden,
        num_layers=num_layers, epochs=epochs, patience=patience, batch_size=batch_size, lr=lr, seed=seed,
        device=device, epoch_size=epoch_size,
    )  # fmt: skip
    feats, parts, links, rings = [], [], [], []
    for c in valid:
        t, truth = read[str(c)]
        clusters, f = _ranker_inputs(rm, t, graphs[str(c)], seed)
        feats.append(f)
        parts.append(ring_parts(clusters, truth))
        links.append(cluster_links(t, clusters))
        rings.append(_ring_count(truth))
    try:
        ranker: ClusterRanker | None = fit_ranker(feats, [p["part"] for p in parts])
    except ParameterError:
        ranker = None
    if ranker is not None:
        ranker = with_fold_share(ranker, feats, [p["ring_id"].where(p["part"]) for p in parts], links, rings)
    rm.metrics["cases"] = {"train": [str(c) for c in cases], "valid": [str(c) for c in valid], "tables": tables}
    save_model(rm, out, ranker=ranker)
    return {
        "out": str(out),
        "role_metrics": rm.metrics,
        "ranker": None if ranker is None else ranker.metrics,
        "seconds": time.perf_counter() - started,
    }


def score(
    model: str | os.PathLike[str],
    tables: str | os.PathLike[str],
    *,
    out: str | os.PathLike[str] | None = None,
    batch_size: int | None = None,
    explain: int = 10,
    seed: int = 0,
    device: str | None = None,
) -> dict[str, pd.DataFrame]:
    """Score a case with a saved model: role probabilities of people, and detected clusters ranked with reasons.

    Parameters
    ----------
    model : str or path
        A model folder written by :func:`train`.
    tables : str or path
        A folder of canonical tables.
    out : str or path, optional
        Where to write ``node_scores.csv``, ``clusters.csv`` and ``people.csv``
        (:func:`crimnet.gnn.apply.write_learned`).
    batch_size : int, optional
        Score in mini-batches of this many people (see :func:`crimnet.gnn.roles.predict_roles`).
    explain : int, default 10
        People put forward, by descending perpetrator probability, each with the adjacent entities that
        raised it most (>= 0).
    seed : int, default 0
        Seed of detection (>= 0).
    device : str, optional
        Default CUDA when present.

    Returns
    -------
    dict of str to DataFrame
        ``roles``, ``node_scores``, ``clusters`` and ``people``: the attributes of
        :class:`crimnet.gnn.apply.LearnedScores` (clusters empty without a ranker).

    Raises
    ------
    crimnet.errors.ParameterError
        If an argument has the wrong type or is out of range.
    crimnet.errors.SchemaError
        If the model folder is not a model.
    """
    check_type(model, (str, os.PathLike), param="model", func="score", expected="a model folder")
    check_type(tables, (str, os.PathLike), param="tables", func="score", expected="a folder of canonical tables")
    check_interval(explain, param="explain", func="score", low=0, closed="left", integer=True)
    check_interval(seed, param="seed", func="score", low=0, closed="left", integer=True)
    t = CanonicalTables.read(tables)
    learned = score_tables(
        model, t, detect(t, seed=seed).clusters, people=explain, batch_size=batch_size, device=device
    )  # fmt: skip
    result = {
        "roles": learned.roles,
        "node_scores": learned.node_scores,
        "clusters": learned.clusters,
        "people": learned.people,
    }
    if out is not None:
        write_learned(learned, out)
    return result
