"""Render the true world into noisy agency extracts, the entity truth and the true canonical tables.

Every raw row is drawn from true links that reach the agency (links flagged
``hidden`` never do). Noise is applied per rendered field, independently per
row, so duplicated records may conflict. See ``docs/sources.md`` for the output
contract and the normal forms of identifiers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from crimnet.errors import check_type
from crimnet.synthetic import names as N
from crimnet.synthetic.strings import blank, cat, digit_typo, fmt_days, fmt_secs, pick_in_group, take, typo, where
from crimnet.synthetic.strings import zpad as _zpad
from crimnet.synthetic.world import T0_DAY, World

__all__ = ["SOURCES", "Rendered", "render"]

SOURCES: tuple[str, ...] = (
    "police_intel",
    "council_tenancy",
    "bank_customers",
    "bank_transactions",
    "company_register",
    "payroll",
    "vehicle_keepers",
    "anpr_reads",
    "call_records",
)
"""File stems of the raw extracts, in the order they are written."""

_ENTITY_TYPES = ("Person", "Phone", "Address", "Account", "Business", "Vehicle")

_BST_START = int(np.datetime64("2025-03-30T01:00:00", "s").astype(np.int64))
_BST_END = int(np.datetime64("2025-10-26T01:00:00", "s").astype(np.int64))


@dataclass
class Rendered:
    """Raw extracts, entity truth rows and link assertions of one case."""

    raw: dict[str, pa.Table] = field(default_factory=dict)
    # entity truth: one block per (source, entity column): source, type, world index, field name, raw row
    ent_source: list[str] = field(default_factory=list)
    rid_fmt: dict[str, tuple[str, int]] = field(default_factory=dict)
    ent_type: list[str] = field(default_factory=list)
    ent_index: list[np.ndarray] = field(default_factory=list)
    ent_field: list[str] = field(default_factory=list)
    ent_row: list[np.ndarray] = field(default_factory=list)
    # link assertions: rel type -> list of (src index, dst index, source, raw row positions)
    asserts: dict[str, list[tuple[np.ndarray, np.ndarray, str, np.ndarray]]] = field(default_factory=dict)
    # event links: rel type -> (event index of each raw row, source)
    events: dict[str, tuple[np.ndarray, str]] = field(default_factory=dict)

    def entity(
        self, source: str, records: pa.Array, etype: str, index: np.ndarray, fieldname: str, present: np.ndarray
    ) -> None:
        present = np.asarray(present, bool) & (np.asarray(index) >= 0)
        sel = np.flatnonzero(present)
        self.ent_source.append(source)
        self.ent_type.append(etype)
        self.ent_index.append(np.asarray(index, np.int64)[sel])
        self.ent_field.append(fieldname)
        self.ent_row.append(sel)

    def asserts_link(
        self, rel: str, src: np.ndarray, dst: np.ndarray, source: str, records: pa.Array, present: np.ndarray
    ) -> None:
        sel = np.flatnonzero(np.asarray(present, bool) & (src >= 0) & (dst >= 0))
        self.asserts.setdefault(rel, []).append((src[sel], dst[sel], source, sel))

    def record_ids(self, source: str, rows: np.ndarray) -> pa.Array:
        """Record ids of rows (0-based positions) of a raw extract."""
        prefix, width = self.rid_fmt[source]
        return cat(prefix, _zpad(np.asarray(rows, np.int64) + 1, width))


class _Renderer:
    def __init__(self, world: World, rng: np.random.Generator, emit=None) -> None:
        self.emit = emit if emit is not None else self._keep
        self.w = world
        self.p = world.params
        self.rng = rng
        self.out = Rendered()
        # visible-link lookups
        L = world.links
        self.vis = {k: ~v["hidden"] for k, v in L.items()}
        lv = L["LIVES_AT"]
        self.n_addr = len(world.a_id)
        vl = self.vis["LIVES_AT"]
        self.lives_keys = np.sort(lv["src"][vl] * self.n_addr + lv["dst"][vl])
        self._variants()

    # ------------------------------------------------------------ helpers
    def _keep(self, source: str, table: pa.Table) -> None:
        self.out.raw[source] = table

    def _visible_home(self, persons: np.ndarray) -> np.ndarray:
        """The person's current home if that link reaches agencies, else -1."""
        h = self.w.home[persons]
        key = persons * self.n_addr + np.maximum(h, 0)
        pos = np.searchsorted(self.lives_keys, key)
        ok = (
            (h >= 0)
            & (pos < len(self.lives_keys))
            & (self.lives_keys[np.minimum(pos, len(self.lives_keys) - 1)] == key)
        )
        return np.where(ok, h, -1)

    def _visible_pick(self, rel: str, persons: np.ndarray) -> np.ndarray:
        """A random visible partner (phone, vehicle...) of each person, or -1."""
        ln = self.w.links[rel]
        v = self.vis[rel]
        return pick_in_group(ln["dst"][v], ln["src"][v], persons, self.rng)

    def _variants(self) -> None:
        keys: list[str] = []
        flat: list[str] = []
        off: list[int] = []
        cnt: list[int] = []
        for k in sorted(N.VARIANTS):
            keys.append(k)
            off.append(len(flat))
            cnt.append(len(N.VARIANTS[k]))
            flat.extend(N.VARIANTS[k])
        self.v_keys = pa.array(keys)
        self.v_flat = pa.array(flat)
        self.v_off = np.array(off)
        self.v_cnt = np.array(cnt)

    def _variant(self, names: pa.Array, mask: np.ndarray) -> tuple[pa.Array, np.ndarray]:
        """Replace masked names that have a known variant; return names and which were replaced."""
        ix = pc.index_in(names, value_set=self.v_keys)
        ixn = np.asarray(pc.fill_null(ix, -1).to_numpy(zero_copy_only=False), np.int64)
        ok = mask & (ixn >= 0)
        j = self.v_off[np.maximum(ixn, 0)] + (self.rng.random(len(ixn)) * self.v_cnt[np.maximum(ixn, 0)]).astype(
            np.int64
        )
        repl = self.v_flat.take(pa.array(np.where(ok, j, 0)))
        return pc.if_else(pa.array(ok), repl, names), ok

    def names(self, persons: np.ndarray) -> tuple[pa.Array, pa.Array, np.ndarray]:
        """Noisy (first, last) of `persons` and a mask of rows whose tokens should be swapped."""
        rng, k = self.rng, len(persons)
        first = self.w.first.take(pa.array(persons))
        last = self.w.last.take(pa.array(persons))
        noisy = rng.random(k) < self.p.name_noise
        kind = rng.integers(0, 4, k)  # 0 typo first, 1 typo last, 2 variant, 3 swap
        first, vf = self._variant(first, noisy & (kind == 2))
        last, vl = self._variant(last, noisy & (kind == 2) & ~vf)
        # a variant was wanted but none exists: make a typo instead
        fallback = noisy & (kind == 2) & ~vf & ~vl
        first = typo(first, noisy & ((kind == 0) | fallback), rng)
        last = typo(last, noisy & (kind == 1), rng)
        return first, last, noisy & (kind == 3)

    def dob(self, persons: np.ndarray) -> np.ndarray:
        """Dates of birth (days) with day/month swaps and off-by-one errors at the field-noise rate."""
        rng = self.rng
        d = self.w.dob[persons].astype(np.int64)
        noisy = rng.random(len(d)) < self.p.field_noise
        dt = d.astype("datetime64[D]")
        M = dt.astype("datetime64[M]")
        Y = dt.astype("datetime64[Y]")
        mon = (M - Y).astype(np.int64) + 1
        day = (dt - M).astype(np.int64) + 1
        swapped = (
            (Y.astype(np.int64) * 12 + (day - 1)).astype("datetime64[M]").astype("datetime64[D]") + (mon - 1)
        ).astype(np.int64)
        off = d + rng.choice([-1, 1, -365, 365, -3650], len(d))
        alt = np.where((day <= 12) & (day != mon), swapped, off)
        return np.where(noisy, alt, d)

    def phone_text(self, phones: np.ndarray, styles: tuple[int, ...]) -> pa.Array:
        """Phone numbers written in one of `styles` per row, with digit typos."""
        rng = self.rng
        e164 = self.w.ph_id.take(pa.array(np.maximum(phones, 0)))
        d = pc.utf8_slice_codeunits(e164, 3)
        a, b = pc.utf8_slice_codeunits(d, 0, 4), pc.utf8_slice_codeunits(d, 4)
        land = self.w.ph_land[np.maximum(phones, 0)]
        forms = {
            0: pc.if_else(pa.array(land), cat("(0", a, ") ", b), cat("0", a, " ", b)),
            1: cat("+44 ", a, " ", b),
            2: cat("44", d),
            3: cat("0", d),
            4: e164,
        }
        st = np.array(styles)[rng.integers(0, len(styles), len(phones))]
        out = forms[styles[0]]
        for s in styles[1:]:
            out = pc.if_else(pa.array(st == s), forms[s], out)
        # typos only in the local number: the area code stays the fictional 01632
        out = digit_typo(out, rng.random(len(phones)) < self.p.field_noise, rng, last_digits=6)
        return blank(out, phones < 0)

    def address_text(self, addrs: np.ndarray) -> pa.Array:
        """First lines of addresses in varied clerical styles, with street typos and lost flat numbers."""
        rng, w = self.rng, self.w
        k = len(addrs)
        a = np.maximum(addrs, 0)
        street = w.s_name.take(pa.array(w.a_street[a]))
        noisy = rng.random(k) < self.p.field_noise
        nkind = rng.integers(0, 3, k)
        street = typo(street, noisy & (nkind < 2), rng)
        stype = w.s_type[w.a_street[a]]
        full = take([t[0] for t in N.STREET_TYPES], stype)
        abbr = take([t[1] for t in N.STREET_TYPES], stype)
        typ = where(rng.random(k) < 0.3, abbr, full)
        flat = w.a_flat[a]
        flat = np.where(noisy & (nkind == 2), 0, flat)
        base = cat(pa.array(w.a_number[a].astype(str)), " ", street, " ", typ)
        fs = rng.integers(0, 3, k)
        ftxt = pa.array(flat.astype(str))
        line = pc.if_else(
            pa.array(fs == 0),
            cat("Flat ", ftxt, ", ", base),
            pc.if_else(pa.array(fs == 1), cat(base, " Flat ", ftxt), cat(base, ", Flat ", ftxt)),
        )
        line = pc.if_else(pa.array(flat > 0), line, base)
        line = pc.if_else(pa.array(rng.random(k) < 0.3), pc.utf8_upper(line), line)
        return blank(line, addrs < 0)

    def postcode_text(self, addrs: np.ndarray) -> pa.Array:
        rng, k = self.rng, len(addrs)
        pcode = self.w.a_postcode.take(pa.array(np.maximum(addrs, 0)))
        nospace = pc.replace_substring(pcode, " ", "")
        st = rng.integers(0, 5, k)
        out = pc.if_else(pa.array(st == 1), nospace, pcode)
        out = pc.if_else(pa.array(st == 2), pc.utf8_lower(pcode), out)
        out = pc.if_else(pa.array(st == 3), pc.utf8_lower(nospace), out)
        out = pc.if_else(pa.array(st == 4), pc.replace_substring(pcode, " ", "  "), out)
        out = typo(out, rng.random(k) < self.p.field_noise, rng)
        return blank(out, addrs < 0)

    def vrm_text(self, veh: np.ndarray) -> pa.Array:
        rng, k = self.rng, len(veh)
        v = self.w.v_vrm.take(pa.array(np.maximum(veh, 0)))
        spaced = cat(pc.utf8_slice_codeunits(v, 0, 4), " ", pc.utf8_slice_codeunits(v, 4))
        st = rng.integers(0, 4, k)
        out = pc.if_else(pa.array(st == 1), spaced, v)
        out = pc.if_else(pa.array(st == 2), pc.utf8_lower(spaced), out)
        out = pc.if_else(pa.array(st == 3), pc.utf8_lower(v), out)
        out = typo(out, rng.random(k) < self.p.field_noise, rng)
        return blank(out, veh < 0)

    def blanks(self, k: int) -> np.ndarray:
        return self.rng.random(k) < self.p.blank_rate

    def dup_shuffle(self, k: int, persons: bool) -> np.ndarray:
        """Row indices after duplicating some rows (person sources) and shuffling."""
        idx = np.arange(k)
        if persons and self.p.duplicate_rate > 0:
            idx = np.r_[idx, np.flatnonzero(self.rng.random(k) < self.p.duplicate_rate)]
        return idx[self.rng.permutation(len(idx))]

    def ids(self, source: str, prefix: str, k: int, width: int) -> pa.Array:
        self.out.rid_fmt[source] = (prefix, width)
        return cat(prefix, _zpad(np.arange(1, k + 1), width))

    # ------------------------------------------------------------ sources
    def police_intel(self) -> None:
        w, rng, p = self.w, self.rng, self.p
        n = w.n_people
        perp = (w.role != 4) & (w.role != 3)
        prob = np.select([perp, w.role == 3], [p.intel_perpetrator, p.intel_victim], p.intel_background)
        prob = np.where(w.dob > T0_DAY - 12 * 365, 0.0, prob)  # no intelligence records on young children
        who = np.flatnonzero(rng.random(n) < prob)
        cnt = np.minimum((rng.pareto(1.5, len(who)) + 1).astype(np.int64), 6)
        persons = np.repeat(who, cnt)
        rows = self.dup_shuffle(len(persons), True)
        persons = persons[rows]
        k = len(persons)
        rid = self.ids("police_intel", "URN", k, 8)
        first, last, swap = self.names(persons)
        sur, fore = pc.if_else(pa.array(swap), first, last), pc.if_else(pa.array(swap), last, first)
        phone = self._visible_pick("USES_PHONE", persons)
        phone = np.where(self.blanks(k), -1, phone)
        addr = self._visible_home(persons)
        addr = np.where(self.blanks(k), -1, addr)
        veh = self._visible_pick("KEEPS", persons)
        veh = np.where(rng.random(k) < 0.5, veh, -1)
        dob = self.dob(persons)
        dob_blank = self.blanks(k)
        nat = np.array([x[1] for x in N.NATIONALITIES])[w.nat[persons]]
        nat_blank = self.blanks(k)
        gender = np.where(w.sex[persons] == 1, "F", "M")
        gender = np.where(rng.random(k) < 0.03, "U", gender)
        t = pa.table(
            {
                "URN": rid,
                "SURNAME": pc.utf8_upper(sur),
                "FORENAMES": fore,
                "DOB": blank(fmt_days(dob, "%d/%m/%Y"), dob_blank),
                "NATIONALITY": blank(pa.array(nat), nat_blank),
                "GENDER": pa.array(gender),
                "PHONE": self.phone_text(phone, (0, 1, 2, 3)),
                "ADDRESS": self.address_text(addr),
                "POSTCODE": self.postcode_text(np.where(self.blanks(k), -1, addr)),
                "VRM": self.vrm_text(veh),
                "INTEL_DATE": fmt_days(T0_DAY - 700 + rng.integers(0, 700 + 30 * p.months, k), "%d/%m/%Y"),
            }
        )
        s = "police_intel"
        self.emit(s, t)
        ones = np.ones(k, bool)
        self.out.entity(s, rid, "Person", persons, "URN", ones)
        self.out.entity(s, rid, "Phone", phone, "PHONE", phone >= 0)
        self.out.entity(s, rid, "Address", addr, "ADDRESS", addr >= 0)
        self.out.entity(s, rid, "Vehicle", veh, "VRM", veh >= 0)
        self.out.asserts_link("USES_PHONE", persons, phone, s, rid, phone >= 0)
        self.out.asserts_link("LIVES_AT", persons, addr, s, rid, addr >= 0)
        self.out.asserts_link("KEEPS", persons, veh, s, rid, veh >= 0)

    def council_tenancy(self) -> None:
        w, rng = self.w, self.rng
        ln = w.links["LIVES_AT"]
        sel = np.flatnonzero(self.vis["LIVES_AT"])
        rows = sel[self.dup_shuffle(len(sel), True)]
        persons, addr = ln["src"][rows], ln["dst"][rows]
        k = len(rows)
        rid = self.ids("council_tenancy", "TEN", k, 8)
        first, last, swap = self.names(persons)
        style = rng.random(k) < 0.4
        a, b = pc.if_else(pa.array(swap), last, first), pc.if_else(pa.array(swap), first, last)
        name = pc.if_else(pa.array(style), cat(pc.utf8_upper(b), ", ", a), cat(a, " ", b))
        town = take([t[0] for t in N.TOWNS], w.a_town[addr])
        start = ln["start"][rows]
        end = ln["end"][rows]
        t = pa.table(
            {
                "tenancy_ref": rid,
                "occupant_name": name,
                "date_of_birth": blank(fmt_days(self.dob(persons), "%Y-%m-%d"), self.blanks(k)),
                "property_address": cat(self.address_text(addr), ", ", town),
                "post_code": self.postcode_text(addr),
                "hmo_licence": where(w.a_licensed[addr], "Y", "N"),
                "start_date": fmt_days(start, "%Y-%m-%d"),
                "end_date": blank(fmt_days(np.maximum(end, 0), "%Y-%m-%d"), end < 0),
            }
        )
        s = "council_tenancy"
        self.emit(s, t)
        ones = np.ones(k, bool)
        self.out.entity(s, rid, "Person", persons, "tenancy_ref", ones)
        self.out.entity(s, rid, "Address", addr, "property_address", ones)
        self.out.asserts_link("LIVES_AT", persons, addr, s, rid, ones)

    def bank_customers(self) -> None:
        w, rng = self.w, self.rng
        ln = w.links["HOLDS"]
        sel = np.flatnonzero(self.vis["HOLDS"])
        rows = sel[self.dup_shuffle(len(sel), True)]
        persons, acc = ln["src"][rows], ln["dst"][rows]
        k = len(rows)
        rid = self.ids("bank_customers", "C", k, 9)
        first, last, swap = self.names(persons)
        a, b = pc.if_else(pa.array(swap), last, first), pc.if_else(pa.array(swap), first, last)
        sex = w.sex[persons]
        title = np.where(sex == 1, np.array(["Mrs", "Ms", "Miss"])[rng.integers(0, 3, k)], "Mr")
        title = np.where(rng.random(k) < 0.05, "Dr", title)
        has_t = rng.random(k) < 0.6
        name = pc.if_else(pa.array(has_t), cat(pa.array(title), " ", a, " ", b), cat(a, " ", b))
        sort = _zpad(w.ac_sort[acc], 6)
        sort_txt = pc.if_else(
            pa.array(rng.random(k) < 0.5),
            cat(
                pc.utf8_slice_codeunits(sort, 0, 2),
                "-",
                pc.utf8_slice_codeunits(sort, 2, 4),
                "-",
                pc.utf8_slice_codeunits(sort, 4, 6),
            ),
            sort,
        )
        num = w.ac_num[acc]
        num_txt = pc.if_else(pa.array(rng.random(k) < 0.3), pa.array(num.astype(str)), _zpad(num, 8))
        iban = _iban(w.ac_sort[acc], num)
        iban = blank(iban, (rng.random(k) < 0.5) | self.blanks(k))
        phone = self._visible_pick("USES_PHONE", persons)
        phone = np.where(self.blanks(k), -1, phone)
        addr = self._visible_home(persons)
        addr = np.where(self.blanks(k), -1, addr)
        t = pa.table(
            {
                "customer_ref": rid,
                "full_name": name,
                "birth_date": blank(fmt_days(self.dob(persons), "%Y%m%d"), self.blanks(k)),
                "sort_code": sort_txt,
                "account_number": num_txt,
                "iban": iban,
                "mobile": self.phone_text(phone, (0, 1, 2, 3, 4)),
                "home_address": self.address_text(addr),
                "home_postcode": self.postcode_text(addr),
                "opened": fmt_days(w.ac_opened[acc], "%Y-%m-%d"),
            }
        )
        s = "bank_customers"
        self.emit(s, t)
        ones = np.ones(k, bool)
        self.out.entity(s, rid, "Person", persons, "customer_ref", ones)
        self.out.entity(s, rid, "Account", acc, "account_number", ones)
        self.out.entity(s, rid, "Phone", phone, "mobile", phone >= 0)
        self.out.entity(s, rid, "Address", addr, "home_address", addr >= 0)
        self.out.asserts_link("HOLDS", persons, acc, s, rid, ones)
        self.out.asserts_link("USES_PHONE", persons, phone, s, rid, phone >= 0)
        self.out.asserts_link("LIVES_AT", persons, addr, s, rid, addr >= 0)

    def bank_transactions(self) -> None:
        w, rng = self.w, self.rng
        ln = w.links["PAID"]
        sel = np.flatnonzero(self.vis["PAID"])
        rows = sel[rng.permutation(len(sel))]
        k = len(rows)
        rid = self.ids("bank_transactions", "TX", k, 10)
        f, t_ = ln["src"][rows], ln["dst"][rows]

        def sort_txt(acc):
            s = _zpad(w.ac_sort[acc], 6)
            dash = cat(
                pc.utf8_slice_codeunits(s, 0, 2),
                "-",
                pc.utf8_slice_codeunits(s, 2, 4),
                "-",
                pc.utf8_slice_codeunits(s, 4, 6),
            )
            return pc.if_else(pa.array(rng.random(len(acc)) < 0.5, pa.bool_()), dash, s)

        def num_txt(acc):
            num = w.ac_num[acc]
            return pc.if_else(pa.array(rng.random(len(acc)) < 0.2), pa.array(num.astype(str)), _zpad(num, 8))

        amt = ln["amount"][rows]
        pounds, pence = amt // 100, amt % 100
        plain = cat(pa.array(pounds.astype(str)), ".", _zpad(pence, 2))
        th = pounds // 1000
        grouped = pc.if_else(
            pa.array(th > 0), cat(pa.array(th.astype(str)), ",", _zpad(pounds % 1000, 3)), pa.array(pounds.astype(str))
        )
        fancy = cat("£", grouped, ".", _zpad(pence, 2))
        amount = pc.if_else(pa.array(rng.random(k) < 0.3), fancy, plain)
        ts = ln["ts"][rows]
        local = ts + np.where((ts >= _BST_START) & (ts < _BST_END), 3600, 0)
        t = pa.table(
            {
                "txn_id": rid,
                "from_sort_code": sort_txt(f),
                "from_account": num_txt(f),
                "to_sort_code": sort_txt(t_),
                "to_account": num_txt(t_),
                "amount": amount,
                "currency": pa.array(np.full(k, "GBP")),
                "posted_at": fmt_secs(local, "%d/%m/%Y %H:%M:%S"),
                "reference": ln["reference"].take(pa.array(rows)),
            }
        )
        s = "bank_transactions"
        self.emit(s, t)
        ones = np.ones(k, bool)
        self.out.entity(s, rid, "Account", f, "from_account", ones)
        self.out.entity(s, rid, "Account", t_, "to_account", ones)
        self.out.events["PAID"] = (rows, s)

    def company_register(self) -> None:
        w = self.w
        ln = w.links["DIRECTS"]
        sel = np.flatnonzero(self.vis["DIRECTS"])
        rows = sel[self.dup_shuffle(len(sel), False)]
        persons, biz = ln["src"][rows], ln["dst"][rows]
        k = len(rows)
        rid = self.ids("company_register", "OFF", k, 7)
        first, last, swap = self.names(persons)
        a, b = pc.if_else(pa.array(swap), last, first), pc.if_else(pa.array(swap), first, last)
        loc = w.links["LOCATED_AT"]
        loc_vis = np.zeros(len(w.b_sector), bool)
        loc_vis[loc["src"][self.vis["LOCATED_AT"]]] = True
        addr = np.where(loc_vis[biz], w.b_addr[biz], -1)
        sic = np.array([N.SECTORS[s][0] for s in N.SECTORS])[w.b_sector[biz]]
        demonym = np.array([x[2] for x in N.NATIONALITIES])[w.nat[persons]]
        t = pa.table(
            {
                "officer_id": rid,
                "company_number": w.b_number.take(pa.array(biz)),
                "company_name": w.b_name.take(pa.array(biz)),
                "sic_code": pa.array(sic),
                "registered_address": self.address_text(addr),
                "registered_postcode": self.postcode_text(addr),
                "officer_name": cat(pc.utf8_upper(b), ", ", a),
                "officer_birth": fmt_days(self.dob(persons), "%m/%Y"),
                "officer_role": pa.array(np.where(ln["role"][rows] == 0, "director", "secretary")),
                "appointed_on": fmt_days(ln["appointed"][rows], "%Y-%m-%d"),
                "nationality": blank(pa.array(demonym), self.blanks(k)),
            }
        )
        s = "company_register"
        self.emit(s, t)
        ones = np.ones(k, bool)
        self.out.entity(s, rid, "Person", persons, "officer_id", ones)
        self.out.entity(s, rid, "Business", biz, "company_number", ones)
        self.out.entity(s, rid, "Address", addr, "registered_address", addr >= 0)
        self.out.asserts_link("DIRECTS", persons, biz, s, rid, ones)
        self.out.asserts_link("LOCATED_AT", biz, addr, s, rid, addr >= 0)

    def payroll(self) -> None:
        w = self.w
        ln = w.links["WORKS_AT"]
        sel = np.flatnonzero(self.vis["WORKS_AT"])
        rows = sel[self.dup_shuffle(len(sel), True)]
        persons, biz, acc = ln["src"][rows], ln["dst"][rows], ln["account"][rows]
        k = len(rows)
        rid = self.ids("payroll", "PAY", k, 9)
        first, last, swap = self.names(persons)
        a, b = pc.if_else(pa.array(swap), last, first), pc.if_else(pa.array(swap), first, last)
        # a hidden HOLDS link is not asserted here either
        hl = w.links["HOLDS"]
        holder = np.full(len(w.ac_id), -1, np.int64)
        holder[hl["dst"]] = hl["src"]
        hid = np.zeros(len(w.ac_id), bool)
        hid[hl["dst"][hl["hidden"]]] = True
        a0 = np.maximum(acc, 0)
        acc = np.where(self.blanks(k) | ((acc >= 0) & hid[a0] & (holder[a0] == persons)), -1, acc)
        sort = blank(_zpad(w.ac_sort[np.maximum(acc, 0)], 6), acc < 0)
        num = blank(_zpad(w.ac_num[np.maximum(acc, 0)], 8), acc < 0)
        year = T0_DAY // 1  # tax year of the window start (6 April boundary)
        dt = np.datetime64(int(year), "D")
        y = int(str(dt)[:4])
        m_d = str(dt)[5:]
        ty = f"{y}-{(y + 1) % 100:02d}" if m_d >= "04-06" else f"{y - 1}-{y % 100:02d}"
        t = pa.table(
            {
                "line_id": rid,
                "employer_company_number": w.b_number.take(pa.array(biz)),
                "employee_name": cat(a, " ", b),
                "nino": blank(w.nino.take(pa.array(persons)), self.blanks(k)),
                "employee_dob": blank(fmt_days(self.dob(persons), "%d-%m-%Y"), self.blanks(k)),
                "pay_sort_code": sort,
                "pay_account": num,
                "tax_year": pa.array(np.full(k, ty)),
            }
        )
        s = "payroll"
        self.emit(s, t)
        ones = np.ones(k, bool)
        self.out.entity(s, rid, "Person", persons, "line_id", ones)
        self.out.entity(s, rid, "Business", biz, "employer_company_number", ones)
        self.out.entity(s, rid, "Account", acc, "pay_account", acc >= 0)
        self.out.asserts_link("WORKS_AT", persons, biz, s, rid, ones)
        self.out.asserts_link("HOLDS", persons, acc, s, rid, acc >= 0)

    def vehicle_keepers(self) -> None:
        w = self.w
        ln = w.links["KEEPS"]
        sel = np.flatnonzero(self.vis["KEEPS"])
        rows = sel[self.dup_shuffle(len(sel), True)]
        persons, veh = ln["src"][rows], ln["dst"][rows]
        k = len(rows)
        rid = self.ids("vehicle_keepers", "VK", k, 8)
        first, last, swap = self.names(persons)
        a, b = pc.if_else(pa.array(swap), last, first), pc.if_else(pa.array(swap), first, last)
        addr = self._visible_home(persons)
        addr = np.where(self.blanks(k), -1, addr)
        t = pa.table(
            {
                "keeper_record": rid,
                "registration": self.vrm_text(veh),
                "make": take(N.MAKES, w.v_make[veh]),
                "colour": take(N.COLOURS, w.v_colour[veh]),
                "keeper_name": cat(a, " ", b),
                "keeper_dob": blank(fmt_days(self.dob(persons), "%d/%m/%Y"), self.blanks(k)),
                "keeper_address": self.address_text(addr),
                "keeper_postcode": self.postcode_text(addr),
            }
        )
        s = "vehicle_keepers"
        self.emit(s, t)
        ones = np.ones(k, bool)
        self.out.entity(s, rid, "Person", persons, "keeper_record", ones)
        self.out.entity(s, rid, "Vehicle", veh, "registration", ones)
        self.out.entity(s, rid, "Address", addr, "keeper_address", addr >= 0)
        self.out.asserts_link("KEEPS", persons, veh, s, rid, ones)
        self.out.asserts_link("LIVES_AT", persons, addr, s, rid, addr >= 0)

    def anpr_reads(self) -> None:
        w, rng = self.w, self.rng
        ln = w.links["SEEN_AT"]
        sel = np.flatnonzero(self.vis["SEEN_AT"])
        rows = sel[rng.permutation(len(sel))]
        k = len(rows)
        rid = self.ids("anpr_reads", "ANPR", k, 10)
        veh, addr = ln["src"][rows], ln["dst"][rows]
        t = pa.table(
            {
                "read_id": rid,
                "vrm": self.vrm_text(veh),
                "location_address": self.address_text(addr),
                "location_postcode": self.postcode_text(addr),
                "read_at": fmt_secs(ln["ts"][rows], "%Y-%m-%dT%H:%M:%SZ"),
            }
        )
        s = "anpr_reads"
        self.emit(s, t)
        ones = np.ones(k, bool)
        self.out.entity(s, rid, "Vehicle", veh, "vrm", ones)
        self.out.entity(s, rid, "Address", addr, "location_address", ones)
        self.out.events["SEEN_AT"] = (rows, s)

    def call_records(self) -> None:
        w, rng = self.w, self.rng
        ln = w.links["CALLED"]
        sel = np.flatnonzero(self.vis["CALLED"])
        rows = sel[rng.permutation(len(sel))]
        k = len(rows)
        rid = self.ids("call_records", "CDR", k, 10)
        f, t_ = ln["src"][rows], ln["dst"][rows]
        t = pa.table(
            {
                "cdr_id": rid,
                "calling_number": pc.utf8_slice_codeunits(w.ph_id.take(pa.array(f)), 1),
                "called_number": pc.utf8_slice_codeunits(w.ph_id.take(pa.array(t_)), 1),
                "call_start": fmt_secs(ln["ts"][rows], "%Y-%m-%dT%H:%M:%SZ"),
                "duration_sec": pa.array(ln["duration"][rows].astype(np.int64)),
            }
        )
        s = "call_records"
        self.emit(s, t)
        ones = np.ones(k, bool)
        self.out.entity(s, rid, "Phone", f, "calling_number", ones)
        self.out.entity(s, rid, "Phone", t_, "called_number", ones)
        self.out.events["CALLED"] = (rows, s)


def _iban(sort: np.ndarray, num: np.ndarray) -> pa.Array:
    """GB IBANs ``GBkk BANK SSSSSS AAAAAAAA`` with valid ISO 7064 mod-97 check digits (bank code ``CRMB``)."""
    bank = "CRMB"
    digits = "".join(str(ord(c) - 55) for c in bank)  # letters as numbers
    # remainder of BANK digits, then sort code, account, 'GB00' -> 161100
    r = np.full(len(sort), int(digits) % 97, np.int64)
    for block, width in ((sort, 6), (num, 8)):
        r = (r * 10**width + block) % 97
    r = (r * 10**6 + 161100) % 97
    check = 98 - r
    return cat("GB", _zpad(check, 2), bank, _zpad(sort, 6), _zpad(num, 8))


def render(world: World, *, seed: int, emit: Callable[[str, pa.Table], None] | None = None) -> Rendered:
    """Render every agency extract of `world` with noise drawn from `seed`.

    Each extract is handed to ``emit(source, table)`` as soon as it is drawn (to
    write it and free memory); without `emit` they are kept in ``Rendered.raw``.
    """
    check_type(world, World, param="world", func="render", expected="a World")
    rng = np.random.Generator(np.random.PCG64([seed, 1]))
    r = _Renderer(world, rng, emit)
    r.police_intel()
    r.council_tenancy()
    r.bank_customers()
    r.bank_transactions()
    r.company_register()
    r.payroll()
    r.vehicle_keepers()
    r.anpr_reads()
    r.call_records()
    return r.out
