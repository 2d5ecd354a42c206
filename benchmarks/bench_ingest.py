"""Benchmark ingest: generated cases to canonical tables, per-stage throughput, peak memory,
and person-resolution quality against the generator's truth.

Usage::

    .venv/bin/python -m benchmarks.bench_ingest                      # 10k and 100k people, quality
    .venv/bin/python -m benchmarks.bench_ingest --sizes 1000000 --no-quality   # the 1M target, alone

Each size is ingested in a fresh interpreter (peak RSS is per process). Results
go to ``benchmarks/results/ingest.{json,md}``; rows of earlier runs for other
sizes or presets are kept. Targets: 1M people in < 10 min and < 12 GiB.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import RESULTS, run_isolated, write_results

NAME = "ingest"
CACHE = Path(tempfile.gettempdir()) / "crimnet-bench-ingest"


def _case(people: int, preset: str, seed: int = 1) -> Path:
    from crimnet.synthetic import generate_case

    d = CACHE / f"case-{preset}-{people}-{seed}"
    if not (d / "manifest.json").exists():
        shutil.rmtree(d, ignore_errors=True)
        t0 = time.perf_counter()
        generate_case(d, people=people, seed=seed, preset=preset)
        print(f"generated {d} in {time.perf_counter() - t0:.1f}s", flush=True)
    return d


def _child(case: str, out: str, report: str) -> None:
    """Run one ingest and write its timings and counts as JSON (run in a fresh process)."""
    from crimnet.ingest.pipeline import ingest

    t0 = time.perf_counter()
    res = ingest(case, out)
    total = time.perf_counter() - t0
    payload = {
        "seconds_in_process": total,
        "timings": res.timings,
        "rows_read": int(res.summary["rows_read"].sum()),
        "rows_quarantined": int(res.summary["rows_quarantined"].sum()),
        "person_records": int(res.summary["person_records"].sum()),
        "counts": res.tables.counts(),
    }
    Path(report).write_text(json.dumps(payload))


def _speed_row(people: int, preset: str) -> dict:
    case = _case(people, preset)
    out = CACHE / f"out-{preset}-{people}"
    report = CACHE / f"report-{preset}-{people}.json"
    shutil.rmtree(out, ignore_errors=True)
    m = run_isolated([sys.executable, "-m", "benchmarks.bench_ingest", "--child", str(case), str(out), str(report)])
    r = json.loads(report.read_text())
    t = r["timings"]
    rows, persons = r["rows_read"], r["person_records"]
    nodes = sum(v for k, v in r["counts"].items() if k[0].isupper() and not k.isupper())
    edges = sum(v for k, v in r["counts"].items() if k.isupper())
    shutil.rmtree(out, ignore_errors=True)

    def rate(n: int, s: float) -> int:
        return int(n / s) if s > 0 else 0

    return {
        "kind": "speed",
        "people": people,
        "preset": preset,
        "rows_read": rows,
        "rows_quarantined": r["rows_quarantined"],
        "person_records": persons,
        "nodes": nodes,
        "edges": edges,
        "seconds": m["seconds"],
        "peak_rss_mib": m["peak_rss_mib"],
        **{f"{k}_s": round(v, 2) for k, v in t.items()},
        "read_rows_per_s": rate(rows, t["read"]),
        "normalise_rows_per_s": rate(rows, t["normalise"]),
        "resolve_records_per_s": rate(persons, t["resolve"]),
        "build_rows_per_s": rate(rows, t["build"]),
        "write_rows_per_s": rate(rows, t["write"]),
    }


def _quality_row(people: int, preset: str) -> dict:
    import pandas as pd

    from crimnet.ingest.pipeline import ingest
    from crimnet.ingest.quality import resolution_quality

    case = _case(people, preset)
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        res = ingest(case, Path(tmp) / "out")
        secs = time.perf_counter() - t0
    truth = pd.read_csv(case / "truth" / "entities.csv", dtype=str, keep_default_na=False)
    q = resolution_quality(res.resolution, truth)
    return {
        "kind": "quality",
        "people": people,
        "preset": preset,
        "person_records": q["records"],
        "precision": round(q["precision"], 4),
        "recall": round(q["recall"], 4),
        "f1": round(q["f1"], 4),
        "pairs_true": q["pairs_true"],
        "pairs_predicted": q["pairs_predicted"],
        "seconds": round(secs, 2),
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--child", nargs=3, metavar=("CASE", "OUT", "REPORT"), help=argparse.SUPPRESS)
    ap.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    ap.add_argument("--preset", default="medium")
    ap.add_argument("--quality-people", type=int, default=10_000)
    ap.add_argument("--presets", nargs="*", default=["easy", "medium", "hard"])
    ap.add_argument("--no-quality", action="store_true")
    args = ap.parse_args(argv)
    if args.child:
        _child(*args.child)
        return
    CACHE.mkdir(parents=True, exist_ok=True)
    rows = []
    for n in sorted(args.sizes):
        row = _speed_row(n, args.preset)
        print(row, flush=True)
        rows.append(row)
    if not args.no_quality:
        for preset in args.presets:
            row = _quality_row(args.quality_people, preset)
            print(row, flush=True)
            rows.append(row)
    # Keep rows of earlier runs for other sizes / presets.
    old_path = RESULTS / f"{NAME}.json"
    if old_path.exists():
        keys = {(r["kind"], r["people"], r["preset"]) for r in rows}
        old = [r for r in json.loads(old_path.read_text())["rows"] if (r["kind"], r["people"], r["preset"]) not in keys]
        rows = old + rows
    rows.sort(key=lambda r: (r["kind"] != "speed", r["people"], r["preset"]))
    write_results(
        NAME,
        rows,
        title="Ingest: generated cases to canonical tables",
        notes=(
            "speed rows: one ingest of a generated case (all sources) in a fresh process; seconds and peak RSS of "
            "that process; *_s are seconds per stage, rates are rows (person records for resolve) per second. "
            "quality rows: pairwise person-resolution precision/recall against truth/entities.csv. "
            "Targets: 1M people in < 600 s and < 12 GiB."
        ),
    )


if __name__ == "__main__":
    main()
