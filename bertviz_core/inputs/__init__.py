"""Text in: decoding uploaded bytes, splitting sentences, plain-text folders, CoNLL-U treebanks."""
