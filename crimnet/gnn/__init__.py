"""Graph neural networks over the heterogeneous graph."""
