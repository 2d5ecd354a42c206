"""DuckDB connections for ingest (Splink's engine and the resolver's rules), with bounded memory and threads.

DuckDB's own default memory limit is 80% of RAM; on a 1M-person ingest beside the
other stages that ends in the kernel's OOM killer, so every connection ingest opens
comes from :func:`connect`, capped at :data:`DUCKDB_MEMORY_LIMIT` and spilling to
disk past it.
"""

from __future__ import annotations

import os
from typing import Any

from crimnet.errors import check_type

__all__ = ["DUCKDB_MEMORY_LIMIT", "DUCKDB_THREADS", "connect"]

#: Memory DuckDB may use before spilling to disk; its own default is 80% of RAM.
DUCKDB_MEMORY_LIMIT = "3GB"
#: Threads DuckDB may use (the ingest target machine has 2 cores).
DUCKDB_THREADS = 2


def connect(temp_directory: str | os.PathLike[str] | None = None) -> Any:
    """Return a DuckDB connection capped at :data:`DUCKDB_MEMORY_LIMIT` and :data:`DUCKDB_THREADS`.

    Parameters
    ----------
    temp_directory : str or path-like, optional
        Where DuckDB spills past the limit; DuckDB's default (``.tmp`` beside a
        database file, none for an in-memory one) when omitted.

    Returns
    -------
    duckdb.DuckDBPyConnection
        An in-memory database; insertion order is not preserved (no ingest query
        depends on it) and the progress bar is off.
    """
    kinds = (str, os.PathLike, type(None))
    check_type(temp_directory, kinds, param="temp_directory", func="connect", expected="a directory path or None")
    import duckdb

    config: dict[str, Any] = {
        "memory_limit": DUCKDB_MEMORY_LIMIT,
        "threads": DUCKDB_THREADS,
        "preserve_insertion_order": False,
    }
    if temp_directory is not None:
        config["temp_directory"] = os.fspath(temp_directory)
    con = duckdb.connect(config=config)
    con.execute("SET enable_progress_bar = false")
    return con
