"""Image patterns, their cues and what each model recalled, side by side.

:func:`draw_recall_gallery` draws on a given matplotlib ``Figure`` (the library never picks a
backend); rows are models, columns are stored pattern, cue and recall for each shown item.
"""

from __future__ import annotations

import numpy as np


def draw_recall_gallery(fig, pattern: np.ndarray, cue: np.ndarray,
                        recalls: dict[str, np.ndarray], shape: tuple[int, int]):
    """One row per model: the stored pattern, the cue and the model's final state (+1 dark).

    ``recalls`` maps a row label (e.g. "hebbian: overlap 0.41") to that model's final state for
    ``cue``. Returns the figure's axes as an array (rows x 3).
    """
    rows = len(recalls)
    axes = np.atleast_2d(fig.subplots(rows, 3, squeeze=False))
    for row, (label, state) in enumerate(recalls.items()):
        for col, (title, image) in enumerate((("stored", pattern), ("cue", cue),
                                              ("recalled", state))):
            ax = axes[row, col]
            ax.imshow(np.asarray(image).reshape(shape), cmap="gray_r", vmin=-1, vmax=1,
                      interpolation="nearest")
            ax.set_xticks([])
            ax.set_yticks([])
            if row == 0:
                ax.set_title(title, fontsize=9)
        axes[row, 0].set_ylabel(label, fontsize=8)
    return axes
