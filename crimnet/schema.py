"""The crimnet data model: node labels, relationship types, their fields and id rules.

This module is the single source of truth for the canonical tables (one Parquet
file per label and per relationship type) that ingest writes and that the
stores, graph views and GNN read. See ``DESIGN.md`` ("Data model").

Conventions, shared by every backend:

* Every node has a string ``id``: the normalised identifier (E.164 phone,
  address key, ``sortcode:account`` or IBAN, company number, registration) or,
  for people, the resolved entity id. Ids are unique within a label, not across
  labels; graph views qualify them as ``"<Label>:<id>"``.
* ``sources`` and ``record_ids`` are lists of strings: the source datasets that
  mention a node or relationship, and the ``"<source>:<record id>"`` keys of the
  raw rows behind it (provenance).
* Dates are ISO 8601 strings ``YYYY-MM-DD``; timestamps are UTC ISO 8601 strings
  ``YYYY-MM-DDTHH:MM:SSZ``. Strings sort chronologically and travel unchanged
  through Parquet, ladybug, Neo4j and FalkorDB, which do not agree on temporal
  types (see ``crimnet/graphs/dialects.py``).
* Money is an integer ``amount`` in minor units (pence, cents) plus an ISO 4217
  ``currency``; durations are integer seconds (``duration_s``).
* A relationship table has ``src`` and ``dst`` columns holding node ids. Most
  relationship types are keyed by ``(src, dst)``: one row per pair, aggregating
  every record that asserts it. Event types (``PAID``, ``CALLED``, ``SEEN_AT``,
  ``SEEN_IN``) keep one row per event and are keyed by their own ``id``. A pair
  type's own properties (``ASSOCIATE_OF.wording``) aggregate the distinct values
  of its records, sorted and joined with ``' | '`` (:data:`PAIR_VALUE_SEP`).
* Locations have two precisions: an ``Address`` (a street line in a postcode) and
  a ``Postcode``. Every Address is in its Postcode (``IN_POSTCODE``, derived at
  build time), so what is known only to postcode (a camera, a cell site, a record
  without a street line) meets a home in one hop:
  ``(p)-[:LIVES_AT]->(:Address)-[:IN_POSTCODE]->(pc)<-[:SEEN_IN]-(v)``.
* A ``Business`` known only by name (an account holder, a trading name) has the
  id ``'name:' + normalised name`` (:func:`crimnet.ingest.normalise.business_name_key`).
* Relationships derived by a rule rather than read from a record name the rule as
  their source (``'derived:<rule>'``, e.g. ``WORKS_AT`` from wages: :mod:`crimnet.ingest.derive`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from crimnet.errors import SchemaError

__all__ = [
    "Field",
    "NodeLabel",
    "RelType",
    "NODE_LABELS",
    "REL_TYPES",
    "ROLES",
    "TYPOLOGIES",
    "node_label",
    "rel_type",
    "node_columns",
    "PAIR_VALUE_SEP",
    "rel_columns",
    "table_fields",
    "table_key",
]

DType = Literal["string", "int64", "float64", "string[]"]

PAIR_VALUE_SEP = " | "
"""Separator of the distinct values of a pair relationship's own property (``ASSOCIATE_OF.wording``)."""


@dataclass(frozen=True)
class Field:
    """One property of a node label or relationship type.

    Attributes
    ----------
    name : str
        Property and column name.
    dtype : {'string', 'int64', 'float64', 'string[]'}
        Logical type; the canonical Parquet column and every store use it.
    description : str
        Meaning and units.
    """

    name: str
    dtype: DType
    description: str


_ID = Field("id", "string", "stable identifier, unique within the label")
_SOURCES = Field("sources", "string[]", "source datasets that mention it, sorted")
_RECORD_IDS = Field("record_ids", "string[]", "'<source>:<record id>' of every raw row behind it")
_FIRST = Field("first_seen", "string", "earliest date a source asserts it (YYYY-MM-DD), or null")
_LAST = Field("last_seen", "string", "latest date a source asserts it (YYYY-MM-DD), or null")


@dataclass(frozen=True)
class NodeLabel:
    """A node label: its name and its properties (``id`` and ``sources`` first)."""

    name: str
    properties: tuple[Field, ...]
    description: str

    @property
    def fields(self) -> tuple[Field, ...]:
        """All columns of the canonical node table, in order."""
        return (_ID, *self.properties, _SOURCES, _RECORD_IDS)


@dataclass(frozen=True)
class RelType:
    """A relationship type between two labels.

    ``key`` is ``'pair'`` when one row aggregates every record asserting the same
    ``(src, dst)`` pair, or ``'event'`` when every row is one event with an ``id``.
    """

    name: str
    src: str
    dst: str
    properties: tuple[Field, ...]
    key: Literal["pair", "event"]
    description: str

    @property
    def fields(self) -> tuple[Field, ...]:
        """All columns of the canonical relationship table, in order."""
        ends = (Field("src", "string", f"{self.src}.id"), Field("dst", "string", f"{self.dst}.id"))
        event_id = (Field("id", "string", "event identifier, unique within the type"),)
        head = event_id + ends if self.key == "event" else ends
        return (*head, *self.properties, _SOURCES, _RECORD_IDS, _FIRST, _LAST)


NODE_LABELS: dict[str, NodeLabel] = {
    n.name: n
    for n in (
        NodeLabel(
            "Person",
            (
                Field("name", "string", "normalised full name, 'given family', lower case ASCII"),
                Field("dob", "string", "date of birth YYYY-MM-DD, or YYYY-MM / YYYY when only month / year known"),
                Field("nationality", "string", "ISO 3166-1 alpha-3 country code"),
                Field("sex", "string", "'F', 'M' or null"),
                Field(
                    "resolution",
                    "string",
                    "why its records are one person, one entry per linked record ('<record>: <rule> "
                    "[w=<match weight>] [to <record>] [via <shared neighbours>]', crimnet.ingest.resolve), "
                    "sorted and joined with ' | '; null for a person of one record",
                ),
            ),
            "a resolved person (one entity per real individual, after entity resolution)",
        ),
        NodeLabel("Phone", (), "a phone number, id in E.164 (+447700900123)"),
        NodeLabel(
            "Address",
            (
                Field("postcode", "string", "normalised UK postcode 'AA9A 9AA'"),
                Field("line", "string", "normalised first line of the address"),
                Field("town", "string", "post town"),
                Field("lat", "float64", "latitude, WGS84 degrees, or null"),
                Field("lon", "float64", "longitude, WGS84 degrees, or null"),
            ),
            "a postal address, id the normalised address key '<postcode>|<line>'",
        ),
        NodeLabel(
            "Account",
            (Field("kind", "string", "'uk' (sort code + account number) or 'iban'"),),
            "a bank account, id '<6-digit sort code>:<8-digit account>' or an IBAN",
        ),
        NodeLabel(
            "Business",
            (
                Field("name", "string", "normalised registered name"),
                Field("sic", "string", "SIC 2007 code"),
                Field("sector", "string", "sector label (hot_food, car_wash, nail_bar, ...)"),
            ),
            "a business, id the company number, or 'name:' + the normalised name when no number is known",
        ),
        NodeLabel("Vehicle", (), "a vehicle, id the normalised registration (upper case, no spaces)"),
        NodeLabel(
            "Postcode",
            (Field("district", "string", "the outward code (postcode district), e.g. 'LS1'"),),
            "a UK postcode, id the normalised postcode 'LS1 4AB': a location known to postcode precision",
        ),
    )
}

REL_TYPES: dict[str, RelType] = {
    r.name: r
    for r in (
        RelType("USES_PHONE", "Person", "Phone", (), "pair", "a person uses or is subscribed to a phone"),
        RelType("LIVES_AT", "Person", "Address", (), "pair", "a person is registered or seen living at an address"),
        RelType("HOLDS", "Person", "Account", (), "pair", "a person holds a bank account"),
        RelType(
            "PAID",
            "Account",
            "Account",
            (
                Field("amount", "int64", "amount in minor units (pence)"),
                Field("currency", "string", "ISO 4217 currency code"),
                Field("ts", "string", "UTC timestamp YYYY-MM-DDTHH:MM:SSZ"),
                Field("reference", "string", "payment reference as given"),
            ),
            "event",
            "one payment from one account to another",
        ),
        RelType(
            "WORKS_AT",
            "Person",
            "Business",
            (),
            "pair",
            "a person works at (is paid by) a business; also derived from wages (source 'derived:wages')",
        ),
        RelType("DIRECTS", "Person", "Business", (), "pair", "a person is a director or officer of a business"),
        RelType("LOCATED_AT", "Business", "Address", (), "pair", "a business trades or is registered at an address"),
        RelType("KEEPS", "Person", "Vehicle", (), "pair", "a person is the registered keeper of a vehicle"),
        RelType(
            "SEEN_AT",
            "Vehicle",
            "Address",
            (Field("ts", "string", "UTC timestamp YYYY-MM-DDTHH:MM:SSZ"),),
            "event",
            "a vehicle sighting (ANPR read) at an address",
        ),
        RelType(
            "CALLED",
            "Phone",
            "Phone",
            (
                Field("ts", "string", "UTC timestamp of call start YYYY-MM-DDTHH:MM:SSZ"),
                Field("duration_s", "int64", "call duration in seconds"),
            ),
            "event",
            "one call from one phone to another",
        ),
        RelType("OWNS", "Business", "Account", (), "pair", "a business or organisation holds a bank account"),
        RelType(
            "IN_POSTCODE",
            "Address",
            "Postcode",
            (),
            "pair",
            "an address lies in its postcode (derived at build time for every address, with its provenance)",
        ),
        RelType(
            "SEEN_IN",
            "Vehicle",
            "Postcode",
            (Field("ts", "string", "UTC timestamp YYYY-MM-DDTHH:MM:SSZ"),),
            "event",
            "a vehicle sighting known only to postcode (an ANPR camera's postcode)",
        ),
        RelType(
            "LIVES_IN",
            "Person",
            "Postcode",
            (),
            "pair",
            "a person lives in a postcode (a record without a street line)",
        ),
        RelType("LETS", "Person", "Address", (), "pair", "a person lets an address as its landlord"),
        RelType(
            "MANAGES",
            "Business",
            "Address",
            (),
            "pair",
            "a business lets or manages an address (letting agent, landlord)",
        ),
        RelType(
            "ASSOCIATE_OF",
            "Person",
            "Person",
            (
                Field(
                    "wording",
                    "string",
                    "the sources' own words for the association, distinct values sorted and joined with ' | '",
                ),
            ),
            "pair",
            "a person is named as an associate of another (intelligence); direction as the source gives it",
        ),
    )
}

ROLES: tuple[str, ...] = ("controller", "recruiter", "facilitator", "victim", "none")
"""Roles of people in the generator's ground truth; ``none`` is the background."""

TYPOLOGIES: tuple[str, ...] = (
    "labour_small_business",
    "labour_agriculture",
    "labour_construction",
    "sexual",
    "criminal_county_lines",
    "criminal_cannabis",
    "domestic_servitude",
)
"""Exploitation typologies, after the UK Home Office typology of modern slavery."""


def node_label(name: str) -> NodeLabel:
    """Return the node label called `name`.

    Raises
    ------
    crimnet.errors.SchemaError
        If there is no such label.
    """
    try:
        return NODE_LABELS[name]
    except KeyError:
        raise SchemaError(f"Unknown node label {name!r}; expected one of {sorted(NODE_LABELS)}.") from None


def rel_type(name: str) -> RelType:
    """Return the relationship type called `name`.

    Raises
    ------
    crimnet.errors.SchemaError
        If there is no such type.
    """
    try:
        return REL_TYPES[name]
    except KeyError:
        raise SchemaError(f"Unknown relationship type {name!r}; expected one of {sorted(REL_TYPES)}.") from None


def node_columns(label: str) -> list[str]:
    """Return the column names of the canonical table of node label `label`.

    >>> node_columns("Phone")
    ['id', 'sources', 'record_ids']
    """
    return [f.name for f in node_label(label).fields]


def rel_columns(rel: str) -> list[str]:
    """Return the column names of the canonical table of relationship type `rel`.

    >>> rel_columns("USES_PHONE")
    ['src', 'dst', 'sources', 'record_ids', 'first_seen', 'last_seen']
    """
    return [f.name for f in rel_type(rel).fields]


def table_fields(name: str) -> tuple[Field, ...]:
    """Return the fields of the canonical table `name`: a node label or a relationship type.

    >>> [f.name for f in table_fields("Vehicle")]
    ['id', 'sources', 'record_ids']

    Raises
    ------
    crimnet.errors.SchemaError
        If `name` is neither.
    """
    return node_label(name).fields if name in NODE_LABELS else rel_type(name).fields


def table_key(name: str) -> list[str]:
    """Return the key columns of the canonical table `name` (``id``, or ``src``/``dst`` for pair relationships).

    >>> table_key("LIVES_AT"), table_key("PAID"), table_key("Person")
    (['src', 'dst'], ['id'], ['id'])

    Raises
    ------
    crimnet.errors.SchemaError
        If `name` is neither a node label nor a relationship type.
    """
    if name in NODE_LABELS:
        node_label(name)
        return ["id"]
    return ["src", "dst"] if rel_type(name).key == "pair" else ["id"]
