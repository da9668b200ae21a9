"""The user guide: short Markdown pages in resources/guide/<language>/<page>.md, one folder per language the
program is translated into, readable without the program (resources/guide/README.md lists them).

Plain Python, so it can be tested headless; ui/help.py shows the pages. A page missing in a language falls back
to English, so a new page can ship before its translations.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.resources import resource_path

# In reading order: the order the help window lists them.
PAGES = ("getting-started", "staff", "importing", "consent", "requests", "backups")
DEFAULT_PAGE = "getting-started"
FALLBACK_LANGUAGE = "en"


@dataclass(frozen=True)
class GuidePage:
    key: str
    language: str  # the language the text is in (English when the wanted one has no such page)
    path: Path
    text: str

    @property
    def title(self) -> str:
        return title_of(self.text) or self.key


def guide_folder() -> Path:
    return resource_path("guide")


def languages() -> list[str]:
    """The languages the guide has a folder for, English first."""
    folder = guide_folder()
    found = sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []
    return sorted(found, key=lambda name: name != FALLBACK_LANGUAGE)


def guide_language(language: str | None) -> str:
    """The guide folder for a program language, chosen as gettext chooses a catalog: the full name if there is
    such a folder ("zh_CN"), else the language without its region ("de_DE.UTF-8" -> "de"), else English.
    So the guide is in the language the menus and buttons it names are in."""
    if not language:
        return FALLBACK_LANGUAGE
    name = language.split(".")[0].split("@")[0].replace("-", "_")
    available = set(languages())
    for candidate in (name, name.split("_")[0]):
        if candidate in available:
            return candidate
    return FALLBACK_LANGUAGE


def page_path(page: str, language: str | None) -> Path:
    """The file of `page` in `language`, or in English when that language has no such page."""
    if page not in PAGES:
        raise KeyError(f"no guide page {page!r}; the pages are {', '.join(PAGES)}")
    folder = guide_folder()
    wanted = folder / guide_language(language) / f"{page}.md"
    return wanted if wanted.is_file() else folder / FALLBACK_LANGUAGE / f"{page}.md"


def read_page(page: str, language: str | None) -> GuidePage:
    path = page_path(page, language)
    return GuidePage(page, path.parent.name, path, path.read_text(encoding="utf-8"))


def title_of(text: str) -> str:
    """A page's title: its first '# ' heading ('' when it has none)."""
    for line in text.splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return ""


def page_of_link(link: str) -> str | None:
    """The page a link between pages points at ("backups.md", "../de/consent.md#anchor"), or None (a web link)."""
    if "://" in link or link.startswith("mailto:"):
        return None
    name = link.split("#")[0].split("?")[0].rstrip("/").rsplit("/", 1)[-1]
    key = name[:-3] if name.endswith(".md") else name
    return key if key in PAGES else None
