"""Cluster risk: indicators an investigator recognises, scored, weighted and explained in plain words.

For every cluster of people the indicators below are measured from the
canonical tables. Each is an :class:`~crimnet.graphs.detect.evidence.Evidence`
(the type role inference uses too): its raw value ``v`` becomes a strength in
[0, 1] by a linear ramp between a *normal* level ``v0`` (strength 0) and a
*saturated* level ``v1`` (strength 1) (all indicators here: higher is
riskier). The cluster score is ``sum_i w_i * strength_i`` with weights
:class:`RiskWeights`, set by the user or fitted on generated truth
(:func:`fit_risk_weights`). The indicators that drove a score are listed in
decreasing contribution, each with a sentence in plain words. Adults are
people aged 18 or more at the case's reference date, and family names the
last word of a name (:mod:`crimnet.graphs.detect.evidence`).

=========================  ====================================================  =====  =====
indicator                  value (per cluster)                                     v0     v1
=========================  ====================================================  =====  =====
unrelated_adults_address   most distinct family names among the adult members      2      8
                           registered at one address
people_per_phone           most people using one phone a member uses               2      6
wage_sweep                 most member accounts that pass at least half of what    1      5
                           they receive on to one same account within days
same_small_business        share of members working at one small business          0.2    0.7
shared_vehicle             most members whose home or workplace one vehicle        1      5
                           kept by a member is seen at (not the keeper's own)
occupant_turnover          most occupants with stays under 180 days at one          1      6
                           member address
density                    mean number of other members each member is linked      2      8
                           to in the projection
foreign_share              share of members with a non-GBR nationality             0.3    0.9
=========================  ====================================================  =====  =====
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from typing import Any

import igraph as ig
import numpy as np
import pandas as pd

from crimnet.errors import bad_parameter, check_interval, check_type
from crimnet.frames import isin
from crimnet.graphs.arrays import edge_arrays
from crimnet.graphs.detect.community import membership_table
from crimnet.graphs.detect.evidence import Evidence, family_names, person_ages
from crimnet.graphs.detect.money import swept_accounts
from crimnet.tables import CanonicalTables

__all__ = [
    "INDICATORS",
    "RiskWeights",
    "cluster_features",
    "indicator_strengths",
    "cluster_risk",
    "risk_scores",
    "fit_risk_weights",
]


@dataclass
class RiskWeights:
    """Weights of the risk indicators (strength multipliers) and an intercept.

    Defaults are expert settings: household and money signals weigh most.
    ``RiskWeights.from_dict(json.loads(...))`` and :meth:`to_dict` round-trip.

    >>> RiskWeights(density=0.5).to_dict()["density"]
    0.5
    """

    unrelated_adults_address: float = 2.0
    people_per_phone: float = 1.5
    wage_sweep: float = 2.5
    same_small_business: float = 1.5
    shared_vehicle: float = 1.5
    occupant_turnover: float = 1.0
    density: float = 1.0
    foreign_share: float = 0.5
    intercept: float = 0.0

    def __post_init__(self) -> None:
        for f in fields(self):
            check_interval(getattr(self, f.name), param=f.name, func="RiskWeights")

    def to_dict(self) -> dict[str, float]:
        """Return the weights as a plain dict."""
        return {k: float(v) for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, data: dict[str, float]) -> RiskWeights:
        """Build from a dict (e.g. a run configuration), rejecting unknown keys."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise bad_parameter("data", "RiskWeights.from_dict", f"keys among {sorted(known)}", unknown)
        return cls(**{k: float(v) for k, v in data.items()})

    def vector(self) -> np.ndarray:
        """Weights in :data:`INDICATORS` order."""
        return np.array([getattr(self, i.name) for i in INDICATORS], dtype=float)


INDICATORS: tuple[Evidence, ...] = (
    Evidence(
        "unrelated_adults_address",
        2,
        8,
        RiskWeights.unrelated_adults_address,
        "{v:.0f} unrelated adult members (distinct family names) registered at one address ({address}), "
        "{adults:.0f} adults in all",
    ),
    Evidence("people_per_phone", 2, 6, RiskWeights.people_per_phone, "{v:.0f} people share one phone ({phone})"),
    Evidence(
        "wage_sweep",
        1,
        5,
        RiskWeights.wage_sweep,
        "{v:.0f} members' accounts pass on about {share:.0%} of what they receive within days to one account "
        "({account})",
    ),
    Evidence(
        "same_small_business",
        0.2,
        0.7,
        RiskWeights.same_small_business,
        "{members:.0f} of {size:.0f} members ({v:.0%}) work at one small business ({business}{sector}, "
        "{staff:.0f} staff)",
    ),
    Evidence(
        "shared_vehicle",
        1,
        5,
        RiskWeights.shared_vehicle,
        "vehicle {vehicle}, kept by a member, seen {reads:times} at the homes or workplaces of {v:.0f} members",
    ),
    Evidence(
        "occupant_turnover",
        1,
        6,
        RiskWeights.occupant_turnover,
        "{v:.0f} short stays (under {days:g} days) at one member address ({address})",
    ),
    Evidence(
        "density",
        2,
        8,
        RiskWeights.density,
        "members are closely linked: each shares phones, addresses or money with {v:.1f} others on average",
    ),
    Evidence(
        "foreign_share", 0.3, 0.9, RiskWeights.foreign_share, "{v:.0%} of the {size:.0f} members are foreign nationals"
    ),
)
"""The risk indicators (see the module docstring), each with the default weight of :class:`RiskWeights`."""


def _days(s: pd.Series) -> pd.Series:
    return pd.to_datetime(s, errors="coerce", utc=True)


def _address_text(tables: CanonicalTables) -> pd.Series:
    a = tables.nodes["Address"]
    line = a["line"].fillna("").astype(str)
    pc = a["postcode"].fillna("").astype(str)
    text = (line + ", " + pc).str.strip(", ")
    text = text.where(text != "", a["id"].astype(str))
    return pd.Series(text.to_numpy(), index=a["id"].astype(str).to_numpy())


def _top_per_cluster(df: pd.DataFrame, value: str, detail_cols: list[str]) -> pd.DataFrame:
    """Row of the largest `value` per cluster_id."""
    if len(df) == 0:
        return pd.DataFrame(columns=["cluster_id", value, *detail_cols])
    df = df.sort_values(["cluster_id", value], ascending=[True, False], kind="stable")
    return df.drop_duplicates("cluster_id")[["cluster_id", value, *detail_cols]]


def _member_places(tables: CanonicalTables, m: pd.DataFrame) -> pd.DataFrame:
    """Homes (LIVES_AT) and workplaces (WORKS_AT, then LOCATED_AT) of members: cluster_id, node_id, place."""
    la = tables.rels["LIVES_AT"][["src", "dst"]].astype(str).rename(columns={"src": "node_id", "dst": "place"})
    wa = tables.rels["WORKS_AT"][["src", "dst"]].astype(str).rename(columns={"src": "node_id", "dst": "biz"})
    loc = tables.rels["LOCATED_AT"][["src", "dst"]].astype(str).rename(columns={"src": "biz", "dst": "place"})
    work_places = wa.merge(loc, on="biz")[["node_id", "place"]]
    places = m[["cluster_id", "node_id"]].merge(pd.concat([la, work_places], ignore_index=True), on="node_id")
    return places[["cluster_id", "node_id", "place"]].drop_duplicates()


def cluster_features(
    tables: CanonicalTables,
    clusters: pd.DataFrame,
    *,
    graph: ig.Graph | None = None,
    sweep_days: float = 7.0,
    sweep_share: float = 0.5,
    small_business_max: int = 30,
    turnover_days: float = 180.0,
    swept: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Measure the raw risk indicators of every cluster.

    Parameters
    ----------
    tables : CanonicalTables
        The canonical tables the clusters were found in.
    clusters : DataFrame
        ``clusters`` table whose members are Person ids.
    graph : igraph.Graph, optional
        The person projection, for ``density``; without it density is 0.
    sweep_days : float, default 7.0
        An outgoing payment counts as a sweep when it leaves within this many
        days of a payment into the same account.
    sweep_share : float, default 0.5
        Share, in (0, 1], of an account's income that must be swept to one
        account for the account to count.
    small_business_max : int, default 30
        Businesses with at most this many workers (WORKS_AT) are small.
    turnover_days : float, default 180.0
        Stays (LIVES_AT last_seen - first_seen) shorter than this count as turnover.
    swept : DataFrame, optional
        :func:`crimnet.graphs.detect.money.swept_accounts` of `tables` with `sweep_days`
        and `sweep_share`, when already computed (it is the costliest step).

    Returns
    -------
    DataFrame
        One row per cluster (same order): ``cluster_id``, ``method``, ``size``,
        one float64 column per indicator of :data:`INDICATORS`, and a
        ``details`` column (dict per cluster: the evidence behind each value,
        used by the explanations).

    Raises
    ------
    crimnet.errors.ParameterError
        If a parameter is out of range.

    Notes
    -----
    Joins and group-bys over the members' relationships: O(total members +
    relationship rows) time and memory.

    Examples
    --------
    >>> from crimnet.tables import CanonicalTables
    >>> t = CanonicalTables.from_partial({
    ...     "Person": pd.DataFrame({"id": list("abc"), "name": ["x ann", "y bo", "z cy"]}),
    ...                 "Address": pd.DataFrame({"id": ["h"]}),
    ...                 "LIVES_AT": pd.DataFrame({"src": list("abc"), "dst": ["h"] * 3})})
    >>> c = pd.DataFrame({"cluster_id": [0], "method": "m", "members": [list("abc")], "size": [3]})
    >>> float(cluster_features(t, c)["unrelated_adults_address"].iloc[0])
    3.0
    """
    func = "cluster_features"
    check_type(tables, CanonicalTables, param="tables", func=func, expected="a CanonicalTables")
    check_type(clusters, pd.DataFrame, param="clusters", func=func, expected="a clusters DataFrame")
    check_interval(sweep_days, param="sweep_days", func=func, low=0)
    check_interval(sweep_share, param="sweep_share", func=func, low=0, high=1, closed="right")
    check_interval(small_business_max, param="small_business_max", func=func, low=1, closed="left", integer=True)
    check_interval(turnover_days, param="turnover_days", func=func, low=0)
    c = clusters.reset_index(drop=True)
    m = membership_table(c.assign(cluster_id=np.arange(len(c)), method="x"))[["node_id", "cluster_id"]]
    size = c["members"].map(len).to_numpy(dtype=float) if len(c) else np.zeros(0)
    out = pd.DataFrame({"cluster_id": c["cluster_id"].to_numpy(), "method": c.get("method", "x"), "size": size})
    details: list[dict[str, Any]] = [{} for _ in range(len(c))]
    persons = tables.nodes["Person"].assign(id=lambda d: d["id"].astype(str)).set_index("id")
    addr_text = _address_text(tables)

    def put(col: str, top: pd.DataFrame, value: str, detail: dict[str, str]) -> None:
        vals = np.zeros(len(c))
        if len(top):
            idx = top["cluster_id"].to_numpy(dtype=np.int64)
            vals[idx] = top[value].to_numpy(dtype=float)
            recs = top[list(detail.values())].to_dict("records")
            for i, rec in zip(idx, recs, strict=True):
                details[i][col] = {k: rec[v] for k, v in detail.items()} | {"value": float(vals[i])}
        out[col] = vals

    # unrelated adults per address, and short-stay turnover
    la = tables.rels["LIVES_AT"].assign(src=lambda d: d["src"].astype(str), dst=lambda d: d["dst"].astype(str))
    age = person_ages(tables)
    adult = (age >= 18) | age.isna()
    occ = la[["src", "dst"]].drop_duplicates()
    occ = occ[occ["src"].map(adult).fillna(True).astype(bool)]
    occ = occ.assign(surname=occ["src"].map(family_names(persons["name"])).fillna(""))
    occ = occ[occ["surname"] != ""]
    n_adults = occ.groupby("dst")["src"].nunique()
    stay = (_days(la["last_seen"]) - _days(la["first_seen"])).dt.days
    short = la[stay.notna() & (stay < turnover_days)].drop_duplicates(["src", "dst"]).groupby("dst").size()
    # the cluster's own adults there: a hostel or hall of a hundred names says nothing about the one member living in
    # it, and counting all its occupants would lend that address to every cluster with a resident
    ma = m.merge(occ[["src", "dst", "surname"]].drop_duplicates().rename(columns={"src": "node_id"}), on="node_id")
    ma = ma.groupby(["cluster_id", "dst"], sort=False)["surname"].nunique().reset_index(name="names")
    ma["adults"] = ma["dst"].map(n_adults).fillna(0)
    ma["where"] = ma["dst"].map(addr_text).fillna(ma["dst"])
    put(
        "unrelated_adults_address",
        _top_per_cluster(ma, "names", ["where", "adults"]),
        "names",
        {"address": "where", "adults": "adults"},
    )
    ma_all = m.merge(la[["src", "dst"]].drop_duplicates().rename(columns={"src": "node_id"}), on="node_id")
    ma_all = ma_all[["cluster_id", "dst"]].drop_duplicates()
    ma_all["short"] = ma_all["dst"].map(short).fillna(0)
    ma_all["where"] = ma_all["dst"].map(addr_text).fillna(ma_all["dst"])
    put("occupant_turnover", _top_per_cluster(ma_all, "short", ["where"]), "short", {"address": "where"})
    for d in details:
        if "occupant_turnover" in d:
            d["occupant_turnover"]["days"] = turnover_days

    # people per phone
    up = tables.rels["USES_PHONE"][["src", "dst"]].astype(str).drop_duplicates()
    per_phone = up.groupby("dst")["src"].nunique()
    mp = m.merge(up.rename(columns={"src": "node_id"}), on="node_id")[["cluster_id", "dst"]].drop_duplicates()
    mp["n"] = mp["dst"].map(per_phone).fillna(0)
    put("people_per_phone", _top_per_cluster(mp, "n", ["dst"]), "n", {"phone": "dst"})

    # wage-in / sweep-out
    if swept is None:
        swept = swept_accounts(tables, sweep_days=sweep_days, sweep_share=sweep_share)
    holds = tables.rels["HOLDS"][["src", "dst"]].astype(str).drop_duplicates()
    mh = m.merge(holds.rename(columns={"src": "node_id", "dst": "account"}), on="node_id")
    ms = mh.merge(swept, on="account")
    if len(ms):
        g = ms.groupby(["cluster_id", "dest"]).agg(n=("account", "nunique"), share=("share", "mean")).reset_index()
        put("wage_sweep", _top_per_cluster(g, "n", ["dest", "share"]), "n", {"account": "dest", "share": "share"})
    else:
        put("wage_sweep", pd.DataFrame(), "n", {})

    # same small business
    wa = tables.rels["WORKS_AT"][["src", "dst"]].astype(str).drop_duplicates()
    staff = wa.groupby("dst")["src"].nunique()
    small = staff[staff <= small_business_max]
    mw = m.merge(wa.rename(columns={"src": "node_id"}), on="node_id")
    mw = mw[isin(mw["dst"], small.index)]
    if len(mw):
        g = mw.groupby(["cluster_id", "dst"])["node_id"].nunique().reset_index(name="n")
        g["share"] = g["n"] / size[g["cluster_id"].to_numpy()]
        g.loc[g["n"] < 2, "share"] = 0.0
        b = tables.nodes["Business"].assign(id=lambda d: d["id"].astype(str)).set_index("id")
        g["bname"] = g["dst"].map(b["name"]).fillna(g["dst"]).astype(str)
        g["sector"] = g["dst"].map(b["sector"]).fillna("").astype(str)
        g["staff"] = g["dst"].map(staff)
        put(
            "same_small_business",
            _top_per_cluster(g, "share", ["n", "bname", "sector", "staff"]),
            "share",
            {"members": "n", "business": "bname", "sector": "sector", "staff": "staff"},
        )
    else:
        put("same_small_business", pd.DataFrame(), "share", {})

    # shared vehicle: sightings of a member's vehicle at members' homes or workplaces
    keeps = tables.rels["KEEPS"][["src", "dst"]].astype(str).drop_duplicates()
    seen = tables.rels["SEEN_AT"][["src", "dst"]].astype(str)
    mk = m.merge(keeps.rename(columns={"src": "node_id", "dst": "vehicle"}), on="node_id")[["cluster_id", "vehicle"]]
    if len(mk) and len(seen):
        places = _member_places(tables, m)
        sightings = seen.rename(columns={"src": "vehicle", "dst": "place"}).groupby(["vehicle", "place"]).size()
        sightings = sightings.reset_index(name="reads")
        j = mk.drop_duplicates().merge(sightings, on="vehicle").merge(places, on=["cluster_id", "place"])
        # a vehicle seen at its keeper's own home or workplace shows nothing: only the other places it is seen at count
        kept = keeps.rename(columns={"src": "node_id", "dst": "vehicle"}).merge(places, on="node_id")
        own = pd.MultiIndex.from_frame(kept[["cluster_id", "vehicle", "place"]])
        j = j[~pd.MultiIndex.from_frame(j[["cluster_id", "vehicle", "place"]]).isin(own)]
        if len(j):
            g = j.groupby(["cluster_id", "vehicle"]).agg(n=("node_id", "nunique")).reset_index()
            reads = j.drop_duplicates(["cluster_id", "vehicle", "place"]).groupby(["cluster_id", "vehicle"])["reads"]
            g["reads"] = reads.sum().reindex(pd.MultiIndex.from_frame(g[["cluster_id", "vehicle"]])).to_numpy()
            put(
                "shared_vehicle",
                _top_per_cluster(g, "n", ["vehicle", "reads"]),
                "n",
                {"vehicle": "vehicle", "reads": "reads"},
            )
        else:
            put("shared_vehicle", pd.DataFrame(), "n", {})
    else:
        put("shared_vehicle", pd.DataFrame(), "n", {})

    # density against size
    dens = np.zeros(len(c))
    edges_in = np.zeros(len(c))
    if graph is not None and graph.ecount() and len(m):
        vid = pd.Index(np.asarray(graph.vs["node_id"], dtype=object).astype(str))
        memb = np.full(graph.vcount(), -1, dtype=np.int64)
        pos = vid.get_indexer(m["node_id"])
        ok = pos >= 0
        memb[pos[ok]] = m["cluster_id"].to_numpy()[ok]
        eu, ev = edge_arrays(graph)
        same = (memb[eu] == memb[ev]) & (memb[eu] >= 0)
        edges_in = np.bincount(memb[eu[same]], minlength=len(c)).astype(float)[: len(c)]
        dens = np.divide(2 * edges_in, size, out=np.zeros(len(c)), where=size > 0)
    out["density"] = dens
    for i in np.flatnonzero(dens > 0):
        details[i]["density"] = {"value": float(dens[i]), "edges": int(edges_in[i]), "size": int(size[i])}

    # foreign nationals
    nat = m["node_id"].map(persons["nationality"])
    foreign = (nat.notna() & (nat.astype(str) != "GBR") & (nat.astype(str) != "")).astype(float)
    fs = foreign.groupby(m["cluster_id"]).mean().reindex(range(len(c))).fillna(0.0).to_numpy()
    out["foreign_share"] = fs
    for i in np.flatnonzero(fs > 0):
        details[i]["foreign_share"] = {"value": float(fs[i]), "size": int(size[i])}

    out["details"] = pd.Series(details, dtype=object)
    out.attrs["parameters"] = {
        "sweep_days": sweep_days,
        "sweep_share": sweep_share,
        "small_business_max": small_business_max,
        "turnover_days": turnover_days,
    }
    return out


def indicator_strengths(features: pd.DataFrame) -> pd.DataFrame:
    """Turn raw indicator values into strengths in [0, 1] (linear ramp from ``v0`` to ``v1``).

    Examples
    --------
    >>> f = pd.DataFrame({i.name: [0.0] for i in INDICATORS}).assign(people_per_phone=[4.0])
    >>> float(indicator_strengths(f)["people_per_phone"].iloc[0])
    0.5
    """
    check_type(features, pd.DataFrame, param="features", func="indicator_strengths", expected="a pandas DataFrame")
    return pd.DataFrame({ind.name: ind.strength(features[ind.name]) for ind in INDICATORS}, index=features.index)


def _texts(feats: pd.DataFrame, contrib: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """The sentence of every (cluster, indicator) with a positive contribution; None elsewhere."""
    texts = np.full(contrib.shape, None, dtype=object)
    details = feats["details"].to_numpy()
    for j, ind in enumerate(INDICATORS):
        rows = np.flatnonzero(contrib[:, j] > 0)
        if len(rows) == 0:
            continue
        frame = pd.DataFrame.from_records([details[r].get(ind.name, {}) for r in rows], index=rows)
        frame[ind.name] = feats[ind.name].to_numpy(dtype=float)[rows]
        frame["size"] = sizes[rows]
        if "sector" in frame:  # ', <sector>' after the business name, when known
            sector = frame["sector"].fillna("").astype(str)
            frame["sector"] = (", " + sector).where(sector != "", "")
        texts[rows, j] = ind.sentences(frame).to_numpy()
    return texts


def cluster_risk(
    tables: CanonicalTables,
    clusters: pd.DataFrame,
    *,
    graph: ig.Graph | None = None,
    weights: RiskWeights | None = None,
    min_size: int = 3,
    max_size: int | None = 200,
    features: pd.DataFrame | None = None,
    swept: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Score and explain clusters by their risk indicators, highest risk first.

    Parameters
    ----------
    tables : CanonicalTables
        The canonical tables the clusters were found in.
    clusters : DataFrame
        ``clusters`` table whose members are Person ids.
    graph : igraph.Graph, optional
        The person projection (for the density indicator).
    weights : RiskWeights, optional
        Indicator weights; default :class:`RiskWeights()`.
    min_size : int, default 3
        Clusters with fewer members are dropped (a pair is not a network).
    max_size : int or None, default 200
        Clusters with more members are dropped (split them first with
        :func:`crimnet.graphs.detect.split.fiedler_bisection`); ``None`` keeps all.
    features : DataFrame, optional
        Precomputed :func:`cluster_features` of `clusters` (same order).
    swept : DataFrame, optional
        Precomputed :func:`crimnet.graphs.detect.money.swept_accounts` of `tables` (defaults).

    Returns
    -------
    DataFrame
        The ``clusters`` table sorted by ``score`` (float64, descending; ties by
        size), with ``indicators``: a list of dicts ``{name, value,
        strength, contribution, text}`` for every indicator with a positive
        contribution, largest first, ``text`` in plain words. ``attrs`` adds
        ``weights`` and ``features`` (the raw indicator table).

    Raises
    ------
    crimnet.errors.ParameterError
        If a parameter is out of range.

    Notes
    -----
    Cost of :func:`cluster_features` plus O(clusters x indicators) to write
    the explanations.

    Examples
    --------
    >>> from crimnet.tables import CanonicalTables
    >>> t = CanonicalTables.from_partial({
    ...     "Person": pd.DataFrame({"id": list("abcd"), "name": ["w a", "x b", "y c", "z d"]}),
    ...                 "Phone": pd.DataFrame({"id": ["+4477"]}),
    ...                 "USES_PHONE": pd.DataFrame({"src": list("abcd"), "dst": ["+4477"] * 4})})
    >>> c = pd.DataFrame({"cluster_id": [0], "method": "m", "members": [list("abcd")], "size": [4]})
    >>> cluster_risk(t, c)["indicators"].iloc[0][0]["text"]
    '4 people share one phone (+4477)'
    """
    func = "cluster_risk"
    check_type(clusters, pd.DataFrame, param="clusters", func=func, expected="a clusters DataFrame")
    weights = RiskWeights() if weights is None else weights
    check_type(weights, RiskWeights, param="weights", func=func, expected="a RiskWeights")
    check_interval(min_size, param="min_size", func=func, low=1, closed="left", integer=True)
    if max_size is not None:
        check_interval(max_size, param="max_size", func=func, low=min_size, closed="left", integer=True)
    c = clusters.reset_index(drop=True)
    sizes = c["members"].map(len).to_numpy() if len(c) else np.zeros(0, dtype=int)
    keep = sizes >= min_size
    if max_size is not None:
        keep &= sizes <= max_size
    if features is not None:
        feats = features.reset_index(drop=True)[keep].reset_index(drop=True)
    c = c[keep].reset_index(drop=True)
    if features is None:
        feats = cluster_features(tables, c, graph=graph, swept=swept)
    strength = indicator_strengths(feats)
    w = weights.vector()
    contrib = strength.to_numpy() * w
    score = contrib.sum(axis=1) + weights.intercept
    names = [i.name for i in INDICATORS]
    values = feats[names].to_numpy(dtype=float)  # plain arrays: .at per row is slow on large frames
    strengths = strength.to_numpy()
    texts = _texts(feats, contrib, sizes[keep])
    indicators = []
    for row in range(len(c)):
        order = np.argsort(-contrib[row], kind="stable")
        items = []
        for j in order:
            if contrib[row, j] <= 0:
                break
            items.append(
                {
                    "name": names[j],
                    "value": float(values[row, j]),
                    "strength": float(strengths[row, j]),
                    "contribution": float(contrib[row, j]),
                    "text": texts[row, j],
                }
            )
        indicators.append(items)
    out = c.copy()
    out["size"] = sizes[keep].astype(np.int64)
    out["score"] = score.astype(float)
    out["indicators"] = pd.Series(indicators, dtype=object)
    order = np.lexsort((-out["size"].to_numpy(), -out["score"].to_numpy()))
    out = out.iloc[order].reset_index(drop=True)
    feats = feats.iloc[order].reset_index(drop=True)
    out.attrs.update(clusters.attrs)
    out.attrs["weights"] = weights.to_dict()
    out.attrs["features"] = feats.drop(columns=["details"])
    out.attrs["risk_parameters"] = {"min_size": min_size, "max_size": max_size}
    return out


def risk_scores(
    tables: CanonicalTables,
    scored_clusters: pd.DataFrame,
    *,
    graph: ig.Graph | None = None,
    swept: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Score people: their cluster's risk, raised for those who look like its organisers.

    A member's score is ``cluster score x (0.5 + 0.5 r)`` where ``r`` in [0, 1]
    is the share of organiser signals they show: holding the account that
    members' income is swept to, keeping the vehicle seen at members' homes
    and workplaces, directing a business where members work, and the member's
    within-cluster weighted degree rank (most linked first). People in no
    scored cluster get 0, or the lowest member score when that is negative
    (fitted weights can make a cluster score negative), so they rank last.

    Parameters
    ----------
    tables : CanonicalTables
        The canonical tables.
    scored_clusters : DataFrame
        Output of :func:`cluster_risk`.
    graph : igraph.Graph, optional
        The person projection, for the within-cluster degree rank.
    swept : DataFrame, optional
        Precomputed :func:`crimnet.graphs.detect.money.swept_accounts` of `tables` (defaults).

    Returns
    -------
    DataFrame
        ``node_scores`` (node_id, label ``'Person'``, method ``'<method>_risk'``, score).

    Notes
    -----
    O(total members + relationship rows).

    Examples
    --------
    >>> from crimnet.tables import CanonicalTables
    >>> t = CanonicalTables.from_partial({
    ...     "Person": pd.DataFrame({"id": list("ab")})})
    >>> c = pd.DataFrame({"cluster_id": [0], "method": ["m"], "members": [["a"]], "size": [1], "score": [2.0],
    ...                   "indicators": [[]]})
    >>> risk_scores(t, c)["score"].tolist()
    [1.0, 0.0]
    """
    check_type(tables, CanonicalTables, param="tables", func="risk_scores", expected="a CanonicalTables")
    check_type(
        scored_clusters,
        pd.DataFrame,
        param="scored_clusters",
        func="risk_scores",
        expected="a scored clusters DataFrame",
    )
    c = scored_clusters.reset_index(drop=True)
    method = (c["method"].iloc[0] if len(c) else "risk") + "_risk"
    people = tables.nodes["Person"]["id"].astype(str)
    m = membership_table(c.assign(cluster_id=np.arange(len(c)), method="x"))[["node_id", "cluster_id"]]
    m = m.drop_duplicates("node_id")
    m["cscore"] = c["score"].to_numpy(dtype=float)[m["cluster_id"].to_numpy()] if len(m) else []
    signals = np.zeros(len(m))
    n_signals = 4.0
    if len(m):
        if swept is None:
            swept = swept_accounts(tables, sweep_days=7.0, sweep_share=0.5)
        holds = tables.rels["HOLDS"][["src", "dst"]].astype(str)
        mh = m[["node_id", "cluster_id"]].merge(holds.rename(columns={"src": "node_id", "dst": "account"}))
        sw = mh.merge(swept, on="account")[["cluster_id", "dest"]].drop_duplicates()
        dest_holders = holds.rename(columns={"src": "node_id", "dst": "dest"}).merge(sw, on="dest")
        is_dest = pd.MultiIndex.from_frame(m[["node_id", "cluster_id"]]).isin(
            pd.MultiIndex.from_frame(dest_holders[["node_id", "cluster_id"]])
        )
        signals += is_dest
        keeps = tables.rels["KEEPS"][["src", "dst"]].astype(str).rename(columns={"src": "node_id", "dst": "vehicle"})
        seen = tables.rels["SEEN_AT"][["src", "dst"]].astype(str).rename(columns={"src": "vehicle", "dst": "place"})
        at_members = _member_places(tables, m)[["cluster_id", "place"]].drop_duplicates()
        keepers = m[["node_id", "cluster_id"]].merge(keeps, on="node_id").merge(seen.drop_duplicates(), on="vehicle")
        keepers = keepers.merge(at_members, on=["cluster_id", "place"])
        signals += pd.MultiIndex.from_frame(m[["node_id", "cluster_id"]]).isin(
            pd.MultiIndex.from_frame(keepers[["node_id", "cluster_id"]])
        )
        directs = tables.rels["DIRECTS"][["src", "dst"]].astype(str).rename(columns={"src": "node_id", "dst": "biz"})
        works = tables.rels["WORKS_AT"][["src", "dst"]].astype(str).rename(columns={"src": "w", "dst": "biz"})
        mw = m.merge(works.rename(columns={"w": "node_id"}), on="node_id")[["cluster_id", "biz"]].drop_duplicates()
        dm = m.merge(directs, on="node_id").merge(mw, on=["cluster_id", "biz"])
        signals += isin(m["node_id"], dm["node_id"])
        if graph is not None and graph.ecount():
            strength = pd.Series(
                graph.strength(weights="weight" if "weight" in graph.es.attributes() else None),
                index=np.asarray(graph.vs["node_id"], dtype=object).astype(str),
            )
            st = m["node_id"].map(strength).fillna(0.0)
            signals += st.groupby(m["cluster_id"]).rank(pct=True).to_numpy()
        else:
            n_signals = 3.0
    m["score"] = m["cscore"] * (0.5 + 0.5 * signals / n_signals)
    scores = people.map(m.set_index("node_id")["score"]).fillna(0.0).to_numpy(dtype=float)
    base = scores.min() if len(scores) else 0.0
    scores = np.where(isin(people, m["node_id"]), scores, min(base, 0.0))
    out = pd.DataFrame({"node_id": people.to_numpy(), "label": "Person", "method": method, "score": scores})
    out.attrs.update(
        method=method,
        parameters={"signals": ["sweep_destination", "vehicle_keeper", "director", "within_cluster_strength_rank"]},
    )
    return out


def fit_risk_weights(
    features: pd.DataFrame,
    labels: np.ndarray | pd.Series,
    *,
    l2: float = 1.0,
    nonnegative: bool = True,
) -> RiskWeights:
    """Fit indicator weights by L2-regularised logistic regression of "is a ring" on strengths.

    Parameters
    ----------
    features : DataFrame
        Raw indicator values (:func:`cluster_features`, or ``attrs['features']``
        of :func:`cluster_risk`), one row per cluster.
    labels : array of bool
        Whether each cluster is a planted ring (e.g. ``ring_hits(...)['hit']``).
    l2 : float, default 1.0
        Ridge penalty on the weights (not the intercept), > 0.
    nonnegative : bool, default True
        Keep every weight >= 0 so each indicator keeps its documented direction.

    Returns
    -------
    RiskWeights
        Fitted weights (log-odds per unit strength) and intercept.

    Raises
    ------
    crimnet.errors.ParameterError
        If lengths differ or the labels are all equal.

    Notes
    -----
    L-BFGS-B (scipy) on the convex log-likelihood: O(iterations x clusters x
    indicators).

    Examples
    --------
    >>> f = pd.DataFrame({i.name: np.r_[np.zeros(20), np.full(20, i.v1)] for i in INDICATORS})
    >>> w = fit_risk_weights(f, np.r_[np.zeros(20), np.ones(20)])
    >>> w.density > 0 and w.intercept < 0
    True
    """
    from scipy.optimize import minimize

    func = "fit_risk_weights"
    check_type(features, pd.DataFrame, param="features", func=func, expected="a features DataFrame")
    check_interval(l2, param="l2", func=func, low=0)
    y = np.asarray(labels, dtype=float)
    if len(y) != len(features):
        raise bad_parameter("labels", func, f"of length {len(features)}", len(y))
    if len(np.unique(y)) < 2:
        raise bad_parameter("labels", func, "both rings and non-rings", "one class only")
    x = indicator_strengths(features).to_numpy()
    k = x.shape[1]

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        z = x @ theta[:k] + theta[k]
        p = 1.0 / (1.0 + np.exp(-z))
        ll = np.logaddexp(0, z) - y * z
        grad_z = p - y
        g = np.r_[x.T @ grad_z + l2 * theta[:k], grad_z.sum()]
        return float(ll.sum() + 0.5 * l2 * theta[:k] @ theta[:k]), g

    bounds = [(0.0, None) if nonnegative else (None, None)] * k + [(None, None)]
    res = minimize(loss, np.zeros(k + 1), jac=True, method="L-BFGS-B", bounds=bounds)
    theta = res.x
    return RiskWeights(**{i.name: float(theta[j]) for j, i in enumerate(INDICATORS)}, intercept=float(theta[k]))


def indicators_json(indicators: list[dict[str, Any]]) -> str:
    """Serialise one cluster's indicator list as JSON (for Parquet and stores)."""
    return json.dumps(indicators, default=float)
