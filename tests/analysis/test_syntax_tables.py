"""Stored syntax tables (bertviz_core.analysis.syntax.write_table / read_table): a table comes back as it
was written, and whatever is not one is refused with a ValueError, which table_for turns into a
recomputation and the pages into a message.

Oracles: the frame that was written (pandas' own comparison); hand-made files that are not Parquet,
a Parquet file cut short, a missing file and a Parquet table without the syntax columns."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from bertviz_core.analysis import syntax


def hand_table() -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "relation": ["nsubj", "obj"],
            "layer": [0, 1],
            "head": [1, 0],
            "accuracy": [0.5, 0.75],
            "n": [2, 4],
            "best_offset": [1, -1],
            "offset_accuracy": [0.25, 0.5],
        }
    )
    frame.attrs["sentences"] = 3
    return frame


def test_a_written_table_reads_back_with_its_metadata(tmp_path):
    path = tmp_path / "table.parquet"
    syntax.write_table(hand_table(), path, model="m")
    back = syntax.read_table(path)
    pd.testing.assert_frame_equal(back, hand_table(), check_dtype=False)
    assert back.attrs == {"sentences": 3, "model": "m"}


def not_parquet(tmp_path):
    path = tmp_path / "text.parquet"
    path.write_text("relation,layer\nnsubj,0\n")
    return path


def cut_short(tmp_path):
    path = tmp_path / "cut.parquet"
    syntax.write_table(hand_table(), path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


@pytest.mark.parametrize(
    "source",
    [
        not_parquet,
        cut_short,
        lambda tmp_path: tmp_path / "missing.parquet",
        lambda tmp_path: io.BytesIO(b"PAR1 and then nothing a Parquet reader wants"),  # an upload
    ],
    ids=["not-parquet", "cut-short", "missing", "upload"],
)
def test_what_is_not_a_parquet_table_is_refused_with_a_value_error(tmp_path, source):
    with pytest.raises(ValueError, match="^Not a Parquet table"):
        syntax.read_table(source(tmp_path))


def test_a_parquet_table_without_the_syntax_columns_is_refused(tmp_path):
    path = tmp_path / "other.parquet"
    hand_table().drop(columns=["accuracy"]).to_parquet(path)
    with pytest.raises(ValueError, match="missing columns: accuracy"):
        syntax.read_table(path)


def test_a_damaged_cached_table_is_computed_again(tmp_path, monkeypatch):
    monkeypatch.setenv("BERTVIZ_CACHE_DIR", str(tmp_path))
    treebank = tmp_path / "tiny.conllu"
    treebank.write_text("# text = a b\n1\ta\ta\tX\t_\t_\t2\tdet\t_\t_\n2\tb\tb\tX\t_\t_\t0\troot\t_\t_\n\n")
    lm = type("LM", (), {"id": "some-model"})()
    cached = syntax.cached_table_path(lm.id, syntax.file_digest(treebank))
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"PAR1 damaged")
    monkeypatch.setattr(syntax, "head_accuracy", lambda *args, **kwargs: hand_table())
    frame = syntax.table_for(lm, treebank, use_shipped=False)
    pd.testing.assert_frame_equal(frame, hand_table(), check_dtype=False)
    assert syntax.read_table(cached).attrs["treebank"] == "tiny.conllu"  # written anew
