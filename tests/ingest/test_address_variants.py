"""Tests of address variant resolution (crimnet.ingest.resolve_addresses) and its use in ingest."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crimnet.errors import ParameterError
from crimnet.ingest import ingest
from crimnet.ingest.build import PERSON_RECORD_COLUMNS, Evidence, build_tables
from crimnet.ingest.resolve_addresses import (
    ADDRESS_VARIANT_COLUMNS,
    MAX_BLOCK,
    AddressVariants,
    address_variants,
    one_edit_apart,
)
from crimnet.synthetic import generate_case

KEY = bytes(range(32))


def _ids(**mentions: int) -> pd.DataFrame:
    """Address evidence: each id (postcode and line joined by '|') mentioned the given number of times."""
    return pd.DataFrame({"id": [i for i, n in mentions.items() for _ in range(n)]})


def _mapping(ev: pd.DataFrame) -> dict[str, str]:
    v = address_variants(ev).table
    return dict(zip(v["address_id"], v["canonical_id"], strict=True))


# Ten other places in LS1 4AB and the KB1 district make those postcodes and that district well attested.
STREET = {f"LS1 4AB|{n} king street": 2 for n in range(20, 30)}
DISTRICT = {f"KB1 {d}AB|{d} ash court": 1 for d in range(1, 9)}


def test_one_edit_apart_counts_single_edits_only():
    a = np.array(["LS1 4AB", "kign street", "ose drive", "rosse drive", "abc", "abc", "ab", "xyz", "zlöty", None])
    b = np.array(["LS1 4AD", "king street", "rose drive", "rose drive", "abc", "cab", "abcd", "xy", "zloty", "abc"])
    assert one_edit_apart(a, b).tolist() == [True, True, True, True, False, False, False, True, True, False]
    with pytest.raises(ParameterError, match="'b' parameter of one_edit_apart"):
        one_edit_apart(a, b[:3])


def test_a_postcode_typo_merges_into_the_attested_postcode():
    ev = _ids(**STREET, **{"LS1 4AB|12 king street": 3, "LS1 4AD|12 king street": 1})
    v = address_variants(ev).table
    assert v.columns.tolist() == ADDRESS_VARIANT_COLUMNS
    assert v[["address_id", "canonical_id", "rule", "mentions", "canonical_mentions"]].values.tolist() == [
        ["LS1 4AD|12 king street", "LS1 4AB|12 king street", "postcode", 1, 3]
    ]


def test_the_rarer_spelling_maps_to_the_frequent_one_whatever_the_order():
    # the typo postcode holds one place, the real one eleven: the typo merges even when mentioned more often
    ev = _ids(**STREET, **{"LS1 4AB|12 king street": 1, "LS1 4AA|12 king street": 4})
    assert _mapping(ev) == {"LS1 4AA|12 king street": "LS1 4AB|12 king street"}
    # a misspelt street word names one place, 'king' eleven: 'kign' merges even when mentioned more often
    ev = _ids(**STREET, **{"LS1 4AB|12 king street": 1, "LS1 4AB|12 kign street": 5})
    assert _mapping(ev) == {"LS1 4AB|12 kign street": "LS1 4AB|12 king street"}
    # nothing else to go by: the id mentioned more often is the place's spelling
    assert _mapping(_ids(**{"M1 1AA|3 elm road": 1, "M1 1AB|3 elm road": 2})) == {
        "M1 1AA|3 elm road": "M1 1AB|3 elm road"
    }


def test_neighbouring_houses_and_flats_never_merge():
    ev = _ids(
        **STREET,
        **{
            "LS1 4AB|12 king street": 5,
            "LS1 4AB|14 king street": 1,  # another house, one character apart
            "LS1 4AB|12 king street flat 1": 3,
            "LS1 4AB|12 king street flat 2": 1,  # another flat
            "LS1 4AB|12a king street": 1,
            "LS1 4AB|12b king street": 1,  # house letters
            "LS1 4AB|12 king street flat a": 1,
            "LS1 4AB|12 king street flat b": 1,
            "LS1 4AD|14 king street flat 1": 1,  # postcode one edit away, but another line
        },
    )
    assert _mapping(ev) == {}


def test_two_streets_of_one_name_in_neighbouring_postcodes_stay_apart():
    # 'NB1 1UZ' and 'NB1 1UR' each hold numbers 16-20 of a 'cliff place': two streets, not typos
    twins = {f"NB1 1U{u}|{n} cliff place": 2 for u in "ZR" for n in range(16, 21)}
    assert _mapping(_ids(**twins)) == {}
    # beside them, one line in a third neighbouring postcode is a typo: it merges into the postcode with more places
    ev = _ids(**twins, **{"NB1 1UR|30 cliff place": 3, "NB1 1UX|30 cliff place": 1})
    assert _mapping(ev) == {"NB1 1UX|30 cliff place": "NB1 1UR|30 cliff place"}


def test_a_postcode_typo_needs_the_same_line_exactly():
    ev = _ids(**STREET, **{"LS1 4AB|12 king street": 3, "LS1 4AD|12 kign street": 1})  # two errors
    assert _mapping(ev) == {}


def test_a_misspelt_district_merges_but_two_attested_districts_do_not():
    # 'BK1' (one postcode) is KB1 (eight postcodes) with two letters swapped
    ev = _ids(**DISTRICT, **{"KB1 5PN|16 rose drive": 2, "BK1 5PN|16 rose drive": 1})
    assert _mapping(ev) == {"BK1 5PN|16 rose drive": "KB1 5PN|16 rose drive"}
    # two characters swapped across the space: 'KB0 1GB' for 'KB1 0GB'
    ev = _ids(**DISTRICT, **{"KB1 0GB|18 holme road": 2, "KB0 1GB|18 holme road": 1})
    assert _mapping(ev) == {"KB0 1GB|18 holme road": "KB1 0GB|18 holme road"}
    # districts with as many postcodes each: the same line and inward code in both stays two places
    other = {f"KB7 {d}AB|{d} oak court": 1 for d in range(1, 9)}
    ev = _ids(**DISTRICT, **other, **{"KB1 5PN|1 church road": 1, "KB7 5PN|1 church road": 1})
    assert _mapping(ev) == {}


def test_chains_end_at_the_best_spelling_and_the_mapping_is_idempotent():
    ev = _ids(
        **STREET,
        **{
            "LS1 4AB|12 king street": 4,
            "LS1 4AD|12 king street": 1,  # postcode typo
            "LS1 4AB|12 kign street": 1,  # line typo
            "LS1 4AD|12 kign street": 1,  # both: not one edit from the place, but from each of its variants
        },
    )
    variants = address_variants(ev)
    v = variants.table
    assert set(v["canonical_id"]) == {"LS1 4AB|12 king street"}
    assert dict(zip(v["address_id"], v["rule"], strict=True)) == {
        "LS1 4AD|12 king street": "postcode",
        "LS1 4AB|12 kign street": "line",
        "LS1 4AD|12 kign street": "postcode+line",
    }
    rewritten = variants.ids(ev["id"])
    assert len(rewritten) == len(ev) and rewritten.nunique() == len(STREET) + 1
    assert len(address_variants(pd.DataFrame({"id": rewritten}))) == 0


def test_ids_that_are_not_address_keys_and_oversized_blocks_are_left_alone():
    tokens = pd.DataFrame({"id": ["addr_abc", "addr_abd", None]})
    assert len(address_variants(tokens)) == 0
    # more than MAX_BLOCK postcodes of one district under one line is no place's spelling
    junk = _ids(**{f"LS1 {d}{a}{b}|unknown": 1 for d in range(10) for a in "AB" for b in "ABCD"})
    assert len(junk) > MAX_BLOCK and len(address_variants(junk)) == 0
    with pytest.raises(ParameterError, match="'addresses' parameter of address_variants"):
        address_variants(pd.DataFrame({"x": [1]}))
    with pytest.raises(ParameterError, match="'table' parameter of AddressVariants"):
        AddressVariants(pd.DataFrame({"address_id": ["a"]}))


def test_person_records_compare_the_canonical_place():
    v = AddressVariants(
        pd.DataFrame({"address_id": ["LS1 4AD|12 king street"], "canonical_id": ["LS1 4AB|12 king street"]})
    )
    rec = pd.DataFrame({"address_id": ["LS1 4AD|12 king street", None], "postcode": ["LS1 4AD", "LS1 4AD"]})
    out = v.records(rec.reindex(columns=PERSON_RECORD_COLUMNS))
    assert out["address_id"].tolist()[0] == "LS1 4AB|12 king street"
    # the postcode changes with the address; a postcode known without an address stays as written
    assert out["postcode"].tolist() == ["LS1 4AB", "LS1 4AD"]


def _evidence() -> Evidence:
    """Two spellings of one place (three records), lived at by two people and seen by a camera."""
    ev = Evidence()
    addr = ["LS1 4AB|12 king street", "LS1 4AB|12 king street", "LS1 4AD|12 king street"]
    ev.nodes["Address"] = pd.DataFrame(
        {
            "id": addr,
            "postcode": [a.split("|")[0] for a in addr],
            "line": ["12 king street"] * 3,
            "town": ["leeds"] * 3,
            "lat": [np.nan] * 3,
            "lon": [np.nan] * 3,
            "source": ["council", "council", "anpr"],
            "record": ["council:1", "council:2", "anpr:9"],
        }
    )
    ev.persons = pd.DataFrame(
        {"source": ["council", "council"], "record_id": ["1", "2"], "name": ["ann lee", "bo lee"]}
    ).reindex(columns=PERSON_RECORD_COLUMNS)
    ev.pairs["LIVES_AT"] = pd.DataFrame(
        {
            "src": ["council:1", "council:2"],
            "dst": ["LS1 4AB|12 king street", "LS1 4AD|12 king street"],
            "source": ["council", "council"],
            "record": ["council:1", "council:2"],
            "first_seen": ["2024-01-01", "2024-03-01"],
            "last_seen": [None, None],
        }
    )
    ev.events["SEEN_AT"] = pd.DataFrame(
        {
            "id": ["anpr:9"],
            "src": ["AB12CDE"],
            "dst": ["LS1 4AD|12 king street"],
            "ts": ["2024-05-01T10:00:00+00:00"],
            "source": ["anpr"],
            "record": ["anpr:9"],
        }
    )
    return ev


def test_every_relationship_points_at_the_canonical_place_and_keeps_its_evidence():
    ev = _evidence()
    entity_ids = pd.Series({"council:1": "P1", "council:2": "P2"})
    variants = address_variants(ev.nodes["Address"])
    assert variants.table["address_id"].tolist() == ["LS1 4AD|12 king street"]
    before = build_tables(ev, entity_ids)
    t = build_tables(ev, entity_ids, address_variants=variants)
    assert len(before.nodes["Address"]) == 2 and len(t.nodes["Address"]) == 1
    node = t.nodes["Address"].iloc[0]
    assert node["id"] == "LS1 4AB|12 king street" and node["postcode"] == "LS1 4AB"
    assert sorted(node["record_ids"]) == ["anpr:9", "council:1", "council:2"]
    lives = t.rels["LIVES_AT"]
    assert set(lives["dst"]) == {"LS1 4AB|12 king street"} and sorted(lives["src"]) == ["P1", "P2"]
    # rows read = rows out: every evidence row is still behind exactly one relationship
    assert sum(len(r) for r in lives["record_ids"]) == len(ev.pairs["LIVES_AT"])
    assert t.rels["SEEN_AT"]["dst"].tolist() == ["LS1 4AB|12 king street"] and len(t.rels["SEEN_AT"]) == 1
    # the typo postcode is no longer a Postcode of the case; the place is in its real postcode
    assert t.nodes["Postcode"]["id"].tolist() == ["LS1 4AB"]
    assert t.rels["IN_POSTCODE"][["src", "dst"]].values.tolist() == [["LS1 4AB|12 king street", "LS1 4AB"]]
    assert sum(len(r) for r in t.rels["IN_POSTCODE"]["record_ids"]) == 3
    # the evidence itself is untouched (a later batch maps it again with its own variants)
    assert ev.nodes["Address"]["id"].nunique() == 2


def _truth_places(case_dir) -> pd.Series:
    """Record key -> its true address, for records naming one address."""
    ent = pd.read_csv(case_dir / "truth" / "entities.csv", dtype=str)
    ent = ent[ent["entity_type"] == "Address"]
    key = ent["source"] + ":" + ent["record_id"]
    one = key.map(key.value_counts()) == 1
    return pd.Series(ent["entity_id"][one].to_numpy(), index=key[one].to_numpy())


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    root = tmp_path_factory.mktemp("addr")
    generate_case(root / "case", people=300, seed=5, preset="hard")
    return root, ingest(root / "case", root / "out")


def test_ingest_merges_variants_of_a_generated_case_without_wrong_merges(generated):
    root, res = generated
    truth = _truth_places(root / "case")
    raw = pd.read_parquet(res.out / "evidence" / "nodes_Address.parquet", columns=["id", "record"])
    nodes = res.tables.nodes["Address"]
    v = res.address_variants
    assert len(v) and len(nodes) == raw["id"].nunique() - len(v)
    assert pd.read_csv(res.out / "address_variants.csv")["address_id"].tolist() == v["address_id"].tolist()
    # split places: true places written under more than one Address id, before and after
    raw = raw.assign(true=raw["record"].map(truth)).dropna()
    after = nodes[["id", "record_ids"]].explode("record_ids").rename(columns={"record_ids": "record"})
    after = after.assign(true=after["record"].map(truth)).dropna()
    split_before = (raw.groupby("true")["id"].nunique() > 1).sum()
    split_after = (after.groupby("true")["id"].nunique() > 1).sum()
    assert split_before >= 20 and split_after <= 0.25 * split_before
    # no wrong merge: every variant shares a true place with the id it merged into
    places = raw.groupby("id")["true"].agg(set)
    wrong = [(a, c) for a, c in zip(v["address_id"], v["canonical_id"], strict=True) if not places[a] & places[c]]
    assert wrong == []


def test_pseudonymised_ingest_merges_the_same_addresses(generated):
    root, plain = generated
    pseudo = ingest(root / "case", root / "pseudo", pseudonymise_key=KEY)
    # addresses stay in clear under pseudonymisation, so the same ids merge by the same rules
    pd.testing.assert_frame_equal(pseudo.address_variants, plain.address_variants)
    assert pseudo.counts["Address"] == plain.counts["Address"]
