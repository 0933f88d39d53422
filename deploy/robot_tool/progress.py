"""The step-by-step display: what the tool is doing, whether it worked, and
how long it took, one line each, readable in a terminal and in a CI log."""
from __future__ import annotations

import sys
import time
from typing import Optional, TextIO


class StepFailed(Exception):
    """A step that could not be done: `what` happened, `fix` says what the
    owner can do about it."""

    def __init__(self, what: str, fix: str = ""):
        super().__init__(what)
        self.what = what
        self.fix = fix


class Progress:
    def __init__(self, total_steps: int, out: TextIO = sys.stdout):
        self.total = total_steps
        self.number = 0
        self.out = out

    def start(self, title: str) -> "Step":
        self.number += 1
        prefix = f"[{self.number:>2}/{self.total}]"
        self.out.write(f"{prefix} {title} ...\n")
        self.out.flush()
        return Step(self, prefix, title)

    def note(self, text: str):
        self.out.write(f"        {text}\n")
        self.out.flush()


class Step:
    """Used as `with progress.start("..") as step:`; an exception marks the
    step failed and goes on up."""

    def __init__(self, progress: Progress, prefix: str, title: str):
        self.progress = progress
        self.prefix = prefix
        self.title = title
        self.detail: Optional[str] = None
        self.started = time.monotonic()

    def __enter__(self) -> "Step":
        return self

    def __exit__(self, kind, error, traceback) -> bool:
        elapsed = time.monotonic() - self.started
        verdict = "ok" if kind is None else "FAILED"
        line = f"{self.prefix} {verdict:<6} {elapsed:5.1f} s  {self.title}"
        if self.detail:
            line += f": {self.detail}"
        self.progress.out.write(line + "\n")
        self.progress.out.flush()
        return False
