"""How far long work has got, for a person at a terminal: one line on standard error that rewrites itself.

An import of a million rows or a sweep of a large vault runs for minutes; without this the command looked hung.
Only a terminal gets it: a script's log or a pipe reads standard error too, and a line rewritten five times a
second would fill it. Standard output (the result, the --json object) is never touched. The line holds a
count, never a name or any other personal data, and is wiped before the command's own output.
"""

from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import TextIO

from app.locale import _
from app.locale.formatting import count

EVERY_SECONDS = 0.2  # at most five redraws a second


class TerminalProgress:
    """`with TerminalProgress(_("Importing customers…")) as progress:` then pass `progress` as the service's
    progress callback: it takes (done) or (done, total)."""

    def __init__(self, label: str, stream: TextIO | None = None) -> None:
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.on = bool(getattr(self.stream, "isatty", lambda: False)())
        self._width = 0  # the longest line drawn: a shorter one is padded over it (no terminal escapes needed)
        self._last = 0.0

    def __enter__(self) -> TerminalProgress:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.clear()

    def __call__(self, done: int, total: int = 0) -> None:
        if not self.on:
            return
        moment = time.monotonic()
        if moment - self._last < EVERY_SECONDS and not 0 < total <= done:
            return
        self._last = moment
        if total > 0:
            text = _("{what} {done} of {total}").format(what=self.label, done=count(done), total=count(total))
        elif done > 0:
            text = f"{self.label} {count(done)}"
        else:  # the sweep's last step, whose length nobody knows and which cannot stop
            text = _("Finishing (this step cannot be cancelled)…")
        self._draw(text)

    def clear(self) -> None:
        """Wipe the line, so the command's own output starts on a clean one."""
        if self.on and self._width:
            self._draw("")
            self.stream.write("\r")
            self.stream.flush()
            self._width = 0

    def _draw(self, text: str) -> None:
        self.stream.write("\r" + text.ljust(self._width))
        self.stream.flush()
        self._width = max(self._width, len(text))
