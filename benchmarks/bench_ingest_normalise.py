"""Benchmark the normalisers and pseudonymisation: rows per second at 100k and 1M rows.

Each column has 20% distinct values (1M rows -> 200k distinct), the contract's
sizing case: normalisers work once per distinct value, so cost follows the
distinct count. Values are synthetic, in the messy forms of docs/sources.md.

Run: ``.venv/bin/python -m benchmarks.bench_ingest_normalise [--sizes 100000 1000000]``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from benchmarks.common import write_results

_STREETS = np.array(["High", "Church", "Station", "Mill", "Park", "Victoria", "Oak", "Elm", "Rose", "Bridge"])
_TYPES = np.array(["St", "Street", "Rd", "Road", "Ave", "Lane", "Gr", "Cl", "Dr", "Terrace"])
_FIRST = np.array(["John", "Mohammed", "Anna", "Ionut", "Piotr", "Fatima", "Oleksandr", "Zoë", "Seán", "Minh"])
_LAST = np.array(["Smith", "Popescu", "Nowak", "Nguyen", "O'Brien", "Müller", "Khan", "Kowalski", "Hoxha", "Ivanov"])


def _distinct(kind: str, k: int, rng: np.random.Generator) -> np.ndarray:
    i = np.arange(k)
    s = lambda a: np.asarray(a).astype(str)  # noqa: E731
    if kind == "phone":
        nums = rng.integers(0, 10**9, k)
        form = i % 4
        d = np.char.zfill(s(nums), 9)
        out = np.where(form == 0, np.char.add("07", d), np.char.add("+44 7", d))
        out = np.where(form == 2, np.char.add("447", d), out)
        return np.where(form == 3, np.char.add("(01632) ", np.char.zfill(s(nums % 10**6), 6)), out)
    if kind == "postcode":
        letters = np.array(list("ABDEFGHJLNPQRSTUWXYZ"))
        out = np.char.add(np.char.add("nb", s(i % 20 + 1)), np.char.add(" ", s(i % 10)))
        return np.char.add(out, np.char.add(letters[i % 20], letters[(i // 20) % 20]))
    if kind == "address":
        line = np.char.add(np.char.add(s(i // 100 + 1), " "), _STREETS[i % 10])
        line = np.char.add(np.char.add(line, " "), _TYPES[(i // 10) % 10])
        return np.where(i % 3 == 0, np.char.add(np.char.add("Flat ", s(i % 7 + 1)), np.char.add(", ", line)), line)
    if kind == "name":
        first = np.char.add(_FIRST[i % 10], s(i // 100))
        return np.where(i % 2 == 0, np.char.add(np.char.add(np.char.upper(_LAST[(i // 10) % 10]), ", "), first),
                        np.char.add(np.char.add(first, " "), _LAST[(i // 10) % 10]))  # fmt: skip
    if kind == "date":
        days = np.datetime64("1940-01-01") + rng.integers(0, 30000, k)
        return pd.DatetimeIndex(days).strftime("%d/%m/%Y").to_numpy()
    if kind == "timestamp":
        secs = np.datetime64("2025-01-01T00:00:00") + rng.integers(0, 365 * 86400, k).astype("timedelta64[s]")
        return pd.DatetimeIndex(secs).strftime("%d/%m/%Y %H:%M:%S").to_numpy()
    if kind == "money":
        pence = rng.integers(1, 10**7, k)
        plain = np.char.add(np.char.add(s(pence // 100), "."), np.char.zfill(s(pence % 100), 2))
        return np.where(i % 3 == 0, np.char.add("£", plain), plain)
    if kind == "sort_code":
        parts = [np.char.zfill(s(rng.integers(0, 100, k)), 2) for _ in range(3)]
        dashed = np.char.add(np.char.add(np.char.add(parts[0], "-"), np.char.add(parts[1], "-")), parts[2])
        return np.where(i % 2 == 0, np.char.replace(dashed, "-", ""), dashed)
    if kind == "account_number":
        return s(rng.integers(10**5, 10**8, k))
    if kind == "iban":
        return np.array(
            [
                _gb_iban(int(x), int(y))
                for x, y in zip(rng.integers(0, 10**6, k), rng.integers(0, 10**8, k), strict=True)
            ]
        )
    if kind == "nationality":
        return np.array(["ROMANIA", "Romanian", "British", "UNITED KINGDOM", "Polish", "VIETNAM", "ERI", "ro"])[i % 8]
    raise ValueError(kind)


def _gb_iban(sort: int, acct: int) -> str:
    body = f"CRMB{sort:06d}{acct:08d}"
    check = 98 - int("".join(str(int(c, 36)) for c in body + "GB00")) % 97
    return f"GB{check:02d}{body}"


OPTIONS = {
    "date": {"format": "%d/%m/%Y"},
    "timestamp": {"format": "%d/%m/%Y %H:%M:%S", "tz": "Europe/London"},
}
KINDS = ("phone", "postcode", "address", "name", "date", "timestamp", "money", "sort_code", "account_number",
         "iban", "nationality")  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    from crimnet.ingest.normalise import name_variant_key, normalise
    from crimnet.ingest.pseudonymise import pseudonymise

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--distinct", type=float, default=0.2, help="distinct values per row")
    args = ap.parse_args(argv)
    rows = []
    for n in args.sizes:
        k = max(1, int(n * args.distinct))
        rng = np.random.default_rng(7)
        for kind in (*KINDS, "name_variant_key", "pseudonymise"):
            base = _distinct(
                "name" if kind == "name_variant_key" else "phone" if kind == "pseudonymise" else kind, k, rng
            )
            values = pd.Series(base[rng.integers(0, k, n)], dtype=object)
            distinct = values.nunique()
            t0 = time.perf_counter()
            if kind == "name_variant_key":
                out = name_variant_key(values)
                valid = float(out.notna().mean())
            elif kind == "pseudonymise":
                phones = normalise("phone", values)["value"]
                t0 = time.perf_counter()
                out = pseudonymise(phones, key=bytes(range(32)), domain="phone")
                valid = float(out.notna().mean())
            else:
                out = normalise(kind, values, **OPTIONS.get(kind, {}))
                valid = float(out["value"].notna().mean())
            dt = time.perf_counter() - t0
            rows.append(
                {
                    "kind": kind,
                    "rows": n,
                    "distinct": distinct,
                    "seconds": round(dt, 3),
                    "rows_per_s": int(n / dt),
                    "distinct_per_s": int(distinct / dt),
                    "valid_share": round(valid, 4),
                }
            )
            print(rows[-1], flush=True)
    write_results(
        "ingest_normalise",
        rows,
        title="Normalisers and pseudonymisation: throughput",
        notes="One process, one core. Each normaliser works once per distinct value and maps back by "
        "factorisation codes, so time grows with the distinct count. `valid_share` is the share of rows "
        "with a normalised value (the inputs are valid by construction, so it should be 1).",
    )


if __name__ == "__main__":
    main()
