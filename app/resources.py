"""Where bundled files live: inside a PyInstaller bundle, or beside the source tree."""

from __future__ import annotations

import sys
from pathlib import Path


def project_root() -> Path:
    bundle = getattr(sys, "_MEIPASS", None)
    return Path(bundle) if bundle else Path(__file__).resolve().parents[1]


def resource_path(*parts: str) -> Path:
    """A file under resources/ (fonts, notices, icons)."""
    return project_root().joinpath("resources", *parts)
