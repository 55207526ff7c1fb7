"""Print every documented example's outputs as computed by the reference.

    python -m testcases --edition 2023 --json
    python -m testcases --edition v8
    python -m testcases --assignment optimization

``--edition`` defaults to the assignment's first edition; only step_by_step has two.
"""
import argparse
import importlib
import json
import sys

import numpy as np

from testcases.expected import DATA, documented, run_examples


def _plain(value):
    return np.asarray(value).tolist() if isinstance(value, (np.ndarray, np.generic)) else value


def main(argv=None):
    assignments = sorted(path.stem for path in DATA.glob("*.json"))
    parser = argparse.ArgumentParser(prog="python -m testcases", description=__doc__.splitlines()[0])
    parser.add_argument("--assignment", default="step_by_step", choices=assignments)
    parser.add_argument("--edition", help="an edition of that assignment (default: its first)")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    args = parser.parse_args(argv)
    editions = importlib.import_module(f"testcases.{args.assignment}").EDITIONS
    if args.edition is None:
        args.edition = editions[0]
    elif args.edition not in editions:
        parser.error(f"argument --edition: {args.assignment} has the edition(s) {', '.join(editions)}, "
                     f"not {args.edition!r}")

    printed = documented(args.assignment, args.edition)
    results = run_examples(args.assignment, args.edition)
    rows = []
    for example, quantities in results:
        rows.append({
            "example": example.id,
            "function": example.function,
            "documented": example.id in printed,
            "note": example.note or None,
            "outputs": {name: _plain(value) for name, value in quantities.items()},
        })
    if args.json:
        json.dump({"assignment": args.assignment, "edition": args.edition, "examples": rows},
                  sys.stdout, indent=1)
        print()
        return 0
    with np.printoptions(precision=8, suppress=True):
        for row, (_, quantities) in zip(rows, results):
            flag = "" if row["documented"] else "  (not printed in this edition's seed)"
            print(f"== {row['example']}{flag}")
            for name, value in quantities.items():
                print(f"{name} = {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
