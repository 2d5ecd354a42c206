"""Collective (relational) person resolution: a name that agrees AND a graph neighbour that agrees.

Why collective, not relational levels in the Splink model
---------------------------------------------------------
The evidence wanted here is "record r names the same person as cluster C, and C holds the
account (phone, address, postcode, business) r mentions". Whether C holds that account depends
on which records are already in C, and that changes as clusters merge: a payment record joined to
a bank customer brings its account to the customer's cluster, and a payroll line paying into that
account can then join too. A Splink comparison level is a fixed function of two rows, so it can
compare the two records' own accounts but not the accounts of everything already resolved with
either. This module therefore follows the collective entity resolution of Bhattacharya and Getoor
(2007): after the attribute model (:mod:`crimnet.ingest.resolve`) has clustered the records, it
scores pairs of clusters that share a neighbour by combining name agreement with the relational
evidence of the shared neighbours, merges the pairs above the threshold (through the same
chain guard as every other link; a round's links are judged against the clusters already made,
whose earlier links stand, as the paper's merges are never undone), recomputes the clusters'
neighbourhoods and repeats until no
new link is made (batch-greedy rounds instead of the paper's one-merge-at-a-time priority queue,
so a round is a few vectorised joins; at most :data:`MAX_ROUNDS` rounds). As the paper updates only
the neighbours of a merge, a later round judges anew only the cluster pairs whose evidence changed
(``changed`` of :func:`relational_links`).

The score of a cluster pair (a Fellegi-Sunter match weight, log2 of the posterior odds)
----------------------------------------------------------------------------------------
``W = log2(1 / N) + w_neighbour + w_family + w_given + w_dob`` for N current clusters, from the
best pair of records (one per cluster, both with a name) whose family names agree (same variant
key). Every frequency below comes from the records being resolved; name frequencies count each
distinct name once (a landlord written on 300 tenancies is one person, not 300 bearers of his surname).

``w_neighbour``
    Per kind of shared neighbour, the rarest shared value: ``log2(m / ((k - 1) / N))`` where k
    clusters hold the value (a value held by two clusters narrows the candidates to one person,
    ``m`` = :data:`M_NEIGHBOUR`); values held by more than
    :data:`crimnet.ingest.resolve_rules.MAX_BLOCK` clusters are not evidence (a call centre, an
    HMO). Kinds add up, except a shared postcode when the address is shared too (the address
    implies it). A kind that changes as clusters merge is the *co-record*: two records written
    in rows beside one resolved person (the landlord of a tenant's tenancy, and the payee of that
    tenant's payments) share that person as a neighbour, so a landlord named on a tenancy and the
    account holder the tenant pays rent to, named alike, become one person. Within a household its
    people pay and live beside the same people, so a co-record counts only as much as it exceeds
    the other kinds shared, and a link it carries alone needs the whole given name on both sides.
    A record written in a row beside other people also takes their addresses, for its role (*row
    address*, ``'council_tenancy#landlord|<address>'``): the property a landlord lets is his
    tenant's address, so two landlord records of one property, named alike, are one landlord.
    Two records of one row are also a candidate pair by themselves (*one row*, :func:`_same_row_pairs`): the
    payer and the payee of a payment between one person's own accounts, named alike, join that person's
    two accounts; the prior is how often the rows of that pair of roles are already one person.
    The last kind is the record's *role*: the source and the person field it comes from
    (``'council_tenancy#landlord'``, the landlords a register names). Records of one role are
    drawn from that role's population, not the town's: two landlords of one register named
    Julie Smith are one person unless the register's landlords hold two Julie Smiths. Its k
    is the number of people the role's names can be (whole names in either word order, and the
    short forms no whole name explains: ``'j taylor'`` beside ``'jade taylor'`` is no one new), so
    ``W`` starts from ``log2(m / (k - 1))`` instead of ``log2(1 / N)``; a role is used only when it
    holds two or more people and its population is at least :data:`ROLE_MIN_BITS` bits smaller than
    the whole (``N / k >= 2^ROLE_MIN_BITS``, both counted alike), since a role
    as large as the town (tenants, account holders) says nothing; its ``h`` is the coincidence of
    family names among the role's records.
``w_family``
    ``log2(m / u)`` with ``u = h * tf(family) / sum(tf^2)``, capped at 1: the term-frequency
    adjusted chance that two different people sharing such a neighbour have the same family
    name. ``h`` is estimated from the data per neighbour kind: among
    records of clearly different people (different given names) that share a value of that kind,
    the share with the same family name. Families share addresses, phones and joint accounts, so
    at a shared address a surname is weak evidence even when it is rare.
``w_given``
    Both given names whole and equal: ``log2(m / tf(given))``; an initial against a given name or
    initial with that first letter, two spellings of one name (same variant key, at most
    :data:`crimnet.ingest.name_frequency.MAX_VARIANT_EDITS` edits apart), or one keying error apart
    (:func:`crimnet.ingest.name_frequency.one_keying_error`, same first letter, both of at least
    :data:`MIN_TYPO_LENGTH` letters, one of them borne by no other distinct name: a keying error makes a
    word nobody else bears, while 'john' and 'joan' are two names): ``log2(m / tf(initial))``;
    only a family name on one side (a titled form, ``'MR SMITH'``): 0. Different given names, or
    initials that disagree, forbid the link.
``readings``
    A name of two whole words is also read in the other order, at a cost of :data:`ALT_READING_BITS`
    (lower-cased names have lost the cue of 'SMITH, John' or 'John SMITH', and bank holder names are
    written either way round); the pair's weight is that of its best reading, and the explanation of a
    link made through the other order says so.
``w_dob``
    Both dates known: incompatible dates (:func:`crimnet.ingest.resolve_rules.dob_compatible`)
    forbid the link; agreement at the finer of the two precisions (day, month, year) adds
    ``log2(m / tf(date at that precision))``; compatible but different (one keying error) adds
    ``log2((1 - m) / (1 - tf))``. A missing date adds nothing. Opposite recorded sexes forbid the link.

Ambiguity: a cluster links to its best candidate and to the other candidates that could be the
same person as that one (names and dates that allow it); when a candidate that could not be scores
within :data:`AMBIGUITY_MARGIN` bits of the best, the cluster makes no link at all (a
``'j smith'`` paid into a household account held by John and James Smith stays apart). Records
from one couple holder or one list cell are never merged with each other, and an organisation
holder never links
(:func:`crimnet.ingest.resolve_rules.guard_clusters`, :func:`crimnet.ingest.resolve_rules.holder_kinds`).

References
----------
Bhattacharya, I. and Getoor, L. (2007). Collective entity resolution in relational data. ACM
Transactions on Knowledge Discovery from Data 1(1), article 5. doi:10.1145/1217299.1217304.
Fellegi, I. P. and Sunter, A. B. (1969). A theory for record linkage. JASA 64(328), 1183-1210.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from crimnet.errors import check_interval, check_type
from crimnet.ingest.name_frequency import (
    close_variants,
    coincidence,
    one_keying_error,
    split_names,
    term_frequencies,
)
from crimnet.ingest.resolve_rules import (
    MAX_BLOCK,
    dob_codes,
    dob_parts_compatible,
    first_records,
    guard_clusters,
    holder_kinds,
)

__all__ = [
    "NEIGHBOUR_KINDS",
    "M_NEIGHBOUR",
    "M_NAME",
    "M_DOB",
    "AMBIGUITY_MARGIN",
    "MAX_ROUNDS",
    "RELATIONAL_PRIO",
    "H_PRIOR_PAIRS",
    "ROLE_MIN_BITS",
    "CO_RECORD_INITIAL",
    "ALT_READING_BITS",
    "MIN_TYPO_LENGTH",
    "relational_links",
    "collective_resolve",
]

#: Key of the household estimates (:func:`relational_links` ``household``) holding how often two
#: different people of one household (same family name, sharing a co-record) share a given initial.
CO_RECORD_INITIAL = "co_record:initial"

#: Record columns whose values are graph neighbours of the person (Account, Phone, Address,
#: Postcode, Business ids).
NEIGHBOUR_KINDS = ("account_id", "phone", "address_id", "postcode", "business_id")

#: Probability that two records of one person, each naming a neighbour of a kind, name the same
#: one (people have several phones, addresses and accounts over time): a round 0.5, not fitted.
M_NEIGHBOUR = 0.5

#: Probability that two records of one person agree on family name (marriage and misspelling
#: aside) and on given name at the level compared.
M_NAME = 0.9

#: Probability that two records of one person agree on date of birth at the precision compared.
M_DOB = 0.9

#: Bits by which a cluster's best candidate must beat its second (2^3 = 8 times likelier).
AMBIGUITY_MARGIN = 3.0

#: Pseudo-pairs (at a share of 0.5) added to the data when estimating :func:`_household_share`.
H_PRIOR_PAIRS = 20.0

#: Bits a name's other reading costs (:func:`_readings`): two readings double the chance that a stranger agrees.
ALT_READING_BITS = 1.0

#: Given names shorter than this are never read as a keying error of each other ('ann', 'anna'; 'joe', 'jon').
MIN_TYPO_LENGTH = 4

#: At most this many rounds of match-and-merge.
MAX_ROUNDS = 8

#: The ``prio`` of relational links in the chain guard: added after deterministic and model links.
RELATIONAL_PRIO = 3

#: A role (source and person field) is evidence only when its population is at least 2^4 = 16 times
#: smaller than the whole, in people named (_people_named): a smaller gain is a bit or two of prior that costs pairs
#: growing with the square of the role (a payroll, a vehicle register), and a role nearly as large as
#: the town narrows nothing.
ROLE_MIN_BITS = 4.0

_LINK_COLUMNS = ["l", "r", "match_weight", "match_probability", "rule", "via", "prio"]
_LINK_DTYPES = ["int64", "int64", "float64", "float64", "object", "object", "int64"]


@dataclass(frozen=True)
class _Context:
    """Arrays that stay fixed across rounds: name parts per reading (:func:`_readings`; reading i < n is record
    i's own), dates, sexes, holder kinds, neighbours and siblings per record.

    Pairs compare integer codes (``*_code``, -1 where missing, as None met None before) rather than the strings: a
    round compares millions of reading pairs, and string comparisons of object arrays cost ten times as much.
    """

    rec: np.ndarray  # the record of each reading
    alt: np.ndarray  # the record's other reading (-1 when it has none)
    cost: np.ndarray  # bits a reading costs (0 for a record's own reading, ALT_READING_BITS for the other)
    fam: np.ndarray  # family name variant key (its strings estimate the frequency of family names in a role)
    given: np.ndarray  # given word or initial (its strings are compared letter by letter for spelling variants)
    u_family: np.ndarray  # tf(family) / sum tf^2
    w_given: np.ndarray  # log2(m / tf) at the record's own given level (word or initial)
    w_initial: np.ndarray  # log2(m / tf(initial))
    rare_given: np.ndarray  # the given word is in at most one distinct name (what a keying error makes)
    given_len: np.ndarray  # letters of the given word or initial (0 when none)
    word: np.ndarray  # the given name is a whole word
    named: np.ndarray  # a given name or initial is known
    fam_code: np.ndarray
    given_code: np.ndarray
    gkey_code: np.ndarray
    initial_code: np.ndarray
    dob_parts: np.ndarray  # per record: year, month, day codes (dob_codes)
    dob_code: dict[str, np.ndarray]  # per record: the date's code at each precision ('dob', 'dob_ym', 'dob_y')
    tf_dob: dict[str, np.ndarray]  # per record: the frequency of its date at each precision (NaN when missing)
    sex: np.ndarray  # code: -1 unknown, 0 and 1 the two recorded sexes
    profile: np.ndarray  # per reading: readings of one profile score alike against any other (_profiles)
    couple: np.ndarray
    organisation: np.ndarray
    neighbours: pd.DataFrame  # uid, kind, value
    role_size: dict[str, int]  # people named in each small role (its population, module notes)
    siblings: pd.DataFrame  # uid, sib: records written in one row of one source (both directions)
    role: np.ndarray  # each record's role (_record_roles)
    row: np.ndarray  # '<source>:<row record id>' of a record written in a row naming several people, else None


def _readings(name: pd.Series, pseudonymised: bool = False) -> pd.DataFrame:
    """Each record's own reading of its name (:func:`split_names`, in record order) and, for a name of two whole words,
    the other order: ``rec``, ``cost`` and the columns of :func:`split_names`.

    Pseudonymised names are keyed tokens, one per word (:func:`crimnet.ingest.pseudonymise.pseudonymise_name`): a
    token's letters mean nothing, so its variant key and its "initial" are the token itself (two names agree only
    word for word, and a given name differs from another exactly when its token does).

    Names arrive lower-cased, so the order cue of the source ('SMITH, John', 'John SMITH') is gone by now, and holder
    names of bank extracts are written either way round ('WOOD CHARLOTTE'). Reading a two-word name both ways lets
    either order meet the person's other records; the other order costs :data:`ALT_READING_BITS`, since it doubles the
    chance that a stranger's name agrees under one of the two. O(n) plus O(1) Python work per distinct name.
    """
    own = split_names(name).reset_index(drop=True)
    codes, uniq = pd.factorize(name.astype(object).where(name.notna(), None), use_na_sentinel=True)
    tokens = [str(u).split() for u in uniq]  # once per distinct name
    flip = np.array([f"{t[1]} {t[0]}" if len(t) == 2 and min(map(len, t)) > 1 else None for t in tokens] + [None])
    two = pd.notna(flip[codes])
    other = split_names(pd.Series(flip[codes][two], dtype=object))
    rec = np.arange(len(name), dtype=np.int64)
    out = pd.concat(
        [own.assign(rec=rec, cost=0.0), other.assign(rec=rec[two], cost=ALT_READING_BITS)], ignore_index=True
    )
    if pseudonymised:
        out = out.assign(family_key=out["family"], given_key=out["given"], initial=out["given"])
    return out


def _other_readings(rec: np.ndarray, n: int) -> np.ndarray:
    """For each reading (:func:`_readings`: record i's own is i < `n`, its other one later), the id of the same
    record's other reading, or -1."""
    alt = np.full(len(rec), -1, dtype=np.int64)
    others = np.arange(n, len(rec), dtype=np.int64)
    alt[rec[n:]] = others
    alt[others] = rec[n:]
    return alt


def _context(df: pd.DataFrame, pseudonymised: bool = False) -> _Context:
    names = _readings(df["name"], pseudonymised)
    fam = names["family_key"].to_numpy(object)
    gkind = names["given_kind"].to_numpy(object)
    gkey = names["given_key"].to_numpy(object)
    given = names["given"].to_numpy(object)
    initial = names["initial"].to_numpy(object)
    # name frequencies among distinct names, not records: a landlord written on 300 tenancies (or paid 700
    # times) is one person, and counting his records would make his own surname look common; counted over the
    # records' own readings (a word seen only in the other order is as rare as a name seen once)
    own = names.iloc[: len(df)]
    once = (df["name"].notna() & ~df["name"].duplicated()).to_numpy()
    tf_f = term_frequencies(own["family_key"][once])
    tf_g = term_frequencies(own["given"].where(own["given_kind"] == "word")[once])
    tf_i = term_frequencies(own["initial"][once])
    seen_once = 1.0 / max(int(once.sum()), 1)
    bearers = own["given"].where(own["given_kind"] == "word")[once].value_counts()
    rare_given = (gkind == "word") & (names["given"].map(bearers).fillna(0).to_numpy(np.float64) <= 1)

    u_family = np.nan_to_num(_freq_of(names["family_key"], tf_f), nan=seen_once) / coincidence(tf_f)
    w_i = np.log2(M_NAME / _freq_of(names["initial"], tf_i))
    tf_given = np.nan_to_num(_freq_of(names["given"], tf_g), nan=seen_once)
    w_g = np.where(gkind == "word", np.log2(M_NAME / tf_given), w_i)
    tf_dob = {c: _freq_of(df[c], term_frequencies(df[c])) for c in ("dob", "dob_ym", "dob_y")}
    kinds = holder_kinds(df)
    parts = []
    for kind in NEIGHBOUR_KINDS:
        if kind not in df.columns:
            continue
        s = df[kind]
        ok = s.notna().to_numpy()
        if ok.any():
            parts.append(
                pd.DataFrame(
                    {"uid": df["unique_id"].to_numpy(np.int64)[ok], "kind": kind, "value": s[ok].astype(str).to_numpy()}
                )
            )
    role = _record_roles(df)
    small, role_size = _small_roles(df, role, names)
    if small is not None:
        parts.append(small)
    row = _record_rows(df)
    siblings = _row_siblings(df, row)
    parts.append(_row_addresses(df, role, siblings))
    nb = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame({"uid": [], "kind": [], "value": []})
    sex = np.select(
        [df["sex"].eq("M").fillna(False).to_numpy(bool), df["sex"].eq("F").fillna(False).to_numpy(bool)], [0, 1], -1
    )
    rec, cost = names["rec"].to_numpy(np.int64), names["cost"].to_numpy(np.float64)
    word, named, fam_code, given_code = gkind == "word", gkind != "none", _codes(fam), _codes(given)
    dob_parts = dob_codes(df[["dob_y", "dob_m", "dob_d"]].astype(object).to_numpy(object))
    dob_code = {c: _codes(df[c].astype(object).to_numpy(object)) for c in ("dob", "dob_ym", "dob_y")}
    profile = _profiles(
        [fam_code, given_code, word, named, cost],
        [dob_code["dob"], dob_code["dob_ym"], *dob_parts.T, sex, _codes(np.asarray(kinds, dtype=object))],
        rec,
    )
    return _Context(
        rec=rec, alt=_other_readings(rec, len(df)), cost=cost, fam=fam, given=given,
        u_family=u_family, w_given=w_g, w_initial=w_i, rare_given=rare_given,
        given_len=pd.Series(given, dtype=object).str.len().fillna(0).to_numpy(np.int64),
        word=word, named=named, fam_code=fam_code, given_code=given_code,
        gkey_code=_codes(gkey), initial_code=_codes(initial), dob_parts=dob_parts, dob_code=dob_code,
        tf_dob=tf_dob, sex=sex, profile=profile, couple=kinds == "couple",
        organisation=kinds == "organisation",
        neighbours=nb.astype({"uid": np.int64}), role_size=role_size, siblings=siblings, role=role,
        row=row,
    )  # fmt: skip


def _profiles(per_reading: list[np.ndarray], per_record: list[np.ndarray], rec: np.ndarray) -> np.ndarray:
    """Per reading (:func:`_readings`, of record `rec`), a code shared by the readings that score alike against any
    other: the same name parts and reading cost (`per_reading`), date of birth, sex and holder kind (`per_record`,
    indexed by record).

    A pair of clusters is then scored once per pair of profiles instead of once per pair of records: a landlord's
    300 tenancies name him in a handful of ways, and scoring all 300 against each of a candidate's records made
    most of a round's work. O(n log n).
    """
    keys = pd.DataFrame(dict(enumerate([*per_reading, *(v[rec] for v in per_record)])))
    return keys.groupby(list(keys.columns), sort=False).ngroup().to_numpy(np.int64)


def _codes(values: np.ndarray) -> np.ndarray:
    """Integer codes of `values`, -1 where missing."""
    return pd.factorize(values, use_na_sentinel=True)[0].astype(np.int64, copy=False)


def _record_roles(df: pd.DataFrame) -> np.ndarray:
    """Each record's role: its source and the person field it was written in (``field``,
    :data:`crimnet.ingest.build.PERSON_RECORD_COLUMNS`), ``'<source>#<field>'``.

    Records without a ``field`` (built by hand, or by an earlier crimnet) are read from their record id: the
    ``'#<field>'`` or ``'#<field>.<n>'`` suffix of a source that names several people per row
    (:func:`crimnet.ingest.build.person_record_ids`), else the source and ``'#'``.
    """
    if "record_id" not in df.columns:
        return (df["source"].astype(str) + "#").to_numpy(object)
    field = df["record_id"].astype(str).str.extract(r"#([^#.]+)(?:\.\d+)?$", expand=False)
    if {"field", "item"} <= set(df.columns):
        # the field as the id suffix names it: in a source of one row-level field, only its list and couple people
        # (so records ingested before these columns, read from their ids, fall in the same roles)
        named = (_counterpart(df) | df["item"].notna().to_numpy()) & df["field"].notna().to_numpy()
        field = field.where(df["field"].isna().to_numpy(), df["field"].astype(object).where(named, None))
    return (df["source"].astype(str) + "#" + field.fillna("").astype(str)).to_numpy(object)


def _counterpart(df: pd.DataFrame) -> np.ndarray:
    """Per record: its source has two or more row-level person fields (landlord and tenant, payer and payee).

    A row-level field names one person per row: a Holder field (``holder_rule`` set, even where it names a couple)
    or a field with records that are no list item (``item`` missing). Judged on the records given, with the
    ``field`` column (:data:`crimnet.ingest.build.PERSON_RECORD_COLUMNS`).
    """
    item = df["item"].notna().to_numpy()
    holder = df["holder_rule"].notna().to_numpy() if "holder_rule" in df.columns else np.zeros(len(df), bool)
    fields = df.loc[~item | holder].groupby("source")["field"].nunique()
    return df["source"].map(fields).fillna(0).to_numpy() >= 2


def _row_addresses(df: pd.DataFrame, role: np.ndarray, siblings: pd.DataFrame) -> pd.DataFrame:
    """``uid``, ``kind`` ('row_address'), ``value`` ('<role>|<address id>'): the addresses of the people written
    in a record's row, for the record's role (the property a landlord lets is his tenant's address).

    Two landlord records of one property, named alike, are one landlord; the role keeps a tenant of that
    property from sharing the value with its landlord.
    """
    addr = df["address_id"].astype(object).to_numpy(object) if "address_id" in df.columns else None
    if addr is None or siblings.empty:
        return pd.DataFrame({"uid": pd.Series(dtype=np.int64), "kind": pd.Series(dtype=object), "value": []})
    uid, sib = siblings["uid"].to_numpy(np.int64), siblings["sib"].to_numpy(np.int64)
    ok = pd.notna(addr[sib])
    out = pd.DataFrame(
        {"uid": uid[ok], "kind": "row_address", "value": role[uid[ok]] + "|" + addr[sib[ok]].astype(str)}
    )
    return out.drop_duplicates()


def _small_roles(
    df: pd.DataFrame, role: np.ndarray, readings: pd.DataFrame
) -> tuple[pd.DataFrame | None, dict[str, int]]:
    """``uid``, ``kind`` ('role'), ``value`` of the records whose role (:func:`_record_roles`) is a small
    population, and its size.

    A role's size is the number of people its names can be (:func:`_people_named`; not its records: the records
    are not resolved yet), and the whole population's is counted the same way.
    """
    if "record_id" not in df.columns or not len(df):
        return None, {}
    named = df["name"].notna().to_numpy(bool)
    total = int(_people_named(readings, np.zeros(len(df), np.int64)).sum())
    roles, code = np.unique(role.astype(str), return_inverse=True)
    size = pd.Series(_people_named(readings, code.astype(np.int64)), index=roles)
    # a role of one person is a sample too small to be a population (a source of two records)
    small = size.index[(size.to_numpy() >= 2) & (size.to_numpy() * 2.0**ROLE_MIN_BITS <= total)]
    keep = named & pd.Series(role).isin(small).to_numpy()
    if not keep.any():
        return None, {}
    found = pd.DataFrame({"uid": df["unique_id"].to_numpy(np.int64)[keep], "kind": "role", "value": role[keep]})
    return found, {str(r): int(size[r]) for r in small}


def _people_named(readings: pd.DataFrame, group: np.ndarray) -> np.ndarray:
    """Per group of records (`group`, codes 0..g-1 per record): how many people its names can be.

    A whole name counts once whichever order its words are in (``'jade taylor'``, ``'taylor jade'``); a name
    with an initial (``'j taylor'``) counts only when no whole name of the group has that family name and
    initial, and a family name alone (``'mr taylor'``) only when no other name of the group has that family
    name: the short forms are the same people written briefly. Spelling variants and errors still count as
    people of their own (``'jade taylor'`` and ``'jade tailor'`` may be two people), an overcount that errs on
    the side of no link.
    `readings` is :func:`_readings` of the records. O(n log n) in readings.
    """
    n_groups = int(group.max()) + 1 if len(group) else 0
    rec = readings["rec"].to_numpy(np.int64)
    fam = readings["family"].astype(object).to_numpy(object)
    kind = readings["given_kind"].astype(object).to_numpy(object)
    gkey = readings["given"].astype(object).to_numpy(object)
    initial = readings["initial"].astype(object).to_numpy(object)
    g = group[rec]
    own = np.arange(len(rec)) < len(group)  # a record's own reading (its other order comes later)
    has_fam = pd.notna(fam)
    word, init = has_fam & (kind == "word"), has_fam & (kind == "initial")
    # whole names: the unordered pair of words, from the own reading
    a, b = fam[own & word].astype(str), gkey[own & word].astype(str)
    first = a <= b
    whole = pd.DataFrame({"g": g[own & word], "lo": np.where(first, a, b), "hi": np.where(first, b, a)})
    whole = whole.drop_duplicates()
    counts = np.bincount(whole["g"].to_numpy(np.int64), minlength=n_groups).astype(np.int64)
    # family name and initial of every reading of a whole name: what its short forms look like
    by_initial = pd.DataFrame({"g": g[word], "fam": fam[word], "initial": initial[word]})
    short = pd.DataFrame({"g": g[own & init], "fam": fam[own & init], "initial": initial[own & init]})
    bare = own & has_fam & (kind == "none")
    families = pd.DataFrame({"g": g[has_fam & ~bare], "fam": fam[has_fam & ~bare]})
    for forms, known in ((short, by_initial), (pd.DataFrame({"g": g[bare], "fam": fam[bare]}), families)):
        alone = _absent(forms.drop_duplicates(), known.drop_duplicates())
        counts += np.bincount(alone["g"].to_numpy(np.int64), minlength=n_groups)
    return counts


def _absent(rows: pd.DataFrame, known: pd.DataFrame) -> pd.DataFrame:
    """The rows of `rows` not in `known` (same columns, both distinct)."""
    both = rows.merge(known, how="left", indicator=True)
    return both[(both["_merge"] == "left_only").to_numpy(bool)]


def _record_rows(df: pd.DataFrame) -> np.ndarray:
    """``'<source>:<row record id>'`` of each record written beside other people in its row, else None.

    A row relates the people of its source's counterpart fields (landlord and tenant, payer and payee: two or
    more fields that each name one person per row) and the people of one list cell or couple holder (``item``).
    The one person of a row that has no counterpart field (an intelligence subject beside a list of
    associates) is not in it: a subject's associates are kin and friends, and their pairs, pooled with the
    counterpart rows', made the co-record look like household evidence everywhere (on a 20,000-person
    realistic case, landlords' pairwise recall fell from 0.81 to 0.73 with the subjects in their rows).
    Read from ``row_key``, ``field`` and ``item`` (:data:`crimnet.ingest.build.PERSON_RECORD_COLUMNS`);
    records without them (built by hand, or by an earlier crimnet) from their record id: the part before a
    last ``'#<field>'`` suffix (:func:`crimnet.ingest.build.person_record_ids`), None without one.
    """
    if "record_id" not in df.columns:
        return np.full(len(df), None, dtype=object)
    rid = df["record_id"].astype(str)
    row = df["source"].astype(str) + ":" + rid.str.rsplit("#", n=1).str[0]
    row = row.where(rid.str.contains("#", regex=False).to_numpy(), None)
    if not {"row_key", "field", "item"} <= set(df.columns):
        return row.to_numpy(object)
    key = df["row_key"].astype(object)
    beside = df["item"].notna().to_numpy() | _counterpart(df)
    written = key.notna()
    return key.where(beside, None).where(written, row).to_numpy(object)


def _row_siblings(df: pd.DataFrame, row: np.ndarray) -> pd.DataFrame:
    """``uid``, ``sib``: the pairs of person records written in one row of one source (both directions).

    `row` is :func:`_record_rows`. Rows naming more than :data:`crimnet.ingest.resolve_rules.MAX_BLOCK`
    people are left out (a list, not a relation).
    """
    multi = pd.notna(row)
    if not multi.any():
        return pd.DataFrame({"uid": pd.Series(dtype=np.int64), "sib": pd.Series(dtype=np.int64)})
    g = pd.DataFrame({"row": row[multi], "uid": df["unique_id"].to_numpy(np.int64)[multi]})
    size = g.groupby("row")["uid"].transform("size").to_numpy()
    g = g[(size >= 2) & (size <= MAX_BLOCK)]
    pairs = g.merge(g, on="row", suffixes=("", "_s"))
    pairs = pairs[pairs["uid"].to_numpy() != pairs["uid_s"].to_numpy()]
    return pd.DataFrame({"uid": pairs["uid"].to_numpy(np.int64), "sib": pairs["uid_s"].to_numpy(np.int64)})


def _neighbours(ctx: _Context, labels: np.ndarray) -> pd.DataFrame:
    """Every record's neighbours (``uid``, ``kind``, ``value``) under the current clusters: the fixed
    ones and the co-records (``'co_record'``, the cluster of a row sibling named by its first record, module
    notes)."""
    if ctx.siblings.empty:
        return ctx.neighbours
    co = pd.DataFrame(
        {"uid": ctx.siblings["uid"].to_numpy(np.int64), "kind": "co_record",
         "value": first_records(labels)[labels[ctx.siblings["sib"].to_numpy(np.int64)]].astype(str)}
    )  # fmt: skip
    return pd.concat([ctx.neighbours, co], ignore_index=True)


def _freq_of(values: pd.Series, tf: pd.Series) -> np.ndarray:
    """Each value's term frequency (NaN where `tf` lacks it)."""
    return values.map(tf).to_numpy(np.float64, na_value=np.nan)


def _empty_links() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in zip(_LINK_COLUMNS, _LINK_DTYPES, strict=True)})


def _held_values(ctx: _Context, labels: np.ndarray) -> pd.DataFrame:
    """Distinct (cluster ``c``, ``kind``, ``value``) with ``k``, the value's holders (a role's: see below)."""
    nb = _neighbours(ctx, labels)
    nb = nb[~ctx.organisation[nb["uid"].to_numpy()]]
    nb = pd.DataFrame(
        {"c": labels[nb["uid"].to_numpy()], "kind": nb["kind"].to_numpy(), "value": nb["value"].to_numpy()}
    )
    nb = nb.drop_duplicates()
    k = nb.groupby(["kind", "value"], sort=False)["c"].transform("size").to_numpy(np.int64, copy=True)
    # a role is a population, not a shared thing: its size is the point (module notes), so no block cap,
    # and its people are counted by name (its clusters are not resolved yet)
    is_role = (nb["kind"] == "role").to_numpy()
    if is_role.any():
        k[is_role] = np.minimum(k[is_role], nb["value"][is_role].map(ctx.role_size).to_numpy(np.int64))
    return nb.assign(k=k)


def _shared_values(held: pd.DataFrame) -> pd.DataFrame:
    """The values of `held` (:func:`_held_values`) held by 2 to MAX_BLOCK clusters (a role by 2 or more)."""
    k = held["k"].to_numpy()
    return held[(k >= 2) & ((k <= MAX_BLOCK) | (held["kind"] == "role").to_numpy())]


def _household_share(ctx: _Context, labels: np.ndarray, held: pd.DataFrame) -> dict[str, float]:
    """Per neighbour kind: how often two different people sharing such a neighbour share a family name.

    Estimated on record pairs in different clusters that share a value of the kind and whose
    given names are both whole words with different variant keys and different initials (two
    different people, so the estimate is not inflated by unmerged records of one person), shrunk
    towards 0.5 by :data:`H_PRIOR_PAIRS` pseudo-pairs so that a kind seen in few such pairs is
    treated cautiously. O(sum of k^2) over shared values (k <= MAX_BLOCK).
    """
    nb = _shared_values(held)
    every = _neighbours(ctx, labels)
    uid = every["uid"].to_numpy()
    n = len(ctx.organisation)  # the records' own readings
    word = ctx.word[:n] & (ctx.fam_code[:n] >= 0) & ~ctx.organisation
    rec = every[word[uid]]
    rec = rec.assign(c=labels[rec["uid"].to_numpy()]).merge(
        nb[["kind", "value"]].drop_duplicates(), on=["kind", "value"]
    )
    rec = rec.drop_duplicates(["kind", "value", "c"])  # one record per cluster and value
    out = {}
    role = ctx.neighbours[(ctx.neighbours["kind"] == "role").to_numpy()]["uid"].to_numpy()
    if len(role):  # the chance that two of a role's people share a family name: as anywhere, by frequency
        out["role"] = coincidence(term_frequencies(pd.Series(ctx.fam[role])))
    for kind in (*NEIGHBOUR_KINDS, "row_address", "co_record"):
        g = rec[rec["kind"] == kind][["value", "uid", "c"]]
        pairs = g.merge(g, on="value", suffixes=("_a", "_b"))
        pairs = pairs[pairs["c_a"].to_numpy() < pairs["c_b"].to_numpy()]
        a, b = pairs["uid_a"].to_numpy(np.int64), pairs["uid_b"].to_numpy(np.int64)
        other = (ctx.gkey_code[a] != ctx.gkey_code[b]) & (ctx.initial_code[a] != ctx.initial_code[b])
        agree = float((ctx.fam_code[a][other] == ctx.fam_code[b][other]).sum())
        out[kind] = (agree + 0.5 * H_PRIOR_PAIRS) / (float(other.sum()) + H_PRIOR_PAIRS)
        if kind == "co_record":  # how often two people of one household share a given initial too
            kin = (ctx.gkey_code[a] != ctx.gkey_code[b]) & (ctx.fam_code[a] == ctx.fam_code[b])
            same = float((ctx.initial_code[a][kin] == ctx.initial_code[b][kin]).sum())
            out[CO_RECORD_INITIAL] = (same + 0.5 * H_PRIOR_PAIRS) / (float(kin.sum()) + H_PRIOR_PAIRS)
    return out


def _candidate_clusters(ctx: _Context, labels: np.ndarray, held: pd.DataFrame) -> pd.DataFrame:
    """Cluster pairs sharing a neighbour value (`held`, :func:`_held_values`) and a family name: ``a``, ``b``,
    ``fam``, ``kind``, ``value``, ``k``."""
    nb = _shared_values(held)
    has_fam = (ctx.fam_code >= 0) & ~ctx.organisation[ctx.rec]
    given = ctx.given_code[has_fam]
    cf = pd.DataFrame(
        {"c": labels[ctx.rec[has_fam]], "fam": ctx.fam_code[has_fam], "initial": ctx.initial_code[has_fam],
         "given": np.where(given >= 0, given, np.nan)}
    )  # fmt: skip
    is_role = (nb["kind"] == "role").to_numpy()
    # other kinds hold at most MAX_BLOCK clusters per value already: block them by family name
    t = nb[~is_role].merge(cf[["c", "fam"]].drop_duplicates(), on="c").assign(block=lambda d: d["fam"])
    # a role is a population of thousands: it is blocked by family name and initial (disagreeing initials forbid a
    # link anyway), and a block is evidence only while it holds at most MAX_BLOCK distinct given names (the smiths of
    # a payroll's thousands are not). Its clusters are not resolved yet, so they are not what is counted: one
    # landlord written on 150 tenancies is 150 clusters of one name before this pass joins them.
    r = nb[is_role].merge(cf.drop_duplicates(["c", "fam", "initial", "given"]), on="c")
    # a block of its own per family name and initial (codes from -1: the initial unknown)
    r = r.assign(block=r["fam"].to_numpy(np.int64) * (int(ctx.initial_code.max()) + 2) + r["initial"].to_numpy() + 1)
    names = r.groupby(["kind", "value", "block"], sort=False)["given"].transform("nunique").to_numpy()
    r = r[names <= MAX_BLOCK].drop(columns=["initial", "given"]).drop_duplicates(["kind", "value", "block", "c"])
    size = t.groupby(["kind", "value", "block"], sort=False)["c"].transform("size").to_numpy()
    t = pd.concat([t[size <= MAX_BLOCK], r], ignore_index=True)
    pairs = t.merge(t[["kind", "value", "block", "c"]], on=["kind", "value", "block"], suffixes=("_a", "_b"))
    pairs = pairs.drop(columns="block")
    pairs = pairs[pairs["c_a"].to_numpy() < pairs["c_b"].to_numpy()]
    return pairs.rename(columns={"c_a": "a", "c_b": "b"})


def _neighbour_evidence(pairs: pd.DataFrame, h: dict, n_clusters: int) -> pd.DataFrame:
    """Per cluster pair: ``w_rel``, ``h`` and ``via`` (the shared neighbours, strongest first)."""
    per_kind = pairs.sort_values(["a", "b", "kind", "k", "value"], kind="stable").drop_duplicates(["a", "b", "kind"])
    per_kind = per_kind.assign(
        w=np.log2(M_NEIGHBOUR * n_clusters / np.maximum(per_kind["k"].to_numpy(np.float64) - 1, 1.0)),
        h=per_kind["kind"].map(h).to_numpy(np.float64),
    )
    is_addr = (per_kind["kind"] == "address_id").to_numpy(bool)
    has_addr = per_kind.assign(x=is_addr).groupby(["a", "b"], sort=False)["x"].transform("max").to_numpy(bool)
    per_kind = per_kind[~(has_addr & (per_kind["kind"] == "postcode").to_numpy())]
    per_kind = per_kind.sort_values(["a", "b", "w"], ascending=[True, True, False], kind="stable")
    via = (per_kind["kind"].str.replace("_id", "", regex=False) + ":" + per_kind["value"].astype(str)).to_numpy(object)
    per_kind = per_kind.assign(via=via, rank=per_kind.groupby(["a", "b"], sort=False).cumcount().to_numpy())
    # a co-record repeats what a shared address or account already says within a household (its people pay
    # and live beside the same people): it counts only as much as it exceeds the other kinds together
    is_co = (per_kind["kind"] == "co_record").to_numpy()
    per_kind = per_kind.assign(w_other=np.where(is_co, 0.0, per_kind["w"]), w_co=np.where(is_co, per_kind["w"], 0.0))
    out = per_kind.groupby(["a", "b"], sort=False).agg(w_other=("w_other", "sum"), w_co=("w_co", "max"), h=("h", "max"))
    out = out.assign(w_rel=np.maximum(out["w_other"], out["w_co"]), co_only=out["w_co"] > out["w_other"])
    out = out.drop(columns=["w_other", "w_co"])
    wide = per_kind.pivot(index=["a", "b"], columns="rank", values="via").reindex(out.index)
    joined = wide[0].to_numpy(object)
    for col in wide.columns[1:]:
        more = wide[col].to_numpy(object)
        has = pd.notna(more)
        joined[has] = joined[has] + "; " + more[has]
    return out.assign(via=joined)


def _same_row_pairs(ctx: _Context, labels: np.ndarray, n_clusters: int) -> pd.DataFrame:
    """Reading pairs of two records of one row in different clusters, named with one family name, scored as a
    candidate pair of :func:`relational_links` is (``a``, ``b``, ``l``, ``r``, ``w_rel``, ``h``, ``co_only``, ``via``).

    The payer and the payee of one payment are one person when the payment moves money between that person's own
    accounts, and how often that happens is read from the rows already resolved: per pair of roles, the share
    ``p`` of rows whose two people are already one cluster (half a row in :data:`H_PRIOR_PAIRS` pseudo-rows: with
    few rows of a kind, about 1 in 40). It is the prior odds
    ``p / (1 - p)`` that the names then have to overcome, against ``h``: the share of such rows' clearly
    different people (different given names and initials) who share a family name (a parent paying a child).
    Roles that are never one person (a tenant and the landlord) get a prior too small for any name.
    """
    sib = ctx.siblings
    u, v = sib["uid"].to_numpy(np.int64), sib["sib"].to_numpy(np.int64)
    named = (ctx.fam_code[: len(ctx.organisation)] >= 0) & ~ctx.organisation
    keep = (u < v) & named[u] & named[v]
    u, v = u[keep], v[keep]
    empty = pd.DataFrame(columns=["a", "b", "l", "r", "w_rel", "h", "co_only", "via"])
    if not len(u):
        return empty
    ru, rv = ctx.role[u], ctx.role[v]
    rows = pd.DataFrame({"u": u, "v": v, "kind": np.where(ru <= rv, ru + "~" + rv, rv + "~" + ru)})
    rows["same"] = labels[u] == labels[v]
    differ = ctx.word[u] & ctx.word[v] & (ctx.gkey_code[u] != ctx.gkey_code[v])
    rows["differ"] = differ & (ctx.initial_code[u] != ctx.initial_code[v])
    rows["kin"] = rows["differ"] & (ctx.fam_code[u] == ctx.fam_code[v])
    per = rows.groupby("kind").agg(
        same=("same", "sum"), n=("same", "size"), differ=("differ", "sum"), kin=("kin", "sum")
    )
    p = (per["same"] + 0.5) / (per["n"] + H_PRIOR_PAIRS)  # few rows: about 1 in 40 (shrunk towards "not one")
    h = (per["kin"] + 0.5 * H_PRIOR_PAIRS) / (per["differ"] + H_PRIOR_PAIRS)
    cand = rows[~rows["same"].to_numpy()]
    # every reading of each side with a family name; pairs of readings agreeing on it
    has_fam = ctx.fam_code >= 0
    reading = pd.DataFrame({"rec": ctx.rec[has_fam], "rid": np.flatnonzero(has_fam), "fam": ctx.fam_code[has_fam]})
    rp = cand.merge(reading.rename(columns={"rec": "u", "rid": "lu"}), on="u")
    rp = rp.merge(reading.rename(columns={"rec": "v", "rid": "lv"}), on=["v", "fam"])
    if rp.empty:
        return empty
    cu, cv = labels[rp["u"].to_numpy()], labels[rp["v"].to_numpy()]
    first = cu < cv
    prior = rp["kind"].map(p).to_numpy(np.float64)
    odds = np.log2(prior / (1.0 - prior))
    return pd.DataFrame(
        {"a": np.where(first, cu, cv), "b": np.where(first, cv, cu),
         "l": np.where(first, rp["lu"], rp["lv"]), "r": np.where(first, rp["lv"], rp["lu"]),
         "w_rel": odds + math.log2(n_clusters), "h": rp["kind"].map(h).to_numpy(np.float64), "co_only": True,
         "via": "one row: " + pd.Series(ctx.row[rp["u"].to_numpy()], dtype=object)}
    )  # fmt: skip


def _record_pairs(ctx: _Context, labels: np.ndarray, pairs: pd.DataFrame) -> pd.DataFrame:
    """Reading pairs (``l`` of a record in cluster ``a``, ``r`` in ``b``; ids of :func:`_readings`) with agreeing
    family names."""
    cp = pairs[["a", "b", "fam"]].drop_duplicates()
    ok = (ctx.fam_code >= 0) & ~ctx.organisation[ctx.rec]
    recs = pd.DataFrame({"c": labels[ctx.rec[ok]], "fam": ctx.fam_code[ok], "uid": np.flatnonzero(ok),
                         "profile": ctx.profile[ok]})  # fmt: skip
    recs = recs.drop_duplicates(["c", "profile"])  # the first reading of each profile speaks for the others
    rp = cp.merge(recs.rename(columns={"c": "a", "uid": "l"}), on=["a", "fam"])
    rp = rp.merge(recs.rename(columns={"c": "b", "uid": "r"}), on=["b", "fam"])
    return rp[["a", "b", "l", "r"]]


def _name_weights(ctx: _Context, li: np.ndarray, ri: np.ndarray, hp: np.ndarray) -> np.ndarray:
    """Name weight of reading pairs (`li`, `ri`) whose family names agree, before the readings' costs; -inf where
    the given names forbid a link."""
    rl, rr = ctx.rec[li], ctx.rec[ri]
    both_word = ctx.word[li] & ctx.word[ri]
    none_side = ~ctx.named[li] | ~ctx.named[ri]
    same_word = ctx.given_code[li] == ctx.given_code[ri]
    # one name written two ways (same variant key, a couple of edits apart) counts as an initial
    variant = both_word & ~same_word & (ctx.gkey_code[li] == ctx.gkey_code[ri])
    variant[variant] = close_variants(ctx.given[li[variant]], ctx.given[ri[variant]])
    same_init = ctx.initial_code[li] == ctx.initial_code[ri]
    # or one keying error apart, the first letter kept ('sohpie', 'sophie'), in names long enough to hold one; a
    # keying error makes a word hardly anyone else bears, so two names many bear ('john', 'joan') stay two names
    typo = both_word & ~same_word & ~variant & same_init & (ctx.rare_given[li] | ctx.rare_given[ri])
    typo &= (ctx.given_len[li] >= MIN_TYPO_LENGTH) & (ctx.given_len[ri] >= MIN_TYPO_LENGTH)
    typo[typo] = one_keying_error(ctx.given[li[typo]], ctx.given[ri[typo]])
    variant |= typo
    w_init = np.where(same_init, np.minimum(ctx.w_initial[li], ctx.w_initial[ri]), 0.0)
    w_given = np.where(
        none_side,
        0.0,
        np.where(both_word, np.where(same_word, np.minimum(ctx.w_given[li], ctx.w_given[ri]),
                                     np.where(variant, w_init, -np.inf)),
                 np.where(same_init, w_init, -np.inf)),
    )  # fmt: skip
    # a family name alone from a couple holder cannot say which of the two it is
    couple_none = (ctx.couple[rl] & ~ctx.named[li]) | (ctx.couple[rr] & ~ctx.named[ri])
    w_given = np.where(couple_none, -np.inf, w_given)
    u_f = np.minimum(hp * ctx.u_family[li], 1.0)
    return np.log2(M_NAME / np.maximum(u_f, 1e-12)) + w_given


def _name_dob_weights(ctx: _Context, rp: pd.DataFrame, hp: np.ndarray) -> np.ndarray:
    """Name and date-of-birth weight of each reading pair (``l``, ``r``), less the readings' costs; -inf where they
    forbid a link.

    Two two-word names that agree read one way agree read the other way too ('cook amy' and 'cook amy', 'amy cook'
    and 'amy cook'), but the words' frequencies differ with the way (cook is a rare given name and a common family
    name). The order is not known, so the pair is weighed the less surprising way.
    """
    li, ri = rp["l"].to_numpy(np.int64), rp["r"].to_numpy(np.int64)
    rl, rr = ctx.rec[li], ctx.rec[ri]
    w = _name_weights(ctx, li, ri, hp)
    al, ar = ctx.alt[li], ctx.alt[ri]
    mirror = (al >= 0) & (ar >= 0)
    mirror[mirror] = ctx.fam_code[al[mirror]] == ctx.fam_code[ar[mirror]]
    w[mirror] = np.minimum(w[mirror], _name_weights(ctx, al[mirror], ar[mirror], hp[mirror]))
    w -= ctx.cost[li] + ctx.cost[ri]
    sl, sr = ctx.sex[rl], ctx.sex[rr]
    w[(sl >= 0) & (sr >= 0) & (sl != sr)] = -np.inf
    da, db = ctx.dob_parts[rl], ctx.dob_parts[rr]
    known = (da[:, 0] >= 0) & (db[:, 0] >= 0)
    w[known & ~dob_parts_compatible(da, db)] = -np.inf
    w_dob = np.zeros(len(rp))
    done = ~known
    for col in ("dob", "dob_ym", "dob_y"):  # the finest precision both records have
        a, b = ctx.dob_code[col][rl], ctx.dob_code[col][rr]
        both = (a >= 0) & (b >= 0) & ~done
        tf = ctx.tf_dob[col][rl]
        agree = both & (a == b)
        w_dob[agree] = np.log2(M_DOB / tf[agree])
        differ = both & (a != b)
        w_dob[differ] = math.log2(1 - M_DOB) - np.log2(1 - np.nan_to_num(tf[differ], nan=0.0))
        done |= both
    return w + w_dob


def relational_links(
    df: pd.DataFrame,
    labels: np.ndarray,
    *,
    min_weight: float,
    active: np.ndarray | None = None,
    changed: np.ndarray | None = None,
    tried: set[tuple[int, int]] | None = None,
    context: _Context | None = None,
    household: dict[str, float] | None = None,
    held: pd.DataFrame | None = None,
    pseudonymised: bool = False,
) -> pd.DataFrame:
    """One round of relational matching: links between clusters that share a neighbour and a name.

    Parameters
    ----------
    df : DataFrame
        Prepared records (:func:`crimnet.ingest.resolve_rules.prepare_features`).
    labels : ndarray of int64
        Current cluster label (0..k-1) of each prepared record.
    min_weight : float
        Match weight (log2 posterior odds, see the module notes) at or above which a link is made.
    active : ndarray of bool or None
        Records of the new batch: only cluster pairs with one of them may link (incremental
        resolution); None lets every pair link.
    changed : ndarray of bool or None
        Records whose evidence changed since the previous round (their cluster, or the number of clusters holding
        a value theirs holds): only cluster pairs with one of them may link, since every other pair scores as it
        did (Bhattacharya and Getoor update only the neighbours of a merge). Pairs of one row may always link:
        their prior moves with every merge. None lets every pair link. Either way every candidate of a cluster
        that may link is scored, so that ambiguity is judged on its whole list of candidates.
    tried : set of (int, int) or None
        Record pairs proposed in earlier rounds (refused by the guard): not proposed again.
    context : optional
        Per-record arrays built once per resolution (internal; built here when None).
    household : dict or None
        Per neighbour kind, how often two different people sharing such a neighbour share a family
        name (estimated from the records when None; see the module notes).
    held : DataFrame or None
        The values each cluster holds under `labels` (internal, made once per round; made here when None).
    pseudonymised : bool, default False
        Names are keyed tokens, one per word: they agree only word for word (no initials, spelling
        variants or keying errors); used when `context` is None.

    Returns
    -------
    DataFrame
        ``l``, ``r`` (unique ids, l < r), ``match_weight``, ``match_probability``, ``rule``
        (``'relational'``), ``via`` (the shared neighbours, ``'<kind>:<id>'`` joined by ``'; '``)
        and ``prio`` (:data:`RELATIONAL_PRIO`).

    Notes
    -----
    Values held by at most ``MAX_BLOCK`` clusters only, so the pairs scored are O(n * MAX_BLOCK)
    and a round is a few sorts and joins: O(n log n).
    """
    check_type(df, pd.DataFrame, param="df", func="relational_links", expected="a pandas DataFrame")
    check_interval(min_weight, param="min_weight", func="relational_links")
    ctx = context if context is not None else _context(df, pseudonymised)
    n_clusters = int(labels.max()) + 1 if len(labels) else 0
    if n_clusters < 2:
        return _empty_links()
    held = held if held is not None else _held_values(ctx, labels)
    h = household if household is not None else _household_share(ctx, labels, held)
    pairs = _candidate_clusters(ctx, labels, held)
    rows = _same_row_pairs(ctx, labels, n_clusters)
    eligible = None
    if active is not None or changed is not None:
        pairs, rows, eligible = _pairs_to_judge(pairs, rows, labels, n_clusters, active, changed)
    parts = [rows]
    if not pairs.empty:
        ev = _neighbour_evidence(pairs, h, n_clusters)
        parts.append(_record_pairs(ctx, labels, pairs).merge(ev, left_on=["a", "b"], right_index=True))
    parts = [x for x in parts if len(x)]
    if not parts:
        return _empty_links()
    rp = pd.concat(parts, ignore_index=True)
    rp = rp.astype({"a": np.int64, "b": np.int64, "l": np.int64, "r": np.int64, "co_only": bool})
    w = _name_dob_weights(ctx, rp, rp["h"].to_numpy(np.float64))
    # a link carried by a co-record alone stands on the given name: members of one household stand beside the same
    # people. An initial (or a spelling variant) agreeing is then worth only what it says against the household's
    # other members, who share an initial as often as h[CO_RECORD_INITIAL] says; a family name alone forbids it
    li, ri = rp["l"].to_numpy(np.int64), rp["r"].to_numpy(np.int64)
    whole = ctx.word[li] & ctx.word[ri] & (ctx.given_code[li] == ctx.given_code[ri])
    co_only = rp["co_only"].to_numpy(bool) & ~whole
    if co_only.any():
        named = ctx.named[li] & ctx.named[ri]
        w_init = np.minimum(ctx.w_initial[li], ctx.w_initial[ri])
        cap = math.log2(M_NAME / h.get(CO_RECORD_INITIAL, 0.5))
        w = np.where(co_only, np.where(named, w - np.maximum(w_init - cap, 0.0), -np.inf), w)
    rp = rp.assign(W=-math.log2(n_clusters) + rp["w_rel"].to_numpy() + w)
    rp = rp[np.isfinite(rp["W"].to_numpy())]
    rp = rp.sort_values(["a", "b", "W", "l", "r"], ascending=[True, True, False, True, True], kind="stable")
    best = rp.drop_duplicates(["a", "b"])
    best = best[best["W"].to_numpy() >= min_weight]
    if tried:
        lo = np.minimum(ctx.rec[best["l"].to_numpy()], ctx.rec[best["r"].to_numpy()])
        hi = np.maximum(ctx.rec[best["l"].to_numpy()], ctx.rec[best["r"].to_numpy()])
        best = best[np.array([(int(x), int(y)) not in tried for x, y in zip(lo, hi, strict=True)], dtype=bool)]
    best = _unambiguous(ctx, best, np.bincount(labels, minlength=n_clusters))
    if eligible is not None:
        best = best[np.isin(best["a"].to_numpy(np.int64) * n_clusters + best["b"].to_numpy(np.int64), eligible)]
    if best.empty:
        return _empty_links()
    li, ri = best["l"].to_numpy(np.int64), best["r"].to_numpy(np.int64)
    lo, hi = np.minimum(ctx.rec[li], ctx.rec[ri]), np.maximum(ctx.rec[li], ctx.rec[ri])
    wt = best["W"].to_numpy(np.float64)
    via = best["via"].to_numpy(object, copy=True)
    other = (ctx.cost[li] > 0) | (ctx.cost[ri] > 0)
    via[other] = via[other] + "; name read in the other order"
    return pd.DataFrame(
        {"l": lo, "r": hi, "match_weight": wt, "match_probability": 1.0 / (1.0 + np.exp2(-wt)),
         "rule": "relational", "via": via, "prio": RELATIONAL_PRIO}
    ).sort_values(["l", "r"], kind="stable").reset_index(drop=True)  # fmt: skip


def _pairs_to_judge(
    pairs: pd.DataFrame,
    rows: pd.DataFrame,
    labels: np.ndarray,
    n_clusters: int,
    active: np.ndarray | None,
    changed: np.ndarray | None,
) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray]:
    """The candidates (`pairs` of :func:`_candidate_clusters`, `rows` of :func:`_same_row_pairs`) to score, and the
    cluster pairs (``a * n_clusters + b``) that may link (:func:`relational_links` `active` and `changed`): those
    touching a cluster of each given set (a pair of one row: of `active`), and every other candidate of their
    clusters (what ambiguity is judged on)."""
    pa, pb = pairs["a"].to_numpy(np.int64), pairs["b"].to_numpy(np.int64)
    ra, rb = rows["a"].to_numpy(np.int64), rows["b"].to_numpy(np.int64)
    ok_p, ok_r = np.ones(len(pa), dtype=bool), np.ones(len(ra), dtype=bool)
    for records, for_rows in ((active, True), (changed, False)):
        if records is None:
            continue
        m = np.zeros(n_clusters, dtype=bool)
        m[labels[records]] = True
        ok_p &= m[pa] | m[pb]
        if for_rows:
            ok_r &= m[ra] | m[rb]
    ends = np.zeros(n_clusters, dtype=bool)
    for a, b, ok in ((pa, pb, ok_p), (ra, rb, ok_r)):
        ends[a[ok]] = True
        ends[b[ok]] = True
    eligible = np.unique(np.concatenate([pa[ok_p] * n_clusters + pb[ok_p], ra[ok_r] * n_clusters + rb[ok_r]]))
    return pairs[ends[pa] | ends[pb]], rows[ends[ra] | ends[rb]], eligible


def _unambiguous(ctx: _Context, best: pd.DataFrame, size: np.ndarray) -> pd.DataFrame:
    """Keep each cluster's best candidate and the candidates that could be the same person as it.

    A cluster whose second candidate could not be its best one's person (given names or dates
    that forbid it) and scores within :data:`AMBIGUITY_MARGIN` bits of it makes no link at all.
    A link is judged from the side of the cluster with fewer records (`size`, per label; both
    sides when equal): that is the record being placed ('j smith' between John and James). A
    large cluster's candidates are the many records that may join it, and one odd record among
    a landlord's 200 tenancies must not keep all the others out.
    """
    if best.empty:
        return best
    cols = ["a", "b", "W", "l", "r"]
    names = {"a": "x", "b": "y", "l": "rx", "r": "ry"}
    both = pd.concat(
        [best[cols].rename(columns=names), best[cols].rename(columns={"b": "x", "a": "y", "r": "rx", "l": "ry"})],
        ignore_index=True,
    ).sort_values(["x", "W", "y"], ascending=[True, False, True], kind="stable")
    first = both.drop_duplicates("x")[["x", "y", "W", "ry"]].rename(columns={"y": "y1", "W": "w1", "ry": "r1"})
    both = both.merge(first, on="x")
    rest = (both["y"] != both["y1"]).to_numpy()
    compat = np.ones(len(both), dtype=bool)
    if rest.any():
        # read either way: the best may have met x through the other reading of its name and this one through its own
        r1, ry = both["r1"].to_numpy()[rest], both["ry"].to_numpy()[rest]
        fits = np.isfinite(_name_dob_weights(ctx, pd.DataFrame({"l": r1, "r": ry}), np.ones(len(r1))))
        alt = ctx.alt[r1]
        flip = ~fits & (alt >= 0)
        sub = pd.DataFrame({"l": alt[flip], "r": ry[flip]})
        fits[flip] = np.isfinite(_name_dob_weights(ctx, sub, np.ones(len(sub))))
        compat[rest] = fits
    close = (both["w1"] - both["W"]).to_numpy() < AMBIGUITY_MARGIN
    ambiguous = set(both["x"].to_numpy()[rest & ~compat & close].tolist())
    ok = (~rest | compat) & ~both["x"].isin(ambiguous).to_numpy()
    kept = set(zip(both["x"].to_numpy()[ok].tolist(), both["y"].to_numpy()[ok].tolist(), strict=True))
    a, b = best["a"].to_numpy(), best["b"].to_numpy()
    sa, sb = size[a], size[b]
    ok_ab = np.array([(x, y) in kept for x, y in zip(a.tolist(), b.tolist(), strict=True)], dtype=bool)
    ok_ba = np.array([(y, x) in kept for x, y in zip(a.tolist(), b.tolist(), strict=True)], dtype=bool)
    return best[np.where(sa < sb, ok_ab, np.where(sb < sa, ok_ba, ok_ab & ok_ba))]


def collective_resolve(
    df: pd.DataFrame,
    edges: pd.DataFrame,
    *,
    min_weight: float,
    active: np.ndarray | None = None,
    max_rounds: int = MAX_ROUNDS,
    pseudonymised: bool = False,
) -> tuple[np.ndarray, pd.DataFrame, pd.Series, int]:
    """Cluster by `edges`, then add relational links round by round until no cluster changes.

    Parameters
    ----------
    df : DataFrame
        Prepared records.
    edges : DataFrame
        The deterministic, model and existing links (columns of
        :func:`crimnet.ingest.resolve_rules.guard_clusters`, plus ``match_probability``).
    min_weight : float
        Relational match-weight threshold (:func:`relational_links`).
    active : ndarray of bool or None
        Records of the new batch (incremental resolution), or None for all.
    max_rounds : int, default :data:`MAX_ROUNDS`
        At most this many rounds.
    pseudonymised : bool, default False
        Names are keyed tokens (:func:`relational_links`).

    Returns
    -------
    labels : ndarray of int64
        Final cluster labels.
    edges : DataFrame
        `edges` with the relational links appended (column ``via`` added).
    accepted : Series of bool
        Aligned to the returned `edges`: kept by the chain guard.
    rounds : int
        Rounds run (0 when the first found nothing).

    Notes
    -----
    Each round is O(n log n) (:func:`relational_links`) plus the guard; rounds stop when a round
    proposes no link or merges no cluster.
    """
    check_type(df, pd.DataFrame, param="df", func="collective_resolve", expected="a pandas DataFrame")
    check_type(edges, pd.DataFrame, param="edges", func="collective_resolve", expected="a pandas DataFrame")
    check_interval(min_weight, param="min_weight", func="collective_resolve")
    check_interval(max_rounds, param="max_rounds", func="collective_resolve", low=0, closed="left", integer=True)
    edges = edges.assign(via=edges["via"] if "via" in edges.columns else None)
    labels, accepted = guard_clusters(df, edges)
    ctx = _context(df, pseudonymised)
    held = _held_values(ctx, labels)
    household = _household_share(ctx, labels, held)
    tried: set[tuple[int, int]] = set()
    rounds = 0
    changed = None  # the first round judges every pair
    for _ in range(max_rounds):
        rel = relational_links(
            df, labels, min_weight=min_weight, active=active, changed=changed, tried=tried, context=ctx,
            household=household, held=held,
        )  # fmt: skip
        if rel.empty:
            break
        rounds += 1
        tried.update(zip(rel["l"].tolist(), rel["r"].tolist(), strict=True))
        # the links of earlier rounds stand: this round's are judged against the clusters they join
        new_labels, added = guard_clusters(df, rel, start=labels)
        edges = pd.concat([edges, rel], ignore_index=True)
        accepted = pd.concat([accepted, added], ignore_index=True)
        if int(new_labels.max()) == int(labels.max()):
            break
        new_held = _held_values(ctx, new_labels)
        changed = _evidence_changed(labels, new_labels, held, new_held)
        labels, held = new_labels, new_held
    return labels, edges, accepted, rounds


def _evidence_changed(
    before: np.ndarray, after: np.ndarray, held_before: pd.DataFrame, held: pd.DataFrame
) -> np.ndarray:
    """Records whose cluster changed from `before` to `after` (labels), or whose cluster holds a value now held by a
    different number of clusters (`held_before`, `held`: :func:`_held_values` under each): the records of
    :func:`relational_links` ``changed``.

    A cluster is the same when its first record and its size are (clusters grow by merging; one the guard splits
    loses records). One join of the values held, O(n log n).
    """

    def fingerprints(labels: np.ndarray) -> np.ndarray:
        return first_records(labels) * (len(labels) + 1) + np.bincount(labels)

    new = ~np.isin(fingerprints(after), fingerprints(before))
    old = held_before[["kind", "value", "k"]].drop_duplicates()
    moved = held.merge(old, on=["kind", "value", "k"], how="left", indicator=True)["_merge"].eq("left_only")
    new[held["c"].to_numpy(np.int64)[moved.to_numpy(bool)]] = True
    return new[after]
