"""Source specs: the shipped specs are valid, and every wrong spec fails naming the file and line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from crimnet.errors import SpecError
from crimnet.ingest.specs import default_specs, load_spec, load_specs, match_spec, parse_spec
from crimnet.schema import REL_TYPES

GOOD = """\
# a spec for a small phone extract
[source]
name = "calls"
files = ["calls*.csv"]
record_id = "id"

[fields]
a    = { column = "from", kind = "phone", region = "GB", required = true }
b    = { column = "to", kind = "phone" }
when = { column = "start", kind = "timestamp", format = "%Y-%m-%dT%H:%M:%SZ", tz = "UTC" }
dur  = { column = "secs", kind = "integer" }

[nodes]
a = { label = "Phone", id = "a" }
b = { label = "Phone", id = "b" }

[[rels]]
type = "CALLED"
src = "a"
dst = "b"
ts = "when"
duration_s = "dur"
"""

GENERATED = [
    "police_intel", "council_tenancy", "bank_customers", "bank_transactions", "company_register", "payroll",
    "vehicle_keepers", "anpr_reads", "call_records", "nrm_referrals", "ngo_casework", "helpline_reports",
    "police_victims",
]  # fmt: skip


def _fail(text: str, tmp_path: Path) -> tuple[str, int]:
    path = tmp_path / "bad_spec.toml"
    path.write_text(text)
    with pytest.raises(SpecError) as info:
        load_spec(path)
    msg = str(info.value)
    m = re.match(rf"{re.escape(str(path))} line (\d+): ", msg)
    assert m, msg
    return msg, int(m.group(1))


def _line(text: str, needle: str) -> int:
    return next(i for i, ln in enumerate(text.splitlines(), start=1) if needle in ln)


def test_good_spec_parses():
    spec = parse_spec(GOOD, path="calls.toml")
    assert spec.name == "calls"
    assert spec.columns == ["id", "from", "to", "start", "secs"]
    assert spec.fields["a"].required and not spec.fields["b"].required
    assert spec.fields["a"].options == {"region": "GB"}
    (rel,) = spec.rels
    assert (rel.type, rel.src, rel.dst, rel.props) == ("CALLED", "a", "b", {"ts": "when", "duration_s": "dur"})


def test_shipped_specs_cover_every_generated_source():
    specs = default_specs()
    assert sorted(s.name for s in specs) == sorted(GENERATED)
    for name in GENERATED:
        assert match_spec(f"/case/{name}.csv", specs).name == name
        assert match_spec(f"{name}.parquet", specs).name == name
    assert match_spec("truth/entities.csv", specs) is None
    # Every relationship type of the data model is produced by some shipped spec, except IN_POSTCODE (derived for
    # every Address at build time) and the types no shipped source asserts (landlords, associates, business accounts,
    # postcode-only places): specs written beside a case map them, as tests/ingest/test_data_model.py does.
    not_shipped = {"OWNS", "SEEN_IN", "LIVES_IN", "LETS", "MANAGES", "ASSOCIATE_OF"}
    assert {r.type for s in specs for r in s.rels} == set(REL_TYPES) - {"IN_POSTCODE"} - not_shipped


@pytest.mark.parametrize(
    ("old", "new", "needle", "words"),
    [
        ('kind = "phone" }', 'kind = "telephone" }', "telephone", ["unknown normaliser", "'telephone'"]),
        ('label = "Phone", id = "b"', 'label = "Mobile", id = "b"', "Mobile", ["unknown label", "'Mobile'"]),
        ('type = "CALLED"', 'type = "PHONED"', "PHONED", ["unknown relationship type", "'PHONED'"]),
        ('ts = "when"', 'ts = "later"', "later", ["unknown field", "'later'"]),
        ('ts = "when"', 'colour = "when"', "colour", ["unknown property", "'colour'"]),
        ('format = "%Y-%m-%dT%H:%M:%SZ"', 'format = "%Y-%m-%Q"', "%Q", ["not a valid strptime format"]),
        ('format = "%Y-%m-%dT%H:%M:%SZ"', 'format = "YYYY-MM-DD"', "YYYY-MM-DD", ["not a strptime format"]),
        ('region = "GB"', 'regoin = "GB"', "regoin", ["no option", "'regoin'"]),
        ('dst = "b"', 'dst = "c"', 'dst = "c"', ["not a node", "'c'"]),
        ('record_id = "id"', 'record_id = "id"\nsheet = 1', "sheet", ["unknown key", "'sheet'"]),
        (
            'b = { label = "Phone", id = "b" }',
            'b = { label = "Address", postcode = "b", line = "b" }',
            'dst = "b"',
            ["must be a Phone node"],
        ),
        ("[[rels]]", "[[relations]]", "[[relations]]", ["unknown section"]),
        ('files = ["calls*.csv"]', "files = []", "files = []", ["non-empty list"]),
        ("required = true }", 'required = "yes" }', 'required = "yes"', ["'required' must be true or false"]),
    ],
)
def test_bad_spec_names_file_and_line(tmp_path, old, new, needle, words):
    assert old in GOOD
    text = GOOD.replace(old, new, 1)
    msg, line = _fail(text, tmp_path)
    assert line == _line(text, needle), msg
    for w in words:
        assert w in msg, msg


def test_invalid_toml_names_line(tmp_path):
    text = GOOD.replace('dst = "b"', 'dst = b"')
    msg, line = _fail(text, tmp_path)
    assert "not valid TOML" in msg
    assert line == _line(text, 'dst = b"')


def test_missing_column_fails_when_header_is_read(tmp_path):
    spec = parse_spec(GOOD, path="calls.toml")
    spec.check_columns(["id", "from", "to", "start", "secs", "extra"])
    with pytest.raises(SpecError, match=r"calls.toml line (\d+): column 'secs' is not in the header in calls.csv") as e:
        spec.check_columns(["id", "from", "to", "start"], file="calls.csv")
    assert f"line {_line(GOOD, 'secs')}:" in str(e.value)
    with pytest.raises(SpecError, match="line 5: column 'id'"):
        spec.check_columns(["from", "to", "start", "secs"])


def test_spec_column_check_in_ingest(tmp_path):
    from crimnet.ingest.pipeline import ingest

    (tmp_path / "calls.csv").write_text("id,from,to,start\n1,447700900001,447700900002,2025-01-01T00:00:00Z\n")
    spec = tmp_path / "calls.toml"
    spec.write_text(GOOD)
    with pytest.raises(SpecError, match=rf"{re.escape(str(spec))} line {_line(GOOD, 'secs')}: column 'secs'"):
        ingest(tmp_path / "calls.csv", tmp_path / "out", specs=spec)
    assert not (tmp_path / "out").exists()


def test_load_specs_paths_and_duplicates(tmp_path):
    (tmp_path / "a.toml").write_text(GOOD)
    assert [s.name for s in load_specs(tmp_path)] == ["calls"]
    assert [s.name for s in load_specs([tmp_path / "a.toml"])] == ["calls"]
    (tmp_path / "b.toml").write_text(GOOD)
    with pytest.raises(SpecError, match="Two specs define source 'calls'"):
        load_specs(tmp_path)
    with pytest.raises(SpecError, match="no such spec"):
        load_specs(tmp_path / "missing.toml")


def test_docs_example_is_a_valid_spec():
    """The worked example in docs/specs.md parses (documented examples run as tests)."""
    doc = Path(__file__).resolve().parents[2] / "docs" / "specs.md"
    blocks = re.findall(r"```toml\n(.*?)```", doc.read_text(), flags=re.S)
    assert blocks
    for block in blocks:
        parse_spec(block, path="docs/specs.md")


def test_every_normaliser_kind_is_accepted_and_local_kinds_take_no_options(tmp_path):
    from crimnet.ingest.normalise import NORMALISERS
    from crimnet.ingest.specs import LOCAL_KINDS, normaliser_kinds

    assert normaliser_kinds() == frozenset(NORMALISERS) | LOCAL_KINDS
    for kind in sorted(normaliser_kinds() - {"date", "timestamp"}):  # those two need a format
        spec = parse_spec(GOOD.replace('kind = "integer"', f'kind = "{kind}"'), path="calls.toml")
        assert spec.fields["dur"].kind == kind
    text = GOOD.replace('kind = "integer" }', 'kind = "float", places = 2 }')
    msg, line = _fail(text, tmp_path)
    assert "normaliser 'float' has no option 'places'; its options are []" in msg and line == _line(text, "places")
