"""The record layer: the append-only store, the record codec and provenance.

It imports nothing of :mod:`amem.harness` (checked by the import contracts in ``pyproject.toml``):
records can be read, written and checked without the code that produces them.
"""
