"""Graph stores, graph views and the detection and disruption algorithms."""
