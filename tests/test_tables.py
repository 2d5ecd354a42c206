import pandas as pd
import pytest

from crimnet.errors import SchemaError
from crimnet.schema import NODE_LABELS, REL_TYPES, node_columns, rel_columns
from crimnet.tables import CanonicalTables


def _tiny() -> CanonicalTables:
    return CanonicalTables.from_frames(
        {
            "Person": pd.DataFrame(
                {
                    "id": ["p1", "p2"],
                    "name": ["ana pop", "ion pop"],
                    "sources": [["a"], ["a", "b"]],
                    "record_ids": [["a:1"], ["a:2", "b:9"]],
                }
            ),
            "Phone": pd.DataFrame({"id": ["+447700900001"], "sources": [["a"]], "record_ids": [["a:1"]]}),
            "USES_PHONE": pd.DataFrame(
                {
                    "src": ["p1", "p2"],
                    "dst": ["+447700900001"] * 2,
                    "sources": [["a"], ["a"]],
                    "record_ids": [["a:1"], ["a:2"]],
                    "first_seen": ["2025-01-02", None],
                }
            ),
        }
    )


def test_every_label_and_type_present_with_schema_columns():
    t = _tiny()
    assert set(t.nodes) == set(NODE_LABELS) and set(t.rels) == set(REL_TYPES)
    assert list(t.nodes["Person"].columns) == node_columns("Person")
    assert list(t.rels["PAID"].columns) == rel_columns("PAID")
    assert t.counts()["Person"] == 2 and t.counts()["Vehicle"] == 0


def test_parquet_round_trip(tmp_path):
    t = _tiny()
    t.write(tmp_path)
    back = CanonicalTables.read(tmp_path)
    for name, df in t.items():
        pd.testing.assert_frame_equal(df.astype(str), (back.nodes | back.rels)[name].astype(str), check_dtype=False)
    assert list(back.nodes["Person"].loc[1, "sources"]) == ["a", "b"]


def test_read_without_lists_leaves_them_null_and_the_rest_equal(tmp_path):
    t = _tiny()
    t.write(tmp_path)
    full, bare = CanonicalTables.read(tmp_path), CanonicalTables.read(tmp_path, lists=False)
    for name, df in bare.items():
        assert list(df.columns) == list((full.nodes | full.rels)[name].columns)
        lists = [c for c in ("sources", "record_ids") if c in df.columns]
        assert df[lists].isna().all().all()
        rest = [c for c in df.columns if c not in lists]
        pd.testing.assert_frame_equal(df[rest], (full.nodes | full.rels)[name][rest])
    assert bare.counts() == full.counts() and bare.counts()["USES_PHONE"] == 2


def test_read_checks_keys(tmp_path):
    t = _tiny()
    t.write(tmp_path)
    df = t.nodes["Phone"]
    pd.concat([df, df]).to_parquet(tmp_path / "nodes_Phone.parquet")
    with pytest.raises(SchemaError, match="Phone: duplicate keys"):
        CanonicalTables.read(tmp_path)


@pytest.mark.parametrize(
    "frames, message",
    [
        ({"Person": pd.DataFrame({"id": ["p1"], "height": [1]})}, "unknown columns ['height']"),
        ({"Person": pd.DataFrame({"id": ["p1", "p1"]})}, "duplicate keys"),
        ({"USES_PHONE": pd.DataFrame({"src": ["p1"]})}, "required columns ['dst'] are missing"),
        ({"PAID": pd.DataFrame({"src": ["a"], "dst": ["b"], "id": [None]})}, "contain nulls"),
        ({"Planet": pd.DataFrame({"id": ["x"]})}, "Unknown tables ['Planet']"),
    ],
)
def test_bad_tables_are_refused_with_the_reason(frames, message):
    with pytest.raises(SchemaError) as err:
        CanonicalTables.from_frames(frames)
    assert message in str(err.value)


def test_missing_optional_columns_become_nulls_of_the_right_type():
    t = CanonicalTables.from_frames(
        {"Phone": pd.DataFrame({"id": ["+447700900001"]}), "Address": pd.DataFrame({"id": ["LS1 1AA|1 high street"]})}
    )
    assert t.nodes["Phone"]["record_ids"].isna().all()
    assert t.nodes["Address"]["lat"].isna().all() and t.nodes["Address"]["postcode"].isna().all()
