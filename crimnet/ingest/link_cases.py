"""Resolve the people of one case against the people a store already holds (``--merge``).

Two cases written into one store (:func:`crimnet.graphs.store.load` with ``merge=True``) keep
their people apart unless someone resolves them: their person ids are namespaced by case, so the
same woman listed by a council in one case and by a bank in the other would be two nodes, and
the link an investigator needs (one phone, one account, one person across two operations) would
not be there. :func:`link_cases` runs crimnet's person resolution
(:func:`crimnet.ingest.resolve.resolve_people`) between the two cases' *resolved* people, not
their raw records, which a store does not keep:

- every person becomes one record per thing it is linked to (each phone, address, account and
  business, with the address's postcode), each carrying its name, date of birth, nationality
  and sex, so the deterministic rules, the Fellegi-Sunter model and the relational pass see the
  same evidence they see in an ingest;
- the stored people are the ``existing`` records (their entity ids kept, so earlier decisions
  stand, and only pairs with an incoming record are compared);
- an incoming person one of whose records joins a stored person takes that person's id
  (the one most of its records joined; ties to the smallest id). Incoming people are never
  merged with each other here: their own case already resolved them.

The model's parameters are the documented fixed ones (``training='fixed'``): one resolved
person yields several near-identical records, which would bias an EM estimate towards
agreement.

The incoming tables are then rewritten so the store's upsert (which replaces a row whose key
it holds) loses nothing: a linked person keeps its stored name and attributes and gains the
incoming person's provenance and a resolution entry saying why; every row whose key the store
already holds (a phone, an address, a pair relationship of a linked person) carries the
provenance of both cases (sources and record ids united, first and last seen widened); an event
id the store holds with other content (two cases whose sources number their records alike) is
kept apart as ``'<case>/<id>'`` instead of replacing the stored event.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from crimnet.errors import bad_parameter, check_type
from crimnet.ingest.resolve import MATCH_LEVELS, resolve_people
from crimnet.schema import NODE_LABELS, REL_TYPES, rel_type, table_fields, table_key
from crimnet.tables import CanonicalTables

__all__ = ["CaseLinks", "link_cases", "person_records", "union_rows"]

_FUNC = "link_cases"

#: Match weight (bits) counted for a deterministic link (weight inf) when links vote: above any model weight.
_SURE = 40.0

#: Relationship types whose far end is person evidence, and the record column it fills.
_EVIDENCE: tuple[tuple[str, str], ...] = (
    ("USES_PHONE", "phone"),
    ("LIVES_AT", "address_id"),
    ("HOLDS", "account_id"),
    ("DIRECTS", "business_id"),
    ("WORKS_AT", "business_id"),
)


@dataclass
class CaseLinks:
    """What :func:`link_cases` found and the tables to write.

    Attributes
    ----------
    tables : CanonicalTables
        The incoming case's tables (its case kept), people linked to stored people renamed to
        the stored ids, and every row whose key the store holds carrying both cases' provenance.
    links : DataFrame
        One row per incoming person linked to a stored one: ``incoming_id``, ``stored_id``,
        ``records`` (how many of its records joined that person), ``rule`` (the resolution rule of
        the link, e.g. ``'splink:p>=0.8'``), sorted by ``incoming_id``.
    kept_apart : int
        Events whose id the store holds with other content, renamed ``'<case>/<id>'``.
    """

    tables: CanonicalTables
    links: pd.DataFrame
    kept_apart: int = 0


def person_records(tables: CanonicalTables, *, source: str = "case") -> pd.DataFrame:
    """Return one resolution record per person and per thing it is linked to.

    Parameters
    ----------
    tables : CanonicalTables
        Canonical tables of one case (or of a whole store).
    source : str, default 'case'
        The ``source`` of every record.

    Returns
    -------
    DataFrame
        Columns ``source``, ``record_id`` (``'<person id>'`` for the person's attributes alone,
        ``'<person id>|<TYPE>|<far end>'`` for each link), ``person_id``, ``name``, ``dob``,
        ``nationality``, ``sex`` and, where the link gives them, ``phone``, ``address_id``,
        ``postcode``, ``account_id``, ``business_id``: the columns
        :func:`crimnet.ingest.resolve.resolve_people` reads.

    Notes
    -----
    O(n + m) for n people and m links (vectorised merges). Record ids hold no ``'#'``, so the
    resolver never reads two records of one person as two people of one list cell.

    Examples
    --------
    >>> t = CanonicalTables.from_partial({
    ...     "Person": pd.DataFrame({"id": ["P1"], "name": ["ana popescu"], "dob": ["1990-03-04"]}),
    ...     "USES_PHONE": pd.DataFrame({"src": ["P1"], "dst": ["+447700900123"]})})
    >>> person_records(t)[["record_id", "phone"]].values.tolist()
    [['P1', None], ['P1|USES_PHONE|+447700900123', '+447700900123']]
    """
    check_type(tables, CanonicalTables, param="tables", func="person_records", expected="a CanonicalTables")
    people = tables.nodes["Person"][["id", "name", "dob", "nationality", "sex"]].rename(columns={"id": "person_id"})
    parts = [people.assign(record_id=people["person_id"])]
    postcodes = tables.nodes["Address"][["id", "postcode"]].rename(columns={"id": "address_id"})
    for rtype, column in _EVIDENCE:
        ends = tables.rels[rtype][["src", "dst"]].rename(columns={"src": "person_id", "dst": column})
        linked = ends.merge(people, on="person_id", how="inner", sort=False)
        linked["record_id"] = linked["person_id"] + f"|{rtype}|" + linked[column].astype(str)
        if column == "address_id":
            linked = linked.merge(postcodes, on="address_id", how="left", sort=False)
        parts.append(linked)
    out = pd.concat(parts, ignore_index=True).astype(object)
    out = out.where(out.notna(), None)
    out.insert(0, "source", source)
    columns = ["source", "record_id", "person_id", "name", "dob", "nationality", "sex"]
    columns += ["phone", "address_id", "postcode", "account_id", "business_id"]
    return out.reindex(columns=columns)


def link_cases(
    stored: CanonicalTables,
    incoming: CanonicalTables,
    *,
    match_level: str = "balanced",
    seed: int = 0,
) -> CaseLinks:
    """Resolve `incoming`'s people against `stored`'s and rewrite `incoming` to merge into the store.

    Parameters
    ----------
    stored : CanonicalTables
        What the store holds (:meth:`crimnet.graphs.store.base.GraphStore.tables`), any number of cases.
    incoming : CanonicalTables
        The tables of the case being merged in.
    match_level : {'strict', 'balanced', 'inclusive'}, default 'balanced'
        How much evidence links two people (:data:`crimnet.ingest.resolve.MATCH_LEVELS`).
    seed : int, default 0
        Seed of the resolver.

    Returns
    -------
    CaseLinks
        The tables to write with ``merge=True``, the links found and the events kept apart.

    Raises
    ------
    crimnet.errors.ParameterError
        Bad arguments.

    Notes
    -----
    The resolver's cost on ``n`` records (people times their links, both cases): O(n log n)
    with capped blocks (:func:`crimnet.ingest.resolve.resolve_people`); the rewrite is O(rows) plus
    an O(k) Python union over the k rows whose key both cases hold. Person links follow the
    resolver's rules (see ``docs/resolution.md``), so their precision and recall are those of an
    ingest at `match_level` on people described by their links, not their raw records.

    References
    ----------
    Fellegi, I. P. and Sunter, A. B. (1969). A theory for record linkage. JASA 64(328), 1183-1210.
    Bhattacharya, I. and Getoor, L. (2007). Collective entity resolution in relational data.
    ACM TKDD 1(1).
    """
    check_type(stored, CanonicalTables, param="stored", func=_FUNC, expected="a CanonicalTables")
    check_type(incoming, CanonicalTables, param="incoming", func=_FUNC, expected="a CanonicalTables")
    if match_level not in MATCH_LEVELS:
        raise bad_parameter("match_level", _FUNC, f"one of {sorted(MATCH_LEVELS)}", match_level)
    links = _person_links(stored, incoming, match_level=match_level, seed=seed)
    given = dict(incoming.items())
    given["Person"] = _linked_people(given["Person"], links, incoming.case)
    renamed = _renamed(given, dict(zip(links["incoming_id"], links["stored_id"], strict=True)))
    frames: dict[str, pd.DataFrame] = {}
    kept_apart = 0
    for name, df in renamed.items():
        if name in REL_TYPES and rel_type(name).key == "event":
            df, clashes = _apart(df, stored.rels[name], incoming.case)
            kept_apart += clashes
        old = stored.nodes[name] if name in NODE_LABELS else stored.rels[name]
        frames[name] = union_rows(name, [_holding(name, old, df), df])
    tables = CanonicalTables.from_frames(frames, case=incoming.case)
    return CaseLinks(tables=tables, links=links, kept_apart=kept_apart)


def _person_links(stored: CanonicalTables, incoming: CanonicalTables, *, match_level: str, seed: int) -> pd.DataFrame:
    """Incoming person -> stored person, from one incremental resolution of their records."""
    empty = pd.DataFrame({"incoming_id": [], "stored_id": [], "records": [], "rule": []}).astype(
        {"incoming_id": object, "stored_id": object, "records": "int64", "rule": object}
    )
    old = person_records(stored, source="stored")
    new = person_records(incoming, source="incoming")
    if old.empty or new.empty:
        return empty
    existing = old.assign(entity_id=old["person_id"])
    result = resolve_people(
        new.drop(columns="person_id"),
        existing=existing.drop(columns="person_id"),
        training="fixed",
        match_level=match_level,
        seed=seed,
        case=incoming.case,
    )
    person_of = pd.concat(
        [old["source"] + ":" + old["record_id"], new["source"] + ":" + new["record_id"]], ignore_index=True
    )
    person_of = pd.Series(pd.concat([old["person_id"], new["person_id"]], ignore_index=True).to_numpy(), person_of)
    # direct links between an incoming and a stored record vote for that stored person; the strongest wins (a sum
    # would favour whoever has the most links, each a record here)
    pairs = result.pairs[~result.pairs["rule"].astype(str).str.startswith("rejected")]
    ends = pd.DataFrame({"a": pairs["left"].to_numpy(object), "b": pairs["right"].to_numpy(object)})
    ends["weight"] = pairs["match_weight"].clip(upper=_SURE).fillna(0.0).to_numpy(float)
    ends["rule"] = pairs["rule"].to_numpy(object)
    swapped = ends.rename(columns={"a": "b", "b": "a"})
    direct = pd.concat([ends, swapped], ignore_index=True)
    direct = direct[direct["a"].str.startswith("incoming:") & direct["b"].str.startswith("stored:")]
    votes = direct.assign(
        incoming_id=person_of.reindex(direct["a"]).to_numpy(), stored_id=person_of.reindex(direct["b"]).to_numpy()
    )
    # an incoming person joined to stored ones only through other records takes its cluster's stored id
    decided = result.table[["source", "record_id", "entity_id", "rule"]]
    chained = new.merge(decided, on=["source", "record_id"], how="inner", sort=False)
    chained = chained[
        chained["entity_id"].isin(set(old["person_id"])) & ~chained["person_id"].isin(set(votes["incoming_id"]))
    ]
    votes = pd.concat(
        [
            votes[["incoming_id", "stored_id", "weight", "rule"]],
            chained.rename(columns={"person_id": "incoming_id", "entity_id": "stored_id"}).assign(weight=0.0)[
                ["incoming_id", "stored_id", "weight", "rule"]
            ],
        ],
        ignore_index=True,
    )
    if votes.empty:
        return empty
    votes = votes.sort_values("weight", ascending=False, kind="stable")
    tally = votes.groupby(["incoming_id", "stored_id"], sort=False).agg(
        weight=("weight", "max"), records=("rule", "size"), rule=("rule", "first")
    )
    tally = tally.reset_index().sort_values(
        ["incoming_id", "weight", "records", "stored_id"], ascending=[True, False, False, True]
    )
    best = tally.drop_duplicates("incoming_id")
    return best[["incoming_id", "stored_id", "records", "rule"]].reset_index(drop=True).astype(empty.dtypes.to_dict())


def _renamed(tables: dict[str, pd.DataFrame], rename: dict[str, str]) -> dict[str, pd.DataFrame]:
    """Every table with person ids in `rename` replaced (node ids and relationship ends)."""
    out = {}
    for name, df in tables.items():
        df = df.copy()
        if name == "Person":
            df["id"] = df["id"].map(lambda v: rename.get(v, v))
        elif name in REL_TYPES:
            t = rel_type(name)
            for end, label in (("src", t.src), ("dst", t.dst)):
                if label == "Person":
                    df[end] = df[end].map(lambda v: rename.get(v, v))
        out[name] = df
    return out


def _linked_people(people: pd.DataFrame, links: pd.DataFrame, case: str | None) -> pd.DataFrame:
    """Incoming people (before renaming), a linked one saying in its resolution why it joins a stored person."""
    if links.empty:
        return people
    why = links.set_index("incoming_id")
    linked = people["id"].isin(why.index).to_numpy(bool)
    people = people.copy()
    rows = why.loc[people.loc[linked, "id"]]
    prefix = f"{case}/" if case else ""
    people.loc[linked, "resolution"] = [
        f"{prefix}{i}: linked across cases to {s}: {r} ({n} of its link records)"
        for i, s, r, n in zip(rows.index, rows["stored_id"], rows["rule"], rows["records"], strict=True)
    ]
    return people


def _apart(events: pd.DataFrame, stored: pd.DataFrame, case: str | None) -> tuple[pd.DataFrame, int]:
    """Rename events whose id the store holds with other ends or values to ``'<case>/<id>'``."""
    if events.empty or stored.empty:
        return events, 0
    both = events.merge(stored, on="id", suffixes=("", "_stored"), sort=False)
    if both.empty:
        return events, 0
    compare = [c for c in events.columns if c not in ("id", "sources", "record_ids", "first_seen", "last_seen")]
    differs = np.zeros(len(both), dtype=bool)
    for c in compare:
        a, b = both[c].astype(object), both[f"{c}_stored"].astype(object)
        differs |= ~((a == b) | (a.isna() & b.isna())).to_numpy(bool)
    clash = set(both.loc[differs, "id"])
    if not clash:
        return events, 0
    events = events.copy()
    hit = events["id"].isin(clash)
    events.loc[hit, "id"] = f"{case or 'merged'}/" + events.loc[hit, "id"].astype(str)
    return events, int(hit.sum())


def _holding(name: str, stored: pd.DataFrame, incoming: pd.DataFrame) -> pd.DataFrame:
    """The stored rows of `name` whose key `incoming` also has."""
    if stored.empty or incoming.empty:
        return stored.iloc[:0]
    key = table_key(name)
    wanted = incoming[key].drop_duplicates()
    return stored.merge(wanted, on=key, how="inner", sort=False)[list(stored.columns)]


def union_rows(name: str, frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate rows of canonical table `name` and unite those with one key into one row.

    Parameters
    ----------
    name : str
        A node label or relationship type of :mod:`crimnet.schema`.
    frames : sequence of DataFrame
        Canonical tables of `name`, earliest first.

    Returns
    -------
    DataFrame
        One row per key (``id``, or ``src``/``dst`` for pair relationships): list columns
        (``sources``, ``record_ids``) united and sorted, ``first_seen`` the earliest,
        ``last_seen`` the latest, ``resolution`` entries united (``' | '``), every other column
        the first frame's non-null value.

    Notes
    -----
    Rows with a key of their own pass through untouched (vectorised); the k rows sharing a
    key are united in Python, O(k).

    Examples
    --------
    >>> a = pd.DataFrame({"id": ["+447700900123"], "sources": [["police"]], "record_ids": [["police:U1"]]})
    >>> b = pd.DataFrame({"id": ["+447700900123"], "sources": [["bank"]], "record_ids": [["bank:C7"]]})
    >>> union_rows("Phone", [a, b])[["sources", "record_ids"]].values.tolist()
    [[['bank', 'police'], ['bank:C7', 'police:U1']]]
    """
    check_type(name, str, param="name", func="union_rows", expected="a label or relationship type name")
    if name not in NODE_LABELS and name not in REL_TYPES:
        raise bad_parameter("name", "union_rows", "a label or relationship type of crimnet.schema", name)
    check_type(frames, (list, tuple), param="frames", func="union_rows", expected="a list of DataFrames")
    key = table_key(name)
    columns = [f.name for f in table_fields(name)]
    rows = pd.concat([f for f in frames if len(f)] or [frames[0]], ignore_index=True).reindex(columns=columns)
    dup = rows.duplicated(key, keep=False).to_numpy(bool)
    if not dup.any():
        return rows
    single, shared = rows[~dup], rows[dup]
    united = [_unite(group, columns) for _, group in shared.groupby(key, sort=False)]
    return pd.concat([single, pd.DataFrame(united, columns=columns)], ignore_index=True)


def _unite(group: pd.DataFrame, columns: list[str]) -> list[object]:
    """One row from rows with one key (see :func:`union_rows`)."""
    out: list[object] = []
    for c in columns:
        values = [v for v in group[c] if not _missing(v)]
        if c in ("sources", "record_ids"):
            out.append(sorted({str(x) for v in values for x in v}))
        elif c == "resolution":
            out.append(" | ".join(sorted({p for v in values for p in str(v).split(" | ")})) if values else None)
        elif c == "first_seen":
            out.append(min(values) if values else None)
        elif c == "last_seen":
            out.append(max(values) if values else None)
        else:
            out.append(values[0] if values else None)
    return out


def _missing(v: object) -> bool:
    if v is None:
        return True
    if isinstance(v, float):
        return bool(np.isnan(v))
    return v is pd.NA
