"""Leads for review: answers alike beyond what the class had in common, and shared rare wrong outputs.

Code (per exercise, on the answer cells):

1. the release's own text is removed: lines equal to a line of a release code
   cell are dropped, and the release's fingerprints are ignored;
2. what is left is normalised (``normalise``): strings become ``$``, comments and
   layout vanish, every name that is not a keyword or builtin becomes ``V``, so
   renaming and reformatting change nothing;
3. copydetect hashes its k-grams and keeps the winnowed fingerprints;
4. fingerprints found in ``common_count(n)`` or more answers of the class are
   common knowledge (the usual way to write it) and ignored too;
5. MinHash signatures of the remaining (rare) fingerprints go into an LSH index
   (datasketch), which proposes candidate pairs without comparing all pairs;
6. each candidate pair's rare fingerprints are matched with copydetect
   (``find_fingerprint_overlap``, ``get_copied_slices``) and the pair is kept
   when one shared passage is long (``MIN_RUN``) or the shared passages add up
   to ``MIN_OVERLAP``. The same one-token slip in the usual code, made by two
   students, leaves a rare passage of at most about ``2 * NOISE`` characters
   (the k-grams that span the slip): that is not a lead. The price: answers
   shorter than ``MIN_RUN`` normalised characters are never flagged.

Step 2 is ours rather than copydetect's pygments tokeniser, which takes about
5 ms per answer: 100,000 answers (10,000 students) would take minutes, against
the report's one-minute budget (benchmarks/report.py). Fingerprinting runs in
forked worker processes for large classes (the children share the parent's
string hashing, so their fingerprints compare).

Outputs: wrong answers no catalogue entry names whose hidden-case results are
identical and shared by only a few students (``rare_count(n)``).

Everything here is a lead for a person to review, never a verdict.
"""
import bisect
import builtins
import keyword
import math
import multiprocessing
import os
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import numpy as np
from copydetect import utils as cd_utils
from datasketch import MinHash, MinHashLSH
from markupsafe import Markup, escape

from autograder.insight.groups import wrong_signatures

NOISE = 16          # k: shortest run of normalised characters that counts as a match
WINDOW = 5          # winnowing window: runs of NOISE + WINDOW - 1 characters are always seen
NUM_PERM = 32
LSH_THRESHOLD = 0.4
MIN_FINGERPRINTS = 3   # rare fingerprints an answer needs to be compared at all
MIN_RUN = 3 * NOISE    # one shared passage this long is a lead (a one-token slip gives < 2 * NOISE)
MIN_OVERLAP = 6 * NOISE  # or several shorter ones adding up to this (a copy with statements moved)
MAX_PAIRS = 100        # pairs shown of each kind
PARALLEL_FROM = 5000   # answers: below this, fingerprinting stays in this process

_TEXT = re.compile(
    r'(?P<string>[rRbBuUfF]{0,2}(?:"""(?:\\.|[^\\])*?"""' + r"|'''(?:\\.|[^\\])*?'''"
    + r'|"(?:\\.|[^"\\\n])*"' + r"|'(?:\\.|[^'\\\n])*'))|(?P<comment>#[^\n]*)", re.S)
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SPACE = re.compile(r"[ \t\r\f\v\\]+")
KEPT_NAMES = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist) | frozenset(dir(builtins))


def _text_token(match):
    if match.group("comment") is not None:
        return ""
    return "$" + "\n" * match.group(0).count("\n")


def _name_token(match):
    word = match.group(0)
    return word if word in KEPT_NAMES else "V"


def normalise(code):
    """(normalised text, start of each line of ``code`` in it): strings $, names V, no comments or layout."""
    text = _NAME.sub(_name_token, _TEXT.sub(_text_token, code))
    parts, starts, position = [], [], 0
    for line in text.split("\n"):
        starts.append(position)
        squeezed = _SPACE.sub("", line)
        parts.append(squeezed)
        position += len(squeezed)
    return "".join(parts), starts


def common_count(answered):
    """Fingerprints found in this many answers or more are the class's common way of writing."""
    return max(4, math.ceil(0.01 * answered))


def rare_count(submissions):
    """A wrong output shared by at most this many submissions is rare."""
    return max(2, math.ceil(0.002 * submissions))


def without_release(code, release_lines):
    """``code`` without the lines (compared stripped) that appear in the release's code."""
    kept = [line for line in code.splitlines() if line.strip() and line.strip() not in release_lines]
    return "\n".join(kept)


def fingerprints(code, ignored=()):
    """(winnowed fingerprint hashes, {hash: positions in the normalised text}, normalised text, line starts)."""
    text, starts = normalise(code)
    ignored = np.asarray(sorted(ignored), dtype=np.int64) if len(ignored) else []
    hashes, positions = cd_utils.get_document_fingerprints(text, NOISE, WINDOW, ignored)
    return hashes, positions, text, starts


def _hash_set(code):
    return frozenset(int(h) for h in fingerprints(code)[0])


@dataclass
class Evidence:
    """Why one exercise of a pair was flagged: both answers side by side."""

    exercise: str
    left: Markup           # escaped HTML, shared lines in <mark>
    right: Markup
    detail: str            # what was measured, in words


@dataclass
class Pair:
    """Two submissions and the evidence that they are alike."""

    left: object           # load.Submission
    right: object
    kind: str              # "code" or "outputs"
    evidence: list = field(default_factory=list)
    score: float = 0.0

    @property
    def students(self):
        return (self.left.student, self.right.student)


def _pair_key(a, b):
    return (a, b) if a < b else (b, a)


# The CodeSimilarity whose exercises forked workers compare (inherited through fork, never pickled).
_ACTIVE = None


def _exercise_in_worker(name):
    return _ACTIVE.exercise(name)


class CodeSimilarity:
    """Code pairs for one class; ``pairs`` after ``run()``, plus counts for the page."""

    def __init__(self, submissions, exercises, release):
        self.submissions = submissions
        self.exercises = list(exercises)
        self.release_lines = {line.strip() for cell in release.code for line in cell.splitlines()
                              if line.strip()}
        release_text = "\n".join(release.code)
        self.boilerplate = _hash_set(release_text) if release_text.strip() else frozenset()
        self.candidates = 0
        self.compared_answers = 0
        self.pairs = []

    def _answers(self, name):
        """{submission index: code without the release's lines} of the answers to ``name``."""
        found = {}
        for index, submission in enumerate(self.submissions):
            code = without_release(submission.answers.get(name, ""), self.release_lines)
            if code:
                found[index] = code
        return found

    def exercise(self, name):
        """(answers sketched, candidate pairs, [((a, b), shared characters, Evidence)]) of one exercise."""
        answers = self._answers(name)
        cache, hashes = {}, {}
        for index, code in answers.items():
            if code not in cache:
                cache[code] = _hash_set(code) - self.boilerplate
            hashes[index] = cache[code]
        frequency = Counter(h for found_hashes in hashes.values() for h in found_hashes)
        threshold = common_count(len(answers))
        common = {h for h, count in frequency.items() if count >= threshold}
        lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
        template = MinHash(num_perm=NUM_PERM, seed=7, hashfunc=_low_bits)
        candidates, sketched = set(), 0
        for index in sorted(hashes):
            rare = hashes[index] - common
            if len(rare) < MIN_FINGERPRINTS:
                continue
            sketched += 1
            signature = MinHash(num_perm=NUM_PERM, seed=7, hashfunc=_low_bits,
                                permutations=template.permutations, scheme=template.scheme)
            signature.update_batch(sorted(rare))
            for other in lsh.query(signature):
                candidates.add(_pair_key(other, index))
            lsh.insert(index, signature)
        ignored = self.boilerplate | common
        prints, kept = {}, []
        for a, b in sorted(candidates):
            for index in (a, b):
                if index not in prints:
                    prints[index] = fingerprints(answers[index], ignored)
            compared = _compare(name, answers[a], answers[b], prints[a], prints[b])
            if compared is not None:
                kept.append(((a, b), *compared))
        return sketched, len(candidates), kept

    def _all_exercises(self):
        """Each exercise's result, in forked workers when the class is large (same string hashing)."""
        global _ACTIVE
        workers = min(os.cpu_count() or 1, len(self.exercises))
        if (len(self.submissions) * len(self.exercises) < PARALLEL_FROM or workers < 2
                or "fork" not in multiprocessing.get_all_start_methods()):
            return [self.exercise(name) for name in self.exercises]
        _ACTIVE = self
        try:
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                return pool.map(_exercise_in_worker, self.exercises, chunksize=1)
        finally:
            _ACTIVE = None

    def run(self):
        """The pairs, most shared code first."""
        found = defaultdict(list)
        for sketched, candidates, kept in self._all_exercises():
            self.compared_answers += sketched
            self.candidates += candidates
            for key, overlap, evidence in kept:
                found[key].append((overlap, evidence))
        for (a, b), items in found.items():
            self.pairs.append(Pair(self.submissions[a], self.submissions[b], "code",
                                   [e for _, e in items], sum(score for score, _ in items)))
        self.pairs.sort(key=lambda p: (-p.score, p.students))
        return self.pairs


def _compare(name, code_a, code_b, print_a, print_b):
    """(shared characters, Evidence) when two answers share enough rare code, else None."""
    hashes_a, positions_a, text_a, starts_a = print_a
    hashes_b, positions_b, text_b, starts_b = print_b
    index_a, index_b = cd_utils.find_fingerprint_overlap(hashes_a, hashes_b, positions_a, positions_b)
    if len(index_a) == 0:
        return None
    slices_a = cd_utils.get_copied_slices(index_a, NOISE)
    slices_b = cd_utils.get_copied_slices(index_b, NOISE)
    overlap = int(np.sum(slices_a[1] - slices_a[0]))
    longest = int(np.max(slices_a[1] - slices_a[0]))
    # Shares of each whole answer (common code included), for the reader.
    cover_a = overlap / max(1, len(text_a))
    cover_b = int(np.sum(slices_b[1] - slices_b[0])) / max(1, len(text_b))
    if longest < MIN_RUN and overlap < MIN_OVERLAP:
        return None
    detail = (f"{name}: {overlap} characters of normalised code in common (longest passage {longest}) "
              f"that neither the release nor the class's usual answers contain ({min(cover_a, 1):.0%} "
              f"of the first answer, {min(cover_b, 1):.0%} of the second; names and layout ignored)")
    return overlap, Evidence(name, _highlight(code_a, slices_a, starts_a),
                             _highlight(code_b, slices_b, starts_b), detail)


def _low_bits(value):
    return int(value) & 0xFFFFFFFF


def _highlight(code, slices, starts):
    """``code`` escaped for HTML, the lines holding a shared passage in <mark>."""
    marked = set()
    for begin, end in zip(slices[0], slices[1]):
        first = bisect.bisect_right(starts, int(begin)) - 1
        last = bisect.bisect_right(starts, int(end) - 1) - 1
        marked.update(range(max(first, 0), last + 1))
    lines = code.split("\n")
    shown = [Markup("<mark>{}</mark>").format(line) if number in marked else escape(line)
             for number, line in enumerate(lines)]
    return Markup("\n").join(shown)


def output_pairs(submissions, exercises, release):
    """Pairs of submissions sharing an unnamed wrong answer that few others gave (rare)."""
    limit = rare_count(len(submissions))
    found = defaultdict(list)
    for (name, key), members in wrong_signatures(submissions, exercises, release).items():
        if not 2 <= len(members) <= limit:
            continue
        members = sorted(members, key=lambda s: s.path)
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                detail = (f"{name}: identical results on all {len(key)} hidden cases (wrong on at "
                          f"least one), given by {len(members)} of {len(submissions)} submissions")
                found[(a.path, b.path)].append((a, b, Evidence(
                    name, Markup(escape(a.answers.get(name, ""))),
                    Markup(escape(b.answers.get(name, ""))), detail)))
    pairs = [Pair(items[0][0], items[0][1], "outputs", [e for _, _, e in items], len(items))
             for items in found.values()]
    pairs.sort(key=lambda p: (-p.score, p.students))
    return pairs
