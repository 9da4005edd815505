"""The house's layers: every import points to the same layer or a lower one, the front-ends never
import each other, and the import graph has no cycle — lazy imports and ``TYPE_CHECKING`` blocks
included (an import hidden in a function or behind ``if TYPE_CHECKING`` is still an arrow).

    show ← conductor ← audio ← listening ← live ← {ui, midi, terminal} ← {performance, devices} ← cli

The walk reads every module with :mod:`ast` (nothing is imported), resolving relative imports.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

import rockstar_cx

PACKAGE = Path(rockstar_cx.__file__).resolve().parent
REPO = PACKAGE.parent

#: Lowest first.  A name is a module, or a package with everything in it.  In a layer of
#: siblings, no unit may import another.
LAYERS: tuple[tuple[str, tuple[str, ...], bool], ...] = (
    ("base", ("rockstar_cx", "rockstar_cx.errors", "rockstar_cx.files", "rockstar_cx.paths", "rockstar_cx.progress",
              "rockstar_cx.threads"),
     False),
    ("show", ("rockstar_cx.show",), False),
    ("conductor", ("rockstar_cx.conductor",), False),
    ("audio", ("rockstar_cx.audio",), False),
    ("listening", ("rockstar_cx.listening",), False),
    ("live", ("rockstar_cx.live",), False),
    ("front-ends", ("rockstar_cx.ui", "rockstar_cx.midi", "rockstar_cx.terminal"), True),
    ("performance", ("rockstar_cx.performance", "rockstar_cx.devices"), False),
    ("command line", ("rockstar_cx.cli", "rockstar_cx.room_commands", "rockstar_cx.__main__"), False),
)


def modules(root: Path) -> dict[str, Path]:
    """Every module under the package directory ``root``, by dotted name."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = [root.name, *path.relative_to(root).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The package's modules ``name`` imports, anywhere in it (functions, ``TYPE_CHECKING`` too)."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    top = name.split(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            # `from package import module` imports that module; `from module import name` the module
            targets = [f"{module}.{alias.name}" if f"{module}.{alias.name}" in known else module
                       for alias in node.names]
        else:
            continue
        for target in targets:
            while target not in known and "." in target:  # `import a.b.c`: the deepest module we have
                target = target.rsplit(".", 1)[0]
            if target in known and target != name and target.split(".")[0] == top:
                found.add(target)
    return found


def place(module: str) -> tuple[int, str]:
    """(layer, unit) of a module; the unit is the LAYERS name it falls under."""
    for layer, (_, units, _) in enumerate(LAYERS):
        for unit in units:
            if module == unit or (unit != unit.split(".")[0] and module.startswith(unit + ".")):
                return layer, unit
    raise LookupError(f"{module} is in no layer: add it to LAYERS in {__file__}")


def violations(root: Path) -> list[str]:
    """Upward arrows, imports between sibling front-ends, and cycles, in words."""
    known = modules(root)
    graph = {name: imports(name, path, set(known)) for name, path in known.items()}
    problems = []
    for name, targets in sorted(graph.items()):
        layer, unit = place(name)
        for target in sorted(targets):
            target_layer, target_unit = place(target)
            if target_layer > layer:
                problems.append(f"{name} -> {target}: {LAYERS[layer][0]} imports {LAYERS[target_layer][0]}, above it")
            elif target_layer == layer and LAYERS[layer][2] and target_unit != unit:
                problems.append(f"{name} -> {target}: the front-ends {unit} and {target_unit} must not import each other")
    problems += [f"import cycle: {' -> '.join(cycle)}" for cycle in cycles(graph)]
    return problems


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle through each strongly connected group of modules (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return [_path_through(graph, group) for group in groups]


def _path_through(graph: dict[str, set[str]], group: list[str]) -> list[str]:
    """A cycle inside ``group``, from its first module back to it."""
    start, members = group[0], set(group)
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for target in sorted(graph[node] & members):
                if target == start:
                    return paths[node] + [start]
                if target not in paths:
                    paths[target] = paths[node] + [target]
                    following.append(target)
        frontier = following
    return group


def test_every_import_points_down_or_across_and_none_goes_round():
    assert violations(PACKAGE) == []


def test_the_walk_finds_an_upward_arrow_a_sibling_import_and_a_cycle_hidden_in_a_function(tmp_path):
    """The checker itself, on a small house built wrong the way this one was before issue 12."""
    root = tmp_path / "rockstar_cx"
    files = {
        "__init__.py": "",
        "cli.py": "from .terminal import run\n",
        "terminal.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .midi.session import Session\n",
        "ui/__init__.py": "",
        "ui/app.py": "def learn():\n    from ..midi.session import Session\n",  # lazy: an arrow all the same
        "ui/controls.py": "import pygame\n",
        "midi/__init__.py": "",
        "midi/session.py": "from . import mapping\nfrom ..ui.app import learn\n",
        "midi/mapping.py": "from rockstar_cx.ui.controls import Action\n",
        "audio/__init__.py": "",
        "audio/engine.py": "from ..live import presenter\n",
        "live/__init__.py": "",
        "live/presenter.py": "import rockstar_cx.audio.engine\n",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    siblings = "must not import each other"
    assert violations(root) == [
        "rockstar_cx.audio.engine -> rockstar_cx.live.presenter: audio imports live, above it",
        f"rockstar_cx.midi.mapping -> rockstar_cx.ui.controls: the front-ends rockstar_cx.midi and rockstar_cx.ui {siblings}",
        f"rockstar_cx.midi.session -> rockstar_cx.ui.app: the front-ends rockstar_cx.midi and rockstar_cx.ui {siblings}",
        f"rockstar_cx.terminal -> rockstar_cx.midi.session: the front-ends rockstar_cx.terminal and rockstar_cx.midi "
        f"{siblings}",
        f"rockstar_cx.ui.app -> rockstar_cx.midi.session: the front-ends rockstar_cx.ui and rockstar_cx.midi {siblings}",
        "import cycle: rockstar_cx.audio.engine -> rockstar_cx.live.presenter -> rockstar_cx.audio.engine",
        "import cycle: rockstar_cx.midi.session -> rockstar_cx.ui.app -> rockstar_cx.midi.session",
    ]


def test_the_midi_session_and_the_live_layer_load_no_pygame():
    code = ("import sys, rockstar_cx.midi.session, rockstar_cx.live, rockstar_cx.performance; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'pygame'))")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60,
                            env=dict(os.environ, PYTHONPATH=str(REPO)))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize("module", ["rockstar_cx.live", "rockstar_cx.live.view", "rockstar_cx.live.presenter",
                                    "rockstar_cx.live.intent", "rockstar_cx.live.surface"])
def test_the_live_layer_imports_neither_pygame_nor_mido(module):
    path = modules(PACKAGE)[module]
    names = {alias.name.split(".")[0] for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
             if isinstance(node, ast.Import) for alias in node.names}
    names |= {node.module.split(".")[0] for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
              if isinstance(node, ast.ImportFrom) and node.module and not node.level}
    assert not names & {"pygame", "mido", "rtmidi"}
