"""Tables for papers: one :class:`Table` written as Markdown, as LaTeX (booktabs) and as HTML.

Renderers return a :class:`Table` of already formatted cells (strings), so the three formats show
the same digits. Cells are plain text; LaTeX and HTML escape what they must.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

_LATEX_ESCAPES = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
                  "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}",
                  "^": r"\textasciicircum{}"}
_UNICODE_LATEX = {"α": r"$\alpha$", "±": r"$\pm$", "≥": r"$\geq$", "≤": r"$\leq$", "→": r"$\to$",
                  "–": "--", "—": "---", "γ": r"$\gamma$", "ρ": r"$\rho$", "κ": r"$\kappa$",
                  "×": r"$\times$", "≈": r"$\approx$", "∞": r"$\infty$"}


@dataclass
class Table:
    columns: list[str]
    rows: list[list[str]]
    caption: str = ""
    #: "l", "r" or "c" per column (default: first column left, the others right)
    align: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # lines printed under the table

    def __post_init__(self):
        self.rows = [[str(c) for c in row] for row in self.rows]
        for row in self.rows:
            if len(row) != len(self.columns):
                raise ValueError(f"row {row!r} has {len(row)} cells, the table {len(self.columns)} columns")
        if not self.align:
            self.align = ["l"] + ["r"] * (len(self.columns) - 1)

    def to_markdown(self) -> str:
        marks = {"l": "---", "r": "--:", "c": ":-:"}
        lines = ["| " + " | ".join(self.columns) + " |",
                 "|" + "|".join(marks[a] for a in self.align) + "|"]
        lines += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in self.rows]
        if self.notes:
            lines += [""] + self.notes
        return "\n".join(lines) + "\n"

    def to_latex(self) -> str:
        lines = [r"\begin{table}[ht]", r"\centering"]
        if self.caption:
            lines.append(r"\caption{" + latex_escape(self.caption) + "}")
        lines += [r"\begin{tabular}{" + "".join(self.align) + "}", r"\toprule",
                  " & ".join(latex_escape(c) for c in self.columns) + r" \\", r"\midrule"]
        lines += [" & ".join(latex_escape(c) for c in row) + r" \\" for row in self.rows]
        lines += [r"\bottomrule", r"\end{tabular}"]
        for note in self.notes:
            lines.append(r"\par\smallskip{\footnotesize " + latex_escape(note) + "}")
        lines.append(r"\end{table}")
        return "\n".join(lines) + "\n"

    def to_html(self) -> str:
        align = {"l": "left", "r": "right", "c": "center"}
        head = "".join(f"<th>{html.escape(c)}</th>" for c in self.columns)
        body = "".join(
            "<tr>" + "".join(f'<td style="text-align:{align[a]}">{html.escape(c)}</td>'
                             for a, c in zip(self.align, row)) + "</tr>" for row in self.rows)
        caption = f"<caption>{html.escape(self.caption)}</caption>" if self.caption else ""
        notes = "".join(f"<p class=note>{html.escape(n)}</p>" for n in self.notes)
        return f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{notes}"


def latex_escape(text: str) -> str:
    out = "".join(_LATEX_ESCAPES.get(ch, ch) for ch in text)
    return "".join(_UNICODE_LATEX.get(ch, ch) for ch in out)


def ci_text(value: float, low: float, high: float, digits: int = 3) -> str:
    """``1.623 [1.605, 1.643]``; ``–`` when the value is missing."""
    if value is None or value != value:
        return "–"
    return f"{value:.{digits}f} [{low:.{digits}f}, {high:.{digits}f}]"
