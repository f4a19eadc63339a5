"""Refuse a sweep whose trials cannot fit in memory, before it starts.

Each model class estimates a trial's peak memory (:meth:`amem.base.MemoryModel.estimate_memory`);
a work unit holds the models of all its trials at once, and ``workers`` units run at the same
time, so the sweep needs the sum of its ``workers`` largest units. That is compared with the
memory this process may still use: the available RAM (``psutil`` if installed, else
``/proc/meminfo``'s MemAvailable) and, inside a container or batch job, the cgroup's limit less
its usage, whichever is smaller.
"""

from __future__ import annotations

from pathlib import Path

from amem.errors import AmemError

#: cgroup v1 reports "no limit" as a huge number (page-rounded 2**63 - 1)
_NO_LIMIT = 2**60
GIB = 1024**3


def format_bytes(n: float) -> str:
    for unit, size in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6)):
        if n >= size:
            return f"{n / size:.3g} {unit}"
    return f"{n / 1e3:.3g} kB"


def _read_int(path: Path) -> int | None:
    try:
        text = path.read_text().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None  # "max" (cgroup v2: no limit) -> None


def cgroup_room(root: Path = Path("/sys/fs/cgroup")) -> int | None:
    """Bytes left under this process's cgroup memory limit (v2 or v1), or None without one."""
    for limit_file, usage_file in (("memory.max", "memory.current"),
                                   ("memory/memory.limit_in_bytes", "memory/memory.usage_in_bytes")):
        limit = _read_int(root / limit_file)
        if limit is not None and limit < _NO_LIMIT:
            usage = _read_int(root / usage_file) or 0
            return max(0, limit - usage)
    return None


def ram_available(meminfo: Path = Path("/proc/meminfo"), use_psutil: bool = True) -> int | None:
    """Bytes of RAM the kernel could hand out without swapping (psutil, else MemAvailable)."""
    try:
        import psutil
    except ImportError:
        psutil = None
    if use_psutil and psutil is not None:
        return int(psutil.virtual_memory().available)
    try:
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def available_memory() -> tuple[int, str] | None:
    """(bytes, where the figure comes from), the smaller of RAM and cgroup room; None if unknown."""
    found = []
    ram = ram_available()
    if ram is not None:
        found.append((ram, "available RAM"))
    room = cgroup_room()
    if room is not None:
        found.append((room, "room under the cgroup memory limit"))
    return min(found) if found else None


def unit_estimate(unit) -> tuple[int, object]:
    """(bytes, largest trial) for a work unit: every model of a chunk is alive at once."""
    from amem.harness.sweep import GridUnit
    from amem.registry import model_class

    if isinstance(unit, GridUnit):
        trials = unit.trials
    else:  # a bisection holds one trial at a time; sized at the top of the given range
        from dataclasses import replace

        trials = [replace(unit.base, n_patterns=unit.p_high)]
    cls = model_class(trials[0].model)
    sizes = [int(cls.estimate_memory(t.n_units, t.n_patterns, **t.params)) for t in trials]
    biggest = max(range(len(trials)), key=sizes.__getitem__)
    return sum(sizes), trials[biggest]


def sweep_memory(config, workers: int = 1, chunk_size: int | None = None) -> tuple[int, object]:
    """(peak bytes, largest trial) for running ``config`` with ``workers`` units at once."""
    from amem.harness.sweep import plan_sweep

    estimates = sorted((unit_estimate(u) for u in plan_sweep(config, {}, workers, chunk_size)),
                       key=lambda e: e[0], reverse=True)
    if not estimates:
        return 0, None
    return sum(e[0] for e in estimates[:max(1, workers)]), estimates[0][1]


def check_sweep_memory(config, workers: int = 1, chunk_size: int | None = None,
                       limit: tuple[int, str] | None = None, log=None) -> int:
    """Raise :class:`AmemError` (one line: estimate, limit, fix) if the sweep cannot fit.

    ``limit`` defaults to :func:`available_memory`; with no figure available nothing is checked.
    ``log`` receives a note when the sweep needs more than a GiB. Returns the estimate.
    """
    need, trial = sweep_memory(config, workers, chunk_size)
    limit = limit if limit is not None else available_memory()
    if trial is None or limit is None:
        return need
    room, source = limit
    what = (f"{trial.model} at N={trial.n_units}, P={trial.n_patterns} "
            f"(alpha={trial.n_patterns / trial.n_units:g})")
    if need > room:
        at_once = f" with {workers} running at once" if workers > 1 else ""
        fixes = "lower --n or the top of --alphas"
        if workers > 1:
            fixes += ", or use fewer --workers"
        raise AmemError(f"this sweep needs about {format_bytes(need)} of memory (largest trial: "
                        f"{what}{at_once}) but only {format_bytes(room)} is free ({source}); "
                        f"{fixes}")
    if log is not None and need > GIB:
        log(f"note: this sweep needs about {format_bytes(need)} of memory at its peak "
            f"({what}); {format_bytes(room)} is free")
    return need
