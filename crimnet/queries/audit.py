"""The query audit log: one JSON line per query run (time UTC, user, query, parameters, rows, backend, error).

Refused and failed runs are logged too (``rows`` null, ``error`` saying why): an
attempted write through the read-only query path is exactly what an audit must show.

Where the log is, by backend (:func:`audit_path`):

* an embedded store: ``<store>/audit.jsonl``, beside its database;
* a store on a Bolt server (Neo4j, FalkorDB): ``$CRIMNET_AUDIT_LOG`` when set, else a
  per-user file ``$XDG_STATE_HOME/crimnet/audit/<host>_<port>-<database>.jsonl``
  (``~/.local/state`` when ``XDG_STATE_HOME`` is unset), :func:`bolt_audit_log`; the
  name is made of the server's host, port and database only, never its user or password;
* any other store that names no log: ``$CRIMNET_AUDIT_LOG``, else the same folder, in a
  file named after the store's backend.

So every query, on every backend, leaves a record.
"""

from __future__ import annotations

import getpass
import json
import os
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pandas as pd

from crimnet.errors import check_type
from crimnet.graphs.store.base import GraphStore

__all__ = ["append_audit", "read_audit", "audit_path", "audit_folder", "bolt_audit_log"]

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def audit_folder() -> Path:
    """Return the per-user folder of audit logs: ``$XDG_STATE_HOME/crimnet/audit``.

    Returns
    -------
    pathlib.Path
        ``$XDG_STATE_HOME/crimnet/audit`` when ``XDG_STATE_HOME`` is an absolute path, else
        ``~/.local/state/crimnet/audit`` (the XDG Base Directory default). Not created here:
        :func:`append_audit` creates it with the first record.

    Examples
    --------
    >>> import os
    >>> os.environ["XDG_STATE_HOME"] = "/tmp/state"
    >>> audit_folder().as_posix()
    '/tmp/state/crimnet/audit'
    >>> del os.environ["XDG_STATE_HOME"]
    """
    state = os.environ.get("XDG_STATE_HOME", "")
    base = Path(state) if state and Path(state).is_absolute() else Path.home() / ".local" / "state"
    return base / "crimnet" / "audit"


def _slug(text: str) -> str:
    """`text` as a safe file-name part: runs of characters other than letters, digits, ``._-`` become ``_``."""
    return _UNSAFE.sub("_", text).strip("._") or "unknown"


def bolt_audit_log(uri: str, database: str | None = None) -> Path:
    """Return the audit log of a store on the Bolt server at `uri`: ``$CRIMNET_AUDIT_LOG``, else a per-user file.

    Parameters
    ----------
    uri : str
        The server's Bolt URI (``bolt://host:7687``, ``neo4j+s://user:password@host``).
    database : str, optional
        The database name; None is the server's default database.

    Returns
    -------
    pathlib.Path
        ``$CRIMNET_AUDIT_LOG`` when it is set and not empty; else
        ``<audit_folder()>/<host>_<port>-<database>.jsonl`` (``default`` for the server's
        default database, the port left out when the URI has none). The file name holds the
        host, port and database only: user information in the URI (a user or a password) never
        reaches it.

    Raises
    ------
    crimnet.errors.ParameterError
        If `uri` is not a str or `database` not a str or None.

    Examples
    --------
    >>> import os
    >>> os.environ["XDG_STATE_HOME"] = "/tmp/state"
    >>> bolt_audit_log("bolt://neo4j:s3cret@db.example.org:7687", "cases").as_posix()
    '/tmp/state/crimnet/audit/db.example.org_7687-cases.jsonl'
    >>> bolt_audit_log("neo4j+s://db.example.org").name
    'db.example.org-default.jsonl'
    >>> del os.environ["XDG_STATE_HOME"]
    """
    check_type(uri, str, param="uri", func="bolt_audit_log", expected="a Bolt URI (str)")
    check_type(database, (str, type(None)), param="database", func="bolt_audit_log", expected="a str or None")
    if os.environ.get("CRIMNET_AUDIT_LOG"):
        return Path(os.environ["CRIMNET_AUDIT_LOG"])
    # the host follows the last '@' (a password may hold '/', '?', '#' or ':', a host never an '@')
    rest = uri.partition("://")[2] or uri
    hostport = re.split(r"[/?#]", rest.rpartition("@")[2], maxsplit=1)[0]
    parts = urlsplit("bolt://" + hostport)
    try:
        port = parts.port
    except ValueError:  # a port that is not a number: keep the host only
        port = None
    host = _slug(parts.hostname or "localhost") + (f"_{port}" if port is not None else "")
    return audit_folder() / f"{host}-{_slug(database or 'default')}.jsonl"


def audit_path(store: GraphStore) -> Path:
    """Return where `store` logs query runs: every store logs somewhere.

    Parameters
    ----------
    store : GraphStore
        An open store.

    Returns
    -------
    pathlib.Path
        The store's ``audit_log`` (``<store>/audit.jsonl`` for an embedded store; for a Bolt
        store, :func:`bolt_audit_log`, unless it was given another); when a store names none,
        ``$CRIMNET_AUDIT_LOG`` if set, else ``<audit_folder()>/<backend>.jsonl`` (the store's
        ``backend`` made a safe file name).

    Raises
    ------
    crimnet.errors.ParameterError
        If `store` is not a :class:`~crimnet.graphs.store.base.GraphStore`.

    Examples
    --------
    >>> import tempfile
    >>> from crimnet.graphs.store import open_store
    >>> with open_store(tempfile.mkdtemp(), create=True) as store:
    ...     audit_path(store).name
    'audit.jsonl'
    """
    check_type(store, GraphStore, param="store", func="audit_path", expected="an open GraphStore")
    path = store.audit_log
    if path is not None:
        return Path(path)
    if os.environ.get("CRIMNET_AUDIT_LOG"):
        return Path(os.environ["CRIMNET_AUDIT_LOG"])
    backend = re.sub(r"://\S*@", "://", str(getattr(store, "backend", "") or "store"))  # no user information
    return audit_folder() / f"{_slug(backend)}.jsonl"


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
