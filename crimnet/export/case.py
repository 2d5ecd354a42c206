"""What an export or a subnetwork page reads: a case's tables, and the clusters a run found in them.

A case comes from a run folder (``crimnet run-case`` or ``crimnet demo``: its ``ingest/tables`` and
``detect/`` outputs), a folder of canonical tables, or a graph store (a folder or a Bolt URI).
Only a run folder knows clusters, risk scores and inferred roles; a store that lies in a run folder
(``<run>/store``) brings its run's along.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from crimnet.errors import CrimnetError, check_type
from crimnet.frames import restore_formulas
from crimnet.graphs.store import BOLT_SCHEMES, open_store
from crimnet.graphs.store.base import redact_uri
from crimnet.tables import CanonicalTables

__all__ = ["ExportCase", "read_export_case", "read_run_clusters", "RUN_MARKER"]

RUN_MARKER = "config.json"
"""The file every run folder holds (:mod:`crimnet.pipeline`): a folder with it is read as a run."""


@dataclass
class ExportCase:
    """One case as the exports read it.

    Attributes
    ----------
    tables : CanonicalTables
        Every node and relationship of the case.
    where : str
        Where it was read from (a path or a URI without its password), for titles and messages.
    clusters : DataFrame or None
        The run's clusters of its reported method (``cluster_id`` as str, ``members``, ``size``, ``score``),
        highest score first; None when the case was not read from a run.
    risk : dict of str to float
        Person id -> risk score of the run (empty without a run).
    roles : dict of str to str
        Person id -> role inferred in the run's top clusters (controller, victim...; empty without a run).
    seed : int
        The run's random seed (0 without a run), so that what is recomputed (cut points) is what the run found.
    """

    tables: CanonicalTables
    where: str
    clusters: pd.DataFrame | None = None
    risk: dict[str, float] | None = None
    roles: dict[str, str] | None = None
    seed: int = 0


def read_export_case(source: str | os.PathLike[str] | None = None, *, store: str | None = None) -> ExportCase:
    """Read a case from a run folder, a folder of canonical tables, or a store.

    Parameters
    ----------
    source : str or path, optional
        A run folder (it holds ``config.json``) or a folder of canonical tables (``nodes_*.parquet``).
    store : str, optional
        A store folder or a ``bolt://`` / ``neo4j://`` URI, read when `source` is None. A store folder
        inside a run folder brings that run's clusters, risk scores and roles.

    Returns
    -------
    ExportCase

    Raises
    ------
    crimnet.errors.CrimnetError
        Neither or both of `source` and `store` given; `source` is not a folder, or neither a run nor
        tables (the message names the path); :class:`~crimnet.errors.StoreError` when there is no
        store at `store` (the message names it).
    """
    func = "read_export_case"
    check_type(source, (str, os.PathLike, type(None)), param="source", func=func, expected="a path or None")
    check_type(store, (str, os.PathLike, type(None)), param="store", func=func, expected="a path, a URI or None")
    if (source is None) == (store is None):
        raise CrimnetError("give source= (RUN), a run folder or a folder of tables, or store= (--store), but one only")
    if source is not None:
        folder = Path(source)
        if not folder.is_dir():
            raise CrimnetError(f"{folder}: no such folder; give a run folder (crimnet run-case) or canonical tables.")
        if (folder / RUN_MARKER).is_file():
            return _with_run(CanonicalTables.read(folder / "ingest" / "tables"), folder, str(folder))
        if any(folder.glob("nodes_*.parquet")):
            return ExportCase(CanonicalTables.read(folder), str(folder))
        raise CrimnetError(
            f"{folder}: neither a run folder (no {RUN_MARKER}) nor a folder of canonical tables (no nodes_*.parquet)."
        )
    text = str(store)
    with open_store(text, read_only=True) as db:
        tables = db.tables()
    if text.startswith(BOLT_SCHEMES):
        return ExportCase(tables, redact_uri(text))
    run = Path(text).resolve().parent
    return _with_run(tables, run, text) if (run / RUN_MARKER).is_file() else ExportCase(tables, text)


def read_run_clusters(run: str | os.PathLike[str]) -> pd.DataFrame | None:
    """Return the clusters a run reported (its method's; ``cluster_id`` as str), highest score first.

    None when `run` holds no ``detect/clusters.parquet``.
    """
    check_type(run, (str, os.PathLike), param="run", func="read_run_clusters", expected="a path")
    folder = Path(run)
    path = folder / "detect" / "clusters.parquet"
    if not path.is_file():
        return None
    config = folder / RUN_MARKER
    method = str(json.loads(config.read_text(encoding="utf-8")).get("method") or "") if config.is_file() else ""
    clusters = pd.read_parquet(path)
    if method and "method" in clusters.columns:
        clusters = clusters[clusters["method"] == method]
    clusters = clusters.sort_values("score", ascending=False, kind="stable").reset_index(drop=True)
    return clusters.assign(
        cluster_id=clusters["cluster_id"].astype(str), members=[[str(m) for m in ms] for ms in clusters["members"]]
    )


def _with_run(tables: CanonicalTables, run: Path, where: str) -> ExportCase:
    """`tables` with the clusters, risk scores and roles the run in `run` found (those of its files present)."""
    config = json.loads((run / RUN_MARKER).read_text(encoding="utf-8"))
    method = str(config.get("method") or "")
    case = ExportCase(tables, where, read_run_clusters(run), risk={}, roles={}, seed=int(config.get("seed") or 0))
    scores_file = run / "detect" / "node_scores.parquet"
    if scores_file.is_file():
        scores = pd.read_parquet(scores_file)
        risk = scores[scores["method"] == f"{method}_risk"]
        case.risk = dict(zip(risk["node_id"].astype(str), risk["score"].astype(float), strict=True))
    roles_file = run / "detect" / "roles.csv"
    if roles_file.is_file():  # written with formula cells neutralised: read back as the run had them
        roles = restore_formulas(pd.read_csv(roles_file, dtype=str, keep_default_na=False))
        roles = roles[roles["role"] != "other"]
        case.roles = dict(zip(roles["node_id"], roles["role"], strict=True))
    return case
