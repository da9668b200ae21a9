"""Keeping the window's memory small on a shop's PC: what it gives back after its big steps, and how the C heap
is asked to behave.

PySide6 reads the source of every module imported after it (shiboken's `__feature__` check calls
`inspect.getsource` on each), and `linecache` keeps those lines for good: about 10 MB for the 500 modules the
window loads, measured. Nothing needs them (a traceback reads the lines it shows again), so they are dropped once
a step's imports are done (start, unlock), and the heap's free pages handed back.

glibc gives each thread that allocates at the same time as another its own arena (the customer search and
operation workers), each holding on to what it freed, and raises its mmap threshold after big blocks are freed,
so later big blocks (images, result lists) stay in the heap for good. Two arenas and a fixed 128 KiB threshold
kept the main window 4 MB smaller (bench/bench_window.py), at no cost anyone could time.
"""

from __future__ import annotations

import ctypes
import gc
import linecache
import sys

from app.process_guard import give_back_free_memory

M_MMAP_THRESHOLD, M_ARENA_MAX = -3, -8  # glibc's malloc.h
MMAP_THRESHOLD = 128 * 1024  # glibc's own starting value, kept from moving up
ARENAS = 2


def drop_import_leftovers() -> None:
    linecache.clearcache()
    gc.collect()
    give_back_free_memory()


def tune_allocator() -> bool:
    """glibc only (elsewhere, or on musl, a no-op); returns whether it took effect. Call before threads start."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):
        return False
    return bool(mallopt(M_ARENA_MAX, ARENAS)) and bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD))
