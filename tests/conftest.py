"""Shared fixtures: tiny random checkpoints of every family, saved with save_pretrained."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# no background warm-up (app/warmup.py) in the test processes and the servers they start: a capture running beside
# a test would change what it counts (buffer pools, caches); tests/app/test_warmup.py calls it directly
os.environ.setdefault("BERTVIZ_WARMUP", "0")
if os.environ.get("PYTEST_XDIST_WORKER"):
    # `make test` runs two workers on two cores: one torch thread each (and in the servers, kernels and
    # commands they start). Two threads per worker oversubscribe the cores, and OpenMP's waiting threads
    # then spin: a 4 s test took 40 s of CPU that way.
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ.setdefault(var, "1")


def _scan_components_once():
    """Every new AppTest has Streamlit scan the metadata of all installed packages for custom components: 0.5 s of
    CPU each time (a server does it once, at start), several hundred times in a run. The installed packages do not
    change while the tests run, so each test process scans once."""
    import functools

    from streamlit.components.v2 import manifest_scanner

    if not hasattr(manifest_scanner.scan_component_manifests, "cache_info"):
        manifest_scanner.scan_component_manifests = functools.cache(manifest_scanner.scan_component_manifests)


_scan_components_once()


SHIPPED_FOLDERS = (ROOT / "bertviz_core" / "weights", ROOT / "bertviz_core" / "data")  # fixed here, never patched


def _shipped_state() -> dict[str, tuple[int, int]]:
    files = (p for folder in SHIPPED_FOLDERS for p in sorted(folder.rglob("*")) if p.is_file())
    return {str(p.relative_to(ROOT)): (p.stat().st_size, p.stat().st_mtime_ns) for p in files}


@pytest.fixture(scope="module", autouse=True)
def shipped_files_stay_untouched(request):
    """No test may write into the shipped weights or results (a fixture once saved an untrained TinyBERT-4 through a
    symlink into bertviz_core/weights, and it was committed): every file's size and modification time are the same
    after each test module, so a failure names the module that wrote."""
    before = _shipped_state()
    yield
    after = _shipped_state()
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    assert not changed, (
        f"{request.module.__name__} wrote into the shipped files: {changed} (or another process did meanwhile: a "
        "training export, bench/make_model_card.py, a git checkout)"
    )


FAMILIES = ("bert", "convbert", "distilbert", "albert", "roberta", "electra", "deberta-v2")


def tiny_config(family: str):
    import transformers as tf

    common = {"vocab_size": 30522, "max_position_embeddings": 64}
    small = dict(hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=37, **common)
    return {
        "bert": lambda: tf.BertConfig(**small),
        # head_ratio 2: 2 attention heads + 2 conv heads, kernel 9
        "convbert": lambda: tf.ConvBertConfig(
            **small, embedding_size=32, head_ratio=2, conv_kernel_size=9, pad_token_id=0
        ),
        "distilbert": lambda: tf.DistilBertConfig(dim=32, n_layers=2, n_heads=4, hidden_dim=37, **common),
        "albert": lambda: tf.AlbertConfig(**small, embedding_size=16),
        "roberta": lambda: tf.RobertaConfig(**{**small, "max_position_embeddings": 66}),
        "electra": lambda: tf.ElectraConfig(**small, embedding_size=16),
        "deberta-v2": lambda: tf.DebertaV2Config(
            **small,
            relative_attention=True,
            position_biased_input=False,
            pos_att_type=["p2c", "c2p"],
            max_relative_positions=64,
        ),
    }[family]()


def tiny_bpe_tokenizer():
    """A byte-level BPE tokenizer trained on two lines: splits words unlike WordPiece."""
    from tokenizers import ByteLevelBPETokenizer, processors
    from transformers import PreTrainedTokenizerFast

    lines = ["The quick brown fox jumps over the lazy dog.", "Tokenizers disagree about words."] * 5
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(
        lines, vocab_size=300, min_frequency=1, special_tokens=["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
    )
    bpe.post_processor = processors.RobertaProcessing(("</s>", 2), ("<s>", 0))
    return PreTrainedTokenizerFast(
        tokenizer_object=bpe._tokenizer,
        bos_token="<s>",
        eos_token="</s>",
        pad_token="<pad>",
        unk_token="<unk>",
        mask_token="<mask>",
        cls_token="<s>",
        sep_token="</s>",
    )


@pytest.fixture(scope="session")
def models_root(tmp_path_factory):
    """A models folder holding one tiny random checkpoint per family (safetensors)."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    from bertviz_core.models import student

    root = tmp_path_factory.mktemp("models")
    tokenizer = AutoTokenizer.from_pretrained(student.teacher_path())
    for family in FAMILIES:
        torch.manual_seed(0)
        model = AutoModel.from_config(tiny_config(family))
        model.save_pretrained(root / f"tiny-{family}")
        (tiny_bpe_tokenizer() if family == "roberta" else tokenizer).save_pretrained(root / f"tiny-{family}")
    os.environ["BERTVIZ_MODELS_DIR"] = str(root)
    return root


@pytest.fixture(scope="session")
def bert():
    import bertviz_core as bc

    return bc.load_model("bert-minilm-l6")


@pytest.fixture(scope="session")
def convbert():
    import bertviz_core as bc

    return bc.load_model("convbert-minilm-l6")


@pytest.fixture(scope="session")
def mlm_folder(models_root):
    """A tiny BertForMaskedLM (random, seed 1, head included) written once as `tiny-bert-mlm` beside the other
    tiny checkpoints: the one masked-LM checkpoint of the suite (attribution to a [MASK], fill-mask)."""
    import torch
    from transformers import AutoTokenizer, BertForMaskedLM

    from bertviz_core.models import student

    folder = models_root / "tiny-bert-mlm"
    torch.manual_seed(1)
    BertForMaskedLM(tiny_config("bert")).save_pretrained(folder)
    AutoTokenizer.from_pretrained(student.teacher_path()).save_pretrained(folder)
    return folder


@pytest.fixture
def fresh_cache():
    """Loads in the test go through the loader, not bertviz_core's model cache; the cache is restored after."""
    from bertviz_core.models import loading

    with loading._cache_lock:
        saved = dict(loading._cache)
        loading._cache.clear()
    yield
    with loading._cache_lock:
        loading._cache.clear()
        loading._cache.update(saved)


@pytest.fixture
def models_folder(tmp_path, monkeypatch, models_root):
    """A fresh models folder (BERTVIZ_MODELS_DIR) holding a working copy of tiny-bert as `good`."""
    import shutil

    root = tmp_path / "models"
    root.mkdir()
    shutil.copytree(models_root / "tiny-bert", root / "good")
    monkeypatch.setenv("BERTVIZ_MODELS_DIR", str(root))
    return root


def load_refusal(name: str) -> tuple[str, str, str, str]:
    """bc.load_model(name) must refuse: its (reason, model, detail, message)."""
    import bertviz_core as bc

    with pytest.raises(bc.ModelLoadError) as info:
        bc.load_model(name)
    e = info.value
    return e.reason, e.model, e.detail, str(e)


@pytest.fixture(scope="session")
def app_server():
    """One app server per test worker, shared by the browser tests (as a class shares one server): its base URL."""
    from browser_util import streamlit_server

    with streamlit_server(timeout=180) as proc:
        yield proc.base_url


def pytest_sessionfinish(session, exitstatus):
    """Close the Chromium that the browser tests of this process shared (tests/browser_util.py)."""
    import browser_util

    browser_util.shutdown()


def pytest_collection_modifyitems(config, items):
    """Mark the tests that drive a real server or browser `e2e`: everything in tests/e2e/, and the tests beside their
    feature that use the running app (`app_server`); a browser test without a server carries the marker itself."""
    e2e = Path(__file__).resolve().parent / "e2e"
    for item in items:
        if e2e in Path(str(item.path)).parents or "app_server" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.e2e)
