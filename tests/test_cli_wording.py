"""The command line a person meets (issue 18): option names in errors, "did you mean", help without type
metavars, tables that fit 80 columns with lists as lists and money with its unit, progress only on a terminal."""

from __future__ import annotations

import re

import pandas as pd
import pytest
import typer.main
from typer.testing import CliRunner

from crimnet import cli
from crimnet.cli import app
from tests.fixtures import tiny

runner = CliRunner()


def _flat(text: str) -> str:
    """Output with rich's box borders and line breaks gone, so a wrapped message reads as one line."""
    return " ".join(text.replace("│", " ").replace("╭", " ").replace("╰", " ").split())


@pytest.fixture
def edges(tmp_path):
    path = tmp_path / "e.csv"
    path.write_text("source,target\na,b\nb,c\nc,d\n")
    return path


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    from crimnet.graphs.store import open_store

    path = tmp_path_factory.mktemp("wording") / "store"
    with open_store(path, create=True) as db:
        db.write(tiny())
    return path


# --- errors name the option typed, never the API's parameter ---
@pytest.mark.parametrize(
    "argv, option",
    [
        (["disrupt", "--edges", "{edges}", "--tables", "{tmp}"], "--edges"),
        (["disrupt", "--edges", "{edges}", "--budget", "3.5"], "--budget"),
        (["generate", "--people", "5", "--out", "{tmp}/c"], "--people"),
        (["ingest", "{edges}", "--out", "{tmp}/i"], "--spec"),
    ],
)
def test_errors_name_the_option_typed(tmp_path, edges, argv, option):
    res = runner.invoke(app, [a.format(edges=edges, tmp=tmp_path) for a in argv])
    assert res.exit_code == 2, res.output
    assert res.output.startswith("Error: "), res.output
    assert option in res.output
    assert "parameter of" not in res.output and not re.search(r"\b(edges|tables|specs|budget|people)=", res.output)


def test_both_network_inputs_named_as_options(tmp_path, edges):
    res = runner.invoke(app, ["disrupt", "--edges", str(edges), "--tables", str(tmp_path)])
    assert "--edges must be given, or --tables, or --store, but only one" in res.output
    assert "load_network" not in res.output


def test_cli_message_rewrites_only_known_parameters():
    options = {"specs": "--spec", "edges": "--edges"}
    assert cli.cli_message("The 'specs' parameter of ingest must be a path. Got 3 instead.", options) == (
        "--spec must be a path. Got 3 instead."
    )
    assert cli.cli_message("e.csv: no spec matches this file; pass one with specs= (--spec).", options) == (
        "e.csv: no spec matches this file; pass one with --spec."
    )
    unknown = "The 'graph' parameter of disrupt must have at least one vertex. Got an empty graph instead."
    assert cli.cli_message(unknown, options) == unknown


# --- did you mean ---
@pytest.mark.parametrize(
    "argv, suggestion",
    [
        (["disrupt", "--edges", "sirn"], "Did you mean 'siren'?"),
        (["disrupt", "--edges", "{edges}", "--strategy", "degre_adaptive"], "Did you mean 'degree_adaptive'"),
        (["detect", "{tmp}", "--out", "{tmp}/d", "--method", "leidn"], "Did you mean 'leiden'?"),
        (["generate", "--preset", "medum", "--out", "{tmp}/c"], "Did you mean 'medium'?"),
        (["demo", "--preset", "hrad", "--out", "{tmp}/r"], "Did you mean 'hard'?"),
        (["query", "unrelated_ocupants", "--store", "{tmp}/s"], "Did you mean 'unrelated_occupants'?"),
        (["watch", "add", "funel_accounts", "--rules", "{tmp}/w.json"], "Did you mean 'funnel_accounts'"),
    ],
)
def test_a_misspelled_name_gets_a_suggestion(tmp_path, edges, argv, suggestion):
    res = runner.invoke(app, [a.format(edges=edges, tmp=tmp_path) for a in argv])
    assert res.exit_code == 2, res.output
    assert suggestion in _flat(res.output)
    assert not (tmp_path / "c").exists() and not (tmp_path / "s").exists()  # refused before any work


@pytest.mark.parametrize(
    "argv, suggestion",
    [
        (["generate", "--peple", "500"], "No such option: --peple. Did you mean '--people'"),
        (["run-case", "x", "--out", "y", "--spc", "s.toml"], "Did you mean '--spec'"),
        (["demoo"], "Did you mean 'demo'?"),
        (["watch", "ad"], "Did you mean 'add'?"),
    ],
)
def test_a_misspelled_command_or_option_gets_a_suggestion(argv, suggestion):
    res = runner.invoke(app, argv)
    assert res.exit_code == 2, res.output
    assert suggestion in _flat(res.output)


def test_every_preset_is_accepted_by_generate_and_demo(tmp_path):
    from crimnet.synthetic.params import PRESETS

    assert "realistic" in PRESETS
    for preset in PRESETS:  # the preset passes the option's check; --people then fails, before any work
        for command in ("generate", "demo"):
            res = runner.invoke(app, [command, "--preset", preset, "--people", "5", "--out", str(tmp_path / "x")])
            assert res.exit_code == 2 and res.output.startswith("Error: --people must be"), (command, res.output)
    assert not (tmp_path / "x").exists()


def test_did_you_mean_is_empty_when_nothing_is_close():
    assert cli.did_you_mean("zzz", ["degree", "random"]) == ""
    assert cli.did_you_mean("pagerank_adaptiv", ["pagerank", "pagerank_adaptive"]) == (
        "Did you mean 'pagerank_adaptive' or 'pagerank'?"
    )


# --- help ---
def _every_command_path():
    group = typer.main.get_command(app)
    paths = [[]]
    for name, command in group.commands.items():
        paths.append([name])
        paths += [[name, sub] for sub in getattr(command, "commands", {})]
    return paths


@pytest.mark.parametrize("path", _every_command_path(), ids=lambda p: " ".join(p) or "crimnet")
def test_help_has_no_type_metavars_nor_python_names(path):
    res = runner.invoke(app, [*path, "--help"])
    assert res.exit_code == 0, res.output
    for word in ("<bool>", "<str>", "<int>", "<float>", "<path>", "list[", "TEXT", "INTEGER", "FLOAT", "BOOLEAN"):
        assert word not in res.output, (path, word)
    assert "wraps" not in res.output and not re.search(r"\b\w+_case\b|crimnet\.\w", res.output), res.output
    commands = getattr(typer.main.get_command(app), "commands", {})
    is_group = len(path) == 0 or hasattr(commands.get(path[0]), "commands") and len(path) == 1
    if not is_group:
        assert "Example: crimnet " in res.output, path


# --- tables a person reads ---
def test_a_wide_table_fits_80_columns_and_wraps_rather_than_cuts():
    from crimnet import datasets

    res = runner.invoke(app, ["datasets"], env={"COLUMNS": "80"})
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert "…" not in res.output  # nothing cut: what does not fit a line goes on the next
    header = next(line for line in lines if "name" in line and "citation" in line)
    assert all(h in header for h in ("name", "size", "citation"))
    names = datasets.list()["name"]
    assert all(n in res.output for n in names if len(n) <= cli.WORD_FLOOR)  # whole, never folded
    assert "44 nodes, 103 edges" in res.output  # a short column is not wrapped to make room for a long one
    assert "crimnet datasets: network" in res.output and "crimnet datasets: capture_histories" in res.output


def test_table_widths_wrap_long_text_and_keep_names_whole():
    header = ["strategy", "note"]
    rows = [["victim_controller_cut", "a long explanation " * 6]]
    assert cli.table_widths(header, rows, 80) == [21, 59]  # fits: the natural widths, up to the room
    widths = cli.table_widths(header, rows, 40, keep=["strategy"])
    assert widths[0] == len("victim_controller_cut") and sum(widths) == 40
    # a name longer than the room left folds, but is not cut
    assert sum(cli.table_widths(["id"], [["x" * 100]], 30)) == 30


def test_evaluation_is_printed_a_measure_per_row(capsys):
    ev = pd.DataFrame(
        {"method": ["infomap", "baseline_address"], "precision_at_k": [1.0, 0.25], "n_clusters": [95, 100]}
    )
    cli.print_evaluation(ev, "Evaluation")
    out = capsys.readouterr().out
    assert "baseline_address" in out and max(map(len, out.splitlines())) <= 80
    row = next(line for line in out.splitlines() if "precision_at_k" in line)
    assert "1.000" in row and "0.250" in row


def test_money_with_its_unit_and_lists_as_lists(store):
    query = (
        "MATCH (a:Account)-[p:PAID]->(b:Account) "
        "RETURN p.amount AS amount, p.currency AS currency, p.sources AS sources ORDER BY amount DESC"
    )
    res = runner.invoke(app, ["cypher", query, "--store", str(store)], env={"COLUMNS": "80"})
    assert res.exit_code == 0, res.output
    assert "£123.45" in res.output and "£5.00" in res.output
    assert "12345" not in res.output
    assert "array(" not in res.output and "[" not in res.output.split("┃")[-1]
    csv = runner.invoke(app, ["cypher", query, "--store", str(store), "--csv"])
    assert "12345" in csv.output  # CSV keeps the data model's minor units


def test_money_and_cells():
    assert cli.money(123450, "GBP") == "£1,234.50"
    assert cli.money(-300, "EUR") == "-€3.00"
    assert cli.money(5, "PLN") == "0.05 PLN"
    import numpy as np

    assert cli.cell(np.array(["police", "council"], dtype=object)) == "police, council"
    assert cli.cell(float("nan")) == "" and cli.cell(None) == ""


def test_print_frame_money_column(capsys):
    df = pd.DataFrame({"from_account": ["a"], "total_amount": [123456], "currency": ["GBP"]})
    cli.print_frame(df, title="flows")
    assert "£1,234.56" in capsys.readouterr().out


# --- progress ---
def test_progress_only_on_a_terminal_and_never_quiet_or_under_ci(edges):
    argv = ["disrupt", "--edges", str(edges), "--strategy", "random"]
    plain = runner.invoke(app, argv, env={"CI": ""})
    assert plain.exit_code == 0 and "disrupt:" not in plain.output  # not a terminal
    tty = runner.invoke(app, argv, env={"TTY_COMPATIBLE": "1", "CI": ""})
    assert tty.exit_code == 0, tty.output
    assert "disrupt" in tty.output and "1/1" in tty.output  # a bar with its total: one strategy of one
    for quiet in (["--quiet", *argv], ["-q", *argv]):
        res = runner.invoke(app, quiet, env={"TTY_COMPATIBLE": "1", "CI": ""})
        assert res.exit_code == 0 and "1/1" not in res.output
    ci = runner.invoke(app, argv, env={"TTY_COMPATIBLE": "1", "CI": "true"})
    assert ci.exit_code == 0 and "1/1" not in ci.output
