"""Keyed pseudonymisation of normalised identifiers (HMAC-SHA256 with domain separation).

An analyst can share a case with identifiers replaced by tokens: the same
normalised phone number in two extracts gives the same token (links survive),
but the number cannot be recovered, or guessed by hashing candidate numbers,
without the key. The key comes from the environment or a key file
(:func:`load_key`) and is never written anywhere by crimnet.

Names are tokenised word by word (:func:`pseudonymise_name`): ``'ana maria pop'``
becomes three tokens joined by spaces, so every part of a name, whichever the
family-name rule picks (the last word, :func:`crimnet.graphs.detect.evidence.family_names`),
is a stable token shared by everyone with that part. Household signals (occupants
who share no family name, the ``unrelated_occupants`` query, the risk indicator of
unrelated adults) therefore give the same answers on pseudonymised tables. The price:
tokens show which people share a given or family name (and how common each part is),
not only which share a whole name.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import math
import os
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from crimnet.errors import CrimnetError, ParameterError

__all__ = [
    "PseudonymKeyError",
    "pseudonymise",
    "pseudonymise_name",
    "load_key",
    "MIN_KEY_BYTES",
    "TOKEN_HEX_CHARS",
]

MIN_KEY_BYTES = 16
"""Shortest key accepted (128 bits)."""

TOKEN_HEX_CHARS = 32
"""Hex characters of the HMAC kept in a token (128 bits)."""

_DOMAIN = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
_HEX = re.compile(r"^[0-9a-fA-F]+$")
_WORD = re.compile(r"\S+")


class PseudonymKeyError(CrimnetError):
    """The pseudonymisation key is missing, unreadable or too short (the message never shows the key)."""


def _as_text(x: Any) -> str | None:
    if x is None or x is pd.NA or x is pd.NaT:
        return None
    if isinstance(x, str):
        return x or None
    if isinstance(x, (float, np.floating)):
        f = float(x)
        if math.isnan(f):
            return None
        return str(int(f)) if f.is_integer() and abs(f) < 1e16 else repr(f)
    if isinstance(x, (int, np.integer)) and not isinstance(x, bool):
        return str(int(x))
    return str(x)


def _check(values: Any, key: Any, domain: Any, func: str) -> None:
    """Raise :class:`ParameterError` unless `values` is a Series, `key` long enough bytes and `domain` well formed."""
    if not isinstance(values, pd.Series):
        raise ParameterError(
            f"The 'values' parameter of {func} must be a pandas Series. Got {type(values).__name__} instead."
        )
    if not isinstance(key, (bytes, bytearray)) or len(key) < MIN_KEY_BYTES:
        got = f"bytes of length {len(key)}" if isinstance(key, (bytes, bytearray)) else f"a {type(key).__name__}"
        raise ParameterError(
            f"The 'key' parameter of {func} must be bytes of length >= {MIN_KEY_BYTES}. Got {got} instead."
        )
    if not isinstance(domain, str) or not _DOMAIN.match(domain):
        raise ParameterError(
            f"The 'domain' parameter of {func} must be a str of lower-case letters, digits and '_' starting with a "
            f"letter (at most 32 characters). Got {domain!r} instead."
        )


def pseudonymise(values: pd.Series, *, key: bytes, domain: str) -> pd.Series:
    """Replace normalised identifiers with keyed tokens ``'<domain>_<32 hex>'``.

    Parameters
    ----------
    values : pandas.Series
        Normalised values (E.164 phones, account keys, ...). Normalise first:
        the token is of the exact text, so ``'07700 900123'`` and
        ``'+447700900123'`` give different tokens.
    key : bytes
        Secret key, at least 16 bytes (see :func:`load_key`).
    domain : str
        Kind of identifier (``'phone'``, ``'account'``, ``'person'``): lower
        case letters, digits and ``_``, starting with a letter, at most 32
        characters. It is hashed with the value, so the same text in two
        domains gives unrelated tokens, and it prefixes the token.

    Returns
    -------
    pandas.Series
        string dtype, same index and name; ``'<domain>_'`` followed by the
        first 32 hex characters of ``HMAC-SHA256(key, domain || 0x00 || utf-8
        value)``; NA where the value is missing or empty.

    Raises
    ------
    crimnet.errors.ParameterError
        If `values` is not a Series, `key` is not bytes of at least 16 bytes
        (the message gives the length only), or `domain` is malformed.

    Notes
    -----
    Tokens keep 128 bits of the HMAC. By the birthday bound the chance that
    any two of n distinct values share a token is about n^2 / 2^129: about
    1.5e-21 for n = 10^9, so tokens are unique in practice and linking by
    token is linking by value. Without the key, tokens reveal only equality.
    Time O(n) hashing plus O(k) HMACs for k distinct values (about 1 us each).

    References
    ----------
    H. Krawczyk, M. Bellare, R. Canetti, *HMAC: Keyed-Hashing for Message
    Authentication*, RFC 2104 (1997), doi:10.17487/RFC2104.

    Examples
    --------
    >>> import pandas as pd
    >>> key = bytes(range(16))
    >>> t = pseudonymise(pd.Series(["+447700900123", None, "+447700900123"]), key=key, domain="phone")
    >>> t.iloc[0] == t.iloc[2], t.iloc[0].startswith("phone_"), len(t.iloc[0]), t.isna().tolist()
    (True, True, 38, [False, True, False])
    """
    _check(values, key, domain, "pseudonymise")
    base = hmac.new(bytes(key), domain.encode("ascii") + b"\x00", hashlib.sha256)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    tokens = np.empty(len(uniques) + 1, dtype=object)
    prefix = domain + "_"
    for i, u in enumerate(uniques):
        text = _as_text(u)
        if text is None:
            tokens[i] = None
            continue
        h = base.copy()
        h.update(text.encode("utf-8", "surrogatepass"))
        tokens[i] = prefix + h.hexdigest()[:TOKEN_HEX_CHARS]
    tokens[-1] = None
    take = np.where(codes < 0, len(uniques), codes)
    return pd.Series(pd.array(tokens[take], dtype="string"), index=values.index, name=values.name)


def pseudonymise_name(values: pd.Series, *, key: bytes, domain: str = "name") -> pd.Series:
    """Replace each word of normalised names with its keyed token, keeping the words' order.

    Parameters
    ----------
    values : pandas.Series
        Normalised names (``'given family'``, see :mod:`crimnet.schema`).
    key : bytes
        Secret key, at least 16 bytes (see :func:`load_key`).
    domain : str, default 'name'
        Domain of every word's token (see :func:`pseudonymise`): the same word
        gives the same token in any position of any name.

    Returns
    -------
    pandas.Series
        string dtype, same index and name: the :func:`pseudonymise` token of
        every run of non-space characters, joined by single spaces; NA where
        the name is missing, empty or only spaces.

    Raises
    ------
    crimnet.errors.ParameterError
        As :func:`pseudonymise`.

    Notes
    -----
    Words are the runs of non-space characters (regular expression ``\\S+``),
    the same split as the family-name rule
    (:func:`crimnet.graphs.detect.evidence.family_names`, the last word), so
    the family name of a pseudonymised name is the token of the family name,
    and two people with one family name share that token. Two names are equal
    exactly when their token strings are (up to runs of spaces, which
    normalised names do not hold). A one-word name gives the token
    :func:`pseudonymise` gives the whole name. Time O(n) plus one HMAC per
    distinct word.

    Examples
    --------
    >>> import pandas as pd
    >>> key = bytes(range(16))
    >>> t = pseudonymise_name(pd.Series(["ana pop", "ion pop", None]), key=key)
    >>> t.iloc[0].split()[-1] == t.iloc[1].split()[-1], t.iloc[0] != t.iloc[1], t.isna().tolist()
    (True, True, [False, False, True])
    """
    _check(values, key, domain, "pseudonymise_name")
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    words = [_WORD.findall(_as_text(u) or "") for u in uniques]
    flat = pd.Series([w for ws in words for w in ws], dtype=object)
    tokens = pseudonymise(flat, key=key, domain=domain).to_numpy(dtype=object)
    joined = np.empty(len(uniques) + 1, dtype=object)
    start = 0
    for i, ws in enumerate(words):
        joined[i] = " ".join(tokens[start : start + len(ws)]) or None
        start += len(ws)
    joined[-1] = None
    take = np.where(codes < 0, len(uniques), codes)
    return pd.Series(pd.array(joined[take], dtype="string"), index=values.index, name=values.name)


def _decode(text: str) -> bytes | None:
    text = "".join(text.split())
    if not text:
        return None
    if _HEX.match(text) and len(text) % 2 == 0:
        return bytes.fromhex(text)
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        pass
    try:
        return base64.urlsafe_b64decode(text.encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        return None


def load_key(*, env: str = "CRIMNET_PSEUDONYM_KEY", key_file: str | Path | None = None) -> bytes:
    """Load the pseudonymisation key from a key file or an environment variable.

    Parameters
    ----------
    env : str, default 'CRIMNET_PSEUDONYM_KEY'
        Environment variable holding the key as hex or base64 text; read when
        `key_file` is None.
    key_file : str or pathlib.Path, optional
        File holding the key as hex or base64 text, or as at least 16 raw
        bytes when the content is not such text.

    Returns
    -------
    bytes
        The key, at least :data:`MIN_KEY_BYTES` long.

    Raises
    ------
    PseudonymKeyError
        If the variable is unset or empty, the file cannot be read, the text
        is neither hex nor base64, or the key is shorter than 16 bytes. The
        message names the variable or file, never the key.

    Notes
    -----
    Text is decoded as hex when it is an even number of hex digits, else as
    base64. Generate a key with ``python -c "import secrets; print(secrets.token_hex(32))"``.
    The key is held in memory only; crimnet never logs, prints or stores it.

    Examples
    --------
    >>> import os
    >>> os.environ["CRIMNET_DOCTEST_KEY"] = "00" * 32
    >>> len(load_key(env="CRIMNET_DOCTEST_KEY"))
    32
    >>> del os.environ["CRIMNET_DOCTEST_KEY"]
    """
    if not isinstance(env, str) or not env:
        raise ParameterError(f"The 'env' parameter of load_key must be a non-empty str. Got {env!r} instead.")
    if key_file is not None:
        if not isinstance(key_file, (str, Path)):
            raise ParameterError(
                f"The 'key_file' parameter of load_key must be a str, a Path or None. Got {key_file!r} instead."
            )
        where = f"key file {str(key_file)!r}"
        try:
            raw = Path(key_file).read_bytes()
        except OSError as exc:
            raise PseudonymKeyError(f"Cannot read the {where}: {exc.strerror or type(exc).__name__}.") from None
        try:
            key = _decode(raw.decode("ascii"))
        except UnicodeDecodeError:
            key = None
        if key is None:
            key = raw
    else:
        where = f"environment variable {env}"
        text = os.environ.get(env)
        if text is None or not text.strip():
            raise PseudonymKeyError(
                f"No pseudonymisation key: set the environment variable {env} to a key of at least "
                f"{MIN_KEY_BYTES} bytes (hex or base64), or pass key_file."
            )
        key = _decode(text)
        if key is None:
            raise PseudonymKeyError(f"The {where} is neither hex nor base64 text.")
    if len(key) < MIN_KEY_BYTES:
        raise PseudonymKeyError(
            f"The pseudonymisation key from the {where} is {len(key)} bytes; at least {MIN_KEY_BYTES} are needed."
        )
    return key
