"""Waiting with a deadline: the only way the virtual Vector ever waits."""

import time


def wait_until(predicate, timeout_s: float, interval_s: float = 0.005) -> bool:
    """Poll `predicate` until it is true or `timeout_s` has passed."""
    deadline = time.monotonic() + timeout_s
    while True:
        if predicate():
            return True
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        time.sleep(min(interval_s, remaining))
