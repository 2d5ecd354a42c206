"""Run every benchmark script (benchmarks/bench_*.py) in turn, each in its own process.

Usage: ``python -m benchmarks.run_all [NAME ...]`` (names without the ``bench_``
prefix; all when none are given). Results land in ``benchmarks/results/``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    here = Path(__file__).resolve().parent
    names = argv or sorted(p.stem.removeprefix("bench_") for p in here.glob("bench_*.py"))
    failed = []
    for name in names:
        print(f"== benchmarks.bench_{name}", flush=True)
        if subprocess.run([sys.executable, "-m", f"benchmarks.bench_{name}"], cwd=here.parent).returncode:
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
