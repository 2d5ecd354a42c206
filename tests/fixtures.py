"""Hand-built canonical tables shared by the tests: the store fixtures and a planted-ring toy case.

Independent of the generator (crimnet.synthetic), so the store and detection tests run on their own.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crimnet.tables import CanonicalTables


def frames(spec: dict[str, dict[str, list]]) -> CanonicalTables:
    """Build canonical tables from column lists (see :meth:`CanonicalTables.from_partial`)."""
    return CanonicalTables.from_partial(
        {name: pd.DataFrame({c: pd.Series(v, dtype=object) for c, v in cols.items()}) for name, cols in spec.items()}
    )


def tiny() -> CanonicalTables:
    """Two people sharing a phone, one paying the other, at one address; consistent endpoints."""
    return frames(
        {
            "Person": {
                "id": ["p1", "p2", "p3"],
                "name": ["ana pop", "ion popa", "mia lee"],
                "dob": ["1990-01-02", None, "1985-05-01"],
                "sources": [["police_intel"], ["police_intel", "payroll"], ["payroll"]],
                "record_ids": [["police_intel:1"], ["police_intel:2", "payroll:7"], []],
            },
            "Phone": {"id": ["+447700900001"], "sources": [["police_intel"]], "record_ids": [["police_intel:1"]]},
            "Address": {
                "id": ["AB1 2CD|1 high street"],
                "postcode": ["AB1 2CD"],
                "lat": [51.5],
                "lon": [-0.12],
                "sources": [["council_tenancy"]],
                "record_ids": [["council_tenancy:T1"]],
            },
            "Account": {
                "id": ["111111:00000001", "111111:00000002"],
                "kind": ["uk", "uk"],
                "sources": [["bank_customers"], ["bank_customers"]],
                "record_ids": [["bank_customers:C1"], ["bank_customers:C2"]],
            },
            "USES_PHONE": {
                "src": ["p1", "p2"],
                "dst": ["+447700900001", "+447700900001"],
                "sources": [["police_intel"], ["police_intel"]],
                "record_ids": [["police_intel:1"], ["police_intel:2"]],
                "first_seen": ["2025-01-02", None],
            },
            "LIVES_AT": {
                "src": ["p1", "p2", "p3"],
                "dst": ["AB1 2CD|1 high street"] * 3,
                "sources": [["council_tenancy"]] * 3,
                "record_ids": [["council_tenancy:T1"], ["council_tenancy:T2"], ["council_tenancy:T3"]],
            },
            "HOLDS": {
                "src": ["p1", "p2"],
                "dst": ["111111:00000001", "111111:00000002"],
                "sources": [["bank_customers"]] * 2,
                "record_ids": [["bank_customers:C1"], ["bank_customers:C2"]],
            },
            "PAID": {
                "id": ["TX1", "TX2"],
                "src": ["111111:00000001", "111111:00000001"],
                "dst": ["111111:00000002", "111111:00000002"],
                "amount": [12345, 500],
                "currency": ["GBP", "GBP"],
                "ts": ["2025-02-01T10:00:00Z", "2025-02-03T10:00:00Z"],
                "reference": ["RENT", None],
                "sources": [["bank_transactions"]] * 2,
                "record_ids": [["bank_transactions:TX1"], ["bank_transactions:TX2"]],
            },
        }
    )


def moved_payment() -> CanonicalTables:
    """`tiny()` with payment TX1 corrected by its source: paid into a new account (its id kept)."""
    t = dict(tiny().items())
    paid = t["PAID"].copy()
    paid.loc[paid["id"] == "TX1", "dst"] = "111111:00000003"
    t["PAID"] = paid
    return CanonicalTables.from_frames(t)


def assert_moved_payment_replaces_the_old(store) -> None:
    """Writing `moved_payment()` over `tiny()` moves TX1 (one event, new ends) and then settles."""
    store.write(tiny())
    assert store.write(moved_payment())["PAID"] == 1
    rows = store.query("MATCH (a:Account)-[p:PAID]->(b:Account) WHERE p.id = 'TX1' RETURN a.id AS a, b.id AS b")
    assert rows.to_dict("records") == [{"a": "111111:00000001", "b": "111111:00000003"}]
    assert store.write(moved_payment())["PAID"] == 0  # settled: writing it again changes nothing
    assert sorted(store.tables().rels["PAID"]["id"]) == ["TX1", "TX2"]


SURNAMES = [f"fam{i:03d}" for i in range(400)]


def toy_case(*, n_families: int = 150, n_rings: int = 4, seed: int = 0) -> tuple[CanonicalTables, pd.DataFrame]:
    """Return (tables, truth) with `n_rings` labour-exploitation rings hidden in a background of families."""
    rng = np.random.default_rng(seed)
    persons, lives, phones_rel, holds, works, directs, keeps, seen, paid = ([] for _ in range(9))
    truth = []
    addresses, businesses = [], []
    pid = 0

    def person(surname: str, nat: str, role: str, ring: str | None) -> str:
        nonlocal pid
        p = f"P{pid:05d}"
        pid += 1
        persons.append(
            {"id": p, "name": f"given{pid} {surname}", "dob": f"{rng.integers(1960, 2000)}-01-01", "nationality": nat}
        )
        truth.append(
            {"person_id": p, "role": role, "ring_id": ring, "typology": "labour_small_business" if ring else None}
        )
        return p

    # background: big employers and small shops
    for b in range(6):
        businesses.append({"id": f"B{b:03d}", "name": f"big employer {b}", "sector": "warehouse"})
    n_small = 20
    for b in range(n_small):
        businesses.append({"id": f"S{b:03d}", "name": f"shop {b}", "sector": "convenience"})
    ts0 = pd.Timestamp("2025-01-01", tz="UTC")
    for f in range(n_families):
        addr = f"A{f:05d}"
        addresses.append({"id": addr, "line": f"{f} high street", "postcode": f"LS{f % 9} 1AA"})
        surname = SURNAMES[f % len(SURNAMES)]
        for _ in range(int(rng.integers(1, 5))):
            p = person(surname, "GBR" if rng.random() < 0.85 else "POL", "none", None)
            lives.append({"src": p, "dst": addr, "first_seen": "2020-01-01", "last_seen": "2025-03-31"})
            phones_rel.append({"src": p, "dst": f"+441632{pid:06d}"})
            acct = f"10:{pid:08d}"
            holds.append({"src": p, "dst": acct})
            if rng.random() < 0.7:
                biz = f"B{rng.integers(6):03d}" if rng.random() < 0.8 else f"S{rng.integers(n_small):03d}"
                works.append({"src": p, "dst": biz})
                for month in range(3):
                    paid.append(
                        {
                            "src": f"99:{biz}",
                            "dst": acct,
                            "amount": 150000,
                            "ts": (ts0 + pd.Timedelta(days=30 * month)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                        }
                    )
    # rings
    for r in range(n_rings):
        ring = f"R{r}"
        ctrl = person(f"boss{r}", "GBR", "controller", ring)
        recr = person(f"rec{r}", "ROU", "recruiter", ring)
        home_c = f"AC{r}"
        addresses.append({"id": home_c, "line": f"{r} manor road", "postcode": "LS9 9ZZ"})
        lives.append({"src": ctrl, "dst": home_c, "first_seen": "2019-01-01", "last_seen": "2025-03-31"})
        lives.append({"src": recr, "dst": home_c, "first_seen": "2019-01-01", "last_seen": "2025-03-31"})
        hmo = f"AH{r}"
        addresses.append({"id": hmo, "line": f"{r} mill lane", "postcode": "LS1 2AB"})
        biz = f"CW{r}"
        businesses.append({"id": biz, "name": f"sparkle car wash {r}", "sector": "car_wash"})
        directs.append({"src": ctrl, "dst": biz})
        ctrl_acct, recr_phone = f"20:{r:08d}", f"+441632{900000 + r:06d}"
        holds.append({"src": ctrl, "dst": ctrl_acct})
        phones_rel.append({"src": ctrl, "dst": f"+441632{800000 + r:06d}"})
        phones_rel.append({"src": recr, "dst": recr_phone})
        veh = f"RG{r}ABC"
        keeps.append({"src": ctrl, "dst": veh})
        shared_phone = f"+441632{700000 + r:06d}"
        for v in range(int(rng.integers(8, 14))):
            p = person(SURNAMES[-(1 + (r * 20 + v) % 300)], "ROU", "victim", ring)
            lives.append({"src": p, "dst": hmo, "first_seen": "2025-01-10", "last_seen": "2025-03-20"})
            phones_rel.append({"src": p, "dst": shared_phone})
            works.append({"src": p, "dst": biz})
            acct = f"30:{r:02d}{v:06d}"
            holds.append({"src": p, "dst": acct})
            for month in range(3):
                t_in = ts0 + pd.Timedelta(days=30 * month + 5)
                paid.append(
                    {"src": f"98:{biz}", "dst": acct, "amount": 120000, "ts": t_in.strftime("%Y-%m-%dT%H:%M:%SZ")}
                )
                paid.append(
                    {
                        "src": acct,
                        "dst": ctrl_acct,
                        "amount": 100000,
                        "ts": (t_in + pd.Timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    }
                )
        for k in range(12):
            seen.append(
                {
                    "src": veh,
                    "dst": hmo if k % 2 else home_c,
                    "ts": (ts0 + pd.Timedelta(days=k)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                }
            )
    accounts = sorted({h["dst"] for h in holds} | {p["src"] for p in paid} | {p["dst"] for p in paid})
    tables = CanonicalTables.from_partial(
        {
            "Person": pd.DataFrame(persons),
            "Address": pd.DataFrame(addresses),
            "Phone": pd.DataFrame({"id": sorted({p["dst"] for p in phones_rel})}),
            "Account": pd.DataFrame({"id": accounts}),
            "Business": pd.DataFrame(businesses),
            "Vehicle": pd.DataFrame({"id": sorted({k["dst"] for k in keeps})}),
            "LIVES_AT": pd.DataFrame(lives).drop_duplicates(["src", "dst"]),
            "USES_PHONE": pd.DataFrame(phones_rel).drop_duplicates(["src", "dst"]),
            "HOLDS": pd.DataFrame(holds).drop_duplicates(["src", "dst"]),
            "WORKS_AT": pd.DataFrame(works).drop_duplicates(["src", "dst"]),
            "DIRECTS": pd.DataFrame(directs),
            "KEEPS": pd.DataFrame(keeps),
            "SEEN_AT": pd.DataFrame(seen).assign(id=lambda d: [f"S{i}" for i in range(len(d))]),
            "PAID": pd.DataFrame(paid).assign(id=lambda d: [f"T{i}" for i in range(len(d))], currency="GBP"),
        }
    )
    t = pd.DataFrame(truth)
    t["node_id"] = t["person_id"]
    return tables, t


VICTIMS = ["v1", "v2", "v3"]


def sweep_tables():
    """A boss whose account receives, two days after payday, most of three workers' wages.

    The workers share one house and one phone and work at one shop; a neighbour
    lives alone at another address.
    """
    months = ("01", "02", "03")
    wages = [("shop_acc", f"a_{v}", 100_000, f"2024-{m}-25T09:00:00Z", "WAGES") for m in months for v in VICTIMS]
    sweeps = [(f"a_{v}", "a_boss", 85_000, f"2024-{m}-27T10:00:00Z", "") for m in months for v in VICTIMS]
    rent = [("a_nb", "a_land", 50_000, f"2024-{m}-26T10:00:00Z", "RENT") for m in months]
    pay_in = [("x_ext", "a_nb", 60_000, f"2024-{m}-25T08:00:00Z", "SALARY") for m in months]
    rows = wages + sweeps + rent + pay_in
    paid = pd.DataFrame(rows, columns=["src", "dst", "amount", "ts", "reference"])
    paid.insert(0, "id", [f"p{i}" for i in range(len(paid))])
    people = pd.DataFrame(
        {
            "id": ["boss", *VICTIMS, "nb"],
            "name": ["al boss", "ana kowalska", "ion popescu", "eva horvat", "sam neighbour"],
            "dob": ["1970-01-01", "1998-01-01", "1999-01-01", "2000-01-01", "1990-01-01"],
        }
    )
    return CanonicalTables.from_partial(
        {
            "Person": people,
            "Address": pd.DataFrame(
                {"id": ["h1", "h2"], "line": ["1 mill lane", "2 mill lane"], "postcode": ["AB1 2CD"] * 2}
            ),
            "Business": pd.DataFrame({"id": ["shop"], "name": ["quick wash ltd"]}),
            "Account": pd.DataFrame({"id": sorted({*paid["src"], *paid["dst"]})}),
            "Phone": pd.DataFrame({"id": ["+447700900001", "+447700900009"]}),
            "HOLDS": pd.DataFrame({"src": ["boss", *VICTIMS, "nb"], "dst": ["a_boss", "a_v1", "a_v2", "a_v3", "a_nb"]}),
            "LIVES_AT": pd.DataFrame({"src": [*VICTIMS, "nb"], "dst": ["h1", "h1", "h1", "h2"]}),
            "USES_PHONE": pd.DataFrame({"src": [*VICTIMS, "nb"], "dst": ["+447700900001"] * 3 + ["+447700900009"]}),
            "WORKS_AT": pd.DataFrame({"src": VICTIMS, "dst": ["shop"] * 3}),
            "PAID": paid,
        }
    )
