"""Reading sentences from plain-text folders and CoNLL-U files.

Pure helpers shared by the distillation command, the benchmarks and the
"many sentences" analyses. Nothing here knows about models.
"""
from __future__ import annotations

import re
from pathlib import Path

# Split after . ! ? when followed by whitespace and an upper-case letter,
# a digit or a quote. Good enough for speeches; not a linguistic tokenizer.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'A-Z0-9])")


def decode_text(raw: bytes) -> str:
    """Decode bytes as UTF-8, falling back to Latin-1 (never raises)."""
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


MAX_UPLOAD_BYTES = 5 * 2**20


def parse_sentence_upload(name: str, raw: bytes, max_sentences: int = 500) -> list[str]:
    """Sentences from an uploaded `.txt` (one per line) or `.conllu` file.

    Raises ValueError with a user-facing message on binary, malformed or oversized input.
    """
    if len(raw) > MAX_UPLOAD_BYTES:
        raise ValueError(f"This file is too large ({len(raw) / 2**20:.1f} MB; the limit is {MAX_UPLOAD_BYTES // 2**20} MB).")
    if b"\x00" in raw[:4096]:
        raise ValueError("This file looks binary; upload a plain-text or CoNLL-U file.")
    text = decode_text(raw)
    if name.lower().endswith((".conllu", ".conll")):
        for number, line in enumerate(text.splitlines(), 1):
            if line.strip() and not line.startswith("#") and line.count("\t") != 9:
                raise ValueError(f"Line {number} is not CoNLL-U (it needs 10 tab-separated columns).")
        try:
            sentences = conllu_sentences(text)
        except Exception as exc:  # conllu raises several parse error types
            raise ValueError(f"Could not read this CoNLL-U file: {exc}") from None
    else:
        sentences = [line.strip() for line in text.splitlines() if line.strip()]
    if not sentences:
        raise ValueError("No sentences found in this file.")
    return sentences[:max_sentences]


def main(argv: list[str] | None = None) -> int:
    """`python -m bertviz_core.corpus ...`: corpus statistics to Parquet (see bertviz_core.corpus_cli)."""
    from bertviz_core import corpus_cli

    return corpus_cli.main(argv)


if __name__ == "__main__":
    raise SystemExit(main())
