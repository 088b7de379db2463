"""What a user typed, made safe: cleaned before it is used, made inert before it is shown.

Nothing a user typed is rendered as markdown unescaped: `md_escape` also breaks the autolinks
Streamlit's markdown would make of `http://`, `www.` and e-mail addresses.
"""

from __future__ import annotations

import re

MAX_CHARS = 5000  # longer input is cut before tokenizing (the model's token limit still applies)

_MD_SPECIAL = set("\\`*_{}[]()#+-.!|<>$~:")
_WORD_JOINER = "\u2060"
# where GitHub-flavoured markdown would start an autolink literal: "scheme:" + "//", "www" + ".", "@" (e-mail);
# Streamlit links these after parsing, so backslash escapes do not stop them: an invisible joiner does
_AUTOLINK = re.compile(r"(?<=:)(?=//)|(?<=www)(?=\.)|(?<=@)", re.IGNORECASE)


def unlink(value) -> str:
    """`value` with every markdown autolink broken by an invisible word joiner (and nothing else changed)."""
    return _AUTOLINK.sub(_WORD_JOINER, str(value))


def md_escape(value) -> str:
    """Make a user-derived string inert inside Streamlit markdown (messages, captions): no formatting,
    no HTML, no link (autolinks are broken with an invisible word joiner)."""
    text = unlink(value)
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in text)


# Unicode's bidirectional controls (embeddings, overrides, isolates, marks): invisible, yet they reorder what is shown
BIDI_CONTROLS = frozenset("\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def visible_bidi(text: str) -> str | None:
    """`text` with each bidirectional control written out as ⟨U+202E⟩, or None when it has none."""
    if not any(ch in BIDI_CONTROLS for ch in text):
        return None
    return "".join(f"⟨U+{ord(ch):04X}⟩" if ch in BIDI_CONTROLS else ch for ch in text)


def clean_text(text: str | None) -> str:
    """Strip, drop control characters (keep newlines/tabs as spaces), cap the length."""
    if not text:
        return ""
    text = "".join(ch if ch.isprintable() or ch in " \t\n" else " " for ch in text[:MAX_CHARS])
    return " ".join(text.split())
