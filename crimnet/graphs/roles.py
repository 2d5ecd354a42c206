"""Roles inside detected clusters: who looks like a controller, who like a victim, and why.

An investigator never has the generator's labels. This module infers them from
what agencies observe, for every member of the detected clusters, with a
transparent additive score per role: each piece of *evidence* is a strength in
[0, 1] (a linear ramp from a *normal* level ``v0`` to a *saturated* level
``v1``, as in :mod:`crimnet.graphs.risk`), multiplied by a weight, and the
pieces that fired are written out in plain words. "Member" below means another
person of the same cluster.

Controller evidence (score ``score_controller``)
    ================  ==========================================================  ===  ===  ======
    evidence          value                                                         v0   v1  weight
    ================  ==========================================================  ===  ===  ======
    sweep_in          member accounts whose income is passed on, within days, to     0    2     3.0
                      an account the person holds (wage sweeps; collection
                      accounts emptied into the boss's account)
    paid_by_members   members paying into the person's accounts (any amount)         0    3     1.0
    directs           members working at a business the person directs               0    3     1.0
    vehicle           members whose home a vehicle the person keeps is seen at       0    3     1.0
    calls             members whose phones the person's own phones call or are       1    4     1.0
                      called by (the person's phones shared with nobody)
    older             years older than the cluster's median age                      5   15     0.5
    ================  ==========================================================  ===  ===  ======

Victim evidence (score ``score_victim``)
    ================  ==========================================================  ===  ===  ======
    evidence          value                                                         v0   v1  weight
    ================  ==========================================================  ===  ===  ======
    crowded_address   distinct family names of the adults at the person's most       2    6     1.5
                      crowded address (unrelated occupants)
    shared_phone      other people using the person's most shared phone              1    3     1.5
    swept_out         the person's account passes most of its income on to an         0    1     2.0
                      account of somebody else within days
    cluster_work      other members working at the person's workplace                0    3     1.0
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
least ``victim_min`` (default 2.0) and exceeds its controller score; everyone
else is ``'other'``. :func:`inferred_pairs` pairs every inferred victim with
every inferred controller of its cluster, and :func:`detected_cut_ranking` cuts
them apart with :func:`crimnet.graphs.disruption.victim_controller_cut_ranking`.

References
----------
.. [1] Home Office, "Modern slavery: statutory guidance for England and
   Wales", Annex on indicators of modern slavery (2023 edition).
.. [2] L. R. Ford and D. R. Fulkerson, "Maximal flow through a network",
   Can. J. Math. 8, 399-404 (1956). doi:10.4153/CJM-1956-045-5
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import igraph as ig
import numpy as np
import pandas as pd

from crimnet.errors import ParameterError, check_interval, check_type
from crimnet.tables import CanonicalTables

__all__ = [
    "ROLE_COLUMNS",
    "CONTROLLER_EVIDENCE",
    "VICTIM_EVIDENCE",
    "Evidence",
    "infer_roles",
    "inferred_pairs",
    "detected_cut_ranking",
]

ROLE_COLUMNS = ["cluster_id", "node_id", "role", "score_controller", "score_victim", "evidence"]


@dataclass(frozen=True)
class Evidence:
    """One piece of role evidence: its ramp, weight and sentence.

    Attributes
    ----------
    name : str
        Column name of the raw value.
    v0, v1 : float
        Normal level (strength 0) and saturated level (strength 1).
    weight : float
        Score points at full strength.
    sentence : str
        Plain-words template; ``{v}`` is the raw value and the other fields are
        the evidence details (an account, a business, an address...).
    """

    name: str
    v0: float
    v1: float
    weight: float
    sentence: str

    def strength(self, values: pd.Series) -> pd.Series:
        """Map raw values to [0, 1] by the linear ramp ``(v - v0) / (v1 - v0)``."""
        return ((values.astype(float) - self.v0) / (self.v1 - self.v0)).clip(0.0, 1.0)


CONTROLLER_EVIDENCE: tuple[Evidence, ...] = (
    Evidence("sweep_in", 0, 2, 3.0, "receives money passed on within days from {v:.0f} members' accounts into {acc}"),
    Evidence("paid_by_members", 0, 3, 1.0, "is paid by {v:.0f} members"),
    Evidence("directs", 0, 3, 1.0, "directs {biz}, where {v:.0f} members work"),
    Evidence("vehicle", 0, 3, 1.0, "keeps vehicle {veh}, seen at the homes of {v:.0f} members"),
    Evidence("calls", 1, 4, 1.0, "calls or is called by {v:.0f} members ({ncalls:.0f} calls)"),
    Evidence("older", 5, 15, 0.5, "is {v:.0f} years older than the cluster's median age"),
)
"""Controller evidence, in decreasing weight (see the module docstring)."""

VICTIM_EVIDENCE: tuple[Evidence, ...] = (
    Evidence("swept_out", 0, 1, 2.0, "passes {share:.0%} of the income of {acc} on to another person within days"),
    Evidence("crowded_address", 2, 6, 1.5, "lives at {addr} with adults of {v:.0f} different family names"),
    Evidence("shared_phone", 1, 3, 1.5, "shares phone {phone} with {v:.0f} other people"),
    Evidence("no_account", 0, 1, 1.5, "works but holds no bank account"),
    Evidence("cluster_work", 0, 3, 1.0, "works at {biz} with {v:.0f} other members"),
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


def _ref_year(tables: CanonicalTables) -> int:
    """The latest year any dated relationship mentions (the case's 'now'), for ages."""
    parts = [tables.rels[r][c] for r in ("LIVES_AT", "WORKS_AT", "HOLDS", "USES_PHONE") for c in ("last_seen",)]
    parts.append(tables.rels["PAID"]["ts"])
    years = pd.to_numeric(pd.concat(parts, ignore_index=True).dropna().astype(str).str[:4], errors="coerce").dropna()
    return int(years.max()) if len(years) else pd.Timestamp.now(tz="UTC").year


def _surname(names: pd.Series) -> pd.Series:
    text = names.astype(object).where(names.notna(), "").astype(str)
    return text.str.extract(r"(\S+)\s*$", expand=False).fillna("")


def _swept(tables: CanonicalTables, *, sweep_days: float, sweep_share: float) -> pd.DataFrame:
    """Accounts passing at least `sweep_share` of their income to one account within `sweep_days` of income.

    Same rule as the ``wage_sweep`` risk indicator (:mod:`crimnet.graphs.risk`):
    every outgoing payment is matched to the latest earlier incoming payment of
    the same account (``merge_asof``); payments within `sweep_days` count, per
    destination; an account with at least two incoming payments is *swept* when
    its top destination got at least `sweep_share` of its total income.

    Returns columns ``account``, ``dest`` (str) and ``share`` (float, <= 1).
    """
    paid = tables.rels["PAID"]
    empty = pd.DataFrame({"account": pd.Series(dtype=object), "dest": pd.Series(dtype=object), "share": []})
    if len(paid) == 0:
        return empty
    p = pd.DataFrame(
        {
            "src": paid["src"].astype(str).to_numpy(),
            "dst": paid["dst"].astype(str).to_numpy(),
            "amount": pd.to_numeric(paid["amount"], errors="coerce").fillna(0).to_numpy(dtype=float),
            "ts": pd.to_datetime(paid["ts"], errors="coerce", utc=True),
        }
    ).dropna(subset=["ts"])
    income = p.groupby("dst")["amount"].sum()
    n_in = p.groupby("dst").size()
    ins = p[["dst", "ts"]].rename(columns={"dst": "account", "ts": "in_ts"}).sort_values("in_ts")
    out = p.rename(columns={"src": "account", "dst": "dest"})
    out = out[out["account"].isin(income.index)].sort_values("ts")
    if len(out) == 0:
        return empty
    j = pd.merge_asof(out, ins, left_on="ts", right_on="in_ts", by="account", direction="backward")
    lag = (j["ts"] - j["in_ts"]).dt.total_seconds() / 86400.0
    quick = j[lag.notna() & (lag <= sweep_days)]
    per = quick.groupby(["account", "dest"])["amount"].sum().reset_index()
    per = per.sort_values(["account", "amount"], ascending=[True, False], kind="stable").drop_duplicates("account")
    per["share"] = (per["amount"] / per["account"].map(income).to_numpy()).clip(upper=1.0)
    keep = (per["share"] >= sweep_share) & (per["account"].map(n_in).to_numpy() >= 2)
    return per.loc[keep, ["account", "dest", "share"]].reset_index(drop=True)


def _top(df: pd.DataFrame, keys: list[str], value: str, details: list[str]) -> pd.DataFrame:
    """Row of the largest `value` per `keys` (ties: first in sort order of the details)."""
    df = df.sort_values([*keys, value, *details], ascending=[True] * len(keys) + [False] + [True] * len(details))
    return df.drop_duplicates(keys, ignore_index=True)[[*keys, value, *details]]


def _role_features(tables: CanonicalTables, m: pd.DataFrame, *, sweep_days: float, sweep_share: float) -> pd.DataFrame:
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
    swept = _swept(tables, sweep_days=sweep_days, sweep_share=sweep_share)
    s = swept.merge(holds.rename(columns={"node_id": "payer"}), on="account")
    s = s.merge(holds.rename(columns={"node_id": "node_id", "account": "dest"}), on="dest")
    s = s[s["payer"] != s["node_id"]]
    sm = s.merge(m[key], on="node_id").merge(m[key].rename(columns={"node_id": "payer"}), on=["cluster_id", "payer"])
    g = sm.groupby([*key, "dest"])["account"].nunique().reset_index(name="sweep_in").rename(columns={"dest": "acc"})
    put(g, "sweep_in", ["acc"])
    own = swept.merge(holds, on="account").merge(
        holds.rename(columns={"node_id": "dholder", "account": "dest"}), on="dest", how="left"
    )
    own = own[own["dholder"] != own["node_id"]].merge(m[key], on="node_id")
    own = own.assign(swept_out=1.0).rename(columns={"account": "sacc"})
    put(own, "swept_out", ["sacc", "share"])

    paid = tables.rels["PAID"]
    pp = pd.DataFrame({"src": paid["src"].astype(str).to_numpy(), "dst": paid["dst"].astype(str).to_numpy()})
    pp = pp.drop_duplicates(ignore_index=True)
    member_acc = holds[holds["node_id"].isin(m["node_id"])]
    pp = pp.merge(member_acc.rename(columns={"node_id": "payer", "account": "src"}), on="src")
    pp = pp.merge(member_acc.rename(columns={"account": "dst"}), on="dst")
    pp = pp[pp["payer"] != pp["node_id"]].merge(m[key], on="node_id")
    pp = pp.merge(m[key].rename(columns={"node_id": "payer"}), on=["cluster_id", "payer"])
    put(pp.groupby(key)["payer"].nunique().reset_index(name="paid_by_members"), "paid_by_members", [])

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

    # --- phones: calls between the person's own phones and members' phones; shared phones
    users = phones.groupby("phone")["node_id"].nunique()
    phones = phones.assign(users=phones["phone"].map(users).to_numpy())
    own_ph = phones[phones["users"] == 1]
    called = tables.rels["CALLED"]
    cc = pd.DataFrame({"a": called["src"].astype(str).to_numpy(), "b": called["dst"].astype(str).to_numpy()})
    cc = pd.concat([cc, cc.rename(columns={"a": "b", "b": "a"})], ignore_index=True)
    cc = cc[cc["a"].isin(own_ph["phone"]) & cc["b"].isin(phones["phone"])]
    mp = phones.merge(m[key], on="node_id")
    cm = cc.merge(own_ph[["node_id", "phone"]].rename(columns={"phone": "a"}), on="a").merge(m[key], on="node_id")
    cm = cm.merge(
        mp[["cluster_id", "node_id", "phone"]].rename(columns={"node_id": "w", "phone": "b"}), on=["cluster_id", "b"]
    )
    cm = cm[cm["w"] != cm["node_id"]]
    g = cm.groupby(key).agg(calls=("w", "nunique"), ncalls=("b", "size")).reset_index()
    put(g, "calls", ["ncalls"])
    sp = mp.assign(shared_phone=mp["users"] - 1.0)
    put(sp, "shared_phone", ["phone"])
    out["no_own_phone"] = (~m["node_id"].isin(own_ph["node_id"])).to_numpy(dtype=float)

    # --- housing: unrelated adults (distinct family names) at the person's addresses
    year = _ref_year(tables)
    dob = pd.to_numeric(persons["dob"].astype(str).str[:4], errors="coerce")
    age = (year - dob).rename("age")
    res = homes.assign(surname=homes["node_id"].map(_surname(persons["name"])).fillna(""))
    res = res[(res["node_id"].map(age).fillna(99) >= 18) & (res["surname"] != "")]
    names_at = res.groupby("addr")["surname"].nunique()
    atext = tables.nodes["Address"].assign(id=lambda d: d["id"].astype(str)).set_index("id")
    atext = (atext["line"].fillna("").astype(str) + ", " + atext["postcode"].fillna("").astype(str)).str.strip(", ")
    ma = homes.merge(m[key], on="node_id")
    ma["crowded_address"] = ma["addr"].map(names_at).fillna(0.0)
    ma["where"] = ma["addr"].map(atext).replace("", np.nan).fillna(ma["addr"])
    put(ma, "crowded_address", ["where"])

    # --- age against the cluster
    out["age"] = m["node_id"].map(age).to_numpy(dtype=float)
    med = out.groupby("cluster_id")["age"].transform("median")
    out["older"] = (out["age"] - med).fillna(0.0)
    out["nationality"] = m["node_id"].map(persons["nationality"]).to_numpy()
    return out
