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
* events (``PAID``, ``CALLED``, ``SEEN_AT``) keep one row each with id
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
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from crimnet.errors import IngestError, SchemaError, check_type
from crimnet.ingest.specs import SourceSpec
from crimnet.schema import NODE_LABELS, REL_TYPES
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
]

PERSON_RECORD_COLUMNS = [
    "source", "record_id", "name", "dob", "postcode", "address_id", "phone", "account_id", "nino", "nationality", "sex",
]  # fmt: skip
"""Columns of the person records passed to entity resolution (and written to ``records.parquet``)."""

_NODE_ATTRS = {label: [f.name for f in NODE_LABELS[label].properties] for label in NODE_LABELS if label != "Person"}
_PAIR_COLS = ["src", "dst", "source", "record", "first_seen", "last_seen"]

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
                hit = mine & ~done & base.str.endswith(f"#{name}").to_numpy(bool)
                if hit.any():
                    base[hit] = base[hit].str.slice(0, -(len(name) + 1)).to_numpy()
                    done |= hit
    return source + ":" + base


def _write(df: pd.DataFrame, path: Path) -> None:
    table = pa.Table.from_pandas(df.reset_index(drop=True), preserve_index=False)
    pq.write_table(table, path)


def person_record_ids(spec: SourceSpec, record_ids: pd.Series, node: str) -> pd.Series:
    """Return the resolution record ids of person node `node` of `spec` for the given row record ids.

    With one Person node per spec this is the row's record id; with several,
    ``'<record id>#<node>'`` keeps them apart.
    """
    check_type(spec, SourceSpec, param="spec", func="person_record_ids", expected="a SourceSpec")
    persons = [n for n in spec.nodes.values() if n.label == "Person"]
    return record_ids if len(persons) == 1 else record_ids + f"#{node}"


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
            ids = get(p["id"])
            if node.label == "Business":
                attrs["name"] = get(p.get("name"))
                attrs["sic"] = get(p.get("sic"))
                attrs["sector"] = get(p.get("sector")) if "sector" in p else sector_of(attrs["sic"])
        elif node.label == "Address":
            pc, line = get(p["postcode"]), get(p["line"])
            ok = pc.notna() & line.notna()
            ids = na.copy()
            if ok.any():
                ids[ok] = address_key(pc[ok], line[ok]).astype("str").to_numpy()
            attrs["postcode"] = pc.where(ok)
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
) -> Evidence:
    """Turn normalised rows of one source into evidence tables.

    Parameters
    ----------
    spec : SourceSpec
        The source's spec.
    values : mapping of field name to Series
        Normalised values of every field of the spec (NA where missing or
        dropped), all on the same index as `record_ids`.
    record_ids : Series of str
        The rows' record ids (unique, non-null).
    pseudonymise_key : bytes or None
        If given, the HMAC key: names, phones, account ids, NINOs and vehicle
        registrations become tokens (after ids are built, before resolution).

    Returns
    -------
    Evidence

    Notes
    -----
    Time and memory O(rows x nodes of the spec); vectorised.
    """
    check_type(spec, SourceSpec, param="spec", func="extract", expected="a SourceSpec")
    index = record_ids.index
    source = spec.name
    record = (source + ":" + record_ids.astype(str)).astype("str")
    nodes = _node_ids(spec, values, index)
    if pseudonymise_key is not None:
        nodes = {k: _pseudonymise_node(spec.nodes[k].label, v, pseudonymise_key) for k, v in nodes.items()}

    ev = Evidence()
    person_names = tuple(k for k, v in spec.nodes.items() if v.label == "Person")
    if len(person_names) > 1:  # their record ids carry '#<node>' (person_record_ids)
        ev.person_nodes[source] = person_names
    for nname, df in nodes.items():
        label = spec.nodes[nname].label
        keep = df["id"].notna().to_numpy()
        part = df[keep].reindex(columns=["id", *_NODE_ATTRS[label]])
        part["source"] = source
        part["record"] = record[keep].to_numpy()
        ev.nodes[label] = pd.concat([ev.nodes[label], part], ignore_index=True) if label in ev.nodes else part

    # Person records and the keys rels use for them.
    person_keys: dict[str, pd.Series] = {}
    person_parts = []
    for nname, node in spec.nodes.items():
        if node.label != "Person":
            continue
        p = node.props
        rid = person_record_ids(spec, record_ids.astype(str), nname)
        rec = pd.DataFrame({"source": source, "record_id": rid}, index=index)
        for col in ("name", "dob", "nationality", "sex", "nino"):
            rec[col] = values[p[col]] if col in p else pd.Series(pd.NA, index=index, dtype="str")
        rec["phone"] = rec["postcode"] = rec["address_id"] = rec["account_id"] = pd.Series(
            pd.NA, index=index, dtype="str"
        )
        for rel in spec.rels:
            if rel.src != nname:
                continue
            dst = nodes.get(rel.dst)
            if dst is None:
                continue
            if rel.type == "USES_PHONE":
                rec["phone"] = rec["phone"].fillna(dst["id"])
            elif rel.type == "LIVES_AT":
                rec["address_id"] = rec["address_id"].fillna(dst["id"])
                rec["postcode"] = rec["postcode"].fillna(dst["postcode"])
            elif rel.type == "HOLDS":
                rec["account_id"] = rec["account_id"].fillna(dst["id"])
        if pseudonymise_key is not None:
            rec = _pseudonymise_person(rec, pseudonymise_key)
        keep = rec["name"].notna().to_numpy()
        person_keys[nname] = (source + ":" + rid.astype(str)).where(keep)
        person_parts.append(rec[keep].reindex(columns=PERSON_RECORD_COLUMNS))
    if person_parts:
        ev.persons = pd.concat(person_parts, ignore_index=True).astype("str")

    def end_ids(nname: str) -> pd.Series:
        return person_keys[nname] if nname in person_keys else nodes[nname]["id"]

    counts: dict[str, int] = {}
    for rel in spec.rels:
        rt = REL_TYPES[rel.type]
        src, dst = end_ids(rel.src), end_ids(rel.dst)
        keep = (src.notna() & dst.notna()).to_numpy()
        part = pd.DataFrame({"src": src[keep].to_numpy(), "dst": dst[keep].to_numpy()}, dtype="str")
        if rt.key == "event":
            k = counts[rel.type] = counts.get(rel.type, 0) + 1
            # '<source>#<k>:<record id>', not '<record key>#<k>': a record id may end in '#2' itself
            ids = record[keep] if k == 1 else f"{source}#{k}:" + record_ids[keep].astype(str)
            part.insert(0, "id", ids.to_numpy())
            for f in rt.properties:
                s = values[rel.props[f.name]][keep] if f.name in rel.props else pd.Series(pd.NA, index=index[keep])
                part[f.name] = _typed(s, f.dtype).to_numpy()
            part["source"] = source
            part["record"] = record[keep].to_numpy()
            target = ev.events
        else:
            for col, fname in (("first_seen", rel.first_seen), ("last_seen", rel.last_seen)):
                none = pd.Series(pd.NA, index=part.index, dtype="str")  # on part's index: an empty part stays empty
                part[col] = _date_part(values[fname][keep]).to_numpy() if fname else none
            part["source"] = source
            part["record"] = record[keep].to_numpy()
            part = part.reindex(columns=_PAIR_COLS)
            target = ev.pairs
        target[rel.type] = pd.concat([target[rel.type], part], ignore_index=True) if rel.type in target else part
    return ev


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


def _aggregate_nodes(df: pd.DataFrame, attrs: list[str]) -> pd.DataFrame:
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


def build_tables(evidence: Evidence, entity_ids: pd.Series) -> CanonicalTables:
    """Aggregate evidence into canonical tables.

    Parameters
    ----------
    evidence : Evidence
        All evidence of the ingest (every batch).
    entity_ids : Series of str
        Entity id of every person record, indexed by ``'<source>:<record_id>'``.

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
    builders = {k: (lambda b=b: _object_lists(b())) for k, b in _builders(evidence, entity_ids).items()}
    # Tables are aggregated one at a time as CanonicalTables conforms them, so only one
    # unconformed table (and its evidence) is in memory at once.
    return CanonicalTables(
        # CanonicalTables accepts any mapping and conforms it into a dict
        nodes=_LazyTables({k: v for k, v in builders.items() if k in NODE_LABELS}),  # type: ignore[arg-type]
        rels=_LazyTables({k: v for k, v in builders.items() if k in REL_TYPES}),  # type: ignore[arg-type]
    )


def lazy_tables(evidence: Evidence, entity_ids: pd.Series) -> Mapping[str, pd.DataFrame]:
    """Return the canonical tables of `evidence` as a lazy mapping: each is aggregated when looked up, and not kept.

    Parameters
    ----------
    evidence : Evidence
        All evidence of the ingest (every batch).
    entity_ids : Series of str
        Entity id of every person record, indexed by ``'<source>:<record_id>'``.

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
    return _LazyTables(_builders(evidence, entity_ids))


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
        df = tables[name] if name in tables else empty_table(name)
        schema = arrow_schema(name)
        unknown = sorted(set(df.columns) - set(schema.names))
        if unknown:
            raise SchemaError(f"Table {name}: unknown columns {unknown}; expected {schema.names}.")
        check_keys(name, df)  # as CanonicalTables would: a bad table never replaces good output
        df = df.reindex(columns=schema.names)
        for col in df.columns[df.isna().all().to_numpy()]:  # all missing: typed as CanonicalTables has them
            kind = schema.field(col).type
            if pa.types.is_string(kind) or pa.types.is_large_string(kind):
                df[col] = pd.Series(pd.NA, index=df.index, dtype="str")
            elif not (pa.types.is_floating(kind) or pa.types.is_integer(kind)):
                df[col] = pd.Series([None] * len(df), index=df.index, dtype=object)
        table = _pandas_list_metadata(pa.Table.from_pandas(df, schema=schema, preserve_index=False))
        del df
        path = directory / table_filename(name)
        tmp = path.with_suffix(".parquet.tmp")
        pq.write_table(table, tmp)
        tmp.replace(path)
        counts[name] = table.num_rows
    return counts


def _builders(evidence: Evidence, entity_ids: pd.Series) -> dict[str, Any]:
    """Per table name with evidence: a function building that table (person records resolved)."""
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
            }
        )
        builders["Person"] = lambda: _aggregate_nodes(pdf, ["name", "dob", "nationality", "sex"])
    for label in evidence.nodes:
        builders[label] = lambda label=label: _node_table(evidence.nodes[label], label)
    pmap = pd.Series(ent.astype(str).to_numpy(), index=pkeys.to_numpy())
    for rtype in evidence.pairs:
        builders[rtype] = lambda rtype=rtype: _pair_table(evidence.pairs[rtype], rtype, pmap)
    for rtype in evidence.events:
        builders[rtype] = lambda rtype=rtype: _event_table(evidence.events[rtype], rtype)
    return builders


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
    rt = REL_TYPES[rtype]
    df = df.copy()
    for end, label in (("src", rt.src), ("dst", rt.dst)):
        if label == "Person":
            df[end] = df[end].map(pmap)
    df = df.dropna(subset=["src", "dst"])
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
    return out


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
