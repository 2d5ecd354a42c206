"""Benchmark the synthetic case generator: seconds, peak RSS and rows written at 10k, 100k and 1M people.

Each size runs in a fresh interpreter (peak memory is per process), in
increasing order. Run: ``.venv/bin/python -m benchmarks.bench_generate [--max N]``.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import sys
import tempfile
from pathlib import Path

from benchmarks.common import run_isolated, write_results

SIZES = (10_000, 100_000, 1_000_000)


def main(argv: list[str] | None = None) -> Path:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--max", type=int, default=SIZES[-1], help="largest size to run")
    ap.add_argument("--preset", default="medium")
    args = ap.parse_args(argv)
    rows = []
    for people in (s for s in SIZES if s <= args.max):
        out = Path(tempfile.mkdtemp(prefix=f"crimnet-gen-{people}-"))
        try:
            code = (
                "from crimnet.synthetic import generate_case; "
                f"generate_case({str(out)!r}, people={people}, seed=0, preset={args.preset!r})"
            )
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            m = run_isolated([sys.executable, "-c", code])
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            manifest = json.loads((out / "manifest.json").read_text())
            files = manifest["files"]
            raw = sum(v["rows"] for k, v in files.items() if "/" not in k)
            truth = sum(v["rows"] for k, v in files.items() if k.startswith("truth/") and k.endswith(".csv"))
            size_mb = sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) / 2**20
            rows.append(
                {
                    "people": people,
                    "preset": args.preset,
                    "rings": manifest["rings"],
                    "seconds": m["seconds"],
                    "cpu_seconds": round(cpu, 1),
                    "peak_rss_mib": m["peak_rss_mib"],
                    "raw_rows": raw,
                    "truth_csv_rows": truth,
                    "disk_mib": round(size_mb, 1),
                }
            )
            print(rows[-1], flush=True)
        finally:
            shutil.rmtree(out, ignore_errors=True)
    return write_results(
        "generate",
        rows,
        title="Synthetic case generation (crimnet generate)",
        notes=(
            "Each size in a fresh process (benchmarks.common.run_isolated), sizes in increasing order; "
            "raw_rows = rows of the nine agency extracts; truth_csv_rows = persons + entities + rings; "
            "the true canonical tables (truth/tables) are written too. cpu_seconds = user + system time of the child "
            "(wall seconds suffer when other jobs share the 2 cores). Targets: 1M people in < 180 s and < 8 GiB."
        ),
    )


if __name__ == "__main__":
    main()
