"""Benchmark person entity resolution against generated truth.

For the easy, medium and hard presets at 5,000 and 20,000 people (and timing alone at 100,000),
generate a case, read its person-bearing raw files, normalise them, run
:func:`crimnet.ingest.resolve.resolve_people` and score pairwise precision and recall against
``truth/entities.csv``. Writes ``benchmarks/results/resolve.{json,md}``.

``--realistic`` ingests realistic-preset cases with their specs (3 seeds) and scores the person
records ingest built, before relational matching and at each level (``resolve_realistic.{json,md}``).

``--levels`` measures the match levels instead (``resolve_levels.{json,md}``): medium and hard at
20,000 people with a name-and-account payment source added (:func:`payment_records`), before
relational matching (the attribute model alone) and after it at each match level, with pairwise
precision and recall over all records, recall of the pairs involving a payment record, and the
share of people present in two or more sources whose records from different sources are linked.

Run: ``.venv/bin/python -m benchmarks.bench_resolve [--quick | --levels | --realistic [--people N --seeds K
--config NAME --name RESULTS]]``.

The record building here (:func:`case_records`) is a test and benchmark helper only; production
ingest builds person records in the pipeline.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import pandas as pd

__all__ = [
    "case_records",
    "truth_labels",
    "pairwise_quality",
    "run_case",
    "payment_records",
    "source_linkage",
    "run_levels",
    "run_realistic",
    "write_realistic",
    "REALISTIC_CONFIGS",
]

PERSON_FILES = ("police_intel", "council_tenancy", "bank_customers", "company_register", "payroll", "vehicle_keepers")
COLUMNS = ["source", "record_id", "name", "dob", "postcode", "address_id", "phone", "account_id", "nino",
           "nationality", "sex"]  # fmt: skip


def _norm(kind: str, s: pd.Series, **opts) -> pd.Series:
    from crimnet.ingest.normalise import normalise

    return normalise(kind, s, **opts)["value"]


def _address(post: pd.Series, line: pd.Series) -> tuple[pd.Series, pd.Series]:
    from crimnet.ingest.normalise import address_key

    pc = _norm("postcode", post)
    ln = _norm("address", line)
    return pc, address_key(pc, ln)


def _account(sort: pd.Series, acc: pd.Series, iban: pd.Series | None = None) -> pd.Series:
    from crimnet.ingest.normalise import account_key, iban_to_account_key

    key = account_key(_norm("sort_code", sort), _norm("account_number", acc))
    if iban is not None:
        key = key.fillna(iban_to_account_key(_norm("iban", iban)))
    return key


def case_records(case_dir: str | Path) -> pd.DataFrame:
    """Read the person-bearing raw files of a generated case as normalised person records.

    Returns the ``records`` frame of :func:`crimnet.ingest.resolve.resolve_people` (columns
    :data:`COLUMNS`). Formats follow ``docs/sources.md``.
    """
    d = Path(case_dir)
    frames = []

    def read(stem: str) -> pd.DataFrame | None:
        path = d / f"{stem}.csv"
        if not path.exists():
            return None
        return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])

    if (f := read("police_intel")) is not None:
        pc, addr = _address(f["POSTCODE"], f["ADDRESS"])
        name = f["FORENAMES"].fillna("") + " " + f["SURNAME"].fillna("")
        frames.append(pd.DataFrame({"source": "police_intel", "record_id": f["URN"], "name": _norm("name", name),
                                    "dob": _norm("date", f["DOB"], format="%d/%m/%Y"), "postcode": pc,
                                    "address_id": addr, "phone": _norm("phone", f["PHONE"]),
                                    "nationality": _norm("nationality", f["NATIONALITY"]),
                                    "sex": _norm("sex", f["GENDER"])}))  # fmt: skip
    if (f := read("council_tenancy")) is not None:
        line = f["property_address"].str.split(",").str[0]
        pc, addr = _address(f["post_code"], line)
        frames.append(pd.DataFrame({"source": "council_tenancy", "record_id": f["tenancy_ref"],
                                    "name": _norm("name", f["occupant_name"]),
                                    "dob": _norm("date", f["date_of_birth"], format="%Y-%m-%d"),
                                    "postcode": pc, "address_id": addr}))  # fmt: skip
    if (f := read("bank_customers")) is not None:
        pc, addr = _address(f["home_postcode"], f["home_address"])
        frames.append(pd.DataFrame({"source": "bank_customers", "record_id": f["customer_ref"],
                                    "name": _norm("name", f["full_name"]),
                                    "dob": _norm("date", f["birth_date"], format="%Y%m%d"), "postcode": pc,
                                    "address_id": addr, "phone": _norm("phone", f["mobile"]),
                                    "account_id": _account(f["sort_code"], f["account_number"],
                                                           f["iban"])}))  # fmt: skip
    if (f := read("company_register")) is not None:
        frames.append(pd.DataFrame({"source": "company_register", "record_id": f["officer_id"],
                                    "name": _norm("name", f["officer_name"]),
                                    "dob": _norm("date", f["officer_birth"], format="%m/%Y"),
                                    "nationality": _norm("nationality", f["nationality"])}))  # fmt: skip
    if (f := read("payroll")) is not None:
        frames.append(pd.DataFrame({"source": "payroll", "record_id": f["line_id"],
                                    "name": _norm("name", f["employee_name"]),
                                    "dob": _norm("date", f["employee_dob"], format="%d-%m-%Y"),
                                    "nino": _norm("nino", f["nino"]),
                                    "account_id": _account(f["pay_sort_code"], f["pay_account"])}))  # fmt: skip
    if (f := read("vehicle_keepers")) is not None:
        pc, addr = _address(f["keeper_postcode"], f["keeper_address"])
        frames.append(pd.DataFrame({"source": "vehicle_keepers", "record_id": f["keeper_record"],
                                    "name": _norm("name", f["keeper_name"]),
                                    "dob": _norm("date", f["keeper_dob"], format="%d/%m/%Y"),
                                    "postcode": pc, "address_id": addr}))  # fmt: skip
    out = pd.concat(frames, ignore_index=True).reindex(columns=COLUMNS)
    return out[out["name"].notna()].reset_index(drop=True)


def payment_records(case_dir: str | Path, seed: int = 0) -> tuple[pd.DataFrame, pd.Series]:
    """A name-and-account payment source built from a generated case's payments and true holders.

    The medium and hard presets write payments without holder names; real payment extracts carry
    the holder's name as the bank prints it. For every account that pays or is paid
    (``truth/tables/edges_PAID``) and its true holder (``edges_HOLDS``), one record per
    (account, holder) as a bank would print the name, chosen at random (seeded): ``'SMITH J'``,
    ``'MR J SMITH'`` (or MS), ``'JOHN SMITH'``, ``'J SMITH'`` or ``'MR SMITH'``; normalised as a
    holder name (:func:`crimnet.ingest.normalise.normalise_name`, ``holder=1``). A stand-in for the
    realistic preset's payment source, not part of the generator.

    Returns
    -------
    records, truth
        Person records (source ``'payments'``, only name and account) and their true person ids.
    """
    import numpy as np

    from crimnet.ingest.normalise import normalise

    t = Path(case_dir) / "truth"
    paid = pd.read_parquet(t / "tables" / "edges_PAID.parquet", columns=["src", "dst"])
    holds = pd.read_parquet(t / "tables" / "edges_HOLDS.parquet", columns=["src", "dst"])
    people = pd.read_csv(t / "persons.csv", dtype=str).set_index("person_id")
    accounts = pd.Index(pd.concat([paid["src"], paid["dst"]]).unique())
    h = holds[holds["dst"].isin(accounts)].drop_duplicates(["dst", "src"]).sort_values(["dst", "src"])
    name = h["src"].map(people["name"]).fillna("")
    sex = h["src"].map(people["sex"]).fillna("")
    parts = name.str.split()
    given, family = parts.str[0].fillna(""), parts.str[-1].fillna("")
    init = given.str[:1]
    title = np.where(sex == "F", "MS", "MR")
    forms = np.stack(
        [family + " " + init, title + " " + init + " " + family, given + " " + family, init + " " + family,
         pd.Series(title, index=h.index) + " " + family]
    )  # fmt: skip
    pick = np.random.default_rng(seed).choice(5, size=len(h), p=[0.35, 0.25, 0.2, 0.1, 0.1])
    raw = pd.Series(forms[pick, np.arange(len(h))], index=h.index).str.upper()
    recs = pd.DataFrame(
        {"source": "payments", "record_id": "PAYH:" + h["dst"] + "/" + h["src"].str[-6:],
         "name": normalise("name", raw, holder=1)["value"], "account_id": h["dst"]}
    ).reindex(columns=COLUMNS)  # fmt: skip
    keep = recs["name"].notna().to_numpy()
    return recs[keep].reset_index(drop=True), pd.Series(h["src"].to_numpy()[keep])


def source_linkage(table: pd.DataFrame, records: pd.DataFrame, truth: pd.Series) -> dict[str, float]:
    """Of the true people with records in two or more sources: share with any cross-source link, and all linked.

    ``any``: some two of the person's records from different sources share an entity id (the
    issue's measure); ``all``: every record of the person is in one entity.
    """
    key = records["source"].astype(str) + ":" + records["record_id"].astype(str)
    ent = pd.Series(table["entity_id"].to_numpy(), index=(table["source"] + ":" + table["record_id"]).to_numpy())
    df = pd.DataFrame({"t": truth.to_numpy(), "s": records["source"].to_numpy(), "e": key.map(ent).to_numpy()})
    df = df[df["t"].notna()]
    multi = df.groupby("t")["s"].nunique()
    df = df[df["t"].isin(multi.index[multi >= 2])]
    n_src = df.groupby(["t", "e"])["s"].nunique()
    any_link = (n_src >= 2).groupby(level=0).any()
    all_link = df.groupby("t")["e"].nunique() == 1
    return {"people_multi_source": int(len(all_link)), "linked_any": round(float(any_link.mean()), 4),
            "linked_all": round(float(all_link.mean()), 4)}  # fmt: skip


def truth_labels(case_dir: str | Path, records: pd.DataFrame) -> pd.Series:
    """Return the true person id of each record (aligned to `records`), from ``truth/entities.csv``."""
    ent = pd.read_csv(Path(case_dir) / "truth" / "entities.csv", dtype=str)
    ent = ent[ent["entity_type"] == "Person"].drop_duplicates(["source", "record_id"])
    key = records["source"].astype(str) + ":" + records["record_id"].astype(str)
    lookup = pd.Series(ent["entity_id"].to_numpy(), index=(ent["source"] + ":" + ent["record_id"]).to_numpy())
    return pd.Series(key.map(lookup).to_numpy(), index=records.index)


def pairwise_quality(result, records: pd.DataFrame, truth: pd.Series) -> dict[str, float]:
    """Pairwise precision, recall and F1 of `result` against true person ids (crimnet.ingest.quality).

    Records without a true entity are left out.
    """
    from crimnet.ingest.quality import resolution_quality

    known = truth.notna()
    ent = pd.DataFrame(
        {"source": records["source"][known], "record_id": records["record_id"][known], "entity_id": truth[known]}
    )
    return resolution_quality(result.table, ent)


def run_case(people: int, preset: str, seed: int = 0, **resolve_kw) -> dict:
    """Generate one case, resolve its people and return a result row."""
    import time

    from crimnet.ingest.resolve import resolve_people
    from crimnet.synthetic import generate_case

    with tempfile.TemporaryDirectory() as tmp:
        generate_case(tmp, people=people, seed=seed, preset=preset)
        records = case_records(tmp)
        truth = truth_labels(tmp, records)
    start = time.perf_counter()
    res = resolve_people(records, seed=seed, **resolve_kw)
    seconds = time.perf_counter() - start
    q = pairwise_quality(res, records, truth)
    return {
        "preset": preset,
        "people": people,
        "records": len(records),
        "precision": round(q["precision"], 4),
        "recall": round(q["recall"], 4),
        "f1": round(q["f1"], 4),
        "true_entities": int(truth.nunique()),
        "entities": int(res.entity_ids.nunique()),
        "seconds": round(seconds, 2),
        "records_per_s": round(len(records) / seconds),
        "training": res.params.get("training"),
        **({"em_error": res.params["em_error"][:200]} if "em_error" in res.params else {}),
    }


def run_levels(people: int, preset: str, seed: int = 0) -> list[dict]:
    """Resolve one generated case (with :func:`payment_records`) before relational matching and at each level."""
    import time

    from crimnet.ingest.resolve import MATCH_LEVELS, resolve_people
    from crimnet.synthetic import generate_case

    with tempfile.TemporaryDirectory() as tmp:
        generate_case(tmp, people=people, seed=seed, preset=preset)
        base = case_records(tmp)
        pay, pay_truth = payment_records(tmp, seed)
        records = pd.concat([base, pay], ignore_index=True)
        truth = pd.concat([truth_labels(tmp, base), pay_truth], ignore_index=True)
    is_pay = (records["source"] == "payments").to_numpy()
    rows = []
    configs = [
        ("before: p>=0.9, no relational", {"threshold": 0.9, "relational": False}),
        ("attribute model only at balanced", {"relational": False}),
    ] + [(lv, {"match_level": lv}) for lv in MATCH_LEVELS]
    for label, kw in configs:
        start = time.perf_counter()
        res = resolve_people(records, seed=seed, **kw)
        seconds = time.perf_counter() - start
        q = pairwise_quality(res, records, truth)
        # the records of the people who hold a paying or paid account (records in both tables only)
        holders = truth.isin(set(truth[is_pay].dropna())).to_numpy()
        sub = pairwise_quality(res, records, truth.where(holders))
        rows.append({
            "preset": preset, "people": people, "records": len(records), "payment_records": int(is_pay.sum()),
            "level": label, "precision": round(q["precision"], 4), "recall": round(q["recall"], 4),
            "recall_payment_holders": round(sub["recall"], 4), **source_linkage(res.table, records, truth),
            "relational_links": res.params.get("n_relational_links", 0),
            "rounds": res.params.get("relational_rounds", 0),
            "seconds": round(seconds, 1),
        })  # fmt: skip
        print(rows[-1], flush=True)
    return rows


REALISTIC_CONFIGS = {
    "before: p>=0.9, no relational": {"threshold": 0.9, "relational": False},
    "attribute model only at balanced": {"relational": False},
    "strict": {"match_level": "strict"},
    "balanced": {"match_level": "balanced"},
    "inclusive": {"match_level": "inclusive"},
}
"""Configurations of :func:`run_realistic`: the resolver before issue 13 (the model at p >= 0.9, no relational
pass), the attribute model alone at the balanced threshold, and each match level."""


def run_realistic(people: int, seed: int = 0, configs: list[str] | None = None) -> list[dict]:
    """Ingest a ``realistic`` case with its specs and resolve its person records in each configuration.

    `configs` names entries of :data:`REALISTIC_CONFIGS` (default: all but the pre-issue-13 resolver). Rows
    carry wall seconds, CPU seconds of the process (DuckDB's threads included), microseconds per record and the
    process's peak resident memory so far (generation and ingest included).
    """
    import resource
    import time

    from crimnet.ingest.pipeline import ingest
    from crimnet.ingest.resolve import MATCH_LEVELS, resolve_people
    from crimnet.ingest.resolve_addresses import AddressVariants
    from crimnet.ingest.resolve_businesses import BusinessNames
    from crimnet.synthetic import generate_case

    with tempfile.TemporaryDirectory() as tmp:
        paths = generate_case(Path(tmp) / "case", people=people, seed=seed, preset="realistic")
        result = ingest(Path(tmp) / "case", Path(tmp) / "out", specs=paths.specs)
        records = pd.read_parquet(Path(tmp) / "out" / "records.parquet")
        # as ingest resolves them: one place written several ways, and a payer's name read as its company
        records = AddressVariants(result.address_variants).records(records)
        records = BusinessNames(result.business_names).records(records)
        truth = truth_labels(Path(tmp) / "case", records)  # the truth names ingest's record ids
    # the payment source counted once per (account, name): its other records are left out of the scores
    pay = (records["source"] == "bank_transactions").to_numpy()
    dup = pay & records.duplicated(["source", "account_id", "name"]).to_numpy()
    scored = truth.where(~dup)
    rows = []
    for label in configs or ["attribute model only at balanced", *MATCH_LEVELS]:
        start, cpu = time.perf_counter(), time.process_time()
        res = resolve_people(records, seed=seed, **REALISTIC_CONFIGS[label])
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        q = pairwise_quality(res, records, scored)
        rows.append({
            "preset": "realistic", "people": people, "seed": seed, "records": len(records),
            "scored_records": int(scored.notna().sum()),
            "level": label, "precision": round(q["precision"], 4), "recall": round(q["recall"], 4),
            **source_linkage(res.table, records[~dup], truth[~dup]),
            "relational_links": res.params.get("n_relational_links", 0), "seconds": round(seconds, 1),
            "cpu_seconds": round(cpu, 1), "us_per_record": round(1e6 * seconds / len(records), 1),
            "process_peak_gib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 1),
        })  # fmt: skip
        print(rows[-1], flush=True)
    return rows


def write_realistic(name: str, rows: list[dict]) -> None:
    """Write the rows of :func:`run_realistic` as ``results/<name>.{json,md}`` with their notes."""
    from benchmarks.common import write_results

    notes = (
        "Realistic preset (every extract in another dialect, look-alikes, holders of couples and businesses, "
        "name-only landlords and payees), generated, then ingested with the specs written into the case; the "
        "person records ingest built (records.parquet, read through the address variants and business names "
        "as ingest reads them) resolved in each configuration (REALISTIC_CONFIGS: 'before' is the resolver "
        "before issue 13, the model at p >= 0.9 without the relational pass). The payment source "
        "is counted once per (account, name). Pairwise precision and recall against "
        "truth/entities.csv; linked_any / linked_all as in resolve_levels. seconds (wall) and cpu_seconds (the "
        "process, DuckDB's threads included) cover resolve_people only; us_per_record is wall microseconds per "
        "record."
    )
    write_results(name, rows, title="Person resolution on ingested realistic extracts", notes=notes)


def main() -> None:
    from benchmarks.common import write_results

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="5k only, no 100k timing")
    ap.add_argument("--levels", action="store_true", help="match levels on medium and hard, 20k, with payments")
    ap.add_argument("--people", type=int, default=20_000, help="people per case with --levels or --realistic")
    ap.add_argument("--realistic", action="store_true", help="ingested realistic cases (seeds 0, 1, 2), each level")
    ap.add_argument("--seeds", type=int, default=3, help="seeds with --realistic")
    ap.add_argument("--config", action="append", choices=list(REALISTIC_CONFIGS), help="with --realistic (repeatable)")
    ap.add_argument("--name", default="resolve_realistic", help="results name with --realistic")
    args = ap.parse_args()
    if args.realistic:
        rows = []
        for seed in range(args.seeds):  # results rewritten after each seed: a long run keeps what it measured
            rows += run_realistic(args.people, seed, args.config)
            write_realistic(args.name, rows)
        return
    if args.levels:
        rows = [r for preset in ("medium", "hard") for r in run_levels(args.people, preset)]
        notes = (
            "Before (the attribute model alone, deterministic rules, Splink, chain guard, at the earlier default "
            "p >= 0.9 and at the balanced level's threshold) and after collective relational matching at each "
            "match level (crimnet.ingest.resolve.MATCH_LEVELS), seed 0. Records: the "
            "person-bearing raw files (case_records) plus a name-and-account payment source built from the case's "
            "payments and true holders (payment_records), one record per (account, holder). recall_payment_holders: "
            "pairwise recall over the records of people who hold a paying or paid account. linked_any / linked_all: "
            "of the people with records in two or more sources, the share with some cross-source link / with every "
            "record in one entity. Seconds cover resolve_people only."
        )
        write_results(
            "resolve_levels", rows, title="Person resolution: match levels and relational matching", notes=notes
        )
        return
    rows = []
    sizes = (5000,) if args.quick else (5000, 20000)
    for people in sizes:
        for preset in ("easy", "medium", "hard"):
            row = run_case(people, preset)
            print(row, flush=True)
            rows.append(row)
    if not args.quick:
        row = run_case(100_000, "medium")
        print(row, flush=True)
        rows.append(row)
    from crimnet.ingest.resolve import DEFAULT_THRESHOLD

    notes = (
        f"Pairwise precision/recall of person resolution against truth/entities.csv (Person), default threshold "
        f"p >= {DEFAULT_THRESHOLD}, seed 0. Records are built from the raw files by benchmarks.bench_resolve."
        "case_records (normalised with crimnet.ingest.normalise). Seconds cover resolve_people only "
        "(features, deterministic rules, Splink training and prediction on DuckDB, clustering, guard)."
    )
    write_results("resolve", rows, title="Person entity resolution", notes=notes)


if __name__ == "__main__":
    main()
