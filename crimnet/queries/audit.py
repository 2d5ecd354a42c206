"""The query audit log: one JSON line per query run (time UTC, user, query, parameters, rows, backend, error).

Refused and failed runs are logged too (``rows`` null, ``error`` saying why): an
attempted write through the read-only query path is exactly what an audit must show.
"""

from __future__ import annotations

import getpass
import json
import os
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from crimnet.errors import check_type
from crimnet.graphs.store.base import GraphStore

__all__ = ["append_audit", "read_audit", "audit_path"]


def audit_path(store: GraphStore) -> Path | None:
    """Return where `store` logs query runs: its ``audit_log``, else ``$CRIMNET_AUDIT_LOG``, else None.

    >>> import tempfile
    >>> from crimnet.graphs.store import open_store
    >>> with open_store(tempfile.mkdtemp(), create=True) as store:
    ...     audit_path(store).name
    'audit.jsonl'
    """
    check_type(store, GraphStore, param="store", func="audit_path", expected="an open GraphStore")
    path = store.audit_log
    if path is None and os.environ.get("CRIMNET_AUDIT_LOG"):
        path = Path(os.environ["CRIMNET_AUDIT_LOG"])
    return Path(path) if path is not None else None


def append_audit(
    path: str | os.PathLike[str] | None,
    *,
    query: str,
    params: Mapping[str, Any] | None,
    rows: int | None,
    backend: str,
    kind: str = "library",
    error: str | None = None,
) -> dict[str, Any] | None:
    """Append one audit record to the JSON-lines file at `path` and return it (None if `path` is None).

    Parameters
    ----------
    path : path-like or None
        The audit log; parent directories are created.
    query : str
        Library query name, or the Cypher text of an ad-hoc query.
    params : mapping or None
        The bound parameters.
    rows : int or None
        Rows returned; None when the run was refused or failed.
    backend : str
        The store's backend description.
    kind : {'library', 'cypher', 'watch'}
        How the query was run.
    error : str, optional
        Why the run was refused or failed (``'<ErrorClass>: <message>'``).

    Returns
    -------
    dict or None
        The record: ``time`` (UTC ISO 8601), ``user``, ``kind``, ``query``, ``params``, ``rows``, ``backend``,
        ``error``.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "audit.jsonl"
    >>> append_audit(p, query="funnel_accounts", params={"min_senders": 5}, rows=3, backend="test")["rows"]
    3
    >>> len(read_audit(p))
    1
    """
    check_type(path, (str, os.PathLike, type(None)), param="path", func="append_audit", expected="a path or None")
    if path is None:
        return None
    try:
        user = getpass.getuser()
    except Exception:
        user = "unknown"
    record = {
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "user": user,
        "kind": kind,
        "query": query,
        "params": dict(params or {}),
        "rows": None if rows is None else int(rows),
        "backend": backend,
        "error": error,
    }
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(record, default=str) + "\n")
    return record


def read_audit(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read an audit log into a DataFrame (columns time, user, kind, query, params, rows, backend, error)."""
    check_type(path, (str, os.PathLike), param="path", func="read_audit", expected="a path (str or os.PathLike)")
    p = Path(path)
    cols = ["time", "user", "kind", "query", "params", "rows", "backend", "error"]
    if not p.exists():
        return pd.DataFrame(columns=cols)
    records = [json.loads(line) for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]
    return pd.DataFrame(records, columns=cols)
