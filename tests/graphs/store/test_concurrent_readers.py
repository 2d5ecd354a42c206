"""Several processes read one embedded store at once, also while a writer holds it."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time

import pytest

from crimnet.graphs.store.embedded import EmbeddedStore
from tests.fixtures import frames, tiny

CLI = [sys.executable, "-c", "from crimnet.cli import app; app()"]

# what each reader asks, and what it must print (CSV)
READS = [
    (["cypher", "MATCH (p:Person) RETURN count(p) AS n", "--csv"], "n\n3\n"),
    (["query", "shared_phone_or_account", "-p", "person_id=p1", "--csv"], "p2"),
    (["query", "entity", "-p", "label=Phone", "-p", "entity_id=+447700900001", "--csv"], "+447700900001"),
    (["cypher", "MATCH (:Account)-[x:PAID]->(:Account) RETURN sum(x.amount) AS total", "--csv"], "total\n12845\n"),
]


@pytest.fixture
def store_path(tmp_path):
    path = tmp_path / "store"
    with EmbeddedStore(path, create=True) as s:
        s.write(tiny())
    return path


def _start(args: list[str], store) -> subprocess.Popen:
    return subprocess.Popen([*CLI, *args, "--store", str(store)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _check(procs: list[subprocess.Popen], expected: list[str]) -> None:
    for proc, want in zip(procs, expected, strict=True):
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
        assert want in out.decode(), (want, out.decode(), err.decode())
        assert "lock" not in err.decode().lower()


def test_query_and_cypher_read_while_a_writer_holds_the_store(store_path):
    # before: every `crimnet query` opened the store read-write, and a second process got
    # "Could not set lock ... Lock is held by PID ..."
    with EmbeddedStore(store_path) as writer:  # a read-write session holds ladybug's lock
        procs = [_start(args, store_path) for args, _ in READS]  # four readers at once
        _check(procs, [want for _, want in READS])
        writer.write(frames({"Person": {"id": ["p4"], "sources": [["s"]], "record_ids": [["s:4"]]}}))
        # a reader opened after the writer committed sees the new row; the writer is not disturbed
        _check([_start(["cypher", "MATCH (p:Person) RETURN count(p) AS n", "--csv"], store_path)], ["n\n4\n"])
        assert writer.tables().counts()["Person"] == 4


def test_read_only_sessions_are_open_at_the_same_time(store_path, tmp_path):
    # each reader opens, then waits until every reader has opened before it queries and closes:
    # all of them hold the store at once
    n = 4
    code = textwrap.dedent(
        """
        import json, pathlib, sys, time
        from crimnet.graphs.store import open_store
        gate, me, n = pathlib.Path(sys.argv[2]), sys.argv[3], int(sys.argv[4])
        with open_store(sys.argv[1], read_only=True) as st:
            (gate / me).touch()
            deadline = time.monotonic() + 60
            while len(list(gate.iterdir())) < n and time.monotonic() < deadline:
                time.sleep(0.05)
            together = len(list(gate.iterdir())) >= n
            people = sorted(st.query("MATCH (p:Person) RETURN p.id AS id").id)
        print(json.dumps({"together": together, "people": people}))
        """
    )
    gate = tmp_path / "gate"
    gate.mkdir()
    started = time.monotonic()
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, str(store_path), str(gate), f"r{i}", str(n)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for i in range(n)
    ]
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
        assert json.loads(out) == {"together": True, "people": ["p1", "p2", "p3"]}
    assert time.monotonic() - started < 120
