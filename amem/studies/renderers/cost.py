"""What a sweep cost, read from its records (README cost lines are rendered, never typed).

Each recall record holds ``store_s`` (its share of the batched ``store_many`` call, wall seconds)
and ``recall_s``; models that report ``diagnostics`` add ``network_epochs`` (infomorphic). The sum
of trial times is the sweep's time inside trials on one executor slot: process start-up, imports
and JIT compilation are not in it, so it is a lower bound of a whole run's wall time.
"""

from __future__ import annotations

from amem.studies.renderers.capacity import merged


def cost_text(records, sweeps=None) -> str:
    """``820 trials, 2.6 min of trial time, 1.06 M network-epochs``."""
    rows = merged(records, sweeps)
    seconds = sum(r.get("store_s", 0.0) + r.get("recall_s", 0.0) for r in rows)
    epochs = sum((r.get("diagnostics") or {}).get("network_epochs", 0) for r in rows)
    text = f"{len(rows)} trials, {seconds / 60:.1f} min of trial time"
    if epochs:
        text += f", {epochs / 1e6:.2f} M network-epochs"
    return text
