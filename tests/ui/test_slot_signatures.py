"""A button's `clicked` and an action's `triggered` pass `checked` to a slot that takes an argument: the Customers
page's Import button once passed False as the file to import, and the import crashed on its worker (the slot was
handed to a helper as a parameter). Every slot a button or action calls directly takes no argument, or says in its
first parameter's type that it is a bool; a slot handed in as a variable is called through a lambda."""

from __future__ import annotations

import ast
from pathlib import Path

UI = Path(__file__).parents[2] / "ui"
SIGNALS = ("clicked", "triggered")


def _slots_taking_checked(source: str) -> list[str]:
    """`Class.method (line N)` for each `<x>.clicked/triggered.connect(self.method)` whose method would be given
    `checked` as its first argument without asking for a bool."""
    found = []
    for cls in (node for node in ast.walk(ast.parse(source)) if isinstance(node, ast.ClassDef)):
        methods = {f.name: f for f in cls.body if isinstance(f, ast.FunctionDef)}
        for call in (node for node in ast.walk(cls) if isinstance(node, ast.Call)):
            target = call.func
            if not (
                isinstance(target, ast.Attribute)
                and target.attr == "connect"
                and isinstance(target.value, ast.Attribute)
                and target.value.attr in SIGNALS
                and call.args
            ):
                continue
            if isinstance(call.args[0], ast.Name):  # a slot handed in (a helper's parameter, a loop's variable):
                found.append(f"{cls.name}: {call.args[0].id} (line {call.lineno})")  # nobody can see what it takes
                continue
            if not (
                isinstance(call.args[0], ast.Attribute)
                and isinstance(call.args[0].value, ast.Name)
                and call.args[0].value.id == "self"
            ):
                continue
            method = methods.get(call.args[0].attr)
            if method is None:  # a signal relayed, or an inherited slot (close, reject): Qt's own
                continue
            params = method.args.args[1:]
            if params and not (params[0].annotation is not None and ast.unparse(params[0].annotation) == "bool"):
                found.append(f"{cls.name}.{method.name} (line {call.lineno})")
    return found


def test_no_button_or_action_passes_checked_to_a_slot_that_means_something_else() -> None:
    offenders = {
        str(path.relative_to(UI.parent)): found
        for path in sorted(UI.rglob("*.py"))
        if (found := _slots_taking_checked(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}


def test_the_check_finds_the_slot_that_crashed_the_import() -> None:
    source = (
        "class Page:\n"
        "    def __init__(self):\n"
        "        self.import_button.clicked.connect(self.import_customers)\n"
        "        for button, slot in ((self.a, self.reset),):\n"
        "            button.clicked.connect(slot)\n"
        "        self.clear.clicked.connect(self.reset)\n"
        "        self.bold.triggered.connect(self.set_bold)\n"
        "    def import_customers(self, path=None): ...\n"
        "    def reset(self): ...\n"
        "    def set_bold(self, on: bool): ...\n"
    )
    assert _slots_taking_checked(source) == ["Page.import_customers (line 3)", "Page: slot (line 5)"]
