"""The public ingest: source files -> normalised records -> resolved people -> canonical tables.

:func:`ingest` reads every source (CSV, Parquet or DataFrames) in chunks through
its spec (:mod:`crimnet.ingest.specs`), normalises each field
(:mod:`crimnet.ingest.normalise`), quarantines what cannot be loaded
(:mod:`crimnet.ingest.quarantine`), optionally pseudonymises identifiers,
resolves person records into people (:mod:`crimnet.ingest.resolve`) and builds
the canonical tables (:mod:`crimnet.ingest.build`). Output is written
atomically under one directory::

    out/
      tables/               canonical Parquet tables (CanonicalTables.write)
      resolution.parquet    source, record_id, entity_id, match_weight, rule, linked_to, via
      records.parquet       the normalised person records (for the next batch's resolution)
      evidence/             compact per-record evidence (for merging the next batch)
      quarantine.csv        source, file, row, field, value, reason, action, sha256
      summary.csv           per source file: rows read, loaded, quarantined..., sha256, warnings
      warnings.csv          source, file, field, check, share, message: values wrong as a class
      address_variants.csv  address_id, canonical_id, rule, mentions: Address ids merged into one place
      business_names.csv    name_id, business_id, rule, mentions: businesses known by name joined to a company
      ingest.json           parameters, spec names, whether identifiers are pseudonymised, the case

Every output belongs to a case (``ingest.json``'s ``case``, also ``tables/case.json``, see
:attr:`crimnet.tables.CanonicalTables.case`): an ingest without ``previous`` starts one, named by
the content of its sources (``'case-'`` + 16 hex characters of a SHA-256 over every source's spec
name and content hash, so ingesting the same files again names the same case); a batch with
``previous`` keeps the previous output's case. People's entity ids are namespaced by the case
(:func:`crimnet.ingest.resolve.resolve_people`'s ``case``), so two cases never share a person id.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from crimnet.errors import (
    IngestError,
    ParameterError,
    SpecError,
    bad_parameter,
    check_choice,
    check_interval,
    check_type,
)
from crimnet.frames import restore_formulas, write_csv
from crimnet.ingest.build import PERSON_RECORD_COLUMNS, Evidence, EvidenceSpill, extract, lazy_tables, write_tables
from crimnet.ingest.quality import WARNING_COLUMNS, QualityProfile
from crimnet.ingest.quarantine import (
    FIELD_DROPPED,
    FILE_QUARANTINED,
    QUARANTINE_COLUMNS,
    ROW_QUARANTINED,
    QuarantineLog,
    empty_quarantine,
    withhold_values,
)
from crimnet.ingest.readers import DEFAULT_CHUNK_ROWS, DEFAULT_MAX_FIELD_CHARS, iter_chunks, read_header
from crimnet.ingest.resolve_addresses import ADDRESS_VARIANT_COLUMNS, AddressVariants, address_variants
from crimnet.ingest.resolve_businesses import BUSINESS_NAME_COLUMNS, BusinessNames, business_names
from crimnet.ingest.resolve_rules import explain_links
from crimnet.ingest.specs import FieldSpec, SourceSpec, load_specs, match_spec
from crimnet.ingest.transforms import apply_steps, explode_list
from crimnet.outputs import check_replaceable, swap_in
from crimnet.tables import CanonicalTables, write_case

__all__ = ["IngestResult", "ChunkRecords", "ingest", "process_chunk", "SUMMARY_COLUMNS", "RESOLUTION_COLUMNS"]

_FUNC = "ingest"
SUMMARY_COLUMNS = [
    "source", "file", "rows_read", "rows_loaded", "rows_quarantined", "fields_dropped", "person_records",
    "person_entities", "sha256", "warnings",
]  # fmt: skip
"""Columns of the summary table (one row per source file; ``sha256`` of the file's content; ``warnings``
the number of quality warnings about the file, listed in ``warnings.csv``: :mod:`crimnet.ingest.quality`)."""
_COUNT_COLUMNS = SUMMARY_COLUMNS[2:8]
RESOLUTION_COLUMNS = ["source", "record_id", "entity_id", "match_weight", "rule", "linked_to", "via"]
"""Columns of the resolution table: ``linked_to`` is the record a record was linked to by its strongest
kept link and ``via`` the shared neighbours of a relational link (:mod:`crimnet.ingest.resolve_relational`)."""
_STAGES = ("read", "normalise", "resolve", "build", "write")


class _Clock:
    """Seconds per stage, accumulated over the stage's (possibly interleaved) spells; tells `on_stage` of each."""

    def __init__(self, on_stage: Callable[[str], object] | None = None) -> None:
        self.timings = dict.fromkeys(_STAGES, 0.0)
        self._stage = ""
        self._t0 = 0.0
        self._on_stage = on_stage

    def start(self, stage: str) -> None:
        self.stop()
        self._stage, self._t0 = stage, time.perf_counter()
        if self._on_stage is not None:
            self._on_stage(stage)

    def stop(self) -> None:
        if not self._stage:
            return
        self.timings[self._stage] += time.perf_counter() - self._t0
        self._stage = ""
        if self._on_stage is not None:
            self._on_stage("")


@dataclass
class IngestResult:
    """What :func:`ingest` produced (and wrote under `out`).

    Attributes
    ----------
    tables : CanonicalTables
        The canonical node and relationship tables (all batches so far), read from
        ``out/tables`` when first used (ingest writes them one at a time and never holds them
        all: a million-person case's tables take several GiB as DataFrames).
    resolution : DataFrame
        ``source``, ``record_id`` (str), ``entity_id`` (str), ``match_weight``
        (float64), ``rule`` (str): why each person record became its person.
    quarantine : DataFrame
        Columns of :data:`crimnet.ingest.quarantine.QUARANTINE_COLUMNS`.
    summary : DataFrame
        :data:`SUMMARY_COLUMNS`, one row per source file of every batch so far: ``source``,
        ``file`` (base name; ``'<DataFrame name>'`` for an in-memory source), the counts
        (int64) ``rows_read == rows_loaded + rows_quarantined``, ``fields_dropped``,
        ``person_records``, ``person_entities``, and ``sha256`` (str: SHA-256 of the file's
        bytes, or of an in-memory source's column names and row hashes; ``''`` for rows of
        outputs written before the column existed).
    out : Path
        The output directory.
    timings : dict of str to float
        Seconds spent per stage (read, normalise, resolve, build, write) in this call; build
        includes writing the canonical tables.
    counts : dict of str to int
        Rows per canonical table (as ``tables.counts()``, without reading the tables).
    case : str or None
        The case of the output (see the module's notes); None only for a result built by hand.
    warnings : DataFrame
        This batch's quality warnings (:data:`crimnet.ingest.quality.WARNING_COLUMNS`): per source
        file and field, values that look wrong as a class (also ``warnings.csv``).
    address_variants : DataFrame
        Address ids merged into the id of their place (every batch so far), with the rule
        (:func:`crimnet.ingest.resolve_addresses.address_variants`; also ``address_variants.csv``,
        their number in ``ingest.json``).
    business_names : DataFrame
        Businesses known by name joined to the company registered under that name (every batch so
        far; :func:`crimnet.ingest.resolve_businesses.business_names`; also ``business_names.csv``).
    """

    resolution: pd.DataFrame
    quarantine: pd.DataFrame
    summary: pd.DataFrame
    out: Path
    timings: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    case: str | None = None
    warnings: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=WARNING_COLUMNS))
    address_variants: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=ADDRESS_VARIANT_COLUMNS))
    business_names: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=BUSINESS_NAME_COLUMNS))

    @cached_property
    def tables(self) -> CanonicalTables:
        """The canonical tables, read (and checked) from ``out/tables`` on first use."""
        return CanonicalTables.read(self.out / "tables")


@dataclass
class _Input:
    spec: SourceSpec
    source: Path | pd.DataFrame
    file: str
    sha256: str = ""


def _content_hash(source: Path | pd.DataFrame) -> str:
    """SHA-256 of a file's bytes, or of a DataFrame's column names and per-row hashes (hex)."""
    if isinstance(source, Path):
        with source.open("rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()
    h = hashlib.sha256(json.dumps([str(c) for c in source.columns]).encode())
    h.update(pd.util.hash_pandas_object(source, index=False).to_numpy(np.uint64).tobytes())
    return h.hexdigest()


def _collect_inputs(
    sources: str | Path | Sequence[str | Path] | Mapping[str, pd.DataFrame], specs: list[SourceSpec]
) -> list[_Input]:
    by_name = {s.name: s for s in specs}
    inputs: list[_Input] = []
    if isinstance(sources, Mapping):
        for key, df in sources.items():
            check_type(df, pd.DataFrame, param="sources", func=_FUNC, expected="a mapping of source name to DataFrame")
            spec = by_name.get(str(key)) or match_spec(str(key), specs)
            if spec is None:
                raise SpecError(f"No spec for DataFrame source {key!r}; name it after a spec ({sorted(by_name)}).")
            inputs.append(_Input(spec, df, f"<DataFrame {key}>"))
        return inputs
    items = [sources] if isinstance(sources, (str, Path)) else list(sources)
    if not items:
        raise ParameterError(
            f"The 'sources' parameter of {_FUNC} must name at least one file or directory. Got [] instead."
        )
    for item in items:
        check_type(
            item, (str, Path), param="sources", func=_FUNC, expected="paths, a directory or a mapping of DataFrames"
        )
        p = Path(item)
        if p.is_dir():
            found = [f for f in sorted(p.iterdir()) if f.is_file() and match_spec(f, specs) is not None]
            if not found:
                raise IngestError(f"{p}: no file matches a spec ({', '.join(s.name for s in specs)}).")
            inputs.extend(_Input(match_spec(f, specs), f, f.name) for f in found)  # type: ignore[arg-type]
        elif p.is_file():
            spec = match_spec(p, specs)
            if spec is None:
                raise SpecError(f"{p.name}: no spec matches this file; pass one with specs= (--spec).")
            inputs.append(_Input(spec, p, p.name))
        else:
            raise IngestError(f"{p}: no such file or directory.")
    return inputs


def _normalise_field(f: FieldSpec, raw: pd.Series) -> pd.DataFrame:
    """Run the field's normaliser; returns ``value`` and ``error`` on raw's index."""
    from crimnet.ingest.normalise import NORMALISERS, normalise

    if f.kind not in NORMALISERS and f.kind in ("integer", "float"):
        num = pd.to_numeric(raw.str.replace(",", "", regex=False), errors="coerce")
        bad = raw.notna() & num.isna()
        if f.kind == "integer":
            bad |= num.notna() & (num != np.floor(num.fillna(0)))
        value = num.where(~bad).astype("str").where(~bad & num.notna())
        what = "a whole number" if f.kind == "integer" else "a number"
        error = pd.Series(pd.NA, index=raw.index, dtype="str")
        error[bad] = (_quote(raw[bad]) + f" is not {what}").to_numpy()
        return pd.DataFrame({"value": value, "error": error})

    res = normalise(f.kind, raw, **f.options)
    return pd.DataFrame({"value": res["value"], "error": res["error"]}, index=raw.index)


def _raw_field(f: FieldSpec, data: pd.DataFrame) -> pd.Series:
    """The raw text of a (row) field: its column(s) joined, then its steps applied (split/part is the first)."""
    if len(f.columns) == 1:
        raw = data[f.columns[0]]
    else:
        raw = data[f.columns[0]].fillna("").astype(str)
        for col in f.columns[1:]:
            raw = raw + f.sep + data[col].fillna("").astype(str)
        raw = raw.str.strip().replace("", pd.NA).astype("str")
    return apply_steps(raw, f.steps) if f.steps else raw


def _list_items(
    spec: SourceSpec, data: pd.DataFrame, rows: np.ndarray, stats: _SourceStats
) -> tuple[dict[str, pd.DataFrame], list[tuple[str, np.ndarray, Any, Any]]]:
    """Explode the list cells of a chunk and normalise the list fields per item.

    Returns per list the item frame (``row``, ``n``, one column per list field; a value that cannot
    be normalised is NA) and the item problems: ``(field label, item row positions, values,
    reasons)`` for items that do not match the item pattern or whose value cannot be normalised
    (quarantined field by field as ``'field dropped'`` once the chunk's rejected rows are known).
    """
    items: dict[str, pd.DataFrame] = {}
    problems: list[tuple[str, np.ndarray, Any, Any]] = []
    for lst in spec.lists.values():
        lfields = [f for f in spec.fields.values() if f.list == lst.name]
        if not lfields:
            continue
        exploded = explode_list(data[lst.column], lst)
        frame = exploded[["row", "n"]].copy()
        unmatched = ~exploded["matched"].to_numpy(bool)
        if unmatched.any():
            bad = exploded["item"][unmatched]
            problems.append(
                (
                    lst.column,
                    exploded["row"].to_numpy()[unmatched],
                    bad.to_numpy(),
                    (
                        f"list {lst.name!r}: item "
                        + _quote(bad)
                        + f" does not match the item pattern {lst.item!r}; the item is dropped"
                    ).to_numpy(),
                )
            )
        for f in lfields:
            raw = exploded[f.group] if f.group else exploded["item"].where(exploded["matched"])
            raw = apply_steps(raw.astype("str"), f.steps) if f.steps else raw.astype("str")
            res = _normalise_field(f, raw)
            stats.quality.add(f.name, f.kind, raw, res["value"], sparse=f.sparse)
            err = res["error"].notna().to_numpy()
            if err.any():
                problems.append(
                    (
                        f.label,
                        exploded["row"].to_numpy()[err],
                        raw[err].to_numpy(),
                        res["error"][err].astype(str).to_numpy(),
                    )
                )
            frame[f.name] = res["value"].where(~err).astype("str").to_numpy()
        items[lst.name] = frame
    return items, problems


def _quote(s: pd.Series) -> pd.Series:
    return s.astype(str).map(repr)


class _SeenIds:
    """Record ids seen so far in one source, as a sorted array of 64-bit hashes (not Python strings).

    Two different ids share a hash with probability about n^2 / 2^65 (1e-6 for 6 million ids);
    such a row would be quarantined as a duplicate, never silently dropped.
    """

    def __init__(self) -> None:
        self._hashes = np.zeros(0, dtype=np.uint64)

    @staticmethod
    def _hash(ids: pd.Series) -> np.ndarray:
        return pd.util.hash_pandas_object(ids.astype("str"), index=False).to_numpy(np.uint64)

    def contains(self, ids: pd.Series) -> np.ndarray:
        if not len(self._hashes) or not len(ids):
            return np.zeros(len(ids), dtype=bool)
        h = self._hash(ids)
        pos = np.minimum(np.searchsorted(self._hashes, h), len(self._hashes) - 1)
        return self._hashes[pos] == h

    def add(self, ids: pd.Series) -> None:
        if len(ids):
            merged = np.concatenate([self._hashes, np.sort(self._hash(ids))])
            self._hashes = np.sort(merged, kind="stable")  # two sorted runs: a linear merge


class _SourceStats:
    def __init__(self) -> None:
        self.read = self.loaded = self.quarantined = self.dropped = 0
        self.quality = QualityProfile()


@dataclass
class ChunkRecords:
    """What one chunk of a source became: the loaded rows' normalised values and their evidence.

    Attributes
    ----------
    values : dict of str to Series
        Normalised values of every row field (not list fields), on the loaded rows' index.
    items : dict of str to DataFrame
        Per ``[lists]`` entry: one row per item of a loaded row, ``row`` (position among the loaded
        rows), ``n`` (1-based item number) and one column per list field.
    record_ids : Series of str
        The loaded rows' record ids.
    evidence : Evidence
        What :func:`crimnet.ingest.build.extract` made of them.
    """

    values: dict[str, pd.Series]
    items: dict[str, pd.DataFrame]
    record_ids: pd.Series
    evidence: Evidence


def _process_chunk(
    inp: _Input,
    chunk: Any,
    seen_ids: _SeenIds,
    qlog: QuarantineLog,
    stats: _SourceStats,
    pseudonymise_key: bytes | None,
) -> Evidence:
    return process_chunk(
        inp.spec, chunk, qlog, file=inp.file, sha256=inp.sha256, pseudonymise_key=pseudonymise_key,
        seen_ids=seen_ids, stats=stats,
    ).evidence  # fmt: skip


def process_chunk(
    spec: SourceSpec,
    chunk: Any,
    qlog: QuarantineLog,
    *,
    file: str = "",
    sha256: str = "",
    pseudonymise_key: bytes | None = None,
    seen_ids: Any = None,
    stats: Any = None,
) -> ChunkRecords:
    """Normalise one chunk of a source through its spec, quarantine what cannot load, extract evidence.

    Parameters
    ----------
    spec : SourceSpec
    chunk : crimnet.ingest.readers.Chunk
        Rows read by :func:`crimnet.ingest.readers.iter_chunks`.
    qlog : QuarantineLog
        Where rejected rows and dropped fields (and list items) are logged.
    file, sha256 : str
        The source file's name and content hash, for the quarantine.
    pseudonymise_key : bytes or None
        See :func:`ingest`.
    seen_ids, stats : optional
        The source's record ids seen in earlier chunks and its running counts (ingest passes its
        own; fresh ones by default, as for a single chunk).

    Returns
    -------
    ChunkRecords

    Notes
    -----
    Vectorised per field and per list; O(rows + items) per field.
    """
    check_type(spec, SourceSpec, param="spec", func="process_chunk", expected="a SourceSpec")
    seen_ids = _SeenIds() if seen_ids is None else seen_ids
    stats = _SourceStats() if stats is None else stats
    data, rows = chunk.data, chunk.rows

    def reject(at: Any, field: str, values: Any, reasons: Any, action: str) -> None:
        """Quarantine rows `at` of this chunk's file (one field's problem, or whole rows)."""
        qlog.add(
            source=spec.name, file=file, rows=at, field=field, values=values, reasons=reasons, action=action,
            sha256=sha256,
        )  # fmt: skip

    n = len(data)
    stats.read += n + sum(1 for b in chunk.bad if not b.field)
    # Malformed lines: never in `data`.
    malformed = [b for b in chunk.bad if not b.field]
    if malformed:
        reject(
            [b.row for b in malformed],
            "",
            [b.value for b in malformed],
            [b.reason for b in malformed],
            ROW_QUARANTINED,
        )
        stats.quarantined += len(malformed)
    bad_row = np.zeros(n, dtype=bool)
    decode = [b for b in chunk.bad if b.field]
    if decode:
        pos = np.searchsorted(rows, [b.row for b in decode])
        bad_row[pos] = True
        for b in decode:
            reject(
                [b.row],
                b.field,
                [b.value],
                [b.reason],
                ROW_QUARANTINED,
            )
    rid = data[spec.record_id]
    missing = rid.isna().to_numpy()
    if missing.any():
        reject(
            rows[missing],
            spec.record_id,
            [""] * int(missing.sum()),
            "record id is missing (every row needs one)",
            ROW_QUARANTINED,
        )
        bad_row |= missing
    dup = (rid.duplicated().to_numpy() | seen_ids.contains(rid)) & ~missing
    if dup.any():
        reject(
            rows[dup],
            spec.record_id,
            rid[dup],
            (_quote(rid[dup]) + " is a duplicate record id (an earlier row has it)").to_numpy(),
            ROW_QUARANTINED,
        )
        bad_row |= dup
    values: dict[str, pd.Series] = {}
    problems: list[tuple[FieldSpec, pd.Series, np.ndarray, pd.Series]] = []
    for f in spec.fields.values():
        if f.list is not None:
            continue
        raw = _raw_field(f, data)
        res = _normalise_field(f, raw)
        stats.quality.add(f.name, f.kind, raw, res["value"], sparse=f.sparse)
        err = res["error"].notna().to_numpy()
        if f.required:
            miss = raw.isna().to_numpy()
            if miss.any():
                reject(
                    rows[miss & ~missing],
                    f.label,
                    [""] * int((miss & ~missing).sum()),
                    "required field is missing",
                    ROW_QUARANTINED,
                )
                bad_row |= miss
            if err.any():
                reject(
                    rows[err],
                    f.label,
                    raw[err],
                    res["error"][err].astype(str).to_numpy(),
                    ROW_QUARANTINED,
                )
                bad_row |= err
        elif err.any():
            problems.append((f, raw, err, res["error"]))
        values[f.name] = res["value"].where(~err).astype("str") if err.any() else res["value"].astype("str")
    items, item_problems = _list_items(spec, data, rows, stats)
    ok = ~bad_row
    for f, raw, err, errors in problems:
        sel = err & ok
        if sel.any():
            reject(
                rows[sel],
                f.label,
                raw[sel],
                errors[sel].astype(str).to_numpy(),
                FIELD_DROPPED,
            )
            stats.dropped += int(sel.sum())
    for label, at, bad_values, reasons in item_problems:  # one entry per item, on the item's row
        sel = ok[at]
        if sel.any():
            reject(rows[at[sel]], label, bad_values[sel], reasons[sel], FIELD_DROPPED)
            stats.dropped += int(sel.sum())
    stats.quarantined += int(bad_row.sum())
    stats.loaded += int(ok.sum())
    seen_ids.add(rid[~missing])
    keep_vals = {k: v[ok] for k, v in values.items()}
    new_pos = np.cumsum(ok) - 1  # a kept row's position among the kept rows
    keep_items = {}
    for lname, frame in items.items():
        frame = frame[ok[frame["row"].to_numpy()]].reset_index(drop=True)
        keep_items[lname] = frame.assign(row=new_pos[frame["row"].to_numpy()])
    record_ids = rid[ok].astype("str")
    if not ok.any():
        return ChunkRecords(keep_vals, keep_items, record_ids, Evidence())
    ev = extract(spec, keep_vals, record_ids, pseudonymise_key=pseudonymise_key, items=keep_items)
    return ChunkRecords(keep_vals, keep_items, record_ids, ev)


_UNREADABLE = (IngestError, OSError, pa.ArrowException, UnicodeError)
"""What reading a source file raises when the file itself cannot be read (not a spec's or crimnet's fault)."""


def _open_source(inp: _Input) -> str | None:
    """Read the header (or schema) of a source, check the spec's columns; return the CSV delimiter (None otherwise)."""
    if isinstance(inp.source, Path) and inp.source.suffix.lower() != ".parquet":
        header, delim = read_header(inp.source, delimiter=inp.spec.delimiter, encoding=inp.spec.encoding)
        inp.spec.check_columns(header, file=inp.file)
        return delim
    if isinstance(inp.source, Path):
        import pyarrow.parquet as pq

        inp.spec.check_columns(pq.ParquetFile(inp.source).schema_arrow.names, file=inp.file)
        return None
    inp.spec.check_columns([str(c) for c in inp.source.columns], file=inp.file)
    return None


def _quarantine_file(
    inp: _Input, exc: BaseException, qlog: QuarantineLog, stats: _SourceStats, *, from_row: int
) -> None:
    """Quarantine a file that cannot be read (from `from_row` on: 0 for the whole file) with the reason."""
    reason = str(exc) if isinstance(exc, IngestError) else f"{inp.file}: cannot read ({type(exc).__name__}: {exc})"
    if from_row > 0:
        reason = f"the rest of the file from data row {from_row} cannot be read: {reason}"
    qlog.add(
        source=inp.spec.name, file=inp.file, rows=[from_row], field="", values=[""], reasons=[reason],
        action=FILE_QUARANTINED, sha256=inp.sha256,
    )  # fmt: skip


def _remove_stale_work(out: Path) -> list[Path]:
    """Remove the spill and staging folders (``.<out>.spill-<pid>-*``, ``.<out>.tmp-<pid>``) of killed ingests.

    Only crimnet's own folders, by name, and only those whose process is gone (no process has the pid
    the name records, this machine); folders of live processes and of this one are kept.
    """
    removed: list[Path] = []
    if not out.parent.is_dir():
        return removed
    pattern = re.compile(rf"^\.{re.escape(out.name)}\.(?:spill|tmp)-(\d+)(?:-.*)?$")
    for p in out.parent.iterdir():
        m = pattern.match(p.name)
        if m is None or not p.is_dir() or p.is_symlink():
            continue
        pid = int(m.group(1))
        if pid == os.getpid() or _alive(pid):
            continue
        shutil.rmtree(p, ignore_errors=True)
        removed.append(p)
    return removed


def _alive(pid: int) -> bool:
    """Whether a process with this id exists on this machine (one of another user counts as alive)."""
    if pid <= 0:
        return True  # not a process id crimnet wrote: leave the folder alone
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True
    return True


def _progress(enabled: bool) -> Any:
    if not enabled:
        return nullcontext(None)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        transient=False,
    )


def _key_fingerprint(key: bytes | None) -> str | None:
    return None if key is None else hashlib.sha256(b"crimnet-ingest-key-check:" + key).hexdigest()[:16]


def ingest(
    sources: str | Path | Sequence[str | Path] | Mapping[str, pd.DataFrame],
    out: str | Path,
    *,
    specs: str | Path | Sequence[str | Path] | None = None,
    previous: str | Path | None = None,
    pseudonymise_key: bytes | None = None,
    threshold: float | None = None,
    progress: bool = False,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    on_stage: Callable[[str], object] | None = None,
    max_field_chars: int | None = DEFAULT_MAX_FIELD_CHARS,
    match_level: str | None = None,
) -> IngestResult:
    """Ingest agency extracts into canonical tables, resolving people and quarantining bad rows.

    Parameters
    ----------
    sources : path, sequence of paths, or mapping of source name to DataFrame
        Source files (CSV or ``*.parquet``), directories (every file in them
        matching a spec's ``files`` patterns; other files are ignored), or
        DataFrames keyed by spec name.
    out : path
        Output directory: a new or empty directory, or an earlier ingest
        output (holding ``ingest.json``), which is replaced as a whole,
        atomically (a failed ingest leaves it as it was). Any other non-empty
        directory, or one holding a source, is refused before anything is
        read.
    specs : path, sequence of paths, or None
        Spec files or directories of ``*.toml``; None uses the specs shipped in
        ``crimnet/ingest/specs`` (one per generated source).
    previous : path or None
        An earlier ingest output to merge with: the new output holds the union
        of both batches (a record ingested again replaces its earlier version),
        people already known keep their entity ids, and the output keeps the
        previous output's case. Without it the ingest starts a case named by
        its sources' content (see the module's notes).
    pseudonymise_key : bytes or None
        If given, names, phones, account ids, NINOs and registrations are
        replaced by keyed HMAC tokens after normalisation and before
        resolution (see :mod:`crimnet.ingest.pseudonymise`). A `previous`
        output must have been made with the same key. The quarantine then
        keeps source, file, row, field, action and the kind of problem, but
        its raw values, malformed lines and the values quoted in reasons
        become ``'raw_<32 hex>'`` tokens of the same keyed HMAC
        (:func:`crimnet.ingest.quarantine.withhold_values`).
    threshold : float or None
        Match probability threshold of entity resolution in (0, 1); None uses
        the match level's.
    progress : bool, default False
        Show a rich progress bar.
    chunk_rows : int, default 200_000
        Rows read and normalised at a time (bounds memory for large files).
    on_stage : callable, optional
        Called (in the ingesting thread) with a stage's name (``'read'``, ``'normalise'``,
        ``'resolve'``, ``'build'``, ``'write'``) each time the ingest enters it, and with ``''``
        when it leaves it, so that a profiler sampling from another thread can attribute
        memory and CPU time to stages (``benchmarks/bench_ingest.py`` does). Stages
        alternate (read and normalise once per chunk).
    max_field_chars : int or None, default 65_536
        Characters a cell may hold (:data:`crimnet.ingest.readers.DEFAULT_MAX_FIELD_CHARS`); a row
        with a longer cell is quarantined with the reason. None sets no limit.
    match_level : {'strict', 'balanced', 'inclusive'} or None
        How much evidence merges two person records (:data:`crimnet.ingest.resolve.MATCH_LEVELS`);
        None uses the resolver's default level.

    Returns
    -------
    IngestResult
        Tables, resolution, quarantine and summary, also written under `out`.

    Raises
    ------
    crimnet.errors.SpecError
        A spec is wrong, names a column the file lacks, or no spec matches a file.
    crimnet.errors.IngestError
        `previous` is not an ingest output (or
        was made with another pseudonymisation key, or a file of it is missing
        or corrupt); `out` is a file, a non-empty directory that is not an
        ingest output, or holds a source; or `out` is missing while an earlier
        ingest's interrupted swap left its old output beside it.
    crimnet.errors.ParameterError
        Bad parameter values.

    Notes
    -----
    A source file that cannot be read at all (empty, not CSV or Parquet, unreadable) does not stop
    the others: it gets one quarantine entry (row 0, action ``'file quarantined'``, the reason) and a
    summary row of zeros; a file that fails part-way keeps the rows read before and gets one such
    entry at the first row that could not be read (rows after it are not counted: they could not be
    read). A header-only file is read as zero rows. Stale ``.<out>.spill-<pid>-*`` and
    ``.<out>.tmp-<pid>`` folders that killed ingests into the same `out` left beside it are removed
    first (only when no process with that pid runs).
    Rows are numbered from 1 (the header is row 0). Each source file is read
    once more, in blocks, for its SHA-256 (the ``sha256`` of summary and
    quarantine): merging a batch replaces an earlier batch's summary and
    quarantine rows only where it ingests the very same content again, so
    monthly extracts that keep their file names keep every month's rows.
    Reading and normalising stream in chunks: memory holds one chunk of raw rows, the person records
    (Arrow strings) and a 64-bit hash per record id; every other evidence row is
    spilled to Parquet beside `out` (removed at the end) and read back one table
    at a time while building. Resolution is O(n log n) in person records, with
    DuckDB (Splink's engine) capped at
    :data:`crimnet.ingest.duckdb_connection.DUCKDB_MEMORY_LIMIT` and spilling to disk past
    it; building sorts the evidence, O(m log m), and holds the finished tables
    plus one table's evidence. The 1M-person generated case (11M rows) ingests
    in about 5.4 minutes with a peak RSS of about 7.0 GiB on 2 cores
    (benchmarks/results/ingest.md).

    Examples
    --------
    >>> import tempfile
    >>> calls = pd.DataFrame({"cdr_id": ["c1", "c2", "c3"],
    ...                       "calling_number": ["447700900001", "447700900002", "not a phone"],
    ...                       "called_number": ["447700900002", "447700900001", "447700900001"],
    ...                       "call_start": ["2025-03-01T22:14:05Z"] * 3, "duration_sec": ["60", "5", "7"]})
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     res = ingest({"call_records": calls}, Path(tmp) / "out")
    ...     called = res.tables.rels["CALLED"]  # read from out/tables on first use
    >>> len(called), res.counts["CALLED"], res.summary[["rows_read", "rows_loaded", "rows_quarantined"]].values.tolist()
    (2, 2, [[3, 2, 1]])
    """
    check_type(
        sources,
        (str, Path, Mapping, Iterable),
        param="sources",
        func=_FUNC,
        expected="a path, a sequence of paths or a mapping of source name to DataFrame",
    )
    check_type(out, (str, Path), param="out", func=_FUNC, expected="a path")
    if pseudonymise_key is not None:
        check_type(pseudonymise_key, bytes, param="pseudonymise_key", func=_FUNC, expected="bytes or None")
        if len(pseudonymise_key) < 16:
            raise ParameterError(
                f"The 'pseudonymise_key' parameter of {_FUNC} must be at least 16 bytes. "
                f"Got {len(pseudonymise_key)} bytes instead."
            )
    if threshold is not None:
        check_interval(threshold, param="threshold", func=_FUNC, low=0, high=1)
    if match_level is not None:
        from crimnet.ingest.resolve import MATCH_LEVELS

        check_choice(match_level, tuple(MATCH_LEVELS), param="match_level", func=_FUNC)
    check_type(progress, bool, param="progress", func=_FUNC, expected="a bool")
    check_interval(chunk_rows, param="chunk_rows", func=_FUNC, low=1, closed="left", integer=True)
    if max_field_chars is not None:
        check_interval(max_field_chars, param="max_field_chars", func=_FUNC, low=1, closed="left", integer=True)
    if on_stage is not None and not callable(on_stage):
        raise bad_parameter("on_stage", _FUNC, "a callable or None", on_stage)
    out = Path(out)
    if not isinstance(sources, (str, Path, Mapping)) and isinstance(sources, Iterable):
        sources = list(sources)
    _check_out(out, sources)
    spec_list = load_specs(specs)
    inputs = _collect_inputs(sources, spec_list)
    clock = _Clock(on_stage)

    prev = _read_previous(previous, pseudonymise_key) if previous is not None else None

    # Read, normalise, extract: one chunk at a time; evidence other than person records goes to disk.
    out.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_work(out)  # what killed ingests into this `out` left (their process is gone)
    # the pid in the name tells a later ingest whether this folder's owner is still running
    spill_dir = Path(tempfile.mkdtemp(prefix=f".{out.name}.spill-{os.getpid()}-", dir=out.parent))
    tmp = out.parent / f".{out.name}.tmp-{os.getpid()}"  # the new output, swapped in at the end
    try:
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        return _ingest(
            inputs, out, tmp, spill_dir, clock=clock, prev=prev, pseudonymise_key=pseudonymise_key,
            threshold=threshold, progress=progress, chunk_rows=chunk_rows, max_field_chars=max_field_chars,
            match_level=match_level,
        )  # fmt: skip
    finally:
        clock.stop()  # a failed stage ends too (its time is not reported)
        shutil.rmtree(spill_dir, ignore_errors=True)
        shutil.rmtree(tmp, ignore_errors=True)


def _check_out(out: Path, sources: Any) -> None:
    """Refuse an `out` whose replacement would delete anything but an earlier ingest output.

    Runs before any file is read: `out` must be missing, empty, or an earlier ingest output
    (it holds ``ingest.json``), and no source path may lie inside it. An earlier ingest
    interrupted between renaming its old output away and moving its new one in leaves
    ``.<out>.old-<pid>`` beside a missing `out`; that is reported, never ignored.
    """
    target = out.resolve()
    items = [] if isinstance(sources, Mapping) else [sources] if isinstance(sources, (str, Path)) else sources
    for item in items:
        if isinstance(item, (str, Path)):
            p = Path(item).resolve()
            if p == target or target in p.parents:
                raise IngestError(
                    f"{item}: lies inside the output directory {out}, which ingest replaces (deleting what is in "
                    "it); write the output to another directory."
                )
    check_replaceable(out, marker="ingest.json", process="ingest", error=IngestError)


def _ingest(
    inputs: list[_Input],
    out: Path,
    tmp: Path,
    spill_dir: Path,
    *,
    clock: _Clock,
    prev: dict | None,
    pseudonymise_key: bytes | None,
    threshold: float | None,
    progress: bool,
    chunk_rows: int,
    max_field_chars: int | None = DEFAULT_MAX_FIELD_CHARS,
    match_level: str | None = None,
) -> IngestResult:
    timings = clock.timings
    spill = EvidenceSpill(spill_dir)
    qlog = QuarantineLog()
    stats_rows = []
    batch_warnings = [pd.DataFrame(columns=WARNING_COLUMNS)]
    seen: dict[str, _SeenIds] = {}
    with _progress(progress) as bar:
        for inp in inputs:
            task = bar.add_task(f"{inp.file}", total=None) if bar else None
            stats = _SourceStats()
            n_persons = 0
            chunks: Iterator[Any]
            try:  # a file that cannot be read at all is quarantined as a whole; the other files ingest
                delim = _open_source(inp)
                clock.start("read")
                inp.sha256 = _content_hash(inp.source)
                clock.stop()
            except _UNREADABLE as exc:
                clock.stop()
                try:
                    inp.sha256 = inp.sha256 or _content_hash(inp.source)
                except OSError:
                    pass  # unreadable bytes: no hash
                _quarantine_file(inp, exc, qlog, stats, from_row=0)
                chunks = iter(())
            else:
                chunks = iter_chunks(
                    inp.source, inp.spec.columns, delimiter=delim, encoding=inp.spec.encoding, chunk_rows=chunk_rows,
                    max_field_chars=max_field_chars,
                )  # fmt: skip
            seen_ids = seen.setdefault(inp.spec.name, _SeenIds())
            while True:
                clock.start("read")
                try:
                    chunk = next(chunks, None)
                except _UNREADABLE as exc:  # the rest of the file cannot be read: what was read stays
                    chunk = None
                    _quarantine_file(inp, exc, qlog, stats, from_row=stats.read + 1)
                clock.stop()
                if chunk is None:
                    break
                clock.start("normalise")
                ev = _process_chunk(inp, chunk, seen_ids, qlog, stats, pseudonymise_key)
                n_persons += len(ev.persons)
                spill.add(ev)
                del ev
                clock.stop()
                if bar:
                    bar.update(task, advance=len(chunk.data) + len(chunk.bad))
            batch_warnings.append(
                stats.quality.warnings(source=inp.spec.name, file=inp.file, examples=pseudonymise_key is None)
            )
            stats_rows.append(
                {
                    "source": inp.spec.name,
                    "file": inp.file,
                    "rows_read": stats.read,
                    "rows_loaded": stats.loaded,
                    "rows_quarantined": stats.quarantined,
                    "fields_dropped": stats.dropped,
                    "person_records": n_persons,
                    "sha256": inp.sha256,
                    "warnings": len(batch_warnings[-1]),
                }
            )
            if bar:
                bar.update(task, total=stats.read, completed=stats.read)

        clock.start("build")
        evidence = spill.evidence()
        new_persons = evidence.persons  # this batch's, which resolution links to the earlier ones
        if prev is not None:
            import pyarrow as pa

            try:
                spill.add_previous(prev["evidence"], prev["records"])
            except (OSError, pa.ArrowException) as exc:
                raise IngestError(
                    f"{prev['evidence']}: cannot read the previous ingest's evidence ({type(exc).__name__}: {exc})."
                ) from None
            evidence = spill.evidence()
        # one place spelt several ways becomes one Address (every batch's evidence, so a merge equals one ingest)
        variants = address_variants(evidence.nodes["Address"]) if "Address" in evidence.nodes else None
        # a business known by name in one source is the company another source registers under that name
        companies = business_names(evidence.nodes["Business"]) if "Business" in evidence.nodes else None
        clock.stop()

        case = _case_of(stats_rows, prev, new_persons)

        # Resolve people.
        rtask = bar.add_task("resolving people", total=None) if bar else None
        clock.start("resolve")
        resolution = _resolve(
            new_persons,
            prev,
            address_variants=variants,
            business_names=companies,
            threshold=threshold,
            pseudonymised=pseudonymise_key is not None,
            case=case,
            match_level=match_level,
        )
        clock.stop()
        if bar:
            bar.update(rtask, total=1, completed=1)

        # Build canonical tables.
        btask = bar.add_task("building tables", total=None) if bar else None
        clock.start("build")
        ent = pd.Series(
            resolution["entity_id"].to_numpy(),
            index=(resolution["source"].astype(str) + ":" + resolution["record_id"].astype(str)).to_numpy(),
        )
        tables = lazy_tables(
            evidence, ent, explain_links(resolution), address_variants=variants, business_names=companies
        )
        counts = write_tables(tables, tmp / "tables")
        write_case(tmp / "tables", case)
        summary = _summary(stats_rows, new_persons, ent, prev)
        batch_q = qlog.frame()
        if pseudonymise_key is not None:  # the quarantine must not leak what the tables tokenise
            batch_q = withhold_values(batch_q, key=pseudonymise_key)
        quarantine = _merge_quarantine(batch_q, prev, {(i.spec.name, i.sha256) for i in inputs})
        clock.stop()
        if bar:
            bar.update(btask, total=1, completed=1)

        wtask = bar.add_task(f"writing {out}", total=None) if bar else None
        clock.start("write")
        meta = {
            "crimnet_ingest": 1,
            "specs": sorted({i.spec.name for i in inputs} | set(prev["meta"].get("specs", []) if prev else [])),
            "pseudonymised": pseudonymise_key is not None,
            "key_fingerprint": _key_fingerprint(pseudonymise_key),
            "threshold": threshold,
            "match_level": match_level,
            "case": case,
            "address_variants": 0 if variants is None else len(variants),
            "business_names": 0 if companies is None else len(companies),
        }
        warnings = pd.concat(batch_warnings, ignore_index=True).astype({"share": "float64"})
        write_csv(warnings, tmp / "warnings.csv")  # this batch's quality warnings (crimnet.ingest.quality)
        address_log = variants.table if variants is not None else pd.DataFrame(columns=ADDRESS_VARIANT_COLUMNS)
        write_csv(address_log, tmp / "address_variants.csv")  # which Address ids became which, and by what rule
        company_log = companies.table if companies is not None else pd.DataFrame(columns=BUSINESS_NAME_COLUMNS)
        write_csv(company_log, tmp / "business_names.csv")  # which name-keyed businesses became which company
        _write_output(
            out,
            tmp,
            resolution=resolution,
            records=evidence.persons,
            evidence=evidence,
            quarantine=quarantine,
            summary=summary,
            meta=meta,
        )
        clock.stop()
        if bar:
            bar.update(wtask, total=1, completed=1)
    return IngestResult(
        resolution=resolution,
        quarantine=quarantine,
        summary=summary,
        out=out,
        timings={k: round(v, 3) for k, v in timings.items()},
        counts=counts,
        case=case,
        warnings=warnings,
        address_variants=address_log,
        business_names=company_log,
    )


def _case_of(rows: list[dict], prev: dict | None, persons: pd.DataFrame) -> str:
    """The case of this output: the previous output's, else named by the content of the sources.

    A case is ``'case-'`` + 16 hex characters of a SHA-256 over the sorted row hashes of its first
    batch's normalised person records (source, record id and every field), so ingesting the same
    extracts again (in any order, as CSV, Parquet or DataFrames) names the same case. A batch
    without person records is named by the sorted ``'<source>:<sha256>'`` of its files instead. A
    previous output written before outputs named their case adds its records.
    """
    if prev is not None:
        case = prev["meta"].get("case")
        if isinstance(case, str) and case:
            return case
        persons = pd.concat([persons, prev["records"]], ignore_index=True)
    h = hashlib.sha256(b"crimnet-case:")
    if len(persons):
        # where a record was written (row_key, field, item) follows from its source, id and spec: a case keeps
        # the name it had before crimnet wrote those columns
        named = [c for c in PERSON_RECORD_COLUMNS if c not in ("row_key", "field", "item")]
        recs = persons.reindex(columns=named).astype("str").fillna("")
        h.update(np.sort(pd.util.hash_pandas_object(recs, index=False).to_numpy(np.uint64)).tobytes())
    else:
        h.update("\n".join(sorted({f"{r['source']}:{r['sha256']}" for r in rows})).encode("utf-8"))
    return "case-" + h.hexdigest()[:16]


def _resolve(
    records: pd.DataFrame,
    prev: dict | None,
    *,
    threshold: float | None,
    pseudonymised: bool,
    case: str | None = None,
    match_level: str | None = None,
    address_variants: AddressVariants | None = None,
    business_names: BusinessNames | None = None,
) -> pd.DataFrame:
    from crimnet.ingest.resolve import resolve_people

    records = records.reindex(columns=PERSON_RECORD_COLUMNS).reset_index(drop=True)
    earlier = prev["records"] if prev is not None else None
    # records compare the place they name, not its spelling, and the registered business, not a payment's name for it
    for mapping in (address_variants, business_names):
        if mapping is not None:
            records = mapping.records(records)
            earlier = mapping.records(earlier) if earlier is not None else None
    existing = None
    if prev is not None and earlier is not None and len(earlier):
        existing = earlier.merge(
            prev["resolution"].reindex(columns=RESOLUTION_COLUMNS),
            on=["source", "record_id"],
            how="inner",
        )
    kwargs: dict[str, Any] = {"existing": existing, "seed": 0, "case": case}
    if threshold is not None:
        kwargs["threshold"] = threshold
    if match_level is not None:
        kwargs["match_level"] = match_level
    if pseudonymised:
        kwargs["pseudonymised"] = True
    if not len(records) and existing is None:
        return pd.DataFrame(
            {c: pd.Series([], dtype="float64" if c == "match_weight" else "str") for c in RESOLUTION_COLUMNS}
        )
    result = resolve_people(records, **kwargs)
    table = result.table.reindex(columns=RESOLUTION_COLUMNS).copy()
    table["match_weight"] = pd.to_numeric(table["match_weight"], errors="coerce").astype("float64")
    for c in ("source", "record_id", "entity_id", "rule", "linked_to", "via"):
        table[c] = table[c].astype("str")
    return table.sort_values(["source", "record_id"], kind="stable").reset_index(drop=True)


def _earlier_rows(old: pd.DataFrame, mine: set[tuple[str, str]]) -> pd.DataFrame:
    """The rows of an earlier batch's summary or quarantine that this batch does not replace.

    A row is replaced only when this batch ingests the very same content again (same source and
    ``sha256``): files of the same name with other content (monthly extracts) keep their rows,
    and so do rows without a hash (outputs written before the column existed).
    """
    sha = old["sha256"].fillna("").astype(str) if "sha256" in old else pd.Series("", index=old.index)
    keep = ~np.array([h != "" and (s, h) in mine for s, h in zip(old["source"].astype(str), sha, strict=True)], bool)
    return old[keep].assign(sha256=sha[keep])


def _summary(rows: list[dict], persons: pd.DataFrame, ent: pd.Series, prev: dict | None) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=[c for c in SUMMARY_COLUMNS if c != "person_entities"])
    # The same file ingested twice in one call (two matching patterns) is summed.
    df = df.groupby(["source", "file", "sha256"], sort=False, as_index=False).sum()
    keys = persons["source"].astype(str) + ":" + persons["record_id"].astype(str)
    per_source = pd.DataFrame({"source": persons["source"].astype(str), "e": keys.map(ent)})
    counts = per_source.groupby("source")["e"].nunique()
    df["person_entities"] = df["source"].map(counts).fillna(0).astype("int64")
    if prev is not None and len(prev["summary"]):
        old = _earlier_rows(prev["summary"], set(zip(df["source"], df["sha256"], strict=True)))
        df = pd.concat([old, df], ignore_index=True)
    for c in _COUNT_COLUMNS:
        df[c] = df[c].astype("int64")
    # absent from outputs written before the column existed
    df["warnings"] = pd.to_numeric(df["warnings"], errors="coerce").fillna(0).astype("int64")
    df["sha256"] = df["sha256"].astype(str)
    return df.reindex(columns=SUMMARY_COLUMNS).reset_index(drop=True)


def _merge_quarantine(q: pd.DataFrame, prev: dict | None, mine: set[tuple[str, str]]) -> pd.DataFrame:
    if prev is None or not len(prev["quarantine"]):
        return q
    old = _earlier_rows(prev["quarantine"], mine)
    out = pd.concat([old, q], ignore_index=True) if len(q) else old.reset_index(drop=True)
    return out.reindex(columns=QUARANTINE_COLUMNS)


def _read_previous(previous: str | Path, key: bytes | None) -> dict:
    import pyarrow.parquet as pq

    p = Path(previous)
    meta_path = p / "ingest.json"
    if not meta_path.is_file():
        raise IngestError(f"{p}: not an ingest output (no ingest.json); pass the --out directory of an earlier ingest.")
    try:
        meta = json.loads(meta_path.read_text())
        if not isinstance(meta, dict):
            raise ValueError("not a JSON object")
    except (OSError, ValueError) as exc:
        raise IngestError(
            f"{meta_path}: cannot read this ingest's parameters ({exc}); is the output complete?"
        ) from None
    if meta.get("key_fingerprint") != _key_fingerprint(key):
        want = (
            "pseudonymised with another key"
            if meta.get("pseudonymised") and key
            else ("pseudonymised" if meta.get("pseudonymised") else "not pseudonymised")
        )
        raise IngestError(f"{p}: the previous batch was {want}; merge batches made with the same pseudonymisation key.")

    def read(name: str, how: Any, need: list[str]) -> pd.DataFrame:
        path = p / name
        try:
            df = how(path)
        except FileNotFoundError:
            raise IngestError(f"{path}: missing from the previous ingest output; is the output complete?") from None
        except Exception as exc:  # corrupt or truncated files raise Arrow, pandas or OS errors
            raise IngestError(
                f"{path}: cannot read this file of the previous ingest output ({type(exc).__name__}: {exc})."
            ) from None
        lacking = [c for c in need if c not in df.columns]
        if lacking:
            raise IngestError(f"{path}: lacks the columns {lacking}; is it an ingest output?")
        return df

    records = read("records.parquet", lambda f: pq.read_table(f).to_pandas(), ["source", "record_id"])
    resolution = read(
        "resolution.parquet", lambda f: pq.read_table(f).to_pandas(), ["source", "record_id", "entity_id"]
    )
    quarantine = read(
        "quarantine.csv",
        lambda f: restore_formulas(pd.read_csv(f, dtype=str, keep_default_na=False)),
        ["source", "file", "row"],
    )
    try:
        quarantine["row"] = quarantine["row"].astype("int64") if len(quarantine) else quarantine["row"]
    except ValueError:
        raise IngestError(f"{p / 'quarantine.csv'}: a row number is not a whole number.") from None
    summary = read(
        "summary.csv",
        lambda f: restore_formulas(pd.read_csv(f, dtype={"source": str, "file": str, "sha256": str})),
        [c for c in SUMMARY_COLUMNS if c not in ("sha256", "warnings")],
    )
    evidence = p / "evidence"
    if not evidence.is_dir():
        raise IngestError(f"{evidence}: missing from the previous ingest output; is the output complete?")
    for f in sorted(evidence.glob("*.parquet")):
        read(f"evidence/{f.name}", pq.read_metadata, [])
    return {
        "meta": meta,
        "records": records,
        "resolution": resolution,
        "evidence": evidence,
        "quarantine": quarantine,
        "summary": summary,
    }


def _write_output(
    out: Path,
    tmp: Path,
    *,
    resolution: pd.DataFrame,
    records: pd.DataFrame,
    evidence: Evidence,
    quarantine: pd.DataFrame,
    summary: pd.DataFrame,
    meta: dict,
) -> None:
    """Write the rest of the output to `tmp` (beside `out`, tables already there), then swap it in."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        pq.write_table(pa.Table.from_pandas(resolution, preserve_index=False), tmp / "resolution.parquet")
        recs = records.reindex(columns=PERSON_RECORD_COLUMNS).astype("str").sort_values(["source", "record_id"])
        pq.write_table(pa.Table.from_pandas(recs, preserve_index=False), tmp / "records.parquet")
        evidence.write(tmp / "evidence")
        # people open these in spreadsheets: formula cells neutralised (read back by restore_formulas)
        write_csv(quarantine if len(quarantine) else empty_quarantine(), tmp / "quarantine.csv")
        write_csv(summary, tmp / "summary.csv")
        (tmp / "ingest.json").write_text(json.dumps(meta, indent=2) + "\n")
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    swap_in(out, tmp, marker="ingest.json", process="ingest", error=IngestError)
