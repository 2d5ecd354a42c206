"""Realistic-preset benchmark: look-alike structures, holder classification and detection from ingested tables.

Run ``python -m benchmarks.bench_realistic [--people N] [--seed S] [--methods m1,m2] [--skip-detect | --levels]``
(``--levels``: detection from tables ingested at each match level, ``results/realistic_levels.{json,md}``).
It generates a ``realistic`` case (default 20,000 people, one ring per 2,500 people: every
extract in another dialect, with its spec in ``<case>/specs``), ingests it with those specs
and writes ``results/realistic.{json,md}``:

* the look-alike structures of ``truth/lookalikes.csv`` by kind (count and people);
* ``holder_single_person_share``: of the holder sides that are an organisation or a couple in
  the truth (payer or payee of a payment, the landlord of a tenancy), the share that ingest
  made one single Person record (``'<record id>#<node>'``; for an organisation any Person); the
  target is 0;
* per detection method: precision@k and ring recall with k = the number of rings (truth
  aligned through ingest's resolution table), and how many of the top 10 clusters are
  look-alikes: no ring member among the members that map to a true person, and at least two
  of them in one look-alike structure.

This is measurement only: nothing here tunes detection.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd

from benchmarks.common import write_results


def lookalike_counts(case: Path) -> list[dict]:
    """Structures and their people, by kind, from ``truth/lookalikes.csv``."""
    look = pd.read_csv(case / "truth" / "lookalikes.csv", dtype=str, keep_default_na=False)
    rows = []
    for kind, g in look.groupby("kind", sort=True):
        rows.append(
            {
                "table": "lookalikes",
                "kind": kind,
                "structures": int(g["lookalike"].nunique()),
                "people": int(g.loc[g["entity_type"] == "Person", "entity_id"].nunique()),
                "entities": len(g),
            }
        )
    return rows


_HOLDER_FIELDS = {
    ("bank_transactions", "Payer Name"): "payer",
    ("bank_transactions", "Payee Name"): "payee",
    ("council_tenancy", "Landlord"): "landlord",
}


def holder_share(entities: pd.DataFrame, resolution: pd.DataFrame) -> dict:
    """Organisation and couple holder sides that ingest made one single Person record.

    A side is (source, record id, node). Organisation sides: a ``Business`` entity of a
    holder field; couple sides: person records ``'#<node>.2'``. A side fails when the
    resolution table holds the single-person record ``'<record id>#<node>'`` (for an organisation,
    any person record of that side, ``'#<node>.<n>'`` too).
    """
    e = entities[[(s, f) in _HOLDER_FIELDS for s, f in zip(entities["source"], entities["field"], strict=True)]]
    node = [_HOLDER_FIELDS[(s, f)] for s, f in zip(e["source"], e["field"], strict=True)]
    e = e.assign(node=node)
    org = e[e["entity_type"] == "Business"]
    org_sides = set(zip(org["source"], org["record_id"] + "#" + org["node"], strict=True))
    cp = e[(e["entity_type"] == "Person") & e["record_id"].str.endswith(".2")]
    couple_sides = set(zip(cp["source"], cp["record_id"].str.replace(r"\.2$", "", regex=True), strict=True))
    rid = resolution["record_id"].astype(str)
    got = set(zip(resolution["source"].astype(str), rid, strict=True))
    any_person = set(zip(resolution["source"].astype(str), rid.str.replace(r"\.\d+$", "", regex=True), strict=True))
    bad_org = len(org_sides & any_person)  # an organisation made one person, or a 'couple'
    bad_couple = len(couple_sides & got)
    total = len(org_sides) + len(couple_sides)
    return {
        "table": "holders",
        "organisation_sides": len(org_sides),
        "couple_sides": len(couple_sides),
        "organisation_as_single_person": bad_org,
        "couple_as_single_person": bad_couple,
        "holder_single_person_share": round((bad_org + bad_couple) / total, 4) if total else None,
    }


def top_lookalikes(clusters: pd.DataFrame, aligned: pd.DataFrame, look: pd.DataFrame, top: int = 10) -> int:
    """How many of the `top` clusters (by rank) are look-alikes (see the module's notes)."""
    role = dict(zip(aligned["node_id"], aligned["role"], strict=True))
    pid = dict(zip(aligned["node_id"], aligned["person_id"], strict=True))
    people = look[look["entity_type"] == "Person"]
    groups = people.groupby("entity_id")["lookalike"].agg(set).to_dict()
    n = 0
    for members in clusters["members"].head(top):
        known = [m for m in members if m in pid]
        if not known or any(role[m] != "none" for m in known):
            continue
        count: dict[str, int] = {}
        for m in known:
            for g in groups.get(pid[m], ()):
                count[g] = count.get(g, 0) + 1
        n += int(max(count.values(), default=0) >= 2)
    return n


def detection_rows(
    tables: Any, aligned: pd.DataFrame, case: Path, k: int, methods: tuple[str, ...], seed: int, label: str
) -> list[dict]:
    """precision@k, ring recall and top-10 look-alikes per method on `tables` (truth `aligned` to them)."""
    from crimnet.graphs.detect import detect, evaluate_detection

    det = detect(tables, methods=methods, seed=seed)
    ev = evaluate_detection(det, aligned, tables=tables, k=k)
    look = pd.read_csv(case / "truth" / "lookalikes.csv", dtype=str, keep_default_na=False)
    rows = []
    for _, r in ev.iterrows():
        method = r["method"]
        row = {
            "table": "detection",
            "tables": label,
            "method": method,
            "k": k,
            "precision_at_k": round(float(r["precision_at_k"]), 3),
            "ring_recall": round(float(r["ring_recall"]), 3),
        }
        if method in methods:
            cl = det.clusters[det.clusters["method"] == method]
            row["top10_lookalikes"] = top_lookalikes(cl, aligned, look)
        rows.append(row)
    return rows


def run(people: int, seed: int, methods: tuple[str, ...], detect_too: bool, root: Path) -> list[dict]:
    """Generate, ingest, measure; return the result rows.

    Detection runs on the ingested tables (the figure this benchmark is for) and, for reference,
    on the case's true tables.
    """
    from crimnet.ingest.pipeline import ingest
    from crimnet.synthetic import generate_case
    from crimnet.synthetic.truth import align_truth, read_truth, read_truth_entities
    from crimnet.tables import CanonicalTables

    case = root / f"realistic_{people}_{seed}"
    t0 = time.perf_counter()
    paths = generate_case(case, people=people, seed=seed, preset="realistic")
    gen_s = time.perf_counter() - t0
    rows = lookalike_counts(case)
    truth = read_truth(case)
    k = int(truth.loc[truth["ring_id"].fillna("") != "", "ring_id"].nunique())
    if detect_too:
        rows += detection_rows(
            CanonicalTables.read(paths.truth_tables), align_truth(truth), case, k, methods, seed, "true tables"
        )
    t0 = time.perf_counter()
    res = ingest(case, root / f"ingest_{people}_{seed}", specs=paths.specs)
    ing_s = time.perf_counter() - t0
    summ = res.summary
    rows.append(
        {
            "table": "ingest",
            "people": people,
            "generate_s": round(gen_s, 1),
            "ingest_s": round(ing_s, 1),
            "rows_read": int(summ["rows_read"].sum()),
            "rows_loaded": int(summ["rows_loaded"].sum()),
            "rows_quarantined": int(summ["rows_quarantined"].sum()),
            "person_nodes": len(res.tables.nodes["Person"]),
        }
    )
    entities = read_truth_entities(case)
    rows.append(holder_share(entities, res.resolution))
    if detect_too:
        aligned = align_truth(truth, resolution=res.resolution, truth_entities=entities)
        rows += detection_rows(res.tables, aligned, case, k, methods, seed, "ingested")
    return rows


def run_levels(people: int, seed: int, methods: tuple[str, ...], root: Path) -> list[dict]:
    """Detection from tables ingested at each match level, beside the true tables, with each level's resolution.

    The same generated case is ingested once per level of :data:`crimnet.ingest.resolve.MATCH_LEVELS`; each
    row gives the level's pairwise person precision and recall (the payment source counted once per account and
    name, as ``bench_resolve --realistic`` does), its Person nodes, and precision@k, ring recall and top-10
    look-alikes per method: how much detection depends on resolution, measured on one case.
    """
    from crimnet.ingest.pipeline import ingest
    from crimnet.ingest.quality import resolution_quality
    from crimnet.ingest.resolve import MATCH_LEVELS
    from crimnet.synthetic import generate_case
    from crimnet.synthetic.truth import align_truth, read_truth, read_truth_entities
    from crimnet.tables import CanonicalTables

    case = root / f"realistic_{people}_{seed}"
    paths = generate_case(case, people=people, seed=seed, preset="realistic")
    truth = read_truth(case)
    entities = read_truth_entities(case)
    k = int(truth.loc[truth["ring_id"].fillna("") != "", "ring_id"].nunique())
    tables = CanonicalTables.read(paths.truth_tables)
    true_rows = detection_rows(tables, align_truth(truth), case, k, methods, seed, "")
    rows = [{**r, "level": "true tables"} for r in true_rows]
    for level in MATCH_LEVELS:
        out = root / f"ingest_{level}"
        res = ingest(case, out, specs=paths.specs, match_level=level)
        records = pd.read_parquet(out / "records.parquet", columns=["source", "record_id", "account_id", "name"])
        once = ~((records["source"] == "bank_transactions") & records.duplicated(["source", "account_id", "name"]))
        keys = set((records["source"] + ":" + records["record_id"])[once])
        scored = res.resolution[(res.resolution["source"] + ":" + res.resolution["record_id"]).isin(keys)]
        q = resolution_quality(scored, entities)
        aligned = align_truth(truth, resolution=res.resolution, truth_entities=entities)
        for r in detection_rows(res.tables, aligned, case, k, methods, seed, ""):
            rows.append({
                **r, "level": level, "person_nodes": len(res.tables.nodes["Person"]),
                "person_precision": round(q["precision"], 4), "person_recall": round(q["recall"], 4),
            })  # fmt: skip
        print(rows[-1], flush=True)
    return [{c: v for c, v in r.items() if c != "tables"} for r in rows]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--people", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--methods", default="infomap,leiden")
    ap.add_argument("--skip-detect", action="store_true")
    ap.add_argument("--keep", type=Path, default=None, help="Folder to keep the case and ingest output in.")
    ap.add_argument("--levels", action="store_true", help="detection at each match level (realistic_levels.*)")
    a = ap.parse_args(argv)
    methods = tuple(m for m in a.methods.split(",") if m)
    if a.levels:
        with tempfile.TemporaryDirectory() as tmp:
            rows = run_levels(a.people, a.seed, methods, Path(tmp))
        write_results(
            "realistic_levels",
            rows,
            title=f"Detection by match level: realistic preset, {a.people:,} people, seed {a.seed}, ingested",
            notes=(
                "One generated case, ingested once per match level (strict, balanced, inclusive) with its specs; "
                "'true tables' is the generator's own graph (perfect resolution). person_precision and "
                "person_recall: pairwise, the payment source counted once per (account, name). k = number of "
                "rings; top10_lookalikes as in realistic.md. Measurement only; nothing is tuned."
            ),
        )
        return
    if a.keep is not None:
        a.keep.mkdir(parents=True, exist_ok=True)
        rows = run(a.people, a.seed, methods, not a.skip_detect, a.keep)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            rows = run(a.people, a.seed, methods, not a.skip_detect, Path(tmp))
    for r in rows:
        print(r, flush=True)
    write_results(
        "realistic",
        rows,
        title=f"Realistic preset, {a.people:,} people, seed {a.seed}: look-alikes, holders, detection (ingested)",
        notes=(
            "Generated with preset 'realistic' (one ring per 2,500 people, every extract in another dialect), "
            "ingested with the specs written into the case. k = number of rings. A top-10 cluster is a look-alike "
            "when none of its members that map to a true person is a ring member and at least two of them belong "
            "to one structure of truth/lookalikes.csv. holder_single_person_share: organisation or couple holder "
            "sides made one single Person record (target 0). Measurement only; detection untuned."
        ),
    )


if __name__ == "__main__":
    main()
