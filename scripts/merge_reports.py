#!/usr/bin/env python3
"""Merge httpsbench reports into one (the default suite's single file).

usage: merge_reports.py OUT.json IN.json [IN.json ...]
Results and derived rows are concatenated; backends are listed once each;
`run` spans the first start to the last end and is interrupted if any part
was; tool and environment come from the first report. `run.parts` keeps
each part's own run object (its command line, start, end, interrupted,
steal and CPU clock rates, where the part has them) with the part's
load average; the merged `run.steal` adds up the parts' seconds (its
share weighted by each part's duration; null when a part has none), and
`cpu_mhz_start`/`cpu_mhz_end` come from the first and last part; `link`
and `link_sweep` (the emulated link) from the first part that has each. Reports
merged before this kept only the command lines in `run.parts`; readers
take both. Written to a temporary file and renamed.

Schema 1.x and 2.x parts merge into the newest of their versions: when
there is a 2.x part, the 1.x parts' stats are rewritten as 2.x (ci95_low
and ci95_high become ci_low and ci_high; ci_level, when missing, is the
coverage computed from n). Another major version is refused (exit 2).
"""
import datetime
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


def _seconds(run):
    """A part's duration in seconds from its start and end, or None."""
    try:
        t = [datetime.datetime.strptime(run[k], "%Y-%m-%dT%H:%M:%SZ")
             for k in ("start", "end")]
    except (KeyError, TypeError, ValueError):
        return None
    return max(0.0, (t[1] - t[0]).total_seconds())


def part_run(p):
    """A part's run object as run.parts keeps it."""
    run = {k: v for k, v in p["run"].items() if k != "parts"}
    la = (p.get("environment") or {}).get("load_average")
    if la is not None:
        run["load_average"] = la
    return run


def merged_steal(parts):
    """The parts' steal added up: seconds summed, share weighted by each
    part's duration; None when a part has no steal, absent (KeyError)
    when no part records it."""
    runs = [p["run"] for p in parts]
    if not any("steal" in r for r in runs):
        raise KeyError("steal")
    st = [r.get("steal") for r in runs]
    if not all(isinstance(s, dict) and isinstance(s.get("seconds"),
                                                    (int, float))
               for s in st):
        return None
    durs = [_seconds(r) for r in runs]
    shares = [s.get("share") for s in st]
    share = None
    if all(isinstance(d, float) for d in durs) and sum(durs) > 0 and \
            all(isinstance(x, (int, float)) for x in shares):
        share = sum(x * d for x, d in zip(shares, durs)) / sum(durs)
    return {"seconds": sum(s["seconds"] for s in st), "share": share}


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
    # the emulated link of the part that ran over one (the first such)
    for k in ("link", "link_sweep"):
        if k not in out:
            for p in parts:
                if k in p:
                    out[k] = p[k]
                    break
    run = dict(parts[0]["run"])
    run["end"] = parts[-1]["run"].get("end")
    run["interrupted"] = any(p["run"].get("interrupted") for p in parts)
    run["command_line"] = parts[0]["run"]["command_line"]
    run["parts"] = [part_run(p) for p in parts]
    try:
        run["steal"] = merged_steal(parts)
    except KeyError:
        run.pop("steal", None)
    for k, p in (("cpu_mhz_start", parts[0]), ("cpu_mhz_end", parts[-1]),
                 ("cpu_mhz_source", parts[-1])):
        if k in p["run"]:
            run[k] = p["run"][k]
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
