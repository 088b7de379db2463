"""The UI text catalogues of app/i18n/: both languages in every entry, and every key a page can reach.

Keys are found by parsing app/, pages/ and the lesson packs (bertviz_core's lesson_pack, which draws with the
app's keys) with `ast`. In a call t(key, ...), i18n.t(key, ...) or tr(key, ...), the key is
- a literal (also in `a if c else b`, `{...}.get(x, default)`, or a name its function sets to literals, or
  a parameter whose default and call-site values are literals): it must exist;
- an f-string or 'prefix' + name: a family, which must be listed in FAMILIES with the real list it is built
  from (the page list, the model registry, the method lists, ...); every member must exist;
- a name the parser cannot follow: it must be listed in INDIRECT, with the keys it can hold.
"""

from __future__ import annotations

import ast
import string
import sys
import types
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

import bertviz_core as bc
from app import i18n, lessons, nav, results_view, state
from bertviz_core.analysis import compare, masking, metrics, stats
from bertviz_core.analysis import contributions as C
from bertviz_core.models import student

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE_DIR = ROOT / "app" / "i18n"
TRANSLATORS = {"t", "tr"}  # app.i18n.t, lesson_pack's t parameter, pages/lessons.py's lesson_pack.translator
# Codes the library raises that never reach a page (the pages offer only METHODS, ATTRIBUTION_METHODS and
# TARGETS): error_text / error_reason fall back to the library's own message for them.
UNTRANSLATED_METHOD_ERRORS = {"unknown_method", "unknown_target"}


def source_files() -> list[Path]:
    return (
        sorted((ROOT / "app").rglob("*.py")) + sorted((ROOT / "pages").glob("*.py")) + [Path(bc.lesson_pack.__file__)]
    )


def shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else path.name


def raised_codes(exc_class: type) -> set[str]:
    """The first (literal) argument of every `ExcClass("code", ...)` in the package of the module that defines
    the class (bertviz_core.analysis.contributions raises MethodUnavailable from one module per method)."""
    codes = set()
    for path in sorted(Path(sys.modules[exc_class.__module__].__file__).parent.glob("*.py")):
        codes |= {
            node.args[0].value
            for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == exc_class.__name__
            and node.args
            and isinstance(node.args[0], ast.Constant)
        }
    return codes


def lesson_keys() -> set[str]:
    """Every lesson of app/lessons.py, also those LESSONS holds only on some machines (the Chinese lesson
    on a Chinese model, or on the bundled English one): the first argument of each Lesson(...)."""
    tree = ast.parse(Path(lessons.__file__).read_text())
    written = {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "Lesson"
        and node.args
        and isinstance(node.args[0], ast.Constant)
    }
    return written | {lesson.key for lesson in lessons.LESSONS}


def matchings() -> list[str]:
    return list(compare.match_heads(np.zeros((1, 1)), ["L0 H0"], ["L0 H0"]))


# pattern ("{}" for each interpolated part) -> the members, from the lists the code builds the keys from
FAMILIES = {
    "home_{}": lambda: [name for name in nav.PAGES if name != "home"],  # pages/home.py
    "lesson_{}_title": lesson_keys,
    "lesson_{}_text": lesson_keys,
    "mlabel_{}": lambda: [entry.id for entry in bc.available_models()],  # controls.model_name
    "contrib_m_{}": lambda: list(C.METHODS),  # "attention" included
    "cmpm_cap_{}": lambda: [name for name, spec in C.METHODS.items() if not spec.per_head],
    "contrib_x_{}": lambda: [*C.METHODS, "attr"],
    "contrib_a_{}": lambda: C.ATTRIBUTION_METHODS,
    "contrib_t_{}": lambda: C.TARGETS,
    "contrib_err_{}": lambda: raised_codes(C.MethodUnavailable) - UNTRANSLATED_METHOD_ERRORS,
    "cmpm_rerr_{}": lambda: raised_codes(results_view.corpus.ResultsError),
    "hard_load_{}": lambda: sys.modules[bc.ModelLoadError.__module__].REASONS,
    "metric_{}": lambda: metrics.METRICS,
    "research_mname_{}": lambda: metrics.METRICS,
    "research_group_{}": lambda: compare.GROUPS,
    "research_prov_{}": lambda: student.REGISTRY_IDS,  # every shipped student can be compared with its teacher
    "research_prov_teacher_{}": lambda: student.REGISTRY_IDS,
    "research_method_{}": lambda: stats.SAMPLING_METHODS,
    "tab_{}": lambda: state.url.COMPARE_TABS,  # /compare's tabs (a link's `tab` parameter)
    "research_{}": matchings,  # head matching columns
    # options written out in the page code itself
    "research_uniform{}": lambda: ("", "_many"),  # one sentence / many
    "research_uniform{}_attn": lambda: ("", "_many"),
    "research_source_{}": lambda: ("box", "file"),
    "cmpm_many_mode_{}": lambda: ("run", "results"),
    "syn_source_{}": lambda: ("ewt", "upload", "results"),
    "pre_el_mode_{}": lambda: ("generator", "manual"),  # app/electra_view.py: who replaces
    "pre_mk_{}": lambda: masking.STRATEGIES,  # app/pretraining_view.py: ERNIE's masking strategies
    "cmpm_syn_how_{}": lambda: ("folder", "upload"),
}

# (file, name passed to t) -> the keys it can hold
INDIRECT = {
    ("app/nav.py", "title_key"): lambda: [title_key for title_key, _ in nav.PAGES.values()],
    ("app/state/url.py", "msg"): lambda: [note[1] for note in state.parse_url({"layer": ["x", "y"]})[1]],  # URL notes
}


class KeyFinder:
    """The keys of every translator call in `files`: literals, families (patterns) and indirect names,
    each with where it was found."""

    def __init__(self, files: list[Path]):
        self.literals, self.families, self.indirect = defaultdict(set), defaultdict(set), defaultdict(set)
        self.trees = {path: ast.parse(path.read_text()) for path in files}
        self.parents = {}
        self.calls = defaultdict(list)  # function name -> calls of it, anywhere
        for tree in self.trees.values():
            for node in ast.walk(tree):
                for child in ast.iter_child_nodes(node):
                    self.parents[child] = node
                if isinstance(node, ast.Call):
                    self.calls[call_name(node)].append(node)
        for path, tree in self.trees.items():
            for node in ast.walk(tree):
                if isinstance(node, ast.Call) and call_name(node) in TRANSLATORS and node.args:
                    where = f"{shown(path)}:{node.lineno}"
                    self.resolve(node.args[0], node, path, where, depth=0)

    def resolve(self, expr: ast.expr, at: ast.AST, path: Path, where: str, depth: int) -> None:
        if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
            self.literals[expr.value].add(where)
        elif isinstance(expr, (ast.JoinedStr, ast.BinOp)):
            self.families[pattern(expr)].add(where)
        elif isinstance(expr, ast.IfExp):
            for part in (expr.body, expr.orelse):
                self.resolve(part, at, path, where, depth)
        elif isinstance(expr, ast.BoolOp):
            for part in expr.values:
                self.resolve(part, at, path, where, depth)
        elif is_dict_get(expr):
            for part in expr.func.value.values + expr.args[1:]:
                self.resolve(part, at, path, where, depth)
        else:
            values = self.values_of(expr.id, at) if isinstance(expr, ast.Name) and depth < 4 else []
            for value, scope in values:
                self.resolve(value, scope, path, where, depth + 1)
            if not values:
                self.indirect[(shown(path), ast.unparse(expr))].add(where)

    def values_of(self, name: str, at: ast.AST) -> list[tuple[ast.expr, ast.AST]]:
        """What the enclosing function (or module) sets `name` to: assignments, loops over literal tuples,
        and for a parameter its default and the values callers pass."""
        scope = self.parents.get(at)
        while scope is not None and not isinstance(scope, (ast.FunctionDef, ast.Module)):
            scope = self.parents.get(scope)
        if scope is None:
            return []
        found = [(value, node) for node in ast.walk(scope) for value in assigned(node, name)]
        if isinstance(scope, ast.FunctionDef):
            found += self.parameter_values(scope, name)
        return found

    def parameter_values(self, func: ast.FunctionDef, name: str) -> list[tuple[ast.expr, ast.AST]]:
        params = func.args.args
        index = next((i for i, arg in enumerate(params) if arg.arg == name), None)
        if index is None:
            return []
        with_default = params[len(params) - len(func.args.defaults) :]
        defaults = dict(zip([arg.arg for arg in with_default], func.args.defaults, strict=True))
        found = [(defaults[name], func)] if name in defaults else []
        for call in self.calls[func.name]:
            found += [(kw.value, call) for kw in call.keywords if kw.arg == name]
            if len(call.args) > index:
                found.append((call.args[index], call))
        return found


def call_name(call: ast.Call) -> str | None:
    func = call.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


def is_dict_get(expr: ast.expr) -> bool:
    return (
        isinstance(expr, ast.Call)
        and isinstance(expr.func, ast.Attribute)
        and expr.func.attr == "get"
        and isinstance(expr.func.value, ast.Dict)
    )


def pattern(expr: ast.expr) -> str:
    """f"lesson_{key}_title" -> "lesson_{}_title"; "metric_" + name -> "metric_{}"."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return expr.value
    if isinstance(expr, ast.JoinedStr):
        return "".join(pattern(part) for part in expr.values)
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
        return pattern(expr.left) + pattern(expr.right)
    return "{}"


def assigned(node: ast.AST, name: str) -> list[ast.expr]:
    """Values `node` gives `name`: `name = v`, `name, x = v, w`, `for name in (v, w)`, `for name, x in ((v, w),)`."""
    if isinstance(node, ast.Assign):
        return [v for target in node.targets for v in unpack(target, node.value, name)]
    if isinstance(node, ast.For) and isinstance(node.iter, (ast.Tuple, ast.List)):
        return [v for item in node.iter.elts for v in unpack(node.target, item, name)]
    return []


def unpack(target: ast.expr, value: ast.expr, name: str) -> list[ast.expr]:
    if isinstance(target, ast.Name):
        return [value] if target.id == name else []
    if isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple) and len(target.elts) == len(value.elts):
        return [v for t, e in zip(target.elts, value.elts, strict=True) for v in unpack(t, e, name)]
    return []


@pytest.fixture(scope="module")
def found() -> KeyFinder:
    return KeyFinder(source_files())


def placeholders(text: str) -> list[str]:
    return sorted(field for _, field, _, _ in string.Formatter().parse(text) if field is not None)


@pytest.mark.parametrize("catalogue", i18n.CATALOGUES, ids=i18n.catalogue_name)
def test_every_entry_has_english_and_chinese_with_the_same_placeholders(catalogue):
    assert catalogue.TEXT
    for key, entry in catalogue.TEXT.items():
        assert set(entry) == set(i18n.LANGUAGES), key
        assert all(isinstance(text, str) and text.strip() for text in entry.values()), key
        assert placeholders(entry["en"]) == placeholders(entry["zh"]), key


def test_every_literal_key_in_the_code_exists(found):
    missing = {key: sorted(where) for key, where in found.literals.items() if key not in i18n.TEXT}
    assert not missing


def test_every_key_family_in_the_code_is_listed(found):
    unlisted = {family: sorted(where) for family, where in found.families.items() if family not in FAMILIES}
    assert not unlisted
    assert set(FAMILIES) <= set(found.families), f"no longer built by the code: {set(FAMILIES) - set(found.families)}"


@pytest.mark.parametrize("family", FAMILIES)
def test_every_member_of_a_key_family_exists(family):
    members = list(FAMILIES[family]())
    assert members
    missing = [family.replace("{}", str(m)) for m in members if family.replace("{}", str(m)) not in i18n.TEXT]
    assert not missing


def test_every_key_passed_through_a_name_is_listed_and_exists(found):
    unlisted = {place: sorted(where) for place, where in found.indirect.items() if place not in INDIRECT}
    assert not unlisted
    assert set(INDIRECT) <= set(found.indirect), f"no longer passed by the code: {set(INDIRECT) - set(found.indirect)}"
    for place, keys in INDIRECT.items():
        keys = list(keys())
        assert keys and all(key in i18n.TEXT for key in keys), (place, keys)


def test_the_lesson_packs_keys_exist():
    assert set(bc.lesson_pack.LABEL_KEYS) <= set(i18n.TEXT)


def test_the_finder_sees_every_kind_of_key(found):
    """Guards the finder itself: one known key of each kind."""
    assert found.literals["step_head"] and found.literals["step_query"]  # a parameter: a caller's value, a default
    assert found.literals["contrib_right_acc"]  # a name set in its function
    assert found.literals["iv_fill_no_head"]  # {...}.get(x, default)
    assert found.literals["fig_attention"]  # the lesson packs
    assert found.families["lesson_{}_title"] and found.families["metric_{}"]


def test_the_catalogue_list_matches_the_folder():
    listed = [i18n.catalogue_name(module) for module in i18n.CATALOGUES]
    on_disk = sorted(path.stem for path in CATALOGUE_DIR.glob("*.py") if path.stem != "__init__")
    assert len(listed) == len(set(listed))
    assert sorted(listed) == on_disk
    assert all(Path(module.__file__).parent == CATALOGUE_DIR for module in i18n.CATALOGUES)


def test_the_merged_table_is_every_catalogue():
    assert len(i18n.TEXT) == sum(len(module.TEXT) for module in i18n.CATALOGUES)


def test_a_key_defined_in_two_catalogues_stops_the_merge():
    first, second = types.ModuleType("app.i18n.first"), types.ModuleType("app.i18n.second")
    first.TEXT = {"shared_key": {"en": "a", "zh": "甲"}}
    second.TEXT = {"other": {"en": "b", "zh": "乙"}, "shared_key": {"en": "c", "zh": "丙"}}
    with pytest.raises(KeyError, match="shared_key.*first.*second"):
        i18n.merge((first, second))
    assert set(i18n.merge((first,))) == {"shared_key"}
