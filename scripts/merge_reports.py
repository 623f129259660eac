#!/usr/bin/env python3
"""Merge httpsbench reports into one (the default suite's single file).

usage: merge_reports.py OUT.json IN.json [IN.json ...]
Results and derived rows are concatenated; backends are listed once each;
`run` spans the first start to the last end and is interrupted if any part
was; tool and environment come from the first report. Written to a
temporary file and renamed.

Schema 1.x and 2.x parts merge into the newest of their versions: when
there is a 2.x part, the 1.x parts' stats are rewritten as 2.x (ci95_low
and ci95_high become ci_low and ci_high; ci_level, when missing, is the
coverage computed from n). Another major version is refused (exit 2).
"""
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hbreport.load import median_ci_coverage  # noqa: E402

MAJORS = (1, 2)


def major(doc):
    v = doc.get("schema_version") if isinstance(doc, dict) else None
    try:
        return int(v.split(".")[0])
    except (AttributeError, ValueError):
        return None


def to_v2(obj):
    """Renames 1.x interval fields to 2.x in every stats object below
    obj, filling ci_level from n when the part lacks it."""
    if isinstance(obj, list):
        for v in obj:
            to_v2(v)
    elif isinstance(obj, dict):
        st = obj.get("stats")
        if isinstance(st, dict) and ("ci95_low" in st or "ci95_high" in st):
            new = {}
            for k, v in st.items():
                new[{"ci95_low": "ci_low", "ci95_high": "ci_high"}.get(k, k)] \
                    = v
            if not isinstance(new.get("ci_level"), (int, float)):
                new["ci_level"] = median_ci_coverage(new.get("n"))
            obj["stats"] = new
        for k, v in obj.items():
            if k != "stats":
                to_v2(v)


def main(argv):
    if len(argv) < 3 or argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if len(argv) > 1 and argv[1] in ("-h", "--help") else 2
    parts = []
    for path in argv[2:]:
        try:
            with open(path) as f:
                parts.append(json.load(f))
        except (OSError, ValueError) as e:
            print("merge_reports.py: %s: %s" % (path, e), file=sys.stderr)
            return 2
        if major(parts[-1]) not in MAJORS:
            print("merge_reports.py: %s: schema_version %r is not 1.x or "
                  "2.x" % (path, parts[-1].get("schema_version")
                           if isinstance(parts[-1], dict) else None),
                  file=sys.stderr)
            return 2
    newest = max(major(p) for p in parts)
    if newest == 2:
        for p in parts:
            if major(p) == 1:
                to_v2(p.get("results", []))
    out = dict(parts[0])
    out["schema_version"] = next(p["schema_version"] for p in parts
                                 if major(p) == newest)
    out["results"], out["backends"], derived = [], [], []
    seen = set()
    for p in parts:
        out["results"] += p.get("results", [])
        derived += p.get("derived", [])
        for b in p.get("backends", []):
            key = (b["name"], b["version"])
            if key not in seen:
                seen.add(key)
                out["backends"].append(b)
    if derived:
        out["derived"] = derived
    run = dict(parts[0]["run"])
    run["end"] = parts[-1]["run"].get("end")
    run["interrupted"] = any(p["run"].get("interrupted") for p in parts)
    run["command_line"] = parts[0]["run"]["command_line"]
    run["parts"] = [p["run"]["command_line"] for p in parts]
    out["run"] = run
    d = os.path.dirname(os.path.abspath(argv[1]))
    fd, tmp = tempfile.mkstemp(dir=d, prefix=".merge.")
    with os.fdopen(fd, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    os.chmod(tmp, 0o644)
    os.rename(tmp, argv[1])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
