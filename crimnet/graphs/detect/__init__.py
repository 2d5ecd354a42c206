"""Detection: community methods, splitting, spectral methods, centrality, risk, roles, money, tracking, evaluation."""

from crimnet.graphs.detect.detection import METHODS, DetectionResult, detect, evaluate_detection

__all__ = ["METHODS", "DetectionResult", "detect", "evaluate_detection"]
