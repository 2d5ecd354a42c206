"""Generated parameter-validation tests for every public function of crimnet.

After scikit-learn's ``sklearn/tests/test_public_functions.py``: instead of a
hand-written list, the public API is *discovered* by walking every crimnet
module and its ``__all__``. Each public function (and each class whose own
constructor validates) is called with a value of a wrong type for its first
parameter, every other required argument being given a valid minimal value,
and must raise a :class:`crimnet.errors.CrimnetError`; a parameter error must
use the one template of :mod:`crimnet.errors`::

    The '<param>' parameter of <func> must be <expected>. Got <value!r> instead.

A second generated case feeds an out-of-range value to every numeric keyword
parameter (``budget``, ``resolution``, ``seed``, ``k``, ``top`` ...) whose
docstring documents a range (or whose meaning is a count, size or seed), with a
valid first argument, and expects the template error naming that keyword.

A new public function is picked up automatically; if it cannot be called from
the generic valid values below, add an entry to ``_valid_table`` or
``VALID_OVERRIDES``, or (with a reason) to ``ALLOW``.
"""

from __future__ import annotations

import copy
import importlib
import inspect
import pkgutil
import re
from collections.abc import Callable
from typing import Any

import pytest

import crimnet
from crimnet.errors import CrimnetError, ParameterError

TEMPLATE = re.compile(r"^The '(\w+)' parameter of ([\w.]+) must be .+\. Got .+ instead\.$", re.DOTALL)

# Modules not walked: the CLI and the end-to-end pipeline are thin orchestration over
# the functions tested here (they have their own tests). Named in full: ingest's own
# pipeline (`crimnet.ingest.pipeline.ingest`) is a public entry point and is walked.
SKIP_MODULES = ("crimnet.cli", "crimnet.pipeline")

# Public callables whose first parameter legitimately accepts any object or is not
# data, so a wrong-type first argument has no meaning. Keep this list short.
ALLOW: dict[str, str] = {
    # The validators themselves: `value` is the thing being checked, any object is fine.
    "crimnet.errors.check_type": "validator: any value is a legal input",
    "crimnet.errors.check_interval": "validator: any value is a legal input",
    "crimnet.errors.check_columns": "validator: any value is a legal input",
    "crimnet.errors.check_choice": "validator: any value is a legal input",
    "crimnet.errors.bad_parameter": "error builder: names the parameter, any value is a legal input",
    # Escapes a Cypher parameter value of any type (recursive over containers).
    "crimnet.graphs.store.neo4j.escape_falkordb_params": "accepts any parameter value by design",
    # Decorator factory: its argument is a new strategy's name, not data.
    "crimnet.graphs.disrupt.registry.register_strategy": "decorator factory taking a name, not data",
    # Reads a key from the environment or a file; no positional data parameter.
    "crimnet.ingest.pseudonymise.load_key": "no data parameter (reads env / key file)",
    # Connecting needs a Bolt server; the uri defaults from the environment.
    "crimnet.graphs.store.neo4j.Neo4jStore": "needs a running Bolt server",
}

# Known defects in files this test may not change: they must fail (strict xfail), so a fix is noticed.
KNOWN_DEFECTS: dict[str, str] = {}


# --------------------------------------------------------------------------------------------------------------------
# Discovery
# --------------------------------------------------------------------------------------------------------------------
def _public_modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(crimnet.__path__, "crimnet."):
        parts = info.name.split(".")[1:]
        if any(p.startswith("_") for p in parts) or info.name in SKIP_MODULES:
            continue
        names.append(info.name)
    return sorted(names)


def _own_constructor(cls: type) -> bool:
    """True when `cls` (from crimnet) defines its own ``__init__`` or ``__post_init__`` taking parameters."""
    if issubclass(cls, BaseException):
        return False
    # a dataclass's generated __init__ is compiled from a string; only hand-written code can validate
    own = [
        k
        for k in ("__init__", "__post_init__")
        if getattr(getattr(vars(cls).get(k), "__code__", None), "co_filename", "").endswith(".py")
    ]
    if not own:
        return False
    try:
        params = [
            p for p in inspect.signature(cls).parameters.values() if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        ]
    except (TypeError, ValueError):
        return False
    return bool(params)


def _collect() -> dict[str, Callable[..., Any]]:
    found: dict[str, Callable[..., Any]] = {}
    seen: set[int] = set()
    for modname in _public_modules():
        module = importlib.import_module(modname)
        for name in getattr(module, "__all__", ()):
            if name.startswith("_"):
                continue
            obj = getattr(module, name)
            if id(obj) in seen or not getattr(obj, "__module__", "").startswith("crimnet"):
                continue
            if inspect.isclass(obj):
                if not _own_constructor(obj):
                    continue
            elif not inspect.isfunction(obj):
                continue
            seen.add(id(obj))
            found[f"{obj.__module__}.{obj.__qualname__}"] = obj
    return dict(sorted(found.items()))


PUBLIC = _collect()


def _data_params(func: Callable[..., Any]) -> list[inspect.Parameter]:
    return [p for p in inspect.signature(func).parameters.values() if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]


def _first_param(func: Callable[..., Any]) -> inspect.Parameter | None:
    params = [p for p in _data_params(func) if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return params[0] if params else None


WITH_DATA = {k: f for k, f in PUBLIC.items() if _first_param(f) is not None}
NO_POSITIONAL = sorted(set(PUBLIC) - set(WITH_DATA))


# --------------------------------------------------------------------------------------------------------------------
# Valid minimal values for the other required parameters
# --------------------------------------------------------------------------------------------------------------------
class _Fixtures:
    """Lazily built minimal valid inputs (four people sharing two phones).

    Each is built once per module into `built` and every test gets its own deep copy: a function that changed
    its input would change no other test's, and the copy costs a thirtieth of a build (tables 3 ms, 90 ms).
    """

    def __init__(self, tmp_path: Any, built: dict[str, Any]) -> None:
        self.tmp_path = tmp_path
        self._built = built
        self._cache: dict[str, Any] = {}

    def _get(self, key: str, build: Callable[[], Any]) -> Any:
        if key not in self._cache:
            if key not in self._built:
                self._built[key] = build()
            self._cache[key] = copy.deepcopy(self._built[key])
        return self._cache[key]

    @property
    def tables(self) -> Any:
        import pandas as pd

        from crimnet.tables import CanonicalTables

        return self._get(
            "tables",
            lambda: CanonicalTables.from_partial(
                {
                    "Person": pd.DataFrame({"id": list("abcd")}),
                    "Phone": pd.DataFrame({"id": ["p1", "p2"]}),
                    "USES_PHONE": pd.DataFrame({"src": list("abcd"), "dst": ["p1", "p1", "p2", "p2"]}),
                }
            ),
        )

    @property
    def graph(self) -> Any:
        from crimnet.graphs.views import person_projection

        return self._get("graph", lambda: person_projection(self.tables))

    @property
    def clusters(self) -> Any:
        from crimnet.graphs.detect.community import leiden_clusters

        return self._get("clusters", lambda: leiden_clusters(self.graph))

    @property
    def features(self) -> Any:
        from crimnet.graphs.detect.risk import cluster_features

        return self._get("features", lambda: cluster_features(self.tables, self.clusters))

    @property
    def curve(self) -> Any:
        from crimnet.graphs.disrupt.robustness import robustness_curve

        return self._get("curve", lambda: robustness_curve(self.graph, ["Person:a"], pairs=[("Person:a", "Person:b")]))

    @property
    def truth(self) -> Any:
        import pandas as pd

        return pd.DataFrame(
            {"node_id": list("abcd"), "ring_id": ["r1", "r1", None, None], "role": ["controller", "victim", None, None]}
        )

    @property
    def series(self) -> Any:
        import pandas as pd

        return pd.Series(["a", "b"], dtype="string")


def _valid_table(fx: _Fixtures) -> dict[str, Callable[[], Any]]:
    """Valid minimal values for required parameters, by parameter name (built lazily)."""
    import numpy as np
    import pandas as pd

    return {
        "graph": lambda: fx.graph,
        "tables": lambda: fx.tables,
        "clusters": lambda: fx.clusters,
        "scored_clusters": lambda: fx.clusters,
        "current": lambda: fx.clusters,
        "truth": lambda: fx.truth,
        "truth_entities": lambda: fx.truth,
        "truth_aligned": lambda: fx.truth,
        "membership": lambda: [0, 0, 1, 1],
        "members": lambda: ["Person:a"],
        "ranking": lambda: ["Person:a"],
        "scores": lambda: pd.Series([1.0, 0.5, 0.2, 0.1], index=list("abcd")),
        "labels_pred": lambda: np.array([0, 0, 1, 1]),
        "labels": lambda: np.array([0, 1]),
        "values": lambda: fx.series,
        "line": lambda: fx.series,
        "account": lambda: fx.series,
        "record_ids": lambda: fx.series,
        "entity_ids": lambda: fx.series,
        "left": lambda: np.array([0]),
        "right": lambda: np.array([1]),
        "edges": lambda: pd.DataFrame({"src": [0], "dst": [1]}),
        "pairs": lambda: pd.DataFrame({"a": ["a"], "b": ["b"]}),
        "columns": lambda: ["a"],
        "b": lambda: pd.DataFrame({"dob": ["2000-01-01"]}),
        "new": lambda: fx.tables.nodes["Person"],
        "existing": lambda: fx.tables.nodes["Person"],
        "df": lambda: fx.tables.nodes["Person"],
        "path": lambda: fx.tmp_path / "out.html",
        "out": lambda: fx.tmp_path / "out",
        "specs": lambda: [],
        "dialect": lambda: "neo4j",
        "name": lambda: "Person",
        "node": lambda: "Person",
        "method": lambda: "test",
        "key": lambda: b"0" * 32,
        "domain": lambda: "person",
        "query": lambda: "x",
        "params": lambda: None,
        "previous": lambda: fx.clusters,
        "records": lambda: pd.DataFrame({"source": ["police_intel"], "record_id": ["r1"], "name": ["a b"]}),
        "eigenvalues": lambda: np.array([0.0, 0.5, 1.0]),
        "a": lambda: __import__("scipy.sparse").sparse.csr_matrix(np.array([[0.0, 1.0], [1.0, 0.0]])),
        "sort_code": lambda: fx.series,
        "source": lambda: pd.DataFrame({"a": ["x"]}),
        "tables_dir": lambda: fx.tmp_path,
        "features": lambda: fx.features,
        "curve": lambda: fx.curve,
        "rows": lambda: 0,
        "backend": lambda: "library",
        "param": lambda: "ids",
        "func": lambda: "f",
        "seed": lambda: 0,
        "ids": lambda: ["Person:a"],
        "types": lambda: int,
        "expected": lambda: "an int",
        "options": lambda: ["a"],
        "cypher": lambda: "MATCH (n) RETURN n",
        "candidates": lambda: ["a"],
        "got": lambda: 0,
        "weight": lambda: "weight",
        "u": lambda: np.array([0]),
        "v": lambda: np.array([1]),
    }


def _valid_value(name: str, fx: _Fixtures) -> Any:
    """A valid minimal value for a required parameter, chosen by its name."""
    table = _valid_table(fx)
    if name not in table:
        raise KeyError(f"no valid value known for required parameter {name!r}; add one to _valid_value")
    return table[name]()


# Per-function valid arguments where the generic ones by name do not fit (built lazily from the fixtures).
VALID_OVERRIDES: dict[str, Callable[[_Fixtures], dict[str, Any]]] = {
    # relational resolution (issue 13): a match-weight threshold and the links found so far
    "crimnet.ingest.resolve_relational.relational_links": lambda fx: {"labels": [0], "min_weight": 3.0},
    "crimnet.ingest.resolve_relational.collective_resolve": lambda fx: {
        "edges": __import__("pandas").DataFrame({"l": [], "r": [], "match_weight": [], "rule": []}),
        "min_weight": 3.0,
    },
    # id rewriting (business names, address variants): the mapping as two aligned columns
    "crimnet.frames.replace_ids": lambda fx: {
        "old": __import__("pandas").Series(["a"]),
        "new": __import__("pandas").Series(["b"]),
    },
    # figures: the files a drawn figure goes to
    "crimnet.viz.figures.save_figure": lambda fx: {"paths": [fx.tmp_path / "figure.png"]},
    # the learned order evaluated beside the rule order (issue 14): a case folder and the column to rank by
    "crimnet.cases.evaluate_order": lambda fx: {"truth": fx.tmp_path, "score": "score"},
    # case identity and output folders (issue 18): ids and names, not data
    "crimnet.graphs.store.base.cases_after_write": lambda fx: {"case": "case-a", "has_rows": False},
    "crimnet.tables.write_case": lambda fx: {"case": "case-a"},
    "crimnet.outputs.check_replaceable": lambda fx: {"marker": "config.json", "process": "run"},
    "crimnet.outputs.swap_in": lambda fx: {"staged": fx.tmp_path / "staged", "marker": "config.json", "process": "run"},
    # hidden links in a case (issue 14): link arrays per relationship type, pairs and their labels
    "crimnet.gnn.case_links.link_metrics": lambda fx: {
        "label": __import__("numpy").array([1, 0]),
        "score": __import__("numpy").array([0.9, 0.1]),
    },
    "crimnet.gnn.case_links.pair_features": lambda fx: {
        "n": 2,
        "links": {"USES_PHONE": __import__("numpy").array([[0, 1]])},
        "pairs": __import__("numpy").array([[0, 1]]),
        "rel": "USES_PHONE",
    },
    "crimnet.gnn.hetero_links.HeteroLinkSAGE": lambda fx: {
        "in_dim": 2,
        "edge_types": [("Person", "USES_PHONE", "Phone")],
    },
    "crimnet.gnn.hetero_links.degree_features": lambda fx: {"links": {}},
    "crimnet.gnn.hetero_links.hetero_sage_link_scores": lambda fx: {
        "visible": {},
        "rel": "USES_PHONE",
        "pairs": __import__("numpy").zeros((0, 2), dtype=int),
    },
    "crimnet.gnn.links.adjacency": lambda fx: {"n": 2, "kept": __import__("numpy").array([[0, 1]])},
    # the learned cluster order and size-matched negatives (issue 14): the ranked clusters, the rings' flags
    "crimnet.gnn.apply.learned_order": lambda fx: {"ranked": __import__("pandas").DataFrame()},
    "crimnet.gnn.ranking.matched_negatives": lambda fx: {"hits": __import__("pandas").Series([], dtype=bool)},
    "crimnet.gnn.fragments.fold_fragments": lambda fx: {
        "links": __import__("pandas").DataFrame({"cluster_a": [], "cluster_b": [], "share": []})
    },
    "crimnet.gnn.fragments.fold_yield": lambda fx: {
        "links": __import__("pandas").DataFrame({"cluster_a": [], "cluster_b": [], "share": []}),
        "ring_of": __import__("pandas").Series(dtype=object),
        "k": 1,
    },
    "crimnet.gnn.ranking.with_fold_share": lambda fx: {"features": [], "ring_of": [], "links": [], "rings": []},
    # exact critical nodes and recovery (issue 17): how many to remove, the rankings replayed
    "crimnet.graphs.disrupt.exact.critical_nodes_exact": lambda fx: {"k": 1},
    "crimnet.graphs.disrupt.recovery.compare_recovery": lambda fx: {
        "rankings": __import__("pandas").DataFrame({"strategy": [], "node_id": []})
    },
    # GNDR's reinsertion (issue 17): a strategy call's context, a dismantling set and the target size
    "crimnet.graphs.disrupt.dismantling.greedy_reinsertion": lambda fx: {
        "ctx": __import__("crimnet.graphs.disrupt.ordering", fromlist=["prepare"]).prepare(
            __import__("igraph").Graph.Ring(3), "test"
        ),
        "dset": [0],
        "cap": 1,
    },
    # false referrals and raids of the generated victim lists (issue 16)
    "crimnet.prevalence.validate.read_false_referrals": lambda fx: {"lists": ["nrm_referrals"]},
    "crimnet.synthetic.victim_lists.draw_false_referrals": lambda fx: {"victims": 1},
    "crimnet.synthetic.victim_lists.false_referral_count": lambda fx: {"share": 0.1},
    "crimnet.synthetic.victim_lists.parse_raids": lambda fx: {"probs": {"nrm_referrals": 0.3}},
    # merging a case into a store of another (issue 18): the incoming case, rows of one table
    "crimnet.ingest.link_cases.link_cases": lambda fx: {"incoming": fx.tables},
    "crimnet.ingest.link_cases.union_rows": lambda fx: {"frames": [fx.tables.nodes["Person"]]},
    # clusters must name vertices of the graph (vertex names of a projection are '<label>:<id>')
    "crimnet.graphs.disrupt.compare.cluster_disruption_points": lambda fx: {
        "clusters": fx.clusters.assign(members=[["Person:a", "Person:b"], ["Person:c", "Person:d"]])
    },
    "crimnet.viz.figures.subnetwork_png": lambda fx: {"path": fx.tmp_path / "out.png"},
    # the default k=8 needs more vertices than the four of the fixture graph
    "crimnet.graphs.detect.spectral.spectral_embedding": lambda fx: {"k": 2},
    # the spec language (issue 12): a chunk, a quarantine log, steps, a list, person suffixes
    "crimnet.ingest.build.person_row_keys": lambda fx: {"person_nodes": {}},
    "crimnet.ingest.pipeline.process_chunk": lambda fx: {"chunk": None, "qlog": None},
    "crimnet.ingest.preview.preview": lambda fx: {"file": fx.tmp_path / "x.csv"},
    "crimnet.ingest.transforms.apply_steps": lambda fx: {"steps": ()},
    "crimnet.ingest.transforms.explode_list": lambda fx: {"lst": None},
    "crimnet.synthetic.dialects.decimal_comma": lambda fx: {"grouped": __import__("numpy").array([True])},
    # prevalence (issue 16): the candidate models are tuples of term masks
    "crimnet.prevalence.bootstrap.bic_models_best": lambda fx: {"models": [()]},
    "crimnet.prevalence.bootstrap.bound_spread": lambda fx: {"estimate": 1.0},
    "crimnet.prevalence.histories.read_draws": lambda fx: {"lists": ["A", "B"]},
    # payments between accounts, and who holds and owns them (WORKS_AT derived from wages)
    "crimnet.ingest.derive.wage_employment": lambda fx: _wage_arguments(),
    # the GNN package: the first argument is checked before the others are used
    **{
        f"crimnet.gnn.{name}": lambda fx: _gnn_arguments()
        for name in (
            "sampler.TorchNeighborSampler",
            "sampler.neighbor_loader",
            "models.HeteroSAGE",
            "models.HeteroHGT",
            "models.build_model",
            "roles.role_metrics",
            "roles.predict_roles",
            "roles.fit_roles",
            "roles.calibrate_roles",
            "roles.model_inputs",
            "calibrate.fit_temperature",
            "calibrate.calibration_metrics",
            "ranking.cluster_features",
            "ranking.fit_ranker",
            "apply.cluster_roles",
            "apply.cluster_probabilities",
            "persist.save_model",
            "explain.adjacent_saliency",
            "explain.explain_people",
            "workflow.train",
            "baselines.predict_boosted",
            "links.adamic_adar_scores",
            "links.katz_scores",
            "links.gnn_link_scores",
        )
    },  # fmt: skip
    # the generator's vectorised string helpers take widths, formats, index and mask arrays and a random generator
    **{
        f"crimnet.synthetic.strings.{name}": lambda fx: _generator_arguments()
        for name in ("zpad", "take", "fmt_days", "fmt_secs", "blank", "typo", "digit_typo", "pick_in_group")
    },
}


def _wage_arguments() -> dict[str, Any]:
    """Valid tables of crimnet.ingest.derive.wage_employment: one payment, one holder, one owner."""
    import pandas as pd

    return {
        "payments": pd.DataFrame({"src": ["b"], "dst": ["p"], "ts": ["2024-01-01T00:00:00Z"], "record": ["x:1"]}),
        "holds": pd.DataFrame({"src": ["P1"], "dst": ["p"]}),
        "owns": pd.DataFrame({"src": ["B1"], "dst": ["b"]}),
    }


def _gnn_arguments() -> dict[str, Any]:
    """Placeholders for the non-first parameters of crimnet.gnn (never reached: the first argument is bad)."""
    import numpy as np

    return {
        "num_neighbors": [1], "input_type": "Person", "in_dims": {"Person": 1}, "edge_types": [],
        "name": "sage", "y": np.zeros(1), "model": None, "valid": [], "g": None, "roles": None, "hits": [],
        "directory": "model", "person": "a", "people": ["a"], "kept": np.zeros((0, 2), dtype=int),
        "pairs": np.zeros((0, 2), dtype=int), "clf": None, "graph": None, "out": "model",
    }  # fmt: skip


def _generator_arguments() -> dict[str, Any]:
    """Valid values of the parameters of crimnet.synthetic.strings that no other public function has."""
    import numpy as np

    return {
        "width": 2,
        "fmt": "%Y",
        "idx": np.array([0]),
        "mask": np.array([False, True]),
        "member_group": np.array([0, 0]),
        "want_group": np.array([0]),
        "rng": np.random.default_rng(0),
    }


KNOWN_VALID = frozenset(_valid_table(None))  # type: ignore[arg-type]  # lambdas are not called


class _BadType:
    """A value of a type no public crimnet parameter accepts."""

    def __repr__(self) -> str:
        return "<BadType>"


def _call(func: Callable[..., Any], fx: _Fixtures, **override: Any) -> Any:
    """Call `func` with `override` and valid required arguments; drain a lazy iterator result."""
    result = _call_with(func, fx, **override)
    if inspect.isgenerator(result) or (hasattr(result, "__next__") and hasattr(result, "__iter__")):
        result = list(result)
    return result


def _call_with(func: Callable[..., Any], fx: _Fixtures, **override: Any) -> Any:
    qualname = f"{func.__module__}.{func.__qualname__}"
    if qualname in VALID_OVERRIDES:
        override = {**VALID_OVERRIDES[qualname](fx), **override}
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    first = _first_param(func)
    for p in _data_params(func):
        if p.name in override:
            value = override[p.name]
        elif first is not None and p.name == first.name:
            value = _valid_value(p.name, fx)
        elif p.default is p.empty:
            value = _valid_value(p.name, fx)
        else:
            continue
        if first is not None and p.name == first.name:
            args.append(value)  # the data goes first, positionally; everything else by keyword
        else:
            kwargs[p.name] = value
    return func(*args, **kwargs)


def _assert_template(err: CrimnetError, param: str | None = None) -> None:
    msg = str(err)
    if isinstance(err, ParameterError):
        match = TEMPLATE.match(msg)
        assert match, f"ParameterError does not follow the template: {msg!r}"
        if param is not None:
            assert match.group(1) == param, f"message names {match.group(1)!r}, expected {param!r}: {msg!r}"
    else:
        # SchemaError, SpecError, QueryError ...: free text, but it must say something.
        assert msg.strip(), f"{type(err).__name__} with an empty message"


@pytest.fixture(scope="module")
def built() -> dict[str, Any]:
    """The valid inputs built so far in this module, by name (see :class:`_Fixtures`)."""
    return {}


@pytest.fixture
def fx(tmp_path: Any, monkeypatch: pytest.MonkeyPatch, built: dict[str, Any]) -> _Fixtures:
    # some functions write default files (watch rules) to the working directory: keep them out of the repo
    monkeypatch.chdir(tmp_path)
    return _Fixtures(tmp_path, built)


def _marks(qualname: str) -> Any:
    if qualname in KNOWN_DEFECTS:
        return pytest.param(qualname, id=qualname, marks=pytest.mark.xfail(strict=True, reason=KNOWN_DEFECTS[qualname]))
    return pytest.param(qualname, id=qualname)


@pytest.mark.parametrize("qualname", [_marks(q) for q in sorted(WITH_DATA) if q not in ALLOW])
def test_bad_first_argument(qualname: str, fx: _Fixtures) -> None:
    """A wrong-type first argument raises a CrimnetError with the template message."""
    func = WITH_DATA[qualname]
    first = _first_param(func)
    assert first is not None
    with pytest.raises(CrimnetError) as info:
        _call(func, fx, **{first.name: _BadType()})
    _assert_template(info.value)


def test_allow_list_is_current() -> None:
    """Every allow-listed or known-defect name is still a public callable (no stale entries)."""
    assert set(ALLOW) <= set(PUBLIC)
    assert set(KNOWN_DEFECTS) <= set(WITH_DATA)


def test_discovery_found_the_api() -> None:
    """The walk finds the main entry points of every stage (guards against a silently empty parametrisation)."""
    for name in (
        "crimnet.graphs.detect.community.leiden_clusters",
        "crimnet.graphs.disrupt.compare.disrupt",
        "crimnet.ingest.resolve.resolve_people",
        "crimnet.queries.runner.run_query",
        "crimnet.tables.CanonicalTables",
        "crimnet.viz.figures.subnetwork_png",
    ):
        assert name in WITH_DATA
    assert not any(q.startswith(tuple(f"{m}." for m in SKIP_MODULES)) for q in PUBLIC)
    assert "crimnet.ingest.pipeline.ingest" in WITH_DATA


# --------------------------------------------------------------------------------------------------------------------
# Out-of-range numeric keywords
# --------------------------------------------------------------------------------------------------------------------
# Keyword names that are numeric even when their default is None.
NUMERIC_NAMES = frozenset({"budget", "budget_cost", "top", "k", "k_max", "k_min", "max_size", "hops", "threshold"})
# Counts, sizes, seeds and scales whose range is part of their documented meaning even where the docstring gives
# no interval ("Number of clusters", "Seed of ...", "Neighbourhood radius"): -1 is never a valid value.
NON_NEGATIVE_NAMES = frozenset(
    {
        "budget", "budget_cost", "top", "k", "k_max", "k_min", "hops", "max_nodes", "max_size", "min_size",
        "per_cluster", "samples", "n_pivots", "n_init", "trials", "exact_max", "exact_max_nodes", "dense_max",
        "max_shared", "max_cluster_size", "chunk_rows", "dpi", "height_px", "min_digits", "people", "seed",
        "resolution", "threshold", "damping", "tau", "sweep_days", "turnover_days", "batch_size",
    }
)  # fmt: skip
# A documented range in a numpydoc parameter entry: an interval, a comparison, or words that bound it.
RANGE_WORDS = re.compile(
    r"[\[(]\s*-?[\d._]+(?:e\d+)?\s*,\s*(?:-?[\d._]+|inf)\s*[\])]|>=|<=|>|<|\bpositive\b|non-negative|nonnegative"
    r"|\bat least\b|\bat most\b|\bbetween\b|\bfraction\b|\bprobabilit|\bshare\b|\bpercent",
    re.IGNORECASE,
)
UPPER_ONE = re.compile(r"[\[(]\s*0\s*,\s*1\s*[\])]|\bfraction\b|\bprobabilit|\bshare\b", re.IGNORECASE)


def _param_doc(func: Callable[..., Any], name: str) -> str:
    """The text of `name`'s entry in the numpydoc Parameters section of `func` (empty if absent)."""
    doc = inspect.getdoc(func.__init__ if inspect.isclass(func) else func) or inspect.getdoc(func) or ""
    lines = doc.splitlines()
    for i, line in enumerate(lines):
        head = line.split(" : ", 1)[0] if " : " in line else ""
        if line[:1].strip() and name in [h.strip() for h in head.split(",")]:
            body = [line.split(" : ", 1)[1]]
            for nxt in lines[i + 1 :]:
                if nxt[:1].strip():
                    break
                body.append(nxt)
            return " ".join(b.strip() for b in body)
    return ""


# Out-of-range keywords that are not validated yet, in files this test may not change; strict xfail, so a
# fix is noticed. Each is reported as a gap.
RANGE_GAPS: dict[tuple[str, str], str] = {}


def _range_cases() -> list[Any]:
    cases = []
    for qualname, func in sorted(WITH_DATA.items()):
        if qualname in ALLOW or qualname in KNOWN_DEFECTS:
            continue
        first = _first_param(func)
        assert first is not None
        if first.name not in KNOWN_VALID:
            continue  # no generic valid first argument (e.g. a DetectionResult): covered by the module's own tests
        for p in _data_params(func):
            if p.kind != p.KEYWORD_ONLY:
                continue
            numeric = isinstance(p.default, int | float) and not isinstance(p.default, bool)
            if not (numeric or (p.default is None and p.name in NUMERIC_NAMES)):
                continue
            doc = _param_doc(func, p.name)
            if not (RANGE_WORDS.search(doc) or p.name in NON_NEGATIVE_NAMES):
                continue
            bads: list[float] = [-1]
            if UPPER_ONE.search(doc):
                bads.append(1e9)
            gap = RANGE_GAPS.get((qualname, p.name))
            marks = [pytest.mark.xfail(strict=True, reason=gap)] if gap else []
            for bad in bads:
                cases.append(pytest.param(qualname, p.name, bad, id=f"{qualname}-{p.name}={bad:g}", marks=marks))
    return cases


RANGE_CASES = _range_cases()


@pytest.mark.parametrize(("qualname", "param", "bad"), RANGE_CASES)
def test_out_of_range_keyword(qualname: str, param: str, bad: float, fx: _Fixtures) -> None:
    """A numeric keyword outside its documented range raises the template error naming that keyword."""
    func = WITH_DATA[qualname]
    first = _first_param(func)
    assert first is not None
    with pytest.raises(ParameterError) as info:
        _call(func, fx, **{first.name: _valid_value(first.name, fx), param: bad})
    match = TEMPLATE.match(str(info.value))
    assert match, f"ParameterError does not follow the template: {info.value}"
    assert match.group(1) == param, f"expected an error about {param!r}, got: {info.value}"


def test_range_gaps_are_current() -> None:
    """Every listed gap still names a generated case (no stale entries)."""
    generated = {(c.values[0], c.values[1]) for c in RANGE_CASES}
    assert set(RANGE_GAPS) <= generated
