"""Normalisers for money, currencies and bank account identifiers."""

from __future__ import annotations

import re

import pandas as pd

from crimnet.errors import ParameterError, check_choice, check_interval, check_type
from crimnet.ingest.normalise.base import Result, check_series, map_distinct, map_values, quote

__all__ = [
    "normalise_money",
    "normalise_currency",
    "normalise_sort_code",
    "normalise_account_number",
    "normalise_iban",
    "account_key",
    "iban_to_account_key",
    "CURRENCIES",
    "IBAN_LENGTHS",
    "SORT_CODE_PATTERN",
    "ACCOUNT_NUMBER_PATTERN",
    "IBAN_PATTERN",
]

SORT_CODE_PATTERN = r"^[0-9]{6}$"
ACCOUNT_NUMBER_PATTERN = r"^[0-9]{8}$"
IBAN_PATTERN = r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$"

# ISO 4217 active codes (2024), with their minor-unit exponent where it is not 2.
_ISO4217 = (
    "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP BYN BZD "
    "CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP "
    "GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW "
    "KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN "
    "NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL "
    "SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES "
    "VND VUV WST XAF XAG XAU XBA XBB XBC XBD XCD XCG XDR XOF XPD XPF XPT XSU XTS XUA XXX YER ZAR ZMW ZWG ZWL"
).split()
_EXPONENT_0 = set("BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF".split())
_EXPONENT_3 = set("BHD IQD JOD KWD LYD OMR TND".split())
_EXPONENT_4 = {"CLF", "UYW"}
CURRENCIES: dict[str, int] = {
    c: 0 if c in _EXPONENT_0 else 3 if c in _EXPONENT_3 else 4 if c in _EXPONENT_4 else 2 for c in _ISO4217
}
"""ISO 4217 currency code -> number of decimal places of its minor unit."""

_CURRENCY_ALIASES = {
    "£": "GBP",
    "€": "EUR",
    "$": "USD",
    "US$": "USD",
    "¥": "JPY",
    "UKP": "GBP",
    "STG": "GBP",
    "STERLING": "GBP",
    "POUND": "GBP",
    "POUNDS": "GBP",
    "POUND STERLING": "GBP",
    "GB POUND": "GBP",
    "EURO": "EUR",
    "EUROS": "EUR",
    "US DOLLAR": "USD",
    "US DOLLARS": "USD",
}

# ---------------------------------------------------------------------------------------------- money

_SYMBOL = r"(?:US\$|[£€$¥]|[A-Za-z]{3})"
_MONEY = re.compile(
    rf"^(?P<sign>[-+])?\s*(?P<pre>{_SYMBOL})?\s*(?P<sign2>[-+])?\s*"
    r"(?P<int>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]*)(?:\.(?P<frac>[0-9]+))?"
    rf"\s*(?P<post>{_SYMBOL})?\s*(?P<sign3>-)?$"
)
# Decimal comma: thousands in groups of three separated by dots, spaces (also no-break and narrow no-break
# spaces) or apostrophes, then a comma before the fraction ('1.234,50', '1 234,50 €').
_MONEY_COMMA = re.compile(
    rf"^(?P<sign>[-+])?\s*(?P<pre>{_SYMBOL})?\s*(?P<sign2>[-+])?\s*"
    r"(?P<int>[0-9]{1,3}(?:\.[0-9]{3})+|[0-9]{1,3}(?:[ \u00a0\u202f'][0-9]{3})+|[0-9]*)(?:,(?P<frac>[0-9]+))?"
    rf"\s*(?P<post>{_SYMBOL})?\s*(?P<sign3>-)?$"
)
_INT64_MAX = 2**63 - 1


def _currency_code(token: str) -> str | None:
    t = token.upper()
    return _CURRENCY_ALIASES.get(t) or (t if t in CURRENCIES else None)


def _money_one(text: str, currency: str, exponent: int, decimal: str = ".") -> Result:
    t = text
    neg = False
    if len(t) > 64:
        return None, f"{quote(text)} is not an amount of money"
    if t.startswith("(") and t.endswith(")"):
        neg = True
        t = t[1:-1].strip()
    m = (_MONEY if decimal == "." else _MONEY_COMMA).match(t)
    if m is None or not (m.group("int") or m.group("frac")) or (m.group("int") == "" and m.group("frac") is None):
        return None, f"{quote(text)} is not an amount of money"
    signs = [s for s in (m.group("sign"), m.group("sign2"), m.group("sign3")) if s]
    if len(signs) > 1 or (neg and signs):
        return None, f"{quote(text)} is not an amount of money"
    neg = neg or signs == ["-"]
    for sym in (m.group("pre"), m.group("post")):
        if sym is None:
            continue
        code = _currency_code(sym)
        if code is None:
            return None, f"{quote(text)} is not an amount of money"
        if code != currency:
            return None, f"{quote(text)} is in {code}, not {currency}"
    if m.group("pre") and m.group("post"):
        return None, f"{quote(text)} is not an amount of money"
    whole = int(re.sub(r"[^0-9]", "", m.group("int")) or "0")
    frac = m.group("frac") or ""
    if len(frac) > exponent:
        if frac[exponent:].strip("0"):
            return None, f"{quote(text)} has more than {exponent} decimal places for {currency}"
        frac = frac[:exponent]
    minor = whole * 10**exponent + int(frac.ljust(exponent, "0") or "0")
    if minor > _INT64_MAX:
        return None, f"{quote(text)} is too large an amount"
    return (-minor if neg else minor), None


def normalise_money(values: pd.Series, *, currency: str = "GBP", decimal: str = ".") -> pd.DataFrame:
    """Normalise amounts of money to integer minor units (pence for GBP).

    Parameters
    ----------
    values : pandas.Series
        Amounts in major units as written: ``'1234.56'``, ``'£1,234.56'``,
        ``'1,234'``, ``'-12.00'``, ``'(12.00)'`` (negative), ``'12.00 GBP'``,
        ``'12.00-'``; or numbers.
    currency : str, default 'GBP'
        ISO 4217 code of the amounts; sets the number of decimal places (2
        for GBP, 0 for JPY). An amount carrying another currency's symbol or
        code is an error.
    decimal : {'.', ','}, default '.'
        The decimal mark of the source, declared per source, never guessed
        per value. ``'.'``: ``'1,234.50'`` (commas group thousands). ``','``
        (continental extracts): ``'1.234,50'``, ``'1 234,50 €'``,
        ``'1234,5'`` (dots, spaces or apostrophes group thousands). So
        ``'1,234'`` is 1234 with ``'.'`` and one and 234 thousandths with
        ``','`` (an error for GBP: more than 2 decimal places), and
        ``'1.234'`` is 1234 with ``','``.

    Returns
    -------
    pandas.DataFrame
        Same index; ``value`` (Int64): amount in minor units (``'£1,234.56'``
        -> 123456) or NA; ``error`` (string) for a non-empty value that is not
        an amount, has more decimal places than the currency (unless the extra
        digits are zeros), carries another currency, or exceeds int64; else NA.

    Raises
    ------
    crimnet.errors.ParameterError
        If `values` is not a Series or `currency` is not an ISO 4217 code.

    Notes
    -----
    Exact: the decimal text is converted with integer arithmetic, never
    through binary floating point. Thousands separators must be in groups
    of three (commas with ``decimal='.'``; dots, spaces or apostrophes, one
    kind per amount, with ``decimal=','``). Time O(n) plus O(k) for k
    distinct values.

    Examples
    --------
    >>> import pandas as pd
    >>> out = normalise_money(pd.Series(["1234.56", "£1,234.56", "1,234", "-12.00", "(12.00)", "12.345"]))
    >>> out["value"].tolist()
    [123456, 123456, 123400, -1200, -1200, <NA>]
    >>> out["error"].iloc[5]
    "'12.345' has more than 2 decimal places for GBP"
    >>> amounts = pd.Series(["1.234,50", "1 234,50 €", "1234,5", "1,234"])
    >>> normalise_money(amounts, currency="EUR", decimal=",")["value"].tolist()
    [123450, 123450, 123450, <NA>]
    """
    func = "normalise_money"
    check_series(values, func)
    check_type(currency, str, param="currency", func=func, expected="an ISO 4217 currency code such as 'GBP'")
    check_choice(currency, CURRENCIES, param="currency", func=func)
    check_choice(decimal, (".", ","), param="decimal", func=func)
    exponent = CURRENCIES[currency]
    return map_distinct(lambda t: _money_one(t, currency, exponent, decimal), values, func=func, dtype="Int64")


def _currency_one(text: str) -> Result:
    code = _currency_code(" ".join(text.split()))
    if code is None:
        return None, f"{quote(text)} is not an ISO 4217 currency code"
    return code, None


def normalise_currency(values: pd.Series) -> pd.DataFrame:
    """Normalise currencies to ISO 4217 codes (``'gbp'``, ``'£'`` -> ``'GBP'``).

    Parameters
    ----------
    values : pandas.Series
        Codes in any case, or symbols ``£``, ``€``, ``$`` (US dollar), ``¥``
        (yen), or the words sterling, pound(s), euro(s).

    Returns
    -------
    pandas.DataFrame
        Same index; ``value`` (string): a code in :data:`CURRENCIES` or NA;
        ``error`` (string) for anything else non-empty, else NA.

    Raises
    ------
    crimnet.errors.ParameterError
        If `values` is not a pandas Series.

    Examples
    --------
    >>> import pandas as pd
    >>> normalise_currency(pd.Series(["gbp", "£", "€", "$", "ABC"]))["value"].tolist()
    ['GBP', 'GBP', 'EUR', 'USD', <NA>]
    """
    func = "normalise_currency"
    check_series(values, func)
    return map_distinct(_currency_one, values, func=func)


# ------------------------------------------------------------------------------------- bank accounts

_BANK_JUNK = re.compile(r"[\s\-.]")


def _sort_code_one(text: str) -> Result:
    digits = _BANK_JUNK.sub("", text)
    if len(digits) != 6 or not digits.isascii() or not digits.isdigit():
        if len(text) < 6 and text.isascii() and text.isdigit():
            # Sort codes can start with 0: one stored as a number (a spreadsheet, a numeric Parquet or
            # DataFrame column) loses its leading zeros, which cannot be told apart from a short code.
            return None, f"{quote(text)} is not a sort code (6 digits; stored as a number, it lost its leading zeros?)"
        return None, f"{quote(text)} is not a sort code (6 digits)"
    return digits, None


def normalise_sort_code(values: pd.Series) -> pd.DataFrame:
    """Normalise UK bank sort codes to 6 digits (``'12-34-56'`` -> ``'123456'``).

    Parameters
    ----------
    values : pandas.Series
        Sort codes with or without hyphens, spaces or dots.

    Returns
    -------
    pandas.DataFrame
        Same index; ``value`` (string): 6 ASCII digits or NA; ``error``
        (string): ``"'12-34' is not a sort code (6 digits)"``, else NA. Fewer than 6 plain
        digits add ``'; stored as a number, it lost its leading zeros?'`` to the reason:
        a sort code kept as a number in the source (``40004`` for ``'04-00-04'``) cannot be
        restored, since a short code cannot be told apart from one that lost its zeros. Keep
        sort codes as text in extracts.

    Raises
    ------
    crimnet.errors.ParameterError
        If `values` is not a pandas Series.

    Examples
    --------
    >>> import pandas as pd
    >>> normalise_sort_code(pd.Series(["12-34-56", "12 34 56", "123456", "1234"]))["value"].tolist()
    ['123456', '123456', '123456', <NA>]
    """
    func = "normalise_sort_code"
    check_series(values, func)
    return map_distinct(_sort_code_one, values, func=func)


def _account_one(text: str, min_digits: int) -> Result:
    digits = _BANK_JUNK.sub("", text)
    if not (min_digits <= len(digits) <= 8) or not digits.isascii() or not digits.isdigit():
        return None, f"{quote(text)} is not a bank account number ({min_digits} to 8 digits)"
    return digits.zfill(8), None


def normalise_account_number(values: pd.Series, *, min_digits: int = 6) -> pd.DataFrame:
    """Normalise UK bank account numbers to 8 digits, restoring lost leading zeros.

    Parameters
    ----------
    values : pandas.Series
        Account numbers of 6 to 8 digits (``'1234567'``, or the integer
        1234567 from a spreadsheet), spaces and hyphens allowed.
    min_digits : int, default 6
        Fewest digits accepted, in [1, 8]. UK account numbers have 6 to 8
        digits; set 1 for extracts where a spreadsheet dropped any number of
        leading zeros (``'85440'`` is then ``'00085440'``).

    Returns
    -------
    pandas.DataFrame
        Same index; ``value`` (string): 8 digits, left-padded with zeros
        (``'1234567'`` -> ``'01234567'``), or NA; ``error`` (string) when not
        `min_digits` to 8 digits, else NA.

    Raises
    ------
    crimnet.errors.ParameterError
        If `values` is not a Series or `min_digits` is not an int in [1, 8].

    Examples
    --------
    >>> import pandas as pd
    >>> normalise_account_number(pd.Series(["1234567", "12345678", "12-34-56", "12"]))["value"].tolist()
    ['01234567', '12345678', '00123456', <NA>]
    """
    func = "normalise_account_number"
    check_series(values, func)
    check_interval(min_digits, param="min_digits", func=func, low=1, high=8, closed="both", integer=True)
    return map_distinct(lambda t: _account_one(t, min_digits), values, func=func)


def account_key(sort_code: pd.Series, account: pd.Series, *, min_digits: int = 6) -> pd.Series:
    """Return the account key ``'<sort code>:<account number>'``, the ``Account.id`` of UK accounts.

    Parameters
    ----------
    sort_code, account : pandas.Series
        Aligned sort codes and account numbers, raw or normalised.
    min_digits : int, default 6
        Fewest account-number digits accepted (see :func:`normalise_account_number`).

    Returns
    -------
    pandas.Series
        string dtype, index of `account`; NA where either part is missing or invalid.

    Raises
    ------
    crimnet.errors.ParameterError
        If either is not a Series or their lengths differ.

    Examples
    --------
    >>> import pandas as pd
    >>> account_key(pd.Series(["12-34-56", "1"]), pd.Series(["1234567", "12345678"])).tolist()
    ['123456:01234567', <NA>]
    """
    func = "account_key"
    check_series(sort_code, func)
    check_series(account, func)
    if len(sort_code) != len(account):
        raise ParameterError(
            f"The 'sort_code' parameter of {func} must be a Series as long as 'account' ({len(account)}). "
            f"Got length {len(sort_code)} instead."
        )
    sc = pd.Series(normalise_sort_code(sort_code)["value"].to_numpy(), index=account.index, dtype="string")
    acn = normalise_account_number(account, min_digits=min_digits)["value"].to_numpy()
    ac = pd.Series(acn, index=account.index, dtype="string")
    return sc + ":" + ac


# ----------------------------------------------------------------------------------------------- IBAN

IBAN_LENGTHS: dict[str, int] = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BR": 29,
    "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20, "EG": 29,
    "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28,
    "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20,
    "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19,
    "MR": 27, "MT": 31, "MU": 30, "NL": 18, "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29,
    "RO": 24, "RS": 22, "SA": 24, "SC": 31, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "ST": 25, "SV": 28,
    "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}  # fmt: skip
"""IBAN length per country (SWIFT IBAN registry). Countries not listed need 15-34 characters."""

_IBAN_SHAPE = re.compile(IBAN_PATTERN)
_GB_IBAN = re.compile(r"^GB[0-9]{2}[A-Z]{4}[0-9]{14}$")


def _iban_mod97(iban: str) -> int:
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97


def _iban_one(text: str) -> Result:
    s = "".join(text.split()).replace("-", "").upper()
    if s.startswith("IBAN"):
        s = s[4:]
    if not s.isascii() or not _IBAN_SHAPE.match(s):
        return None, f"{quote(text)} is not an IBAN"
    country = s[:2]
    want = IBAN_LENGTHS.get(country)
    if want is not None and len(s) != want:
        return None, f"{quote(text)} is not an IBAN ({country} IBANs have {want} characters)"
    if country == "GB" and not _GB_IBAN.match(s):
        return None, f"{quote(text)} is not an IBAN (GB IBANs are GBkk BBBB SSSSSS AAAAAAAA)"
    if _iban_mod97(s) != 1:
        return None, f"{quote(text)} is not a valid IBAN (IBAN check digits do not verify)"
    return s, None


def normalise_iban(values: pd.Series) -> pd.DataFrame:
    """Normalise IBANs to the compact upper-case form and verify them (ISO 13616).

    Parameters
    ----------
    values : pandas.Series
        IBANs, with or without spaces (``'GB82 WEST 1234 5698 7654 32'``).

    Returns
    -------
    pandas.DataFrame
        Same index; ``value`` (string): compact IBAN or NA; ``error``
        (string): wrong shape, wrong length for the country (GB: 22), or
        ``"... (IBAN check digits do not verify)"`` when the mod-97 check
        fails; else NA.

    Raises
    ------
    crimnet.errors.ParameterError
        If `values` is not a pandas Series.

    Notes
    -----
    The check moves the first four characters to the end, reads letters as
    10-35 and requires the number to be 1 modulo 97. Time O(n) plus
    O(k * length) for k distinct values.

    References
    ----------
    ISO 13616-1:2020, *Financial services -- International bank account number (IBAN)*.

    Examples
    --------
    >>> import pandas as pd
    >>> out = normalise_iban(pd.Series(["gb82 west 1234 5698 7654 32", "GB00WEST12345698765432"]))
    >>> out["value"].tolist()
    ['GB82WEST12345698765432', <NA>]
    >>> out["error"].iloc[1]
    "'GB00WEST12345698765432' is not a valid IBAN (IBAN check digits do not verify)"
    """
    func = "normalise_iban"
    check_series(values, func)
    return map_distinct(_iban_one, values, func=func)


def iban_to_account_key(values: pd.Series) -> pd.Series:
    """Return the ``Account.id`` of each IBAN: ``'<sort code>:<account>'`` for GB, the IBAN otherwise.

    A GB IBAN ``GBkk BBBB SSSSSS AAAAAAAA`` holds the sort code ``SSSSSS`` and
    the account number ``AAAAAAAA``, so it resolves to the same id as the
    account's sort code and number (:func:`account_key`).

    Parameters
    ----------
    values : pandas.Series
        IBANs, raw or normalised.

    Returns
    -------
    pandas.Series
        string dtype, same index; NA where the IBAN is missing or invalid.

    Raises
    ------
    crimnet.errors.ParameterError
        If `values` is not a pandas Series.

    Examples
    --------
    >>> import pandas as pd
    >>> iban_to_account_key(pd.Series(["GB82 WEST 1234 5698 7654 32", "DE89370400440532013000"])).tolist()
    ['123456:98765432', 'DE89370400440532013000']
    """
    func = "iban_to_account_key"

    def one(text: str) -> str | None:
        iban, _ = _iban_one(text)
        if iban is None:
            return None
        return f"{iban[8:14]}:{iban[14:22]}" if iban.startswith("GB") else iban

    return map_values(one, values, func=func)
