import subprocess
import sys

from typer.testing import CliRunner

import crimnet
from crimnet.cli import app

runner = CliRunner()


def test_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"crimnet {crimnet.__version__}"


def test_every_command_has_help():
    import typer.main

    group = typer.main.get_command(app)
    assert group.commands, "the CLI has no commands"
    for name in group.commands:
        result = runner.invoke(app, [name, "--help"])
        assert result.exit_code == 0, (name, result.output)
        assert "Usage" in result.output


def test_crimnet_errors_become_one_line_and_exit_2(tmp_path):
    result = runner.invoke(app, ["generate", "--people", "5", "--out", str(tmp_path / "c")])
    assert result.exit_code == 2
    assert result.output.startswith("Error: --people must be")  # the option typed, not generate_case's parameter
    assert "Traceback" not in result.output


def test_the_command_line_starts_without_the_heavy_libraries():
    """``import crimnet`` and the CLI module load names lazily: no pandas, igraph or store drivers at start."""
    code = (
        "import sys, crimnet, crimnet.cli\n"
        "heavy = {'pandas', 'igraph', 'pyarrow', 'ladybug', 'neo4j', 'splink'} & set(sys.modules)\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


CALLS_SPEC = """
[source]
name = "calls"
files = ["calls*.csv"]
record_id = "id"
[fields]
a = { column = "from", kind = "phone", region = "GB" }
b = { column = "to", kind = "phone", region = "GB" }
[nodes]
a = { label = "Phone", id = "a" }
b = { label = "Phone", id = "b" }
[[rels]]
type = "CALLED"
src = "a"
dst = "b"
"""


def _calls(tmp_path, rows):
    spec = tmp_path / "calls.toml"
    spec.write_text(CALLS_SPEC)
    data = tmp_path / "calls.csv"
    data.write_text("id,from,to\n" + "".join(f"{a},{b},{c}\n" for a, b, c in rows))
    return spec, data


def test_ingest_max_field_chars_quarantines_rows_with_longer_cells(tmp_path):
    import pandas as pd

    spec, data = _calls(tmp_path, [("c1", "01632 960001", "01632 960002"), ("c2", "01632 960001", "9" * 40)])

    def quarantined(*options):
        out = tmp_path / f"out{len(options)}"
        res = runner.invoke(app, ["ingest", str(data), "--spec", str(spec), "--out", str(out), *options])
        assert res.exit_code == 0, res.output
        return pd.read_csv(out / "summary.csv")["rows_quarantined"].sum(), res.output

    assert quarantined()[0] == 0  # the default limit (65,536 characters) lets a 40-character cell through
    n, output = quarantined("--max-field-chars", "20")
    assert n == 1 and "calls.csv row 2" in output
    bad = runner.invoke(
        app, ["ingest", str(data), "--spec", str(spec), "--out", str(tmp_path / "x"), "--max-field-chars", "-1"]
    )
    assert bad.exit_code == 2 and "--max-field-chars" in bad.output


def test_ingest_preview_prints_records_nodes_and_relationships(tmp_path):
    rows = [(f"c{n}", "01632 960001" if n % 2 else "x", "01632 960002") for n in range(1, 7)]
    spec, data = _calls(tmp_path, rows)
    res = runner.invoke(app, ["ingest", "--preview", str(spec), str(data), "--rows", "2"], env={"COLUMNS": "80"})
    assert res.exit_code == 0, res.output
    tables = [line for line in res.output.splitlines() if line[:1] in "┏┃┡│└"]
    assert max(map(len, tables)) <= 80
    for title in ("records: what calls.toml reads in calls.csv", "nodes", "relationships", "1 quarantine entries:"):
        assert title in res.output
    assert "+441632960001" in res.output and "CALLED" in res.output
    assert "calls.csv row 2, field 'from'" in res.output  # the second row's bad phone
    assert "c1" in res.output and "c2" in res.output and "c3" not in res.output  # the first two rows only
    assert sorted(p.name for p in tmp_path.iterdir()) == ["calls.csv", "calls.toml"]  # nothing written
    no_file = runner.invoke(app, ["ingest", "--preview", str(spec)])
    assert no_file.exit_code == 2 and "--preview" in no_file.output and "FILE" in no_file.output


def test_ingest_says_how_many_address_spellings_it_merged(tmp_path):
    import re

    import pandas as pd

    from crimnet.synthetic import generate_case

    case = generate_case(tmp_path / "case", people=300, seed=3, preset="hard")
    res = runner.invoke(app, ["ingest", str(case.root), "--out", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    found = re.search(r"([\d,]+) address spellings merged into ([\d,]+) places", res.output)
    logged = pd.read_csv(tmp_path / "out" / "address_variants.csv")
    assert found and int(found[1].replace(",", "")) == len(logged) > 0
    assert int(found[2].replace(",", "")) == logged["canonical_id"].nunique()
