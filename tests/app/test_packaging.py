"""The Linux bundle builds, and its two programs start and work on a fresh vault (no keychain, offscreen)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WANTED = os.environ.get("CI") == "true" or os.environ.get("COUNTERPART_PACKAGE_TEST") == "1"


@pytest.mark.packaging
@pytest.mark.skipif(
    not WANTED or not sys.platform.startswith("linux"),
    reason="builds a 300 MB bundle in minutes: runs in CI or with COUNTERPART_PACKAGE_TEST=1",
)
def test_linux_bundle_builds_and_runs(tmp_path: Path) -> None:
    dist, work = tmp_path / "dist", tmp_path / "build"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--log-level",
            "WARN",
            "--distpath",
            str(dist),
            "--workpath",
            str(work),
            str(ROOT / "packaging" / "counterpart.spec"),
        ],
        check=True,
        cwd=ROOT,
        timeout=900,
    )
    bundle = dist / "counterpart"
    assert (bundle / "_internal" / "resources" / "fonts" / "NotoSans-Regular.ttf").exists()
    assert list((bundle / "_internal" / "translations").glob("*/LC_MESSAGES/counterpart.mo"))
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "QT_QPA_PLATFORM": "offscreen", "LANG": "de_DE.UTF-8"}
    vault = tmp_path / "shop.vault"
    created = subprocess.run(
        [str(bundle / "counterpart-admin"), "init", str(vault), "--owner", "王芳", "--no-keyring", "--password-stdin"],
        input="correct horse 1\n",
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert created.returncode == 0, created.stderr
    assert "Recovery key: " in created.stdout and "Tresor" in created.stdout  # the German catalog is inside
    verified = subprocess.run(
        [str(bundle / "counterpart-admin"), "verify", str(vault), "--user", "王芳", "--password-stdin"],
        input="correct horse 1\n",
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert verified.returncode == 0 and verified.stdout.startswith("ok"), verified.stderr
    app = subprocess.run(
        [str(bundle / "counterpart"), "--self-test", str(tmp_path / "self-test")],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert app.returncode == 0 and "self-test ok" in app.stdout, app.stderr[-2000:]
    assert (tmp_path / "self-test" / "self-test-kit.pdf").stat().st_size > 10_000  # fonts bundled and embedded
