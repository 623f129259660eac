#!/usr/bin/env python3
"""httpsbench merge: load reports of clients that ran together, merged
exactly (issue #16, item 3).

usage: merge_test.py BUILD_DIR
Three load engines (httpsbench-plain load, bounded by -n) run at the same
time against one httpsbench-plain server on 127.0.0.1; their reports are
merged. Checks: every count is the sum of the clients' counts; requests/s
is the sum of their rates; the merged latency and phase percentiles equal
the percentiles of the union of the clients' histograms, computed here
from the encoded buckets by a second implementation (nearest rank, the
bucket's highest value, capped to the exact min and max); each client is
kept under "hosts"; the report validates against the schema. Refused:
clients of different runs (exit 1, the result says which param), a
report without histograms (exit 1), bad usage (exit 2, one line).
"""
import copy
import json
import os
import subprocess
import sys
import tempfile

import hbtest
from hbtest import check

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from load_test import Engine  # noqa: E402

N = 1500  # requests per client


def bucket_high(i, lo, hi):
    """The highest value (ns) of bucket index i (lib/http/hdr.c's layout:
    2048 sub-buckets of 512 ns, then 1024 per doubling), within [lo, hi]."""
    b = (i >> 10) - 1
    sb = (i & 1023) + 1024
    if b < 0:
        sb -= 1024
        b = 0
    v = (sb << (b + 9)) + (1 << (b + 9)) - 1
    return min(max(v, lo), hi)


def union(hists):
    """(counts by index, total, min, max) of the sum of encoded
    histograms."""
    counts, total, lo, hi = {}, 0, None, 0
    for h in hists:
        c = h["counts"]
        for k in range(0, len(c), 2):
            counts[c[k]] = counts.get(c[k], 0) + c[k + 1]
        if h["total"]:
            total += h["total"]
            lo = h["min_ns"] if lo is None else min(lo, h["min_ns"])
            hi = max(hi, h["max_ns"])
    return counts, total, lo or 0, hi


def percentile_us(u, p):
    counts, total, lo, hi = u
    want = min(max(int(p / 100.0 * total + 0.5), 1), total)
    seen = 0
    for i in sorted(counts):
        seen += counts[i]
        if seen >= want:
            return bucket_high(i, lo, hi) / 1000.0
    return hi / 1000.0


def close(a, b):
    return abs(a - b) <= 1e-9 * max(1.0, abs(b))


def main():
    build = sys.argv[1]
    fe = os.path.join(build, "httpsbench")
    load = os.path.join(build, "httpsbench-plain")
    tmp = tempfile.mkdtemp(prefix="hb-merge.")
    srv = Engine(build, "plain")
    if not check(srv.port, "server started"):
        return hbtest.finish("merge")
    try:
        paths = [os.path.join(tmp, "c%d.json" % i) for i in range(3)]
        procs = [subprocess.Popen([load, "load", srv.url("/bytes/1024"),
                                   "-c", "2", "-n", str(N), "--json", p],
                                  stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
                 for p in paths]
        rcs = [p.wait(timeout=120) for p in procs]
        check(rcs == [0, 0, 0], "clients exit 0: %s" % rcs)
        close_path = os.path.join(tmp, "close.json")
        rc, _, _ = hbtest.run([load, "load", srv.url("/bytes/1024"), "-c",
                               "1", "-n", "50", "--close", "--json",
                               close_path], timeout=120)
        check(rc == 0, "the --close client exit 0")
    finally:
        srv.proc.terminate()
        srv.proc.wait(timeout=30)

    clients = [json.load(open(p))["results"][0] for p in paths]
    out = os.path.join(tmp, "merged.json")
    rc, so, se = hbtest.run([fe, "merge", "--json", out, "-l", "a", "-l",
                             "b", "-l", "c"] + paths)
    check(rc == 0, "merge exit 0: %d %s" % (rc, se.strip()))
    check("merged" in so and so.count("requests/s") == 4,
          "table: merged and three clients:\n" + so)
    rep = json.load(open(out))
    check(len(rep["results"]) == 1, "one merged result")
    m = rep["results"][0]
    check(m["status"] == "ok", "status ok")
    for k, v in m["counts"].items():
        check(v == sum(c["counts"][k] for c in clients),
              "counts.%s %d = the clients' sum" % (k, v))
    check(m["counts"]["responses_2xx"] == 3 * N, "3 x %d responses" % N)
    for k, v in m["errors"].items():
        check(v == sum(c["errors"][k] for c in clients), "errors.%s" % k)
    check(close(m["rate"]["achieved"],
                sum(c["rate"]["achieved"] for c in clients)),
          "rate = sum of the clients' rates")
    check(close(m["stats"]["median"], m["rate"]["achieved"]),
          "the sample is the merged rate")
    check(m["params"]["connections"] == 6 and m["params"]["clients"] == 3
          and m["params"]["requests"] == 3 * N, "params add the shares")
    check([h["label"] for h in m["hosts"]] == ["a", "b", "c"],
          "hosts keep each client, labelled")
    check(all(close(h["requests_per_s"], c["stats"]["median"])
              for h, c in zip(m["hosts"], clients)), "hosts' own rates")
    for path in (("latency",), ("phases", "connect"), ("phases", "ttfb")):
        def get(r):
            for k in path:
                r = r[k]
            return r
        u = union([get(c)["histogram"] for c in clients])
        mh = get(m)
        name = ".".join(path)
        check(mh["count"] == u[1], "%s count %d" % (name, mh["count"]))
        for key, p in (("p50", 50), ("p90", 90), ("p99", 99),
                       ("p99_9", 99.9)):
            want = percentile_us(u, p)
            check(close(mh[key], want), "%s %s %.3f us = union's %.3f us"
                  % (name, key, mh[key], want))
        check(close(mh["min"], u[2] / 1000.0) and
              close(mh["max"], u[3] / 1000.0), "%s min/max" % name)
        check(mh["histogram"]["total"] == u[1], "%s merged histogram" % name)
    check(m["phases"]["request"]["p99"] == m["latency"]["p99"],
          "phases.request is latency")
    vrc, vout = hbtest.validate(out)
    check(vrc == 0, "schema: " + vout)

    # clients of different runs: not merged, and the result says why
    out2 = os.path.join(tmp, "bad.json")
    rc, so, se = hbtest.run([fe, "merge", "--json", out2, paths[0],
                             close_path])
    check(rc == 1, "different runs: exit 1 (%d)" % rc)
    r = json.load(open(out2))["results"][0]
    check(r["status"] == "error" and "params.close" in r.get("error", ""),
          "the error names params.close: %s" % r.get("error"))

    # a report without histograms (an older engine): refused
    stripped = json.load(open(paths[1]))
    del stripped["results"][0]["latency"]["histogram"]
    old = os.path.join(tmp, "old.json")
    json.dump(stripped, open(old, "w"))
    rc, so, se = hbtest.run([fe, "merge", paths[0], old])
    check(rc == 1 and "histogram" in so, "no histogram: exit 1 (%d)\n%s"
          % (rc, so))

    # a broken histogram: refused, not merged
    broken = copy.deepcopy(stripped)
    broken["results"][0]["latency"]["histogram"] = \
        clients[1]["latency"]["histogram"]
    broken["results"][0]["latency"]["histogram"]["total"] += 1
    json.dump(broken, open(old, "w"))
    rc, so, se = hbtest.run([fe, "merge", paths[0], old])
    check(rc == 1 and "add up" in so, "inconsistent histogram: exit 1")

    # usage
    for argv, what in (([], "no report"), (["-l", "a", "-l", "b", paths[0]],
                                           "more labels than reports"),
                       (["--bogus", paths[0]], "unknown option"),
                       ([os.path.join(tmp, "missing.json")], "missing")):
        rc, so, se = hbtest.run([fe, "merge"] + argv)
        want = 1 if what == "missing" else 2
        check(rc == want and len(se.strip().splitlines()) == 1,
              "%s: exit %d (%d), one line: %r" % (what, want, rc, se))
    rc, so, se = hbtest.run([fe, "merge", "--help"])
    check(rc == 0 and "--label" in so, "--help")
    return hbtest.finish("merge")


if __name__ == "__main__":
    sys.exit(main())
