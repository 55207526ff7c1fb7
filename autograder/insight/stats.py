"""What a class did, exercise by exercise: scores, outcomes, named mistakes, case families.

Every function takes the list of ``load.Submission`` and the assignment's
exercises ({name: Exercise}, notebook order) and returns plain data for the
page. Results written before the grader recorded ``case_results`` are
accepted: what needs them is reported as unavailable, not guessed.
"""
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from autograder.insight.load import trimmed

# Outcome of one exercise for one submission, in the order the page shows them.
OUTCOMES = ("full", "partial", "zero", "timed out", "crashed", "not attempted", "not graded")


def entries(submission):
    """{function: exercise entry} of one submission (entries that are not dicts are skipped)."""
    return {e["function"]: e for e in submission.result.get("exercises", [])
            if isinstance(e, dict) and isinstance(e.get("function"), str)}


def _number(value):
    try:
        number = float(value)
    except (TypeError, ValueError):
        return 0.0
    return number if number == number else 0.0


def attempted(submission, name, entry, release):
    """False when the answer cell is the release's stub (or absent) or the function was missing."""
    if entry.get("status") in ("missing", "not graded"):
        return False
    answer = submission.answers.get(name)
    if answer is None or not answer.strip():
        return False
    stub = release.stubs.get(name)
    return stub is None or stub != trimmed(answer)


def outcome(submission, name, entry, release):
    """One of OUTCOMES for the entry of exercise ``name`` of ``submission`` (memoised on it)."""
    found = submission.outcomes.get(name)
    if found is None:
        found = submission.outcomes[name] = _outcome(submission, name, entry, release)
    return found


def _outcome(submission, name, entry, release):
    status = entry.get("status")
    if status == "not graded":
        return "not graded"
    if not attempted(submission, name, entry, release):
        return "not attempted"
    if status == "stopped":
        return "timed out" if "timed out" in str(entry.get("message", "")) else "crashed"
    points, top = _number(entry.get("points")), _number(entry.get("max_points"))
    if top > 0 and points >= top:
        return "full"
    return "partial" if points > 0 else "zero"


def is_wrong(outcome_name):
    """An attempted answer that did not earn every point (timeouts and crashes included)."""
    return outcome_name in ("partial", "zero", "timed out", "crashed")


@dataclass
class ExerciseScores:
    """Points and outcomes of one exercise across the class."""

    name: str
    number: int
    max_points: float
    points: list = field(default_factory=list)          # one per submission
    outcomes: Counter = field(default_factory=Counter)  # OUTCOMES -> count

    def share(self, outcome_name):
        total = sum(self.outcomes.values())
        return self.outcomes[outcome_name] / total if total else 0.0


def scores(submissions, exercises, release):
    """(totals, {exercise: ExerciseScores}): the class's total scores and per-exercise outcomes."""
    totals = [_number(s.result.get("score")) for s in submissions]
    per = {name: ExerciseScores(name, ex.number, float(ex.points)) for name, ex in exercises.items()}
    for submission in submissions:
        found = entries(submission)
        for name, row in per.items():
            entry = found.get(name, {"status": "not graded"})
            row.points.append(_number(entry.get("points")))
            row.outcomes[outcome(submission, name, entry, release)] += 1
    return totals, per


@dataclass
class NamedMistake:
    """A catalogued mistake and the students who made it."""

    name: str
    message: str
    students: list


@dataclass
class ExerciseMistakes:
    name: str
    ranked: list        # NamedMistake, most students first
    wrong: int          # attempted answers that lost points
    unnamed: int        # of those, how many no catalogue entry names

    @property
    def unnamed_share(self):
        return self.unnamed / self.wrong if self.wrong else 0.0


def mistakes(submissions, exercises, release):
    """{exercise: ExerciseMistakes}: named mistakes ranked by how many students made them."""
    found = {}
    for name, exercise in exercises.items():
        messages = {m.name: m.message for m in exercise.mistakes}
        who = defaultdict(list)
        wrong = unnamed = 0
        for submission in submissions:
            entry = entries(submission).get(name)
            if entry is None:
                continue
            listed = entry.get("mistakes")
            named = [m for m in listed if isinstance(m, str)] if isinstance(listed, list) else []
            for mistake_name in sorted(set(named)):
                who[mistake_name].append(submission.student)
            if is_wrong(outcome(submission, name, entry, release)):
                wrong += 1
                unnamed += not named
        ranked = [NamedMistake(m, messages.get(m, "(not in the current catalogue)"), sorted(students))
                  for m, students in who.items()]
        ranked.sort(key=lambda m: (-len(m.students), m.name))
        found[name] = ExerciseMistakes(name, ranked, wrong, unnamed)
    return found


@dataclass
class FamilyRate:
    exercise: str
    family: str
    hidden: bool
    passed: int
    total: int

    @property
    def rate(self):
        return self.passed / self.total if self.total else 0.0


def case_results(entry):
    """The entry's per-case results that are well formed (empty for older results)."""
    found = entry.get("case_results")
    if not isinstance(found, list):
        return []
    return [c for c in found if isinstance(c, dict) and isinstance(c.get("passed"), bool)]


def families(submissions, exercises, release):
    """(per exercise and family, per family across exercises): pass rates of attempted answers.

    Unattempted answers are left out: an empty stub fails every case and says
    nothing about which generalisation students miss.
    """
    counts = defaultdict(lambda: [0, 0])
    for submission in submissions:
        found = entries(submission)
        for name in exercises:
            entry = found.get(name)
            if entry is None or outcome(submission, name, entry, release) in ("not attempted",
                                                                                "not graded"):
                continue
            for case in case_results(entry):
                key = (name, str(case.get("family") or "unnamed family"), case.get("hidden") is True)
                counts[key][0] += case["passed"]
                counts[key][1] += 1
    order = list(exercises)
    rows = [FamilyRate(e, f, h, p, t) for (e, f, h), (p, t) in counts.items()]
    rows.sort(key=lambda r: (order.index(r.exercise), r.hidden, r.family))
    overall = defaultdict(lambda: [0, 0])
    for row in rows:
        overall[(row.family, row.hidden)][0] += row.passed
        overall[(row.family, row.hidden)][1] += row.total
    merged = [FamilyRate("all exercises", f, h, p, t) for (f, h), (p, t) in overall.items()]
    merged.sort(key=lambda r: (r.hidden, r.rate, r.family))
    return rows, merged
