"""bertviz_core.inputs.tokenizers: each word of a sentence with the pieces a tokenizer cuts it into.

Known answers from a hand-built WordPiece vocabulary and a hand-built Unigram (SentencePiece) model; the bundled
tokenizer's and a byte-level BPE's splits checked against their own `tokenize`."""

from __future__ import annotations

import pytest
from conftest import tiny_bpe_tokenizer

from bertviz_core.inputs import tokenizers as tk
from bertviz_core.models import student

SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
WORDPIECE = [*SPECIALS, "the", "cat", "took", "ace", "##tam", "##ino", "##phen", ",", ".", "头", "didn", "t"]
SENTENCE = "The cat took acetaminophen, 头痛. didn't"
EXPECTED = [  # word, pieces: 痛 and ' are not in the vocabulary
    ("The", ("the",)),
    ("cat", ("cat",)),
    ("took", ("took",)),
    ("acetaminophen", ("ace", "##tam", "##ino", "##phen")),
    (",", (",",)),
    ("头", ("头",)),
    ("痛", ("[UNK]",)),
    (".", (".",)),
    ("didn", ("didn",)),
    ("'", ("[UNK]",)),
    ("t", ("t",)),
]


@pytest.fixture(scope="module")
def wordpiece():
    from transformers import BertTokenizer

    return BertTokenizer(vocab={piece: i for i, piece in enumerate(WORDPIECE)}, do_lower_case=True)


@pytest.fixture(scope="module")
def unigram():
    """SentencePiece-style: "头痛" is one piece, so the word 痛 has none of its own; "x" is unknown."""
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocab = [("<unk>", 0.0), ("▁", -2.0), ("头痛", -1.0), ("头", -4.0), ("痛", -4.0), ("▁ok", -1.0), ("o", -4.0)]
    backend = Tokenizer(models.Unigram(vocab, unk_id=0))
    backend.pre_tokenizer = pre_tokenizers.Metaspace()
    return PreTrainedTokenizerFast(tokenizer_object=backend, unk_token="<unk>")


@pytest.fixture(scope="module")
def bundled():
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(student.teacher_path())


def flat(splits: list[tk.WordSplit]) -> list[str]:
    return [piece for s in splits for piece in s.pieces]


def test_a_hand_built_wordpiece_vocabulary_gives_the_known_split(wordpiece):
    splits = tk.split_words(wordpiece, SENTENCE)
    assert [(s.word, s.pieces) for s in splits] == EXPECTED
    assert [s.is_unknown for s in splits] == [pieces == ("[UNK]",) for _, pieces in EXPECTED]
    assert [SENTENCE[s.start : s.end] for s in splits] == [word for word, _ in EXPECTED]
    assert not any(s.joined for s in splits)
    assert flat(splits) == wordpiece.tokenize(SENTENCE)
    summary = tk.summarize(splits)
    assert summary == tk.SplitSummary(
        words=11, pieces=14, unknown_pieces=2, unknown_words=2, split_words=1, pieces_per_word=14 / 11
    )
    assert tk.most_cut(splits) == 3  # acetaminophen; unknown words are told apart, not "most cut"
    assert tk.vocabulary_kind(wordpiece) == "wordpiece" and tk.vocabulary_size(wordpiece) == len(WORDPIECE)


def test_words_are_runs_of_letters_and_digits_and_each_other_character():
    text = "  didn't... 头痛 हिन्दी x2, 😀 "
    words = [text[s:e] for s, e in tk.word_spans(text)]
    assert words == ["didn", "'", "t", ".", ".", ".", "头", "痛", "हिन्दी", "x2", ",", "😀"]  # vowel signs stay inside
    assert tk.word_spans("") == [] and tk.split_words(None, "   ") == []


@pytest.mark.parametrize(
    "text",
    [
        "The patient took acetaminophen for her headache (German: Kopfschmerzen; Chinese: 头痛).",
        "医生给病人开了 acetaminophen（对乙酰氨基酚）来退烧。",
        "naïve café, São Paulo's 2nd-best 😀 हिन्दी!!",
    ],
)
def test_the_bundled_tokenizers_split_is_its_own_tokenize(bundled, text):
    splits = tk.split_words(bundled, text)
    assert flat(splits) == bundled.tokenize(text)
    assert tk.summarize(splits).unknown_pieces == bundled.tokenize(text).count("[UNK]")
    for s in splits:  # every WordPiece word: a first piece, then ## continuations (or one [UNK])
        assert s.pieces and all(p.startswith("##") for p in s.pieces[1:]), s


def test_the_bundled_tokenizer_cuts_acetaminophen_into_five_pieces(bundled):
    splits = tk.split_words(bundled, "The patient took acetaminophen.")
    assert splits[3].pieces == ("ace", "##tam", "##ino", "##ph", "##en")
    assert tk.most_cut(splits) == 3
    assert tk.vocabulary_kind(bundled) == "wordpiece" and tk.vocabulary_size(bundled) == 30522


def test_a_byte_level_bpe_split_is_its_own_tokenize():
    bpe = tiny_bpe_tokenizer()
    text = "The quick brown fox disagrees... about words."
    splits = tk.split_words(bpe, text)
    assert flat(splits) == bpe.tokenize(text)
    assert tk.vocabulary_kind(bpe) == "byte_bpe"
    for s in splits:  # ASCII: the pieces spell the word (Ġ marks the space before it), or it is joined
        assert "".join(s.pieces).replace("Ġ", "") == s.word or (s.joined and not s.pieces), s


def test_a_piece_across_two_words_goes_to_the_first_and_the_second_is_joined(unigram):
    splits = tk.split_words(unigram, "头痛 ok x")
    assert [(s.word, s.pieces, s.joined) for s in splits] == [
        ("头", ("▁", "头痛"), False),
        ("痛", (), True),
        ("ok", ("▁ok",), False),
        ("x", ("▁", "x"), False),
    ]
    assert flat(splits) == unigram.tokenize("头痛 ok x")
    # a Unigram tokenizer writes an unknown piece as its text ("x"), with the unknown token's id
    assert [s.is_unknown for s in splits] == [False, False, False, True]
    assert tk.summarize(splits).unknown_pieces == 1 and tk.summarize(splits).pieces_per_word == 5 / 4
    assert tk.vocabulary_kind(unigram) == "unigram"


class PlainTokenizer:
    """A tokenizer without character offsets (like transformers' pure-Python ones): one piece per letter."""

    is_fast = False
    unk_token = "?"

    def tokenize(self, word: str) -> list[str]:
        return [ch if ch.isascii() else "?" for ch in word]


def test_a_tokenizer_without_offsets_tokenizes_word_by_word():
    splits = tk.split_words(PlainTokenizer(), "ab, 头")
    assert [(s.word, s.pieces, s.is_unknown) for s in splits] == [
        ("ab", ("a", "b"), False),
        (",", (",",), False),
        ("头", ("?",), True),
    ]
    assert tk.vocabulary_kind(PlainTokenizer()) == "other"


def test_contrast_finds_the_word_cut_most_differently_and_the_word_only_one_knows(wordpiece, bundled):
    text = "The cat took acetaminophen, 头痛. didn't"
    small, large = tk.split_words(wordpiece, text), tk.split_words(bundled, text)
    assert large[3].pieces == ("ace", "##tam", "##ino", "##ph", "##en")  # 5 pieces against 4
    assert [s.is_unknown for s in large[5:7]] == [True, True] and large[9].pieces == ("'",)  # 头痛 unknown, ' known
    assert tk.contrast(small, large) == 3
    assert tk.unknown_contrast(small, large) == 5  # 头: known to the small vocabulary only (痛 to neither)
    assert tk.unknown_contrast(small[6:], large[6:]) == 3  # then ': known to the bundled one only
    assert tk.contrast(large, large) is None and tk.unknown_contrast(large, large) is None
    with pytest.raises(ValueError, match="same text"):
        tk.contrast(small, tk.split_words(bundled, "The cat."))


def test_most_cut_is_none_when_no_known_word_is_cut(wordpiece):
    assert tk.most_cut(tk.split_words(wordpiece, "the cat 痛")) is None
    assert tk.most_cut([]) is None and tk.summarize([]).pieces_per_word == 0.0


def test_tokenizers_load_from_a_folder_and_never_download(wordpiece, tmp_path):
    wordpiece.save_pretrained(tmp_path / "tok")
    loaded = tk.load_tokenizer(tmp_path / "tok")
    assert loaded.tokenize(SENTENCE) == wordpiece.tokenize(SENTENCE)
    with pytest.raises(OSError):  # not in the local cache: nothing is fetched (HF_HUB_OFFLINE=1 in the tests, too)
        tk.load_tokenizer("nobody-here/no-such-tokenizer")
