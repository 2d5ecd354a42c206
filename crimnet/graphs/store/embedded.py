"""The embedded graph store: ladybug (the maintained fork of Kuzu) in a directory on disk.

Layout of a store directory::

    <store>/graph.lbug     the ladybug database (its cases: CrimnetCase nodes)
    <store>/.writer.lock   held (flock) by the one read-write EmbeddedStore of the directory
    <store>/graph.lbug.load-<pid>   while a write runs: the copy it loads into
    <store>/audit.jsonl    query audit log (crimnet.queries.audit)
    <store>/watch.json     watch rules (crimnet.queries.watch)

Node and relationship tables are typed from :mod:`crimnet.schema`; node tables
have ``PRIMARY KEY(id)``; event relationship types carry their own ``id``
property. The provenance lists (``sources``, ``record_ids``, ``string[]`` in the
schema) are stored as one ``STRING`` per row, the elements joined by
:data:`~crimnet.graphs.store.dialects.LIST_SEP` (U+001F): ladybug's COPY spends about 2
microseconds per list element (per direction on relationships) and one value per
joined string. They are joined on write and split on read (``tables()`` in Arrow,
queries through :func:`~crimnet.graphs.store.dialects.split_joined_lists`), so every
reader still sees lists; stores made before this layout (``STRING[]``) are read
and written as they are. New rows are bulk loaded with ``COPY ... FROM`` an Arrow
table (:meth:`EmbeddedStore.write_parquet` for a directory of Parquet tables); rows whose
key already exists with different values are updated with batched ``UNWIND $rows ... SET``.

Crash safety: every write (:meth:`EmbeddedStore.write`, :meth:`EmbeddedStore.write_parquet`)
loads into a copy of the database and renames the copy over ``graph.lbug`` when it is complete,
so a write killed at any point (``kill -9``, power loss after the rename reached the disk)
leaves the store as it was before or as it is after, never between. ladybug's own transactions
are not enough for that: a process killed while ladybug writes its log or checkpoints left
stores that opened with part of a load, or that did not open ("the WAL file is corrupted",
LadybugDB/ladybug#714). :meth:`EmbeddedStore.write_scores` and ``query(write=True)`` run on a
copy in the same way.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from crimnet.errors import QueryError, SchemaError, StoreError, check_interval, check_type
from crimnet.graphs.store.base import (
    batches,
    cases_after_write,
    check_score_columns,
    plain_records,
    read_back_queries,
    rows_to_write,
    table_key,
)
from crimnet.graphs.store.dialects import (
    JOINED_LIST_PROPERTIES,
    LIST_SEP,
    check_read_only,
    split_joined_lists,
    translate,
)
from crimnet.schema import NODE_LABELS, REL_TYPES, node_label, rel_type, table_fields
from crimnet.tables import CanonicalTables, arrow_schema, empty_table, read_case, table_filename

__all__ = ["EmbeddedStore", "DB_FILE", "schema_ddl", "join_lists", "arrow_rows_to_write"]

DB_FILE = "graph.lbug"
"""Name of the ladybug database file inside a store directory."""
_CASES_FILE = "cases.json"  # the cases a store made before CrimnetCase nodes holds: {"cases": [...]}
_CASE_TABLE = "CrimnetCase"  # the node table of the cases the store holds (id, n: the order they came in)
_COPY_MARK = ".load-"  # graph.lbug.load-<pid>: the copy of the database a write loads into
_Result = TypeVar("_Result")  # what a write run on a copy returns
_WRITER_LOCK = ".writer.lock"  # flock held by the one read-write EmbeddedStore of a directory

# string[] fields are the provenance lists, stored joined (one STRING); stores made before kept STRING[]
_LB_TYPE = {"string": "STRING", "int64": "INT64", "float64": "DOUBLE", "string[]": "STRING"}
_LB_TYPE_LISTS = {**_LB_TYPE, "string[]": "STRING[]"}


def schema_ddl(*, joined: bool = True) -> list[str]:
    """Return the ladybug DDL that creates every node table, then every relationship table, of :mod:`crimnet.schema`.

    Parameters
    ----------
    joined : bool, default True
        Type the provenance lists (``sources``, ``record_ids``) as one ``STRING`` each, their
        elements joined by :data:`~crimnet.graphs.store.dialects.LIST_SEP` (the layout every
        store is created with); False types them ``STRING[]``, the layout of stores made
        before, which :class:`EmbeddedStore` still reads and writes.

    Returns
    -------
    list of str
        ``CREATE NODE TABLE IF NOT EXISTS ...`` (``PRIMARY KEY(id)``) per label, then
        ``CREATE REL TABLE IF NOT EXISTS ...`` per relationship type.

    >>> ddl = schema_ddl()
    >>> ddl[0].startswith("CREATE NODE TABLE IF NOT EXISTS Person(id STRING"), "sources STRING," in ddl[0]
    (True, True)
    >>> "sources STRING[]" in schema_ddl(joined=False)[0]
    True
    """
    check_type(joined, bool, param="joined", func="schema_ddl", expected="a bool")
    types = _LB_TYPE if joined else _LB_TYPE_LISTS
    ddl = []
    for label in NODE_LABELS:
        cols = ", ".join(f"{f.name} {types[f.dtype]}" for f in node_label(label).fields)
        ddl.append(f"CREATE NODE TABLE IF NOT EXISTS {label}({cols}, PRIMARY KEY(id))")
    for rel, t in REL_TYPES.items():
        props = "".join(f", {f.name} {types[f.dtype]}" for f in t.fields if f.name not in ("src", "dst"))
        ddl.append(f"CREATE REL TABLE IF NOT EXISTS {rel}(FROM {t.src} TO {t.dst}{props})")
    return ddl


class EmbeddedStore:
    """A ladybug graph database in a directory: the default crimnet store.

    Parameters
    ----------
    path : str or path-like
        Store directory. The database is ``<path>/graph.lbug``; it must exist unless `create`.
    read_only : bool, default False
        Open the database read-only: several processes may then read it at once, and
        writes raise :class:`~crimnet.errors.StoreError` (see Notes for a writer at the same time).
    create : bool, default False
        Create the store (directory and database) when ``<path>/graph.lbug`` is missing.
        Without it a missing store is an error naming the path, so that a mistyped
        ``--store`` is never an empty answer; :func:`crimnet.graphs.store.load` and
        :func:`crimnet.pipeline.run_case` create stores.
    audit_log : str or path-like or None, optional
        JSON-lines audit log for library and ad-hoc queries; default ``<path>/audit.jsonl``.
    batch_size : int, default 20000
        Rows per ``UNWIND`` batch when updating existing keys.
    buffer_pool_size : int, default 0
        ladybug buffer pool in bytes; 0 lets ladybug choose (about 80% of memory).

    Attributes
    ----------
    path : pathlib.Path
    dialect : str
        ``'ladybug'``.
    backend : str
        ``'ladybug <version> at <path>'``.
    joined_lists : bool
        True when the provenance lists are stored joined (every store this version
        creates); False for a store made with ``STRING[]`` columns.
    last_load : dict of str to dict
        Set by :meth:`write` and :meth:`write_parquet`: per table ``rows`` (rows given),
        ``seconds`` (read, key checks, comparison with stored rows, COPY, updates),
        ``copy_seconds`` (the part spent inside ladybug's ``COPY``) and ``cpu_seconds``
        (the process's CPU time over the whole span, all threads),
        and ``'commit'`` (the final commit or, after a bulk load into an empty store,
        the checkpoint).

    Raises
    ------
    crimnet.errors.StoreError
        No store at `path` (``graph.lbug`` missing) and `create` is False, `path` is a
        file, or ladybug cannot open the database (another read-write process holds it).

    Notes
    -----
    Every read-only query is checked for write clauses by
    :func:`crimnet.graphs.store.dialects.check_read_only` and then runs inside
    ``BEGIN TRANSACTION READ ONLY``, which ladybug enforces.

    Concurrency: one process at a time may open a store read-write (a second gets
    :class:`~crimnet.errors.StoreError`: ladybug's file lock is held). A read-only open takes
    no lasting lock, so any number of readers run at once, beside each other and beside a
    writer: a reader never waits for a writer nor blocks one. A reader sees what was
    committed when it opened (ladybug replays the write-ahead log on open), not what a writer
    commits later; ladybug does not synchronise an open reader with a writer's checkpoint
    (LadybugDB/ladybug#666, not reproduced), so open a new reader after a load to read its rows.

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> from crimnet.tables import CanonicalTables
    >>> phones = pd.DataFrame({"id": ["+447700900001"], "sources": [["a"]], "record_ids": [["a:1"]]})
    >>> t = CanonicalTables.from_frames({"Phone": phones})
    >>> with EmbeddedStore(tempfile.mkdtemp(), create=True) as store:
    ...     store.write(t)["Phone"], store.write(t)["Phone"]
    ...     list(store.query("MATCH (p:Phone) RETURN p.record_ids AS r").r.iloc[0])
    (1, 0)
    ['a:1']
    """

    dialect = "ladybug"

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        read_only: bool = False,
        create: bool = False,
        audit_log: str | os.PathLike[str] | None = None,
        batch_size: int = 20_000,
        buffer_pool_size: int = 0,
    ) -> None:
        import ladybug

        check_type(path, (str, os.PathLike), param="path", func="EmbeddedStore", expected="a directory path")
        check_interval(batch_size, param="batch_size", func="EmbeddedStore", low=1, closed="left", integer=True)
        self.path = Path(path)
        if self.path.exists() and not self.path.is_dir():
            raise StoreError(f"{self.path} is a file; an embedded store is a directory (holding {DB_FILE}).")
        check_type(read_only, bool, param="read_only", func="EmbeddedStore", expected="a bool")
        check_type(create, bool, param="create", func="EmbeddedStore", expected="a bool")
        if not (self.path / DB_FILE).exists() and (read_only or not create):
            raise StoreError(
                f"No embedded store at {self.path} ({DB_FILE} missing"
                + (f"; the folder holds {_some_names(self.path)}" if self.path.is_dir() else "; no such folder")
                + "). Check the store path; stores are created by `crimnet load` and `crimnet run-case`"
                " (create=True in Python)."
            )
        self.path.mkdir(parents=True, exist_ok=True)
        self.read_only = read_only
        self.batch_size = batch_size
        self.audit_log = Path(audit_log) if audit_log is not None else self.path / "audit.jsonl"
        self.last_load: dict[str, dict[str, float]] = {}
        self._copy_clock = 0.0  # seconds inside COPY since the store was opened (for last_load)
        self._lock = threading.RLock()
        self._buffer_pool_size = buffer_pool_size
        self._conn: ladybug.Connection | None = None
        self._writer_lock: int | None = None
        if not read_only:
            self._writer_lock = _take_writer_lock(self.path)
            _remove_stale_copies(self.path)  # of a load killed before its swap (no other writer runs now)
        try:
            self._open_db(self.path / DB_FILE)
        except BaseException:
            self._release_writer_lock()
            raise
        self.backend = f"ladybug {ladybug.Database.get_version()} at {self.path}"
        self.joined_lists = self._stored_layout()
        if not read_only:
            self._create_schema()

    # --- lifecycle -------------------------------------------------------------------------------------------------
    def close(self) -> None:
        """Close the connection and the database, and give up the store's writer lock."""
        with self._lock:
            self._close_db()
            self._release_writer_lock()

    def _open_db(self, file: Path) -> None:
        """Open the ladybug database `file` (the store's, or the copy a write loads into) as this store's connection.

        A read-only open of a database whose last writer was killed while checkpointing needs the
        recovery only a read-write open does: when no writer holds the store it is done here (open
        read-write, close), then the read-only open is tried again.
        """
        import ladybug

        def open_it(read_only: bool) -> None:
            self._db = ladybug.Database(str(file), read_only=read_only, buffer_pool_size=self._buffer_pool_size)
            self._conn = ladybug.Connection(self._db)

        try:
            try:
                open_it(self.read_only)
            except RuntimeError as err:
                if not (self.read_only and "recovery is pending" in str(err)):
                    raise
                try:
                    lock = _take_writer_lock(self.path)
                except StoreError:
                    raise err from None  # a writer is at work: its checkpoint will finish
                try:
                    ladybug.Database(str(file), buffer_pool_size=self._buffer_pool_size).close()
                finally:
                    os.close(lock)
                open_it(True)
        except RuntimeError as err:
            raise StoreError(f"Could not open the embedded store at {self.path}: {err}") from err

    def _close_db(self) -> None:
        conn = getattr(self, "_conn", None)
        if conn is not None:
            conn.close()
            self._db.close()
            self._conn = None

    def _release_writer_lock(self) -> None:
        lock = getattr(self, "_writer_lock", None)
        if lock is not None:
            os.close(lock)  # closing the descriptor releases the flock
            self._writer_lock = None

    def __enter__(self) -> EmbeddedStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"EmbeddedStore({str(self.path)!r}, read_only={self.read_only})"

    @property
    def directory(self) -> Path:
        """The store directory (:attr:`path`), which holds the database, the audit log and the watch rules."""
        return self.path

    # --- low level -------------------------------------------------------------------------------------------------
    def _exec(self, cypher: str, params: Mapping[str, Any] | None = None) -> Any:
        if self._conn is None:
            raise StoreError(f"{self!r} is closed.")
        return self._conn.execute(cypher, dict(params or {}))

    def _frame(self, cypher: str, params: Mapping[str, Any] | None = None) -> pd.DataFrame:
        result = self._exec(cypher, params)
        return result.get_as_arrow().to_pandas()

    def _create_schema(self) -> None:
        for statement in schema_ddl(joined=self.joined_lists):
            self._exec(statement)
        self._exec(f"CREATE NODE TABLE IF NOT EXISTS {_CASE_TABLE}(id STRING, n INT64, PRIMARY KEY(id))")

    def _stored_layout(self) -> bool:
        """Return True unless the store already holds a Person table with ``STRING[]`` provenance lists."""
        tables = self._frame("CALL show_tables() RETURN name")
        if "Person" not in set(tables["name"]):
            return True
        info = self._frame("CALL table_info('Person') RETURN *")
        return dict(zip(info["name"], info["type"], strict=True)).get("sources") != "STRING[]"

    def _property_names(self, table: str) -> list[str]:
        info = self._frame(f"CALL table_info('{table}') RETURN *")
        return info["name"].tolist()

    def _rollback(self) -> None:
        try:
            self._exec("ROLLBACK")
        except RuntimeError:
            pass  # a failed statement already ended the transaction

    # --- protocol --------------------------------------------------------------------------------------------------
    def query(self, cypher: str, params: Mapping[str, Any] | None = None, *, write: bool = False) -> pd.DataFrame:
        """Run a Cypher query (Neo4j 5 syntax, translated for ladybug) and return its rows.

        Parameters
        ----------
        cypher : str
            The query; parameters as ``$name``.
        params : mapping, optional
            Parameter values (bound by ladybug, never formatted into the text).
        write : bool, default False
            Allow write clauses. Without it the query is refused if it contains any
            (:class:`~crimnet.errors.ReadOnlyError`) and runs in a read-only transaction.

        Returns
        -------
        DataFrame
            One column per ``RETURN`` item; nulls as None/NaN; ``sources`` and
            ``record_ids`` as lists, also inside whole nodes and property maps.

        Raises
        ------
        crimnet.errors.ReadOnlyError
            A write clause in a read-only query.
        crimnet.errors.QueryError
            ladybug rejected the query (the message is ladybug's).
        """
        check_type(cypher, str, param="cypher", func="EmbeddedStore.query", expected="a str")
        if write and self.read_only:
            raise StoreError(f"{self!r} was opened read-only; it cannot run a write query.")
        if not write:
            check_read_only(cypher)
        text = translate(cypher, "ladybug")
        if self.joined_lists:
            text = split_joined_lists(text)
        with self._lock:
            if write:

                def work() -> pd.DataFrame:
                    try:
                        return self._result(text, params)
                    except RuntimeError as err:
                        raise QueryError(f"ladybug refused the query: {err}") from err

                return self._on_a_copy(work)
            self._exec("BEGIN TRANSACTION READ ONLY")
            try:
                return self._result(text, params)
            except RuntimeError as err:
                raise QueryError(f"ladybug refused the query: {err}") from err
            finally:
                self._rollback()

    def _result(self, text: str, params: Mapping[str, Any] | None) -> pd.DataFrame:
        arrow = self._exec(text, params).get_as_arrow()
        df = arrow.to_pandas()
        if self.joined_lists:
            for field in arrow.schema:
                if _holds_joined_struct(field.type):
                    df[field.name] = pd.Series([_split_nested(v) for v in df[field.name]], index=df.index, dtype=object)
        return df

    def tables(self) -> CanonicalTables:
        """Read every node and relationship back as canonical tables (extra score properties left out).

        Returns
        -------
        CanonicalTables
            Rows in storage order.

        Notes
        -----
        One scan per table; O(n + m) time and memory.
        """
        with self._lock:
            present = set(self._frame("CALL show_tables() RETURN name")["name"])
            frames = {name: self._read_table(name, cypher, present) for name, cypher in read_back_queries().items()}
        return CanonicalTables.from_frames(frames)

    def _read_table(self, name: str, cypher: str, present: set[str]) -> pd.DataFrame:
        if name not in present:  # a store made before the schema had this table, opened read-only (no DDL run)
            return empty_table(name)
        arrow = self._exec(cypher).get_as_arrow()
        cols = [f.name for f in arrow_schema(name)]
        if arrow.num_rows == 0:
            return empty_table(name)
        if self.joined_lists:
            arrow = _split_lists(arrow)
        arrow = arrow.select(cols).cast(arrow_schema(name))
        return arrow.to_pandas()

    def write(self, tables: CanonicalTables, *, merge: bool = False) -> dict[str, int]:
        """Upsert canonical tables: COPY new keys, SET changed ones; return rows added or changed per table.

        Parameters
        ----------
        tables : CanonicalTables
            The tables to write. Relationship endpoints missing from the node
            tables and from the store are created as bare nodes (id only), so no
            relationship is dropped.
        merge : bool, default False
            Write tables of a case other than the store's (:attr:`~crimnet.tables.CanonicalTables.case`):
            the store then holds both cases side by side (see :mod:`crimnet.graphs.store.base`).

        Returns
        -------
        dict of str to int
            For every label and type, the number of rows added or changed; all
            zero when the store already holds exactly these rows.

        Raises
        ------
        crimnet.errors.StoreError
            If the store is read-only, holds another case (and `merge` is False), or ladybug refuses a load.
        crimnet.errors.SchemaError
            A provenance list holds an empty string or U+001F (the store joins the elements).

        Notes
        -----
        Each table is converted to Arrow, its keys checked and compared with the
        stored rows (read back as Arrow: O(n + m)); new keys are loaded with one
        ``COPY`` per table (ladybug loads on the order of a million simple rows per
        second) and changed rows updated in ``UNWIND`` batches of `batch_size`. An
        event whose ends changed (same ``id``: a source's correction) replaces the stored
        one. The write runs on a copy of the database, renamed over it when complete: a
        failed or killed write leaves the store as it was (see the module's notes; it costs a
        file copy of the database and its size again on disk while it runs). The store's cases
        are ``CrimnetCase`` nodes, written in the same copy as the rows.
        """
        check_type(tables, CanonicalTables, param="tables", func="EmbeddedStore.write", expected="a CanonicalTables")
        check_type(merge, bool, param="merge", func="EmbeddedStore.write", expected="a bool")
        if self.read_only:
            raise StoreError(f"{self!r} was opened read-only; it cannot write.")
        with self._lock:
            record = self._case_record(tables.case, merge)
            frames = dict(tables.items())

            def source(name: str) -> pa.Table | None:
                df = frames.get(name)
                if df is None or df.empty:
                    return None
                return pa.Table.from_pandas(df.reset_index(drop=True), schema=arrow_schema(name), preserve_index=False)

            def work() -> dict[str, int]:
                self._record_cases(record)
                if not self.joined_lists and self._has_rows():
                    return self._write_pandas(tables)
                return self._write_arrow(source)

            written = self._on_a_copy(work)
        return {name: written[name] for name, _ in tables.items()}

    def write_parquet(self, directory: str | os.PathLike[str], *, merge: bool = False) -> dict[str, int]:
        """Load a directory of canonical Parquet tables as :meth:`write` does, reading each file once.

        Every file is read with pyarrow (canonical types; absent columns as nulls), its
        keys are checked, relationship endpoints missing from the node files and the
        store become bare nodes, the provenance lists are joined, and new rows are
        loaded with one ``COPY`` per table from Arrow, nodes first, then
        relationships; rows already stored are compared in Arrow and only changed ones
        updated, so loading the same directory twice writes nothing. This is the path
        for million-person cases (per-table timings in :attr:`last_load`).

        Parameters
        ----------
        directory : path-like
            Holds ``nodes_<Label>.parquet`` and ``edges_<TYPE>.parquet`` (absent files are empty tables),
            and ``case.json`` when the tables have a case (:func:`crimnet.tables.read_case`).
        merge : bool, default False
            As for :meth:`write`.

        Returns
        -------
        dict of str to int
            Rows added or changed per table.

        Raises
        ------
        crimnet.errors.SchemaError
            A file lacks a required column or has duplicate keys, or a provenance
            list holds an empty string or U+001F.
        crimnet.errors.StoreError
            ladybug refused a load (the store is left as it was, see :meth:`write`), or the
            store holds another case and `merge` is False.

        Notes
        -----
        O(n + m) time; ladybug's COPY dominates (59-68 of 79-92 s for a 1M-person case on 2 cores):
        about 0.5 microsecond per relationship with its two ends alone, plus about 0.8 per
        string property value with many distinct values (event ids, timestamps, joined
        record ids) and 0.1 to 0.2 for integers and repetitive strings (benchmarks/results/store.md).
        Peak memory: the node ids plus the largest table as Arrow, twice (joined copy),
        plus the stored rows of that table when the store is not empty.
        """
        src = Path(directory)
        if not src.is_dir():
            raise SchemaError(f"{src}: no such directory of canonical tables.")
        check_type(merge, bool, param="merge", func="EmbeddedStore.write_parquet", expected="a bool")
        if self.read_only:
            raise StoreError(f"{self!r} was opened read-only; it cannot write.")
        with self._lock:
            record = self._case_record(read_case(src), merge)

            def source(name: str) -> pa.Table | None:
                return _read_canonical(src / table_filename(name), name)

            def work() -> dict[str, int]:
                self._record_cases(record)
                if not self.joined_lists and self._has_rows():
                    return self._write_pandas(CanonicalTables.read(src))
                return self._write_arrow(source)

            return self._on_a_copy(work)

    @property
    def cases(self) -> list[str]:
        """The cases this store holds, in the order they were written (empty when none was recorded).

        They are ``CrimnetCase`` nodes of the database, written in the same swap as the rows (see
        :meth:`write`); a store made before keeps them in ``cases.json`` in its directory, read when
        the database records none.
        """
        with self._lock:
            if _CASE_TABLE in set(self._frame("CALL show_tables() RETURN name")["name"]):
                found = self._frame(f"MATCH (c:{_CASE_TABLE}) RETURN c.id AS id ORDER BY c.n")
                if len(found):
                    return [str(c) for c in found["id"]]
        path = self.path / _CASES_FILE
        if not path.is_file():
            return []
        try:
            cases = json.loads(path.read_text(encoding="utf-8"))["cases"]
            if not isinstance(cases, list) or not all(isinstance(c, str) for c in cases):
                raise ValueError("'cases' is not a list of strings")
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise StoreError(f"{path}: cannot read the store's cases ({exc}).") from None
        return cases

    def _case_record(self, case: str | None, merge: bool) -> list[str] | None:
        """Refuse `case` unless the store may hold it; the cases to record with the write (None: leave the record)."""
        return cases_after_write(self.cases, case, has_rows=self._has_rows(), merge=merge, where=str(self.path))

    def _record_cases(self, record: list[str] | None) -> None:
        """Replace the store's case record by `record` (inside the write, so it lands with the rows or not at all)."""
        if record is None:
            return
        self._exec(f"MATCH (c:{_CASE_TABLE}) DELETE c")
        for n, case in enumerate(record):
            self._exec(f"CREATE (:{_CASE_TABLE} {{id: $id, n: $n}})", {"id": case, "n": n})

    def _on_a_copy(self, work: Callable[[], _Result]) -> _Result:
        """Run `work` (a write) on a copy of the database and swap the copy in when it has succeeded.

        The database is checkpointed and closed, copied to ``graph.lbug.load-<pid>`` beside it,
        `work` runs on the copy, the copy is checkpointed, closed, flushed to disk and renamed over
        ``graph.lbug`` (one atomic rename), and the store reopens. A process killed at any point
        before the rename leaves ``graph.lbug`` as it was (the copy is removed by the next writer);
        after it, the store holds the whole write. A failed `work` removes the copy. ladybug's own
        commit is not enough: a process killed while it writes the log or checkpoints can leave a
        database that opens with part of a transaction, or does not open at all ("the WAL file is
        corrupted", LadybugDB/ladybug#714).

        Notes
        -----
        O(size of the database) for the copy (a sequential file copy) and twice its disk space
        while the write runs.
        """
        live = self.path / DB_FILE
        copy = self.path / f"{DB_FILE}{_COPY_MARK}{os.getpid()}"
        self._exec("CHECKPOINT")
        self._close_db()
        try:
            try:
                if _db_siblings(live):
                    raise StoreError(
                        f"{live} still has a write-ahead log after a checkpoint ({', '.join(_db_siblings(live))}); "
                        "not writing into it."
                    )
                _remove_db_files(copy)
                shutil.copyfile(live, copy)
                self._open_db(copy)
                written = work()
                self._exec("CHECKPOINT")
                self._close_db()
                _fsync(copy)
                os.replace(copy, live)
                _fsync(self.path)
            except BaseException:
                self._close_db()
                _remove_db_files(copy)
                raise
        finally:
            self._open_db(live)
        return written

    def _write_arrow(self, source: Callable[[str], pa.Table | None]) -> dict[str, int]:
        """Upsert every table `source` gives (canonical Arrow or None), nodes first; see :meth:`write`."""
        fresh = not self._has_rows()
        written = {name: 0 for name in (*NODE_LABELS, *REL_TYPES)}
        timings: dict[str, dict[str, float]] = {}
        ids: dict[str, pa.Array] = {}
        # one checkpoint after the last statement instead of one after each (each COPY commits on its own, and an
        # automatic checkpoint after every commit roughly doubled the wall time of a bulk load); no transaction: the
        # write runs on a copy of the database that is swapped in when it is complete (_on_a_copy)
        self._exec("CALL auto_checkpoint=false")
        try:
            for label in NODE_LABELS:
                t0, c0, k0 = time.perf_counter(), _cpu_seconds(), self._copy_clock
                table = source(label)
                stored = None if fresh else self._stored(label)
                ids[label] = pa.array([], pa.string()) if stored is None else stored.column("id").combine_chunks()
                if table is None or table.num_rows == 0:
                    continue
                _check_arrow_keys(label, table, ["id"])
                if self.joined_lists:
                    table = join_lists(table, label)  # drops the list columns' memory before the COPY
                added, changed = arrow_rows_to_write(table, stored, ["id"])
                self._add_and_update(label, added, changed)
                ids[label] = pa.concat_arrays([ids[label], added.column("id").combine_chunks()])
                written[label] = added.num_rows + changed.num_rows
                timings[label] = self._timing(table.num_rows, t0, c0, k0)
            for rel, t in REL_TYPES.items():
                t0, c0, k0 = time.perf_counter(), _cpu_seconds(), self._copy_clock
                table = source(rel)
                if table is None or table.num_rows == 0:
                    continue
                _check_arrow_keys(rel, table, table_key(rel))
                if self.joined_lists:
                    table = join_lists(table, rel)
                stored = None if fresh else self._stored(rel)
                # an event keeps its id when a source corrects its endpoints: key the comparison by the ends too,
                # and delete the stored event the corrected one replaces
                ends = ["src", "dst"] if t.key == "event" else []
                added, changed = arrow_rows_to_write(table, stored, [*table_key(rel), *ends])
                if ends and stored is not None and added.num_rows:
                    self._delete_events(rel, pc.filter(added["id"], pc.is_in(added["id"], value_set=stored["id"])))
                del stored
                for end, label in (("src", t.src), ("dst", t.dst)):
                    col = added.column(end)
                    lost = pc.unique(col.filter(pc.invert(pc.is_in(col, value_set=ids[label]))))
                    lost = lost.combine_chunks() if isinstance(lost, pa.ChunkedArray) else lost
                    if len(lost):  # endpoints absent from the node tables and the store become bare nodes
                        schema = arrow_schema(label)
                        bare = pa.table(
                            [lost if f.name == "id" else pa.nulls(len(lost), f.type) for f in schema], schema=schema
                        )
                        self._copy_arrow(label, bare)
                        written[label] += len(lost)
                        ids[label] = pa.concat_arrays([ids[label], lost])
                self._add_and_update(rel, added, changed)
                written[rel] = added.num_rows + changed.num_rows
                timings[rel] = self._timing(table.num_rows, t0, c0, k0)
                del table, added, changed
        finally:
            self._exec("CALL auto_checkpoint=true")
        t0, c0, k0 = time.perf_counter(), _cpu_seconds(), self._copy_clock
        self._exec("CHECKPOINT")
        timings["commit"] = self._timing(0, t0, c0, k0)
        self.last_load = timings
        return written

    def _timing(self, rows: int, t0: float, c0: float, k0: float) -> dict[str, float]:
        return {
            "rows": rows,
            "seconds": time.perf_counter() - t0,
            "copy_seconds": self._copy_clock - k0,
            "cpu_seconds": _cpu_seconds() - c0,
        }

    def _stored(self, name: str) -> pa.Table:
        """The rows of table `name` as stored (provenance lists joined), canonical columns only."""
        arrow = self._exec(read_back_queries()[name]).get_as_arrow()
        schema = _store_schema(name) if self.joined_lists else arrow_schema(name)
        if arrow.num_rows == 0:
            return schema.empty_table()
        return arrow.select(schema.names).cast(schema)

    def _add_and_update(self, name: str, added: pa.Table, changed: pa.Table) -> None:
        """COPY the rows of `added` and SET the stored rows of `changed` (both in store form)."""
        if added.num_rows:
            self._copy_arrow(name, added)
        if changed.num_rows:
            self._update_records(name, list(changed.column_names), changed.to_pylist())

    def _delete_events(self, rel: str, ids: pa.ChunkedArray) -> None:
        """Delete the stored `rel` events with these ids (one scan of the type per `batch_size` ids)."""
        for batch in batches(ids.to_pylist(), self.batch_size):
            self._exec(f"MATCH ()-[x:{rel}]->() WHERE x.id IN $ids DELETE x", {"ids": batch})

    def _copy_arrow(self, name: str, table: pa.Table) -> None:
        """COPY an Arrow table with the canonical columns of `name` (endpoints first for relationships).

        The columns are named in the COPY, so properties added later (scores, see
        :meth:`write_scores`) are left null on the new rows instead of failing the load.
        """
        props = [c for c in table.column_names if c not in ("src", "dst")]
        if name in REL_TYPES:
            table = table.select(["src", "dst", *props])
        if self.joined_lists:
            table = join_lists(table, name)
        load_table = table  # noqa: F841 - referenced by name in the COPY statement below
        t0 = time.perf_counter()
        try:
            self._exec(f"COPY {name}({', '.join(props)}) FROM load_table")
        except RuntimeError as err:
            raise StoreError(f"ladybug could not load {table.num_rows} rows into {name}: {err}") from err
        finally:
            self._copy_clock += time.perf_counter() - t0

    def _has_rows(self) -> bool:
        for label in NODE_LABELS:
            if self._exec(f"MATCH (n:{label}) RETURN n.id LIMIT 1").get_num_tuples():
                return True
        return False

    def _write_pandas(self, tables: CanonicalTables) -> dict[str, int]:
        """Upsert into a store with ``STRING[]`` provenance columns (made before joined lists), in one transaction."""
        written: dict[str, int] = {}
        nodes = self._add_dangling_endpoints(tables, dict(tables.nodes))
        current = self.tables()
        self._exec("BEGIN TRANSACTION")
        try:
            for label, df in nodes.items():
                written[label] = self._upsert(label, df, current.nodes[label])
            for rel, df in tables.rels.items():
                written[rel] = self._upsert(rel, df, current.rels[rel])
        except BaseException:
            self._rollback()
            raise
        self._exec("COMMIT")
        return {name: written[name] for name, _ in tables.items()}

    def _add_dangling_endpoints(
        self, tables: CanonicalTables, nodes: dict[str, pd.DataFrame]
    ) -> dict[str, pd.DataFrame]:
        """Add id-only rows for relationship endpoints absent from the node tables and the store."""
        wanted: dict[str, set[str]] = {label: set() for label in NODE_LABELS}
        for rel, df in tables.rels.items():
            if df.empty:
                continue
            t = rel_type(rel)
            wanted[t.src].update(df["src"].astype(str).unique())
            wanted[t.dst].update(df["dst"].astype(str).unique())
        out = dict(nodes)
        for label, ids in wanted.items():
            if not ids:
                continue
            missing = ids - set(nodes[label]["id"].astype(str))
            if not missing:
                continue
            stored = self._frame(f"MATCH (n:{label}) WHERE n.id IN $ids RETURN n.id AS id", {"ids": sorted(missing)})
            missing -= set(stored["id"].astype(str)) if len(stored) else set()
            if missing:
                extra = pd.DataFrame({"id": sorted(missing)})
                out[label] = pd.concat([nodes[label], _conform_like(label, extra)], ignore_index=True)
        return out

    def _upsert(self, name: str, df: pd.DataFrame, existing: pd.DataFrame | None) -> int:
        if df.empty:
            return 0
        if existing is None or existing.empty:
            added, changed = df, df.iloc[:0]
        else:
            added, changed = rows_to_write(name, df, existing)
        if len(added):
            self._copy(name, added)
        if len(changed):
            self._update(name, changed)
        return len(added) + len(changed)

    def _copy(self, name: str, df: pd.DataFrame) -> None:
        table = pa.Table.from_pandas(df.reset_index(drop=True), schema=arrow_schema(name), preserve_index=False)
        self._copy_arrow(name, table)

    def _update(self, name: str, df: pd.DataFrame) -> None:
        self._update_records(name, list(df.columns), plain_records(df))

    def _update_records(self, name: str, columns: list[str], records: list[dict[str, Any]]) -> None:
        """SET the properties of stored rows from `records` (plain dicts in store form), matched by key."""
        key = table_key(name)
        cols = [c for c in columns if c not in key and c not in ("src", "dst")]
        lb_types = _LB_TYPE if self.joined_lists else _LB_TYPE_LISTS
        types = {f.name: lb_types[f.dtype] for f in table_fields(name)}
        # CAST: ladybug infers a parameter column of only nulls as STRING
        sets = ", ".join(f"x.{c} = CAST(row.{c} AS {types[c]})" for c in cols)
        if name in NODE_LABELS:
            match = f"MATCH (x:{name} {{id: row.id}})"
        else:
            t = rel_type(name)
            match = f"MATCH (a:{t.src} {{id: row.src}})-[x:{name}]->(b:{t.dst} {{id: row.dst}})"
            if t.key == "event":
                match += " WHERE x.id = row.id"
        cypher = f"UNWIND $rows AS row {match} SET {sets}"
        for batch in batches(records, self.batch_size):
            try:
                self._exec(cypher, {"rows": batch})
            except RuntimeError as err:
                raise StoreError(f"ladybug could not update {name}: {err}") from err

    def write_scores(self, label: str, scores: pd.DataFrame, *, columns: Sequence[str]) -> int:
        """Write score columns as properties of `label` nodes (detection and GNN results).

        Parameters
        ----------
        label : str
            Node label of :mod:`crimnet.schema`.
        scores : DataFrame
            A ``node_id`` column (the nodes' ``id``, unqualified) and the score columns.
        columns : sequence of str
            Columns of `scores` to write; each becomes a node property of the same
            name (float columns DOUBLE, integer INT64, others STRING), created if
            missing. Names must be identifiers and not schema fields.

        Returns
        -------
        int
            Nodes updated (ids not in the store are ignored).

        Notes
        -----
        Runs on a copy of the database swapped in when complete, as :meth:`write` does: a killed
        or failed score write leaves the earlier scores.

        Raises
        ------
        crimnet.errors.SchemaError
            Unknown label, missing columns, or a column that would overwrite a schema field.
        crimnet.errors.StoreError
            The store is read-only, or ladybug refused the write (the earlier scores are kept).
        """
        cols = check_score_columns(label, scores, columns, func="EmbeddedStore.write_scores")
        if self.read_only:
            raise StoreError(f"{self!r} was opened read-only; it cannot write.")
        frame = scores[["node_id", *cols]].drop_duplicates("node_id", keep="last")
        sets = ", ".join(f"n.{c} = CAST(row.{c} AS {_score_type(scores[c])})" for c in cols)
        cypher = f"UNWIND $rows AS row MATCH (n:{label} {{id: row.node_id}}) SET {sets} RETURN count(*) AS n"
        records = plain_records(frame)

        def work() -> int:
            have = set(self._property_names(label))
            for c in cols:
                if c not in have:
                    self._exec(f"ALTER TABLE {label} ADD {c} {_score_type(scores[c])}")
            total = 0
            for batch in batches(records, self.batch_size):
                try:
                    res = self._frame(cypher, {"rows": batch})
                except RuntimeError as err:
                    raise StoreError(f"ladybug could not write the scores of {label}: {err}") from err
                total += int(res["n"].iloc[0]) if len(res) else 0
            return total

        with self._lock:
            return self._on_a_copy(work)


def _check_arrow_keys(name: str, table: pa.Table, key: list[str]) -> None:
    for col in key:
        if table.column(col).null_count:
            raise SchemaError(f"Table {name}: required columns {[col]} contain nulls.")
    if len(key) == 1:
        unique = len(pc.unique(table.column(key[0])))
    else:
        unique = table.group_by(key).aggregate([]).num_rows
    if unique != table.num_rows:
        raise SchemaError(f"Table {name}: duplicate keys {key}; canonical tables hold one row per key.")


def _read_canonical(path: Path, name: str) -> pa.Table | None:
    """Read a canonical Parquet file with the canonical types (absent columns as nulls); None if absent or empty."""
    import pyarrow.parquet as pq

    if not path.exists() or pq.ParquetFile(path).metadata.num_rows == 0:
        return None
    return pq.read_table(path, schema=arrow_schema(name))


def _cpu_seconds() -> float:
    return time.process_time()  # user + system CPU of the process, every thread (ladybug's workers included)


def _store_schema(name: str) -> pa.Schema:
    """The Arrow schema of table `name` as the store holds it: provenance lists as joined strings."""
    return pa.schema([pa.field(f.name, pa.string()) if pa.types.is_list(f.type) else f for f in arrow_schema(name)])


def arrow_rows_to_write(new: pa.Table, existing: pa.Table | None, key: Sequence[str]) -> tuple[pa.Table, pa.Table]:
    """Split the Arrow rows `new` into rows to add and rows to update against `existing`, both in `new`'s order.

    The Arrow counterpart of :func:`crimnet.graphs.store.base.rows_to_write`, which the
    embedded store's bulk path uses (provenance lists already joined, so every column compares
    as a scalar).

    Parameters
    ----------
    new : pyarrow.Table
        The rows to write.
    existing : pyarrow.Table or None
        The stored rows, with the columns of `new`; None or empty when nothing is stored.
    key : sequence of str
        Columns that identify a row (``['id']``; ``['src', 'dst']`` for pair relationships).

    Returns
    -------
    added : pyarrow.Table
        Rows of `new` whose key is not in `existing`.
    changed : pyarrow.Table
        Rows of `new` whose key is in `existing` with a different value in another column
        (nulls equal nulls, NaN equals NaN).

    Notes
    -----
    One hash join on the key columns alone (row numbers as the only payload), then a
    column-by-column comparison of the matched rows. O(n + m) time; memory of the key
    columns plus one copy of the matched rows.

    Examples
    --------
    >>> old = pa.table({"id": ["a", "b"], "w": [1.0, None]})
    >>> added, changed = arrow_rows_to_write(pa.table({"id": ["c", "b", "a"], "w": [3.0, None, 2.0]}), old, ["id"])
    >>> added.column("id").to_pylist(), changed.column("id").to_pylist()
    (['c'], ['a'])
    """
    import numpy as np

    check_type(new, pa.Table, param="new", func="arrow_rows_to_write", expected="a pyarrow.Table")
    key = list(key)
    if existing is None or existing.num_rows == 0:
        return new, new.slice(0, 0)
    left = new.select(key).append_column("__l", pa.array(np.arange(new.num_rows)))
    right = existing.select(key).append_column("__r", pa.array(np.arange(existing.num_rows)))
    pairs = left.join(right, keys=key, join_type="inner").select(["__l", "__r"])
    order = np.argsort(pairs.column("__l").to_numpy(), kind="stable")
    l_idx = pairs.column("__l").to_numpy()[order]
    r_idx = pairs.column("__r").to_numpy()[order]
    unmatched = np.ones(new.num_rows, dtype=bool)
    unmatched[l_idx] = False
    mine, theirs = new.take(pa.array(l_idx)), existing.take(pa.array(r_idx))
    differs = np.zeros(len(l_idx), dtype=bool)
    for c in new.column_names:
        if c in key:
            continue
        a, b = mine.column(c), theirs.column(c)
        same = pc.or_kleene(pc.equal(a, b), pc.and_(pc.is_null(a), pc.is_null(b)))
        if pa.types.is_floating(a.type):
            same = pc.or_kleene(same, pc.and_(pc.is_nan(a), pc.is_nan(b)))
        differs |= ~pc.fill_null(same, False).to_numpy(zero_copy_only=False)
    return new.filter(pa.array(unmatched)), mine.filter(pa.array(differs))


def _list_fields(name: str) -> list[str]:
    return [f.name for f in table_fields(name) if f.dtype == "string[]"]


def join_lists(table: pa.Table, name: str) -> pa.Table:
    """Return the Arrow rows of canonical table `name` as the embedded store holds them: provenance lists joined.

    Parameters
    ----------
    table : pyarrow.Table
        Rows of canonical table `name` (see :func:`crimnet.tables.arrow_schema`).
    name : str
        Label or relationship type.

    Returns
    -------
    pyarrow.Table
        `table` with each list column of `name` (``sources``, ``record_ids``) as one string
        per row, its elements joined by :data:`~crimnet.graphs.store.dialects.LIST_SEP`
        (null stays null, ``[]`` becomes ``''``); columns already joined, or absent, are left as they are.

    Raises
    ------
    crimnet.errors.SchemaError
        An element is null, empty or holds U+001F (it could not be split back).

    >>> rows = {"id": ["+447700900001"], "sources": [["a", "b"]], "record_ids": [[]]}
    >>> t = pa.table(rows, schema=arrow_schema("Phone"))
    >>> joined = join_lists(t, "Phone")
    >>> joined.column("sources").to_pylist() == ["a" + LIST_SEP + "b"], joined.column("record_ids").to_pylist()
    (True, [''])
    """
    check_type(table, pa.Table, param="table", func="join_lists", expected="a pyarrow.Table")
    for col in _list_fields(name):
        if col not in table.column_names or not pa.types.is_list(table.schema.field(col).type):
            continue  # absent, or already joined
        values = table.column(col)
        flat = pc.list_flatten(values)
        if len(flat) and (
            flat.null_count
            or pc.any(pc.equal(pc.binary_length(flat), 0)).as_py()
            or pc.any(pc.match_substring(flat, LIST_SEP)).as_py()
        ):
            raise SchemaError(
                f"Table {name}: {col} holds a null, an empty string or U+001F; the embedded store keeps "
                "provenance lists as one string joined by U+001F, so elements must be non-empty and free of it."
            )
        table = table.set_column(table.schema.get_field_index(col), col, pc.binary_join(values, LIST_SEP))
    return table


def _split_lists(table: pa.Table) -> pa.Table:
    """Inverse of :func:`join_lists` for every joined provenance column of a read-back table."""
    empty = pa.scalar([], pa.list_(pa.string()))
    for col in JOINED_LIST_PROPERTIES:
        if col not in table.column_names or not pa.types.is_string(table.schema.field(col).type):
            continue
        values = table.column(col)
        split = pc.if_else(pc.equal(values, ""), empty, pc.split_pattern(values, LIST_SEP))
        table = table.set_column(table.schema.get_field_index(col), col, split)
    return table


def _holds_joined_struct(t: pa.DataType) -> bool:
    """Whether a result column type holds a node, relationship or map with a joined provenance field."""
    if pa.types.is_struct(t):
        return any(
            (f.name in JOINED_LIST_PROPERTIES and pa.types.is_string(f.type)) or _holds_joined_struct(f.type) for f in t
        )
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        return _holds_joined_struct(t.value_type)
    return False


def _split_nested(v: Any) -> Any:
    """Split joined provenance strings inside result cells (dicts from whole nodes or properties(n))."""
    if isinstance(v, dict):
        return {
            k: (
                ([] if x == "" else x.split(LIST_SEP))
                if k in JOINED_LIST_PROPERTIES and isinstance(x, str)
                else _split_nested(x)
            )
            for k, x in v.items()
        }
    if isinstance(v, list | tuple):
        return [_split_nested(x) for x in v]
    if hasattr(v, "tolist") and not isinstance(v, str):
        return _split_nested(v.tolist())
    return v


def _conform_like(label: str, df: pd.DataFrame) -> pd.DataFrame:
    # every column given explicitly (object None), so list columns never become float NaN columns
    full = {
        f.name: df[f.name] if f.name in df else pd.Series([None] * len(df), dtype=object)
        for f in node_label(label).fields
    }
    return CanonicalTables.from_frames({label: pd.DataFrame(full)}).nodes[label]


def _score_type(series: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(series):
        return "BOOLEAN"
    if pd.api.types.is_integer_dtype(series):
        return "INT64"
    if pd.api.types.is_float_dtype(series):
        return "DOUBLE"
    return "STRING"


def _some_names(folder: Path, shown: int = 5) -> str:
    """Up to `shown` entry names of `folder`, for a message (``'nothing'`` when empty)."""
    names = sorted(p.name for p in folder.iterdir())
    if not names:
        return "nothing"
    return ", ".join(names[:shown]) + (f" and {len(names) - shown} more" if len(names) > shown else "")


def _take_writer_lock(folder: Path) -> int:
    """Take the store's writer lock (``.writer.lock``, an exclusive flock) and return its descriptor.

    ladybug locks its database file only while it is open; a write closes it to swap in its copy, so the
    store's own lock keeps a second writer out for the whole life of a read-write store.
    """
    import fcntl

    fd = os.open(folder / _WRITER_LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        raise StoreError(
            f"Could not open the embedded store at {folder} for writing: another process holds it read-write "
            "(a load or a run). Wait for it to finish; read-only opens (crimnet query, crimnet cypher) work beside it."
        ) from None
    return fd


def _db_siblings(db: Path) -> list[str]:
    """Names of the files ladybug keeps beside database `db` (write-ahead log, shadow pages, checkpoint locks)."""
    return sorted(p.name for p in db.parent.glob(db.name + ".*") if _COPY_MARK not in p.name[len(db.name) :])


def _remove_db_files(db: Path) -> None:
    """Remove database `db` and the files ladybug keeps beside it."""
    for p in [db, *db.parent.glob(db.name + ".*")]:
        p.unlink(missing_ok=True)


def _remove_stale_copies(folder: Path) -> None:
    """Remove the copies (``graph.lbug.load-<pid>``) that writes killed before their swap left in `folder`."""
    for p in folder.glob(f"{DB_FILE}{_COPY_MARK}*"):
        p.unlink(missing_ok=True)


def _fsync(path: Path) -> None:
    """Flush file or directory `path` to disk (the copy before its rename, the folder after it)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
