"""Chinese text for the index and for queries (docs/search.md): normalised, segmented, with
the platform's own words and the synonyms editors keep.

- ``normalise``: full-width to half-width (NFKC), traditional to simplified (OpenCC
  ``t2s``), lower case, one space for any run of white space. Index and queries are
  normalised alike, so 居民身份證 finds 居民身份证 and ＡＢＣ finds abc.
- ``Segmenter``: rjieba (the Rust port of jieba, same dictionary; ``bench/segmentation.py``
  measures it against jieba) in search mode, which also gives the shorter words inside a
  long one (居民身份证 → 居民, 身份, 身份证, 居民身份证), plus the platform dictionary: the
  names of catalog items, departments and places (``platform_words``), so that 松林县行政审批局
  stays one term as well as its parts.
- ``index_terms`` and ``query_terms``: what goes into the index, what a query looks for
  (each query term with its synonyms).

Everything here is plain Python over strings; the dictionary is read from the database
once per process and again when ``reset`` is called (the rebuild command does).
"""

import functools
import re
import threading
import unicodedata

import opencc
import rjieba

_SPACE = re.compile(r"\s+")
# A token is kept when it has a letter, a digit or a CJK character (not punctuation alone).
_WORDLIKE = re.compile(r"[0-9a-z\u3400-\u9fff\uf900-\ufaff]")
# Words too common to count (and to look for) on their own.
STOP_WORDS = frozenset(
    "的 了 和 与 及 或 等 在 是 对 为 把 被 从 向 以 于 之 其 也 都 就 而 并 我 你 他 她 它 "
    "我们 你们 他们 这 那 这个 那个 吗 呢 吧 啊 怎么 怎样 如何 什么 哪里 哪些 请问 一下 "
    "想 要 需要 可以 能 能否 是否 有 没有".split()
)

_lock = threading.Lock()
_converter = opencc.OpenCC("t2s")


def normalise(text):
    """``text`` as the index compares it: half-width, simplified, lower case, single
    spaces."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", str(text))
    text = _converter.convert(text)
    return _SPACE.sub(" ", text.lower()).strip()


def platform_words():
    """Names the segmenter must keep whole: catalog items (basic catalog and implementations),
    departments, regions. Read from the database; an empty list when the tables are not
    there yet (before migrating)."""
    from django.db import DatabaseError

    words = set()
    try:
        from yiwang.catalog.models import CatalogItem, Implementation
        from yiwang.orgs.models import Department, Region

        for model, field in (
            (CatalogItem, "name"),
            (Implementation, "name"),
            (Department, "name"),
            (Region, "name"),
        ):
            words.update(model.objects.values_list(field, flat=True).distinct())
    except DatabaseError:
        return []
    return sorted(w for w in (normalise(w) for w in words) if 2 <= len(w) <= 40)


class Segmenter:
    """rjieba with the platform's words added (``words``)."""

    def __init__(self, words=()):
        self.jieba = rjieba.Jieba()
        self.words = tuple(words)
        for word in self.words:
            if " " not in word:
                self.jieba.add_word(word, None, None)

    def search_tokens(self, text):
        """``(token, start, end)`` of normalised ``text`` in search mode (overlapping)."""
        return self.jieba.tokenize(text, "search", True)

    def words_of(self, text):
        """The words of normalised ``text`` (no overlaps), punctuation dropped."""
        return [w for w in self.jieba.cut(text, True) if _WORDLIKE.search(w)]

    def terms(self, text):
        """The index terms of normalised ``text``: search-mode tokens with a letter, digit or
        CJK character, in order, overlaps included."""
        return [t for t, _, _ in self.search_tokens(text) if _WORDLIKE.search(t)]


@functools.cache
def _segmenter():
    return Segmenter(platform_words())


def segmenter():
    with _lock:
        return _segmenter()


def reset():
    """Forget the segmenter (and its dictionary) and the synonyms: read them again on next
    use (after the catalog or the synonyms changed)."""
    with _lock:
        _segmenter.cache_clear()
    synonyms.cache_clear()


def index_terms(text):
    """The terms of ``text`` for the index (normalised, segmented in search mode)."""
    return segmenter().terms(normalise(text))


def index_text(text):
    """``index_terms`` joined by spaces: what the engines store for their whitespace
    tokenizers (Tantivy's, PostgreSQL's ``simple`` configuration)."""
    return " ".join(index_terms(text))


SYNONYMS_VERSION_KEY = "search:synonyms-version"
_synonyms_cache = {}


def synonyms_changed():
    """Synonym groups were edited: every process reads them again on its next query (the
    version lives in the shared cache)."""
    from django.core.cache import cache

    try:
        cache.incr(SYNONYMS_VERSION_KEY)
    except ValueError:
        cache.set(SYNONYMS_VERSION_KEY, 1, None)
    _synonyms_cache.clear()


def synonyms():
    """``{term: frozenset of its synonyms, itself included}`` from the active synonym groups
    (``models.SynonymGroup``), each term normalised; read again when another process says
    they changed (``synonyms_changed``)."""
    from django.core.cache import cache

    version = cache.get(SYNONYMS_VERSION_KEY, 0)
    cached = _synonyms_cache.get("table")
    if cached is not None and cached[0] == version:
        return cached[1]
    table = _read_synonyms()
    _synonyms_cache["table"] = (version, table)
    return table


synonyms.cache_clear = _synonyms_cache.clear


def _read_synonyms():
    from django.db import DatabaseError

    try:
        from .models import SynonymGroup

        groups = [g.term_list for g in SynonymGroup.objects.filter(active=True)]
    except DatabaseError:
        return {}
    table = {}
    for group in groups:
        terms = {normalise(t) for t in group if normalise(t)}
        for term in terms:
            table[term] = frozenset(table.get(term, frozenset()) | terms)
    return table


def query_terms(query):
    """The terms a query looks for, each a tuple of alternatives (the term, then its
    synonyms): the query's words (non-overlapping, stop words dropped), so that 身份证怎么办
    looks for 身份证 (or 居民身份证) and 办. A word the dictionary cuts further in search
    mode keeps only its whole form: the index holds it whole too."""
    text = normalise(query)
    table = synonyms()
    words = segmenter().words_of(text)
    kept = [w for w in words if w not in STOP_WORDS] or words
    out, seen = [], set()
    for word in kept:
        if word in seen:
            continue
        seen.add(word)
        alternatives = [word, *sorted(table.get(word, frozenset()) - {word})]
        out.append(tuple(alternatives))
    return out


def highlight_spans(text, terms):
    """``[(start, end)]`` of the places in ``text`` (as given, not normalised; NFKC and
    simplification keep positions for Chinese text) where any of ``terms`` occurs, merged
    and in order."""
    if not text or not terms:
        return []
    folded = normalise_keep_length(text)
    spans = []
    for term in sorted({t for t in terms if t}, key=len, reverse=True):
        start = folded.find(term)
        while start != -1:
            spans.append((start, start + len(term)))
            start = folded.find(term, start + len(term))
    spans.sort()
    merged = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def normalise_keep_length(text):
    """``text`` folded character by character (so positions stay those of ``text``):
    each character normalised on its own when that gives one character, else kept."""
    out = []
    for char in text:
        folded = normalise(char) if not char.isspace() else " "
        out.append(folded if len(folded) == 1 else char.lower())
    return "".join(out)
