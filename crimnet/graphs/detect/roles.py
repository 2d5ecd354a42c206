"""Roles inside detected clusters: who looks like a controller, who like a victim, and why.

An investigator never has the generator's labels. This module infers them from
what agencies observe, for every member of the detected clusters, with a
transparent additive score per role: each piece of *evidence*
(:class:`~crimnet.graphs.detect.evidence.Evidence`, the type cluster risk uses
too) is a strength in [0, 1] (a linear ramp from a *normal* level ``v0`` to a
*saturated* level ``v1``), multiplied by a weight, and the pieces that fired
are written out in plain words. "Member" below means another person of the same
cluster; ages are completed years at the case's reference date and family
names the last word of a name (:mod:`crimnet.graphs.detect.evidence`).

Controller evidence (score ``score_controller``)
    ================  ==========================================================  ===  ===  ======
    evidence          value                                                         v0   v1  weight
    ================  ==========================================================  ===  ===  ======
    sweep_in          member accounts whose income is passed on, within days, to     0    2     3.0
                      an account the person holds (wage sweeps; collection
                      accounts emptied into the boss's account)
    paid_by_members   members paying into the person's accounts (any amount)         0    3     1.0
    pays_members      members the person's accounts pay into                          1    3     1.0
    directs           members working at a business the person directs               0    3     1.0
    vehicle           members whose home a vehicle the person keeps is seen at       0    3     1.0
    calls             calls between the person's own phones (shared with nobody)    15   60     1.5
                      and members' phones
    older             years older than the cluster's median age                      5   15     0.5
    ================  ==========================================================  ===  ===  ======

Victim evidence (score ``score_victim``)
    ================  ==========================================================  ===  ===  ======
    evidence          value                                                         v0   v1  weight
    ================  ==========================================================  ===  ===  ======
    crowded_address   distinct family names of the adults at the person's most       2    6     1.5
                      crowded address (unrelated occupants)
    shared_phone      people of other families using the person's most shared        0    2     1.5
                      phone
    swept_out         the person's account passes most of its income on to an         0    1     2.0
                      account of somebody else within days
    cluster_work      other members working at the person's workplace                1    4     1.0
    no_account        works (WORKS_AT) but holds no bank account: wages paid         0    1     1.5
                      elsewhere
    no_own_phone      uses only phones shared with others, or none                   0    1     0.5
    ================  ==========================================================  ===  ===  ======

Reasons for the weights: money is the strongest observable tie between an
exploiter and the exploited (a sweep names both ends), so ``sweep_in`` and
``swept_out`` weigh most; crowded housing, shared phones and wages paid to an
account the worker does not hold are the classic victim indicators of UK
modern-slavery guidance; directing the workplace, keeping the vehicle that
drives members around and many calls to members are organiser signals that
recruiters and facilitators share with controllers, so they weigh less; age is
weak. Nationality is reported but not scored: on generated cases perpetrators
share the victims' origin about half the time, so it does not separate roles.

Role rule, per cluster: a member is a ``'controller'`` when its controller
score is at least ``controller_min`` (default 2.0), exceeds its victim score,
and is among the ``max_controllers`` (default 2) highest of the cluster and at
least half the highest; a member is a ``'victim'`` when its victim score is at
least ``victim_min`` (default 2.5) and exceeds its controller score; everyone
else is ``'other'``. :func:`inferred_pairs` pairs every inferred victim with
every inferred controller of its cluster, and :func:`crimnet.cases.detected_cut_ranking` cuts
them apart with :func:`crimnet.graphs.disrupt.victim_controller_cut_ranking`.

References
----------
.. [1] Home Office, "Modern slavery: statutory guidance for England and
   Wales", Annex on indicators of modern slavery (2023 edition).
.. [2] L. R. Ford and D. R. Fulkerson, "Maximal flow through a network",
   Can. J. Math. 8, 399-404 (1956). doi:10.4153/CJM-1956-045-5
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crimnet.errors import ParameterError, check_interval, check_type
from crimnet.graphs.detect.evidence import Evidence, family_names, person_ages
from crimnet.graphs.detect.money import WAGE_REFERENCE, swept_accounts
from crimnet.tables import CanonicalTables

__all__ = [
    "ROLE_COLUMNS",
    "CONTROLLER_EVIDENCE",
    "VICTIM_EVIDENCE",
    "infer_roles",
    "inferred_pairs",
]

ROLE_COLUMNS = ("cluster_id", "node_id", "role", "score_controller", "score_victim", "evidence")


CONTROLLER_EVIDENCE: tuple[Evidence, ...] = (
    Evidence(
        "sweep_in", 0, 2, 3.0, "receives money passed on within days from {v:.0f} members' accounts into account {acc}"
    ),
    Evidence("paid_by_members", 0, 3, 1.0, "is paid by {v:.0f} members"),
    Evidence("pays_members", 1, 3, 1.0, "pays {v:.0f} members"),
    Evidence("directs", 0, 3, 1.0, "directs {dbiz}, where {v:.0f} members work"),
    Evidence("vehicle", 0, 3, 1.0, "keeps vehicle {veh}, seen at the homes of {v:.0f} members"),
    Evidence("calls", 15, 60, 1.5, "has {v:.0f} calls with the phones of {callees:.0f} members on phones of their own"),
    Evidence("older", 5, 15, 0.5, "is {v:.0f} years older than the cluster's median age"),
)
"""Controller evidence, in decreasing weight (see the module docstring)."""

VICTIM_EVIDENCE: tuple[Evidence, ...] = (
    Evidence(
        "swept_out",
        0,
        1,
        2.0,
        "passes {share:.0%} of the wages paid into account {sacc} on to another person within days",
    ),
    Evidence("crowded_address", 2, 6, 1.5, "lives at {where} with adults of {v:.0f} different family names"),
    Evidence("shared_phone", 0, 2, 1.5, "shares phone {phone} with {v:.0f} people of other families"),
    Evidence("no_account", 0, 1, 1.5, "works but holds no bank account"),
    Evidence("cluster_work", 1, 4, 1.0, "works at {wbiz} with {v:.0f} other members"),
    Evidence("no_own_phone", 0, 1, 0.5, "has no phone of their own"),
)
"""Victim evidence, in decreasing weight (see the module docstring)."""

_FUNC_INFER = "infer_roles"


# ============================================================================ observable tables


def _pairs(tables: CanonicalTables, rel: str, a: str, b: str) -> pd.DataFrame:
    """Distinct (src, dst) of relationship `rel` as strings, renamed to columns `a` and `b`."""
    df = tables.rels[rel]
    out = pd.DataFrame({a: df["src"].astype(str).to_numpy(), b: df["dst"].astype(str).to_numpy()})
    return out.drop_duplicates(ignore_index=True)


def _top(df: pd.DataFrame, keys: list[str], value: str, details: list[str]) -> pd.DataFrame:
    """Row of the largest `value` per `keys` (ties: first in sort order of the details)."""
    df = df.sort_values([*keys, value, *details], ascending=[True] * len(keys) + [False] + [True] * len(details))
    return df.drop_duplicates(keys, ignore_index=True)[[*keys, value, *details]]


def _role_features(
    tables: CanonicalTables, m: pd.DataFrame, *, sweep_days: float, sweep_share: float, max_occupants: int = 30
) -> pd.DataFrame:
    """Raw evidence values of every membership row of `m` (cluster_id, node_id), same order.

    Returns `m` with one float64 column per evidence of :data:`CONTROLLER_EVIDENCE`
    and :data:`VICTIM_EVIDENCE` and the detail columns their sentences use.
    """
    key = ["cluster_id", "node_id"]
    out = m[key].copy()
    persons = tables.nodes["Person"].assign(id=lambda d: d["id"].astype(str)).drop_duplicates("id").set_index("id")
    holds = _pairs(tables, "HOLDS", "node_id", "account")
    phones = _pairs(tables, "USES_PHONE", "node_id", "phone")
    homes = _pairs(tables, "LIVES_AT", "node_id", "addr")
    works = _pairs(tables, "WORKS_AT", "node_id", "biz")

    def put(frame: pd.DataFrame, value: str, details: list[str], name: str | None = None) -> None:
        name = name or value
        top = _top(frame, key, value, details).rename(columns={value: name})
        merged = out[key].merge(top, on=key, how="left")
        out[name] = merged[name].fillna(0.0).to_numpy(dtype=float)
        for d in details:
            out[d if d not in out.columns else f"{name}_{d}"] = merged[d].to_numpy()

    # --- money: sweeps out of members' accounts into the person's account; payments from members
    swept = swept_accounts(tables, sweep_days=sweep_days, sweep_share=sweep_share)
    s = swept.merge(holds.rename(columns={"node_id": "payer"}), on="account")
    s = s.merge(holds.rename(columns={"node_id": "node_id", "account": "dest"}), on="dest")
    s = s[s["payer"] != s["node_id"]]
    sm = s.merge(m[key], on="node_id").merge(m[key].rename(columns={"node_id": "payer"}), on=["cluster_id", "payer"])
    g = sm.groupby([*key, "dest"])["account"].nunique().reset_index(name="sweep_in").rename(columns={"dest": "acc"})
    put(g, "sweep_in", ["acc"])
    own = swept.merge(holds, on="account").merge(
        holds.rename(columns={"node_id": "dholder", "account": "dest"}), on="dest", how="left"
    )
    own = own[(own["dholder"] != own["node_id"]) & own["wages_in"]].merge(m[key], on="node_id")
    own = own.assign(swept_out=1.0).rename(columns={"account": "sacc"})
    put(own, "swept_out", ["sacc", "share"])

    paid = tables.rels["PAID"]
    wage = paid["reference"].fillna("").astype(str).str.contains(WAGE_REFERENCE, case=False, regex=True)
    pp = pd.DataFrame(
        {"src": paid["src"].astype(str).to_numpy(), "dst": paid["dst"].astype(str).to_numpy(), "wage": wage.to_numpy()}
    )
    pp = pp.drop_duplicates(["src", "dst", "wage"], ignore_index=True)
    member_acc = holds[holds["node_id"].isin(m["node_id"])]
    pp = pp.merge(member_acc.rename(columns={"node_id": "payer", "account": "src"}), on="src")
    pp = pp.merge(member_acc.rename(columns={"account": "dst"}), on="dst")
    pp = pp[pp["payer"] != pp["node_id"]].merge(m[key], on="node_id")
    pp = pp.merge(m[key].rename(columns={"node_id": "payer"}), on=["cluster_id", "payer"])
    put(pp.groupby(key)["payer"].nunique().reset_index(name="paid_by_members"), "paid_by_members", [])
    pays = pp[~pp["wage"]].rename(columns={"node_id": "payee", "payer": "node_id"})
    put(pays.groupby(key)["payee"].nunique().reset_index(name="pays_members"), "pays_members", [])

    # --- business: members working where the person is a director; the person's workplace
    mw = works.merge(m[key], on="node_id")
    staff = mw.groupby(["cluster_id", "biz"])["node_id"].nunique().rename("staff").reset_index()
    bname = tables.nodes["Business"].assign(id=lambda d: d["id"].astype(str)).set_index("id")["name"]
    di = _pairs(tables, "DIRECTS", "node_id", "biz").merge(m[key], on="node_id")
    di = di.merge(mw.rename(columns={"node_id": "w"}), on=["cluster_id", "biz"])
    di = di[di["w"] != di["node_id"]].groupby([*key, "biz"])["w"].nunique().reset_index(name="directs")
    di["dbiz"] = di["biz"].map(bname).fillna(di["biz"]).astype(str)
    put(di, "directs", ["dbiz"])
    cw = mw.merge(staff, on=["cluster_id", "biz"]).assign(cluster_work=lambda d: d["staff"] - 1.0)
    cw["wbiz"] = cw["biz"].map(bname).fillna(cw["biz"]).astype(str)
    put(cw, "cluster_work", ["wbiz"])
    has_acc = m["node_id"].isin(holds["node_id"])
    out["no_account"] = (m["node_id"].isin(works["node_id"]) & ~has_acc).to_numpy(dtype=float)

    # --- vehicle kept by the person, seen at members' homes
    keeps = _pairs(tables, "KEEPS", "node_id", "veh").merge(m[key], on="node_id")
    seen = _pairs(tables, "SEEN_AT", "veh", "addr")
    mh = homes.merge(m[key], on="node_id").rename(columns={"node_id": "w"})
    kv = keeps.merge(seen, on="veh").merge(mh, on=["cluster_id", "addr"])
    kv = kv[kv["w"] != kv["node_id"]]
    put(kv.groupby([*key, "veh"])["w"].nunique().reset_index(name="vehicle"), "vehicle", ["veh"])

    # --- people: ages and family names
    age = person_ages(tables)
    surname = family_names(persons["name"])

    # --- phones: calls between the person's own phones and members' phones; phones shared with other families
    phones = phones.assign(surname=phones["node_id"].map(surname).fillna("").to_numpy())
    users = phones.groupby("phone")["node_id"].nunique()
    phones = phones.assign(users=phones["phone"].map(users).to_numpy())
    own_ph = phones[phones["users"] == 1]
    called = tables.rels["CALLED"]
    cc = pd.DataFrame(
        {
            "a": called["src"].astype(str).to_numpy(),
            "b": called["dst"].astype(str).to_numpy(),
            "cid": np.arange(len(called)),
        }
    )
    cc = pd.concat([cc, cc.rename(columns={"a": "b", "b": "a"})], ignore_index=True)
    cc = cc[cc["a"].isin(own_ph["phone"]) & cc["b"].isin(phones["phone"])]
    mp = phones.merge(m[key], on="node_id")
    cm = cc.merge(own_ph[["node_id", "phone"]].rename(columns={"phone": "a"}), on="a").merge(m[key], on="node_id")
    cm = cm.merge(
        mp[["cluster_id", "node_id", "phone"]].rename(columns={"node_id": "w", "phone": "b"}), on=["cluster_id", "b"]
    )
    cm = cm[cm["w"] != cm["node_id"]]
    g = cm.groupby(key).agg(calls=("cid", "nunique"), callees=("w", "nunique")).reset_index()
    put(g, "calls", ["callees"])
    fam = phones.groupby(["phone", "surname"])["node_id"].nunique().rename("same_name")
    sp = mp.merge(fam.reset_index(), on=["phone", "surname"])
    sp["shared_phone"] = sp["users"] - sp["same_name"]
    put(sp, "shared_phone", ["phone"])
    out["no_own_phone"] = (~m["node_id"].isin(own_ph["node_id"])).to_numpy(dtype=float)

    # --- housing: unrelated adults (distinct family names) at the person's addresses, institutions left out
    res = homes.assign(surname=homes["node_id"].map(surname).fillna(""))
    res = res[(res["node_id"].map(age).fillna(99) >= 18) & (res["surname"] != "")]
    names_at = res.groupby("addr")["surname"].nunique()
    names_at = names_at[res.groupby("addr")["node_id"].nunique() <= max_occupants]
    atext = tables.nodes["Address"].assign(id=lambda d: d["id"].astype(str)).set_index("id")
    atext = (atext["line"].fillna("").astype(str) + ", " + atext["postcode"].fillna("").astype(str)).str.strip(", ")
    ma = homes.merge(m[key], on="node_id")
    ma["crowded_address"] = ma["addr"].map(names_at).fillna(0.0)
    where = ma["addr"].map(atext).astype(object)
    ma["where"] = where.where(where.notna() & (where != ""), ma["addr"])
    put(ma, "crowded_address", ["where"])

    # --- age against the cluster
    out["age"] = m["node_id"].map(age).to_numpy(dtype=float)
    med = out.groupby("cluster_id")["age"].transform("median")
    out["older"] = (out["age"] - med).fillna(0.0)
    out["nationality"] = m["node_id"].map(persons["nationality"]).to_numpy()
    return out


# ============================================================================ scores, roles and explanations


def _score(feats: pd.DataFrame, evidence: tuple[Evidence, ...]) -> tuple[np.ndarray, pd.DataFrame]:
    """Total score and the long table (row, contribution, sentence) of the evidence that fired."""
    total = np.zeros(len(feats))
    parts = []
    for ev in evidence:
        contrib = ev.weight * ev.strength(feats[ev.name])
        total += contrib
        rows = np.flatnonzero(contrib > 0)
        if len(rows):
            texts = ev.sentences(feats.iloc[rows]).to_numpy()
            parts.append(pd.DataFrame({"row": rows, "contrib": contrib[rows], "text": texts}))
    long = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame({"row": [], "contrib": [], "text": []})
    return total, long


def _explain(long: pd.DataFrame, n: int) -> pd.Series:
    """Join each row's sentences, strongest first, with '; ' (empty string when none fired)."""
    out = pd.Series("", index=np.arange(n), dtype=object)
    if len(long):
        long = long.sort_values(["row", "contrib", "text"], ascending=[True, False, True], kind="stable")
        joined = long.groupby("row", sort=True)["text"].agg("; ".join)
        out.loc[joined.index.to_numpy(dtype=np.int64)] = joined.to_numpy()
    return out


def _top_clusters(clusters: pd.DataFrame, top: int | None) -> pd.DataFrame:
    """The `top` clusters by descending ``score`` (all when None; input order when there is no score)."""
    c = clusters.reset_index(drop=True)
    if "score" in c.columns:
        c = c.iloc[np.argsort(-c["score"].to_numpy(dtype=float), kind="stable")]
    return c if top is None else c.head(top)


def infer_roles(
    tables: CanonicalTables,
    clusters: pd.DataFrame,
    *,
    top: int | None = None,
    controller_min: float = 2.0,
    victim_min: float = 2.5,
    max_controllers: int = 2,
    min_victims: int = 2,
    sweep_days: float = 7.0,
    sweep_share: float = 0.5,
) -> pd.DataFrame:
    """Infer who controls and who is exploited inside each detected cluster, from observable data only.

    Every member gets a controller score and a victim score (weighted evidence,
    see the module docstring and :data:`CONTROLLER_EVIDENCE`,
    :data:`VICTIM_EVIDENCE`) computed from the canonical tables, never from
    ground truth. Per cluster, members whose victim score reaches
    `victim_min` and exceeds their controller score are victims; when a
    cluster has at least `min_victims` victims, its members whose controller
    score reaches `controller_min`, exceeds their victim score, is at least
    half the cluster's highest and ranks among the `max_controllers` highest
    are controllers (a controller is somebody who controls victims); everyone
    else is ``'other'``.

    Parameters
    ----------
    tables : CanonicalTables
        The canonical tables the clusters were found in (generated or ingested).
    clusters : DataFrame
        A ``clusters`` table (``cluster_id``, ``members``: lists of Person ids,
        optionally ``score``), e.g. :attr:`crimnet.graphs.detect.detection.DetectionResult.clusters`.
    top : int, optional
        Only the `top` clusters by descending ``score`` (input order without a
        score column); all clusters when None.
    controller_min : float, default 2.0
        Lowest controller score (points, >= 0) for the role.
    victim_min : float, default 2.5
        Lowest victim score (points, >= 0) for the role.
    max_controllers : int, default 2
        Most controllers per cluster (>= 1).
    min_victims : int, default 2
        Fewest inferred victims for a cluster to have controllers (>= 1).
    sweep_days : float, default 7.0
        A payment out of an account counts as a sweep when it leaves within
        this many days of money coming in (days, > 0).
    sweep_share : float, default 0.5
        Share of an account's income, in (0, 1], that must go to one account
        within `sweep_days` for the account to count as swept.

    Returns
    -------
    DataFrame
        One row per member of each selected cluster, clusters in descending
        score order: ``cluster_id`` (as given), ``node_id`` (str, Person id),
        ``role`` (str: ``'controller'``, ``'victim'`` or ``'other'``),
        ``score_controller`` and ``score_victim`` (float64, points),
        ``evidence`` (str: the sentences behind the role, strongest first,
        joined by ``'; '``; for ``'other'`` both sides, prefixed
        ``'controller: '`` and ``'victim: '``; empty when nothing fired).
        ``attrs['parameters']`` records the arguments.

    Raises
    ------
    crimnet.errors.ParameterError
        If `tables` or `clusters` have the wrong type, `clusters` lacks
        ``cluster_id`` or ``members``, or a number is out of range.

    Notes
    -----
    Hash joins and group-bys over the members' relationships plus one
    ``merge_asof`` over the payments: O(P log P + R + M) time and memory for P
    payments, R other relationship rows and M memberships. No ground truth is
    read.

    References
    ----------
    Home Office, "Modern slavery: statutory guidance for England and Wales",
    indicators of modern slavery (2023).

    Examples
    --------
    Three workers share one house and one phone; their wages leave their
    accounts two days after arriving, for an account held by ``boss``:

    >>> from crimnet.tables import CanonicalTables
    >>> vs = ["v1", "v2", "v3"]
    >>> paid = pd.DataFrame({"id": [f"p{i}" for i in range(12)],
    ...     "src": ["biz"] * 6 + ["a_v1", "a_v2", "a_v3"] * 2,
    ...     "dst": ["a_v1", "a_v2", "a_v3"] * 2 + ["a_boss"] * 6, "amount": [1000] * 6 + [900] * 6,
    ...     "ts": [f"2024-0{m}-01T09:00:00Z" for m in (1, 2) for _ in vs]
    ...           + [f"2024-0{m}-03T09:00:00Z" for m in (1, 2) for _ in vs],
    ...     "reference": ["WAGES"] * 6 + [""] * 6})
    >>> t = CanonicalTables.from_partial({
    ...     "Person": pd.DataFrame({"id": ["boss", *vs], "name": ["a boss", "b x", "c y", "d z"]}),
    ...     "HOLDS": pd.DataFrame({"src": ["boss", *vs], "dst": ["a_boss", "a_v1", "a_v2", "a_v3"]}),
    ...     "LIVES_AT": pd.DataFrame({"src": vs, "dst": ["house"] * 3}),
    ...     "USES_PHONE": pd.DataFrame({"src": vs, "dst": ["+447700900001"] * 3}), "PAID": paid})
    >>> c = pd.DataFrame({"cluster_id": [7], "method": ["leiden"], "members": [["boss", *vs]], "score": [1.0]})
    >>> infer_roles(t, c)[["node_id", "role"]].values.tolist()
    [['boss', 'controller'], ['v1', 'victim'], ['v2', 'victim'], ['v3', 'victim']]
    """
    func = _FUNC_INFER
    check_type(tables, CanonicalTables, param="tables", func=func, expected="a CanonicalTables")
    check_type(clusters, pd.DataFrame, param="clusters", func=func, expected="a clusters DataFrame")
    missing = [col for col in ("cluster_id", "members") if col not in clusters.columns]
    if missing:
        raise ParameterError(
            f"The 'clusters' parameter of {func} must be a clusters DataFrame with columns 'cluster_id' and "
            f"'members'. Got columns {list(clusters.columns)!r} instead."
        )
    if top is not None:
        check_interval(top, param="top", func=func, low=1, closed="left", integer=True)
    check_interval(controller_min, param="controller_min", func=func, low=0, closed="left")
    check_interval(victim_min, param="victim_min", func=func, low=0, closed="left")
    check_interval(max_controllers, param="max_controllers", func=func, low=1, closed="left", integer=True)
    check_interval(min_victims, param="min_victims", func=func, low=1, closed="left", integer=True)
    check_interval(sweep_days, param="sweep_days", func=func, low=0)
    check_interval(sweep_share, param="sweep_share", func=func, low=0, high=1, closed="right")

    c = _top_clusters(clusters, top)
    ex = c[["cluster_id", "members"]].explode("members").dropna(subset=["members"])
    m = pd.DataFrame({"cluster_id": ex["cluster_id"].to_numpy(), "node_id": ex["members"].astype(str).to_numpy()})
    m = m.drop_duplicates(ignore_index=True)
    feats = _role_features(tables, m, sweep_days=sweep_days, sweep_share=sweep_share)
    sc, c_long = _score(feats, CONTROLLER_EVIDENCE)
    sv, v_long = _score(feats, VICTIM_EVIDENCE)

    victim = (sv >= victim_min) & (sv > sc)
    n_vict = pd.Series(victim).groupby(m["cluster_id"].to_numpy()).transform("sum").to_numpy()
    cand = (sc >= controller_min) & (sc > sv) & (n_vict >= min_victims)
    score_c = pd.Series(np.where(cand, sc, -np.inf))
    grp = score_c.groupby(m["cluster_id"].to_numpy())
    best = grp.transform("max").to_numpy()
    rank = grp.rank(method="first", ascending=False).to_numpy()
    controller = cand & (rank <= max_controllers) & (sc >= 0.5 * best)
    role = np.where(controller, "controller", np.where(victim, "victim", "other"))

    c_text, v_text = _explain(c_long, len(m)), _explain(v_long, len(m))
    both = ("controller: " + c_text).where(c_text != "", "")
    v_pref = ("victim: " + v_text).where(v_text != "", "")
    both = (both + np.where((both != "") & (v_pref != ""), "; ", "") + v_pref).to_numpy()
    evidence = np.where(controller, c_text.to_numpy(), np.where(victim, v_text.to_numpy(), both))
    out = pd.DataFrame(
        {
            "cluster_id": m["cluster_id"].to_numpy(),
            "node_id": m["node_id"].to_numpy(dtype=object),
            "role": role.astype(object),
            "score_controller": sc.astype(np.float64),
            "score_victim": sv.astype(np.float64),
            "evidence": evidence.astype(object),
        }
    )
    out.attrs["parameters"] = {
        "top": top,
        "controller_min": controller_min,
        "victim_min": victim_min,
        "max_controllers": max_controllers,
        "min_victims": min_victims,
        "sweep_days": sweep_days,
        "sweep_share": sweep_share,
    }
    return out


def inferred_pairs(roles: pd.DataFrame) -> list[tuple[str, str]]:
    """Pair every inferred victim with every inferred controller of its cluster.

    Parameters
    ----------
    roles : DataFrame
        :func:`infer_roles` output (``cluster_id``, ``node_id``, ``role``).

    Returns
    -------
    list of (str, str)
        ``('Person:<victim id>', 'Person:<controller id>')`` vertex names, as
        in :func:`crimnet.graphs.views.hetero_graph`, unique, in cluster then
        victim then controller order.

    Raises
    ------
    crimnet.errors.ParameterError
        If `roles` is not a DataFrame with those columns.

    Notes
    -----
    One merge on ``cluster_id``: O(sum over clusters of victims x controllers).

    Examples
    --------
    >>> r = pd.DataFrame({"cluster_id": [1, 1, 1, 2], "node_id": ["c", "v", "o", "w"],
    ...                   "role": ["controller", "victim", "other", "victim"]})
    >>> inferred_pairs(r)
    [('Person:v', 'Person:c')]
    """
    func = "inferred_pairs"
    check_type(roles, pd.DataFrame, param="roles", func=func, expected="an infer_roles DataFrame")
    if not {"cluster_id", "node_id", "role"} <= set(roles.columns):
        raise ParameterError(
            f"The 'roles' parameter of {func} must be an infer_roles DataFrame with columns 'cluster_id', "
            f"'node_id' and 'role'. Got columns {list(roles.columns)!r} instead."
        )
    r = roles[["cluster_id", "node_id", "role"]].reset_index(drop=True).assign(order=lambda d: np.arange(len(d)))
    vic = r[r["role"] == "victim"]
    con = r[r["role"] == "controller"]
    p = vic.merge(con, on="cluster_id", suffixes=("_v", "_c")).sort_values(["order_v", "order_c"], kind="stable")
    p = p[p["node_id_v"] != p["node_id_c"]]
    names = pd.DataFrame({"v": "Person:" + p["node_id_v"].astype(str), "c": "Person:" + p["node_id_c"].astype(str)})
    names = names.drop_duplicates()
    return list(zip(names["v"].tolist(), names["c"].tolist(), strict=True))
