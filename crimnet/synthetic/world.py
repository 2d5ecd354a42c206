"""The true, noise-free world of a synthetic case: the town's population, its links and the planted rings.

:func:`build_world` draws everything from one seeded ``numpy.random.Generator``
(PCG64) in a fixed order, vectorised over people, addresses, accounts and events;
only the planted rings (a few per thousand people) are built in a Python loop.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from crimnet.errors import ParameterError, check_type
from crimnet.schema import TYPOLOGIES
from crimnet.synthetic import names as N
from crimnet.synthetic.params import CaseParams
from crimnet.synthetic.strings import cat, group_rank, pick_in_group, take, zpad

__all__ = ["World", "build_world", "T0_DAY", "T0_SEC", "ROLE_CODES", "KIND", "BUSINESS_ROLES", "ADDRESS_GROUPS"]

T0_DAY = int(np.datetime64("2025-01-01", "D").astype(np.int64))
"""First day of the observation window, days since 1970-01-01."""
T0_SEC = T0_DAY * 86400
DAY = 86400
PHONE_PREFIX = "+441632"
"""Every generated phone number is ``+441632`` and six digits: 01632 is Ofcom's fictional area code (no real
line has it; 01632 960000-960999 are formally reserved for drama), so a synthetic "controller" is never
somebody's real number."""
PHONE_NUMBERS = 10**6
"""Distinct numbers under :data:`PHONE_PREFIX`: the most phones one case can have."""
ROLE_CODES = ("controller", "recruiter", "facilitator", "victim", "none")
CTRL, REC, FAC, VIC, NONE = range(5)
# address kinds
KIND = {"house": 0, "flat": 1, "hmo": 2, "hall": 3, "business": 4, "ring": 5}
# account kinds
CURRENT, SAVINGS, BUSINESS, COLLECT = range(4)
BUSINESS_ROLES = ("ordinary", "large_employer", "labour_agency", "letting_agent", "remittance_shop", "seasonal_farm")
"""What a business is to the look-alike structures (``World.b_role`` codes)."""
ADDRESS_GROUPS = ("none", "seasonal_house", "agency_house")
"""What a shared house is to the look-alike structures (``World.a_group`` codes)."""
_ROLE_WORDS = {
    2: ("Recruitment", "Staffing Solutions", "Workforce", "Labour Services"),
    3: ("Lettings", "Property Management", "Estates", "Residential Lettings"),
    4: ("Money Transfer", "Express Remit", "Global Remittance", "Exchange"),
}

_NAT_CODES = [n[0] for n in N.NATIONALITIES]
_NAT = {c: i for i, c in enumerate(_NAT_CODES)}
_ORIGINS = {
    "labour_small_business": ("ROU", "BGR", "VNM", "ALB", "POL", "IND"),
    "labour_agriculture": ("ROU", "BGR", "LTU", "POL"),
    "labour_construction": ("ROU", "POL", "ALB", "LTU", "GBR"),
    "sexual": ("ROU", "ALB", "NGA", "HUN", "CHN"),
    "criminal_county_lines": ("GBR",),
    "criminal_cannabis": ("VNM", "ALB", "CHN"),
    "domestic_servitude": ("NGA", "IND", "PAK", "ERI", "SDN"),
}
_RING_SECTOR = {
    "labour_small_business": ("car_wash", "nail_bar", "hot_food", "convenience_store"),
    "labour_agriculture": ("agriculture",),
    "labour_construction": ("construction",),
}
_SECTOR_NAMES = list(N.SECTORS)
_SMALL_SECTOR_W = dict(
    hot_food=0.12,
    convenience_store=0.10,
    car_wash=0.05,
    nail_bar=0.06,
    agriculture=0.05,
    construction=0.14,
    care=0.08,
    retail=0.14,
    office=0.18,
    other=0.08,
)
_LARGE_SECTORS = ("retail", "care", "agriculture", "other", "office")

_NINO_UNISSUED = frozenset({"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"})


def _flat_pool(pools: Mapping[str, Sequence[str]]) -> tuple[pa.Array, np.ndarray, np.ndarray]:
    flat: list[str] = []
    off = np.zeros(len(_NAT_CODES), np.int64)
    cnt = np.zeros(len(_NAT_CODES), np.int64)
    for i, c in enumerate(_NAT_CODES):
        off[i] = len(flat)
        cnt[i] = len(pools[c])
        flat.extend(pools[c])
    off.flags.writeable = cnt.flags.writeable = False  # module constants: read-only
    return pa.array(flat, pa.string()), off, cnt


_SUR, _SUR_OFF, _SUR_CNT = _flat_pool(N.SURNAMES)
_FIRST_M, _FM_OFF, _FM_CNT = _flat_pool({c: v[0] for c, v in N.FIRST_NAMES.items()})
_FIRST_F, _FF_OFF, _FF_CNT = _flat_pool({c: v[1] for c, v in N.FIRST_NAMES.items()})


@dataclass
class Ring:
    """One planted ring: its members by role and the resources it controls (world indices)."""

    ring_id: str
    typology: str
    controllers: list[int] = field(default_factory=list)
    recruiters: list[int] = field(default_factory=list)
    facilitators: list[int] = field(default_factory=list)
    victims: list[int] = field(default_factory=list)
    addresses: list[int] = field(default_factory=list)
    phones: list[int] = field(default_factory=list)
    accounts: list[int] = field(default_factory=list)
    businesses: list[int] = field(default_factory=list)
    vehicles: list[int] = field(default_factory=list)
    mode: str = ""
    vphones: list[int] = field(default_factory=list)  # phones the victims use (set by the phones step)
    pphones: list[int] = field(default_factory=list)  # the perpetrators' own phones (set by the phones step)
    worksite: list[int] = field(default_factory=list)  # addresses of the ring's businesses (set by the work step)

    @property
    def members(self) -> list[int]:
        return self.controllers + self.recruiters + self.facilitators + self.victims


@dataclass
class World:
    """The complete true world; every array is indexed by the entity's world index.

    Person attributes: ``first``, ``last`` (string arrays), ``sex`` (0 male, 1 female),
    ``dob`` (days since epoch), ``nat`` (index into :data:`names.NATIONALITIES`),
    ``role`` (index into :data:`ROLE_CODES`), ``ring`` (-1 for none), ``home``
    (current address), ``nino``. Link tables are dicts of equal-length arrays;
    ``hidden`` flags the links that reach no agency. Look-alike structures
    (:mod:`crimnet.synthetic.lookalikes`): ``b_role`` (per business, a code of
    :data:`BUSINESS_ROLES`), ``a_landlord`` (per address, the person who lets it, -1),
    ``a_agent`` (per address, the letting agent business managing it, -1) and
    ``a_group`` (per address, a code of :data:`ADDRESS_GROUPS`).
    """

    params: CaseParams
    n_people: int
    first: pa.Array
    last: pa.Array
    sex: np.ndarray
    dob: np.ndarray
    nat: np.ndarray
    role: np.ndarray
    ring: np.ndarray
    home: np.ndarray
    nino: pa.Array
    pid: pa.Array
    # addresses
    a_street: np.ndarray
    a_number: np.ndarray
    a_flat: np.ndarray
    a_kind: np.ndarray
    a_licensed: np.ndarray
    a_postcode: pa.Array
    a_town: np.ndarray
    a_lat: np.ndarray
    a_lon: np.ndarray
    a_line: pa.Array
    a_id: pa.Array
    s_name: pa.Array
    s_type: np.ndarray
    # phones, accounts, businesses, vehicles
    ph_id: pa.Array
    ph_land: np.ndarray
    ac_sort: np.ndarray
    ac_num: np.ndarray
    ac_kind: np.ndarray
    ac_opened: np.ndarray
    ac_id: pa.Array
    b_number: pa.Array
    b_name: pa.Array
    b_sector: np.ndarray
    b_addr: np.ndarray
    b_account: np.ndarray
    v_vrm: pa.Array
    v_make: np.ndarray
    v_colour: np.ndarray
    links: dict[str, dict[str, np.ndarray]]
    rings: list[Ring]
    b_role: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int8))
    a_landlord: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    a_agent: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    a_group: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int8))


def _partition(total: int, draw, rng: np.random.Generator) -> np.ndarray:
    """Sizes drawn by ``draw(rng, k)`` until they sum to `total` (the last one trimmed)."""
    if total <= 0:
        return np.zeros(0, np.int64)
    chunks, s = [], 0
    while s < total:
        k = max(16, int((total - s) / 2) + 16)
        d = np.asarray(draw(rng, k), dtype=np.int64)
        chunks.append(d)
        s += int(d.sum())
    sizes = np.concatenate(chunks)
    cs = np.cumsum(sizes)
    cut = int(np.searchsorted(cs, total))
    sizes = sizes[: cut + 1].copy()
    sizes[-1] -= int(cs[cut] - total)
    return sizes[sizes > 0]


def _names(nat: np.ndarray, sex: np.ndarray, rng: np.random.Generator) -> pa.Array:
    u = rng.random(len(nat))
    im = _FM_OFF[nat] + (u * _FM_CNT[nat]).astype(np.int64)
    jf = _FF_OFF[nat] + (u * _FF_CNT[nat]).astype(np.int64)
    male = take(_FIRST_M, im)
    female = take(_FIRST_F, jf)
    return pc.if_else(pa.array(sex == 1), female, male)


def _surnames(nat: np.ndarray, rng: np.random.Generator) -> pa.Array:
    i = _SUR_OFF[nat] + (rng.random(len(nat)) * _SUR_CNT[nat]).astype(np.int64)
    return take(_SUR, i)


def _nat_weights(exclude_gbr: bool = False) -> np.ndarray:
    w = np.array([n[3] for n in N.NATIONALITIES])
    if exclude_gbr:
        w[_NAT["GBR"]] = 0
    return w / w.sum()


def _unique_ints(rng: np.random.Generator, n: int, high: int) -> np.ndarray:
    """`n` distinct random integers in [0, high), in random order."""
    if n == 0:
        return np.zeros(0, np.int64)
    out = np.unique(rng.integers(0, high, int(n * 1.05) + 16))
    while len(out) < n:
        out = np.unique(np.r_[out, rng.integers(0, high, n)])
    out = out[:n] if len(out) == n else rng.permutation(out)[:n]
    return rng.permutation(out)


class _Builder:
    """Holds the growing arrays while the world is drawn (internal)."""

    def __init__(self, params: CaseParams) -> None:
        self.p = params
        self.rng = np.random.Generator(np.random.PCG64(params.seed))
        # the look-alike additions of `realism` draw from their own stream: with realism 0 every other
        # draw, and so every world of the other presets, stays as it was
        self.xr = np.random.Generator(np.random.PCG64([params.seed, 0x7265616C]))

    # ---------------------------------------------------------------- rings
    def plan_rings(self) -> None:
        p, rng = self.p, self.rng
        R = p.n_rings
        w = np.array([p.typology_mix.get(t, 0.0) for t in TYPOLOGIES], dtype=float)
        typ = rng.choice(len(TYPOLOGIES), size=R, p=w / w.sum())
        sizes = rng.integers(p.ring_size[0], p.ring_size[1] + 1, R)
        self.plan = []
        for r in range(R):
            t = TYPOLOGIES[typ[r]]
            s = int(sizes[r])
            if t == "domestic_servitude":
                comp = (1, 1, 1, 1 + int(rng.random() < 0.4))
            elif t == "criminal_cannabis":
                comp = (1, 1, 1, int(rng.integers(2, 6)))
            else:
                c, rc, f = 1 + int(s >= 16), 1 + int(s >= 12), 1 + int(s >= 20)
                comp = (c, rc, f, max(3, s - c - rc - f))
            self.plan.append((f"R{r + 1:04d}", t, comp))
        self.n_new_victims = sum(c[3] for _, t, c in self.plan if t != "criminal_county_lines")

    # ---------------------------------------------------------------- people
    def people(self) -> None:
        p, rng = self.p, self.rng
        n = p.people
        B = n - self.n_new_victims
        self.B = B
        look = p.lookalike
        n_hall = int(B * min(0.03 * look, 0.1)) if B >= 1500 else 0
        n_hmo = int(B * min(0.06 * look, 0.2))
        n_fam = B - n_hall - n_hmo
        fam = _partition(n_fam, lambda g, k: g.choice(np.arange(1, 7), k, p=[0.29, 0.34, 0.16, 0.13, 0.05, 0.03]), rng)
        hmo = _partition(n_hmo, lambda g, k: g.integers(3, 11, k), rng)
        hall_cap = max(40, min(300, n_hall))
        hall = _partition(n_hall, lambda g, k: g.integers(40, hall_cap + 1, k), rng)
        dsize = np.r_[fam, hmo, hall]
        dkind = np.r_[
            np.zeros(len(fam), np.int8),
            np.full(len(hmo), KIND["hmo"], np.int8),
            np.full(len(hall), KIND["hall"], np.int8),
        ]
        nd = len(dsize)
        dwell = np.repeat(np.arange(nd), dsize)
        rank = np.arange(B) - np.repeat(np.cumsum(dsize) - dsize, dsize)
        kind = dkind[dwell]
        # nationality: families share one, HMOs often do, halls mostly British
        wn = _nat_weights()
        d_nat = rng.choice(len(wn), nd, p=wn)
        hmo_same = rng.random(nd) < 0.5
        d_nat = np.where((dkind == KIND["hmo"]) & hmo_same, rng.choice(len(wn), nd, p=_nat_weights(True)), d_nat)
        nat = d_nat[dwell]
        indiv = rng.choice(len(wn), B, p=wn)
        hmo_mixed = (kind == KIND["hmo"]) & ~hmo_same[dwell]
        partner_diff = (kind == 0) & (rank == 1) & (rng.random(B) < 0.1)
        nat = np.where(hmo_mixed | partner_diff, indiv, nat)
        intl = np.array([_NAT[c] for c in ("CHN", "IND", "NGA", "PAK", "ROU")])
        hall_nat = np.where(rng.random(B) < 0.8, _NAT["GBR"], intl[rng.integers(0, len(intl), B)])
        nat = np.where(kind == KIND["hall"], hall_nat, nat)
        # ages and sex
        u = rng.random(B)
        head_age = np.where(dsize == 1, 18 + 72 * rng.random(nd) ** 1.2, 24 + 50 * rng.random(nd))
        ha = head_age[dwell]
        age = np.select(
            [kind == KIND["hall"], kind == KIND["hmo"], rank == 0, rank == 1],
            [18 + 6 * u, 19 + 36 * u, ha, np.clip(ha + rng.normal(0, 4, B), 18, 95)],
            np.clip(ha - 20 - 20 * u, 0, 60),
        )
        sex = (rng.random(B) < 0.5).astype(np.int8)
        head_sex = sex[np.repeat(np.cumsum(dsize) - dsize, dsize)]
        sex = np.where((kind == 0) & (rank == 1) & (rng.random(B) < 0.9), 1 - head_sex, sex).astype(np.int8)
        # surnames: a family shares the head's; a partner keeps their own sometimes
        sur = _surnames(nat, rng)
        head_idx = np.repeat(np.cumsum(dsize) - dsize, dsize)
        shared = (kind == 0) & ~((rank == 1) & (rng.random(B) < 0.25)) & ~partner_diff
        sur = pc.if_else(pa.array(shared), sur.take(pa.array(head_idx)), sur)
        self.dwell = dwell
        self.dkind = dkind
        self.dsize = dsize
        self.rank = rank
        self.age = age
        self.bg_first = _names(nat, sex, rng)
        self.bg_last = sur
        self.bg_sex = sex
        self.bg_nat = nat

    # ---------------------------------------------------------------- perpetrators and victims
    def cast_rings(self) -> None:
        p, rng = self.p, self.rng
        B, n = self.B, p.people
        age, kind = self.age, self.dkind[self.dwell]
        role = np.full(n, NONE, np.int8)
        ring = np.full(n, -1, np.int32)
        eligible = np.flatnonzero((age >= 21) & (age <= 62) & (kind != KIND["hall"]))
        eligible = eligible[rng.permutation(len(eligible))]
        pools = {c: list(eligible[self.bg_nat[eligible] == c][::-1]) for c in range(len(_NAT_CODES))}
        anyp = list(eligible[::-1])
        youth_idx = np.flatnonzero((age >= 14) & (age < 20) & (kind == 0))
        youth = list(youth_idx[rng.permutation(len(youth_idx))][::-1])
        used = np.zeros(n, bool)

        def take_from(pool: list) -> int:
            while pool:
                i = int(pool.pop())
                if not used[i]:
                    used[i] = True
                    return i
            return -1

        v_next = B
        v_nat, v_sex, v_age, v_ring = [], [], [], []
        self.rings = []
        for r, (rid, t, (nc, nr, nf, nv)) in enumerate(self.plan):
            ring_obj = Ring(rid, t)
            origins = _ORIGINS[t]
            origin = _NAT[origins[int(rng.integers(0, len(origins)))]]
            for role_code, count, p_same in ((CTRL, nc, 0.5), (REC, nr, 0.7), (FAC, nf, 0.4)):
                for _ in range(count):
                    i = take_from(pools[origin]) if rng.random() < p_same else -1
                    if i < 0:
                        i = take_from(anyp)
                    role[i], ring[i] = role_code, r
                    [ring_obj.controllers, ring_obj.recruiters, ring_obj.facilitators][role_code].append(i)
            if t == "criminal_county_lines":
                for _ in range(nv):
                    i = take_from(youth)
                    if i < 0:
                        i = take_from(anyp)
                    role[i], ring[i] = VIC, r
                    ring_obj.victims.append(i)
            else:
                ids = list(range(v_next, v_next + nv))
                v_next += nv
                role[ids], ring[ids] = VIC, r
                ring_obj.victims.extend(ids)
                other = _NAT[origins[int(rng.integers(0, len(origins)))]]
                v_nat.append(np.where(rng.random(nv) < 0.8, origin, other))
                fem = {"sexual": 0.9, "domestic_servitude": 0.75, "criminal_cannabis": 0.15}.get(t, 0.3)
                v_sex.append((rng.random(nv) < fem).astype(np.int8))
                lo, hi = {"sexual": (18, 35), "criminal_cannabis": (15, 30), "domestic_servitude": (16, 50)}.get(
                    t, (18, 50)
                )
                v_age.append(lo + (hi - lo) * rng.random(nv))
                v_ring.append(np.full(nv, r))
            self.rings.append(ring_obj)

        def cat_(xs: list, dt: type) -> np.ndarray:
            return np.concatenate(xs).astype(dt) if xs else np.zeros(0, dt)

        vn, vs, va = cat_(v_nat, np.int64), cat_(v_sex, np.int8), cat_(v_age, float)
        self.nat = np.r_[self.bg_nat, vn].astype(np.int16)
        self.sex = np.r_[self.bg_sex, vs].astype(np.int8)
        self.age_all = np.r_[age, va]
        first = pa.concat_arrays([self.bg_first, _names(vn, vs, rng)])
        last = pa.concat_arrays([self.bg_last, _surnames(vn, rng)])
        self.first, self.last = first, last
        self.role, self.ring = role, ring
        dob = T0_DAY - (self.age_all * 365.25).astype(np.int64) - rng.integers(0, 365, n)
        self.dob = dob
        # camouflage: perpetrators keep each ordinary tie with probability `camouflage`
        perps = np.flatnonzero((role != NONE) & (role != VIC))
        c = p.camouflage
        self.keep_family = np.ones(n, bool)
        self.keep_job = np.ones(n, bool)
        self.keep_social = np.ones(n, bool)
        self.keep_family[perps] = rng.random(len(perps)) < c
        self.keep_job[perps] = rng.random(len(perps)) < c
        self.keep_social[perps] = rng.random(len(perps)) < c
        for rg in self.rings:  # a servitude controller keeps the household the victims serve
            if rg.typology == "domestic_servitude":
                self.keep_family[rg.controllers] = True
        # isolated perpetrators move out into single dwellings
        moved = perps[~self.keep_family[perps]]
        nd = len(self.dsize)
        dwell = np.r_[self.dwell, np.full(n - B, -1)]
        dwell[moved] = nd + np.arange(len(moved))
        self.dsize = np.r_[self.dsize, np.ones(len(moved), np.int64)]
        self.dkind = np.r_[self.dkind, np.zeros(len(moved), np.int8)]
        self.dwell_all = dwell

    # ---------------------------------------------------------------- businesses (plan) and addresses
    def plan_businesses(self) -> None:
        p, rng = self.p, self.rng
        B = self.B
        n_small = max(10, B // 60)
        sw = np.array([_SMALL_SECTOR_W[s] for s in _SECTOR_NAMES])
        small_sector = rng.choice(len(_SECTOR_NAMES), n_small, p=sw / sw.sum())
        n_large = max(2, int(round(B / 20000 * max(p.lookalike, 0.25))))
        large_sector = np.array([_SECTOR_NAMES.index(_LARGE_SECTORS[i % len(_LARGE_SECTORS)]) for i in range(n_large)])
        ring_sector = []
        self.ring_biz_ring = []
        for r, rg in enumerate(self.rings):
            if rg.typology in _RING_SECTOR:
                opts = _RING_SECTOR[rg.typology]
                ring_sector.append(_SECTOR_NAMES.index(opts[int(rng.integers(0, len(opts)))]))
                self.ring_biz_ring.append(r)
        self.n_small, self.n_large = n_small, n_large
        self.b_sector = np.r_[small_sector, large_sector, np.array(ring_sector, np.int64)].astype(np.int64)
        self.b_is_large = np.r_[np.zeros(n_small, bool), np.ones(n_large, bool), np.zeros(len(ring_sector), bool)]
        self.b_ring = np.r_[np.full(n_small + n_large, -1), np.array(self.ring_biz_ring, np.int64)].astype(np.int64)

    def addresses(self) -> None:
        p, rng = self.p, self.rng
        # dwellings: households (incl. moved perps), then ring addresses, then business premises
        ring_addr_list: list[int] = []
        for r, rg in enumerate(self.rings):
            t = rg.typology
            k = {
                "sexual": int(rng.integers(2, 5)),
                "criminal_cannabis": 1,
                "criminal_county_lines": 1,
                "domestic_servitude": 0,
            }.get(t, int(rng.integers(1, 4)))
            ring_addr_list += [r] * k
        ring_addr_ring = np.array(ring_addr_list, np.int64)
        nh = len(self.dsize)
        nb = len(self.b_sector)
        nr = len(ring_addr_ring)
        d_kind = np.r_[self.dkind, np.full(nr, KIND["ring"], np.int8), np.full(nb, KIND["business"], np.int8)]
        nd = len(d_kind)
        flat_p = np.select([d_kind == 0, d_kind == KIND["ring"]], [0.2, 0.3], 0.0)
        is_flat = rng.random(nd) < flat_p
        d_kind = np.where(is_flat & (d_kind == 0), KIND["flat"], d_kind).astype(np.int8)
        # group flats into blocks of 4-12
        fl = np.flatnonzero(is_flat)
        fl = fl[rng.permutation(len(fl))]
        bsz = _partition(len(fl), lambda g, k: g.integers(4, 13, k), rng)
        block = np.repeat(np.arange(len(bsz)), bsz)
        building = np.empty(nd, np.int64)
        flat_no = np.zeros(nd, np.int64)
        building[fl] = block
        flat_no[fl] = np.arange(len(fl)) - np.repeat(np.cumsum(bsz) - bsz, bsz) + 1
        houses = np.flatnonzero(~is_flat)
        building[houses] = len(bsz) + np.arange(len(houses))
        n_build = len(bsz) + len(houses)
        n_streets = max(3, int(np.ceil(n_build / 30)))
        b_street = rng.integers(0, n_streets, n_build)
        # house numbers in a random order, so that ring and business premises are not the last on a street
        shuffle = rng.permutation(n_build)
        b_num = np.empty(n_build, np.int64)
        b_num[shuffle] = group_rank(b_street[shuffle]) + 1
        # streets: name, type, town, district
        s_name = rng.integers(0, len(N.STREET_NAMES), n_streets)
        s_type = rng.integers(0, len(N.STREET_TYPES), n_streets)
        tw = np.array([t[2] for t in N.TOWNS])
        s_town = rng.choice(len(tw), n_streets, p=tw / tw.sum())
        s_district = group_rank(s_town) // 120 + 1
        # postcode units: one per 15 numbers of a street
        unit_key = b_street.astype(np.int64) * 100000 + (b_num - 1) // 15
        ukeys, b_unit = np.unique(unit_key, return_inverse=True)
        u_street = ukeys // 100000
        u_town, u_dist = s_town[u_street], s_district[u_street]
        dkey = u_town * 1000 + u_dist
        u_rank = group_rank(dkey)
        letters = np.array(list("ABDEFGHJLNPQRSTUWXYZ"))
        perm = np.random.Generator(np.random.PCG64(12345)).permutation(4000)
        code = perm[u_rank % 4000]
        area = np.array([t[1] for t in N.TOWNS])[u_town]
        inward = cat(
            pa.array((code // 400).astype(str)), pa.array(letters[(code // 20) % 20]), pa.array(letters[code % 20])
        )
        u_pc = cat(pa.array(area), pa.array(u_dist.astype(str)), " ", inward)
        # per dwelling
        bld = building
        a_street = b_street[bld]
        a_number = b_num[bld]
        a_pc = u_pc.take(pa.array(b_unit[bld]))
        a_town = s_town[a_street]
        cen = np.array([[t[3], t[4]] for t in N.TOWNS])
        a_lat = np.round(cen[a_town, 0] + (s_district[a_street] % 7 - 3) * 0.01 + rng.normal(0, 0.008, nd), 6)
        a_lon = np.round(cen[a_town, 1] + (s_district[a_street] // 7 % 7 - 3) * 0.015 + rng.normal(0, 0.012, nd), 6)
        street_lower = pc.utf8_lower(
            cat(take(N.STREET_NAMES, s_name), " ", take([t[0] for t in N.STREET_TYPES], s_type))
        )
        line = cat(pa.array(a_number.astype(str)), " ", street_lower.take(pa.array(a_street)))
        line = pc.if_else(pa.array(flat_no > 0), cat(line, " flat ", pa.array(flat_no.astype(str))), line)
        self.a_street, self.a_number, self.a_flat, self.a_kind = a_street, a_number, flat_no, d_kind
        self.a_postcode, self.a_town, self.a_lat, self.a_lon = a_pc, a_town, a_lat, a_lon
        self.a_line = line
        self.a_id = cat(a_pc, "|", line)
        self.s_name = take(N.STREET_NAMES, s_name)
        self.s_type = s_type
        licensed = np.where(d_kind == KIND["hall"], True, rng.random(nd) < 1 - 0.25 * min(p.lookalike, 2) / 2)
        self.a_licensed = licensed & ((d_kind == KIND["hmo"]) | (d_kind == KIND["hall"]))
        # index ranges
        self.addr_household = np.arange(nh)
        self.addr_ring = nh + np.arange(nr)
        self.ring_addr_ring = ring_addr_ring
        self.addr_business = nh + nr + np.arange(nb)
        self.n_addr = nd

    # ---------------------------------------------------------------- living arrangements
    def residence(self) -> None:
        p, rng = self.p, self.rng
        n = p.people
        home = np.full(n, -1, np.int64)
        bgmask = self.dwell_all >= 0
        home[bgmask] = self.addr_household[self.dwell_all[bgmask]]
        lp, la, ls, le = [np.flatnonzero(bgmask)], [home[bgmask]], [], []
        # move-in day: long ago for most; the window start is T0_DAY
        ls.append(T0_DAY - rng.integers(30, 3650, bgmask.sum()))
        le.append(np.full(bgmask.sum(), -1))
        for r, rg in enumerate(self.rings):
            addrs = list(self.addr_ring[self.ring_addr_ring == r])
            if rg.typology == "domestic_servitude":
                addrs = [int(home[rg.controllers[0]])]
            if rg.typology == "criminal_county_lines":
                single = np.flatnonzero(
                    (self.dsize[self.dwell_all[: self.B]] == 1)
                    & (self.role[: self.B] == NONE)
                    & (self.age_all[: self.B] > 45)
                )
                if len(single):
                    cuckoo = int(single[rng.integers(0, len(single))])
                    addrs.append(int(home[cuckoo]))
            rg.addresses = [int(a) for a in addrs]
            v = np.array(rg.victims, np.int64)
            if rg.typology == "criminal_county_lines":
                # victims stay at home with their families; they are moved through the ring's addresses
                continue
            if rg.typology == "sexual" and len(addrs) > 1:
                # addresses rotate: each victim lives at 2-3 of them in turn over the window
                span = 30 * p.months
                for i in v:
                    k = int(rng.integers(2, min(3, len(addrs)) + 1))
                    seq = rng.permutation(len(addrs))[:k]
                    cuts = np.sort(rng.integers(10, span - 10, k - 1)) if k > 1 else np.zeros(0, np.int64)
                    starts = np.r_[-int(rng.integers(10, 200)), cuts] + T0_DAY
                    ends = np.r_[cuts + T0_DAY, -1]
                    lp.append(np.full(k, i))
                    la.append(np.array(addrs, np.int64)[seq])
                    ls.append(starts)
                    le.append(ends)
                home[v] = np.array(addrs)[rng.integers(0, len(addrs), len(v))]
                continue
            where_ = np.array(addrs, np.int64)[rng.integers(0, len(addrs), len(v))]
            # most victims crowd into the first address
            where_ = np.where(rng.random(len(v)) < 0.6, addrs[0], where_)
            home[v] = where_
            lp.append(v)
            la.append(where_)
            ls.append(T0_DAY - rng.integers(5, 300, len(v)))
            le.append(np.full(len(v), -1))
        # previous addresses (moved in the last years), a realistic source of stale records
        movers = np.flatnonzero(bgmask & (self.age_all >= 18) & (rng.random(n) < 0.08))
        prev = rng.integers(0, len(self.addr_household), len(movers))
        prev = np.where(prev == home[movers], (prev + 1) % len(self.addr_household), prev)
        first_start = ls[0]
        lp.append(movers)
        la.append(prev)
        pos = np.searchsorted(np.flatnonzero(bgmask), movers)
        ls.append(first_start[pos] - rng.integers(200, 2000, len(movers)))
        le.append(first_start[pos])
        lives = dict(
            src=np.concatenate(lp).astype(np.int64),
            dst=np.concatenate(la).astype(np.int64),
            start=np.concatenate(ls).astype(np.int64),
            end=np.concatenate(le).astype(np.int64),
        )
        lives = _dedupe(lives)
        self.home = home
        self.links: dict[str, dict[str, np.ndarray]] = {"LIVES_AT": lives}

    # ---------------------------------------------------------------- phones
    def phones(self) -> None:
        p, rng = self.p, self.rng
        n, B = p.people, self.B
        age = self.age_all
        dw = self.dwell_all
        fam = (dw >= 0) & (self.dkind[np.maximum(dw, 0)] == 0)
        size = np.where(dw >= 0, self.dsize[np.maximum(dw, 0)], 0)
        rank = np.r_[self.rank, np.full(n - B, -1)]
        fam_phone_hh = rng.random(len(self.dsize)) < min(0.12 * p.lookalike, 0.5)
        share = fam & (size >= 2) & (rank >= 1) & (rank <= 2) & fam_phone_hh[np.maximum(dw, 0)] & (age >= 8)
        own = (np.arange(n) < B) & (age >= 11) & (rng.random(n) < 0.93) & ~share
        head = np.where(dw >= 0, np.arange(n) - rank, -1)
        own[head[share]] = True  # the shared family phone is the head's own
        owners = np.flatnonzero(own)
        n_mob = len(owners)
        primary = np.full(n, -1, np.int64)
        primary[owners] = np.arange(n_mob)
        up, uf = [owners], [np.arange(n_mob)]
        sharers = np.flatnonzero(share)
        up.append(sharers)
        uf.append(primary[head[sharers]])
        # landlines for some family households, used by the adults
        hh_land = np.flatnonzero((self.dkind == 0) & (rng.random(len(self.dsize)) < 0.2))
        land_id = np.full(len(self.dsize), -1, np.int64)
        next_id = n_mob + np.arange(len(hh_land))
        land_id[hh_land] = next_id
        users = np.flatnonzero(fam & (age >= 18) & (land_id[np.maximum(dw, 0)] >= 0))
        up.append(users)
        uf.append(land_id[dw[users]])
        n_ph = n_mob + len(hh_land)
        is_land = np.r_[np.zeros(n_mob, bool), np.ones(len(hh_land), bool)]
        # rings: shared victim phones, own phones for some victims, burners, deal lines
        extra_land = []
        for rg in self.rings:
            v = np.array(rg.victims, np.int64)
            t = rg.typology
            phones = []
            vphones: list[int] = []
            if t == "criminal_county_lines":
                k = int(rng.integers(1, 3))
                deal = n_ph + np.arange(k)
                n_ph += k
                extra_land += [False] * k
                vphones += [int(x) for x in deal]
                users_ = np.r_[v, rg.recruiters, rg.controllers[:1]]
                up.append(users_)
                uf.append(deal[rng.integers(0, k, len(users_))])
            else:
                no_phone = rng.random(len(v)) < (0.6 if t == "domestic_servitude" else 0.0)
                vv = v[~no_phone]
                if len(vv):
                    k = max(1, int(np.ceil(len(vv) / 4)))
                    sh = n_ph + np.arange(k)
                    n_ph += k
                    extra_land += [False] * k
                    vphones += [int(x) for x in sh]
                    up.append(vv)
                    uf.append(sh[np.arange(len(vv)) % k])
                    ownv = vv[rng.random(len(vv)) < 0.4]
                    oid = n_ph + np.arange(len(ownv))
                    n_ph += len(ownv)
                    extra_land += [False] * len(ownv)
                    up.append(ownv)
                    uf.append(oid)
                    primary[ownv] = oid
                    vphones += [int(x) for x in oid]
                    noprim = primary[vv] < 0
                    primary[vv[noprim]] = sh[np.flatnonzero(noprim) % k]
            for i in rg.controllers + rg.recruiters:
                if primary[i] < 0 or rng.random() < 0.5:
                    bid = n_ph
                    n_ph += 1
                    extra_land.append(False)
                    up.append(np.array([i]))
                    uf.append(np.array([bid]))
                    phones.append(bid)
                    if primary[i] < 0:
                        primary[i] = bid
                else:
                    phones.append(int(primary[i]))
            rg.vphones = vphones
            rg.pphones = [int(x) for x in phones]
            rg.phones = vphones + rg.pphones
        is_land = np.r_[is_land, np.array(extra_land, bool)]
        if n_ph > PHONE_NUMBERS:
            raise ParameterError(
                f"This case needs {n_ph} phone numbers; the generator has {PHONE_NUMBERS} that no real line can "
                "have (Ofcom's fictional 01632 area). Generate at most about 1,100,000 people."
            )
        # every number, mobile or landline, is in the fictional 01632 area: no real person's line
        self.ph_id = cat(PHONE_PREFIX, zpad(_unique_ints(rng, n_ph, PHONE_NUMBERS), 6))
        self.ph_land = is_land  # only how the number is written (landlines with the area code in brackets)
        self.primary_phone = primary
        self.links["USES_PHONE"] = _dedupe(
            dict(src=np.concatenate(up).astype(np.int64), dst=np.concatenate(uf).astype(np.int64))
        )

    # ---------------------------------------------------------------- work
    def work(self) -> None:
        p, rng = self.p, self.rng
        n, B = p.people, self.B
        age = self.age_all
        hall = (self.dwell_all >= 0) & (self.dkind[np.maximum(self.dwell_all, 0)] == KIND["hall"])
        bg = np.arange(n) < B
        worker_p = np.where(hall, 0.3, 0.72)
        employed = bg & (age >= 18) & (age < 67) & (rng.random(n) < worker_p) & self.keep_job
        employed &= ~((self.role == VIC) & (np.arange(n) < B))  # county-lines victims are at school
        emp = np.flatnonzero(employed)
        nb = len(self.b_sector)
        small = np.flatnonzero(~self.b_is_large & (self.b_ring < 0))
        large = np.flatnonzero(self.b_is_large)
        wsmall = rng.pareto(1.3, len(small)) + 1.0
        wsmall = np.minimum(wsmall, 200)
        to_large = rng.random(len(emp)) < min(0.3 * p.lookalike, 0.6)
        wl = rng.dirichlet(np.ones(len(large)) * 2)
        employer = np.where(
            to_large,
            large[rng.choice(len(large), len(emp), p=wl)],
            small[rng.choice(len(small), len(emp), p=wsmall / wsmall.sum())],
        )
        self.b_role = np.where(self.b_is_large, 1, 0).astype(np.int8)
        self.d_group = np.zeros(len(self.dsize), np.int8)
        if p.realism > 0:
            emp, employer = self.realistic_work(emp, employer, small)
        wp, wb = [emp], [employer]
        self.employer = np.full(n, -1, np.int64)
        self.employer[emp] = employer
        # directors: one per business, a second (often the partner, same surname) for some
        nonring = np.flatnonzero(self.b_ring < 0)
        adults = np.flatnonzero(bg & (age >= 25) & (age <= 72) & (self.role == NONE))
        d1 = np.full(nb, -1, np.int64)
        d1[nonring] = adults[rng.integers(0, len(adults), len(nonring))]
        dp, db, drole = [d1[nonring]], [nonring], [np.zeros(len(nonring), np.int64)]
        two = nonring[(rng.random(len(nonring)) < 0.3) | self.b_is_large[nonring]]
        rank = np.r_[self.rank, np.full(n - B, -1)]
        partner = np.where(rank[d1[two]] == 0, d1[two] + 1, d1[two] - 1)
        okp = (partner >= 0) & (partner < B)
        okp &= self.dwell_all[np.clip(partner, 0, n - 1)] == self.dwell_all[d1[two]]
        okp &= self.age_all[np.clip(partner, 0, n - 1)] >= 18
        second = np.where(okp, partner, adults[rng.integers(0, len(adults), len(two))])
        dp.append(second)
        db.append(two)
        drole.append(np.where(rng.random(len(two)) < 0.5, 0, 1))
        for r, rg in enumerate(self.rings):
            bs = np.flatnonzero(self.b_ring == r)
            rg.businesses = [int(b) for b in bs]
            for b in bs:
                d1[b] = rg.facilitators[0]
                dp.append(np.array([rg.facilitators[0]]))
                db.append(np.array([b]))
                drole.append(np.array([0]))
                if rng.random() < 0.3:
                    dp.append(np.array([rg.controllers[0]]))
                    db.append(np.array([b]))
                    drole.append(np.array([1]))
                v = np.array(rg.victims, np.int64)
                wp.append(v)
                wb.append(np.full(len(v), b))
                # a few legitimate workers too
                k = int(rng.integers(0, 4))
                if k and len(emp):
                    extra = emp[rng.integers(0, len(emp), k)]
                    wp.append(extra)
                    wb.append(np.full(k, b))
        self.director = d1
        directs = dict(
            src=np.concatenate(dp).astype(np.int64),
            dst=np.concatenate(db).astype(np.int64),
            role=np.concatenate(drole).astype(np.int64),
        )
        directs["appointed"] = T0_DAY - rng.integers(30, 5000, len(directs["src"]))
        self.links["DIRECTS"] = _dedupe(directs)
        self.links["WORKS_AT"] = _dedupe(
            dict(src=np.concatenate(wp).astype(np.int64), dst=np.concatenate(wb).astype(np.int64))
        )
        # businesses: names, numbers, premises
        nbz = nb
        nums = _unique_ints(rng, nbz, 10**7)
        sc_nums = _unique_ints(rng, nbz, 10**6)  # drawn apart: 'SC' numbers have one digit fewer
        scot = rng.random(nbz) < 0.08
        self.b_number = pc.if_else(pa.array(scot), cat("SC", zpad(sc_nums, 6)), cat("0", zpad(nums, 7)))
        words = [N.SECTORS[s][1] for s in _SECTOR_NAMES]
        flatw: list[str] = []
        off: list[int] = []
        cnt: list[int] = []
        for s in range(len(_SECTOR_NAMES)):
            off.append(len(flatw))
            cnt.append(len(words[s]))
            flatw.extend(words[s])
        off_a, cnt_a = np.array(off), np.array(cnt)
        wi = off_a[self.b_sector] + (rng.random(nbz) * cnt_a[self.b_sector]).astype(np.int64)
        town_names = [t[0] for t in N.TOWNS]
        baddr = self.addr_business
        prefix_kind = rng.integers(0, 3, nbz)
        sur_owner = self.last.take(pa.array(self.director))
        street = self.s_name.take(pa.array(self.a_street[baddr]))
        town = take(town_names, self.a_town[baddr])
        prefix = pc.if_else(pa.array(prefix_kind == 0), sur_owner, pc.if_else(pa.array(prefix_kind == 1), street, town))
        suffix = np.where(rng.random(nbz) < 0.85, " Ltd", " Limited")
        self.b_name = pc.utf8_upper(cat(prefix, " ", take(flatw, wi), pa.array(suffix)))
        for code, words_ in _ROLE_WORDS.items():
            mine = self.b_role == code
            if mine.any():
                word = take(list(words_), self.xr.integers(0, len(words_), nbz))
                self.b_name = pc.if_else(
                    pa.array(mine), pc.utf8_upper(cat(prefix, " ", word, pa.array(suffix))), self.b_name
                )
        self.b_addr = baddr
        for rg in self.rings:
            rg.worksite = [int(self.b_addr[b]) for b in rg.businesses]

    # ---------------------------------------------------------------- accounts
    def accounts(self) -> None:
        p, rng = self.p, self.rng
        n, B = p.people, self.B
        age = self.age_all
        bg = np.arange(n) < B
        has = bg & (((age >= 18) & (rng.random(n) < 0.95)) | ((age >= 16) & (age < 18) & (rng.random(n) < 0.5)))
        perps = (self.role != NONE) & (self.role != VIC)
        has |= perps
        holders = np.flatnonzero(has)
        kinds = [np.full(len(holders), CURRENT)]
        hp = [holders]
        opened = [T0_DAY - rng.integers(60, 7000, len(holders))]
        current = np.full(n, -1, np.int64)
        current[holders] = np.arange(len(holders))
        na = len(holders)
        sav_h = holders[rng.random(len(holders)) < min(0.2 * p.lookalike, 0.6)]
        savings = np.full(n, -1, np.int64)
        savings[sav_h] = na + np.arange(len(sav_h))
        na += len(sav_h)
        hp.append(sav_h)
        kinds.append(np.full(len(sav_h), SAVINGS))
        opened.append(T0_DAY - rng.integers(30, 5000, len(sav_h)))
        nb = len(self.b_sector)
        b_acc = na + np.arange(nb)
        na += nb
        hp.append(self.director)
        kinds.append(np.full(nb, BUSINESS))
        opened.append(T0_DAY - rng.integers(30, 5000, nb))
        self.collect = {}
        for r, rg in enumerate(self.rings):
            t = rg.typology
            v = np.array(rg.victims, np.int64)
            accs: list[int | np.integer[Any]] = []
            if t in _RING_SECTOR:
                rg.mode = "sweep" if rng.random() < 0.6 else "collect"
            elif t in ("sexual", "criminal_county_lines"):
                rg.mode = "collect"
            else:
                rg.mode = "none"
            if rg.mode == "sweep" and t != "criminal_county_lines":
                day = T0_DAY - int(rng.integers(20, 200))
                ids = na + np.arange(len(v))
                na += len(v)
                current[v] = ids
                hp.append(v)
                kinds.append(np.full(len(v), CURRENT))
                opened.append(day + rng.integers(0, 6, len(v)))
                accs += list(ids)
            if rg.mode == "collect":
                holder = rg.facilitators[0] if t in _RING_SECTOR else rg.recruiters[0]
                cid = na
                na += 1
                hp.append(np.array([holder]))
                kinds.append(np.array([COLLECT]))
                opened.append(np.array([T0_DAY - int(rng.integers(20, 400))]))
                self.collect[r] = cid
                accs.append(cid)
            accs += [int(current[c]) for c in rg.controllers]
            accs += [int(b_acc[b]) for b in rg.businesses]
            rg.accounts = [int(a) for a in accs]
        self.ac_holder = np.concatenate(hp).astype(np.int64)
        self.ac_kind = np.concatenate(kinds).astype(np.int8)
        self.ac_opened = np.concatenate(opened).astype(np.int64)
        self.current, self.savings, self.b_account = current, savings, b_acc
        sorts = _unique_ints(rng, 40, 900000) + 100000
        self.ac_sort = sorts[rng.integers(0, len(sorts), na)]
        self.ac_num = _unique_ints(rng, na, 10**8)
        self.ac_id = cat(zpad(self.ac_sort, 6), ":", zpad(self.ac_num, 8))
        hsrc, hdst = self.ac_holder.copy(), np.arange(na, dtype=np.int64)
        self.pool_head = np.zeros(0, np.int64)
        if p.realism > 0:
            # families pooling money: a partner is joint holder of the head's current account
            rank = np.r_[self.rank, np.full(n - B, -1)]
            dw = self.dwell_all
            fam = (dw >= 0) & (self.dkind[np.maximum(dw, 0)] == 0) & (rank == 1) & (age >= 18)
            head = np.where(fam, np.arange(n) - 1, 0)
            ok = fam & (self.role == NONE) & (self.role[head] == NONE) & (current[head] >= 0)
            joint = np.flatnonzero(ok & (self.xr.random(n) < min(0.3 * p.realism, 0.9)))
            self.pool_head = head[joint]
            hsrc = np.r_[hsrc, joint]
            hdst = np.r_[hdst, current[head[joint]]]
        self.links["HOLDS"] = _dedupe(dict(src=hsrc, dst=hdst))

    # ---------------------------------------------------------------- vehicles
    def vehicles(self) -> None:
        p, rng = self.p, self.rng
        n, B = p.people, self.B
        age = self.age_all
        bg = np.arange(n) < B
        keepers = np.flatnonzero(bg & (age >= 20) & (age <= 85) & (rng.random(n) < 0.35))
        two = keepers[rng.random(len(keepers)) < 0.05]
        kp = [keepers, two]
        # fleet vans kept by directors of construction / other firms: seen at many addresses
        fleet_b = np.flatnonzero(
            np.isin(self.b_sector, [_SECTOR_NAMES.index("construction"), _SECTOR_NAMES.index("other")])
            & (self.b_ring < 0)
        )
        nvan = rng.integers(1, 4, len(fleet_b)) * (rng.random(len(fleet_b)) < min(0.5 * p.lookalike, 1.0))
        fleet_k = np.repeat(self.director[fleet_b], nvan)
        kp.append(fleet_k)
        nv = sum(len(x) for x in kp)
        self.fleet = np.arange(nv - len(fleet_k), nv)
        ring_k: list[int] = []
        for rg in self.rings:
            rg.vehicles = [nv + len(ring_k)]
            ring_k.append(rg.facilitators[-1])
        kp.append(np.array(ring_k, np.int64))
        keeper = np.concatenate(kp).astype(np.int64)
        nv = len(keeper)
        letters = np.array(list("ABCDEFGHJKLMNOPRSTUVWXY"))
        code = _unique_ints(rng, nv, 23**5 * 60)
        l5, age_id = code % 23**5, code // 23**5 + 15
        parts = [letters[(l5 // 23**k) % 23] for k in range(5)]
        self.v_vrm = cat(
            pa.array(parts[0]),
            pa.array(parts[1]),
            zpad(age_id, 2),
            pa.array(parts[2]),
            pa.array(parts[3]),
            pa.array(parts[4]),
        )
        self.v_make = rng.integers(0, len(N.MAKES), nv)
        self.v_colour = rng.integers(0, len(N.COLOURS), nv)
        self.links["KEEPS"] = _dedupe(dict(src=keeper, dst=np.arange(nv, dtype=np.int64)))
        self.v_keeper = keeper

    # ---------------------------------------------------------------- realistic look-alikes
    def realistic_work(self, emp: np.ndarray, employer: np.ndarray, small: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Legitimate structures that look like labour rings (``realism`` > 0): a licensed labour agency
        housing its workers in a few shared houses, seasonal farm workers sharing houses, letting agents
        and remittance shops (businesses picked among the small ones; named in :meth:`work`).

        Returns the employed people and their employers, with the agency and farm workers changed.
        """
        p, xr, n = self.p, self.xr, self.p.people
        scale = max(1, int(round(self.B / 10000 * p.realism)))
        sec = self.b_sector
        pool = small[xr.permutation(len(small))]
        used = np.zeros(len(sec), bool)

        def pick(sectors: tuple[str, ...], k: int) -> np.ndarray:
            ix = [_SECTOR_NAMES.index(s) for s in sectors]
            cand = pool[np.isin(sec[pool], ix) & ~used[pool]]
            if len(cand) < k:
                cand = np.r_[cand, pool[~np.isin(sec[pool], ix) & ~used[pool]]]
            got = cand[:k]
            used[got] = True
            return got

        agencies = pick(("other",), scale)
        farms = pick(("agriculture",), scale)
        self.b_role[agencies] = 2
        self.b_role[pick(("office",), scale)] = 3
        self.b_role[pick(("convenience_store", "retail"), scale)] = 4
        self.b_role[farms] = 5
        e_all = np.full(n, -1, np.int64)
        e_all[emp] = employer
        dw = self.dwell_all
        bad = np.bincount(dw[(dw >= 0) & (self.role != NONE)], minlength=len(self.dsize)) > 0
        free = np.flatnonzero((self.dkind == KIND["hmo"]) & ~bad)
        hmo: list[int] = [int(x) for x in free[xr.permutation(len(free))]]
        age = self.age_all
        houses: list[tuple[int, int, int]] = []  # (dwelling, business, group code)
        for b in agencies:
            houses += [(int(hmo.pop()), int(b), 2) for _ in range(3) if hmo]
        for _ in range(max(1, int(round(self.B / 5000 * p.realism)))):
            if hmo and len(farms):
                houses.append((int(hmo.pop()), int(farms[xr.integers(0, len(farms))]), 1))
        res_of = np.flatnonzero(dw >= 0)
        for d, b, code in houses:
            self.d_group[d] = code
            people = res_of[(dw[res_of] == d) & (age[res_of] >= 18) & (age[res_of] < 65)]
            e_all[people] = b
        for b in agencies:  # agency workers living elsewhere too
            others = np.flatnonzero((e_all >= 0) & (self.b_role[np.maximum(e_all, 0)] == 0))
            e_all[others[xr.permutation(len(others))[:20]]] = b
        emp = np.flatnonzero(e_all >= 0)
        return emp, e_all[emp]

    def realistic_payments(self, add: Any) -> None:
        """Payments of the realistic look-alikes: remittance shops with many senders, families pooling money."""
        p, xr, M, n = self.p, self.xr, self.p.months, self.p.people
        shops = np.flatnonzero(self.b_role == 4)
        age = self.age_all
        if len(shops):
            gbr = _NAT["GBR"]
            send = np.flatnonzero(
                (self.nat != gbr) & (age >= 18) & (self.role == NONE) & (self.current >= 0) & (np.arange(n) < self.B)
            )
            send = send[xr.random(len(send)) < min(0.6 * p.realism, 1.0)]
            shop = shops[xr.integers(0, len(shops), len(send))]
            for m in range(M):
                day = T0_DAY + 30 * m + xr.integers(0, 30, len(send))
                add(
                    self.current[send],
                    self.b_account[shop],
                    (np.exp(xr.normal(np.log(15000), 0.5, len(send)))).astype(np.int64),
                    day * DAY + xr.integers(9 * 3600, 20 * 3600, len(send)),
                    np.where(xr.random(len(send)) < 0.5, "FAMILY SUPPORT", "REMITTANCE"),
                )
        if len(self.pool_head):
            # adult children of pooling families pay housekeeping into the joint account
            rank = np.r_[self.rank, np.full(n - self.B, -1)]
            dw = self.dwell_all
            pool_dw = np.zeros(len(self.dsize), bool)
            pool_dw[dw[self.pool_head]] = True
            kids = np.flatnonzero(
                (dw >= 0)
                & pool_dw[np.maximum(dw, 0)]
                & (rank >= 2)
                & (age >= 18)
                & (self.current >= 0)
                & (self.role == NONE)
            )
            head = kids - rank[kids]
            for m in range(M):
                day = T0_DAY + 30 * m + xr.integers(0, 5, len(kids))
                add(
                    self.current[kids],
                    self.current[head],
                    xr.integers(100, 400, len(kids)) * 100,
                    day * DAY + xr.integers(8 * 3600, 22 * 3600, len(kids)),
                    "HOUSEKEEPING",
                )

    # ---------------------------------------------------------------- events
    def payments(self) -> None:
        p, rng = self.p, self.rng
        # A second stream for the features that keep ring money from giving itself away (cash references
        # and round sums in the background, ring transfers off the hour); drawn apart so that adding them
        # left every other draw of a seed, and so every generated world, as it was.
        blend = np.random.Generator(np.random.PCG64([p.seed, 0x626C656E64]))
        M = p.months
        fr, to, amt, ts, ref = [], [], [], [], []

        def add(f, t, a, s, r):
            fr.append(np.asarray(f, np.int64))
            to.append(np.asarray(t, np.int64))
            amt.append(np.asarray(a, np.int64))
            ts.append(np.asarray(s, np.int64))
            ref.append(
                np.broadcast_to(np.asarray(r, dtype=object), (len(fr[-1]),))
                if np.ndim(r) == 0
                else np.asarray(r, dtype=object)
            )

        works = self.links["WORKS_AT"]
        emp, biz = works["src"], works["dst"]
        pay_acc = self.current[emp]
        ringb = self.b_ring[biz]
        # collect-mode ring businesses pay into the ring's collecting account
        for r, cid in self.collect.items():
            sel = (ringb == r) & (self.role[emp] == VIC)
            pay_acc = np.where(sel, cid, pay_acc)
        self.pay_account = pay_acc
        works["account"] = pay_acc
        ok = pay_acc >= 0
        e, b, pa_ = emp[ok], biz[ok], pay_acc[ok]
        victim = self.role[e] == VIC
        wage = np.exp(rng.normal(np.log(np.where(victim, 1100, 1750)), 0.4)) * 100
        wage = np.minimum(wage, 2_000_000).astype(np.int64)
        sweeps_f, sweeps_t, sweeps_a, sweeps_s = [], [], [], []
        for m in range(M):
            day = T0_DAY + 30 * m + 25 + rng.integers(0, 3, len(e))
            s = day * DAY + 8 * 3600 + rng.integers(0, 4 * 3600, len(e))
            a = (wage * rng.uniform(0.95, 1.05, len(e))).astype(np.int64)
            add(self.b_account[b], pa_, a, s, np.where(rng.random(len(e)) < 0.5, "SALARY", "WAGES"))
            # legitimate look-alike: some move part of their wage to savings within days
            sv = self.savings[e]
            has_s = (sv >= 0) & (rng.random(len(e)) < 0.7)
            add(
                pa_[has_s],
                sv[has_s],
                (a[has_s] * rng.uniform(0.1, 0.6, has_s.sum())).astype(np.int64),
                s[has_s] + rng.integers(1, 4, has_s.sum()) * DAY + rng.integers(0, 3600 * 10, has_s.sum()),
                "SAVINGS",
            )
            sweeps_f.append(pa_)
            sweeps_t.append(e)
            sweeps_a.append(a)
            sweeps_s.append(s)
        # ring sweeps: wages leave the victims' accounts within days for a controller's account
        sf, se, sa, ss = (np.concatenate(x) for x in (sweeps_f, sweeps_t, sweeps_a, sweeps_s))
        vic = (self.role[se] == VIC) & (self.ring[se] >= 0)
        for r, rg in enumerate(self.rings):
            if rg.mode not in ("sweep", "collect") or rg.typology not in _RING_SECTOR:
                continue
            ctrl_acc = self.current[rg.controllers[0]]
            sel = vic & (self.ring[se] == r)
            if rg.mode == "sweep":
                add(
                    sf[sel],
                    np.full(sel.sum(), ctrl_acc),
                    (sa[sel] * rng.uniform(0.7, 0.95, sel.sum())).astype(np.int64),
                    ss[sel] + rng.integers(1, 4, sel.sum()) * DAY + rng.integers(0, 36000, sel.sum()),
                    np.where(rng.random(sel.sum()) < 0.5, "", "TRANSFER"),
                )
            else:
                cid = self.collect[r]
                for m in range(M):
                    in_m = sel & (ss >= (T0_DAY + 30 * m) * DAY) & (ss < (T0_DAY + 30 * m + 30) * DAY)
                    tot = int(sa[in_m].sum())
                    if tot:
                        add([cid], [ctrl_acc], [int(tot * 0.85)], [int(ss[in_m].max()) + 2 * DAY + 3600], "")
        # rent
        hh = self.dwell_all
        n = p.people
        bg = hh >= 0
        dk = np.where(bg, self.dkind[np.maximum(hh, 0)], -1)
        rank = np.r_[self.rank, np.full(n - self.B, -1)]
        payer = bg & (self.current >= 0) & (((dk == 0) & (rank == 0)) | (dk == KIND["hmo"]) | (dk == KIND["hall"]))
        rent_hh = rng.random(len(self.dsize)) < 0.45
        payer &= (dk != 0) | rent_hh[np.maximum(hh, 0)]
        payer &= self.role == NONE
        pr = np.flatnonzero(payer)
        lords = np.flatnonzero((self.current >= 0) & (self.age_all >= 35) & (self.role == NONE) & bg)
        n_lords = max(5, len(np.unique(hh[pr])) // 8)
        lords = lords[rng.permutation(len(lords))[:n_lords]]
        dwell_lord = lords[rng.integers(0, len(lords), len(self.dsize))]
        lord_acc = self.current[dwell_lord[hh[pr]]]
        xr = self.xr
        agents = np.flatnonzero(self.b_role == 3)
        dwell_agent = np.full(len(self.dsize), -1, np.int64)
        if p.realism > 0 and len(agents):
            managed = xr.random(len(self.dsize)) < min(0.4 * p.realism, 0.9)
            dwell_agent = np.where(managed, agents[xr.integers(0, len(agents), len(self.dsize))], -1)
            ag = dwell_agent[hh[pr]]
            lord_acc = np.where(ag >= 0, self.b_account[np.maximum(ag, 0)], lord_acc)
        rented = np.unique(hh[pr])
        self.a_landlord = np.full(self.n_addr, -1, np.int64)
        self.a_agent = np.full(self.n_addr, -1, np.int64)
        self.a_landlord[self.addr_household[rented]] = dwell_lord[rented]
        self.a_agent[self.addr_household[rented]] = dwell_agent[rented]
        base = np.select([dk[pr] == 0, dk[pr] == KIND["hmo"]], [850, 520], 600) * 100
        rent = (base * np.exp(rng.normal(0, 0.25, len(pr)))).astype(np.int64)
        okr = lord_acc != self.current[pr]
        for m in range(M):
            s = (T0_DAY + 30 * m + rng.integers(0, 4, len(pr))) * DAY + rng.integers(6 * 3600, 22 * 3600, len(pr))
            add(self.current[pr][okr], lord_acc[okr], rent[okr], s[okr], "RENT")
        if p.realism > 0:
            self.realistic_payments(add)
        # everyday payments: Pareto counts, lognormal amounts, to shops, friends, family or anyone
        accts = np.flatnonzero(self.ac_kind == CURRENT)
        holder = self.ac_holder[accts]
        w = (rng.pareto(2.0, len(accts)) + 1) * 0.5
        w = np.where(self.keep_social[holder], w, w * 0.2)
        cnt = rng.poisson(p.payments_per_account * M * w)
        src = np.repeat(accts, cnt)
        k = len(src)
        hsrc = self.ac_holder[src]
        kind = rng.choice(4, k, p=[0.5, 0.3, 0.1, 0.1])
        bw = np.bincount(self.links["WORKS_AT"]["dst"], minlength=len(self.b_sector)) + 1.0
        shop = self.b_account[rng.choice(len(bw), k, p=bw / bw.sum())]
        circle = self.circle
        friend = pick_in_group(np.arange(n), circle, circle[hsrc], rng)
        fam_key = np.where(hh >= 0, hh, n + np.arange(n))
        famm = pick_in_group(np.arange(n), fam_key, fam_key[hsrc], rng)
        anyone = rng.integers(0, n, k)
        who = np.select([kind == 1, kind == 2], [friend, famm], anyone)
        dst = np.where(kind == 0, shop, self.current[np.maximum(who, 0)])
        dst = np.where((who < 0) & (kind != 0), shop, dst)
        good = (dst >= 0) & (dst != src)
        amount = np.exp(rng.normal(np.log(2500), 1.0, k)).astype(np.int64) + 1
        amount = np.minimum(amount, 500_000)
        # people pay each other round sums too, not only the rings
        amount = np.where(blend.random(k) < 0.3, np.maximum(amount // 100, 1) * 100, amount)
        s = T0_SEC + rng.integers(0, 30 * M, k) * DAY + rng.integers(7 * 3600, 23 * 3600, k)
        refs = np.array(["", "THANKS", "BILLS", "CARD PAYMENT", "SHOPPING", "FOOD", "LOAN"], dtype=object)
        everyday_refs = refs[rng.integers(0, len(refs), good.sum())]
        everyday_refs[blend.random(len(everyday_refs)) < 0.1] = "CASH"  # cash paid in is not only punters'
        add(src[good], dst[good], amount[good], s[good], everyday_refs)
        # ring money: punters, customers, commissions
        for r, rg in enumerate(self.rings):
            t = rg.typology
            ctrl_acc = self.current[rg.controllers[0]]
            if t in ("sexual", "criminal_county_lines"):
                cid = self.collect[r]
                nv = len(rg.victims)
                k = int(nv * (12 if t == "sexual" else 15) * M)
                payers = accts[rng.integers(0, len(accts), k)]
                unit = 2000 if t == "sexual" else 1000
                amt_ = (rng.integers(3, 11 if t == "sexual" else 5, k) * unit).astype(np.int64)
                s = T0_SEC + rng.integers(0, 30 * M, k) * DAY + rng.integers(0, 24 * 3600, k)
                add(payers, np.full(k, cid), amt_, s, np.where(rng.random(k) < 0.6, "", "CASH"))
                weeks = np.arange(0, 30 * M, 7)
                tot = amt_.sum() // max(len(weeks), 1)
                add(
                    np.full(len(weeks), cid),
                    np.full(len(weeks), ctrl_acc),
                    (tot * rng.uniform(0.7, 0.9, len(weeks))).astype(np.int64),
                    T0_SEC + (weeks + 6) * DAY + 20 * 3600 + blend.integers(0, 3600, len(weeks)),
                    "",
                )
                if t == "criminal_county_lines":
                    v = np.array(rg.victims)
                    vacc = self.current[v]
                    vacc = vacc[vacc >= 0]
                    if len(vacc):
                        kk = len(vacc) * 4 * M
                        add(
                            np.full(kk, self.current[rg.recruiters[0]]),
                            vacc[rng.integers(0, len(vacc), kk)],
                            rng.integers(20, 60, kk) * 100,
                            T0_SEC + rng.integers(0, 30 * M, kk) * DAY + 18 * 3600 + blend.integers(0, 4 * 3600, kk),
                            "",
                        )
            for i in rg.recruiters + rg.facilitators:
                kk = int(rng.integers(1, 3)) * M
                add(
                    np.full(kk, ctrl_acc),
                    np.full(kk, self.current[i]),
                    rng.integers(200, 1500, kk) * 100,
                    T0_SEC + rng.integers(0, 30 * M, kk) * DAY + rng.integers(9 * 3600, 22 * 3600, kk),
                    "",
                )
        f, t_ = np.concatenate(fr), np.concatenate(to)
        ok = (f >= 0) & (t_ >= 0) & (f != t_)
        self.links["PAID"] = dict(
            src=f[ok],
            dst=t_[ok],
            amount=np.concatenate(amt)[ok],
            ts=np.concatenate(ts)[ok],
            reference=pa.array(np.concatenate(ref)[ok].astype(str)),
        )

    def social(self) -> None:
        """Social circles of ~25 people (same town and mostly same nationality) and workplaces."""
        rng, n = self.rng, self.p.people
        home = self.home
        town = self.a_town[np.maximum(home, 0)]
        key = town.astype(np.int64) * 100 + self.nat
        order = np.lexsort((rng.random(n), key))
        circle = np.empty(n, np.int64)
        circle[order] = np.arange(n) // 25
        self.circle = circle

    def calls(self) -> None:
        p, rng = self.p, self.rng
        M, n = p.months, p.people
        prim = self.primary_phone
        callers = np.flatnonzero((prim >= 0) & (self.role == NONE) | ((prim >= 0) & self.keep_social))
        callers = callers[self.role[callers] != VIC]
        w = (rng.pareto(2.0, len(callers)) + 1) * 0.5
        w = np.where(self.keep_social[callers], w, w * 0.2)
        cnt = rng.poisson(p.calls_per_phone * M * w)
        src_p = np.repeat(callers, cnt)
        k = len(src_p)
        kind = rng.choice(4, k, p=[0.3, 0.4, 0.15, 0.15])
        hh = self.dwell_all
        fam_key = np.where(hh >= 0, hh, n + np.arange(n))
        famm = pick_in_group(np.arange(n), fam_key, fam_key[src_p], rng)
        friend = pick_in_group(np.arange(n), self.circle, self.circle[src_p], rng)
        emp = self.employer
        colleague = pick_in_group(
            np.arange(n),
            np.where(emp >= 0, emp, len(self.b_sector) + np.arange(n)),
            np.where(emp[src_p] >= 0, emp[src_p], len(self.b_sector) + src_p),
            rng,
        )
        anyone = rng.integers(0, n, k)
        who = np.select([kind == 0, kind == 1, kind == 2], [famm, friend, colleague], anyone)
        who = np.where(who < 0, anyone, who)
        dst = prim[who]
        src = prim[src_p]
        good = (dst >= 0) & (dst != src)
        fr, to, tss, dur = [src[good]], [dst[good]], [], []
        kg = int(good.sum())
        tss.append(T0_SEC + rng.integers(0, 30 * M, kg) * DAY + rng.integers(7 * 3600, 24 * 3600, kg))
        dur.append(np.exp(rng.normal(np.log(90), 1.0, kg)).astype(np.int64) + 1)

        def add(f, t, k_, median):
            f = np.asarray(f, np.int64)
            t = np.asarray(t, np.int64)
            fr.append(f)
            to.append(t)
            tss.append(T0_SEC + rng.integers(0, 30 * M, k_) * DAY + rng.integers(0, 24 * 3600, k_))
            dur.append(np.exp(rng.normal(np.log(median), 0.8, k_)).astype(np.int64) + 1)

        for rg in self.rings:
            t = rg.typology
            perp_ph = sorted(
                {int(prim[i]) for i in rg.controllers + rg.recruiters + rg.facilitators if prim[i] >= 0}
                | set(rg.pphones)
            )
            vic_ph = list(rg.vphones)
            boss = list(rg.pphones) or perp_ph[:1]
            if len(perp_ph) > 1:
                k_ = 4 * M * len(perp_ph)
                add(
                    np.array(perp_ph)[rng.integers(0, len(perp_ph), k_)],
                    np.array(perp_ph)[rng.integers(0, len(perp_ph), k_)],
                    k_,
                    40,
                )
            if vic_ph and boss:
                k_ = 6 * M * len(vic_ph)
                a = np.array(boss)[rng.integers(0, len(boss), k_)]
                b = np.array(vic_ph)[rng.integers(0, len(vic_ph), k_)]
                flip = rng.random(k_) < 0.3
                add(np.where(flip, b, a), np.where(flip, a, b), k_, 45)
            if t in ("sexual", "criminal_county_lines") and vic_ph:
                k_ = len(rg.victims) * (20 if t == "sexual" else 30) * M
                cust = prim[rng.integers(0, n, k_)]
                okc = cust >= 0
                add(cust[okc], np.array(vic_ph)[rng.integers(0, len(vic_ph), okc.sum())], int(okc.sum()), 35)
        f, t_ = np.concatenate(fr), np.concatenate(to)
        ok = (f != t_) & (f >= 0) & (t_ >= 0)
        self.links["CALLED"] = dict(src=f[ok], dst=t_[ok], ts=np.concatenate(tss)[ok], duration=np.concatenate(dur)[ok])

    def sightings(self) -> None:
        p, rng = self.p, self.rng
        M = p.months
        keeper = self.v_keeper
        nv = len(keeper)
        ringv = {v for rg in self.rings for v in rg.vehicles}
        bgv = np.setdiff1d(np.arange(nv), np.array(sorted(ringv), np.int64))
        w = (rng.pareto(2.0, len(bgv)) + 1) * 0.5
        w[np.isin(bgv, self.fleet)] *= 6
        cnt = rng.poisson(p.reads_per_vehicle * M * w)
        v = np.repeat(bgv, cnt)
        k = len(v)
        kp = keeper[v]
        kind = rng.choice(3, k, p=[0.35, 0.15, 0.5])
        work = self.employer[kp]
        work_addr = np.where(work >= 0, self.b_addr[np.maximum(work, 0)], -1)
        rnd = rng.integers(0, self.n_addr, k)
        addr = np.select([kind == 0, kind == 1], [self.home[kp], work_addr], rnd)
        addr = np.where(addr < 0, rnd, addr)
        va, aa, ts = [v], [addr], [T0_SEC + rng.integers(0, 30 * M, k) * DAY + rng.integers(0, 24 * 3600, k)]
        for rg in self.rings:
            veh = rg.vehicles[0]
            sites = list(rg.addresses) + list(getattr(rg, "worksite", []))
            days = np.arange(0, 30 * M)
            days = days[rng.random(len(days)) < (0.5 if rg.typology in _RING_SECTOR else 0.25)]
            for j, site in enumerate(sites):
                is_work = site in getattr(rg, "worksite", [])
                hour = 7 if is_work else 5
                if rg.typology == "sexual":
                    hour = 21
                dd = days[rng.random(len(days)) < (0.8 if j == 0 or is_work else 0.4)]
                va.append(np.full(len(dd), veh))
                aa.append(np.full(len(dd), site))
                ts.append(T0_SEC + dd * DAY + hour * 3600 + rng.integers(0, 5400, len(dd)))
            # and elsewhere, like any vehicle
            k2 = 3 * M
            va.append(np.full(k2, veh))
            aa.append(rng.integers(0, self.n_addr, k2))
            ts.append(T0_SEC + rng.integers(0, 30 * M, k2) * DAY + rng.integers(0, 86400, k2))
        self.links["SEEN_AT"] = dict(
            src=np.concatenate(va).astype(np.int64),
            dst=np.concatenate(aa).astype(np.int64),
            ts=np.concatenate(ts).astype(np.int64),
        )

    def located(self) -> None:
        nb = len(self.b_sector)
        self.links["LOCATED_AT"] = dict(src=np.arange(nb, dtype=np.int64), dst=self.b_addr.astype(np.int64))

    def hide(self) -> None:
        """Mark the links that never reach any agency (the missing-data rate)."""
        m = self.p.missing_links
        for name in sorted(self.links):
            ln = self.links[name]
            ln["hidden"] = self.rng.random(len(ln["src"])) < m

    def identities(self) -> None:
        rng, n = self.rng, self.p.people
        perm = rng.permutation(n)
        width = max(7, len(str(n)))
        self.pid = cat("P", zpad(perm + 1, width))
        # HMRC rules: neither letter D, F, I, Q, U or V; O never second; some pairs never issued
        first, second = "ABCEGHJKLMNOPRSTWXYZ", "ABCEGHJKLMNPRSTWXYZ"
        prefixes = np.array([a + b for a in first for b in second if a + b not in _NINO_UNISSUED])
        nums = rng.integers(0, 10**6, n)
        nino = cat(
            pa.array(prefixes[rng.integers(0, len(prefixes), n)]),
            zpad(nums, 6),
            pa.array(np.array(list("ABCD"))[rng.integers(0, 4, n)]),
        )
        has = self.age_all >= 16
        # victims of a ring often share one borrowed National Insurance number, or have none
        src_idx = np.arange(n)
        for rg in self.rings:
            v = np.array(rg.victims, np.int64)
            if rg.typology == "criminal_county_lines" or not len(v):
                continue
            src_idx[v[rng.random(len(v)) < 0.5]] = v[0]
            has[v[rng.random(len(v)) < 0.3]] = False
        nino = nino.take(pa.array(src_idx))
        self.nino = pc.if_else(pa.array(has), nino, pa.nulls(n, pa.string()))

    def finish(self) -> World:
        return World(
            params=self.p,
            n_people=self.p.people,
            first=self.first,
            last=self.last,
            sex=self.sex,
            dob=self.dob,
            nat=self.nat,
            role=self.role,
            ring=self.ring,
            home=self.home,
            nino=self.nino,
            pid=self.pid,
            a_street=self.a_street,
            a_number=self.a_number,
            a_flat=self.a_flat,
            a_kind=self.a_kind,
            a_licensed=self.a_licensed,
            a_postcode=self.a_postcode,
            a_town=self.a_town,
            a_lat=self.a_lat,
            a_lon=self.a_lon,
            a_line=self.a_line,
            a_id=self.a_id,
            s_name=self.s_name,
            s_type=self.s_type,
            ph_id=self.ph_id,
            ph_land=self.ph_land,
            ac_sort=self.ac_sort,
            ac_num=self.ac_num,
            ac_kind=self.ac_kind,
            ac_opened=self.ac_opened,
            ac_id=self.ac_id,
            b_number=self.b_number,
            b_name=self.b_name,
            b_sector=self.b_sector,
            b_addr=self.b_addr,
            b_account=self.b_account,
            v_vrm=self.v_vrm,
            v_make=self.v_make,
            v_colour=self.v_colour,
            links=self.links,
            rings=self.rings,
            b_role=self.b_role,
            a_landlord=self.a_landlord,
            a_agent=self.a_agent,
            a_group=np.r_[self.d_group, np.zeros(self.n_addr - len(self.d_group), np.int8)],
        )


def _dedupe(link: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Keep the first row of each (src, dst) pair."""
    key = link["src"].astype(np.int64) * (int(link["dst"].max(initial=0)) + 1) + link["dst"]
    _, first = np.unique(key, return_index=True)
    first = np.sort(first)
    return {k: v[first] for k, v in link.items()}


def build_world(params: CaseParams) -> World:
    """Draw the true world of a case from `params` (deterministic in ``params.seed``).

    Notes
    -----
    Time and memory are linear in the number of people and events.
    """
    check_type(params, CaseParams, param="params", func="build_world", expected="a CaseParams")
    b = _Builder(params)
    b.plan_rings()
    b.people()
    b.cast_rings()
    b.plan_businesses()
    b.addresses()
    b.residence()
    b.social()
    b.phones()
    b.work()
    b.accounts()
    b.vehicles()
    b.located()
    b.payments()
    b.calls()
    b.sightings()
    b.hide()
    b.identities()
    return b.finish()
