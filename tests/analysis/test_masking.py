"""Knowledge masking (bertviz_core.analysis.masking): the spans of BERT's token masking, whole-word masking, ERNIE's
phrase and entity masking, on hand-made CoNLL-U sentences whose phrases and entities are written out by hand."""

from __future__ import annotations

import pytest

from bertviz_core.analysis import masking

# The big dog chased a cat .   -> phrases "The big dog", "a cat"; no entity
DOG = """# text = The big dog chased a cat.
1\tThe\tthe\tDET\tDT\t_\t3\tdet\t_\t_
2\tbig\tbig\tADJ\tJJ\t_\t3\tamod\t_\t_
3\tdog\tdog\tNOUN\tNN\t_\t4\tnsubj\t_\t_
4\tchased\tchase\tVERB\tVBD\t_\t0\troot\t_\t_
5\ta\ta\tDET\tDT\t_\t6\tdet\t_\t_
6\tcat\tcat\tNOUN\tNN\t_\t4\tobj\t_\tSpaceAfter=No
7\t.\t.\tPUNCT\t.\t_\t4\tpunct\t_\t_

"""

# Mary Jo Foley 's new blog in New York .
# phrases: "Mary Jo Foley 's new blog" (nmod:poss with its flat names and its case marker, amod), "New York"
# (compound; the preposition "in" is the head's own case marker, not part of the phrase); "Mary Jo Foley" alone is
# inside the first phrase. Entities: "Mary Jo Foley", "New York".
FOLEY = """# text = Mary Jo Foley's new blog in New York.
1\tMary\tMary\tPROPN\tNNP\t_\t6\tnmod:poss\t_\t_
2\tJo\tJo\tPROPN\tNNP\t_\t1\tflat\t_\t_
3\tFoley\tFoley\tPROPN\tNNP\t_\t1\tflat\t_\tSpaceAfter=No
4\t's\t's\tPART\tPOS\t_\t1\tcase\t_\t_
5\tnew\tnew\tADJ\tJJ\t_\t6\tamod\t_\t_
6\tblog\tblog\tNOUN\tNN\t_\t0\troot\t_\t_
7\tin\tin\tADP\tIN\t_\t9\tcase\t_\t_
8\tNew\tNew\tPROPN\tNNP\t_\t9\tcompound\t_\t_
9\tYork\tYork\tPROPN\tNNP\t_\t6\tnmod\t_\tSpaceAfter=No
10\t.\t.\tPUNCT\t.\t_\t6\tpunct\t_\t_

"""

# its search - engine ( and now mail ) wares
# "wares" gathers its, engine (and engine's search and hyphen), but the parenthesis (engine's conj "mail", not a
# phrase relation) sits between them and wares: the run around "wares" is wares alone, so no phrase; "search -
# engine" is a phrase (compound, the hyphen attached to engine between them).
WARES = """# text = its search-engine (and now mail) wares
1\tits\tits\tPRON\tPRP$\t_\t9\tnmod:poss\t_\t_
2\tsearch\tsearch\tNOUN\tNN\t_\t4\tcompound\t_\tSpaceAfter=No
3\t-\t-\tPUNCT\tHYPH\t_\t4\tpunct\t_\tSpaceAfter=No
4\tengine\tengine\tNOUN\tNN\t_\t9\tcompound\t_\t_
5\t(\t(\tPUNCT\t-LRB-\t_\t8\tpunct\t_\tSpaceAfter=No
6\tand\tand\tCCONJ\tCC\t_\t8\tcc\t_\t_
7\tnow\tnow\tADV\tRB\t_\t8\tadvmod\t_\t_
8\tmail\tmail\tNOUN\tNN\t_\t4\tconj\t_\tSpaceAfter=No
9\t)\t)\tPUNCT\t-RRB-\t_\t8\tpunct\t_\t_
10\twares\tware\tNOUN\tNNS\t_\t0\troot\t_\t_

"""

# a multiword token: "Google's" is one written word holding Google and 's
GOOGLE = """# text = Google's rush
1-2\tGoogle's\t_\t_\t_\t_\t_\t_\t_\t_
1\tGoogle\tGoogle\tPROPN\tNNP\t_\t3\tnmod:poss\t_\t_
2\t's\t's\tPART\tPOS\t_\t1\tcase\t_\t_
3\trush\trush\tNOUN\tNN\t_\t0\troot\t_\t_

"""


def one_tree(text):
    [(words, tree)] = masking.tree_sentences(text)
    return words, tree


def by_words(strategy, words):
    return [" ".join(words[w] for w in span.words) for span in strategy.spans]


def one_piece_each(words):
    """Tokens and word ids of a sentence whose every word is one piece: [CLS] w0 w1 ... [SEP]."""
    return ["[CLS]", *words, "[SEP]"], [None, *range(len(words)), None]


def test_tree_sentences_reads_written_words_gold_tags_heads_and_the_words_of_a_multiword_token():
    words, tree = one_tree(GOOGLE)
    assert words == ["Google's", "rush"]
    assert tree.upos == ("PROPN", "PART", "NOUN")
    assert tree.heads == (3, 1, 0)
    assert tree.relations == ("nmod:poss", "case", "root")
    assert tree.unit == (0, 0, 1)


def test_noun_phrases_from_the_tree_determiner_and_adjective():
    words, tree = one_tree(DOG)
    km = masking.mask_sentence(*one_piece_each(words), tree=tree)
    assert km.source == "tree"
    assert by_words(km.phrase, words) == ["The big dog", "a cat"]
    assert km.entity.spans == ()


def test_possessor_with_its_names_and_case_marker_joins_the_phrase_and_the_preposition_does_not():
    words, tree = one_tree(FOLEY)
    km = masking.mask_sentence(*one_piece_each(words), tree=tree)
    assert by_words(km.phrase, words) == ["Mary Jo Foley 's new blog", "New York"]
    assert by_words(km.entity, words) == ["Mary Jo Foley", "New York"]


def test_a_phrase_interrupted_by_a_parenthesis_is_cut_there_and_a_hyphen_inside_joins():
    words, tree = one_tree(WARES)
    km = masking.mask_sentence(*one_piece_each(words), tree=tree)
    assert by_words(km.phrase, words) == ["search - engine"]


def test_multiword_token_spans_cover_the_written_word_pieces():
    _, tree = one_tree(GOOGLE)
    tokens = ["[CLS]", "google", "'", "s", "rush", "[SEP]"]
    km = masking.mask_sentence(tokens, [None, 0, 0, 0, 1, None], tree=tree)
    assert [s.tokens for s in km.phrase.spans] == [(1, 2, 3, 4)]
    assert [s.tokens for s in km.entity.spans] == [(1, 2, 3)]
    assert [s.tokens for s in km.whole_word.spans] == [(1, 2, 3), (4,)]
    assert [s.tokens for s in km.token.spans] == [(1,), (2,), (3,), (4,)]


def test_chunker_on_tags_finds_determiner_adjectives_numbers_and_noun_runs():
    tags = ["DET", "ADJ", "NOUN", "VERB", "NUM", "NOUN", "NOUN", "ADP", "PROPN", "PROPN", "PUNCT", "NOUN"]
    assert masking.chunk_phrases(tags) == [[0, 1, 2], [4, 5, 6], [8, 9]]  # the lone NOUN at 11 is no phrase
    assert masking.chunk_phrases(["DET", "DET", "NOUN"]) == [[1, 2]]  # one determiner at most
    assert masking.chunk_phrases(["ADJ", "VERB"]) == []
    assert masking.propn_runs(["PROPN", "NOUN", "PROPN", "PROPN", "PROPN", "X", "PROPN"]) == [[0], [2, 3, 4], [6]]


def test_tags_give_probe_source_and_no_tags_give_no_phrases_or_entities():
    words = ["The", "big", "dog", "saw", "New", "York", "."]
    tags = ["DET", "ADJ", "NOUN", "VERB", "PROPN", "PROPN", "PUNCT"]
    km = masking.mask_sentence(*one_piece_each(words), tags=tags)
    assert km.source == "probe"
    assert by_words(km.phrase, words) == ["The big dog", "New York"]
    assert by_words(km.entity, words) == ["New York"]
    bare = masking.mask_sentence(*one_piece_each(words))
    assert bare.source == "none" and bare.phrase.spans == () and bare.entity.spans == ()
    assert bare.phrase.hidden == () and len(bare.token.spans) == 7
    with pytest.raises(ValueError, match="6 tags for 7 words"):
        masking.mask_sentence(*one_piece_each(words), tags=tags[:-1])


def test_token_masking_hides_fifteen_percent_of_the_pieces_never_a_special_token():
    words = [f"w{k}" for k in range(20)]
    km = masking.mask_sentence(*one_piece_each(words), seed=3)
    assert len(km.token.hidden) == 3  # 15% of 20
    assert 0 not in km.token.hidden and 21 not in km.token.hidden
    assert km.content == tuple(range(1, 21))


def test_whole_word_masking_hides_every_piece_of_each_chosen_word():
    # 20 words of 2 pieces: 3 words chosen, so 6 pieces, both pieces of each
    tokens = ["[CLS]"] + [p for k in range(20) for p in (f"w{k}", f"##x{k}")] + ["[SEP]"]
    word_ids = [None] + [k for k in range(20) for _ in range(2)] + [None]
    km = masking.mask_sentence(tokens, word_ids, seed=1)
    hidden = km.whole_word.hidden
    assert len(hidden) == 6
    assert (
        {word_ids[p] for p in hidden}
        == {word_ids[p] for p in hidden if p % 2 == 1}
        == {word_ids[p] for p in hidden if p % 2 == 0}
    )
    assert len(km.token.hidden) == 6  # 15% of 40 pieces, each alone


def test_phrases_are_chosen_until_they_cover_fifteen_percent_of_the_pieces():
    # 10 one-piece words, two phrases of 3 words: 15% of 10 is 1.5, so whichever comes first is enough
    tags = ["DET", "ADJ", "NOUN", "VERB", "DET", "ADJ", "NOUN", "ADV", "ADV", "PUNCT"]
    words = [f"w{k}" for k in range(10)]
    for seed in range(6):
        km = masking.mask_sentence(*one_piece_each(words), tags=tags, seed=seed)
        assert len(km.phrase.chosen) == 1
        assert km.phrase.hidden in ((1, 2, 3), (5, 6, 7))
    # three copies (30 words, six phrases): 4.5 pieces needed, so two phrases (3 after the first is still < 4.5)
    km = masking.mask_sentence(*one_piece_each(words * 3), tags=tags * 3)
    assert len(km.phrase.chosen) == 2 and len(km.phrase.hidden) == 6


def test_a_seed_gives_the_same_draw_and_seeds_differ():
    words = [f"w{k}" for k in range(40)]
    draws = {masking.mask_sentence(*one_piece_each(words), seed=s).token.hidden for s in range(5)}
    assert len(draws) > 1
    again = masking.mask_sentence(*one_piece_each(words), seed=2).token.hidden
    assert again == masking.mask_sentence(*one_piece_each(words), seed=2).token.hidden


def test_bad_inputs_say_what_is_wrong():
    with pytest.raises(ValueError, match="same length"):
        masking.mask_sentence(["[CLS]", "a"], [None])
    with pytest.raises(ValueError, match="Unknown source"):
        masking.mask_sentence(*one_piece_each(["a"]), tags=["NOUN"], source="oracle")


def test_typed_sentence_with_the_bundled_tokenizer_and_a_hand_tagger(bert):
    tags = {"The": "DET", "big": "ADJ", "dog": "NOUN", "saw": "VERB", "New": "PROPN", "York": "PROPN", ".": "PUNCT"}
    km = masking.mask_text(bert.tokenizer, "The big dog saw New York.", lambda words: [tags[w] for w in words])
    assert km.tokens == ("[CLS]", "the", "big", "dog", "saw", "new", "york", ".", "[SEP]")
    assert [s.tokens for s in km.phrase.spans] == [(1, 2, 3), (5, 6)]
    assert [s.tokens for s in km.entity.spans] == [(5, 6)]
    assert masking.mask_text(bert.tokenizer, "The big dog.").source == "none"
    with pytest.raises(ValueError, match="no words"):
        masking.mask_text(bert.tokenizer, "   ")


def test_split_words_keeps_inner_hyphens_apostrophes_and_dots_and_cuts_other_symbols():
    assert masking.split_words("The U.S. don't York-based (big) dogs!") == [
        "The", "U.S", ".", "don't", "York-based", "(", "big", ")", "dogs", "!",
    ]  # fmt: skip


def test_read_quality_returns_the_results_or_none_for_a_missing_or_foreign_file(tmp_path):
    good = tmp_path / "q.json"
    good.write_text('{"model": "m", "strategies": {"token": {"spans": 3}}}', encoding="utf-8")
    assert masking.read_quality(good) == {"model": "m", "strategies": {"token": {"spans": 3}}}
    assert masking.read_quality(tmp_path / "missing.json") is None
    (tmp_path / "other.json").write_text('{"model": "m"}', encoding="utf-8")
    assert masking.read_quality(tmp_path / "other.json") is None
    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    assert masking.read_quality(tmp_path / "broken.json") is None
