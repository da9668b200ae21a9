"""Keeping what this process holds in memory (decrypted pages, customer records, keys) out of core dumps and
away from other programs running as the same user.

This replaces SQLCipher's `cipher_memory_security` (locking and wiping every block SQLite allocates), which
Counterpart used to turn on. It protected little at a high price:
- every record SQLite hands over becomes a Python string and a Qt widget's text, which no setting locks or wipes;
- an ordinary user may lock only `ulimit -l` bytes (often 8 MB), so the rest of SQLite's memory could be
  swapped anyway;
- SQLCipher always locks and wipes its own key material, whatever the setting;
- and it made the search index three times slower to write (17 against 48 us per person, measured).
SQLCipher itself has shipped it off by default since 4.5.
What does leak memory to disk or to another program is a crash's core dump and a debugger attached by any
process of the same user; both are closed here. Swap is the operating system's to encrypt (README).
"""

from __future__ import annotations

import ctypes
import sys

PR_GET_DUMPABLE, PR_SET_DUMPABLE = 3, 4


def guard_process_memory() -> list[str]:
    """No core dumps, and on Linux no ptrace or /proc/PID/mem reads by other same-user processes. Returns what
    took effect (the tests read it); anything the platform refuses is left as it was."""
    done: list[str] = []
    if sys.platform != "win32":
        import resource

        try:
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
            done.append("core dumps off")
        except (ValueError, OSError):
            pass
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0:
                done.append("not dumpable")
        except (OSError, AttributeError):
            pass
    return done


def give_back_free_memory() -> bool:
    """Hand the heap's free pages back to the operating system (glibc's malloc_trim), which zeroes them before
    any other use. Called when bulk work shrinks SQLite's page cache and at lock: the freed blocks held
    decrypted pages, and glibc would otherwise keep them mapped, unwiped (a 200k-row import left 314 MB
    resident; 69 MB after this). Elsewhere a no-op; returns whether it ran."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        trim = ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return False  # not glibc (musl has no malloc_trim)
    trim(0)
    return True


def dumpable() -> bool | None:
    """Linux: whether the process may still be dumped or traced; None elsewhere."""
    if not sys.platform.startswith("linux"):
        return None
    return bool(ctypes.CDLL(None).prctl(PR_GET_DUMPABLE, 0, 0, 0, 0))
