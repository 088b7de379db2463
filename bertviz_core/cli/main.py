"""Command line: capture a sentence to a file, export one view of it as an image or offline HTML, or run
statistics over a corpus.

    python -m bertviz_core capture "The cat sat on the mat." --model bert-minilm-l6 --out trace.npz
    python -m bertviz_core export --model bert-minilm-l6 --text "The cat sat on the mat." \\
        --view attention --layer 3 --head 1 --format svg --out head.svg
    python -m bertviz_core export --trace trace.npz --view model --format png --out model.png
    python -m bertviz_core corpus --model bert-minilm-l6 --input sentences.txt --out results/run1

`python -m bertviz_core <command> --help` explains every option. Errors are one line on stderr
(exit status 2), never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from bertviz_core.tracing.trace import Trace

os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

VIEWS_HELP = (
    "attention: one head (--layer, --head) as a query x key heatmap; model: every layer x head as "
    "thumbnails; layer: all heads of --layer on one scale; convolution: ConvBERT's kernels of --layer; "
    "positions: the position embeddings added to each token; compare: the same --layer/--head slot of "
    "--model and --model-b side by side"
)


EXAMPLES = """examples:
  python -m bertviz_core capture "The cat sat on the mat." --model bert-minilm-l6 --out trace.npz
  python -m bertviz_core export --model bert-minilm-l6 --text "The cat sat on the mat." \\
      --view attention --layer 3 --head 1 --format svg --out head.svg
  python -m bertviz_core export --trace trace.npz --view model --out model.png --resolution print
  python -m bertviz_core export --text "The keys are on the table." --view compare --layer 1 --head 8 --out ab.html
  python -m bertviz_core corpus --model bert-minilm-l6 --input treebank.conllu --out results/ewt

Run `python -m bertviz_core capture --help`, `... export --help` or `... corpus --help` for every option.
PNG, SVG and PDF are drawn by Chromium (/usr/bin/chromium, or set BERTVIZ_CHROMIUM); html needs none."""


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m bertviz_core",
        description="See inside BERT-family encoders from the command line: capture a "
        "sentence, export a view as PNG, SVG, PDF or offline HTML, or measure a corpus.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="{capture,export,corpus}")

    _add_capture(sub)
    _add_export(sub)
    sub.add_parser(  # parsed by bertviz_core.corpus.run (main() hands it the rest of the command line)
        "corpus",
        add_help=False,
        help="head metrics and syntax accuracy over a .txt or .conllu corpus, to Parquet (see corpus --help)",
    )
    return p


def _add_capture(sub: Any) -> None:
    c = sub.add_parser(
        "capture",
        help="run a model on a sentence and save everything it captured (.npz or .json)",
        description="Run a model on a sentence and save the Trace: tokens, attention "
        "[layers, heads, T, T], hidden states, position embeddings, ConvBERT kernels.",
    )
    c.add_argument("text", help="the sentence (quote it)")
    c.add_argument("--text-b", default=None, help="optional second sentence (a sentence pair, joined by [SEP])")
    c.add_argument(
        "--model",
        default="bert-minilm-l6",
        help="registry id (bert-minilm-l6, convbert-minilm-l6, ...), hub id, or a folder in "
        "BERTVIZ_MODELS_DIR (default: %(default)s)",
    )
    c.add_argument(
        "--out",
        required=True,
        type=Path,
        help="output file: .npz (numpy arrays + meta, any length) or .json (inputs up to 64 tokens)",
    )
    c.add_argument(
        "--terms",
        action="store_true",
        help="DeBERTa: also keep each attention score's c2c, c2p and p2c terms (deberta_terms "
        "[layers, heads, 3, T, T]; three times the attention's size)",
    )


def _add_export(sub: Any) -> None:
    e = sub.add_parser(
        "export",
        help="draw one view and write it as svg, png, pdf, html or json",
        description="Draw one view of a sentence (captured now, or loaded with --trace) and write it.",
    )
    src = e.add_argument_group("input (either --text with --model, or --trace)")
    src.add_argument("--text", help="the sentence to capture")
    src.add_argument("--text-b", default=None, help="optional second sentence (sentence pair)")
    src.add_argument("--model", default="bert-minilm-l6", help="model id for --text (default: %(default)s)")
    src.add_argument("--trace", type=Path, help="a saved trace (.npz or .json from `capture`) instead of --text")
    e.add_argument(
        "--view",
        default="attention",
        choices=["attention", "model", "layer", "convolution", "positions", "compare"],
        help=VIEWS_HELP + " (default: %(default)s)",
    )
    e.add_argument("--layer", type=int, default=0, help="layer index, from 0 (default: %(default)s)")
    e.add_argument(
        "--head",
        default="0",
        help="attention head '3' (or 'H3'), ConvBERT convolution head 'c1', or 'mean' of the layer; "
        "for --view compare a slot number or 'mean' (default: %(default)s)",
    )
    e.add_argument(
        "--model-b", default="convbert-minilm-l6", help="second model for --view compare (default: %(default)s)"
    )
    e.add_argument("--hide-special", action="store_true", help="attention view: drop the [CLS]/[SEP] columns")
    e.add_argument(
        "--format",
        choices=["svg", "png", "pdf", "html", "json"],
        default=None,
        help="svg/pdf (vector, for papers), png (raster), html (interactive, offline, plotly.js "
        "inlined), json (the Plotly figure); default: from --out's extension",
    )
    e.add_argument(
        "--resolution",
        choices=["projector", "print"],
        default="projector",
        help="png only: projector fits 1920x1080, print is 300 dpi at the figure's size (default: %(default)s)",
    )
    e.add_argument(
        "--font-size",
        type=int,
        default=13,
        help="base font size in px (default: %(default)s; the app's projector mode uses 20)",
    )
    e.add_argument("--out", required=True, type=Path, help="output file")


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2


def _capture(model_id: str, text: str, text_b: str | None, terms: bool = False) -> Trace:
    import bertviz_core as bc

    return bc.capture(bc.load_model(model_id), text, text_b, terms=terms)


def build_figure(args: argparse.Namespace) -> go.Figure:
    """The figure `export` writes (also used by the tests to compare with the library)."""
    from bertviz_core import export, figures

    if args.trace is not None:
        trace = export.load_trace(args.trace)
    elif args.text:
        trace = _capture(args.model, args.text, args.text_b)
    else:
        raise ValueError("give --text (with --model) or --trace")
    fs = {"font_size": args.font_size}
    if args.view == "attention":
        fig = figures.head_view(trace, args.layer, args.head, hide_special=args.hide_special, **fs)
        return figures.name_source(fig, trace.model_id)
    if args.view == "compare":
        other = _capture(args.model_b, trace.text, None)
        head = args.head.strip().lower()
        if head != "mean" and not head.isdigit():
            raise ValueError(
                f"for --view compare, --head is a slot number (conv heads follow the attention "
                f"heads) or 'mean', not {args.head!r}"
            )
        return figures.name_source(
            figures.compare_view(trace, other, args.layer, head, **fs), f"{trace.model_id} vs {other.model_id}"
        )
    if args.view in ("layer", "convolution"):
        return figures.name_source(figures.view(trace, args.view, args.layer, **fs), trace.model_id)
    return figures.name_source(figures.view(trace, args.view, **fs), trace.model_id)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["corpus"]:
        from bertviz_core.corpus import run

        return run.main(argv[1:])
    args = _parser().parse_args(argv)
    from bertviz_core import export
    from bertviz_core.models.loading import ModelLoadError

    try:
        if args.command == "capture":
            path = export.save_trace(_capture(args.model, args.text, args.text_b, args.terms), args.out)
        else:
            fmt = (args.format or args.out.suffix.lstrip(".")).lower()
            if fmt not in ("svg", "png", "pdf", "html", "json"):
                raise ValueError(f"cannot tell the format from {args.out.name!r}: pass --format svg|png|pdf|html|json")
            fig = build_figure(args)
            if fmt == "json":
                args.out.write_text(export.portable(fig).to_json(), encoding="utf-8")
                path = args.out
            else:
                path = export.write_figure(fig, args.out, fmt, args.resolution)
    except (ValueError, ModelLoadError, export.ExportError, OSError) as exc:
        return _fail(str(exc))
    finally:
        export.close_browser()
    print(f"wrote {path} ({export.human_size(path.stat().st_size)})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
