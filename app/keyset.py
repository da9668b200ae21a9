"""Walk a keyset-paged query to the end without holding more than one page."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TypeVar

Row = TypeVar("Row")
Key = TypeVar("Key")


def pages(fetch: Callable[[Key | None], list[Row]], key_of: Callable[[Row], Key]) -> Iterator[Row]:
    after: Key | None = None
    while page := fetch(after):
        yield from page
        after = key_of(page[-1])
