"""DeBERTa's score terms survive saving a Trace (.npz, .json) and the CLI's `capture --terms`."""

from __future__ import annotations

import numpy as np

import bertviz_core as bc
from bertviz_core import export
from bertviz_core.cli import main as cli

TEXT = "Where is the word?"


def test_terms_and_which_are_used_round_trip_through_npz_and_json(tmp_path):
    trace = bc.capture(bc.load_model("deberta-minilm-l6"), TEXT, terms=True)
    for suffix in (".npz", ".json"):
        back = export.load_trace(export.save_trace(trace, tmp_path / f"t{suffix}"))
        np.testing.assert_allclose(back.deberta_terms, trace.deberta_terms, rtol=1e-6, atol=1e-6)
        assert back.deberta_terms_used == (True, True, True)
    plain = export.load_trace(
        export.save_trace(bc.capture(bc.load_model("deberta-minilm-l6"), TEXT), tmp_path / "p.npz")
    )
    assert plain.deberta_terms is None and plain.deberta_terms_used == ()


def test_cli_capture_keeps_the_terms_only_when_asked(tmp_path):
    assert cli.main(["capture", TEXT, "--model", "deberta-minilm-l6", "--terms", "--out", str(tmp_path / "a.npz")]) == 0
    assert cli.main(["capture", TEXT, "--model", "deberta-minilm-l6", "--out", str(tmp_path / "b.npz")]) == 0
    with np.load(tmp_path / "a.npz") as z:
        expected = bc.capture(bc.load_model("deberta-minilm-l6"), TEXT, terms=True).deberta_terms
        np.testing.assert_allclose(z["deberta_terms"], expected, atol=1e-6)
    with np.load(tmp_path / "b.npz") as z:
        assert "deberta_terms" not in z.files
