"""Cost accounting: what every search and grid trained, so they can be compared by what they spent.

``<search-dir>/ledger.jsonl`` gets one line per trained batch (the training epochs of every
network in it, the worker's CPU and wall seconds) and one line per session update (the driver's
wall and CPU time so far). :func:`cost_summary` folds it into totals per context (a search's
study name, ``grid-3``, ``slice-gamma-ii``, ...); ``cost.json`` next to the Optuna database holds
them. Network-epochs are counted from the trained models (``diagnostics()`` when a model has it,
else ``epochs_trained_``); a network that stops early at a checkpoint counts only its epochs.
"""

from __future__ import annotations

import json
import os
import socket
import time
import uuid
from pathlib import Path

from amem.records.store import atomic_write_text

LEDGER_FILE = "ledger.jsonl"
COST_FILE = "cost.json"


class Ledger:
    """Appends to ``DIR/ledger.jsonl`` (one ``write`` per line under ``flock``: processes may share it)."""

    def __init__(self, directory: str | os.PathLike, context: str) -> None:
        self.directory = Path(directory)
        self.path = self.directory / LEDGER_FILE
        self.context = context
        self.session = uuid.uuid4().hex[:12]
        self.started = time.time()
        self._wall0 = time.perf_counter()
        self._cpu0 = time.process_time()
        self.network_epochs = 0
        self.networks = 0
        self.unknown_epochs = 0  # networks whose model did not say how long it trained
        self.worker_cpu_s = 0.0  # CPU of units that ran in other processes
        self.inline_cpu_s = 0.0  # CPU of units that ran in this process (already in process_time)
        self.cache_hits = 0

    def _append(self, entry: dict) -> None:
        import fcntl

        self.directory.mkdir(parents=True, exist_ok=True)
        line = (json.dumps(entry, sort_keys=True, separators=(",", ":")) + "\n").encode()
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            os.write(fd, line)
        finally:
            os.close(fd)

    def batch(self, result) -> None:
        """Account one finished :class:`amem.search.runner.UnitResult`."""
        epochs = result.epochs
        self.networks += len(epochs)
        self.network_epochs += sum(e for e in epochs.values() if e is not None)
        self.unknown_epochs += sum(e is None for e in epochs.values())
        if result.pid == os.getpid() and result.host == socket.gethostname():
            self.inline_cpu_s += result.cpu_s
        else:
            self.worker_cpu_s += result.cpu_s
        self._append({"kind": "batch", "context": self.context, "session": self.session,
                      "time": time.time(), "host": result.host, "pid": result.pid,
                      "cpu_s": round(result.cpu_s, 4), "wall_s": round(result.wall_s, 4),
                      "epochs": epochs})

    def totals(self) -> dict:
        wall = time.perf_counter() - self._wall0
        driver_cpu = time.process_time() - self._cpu0
        return {"network_epochs": self.network_epochs, "networks_trained": self.networks,
                "networks_without_epoch_count": self.unknown_epochs,
                "cache_hits": self.cache_hits, "wall_s": round(wall, 3),
                "cpu_s": round(driver_cpu + self.worker_cpu_s, 3)}

    def checkpoint(self, final: bool = False) -> dict:
        """Write the session's running totals (the latest line per session counts)."""
        totals = self.totals()
        self._append({"kind": "session", "context": self.context, "session": self.session,
                      "started": self.started, "time": time.time(), "final": final, **totals})
        return totals


def read_ledger(directory: str | os.PathLike) -> list[dict]:
    path = Path(directory) / LEDGER_FILE
    if not path.exists():
        return []
    out = []
    for raw in path.read_text().splitlines():
        try:
            out.append(json.loads(raw))
        except ValueError:  # a line cut by a kill: its batch's trials are simply not counted
            continue
    return out


def key_epochs(entries: list[dict]) -> dict[str, int]:
    """Training epochs of every trial key the ledger knows (first training wins)."""
    out: dict[str, int] = {}
    for e in entries:
        if e.get("kind") == "batch":
            for key, n in e["epochs"].items():
                if n is not None:
                    out.setdefault(key, n)
    return out


def cost_summary(entries: list[dict]) -> dict:
    """Per context: its sessions (latest totals each) and their sum."""
    sessions: dict[tuple, dict] = {}
    for e in entries:
        if e.get("kind") == "session":
            sessions[(e["context"], e["session"])] = e
    # batches of sessions that died before their first session line still count
    trained: dict[tuple, list[int]] = {}
    for e in entries:
        if e.get("kind") == "batch":
            acc = trained.setdefault((e["context"], e["session"]), [0, 0, 0])
            acc[0] += sum(n for n in e["epochs"].values() if n is not None)
            acc[1] += len(e["epochs"])
            acc[2] += 1
    out: dict[str, dict] = {}
    order = sorted(set(sessions) | set(trained),
                   key=lambda cs: (cs[0], sessions.get(cs, {}).get("started") or 0))
    for (context, session) in order:
        s = sessions.get((context, session), {})
        epochs, networks, _ = trained.get((context, session), [0, 0, 0])
        row = {"session": session, "started": s.get("started"), "finished": bool(s.get("final")),
               "network_epochs": epochs, "networks_trained": networks,
               "cache_hits": s.get("cache_hits", 0), "wall_s": s.get("wall_s"),
               "cpu_s": s.get("cpu_s")}
        entry = out.setdefault(context, {"sessions": [], "total": {}})
        entry["sessions"].append(row)
    for entry in out.values():
        rows = entry["sessions"]
        entry["total"] = {
            "network_epochs": sum(r["network_epochs"] for r in rows),
            "networks_trained": sum(r["networks_trained"] for r in rows),
            "cache_hits": sum(r["cache_hits"] or 0 for r in rows),
            "wall_s": round(sum(r["wall_s"] or 0 for r in rows), 3),
            "cpu_s": round(sum(r["cpu_s"] or 0 for r in rows), 3),
            "sessions": len(rows),
        }
    return out


def needed_cost(records, pairs) -> dict:
    """What measuring ``pairs`` ((canonical goal tuple, seed) of the same objective) needed,
    whoever trained it: network-epochs (from the records' ``diagnostics``) and trials of the
    records that belong to those pairs. A search and a grid compare by this number."""
    pairs = set(pairs)
    epochs = trials = unknown = 0
    for r in records:
        goal = (r.get("params") or {}).get("goal")
        if isinstance(goal, list) and (tuple(goal), int(r["seed"])) in pairs:
            trials += 1
            n = (r.get("diagnostics") or {}).get("network_epochs")
            if n is None:
                unknown += 1
            else:
                epochs += int(n)
    return {"network_epochs": epochs, "trials": trials, "trials_without_epoch_count": unknown,
            "goal_seed_pairs": len(pairs)}


def write_cost_file(directory: str | os.PathLike, needed: dict | None = None) -> dict:
    """Rebuild ``DIR/cost.json`` from the ledger (``needed``: per context, what its goals needed,
    kept from earlier writes) and return it."""
    path = Path(directory) / COST_FILE
    kept = {}
    if path.exists():
        try:
            kept = json.loads(path.read_text()).get("needed", {})
        except ValueError:
            kept = {}
    kept.update(needed or {})
    summary = {"note": "contexts: network_epochs and CPU/wall seconds each context trained, per "
                       "session (cache_hits: trials it reused without training); needed: what "
                       "the goals each context measured cost to train, whoever trained them",
               "contexts": cost_summary(read_ledger(directory)), "needed": kept}
    atomic_write_text(Path(directory) / COST_FILE, json.dumps(summary, indent=2))
    return summary


def format_cost(totals: dict) -> str:
    return (f"{totals['network_epochs']:,} network-epochs in {totals['networks_trained']:,} "
            f"networks trained ({totals.get('cache_hits', 0):,} cached trials reused), "
            f"wall {totals['wall_s']:.1f} s, CPU {totals['cpu_s']:.1f} s")
