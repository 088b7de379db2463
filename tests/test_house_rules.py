"""The house rules a machine can check beyond ruff, mypy and import-linter (see README, "Architecture"):
no import cycle in bertviz_core (imports inside functions counted), files under 500 lines and functions under
80 in bertviz_core, app and pages, no private name taken from another module, and no code but the family specs
comparing a transformers model_type."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import grimp
import networkx as nx
import pytest
from conftest import ROOT

SOURCE_DIRS = ("bertviz_core", "app", "pages")
MAX_FILE_LINES = 500
MAX_FUNCTION_LINES = 80
FAMILY_SPECS = ROOT / "bertviz_core" / "models" / "families.py"
MODEL_TYPES = ("bert", "convbert", "distilbert", "albert", "roberta", "xlm-roberta", "electra", "deberta-v2")


def source_files() -> list[Path]:
    return sorted(p for d in SOURCE_DIRS for p in (ROOT / d).rglob("*.py"))


def test_bertviz_core_has_no_import_cycle():
    graph = grimp.build_graph("bertviz_core")  # every import, inside functions too
    edges = nx.DiGraph(
        (module, imported) for module in graph.modules for imported in graph.find_modules_directly_imported_by(module)
    )
    cycles = [c for c in nx.simple_cycles(edges) if len(c) > 1]
    assert cycles == []


def test_the_cycle_check_sees_a_cycle_written_inside_functions():
    edges = nx.DiGraph([("a", "b"), ("b", "a")])
    assert [sorted(c) for c in nx.simple_cycles(edges)] == [["a", "b"]]


@pytest.mark.parametrize("path", source_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_files_and_functions_stay_small(path):
    text = path.read_text(encoding="utf-8")
    assert text.count("\n") <= MAX_FILE_LINES
    long = [
        (node.name, node.end_lineno - node.lineno + 1)
        for node in ast.walk(ast.parse(text))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert long == []


def private_names_taken(tree: ast.AST) -> list[str]:
    """`from x import _y` and `module._y` where module is an imported module (not self, cls or a local)."""
    modules = set()
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found += [
                f"{node.module}.{a.name}" for a in node.names if a.name.startswith("_") and a.name != "__version__"
            ]
            modules |= {a.asname or a.name for a in node.names}
        elif isinstance(node, ast.Import):
            modules |= {a.asname or a.name.split(".")[0] for a in node.names}
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in modules
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
        ):
            found.append(f"{node.value.id}.{node.attr}")
    return found


@pytest.mark.parametrize("path", source_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_private_name_crosses_a_module(path):
    assert private_names_taken(ast.parse(path.read_text(encoding="utf-8"))) == []


def test_the_private_name_check_sees_both_forms():
    tree = ast.parse("from bertviz_core.models.loading import _finish\nimport os\nfrom a import b\nb._x\nos.path\n")
    assert private_names_taken(tree) == ["bertviz_core.models.loading._finish", "b._x"]


def model_type_comparisons(text: str) -> list[str]:
    """Lines that compare a string with a model_type (==, !=, in, a dict keyed by model_type)."""
    names = "|".join(re.escape(m) for m in MODEL_TYPES)
    compare = re.compile(rf"""(==|!=|\bin)\s*\(?\s*["']({names})["']|["']({names})["']\s*(==|!=)""")
    return [line.strip() for line in text.splitlines() if compare.search(line)]


@pytest.mark.parametrize(
    "path", [p for p in source_files() if p != FAMILY_SPECS], ids=lambda p: str(p.relative_to(ROOT))
)
def test_only_the_family_specs_compare_a_model_type(path):
    assert model_type_comparisons(path.read_text(encoding="utf-8")) == []


def test_the_model_type_check_sees_a_comparison():
    assert model_type_comparisons('if lm.family == "convbert":\n    pass\nx = "bert"\n') == [
        'if lm.family == "convbert":'
    ]


def bench_imports(tree: ast.AST) -> list[str]:
    """The imports of `bench` (or anything under it) in a parsed file, wherever they sit."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.split(".")[0] == "bench"]
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "bench":
            found.append(node.module)
    return found


@pytest.mark.parametrize("path", sorted((ROOT / "tests").rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT)))
def test_tests_never_import_bench(path):
    assert bench_imports(ast.parse(path.read_text(encoding="utf-8"))) == []


def test_the_bench_import_check_sees_both_forms():
    tree = ast.parse("import bench.common\ndef f():\n    from bench import common\nimport benchmark\n")
    assert bench_imports(tree) == ["bench.common", "bench"]
