"""A load killed at any point leaves the store as it was or as a clean load leaves it, never between.

Embedded store: `crimnet load` runs in a child process that kills itself (SIGKILL) at a chosen
point: before or after the n-th ladybug statement of a kind, while ladybug checkpoints, right after
the swap. Bolt: the FalkorDB server (saving its graph when stopped) is stopped and restarted in the
middle of a load, and the load run again.
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest

from crimnet.graphs.store import load
from crimnet.graphs.store.base import content_hash
from crimnet.graphs.store.embedded import DB_FILE, EmbeddedStore
from crimnet.tables import CanonicalTables

# the child: patch ladybug's public Connection.execute (and os.replace, the swap) to kill the process at a point,
# then run the load as `crimnet load` does
KILLER = textwrap.dedent(
    """
    import os, signal, sys, threading
    import ladybug
    src, store, word, n, when = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
    seen = [0]
    die = lambda: os.kill(os.getpid(), signal.SIGKILL)
    execute = ladybug.Connection.execute
    def patched(self, query, *args, **kwargs):
        hit = isinstance(query, str) and query.lstrip().upper().startswith(word)
        seen[0] += hit
        if hit and seen[0] == n and when == "before":
            die()
        if hit and seen[0] == n and when == "during":  # inside ladybug's own work on the statement
            threading.Timer(0.005, die).start()
        out = execute(self, query, *args, **kwargs)
        if hit and seen[0] == n and when == "after":
            die()
        return out
    ladybug.Connection.execute = patched
    replace = os.replace
    def patched_replace(a, b):
        replace(a, b)
        if word == "RENAME":
            die()
    os.replace = patched_replace
    from crimnet.cli import app
    sys.argv = ["crimnet", "load", src, "--store", store]
    app()
    """
)

CLI = [sys.executable, "-c", "from crimnet.cli import app; app()"]


def _batches(tables_dir: Path, out: Path) -> tuple[Path, Path]:
    """Batch A (the first half of every table) and batch B (every row, each with one more source), one case."""
    full = CanonicalTables.read(tables_dir)
    a, b = {}, {}
    for name, df in full.items():
        a[name] = df.iloc[: len(df) // 2]
        more = df.copy()
        more["sources"] = pd.Series([[*s, "batch_b"] for s in more["sources"]], index=more.index, dtype=object)
        b[name] = more
    for tag, frames in (("a", a), ("b", b)):
        CanonicalTables.from_frames(frames, case="case-crash").write(out / tag)
    return out / "a", out / "b"


def _content(store: Path) -> tuple[str, int]:
    """The store's content hash and row count, read as a reader would (read-only)."""
    with EmbeddedStore(store, read_only=True) as st:
        t = st.tables()
    return content_hash(t), sum(len(df) for _, df in t.items())


def _load(src: Path, store: Path) -> None:
    r = subprocess.run([*CLI, "load", str(src), "--store", str(store)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr


def _kill_at(src: Path, store: Path, word: str, n: int, when: str) -> int:
    r = subprocess.run(
        [sys.executable, "-c", KILLER, str(src), str(store), word, str(n), when],
        capture_output=True,
        text=True,
        timeout=300,
    )
    return r.returncode


@pytest.fixture(scope="module")
def stores(small_store_case, tmp_path_factory):
    """Batches A and B, a store holding A, and the content of A's store and of A's store after B.

    These reference stores are loaded in this process (`crimnet load` runs the same :func:`load`): the loads under
    test, killed and rerun, are `crimnet load` processes.
    """
    root = tmp_path_factory.mktemp("crash")
    a, b = _batches(small_store_case.tables_dir, root)
    load(a, root / "store_a")
    ab = root / "store_ab"
    _copy_store(root / "store_a", ab)
    load(b, ab)
    return {"a": a, "b": b, "store_a": root / "store_a", "before": _content(root / "store_a"), "after": _content(ab)}


def _copy_store(src: Path, dst: Path) -> None:
    import shutil

    shutil.copytree(src, dst)


def _leftovers(store: Path) -> list[str]:
    return sorted(p.name for p in store.iterdir() if p.name.startswith(DB_FILE) and p.name != DB_FILE)


# (statement kind, n-th, when) -> the content the killed load leaves in a store holding batch A
KILL_POINTS = [
    ("CHECKPOINT", 3, "during", "before"),  # the copy's last checkpoint, before the swap
]
MORE_KILL_POINTS = [  # heavy: each kill starts a process and copies a store (about 10 s each)
    ("RENAME", 1, "after", "after"),  # right after the swap
    ("COPY", 1, "after", "before"),  # new rows loaded into the copy
    ("CHECKPOINT", 1, "during", "before"),  # the store's checkpoint before it is copied
    ("UNWIND", 1, "after", "before"),  # changed rows updated in the copy
    ("CHECKPOINT", 1, "after", "before"),
    ("COPY", 4, "after", "before"),
    ("COPY", 9, "after", "before"),
    ("UNWIND", 3, "after", "before"),
    ("CHECKPOINT", 2, "during", "before"),
    ("CHECKPOINT", 3, "after", "before"),
]


def _check_kill_into_a_loaded_store(stores, tmp_path, word, n, when, expected):
    store = tmp_path / "store"
    _copy_store(stores["store_a"], store)
    assert _kill_at(stores["b"], store, word, n, when) == -signal.SIGKILL
    assert _content(store) == stores[expected]  # content, not only counts: provenance changes are compared too
    # the next load completes it, with the counts and content of a clean run, and leaves no copy behind
    _load(stores["b"], store)
    assert _content(store) == stores["after"]
    assert _leftovers(store) == []


@pytest.mark.parametrize(("word", "n", "when", "expected"), KILL_POINTS)
def test_a_killed_load_into_a_loaded_store_leaves_it_as_it_was_or_complete(stores, tmp_path, word, n, when, expected):
    _check_kill_into_a_loaded_store(stores, tmp_path, word, n, when, expected)


@pytest.mark.heavy
@pytest.mark.parametrize(("word", "n", "when", "expected"), MORE_KILL_POINTS)
def test_a_killed_load_into_a_loaded_store_more_points(stores, tmp_path, word, n, when, expected):
    _check_kill_into_a_loaded_store(stores, tmp_path, word, n, when, expected)


@pytest.mark.parametrize(
    ("word", "n", "when"), [pytest.param("COPY", 3, "after", marks=pytest.mark.heavy), ("CHECKPOINT", 3, "during")]
)
def test_a_killed_load_into_a_new_store_leaves_it_empty_and_a_rerun_completes_it(stores, tmp_path, word, n, when):
    store = tmp_path / "new"
    assert _kill_at(stores["b"], store, word, n, when) == -signal.SIGKILL
    assert _content(store)[1] == 0  # the store was created empty before the write; none of it landed
    _load(stores["b"], store)
    fresh = tmp_path / "clean"
    load(stores["b"], fresh)  # the reference: a clean load (in this process, as the fixture's)
    assert _content(store) == _content(fresh)
    assert _leftovers(store) == []


@pytest.mark.heavy
def test_loads_killed_at_random_times_leave_the_store_before_or_after(stores, tmp_path):
    rng = random.Random(7)
    seen = {"before": 0, "after": 0}
    for trial in range(12):
        store = tmp_path / f"t{trial}"
        _copy_store(stores["store_a"], store)
        proc = subprocess.Popen([*CLI, "load", str(stores["b"]), "--store", str(store)], stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.5, 6.0))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        got = _content(store)
        assert got in (stores["before"], stores["after"]), trial
        seen["before" if got == stores["before"] else "after"] += 1
    assert sum(seen.values()) == 12


def test_a_second_writer_is_refused_while_one_holds_the_store(stores, tmp_path):
    from crimnet.errors import StoreError

    store = tmp_path / "store"
    _copy_store(stores["store_a"], store)
    with EmbeddedStore(store):
        with pytest.raises(StoreError, match="another process holds it read-write"):
            EmbeddedStore(store)
        with EmbeddedStore(store, read_only=True) as reader:  # readers still open beside it
            assert content_hash(reader.tables()) == stores["before"][0]


# --- Bolt: the server stopped and restarted in the middle of a load -------------------------------------------------


@pytest.fixture(scope="module")
def saving_server():
    """A FalkorDB of its own that saves its graph when stopped and loads it when restarted."""
    from tests.conftest import start_falkordb

    server = start_falkordb(persist=True)
    try:
        yield server
    finally:
        server.stop()


def _bolt_store(server):
    from crimnet.graphs.store.neo4j import Neo4jStore

    server.drain()
    return Neo4jStore(server.uri, server.auth, batch_size=server.batch_size, dialect=server.dialect)


@pytest.mark.bolt
def test_a_bolt_load_cut_by_a_server_restart_completes_on_rerun_without_duplicates(saving_server, small_store_case):
    src = small_store_case.tables_dir
    expected = CanonicalTables.read(src)
    loader = subprocess.Popen(
        [*CLI, "load", str(src), "--store", saving_server.uri, "--batch-size", "25"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    with _bolt_store(saving_server) as watcher:  # wait until the load has written some people, then stop the server
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and loader.poll() is None:
            if len(watcher.query("MATCH (p:Person) RETURN p.id AS id LIMIT 1")):
                break
            time.sleep(0.2)
    assert loader.poll() is None, "the load finished before the server could be stopped"
    saving_server.stop()  # SIGTERM: the server saves the graph it holds, part of the load
    loader.send_signal(signal.SIGKILL)  # and the loader dies with it (its driver would retry for 30 s)
    loader.wait(timeout=60)
    saving_server.restart()
    with _bolt_store(saving_server) as store:
        assert len(store.unfinished_loads) == 1  # the cut load is marked
        partial = store.tables().counts()
        assert 0 < sum(partial.values()) < sum(expected.counts().values())
    rerun = subprocess.run(
        [*CLI, "load", str(src), "--store", saving_server.uri, "--batch-size", "25"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert rerun.returncode == 0, rerun.stderr
    with _bolt_store(saving_server) as store:
        assert store.unfinished_loads == []
        back = store.tables()
        assert back.counts() == expected.counts()
        for rel in ("PAID", "CALLED", "LIVES_AT"):
            n = store.query(f"MATCH ()-[r:{rel}]->() RETURN count(r) AS n").n.iloc[0]
            assert n == len(expected.rels[rel]), rel  # no relationship written twice
        assert content_hash(back) == content_hash(expected)


# the Bolt child: patch the neo4j driver's public Session.execute_write (one call per batched write transaction) to
# kill the process before, during or after its n-th call, then run the load as `crimnet load` does
BOLT_KILLER = textwrap.dedent(
    """
    import os, signal, sys, threading
    import neo4j
    src, uri, n, when = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    seen = [0]
    die = lambda: os.kill(os.getpid(), signal.SIGKILL)
    execute_write = neo4j.Session.execute_write
    def patched(self, work, *args, **kwargs):
        seen[0] += 1
        if seen[0] == n and when == "before":
            die()
        if seen[0] == n and when == "during":
            threading.Timer(0.002, die).start()
        out = execute_write(self, work, *args, **kwargs)
        if seen[0] == n and when == "after":
            die()
        return out
    neo4j.Session.execute_write = patched
    from crimnet.cli import app
    sys.argv = ["crimnet", "load", src, "--store", uri, "--batch-size", "25"]
    app()
    """
)


def _bolt_load(src: Path, server) -> None:
    r = subprocess.run(
        [*CLI, "load", str(src), "--store", server.uri, "--batch-size", str(server.batch_size)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode == 0, r.stderr


def _kill_bolt_loads_then_finish(server, stores, points) -> dict[str, int]:
    """Load batch A over Bolt, then run `crimnet load` of batch B killed at each of `points` ((n-th write
    transaction, before/during/after) in turn, then let one load of B finish; return how the killed loads ended."""
    with _bolt_store(server) as store:  # the server is shared by this module's Bolt tests
        store.query("MATCH (n) DETACH DELETE n", write=True)
    _bolt_load(stores["a"], server)
    with _bolt_store(server) as store:
        assert content_hash(store.tables()) == stores["before"][0]
    seen = {"cut": 0, "finished": 0}
    for n, when in points:
        r = subprocess.run(
            [sys.executable, "-c", BOLT_KILLER, str(stores["b"]), server.uri, str(n), when],
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert r.returncode in (0, -signal.SIGKILL), r.stderr
        server.drain()
        with _bolt_store(server) as store:
            cut = bool(store.unfinished_loads)
            # a cut load stays marked until a load completes it; an unmarked store holds the whole of batch B
            assert cut or content_hash(store.tables()) == stores["after"][0]
        seen["cut" if cut else "finished"] += 1
    _bolt_load(stores["b"], server)
    expected = CanonicalTables.read(stores["b"])
    with _bolt_store(server) as store:
        assert store.unfinished_loads == []
        assert content_hash(store.tables()) == stores["after"][0]  # content, provenance included
        for rel in ("PAID", "CALLED", "LIVES_AT"):
            n = store.query(f"MATCH ()-[r:{rel}]->() RETURN count(r) AS n").n.iloc[0]
            assert n == len(expected.rels[rel]), rel  # no relationship written twice
    return seen


@pytest.mark.heavy  # about 40 s; the Bolt path's crash safety stays in the normal suite through the restart test above
@pytest.mark.bolt
def test_a_bolt_load_killed_into_a_loaded_store_is_marked_and_completes_on_rerun(saving_server, stores):
    seen = _kill_bolt_loads_then_finish(saving_server, stores, [(3, "during")])
    assert seen == {"cut": 1, "finished": 0}


@pytest.mark.heavy
@pytest.mark.bolt
def test_bolt_loads_killed_at_random_points_into_a_loaded_store(saving_server, stores):
    rng = random.Random(5)
    points = [(rng.randint(1, 40), rng.choice(["before", "during", "after"])) for _ in range(10)]
    seen = _kill_bolt_loads_then_finish(saving_server, stores, points)
    assert seen["cut"] >= 5
