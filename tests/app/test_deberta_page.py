"""The /deberta page (AppTest): DeBERTa's three score terms of one head on one scale beside its attention, the
attention without each term, the most positional heads, in English and Chinese; a BERT gets a message, bad URL
values the usual notes. The terms themselves: tests/tracing and tests/analysis."""

from __future__ import annotations

import numpy as np
import pytest
from apptest_util import charts, decode, open_page, texts

import bertviz_core as bc
from app.i18n import TEXT
from bertviz_core.analysis import deberta

MODEL = "deberta-minilm-l6"
SENTENCE = "The animal didn't cross the street because it was too tired."


@pytest.fixture(scope="module")
def trace():
    return bc.capture(bc.load_model(MODEL), SENTENCE, terms=True)


def fragment(key: str, lang: str = "en") -> str:
    return TEXT[key][lang].split("{")[0].strip()


def test_the_page_draws_the_terms_of_one_head_and_the_most_positional_heads(trace):
    at = open_page("deberta", model="bert-minilm-l6", text=SENTENCE, layer="1", head="8")
    assert not at.exception
    assert at.session_state["model"] == "bert-minilm-l6"  # the page's own DeBERTa does not change the other pages
    terms_fig, shares_fig, ablations_fig, js_fig, _buckets = charts(at)

    panels = terms_fig["data"]
    assert [p["type"] for p in panels] == ["heatmap"] * 4
    for k in range(3):  # c2c, c2p, p2c of layer 1, head 8, as they enter the softmax
        np.testing.assert_allclose(decode(panels[k]["z"]), trace.deberta_terms[1, 8, k], atol=1e-5)
    np.testing.assert_allclose(decode(panels[3]["z"]), trace.attentions[1, 8], atol=1e-6)
    assert len({p["coloraxis"] for p in panels[:3]}) == 1 and panels[3]["coloraxis"] != panels[0]["coloraxis"]
    scale = terms_fig["layout"][panels[0]["coloraxis"]]
    assert scale["cmin"] == -scale["cmax"] and np.isclose(scale["cmax"], np.abs(trace.deberta_terms[1, 8]).max())
    assert panels[0]["y"][1] == "the<sub>1</sub>" and "[SEP]" in panels[0]["x"]  # tokens as axis labels

    shares = np.stack([decode(p["z"]) for p in shares_fig["data"]], axis=-1)
    np.testing.assert_allclose(shares, deberta.term_shares(trace.deberta_terms), atol=1e-5)

    expected = deberta.positional_heads(trace.deberta_terms)  # computed here, independently of the page's cache
    recomputed = [decode(p["z"]) for p in ablations_fig["data"]]
    np.testing.assert_allclose(recomputed[0], trace.attentions[1, 8], atol=1e-6)
    np.testing.assert_allclose(
        recomputed[1], deberta.attention_from_terms(trace.deberta_terms[1, 8], (True, False, False)), atol=1e-5
    )
    js = deberta.ablation_divergence(trace.deberta_terms)
    np.testing.assert_allclose([decode(p["z"]) for p in js_fig["data"]], [js[n] for n in deberta.ABLATIONS], atol=1e-5)

    table = at.dataframe[0].value
    assert len(table) == 8
    first = table.iloc[0]
    top = expected[0]
    assert (int(first.iloc[0]), first.iloc[1]) == (top.layer, f"H{top.head}")
    np.testing.assert_allclose(
        first.iloc[2:5].astype(float), [top.js_c2c_only, top.js_no_c2p, top.js_no_p2c], atol=1e-6
    )
    assert first.iloc[5] == top.main_term
    assert [(int(r.iloc[0]), r.iloc[1]) for _, r in table.iterrows()] == [(p.layer, f"H{p.head}") for p in expected[:8]]
    page = texts(at)
    assert f"Most positional: **L{top.layer} H{top.head} ({top.main_term})" in page
    assert "share = mean |term|" in page.lower()  # how the shares are computed (analysis.deberta.SHARE_NOTE)
    assert "256 buckets" in page and "±128" in page and "−256..255" in page  # the model's own numbers
    assert {link.proto.label for link in at.get("page_link")} >= {
        TEXT["deb_link_positions"]["en"],
        TEXT["deb_link_convolution"]["en"],
    }


def test_the_page_in_chinese():
    at = open_page("deberta", lang="zh", text=SENTENCE)
    assert not at.exception
    assert "三个组成项" in at.title[0].value
    terms_fig = charts(at)[0]
    titles = [a["text"] for a in terms_fig["layout"]["annotations"]]
    assert titles[0].startswith("c2c") and "内容 → 内容" in titles[0] and titles[3].startswith("注意力")
    assert list(at.dataframe[0].value.columns)[-1] == "主要位置项"
    page = texts(at)
    assert "最依赖位置的头" in page and "占比 = " in page and "相对位置表" in page


def test_a_bert_model_gets_a_message_and_no_figures():
    at = open_page("deberta", text=SENTENCE)
    at.selectbox(key="deberta_model").set_value("bert-minilm-l6").run()
    assert not at.exception
    assert not at.get("plotly_chart")
    (info,) = at.info
    assert fragment("deb_not_deberta") in info.value and "BERT · MiniLM" in info.value


def test_bad_url_values_get_the_usual_notes():
    at = open_page("deberta", text=SENTENCE, layer="99", head="zz")
    assert not at.exception
    body = "\n".join(str(w.value) for w in at.warning)
    assert fragment("hard_url_bad") in body and "head" in body  # head=zz: dropped, said so
    assert fragment("hard_layer_range") in body  # layer=99: the last layer, said so
    assert at.session_state["layer"] == 5 and at.session_state["head"] == "0"
    assert len(charts(at)) == 5


@pytest.fixture(scope="module")
def c2p_only(models_root):
    """A tiny random DeBERTa whose attention adds c2p but not p2c, and no buckets (a local folder)."""
    import torch
    from conftest import tiny_config
    from transformers import AutoModel, AutoTokenizer

    folder = models_root / "tiny-deberta-c2p"
    if not folder.exists():
        config = tiny_config("deberta-v2")
        config.pos_att_type = ["c2p"]
        torch.manual_seed(0)
        AutoModel.from_config(config).save_pretrained(folder)
        AutoTokenizer.from_pretrained(models_root / "tiny-deberta-v2").save_pretrained(folder)
    return folder.name


def test_a_term_the_model_leaves_out_is_zeros_and_says_so(c2p_only):
    at = open_page("deberta", model=c2p_only, text=SENTENCE)
    assert not at.exception
    terms_fig, _shares, ablations_fig, js_fig, buckets_fig = charts(at)
    titles = [a["text"] for a in terms_fig["layout"]["annotations"]]
    assert TEXT["deb_unused"]["en"] in titles[2] and not any(TEXT["deb_unused"]["en"] in t for t in titles[:2])
    assert not decode(terms_fig["data"][2]["z"]).any() and decode(terms_fig["data"][1]["z"]).any()
    real, without_p2c = decode(ablations_fig["data"][0]["z"]), decode(ablations_fig["data"][3]["z"])
    np.testing.assert_allclose(without_p2c, real, atol=1e-6)  # taking out a term the model never adds changes nothing
    np.testing.assert_allclose(decode(js_fig["data"][2]["z"]), 0, atol=1e-9)
    assert len(buckets_fig["data"]) == 2  # no buckets: distances past the 64-row table read its last row
    assert "no buckets" in texts(at) and "rows −64..63" in texts(at)
    assert at.query_params["model"] == c2p_only  # the user's own DeBERTa stays in the link


def test_the_page_states_the_bundled_students_held_out_cosine_with_its_interval():
    import json

    from apptest_util import open_page, texts

    from bertviz_core.models.registry import WEIGHTS_DIR

    measured = json.loads((WEIGHTS_DIR / "deberta-minilm-l6" / "quality.json").read_text())
    assert measured["heldout_cosine"] >= 0.95 and measured["sentences"] == 2077  # the target, EWT test
    at = open_page("deberta", model="deberta-minilm-l6", text="The cat sat on the mat.")
    low, high = measured["ci95"]
    assert f"{measured['heldout_cosine']:.4f}** (95% interval {low:.4f}-{high:.4f})" in texts(at)
