"""The benchmark's figure lines and the README table made from them (issue #21); no timing is asserted."""

from __future__ import annotations

import pytest

from bench import readme_table
from bench.report import figure

OUTPUT = """\
startup_to_unlock_ratio 1.83 x
This plugin does not support propagateSizeHints()
search_list_p95 61.2 ms | goal < 100 ms and <= 1.3 x raw | 1.08 x search_list_raw_p95 (1.01-1.19 over 10)
sweep_to_vacuum_ratio 1.41 x | goal <= 1.5 x
import_peak_rss 529 MB (goal <= 300 MB)
"""


def test_a_figure_line_carries_its_goal_and_its_ratio_with_the_spread(capsys: pytest.CaptureFixture[str]) -> None:
    figure("search_list_p95", 61.23, "ms", goal="< 100 ms", floor="search_list_raw_p95", ratios=[1.2, 1.0, 1.1])
    figure("bulk_load_max_rss", 70.4, "MB", digits=0)
    assert capsys.readouterr().out.splitlines() == [
        "search_list_p95 61.2 ms | goal < 100 ms | 1.10 x search_list_raw_p95 (1.00-1.20 over 3)",
        "bulk_load_max_rss 70 MB",
    ]


def test_the_table_has_a_row_per_figure_and_skips_other_lines() -> None:
    assert readme_table.rows(OUTPUT) == [
        ("startup_to_unlock_ratio", "1.83 x", "", ""),
        ("search_list_p95", "61.2 ms", "< 100 ms and <= 1.3 x raw", "1.08 x search_list_raw_p95 (1.01-1.19 over 10)"),
        ("sweep_to_vacuum_ratio", "1.41 x", "<= 1.5 x", ""),
        ("import_peak_rss", "529 MB", "<= 300 MB", ""),
    ]


def test_only_the_text_between_the_markers_is_replaced() -> None:
    readme = f"# Title\n\nBefore.\n\n{readme_table.START}\n| old | table |\n{readme_table.END}\n\nAfter.\n"
    new = readme_table.replace_table(readme, readme_table.table(OUTPUT, note="1M customers"))
    assert new.startswith("# Title\n\nBefore.\n\n" + readme_table.START)
    assert new.endswith(readme_table.END + "\n\nAfter.\n")
    assert "| old | table |" not in new
    assert "| `sweep_to_vacuum_ratio` | 1.41 x | <= 1.5 x |  |" in new and "1M customers" in new
    with pytest.raises(SystemExit):
        readme_table.replace_table("# No markers\n", "table")


def test_the_readme_has_the_markers() -> None:
    text = readme_table.README.read_text("utf-8")
    assert text.count(readme_table.START) == 1 and text.index(readme_table.START) < text.index(readme_table.END)
