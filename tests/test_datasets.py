"""The bundled data sets: catalogue, files, READMEs, package data, loaders, errors and the command line."""

from __future__ import annotations

import io
import re
import tomllib
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from crimnet import datasets
from crimnet.cli import app
from crimnet.datasets.catalog import DATA_DIR
from crimnet.errors import ParameterError
from crimnet.graphs.edgelist import read_edgelist

ROOT = Path(__file__).resolve().parents[1]
DATA = DATA_DIR
NETWORKS = [d for d in datasets.CATALOG if d.kind == "network"]
TABLES = [d for d in datasets.CATALOG if d.kind == "capture_histories"]
TEMPLATE = re.compile(r"^The 'name' parameter of datasets\.\w+ must be one of \[.+\]\. Got .+ instead\.$")
runner = CliRunner()


# --- catalogue and files -------------------------------------------------------------------------------------------
def test_every_bundled_file_is_catalogued_and_every_entry_has_its_files():
    catalogued = {d.file for d in datasets.CATALOG} | {d.node_file for d in datasets.CATALOG if d.node_file}
    on_disk = {p.relative_to(DATA).as_posix() for p in DATA.glob("*/*.csv")}
    assert catalogued == on_disk
    assert len(NETWORKS) == 30 and len(TABLES) == 13
    assert len({d.name for d in datasets.CATALOG}) == len(datasets.CATALOG)


@pytest.mark.parametrize("entry", NETWORKS, ids=lambda d: d.name)
def test_network_sizes_match_the_catalogue(entry):
    g = datasets.load_network(entry.name)
    assert (g.vcount(), g.ecount()) == (entry.nodes, entry.edges)
    assert not g.is_directed() and g.is_simple()
    assert entry.description and entry.citation and entry.licence


@pytest.mark.parametrize("entry", TABLES, ids=lambda d: d.name)
def test_capture_history_tables_are_well_formed(entry):
    df = datasets.load_capture_histories(entry.name)
    lists = df.attrs["lists"]
    assert list(df.columns) == [*lists, "count"] and df.attrs["dataset"] == entry.name
    assert (len(lists), len(df), int(df["count"].sum())) == (entry.lists, entry.cells, entry.observed)
    assert (df.dtypes == "int64").all()
    assert df[lists].isin([0, 1]).all().all() and (df["count"] >= 0).all()
    assert (df[lists].sum(axis=1) > 0).all(), "the all-zero capture history is never listed"
    assert not df[lists].duplicated().any()


def test_load_network_reads_the_bundled_files_with_read_edgelist():
    g = datasets.load_network("montreal_gangs")
    h = read_edgelist(datasets.path("montreal_gangs"), nodes=datasets.node_path("montreal_gangs"))
    assert g.vs["name"] == h.vs["name"] and g.get_edgelist() == h.get_edgelist() and g.es["weight"] == h.es["weight"]
    assert g.vcount() == read_edgelist(datasets.path("montreal_gangs")).vcount() + 2  # two gangs without ties


def test_bundled_networks_hold_no_names_of_people():
    # the one source that named every person is bundled with codes (networks/README.md)
    g = datasets.load_network("ndrangheta_infinito_bipartite")
    assert all(re.fullmatch(r"P\d{3}|M\d{2}", v) for v in g.vs["name"])
    assert sum(v.startswith("P") for v in g.vs["name"]) == 156


# --- the READMEs beside the files ------------------------------------------------------------------------------------
def _rows(readme: Path) -> dict[str, list[str]]:
    """Table rows of a README by data set name: the cells after the name (a cell holds one value per name)."""
    found: dict[str, list[str]] = {}
    for line in readme.read_text().splitlines():
        if not line.startswith("|"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        names = [n for n in re.findall(r"`(\w+)`", cells[0]) if n in {d.name for d in datasets.CATALOG}]
        for i, name in enumerate(names):
            found[name] = [c.split(",")[i].strip() if c.count(",") == len(names) - 1 else c for c in cells[1:]]
    return found


def test_readmes_give_every_data_set_with_its_size():
    nets = _rows(DATA / "networks" / "README.md")
    tables = _rows(DATA / "mse" / "README.md")
    assert set(nets) == {d.name for d in NETWORKS}
    assert set(tables) == {d.name for d in TABLES}
    for d in NETWORKS:
        assert nets[d.name][:2] == [str(d.nodes), str(d.edges)], d.name
    for d in TABLES:
        assert tables[d.name][1:3] == [str(d.cells), str(d.observed)], d.name
    for readme in DATA.glob("*/README.md"):
        assert "licence" in readme.read_text().lower() and "cite" in readme.read_text().lower()


def test_package_data_ships_every_bundled_file():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = pyproject["tool"]["setuptools"]["package-data"]["crimnet.datasets"]
    shipped = {p for pattern in patterns for p in DATA.glob(pattern)}
    assert shipped == set(DATA.glob("*/*.csv")) | set(DATA.glob("*/README.md"))


# --- API -------------------------------------------------------------------------------------------------------------
def test_list_is_a_frame_of_the_catalogue():
    df = datasets.list()
    assert df["name"].tolist() == [d.name for d in datasets.CATALOG]
    assert {"name", "kind", "nodes", "edges", "lists", "cells", "citation", "licence"} <= set(df.columns)
    assert len(datasets.list(kind="network")) == 30 and len(datasets.list(kind="capture_histories")) == 13
    siren = df.set_index("name").loc["siren"]
    assert (siren["nodes"], siren["edges"]) == (44, 103) and pd.isna(siren["lists"])
    with pytest.raises(ParameterError, match=r"^The 'kind' parameter of datasets.list must be one of"):
        datasets.list(kind="graph")


@pytest.mark.parametrize(
    ("func", "name", "listed"),
    [
        (datasets.load_network, "nosuch", "'siren'"),
        (datasets.load_network, "UKdat", "'siren'"),  # a table is not a network
        (datasets.load_capture_histories, "siren", "'UKdat'"),
        (datasets.path, "siren.csv", "'UKdat'"),
        (datasets.node_path, "Kosovo", "'montreal_gangs'"),
        (datasets.load_network, None, "'togo'"),
    ],
)
def test_bad_names_raise_the_template_listing_the_valid_names(func, name, listed):
    with pytest.raises(ParameterError) as info:
        func(name)
    assert TEMPLATE.match(str(info.value)), str(info.value)
    assert listed in str(info.value)


def test_paths_point_into_the_package():
    assert datasets.path("siren") == DATA / "networks" / "siren.csv"
    assert datasets.path("NewOrl").is_file() and datasets.node_path("togo") is None
    assert datasets.node_path("ndrangheta_infinito_bipartite").name == "ndrangheta_infinito_bipartite_nodes.csv"


# --- the repository stands on its own -------------------------------------------------------------------------------
_OUTSIDE = re.compile(r"\.\./" + "shared" + r"|[\"']" + "shared" + r"[\"']\s*/\s*[\"']data")
_SKIP = {".venv", ".git", ".mypy_cache", ".ruff_cache", ".pytest_cache", ".hypothesis", "crimnet.egg-info"}


def test_nothing_refers_to_files_outside_the_repository():
    suffixes = {".py", ".md", ".toml", ".json", ".txt", ".cypher", ".cfg", ".ini", ".yml", ".yaml"}
    offences = []
    for p in ROOT.rglob("*"):
        rel = p.relative_to(ROOT)
        if p.is_file() and (p.suffix in suffixes or p.name == "Makefile") and not _SKIP & set(rel.parts):
            offences += [f"{rel}:{n}" for n, line in enumerate(p.read_text().splitlines(), 1) if _OUTSIDE.search(line)]
    assert not offences, offences


# --- command line ----------------------------------------------------------------------------------------------------
def test_cli_lists_the_data_sets():
    res = runner.invoke(app, ["datasets"])
    assert res.exit_code == 0, res.output
    assert "siren" in res.output and "UKdat" in res.output and "44 nodes, 103 edges" in res.output
    res = runner.invoke(app, ["datasets", "--kind", "capture_histories", "--csv"])
    assert res.exit_code == 0, res.output
    df = pd.read_csv(io.StringIO(res.output))
    assert len(df) == 13 and set(df["kind"]) == {"capture_histories"} and "citation" in df.columns


def test_cli_disrupts_a_bundled_network_by_name(tmp_path):
    out = tmp_path / "siren"
    argv = ["disrupt", "--edges", "siren", "--budget", "0.1", "--strategy", "degree_adaptive", "--out", str(out)]
    res = runner.invoke(app, argv)
    assert res.exit_code == 0, res.output
    assert "siren (bundled) (44 nodes, 103 edges)" in res.output
    assert pd.read_csv(out / "summary.csv")["budget"].tolist() == [4]


def test_cli_takes_a_bundled_networks_node_file_with_its_name():
    res = runner.invoke(app, ["disrupt", "--edges", "montreal_gangs", "--strategy", "degree"])
    assert res.exit_code == 0, res.output
    assert "(35 nodes, 78 edges)" in res.output  # 33 without the node file


def test_cli_prefers_an_existing_file_to_a_bundled_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("siren").write_text("source,target\na,b\nb,c\n")
    res = runner.invoke(app, ["disrupt", "--edges", "siren", "--strategy", "degree"])
    assert res.exit_code == 0, res.output
    assert "(3 nodes, 2 edges)" in res.output


@pytest.mark.parametrize(
    ("argv", "option", "message"),
    [
        (["--edges", "nosuch.csv"], "--edges", "neither a file nor a bundled network"),
        (["--edges", "UKdat"], "--edges", "neither a file nor a bundled network"),
        (["--edges", "siren", "--nodes", "siren"], "--nodes", "has no node file"),
        (["--edges", "siren", "--nodes", "nosuch"], "--nodes", "neither a file nor a bundled network"),
    ],
)
def test_cli_rejects_what_is_neither_a_file_nor_a_bundled_name(argv, option, message):
    res = runner.invoke(app, ["disrupt", *argv])
    assert res.exit_code == 2
    text = " ".join(res.output.replace("│", " ").split())  # typer boxes and wraps usage errors
    assert option in text and message in text
    if "neither" in message:
        assert all(d.name in text.replace(" ", "") for d in NETWORKS)
