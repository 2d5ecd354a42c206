"""Canonical tables: the contract between ingest, the stores, graph views and the GNN.

One table per node label (``nodes_<Label>.parquet``) and per relationship type
(``edges_<TYPE>.parquet``), with exactly the columns of :mod:`crimnet.schema`.
Tables made by ingest also carry the identity of their case (:attr:`CanonicalTables.case`),
kept beside the files in ``case.json`` (:data:`CASE_FILE`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from crimnet.errors import SchemaError, bad_parameter, check_choice, check_type
from crimnet.schema import NODE_LABELS, REL_TYPES, DType, rel_type, table_fields

__all__ = [
    "CanonicalTables",
    "arrow_schema",
    "empty_table",
    "conform",
    "check_keys",
    "table_filename",
    "read_case",
    "write_case",
    "CASE_FILE",
]

CASE_FILE = "case.json"
"""The file beside a folder's canonical tables that names their case: ``{"case": "<id>"}``."""

_ARROW: dict[DType, pa.DataType] = {
    "string": pa.string(),
    "int64": pa.int64(),
    "float64": pa.float64(),
    "string[]": pa.list_(pa.string()),
}


def arrow_schema(name: str) -> pa.Schema:
    """Return the Arrow schema of the canonical table of a label or relationship type."""
    return pa.schema([pa.field(f.name, _ARROW[f.dtype]) for f in table_fields(name)])


def empty_table(name: str) -> pd.DataFrame:
    """Return an empty canonical table of a label or relationship type, with its columns."""
    return arrow_schema(name).empty_table().to_pandas()


def conform(name: str, df: pd.DataFrame) -> pd.DataFrame:
    """Check `df` against the canonical schema of `name` and return it with columns in order.

    Missing optional columns are added as nulls; ``id`` (nodes) or ``src``/``dst``
    (relationships) must be present and non-null, and ids must be unique per the
    type's key.

    Raises
    ------
    crimnet.errors.SchemaError
        Naming the table and the offending columns.
    """
    fields = table_fields(name)
    names = [f.name for f in fields]
    unknown = sorted(set(df.columns) - set(names))
    if unknown:
        raise SchemaError(f"Table {name}: unknown columns {unknown}; expected {names}.")
    check_keys(name, df)
    out = df.reindex(columns=names)
    for f in fields:
        if f.name not in df.columns:
            # reindex fills with float NaN, which Arrow cannot read as a string or list column
            out[f.name] = pd.Series([None] * len(out), index=out.index, dtype=object)
    return pa.Table.from_pandas(out, schema=arrow_schema(name), preserve_index=False).to_pandas()


def check_keys(name: str, df: pd.DataFrame) -> None:
    """Raise :class:`~crimnet.errors.SchemaError` unless the key columns of table `name` are present and unique.

    Keys must also be non-null. The key is ``id`` for nodes and event relationships, ``(src, dst)`` for the others.
    """
    check_choice(name, (*NODE_LABELS, *REL_TYPES), param="name", func="check_keys")
    check_type(df, pd.DataFrame, param="df", func="check_keys", expected="a DataFrame")
    required = ["id"] if name in NODE_LABELS else ["src", "dst"] + (["id"] if rel_type(name).key == "event" else [])
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise SchemaError(f"Table {name}: required columns {missing} are missing.")
    nulls = [c for c in required if df[c].isna().any()]
    if nulls:
        raise SchemaError(f"Table {name}: required columns {nulls} contain nulls.")
    key = ["id"] if "id" in required else ["src", "dst"]
    if df.duplicated(key).any():
        raise SchemaError(f"Table {name}: duplicate keys {key}; canonical tables hold one row per key.")


@dataclass
class CanonicalTables:
    """The canonical node and relationship tables of one case.

    Attributes
    ----------
    nodes : dict of str to DataFrame
        One table per node label, keyed by label (``'Person'``, ``'Phone'``...).
    rels : dict of str to DataFrame
        One table per relationship type, keyed by type (``'LIVES_AT'``...).
    case : str or None
        The case the tables belong to (``'case-<16 hex>'`` for an ingest: derived from its
        sources' content when the ingest starts a case, inherited from ``previous=`` by a later
        batch of it), or None for tables built by hand. A store refuses to mix two cases
        (:meth:`crimnet.graphs.store.base.GraphStore.write`); tables without a case are never
        refused. :meth:`write` keeps it in ``case.json`` beside the tables and :meth:`read` reads
        it back.

    Every label and type of :mod:`crimnet.schema` is present (empty tables for
    those without rows), so consumers never test for a missing key.
    """

    nodes: dict[str, pd.DataFrame] = field(default_factory=dict)
    rels: dict[str, pd.DataFrame] = field(default_factory=dict)
    case: str | None = None

    def __post_init__(self) -> None:
        check_type(self.nodes, Mapping, param="nodes", func="CanonicalTables", expected="a dict of DataFrames")
        check_type(self.rels, Mapping, param="rels", func="CanonicalTables", expected="a dict of DataFrames")
        _check_case(self.case, "CanonicalTables")
        self.nodes = {n: conform(n, self.nodes[n]) if n in self.nodes else empty_table(n) for n in NODE_LABELS}
        self.rels = {r: conform(r, self.rels[r]) if r in self.rels else empty_table(r) for r in REL_TYPES}

    @classmethod
    def from_frames(cls, frames: Mapping[str, pd.DataFrame], *, case: str | None = None) -> CanonicalTables:
        """Build from one mapping of label or type name to table (and the tables' `case`, if any)."""
        unknown = sorted(set(frames) - set(NODE_LABELS) - set(REL_TYPES))
        if unknown:
            raise SchemaError(f"Unknown tables {unknown}; expected labels or relationship types of crimnet.schema.")
        return cls(
            nodes={k: v for k, v in frames.items() if k in NODE_LABELS},
            rels={k: v for k, v in frames.items() if k in REL_TYPES},
            case=case,
        )

    @classmethod
    def from_partial(cls, frames: Mapping[str, pd.DataFrame], *, case: str | None = None) -> CanonicalTables:
        """Build from partial frames, filling absent columns with nulls.

        A convenience for examples and tests: missing list columns (``sources``,
        ``record_ids``) become empty lists and other missing columns nulls; `case` as
        for :attr:`case`.

        >>> CanonicalTables.from_partial({"Person": pd.DataFrame({"id": ["a"]})}).nodes["Person"]["id"].tolist()
        ['a']
        """
        check_type(
            frames, Mapping, param="frames", func="CanonicalTables.from_partial", expected="a dict of DataFrames"
        )
        full = {}
        for name, df in frames.items():
            df = df.copy()
            for f in table_fields(name):
                if f.name not in df.columns:
                    empty: list[Any] = [[] for _ in range(len(df))] if f.dtype == "string[]" else [None] * len(df)
                    df[f.name] = pd.Series(empty, index=df.index, dtype=object)
            full[name] = df
        return cls.from_frames(full, case=case)

    def items(self) -> Iterator[tuple[str, pd.DataFrame]]:
        """Yield ``(name, table)`` for every node label, then every relationship type."""
        yield from self.nodes.items()
        yield from self.rels.items()

    def counts(self) -> dict[str, int]:
        """Return the number of rows of each table."""
        return {name: len(df) for name, df in self.items()}

    def write(self, directory: str | Path) -> list[Path]:
        """Write every table as Parquet under `directory` and return the paths.

        Files are ``nodes_<Label>.parquet`` and ``edges_<TYPE>.parquet``; each is
        written to a temporary name and renamed, so a reader never sees half a file. The
        :attr:`case` goes to ``case.json`` (:func:`write_case`; removed when the case is None).
        """
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        paths = []
        for name, df in self.items():
            path = out / table_filename(name)
            tmp = path.with_suffix(".parquet.tmp")
            table = pa.Table.from_pandas(df, schema=arrow_schema(name), preserve_index=False)
            pq.write_table(table, tmp)
            tmp.replace(path)
            paths.append(path)
        write_case(out, self.case)
        return paths

    @classmethod
    def read(cls, directory: str | os.PathLike[str], *, lists: bool = True) -> CanonicalTables:
        """Read the tables written by :meth:`write`; absent files give empty tables.

        With ``lists=False`` the list columns (``sources``, ``record_ids``) are not
        read and hold nulls: as Python lists they are most of the tables' memory and
        reading time (1.3 of 1.45 GiB, and half the time, at 100,000 people), and
        detection does not need them. The case comes from ``case.json`` (:func:`read_case`).
        """
        src = Path(directory)
        if not src.is_dir():
            raise SchemaError(f"{src}: no such directory of canonical tables.")
        frames = {}
        for name in (*NODE_LABELS, *REL_TYPES):
            path = src / table_filename(name)
            if path.exists():
                # read with the canonical schema, so only the keys need checking: converting list
                # columns back through Arrow again (as conform does) doubles the read's time and memory
                schema = arrow_schema(name)
                listed = [f.name for f in schema if pa.types.is_list(f.type)]
                table = pq.read_table(
                    path, schema=schema, columns=None if lists else [n for n in schema.names if n not in listed]
                )
                for col in [] if lists else listed:
                    table = table.append_column(schema.field(col), pa.nulls(table.num_rows, schema.field(col).type))
                frames[name] = table.select(schema.names).to_pandas()
                check_keys(name, frames[name])
            else:
                frames[name] = empty_table(name)
        tables = cls.__new__(cls)
        tables.nodes = {n: frames[n] for n in NODE_LABELS}
        tables.rels = {r: frames[r] for r in REL_TYPES}
        tables.case = read_case(src)
        return tables


def table_filename(name: str) -> str:
    """Return the file name of the canonical table of a label or relationship type (``nodes_Person.parquet``)."""
    check_choice(name, (*NODE_LABELS, *REL_TYPES), param="name", func="table_filename")
    return f"nodes_{name}.parquet" if name in NODE_LABELS else f"edges_{name}.parquet"


def _check_case(case: object, func: str) -> None:
    if case is not None and (not isinstance(case, str) or not case.strip()):
        raise bad_parameter("case", func, "a non-empty str or None", case)


def write_case(directory: str | os.PathLike[str], case: str | None) -> None:
    """Record the case of the canonical tables in `directory` (``case.json``); None removes the record.

    The file is written to a temporary name and renamed. `directory` must exist.

    >>> import tempfile
    >>> d = tempfile.mkdtemp()
    >>> write_case(d, "case-0123456789abcdef"); read_case(d)
    'case-0123456789abcdef'
    """
    check_type(directory, (str, os.PathLike), param="directory", func="write_case", expected="a directory path")
    _check_case(case, "write_case")
    path = Path(directory) / CASE_FILE
    if case is None:
        path.unlink(missing_ok=True)
        return
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps({"case": case}) + "\n", encoding="utf-8")
    tmp.replace(path)


def read_case(directory: str | os.PathLike[str]) -> str | None:
    """Return the case recorded beside the canonical tables in `directory`, or None when none is.

    Raises
    ------
    crimnet.errors.SchemaError
        ``case.json`` is there but does not name a case.
    """
    check_type(directory, (str, os.PathLike), param="directory", func="read_case", expected="a directory path")
    path = Path(directory) / CASE_FILE
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        case = data["case"]
        if not isinstance(case, str) or not case.strip():
            raise ValueError("the case is not a non-empty string")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SchemaError(f'{path}: does not name the tables\' case ({exc}); expected {{"case": "<id>"}}.') from None
    return case
