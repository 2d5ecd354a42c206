"""Presets and difficulty knobs of the synthetic case generator."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from crimnet.errors import ParameterError, check_choice, check_interval, check_type
from crimnet.schema import TYPOLOGIES
from crimnet.synthetic.dialects import parse_dialects
from crimnet.synthetic.victim_lists import MAX_FALSE_SHARE, parse_dependence, parse_raids, parse_victim_lists

__all__ = ["CaseParams", "PRESETS", "case_params", "default_rings"]

_FUNC = "generate_case"

_DEFAULT_MIX: dict[str, float] = {
    "labour_small_business": 0.25,
    "labour_agriculture": 0.10,
    "labour_construction": 0.12,
    "sexual": 0.20,
    "criminal_county_lines": 0.15,
    "criminal_cannabis": 0.10,
    "domestic_servitude": 0.08,
}


@dataclass(frozen=True)
class CaseParams:
    """Every knob of one synthetic case; presets set the defaults.

    Rates are probabilities in [0, 1]. Defaults below are those of the
    ``medium`` preset; ``easy`` and ``hard`` (see :data:`PRESETS`) change the
    difficulty knobs only, never the size.

    Attributes
    ----------
    people : int, default 10000
        Number of people in the town, background and rings together, in
        [100, 5_000_000].
    seed : int, default 0
        Seed of the numpy ``Generator(PCG64)``; same seed and parameters give
        byte-identical files.
    rings : int or None, default None
        Number of planted rings. ``None`` gives ``max(min_rings, round(people /
        people_per_ring))`` (``min_rings`` applies from 1,000 people; below that
        at least one ring).
    people_per_ring : int, default 1500
        Background people per planted ring when `rings` is None: rings are a small
        minority (about 1 ring per 1,000-2,000 people).
    min_rings : int, default 5
        Least number of rings in a case of 1,000 people or more.
    ring_size : tuple of int, default (8, 24)
        Inclusive range of the size of a ring (perpetrators and victims). Cannabis
        rings keep 2-5 victims and domestic servitude rings 1-2 victims whatever
        the range.
    typology_mix : dict of str to float
        Relative weight of each typology of :data:`crimnet.schema.TYPOLOGIES`.
    months : int, default 3
        Length of the observation window in months of 30 days from 2025-01-01;
        wages and rent are paid once a month.
    camouflage : float, default 0.6
        Share of perpetrators' ordinary ties kept: living with their family,
        a legitimate job, calls and payments with friends and family. 0 makes
        perpetrators isolated (easy to spot); 1 makes them look like everybody
        else.
    missing_links : float, default 0.10
        Share of true links (living at, using a phone, holding an account, working
        at, directing, keeping a vehicle; and of payments, calls and ANPR reads)
        that reach no agency: they are in ``truth/tables`` but in no raw file.
    name_noise : float, default 0.10
        Probability that a rendered person name is corrupted: a typo (substitution,
        deletion, transposition, doubled letter), a transliteration variant
        (Mohammed/Muhammad/Mohamed) or swapped token order.
    field_noise : float, default 0.03
        Probability that a rendered date of birth, phone number, postcode or street
        name carries an error (a digit typo, day and month swapped, a letter typo).
    blank_rate : float, default 0.05
        Probability that an optional field (date of birth, phone, address,
        postcode, registration, IBAN, NINO) is left empty.
    duplicate_rate : float, default 0.03
        Share of person records (tenancy, bank customers, payroll, keepers, police
        intelligence) repeated under a second record id with independent noise, so
        that the copies may conflict.
    lookalike : float, default 1.0
        Density of legitimate look-alikes, multiplying the share of people in
        shared houses (HMOs) and student halls, the share of workers at large
        employers, family phones, fleet vehicles seen at many addresses and
        people who sweep their wages into a savings account.
    intel_perpetrator : float, default 0.30
        Probability that a perpetrator appears in police intelligence.
    intel_victim : float, default 0.10
        Probability that a victim appears in police intelligence.
    intel_background : float, default 0.02
        Probability that a background person appears in police intelligence.
    payments_per_account : float, default 1.0
        Mean number of everyday payments (shops, friends, bills) made per account
        per month; counts are Pareto (heavy-tailed), amounts lognormal.
    calls_per_phone : float, default 2.0
        Mean number of calls made per phone per month; counts are Pareto.
    reads_per_vehicle : float, default 1.0
        Mean number of ANPR reads per background vehicle per month.
    realism : float, default 0.0
        Density of the legitimate structures of real towns that look like rings, added on top of
        `lookalike` (0 adds none and leaves the world as before): per 10,000 people about
        ``realism`` licensed labour agencies (workers housed in 3 shared houses), letting agents and
        remittance shops (a share of foreign nationals send money home through them), a seasonal farm
        house per 5,000 people, and joint accounts of couples (30% x realism) whose adult children pay
        housekeeping into them. In [0, 3].
    dialects : str, default 'standard'
        How each extract is written (:mod:`crimnet.synthetic.dialects`): ``'standard'`` (the layouts
        of ``docs/sources.md``), ``'alternative'`` (each source in one of its other dialects, chosen by
        seed), ``'mixed'`` (any dialect, chosen by seed), or ``'source=dialect,...'`` naming the
        dialect of some sources (the others standard). The matching specs are written to
        ``<case>/specs``.
    victim_lists : dict of str to float, default {} (off)
        Lists of potential victims as agencies keep them (:mod:`crimnet.synthetic.victim_lists`), each
        written as an extract the standard ingest reads (``<list>.csv``): list name -> probability that
        the list records a true victim, in (0, 1). Lists: ``nrm_referrals`` (National Referral
        Mechanism), ``ngo_casework``, ``helpline_reports``, ``police_victims``. Also accepted:
        ``'default'`` (``nrm_referrals`` 0.35, ``ngo_casework`` 0.25, ``helpline_reports`` 0.10,
        ``police_victims`` 0.20) and ``'list=p,...'``. Empty: no list is written and every other file
        is as without the option; on, the other extracts are byte-identical too (own random stream),
        and ``truth/victim_lists.csv`` records every true victim and the lists that recorded it.
    victim_list_dependence : dict of str to float, default {}
        Conditional log odds ratio of pairs of lists, ``'a:b'`` -> value in [-5, 5] (positive: a victim
        on one list is more likely on the other, as when an NGO refers its clients to the NRM); the
        marginal probabilities stay those of `victim_lists`. Also accepted as ``'a:b=g,...'``.
    victim_visibility : float, default 0.0
        Heterogeneity: standard deviation of a latent visibility per victim, on the log-odds scale and
        shared by every list, in [0, 5] (0: victims equally likely to be listed). Marginals stay those
        of `victim_lists`; no log-linear model captures it, so estimates fall short of the truth.
    victim_ring_raids : dict of str to float, default {} (off)
        Whole-ring raids: list -> share of rings whose victims the list records all at once, below the
        list's probability (one draw per ring shared by the lists named, so a ring raided for a smaller
        share is raided for every larger one; the other victims are recorded less often, so the marginal
        stays that of `victim_lists`). Captures become dependent within rings, which no model of capture
        histories sees. Also accepted as ``'list=r,...'`` (``'police_victims=0.1'``).
    victim_false_share : float, default 0.0 (off)
        False referrals: people in no ring (referred and found not to be victims, or exploited
        elsewhere) listed by the victims' law, so that on average this share of each list's records is
        false, in [0, 0.5]. ``truth/false_referrals.csv`` names them; ``truth/victim_lists.csv`` stays
        the true victims.
    """

    people: int = 10_000
    seed: int = 0
    rings: int | None = None
    people_per_ring: int = 1500
    min_rings: int = 5
    ring_size: tuple[int, int] = (8, 24)
    typology_mix: dict[str, float] = field(default_factory=lambda: dict(_DEFAULT_MIX))
    months: int = 3
    camouflage: float = 0.6
    missing_links: float = 0.10
    name_noise: float = 0.10
    field_noise: float = 0.03
    blank_rate: float = 0.05
    duplicate_rate: float = 0.03
    lookalike: float = 1.0
    intel_perpetrator: float = 0.30
    intel_victim: float = 0.10
    intel_background: float = 0.02
    payments_per_account: float = 1.0
    calls_per_phone: float = 2.0
    reads_per_vehicle: float = 1.0
    realism: float = 0.0
    dialects: str = "standard"
    victim_lists: dict[str, float] = field(default_factory=dict)
    victim_list_dependence: dict[str, float] = field(default_factory=dict)
    victim_visibility: float = 0.0
    victim_ring_raids: dict[str, float] = field(default_factory=dict)
    victim_false_share: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        """Return the parameters as plain JSON-ready values.

        Without victim lists their parameters are left out, and so are raids and false referrals when
        off, so a case's manifest is as before those options existed.
        """
        out = asdict(self)
        out["ring_size"] = list(self.ring_size)
        for name in _VICTIM_PARAMS:
            if not self.victim_lists or (name in _VICTIM_EXTRAS and not out[name]):
                del out[name]
        return out

    @property
    def n_rings(self) -> int:
        """The number of rings this case plants."""
        if self.rings is not None:
            return self.rings
        return default_rings(self.people, self.people_per_ring, self.min_rings)


PRESETS: dict[str, dict[str, Any]] = {
    "easy": dict(
        camouflage=0.3,
        missing_links=0.02,
        name_noise=0.03,
        field_noise=0.01,
        blank_rate=0.02,
        duplicate_rate=0.01,
        lookalike=0.5,
        intel_perpetrator=0.5,
        intel_victim=0.2,
        people_per_ring=1000,
    ),
    "medium": {},
    "realistic": dict(realism=1.0, dialects="alternative", people_per_ring=2500),
    "hard": dict(
        camouflage=0.9,
        missing_links=0.25,
        name_noise=0.2,
        field_noise=0.06,
        blank_rate=0.10,
        duplicate_rate=0.06,
        lookalike=1.6,
        intel_perpetrator=0.15,
        intel_victim=0.05,
        people_per_ring=2000,
    ),
}
"""Presets: overrides of the :class:`CaseParams` defaults (``medium`` is the defaults). ``realistic`` is
``medium`` with the look-alike structures of real towns (``realism``), every extract in another dialect
with its spec written into the case, and one ring per 2,500 people."""


def default_rings(people: int, people_per_ring: int = 1500, min_rings: int = 5) -> int:
    """Return the default number of rings for a town of `people`.

    >>> default_rings(10_000), default_rings(1_000_000), default_rings(500)
    (7, 667, 1)
    """
    check_interval(people, param="people", func="default_rings", low=0, closed="left", integer=True)
    floor = min_rings if people >= 1000 else 1
    return max(floor, int(round(people / people_per_ring)))


_VICTIM_EXTRAS = ("victim_ring_raids", "victim_false_share")
_VICTIM_PARAMS = ("victim_lists", "victim_list_dependence", "victim_visibility", *_VICTIM_EXTRAS)

_RATES = (
    "camouflage",
    "missing_links",
    "name_noise",
    "field_noise",
    "blank_rate",
    "duplicate_rate",
    "intel_perpetrator",
    "intel_victim",
    "intel_background",
)


def case_params(*, people: int = 10_000, seed: int = 0, preset: str = "medium", **overrides: Any) -> CaseParams:
    """Return validated :class:`CaseParams` from a preset and overrides.

    Raises
    ------
    crimnet.errors.ParameterError
        With the one template, naming the offending parameter.

    >>> case_params(people=2000, preset="hard").camouflage
    0.9
    """
    check_choice(preset, PRESETS, param="preset", func=_FUNC)
    check_interval(people, param="people", func=_FUNC, low=100, high=5_000_000, closed="both", integer=True)
    check_interval(seed, param="seed", func=_FUNC, low=0, high=2**63 - 1, closed="both", integer=True)
    known = {f.name for f in fields(CaseParams)} - {"people", "seed"}
    for key in sorted(overrides):
        check_choice(key, sorted(known), param="overrides", func=_FUNC)
    values = {**PRESETS[preset], **overrides}
    p = replace(CaseParams(), people=int(people), seed=int(seed), **values)
    for name in _RATES:
        check_interval(getattr(p, name), param=name, func=_FUNC, low=0, high=1, closed="both")
    check_interval(p.lookalike, param="lookalike", func=_FUNC, low=0, high=3, closed="both")
    check_interval(p.realism, param="realism", func=_FUNC, low=0, high=3, closed="both")
    if isinstance(p.dialects, dict):
        p = replace(p, dialects=",".join(f"{k}={v}" for k, v in sorted(p.dialects.items())))
    check_type(p.dialects, str, param="dialects", func=_FUNC, expected="a str or a dict of source to dialect")
    parse_dialects(p.dialects)
    lists = parse_victim_lists(p.victim_lists)
    p = replace(p, victim_lists=lists, victim_list_dependence=parse_dependence(p.victim_list_dependence, list(lists)))
    check_interval(p.victim_visibility, param="victim_visibility", func=_FUNC, low=0, high=5, closed="both")
    p = replace(p, victim_ring_raids=parse_raids(p.victim_ring_raids, lists))
    check_interval(
        p.victim_false_share, param="victim_false_share", func=_FUNC, low=0, high=MAX_FALSE_SHARE, closed="both"
    )
    check_interval(p.months, param="months", func=_FUNC, low=1, high=24, closed="both", integer=True)
    check_interval(
        p.people_per_ring, param="people_per_ring", func=_FUNC, low=50, high=10**7, closed="both", integer=True
    )
    check_interval(p.min_rings, param="min_rings", func=_FUNC, low=0, high=10**5, closed="both", integer=True)
    for name in ("payments_per_account", "calls_per_phone", "reads_per_vehicle"):
        check_interval(getattr(p, name), param=name, func=_FUNC, low=0, high=100, closed="both")
    check_type(p.ring_size, (tuple, list), param="ring_size", func=_FUNC, expected="a pair (low, high) of ints")
    if (
        len(p.ring_size) != 2
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in p.ring_size)
        or not 4 <= p.ring_size[0] <= p.ring_size[1] <= 200
    ):
        raise ParameterError(
            f"The 'ring_size' parameter of {_FUNC} must be a pair (low, high) of ints with 4 <= low <= high <= 200. "
            f"Got {p.ring_size!r} instead."
        )
    p = replace(p, ring_size=(int(p.ring_size[0]), int(p.ring_size[1])))
    check_type(p.typology_mix, dict, param="typology_mix", func=_FUNC, expected="a dict of typology to weight")
    for key in sorted(p.typology_mix):
        check_choice(key, TYPOLOGIES, param="typology_mix", func=_FUNC)
        check_interval(p.typology_mix[key], param="typology_mix", func=_FUNC, low=0, closed="left")
    if not math.fsum(p.typology_mix.values()) > 0:
        raise ParameterError(
            f"The 'typology_mix' parameter of {_FUNC} must be a dict of typology to weight with a positive sum. "
            f"Got {p.typology_mix!r} instead."
        )
    if p.rings is not None:
        check_interval(p.rings, param="rings", func=_FUNC, low=0, high=10**5, closed="both", integer=True)
    members = p.n_rings * (p.ring_size[0] + p.ring_size[1]) / 2
    if members > 0.3 * p.people:
        raise ParameterError(
            f"The 'rings' parameter of {_FUNC} must leave rings a minority (at most 30% of people). "
            f"Got {p.n_rings!r} instead."
        )
    return p
