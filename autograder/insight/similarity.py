"""Leads for review: answers alike beyond what the class had in common, and shared rare wrong outputs.

Code (per exercise, on the answer cells):

1. the release's own text is removed: lines equal to a line of a release code
   cell are dropped, and the release's fingerprints are boilerplate;
2. copydetect tokenises what is left (names become one letter, comments and
   layout vanish, so renaming and reformatting change nothing) and keeps
   winnowed k-gram fingerprints;
3. fingerprints found in ``common_count(n)`` or more answers of the class are
   common knowledge (the usual way to write it) and ignored too;
4. MinHash signatures of the remaining (rare) fingerprints go into an LSH index
   (datasketch), which proposes candidate pairs without comparing all pairs;
5. each candidate pair is compared by copydetect on the rare fingerprints and
   kept when the shared passages are long enough (``MIN_OVERLAP``) and make up
   most of one whole answer (``MIN_COVERAGE``, common code counted in the whole).

Outputs: wrong answers no catalogue entry names whose hidden-case results are
identical and shared by only a few students (``rare_count(n)``).

Everything here is a lead for a person to review, never a verdict.
"""
import io
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import numpy as np
from copydetect import utils as cd_utils
from copydetect.detector import CodeFingerprint, compare_files
from datasketch import MinHash, MinHashLSH
from markupsafe import Markup, escape

from autograder.insight.groups import wrong_signatures

NOISE = 16          # k: shortest run of filtered characters that counts as a match
WINDOW = 5          # winnowing window: runs of NOISE + WINDOW - 1 characters are always seen
NUM_PERM = 64
LSH_THRESHOLD = 0.4
MIN_FINGERPRINTS = 3   # rare fingerprints an answer needs to be compared at all
MIN_OVERLAP = 40       # filtered characters two answers must share ...
MIN_COVERAGE = 0.6     # ... covering this share of at least one of them
MAX_PAIRS = 100        # pairs shown of each kind


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


def _fingerprint(code, boilerplate):
    return CodeFingerprint("answer.py", NOISE, WINDOW, boilerplate=boilerplate,
                           fp=io.StringIO(code), language="python")


def _hashes(code):
    filtered, _ = cd_utils.filter_code(code, "answer.py", "python")
    hashes, _ = cd_utils.get_document_fingerprints(filtered, NOISE, WINDOW)
    return hashes


@dataclass
class Evidence:
    """Why one exercise of a pair was flagged: both answers side by side."""

    exercise: str
    left: Markup           # escaped HTML, shared parts in <mark>
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


class CodeSimilarity:
    """Code pairs for one class; ``pairs`` after ``run()``, plus counts for the page."""

    def __init__(self, submissions, exercises, release):
        self.submissions = submissions
        self.exercises = list(exercises)
        self.release_lines = {line.strip() for cell in release.code for line in cell.splitlines()
                              if line.strip()}
        release_text = without_release("\n".join(release.code), set())
        self.boilerplate = _hashes(release_text) if release_text else set()
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

    def _exercise(self, name, found):
        answers = self._answers(name)
        cache, hashes = {}, {}
        for index, code in answers.items():
            if code not in cache:
                cache[code] = _hashes(code) - self.boilerplate
            hashes[index] = cache[code]
        frequency = Counter(h for found_hashes in hashes.values() for h in found_hashes)
        common = {h for h, count in frequency.items() if count >= common_count(len(answers))}
        lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
        template = MinHash(num_perm=NUM_PERM, seed=7, hashfunc=_low_bits)
        candidates = set()
        for index in sorted(hashes):
            rare = hashes[index] - common
            if len(rare) < MIN_FINGERPRINTS:
                continue
            self.compared_answers += 1
            signature = MinHash(num_perm=NUM_PERM, seed=7, hashfunc=_low_bits,
                                permutations=template.permutations, scheme=template.scheme)
            signature.update_batch(sorted(rare))
            for other in lsh.query(signature):
                candidates.add(_pair_key(other, index))
            lsh.insert(index, signature)
        self.candidates += len(candidates)
        if not candidates:
            return
        ignored = np.array(sorted(self.boilerplate | common), dtype=np.int64)
        prints = {}
        for a, b in sorted(candidates):
            for index in (a, b):
                if index not in prints:
                    prints[index] = _fingerprint(answers[index], ignored)
            overlap, _, (slices_a, slices_b) = compare_files(prints[a], prints[b])
            # Shares of each whole answer (common code included): a short rare passage inside
            # otherwise ordinary code is not a lead.
            cover_a, cover_b = (overlap / max(1, len(prints[i].filtered_code)) for i in (a, b))
            if overlap < MIN_OVERLAP or max(cover_a, cover_b) < MIN_COVERAGE:
                continue
            detail = (f"{name}: {int(overlap)} characters of normalised code in common that neither "
                      f"the release nor the class's usual answers contain ({min(cover_a, 1):.0%} of "
                      f"the first answer, {min(cover_b, 1):.0%} of the second, names and layout "
                      f"ignored)")
            evidence = Evidence(name, _highlight(answers[a], slices_a), _highlight(answers[b], slices_b),
                                detail)
            found[(a, b)].append((float(overlap), evidence))

    def run(self):
        found = defaultdict(list)
        for name in self.exercises:
            self._exercise(name, found)
        for (a, b), items in found.items():
            self.pairs.append(Pair(self.submissions[a], self.submissions[b], "code",
                                   [e for _, e in items], sum(score for score, _ in items)))
        self.pairs.sort(key=lambda p: (-p.score, p.students))
        return self.pairs


def _low_bits(value):
    return int(value) & 0xFFFFFFFF


def _highlight(code, slices):
    """``code`` escaped for HTML, the parts in ``slices`` (2 x N, start/end) marked."""
    slices = np.asarray(slices, dtype=int)
    if slices.ndim != 2 or slices.shape[1] == 0:
        return Markup(escape(code))
    text, _ = cd_utils.highlight_overlap(code, slices, "<mark>", "</mark>", escape_html=True)
    return Markup(text)


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
                detail = (f"{name}: the same wrong results on all {len(key)} hidden cases, "
                          f"given by {len(members)} of {len(submissions)} submissions")
                found[(a.path, b.path)].append((a, b, Evidence(
                    name, Markup(escape(a.answers.get(name, ""))),
                    Markup(escape(b.answers.get(name, ""))), detail)))
    pairs = [Pair(items[0][0], items[0][1], "outputs", [e for _, _, e in items], len(items))
             for items in found.values()]
    pairs.sort(key=lambda p: (-p.score, p.students))
    return pairs
