"""Disruption: strategies that rank nodes for removal, their comparison and robustness curves."""

from crimnet.graphs.disrupt.disruption import *  # noqa: F403
from crimnet.graphs.disrupt.disruption import __all__ as _strategies_all
from crimnet.graphs.disrupt.robustness import CURVE_COLUMNS, r_index, robustness_curve, robustness_curve_bruteforce

__all__ = [*_strategies_all, "CURVE_COLUMNS", "r_index", "robustness_curve", "robustness_curve_bruteforce"]
