"""Server faults: a Bolt store fails fast with the URI and never the password; a password never reaches a config."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from crimnet.errors import StoreError
from crimnet.graphs.store import open_store
from crimnet.graphs.store.base import redact_uri
from crimnet.graphs.store.neo4j import Neo4jStore

SECRET = "s3cret-Pa55"


def _closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens there once the socket is closed


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A loopback port that accepts TCP connections and never answers (the handshake waits forever)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        s.listen(16)  # never accepted: the kernel completes the TCP handshake, nothing speaks Bolt
        yield s.getsockname()[1]


def test_nothing_listening_fails_in_seconds_with_the_uri_and_no_password():
    port = _closed_port()
    for uri in (f"bolt://neo4j:{SECRET}@127.0.0.1:{port}", f"bolt://127.0.0.1:{port}"):
        started = time.monotonic()
        with pytest.raises(StoreError) as err:
            open_store(uri)
        assert time.monotonic() - started < 10  # was 33 s of driver retries
        assert f"No Bolt server answered at bolt://127.0.0.1:{port}" in str(err.value)
        assert SECRET not in str(err.value) and SECRET not in repr(err.value.__cause__)


def test_a_server_that_never_answers_does_not_stall_the_dialect_probe(silent_port):
    started = time.monotonic()
    with pytest.raises(StoreError, match=rf"No Bolt server answered at bolt://127\.0\.0\.1:{silent_port}") as err:
        Neo4jStore(f"bolt://neo4j:{SECRET}@127.0.0.1:{silent_port}", connect_timeout=2)
    assert time.monotonic() - started < 10  # was a 60 s handshake, then retries
    assert SECRET not in str(err.value)
    # with the dialect given there is no probe, but the store still connects when it opens
    with pytest.raises(StoreError, match="No Bolt server answered"):
        Neo4jStore(f"bolt://127.0.0.1:{silent_port}", dialect="neo4j", connect_timeout=1)


def test_the_password_in_a_uri_is_taken_as_auth_and_kept_out_of_uri_backend_and_repr(monkeypatch):
    import neo4j

    seen = {}

    class Session:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def execute_read(self, work):
            return None

    class Driver:
        def __init__(self, uri, auth=None, **config):
            seen.update(uri=uri, auth=auth, config=config)

        def session(self, **kwargs):
            return Session()

        def close(self):
            pass

    monkeypatch.setattr(neo4j.GraphDatabase, "driver", Driver)
    store = Neo4jStore(f"bolt://neo4j:{SECRET}@db.example:7687", dialect="neo4j")
    assert seen["uri"] == "bolt://db.example:7687" and seen["auth"] == ("neo4j", SECRET)
    assert seen["config"]["connection_timeout"] == seen["config"]["connection_acquisition_timeout"] == 5.0
    assert SECRET not in store.uri + store.backend + repr(store)
    # an explicit auth wins over the URI's
    Neo4jStore(f"bolt://neo4j:{SECRET}@db.example:7687", auth=("other", "pw"), dialect="neo4j")
    assert seen["auth"] == ("other", "pw")


def test_redact_uri_hides_only_the_password():
    assert redact_uri(f"neo4j+s://neo4j:{SECRET}@db.example:7687/x?y=1") == "neo4j+s://neo4j:***@db.example:7687/x?y=1"
    assert redact_uri("bolt://db.example:7687") == "bolt://db.example:7687"
    assert redact_uri("work/store") == "work/store"
    assert SECRET not in redact_uri(f"bolt://neo4j:{SECRET}/x@db.example")


def test_run_case_never_writes_the_password_of_a_store_uri_into_its_config(tmp_path, monkeypatch):
    import crimnet.ingest.pipeline
    from crimnet.pipeline import run_case

    saved = {}

    def ingest(sources, out, **kwargs):  # stops the run right after run_case wrote its config
        saved.update(json.loads((Path(out).parent / "config.json").read_text()))
        saved["text"] = (Path(out).parent / "config.json").read_text()
        raise RuntimeError("stop here")

    monkeypatch.setattr(crimnet.ingest.pipeline, "ingest", ingest)
    (tmp_path / "case").mkdir()  # one extract, so that the run gets as far as ingest (specs are chosen first)
    (tmp_path / "case" / "call_records.csv").write_text(
        "cdr_id,calling_number,called_number,call_start,duration_sec\n"
        "c1,01632 960001,01632 960002,2025-03-01T22:14:05Z,60\n"
    )
    with pytest.raises(RuntimeError, match="stop here"):
        run_case(tmp_path / "case", tmp_path / "run", store=f"bolt://neo4j:{SECRET}@127.0.0.1:7687")
    assert saved["store"] == "bolt://neo4j:***@127.0.0.1:7687"
    assert SECRET not in saved["text"]
    for path in tmp_path.rglob("*"):
        assert not path.is_file() or SECRET not in path.read_text(errors="replace"), path
