"""Real browser: streamlit run on 127.0.0.1, driven by Playwright in Debian's Chromium."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from browser_util import CHROMIUM, browser, heatmap_labels, screenshot, wait_for_plot

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
pytestmark = pytest.mark.skipif(
    not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists(), reason="Chromium not installed"
)


@pytest.fixture(scope="module")
def server(app_server):
    return app_server


def test_attention_in_chromium(server):
    ARTIFACTS.mkdir(exist_ok=True)
    with browser() as b:
        page = b.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{server}/attention?model=bert-minilm-l6&text=The%20cat%20sat.")
        wait_for_plot(page)
        labels = heatmap_labels(page)
        assert labels["x"] == ["[CLS]", "the", "cat", "sat", ".", "[SEP]"]
        assert labels["y"] == labels["x"]
        screenshot(page, ARTIFACTS / "attention.png")

        box = page.get_by_label("Sentence", exact=True)
        box.fill("Dogs bark loudly at night")
        box.press("Enter")
        page.wait_for_function(
            "() => { const el = document.querySelector(\"[data-testid='bv-heatmap-root']\");"
            " return el && JSON.parse(el.dataset.xLabels).includes('dogs'); }",
            timeout=60_000,
        )
        labels = heatmap_labels(page)
        assert labels["x"] == ["[CLS]", "dogs", "bark", "loudly", "at", "night", "[SEP]"]
        assert page.locator("[data-testid='bv-heatmap']").count() == 1  # replaced, not drawn beside the old one
        screenshot(page, ARTIFACTS / "attention_after_typing.png")

        # the link to this view (behind a button) names the typed sentence, and a student opening it sees that view
        page.get_by_role("button", name="Link to this view").click()
        link = page.locator('[data-testid="stPopoverBody"] [data-testid="stCode"]').inner_text().strip()
        assert link.startswith(f"{server}/attention?") and "text=Dogs+bark+loudly+at+night" in link, link
        student = b.new_page(viewport={"width": 1400, "height": 1000})
        student.goto(link)
        wait_for_plot(student)
        assert heatmap_labels(student)["x"] == ["[CLS]", "dogs", "bark", "loudly", "at", "night", "[SEP]"]


def test_model_view_in_chromium(server):
    with browser() as b:
        page = b.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{server}/model-view?model=bert-minilm-l6&text=The%20cat%20sat%20on%20the%20mat.")
        wait_for_plot(page)
        grid = page.evaluate(
            "() => { const el = document.querySelector(\"[data-testid='bv-heatmap-root']\");"
            " return {panels: +el.dataset.panels, grid: JSON.parse(el.dataset.grid),"
            " titles: JSON.parse(el.dataset.panelTitles)}; }"
        )
        assert grid["panels"] == 72 and grid["grid"] == [6, 12]  # every layer x head, one canvas
        assert grid["titles"][13] == "Layer 1 · Head 1"
        screenshot(page, ARTIFACTS / "model_view.png")


@pytest.mark.parametrize(
    "path, n_plots",
    [
        ("compare?model_a=bert-minilm-l6&model_b=convbert-minilm-l6&text=The%20cat%20sat%20on%20the%20mat.&head=7", 2),
        ("convolution?text=The%20cat%20sat%20on%20the%20mat.", 2),
        ("positions?text=The%20cat%20sat.&text_b=It%20purred.", 8),
        ("step-by-step?text=The%20cat%20sat%20on%20the%20mat.&layer=2&head=3&query=3", 6),
    ],
)
def test_more_pages_in_chromium(server, path, n_plots):
    ARTIFACTS.mkdir(exist_ok=True)
    with browser() as b:
        page = b.new_page(viewport={"width": 1400, "height": 1600})
        page.goto(f"{server}/{path}")
        wait_for_plot(page, count=n_plots)
        ys = [heatmap_labels(page, i)["y"] for i in range(n_plots)]
        assert any("[CLS]" in y for y in ys)
        screenshot(page, ARTIFACTS / f"{path.split('?')[0]}.png")
        assert "Traceback" not in page.inner_text("body")


def test_hostile_text_is_never_rendered_and_nothing_leaves_the_machine(server):
    """Script/HTML typed by a user shows as text; every request goes to this server only."""
    payload = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'
    hosts = set()
    with browser() as b:
        page = b.new_page(viewport={"width": 1400, "height": 1000})
        page.on("request", lambda req: hosts.add(req.url.split("/")[2] if "://" in req.url else req.url))
        from urllib.parse import quote

        page.goto(f"{server}/attention?model={quote(payload)}&text={quote(payload)}")
        page.wait_for_selector("[data-testid='stAlert']", timeout=60_000)
        page.goto(f"{server}/attention?text={quote(payload)}")
        wait_for_plot(page)
        assert page.evaluate("window.__xss") is None
        assert page.locator("img[src='x']").count() == 0
        labels = heatmap_labels(page)["x"]
        assert any("<" in label or "&lt;" in label for label in labels)  # shown as text
    assert hosts <= {server.split("/")[2]}, hosts
