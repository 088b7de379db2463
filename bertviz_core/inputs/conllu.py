"""CoNLL-U: the sentences (as text, with UD's spacing) and the words of a treebank."""
from __future__ import annotations

def conllu_sentences(text: str) -> list[str]:
    """Sentence texts of a CoNLL-U document (the `# text =` line, else the word forms)."""
    import conllu

    sentences = []
    for token_list in conllu.parse(text):
        sentence = token_list.metadata.get("text")
        if not sentence:
            # integer ids only: skip multiword ranges (3-4) and empty nodes (8.1)
            sentence = " ".join(t["form"] for t in token_list if isinstance(t["id"], int))
        if sentence.strip():
            sentences.append(sentence.strip())
    return sentences


def conllu_words(text: str) -> list[list[tuple[str, str, bool]]]:
    """Each sentence of a CoNLL-U document as (form, UPOS, space after) triples, one per token as written: a
    multiword token ("didn't") is one triple, UPOS "MWT", in place of its syntactic words (did, n't)."""
    import conllu

    out = []
    for token_list in conllu.parse(text):
        words, covered = [], 0  # a multiword token ("didn't" = did + n't) is kept whole, as written
        for t in token_list:
            space = (t["misc"] or {}).get("SpaceAfter") != "No"
            if isinstance(t["id"], tuple) and t["id"][1] == "-":
                words.append((t["form"], "MWT", space))
                covered = t["id"][2]
            elif isinstance(t["id"], int) and t["id"] > covered:
                words.append((t["form"], t["upos"] or "X", space))
        if words:
            out.append(words)
    return out
