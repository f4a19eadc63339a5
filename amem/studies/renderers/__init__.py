"""Renderers of the shipped studies: plain functions ``f(records_by_sweep, **args)`` that return a
Figure/Axes, a :class:`amem.studies.tables.Table` or a string (see :mod:`amem.studies.render`)."""
