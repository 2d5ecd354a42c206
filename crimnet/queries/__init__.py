"""The investigator's Cypher query library and its runner."""
