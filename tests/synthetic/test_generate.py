"""Tests of the synthetic multi-agency case generator (crimnet.synthetic)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from crimnet.errors import ParameterError
from crimnet.schema import TYPOLOGIES
from crimnet.synthetic import generate_case
from crimnet.synthetic.render import SOURCES
from crimnet.tables import CanonicalTables

PEOPLE = 3000


@pytest.fixture(scope="session")
def case(tmp_path_factory):
    root = tmp_path_factory.mktemp("synth") / "case"
    paths = generate_case(root, people=PEOPLE, seed=11, preset="medium")
    persons = pd.read_csv(paths.truth_persons, dtype=str, keep_default_na=False)
    entities = pd.read_csv(paths.truth_entities, dtype=str, keep_default_na=False)
    rings = pd.read_csv(paths.truth_rings, dtype=str, keep_default_na=False)
    tables = CanonicalTables.read(paths.truth_tables)
    raw = {s: pd.read_csv(p, dtype=str, keep_default_na=False) for s, p in paths.sources.items()}
    manifest = json.loads(paths.manifest.read_text())
    return dict(paths=paths, persons=persons, entities=entities, rings=rings, tables=tables, raw=raw, manifest=manifest)


def _digest(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_same_seed_gives_byte_identical_files_and_other_seed_differs(tmp_path):
    a = generate_case(tmp_path / "a", people=1000, seed=3, preset="hard")
    b = generate_case(tmp_path / "b", people=1000, seed=3, preset="hard")
    c = generate_case(tmp_path / "c", people=1000, seed=4, preset="hard")
    da, db, dc = _digest(a.root), _digest(b.root), _digest(c.root)
    assert len(da) == 9 + 4 + 16 + 1 + 9  # extracts, truth CSVs, truth tables, manifest, specs
    assert da == db
    differing = [k for k in da if da[k] != dc[k]]
    assert len(differing) >= 25


def test_manifest_lists_every_file_with_rows_and_hash(case):
    m, paths = case["manifest"], case["paths"]
    assert m["seed"] == 11 and m["people"] == PEOPLE and m["preset"] == "medium"
    for s in SOURCES:
        entry = m["files"][f"{s}.csv"]
        assert entry["rows"] == len(case["raw"][s]) > 0
        assert entry["sha256"] == hashlib.sha256(paths.sources[s].read_bytes()).hexdigest()
    assert m["files"]["truth/persons.csv"]["rows"] == PEOPLE
    assert m["files"]["truth/tables/nodes_Person.parquet"]["rows"] == PEOPLE


def test_rings_are_a_small_minority_with_every_role(case):
    persons, rings = case["persons"], case["rings"]
    assert len(rings) >= 5
    assert set(rings["typology"]) <= set(TYPOLOGIES)
    members = persons[persons["role"] != "none"]
    assert 0 < len(members) / PEOPLE < 0.12
    for rid, grp in members.groupby("ring_id"):
        roles = set(grp["role"])
        assert roles == {"controller", "recruiter", "facilitator", "victim"}, rid
        assert grp["typology"].nunique() == 1
    row = rings.set_index("ring_id")
    sizes = members.groupby("ring_id").size()
    assert (row.loc[sizes.index, "size"].astype(int) == sizes).all()
    assert (persons.loc[persons["role"] == "none", "ring_id"] == "").all()


def test_default_ring_count_scales_with_people(tmp_path):
    from crimnet.synthetic.params import case_params

    assert case_params(people=1000).n_rings >= 5
    assert case_params(people=1_000_000).n_rings == 667
    assert 1 <= case_params(people=100).n_rings <= 2


def _ring_resources(case):
    rings = case["rings"].set_index("ring_id")
    t = case["tables"]
    lives = t.rels["LIVES_AT"]
    uses = t.rels["USES_PHONE"]
    persons = case["persons"]
    victims = persons[persons["role"] == "victim"]
    return rings, t, lives, uses, victims


def test_controlled_addresses_hold_many_victims(case):
    rings, _, lives, _, victims = _ring_resources(case)
    labour = [
        r
        for r in rings.index
        if rings.loc[r, "typology"] not in ("criminal_county_lines", "domestic_servitude", "criminal_cannabis")
    ]
    assert labour
    ok = 0
    for r in labour:
        addrs = set(rings.loc[r, "address_ids"].split(";"))
        v = set(victims.loc[victims["ring_id"] == r, "person_id"])
        at = lives[lives["dst"].isin(addrs) & lives["src"].isin(v)].groupby("dst")["src"].nunique()
        ok += int(at.max() >= 3) if len(at) else 0
    assert ok / len(labour) >= 0.8


def test_victims_share_phones_and_foreign_nationality(case):
    rings, _, _, uses, victims = _ring_resources(case)
    persons = case["persons"].set_index("person_id")
    shared, n = 0, 0
    for r in rings.index:
        typ = rings.loc[r, "typology"]
        v = victims.loc[victims["ring_id"] == r, "person_id"]
        if typ in ("domestic_servitude",) or len(v) < 3:
            continue
        n += 1
        per_phone = uses[uses["src"].isin(set(v))].groupby("dst")["src"].nunique()
        shared += int(per_phone.max() >= 2)
        if typ == "criminal_county_lines":
            assert (persons.loc[v, "nationality"] == "GBR").all()
            age = (pd.Timestamp("2025-01-01") - pd.to_datetime(persons.loc[v, "dob"])).dt.days / 365.25
            assert (age < 21).all()
        else:
            top = persons.loc[v, "nationality"].value_counts(normalize=True).iloc[0]
            assert top >= 0.5
    assert n and shared / n >= 0.9


def test_wages_are_swept_out_to_a_controller_within_days(tmp_path):
    mix = {"labour_small_business": 1.0, "labour_agriculture": 1.0, "labour_construction": 1.0}
    paths = generate_case(tmp_path / "w", people=1500, seed=8, rings=6, typology_mix=mix, missing_links=0.0)
    rings = pd.read_csv(paths.truth_rings, dtype=str, keep_default_na=False).set_index("ring_id")
    persons = pd.read_csv(paths.truth_persons, dtype=str, keep_default_na=False)
    victims = persons[persons["role"] == "victim"]
    t = CanonicalTables.read(paths.truth_tables)
    paid, holds, works = t.rels["PAID"], t.rels["HOLDS"], t.rels["WORKS_AT"]
    assert set(rings["money_mode"]) <= {"sweep", "collect"}
    sweep = [r for r in rings.index if rings.loc[r, "money_mode"] == "sweep"]
    collect = [r for r in rings.index if rings.loc[r, "money_mode"] == "collect"]
    assert sweep and collect  # both money modes are planted
    for r in rings.index:
        v = set(victims.loc[victims["ring_id"] == r, "person_id"])
        # every victim works at the ring's business, directed by a facilitator
        assert set(works.loc[works["src"].isin(v), "dst"]) == set(rings.loc[r, "business_ids"].split(";"))
        ctrl = set(rings.loc[r, "controller_ids"].split(";"))
        cacc = set(holds.loc[holds["src"].isin(ctrl), "dst"])
        if r in sweep:
            vacc = set(holds.loc[holds["src"].isin(v), "dst"])
            wages = paid[paid["dst"].isin(vacc) & paid["reference"].isin(["SALARY", "WAGES"])]
            out = paid[paid["src"].isin(vacc) & paid["dst"].isin(cacc)]
            assert len(wages) > 0 and len(out) == len(wages)
            lag = pd.to_datetime(out["ts"]).min() - pd.to_datetime(wages["ts"]).min()
            assert pd.Timedelta(0) < lag <= pd.Timedelta(days=5)
        else:
            # wages of all victims land in one collecting account, then go to the controller
            acc = set(rings.loc[r, "account_ids"].split(";")) - cacc
            wages = paid[paid["reference"].isin(["SALARY", "WAGES"]) & paid["dst"].isin(acc)]
            assert wages["dst"].nunique() == 1 and len(wages) >= len(v)
            assert paid[(paid["src"] == wages["dst"].iloc[0]) & paid["dst"].isin(cacc)].shape[0] >= 1


def test_typology_flavours(case):
    rings, t, lives, _, victims = _ring_resources(case)
    for r in rings.index:
        typ = rings.loc[r, "typology"]
        v = victims.loc[victims["ring_id"] == r, "person_id"]
        if typ == "domestic_servitude":
            assert 1 <= len(v) <= 2
            ctrl = rings.loc[r, "controller_ids"].split(";")[0]
            home = set(lives.loc[lives["src"] == ctrl, "dst"])
            assert set(lives.loc[lives["src"].isin(set(v)), "dst"]) <= home
        if typ == "criminal_cannabis":
            assert 2 <= len(v) <= 5
        if typ in ("labour_small_business", "labour_agriculture", "labour_construction"):
            assert rings.loc[r, "business_ids"] != ""
        assert rings.loc[r, "vehicle_ids"] != ""


def test_legitimate_lookalikes_exist(case):
    t, persons = case["tables"], case["persons"]
    lives = t.rels["LIVES_AT"]
    cur = lives[lives["last_seen"].isna()]
    bg = set(persons.loc[persons["role"] == "none", "person_id"])
    ring_people = set(persons.loc[persons["role"] != "none", "person_id"])
    names = persons.set_index("person_id")["name"].str.split().str[-1]
    occ = cur.assign(surname=cur["src"].map(names))
    by_addr = occ.groupby("dst").agg(
        n=("src", "nunique"), surnames=("surname", "nunique"), ring=("src", lambda s: bool(set(s) & ring_people))
    )
    crowded_bg = by_addr[(by_addr["n"] >= 5) & (by_addr["surnames"] >= 4) & ~by_addr["ring"]]
    assert len(crowded_bg) >= 5
    works = t.rels["WORKS_AT"]
    sizes = works[works["src"].isin(bg)].groupby("dst").size()
    assert sizes.max() >= 50
    uses = t.rels["USES_PHONE"]
    shared_bg = uses[uses["src"].isin(bg)].groupby("dst")["src"].nunique()
    assert (shared_bg >= 2).sum() >= 20


def test_missing_link_rate_matches_parameter(case):
    t = case["tables"]
    for rel in ("LIVES_AT", "WORKS_AT", "KEEPS", "PAID", "CALLED", "SEEN_AT", "HOLDS"):
        df = t.rels[rel]
        missing = (df["sources"].map(len) == 0).mean()
        assert len(df) > 300
        assert abs(missing - 0.10) < 0.035, (rel, missing)


def _norm_name(s: pd.Series) -> pd.Series:
    comma = s.str.contains(",")
    parts = s.str.split(", ", n=1)
    flipped = parts.str[1].fillna("") + " " + parts.str[0].fillna("")
    return flipped.where(comma, s).str.lower().str.strip()


def test_noise_and_blank_rates_match_parameters(case):
    raw, ent, persons = case["raw"]["council_tenancy"], case["entities"], case["persons"]
    who = ent[(ent["source"] == "council_tenancy") & (ent["entity_type"] == "Person")]
    truth = persons.set_index("person_id")
    df = raw.merge(who[["record_id", "entity_id"]], left_on="tenancy_ref", right_on="record_id")
    assert len(df) == len(raw)
    name_err = (_norm_name(df["occupant_name"]) != truth.loc[df["entity_id"], "name"].to_numpy()).mean()
    assert abs(name_err - 0.10) < 0.03, name_err
    has_dob = df["date_of_birth"] != ""
    assert abs((~has_dob).mean() - 0.05) < 0.02
    dob_err = (df.loc[has_dob, "date_of_birth"] != truth.loc[df.loc[has_dob, "entity_id"], "dob"].to_numpy()).mean()
    assert abs(dob_err - 0.03) < 0.015, dob_err
    dup = 1 - df[["entity_id", "start_date", "property_address"]].drop_duplicates(["entity_id", "start_date"]).shape[
        0
    ] / len(df)
    assert 0.01 < dup < 0.06


def test_phone_formats_and_transliteration_variants_appear(tmp_path):
    paths = generate_case(tmp_path / "n", people=2000, seed=2, name_noise=0.6)
    pol = pd.read_csv(paths.bank_customers, dtype=str, keep_default_na=False)
    mob = pol["mobile"][pol["mobile"] != ""]
    assert mob.str.startswith("+44 ").any() and mob.str.startswith("0").any() and mob.str.startswith("44").any()
    ten = pd.read_csv(paths.council_tenancy, dtype=str, keep_default_na=False)
    assert ten["property_address"].str.contains("Flat ").any()
    assert ten["post_code"].str.islower().any() and (~ten["post_code"].str.contains(" ")).any()
    assert ten["occupant_name"].str.contains(",").any()


def test_truth_and_raw_records_agree(case):
    ent, raw, persons, t = case["entities"], case["raw"], case["persons"], case["tables"]
    id_col = {
        "police_intel": "URN",
        "council_tenancy": "tenancy_ref",
        "bank_customers": "customer_ref",
        "bank_transactions": "txn_id",
        "company_register": "officer_id",
        "payroll": "line_id",
        "vehicle_keepers": "keeper_record",
        "anpr_reads": "read_id",
        "call_records": "cdr_id",
    }
    for s, col in id_col.items():
        rec = set(ent.loc[ent["source"] == s, "record_id"])
        assert rec == set(raw[s][col]), s
        assert raw[s][col].is_unique
    assert set(ent.loc[ent["entity_type"] == "Person", "entity_id"]) <= set(persons["person_id"])
    for label in ("Phone", "Address", "Account", "Business", "Vehicle"):
        assert set(ent.loc[ent["entity_type"] == label, "entity_id"]) <= set(t.nodes[label]["id"]), label
    # event records map one to one onto event edges
    paid = t.rels["PAID"]
    assert paid["record_ids"].map(len).sum() == len(raw["bank_transactions"])
    # the true call ends are the raw numbers (call records carry no noise)
    cdr = raw["call_records"].set_index("cdr_id")
    e = ent[(ent["source"] == "call_records") & (ent["field"] == "calling_number")]
    assert ("+" + cdr.loc[e["record_id"], "calling_number"].to_numpy() == e["entity_id"].to_numpy()).all()


def test_truth_tables_follow_the_normal_forms(case):
    t = case["tables"]
    assert t.nodes["Phone"]["id"].str.fullmatch(r"\+44\d{10}").all()
    assert t.nodes["Account"]["id"].str.fullmatch(r"\d{6}:\d{8}").all()
    assert t.nodes["Vehicle"]["id"].str.fullmatch(r"[A-Z]{2}\d{2}[A-Z]{3}").all()
    assert t.nodes["Business"]["id"].str.fullmatch(r"(0\d{7}|SC\d{6})").all()
    a = t.nodes["Address"]
    assert a["postcode"].str.fullmatch(r"[A-Z]{2}\d{1,2} \d[A-Z]{2}").all()
    assert (a["id"] == a["postcode"] + "|" + a["line"]).all()
    assert a["line"].str.fullmatch(r"\d+ [a-z]+ [a-z]+( flat \d+)?").all()
    assert t.nodes["Person"]["name"].str.fullmatch(r"[a-z]+ [a-z]+").all()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(people=10), "The 'people' parameter of generate_case must be an int in [100, 5e+06]. Got 10 instead."),
        (dict(people=1.5), "The 'people' parameter of generate_case must be an int"),
        (
            dict(preset="extreme"),
            "The 'preset' parameter of generate_case must be one of ['easy', 'hard', 'medium', 'realistic']",
        ),
        (dict(camouflage=1.5), "The 'camouflage' parameter of generate_case must be a float in [0, 1]. Got 1.5"),
        (dict(colour="red"), "The 'overrides' parameter of generate_case must be one of"),
        (dict(ring_size=(10, 5)), "The 'ring_size' parameter of generate_case must be a pair"),
        (dict(typology_mix={"arson": 1.0}), "The 'typology_mix' parameter of generate_case must be one of"),
        (dict(seed=-1), "The 'seed' parameter of generate_case must be an int in [0,"),
        (dict(people=200, rings=50), "The 'rings' parameter of generate_case must leave rings a minority"),
    ],
)
def test_parameter_errors_follow_the_template(tmp_path, kwargs, message):
    with pytest.raises(ParameterError) as err:
        generate_case(tmp_path / "x", **kwargs)
    assert str(err.value).startswith(message)


def test_overrides_change_the_case(tmp_path):
    paths = generate_case(tmp_path / "o", people=1000, seed=1, rings=3, typology_mix={"criminal_cannabis": 1.0})
    rings = pd.read_csv(paths.truth_rings, dtype=str)
    assert len(rings) == 3 and set(rings["typology"]) == {"criminal_cannabis"}


def test_cli_generate(tmp_path):
    from crimnet.cli import app

    runner = CliRunner()
    out = tmp_path / "cli"
    result = runner.invoke(app, ["generate", "--people", "400", "--seed", "2", "--preset", "easy", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "bank_transactions.csv" in result.output and "rings" in result.output
    assert (out / "manifest.json").exists()
    bad = runner.invoke(app, ["generate", "--people", "10", "--out", str(tmp_path / "bad")])
    assert bad.exit_code == 2
    assert bad.output.startswith("Error: --people must be an int in [100")  # the option typed, and its range


def test_hard_preset_is_noisier_than_easy(tmp_path):
    def missing(preset):
        p = generate_case(tmp_path / preset, people=1000, seed=5, preset=preset)
        lives = CanonicalTables.read(p.truth_tables).rels["LIVES_AT"]
        return (lives["sources"].map(len) == 0).mean()

    assert missing("hard") > missing("easy") + 0.1


def test_every_phone_number_is_in_the_fictional_01632_area(tmp_path):
    # no generated number, raw (typos included) or canonical, can be a real person's line
    import re

    paths = generate_case(tmp_path / "p", people=2000, seed=4, preset="hard")
    phones = pd.read_parquet(tmp_path / "p" / "truth" / "tables" / "nodes_Phone.parquet")["id"]
    assert len(phones) > 1000 and phones.str.fullmatch(r"\+441632\d{6}").all()
    raw = []
    for path, cols in (
        (paths.police_intel, ["PHONE"]),
        (paths.bank_customers, ["mobile"]),
        (paths.call_records, ["calling_number", "called_number"]),
    ):
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
        raw += [v for c in cols for v in df[c] if v]
    assert len(raw) > 1000
    bad = [v for v in raw if not re.fullmatch(r"(0|44)1632\d{6}", re.sub(r"\D", "", v))]
    assert bad == []


def test_ring_money_does_not_give_itself_away(tmp_path):
    # cash references, round sums and times on the hour must not single out ring payments: the background has them
    # too (a GNN trained on these worlds would otherwise learn the generator, not the typologies)
    out = tmp_path / "m"
    generate_case(out, people=2000, seed=5, preset="medium")
    t = out / "truth" / "tables"
    paid = pd.read_parquet(t / "edges_PAID.parquet")
    holds = pd.read_parquet(t / "edges_HOLDS.parquet")
    persons = pd.read_csv(out / "truth" / "persons.csv", dtype=str, keep_default_na=False)
    ring_acc = set(holds.loc[holds["src"].isin(persons.loc[persons["ring_id"] != "", "person_id"]), "dst"])
    ring = (paid["src"].isin(ring_acc) | paid["dst"].isin(ring_acc)).to_numpy()
    cash = (paid["reference"] == "CASH").to_numpy()
    whole = (paid["amount"] % 100 == 0).to_numpy()
    on_the_hour = (paid["ts"].str[14:19] == "00:00").to_numpy()
    assert 0.1 < ring.mean() < 0.3
    assert (cash & ~ring).sum() >= 0.3 * cash.sum()  # measured 0.43 (was 0: only punters paid cash)
    assert whole[~ring].mean() > 0.1  # measured 0.14 (was 0.01; ring payments 0.86)
    assert (on_the_hour & ring).sum() <= 0.5 * max(on_the_hour.sum(), 1)  # measured 0 of 3 (was 147 of 150)
