"""Benchmark ingest: generated cases to canonical tables, per-stage throughput, peak memory,
and person-resolution quality against the generator's truth.

Usage::

    .venv/bin/python -m benchmarks.bench_ingest                      # 10k and 100k people, quality
    .venv/bin/python -m benchmarks.bench_ingest --sizes 1000000 --no-quality   # the 1M target, alone
    .venv/bin/python -m benchmarks.bench_ingest --sizes 1000000 --no-quality --case 1000000=/tmp/case1m

Each size is ingested in a fresh interpreter (peak RSS is per process; a thread
samples RSS and CPU time every 0.1 s and attributes them to the stage ingest's
``on_stage`` callback last named). ``--case
N=DIR`` uses an existing generated case (medium preset, N people) instead of
generating one into the cache. Results go to ``benchmarks/results/ingest.{json,md}``;
rows of earlier runs for other sizes or presets are kept. Targets: 1M people in
< 10 min and < 12 GiB.
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
    import threading

    import psutil

    from crimnet.ingest import pipeline

    proc = psutil.Process()
    peak: dict[str, float] = {}
    cpu: dict[str, float] = {}
    current = {"stage": ""}  # set by ingest's on_stage in the main thread, read by the sampler
    done = threading.Event()

    def on_stage(stage: str) -> None:
        current["stage"] = stage

    def sample() -> None:
        last_cpu = sum(proc.cpu_times()[:2])
        while not done.is_set():
            stage = current["stage"] or "other"
            rss = proc.memory_info().rss / 2**20
            now = sum(proc.cpu_times()[:2])
            peak[stage] = max(peak.get(stage, 0.0), rss)
            cpu[stage] = cpu.get(stage, 0.0) + now - last_cpu
            last_cpu = now
            done.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    t0 = time.perf_counter()
    res = pipeline.ingest(case, out, on_stage=on_stage)
    total = time.perf_counter() - t0
    done.set()
    sampler.join()
    payload = {
        "seconds_in_process": total,
        "timings": res.timings,
        "stage_peak_rss_mib": {k: round(v) for k, v in peak.items()},
        "stage_cpu_s": {k: round(v, 1) for k, v in cpu.items()},
        "rows_read": int(res.summary["rows_read"].sum()),
        "rows_quarantined": int(res.summary["rows_quarantined"].sum()),
        "person_records": int(res.summary["person_records"].sum()),
        "counts": res.counts,
    }
    Path(report).write_text(json.dumps(payload))


def _speed_row(people: int, preset: str, case: Path | None = None) -> dict:
    case = case if case is not None else _case(people, preset)
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
        **{f"{k}_peak_rss_mib": r["stage_peak_rss_mib"].get(k) for k in t},
        **{f"{k}_cpu_s": r["stage_cpu_s"].get(k) for k in t},
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
    ap.add_argument(
        "--case",
        action="append",
        default=[],
        metavar="N=DIR",
        help="use the existing generated case DIR (preset --preset) for size N instead of generating one",
    )
    args = ap.parse_args(argv)
    cases = {}
    for item in args.case:
        n, _, d = item.partition("=")
        if not d or not n.isdigit() or not (Path(d) / "manifest.json").exists():
            ap.error(f"--case {item!r}: expected N=DIR with DIR a generated case (holding manifest.json)")
        cases[int(n)] = Path(d)
    if args.child:
        _child(*args.child)
        return
    CACHE.mkdir(parents=True, exist_ok=True)
    rows = []
    for n in sorted(args.sizes):
        row = _speed_row(n, args.preset, cases.get(n))
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
            "that process; *_s are seconds per stage, *_peak_rss_mib the peak RSS sampled while in the stage, "
            "*_cpu_s its CPU seconds (user + system, all threads), rates are rows (person records for resolve) "
            "per second. "
            "quality rows: pairwise person-resolution precision/recall against truth/entities.csv. "
            "Targets: 1M people in < 600 s and < 12 GiB."
        ),
    )


if __name__ == "__main__":
    main()
