"""Results folders of the corpus command.

and checks one (meta.json, head_metrics.parquet, sentences.parquet, syntax.parquet);
`find_results()` lists those under the results folder (`BERTVIZ_RESULTS_DIR`, default `results/`),
`results_folder(name)` resolves a listed name and refuses anything that leads outside it;
`results_comparison(a, b)` puts two models' head metrics side by side like compare.compare_many.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

# ---------------------------------------------------------------- results folders of the corpus command
RESULTS_ENV = "BERTVIZ_RESULTS_DIR"
RESULT_TABLES = {"head_metrics": "head_metrics.parquet", "sentences": "sentences.parquet", "syntax": "syntax.parquet"}
META_FILE = "meta.json"
MAX_RESULT_FILE_BYTES = 256 * 2**20  # a head_metrics.parquet of the whole UD EWT test set is ~10 MB
MAX_META_BYTES = 2**20
MAX_RESULT_FOLDERS = 200  # listed at most (a picker cannot show more anyway)
RESULTS_DEPTH = 2  # results/NAME and results/GROUP/NAME are found
SENTENCE_COLUMNS = ("sentence", "text", "n_tokens")
STAT_TABLES = {"head-metrics": "head_metrics", "syntax": "syntax"}


class ResultsError(ValueError):
    """A results folder that cannot be used. `code` and `params` let a page translate the reason:
    outside_root, not_found, no_meta, bad_meta, too_large, not_parquet, bad_columns, bad_values,
    incomplete, no_tables, no_head_metrics, different_input, different_sentences, different_special."""

    def __init__(self, code: str, message: str, **params: object) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


def results_root() -> Path:
    """The one folder results are read from: $BERTVIZ_RESULTS_DIR, else results/ beside the package."""
    raw = os.environ.get(RESULTS_ENV) or Path(__file__).resolve().parents[2] / "results"
    return Path(raw).expanduser().resolve()


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _is_results_folder(path: Path) -> bool:
    return (path / META_FILE).is_file() or any((path / f).is_file() for f in RESULT_TABLES.values())


def find_results(root: str | Path | None = None) -> list[str]:
    """Results folders under `root` (default results_root()), as names relative to it ("." = the root
    itself), sorted; at most MAX_RESULT_FOLDERS, RESULTS_DEPTH levels deep. A folder (or symlink) that
    resolves outside the root is not listed; hidden folders are skipped. [] if the root does not exist."""
    root = Path(root).resolve() if root is not None else results_root()
    if not root.is_dir():
        return []
    found: list[str] = []
    level = [root]
    for depth in range(RESULTS_DEPTH + 1):
        following = []
        for folder in level:
            try:
                real = folder.resolve()
            except (OSError, RuntimeError):
                continue
            if not _inside(real, root):
                continue
            if _is_results_folder(real):
                found.append(folder.relative_to(root).as_posix() if folder != root else ".")
                if len(found) >= MAX_RESULT_FOLDERS:
                    return sorted(found)
            if depth < RESULTS_DEPTH:
                try:
                    children = sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
                except OSError:
                    children = []
                following.extend(children)
        level = following
    return sorted(found)


def results_folder(name: str, root: str | Path | None = None) -> Path:
    """The folder `name` names under `root` (default results_root()), resolved (symlinks followed).
    ResultsError "outside_root" if it leads outside the root (absolute paths, "..", symlinks), "not_found"
    if it is not a folder. Error messages name it relative to the root, never as a server path."""
    root = Path(root).resolve() if root is not None else results_root()
    name = str(name).strip()
    shown = name if len(name) <= 80 else name[:79] + "…"
    if not name or any(not ch.isprintable() for ch in name):
        raise ResultsError("not_found", f"'{shown}' is not a results folder.", name=shown)
    try:
        path = (root / name).resolve()
    except (OSError, RuntimeError, ValueError):
        raise ResultsError("not_found", f"'{shown}' is not a results folder.", name=shown) from None
    if not _inside(path, root):
        raise ResultsError(
            "outside_root", f"Results are only read from the results folder; '{shown}' is outside it.", name=shown
        )
    if not path.is_dir():
        raise ResultsError("not_found", f"No results folder '{shown}' in the results folder.", name=shown)
    return path


def _checked_file(folder: Path, filename: str, root: Path | None, limit: int) -> Path | None:
    path = folder / filename
    if not path.exists():
        return None
    real = path.resolve()
    if root is not None and not _inside(real, root):
        raise ResultsError("outside_root", f"{filename} leads outside the results folder.", name=filename)
    if not real.is_file():
        raise ResultsError("not_parquet", f"{filename} is not a file.", file=filename)
    size = real.stat().st_size
    if size > limit:
        raise ResultsError(
            "too_large",
            f"{filename} is too large ({size / 2**20:.1f} MB; the limit is {limit // 2**20} MB).",
            file=filename,
            mb=round(size / 2**20, 1),
            limit=limit // 2**20,
        )
    return real


def _read_parquet(path: Path, filename: str, required: list[str]) -> pa.Table:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:  # pyarrow raises several types for a file that is not Parquet (ArrowInvalid, OSError, ...)
        schema = pq.read_schema(path)
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise ResultsError(
            "not_parquet", f"{filename} is not a Parquet table ({type(exc).__name__}).", file=filename
        ) from None
    missing = [c for c in required if c not in schema.names]
    if missing:
        raise ResultsError(
            "bad_columns",
            f"{filename} lacks the columns {', '.join(missing)}.",
            file=filename,
            columns=", ".join(missing),
        )
    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise ResultsError("not_parquet", f"{filename} cannot be read ({type(exc).__name__}).", file=filename) from None
    return table


def _numeric(frame: pd.DataFrame, filename: str, columns: Iterable[str], integer: bool = False) -> None:
    import pandas as pd

    for c in columns:
        ok = pd.api.types.is_integer_dtype(frame[c]) if integer else pd.api.types.is_numeric_dtype(frame[c])
        if not ok or (integer and len(frame) and frame[c].min() < 0):
            raise ResultsError(
                "bad_values",
                f"{filename}: column {c} does not hold {'non-negative integers' if integer else 'numbers'}.",
                file=filename,
                column=c,
            )


def _check_head_metrics(frame: pd.DataFrame, filename: str) -> None:
    """Every sentence has the same L x N rows, once each; head_name agrees with the head index."""
    _numeric(frame, filename, ["sentence", "layer", "head", "n_tokens"], integer=True)
    from bertviz_core.analysis.metrics import METRICS

    _numeric(frame, filename, list(METRICS))
    if not len(frame):
        raise ResultsError("incomplete", f"{filename} has no rows.", file=filename)
    L, N = int(frame["layer"].max()) + 1, int(frame["head"].max()) + 1
    S = frame["sentence"].nunique()
    keys = frame[["sentence", "layer", "head"]].drop_duplicates()
    if len(frame) != S * L * N or len(keys) != len(frame):
        raise ResultsError(
            "incomplete",
            f"{filename}: {len(frame)} rows, but {S} sentences x {L} layers x {N} heads "
            f"would be {S * L * N} distinct rows.",
            file=filename,
            rows=len(frame),
            expected=S * L * N,
        )
    names = frame.drop_duplicates("head").set_index("head")["head_name"]
    if frame.groupby("head")["head_name"].nunique().max() != 1 or not all(
        str(n)[:1] in "HC" and str(n)[1:].isdigit() for n in names
    ):
        raise ResultsError(
            "bad_values",
            f"{filename}: column head_name does not name heads H0.. / C0..",
            file=filename,
            column="head_name",
        )


def _open_folder(folder: Path, root_path: Path | None) -> tuple[Path, str]:
    """(the folder resolved, its name as shown: relative to root when inside it); ResultsError if it is not
    a folder or lies outside root."""
    try:
        real = folder.resolve()
    except (OSError, RuntimeError, ValueError):
        raise ResultsError("not_found", "Not a results folder.", name=folder.name) from None
    name = real.relative_to(root_path).as_posix() if root_path and _inside(real, root_path) else folder.name
    if root_path is not None and not _inside(real, root_path):
        raise ResultsError(
            "outside_root",
            f"Results are only read from the results folder; '{folder.name}' is outside it.",
            name=folder.name,
        )
    if not real.is_dir():
        raise ResultsError("not_found", f"No results folder '{folder.name}'.", name=folder.name)
    return real, name


def _read_meta(real: Path, root_path: Path | None, name: str) -> dict[str, Any]:
    """The folder's meta.json, checked to be the corpus command's (a model id, a list of stats)."""
    import json

    meta_path = _checked_file(real, META_FILE, root_path, MAX_META_BYTES)
    if meta_path is None:
        raise ResultsError(
            "no_meta", f"'{name}' has no {META_FILE}: not a folder written by the corpus command.", name=name
        )
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError):
        meta = None
    if (
        not isinstance(meta, dict)
        or not isinstance(meta.get("model"), str)
        or not isinstance(meta.get("stats", []), list)
    ):
        raise ResultsError("bad_meta", f"{META_FILE} of '{name}' is not the corpus command's.", name=name)
    return meta


def _read_result_table(key: str, path: Path, filename: str) -> pd.DataFrame:
    """One of RESULT_TABLES (`key`), its columns and values checked."""
    from bertviz_core.analysis import syntax
    from bertviz_core.analysis.metrics import METRICS

    required = {
        "head_metrics": ["sentence", "layer", "head", "head_name", "n_tokens", *METRICS],
        "sentences": list(SENTENCE_COLUMNS),
        "syntax": list(syntax.COLUMNS),
    }
    table = _read_parquet(path, filename, required[key])
    if key == "syntax":
        frame = syntax.read_table(path)  # the table's own metadata in frame.attrs
        _numeric(frame, filename, ["layer", "head", "n"], integer=True)
        _numeric(frame, filename, ["accuracy", "offset_accuracy"])
    else:
        frame = table.to_pandas()
        if key == "head_metrics":
            _check_head_metrics(frame, filename)
        else:
            _numeric(frame, filename, ["sentence", "n_tokens"], integer=True)
    return frame


def _check_tables_agree(out: dict[str, Any], meta: dict[str, Any], name: str) -> None:
    """The tables meta.json lists are there, at least one is, and they count the same sentences."""
    for stat in meta.get("stats", []):
        table_key = STAT_TABLES.get(stat)
        if table_key and out[table_key] is None:
            raise ResultsError(
                "incomplete",
                f"'{name}': meta.json lists {stat}, but {RESULT_TABLES[table_key]} is missing.",
                name=name,
                file=RESULT_TABLES[table_key],
            )
    if out["head_metrics"] is None and out["syntax"] is None:
        raise ResultsError("no_tables", f"'{name}' holds no result table.", name=name)
    if out["head_metrics"] is not None:
        S = out["head_metrics"]["sentence"].nunique()
        if isinstance(meta.get("sentences"), int) and meta["sentences"] != S:
            raise ResultsError(
                "incomplete",
                f"'{name}': meta.json says {meta['sentences']} sentences, head_metrics.parquet holds {S}.",
                name=name,
                file=RESULT_TABLES["head_metrics"],
            )
        sentences = out["sentences"]
        if sentences is not None and sorted(sentences["sentence"]) != sorted(out["head_metrics"]["sentence"].unique()):
            raise ResultsError(
                "incomplete",
                f"'{name}': sentences.parquet and head_metrics.parquet list different sentences.",
                name=name,
                file=RESULT_TABLES["sentences"],
            )


def load_results(folder: str | Path, root: str | Path | None = None) -> dict[str, Any]:
    """The tables of one folder written by `python -m bertviz_core.corpus`, checked:
    {"name", "meta" (dict), "head_metrics", "sentences", "syntax" (pandas DataFrames, or None if not written)}.

    With `root`, the folder and every file in it must resolve inside root (symlinks followed); each file
    is at most MAX_RESULT_FILE_BYTES. meta.json is required; a table meta.json lists in "stats" but that is
    missing, a table without its columns, or a head_metrics table that is not complete per sentence raises
    ResultsError (a ValueError) with a code; nothing else is raised for a bad folder."""
    root_path = Path(root).resolve() if root is not None else None
    real, name = _open_folder(Path(folder), root_path)
    meta = _read_meta(real, root_path, name)
    out: dict[str, Any] = {"name": name, "meta": meta, "head_metrics": None, "sentences": None, "syntax": None}
    for key, filename in RESULT_TABLES.items():
        path = _checked_file(real, filename, root_path, MAX_RESULT_FILE_BYTES)
        if path is not None:
            out[key] = _read_result_table(key, path, filename)
    _check_tables_agree(out, meta, name)
    return out


def _comparable_sentences(a: dict[str, Any], b: dict[str, Any]) -> list[Any]:
    """The sentence ids both folders hold; ResultsError unless both have head metrics of the same input,
    the same --exclude-special and the same sentences."""
    for side, res in (("A", a), ("B", b)):
        if res["head_metrics"] is None:
            raise ResultsError(
                "no_head_metrics",
                f"'{res['name']}' has no head metrics (run the corpus command with --stats head-metrics).",
                name=res["name"],
                side=side,
            )
    ma, mb = a["meta"], b["meta"]
    if ma.get("input_sha256") != mb.get("input_sha256"):
        raise ResultsError(
            "different_input",
            f"'{a['name']}' and '{b['name']}' were computed on different input files.",
            a=a["name"],
            b=b["name"],
        )
    if bool(ma.get("exclude_special")) != bool(mb.get("exclude_special")):
        raise ResultsError(
            "different_special",
            f"'{a['name']}' and '{b['name']}' differ in --exclude-special.",
            a=a["name"],
            b=b["name"],
        )
    ids_a = sorted(a["head_metrics"]["sentence"].unique())
    ids_b = sorted(b["head_metrics"]["sentence"].unique())
    if ids_a != ids_b:
        raise ResultsError(
            "different_sentences",
            f"'{a['name']}' holds {len(ids_a)} sentences and '{b['name']}' "
            f"{len(ids_b)}: run both on the same sentences (same --max-sentences).",
            a=a["name"],
            b=b["name"],
            na=len(ids_a),
            nb=len(ids_b),
        )
    return ids_a


def _comparison_side(res: dict[str, Any], ids: list[Any], side: str, out: dict[str, Any]) -> None:
    """Fill `out` (results_comparison's result) with one folder's metrics, baselines, names, kinds, model,
    lengths and texts, under the keys ending in `side` ("a" or "b")."""
    from bertviz_core.analysis.metrics import METRICS
    from bertviz_core.analysis.stats import quiet_nan_mean
    from bertviz_core.models import heads

    frame = res["head_metrics"].sort_values(["sentence", "layer", "head"])
    S, L, N = len(ids), int(frame["layer"].max()) + 1, int(frame["head"].max()) + 1
    per = {m: frame[m].to_numpy(np.float64).reshape(S, L, N) for m in METRICS}
    slots = frame[frame["sentence"] == ids[0]].drop_duplicates("head")["head_name"].astype(str).tolist()
    kinds = [heads.CONV if n.startswith("C") else heads.ATTN for n in slots]
    base = {m: np.full((S, 2), np.nan) for m in METRICS}
    texts = [""] * S
    lengths = frame.groupby("sentence")["n_tokens"].first().to_numpy()
    sentences = res["sentences"]
    if sentences is not None:
        rows = sentences.set_index("sentence").loc[ids]
        texts = rows["text"].astype(str).tolist()
        for m in METRICS:
            for g, kind in enumerate(("attn", "conv")):
                col = f"uniform_{kind}_{m}"
                if col in rows.columns:
                    base[m][:, g] = rows[col].to_numpy(np.float64)
    with np.errstate(invalid="ignore"), quiet_nan_mean():
        out[f"metrics_{side}"] = {m: np.nanmean(v, axis=0) for m, v in per.items()}
    out["per_sentence"][f"metrics_{side}"] = per
    out["per_sentence"][f"baseline_{side}"] = base
    out[f"names_{side}"] = [f"L{l} {n}" for l in range(L) for n in slots]
    out[f"kinds_{side}"] = kinds
    out[f"model_{side}"] = res["meta"]["model"]
    out[f"lengths_{side}"] = lengths
    out[f"texts_{side}"] = texts


def results_comparison(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """Model A's results against model B's (two load_results folders of the same input), in the shape of
    compare.compare_many's result without head matching: per_sentence metrics_a/metrics_b {metric: [S, L, N]},
    baseline_a/baseline_b {metric: [S, 2]} (nan where a folder has no sentences.parquet), means, names, kinds,
    model ids, sentences (texts, "" if unknown), lengths (tokens), so compare.summary_rows works on it.
    ResultsError if a folder has no head metrics or the two were not run on the same sentences."""
    ids = _comparable_sentences(a, b)
    out: dict[str, Any] = {"per_sentence": {"js": None}, "metrics_a": {}, "metrics_b": {}}
    for side, res in (("a", a), ("b", b)):
        _comparison_side(res, ids, side, out)
    ma = a["meta"]
    out.update(
        n_sentences=len(ids),
        sentences=out["texts_a"] if any(out["texts_a"]) else out["texts_b"],
        exclude_special=bool(ma.get("exclude_special")),
        max_rows=None,
        matching=False,
        skipped=[],
        input=str(ma.get("input", "")),
        results=(a["name"], b["name"]),
    )
    return out
