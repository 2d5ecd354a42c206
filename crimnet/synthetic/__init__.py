"""Synthetic multi-agency cases with planted exploitation rings and ground truth."""
