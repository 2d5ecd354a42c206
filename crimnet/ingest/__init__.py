"""Ingest: source specs, readers, normalisers, entity resolution, quarantine, canonical writer."""

from crimnet.ingest.pipeline import IngestResult, ingest

__all__ = ["IngestResult", "ingest"]
