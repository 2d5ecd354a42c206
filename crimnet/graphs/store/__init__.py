"""Graph stores: the ``GraphStore`` protocol, its two backends, and the factory above them.

:func:`open_store` picks the backend from the location (a Bolt URI opens a
:class:`~crimnet.graphs.store.neo4j.Neo4jStore`, a directory an
:class:`~crimnet.graphs.store.embedded.EmbeddedStore`); :func:`load` writes a
folder of canonical tables into one. The backends import only
:mod:`crimnet.graphs.store.base` and :mod:`crimnet.graphs.store.dialects`, so
this package's modules form no cycle.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from crimnet.errors import SchemaError, StoreError, check_type
from crimnet.graphs.store.base import BOLT_SCHEMES, GraphStore
from crimnet.schema import NODE_LABELS, REL_TYPES
from crimnet.tables import table_filename

__all__ = ["GraphStore", "open_store", "load", "check_tables_dir", "BOLT_SCHEMES"]


def open_store(
    uri_or_path: str | os.PathLike[str] | None = None,
    *,
    create: bool = False,
    read_only: bool = False,
    **kwargs: Any,
) -> GraphStore:
    """Open a graph store from a Bolt URI or a directory path.

    Parameters
    ----------
    uri_or_path : str or path-like, optional
        ``bolt://``, ``neo4j://`` (and their ``+s``/``+ssc`` forms) open a
        :class:`~crimnet.graphs.store.neo4j.Neo4jStore`; anything else is the directory
        of an :class:`~crimnet.graphs.store.embedded.EmbeddedStore`, which must exist unless
        `create`. None uses ``NEO4J_URI`` when set, else raises.
    create : bool, default False
        Create an embedded store that does not exist yet (:func:`load` and
        :func:`crimnet.pipeline.run_case` do); without it a missing store is a
        :class:`~crimnet.errors.StoreError` naming the path. A server's database is the
        server's to create: ignored over Bolt.
    read_only : bool, default False
        Open an embedded store read-only, so that several processes can read it at once
        (``crimnet query``, ``crimnet cypher`` and ``crimnet watch run`` do). Over Bolt every
        query but an explicit write already runs in a read transaction: ignored there.
    **kwargs
        Passed to the backend's constructor (``batch_size``, ``auth``, ``driver_config``...).

    Returns
    -------
    GraphStore

    Raises
    ------
    crimnet.errors.StoreError
        If no location is given and ``NEO4J_URI`` is not set, if there is no embedded store at
        the path and `create` is False, or if the server does not answer (the message names
        the URI, without its password).

    >>> import tempfile
    >>> with open_store(tempfile.mkdtemp(), create=True) as store:
    ...     store.dialect
    'ladybug'
    """
    check_type(
        uri_or_path,
        (str, os.PathLike, type(None)),
        param="uri_or_path",
        func="open_store",
        expected="a URI, a path or None",
    )
    check_type(create, bool, param="create", func="open_store", expected="a bool")
    check_type(read_only, bool, param="read_only", func="open_store", expected="a bool")
    if uri_or_path is None:
        uri_or_path = os.environ.get("NEO4J_URI")
        if not uri_or_path:
            raise StoreError("No store given: pass a store directory or a bolt:// URI, or set NEO4J_URI.")
    text = os.fspath(uri_or_path)
    if text.startswith(BOLT_SCHEMES):
        from crimnet.graphs.store.neo4j import Neo4jStore

        return Neo4jStore(text, **kwargs)
    from crimnet.graphs.store.embedded import EmbeddedStore

    return EmbeddedStore(text, create=create, read_only=read_only, **kwargs)


def load(
    tables_dir: str | os.PathLike[str],
    store: str | os.PathLike[str] | None = None,
    *,
    merge: bool = False,
    **kwargs: Any,
) -> dict[str, int]:
    """Write the canonical tables in `tables_dir` into a store and return rows written per table.

    Parameters
    ----------
    tables_dir : path-like
        Directory of ``nodes_*.parquet`` / ``edges_*.parquet`` (see :class:`~crimnet.tables.CanonicalTables`),
        loaded by the store's :meth:`~crimnet.graphs.store.base.GraphStore.write_parquet`.
    store : str or path-like, optional
        Store directory or Bolt URI (see :func:`open_store`).
    merge : bool, default False
        Load tables of a case other than the store's (``case.json`` beside the tables, see
        :attr:`crimnet.tables.CanonicalTables.case`): the store then holds both cases side by
        side, their people apart. Without it such a load is refused. To resolve people across the
        cases as they merge, use :func:`crimnet.pipeline.merge_into` (``crimnet load --merge``).
    **kwargs
        Passed to the store's constructor.

    Returns
    -------
    dict of str to int
        Rows added or changed per table.

    Raises
    ------
    crimnet.errors.StoreError
        The store holds another case and `merge` is False (the message names both).
    crimnet.errors.SchemaError
        `tables_dir` is not a folder holding canonical tables (no ``nodes_*.parquet`` or
        ``edges_*.parquet`` of the schema's labels and types, e.g. a raw case folder): checked
        before any store is opened or created, so no empty store is left behind.
    """
    check_type(merge, bool, param="merge", func="load", expected="a bool")
    check_tables_dir(tables_dir)
    with open_store(store, create=True, **kwargs) as st:
        return st.write_parquet(tables_dir, merge=merge)


def check_tables_dir(tables_dir: str | os.PathLike[str], *, func: str = "load") -> None:
    """Raise :class:`~crimnet.errors.SchemaError` unless `tables_dir` is a folder holding a canonical table file.

    The message names the folder, what was expected and what it holds (a raw case folder of
    extracts is the usual mistake); `func` names the caller in a type error.
    """
    check_type(tables_dir, (str, os.PathLike), param="tables_dir", func=func, expected="a directory path")
    src = Path(tables_dir)
    if not src.is_dir():
        raise SchemaError(f"{src}: no such directory of canonical tables (nodes_*.parquet / edges_*.parquet).")
    expected = [table_filename(name) for name in (*NODE_LABELS, *REL_TYPES)]
    if not any((src / name).is_file() for name in expected):
        found = sorted(p.name for p in src.iterdir())
        shown = ", ".join(found[:5]) + (f" and {len(found) - 5} more" if len(found) > 5 else "") or "nothing"
        raise SchemaError(
            f"{src} holds no canonical tables: expected nodes_<Label>.parquet / edges_<TYPE>.parquet files "
            f"(e.g. {expected[0]}), as `crimnet ingest` writes them; found {shown}. "
            "Ingest a case folder of extracts first (crimnet ingest), then load its output."
        )
