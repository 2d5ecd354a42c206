"""Synthetic multi-agency cases with planted exploitation rings and ground truth.

:func:`generate_case` writes the raw agency extracts, the truth files and the
true canonical tables of one synthetic town; see ``docs/sources.md``.
"""

from crimnet.synthetic.generate import CasePaths, generate_case
from crimnet.synthetic.params import PRESETS, CaseParams, case_params

__all__ = ["CasePaths", "CaseParams", "PRESETS", "case_params", "generate_case"]
