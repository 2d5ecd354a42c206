"""Prevalence: how many cases has no list seen? Multiple systems estimation (MSE) from capture histories.

Several agencies each list the potential victims they met; once records are linked across the lists,
the pattern of overlaps says how many no list saw. The modules, in the order data flows:

- :mod:`~crimnet.prevalence.histories` -- capture histories from a CSV, a bundled table or a resolved case;
- :mod:`~crimnet.prevalence.loglinear` -- Poisson log-linear models, the sparse-data (minus infinity) rule;
- :mod:`~crimnet.prevalence.existence` -- the Fienberg-Rinaldo existence check and the rank check;
- :mod:`~crimnet.prevalence.fit` -- one model, fitted with statsmodels, refused when unsupported;
- :mod:`~crimnet.prevalence.selection` -- stepwise, BIC, downhill, main effects, fixed;
- :mod:`~crimnet.prevalence.bootstrap` -- BCa intervals with the model choice repeated in every resample;
- :mod:`~crimnet.prevalence.estimate` -- :func:`estimate`, the public entry point;
- :mod:`~crimnet.prevalence.simulate` -- capture histories with a known total, for validation;
- :mod:`~crimnet.prevalence.validate` -- bias and coverage against the generator's truth (victim lists);
- :mod:`~crimnet.prevalence.command` -- what ``crimnet prevalence`` prints.

See docs/prevalence.md.

Examples
--------
>>> from crimnet.datasets import load_capture_histories
>>> from crimnet.prevalence import estimate
>>> r = estimate(load_capture_histories("Western"), method="stepwise", nboot=0)
>>> r.model, round(r.total, 2)
('A:E', 2483.38)
"""

from crimnet.prevalence.command import format_estimate, plot_models, prevalence_command
from crimnet.prevalence.estimate import METHODS, PrevalenceEstimate, estimate
from crimnet.prevalence.existence import Existence, ModelNotSupportedError, check_existence
from crimnet.prevalence.fit import ModelFit, fit_model
from crimnet.prevalence.histories import CaptureHistoryError, capture_table, from_tables, read_capture_histories
from crimnet.prevalence.simulate import simulate_histories

__all__ = [
    "METHODS",
    "CaptureHistoryError",
    "Existence",
    "ModelFit",
    "ModelNotSupportedError",
    "PrevalenceEstimate",
    "capture_table",
    "check_existence",
    "estimate",
    "fit_model",
    "format_estimate",
    "from_tables",
    "plot_models",
    "prevalence_command",
    "read_capture_histories",
    "simulate_histories",
]
