"""The /pretraining page (AppTest): fill-mask bars and where the mask looks, a candidate put into the sentence,
next-sentence prediction on a pair, ELECTRA's per-token "replaced" probability (with a tiny random discriminator in
the models folder, and a clear note when none is installed), ERNIE's masking strategies and their recovery, in
English and Chinese; bad input gets messages, never a traceback. Also /attention's "is B the next sentence?".
The library parts are tested in tests/analysis (fill_mask, next_sentence, electra, masking)."""

from __future__ import annotations

import numpy as np
import pytest
from apptest_util import charts, decode, open_page, texts

import bertviz_core as bc
from app import electra_view
from app.i18n import TEXT
from bertviz_core.analysis import masking, pos_probe
from bertviz_core.analysis.pos_probe import split_words

CAT = "The cat sat on the [MASK]."
SENTENCE = "The animal didn't cross the street because it was too tired."
NEXT = "It had walked all day."


def fragment(key: str, lang: str = "en") -> str:
    return TEXT[key][lang].split("{")[0].strip()


@pytest.fixture(scope="module")
def mlm():
    return bc.load_model("bert-minilm-l6-mlm")


@pytest.fixture(scope="module")
def discriminator_id(models_root):
    """A random ElectraForPreTraining student of the bundled BERT's shape (encoder copied from BERT, head random),
    stored compactly in the models folder like the real electra-minilm-l6 will be."""
    import torch

    from bertviz_core.models import student

    torch.manual_seed(0)
    model = student.new_student(kind="electra")
    student.init_from_teacher(model, student.teacher_state(), kind="electra")
    student.save_student(model, models_root / "tiny-electra-rtd", kind="electra")
    return "tiny-electra-rtd"


def by_title(at, start: str) -> dict:
    return next(c for c in charts(at) if ((c["layout"].get("title") or {}).get("text") or "").startswith(start))


def test_fill_mask_bars_are_the_models_guesses_and_the_map_is_where_the_mask_looks(mlm):
    import torch

    at = open_page("pretraining", model="bert-minilm-l6", mask_text=CAT)
    assert not at.exception
    assert at.session_state["model"] == "bert-minilm-l6"  # the page's own guesser does not change the other pages
    bars = charts(at)[0]["data"]
    expected = bc.fill_mask(mlm, CAT, top_k=10)[0].candidates
    assert list(bars[0]["y"]) == [w for w, _ in expected]
    np.testing.assert_allclose(decode(bars[0]["x"]), [100 * p for _, p in expected], rtol=1e-5)
    assert expected[0][0] in {"bottom", "floor", "box", "ground", "table", "bed", "mat"}  # a plausible noun first

    ids = mlm.tokenizer("The cat sat on the")["input_ids"][:-1] + [mlm.tokenizer.mask_token_id]
    ids += mlm.tokenizer(".", add_special_tokens=False)["input_ids"] + [mlm.tokenizer.sep_token_id]
    with torch.no_grad():
        out = mlm.model(input_ids=torch.tensor([ids]), output_attentions=True)
    oracle = np.stack([a[0, :, 6, :].mean(0).numpy() for a in out.attentions])  # [layers, T] from the mask
    heat = by_title(at, "Where [MASK] 1 looks")["data"][0]
    np.testing.assert_allclose(decode(heat["z"]), oracle, atol=1e-5)
    assert list(heat["y"]) == [f"L{i}" for i in range(6)] and "[MASK]" in heat["x"]
    assert "Guesses and attention: BERT · MiniLM-L6, retrained" in texts(at).replace("\\", "")


def test_the_rows_can_be_the_heads_of_one_layer(mlm):
    at = open_page("pretraining", mask_text=CAT)
    at.selectbox(key="pre_att_layer").set_value(3).run()
    heat = by_title(at, "Where [MASK] 1 looks")["data"][0]
    rows = bc.analysis.fill_mask.mask_attention(mlm, CAT).rows[3, :, 0, :]
    assert list(heat["y"]) == [f"H{h}" for h in range(12)]
    np.testing.assert_allclose(decode(heat["z"]), rows, atol=1e-6)


def test_clicking_a_candidate_puts_it_into_the_sentence(mlm):
    at = open_page("pretraining", mask_text="The [MASK] sat on the [MASK].")
    best_second = bc.fill_mask(mlm, "The [MASK] sat on the [MASK].")[1].candidates[0][0]
    at.button(key="put_1_0").click().run()
    assert at.session_state["mask_text"] == f"The [MASK] sat on the {best_second}."
    assert len(charts(at)[0]["data"]) == 1  # one mask left, one panel
    assert at.query_params["mask_text"] == f"The [MASK] sat on the {best_second}."


@pytest.mark.parametrize(
    "mask_text, message",
    [
        ("The cat sat on the mat.", "The sentence has no [MASK]"),
        (" ".join(["[MASK]"] * 20), "20 masks is too many: the model guesses at most 8 at once."),
    ],
)
def test_bad_fill_mask_input_gets_a_clear_message(mask_text, message):
    at = open_page("pretraining", mask_text=mask_text)
    assert not at.exception
    assert message in next(w.value for w in at.warning)
    assert "Put a guess" not in texts(at)  # no buttons for guesses that do not exist


def test_next_sentence_on_a_pair_and_without_b():
    at = open_page("pretraining", text=SENTENCE, text_b=NEXT)
    expected = bc.next_sentence(bc.load_model("bert-minilm-l6"), SENTENCE, NEXT).probability
    assert at.metric[0].value == f"{expected:.0%}"
    assert "trained here on" in texts(at)  # where the head comes from, with its held-out accuracy
    at = open_page("pretraining", text=SENTENCE)
    assert not at.metric and TEXT["pre_nsp_need_b"]["en"] in texts(at)


def test_typed_text_is_never_markdown_or_html():
    hostile = "<img src=x onerror=alert(1)> **bold** [link](http://evil.example) [MASK]"
    at = open_page("pretraining", mask_text=hostile, text=hostile)
    assert not at.exception
    rendered = [str(e.value) for kind in ("markdown", "caption", "info", "warning") for e in at.get(kind)]
    assert not any("<img" in r or "](http" in r for r in rendered)
    assert all("<img" not in str(c["data"]) for c in charts(at))  # labels escaped by the figures


def test_electra_says_it_is_not_installed_when_its_id_is_missing(monkeypatch):
    monkeypatch.setattr(electra_view, "ELECTRA_MODEL", "no-such-electra")
    at = open_page("pretraining", text=SENTENCE)
    assert not at.exception
    info = " ".join(i.value for i in at.info)
    assert "The ELECTRA discriminator (no-such-electra) is not installed on this server" in info
    assert not any(c["data"][0].get("name") == "replaced" for c in charts(at))


def test_electra_scores_a_word_the_user_replaced(monkeypatch, discriminator_id, mlm):
    monkeypatch.setattr(electra_view, "ELECTRA_MODEL", discriminator_id)
    at = open_page("pretraining", text=SENTENCE)
    at.radio(key="pre_el_mode").set_value("manual").run()
    at.selectbox(key="pre_el_word").set_value(5).run()  # "street"
    at.text_input(key="pre_el_new").set_value("banana").run()
    assert not at.exception
    words = split_words(SENTENCE)
    words[5] = "banana"
    expected = bc.replaced_token_scores(bc.load_model(discriminator_id), " ".join(words))
    fig = by_title(at, "tiny-electra-rtd: was this token replaced?")
    original, replaced = fig["data"]
    shown = [r if r is not None else o for o, r in zip(original["y"], replaced["y"])]
    np.testing.assert_allclose(np.asarray(shown, dtype=float), 100 * np.asarray(expected.probs), rtol=1e-4)
    assert [x for x, y in zip(replaced["x"], replaced["y"]) if y is not None] == ["banana"]
    table = at.dataframe[0].value
    row = table.iloc[0]
    assert (row["original"], row["now"], row["replaced?"]) == ("street", "banana", "yes")
    best = bc.fill_mask(mlm, " ".join(split_words(SENTENCE)[:5] + ["[MASK]"] + split_words(SENTENCE)[6:]))[0]
    assert row["masked-word model's guesses here"].startswith(best.candidates[0][0])


def test_electra_generator_replaces_about_15_percent_of_the_words_and_draws_again(monkeypatch, discriminator_id):
    monkeypatch.setattr(electra_view, "ELECTRA_MODEL", discriminator_id)
    at = open_page("pretraining", text=SENTENCE)
    words = split_words(SENTENCE)
    chosen = electra_view.generator_choice(words, 0)
    assert len(chosen) == 2  # 15% of the 11 words (the "." is not one), rounded
    assert list(at.dataframe[0].value["word #"]) == chosen
    at.button(key="pre_el_again").click().run()
    assert at.session_state["pre_el_seed"] == 1
    assert list(at.dataframe[0].value["word #"]) == electra_view.generator_choice(words, 1)
    table = at.dataframe[0].value
    for _, row in table.iterrows():  # a replacement differs from the original, or it counts as original
        assert (row["replaced?"] == "yes") == (row["now"].lower() != row["original"].lower())


def test_the_masking_strategies_and_their_recovery():
    at = open_page("pretraining", text="The old man visited New York City last week.")
    bert = bc.load_model(pos_probe.MODEL_ID)
    km = masking.mask_text(bert.tokenizer, at.session_state["text"], pos_probe.tagger(bert.model, bert.tokenizer))
    grid = next(c for c in charts(at) if c["data"][0]["type"] == "heatmap" and "Token (BERT)" in c["data"][0]["y"])
    z = decode(grid["data"][0]["z"])
    for row, (name, strategy) in zip(z, km.strategies().items()):
        hidden = [p for p in km.content if p in strategy.hidden]
        assert [k for k, p in enumerate(km.content) if row[k] > 0] == [km.content.index(p) for p in hidden], name
    assert km.entity.chosen and km.phrase.chosen  # "New York City" is an entity, "The old man" a phrase
    recovery = by_title(at, "How often bert-minilm-l6-mlm gets the hidden span back")
    quality = masking.read_quality()
    exact = [100 * quality["strategies"][s]["exact"]["rate"] for s in masking.STRATEGIES]
    np.testing.assert_allclose(decode(recovery["data"][0]["y"]), exact)


def test_the_page_in_chinese():
    at = open_page("pretraining", lang="zh", mask_text=CAT, text=SENTENCE)
    assert not at.exception
    assert at.title[0].value == TEXT["pre_title"]["zh"]
    headers = [s.value for s in at.subheader]
    assert headers[:4] == [TEXT[k]["zh"] for k in ("pre_fm_title", "pre_nsp_title", "pre_el_title", "pre_mk_title")]
    assert fragment("pre_mk_recovery_note", "zh") in texts(at)


def test_a_users_model_with_its_own_head_guesses(mlm_folder):
    at = open_page("pretraining", model="tiny-bert-mlm", mask_text=CAT)
    assert not at.exception
    assert at.session_state["model"] == "tiny-bert-mlm"
    assert "Guesses and attention: tiny" in texts(at).replace("\\", "")
    assert at.query_params["model"] == "tiny-bert-mlm"


def test_attention_pair_mode_asks_whether_b_follows_a():
    at = open_page("attention", model="bert-minilm-l6", text=SENTENCE, text_b=NEXT)
    expected = bc.next_sentence(bc.load_model("bert-minilm-l6"), SENTENCE, NEXT).probability
    assert at.metric[0].label == "Is B the next sentence?" and at.metric[0].value == f"{expected:.0%}"
    at = open_page("attention", model="convbert-minilm-l6", text=SENTENCE, text_b=NEXT)
    assert not at.metric and fragment("pre_nsp_no_head") in texts(at)
    at = open_page("attention", model="bert-minilm-l6", text=SENTENCE)
    assert not at.metric and "next-sentence" not in texts(at).lower()
