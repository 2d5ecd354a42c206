"""Detection: community methods, splitting, spectral methods, centrality, risk, roles, money, tracking, evaluation.

One module per job: :mod:`~crimnet.graphs.detect.community` (community methods and the ``clusters`` table),
:mod:`~crimnet.graphs.detect.split` (splitting oversized communities), :mod:`~crimnet.graphs.detect.spectral`,
:mod:`~crimnet.graphs.detect.centrality`, :mod:`~crimnet.graphs.detect.evidence` (the evidence type, the case's
reference date, ages and family names), :mod:`~crimnet.graphs.detect.risk` (cluster risk),
:mod:`~crimnet.graphs.detect.roles` (who controls, who is exploited), :mod:`~crimnet.graphs.detect.money`,
:mod:`~crimnet.graphs.detect.tracking`, :mod:`~crimnet.graphs.detect.evaluate`, and
:mod:`~crimnet.graphs.detect.detection`, which composes them (:func:`detect`).
"""

from crimnet.graphs.detect.detection import (
    DEFAULT_METHOD,
    DETECTION_METHODS,
    METHODS,
    DetectionMethod,
    DetectionResult,
    detect,
    evaluate_detection,
)
from crimnet.graphs.detect.evidence import Evidence, family_names, person_ages, reference_date
from crimnet.graphs.detect.risk import RiskWeights, cluster_risk
from crimnet.graphs.detect.roles import infer_roles, inferred_pairs

__all__ = [
    "DEFAULT_METHOD",
    "DETECTION_METHODS",
    "METHODS",
    "DetectionMethod",
    "DetectionResult",
    "Evidence",
    "RiskWeights",
    "cluster_risk",
    "detect",
    "evaluate_detection",
    "family_names",
    "infer_roles",
    "inferred_pairs",
    "person_ages",
    "reference_date",
]
