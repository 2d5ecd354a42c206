"""Label-free node features of the canonical tables, one table per node label.

Every feature is computed from what agencies observe (degrees, payments, calls,
sightings, occupancy, the cheap detection indicators), never from ids, file
names, row order or ground truth, so the same tables in another row order or
with other ids give the same features. Counts and sums are ``log1p``-scaled;
ratios stay in [0, 1]. Everything is a pandas group-by or a numpy scatter: no
Python loop runs over rows.

Features per label
    every label   ``deg_<TYPE>_out`` / ``deg_<TYPE>_in``: distinct neighbours over each relationship type of
                  :data:`crimnet.schema.REL_TYPES` the label is an end of (so types added to the schema are picked
                  up), ``events_<TYPE>_out`` / ``_in`` for event types, ``n_sources`` (source datasets naming it)
    Person        ``age`` (years / 100, 0 when unknown), ``age_known``, ``foreign`` (nationality known and not GBR),
                  ``sex_f``, ``sex_m``
    Account       ``paid_in_sum``, ``paid_out_sum`` (minor units), ``pass_through`` (out / in, capped at 1),
                  ``in_interval_cv`` (regularity: coefficient of variation of the days between incoming payments,
                  capped at 3), ``in_amount_cv``, ``wages_in``, ``swept`` (passes on most of its income within days,
                  :func:`crimnet.graphs.detect.money.swept_accounts`)
    Address       ``occupants``, ``families`` (distinct family names of the occupants), ``unrelated`` (families /
                  occupants), ``turnover`` (distinct months in which occupants were first seen / occupants),
                  ``businesses``
    Phone         ``users``, ``families`` (distinct family names of users), ``call_seconds``
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from crimnet.errors import check_type
from crimnet.graphs.detect.evidence import family_names, person_ages
from crimnet.graphs.detect.money import WAGE_REFERENCE, swept_accounts
from crimnet.schema import NODE_LABELS, REL_TYPES
from crimnet.tables import CanonicalTables

__all__ = ["node_features", "feature_names"]


def _index_of(ids: pd.Index, values: pd.Series) -> np.ndarray:
    return ids.get_indexer(values.astype(str))


def _bincount(idx: np.ndarray, n: int, weights: np.ndarray | None = None) -> np.ndarray:
    ok = idx >= 0
    return np.bincount(idx[ok], weights=None if weights is None else weights[ok], minlength=n).astype(float)


def _distinct_count(a: np.ndarray, b: np.ndarray, n: int) -> np.ndarray:
    """For each a in [0, n): number of distinct b paired with it (pairs with a or b < 0 dropped)."""
    ok = (a >= 0) & (b >= 0)
    pairs = pd.DataFrame({"a": a[ok], "b": b[ok]}).drop_duplicates()
    return _bincount(pairs["a"].to_numpy(), n)


def _degree_features(tables: CanonicalTables, index: Mapping[str, pd.Index]) -> dict[str, dict[str, np.ndarray]]:
    out: dict[str, dict[str, np.ndarray]] = {label: {} for label in NODE_LABELS}
    for rel, spec in REL_TYPES.items():
        if spec.src not in index or spec.dst not in index:
            continue
        df = tables.rels[rel]
        s = _index_of(index[spec.src], df["src"]) if len(df) else np.zeros(0, dtype=int)
        d = _index_of(index[spec.dst], df["dst"]) if len(df) else np.zeros(0, dtype=int)
        ns, nd = len(index[spec.src]), len(index[spec.dst])
        out[spec.src][f"deg_{rel}_out"] = np.log1p(_distinct_count(s, d, ns))
        out[spec.dst][f"deg_{rel}_in"] = np.log1p(_distinct_count(d, s, nd))
        if spec.key == "event":
            out[spec.src][f"events_{rel}_out"] = np.log1p(_bincount(s[d >= 0], ns))
            out[spec.dst][f"events_{rel}_in"] = np.log1p(_bincount(d[s >= 0], nd))
    return out


def _n_sources(df: pd.DataFrame) -> np.ndarray:
    if len(df) == 0:
        return np.zeros(0)
    counts = df["sources"].map(lambda v: 0 if v is None else len(v), na_action="ignore")
    return np.log1p(pd.to_numeric(counts, errors="coerce").fillna(0).to_numpy(dtype=float))


def _person_features(tables: CanonicalTables, ids: pd.Index) -> dict[str, np.ndarray]:
    people = tables.nodes["Person"]
    ages = person_ages(tables).reindex(ids)
    nat = people["nationality"].astype(object).where(people["nationality"].notna(), None)
    sex = people["sex"].astype(object).fillna("").str.upper()
    return {
        "age": np.clip(ages.fillna(0).to_numpy(dtype=float), 0, 120) / 100.0,
        "age_known": ages.notna().to_numpy(dtype=float),
        "foreign": (nat.notna() & (nat.astype(str) != "GBR")).to_numpy(dtype=float),
        "sex_f": (sex == "F").to_numpy(dtype=float),
        "sex_m": (sex == "M").to_numpy(dtype=float),
    }


def _cv(groups: np.ndarray, values: np.ndarray, n: int, cap: float) -> np.ndarray:
    """Coefficient of variation of `values` per group (0 for fewer than 2 values), capped at `cap`."""
    if len(values) == 0:
        return np.zeros(n)
    g = pd.DataFrame({"g": groups, "v": values}).groupby("g")["v"].agg(["mean", "std", "size"])
    cv = (g["std"] / g["mean"].where(g["mean"] > 0)).where(g["size"] >= 2).fillna(0.0).clip(0, cap)
    out = np.zeros(n)
    out[g.index.to_numpy(dtype=int)] = cv.to_numpy(dtype=float)
    return out


def _account_features(tables: CanonicalTables, ids: pd.Index) -> dict[str, np.ndarray]:
    n = len(ids)
    paid = tables.rels["PAID"]
    s = _index_of(ids, paid["src"])
    d = _index_of(ids, paid["dst"])
    amount = pd.to_numeric(paid["amount"], errors="coerce").fillna(0).to_numpy(dtype=float)
    paid_in = _bincount(d, n, amount)
    paid_out = _bincount(s, n, amount)
    pass_through = np.where(paid_in > 0, np.minimum(paid_out / np.maximum(paid_in, 1.0), 1.0), 0.0)
    ts = pd.to_datetime(paid["ts"], errors="coerce", utc=True)
    inc = pd.DataFrame({"g": d, "ts": ts, "a": amount})
    inc = inc[(inc["g"] >= 0) & inc["ts"].notna()].sort_values(["g", "ts"], kind="stable")
    gap_days = inc["ts"].diff().dt.total_seconds().to_numpy(dtype=float) / 86400.0
    first = np.r_[True, inc["g"].to_numpy()[1:] != inc["g"].to_numpy()[:-1]] if len(inc) else np.zeros(0, bool)
    gaps = pd.DataFrame({"g": inc["g"].to_numpy(), "gap": gap_days})[~first]
    swept = swept_accounts(tables)
    sw = np.zeros(n)
    sw_idx = _index_of(ids, swept["account"]) if len(swept) else np.zeros(0, dtype=int)
    sw[sw_idx[sw_idx >= 0]] = 1.0
    refs = paid["reference"].fillna("").astype(str)
    wage_in = _bincount(d, n, refs.str.contains(WAGE_REFERENCE, case=False).to_numpy(dtype=float)) > 0
    return {
        "paid_in_sum": np.log1p(paid_in),
        "paid_out_sum": np.log1p(paid_out),
        "pass_through": pass_through,
        "in_interval_cv": _cv(gaps["g"].to_numpy(), gaps["gap"].to_numpy(), n, 3.0),
        "in_amount_cv": _cv(inc["g"].to_numpy(), inc["a"].to_numpy(), n, 3.0),
        "wages_in": wage_in.astype(float),
        "swept": sw,
    }


def _families_at(tables: CanonicalTables, rel: str, ids: pd.Index) -> tuple[np.ndarray, np.ndarray]:
    """Occupants (users) and distinct family names of the people linked by `rel` to each node of `ids`."""
    df = tables.rels[rel]
    people = tables.nodes["Person"]
    fam = pd.Series(family_names(people["name"].fillna("").astype(str)).to_numpy(), index=people["id"].astype(str))
    d = _index_of(ids, df["dst"])
    f = df["src"].astype(str).map(fam).fillna("").to_numpy()
    n = len(ids)
    occupants = _distinct_count(d, pd.factorize(df["src"].astype(str))[0], n)
    fam_codes = pd.factorize(pd.Series(f))[0]
    fam_codes = np.where(f == "", -1, fam_codes)
    return occupants, _distinct_count(d, fam_codes, n)


def _address_features(tables: CanonicalTables, ids: pd.Index) -> dict[str, np.ndarray]:
    n = len(ids)
    occupants, families = _families_at(tables, "LIVES_AT", ids)
    lives = tables.rels["LIVES_AT"]
    month = pd.to_datetime(lives["first_seen"], errors="coerce", utc=True).dt.strftime("%Y-%m")
    months = _distinct_count(_index_of(ids, lives["dst"]), pd.factorize(month)[0], n)
    return {
        "occupants": np.log1p(occupants),
        "families": np.log1p(families),
        "unrelated": np.where(occupants > 0, families / np.maximum(occupants, 1), 0.0),
        "turnover": np.where(occupants > 0, months / np.maximum(occupants, 1), 0.0),
    }


def _phone_features(tables: CanonicalTables, ids: pd.Index) -> dict[str, np.ndarray]:
    n = len(ids)
    users, families = _families_at(tables, "USES_PHONE", ids)
    called = tables.rels["CALLED"]
    dur = pd.to_numeric(called["duration_s"], errors="coerce").fillna(0).to_numpy(dtype=float)
    secs = _bincount(_index_of(ids, called["src"]), n, dur) + _bincount(_index_of(ids, called["dst"]), n, dur)
    return {"users": np.log1p(users), "families": np.log1p(families), "call_seconds": np.log1p(secs)}


_EXTRA = {
    "Person": _person_features,
    "Account": _account_features,
    "Address": _address_features,
    "Phone": _phone_features,
}


def node_features(tables: CanonicalTables) -> dict[str, pd.DataFrame]:
    """Compute the label-free features of every node, one table per node label.

    Parameters
    ----------
    tables : CanonicalTables
        The canonical tables of one case (generated or ingested).

    Returns
    -------
    dict of str to DataFrame
        For every label of :data:`crimnet.schema.NODE_LABELS`, a float64 table indexed by node id (str) in the
        order of the node table, columns as in the module docstring, sorted by name. A label with no node has
        an empty table with its columns.

    Raises
    ------
    crimnet.errors.ParameterError
        If `tables` is not a :class:`CanonicalTables`.

    Notes
    -----
    O(n + m log m) for n nodes and m relationship rows (group-bys, one sort of the payments).
    Relationship rows whose ends are missing from the node tables are ignored.

    Examples
    --------
    >>> t = CanonicalTables.from_partial({
    ...     "Person": pd.DataFrame({"id": ["p1", "p2"], "name": ["ann lee", "bo kim"]}),
    ...     "Phone": pd.DataFrame({"id": ["+447700900001"]}),
    ...     "USES_PHONE": pd.DataFrame({"src": ["p1", "p2"], "dst": ["+447700900001"] * 2})})
    >>> f = node_features(t)
    >>> round(float(np.expm1(f["Phone"].loc["+447700900001", "families"])), 6)
    2.0
    """
    check_type(tables, CanonicalTables, param="tables", func="node_features", expected="a CanonicalTables")
    index = {label: pd.Index(tables.nodes[label]["id"].astype(str)) for label in NODE_LABELS}
    degrees = _degree_features(tables, index)
    out = {}
    for label in NODE_LABELS:
        cols = dict(degrees[label])
        cols["n_sources"] = _n_sources(tables.nodes[label])
        if label in _EXTRA:
            cols.update(_EXTRA[label](tables, index[label]))
        frame = pd.DataFrame({k: np.asarray(v, dtype=float) for k, v in sorted(cols.items())}, index=index[label])
        out[label] = frame.fillna(0.0)
    return out


def feature_names(features: Mapping[str, pd.DataFrame]) -> dict[str, list[str]]:
    """Return the feature columns of each label of :func:`node_features` output.

    Parameters
    ----------
    features : mapping of str to DataFrame
        :func:`node_features` output.

    Returns
    -------
    dict of str to list of str
        Column names per label, in order.

    Raises
    ------
    crimnet.errors.ParameterError
        If `features` is not a mapping.

    Examples
    --------
    >>> feature_names({"Phone": pd.DataFrame(columns=["a", "b"])})
    {'Phone': ['a', 'b']}
    """
    check_type(features, Mapping, param="features", func="feature_names", expected="a mapping of label to DataFrame")
    return {k: [str(c) for c in v.columns] for k, v in features.items()}
