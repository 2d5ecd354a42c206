"""Ingest: source specs, readers, normalisers, entity resolution, quarantine, canonical writer."""
