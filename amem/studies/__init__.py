"""Studies: a figure or table from its sweeps, run, rendered and checked.

A study is a TOML file (shipped ones in ``amem/studies/defs/``) naming sweeps (harness sweep
configurations, any probe), outputs (renderers ``module:function`` over the sweeps' records) and
reference values. Modules: :mod:`~amem.studies.spec` (files), :mod:`~amem.studies.runner` (run
what is missing), :mod:`~amem.studies.render` (outputs and sidecars),
:mod:`~amem.studies.check` (render and compare), :mod:`~amem.studies.tables` (Markdown, LaTeX),
:mod:`~amem.studies.html` (one page per study), :mod:`~amem.studies.readme` (rendered README
numbers), :mod:`~amem.studies.conformance` (reference values and verdicts).
"""
