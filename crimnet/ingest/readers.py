"""Readers: stream a source (CSV, Parquet or a DataFrame) in chunks of string columns.

Every reader yields :class:`Chunk` objects holding at most `chunk_rows` rows,
each column as text (whitespace trimmed, empty cells missing), plus the 1-based
data row number of every row (the header is row 0, the first data row is row 1)
and the rows that could not be read (malformed CSV lines, undecodable bytes).
Memory is bounded by the chunk size, so files larger than memory stream through.
CSV is read with Arrow; a file Arrow gives up on (a malformed line that also holds bytes that
are not UTF-8, a cell larger than its 16 MiB block) is read again, from the first row Arrow did
not deliver, by a fallback on Python's ``csv`` module that reports each bad line as a
:class:`BadRow` with its row number and reason, so the other rows of the file still load.

CSV header names are read with surrounding spaces removed (``' URN '`` is column
``'URN'``). Parquet and DataFrame columns that are not text are written as text:
integers as digits (exactly, also 64-bit ones with nulls), whole-number floats
without ``'.0'`` (a numeric column with gaps is float: ``447700900001.0`` is
``'447700900001'``), other values as ``str`` gives them. An identifier stored as a
number has lost its leading zeros before crimnet sees it: ``'04-00-04'`` kept as
the number ``40004`` cannot be told from a short code (the sort code normaliser says
so in its reason; account and company numbers are padded back to their fixed
length). Keep identifiers as text in extracts.

Hostile text is disarmed as it is read, from every source kind:

* invisible characters are removed from every cell: NUL and the other control characters
  except TAB, LF and CR, DEL, zero-width spaces and joiners (U+200B-U+200F, U+2060-U+2064),
  bidirectional controls (U+202A-U+202E, U+2066-U+2069), the soft hyphen and the byte-order mark.
  They carry no meaning in an identifier and would make two ids that look the same differ (a
  record id ``'A1\\x00'`` is ``'A1'``, a duplicate of ``'A1'``), and NUL never reaches provenance,
  the store or the quarantine;
* a cell longer than `max_field_chars` characters (:data:`DEFAULT_MAX_FIELD_CHARS`, 65,536, after
  trimming) is reported as a :class:`BadRow` of its field (its row is quarantined with the reason)
  and cut to that length, so no normaliser or output ever holds a 20 MB address line.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from crimnet.errors import IngestError, check_interval, check_type

__all__ = [
    "Chunk", "BadRow", "sniff_delimiter", "read_header", "iter_chunks", "DEFAULT_CHUNK_ROWS",
    "DEFAULT_MAX_FIELD_CHARS", "INVISIBLE_CHARACTERS",
]  # fmt: skip

DEFAULT_CHUNK_ROWS = 200_000
"""Rows per chunk unless told otherwise."""

DEFAULT_MAX_FIELD_CHARS = 65_536
"""Characters a cell may hold (after trimming) unless told otherwise; a longer cell quarantines its row."""

INVISIBLE_CHARACTERS = (
    "[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f\\x{ad}\\x{200b}-\\x{200f}\\x{202a}-\\x{202e}"
    "\\x{2060}-\\x{2064}\\x{2066}-\\x{2069}\\x{feff}]"
)
"""The characters removed from every cell as it is read (a regular expression in RE2 syntax)."""

_HEADER_LIMIT = 1 << 24
"""Bytes read at most to find the header line (the reader's block size: a longer header cannot be read)."""
_UTF8 = ("utf-8", "utf8", "utf_8", "utf-8-sig", "utf_8_sig")


@dataclass
class BadRow:
    """A row the reader could not read.

    Attributes
    ----------
    row : int
        1-based data row number (header is row 0), or -1 when unknown.
    field : str
        Column concerned, or ``''`` for the whole line.
    value : str
        The raw text (the whole line for a malformed CSV line).
    reason : str
        What went wrong, quoting the value, e.g. ``"'1,2,3,4' has 4 fields, expected 3 (malformed CSV line)"``.
    """

    row: int
    field: str
    value: str
    reason: str


@dataclass
class Chunk:
    """A chunk of source rows as text.

    Attributes
    ----------
    data : DataFrame
        One column per requested column; values are stripped strings, missing
        cells (empty in the file) are NA. Index is ``0..n-1``.
    rows : ndarray of int64
        1-based data row number of each row of `data`.
    bad : list of BadRow
        Rows of this part of the file that could not be read at all
        (malformed lines) or whose bytes could not be decoded; rows with
        undecodable bytes are also in `data` (with replacement characters).
    """

    data: pd.DataFrame
    rows: np.ndarray
    bad: list[BadRow] = field(default_factory=list)


def sniff_delimiter(sample: str, *, default: str = ",") -> str:
    """Guess a CSV delimiter from a sample of text (the first KB of a file).

    >>> sniff_delimiter("a;b;c\\n1;2;3\\n")
    ';'
    >>> sniff_delimiter("just one column\\n")
    ','
    """
    check_type(sample, str, param="sample", func="sniff_delimiter", expected="a str")
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;|\t").delimiter
    except csv.Error:
        return default


def read_header(
    path: str | Path, *, delimiter: str | None = None, encoding: str | None = None
) -> tuple[list[str], str]:
    """Read the column names of a CSV file and its delimiter (sniffed when None).

    Names are returned with surrounding whitespace removed (``' URN '`` is ``'URN'``);
    :func:`iter_chunks` reads the columns under these names.

    Raises
    ------
    crimnet.errors.IngestError
        If the file cannot be opened or has no header line.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     _ = (Path(tmp) / "a.csv").write_text(" URN ; NAME\\n1;ana\\n")
    ...     read_header(Path(tmp) / "a.csv")
    (['URN', 'NAME'], ';')
    """
    check_type(path, (str, os.PathLike), param="path", func="read_header", expected="a path (str or os.PathLike)")
    p = Path(path)
    head = b""
    try:
        with p.open("rb") as fh:
            # Read until the header line is whole: another row follows it, or the file ends.
            while True:
                more = fh.read(max(4096, len(head)))
                head += more
                text = head.decode(encoding or "utf-8", errors="replace").lstrip("\ufeff")
                if not more or len(head) >= _HEADER_LIMIT or _rows_in(text, delimiter or ",") > 1:
                    break
    except OSError as exc:
        raise IngestError(f"{p}: cannot read ({exc.strerror or exc}).") from None
    first_kb = text[:1024]
    if delimiter is None:
        lines = first_kb.splitlines()
        # Drop a possibly cut last line before sniffing.
        sample = "\n".join(lines[:-1] if len(lines) > 1 and len(text) > 1024 else lines)
        delimiter = sniff_delimiter(sample)
    try:
        first = next(csv.reader(io.StringIO(text), delimiter=delimiter), None)
    except csv.Error as exc:
        raise IngestError(f"{p.name}: cannot read the header line as CSV ({exc}).") from None
    if not first:
        raise IngestError(f"{p.name}: the file is empty or has no header line.")
    return [c.strip() for c in first], delimiter


def _rows_in(text: str, delimiter: str) -> int:
    """How many CSV records `text` starts with (0, 1 or 2: counting stops at two)."""
    try:
        return len(list(islice(csv.reader(io.StringIO(text), delimiter=delimiter), 2)))
    except csv.Error:
        return 1  # read on (up to the limit); the header parse reports what is wrong


def _header_only(path: Path, delimiter: str, encoding: str | None) -> bool:
    """Whether the file holds its header line and nothing else (blank lines aside)."""
    try:
        with path.open("rb") as fh:
            head = fh.read(_HEADER_LIMIT + 1)
    except OSError:
        return False
    if len(head) > _HEADER_LIMIT:
        return False
    text = head.decode(encoding or "utf-8", errors="replace").lstrip("\ufeff")
    try:
        rows = [r for r in csv.reader(io.StringIO(text), delimiter=delimiter) if any(c.strip() for c in r)]
    except csv.Error:
        return False
    return len(rows) <= 1


def _short(text: str, limit: int = 60) -> str:
    return repr(text if len(text) <= limit else text[: limit - 3] + "...")


def _strings(arr: pa.Array) -> pa.Array:
    arr = pc.utf8_trim_whitespace(arr)
    return pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr)


def _disarm(arr: pa.Array, name: str, rows: np.ndarray, bad: list[BadRow], max_chars: int | None) -> pa.Array:
    """Remove invisible characters, trim, blank to null; report and cut cells over `max_chars` characters."""
    if len(arr) and pc.any(pc.match_substring_regex(arr, INVISIBLE_CHARACTERS)).as_py():
        arr = pc.replace_substring_regex(arr, INVISIBLE_CHARACTERS, "")
    arr = _strings(arr)
    if max_chars is None or not len(arr):
        return arr
    lengths = pc.utf8_length(arr)
    if not pc.any(pc.greater(lengths, max_chars)).as_py():
        return arr
    over = np.flatnonzero(pc.fill_null(pc.greater(lengths, max_chars), False).to_numpy(zero_copy_only=False))
    for i in over:
        text = arr[int(i)].as_py()
        bad.append(
            BadRow(
                int(rows[i]),
                name,
                text[:200] + "...",
                f"{_short(text)} is {len(text):,} characters long, over the limit of {max_chars:,} characters "
                "per field (max_field_chars)",
            )
        )
    return pc.utf8_slice_codeunits(arr, 0, max_chars)


def _decode(col: pa.ChunkedArray | pa.Array, name: str, rows: np.ndarray, bad: list[BadRow]) -> pa.Array:
    """Decode a binary column as UTF-8; undecodable values are replaced and reported."""
    if isinstance(col, pa.ChunkedArray):
        col = col.combine_chunks()
    try:
        return col.cast(pa.string())
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        pass
    values = col.to_pylist()
    out: list[str | None] = []
    for i, v in enumerate(values):
        if v is None:
            out.append(None)
            continue
        try:
            out.append(v.decode("utf-8"))
        except UnicodeDecodeError:
            text = v.decode("utf-8", errors="replace")
            out.append(text)
            bad.append(
                BadRow(
                    int(rows[i]),
                    name,
                    text,
                    f"{_short(text)} is not valid UTF-8 text (wrong encoding? set 'encoding' in the spec)",
                )
            )
    return pa.array(out, pa.string())


def _csv_chunks(
    path: Path,
    columns: Sequence[str],
    *,
    delimiter: str,
    encoding: str | None,
    chunk_rows: int,
    max_field_chars: int | None = DEFAULT_MAX_FIELD_CHARS,
) -> Iterator[Chunk]:
    malformed: list[BadRow] = []
    bad_numbers: list[int] = []

    def on_invalid(row: pacsv.InvalidRow) -> str:
        number = row.number - 1 if row.number is not None else -1
        malformed.append(
            BadRow(
                number,
                "",
                row.text,
                f"{_short(row.text)} has {row.actual_columns} fields, expected "
                f"{row.expected_columns} (malformed CSV line)",
            )
        )
        bad_numbers.append(number)
        return "skip"

    # Columns are read under their stripped header names (' URN ' is 'URN'), as read_header gives them;
    # the header row itself is skipped as the first parsed row (quote-aware, unlike skip_rows).
    header, _ = read_header(path, delimiter=delimiter, encoding=encoding)
    missing = [c for c in columns if c not in header]
    if missing:
        raise IngestError(f"{path.name}: the header lacks columns {missing}; it has {header}.")
    twice = sorted({c for c in columns if header.count(c) > 1})
    if twice:
        raise IngestError(
            f"{path.name}: the header names column {twice[0]!r} {header.count(twice[0])} times "
            "(after trimming spaces); rename one so the spec reads the right one."
        )
    transcode = encoding is not None and encoding.lower().replace("_", "-") not in _UTF8
    read_opts = pacsv.ReadOptions(
        use_threads=False,
        block_size=_HEADER_LIMIT,
        encoding=encoding if transcode else "utf8",
        column_names=header,
        skip_rows_after_names=1,
    )
    parse_opts = pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True, invalid_row_handler=on_invalid)
    ctype = pa.string() if transcode else pa.binary()
    conv = pacsv.ConvertOptions(
        column_types={c: ctype for c in columns},
        include_columns=list(columns),
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
    )
    fallback: dict[str, Any] = {"header": header, "columns": columns, "delimiter": delimiter, "encoding": encoding}
    fallback |= {"chunk_rows": chunk_rows, "max_field_chars": max_field_chars}
    try:
        with _quiet_undecodable_lines(on_invalid):
            reader = pacsv.open_csv(path, read_options=read_opts, parse_options=parse_opts, convert_options=conv)
    except (pa.ArrowInvalid, OSError) as exc:
        if _header_only(path, delimiter, encoding):  # Arrow fails on a lone header without a line end
            return
        yield from _fallback_chunks(path, start_row=1, why=exc, **fallback)
        return
    next_row = 1
    reported = 0
    pending: list[pa.RecordBatch] = []
    pending_rows = 0

    def emit(batches: list[pa.RecordBatch]) -> Chunk:
        nonlocal next_row, reported
        table = pa.Table.from_batches(batches, schema=reader.schema)
        n = table.num_rows
        skip = np.array(sorted(x for x in bad_numbers if x >= next_row), dtype=np.int64)
        cand = np.arange(next_row, next_row + n + len(skip), dtype=np.int64)
        rows = cand[~np.isin(cand, skip)][:n]
        next_row = int(rows[-1]) + 1 if n else next_row
        bad: list[BadRow] = [b for b in malformed[reported:] if b.row < next_row or b.row == -1]
        reported += len(bad)
        data = {}
        for name in columns:
            col = table.column(name)
            arr = col.combine_chunks() if transcode else _decode(col, name, rows, bad)
            data[name] = _disarm(arr, name, rows, bad, max_field_chars)
        df = pa.table(data).to_pandas() if n else pd.DataFrame({c: pd.Series([], dtype="str") for c in columns})
        return Chunk(df, rows, bad)

    try:
        for batch in _read_batches(reader, on_invalid):
            pending.append(batch)
            pending_rows += batch.num_rows
            if pending_rows >= chunk_rows:
                yield emit(pending)
                pending, pending_rows = [], 0
    except pa.ArrowInvalid as exc:  # the rows from next_row on (pending ones too) are read again by the fallback
        yield from _fallback_chunks(path, start_row=next_row, why=exc, **fallback)
        return
    last = emit(pending)
    # Malformed lines after the last good row.
    last.bad.extend(malformed[reported:])
    if last.data.shape[0] or last.bad:
        yield last


@contextlib.contextmanager
def _quiet_undecodable_lines(handler: Callable[..., str]) -> Iterator[None]:
    """Keep pyarrow from printing a traceback for a malformed line that is not UTF-8.

    pyarrow decodes such a line to hand it to `handler`, fails, prints "Exception ignored in ..."
    on stderr and stops the read with ArrowInvalid; the caller then reads the file again with its
    fallback reader, which reports the line. Only that one unraisable error (a UnicodeDecodeError
    in `handler`) is silenced; any other goes to the hook that was there before.
    """
    previous = sys.unraisablehook

    def hook(unraisable: Any) -> None:
        if not (isinstance(unraisable.exc_value, UnicodeDecodeError) and unraisable.object is handler):
            previous(unraisable)

    sys.unraisablehook = hook
    try:
        yield
    finally:
        sys.unraisablehook = previous


def _read_batches(reader: pacsv.CSVStreamingReader, handler: Callable[..., str]) -> Iterator[pa.RecordBatch]:
    """The record batches of `reader`, each read with :func:`_quiet_undecodable_lines` (not while the caller runs)."""
    while True:
        with _quiet_undecodable_lines(handler):
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                return
        yield batch


def _readable(text: str) -> str:
    """`text` with the undecodable bytes it carries (surrogate escapes) as U+FFFD, for messages and outputs."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _fallback_chunks(
    path: Path,
    *,
    header: list[str],
    columns: Sequence[str],
    delimiter: str,
    encoding: str | None,
    chunk_rows: int,
    max_field_chars: int | None,
    start_row: int,
    why: Exception,
) -> Iterator[Chunk]:
    """Read a CSV file Arrow could not read with Python's ``csv`` module, one record at a time, from `start_row`.

    Arrow gives up on a whole file for one line it cannot parse and decode at once (a malformed line
    holding bytes that are not UTF-8: its handler of bad lines cannot even be given the line), or
    for a cell too large for its block. Here every record is read on its own: a record with the
    wrong number of fields is a :class:`BadRow` of the whole line, a cell with undecodable bytes a
    :class:`BadRow` of its field (the row stays in the chunk with U+FFFD, as the Arrow path keeps
    it), and a record the ``csv`` module refuses (a field over its limit) a :class:`BadRow` with its
    message, so the other rows of the file still load. Data rows are numbered as the Arrow path
    numbers them (the header is row 0, blank lines count for nothing).

    O(rows x columns) in Python (several times slower than Arrow); memory O(chunk_rows x columns).
    """
    where = [header.index(c) for c in columns]
    decode_as = encoding if encoding and encoding.lower().replace("_", "-") not in _UTF8 else "utf-8-sig"
    rows: list[int] = []
    values: list[list[str | None]] = []
    bad: list[BadRow] = []

    def emit() -> Chunk:
        frame = pa.table({c: pa.array([v[i] for v in values], pa.string()) for i, c in enumerate(columns)})
        numbers = np.array(rows, dtype=np.int64)
        data = {c: _disarm(frame.column(c).combine_chunks(), c, numbers, bad, max_field_chars) for c in columns}
        df = pa.table(data).to_pandas() if rows else pd.DataFrame({c: pd.Series([], dtype="str") for c in columns})
        return Chunk(df, numbers, list(bad))

    try:
        with path.open(encoding=decode_as, errors="surrogateescape", newline="") as fh:
            records = csv.reader(fh, delimiter=delimiter)
            number = -1  # the header is record 0
            while True:
                try:
                    record = next(records)
                except StopIteration:
                    break
                except csv.Error as exc:  # e.g. a field over the csv module's limit: this record only
                    number += 1
                    if number >= start_row:
                        bad.append(BadRow(number, "", "", f"cannot be read as CSV ({exc}; {why})"))
                    continue
                if not record:
                    continue  # a blank line, as Arrow skips it
                number += 1
                if number < start_row:
                    continue
                if len(record) != len(header):
                    text = _readable(delimiter.join(record))
                    bad.append(
                        BadRow(
                            number,
                            "",
                            text,
                            f"{_short(text)} has {len(record)} fields, expected {len(header)} (malformed CSV line)",
                        )
                    )
                    continue
                cells: list[str | None] = []
                for name, i in zip(columns, where, strict=True):
                    cell = record[i]
                    if any("\udc80" <= ch <= "\udcff" for ch in cell):
                        cell = _readable(cell)
                        bad.append(
                            BadRow(
                                number,
                                name,
                                cell,
                                f"{_short(cell)} is not valid UTF-8 text (wrong encoding? set 'encoding' in the spec)",
                            )
                        )
                    cells.append(cell)
                rows.append(number)
                values.append(cells)
                if len(rows) >= chunk_rows:
                    yield emit()
                    rows, values, bad = [], [], []
    except OSError as exc:
        raise IngestError(f"{path.name}: cannot read as CSV ({exc}).") from None
    if rows or bad:
        yield emit()


def _whole_floats(values: np.ndarray) -> np.ndarray:
    """Mask of the finite whole numbers of a float array that int64 holds exactly (``|x| < 2**53``)."""
    with np.errstate(invalid="ignore"):
        return np.isfinite(values) & (np.floor(values) == values) & (np.abs(values) < 2.0**53)


def _as_text(s: pd.Series) -> pd.Series:
    """Text of one column: whole-number floats without ``'.0'`` (``447700900001.0`` -> ``'447700900001'``).

    A numeric column with missing values is float in pandas (and Parquet integer columns with
    nulls become float when read), so its whole numbers are written as integers; other values
    take ``str``.

    >>> _as_text(pd.Series([447700900001.0, 1.5, None, 12345678.0])).tolist()
    ['447700900001', '1.5', nan, '12345678']
    >>> _as_text(pd.Series(["a", 3.0, 7], dtype=object)).tolist()
    ['a', '3', '7']
    """
    text = s.astype(str)
    if pd.api.types.is_float_dtype(s.dtype):
        values = s.to_numpy(dtype="float64", na_value=np.nan)
        whole = _whole_floats(values)
    elif s.dtype == object:
        values = np.array([v if isinstance(v, float) else np.nan for v in s.to_numpy()], dtype="float64")
        whole = _whole_floats(values)
    else:
        return text
    if whole.any():
        text = text.copy()
        text[whole] = values[whole].astype(np.int64).astype(str)
    return text


def _exact_integers(kind: pa.DataType) -> object:
    """Arrow integer columns as pandas nullable integers (not float where nulls are: 64-bit ids stay exact)."""
    if pa.types.is_integer(kind):
        return pd.api.types.pandas_dtype(f"{'U' if pa.types.is_unsigned_integer(kind) else ''}Int{kind.bit_width}")
    return None


def _to_text(
    df: pd.DataFrame, columns: Sequence[str], rows: np.ndarray, max_field_chars: int | None = DEFAULT_MAX_FIELD_CHARS
) -> Chunk:
    out = {}
    bad: list[BadRow] = []
    for c in columns:
        s = df[c]
        mask = s.isna()
        text = _as_text(s).str.strip()
        text = text.where(~mask & (text != ""))
        arr = pa.array(text.astype(object).to_numpy(), type=pa.string(), from_pandas=True)
        out[c] = pd.Series(_disarm(arr, str(c), rows, bad, max_field_chars).to_pandas(), dtype="str")
    return Chunk(pd.DataFrame(out).reset_index(drop=True), rows, bad)


def iter_chunks(
    source: str | Path | pd.DataFrame,
    columns: Sequence[str],
    *,
    delimiter: str | None = None,
    encoding: str | None = None,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    max_field_chars: int | None = DEFAULT_MAX_FIELD_CHARS,
) -> Iterator[Chunk]:
    """Stream `columns` of a CSV file, Parquet file or DataFrame in chunks of text.

    Parameters
    ----------
    source : path or DataFrame
        ``*.parquet`` files are read as Parquet, other paths as CSV.
    columns : sequence of str
        Columns to read (all must exist; check the header first).
    delimiter : str or None
        CSV delimiter; sniffed from the first KB when None.
    encoding : str or None
        CSV text encoding; None means UTF-8, where rows with bytes that are not
        UTF-8 are reported as :class:`BadRow` instead of failing the file.
    chunk_rows : int, default 200_000
        Upper bound on rows per chunk (CSV chunks end on 16 MiB blocks, so may
        hold somewhat more rows than asked).
    max_field_chars : int or None, default 65_536
        Characters a cell may hold; a longer one is reported as a :class:`BadRow` of its field and
        cut to this length. None sets no limit (a CSV cell still cannot exceed the 16 MiB block).

    Yields
    ------
    Chunk

    Notes
    -----
    Time O(rows x columns); memory O(chunk_rows x columns). Numbers in Parquet and
    DataFrame sources become text as the module docstring says: whole-number floats
    without ``'.0'``, and identifiers stored as numbers without the leading zeros
    they lost.

    Examples
    --------
    >>> df = pd.DataFrame({"id": ["1", " 2 ", ""], "x": ["a", None, "c"]})
    >>> [c.data.to_dict("list") for c in iter_chunks(df, ["id", "x"])]
    [{'id': ['1', '2', nan], 'x': ['a', nan, 'c']}]
    """
    check_type(
        source,
        (str, os.PathLike, pd.DataFrame),
        param="source",
        func="iter_chunks",
        expected="a path or a pandas DataFrame",
    )
    check_interval(chunk_rows, param="chunk_rows", func="iter_chunks", low=1, closed="left", integer=True)
    if max_field_chars is not None:
        check_interval(max_field_chars, param="max_field_chars", func="iter_chunks", low=1, closed="left", integer=True)
    if isinstance(source, pd.DataFrame):
        missing = [c for c in columns if c not in source.columns]
        if missing:
            raise IngestError(f"DataFrame source lacks columns {missing}.")
        for start in range(0, max(len(source), 1), chunk_rows):
            part = source.iloc[start : start + chunk_rows]
            yield _to_text(part, columns, np.arange(start + 1, start + 1 + len(part), dtype=np.int64), max_field_chars)
        return
    path = Path(source)
    if path.suffix.lower() == ".parquet":
        try:
            pf = pq.ParquetFile(path)
        except (pa.ArrowInvalid, OSError) as exc:
            raise IngestError(f"{path.name}: cannot read as Parquet ({exc}).") from None
        start = 0
        for batch in pf.iter_batches(batch_size=chunk_rows, columns=list(columns)):
            part = batch.to_pandas(types_mapper=_exact_integers)
            rows = np.arange(start + 1, start + 1 + len(part), dtype=np.int64)
            yield _to_text(part, columns, rows, max_field_chars)
            start += len(part)
        return
    if delimiter is None:
        _, delimiter = read_header(path, encoding=encoding)
    yield from _csv_chunks(
        path, columns, delimiter=delimiter, encoding=encoding, chunk_rows=chunk_rows, max_field_chars=max_field_chars
    )
