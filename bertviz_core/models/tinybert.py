"""TinyBERT-4's shape for the bundled BERT: `tinybert-minilm-l4` (student kind "tinybert4").

TinyBERT (Jiao et al. 2020) distils BERT into a narrower and shallower BERT layer by layer. Its 4-layer student
is 4 layers x 12 heads, hidden 312, feed-forward 1200: here the same shape under the bundled MiniLM (6 layers,
hidden 384). Being narrower than its teacher, it cannot share the teacher's embeddings, so:
- its embeddings start as the teacher's projected on their top 312 principal directions (`pca_basis`), and are
  trained (nothing of it is read from the teacher at load time);
- its transformer layers start random, as TinyBERT's do;
- the losses compare it with the teacher through learned projections 312 -> 384 (`Projections`: W_e for the
  embeddings, W_h for the hidden states, TinyBERT's W_e and W_h), which ship beside the weights
  (`PROJECTIONS_FILE`) because its sentence embedding is compared with the teacher's through W_h.

Student layer m imitates teacher layer LAYER_MAP[m] (0-based; TinyBERT's uniform map g(m) = m x 6/4, rounded up:
student layers 1-4 learn from teacher layers 2, 3, 5, 6, counting from 1).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch
from safetensors.torch import load_file, save_file

if TYPE_CHECKING:
    from transformers import PretrainedConfig, PreTrainedModel

KIND = "tinybert4"
HIDDEN, LAYERS, HEADS, FFN = 312, 4, 12, 1200
LAYER_MAP = (1, 2, 4, 5)  # teacher layer (0-based) each student layer learns from
PROJECTIONS_FILE = "projections.safetensors"
OWN_EMBEDDINGS = "own_embeddings"  # a config flag: the embeddings are trained, not the teacher's frozen ones


def config(teacher: PretrainedConfig) -> PretrainedConfig:
    """A BertConfig of TinyBERT-4's shape with the teacher's vocabulary, positions, token types and activation."""
    from transformers import BertConfig

    config = BertConfig(
        vocab_size=teacher.vocab_size,
        hidden_size=HIDDEN,
        num_hidden_layers=LAYERS,
        num_attention_heads=HEADS,
        intermediate_size=FFN,
        hidden_act=teacher.hidden_act,
        max_position_embeddings=teacher.max_position_embeddings,
        type_vocab_size=teacher.type_vocab_size,
        layer_norm_eps=teacher.layer_norm_eps,
        pad_token_id=teacher.pad_token_id,
        hidden_dropout_prob=0.0,
        attention_probs_dropout_prob=0.0,
        architectures=["BertModel"],
    )
    setattr(config, OWN_EMBEDDINGS, True)  # saved with the config, read by student.is_frozen
    return config


def pca_basis(embeddings: torch.Tensor, k: int = HIDDEN) -> torch.Tensor:
    """[D, k]: the top-k principal directions (orthonormal columns) of the rows of `embeddings` [N, D], centred."""
    centred = embeddings.float() - embeddings.float().mean(0, keepdim=True)
    _, _, v = torch.linalg.svd(centred, full_matrices=False)
    return v[:k].T.contiguous()


class Projections(torch.nn.Module):
    """TinyBERT's learned maps from the student's width to the teacher's: W_e (embeddings), W_h (hidden states)."""

    def __init__(self, student_width: int = HIDDEN, teacher_width: int = 384) -> None:
        super().__init__()
        self.embeddings = torch.nn.Linear(student_width, teacher_width, bias=False)
        self.hidden = torch.nn.Linear(student_width, teacher_width, bias=False)


@torch.no_grad()
def init_from_teacher(student: PreTrainedModel, teacher: dict[str, torch.Tensor]) -> tuple[list[str], Projections]:
    """Word, position and token-type embeddings = the teacher's times its words' PCA basis P [384, 312]; the
    embedding LayerNorm starts as identity; the layers stay random. Returns (the keys set, the projections with
    W_e = W_h = P^T, so that a student embedding maps back to the teacher's nearest one)."""
    projections = initial_projections(teacher, student.config.hidden_size)
    basis = projections.embeddings.weight  # [384, 312] = P
    done = []
    for name in ("word_embeddings", "position_embeddings", "token_type_embeddings"):
        key = f"embeddings.{name}.weight"
        student.state_dict()[key].copy_(teacher[key] @ basis)
        done.append(key)
    return done, projections


def attention_scores(model: Any, hidden_states: tuple[torch.Tensor, ...], layer: int) -> torch.Tensor:
    """[B, heads, T, T]: the attention scores before the softmax (q . k / sqrt(head size), no mask) of `layer` of a
    BertModel, recomputed from the hidden state that enters it (`hidden_states[layer]` of an output_hidden_states
    run): what TinyBERT's attention loss compares."""
    attention = model.encoder.layer[layer].attention.self
    h = hidden_states[layer]
    b, t, _ = h.shape
    heads = model.config.num_attention_heads
    size = model.config.hidden_size // heads
    q = attention.query(h).view(b, t, heads, size).transpose(1, 2)
    k = attention.key(h).view(b, t, heads, size).transpose(1, 2)
    return q @ k.transpose(-1, -2) / size**0.5


def save_projections(projections: Projections, folder: str | Path) -> Path:
    path = Path(folder) / PROJECTIONS_FILE
    save_file({k: v.detach().float().contiguous() for k, v in projections.state_dict().items()}, str(path))
    return path


def load_projections(folder: str | Path) -> Projections:
    """The W_e and W_h shipped beside a tinybert4 student."""
    state = load_file(str(Path(folder) / PROJECTIONS_FILE))
    width_out, width_in = state["hidden.weight"].shape
    projections = Projections(width_in, width_out)
    projections.load_state_dict(state)
    return projections.eval()


class Projected(torch.nn.Module):
    """A tinybert4 student whose last hidden state is mapped to the teacher's width by W_h: what its sentence
    embedding is compared with the teacher's through (training's monitor, the held-out cosine)."""

    def __init__(self, student: torch.nn.Module, projections: Projections) -> None:
        super().__init__()
        self.student, self.projections = student, projections

    def forward(self, **inputs: torch.Tensor) -> object:
        from transformers.modeling_outputs import BaseModelOutput

        out = self.student(**inputs)
        return BaseModelOutput(last_hidden_state=self.projections.hidden(out.last_hidden_state))


def initial_projections(teacher: dict[str, torch.Tensor], student_width: int = HIDDEN) -> Projections:
    """W_e = W_h = P^T, P the teacher's word-embedding PCA basis (see init_from_teacher)."""
    basis = pca_basis(teacher["embeddings.word_embeddings.weight"], student_width)
    projections = Projections(student_width, basis.shape[0])
    with torch.no_grad():
        projections.embeddings.weight.copy_(basis)
        projections.hidden.weight.copy_(basis)
    return projections
