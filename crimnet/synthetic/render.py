"""Render the true world into noisy agency extracts, the entity truth and the true canonical tables.

Every raw row is drawn from true links that reach the agency (links flagged
``hidden`` never do). Noise is applied per rendered field, independently per
row, so duplicated records may conflict. See ``docs/sources.md`` for the output
contract and the normal forms of identifiers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from crimnet.errors import check_type
from crimnet.synthetic import names as N
from crimnet.synthetic.dialects import decimal_comma, month_year
from crimnet.synthetic.listed import Listed, draw_listed
from crimnet.synthetic.strings import blank, cat, digit_typo, fmt_days, fmt_secs, pick_in_group, take, typo, where
from crimnet.synthetic.strings import zpad as _zpad
from crimnet.synthetic.victim_lists import LAYOUTS
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
    # a suffix of each entity row's record id ('#<node>' or '#<node>.<n>'), None for the row's own id
    ent_suffix: list[pa.Array | None] = field(default_factory=list)
    dialects: dict[str, str] = field(default_factory=dict)
    # link assertions: rel type -> list of (src index, dst index, source, raw row positions)
    asserts: dict[str, list[tuple[np.ndarray, np.ndarray, str, np.ndarray]]] = field(default_factory=dict)
    # event links: rel type -> (event index of each raw row, source)
    events: dict[str, tuple[np.ndarray, str]] = field(default_factory=dict)
    # victim lists written (crimnet.synthetic.victim_lists), in order, and whom each recorded
    listed: Listed | None = None

    @property
    def lists(self) -> list[str]:
        """The victim lists written, in order (empty without them)."""
        return [] if self.listed is None else self.listed.lists

    @property
    def sources(self) -> tuple[str, ...]:
        """Every extract written: :data:`SOURCES`, then the victim lists."""
        return (*SOURCES, *self.lists)

    def entity(
        self,
        source: str,
        records: pa.Array,
        etype: str,
        index: np.ndarray,
        fieldname: str,
        present: np.ndarray,
        suffix: pa.Array | str | None = None,
    ) -> None:
        present = np.asarray(present, bool) & (np.asarray(index) >= 0)
        sel = np.flatnonzero(present)
        if isinstance(suffix, str):
            self.ent_suffix.append(pa.array(np.full(len(sel), suffix)))
        else:
            self.ent_suffix.append(None if suffix is None else suffix.take(pa.array(sel)))
        self.ent_source.append(source)
        self.ent_type.append(etype)
        self.ent_index.append(np.asarray(index, np.int64)[sel])
        self.ent_field.append(fieldname)
        self.ent_row.append(sel)

    def entity_rows(
        self, source: str, etype: str, index: np.ndarray, fieldname: str, rows: np.ndarray, suffix: pa.Array | None
    ) -> None:
        """Entity truth of several entities per raw row (list items): `rows` is the raw row of each."""
        self.ent_source.append(source)
        self.ent_type.append(etype)
        self.ent_index.append(np.asarray(index, np.int64))
        self.ent_field.append(fieldname)
        self.ent_row.append(np.asarray(rows, np.int64))
        self.ent_suffix.append(suffix)

    def asserts_rows(self, rel: str, src: np.ndarray, dst: np.ndarray, source: str, rows: np.ndarray) -> None:
        """Link assertions of list items: `rows` is the raw row of each (src, dst) pair."""
        self.asserts.setdefault(rel, []).append((np.asarray(src), np.asarray(dst), source, np.asarray(rows)))

    def asserts_link(
        self, rel: str, src: np.ndarray, dst: np.ndarray, source: str, records: pa.Array, present: np.ndarray
    ) -> None:
        sel = np.flatnonzero(np.asarray(present, bool) & (src >= 0) & (dst >= 0))
        self.asserts.setdefault(rel, []).append((src[sel], dst[sel], source, sel))

    def record_ids(self, source: str, rows: np.ndarray) -> pa.Array:
        """Record ids of rows (0-based positions) of a raw extract."""
        prefix, width = self.rid_fmt[source]
        return cat(prefix, _zpad(np.asarray(rows, np.int64) + 1, width))

    def block_record_ids(self, block: int) -> pa.Array:
        """Record ids of the entity rows of one block: the row's id, with its node suffix if any."""
        ids = self.record_ids(self.ent_source[block], self.ent_row[block])
        suf = self.ent_suffix[block]
        return ids if suf is None else cat(ids, suf)


class _Renderer:
    def __init__(self, world: World, rng: np.random.Generator, emit=None, dialects=None) -> None:
        self.emit = emit if emit is not None else self._keep
        self.w = world
        self.p = world.params
        self.rng = rng
        self.out = Rendered()
        self.out.dialects = {s: (dialects or {}).get(s, "standard") for s in SOURCES}
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

    def shown(self, rel: str, *, persons: bool) -> np.ndarray:
        """Rows of relationship `rel` that sources record, shuffled (and some repeated when `persons`)."""
        sel = np.flatnonzero(self.vis[rel])
        return sel[self.dup_shuffle(len(sel), persons)]

    def ids(self, source: str, prefix: str, k: int, width: int) -> pa.Array:
        self.out.rid_fmt[source] = (prefix, width)
        return cat(prefix, _zpad(np.arange(1, k + 1), width))

    def intel_subjects(self) -> np.ndarray:
        """The people police intelligence holds records on, one entry per record (any dialect)."""
        w, rng, p = self.w, self.rng, self.p
        perp = (w.role != 4) & (w.role != 3)
        prob = np.select([perp, w.role == 3], [p.intel_perpetrator, p.intel_victim], p.intel_background)
        prob = np.where(w.dob > T0_DAY - 12 * 365, 0.0, prob)  # no intelligence records on young children
        who = np.flatnonzero(rng.random(w.n_people) < prob)
        cnt = np.minimum((rng.pareto(1.5, len(who)) + 1).astype(np.int64), 6)
        persons = np.repeat(who, cnt)
        return persons[self.dup_shuffle(len(persons), True)]

    # ------------------------------------------------------------ sources
    def police_intel(self) -> None:
        w, rng, p = self.w, self.rng, self.p
        persons = self.intel_subjects()
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

    def victim_list(self, name: str, persons: np.ndarray) -> None:
        """One list of potential victims (`persons`: the victims it records) in its agency's layout."""
        lay, rng, k0 = LAYOUTS[name], self.rng, len(persons)
        persons = persons[self.dup_shuffle(k0, True)]
        k = len(persons)
        rid = self.ids(name, lay.prefix, k, lay.width)
        first, last, swap = self.names(persons)
        a, b = pc.if_else(pa.array(swap), last, first), pc.if_else(pa.array(swap), first, last)
        cols: dict[str, pa.Array] = {lay.record_id: rid}
        if len(lay.name) == 2:
            cols[lay.name[0]], cols[lay.name[1]] = a, pc.utf8_upper(b)
        else:
            cols[lay.name[0]] = cat(a, " ", b)
        if lay.dob:
            unknown = self.blanks(k) | (rng.random(k) < lay.blank_dob)
            cols[lay.dob] = blank(fmt_days(self.dob(persons), lay.dob_format), unknown)
        if lay.nationality:
            nat = np.array([x[1] for x in N.NATIONALITIES])[self.w.nat[persons]]
            cols[lay.nationality] = blank(pa.array(nat), self.blanks(k))
        if lay.sex:
            cols[lay.sex] = pa.array(np.where(self.w.sex[persons] == 1, "F", "M"))
        phone = addr = None
        if lay.phone:
            phone = np.where(self.blanks(k), -1, self._visible_pick("USES_PHONE", persons))
            cols[lay.phone] = self.phone_text(phone, (0, 1, 3))
        if lay.postcode:
            home = np.where(self.blanks(k), -1, self._visible_home(persons))
            if lay.address:  # a postcode alone is no address (the helpline's spec keeps none)
                cols[lay.address], addr = self.address_text(home), home
            cols[lay.postcode] = self.postcode_text(home)
        cols[lay.date] = fmt_days(T0_DAY + rng.integers(0, 30 * self.p.months, k), lay.date_format)
        self.emit(name, pa.table(cols))
        self.out.entity(name, rid, "Person", persons, lay.record_id, np.ones(k, bool))
        if phone is not None and lay.phone:
            self.out.entity(name, rid, "Phone", phone, lay.phone, phone >= 0)
            self.out.asserts_link("USES_PHONE", persons, phone, name, rid, phone >= 0)
        if addr is not None and lay.address:
            self.out.entity(name, rid, "Address", addr, lay.address, addr >= 0)
            self.out.asserts_link("LIVES_AT", persons, addr, name, rid, addr >= 0)

    def council_tenancy(self) -> None:
        w, rng = self.w, self.rng
        ln = w.links["LIVES_AT"]
        rows = self.shown("LIVES_AT", persons=True)
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
        rows = self.shown("HOLDS", persons=True)
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
        rows = self.shown("PAID", persons=False)
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
        rows = self.shown("DIRECTS", persons=False)
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
        rows = self.shown("WORKS_AT", persons=True)
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
        self.emit_payroll(t, rid, persons, biz, acc, ("line_id", "employer_company_number", "pay_account"))

    def emit_payroll(
        self, t: pa.Table, rid: pa.Array, persons: np.ndarray, biz: np.ndarray, acc: np.ndarray, cols: tuple[str, ...]
    ) -> None:
        """Write a payroll extract (any dialect) and its truth; `cols` name its line, employer and account columns."""
        s = "payroll"
        self.emit(s, t)
        ones = np.ones(len(persons), bool)
        self.out.entity(s, rid, "Person", persons, cols[0], ones)
        self.out.entity(s, rid, "Business", biz, cols[1], ones)
        self.out.entity(s, rid, "Account", acc, cols[2], acc >= 0)
        self.out.asserts_link("WORKS_AT", persons, biz, s, rid, ones)
        self.out.asserts_link("HOLDS", persons, acc, s, rid, acc >= 0)

    def vehicle_keepers(self) -> None:
        w = self.w
        ln = w.links["KEEPS"]
        rows = self.shown("KEEPS", persons=True)
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
        self.emit_keepers(t, rid, persons, veh, addr, ("keeper_record", "registration", "keeper_address"))

    def emit_keepers(
        self, t: pa.Table, rid: pa.Array, persons: np.ndarray, veh: np.ndarray, addr: np.ndarray, cols: tuple[str, ...]
    ) -> None:
        """Write a keeper extract (any dialect) and its truth; `cols` name its record, vehicle and address columns."""
        s = "vehicle_keepers"
        self.emit(s, t)
        ones = np.ones(len(persons), bool)
        self.out.entity(s, rid, "Person", persons, cols[0], ones)
        self.out.entity(s, rid, "Vehicle", veh, cols[1], ones)
        self.out.entity(s, rid, "Address", addr, cols[2], addr >= 0)
        self.out.asserts_link("KEEPS", persons, veh, s, rid, ones)
        self.out.asserts_link("LIVES_AT", persons, addr, s, rid, addr >= 0)

    def anpr_reads(self) -> None:
        w = self.w
        ln = w.links["SEEN_AT"]
        rows = self.shown("SEEN_AT", persons=False)
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
        w = self.w
        ln = w.links["CALLED"]
        rows = self.shown("CALLED", persons=False)
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
        self.emit_calls(t, rid, rows, f, t_, ("calling_number", "called_number"))

    def emit_calls(
        self, t: pa.Table, rid: pa.Array, rows: np.ndarray, f: np.ndarray, t_: np.ndarray, cols: tuple[str, ...]
    ) -> None:
        """Write a call-record extract (any dialect) and its truth; `cols` name its calling and called columns."""
        s = "call_records"
        self.emit(s, t)
        ones = np.ones(len(rows), bool)
        self.out.entity(s, rid, "Phone", f, cols[0], ones)
        self.out.entity(s, rid, "Phone", t_, cols[1], ones)
        self.out.events["CALLED"] = (rows, s)

    # ------------------------------------------------------------ dialect helpers
    def address_combined(self, addrs: np.ndarray) -> pa.Array:
        """The address in one field: ``'3/12 High Street, Town PC1 2AB'`` (flat notation for half of the flats)."""
        rng, w = self.rng, self.w
        k = len(addrs)
        a = np.maximum(addrs, 0)
        line = self.address_text(np.maximum(addrs, 0))
        street = w.s_name.take(pa.array(w.a_street[a]))
        typ = take([t[0] for t in N.STREET_TYPES], w.s_type[w.a_street[a]])
        slash = cat(pa.array(w.a_flat[a].astype(str)), "/", pa.array(w.a_number[a].astype(str)), " ", street, " ", typ)
        line = pc.if_else(pa.array((w.a_flat[a] > 0) & (rng.random(k) < 0.5)), slash, line)
        town = take([t[0] for t in N.TOWNS], w.a_town[a])
        out = cat(line, ", ", town, " ", self.postcode_text(a))
        return blank(out, addrs < 0)

    def person_forms(self, persons: np.ndarray, weights: tuple[float, ...]) -> pa.Array:
        """Person names in the forms of real extracts, drawn with `weights` over: ``'SMITH J'``,
        ``'SMITH JOHN'``, ``'Mr John Smith'``, ``'John SMITH'``, ``'SMITH, John'``, ``'MR J SMITH'``."""
        rng, w = self.rng, self.w
        k = len(persons)
        first, last, swap = self.names(persons)
        f = pc.if_else(pa.array(swap), last, first)
        s_ = pc.if_else(pa.array(swap), first, last)
        ini = pc.utf8_upper(pc.utf8_slice_codeunits(f, 0, 1))
        fem = w.sex[persons] == 1
        title = np.where(fem, np.array(["Mrs", "Ms", "Miss"])[rng.integers(0, 3, k)], "Mr")
        forms = [
            cat(pc.utf8_upper(s_), " ", ini),
            pc.utf8_upper(cat(s_, " ", f)),
            cat(pa.array(title), " ", f, " ", s_),
            cat(f, " ", pc.utf8_upper(s_)),
            cat(pc.utf8_upper(s_), ", ", f),
            pc.utf8_upper(cat(pa.array(title), " ", ini, " ", s_)),
        ]
        wt = np.asarray(weights, float)
        pick = rng.choice(len(wt), k, p=wt / wt.sum())
        out = forms[0]
        for j in range(1, len(forms)):
            out = pc.if_else(pa.array(pick == j), forms[j], out)
        return out

    def phone_cell(self, persons: np.ndarray, styles: tuple[int, ...]) -> tuple[pa.Array, np.ndarray, np.ndarray]:
        """Up to two visible phones of each person in one cell, ``'; '``-separated; returns the cell and both phones."""
        p1 = self._visible_pick("USES_PHONE", persons)
        p2 = self._visible_pick("USES_PHONE", persons)
        p1 = np.where(self.blanks(len(persons)), -1, p1)
        p2 = np.where((p2 == p1) | (p1 < 0) | (self.rng.random(len(persons)) < 0.5), -1, p2)
        t1, t2 = self.phone_text(p1, styles), self.phone_text(p2, styles)
        cell = pc.if_else(pa.array(p2 >= 0), cat(t1, "; ", t2), t1)
        return cell, p1, p2

    # ------------------------------------------------------------ dialects (crimnet.synthetic.dialects)
    def intel_associates(self) -> None:
        w, rng, p = self.w, self.rng, self.p
        n = w.n_people
        persons = self.intel_subjects()
        k = len(persons)
        s = "police_intel"
        rid = self.ids(s, "INT-", k, 7)
        subject = self.person_forms(persons, (0, 0, 0, 1, 3, 0))
        phones, p1, p2 = self.phone_cell(persons, (0, 1, 3))
        addr = np.where(self.blanks(k), -1, self._visible_home(persons))
        veh = self._visible_pick("KEEPS", persons)
        veh = np.where(rng.random(k) < 0.5, veh, -1)
        # associates: fellow ring members for a ring member, people of the same home for anybody else
        ring = w.ring[persons]
        members = np.flatnonzero(w.ring >= 0)
        home = w.home
        slots: list[np.ndarray] = []
        for _ in range(3):
            by_ring = pick_in_group(members, w.ring[members], np.maximum(ring, 0), rng)
            by_home = pick_in_group(np.arange(n), np.maximum(home, 0), np.maximum(home[persons], 0), rng)
            a = np.where(ring >= 0, by_ring, by_home)
            a = np.where((a == persons) | (rng.random(k) < 0.45), -1, a)
            slots.append(a)
        ring_words = np.array(["known associate", "seen with", "linked to", "believed to work for"])
        home_words = np.array(["family member", "lives with", "seen with"])
        cells = [""] * k
        n_assoc = np.zeros(k, np.int64)
        a_rows: list[int] = []
        a_who: list[int] = []
        a_suffix: list[str] = []
        names_ = [self.person_forms(np.maximum(sl, 0), (0, 0, 0, 1, 0, 0)).to_pylist() for sl in slots]
        wr = rng.integers(0, 4, (3, k))
        wh = rng.integers(0, 3, (3, k))
        for i in range(k):
            parts: list[str] = []
            for j in range(3):
                aid = int(slots[j][i])
                if aid < 0 or aid in a_who[len(a_who) - len(parts) :]:
                    continue
                word = ring_words[wr[j, i]] if ring[i] >= 0 else home_words[wh[j, i]]
                parts.append(f"{word}: {names_[j][i]}")
                a_rows.append(i)
                a_who.append(aid)
                a_suffix.append(f"#associate.{len(parts)}")
            cells[i] = "; ".join(parts)
            n_assoc[i] = len(parts)
        nat = np.array([x[1] for x in N.NATIONALITIES])[w.nat[persons]]
        t = pa.table(
            {
                "Intel Ref": rid,
                "Subject": subject,
                "Date of Birth": blank(fmt_days(self.dob(persons), "%Y-%m-%d"), self.blanks(k)),
                "Nationality": blank(pa.array(nat), self.blanks(k)),
                "Sex": pa.array(np.where(w.sex[persons] == 1, "Female", "Male")),
                "Contact Numbers": phones,
                "Home Address": self.address_combined(addr),
                "Vehicle": self.vrm_text(veh),
                "Associates": blank(pa.array(cells, pa.string()), n_assoc == 0),
                "Report Date": fmt_days(T0_DAY - 700 + rng.integers(0, 700 + 30 * p.months, k), "%Y-%m-%d"),
            }
        )
        self.emit(s, t)
        ones = np.ones(k, bool)
        self.out.entity(s, rid, "Person", persons, "Subject", ones)  # the one person node of the row
        ar = np.array(a_rows, np.int64)
        aw = np.array(a_who, np.int64)
        self.out.entity_rows(s, "Person", aw, "Associates", ar, pa.array(a_suffix, pa.string()))
        for ph in (p1, p2):
            self.out.entity(s, rid, "Phone", ph, "Contact Numbers", ph >= 0)
            self.out.asserts_link("USES_PHONE", persons, ph, s, rid, ph >= 0)
        self.out.entity(s, rid, "Address", addr, "Home Address", addr >= 0)
        self.out.entity(s, rid, "Vehicle", veh, "Vehicle", veh >= 0)
        self.out.asserts_link("LIVES_AT", persons, addr, s, rid, addr >= 0)
        self.out.asserts_link("KEEPS", persons, veh, s, rid, veh >= 0)

    def landlord_register(self) -> None:
        w = self.w
        ln = w.links["LIVES_AT"]
        rows = self.shown("LIVES_AT", persons=True)
        persons, addr = ln["src"][rows], ln["dst"][rows]
        k = len(rows)
        s = "council_tenancy"
        rid = self.ids(s, "T/", k, 8)
        start, end = ln["start"][rows], ln["end"][rows]
        lord = w.a_landlord[addr] if len(w.a_landlord) else np.full(k, -1)
        agent = w.a_agent[addr] if len(w.a_agent) else np.full(k, -1)
        lord = np.where((lord == persons) | (agent >= 0), -1, lord)
        lord_txt = self.person_forms(np.maximum(lord, 0), (0, 0, 3, 0, 0, 2))
        agent_txt = w.b_name.take(pa.array(np.maximum(agent, 0)))
        landlord = pc.if_else(pa.array(agent >= 0), agent_txt, blank(lord_txt, lord < 0))
        t = pa.table(
            {
                "Tenancy No": rid,
                "Tenant": self.person_forms(persons, (1, 0, 1, 1, 2, 0)),
                "Tenant DOB": blank(fmt_days(self.dob(persons), "%d/%m/%Y"), self.blanks(k)),
                "Property": self.address_combined(addr),
                "HMO": where(w.a_licensed[addr], "Yes", "No"),
                "Landlord": landlord,
                "Tenancy Start": fmt_days(start, "%d/%m/%Y"),
                "Tenancy End": blank(fmt_days(np.maximum(end, 0), "%d/%m/%Y"), end < 0),
            }
        )
        self.emit(s, t)
        ones = np.ones(k, bool)
        self.out.entity(s, rid, "Person", persons, "Tenant", ones, "#tenant")
        self.out.entity(s, rid, "Person", lord, "Landlord", lord >= 0, "#landlord")
        self.out.entity(s, rid, "Business", agent, "Landlord", agent >= 0)
        self.out.entity(s, rid, "Address", addr, "Property", ones)
        self.out.asserts_link("LIVES_AT", persons, addr, s, rid, ones)

    def kyc_initials(self) -> None:
        w = self.w
        ln = w.links["HOLDS"]
        rows = self.shown("HOLDS", persons=True)
        persons, acc = ln["src"][rows], ln["dst"][rows]
        k = len(rows)
        s = "bank_customers"
        rid = self.ids(s, "KYC", k, 9)
        phones, p1, p2 = self.phone_cell(persons, (0, 1, 2, 3, 4))
        addr = np.where(self.blanks(k), -1, self._visible_home(persons))
        sort = _zpad(w.ac_sort[acc], 6)
        t = pa.table(
            {
                "Customer No": rid,
                "Customer Name": self.person_forms(persons, (2, 0, 4, 4, 0, 0)),
                "DOB": blank(fmt_days(self.dob(persons), "%Y-%m-%d"), self.blanks(k)),
                "Sort Code": cat(
                    pc.utf8_slice_codeunits(sort, 0, 2),
                    "-",
                    pc.utf8_slice_codeunits(sort, 2, 4),
                    "-",
                    pc.utf8_slice_codeunits(sort, 4, 6),
                ),
                "Account No": _zpad(w.ac_num[acc], 8),
                "Phones": phones,
                "Address": self.address_combined(addr),
                "Opened": fmt_days(w.ac_opened[acc], "%d/%m/%Y"),
            }
        )
        self.emit(s, t)
        ones = np.ones(k, bool)
        self.out.entity(s, rid, "Person", persons, "Customer No", ones)
        self.out.entity(s, rid, "Account", acc, "Account No", ones)
        for ph in (p1, p2):
            self.out.entity(s, rid, "Phone", ph, "Phones", ph >= 0)
            self.out.asserts_link("USES_PHONE", persons, ph, s, rid, ph >= 0)
        self.out.entity(s, rid, "Address", addr, "Address", addr >= 0)
        self.out.asserts_link("HOLDS", persons, acc, s, rid, ones)
        self.out.asserts_link("LIVES_AT", persons, addr, s, rid, addr >= 0)

    def holders(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per account: its first holder, a joint holder (-1) and the business that owns it (-1)."""
        w = self.w
        na = len(w.ac_id)
        ln = w.links["HOLDS"]
        first = np.full(na, -1, np.int64)
        second = np.full(na, -1, np.int64)
        order = np.lexsort((ln["src"], ln["dst"]))
        d, sr = ln["dst"][order], ln["src"][order]
        head = np.r_[True, d[1:] != d[:-1]] if len(d) else np.zeros(0, bool)
        first[d[head]] = sr[head]
        second[d[~head]] = sr[~head]
        biz = np.full(na, -1, np.int64)
        biz[w.b_account] = np.arange(len(w.b_account))
        return first, second, biz

    def holder_text(self, acc: np.ndarray, who: tuple[np.ndarray, np.ndarray, np.ndarray]) -> tuple[pa.Array, ...]:
        """Holder names of accounts: a person, a couple or a business; returns (text, person 1, person 2, business)."""
        rng, w = self.rng, self.w
        k = len(acc)
        first, second, biz = who[0][acc], who[1][acc], who[2][acc]
        couple = (second >= 0) & (biz < 0) & (rng.random(k) < 0.8)
        one = self.person_forms(np.maximum(first, 0), (4, 1, 0, 0, 0, 3))
        f1, l1, _ = self.names(np.maximum(first, 0))
        f2, l2, _ = self.names(np.maximum(second, 0))

        def titled(pp: np.ndarray, f: pa.Array, ln_: pa.Array) -> pa.Array:
            fem = w.sex[np.maximum(pp, 0)] == 1
            t = np.where(fem, np.where(rng.random(k) < 0.7, "MRS", "MS"), "MR")
            return pc.utf8_upper(cat(pa.array(t), " ", pc.utf8_slice_codeunits(f, 0, 1), " ", ln_))

        pair = cat(titled(first, f1, l1), " & ", titled(second, f2, l2))
        text = pc.if_else(pa.array(couple), pair, one)
        text = pc.if_else(pa.array(biz >= 0), w.b_name.take(pa.array(np.maximum(biz, 0))), text)
        p1 = np.where(biz >= 0, -1, first)
        p2 = np.where(couple, second, -1)
        return text, p1, p2, np.where(biz >= 0, biz, -1)

    def holder_extract(self) -> None:
        w, rng = self.w, self.rng
        ln = w.links["PAID"]
        rows = self.shown("PAID", persons=False)
        k = len(rows)
        s = "bank_transactions"
        rid = self.ids(s, "PAY", k, 10)
        f, t_ = ln["src"][rows], ln["dst"][rows]
        who = self.holders()
        ftxt, fp1, fp2, fb = self.holder_text(f, who)
        ttxt, tp1, tp2, tb = self.holder_text(t_, who)
        ref = ln["reference"].take(pa.array(rows))
        refn = np.asarray(ref.to_numpy(zero_copy_only=False), dtype=object)
        chan = np.select(
            [np.isin(refn, ["SALARY", "WAGES"]), refn == "RENT", np.isin(refn, ["CARD PAYMENT", "SHOPPING", "FOOD"])],
            ["BACS", "SO", "CARD"],
            "FPS",
        )
        t = pa.table(
            {
                "Payment Ref": rid,
                "Payer Name": ftxt,
                "Payer Sort Code": _zpad(w.ac_sort[f], 6),
                "Payer Account": _zpad(w.ac_num[f], 8),
                "Payee Name": ttxt,
                "Payee Sort Code": _zpad(w.ac_sort[t_], 6),
                "Payee Account": _zpad(w.ac_num[t_], 8),
                "Amount": decimal_comma(ln["amount"][rows], rng.random(k) < 0.7),
                "Channel": pa.array(chan),
                "Value Date": fmt_secs(ln["ts"][rows], "%Y-%m-%dT%H:%M:%SZ"),
                "Reference": ref,
            }
        )
        self.emit(s, t)
        ones = np.ones(k, bool)
        self.out.entity(s, rid, "Account", f, "Payer Account", ones)
        self.out.entity(s, rid, "Account", t_, "Payee Account", ones)
        for node, p1, p2, b in (("payer", fp1, fp2, fb), ("payee", tp1, tp2, tb)):
            couple = p2 >= 0
            suffix1 = pc.if_else(pa.array(couple), pa.scalar(f"#{node}.1"), pa.scalar(f"#{node}"))
            self.out.entity(s, rid, "Person", p1, f"{node.title()} Name", p1 >= 0, suffix1)
            self.out.entity(s, rid, "Person", p2, f"{node.title()} Name", couple, f"#{node}.2")
            self.out.entity(s, rid, "Business", b, f"{node.title()} Name", b >= 0)
        self.out.events["PAID"] = (rows, s)

    def officer_lists(self) -> None:
        w = self.w
        ln = w.links["DIRECTS"]
        sel = np.flatnonzero(self.vis["DIRECTS"])
        order = sel[np.lexsort((ln["src"][sel], ln["dst"][sel]))]
        persons_all, biz_all = ln["src"][order], ln["dst"][order]
        companies = np.unique(biz_all)
        companies = companies[self.rng.permutation(len(companies))]
        k = len(companies)
        s = "company_register"
        rid = self.ids(s, "F", k, 7)
        names_ = self.person_forms(persons_all, (0, 0, 0, 3, 0, 0)).to_pylist()
        born = month_year(self.dob(persons_all)).to_pylist()
        row_of = np.empty(int(biz_all.max(initial=0)) + 1, np.int64)
        row_of[companies] = np.arange(k)
        cells: list[list[str]] = [[] for _ in range(k)]
        o_row, o_suffix = [], []
        for b, nm, bn in zip(biz_all, names_, born, strict=True):
            r = int(row_of[b])
            cells[r].append(f"{nm} (born {bn})")
            o_row.append(r)
            o_suffix.append(f"#officer.{len(cells[r])}")
        loc = w.links["LOCATED_AT"]
        loc_vis = np.zeros(len(w.b_sector), bool)
        loc_vis[loc["src"][self.vis["LOCATED_AT"]]] = True
        addr = np.where(loc_vis[companies], w.b_addr[companies], -1)
        sic = np.array([N.SECTORS[x][0] for x in N.SECTORS])[w.b_sector[companies]]
        t = pa.table(
            {
                "Filing Ref": rid,
                "Company No": w.b_number.take(pa.array(companies)),
                "Company Name": w.b_name.take(pa.array(companies)),
                "SIC": pa.array(sic),
                "Registered Office": self.address_combined(addr),
                "Officers": pa.array(["; ".join(c) for c in cells], pa.string()),
            }
        )
        self.emit(s, t)
        ones = np.ones(k, bool)
        orow = np.array(o_row, np.int64)
        self.out.entity_rows(s, "Person", persons_all, "Officers", orow, pa.array(o_suffix, pa.string()))
        self.out.entity(s, rid, "Business", companies, "Company No", ones)
        self.out.entity(s, rid, "Address", addr, "Registered Office", addr >= 0)
        self.out.asserts_rows("DIRECTS", persons_all, biz_all, s, orow)
        self.out.asserts_link("LOCATED_AT", companies, addr, s, rid, addr >= 0)

    def payroll_iso(self) -> None:
        w = self.w
        ln = w.links["WORKS_AT"]
        rows = self.shown("WORKS_AT", persons=True)
        persons, biz, acc = ln["src"][rows], ln["dst"][rows], ln["account"][rows]
        k = len(rows)
        s = "payroll"
        rid = self.ids(s, "PL", k, 9)
        hl = w.links["HOLDS"]
        hid = np.zeros(len(w.ac_id), bool)
        hid[hl["dst"][hl["hidden"]]] = True
        acc = np.where(self.blanks(k) | ((acc >= 0) & hid[np.maximum(acc, 0)]), -1, acc)
        t = pa.table(
            {
                "Payroll Line": rid,
                "Employer Company No": w.b_number.take(pa.array(biz)),
                "Employee": self.person_forms(persons, (3, 1, 0, 0, 3, 0)),
                "NI No": blank(w.nino.take(pa.array(persons)), self.blanks(k)),
                "DOB": blank(fmt_days(self.dob(persons), "%Y-%m-%d"), self.blanks(k)),
                "Bank Sort Code": blank(_zpad(w.ac_sort[np.maximum(acc, 0)], 6), acc < 0),
                "Bank Account": blank(_zpad(w.ac_num[np.maximum(acc, 0)], 8), acc < 0),
                "Tax Year": pa.array(np.full(k, "2024/25")),
            }
        )
        self.emit_payroll(t, rid, persons, biz, acc, ("Payroll Line", "Employer Company No", "Bank Account"))

    def keeper_combined(self) -> None:
        w = self.w
        ln = w.links["KEEPS"]
        rows = self.shown("KEEPS", persons=True)
        persons, veh = ln["src"][rows], ln["dst"][rows]
        k = len(rows)
        s = "vehicle_keepers"
        rid = self.ids(s, "DV", k, 8)
        addr = np.where(self.blanks(k), -1, self._visible_home(persons))
        t = pa.table(
            {
                "Record No": rid,
                "VRM": self.vrm_text(veh),
                "Make": take(N.MAKES, w.v_make[veh]),
                "Colour": take(N.COLOURS, w.v_colour[veh]),
                "Registered Keeper": self.person_forms(persons, (0, 0, 1, 0, 0, 3)),
                "Keeper DOB": blank(fmt_days(self.dob(persons), "%Y-%m-%d"), self.blanks(k)),
                "Keeper Address": self.address_combined(addr),
            }
        )
        self.emit_keepers(t, rid, persons, veh, addr, ("Record No", "VRM", "Keeper Address"))

    def postcode_ocr(self) -> None:
        w, rng = self.w, self.rng
        ln = w.links["SEEN_AT"]
        rows = self.shown("SEEN_AT", persons=False)
        k = len(rows)
        s = "anpr_reads"
        rid = self.ids(s, "R", k, 10)
        veh, addr = ln["src"][rows], ln["dst"][rows]
        conf = np.round(np.clip(rng.beta(9.0, 1.3, k), 0.3, 0.99), 2)
        plate = self.vrm_text(veh)
        plate = typo(plate, (conf < 0.8) & (rng.random(k) < 0.5), rng)  # a low confidence is often a misread
        pcode = pc.utf8_upper(w.a_postcode.take(pa.array(addr)))
        t = pa.table(
            {
                "Read Ref": rid,
                "Plate": pc.utf8_upper(plate),
                "OCR Conf": pa.array(conf),
                "Camera Postcode": pcode,
                "Read Time": fmt_secs(ln["ts"][rows], "%Y-%m-%dT%H:%M:%SZ"),
            }
        )
        self.emit(s, t)
        self.out.entity(s, rid, "Vehicle", veh, "Plate", np.ones(k, bool))
        self.out.events["SEEN_AT"] = (rows, s)

    def cdr_local(self) -> None:
        w = self.w
        ln = w.links["CALLED"]
        rows = self.shown("CALLED", persons=False)
        k = len(rows)
        s = "call_records"
        rid = self.ids(s, "CALL", k, 10)
        f, t_ = ln["src"][rows], ln["dst"][rows]
        ts = ln["ts"][rows]
        local = ts + np.where((ts >= _BST_START) & (ts < _BST_END), 3600, 0)
        t = pa.table(
            {
                "Call Ref": rid,
                "A Party": cat("0", pc.utf8_slice_codeunits(w.ph_id.take(pa.array(f)), 3)),
                "B Party": cat("+44 ", pc.utf8_slice_codeunits(w.ph_id.take(pa.array(t_)), 3)),
                "Start (local)": fmt_secs(local, "%d/%m/%Y %H:%M:%S"),
                "Duration (s)": pa.array(ln["duration"][rows].astype(np.int64)),
            }
        )
        self.emit_calls(t, rid, rows, f, t_, ("A Party", "B Party"))


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


def render(
    world: World,
    *,
    seed: int,
    emit: Callable[[str, pa.Table], None] | None = None,
    dialects: Mapping[str, str] | None = None,
) -> Rendered:
    """Render every agency extract of `world` with noise drawn from `seed`.

    `dialects` names the dialect of each source (:data:`crimnet.synthetic.dialects.DIALECTS`;
    a source not named is standard).

    Each extract is handed to ``emit(source, table)`` as soon as it is drawn (to
    write it and free memory); without `emit` they are kept in ``Rendered.raw``.
    """
    check_type(world, World, param="world", func="render", expected="a World")
    rng = np.random.Generator(np.random.PCG64([seed, 1]))
    r = _Renderer(world, rng, emit, dialects)
    for s in SOURCES:
        d = r.out.dialects[s]
        getattr(r, s if d == "standard" else d)()
    if world.params.victim_lists:
        # after every other extract, so that those are the same with the lists on or off
        r.out.listed = draw_listed(world, seed)
        for i, name in enumerate(r.out.listed.lists):
            r.victim_list(name, r.out.listed.recorded(i))
    return r.out
