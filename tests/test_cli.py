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
