"""Reading sentences from plain-text folders and CoNLL-U files, and the corpus command's results.

Pure helpers shared by the distillation command, the benchmarks and the
"many sentences" analyses. Nothing here knows about models.

Results folders (written by `python -m bertviz_core.corpus ... --out DIR`): `load_results(DIR)` reads
and checks one (meta.json, head_metrics.parquet, sentences.parquet, syntax.parquet);
`find_results()` lists those under the results folder (`BERTVIZ_RESULTS_DIR`, default `results/`),
`results_folder(name)` resolves a listed name and refuses anything that leads outside it;
`results_comparison(a, b)` puts two models' head metrics side by side like analysis.compare_many.
"""
from __future__ import annotations

import codecs
import os
import re
import unicodedata
from pathlib import Path

import numpy as np

# Split after . ! ? when followed by whitespace and an upper-case letter,
# a digit or a quote. Good enough for speeches; not a linguistic tokenizer.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'A-Z0-9])")


_BOMS = (  # longest first: the UTF-32 LE mark starts with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"), (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def text_encoding(raw: bytes) -> str | None:
    """The encoding a byte order mark announces (UTF-8, UTF-16 or UTF-32), or None."""
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            return encoding
    return None


def decode_text(raw: bytes) -> str:
    """Decode bytes: by their byte order mark (UTF-8/16/32, mark removed), else UTF-8, falling back
    to Latin-1 (never raises)."""
    encoding = text_encoding(raw)
    if encoding:
        bom = next(b for b, e in _BOMS if e == encoding)
        return raw[len(bom):].decode(encoding, errors="replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def split_sentences(text: str, min_words: int = 3) -> list[str]:
    """Split running text into sentences; drop fragments under `min_words`."""
    sentences = []
    for paragraph in re.split(r"\n\s*\n|\n", text):
        paragraph = " ".join(paragraph.split())
        for sentence in _SENTENCE_END.split(paragraph):
            if len(sentence.split()) >= min_words:
                sentences.append(sentence)
    return sentences


def read_text_folder(folder: str | Path) -> list[str]:
    """All sentences of every `.txt` file below `folder`, in sorted file order."""
    files = sorted(Path(folder).rglob("*.txt"))
    if not files:
        raise ValueError(f"No .txt files found under {folder}")
    sentences: list[str] = []
    for path in files:
        sentences.extend(split_sentences(decode_text(path.read_bytes())))
    return sentences


def conllu_sentences(text: str) -> list[str]:
    """Sentence texts of a CoNLL-U document (the `# text =` line, else the word forms)."""
    import conllu

    sentences = []
    for token_list in conllu.parse(text):
        sentence = token_list.metadata.get("text")
        if not sentence:
            # integer ids only: skip multiword ranges (3-4) and empty nodes (8.1)
            sentence = " ".join(t["form"] for t in token_list if isinstance(t["id"], int))
        if sentence.strip():
            sentences.append(sentence.strip())
    return sentences


def conllu_words(text: str) -> list[list[tuple[str, str, bool]]]:
    """Each sentence of a CoNLL-U document as (form, UPOS, space after) triples, one per token as written: a
    multiword token ("didn't") is one triple, UPOS "MWT", in place of its syntactic words (did, n't)."""
    import conllu

    out = []
    for token_list in conllu.parse(text):
        words, covered = [], 0  # a multiword token ("didn't" = did + n't) is kept whole, as written
        for t in token_list:
            space = (t["misc"] or {}).get("SpaceAfter") != "No"
            if isinstance(t["id"], tuple) and t["id"][1] == "-":
                words.append((t["form"], "MWT", space))
                covered = t["id"][2]
            elif isinstance(t["id"], int) and t["id"] > covered:
                words.append((t["form"], t["upos"] or "X", space))
        if words:
            out.append(words)
    return out


MAX_UPLOAD_BYTES = 5 * 2**20


class Sentences(list):
    """The sentences of an upload (a plain list), plus what was left out:
    `blank` empty or whitespace-only lines (counted), `invisible` line numbers of lines holding only
    invisible characters (zero-width spaces, joiners, marks: skipped, not an error), `over_limit`
    sentences past `max_sentences`, `encoding` what the bytes were decoded as."""

    def __init__(self, items=(), blank: int = 0, invisible: list[int] | None = None, over_limit: int = 0,
                 encoding: str = "utf-8"):
        super().__init__(items)
        self.blank = blank
        self.invisible = list(invisible or [])
        self.over_limit = over_limit
        self.encoding = encoding

    @property
    def skipped(self) -> int:
        """Lines that held text but were not used (invisible-only, or past the limit)."""
        return len(self.invisible) + self.over_limit


def is_invisible(text: str) -> bool:
    """True if nothing in `text` would show: whitespace, control and format characters only
    (zero-width space U+200B, joiners, BOM, direction marks, soft hyphen)."""
    return all(ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf", "Zs", "Zl", "Zp") for ch in text)


def parse_sentence_upload(name: str, raw: bytes, max_sentences: int = 500) -> Sentences:
    """Sentences from an uploaded `.txt` (one per line) or `.conllu` file, as a `Sentences` list
    that reports the lines it skipped.

    Text with a byte order mark is decoded accordingly (UTF-16 and UTF-32 too); otherwise UTF-8,
    then Latin-1. Raises ValueError with a user-facing message on binary, malformed or oversized input.
    """
    if len(raw) > MAX_UPLOAD_BYTES:
        raise ValueError(f"This file is too large ({len(raw) / 2**20:.1f} MB; the limit is {MAX_UPLOAD_BYTES // 2**20} MB).")
    encoding = text_encoding(raw)
    if encoding is None and b"\x00" in raw[:4096]:
        raise ValueError("This file looks binary; upload a plain-text or CoNLL-U file.")
    text = decode_text(raw)
    if "\x00" in text[:4096]:
        raise ValueError("This file looks binary; upload a plain-text or CoNLL-U file.")
    blank, invisible = 0, []
    if name.lower().endswith((".conllu", ".conll")):
        for number, line in enumerate(text.splitlines(), 1):
            if line.strip() and not line.startswith("#") and line.count("\t") != 9:
                raise ValueError(f"Line {number} is not CoNLL-U (it needs 10 tab-separated columns).")
        try:
            sentences = conllu_sentences(text)
        except Exception as exc:  # conllu raises several parse error types
            raise ValueError(f"Could not read this CoNLL-U file: {exc}") from None
        kept = [s for s in sentences if not is_invisible(s)]
        invisible = [i for i, s in enumerate(sentences, 1) if is_invisible(s)]  # sentence numbers here
        sentences = kept
    else:
        sentences = []
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                blank += 1
            elif is_invisible(line):
                invisible.append(number)
            else:
                sentences.append(line.strip())
    if not sentences:
        raise ValueError("No sentences found in this file.")
    over = max(0, len(sentences) - max_sentences)
    return Sentences(sentences[:max_sentences], blank=blank, invisible=invisible, over_limit=over,
                     encoding=encoding or "utf-8")


# ---------------------------------------------------------------- results folders of the corpus command
RESULTS_ENV = "BERTVIZ_RESULTS_DIR"
RESULT_TABLES = {"head_metrics": "head_metrics.parquet", "sentences": "sentences.parquet", "syntax": "syntax.parquet"}
META_FILE = "meta.json"
MAX_RESULT_FILE_BYTES = 256 * 2**20   # a head_metrics.parquet of the whole UD EWT test set is ~10 MB
MAX_META_BYTES = 2**20
MAX_RESULT_FOLDERS = 200              # listed at most (a picker cannot show more anyway)
RESULTS_DEPTH = 2                     # results/NAME and results/GROUP/NAME are found
SENTENCE_COLUMNS = ("sentence", "text", "n_tokens")
STAT_TABLES = {"head-metrics": "head_metrics", "syntax": "syntax"}


class ResultsError(ValueError):
    """A results folder that cannot be used. `code` and `params` let a page translate the reason:
    outside_root, not_found, no_meta, bad_meta, too_large, not_parquet, bad_columns, bad_values,
    incomplete, no_tables, no_head_metrics, different_input, different_sentences, different_special."""

    def __init__(self, code: str, message: str, **params):
        super().__init__(message)
        self.code = code
        self.params = params


def results_root() -> Path:
    """The one folder results are read from: $BERTVIZ_RESULTS_DIR, else results/ beside the package."""
    raw = os.environ.get(RESULTS_ENV) or Path(__file__).resolve().parents[1] / "results"
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
        raise ResultsError("outside_root", f"Results are only read from the results folder; '{shown}' is outside it.",
                           name=shown)
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
        raise ResultsError("too_large", f"{filename} is too large ({size / 2**20:.1f} MB; the limit is "
                           f"{limit // 2**20} MB).", file=filename, mb=round(size / 2**20, 1), limit=limit // 2**20)
    return real


def _read_parquet(path: Path, filename: str, required: list[str]):
    import pyarrow.parquet as pq

    try:
        schema = pq.read_schema(path)
    except Exception as exc:  # pyarrow raises several types for a file that is not Parquet
        raise ResultsError("not_parquet", f"{filename} is not a Parquet table ({type(exc).__name__}).",
                           file=filename) from None
    missing = [c for c in required if c not in schema.names]
    if missing:
        raise ResultsError("bad_columns", f"{filename} lacks the columns {', '.join(missing)}.",
                           file=filename, columns=", ".join(missing))
    try:
        table = pq.read_table(path)
    except Exception as exc:
        raise ResultsError("not_parquet", f"{filename} cannot be read ({type(exc).__name__}).", file=filename) from None
    return table


def _numeric(frame, filename: str, columns, integer: bool = False) -> None:
    import pandas as pd

    for c in columns:
        ok = pd.api.types.is_integer_dtype(frame[c]) if integer else pd.api.types.is_numeric_dtype(frame[c])
        if not ok or (integer and len(frame) and frame[c].min() < 0):
            raise ResultsError("bad_values", f"{filename}: column {c} does not hold "
                               f"{'non-negative integers' if integer else 'numbers'}.", file=filename, column=c)


def _check_head_metrics(frame, filename: str) -> None:
    """Every sentence has the same L x N rows, once each; head_name agrees with the head index."""
    _numeric(frame, filename, ["sentence", "layer", "head", "n_tokens"], integer=True)
    from bertviz_core import analysis

    _numeric(frame, filename, list(analysis.METRICS))
    if not len(frame):
        raise ResultsError("incomplete", f"{filename} has no rows.", file=filename)
    L, N = int(frame["layer"].max()) + 1, int(frame["head"].max()) + 1
    S = frame["sentence"].nunique()
    keys = frame[["sentence", "layer", "head"]].drop_duplicates()
    if len(frame) != S * L * N or len(keys) != len(frame):
        raise ResultsError("incomplete", f"{filename}: {len(frame)} rows, but {S} sentences x {L} layers x {N} heads "
                           f"would be {S * L * N} distinct rows.", file=filename, rows=len(frame), expected=S * L * N)
    names = frame.drop_duplicates("head").set_index("head")["head_name"]
    if frame.groupby("head")["head_name"].nunique().max() != 1 or not all(
            str(n)[:1] in "HC" and str(n)[1:].isdigit() for n in names):
        raise ResultsError("bad_values", f"{filename}: column head_name does not name heads H0.. / C0..",
                           file=filename, column="head_name")


def load_results(folder: str | Path, root: str | Path | None = None) -> dict:
    """The tables of one folder written by `python -m bertviz_core.corpus`, checked:
    {"name", "meta" (dict), "head_metrics", "sentences", "syntax" (pandas DataFrames, or None if not written)}.

    With `root`, the folder and every file in it must resolve inside root (symlinks followed); each file
    is at most MAX_RESULT_FILE_BYTES. meta.json is required; a table meta.json lists in "stats" but that is
    missing, a table without its columns, or a head_metrics table that is not complete per sentence raises
    ResultsError (a ValueError) with a code; nothing else is raised for a bad folder."""
    import json

    import pandas as pd

    from bertviz_core import analysis, syntax

    root_path = Path(root).resolve() if root is not None else None
    folder = Path(folder)
    try:
        real = folder.resolve()
    except (OSError, RuntimeError, ValueError):
        raise ResultsError("not_found", "Not a results folder.", name=folder.name) from None
    name = real.relative_to(root_path).as_posix() if root_path and _inside(real, root_path) else folder.name
    if root_path is not None and not _inside(real, root_path):
        raise ResultsError("outside_root", f"Results are only read from the results folder; '{folder.name}' is "
                           "outside it.", name=folder.name)
    if not real.is_dir():
        raise ResultsError("not_found", f"No results folder '{folder.name}'.", name=folder.name)
    meta_path = _checked_file(real, META_FILE, root_path, MAX_META_BYTES)
    if meta_path is None:
        raise ResultsError("no_meta", f"'{name}' has no {META_FILE}: not a folder written by the corpus command.",
                           name=name)
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError):
        meta = None
    if not isinstance(meta, dict) or not isinstance(meta.get("model"), str) or not isinstance(
            meta.get("stats", []), list):
        raise ResultsError("bad_meta", f"{META_FILE} of '{name}' is not the corpus command's.", name=name)
    out = {"name": name, "meta": meta, "head_metrics": None, "sentences": None, "syntax": None}
    required = {"head_metrics": ["sentence", "layer", "head", "head_name", "n_tokens", *analysis.METRICS],
                "sentences": list(SENTENCE_COLUMNS), "syntax": list(syntax.COLUMNS)}
    for key, filename in RESULT_TABLES.items():
        path = _checked_file(real, filename, root_path, MAX_RESULT_FILE_BYTES)
        if path is None:
            continue
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
        out[key] = frame
    for stat in meta.get("stats", []):
        key = STAT_TABLES.get(stat)
        if key and out[key] is None:
            raise ResultsError("incomplete", f"'{name}': meta.json lists {stat}, but {RESULT_TABLES[key]} is missing.",
                               name=name, file=RESULT_TABLES[key])
    if out["head_metrics"] is None and out["syntax"] is None:
        raise ResultsError("no_tables", f"'{name}' holds no result table.", name=name)
    if out["head_metrics"] is not None:
        S = out["head_metrics"]["sentence"].nunique()
        if isinstance(meta.get("sentences"), int) and meta["sentences"] != S:
            raise ResultsError("incomplete", f"'{name}': meta.json says {meta['sentences']} sentences, "
                               f"head_metrics.parquet holds {S}.", name=name, file=RESULT_TABLES["head_metrics"])
        sentences = out["sentences"]
        if sentences is not None and sorted(sentences["sentence"]) != sorted(out["head_metrics"]["sentence"].unique()):
            raise ResultsError("incomplete", f"'{name}': sentences.parquet and head_metrics.parquet list different "
                               "sentences.", name=name, file=RESULT_TABLES["sentences"])
    return out


def results_comparison(a: dict, b: dict) -> dict:
    """Model A's results against model B's (two load_results folders of the same input), in the shape of
    analysis.compare_many's result without head matching: per_sentence metrics_a/metrics_b {metric: [S, L, N]},
    baseline_a/baseline_b {metric: [S, 2]} (nan where a folder has no sentences.parquet), means, names, kinds,
    model ids, sentences (texts, "" if unknown), lengths (tokens), so analysis.summary_rows works on it.
    ResultsError if a folder has no head metrics or the two were not run on the same sentences."""
    from bertviz_core import analysis, heads

    for side, res in (("A", a), ("B", b)):
        if res["head_metrics"] is None:
            raise ResultsError("no_head_metrics", f"'{res['name']}' has no head metrics (run the corpus command with "
                               "--stats head-metrics).", name=res["name"], side=side)
    ma, mb = a["meta"], b["meta"]
    if ma.get("input_sha256") != mb.get("input_sha256"):
        raise ResultsError("different_input", f"'{a['name']}' and '{b['name']}' were computed on different input "
                           "files.", a=a["name"], b=b["name"])
    if bool(ma.get("exclude_special")) != bool(mb.get("exclude_special")):
        raise ResultsError("different_special", f"'{a['name']}' and '{b['name']}' differ in --exclude-special.",
                           a=a["name"], b=b["name"])
    ids_a = sorted(a["head_metrics"]["sentence"].unique())
    ids_b = sorted(b["head_metrics"]["sentence"].unique())
    if ids_a != ids_b:
        raise ResultsError("different_sentences", f"'{a['name']}' holds {len(ids_a)} sentences and '{b['name']}' "
                           f"{len(ids_b)}: run both on the same sentences (same --max-sentences).",
                           a=a["name"], b=b["name"], na=len(ids_a), nb=len(ids_b))
    out: dict = {"per_sentence": {"js": None}, "metrics_a": {}, "metrics_b": {}}
    for side, res in (("a", a), ("b", b)):
        frame = res["head_metrics"].sort_values(["sentence", "layer", "head"])
        S, L, N = len(ids_a), int(frame["layer"].max()) + 1, int(frame["head"].max()) + 1
        per = {m: frame[m].to_numpy(np.float64).reshape(S, L, N) for m in analysis.METRICS}
        slots = frame[frame["sentence"] == ids_a[0]].drop_duplicates("head")["head_name"].astype(str).tolist()
        kinds = [heads.CONV if n.startswith("C") else heads.ATTN for n in slots]
        base = {m: np.full((S, 2), np.nan) for m in analysis.METRICS}
        texts = [""] * S
        lengths = frame.groupby("sentence")["n_tokens"].first().to_numpy()
        sentences = res["sentences"]
        if sentences is not None:
            rows = sentences.set_index("sentence").loc[ids_a]
            texts = rows["text"].astype(str).tolist()
            for m in analysis.METRICS:
                for g, kind in enumerate(("attn", "conv")):
                    col = f"uniform_{kind}_{m}"
                    if col in rows.columns:
                        base[m][:, g] = rows[col].to_numpy(np.float64)
        with np.errstate(invalid="ignore"), analysis._quiet_nan_mean():
            out[f"metrics_{side}"] = {m: np.nanmean(v, axis=0) for m, v in per.items()}
        out["per_sentence"][f"metrics_{side}"] = per
        out["per_sentence"][f"baseline_{side}"] = base
        out[f"names_{side}"] = [f"L{l} {n}" for l in range(L) for n in slots]
        out[f"kinds_{side}"] = kinds
        out[f"model_{side}"] = res["meta"]["model"]
        out[f"lengths_{side}"] = lengths
        out[f"texts_{side}"] = texts
    out.update(n_sentences=len(ids_a), sentences=out["texts_a"] if any(out["texts_a"]) else out["texts_b"],
               exclude_special=bool(ma.get("exclude_special")), max_rows=None, matching=False, skipped=[],
               input=str(ma.get("input", "")), results=(a["name"], b["name"]))
    return out


def main(argv: list[str] | None = None) -> int:
    """`python -m bertviz_core.corpus ...`: corpus statistics to Parquet (see bertviz_core.corpus_cli)."""
    from bertviz_core import corpus_cli

    return corpus_cli.main(argv)


if __name__ == "__main__":
    raise SystemExit(main())
