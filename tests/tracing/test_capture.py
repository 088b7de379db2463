"""Capture core: hooked values equal the model's own outputs, for every family."""

from __future__ import annotations

import subprocess
import sys
import threading

import numpy as np
import pytest
import torch
from conftest import FAMILIES, ROOT

import bertviz_core as bc

SENTENCE = "The quick brown fox jumps over the lazy dog."


def model_outputs(lm, text, text_b=None):
    enc = lm.tokenizer(text, text_b, return_tensors="pt") if text_b else lm.tokenizer(text, return_tensors="pt")
    with torch.no_grad():
        return lm.model(**enc, output_attentions=True, output_hidden_states=True)


def hook_snapshot(model):
    """Every hook on every module (transformers installs a few of its own, permanently)."""
    return {name: (tuple(m._forward_hooks), tuple(m._forward_pre_hooks)) for name, m in model.named_modules()}


def assert_no_hooks(model, before):
    assert hook_snapshot(model) == before, "capture left hooks behind"


def test_bundled_bert_attentions_equal_output_attentions(bert):
    before = hook_snapshot(bert.model)
    trace = bc.capture(bert, SENTENCE)
    out = model_outputs(bert, SENTENCE)
    expected = torch.stack([a[0] for a in out.attentions]).numpy()
    assert trace.attentions.shape == (6, 12, len(trace.tokens), len(trace.tokens))
    assert trace.attentions.dtype == np.float32
    np.testing.assert_array_equal(trace.attentions, expected)
    np.testing.assert_allclose(trace.attentions.sum(-1), 1.0, atol=1e-5)
    np.testing.assert_array_equal(trace.hidden_states, torch.stack([h[0] for h in out.hidden_states]).numpy())
    assert trace.tokens[0] == "[CLS]" and trace.tokens[-1] == "[SEP]" and "fox" in trace.tokens
    assert trace.conv_kernels is None
    assert_no_hooks(bert.model, before)


def test_position_embeddings_are_the_rows_added(bert):
    trace = bc.capture(bert, SENTENCE)
    weight = bert.model.embeddings.position_embeddings.weight.detach().numpy()
    np.testing.assert_array_equal(trace.position_embeddings, weight[: len(trace)])


def test_sentence_pair_boundary(bert):
    trace = bc.capture(bert, "The cat sat.", "It purred.")
    assert trace.tokens[trace.b_start - 1] == "[SEP]" and trace.tokens[trace.b_start] == "it"
    # segment B uses token type 1
    tt = bert.model.embeddings.token_type_embeddings.weight.detach().numpy()
    np.testing.assert_array_equal(trace.token_type_embeddings[trace.b_start], tt[1])
    np.testing.assert_array_equal(trace.token_type_embeddings[0], tt[0])
    out = model_outputs(bert, "The cat sat.", "It purred.")
    np.testing.assert_array_equal(trace.attentions[3], out.attentions[3][0].numpy())


@pytest.mark.parametrize("family", FAMILIES)
def test_every_family_on_a_tiny_local_checkpoint(models_root, family):
    lm = bc.load_model(f"tiny-{family}")
    assert lm.family == family
    before = hook_snapshot(lm.model)
    trace = bc.capture(lm, SENTENCE, "A second sentence.")
    out = model_outputs(lm, SENTENCE, "A second sentence.")
    T = len(trace.tokens)
    n_layers = len(out.attentions)
    heads = out.attentions[0].shape[1]  # from shapes, not configs
    assert trace.attentions.shape == (n_layers, heads, T, T)
    np.testing.assert_allclose(trace.attentions, torch.stack([a[0] for a in out.attentions]).numpy(), atol=1e-6)
    np.testing.assert_allclose(trace.attentions.sum(-1), 1.0, atol=1e-5)
    assert trace.hidden_states.shape == (n_layers + 1, T, out.last_hidden_state.shape[-1])
    if family == "deberta-v2":
        assert trace.position_embeddings is None  # relative positions only
    else:
        assert trace.position_embeddings.shape[0] == T
    if family == "convbert":
        assert heads == 2  # head_ratio 2 halves the attention heads
        assert trace.conv_kernels.shape == (n_layers, 2, T, 9)
        np.testing.assert_allclose(trace.conv_kernels.sum(-1), 1.0, atol=1e-5)
    else:
        assert trace.conv_kernels is None
    assert_no_hooks(lm.model, before)


def test_hooks_removed_when_forward_raises(bert, monkeypatch):
    layer = bert.model.encoder.layer[2]
    before = hook_snapshot(bert.model)

    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(layer, "forward", boom)
    with pytest.raises(RuntimeError, match="boom"):
        bc.capture(bert, SENTENCE)
    monkeypatch.undo()
    assert_no_hooks(bert.model, before)
    assert not bert.lock.locked()
    assert bc.capture(bert, SENTENCE).attentions.shape[0] == 6


def run_threads(target, args_list):
    """Start one thread per args tuple together; return every exception a worker raised."""
    failures = []
    barrier = threading.Barrier(len(args_list))

    def guarded(*args):
        try:
            barrier.wait(timeout=30)
            target(*args)
        except BaseException as exc:  # noqa: BLE001 - every worker's failure is returned to the caller
            failures.append(exc)

    threads = [threading.Thread(target=guarded, args=args) for args in args_list]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=120)
    assert not any(th.is_alive() for th in threads), "a worker hung"
    return failures


def test_concurrent_captures_never_mix(bert):
    sentences = [
        f"Sentence number {i} talks about {w}."
        for i, w in enumerate(
            ["cats", "quantum physics and the structure of very small things", "the weather today", "a red balloon"]
        )
    ]
    expected = {s: bc.capture(bert, s) for s in sentences}
    mixed = []

    def worker(s):
        for _ in range(5):
            t = bc.capture(bert, s)
            if t.tokens != expected[s].tokens or not np.array_equal(t.attentions, expected[s].attentions):
                mixed.append(s)

    failures = run_threads(worker, [(s,) for s in sentences])
    assert failures == [] and mixed == []


def test_thread_failures_fail_the_test(pytester):
    """An exception in a worker thread is an error, not a warning (pytest.ini filterwarnings)."""
    pytester.makeini((ROOT / "pytest.ini").read_text().replace("testpaths = tests\n", ""))
    pytester.makepyfile(
        "import threading\ndef test_x():\n    th = threading.Thread(target=lambda: 1 / 0)\n    th.start(); th.join()\n"
    )
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    assert result.ret != 0
    result.stdout.fnmatch_lines(["*ZeroDivisionError*"])


def test_empty_sentence_is_refused(bert):
    with pytest.raises(ValueError, match="empty"):
        bc.capture(bert, "   ")


def test_long_input_is_truncated_with_count(bert):
    trace = bc.capture(bert, "word " * 600)
    assert len(trace.tokens) == 512
    assert trace.dropped_tokens == 602 - 512


def test_trace_arrays_are_read_only(bert):
    trace = bc.capture(bert, SENTENCE)
    with pytest.raises(ValueError):
        trace.attentions[0, 0, 0, 0] = 1.0


def test_core_never_imports_streamlit():
    code = (
        "import sys, bertviz_core, bertviz_core.figures, bertviz_core.analysis.metrics, bertviz_core.training.distill;"
        "bad=[m for m in sys.modules if m.split('.')[0]=='streamlit']; assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
    for path in (ROOT / "bertviz_core").rglob("*.py"):
        assert "import streamlit" not in path.read_text(), path


def test_registry_entries_work_as_labelled():
    """Bundled entries really load offline (HF_HUB_OFFLINE=1 in tests) as the family they claim;
    every hub entry's family is one capture can hook and /positions can describe."""
    from bertviz_core.models import families

    models = bc.available_models()
    ids = [m.id for m in models]
    assert len(set(ids)) == len(ids)
    assert {"bert-minilm-l6", "convbert-minilm-l6", "bert-base-uncased", "conv-bert-base"} <= set(ids)
    bundled = [m for m in models if m.source == "bundled"]
    assert ids[: len(bundled)] == [m.id for m in bundled]  # bundled first in the pickers
    for m in bundled:
        lm = bc.load_model(m.id)
        assert lm.model.config.model_type == m.family, m.id
    for m in models:
        assert families.family_spec(m.family).position_description, m.id  # capture can hook it, /positions describe it
        assert (m.source == "hub") == bool(m.location), m.id  # hub entries name where to fetch from


def test_conv_matrices_place_each_kernel_on_its_band(models_root, bert):
    """Row i of a conv head's banded matrix holds kernel i at columns i-4..i+4 (cut at the ends)."""
    trace = bc.capture(bc.load_model("tiny-convbert"), SENTENCE)
    T, K = len(trace), trace.conv_kernels.shape[-1]
    every = trace.conv_matrices()
    assert every.shape == (trace.n_layers, trace.n_conv_heads, T, T)
    assert every.dtype == np.float32  # as compact as the kernels (figures and caches hold these)
    expected = np.zeros_like(every)
    for l in range(trace.n_layers):
        for c in range(trace.n_conv_heads):
            for i in range(T):
                for k in range(K):
                    j = i + k - K // 2
                    if 0 <= j < T:
                        expected[l, c, i, j] = trace.conv_kernels[l, c, i, k]
    np.testing.assert_array_equal(every, expected)
    np.testing.assert_array_equal(trace.conv_matrices(1), expected[1])
    with pytest.raises(ValueError, match="bert-minilm-l6 has no convolution heads"):
        bc.capture(bert, SENTENCE).conv_matrices()


# ---------------------------------------------------------------- the Trace's bookkeeping fields, by hand
# tokens, ids, special mask, character offsets, second-sentence start: from the tokenizer's vocabulary, with
# separators typed by the user and long inputs (single and pair) cut to the model's limit
def test_trace_fields_of_a_sentence_pair_by_hand(bert):
    t = bc.capture(bert, "Hi there", "Good dogs.")
    assert (t.model_id, t.family, t.text, t.text_b) == ("bert-minilm-l6", "bert", "Hi there", "Good dogs.")
    assert t.tokens == ["[CLS]", "hi", "there", "[SEP]", "good", "dogs", ".", "[SEP]"]
    assert t.token_ids == bert.tokenizer.convert_tokens_to_ids(t.tokens)
    assert t.special == (True, False, False, True, False, False, False, True)
    # (sentence, start, end) in each sentence's own text; special tokens (-1, 0, 0)
    assert t.offsets == ((-1, 0, 0), (0, 0, 2), (0, 3, 8), (-1, 0, 0), (1, 0, 4), (1, 5, 9), (1, 9, 10), (-1, 0, 0))
    assert (t.b_start, t.dropped_tokens) == (4, 0)


def test_single_sentence_has_no_second_part(bert):
    t = bc.capture(bert, "Hi there", "   ")  # a blank second sentence is no second sentence
    assert (t.text_b, t.b_start, t.dropped_tokens) == (None, None, 0)
    assert t.tokens == ["[CLS]", "hi", "there", "[SEP]"] and t.special == (True, False, False, True)
    with pytest.raises(ValueError) as info:
        bc.capture(bert, "  ")
    assert str(info.value) == "The sentence is empty."


def test_separators_typed_by_the_user_are_text(bert):
    t = bc.capture(bert, "a [SEP] b [CLS]")
    assert t.tokens == ["[CLS]", "a", "[", "sep", "]", "b", "[", "cl", "##s", "]", "[SEP]"]
    assert sum(t.special) == 2


def test_long_inputs_are_cut_to_the_model_limit(models_root):
    lm = bc.load_model("tiny-bert")  # 64 positions
    assert lm.max_tokens == 64
    words = "word " * 100  # "word" is one token: 100 + [CLS] + [SEP]
    t = bc.capture(lm, words)
    assert (len(t), t.dropped_tokens) == (64, 102 - 64)
    assert t.tokens[0] == "[CLS]" and t.tokens[-1] == "[SEP]" and t.tokens[1:-1] == ["word"] * 62
    # a pair: the longer sentence loses tokens first (longest_first), the short one is kept whole
    p = bc.capture(lm, words, "short one")
    assert (len(p), p.dropped_tokens) == (64, 105 - 64)
    assert p.tokens[p.b_start :] == ["short", "one", "[SEP]"] and p.b_start == 61
