"""What a user typed, cleaned and made inert for markdown (app/state/text.py)."""

from __future__ import annotations

from app import state


def test_clean_text():
    assert state.clean_text(None) == "" and state.clean_text("") == ""
    assert state.clean_text("a\x00b") == "a b"
    assert state.clean_text(" a \t b\nc ") == "a b c"
    assert state.clean_text("x" * 6000) == "x" * state.MAX_CHARS
    assert state.clean_text("\x07" * 10 + "y") == "y"


def test_unlink_and_md_escape():
    assert state.unlink("see http://x.example") == "see http:\u2060//x.example"
    assert state.unlink("WWW.x.example") == "WWW\u2060.x.example"
    assert state.unlink("me@x.example") == "me@\u2060x.example"
    assert state.unlink("plain text") == "plain text"
    special = "\\`*_{}[]()#+-.!|<>$~:"
    assert state.md_escape(special) == "".join("\\" + c for c in special)
    assert state.md_escape("a b") == "a b"


def test_direction_controls_are_written_out_and_plain_text_is_left_alone():
    from app.state.text import visible_bidi

    assert visible_bidi("abc \u202egnp.exe\u202c def") == "abc ⟨U+202E⟩gnp.exe⟨U+202C⟩ def"
    assert visible_bidi("مرحبا بالعالم") is None  # right-to-left script itself is not a control
    assert visible_bidi("\u2066x\u2069\u200f") == "⟨U+2066⟩x⟨U+2069⟩⟨U+200F⟩"
