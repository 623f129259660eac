#!/usr/bin/env python3
"""Validate httpsbench reports against schemas/report.schema.json.

The schema takes 1.x reports (the median's CI as ci95_low/ci95_high) and
2.x (ci_low/ci_high with ci_level, and no ci95_* fields).

usage: validate_report.py REPORT.json [REPORT.json ...]
Exit 0 when every report is valid, 1 when one is not, 2 for bad usage.
Needs the jsonschema module (Debian: python3-jsonschema); run it with an
interpreter that has it (scripts/lib/python.sh finds one).
"""
import json
import math
import os
import sys


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__.strip(), file=sys.stdout if len(argv) > 1 else sys.stderr)
        return 0 if len(argv) > 1 else 2
    try:
        import jsonschema
    except ImportError:
        print("validate_report.py: the jsonschema module is missing "
              "(apt-get install python3-jsonschema)", file=sys.stderr)
        return 2
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "..", "schemas", "report.schema.json")) as f:
        schema = json.load(f)
    validator = jsonschema.Draft7Validator(schema)
    bad = 0

    def reject_constant(name):
        raise ValueError("non-JSON number %s" % name)

    for path in argv[1:]:
        try:
            with open(path) as f:
                doc = json.load(f, parse_constant=reject_constant)
        except (OSError, ValueError) as e:
            print("%s: invalid: %s" % (path, e), file=sys.stderr)
            bad += 1
            continue
        errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
        for e in errors[:10]:
            where = "/".join(str(p) for p in e.path) or "(top)"
            print("%s: %s: %s" % (path, where, e.message), file=sys.stderr)
        if errors:
            bad += 1
        else:
            print("%s: valid (schema %s, %d results)" % (
                path, doc["schema_version"], len(doc["results"])))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
