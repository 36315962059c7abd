"""Progress bars for long work (tqdm), quiet when stderr is not a terminal unless asked."""

from __future__ import annotations

import sys

from tqdm import tqdm


class _Bar(tqdm):
    total: int | None
    def update_to(self, done: int, total: int | None = None) -> None:
        """Callbacks report how much is done so far (some also the total); tqdm wants increments."""
        if total is not None and total != self.total:
            self.total = total
        self.update(done - self.n)


def progress_bar(total: int | None, unit: str, desc: str, force: bool = False) -> _Bar:
    return _Bar(total=total, unit=unit, desc=desc, unit_scale=True, file=sys.stderr,
                disable=not (force or sys.stderr.isatty()))
