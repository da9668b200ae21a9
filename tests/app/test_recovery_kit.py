"""The recovery kit PDF: real files written to tmp_path and read back with pypdf."""

from __future__ import annotations

import datetime
import os
import re
import sys
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from app.documents import recovery_kit
from app.documents.recovery_kit import write_recovery_kit
from app.locale import set_language

KEY = "0a1b2c3d-4e5f6071-8293a4b5-c6d7e8f9-01234567-89abcdef-fedcba98-76543210"
CREATED = datetime.datetime(2025, 3, 14, 9, 26, 53, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language("en")


def write(folder: Path, **overrides: Any) -> Path:
    out = folder / "kit.pdf"
    arguments: dict[str, Any] = {
        "vault_name": "shop.cpvault",
        "vault_id": "7f3c9a1e-4b2d-4e8f-9a6b-1c2d3e4f5a6b",
        "owner": "Jane Doe",
        "recovery_key": KEY,
        "created": CREATED,
        "keychain_bound": True,
    }
    arguments.update(overrides)
    write_recovery_kit(out, **arguments)
    return out


def text_of(pdf: Path) -> str:
    """Extracted text, NFKC-normalised (Arabic presentation forms back to letters), whitespace collapsed."""
    raw = "\n".join(page.extract_text() for page in PdfReader(pdf).pages)
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", raw))


def fonts_of(pdf: Path) -> list[Any]:
    resources: Any = PdfReader(pdf).pages[0]["/Resources"]
    return [ref.get_object() for ref in resources["/Font"].values()]


def test_key_groups_owner_and_vault_details_are_in_the_text(tmp_path: Path) -> None:
    text = text_of(write(tmp_path))
    assert "Counterpart recovery kit" in text
    for group in KEY.split("-"):
        assert group in text
    assert "Jane Doe" in text
    assert "shop.cpvault" in text
    assert "7f3c9a1e-4b2d-4e8f-9a6b-1c2d3e4f5a6b" in text
    assert "counterpart-admin recover VAULT --recovery-key" in text and "KEY" not in text.split("recover VAULT")[1][:40]


def test_sqlcipher_line_holds_the_64_digits_without_dashes(tmp_path: Path) -> None:
    text = text_of(write(tmp_path))
    digits = KEY.replace("-", "")
    assert len(digits) == 64
    assert f"PRAGMA key = \"x'{digits}'\";" in text


@pytest.mark.parametrize(
    ("owner", "font"),
    [
        ("王芳", "DroidSansFallback"),
        ("山田 はなこ", "DroidSansFallback"),
        ("김민준", "NanumGothic"),
        ("Ελένη Παπαδοπούλου", "NotoSans-Regular"),
        ("Анна Каренина", "NotoSans-Regular"),
        ("فاطمة الزهراء", "NotoSansArabic-Regular"),
        ("דוד כהן", "NotoSansHebrew-Regular"),
    ],
)
def test_non_latin_owner_is_extractable_and_set_in_an_embedded_font(tmp_path: Path, owner: str, font: str) -> None:
    pdf = write(tmp_path, owner=owner)
    assert owner in text_of(pdf)
    used = {str(f["/BaseFont"]).split("+")[-1]: f for f in fonts_of(pdf)}
    assert font in used, sorted(used)
    assert "/FontFile2" in used[font]["/FontDescriptor"]


def test_arabic_letters_are_joined(tmp_path: Path) -> None:
    pytest.importorskip("uharfbuzz")
    raw = PdfReader(write(tmp_path, owner="فاطمة")).pages[0].extract_text()
    # Joined letters are drawn as their contextual forms (Arabic Presentation Forms-B), not isolated ones.
    assert re.search("[\ufe70-\ufefc]", raw)


def test_every_font_is_an_embedded_truetype_subset(tmp_path: Path) -> None:
    fonts = fonts_of(write(tmp_path, owner="王芳 فاطمة דוד Ελένη"))
    assert len(fonts) >= 4
    for font in fonts:
        assert re.fullmatch(r"/[A-Z]{6}\+.+", str(font["/BaseFont"])), font["/BaseFont"]
        assert "/FontFile2" in font["/FontDescriptor"], font["/BaseFont"]


def test_password_only_note_appears_only_without_keychain(tmp_path: Path) -> None:
    unbound = text_of(write(tmp_path, keychain_bound=False))
    bound = text_of(write(tmp_path, keychain_bound=True))
    assert "protected by its password only" in unbound
    assert "password only" not in bound


def test_warnings_are_printed(tmp_path: Path) -> None:
    text = text_of(write(tmp_path))
    assert "can read all of your customer data" in text
    assert "like cash" in text
    assert "rekeyed" in text and "print a new kit" in text


def test_emoji_and_markup_in_names_print_safely(tmp_path: Path) -> None:
    text = text_of(write(tmp_path, owner="Anna 🌸👍🏽 & <Sons>", vault_name="a&b <c>.cpvault"))
    assert "Anna 🌸👍 & <Sons>" in text  # emoji print in the monochrome face (the skin tone folds into the hand)
    assert "a&b <c>.cpvault" in text
    assert "\ufffd" not in text


def test_one_page_even_with_long_names(tmp_path: Path) -> None:
    pdf = write(tmp_path, owner="Maximiliane " * 12, vault_name="Bäckerei und Konditorei " * 5 + ".cpvault")
    assert len(PdfReader(pdf).pages) == 1


def test_no_temporary_file_is_left_behind(tmp_path: Path) -> None:
    out = write(tmp_path)
    assert sorted(tmp_path.iterdir()) == [out]
    assert out.read_bytes().startswith(b"%PDF-")


def test_a_failed_write_keeps_the_old_kit_and_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "kit.pdf"
    out.write_bytes(b"old kit")

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space left"):
        write(tmp_path)
    assert out.read_bytes() == b"old kit"
    assert sorted(tmp_path.iterdir()) == [out]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permission bits")
def test_kit_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    assert os.stat(write(tmp_path)).st_mode & 0o077 == 0


@pytest.mark.parametrize("bad", ["", KEY.replace("-", ""), KEY[:-1] + "g", KEY + "-00000000"])
def test_malformed_key_is_refused_before_anything_is_written(tmp_path: Path, bad: str) -> None:
    with pytest.raises(ValueError):
        write(tmp_path, recovery_key=bad)
    assert list(tmp_path.iterdir()) == []


def test_qr_code_draws_exactly_segnos_modules() -> None:
    import segno

    drawing = recovery_kit._qr_drawing(KEY)
    qr = segno.make(KEY, error="q", micro=False)
    expected = [[bool(v) for v in row] for row in qr.matrix_iter(border=4)]
    size = len(expected)
    module = drawing.width / size
    drawn = [[False] * size for _ in range(size)]
    for rect in drawing.contents:
        row = size - 1 - round(rect.y / module)
        first, count = round(rect.x / module), round(rect.width / module)
        for column in range(first, first + count):
            drawn[row][column] = True
    assert drawn == expected


def test_user_visible_strings_go_through_the_translation_function(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(recovery_kit, "_", lambda message: "§" + message)
    text = text_of(write(tmp_path, keychain_bound=False))
    for english in (
        "Counterpart recovery kit",
        "Recovery key",
        "Where this kit is stored",
        "How to use this kit",
        "Important",
        "On this computer the vault is protected",
    ):
        assert "§" + english in text


def test_creation_date_follows_the_current_language(tmp_path: Path) -> None:
    assert "March 14, 2025" in text_of(write(tmp_path))
    set_language("de")
    assert "14. März 2025" in text_of(write(tmp_path))
