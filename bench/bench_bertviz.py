"""bertviz (installed for the benchmark only) on the same model and inputs: HTML size and build time."""

from __future__ import annotations

import time

import common
import torch


def main():
    from bertviz import head_view, model_view

    lm, inputs = common.bert_inputs()
    rows = []
    for n, text, enc in inputs:
        with torch.inference_mode():
            out = lm.model(**enc, output_attentions=True)
        tokens = lm.tokenizer.convert_ids_to_tokens(enc["input_ids"][0])
        row = {"tokens": n}
        for name, view in (("head_view", head_view), ("model_view", model_view)):
            t0 = time.perf_counter()
            html = view(out.attentions, tokens, html_action="return")
            row[f"{name}_s"] = time.perf_counter() - t0
            row[f"{name}_bytes"] = len(html.data.encode())
            del html
        rows.append(row)
        print(row)
    common.save("bertviz", {"machine": common.machine(), "rows": rows})


if __name__ == "__main__":
    main()
