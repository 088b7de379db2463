"""Which heads track syntax: Clark et al. 2019 ("What does BERT look at?", Section 4.2) on any treebank.

For every dependency relation and every head: the share of dependents whose most-attended
other word is their syntactic head (direction dependent -> head), against the best
fixed-offset baseline for that relation.

The method, step by step:
- Sentences come from CoNLL-U (bertviz_core.inputs.conllu); multiword-token range lines (`3-4`)
  and empty nodes (`8.1`) are skipped, so words are the syntactic words with integer ids.
- Word pieces are aligned to the words by the tokenizer itself: the words go in with
  `is_split_into_words=True` and `word_ids()` says which word each piece belongs to.
- Word-level attention: attention *to* a word is the sum over its pieces, attention
  *from* a word the mean over its pieces. Special tokens ([CLS], [SEP], <s>, ...) belong
  to no word and drop out; the word itself is ignored (the diagonal never wins).
- A head predicts, for each word, its most-attended other word; an arc counts as correct
  when that word is the gold head. Relations are grouped by the universal label (the part
  before `:`, so `nmod:poss` counts as `nmod`). Root arcs (no head word) are left out, and
  so are arcs whose dependent or head has no word piece (truncated, or a character the
  tokenizer drops); `SyntaxCounts.skipped` counts them.
- Baseline: "the head is the word at offset k" for k in OFFSETS (-5..+5 except 0, a superset
  of Clark et al.'s -3..+2); per relation the best k is reported. An offset falling outside
  the sentence predicts nothing (Clark et al. clipped it to the sentence ends).
- Not carried over: Clark et al.'s special case for PTB `poss` + `'s` (UD attaches `'s`
  as `case` to the possessor, so `nmod:poss` needs no special case).

ConvBERT: its attention heads come first (head 0..H-1); with conv_heads=True (the default)
its convolution heads follow as banded rows (head H..H+C-1, in metrics.all_heads order),
each token's dynamic kernel spread over its 9-token window, so a conv head can only ever
pick a word within 4 pieces.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import numpy as np

from bertviz_core.inputs.conllu import Sentence, read_conllu
from bertviz_core.models.loading import LoadedModel
from bertviz_core.tracing.capture import Trace, kernels_to_banded

if TYPE_CHECKING:
    import pandas as pd
    from conllu.models import TokenList

OFFSETS = (1, -1, 2, -2, 3, -3, 4, -4, 5, -5)  # ties between offsets go to the nearer one
MAIN_RELATIONS = (
    "det",
    "amod",
    "nsubj",
    "obj",
    "case",
    "advmod",
    "aux",
    "mark",
    "nmod",
    "obl",
    "compound",
    "conj",
    "cc",
    "punct",
)
COLUMNS = ["relation", "layer", "head", "accuracy", "n", "best_offset", "offset_accuracy"]
DATA_DIR = Path(__file__).resolve().parents[1] / "data"  # package data: bertviz_core/data
Progress = Callable[[int, int], None]  # (sentences done, total)


# ---------------------------------------------------------------- reading treebanks
def file_digest(path: str | Path) -> str:
    """First 16 hex digits of the file's SHA-256 (cache keys: a changed treebank is a new table)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]


# ---------------------------------------------------------------- alignment and word attention
def encode_words(lm: LoadedModel, words: Iterable[str]) -> tuple[dict[str, list[int]], list[int | None]]:
    """Tokenize pre-split words: ({"input_ids": [...], ...}, word_ids) with word_ids[t] the 0-based
    word of piece t, None for special tokens. Truncated to the model's limit (cut words get no pieces)."""
    tok = lm.tokenizer
    if not getattr(tok, "is_fast", False):
        raise ValueError(f"{lm.label}: aligning words needs a fast tokenizer (word_ids()).")
    words = list(words)
    kwargs = {"is_split_into_words": True, "truncation": True, "max_length": lm.max_tokens}
    try:
        enc = tok(words, **kwargs)
    except (AssertionError, ValueError, TypeError):
        # byte-level BPE (RoBERTa) accepts pre-split words only with a prefix space before each word
        enc = tok(words, add_prefix_space=True, **kwargs)
    inputs = {k: list(v) for k, v in enc.items() if k in ("input_ids", "token_type_ids")}
    return inputs, enc.word_ids()


def word_attention(attn: np.ndarray, word_ids: list[int | None], n_words: int) -> tuple[np.ndarray, np.ndarray]:
    """Piece-level attention [..., T, T] -> word-level [..., W, W] (to a word: sum over its pieces;
    from a word: mean over its pieces; special tokens dropped) and has_pieces [W] (bool)."""
    T = attn.shape[-1]
    to_word = np.zeros((T, n_words), dtype=np.float32)  # [T, W]: piece t belongs to word w
    for t, w in enumerate(word_ids[:T]):
        if w is not None and w < n_words:
            to_word[t, w] = 1.0
    counts = to_word.sum(0)  # [W]
    from_word = (to_word / np.maximum(counts, 1.0)).T  # [W, T]: mean over a word's pieces
    return from_word @ np.asarray(attn, dtype=np.float32) @ to_word, counts > 0


def predicted_heads(word_attn: np.ndarray, has_pieces: np.ndarray | None = None) -> np.ndarray:
    """Each word's most-attended other word: [..., W, W] -> [..., W] (0-based word indices).

    The word itself and words without pieces never win; ties go to the leftmost word."""
    m = np.array(word_attn, dtype=np.float32, copy=True)
    W = m.shape[-1]
    m[..., np.arange(W), np.arange(W)] = -np.inf
    if has_pieces is not None:
        m[..., ~np.asarray(has_pieces, bool)] = -np.inf
    return m.argmax(-1)


def model_heads(lm: LoadedModel, result: dict[str, Any], conv_heads: bool = True) -> np.ndarray:
    """A batch.run result's heads as [L, N, T, T]: attention heads, then (ConvBERT, conv_heads) the
    convolution heads as banded rows."""
    attn = result["attentions"]
    if conv_heads and result.get("conv_kernels") is not None:
        attn = np.concatenate([attn, kernels_to_banded(result["conv_kernels"])], axis=1)
    return attn


# ---------------------------------------------------------------- counting
class SyntaxCounts:
    """Correct predictions per relation and head, and per relation and offset; mergeable
    (workers count their share of the sentences, the driver adds the counts up)."""

    def __init__(self, shape: tuple[int, int] | None = None, offsets: tuple[int, ...] = OFFSETS) -> None:
        self.shape = tuple(shape) if shape is not None else None  # (layers, heads): from the first sentence
        self.offsets = tuple(offsets)
        self.correct: dict[str, np.ndarray] = {}  # relation -> [L, N] int64
        self.n: dict[str, int] = {}  # relation -> arcs counted
        self.offset_correct: dict[str, np.ndarray] = {}  # relation -> [len(offsets)] int64
        self.skipped = 0  # non-root arcs left out (no pieces for the dependent or the head)
        self.sentences = 0
        self.attention_heads: int | None = None  # heads [0, this) are attention heads, the rest conv heads

    def add(self, sentence: Sentence, predictions: np.ndarray, has_pieces: np.ndarray) -> None:
        """predictions [L, N, W]: each head's predicted head word (0-based) for every word."""
        if self.shape is None:
            self.shape = tuple(predictions.shape[:2])
        elif tuple(predictions.shape[:2]) != self.shape:
            raise ValueError(f"Predictions of {predictions.shape[:2]} heads added to counts of {self.shape}.")
        self.sentences += 1
        offsets = np.array(self.offsets)
        for d, (gold, rel) in enumerate(zip(sentence.heads, sentence.universal)):
            if gold <= 0:  # root (0) or no head given (-1)
                continue
            g = gold - 1
            if not (has_pieces[d] and has_pieces[g]):
                self.skipped += 1
                continue
            if rel not in self.n:
                self._start(rel, self.shape)
            self.n[rel] += 1
            self.correct[rel] += predictions[:, :, d] == g
            self.offset_correct[rel] += d + offsets == g

    def _start(self, rel: str, shape: tuple[int, ...] | None) -> None:
        """Zero counts for a relation met for the first time (`shape`, the heads', is set by the first add)."""
        if shape is None:
            raise ValueError("Counts without heads cannot count arcs.")
        self.n[rel] = 0
        self.correct[rel] = np.zeros(shape, np.int64)
        self.offset_correct[rel] = np.zeros(len(self.offsets), np.int64)

    def merge(self, other: SyntaxCounts) -> SyntaxCounts:
        if self.shape is None:
            self.shape = other.shape
        if (other.shape is not None and other.shape != self.shape) or other.offsets != self.offsets:
            raise ValueError("Counts of different models or offsets cannot be merged.")
        for rel, n in other.n.items():
            if rel not in self.n:
                self._start(rel, self.shape)
            self.n[rel] += n  # not in place: arrays from another process may be read-only
            self.correct[rel] = self.correct[rel] + other.correct[rel]
            self.offset_correct[rel] = self.offset_correct[rel] + other.offset_correct[rel]
        self.skipped += other.skipped
        self.sentences += other.sentences
        self.attention_heads = self.attention_heads or other.attention_heads
        return self

    def to_frame(self) -> pd.DataFrame:
        """One row per (relation, layer, head): relation, layer, head, accuracy, n, best_offset,
        offset_accuracy (0-based layer and head; relations sorted by name)."""
        import pandas as pd

        L, N = self.shape or (0, 0)
        layer, head = np.meshgrid(np.arange(L), np.arange(N), indexing="ij")
        parts = []
        for rel in sorted(self.n):
            n = self.n[rel]
            k = int(np.argmax(self.offset_correct[rel]))
            parts.append(
                pd.DataFrame(
                    {
                        "relation": rel,
                        "layer": layer.ravel(),
                        "head": head.ravel(),
                        "accuracy": self.correct[rel].ravel() / n,
                        "n": n,
                        "best_offset": self.offsets[k],
                        "offset_accuracy": self.offset_correct[rel][k] / n,
                    }
                )
            )
        frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=COLUMNS)
        frame = frame.astype(
            {
                "relation": str,
                "layer": np.int64,
                "head": np.int64,
                "accuracy": np.float64,
                "n": np.int64,
                "best_offset": np.int64,
                "offset_accuracy": np.float64,
            }
        )
        frame.attrs.update(sentences=self.sentences, skipped_arcs=self.skipped)
        if self.attention_heads is not None:
            frame.attrs["attention_heads"] = self.attention_heads
        return frame[COLUMNS]


def sentence_predictions(
    lm: LoadedModel, result: dict[str, Any], word_ids: list[int | None], n_words: int, conv_heads: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """(predictions [L, N, W], has_pieces [W]) for one sentence's batch.run result."""
    heads = model_heads(lm, result, conv_heads)
    words, has = word_attention(heads, word_ids, n_words)
    return predicted_heads(words, has), has


def count(
    lm: LoadedModel,
    sentences: list[Sentence],
    *,
    conv_heads: bool = True,
    batch_size: int = 32,
    progress: Progress | None = None,
) -> SyntaxCounts:
    """SyntaxCounts of `lm` on `sentences` (batched, padding stripped; see batch.run)."""
    from bertviz_core.tracing import batch

    encoded = [encode_words(lm, s.words) for s in sentences]
    counts = SyntaxCounts()
    runs = batch.run(lm, [e[0] for e in encoded], batch_size=batch_size, conv=conv_heads)
    for done, (i, result) in enumerate(runs, start=1):
        predictions, has = sentence_predictions(lm, result, encoded[i][1], len(sentences[i]), conv_heads)
        counts.add(sentences[i], predictions, has)
        counts.attention_heads = result["attentions"].shape[1]
        if progress is not None:
            progress(done, len(sentences))
    return counts


def head_accuracy(
    lm: LoadedModel,
    source: str | Path | list[Sentence | TokenList] | tuple[Sentence | TokenList, ...],
    max_sentences: int | None = None,
    *,
    conv_heads: bool = True,
    batch_size: int = 32,
    progress: Progress | None = None,
) -> pd.DataFrame:
    """Clark et al.'s head accuracy for every (relation, layer, head) of `lm` on a treebank.

    source: a CoNLL-U path, CoNLL-U text, or a parsed list (conllu TokenLists or Sentences).
    Returns a pandas DataFrame with columns relation, layer, head, accuracy, n, best_offset,
    offset_accuracy (0-based layer and head; see the module docstring for the method).
    frame.attrs holds sentences and skipped_arcs."""
    sentences = read_conllu(source, max_sentences)
    return count(lm, sentences, conv_heads=conv_heads, batch_size=batch_size, progress=progress).to_frame()


def best_heads(frame: pd.DataFrame, relations: Iterable[str] | None = None) -> pd.DataFrame:
    """Per relation, the head with the highest accuracy (ties: lowest layer, then head), with its
    baseline: relation, layer, head, accuracy, n, best_offset, offset_accuracy, gain. Sorted by n
    (most frequent relation first), or in the order of `relations` when given."""
    f = frame.sort_values(["relation", "accuracy", "layer", "head"], ascending=[True, False, True, True])
    best = f.groupby("relation", sort=False).head(1).copy()
    best["gain"] = best["accuracy"] - best["offset_accuracy"]
    if relations is not None:
        order = [r for r in relations if r in set(best["relation"])]
        return best.set_index("relation").loc[order].reset_index()
    return best.sort_values(["n", "relation"], ascending=[False, True]).reset_index(drop=True)


def head_name(frame: pd.DataFrame, slot: int) -> str:
    """ "H3" / "C1" for a table's head column (conv heads follow the attention heads, see heads.py)."""
    from bertviz_core.models import heads

    n_attn = frame.attrs.get("attention_heads")
    if n_attn is None:
        return f"H{int(slot)}"
    return heads.display(heads.from_slot(int(slot), int(n_attn), max(0, int(slot) - int(n_attn) + 1)))


def accuracy_grid(frame: pd.DataFrame, relation: str) -> np.ndarray:
    """One relation's accuracies as [layers, heads]."""
    part = frame[frame["relation"] == relation]
    if part.empty:
        raise ValueError(f"No arcs of relation '{relation}' in this table.")
    grid = np.full((int(part["layer"].max()) + 1, int(part["head"].max()) + 1), np.nan)
    grid[part["layer"].to_numpy(), part["head"].to_numpy()] = part["accuracy"].to_numpy()
    return grid


# ---------------------------------------------------------------- one sentence (the page)
def trace_word_groups(trace: Trace) -> tuple[list[list[int]], list[str]]:
    """A trace's tokens grouped into the whitespace-separated words of its text, special tokens left out."""
    from bertviz_core.analysis.words import word_groups

    groups, labels = word_groups(trace)
    keep = [k for k, g in enumerate(groups) if not all(trace.special[i] for i in g)]
    return [groups[k] for k in keep], [labels[k] for k in keep]


def word_matrix(matrix: np.ndarray, groups: list[list[int]]) -> np.ndarray:
    """One head's [T, T] (or [..., T, T]) as words: to a word summed over its pieces, from a word
    averaged (words.pool_to_words on word groups without special tokens)."""
    from bertviz_core.analysis.words import pool_to_words

    return pool_to_words(np.asarray(matrix, dtype=np.float32), groups)


# ---------------------------------------------------------------- stored tables
def shipped_table_path(model_id: str) -> Path:
    """Precomputed table of a bundled model on the UD EWT test set (see bench/bench_syntax.py)."""
    return DATA_DIR / f"syntax-ewt-test-{model_id}.parquet"


def cache_dir() -> Path:
    """Where computed tables are kept: $BERTVIZ_CACHE_DIR/syntax, else ~/.cache/bertviz/syntax."""
    root = os.environ.get("BERTVIZ_CACHE_DIR") or Path.home() / ".cache" / "bertviz"
    return Path(root) / "syntax"


def _slug(model_id: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in model_id)[:80]


def cached_table_path(model_id: str, digest: str, conv_heads: bool = True) -> Path:
    """Where table_for keeps the table of `model_id` on the treebank file with this digest (see file_digest)."""
    return cache_dir() / f"{_slug(model_id)}-{digest}{'' if conv_heads else '-noconv'}.parquet"


def write_table(frame: pd.DataFrame, path: str | Path, **meta: object) -> None:
    """Parquet (pyarrow) with the table's attrs and `meta` in the file's key-value metadata."""
    import json

    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False)
    info = {**{k: v for k, v in frame.attrs.items()}, **meta}
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), b"bertviz": json.dumps(info).encode()})
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    pq.write_table(table, tmp)
    tmp.replace(path)  # never a half-written table


def read_table(path: str | Path | IO[bytes]) -> pd.DataFrame:
    """A table written by write_table (or the CLI); its metadata in frame.attrs. ValueError if not one."""
    import json

    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError, ValueError) as exc:  # not Parquet, damaged, unreadable, missing
        raise ValueError(f"Not a Parquet table: {exc}") from None
    frame = table.to_pandas()
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"Not a syntax table (missing columns: {', '.join(missing)}).")
    raw = (table.schema.metadata or {}).get(b"bertviz")
    frame.attrs.update(json.loads(raw) if raw else {})
    return frame[COLUMNS]


def table_for(
    lm: LoadedModel,
    conllu_path: str | Path,
    *,
    progress: Progress | None = None,
    conv_heads: bool = True,
    use_shipped: bool = True,
) -> pd.DataFrame:
    """The full table of `lm` on a treebank file, computed once: the shipped table when it was made
    from this very file (same digest), else the disk cache, else computed now and cached."""
    digest = file_digest(conllu_path)
    shipped = shipped_table_path(lm.id)
    if use_shipped and conv_heads and shipped.is_file():
        frame = read_table(shipped)
        if frame.attrs.get("treebank_sha256") == digest:
            return frame
    cached = cached_table_path(lm.id, digest, conv_heads)
    if cached.is_file():
        try:
            return read_table(cached)
        except ValueError:
            pass  # a damaged cache file is recomputed
    frame = head_accuracy(lm, conllu_path, conv_heads=conv_heads, progress=progress)
    frame.attrs.update(model=lm.id, treebank=Path(conllu_path).name, treebank_sha256=digest)
    write_table(frame, cached)
    return frame
