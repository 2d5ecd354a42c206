"""Normalisers for official identifiers and codes: registrations, NINOs, company numbers, sex, nationality."""

from __future__ import annotations

import re

import pandas as pd

from crimnet.errors import check_type
from crimnet.ingest.normalise.base import Result, ascii_fold, check_series, map_distinct, quote
from crimnet.ingest.normalise.countries import COUNTRIES

__all__ = [
    "normalise_registration",
    "normalise_nino",
    "normalise_company_number",
    "normalise_sex",
    "normalise_nationality",
    "REGISTRATION_PATTERN",
    "NINO_PATTERN",
    "COMPANY_NUMBER_PATTERN",
    "NATIONALITY_PATTERN",
]

REGISTRATION_PATTERN = r"^[A-Z0-9]{2,8}$"
NINO_PATTERN = r"^(?!BG|GB|NK|KN|TN|NT|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z][0-9]{6}[A-D]$"
COMPANY_NUMBER_PATTERN = r"^([0-9]{8}|[A-Z]{2}[0-9]{6})$"
NATIONALITY_PATTERN = r"^[A-Z]{3}$"

_ID_JUNK = re.compile(r"[\s\-.]")


def _registration_one(text: str) -> Result:
    s = _ID_JUNK.sub("", text).upper()
    if not (2 <= len(s) <= 8) or not s.isascii() or not s.isalnum():
        return None, f"{quote(text)} is not a vehicle registration (2 to 8 letters and digits)"
    return s, None


def normalise_registration(values: pd.Series) -> pd.DataFrame:
    """Normalise vehicle registration marks: upper case, no spaces or hyphens.

    Parameters
    ----------
    values : pandas.Series
        Registrations in any case and spacing (``'ab12 cde'``, ``'AB12-CDE'``).

    Returns
    -------
    pandas.DataFrame
        Same index; ``value`` (string): 2 to 8 ASCII letters and digits or NA;
        ``error`` (string) otherwise for non-empty input, else NA.

    Raises
    ------
    crimnet.errors.ParameterError
        If `values` is not a pandas Series.

    Notes
    -----
    The check is loose on purpose (any 2-8 alphanumerics): current, prefix,
    suffix, dateless, Northern Irish and foreign plates all pass.

    Examples
    --------
    >>> import pandas as pd
    >>> normalise_registration(pd.Series(["ab12 cde", "AB12-CDE", "A"]))["value"].tolist()
    ['AB12CDE', 'AB12CDE', <NA>]
    """
    func = "normalise_registration"
    check_series(values, func)
    return map_distinct(_registration_one, values, func=func)


_NINO = re.compile(NINO_PATTERN)
_NINO_SHAPE = re.compile(r"^[A-Z]{2}[0-9]{6}[A-D]$")


def _nino_one(text: str, strict: bool) -> Result:
    s = _ID_JUNK.sub("", text).upper()
    if not (_NINO if strict else _NINO_SHAPE).match(s):
        return None, f"{quote(text)} is not a National Insurance number"
    return s, None


def normalise_nino(values: pd.Series, *, strict: bool = True) -> pd.DataFrame:
    """Normalise UK National Insurance numbers (``'AB 12 34 56 C'`` -> ``'AB123456C'``).

    Parameters
    ----------
    values : pandas.Series
        NINOs with or without spaces, any case.
    strict : bool, default True
        Apply HMRC's prefix rules (below). With False, check the shape only:
        two letters, six digits, a suffix A-D.

    Returns
    -------
    pandas.DataFrame
        Same index; ``value`` (string) matching :data:`NINO_PATTERN` (shape
        only when not `strict`) or NA;
        ``error`` (string) for a non-empty invalid value, else NA.

    Raises
    ------
    crimnet.errors.ParameterError
        If `values` is not a pandas Series or an option is invalid.

    Notes
    -----
    HMRC rules: two prefix letters, six digits, a suffix A-D. Neither prefix
    letter may be D, F, I, Q, U or V; the second may not be O; the prefixes
    BG, GB, NK, KN, TN, NT and ZZ are not allocated.

    References
    ----------
    HMRC, *National Insurance Manual*, NIM39110.

    Examples
    --------
    >>> import pandas as pd
    >>> normalise_nino(pd.Series(["ab 12 34 56 c", "GB123456A", "AB123456E"]))["value"].tolist()
    ['AB123456C', <NA>, <NA>]
    """
    func = "normalise_nino"
    check_series(values, func)
    check_type(strict, bool, param="strict", func=func, expected="a bool")
    return map_distinct(lambda t: _nino_one(t, strict), values, func=func)


_COMPANY = re.compile(r"^([0-9]{1,8}|[A-Z]{2}[0-9]{1,6})$")


def _company_one(text: str) -> Result:
    s = _ID_JUNK.sub("", text).upper()
    if not s.isascii() or not _COMPANY.match(s):
        return None, f"{quote(text)} is not a company number"
    if s[0].isdigit():
        return s.zfill(8), None
    return s[:2] + s[2:].zfill(6), None


def normalise_company_number(values: pd.Series) -> pd.DataFrame:
    """Normalise Companies House numbers to 8 characters.

    Parameters
    ----------
    values : pandas.Series
        Company numbers: digits (leading zeros may be lost: ``'9876543'``) or
        a two-letter prefix and digits (``'SC123456'``, ``'OC 301234'``).

    Returns
    -------
    pandas.DataFrame
        Same index; ``value`` (string): 8 digits, or 2 letters and 6 digits,
        zero-padded (``'9876543'`` -> ``'09876543'``); ``error`` (string) for
        other non-empty values, else NA.

    Raises
    ------
    crimnet.errors.ParameterError
        If `values` is not a pandas Series.

    Examples
    --------
    >>> import pandas as pd
    >>> normalise_company_number(pd.Series(["9876543", "sc123456", "SC12345X"]))["value"].tolist()
    ['09876543', 'SC123456', <NA>]
    """
    func = "normalise_company_number"
    check_series(values, func)
    return map_distinct(_company_one, values, func=func)


_SEX = {
    "m": "M",
    "male": "M",
    "man": "M",
    "boy": "M",
    "f": "F",
    "female": "F",
    "woman": "F",
    "girl": "F",
}
_SEX_UNKNOWN = {"u", "unknown", "not known", "not stated", "unspecified", "x", "n k", "nk", "prefer not to say"}


def _sex_one(text: str) -> Result:
    t = " ".join(ascii_fold(text).lower().replace("/", " ").split())
    if t in _SEX:
        return _SEX[t], None
    if t in _SEX_UNKNOWN:
        return None, None
    return None, f"{quote(text)} is not a sex (expected M, F or U)"


def normalise_sex(values: pd.Series) -> pd.DataFrame:
    """Normalise recorded sex to ``'M'``, ``'F'`` or NA.

    Parameters
    ----------
    values : pandas.Series
        ``'M'``, ``'Male'``, ``'f'``, ``'female'``, ... ; ``'U'``,
        ``'unknown'``, ``'not known'``, ``'X'`` mean not known.

    Returns
    -------
    pandas.DataFrame
        Same index; ``value`` (string): ``'M'``, ``'F'`` or NA (also for the
        explicit unknown codes, which are not errors); ``error`` (string) for
        other non-empty values, else NA.

    Raises
    ------
    crimnet.errors.ParameterError
        If `values` is not a pandas Series.

    Examples
    --------
    >>> import pandas as pd
    >>> normalise_sex(pd.Series(["m", "Female", "U", "?"]))["value"].tolist()
    ['M', 'F', <NA>, <NA>]
    """
    func = "normalise_sex"
    check_series(values, func)
    return map_distinct(_sex_one, values, func=func)


_FOLD_PUNCT = re.compile(r"[^a-z0-9]+")


def _nationality_one(text: str) -> Result:
    key = " ".join(_FOLD_PUNCT.sub(" ", ascii_fold(text).lower().replace("'", "").replace(".", "")).split())
    code = COUNTRIES.get(key)
    if code is None:
        return None, f"{quote(text)} is not a known country or nationality"
    return code, None


def normalise_nationality(values: pd.Series) -> pd.DataFrame:
    """Normalise countries and nationalities to ISO 3166-1 alpha-3 codes.

    Parameters
    ----------
    values : pandas.Series
        Country names, demonyms or codes in any case: ``'ROMANIA'``,
        ``'Romanian'``, ``'ROU'``, ``'RO'``, ``'United Kingdom'``,
        ``'British'``, ``'UK'``, ``'GB'``.

    Returns
    -------
    pandas.DataFrame
        Same index; ``value`` (string): alpha-3 code or NA; ``error``
        (string) for a non-empty value not in the table, else NA.

    Raises
    ------
    crimnet.errors.ParameterError
        If `values` is not a pandas Series.

    Notes
    -----
    The table (:mod:`crimnet.ingest.normalise.countries`) covers about 80
    countries: the UK, the EU and EEA, the Balkans, the former Soviet Union,
    and the countries most often seen in UK National Referral Mechanism
    statistics. pycountry is not used: it is not a dependency and has no
    demonyms. Codes of countries outside the table are errors.

    References
    ----------
    ISO 3166-1:2020, *Codes for the representation of names of countries and their subdivisions*.

    Examples
    --------
    >>> import pandas as pd
    >>> normalise_nationality(pd.Series(["ROMANIA", "Romanian", "RO", "British", "uk", "Narnia"]))["value"].tolist()
    ['ROU', 'ROU', 'ROU', 'GBR', 'GBR', <NA>]
    """
    func = "normalise_nationality"
    check_series(values, func)
    return map_distinct(_nationality_one, values, func=func)
