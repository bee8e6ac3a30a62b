"""The dependency rules, read from the source: every import statement, late ones inside functions
included, must follow the layering that the packages' docstrings state, and no module may take part
in an import cycle.

    gogo  <-  selfplay  <-  training  <-  cli        (an arrow: "may be imported by")

and inside gogo, by rank: the leaf modules (coords, errors, files, stats), go, then records,
features and rollouts (side by side, none importing another), nets, search, players, then gtp and review
(side by side), web.
"""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("gogo", "selfplay", "training", "cli")
PACKAGE_RANK = {"gogo": 0, "selfplay": 1, "training": 2, "cli": 3}
GOGO_RANK = {"coords": 0, "errors": 0, "files": 0, "stats": 0, "go": 1, "records": 2, "features": 2,
             "rollouts": 2, "nets": 3, "search": 4, "players": 5, "gtp": 6, "review": 6,
             "web": 7}


def module_name(path):
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules():
    return {module_name(path): path for package in PACKAGES for path in (ROOT / package).rglob("*.py")}


def imports_of(path, modules):
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    return imports_in(path.read_text(), name, package, modules)


def imports_in(source, name, package, modules):
    """The project modules that module `name` (in `package`) imports anywhere in its source, in
    functions too (a `from P import m` counts as importing P.m when that is a module)."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                       for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def graph():
    modules = project_modules()
    return {name: imports_of(path, modules) for name, path in modules.items()}


def rank(module):
    parts = module.split(".")
    return PACKAGE_RANK[parts[0]], GOGO_RANK.get(parts[1], -1) if parts[0] == "gogo" and len(parts) > 1 else -1


def test_packages_import_only_downwards():
    bad = []
    for module, targets in graph().items():
        for target in targets:
            if PACKAGE_RANK[target.split(".")[0]] > PACKAGE_RANK[module.split(".")[0]]:
                bad.append(f"{module} imports {target}")
    assert not bad, "\n".join(bad)


def test_gogo_subpackages_import_only_lower_ranks():
    bad = []
    for module, targets in graph().items():
        parts = module.split(".")
        if parts[0] != "gogo" or len(parts) < 2 or parts[1] == "__init__":
            continue
        for target in targets:
            tparts = target.split(".")
            if tparts[0] != "gogo" or len(tparts) < 2 or tparts[1] == parts[1]:
                continue
            if GOGO_RANK[tparts[1]] >= GOGO_RANK[parts[1]]:
                bad.append(f"{module} imports {target}")
    assert not bad, "\n".join(bad)


def test_no_import_cycles():
    edges = graph()
    state, cycles = {}, []

    def visit(node, path):
        state[node] = "open"
        for target in sorted(edges.get(node, ())):
            if state.get(target) == "open":
                cycles.append(" -> ".join(path[path.index(target):] + [target]))
            elif target not in state:
                visit(target, path + [target])
        state[node] = "done"

    for node in sorted(edges):
        if node not in state:
            visit(node, [node])
    assert not cycles, "\n".join(cycles)


def test_the_engine_never_names_the_layers_above_it():
    """Not even as a string (a command table of module names, an importlib call)."""
    bad = []
    for path in (ROOT / "gogo").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if any(node.value.startswith(f"{p}.") or node.value == p for p in ("training", "selfplay", "cli")):
                    bad.append(f"{module_name(path)}: {node.value!r}")
    assert not bad, "\n".join(bad)


def test_the_reader_finds_late_and_relative_imports():
    """The rules above are only as good as the import reader."""
    modules = project_modules()
    source = ("import numpy\n"
              "def f():\n    from gogo.go import board, rules\n    import training.sl\n"
              "class C:\n    def g(self):\n        from . import planes\n        from ..nets import models\n")
    found = imports_in(source, "gogo.features.example", "gogo.features", modules)
    assert found == {"gogo.go.board", "gogo.go.rules", "training.sl", "gogo.features.planes",
                     "gogo.nets.models"}
