"""counterpart-admin: the headless command line for scripts, schedulers and the shop's way out.

Its commands, options, output lines and exit codes are a contract (README): 0 ok, 1 a file could not be read or
written, 2 usage, 3 authentication failed, 4 permission denied, 5 invalid input, 6 vault damaged, 7 vault busy,
8 disk full. Every error is one line on stderr, never a traceback."""

from __future__ import annotations

import argparse
import errno
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

import sqlcipher3

from app import __version__
from app.cli import (
    accountability,
    audit_log,
    backups,
    breach,
    consent,
    customers,
    minimise,
    notices,
    retention,
    rights,
    users,
    vault,
)
from app.cli.common import Parser, Passwords
from app.errors import CounterpartError, DiskFull
from app.fileio import describe_file_error
from app.locale import _, set_language
from app.process_guard import guard_process_memory
from app.store.database import classify


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="counterpart-admin", description=_("Counterpart's command line."))
    parser.add_argument("--version", action="version", version=f"counterpart-admin {__version__}")
    parser.add_argument("--lang", help=_("language of messages (default: the system's)"))
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=Parser)

    for group in (
        vault,
        users,
        audit_log,
        customers,
        consent,
        retention,
        rights,
        backups,
        breach,
        accountability,
        notices,
        minimise,
    ):
        group.register(commands)
    return parser


def main(argv: Sequence[str] | None = None, stdin: TextIO | None = None) -> int:
    guard_process_memory()
    args: argparse.Namespace | None = None
    try:
        set_language(None)
        args = build_parser().parse_args(argv)
        if args.lang:
            set_language(args.lang)
        from_stdin = getattr(args, "password_stdin", False) or getattr(args, "pdf_password_stdin", False)
        passwords = Passwords(from_stdin, stdin)
        return int(args.run(args, passwords))
    except CounterpartError as exc:
        print(f"counterpart-admin: {exc}", file=sys.stderr, flush=True)
        return exc.exit_code
    except sqlcipher3.DatabaseError as exc:
        vault = getattr(args, "vault", None)
        error = classify(exc, Path(vault) if isinstance(vault, str | Path) else None)
        if error is None:
            return _unexpected(exc)
        print(f"counterpart-admin: {error}", file=sys.stderr, flush=True)
        return error.exit_code
    except KeyboardInterrupt:
        print(_("counterpart-admin: interrupted"), file=sys.stderr)
        return 130
    except BrokenPipeError:  # `… | head -1`: the reader has what it wanted; nothing to say, and nothing to flush
        _quiet_stdout()
        return 0
    except OSError as exc:  # a file the command was told to read or write: what and where, in words
        print(f"counterpart-admin: {describe_file_error(exc)}", file=sys.stderr, flush=True)
        return DiskFull.exit_code if exc.errno == errno.ENOSPC else 1
    except Exception as exc:
        return _unexpected(exc)


def _quiet_stdout() -> None:
    """Point standard output at the null device, so the interpreter's last flush does not hit the closed pipe."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (OSError, ValueError):  # not a real file descriptor (a test's capture): nothing will flush into a pipe
        pass


def _unexpected(exc: Exception) -> int:
    """A bug: still one line and no traceback (a traceback's values could hold customer data)."""
    print(
        _("counterpart-admin: unexpected error ({kind}). Please report it.").format(kind=type(exc).__name__),
        file=sys.stderr,
    )
    return 1
