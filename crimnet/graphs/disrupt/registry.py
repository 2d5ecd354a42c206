"""The strategy registry: strategy names mapped to their ranking functions.

A strategy is registered once, where it is defined, by the
:func:`register_strategy` decorator; it then appears in :func:`strategies`, in
:func:`~crimnet.graphs.disrupt.compare.disrupt`, in ``crimnet disrupt`` and in
every benchmark. The built-in strategies of
:mod:`~crimnet.graphs.disrupt.attacks`,
:mod:`~crimnet.graphs.disrupt.dismantling` and
:mod:`~crimnet.graphs.disrupt.exploitation` are registered when
:mod:`crimnet.graphs.disrupt` is imported, in that order.

The registry is the one piece of module-level mutable state of the disruption
package. It is filled at import time by the decorators and crimnet never
changes it at run time: a strategy that only makes sense for one run (one
built from that run's detected clusters, say) is passed to
:func:`~crimnet.graphs.disrupt.compare.disrupt` as a callable instead.
:func:`unregister_strategy` exists for plug-ins and tests that register their
own.

Examples
--------
>>> import igraph as ig
>>> import pandas as pd
>>> from crimnet.graphs.disrupt.ordering import score_ranking
>>> @register_strategy("eccentricity_demo")
... def eccentricity_demo_ranking(graph, *, budget=None, seed=0, costs=None, budget_cost=None):
...     '''Remove the most central nodes (lowest eccentricity) first.'''
...     ecc = pd.Series(graph.eccentricity(), index=range(graph.vcount()))
...     return score_ranking(graph, -ecc, budget=budget, seed=seed, costs=costs,
...                          budget_cost=budget_cost, strategy="eccentricity_demo")
>>> "eccentricity_demo" in strategies()
True
>>> get_strategy("eccentricity_demo").func(ig.Graph.Star(5), budget=1)["node_id"].tolist()
[0]
>>> unregister_strategy("eccentricity_demo")
>>> "eccentricity_demo" in strategies()
False
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from crimnet.errors import ParameterError, check_choice, check_type
from crimnet.graphs.disrupt.weights import WEIGHT_USES

__all__ = ["StrategyFunction", "StrategyInfo", "get_strategy", "register_strategy", "strategies", "unregister_strategy"]

StrategyFunction = Callable[..., pd.DataFrame]
"""A ranking function: ``f(graph, *, budget=None, seed=0, costs=None, budget_cost=None, **params) -> ranking``."""


@dataclass(frozen=True)
class StrategyInfo:
    """A registered strategy: its name, function, the labels and vertex attribute it needs, and its weights."""

    name: str
    func: StrategyFunction
    needs_pairs: bool = False
    needs_attribute: str | None = None
    weights: str = "none"
    """What the strategy consumes from edge weights: 'strength', 'distance' or 'none' (structural)."""


# Filled at import by @register_strategy on the built-in strategies; never changed at run time by crimnet.
_REGISTRY: dict[str, StrategyInfo] = {}


def register_strategy(
    name: str, *, needs_pairs: bool = False, needs_attribute: str | None = None, weights: str = "none"
) -> Callable[[StrategyFunction], StrategyFunction]:
    """Register a ranking function under `name` (a decorator); it is returned unchanged.

    Parameters
    ----------
    name : str
        The strategy name, as it appears in ``ranking['strategy']``, in
        :func:`~crimnet.graphs.disrupt.compare.disrupt` and on the command line.
    needs_pairs : bool, default False
        The strategy needs ``victims``/``controllers``/``pairs`` keyword
        arguments; :func:`~crimnet.graphs.disrupt.compare.disrupt` passes them
        and skips the strategy when no labels are given.
    needs_attribute : str, optional
        The vertex attribute the strategy ranks by, which the caller sets (learned scores, say); such a
        strategy is left out of :func:`strategies` unless ``with_attribute=True``, so the default
        comparisons never run it on a graph without that attribute. It can always be named.
    weights : {'none', 'strength', 'distance'}, default 'none'
        What the strategy consumes from edge weights (see
        :mod:`~crimnet.graphs.disrupt.weights`). Anything but 'none' promises a
        ``weights`` keyword (``'ignore'``, ``'strength'`` or ``'distance'``:
        what the data's weight means), which
        :func:`~crimnet.graphs.disrupt.compare.disrupt` passes on.

    Returns
    -------
    callable
        The decorator; it registers the function it is applied to and returns
        it unchanged.

    Raises
    ------
    crimnet.errors.ParameterError
        If `name` is not a non-empty string or is already registered to
        another function.

    Notes
    -----
    O(1). Registering the same function (same qualified name) again is a
    no-op, so reloading a module does not fail.

    Examples
    --------
    See the module docstring.
    """
    check_type(name, str, param="name", func="register_strategy", expected="a non-empty str")
    check_choice(weights, WEIGHT_USES, param="weights", func="register_strategy")
    if not name:
        raise ParameterError("The 'name' parameter of register_strategy must be a non-empty str. Got '' instead.")

    def deco(func: StrategyFunction) -> StrategyFunction:
        old = _REGISTRY.get(name)
        if old is not None and old.func.__qualname__ != func.__qualname__:
            raise ParameterError(
                f"The 'name' parameter of register_strategy must be a new strategy name. Got {name!r} "
                f"(already registered to {old.func.__qualname__}) instead."
            )
        _REGISTRY[name] = StrategyInfo(name, func, needs_pairs, needs_attribute, weights)
        return func

    return deco


def unregister_strategy(name: str) -> None:
    """Remove a strategy from the registry (e.g. after a test); unknown names are ignored.

    Parameters
    ----------
    name : str
        A strategy name.

    Returns
    -------
    None

    Raises
    ------
    crimnet.errors.ParameterError
        If `name` is not a string.

    Notes
    -----
    O(1).

    Examples
    --------
    >>> unregister_strategy("no-such-strategy")
    """
    check_type(name, str, param="name", func="unregister_strategy", expected="a str")
    _REGISTRY.pop(name, None)


def strategies(*, needs_pairs: bool | None = None, with_attribute: bool = False) -> list[str]:
    """Return the registered strategy names, in registration order.

    Parameters
    ----------
    needs_pairs : bool, optional
        Only those that need (True) or do not need (False) victim/controller labels.
    with_attribute : bool, default False
        Also those that rank by a vertex attribute the caller sets (``needs_attribute``, such as
        ``learned_score``); by default they are left out, as most graphs lack the attribute.

    Returns
    -------
    list of str
        Strategy names.

    Notes
    -----
    O(number of strategies).

    Examples
    --------
    >>> strategies()[:3]
    ['random', 'degree', 'degree_adaptive']
    >>> strategies(needs_pairs=True)
    ['victim_controller_cut']
    """
    return [
        k
        for k, v in _REGISTRY.items()
        if (needs_pairs is None or v.needs_pairs == needs_pairs) and (with_attribute or v.needs_attribute is None)
    ]


def get_strategy(name: str) -> StrategyInfo:
    """Return the :class:`StrategyInfo` of a registered strategy.

    Parameters
    ----------
    name : str
        A registered strategy name (see :func:`strategies`).

    Returns
    -------
    StrategyInfo
        Its name, ranking function and whether it needs labels.

    Raises
    ------
    crimnet.errors.ParameterError
        If no strategy of that name is registered.

    Notes
    -----
    O(number of strategies) for the check.

    Examples
    --------
    >>> get_strategy("degree").func.__name__
    'degree_ranking'
    """
    check_choice(name, list(_REGISTRY), param="strategy", func="get_strategy")
    return _REGISTRY[name]
