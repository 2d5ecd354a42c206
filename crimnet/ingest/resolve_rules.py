"""Building blocks of person entity resolution: features, deterministic rules, the chain guard.

Everything here is plain pandas/numpy and does not touch Splink; :mod:`crimnet.ingest.resolve`
combines these pieces with the probabilistic model.

Deterministic rules (each documented with why it is safe)
---------------------------------------------------------
``nino``
    Same National Insurance number. A NINO is issued to one person for life, so two records
    carrying it describe one person even across a change of name (marriage, anglicised
    spelling). Identity misuse (a controller using a victim's NINO) is the known failure; the
    chain guard still refuses to merge records whose dates of birth are incompatible.
``account+name``
    Same bank account and the same name variant key. Families and exploiters share accounts
    (wages of many workers paid into one controller account), so an account alone never
    merges; requiring the same name removes those cases, and the guard removes a father and a
    son of the same name sharing an account (incompatible dates of birth). A family name alone
    (``'MR SMITH'``, or one person of ``'MR AND MRS SMITH'``) does not count as the same name:
    it cannot tell the two people of a joint account apart.
``name+dob+postcode`` and ``name+dob+phone``
    Exact name, exact full date of birth and the same postcode (or phone). Family members share
    addresses and phones, but then differ in name (twins) or date of birth (parent and child of
    the same name); the coincidence of all three for two different people is negligible.

Pair guard
----------
A model link is refused when the two records name clearly different given names (siblings and
twins share family name, date of birth, address and phone, which the model sees as strong
evidence, but never a given name): the given names differ unless they are equal, have the same
variant key, are whole words one edit apart or with Jaro-Winkler similarity >= 0.9 (two initials
one letter apart are two people), one is a prefix of the other
(an initial), or the name is written in reverse order. Opposite recorded sexes also refuse a
model link, and so does a couple holder's record that names only the family ('MR AND MRS SMITH'
cannot say which of the two it is). Pseudonymised names cannot be compared for similarity, so there a model link needs
equal name tokens. Deterministic links are not subject to this guard (a NINO link survives a
change of name).

Chain guard
-----------
Transitive closure can chain two different people through a bridge record (a record without a
date of birth that links to a father and to his son). After clustering, any cluster holding two
different NINOs, two incompatible dates of birth (see :func:`dob_compatible`) or two records of
one sibling group (the people of one couple holder or one list cell, :func:`sibling_groups`) is re-clustered
by adding its links strongest first (deterministic links first) and refusing any link that would
put a conflicting pair into one cluster (constrained single linkage).
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from crimnet.errors import bad_parameter, check_interval, check_type
from crimnet.ingest.duckdb_connection import connect
from crimnet.ingest.name_frequency import split_names
from crimnet.ingest.normalise import name_variant_key

__all__ = [
    "RECORD_COLUMNS",
    "DETERMINISTIC_WEIGHT",
    "prepare_features",
    "dob_compatible",
    "dob_codes",
    "dob_parts_compatible",
    "deterministic_links",
    "components",
    "guard_clusters",
    "first_records",
    "pair_conflicts",
    "entity_id_for",
    "holder_kinds",
    "sibling_groups",
    "explain_links",
]

#: Columns of the ``records`` frame that resolution reads (all optional except source and record_id).
RECORD_COLUMNS = (
    "source",
    "record_id",
    "name",
    "dob",
    "postcode",
    "address_id",
    "phone",
    "account_id",
    "nino",
    "nationality",
    "sex",
    "business_id",
    "holder_rule",
    "row_key",
    "field",
    "item",
)

#: Match weight given to deterministic links (they are certain by rule, not by score).
DETERMINISTIC_WEIGHT = np.inf

#: Block keys shared by more records than this are not used for blocking (an HMO postcode,
#: a call-centre phone); it keeps the number of compared pairs linear in the number of records.
MAX_BLOCK = 60

_MONTH_PRECISION_SOURCES = ("company_register",)


def _str_col(records: pd.DataFrame, col: str) -> pd.Series:
    """A record column as pandas ``str`` (Arrow-backed): stripped, empty strings as missing."""
    if col not in records.columns:
        return pd.Series(pd.NA, index=records.index, dtype="str")
    s = records[col]
    if not isinstance(s.dtype, pd.StringDtype):
        s = s.astype(object)
        s = s.where(s.notna(), None).astype("str")
    s = s.str.strip()
    return s.where(s != "")


def _objects(s: pd.Series) -> np.ndarray:
    """Values as an object array with None for missing (what the per-value Python code expects)."""
    return s.to_numpy(dtype=object, na_value=None)


def _per_distinct(values: pd.Series, fn: Any) -> dict[str, pd.Series]:
    """Run ``fn(distinct values) -> {name: list aligned to them}`` once; missing values give NA."""
    codes, uniq = pd.factorize(values, use_na_sentinel=True)
    out = {}
    for name, col in fn([str(u) for u in uniq]).items():
        res = np.empty(len(uniq) + 1, dtype=object)
        res[:-1] = col
        res[-1] = None
        out[name] = pd.Series(res[codes], index=values.index, dtype="str")
    return out


def _name_parts(names: list[str]) -> dict[str, Any]:
    # family and given parts as relational matching splits them ('smith j' is J Smith), so the
    # model's levels and the pair guard read a bank's 'family initial' form the right way round
    parts = split_names(pd.Series(names, dtype=object))
    s_init = ["".join(sorted(w[0] for w in n.split())) for n in names]
    keys: Any = _objects(name_variant_key(pd.Series(names, dtype=object))) if names else []
    return {
        "given": _objects(parts["given"]), "given_key": _objects(parts["given_key"]),
        "family": _objects(parts["family"]), "s_init": s_init, "name_key": keys,
    }  # fmt: skip


def prepare_features(records: pd.DataFrame, *, pseudonymised: bool = False) -> pd.DataFrame:
    """Derive the comparison and blocking columns from person records.

    Parameters
    ----------
    records : DataFrame
        The person records (see :data:`RECORD_COLUMNS`); absent columns count as all-missing.
    pseudonymised : bool, default False
        Names are opaque tokens: only equality is meaningful, so no name parts or variant keys
        are derived. Dates of birth and postcodes are parsed when they look like dates and
        postcodes, and otherwise compared whole (month-precision date tokens are dropped).

    Returns
    -------
    DataFrame
        Sorted by ``key`` (``'<source>:<record_id>'``), with ``unique_id`` (int64, 0..n-1) and
        ``str`` (Arrow-backed, NA when missing) columns ``key``, ``source``, ``record_id``,
        ``name``, ``given``, ``given_key``, ``family``, ``name_key``, ``g_init``, ``f_init``, ``dob`` (full
        date, missing when the day is unknown), ``dob_ym``, ``dob_y``, ``dob_m``, ``dob_d``,
        ``dob_md``, ``postcode``, ``sector``, ``address_id``, ``phone``, ``account_id``,
        ``nino``, ``nationality``, ``sex``, ``sibling_group`` (:func:`sibling_groups`), and ``bk_*`` blocking
        keys (missing where the key is shared by more than ``MAX_BLOCK`` records). Column ``row`` holds each
        record's position in the input.

    Notes
    -----
    O(n log n) time (sorting by key) and O(n) memory; names are split and keyed once per
    distinct value. Strings stay in Arrow buffers (no Python object per value).
    """
    check_type(records, pd.DataFrame, param="records", func="prepare_features", expected="a pandas DataFrame")
    cols = {c: _str_col(records, c) for c in RECORD_COLUMNS}
    df = pd.DataFrame(cols)
    df["row"] = np.arange(len(df), dtype=np.int64)
    df["key"] = df["source"].astype(str) + ":" + df["record_id"].astype(str)
    df = df.sort_values("key", kind="stable").reset_index(drop=True)
    df.insert(0, "unique_id", np.arange(len(df), dtype=np.int64))
    df["sibling_group"] = sibling_groups(df)  # once: the guard reads it on every round of resolution
    month_precision = df["source"].isin(_MONTH_PRECISION_SOURCES).to_numpy()
    name = df["name"]
    na = pd.Series(pd.NA, index=df.index, dtype="str")
    if pseudonymised:  # name tokens: equality only
        df["name_key"] = name
        for c in ("given", "given_key", "family", "g_init", "f_init"):
            df[c] = na
        s_init = skey = na
    else:
        parts = _per_distinct(name, _name_parts)
        df["given"], df["family"], df["name_key"] = parts["given"], parts["family"], parts["name_key"]
        df["given_key"] = parts["given_key"]
        df["g_init"] = df["given"].str[0]
        df["f_init"] = df["family"].str[0]
        # initials of the tokens in sorted order, and the sorted variant key: blind to reversed names
        s_init = parts["s_init"]
        skey = _per_distinct(df["name_key"], lambda u: {"k": [" ".join(sorted(k.split())) for k in u]})["k"]
    # dates of birth: parts when the value is a date; an opaque token (pseudonymised) is kept whole
    raw = df["dob"]
    # a partial date (normalise_date): 'YYYY-MM' (month precision) is compared by year and month only,
    # never as an exact birthday; 'YYYY' (year precision) keeps only dob_y: too coarse for the model's
    # date levels and blocks, but the guard refuses a different year and relational matching weighs
    # an agreeing year
    partial_m = raw.str.fullmatch(r"\d{4}-\d{2}").fillna(False).to_numpy(bool)
    partial_y = raw.str.fullmatch(r"\d{4}").fillna(False).to_numpy(bool)
    year_only = raw.where(partial_y)
    raw = raw.where(~partial_m, raw + "-01").where(~partial_y)
    month_precision = month_precision | partial_m
    is_date = raw.str.fullmatch(r"\d{4}-\d{2}-\d{2}").fillna(False).to_numpy(bool)
    token = raw.notna().to_numpy() & ~is_date
    dob = raw.where(is_date)
    df["dob_y"] = dob.str[0:4].fillna(year_only)
    df["dob_m"] = dob.str[5:7]
    df["dob_d"] = dob.str[8:10].where(~month_precision)
    df["dob_ym"] = dob.str[0:7].where(is_date, raw.where(token & ~month_precision))
    df["dob_md"] = df["dob_m"] + "-" + df["dob_d"]
    df["dob"] = raw.where(~month_precision & (is_date | token))
    df["dob_ym"] = df["dob_ym"].where(~(token & month_precision))
    pc = df["postcode"]
    is_pc = pc.str.fullmatch(r"[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}").fillna(False).to_numpy(bool)
    df["sector"] = pc.str[:-2].where(is_pc)  # outward code, space, first character of the inward code
    # blocking keys, capped so that no block is quadratic in a hub value
    if pseudonymised:
        df["bk_dob"] = df["dob"]
        df["bk_key_y"] = _join(df["name"], df["dob_y"])
        df["bk_key_md"] = _join(df["name"], df["dob_md"])
        df["bk_pc_s"] = _join(df["name"], df["postcode"])
        df["bk_dob_ym_f"] = _join(df["name"], df["dob_ym"])
        for c in ("bk_dob_g", "bk_dob_s", "bk_dob_ym_s", "bk_pc_f"):
            df[c] = na
    else:
        df["bk_dob"] = _join(df["dob"], df["f_init"])
        df["bk_dob_g"] = _join(df["dob"], df["g_init"])
        df["bk_dob_s"] = _join(df["dob"], s_init)
        df["bk_dob_ym_f"] = _join(df["dob_ym"], df["f_init"])
        df["bk_dob_ym_s"] = _join(df["dob_ym"], s_init)
        df["bk_pc_f"] = _join(df["postcode"], df["f_init"])
        df["bk_pc_s"] = _join(df["postcode"], s_init)
        df["bk_key_y"] = _join(skey, df["dob_y"])
        df["bk_key_md"] = _join(skey, df["dob_md"])
    df["bk_phone"] = df["phone"]
    df["bk_account"] = df["account_id"]
    for c in [c for c in df.columns if c.startswith("bk_")]:
        codes, _ = pd.factorize(df[c], use_na_sentinel=True)
        ok = codes >= 0
        counts = np.bincount(codes[ok]) if ok.any() else np.zeros(0, dtype=np.int64)
        big = np.zeros(len(codes), dtype=bool)
        big[ok] = counts[codes[ok]] > MAX_BLOCK
        df[c] = df[c].where(~big)
    return df


def _join(a: pd.Series, b: pd.Series) -> pd.Series:
    out = a.astype("str") + "|" + b.astype("str")
    return out.where(a.notna().to_numpy() & b.notna().to_numpy())


def dob_compatible(a: pd.DataFrame, b: pd.DataFrame) -> np.ndarray:
    """Return whether paired dates of birth may belong to one person (vectorised).

    `a` and `b` are aligned frames with string columns ``dob_y``, ``dob_m``, ``dob_d`` (day null
    when unknown, month null too for a year-only date). Two full dates are compatible when at least
    two of year, month and day agree (one keying error is tolerated) or when day and month are
    swapped (US-style entry). A partial date is compared at its precision: when either day is
    unknown, the parts both dates know (year, and month when both know it) must all agree. A
    missing date is compatible with anything.

    >>> x = pd.DataFrame({"dob_y": ["1990", "1990", "1960", None], "dob_m": ["03", "03", "03", None],
    ...                   "dob_d": ["04", "04", "04", None]})
    >>> y = pd.DataFrame({"dob_y": ["1990", "1991", "1990", "1990"], "dob_m": ["04", "03", "05", "01"],
    ...                   "dob_d": ["03", "04", "04", "01"]})
    >>> dob_compatible(x, y).tolist()
    [True, True, False, True]
    >>> partial = pd.DataFrame({"dob_y": ["1997", "1997", "1997"], "dob_m": ["12", "11", None], "dob_d": [None] * 3})
    >>> full = pd.DataFrame({"dob_y": ["1997"] * 3, "dob_m": ["12"] * 3, "dob_d": ["05"] * 3})
    >>> dob_compatible(partial, full).tolist()
    [True, False, True]
    """
    check_type(a, pd.DataFrame, param="a", func="dob_compatible", expected="a pandas DataFrame")
    check_type(b, pd.DataFrame, param="b", func="dob_compatible", expected="a pandas DataFrame")
    cols = ["dob_y", "dob_m", "dob_d"]
    both = pd.concat([a[cols].astype(object), b[cols].astype(object)], ignore_index=True).to_numpy(object)
    codes = dob_codes(both)
    return dob_parts_compatible(codes[: len(a)], codes[len(a) :])


def dob_codes(parts: np.ndarray) -> np.ndarray:
    """Integer codes of date-of-birth parts, -1 where missing, one code space for all columns.

    `parts` is an (n, c) object array of strings (year, month, day, ...). One code space lets a day be
    compared with a month (a US-style swap). O(n c) after a hash of the distinct values.
    """
    check_type(parts, np.ndarray, param="parts", func="dob_codes", expected="a numpy array")
    codes, _ = pd.factorize(parts.ravel(), use_na_sentinel=True)
    return codes.reshape(parts.shape).astype(np.int64, copy=False)


def dob_parts_compatible(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """:func:`dob_compatible` on coded ``(year, month, day)`` parts (:func:`dob_codes`, -1 missing), (n, 3) each.

    Integer comparisons, for callers that compare many pairs of one set of records (the codes are made once).
    """
    check_type(a, np.ndarray, param="a", func="dob_parts_compatible", expected="a numpy array")
    ya, ma, da = a[:, 0], a[:, 1], a[:, 2]
    yb, mb, db = b[:, 0], b[:, 1], b[:, 2]
    missing = (ya < 0) | (yb < 0)
    day_unknown = (da < 0) | (db < 0)
    month_unknown = (ma < 0) | (mb < 0)
    same_y = ya == yb
    same = same_y.astype(int) + (ma == mb).astype(int) + (da == db).astype(int)
    swap = same_y & (da == mb) & (ma == db) & ~day_unknown
    partial = same_y & (month_unknown | (ma == mb))
    return missing | np.where(day_unknown, partial, (same >= 2) | swap)


def _missing(v: Any) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and v != v)


def _none(v: Any) -> Any:
    return None if _missing(v) else v


def _dob_pair_ok(a: tuple, b: tuple) -> bool:
    """:func:`dob_compatible` for one pair of known ``(year, month, day)`` dates (day None when unknown)."""
    (ya, ma, da), (yb, mb, db) = a, b
    if da is None or db is None:  # a partial date: compared at its precision
        return ya == yb and (ma is None or mb is None or ma == mb)
    same = (ya == yb) + (ma == mb) + (da == db)
    return same >= 2 or (ya == yb and da == mb and ma == db)


def _chain_edges(df: pd.DataFrame, by: list[str], rule: str, order: list[str] | None = None) -> pd.DataFrame:
    sub = df[list(dict.fromkeys([*by, *(order or []), "unique_id"]))].dropna(subset=by)  # only the columns used
    if sub.empty:
        return pd.DataFrame({"l": [], "r": [], "rule": []}).astype({"l": np.int64, "r": np.int64})
    sub = sub.sort_values([*by, *(order or []), "unique_id"], kind="stable", na_position="last")
    same = (sub[by].shift(-1) == sub[by]).all(axis=1).to_numpy()[:-1]
    ids = sub["unique_id"].to_numpy()
    left, right = ids[:-1][same], ids[1:][same]
    return pd.DataFrame(
        {"l": np.minimum(left, right), "r": np.maximum(left, right), "rule": np.full(len(left), rule, dtype=object)}
    )


def deterministic_links(df: pd.DataFrame) -> pd.DataFrame:
    """Return the links of the deterministic rules (see the module notes) between prepared records.

    Each rule groups records by its keys and links consecutive records of a group (sorted by date
    of birth), so a group of k records gives k - 1 links, not k(k-1)/2.

    Returns
    -------
    DataFrame
        ``l``, ``r`` (int64 unique ids, l < r) and ``rule`` (str); one row per linked pair, the
        first rule in the order nino, account+name, name+dob+postcode, name+dob+phone winning.

    Notes
    -----
    O(n log n) time (sorting), O(n) memory.
    """
    check_type(df, pd.DataFrame, param="df", func="deterministic_links", expected="a pandas DataFrame")
    parts = [
        _chain_edges(df, ["nino"], "nino", ["dob"]),
        # a family name alone ('MR SMITH', one of 'MR AND MRS SMITH') cannot tell a couple apart
        _chain_edges(
            df.assign(name_key=df["name_key"].where(df["name"].str.contains(" ", regex=False).fillna(False))),
            ["account_id", "name_key"],
            "account+name",
            ["dob"],
        ),
        _chain_edges(df, ["name", "dob", "postcode"], "name+dob+postcode"),
        _chain_edges(df, ["name", "dob", "phone"], "name+dob+phone"),
    ]
    out = pd.concat(parts, ignore_index=True)
    return out.drop_duplicates(["l", "r"], keep="first").reset_index(drop=True)


def holder_kinds(df: pd.DataFrame) -> np.ndarray:
    """Return per record ``'person'``, ``'couple'`` or ``'organisation'`` from its ``holder_rule``.

    The holder classification of ingest (:func:`crimnet.ingest.normalise.classify_holder`) names
    the rule that fired for an account holder's name: a joint holder (``"joint '&'"``, ``"joint
    'and'"``, or any rule naming a couple) gave this record as one of two people; a rule of an
    organisation (``"legal form 'ltd'"``, ``"organisation word ..."``, ``"trading as"``, ``"'& co'"``)
    says no person is named. Records without a ``holder_rule`` are people. O(n).

    >>> rules = ["joint 'and'", None, "legal form 'ltd'", "surname initials", "couple"]
    >>> holder_kinds(pd.DataFrame({"holder_rule": rules})).tolist()
    ['couple', 'person', 'organisation', 'person', 'couple']
    """
    check_type(df, pd.DataFrame, param="df", func="holder_kinds", expected="a pandas DataFrame")
    out = np.full(len(df), "person", dtype=object)
    if "holder_rule" not in df.columns:
        return out
    rule = df["holder_rule"].astype("str").str.lower()
    out[rule.str.contains(r"^joint\b|couple", regex=True).fillna(False).to_numpy(bool)] = "couple"
    org_rule = r"organi[sz]ation|business|^legal form|^trading as|^'& co'"
    org = rule.str.contains(org_rule, regex=True).fillna(False).to_numpy(bool)
    out[org] = "organisation"
    return out


def sibling_groups(df: pd.DataFrame) -> pd.Series:
    """Return each record's sibling group: records of one couple holder or one list cell.

    The people of one list cell or one couple holder (an ``item`` of one ``row_key`` and ``field``,
    :data:`crimnet.ingest.build.PERSON_RECORD_COLUMNS`) are different people by construction (two
    officers listed in one cell, the two people of ``'MR A & MRS B SMITH'``), so the guard never merges
    them; their group is ``'<row_key>#<field>'``. Other records have no group (NA). Records without those
    columns (built by hand, or by an earlier crimnet) are read from their record id,
    ``'<record id>#<node>.<n>'`` (:func:`crimnet.ingest.build.person_record_ids`). O(n).

    >>> sibling_groups(pd.DataFrame({"source": ["pay", "pay", "bank"],
    ...                              "record_id": ["T1#payer.1", "T1#payer.2", "C9"]})).fillna("-").tolist()
    ['pay:T1#payer', 'pay:T1#payer', '-']
    >>> sibling_groups(pd.DataFrame({"source": ["p", "p"], "record_id": ["A#x.1", "A#x.2"], "row_key": ["p:A#x.1",
    ...     "p:A#x.2"], "field": ["person", "person"], "item": pd.array([None, None], dtype="Int64")})).tolist()
    [nan, nan]
    """
    check_type(df, pd.DataFrame, param="df", func="sibling_groups", expected="a pandas DataFrame")
    rid = df["record_id"].astype("str")
    base = rid.str.extract(r"^(.*#[^#.]+)\.\d+$", expand=False)
    parsed = (df["source"].astype("str") + ":" + base).where(base.notna())
    if not {"row_key", "field", "item"} <= set(df.columns):
        return parsed
    written = df["row_key"].notna()  # where ingest wrote the row, the id is not parsed
    group = (df["row_key"].astype("str") + "#" + df["field"].astype("str")).where(df["item"].notna() & written)
    return group.where(written, parsed)


def components(n: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Return connected-component labels (int64, 0..k-1) of ``n`` nodes joined by the given edges.

    >>> components(4, np.array([0, 2]), np.array([1, 3])).tolist()
    [0, 0, 1, 1]
    """
    check_interval(n, param="n", func="components", low=0, closed="left", integer=True)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    m = coo_matrix((np.ones(len(left), dtype=np.int8), (left, right)), shape=(n, n))
    _, labels = connected_components(m, directed=False)
    return labels.astype(np.int64)


def first_records(labels: np.ndarray) -> np.ndarray:
    """Return each cluster's first record: the smallest record position holding each label.

    Labels are renumbered whenever clusters merge; the first record of a cluster that did not change stays
    its first record, so it names the cluster from one clustering to the next. O(n).

    >>> first_records(np.array([1, 0, 1, 2])).tolist()
    [1, 0, 3]
    """
    check_type(labels, np.ndarray, param="labels", func="first_records", expected="an array of cluster labels")
    first = np.full(int(labels.max()) + 1 if len(labels) else 0, len(labels), dtype=np.int64)
    np.minimum.at(first, labels, np.arange(len(labels), dtype=np.int64))
    return first


def _conflicting_components(df: pd.DataFrame, labels: np.ndarray) -> np.ndarray:
    """Return the labels of components holding two NINOs or two incompatible dates of birth."""
    frame = pd.DataFrame({"c": labels, "nino": _objects(df["nino"])})
    n_nino = frame.dropna().groupby("c")["nino"].nunique()
    bad = set(n_nino.index[n_nino > 1].tolist())
    sib = pd.DataFrame({"c": labels, "g": _objects(df["sibling_group"])}).dropna()
    bad |= set(sib.loc[sib.duplicated(["c", "g"]), "c"].tolist())
    dobs = (
        pd.DataFrame(
            {
                "c": labels,
                "dob_y": _objects(df["dob_y"]),
                "dob_m": _objects(df["dob_m"]),
                "dob_d": _objects(df["dob_d"]),
            }
        )
        .dropna(subset=["dob_y"])
        .drop_duplicates()
    )
    multi = dobs.groupby("c")["dob_y"].transform("size") > 1
    dobs = dobs[multi.to_numpy()]
    if not dobs.empty:  # pairs of distinct dates within a component: few components, few dates each
        pairs = dobs.merge(dobs, on="c", suffixes=("_a", "_b"))
        a = pairs[["dob_y_a", "dob_m_a", "dob_d_a"]].set_axis(["dob_y", "dob_m", "dob_d"], axis=1)
        b = pairs[["dob_y_b", "dob_m_b", "dob_d_b"]].set_axis(["dob_y", "dob_m", "dob_d"], axis=1)
        ok = dob_compatible(a, b)
        bad |= set(pairs.loc[~ok, "c"].unique().tolist())
    return np.array(sorted(bad), dtype=np.int64)


def guard_clusters(
    df: pd.DataFrame, edges: pd.DataFrame, start: np.ndarray | None = None
) -> tuple[np.ndarray, pd.Series]:
    """Cluster records by their links, splitting chains that join conflicting records.

    Parameters
    ----------
    df : DataFrame
        Prepared records (:func:`prepare_features`).
    edges : DataFrame
        Candidate links ``l``, ``r`` (unique ids), ``match_weight`` (float64, inf for deterministic
        links), ``rule`` and optionally ``prio`` (int: lower is added first). Links with rule
        ``'existing'`` (a previous batch's decisions) are always kept. Pseudonymised
        date-of-birth tokens, which cannot be parsed, conflict whenever they differ.
    start : ndarray of int64, optional
        Cluster labels (one per record) of links already guarded: their clusters are kept whole and
        `edges` are only the links to add, each judged against the clusters it joins (a later round of
        collective resolution adds its links without judging the earlier ones again).

    Returns
    -------
    labels : ndarray of int64
        Cluster label per prepared record.
    accepted : Series of bool
        Aligned to `edges`: whether each link was kept (a link refused by the guard is False).

    Notes
    -----
    Connected components in O(n + m); conflicting components (rare) are re-clustered by
    constrained single linkage in O(m_c log m_c + m_c * s) for their m_c links and cluster size s
    (with `start`, m_c counts only the links added).
    """
    check_type(df, pd.DataFrame, param="df", func="guard_clusters", expected="a pandas DataFrame")
    n = len(df)
    left = edges["l"].to_numpy(np.int64)
    right = edges["r"].to_numpy(np.int64)
    # with `start`, each link joins the first records of its two clusters, and every record is tied to its own
    base_l = base_r = np.zeros(0, dtype=np.int64)
    if start is not None:
        check_type(start, np.ndarray, param="start", func="guard_clusters", expected="an array of cluster labels")
        if len(start) != n:
            raise bad_parameter("start", "guard_clusters", f"one label per record ({n})", len(start))
        base_l, base_r = np.arange(n, dtype=np.int64), first_records(start)[start]
        left, right = base_r[left], base_r[right]
    labels = components(n, np.concatenate([base_l, left]), np.concatenate([base_r, right]))
    accepted = pd.Series(True, index=edges.index)
    check = df
    token = (df["dob_y"].isna() & df["dob"].notna()).to_numpy()
    if token.any():  # opaque date tokens: equality is all we can test
        check = df.copy()
        for c in ("dob_y", "dob_m", "dob_d"):
            check.loc[token, c] = df.loc[token, "dob"]
    bad = _conflicting_components(check, labels)
    if len(bad) == 0:
        return labels, accepted
    in_bad = np.isin(labels[left], bad)
    prio = edges["prio"] if "prio" in edges.columns else pd.Series(1, index=edges.index)
    # weights rounded: the model's sums differ in the last bits from run to run (its database adds in parallel), and
    # equal weights must tie, so that the record ids decide their order and every run keeps the same links
    sub = edges[in_bad].assign(
        _w=edges.loc[in_bad, "match_weight"].astype(float).round(9), _p=prio[in_bad], _l=left[in_bad], _r=right[in_bad]
    )
    sub = sub.sort_values(["_p", "_w", "l", "r"], ascending=[True, False, True, True], kind="stable")
    nino = _objects(check["nino"])
    group = _objects(df["sibling_group"])
    dy, dm, dd = (_objects(check[c]) for c in ("dob_y", "dob_m", "dob_d"))
    parent: dict[int, int] = {}
    size: dict[int, int] = {}
    # per cluster root: its distinct NINOs and distinct (year, month, day) dates of birth
    ninos: dict[int, frozenset] = {}
    dobs: dict[int, frozenset] = {}
    groups: dict[int, frozenset] = {}

    def find(x: int) -> int:
        root = x
        while parent.get(root, root) != root:
            root = parent[root]
        while parent.get(x, x) != root:
            parent[x], x = root, parent[x]
        return root

    def nino_of(r: int) -> frozenset:
        if r not in ninos:
            ninos[r] = frozenset() if _missing(nino[r]) else frozenset([nino[r]])
        return ninos[r]

    def dob_of(r: int) -> frozenset:
        if r not in dobs:
            dobs[r] = frozenset() if _missing(dy[r]) else frozenset([(dy[r], dm[r], _none(dd[r]))])
        return dobs[r]

    def group_of(r: int) -> frozenset:
        if r not in groups:
            groups[r] = frozenset() if _missing(group[r]) else frozenset([group[r]])
        return groups[r]

    # a cluster of `start` enters whole: its records are tied to its first one, unconditionally, before any link
    tie = np.flatnonzero(np.isin(labels, bad) & (base_l != base_r)) if start is not None else np.zeros(0, np.int64)
    link_l = np.concatenate([tie, sub["_l"].to_numpy(np.int64)])
    link_r = np.concatenate([base_r[tie], sub["_r"].to_numpy(np.int64)])
    forced = sub["rule"].eq("existing").to_numpy() if "rule" in sub.columns else np.zeros(len(sub), bool)
    forced = np.concatenate([np.ones(len(tie), dtype=bool), forced])
    refused = np.zeros(len(forced), dtype=bool)
    for i, (a, b, force) in enumerate(zip(link_l, link_r, forced, strict=True)):
        ra, rb = find(int(a)), find(int(b))
        if ra == rb:
            continue
        na_, nb_ = nino_of(ra), nino_of(rb)
        da_, db_ = dob_of(ra), dob_of(rb)
        ga, gb = group_of(ra), group_of(rb)
        ok = force or (
            len(na_ | nb_) <= 1 and not (ga & gb) and all(_dob_pair_ok(x, y) for x in da_ for y in db_ if x != y)
        )
        if not ok:
            refused[i] = True
            continue
        if size.get(ra, 1) < size.get(rb, 1):
            ra, rb = rb, ra
        parent[rb] = ra
        size[ra] = size.get(ra, 1) + size.pop(rb, 1)
        ninos[ra] = na_ | nb_
        dobs[ra] = da_ | db_
        groups[ra] = ga | gb
        ninos.pop(rb, None)
        dobs.pop(rb, None)
        groups.pop(rb, None)
    refused = refused[len(tie) :]
    if refused.any():
        accepted[sub.index[refused]] = False
    kept = accepted.to_numpy()
    labels = components(n, np.concatenate([base_l, left[kept]]), np.concatenate([base_r, right[kept]]))
    return labels, accepted


def pair_conflicts(df: pd.DataFrame, left: np.ndarray, right: np.ndarray, *, pseudonymised: bool = False) -> np.ndarray:
    """Return, per candidate pair, why it must not be linked by the model ('' when it may).

    Parameters
    ----------
    df : DataFrame
        Prepared records (:func:`prepare_features`).
    left, right : ndarray of int64
        Unique ids of the paired records.
    pseudonymised : bool, default False
        Names are tokens: different tokens conflict.

    Returns
    -------
    ndarray of object
        ``'given-name'``, ``'sex'``, ``'couple-family-only'`` or ``''`` per pair (see the module notes).

    Notes
    -----
    O(m) for m pairs; string similarities run in DuckDB.
    """
    check_type(df, pd.DataFrame, param="df", func="pair_conflicts", expected="a pandas DataFrame")
    out = np.full(len(left), "", dtype=object)
    if len(left) == 0:
        return out
    sex = _objects(df["sex"])
    sl, sr = sex[left], sex[right]
    sex_bad = pd.notna(sl) & pd.notna(sr) & np.isin(sl, ["M", "F"]) & np.isin(sr, ["M", "F"]) & (sl != sr)
    if pseudonymised:
        name = _objects(df["name"])
        nl, nr = name[left], name[right]
        name_bad = pd.notna(nl) & pd.notna(nr) & (nl != nr)
    else:
        import pyarrow as pa

        def arrow(s: pd.Series) -> pa.Array:
            return pa.array(s.to_numpy(dtype=object, na_value=None), type=pa.string())

        given, family = arrow(df["given"]), arrow(df["family"])
        gkey = arrow(df["given_key"])
        li, ri = pa.array(left), pa.array(right)
        pairs = pa.table(
            {"i": pa.array(np.arange(len(left), dtype=np.int64)), "gl": given.take(li), "gr": given.take(ri),
             "fl": family.take(li), "fr": family.take(ri), "kl": gkey.take(li), "kr": gkey.take(ri)}
        )  # fmt: skip
        con = connect()
        try:
            con.register("pairs", pairs)
            # the connection may return rows in any order (preserve_insertion_order is off): each verdict goes
            # back to its pair by the pair's position `i`
            got = con.execute(
                """
                SELECT i, coalesce(NOT (gl = gr OR kl = kr
                                 OR (length(gl) > 1 AND length(gr) > 1 AND (damerau_levenshtein(gl, gr) <= 1
                                     OR jaro_winkler_similarity(gl, gr) >= 0.9))
                                 OR starts_with(gl, gr) OR starts_with(gr, gl)
                                 OR (gl = fr AND fl = gr)), FALSE) AS bad
                FROM pairs
                """
            ).fetchnumpy()
            name_bad = np.zeros(len(left), dtype=bool)
            name_bad[np.asarray(got["i"], dtype=np.int64)] = np.asarray(got["bad"], dtype=bool)
        finally:
            con.close()
    out[sex_bad] = "sex"
    out[name_bad] = "given-name"
    if not pseudonymised:  # one of 'MR AND MRS SMITH' named by the family alone cannot say which of the two
        vague = (holder_kinds(df) == "couple") & df["given"].isna().to_numpy()
        out[vague[left] | vague[right]] = "couple-family-only"
    return out


def explain_links(table: pd.DataFrame) -> pd.Series:
    """Why each record of a resolution table is where it is, as one line an investigator can read.

    Parameters
    ----------
    table : DataFrame
        A resolution table (:class:`crimnet.ingest.resolve.ResolutionResult`): ``source``,
        ``record_id``, ``rule``, and optionally ``match_weight``, ``linked_to`` and ``via``.

    Returns
    -------
    Series of str
        Indexed by ``'<source>:<record_id>'``: ``'<record>: <rule> [w=<weight>] [to <record>] [via
        <neighbours>]'`` for every record that is not a singleton. O(n).

    >>> t = pd.DataFrame({"source": ["pay", "bank", "x"], "record_id": ["T1", "C1", "Z"],
    ...                   "rule": ["relational:w>=3", "relational:w>=3", "singleton"],
    ...                   "match_weight": [7.25, 7.25, float("nan")], "linked_to": ["bank:C1", "pay:T1", None],
    ...                   "via": ["account:11:22", "account:11:22", None]})
    >>> explain_links(t)["pay:T1"]
    'pay:T1: relational:w>=3 w=7.2 to bank:C1 via account:11:22'
    >>> list(explain_links(t).index)
    ['pay:T1', 'bank:C1']
    """
    check_type(table, pd.DataFrame, param="table", func="explain_links", expected="a pandas DataFrame")
    t = table.reindex(columns=["source", "record_id", "rule", "match_weight", "linked_to", "via"])
    t = t[t["rule"].notna().to_numpy() & (t["rule"].astype(str) != "singleton").to_numpy()]
    key = (t["source"].astype(str) + ":" + t["record_id"].astype(str)).to_numpy(object)
    w = pd.to_numeric(t["match_weight"], errors="coerce").to_numpy(np.float64)
    text = key + ": " + t["rule"].astype(str).to_numpy(object)
    finite = np.isfinite(w)
    text[finite] = text[finite] + np.array([f" w={x:.1f}" for x in w[finite]], dtype=object)
    for col, word in (("linked_to", " to "), ("via", " via ")):
        v = t[col].to_numpy(object)
        has = pd.notna(v) & (v.astype(str) != "")
        text[has] = text[has] + word + v[has].astype(str)
    return pd.Series(text, index=key, dtype=object)


def entity_id_for(keys: pd.Series) -> pd.Series:
    """Return ``'P'`` + 12 hex characters of the SHA-1 of each key (a cluster's smallest record key).

    >>> entity_id_for(pd.Series(["police_intel:U1"])).str.len().tolist()
    [13]
    """
    check_type(keys, pd.Series, param="keys", func="entity_id_for", expected="a pandas Series")
    return keys.map(lambda k: "P" + hashlib.sha1(k.encode("utf-8")).hexdigest()[:12])
