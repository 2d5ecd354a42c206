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
from typing import Any

from crimnet.errors import StoreError, check_type
from crimnet.graphs.store.base import BOLT_SCHEMES, GraphStore

__all__ = ["GraphStore", "open_store", "load", "BOLT_SCHEMES"]


def open_store(uri_or_path: str | os.PathLike[str] | None = None, **kwargs: Any) -> GraphStore:
    """Open a graph store from a Bolt URI or a directory path.

    Parameters
    ----------
    uri_or_path : str or path-like, optional
        ``bolt://``, ``neo4j://`` (and their ``+s``/``+ssc`` forms) open a
        :class:`~crimnet.graphs.store.neo4j.Neo4jStore`; anything else is the directory
        of an :class:`~crimnet.graphs.store.embedded.EmbeddedStore` (created if
        missing). None uses ``NEO4J_URI`` when set, else raises.
    **kwargs
        Passed to the backend's constructor (``batch_size``, ``auth``, ``read_only``...).

    Returns
    -------
    GraphStore

    Raises
    ------
    crimnet.errors.StoreError
        If no location is given and ``NEO4J_URI`` is not set.

    >>> import tempfile
    >>> with open_store(tempfile.mkdtemp()) as store:
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
    if uri_or_path is None:
        uri_or_path = os.environ.get("NEO4J_URI")
        if not uri_or_path:
            raise StoreError("No store given: pass a store directory or a bolt:// URI, or set NEO4J_URI.")
    text = os.fspath(uri_or_path)
    if text.startswith(BOLT_SCHEMES):
        from crimnet.graphs.store.neo4j import Neo4jStore

        return Neo4jStore(text, **kwargs)
    from crimnet.graphs.store.embedded import EmbeddedStore

    return EmbeddedStore(text, **kwargs)


def load(
    tables_dir: str | os.PathLike[str], store: str | os.PathLike[str] | None = None, **kwargs: Any
) -> dict[str, int]:
    """Write the canonical tables in `tables_dir` into a store and return rows written per table.

    Parameters
    ----------
    tables_dir : path-like
        Directory of ``nodes_*.parquet`` / ``edges_*.parquet`` (see :class:`~crimnet.tables.CanonicalTables`),
        loaded by the store's :meth:`~crimnet.graphs.store.base.GraphStore.write_parquet`.
    store : str or path-like, optional
        Store directory or Bolt URI (see :func:`open_store`).
    **kwargs
        Passed to the store's constructor.

    Returns
    -------
    dict of str to int
        Rows added or changed per table.
    """
    with open_store(store, **kwargs) as st:
        return st.write_parquet(tables_dir)
