"""Tests of the realistic preset: dialects of every source with their specs, and the look-alike truth."""

from __future__ import annotations

import json
import re
import tomllib

import numpy as np
import pandas as pd
import pytest

from crimnet.errors import ParameterError
from crimnet.synthetic import case_params, generate_case
from crimnet.synthetic.dialects import DIALECTS, choose_dialects, spec_text
from crimnet.synthetic.lookalikes import LOOKALIKE_KINDS
from crimnet.synthetic.render import SOURCES
from crimnet.synthetic.world import KIND, build_world

PEOPLE = 2000
SEED = 5


@pytest.fixture(scope="module")
def realistic(tmp_path_factory):
    """A realistic 2,000-person case: every source in its alternative dialect."""
    root = tmp_path_factory.mktemp("realistic") / "case"
    paths = generate_case(root, people=PEOPLE, seed=SEED, preset="realistic")
    raw = {s: pd.read_csv(p, dtype=str, keep_default_na=False) for s, p in paths.sources.items()}
    return dict(
        paths=paths,
        raw=raw,
        manifest=json.loads(paths.manifest.read_text()),
        entities=pd.read_csv(paths.truth_entities, dtype=str, keep_default_na=False),
        persons=pd.read_csv(paths.truth_persons, dtype=str, keep_default_na=False),
        look=pd.read_csv(paths.truth_lookalikes, dtype=str, keep_default_na=False),
    )


def _spec(paths, source):
    return tomllib.loads((paths.specs / f"{source}.toml").read_text())


def _columns(spec) -> set[str]:
    """Raw columns a spec reads (list-derived columns, 'list' or 'list.group', excluded)."""
    lists = set(spec.get("lists", {}))
    cols = {lst["column"] for lst in spec.get("lists", {}).values()}
    for f in spec["fields"].values():
        for c in f.get("columns", [f.get("column")]):
            if c.split(".")[0] not in lists:
                cols.add(c)
    return cols


def test_dialect_catalogue_covers_every_source_with_a_spec():
    assert set(DIALECTS) == set(SOURCES)
    for source, dialects in DIALECTS.items():
        assert dialects[0] == "standard" and len(dialects) >= 2
        for d in dialects:
            spec = tomllib.loads(spec_text(source, d))
            assert spec["source"]["name"] == source


def test_dialect_choice_by_mode_seed_and_name():
    assert set(choose_dialects("standard", 1).values()) == {"standard"}
    alt = choose_dialects("alternative", 1)
    assert all(alt[s] != "standard" for s in SOURCES)
    assert choose_dialects("mixed", 3) == choose_dialects("mixed", 3)
    named = choose_dialects("anpr_reads=postcode_ocr,payroll=payroll_iso", 0)
    assert named["anpr_reads"] == "postcode_ocr" and named["payroll"] == "payroll_iso"
    assert named["police_intel"] == "standard"
    p = case_params(people=500, dialects={"call_records": "cdr_local"})
    assert p.dialects == "call_records=cdr_local"
    with pytest.raises(ParameterError, match="'dialects' parameter"):
        case_params(people=500, dialects="anpr_reads=nonsense")


def test_every_dialect_is_written_with_a_spec_that_names_its_columns(realistic):
    paths, raw, manifest = realistic["paths"], realistic["raw"], realistic["manifest"]
    assert manifest["preset"] == "realistic"
    assert manifest["dialects"] == {s: DIALECTS[s][1] for s in SOURCES}
    for source in SOURCES:
        spec = _spec(paths, source)
        df = raw[source]
        assert len(df) > 0, source
        missing = _columns(spec) - set(df.columns)
        assert not missing, (source, missing)
        rid = spec["source"]["record_id"]
        assert df[rid].is_unique, source


def _match_share(values: pd.Series, pattern: str) -> float:
    v = values[values != ""]
    return float(v.str.fullmatch(pattern).mean()) if len(v) else 1.0


def test_dialect_formats_parse(realistic):
    raw = realistic["raw"]
    iso_date = r"\d{4}-\d{2}-\d{2}"
    dmy = r"\d{2}/\d{2}/\d{4}"
    assert _match_share(raw["police_intel"]["Date of Birth"], iso_date) == 1.0
    assert _match_share(raw["council_tenancy"]["Tenant DOB"], dmy) == 1.0
    assert _match_share(raw["bank_transactions"]["Amount"], r"\d{1,3}(\.\d{3})*,\d{2}|\d+,\d{2}") == 1.0
    assert raw["bank_transactions"]["Amount"].str.contains(r"\.\d{3},").any()  # thousands with a dot
    assert _match_share(raw["bank_transactions"]["Value Date"], r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z") == 1.0
    # combined addresses end with a postcode the spec's step extracts
    step = _spec(realistic["paths"], "vehicle_keepers")["fields"]["postcode"]["steps"][0]["regex"]
    for source, col in (("vehicle_keepers", "Keeper Address"), ("council_tenancy", "Property")):
        v = raw[source][col]
        v = v[v != ""]
        hit = v.map(lambda s: re.search(step, s) is not None)
        assert hit.mean() > 0.9, source  # a postcode typo may break a few, as in real data
        assert v.str.contains(",").all()
    assert raw["council_tenancy"]["Property"].str.match(r"\d+/\d+ ").any()  # flat notation 3/12
    # officers: every item of every cell matches the spec's item pattern; month-only birth dates
    item = _spec(realistic["paths"], "company_register")["lists"]["officers"]["item"]
    items = raw["company_register"]["Officers"].str.split(";").explode().str.strip()
    assert items.map(lambda s: re.fullmatch(item, s) is not None).all()
    assert items.str.contains(r"\(born [A-Z][a-z]{2} \d{4}\)").all()
    assert (raw["company_register"]["Officers"].str.count(";") >= 1).any()
    # several phones in one cell; ANPR postcode-only with a confidence in [0, 1]
    assert raw["bank_customers"]["Phones"].str.contains("; ").any()
    conf = raw["anpr_reads"]["OCR Conf"].astype(float)
    assert conf.between(0, 1).all() and (conf < 0.8).any() and (conf >= 0.8).mean() > 0.5
    assert _match_share(raw["anpr_reads"]["Camera Postcode"], r"[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}") == 1.0
    assert "location_address" not in raw["anpr_reads"].columns


def test_holder_names_person_couple_and_business(realistic):
    tx = realistic["raw"]["bank_transactions"]
    names = pd.concat([tx["Payer Name"], tx["Payee Name"]])
    assert names.str.fullmatch(r"MRS? [A-Z] [A-Z'\-]+ & M(R|RS|S) [A-Z] [A-Z'\-]+").sum() > 0  # couples
    assert names.str.fullmatch(r"[A-Z'\-]+ [A-Z]").sum() > 0  # SMITH J
    assert names.str.endswith((" LTD", " LIMITED")).sum() > 0  # businesses
    assert "customer_ref" not in tx.columns and not any("person" in c.lower() for c in tx.columns)


def test_entity_truth_record_ids_follow_the_contract(realistic):
    ent, raw = realistic["entities"], realistic["raw"]
    for source in SOURCES:
        spec = _spec(realistic["paths"], source)
        rid = raw[source][spec["source"]["record_id"]]
        base = ent.loc[ent["source"] == source, "record_id"].str.split("#").str[0]
        assert base.isin(set(rid)).all(), source
    # list items: one officer record per item of the cell, numbered 1..n
    off = ent[(ent["source"] == "company_register") & (ent["entity_type"] == "Person")]
    assert off["record_id"].str.fullmatch(r"F\d+#officer\.\d+").all()
    per_row = off["record_id"].str.split("#").str[0].value_counts()
    cells = raw["company_register"].set_index("Filing Ref")["Officers"].str.count(";") + 1
    assert (per_row.sort_index() == cells[per_row.index].sort_index()).all()
    # couples: two people, .1 and .2, on the same side of the same payment
    tx = ent[(ent["source"] == "bank_transactions") & (ent["entity_type"] == "Person")]
    two = tx[tx["record_id"].str.endswith(".2")]
    assert len(two) > 0
    assert two["record_id"].str.replace(".2", ".1", regex=False).isin(set(tx["record_id"])).all()
    biz = ent[(ent["source"] == "bank_transactions") & (ent["entity_type"] == "Business")]
    assert len(biz) > 0 and not biz["record_id"].str.contains("#").any()
    # associates named in intelligence
    pi = ent[(ent["source"] == "police_intel") & (ent["entity_type"] == "Person")]
    assert pi["record_id"].str.contains("#associate.").any()
    assert pi["record_id"].str.fullmatch(r"INT-\d+(#associate\.\d)?").all()


def test_lookalikes_present_consistent_and_never_ring_members(realistic):
    look, persons = realistic["look"], realistic["persons"]
    assert list(look.columns) == ["lookalike", "kind", "entity_type", "entity_id"]
    assert set(look["kind"]) == set(LOOKALIKE_KINDS)
    assert look.groupby("lookalike")["kind"].nunique().max() == 1
    role = persons.set_index("person_id")["role"]
    people = look.loc[look["entity_type"] == "Person", "entity_id"]
    assert (role[people] == "none").all()
    # counts by kind agree with the world drawn from the same parameters
    w = build_world(case_params(people=PEOPLE, seed=SEED, preset="realistic"))
    groups = look.groupby("kind")["lookalike"].nunique()
    assert groups["student_hall"] == int((w.a_kind == KIND["hall"]).sum())
    assert groups["shared_house"] + groups["seasonal_house"] + 3 * groups["labour_agency"] == int(
        (w.a_kind == KIND["hmo"]).sum()
    )
    assert groups["labour_agency"] == int((w.b_role == 2).sum())
    assert groups["remittance_shop"] == int((w.b_role == 4).sum())
    managed = look[(look["kind"] == "letting_agent") & (look["entity_type"] == "Address")]
    assert len(managed) == int((w.a_agent >= 0).sum())
    agency = look[look["kind"] == "labour_agency"]
    assert (agency["entity_type"] == "Address").sum() == 3 * groups["labour_agency"]
    assert (agency["entity_type"] == "Person").sum() >= 20
    ids = {
        "Person": set(np.asarray(w.pid)),
        "Address": set(np.asarray(w.a_id)),
        "Phone": set(np.asarray(w.ph_id)),
        "Account": set(np.asarray(w.ac_id)),
        "Business": set(np.asarray(w.b_number)),
    }
    for et, g in look.groupby("entity_type"):
        assert g["entity_id"].isin(ids[et]).all(), et


def test_other_presets_keep_standard_layouts_and_no_added_structures(tmp_path):
    paths = generate_case(tmp_path / "m", people=600, seed=2, preset="medium")
    m = json.loads(paths.manifest.read_text())
    assert set(m["dialects"].values()) == {"standard"}
    for s in SOURCES:
        assert (paths.specs / f"{s}.toml").read_text() == spec_text(s, "standard")
    look = pd.read_csv(paths.truth_lookalikes, dtype=str)
    assert not set(look["kind"]) & {"labour_agency", "letting_agent", "remittance_shop", "seasonal_house"}
    assert {"shared_house", "family_phone", "landlord"} <= set(look["kind"])
    # a dialect on any preset, by name
    p2 = generate_case(tmp_path / "h", people=600, seed=2, preset="hard", dialects="anpr_reads=postcode_ocr")
    assert "OCR Conf" in pd.read_csv(p2.sources["anpr_reads"], nrows=1).columns
    assert "registration" in pd.read_csv(p2.sources["vehicle_keepers"], nrows=1).columns


@pytest.fixture(scope="module")
def small_realistic(tmp_path_factory):
    root = tmp_path_factory.mktemp("small_realistic")
    paths = generate_case(root / "case", people=600, seed=7, preset="realistic")
    return root, paths


_LIGHT = ("bank_transactions",)  # holders: always run (the whole-case test below ingests every dialect)


@pytest.mark.parametrize("source", [s if s in _LIGHT else pytest.param(s, marks=pytest.mark.heavy) for s in SOURCES])
def test_every_dialect_ingests_with_its_generated_spec(small_realistic, source):
    """One source alone: rows read = loaded + quarantined, and the person records ingest makes carry
    exactly the record ids of the entity truth (list items, couples, holders included)."""
    from crimnet.ingest.pipeline import ingest

    root, paths = small_realistic
    ent = pd.read_csv(paths.truth_entities, dtype=str, keep_default_na=False)
    res = ingest([paths.sources[source]], root / f"ing_{source}", specs=[paths.specs / f"{source}.toml"])
    s = res.summary.iloc[0]
    assert s["rows_read"] == len(pd.read_csv(paths.sources[source], dtype=str))
    assert s["rows_read"] == s["rows_loaded"] + s["rows_quarantined"]
    assert s["rows_loaded"] >= 0.95 * s["rows_read"]
    want = set(ent.loc[(ent["source"] == source) & (ent["entity_type"] == "Person"), "record_id"])
    got = set(res.resolution["record_id"].astype(str)) if len(res.resolution) else set()
    assert got == want, (sorted(want - got)[:3], sorted(got - want)[:3])
    if source == "bank_transactions":  # a business holder is a Business, a couple two people
        tx = ent[ent["source"] == source]
        assert (tx["entity_type"] == "Business").any() and tx["record_id"].str.endswith(".2").any()
        assert len(res.tables.nodes["Business"]) > 0 and len(res.tables.rels["OWNS"]) > 0


def test_the_whole_realistic_case_ingests_with_its_specs(small_realistic):
    """All sources in one ingest, with the specs written into the case."""
    from crimnet.ingest.pipeline import ingest

    root, paths = small_realistic
    res = ingest(paths.root, root / "ing_all", specs=paths.specs)
    summ = res.summary.set_index("source")
    assert set(summ.index) == set(SOURCES)
    assert (summ["rows_read"] == summ["rows_loaded"] + summ["rows_quarantined"]).all()
    ent = pd.read_csv(paths.truth_entities, dtype=str, keep_default_na=False)
    want = set(zip(*[ent.loc[ent["entity_type"] == "Person", c] for c in ("source", "record_id")], strict=True))
    got = set(zip(res.resolution["source"].astype(str), res.resolution["record_id"].astype(str), strict=True))
    assert got == want
    assert len(res.tables.nodes["Postcode"]) > 0 and len(res.tables.rels["ASSOCIATE_OF"]) > 0
