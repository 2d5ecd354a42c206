"""Benchmark person entity resolution against generated truth.

For the easy, medium and hard presets at 5,000 and 20,000 people (and timing alone at 100,000),
generate a case, read its person-bearing raw files, normalise them, run
:func:`crimnet.ingest.resolve.resolve_people` and score pairwise precision and recall against
``truth/entities.csv``. Writes ``benchmarks/results/resolve.{json,md}``.

Run: ``.venv/bin/python -m benchmarks.bench_resolve [--quick]``.

The record building here (:func:`case_records`) is a test and benchmark helper only; production
ingest builds person records in the pipeline.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import pandas as pd

__all__ = ["case_records", "truth_labels", "pairwise_quality", "run_case"]

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


def main() -> None:
    from benchmarks.common import write_results

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="5k only, no 100k timing")
    args = ap.parse_args()
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
