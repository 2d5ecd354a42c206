"""Prevalence against the generator's truth: bias, error and interval coverage on generated cases.

Run as ``python -m benchmarks.prevalence_coverage [--cases 200] [--nboot 100] [--full 4] [--only TEXT ...]``;
with ``--only`` just the scenarios whose name holds one of the texts are run, and the other rows (and
the full path, unless ``--full`` is given) are kept from the last results.

1. **Fast path** (:func:`crimnet.prevalence.validate.coverage`): for each scenario of the four victim
   lists (NRM referrals, NGO casework, helpline reports, police victim records; recording
   probabilities 0.35, 0.25, 0.10, 0.20), ``--cases`` generated cases of 3,000 people and 25 rings
   (about 250 victims each): the world is built and the lists' captures drawn exactly as
   ``generate_case(..., victim_lists=...)`` does, without writing or ingesting the extracts. Every
   case is estimated with main effects, stepwise and BIC (``auto`` for four lists), each with a BCa
   interval of ``--nboot`` resamples (model choice repeated in every resample). The last scenarios plant
   what real lists hold: false referrals (people listed who are no victim of the rings) and whole-ring
   police raids (captures dependent within rings).
2. **Full path** (:func:`crimnet.prevalence.validate.check_case`): ``--full`` cases generated with the
   lists, ingested and resolved by crimnet; the histories come from the resolved people's sources, and
   the estimate from the true histories is shown beside it: the difference is what resolution does.

-> ``results/prevalence_coverage.{json,md}``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.common import RESULTS, markdown_table, write_results
from crimnet.ingest.pipeline import ingest
from crimnet.prevalence.validate import Scenario, check_case, coverage, scenario_from, summarise
from crimnet.synthetic import generate_case

SCENARIOS: list[tuple[Scenario, tuple[str, ...]]] = [
    (scenario_from("independent lists", "default"), ("main-effects", "stepwise", "bic")),
    (
        scenario_from("NGO -> NRM referral (log OR 1.5)", "default", "ngo_casework:nrm_referrals=1.5"),
        ("main-effects", "stepwise", "bic"),
    ),
    (scenario_from("heterogeneity (visibility sd 0.5)", "default", "", 0.5), ("main-effects", "stepwise")),
    (scenario_from("heterogeneity (visibility sd 1.0)", "default", "", 1.0), ("stepwise",)),
    (scenario_from("referral and heterogeneity (sd 0.5)", "default", "ngo_casework:nrm_referrals=1.5", 0.5), ("bic",)),
    (scenario_from("false referrals (share 0.1)", false_share=0.1), ("main-effects", "stepwise", "bic")),
    (scenario_from("false referrals (share 0.25)", false_share=0.25), ("main-effects", "bic")),
    (scenario_from("police raids (15% of rings)", raids="police_victims=0.15"), ("main-effects", "stepwise", "bic")),
    (
        scenario_from(
            "raids referred to the NRM (police 15%, NRM 10% of rings)", raids="police_victims=0.15,nrm_referrals=0.1"
        ),
        ("main-effects", "stepwise", "bic"),
    ),  # fmt: skip
    (
        scenario_from(
            "raids referred to the NRM and NGO support (police 15%, NRM 10%, NGO 10%)",
            raids="police_victims=0.15,nrm_referrals=0.1,ngo_casework=0.1",
        ),
        ("main-effects", "bic"),
    ),  # fmt: skip
]
PEOPLE, RINGS = 3000, 25
FULL_PEOPLE, FULL_RINGS = 2000, 16
RESULT = RESULTS / "prevalence_coverage.json"


def fast_rows(cases: int, nboot: int, scenarios: list[tuple[Scenario, tuple[str, ...]]]) -> list[dict[str, Any]]:
    rows = []
    victims: dict[int, int] | None = None
    for scenario, methods in scenarios:
        t0 = time.perf_counter()
        per_case = coverage(
            scenario, cases=cases, people=PEOPLE, rings=RINGS, methods=methods, nboot=nboot, victims=victims
        )
        victims = dict(zip(per_case["seed"], per_case["truth"], strict=True))
        seconds = time.perf_counter() - t0
        for method in methods:
            mine = per_case[per_case["method"] == method]
            rows.append(
                {
                    "scenario": scenario.name,
                    "method": method,
                    **summarise(mine),
                    "mean observed": round(float(mine["observed"].mean()), 1),
                    "seconds (scenario)": round(seconds, 1),
                    "measured": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
                }
            )
            print(rows[-1], flush=True)
    return rows


def full_rows(cases: int, nboot: int) -> list[dict[str, Any]]:
    rows = []
    scenario = SCENARIOS[0][0]
    with tempfile.TemporaryDirectory(prefix="crimnet_prev_") as tmp:
        for seed in range(cases):
            t0 = time.perf_counter()
            case = generate_case(Path(tmp) / f"case{seed}", people=FULL_PEOPLE, seed=seed, rings=FULL_RINGS,
                                 **scenario.params())  # fmt: skip
            res = ingest(case.root, Path(tmp) / f"ing{seed}")
            row = {"seed": seed, **check_case(case.root, res.tables, nboot=nboot, seed=seed)}
            row = {k: round(v, 1) if isinstance(v, float) else v for k, v in row.items()}
            row["seconds"] = round(time.perf_counter() - t0, 1)
            rows.append(row)
            print(row, flush=True)
    return rows


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--cases", type=int, default=200, help="generated cases per scenario (fast path)")
    ap.add_argument("--nboot", type=int, default=100, help="bootstrap resamples per case")
    ap.add_argument("--full", type=int, default=None, help="cases through generate -> ingest -> resolve -> estimate")
    ap.add_argument("--only", nargs="+", metavar="TEXT", help="run only the scenarios whose name holds a TEXT")
    args = ap.parse_args(argv)
    chosen = [(sc, m) for sc, m in SCENARIOS if not args.only or any(t in sc.name for t in args.only)]
    new = fast_rows(args.cases, args.nboot, chosen)
    last = json.loads(RESULT.read_text()) if args.only and RESULT.exists() else {"rows": [], "full_path": []}
    for r in last["rows"]:  # rows from before the column: the date of the run that wrote them
        r.setdefault("measured", last["machine"]["date"][:16].replace("T", " "))
    # rows of the scenarios run replace their last ones; the others are kept, in the order of SCENARIOS
    fast = [
        r
        for sc, _ in SCENARIOS
        for r in ([x for x in new if x["scenario"] == sc.name] or [x for x in last["rows"] if x["scenario"] == sc.name])
    ]
    nfull = args.full if args.full is not None else (0 if args.only else 4)
    full = full_rows(nfull, args.nboot) if nfull else last["full_path"]
    counts = ", ".join(
        f"{n} for {name}" for name, n in dict.fromkeys((r["scenario"], r["cases"] + r["refused"]) for r in fast)
    )
    notes = (
        f"Fast path: {PEOPLE:,} people and {RINGS} rings per case; cases per scenario: {counts} (the `cases` "
        "column: estimated cases). The captures are "
        "those `generate_case` draws (same law and random stream), the histories the true ones. 95% BCa "
        f"intervals of {args.nboot} multinomial resamples (kept small for speed: the bounds carry Monte Carlo "
        "error, which widens the spread of coverage but not its level much). `bic` is `auto` for four lists. "
        "Relative bias is mean(total / truth - 1), relative error mean(|total / truth - 1|).\n\n"
        "Expected failures, planted on purpose: main effects ignore the NGO -> NRM dependence (positively "
        "dependent lists overlap more than independence says, so the total is underestimated), and no "
        "log-linear model of the lists captures a visibility shared by all lists (heterogeneity): the victims "
        "seen by no list are underestimated and the intervals under-cover whatever the method, as MSE is "
        "known to. False referrals are listed by the victims' law, so the estimators count them as victims: "
        "the truth is the true victims only and the expected bias is share / (1 - share). Raids record every "
        "victim of a share of rings at once (the list's marginal kept), a dependence between people within rings "
        "that no log-linear model of the lists sees; with police and NRM sharing the raids it is also a "
        "dependence between those two lists.\n\n"
        "## Full path: generate -> ingest -> resolve -> estimate\n\n"
        f"Independent lists, {len(full)} cases of {FULL_PEOPLE:,} people and {FULL_RINGS} rings, method auto (BIC), "
        f"{args.nboot} resamples. `listed` is the victims some list recorded; `observed` the resolved people on "
        "some list (more than `listed` when resolution splits a victim's records, fewer when it merges two "
        "victims). `true-history ...` is the estimate from the generator's true histories.\n\n"
        + (markdown_table(full, digits=None) if full else "(not run)")
    )
    path = write_results(
        "prevalence_coverage",
        fast,
        title="Prevalence against the generator's truth: bias and coverage over generated cases",
        notes=notes,
    )
    payload = json.loads(path.read_text())
    payload["full_path"] = full
    path.write_text(json.dumps(payload, indent=2, default=str) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
