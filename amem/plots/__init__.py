"""Figures from records and summaries: capacity curves (:mod:`amem.plots.capacity`) and the PID
anatomy (:mod:`amem.plots.anatomy`). The library never picks a matplotlib backend; the command
line draws on ``matplotlib.figure.Figure`` objects, which need none."""
