"""The user guide's files: every page in every language, the same sections as English, links that lead to pages,
and no button, tab or menu named in bold that the program does not show in that language."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from app import guide
from app.locale.i18n import SUPPORTED_LANGUAGES

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "resources" / "guide"
BOLD = re.compile(r"\*\*(.+?)\*\*", re.S)
LINK = re.compile(r"\]\(([^)\s]+)\)")
TRANSLATED = [language for language in SUPPORTED_LANGUAGES if language != "en"]


def _text(language: str, page: str) -> str:
    return (GUIDE / language / f"{page}.md").read_text(encoding="utf-8")


def _sections(text: str) -> int:
    return sum(1 for line in text.splitlines() if line.startswith("## "))


def normalise(label: str) -> str:
    """A label as a person reads it: no mnemonic ('&Import…', 'Import…(&I)' in Chinese), ordinary spaces, and no
    closing ellipsis or colon (the guide writes 'click **Import…**' and '**Format**' for the label 'Format:')."""
    text = re.sub(r"\s*\(&\w\)", "", label)
    text = text.replace("&&", "\0").replace("&", "").replace("\0", "&")
    text = " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())
    return re.sub(r"(\s*(…|\.\.\.|:|：))+$", "", text).strip()


def named_in_bold(text: str) -> list[str]:
    """Each name the page puts in bold; a path ('**Settings › Backups**') is one name per step."""
    return [part for bold in BOLD.findall(text) for part in (p.strip() for p in bold.split("›")) if part]


def _po(language: str):  # type: ignore[no-untyped-def]
    name = "counterpart.pot" if language == "en" else f"{language}/LC_MESSAGES/counterpart.po"
    with (ROOT / "translations" / name).open("rb") as handle:
        return read_po(handle)


def ui_labels(language: str) -> set[str]:
    """What the program can show in `language`: the catalog's texts (msgid for English, msgstr otherwise); for
    English also every string written in ui/ (names that are not translated)."""
    labels: set[str] = set()
    for message in _po(language):
        if not message.id:
            continue
        texts = message.id if language == "en" else message.string
        for text in texts if isinstance(texts, tuple) else (texts,):
            if text:
                labels.add(normalise(text))
    if language == "en":
        for path in (ROOT / "ui").rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    labels.add(normalise(node.value))
    return labels


def test_every_language_has_every_page() -> None:
    assert set(guide.languages()) == set(SUPPORTED_LANGUAGES)
    assert guide.languages()[0] == "en"
    for language in SUPPORTED_LANGUAGES:
        found = {path.stem for path in (GUIDE / language).glob("*.md")}
        assert found == set(guide.PAGES), language


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_each_page_starts_with_its_title_and_has_the_sections_of_english(language: str) -> None:
    for page in guide.PAGES:
        text = _text(language, page)
        assert text.startswith("# ") and guide.title_of(text), f"{language}/{page}.md must start with '# title'"
        assert _sections(text) == _sections(_text("en", page)), (
            f"{language}/{page}.md has {_sections(text)} '## ' sections, English {_sections(_text('en', page))}"
        )
        assert 100 <= len(text.split()) <= 520 or language == "zh_CN", f"{language}/{page}.md: keep it short"


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_links_between_pages_lead_to_pages(language: str) -> None:
    for page in guide.PAGES:
        for link in LINK.findall(_text(language, page)):
            assert guide.page_of_link(link) is not None, f"{language}/{page}.md links to {link!r}, not a page"
            assert (GUIDE / language / link.split("#")[0]).is_file(), f"{language}/{page}.md: {link!r} is missing"


def test_the_index_lists_every_page_in_every_language() -> None:
    index = (GUIDE / "README.md").read_text(encoding="utf-8")
    links = set(LINK.findall(index))
    for language in SUPPORTED_LANGUAGES:
        for page in guide.PAGES:
            assert f"{language}/{page}.md" in links, f"README.md does not link {language}/{page}.md"


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_every_name_in_bold_is_shown_by_the_program(language: str) -> None:
    labels = ui_labels(language)
    unknown = {
        f"{page}: {name!r}"
        for page in guide.PAGES
        for name in named_in_bold(_text(language, page))
        if normalise(name) not in labels
    }
    assert not unknown, (
        f"the {language} guide names controls the program does not show in that language "
        f"(write them as the catalog does): {sorted(unknown)}"
    )


def test_the_bold_check_is_real() -> None:
    labels = ui_labels("en")
    assert normalise("&Import…") == "Import" and "Import" in labels
    assert normalise("Mot de passe\u00a0:") == "Mot de passe"
    assert normalise("导入(&I)…") == "导入"
    assert "Launch rockets" not in labels
    assert named_in_bold("Go to **Settings › Backups** and click **Back up now**.") == [
        "Settings",
        "Backups",
        "Back up now",
    ]


# --- app/guide.py ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "folder"),
    [
        ("en", "en"),
        ("de", "de"),
        ("de_DE", "de"),
        ("de_AT.UTF-8", "de"),
        ("fr_CA", "fr"),
        ("es-MX", "es"),
        ("zh_CN", "zh_CN"),
        ("zh_TW", "en"),
        ("pt_BR", "en"),
        ("", "en"),
        (None, "en"),
    ],
)
def test_the_guide_follows_the_program_language(language: str | None, folder: str) -> None:
    assert guide.guide_language(language) == folder
    assert guide.page_path("consent", language) == GUIDE / folder / "consent.md"


def test_a_page_missing_in_a_language_falls_back_to_english(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for language, pages in (("en", guide.PAGES), ("de", ("getting-started",))):
        (tmp_path / language).mkdir()
        for page in pages:
            (tmp_path / language / f"{page}.md").write_text(f"# {page} ({language})\n\ntext\n", encoding="utf-8")
    monkeypatch.setattr(guide, "guide_folder", lambda: tmp_path)
    assert guide.read_page("getting-started", "de_DE").title == "getting-started (de)"
    shown = guide.read_page("backups", "de_DE")
    assert (shown.language, shown.title) == ("en", "backups (en)")
    with pytest.raises(KeyError):
        guide.page_path("no-such-page", "en")


def test_titles_and_links() -> None:
    assert guide.title_of("intro\n\n# Backups and recovery\n\n## Restore\n") == "Backups and recovery"
    assert guide.title_of("## only a section\n") == ""
    assert guide.read_page("requests", "zh_CN").title == "隐私请求"
    assert guide.page_of_link("backups.md") == "backups"
    assert guide.page_of_link("../de/consent.md#vor-dem-ersten-kunden") == "consent"
    assert guide.page_of_link("https://example.com/backups.md") is None
    assert guide.page_of_link("other.md") is None
