#!/usr/bin/env python3
"""Write results/README.md: the headline findings of a reference report.

usage: results_readme.py REPORT.json OUT.md
Every number comes from the report (through scripts/hbreport's findings),
so regenerating the reference run regenerates this page.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hbreport import findings as F  # noqa: E402
from hbreport import load as L  # noqa: E402


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    rep = L.load(argv[1])
    doc = rep.doc
    env, tool, run = doc["environment"], doc["tool"], doc["run"]
    base = os.path.basename(argv[1])
    stem = base[:-5] if base.endswith(".json") else base
    libs = ", ".join("%s %s" % (b["name"], b["version"])
                     for b in doc["backends"])
    lines = [
        "# Reference run",
        "",
        "`%s` (report), `%s.html` (the page) and `%s/` (figures, SVG and "
        "PNG) were written by the README's first command, `scripts/bench`, "
        "on %s." % (base, stem, stem, run["start"]),
        "",
        "- Machine: %s, %d logical CPUs, %s, %s; crypto flags: %s." % (
            env["cpu_model"], env["logical_cpus"], env.get("os"),
            env.get("kernel"), " ".join(env.get("cpu_flags", []))),
        "- Tool: httpsbench %s, commit %s%s, %s %s." % (
            tool["version"], tool["git_commit"][:12],
            " (dirty)" if tool.get("git_dirty") else "", tool["compiler"],
            tool["build_type"]),
        "- Libraries: %s." % libs,
        "- Server and client pinned to CPUs 0 and 1; figures are medians "
        "of the repetitions, with confidence intervals (and the coverage "
        "each achieves) in the report. "
        "The machine is a shared 2-core VM: read ratios, not absolutes.",
        "",
    ]
    summ = F.findings(rep)
    lines += ["## How to read it", ""] + ["- %s" % h for h in summ.how]
    lines += ["", "## Top findings", ""] + ["- %s" % f for f in summ.top]
    for suite, fs in summ.groups:
        lines += ["", "## %s" % suite.capitalize(), ""]
        lines += ["- %s" % f for f in fs]
    lines += ["", "Regenerate: `scripts/bench`, then "
              "`scripts/results_readme.py results/<report>.json "
              "results/README.md`.", ""]
    tmp = argv[2] + ".tmp"
    with open(tmp, "w") as f:
        f.write("\n".join(lines))
    os.rename(tmp, argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
