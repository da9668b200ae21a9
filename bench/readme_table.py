"""Regenerate the README's performance table from `make bench` output.

    .venv/bin/python -m bench | tee bench.txt
    .venv/bin/python -m bench.readme_table bench.txt [--note "1M customers, 2-core laptop"]

Every figure line (`NAME VALUE UNIT [| goal ...] [| RATIO x FLOOR (MIN-MAX over N)]`, see bench/report.py) becomes
a row; the table replaces whatever stands between the README's `bench-table` markers, nothing else.
"""

from __future__ import annotations

import argparse
import re
import sys
import textwrap
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"
START, END = "<!-- bench-table:start -->", "<!-- bench-table:end -->"
_FIGURE = re.compile(r"^([a-z][a-z0-9_]*) (-?[0-9][0-9.]*) (\S.*)$")
_OLD_GOAL = re.compile(r"\(goal ([^)]*)\)$")


def rows(output: str) -> list[tuple[str, str, str, str]]:
    """(figure, value with its unit, goal, ratio to the floor) for every figure line; anything else is skipped."""
    found = []
    for line in output.splitlines():
        head, *parts = [part.strip() for part in line.split(" | ")]
        match = _FIGURE.match(head)
        if match is None:
            continue
        goal = next((part[len("goal ") :] for part in parts if part.startswith("goal ")), "")
        ratio = next((part for part in parts if not part.startswith("goal ")), "")
        unit = match[3]
        if not goal and (older := _OLD_GOAL.search(unit)):  # `NAME VALUE UNIT (goal ...)`, as bench_import prints
            unit, goal = unit[: older.start()].rstrip(), older[1]
        found.append((match[1], f"{match[2]} {unit}", goal, ratio))
    return found


def table(output: str, note: str = "") -> str:
    lines = [START, ""]
    if note:
        lines += [textwrap.fill(note, 115), ""]
    lines += ["| figure | measured | goal | against the floor measured in the same run |", "| --- | --- | --- | --- |"]
    lines += [f"| `{name}` | {value} | {goal} | {ratio} |" for name, value, goal, ratio in rows(output)]
    return "\n".join([*lines, "", END])


def replace_table(readme: str, new_table: str) -> str:
    start, end = readme.find(START), readme.find(END)
    if start < 0 or end < start:
        raise SystemExit(f"README.md has no {START} ... {END} markers")
    return readme[:start] + new_table + readme[end + len(END) :]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", nargs="?", help="`make bench` output (default: standard input)")
    parser.add_argument("--note", default="", help="a line above the table: the size, the machine")
    args = parser.parse_args()
    output = Path(args.output).read_text("utf-8") if args.output else sys.stdin.read()
    README.write_text(replace_table(README.read_text("utf-8"), table(output, args.note)), "utf-8")


if __name__ == "__main__":
    main()
