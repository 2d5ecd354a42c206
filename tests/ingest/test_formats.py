"""Value formats of real extracts (issue 12): ISO8601 in specs, decimal-comma money, flat notation,
holder names, month-only birth dates. Each on a small hand-written extract (invented people)."""

from __future__ import annotations

import pandas as pd
import pytest

from crimnet.errors import ParameterError
from crimnet.ingest.normalise import normalise_address, normalise_date, normalise_money, normalise_name
from crimnet.ingest.normalise.names import holder_people
from crimnet.ingest.normalise.temporal import date_precision, format_precision
from crimnet.ingest.pipeline import ingest
from crimnet.ingest.resolve_rules import prepare_features
from crimnet.ingest.specs import parse_spec

# --- ISO8601 in specs ---------------------------------------------------------------------------------------------

ISO_SPEC = """
[source]
name = "sightings"
files = ["sightings*.csv"]
record_id = "id"

[fields]
vrm  = { column = "vrm", kind = "registration", required = true }
line = { column = "line", kind = "address", required = true }
pc   = { column = "pc", kind = "postcode", required = true }
ts   = { column = "ts", kind = "timestamp", format = "ISO8601", required = true }
day  = { column = "ts", kind = "date", format = "ISO8601" }

[nodes]
car  = { label = "Vehicle", id = "vrm" }
spot = { label = "Address", postcode = "pc", line = "line" }

[[rels]]
type = "SEEN_AT"
src = "car"
dst = "spot"
ts = "ts"
"""


def test_iso8601_format_is_accepted_by_the_spec_checker_and_ingests(tmp_path):
    spec = parse_spec(ISO_SPEC, path="sightings.toml")
    assert spec.fields["ts"].options == {"format": "ISO8601"} and spec.fields["day"].options == {"format": "ISO8601"}
    (tmp_path / "sightings.csv").write_text(
        "id,vrm,line,pc,ts\n"
        "S1,AB12 CDE,1 Mill Lane,LS1 4AB,2025-03-01T22:14:05Z\n"
        "S2,AB12 CDE,1 Mill Lane,LS1 4AB,2025-03-01 23:14:05+01:00\n"
    )
    res = ingest(tmp_path / "sightings.csv", tmp_path / "out", specs=spec)
    assert res.tables.rels["SEEN_AT"]["ts"].tolist() == ["2025-03-01T22:14:05Z", "2025-03-01T22:14:05Z"]
    assert len(res.quarantine) == 0


def test_a_format_without_directives_is_still_refused():
    with pytest.raises(Exception, match="s.toml line 11: field 'ts': 'ISO 8601' is not a strptime format"):
        parse_spec(ISO_SPEC.replace('format = "ISO8601", required', 'format = "ISO 8601", required'), path="s.toml")


# --- decimal-comma money ------------------------------------------------------------------------------------------


def test_decimal_comma_money_and_the_declared_format_resolves_1_234():
    amounts = pd.Series(["1.234,50", "1 234,50 €", "1\u202f234,50", "1234,5", "-12,00", "1.234", "1,234", "12.5"])
    eur = normalise_money(amounts, currency="EUR", decimal=",")
    assert eur["value"].tolist() == [123450, 123450, 123450, 123450, -1200, 123400, pd.NA, pd.NA]
    assert eur["error"].iloc[6] == "'1,234' has more than 2 decimal places for EUR"
    # the same text under the default decimal point: never guessed per value
    assert normalise_money(pd.Series(["1,234", "1.234,50"]))["value"].tolist() == [123400, pd.NA]
    with pytest.raises(ParameterError, match="The 'decimal' parameter of normalise_money must be"):
        normalise_money(amounts, decimal=";")


def test_decimal_comma_payment_extract_ingests(tmp_path):
    spec = parse_spec(
        """
[source]
name = "zahlungen"
files = ["zahlungen*.csv"]
record_id = "id"
delimiter = ";"
[fields]
from_iban = { column = "von", kind = "iban", required = true }
to_iban   = { column = "an", kind = "iban", required = true }
amount    = { column = "betrag", kind = "money", currency = "EUR", decimal = ",", required = true }
ts        = { column = "datum", kind = "timestamp", format = "%d.%m.%Y %H:%M", tz = "Europe/Berlin", required = true }
[nodes]
a = { label = "Account", iban = "from_iban" }
b = { label = "Account", iban = "to_iban" }
[[rels]]
type = "PAID"
src = "a"
dst = "b"
amount = "amount"
ts = "ts"
""",
        path="zahlungen.toml",
    )
    (tmp_path / "zahlungen.csv").write_text(
        "id;von;an;betrag;datum\n"
        "Z1;DE89370400440532013000;DE89370400440532013000;1.234,50;01.03.2025 10:00\n"
        "Z2;DE89370400440532013000;DE89370400440532013000;7,5;02.03.2025 10:00\n"
    )
    res = ingest(tmp_path / "zahlungen.csv", tmp_path / "out", specs=spec)
    assert sorted(res.tables.rels["PAID"]["amount"].tolist()) == [750, 123450]


# --- flat / number notation ---------------------------------------------------------------------------------------


def test_flat_notation_is_kept_distinct():
    lines = pd.Series(["3/12 High Street", "Flat 3, 12 High Street", "12 High St", "312 High St", "12A High St"])
    assert normalise_address(lines)["value"].tolist() == [
        "12 high street flat 3",
        "12 high street flat 3",
        "12 high street",
        "312 high street",
        "12a high street",
    ]
    again = normalise_address(normalise_address(lines)["value"].astype(object))["value"].tolist()
    assert again == normalise_address(lines)["value"].tolist()  # idempotent


# --- holder names -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("holder", "people"),
    [
        ("SMITH J", ["j smith"]),
        ("SMITH J A", ["j a smith"]),
        ("SMITH, JOHN", ["john smith"]),
        ("MR A SMITH & MRS B SMITH", ["a smith", "b smith"]),
        ("MR A & MRS B SMITH", ["a smith", "b smith"]),
        ("MR AND MRS SMITH", ["smith", "smith"]),
        ("Mr John Smith and Mrs Mary Jones", ["john smith", "mary jones"]),
        ("J SMITH", ["j smith"]),
        ("UNKNOWN", []),
    ],
)
def test_holder_people(holder, people):
    assert holder_people(holder) == people


def test_joint_holder_yields_each_person_through_two_fields(tmp_path):
    spec = parse_spec(
        """
[source]
name = "holders"
files = ["holders*.csv"]
record_id = "id"
[fields]
first  = { column = "holder", kind = "name", holder = 1, required = true }
second = { column = "holder", kind = "name", holder = 2 }
sc     = { column = "sort_code", kind = "sort_code", required = true }
acc    = { column = "account", kind = "account_number", required = true }
[nodes]
p1 = { label = "Person", name = "first" }
p2 = { label = "Person", name = "second" }
account = { label = "Account", sort_code = "sc", account = "acc" }
[[rels]]
type = "HOLDS"
src = "p1"
dst = "account"
[[rels]]
type = "HOLDS"
src = "p2"
dst = "account"
""",
        path="holders.toml",
    )
    (tmp_path / "holders.csv").write_text(
        "id,holder,sort_code,account\nH1,MR A SMITH & MRS B SMITH,11-22-33,12345678\nH2,SMITH J,11-22-44,87654321\n"
    )
    res = ingest(tmp_path / "holders.csv", tmp_path / "out", specs=spec)
    assert sorted(res.tables.nodes["Person"]["name"]) == ["a smith", "b smith", "j smith"]
    assert len(res.tables.rels["HOLDS"]) == 3
    assert len(res.quarantine) == 0  # a single holder's second person is absent, not an error
    assert normalise_name(pd.Series(["SMITH J"]))["value"].tolist() == ["smith j"]  # plain names unchanged


# --- month-only birth dates ---------------------------------------------------------------------------------------


def test_month_only_birth_date_keeps_its_precision():
    out = normalise_date(pd.Series(["12/1997", "Dec 1997", "03/12/1997"]), format=["%m/%Y", "%b %Y", "%d/%m/%Y"])
    assert out["value"].tolist() == ["1997-12", "1997-12", "1997-12-03"]
    assert date_precision(out["value"]).tolist() == ["month", "month", "day"]
    assert [format_precision(f) for f in ("%m/%Y", "%b %Y", "%Y", "%d/%m/%Y", "ISO8601")] == [
        "month",
        "month",
        "year",
        "day",
        "day",
    ]
    # the canonical form reads back unchanged under the ISO formats
    assert normalise_date(out["value"].astype(object))["value"].tolist() == out["value"].tolist()


def test_resolution_never_takes_a_month_for_an_exact_birthday():
    records = pd.DataFrame(
        {
            "source": ["officers", "officers", "police_intel"],
            "record_id": ["O1", "O2", "P1"],
            "name": ["ion stan", "ion stan", "ion stan"],
            "dob": ["1997-12", "1997-12-01", "1997-12-01"],
        }
    )
    f = prepare_features(records).set_index("key")
    partial = f.loc["officers:O1"]
    assert pd.isna(partial["dob"]) and pd.isna(partial["dob_d"]) and partial["dob_ym"] == "1997-12"
    assert f.loc["officers:O2", "dob"] == "1997-12-01"  # a real first of December stays a day


def test_month_only_birth_date_ingests_as_a_partial_date(tmp_path):
    spec = parse_spec(
        """
[source]
name = "officers"
files = ["officers*.csv"]
record_id = "id"
[fields]
name = { column = "name", kind = "name", required = true }
dob  = { column = "born", kind = "date", format = ["%m/%Y", "%b %Y"] }
[nodes]
p = { label = "Person", name = "name", dob = "dob" }
""",
        path="officers.toml",
    )
    (tmp_path / "officers.csv").write_text("id,name,born\nO1,Ion Stan,Dec 1997\nO2,Ana Pop,03/1985\n")
    res = ingest(tmp_path / "officers.csv", tmp_path / "out", specs=spec)
    assert sorted(res.tables.nodes["Person"]["dob"]) == ["1985-03", "1997-12"]
