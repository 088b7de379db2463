"""How a tokenizer cuts a sentence into pieces, word by word (WordPiece, BPE, SentencePiece alike).

    tok = load_tokenizer("path/to/folder")         # or a hub id already in the local cache
    splits = split_words(tok, "The patient took acetaminophen.")
    splits[3]           # WordSplit(word='acetaminophen', pieces=('ace', '##tam', '##ino', '##ph', '##en'), ...)
    summarize(splits)   # words, pieces, [UNK]s, pieces per word
    contrast(a, b)      # the word two tokenizers cut most differently (unknown_contrast: known to one only)

Words are the same for every tokenizer, so splits of one text line up: a run of letters, digits and combining
marks is a word, and so is each other visible character (punctuation, symbols, each CJK ideograph), as BERT's own
pre-tokenizer cuts them. Every piece the tokenizer makes (special tokens left out) belongs to exactly one word, in
order: the pieces of all words are the tokenizer's own `tokenize(text)` (for any text with a visible character).
A piece that spans several words (byte-level BPE's "...", SentencePiece's "头痛") belongs to the first of them;
the others are `joined` to it.

Loading never runs code from a checkpoint (`trust_remote_code=False`) and never downloads (`local_files_only`).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# BERT's "Chinese character" blocks (CJK Unified Ideographs and their extensions, compatibility ideographs)
CJK_RANGES = (
    (0x4E00, 0x9FFF),
    (0x3400, 0x4DBF),
    (0x20000, 0x2A6DF),
    (0x2A700, 0x2B73F),
    (0x2B740, 0x2B81F),
    (0x2B820, 0x2CEAF),
    (0xF900, 0xFAFF),
    (0x2F800, 0x2FA1F),
)
KINDS = ("wordpiece", "bpe", "byte_bpe", "unigram", "other")  # what vocabulary_kind returns


@dataclass(frozen=True)
class WordSplit:
    word: str
    pieces: tuple[str, ...]  # as the tokenizer writes them ("##tam", "Ġpatient", "▁took", "[UNK]")
    is_unknown: bool  # at least one piece is the tokenizer's unknown token
    start: int  # character span of the word in the text
    end: int
    joined: bool = False  # no piece of its own: a piece of an earlier word covers it too ("头痛" as one piece)
    unknown_pieces: int = 0  # how many of its pieces are the unknown token


@dataclass(frozen=True)
class SplitSummary:
    words: int
    pieces: int
    unknown_pieces: int  # pieces that are the unknown token
    unknown_words: int  # words with at least one unknown piece
    split_words: int  # words cut into two pieces or more
    pieces_per_word: float  # 0.0 for no words


def is_cjk(ch: str) -> bool:
    cp = ord(ch)
    return any(lo <= cp <= hi for lo, hi in CJK_RANGES)


def char_class(ch: str) -> str:
    """ "space", "cjk" (each ideograph is a word of its own), "word" (letters, digits, combining marks: Hindi or Thai
    words keep their vowel signs) or "other" (punctuation and symbols: each is a word of its own)."""
    if ch.isspace():
        return "space"
    if is_cjk(ch):
        return "cjk"
    return "word" if unicodedata.category(ch)[0] in "LNM" else "other"


def word_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every word of `text`: runs of word characters, and each other visible character alone
    (punctuation, symbols, CJK ideographs), as BERT's own pre-tokenizer cuts them."""
    spans: list[tuple[int, int]] = []
    i, n = 0, len(text)
    while i < n:
        kind = char_class(text[i])
        j = i + 1
        if kind == "word":
            while j < n and char_class(text[j]) == kind:
                j += 1
        if kind != "space":
            spans.append((i, j))
        i = j
    return spans


def owner(spans: list[tuple[int, int]], start: int, end: int, previous: int) -> int:
    """The word a piece with character offsets [start, end) belongs to: the first word it overlaps; a piece that
    overlaps none (an empty span, or only spaces, like SentencePiece's lone "▁") goes to the next word, or the
    last one. Never before `previous`, so pieces stay in order."""
    for k in range(previous, len(spans)):
        w_start, w_end = spans[k]
        if start < w_end and (end > w_start or (start == end and start >= w_start)):
            return k
        if w_start >= end and w_start >= start:
            return k
    return len(spans) - 1


def unknown_token(tokenizer: Any) -> str | None:
    token = getattr(tokenizer, "unk_token", None)
    return str(token) if token else None


def is_unknown_piece(tokenizer: Any, piece: str, piece_id: int | None = None) -> bool:
    """Whether a piece is the unknown token. By its id where known: a Unigram (SentencePiece) tokenizer writes an
    unknown piece as the text it stands for ("x"), with the unknown token's id."""
    unk_id = getattr(tokenizer, "unk_token_id", None)
    if piece_id is not None and unk_id is not None:
        return int(piece_id) == int(unk_id)
    return piece == unknown_token(tokenizer)


def pieces_with_offsets(tokenizer: Any, text: str) -> list[tuple[str, int, int, bool]] | None:
    """(piece, start, end, is unknown) of every piece, special tokens left out; None when the tokenizer gives no
    character offsets."""
    if not getattr(tokenizer, "is_fast", False):
        return None
    try:
        enc = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
    except NotImplementedError:
        return None
    return [
        (piece, int(s), int(e), is_unknown_piece(tokenizer, piece, i))
        for piece, (s, e), i in zip(enc.tokens(), enc["offset_mapping"], enc["input_ids"], strict=True)
    ]


def split_words(tokenizer: Any, text: str) -> list[WordSplit]:
    """Each word of `text` with the pieces `tokenizer` cuts it into (module docstring). A piece that spans several
    words (SentencePiece's "头痛", byte-level BPE's "...") belongs to the first; the others are `joined`.

    A tokenizer without character offsets (a slow, pure-Python one) tokenizes each word on its own: the same
    pieces for WordPiece, close to them for BPE and SentencePiece (which mark the space before a word)."""
    spans = word_spans(text)
    if not spans:
        return []
    found = pieces_with_offsets(tokenizer, text)
    covered = [False] * len(spans)
    grouped: list[list[tuple[str, bool]]] = [[] for _ in spans]
    if found is None:
        for k, (s, e) in enumerate(spans):
            grouped[k] = [(p, is_unknown_piece(tokenizer, p)) for p in tokenizer.tokenize(text[s:e])]
    else:
        k = 0
        for piece, start, end, unknown in found:
            k = owner(spans, start, end, k)
            grouped[k].append((piece, unknown))
            for j in range(k + 1, len(spans)):  # the later words this piece reaches into
                if spans[j][0] >= end:
                    break
                covered[j] = True
    splits = []
    for i, ((s, e), group) in enumerate(zip(spans, grouped, strict=True)):
        n_unknown = sum(unknown for _, unknown in group)
        pieces = tuple(p for p, _ in group)
        splits.append(WordSplit(text[s:e], pieces, n_unknown > 0, s, e, not pieces and covered[i], n_unknown))
    return splits


def summarize(splits: list[WordSplit]) -> SplitSummary:
    """Counts over one split of a text."""
    pieces = sum(len(s.pieces) for s in splits)
    return SplitSummary(
        words=len(splits),
        pieces=pieces,
        unknown_pieces=sum(s.unknown_pieces for s in splits),
        unknown_words=sum(s.is_unknown for s in splits),
        split_words=sum(len(s.pieces) > 1 for s in splits),
        pieces_per_word=pieces / len(splits) if splits else 0.0,
    )


def same_words(a: list[WordSplit], b: list[WordSplit]) -> None:
    """ValueError unless `a` and `b` split the same words (two tokenizers on one text)."""
    if [(s.start, s.end) for s in a] != [(s.start, s.end) for s in b]:
        raise ValueError("the two splits are not of the same text")


def contrast(a: list[WordSplit], b: list[WordSplit]) -> int | None:
    """The index of the word, known to both, whose number of pieces differs most between two splits of one text
    (the first on a tie), or None when every such word has as many pieces in both. Words unknown to one of them:
    `unknown_contrast`. ValueError if the splits are not of the same words."""
    same_words(a, b)
    best, best_score = None, 0
    for i, (x, y) in enumerate(zip(a, b, strict=True)):
        score = 0 if x.is_unknown or y.is_unknown else abs(len(x.pieces) - len(y.pieces))
        if score > best_score:
            best, best_score = i, score
    return best


def unknown_contrast(a: list[WordSplit], b: list[WordSplit]) -> int | None:
    """The index of the first word unknown to one split and not the other, or None."""
    same_words(a, b)
    return next((i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x.is_unknown != y.is_unknown), None)


def most_cut(splits: list[WordSplit]) -> int | None:
    """The index of the known word cut into the most pieces (the first on a tie), or None when no known word is cut.
    Unknown words are a story of their own (`is_unknown`)."""
    best, best_score = None, 1
    for i, s in enumerate(splits):
        if not s.is_unknown and len(s.pieces) > best_score:
            best, best_score = i, len(s.pieces)
    return best


def vocabulary_kind(tokenizer: Any) -> str:
    """One of KINDS: the tokenizer's subword model (WordPiece; BPE, byte-level or not; Unigram, SentencePiece's)."""
    backend = getattr(tokenizer, "backend_tokenizer", None)
    if backend is None:
        return "other"
    model = type(backend.model).__name__
    if model == "WordPiece":
        return "wordpiece"
    if model == "Unigram":
        return "unigram"
    if model == "BPE":
        return "byte_bpe" if "ByteLevel" in repr(backend.pre_tokenizer) else "bpe"
    return "other"


def vocabulary_size(tokenizer: Any) -> int:
    return len(tokenizer)


def load_tokenizer(source: str | Path) -> Any:
    """A tokenizer from a local folder, or from a hub id already in the local Hugging Face cache; OSError when it is
    not there (nothing is downloaded). No code from the checkpoint ever runs."""
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(source), local_files_only=True, trust_remote_code=False)
