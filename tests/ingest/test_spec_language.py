"""The spec language of docs/specs.md: lists, chained steps, when conditions, holders, preview.

Every worked example of those sections is parsed from the doc itself and run on a small
hand-written extract.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from crimnet.errors import SpecError
from crimnet.ingest.build import person_row_keys
from crimnet.ingest.normalise import classify_holder, normalise
from crimnet.ingest.pipeline import ingest, process_chunk
from crimnet.ingest.preview import NODE_COLUMNS, REL_COLUMNS, preview
from crimnet.ingest.quarantine import QuarantineLog
from crimnet.ingest.readers import iter_chunks
from crimnet.ingest.specs import SourceSpec, parse_spec
from crimnet.ingest.transforms import Condition, Step, apply_steps, condition_mask

DOC = Path(__file__).resolve().parents[2] / "docs" / "specs.md"


def doc_spec(name: str) -> SourceSpec:
    """The ```toml block of docs/specs.md whose source is `name`."""
    blocks = re.findall(r"```toml\n(.*?)```", DOC.read_text(), flags=re.S)
    found = [b for b in blocks if f'name = "{name}"' in b]
    assert len(found) == 1, name
    return parse_spec(found[0], path="docs/specs.md")


def run(spec: SourceSpec, df: pd.DataFrame):
    """One chunk through the per-chunk code: (ChunkRecords, quarantine frame)."""
    qlog = QuarantineLog()
    out = process_chunk(spec, next(iter_chunks(df, spec.columns)), qlog, file="extract.csv")
    return out, qlog.frame()


def accounted(summary: pd.DataFrame) -> None:
    """Rows read = rows loaded + rows quarantined, per source."""
    per = summary.groupby("source")[["rows_read", "rows_loaded", "rows_quarantined"]].sum()
    assert (per["rows_read"] == per["rows_loaded"] + per["rows_quarantined"]).all(), per


# ------------------------------------------------------------------------------------------------ lists

OFFICERS = pd.DataFrame(
    {
        "COMPANY_NO": ["01234567", "07654321", "99999999"],
        "COMPANY_NAME": ["Acme Ltd", "Foo Trading Ltd", "Bar Ltd"],
        "OFFICERS": [
            "ANA POPESCU (born Dec 1997); JON SMITH (born Mar 1980)",
            "LI NA (born Jan 1990); Dec 1997)",  # a stray tail: must not become a person called 'dec'
            None,
        ],
        "PHONES": ["07700 900123; 07700 900124", "07700 900125;", "not a phone"],
    }
)


def test_officers_list_gives_one_person_per_item_with_partial_dates(tmp_path):
    spec = doc_spec("company_officers")
    res = ingest({"company_officers": OFFICERS}, tmp_path / "out", specs=[spec])
    records = pd.read_parquet(tmp_path / "out" / "records.parquet").sort_values("record_id")
    assert records[["record_id", "name", "dob"]].values.tolist() == [
        ["01234567#officer.1", "ana popescu", "1997-12"],
        ["01234567#officer.2", "jon smith", "1980-03"],
        ["07654321#officer.1", "li na", "1990-01"],
    ]
    assert not records["name"].str.contains("dec").any()
    people = res.tables.nodes["Person"]
    assert sorted(people["name"]) == ["ana popescu", "jon smith", "li na"]
    directs = res.tables.rels["DIRECTS"]
    assert len(directs) == 3 and sorted(directs["dst"]) == ["01234567", "01234567", "07654321"]
    assert sorted(res.tables.nodes["Phone"]["id"]) == ["+447700900123", "+447700900124", "+447700900125"]
    q = res.quarantine
    tail = q[q["value"] == "Dec 1997)"]
    assert len(tail) == 1 and tail["action"].iloc[0] == "field dropped" and tail["row"].iloc[0] == 2
    assert "item 'Dec 1997)' does not match the item pattern" in tail["reason"].iloc[0]
    assert "(?P<name>" in tail["reason"].iloc[0] and tail["field"].iloc[0] == "OFFICERS"
    bad_phone = q[q["value"] == "not a phone"]
    assert len(bad_phone) == 1 and bad_phone["action"].iloc[0] == "field dropped"
    assert res.summary[["rows_read", "rows_loaded", "rows_quarantined", "fields_dropped"]].values.tolist() == [
        [3, 3, 0, 2]
    ]
    accounted(res.summary)


def test_list_relationship_with_a_row_node_is_made_per_item():
    text = """
[source]
name = "intel"
files = ["intel*.csv"]
record_id = "URN"
[lists]
phones = { column = "PHONES", sep = "/" }
[fields]
name = { column = "NAME", kind = "name" }
phone = { column = "phones", kind = "phone" }
[nodes]
person = { label = "Person", name = "name" }
phone = { label = "Phone", id = "phone" }
[[rels]]
type = "USES_PHONE"
src = "person"
dst = "phone"
"""
    spec = parse_spec(text)
    df = pd.DataFrame(
        {"URN": ["u1", "u2"], "NAME": ["Ann Lee", "Bo Chan"], "PHONES": ["07700 900001 / 07700 900002", ""]}
    )
    out, q = run(spec, df)
    uses = out.evidence.pairs["USES_PHONE"]
    assert uses[["src", "dst"]].values.tolist() == [
        ["intel:u1", "+447700900001"],
        ["intel:u1", "+447700900002"],
    ]
    # the row's person keeps its plain record id and is given its first phone for resolution
    persons = out.evidence.persons
    assert persons["record_id"].tolist() == ["u1", "u2"]
    assert persons["phone"].iloc[0] == "+447700900001" and pd.isna(persons["phone"].iloc[1])
    assert q.empty


def test_two_lists_in_one_relationship_are_refused_naming_the_line():
    text = """[source]
name = "co"
files = ["co*.csv"]
record_id = "NO"
[lists]
officers = { column = "OFFICERS", sep = ";", item = '(?P<name>.+)' }
phones = { column = "PHONES", sep = ";" }
[fields]
officer = { column = "officers.name", kind = "name" }
phone = { column = "phones", kind = "phone" }
[nodes]
officer = { label = "Person", name = "officer" }
phone = { label = "Phone", id = "phone" }
[[rels]]
type = "USES_PHONE"
src = "officer"
dst = "phone"
"""
    with pytest.raises(SpecError, match=r"co.toml line 14: USES_PHONE officer->phone uses two different lists"):
        parse_spec(text, path="co.toml")


@pytest.mark.parametrize(
    ("old", "new", "needle"),
    [
        ('column = "officers.name"', 'column = "officers.nme"', "list 'officers' has no item group 'nme'"),
        ("item = '(?P<name>.+)'", "item = '(.+)'", "'item' needs named groups"),
        ("item = '(?P<name>.+)'", "item = '(?P<name>.+'", "'item' is not a valid regular expression"),
        ('kind = "name" }', 'kind = "name", required = true }', "a list field cannot be required"),
        ('sep = ";",', 'sep = "",', "needs a non-empty 'sep'"),
    ],
)
def test_list_mistakes_are_spec_errors(old, new, needle):
    text = """[source]
name = "co"
files = ["co*.csv"]
record_id = "NO"
[lists]
officers = { column = "OFFICERS", sep = ";", item = '(?P<name>.+)' }
[fields]
officer = { column = "officers.name", kind = "name" }
[nodes]
officer = { label = "Person", name = "officer" }
"""
    assert old in text
    with pytest.raises(SpecError, match=re.escape(needle)) as e:
        parse_spec(text.replace(old, new, 1), path="co.toml")
    assert re.match(r"co.toml line (6|8):", str(e.value)), str(e.value)


def test_list_column_missing_from_header_names_the_list_line():
    spec = doc_spec("company_officers")
    header = ["COMPANY_NO", "COMPANY_NAME", "PHONES"]
    line = next(i for i, t in enumerate(spec.text.splitlines(), 1) if t.startswith("officers ="))
    with pytest.raises(SpecError, match=rf"line {line}: column 'OFFICERS' is not in the header"):
        spec.check_columns(header, file="x.csv")


def test_person_row_keys_drop_item_suffixes_only():
    recs = pd.DataFrame({"source": ["c", "c", "c", "d"], "record_id": ["R#1#officer.2", "R#officer", "R#x.1", "A#2"]})
    keys = person_row_keys(recs, {"c": ("officer",)})
    assert keys.tolist() == ["c:R#1", "c:R", "c:R#x.1", "d:A#2"]


# ------------------------------------------------------------------------------------------------ steps

ANPR = pd.DataFrame(
    {
        "READ_ID": ["r1", "r2", "r3", "r4", "r5", "r6"],
        "PLATE": ["AB12 CDE (blue)", "UNKNOWN", "-", "NONE", "CD34 EFG, SILVER", "XY99 ZZZ"],
        "OCR_CONF": ["0.95", "0.99", "0.9", "0.9", "0.80", "0.5"],
        "READ_TIME": ["2025-03-01T22:14:05Z"] * 6,
        "CAMERA_POSTCODE": ["LS1 4AB"] * 6,
        "CAMERA_SITE": ["1 High Street"] * 6,
    }
)


def test_chained_steps_from_the_doc():
    spec = doc_spec("anpr_reads")
    out, q = run(spec, ANPR)
    vrm = [None if pd.isna(v) else v for v in out.values["vrm"]]
    assert vrm == ["AB12CDE", None, None, None, "CD34EFG", "XY99ZZZ"]
    assert q.empty  # emptied values are missing, not errors


@pytest.mark.parametrize(
    ("steps", "want"),
    [
        ((Step("split", ",", 0),), ["a", "x", "-", None]),
        ((Step("split", ",", -1), Step("strip", None)), ["b", "x", "-", None]),
        ((Step("regex", r"(\w)(\w)?"),), ["a", "x", None, None]),  # the first group
        ((Step("regex", r"[a-z]+(?P<v>,)"),), [",", None, None, None]),  # the group named v
        ((Step("regex", r"[a-z]+"),), ["a", "x", None, None]),  # the whole match
        ((Step("map", {"x": "y", "-": ""}),), ["a, b", "y", None, None]),
        ((Step("null_if", ("x",)), Step("strip", "a")), [", b", None, "-", None]),
        ((Step("strip", "-"),), ["a, b", "x", None, None]),
    ],
)
def test_each_step(steps, want):
    got = apply_steps(pd.Series(["a, b", "x", "-", None]), steps)
    assert [None if pd.isna(v) else v for v in got] == want


def test_split_shorthand_is_the_first_step():
    text = """[source]
name = "x"
files = ["x.csv"]
record_id = "id"
[fields]
a = { column = "A", kind = "text", split = ",", part = 1, steps = [ { strip = "!" } ] }
"""
    spec = parse_spec(text)
    assert spec.fields["a"].steps == (Step("split", ",", 1), Step("strip", "!"))
    out, _ = run(spec, pd.DataFrame({"id": ["1"], "A": ["keep, !this!"]}))
    assert out.values["a"].tolist() == ["this"]


@pytest.mark.parametrize(
    ("steps", "needle"),
    [
        ("[ { strip = 1 } ]", "'strip' must be true or the characters"),
        ("[ { regex = '(' } ]", "'regex' is not a valid regular expression"),
        ("[ { strip = true, map = {} } ]", "step 1 must have exactly one of"),
        ("[ { upper = true } ]", "step 1 must have exactly one of"),
        ("[ { split = ',', part = 'x' } ]", "'part' must be an integer"),
        ("[ { null_if = [1] } ]", "'null_if' must be a list of text"),
        ("{ strip = true }", "'steps' must be a list"),
    ],
)
def test_step_mistakes_are_spec_errors(steps, needle):
    text = f"""[source]
name = "x"
files = ["x.csv"]
record_id = "id"
[fields]
a = {{ column = "A", kind = "text", steps = {steps} }}
"""
    with pytest.raises(SpecError, match=r"x.toml line 6: .*" + re.escape(needle)):
        parse_spec(text, path="x.toml")


# ------------------------------------------------------------------------------------------------- when


def test_when_min_skips_the_node_and_its_relationships_but_loads_the_row():
    spec = doc_spec("anpr_reads")
    out, q = run(spec, ANPR)
    ev = out.evidence
    # r1 (0.95) and r5 (0.80, the bound is inclusive) keep their vehicle; r6 (0.5) does not
    assert sorted(ev.nodes["Vehicle"]["id"]) == ["AB12CDE", "CD34EFG"]
    assert sorted(ev.events["SEEN_AT"]["record"]) == ["anpr_reads:r1", "anpr_reads:r5"]
    assert len(ev.nodes["Address"]) == 6  # the camera of every row
    assert len(out.record_ids) == 6 and q.empty  # skipped, not quarantined


def test_when_in_on_a_relationship(tmp_path):
    spec = doc_spec("bank_payments")
    df = pd.DataFrame(
        {
            "TXN_ID": ["t1", "t2", "t3", "t4"],
            "FROM_SORT": ["12-34-56"] * 4,
            "FROM_ACC": ["12345678", "22345678", "32345678", "42345678"],
            "TO_SORT": ["65-43-21"] * 4,
            "TO_ACC": ["87654321"] * 4,
            "AMOUNT": ["10.00", "20.00", "30.00", "40.00"],
            "CHANNEL": ["fps", "CHQ", "BACS", None],
        }
    )
    res = ingest({"bank_payments": df}, tmp_path / "out", specs=[spec])
    paid = res.tables.rels["PAID"]
    assert sorted(paid["id"]) == ["bank_payments:t1", "bank_payments:t3"]
    assert sorted(paid["amount"].tolist()) == [1000, 3000]
    assert len(res.tables.nodes["Account"]) == 5  # every account of every row
    assert res.quarantine.empty
    accounted(res.summary)


def test_when_tests():
    v = pd.Series(["0.95", "0.5", None, "abc", "2025-01-02"])
    mask = lambda **t: condition_mask(Condition("f", t), v).tolist()  # noqa: E731
    assert mask(min=0.8) == [True, False, False, False, False]
    assert mask(max=0.8) == [False, True, False, False, False]
    assert mask(min=0.4, max=0.9) == [False, True, False, False, False]
    assert mask(min="2025-01-01") == [False, False, False, True, True]
    assert mask(**{"in": ["abc", "0.5"]}) == [False, True, False, True, False]
    assert mask(not_in=["abc"]) == [True, True, True, False, True]
    assert mask(matches=r"^\d{4}-") == [False, False, False, False, True]
    assert mask(present=True) == [True, True, False, True, True]
    assert mask(present=False) == [False, False, True, False, False]


def test_when_matches_and_not_in_on_nodes_of_a_list():
    text = """[source]
name = "intel"
files = ["intel*.csv"]
record_id = "URN"
[lists]
phones = { column = "PHONES", sep = ";" }
[fields]
name = { column = "NAME", kind = "name" }
phone = { column = "phones", kind = "phone" }
kind = { column = "KIND", kind = "text" }
[nodes]
person = { label = "Person", name = "name", when = { field = "kind", not_in = ["WITNESS"] } }
mobile = { label = "Phone", id = "phone", when = { field = "phone", matches = '^\\+447' } }
[[rels]]
type = "USES_PHONE"
src = "person"
dst = "mobile"
"""
    spec = parse_spec(text)
    df = pd.DataFrame(
        {
            "URN": ["u1", "u2"],
            "NAME": ["Ann Lee", "Bo Chan"],
            "PHONES": ["07700 900001; 0113 496 0000", "07700 900002"],
            "KIND": ["SUSPECT", "WITNESS"],
        }
    )
    out, q = run(spec, df)
    ev = out.evidence
    assert sorted(ev.nodes["Phone"]["id"]) == ["+447700900001", "+447700900002"]
    assert ev.persons["record_id"].tolist() == ["u1"]
    assert ev.pairs["USES_PHONE"][["src", "dst"]].values.tolist() == [["intel:u1", "+447700900001"]]
    assert q.empty


@pytest.mark.parametrize(
    ("when", "needle"),
    [
        ('{ field = "nope", min = 1 }', "'when' names unknown field 'nope'"),
        ('{ field = "conf" }', "'when' needs one of"),
        ('{ field = "conf", above = 1 }', "'when' needs one of"),
        ('{ field = "conf", in = [] }', "'when' in must be a non-empty list"),
        ('{ field = "conf", matches = "(" }', "'when' matches is not a valid regular expression"),
        ('{ field = "conf", present = 1 }', "'when' present must be true or false"),
        ('{ field = "conf", min = true }', "'when' min must be a number or text"),
    ],
)
def test_when_mistakes_are_spec_errors(when, needle):
    text = f"""[source]
name = "x"
files = ["x.csv"]
record_id = "id"
[fields]
conf = {{ column = "C", kind = "float" }}
vrm = {{ column = "V", kind = "registration" }}
[nodes]
vehicle = {{ label = "Vehicle", id = "vrm", when = {when} }}
"""
    with pytest.raises(SpecError, match=r"x.toml line 9: .*" + re.escape(needle)):
        parse_spec(text, path="x.toml")


# ----------------------------------------------------------------------------------------------- holder


@pytest.mark.parametrize(
    ("text", "cls", "rule", "names"),
    [
        ("MR A SMITH & MRS B SMITH", "couple", "joint '&'", ["a smith", "b smith"]),
        ("J SMITH AND K SMITH", "couple", "joint 'and'", ["j smith", "k smith"]),
        ("SMITH J & SMITH K", "couple", "joint '&'", ["j smith", "k smith"]),
        ("SMITH J", "person", "surname initials", ["j smith"]),
        ("Mr John Smith", "person", "one name", ["john smith"]),
        ("CHURCH, ANNA", "person", "one name", ["anna church"]),
        ("SPARKLE HAIR STUDIO LTD", "organisation", "legal form 'ltd'", ["sparkle hair studio"]),
        ("Smith and Jones Limited", "organisation", "legal form 'limited'", ["smith and jones"]),
        ("KAUR BEAUTY SALON", "organisation", "organisation word 'salon'", ["kaur beauty salon"]),
        ("A JONES T/A AJ NAILS", "organisation", "trading as", ["aj nails"]),
        ("PATEL & CO", "organisation", "'& co'", ["patel and co"]),
        ("HOPE FOOD BANK CHARITY", "organisation", "organisation word 'charity'", ["hope food bank charity"]),
        ("N/A", "", "", []),
    ],
)
def test_classify_holder(text, cls, rule, names):
    assert classify_holder(text) == (cls, rule, names)


def test_holder_normaliser_value_and_error():
    out = normalise("holder", pd.Series(["SMITH J & SMITH K", "-", None]))
    assert out["value"].tolist()[0] == "couple|joint '&'|j smith;k smith"
    assert pd.isna(out["value"].iloc[1]) and "no letters" in out["error"].iloc[1]
    assert out["value"].isna().iloc[2] and out["error"].isna().iloc[2]


HOLDERS = pd.DataFrame(
    {
        "TXN_ID": ["t1", "t2", "t3", "t4", "t5"],
        "ACCOUNT_NAME": [
            "MR A SMITH & MRS B SMITH",
            "SPARKLE HAIR STUDIO LTD",
            "SMITH J",
            "N/A",
            "Sparkle Hair Studio",
        ],
        "SORT_CODE": ["12-34-56"] * 5,
        "ACCOUNT_NO": ["12345678", "22345678", "32345678", "42345678", "52345678"],
    }
)


def test_holder_node_gives_people_couples_and_businesses(tmp_path):
    spec = doc_spec("account_holders")
    res = ingest({"account_holders": HOLDERS}, tmp_path / "out", specs=[spec])
    records = pd.read_parquet(tmp_path / "out" / "records.parquet").sort_values("record_id")
    assert records[["record_id", "name", "account_id", "holder_rule"]].values.tolist() == [
        ["t1#payer.1", "a smith", "123456:12345678", "joint '&'"],
        ["t1#payer.2", "b smith", "123456:12345678", "joint '&'"],
        ["t3", "j smith", "123456:32345678", "surname initials"],
    ]
    t = res.tables
    assert len(t.nodes["Person"]) == 3  # the studio is no person
    biz = t.nodes["Business"]
    assert biz["id"].tolist() == ["name:sparkle hair studio"]  # both spellings are one business
    owns = t.rels["OWNS"].sort_values("dst")
    assert owns[["src", "dst"]].values.tolist() == [
        ["name:sparkle hair studio", "123456:22345678"],
        ["name:sparkle hair studio", "123456:52345678"],
    ]
    holds = t.rels["HOLDS"]
    assert sorted(holds["dst"]) == ["123456:12345678", "123456:12345678", "123456:32345678"]
    evidence = pd.read_parquet(tmp_path / "out" / "evidence" / "nodes_Business.parquet")
    assert set(evidence["holder_rule"]) == {"legal form 'ltd'", "organisation word 'studio'"}
    q = res.quarantine
    assert q[["row", "field", "action"]].values.tolist() == [[4, "ACCOUNT_NAME", "field dropped"]]
    accounted(res.summary)


def test_holder_node_needs_a_holder_field():
    text = """[source]
name = "x"
files = ["x.csv"]
record_id = "id"
[fields]
n = { column = "N", kind = "name" }
[nodes]
payer = { label = "Holder", name = "n" }
"""
    with pytest.raises(SpecError, match=r"x.toml line 8: node 'payer' \(Holder\) needs a field of kind 'holder'"):
        parse_spec(text, path="x.toml")


def test_holder_option_of_name_still_works():
    joint = pd.Series(["MR A SMITH & MRS B SMITH", "SMITH J"])
    assert normalise("name", joint, holder=2)["value"].tolist() == ["b smith", pd.NA]


# ---------------------------------------------------------------------------------------------- preview


def test_preview_shows_records_nodes_rels_and_quarantine(tmp_path):
    spec_file = tmp_path / "account_holders.toml"
    spec_file.write_text(doc_spec("account_holders").text)
    data = tmp_path / "holders_2025.csv"
    HOLDERS.to_csv(data, index=False)
    out = preview(spec_file, data, rows=4)
    assert set(out) == {"records", "nodes", "rels", "quarantine"}
    assert out["records"]["record_id"].tolist() == ["t1", "t2", "t3", "t4"]
    assert out["records"]["holder"].iloc[1] == "organisation|legal form 'ltd'|sparkle hair studio"
    nodes = out["nodes"]
    assert list(nodes.columns) == NODE_COLUMNS
    people = nodes[nodes["label"] == "Person"]
    assert people[["id", "record_id"]].values.tolist() == [["t1#payer.1", "t1"], ["t1#payer.2", "t1"], ["t3", "t3"]]
    assert people["properties"].iloc[0] == {"name": "a smith", "holder_rule": "joint '&'"}
    assert nodes[nodes["label"] == "Business"]["id"].tolist() == ["name:sparkle hair studio"]
    rels = out["rels"]
    assert list(rels.columns) == REL_COLUMNS
    assert rels[rels["type"] == "OWNS"][["src_label", "src", "dst", "record_id"]].values.tolist() == [
        ["Business", "name:sparkle hair studio", "123456:22345678", "t2"]
    ]
    assert rels[rels["type"] == "HOLDS"]["src"].tolist() == ["t1#payer.1", "t1#payer.2", "t3"]
    assert out["quarantine"][["row", "field", "value"]].values.tolist() == [[4, "ACCOUNT_NAME", "N/A"]]


def test_preview_of_a_list_joins_item_values():
    out = preview(doc_spec("company_officers"), OFFICERS, rows=2)
    assert out["records"]["officer_name"].tolist() == ["ana popescu; jon smith", "li na"]
    assert out["records"]["officer_dob"].tolist() == ["1997-12; 1980-03", "1990-01"]
    assert out["quarantine"]["value"].tolist() == ["Dec 1997)"]
    assert np.array_equal(out["nodes"]["label"].value_counts().sort_index().to_numpy(), [2, 3, 3])


def test_preview_refuses_a_file_without_the_spec_columns():
    with pytest.raises(SpecError, match="column 'ACCOUNT_NAME' is not in the header"):
        preview(doc_spec("account_holders"), HOLDERS.drop(columns="ACCOUNT_NAME"))


def test_when_on_a_holder_skips_its_people_and_business():
    spec = parse_spec(
        doc_spec("account_holders").text.replace(
            'name = "holder" }', 'name = "holder", when = { field = "acc", present = true } }'
        )
    )
    df = HOLDERS.assign(ACCOUNT_NO=["12345678", None, "32345678", "42345678", None])
    out, q = run(spec, df)
    assert out.evidence.persons["record_id"].tolist() == ["t1#payer.1", "t1#payer.2", "t3"]
    assert "Business" not in out.evidence.nodes or out.evidence.nodes["Business"].empty
    assert "OWNS" not in out.evidence.pairs
    assert len(out.record_ids) == 5


def test_business_holders_and_registered_businesses_build_one_table(tmp_path):
    specs = [doc_spec("account_holders"), doc_spec("company_officers")]
    res = ingest({"account_holders": HOLDERS, "company_officers": OFFICERS}, tmp_path / "out", specs=specs)
    biz = res.tables.nodes["Business"]
    assert sorted(biz["id"]) == ["01234567", "07654321", "99999999", "name:sparkle hair studio"]
    accounted(res.summary)


def test_a_business_landlord_manages_what_a_person_landlord_lets(tmp_path):
    spec = parse_spec(
        """[source]
name = "tenancies"
files = ["tenancies*.csv"]
record_id = "REF"
[fields]
landlord = { column = "LANDLORD", kind = "holder" }
line     = { column = "ADDRESS", kind = "address" }
postcode = { column = "POSTCODE", kind = "postcode" }
[nodes]
landlord = { label = "Holder", name = "landlord" }
home     = { label = "Address", postcode = "postcode", line = "line" }
[[rels]]
type = "LETS"
src = "landlord"
dst = "home"
""",
        path="tenancies.toml",
    )
    rows = pd.DataFrame(
        {
            "REF": ["r1", "r2", "r3"],
            "LANDLORD": ["MR JOHN SMITH", "CITY LETTINGS LTD", "MR A SMITH & MRS B SMITH"],
            "ADDRESS": ["1 High Street", "2 High Street", "3 High Street"],
            "POSTCODE": ["LS1 4AB"] * 3,
        }
    )
    res = ingest({"tenancies": rows}, tmp_path / "out", specs=[spec])
    t = res.tables
    assert t.rels["MANAGES"][["src", "dst"]].values.tolist() == [["name:city lettings", "LS1 4AB|2 high street"]]
    assert sorted(t.rels["LETS"]["dst"]) == ["LS1 4AB|1 high street", "LS1 4AB|3 high street", "LS1 4AB|3 high street"]
    assert len(t.nodes["Person"]) == 3  # the letting agent is no person
    accounted(res.summary)
