"""The house rules of the code, read from the source: modules stay small, the upper floors (scenes,
ui, state) import at module level and name their types, and nothing there counts versions by hand.

The import-cycle and one-definition-per-word checks live in tests/test_vocab.py.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import sandbox

PACKAGE = Path(sandbox.__file__).parent
MAX_MODULE_LINES = 700
MAX_IMPORTS_IN_FUNCTIONS = 15  # in scenes + ui
MAX_ANY = 40  # annotations naming `Any`, in scenes + ui + state


def _files(*parts: str) -> list[Path]:
    out: list[Path] = []
    for part in parts:
        path = PACKAGE / part
        out += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    return out


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def _where(path: Path, node: ast.AST) -> str:
    name = path.relative_to(PACKAGE.parent) if path.is_relative_to(PACKAGE.parent) else path.name
    return f"{name}:{getattr(node, 'lineno', 0)}"


def imports_in_functions(path: Path) -> list[str]:
    """Import statements inside function bodies (each counted once, nested functions too)."""
    found: set[str] = set()
    for fn in ast.walk(_tree(path)):
        if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
            for node in ast.walk(fn):
                if isinstance(node, ast.Import | ast.ImportFrom):
                    found.add(_where(path, node))
    return sorted(found)


def _annotations(tree: ast.Module) -> list[ast.expr]:
    out: list[ast.expr] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            a = node.args
            args = [*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg]
            out += [x.annotation for x in args if x is not None and x.annotation is not None]
            if node.returns is not None:
                out.append(node.returns)
        elif isinstance(node, ast.AnnAssign):
            out.append(node.annotation)
    return out


def any_in_annotations(path: Path) -> list[str]:
    """Each `Any` named in an annotation (also inside a string annotation)."""
    found: list[str] = []
    for ann in _annotations(_tree(path)):
        for node in ast.walk(ann):
            if isinstance(node, ast.Name) and node.id == "Any":
                found.append(_where(path, ann))
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                words = node.value.replace("[", " ").replace("]", " ").replace("|", " ").split()
                found += [_where(path, ann)] * words.count("Any")
    return found


def version_counters(path: Path) -> list[str]:
    """Hand-written counters: `x.version += 1`, `self._version = self._version + 1` and the like
    (any attribute or name with "version" in it, counted up by hand)."""

    def named(target: ast.expr) -> str:
        if isinstance(target, ast.Attribute):
            return target.attr
        return target.id if isinstance(target, ast.Name) else ""

    found: list[str] = []
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.AugAssign) and "version" in named(node.target):
            found.append(_where(path, node))
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.BinOp):
            names = {named(t) for t in node.targets}
            if any("version" in n for n in names) and named(node.value.left) in names:
                found.append(_where(path, node))
    return found


UPPER_FLOORS = ("scenes", "ui", "state.py")


@pytest.mark.parametrize("path", _files("."), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_is_longer_than_the_limit(path: Path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_MODULE_LINES, f"{path.name}: {lines} lines"


def _kernels_holding_the_interpreter(path: Path) -> list[str]:
    """numba kernels of a module compiled without nogil=True."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.FunctionDef):
            continue
        for deco in node.decorator_list:
            call = deco if isinstance(deco, ast.Call) else None
            name = ast.unparse(call.func if call is not None else deco)
            if name.split(".")[-1] not in ("njit", "jit"):
                continue
            nogil = call is not None and any(
                k.arg == "nogil" and ast.unparse(k.value) == "True" for k in call.keywords
            )
            if not nogil:
                found.append(_where(path, node))
    return found


def test_every_numba_kernel_lets_the_frame_run_beside_it():
    # a kernel that keeps the interpreter stops the frame while it runs on the geometry worker
    # (hashing 100,000 regions' patterns: 30-50 ms frames at the UI maximum)
    found = [w for path in _files(".") for w in _kernels_holding_the_interpreter(path)]
    assert not found, f"numba kernels without nogil=True: {found}"


def test_scenes_and_ui_import_at_module_level():
    found = [w for p in _files("scenes", "ui") for w in imports_in_functions(p)]
    assert len(found) <= MAX_IMPORTS_IN_FUNCTIONS, found


def test_the_upper_floors_name_their_types():
    found = [w for p in _files(*UPPER_FLOORS) for w in any_in_annotations(p)]
    assert len(found) <= MAX_ANY, found


def test_the_upper_floors_count_no_versions_by_hand():
    """Changes are tracked by their owners: the Session's setters, `Tracked` records."""
    found = [w for p in _files(*UPPER_FLOORS, "app.py") for w in version_counters(p)]
    assert not found, found


def test_the_checks_find_what_they_look_for(tmp_path):
    src = tmp_path / "m.py"
    src.write_text(
        "from typing import Any\n"
        "def f(a: Any, b: 'list[Any]') -> dict[str, Any]:\n"
        "    import os\n"
        "    x: Any = 1\n"
        "    a.version += 1\n"
        "    self._data_version = self._data_version + 1\n"
        "    def g():\n"
        "        import sys\n"
        "    return {}\n",
        encoding="utf-8",
    )
    assert len(any_in_annotations(src)) == 4
    assert len(imports_in_functions(src)) == 2
    assert len(version_counters(src)) == 2
    kernels = tmp_path / "k.py"
    kernels.write_text(
        "@njit(cache=True)\ndef a(): pass\n@numba.njit\ndef b(): pass\n"
        "@njit(cache=True, nogil=True)\ndef c(): pass\n@jit(nogil=False)\ndef d(): pass\n",
        encoding="utf-8",
    )
    assert len(_kernels_holding_the_interpreter(kernels)) == 3


def test_tracked_records_count_their_own_changes():
    from sandbox.state import LossHistory
    from sandbox.ui.level_plan import LevelStatus

    h = LossHistory(capacity=4)
    seen = [h.version]
    for step in range(5):  # the fifth sample halves the history: its contents change too
        h.append(step, 1.0, None)
        assert h.version != seen[-1]
        seen.append(h.version)
    h.append(5, 1.0, 1.0)  # nearer than the doubled interval: nothing kept, nothing changed
    assert h.version == seen[-1]
    h.truncate(2)
    assert h.version != seen[-1]

    st = LevelStatus(level=None)  # type: ignore[arg-type]
    v = st.version
    st.readouts = ["3 regions"]  # live numbers do not rebuild the panels
    st.stars = 2
    assert st.version == v
    st.hints = []  # the same value again
    assert st.version == v
    st.card = "success"
    assert st.version == v + 1
    st.hints = ["Add a neuron."]
    assert st.version == v + 2
