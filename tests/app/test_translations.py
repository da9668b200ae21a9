"""The catalogs: complete, not fuzzy, placeholders intact, in step with the code, and really used."""

from __future__ import annotations

import gettext
import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ("de", "fr", "es", "zh_CN")
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
VERBATIM = {"Recovery key: {key}", "imported: {n}", "skipped: {n}"}  # parsed by scripts: never translated
PLACEHOLDER = re.compile(r"\{(\w*)\}")


def _catalog(path: Path):  # type: ignore[no-untyped-def]
    with path.open("rb") as handle:
        return read_po(handle)


def _ids(catalog) -> set[str]:  # type: ignore[no-untyped-def]
    return {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}


def test_template_is_in_step_with_the_code() -> None:
    in_code = set()
    for folder in ("app", "ui"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / folder, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            in_code.add(message if isinstance(message, str) else message[0])
    template = _ids(_catalog(ROOT / "translations" / "counterpart.pot"))
    assert in_code - template == set(), "run `make catalogs`: new strings are missing from the template"
    assert template - in_code == set(), "run `make catalogs`: the template has strings the code no longer uses"


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_is_complete(language: str) -> None:
    catalog = _catalog(ROOT / "translations" / language / "LC_MESSAGES" / "counterpart.po")
    assert _ids(catalog) == _ids(_catalog(ROOT / "translations" / "counterpart.pot"))
    problems = []
    for message in catalog:
        if not message.id:
            continue
        ids = list(message.id) if isinstance(message.id, tuple) else [message.id]
        strings = list(message.string) if isinstance(message.string, tuple) else [message.string]
        if message.fuzzy:
            problems.append(f"fuzzy: {ids[0]!r}")
        if not all(strings):
            problems.append(f"untranslated: {ids[0]!r}")
            continue
        # A plural form may show the count its English plural shows ("the last {n} entries") where the
        # singular does not; it may use nothing the English lacks, and drop nothing both English forms use.
        english = [set(PLACEHOLDER.findall(text)) for text in ids]
        allowed, needed = set().union(*english), set.intersection(*english)
        for text in strings:
            found = set(PLACEHOLDER.findall(text))
            if not needed <= found <= allowed or (len(ids) == 1 and found != allowed):
                problems.append(f"placeholders differ: {ids[0]!r} -> {text!r}")
        if ids[0] in VERBATIM and strings[0] != ids[0]:
            problems.append(f"must stay verbatim for scripts: {ids[0]!r}")
    assert problems == []


@pytest.mark.parametrize(
    ("language", "english"),
    [("de", "Unlock the vault"), ("zh_CN", "Unlock the vault"), ("fr", "Customers"), ("es", "Customers")],
)
def test_a_compiled_catalog_translates(tmp_path: Path, language: str, english: str) -> None:
    catalog = _catalog(ROOT / "translations" / language / "LC_MESSAGES" / "counterpart.po")
    folder = tmp_path / language / "LC_MESSAGES"
    folder.mkdir(parents=True)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    (folder / "counterpart.mo").write_bytes(buffer.getvalue())
    translated = gettext.translation("counterpart", localedir=tmp_path, languages=[language]).gettext(english)
    assert translated and translated != english


def test_every_build_compiles_the_catalogs(tmp_path: Path) -> None:
    """`pip install -e .` (the README's Windows way) and `pip install .` run build_py: the .mo files must come
    out of it, not only out of `make`, or a Chinese consent form shows English check boxes."""
    copy = tmp_path / "checkout"
    copy.mkdir()
    for name in ("setup.py", "pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, copy / name)
    for folder in ("app", "ui"):
        shutil.copytree(ROOT / folder, copy / folder, ignore=shutil.ignore_patterns("__pycache__"))
    for po in ROOT.glob("translations/*/LC_MESSAGES/counterpart.po"):
        target = copy / po.relative_to(ROOT)
        target.parent.mkdir(parents=True)
        shutil.copy(po, target)
    result = subprocess.run(
        [sys.executable, "setup.py", "-q", "build_py", "--build-lib", str(tmp_path / "lib")],
        cwd=copy,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    compiled = sorted(p.parts[-3] for p in copy.glob("translations/*/LC_MESSAGES/counterpart.mo"))
    assert compiled == sorted(lang for lang in LANGUAGES)
    with (copy / "translations" / "zh_CN" / "LC_MESSAGES" / "counterpart.mo").open("rb") as mo:
        chinese = gettext.GNUTranslations(mo)
    assert chinese.gettext("Email marketing") != "Email marketing"
