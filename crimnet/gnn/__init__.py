"""Graph neural networks over the heterogeneous graph: roles of people, a learned cluster ranking, hidden links.

Modules, in the order data flows through them:

* :mod:`~crimnet.gnn.features`: label-free node features from the canonical tables;
* :mod:`~crimnet.gnn.data`: the tables as a PyG ``HeteroData`` (every label and relationship type of
  :mod:`crimnet.schema`, reverse edges included) with id maps both ways;
* :mod:`~crimnet.gnn.sampler`: ``NeighborLoader`` mini-batches, with a plain-torch sampler when pyg-lib and
  torch-sparse are absent;
* :mod:`~crimnet.gnn.models`: heterogeneous GraphSAGE and HGT;
* :mod:`~crimnet.gnn.roles`: training (class-weighted, early-stopped) and prediction of role probabilities;
* :mod:`~crimnet.gnn.baselines`: boosted trees on neighbourhood aggregates, and today's rule scores;
* :mod:`~crimnet.gnn.ranking`: the learned cluster score with its reasons;
* :mod:`~crimnet.gnn.fragments`: fragments of one structure among the ranked clusters, folded behind its head;
* :mod:`~crimnet.gnn.explain`: the adjacent entities behind a person's score (gradient saliency);
* :mod:`~crimnet.gnn.persist`: model folders (weights, config, features, versions, metrics);
* :mod:`~crimnet.gnn.links`: hidden-link prediction against Adamic-Adar and Katz;
* :mod:`~crimnet.gnn.workflow`: ``train`` and ``score``, the compositions behind ``crimnet train`` and
  ``crimnet score``.

The package needs the ``gnn`` extra (torch, torch-geometric, scikit-learn); importing this package itself
imports none of them. The device is chosen at run time: CUDA when present, else the CPU.
"""

__all__: list[str] = []
