"""Source specs: how one agency extract maps onto the crimnet data model.

A *source spec* is a small TOML file that tells ingest how to read one kind of
source file, how to normalise each of its columns, and which columns form which
nodes and relationships of :mod:`crimnet.schema`. Specs for every file the
synthetic generator writes ship in ``crimnet/ingest/specs/``; a user adds a new
source by writing one more file (see ``docs/specs.md``).

Worked example (a police intelligence extract)::

    [source]
    name = "police_intel"              # source name, recorded in provenance
    files = ["police_intel*.csv"]      # glob patterns matched against file names
    record_id = "URN"                  # column holding a unique row id (required)
    # delimiter = ","                  # optional; sniffed from the first KB when absent
    # encoding = "utf-8"               # optional; default utf-8

    [fields]                           # field name = column(s) + normaliser kind + options
    name     = { columns = ["FORENAMES", "SURNAME"], kind = "name", required = true }
    dob      = { column = "DOB", kind = "date", format = "%d/%m/%Y" }
    phone    = { column = "PHONE", kind = "phone", region = "GB" }
    line     = { column = "ADDRESS", kind = "address" }
    postcode = { column = "POSTCODE", kind = "postcode" }
    seen     = { column = "INTEL_DATE", kind = "date", format = "%d/%m/%Y" }

    [nodes]                            # node name = label + label property -> field
    person = { label = "Person", name = "name", dob = "dob" }
    phone  = { label = "Phone", id = "phone" }
    home   = { label = "Address", postcode = "postcode", line = "line" }

    [[rels]]                           # one table per relationship the row asserts
    type = "USES_PHONE"
    src = "person"
    dst = "phone"
    seen = "seen"                      # shorthand for first_seen = last_seen = "seen"

Rules:

* A field reads one ``column`` or several ``columns`` (joined with ``sep``,
  default one space); ``split`` and ``part`` take one part of the raw text
  (``split = ","``, ``part = 0`` keeps the text before the first comma, ``-1``
  after the last, ``":-1"`` all but the text after the last comma). Every
  other key of a field is an option of its normaliser (``format``,
  ``region``, ``tz``, ``currency``...).
* ``required = true`` makes a field required: a row whose value is missing or
  cannot be normalised is quarantined. An optional field that cannot be
  normalised is dropped from that row only (the row loads; the quarantine
  table records the field with action ``'field dropped'``).
* Node properties name fields. ``Phone``, ``Vehicle`` and ``Business`` take
  ``id``; ``Address`` takes ``postcode`` and ``line`` (its id is
  :func:`~crimnet.ingest.normalise.address_key`) plus optional ``town``, ``lat``
  and ``lon``; ``Account`` takes ``sort_code`` and ``account``, or ``iban``;
  ``Person`` takes ``name``, ``dob``, ``nationality``, ``sex`` and ``nino``
  (people get their ids from entity resolution). A node whose id fields are
  missing in a row is simply absent from that row, with its relationships.
* Relationships name two nodes of the spec (``src``, ``dst``) whose labels must
  fit the type in :mod:`crimnet.schema`, plus property fields (``amount``,
  ``currency``, ``ts``, ``reference``, ``duration_s``) and ``first_seen``,
  ``last_seen`` or ``seen``.

* ``[lists]`` names columns whose cells hold several items (``officers = { column =
  "OFFICERS", sep = ";", item = '(?P<name>.+?) \\(born (?P<dob>.+)\\)' }``); a field reading
  ``"officers.name"`` has one value per item, a node of list fields is one node per item and a
  relationship with a list end is made per item (two different lists in one relationship are
  refused). A field's ``steps`` (split/part, regex, strip, map, null_if) transform its raw text
  in order; nodes and relationships take a ``when`` condition; a ``Holder`` node turns a
  ``holder`` field into a person, a couple or a business known by name. ``docs/specs.md``
  documents each with a worked example (:mod:`crimnet.ingest.transforms`).

Every mistake fails at once with :class:`crimnet.errors.SpecError` naming the
spec file and line; a column the spec needs but the file lacks fails when the
file's header is read (:meth:`SourceSpec.check_columns`).
"""

from __future__ import annotations

import fnmatch
import os
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

from crimnet.errors import SpecError, check_type
from crimnet.ingest.transforms import CONDITION_OPS, STEP_OPS, Condition, ListSpec, Step
from crimnet.schema import NODE_LABELS, REL_TYPES

__all__ = [
    "FieldSpec",
    "HOLDER",
    "NodeSpec",
    "RelSpec",
    "SourceSpec",
    "NODE_PROPERTIES",
    "REL_PROPERTIES",
    "load_spec",
    "parse_spec",
    "load_specs",
    "default_specs",
    "match_spec",
    "normaliser_kinds",
]

# Kinds ingest handles itself (beside crimnet.ingest.normalise.NORMALISERS), without options.
LOCAL_KINDS = frozenset({"integer", "float"})
_FORMAT_KINDS = frozenset({"date", "timestamp"})
_SLICE = re.compile(r"-?\d*:-?\d*")
_FIELD_KEYS = frozenset({"column", "columns", "kind", "required", "sep", "split", "part", "sparse", "steps"})

HOLDER = "Holder"
"""A spec-only node label: an account holder's name that becomes one Person, two Persons (a couple) or a
Business known by name (:func:`crimnet.ingest.normalise.classify_holder`); its ``name`` is a ``holder`` field."""

NODE_PROPERTIES: dict[str, tuple[str, ...]] = {
    "Person": ("name", "dob", "nationality", "sex", "nino"),
    "Phone": ("id",),
    "Address": ("postcode", "line", "town", "lat", "lon"),
    "Account": ("sort_code", "account", "iban"),
    "Business": ("id", "name", "sic", "sector"),
    "Vehicle": ("id",),
    HOLDER: ("name",),
    "Postcode": ("id",),
}
"""Properties a spec may map for each node label (values are field names)."""

REL_PROPERTIES: dict[str, tuple[str, ...]] = {
    name: tuple(f.name for f in rel.properties) for name, rel in REL_TYPES.items()
}
"""Properties a spec may map for each relationship type, besides ``first_seen``/``last_seen``/``seen``."""

_SEEN_KEYS = ("first_seen", "last_seen", "seen")


@dataclass(frozen=True)
class FieldSpec:
    """One normalised field of a source row.

    Attributes
    ----------
    name : str
        Field name, referenced by nodes and relationships.
    columns : tuple of str
        Raw column(s) read; several are joined with `sep` before normalising.
    kind : str
        Normaliser kind (a key of ``crimnet.ingest.normalise.NORMALISERS``, or
        ``'integer'``/``'float'``).
    options : dict
        Keyword options passed to the normaliser (``format``, ``region``...).
    required : bool
        Whether a row without a valid value is quarantined.
    sep : str
        Separator joining several columns.
    split : str or None
        Split the raw text on this separator and keep part `part`.
    part : int or str
        Which part to keep after `split` (negative counts from the end), or a
        slice ``'start:stop'`` of parts joined again with `split`.
    sparse : bool
        The field is expected to be mostly empty (a tenancy's end date, a vehicle
        an intelligence report rarely names): ingest's quality guard does not warn
        that it is (:data:`crimnet.ingest.quality.EMPTY_SHARE`).
    steps : tuple of Step
        Transforms applied in order to the raw text before normalising
        (:func:`crimnet.ingest.transforms.apply_steps`); ``split``/``part`` are the first step.
    list : str or None
        For a list field (``column = "<list>"`` or ``"<list>.<group>"``): the ``[lists]`` entry
        it reads, one value per item.
    group : str or None
        The item pattern's named group a list field reads (None: the whole item).
    """

    name: str
    columns: tuple[str, ...]
    kind: str
    options: dict[str, Any] = field(default_factory=dict)
    required: bool = False
    sep: str = " "
    split: str | None = None
    part: int | str = 0
    sparse: bool = False
    steps: tuple[Step, ...] = ()
    list: str | None = None
    group: str | None = None

    @property
    def label(self) -> str:
        """The raw column name(s) as shown in quarantine messages (``'A+B'`` for several)."""
        return "+".join(self.columns)


@dataclass(frozen=True)
class NodeSpec:
    """One node a source row may assert: a label and a property -> field mapping.

    ``list`` names the ``[lists]`` entry its fields read (one node per item), None for a
    node of the row; ``when`` keeps the node only in rows (items) passing the condition.
    """

    name: str
    label: str
    props: dict[str, str]
    when: Condition | None = None
    list: str | None = None


@dataclass(frozen=True)
class RelSpec:
    """One relationship a source row may assert between two nodes of the spec."""

    type: str
    src: str
    dst: str
    props: dict[str, str]
    first_seen: str | None = None
    last_seen: str | None = None
    when: Condition | None = None
    list: str | None = None


@dataclass(frozen=True)
class SourceSpec:
    """A parsed, validated source spec (see the module docstring for the TOML schema).

    Attributes
    ----------
    name : str
        Source name (recorded in ``sources`` and in record ids ``'<name>:<id>'``).
    files : tuple of str
        Glob patterns of file names this spec reads.
    record_id : str
        Column holding the row's unique record id.
    delimiter, encoding : str or None
        CSV options; ``None`` means sniff the delimiter / use UTF-8.
    fields : dict of str to FieldSpec
    nodes : dict of str to NodeSpec
    rels : tuple of RelSpec
    path : str
        Where the spec came from (for messages).
    """

    name: str
    files: tuple[str, ...]
    record_id: str
    fields: dict[str, FieldSpec]
    nodes: dict[str, NodeSpec]
    rels: tuple[RelSpec, ...]
    delimiter: str | None = None
    encoding: str | None = None
    path: str = "<spec>"
    text: str = field(default="", repr=False, compare=False)
    lists: dict[str, ListSpec] = field(default_factory=dict)

    @property
    def columns(self) -> list[str]:
        """Every raw column the spec reads, record id first, without repeats."""
        cols = [self.record_id]
        for f in self.fields.values():
            cols.extend(f.columns)
        cols.extend(lst.column for lst in self.lists.values())
        return list(dict.fromkeys(cols))

    def matches(self, filename: str | Path) -> bool:
        """Whether a file name matches one of the spec's patterns (case-insensitive)."""
        base = Path(filename).name.lower()
        return any(fnmatch.fnmatch(base, pat.lower()) for pat in self.files)

    def check_columns(self, header: Iterable[str], *, file: str = "") -> None:
        """Raise :class:`SpecError` if the spec reads a column that `header` lacks.

        The message names the spec file and the line of the first field using
        the missing column, and the columns the file does have.
        """
        have = set(header)
        missing = [c for c in self.columns if c not in have]
        if not missing:
            return
        col = missing[0]
        lst = next((x for x in self.lists.values() if x.column == col), None)
        if col == self.record_id:
            line = _line_of(self.text, ("source", "record_id"))
        elif lst is not None:
            line = _line_of(self.text, ("lists", lst.name, "column"))
        else:
            fname = next(f.name for f in self.fields.values() if col in f.columns)
            line = _line_of(self.text, ("fields", fname, "column"))
        where = f" in {file}" if file else ""
        raise SpecError(
            f"{self.path} line {line}: column {col!r} is not in the header{where}; the file has columns {sorted(have)}."
        )


def normaliser_kinds() -> frozenset[str]:
    """Return the normaliser kinds a spec may name.

    >>> {"phone", "date", "integer"} <= normaliser_kinds()
    True
    """
    from crimnet.ingest.normalise import NORMALISERS  # imported here: it loads phonenumbers

    return frozenset(NORMALISERS) | LOCAL_KINDS


def _normaliser_params(kind: str) -> set[str]:
    """Option names the normaliser of `kind` (one of :func:`normaliser_kinds`) accepts."""
    from crimnet.ingest.normalise import NORMALISERS, normaliser_options

    return set(normaliser_options(kind)) if kind in NORMALISERS else set()


_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"""^\s*("[^"]*"|'[^']*'|[A-Za-z0-9_.\-]+)\s*=""")
_INNER_KEY = re.compile(r"""(?:^|[{,])\s*("[^"]*"|'[^']*'|[A-Za-z0-9_\-]+)\s*=""")


def _split_key(key: str) -> list[str]:
    return [p.strip().strip("\"'") for p in key.split(".")]


def _line_of(text: str, path: Sequence[str | int]) -> int:
    """Find the 1-based line of the key at `path` in TOML `text` (best effort).

    `path` is a key path such as ``('fields', 'dob', 'format')`` or
    ``('rels', 2, 'type')`` (an int indexes an array of tables). tomllib does
    not report positions, so the text is scanned for table headers, key
    assignments and the keys of inline tables; the line of the longest key
    path that is a prefix of `path` wins (line 1 when none is).
    """
    target = list(path)
    entries: list[tuple[int, list[str | int]]] = []
    current: list[str | int] = []
    arrays: dict[tuple, int] = {}
    for no, raw in enumerate(text.splitlines(), start=1):
        h = _HEADER.match(raw)
        if h:
            keys: list[str | int] = list(_split_key(h.group(2)))
            if h.group(1) == "[[":
                idx = arrays.get(tuple(keys), -1) + 1
                arrays[tuple(keys)] = idx
                keys = [*keys, idx]
            current = keys
            entries.append((no, list(current)))
            continue
        k = _KEY.match(raw)
        if not k:
            continue
        full = current + _split_key(k.group(1))
        entries.append((no, full))
        rest = raw[k.end() :].split("#", 1)[0]
        if "{" in rest:
            entries.extend((no, [*full, m.group(1).strip("\"'")]) for m in _INNER_KEY.finditer(rest))
    best, best_len = 1, 0
    for no, keys in entries:
        if len(keys) > best_len and keys == target[: len(keys)]:
            best, best_len = no, len(keys)
    if best_len < len(target):
        # The target may be a table whose first line is deeper (an array of tables).
        deeper = next((no for no, keys in entries if keys[: len(target)] == target), None)
        if deeper is not None:
            return deeper
    return best


def _err(spec_path: str, text: str, path: Sequence[str | int], msg: str) -> SpecError:
    return SpecError(f"{spec_path} line {_line_of(text, path)}: {msg}")


def _check_format(fmt: Any) -> str | None:
    """Return why `fmt` is not a usable format, or None when it is.

    A usable format is a strptime format, or ``'ISO8601'``, which both the date and the timestamp
    normalisers accept (:func:`~crimnet.ingest.normalise.normalise_timestamp`'s default).
    """
    if fmt == "ISO8601":
        return None
    if not isinstance(fmt, str) or "%" not in fmt:
        return f"{fmt!r} is not a strptime format string (it needs % directives such as %d/%m/%Y) or 'ISO8601'"
    sample = datetime(2001, 2, 3, 4, 5, 6)
    try:
        datetime.strptime(sample.strftime(fmt), fmt)
    except ValueError as exc:
        return f"{fmt!r} is not a valid strptime format ({exc})"
    return None


def parse_spec(text: str, *, path: str = "<spec>") -> SourceSpec:
    """Parse and validate the TOML text of a source spec.

    Parameters
    ----------
    text : str
        TOML text (schema in the module docstring).
    path : str, default '<spec>'
        Name used in error messages.

    Returns
    -------
    SourceSpec

    Raises
    ------
    crimnet.errors.SpecError
        On any mistake, naming `path` and the line.

    Examples
    --------
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
    >>> spec.columns
    ['id', 'from', 'to']
    >>> parse_spec('[source]\\nname = "x"\\nfiles = ["x.csv"]\\nrecord_id = "id"\\n[nodes]\\nn = { label = "Boat" }')
    Traceback (most recent call last):
    ...
    crimnet.errors.SpecError: <spec> line 6: node 'n' has unknown label 'Boat'; expected one of [...].
    """
    check_type(text, str, param="text", func="parse_spec", expected="a str")
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise SpecError(f"{path} line {m.group(1) if m else 1}: not valid TOML ({exc}).") from None

    def fail(where: Sequence[str | int], msg: str) -> SpecError:
        return _err(path, text, where, msg)

    unknown = sorted(set(doc) - {"source", "lists", "fields", "nodes", "rels"})
    if unknown:
        raise fail((unknown[0],), f"unknown section {unknown[0]!r}; expected source, lists, fields, nodes, rels.")
    src = doc.get("source")
    if not isinstance(src, dict):
        raise fail(("source",), "a spec needs a [source] table with name, files and record_id.")
    bad = sorted(set(src) - {"name", "files", "record_id", "delimiter", "encoding"})
    if bad:
        raise fail(
            ("source", bad[0]),
            f"unknown key {bad[0]!r} in [source]; expected name, files, record_id, delimiter, encoding.",
        )
    for key in ("name", "files", "record_id"):
        if key not in src:
            raise fail(("source",), f"[source] needs {key!r}.")
    name = src["name"]
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9_\-]+", name):
        raise fail(("source", "name"), f"source name must be letters, digits, '_' or '-'; got {name!r}.")
    files = src["files"]
    files = [files] if isinstance(files, str) else files
    if not isinstance(files, list) or not files or not all(isinstance(f, str) and f for f in files):
        raise fail(("source", "files"), f"'files' must be a non-empty list of glob patterns; got {src['files']!r}.")
    if not isinstance(src["record_id"], str) or not src["record_id"]:
        raise fail(("source", "record_id"), "'record_id' must name a column.")
    delimiter = src.get("delimiter")
    if delimiter is not None and (not isinstance(delimiter, str) or len(delimiter) != 1):
        raise fail(("source", "delimiter"), f"'delimiter' must be one character; got {delimiter!r}.")
    encoding = src.get("encoding")
    if encoding is not None:
        import codecs

        try:
            codecs.lookup(encoding)
        except (LookupError, TypeError):
            raise fail(("source", "encoding"), f"unknown encoding {encoding!r}.") from None

    lists = _parse_lists(doc.get("lists", {}), fail)
    kinds = normaliser_kinds()
    fields: dict[str, FieldSpec] = {}
    raw_fields = doc.get("fields", {})
    if not isinstance(raw_fields, dict):
        raise fail(("fields",), "[fields] must be a table of field = { column = ..., kind = ... }.")
    for fname, f in raw_fields.items():
        where: tuple[str, ...] = ("fields", fname)
        if not isinstance(f, dict):
            raise fail(where, f"field {fname!r} must be a table with column and kind.")
        if "kind" not in f:
            raise fail(where, f"field {fname!r} needs a normaliser 'kind'; one of {sorted(kinds)}.")
        kind = f["kind"]
        if kind not in kinds:
            raise fail(
                (*where, "kind"), f"field {fname!r} has unknown normaliser {kind!r}; expected one of {sorted(kinds)}."
            )
        if ("column" in f) == ("columns" in f):
            raise fail(where, f"field {fname!r} needs exactly one of 'column' or 'columns'.")
        cols = [f["column"]] if "column" in f else f["columns"]
        if not isinstance(cols, list) or not cols or not all(isinstance(c, str) and c for c in cols):
            raise fail((*where, "columns" if "columns" in f else "column"), f"field {fname!r}: columns must be names.")
        lname, group = _list_ref(f.get("column"), lists, lambda msg, w=where: fail((*w, "column"), msg))
        if lname is None and "columns" in f and any(_list_ref(c, lists, None)[0] for c in cols):
            raise fail(
                (*where, "columns"), f"field {fname!r}: a list field reads one list with 'column', not 'columns'."
            )
        if lname is not None:
            cols = [lists[lname].column]
        options = {k: v for k, v in f.items() if k not in _FIELD_KEYS}
        accepted = _normaliser_params(kind)
        extra = sorted(set(options) - accepted)
        if extra:
            raise fail(
                (*where, extra[0]),
                f"field {fname!r}: normaliser {kind!r} has no option {extra[0]!r}; its options are {sorted(accepted)}.",
            )
        if kind in _FORMAT_KINDS and "format" in options:
            fmts = options["format"] if isinstance(options["format"], list) else [options["format"]]
            for fmt in fmts:
                why = _check_format(fmt)
                if why:
                    raise fail((*where, "format"), f"field {fname!r}: {why}.")
        required = f.get("required", False)
        if not isinstance(required, bool):
            raise fail((*where, "required"), f"field {fname!r}: 'required' must be true or false.")
        if required and lname is not None:
            raise fail(
                (*where, "required"),
                f"field {fname!r}: a list field cannot be required (items that fail are dropped one by one).",
            )
        sparse = f.get("sparse", False)
        if not isinstance(sparse, bool):
            raise fail((*where, "sparse"), f"field {fname!r}: 'sparse' must be true or false.")
        part = f.get("part", 0)
        if isinstance(part, bool) or not (isinstance(part, int) or (isinstance(part, str) and _SLICE.fullmatch(part))):
            raise fail(
                (*where, "part"), f"field {fname!r}: 'part' must be an integer or a slice such as ':-1'; got {part!r}."
            )
        split = f.get("split")
        if split is not None and (not isinstance(split, str) or not split):
            raise fail((*where, "split"), f"field {fname!r}: 'split' must be a non-empty separator; got {split!r}.")
        steps: tuple[Step, ...] = (Step("split", split, part),) if split is not None else ()
        steps += _parse_steps(f.get("steps", []), lambda msg, w=where: fail((*w, "steps"), msg), fname)
        fields[fname] = FieldSpec(
            name=fname,
            columns=tuple(cols),
            kind=kind,
            options=options,
            required=required,
            sep=str(f.get("sep", " ")),
            split=split,
            part=part,
            sparse=sparse,
            steps=steps,
            list=lname,
            group=group,
        )

    nodes: dict[str, NodeSpec] = {}
    raw_nodes = doc.get("nodes", {})
    if not isinstance(raw_nodes, dict):
        raise fail(("nodes",), "[nodes] must be a table of node = { label = ..., property = field }.")
    for nname, n in raw_nodes.items():
        where = ("nodes", nname)
        if not isinstance(n, dict) or "label" not in n:
            raise fail(where, f"node {nname!r} needs a 'label'; one of {sorted(NODE_LABELS)}.")
        label = n["label"]
        if label not in NODE_LABELS and label != HOLDER:
            raise fail(
                (*where, "label"),
                f"node {nname!r} has unknown label {label!r}; expected one of {sorted([*NODE_LABELS, HOLDER])}.",
            )
        props = {k: v for k, v in n.items() if k not in ("label", "when")}
        allowed = NODE_PROPERTIES[label]
        for prop, fref in props.items():
            if prop not in allowed:
                raise fail(
                    (*where, prop),
                    f"node {nname!r} ({label}) has unknown property {prop!r}; expected one of {list(allowed)}.",
                )
            if fref not in fields:
                raise fail(
                    (*where, prop),
                    f"node {nname!r}: property {prop!r} names unknown field {fref!r}; fields are {sorted(fields)}.",
                )
        _check_node_ids(label, nname, props, lambda msg, w=where: fail(w, msg))
        if label == HOLDER and fields[props["name"]].kind != "holder":
            raise fail((*where, "name"), f"node {nname!r} (Holder) needs a field of kind 'holder' as its name.")
        node_list = _one_list([fields[v].list for v in props.values()], lambda msg, w=where: fail(w, msg), nname)
        if label == HOLDER and node_list is not None:
            raise fail((*where, "name"), f"node {nname!r}: a Holder node cannot read a list field.")
        when = _parse_when(n.get("when"), fields, lambda msg, w=where: fail((*w, "when"), msg))
        if when is not None:
            node_list = _one_list(
                [node_list, fields[when.field].list], lambda msg, w=where: fail((*w, "when"), msg), nname
            )
        nodes[nname] = NodeSpec(name=nname, label=label, props=props, when=when, list=node_list)

    rels: list[RelSpec] = []
    raw_rels = doc.get("rels", [])
    if not isinstance(raw_rels, list):
        raise fail(("rels",), "'rels' must be an array of tables ([[rels]]).")
    for i, r in enumerate(raw_rels):
        if not isinstance(r, dict) or "type" not in r:
            raise fail(("rels", i), "every [[rels]] entry needs a 'type'.")
        rtype = r["type"]
        if rtype not in REL_TYPES:
            raise fail(
                ("rels", i, "type"), f"unknown relationship type {rtype!r}; expected one of {sorted(REL_TYPES)}."
            )
        rt = REL_TYPES[rtype]
        for end, want in (("src", rt.src), ("dst", rt.dst)):
            if end not in r:
                raise fail(("rels", i), f"{rtype} needs {end!r} naming a {want} node of [nodes].")
            if r[end] not in nodes:
                raise fail(
                    ("rels", i, end), f"{rtype} {end} {r[end]!r} is not a node of [nodes]; nodes are {sorted(nodes)}."
                )
            if nodes[r[end]].label != want and not (nodes[r[end]].label == HOLDER and want == "Person"):
                raise fail(
                    ("rels", i, end),
                    f"{rtype} {end} must be a {want} node; {r[end]!r} has label {nodes[r[end]].label}.",
                )
        props = {k: v for k, v in r.items() if k not in ("type", "src", "dst", "when")}
        for prop, fref in props.items():
            if prop not in REL_PROPERTIES[rtype] and prop not in _SEEN_KEYS:
                raise fail(
                    ("rels", i, prop),
                    f"{rtype} has unknown property {prop!r}; expected one of {[*REL_PROPERTIES[rtype], *_SEEN_KEYS]}.",
                )
            if fref not in fields:
                raise fail(
                    ("rels", i, prop),
                    f"{rtype} property {prop!r} names unknown field {fref!r}; fields are {sorted(fields)}.",
                )
        when = _parse_when(r.get("when"), fields, lambda msg, i=i: fail(("rels", i, "when"), msg))
        used = [nodes[r["src"]].list, nodes[r["dst"]].list, *(fields[v].list for v in props.values())]
        if when is not None:
            used.append(fields[when.field].list)
        rel_list = _one_list(used, lambda msg, i=i: fail(("rels", i), msg), f"{rtype} {r['src']}->{r['dst']}")
        seen = props.pop("seen", None)
        first = props.pop("first_seen", seen)
        last = props.pop("last_seen", seen)
        rels.append(
            RelSpec(
                type=rtype, src=r["src"], dst=r["dst"], props=props, first_seen=first, last_seen=last, when=when,
                list=rel_list,
            )
        )  # fmt: skip

    return SourceSpec(
        name=name,
        files=tuple(files),
        record_id=src["record_id"],
        fields=fields,
        nodes=nodes,
        rels=tuple(rels),
        delimiter=delimiter,
        encoding=encoding,
        path=path,
        text=text,
        lists=lists,
    )


def _parse_lists(raw: Any, fail: Any) -> dict[str, ListSpec]:
    """The ``[lists]`` table: name = { column, sep, item }."""
    if not isinstance(raw, dict):
        raise fail(("lists",), "[lists] must be a table of list = { column = ..., sep = ..., item = ... }.")
    out: dict[str, ListSpec] = {}
    for lname, spec in raw.items():
        where = ("lists", lname)
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", lname):
            raise fail(where, f"list name must be letters, digits or '_'; got {lname!r}.")
        if not isinstance(spec, dict):
            raise fail(where, f"list {lname!r} must be a table with column and sep.")
        bad = sorted(set(spec) - {"column", "sep", "item"})
        if bad:
            raise fail((*where, bad[0]), f"list {lname!r} has unknown key {bad[0]!r}; expected column, sep, item.")
        column, sep, item = spec.get("column"), spec.get("sep"), spec.get("item")
        if not isinstance(column, str) or not column:
            raise fail(where, f"list {lname!r} needs 'column' naming the raw column.")
        if not isinstance(sep, str) or not sep:
            raise fail((*where, "sep") if "sep" in spec else where, f"list {lname!r} needs a non-empty 'sep'.")
        if item is not None:
            if not isinstance(item, str):
                raise fail((*where, "item"), f"list {lname!r}: 'item' must be a regular expression.")
            try:
                pattern = re.compile(item)
            except re.error as exc:
                raise fail(
                    (*where, "item"), f"list {lname!r}: 'item' is not a valid regular expression ({exc})."
                ) from None
            if not pattern.groupindex:
                raise fail((*where, "item"), f"list {lname!r}: 'item' needs named groups such as (?P<name>...).")
        out[lname] = ListSpec(name=lname, column=column, sep=sep, item=item)
    return out


def _list_ref(column: Any, lists: dict[str, ListSpec], fail: Any) -> tuple[str | None, str | None]:
    """``'officers.name'`` -> ('officers', 'name'); ``'phones'`` -> ('phones', None); a raw column -> (None, None)."""
    if not isinstance(column, str) or not lists:
        return None, None
    if column in lists:
        return column, None
    head, dot, group = column.partition(".")
    if not dot or head not in lists:
        return None, None
    if group not in lists[head].groups:
        if fail is None:
            return head, group
        raise fail(f"list {head!r} has no item group {group!r}; its groups are {list(lists[head].groups)}.")
    return head, group


def _one_list(names: Sequence[str | None], fail: Any, what: str) -> str | None:
    """The one list `names` use (None: none), refusing two different lists."""
    used = sorted({n for n in names if n is not None})
    if len(used) > 1:
        raise fail(f"{what} uses two different lists {used}; one node or relationship may expand one list only.")
    return used[0] if used else None


def _parse_steps(raw: Any, fail: Any, fname: str) -> tuple[Step, ...]:
    """A field's ``steps = [ { op = arg }, ... ]``."""
    if not isinstance(raw, list):
        raise fail(f"field {fname!r}: 'steps' must be a list of one-key tables such as {{ strip = \" \" }}.")
    out: list[Step] = []
    for k, step in enumerate(raw):
        keys = set(step) if isinstance(step, dict) else set()
        ops = sorted(keys & set(STEP_OPS))
        extra = sorted(keys - set(STEP_OPS) - ({"part"} if ops == ["split"] else set()))
        if len(ops) != 1 or extra:
            raise fail(f"field {fname!r}: step {k + 1} must have exactly one of {list(STEP_OPS)}; got {step!r}.")
        op, arg = ops[0], step[ops[0]]
        part: int | str = 0
        if op == "split":
            part = step.get("part", 0)
            if not isinstance(arg, str) or not arg:
                raise fail(f"field {fname!r}: step {k + 1}: 'split' must be a non-empty separator.")
            if isinstance(part, bool) or not (
                isinstance(part, int) or (isinstance(part, str) and _SLICE.fullmatch(part))
            ):
                raise fail(f"field {fname!r}: step {k + 1}: 'part' must be an integer or a slice such as ':-1'.")
        elif op == "regex":
            try:
                re.compile(arg)
            except (re.error, TypeError) as exc:
                raise fail(
                    f"field {fname!r}: step {k + 1}: 'regex' is not a valid regular expression ({exc})."
                ) from None
        elif op == "strip":
            if arg is True:
                arg = None
            elif not isinstance(arg, str) or not arg:
                raise fail(f"field {fname!r}: step {k + 1}: 'strip' must be true or the characters to strip.")
        elif op == "map":
            if not isinstance(arg, dict) or not all(isinstance(v, str) for v in arg.values()):
                raise fail(f"field {fname!r}: step {k + 1}: 'map' must be a table of text = text.")
            arg = dict(arg)
        elif op == "null_if":
            arg = [arg] if isinstance(arg, str) else arg
            if not isinstance(arg, list) or not all(isinstance(v, str) for v in arg):
                raise fail(f"field {fname!r}: step {k + 1}: 'null_if' must be a list of text values.")
            arg = tuple(arg)
        out.append(Step(op, arg, part))
    return tuple(out)


def _parse_when(raw: Any, fields: dict[str, FieldSpec], fail: Any) -> Condition | None:
    """A node's or relationship's ``when = { field = ..., <test> = ... }``."""
    if raw is None:
        return None
    if not isinstance(raw, dict) or "field" not in raw:
        raise fail(f"'when' must be a table with 'field' and one of {list(CONDITION_OPS)}.")
    if raw["field"] not in fields:
        raise fail(f"'when' names unknown field {raw['field']!r}; fields are {sorted(fields)}.")
    tests = {k: v for k, v in raw.items() if k != "field"}
    bad = sorted(set(tests) - set(CONDITION_OPS))
    if bad or not tests:
        raise fail(f"'when' needs one of {list(CONDITION_OPS)} beside 'field'; got {sorted(tests)}.")
    for op, arg in tests.items():
        if op in ("min", "max") and (isinstance(arg, bool) or not isinstance(arg, (int, float, str))):
            raise fail(f"'when' {op} must be a number or text; got {arg!r}.")
        if op in ("in", "not_in") and (not isinstance(arg, list) or not arg):
            raise fail(f"'when' {op} must be a non-empty list of values; got {arg!r}.")
        if op == "matches":
            try:
                re.compile(arg)
            except (re.error, TypeError) as exc:
                raise fail(f"'when' matches is not a valid regular expression ({exc}).") from None
        if op == "present" and not isinstance(arg, bool):
            raise fail(f"'when' present must be true or false; got {arg!r}.")
    return Condition(field=raw["field"], tests=tests)


def _check_node_ids(label: str, nname: str, props: dict[str, str], fail: Any) -> None:
    if label in ("Phone", "Vehicle", "Postcode") and "id" not in props:
        raise fail(f"node {nname!r} ({label}) needs 'id' naming a field.")
    if label == "Business" and not {"id", "name"} & set(props):
        raise fail(f"node {nname!r} (Business) needs 'id' (company number) or 'name' naming a field.")
    if label == "Address" and not {"postcode", "line"} <= set(props):
        raise fail(f"node {nname!r} (Address) needs 'postcode' and 'line' fields.")
    if label == "Account" and not ({"sort_code", "account"} <= set(props) or "iban" in props):
        raise fail(f"node {nname!r} (Account) needs 'sort_code' and 'account', or 'iban'.")
    if label in ("Person", HOLDER) and "name" not in props:
        raise fail(f"node {nname!r} ({label}) needs a 'name' field.")


def load_spec(path: str | Path) -> SourceSpec:
    """Read and validate one spec file.

    Raises
    ------
    crimnet.errors.SpecError
        If the file cannot be read or the spec is wrong (naming file and line).
    """
    check_type(path, (str, os.PathLike), param="path", func="load_spec", expected="a path (str or os.PathLike)")
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise SpecError(f"{p}: cannot read spec ({exc.strerror or exc}).") from None
    except UnicodeDecodeError:
        raise SpecError(f"{p} line 1: spec files must be UTF-8 text.") from None
    return parse_spec(text, path=str(p))


def default_specs() -> list[SourceSpec]:
    """Return the specs that ship with crimnet (one per generated source file)."""
    out = []
    for entry in sorted(resources.files("crimnet.ingest").joinpath("specs").iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            out.append(parse_spec(entry.read_text(encoding="utf-8"), path=f"crimnet/ingest/specs/{entry.name}"))
    return out


def load_specs(specs: str | Path | SourceSpec | Sequence[str | Path | SourceSpec] | None = None) -> list[SourceSpec]:
    """Load specs from files, directories of ``*.toml`` files, or return the defaults.

    Parameters
    ----------
    specs : path, SourceSpec, sequence of them, or None
        None gives :func:`default_specs`.

    Raises
    ------
    crimnet.errors.SpecError
        For a missing path, a wrong spec or two specs with the same name.
    """
    check_type(
        specs,
        (str, os.PathLike, SourceSpec, list, tuple, type(None)),
        param="specs",
        func="load_specs",
        expected="a path, a SourceSpec, a list of them or None",
    )
    if specs is None:
        return default_specs()
    items = [specs] if isinstance(specs, (str, Path, SourceSpec)) else list(specs)
    out: list[SourceSpec] = []
    for item in items:
        if isinstance(item, SourceSpec):
            out.append(item)
            continue
        p = Path(item)
        if p.is_dir():
            out.extend(load_spec(f) for f in sorted(p.glob("*.toml")))
        elif p.exists():
            out.append(load_spec(p))
        else:
            raise SpecError(f"{p}: no such spec file or directory.")
    names = [s.name for s in out]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise SpecError(f"Two specs define source {dup[0]!r}: {[s.path for s in out if s.name == dup[0]]}.")
    return out


def match_spec(filename: str | Path, specs: Sequence[SourceSpec]) -> SourceSpec | None:
    """Return the spec whose file patterns match `filename`, or None.

    A spec whose patterns name the file exactly wins over a glob match.

    >>> specs = [s for s in default_specs() if s.name in ("police_intel", "payroll")]
    >>> match_spec("case/police_intel.csv", specs).name
    'police_intel'
    >>> match_spec("notes.txt", specs) is None
    True
    """
    check_type(
        filename, (str, os.PathLike), param="filename", func="match_spec", expected="a path (str or os.PathLike)"
    )
    base = Path(filename).name.lower()
    exact = [s for s in specs if base in (p.lower() for p in s.files)]
    if exact:
        return exact[0]
    hits = [s for s in specs if s.matches(filename)]
    return hits[0] if hits else None
