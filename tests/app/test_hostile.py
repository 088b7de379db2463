"""Hostile input: each gives a clear message (in English and in Chinese) and the app keeps working.

Every case runs the real app (AppTest) and checks: no exception, either the view or the expected
message in the session's language, and that Plotly labels carry no raw HTML.
"""

from __future__ import annotations

import json
import re
import shutil
import time

import pytest
from apptest_util import charts, open_page

from app import i18n
from bertviz_core.inputs import text as text_input

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
    ("hebrew-mixed", "attention", {"text": "שלום world \u200fעולם\u200f ok"}, CHART, None),
    ("rtl-override", "attention", {"text": "abc \u202egnp.exe\u202c def"}, CHART, "hard_bidi"),
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
    ("unknown-model", "attention", {"model": "no-such-model-xyz", "text": GOOD}, ERROR, "hard_load_offline"),
    ("path-traversal", "attention", {"model": "../../etc", "text": GOOD}, ERROR, "hard_load_outside_models_dir_plain"),
    ("absolute-path", "attention", {"model": "/etc", "text": GOOD}, ERROR, "hard_load_outside_models_dir_plain"),
    ("home-path", "attention", {"model": "~/.ssh", "text": GOOD}, ERROR, "hard_load_outside_models_dir_plain"),
    ("url-model", "attention", {"model": "http://evil.example/model", "text": GOOD}, ERROR, "hard_load_invalid_id"),
    ("www-model", "attention", {"model": "www.evil.example", "text": GOOD}, ERROR, "hard_load_offline"),
    (
        "markdown-link-model",
        "attention",
        {"model": "[x](http://evil.example)", "text": GOOD},
        ERROR,
        "hard_load_invalid_id",
    ),
    ("email-model", "step_by_step", {"model": "x@evil.example", "text": GOOD}, ERROR, "hard_load_invalid_id"),
    ("10k-model-id", "attention", {"model": "y" * 10_000, "text": GOOD}, ERROR, "hard_load_invalid_id"),
    ("hub-offline", "attention", {"model": "bert-base-uncased", "text": GOOD}, ERROR, "hard_load_offline"),
    ("unknown-hub-offline", "attention", {"model": "someone/unknown-model", "text": GOOD}, ERROR, "hard_load_offline"),
    ("script-model", "attention", {"model": "<script>alert(1)</script>", "text": GOOD}, ERROR, "hard_load_invalid_id"),
    ("huge-model-id", "attention", {"model": "x" * 500, "text": GOOD}, ERROR, "hard_load_invalid_id"),
    ("empty-model", "attention", {"model": " ", "text": GOOD}, ERROR, "hard_load_invalid_id"),
    ("symlink-outside", "attention", {"model": "evil-link", "text": GOOD}, ERROR, "hard_load_outside_models_dir_plain"),
    (
        "weights-symlink-outside",
        "attention",
        {"model": "weights-link", "text": GOOD},
        ERROR,
        "hard_load_outside_models_dir",
    ),
    ("auto-map-escaped", "attention", {"model": "escaped-auto-map", "text": GOOD}, ERROR, "hard_load_custom_code"),
    ("auto-map-tokenizer", "attention", {"model": "tokenizer-auto-map", "text": GOOD}, ERROR, "hard_load_custom_code"),
    ("pickle-only", "attention", {"model": "pickle-only", "text": GOOD}, ERROR, "hard_load_pickled_weights"),
    ("remote-code", "attention", {"model": "remote-code", "text": GOOD}, ERROR, "hard_load_custom_code"),
    ("layer-negative", "attention", {"text": GOOD, "layer": "-1"}, CHART, "hard_layer_range"),
    ("layer-negative-conv", "convolution", {"text": GOOD, "layer": "-1"}, CHART, "hard_layer_range"),
    ("layer-negative-step", "step_by_step", {"text": GOOD, "layer": "-1"}, CHART, "hard_layer_range"),
    ("layer-negative-compare", "compare", {"text": GOOD, "layer": "-1"}, CHART, "hard_layer_range"),
    ("layer-repeated", "convolution", {"text": GOOD, "layer": ["-1", "2"]}, CHART, "hard_url_repeated"),
    ("query-negative", "step_by_step", {"text": GOOD, "query": "-5"}, CHART, "hard_query_range"),
    ("head-zz-step", "step_by_step", {"text": GOOD, "head": "zz"}, CHART, "hard_url_bad"),
    ("long-text-b", "attention", {"text": GOOD, "text_b": "b " * 6000}, WARN, "hard_text_b_cut"),
    ("layer-huge", "attention", {"text": GOOD, "layer": "999"}, CHART, "hard_layer_range"),
    ("layer-text", "attention", {"text": GOOD, "layer": "abc"}, CHART, "hard_url_bad"),
    ("head-huge", "attention", {"text": GOOD, "head": "99"}, CHART, "hard_head_missing"),
    ("head-conv-on-bert", "attention", {"text": GOOD, "head": "c99"}, CHART, "hard_head_missing"),
    ("head-html", "attention", {"text": GOOD, "head": "<b>x</b>"}, CHART, "hard_url_bad"),
    ("query-huge", "step_by_step", {"text": GOOD, "query": "1000000000"}, CHART, "hard_url_bad"),  # > 9 digits
    ("query-large", "step_by_step", {"text": GOOD, "query": "999"}, CHART, "hard_query_range"),
    ("query-text", "step_by_step", {"text": GOOD, "query": "x"}, CHART, "hard_url_bad"),
    (
        "compare-bad-model",
        "compare",
        {"model_a": "bert-minilm-l6", "model_b": "no-such", "text": GOOD},
        ERROR,
        "hard_load_offline",
    ),
    ("convolution-path", "convolution", {"model": "/etc/passwd", "text": GOOD}, CHART, "conv_default_model"),
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
    # working checkpoints with one planted problem each: without its check, each would load
    good = models_root / "tiny-bert"
    (outside / "model.safetensors").write_bytes((good / "model.safetensors").read_bytes())
    linked = models_root / "weights-link"
    if not linked.exists():
        shutil.copytree(good, linked)
        (linked / "model.safetensors").unlink()
        (linked / "model.safetensors").symlink_to(outside / "model.safetensors")
    for name, file in (("escaped-auto-map", "config.json"), ("tokenizer-auto-map", "tokenizer_config.json")):
        folder = models_root / name
        if not folder.exists():
            shutil.copytree(good, folder)
            data = json.loads((folder / file).read_text())
            data["auto_map"] = {"AutoModel": "evil.Model", "AutoTokenizer": ["evil.Tokenizer", None]}
            (folder / file).write_text(json.dumps(data).replace('"auto_map"', '"\\u0061uto_map"'))
    return models_root


# each hostile folder -> the specific reason it is refused (any other reason means a check is missing)
FOLDER_REASONS = {
    "evil-link": "outside_models_dir",
    "weights-link": "outside_models_dir",
    "pickle-only": "pickled_weights",
    "remote-code": "custom_code",
    "escaped-auto-map": "custom_code",
    "tokenizer-auto-map": "custom_code",
    "../../etc": "outside_models_dir",
    "/etc/passwd": "outside_models_dir",
}


@pytest.mark.parametrize("name", list(FOLDER_REASONS))
def test_hostile_folders_refused_for_their_reason(hostile_models, name):
    import bertviz_core as bc

    with pytest.raises(bc.ModelLoadError) as info:
        bc.load_model(name)
    assert info.value.reason == FOLDER_REASONS[name], (info.value.reason, str(info.value))
    assert str(hostile_models) not in str(info.value) and str(hostile_models) not in info.value.detail


AUTOLINK = re.compile(r"https?://|www\.|[\w.+-]@[\w-]+\.", re.IGNORECASE)


def fragment(key: str, lang: str) -> str:
    """The fixed start of a message (before its first placeholder)."""
    return i18n.TEXT[key][lang].split("{")[0].strip()


# Every case in English; in Chinese the first case of each message (its words are what the language changes):
# the language changes no other path an input takes (a chart case draws the same escaped labels).
FIRST_OF_KEY = {c[4]: c[0] for c in reversed(CASES) if c[4]}
LANG_CASES = [
    pytest.param(*c, lang, id=f"{c[0]}-{lang}")
    for c in CASES
    for lang in ("en", "zh")
    if lang == "en" or FIRST_OF_KEY.get(c[4]) == c[0]
]


@pytest.mark.parametrize("case_id, page, query, outcome, key, lang", LANG_CASES)
def test_hostile_input(hostile_models, case_id, page, query, outcome, key, lang):
    t0 = time.time()
    at = open_page(page, lang=lang, **query)
    assert not at.exception, at.exception
    messages = {
        INFO: [e.value for e in at.info],
        WARN: [e.value for e in at.warning],
        ERROR: [e.value for e in at.error],
    }
    body = "\n".join(str(e.value) for kind in ("info", "warning", "error", "caption", "markdown") for e in at.get(kind))
    if outcome == CHART:
        assert charts(at), f"{case_id}: no chart; messages: {messages}"
        assert not messages[ERROR], messages[ERROR]
    else:
        assert messages[outcome], f"{case_id}: expected a {outcome}; got {messages}"
    if key:
        assert fragment(key, lang) in body, f"{case_id}: message for {key} not shown in {lang}: {body}"
        assert i18n.TEXT["hard_detail_none"][lang] not in body, f"{case_id}: a message reads '(... no details)'"
    for message in messages[ERROR] + messages[WARN]:
        plain = message.replace("\\", "")
        assert not AUTOLINK.search(plain), f"{case_id}: would render as a link: {message}"  # no link from input
        assert str(hostile_models) not in plain and "/tmp/" not in plain, f"{case_id}: server path shown: {message}"
        assert plain.count("x" * 80) <= 1 and plain.count("y" * 80) <= 1, f"{case_id}: long id printed twice"
        assert len(plain) < 1200, f"{case_id}: message too long ({len(plain)})"
    for spec in charts(at):
        dumped = json.dumps([{k: v for k, v in d.items() if k in ("x", "y", "text", "name")} for d in spec["data"]])
        # the figures may use Plotly's own tags (<b>, <sub>) on labels; user-typed HTML never survives
        assert "<script" not in dumped and "<img" not in dumped and "<svg" not in dumped
        assert "<b>bold" not in dumped and "<b>x" not in dumped and "<a href" not in dumped
    assert time.time() - t0 < 60, "took too long"


def test_uploads_binary_malformed_oversized():
    with pytest.raises(ValueError, match="binary"):
        text_input.parse_sentence_upload("a.txt", b"\x89PNG\r\n\x1a\n\x00\x00")
    with pytest.raises(ValueError, match="CoNLL-U"):
        text_input.parse_sentence_upload("a.conllu", b"1\tonly two\n")
    with pytest.raises(ValueError, match="too large"):
        text_input.parse_sentence_upload("a.txt", b"word " * (3 * 2**20))
    with pytest.raises(ValueError, match="No sentences"):
        text_input.parse_sentence_upload("a.txt", b"\n\n   \n")
    assert text_input.parse_sentence_upload("a.txt", "caf\xe9 au lait\n".encode("latin-1")) == ["café au lait"]


def test_upload_zero_width_line_is_skipped_and_reported():
    raw = "First sentence.\n\u200b\n\n\u200b\u200d\ufeff \nSecond sentence.\n".encode("utf-8")
    sentences = text_input.parse_sentence_upload("a.txt", raw)
    assert sentences == ["First sentence.", "Second sentence."]
    assert sentences.invisible == [2, 4] and sentences.blank == 1 and sentences.skipped == 2
    with pytest.raises(ValueError, match="No sentences"):  # nothing visible at all: still refused
        text_input.parse_sentence_upload("a.txt", "\u200b\n\u200c\n".encode("utf-8"))


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32", "utf-8-sig"])
def test_upload_with_byte_order_mark(encoding):
    text = "Le chat est assis.\n我爱自然语言处理。\n"
    raw = text.encode(encoding)
    if encoding == "utf-16-be":
        raw = b"\xfe\xff" + raw  # Python writes no mark for an explicit byte order
    sentences = text_input.parse_sentence_upload("a.txt", raw)
    assert sentences == ["Le chat est assis.", "我爱自然语言处理。"]


def test_upload_over_the_limit_is_reported():
    sentences = text_input.parse_sentence_upload("a.txt", b"one\ntwo\nthree\n", max_sentences=2)
    assert sentences == ["one", "two"] and sentences.over_limit == 1


def test_hub_policy_registry_refuses_other_ids(monkeypatch):
    import bertviz_core as bc

    monkeypatch.setenv("BERTVIZ_HUB_POLICY", "registry")
    with pytest.raises(bc.ModelLoadError, match="only loads listed models") as info:
        bc.load_model("someone/some-model")
    assert info.value.reason == "not_listed"


def test_hub_offline_fails_fast_without_the_offline_flag(monkeypatch):
    import bertviz_core as bc

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setenv("HF_ENDPOINT", "https://hub.invalid")  # never resolves: stands for "no network"
    t0 = time.time()
    with pytest.raises(bc.ModelLoadError, match="offline") as info:
        bc.load_model("bert-base-chinese")
    assert info.value.reason == "offline"
    assert time.time() - t0 < 15
