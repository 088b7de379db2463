"""The distilled students' figures (bertviz_core.figures.students): the depth curve's points and interval bars,
TinyBERT's layer map drawn as a line from each student layer to the teacher layer it learned from."""

from __future__ import annotations

import pytest

from bertviz_core.figures.students import depth_curve_figure, layer_map_figure


def test_depth_curve_joins_the_students_by_layers_and_leaves_the_teacher_apart():
    points = [
        {"layers": 4, "cosine": 0.9, "low": 0.89, "high": 0.92, "ms": 5},
        {"layers": 2, "cosine": 0.7, "low": 0.65, "high": 0.72, "ms": 3},
        {"layers": 6, "cosine": 1.0, "low": 1.0, "high": 1.0, "ms": 9},  # the teacher, last
    ]
    fig = depth_curve_figure(
        points,
        title="T",
        x_title="layers",
        y_title="cos",
        hover_words="{layers}: {ms} ms",
        teacher_name="teacher",
        student_name="students",
    )
    line, teacher = fig.data
    assert list(line.x) == [2, 4] and list(line.y) == [0.7, 0.9] and line.mode == "lines+markers"
    assert list(line.error_y.array) == pytest.approx([0.02, 0.02])
    assert list(line.error_y.arrayminus) == pytest.approx([0.05, 0.01])
    assert list(line.hovertext) == ["2: 3 ms", "4: 5 ms"]
    assert (list(teacher.x), list(teacher.y), teacher.mode, teacher.name) == ([6], [1.0], "markers", "teacher")


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
