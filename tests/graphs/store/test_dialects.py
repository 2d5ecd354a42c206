import pytest

from crimnet.errors import ReadOnlyError
from crimnet.graphs.store.dialects import (
    DIFFERENCES,
    check_read_only,
    read_only_violations,
    schema_statements,
    translate,
)
from crimnet.schema import NODE_LABELS


@pytest.mark.parametrize(
    "cypher, bad",
    [
        ("MATCH (n) RETURN n.id", []),
        ("MATCH (n) WHERE n.name = 'CREATE (x)' RETURN n", []),
        ('MATCH (n) WHERE n.name = "x\\" DELETE n //" RETURN n', []),
        ("MATCH (n) // DELETE n\nRETURN n", []),
        ("MATCH (n) /* SET n.x = 1 */ RETURN n", []),
        ("MATCH (n) RETURN n.set, {delete: 1} AS m", []),
        ("MATCH (n) SET n.x = 1", ["SET"]),
        ("match (n) detach delete n", ["DETACH", "DELETE"]),
        ("MERGE (n:Person {id: 'x'})", ["MERGE"]),
        ("COPY Person FROM 'x.csv'", ["COPY"]),
        ("LOAD CSV FROM 'x' AS r RETURN r", ["LOAD"]),
        ("CALL db.labels()", []),
        ("CALL apoc.periodic.iterate('a', 'b', {})", ["CALL apoc.periodic.iterate"]),
        ("MATCH (n) CALL { WITH n MATCH (n)--(m) RETURN count(m) AS k } RETURN k", []),
        ("MATCH (n) CALL { WITH n CREATE (m) } RETURN n", ["CREATE"]),
        ("DROP TABLE Person", ["DROP"]),
        ("MATCH (n) CALL (n) { MATCH (n)--(m) RETURN count(m) AS k } RETURN k", []),
        ("MATCH (n), (o) CALL (n, o) { CREATE (n)-[:X]->(o) } RETURN n", ["CREATE"]),
        ("CALL (n) RETURN 1", ["CALL "]),
        ("INSERT (:Person {id: 'x'})", ["INSERT"]),
        ("COMMENT ON TABLE Person IS 'x'", ["COMMENT"]),
        ("MATCH (n) RETURN n.comment, n.insert", []),
    ],
)
def test_read_only_violations_ignore_strings_and_comments(cypher, bad):
    assert read_only_violations(cypher) == bad


def test_check_read_only_message_names_the_clause():
    with pytest.raises(ReadOnlyError, match=r"write clauses \['CREATE'\]"):
        check_read_only("CREATE (n:Person {id: 'x'})")


def test_translate_ladybug_only_outside_strings():
    text = "MATCH (a)-[r]->(b) RETURN type(r) AS t, labels( b )[0] AS l, 'type(x) split(' AS s, split(a.name, ' ') AS p"
    out = translate(text, "ladybug")
    assert "label(r)" in out and "label(b)" in out and "string_split(a.name" in out
    assert "'type(x) split(' AS s" in out
    assert translate(text, "neo4j") == text == translate(text, "falkordb")


def test_difference_table_is_complete_and_schema_statements_cover_every_label():
    assert len(DIFFERENCES) >= 10
    for d in DIFFERENCES:
        assert d.topic and d.neo4j and d.ladybug and d.falkordb and d.handling
    neo = schema_statements("neo4j")
    assert sum("REQUIRE n.id IS UNIQUE" in s for s in neo) == len(NODE_LABELS)  # one per label of the schema
    assert all("IF NOT EXISTS" not in s for s in schema_statements("falkordb"))
    assert schema_statements("ladybug") == []


@pytest.mark.parametrize(
    "cypher, expected",
    [
        ("MATCH (n) RETURN n.sources AS s", "MATCH (n) RETURN regexp_split_to_array(n.sources, '\x1f') AS s"),
        (
            "MATCH (n)-[r]->(m) WHERE 'a' IN r.record_ids RETURN size(m.sources)",
            "MATCH (n)-[r]->(m) WHERE 'a' IN regexp_split_to_array(r.record_ids, '\x1f') "
            "RETURN size(regexp_split_to_array(m.sources, '\x1f'))",
        ),
        # string literals, map keys, other properties and nested access are left alone
        ("MATCH (n {sources: 'n.sources'}) RETURN n.sourcesx, a.b.sources", None),
        # a SET target is an assignment, not a read
        ("MATCH (n) SET n.sources = 'x' RETURN n.id", None),
    ],
)
def test_split_joined_lists_rewrites_reads_only(cypher, expected):
    from crimnet.graphs.store.dialects import LIST_SEP, split_joined_lists

    assert LIST_SEP == "\x1f"
    assert split_joined_lists(cypher) == (expected if expected is not None else cypher)


def test_split_joined_lists_is_documented():
    assert any("split_joined_lists" in d.handling for d in DIFFERENCES)
