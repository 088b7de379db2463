"""The /tokenizers page (AppTest): each tokenizer on this server cuts the sentence as its own `tokenize` does; the
bundled one is always there; hub models not on the server are listed with their reason, never as an error; a model
prepared in the models folder shows up beside the bundled one. The splitting itself: tests/models/test_tokenizers.py."""

from __future__ import annotations

import pytest
from apptest_util import open_page, texts
from conftest import tiny_config

from app.i18n import TEXT
from app.state import md_escape
from bertviz_core.models import student

SENTENCE = "The patient took acetaminophen for her Kopfschmerzen."
BUNDLED = {"en": "BERT · MiniLM-L6 (bundled)", "zh": "BERT · MiniLM-L6（内置）"}
BIOBERT = "biobert-base-cased-v1.2"


@pytest.fixture(scope="module")
def bundled():
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(student.teacher_path())


def summary_rows(at, lang: str = "en") -> dict[str, dict]:
    """The side-by-side table: tokenizer name -> its row, by the page's own column names."""
    table = at.dataframe[0].value
    return {row[TEXT["tok_col_tokenizer"][lang]]: row for _, row in table.iterrows()}


def assert_bundled_row(row, tokenizer, text: str, lang: str = "en") -> None:
    pieces = tokenizer.tokenize(text)
    assert row[TEXT["tok_col_all"][lang]] == " ".join(pieces)
    assert row[TEXT["tok_col_pieces"][lang]] == len(pieces)
    assert row[TEXT["tok_col_unk"][lang]] == pieces.count("[UNK]")
    assert row[TEXT["tok_col_vocab"][lang]] == 30522


@pytest.fixture
def no_models_folder(tmp_path, monkeypatch):
    """A server whose models folder is empty (the suite's tiny checkpoints would otherwise be listed too)."""
    from app import state

    monkeypatch.setenv("BERTVIZ_MODELS_DIR", str(tmp_path))
    state.caches.tokenizers.clear()
    yield
    state.caches.tokenizers.clear()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_new_session_shows_the_example_split_by_the_bundled_tokenizer(bundled, lang, no_models_folder):
    at = open_page("tokenizers", **({"lang": lang} if lang == "zh" else {}))
    assert not at.exception
    text = TEXT["tok_default_text"][lang]
    assert at.session_state["text"] == text  # the page's own example: a biomedical term and other languages
    rows = summary_rows(at, lang)
    assert list(rows) == [BUNDLED[lang]]  # the bundled tokenizer, alone on this server
    assert_bundled_row(rows[BUNDLED[lang]], bundled, text, lang)
    shown = texts(at)
    assert "acetaminophen" in shown and "ace \\#\\#tam \\#\\#ino \\#\\#ph \\#\\#en" in shown  # the teacher's sentence
    why = TEXT["tok_why_not_downloaded"][lang]
    missing = next(m.value for m in at.markdown if why in m.value)  # listed with the reason, not an error
    for label in ("mlabel_bert-base-multilingual-cased", "mlabel_bert-base-chinese", f"mlabel_{BIOBERT}"):
        assert md_escape(TEXT[label][lang]) in missing
    assert not at.error and not at.exception
    assert len(at.dataframe) == 1  # one tokenizer here: no word-by-word table
    assert TEXT["tok_why_title"][lang] in [e.label for e in at.expander]


def test_the_sentence_comes_from_the_link_and_stays_in_it(bundled):
    at = open_page("tokenizers", text=SENTENCE)
    assert not at.exception
    assert_bundled_row(summary_rows(at)[BUNDLED["en"]], bundled, SENTENCE)
    assert at.query_params["text"] == SENTENCE
    info = at.info[0].value
    assert "“acetaminophen”" in info and "cuts it into 5 pieces" in info


def test_the_example_button_and_an_empty_sentence():
    at = open_page("tokenizers", text="Hi.")
    at.button[0].click().run()  # "Example sentence"
    assert at.session_state["text"] == TEXT["tok_default_text"]["en"]
    at.text_input(key="text").set_value("   ").run()
    assert not at.exception and TEXT["tok_empty"]["en"] in [e.value for e in at.info]


@pytest.fixture
def prepared(tmp_path, monkeypatch):
    """A models folder where BioBERT was fetched (a tiny BERT with a cased vocabulary that holds "acetaminophen"
    stands in for it), and a BERT-Chinese folder with pickled weights only, which the folder rules refuse."""
    from transformers import AutoModel, BertTokenizer

    vocab = [line for line in (student.teacher_path() / "vocab.txt").read_text().splitlines() if line]
    vocab += ["The", "acetaminophen", "Kopf", "##schmerzen"]
    tokenizer = BertTokenizer(vocab={piece: i for i, piece in enumerate(vocab)}, do_lower_case=False)
    folder = tmp_path / BIOBERT
    AutoModel.from_config(tiny_config("bert")).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    refused = tmp_path / "bert-base-chinese"
    tiny_config("bert").save_pretrained(refused)
    (refused / "pytorch_model.bin").write_bytes(b"not unpickled")
    monkeypatch.setenv("BERTVIZ_MODELS_DIR", str(tmp_path))
    return tokenizer


def test_a_tokenizer_in_the_models_folder_is_shown_beside_the_bundled_one(bundled, prepared):
    at = open_page("tokenizers", text=SENTENCE)
    assert not at.exception
    rows = summary_rows(at)
    biobert = TEXT[f"mlabel_{BIOBERT}"]["en"]
    assert list(rows)[:2] == [BUNDLED["en"], biobert]
    assert_bundled_row(rows[BUNDLED["en"]], bundled, SENTENCE)
    assert rows[biobert][TEXT["tok_col_all"]["en"]] == " ".join(prepared.tokenize(SENTENCE))
    assert rows[biobert][TEXT["tok_col_pieces"]["en"]] == 9  # 8 words, Kopfschmerzen in two pieces
    info = at.info[0].value
    assert f"“acetaminophen”: {md_escape(biobert)} keeps it whole; {md_escape(BUNDLED['en'])} cuts it into 5" in info

    words = at.dataframe[1].value  # word by word: one column per tokenizer
    assert list(words.columns) == [TEXT["tok_col_word"]["en"], BUNDLED["en"], biobert]
    acetaminophen = words[words[TEXT["tok_col_word"]["en"]] == "acetaminophen"].iloc[0]
    assert acetaminophen[BUNDLED["en"]] == "ace ##tam ##ino ##ph ##en" and acetaminophen[biobert] == "acetaminophen"

    shown = texts(at)  # the refused folder is listed with its reason, never raised
    assert f"{md_escape(TEXT['mlabel_bert-base-chinese']['en'])}" in shown
    assert TEXT["tok_why_refused"]["en"].format(reason=md_escape("pickled_weights")) in shown
