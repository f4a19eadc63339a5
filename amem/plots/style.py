"""Print-ready styling shared by amem's figures: a colour-blind-safe cycle that stays distinct for
many curves, TrueType fonts in vector files, a legend placed off the data, a caption line.

Colours are Okabe & Ito's palette ("Color Universal Design", 2008) without its yellow, which is
unreadable on white; with seven colours, four line styles and ten markers, the (colour, line
style) pairs are distinct for 28 curves and every curve also has its own marker within ten.
"""

from __future__ import annotations

import textwrap

OKABE_ITO = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#56B4E9", "#E69F00", "#000000")
LINESTYLES = ("-", "--", ":", "-.")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "<", ">", "h")
#: rc settings every saved figure uses: TrueType (Type 42) fonts in PDF/PS, text kept as text in
#: SVG -- journals reject Type 3 fonts.
PRINT_RC = {"pdf.fonttype": 42, "ps.fonttype": 42, "svg.fonttype": "none"}
FORMATS = ("png", "pdf", "svg")


def curve_style(i: int) -> dict:
    """Line style of the i-th curve: colour, line style and marker."""
    return {"color": OKABE_ITO[i % len(OKABE_ITO)],
            "linestyle": LINESTYLES[(i // len(OKABE_ITO)) % len(LINESTYLES)],
            "marker": MARKERS[i % len(MARKERS)]}


def place_legend(ax, handles=None, labels=None, fontsize: float = 6) -> None:
    """Legend below the axes, off the data, when the figure uses constrained layout (amem's
    own figures); otherwise inside at matplotlib's least-covered spot ("best")."""
    if handles is None:
        handles, labels = ax.get_legend_handles_labels()
    if not handles:
        return
    fig = ax.figure
    engine = fig.get_layout_engine() if hasattr(fig, "get_layout_engine") else None
    if engine is not None and type(engine).__name__ == "ConstrainedLayoutEngine":
        longest = max(len(label) for label in labels)
        ncols = 1 if longest > 34 else 2 if longest > 16 else 3  # a column is 3.4 inches wide
        fig.legend(handles, labels, loc="outside lower center", ncols=min(ncols, len(handles)),
                   fontsize=fontsize, frameon=False, handlelength=2.2)
    else:
        ax.legend(handles, labels, loc="best", fontsize=fontsize, frameon=False)


def add_caption(fig, text: str, width: int = 75, fontsize: float = 5.5) -> None:
    """A caption line (wrapped) above the axes: what the figure was measured under."""
    if text:
        fig.suptitle("\n".join(textwrap.wrap(text, width)), fontsize=fontsize, color="0.25")
