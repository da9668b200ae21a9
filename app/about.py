"""What Counterpart is built from, for Help › About: each bundled component with its version and licence.

Python packages: the version and licence come from the installed package's metadata (the packaging spec copies
that metadata into the bundle), with a hand-written table for packages whose metadata names no licence clearly.
Native libraries inside those packages (SQLCipher, SQLite, OpenSSL, HarfBuzz, PDFium) are asked for their
versions directly; the fonts are read from resources/fonts. A package that is not installed is left out rather
than failing. Nothing here imports Qt: the window passes Qt's version in.
"""

from __future__ import annotations

import os
import platform
import re
import struct
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from app.locale import _
from app.resources import resource_path

# The runtime dependencies in pyproject.toml, in its order (tests/app/test_about.py keeps the two in step).
RUNTIME_PACKAGES = (
    "PySide6-Essentials",
    "sqlcipher3",
    "keyring",
    "cryptography",
    "argon2-cffi",
    "platformdirs",
    "filelock",
    "reportlab",
    "segno",
    "uharfbuzz",
    "babel",
    "phonenumbers",
    "email-validator",
    "charset-normalizer",
    "vobject",
    "pypdf",
    "pypdfium2",
    "fido2",
)

# Where Qt's bindings offer a choice (LGPL-3.0-only OR GPL-2.0-only OR GPL-3.0-only), the one Counterpart uses.
CHOSEN_LICENCES = {"pyside6-essentials": "LGPL-3.0-only", "shiboken6": "LGPL-3.0-only"}

# Packages whose metadata names no licence usably (empty, prose, or a bare word like "Apache"), checked against
# each package's own licence file.
FALLBACK_LICENCES = {
    "sqlcipher3": "Zlib",
    "reportlab": "BSD-3-Clause",
    "segno": "BSD-3-Clause",
    "uharfbuzz": "Apache-2.0",
    "vobject": "Apache-2.0",
    "pypdfium2": "Apache-2.0 OR BSD-3-Clause",
}

# Trove classifiers, for packages that name their licence nowhere else.
CLASSIFIER_LICENCES = {
    "MIT License": "MIT",
    "BSD License": "BSD",
    "Apache Software License": "Apache-2.0",
    "ISC License (ISCL)": "ISC",
    "The Unlicense (Unlicense)": "Unlicense",
    "Python Software Foundation License": "PSF-2.0",
    "Mozilla Public License 2.0 (MPL 2.0)": "MPL-2.0",
    "zlib/libpng License": "Zlib",
}

# The bundled fonts by family (as named inside the font file); LICENSES.md beside them says where each is from.
FONT_LICENCES = {
    "Noto Sans": "OFL-1.1",
    "Noto Sans Mono": "OFL-1.1",
    "Noto Sans Arabic": "OFL-1.1",
    "Noto Sans Hebrew": "OFL-1.1",
    "NanumGothic": "OFL-1.1",
    "Droid Sans Fallback": "Apache-2.0",
    "Noto Sans Thai UI": "OFL-1.1",
    "Noto Sans Devanagari UI": "OFL-1.1",
    "Noto Sans Bengali UI": "OFL-1.1",
    "Noto Sans Tamil UI": "OFL-1.1",
    "Noto Emoji": "OFL-1.1",
}

_SPDX_ID = re.compile(r"[A-Za-z0-9.+-]*[0-9-][A-Za-z0-9.+-]*|MIT|ISC|Zlib|Unlicense|blessing")


@dataclass(frozen=True)
class Component:
    name: str
    version: str
    licence: str  # an SPDX expression where there is one ("LGPL-3.0-only", "Apache-2.0 OR BSD-3-Clause")


def components(qt_version: str | None = None) -> list[Component]:
    """Python, Qt (when the window passes its version), every runtime package with the native libraries inside
    it, then the packages those pull in, then the fonts."""
    found = [Component("Python", platform.python_version(), "PSF-2.0")]
    if qt_version:
        found.append(Component("Qt", qt_version, "LGPL-3.0-only"))
    for name in RUNTIME_PACKAGES:
        package = package_component(name)
        if package is not None:
            found.append(package)
            found += _inside(name)
    direct = {_normalise(name) for name in RUNTIME_PACKAGES}
    found += [c for name in sorted(_dependencies(RUNTIME_PACKAGES) - direct) if (c := package_component(name))]
    found += font_components()
    return found


def package_component(name: str) -> Component | None:
    """One installed distribution, or None when it is not installed."""
    try:
        meta = metadata.metadata(name)
    except metadata.PackageNotFoundError:
        return None
    shown = name if name in RUNTIME_PACKAGES else (_field(meta, "Name") or name)
    return Component(shown, _field(meta, "Version"), licence_of(name, meta))


def licence_of(name: str, meta: metadata.PackageMetadata) -> str:
    """Our choice where there is one; else License-Expression; else License when it reads as SPDX; else our
    table; else the classifiers; else ""."""
    key = _normalise(name)
    if key in CHOSEN_LICENCES:
        return CHOSEN_LICENCES[key]
    expression = _field(meta, "License-Expression")
    if expression:
        return expression
    text = _field(meta, "License")
    if _looks_like_spdx(text):
        return text
    if key in FALLBACK_LICENCES:
        return FALLBACK_LICENCES[key]
    classifiers = [c.rsplit(" :: ", 1)[-1] for c in meta.get_all("Classifier") or [] if c.startswith("License ::")]
    names = [CLASSIFIER_LICENCES.get(c, c) for c in classifiers if c != "OSI Approved"]
    return " OR ".join(dict.fromkeys(names))


def _field(meta: metadata.PackageMetadata, key: str) -> str:
    return str(meta[key] or "").strip() if key in meta else ""


def _looks_like_spdx(text: str) -> bool:
    words = text.replace("(", " ").replace(")", " ").split()
    return bool(words) and len(text) <= 80 and all(w in ("AND", "OR", "WITH") or _SPDX_ID.fullmatch(w) for w in words)


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _dependencies(names: tuple[str, ...]) -> set[str]:
    """Every installed distribution the given ones need, directly or not, by normalised name. Requirements for
    an extra, or whose marker is false here (another platform, an older Python), are skipped."""
    seen: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue
        for requirement in requires:
            spec, _semicolon, marker = requirement.partition(";")
            if "extra" in marker or not marker_holds(marker):
                continue
            match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", spec)
            if match is None:
                continue
            needed = _normalise(match.group(1))
            if needed in seen or not _installed(needed):
                continue
            seen.add(needed)
            todo.append(needed)
    return seen


_VERSION_VARIABLES = ("python_version", "python_full_version")
_TERM = re.compile(r"""\s*(\w+|'[^']*'|"[^"]*")\s*(===|==|!=|~=|<=|>=|<|>|not\s+in|in)\s*(\w+|'[^']*'|"[^"]*")\s*""")


def marker_holds(marker: str) -> bool:
    """Whether a simple environment marker (terms joined by `and`/`or`, no parentheses) is true on this computer.
    Anything this small reader cannot follow counts as true: a package that is installed is then listed."""
    marker = marker.strip()
    if not marker or "(" in marker:
        return True
    return any(
        all(_term_holds(term) for term in re.split(r"\s+and\s+", alternative))
        for alternative in re.split(r"\s+or\s+", marker)
    )


def _term_holds(term: str) -> bool:
    match = _TERM.fullmatch(term)
    if match is None:
        return True
    left, operator, right = match.group(1), " ".join(match.group(2).split()), match.group(3)
    environment = {
        "python_version": ".".join(platform.python_version_tuple()[:2]),
        "python_full_version": platform.python_version(),
        "sys_platform": sys.platform,
        "platform_system": platform.system(),
        "os_name": os.name,
        "platform_machine": platform.machine(),
        "implementation_name": sys.implementation.name,
        "platform_python_implementation": platform.python_implementation(),
    }

    def value(token: str) -> str | None:
        return token[1:-1] if token[0] in "'\"" else environment.get(token)

    a, b = value(left), value(right)
    if a is None or b is None:
        return True
    if operator in ("in", "not in"):
        return (a in b) == (operator == "in")
    if left in _VERSION_VARIABLES or right in _VERSION_VARIABLES:
        x, y = _version(a), _version(b)
        return {
            "==": x == y,
            "===": a == b,
            "!=": x != y,
            "<": x < y,
            "<=": x <= y,
            ">": x > y,
            ">=": x >= y,
            "~=": x >= y,
        }[operator]
    return {"==": a == b, "===": a == b, "!=": a != b}.get(operator, True)


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text))


def _installed(name: str) -> bool:
    try:
        metadata.version(name)
    except metadata.PackageNotFoundError:
        return False
    return True


# --- native libraries inside packages ------------------------------------------------------------------------


def _inside(package: str) -> list[Component]:
    ask: dict[str, Callable[[], list[Component]]] = {
        "sqlcipher3": _sqlcipher,
        "cryptography": _cryptography_openssl,
        "uharfbuzz": _harfbuzz,
        "pypdfium2": _pdfium,
    }
    if package not in ask:
        return []
    try:
        return ask[package]()
    except Exception:  # noqa: BLE001 - a library that cannot say its version is left out, never an error
        return []


def _sqlcipher() -> list[Component]:
    import sqlcipher3

    conn = sqlcipher3.connect(":memory:")
    try:
        cipher = str(conn.execute("PRAGMA cipher_version").fetchone()[0]).split()[0]
        sqlite = str(conn.execute("SELECT sqlite_version()").fetchone()[0])
        found = [Component("SQLCipher", cipher, "BSD-3-Clause"), Component("SQLite", sqlite, _("Public domain"))]
        # The crypto provider answers only once the connection has a key (a raw key: no key derivation).
        conn.execute("PRAGMA key = \"x'" + "00" * 32 + "'\"")
        provider = conn.execute("PRAGMA cipher_provider").fetchone()
        provider_version = conn.execute("PRAGMA cipher_provider_version").fetchone()
        if provider and provider[0] == "openssl" and provider_version:
            found += _openssl(str(provider_version[0]), "sqlcipher3")
        return found
    finally:
        conn.close()


def _cryptography_openssl() -> list[Component]:
    from cryptography.hazmat.backends.openssl.backend import backend

    return _openssl(backend.openssl_version_text(), "cryptography")


def _openssl(text: str, used_by: str) -> list[Component]:
    """ "OpenSSL 3.0.13 30 Jan 2024" → OpenSSL 3.0.13, Apache-2.0 from 3.0 on (the OpenSSL licence before)."""
    words = text.split()
    if len(words) < 2 or words[0] not in ("OpenSSL", "LibreSSL", "BoringSSL"):
        return []
    name, version = words[0], words[1]
    if name == "OpenSSL":
        licence = "OpenSSL" if version.startswith(("0.", "1.")) else "Apache-2.0"
    else:
        licence = {"LibreSSL": "OpenSSL AND ISC", "BoringSSL": "OpenSSL AND ISC"}[name]
    return [Component(f"{name} ({used_by})", version, licence)]


def _harfbuzz() -> list[Component]:
    import uharfbuzz

    return [Component("HarfBuzz", str(uharfbuzz.version_string()), "MIT")]


def _pdfium() -> list[Component]:
    import pypdfium2

    # PDFium's own code is BSD-3-Clause; files it takes from elsewhere carry Apache-2.0.
    return [Component("PDFium", str(pypdfium2.PDFIUM_INFO.tag), "BSD-3-Clause AND Apache-2.0")]


# --- fonts ---------------------------------------------------------------------------------------------------


def font_components(folder: Path | None = None) -> list[Component]:
    """One row per bundled font family (Regular and Bold are one row), with the version inside the file."""
    families: dict[str, str] = {}
    for path in sorted((folder or fonts_folder()).glob("*.ttf")):
        try:
            names = font_names(path.read_bytes())
        except (OSError, ValueError, struct.error):
            continue
        family = names.get(16) or names.get(1) or path.stem  # the typographic family, else the legacy one
        families.setdefault(family, _font_version(names.get(5, "")))
    return [Component(family, version, FONT_LICENCES.get(family, "")) for family, version in families.items()]


def fonts_folder() -> Path:
    return resource_path("fonts")


def licences_folder() -> Path:
    """Licence texts of components whose packages ship none (Qt's LGPL, Python, OpenSSL, SQLCipher)."""
    return resource_path("licenses")


def packages_folder() -> Path | None:
    """Where the packages' metadata folders (each with its licence files, where it ships them) are."""
    try:
        return Path(str(metadata.distribution("reportlab").locate_file(""))).resolve()
    except metadata.PackageNotFoundError:
        return None


def font_names(data: bytes) -> dict[int, str]:
    """The strings of a TrueType file's 'name' table by name id (1 family, 5 version, 16 typographic family),
    preferring the Windows Unicode records in US English. Raises ValueError for anything that is not a TrueType font."""
    if len(data) < 12:
        raise ValueError("not a font")
    (tables,) = struct.unpack_from(">H", data, 4)
    for index in range(tables):
        tag, _checksum, offset, _length = struct.unpack_from(">4sLLL", data, 12 + 16 * index)
        if tag == b"name":
            return dict(_name_records(data, offset))
    raise ValueError("no name table")


def _name_records(data: bytes, table: int) -> Iterator[tuple[int, str]]:
    _format, count, strings = struct.unpack_from(">HHH", data, table)
    mac: dict[int, str] = {}
    windows: dict[int, str] = {}
    for index in range(count):
        platform_id, encoding, language, name_id, length, offset = struct.unpack_from(
            ">HHHHHH", data, table + 6 + 12 * index
        )
        raw = data[table + strings + offset : table + strings + offset + length]
        if platform_id == 3 and encoding in (0, 1, 10) and (name_id not in windows or language == 0x409):
            windows[name_id] = raw.decode("utf-16-be", errors="replace")  # US English wins over other languages
        elif platform_id == 1 and encoding == 0 and name_id not in mac:
            mac[name_id] = raw.decode("mac-roman", errors="replace")
    yield from {**mac, **windows}.items()


def _font_version(text: str) -> str:
    """ "Version 2.007; ttfautohint (v1.8.3)" → "2.007"."""
    first = text.split(";")[0].strip()
    return re.sub(r"^Version\s+", "", first, flags=re.IGNORECASE)
