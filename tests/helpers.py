"""Small utilities shared by tests."""

TIMING_FIELDS = ("store_s", "recall_s")


def strip_timing(records):
    """Records without wall-clock fields, sorted by key: comparable across runs and executors."""
    return sorted(({k: v for k, v in r.items() if k not in TIMING_FIELDS} for r in records),
                  key=lambda r: r["key"])
