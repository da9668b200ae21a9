"""The Windows and macOS recipes, checked as far as a Linux machine can: icons are made and readable, the
scripts parse, and the names they rely on match what the spec builds."""

from __future__ import annotations

import plistlib
import re
import subprocess
import sys
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1].parent
PACKAGING = ROOT / "packaging"
sys.path.insert(0, str(PACKAGING))

import make_icons  # noqa: E402


def test_icons_for_windows_and_macos(tmp_path: Path) -> None:
    ico, icns = make_icons.build(tmp_path)
    with Image.open(ico) as image:
        assert {(16, 16), (32, 32), (48, 48), (256, 256)} <= set(image.info["sizes"])
    with Image.open(icns) as image:
        assert image.size == (1024, 1024)
        assert {(16, 16, 2), (128, 128, 1), (512, 512, 2)} <= set(image.info["sizes"])
        corner, centre = image.convert("RGBA").getpixel((0, 0)), image.convert("RGBA").getpixel((512, 200))
        assert corner[3] == 0 and centre[3] == 255  # transparent rounded corner, painted icon


def test_windows_installer_script_matches_the_bundle() -> None:
    script = (PACKAGING / "windows" / "counterpart.iss").read_text("utf-8")
    spec = (PACKAGING / "counterpart.spec").read_text("utf-8")
    assert 'name="counterpart"' in spec  # the folder and the GUI program the installer ships
    assert r'Source: "dist\counterpart\*"' in script and r"{app}\counterpart.exe" in script
    assert r"SetupIconFile=build\icons\counterpart.ico" in script
    assert re.search(r"^AppId=\{\{[0-9A-F-]{36}\}$", script, re.MULTILINE)  # fixed forever: upgrades match
    assert "/DAppVersion=$$version packaging/windows/counterpart.iss" in (ROOT / "Makefile").read_text("utf-8")


def test_macos_recipe_parses() -> None:
    subprocess.run(["sh", "-n", str(PACKAGING / "macos" / "build_dmg.sh")], check=True)
    entitlements = plistlib.loads((PACKAGING / "macos" / "entitlements.plist").read_bytes())
    assert entitlements == {"com.apple.security.cs.allow-unsigned-executable-memory": True}
    spec = (PACKAGING / "counterpart.spec").read_text("utf-8")
    compile(spec, "counterpart.spec", "exec")
    assert 'BUNDLE(folder, name="Counterpart.app"' in spec and "bundle_identifier=" in spec
