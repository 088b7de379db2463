"""The models the app offers. What each model family looks like inside: bertviz_core.models.families."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

WEIGHTS_DIR = Path(__file__).resolve().parents[1] / "weights"  # package data: bertviz_core/weights


@dataclass(frozen=True)
class ModelEntry:
    id: str  # registry id used in URLs, e.g. "bert-minilm-l6"
    label: str  # shown in pickers
    family: str  # transformers model_type: bert, convbert, ... (its FamilySpec: models.families)
    source: str  # "bundled" (works offline) or "hub" (needs the internet the first time)
    location: str  # hub id, or "" for bundled entries (resolved by the loader)
    note: str = ""

    @property
    def needs_internet(self) -> bool:
        return self.source == "hub"


REGISTRY: tuple[ModelEntry, ...] = (
    ModelEntry(
        "bert-minilm-l6",
        "BERT · MiniLM-L6 (bundled)",
        "bert",
        "bundled",
        "",
        "all-MiniLM-L6-v2: 6 layers x 12 heads, hidden 384, uncased WordPiece",
    ),
    ModelEntry(
        "convbert-minilm-l6",
        "ConvBERT · MiniLM-L6 (bundled, distilled in-house)",
        "convbert",
        "bundled",
        "",
        "6 layers, 6 attention + 6 convolution heads, span 9; same tokenizer as bert-minilm-l6",
    ),
    ModelEntry(
        "convbert-minilm-l6-free",
        "ConvBERT · MiniLM-L6, free attention (bundled, distilled in-house)",
        "convbert",
        "bundled",
        "",
        "like convbert-minilm-l6, but no attention loss and query/key not copied: its attention heads learned alone",
    ),
    ModelEntry(
        "distilbert-minilm-l3",
        "DistilBERT · 3 layers (bundled)",
        "distilbert",
        "bundled",
        "",
        "a DistilBertModel, 3 layers x 12 heads, distilled here from bert-minilm-l6 (layers 0, 3, 5) as DistilBERT was",
    ),
    ModelEntry(
        "tinybert-minilm-l4",
        "TinyBERT-4 · 4 layers, hidden 312 (bundled)",
        "bert",
        "bundled",
        "",
        "TinyBERT-4's shape (4 layers x 12 heads, hidden 312, FFN 1200), distilled here from bert-minilm-l6 layer to "
        "layer as TinyBERT was (layers 1, 2, 4, 5 mapped; hidden states through a learned projection, attention "
        "scores); same tokenizer",
    ),
    ModelEntry(
        "deberta-minilm-l6",
        "DeBERTa · MiniLM-L6 (bundled, distilled in-house)",
        "deberta-v2",
        "bundled",
        "",
        "DeBERTa-v2, 6 layers x 12 heads, relative positions only (c2p + p2c, 256 log buckets); distilled here "
        "from bert-minilm-l6 on outputs only; same tokenizer",
    ),
    ModelEntry(
        "bert-minilm-l6-mlm",
        "BERT · MiniLM-L6, retrained to fill in [MASK] (bundled)",
        "bert",
        "bundled",
        "",
        "bert-minilm-l6 with BERT's masked-word head, its whole encoder retrained here with masked-word prediction; "
        "fills in [MASK] offline; same tokenizer",
    ),
    ModelEntry(
        "electra-minilm-l6",
        "ELECTRA · MiniLM-L6 discriminator (bundled, trained in-house)",
        "electra",
        "bundled",
        "",
        "ElectraForPreTraining started from bert-minilm-l6, trained here with replaced-token detection "
        "(bert-minilm-l6-mlm as its generator, 1,000 steps); same tokenizer",
    ),
    ModelEntry("bert-base-uncased", "BERT base uncased", "bert", "hub", "bert-base-uncased"),
    ModelEntry("bert-base-multilingual-cased", "mBERT base cased", "bert", "hub", "bert-base-multilingual-cased"),
    ModelEntry("bert-base-chinese", "BERT base Chinese", "bert", "hub", "bert-base-chinese"),
    ModelEntry(
        "biobert-base-cased-v1.2",
        "BioBERT base cased v1.2 (biomedical)",
        "bert",
        "hub",
        "dmis-lab/biobert-base-cased-v1.2",
        "BERT-base-cased pretrained further on PubMed abstracts; keeps BERT-base-cased's WordPiece vocabulary",
    ),
    ModelEntry("distilbert-base-uncased", "DistilBERT base uncased", "distilbert", "hub", "distilbert-base-uncased"),
    ModelEntry("albert-base-v2", "ALBERT base v2", "albert", "hub", "albert-base-v2"),
    ModelEntry("roberta-base", "RoBERTa base", "roberta", "hub", "roberta-base"),
    ModelEntry(
        "electra-small-discriminator",
        "ELECTRA small discriminator",
        "electra",
        "hub",
        "google/electra-small-discriminator",
    ),
    ModelEntry("deberta-v3-small", "DeBERTa-v3 small", "deberta-v2", "hub", "microsoft/deberta-v3-small"),
    ModelEntry("conv-bert-base", "ConvBERT base (YituTech)", "convbert", "hub", "YituTech/conv-bert-base"),
)


def available_models() -> list[ModelEntry]:
    """Registry entries in display order (bundled first)."""
    return list(REGISTRY)


def entry(model_id: str) -> ModelEntry | None:
    return next((e for e in REGISTRY if e.id == model_id), None)


def entry_for_location(location: str) -> ModelEntry | None:
    return next((e for e in REGISTRY if e.location and e.location == location), None)
