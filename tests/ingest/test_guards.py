"""The silent-nonsense guard (issue 12): values that look wrong as a class are reported per source and field.

The extracts are small and hand-written (invented people); the officer list reproduces the issue's finding:
a split that keeps the tail of each ``name (born Mon YYYY); ...`` cell loads ``Dec 1997)`` as a name.
"""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from crimnet.cli import app
from crimnet.errors import ParameterError
from crimnet.ingest.pipeline import SUMMARY_COLUMNS, ingest
from crimnet.ingest.quality import EMPTY_SHARE, MIN_VALUES, NAME_JUNK_SHARE, WARNING_COLUMNS, QualityProfile

OFFICER_SPEC = """
[source]
name = "officers"
files = ["officers*.csv"]
record_id = "company"

[fields]
company = { column = "company", kind = "company_number", required = true }
officer = { column = "officers", kind = "name", split = " (born ", part = PART, required = true }
since   = { column = "since", kind = "date", format = "%d/%m/%Y" }

[nodes]
business = { label = "Business", id = "company" }
officer  = { label = "Person", name = "officer" }

[[rels]]
type = "DIRECTS"
src = "officer"
dst = "business"
first_seen = "since"
"""

FORENAMES = ["Ana", "Ion", "Maria", "Vasile", "Elena", "Andrei", "Ioana", "Mihai", "Irina", "Dan", "Oana", "Radu"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def _officers(tmp_path, part: str) -> tuple:
    """12 companies, each listing its officers in one cell; `part` picks the spec's piece of the cell."""
    rows = ["company,officers,since"]
    for i, given in enumerate(FORENAMES):
        cell = f"{given} Popa (born {MONTHS[i]} 1980)"
        if i < 10:  # most companies have a second officer, born Dec 1997
            cell += f"; {given} Stan (born Dec 1997)"
        rows.append(f'SC{100000 + i},"{cell}",{i + 1:02d}/03/2024')
    (tmp_path / "officers.csv").write_text("\n".join(rows) + "\n")
    spec = tmp_path / "officers.toml"
    spec.write_text(OFFICER_SPEC.replace("PART", part))
    return tmp_path / "officers.csv", spec


def test_officer_list_split_that_keeps_the_birth_tail_warns(tmp_path):
    src, spec = _officers(tmp_path, "-1")  # the analyst's slip: the tail of the cell, not its head
    res = ingest(src, tmp_path / "out", specs=spec)
    names = res.tables.nodes["Person"]["name"].tolist()
    assert names.count("dec") >= 10  # what the issue found: nonsense loads without one error
    assert len(res.quarantine) == 0
    w = res.warnings
    assert list(w.columns) == WARNING_COLUMNS
    assert w[["source", "file", "field", "check"]].values.tolist() == [
        ["officers", "officers.csv", "officer", "name_junk"]
    ]
    assert w["share"].iloc[0] == 1.0  # 'Dec 1997)' x10 and 'Dec 1980)', ... x2: all month names
    assert "'Dec 1997)' x10" in w["message"].iloc[0] and "month name" in w["message"].iloc[0]
    assert res.summary["warnings"].tolist() == [1]
    on_disk = pd.read_csv(res.out / "warnings.csv")
    assert on_disk[["field", "check"]].values.tolist() == [["officer", "name_junk"]]


def test_clean_extract_gives_no_warning(tmp_path):
    src, spec = _officers(tmp_path, "0")  # the head of the cell: the first officer's name
    res = ingest(src, tmp_path / "out", specs=spec)
    assert sorted(res.tables.nodes["Person"]["name"])[:2] == ["ana popa", "andrei popa"]
    assert len(res.warnings) == 0 and list(res.warnings.columns) == WARNING_COLUMNS
    assert res.summary["warnings"].tolist() == [0] and list(res.summary.columns) == SUMMARY_COLUMNS
    assert len(pd.read_csv(res.out / "warnings.csv")) == 0


def test_cli_prints_the_warnings(tmp_path):
    src, spec = _officers(tmp_path, "-1")
    result = CliRunner().invoke(app, ["ingest", str(src), "--out", str(tmp_path / "out"), "--spec", str(spec)])
    assert result.exit_code == 0, result.output
    assert "1 warnings" in result.output
    assert "warning: officers.csv, field 'officer': 12 of 12 names (100%) are a month name" in result.output
    (tmp_path / "clean").mkdir()
    clean_src, clean_spec = _officers(tmp_path / "clean", "0")
    clean = CliRunner().invoke(
        app, ["ingest", str(clean_src), "--out", str(tmp_path / "clean_out"), "--spec", str(clean_spec)]
    )
    assert clean.exit_code == 0 and "warning:" not in clean.output and "warnings (" not in clean.output


def test_mostly_empty_field_and_date_with_one_value(tmp_path):
    rows = ["company,officers,since"]
    for i, given in enumerate(FORENAMES):
        rows.append(f"SC{100000 + i},{given} Popa,{'01/01/1900' if i else ''}")
    (tmp_path / "officers.csv").write_text("\n".join(rows) + "\n")
    spec = tmp_path / "officers.toml"
    spec.write_text(OFFICER_SPEC.replace("PART", "0"))
    res = ingest(tmp_path / "officers.csv", tmp_path / "out", specs=spec)
    assert res.warnings[["field", "check"]].values.tolist() == [["since", "one_date"]]
    assert "every one of 11 dates is 1900-01-01" in res.warnings["message"].iloc[0]

    rows = ["company,officers,since"] + [
        f"SC{100000 + i},{g} Popa,{'bad' if i < 9 else ''}" for i, g in enumerate(FORENAMES)
    ]
    (tmp_path / "officers.csv").write_text("\n".join(rows) + "\n")
    res = ingest(tmp_path / "officers.csv", tmp_path / "out", specs=spec)
    w = res.warnings
    assert w[["field", "check"]].values.tolist() == [["since", "mostly_empty"]]
    assert "no value in 12 of 12 rows (100%: 3 blank, 9 not normalisable)" in w["message"].iloc[0]
    # a field the spec declares sparse is expected to be mostly empty: no warning
    spec.write_text(
        OFFICER_SPEC.replace("PART", "0").replace('format = "%d/%m/%Y"', 'format = "%d/%m/%Y", sparse = true')
    )
    res = ingest(tmp_path / "officers.csv", tmp_path / "out", specs=spec)
    assert len(res.warnings) == 0 and res.quarantine["field"].tolist() == ["since"] * 9


def test_thresholds_and_the_profile():
    assert (MIN_VALUES, NAME_JUNK_SHARE, EMPTY_SHARE) == (10, 0.05, 0.9)
    profile = QualityProfile()
    good = pd.Series([f"Person {c}" for c in "abcdefghijklmnopqrst"], dtype="str")
    # one odd value in 20 (5%): reported; none: not
    odd = good.copy()
    odd.iloc[0] = "7"
    profile.add("a", "name", good, good)
    profile.add("b", "name", odd, odd)
    w = profile.warnings(source="s", file="f.csv")
    assert w["field"].tolist() == ["b"] and "a number" in w["message"].iloc[0]
    # fewer than MIN_VALUES values: never judged
    few = QualityProfile()
    few.add("c", "name", pd.Series(["J"] * 9, dtype="str"), pd.Series(["j"] * 9, dtype="str"))
    assert len(few.warnings(source="s", file="f.csv")) == 0
    # a pseudonymised ingest quotes no raw value
    quiet = QualityProfile()
    quiet.add("d", "name", pd.Series(["Dec 1997)"] * 10, dtype="str"), pd.Series(["dec"] * 10, dtype="str"))
    assert "Dec 1997" not in quiet.warnings(source="s", file="f.csv", examples=False)["message"].iloc[0]
    with pytest.raises(ParameterError, match="The 'value' parameter of QualityProfile.add must be as long as"):
        profile.add("a", "name", good, good.iloc[:3])
