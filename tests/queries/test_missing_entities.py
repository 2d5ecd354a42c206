"""A query parameter naming an entity that does not exist says so: a warning, ``attrs['missing']``, exit code 3."""

from __future__ import annotations

import warnings

import pytest
from typer.testing import CliRunner

from crimnet.cli import EXIT_MISSING_ENTITY, app
from crimnet.graphs.store.embedded import EmbeddedStore
from crimnet.queries.runner import MissingEntityWarning, list_queries, load_query, run_query
from tests.fixtures import tiny

runner = CliRunner()

# every library parameter that names an entity, with the label it names
ENTITY_PARAMS = {
    ("shared_phone_or_account", "person_id"),
    ("person_network", "person_id"),
    ("payment_flows", "account_id"),
    ("shortest_connection", "person_a"),
    ("shortest_connection", "person_b"),
    ("vehicles_at_addresses", "address_ids"),
    ("entity", "entity_id"),
    ("provenance", "entity_id"),
    ("landlord_of", "entity_id"),
    ("associates", "person_id"),
    ("seen_near_home", "person_id"),
    ("employment", "entity_id"),
}


@pytest.fixture(scope="module")
def store_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("missing") / "store"
    with EmbeddedStore(path, create=True) as s:
        s.write(tiny())
    return path


@pytest.fixture
def store(store_path):
    with EmbeddedStore(store_path, read_only=True) as s:
        yield s


def test_a_person_that_does_not_exist_is_named_in_a_warning_and_in_attrs(store):
    with pytest.warns(MissingEntityWarning, match=r"person_id='NOPE' names no Person"):
        df = run_query(store, "shared_phone_or_account", {"person_id": "NOPE"})
    assert df.empty
    assert df.attrs["missing"] == {"person_id": ["NOPE"]}


def test_an_existing_entity_with_no_matches_is_no_warning(store):
    with warnings.catch_warnings():
        warnings.simplefilter("error", MissingEntityWarning)
        df = run_query(store, "shared_phone_or_account", {"person_id": "p3"})  # p3 shares nothing
        assert df.empty and df.attrs["missing"] == {}
        hit = run_query(store, "shared_phone_or_account", {"person_id": "p1"})
        assert set(hit.person_id) == {"p2"} and hit.attrs["missing"] == {}


def test_the_label_parameter_decides_what_entity_id_names(store):
    with warnings.catch_warnings():
        warnings.simplefilter("error", MissingEntityWarning)
        assert run_query(store, "entity", {"label": "Phone", "entity_id": "+447700900001"}).attrs["missing"] == {}
    with pytest.warns(MissingEntityWarning, match=r"entity_id='p1' names no Phone"):
        df = run_query(store, "entity", {"label": "Phone", "entity_id": "p1"})  # p1 is a person, not a phone
    assert df.attrs["missing"] == {"entity_id": ["p1"]}


def test_only_the_missing_ids_of_a_list_or_pair_are_named(store):
    with pytest.warns(MissingEntityWarning, match=r"address_ids='nowhere' names no Address"):
        df = run_query(store, "vehicles_at_addresses", {"address_ids": ["AB1 2CD|1 high street", "nowhere"]})
    assert df.attrs["missing"] == {"address_ids": ["nowhere"]}
    with pytest.warns(MissingEntityWarning, match="person_b='ghost'"):
        df = run_query(store, "shortest_connection", {"person_a": "p1", "person_b": "ghost"})
    assert df.attrs["missing"] == {"person_b": ["ghost"]}


def test_every_parameter_naming_an_entity_is_checked(store):
    seen = set()
    for name in list_queries().name:
        q = load_query(name)
        params = {p.name: ("NOPE" if p.type == "string" else ["NOPE"]) for p in q.params if p.required}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", MissingEntityWarning)
            df = run_query(store, name, params)
        seen |= {(name, p) for p in df.attrs["missing"]}
    assert seen == ENTITY_PARAMS


def test_the_command_prints_the_warning_and_exits_with_its_own_code(store_path):
    result = runner.invoke(
        app, ["query", "shared_phone_or_account", "-p", "person_id=NOPE", "--store", str(store_path), "--csv"]
    )
    assert result.exit_code == EXIT_MISSING_ENTITY == 3, result.output
    assert "Warning: Query 'shared_phone_or_account': parameter person_id='NOPE' names no Person" in result.output
    none = runner.invoke(app, ["query", "shared_phone_or_account", "-p", "person_id=p3", "--store", str(store_path)])
    assert none.exit_code == 0 and "0 rows" in none.output and "Warning" not in none.output
    help_text = " ".join(runner.invoke(app, ["query", "--help"], terminal_width=200).output.split())
    assert "3 a parameter names an entity the store does not hold" in help_text
