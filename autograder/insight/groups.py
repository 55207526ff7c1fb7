"""Wrong answers no catalogue entry names, grouped by what they output on the hidden cases.

Two answers fall in one group when every hidden case gave the same result:
the same failing stage (or none) and the same output digest (the grader rounds
outputs before hashing, so answers equal within tolerance collide; a case that
raised has no digest). A large group is a mistake worth adding to the catalogue.
"""
from collections import defaultdict
from dataclasses import dataclass

from autograder.insight.stats import case_results, entries, is_wrong, outcome

STAGES = {"error": "raised an exception", "type": "wrong type", "shape": "wrong shape",
          "value": "values differ", "inputs": "changed the caller's inputs",
          "repeat": "a second call differs"}


def signature(entry):
    """The hidden cases' outcomes as a hashable key, or None when it cannot group the answer.

    None when the entry has no hidden case results (older results) or passed
    every hidden case (its wrongness is elsewhere: nothing to group on).
    """
    hidden = sorted((c for c in case_results(entry) if c.get("hidden") is True),
                    key=lambda c: c.get("index") if isinstance(c.get("index"), int) else -1)
    if not hidden or all(c["passed"] for c in hidden):
        return None
    key = []
    for case in hidden:
        # the stage too: right outputs that changed the caller's inputs are not right answers
        digest = case.get("output_digest")
        key.append(f"{case.get('stage') or ''}={digest if isinstance(digest, str) else ''}")
    return tuple(key)


@dataclass
class Group:
    """Answers to one exercise with identical hidden-case results."""

    exercise: str
    signature: tuple
    students: list          # sorted
    representative: str     # the first student's answer cell
    representative_of: str  # that student
    message: str = ""       # what the grader told that student about this exercise

    @property
    def size(self):
        return len(self.students)

    @property
    def stages(self):
        """How the hidden cases failed, in words (e.g. "value differs on 4 hidden cases")."""
        failing = [part.split("=", 1)[0] for part in self.signature if part.split("=", 1)[0]]
        counts = {stage: failing.count(stage) for stage in sorted(set(failing))}
        return "; ".join(f"{STAGES.get(stage, stage)} on {count} of {len(self.signature)} hidden cases"
                         for stage, count in counts.items())


def wrong_signatures(submissions, exercises, release, named=False):
    """{(exercise, signature): [submission, ...]} of wrong answers (unnamed ones unless ``named``)."""
    found = defaultdict(list)
    for submission in submissions:
        for name, entry in entries(submission).items():
            if name not in exercises or not is_wrong(outcome(submission, name, entry, release)):
                continue
            if isinstance(entry.get("mistakes"), list) and entry["mistakes"] and not named:
                continue
            key = signature(entry)
            if key is not None:
                found[(name, key)].append(submission)
    return found


def unnamed_groups(submissions, exercises, release, minimum=2):
    """(groups of at least ``minimum`` answers, largest first; how many answers were alone)."""
    groups, alone = [], 0
    order = list(exercises)
    for (name, key), members in wrong_signatures(submissions, exercises, release).items():
        if len(members) < minimum:
            alone += len(members)
            continue
        members = sorted(members, key=lambda s: (s.student, s.path))
        first = members[0]
        message = str(entries(first).get(name, {}).get("message", ""))[:1500]
        groups.append(Group(name, key, [m.student for m in members],
                            first.answers.get(name, ""), first.student, message))
    groups.sort(key=lambda g: (-g.size, order.index(g.exercise), g.students))
    return groups, alone
