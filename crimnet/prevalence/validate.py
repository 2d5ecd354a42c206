"""Validation against truth: bias, error and interval coverage of the estimates on generated cases.

The generator (:mod:`crimnet.synthetic`, option ``victim_lists``) knows every victim, including
those no list recorded, and which lists recorded each (:mod:`crimnet.synthetic.victim_lists`). Two
paths compare the estimate with that truth:

- **fast** (:func:`simulate_case`, :func:`coverage`): build only the world of a case (its victims) and
  draw the lists' captures exactly as :func:`crimnet.synthetic.generate_case` does (same law, same
  random stream), without writing or ingesting anything: the capture histories are the true ones,
  so only the estimator is tested. Hundreds of cases take minutes;
- **full** (:func:`check_case`): a case generated with the lists, ingested and resolved; the
  histories come from the resolved ``Person.sources`` (:func:`crimnet.prevalence.histories.from_tables`),
  so record-linkage errors (a victim split in two, two victims merged) show in the estimate.

The target is always the true victims. Where the lists also hold false referrals (``victim_false_share``)
they are in the histories, as they are in real lists, but never in the truth.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from crimnet.errors import SchemaError, bad_parameter, check_interval, check_type
from crimnet.prevalence.estimate import PrevalenceEstimate, estimate
from crimnet.prevalence.histories import CaptureHistoryError, capture_table, from_tables
from crimnet.synthetic.listed import draw_listed
from crimnet.synthetic.params import case_params
from crimnet.synthetic.victim_lists import draw_captures, parse_dependence, parse_raids, parse_victim_lists
from crimnet.synthetic.world import build_world
from crimnet.tables import CanonicalTables

__all__ = [
    "Scenario",
    "check_case",
    "coverage",
    "histories_of",
    "read_false_referrals",
    "read_victim_truth",
    "scenario_from",
    "simulate_case",
    "summarise",
]

Estimator = Callable[[pd.DataFrame], PrevalenceEstimate]
"""What is validated: capture histories -> an estimate with ``total``, ``lower``, ``upper``."""


@dataclass(frozen=True)
class Scenario:
    """How the lists record victims: the generator's ``victim_*`` parameters.

    Attributes
    ----------
    name : str
        For tables and reports.
    lists : dict of str to float
        List -> recording probability (``victim_lists``).
    dependence : dict of str to float
        ``'a:b'`` -> conditional log odds ratio (``victim_list_dependence``).
    visibility : float
        Standard deviation of the latent visibility per victim (``victim_visibility``).
    raids : dict of str to float
        List -> share of rings whose victims it records all at once (``victim_ring_raids``).
    false_share : float
        Share of each list's records that are false referrals (``victim_false_share``).
    """

    name: str
    lists: dict[str, float]
    dependence: dict[str, float] = field(default_factory=dict)
    visibility: float = 0.0
    raids: dict[str, float] = field(default_factory=dict)
    false_share: float = 0.0

    def params(self) -> dict[str, Any]:
        """The scenario as :func:`crimnet.synthetic.generate_case` overrides."""
        return {
            "victim_lists": dict(self.lists),
            "victim_list_dependence": dict(self.dependence),
            "victim_visibility": self.visibility,
            "victim_ring_raids": dict(self.raids),
            "victim_false_share": self.false_share,
        }


def histories_of(captures: np.ndarray, lists: Sequence[str] | None = None) -> pd.DataFrame:
    """The capture-history table of a capture matrix (victims seen by no list left out).

    Parameters
    ----------
    captures : numpy.ndarray of bool
        ``(victims, lists)``: which lists recorded each victim.
    lists : sequence of str, optional
        Column names; default ``A``, ``B``, ...

    Returns
    -------
    pandas.DataFrame
        :func:`crimnet.prevalence.histories.capture_table` of the victims seen at least once.

    >>> histories_of(np.array([[1, 0], [1, 1], [0, 0], [1, 0]], bool), ["a", "b"]).to_dict("list")
    {'a': [1, 1], 'b': [0, 1], 'count': [2, 1]}
    """
    check_type(captures, np.ndarray, param="captures", func="histories_of", expected="a bool matrix")
    names = [chr(ord("A") + i) for i in range(captures.shape[-1])] if lists is None else list(lists)
    if captures.ndim != 2 or captures.shape[1] != len(names):
        raise bad_parameter("captures", "histories_of", f"a matrix with {len(names)} columns", captures.shape)
    df = pd.DataFrame(captures.astype(np.int64), columns=names)
    df = df[df.sum(axis=1) > 0].assign(count=1)
    return capture_table(df, where="captures")


def simulate_case(
    scenario: Scenario, *, seed: int, people: int = 3000, rings: int | None = 25, victims: int | None = None
) -> tuple[pd.DataFrame, int]:
    """The fast path: the true capture histories and victim count of one generated case.

    Builds the case's world (not its extracts) and draws the captures as the generator does, so the
    histories are those of ``truth/victim_lists.csv`` of ``generate_case(people=, seed=, rings=,
    **scenario.params())``.

    Parameters
    ----------
    scenario : Scenario
        How the lists record victims.
    seed : int
        The case seed, >= 0.
    people : int, default 3000
        People in the case.
    rings : int or None, default 25
        Planted rings (about 10 victims each); None: the generator's default.
    victims : int, optional
        The case's number of victims when already known (it depends on `seed`, `people` and `rings`
        only, not on the scenario): the world is then not built again, unless the scenario has raids
        or false referrals (which need the victims' rings and the people in none).

    Returns
    -------
    table : pandas.DataFrame
        Capture histories of the people some list recorded: victims, and false referrals if any.
    victims : int
        The true number of victims (false referrals not counted).
    """
    check_type(scenario, Scenario, param="scenario", func="simulate_case", expected="a Scenario")
    params = case_params(people=people, seed=seed, rings=rings, **scenario.params())
    lists = list(params.victim_lists)
    if victims is not None and not (params.victim_ring_raids or params.victim_false_share):
        check_interval(victims, param="victims", func="simulate_case", low=0, closed="left", integer=True)
        caught = draw_captures(
            victims, params.victim_lists, dependence=params.victim_list_dependence,
            visibility=params.victim_visibility, seed=params.seed,
        )  # fmt: skip
        return histories_of(caught, lists), victims
    listed = draw_listed(build_world(params), params.seed)
    return histories_of(np.vstack([listed.captures, listed.false_captures]), lists), len(listed.victims)


def _row(truth: int, table: pd.DataFrame, estimator: Estimator) -> dict[str, Any]:
    observed = int(table["count"].sum())
    try:
        r = estimator(table)
    except ValueError as err:  # the data cannot support a model (ModelNotSupportedError)
        return {"truth": truth, "observed": observed, "refused": str(err)[:120]}
    return {
        "truth": truth,
        "observed": observed,
        "model": r.model,
        "total": r.total,
        "lower": r.lower,
        "upper": r.upper,
        "covered": bool(r.lower <= truth <= r.upper),
        "refused": "",
    }


def coverage(
    scenario: Scenario,
    *,
    cases: int = 200,
    people: int = 3000,
    rings: int | None = 25,
    first_seed: int = 0,
    estimator: Estimator | None = None,
    methods: Sequence[str] = ("auto",),
    nboot: int = 100,
    level: float = 0.95,
    victims: Mapping[int, int] | None = None,
) -> pd.DataFrame:
    """Estimate every case of a scenario (fast path) and compare with its true victim count.

    Parameters
    ----------
    scenario : Scenario
        How the lists record victims.
    cases : int, default 200
        Cases (seeds ``first_seed`` ... ``first_seed + cases - 1``), >= 1.
    people, rings
        Size of each case (:func:`simulate_case`).
    first_seed : int, default 0
        Seed of the first case, >= 0.
    estimator : callable, optional
        Capture histories -> estimate, validated on the same cases as `methods` (its rows have method
        ``'custom'``); e.g. to check that a broken estimator is caught.
    methods : sequence of str, default ('auto',)
        Methods of :func:`crimnet.prevalence.estimate` to run on every case (with `nboot`, `level`
        and the case seed as bootstrap seed); each case is drawn once for all.
    nboot : int, default 100
        Bootstrap resamples of the default estimator, >= 0 (0: model-based interval).
    level : float, default 0.95
        Confidence level.
    victims : mapping of int to int, optional
        Seed -> number of victims, known from an earlier run of the same seeds, people and rings
        (its rows' ``truth``): saves building the worlds again.

    Returns
    -------
    pandas.DataFrame
        One row per case and method: ``method``, ``seed``, ``truth``, ``observed``, ``model``, ``total``,
        ``lower``, ``upper``, ``covered``, ``refused`` (why no estimate, else ``''``); :func:`summarise`
        condenses the rows of one method.
    """
    check_interval(cases, param="cases", func="coverage", low=1, closed="left", integer=True)
    check_interval(first_seed, param="first_seed", func="coverage", low=0, closed="left", integer=True)
    check_interval(nboot, param="nboot", func="coverage", low=0, closed="left", integer=True)
    rows = []
    for seed in range(first_seed, first_seed + cases):
        known = None if victims is None else victims.get(seed)
        table, truth = simulate_case(scenario, seed=seed, people=people, rings=rings, victims=known)
        runs: dict[str, Estimator] = {
            m: partial(estimate, method=m, nboot=nboot, seed=seed, level=level) for m in methods
        }
        if estimator is not None:
            runs["custom"] = estimator
        rows += [{"method": m, "seed": seed, **_row(truth, table, est)} for m, est in runs.items()]
    cols = ["method", "seed", "truth", "observed", "model", "total", "lower", "upper", "covered", "refused"]
    return pd.DataFrame(rows).reindex(columns=cols)


def summarise(rows: pd.DataFrame) -> dict[str, Any]:
    """Bias, error and coverage of the rows of :func:`coverage` (or of :func:`check_case` rows).

    Returns
    -------
    dict
        ``cases`` (estimated), ``refused``, ``mean truth``, ``bias`` (mean of total - truth),
        ``relative bias`` (mean of total / truth - 1), ``median relative bias``, ``relative error``
        (mean of abs(total / truth - 1)), ``relative RMSE``, ``coverage`` (share of intervals holding
        the truth), ``median relative width`` ((upper - lower) / truth). NaN where no case was estimated.

    >>> rows = pd.DataFrame({"truth": [100, 100], "total": [90.0, 110.0], "lower": [80.0, 101.0],
    ...                      "upper": [120.0, 130.0], "covered": [True, False], "refused": ["", ""]})
    >>> s = summarise(rows)
    >>> s["relative bias"], s["relative error"], s["coverage"]
    (0.0, 0.1, 0.5)
    """
    check_type(rows, pd.DataFrame, param="rows", func="summarise", expected="the rows of coverage()")
    ok = rows[rows["refused"].fillna("") == ""] if "refused" in rows else rows
    rel = (ok["total"] / ok["truth"] - 1).astype(float)
    nan = float("nan")
    return {
        "cases": int(len(ok)),
        "refused": int(len(rows) - len(ok)),
        "mean truth": round(float(rows["truth"].mean()), 1),
        "bias": round(float((ok["total"] - ok["truth"]).mean()), 2) if len(ok) else nan,
        "relative bias": round(float(rel.mean()), 4) if len(ok) else nan,
        "median relative bias": round(float(rel.median()), 4) if len(ok) else nan,
        "relative error": round(float(rel.abs().mean()), 4) if len(ok) else nan,
        "relative RMSE": round(math.sqrt(float((rel**2).mean())), 4) if len(ok) else nan,
        "coverage": round(float(ok["covered"].astype(bool).mean()), 4) if len(ok) else nan,
        "median relative width": round(float(((ok["upper"] - ok["lower"]) / ok["truth"]).median()), 4)
        if len(ok)
        else nan,
    }


def read_victim_truth(case_dir: str | os.PathLike[str]) -> tuple[pd.DataFrame, list[str]]:
    """Read ``truth/victim_lists.csv`` of a case generated with victim lists.

    Returns
    -------
    truth : pandas.DataFrame
        One row per true victim: ``person_id``, ``ring_id``, a 0/1 column per list, ``listed``.
    lists : list of str
        The lists, in column order.

    Raises
    ------
    crimnet.errors.SchemaError
        If the case has no victim lists.
    """
    check_type(case_dir, (str, os.PathLike), param="case_dir", func="read_victim_truth", expected="a path")
    path = Path(case_dir) / "truth" / "victim_lists.csv"
    if not path.exists():
        raise SchemaError(f"{path}: no such file (generate the case with victim_lists to have one).")
    df = pd.read_csv(path, dtype={"person_id": str, "ring_id": str})
    return df, [c for c in df.columns if c not in ("person_id", "ring_id", "listed")]


def read_false_referrals(case_dir: str | os.PathLike[str], lists: Sequence[str]) -> pd.DataFrame:
    """Read ``truth/false_referrals.csv`` of a case: the listed people who are not victims of its rings.

    Returns
    -------
    pandas.DataFrame
        ``person_id`` and a 0/1 column per list of `lists`; no rows when the case has no false
        referrals (no file).
    """
    check_type(case_dir, (str, os.PathLike), param="case_dir", func="read_false_referrals", expected="a path")
    path = Path(case_dir) / "truth" / "false_referrals.csv"
    if not path.exists():
        return pd.DataFrame({"person_id": pd.Series(dtype=str), **{k: pd.Series(dtype=np.int64) for k in lists}})
    return pd.read_csv(path, dtype={"person_id": str})


def check_case(
    case_dir: str | os.PathLike[str],
    tables: CanonicalTables,
    *,
    method: str = "auto",
    nboot: int = 100,
    seed: int = 1234,
    level: float = 0.95,
) -> dict[str, Any]:
    """The full path: the estimate of a generated, ingested and resolved case against its truth.

    Parameters
    ----------
    case_dir : path
        The generated case (with ``truth/victim_lists.csv``).
    tables : CanonicalTables
        Its ingested and resolved tables; the histories are the victim lists in ``Person.sources``.
    method, nboot, seed, level
        As :func:`crimnet.prevalence.estimate`.

    Returns
    -------
    dict
        ``truth`` (victims), ``listed`` (victims some list recorded), ``observed`` (resolved people on
        some list: more than ``listed`` when resolution splits a victim, fewer when it merges two),
        ``false referrals`` (people listed who are no victim, ``truth/false_referrals.csv``; in
        ``observed`` and in both estimates' histories, never in ``truth``), the resolved estimate
        (``model``, ``total``, ``lower``, ``upper``, ``covered``, ``refused``) and, from the true
        histories, ``true-history total``, ``true-history lower``, ``true-history upper``: the
        difference is what resolution errors do.
    """
    check_type(tables, CanonicalTables, param="tables", func="check_case", expected="CanonicalTables")
    truth, lists = read_victim_truth(case_dir)

    def est(t: pd.DataFrame) -> PrevalenceEstimate:
        return estimate(t, method=method, nboot=nboot, seed=seed, level=level)

    n = len(truth)
    try:
        resolved = _row(n, from_tables(tables, sources=lists), est)
    except CaptureHistoryError as err:  # fewer than two lists hold anyone after ingest
        resolved = {"truth": n, "observed": 0, "refused": str(err)}
    false = read_false_referrals(case_dir, lists)
    exact = _row(n, histories_of(np.vstack([truth[lists].to_numpy(bool), false[lists].to_numpy(bool)]), lists), est)
    return {
        "truth": n,
        "listed": int(truth["listed"].sum()),
        "false referrals": len(false),
        **{k: v for k, v in resolved.items() if k != "truth"},
        "true-history total": exact.get("total", float("nan")),
        "true-history lower": exact.get("lower", float("nan")),
        "true-history upper": exact.get("upper", float("nan")),
    }


def scenario_from(
    name: str,
    lists: str | Mapping[str, float] = "default",
    dependence: str | Mapping[str, float] = "",
    visibility: float = 0.0,
    *,
    raids: str | Mapping[str, float] = "",
    false_share: float = 0.0,
) -> Scenario:
    """A checked :class:`Scenario` from the generator's parameter forms.

    Parameters
    ----------
    name : str
        For tables and reports.
    lists : str or mapping of str to float, default 'default'
        As ``victim_lists`` (:func:`crimnet.synthetic.victim_lists.parse_victim_lists`).
    dependence : str or mapping of str to float, default ''
        As ``victim_list_dependence`` (``'ngo_casework:nrm_referrals=1.5'``).
    visibility : float, default 0.0
        As ``victim_visibility``, in [0, 5].
    raids : str or mapping of str to float, default ''
        As ``victim_ring_raids`` (``'police_victims=0.15'``).
    false_share : float, default 0.0
        As ``victim_false_share``, in [0, 0.5].

    >>> scenario_from("referral", "default", "ngo_casework:nrm_referrals=1.5").dependence
    {'nrm_referrals:ngo_casework': 1.5}
    """
    check_type(name, str, param="name", func="scenario_from", expected="a str")
    check_interval(visibility, param="visibility", func="scenario_from", low=0, high=5, closed="both")
    check_interval(false_share, param="false_share", func="scenario_from", low=0, high=0.5, closed="both")
    probs = parse_victim_lists(lists)
    return Scenario(
        name,
        probs,
        parse_dependence(dependence, list(probs)),
        float(visibility),
        parse_raids(raids, probs),
        float(false_share),
    )
