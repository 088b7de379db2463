"""Text from files and uploads: decoding (byte order marks, UTF-8, Latin-1), sentence splitting,
plain-text folders, and uploaded sentence lists (`.txt` or `.conllu`)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from bertviz_core.inputs.conllu import check_columns, conllu_sentences, parse_errors
from bertviz_core.inputs.decoding import decode_text, text_encoding  # re-exported: callers import them from here

# Split after . ! ? when followed by whitespace and an upper-case letter,
# a digit or a quote. Good enough for speeches; not a linguistic tokenizer.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'A-Z0-9])")


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


MAX_UPLOAD_BYTES = 5 * 2**20


class Sentences(list[str]):
    """The sentences of an upload (a plain list), plus what was left out:
    `blank` empty or whitespace-only lines (counted), `invisible` line numbers of lines holding only
    invisible characters (zero-width spaces, joiners, marks: skipped, not an error), `over_limit`
    sentences past `max_sentences`, `encoding` what the bytes were decoded as."""

    def __init__(
        self,
        items: Iterable[str] = (),
        blank: int = 0,
        invisible: list[int] | None = None,
        over_limit: int = 0,
        encoding: str = "utf-8",
    ) -> None:
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
        raise ValueError(
            f"This file is too large ({len(raw) / 2**20:.1f} MB; the limit is {MAX_UPLOAD_BYTES // 2**20} MB)."
        )
    encoding = text_encoding(raw)
    if encoding is None and b"\x00" in raw[:4096]:
        raise ValueError("This file looks binary; upload a plain-text or CoNLL-U file.")
    text = decode_text(raw)
    if "\x00" in text[:4096]:
        raise ValueError("This file looks binary; upload a plain-text or CoNLL-U file.")
    blank, invisible = 0, []
    if name.lower().endswith((".conllu", ".conll")):
        check_columns(text)
        try:
            sentences = conllu_sentences(text)
        except parse_errors() as exc:
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
    return Sentences(
        sentences[:max_sentences], blank=blank, invisible=invisible, over_limit=over, encoding=encoding or "utf-8"
    )
