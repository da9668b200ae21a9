"""House rules the code layout must keep."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_app_never_imports_ui_or_qt() -> None:
    offenders = []
    for path in sorted((ROOT / "app").rglob("*.py")):
        for name in _imported_modules(path):
            if name.split(".")[0] in ("ui", "PySide6", "shiboken6"):
                offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert offenders == []


def test_importing_every_app_module_loads_no_qt() -> None:
    """Also catches indirect imports (a dependency that pulls Qt in)."""
    modules = [".".join(p.relative_to(ROOT).with_suffix("").parts) for p in (ROOT / "app").rglob("*.py")]
    modules = [m.removesuffix(".__init__") for m in modules]
    script = (
        "import importlib, sys\n"
        + "".join(f"importlib.import_module({m!r})\n" for m in modules)
        + "print(sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'ui')))"
    )
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_ci_script_runs_the_readme_test_command() -> None:
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    assert "make run" in readme and "make test" in readme


# --- the floors of app/ (README: how the code is laid out) ---------------------------------------------------
#
# Lowest first; a module may import its own floor and the floors below, never one above. The ground (app/*.py
# and app/locale: errors, files, messages) is below every floor and imports none.
FLOORS = ("store", "vault", "access", "consent", "crm", "privacy", "documents", "admin", "cli")
GROUND = -1


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


APP_MODULES = {_module_name(path): path for path in (ROOT / "app").rglob("*.py")}


def _floor(module: str) -> int:
    parts = module.split(".")
    return FLOORS.index(parts[1]) if len(parts) > 1 and parts[1] in FLOORS else GROUND


def _resolve(name: str) -> str | None:
    """The app module an import names (`from app.x import y` may name the module app.x.y or a name in app.x)."""
    while name and name not in APP_MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _inside(tree: ast.AST, kind: type[ast.AST] | tuple[type[ast.AST], ...], test: str | None = None) -> set[int]:
    """ids of the nodes inside a `kind` node (with `test` in its condition, for an `if`)."""
    return {
        id(inner)
        for outer in ast.walk(tree)
        if isinstance(outer, kind) and (test is None or test in ast.unparse(outer.test))  # type: ignore[attr-defined]
        for inner in ast.walk(outer)
        if inner is not outer
    }


def _imports(path: Path, *, runtime_only: bool = False) -> list[tuple[int, str, bool]]:
    """(line, app module, inside a function) for every import of an app module in the file; with `runtime_only`,
    those under `if TYPE_CHECKING:` are left out."""
    me = _module_name(path)
    package = me if path.name == "__init__.py" else me.rpartition(".")[0]
    tree = ast.parse(path.read_text("utf-8"))
    in_function = _inside(tree, (ast.FunctionDef, ast.AsyncFunctionDef))
    type_only = _inside(tree, ast.If, "TYPE_CHECKING") if runtime_only else set()
    found: list[tuple[int, str, bool]] = []
    for node in ast.walk(tree):
        if id(node) in type_only or not isinstance(node, ast.Import | ast.ImportFrom):
            continue
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([node.module] if node.module else []))
            names = [f"{base}.{alias.name}" for alias in node.names]
        for name in names:
            module = _resolve(name) if name.split(".")[0] == "app" else None
            if module is not None and module != me:
                found.append((node.lineno, module, id(node) in in_function))
    return sorted(found)


def test_every_import_in_app_runs_down_the_floors() -> None:
    """Function-level and type-checking imports count too: an upward arrow is a dependency however it is hidden."""
    upward = [
        f"{path.relative_to(ROOT)}:{line} ({FLOORS[_floor(me)] if _floor(me) >= 0 else 'ground'}) imports "
        f"{module} ({FLOORS[_floor(module)]})"
        for me, path in sorted(APP_MODULES.items())
        for line, module, _ in _imports(path)
        if _floor(module) > _floor(me)
    ]
    assert upward == []


def test_no_import_in_app_hides_inside_a_function() -> None:
    """Imports of app modules sit at the top of the file, so a cycle cannot hide behind a late import."""
    late = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for _, path in sorted(APP_MODULES.items())
        for line, module, in_function in _imports(path)
        if in_function
    ]
    assert late == []


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the path being walked, 2: done
    path: list[str] = []

    def walk(module: str) -> None:
        state[module] = 1
        path.append(module)
        for target in sorted(graph.get(module, ())):
            if state.get(target) == 1:
                cycles.append(path[path.index(target) :] + [target])
            elif target not in state:
                walk(target)
        path.pop()
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            walk(module)
    return cycles


def test_app_modules_import_each_other_without_cycles() -> None:
    """At run time (type-checking imports left out); a package's __init__ that re-exports its modules counts as
    the package, so `from app.x import name` inside app/x/ is a cycle when `name` comes from app/x/__init__.py."""
    graph = {me: {module for _, module, _ in _imports(path, runtime_only=True)} for me, path in APP_MODULES.items()}
    assert _cycles(graph) == []


def test_the_floor_test_sees_an_upward_import(tmp_path: Path) -> None:
    """The check itself: a store module importing privacy is caught, even inside a function."""
    sample = ROOT / "app" / "store" / "_floor_probe.py"
    try:
        sample.write_text("def f():\n    from app.privacy import erasure\n", "utf-8")
        APP_MODULES["app.store._floor_probe"] = sample
        found = _imports(sample)
        assert found == [(2, "app.privacy.erasure", True)]
        assert _floor(found[0][1]) > _floor("app.store._floor_probe")
    finally:
        APP_MODULES.pop("app.store._floor_probe", None)
        sample.unlink(missing_ok=True)
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c", "a"]]


def test_the_readme_compliance_map_names_files_that_exist() -> None:
    """Each duty's code and tests, as the README's compliance map names them, are there (a renamed test or module
    must take the map along)."""
    readme = (ROOT / "README.md").read_text("utf-8")
    section = readme.split("## Compliance map", 1)[1].split("\n## ", 1)[0]
    named = {name.strip("`") for name in re.findall(r"`[\w/]+(?:\.py|/)`", section)}
    assert len(named) > 30
    named -= {"app/", "tests/"}  # the sentence above the table
    missing = sorted(
        name
        for name in named
        if not ((ROOT / "tests" / name).exists() if "test_" in name else (ROOT / "app" / name).exists())
    )
    assert missing == []
