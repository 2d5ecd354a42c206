"""Data-model additions: businesses known by name, postcodes, landlords, associates and employment from wages."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from crimnet.errors import ParameterError, SpecError
from crimnet.ingest.build import PERSON_RECORD_COLUMNS, Evidence, build_tables
from crimnet.ingest.derive import WAGES_SOURCE, wage_employment
from crimnet.ingest.normalise import business_name_key
from crimnet.ingest.pipeline import ingest
from crimnet.ingest.specs import parse_spec
from crimnet.schema import REL_TYPES
from crimnet.tables import CanonicalTables

BIZ_ACC, PERSON_ACC, OTHER_ACC = "200000:11111111", "300000:22222222", "400000:33333333"


def _payments(months: list[str], *, src: str = BIZ_ACC, dst: str = PERSON_ACC) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "src": [src] * len(months),
            "dst": [dst] * len(months),
            "ts": [f"{m}T09:00:00Z" for m in months],
            "record": [f"bank:{i}" for i in range(len(months))],
        }
    )


HOLDS = pd.DataFrame({"src": ["P1"], "dst": [PERSON_ACC]})
OWNS = pd.DataFrame({"src": ["name:sparkle car wash"], "dst": [BIZ_ACC]})


def test_three_monthly_wages_make_works_at_with_the_payments_behind_it():
    out = wage_employment(_payments(["2024-01-31", "2024-02-29", "2024-03-28"]), HOLDS, OWNS)
    assert out[["src", "dst", "source"]].drop_duplicates().values.tolist() == [
        ["P1", "name:sparkle car wash", WAGES_SOURCE]
    ]
    assert out["record"].tolist() == ["bank:0", "bank:1", "bank:2"]
    assert (out["first_seen"].min(), out["last_seen"].max()) == ("2024-01-31", "2024-03-28")


@pytest.mark.parametrize(
    "months",
    [
        ["2024-01-31", "2024-02-29"],  # two payments: an invoice in two instalments
        ["2024-01-05", "2024-01-12", "2024-01-19"],  # three payments in one month
        ["2024-01-05", "2024-01-12", "2024-02-19", "2024-02-26"],  # four payments in two months
    ],
)
def test_too_few_payments_or_months_make_no_works_at(months):
    assert wage_employment(_payments(months), HOLDS, OWNS).empty


def test_only_business_to_person_payments_are_wages():
    months = ["2024-01-31", "2024-02-29", "2024-03-28"]
    # a person paying a person monthly: the payer account is held by a person, owned by no business
    person_to_person = wage_employment(
        _payments(months, src=OTHER_ACC), pd.concat([HOLDS, pd.DataFrame({"src": ["P2"], "dst": [OTHER_ACC]})]), OWNS
    )
    assert person_to_person.empty
    # a business paying another business's account: trade, not wages
    owns_both = pd.concat([OWNS, pd.DataFrame({"src": ["name:supplier"], "dst": [PERSON_ACC]})])
    assert wage_employment(_payments(months), HOLDS, owns_both).empty
    # a person moving money out of a business account they hold themselves (a sole trader's drawings)
    self_held = pd.concat([HOLDS, pd.DataFrame({"src": ["P1"], "dst": [BIZ_ACC]})])
    assert wage_employment(_payments(months), self_held, OWNS).empty


def test_joint_accounts_and_rent_remittances_are_not_wages():
    months = ["2024-01-31", "2024-02-29", "2024-03-28"]
    joint = pd.concat([HOLDS, pd.DataFrame({"src": ["P2"], "dst": [PERSON_ACC]})])
    assert wage_employment(_payments(months), joint, OWNS).empty
    both = wage_employment(_payments(months), joint, OWNS, max_holders=2)
    assert sorted(both["src"].unique()) == ["P1", "P2"]
    # a letting agent passing the rent on to the landlord of an address it manages
    lets = pd.DataFrame({"src": ["P1"], "dst": ["LS1 4AB|1 a street"]})
    manages = pd.DataFrame({"src": ["name:sparkle car wash"], "dst": ["LS1 4AB|1 a street"]})
    assert wage_employment(_payments(months), HOLDS, OWNS, lets=lets, manages=manages).empty


def test_wage_rule_thresholds_are_parameters():
    two = _payments(["2024-01-31", "2024-02-29"])
    assert len(wage_employment(two, HOLDS, OWNS, min_payments=2, min_months=2)) == 2
    with pytest.raises(ParameterError, match="min_months"):
        wage_employment(two, HOLDS, OWNS, min_months=0)
    with pytest.raises(ParameterError, match="payments"):
        wage_employment(two.drop(columns="ts"), HOLDS, OWNS)


def _pairs(rows: list[tuple[str, str, str]], **extra: list) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["src", "dst", "record"])
    df["source"] = df["record"].str.split(":").str[0]
    df["first_seen"] = df["last_seen"] = None
    for k, v in extra.items():
        df[k] = v
    return df


def _persons(keys: list[str]) -> pd.DataFrame:
    src, rid = zip(*(k.split(":", 1) for k in keys), strict=True)
    df = pd.DataFrame({"source": src, "record_id": rid, "name": ["x"] * len(keys)})
    return df.reindex(columns=PERSON_RECORD_COLUMNS)


def test_build_derives_works_at_and_merges_it_with_an_asserted_one():
    ev = Evidence()
    ev.persons = _persons(["bank:0", "payroll:7"])
    paid = _payments(["2024-01-31", "2024-02-29", "2024-03-28"])
    paid.insert(0, "id", paid["record"])
    ev.events["PAID"] = paid.assign(amount=85000, currency="GBP", reference=None, source="bank")
    ev.pairs["HOLDS"] = _pairs([("bank:0", PERSON_ACC, "bank:0")])
    ev.pairs["OWNS"] = _pairs([("name:sparkle car wash", BIZ_ACC, "bank:0")])
    ev.pairs["WORKS_AT"] = _pairs([("payroll:7", "name:sparkle car wash", "payroll:7")])
    t = build_tables(ev, pd.Series({"bank:0": "P1", "payroll:7": "P1"}))
    works = t.rels["WORKS_AT"]
    assert len(works) == 1 and (works["src"].iloc[0], works["dst"].iloc[0]) == ("P1", "name:sparkle car wash")
    assert list(works["sources"].iloc[0]) == ["derived:wages", "payroll"]
    assert list(works["record_ids"].iloc[0]) == ["bank:0", "bank:1", "bank:2", "payroll:7"]
    assert (works["first_seen"].iloc[0], works["last_seen"].iloc[0]) == ("2024-01-31", "2024-03-28")


def test_every_address_is_in_its_postcode_with_the_address_provenance():
    ev = Evidence()
    ev.nodes["Address"] = pd.DataFrame(
        {
            "id": ["LS1 4AB|1 a street", "LS1 4AB|2 a street", "LS1 4AB|1 a street"],
            "postcode": ["LS1 4AB"] * 3,
            "line": ["1 a street", "2 a street", "1 a street"],
            "source": ["tenancy", "tenancy", "council"],
            "record": ["tenancy:1", "tenancy:2", "council:9"],
        }
    )
    ev.nodes["Postcode"] = pd.DataFrame(
        {"id": ["LS1 4AB", "M1 1AA"], "district": ["LS1", "M1"], "source": ["anpr"] * 2, "record": ["anpr:1", "anpr:2"]}
    )
    t = build_tables(ev, pd.Series(dtype=object))
    pc = t.nodes["Postcode"].set_index("id")
    assert pc["district"].to_dict() == {"LS1 4AB": "LS1", "M1 1AA": "M1"}
    assert list(pc.loc["LS1 4AB", "sources"]) == ["anpr", "council", "tenancy"]
    inpc = t.rels["IN_POSTCODE"].set_index("src")
    assert inpc["dst"].to_dict() == {"LS1 4AB|1 a street": "LS1 4AB", "LS1 4AB|2 a street": "LS1 4AB"}
    assert list(inpc.loc["LS1 4AB|1 a street", "record_ids"]) == ["council:9", "tenancy:1"]


def test_associate_wordings_aggregate_distinct_and_sorted_and_self_links_drop():
    ev = Evidence()
    ev.persons = _persons(["intel:1#s", "intel:1#a", "intel:2#s", "intel:2#a", "intel:3#s", "intel:3#a", "intel:4#s"])
    rows = [("intel:1#s", "intel:1#a", "intel:1"), ("intel:2#s", "intel:2#a", "intel:2")]
    rows += [("intel:3#s", "intel:3#a", "intel:3"), ("intel:4#s", "intel:1#s", "intel:4")]
    ev.pairs["ASSOCIATE_OF"] = _pairs(rows, wording=["drives for", "cousin of", "drives for", "alias"])
    ents = {"intel:1#s": "S", "intel:2#s": "S", "intel:3#s": "S", "intel:4#s": "S"}
    ents |= {"intel:1#a": "A", "intel:2#a": "A", "intel:3#a": "A"}
    t = build_tables(ev, pd.Series(ents))
    assoc = t.rels["ASSOCIATE_OF"]
    # intel:4 names S with S (two records of one person): dropped
    assert assoc[["src", "dst", "wording"]].values.tolist() == [["S", "A", "cousin of | drives for"]]
    assert list(assoc["record_ids"].iloc[0]) == ["intel:1", "intel:2", "intel:3"]


def test_new_relationship_types_have_their_ends_and_keys():
    ends = {r: (REL_TYPES[r].src, REL_TYPES[r].dst, REL_TYPES[r].key) for r in REL_TYPES}
    assert ends["OWNS"] == ("Business", "Account", "pair")
    assert ends["IN_POSTCODE"] == ("Address", "Postcode", "pair")
    assert ends["SEEN_IN"] == ("Vehicle", "Postcode", "event")
    assert ends["LIVES_IN"] == ("Person", "Postcode", "pair")
    assert ends["LETS"] == ("Person", "Address", "pair")
    assert ends["MANAGES"] == ("Business", "Address", "pair")
    assert ends["ASSOCIATE_OF"] == ("Person", "Person", "pair")
    assert [f.name for f in REL_TYPES["ASSOCIATE_OF"].properties] == ["wording"]


def test_business_name_key_is_the_id_of_a_business_known_by_name():
    keys = business_name_key(pd.Series(["Sparkle Car Wash LTD.", "sparkle car wash limited", "", None]))
    assert keys.tolist()[:2] == ["name:sparkle car wash", "name:sparkle car wash"]
    assert keys.isna().tolist()[2:] == [True, True]


_HEAD = '[source]\nname = "x"\nfiles = ["x.csv"]\nrecord_id = "id"\n[fields]\nf = { column = "F", kind = "text" }\n'


@pytest.mark.parametrize(
    "node, message",
    [
        ('b = { label = "Business", sic = "f" }', "needs 'id' \\(company number\\) or 'name'"),
        ('p = { label = "Postcode" }', "node 'p' \\(Postcode\\) needs 'id'"),
    ],
)
def test_specs_need_an_id_for_postcodes_and_an_id_or_name_for_businesses(node, message):
    with pytest.raises(SpecError, match=message):
        parse_spec(_HEAD + "[nodes]\n" + node + "\n")


def _write(d: Path, name: str, spec: str, rows: list[dict]) -> None:
    (d / f"{name}.toml").write_text(f'[source]\nname = "{name}"\nfiles = ["{name}*.csv"]\n' + spec)
    pd.DataFrame(rows).to_csv(d / f"{name}.csv", index=False)


_BANK = """record_id = "TXN"
[fields]
payer = { column = "PAYER", kind = "business_name" }
payer_sc = { column = "PAYER_SC", kind = "sort_code" }
payer_acc = { column = "PAYER_ACC", kind = "account_number" }
payee = { column = "PAYEE", kind = "name" }
payee_dob = { column = "PAYEE_DOB", kind = "date", format = "%Y-%m-%d" }
payee_sc = { column = "PAYEE_SC", kind = "sort_code" }
payee_acc = { column = "PAYEE_ACC", kind = "account_number" }
amount = { column = "AMOUNT", kind = "money" }
ts = { column = "WHEN", kind = "timestamp", format = "ISO8601" }
[nodes]
biz = { label = "Business", name = "payer" }
from = { label = "Account", sort_code = "payer_sc", account = "payer_acc" }
person = { label = "Person", name = "payee", dob = "payee_dob" }
to = { label = "Account", sort_code = "payee_sc", account = "payee_acc" }
[[rels]]
type = "OWNS"
src = "biz"
dst = "from"
[[rels]]
type = "HOLDS"
src = "person"
dst = "to"
[[rels]]
type = "PAID"
src = "from"
dst = "to"
amount = "amount"
ts = "ts"
"""

_ANPR = """record_id = "READ"
[fields]
vrm = { column = "VRM", kind = "registration" }
pc = { column = "CAMERA_PC", kind = "postcode" }
ts = { column = "WHEN", kind = "timestamp" }
[nodes]
v = { label = "Vehicle", id = "vrm" }
pc = { label = "Postcode", id = "pc" }
[[rels]]
type = "SEEN_IN"
src = "v"
dst = "pc"
ts = "ts"
"""

_TENANCY = """record_id = "ID"
[fields]
tenant = { column = "TENANT", kind = "name" }
landlord = { column = "LANDLORD", kind = "name" }
agent = { column = "AGENT", kind = "business_name" }
line = { column = "LINE", kind = "address" }
pc = { column = "PC", kind = "postcode" }
[nodes]
t = { label = "Person", name = "tenant" }
l = { label = "Person", name = "landlord" }
a = { label = "Business", name = "agent" }
home = { label = "Address", postcode = "pc", line = "line" }
[[rels]]
type = "LIVES_AT"
src = "t"
dst = "home"
[[rels]]
type = "LETS"
src = "l"
dst = "home"
[[rels]]
type = "MANAGES"
src = "a"
dst = "home"
"""

_INTEL = """record_id = "URN"
[fields]
subject = { column = "SUBJECT", kind = "name" }
assoc = { column = "ASSOCIATE", kind = "name" }
wording = { column = "LINK", kind = "text" }
[nodes]
s = { label = "Person", name = "subject" }
a = { label = "Person", name = "assoc" }
[[rels]]
type = "ASSOCIATE_OF"
src = "s"
dst = "a"
wording = "wording"
"""


def test_specs_map_the_new_labels_and_types_end_to_end(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    wage = {"PAYER": "Sparkle Car Wash Ltd", "PAYER_SC": "20-00-00", "PAYER_ACC": "11111111", "PAYEE": "Ann Lee"}
    wage |= {"PAYEE_DOB": "1990-01-02", "PAYEE_SC": "30-00-00", "PAYEE_ACC": "22222222", "AMOUNT": "850.00"}
    _write(d, "bank", _BANK, [wage | {"TXN": f"t{m}", "WHEN": f"2024-0{m}-28T09:00:00Z"} for m in (1, 2, 3)])
    _write(
        d, "anpr", _ANPR, [{"READ": "r1", "VRM": "AB12 CDE", "CAMERA_PC": "ls1 4ab", "WHEN": "2024-01-01T10:00:00Z"}]
    )
    _write(
        d,
        "tenancy",
        _TENANCY,
        [
            {
                "ID": "1",
                "TENANT": "Cy Pike",
                "LANDLORD": "Bob Ray",
                "AGENT": "Homes & Co",
                "LINE": "3 High St",
                "PC": "LS1 4AB",
            }
        ],
    )
    _write(d, "intel", _INTEL, [{"URN": "u1", "SUBJECT": "Bob Ray", "ASSOCIATE": "Cal Fox", "LINK": "drives for"}])
    res = ingest(d, tmp_path / "out", specs=d)
    t = CanonicalTables.read(res.out / "tables")
    assert sorted(t.nodes["Business"]["id"]) == ["name:homes and co", "name:sparkle car wash"]
    assert t.rels["OWNS"][["src", "dst"]].values.tolist() == [["name:sparkle car wash", "200000:11111111"]]
    works = t.rels["WORKS_AT"]
    assert works["dst"].tolist() == ["name:sparkle car wash"] and list(works["sources"].iloc[0]) == ["derived:wages"]
    assert list(works["record_ids"].iloc[0]) == ["bank:t1", "bank:t2", "bank:t3"]
    assert t.rels["SEEN_IN"][["src", "dst"]].values.tolist() == [["AB12CDE", "LS1 4AB"]]
    assert t.nodes["Postcode"][["id", "district"]].values.tolist() == [["LS1 4AB", "LS1"]]
    assert t.rels["IN_POSTCODE"][["src", "dst"]].values.tolist() == [["LS1 4AB|3 high street", "LS1 4AB"]]
    assert t.rels["LETS"]["dst"].tolist() == ["LS1 4AB|3 high street"]
    assert t.rels["MANAGES"][["src", "dst"]].values.tolist() == [["name:homes and co", "LS1 4AB|3 high street"]]
    assert t.rels["ASSOCIATE_OF"]["wording"].tolist() == ["drives for"]
