"""Command-line benchmarks: ``python -m amem.bench <command>``."""
