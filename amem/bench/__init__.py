"""Command line: ``python -m amem.bench {capacity,list,plot,...}``."""
