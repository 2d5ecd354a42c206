"""The embedded graph store: ladybug (the maintained fork of Kuzu) in a directory on disk.

Layout of a store directory::

    <store>/graph.lbug     the ladybug database
    <store>/audit.jsonl    query audit log (crimnet.queries.audit)
    <store>/watch.json     watch rules (crimnet.queries.watch)

Node and relationship tables are typed from :mod:`crimnet.schema` (``string[]``
becomes ``STRING[]``; node tables have ``PRIMARY KEY(id)``; event relationship
types carry their own ``id`` property). New rows are bulk loaded with ``COPY ...
FROM`` a Parquet file (:meth:`EmbeddedStore.write_parquet`) or an Arrow table; rows
whose key already exists with different values are updated with batched
``UNWIND $rows ... SET``.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from crimnet.errors import QueryError, SchemaError, StoreError, check_interval, check_type
from crimnet.graphs.dialects import check_read_only, translate
from crimnet.graphs.store import check_score_columns, plain_records, read_back_queries, rows_to_write, table_key
from crimnet.schema import NODE_LABELS, REL_TYPES, node_label, rel_type
from crimnet.tables import CanonicalTables, arrow_schema, empty_table

__all__ = ["EmbeddedStore", "DB_FILE"]

DB_FILE = "graph.lbug"
"""Name of the ladybug database file inside a store directory."""

_LB_TYPE = {"string": "STRING", "int64": "INT64", "float64": "DOUBLE", "string[]": "STRING[]"}


def _node_ddl(label: str) -> str:
    cols = ", ".join(f"{f.name} {_LB_TYPE[f.dtype]}" for f in node_label(label).fields)
    return f"CREATE NODE TABLE IF NOT EXISTS {label}({cols}, PRIMARY KEY(id))"


def _rel_ddl(rel: str) -> str:
    t = rel_type(rel)
    props = [f for f in t.fields if f.name not in ("src", "dst")]
    cols = "".join(f", {f.name} {_LB_TYPE[f.dtype]}" for f in props)
    return f"CREATE REL TABLE IF NOT EXISTS {rel}(FROM {t.src} TO {t.dst}{cols})"


class EmbeddedStore:
    """A ladybug graph database in a directory: the default crimnet store.

    Parameters
    ----------
    path : str or path-like
        Store directory; created when missing. The database is ``<path>/graph.lbug``.
    read_only : bool, default False
        Open the database read-only (several processes may then read it at once);
        writes raise :class:`~crimnet.errors.StoreError`.
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

    Notes
    -----
    Every read-only query is checked for write clauses by
    :func:`crimnet.graphs.dialects.check_read_only` and then runs inside
    ``BEGIN TRANSACTION READ ONLY``, which ladybug enforces.

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> from crimnet.tables import CanonicalTables
    >>> phones = pd.DataFrame({"id": ["+447700900001"], "sources": [["a"]], "record_ids": [["a:1"]]})
    >>> t = CanonicalTables.from_frames({"Phone": phones})
    >>> with EmbeddedStore(tempfile.mkdtemp()) as store:
    ...     store.write(t)["Phone"], store.write(t)["Phone"]
    ...     store.query("MATCH (p:Phone) RETURN p.id AS id").id.tolist()
    (1, 0)
    ['+447700900001']
    """

    dialect = "ladybug"

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        read_only: bool = False,
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
        if read_only and not (self.path / DB_FILE).exists():
            raise StoreError(f"{self.path}: no store here ({DB_FILE} missing) to open read-only.")
        self.path.mkdir(parents=True, exist_ok=True)
        self.read_only = read_only
        self.batch_size = batch_size
        self.audit_log = Path(audit_log) if audit_log is not None else self.path / "audit.jsonl"
        self._lock = threading.RLock()
        try:
            self._db = ladybug.Database(
                str(self.path / DB_FILE), read_only=read_only, buffer_pool_size=buffer_pool_size
            )
            self._conn: ladybug.Connection | None = ladybug.Connection(self._db)
        except RuntimeError as err:
            raise StoreError(f"Could not open the embedded store at {self.path}: {err}") from err
        self.backend = f"ladybug {ladybug.Database.get_version()} at {self.path}"
        if not read_only:
            self._create_schema()

    # --- lifecycle -------------------------------------------------------------------------------------------------
    def close(self) -> None:
        """Close the connection and the database."""
        with self._lock:
            conn = getattr(self, "_conn", None)
            if conn is not None:
                conn.close()
                self._db.close()
                self._conn = None

    def __enter__(self) -> EmbeddedStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"EmbeddedStore({str(self.path)!r}, read_only={self.read_only})"

    # --- low level -------------------------------------------------------------------------------------------------
    def _exec(self, cypher: str, params: Mapping[str, Any] | None = None) -> Any:
        if self._conn is None:
            raise StoreError(f"{self!r} is closed.")
        return self._conn.execute(cypher, dict(params or {}))

    def _frame(self, cypher: str, params: Mapping[str, Any] | None = None) -> pd.DataFrame:
        result = self._exec(cypher, params)
        return result.get_as_arrow().to_pandas()

    def _create_schema(self) -> None:
        for label in NODE_LABELS:
            self._exec(_node_ddl(label))
        for rel in REL_TYPES:
            self._exec(_rel_ddl(rel))

    def _property_names(self, table: str) -> list[str]:
        info = self._frame(f"CALL table_info('{table}') RETURN *")
        return info["name"].tolist()

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
            One column per ``RETURN`` item; nulls as None/NaN.

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
        with self._lock:
            if write:
                try:
                    return self._frame(text, params)
                except RuntimeError as err:
                    raise QueryError(f"ladybug refused the query: {err}") from err
            self._exec("BEGIN TRANSACTION READ ONLY")
            try:
                return self._frame(text, params)
            except RuntimeError as err:
                raise QueryError(f"ladybug refused the query: {err}") from err
            finally:
                try:
                    self._exec("ROLLBACK")
                except RuntimeError:
                    pass  # a failed query already ended the transaction

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
            frames = {name: self._read_table(name, cypher) for name, cypher in read_back_queries().items()}
        return CanonicalTables.from_frames(frames)

    def _read_table(self, name: str, cypher: str) -> pd.DataFrame:
        arrow = self._exec(cypher).get_as_arrow()
        cols = [f.name for f in arrow_schema(name)]
        if arrow.num_rows == 0:
            return empty_table(name)
        arrow = arrow.select(cols).cast(arrow_schema(name))
        return arrow.to_pandas()

    def write(self, tables: CanonicalTables) -> dict[str, int]:
        """Upsert canonical tables: COPY new keys, SET changed ones; return rows added or changed per table.

        Parameters
        ----------
        tables : CanonicalTables
            The tables to write. Relationship endpoints missing from the node
            tables and from the store are created as bare nodes (id only), so no
            relationship is dropped.

        Returns
        -------
        dict of str to int
            For every label and type, the number of rows added or changed; all
            zero when the store already holds exactly these rows.

        Raises
        ------
        crimnet.errors.StoreError
            If the store is read-only or ladybug refuses a load.

        Notes
        -----
        Reads back the keys and values of every table written to (O(n + m)), then
        one ``COPY`` per table for new rows (ladybug loads on the order of a
        million rows per second) and ``UNWIND`` batches of `batch_size` for changed rows.
        """
        check_type(tables, CanonicalTables, param="tables", func="EmbeddedStore.write", expected="a CanonicalTables")
        if self.read_only:
            raise StoreError(f"{self!r} was opened read-only; it cannot write.")
        written: dict[str, int] = {}
        with self._lock:
            nodes = dict(tables.nodes)
            nodes = self._add_dangling_endpoints(tables, nodes)
            current = self.tables() if self._has_rows() else None
            for label, df in nodes.items():
                written[label] = self._upsert(label, df, None if current is None else current.nodes[label])
            for rel, df in tables.rels.items():
                written[rel] = self._upsert(rel, df, None if current is None else current.rels[rel])
        return {name: written[name] for name, _ in tables.items()}

    def write_parquet(self, directory: str | os.PathLike[str]) -> dict[str, int]:
        """Load a directory of canonical Parquet tables, straight from Arrow when the store is empty.

        On an empty store only the key columns are read in Python (to check keys and find
        relationship endpoints missing from the node files); every file is then loaded
        with one ``COPY`` straight from its path by ladybug's own Parquet reader, or, when
        its columns are not in canonical order (event relationships: ``id`` before
        ``src``/``dst``), read with pyarrow and copied from Arrow, one table at a time: the
        path for million-person cases. On a store that already holds rows it falls back to
        :meth:`write` (upsert).

        Parameters
        ----------
        directory : path-like
            Holds ``nodes_<Label>.parquet`` and ``edges_<TYPE>.parquet`` (absent files are empty tables).

        Returns
        -------
        dict of str to int
            Rows written per table.

        Raises
        ------
        crimnet.errors.SchemaError
            A file lacks a required column or has duplicate keys.

        Notes
        -----
        O(n + m) time; ladybug's COPY dominates, and within it the list columns (``sources``,
        ``record_ids``): relationship COPY costs about 1 microsecond per row plus about 2 per
        list element (both storage directions are built), node COPY about 0.5 per element.
        Peak memory: the key columns plus the largest event relationship table as Arrow.
        """
        import pyarrow.compute as pc

        src = Path(directory)
        if not src.is_dir():
            raise SchemaError(f"{src}: no such directory of canonical tables.")
        if self.read_only:
            raise StoreError(f"{self!r} was opened read-only; it cannot write.")
        with self._lock:
            if self._has_rows():
                return self.write(CanonicalTables.read(src))
            written: dict[str, int] = {}
            ids: dict[str, pa.Array] = {}
            for label in NODE_LABELS:
                path = src / f"nodes_{label}.parquet"
                # key columns only (the schema casts them and fills absent ones with nulls)
                keys = _read_columns(path, label, ["id"]) if path.exists() else None
                if keys is None or keys.num_rows == 0:
                    written[label] = 0
                    ids[label] = pa.array([], pa.string())
                    continue
                _check_arrow_keys(label, keys, ["id"])
                ids[label] = keys.column("id").combine_chunks()
                self._copy_parquet(label, path)
                written[label] = keys.num_rows
            # endpoints absent from the node files become bare nodes before any relationship is loaded;
            # only the key columns are read here, each relationship file is read in full once, when copied
            missing: dict[str, list[pa.Array]] = {label: [] for label in NODE_LABELS}
            present: list[str] = []
            for rel, t in REL_TYPES.items():
                path = src / f"edges_{rel}.parquet"
                if not path.exists():
                    continue
                present.append(rel)
                key = table_key(rel)
                cols = list(dict.fromkeys([*key, "src", "dst"]))
                keys = _read_columns(path, rel, cols)
                _check_arrow_keys(rel, keys, key)
                for end, label in (("src", t.src), ("dst", t.dst)):
                    col = keys.column(end)
                    lost = pc.unique(col.filter(pc.invert(pc.is_in(col, value_set=ids[label]))))
                    if len(lost):
                        missing[label].append(lost.combine_chunks() if hasattr(lost, "combine_chunks") else lost)
                del keys
            for label, parts in missing.items():
                if parts:
                    extra = pc.unique(pa.concat_arrays(parts))
                    bare = _conform_like(label, pd.DataFrame({"id": extra.to_pylist()}))
                    self._copy(label, bare)
                    written[label] += len(bare)
            for rel in REL_TYPES:
                written[rel] = self._copy_parquet(rel, src / f"edges_{rel}.parquet") if rel in present else 0
        return {name: written[name] for name in (*NODE_LABELS, *REL_TYPES)}

    def _copy_parquet(self, name: str, path: Path) -> int:
        """COPY one canonical Parquet file; return its rows.

        ladybug reads the file itself (its native Parquet reader, no Python objects) when the
        file's columns are exactly the canonical ones in the order ladybug takes them (``id``
        first for nodes, ``src`` and ``dst`` first for relationships); otherwise the file is
        read with pyarrow, conformed and reordered, and loaded from Arrow.
        """
        import pyarrow.parquet as pq

        schema = arrow_schema(name)
        meta = pq.ParquetFile(path)
        rows = meta.metadata.num_rows
        if rows == 0:
            return 0
        order = list(schema.names)
        if name in REL_TYPES:
            order = ["src", "dst", *(c for c in order if c not in ("src", "dst"))]
        if meta.schema_arrow.equals(pa.schema([schema.field(c) for c in order])) and "'" not in str(path):
            try:
                self._exec(f"COPY {name} FROM '{path}'")
            except RuntimeError as err:
                raise StoreError(f"ladybug could not load {rows} rows into {name} from {path}: {err}") from err
            return rows
        table = pq.read_table(path, schema=schema)
        self._copy_arrow(name, table)
        return table.num_rows

    def _copy_arrow(self, name: str, table: pa.Table) -> None:
        if name in REL_TYPES:
            order = ["src", "dst", *(c for c in table.column_names if c not in ("src", "dst"))]
            table = table.select(order)
        load_table = table  # noqa: F841 - referenced by name in the COPY statement below
        try:
            self._exec(f"COPY {name} FROM load_table")
        except RuntimeError as err:
            raise StoreError(f"ladybug could not load {table.num_rows} rows into {name}: {err}") from err

    def _has_rows(self) -> bool:
        for label in NODE_LABELS:
            if self._exec(f"MATCH (n:{label}) RETURN n.id LIMIT 1").get_num_tuples():
                return True
        return False

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
        schema = arrow_schema(name)
        table = pa.Table.from_pandas(df.reset_index(drop=True), schema=schema, preserve_index=False)
        if name in REL_TYPES and rel_type(name).key == "event":
            # ladybug takes FROM and TO as the first two columns.
            order = ["src", "dst", *(c for c in table.column_names if c not in ("src", "dst"))]
            table = table.select(order)
        load_table = table  # noqa: F841 - referenced by name in the COPY statement below
        try:
            self._exec(f"COPY {name} FROM load_table")
        except RuntimeError as err:
            raise StoreError(f"ladybug could not load {len(df)} rows into {name}: {err}") from err

    def _update(self, name: str, df: pd.DataFrame) -> None:
        key = table_key(name)
        cols = [c for c in df.columns if c not in key and c not in ("src", "dst")]
        types = {f.name: _LB_TYPE[f.dtype] for f in arrow_schema_fields(name)}
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
        records = plain_records(df)
        for start in range(0, len(records), self.batch_size):
            try:
                self._exec(cypher, {"rows": records[start : start + self.batch_size]})
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

        Raises
        ------
        crimnet.errors.SchemaError
            Unknown label, missing columns, or a column that would overwrite a schema field.
        """
        cols = check_score_columns(label, scores, columns, func="EmbeddedStore.write_scores")
        if self.read_only:
            raise StoreError(f"{self!r} was opened read-only; it cannot write.")
        with self._lock:
            have = set(self._property_names(label))
            for c in cols:
                if c not in have:
                    self._exec(f"ALTER TABLE {label} ADD {c} {_score_type(scores[c])}")
            frame = scores[["node_id", *cols]].drop_duplicates("node_id", keep="last")
            sets = ", ".join(f"n.{c} = CAST(row.{c} AS {_score_type(scores[c])})" for c in cols)
            cypher = f"UNWIND $rows AS row MATCH (n:{label} {{id: row.node_id}}) SET {sets} RETURN count(*) AS n"
            records = plain_records(frame)
            total = 0
            for start in range(0, len(records), self.batch_size):
                res = self._frame(cypher, {"rows": records[start : start + self.batch_size]})
                total += int(res["n"].iloc[0]) if len(res) else 0
        return total


def _check_arrow_keys(name: str, table: pa.Table, key: list[str]) -> None:
    import pyarrow.compute as pc

    for col in key:
        if table.column(col).null_count:
            raise SchemaError(f"Table {name}: required columns {[col]} contain nulls.")
    if len(key) == 1:
        unique = len(pc.unique(table.column(key[0])))
    else:
        unique = table.group_by(key).aggregate([]).num_rows
    if unique != table.num_rows:
        raise SchemaError(f"Table {name}: duplicate keys {key}; canonical tables hold one row per key.")


def _read_columns(path: Path, name: str, columns: list[str]) -> pa.Table:
    """Read `columns` of a canonical Parquet file, cast to the canonical types (absent columns as nulls)."""
    import pyarrow.parquet as pq

    schema = arrow_schema(name)
    return pq.read_table(path, schema=pa.schema([schema.field(c) for c in columns]))


def arrow_schema_fields(name: str) -> tuple:
    return node_label(name).fields if name in NODE_LABELS else rel_type(name).fields


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
