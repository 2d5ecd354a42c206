"""Paths are checked: a missing store is an error naming the path, never an empty answer; only loads create stores."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from crimnet.cli import app
from crimnet.errors import SchemaError, StoreError
from crimnet.graphs.store import load, open_store
from crimnet.graphs.store.embedded import DB_FILE, EmbeddedStore
from tests.fixtures import tiny

runner = CliRunner()


def test_opening_a_store_that_does_not_exist_names_the_path_and_creates_nothing(tmp_path):
    missing = tmp_path / "work" / "nostore"
    with pytest.raises(StoreError, match=r"No embedded store at .*nostore.*graph\.lbug missing.*no such folder"):
        open_store(missing)
    with pytest.raises(StoreError, match="nostore"):
        EmbeddedStore(missing)
    assert not (tmp_path / "work").exists()


def test_a_folder_without_a_database_is_not_a_store(tmp_path):
    # `--store work` instead of `--store work/store`: the case folder exists, but it holds no store
    (tmp_path / "case").mkdir()
    (tmp_path / "case" / "people.csv").write_text("id\n1\n")
    with pytest.raises(StoreError, match=r"case .*graph\.lbug missing; the folder holds people\.csv"):
        open_store(tmp_path / "case")
    assert not (tmp_path / "case" / DB_FILE).exists()


def test_create_makes_a_store_and_later_opens_need_no_create(tmp_path):
    with open_store(tmp_path / "s", create=True) as st:
        st.write(tiny())
    with open_store(tmp_path / "s") as st, open_store(tmp_path / "s", read_only=True) as ro:
        assert st.tables().counts() == ro.tables().counts() == tiny().counts()


def test_query_with_a_mistyped_store_is_an_error_not_zero_rows(tmp_path):
    store = tmp_path / "work" / "nostore"
    for args in (
        ["query", "shared_phone_or_account", "-p", "person_id=p1", "--store", str(store)],
        ["cypher", "MATCH (p:Person) RETURN count(p) AS n", "--store", str(store)],
        ["watch", "run", "--store", str(store)],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert "No embedded store at" in result.output and "nostore" in result.output
        assert "0 rows" not in result.output
    assert not store.exists()


def test_loading_a_folder_that_is_not_canonical_tables_is_an_error_naming_what_was_expected(tmp_path):
    raw = tmp_path / "case"  # a raw case folder: extracts, not tables
    raw.mkdir()
    (raw / "police_intel.csv").write_text("id,name\n1,ana\n")
    (raw / "bank_transactions.csv").write_text("id,amount\n1,5\n")
    with pytest.raises(SchemaError, match=r"no canonical tables: expected nodes_<Label>\.parquet / edges_<TYPE>"):
        load(raw, tmp_path / "store")
    assert not (tmp_path / "store").exists()  # no empty store left behind
    result = runner.invoke(app, ["load", str(raw), "--store", str(tmp_path / "store")])
    assert result.exit_code == 2, result.output
    assert "nodes_" in result.output and "edges_" in result.output and "police_intel.csv" in result.output
    assert "rows written" not in result.output
    with pytest.raises(SchemaError, match="no such directory"):
        load(tmp_path / "nowhere", tmp_path / "store")


def test_load_creates_the_store(tmp_path):
    tiny().write(tmp_path / "tables")
    result = runner.invoke(app, ["load", str(tmp_path / "tables"), "--store", str(tmp_path / "new")])
    assert result.exit_code == 0, result.output
    assert f"{sum(tiny().counts().values())} rows written" in result.output
    assert (tmp_path / "new" / DB_FILE).exists()
