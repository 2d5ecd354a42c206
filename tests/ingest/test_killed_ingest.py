"""A killed ``crimnet ingest`` leaves the earlier output as it was, and the next run leaves nothing behind.

Ingest builds its output in ``.<out>.tmp-<pid>`` beside spill folders ``.<out>.spill-<pid>-*`` and swaps
it in at the end (crimnet.outputs). These tests kill the process they started with SIGKILL while it
works, then check the earlier output byte for byte, and that the next ingest removes the dead
process's folders and writes the same tables as a clean run.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from crimnet.ingest.pipeline import ingest
from crimnet.synthetic import generate_case

CLI = [sys.executable, "-c", "from crimnet.cli import app; app()"]


@pytest.fixture(scope="module")
def case_and_clean(tmp_path_factory):
    root = tmp_path_factory.mktemp("killed_ingest")
    case = generate_case(root / "case", people=600, seed=11).root
    ingest(case, root / "clean")  # the reference, in this process: the ingests under test are `crimnet ingest`s
    return case, root / "clean"


def _digest(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under `folder`, by relative path."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _tables(folder: Path) -> dict[str, pd.DataFrame]:
    """The canonical tables of an ingest output, rows in a fixed order (content, not file bytes)."""
    out = {}
    for p in sorted((folder / "tables").glob("*.parquet")):
        df = pd.read_parquet(p)
        out[p.name] = df.astype(str).sort_values(list(df.columns)).reset_index(drop=True)
    return out


def _leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))


def _kill_when(out: Path, case: Path, ready) -> int:
    """Start an ingest into `out`, SIGKILL it once ``ready()`` holds; return its exit status."""
    proc = subprocess.Popen(
        [*CLI, "ingest", str(case), "--out", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 120
        while not ready() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        return proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()


def _check(case: Path, clean: Path, out: Path, before: dict[str, str], status: int) -> None:
    if status == -signal.SIGKILL:  # killed before the swap: the earlier output untouched
        assert _digest(out) == before
    rerun = subprocess.run([*CLI, "ingest", str(case), "--out", str(out)], capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    assert _leftovers(out) == []  # the dead process's spill and staging folders are gone
    got, want = _tables(out), _tables(clean)
    assert got.keys() == want.keys()
    for name in want:
        pd.testing.assert_frame_equal(got[name], want[name], obj=name)


def test_an_ingest_killed_while_spilling_leaves_the_earlier_output_and_no_leftovers(case_and_clean, tmp_path):
    case, clean = case_and_clean
    out = tmp_path / "out"
    shutil.copytree(clean, out)  # the earlier output: an ingest of the same case
    before = _digest(out)
    status = _kill_when(out, case, lambda: any(n.startswith(".out.tmp-") for n in _leftovers(out)))
    assert status == -signal.SIGKILL, "the ingest ended before the kill: nothing was tested"
    assert _leftovers(out) != []  # what a killed ingest leaves, and the next run must remove
    _check(case, clean, out, before, status)


@pytest.mark.heavy
def test_ingests_killed_at_random_times_leave_the_output_before_or_after(case_and_clean, tmp_path):
    case, clean = case_and_clean
    out = tmp_path / "out"
    subprocess.run([*CLI, "ingest", str(case), "--out", str(out)], check=True, capture_output=True)
    rng = random.Random(5)
    for _ in range(8):
        before = _digest(out)
        start = time.monotonic()
        delay = rng.uniform(0.5, 12.0)
        status = _kill_when(out, case, lambda d=delay, s=start: time.monotonic() - s > d)
        _check(case, clean, out, before, status)
