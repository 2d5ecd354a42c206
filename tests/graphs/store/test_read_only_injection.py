"""Hostile ad-hoc Cypher (issue 18): every write or side-effect clause, disguised by comments, Unicode
and several statements, through `crimnet cypher` on the embedded store: refused, audited, store unchanged."""

from __future__ import annotations

import unicodedata

import pandas as pd
import pytest
from typer.testing import CliRunner

from crimnet.cli import app
from crimnet.errors import ReadOnlyError
from crimnet.graphs.store.dialects import (
    check_read_only,
    read_only_violations,
    statement_count,
    unreadable_characters,
)
from crimnet.graphs.store.embedded import EmbeddedStore
from crimnet.queries.audit import read_audit
from crimnet.queries.runner import run_cypher
from tests.fixtures import tiny

# Every write or side-effect clause an engine of crimnet's knows (Neo4j 5, ladybug, FalkorDB).
CLAUSES = {
    "CREATE": "CREATE (:Person {id: 'evil'})",
    "MERGE": "MERGE (p:Person {id: 'evil'})",
    "SET": "MATCH (p:Person) SET p.name = 'evil'",
    "DELETE": "MATCH (p:Phone) DELETE p",
    "DETACH DELETE": "MATCH (p:Person) DETACH DELETE p",
    "REMOVE": "MATCH (p:Person) REMOVE p.name",
    "LOAD CSV": "LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line",
    "LOAD FROM": "LOAD FROM '/etc/passwd' RETURN *",
    "COPY FROM": "COPY Person FROM '/tmp/crimnet-evil.csv'",
    "COPY TO": "COPY (MATCH (p:Person) RETURN p.id) TO '/tmp/crimnet-evil.csv'",
    "CALL write procedure": "CALL apoc.create.node(['Evil'], {id: 'evil'})",
    "CALL setting": "CALL threads = 1",
    "INSTALL": "INSTALL httpfs",
    "LOAD EXTENSION": "LOAD EXTENSION httpfs",
    "ATTACH": "ATTACH '/tmp/crimnet-evil' AS evil (dbtype lbug)",
    "EXPORT": "EXPORT DATABASE '/tmp/crimnet-evil'",
    "IMPORT": "IMPORT DATABASE '/tmp/crimnet-evil'",
    "DROP": "DROP TABLE Person",
    "CREATE TABLE": "CREATE NODE TABLE Evil(id STRING, PRIMARY KEY(id))",
    "FOREACH": "MATCH (p:Person) FOREACH (x IN [1] | SET p.name = 'evil')",
}

_FULLWIDTH = {chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)}


def _fullwidth(word: str) -> str:
    return "".join(_FULLWIDTH.get(c, c) for c in word)


def _first_word(clause: str, fn) -> str:
    head, _, rest = clause.partition(" ")
    return f"{fn(head)} {rest}" if rest else fn(head)


DISGUISES = {
    "plain": lambda c: c,
    "lower case": lambda c: c.lower(),
    "after a // comment ended by CR": lambda c: "MATCH (n) RETURN n // comment\r" + c,
    "after a // comment ended by U+2028": lambda c: "MATCH (n) RETURN n // comment\u2028" + c,
    "after a // comment ended by U+2029": lambda c: "MATCH (n) RETURN n // comment\u2029" + c,
    "after a // comment ended by NEL": lambda c: "MATCH (n) RETURN n // comment\x85" + c,
    "after a // comment ended by VT": lambda c: "MATCH (n) RETURN n // comment\x0b" + c,
    "block comments between words": lambda c: c.replace(" ", " /* RETURN 1 */ "),
    "fullwidth keyword": lambda c: _first_word(c, _fullwidth),
    "zero-width space in keyword": lambda c: _first_word(c, lambda w: w[:2] + "\u200b" + w[2:]),
    "zero-width joiner between words": lambda c: c.replace(" ", "\u200d ", 1),
    "byte-order mark first": lambda c: "\ufeff" + c,
    "second statement": lambda c: "MATCH (n) RETURN count(n) AS n; " + c,
    "second statement after a comment": lambda c: "RETURN 1 AS x; // c\r" + c,
    "statement in a string-looking tail": lambda c: "RETURN 'a\\'' AS x; " + c,
}

ATTEMPTS = [(c, d) for c in CLAUSES for d in DISGUISES]


def _content(store: EmbeddedStore) -> dict[str, list]:
    """Every table's rows, sorted, as plain values: the content, not only the counts."""
    out = {}
    for name, df in store.tables().items():
        rows = df.astype(str).sort_values(list(df.columns)).to_numpy().tolist() if len(df) else []
        out[name] = rows
    return out


@pytest.fixture
def store_path(tmp_path):
    path = tmp_path / "store"
    with EmbeddedStore(path, create=True) as s:
        s.write(tiny())
    return path


def test_the_tokenizer_ends_a_line_comment_at_every_line_end():
    for end in ("\r", "\n", "\r\n", "\u2028", "\u2029", "\x85", "\x0b", "\x0c"):
        assert read_only_violations(f"MATCH (n) // comment{end} DETACH DELETE n") == ["DETACH", "DELETE"], repr(end)


def test_keywords_hidden_by_unicode_are_found_or_refused():
    assert "DELETE" in read_only_violations("MATCH (n) " + _fullwidth("DELETE") + " n")
    assert "SET" in read_only_violations("MATCH (n) \u017fET n.x = 1")  # long s: NFKC gives 's'
    assert unreadable_characters("MATCH (n) DE\u200bLETE n") == ["U+200B ZERO WIDTH SPACE"]
    assert unreadable_characters("MATCH (n) WHERE n.name = 'a\u200bb' RETURN n // \u200b") == []
    with pytest.raises(ReadOnlyError, match="could hide a keyword"):
        check_read_only("MATCH (n) DE\u200bLETE n")
    with pytest.raises(ReadOnlyError, match="could hide a keyword"):
        check_read_only("MATCH (n) RETURN n\u00a0")  # a non-breaking space: NFKC changes it
    check_read_only("MATCH (n:Person) WHERE n.name = 'ＣＲＥＡＴＥ\u200b' RETURN n;")  # data, not code


def test_several_statements_are_counted_outside_strings_and_comments():
    assert statement_count("MATCH (n) RETURN n") == 1
    assert statement_count("MATCH (n) RETURN n ;  ") == 1
    assert statement_count("MATCH (n) WHERE n.x = 'a;b' RETURN n // ; DELETE") == 1
    assert statement_count("RETURN 1; RETURN 2") == 2
    assert statement_count("RETURN 1; // c\rRETURN 2;") == 2
    with pytest.raises(ReadOnlyError, match="2 statements"):
        check_read_only("MATCH (n) RETURN n; MATCH (m) RETURN m")


def test_several_read_statements_are_a_clear_audited_error_not_a_traceback(store_path):
    r = CliRunner().invoke(app, ["cypher", "MATCH (n) RETURN count(n) AS a; MATCH (m) RETURN count(m) AS b",
                                 "--store", str(store_path)])  # fmt: skip
    assert r.exit_code == 2 and isinstance(r.exception, SystemExit), r.output
    assert "2 statements" in r.output and "Traceback" not in r.output
    log = read_audit(store_path / "audit.jsonl")
    assert len(log) == 1 and log.error.iloc[0].startswith("ReadOnlyError: ")


def _refused_through_the_command(store_path, attempts: list[tuple[str, str]]) -> None:
    """Run each (clause, disguise) through `crimnet cypher`: refused, audited in order, store unchanged."""
    with EmbeddedStore(store_path) as s:
        before = _content(s)
    runner = CliRunner()
    texts = [DISGUISES[d](CLAUSES[c]) for c, d in attempts]
    for (c, d), text in zip(attempts, texts, strict=True):
        r = runner.invoke(app, ["cypher", text, "--store", str(store_path), "--csv"])
        assert r.exit_code == 2 and isinstance(r.exception, SystemExit), (c, d, text, r.output)
        assert "Refused" in r.output, (c, d, text, r.output)
    log = read_audit(store_path / "audit.jsonl")
    assert log["query"].tolist() == texts  # every attempt recorded, in order, with its text
    assert log.kind.eq("cypher").all() and log.rows.isna().all()
    assert log.error.str.startswith("ReadOnlyError: ").all()
    with EmbeddedStore(store_path) as s:
        assert _content(s) == before


def test_every_write_clause_and_every_disguise_through_the_command(store_path):
    clauses, disguises = list(CLAUSES), list(DISGUISES)
    attempts = [(c, disguises[i % len(disguises)]) for i, c in enumerate(clauses)]
    attempts += [(clauses[(3 * i + 4) % len(clauses)], d) for i, d in enumerate(disguises)]
    _refused_through_the_command(store_path, attempts)


@pytest.mark.heavy
def test_every_write_clause_in_every_disguise_through_the_command(store_path):
    _refused_through_the_command(store_path, ATTEMPTS)


def test_every_write_clause_in_every_disguise_through_run_cypher(store_path):
    with EmbeddedStore(store_path) as s:
        before = _content(s)
        for c, d in ATTEMPTS:
            with pytest.raises(ReadOnlyError, match="Refused"):
                run_cypher(s, DISGUISES[d](CLAUSES[c]))
        assert _content(s) == before
    log = read_audit(store_path / "audit.jsonl")
    assert len(log) == len(ATTEMPTS) and log.error.str.startswith("ReadOnlyError: ").all()
    assert log["query"].tolist() == [DISGUISES[d](CLAUSES[c]) for c, d in ATTEMPTS]


def test_reads_that_look_odd_still_run(store_path):
    with EmbeddedStore(store_path) as s:
        for text in (
            "MATCH (p:Person) RETURN p.id AS id ORDER BY id;",
            "MATCH (p:Person) WHERE p.name <> 'x; DETACH DELETE p' RETURN count(p) AS n // SET\r",
            "MATCH (p:Person) /* CREATE */ RETURN count(p) AS n",
        ):
            df = run_cypher(s, text)
            assert isinstance(df, pd.DataFrame) and len(df) >= 1
        assert unicodedata.normalize("NFKC", "x") == "x"
