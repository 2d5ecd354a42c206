"""Write a synthetic multi-agency case: raw agency extracts, ground truth and the true canonical tables."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

from crimnet import __version__
from crimnet.errors import check_type
from crimnet.synthetic import names as N
from crimnet.synthetic.dialects import choose_dialects, spec_text
from crimnet.synthetic.lookalikes import lookalike_table
from crimnet.synthetic.params import CaseParams, case_params
from crimnet.synthetic.render import SOURCES, Rendered, render
from crimnet.synthetic.strings import cat, fmt_days, fmt_secs, take, zpad
from crimnet.synthetic.victim_lists import list_spec_text
from crimnet.synthetic.world import ROLE_CODES, T0_DAY, World, build_world

__all__ = ["CasePaths", "generate_case", "write_case"]

_SECTOR_NAMES = list(N.SECTORS)
_WRITE = pcsv.WriteOptions(quoting_style="needed", include_header=False)


@dataclass(frozen=True)
class CasePaths:
    """Paths of every file of a generated case.

    Attributes
    ----------
    root : Path
        The case directory.
    police_intel, council_tenancy, bank_customers, bank_transactions, company_register, payroll,
    vehicle_keepers, anpr_reads, call_records : Path
        The raw agency extracts (CSV), see ``docs/sources.md``.
    truth_persons, truth_entities, truth_rings : Path
        Ground truth CSV files under ``truth/``.
    truth_tables : Path
        Directory of the true canonical tables (``nodes_<Label>.parquet``, ``edges_<TYPE>.parquet``).
    manifest : Path
        ``manifest.json``: generator version, parameters, dialects, files, row counts and SHA-256.
    truth_lookalikes : Path
        ``truth/lookalikes.csv``: the legitimate structures that look like rings
        (:mod:`crimnet.synthetic.lookalikes`).
    specs : Path
        Directory of the ingest spec of every extract, in the dialect it was written in
        (``specs/<source>.toml``); ``crimnet ingest CASE --spec CASE/specs`` reads them.
    victim_lists : dict of str to Path
        The lists of potential victims written (``<list>.csv``, :mod:`crimnet.synthetic.victim_lists`);
        empty unless the case was generated with ``victim_lists``.
    truth_victim_lists : Path or None
        ``truth/victim_lists.csv``: every true victim (``person_id``, ``ring_id``), one 0/1 column per
        list saying whether it recorded the victim, and ``listed`` (any list); None without lists.
    truth_false_referrals : Path or None
        ``truth/false_referrals.csv``: the people the lists record who are not victims of the case's
        rings (``person_id``, one 0/1 column per list); None unless ``victim_false_share`` > 0.
    """

    root: Path
    police_intel: Path
    council_tenancy: Path
    bank_customers: Path
    bank_transactions: Path
    company_register: Path
    payroll: Path
    vehicle_keepers: Path
    anpr_reads: Path
    call_records: Path
    truth_persons: Path
    truth_entities: Path
    truth_rings: Path
    truth_tables: Path
    manifest: Path
    truth_lookalikes: Path | None = None
    specs: Path | None = None
    victim_lists: dict[str, Path] = field(default_factory=dict)
    truth_victim_lists: Path | None = None
    truth_false_referrals: Path | None = None

    @classmethod
    def under(cls, root: str | Path) -> CasePaths:
        """Return the paths of a case written under `root` (whether or not it exists yet)."""
        r = Path(root)
        extracts: dict[str, Any] = {s: r / f"{s}.csv" for s in SOURCES}
        return cls(
            root=r,
            **extracts,
            truth_persons=r / "truth" / "persons.csv",
            truth_entities=r / "truth" / "entities.csv",
            truth_rings=r / "truth" / "rings.csv",
            truth_tables=r / "truth" / "tables",
            manifest=r / "manifest.json",
            truth_lookalikes=r / "truth" / "lookalikes.csv",
            specs=r / "specs",
        )

    @property
    def sources(self) -> dict[str, Path]:
        """The raw extracts, keyed by source name (file stem): those of :data:`SOURCES`, then the victim lists."""
        return {**{s: getattr(self, s) for s in SOURCES}, **self.victim_lists}


def generate_case(
    out: str | Path, *, people: int = 10_000, seed: int = 0, preset: str = "medium", **overrides: Any
) -> CasePaths:
    """Generate a synthetic multi-agency case with planted exploitation rings and write it under `out`.

    A background town of `people` (households, shared houses, student halls,
    employers, phones, accounts, vehicles, payments, calls and ANPR reads) hides
    a few planted rings of controllers, recruiters, facilitators and victims,
    one typology of :data:`crimnet.schema.TYPOLOGIES` each. Each agency extract
    sees part of the truth, in its own formats, with noise.

    Parameters
    ----------
    out : str or Path
        Directory to write; created if needed, existing files of a case replaced.
    people : int, default 10000
        Number of people, in [100, 5_000_000].
    seed : int, default 0
        Seed; the same seed and parameters give byte-identical files.
    preset : {'easy', 'medium', 'hard', 'realistic'}, default 'medium'
        Preset, see :data:`crimnet.synthetic.params.PRESETS`; ``'realistic'`` adds the look-alike
        structures of real towns and writes every extract in another dialect.
    **overrides
        Any other field of :class:`crimnet.synthetic.params.CaseParams`
        (``camouflage``, ``missing_links``, ``rings``, ``ring_size``, ``dialects``, ``realism``...).

    Returns
    -------
    CasePaths
        Paths of the raw extracts, truth files, true canonical tables and manifest.

    Raises
    ------
    crimnet.errors.ParameterError
        If a parameter is out of range or unknown.

    Notes
    -----
    Time and memory are linear in `people` (about 14 events per person over the
    default 3-month window); vectorised with numpy and pyarrow, rings are built
    one by one. Output contract and identifier normal forms: ``docs/sources.md``.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     paths = generate_case(d, people=300, seed=1)
    ...     paths.truth_persons.read_text().splitlines()[0]
    'person_id,role,ring_id,typology,name,dob,nationality,sex'
    """
    check_type(out, (str, Path), param="out", func="generate_case", expected="a str or Path")
    params = case_params(people=people, seed=seed, preset=preset, **overrides)
    return write_case(out, params, preset=preset)


def write_case(out: str | Path, params: CaseParams, *, preset: str = "medium") -> CasePaths:
    """Generate and write the case of already validated `params` (see :func:`generate_case`)."""
    check_type(out, (str, os.PathLike), param="out", func="write_case", expected="a path (str or os.PathLike)")
    paths = CasePaths.under(out)
    if params.victim_lists:
        paths = replace(
            paths,
            victim_lists={s: paths.root / f"{s}.csv" for s in params.victim_lists},
            truth_victim_lists=paths.root / "truth" / "victim_lists.csv",
            truth_false_referrals=paths.root / "truth" / "false_referrals.csv" if params.victim_false_share else None,
        )
    paths.truth_tables.mkdir(parents=True, exist_ok=True)
    world = build_world(params)
    files: dict[str, int] = {}

    def emit(source: str, table: pa.Table) -> None:
        _write_csv(table, paths.sources[source])
        files[f"{source}.csv"] = table.num_rows

    dialects = choose_dialects(params.dialects, params.seed)
    rend = render(world, seed=params.seed, emit=emit, dialects=dialects)
    assert paths.specs is not None and paths.truth_lookalikes is not None
    paths.specs.mkdir(parents=True, exist_ok=True)
    for source, dialect in dialects.items():
        (paths.specs / f"{source}.toml").write_text(spec_text(source, dialect))
    for source in rend.lists:
        (paths.specs / f"{source}.toml").write_text(list_spec_text(source))
    if paths.truth_victim_lists is not None:
        listed = _victim_lists_table(world, rend)
        _write_csv(listed, paths.truth_victim_lists)
        files["truth/victim_lists.csv"] = listed.num_rows
    if paths.truth_false_referrals is not None:
        false = _false_referrals_table(world, rend)
        _write_csv(false, paths.truth_false_referrals)
        files["truth/false_referrals.csv"] = false.num_rows
    look = lookalike_table(world)
    _write_csv(look, paths.truth_lookalikes)
    files["truth/lookalikes.csv"] = look.num_rows
    del look
    persons = _persons_table(world)
    _write_csv(persons, paths.truth_persons)
    files["truth/persons.csv"] = persons.num_rows
    del persons
    files["truth/entities.csv"] = _write_entities(world, rend, paths.truth_entities)
    rings = _rings_table(world)
    _write_csv(rings, paths.truth_rings)
    files["truth/rings.csv"] = rings.num_rows
    files.update(_write_truth_tables(world, rend, paths.truth_tables))
    _write_manifest(paths, params, preset, files, world, dialects)
    return paths


# ---------------------------------------------------------------- writing helpers
def _write_csv(table: pa.Table, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    with open(tmp, "wb") as f:
        f.write((",".join(table.column_names) + "\n").encode())
        pcsv.write_csv(table, f, write_options=_WRITE)
    tmp.replace(path)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 22), b""):
            h.update(chunk)
    return h.hexdigest()


def _write_manifest(
    paths: CasePaths, params: CaseParams, preset: str, files: dict[str, int], world: World, dialects: dict[str, str]
) -> None:
    entries = {}
    for name in sorted(files):
        path = paths.root / name
        entries[name] = {"rows": int(files[name]), "sha256": _sha256(path)}
    end = np.datetime64(T0_DAY + 30 * params.months - 1, "D")
    manifest = {
        "generator": "crimnet.synthetic",
        "version": __version__,
        "preset": preset,
        "seed": params.seed,
        "people": params.people,
        "rings": len(world.rings),
        "window": {"start": str(np.datetime64(T0_DAY, "D")), "end": str(end)},
        "parameters": params.as_dict(),
        "dialects": dict(dialects),
        "files": entries,
    }
    paths.manifest.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")


def _victim_lists_table(world: World, rend: Rendered) -> pa.Table:
    """Every true victim, the lists that recorded it (0/1 each) and whether any did, by person id."""
    assert rend.listed is not None
    victims, caught = rend.listed.victims, rend.listed.captures
    ring_ids = pa.array([r.ring_id for r in world.rings], pa.string())
    cols: dict[str, pa.Array] = {"person_id": world.pid.take(pa.array(victims))}
    cols["ring_id"] = ring_ids.take(pa.array(world.ring[victims]))
    cols.update(_list_columns(rend.listed.lists, caught))
    cols["listed"] = pa.array(caught.any(axis=1).astype(np.int64))
    return _by_person_id(pa.table(cols))


def _false_referrals_table(world: World, rend: Rendered) -> pa.Table:
    """The false referrals (people in no ring) and the lists that recorded each, by person id."""
    assert rend.listed is not None
    cols = {"person_id": world.pid.take(pa.array(rend.listed.false_persons))}
    return _by_person_id(pa.table({**cols, **_list_columns(rend.listed.lists, rend.listed.false_captures)}))


def _list_columns(lists: list[str], caught: np.ndarray) -> dict[str, pa.Array]:
    return {name: pa.array(caught[:, i].astype(np.int64)) for i, name in enumerate(lists)}


def _by_person_id(t: pa.Table) -> pa.Table:
    order = np.argsort(np.asarray(t["person_id"].to_numpy(zero_copy_only=False)), kind="stable")
    return t.take(pa.array(order))


def _person_name(world: World) -> pa.Array:
    return pc.utf8_lower(cat(world.first, " ", world.last))


def _persons_table(world: World) -> pa.Table:
    order = np.argsort(np.asarray(world.pid.to_numpy(zero_copy_only=False)), kind="stable")
    role = world.role
    ring = world.ring
    ring_ids = pa.array([r.ring_id for r in world.rings] + [""], pa.string())
    typ = pa.array([r.typology for r in world.rings] + [""], pa.string())
    ring_ix = np.where(ring >= 0, ring, len(world.rings))
    iso = [x[0] for x in N.NATIONALITIES]
    t = pa.table(
        {
            "person_id": world.pid,
            "role": take(ROLE_CODES, role),
            "ring_id": ring_ids.take(pa.array(ring_ix)),
            "typology": typ.take(pa.array(ring_ix)),
            "name": _person_name(world),
            "dob": fmt_days(world.dob, "%Y-%m-%d"),
            "nationality": take(iso, world.nat),
            "sex": pa.array(np.where(world.sex == 1, "F", "M")),
        }
    )
    return t.take(pa.array(order))


_TYPE_IDS = {
    "Person": lambda w: w.pid,
    "Phone": lambda w: w.ph_id,
    "Address": lambda w: w.a_id,
    "Account": lambda w: w.ac_id,
    "Business": lambda w: w.b_number,
    "Vehicle": lambda w: w.v_vrm,
}


def _write_entities(world: World, rend: Rendered, path: Path) -> int:
    """Write ``truth/entities.csv`` source by source (rows ordered by record, then entity type); return rows."""
    type_code = {t: i for i, t in enumerate(_TYPE_IDS)}
    blocks = list(zip(rend.ent_source, rend.ent_type, rend.ent_index, rend.ent_field, rend.ent_row, strict=True))
    tmp = path.with_suffix(".csv.tmp")
    total = 0
    with open(tmp, "wb") as f:
        f.write(b"source,record_id,entity_type,entity_id,field\n")
        for s in rend.sources:
            mine = [(b, blk) for b, blk in enumerate(blocks) if blk[0] == s]
            if not mine:
                continue
            rows = np.concatenate([blk[4] for _, blk in mine])
            rid = pa.concat_arrays([rend.block_record_ids(b) for b, _ in mine])
            tcode = np.concatenate([np.full(len(blk[4]), type_code[blk[1]]) for _, blk in mine])
            border = np.concatenate([np.full(len(blk[4]), b) for b, blk in mine])
            order = np.lexsort((border, tcode, rows))
            etype = take(list(_TYPE_IDS), tcode[order])
            ids = pa.concat_arrays([_TYPE_IDS[blk[1]](world).take(pa.array(blk[2])) for _, blk in mine])
            fields = take(
                [blk[3] for _, blk in mine], np.repeat(np.arange(len(mine)), [len(blk[4]) for _, blk in mine])[order]
            )
            k = len(rows)
            table = pa.table(
                {
                    "source": pa.array(np.full(k, s)),
                    "record_id": rid.take(pa.array(order)),
                    "entity_type": etype,
                    "entity_id": ids.take(pa.array(order)),
                    "field": fields,
                }
            )
            pcsv.write_csv(table, f, write_options=_WRITE)
            total += k
    tmp.replace(path)
    return total


def _rings_table(world: World) -> pa.Table:
    def ids(arr: pa.Array, ix: list[int]) -> str:
        return ";".join(arr.take(pa.array(np.array(ix, np.int64))).to_pylist()) if ix else ""

    rows: dict[str, list[Any]] = {
        k: []
        for k in (
            "ring_id",
            "typology",
            "size",
            "controller_ids",
            "address_ids",
            "phone_ids",
            "account_ids",
            "business_ids",
            "vehicle_ids",
            "recruiter_ids",
            "facilitator_ids",
            "victim_ids",
            "money_mode",
        )
    }
    for r in world.rings:
        rows["ring_id"].append(r.ring_id)
        rows["typology"].append(r.typology)
        rows["size"].append(len(r.members))
        rows["controller_ids"].append(ids(world.pid, r.controllers))
        rows["address_ids"].append(ids(world.a_id, r.addresses))
        rows["phone_ids"].append(ids(world.ph_id, r.phones))
        rows["account_ids"].append(ids(world.ac_id, r.accounts))
        rows["business_ids"].append(ids(world.b_number, r.businesses))
        rows["vehicle_ids"].append(ids(world.v_vrm, r.vehicles))
        rows["recruiter_ids"].append(ids(world.pid, r.recruiters))
        rows["facilitator_ids"].append(ids(world.pid, r.facilitators))
        rows["victim_ids"].append(ids(world.pid, r.victims))
        rows["money_mode"].append(r.mode)
    schema = pa.schema([(k, pa.int64() if k == "size" else pa.string()) for k in rows])
    return pa.table(rows, schema=schema)


# ---------------------------------------------------------------- true canonical tables
def _lists(group: np.ndarray, values: pa.Array, n_groups: int) -> pa.Array:
    """A list array with, for each group 0..n_groups-1, the values of that group (in input order)."""
    order = np.argsort(group, kind="stable")
    counts = np.bincount(group, minlength=n_groups)
    offsets = np.r_[0, np.cumsum(counts)].astype(np.int32)
    return pa.ListArray.from_arrays(pa.array(offsets), values.take(pa.array(order)))


def _provenance(
    group: np.ndarray, source: np.ndarray, record: pa.Array, n: int, sources: tuple[str, ...]
) -> tuple[pa.Array, pa.Array]:
    """(sources, record_ids) list columns from per-assertion group index, source code and record key.

    `source` holds indices into `sources` (at most 16: the code is packed in four bits).
    """
    names = sorted(sources)
    code = np.array([names.index(s) for s in sources])[source] if len(source) else np.zeros(0, np.int64)
    key = np.unique(group.astype(np.int64) * 16 + code)
    srcs = _lists(key // 16, take(names, key % 16), n)
    return srcs, _lists(group, record, n)


def _node_frames(world: World, rend: Rendered) -> Iterator[tuple[str, pa.Table]]:
    src_code = {s: i for i, s in enumerate(rend.sources)}
    per_type: dict[str, list[tuple[np.ndarray, np.ndarray, pa.Array]]] = {t: [] for t in _TYPE_IDS}
    for b, (s, et, ix) in enumerate(zip(rend.ent_source, rend.ent_type, rend.ent_index, strict=True)):
        per_type[et].append((ix, np.full(len(ix), src_code[s]), (s, b)))
    for et, parts in per_type.items():
        ids = _TYPE_IDS[et](world)
        n = len(ids)
        g = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0, np.int64)
        sc = np.concatenate([p[1] for p in parts]) if parts else np.zeros(0, np.int64)
        rec = (
            pa.concat_arrays([cat(p[2][0], ":", rend.block_record_ids(p[2][1])) for p in parts])
            if parts
            else pa.array([], pa.string())
        )
        srcs, recs = _provenance(g, sc, rec, n, rend.sources)
        del rec
        cols: dict[str, Any] = {"id": ids}
        if et == "Person":
            cols.update(
                name=_person_name(world),
                dob=fmt_days(world.dob, "%Y-%m-%d"),
                nationality=take([x[0] for x in N.NATIONALITIES], world.nat),
                sex=pa.array(np.where(world.sex == 1, "F", "M")),
            )
        elif et == "Address":
            cols.update(
                postcode=world.a_postcode,
                line=world.a_line,
                town=take([t[0] for t in N.TOWNS], world.a_town),
                lat=pa.array(world.a_lat),
                lon=pa.array(world.a_lon),
            )
        elif et == "Account":
            cols.update(kind=pa.array(np.full(n, "uk")))
        elif et == "Business":
            cols.update(
                name=pc.utf8_lower(world.b_name),
                sic=take([N.SECTORS[s][0] for s in _SECTOR_NAMES], world.b_sector),
                sector=take(_SECTOR_NAMES, world.b_sector),
            )
        cols.update(sources=srcs, record_ids=recs)
        yield et, pa.table(cols)


_REL_ENDS = {
    "USES_PHONE": ("Person", "Phone"),
    "LIVES_AT": ("Person", "Address"),
    "HOLDS": ("Person", "Account"),
    "PAID": ("Account", "Account"),
    "WORKS_AT": ("Person", "Business"),
    "DIRECTS": ("Person", "Business"),
    "LOCATED_AT": ("Business", "Address"),
    "KEEPS": ("Person", "Vehicle"),
    "SEEN_AT": ("Vehicle", "Address"),
    "CALLED": ("Phone", "Phone"),
}
_EVENT_PREFIX = {"PAID": "pay", "CALLED": "call", "SEEN_AT": "read"}


def _edge_frames(world: World, rend: Rendered) -> Iterator[tuple[str, pa.Table]]:
    src_code = {s: i for i, s in enumerate(rend.sources)}
    for rel, (sl, dl) in _REL_ENDS.items():
        ln = world.links[rel]
        src, dst = ln["src"], ln["dst"]
        m = len(src)
        cols: dict[str, Any] = {}
        if rel in _EVENT_PREFIX:
            cols["id"] = cat(_EVENT_PREFIX[rel], zpad(np.arange(1, m + 1), 10))
        cols["src"] = _TYPE_IDS[sl](world).take(pa.array(src))
        cols["dst"] = _TYPE_IDS[dl](world).take(pa.array(dst))
        first = last = pa.nulls(m, pa.string())
        if rel in _EVENT_PREFIX:
            rows, s = rend.events[rel]
            g, sc = rows, np.full(len(rows), src_code[s])
            rec = cat(s, ":", rend.record_ids(s, np.arange(len(rows))))
            date = fmt_secs(ln["ts"], "%Y-%m-%d")
            first = last = date
            if rel == "PAID":
                cols.update(
                    amount=pa.array(ln["amount"]),
                    currency=pa.array(np.full(m, "GBP")),
                    ts=fmt_secs(ln["ts"], "%Y-%m-%dT%H:%M:%SZ"),
                    reference=ln["reference"],
                )
            elif rel == "CALLED":
                cols.update(ts=fmt_secs(ln["ts"], "%Y-%m-%dT%H:%M:%SZ"), duration_s=pa.array(ln["duration"]))
            else:
                cols.update(ts=fmt_secs(ln["ts"], "%Y-%m-%dT%H:%M:%SZ"))
        else:
            width = int(max(dst.max(initial=0), 0)) + 1
            key = src * width + dst
            order = np.argsort(key, kind="stable")
            skey = key[order]
            gl, scl, recl = [], [], []
            for a_src, a_dst, s, arow in rend.asserts.get(rel, []):
                ak = a_src * width + a_dst
                pos = np.searchsorted(skey, ak)
                hit = (pos < m) & (skey[np.minimum(pos, max(m - 1, 0))] == ak) if m else np.zeros(len(ak), bool)
                gl.append(order[pos[hit]])
                scl.append(np.full(int(hit.sum()), src_code[s]))
                recl.append(cat(s, ":", rend.record_ids(s, arow[hit])))
            g = np.concatenate(gl) if gl else np.zeros(0, np.int64)
            sc = np.concatenate(scl) if scl else np.zeros(0, np.int64)
            rec = pa.concat_arrays(recl) if recl else pa.array([], pa.string())
            if rel == "LIVES_AT":
                first = fmt_days(ln["start"], "%Y-%m-%d")
                last = pc.if_else(
                    pa.array(ln["end"] >= 0), fmt_days(np.maximum(ln["end"], 0), "%Y-%m-%d"), pa.nulls(m, pa.string())
                )
            elif rel == "DIRECTS":
                first = fmt_days(ln["appointed"], "%Y-%m-%d")
        srcs, recs = _provenance(g, sc, rec, m, rend.sources)
        cols.update(sources=srcs, record_ids=recs, first_seen=first, last_seen=last)
        yield rel, pa.table(cols)


def _write_truth_tables(world: World, rend: Rendered, directory: Path) -> dict[str, int]:
    """Write the true canonical tables with the exact Arrow schemas of :mod:`crimnet.tables`.

    The files are those :meth:`crimnet.tables.CanonicalTables.write` writes
    (``nodes_<Label>.parquet``, ``edges_<TYPE>.parquet``, schema
    :func:`crimnet.tables.arrow_schema`) and :meth:`CanonicalTables.read` reads
    them back; they are written from Arrow directly because a round trip of the
    list columns through pandas costs minutes and gigabytes at a million people.
    """
    from crimnet.tables import arrow_schema

    out = {}
    root = directory.parent.parent
    for kind, items in (("nodes", _node_frames(world, rend)), ("edges", _edge_frames(world, rend))):
        for name, table in items:
            schema = arrow_schema(name)
            table = table.select(schema.names) if set(schema.names) <= set(table.column_names) else _pad(table, schema)
            table = table.cast(schema)
            path = directory / f"{kind}_{name}.parquet"
            tmp = path.with_suffix(".parquet.tmp")
            pq.write_table(table, tmp)
            tmp.replace(path)
            out[str(path.relative_to(root))] = table.num_rows
    return out


def _pad(table: pa.Table, schema: pa.Schema) -> pa.Table:
    cols = [table[f.name] if f.name in table.column_names else pa.nulls(table.num_rows, f.type) for f in schema]
    return pa.table(cols, schema=schema)
