"""Every dependency is installed from the hashed lock, so a release upstream cannot change a fresh machine's
install (Babel 2.19 once broke CI that way): the lock pins everything pyproject asks for, with hashes, and the
Makefile installs from it with --require-hashes."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~;\[ ]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _pinned(lock: Path) -> dict[str, list[str]]:
    """Package name -> the versions pinned for it (one per Python-version marker)."""
    pins: dict[str, list[str]] = {}
    for line in lock.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s;\\]+)", line)
        if match:
            pins.setdefault(match[1].lower().replace("_", "-"), []).append(match[2])
    return pins


def test_the_lock_pins_every_dependency_with_hashes() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    runtime = {_name(r) for r in project["project"]["dependencies"]}
    test_extra = {_name(r) for r in project["project"]["optional-dependencies"]["test"]}
    build = {_name(r) for r in project["build-system"]["requires"]}
    app_lock, test_lock = ROOT / "requirements" / "app.txt", ROOT / "requirements" / "test.txt"
    assert runtime | build <= set(_pinned(app_lock)), runtime | build - set(_pinned(app_lock))
    assert runtime | build | test_extra <= set(_pinned(test_lock)), (runtime | test_extra) - set(_pinned(test_lock))
    for lock in (app_lock, test_lock):
        text = lock.read_text(encoding="utf-8")
        pins = re.findall(r"^[A-Za-z0-9_.\-]+==[^\n]*$", text, re.M)
        hashed = re.findall(r"^[A-Za-z0-9_.\-]+==[^\n]*\\\n\s+--hash=sha256:", text, re.M)
        assert pins and len(pins) == len(hashed), f"{lock}: a pin without hashes"


def test_make_installs_from_the_lock_only() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    installs = [line.strip() for line in makefile.splitlines() if "pip install" in line]
    assert installs, "the Makefile installs nothing?"
    for line in installs:
        assert (
            "--require-hashes -r requirements/" in line
            or "--no-deps" in line
            or line.endswith("pip install --quiet uv")
        ), f"an install outside the lock: {line}"
