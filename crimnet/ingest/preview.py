"""Preview a spec on the first rows of a file: records, nodes and relationships, before a full ingest.

:func:`preview` runs the same per-chunk code as :func:`crimnet.ingest.pipeline.ingest`
(normalisers, steps, lists, ``when``, holders, quarantine) on the first `rows` rows of one file,
without resolving people or writing anything, so an analyst sees what a spec does
(``crimnet ingest --preview SPEC FILE``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pandas as pd

from crimnet.errors import check_interval, check_type
from crimnet.ingest.build import Evidence
from crimnet.ingest.pipeline import ChunkRecords, process_chunk
from crimnet.ingest.quarantine import QuarantineLog
from crimnet.ingest.readers import Chunk, iter_chunks, read_header
from crimnet.ingest.specs import SourceSpec, load_spec
from crimnet.schema import REL_TYPES

__all__ = ["preview", "NODE_COLUMNS", "REL_COLUMNS"]

NODE_COLUMNS = ["label", "id", "properties", "record_id"]
"""Columns of the preview's ``nodes``: ``properties`` is a dict of the node's non-empty properties."""
REL_COLUMNS = ["type", "src_label", "src", "dst_label", "dst", "record_id"]
"""Columns of the preview's ``rels``."""


def preview(
    spec: SourceSpec | str | os.PathLike, file: str | os.PathLike | pd.DataFrame, *, rows: int = 10
) -> dict[str, pd.DataFrame]:
    """Run a spec on the first rows of a file and show what it makes of them.

    Parameters
    ----------
    spec : SourceSpec or path
        The spec, or its TOML file.
    file : path or DataFrame
        A CSV or Parquet file the spec reads (its name need not match the spec's patterns), or
        a DataFrame of its columns.
    rows : int, default 10
        How many data rows to read.

    Returns
    -------
    dict of str to DataFrame
        ``records``: one row per loaded row, ``record_id`` and the normalised value of every field
        (a list field's item values joined with ``'; '``); ``nodes``: ``label``, ``id``,
        ``properties`` (dict), ``record_id`` (people have no id before resolution: their id is their
        resolution record id, ``'<record id>#<node>.<n>'`` for list items and couples);
        ``rels``: ``type``, ``src_label``, ``src``, ``dst_label``, ``dst``, ``record_id`` (a person
        end is its resolution record id); ``quarantine``: the rows and fields that would be
        quarantined or dropped (:data:`crimnet.ingest.quarantine.QUARANTINE_COLUMNS`).

    Raises
    ------
    crimnet.errors.SpecError
        The spec is wrong or names a column the file lacks.
    crimnet.errors.IngestError
        The file cannot be read.

    Notes
    -----
    Reads only the first `rows` rows (plus the header): O(rows x fields).

    Examples
    --------
    >>> from crimnet.ingest.specs import parse_spec
    >>> spec = parse_spec('''
    ... [source]
    ... name = "calls"
    ... files = ["calls*.csv"]
    ... record_id = "id"
    ... [fields]
    ... a = { column = "from", kind = "phone" }
    ... b = { column = "to", kind = "phone" }
    ... [nodes]
    ... a = { label = "Phone", id = "a" }
    ... b = { label = "Phone", id = "b" }
    ... [[rels]]
    ... type = "CALLED"
    ... src = "a"
    ... dst = "b"
    ... ''')
    >>> calls = pd.DataFrame({"id": ["c1", "c2"], "from": ["07700 900001", "x"], "to": ["07700 900002"] * 2})
    >>> out = preview(spec, calls)
    >>> out["rels"][["type", "src", "dst", "record_id"]].values.tolist()
    [['CALLED', '+447700900001', '+447700900002', 'c1']]
    >>> out["quarantine"][["row", "field", "action"]].values.tolist()
    [[2, 'from', 'field dropped']]
    """
    func = "preview"
    check_type(spec, (SourceSpec, str, os.PathLike), param="spec", func=func, expected="a SourceSpec or a path")
    check_type(file, (str, os.PathLike, pd.DataFrame), param="file", func=func, expected="a path or a DataFrame")
    check_interval(rows, param="rows", func=func, low=1, closed="left", integer=True)
    if not isinstance(spec, SourceSpec):
        spec = load_spec(Path(spec))
    source: Path | pd.DataFrame = file if isinstance(file, pd.DataFrame) else Path(file)
    name = "<DataFrame>" if isinstance(source, pd.DataFrame) else source.name
    delimiter = _check_header(spec, source, name)
    chunks = iter_chunks(
        source, spec.columns, delimiter=delimiter, encoding=spec.encoding, chunk_rows=rows, max_field_chars=None
    )
    qlog = QuarantineLog()
    chunk = next(chunks, None)
    if chunk is None:
        done = ChunkRecords({}, {}, pd.Series([], dtype="str"), Evidence())
    else:
        if len(chunk.data) > rows:  # a reader may hand over more rows than asked for
            last = int(chunk.rows[rows - 1])
            chunk = Chunk(chunk.data.iloc[:rows], chunk.rows[:rows], [b for b in chunk.bad if b.row <= last])
        done = process_chunk(spec, chunk, qlog, file=name)
    return {
        "records": _records(spec, done),
        "nodes": _nodes(spec, done.evidence),
        "rels": _rels(spec, done.evidence),
        "quarantine": qlog.frame().reset_index(drop=True),
    }


def _check_header(spec: SourceSpec, source: Path | pd.DataFrame, name: str) -> str | None:
    """Check the spec's columns against the file's header; return the CSV delimiter (None otherwise)."""
    if isinstance(source, pd.DataFrame):
        spec.check_columns([str(c) for c in source.columns], file=name)
        return None
    if source.suffix.lower() == ".parquet":
        import pyarrow.parquet as pq

        spec.check_columns(pq.ParquetFile(source).schema_arrow.names, file=name)
        return None
    header, delimiter = read_header(source, delimiter=spec.delimiter, encoding=spec.encoding)
    spec.check_columns(header, file=name)
    return delimiter


def _records(spec: SourceSpec, done: ChunkRecords) -> pd.DataFrame:
    out = pd.DataFrame({"record_id": done.record_ids.to_numpy()})
    for fname, f in spec.fields.items():
        if f.list is None:
            out[fname] = done.values[fname].to_numpy() if fname in done.values else pd.NA
            continue
        frame = done.items.get(f.list)
        if frame is None or fname not in frame:
            out[fname] = pd.NA
            continue
        kept = frame[frame[fname].notna().to_numpy()]
        joined = kept.groupby("row")[fname].agg(lambda s: "; ".join(s.astype(str)))
        out[fname] = joined.reindex(range(len(out))).to_numpy()
    return out


def _strip_source(keys: Any, source: str) -> pd.Series:
    s = pd.Series(keys, dtype="str")
    return s.str.slice(len(source) + 1).where(s.str.startswith(source + ":"), s)


def _nodes(spec: SourceSpec, ev: Evidence) -> pd.DataFrame:
    parts = []
    source = spec.name
    persons = ev.persons
    if len(persons):
        props = persons[["name", "dob", "nationality", "sex", "nino", "holder_rule"]]
        parts.append(
            pd.DataFrame(
                {
                    "label": "Person",
                    "id": persons["record_id"].astype(str).to_numpy(),
                    "properties": _dicts(props),
                    "record_id": _row_ids(persons["record_id"], spec, ev),
                }
            )
        )
    for label, df in ev.nodes.items():
        if not len(df):
            continue
        attrs = df.drop(columns=["id", "source", "record"])
        parts.append(
            pd.DataFrame(
                {
                    "label": label,
                    "id": df["id"].astype(str).to_numpy(),
                    "properties": _dicts(attrs),
                    "record_id": _strip_source(df["record"].to_numpy(), source).to_numpy(),
                }
            )
        )
    if not parts:
        return pd.DataFrame(columns=NODE_COLUMNS)
    return pd.concat(parts, ignore_index=True).reindex(columns=NODE_COLUMNS)


def _row_ids(record_ids: pd.Series, spec: SourceSpec, ev: Evidence) -> Any:
    """The row record id of each person record (its ``'#<node>'``/``'#<node>.<n>'`` suffix dropped)."""
    from crimnet.ingest.build import person_row_keys

    keys = person_row_keys(pd.DataFrame({"source": spec.name, "record_id": record_ids.to_numpy()}), ev.person_nodes)
    return _strip_source(keys.to_numpy(), spec.name).to_numpy()


def _dicts(df: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: v for k, v in row.items() if not pd.isna(v)} for row in df.to_dict("records")]


def _rels(spec: SourceSpec, ev: Evidence) -> pd.DataFrame:
    parts = []
    source = spec.name
    for rtype, df in [*ev.pairs.items(), *ev.events.items()]:
        if not len(df):
            continue
        rt = REL_TYPES[rtype]
        ends = {}
        for end, label in (("src", rt.src), ("dst", rt.dst)):
            ends[end] = _strip_source(df[end].to_numpy(), source) if label == "Person" else df[end].astype(str)
        parts.append(
            pd.DataFrame(
                {
                    "type": rtype,
                    "src_label": rt.src,
                    "src": ends["src"].to_numpy(),
                    "dst_label": rt.dst,
                    "dst": ends["dst"].to_numpy(),
                    "record_id": _strip_source(df["record"].to_numpy(), source).to_numpy(),
                }
            )
        )
    if not parts:
        return pd.DataFrame(columns=REL_COLUMNS)
    return pd.concat(parts, ignore_index=True).reindex(columns=REL_COLUMNS)
