"""Which tokens four pretraining masking strategies would hide in one sentence (ERNIE's knowledge masking, issue #27).

A sentence is its word pieces, each with the index of the word it belongs to (`word_ids`, None for [CLS], [SEP]
and other special tokens). The strategies, each drawing its own seeded choice at about RATE (15%):

- "token" (BERT): every piece is a span; RATE of the pieces chosen at random.
- "whole_word": a word with all its pieces is a span; RATE of the words chosen at random.
- "phrase" (ERNIE): noun phrases of two words or more; phrases chosen at random until they cover RATE of the pieces.
  From a treebank tree: a NOUN or PROPN head with its dependents related by det, amod, compound, nummod, flat (and
  their subtypes: det:predet, ...) or nmod:poss; below those, their own dependents by the same relations or by
  advmod and case ("very" big, Google "'s"), recursively; punctuation between them attached to one of them joins
  ("full - fledged"); the phrase is the contiguous run of these words around the head (a phrase interrupted by
  anything else, e.g. a parenthesis, is cut there); a phrase inside a larger one is dropped. Without a tree (a typed
  sentence, words tagged by analysis.pos_probe): the classic chunker DET? (ADJ|NUM)* (NOUN|PROPN)+ on the tags,
  leftmost-longest matches.
- "entity" (ERNIE): maximal runs of consecutive PROPN words; chosen like phrases.

`KnowledgeMasking.source` says where the phrases and entities came from: "tree" (a CoNLL-U sentence's gold UPOS,
heads and relations), "probe" (the probe's tags and the chunker) or "none" (no tags: no phrase, no entity).
Words are the units the caller tokenised: a treebank's tokens as written (a multiword token such as "didn't" is
one word; a syntactic word inside it counts as that word), or `pos_probe.split_words` of a typed sentence.
No model is needed here; `tokenise` only needs a tokenizer.
"""

from __future__ import annotations

import io
import json
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bertviz_core.analysis.pos_probe import split_words

if TYPE_CHECKING:
    from transformers import PreTrainedTokenizerBase

STRATEGIES = ("token", "whole_word", "phrase", "entity")
SOURCES = ("tree", "probe", "none")
RATE = 0.15
NOUNS = ("NOUN", "PROPN")
PHRASE_RELATIONS = ("det", "amod", "compound", "nummod", "flat")  # universal relations joining a noun's phrase
PHRASE_SUBTYPES = ("nmod:poss",)  # relations joining it only with this subtype ("Google 's", "my")
INNER_RELATIONS = ("advmod", "case")  # joining a dependent already in the phrase: "very" big, Google "'s"
CHUNK = re.compile(r"D?A*N+")  # over one letter per word: D = DET, A = ADJ or NUM, N = NOUN or PROPN
QUALITY_FILE = Path(__file__).resolve().parents[1] / "data" / "masking_quality.json"  # bench/masking_quality.py
CHUNK_LETTERS = {"DET": "D", "ADJ": "A", "NUM": "A", "NOUN": "N", "PROPN": "N"}


@dataclass(frozen=True)
class Tree:
    """A treebank sentence's syntactic words: UPOS, 1-based heads (0 = root) and relations, and for each the index
    of the written word (the unit tokenised) that holds it; a multiword token's syntactic words share one."""

    upos: tuple[str, ...]
    heads: tuple[int, ...]
    relations: tuple[str, ...]
    unit: tuple[int, ...]


@dataclass(frozen=True)
class Span:
    """Words (indices into the sentence's words) and the token positions they cover."""

    words: tuple[int, ...]
    tokens: tuple[int, ...]


@dataclass(frozen=True)
class StrategyMask:
    """One strategy on one sentence: every span it could hide, and which of them this draw hides."""

    strategy: str
    spans: tuple[Span, ...]
    chosen: tuple[int, ...]  # indices into spans, in the order drawn

    @property
    def hidden(self) -> tuple[int, ...]:
        """The token positions this draw hides, in order."""
        return tuple(sorted(p for k in self.chosen for p in self.spans[k].tokens))

    @property
    def chosen_spans(self) -> tuple[Span, ...]:
        return tuple(self.spans[k] for k in sorted(self.chosen, key=lambda k: self.spans[k].tokens))


@dataclass(frozen=True)
class KnowledgeMasking:
    """The four strategies on one sentence, its tokens, and where the phrases and entities came from (SOURCES)."""

    tokens: tuple[str, ...]
    word_ids: tuple[int | None, ...]
    source: str
    token: StrategyMask
    whole_word: StrategyMask
    phrase: StrategyMask
    entity: StrategyMask

    def strategies(self) -> dict[str, StrategyMask]:
        return {name: getattr(self, name) for name in STRATEGIES}

    @property
    def content(self) -> tuple[int, ...]:
        """Positions of the tokens that belong to a word (no [CLS], [SEP], ...)."""
        return tuple(p for p, w in enumerate(self.word_ids) if w is not None)


# ---------------------------------------------------------------- spans
def word_tokens(word_ids: Sequence[int | None]) -> dict[int, tuple[int, ...]]:
    """Each word's token positions (only the words that have tokens)."""
    out: dict[int, list[int]] = {}
    for p, w in enumerate(word_ids):
        if w is not None:
            out.setdefault(w, []).append(p)
    return {w: tuple(ps) for w, ps in out.items()}


def spans_of(groups: Sequence[Sequence[int]], word_ids: Sequence[int | None]) -> tuple[Span, ...]:
    """Spans of word groups, in order; a group whose words have no token (cut off) is left out."""
    pieces = word_tokens(word_ids)
    out = []
    for group in groups:
        words = tuple(sorted(set(group)))
        tokens = tuple(p for w in words for p in pieces.get(w, ()))
        if tokens:
            out.append(Span(words, tokens))
    return tuple(out)


def joins_phrase(relation: str) -> bool:
    return relation.split(":")[0] in PHRASE_RELATIONS or relation in PHRASE_SUBTYPES


def phrase_words(tree: Tree, head: int) -> set[int]:
    """The 0-based words of the noun phrase headed by `head` (see the module): its dependents by PHRASE_RELATIONS or
    PHRASE_SUBTYPES, theirs by those or INNER_RELATIONS, and so on; then the punctuation between them attached to
    one of them; then the contiguous run of words around the head."""
    words, todo = {head}, [head]
    while todo:
        w = todo.pop()
        for child, (h, rel) in enumerate(zip(tree.heads, tree.relations)):
            inner = w != head and rel.split(":")[0] in INNER_RELATIONS
            if h == w + 1 and child not in words and (joins_phrase(rel) or inner):
                words.add(child)
                todo.append(child)
    first, last = min(words), max(words)
    words |= {w for w in range(first, last) if tree.upos[w] == "PUNCT" and tree.heads[w] - 1 in words}
    start, end = head, head
    while start - 1 in words:
        start -= 1
    while end + 1 in words:
        end += 1
    return set(range(start, end + 1))


def tree_phrases(tree: Tree) -> list[list[int]]:
    """Noun phrases of two words or more from the tree (see the module), as syntactic word indices, in order."""
    found = []
    for head, upos in enumerate(tree.upos):
        if upos in NOUNS:
            words = phrase_words(tree, head)
            if len(words) > 1:
                found.append((min(words), max(words)))
    maximal = [(a, b) for a, b in found if not any(c <= a and b <= d and (c, d) != (a, b) for c, d in found)]
    return [list(range(a, b + 1)) for a, b in sorted(set(maximal))]


def chunk_phrases(tags: Sequence[str]) -> list[list[int]]:
    """Noun-phrase chunks of two words or more: DET? (ADJ|NUM)* (NOUN|PROPN)+ over the words' tags."""
    letters = "".join(CHUNK_LETTERS.get(t, "o") for t in tags)
    return [list(range(*m.span())) for m in CHUNK.finditer(letters) if m.end() - m.start() > 1]


def propn_runs(tags: Sequence[str]) -> list[list[int]]:
    """Maximal runs of consecutive PROPN words."""
    runs: list[list[int]] = []
    for w, tag in enumerate(tags):
        if tag != "PROPN":
            continue
        if runs and runs[-1][-1] == w - 1:
            runs[-1].append(w)
        else:
            runs.append([w])
    return runs


def to_units(groups: list[list[int]], unit: Sequence[int]) -> list[list[int]]:
    """Syntactic word groups as written-word groups (duplicates, from multiword tokens, merged)."""
    out: list[list[int]] = []
    for g in groups:
        units = sorted({unit[w] for w in g})
        if units not in out:
            out.append(units)
    return out


# ---------------------------------------------------------------- choosing
def choose_count(spans: Sequence[Span], rate: float, rng: random.Random) -> tuple[int, ...]:
    """`rate` of the spans (at least one when there is one), drawn at random."""
    if not spans:
        return ()
    k = max(1, round(rate * len(spans)))
    return tuple(rng.sample(range(len(spans)), k))


def choose_cover(spans: Sequence[Span], n_tokens: int, rate: float, rng: random.Random) -> tuple[int, ...]:
    """Spans in a random order, taken while they cover less than `rate` of the sentence's n_tokens."""
    order = list(range(len(spans)))
    rng.shuffle(order)
    chosen, covered = [], 0
    for k in order:
        if covered >= rate * n_tokens:
            break
        chosen.append(k)
        covered += len(spans[k].tokens)
    return tuple(chosen)


def mask_sentence(
    tokens: Sequence[str],
    word_ids: Sequence[int | None],
    *,
    tags: Sequence[str] | None = None,
    tree: Tree | None = None,
    source: str | None = None,
    seed: int = 0,
    rate: float = RATE,
) -> KnowledgeMasking:
    """The four strategies on one tokenised sentence. Phrases and entities come from `tree` when given (source
    "tree"), else from `tags`, one UPOS per word (source "probe" unless named), else there are none ("none").
    Each strategy draws with its own random.Random(seed), so one strategy's draw does not move another's."""
    if len(tokens) != len(word_ids):
        raise ValueError("tokens and word_ids must have the same length.")
    n_words = max((w for w in word_ids if w is not None), default=-1) + 1
    if tree is not None:
        phrases = to_units(tree_phrases(tree), tree.unit)
        entities = to_units(propn_runs(tree.upos), tree.unit)
        source = source or "tree"
    elif tags is not None:
        if len(tags) != n_words:
            raise ValueError(f"{len(tags)} tags for {n_words} words.")
        phrases, entities, source = chunk_phrases(tags), propn_runs(tags), source or "probe"
    else:
        phrases, entities, source = [], [], "none"
    if source not in SOURCES:
        raise ValueError(f"Unknown source {source!r}: one of {', '.join(SOURCES)}.")
    n_tokens = sum(w is not None for w in word_ids)
    piece_spans = tuple(Span((w,), (p,)) for p, w in enumerate(word_ids) if w is not None)
    word_spans = spans_of([[w] for w in range(n_words)], word_ids)
    phrase_spans, entity_spans = spans_of(phrases, word_ids), spans_of(entities, word_ids)
    return KnowledgeMasking(
        tuple(tokens),
        tuple(word_ids),
        source,
        StrategyMask("token", piece_spans, choose_count(piece_spans, rate, random.Random(seed))),
        StrategyMask("whole_word", word_spans, choose_count(word_spans, rate, random.Random(seed))),
        StrategyMask("phrase", phrase_spans, choose_cover(phrase_spans, n_tokens, rate, random.Random(seed))),
        StrategyMask("entity", entity_spans, choose_cover(entity_spans, n_tokens, rate, random.Random(seed))),
    )


# ---------------------------------------------------------------- inputs
def tokenise(
    tokenizer: PreTrainedTokenizerBase, words: Sequence[str], max_length: int = 512
) -> tuple[list[str], list[int | None], list[int]]:
    """(tokens, word id per token, input ids) of words tokenised as given, special tokens included."""
    enc = tokenizer(list(words), is_split_into_words=True, truncation=True, max_length=max_length)
    ids = list(enc["input_ids"])
    tokens = tokenizer.convert_ids_to_tokens(ids)
    return [tokens] if isinstance(tokens, str) else list(tokens), list(enc.word_ids()), ids


def tree_sentences(text: str) -> list[tuple[list[str], Tree]]:
    """Each sentence of a CoNLL-U document as (its words as written, its Tree). A multiword token is one written
    word holding its syntactic words; empty nodes are left out. The `conllu` package's errors pass through."""
    import conllu

    out = []
    for token_list in conllu.parse_incr(io.StringIO(text)):
        written: list[str] = []
        upos, heads, relations, unit = [], [], [], []
        ids = [t["id"] for t in token_list if isinstance(t["id"], int)]
        position = {i: k + 1 for k, i in enumerate(ids)}
        covered = 0
        for t in token_list:
            if isinstance(t["id"], tuple) and t["id"][1] == "-":
                written.append(str(t["form"]))
                covered = t["id"][2]
            elif isinstance(t["id"], int):
                if t["id"] > covered:
                    written.append(str(t["form"]))
                head = t.get("head")
                upos.append(str(t["upos"] or "X"))
                heads.append(position.get(head, 0) if isinstance(head, int) else 0)
                relations.append(str(t.get("deprel") or "_"))
                unit.append(len(written) - 1)
        if upos:
            out.append((written, Tree(tuple(upos), tuple(heads), tuple(relations), tuple(unit))))
    return out


def mask_words(
    tokenizer: PreTrainedTokenizerBase,
    words: Sequence[str],
    *,
    tree: Tree | None = None,
    tags: Sequence[str] | None = None,
    seed: int = 0,
) -> KnowledgeMasking:
    """Tokenise `words` (a treebank sentence's written words with its tree, or a typed sentence's words with the
    probe's tags) and mask them (mask_sentence)."""
    tokens, word_ids, _ = tokenise(tokenizer, words)
    return mask_sentence(tokens, word_ids, tree=tree, tags=tags, seed=seed)


def mask_text(
    tokenizer: PreTrainedTokenizerBase,
    text: str,
    tagger: Callable[[list[str]], Sequence[str]] | None = None,
    seed: int = 0,
) -> KnowledgeMasking:
    """A typed sentence cut into words (pos_probe.split_words), tagged by `tagger` (words -> one UPOS each, e.g.
    `lambda w: pos_probe.tag_words(model, tokenizer, w)`) when given, and masked. ValueError for a text without
    words."""
    words = split_words(text)
    if not words:
        raise ValueError("The sentence has no words to mask.")
    return mask_words(tokenizer, words, tags=tagger(words) if tagger else None, seed=seed)


def read_quality(path: str | Path = QUALITY_FILE) -> dict[str, Any] | None:
    """How well the MLM model recovers each strategy's spans on EWT test (bench/masking_quality.py writes it:
    bertviz_core/data/masking_quality.json), or None when the file is missing or unreadable."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and "strategies" in data else None
