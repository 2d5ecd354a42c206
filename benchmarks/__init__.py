"""Benchmarks: each script measures one target and writes JSON and Markdown to benchmarks/results/."""
