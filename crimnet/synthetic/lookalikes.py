"""The legitimate structures of a synthetic world that look like rings: ``truth/lookalikes.csv``.

Real investigations drown in households and businesses that share what rings
share: student halls and shared houses (many unrelated adults at one address),
seasonal farm workers housed together, a licensed labour agency with many
workers at a few addresses, large employers, letting agents and landlords with
many tenants, remittance shops with many senders, families sharing one phone or
pooling money in a joint account. :func:`lookalike_table` lists every such
structure of a :class:`~crimnet.synthetic.world.World` with its entities, so
detection can be scored on how many of its top clusters are look-alikes. Their
people are never ring members (role ``'none'``): a ring member is left out of
a large structure, and a family structure with a ring member is not listed.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa

from crimnet.errors import check_type
from crimnet.synthetic.strings import cat, take, zpad
from crimnet.synthetic.world import KIND, World

__all__ = ["LOOKALIKE_KINDS", "lookalike_table"]

LOOKALIKE_KINDS: tuple[str, ...] = (
    "student_hall",
    "shared_house",
    "seasonal_house",
    "labour_agency",
    "large_employer",
    "letting_agent",
    "landlord",
    "remittance_shop",
    "family_pool",
    "family_phone",
)
"""Kinds of look-alike structure, in the order they are listed."""

_NONE = 4  # role code of people outside every ring (crimnet.synthetic.world.ROLE_CODES)
_TYPES = ("Person", "Address", "Phone", "Account", "Business")


def lookalike_table(world: World) -> pa.Table:
    """List the look-alike structures of `world`, one row per (structure, entity).

    Parameters
    ----------
    world : World
        A drawn world (:func:`crimnet.synthetic.world.build_world`).

    Returns
    -------
    pyarrow.Table
        Columns ``lookalike`` (``'L00001'``...), ``kind`` (one of :data:`LOOKALIKE_KINDS`),
        ``entity_type`` (``Person``, ``Address``, ``Phone``, ``Account``, ``Business``) and
        ``entity_id`` (the ids of ``truth/tables``), ordered by structure then entity type.

    Notes
    -----
    Linear in people and links (numpy grouping, no Python loop per entity).
    """
    check_type(world, World, param="world", func="lookalike_table", expected="a World")
    w = world
    n = w.n_people
    none = w.role == _NONE
    home = w.home
    parts: list[tuple[int, np.ndarray, int, np.ndarray]] = []  # (kind, group key, type, entity index)

    def add(kind: str, key: np.ndarray, etype: str, idx: np.ndarray) -> None:
        parts.append((LOOKALIKE_KINDS.index(kind), np.asarray(key, np.int64), _TYPES.index(etype), np.asarray(idx)))

    resident = np.flatnonzero(none & (home >= 0))
    group = w.a_group if len(w.a_group) else np.zeros(len(w.a_id), np.int8)
    # halls and shared houses: the address and the people living there
    for kind, mask in (
        ("student_hall", w.a_kind == KIND["hall"]),
        ("shared_house", (w.a_kind == KIND["hmo"]) & (group == 0)),
        ("seasonal_house", group == 1),
    ):
        addrs = np.flatnonzero(mask)
        add(kind, addrs, "Address", addrs)
        r = resident[mask[home[resident]]]
        add(kind, home[r], "Person", r)
    works = w.links["WORKS_AT"]
    b_role = w.b_role if len(w.b_role) else np.zeros(len(w.b_sector), np.int8)
    farms_of_house = np.full(len(w.a_id), -1, np.int64)
    wk = none[works["src"]] & (home[works["src"]] >= 0)
    ws, wd = works["src"][wk], works["dst"][wk]
    on_farm = (group[home[ws]] == 1) & (b_role[wd] == 5)
    farms_of_house[home[ws[on_farm]]] = wd[on_farm]
    houses = np.flatnonzero(farms_of_house >= 0)
    add("seasonal_house", houses, "Business", farms_of_house[houses])
    # employers: the labour agency (and its houses), large employers
    for kind, code in (("labour_agency", 2), ("large_employer", 1)):
        biz = np.flatnonzero(b_role == code)
        add(kind, n + biz, "Business", biz)
        sel = np.isin(wd, biz)
        add(kind, n + wd[sel], "Person", ws[sel])
        if code == 2:
            hs = sel & (group[home[ws]] == 2)
            pairs = np.unique(np.c_[wd[hs], home[ws[hs]]], axis=0) if hs.any() else np.zeros((0, 2), np.int64)
            add(kind, n + pairs[:, 0], "Address", pairs[:, 1])
    # letting agents and landlords: who lets, the addresses, the tenants
    agent = w.a_agent if len(w.a_agent) else np.full(len(w.a_id), -1, np.int64)
    lord = w.a_landlord if len(w.a_landlord) else np.full(len(w.a_id), -1, np.int64)
    managed = np.flatnonzero(agent >= 0)
    agents = np.unique(agent[managed])
    add("letting_agent", n + agents, "Business", agents)
    add("letting_agent", n + agents, "Account", w.b_account[agents])
    add("letting_agent", n + agent[managed], "Address", managed)
    r = resident[agent[home[resident]] >= 0]
    add("letting_agent", n + agent[home[r]], "Person", r)
    own = np.flatnonzero((lord >= 0) & (agent < 0))
    lords = np.unique(lord[own])
    lords = lords[none[lords]]
    add("landlord", lords, "Person", lords)
    own = own[np.isin(lord[own], lords)]
    add("landlord", lord[own], "Address", own)
    r = resident[np.isin(home[resident], own)]
    r = r[lord[home[r]] != r]
    add("landlord", lord[home[r]], "Person", r)
    # money: remittance shops and their senders, families pooling money
    paid = w.links["PAID"]
    ref_arr: Any = paid["reference"]  # a pyarrow string array
    ref = np.array(ref_arr.to_numpy(zero_copy_only=False), dtype=object)
    holds = w.links["HOLDS"]
    holder = np.full(len(w.ac_id), -1, np.int64)
    holder[holds["dst"]] = holds["src"]
    shops = np.flatnonzero(b_role == 4)
    if len(shops):
        shop_of_acc = np.full(len(w.ac_id), -1, np.int64)
        shop_of_acc[w.b_account[shops]] = shops
        sent = np.flatnonzero(np.isin(ref, ["FAMILY SUPPORT", "REMITTANCE"]) & (shop_of_acc[paid["dst"]] >= 0))
        pairs = np.unique(np.c_[shop_of_acc[paid["dst"][sent]], paid["src"][sent]], axis=0)
        add("remittance_shop", n + shops, "Business", shops)
        add("remittance_shop", n + shops, "Account", w.b_account[shops])
        add("remittance_shop", n + pairs[:, 0], "Account", pairs[:, 1])
        ph = holder[pairs[:, 1]]
        ok = (ph >= 0) & none[np.maximum(ph, 0)]
        add("remittance_shop", n + pairs[ok, 0], "Person", ph[ok])
    cnt = np.bincount(holds["dst"], minlength=len(w.ac_id))
    joint = np.flatnonzero(cnt >= 2)
    hk = np.flatnonzero(ref == "HOUSEKEEPING")
    members = np.r_[holds["src"][np.isin(holds["dst"], joint)], holder[paid["src"][hk]]]
    macc = np.r_[holds["dst"][np.isin(holds["dst"], joint)], paid["dst"][hk]]
    bad = np.zeros(len(w.ac_id), bool)
    bad[macc[~none[members]]] = True
    keep = ~bad[macc]
    pm = np.unique(np.c_[macc[keep], members[keep]], axis=0) if keep.any() else np.zeros((0, 2), np.int64)
    add("family_pool", pm[:, 0], "Person", pm[:, 1])
    pools = np.unique(pm[:, 0])
    add("family_pool", pools, "Account", pools)
    payer_acc = np.unique(np.c_[paid["dst"][hk], paid["src"][hk]], axis=0) if len(hk) else np.zeros((0, 2), np.int64)
    payer_acc = payer_acc[np.isin(payer_acc[:, 0], pools)]
    add("family_pool", payer_acc[:, 0], "Account", payer_acc[:, 1])
    # phones shared by a family: every user lives at one family home, nobody in a ring
    uses = w.links["USES_PHONE"]
    ring_phone = np.zeros(len(w.ph_id), bool)
    for rg in w.rings:
        ring_phone[rg.phones] = True
    u_src, u_dst = uses["src"], uses["dst"]
    users = np.bincount(u_dst, minlength=len(w.ph_id))
    h = home[u_src]
    fam_home = (h >= 0) & np.isin(w.a_kind[np.maximum(h, 0)], [KIND["house"], KIND["flat"]])
    ok = np.ones(len(w.ph_id), bool)
    ok[u_dst[~none[u_src] | ~fam_home]] = False
    first_home = np.full(len(w.ph_id), -1, np.int64)
    first_home[u_dst] = h
    ok[u_dst[h != first_home[u_dst]]] = False
    phones = np.flatnonzero(ok & (users >= 2) & ~ring_phone)
    add("family_phone", phones, "Phone", phones)
    sel = np.isin(u_dst, phones)
    add("family_phone", u_dst[sel], "Person", u_src[sel])
    return _table(w, parts)


def _table(w: World, parts: list[tuple[int, np.ndarray, int, np.ndarray]]) -> pa.Table:
    """Number the structures (kind, key) and write one row per entity, without duplicates."""
    if not parts:
        return pa.table({c: pa.array([], pa.string()) for c in ("lookalike", "kind", "entity_type", "entity_id")})
    kind = np.concatenate([np.full(len(p[1]), p[0]) for p in parts]).astype(np.int64)
    key = np.concatenate([p[1] for p in parts])
    etype = np.concatenate([np.full(len(p[1]), p[2]) for p in parts]).astype(np.int64)
    idx = np.concatenate([p[3] for p in parts]).astype(np.int64)
    rows = np.unique(np.c_[kind, key, etype, idx], axis=0)
    _, group = np.unique(rows[:, :2], axis=0, return_inverse=True)
    group = np.asarray(group).reshape(-1)
    ids = {
        0: w.pid,
        1: w.a_id,
        2: w.ph_id,
        3: w.ac_id,
        4: w.b_number,
    }
    ent = pa.concat_arrays(
        [ids[t].take(pa.array(rows[rows[:, 2] == t, 3])) for t in range(len(_TYPES)) if (rows[:, 2] == t).any()]
    )
    order_by_type = np.concatenate([np.flatnonzero(rows[:, 2] == t) for t in range(len(_TYPES))])
    inv = np.empty(len(rows), np.int64)
    inv[order_by_type] = np.arange(len(rows))
    return pa.table(
        {
            "lookalike": cat("L", zpad(group + 1, 5)),
            "kind": take(list(LOOKALIKE_KINDS), rows[:, 0]),
            "entity_type": take(list(_TYPES), rows[:, 2]),
            "entity_id": ent.take(pa.array(inv)),
        }
    )
