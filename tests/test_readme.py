"""Every command of the README's investigator session, its bundled-network commands and its Python example run."""

import ast
import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from crimnet.cli import app

README = Path(__file__).resolve().parents[1] / "README.md"
runner = CliRunner()


def _blocks(lang: str, after: str) -> list[str]:
    text = README.read_text()
    section = text[text.index(after) :]
    return re.findall(rf"```{lang}\n(.*?)```", section, re.S)


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    return tmp_path_factory.mktemp("readme")


def test_investigator_session_runs(session, monkeypatch):
    monkeypatch.chdir(session)
    first, watch = _blocks("console", "## For investigators")[:2]
    commands = [ln[2:] for block in (first, watch) for ln in block.splitlines() if ln.startswith("$ crimnet ")]
    assert len(commands) >= 9
    person = None
    for command in commands:
        argv = shlex.split(command)[1:]
        if "<person-id>" in command:
            argv = [a.replace("<person-id>", person) for a in argv]
        result = runner.invoke(app, argv + (["--csv"] if argv[0] == "query" and "--list" not in argv else []))
        assert result.exit_code == 0, (command, result.output)
        if argv[:2] == ["query", "unrelated_occupants"]:
            # the first occupant of the most crowded address is the README's example person
            rows = result.output.strip().splitlines()
            assert len(rows) >= 2, "no crowded address found"
            person = re.search(r"P[0-9a-f]{12}", rows[1]).group(0)
        if argv[:2] == ["query", "provenance"]:
            # the entity row and its relationships, each traced to the extracts that asserted it
            assert person in result.output
            assert re.search(r"council_tenancy:|bank_customers:|police_intel:|payroll:", result.output)
    assert (session / "work" / "store" / "audit.jsonl").read_text().count("\n") >= 5


def test_every_public_name_of_crimnet_resolves():
    import crimnet

    for name in crimnet.__all__:
        assert getattr(crimnet, name) is not None, name
    from crimnet.graphs.detect import detect

    assert crimnet.detect is detect and crimnet.datasets.load_network("togo").vcount() == 33
    assert set(dir(crimnet)) >= set(crimnet.__all__)


def test_python_example_imports_from_the_public_face_only():
    (code,) = _blocks("python", "## Python API")
    modules = [n.module or "" for n in ast.walk(ast.parse(code)) if isinstance(n, ast.ImportFrom)]
    modules += [a.name for n in ast.walk(ast.parse(code)) if isinstance(n, ast.Import) for a in n.names]
    assert modules and all(m == "crimnet" or (m.startswith("crimnet.") and m.count(".") == 1) for m in modules)


def test_python_example_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (code,) = _blocks("python", "## Python API")
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)
    assert len(namespace["found"].clusters) > 0
    assert set(namespace["cuts"].summary["strategy"]) == {"degree_adaptive", "corehd"}
    assert len(namespace["crowded"]) > 0
    assert namespace["siren"].vcount() == 44


def test_researcher_commands_on_bundled_networks_run(tmp_path, monkeypatch):
    """The researchers' commands that need no generated case: the bundled data sets, by name."""
    monkeypatch.chdir(tmp_path)
    (block,) = _blocks("console", "## For researchers")[:1]
    commands = [ln[2:] for ln in block.splitlines() if ln.startswith("$ crimnet datasets") or "--edges" in ln]
    assert len(commands) >= 2
    for command in commands:
        result = runner.invoke(app, shlex.split(command)[1:])
        assert result.exit_code == 0, (command, result.output)
    assert (tmp_path / "work" / "siren" / "summary.csv").exists()
