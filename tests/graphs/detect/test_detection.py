"""Detection's method table: one default, explicit parameters, provenance in attrs; igraph's seeded generator."""

import inspect
import threading

import igraph as ig
import pytest

from crimnet.graphs.detect import DEFAULT_METHOD, DETECTION_METHODS, METHODS, detect
from crimnet.graphs.detect.community import leiden_clusters, seeded_igraph
from tests.fixtures import toy_case


@pytest.fixture(scope="module")
def tables():
    return toy_case(n_families=60, n_rings=2, seed=3)[0]


def test_one_default_method_everywhere():
    from crimnet.cases import detect_case
    from crimnet.pipeline import run_case

    assert DEFAULT_METHOD in METHODS and tuple(DETECTION_METHODS) == METHODS
    assert inspect.signature(detect).parameters["methods"].default == (DEFAULT_METHOD,)
    assert inspect.signature(detect_case).parameters["methods"].default == (DEFAULT_METHOD,)
    assert inspect.signature(run_case).parameters["method"].default == DEFAULT_METHOD


def test_the_method_table_is_read_only():
    with pytest.raises(TypeError):
        DETECTION_METHODS["mine"] = DETECTION_METHODS["leiden"]  # type: ignore[index]
    with pytest.raises(TypeError):
        DETECTION_METHODS["infomap"].parameters["trials"] = 3  # type: ignore[index]


def test_results_carry_the_parameters_each_method_ran_with(tables):
    r = detect(tables, methods=("infomap", "consensus"), seed=2)
    methods = r.clusters.attrs["methods"]
    assert set(methods) == {"infomap", "consensus"}
    # the table's fixed arguments, visible in the attrs and in the run's parameters
    assert methods["infomap"]["parameters"]["trials"] == DETECTION_METHODS["infomap"].parameters["trials"]
    assert methods["consensus"]["parameters"]["n_runs"] == 5
    assert methods["infomap"]["parameters"]["seed"] == 2
    assert "codelength" in methods["infomap"] and "rounds" in methods["consensus"]
    assert r.parameters["method_parameters"]["infomap"] == methods["infomap"]["parameters"]
    assert r.clusters.attrs["parameters"] is r.parameters
    assert {"weights", "features"} <= set(r.clusters.attrs)
    assert {"infomap_risk", "consensus_risk", "pagerank"} <= set(r.node_scores.attrs["methods"])


def test_previous_clusters_keep_the_provenance(tables):
    first = detect(tables, seed=0)
    again = detect(tables, seed=0, previous_clusters=first.clusters)
    assert again.clusters.attrs["methods"].keys() == {DEFAULT_METHOD}


def test_seeded_igraph_is_reproducible_across_threads():
    g = ig.Graph.Famous("Zachary")
    expected = {s: leiden_clusters(g, seed=s, weight=None).attrs["membership"] for s in range(4)}
    got: dict[int, list[int]] = {}

    def run(s: int) -> None:
        got[s] = leiden_clusters(g, seed=s, weight=None).attrs["membership"]

    threads = [threading.Thread(target=run, args=(s,)) for s in range(4) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert got == expected
    with pytest.raises(Exception, match="The 'seed' parameter of seeded_igraph"):
        seeded_igraph(-1)
