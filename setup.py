"""Compiles the gettext catalogs (translations/*/LC_MESSAGES/counterpart.po -> .mo) in every build of the
project, editable installs included, so no install path leaves the app or its PDFs in English.

The .mo files are written beside their .po files, where app.locale.i18n looks for them (project_root())."""

from __future__ import annotations

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


def compile_catalogs() -> list[str]:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po_path in sorted((HERE / "translations").glob("*/LC_MESSAGES/counterpart.po")):
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parts[-3])
        mo_path = po_path.with_suffix(".mo")
        with mo_path.open("wb") as mo_file:
            write_mo(mo_file, catalog, use_fuzzy=False)
        written.append(str(mo_path))
    return written


class BuildWithCatalogs(build_py):
    def run(self) -> None:
        compile_catalogs()
        super().run()


setup(cmdclass={"build_py": BuildWithCatalogs})
