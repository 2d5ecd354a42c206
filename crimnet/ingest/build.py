"""Canonical table builder: from normalised source rows to nodes and relationships with provenance.

Ingest works in two steps. :func:`extract` turns one chunk of normalised rows
of one source into *evidence*: compact long tables of node mentions, person
records, pair relationships and events, each row carrying its source and
record key ``'<source>:<record id>'``. After entity resolution has given every
person record an entity id, :func:`build_tables` aggregates all evidence into
:class:`crimnet.tables.CanonicalTables`:

* nodes are deduplicated by id; ``sources`` and ``record_ids`` collect every
  mention (sorted, unique); every other attribute takes the most common
  non-null value among the mentions (ties: the smallest value). People are
  grouped by entity id, so a person's name, dob, nationality and sex are the
  most common among the records resolved to that person;
* pair relationships are aggregated per ``(src, dst)`` after person record
  keys are replaced by entity ids; ``first_seen`` is the earliest and
  ``last_seen`` the latest date any record gives;
* a pair type's own properties (``ASSOCIATE_OF.wording``) keep the distinct values
  of its records, sorted and joined with ``' | '`` (:data:`crimnet.schema.PAIR_VALUE_SEP`),
  so the result does not depend on the order of records or batches; a Person -> Person
  pair whose two ends resolve to one person is dropped;
* derived rows: every Address gives its ``Postcode`` node and an ``IN_POSTCODE`` pair
  (with the address mention's provenance), and ``WORKS_AT`` gains the pairs that
  :func:`crimnet.ingest.derive.wage_employment` derives from ``PAID``, ``HOLDS`` and
  ``OWNS`` (source ``'derived:wages'``, record ids of the payments);
* a ``Business`` without a company number in a row gets ``'name:' + normalised name``
  (:func:`crimnet.ingest.normalise.business_name_key`); a ``Postcode`` node's id is the
  normalised postcode and its ``district`` the outward code;
* with ``address_variants`` (:mod:`crimnet.ingest.resolve_addresses`, as ingest passes them), every
  spelling of one place becomes its canonical Address id first, in nodes and at every Address end,
  each row keeping its source and record (the evidence itself is not changed); with
  ``business_names`` (:mod:`crimnet.ingest.resolve_businesses`) a Business known only by name becomes
  the registered business of that name the same way;
* events (``PAID``, ``CALLED``, ``SEEN_AT``, ``SEEN_IN``) keep one row each with id
  ``'<source>:<record id>'``; when a spec has several relationships of one event
  type, the k-th (k >= 2) has id ``'<source>#<k>:<record id>'``. Source names hold
  no ``'#'`` or ``':'``, so these ids never collide, whatever the record ids hold.

Evidence is kept with the ingest output (``evidence/``), so a later batch is
merged by concatenating evidence (a re-ingested record replaces its earlier
version) and rebuilding: the merged graph equals the graph of one ingest of all
batches together, with entity ids kept stable by resolution.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from crimnet.errors import IngestError, SchemaError, check_type
from crimnet.ingest.resolve_addresses import AddressVariants
from crimnet.ingest.resolve_businesses import BusinessNames
from crimnet.ingest.specs import SourceSpec
from crimnet.schema import NODE_LABELS, PAIR_VALUE_SEP, REL_TYPES
from crimnet.tables import CanonicalTables, arrow_schema, check_keys, empty_table, table_filename

__all__ = [
    "Evidence",
    "EvidenceSpill",
    "PERSON_RECORD_COLUMNS",
    "extract",
    "build_tables",
    "lazy_tables",
    "write_tables",
    "sector_of",
    "person_record_ids",
    "person_row_keys",
    "postcode_district",
]

PERSON_RECORD_COLUMNS = [
    "source", "record_id", "name", "dob", "postcode", "address_id", "phone", "account_id", "nino", "nationality", "sex",
    "holder_rule", "business_id", "row_key", "field", "item",
]  # fmt: skip
"""Columns of the person records passed to entity resolution (and written to ``records.parquet``);
``holder_rule`` is the rule that classified a ``Holder`` node's name as this person or couple
(:func:`crimnet.ingest.normalise.classify_holder`), NA for other records; ``business_id`` the business
the record works at or directs (``WORKS_AT``, ``DIRECTS``) or, for the payee of a payment, the
business that paid it (:func:`extract`). ``row_key`` (``'<source>:<row record id>'``), ``field`` (the
spec's person node) and ``item`` (the person's number in a list cell or a couple holder, from 1; NA
otherwise) say where in its source the record was written, so that resolution never reads them back from
a ``'#'`` in the record id (an agency's own ids may hold one)."""

_NODE_ATTRS = {label: [f.name for f in NODE_LABELS[label].properties] for label in NODE_LABELS if label != "Person"}
_PAIR_COLS = ["src", "dst", "source", "record", "first_seen", "last_seen"]
BUSINESS_HOLDER_TYPES = {"HOLDS": "OWNS", "LETS": "MANAGES"}
"""What a relationship from a ``Holder`` becomes when the holder is a business (others are dropped)."""

# SIC 2007 code prefixes to sector labels (longest prefix wins).
_SIC_SECTORS = {
    "561": "hot_food",
    "5610": "hot_food",
    "47110": "convenience_store",
    "4711": "convenience_store",
    "4520": "car_wash",
    "96020": "nail_bar",
    "9602": "nail_bar",
    "9604": "beauty_and_wellbeing",
    "01": "agriculture",
    "02": "agriculture",
    "03": "agriculture",
    "41": "construction",
    "42": "construction",
    "43": "construction",
    "55": "accommodation",
    "96010": "laundry",
    "8121": "cleaning",
    "8122": "cleaning",
    "10": "food_processing",
    "52": "warehousing",
    "78": "employment_agency",
    "49": "transport",
}


def sector_of(sic: pd.Series) -> pd.Series:
    """Map SIC 2007 codes to sector labels (longest matching prefix); unknown codes give NA.

    >>> sector_of(pd.Series(["56103", "45200", "96020", "01130", "99999", None])).tolist()
    ['hot_food', 'car_wash', 'nail_bar', 'agriculture', nan, nan]
    """
    check_type(sic, pd.Series, param="sic", func="sector_of", expected="a pandas Series")
    codes = sic.astype("str").str.replace(r"\D", "", regex=True)
    out = pd.Series(np.nan, index=sic.index, dtype=object)
    for prefix in sorted(_SIC_SECTORS, key=len):
        hit = codes.str.startswith(prefix).fillna(False).to_numpy(bool) & sic.notna().to_numpy()
        out[hit] = _SIC_SECTORS[prefix]
    return out.astype("str")


@dataclass
class Evidence:
    """Compact long tables extracted from source rows, before aggregation.

    Attributes
    ----------
    nodes : dict of str to DataFrame
        Per non-person label: ``id``, the label's attributes, ``source``, ``record``.
    persons : DataFrame
        Person records: :data:`PERSON_RECORD_COLUMNS`. ``record_id`` is the raw
        record id (with ``'#<node>'`` appended when a spec has several person nodes).
    pairs : dict of str to DataFrame
        Per pair relationship type: ``src``, ``dst``, ``source``, ``record``,
        ``first_seen``, ``last_seen``. An end that is a Person holds the person
        record key ``'<source>:<record_id>'`` until :func:`build_tables`.
    events : dict of str to DataFrame
        Per event type: ``id``, ``src``, ``dst``, properties, ``source``, ``record``.
    person_nodes : dict of str to tuple of str
        Per source whose spec has several person nodes: their node names, i.e. the
        ``'#<node>'`` suffixes its person ``record_id`` values carry (sources with one
        person node are absent: their person ``record_id`` is the row's record id, exactly).
        Not written by :meth:`write`; :meth:`EvidenceSpill.add_previous` uses it to find the
        row of a person record without guessing from a ``'#'`` in the id.
    """

    nodes: dict[str, pd.DataFrame] = field(default_factory=dict)
    persons: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=PERSON_RECORD_COLUMNS))
    pairs: dict[str, pd.DataFrame] = field(default_factory=dict)
    events: dict[str, pd.DataFrame] = field(default_factory=dict)
    person_nodes: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def write(self, directory: str | Path) -> None:
        """Write nodes, pairs and events as Parquet files under `directory` (persons go to ``records.parquet``)."""
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        for attr in ("nodes", "pairs", "events"):
            frames = getattr(self, attr)
            for name in frames:
                if isinstance(frames, _PartedFrames):  # spilled: straight from Arrow, no pandas round trip
                    pq.write_table(frames.arrow(name), d / f"{attr}_{name}.parquet")
                else:
                    _write(frames[name], d / f"{attr}_{name}.parquet")

    @classmethod
    def read(cls, directory: str | Path, persons: pd.DataFrame | None = None) -> Evidence:
        """Read evidence written by :meth:`write`, with the person records `persons`."""
        d = Path(directory)
        if not d.is_dir():
            raise IngestError(f"{d}: no evidence directory; is this an ingest output?")
        out = cls()
        if persons is not None:
            out.persons = persons.reindex(columns=PERSON_RECORD_COLUMNS)
        for attr in ("nodes", "pairs", "events"):
            for f in sorted(d.glob(f"{attr}_*.parquet")):
                getattr(out, attr)[f.stem[len(attr) + 1 :]] = pq.read_table(f).to_pandas()
        return out


class _PartedFrames(Mapping[str, pd.DataFrame]):
    """Evidence tables spilled to Parquet parts; a table is read back (whole) each time it is accessed."""

    def __init__(self, parts: dict[str, list[Path]]) -> None:
        self._parts = parts

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.arrow(name).to_pandas()

    def arrow(self, name: str) -> pa.Table:
        """The table `name` as one Arrow table (its parts concatenated in order)."""
        tables = [pq.read_table(p) for p in self._parts[name]]
        # permissive: parts may type one text column as string or large_string (from object or str columns)
        return pa.concat_tables(tables, promote_options="permissive") if len(tables) > 1 else tables[0]

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._parts))

    def __len__(self) -> int:
        return len(self._parts)


class EvidenceSpill:
    """Collects the evidence of many chunks on disk (Parquet parts), keeping only person records in memory.

    Ingest adds each chunk's evidence as it is extracted, so memory holds one chunk's node,
    pair and event rows at a time instead of all of them; :meth:`evidence` returns an
    :class:`Evidence` whose ``nodes``, ``pairs`` and ``events`` read their parts back table by
    table, in the order the chunks were added.

    Parameters
    ----------
    directory : path
        An existing, empty directory owned by the caller (who removes it when done).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     spill = EvidenceSpill(tmp)
    ...     for i in range(2):
    ...         ev = Evidence()
    ...         ev.nodes["Phone"] = pd.DataFrame({"id": [f"+44770090000{i}"], "source": ["a"], "record": [f"a:{i}"]})
    ...         spill.add(ev)
    ...     spill.evidence().nodes["Phone"]["id"].tolist()
    ['+447700900000', '+447700900001']
    """

    def __init__(self, directory: str | Path) -> None:
        check_type(directory, (str, Path), param="directory", func="EvidenceSpill", expected="a path")
        self.directory = Path(directory)
        self._persons: list[pd.DataFrame] = []
        self._parts: dict[str, dict[str, list[Path]]] = {"nodes": {}, "pairs": {}, "events": {}}
        self._person_nodes: dict[str, tuple[str, ...]] = {}
        self._n = 0

    def add(self, ev: Evidence) -> None:
        """Write `ev`'s node, pair and event tables as Parquet parts; keep its person records."""
        check_type(ev, Evidence, param="ev", func="EvidenceSpill.add", expected="an Evidence")
        if len(ev.persons):
            self._persons.append(ev.persons)
        self._person_nodes.update(ev.person_nodes)
        for attr, parts in self._parts.items():
            for name, df in getattr(ev, attr).items():
                if len(df) or name not in parts:
                    path = self.directory / f"{attr}_{name}-{self._n:06d}.parquet"
                    self._n += 1
                    _write(df, path)
                    parts.setdefault(name, []).append(path)

    def add_previous(self, directory: str | Path, persons: pd.DataFrame) -> None:
        """Put an earlier ingest's evidence before the chunks added so far, minus the records they hold again.

        Call it after the last :meth:`add`. A record key ``'<source>:<record id>'`` ingested again
        in this batch replaces the earlier batch's rows for it. A person record belongs to the row
        whose record id is its ``record_id``, exactly, except for a source whose spec has several
        person nodes (:attr:`Evidence.person_nodes` of the evidence added), where the
        ``'#<node>'`` suffix naming one of them is dropped: a ``'#'`` in a record id is data. The
        earlier tables are filtered one at a time and written as parts, so memory holds one earlier
        table, not all of them.

        Parameters
        ----------
        directory : path
            The ``evidence`` folder of an earlier ingest output (written by :meth:`Evidence.write`).
        persons : DataFrame
            The earlier output's person records (:data:`PERSON_RECORD_COLUMNS`).

        Raises
        ------
        crimnet.errors.IngestError
            If `directory` is not an evidence folder.
        """
        import pyarrow.compute as pc

        from crimnet.frames import isin

        d = Path(directory)
        if not d.is_dir():
            raise IngestError(f"{d}: no evidence directory; is this an ingest output?")
        # every record key of this batch, once: its parts' record columns and its person records
        text = pa.large_string()  # parts may hold string or large_string columns
        keys = [pq.read_table(path, columns=["record"]).column("record").cast(text) for path in self._all_parts()]
        nodes = self._person_nodes
        keys += [pa.chunked_array([_person_keys(p, nodes).to_numpy(dtype=object)], text) for p in self._persons]
        again = pc.unique(pa.chunked_array([c for k in keys for c in k.chunks], text))
        earlier = persons.reindex(columns=PERSON_RECORD_COLUMNS)
        earlier = earlier[~isin(_person_keys(earlier, nodes), again.to_pandas())]
        if len(earlier):
            self._persons.insert(0, earlier.reset_index(drop=True))
        for attr, parts in self._parts.items():
            for f in sorted(d.glob(f"{attr}_*.parquet")):
                table = pq.read_table(f)
                table = table.filter(pc.invert(pc.is_in(table.column("record").cast(text), value_set=again)))
                path = self.directory / f"{f.stem}-previous.parquet"
                pq.write_table(table, path)
                parts.setdefault(f.stem[len(attr) + 1 :], []).insert(0, path)

    def _all_parts(self) -> list[Path]:
        return [path for parts in self._parts.values() for paths in parts.values() for path in paths]

    def evidence(self) -> Evidence:
        """Return the evidence added so far (person records in memory, the rest read on access)."""
        out = Evidence(person_nodes=dict(self._person_nodes))
        if self._persons:
            out.persons = pd.concat(self._persons, ignore_index=True) if len(self._persons) > 1 else self._persons[0]
        for attr, parts in self._parts.items():
            setattr(out, attr, _PartedFrames({k: list(v) for k, v in parts.items()}))
        return out


def _person_keys(persons: pd.DataFrame, person_nodes: Mapping[str, tuple[str, ...]]) -> pd.Series:
    """Row keys ``'<source>:<record id>'`` of person records.

    A person record's ``record_id`` is its row's record id, except in a source of `person_nodes`
    (a spec with several person nodes), where :func:`person_record_ids` appended ``'#<node>'``:
    that suffix, and only that one, is dropped. Any other ``'#'`` is part of the record id.

    >>> recs = pd.DataFrame({"source": ["a", "b", "b"], "record_id": ["INC#1", "R#2#victim", "R#2#x"]})
    >>> _person_keys(recs, {"b": ("victim", "suspect")}).tolist()
    ['a:INC#1', 'b:R#2', 'b:R#2#x']
    """
    source = persons["source"].astype(str)
    base = persons["record_id"].astype(str)
    if person_nodes and len(persons):
        base = base.copy()
        done = np.zeros(len(base), dtype=bool)
        for src, names in person_nodes.items():
            mine = (source == src).to_numpy()
            for name in sorted(names, key=len, reverse=True):  # longest suffix first
                # '#<node>' or, for a list item or one person of a couple, '#<node>.<n>'
                tail = base.str.extract(rf"(#{re.escape(name)}(?:\.\d+)?)$", expand=False)
                hit = mine & ~done & tail.notna().to_numpy(bool)
                if hit.any():
                    cut = tail[hit].str.len().to_numpy()
                    base[hit] = [b[: len(b) - c] for b, c in zip(base[hit], cut, strict=True)]
                    done |= hit
    return source + ":" + base


def _write(df: pd.DataFrame, path: Path) -> None:
    table = pa.Table.from_pandas(df.reset_index(drop=True), preserve_index=False)
    pq.write_table(table, path)


def person_row_keys(persons: pd.DataFrame, person_nodes: Mapping[str, tuple[str, ...]]) -> pd.Series:
    """Return the row key ``'<source>:<record id>'`` of each person record (see :func:`person_record_ids`).

    Parameters
    ----------
    persons : DataFrame
        Person records with ``source`` and ``record_id``.
    person_nodes : mapping of source to node names
        :attr:`Evidence.person_nodes`: the sources whose person record ids carry ``'#<node>'`` or
        ``'#<node>.<n>'``; only those suffixes are dropped (any other ``'#'`` is data).
    """
    check_type(persons, pd.DataFrame, param="persons", func="person_row_keys", expected="a DataFrame")
    return _person_keys(persons, person_nodes)


def person_record_ids(spec: SourceSpec, record_ids: pd.Series, node: str, *, item: Any = None) -> pd.Series:
    """Return the resolution record ids of person node `node` of `spec` for the given row record ids.

    With one Person (or Holder) node per row this is the row's record id; with several,
    ``'<record id>#<node>'`` keeps them apart. A person of a list item, or one person of a
    couple holder, is ``'<record id>#<node>.<n>'`` with `item` the 1-based item (person) numbers,
    one per record id.

    >>> from crimnet.ingest.specs import default_specs
    >>> spec = default_specs()[0]
    >>> person_record_ids(spec, pd.Series(["R1", "R1"]), "officer", item=[1, 2]).tolist()
    ['R1#officer.1', 'R1#officer.2']
    """
    check_type(spec, SourceSpec, param="spec", func="person_record_ids", expected="a SourceSpec")
    if item is not None:
        n = np.asarray(item).astype(str).astype(object)
        return pd.Series(record_ids.to_numpy(dtype=object) + f"#{node}." + n, index=record_ids.index, dtype="str")
    persons = [n for n in spec.nodes.values() if n.label in ("Person", "Holder") and n.list is None]
    return record_ids if len(persons) <= 1 else record_ids + f"#{node}"


def _node_ids(spec: SourceSpec, values: Mapping[str, pd.Series], index: pd.Index) -> dict[str, pd.DataFrame]:
    """Ids and attributes of every non-person node of the spec, per node name (NA id: absent)."""
    from crimnet.ingest.normalise import account_key, address_key

    out = {}
    na = pd.Series(pd.NA, index=index, dtype="str")

    def get(fname: str | None) -> pd.Series:
        return values[fname] if fname else na

    for nname, node in spec.nodes.items():
        p = node.props
        attrs: dict[str, pd.Series] = {}
        if node.label == "Person":
            continue
        if node.label in ("Phone", "Vehicle", "Business"):
            ids = get(p.get("id"))
            if node.label == "Business":
                attrs["name"] = get(p.get("name"))
                attrs["sic"] = get(p.get("sic"))
                attrs["sector"] = get(p.get("sector")) if "sector" in p else sector_of(attrs["sic"])
                ids = _business_ids(ids, attrs["name"])
        elif node.label == "Postcode":
            ids = _postcode_ids(get(p["id"]))
            attrs["district"] = postcode_district(ids)
        elif node.label == "Address":
            pc, line = get(p["postcode"]), get(p["line"])
            ok = pc.notna() & line.notna()
            ids = na.copy()
            if ok.any():
                ids[ok] = address_key(pc[ok], line[ok]).astype("str").to_numpy()
            # the id's own postcode (normalised, whatever the field's kind): Address -> Postcode uses it
            attrs["postcode"] = ids.str.split("|", n=1).str[0].astype("str") if ok.any() else na.copy()
            attrs["line"] = line.where(ok)
            attrs["town"] = get(p.get("town"))
            attrs["lat"] = pd.to_numeric(get(p.get("lat")), errors="coerce")
            attrs["lon"] = pd.to_numeric(get(p.get("lon")), errors="coerce")
        elif node.label == "Account":
            ids = na.copy()
            if "sort_code" in p and "account" in p:
                sc, acc = get(p["sort_code"]), get(p["account"])
                ok = sc.notna() & acc.notna()
                if ok.any():
                    ids[ok] = account_key(sc[ok], acc[ok]).astype("str").to_numpy()
            if "iban" in p:
                iban = get(p["iban"])
                fill = ids.isna() & iban.notna()
                if fill.any():
                    ids[fill] = _iban_ids(iban[fill]).to_numpy()
            attrs["kind"] = pd.Series(
                np.where(ids.str.contains(":", regex=False).fillna(False), "uk", "iban"), index=index, dtype="str"
            ).where(ids.notna())
        else:  # pragma: no cover - guarded by spec validation
            raise IngestError(f"Unsupported node label {node.label}.")
        out[nname] = pd.DataFrame({"id": ids.astype("str"), **attrs}, index=index)
    return out


def _business_ids(numbers: pd.Series, names: pd.Series) -> pd.Series:
    """Business ids: the company number, else ``'name:' + normalised name`` (a business known only by name).

    >>> _business_ids(pd.Series(["01234567", None, None]), pd.Series(["A Ltd", "B & Co Limited", None])).tolist()[:2]
    ['01234567', 'name:b and co']
    """
    from crimnet.ingest.normalise import business_name_key

    ids = numbers.astype("str").copy()
    fill = ids.isna() & names.notna()
    if fill.any():
        ids[fill] = business_name_key(names[fill]).astype("str").to_numpy()
    return ids


def _postcode_ids(values: pd.Series) -> pd.Series:
    """Postcode ids: the normalised postcode ``'LS1 4AB'`` (NA where missing or not a postcode)."""
    from crimnet.ingest.normalise import normalise_postcode

    if not values.notna().any():
        return values.astype("str")
    return normalise_postcode(values)["value"].astype("str")


def postcode_district(postcodes: pd.Series) -> pd.Series:
    """The outward code (postcode district) of normalised postcodes: the part before the space.

    >>> postcode_district(pd.Series(["LS1 4AB", "SW1A 1AA", None])).fillna("-").tolist()
    ['LS1', 'SW1A', '-']
    """
    check_type(postcodes, pd.Series, param="postcodes", func="postcode_district", expected="a pandas Series")
    return postcodes.astype("str").str.split(" ", n=1).str[0].astype("str")


def _iban_ids(iban: pd.Series) -> pd.Series:
    """GB IBANs become the ``sortcode:account`` key; other IBANs stay as they are."""
    from crimnet.ingest.normalise import iban_to_account_key

    key = iban_to_account_key(iban)
    return key.where(key.notna(), iban).astype("str")


def _date_part(s: pd.Series) -> pd.Series:
    return s.astype("str").str.slice(0, 10)


def extract(
    spec: SourceSpec,
    values: Mapping[str, pd.Series],
    record_ids: pd.Series,
    *,
    pseudonymise_key: bytes | None = None,
    items: Mapping[str, pd.DataFrame] | None = None,
) -> Evidence:
    """Turn normalised rows of one source into evidence tables.

    Parameters
    ----------
    spec : SourceSpec
        The source's spec.
    values : mapping of field name to Series
        Normalised values of every field of the spec that is not a list field (NA where
        missing or dropped), all on the same index as `record_ids`.
    record_ids : Series of str
        The rows' record ids (unique, non-null).
    pseudonymise_key : bytes or None
        If given, the HMAC key: names, phones, account ids, NINOs and vehicle
        registrations become tokens (after ids are built, before resolution).
    items : mapping of list name to DataFrame, optional
        Per ``[lists]`` entry of the spec: one row per item, ``row`` (int: the position of the
        item's row in `record_ids`), ``n`` (int: 1-based item number in its row) and the
        normalised values of the list's fields (one column per field name).

    Returns
    -------
    Evidence

    Notes
    -----
    A node whose fields read a list is one node per item, and a relationship with a list end
    (or a list property) one relationship per item, its row ends repeated; a Person of a list
    item has the record id ``'<record id>#<node>.<n>'``. A ``Holder`` node becomes the people
    its holder field names (one Person, or each person of a couple with ``'#<node>.<k>'``) or
    a Business known by name (id ``'name:'`` + normalised name; ``HOLDS`` from it becomes
    ``OWNS`` and ``LETS`` ``MANAGES``, see :data:`BUSINESS_HOLDER_TYPES`; any other relationship of a
    business holder is dropped); person records carry
    the classification rule in ``holder_rule``, Business evidence rows in ``holder_rule`` too
    (``evidence/nodes_Business.parquet``). A node or relationship whose ``when`` fails in a row
    (item) is absent there, with the relationships of that node. Event relationships of a list
    have ids ``'<source>#<k>.<n>:<record id>'`` (k: the k-th relationship of that type in the
    spec). Time and memory O((rows + items) x nodes of the spec); vectorised.
    """
    from crimnet.ingest.specs import HOLDER
    from crimnet.ingest.transforms import condition_mask

    check_type(spec, SourceSpec, param="spec", func="extract", expected="a SourceSpec")
    source = spec.name
    rids = record_ids.astype(str)
    record = (source + ":" + rids).astype("str")
    groups = _groups(spec, values, rids, items or {})

    def when_mask(cond: Any, g: str | None) -> np.ndarray:
        gr = groups[g]
        return np.ones(len(gr.rows), bool) if cond is None else condition_mask(cond, gr.values[cond.field])

    ev = Evidence()
    person_names = tuple(k for k, v in spec.nodes.items() if v.label in ("Person", HOLDER))
    if len(person_names) > 1 or any(  # their record ids carry '#<node>' or '#<node>.<n>' (person_record_ids)
        v.list is not None or v.label == HOLDER for k, v in spec.nodes.items() if v.label in ("Person", HOLDER)
    ):
        ev.person_nodes[source] = person_names

    # Ends of every node: 'at' (position in its group), 'id' (node id or person record key), 'label'.
    ends: dict[str, pd.DataFrame] = {}
    nodes: dict[str, pd.DataFrame] = {}  # non-person node frames, per node name, on their group's index
    for g, gr in groups.items():
        plain = {k: v for k, v in spec.nodes.items() if v.list == g and v.label not in ("Person", HOLDER)}
        if not plain:
            continue
        found = _node_ids(replace(spec, nodes=plain), gr.values, gr.index)
        for nname, df in found.items():
            node = spec.nodes[nname]
            if node.when is not None:
                df = df.assign(id=df["id"].where(when_mask(node.when, g)))
            if pseudonymise_key is not None:
                df = _pseudonymise_node(node.label, df, pseudonymise_key)
            nodes[nname] = df
            keep = df["id"].notna().to_numpy()
            part = df[keep].reindex(columns=["id", *_NODE_ATTRS[node.label]])
            part["source"] = source
            part["record"] = _take(record, gr.rows[keep]).array
            label = node.label
            ev.nodes[label] = pd.concat([ev.nodes[label], part], ignore_index=True) if label in ev.nodes else part
            ends[nname] = pd.DataFrame(
                {"at": np.flatnonzero(keep), "id": df["id"][keep].astype("str").array, "label": label}
            )

    # Person records (Person and Holder nodes) and the keys rels use for them.
    person_parts = []
    for nname, node in spec.nodes.items():
        if node.label not in ("Person", HOLDER):
            continue
        g = node.list
        gr = groups[g]
        at = np.arange(len(gr.rows))
        passed = when_mask(node.when, g)
        rule = pd.Series(pd.NA, index=gr.index, dtype="str")
        business = None
        if node.label == HOLDER:
            rec, at, rule, business = _holder_records(spec, nname, gr, rids)
            passed = passed[at]
        else:
            rid = person_record_ids(spec, rids.iloc[gr.rows], nname, item=gr.item if g is not None else None)
            rec = pd.DataFrame({"source": source, "record_id": rid.to_numpy()}, index=gr.index)
            rec["row_key"] = (source + ":" + rids.iloc[gr.rows].astype("str")).to_numpy()
            rec["item"] = pd.array(gr.item if g is not None else [pd.NA] * len(rec), dtype="Int64")
            for col in ("name", "dob", "nationality", "sex", "nino"):
                rec[col] = gr.values[node.props[col]] if col in node.props else pd.Series(pd.NA, index=gr.index)
        rec = rec.reset_index(drop=True)
        rec["field"] = nname
        rec["holder_rule"] = pd.Series(rule, dtype="str").to_numpy()
        for col in ("phone", "postcode", "address_id", "account_id", "business_id"):
            rec[col] = pd.Series(pd.NA, index=rec.index, dtype="str")
        for rel in spec.rels:
            if rel.src != nname or rel.dst not in ends:
                continue
            dst = _ends_at(ends[rel.dst], spec.nodes[rel.dst].list, g, groups).drop_duplicates("at")
            got = pd.Series(dst["id"].array, index=dst["at"].to_numpy()).reindex(at).astype("str")
            got.index = rec.index
            if rel.type == "USES_PHONE":
                rec["phone"] = rec["phone"].fillna(got)
            elif rel.type == "HOLDS":
                rec["account_id"] = rec["account_id"].fillna(got)
            elif rel.type in ("WORKS_AT", "DIRECTS"):
                rec["business_id"] = rec["business_id"].fillna(got)
            elif rel.type in ("LIVES_AT", "LIVES_IN"):
                if rel.type == "LIVES_AT":
                    rec["address_id"] = rec["address_id"].fillna(got)
                    got = got.str.replace(r"\|.*$", "", regex=True)
                # known only to postcode (LIVES_IN): resolution still compares the postcode
                rec["postcode"] = rec["postcode"].fillna(got)
        if pseudonymise_key is not None:
            rec = _pseudonymise_person(rec, pseudonymise_key)
        keep = rec["name"].notna().to_numpy() & passed
        person_parts.append((nname, at[keep], rec[keep].reindex(columns=PERSON_RECORD_COLUMNS)))
        keys = (source + ":" + rec["record_id"][keep].astype("str")).array
        end = pd.DataFrame({"at": at[keep], "id": keys, "label": "Person"})
        if business is not None:
            bkeep = business["id"].notna().to_numpy() & when_mask(node.when, g)[business["at"].to_numpy()]
            biz = business[bkeep]
            # every Business attribute is text: typed so that Parquet parts of all chunks concatenate
            part = biz.reindex(columns=["id", *_NODE_ATTRS["Business"], "holder_rule"]).astype("str")
            part["source"] = source
            part["record"] = _take(record, biz["at"].to_numpy()).array
            ev.nodes["Business"] = (
                pd.concat([ev.nodes["Business"], part], ignore_index=True) if "Business" in ev.nodes else part
            )
            end = pd.concat([end, biz[["at", "id"]].assign(label="Business")]).sort_values("at", kind="stable")
        ends[nname] = end.reset_index(drop=True)
    if person_parts:
        payers = _paying_businesses(spec, ends, groups)
        for nname, at_kept, part in person_parts:
            if nname in payers:
                got = payers[nname].reindex(at_kept)
                part["business_id"] = part["business_id"].fillna(pd.Series(got.to_numpy(), index=part.index))
        ev.persons = pd.concat([part for _, _, part in person_parts], ignore_index=True).astype("str")

    counts: dict[str, int] = {}
    for rel in spec.rels:
        rt = REL_TYPES[rel.type]
        g = rel.list
        gr = groups[g]
        src = _ends_at(ends[rel.src], spec.nodes[rel.src].list, g, groups)
        dst = _ends_at(ends[rel.dst], spec.nodes[rel.dst].list, g, groups)
        both = src.merge(dst, on="at", suffixes=("_src", "_dst"), sort=False)
        both = both[when_mask(rel.when, g)[both["at"].to_numpy()]]
        rtype = rel.type
        if spec.nodes[rel.src].label == HOLDER:  # a business holder OWNS what a person HOLDS, MANAGES what one LETS
            biz = (both["label_src"] == "Business").to_numpy()
            as_business = BUSINESS_HOLDER_TYPES.get(rel.type)
            if as_business is not None and biz.any():
                _add_pairs(ev, as_business, both[biz], rel, gr, record, source)
            both = both[~biz]
        if spec.nodes[rel.dst].label == HOLDER:
            both = both[(both["label_dst"] == "Person").to_numpy()]
        if rt.key == "event":
            k = counts[rtype] = counts.get(rtype, 0) + 1
            at = both["at"].to_numpy()
            part = pd.DataFrame({"src": both["id_src"].astype("str").array, "dst": both["id_dst"].astype("str").array})
            if g is not None:
                n_at = pd.Series(gr.item[at].astype(str), dtype="str")
                ids = f"{source}#{k}." + n_at + ":" + _take(rids, gr.rows[at])
            elif k == 1:
                ids = _take(record, at)
            else:
                # '<source>#<k>:<record id>', not '<record key>#<k>': a record id may end in '#2' itself
                ids = f"{source}#{k}:" + _take(rids, at)
            part.insert(0, "id", ids.astype("str").array)
            for f in rt.properties:
                s = gr.values[rel.props[f.name]].iloc[at] if f.name in rel.props else pd.Series(pd.NA, index=at)
                part[f.name] = _typed(s, f.dtype).to_numpy()
            part["source"] = source
            part["record"] = _take(record, gr.rows[at]).array
            ev.events[rtype] = pd.concat([ev.events[rtype], part], ignore_index=True) if rtype in ev.events else part
        else:
            _add_pairs(ev, rtype, both, rel, gr, record, source)
    return ev


def _paying_businesses(
    spec: SourceSpec, ends: Mapping[str, pd.DataFrame], groups: Mapping[str | None, _Group]
) -> dict[str, pd.Series]:
    """Per person node of `spec`: the business that pays it in a row, by the node's position (``at``).

    A row of a payment source says that the holder of the paying account pays the holder of the
    receiving account (``PAID`` between two accounts, ``HOLDS`` or ``OWNS`` from each holder). When the
    payer is a business, its payee is that business's employee (wages) or, more rarely, a customer
    given a refund: a relational neighbour of the payee's record that a payroll or company record
    of the same person names too. A payee paid by two businesses in one row takes the first.
    """
    from crimnet.ingest.specs import HOLDER

    owners: dict[str, list[str]] = {}
    for rel in spec.rels:
        if rel.type in ("HOLDS", "OWNS"):
            owners.setdefault(rel.dst, []).append(rel.src)
    out: dict[str, pd.Series] = {}
    for rel in spec.rels:
        if rel.type != "PAID":
            continue
        for payer in owners.get(rel.src, []):
            biz = ends[payer][(ends[payer]["label"] == "Business").to_numpy(bool)] if payer in ends else None
            if biz is None or not len(biz):
                continue
            for payee in owners.get(rel.dst, []):
                frm, to = spec.nodes[payer].list, spec.nodes[payee].list
                two_lists = frm is not None and to is not None and frm != to  # items of two lists do not pair up
                if payee == payer or spec.nodes[payee].label not in ("Person", HOLDER) or two_lists:
                    continue
                moved = _ends_at(biz, frm, to, groups).drop_duplicates("at")
                got = pd.Series(moved["id"].astype("str").array, index=moved["at"].to_numpy())
                out[payee] = out[payee].combine_first(got) if payee in out else got
    return out


@dataclass
class _Group:
    """The rows (``None``) or the items of one list: where each element's row is, and its field values."""

    rows: np.ndarray
    index: pd.Index
    values: dict[str, pd.Series]
    item: np.ndarray


def _groups(
    spec: SourceSpec, values: Mapping[str, pd.Series], rids: pd.Series, items: Mapping[str, pd.DataFrame]
) -> dict[str | None, _Group]:
    """The row group and one group per list of `spec` (item values beside their row's values)."""
    n = len(rids)
    row_fields = {k: v for k, v in values.items() if k in spec.fields and spec.fields[k].list is None}
    out: dict[str | None, _Group] = {None: _Group(np.arange(n), rids.index, dict(row_fields), np.ones(n, np.int64))}
    for lname in spec.lists:
        frame = items.get(lname)
        if frame is None:
            frame = pd.DataFrame({"row": np.zeros(0, np.int64), "n": np.zeros(0, np.int64)})
        rows = frame["row"].to_numpy(np.int64)
        index = pd.RangeIndex(len(rows))
        vals: dict[str, pd.Series] = {k: _take(v, rows) for k, v in row_fields.items()}
        for fname, f in spec.fields.items():
            if f.list == lname:
                col = frame[fname] if fname in frame else pd.Series(pd.NA, index=frame.index)
                vals[fname] = pd.Series(col.to_numpy(), index=index).astype("str")
        out[lname] = _Group(rows, index, vals, frame["n"].to_numpy(np.int64))
    return out


def _take(s: pd.Series, pos: np.ndarray) -> pd.Series:
    """``s`` at positions `pos`, indexed 0..len(pos)-1 (Arrow strings stay Arrow strings)."""
    return s.iloc[pos].reset_index(drop=True)


def _ends_at(ends: pd.DataFrame, frm: str | None, to: str | None, groups: Mapping[str | None, _Group]) -> pd.DataFrame:
    """Node ends moved from group `frm` to group `to` (a row's node repeated for each item of the row)."""
    if frm == to:
        return ends
    if frm is None:  # row -> items of a list
        pos = pd.DataFrame({"row": groups[to].rows, "at_to": np.arange(len(groups[to].rows))})
        out = ends.merge(pos, left_on="at", right_on="row", sort=False)
        return out.assign(at=out["at_to"]).drop(columns=["row", "at_to"]).sort_values("at", kind="stable")
    if to is None:  # items -> their rows
        return ends.assign(at=groups[frm].rows[ends["at"].to_numpy()])
    raise IngestError(f"Cannot relate two different lists ({frm}, {to}).")  # pragma: no cover - spec checker


def _add_pairs(
    ev: Evidence, rtype: str, both: pd.DataFrame, rel: Any, gr: _Group, record: pd.Series, source: str
) -> None:
    """Append pair evidence of type `rtype` for merged ends `both` (``at``, ``id_src``, ``id_dst``)."""
    rt = REL_TYPES[rtype]
    at = both["at"].to_numpy()
    part = pd.DataFrame({"src": both["id_src"].astype("str").array, "dst": both["id_dst"].astype("str").array})
    taken = {f: gr.values[f].iloc[at].reset_index(drop=True) for f in {*rel.props.values()} if f in gr.values}
    for col, fname in (("first_seen", rel.first_seen), ("last_seen", rel.last_seen)):
        none = pd.Series(pd.NA, index=part.index, dtype="str")  # on part's index: an empty part stays empty
        part[col] = _date_part(gr.values[fname].iloc[at]).array if fname else none
    part["source"] = source
    part["record"] = _take(record, gr.rows[at]).array
    part = _pair_properties(part, rt, rel.props, taken, np.ones(len(at), dtype=bool))
    ev.pairs[rtype] = pd.concat([ev.pairs[rtype], part], ignore_index=True) if rtype in ev.pairs else part


def _holder_records(
    spec: SourceSpec, nname: str, gr: _Group, rids: pd.Series
) -> tuple[pd.DataFrame, np.ndarray, pd.Series, pd.DataFrame | None]:
    """A Holder node's person records (one per person named), their row positions and rules, and its businesses.

    Returns the person records (source, record_id, name, dob, nationality, sex, nino, row_key, item), the row
    position of each, the classification rule of each, and the business holders (``at``, ``id``,
    ``name``, ``holder_rule``; None when there are none).
    """
    from crimnet.ingest.normalise import business_name_key, holder_parts

    holder = gr.values[spec.nodes[nname].props["name"]]
    parts = holder_parts(holder)
    people = parts[parts["class"].isin(["person", "couple"]).to_numpy(bool)]
    flat = people["names"].explode()
    at_people = gr.index.get_indexer(flat.index).astype(np.int64)
    k = pd.Series(at_people).groupby(at_people).cumcount().to_numpy() + 1
    couple = (people["class"] == "couple").reindex(flat.index).to_numpy(bool)
    row_rid = person_record_ids(spec, rids.iloc[at_people], nname)
    rid = np.where(couple, rids.to_numpy()[at_people].astype(object) + f"#{nname}." + k.astype(str), row_rid.to_numpy())
    na = pd.Series(pd.NA, index=range(len(flat)), dtype="str")
    rec = pd.DataFrame(
        {"source": spec.name, "record_id": rid, "name": flat.astype("str").to_numpy(), "dob": na, "nationality": na,
         "sex": na, "nino": na, "row_key": spec.name + ":" + rids.iloc[at_people].astype("str").to_numpy(),
         "item": pd.Series(k, dtype="Int64").where(couple)}
    )  # fmt: skip
    rule = pd.Series(parts["rule"].reindex(flat.index).to_numpy(), dtype="str")
    orgs = parts[(parts["class"] == "organisation").to_numpy(bool)]
    business = None
    if len(orgs):
        name = orgs["names"].str[0].astype("str")
        business = pd.DataFrame(
            {
                "at": gr.index.get_indexer(orgs.index).astype(np.int64),
                "id": business_name_key(name).astype("str").to_numpy(),
                "name": name.to_numpy(),
                "holder_rule": orgs["rule"].to_numpy(),
            }
        )
    return rec, at_people, rule, business


def _pair_properties(
    part: pd.DataFrame, rt: Any, props: Mapping[str, str], values: Mapping[str, pd.Series], keep: np.ndarray
) -> pd.DataFrame:
    """Pair evidence in its columns: :data:`_PAIR_COLS`, then the type's own properties (``wording``) as text."""
    out = part.reindex(columns=_PAIR_COLS)
    for f in rt.properties:
        if f.name in props:
            out[f.name] = values[props[f.name]][keep].astype("str").to_numpy()
        else:
            out[f.name] = pd.Series(pd.NA, index=out.index, dtype="str")
    return out


def _typed(s: pd.Series, dtype: str) -> pd.Series:
    if dtype == "int64":
        return pd.to_numeric(s, errors="coerce").astype("Int64")
    if dtype == "float64":
        return pd.to_numeric(s, errors="coerce").astype("float64")
    return s.astype("str")


def _pseudonymise_node(label: str, df: pd.DataFrame, key: bytes) -> pd.DataFrame:
    from crimnet.ingest.pseudonymise import pseudonymise

    if label in ("Phone", "Account", "Vehicle"):
        df = df.copy()
        ok = df["id"].notna()
        if ok.any():
            df.loc[ok, "id"] = pseudonymise(df.loc[ok, "id"], key=key, domain=label.lower()).astype(str).to_numpy()
    return df


def _pseudonymise_person(rec: pd.DataFrame, key: bytes) -> pd.DataFrame:
    from crimnet.ingest.pseudonymise import pseudonymise, pseudonymise_name

    rec = rec.copy()
    # phone and account_id already carry the tokens of their nodes (same domain); a name is
    # tokenised word by word, so a family shares its family-name token (household signals survive)
    for col, tokenise in (("name", pseudonymise_name), ("nino", pseudonymise)):
        ok = rec[col].notna()
        if ok.any():
            rec.loc[ok, col] = tokenise(rec.loc[ok, col], key=key, domain=col).astype(str).to_numpy()
    return rec


# --- aggregation -------------------------------------------------------------------------------
# Everything below works on integer codes from pandas.factorize(sort=True): sorting codes orders
# the strings, so group keys, list values and modes come out sorted without Python loops.


def _codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Sorted factorisation: codes (-1 for NA) and the distinct values in order."""
    codes, uniques = pd.factorize(values, sort=True, use_na_sentinel=True)
    return codes.astype(np.int64), np.asarray(uniques, dtype=object)


def _sorted_unique(x: np.ndarray, *, counts: bool = False) -> Any:
    """``np.unique`` of int64 codes by sorting (faster here than numpy's hash-based unique)."""
    x = np.sort(x)
    first = np.empty(len(x), dtype=bool)
    first[:1] = True
    np.not_equal(x[1:], x[:-1], out=first[1:])
    uniq = x[first]
    if not counts:
        return uniq
    starts = np.flatnonzero(first)
    return uniq, np.diff(np.append(starts, len(x)))


def _arrow_lists(offsets: np.ndarray, values: Any) -> pd.Series:
    """A list-of-strings column kept in Arrow (no Python object per row); see :func:`_object_lists`."""
    arr = pa.ListArray.from_arrays(pa.array(offsets.astype(np.int32)), pa.array(values, pa.string()))
    return pd.Series(arr, dtype=pd.ArrowDtype(arr.type))


def _object_lists(df: pd.DataFrame) -> pd.DataFrame:
    """Arrow list columns as the object columns of arrays that CanonicalTables holds."""
    for c in df.columns:
        if isinstance(df[c].dtype, pd.ArrowDtype) and pa.types.is_list(df[c].dtype.pyarrow_dtype):
            df[c] = df[c].array.__arrow_array__().to_pandas().set_axis(df.index)
    return df


def _pandas_list_metadata(table: pa.Table) -> pa.Table:
    """Record Arrow list columns in the pandas metadata as object lists, as CanonicalTables.write does."""
    meta = table.schema.pandas_metadata
    if meta is None:
        return table
    for col in meta["columns"]:
        if col["name"] in table.column_names and pa.types.is_list(table.schema.field(col["name"]).type):
            col["pandas_type"], col["numpy_type"] = "list[unicode]", "object"
    return table.replace_schema_metadata({**table.schema.metadata, b"pandas": json.dumps(meta).encode()})


def _list_column(group: np.ndarray, n_groups: int, values: pd.Series) -> pd.Series:
    """Sorted unique non-null `values` per group code (0..n_groups-1) as an Arrow list column."""
    vcodes, vuniq = _codes(values)
    ok = vcodes >= 0
    nv = max(len(vuniq), 1)
    combined = _sorted_unique(group[ok] * nv + vcodes[ok])
    g, v = combined // nv, combined % nv
    counts = np.bincount(g, minlength=n_groups)
    offsets = np.concatenate([[0], np.cumsum(counts)])
    return _arrow_lists(offsets, vuniq[v] if len(v) else np.array([], dtype=object))


def _singletons(values: pd.Series) -> pd.Series:
    """One-element lists of `values`, built without a Python loop."""
    return _arrow_lists(np.arange(len(values) + 1), pa.array(values.astype("str"), type=pa.string()))


def _mode(group: np.ndarray, n_groups: int, values: pd.Series) -> np.ndarray:
    """Most common non-null value per group (ties: the smallest value); None where a group has none."""
    out = np.full(n_groups, None, dtype=object)
    vcodes, vuniq = _codes(values)
    ok = vcodes >= 0
    if not ok.any():
        return out
    nv = len(vuniq)
    pairs, counts = _sorted_unique(group[ok] * nv + vcodes[ok], counts=True)
    g, v = pairs // nv, pairs % nv
    order = np.lexsort((v, -counts, g))  # by group, then most common, then smallest value
    g, v = g[order], v[order]
    first = np.concatenate([[True], g[1:] != g[:-1]])
    out[g[first]] = vuniq[v[first]]
    return out


def _aggregate_nodes(df: pd.DataFrame, attrs: list[str], lists: tuple[str, ...] = ()) -> pd.DataFrame:
    """One row per id: the most common value of each of `attrs`, sources, record ids, and the distinct
    values of each of `lists` sorted and joined with :data:`crimnet.schema.PAIR_VALUE_SEP`."""
    df = df[df["id"].notna().to_numpy()]
    group, ids = _codes(df["id"])
    n = len(ids)
    out = pd.DataFrame({"id": pd.Series(ids, dtype="str")})
    for a in attrs:
        if a in df.columns:
            vals = _mode(group, n, df[a])
            out[a] = pd.to_numeric(pd.Series(vals), errors="coerce") if a in ("lat", "lon") else vals
    out["sources"] = _list_column(group, n, df["source"])
    out["record_ids"] = _list_column(group, n, df["record"])
    for c in lists:  # text properties: the distinct values, sorted, joined like a pair's own properties
        joined = [PAIR_VALUE_SEP.join(v) if len(v) else None for v in _list_column(group, n, df[c])]
        out[c] = pd.Series(joined, dtype="str")
    return out


def _extreme(group: np.ndarray, n_groups: int, values: pd.Series, *, last: bool) -> np.ndarray:
    """Earliest (or latest) non-null ISO date string per group."""
    vcodes, vuniq = _codes(values)
    if not len(vuniq):
        return np.full(n_groups, None, dtype=object)
    fill = -1 if last else len(vuniq)
    best = np.full(n_groups, fill, dtype=np.int64)
    ok = vcodes >= 0
    (np.maximum if last else np.minimum).at(best, group[ok], vcodes[ok])
    found = best != fill
    out = np.full(n_groups, None, dtype=object)
    out[found] = vuniq[best[found]]
    return out


def build_tables(
    evidence: Evidence,
    entity_ids: pd.Series,
    why: pd.Series | None = None,
    *,
    address_variants: AddressVariants | None = None,
    business_names: BusinessNames | None = None,
) -> CanonicalTables:
    """Aggregate evidence into canonical tables.

    Parameters
    ----------
    evidence : Evidence
        All evidence of the ingest (every batch).
    entity_ids : Series of str
        Entity id of every person record, indexed by ``'<source>:<record_id>'``.
    why : Series of str or None
        Why each person record was resolved as it was (same index), listed in the Person
        property ``resolution``; None leaves it empty.
    address_variants : AddressVariants or None
        Address ids to replace by the id of their place
        (:func:`crimnet.ingest.resolve_addresses.address_variants`): every Address node and
        Address end takes the canonical id, keeping its sources and records; None changes nothing.
    business_names : BusinessNames or None
        Name-keyed Business ids to replace by a company number
        (:func:`crimnet.ingest.resolve_businesses.business_names`), in the same way.

    Returns
    -------
    CanonicalTables
        Person nodes keyed by entity id, other nodes by normalised id,
        relationships with ``sources``, ``record_ids``, ``first_seen``,
        ``last_seen`` (see the module docstring).

    Raises
    ------
    crimnet.errors.IngestError
        If a person record has no entity id, or two evidence rows give one event id.

    Notes
    -----
    Time O(m log m) for m evidence rows (sorting by key). Tables are aggregated one at a time
    while :class:`CanonicalTables` conforms them, so memory is the finished tables plus one
    table's evidence and intermediate frame (evidence spilled by :class:`EvidenceSpill` is read
    back table by table).

    Examples
    --------
    >>> ev = Evidence()
    >>> ev.persons = pd.DataFrame({"source": ["a", "b"], "record_id": ["1", "9"], "name": ["ann lee", "ann lee"],
    ...                            "dob": ["1990-01-02", None]}).reindex(columns=PERSON_RECORD_COLUMNS)
    >>> ev.nodes["Phone"] = pd.DataFrame({"id": ["+447700900001"], "source": ["a"], "record": ["a:1"]})
    >>> ev.pairs["USES_PHONE"] = pd.DataFrame({"src": ["a:1"], "dst": ["+447700900001"], "source": ["a"],
    ...                                        "record": ["a:1"], "first_seen": [None], "last_seen": [None]})
    >>> t = build_tables(ev, pd.Series({"a:1": "P1", "b:9": "P1"}))
    >>> t.nodes["Person"][["id", "name", "dob"]].values.tolist()
    [['P1', 'ann lee', '1990-01-02']]
    >>> t.nodes["Person"]["record_ids"][0].tolist(), t.rels["USES_PHONE"]["src"].tolist()
    (['a:1', 'b:9'], ['P1'])
    """
    check_type(evidence, Evidence, param="evidence", func="build_tables", expected="an Evidence")
    built = _builders(evidence, entity_ids, why, _renames(address_variants, business_names))
    builders = {k: (lambda b=b: _object_lists(b())) for k, b in built.items()}
    # Tables are aggregated one at a time as CanonicalTables conforms them, so only one
    # unconformed table (and its evidence) is in memory at once.
    return CanonicalTables(
        # CanonicalTables accepts any mapping and conforms it into a dict
        nodes=_LazyTables({k: v for k, v in builders.items() if k in NODE_LABELS}),  # type: ignore[arg-type]
        rels=_LazyTables({k: v for k, v in builders.items() if k in REL_TYPES}),  # type: ignore[arg-type]
    )


def lazy_tables(
    evidence: Evidence,
    entity_ids: pd.Series,
    why: pd.Series | None = None,
    *,
    address_variants: AddressVariants | None = None,
    business_names: BusinessNames | None = None,
) -> Mapping[str, pd.DataFrame]:
    """Return the canonical tables of `evidence` as a lazy mapping: each is aggregated when looked up, and not kept.

    Parameters
    ----------
    evidence : Evidence
        All evidence of the ingest (every batch).
    entity_ids : Series of str
        Entity id of every person record, indexed by ``'<source>:<record_id>'``.
    why : Series of str or None
        Why each person record was resolved as it was (same index): the Person property
        ``resolution`` (:func:`crimnet.ingest.resolve.explain_links`); None leaves it empty.
    address_variants : AddressVariants or None
        Address ids to replace by the id of their place, as in :func:`build_tables`.
    business_names : BusinessNames or None
        Name-keyed Business ids to replace by a company number, as in :func:`build_tables`.

    Returns
    -------
    Mapping of str to DataFrame
        Table name to table, for the tables with evidence (and ``Person`` when there are
        person records); list columns as aggregated (Arrow lists), not yet conformed. Each
        lookup aggregates the table again, so hand the mapping to :func:`write_tables`
        (one table in memory at a time) or read each table once.

    Raises
    ------
    crimnet.errors.IngestError
        If a person record has no entity id.

    >>> ev = Evidence()
    >>> ev.nodes["Phone"] = pd.DataFrame({"id": ["+447700900001"], "source": ["a"], "record": ["a:1"]})
    >>> tables = lazy_tables(ev, pd.Series(dtype=object))
    >>> list(tables), tables["Phone"]["id"].tolist()
    (['Phone'], ['+447700900001'])
    """
    check_type(evidence, Evidence, param="evidence", func="lazy_tables", expected="an Evidence")
    return _LazyTables(_builders(evidence, entity_ids, why, _renames(address_variants, business_names)))


def write_tables(tables: Mapping[str, pd.DataFrame], out: str | Path) -> dict[str, int]:
    """Check canonical tables and write them to `out`, one table at a time.

    The files are those of :meth:`crimnet.tables.CanonicalTables.write` (``nodes_<Label>.parquet``,
    ``edges_<TYPE>.parquet``, every label and type, with the Arrow schema of
    :func:`crimnet.tables.arrow_schema`), so :meth:`CanonicalTables.read` reads them back (and
    checks them). With the lazy mapping of :func:`lazy_tables` (as :func:`crimnet.ingest.pipeline.ingest`
    passes) the tables are those :func:`build_tables` returns, and only one is in memory at a
    time: the whole set of canonical tables of a large case need never be.

    Parameters
    ----------
    tables : Mapping of str to DataFrame
        Table name to table (as aggregated; absent names are written empty), looked up once each.
    out : path
        Where to write (created if needed).

    Returns
    -------
    dict of str to int
        Rows per table (every label and type), like :meth:`CanonicalTables.counts`.

    Raises
    ------
    crimnet.errors.SchemaError
        A table has a column its schema lacks or duplicate keys, or a name is not a label or type;
        the tables written before it stay, that one and the later ones are not written.
    crimnet.errors.IngestError
        If a person record has no entity id, or two evidence rows give one event id (from :func:`lazy_tables`).

    Notes
    -----
    Time O(m log m) for m evidence rows (aggregating, with :func:`lazy_tables`); memory one table's
    evidence and rows.

    Examples
    --------
    >>> import tempfile
    >>> ev = Evidence()
    >>> ev.persons = pd.DataFrame({"source": ["a"], "record_id": ["1"], "name": ["ann lee"]}).reindex(
    ...     columns=PERSON_RECORD_COLUMNS)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     counts = write_tables(lazy_tables(ev, pd.Series({"a:1": "P1"})), tmp)
    ...     back = CanonicalTables.read(tmp)
    >>> counts["Person"], back.nodes["Person"]["id"].tolist()
    (1, ['P1'])
    """
    check_type(tables, Mapping, param="tables", func="write_tables", expected="a mapping of table name to DataFrame")
    check_type(out, (str, Path), param="out", func="write_tables", expected="a path")
    unknown_tables = sorted(set(tables) - set(NODE_LABELS) - set(REL_TYPES))
    if unknown_tables:
        raise SchemaError(f"write_tables: {unknown_tables} are not labels or relationship types of crimnet.schema.")
    directory = Path(out)
    directory.mkdir(parents=True, exist_ok=True)
    counts = {}
    for name in (*NODE_LABELS, *REL_TYPES):
        schema = arrow_schema(name)
        # an absent table is written as the empty canonical one, which has nothing to check or retype: the same
        # file in half the time (5 ms instead of 10 ms a table, and an ingest has a dozen absent tables)
        df = _checked_table(name, tables[name], schema) if name in tables else empty_table(name)
        table = _pandas_list_metadata(pa.Table.from_pandas(df, schema=schema, preserve_index=False))
        del df
        path = directory / table_filename(name)
        tmp = path.with_suffix(".parquet.tmp")
        pq.write_table(table, tmp)
        tmp.replace(path)
        counts[name] = table.num_rows
    return counts


def _checked_table(name: str, df: pd.DataFrame, schema: pa.Schema) -> pd.DataFrame:
    """`df` checked as table `name` (columns, keys), in the column order of `schema`, all-missing columns typed.

    As CanonicalTables would: a bad table never replaces good output (:class:`~crimnet.errors.SchemaError`).
    """
    unknown = sorted(set(df.columns) - set(schema.names))
    if unknown:
        raise SchemaError(f"Table {name}: unknown columns {unknown}; expected {schema.names}.")
    check_keys(name, df)
    df = df.reindex(columns=schema.names)
    for col in df.columns[df.isna().all().to_numpy()]:  # all missing: typed as CanonicalTables has them
        kind = schema.field(col).type
        if pa.types.is_string(kind) or pa.types.is_large_string(kind):
            df[col] = pd.Series(pd.NA, index=df.index, dtype="str")
        elif not (pa.types.is_floating(kind) or pa.types.is_integer(kind)):
            df[col] = pd.Series([None] * len(df), index=df.index, dtype=object)
    return df


def _builders(
    evidence: Evidence,
    entity_ids: pd.Series,
    why: pd.Series | None = None,
    renames: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Per table name with evidence: a function building that table (person records resolved).

    `why` (optional, indexed by person record key) explains each record's resolution: the Person
    property ``resolution`` lists the explanations of its records. `renames` (optional, from
    :func:`_renames`) maps the ids of a node label in every node and relationship table.
    """
    if renames:
        evidence = _canonical_ids(evidence, renames)
    builders: dict[str, Any] = {}
    persons = evidence.persons
    pkeys = persons["source"].astype(str) + ":" + persons["record_id"].astype(str)
    ent = pkeys.map(entity_ids)
    if ent.isna().any():
        raise IngestError(f"Person record {pkeys[ent.isna()].iloc[0]!r} has no entity id from resolution.")
    if len(persons):
        pdf = pd.DataFrame(
            {
                "id": ent.astype(str).to_numpy(),
                "name": persons["name"].to_numpy(),
                "dob": persons["dob"].to_numpy(),
                "nationality": persons["nationality"].to_numpy(),
                "sex": persons["sex"].to_numpy(),
                "source": persons["source"].astype(str).to_numpy(),
                "record": pkeys.to_numpy(),
                "resolution": (pkeys.map(why) if why is not None else pd.Series(pd.NA, index=pkeys.index))
                .astype("str")
                .to_numpy(),
            }
        )
        builders["Person"] = lambda: _aggregate_nodes(pdf, ["name", "dob", "nationality", "sex"], lists=("resolution",))
    for label in evidence.nodes:
        builders[label] = lambda label=label: _node_table(evidence.nodes[label], label)
    pmap = pd.Series(ent.astype(str).to_numpy(), index=pkeys.to_numpy())
    for rtype in evidence.pairs:
        builders[rtype] = lambda rtype=rtype: _pair_table(evidence.pairs[rtype], rtype, pmap)
    for rtype in evidence.events:
        builders[rtype] = lambda rtype=rtype: _event_table(evidence.events[rtype], rtype)
    _derived_builders(builders, evidence, pmap)
    return builders


def _derived_builders(builders: dict[str, Any], evidence: Evidence, pmap: pd.Series) -> None:
    """Add the builders of derived rows: Postcode and IN_POSTCODE from Addresses, WORKS_AT from wages.

    * every Address is in its postcode: a ``Postcode`` node (district = outward code) and an
      ``IN_POSTCODE`` pair with the address mention's own source and record (the record that
      gives the address gives its postcode);
    * ``WORKS_AT`` adds the pairs :func:`crimnet.ingest.derive.wage_employment` derives from
      ``PAID``, ``HOLDS`` and ``OWNS`` (source ``'derived:wages'``) to those the sources assert.
    """
    if "Address" in evidence.nodes:

        def postcodes() -> pd.DataFrame:
            parts = [_address_postcodes(evidence.nodes["Address"])]
            if "Postcode" in evidence.nodes:
                parts.insert(0, evidence.nodes["Postcode"].reindex(columns=["id", "district", "source", "record"]))
            return _node_table(pd.concat(parts, ignore_index=True), "Postcode")

        def in_postcode() -> pd.DataFrame:
            a = _address_postcodes(evidence.nodes["Address"], address=True)
            rows = pd.DataFrame({"src": a["address"], "dst": a["id"], "source": a["source"], "record": a["record"]})
            return _pair_table(rows.reindex(columns=_PAIR_COLS), "IN_POSTCODE", pmap)

        builders["Postcode"] = postcodes
        builders["IN_POSTCODE"] = in_postcode
    if all(k in evidence.pairs for k in ("HOLDS", "OWNS")) and "PAID" in evidence.events:

        def works_at() -> pd.DataFrame:
            from crimnet.ingest.derive import wage_employment

            asserted = evidence.pairs["WORKS_AT"] if "WORKS_AT" in evidence.pairs else None

            def resolved(rtype: str) -> pd.DataFrame | None:
                return _resolve_ends(evidence.pairs[rtype], rtype, pmap) if rtype in evidence.pairs else None

            paid = evidence.events["PAID"]
            derived = wage_employment(
                paid.reindex(columns=["src", "dst", "ts", "record"]),
                _resolve_ends(evidence.pairs["HOLDS"], "HOLDS", pmap),
                evidence.pairs["OWNS"],
                lets=resolved("LETS"),
                manages=resolved("MANAGES"),
            )
            parts = [derived] if asserted is None else [_resolve_ends(asserted, "WORKS_AT", pmap), derived]
            return _aggregate_pairs(pd.concat(parts, ignore_index=True), "WORKS_AT")

        builders["WORKS_AT"] = works_at


def _address_postcodes(addresses: pd.DataFrame, *, address: bool = False) -> pd.DataFrame:
    """Postcode mentions of Address evidence: ``id`` (postcode), ``district``, ``source``, ``record`` (``address``)."""
    df = addresses[addresses["postcode"].notna().to_numpy()] if len(addresses) else addresses
    pc = df["postcode"].astype("str") if len(df) else pd.Series(dtype="str")
    out = pd.DataFrame(
        {
            "id": pc.to_numpy(),
            "district": postcode_district(pc).to_numpy(),
            "source": df["source"].to_numpy() if len(df) else [],
            "record": df["record"].to_numpy() if len(df) else [],
        }
    )
    if address:
        out["address"] = df["id"].astype("str").to_numpy() if len(df) else []
    return out


def _renames(addresses: AddressVariants | None, businesses: BusinessNames | None) -> dict[str, Any]:
    """Per node label, the mapping of its ids to rewrite (only the mappings that change something)."""
    found = {"Address": addresses, "Business": businesses}
    return {label: m for label, m in found.items() if m is not None and len(m)}


def _canonical_ids(evidence: Evidence, renames: Mapping[str, Any]) -> Evidence:
    """`evidence` read through `renames` (label -> mapping with ``evidence`` and ``ids``): renamed on access."""

    def rename(name: str, df: pd.DataFrame) -> pd.DataFrame:
        if name in renames:
            return renames[name].evidence(df)
        rt = REL_TYPES.get(name)
        labels = (("src", rt.src), ("dst", rt.dst)) if rt else ()
        ends = [(end, renames[label]) for end, label in labels if label in renames]
        if not ends:
            return df
        df = df.copy()
        for end, mapping in ends:
            df[end] = mapping.ids(df[end])
        return df

    return replace(
        evidence,
        nodes=_Renamed(evidence.nodes, rename),  # type: ignore[arg-type]
        pairs=_Renamed(evidence.pairs, rename),  # type: ignore[arg-type]
        events=_Renamed(evidence.events, rename),  # type: ignore[arg-type]
    )


class _Renamed(Mapping[str, pd.DataFrame]):
    """Evidence tables passed through `rename(name, table)` each time one is looked up (nothing kept)."""

    def __init__(self, frames: Mapping[str, pd.DataFrame], rename: Any) -> None:
        self._frames, self._rename = frames, rename

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self._rename(name, self._frames[name])

    def __contains__(self, name: object) -> bool:
        return name in self._frames

    def __iter__(self) -> Iterator[str]:
        return iter(self._frames)

    def __len__(self) -> int:
        return len(self._frames)


class _LazyTables(Mapping[str, pd.DataFrame]):
    """Table name -> builder; a table is built when it is looked up (and not kept); empty ones are absent."""

    def __init__(self, builders: dict[str, Any]) -> None:
        self._builders = builders

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self._builders[name]()

    def __contains__(self, name: object) -> bool:
        return name in self._builders

    def __iter__(self) -> Iterator[str]:
        return iter(self._builders)

    def __len__(self) -> int:
        return len(self._builders)


def _node_table(df: pd.DataFrame, label: str) -> pd.DataFrame:
    return _aggregate_nodes(df, _NODE_ATTRS[label]) if len(df) else empty_table(label)


def _pair_table(df: pd.DataFrame, rtype: str, pmap: pd.Series) -> pd.DataFrame:
    if not len(df):
        return empty_table(rtype)
    return _aggregate_pairs(_resolve_ends(df, rtype, pmap), rtype)


def _resolve_ends(df: pd.DataFrame, rtype: str, pmap: pd.Series) -> pd.DataFrame:
    """Pair evidence with person record keys replaced by entity ids; rows with a missing end dropped.

    A Person -> Person pair whose two records resolve to one person (``ASSOCIATE_OF`` of a
    person with themself) is dropped.
    """
    rt = REL_TYPES[rtype]
    df = df.copy()
    for end, label in (("src", rt.src), ("dst", rt.dst)):
        if label == "Person":
            df[end] = df[end].map(pmap)
    df = df.dropna(subset=["src", "dst"])
    if rt.src == rt.dst == "Person":
        df = df[(df["src"] != df["dst"]).to_numpy()]
    return df


def _aggregate_pairs(df: pd.DataFrame, rtype: str) -> pd.DataFrame:
    """One row per ``(src, dst)`` of resolved pair evidence (see the module docstring)."""
    if not len(df):
        return empty_table(rtype)
    rt = REL_TYPES[rtype]
    sc, su = _codes(df["src"])
    dc, du = _codes(df["dst"])
    group, keys = pd.factorize(sc * max(len(du), 1) + dc, sort=True)
    src_i, dst_i = keys // max(len(du), 1), keys % max(len(du), 1)
    n = len(keys)
    out = pd.DataFrame({"src": pd.Series(su[src_i], dtype="str"), "dst": pd.Series(du[dst_i], dtype="str")})
    out["sources"] = _list_column(group, n, df["source"])
    out["record_ids"] = _list_column(group, n, df["record"])
    out["first_seen"] = _extreme(group, n, df["first_seen"], last=False)
    out["last_seen"] = _extreme(group, n, df["last_seen"], last=True)
    for f in rt.properties:  # the distinct values of every record, sorted, joined (ASSOCIATE_OF.wording)
        values = df[f.name] if f.name in df.columns else pd.Series(pd.NA, index=df.index, dtype="str")
        out[f.name] = _joined(_list_column(group, n, values))
    return out


def _joined(lists: pd.Series) -> np.ndarray:
    """Each list of an Arrow list column joined with :data:`crimnet.schema.PAIR_VALUE_SEP`; None for an empty list."""
    import pyarrow.compute as pc

    arr = lists.array.__arrow_array__()
    text = pc.binary_join(arr, PAIR_VALUE_SEP).to_numpy(zero_copy_only=False).astype(object)
    text[pc.list_value_length(arr).to_numpy(zero_copy_only=False) == 0] = None
    return text


def _event_table(df: pd.DataFrame, rtype: str) -> pd.DataFrame:
    if not len(df):
        return empty_table(rtype)
    rt = REL_TYPES[rtype]
    # Event ids are record keys (unique: ingest quarantines repeated record ids, and a merge drops
    # the earlier rows of a record ingested again) with a '#<k>' source part for a spec's k-th
    # relationship of one type; two rows with one id are a bug, never silently one of them.
    twice = df["id"].duplicated()
    if twice.any():
        raise IngestError(f"{rtype}: event id {df['id'][twice].iloc[0]!r} is given by two evidence rows.")
    df = df.sort_values("id", kind="stable").reset_index(drop=True)
    out = df[["id", "src", "dst", *[f.name for f in rt.properties]]].copy()
    out["sources"] = _singletons(df["source"])
    out["record_ids"] = _singletons(df["record"])
    day = df["ts"].astype("str").str.slice(0, 10) if "ts" in df.columns else pd.Series(pd.NA, index=df.index)
    out["first_seen"] = day.to_numpy()
    out["last_seen"] = day.to_numpy()
    return out
