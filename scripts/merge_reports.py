#!/usr/bin/env python3
"""Merge httpsbench reports into one (the default suite's single file).

usage: merge_reports.py OUT.json IN.json [IN.json ...]
Results and derived rows are concatenated; backends are listed once each;
`run` spans the first start to the last end and is interrupted if any part
was; tool and environment come from the first report. Written to a
temporary file and renamed.
"""
import json
import os
import sys
import tempfile


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
    out = dict(parts[0])
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
