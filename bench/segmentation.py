"""Chinese word segmentation for the search index: jieba (PyPI jieba, pure Python) against
rjieba (PyPI rjieba, jieba-rs bound for Python), speed and agreement, in the same run.

Reads real citizen messages and the government's replies (the 留言主题, 留言详情 and 答复意见
columns of ../shared/real-material/taidi-2020c-smart-gov/fj4_full_messages_with_replies.csv.gz),
or a UTF-8 text file given with --texts (one text a line), or, when neither is there, news and
notices from the demo generator (``yiwang.demo.text.TextGenerator``, seed 1). The texts are
taken in order, and repeated if need be, until the corpus holds at least N MB of UTF-8
(1 MB = 10^6 bytes), and are segmented one by one, as an indexer would, never as one string.

Both libraries are warmed up first (jieba loads its dictionary lazily, rjieba when it is
imported) and each one's dictionary load time is printed. Then, for normal mode
(``jieba.lcut`` against ``rjieba.cut``) and search mode (``jieba.lcut_for_search`` against
``rjieba.cut_for_search``), both with their default HMM setting (on in both), each library
segments the corpus three times and the best run gives MB/s and texts/s. jieba is slow, so when
timing it on the whole corpus would take more than about a minute it is timed on the first
part only (at least 1 MB, or --jieba-megabytes), and the output says so; rjieba always does
all of it.

Agreement is measured on the texts both libraries segmented: the share of texts whose token
lists are identical, and token agreement = matched tokens / the larger of the two token totals.
In normal mode a token matches when the same character span (start, end) is a token in both
segmentations; search mode yields overlapping tokens, so there the multisets of tokens are
compared. A few of the commonest differences are printed.

Last, the same 20 platform words (一网通办, 好差评, 住房公积金, 松林县行政审批局, ...) are added
to both with ``add_word`` and each library's count of those that come out as one token in
normal mode, alone and inside a sentence, is printed, before and after adding.

    .venv/bin/python bench/segmentation.py [--megabytes N] [--texts PATH]
"""

import argparse
import csv
import datetime
import difflib
import gzip
import importlib.metadata
import logging
import os
import platform
import random
import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MESSAGES = (
    REPO.parent
    / "shared"
    / "real-material"
    / "taidi-2020c-smart-gov"
    / "fj4_full_messages_with_replies.csv.gz"
)
COLUMNS = ("留言主题", "留言详情", "答复意见")
MB = 1_000_000
REPEATS = 3
# Seconds that jieba's six timed runs (two modes, three repeats) may take in all before it is
# timed on the first part of the corpus only.
JIEBA_BUDGET = 60.0
PROBE_BYTES = 200_000
HAN = re.compile(r"[\u4e00-\u9fff]")

PLATFORM_WORDS = (
    "一网通办",
    "好差评",
    "居民身份证",
    "住房公积金",
    "不动产登记",
    "营业执照",
    "社会保障卡",
    "医疗保险",
    "新生儿",
    "出生医学证明",
    "松林县行政审批局",
    "松林县人民政府办公室",
    "青石镇便民服务中心",
    "跨省通办",
    "一件事一次办",
    "电子证照",
    "政务服务中心",
    "最多跑一次",
    "秒批秒办",
    "适老化改造",
)
SENTENCE = "请问在{}怎么办理相关手续"

DEMO_TOPICS = (
    "优化营商环境",
    "安全生产",
    "乡村振兴",
    "森林防火",
    "食品安全",
    "政务公开",
    "一网通办",
    "住房公积金",
    "医疗保障",
    "不动产登记",
)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--megabytes", type=float, default=4.0, help="corpus size (10^6 bytes)")
    parser.add_argument("--texts", type=Path, help="a UTF-8 text file, one text a line")
    parser.add_argument(
        "--jieba-megabytes",
        type=float,
        help="time jieba on the first N MB only (default: all, unless that takes over a minute)",
    )
    return parser.parse_args()


# -- the texts ---------------------------------------------------------------------------


def message_texts(path):
    """Subjects, messages and replies, each one text, with the page padding stripped."""
    rows = csv.reader(gzip.open(path, "rt", encoding="utf-8"))
    header = next(rows)
    wanted = [i for i, name in enumerate(header) if any(column in name for column in COLUMNS)]
    texts = []
    for row in rows:
        for i in wanted:
            if i < len(row) and row[i].strip():
                texts.append(row[i].strip())
    return texts


def file_texts(path):
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip()]


def demo_texts():
    """News and notices of a made-up county, as the demo site group has them, tags removed."""
    sys.path.insert(0, str(REPO))
    from yiwang.demo.text import TextGenerator, Voice

    voice = Voice(
        org="松林县",
        signer="松林县人民政府办公室",
        place="松林县",
        level_word="县",
        sub_units="各乡镇（街道）",
        addressee="各乡镇人民政府、街道办事处，县直各有关单位：",
        sub_places=("青石镇", "松涛镇", "白沙乡"),
    )
    rng = random.Random(1)
    generator = TextGenerator(rng)
    tags = re.compile(r"<[^>]+>")
    texts = []
    day = datetime.date(2025, 1, 1)
    for serial in range(1500):
        topic = DEMO_TOPICS[serial % len(DEMO_TOPICS)]
        if serial % 2:
            title, _, body = generator.notice(voice, topic, day, serial)
        else:
            title, _, body = generator.news(voice, topic, day, f"县长{generator.person_name()}")
        texts += [title, tags.sub("", body)]
        day += datetime.timedelta(days=1)
    return texts


def load_texts(path):
    if path is not None:
        return file_texts(path), str(path)
    if MESSAGES.exists():
        return message_texts(MESSAGES), f"{MESSAGES.name} ({', '.join(COLUMNS)})"
    return demo_texts(), "the demo generator (yiwang.demo.text, seed 1)"


def utf8_size(texts):
    return sum(len(text.encode("utf-8")) for text in texts)


def build_corpus(texts, megabytes):
    """The texts in order, repeated from the start as often as needed to reach the size."""
    corpus, size, i = [], 0, 0
    while size < megabytes * MB:
        text = texts[i % len(texts)]
        corpus.append(text)
        size += len(text.encode("utf-8"))
        i += 1
    return corpus


def first_part(corpus, megabytes):
    part, size = [], 0
    for text in corpus:
        if size >= megabytes * MB:
            break
        part.append(text)
        size += len(text.encode("utf-8"))
    return part


# -- timing ------------------------------------------------------------------------------


def warm_up():
    """Loads both dictionaries, timing each, and segments one short text with each."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    cached = os.path.exists(os.path.join(tempfile.gettempdir(), "jieba.cache"))
    started = time.perf_counter()
    jieba.initialize()
    jieba_load = time.perf_counter() - started

    # rjieba builds its default dictionary when the module is imported.
    started = time.perf_counter()
    import rjieba

    rjieba_load = time.perf_counter() - started
    sample = "市民可通过政务服务网办理住房公积金提取业务"
    jieba.lcut(sample)
    jieba.lcut_for_search(sample)
    rjieba.cut(sample)
    rjieba.cut_for_search(sample)
    return jieba, rjieba, jieba_load, rjieba_load, cached


def best_of(cut, texts):
    """The best of REPEATS runs in seconds, and the token lists of the last run."""
    best = None
    for _ in range(REPEATS):
        started = time.perf_counter()
        tokens = [cut(text) for text in texts]
        seconds = time.perf_counter() - started
        best = seconds if best is None else min(best, seconds)
    return best, tokens


def jieba_share(jieba, corpus, corpus_bytes, asked):
    """How much of the corpus jieba is timed on: asked for, or what fits in JIEBA_BUDGET."""
    if asked is not None:
        return first_part(corpus, asked)
    probe = first_part(corpus, PROBE_BYTES / MB)
    started = time.perf_counter()
    for text in probe:
        jieba.lcut_for_search(text)
    rate = utf8_size(probe) / (time.perf_counter() - started)
    # Six runs, search mode a little slower than normal mode: the probe's rate for both.
    if 2 * REPEATS * corpus_bytes / rate <= JIEBA_BUDGET:
        return corpus
    return first_part(corpus, max(1.0, JIEBA_BUDGET / (2 * REPEATS) * rate / MB))


# -- agreement ---------------------------------------------------------------------------


def spans(tokens):
    out, start = set(), 0
    for token in tokens:
        out.add((start, start + len(token)))
        start += len(token)
    return out


def shape(tokens):
    """A difference's look, digits as 0 and Latin letters as a: one phone number stands for
    all of them."""
    return re.sub(r"[A-Za-z]+", "a", re.sub(r"\d+", "0", "/".join(tokens)))


def normal_agreement(ours, theirs):
    """Identical texts, token agreement on spans, the differences by shape and how many of them
    touch a Chinese character."""
    identical = matched = total_ours = total_theirs = chinese = 0
    differences = Counter()
    for a, b in zip(ours, theirs, strict=True):
        total_ours += len(a)
        total_theirs += len(b)
        if a == b:
            identical += 1
            matched += len(a)
            continue
        matched += len(spans(a) & spans(b))
        matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
        for op, i1, i2, j1, j2 in matcher.get_opcodes():
            if op != "equal":
                differences[(shape(a[i1:i2]), shape(b[j1:j2]))] += 1
                chinese += bool(HAN.search("".join(a[i1:i2] + b[j1:j2])))
    return identical, matched / max(total_ours, total_theirs), differences, chinese


def search_agreement(ours, theirs):
    """As normal_agreement, on multisets of tokens: a difference is a token only one side has."""
    identical = matched = total_ours = total_theirs = chinese = 0
    differences = Counter()
    for a, b in zip(ours, theirs, strict=True):
        total_ours += len(a)
        total_theirs += len(b)
        if a == b:
            identical += 1
            matched += len(a)
            continue
        bag_a, bag_b = Counter(a), Counter(b)
        matched += sum((bag_a & bag_b).values())
        for token in bag_a - bag_b:
            differences[(shape([token]), "∅")] += 1
            chinese += bool(HAN.search(token))
        for token in bag_b - bag_a:
            differences[("∅", shape([token]))] += 1
            chinese += bool(HAN.search(token))
    return identical, matched / max(total_ours, total_theirs), differences, chinese


def print_differences(mode, differences, count):
    for (ours, theirs), seen in differences.most_common(count):
        print(f"    {mode}: jieba {ours[:40]}  rjieba {theirs[:40]}  ({seen}×)")


# -- the platform's words ----------------------------------------------------------------


def whole_counts(cut):
    alone = sum(cut(word) == [word] for word in PLATFORM_WORDS)
    inside = sum(word in cut(SENTENCE.format(word)) for word in PLATFORM_WORDS)
    return alone, inside


def dictionary_check(jieba, rjieba):
    before = {"jieba": whole_counts(jieba.lcut), "rjieba": whole_counts(rjieba.cut)}
    for word in PLATFORM_WORDS:
        jieba.add_word(word)
        # rjieba takes freq and tag as required arguments; None lets it suggest the frequency.
        rjieba.add_word(word, None, None)
    after = {"jieba": whole_counts(jieba.lcut), "rjieba": whole_counts(rjieba.cut)}
    n = len(PLATFORM_WORDS)
    print(f"platform words kept whole in normal mode (of {n}; in a sentence: “{SENTENCE}”):")
    for name in ("jieba", "rjieba"):
        (alone0, inside0), (alone1, inside1) = before[name], after[name]
        print(
            f"  {name:<7} before add_word: alone {alone0:2d}, in a sentence {inside0:2d}; "
            f"after: alone {alone1:2d}, in a sentence {inside1:2d}"
        )
    missed = [
        word
        for word in PLATFORM_WORDS
        if word not in jieba.lcut(SENTENCE.format(word))
        or word not in rjieba.cut(SENTENCE.format(word))
    ]
    if missed:
        print(f"  still split after add_word: {'、'.join(missed)}")


# -- the run -----------------------------------------------------------------------------


def main():
    args = parse_args()
    texts, source = load_texts(args.texts)
    if not texts:
        sys.exit("no texts")
    corpus = build_corpus(texts, args.megabytes)
    corpus_bytes = utf8_size(corpus)

    jieba, rjieba, jieba_load, rjieba_load, cached = warm_up()
    share = jieba_share(jieba, corpus, corpus_bytes, args.jieba_megabytes)
    share_bytes = utf8_size(share)

    print(
        f"Python {platform.python_version()}, jieba {jieba.__version__}, "
        f"rjieba {importlib.metadata.version('rjieba')}"
    )
    print(f"texts from {source}: {len(texts)} distinct")
    print(
        f"corpus: {len(corpus)} texts, {corpus_bytes / MB:.2f} MB UTF-8, "
        f"{sum(map(len, corpus))} characters"
    )
    if len(share) < len(corpus):
        print(
            f"jieba timed on the first {len(share)} texts ({share_bytes / MB:.2f} MB) only, "
            "rjieba on all of them; agreement on those texts"
        )
    print(
        f"dictionary load: jieba {jieba_load:.3f} s "
        f"({'from its cache' if cached else 'built, cache written'}), "
        f"rjieba {rjieba_load:.3f} s (import)"
    )
    print(f"best of {REPEATS} runs, default HMM (on in both):")
    print(f"  {'library':<8}{'mode':<8}{'MB/s':>9}{'texts/s':>11}{'seconds':>9}{'MB':>7}")

    modes = (
        ("normal", jieba.lcut, rjieba.cut, normal_agreement),
        ("search", jieba.lcut_for_search, rjieba.cut_for_search, search_agreement),
    )
    results = []
    for mode, jieba_cut, rjieba_cut, agreement in modes:
        jieba_seconds, jieba_tokens = best_of(jieba_cut, share)
        rjieba_seconds, rjieba_tokens = best_of(rjieba_cut, corpus)
        jieba_rate = share_bytes / MB / jieba_seconds
        rjieba_rate = corpus_bytes / MB / rjieba_seconds
        for name, seconds, rate, count, size in (
            ("jieba", jieba_seconds, jieba_rate, len(share), share_bytes),
            ("rjieba", rjieba_seconds, rjieba_rate, len(corpus), corpus_bytes),
        ):
            print(
                f"  {name:<8}{mode:<8}{rate:9.2f}{count / seconds:11.0f}"
                f"{seconds:9.2f}{size / MB:7.2f}"
            )
        found = agreement(jieba_tokens, rjieba_tokens[: len(share)])
        results.append((mode, rjieba_rate / jieba_rate, *found))

    print(f"rjieba against jieba, on {len(share)} texts:")
    for mode, ratio, identical, tokens, differences, chinese in results:
        print(
            f"  {mode:<7} speed ratio {ratio:5.1f}×   identical texts {identical / len(share):6.1%}"
            f"   token agreement {tokens:7.2%}"
        )
        found = sum(differences.values())
        print(f"          {found} differences, {chinese} of them with Chinese characters")
    print("commonest differences (digits shown as 0, Latin letters as a, ∅ for none):")
    print_differences("normal", results[0][4], 3)
    print_differences("search", results[1][4], 2)

    dictionary_check(jieba, rjieba)


if __name__ == "__main__":
    main()
