"""Putting the report together and writing the page (Jinja2, autoescaped)."""
import datetime
import statistics
from dataclasses import dataclass
from pathlib import Path

import jinja2

from autograder import assignments
from autograder.insight import groups, load, plots, similarity, stats

_TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).with_name("templates")),
    autoescape=True, undefined=jinja2.StrictUndefined)


@dataclass
class _Shown:
    """A list of pairs cut to what the page shows, with counts."""

    pairs: list
    more: int = 0
    compared: int = 0
    candidates: int = 0


MAX_GROUPS = 60   # groups of unnamed wrong answers shown (the largest)


def report_path(out_dir, assignment):
    return Path(out_dir) / f"{assignment}_insight.html"


def context(submissions, assignment, release, store=""):
    """Everything the template shows, computed from the loaded submissions."""
    exercises = assignments.exercises(assignment)
    totals, per_exercise = stats.scores(submissions, exercises, release)
    max_score = float(sum(ex.points for ex in exercises.values()))
    has_cases = any(stats.case_results(e) for s in submissions for e in stats.entries(s).values())
    unnamed, alone = groups.unnamed_groups(submissions, exercises, release)
    code = similarity.CodeSimilarity(submissions, exercises, release)
    code_pairs = code.run()
    output_pairs = similarity.output_pairs(submissions, exercises, release)
    family_rows, family_overall = stats.families(submissions, exercises, release)
    limit = similarity.MAX_PAIRS
    rows = [{"name": r.name, "number": r.number, "max_points": r.max_points,
             "mean": statistics.fmean(r.points) if r.points else 0.0,
             "counts": {o: r.outcomes[o] for o in stats.OUTCOMES},
             "shares": {o: r.share(o) for o in stats.OUTCOMES}} for r in per_exercise.values()]
    notes = [f"{s.student} ({s.path}): {note}" for s in submissions for note in s.notes]
    chart = {"totals": plots.totals_histogram(totals, max_score),
             "outcomes": plots.outcome_bars(per_exercise),
             "points": plots.points_grid(per_exercise),
             "families": plots.family_bars(family_overall) if family_overall else ""}
    return {
        "assignment": assignment, "submissions": len(submissions), "store": store,
        "release": release.path, "notes": notes[:200],
        "generated": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "mean": statistics.fmean(totals) if totals else 0.0,
        "median": statistics.median(totals) if totals else 0.0, "max_score": max_score,
        "plots": chart, "outcomes": stats.OUTCOMES, "per_exercise": rows,
        "mistakes": list(stats.mistakes(submissions, exercises, release).values()),
        "has_cases": has_cases, "groups": unnamed[:MAX_GROUPS],
        "more_groups": max(0, len(unnamed) - MAX_GROUPS), "alone": alone,
        "code": _Shown(code_pairs[:limit], max(0, len(code_pairs) - limit), code.compared_answers,
                       code.candidates),
        "outputs": _Shown(output_pairs[:limit], max(0, len(output_pairs) - limit)),
        "common_from": similarity.common_count(len(submissions)),
        "rare_from": similarity.rare_count(len(submissions)),
        "family_rows": family_rows,
    }


def render(values):
    return _TEMPLATES.get_template("report.html").render(**values)


def build(results, assignment, out_dir, release=None, course_dir="."):
    """Write the report of ``assignment`` from the store ``results`` into ``out_dir``; its path.

    Raises ``load.StoreError`` (with the reason) when the store or release cannot be read.
    """
    names = set(assignments.exercises(assignment))
    submissions = load.load(results, assignment, names)
    found_release = load.find_release(assignment, release, course_dir)
    page = render(context(submissions, assignment, found_release, str(results)))
    path = report_path(out_dir, assignment)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".html.tmp")
    temporary.write_text(page, encoding="utf-8")
    temporary.replace(path)
    return path
