"""Watch rules: library queries with fixed parameters, re-run after every ingest, reporting only new matches.

Rules live in a JSON file (default ``<store dir>/watch.json``)::

    {"rules": [{"name": "hmo-watch", "query": "unrelated_occupants",
                "params": {"min_occupants": 6}, "seen": ["<sha256 of a row>", ...]}]}

A row is identified by the SHA-256 of its values (JSON, keys sorted, lists
sorted), so a changed row (a new occupant at a watched address, a new payment
into a funnel account) is a new match, and an unchanged one is reported once.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from crimnet.errors import QueryError, check_type
from crimnet.graphs.store import GraphStore
from crimnet.queries.runner import bind_params, load_query, run_query

__all__ = ["add_watch_rule", "list_watch_rules", "remove_watch_rule", "run_watch_rules", "default_rules_path"]

_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")


def default_rules_path(store: GraphStore) -> Path:
    """Return ``watch.json`` in the store's :attr:`~crimnet.graphs.store.base.GraphStore.directory`.

    A store on a server has no directory: then ``$CRIMNET_WATCH_RULES``, else ``./watch.json``.

    >>> import tempfile
    >>> from crimnet.graphs.store import open_store
    >>> with open_store(tempfile.mkdtemp(), create=True) as store:
    ...     default_rules_path(store) == store.directory / "watch.json"
    True
    """
    check_type(store, GraphStore, param="store", func="default_rules_path", expected="an open GraphStore")
    if store.directory is not None:
        return store.directory / "watch.json"
    return Path(os.environ.get("CRIMNET_WATCH_RULES", "watch.json"))


def _load(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {"rules": []}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise QueryError(f"{path}: not a watch rules file ({err}).") from err
    data.setdefault("rules", [])
    return data


def _save(path: Path, data: Mapping[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    tmp.replace(path)


def add_watch_rule(
    rules_path: str | os.PathLike[str], query: str, params: Mapping[str, Any] | None = None, *, name: str | None = None
) -> dict[str, Any]:
    """Add (or replace) a watch rule running library query `query` with `params`; return the rule.

    Parameters are validated now (:func:`crimnet.queries.runner.bind_params`), so
    a bad rule fails when it is added, not after the next ingest.

    Parameters
    ----------
    rules_path : path-like
        The rules file (created if missing).
    query : str
        Library query name.
    params : mapping, optional
        Its parameters (strings are converted as on the command line).
    name : str, optional
        Rule name (letters, digits, ``_.-``); default the query name.

    Returns
    -------
    dict
        The rule: ``name``, ``query``, ``params`` (bound), ``seen`` (empty).

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "watch.json"
    >>> add_watch_rule(p, "funnel_accounts", {"min_senders": "8"})["params"]["min_senders"]
    8
    """
    load_query(query)
    rule_name = name or query
    if not _NAME.match(rule_name):
        raise QueryError(
            f"The 'name' parameter of add_watch_rule must match [A-Za-z0-9_.-]+. Got {rule_name!r} instead."
        )
    bound = bind_params(query, params)
    path = Path(rules_path)
    data = _load(path)
    rule = {"name": rule_name, "query": query, "params": bound, "seen": []}
    data["rules"] = [r for r in data["rules"] if r["name"] != rule_name] + [rule]
    _save(path, data)
    return rule


def remove_watch_rule(rules_path: str | os.PathLike[str], name: str) -> bool:
    """Remove the rule called `name`; return whether it existed."""
    check_type(
        rules_path,
        (str, os.PathLike),
        param="rules_path",
        func="remove_watch_rule",
        expected="a path (str or os.PathLike)",
    )
    path = Path(rules_path)
    data = _load(path)
    before = len(data["rules"])
    data["rules"] = [r for r in data["rules"] if r["name"] != name]
    _save(path, data)
    return len(data["rules"]) < before


def list_watch_rules(rules_path: str | os.PathLike[str]) -> pd.DataFrame:
    """List watch rules: columns ``name``, ``query``, ``params`` (JSON text), ``seen`` (int, rows already reported)."""
    check_type(
        rules_path,
        (str, os.PathLike),
        param="rules_path",
        func="list_watch_rules",
        expected="a path (str or os.PathLike)",
    )
    data = _load(Path(rules_path))
    rows = [
        {
            "name": r["name"],
            "query": r["query"],
            "params": json.dumps(r["params"], sort_keys=True),
            "seen": len(r.get("seen", [])),
        }
        for r in data["rules"]
    ]
    return pd.DataFrame(rows, columns=["name", "query", "params", "seen"])


def _row_hash(row: Mapping[str, Any]) -> str:
    def norm(v: Any) -> Any:
        if isinstance(v, list | tuple):
            return sorted((norm(x) for x in v), key=repr)
        if hasattr(v, "tolist"):
            return norm(v.tolist())
        if isinstance(v, float) and v != v:
            return None
        return v

    text = json.dumps({k: norm(v) for k, v in row.items()}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def run_watch_rules(store: GraphStore, rules_path: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Run every watch rule on `store` and return the matches not reported before.

    Seen row hashes are stored back in the rules file, so the next run reports
    only what is new since this one.

    Parameters
    ----------
    store : GraphStore
        An open store.
    rules_path : path-like, optional
        The rules file; default :func:`default_rules_path` of `store`.

    Returns
    -------
    DataFrame
        Columns ``rule`` (str), ``query`` (str), ``row_hash`` (str, SHA-256) and
        ``match`` (str, the row as JSON), one row per new match.

    Notes
    -----
    Each query runs read-only and is audited (kind ``watch``).
    """
    check_type(store, GraphStore, param="store", func="run_watch_rules", expected="an open GraphStore")
    path = Path(rules_path) if rules_path is not None else default_rules_path(store)
    data = _load(path)
    out: list[dict[str, Any]] = []
    for rule in data["rules"]:
        df = run_query(store, rule["query"], rule["params"], audit_kind="watch")
        seen = set(rule.get("seen", []))
        for rec in df.to_dict("records"):
            h = _row_hash(rec)
            if h not in seen:
                seen.add(h)
                out.append(
                    {
                        "rule": rule["name"],
                        "query": rule["query"],
                        "row_hash": h,
                        "match": json.dumps(rec, default=_json_default, sort_keys=True),
                    }
                )
        rule["seen"] = sorted(seen)
    _save(path, data)
    return pd.DataFrame(out, columns=["rule", "query", "row_hash", "match"])


def _json_default(v: Any) -> Any:
    if hasattr(v, "tolist"):
        return v.tolist()
    return str(v)
