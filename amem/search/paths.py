"""The load search of one (goal, seed) as a path of steps: ask for P, be told whether it holds.

A path is a generator: it yields the next P to test, receives ``True``/``False`` (does the
``paper`` criterion hold at P?) and returns the capacity P of the seed when it is done. Many
paths advance in lockstep (:mod:`amem.search.objective`), so every round's trials of all goals
and seeds train together in one batched computation, and a path replays from cached records
without training anything.

* :func:`bisect_path`: the harness's bisection on P (:func:`amem.harness.sweep.bisect_capacity`,
  the same steps): test p_low, then p_high, doubling up to p_cap while it holds, then bisect
  until the bracket is one pattern (or ``rtol * P``). Assumes the criterion is monotone in P.
* :func:`grid_path`: the paper's optimisation grid (alpha = 0.2 ... 2.0 step 0.05, Blümel et al.
  2025, ``mods/capacity/optimize``), loads in increasing order, stop at the first failure; the
  capacity is the last load that held (0 when the first fails).
"""

from __future__ import annotations

from collections.abc import Generator, Sequence

Path = Generator[int, bool, int]


def bisect_path(p_low: int, p_high: int, p_cap: int, rtol: float = 0.0) -> Path:
    """Largest P meeting the criterion, by bracketing then bisection (as the harness does)."""
    if not (yield p_low):
        good, bad = 0, p_low
    else:
        good, p = p_low, p_high
        while (yield p):
            good = p
            if p >= p_cap:
                return good  # censored at the top of the range
            p = min(2 * p, p_cap)
        bad = p
    while bad - good > max(1, rtol * good):
        mid = (good + bad) // 2
        if mid < 1:
            break
        if (yield mid):
            good = mid
        else:
            bad = mid
    return good


def grid_path(loads: Sequence[int]) -> Path:
    """Loads in increasing order until the first failure; returns the last load that held."""
    good = 0
    for p in sorted(set(loads)):
        if not (yield p):
            break
        good = p
    return good


class PathRunner:
    """One path plus the P it is waiting for; :meth:`advance` feeds it known outcomes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.waiting: int | None = next(path)
        self.result: int | None = None
        self.asked: list[int] = [self.waiting]

    @property
    def done(self) -> bool:
        return self.waiting is None

    def advance(self, outcome) -> int | None:
        """Feed outcomes while ``outcome(p)`` is not None; return the P still needed (or None)."""
        while self.waiting is not None:
            known = outcome(self.waiting)
            if known is None:
                return self.waiting
            try:
                self.waiting = self.path.send(bool(known))
                self.asked.append(self.waiting)
            except StopIteration as stop:
                self.waiting, self.result = None, stop.value
        return None
