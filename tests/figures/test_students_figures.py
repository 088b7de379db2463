"""The distilled students' figures (bertviz_core.figures.students): the depth curve's points and interval bars,
TinyBERT's layer map drawn as a line from each student layer to the teacher layer it learned from."""

from __future__ import annotations

import pytest

from bertviz_core.figures.students import depth_curve_figure, layer_map_figure


def test_depth_curve_is_sorted_by_layers_with_asymmetric_interval_bars():
    points = [
        {"layers": 6, "cosine": 1.0, "low": 1.0, "high": 1.0, "ms": 9},
        {"layers": 2, "cosine": 0.7, "low": 0.65, "high": 0.72, "ms": 3},
    ]
    fig = depth_curve_figure(points, title="T", x_title="layers", y_title="cos", hover_words="{layers}: {ms} ms")
    trace = fig.data[0]
    assert list(trace.x) == [2, 6] and list(trace.y) == [0.7, 1.0]
    assert list(trace.error_y.array) == pytest.approx([0.02, 0.0]) and list(trace.error_y.arrayminus) == pytest.approx(
        [0.05, 0.0]
    )
    assert list(trace.hovertext) == ["2: 3 ms", "6: 9 ms"]


def test_layer_map_draws_one_line_from_each_student_box_to_its_teacher_box():
    fig = layer_map_figure(
        [1, 2, 4, 5],
        6,
        title="map",
        teacher_name="teacher <b>x</b>",
        student_name="student",
        layer_words="L{n}",
        embedding_words="Emb",
        edge_labels=["a", "b", "c", "d"],
        embedding_label="e",
    )
    teacher_boxes, student_boxes = fig.data[0], fig.data[1]
    assert list(teacher_boxes.text) == ["Emb", "L0", "L1", "L2", "L3", "L4", "L5"]
    assert list(student_boxes.text) == ["Emb", "L0", "L1", "L2", "L3"]
    lines = fig.data[2:]
    ends = [(line.x[0], line.x[1]) for line in lines]
    # the embeddings to the embeddings, then student layer m (x of its box) to teacher layer mapping[m]
    assert ends == [(student_boxes.x[0], teacher_boxes.x[0])] + [
        (student_boxes.x[m + 1], teacher_boxes.x[g + 1]) for m, g in enumerate([1, 2, 4, 5])
    ]
    texts = [a.text for a in fig.layout.annotations]
    assert texts[:5] == ["e", "a", "b", "c", "d"] and "teacher &lt;b&gt;x&lt;/b&gt;" in texts  # names escaped
