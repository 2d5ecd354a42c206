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
    assert result.output.startswith("Error: The 'people' parameter of generate_case must be")
    assert "Traceback" not in result.output


def test_the_command_line_starts_without_the_heavy_libraries():
    """``import crimnet`` and the CLI module load names lazily: no pandas, igraph or store drivers at start."""
    code = (
        "import sys, crimnet, crimnet.cli\n"
        "heavy = {'pandas', 'igraph', 'pyarrow', 'ladybug', 'neo4j', 'splink'} & set(sys.modules)\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
