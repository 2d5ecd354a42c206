"""Money patterns in the payment graph: wages paid in and swept out within days.

Labour exploitation leaves one signature in bank data more than any other:
wages arrive in a worker's account and most of the money leaves again within
days, to one account the worker does not hold (FATF/APG, *Financial Flows
from Human Trafficking*, 2018). This module finds it once for every part that
needs it (risk indicators, role inference).
"""

from __future__ import annotations

import pandas as pd

from crimnet.errors import check_interval, check_type
from crimnet.frames import isin
from crimnet.tables import CanonicalTables

__all__ = ["WAGE_REFERENCE", "ROUTINE_REFERENCE", "swept_accounts"]

WAGE_REFERENCE = r"SALARY|WAGE|PAYROLL"
"""Payment references of wages: an employer paying staff is not evidence of control."""
ROUTINE_REFERENCE = r"SALARY|WAGE|PAYROLL|RENT|BILLS|SAVINGS"
"""Payment references of routine outgoings (wages paid, rent, bills, savings): never counted as sweeps."""


def swept_accounts(tables: CanonicalTables, *, sweep_days: float = 7.0, sweep_share: float = 0.5) -> pd.DataFrame:
    """Accounts passing at least `sweep_share` of their income to one account within `sweep_days` of income.

    The money rule behind the ``wage_sweep`` risk indicator
    (:mod:`crimnet.graphs.detect.risk`) and the controller and victim evidence of
    :mod:`crimnet.graphs.detect.roles`. Routine outgoings (references matching
    :data:`ROUTINE_REFERENCE`: wages paid, rent, bills, savings) are never
    sweeps: an employer paying staff out of its takings, or a tenant paying
    rent soon after payday, is ordinary. (An exploiter who labels sweeps
    "rent" escapes this rule; the other evidence remains.) Every other
    outgoing payment is matched to the latest earlier incoming payment of the
    same account (``merge_asof``); payments within `sweep_days` count, per
    destination; an account with at least two incoming payments is *swept*
    when its top destination got at least `sweep_share` of its total income.

    Parameters
    ----------
    tables : CanonicalTables
        Uses the ``PAID`` table (amount in minor units, ``ts`` UTC ISO 8601, reference).
    sweep_days : float, default 7.0
        Days after an incoming payment within which an outgoing one counts.
    sweep_share : float, default 0.5
        Share of an account's total income its top destination must receive, in (0, 1].

    Returns
    -------
    DataFrame
        ``account``, ``dest`` (str), ``share`` (float64, <= 1) and ``wages_in``
        (bool: the account received wages, by reference).

    Notes
    -----
    One sort and one ``merge_asof`` over the payments: O(m log m) for m payments.
    """
    check_type(tables, CanonicalTables, param="tables", func="swept_accounts", expected="a CanonicalTables")
    check_interval(sweep_days, param="sweep_days", func="swept_accounts", low=0, closed="left")
    check_interval(sweep_share, param="sweep_share", func="swept_accounts", low=0, high=1, closed="right")
    paid = tables.rels["PAID"]
    empty = pd.DataFrame(
        {"account": pd.Series(dtype=object), "dest": pd.Series(dtype=object), "share": [], "wages_in": []}
    )
    if len(paid) == 0:
        return empty
    refs = paid["reference"].fillna("").astype(str)
    p = pd.DataFrame(
        {
            "src": paid["src"].astype(str).to_numpy(),
            "dst": paid["dst"].astype(str).to_numpy(),
            "amount": pd.to_numeric(paid["amount"], errors="coerce").fillna(0).to_numpy(dtype=float),
            "ts": pd.to_datetime(paid["ts"], errors="coerce", utc=True),
            "routine": refs.str.contains(ROUTINE_REFERENCE, case=False).to_numpy(),
            "wage": refs.str.contains(WAGE_REFERENCE, case=False).to_numpy(),
        }
    ).dropna(subset=["ts"])
    income = p.groupby("dst")["amount"].sum()
    n_in = p.groupby("dst").size()
    ins = p[["dst", "ts"]].rename(columns={"dst": "account", "ts": "in_ts"}).sort_values("in_ts")
    out = p.rename(columns={"src": "account", "dst": "dest"})
    out = out[isin(out["account"], income.index) & ~out["routine"]].sort_values("ts")
    if len(out) == 0:
        return empty
    j = pd.merge_asof(out, ins, left_on="ts", right_on="in_ts", by="account", direction="backward")
    lag = (j["ts"] - j["in_ts"]).dt.total_seconds() / 86400.0
    quick = j[lag.notna() & (lag <= sweep_days)]
    per = quick.groupby(["account", "dest"])["amount"].sum().reset_index()
    per = per.sort_values(["account", "amount"], ascending=[True, False], kind="stable").drop_duplicates("account")
    per["share"] = (per["amount"] / per["account"].map(income).to_numpy()).clip(upper=1.0)
    keep = (per["share"] >= sweep_share) & (per["account"].map(n_in).to_numpy() >= 2)
    per["wages_in"] = isin(per["account"], p.loc[p["wage"], "dst"])
    return per.loc[keep, ["account", "dest", "share", "wages_in"]].reset_index(drop=True)
