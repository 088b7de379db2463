"""CoNLL-U: the one reader of treebanks. Every sentence is parsed once (with `conllu`) into a `Sentence`
(syntactic words with gold heads and relations, the text, and the tokens as written); the sentences'
texts (`conllu_sentences`), their written tokens (`conllu_words`) and the checked treebanks of the syntax
page and the corpus command (`read_conllu`) all derive from it."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conllu.models import TokenList

COLUMNS = 10  # ID FORM LEMMA UPOS XPOS FEATS HEAD DEPREL DEPS MISC
MULTIWORD = "MWT"  # the UPOS a multiword token ("didn't" = did + n't) gets among the written tokens


@dataclass(frozen=True)
class Sentence:
    """One treebank sentence: syntactic words with 1-based gold heads (0 = root, -1 = none given).

    Words are the lines with integer ids (multiword-token ranges `3-4` and empty nodes `8.1` are not words).
    `written` holds the tokens as written, (form, UPOS, space after): a multiword token is one triple with
    UPOS "MWT" in place of its syntactic words; it takes no part in comparisons."""

    words: tuple[str, ...]
    heads: tuple[int, ...]
    relations: tuple[str, ...]  # as annotated, e.g. "nmod:poss"
    text: str = ""
    sent_id: str = ""
    written: tuple[tuple[str, str, bool], ...] = field(default=(), compare=False, repr=False)

    def __len__(self) -> int:
        return len(self.words)

    @property
    def universal(self) -> tuple[str, ...]:
        """Relations without their subtype ("nmod:poss" -> "nmod")."""
        return tuple(r.split(":")[0] for r in self.relations)


def written_tokens(token_list: TokenList) -> tuple[tuple[str, str, bool], ...]:
    """(form, UPOS, space after) per token as written: a multiword token is kept whole (UPOS "MWT") and its
    syntactic words are left out; empty nodes are left out; a missing UPOS is "X"."""
    out, covered = [], 0
    for t in token_list:
        space = (t["misc"] or {}).get("SpaceAfter") != "No"
        if isinstance(t["id"], tuple) and t["id"][1] == "-":
            out.append((t["form"], MULTIWORD, space))
            covered = t["id"][2]
        elif isinstance(t["id"], int) and t["id"] > covered:
            out.append((t["form"], t["upos"] or "X", space))
    return tuple(out)


def sentence_from_tokens(token_list: TokenList) -> Sentence:
    """A Sentence from one parsed `conllu.TokenList`: heads renumbered to the words' positions (1-based)."""
    words = [t for t in token_list if isinstance(t["id"], int)]  # skips 3-4 ranges and 8.1 empty nodes
    position = {t["id"]: k + 1 for k, t in enumerate(words)}
    heads, relations = [], []
    for t in words:
        head = t.get("head")
        heads.append(position.get(head, -1) if isinstance(head, int) and head > 0 else (0 if head == 0 else -1))
        relations.append(str(t.get("deprel") or "_"))
    forms = tuple(str(t["form"]) for t in words)
    return Sentence(
        forms,
        tuple(heads),
        tuple(relations),
        token_list.metadata.get("text") or " ".join(forms),
        token_list.metadata.get("sent_id", ""),
        written_tokens(token_list),
    )


def parse(text: str) -> Iterator[Sentence]:
    """Every sentence of a CoNLL-U document, in order, parsed incrementally (the first sentences of a large
    treebank cost only their own parsing). The `conllu` package's errors pass through."""
    import conllu

    for token_list in conllu.parse_incr(io.StringIO(text)):
        yield sentence_from_tokens(token_list)


def parse_errors() -> tuple[type[Exception], ...]:
    """What `parse` can raise on malformed CoNLL-U: the `conllu` package's ParseException, and the lookup,
    type and value errors of fields it could not fill (e.g. KeyError 'misc' for a line that two spaces split
    into too few columns)."""
    from conllu.exceptions import ParseException

    return (ParseException, LookupError, TypeError, ValueError)


def check_columns(text: str) -> None:
    """ValueError naming the first line (not blank, not a comment) that lacks CoNLL-U's 10 tab-separated columns."""
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip() and not line.startswith("#") and line.count("\t") != COLUMNS - 1:
            raise ValueError(f"Line {number} is not CoNLL-U (it needs 10 tab-separated columns).")


def conllu_sentences(text: str) -> list[str]:
    """Sentence texts of a CoNLL-U document (the `# text =` line, else the word forms)."""
    return [s.text.strip() for s in parse(text) if s.text.strip()]


def conllu_words(text: str) -> list[list[tuple[str, str, bool]]]:
    """Each sentence of a CoNLL-U document as (form, UPOS, space after) triples, one per token as written: a
    multiword token ("didn't") is one triple, UPOS "MWT", in place of its syntactic words (did, n't)."""
    return [list(s.written) for s in parse(text) if s.written]


def read_conllu(
    source: str | Path | list[Sentence | TokenList] | tuple[Sentence | TokenList, ...],
    max_sentences: int | None = None,
) -> list[Sentence]:
    """Sentences from a CoNLL-U path, CoNLL-U text, or an already parsed list (conllu TokenLists
    or Sentences). Raises ValueError with a readable reason on a missing or malformed file."""
    if isinstance(source, (list, tuple)):
        out = [s if isinstance(s, Sentence) else sentence_from_tokens(s) for s in source]
    else:
        if isinstance(source, str) and not source.strip():  # an empty file's text, not a path
            raise ValueError("No sentences found in this treebank.")
        if isinstance(source, Path) or (isinstance(source, str) and "\n" not in source and "\t" not in source):
            path = Path(source)
            if not path.is_file():
                raise ValueError(f"No such CoNLL-U file: {path}")
            from bertviz_core.inputs.decoding import decode_text

            source = decode_text(path.read_bytes())
        if not isinstance(source, str):
            reason = "A treebank is a CoNLL-U path, CoNLL-U text or a list of parsed sentences."
            raise ValueError(reason)  # noqa: TRY004 - the contract: ValueError with a readable reason
        check_columns(source)
        out = []
        try:
            for sentence in parse(source):
                if len(sentence):
                    out.append(sentence)
                if max_sentences is not None and len(out) >= max_sentences:
                    break
        except parse_errors() as exc:
            raise ValueError(f"Could not read this CoNLL-U text: {exc}") from None
    out = [s for s in out if len(s)]
    if max_sentences is not None:
        out = out[:max_sentences]
    if not out:
        raise ValueError("No sentences found in this treebank.")
    return out
