"""Businesses known only by name joined to their registered company, and the business evidence of person records.

The end-to-end case: a company register lists a nail bar (number and name), its payroll declares an
employee paid into one account, and a payment extract (holder names, no ids) shows the nail bar's
account paying wages into a second account written with the employee's surname and initial. Nothing
but the employer joins that second account to the employee.
"""

from __future__ import annotations

import pandas as pd
import pytest

from crimnet.errors import ParameterError
from crimnet.ingest.pipeline import ingest
from crimnet.ingest.resolve_businesses import BusinessNames, business_names

HOLDER_PAYMENTS = """
[source]
name = "holder_payments"
files = ["holder_payments*.csv"]
record_id = "ref"

[fields]
payer_name = { column = "payer_name", kind = "holder" }
from_sort_code = { column = "from_sort_code", kind = "sort_code", required = true }
from_account = { column = "from_account", kind = "account_number", min_digits = 1, required = true }
payee_name = { column = "payee_name", kind = "holder" }
to_sort_code = { column = "to_sort_code", kind = "sort_code", required = true }
to_account = { column = "to_account", kind = "account_number", min_digits = 1, required = true }
amount = { column = "amount", kind = "money", currency = "GBP", required = true }
posted_at = { column = "posted_at", kind = "timestamp", format = "ISO8601", tz = "UTC", required = true }

[nodes]
from_acct = { label = "Account", sort_code = "from_sort_code", account = "from_account" }
to_acct = { label = "Account", sort_code = "to_sort_code", account = "to_account" }
payer = { label = "Holder", name = "payer_name" }
payee = { label = "Holder", name = "payee_name" }

[[rels]]
type = "PAID"
src = "from_acct"
dst = "to_acct"
amount = "amount"
ts = "posted_at"

[[rels]]
type = "HOLDS"
src = "payer"
dst = "from_acct"

[[rels]]
type = "HOLDS"
src = "payee"
dst = "to_acct"
"""

_GIVEN = ["adam", "bella", "carl", "dana", "emil", "fiona", "greg", "hana", "ivor", "jill", "kurt", "lena"]
_FAMILY = ["abara", "bexley", "corvin", "dunmore", "eskdale", "farrant", "galloway", "hartigan", "ingleby", "jessop"]


def _company(n: int, number: str, name: str, officer: str) -> dict:
    return {"officer_id": f"O{n}", "company_number": number, "company_name": name, "sic_code": "96020",
            "registered_address": f"{n} Mill Lane", "registered_postcode": "ZZ1 1AA", "officer_name": officer,
            "officer_birth": "03/1970", "appointed_on": "2020-01-01", "nationality": "GBR"}  # fmt: skip


def _payroll(n: int, employer: str, name: str, dob: str, account: str) -> dict:
    return {"line_id": f"L{n}", "employer_company_number": employer, "employee_name": name, "nino": None,
            "employee_dob": dob, "pay_sort_code": "400000", "pay_account": account, "tax_year": "2025-26"}  # fmt: skip


def _payment(n: int, payer: str, frm: str, payee: str, to: str, month: int) -> dict:
    return {"ref": f"P{n}", "payer_name": payer, "from_sort_code": "200000", "from_account": frm, "payee_name": payee,
            "to_sort_code": "400000", "to_account": to, "amount": "412.50",
            "posted_at": f"2025-{month:02d}-28T09:00:00Z"}  # fmt: skip


@pytest.fixture(scope="module")
def ingested(tmp_path_factory):
    """The nail bar case inside a background of 60 employees of 6 other companies."""
    tmp = tmp_path_factory.mktemp("biz")
    (tmp / "specs").mkdir()
    (tmp / "specs" / "holder_payments.toml").write_text(HOLDER_PAYMENTS)
    companies = [_company(0, "08266614", "CHURCH NAIL BAR LTD", "Mihaela Nistor")]
    companies += [_company(i, f"0700000{i}", f"{_FAMILY[i].upper()} TRADING LTD", f"{_GIVEN[i]} {_FAMILY[i]}")
                  for i in range(1, 7)]  # fmt: skip
    payroll = [_payroll(0, "08266614", "Thandiwe Okonkwo", "12-05-1991", "10000000")]
    payroll += [
        _payroll(i, f"0700000{1 + i % 6}", f"{_GIVEN[i % 12]} {_FAMILY[(i * 7) % 10]}{i}", f"0{1 + i % 9}-02-1980",
                 f"2{i:07d}")
        for i in range(1, 61)
    ]  # fmt: skip
    payments = [_payment(m, "CHURCH NAIL BAR LIMITED", "90000001", "OKONKWO T", "30000000", m) for m in (1, 2, 3)]
    # a customer paying the nail bar, and a cafe (not registered) paying a namesake's account
    payments.append(_payment(10, "BEXLEY ADAM", "50000000", "CHURCH NAIL BAR LIMITED", "90000001", 4))
    payments += [_payment(20 + m, "ABBEY CAFE", "90000002", "OKONKWO T", "30000009", m) for m in (1, 2, 3)]
    sources = {
        "company_register": pd.DataFrame(companies),
        "payroll": pd.DataFrame(payroll),
        "holder_payments": pd.DataFrame(payments),
    }
    specs = [
        tmp / "specs" / "holder_payments.toml",
        *(p for p in _shipped_specs() if p.stem in ("company_register", "payroll")),
    ]
    return ingest(sources, tmp / "out", specs=specs)


def _shipped_specs():
    from importlib.resources import files

    return [p for p in files("crimnet.ingest").joinpath("specs").iterdir() if p.name.endswith(".toml")]


def _entity(res, source: str, record_id: str) -> str:
    t = res.resolution.set_index(["source", "record_id"])
    return t.at[(source, record_id), "entity_id"]


def test_a_business_known_by_name_becomes_the_registered_company(ingested):
    names = ingested.business_names
    assert names[["name_id", "business_id", "rule"]].values.tolist() == [
        ["name:church nail bar", "08266614", "register name"]
    ]
    assert names["mentions"].tolist() == [4]  # three wage payments and one customer payment name it
    business = ingested.tables.nodes["Business"].set_index("id")
    assert "name:church nail bar" not in business.index and "name:abbey cafe" in business.index
    # the company keeps every mention: the register's and the payments'
    assert {"company_register", "holder_payments"} <= set(business.at["08266614", "sources"])
    owns = ingested.tables.rels["OWNS"]
    assert owns.loc[owns["dst"] == "200000:90000001", "src"].tolist() == ["08266614"]
    logged = pd.read_csv(ingested.out / "business_names.csv", dtype=str)
    assert logged["business_id"].tolist() == ["08266614"]


def test_person_records_carry_the_business_they_work_at_or_are_paid_by(ingested):
    records = pd.read_parquet(ingested.out / "records.parquet").set_index(["source", "record_id"])
    assert records.at[("payroll", "L0"), "business_id"] == "08266614"  # WORKS_AT
    assert records.at[("company_register", "O0"), "business_id"] == "08266614"  # DIRECTS
    # the payee of a business's payment carries the payer (as named; resolution reads it through the register)
    assert records.at[("holder_payments", "P1#payee"), "business_id"] == "name:church nail bar"
    # a person paying a business is its customer, not its employee: nothing
    assert pd.isna(records.at[("holder_payments", "P10#payer"), "business_id"])


def test_a_second_account_joins_its_holder_through_the_employer_that_pays_it(ingested):
    employee = _entity(ingested, "payroll", "L0")
    wages = {_entity(ingested, "holder_payments", f"P{m}#payee") for m in (1, 2, 3)}
    assert wages == {employee}
    row = ingested.resolution.set_index(["source", "record_id"]).loc[("holder_payments", "P1#payee")]
    assert row["rule"].startswith("relational") or row["linked_to"].startswith("holder_payments")
    # a namesake's account paid by another business that employs no Okonkwo stays apart
    other = {_entity(ingested, "holder_payments", f"P{20 + m}#payee") for m in (1, 2, 3)}
    assert len(other) == 1 and other != {employee}
    # the wages derived from the payments go to the registered company, beside the payroll's assertion
    works = ingested.tables.rels["WORKS_AT"]
    mine = works[(works["src"] == employee)]
    assert mine["dst"].tolist() == ["08266614"]
    assert {"payroll", "derived:wages"} <= set(mine["sources"].iloc[0])


def test_a_name_two_companies_carry_is_ambiguous_and_left_as_it_is():
    nodes = pd.DataFrame(
        {
            "id": ["01", "02", "name:abbey cafe", "03", "name:mill farm", "04"],
            "name": ["Abbey Cafe Ltd", "ABBEY CAFE LIMITED", "ABBEY CAFE", "Mill Farm Ltd", "MILL FARM", None],
        }
    )
    table = business_names(nodes).table
    assert table[["name_id", "business_id"]].values.tolist() == [["name:mill farm", "03"]]
    assert BusinessNames(table).ids(pd.Series(["name:abbey cafe", "name:mill farm"])).tolist() == [
        "name:abbey cafe",
        "03",
    ]


def test_business_names_refuses_what_is_not_business_evidence():
    with pytest.raises(ParameterError, match="'id' and 'name'"):
        business_names(pd.DataFrame({"id": ["01"]}))
    with pytest.raises(ParameterError, match="table"):
        BusinessNames(pd.DataFrame({"name_id": ["name:x"]}))
