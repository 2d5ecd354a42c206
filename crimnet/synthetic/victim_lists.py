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

Two more departures, off by default, plant what real lists hold and individual-level models cannot see:

- **whole-ring raids** (``victim_ring_raids``, list -> share ``r_i`` of rings): when the police raid a
  ring, every victim of it is recorded at once. One uniform draw ``u`` per ring (shared by every list
  named) decides: list ``i`` records all victims of the rings with ``u < r_i``, so a ring raided for a
  list of smaller share is raided for every list of larger share (a raid recorded by the police and
  referred to the NRM as a whole). The other victims are recorded by the law below with
  ``p_i' = (p_i - r_i) / (1 - r_i)``, so the list's marginal stays ``p_i`` on average over rings
  (``r_i < p_i``). Captures are then dependent *within rings*, a dependence between people that no
  model of capture histories can see;
- **false referrals** (``victim_false_share`` = ``f``): people who are not victims of the case's rings
  (referred and later found not to be victims, or exploited elsewhere) are listed too. ``m = round(n f
  / (1 - f))`` people drawn from those in no ring and with no ring role are recorded by the same law as
  the ``n`` victims (the lists cannot tell them apart), so on average a share ``f`` of each list's
  records is false; the estimators then count them as victims.

Given ``z`` the capture history ``h`` of a victim follows the log-linear law

    log P(h | z) = const + sum_i (a_i + s z) h_i + sum_{i<j} g_ij h_i h_j,

with the main effects ``a_i`` solved (fixed point over a Gauss-Hermite quadrature of ``z``) so that
each list's marginal probability, averaged over victims, is exactly ``p_i``. With ``s = 0`` this is the
law of :func:`crimnet.prevalence.simulate.history_probabilities`.

The draws come from streams of their own (seed, ``0x76696374``; raids and false referrals each a
further stream), so the same victims are listed whatever the rest of the case, the other extracts are
byte-identical with the lists on or off, and with raids and false referrals off the lists are as
before those options existed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from crimnet.errors import ParameterError, bad_parameter, check_interval, check_type

__all__ = [
    "DEFAULT_VICTIM_LISTS",
    "LAYOUTS",
    "VICTIM_LISTS",
    "ListLayout",
    "capture_probabilities",
    "draw_captures",
    "draw_false_referrals",
    "false_referral_count",
    "list_spec_text",
    "parse_dependence",
    "parse_raids",
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
_RAID_STREAM, _FALSE_STREAM = 1, 2  # sub-streams: turning one option on leaves the other draws as they were
MAX_FALSE_SHARE = 0.5
"""Largest ``victim_false_share``: beyond it the lists would hold more false referrals than victims."""
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
    items = _name_values(value, lambda: _bad_dependence(value, lists))
    out: dict[str, float] = {}
    for key, g in items.items():
        a, _, b = str(key).partition(":")
        if a not in lists or b not in lists or a == b or isinstance(g, bool) or not isinstance(g, int | float):
            raise _bad_dependence(value, lists)
        check_interval(g, param="victim_list_dependence", func=_FUNC, low=-5, high=5, closed="both")
        a, b = sorted((a, b), key=VICTIM_LISTS.index)
        out[f"{a}:{b}"] = float(g)
    return out


def _name_values(value: object, bad: Callable[[], ParameterError]) -> dict[str, object]:
    """``'name=number,...'`` (or a mapping) as a dict; `bad` builds the error for anything else."""
    if isinstance(value, Mapping):
        return dict(value)
    if not isinstance(value, str):
        raise bad()
    items: dict[str, object] = {}
    for part in filter(None, (p.strip() for p in value.split(","))):
        key, _, num = part.partition("=")
        try:
            items[key.strip()] = float(num)
        except ValueError:
            raise bad() from None
    return items


def _bad_dependence(value: object, lists: Sequence[str]) -> ParameterError:
    return ParameterError(
        f"The 'victim_list_dependence' parameter of {_FUNC} must be 'a:b=g,...' or a dict of 'a:b' to a log odds "
        f"ratio, with a and b two of the lists in use ({', '.join(lists) or 'none'}). Got {value!r} instead."
    )


def parse_raids(value: str | Mapping[str, float], probs: Mapping[str, float]) -> dict[str, float]:
    """Check a ``victim_ring_raids`` parameter: list -> share of rings whose victims it records at once.

    Parameters
    ----------
    value : str or mapping of str to float
        ``'list=r,...'`` or a mapping; each list one of `probs`, each share in (0, p) where p is the
        list's recording probability (the victims of rings not raided make up the rest of its marginal).
    probs : mapping of str to float
        The lists in use and their recording probabilities (:func:`parse_victim_lists`).

    Returns
    -------
    dict of str to float
        In the order of :data:`VICTIM_LISTS`; empty when off.

    >>> parse_raids("police_victims=0.1", {"nrm_referrals": 0.35, "police_victims": 0.2})
    {'police_victims': 0.1}
    """
    items = _name_values(value, lambda: _bad_raids(value, probs))
    for key, r in items.items():
        if key not in probs or isinstance(r, bool) or not isinstance(r, int | float) or not 0 < r < probs[key]:
            raise _bad_raids(value, probs)
    return {k: float(items[k]) for k in VICTIM_LISTS if k in items}  # type: ignore[arg-type]


def _bad_raids(value: object, probs: Mapping[str, float]) -> ParameterError:
    allowed = ", ".join(f"{k} (below {p:g})" for k, p in probs.items()) or "none"
    return ParameterError(
        f"The 'victim_ring_raids' parameter of {_FUNC} must be 'list=r,...' or a dict of list to the share of "
        f"rings raided, each list one of those in use with a share between 0 and its recording probability: "
        f"{allowed}. Got {value!r} instead."
    )


def false_referral_count(victims: int, share: float) -> int:
    """Number of false referrals drawn beside `victims` victims so that a share `share` of records is false.

    Parameters
    ----------
    victims : int
        True victims of the case, >= 0.
    share : float
        ``victim_false_share``, in [0, :data:`MAX_FALSE_SHARE`].

    Returns
    -------
    int
        ``round(victims * share / (1 - share))``; O(1).

    >>> false_referral_count(240, 0.2)
    60
    """
    check_interval(victims, param="victims", func="false_referral_count", low=0, closed="left", integer=True)
    check_interval(share, param="share", func="false_referral_count", low=0, high=MAX_FALSE_SHARE, closed="both")
    return int(round(victims * share / (1 - share)))


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


def _draw_law(
    rng: np.random.Generator, n: int, probs: Mapping[str, float], dependence: Mapping[str, float] | None,
    visibility: float,
) -> np.ndarray:  # fmt: skip
    """`n` capture histories from the log-linear law with latent visibility (one normal, one uniform each)."""
    lists = list(probs)
    a, _ = capture_probabilities(list(probs.values()), dependence=dependence, lists=lists, visibility=visibility)
    h = _histories(len(lists))
    inter = np.einsum("ci,ij,cj->c", h, _pair_matrix(lists, dependence or {}), h)
    z = rng.standard_normal(n)
    logp = (h @ a + inter)[None, :] + visibility * z[:, None] * h.sum(axis=1)[None, :]
    p = np.exp(logp - logp.max(axis=1, keepdims=True))
    cum = np.cumsum(p / p.sum(axis=1, keepdims=True), axis=1)
    cell = np.minimum((cum < rng.random(n)[:, None]).sum(axis=1), len(h) - 1)
    return h[cell].astype(bool)


def draw_captures(
    n: int,
    probs: Mapping[str, float] | None = None,
    *,
    dependence: Mapping[str, float] | None = None,
    visibility: float = 0.0,
    seed: int = 0,
    rings: np.ndarray | None = None,
    raids: Mapping[str, float] | None = None,
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
    rings : numpy.ndarray of int, optional
        Length `n`: each victim's ring (0-based index); needed with `raids`.
    raids : mapping of str to float, optional
        List -> share of rings whose victims it records all at once (:func:`parse_raids`); the other
        victims are recorded with ``(p - r) / (1 - r)`` so the marginal stays ``p`` on average.

    Returns
    -------
    numpy.ndarray of bool
        Shape ``(n, len(probs))``: ``[v, i]`` is True when list ``i`` records victim ``v``.
        O(n 2^t) time for t lists.

    Examples
    --------
    >>> c = draw_captures(2000, {"nrm_referrals": 0.3, "ngo_casework": 0.2}, seed=1)
    >>> c.shape, bool(abs(c[:, 0].mean() - 0.3) < 0.03)
    ((2000, 2), True)
    >>> ring = np.repeat(np.arange(200), 10)
    >>> c = draw_captures(2000, {"nrm_referrals": 0.3, "police_victims": 0.2}, seed=1, rings=ring,
    ...                   raids={"police_victims": 0.15})
    >>> per_ring = c[:, 1].reshape(200, 10).mean(axis=1)
    >>> bool(np.mean(per_ring == 1) > 0.1)  # whole rings recorded at once
    True
    """
    check_interval(n, param="n", func="draw_captures", low=0, closed="left", integer=True)
    probs = DEFAULT_VICTIM_LISTS if probs is None else probs
    raids = dict(raids or {})
    if raids and (rings is None or np.shape(rings) != (n,)):
        raise bad_parameter("rings", "draw_captures", f"the ring index of each of the {n} victims", rings)
    rest = {k: (p - raids[k]) / (1 - raids[k]) if k in raids else p for k, p in probs.items()}
    rng = np.random.Generator(np.random.PCG64([seed, _STREAM]))
    caught = _draw_law(rng, n, rest, dependence, visibility)
    if raids and n:
        assert rings is not None
        u = np.random.Generator(np.random.PCG64([seed, _STREAM, _RAID_STREAM])).random(int(np.max(rings)) + 1)
        share = np.array([raids.get(k, 0.0) for k in probs])
        caught |= u[np.asarray(rings)][:, None] < share[None, :]
    return caught


def draw_false_referrals(
    pool: np.ndarray,
    victims: int,
    probs: Mapping[str, float] | None = None,
    *,
    share: float = 0.0,
    dependence: Mapping[str, float] | None = None,
    visibility: float = 0.0,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Draw the false referrals of a case: people listed who are not victims of its rings.

    :func:`false_referral_count` people are drawn from `pool` and recorded by the victims' law
    (`probs`, `dependence`, `visibility`; no raids: they belong to no ring), so on average a share
    `share` of each list's records is false.

    Parameters
    ----------
    pool : numpy.ndarray of int
        Who may be falsely referred: person indices of people in no ring.
    victims : int
        The case's true victims, >= 0.
    probs, dependence, visibility
        As :func:`draw_captures`.
    share : float, default 0.0
        ``victim_false_share``, in [0, 0.5]; 0 draws nothing.
    seed : int, default 0
        The case seed; the draws use a stream of their own.

    Returns
    -------
    persons : numpy.ndarray of int
        The people some list records (entries of `pool`), in draw order.
    captures : numpy.ndarray of bool
        ``(len(persons), len(probs))``: which lists record each.

    Raises
    ------
    crimnet.errors.ParameterError
        If `pool` is smaller than the number to draw.

    >>> people, c = draw_false_referrals(np.arange(1000), 400, {"nrm_referrals": 0.5, "ngo_casework": 0.5},
    ...                                  share=0.2, seed=1)
    >>> len(people) == int(c.any(axis=1).sum()), c.shape[1]  # 100 drawn, about 75 of them listed
    (True, 2)
    """
    check_type(pool, (np.ndarray, list, tuple), param="pool", func="draw_false_referrals", expected="an array of ids")
    probs = DEFAULT_VICTIM_LISTS if probs is None else probs
    m = false_referral_count(victims, share)
    pool = np.asarray(pool, dtype=np.int64)
    if m > len(pool):
        raise ParameterError(
            f"The 'victim_false_share' parameter of {_FUNC} asks for {m:,} false referrals beside {victims:,} victims "
            f"but only {len(pool):,} people are in no ring: lower it or generate more people. Got {share!r}."
        )
    if m == 0:
        return np.zeros(0, np.int64), np.zeros((0, len(probs)), bool)
    rng = np.random.Generator(np.random.PCG64([seed, _STREAM, _FALSE_STREAM]))
    caught = _draw_law(rng, m, probs, dependence, visibility)
    people = rng.choice(pool, size=m, replace=False)
    seen = caught.any(axis=1)
    return people[seen], caught[seen]


def list_spec_text(name: str) -> str:
    """The ingest spec (TOML) shipped for a victim list (``crimnet/ingest/specs/<name>.toml``)."""
    if name not in VICTIM_LISTS:
        raise bad_parameter("name", "list_spec_text", f"one of {', '.join(VICTIM_LISTS)}", name)
    return (Path(__file__).resolve().parent.parent / "ingest" / "specs" / f"{name}.toml").read_text()
