"""Imported once by mutmut's fork server (bench/mutate.py, forkserver_warmup = "import"), so each
mutant's forked test run finds the heavy imports and the bundled models already in memory instead of
loading them again (seconds per mutant). Not used for loading.py, whose own code these loads would skip."""
import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy  # noqa: E402,F401
import torch  # noqa: E402,F401
import transformers  # noqa: E402,F401
import streamlit  # noqa: E402,F401
from streamlit.testing.v1 import AppTest  # noqa: E402,F401

import bertviz_core as bc  # noqa: E402

torch.set_num_threads(1)
for _name in ("bert-minilm-l6", "convbert-minilm-l6"):
    bc.load_model(_name)
