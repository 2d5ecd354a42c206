"""The query library runner: list, validate, bind and run the investigator's ``.cypher`` queries.

Each library query is a file ``crimnet/queries/<name>.cypher`` that opens with a
header of ``//`` comment lines::

    // name: shared_phone_or_account
    // description: People who share a phone or a bank account with a given person.
    // param: person_id: string -- the person's resolved id
    // param: limit: int = 500 [1..100000] -- at most this many rows
    // param: hops: int = 2 [1..4] literal -- hops to expand (inlined, see below)
    // returns: person_id string, name string, shared_label string, shared_id string
    // dialects: notes on how the query differs across engines

A parameter line is ``name: type [= default] [[low..high]] [{a|b|c}] [literal] [-- help]``
with type ``string``, ``int``, ``float``, ``bool`` or ``string[]``; a parameter
without a default is required. Values are checked against the type, range and
choices and passed to the engine as query parameters (``$name``), never formatted
into the text. The one exception is a ``literal`` parameter (a hop count or a node
label), which Cypher does not accept as a parameter anywhere: it must be an int
in a closed range or one of a closed set of choices, is validated, and only then
replaces ``{{name}}``.

The text after the header is the query in Neo4j 5 syntax, translated for the
store's dialect by :func:`crimnet.graphs.store.dialects.translate`. Where no rewrite can
bridge a difference, a variant for one dialect follows a line
``// --- variant: ladybug ---`` (or ``falkordb``/``neo4j``) and is used verbatim.

Parameters that name an entity are checked: a ``string`` or ``string[]`` parameter called
``<label>_id``, ``<label>_ids`` or ``<label>_<letter>`` (the label in lower case:
``person_id``, ``account_id``, ``address_ids``, ``person_a``) names nodes of that label, and
``entity_id`` names a node of the label given by the query's ``label`` parameter. After the
query runs, :func:`run_query` looks every such id up; an id that names no node is reported
in ``attrs['missing']`` of the result (``{parameter: [ids]}``, empty when every id exists)
and by a :class:`MissingEntityWarning` naming the parameter and the value, so that "no
such person" is never mistaken for "no matches" (``crimnet query`` prints the warning and
exits with code 3).
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from crimnet.errors import CrimnetError, QueryError, check_choice, check_type
from crimnet.graphs.store import GraphStore
from crimnet.graphs.store.dialects import DIALECTS, check_read_only
from crimnet.queries.audit import append_audit, audit_path
from crimnet.schema import NODE_LABELS

__all__ = [
    "Param",
    "Query",
    "list_queries",
    "load_query",
    "bind_params",
    "run_query",
    "run_cypher",
    "QUERY_DIR",
    "MissingEntityWarning",
]

QUERY_DIR = Path(str(resources.files("crimnet.queries")))
"""Directory of the library's ``.cypher`` files."""

_TYPES = ("string", "int", "float", "bool", "string[]")
_PARAM = re.compile(
    r"^(?P<name>[A-Za-z_]\w*)\s*:\s*(?P<type>string\[\]|string|int|float|bool)"
    r"(?:\s*=\s*(?P<default>[^\[{\s]+))?"
    r"(?:\s*\[(?P<low>-?[\d.]+)\.\.(?P<high>-?[\d.]+)\])?"
    r"(?:\s*\{(?P<choices>[^}]*)\})?"
    r"(?P<literal>\s+literal)?"
    r"(?:\s*--\s*(?P<help>.*))?$"
)
_VARIANT = re.compile(r"^//\s*---\s*variant:\s*(\w+)\s*---\s*$")
_ENTITY_PARAM = re.compile(r"^(?P<label>[a-z]+)_(?:id|ids|[a-z])$")


class MissingEntityWarning(UserWarning):
    """A library query parameter names an entity (a person, an account...) that the store does not hold.

    Warned by :func:`run_query`; the result's ``attrs['missing']`` holds the same ids. The
    query's rows do not cover that entity: an empty result then means "no such entity",
    not "no matches".
    """


@dataclass(frozen=True)
class Param:
    """A declared query parameter (see the module docstring for the header syntax)."""

    name: str
    type: str
    default: Any = None
    required: bool = True
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    literal: bool = False
    help: str = ""

    def describe(self) -> str:
        """Return a one-line description such as ``hops: int = 2 [1..4] literal``."""
        text = f"{self.name}: {self.type}"
        if not self.required:
            text += f" = {self.default}"
        if self.low is not None:
            text += f" [{_num(self.low)}..{_num(self.high)}]"
        if self.choices:
            text += " {" + "|".join(self.choices) + "}"
        return text + (" literal" if self.literal else "")

    def bind(self, value: Any, *, query: str) -> Any:
        """Check `value` (or convert it from CLI text) and return the value to bind."""
        func = f"query {query!r}"
        try:
            value = _coerce(value, self.type)
        except (TypeError, ValueError):
            raise QueryError(
                f"The {self.name!r} parameter of {func} must be {_article(self.type)}. Got {value!r} instead."
            ) from None
        if self.low is not None and (value < self.low or value > self.high):
            raise QueryError(
                f"The {self.name!r} parameter of {func} must be {_article(self.type)} in "
                f"[{_num(self.low)}, {_num(self.high)}]. Got {value!r} instead."
            )
        if self.choices and value not in self.choices:
            raise QueryError(
                f"The {self.name!r} parameter of {func} must be one of {list(self.choices)}. Got {value!r} instead."
            )
        return value


@dataclass(frozen=True)
class Query:
    """A library query parsed from its ``.cypher`` file."""

    name: str
    description: str
    params: tuple[Param, ...]
    returns: str
    dialect_notes: str
    text: str
    variants: Mapping[str, str] = field(default_factory=dict)
    path: Path | None = None

    def text_for(self, dialect: str) -> str:
        """Return the query text to run on `dialect` (its variant, if any, else the Neo4j 5 text)."""
        return self.variants.get(dialect, self.text)


def _num(x: float | None) -> str:
    return f"{x:g}" if x is not None else ""


def _article(t: str) -> str:
    return {
        "string": "a string",
        "int": "an int",
        "float": "a float",
        "bool": "a bool",
        "string[]": "a list of strings",
    }[t]


def _coerce(value: Any, typ: str) -> Any:
    if typ == "string":
        if not isinstance(value, str):
            raise TypeError
        return value
    if typ == "int":
        if isinstance(value, bool):
            raise TypeError
        if isinstance(value, str):
            return int(value.strip())
        if isinstance(value, int) or (hasattr(value, "dtype") and str(value.dtype).startswith("int")):
            return int(value)
        raise TypeError
    if typ == "float":
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise TypeError
        number = float(value.strip() if isinstance(value, str) else value)
        if not math.isfinite(number):  # NaN passes every range check (all comparisons are false)
            raise ValueError
        return number
    if typ == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "false", "1", "0", "yes", "no"):
            return value.strip().lower() in ("true", "1", "yes")
        raise TypeError
    # string[]
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return list(value)
    raise TypeError


def _parse(path: Path) -> Query:
    head: dict[str, str] = {}
    params: list[Param] = []
    body_lines: list[str] = []
    variants: dict[str, list[str]] = {}
    current = body_lines
    in_header = True
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if in_header and line.startswith("//"):
            content = line[2:].strip()
            key, _, val = content.partition(":")
            key = key.strip().lower()
            if key == "param":
                m = _PARAM.match(val.strip())
                if not m:
                    raise QueryError(f"{path.name}: cannot parse parameter line {raw!r}.")
                params.append(_make_param(m, path))
            elif key in ("name", "description", "returns", "dialects"):
                head[key] = (head.get(key, "") + " " + val.strip()).strip()
            continue
        in_header = False
        if m := _VARIANT.match(line):
            dialect = m.group(1)
            if dialect not in DIALECTS:
                raise QueryError(f"{path.name}: unknown dialect {dialect!r} in a variant line; use one of {DIALECTS}.")
            current = variants.setdefault(dialect, [])
            continue
        current.append(raw)
    name = head.get("name", path.stem)
    if name != path.stem:
        raise QueryError(f"{path.name}: header name {name!r} differs from the file name.")
    return Query(
        name=name,
        description=head.get("description", ""),
        params=tuple(params),
        returns=head.get("returns", ""),
        dialect_notes=head.get("dialects", ""),
        text="\n".join(body_lines).strip(),
        variants={d: "\n".join(v).strip() for d, v in variants.items()},
        path=path,
    )


def _make_param(m: re.Match[str], path: Path) -> Param:
    typ = m.group("type")
    choices = tuple(c.strip() for c in m.group("choices").split("|")) if m.group("choices") else ()
    low = float(m.group("low")) if m.group("low") else None
    high = float(m.group("high")) if m.group("high") else None
    literal = bool(m.group("literal"))
    if literal and not ((typ == "int" and low is not None) or (typ == "string" and choices)):
        raise QueryError(f"{path.name}: literal parameter {m.group('name')!r} needs an int range or string choices.")
    p = Param(
        m.group("name"),
        typ,
        None,
        m.group("default") is None,
        low,
        high,
        choices,
        literal,
        (m.group("help") or "").strip(),
    )
    if m.group("default") is not None:
        default = p.bind(m.group("default"), query=path.stem)
        p = Param(p.name, typ, default, False, low, high, choices, literal, p.help)
    return p


def _all() -> dict[str, Query]:
    return {q.name: q for q in (_parse(p) for p in sorted(QUERY_DIR.glob("*.cypher")))}


def load_query(name: str) -> Query:
    """Return the library query called `name`.

    Raises
    ------
    crimnet.errors.QueryError
        If there is no such query (the message lists them).

    >>> load_query("funnel_accounts").name
    'funnel_accounts'
    """
    check_type(name, str, param="name", func="load_query", expected="a str")
    queries = _all()
    if name not in queries:
        raise QueryError(f"No library query {name!r}; expected one of {sorted(queries)}.")
    return queries[name]


def list_queries() -> pd.DataFrame:
    """List the library queries.

    Returns
    -------
    DataFrame
        Columns ``name`` (str), ``description`` (str), ``parameters`` (str, one
        ``name: type [= default]`` per parameter, ``; ``-separated), ``returns``
        (str) and ``dialects`` (str: the dialects with a variant of their own).

    >>> "shortest_connection" in set(list_queries().name)
    True
    """
    rows = [
        {
            "name": q.name,
            "description": q.description,
            "parameters": "; ".join(p.describe() for p in q.params),
            "returns": q.returns,
            "dialects": ", ".join(sorted(q.variants)),
        }
        for q in _all().values()
    ]
    return pd.DataFrame(rows, columns=["name", "description", "parameters", "returns", "dialects"])


def bind_params(query: Query | str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Validate `params` against the query's declared parameters and return every bound value.

    Strings (as given on the command line) are converted to the declared type
    (``string[]`` from comma-separated text). Defaults fill omitted parameters.

    Raises
    ------
    crimnet.errors.QueryError
        Unknown or missing parameters, or values of the wrong type, range or choice.

    >>> bind_params("person_network", {"person_id": "P1", "hops": "3"})["hops"]
    3
    """
    check_type(query, (Query, str), param="query", func="bind_params", expected="a Query or a query name")
    q = load_query(query) if isinstance(query, str) else query
    given = dict(params or {})
    declared = {p.name: p for p in q.params}
    unknown = sorted(set(given) - set(declared))
    if unknown:
        raise QueryError(f"Query {q.name!r} has no parameters {unknown}; it takes {sorted(declared)}.")
    out: dict[str, Any] = {}
    for p in q.params:
        if p.name in given:
            out[p.name] = p.bind(given[p.name], query=q.name)
        elif p.required:
            raise QueryError(f"Query {q.name!r} needs the parameter {p.name!r} ({p.describe()}).")
        else:
            out[p.name] = p.default
    return out


def _render(q: Query, dialect: str, bound: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    text = q.text_for(dialect)
    values = {}
    for p in q.params:
        if p.literal:
            # validated above: an int in a closed range, or one of fixed choices
            text = text.replace("{{" + p.name + "}}", str(bound[p.name]))
        elif "$" + p.name in text:
            values[p.name] = bound[p.name]
    if "{{" in text:
        raise QueryError(f"Query {q.name!r} has a placeholder that is not a literal parameter: {text!r}.")
    return text, values


def run_query(
    store: Any,
    name: str,
    params: Mapping[str, Any] | None = None,
    *,
    audit: bool = True,
    audit_kind: str = "library",
) -> pd.DataFrame:
    """Run the library query `name` read-only on `store` and return its rows.

    Parameters
    ----------
    store : GraphStore
        An open store (:func:`crimnet.graphs.store.open_store`).
    name : str
        Library query name (see :func:`list_queries`).
    params : mapping, optional
        Parameter values (Python values, or strings as from the command line).
    audit : bool, default True
        Append the run to the store's audit log (a refused or failed run too, with its error).
    audit_kind : {'library', 'watch'}, default 'library'
        How the audit log names the run (``'watch'`` for watch rules).

    Returns
    -------
    DataFrame
        The query's rows (columns as in its ``returns`` header), with
        ``attrs['query']`` and ``attrs['params']`` recording what ran, and
        ``attrs['missing']``: ``{parameter: [ids]}`` for the ids given to parameters naming
        entities (``person_id``, ``account_id``, ``entity_id``...) that the store does not
        hold, empty when they all exist.

    Warns
    -----
    MissingEntityWarning
        When ``attrs['missing']`` is not empty; the message names each parameter and value.

    Raises
    ------
    crimnet.errors.QueryError
        Unknown query or bad parameters.
    crimnet.errors.ReadOnlyError
        Never for library queries (they are read-only), but checked all the same.
    """
    check_type(store, GraphStore, param="store", func="run_query", expected="an open GraphStore")
    check_choice(audit_kind, ("library", "watch"), param="audit_kind", func="run_query")
    return _audited(
        store, audit, kind=audit_kind, query=name, params=params, run=lambda: _run_library(store, name, params)
    )


def _run_library(store: Any, name: str, params: Mapping[str, Any] | None) -> pd.DataFrame:
    q = load_query(name)
    bound = bind_params(q, params)
    text, values = _render(q, store.dialect, bound)
    check_read_only(text, name=q.name)
    df = store.query(text, values)
    missing = _missing_entities(store, q, bound)
    df.attrs.update(query=q.name, params=bound, missing=missing)
    if missing:
        warnings.warn(MissingEntityWarning(_missing_message(q.name, missing, _entity_labels(q, bound))), stacklevel=5)
    return df


def _entity_labels(q: Query, bound: Mapping[str, Any]) -> dict[str, str]:
    """The parameters of `q` that name entities, each with its node label (see the module docstring)."""
    out = {}
    for p in q.params:
        if p.literal or p.type not in ("string", "string[]"):
            continue
        if p.name == "entity_id" and bound.get("label") in NODE_LABELS:
            out[p.name] = str(bound["label"])
        elif (m := _ENTITY_PARAM.match(p.name)) and m.group("label").capitalize() in NODE_LABELS:
            out[p.name] = m.group("label").capitalize()
    return out


def _missing_entities(store: Any, q: Query, bound: Mapping[str, Any]) -> dict[str, list[str]]:
    """Ids given to `q`'s entity parameters that name no node of their label: ``{parameter: [ids]}``."""
    missing: dict[str, list[str]] = {}
    for name, label in _entity_labels(q, bound).items():
        value = bound.get(name)
        ids = [value] if isinstance(value, str) else list(value or [])
        if not ids:
            continue
        found = store.query(f"MATCH (n:{label}) WHERE n.id IN $ids RETURN n.id AS id", {"ids": ids})
        known = set(found["id"])
        absent = [i for i in dict.fromkeys(ids) if i not in known]
        if absent:
            missing[name] = absent
    return missing


def _missing_message(query: str, missing: Mapping[str, list[str]], labels: Mapping[str, str]) -> str:
    parts = [f"{name}={', '.join(map(repr, ids))} names no {labels[name]}" for name, ids in missing.items()]
    return (
        f"Query {query!r}: parameter {'; '.join(parts)} in this store; the rows cannot cover "
        "what does not exist (check the id: this is not 'no matches')."
    )


def _audited(
    store: Any, audit: bool, *, kind: str, query: str, params: Mapping[str, Any] | None, run: Callable[[], pd.DataFrame]
) -> pd.DataFrame:
    """Run `run()` and, when `audit`, log it: rows and bound parameters, or the error that stopped it."""
    if not audit:
        return run()
    log = audit_path(store)
    try:
        df = run()
    except Exception as err:  # refused, failed, or an engine error crimnet did not foresee: all audited
        append_audit(
            log, query=query, params=params, rows=None, backend=store.backend, kind=kind,
            error=f"{type(err).__name__}: {err}",
        )  # fmt: skip
        if isinstance(err, CrimnetError):
            raise
        raise QueryError(f"The query failed in the engine ({type(err).__name__}: {err}).") from err
    bound = df.attrs.get("params", params)
    append_audit(log, query=query, params=bound, rows=len(df), backend=store.backend, kind=kind)
    return df


def run_cypher(store: Any, cypher: str, params: Mapping[str, Any] | None = None, *, audit: bool = True) -> pd.DataFrame:
    """Run ad-hoc Cypher read-only on `store`, refusing any write, and return its rows.

    Parameters
    ----------
    store : GraphStore
        An open store.
    cypher : str
        Query text in Neo4j 5 syntax (translated for the store's dialect).
    params : mapping, optional
        Parameters (``$name`` in the text).
    audit : bool, default True
        Append the run (with the query text) to the audit log.

    Raises
    ------
    crimnet.errors.ReadOnlyError
        If the text contains a write clause, several statements (``...; ...``) or characters
        outside its string literals and comments that could hide a keyword
        (:func:`crimnet.graphs.store.dialects.check_read_only`). Every attempt is audited.
    crimnet.errors.QueryError
        If the engine fails on the query.
    """
    check_type(store, GraphStore, param="store", func="run_cypher", expected="an open GraphStore")
    check_type(cypher, str, param="cypher", func="run_cypher", expected="a str")

    def run() -> pd.DataFrame:
        check_read_only(cypher)
        return store.query(cypher, dict(params or {}))

    return _audited(store, audit, kind="cypher", query=cypher, params=params, run=run)
