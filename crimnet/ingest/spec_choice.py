"""Choose, for each extract file, a spec that can read its header, when several specs were given.

A spec's ``files`` patterns say which files it is for, but a pattern such as ``*payments*.csv``
can match a file of another layout (another agency's payment extract). :func:`ingest` then
stops at the first such file, naming the missing column. When several specs are given,
:func:`choose_specs` instead tries every spec whose patterns match a file, in
:func:`~crimnet.ingest.specs.match_spec`'s order, keeps the first that finds all its columns in
the file's header, and reports each one skipped as a warning; a file no given spec can read is
left out with a warning. With one spec nothing is chosen: a file it cannot read stays an error.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crimnet.errors import IngestError, SpecError, check_type
from crimnet.ingest.readers import read_header
from crimnet.ingest.specs import SourceSpec, load_specs

__all__ = ["SpecChoice", "choose_specs", "matching_specs"]


@dataclass
class SpecChoice:
    """Sources and specs to pass to :func:`crimnet.ingest.pipeline.ingest`, and what was skipped.

    Attributes
    ----------
    sources : path, sequence of paths, or mapping
        The files to ingest (folders expanded to their matching files), or the sources as given
        when nothing was chosen.
    specs : path, sequence, or None
        One spec per chosen source name, its ``files`` patterns narrowed to the file names it
        reads (so that no other given spec's pattern takes them), or the specs as given.
    warnings : list of str
        One sentence per spec skipped for a file (naming both and the missing column) and per
        file left out.
    """

    sources: Any
    specs: Any
    warnings: list[str] = field(default_factory=list)


def matching_specs(filename: str | os.PathLike[str], specs: Sequence[SourceSpec]) -> list[SourceSpec]:
    """Every spec whose ``files`` patterns match `filename`: exact names first, then globs, each in given order.

    The first is the one :func:`~crimnet.ingest.specs.match_spec` returns. O(specs x patterns).
    """
    check_type(filename, (str, os.PathLike), param="filename", func="matching_specs", expected="a path")
    base = Path(filename).name.lower()
    exact = [s for s in specs if base in (p.lower() for p in s.files)]
    return exact + [s for s in specs if s not in exact and s.matches(Path(filename))]


def _header(path: Path, spec: SourceSpec) -> list[str] | None:
    """The column names of a CSV or Parquet file as `spec` reads it; None when the file cannot be read at all."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        if path.suffix.lower() == ".parquet":
            return list(pq.ParquetFile(path).schema_arrow.names)
        return read_header(path, delimiter=spec.delimiter, encoding=spec.encoding)[0]
    except (IngestError, OSError, UnicodeError, pa.ArrowException):
        return None  # unreadable: ingest quarantines the file as a whole, with its reason


def _files(sources: Any, specs: Sequence[SourceSpec]) -> list[Path] | None:
    """The files `sources` names (folders: their files some spec matches); None if a path does not exist."""
    items = [sources] if isinstance(sources, str | os.PathLike) else list(sources)
    files: list[Path] = []
    for item in items:
        if not isinstance(item, str | os.PathLike):
            return None
        p = Path(item)
        if p.is_dir():
            files += [f for f in sorted(p.iterdir()) if f.is_file() and matching_specs(f, specs)]
        elif p.is_file():
            files.append(p)
        else:
            return None  # ingest names the missing path
    return files


def choose_specs(sources: Any, specs: Any) -> SpecChoice:
    """Give every file of `sources` the first matching spec that can read its header, when several specs are given.

    Parameters
    ----------
    sources : path, sequence of paths, or mapping of source name to DataFrame
        As for :func:`crimnet.ingest.pipeline.ingest`.
    specs : path, SourceSpec, sequence of them, or None
        As for :func:`crimnet.ingest.pipeline.ingest` (None: the shipped specs, several).

    Returns
    -------
    SpecChoice
        With one spec, DataFrame sources or a path that does not exist, the sources and specs as
        given and no warning (ingest then reports what is wrong, as an error).

    Raises
    ------
    crimnet.errors.SpecError
        A spec cannot be loaded; or every file was left out (no given spec can read any of them),
        naming each file and why.

    Notes
    -----
    Each candidate spec's header is read once per file (its first line, or a Parquet schema):
    O(files x matching specs) header reads. A file that cannot be read at all is given its first
    matching spec (ingest quarantines it whole, with the reason). A file no spec matches stays
    in the list, so that ingest reports it. Two files of one name in different folders are read
    by one spec (spec patterns see file names only).

    Examples
    --------
    >>> import tempfile
    >>> from crimnet.ingest.specs import parse_spec
    >>> text = '[source]\\nname = "{n}"\\nfiles = ["*.csv"]\\nrecord_id = "{c}"\\n[fields]\\n'
    >>> a, b = parse_spec(text.format(n="a", c="A_ID")), parse_spec(text.format(n="b", c="B_ID"))
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     _ = (Path(tmp) / "x.csv").write_text("B_ID\\n1\\n")
    ...     choice = choose_specs(tmp, [a, b])
    >>> [(s.name, s.files) for s in choice.specs], len(choice.warnings)
    ([('b', ('x.csv',))], 1)
    """
    check_type(
        sources,
        (str, os.PathLike, Mapping, list, tuple),
        param="sources",
        func="choose_specs",
        expected="a path, a sequence of paths or a mapping of source name to DataFrame",
    )
    spec_list = load_specs(specs)
    if len(spec_list) < 2 or isinstance(sources, Mapping):
        return SpecChoice(sources, specs)
    files = _files(sources, spec_list)
    if files is None:
        return SpecChoice(sources, specs)
    chosen: dict[str, list[str]] = {}
    kept: list[Path] = []
    warnings: list[str] = []
    for f in files:
        candidates = matching_specs(f, spec_list)
        if not candidates:
            kept.append(f)  # ingest: "no spec matches this file"
            continue
        reasons = []
        for spec in candidates:
            header = _header(f, spec)
            try:
                if header is not None:
                    spec.check_columns(header, file=f.name)
            except SpecError as exc:
                reasons.append(f"spec {spec.name!r} skipped for {f}: {exc}")
                continue
            chosen.setdefault(spec.name, []).append(f.name)
            kept.append(f)
            break
        else:
            reasons.append(f"{f}: left out, no spec given can read its header")
        warnings += reasons
    if not kept:
        raise SpecError("No spec given can read any of the files: " + " ".join(warnings))
    narrowed = [
        dataclasses.replace(s, files=tuple(dict.fromkeys(chosen[s.name]))) for s in spec_list if s.name in chosen
    ]
    return SpecChoice(kept, narrowed, warnings)
