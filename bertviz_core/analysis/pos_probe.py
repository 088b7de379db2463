"""A part-of-speech tagger for typed sentences: a linear probe (multinomial logistic regression) on one layer of the
bundled BERT's hidden states, so knowledge masking (analysis.masking) can find noun phrases and proper-noun runs in
a sentence that has no treebank tree, with no parser package.

A word's features are the mean of its word pieces' hidden states at the probe's layer (bert-minilm-l6: 384 numbers).
The probe is fit on UD English EWT dev only (never on test): the layer is chosen by accuracy on every fifth dev
sentence after fitting on the other four fifths, then the probe is refit on the whole of dev at that layer and its
accuracy on EWT test reported. Its weights (17 x 384, float16, the feature standardisation folded in) and a card
ship as bertviz_core/data/upos-probe-bert-minilm-l6.npz / .json.

    nice -n 19 python -m bertviz_core.analysis.pos_probe     # refit; writes the two files (about 3 minutes)

Words are the tokens a treebank writes (a multiword token such as "didn't" is one word, not fitted on: its UPOS
is "MWT"); a typed sentence is cut into words by `split_words`.
"""

from __future__ import annotations

import argparse
import json
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

UPOS = (
    "ADJ",
    "ADP",
    "ADV",
    "AUX",
    "CCONJ",
    "DET",
    "INTJ",
    "NOUN",
    "NUM",
    "PART",
    "PRON",
    "PROPN",
    "PUNCT",
    "SCONJ",
    "SYM",
    "VERB",
    "X",
)  # the 17 universal parts of speech (UD v2), in UD's order
MODEL_ID = "bert-minilm-l6"
DATA_DIR = Path(__file__).resolve().parents[1] / "data"  # package data: bertviz_core/data
PROBE_FILE = DATA_DIR / f"upos-probe-{MODEL_ID}.npz"
CARD_FILE = DATA_DIR / f"upos-probe-{MODEL_ID}.json"
# a word: letters/digits with inner hyphens, apostrophes or dots ("York-based", "don't", "U.S"), else one symbol
WORD = re.compile(r"\w+(?:[-'’.]\w+)*|[^\w\s]")


def split_words(text: str) -> list[str]:
    """A typed sentence cut into words as a treebank would roughly cut it: runs of letters and digits (inner
    hyphens, apostrophes and dots kept: "York-based", "don't", "U.S") and each other symbol on its own."""
    return WORD.findall(text)


@dataclass(frozen=True)
class UposProbe:
    """A linear tagger on the hidden states of `layer` (0 = embeddings): scores = features @ weight.T + bias."""

    layer: int
    weight: np.ndarray  # [len(labels), hidden]
    bias: np.ndarray  # [len(labels)]
    labels: tuple[str, ...] = UPOS

    def predict(self, features: np.ndarray) -> list[str]:
        """The most likely part of speech of each row of `features` [N, hidden]."""
        scores = np.asarray(features, dtype=np.float32) @ self.weight.astype(np.float32).T + self.bias
        return [self.labels[k] for k in scores.argmax(-1)]


def save_probe(probe: UposProbe, path: str | Path = PROBE_FILE) -> None:
    """The probe as .npz: weight in float16, bias in float32, its layer and labels (no pickled objects)."""
    np.savez(
        path,
        weight=probe.weight.astype(np.float16),
        bias=probe.bias.astype(np.float32),
        layer=np.int64(probe.layer),
        labels=np.array(probe.labels),
    )


def read_probe(path: str | Path) -> UposProbe:
    with np.load(path, allow_pickle=False) as z:
        return UposProbe(int(z["layer"]), z["weight"], z["bias"], tuple(str(x) for x in z["labels"]))


@cache
def load_probe() -> UposProbe:
    """The bundled probe (bertviz_core/data/upos-probe-bert-minilm-l6.npz), read once."""
    return read_probe(PROBE_FILE)


def word_features(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    sentences: Sequence[Sequence[str]],
    layers: Sequence[int],
    max_length: int = 256,
) -> list[list[np.ndarray]]:
    """Per sentence (words as strings), per layer in `layers`: [words, hidden] means of each word's pieces' hidden
    states. A word left without pieces (cut off by max_length, or a character the tokenizer drops) gets zeros."""
    import torch

    out = []
    with torch.no_grad():
        for words in sentences:
            enc = tokenizer(list(words), is_split_into_words=True, truncation=True, max_length=max_length)
            hidden = model(input_ids=torch.tensor([enc["input_ids"]]), output_hidden_states=True).hidden_states
            word_ids = enc.word_ids()
            rows = []
            for layer in layers:
                h = hidden[layer][0].numpy()
                feats = np.zeros((len(words), h.shape[-1]), dtype=np.float32)
                for w in range(len(words)):
                    pieces = [p for p, i in enumerate(word_ids) if i == w]
                    if pieces:
                        feats[w] = h[pieces].mean(0)
                rows.append(feats)
            out.append(rows)
    return out


def tag_words(
    model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, words: Sequence[str], probe: UposProbe | None = None
) -> list[str]:
    """The probe's part of speech for each word of one sentence (`model` must be the bundled BERT's encoder)."""
    if not words:
        return []
    probe = probe or load_probe()
    return probe.predict(word_features(model, tokenizer, [words], [probe.layer])[0][0])


def tagger(model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase) -> Callable[[list[str]], list[str]]:
    """words -> the bundled probe's tags, on `model` (the bundled BERT's encoder, `bc.load_model("bert-minilm-l6")`,
    not another model's: the probe reads its hidden states), for masking.mask_text."""
    return lambda words: tag_words(model, tokenizer, words)


# ---------------------------------------------------------------- fitting (python -m bertviz_core.analysis.pos_probe)
def fit_probe(x: np.ndarray, y: np.ndarray, layer: int, c: float = 1.0) -> UposProbe:
    """Multinomial logistic regression (sklearn, lbfgs) on standardised features, the standardisation folded into
    the weights so the probe reads raw hidden states. y holds indices into UPOS."""
    from sklearn.linear_model import LogisticRegression

    mean, std = x.mean(0), x.std(0) + 1e-6
    clf = LogisticRegression(C=c, max_iter=500)
    clf.fit((x - mean) / std, y)
    weight = np.zeros((len(UPOS), x.shape[1]), dtype=np.float64)
    bias = np.full(len(UPOS), -1e4)  # a tag never seen in training is never predicted
    weight[clf.classes_] = clf.coef_ / std
    bias[clf.classes_] = clf.intercept_ - (clf.coef_ / std) @ mean
    return UposProbe(layer, weight.astype(np.float32), bias.astype(np.float32))


def labelled(sentences: list[list[tuple[str, str, bool]]]) -> tuple[list[list[str]], list[np.ndarray]]:
    """(word forms per sentence, UPOS index per word, -1 for a multiword token or an unknown tag)."""
    index = {u: k for k, u in enumerate(UPOS)}
    forms = [[w[0] for w in s] for s in sentences]
    tags = [np.array([index.get(w[1], -1) for w in s]) for s in sentences]
    return forms, tags


def stack(features: list[list[np.ndarray]], tags: list[np.ndarray], k: int) -> tuple[np.ndarray, np.ndarray]:
    """Layer k's features of every labelled word, and their tags."""
    x = np.concatenate([f[k] for f in features])
    y = np.concatenate(tags)
    return x[y >= 0], y[y >= 0]


def accuracy(probe: UposProbe, x: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean(np.array(probe.predict(x)) == np.array([UPOS[k] for k in y])))


def choose_and_fit(dev_feats: list[list[np.ndarray]], dev_tags: list[np.ndarray], layers: Sequence[int]) -> dict:
    """Fit on four fifths of dev, score on every fifth sentence, per layer; refit on all of dev at the best layer."""
    held = [i % 5 == 4 for i in range(len(dev_tags))]
    by_layer = {}
    for k, layer in enumerate(layers):
        fit_x, fit_y = stack(
            [f for f, h in zip(dev_feats, held) if not h], [t for t, h in zip(dev_tags, held) if not h], k
        )
        held_x, held_y = stack([f for f, h in zip(dev_feats, held) if h], [t for t, h in zip(dev_tags, held) if h], k)
        by_layer[layer] = accuracy(fit_probe(fit_x, fit_y, layer), held_x, held_y)
    best = max(by_layer, key=lambda layer: by_layer[layer])
    x, y = stack(dev_feats, dev_tags, list(layers).index(best))
    return {"probe": fit_probe(x, y, best), "dev_heldout_by_layer": by_layer, "layer": best, "fit_words": len(y)}


def main(argv: list[str] | None = None) -> None:
    import torch
    from transformers import AutoModel, AutoTokenizer

    from bertviz_core.inputs import conllu
    from bertviz_core.models import student

    ap = argparse.ArgumentParser(description="Refit the bundled UPOS probe on UD EWT dev; report EWT test.")
    ap.add_argument("--ewt", default=str(Path(__file__).resolve().parents[3] / "shared/data/ud-english-ewt"))
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    t0 = time.time()
    path = student.teacher_path()
    model, tokenizer = AutoModel.from_pretrained(path).eval(), AutoTokenizer.from_pretrained(path)
    layers = list(range(model.config.num_hidden_layers + 1))
    read = {
        s: conllu.conllu_words((Path(a.ewt) / f"en_ewt-ud-{s}.conllu").read_text(encoding="utf-8"))
        for s in ("dev", "test")
    }
    dev_forms, dev_tags = labelled(read["dev"])
    chosen = choose_and_fit(word_features(model, tokenizer, dev_forms, layers), dev_tags, layers)
    save_probe(chosen["probe"])
    probe = read_probe(PROBE_FILE)  # the stored (float16) probe is the one scored
    test_forms, test_tags = labelled(read["test"])
    test_x, test_y = stack(word_features(model, tokenizer, test_forms, [probe.layer]), test_tags, 0)
    card = card_of(chosen, accuracy(probe, test_x, test_y), len(test_y), time.time() - t0)
    CARD_FILE.write_text(json.dumps(card, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(card, indent=1))


def card_of(chosen: dict, test_accuracy: float, test_words: int, seconds: float) -> dict[str, Any]:
    return {
        "what": f"UPOS tagger: multinomial logistic regression on {MODEL_ID}'s hidden states at one layer",
        "model": MODEL_ID,
        "layer": chosen["layer"],
        "features": "mean of each word's word-piece hidden states (0 = embeddings)",
        "labels": list(UPOS),
        "fit_on": "UD English EWT dev (en_ewt-ud-dev.conllu), every word except multiword tokens",
        "fit_words": chosen["fit_words"],
        "layer_choice": "accuracy on every fifth dev sentence after fitting on the other four fifths",
        "dev_heldout_accuracy_by_layer": {str(k): round(v, 4) for k, v in chosen["dev_heldout_by_layer"].items()},
        "test_accuracy": round(test_accuracy, 4),
        "test_words": test_words,
        "test_on": "UD English EWT test (en_ewt-ud-test.conllu), never fitted on",
        "storage": "weight float16 [17, 384] with the standardisation folded in, bias float32 [17]",
        "data_license": "UD English EWT: CC BY-SA 4.0 (the probe is fitted on it)",
        "made": time.strftime("%Y-%m-%d"),
        "seconds": round(seconds, 1),
        "refit": "python -m bertviz_core.analysis.pos_probe",
    }


if __name__ == "__main__":
    main()
