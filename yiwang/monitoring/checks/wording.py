"""Wrong and sensitive wording (错敏词): the dictionary's wrong texts found in a page's visible
text.

Rules:
- Longest match first: where entries overlap, the longest hit wins and the shorter ones
  inside it are not reported ("国家食品药品监督管理总局" is one hit, not also "食品药品监督管理").
- A correct text is never a hit: a hit of a wrong text that is part of an occurrence of a
  correct text holding it (any entry's correct text) is dropped. With the entry 人民共和国 →
  中华人民共和国, "中华人民共和国" does not hit, "人民共和国成立" does.
- Context: about 20 characters either side, on one line.
"""

import re
from dataclasses import dataclass

CONTEXT_CHARS = 20


@dataclass(frozen=True)
class Entry:
    wrong: str
    correct: str = ""
    category: str = "wrong"


@dataclass(frozen=True)
class Hit:
    entry: Entry
    start: int
    end: int
    context: str


def _trie_pattern(words):
    """A regular expression matching any of ``words``, longest first at each position (a trie
    of the words, so a long dictionary costs little per character)."""
    trie = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = True

    def build(node):
        ends = "" in node
        branches = [re.escape(char) + build(child) for char, child in node.items() if char]
        if not branches:
            return ""
        if len(branches) == 1 and not ends:
            return branches[0]
        alternatives = "(?:" + "|".join(branches) + ")"
        # Greedy "?": the longer word is tried first.
        return alternatives + "?" if ends else alternatives

    return build(trie)


class Dictionary:
    """The wording dictionary: (wrong, correct, category) triples, as the caller keeps them."""

    def __init__(self, entries=()):
        self.entries = {}
        for item in entries:
            if isinstance(item, Entry):
                entry = item
            else:
                wrong, correct, category = (tuple(item) + ("", "wrong"))[:3]
                entry = Entry(
                    (wrong or "").strip(), (correct or "").strip(), (category or "wrong").strip()
                )
            if entry.wrong and entry.wrong not in self.entries:
                self.entries[entry.wrong] = entry
        self._regex = None
        # wrong text -> [(correct text containing it, offsets of the wrong text in it)].
        self._protecting = {}
        if self.entries:
            words = sorted(self.entries, key=lambda w: (-len(w), w))
            self._regex = re.compile("(?=(" + _trie_pattern(words) + "))")
            corrects = {e.correct for e in self.entries.values() if e.correct}
            for wrong in self.entries:
                protecting = []
                for correct in corrects:
                    if len(correct) > len(wrong) and wrong in correct:
                        offsets = [
                            i
                            for i in range(len(correct) - len(wrong) + 1)
                            if correct.startswith(wrong, i)
                        ]
                        protecting.append((correct, offsets))
                if protecting:
                    self._protecting[wrong] = protecting

    def __bool__(self):
        return bool(self.entries)

    def _protected(self, text, wrong, start):
        for correct, offsets in self._protecting.get(wrong, ()):
            for offset in offsets:
                begin = start - offset
                if begin >= 0 and text.startswith(correct, begin):
                    return True
        return False

    def find(self, text):
        """The hits in ``text``, in order."""
        if not self._regex or not text:
            return []
        candidates = []
        for match in self._regex.finditer(text):
            wrong = match.group(1)
            start = match.start()
            # The trie gives the longest entry starting here; shorter ones starting here may
            # still be entries, but the longest-first selection below would drop them anyway.
            if self._protected(text, wrong, start):
                # A shorter entry starting here might not be protected.
                wrong = self._longest_unprotected(text, start, wrong)
                if wrong is None:
                    continue
            candidates.append((start, start + len(wrong), wrong))
        chosen = []
        taken = []
        for start, end, wrong in sorted(candidates, key=lambda c: (c[0] - c[1], c[0])):
            if any(start < t_end and t_start < end for t_start, t_end in taken):
                continue
            taken.append((start, end))
            chosen.append((start, end, wrong))
        chosen.sort()
        hits = []
        for start, end, wrong in chosen:
            hits.append(Hit(self.entries[wrong], start, end, context(text, start, end)))
        return hits

    def _longest_unprotected(self, text, start, longest):
        for length in range(len(longest) - 1, 0, -1):
            word = text[start : start + length]
            if word in self.entries and not self._protected(text, word, start):
                return word
        return None


def context(text, start, end, chars=CONTEXT_CHARS):
    """The hit with up to ``chars`` characters either side, on one line."""
    before = text[max(0, start - chars) : start]
    after = text[end : end + chars]
    return " ".join((before + text[start:end] + after).split())
