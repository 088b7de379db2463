"""Corpus-scale statistics: running a model over many sentences (run) and the results folders it writes (results)."""
