"""The /intervene page: ablating heads and the fill-mask note (AppTest), masking with a local masked-LM
checkpoint (conftest's mlm_folder), and one Chromium check of ablation (e2e: it uses the app server).
The interventions themselves: tests/analysis/test_interventions.py."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from apptest_util import charts, decode, open_page, texts


def test_intervene_page_ablation_and_fill_mask_note():
    at = open_page("intervene", model="bert-minilm-l6", text="The cat sat on the mat.")
    assert not at.exception
    assert "no masked-language-model head" in texts(at)
    (heads,) = at.multiselect
    heads.set_value(["L0 H3", "L1 H2"]).run()
    assert not at.exception
    cosine = float(at.metric[0].value)
    assert 0.9 < cosine < 1.0
    (spec,) = charts(at)
    js = decode(spec["data"][0]["z"])
    assert (
        js.shape == (6, 12) and js[0].max() < 1e-9 and js[2:].max() > 1e-4
    )  # layer 0 is upstream of the gates (float noise only)


def test_intervene_page_masking_with_a_local_mlm(mlm_folder):
    at = open_page("intervene", model="tiny-bert-mlm", text="The cat sat on the mat.")
    assert not at.exception
    at.button_group[0].set_value([3]).run()
    assert not at.exception
    tables = at.dataframe
    assert len(tables) == 1 and len(tables[0].value) == 5
    assert "Token 3" in texts(at)


CHROMIUM = Path("/usr/bin/chromium")


@pytest.mark.skipif(not CHROMIUM.exists() and not shutil.which("chromium"), reason="Chromium not installed")
def test_ablation_in_chromium(app_server):
    from browser_util import browser, wait_for_plot

    with browser() as b:
        page = b.new_page(viewport={"width": 1400, "height": 1200})
        page.goto(f"{app_server}/intervene?model=bert-minilm-l6&text=The%20cat%20sat%20on%20the%20mat.")
        page.get_by_text("Heads to ablate (switch off)", exact=True).wait_for(
            timeout=240_000
        )  # generous: a shared 2-core machine
        page.locator("[data-testid=stMultiSelect] input").first.click()
        page.keyboard.type("L0 H3")
        page.keyboard.press("Enter")
        page.keyboard.press("Escape")
        wait_for_plot(page, timeout=240_000)
        z = page.evaluate("document.querySelector('.js-plotly-plot')._fullData[0].z")
        assert len(z) == 6 and max(z[0]) == 0 and max(max(row) for row in z[1:]) > 0
        page.get_by_text("Sentence embedding, cosine to the original").wait_for()
        assert "Traceback" not in page.inner_text("body")
