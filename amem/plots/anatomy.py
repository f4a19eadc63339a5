"""Figures of the PID anatomy: atoms against load (Fig. 1D style) and bin-count sensitivity.

Data first (:func:`amem.anatomy.summarise`), then rendering; matplotlib is imported inside the
functions (Agg backend), figures are sized for one paper column and returned, never shown.
"""

from __future__ import annotations

import numpy as np

from amem.anatomy import ATOM_COLUMNS, summarise

#: Atom labels and colours (colour-blind safe Okabe-Ito palette).
ATOM_STYLE = {
    "redundancy": (r"$\Pi_{\mathrm{red}}$", "#0072B2"),
    "unique_internal": (r"$\Pi_{\mathrm{unq,int}}$", "#D55E00"),
    "unique_external": (r"$\Pi_{\mathrm{unq,ext}}$", "#009E73"),
    "synergy": (r"$\Pi_{\mathrm{syn}}$", "#CC79A7"),
    "residual_entropy": (r"$H_{\mathrm{res}}$", "#999999"),
}
COLUMN_WIDTH_IN = 3.4
HEBBIAN_CAPACITY = 0.138  # Amit, Gutfreund & Sompolinsky (1985)


def _figure(**kwargs):
    """A figure outside pyplot: never touches the user's matplotlib backend."""
    from matplotlib.figure import Figure

    return Figure(**kwargs)


def plot_anatomy(rows, theory=None, capacity: float | None = None, title: str = ""):
    """Recall overlap (top) and the five atoms (bottom) against load on a log axis.

    ``rows``: records of one model and size (``amem.anatomy.run_anatomy``); median line and 5-95 %
    band over seeds. ``theory``: optional (alphas, atoms (K, 5)) closed-form overlay (dashed).
    ``capacity``: a load to mark with a vertical dashed line (e.g. 0.138 for Hebbian).
    Returns the figure.
    """
    data = summarise(rows)
    fig = _figure(figsize=(COLUMN_WIDTH_IN, 4.3), layout="constrained")
    ax_acc, ax = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [1, 2.6]})
    x = data["x"]
    ax_acc.plot(x, data["mean_overlap"], color="k", lw=1.2)
    ax_acc.fill_between(x, data["mean_overlap_lo"], data["mean_overlap_hi"], color="k", alpha=0.15,
                        lw=0)
    ax_acc.axhline(0.95, color="k", lw=0.6, ls=":")
    ax_acc.set_ylabel("recall $m$")
    ax_acc.set_ylim(min(0.0, float(np.nanmin(data["mean_overlap_lo"]))), 1.05)
    for col in ("redundancy", "unique_internal", "unique_external", "synergy", "residual_entropy"):
        label, colour = ATOM_STYLE[col]
        ax.plot(x, data[col], color=colour, lw=1.4, label=label)
        ax.fill_between(x, data[col + "_lo"], data[col + "_hi"], color=colour, alpha=0.2, lw=0)
    if "output_entropy" in data:  # the plug-in H(Y) bounds every atom sum (small P: below 1 bit)
        ax.plot(x, data["output_entropy"], color="k", lw=0.8, ls=":", label=r"$H(Y)$")
    if theory is not None:
        t_alpha, t_atoms = theory
        for k, col in enumerate(ATOM_COLUMNS):
            ax.plot(t_alpha, t_atoms[:, k], color=ATOM_STYLE[col][1], lw=0.9, ls="--")
        ax.plot([], [], color="0.3", lw=0.9, ls="--", label="closed form")
    if capacity is not None:
        for a in (ax_acc, ax):
            a.axvline(capacity, color="0.4", lw=0.8, ls="--")
        ax_acc.annotate(rf"$\alpha_c={capacity:g}$", (capacity, 0.12), xytext=(3, 0),
                        textcoords="offset points", fontsize=7, color="0.3")
    ax.axhline(0.0, color="k", lw=0.5)
    _log_load_axis(ax, x)
    ax.set_xlabel(r"load $\alpha = P/N$")
    ax.set_ylabel("PID atom (bits)")
    fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncol=4, fontsize=6.5,
               frameon=False, handlelength=1.6, columnspacing=1.0)
    if title:
        ax_acc.set_title(title, fontsize=8)
    for a in (ax_acc, ax):
        a.tick_params(labelsize=7)
        a.xaxis.label.set_size(8)
        a.yaxis.label.set_size(8)
    return fig


def _log_load_axis(ax, x):
    from matplotlib.ticker import FixedLocator, NullFormatter

    ax.set_xscale("log")
    ax.set_xlim(x.min(), x.max())
    ticks = [t for t in (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0) if x.min() <= t <= x.max() * 1.001]
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.set_xticklabels([f"{t:g}" for t in ticks])
    ax.xaxis.set_minor_formatter(NullFormatter())


def plot_bin_sensitivity(rows, title: str = ""):
    """Atoms (median, 5-95 % band over seeds) against the recurrent bin count, one panel per load."""
    from matplotlib.ticker import NullFormatter

    loads = sorted({row["alpha"] for row in rows})
    ncols = 2 if len(loads) > 1 else 1
    nrows = int(np.ceil(len(loads) / ncols))
    fig = _figure(figsize=(COLUMN_WIDTH_IN, 1.45 * nrows + 0.8), layout="constrained")
    axes = fig.subplots(nrows, ncols, sharex=True, sharey=True, squeeze=False)
    for ax, alpha in zip(axes.flat, loads):
        data = summarise([r for r in rows if r["alpha"] == alpha], by="n_bins")
        for col in ("redundancy", "unique_internal", "unique_external", "synergy", "residual_entropy"):
            label, colour = ATOM_STYLE[col]
            ax.plot(data["x"], data[col], color=colour, lw=1.2, marker=".", ms=3, label=label)
            ax.fill_between(data["x"], data[col + "_lo"], data[col + "_hi"], color=colour, alpha=0.2,
                            lw=0)
        ax.set_xscale("log", base=2)
        bins = [b for b in (2, 4, 8, 16, 32, 64) if data["x"].min() <= b <= data["x"].max()]
        ax.set_xticks(bins, [str(b) for b in bins])
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.axhline(0.0, color="k", lw=0.5)
        ax.set_title(rf"$\alpha={alpha:g}$", fontsize=8)
        ax.tick_params(labelsize=7)
    for ax in axes.flat[len(loads):]:
        ax.set_visible(False)
    for ax in axes[-1]:
        ax.set_xlabel("recurrent bins", fontsize=8)
    for ax in axes[:, 0]:
        ax.set_ylabel("atom (bits)", fontsize=8)
    fig.legend(*axes.flat[0].get_legend_handles_labels(), loc="outside lower center", ncol=5,
               fontsize=6.5, frameon=False, handlelength=1.4, columnspacing=0.8)
    if title:
        fig.suptitle(title, fontsize=8)
    return fig
