"""Relationships derived by documented rules from what the sources assert, at build time.

Some relationships are never written down by any source but follow from what the sources do
say. Ingest derives them when it builds the canonical tables
(:func:`crimnet.ingest.build.build_tables`), after entity resolution, and gives each derived
row the rule as its source (``'derived:<rule>'``) and the records behind it as its
``record_ids``, so an investigator sees why it is there and can discount it.

Rules
-----
``WORKS_AT`` from wages (:func:`wage_employment`, source :data:`WAGES_SOURCE`): a person
works at a business when the business's account paid the person's account repeatedly, in
several calendar months. Employment is what makes the shared-workplace indicators fire, and
many extracts (a financial-intelligence payment extract) show it only as wages.
"""

from __future__ import annotations

import pandas as pd

from crimnet.errors import bad_parameter, check_interval, check_type

__all__ = ["WAGES_SOURCE", "WAGE_MIN_PAYMENTS", "WAGE_MIN_MONTHS", "WAGE_MAX_HOLDERS", "wage_employment"]

WAGES_SOURCE = "derived:wages"
"""The source of every ``WORKS_AT`` row derived from wages."""

WAGE_MIN_PAYMENTS = 3
"""Default least number of payments from one business to one person (see :func:`wage_employment`)."""

WAGE_MIN_MONTHS = 3
"""Default least number of distinct calendar months those payments fall in (see :func:`wage_employment`)."""

WAGE_MAX_HOLDERS = 1
"""Default most holders of the receiving account (see :func:`wage_employment`)."""

_PAIR_COLS = ["src", "dst", "source", "record", "first_seen", "last_seen"]


def _pairs(df: pd.DataFrame | None, name: str) -> pd.DataFrame:
    """``src``, ``dst`` of `df` as text, distinct, without missing ends (empty when `df` is None)."""
    if df is None or not len(df):
        return pd.DataFrame({"src": pd.Series(dtype=object), "dst": pd.Series(dtype=object)})
    check_type(df, pd.DataFrame, param=name, func="wage_employment", expected="a DataFrame with src and dst")
    out = df[["src", "dst"]].dropna()
    return out.astype(str).drop_duplicates().reset_index(drop=True)


def wage_employment(
    payments: pd.DataFrame,
    holds: pd.DataFrame,
    owns: pd.DataFrame,
    *,
    lets: pd.DataFrame | None = None,
    manages: pd.DataFrame | None = None,
    min_payments: int = WAGE_MIN_PAYMENTS,
    min_months: int = WAGE_MIN_MONTHS,
    max_holders: int = WAGE_MAX_HOLDERS,
) -> pd.DataFrame:
    """Derive ``WORKS_AT`` (Person -> Business) from recurring wage payments.

    The rule: person P works at business B when B's account paid P's account at least
    `min_payments` times, in at least `min_months` distinct calendar months (UTC), where

    * the paying account is owned (``OWNS``) by exactly one business, B (an account two
      businesses own does not say which of them pays);
    * the receiving account is held (``HOLDS``) by P and by at most `max_holders` people in
      all, and owned by no business (a payment between two business accounts is trade, not
      wages);
    * P does not hold the paying account too (a transfer between one's own accounts, a sole
      trader's drawings);
    * P lets (``LETS``) no address that B manages (``MANAGES``): a letting agent passes the rent
      on to the landlord every month, which looks exactly like a salary.

    Amounts are not required to be regular: the hourly-paid work of the sectors where labour
    exploitation hides (car washes, nail bars, agriculture, construction) is paid by the hour
    or the piece, so its wages vary, and a regularity test would lose exactly those workers.

    Parameters
    ----------
    payments : DataFrame
        One row per payment: ``src``, ``dst`` (Account ids), ``ts`` (UTC timestamp
        ``YYYY-MM-DDTHH:MM:SSZ`` or null: a payment without a time counts as a payment, not
        for a month) and ``record`` (the payment's record key ``'<source>:<record id>'``).
    holds : DataFrame
        ``HOLDS`` pairs: ``src`` (Person id), ``dst`` (Account id).
    owns : DataFrame
        ``OWNS`` pairs: ``src`` (Business id), ``dst`` (Account id).
    lets, manages : DataFrame, optional
        ``LETS`` (Person -> Address) and ``MANAGES`` (Business -> Address) pairs.
    min_payments : int, default 3
        Least number of payments from B to P. Three, so that two payments (an invoice paid in
        two instalments, a deposit and its balance, a refund and a correction) are never
        wages.
    min_months : int, default 3
        Least number of distinct calendar months with a payment from B to P. UK pay comes
        weekly, fortnightly, four-weekly or monthly (the pay frequencies of HMRC's Real Time
        Information), so every pay frequency pays in every calendar month; three months is a
        quarter of work and spans more than one pay period of any frequency, while one-off
        purchases, refunds and instalment payments fall in one or two months.
    max_holders : int, default 1
        Most holders of the receiving account: wages paid into a joint account do not say
        which of its holders earns them, so by default only a sole holder is linked.

    Returns
    -------
    DataFrame
        Pair evidence of ``WORKS_AT``, one row per payment behind a derived pair: ``src``
        (Person id), ``dst`` (Business id), ``source`` (:data:`WAGES_SOURCE`), ``record``
        (the payment's record key), ``first_seen`` and ``last_seen`` (the payment's date
        ``YYYY-MM-DD`` or null); sorted by ``src``, ``dst``, ``record``.
        :func:`crimnet.ingest.build.build_tables` aggregates it with the asserted ``WORKS_AT``
        rows, so a pair both asserted and derived has both sources.

    Raises
    ------
    crimnet.errors.ParameterError
        If a table lacks its columns or a threshold is below 1.

    Notes
    -----
    Time O(p log p + h + o) for p payments, h holdings and o ownerships (joins and one
    group-by); only payments from business accounts to person accounts are kept in memory
    after the first filter.

    Examples
    --------
    >>> pay = pd.DataFrame({"src": ["biz"] * 3, "dst": ["acc"] * 3, "record": ["bank:1", "bank:2", "bank:3"],
    ...                     "ts": ["2024-01-31T09:00:00Z", "2024-02-29T09:00:00Z", "2024-03-28T09:00:00Z"]})
    >>> holds = pd.DataFrame({"src": ["P1"], "dst": ["acc"]})
    >>> owns = pd.DataFrame({"src": ["name:sparkle car wash"], "dst": ["biz"]})
    >>> wage_employment(pay, holds, owns)[["src", "dst", "source", "record"]].values.tolist()[0]
    ['P1', 'name:sparkle car wash', 'derived:wages', 'bank:1']
    >>> len(wage_employment(pay.iloc[:2], holds, owns))
    0
    """
    func = "wage_employment"
    check_type(payments, pd.DataFrame, param="payments", func=func, expected="a DataFrame of payments")
    missing = sorted({"src", "dst", "ts", "record"} - set(payments.columns))
    if missing:
        raise bad_parameter(
            "payments", func, "a DataFrame with columns src, dst, ts and record", list(payments.columns)
        )
    check_interval(min_payments, param="min_payments", func=func, low=1, closed="left", integer=True)
    check_interval(min_months, param="min_months", func=func, low=1, closed="left", integer=True)
    check_interval(max_holders, param="max_holders", func=func, low=1, closed="left", integer=True)
    held = _pairs(holds, "holds")
    owned = _pairs(owns, "owns")
    empty = pd.DataFrame({c: pd.Series(dtype=object) for c in _PAIR_COLS})
    if not len(held) or not len(owned) or not len(payments):
        return empty

    n_owners = owned.groupby("dst")["src"].size()
    payer_biz = owned[owned["dst"].map(n_owners).eq(1).to_numpy()].set_index("dst")["src"]
    n_holders = held.groupby("dst")["src"].size()
    ok_payee = held["dst"].map(n_holders).le(max_holders) & ~held["dst"].isin(owned["dst"])
    payee = held[ok_payee.to_numpy()].rename(columns={"src": "person", "dst": "payee"})

    pay = payments[["src", "dst", "ts", "record"]]
    pay = pay[pay["src"].notna() & pay["dst"].notna()]
    src, dst = pay["src"].astype(str), pay["dst"].astype(str)
    keep = (src != dst) & src.isin(payer_biz.index) & dst.isin(payee["payee"])
    pay = pd.DataFrame(
        {
            "payer": src[keep].to_numpy(),
            "payee": dst[keep].to_numpy(),
            "ts": pay["ts"][keep].astype("str").to_numpy(),
            "record": pay["record"][keep].astype(str).to_numpy(),
        }
    )
    if not len(pay):
        return empty
    pay["business"] = pay["payer"].map(payer_biz).to_numpy()
    pay = pay.merge(payee, on="payee", how="inner")
    # a person moving money out of an account they hold themselves is not paid wages
    own = pd.MultiIndex.from_frame(held[["src", "dst"]])
    pay = pay[~pd.MultiIndex.from_arrays([pay["person"], pay["payer"]]).isin(own)]
    pay["month"] = pay["ts"].str.slice(0, 7)
    stats = pay.groupby(["person", "business"]).agg(n=("record", "size"), months=("month", "nunique"))
    good = stats[(stats["n"] >= min_payments) & (stats["months"] >= min_months)].index
    lm = _pairs(lets, "lets").merge(_pairs(manages, "manages"), on="dst", suffixes=("_p", "_b"))
    if len(lm):
        good = good[~good.isin(pd.MultiIndex.from_arrays([lm["src_p"], lm["src_b"]]))]
    pay = pay[pd.MultiIndex.from_arrays([pay["person"], pay["business"]]).isin(good)]
    day = pay["ts"].str.slice(0, 10)
    out = pd.DataFrame(
        {
            "src": pay["person"].to_numpy(),
            "dst": pay["business"].to_numpy(),
            "source": WAGES_SOURCE,
            "record": pay["record"].to_numpy(),
            "first_seen": day.to_numpy(),
            "last_seen": day.to_numpy(),
        }
    )
    return out.sort_values(["src", "dst", "record"], kind="stable").reset_index(drop=True)
