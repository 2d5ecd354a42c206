"""Lists of potential victims as agencies keep them, and the law of which lists record each victim.

UK modern slavery prevalence is estimated from lists like these (multiple systems estimation,
:mod:`crimnet.prevalence`): National Referral Mechanism referrals, an NGO's casework, reports to a
helpline, police records of victims of modern slavery offences. Each true victim of a generated case
is recorded by list ``i`` with marginal probability ``p_i``. Two departures from independence can be
planted, each the failure MSE is known for:

- **heterogeneity** (``victim_visibility`` = ``s``): a latent visibility ``z ~ N(0, 1)`` per victim
  shifts the log odds of every list by ``s * z`` (some victims are seen by everyone, some by nobody);
  no log-linear model of the lists captures it and estimates fall short of the truth;
- **dependence between two lists** (``victim_list_dependence``): a conditional log odds ratio, as when
  an NGO refers its clients to the NRM; the model with that two-list term captures it.

Given ``z`` the capture history ``h`` of a victim follows the log-linear law

    log P(h | z) = const + sum_i (a_i + s z) h_i + sum_{i<j} g_ij h_i h_j,

with the main effects ``a_i`` solved (fixed point over a Gauss-Hermite quadrature of ``z``) so that
each list's marginal probability, averaged over victims, is exactly ``p_i``. With ``s = 0`` this is the
law of :func:`crimnet.prevalence.simulate.history_probabilities`.

The draws come from a stream of their own (seed, ``0x76696374``), so the same victims are listed
whatever the rest of the case, and the other extracts are byte-identical with the lists on or off.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from crimnet.errors import ParameterError, bad_parameter, check_interval

__all__ = [
    "DEFAULT_VICTIM_LISTS",
    "LAYOUTS",
    "VICTIM_LISTS",
    "ListLayout",
    "capture_probabilities",
    "draw_captures",
    "list_spec_text",
    "parse_dependence",
    "parse_victim_lists",
]

VICTIM_LISTS: tuple[str, ...] = ("nrm_referrals", "ngo_casework", "helpline_reports", "police_victims")
"""The victim-listing sources the generator can write, in the order of capture-history columns."""

DEFAULT_VICTIM_LISTS: dict[str, float] = {
    "nrm_referrals": 0.35,
    "ngo_casework": 0.25,
    "helpline_reports": 0.10,
    "police_victims": 0.20,
}
"""Recording probabilities of ``victim_lists="default"``: of the order of the shares of UK estimates."""

_FUNC = "generate_case"
_STREAM = 0x76696374  # 'vict'
_NODES = 40  # Gauss-Hermite nodes: marginals exact to ~1e-10 for visibility sd up to 5


@dataclass(frozen=True)
class ListLayout:
    """How an agency writes its list: record id and the column of each field (None: not kept).

    Attributes
    ----------
    agency : str
        What the list is, for docs and messages.
    prefix, width : str, int
        Record ids are ``prefix`` + zero-padded row number of `width` digits.
    record_id : str
        The record id column.
    name : tuple of str
        One column (``'First Last'``) or two (forenames, surname upper case).
    dob, nationality, sex, phone, address, postcode : str or None
        Columns of the other fields.
    date : str
        The referral / report / recording date column.
    date_format, dob_format : str
        strftime formats of the two dates.
    blank_dob : float
        Extra chance that the date of birth is unknown (helplines rarely know it).
    """

    agency: str
    prefix: str
    width: int
    record_id: str
    name: tuple[str, ...]
    dob: str | None
    nationality: str | None
    sex: str | None
    phone: str | None
    address: str | None
    postcode: str | None
    date: str
    date_format: str
    dob_format: str
    blank_dob: float = 0.0


LAYOUTS: dict[str, ListLayout] = {
    "nrm_referrals": ListLayout(
        "National Referral Mechanism referrals", "NRM", 7, "referral_id", ("forenames", "surname"),
        "date_of_birth", "nationality", "sex", None, None, None, "referral_date", "%Y-%m-%d", "%d/%m/%Y",
    ),
    "ngo_casework": ListLayout(
        "NGO support casework", "CASE", 6, "case_ref", ("client_name",),
        "dob", None, None, "phone", "address", "postcode", "opened", "%d/%m/%Y", "%Y-%m-%d",
    ),
    "helpline_reports": ListLayout(
        "modern slavery helpline reports", "HL", 7, "report_id", ("reported_name",),
        "dob", None, None, "contact_number", None, "postcode", "report_date", "%d/%m/%Y", "%d/%m/%Y", 0.6,
    ),
    "police_victims": ListLayout(
        "police records of victims of modern slavery offences", "CRV", 8, "crime_ref",
        ("VICTIM_FORENAMES", "VICTIM_SURNAME"), "VICTIM_DOB", "VICTIM_NATIONALITY", "VICTIM_GENDER",
        None, "VICTIM_ADDRESS", "VICTIM_POSTCODE", "RECORDED_DATE", "%d/%m/%Y", "%d/%m/%Y",
    ),
}  # fmt: skip
"""The layout of each victim list (columns in ``docs/sources.md``; specs in ``crimnet/ingest/specs``)."""


def parse_victim_lists(value: str | Mapping[str, float]) -> dict[str, float]:
    """Check a ``victim_lists`` parameter and return list name -> recording probability.

    Parameters
    ----------
    value : str or mapping of str to float
        ``''`` (no lists), ``'default'`` (:data:`DEFAULT_VICTIM_LISTS`), ``'name=p,...'`` or a mapping
        of names of :data:`VICTIM_LISTS` to probabilities in (0, 1).

    Returns
    -------
    dict of str to float
        In the order of :data:`VICTIM_LISTS`; empty when off.

    Raises
    ------
    crimnet.errors.ParameterError
        On an unknown list or a probability outside (0, 1).

    >>> parse_victim_lists("police_victims=0.2,nrm_referrals=0.3")
    {'nrm_referrals': 0.3, 'police_victims': 0.2}
    """
    if isinstance(value, str):
        text = value.strip()
        if text in ("", "default"):
            return dict(DEFAULT_VICTIM_LISTS) if text else {}
        items: dict[str, object] = {}
        for part in text.split(","):
            key, _, num = part.strip().partition("=")
            try:
                items[key.strip()] = float(num)
            except ValueError:
                raise _bad_lists(value) from None
    elif isinstance(value, Mapping):
        items = dict(value)
    else:
        raise _bad_lists(value)
    for key, p in items.items():
        if key not in VICTIM_LISTS or isinstance(p, bool) or not isinstance(p, int | float) or not 0 < p < 1:
            raise _bad_lists(value)
    return {k: float(items[k]) for k in VICTIM_LISTS if k in items}  # type: ignore[arg-type]


def _bad_lists(value: object) -> ParameterError:
    return ParameterError(
        f"The 'victim_lists' parameter of {_FUNC} must be '', 'default', 'list=p,...' or a dict of list to "
        f"probability in (0, 1), with lists among {', '.join(VICTIM_LISTS)}. Got {value!r} instead."
    )


def parse_dependence(value: str | Mapping[str, float], lists: Sequence[str] = VICTIM_LISTS) -> dict[str, float]:
    """Check a ``victim_list_dependence`` parameter: ``'a:b'`` pair of lists -> conditional log odds ratio.

    Parameters
    ----------
    value : str or mapping of str to float
        ``'a:b=1.0,...'`` or a mapping; each pair names two distinct lists of `lists`, the value a log
        odds ratio in [-5, 5] (positive: a victim on one list is more likely on the other).
    lists : sequence of str, default VICTIM_LISTS
        The lists in use.

    Returns
    -------
    dict of str to float
        Keys ``'a:b'`` with ``a`` before ``b`` in :data:`VICTIM_LISTS` order.

    >>> parse_dependence("nrm_referrals:ngo_casework=1.2", ["nrm_referrals", "ngo_casework"])
    {'nrm_referrals:ngo_casework': 1.2}
    """
    if isinstance(value, str):
        items: dict[str, object] = {}
        for part in filter(None, (s.strip() for s in value.split(","))):
            key, _, num = part.partition("=")
            try:
                items[key.strip()] = float(num)
            except ValueError:
                raise _bad_dependence(value, lists) from None
    elif isinstance(value, Mapping):
        items = dict(value)
    else:
        raise _bad_dependence(value, lists)
    out: dict[str, float] = {}
    for key, g in items.items():
        a, _, b = str(key).partition(":")
        if a not in lists or b not in lists or a == b or isinstance(g, bool) or not isinstance(g, int | float):
            raise _bad_dependence(value, lists)
        check_interval(g, param="victim_list_dependence", func=_FUNC, low=-5, high=5, closed="both")
        a, b = sorted((a, b), key=VICTIM_LISTS.index)
        out[f"{a}:{b}"] = float(g)
    return out


def _bad_dependence(value: object, lists: Sequence[str]) -> ParameterError:
    return ParameterError(
        f"The 'victim_list_dependence' parameter of {_FUNC} must be 'a:b=g,...' or a dict of 'a:b' to a log odds "
        f"ratio, with a and b two of the lists in use ({', '.join(lists) or 'none'}). Got {value!r} instead."
    )


def _histories(t: int) -> np.ndarray:
    """The ``2**t`` capture histories as rows of 0/1 (list ``i`` is bit ``i`` of the row index)."""
    masks = np.arange(2**t)
    return ((masks[:, None] >> np.arange(t)[None, :]) & 1).astype(float)


def _pair_matrix(lists: Sequence[str], dependence: Mapping[str, float]) -> np.ndarray:
    g = np.zeros((len(lists), len(lists)))
    for key, value in dependence.items():
        a, _, b = key.partition(":")
        g[lists.index(a), lists.index(b)] = value
    return g


def capture_probabilities(
    probs: Sequence[float], *, dependence: Mapping[str, float] | None = None, lists: Sequence[str] | None = None,
    visibility: float = 0.0,
) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Solve the main effects of the capture law; return them with the marginal history probabilities.

    Parameters
    ----------
    probs : sequence of float
        Marginal recording probability of each list, in (0, 1); 1 to 8 lists.
    dependence : mapping of str to float, optional
        ``'a:b'`` -> conditional log odds ratio, names from `lists`.
    lists : sequence of str, optional
        List names (needed with `dependence`).
    visibility : float, default 0.0
        Standard deviation ``s`` of the latent visibility on the log-odds scale, in [0, 5].

    Returns
    -------
    main : numpy.ndarray
        The main effects ``a_i``.
    cells : numpy.ndarray
        Length ``2**t``: the probability of each history averaged over victims (entry 0: no list).

    Examples
    --------
    >>> a, p = capture_probabilities([0.5, 0.2])
    >>> p.round(3).tolist()
    [0.4, 0.4, 0.1, 0.1]
    >>> _, p = capture_probabilities([0.5, 0.2], visibility=1.5)
    >>> bool(p[3] > 0.1)  # heterogeneity: seen by both more often than independence says
    True
    """
    if not isinstance(probs, Sequence | np.ndarray) or not all(
        isinstance(p, int | float | np.floating) and not isinstance(p, bool) for p in probs
    ):
        raise bad_parameter("probs", "capture_probabilities", "1 to 8 probabilities in (0, 1)", probs)
    target = np.asarray(probs, dtype=float)
    if target.ndim != 1 or not 1 <= target.size <= 8 or not np.all((target > 0) & (target < 1)):
        raise bad_parameter("probs", "capture_probabilities", "1 to 8 probabilities in (0, 1)", probs)
    check_interval(visibility, param="visibility", func="capture_probabilities", low=0, high=5, closed="both")
    names = list(lists) if lists is not None else [str(i) for i in range(target.size)]
    g = _pair_matrix(names, dependence or {})
    h = _histories(target.size)
    inter = np.einsum("ci,ij,cj->c", h, g, h)
    z, w = np.polynomial.hermite_e.hermegauss(_NODES)
    w = w / w.sum()
    nh = h.sum(axis=1)
    a = np.log(target / (1 - target))
    for _ in range(2000):
        cells = _mixture(h @ a + inter, nh, z, w, visibility)
        m = h.T @ cells
        step = np.log(target / (1 - target)) - np.log(m / (1 - m))
        a += step
        if np.max(np.abs(step)) < 1e-12:
            break
    return a, _mixture(h @ a + inter, nh, z, w, visibility)


def _mixture(base: np.ndarray, nh: np.ndarray, z: np.ndarray, w: np.ndarray, s: float) -> np.ndarray:
    """History probabilities averaged over the quadrature of the latent visibility."""
    logp = base[None, :] + s * z[:, None] * nh[None, :]
    p = np.exp(logp - logp.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    return np.asarray(w @ p)


def draw_captures(
    n: int,
    probs: Mapping[str, float] | None = None,
    *,
    dependence: Mapping[str, float] | None = None,
    visibility: float = 0.0,
    seed: int = 0,
) -> np.ndarray:
    """Draw which lists record each of `n` victims.

    Parameters
    ----------
    n : int
        Number of victims, >= 0.
    probs : mapping of str to float, optional
        List name -> marginal recording probability (:func:`parse_victim_lists`); default
        :data:`DEFAULT_VICTIM_LISTS`.
    dependence : mapping of str to float, optional
        ``'a:b'`` -> conditional log odds ratio (:func:`parse_dependence`).
    visibility : float, default 0.0
        Standard deviation of each victim's latent visibility, in [0, 5].
    seed : int, default 0
        The case seed; the draws use a stream of their own.

    Returns
    -------
    numpy.ndarray of bool
        Shape ``(n, len(probs))``: ``[v, i]`` is True when list ``i`` records victim ``v``.

    Examples
    --------
    >>> c = draw_captures(2000, {"nrm_referrals": 0.3, "ngo_casework": 0.2}, seed=1)
    >>> c.shape, bool(abs(c[:, 0].mean() - 0.3) < 0.03)
    ((2000, 2), True)
    """
    check_interval(n, param="n", func="draw_captures", low=0, closed="left", integer=True)
    probs = DEFAULT_VICTIM_LISTS if probs is None else probs
    lists = list(probs)
    a, _ = capture_probabilities(list(probs.values()), dependence=dependence, lists=lists, visibility=visibility)
    h = _histories(len(lists))
    inter = np.einsum("ci,ij,cj->c", h, _pair_matrix(lists, dependence or {}), h)
    rng = np.random.Generator(np.random.PCG64([seed, _STREAM]))
    z = rng.standard_normal(n)
    logp = (h @ a + inter)[None, :] + visibility * z[:, None] * h.sum(axis=1)[None, :]
    p = np.exp(logp - logp.max(axis=1, keepdims=True))
    cum = np.cumsum(p / p.sum(axis=1, keepdims=True), axis=1)
    cell = np.minimum((cum < rng.random(n)[:, None]).sum(axis=1), len(h) - 1)
    return h[cell].astype(bool)


def list_spec_text(name: str) -> str:
    """The ingest spec (TOML) shipped for a victim list (``crimnet/ingest/specs/<name>.toml``)."""
    if name not in VICTIM_LISTS:
        raise bad_parameter("name", "list_spec_text", f"one of {', '.join(VICTIM_LISTS)}", name)
    return (Path(__file__).resolve().parent.parent / "ingest" / "specs" / f"{name}.toml").read_text()
