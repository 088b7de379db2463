"""Bytes to text: the encoding a byte order mark announces, else UTF-8, else Latin-1 (never raises).

Used by plain-text inputs (bertviz_core.inputs.text, which re-exports these names) and CoNLL-U files
(bertviz_core.inputs.conllu)."""

from __future__ import annotations

import codecs

_BOMS = (  # longest first: the UTF-32 LE mark starts with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
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
        return raw[len(bom) :].decode(encoding, errors="replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")
