"""Hostile input: each gives a clear message (in English and in Chinese) and the app keeps working.

Every case runs the real app (AppTest) and checks: no exception, either the view or the expected
message in the session's language, and that Plotly labels carry no raw HTML.
"""
from __future__ import annotations

import json
import os
import time

import pytest

from app import i18n
from apptest_util import charts, open_page
from bertviz_core import corpus

GOOD = "The cat sat on the mat."
CHART, INFO, WARN, ERROR = "chart", "info", "warning", "error"

# (id, page, query parameters, expected outcome, i18n key of the expected message or None)
CASES = [
    ("empty", "attention", {"text": ""}, INFO, "empty_sentence"),
    ("spaces", "attention", {"text": "    "}, INFO, "empty_sentence"),
    ("newlines-tabs", "attention", {"text": "\n\t\n"}, INFO, "empty_sentence"),
    ("only-control", "attention", {"text": "\x00\x01\x02\x1b"}, INFO, "empty_sentence"),
    ("only-nbsp-zero-width", "attention", {"text": "\u00a0\u200b\u200b\u00a0"}, INFO, "empty_sentence"),
    ("10k-chars", "attention", {"text": "a" * 10_000}, WARN, "chars_cut"),
    ("3k-words", "attention", {"text": "word " * 3000}, WARN, "truncated"),
    ("long-pair", "attention", {"text": GOOD, "text_b": "more words " * 400}, WARN, "truncated"),
    ("emoji", "attention", {"text": "🙂🙃🤖 emoji only 👩‍👩‍👧"}, CHART, None),
    ("cjk", "attention", {"text": "我爱自然语言处理。"}, CHART, None),
    ("arabic-rtl", "attention", {"text": "مرحبا بالعالم، كيف حالك؟"}, CHART, None),
    ("hebrew-mixed", "attention", {"text": "שלום world ‏עולם‏ ok"}, CHART, None),
    ("rtl-override", "attention", {"text": "abc \u202egnp.exe\u202c def"}, CHART, None),
    ("zero-width", "attention", {"text": "a\u200bb\u200cc\u200dd\ufeffe"}, CHART, None),
    ("control-mixed", "attention", {"text": "red\x1b[31m alert\x07 bell\x00 null"}, CHART, None),
    ("special-tokens", "attention", {"text": "[MASK] [SEP] [CLS] [PAD] [UNK]"}, CHART, None),
    ("special-tokens-pair", "attention", {"text": "[SEP]", "text_b": "[CLS] [MASK]"}, CHART, None),
    ("script-tag", "attention", {"text": "<script>alert(1)</script>"}, CHART, None),
    ("img-onerror", "attention", {"text": "<img src=x onerror=alert(1)>"}, CHART, None),
    ("html-bold", "attention", {"text": "<b>bold</b> <a href='javascript:alert(1)'>x</a>"}, CHART, None),
    ("markdown-latex", "attention", {"text": "**bold** [link](http://example.com) $x^2$ `code`"}, CHART, None),
    ("templates", "attention", {"text": "{{7*7}} ${7*7} %s %n {0}"}, CHART, None),
    ("sql", "attention", {"text": "' OR 1=1 -- ; DROP TABLE users;"}, CHART, None),
    ("zalgo", "attention", {"text": "Z̴̡̪a̷l̶g̵o̸ t̷e̶x̵t̴"}, CHART, None),
    ("one-long-word", "attention", {"text": "a" * 600}, CHART, None),
    ("punctuation", "attention", {"text": "!!!???...,,,;;;"}, CHART, None),
    ("bom", "attention", {"text": "\ufeffStarts with a byte order mark."}, CHART, None),
    ("replacement-chars", "attention", {"text": "bad \ufffd\uffff bytes \U0010ffff"}, CHART, None),
    ("html-in-text-b", "attention", {"text": GOOD, "text_b": "<script>alert(2)</script>"}, CHART, None),
    ("unknown-model", "attention", {"model": "no-such-model-xyz", "text": GOOD}, ERROR, "model_failed"),
    ("path-traversal", "attention", {"model": "../../etc", "text": GOOD}, ERROR, "model_failed"),
    ("absolute-path", "attention", {"model": "/etc", "text": GOOD}, ERROR, "model_failed"),
    ("home-path", "attention", {"model": "~/.ssh", "text": GOOD}, ERROR, "model_failed"),
    ("url-model", "attention", {"model": "http://evil.example/model", "text": GOOD}, ERROR, "model_failed"),
    ("hub-offline", "attention", {"model": "bert-base-uncased", "text": GOOD}, ERROR, "model_failed"),
    ("unknown-hub-offline", "attention", {"model": "someone/unknown-model", "text": GOOD}, ERROR, "model_failed"),
    ("script-model", "attention", {"model": "<script>alert(1)</script>", "text": GOOD}, ERROR, "model_failed"),
    ("huge-model-id", "attention", {"model": "x" * 500, "text": GOOD}, ERROR, "model_failed"),
    ("empty-model", "attention", {"model": " ", "text": GOOD}, ERROR, "model_failed"),
    ("symlink-outside", "attention", {"model": "evil-link", "text": GOOD}, ERROR, "model_failed"),
    ("pickle-only", "attention", {"model": "pickle-only", "text": GOOD}, ERROR, "model_failed"),
    ("remote-code", "attention", {"model": "remote-code", "text": GOOD}, ERROR, "model_failed"),
    ("layer-negative", "attention", {"text": GOOD, "layer": "-1"}, CHART, None),
    ("layer-huge", "attention", {"text": GOOD, "layer": "999"}, CHART, None),
    ("layer-text", "attention", {"text": GOOD, "layer": "abc"}, CHART, None),
    ("head-huge", "attention", {"text": GOOD, "head": "99"}, CHART, "bad_head"),
    ("head-conv-on-bert", "attention", {"text": GOOD, "head": "c99"}, CHART, "bad_head"),
    ("head-html", "attention", {"text": GOOD, "head": "<b>x</b>"}, CHART, "bad_head"),
    ("query-huge", "step_by_step", {"text": GOOD, "query": "1000000000"}, CHART, None),
    ("query-text", "step_by_step", {"text": GOOD, "query": "x"}, CHART, None),
    ("compare-bad-model", "compare", {"model_a": "bert-minilm-l6", "model_b": "no-such", "text": GOOD}, ERROR, "model_failed"),
    ("convolution-path", "convolution", {"model": "/etc/passwd", "text": GOOD}, ERROR, "model_failed"),
    ("model-view-html", "model_view", {"text": "<svg onload=alert(1)>"}, CHART, None),
]


@pytest.fixture(scope="module")
def hostile_models(models_root, tmp_path_factory):
    """Model folders an attacker might plant: a symlink out of the folder, pickled weights, remote code."""
    outside = tmp_path_factory.mktemp("outside")
    (outside / "config.json").write_text("{}")
    link = models_root / "evil-link"
    if not link.exists():
        link.symlink_to(outside, target_is_directory=True)
    pickle = models_root / "pickle-only"
    pickle.mkdir(exist_ok=True)
    (pickle / "config.json").write_text(json.dumps({"model_type": "bert"}))
    (pickle / "pytorch_model.bin").write_bytes(b"not really a pickle")
    remote = models_root / "remote-code"
    remote.mkdir(exist_ok=True)
    (remote / "config.json").write_text(json.dumps({"model_type": "bert", "auto_map": {"AutoModel": "x.Evil"}}))
    (remote / "model.safetensors").write_bytes(b"")
    return models_root


def fragment(key: str, lang: str) -> str:
    """The fixed start of a message (before its first placeholder)."""
    return i18n.TEXT[key][lang].split("{")[0].strip()


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("case_id, page, query, outcome, key", CASES, ids=[c[0] for c in CASES])
def test_hostile_input(hostile_models, case_id, page, query, outcome, key, lang):
    t0 = time.time()
    at = open_page(page, lang=lang, **query)
    assert not at.exception, at.exception
    messages = {INFO: [e.value for e in at.info], WARN: [e.value for e in at.warning],
                ERROR: [e.value for e in at.error]}
    body = "\n".join(str(e.value) for kind in ("info", "warning", "error", "caption", "markdown") for e in at.get(kind))
    if outcome == CHART:
        assert charts(at), f"{case_id}: no chart; messages: {messages}"
        assert not messages[ERROR], messages[ERROR]
    else:
        assert messages[outcome], f"{case_id}: expected a {outcome}; got {messages}"
    if key:
        assert fragment(key, lang) in body, f"{case_id}: message for {key} not shown in {lang}"
    for spec in charts(at):
        dumped = json.dumps([{k: v for k, v in d.items() if k in ("x", "y", "text", "name")} for d in spec["data"]])
        assert "<script" not in dumped and "<img" not in dumped and "<svg" not in dumped and "<b>" not in dumped
    assert time.time() - t0 < 60, "took too long"


def test_uploads_binary_malformed_oversized():
    with pytest.raises(ValueError, match="binary"):
        corpus.parse_sentence_upload("a.txt", b"\x89PNG\r\n\x1a\n\x00\x00")
    with pytest.raises(ValueError, match="CoNLL-U"):
        corpus.parse_sentence_upload("a.conllu", b"1\tonly two\n")
    with pytest.raises(ValueError, match="too large"):
        corpus.parse_sentence_upload("a.txt", b"word " * (3 * 2**20))
    with pytest.raises(ValueError, match="No sentences"):
        corpus.parse_sentence_upload("a.txt", b"\n\n   \n")
    assert corpus.parse_sentence_upload("a.txt", "caf\xe9 au lait\n".encode("latin-1")) == ["café au lait"]


def test_hub_policy_registry_refuses_other_ids(monkeypatch):
    import bertviz_core as bc

    monkeypatch.setenv("BERTVIZ_HUB_POLICY", "registry")
    with pytest.raises(bc.ModelLoadError, match="only loads listed models"):
        bc.load_model("someone/some-model")


def test_hub_offline_fails_fast_without_the_offline_flag(monkeypatch):
    import bertviz_core as bc

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setenv("HF_ENDPOINT", "https://hub.invalid")  # never resolves: stands for "no network"
    t0 = time.time()
    with pytest.raises(bc.ModelLoadError, match="offline"):
        bc.load_model("bert-base-chinese")
    assert time.time() - t0 < 15
