"""Who the victim lists of a generated case record: its victims and, where asked, false referrals.

One function, used by the renderer (which writes the lists) and by the prevalence validation's fast
path (which needs only the capture histories), so that both draw the same people with the same law
(:mod:`crimnet.synthetic.victim_lists`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from crimnet.errors import check_type
from crimnet.synthetic.victim_lists import draw_captures, draw_false_referrals
from crimnet.synthetic.world import ROLE_CODES, World

__all__ = ["Listed", "draw_listed"]


@dataclass(frozen=True)
class Listed:
    """The people on a case's victim lists.

    Attributes
    ----------
    lists : list of str
        The lists, in column order.
    victims : numpy.ndarray of int
        Every true victim (person index), recorded or not.
    captures : numpy.ndarray of bool
        ``(len(victims), len(lists))``: which lists record each victim.
    false_persons : numpy.ndarray of int
        The false referrals some list records (people in no ring); empty unless ``victim_false_share``.
    false_captures : numpy.ndarray of bool
        ``(len(false_persons), len(lists))``.
    """

    lists: list[str]
    victims: np.ndarray
    captures: np.ndarray
    false_persons: np.ndarray
    false_captures: np.ndarray

    def recorded(self, i: int) -> np.ndarray:
        """The people list `i` records: its victims, then its false referrals (person indices)."""
        return np.concatenate([self.victims[self.captures[:, i]], self.false_persons[self.false_captures[:, i]]])


def draw_listed(world: World, seed: int) -> Listed:
    """Draw who each victim list of `world` records (its parameters ``victim_*``), from `seed`.

    False referrals are drawn from the people with no ring role and in no ring. O(people + victims 2^t).
    """
    check_type(world, World, param="world", func="draw_listed", expected="a World")
    p = world.params
    victims = np.flatnonzero(world.role == ROLE_CODES.index("victim"))
    dep, vis = p.victim_list_dependence, p.victim_visibility
    caught = draw_captures(
        len(victims), p.victim_lists, dependence=dep, visibility=vis, seed=seed, rings=world.ring[victims],
        raids=p.victim_ring_raids,
    )  # fmt: skip
    pool = np.flatnonzero((world.role == ROLE_CODES.index("none")) & (world.ring < 0))
    false, fcaught = draw_false_referrals(
        pool, len(victims), p.victim_lists, share=p.victim_false_share, dependence=dep, visibility=vis, seed=seed
    )
    return Listed(list(p.victim_lists), victims, caught, false, fcaught)
