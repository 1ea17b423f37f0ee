"""The shared vocabulary: each word defined once, and no import cycle between sandbox modules."""

from __future__ import annotations

import ast
import enum
from pathlib import Path

import pytest

import sandbox
from sandbox import vocab
from sandbox.vocab import Optimizer, Task, View, parse_views

PACKAGE = Path(sandbox.__file__).parent


def _sources() -> dict[str, Path]:
    """Module name -> file for every module of the sandbox package."""
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _module_level_imports(name: str, path: Path, modules: set[str]) -> set[str]:
    """Sandbox modules `name` imports when it is imported: statements at module level, not
    inside functions and not under `if TYPE_CHECKING:`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()

    def visit(body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, ast.If):
                if "TYPE_CHECKING" in ast.unparse(node.test):
                    visit(node.orelse)
                    continue
                visit(node.body)
                visit(node.orelse)
            elif isinstance(node, ast.Try):
                for block in (node.body, node.orelse, node.finalbody):
                    visit(block)
                for handler in node.handlers:
                    visit(handler.body)
            elif isinstance(node, ast.Import):
                out.update(a.name for a in node.names if a.name in modules)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")
                    base = base[: len(base) - (node.level - 1)]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                for alias in node.names:
                    sub = f"{target}.{alias.name}"
                    if sub in modules:
                        out.add(sub)
                    elif target in modules:
                        out.add(target)

    visit(tree.body)
    out.discard(name)
    return out


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a list of module names, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def walk(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state:
                found = walk(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = walk(node)
            if found:
                return found
    return None


def test_no_import_cycle_between_sandbox_modules():
    sources = _sources()
    names = set(sources)
    graph = {n: _module_level_imports(n, p, names) for n, p in sources.items()}
    # a package's __init__ importing its own modules is how packages re-export: those edges
    # point down, and a module importing its own package back would close the cycle
    cycle = _cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_app_cli_and_render_cli_share_the_config_module():
    sources = _sources()
    names = set(sources)
    for name in ("sandbox.app", "sandbox.cli", "sandbox.render_cli"):
        imports = _module_level_imports(name, sources[name], names)
        assert "sandbox.config" in imports
        assert "sandbox.app" not in imports
    assert "sandbox.cli" not in _module_level_imports("sandbox.app", sources["sandbox.app"], names)


def test_the_cycle_finder_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def _enum_definitions() -> dict[str, list[str]]:
    """Class name -> modules defining a class of that name, for every Enum subclass."""
    out: dict[str, list[str]] = {}
    for name, path in _sources().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                bases = {ast.unparse(b) for b in node.bases}
                if bases & {"Enum", "StrEnum", "IntEnum", "str, Enum", "enum.Enum"}:
                    out.setdefault(node.name, []).append(name)
    return out


@pytest.mark.parametrize("word", ["Task", "View", "Optimizer", "Control", "ControlState"])
def test_each_word_is_defined_once(word):
    assert _enum_definitions()[word] == ["sandbox.vocab"]


def _constant_definitions() -> dict[str, list[str]]:
    """Name -> modules assigning it at module level, for every UPPER_CASE name."""
    out: dict[str, list[str]] = {}
    for name, path in _sources().items():
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            targets = node.targets if isinstance(node, ast.Assign) else []
            if isinstance(node, ast.AnnAssign):
                targets = [node.target]
            for t in targets:
                if isinstance(t, ast.Name) and t.id.isupper():
                    out.setdefault(t.id, []).append(name)
    return out


# constants that name one thing across the app: each set in one module, imported elsewhere
SHARED_CONSTANTS = (
    "MAX_CLASSES",  # the palette, the mesh's outputs, the per-pixel field, the class buttons
    "UI_SCALES",  # the settings table, the UI scale menu, the start menu's scale buttons
    "HEALTH_INTERVAL",  # the plane's dead neurons and the inspector's neuron flags
    "MAX_CHOICES",  # a quiz's and a prediction's answers
    "REPLAY_SPEEDS",  # the timeline's replay menu
)


@pytest.mark.parametrize("word", SHARED_CONSTANTS)
def test_each_shared_constant_is_set_in_one_module(word):
    assert len(_constant_definitions()[word]) == 1, _constant_definitions()[word]


def test_every_enum_name_is_defined_once():
    twice = {k: v for k, v in _enum_definitions().items() if len(v) > 1}
    assert not twice


@pytest.mark.parametrize("enum_type", [Task, View, Optimizer, vocab.Activation, vocab.Schedule])
def test_plain_strings_are_valid_values(enum_type: type[enum.StrEnum]):
    for member in enum_type:
        assert enum_type(member.value) is member
        assert member == member.value  # a level file's plain string compares equal


def test_the_words_everyone_imports_are_the_same_objects():
    from sandbox import levels, nn, state
    from sandbox.data import datasets

    assert nn.Task is levels.Task is datasets.Task is state.Task is Task
    assert levels.View is state.View is View
    assert nn.Optimizer is Optimizer


def test_parse_views_names_the_unknown_view_and_the_allowed_ones():
    assert parse_views(["Field", " regions ", ""]) == {View.FIELD, View.REGIONS}
    with pytest.raises(ValueError, match="unknown view 'folds'; allowed: field, boundary"):
        parse_views(["folds"])


def test_every_view_has_a_key_and_a_label():
    assert set(vocab.VIEW_KEYS) == set(View) == set(vocab.VIEW_LABELS)
    assert len(set(vocab.VIEW_KEYS.values())) == len(View)


def test_ranges_are_ordered_and_nested():
    for name in dir(vocab):
        value = getattr(vocab, name)
        if name.endswith("_RANGE"):
            lo, hi = value
            assert lo < hi, name
    # the slider's span lies inside what may be typed, which lies inside what is kept
    assert vocab.LR_RANGE[0] <= vocab.LR_SLIDER_RANGE[0] < vocab.LR_SLIDER_RANGE[1]
    assert vocab.LR_SLIDER_RANGE[1] <= vocab.LR_RANGE[1] <= vocab.LR_MAX
    assert vocab.L2_RANGE[1] <= vocab.L2_MAX
    assert vocab.MAX_WIDTH_UI <= vocab.MAX_WIDTH
    assert vocab.MAX_LEVEL_POINTS <= vocab.MAX_POINTS
    assert vocab.BATCH_SIZE_RANGE[1] <= vocab.MAX_BATCH_SIZE
    assert set(vocab.BATCH_SIZES) <= set(
        range(vocab.BATCH_SIZE_RANGE[0], vocab.BATCH_SIZE_RANGE[1])
    )
    assert vocab.DEFAULT_BATCH_SIZE in vocab.BATCH_SIZES
    assert vocab.LR_SLIDER_RANGE[0] <= vocab.DEFAULT_LR <= vocab.LR_SLIDER_RANGE[1]


def test_the_core_vocabulary_imports_only_the_standard_library():
    tree = ast.parse((PACKAGE / "vocab.py").read_text(encoding="utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            roots.add(node.module.split(".")[0])
    assert roots <= {"__future__", "collections", "enum"}
