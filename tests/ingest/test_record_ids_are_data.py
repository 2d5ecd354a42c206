"""An agency's record ids are data: a '#' in them must not change who is who.

Ingest names the record of one person of a row ``'<record id>#<node>'`` and of a list or couple person
``'<record id>#<node>.<n>'``; resolution once read the row, the field and the list item back from those
suffixes, so ids such as ``'URN0000001#x.2'`` made rows of ten unrelated people, siblings the guard kept
apart. Ingest now writes the row, the field and the item as columns of their own.
"""

from __future__ import annotations

import shutil

import pandas as pd

from crimnet.ingest.pipeline import ingest
from crimnet.ingest.resolve_rules import sibling_groups
from crimnet.synthetic.generate import generate_case

ID_COLUMNS = {"police_intel.csv": "URN", "bank_customers.csv": "customer_ref", "council_tenancy.csv": "tenancy_ref"}


def test_a_hash_in_agency_record_ids_changes_no_person(tmp_path) -> None:
    case = generate_case(tmp_path / "case", people=300, seed=1).root
    hashed = tmp_path / "hashed"
    shutil.copytree(case, hashed)
    for name, col in ID_COLUMNS.items():
        df = pd.read_csv(hashed / name, dtype=str, keep_default_na=False)
        df[col] = df[col].str[:-1] + "#x." + df[col].str[-1]  # 'URN00000012' -> 'URN0000001#x.2'
        df.to_csv(hashed / name, index=False)
    plain = ingest(case, tmp_path / "plain_out", specs=case / "specs")
    other = ingest(hashed, tmp_path / "hashed_out", specs=hashed / "specs")
    a = pd.read_parquet(tmp_path / "plain_out" / "resolution.parquet")
    b = pd.read_parquet(tmp_path / "hashed_out" / "resolution.parquet")
    b["record_id"] = b["record_id"].str.replace("#x.", "", regex=False)
    both = a.merge(b, on=["source", "record_id"], suffixes=("_plain", "_hashed"), validate="one_to_one")
    assert len(both) == len(a) == len(b) and plain.counts.get("Person") == other.counts.get("Person")
    # the same partition: every plain person is one hashed person and back
    assert (both.groupby("entity_id_plain")["entity_id_hashed"].nunique() == 1).all()
    assert (both.groupby("entity_id_hashed")["entity_id_plain"].nunique() == 1).all()
    records = pd.read_parquet(tmp_path / "hashed_out" / "records.parquet")
    police = records[records["source"] == "police_intel"]
    assert (police["row_key"] == "police_intel:" + police["record_id"]).all() and police["item"].isna().all()
    assert sibling_groups(police).isna().all()  # no list cells there, whatever the ids hold


def test_the_people_of_one_couple_holder_are_siblings_by_their_columns() -> None:
    records = pd.DataFrame(
        {"source": "pay", "record_id": ["T#1#payer.1", "T#1#payer.2", "T#1#payee"],
         "row_key": "pay:T#1", "field": ["payer", "payer", "payee"], "item": pd.array([1, 2, None], dtype="Int64")}
    )  # fmt: skip
    assert sibling_groups(records).tolist()[:2] == ["pay:T#1#payer", "pay:T#1#payer"]
    assert pd.isna(sibling_groups(records).iloc[2])
