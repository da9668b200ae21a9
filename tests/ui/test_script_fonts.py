"""Names in any script are drawn with real letters even where the computer has no font for the script."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QFont, QFontDatabase, QFontMetrics

from ui import script_fonts


@pytest.mark.parametrize("system", list(script_fonts.BUNDLED))
def test_every_bundled_script_has_a_font_after_start_up(qapp, system: QFontDatabase.WritingSystem) -> None:
    script_fonts.ensure_script(system)
    assert QFontDatabase.families(system), system  # this CI machine has none of its own for most of them


@pytest.mark.parametrize(
    ("system", "name"),
    [
        (QFontDatabase.WritingSystem.SimplifiedChinese, "王芳"),
        (QFontDatabase.WritingSystem.Arabic, "فاطمة"),
        (QFontDatabase.WritingSystem.Hebrew, "נועה"),
        (QFontDatabase.WritingSystem.Korean, "김민준"),
        (QFontDatabase.WritingSystem.Thai, "สมชาย ใจดี"),
        (QFontDatabase.WritingSystem.Devanagari, "राहुल शर्मा"),
        (QFontDatabase.WritingSystem.Bengali, "রবীন্দ্রনাথ"),
        (QFontDatabase.WritingSystem.Tamil, "தமிழ்செல்வன்"),
    ],
)
def test_a_name_in_the_script_is_drawn_with_its_glyphs(qapp, system: QFontDatabase.WritingSystem, name: str) -> None:
    script_fonts.ensure_script(system)
    family = QFontDatabase.families(system)[0]
    assert all(QFontMetrics(QFont(family)).inFontUcs4(ord(char)) for char in name), (family, name)
