"""“您是不是要找” (docs/search.md): when a search finds nothing, a better query to offer.

1. A query word that no indexed title or platform name uses, and that sounds like one that
   does (the same pinyin without tones: 身分证 → 身份证, 公基金 → 公积金), is replaced by
   the most frequent such word — the commonest Chinese typing mistake is a homophone.
2. Otherwise, with several words, the query without the word that stops it from matching.

The offer is made only when it finds something. The vocabulary (``SuggestionWord``) is
written by ``index.rebuild`` and grows with every document indexed.
"""

import re
from collections import Counter

from django.db import IntegrityError, transaction
from django.db.models import F
from pypinyin import lazy_pinyin

from . import text
from .models import SuggestionWord

_CJK = re.compile(r"[\u3400-\u9fff]")
BATCH = 1000


def pinyin_key(word):
    return " ".join(lazy_pinyin(word))[:200]


def _words(title):
    normalised = text.normalise(title)
    return [
        w for w in text.segmenter().words_of(normalised) if 2 <= len(w) <= 40 and _CJK.search(w)
    ]


def rebuild_vocabulary(titles):
    """Replace the vocabulary with the words of ``titles`` and the platform dictionary."""
    counts = Counter()
    for title in titles:
        counts.update(_words(title))
    for word in text.platform_words():
        if _CJK.search(word) and len(word) <= 40:
            counts[word] += 1
    with transaction.atomic():
        SuggestionWord.objects.all().delete()
        SuggestionWord.objects.bulk_create(
            [
                SuggestionWord(word=word, pinyin=pinyin_key(word), weight=n)
                for word, n in counts.items()
            ],
            batch_size=BATCH,
        )
    return len(counts)


def learn(titles):
    """Add the words of newly indexed ``titles``."""
    for word in {w for title in titles for w in _words(title)}:
        if SuggestionWord.objects.filter(word=word).update(weight=F("weight") + 1):
            continue
        try:
            with transaction.atomic():
                SuggestionWord.objects.create(word=word, pinyin=pinyin_key(word))
        except IntegrityError:
            pass


def _known(word):
    return SuggestionWord.objects.filter(word=word).exists()


def _homophone(word):
    """The most frequent known word that sounds like ``word`` (not ``word`` itself)."""
    if not _CJK.search(word) or len(word) > 40:
        return None
    best = (
        SuggestionWord.objects.filter(pinyin=pinyin_key(word))
        .exclude(word=word)
        .order_by("-weight", "word")
        .first()
    )
    return best.word if best is not None else None


def candidates(terms):
    """Queries to try instead of one made of ``terms`` (``text.query_terms``), best first:
    the whole query as one known homophone; each unknown word replaced by one; two
    neighbouring words (a typo often splits a word: 植树造淋 → 植树 / 造淋) replaced by one;
    each word left out."""
    words = [group[0] for group in terms]
    out = []
    if len(words) > 1:
        whole = _homophone("".join(words))
        if whole:
            out.append(whole)
    replaced, changed = [], False
    for word in words:
        if _CJK.search(word) and not _known(word):
            better = _homophone(word)
            if better:
                replaced.append(better)
                changed = True
                continue
        replaced.append(word)
    if changed:
        out.append(" ".join(replaced))
    for i in range(len(words) - 1):
        merged = _homophone(words[i] + words[i + 1])
        if merged:
            out.append(" ".join([*words[:i], merged, *words[i + 2 :]]))
    if len(words) > 1:
        for index in range(len(words)):
            out.append(" ".join(w for i, w in enumerate(words) if i != index))
    seen, unique = set(), []
    for candidate in out:
        if candidate not in seen:
            seen.add(candidate)
            unique.append(candidate)
    return unique
