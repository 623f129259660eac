#!/usr/bin/env python3
"""httpsbench report, compare and export as a user runs them.

usage: report_test.py HTTPSBENCH SOURCE_DIR WORK_DIR
- report: figures (SVG + PNG, non-empty) and one HTML page holding them
  from the hand-made tests/data/report-small.json; absent suites skipped
  and said so; two reports side by side;
- compare: identical reports exit 0, a result made slower on purpose exit
  1, an improvement exit 0, a change inside the threshold exit 0;
- export: every format equals its committed file in tests/data/;
- schema versions: report-small.json is 1.x (ci95_low/ci95_high); a 2.x
  copy (ci_low/ci_high/ci_level) derived from it validates, exports and
  compares alike; the schema rejects a 2.x report carrying ci95_*; every
  label gives the coverage achieved (75.0% for 3 samples), computed from
  n for a 1.x report without ci_level;
- bad input (unknown major version, truncated JSON, missing fields, empty
  results): one line naming the file, exit 2, nothing written;
- the Mann-Whitney U test against reference p-values;
- findings (tests/data/report-throughput.json, a real throughput run,
  made server-bound here): a comparison appears only when the two
  intervals separate, else "no significant difference"; at most six top
  findings, each citing an interval and its level; a how-to-read block
  naming the bounds and the noise; the rest grouped by suite;
- the latency spectrum only from open-loop results (cost cells, load
  -R), titled with the rate and the fraction of capacity; binary units
  (KiB, MiB/s) on the page and the figures, never MB or kB;
- compare of two runs whose CPU, kernel, library version or build type
  differ: a warning naming each field and exit status 3;
- CSV columns server_backend, bound, vs_plain (and note, raw), vs_ours
  and CPU per request; curl rows told apart by their server;
- the page's environment: each merged part's command line, no temporary
  paths; merged parts keep their run (steal time);
- goodput (throughput --rate-sweep, synthetic): a panel per link rate,
  each point marked by what bound it, HTTPS goodput as a share of HTTP's
  in the summary only where the intervals separate and no cell passed
  the link's rate; no goodput figure without a link rate;
- bytes on the wire per request (synthetic): the HTTP-vs-HTTPS figure's
  column of HTTPS's bytes as % of plain HTTP's, one summary sentence per
  mode (1 KiB and the largest body); older reports without them render.
"""
import copy
import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
import html as html_mod

import hbtest
from hbtest import check

HB, SRC, WORK = sys.argv[1], sys.argv[2], sys.argv[3]
DATA = os.path.join(SRC, "tests", "data", "report-small.json")
TPUT = os.path.join(SRC, "tests", "data", "report-throughput.json")
SCRIPTS = os.path.join(SRC, "scripts")
KINDS = ("crypto-aead", "crypto-asymmetric", "crypto-kex",
         "crypto-equivalence",
         "crypto-digest", "handshake-phases", "handshake-rate",
         "latency-spectrum", "http-vs-https", "cpu-per-request",
         "memory-per-connection")


def run(*args, timeout=300):
    return hbtest.run([HB] + list(args), timeout=timeout)


def base():
    with open(DATA) as f:
        return json.load(f)


def write(doc, name):
    path = os.path.join(WORK, name)
    with open(path, "w") as f:
        json.dump(doc, f)
    return path


def scale(doc, name, backend, factor):
    """Every sample and location statistic of one result times factor."""
    for r in doc["results"]:
        if r["name"] == name and r["backend"] == backend:
            r["samples"] = [s * factor for s in r["samples"]]
            for k in ("median", "mean", "stddev", "min", "max", "ci95_low",
                      "ci95_high", "ci_low", "ci_high"):
                if k in r["stats"]:
                    r["stats"][k] *= factor
            return doc
    raise KeyError(name)


def stats_objects(obj):
    """Every stats object of a report: results' and their series'."""
    if isinstance(obj, list):
        for v in obj:
            yield from stats_objects(v)
    elif isinstance(obj, dict):
        if isinstance(obj.get("stats"), dict):
            yield obj["stats"]
        for k, v in obj.items():
            if k != "stats":
                yield from stats_objects(v)


def as_v2(doc):
    """The 2.x form of a 1.x report: ci_low/ci_high, same values."""
    doc["schema_version"] = "2.0"
    for st in stats_objects(doc["results"]):
        st["ci_low"] = st.pop("ci95_low")
        st["ci_high"] = st.pop("ci95_high")
    return doc


def test_report():
    out = os.path.join(WORK, "fig")
    rc, so, se = run("report", DATA, "--out", out)
    check(rc == 0, "report exit %d: %s" % (rc, se))
    check("report.html" in so, "report prints the page: %r" % so)
    page = os.path.join(out, "report.html")
    html = open(page).read() if os.path.exists(page) else ""
    for k in KINDS:
        for ext in ("svg", "png"):
            p = os.path.join(out, "%s.%s" % (k, ext))
            ok = os.path.exists(p) and os.path.getsize(p) > 1000
            check(ok, "figure %s.%s missing or empty" % (k, ext))
            if ok and ext == "svg":
                root = ET.parse(p).getroot()
                check(root.tag.endswith("svg"), "%s is not SVG" % p)
            if ok and ext == "png":
                with open(p, "rb") as f:
                    check(f.read(8) == b"\x89PNG\r\n\x1a\n", "%s not PNG"
                          % p)
        check('data-key="%s:' % k in html, "page lacks figure %s" % k)
    check(html.count("data:image/svg+xml;base64,") == len(KINDS),
          "page holds %d inline figures"
          % html.count("data:image/svg+xml;base64,"))
    check('data-figures="%d"' % len(KINDS) in html, "figure count marker")
    net = re.findall(r'(?:src|href|url)\s*[=(]\s*["\']?(?:https?:)?//',
                     html)
    check(not net and "<link" not in html and "@import" not in html,
          "page refers to the network: %s" % net[:3])
    # the small report has every figure but the sweeps' (their own
    # tests, test_rtt_sweep and test_goodput)
    skipped = re.findall(r"<li>([^<]*)</li>", html.split(
        "Skipped figures", 1)[1].split("</ul>", 1)[0]) \
        if "Skipped figures" in html else []
    check(len(skipped) == 3 and skipped[0].startswith(
        "Handshakes: time to first byte against RTT:") and
        skipped[1].startswith("Handshakes: time to first byte against "
                              "loss:") and
        skipped[2] == "Goodput over the emulated link: no goodput over a "
        "link with a rate (throughput --rate-sweep, or --rate or --link) "
        "in these reports",
        "nothing but the RTT, loss and rate sweeps is skipped: %s"
        % skipped)
    check("costs" in html and "times a TCP connect" in html and
          "of plain HTTP" in html, "headline findings missing")
    check("mbedTLS 2.28 has no EdDSA" in html, "table lacks the reason")

    # only the crypto suite: the other figures skipped, and said so
    doc = base()
    doc["results"] = [r for r in doc["results"] if r["suite"] == "crypto"]
    only = write(doc, "crypto-only.json")
    out2 = os.path.join(WORK, "fig-crypto")
    rc, so, se = run("report", only, "--out", out2, "--html",
                     os.path.join(WORK, "crypto-only.html"))
    check(rc == 0, "crypto-only report exit %d: %s" % (rc, se))
    html = open(os.path.join(WORK, "crypto-only.html")).read() \
        if rc == 0 else ""
    check("Skipped figures" in html and "no handshake results" in html,
          "skipped figures not listed")
    check(not os.path.exists(os.path.join(out2, "handshake-phases.svg")),
          "a figure of an absent suite was written")

    # two reports side by side: a column each
    doc = scale(base(), "rsa-2048/sign", "openssl", 0.5)
    other = write(doc, "other.json")
    out3 = os.path.join(WORK, "fig-two")
    rc, so, se = run("report", DATA, other, "--out", out3)
    check(rc == 0, "two-report exit %d: %s" % (rc, se))
    check(os.path.exists(os.path.join(out3, "crypto-aead-1.svg")) and
          os.path.exists(os.path.join(out3, "crypto-aead-2.svg")),
          "one figure per report")
    html = open(os.path.join(out3, "report.html")).read() if rc == 0 else ""
    check(">report-small<" in html and ">other<" in html,
          "both reports in the page")


def test_compare():
    same = write(base(), "same.json")
    rc, so, se = run("compare", DATA, same)
    check(rc == 0, "identical reports: exit %d (%s)" % (rc, se))
    check("curl:keepalive/1024 curl@openssl" in so and
          "curl:keepalive/1024 curl@plain" in so,
          "rows of one client against two servers kept apart")
    check("0 worse" in so, "identical reports: %s" % so[-200:])

    cases = [  # (what, result, backend, factor, threshold, rc, word)
        ("rate 20% slower", "rsa-2048/sign", "openssl", 0.8, None, 1,
         "slower"),
        ("rate 25% faster", "rsa-2048/sign", "openssl", 1.25, None, 0,
         "faster"),
        ("latency 30% slower", "tls1.3-full-ecdsa-p256-x25519/tls_handshake",
         "openssl", 1.3, None, 1, "slower"),
        ("latency 30% faster", "tls1.3-full-ecdsa-p256-x25519/tls_handshake",
         "openssl", 0.7, None, 0, "faster"),
        ("3% inside 5%", "rsa-2048/sign", "openssl", 0.97, None, 0,
         "no significant change"),
        # [1960, 2060] against [1901, 1998]: the test and the threshold
        # say slower, the intervals overlap: within noise, not worse
        ("3% beyond 1%, intervals overlap", "rsa-2048/sign", "openssl",
         0.97, "1%", 0, "within noise (-3.0%, intervals overlap)"),
        # [1960, 2060] against [1803, 1895]: apart
        ("8% beyond 5%", "rsa-2048/sign", "openssl", 0.92, None, 1,
         "slower (-8.0%)"),
        ("8% inside 10%", "rsa-2048/sign", "openssl", 0.92, "10%", 0,
         "no significant change"),
    ]
    for what, name, be, f, thr, want, word in cases:
        new = write(scale(base(), name, be, f), "new.json")
        args = ["compare", DATA, new] + (["--threshold", thr] if thr else [])
        rc, so, se = run(*args)
        line = [ln for ln in so.splitlines() if name + " " + be in ln]
        check(rc == want, "%s: exit %d, want %d (%s)" % (what, rc, want, se))
        check(line and word in line[0], "%s: verdict %r" % (
            what, line[0] if line else so[-300:]))

    doc = base()
    doc["results"] = [r for r in doc["results"]
                      if r["name"] != "x25519/exchange"]
    r = [r for r in doc["results"] if r["name"] == "ecdsa-p256/sign" and
         r["backend"] == "gnutls"][0]
    r.update(status="error", stats=None, samples=[], error="broke")
    rc, so, se = run("compare", DATA, write(doc, "fewer.json"))
    check(rc == 1 and "now failing" in so, "a result now failing: exit %d"
          % rc)
    check("only in base (1)" in so and "x25519/exchange" in so,
          "result only in base not listed")
    rc, so, se = run("compare", DATA)
    check(rc == 2 and len(se.splitlines()) == 1, "compare one file")
    rc, so, se = run("compare", DATA, same, "--threshold", "lots")
    check(rc == 2 and "--threshold" in se, "bad threshold")


def test_export():
    data = os.path.join(SRC, "tests", "data")
    for fmt, ext in (("csv", "csv"), ("bmf", "bmf.json"),
                     ("gab", "gab.json"), ("hdr", "hdr.txt")):
        rc, so, se = run("export", "--format", fmt, DATA)
        with open(os.path.join(data, "report-small." + ext)) as f:
            want = f.read()
        check(rc == 0 and so == want, "export %s differs from "
              "tests/data/report-small.%s (exit %d %s)" % (fmt, ext, rc, se))
        out = os.path.join(WORK, "exp." + ext)
        rc, so, se = run("export", "--format", fmt, DATA, "--out", out)
        check(rc == 0 and so == "" and open(out).read() == want,
              "export %s --out" % fmt)
    bmf = json.loads(open(os.path.join(data, "report-small.bmf.json"))
                     .read())
    check(all(isinstance(m.get("value"), (int, float))
              for b in bmf.values() for m in b.values()), "BMF values")
    gab = json.loads(open(os.path.join(data, "report-small.gab.json"))
                     .read())
    check(isinstance(gab, list) and all(
        set(e) >= {"name", "unit", "value", "range"} for e in gab),
        "github-action-benchmark entries")
    rc, so, se = run("export", "--format", "gab", "--only", "lower", DATA)
    check(rc == 0 and all(e["unit"] in ("us", "bytes/connection")
                          for e in json.loads(so)), "--only lower")
    hdr = open(os.path.join(data, "report-small.hdr.txt")).read()
    check(hdr.count("Value     Percentile TotalCount 1/(1-Percentile)") ==
          hdr.count("#[Mean    =") == 24, "HDR blocks")
    rc, so, se = run("export", "--format", "xml", DATA)
    check(rc == 2 and len(se.splitlines()) == 1, "unknown format")


def bad_inputs():
    doc = base()
    doc["schema_version"] = "3.0"
    yield "major", write(doc, "v3.json"), "unknown schema major version 3"
    doc = base()
    doc["schema_version"] = "2.0"
    yield "2.x with ci95_*", write(doc, "v2-ci95.json"), "'ci_low'"
    text = open(DATA).read()
    path = os.path.join(WORK, "truncated.json")
    with open(path, "w") as f:
        f.write(text[:len(text) // 2])
    yield "truncated", path, "truncated JSON"
    doc = base()
    del doc["tool"]
    yield "no tool", write(doc, "notool.json"), "missing field 'tool'"
    doc = base()
    del doc["results"][3]["stats"]
    yield "no stats", write(doc, "nostats.json"), "missing field 'stats'"
    doc = base()
    doc["results"] = []
    yield "empty", write(doc, "empty.json"), "no results"


def test_bad_input():
    for what, path, words in bad_inputs():
        for cmd in ("report", "compare", "export"):
            out = os.path.join(WORK, "bad-out")
            shutil.rmtree(out, ignore_errors=True)
            if cmd == "report":
                args = ["report", DATA, path, "--out", out]
            elif cmd == "compare":
                args = ["compare", DATA, path]
            else:
                args = ["export", "--format", "csv", path, "--out", out]
            rc, so, se = run(*args)
            lines = se.splitlines()
            check(rc == 2, "%s %s: exit %d, want 2" % (cmd, what, rc))
            check(len(lines) == 1 and path in lines[0] and words in
                  lines[0], "%s %s: stderr %r" % (cmd, what, se))
            check(not os.path.exists(out) and so == "",
                  "%s %s: wrote something" % (cmd, what))


validate = hbtest.validate


def test_versions():
    v1 = DATA
    v2 = write(as_v2(base()), "small-v2.json")
    rc, out = validate(v1)
    check(rc == 0 and "schema 1.0" in out, "1.x fixture: %s" % out)
    rc, out = validate(v2)
    check(rc == 0 and "schema 2.0" in out, "2.x copy: %s" % out)

    # the schema: 2.x must not carry ci95_*, anywhere, and needs ci_level
    bad = []
    doc = as_v2(base())
    doc["results"][0]["stats"]["ci95_low"] = doc["results"][0]["stats"][
        "ci_low"]
    bad.append(("ci95_low beside ci_low", doc))
    doc = as_v2(base())
    r = [r for r in doc["results"] if "bytes_per_s" in r][0]
    st = r["bytes_per_s"]["stats"]
    st["ci95_high"] = st.pop("ci_high")
    bad.append(("ci95_high in a series", doc))
    doc = as_v2(base())
    del doc["results"][0]["stats"]["ci_level"]
    bad.append(("no ci_level", doc))
    doc = base()
    doc["schema_version"] = "2.0"
    bad.append(("1.x fields under 2.0", doc))
    for what, doc in bad:
        path = write(doc, "bad-v2.json")
        rc, out = validate(path)
        check(rc == 1, "schema accepts 2.x with %s (exit %d)" % (what, rc))
        rc, so, se = run("export", "--format", "csv", path)
        check(rc == 2 and path in se, "export of 2.x with %s: exit %d %s"
              % (what, rc, se))
    doc = base()
    doc["results"][0]["stats"]["ci_low"] = 1.0  # 1.x ignores unknown keys
    rc, out = validate(write(doc, "v1-extra.json"))
    check(rc == 0, "1.x with an extra key: %s" % out)

    # export and compare read both alike
    for fmt in ("csv", "bmf", "gab"):
        r1 = run("export", "--format", fmt, v1)
        r2 = run("export", "--format", fmt, v2)
        check(r1[0] == 0 and r1 == r2, "export %s: 1.x and 2.x differ (%s)"
              % (fmt, r2[2]))
    rc, so, se = run("export", "--format", "csv", v1)
    head = so.splitlines()[0].split(",") if so else []
    check(head[5:9] == ["median", "ci_low", "ci_high", "ci_level"],
          "csv columns %s" % head[5:9])
    gab = json.loads(run("export", "--format", "gab", v1)[1] or "[]")
    e = [e for e in gab if e["name"] == "crypto/rsa-2048/sign/openssl"]
    check(e and e[0]["range"].endswith("(93.8% CI)") and "93.8% CI [" in
          e[0]["extra"], "gab names the level: %s" % e[:1])
    bmf = json.loads(run("export", "--format", "bmf", v2)[1] or "{}")
    m = bmf.get("crypto/rsa-2048/sign/openssl", {}).get("throughput", {})
    check(m.get("ci_level") == 0.9375 and "lower_value" in m,
          "bmf ci_level: %s" % m)
    for base_, new_ in ((v1, v2), (v2, v1)):
        rc, so, se = run("compare", base_, new_)
        line = [ln for ln in so.splitlines()
                if "rsa-2048/sign openssl" in ln]
        check(rc == 0 and "0 worse" in so and line and
              line[0].count("93.8%") == 2, "compare 1.x/2.x: exit %d %s"
              % (rc, line or se))
        check("95% CI" not in so, "compare says 95% CI")

    # a 1.x report without ci_level: the level computed from n, exactly
    doc = base()
    for st in stats_objects(doc["results"]):
        st.pop("ci_level", None)
    rc, so, se = run("export", "--format", "csv", write(doc, "nolevel.json"))
    want = {"3": "0.75", "5": "0.9375", "6": "0.96875", "1": "0.0"}
    rows = [ln.split(",") for ln in so.splitlines()[1:]]
    got = {(r[14], r[8]) for r in rows if r[8]}
    check(rc == 0 and got and all(want.get(n) == lv for n, lv in got),
          "levels computed from n: %s" % sorted(got))

    # merging 1.x and 2.x parts gives a valid 2.x report
    out = os.path.join(WORK, "merged.json")
    p = subprocess.run([sys.executable, os.path.join(
        SCRIPTS, "merge_reports.py"), out, v1, v2], capture_output=True,
        text=True, timeout=120)
    rc, msg = validate(out) if p.returncode == 0 else (p.returncode,
                                                         p.stderr)
    check(rc == 0 and "schema 2.0" in msg, "merge 1.x + 2.x: %s" % msg)

    # figures and the page name the level achieved, never a nominal 95%
    outdir = os.path.join(WORK, "fig-v2")
    rc, so, se = run("report", v2, "--out", outdir)
    check(rc == 0, "2.x report exit %d: %s" % (rc, se))
    html = open(os.path.join(outdir, "report.html")).read() if rc == 0 \
        else ""
    check("CI, level" in html and "93.8%" in html and "95% CI" not in html,
          "page levels")
    svg = os.path.join(outdir, "crypto-aead.svg")
    svg = open(svg).read() if os.path.exists(svg) else ""
    check("93.8% CI" in svg and "95% CI" not in svg, "aead figure level")
    svg = os.path.join(outdir, "handshake-phases.svg")
    svg = open(svg).read() if os.path.exists(svg) else ""
    check("96.9% CI" in svg, "handshake figure level (6 samples)")
    svg = os.path.join(outdir, "http-vs-https.svg")
    svg = open(svg).read() if os.path.exists(svg) else ""
    check("75.0% CI" in svg, "throughput figure level (3 runs)")


def test_mwu():
    sys.path.insert(0, os.path.join(SRC, "scripts"))
    from hbreport import mwu
    refs = [  # (x, y, p from a reference implementation)
        ([1, 2, 2, 3, 5], [2, 4, 4, 6, 7, 8], 0.07934368319771502),
        ([10, 11, 12, 13, 14], [1, 2, 3, 4, 5], 0.007936507936507936),
        ([1.5, 2.5, 3.5, 4.5], [2, 3, 4, 5, 6, 7], 0.2571428571428571),
        (list(range(30)), [x + 7.5 for x in range(25)], 0.04000233106564058),
    ]
    for x, y, p in refs:
        got = mwu.mann_whitney(x, y)[1]
        check(abs(got - p) < 1e-12, "Mann-Whitney p %r, want %r" % (got, p))
    check(mwu.mann_whitney([1, 2, 3], [4, 5, 6])[1] == 0.1, "3 vs 3")
    check(abs(mwu.smallest_p(3, 3) - 0.1) < 1e-12, "smallest p 3 vs 3")


def test_paired_verdicts():
    # the comparison scripts' ratio verdicts (scripts/lib/refserver.py)
    import refserver as rs
    check(rs.median_ci([5, 1, 4, 2, 3]) == (1, 5, 0.9375),
          "5 values: the whole range at 93.75%")
    lo, hi, cov = rs.median_ci(list(range(9)))
    check((lo, hi) == (1, 7) and abs(cov - 0.9609375) < 1e-12,
          "9 values: 2nd to 8th at 96.1%%: %r" % ((lo, hi, cov),))
    check(rs.ratio_verdict([1.01, 0.99, 1.02, 0.98, 1.00])[0] == "meets",
          "median 1.00: meets")
    check(rs.ratio_verdict([0.97, 0.99, 1.01, 0.98, 0.96])[0] == "tie",
          "median 0.98, interval reaching 1: tie")
    check(rs.ratio_verdict([0.90, 0.95, 0.97, 0.96, 0.94])[0] == "BELOW",
          "interval under 1: BELOW")


def tput():
    with open(TPUT) as f:
        return json.load(f)


def set_cell(doc, name, backend, samples, bound="server", **extra):
    """One result's samples and stats (median, interval of 3: min and
    max, level 0.75) and its bound."""
    for r in doc["results"]:
        if r["name"] == name and r["backend"] == backend:
            s = sorted(samples)
            r["samples"] = list(samples)
            r["stats"].update(median=s[len(s) // 2], ci_low=s[0],
                              ci_high=s[-1], ci_level=0.75, n=len(s))
            r["bound"] = bound
            r.update(extra)
            return r
    raise KeyError(name)


def page_of(path, name):
    out = os.path.join(WORK, name)
    rc, so, se = run("report", path, "--out", out)
    check(rc == 0, "report %s: exit %d %s" % (name, rc, se))
    p = os.path.join(out, "report.html")
    return html_mod.unescape(open(p).read()) if rc == 0 else "", out


def summary_of(path):
    sys.path.insert(0, SCRIPTS)
    from hbreport import findings as F, load as L
    return F.findings(L.load(path))


def test_findings():
    # A (OpenSSL) and B (plain HTTP), both server-bound, keep-alive 1 KiB:
    # intervals [27k, 33k] and [29k, 31k] overlap; [9.8k, 10.2k] and
    # [29k, 31k] separate
    texts = {}
    for what, a in (("overlap", [27000, 30000, 33000]),
                     ("separate", [9800, 10000, 10200])):
        doc = tput()
        set_cell(doc, "keepalive/1024", "plain", [29000, 30000, 31000])
        set_cell(doc, "keepalive/1024", "openssl", a,
                 vs_plain=a[1] / 30000.0, vs_plain_note=None)
        path = write(doc, "findings-%s.json" % what)
        html, _ = page_of(path, "fig-findings-" + what)
        texts[what] = html
        summ = summary_of(path)
        every = " ".join(str(f) for f in summ.all())
        stated = "OpenSSL reaches %d%% of plain HTTP's requests/s" % (
            round(100 * a[1] / 30000.0))
        if what == "overlap":
            check(stated not in every and stated not in html,
                  "overlapping intervals: comparison stated: %s" % every)
            check("no significant difference between OpenSSL and plain "
                  "HTTP (intervals overlap" in html,
                  "overlapping intervals: no 'no significant difference'"
                  ": %s" % every)
        else:
            check(stated in every and stated in html,
                  "separate intervals: %r missing: %s" % (stated, every))
            ka = [str(f) for f in summ.all()
                  if str(f).startswith("HTTPS keep-alive")]
            check(ka and "no significant difference" not in ka[0],
                  "separate intervals said to overlap: %s" % ka)
        check(0 < len(summ.top) <= 6, "%d top findings" % len(summ.top))
        for f in summ.top:
            check(re.search(r"\[[-0-9.]+, [-0-9.]+\]", str(f)) and
                  "% CI" in str(f), "top finding without its interval "
                  "and level: %s" % f)
        how = " ".join(summ.how)
        check("server-bound" in how and "coefficient of variation" in how
              and "75.0%" in how, "how to read: %s" % how)
        check("Steal time" in how, "how to read lacks steal time: %s" % how)
        check([s for s, _ in summ.groups] == ["throughput"],
              "groups %s" % [s for s, _ in summ.groups])
        check("Top findings" in html and "How to read this page" in html,
              "page lacks the summary's parts")

    # the helper itself: overlapping, touching-free and missing intervals
    sys.path.insert(0, SCRIPTS)
    from hbreport.findings import Q, compare
    a = Q("A", 10.0, 9.0, 11.0, 0.75, "requests/s")
    b = Q("B", 12.0, 10.5, 13.0, 0.75, "requests/s")
    c = Q("C", 20.0, 19.0, 21.0, 0.75, "requests/s")
    one = Q("D", 20.0, 20.0, 20.0, 0.0, "requests/s")
    f = compare(a, b, "{a} is {more} than {b}")
    check("no significant difference between a and b (intervals overlap"
          in str(f).lower() and "slower" not in str(f), "overlap: %s" % f)
    f = compare(c, a, "{a} is {more} than {b}")
    check(str(f).startswith("C is faster than A (20 [19, 21]") and
          "75.0% CIs" in str(f), "separate: %s" % f)
    f = compare(one, a, "{a} is {more} than {b}")
    check("no significant difference" in str(f).lower() and "no interval"
          in str(f) and not f.interval, "one sample: %s" % f)
    t = Q("T", 100.0, 90.0, 110.0, 0.75, "us")
    u = Q("U", 300.0, 290.0, 310.0, 0.75, "us")
    check("T is faster than U" in str(compare(t, u, "{a} is {more} than "
                                              "{b}")), "times: lower wins")


def test_spectrum_units():
    html, out = page_of(TPUT, "fig-tput")
    svg = os.path.join(out, "latency-spectrum.svg")
    svg = html_mod.unescape(open(svg).read()) if os.path.exists(svg) \
        else ""
    check("open loop at 4.97 k requests/s" in svg and
          "50% of openssl" in svg and "(17% of" in svg,
          "spectrum title lacks rate and fraction of capacity")
    check("open loop at 4.97 k requests/s (17% of plain's capacity, 50% "
          "of openssl's)" in html, "page lacks the spectrum's rate")
    # report-small's load result is open loop (-R): drawn from it alone;
    # without it (closed loop) the figure is not drawn, and said so
    doc = base()
    for r in doc["results"]:
        if r["suite"] == "load":
            del r["params"]["model"], r["params"]["target_rate"]
    html2, out2 = page_of(write(doc, "closed.json"), "fig-closed")
    check(not os.path.exists(os.path.join(out2, "latency-spectrum.svg")),
          "closed-loop latency drawn as a spectrum")
    check("Skipped figures" in html2 and "open-loop" in html2,
          "closed loop: the skipped spectrum is not explained")
    # binary units only: no MB, kB or GB on the page or in the figures
    pages = [html, open(os.path.join(WORK, "fig", "report.html")).read()]
    svgs = [open(os.path.join(d, f)).read() for d in (
        out, os.path.join(WORK, "fig")) for f in os.listdir(d)
        if f.endswith(".svg")]
    bad = re.compile(r"\d ?(?:[kMGT]B\b|MB/s|GB/s|kB/s)")
    for text in pages + svgs:
        m = bad.search(re.sub(r"<[^>]+>", " ", text))
        check(not m, "decimal byte unit %r" % (m.group(0) if m else ""))
    check("MiB/s" in pages[1] or "GiB/s" in pages[1], "no binary rate")
    check(" k requests/s" in html, "counts lack k")
    aead = open(os.path.join(WORK, "fig", "crypto-aead.svg")).read()
    check("MiB/s" in aead, "aead figure not in MiB/s")


def env_changed(**kw):
    doc = base()
    for k, v in kw.items():
        if k == "lib":
            for b in doc["backends"]:
                if b["name"] == "openssl":
                    b["version"] = v
        elif k == "build_type":
            doc["tool"]["build_type"] = v
        else:
            doc["environment"][k] = v
    return doc


def test_compare_vs_plain():
    """A cost cell's paired ratio to plain gets its own row: a cost, so a
    higher ratio is worse, while the absolute row is unchanged."""
    def doc(factor):
        with open(TPUT) as f:
            d = json.load(f)
        for r in d["results"]:
            if r["name"] == "cost:keepalive/1024" and r["backend"] != "plain":
                s = [v * factor for v in (1.49, 1.50, 1.51, 1.52, 1.53)]
                m = sum(s) / 5
                sd = (sum((v - m) ** 2 for v in s) / 4) ** 0.5
                r["server_ns_vs_plain"] = {"samples": s, "stats": {
                    "median": s[2], "mean": m, "stddev": sd, "min": s[0],
                    "max": s[4], "ci_low": s[0], "ci_high": s[4],
                    "ci_level": 0.9375, "cv": sd / m, "n": 5}}
        return d
    rc, so, se = run("compare", write(doc(1), "vsp-base.json"),
                     write(doc(1.3), "vsp-new.json"))
    row = [ln for ln in so.splitlines()
           if "cost:keepalive/1024 (x plain) openssl" in ln]
    check(row and "worse (+30.0%)" in row[0] and
          "x plain" in row[0],
          "x plain row: %s" % (row or so[-400:]))
    ab = [ln for ln in so.splitlines()
          if "cost:keepalive/1024 openssl" in ln]
    check(ab and "no significant change" in ab[0], "absolute row: %s" % ab)
    check(rc == 1, "a dearer ratio to plain: exit %d, want 1" % rc)
    check(not [ln for ln in so.splitlines() if "(x plain) plain" in ln],
          "plain got a row against itself")
    # another nap: not comparable; another offered rate: named
    new = doc(1)
    for r in new["results"]:
        if r["name"] == "cost:keepalive/1024":
            r["params"]["nap_us"] = 20
    rc, so, se = run("compare", write(doc(1), "vsp-base.json"),
                     write(new, "vsp-nap.json"))
    row = [ln for ln in so.splitlines()
           if "cost:keepalive/1024 openssl" in ln]
    check(row and "not comparable (nap_us 0 -> 20)" in row[0],
          "another nap: %s" % (row or so[-300:]))
    # a client that sent its Finished with the request: not comparable
    new = doc(1)
    for r in new["results"]:
        if r["name"] == "cost:keepalive/1024":
            r.setdefault("achieved", {})["client_hold_finished"] = True
    rc, so, se = run("compare", write(doc(1), "vsp-base.json"),
                     write(new, "vsp-hold.json"))
    row = [ln for ln in so.splitlines()
           if "cost:keepalive/1024 openssl" in ln]
    check(row and "not comparable (hold_finished false -> true)" in row[0],
          "another Finished: %s" % (row or so[-300:]))
    new = doc(1)
    for r in new["results"]:
        if r["name"] == "cost:keepalive/1024":
            r["params"]["rate"] = r["params"]["rate"] * 1.5
    rc, so, se = run("compare", write(doc(1), "vsp-base.json"),
                     write(new, "vsp-rate.json"))
    row = [ln for ln in so.splitlines()
           if "cost:keepalive/1024 openssl" in ln]
    check(row and "[offered" in row[0], "another rate: %s" % (
        row or so[-300:]))


def test_compare_env():
    rc, so, se = run("compare", "--help")
    check(rc == 0 and "3" in so and "not comparable" in so,
          "compare --help lacks exit status 3")
    new = write(env_changed(cpu_model="Other CPU", kernel="Linux 9.9",
                            lib="OpenSSL 9.9.9", build_type="Debug"),
                "env-differs.json")
    rc, so, se = run("compare", DATA, new)
    check(rc == 3, "different environment: exit %d, want 3" % rc)
    for field in ("CPU model", "kernel", "openssl version", "build type"):
        check("not comparable: %s differs" % field in se,
              "warning lacks %s: %s" % (field, se))
    check("Other CPU" in se and "OpenSSL 9.9.9" in se, "values missing")
    check("not comparable" in so and "rsa-2048/sign openssl" in so,
          "the comparison is still printed")
    rc, so, se = run("compare", DATA, write(env_changed(kernel="Linux 9"),
                                            "env-kernel.json"))
    check(rc == 3 and "kernel differs" in se and "CPU model" not in se,
          "one field: exit %d %s" % (rc, se))
    # a regression too: still 3 (not comparable wins)
    doc = scale(env_changed(build_type="Debug"), "rsa-2048/sign", "openssl",
                0.5)
    rc, so, se = run("compare", DATA, write(doc, "env-worse.json"))
    check(rc == 3, "not comparable and worse: exit %d" % rc)
    rc, so, se = run("compare", DATA, write(base(), "env-same.json"))
    check(rc == 0 and "not comparable" not in se, "same env: %d %s"
          % (rc, se))


def test_csv_columns():
    import csv
    import io
    rc, so, se = run("export", "--format", "csv", TPUT)
    rows = list(csv.DictReader(io.StringIO(so)))
    head = so.splitlines()[0].split(",") if so else []
    want = ("server_backend", "bound", "bound_reason", "vs_plain",
            "vs_plain_raw", "vs_plain_note", "vs_ours",
            "server_cpu_us_per_request", "client_cpu_us_per_request")
    check(rc == 0 and all(c in head for c in want),
          "csv columns: %s" % head)
    curl = [(r["name"], r["server_backend"]) for r in rows
            if r["backend"] == "curl"]
    check(len(curl) == 4 and len(set(curl)) == 4 and
          {s for _, s in curl} == {"plain", "openssl"},
          "curl rows not told apart by server: %s" % curl)
    ka = [r for r in rows if r["name"] == "keepalive/1024" and
          r["backend"] == "openssl"][0]
    check(ka["bound"] == "noise" and ka["vs_plain"] == "" and
          ka["vs_plain_note"].startswith("not stated") and
          float(ka["vs_plain_raw"]) > 0 and
          float(ka["server_cpu_us_per_request"]) > 0 and
          float(ka["client_cpu_us_per_request"]) > 0, "cell: %s" % ka)
    cu = [r for r in rows if r["name"] == "curl:keepalive/1024" and
          r["server_backend"] == "plain"][0]
    check(float(cu["vs_ours"]) > 0, "curl vs_ours: %s" % cu)
    cost = [r for r in rows if r["name"].startswith("cost:")]
    check(cost and all(float(r["server_cpu_us_per_request"]) > 1 and
                       r["server_backend"] == r["backend"] for r in cost),
          "cost cells' CPU per request in us")
    doc = tput()
    set_cell(doc, "keepalive/1024", "openssl", [9800, 10000, 10200],
             vs_plain=0.345)
    rc, so, se = run("export", "--format", "csv", write(doc, "csv.json"))
    ka = [r for r in csv.DictReader(io.StringIO(so))
          if r["name"] == "keepalive/1024" and r["backend"] == "openssl"]
    check(ka and ka[0]["vs_plain"] == "0.345" and ka[0]["bound"] ==
          "server", "stated vs_plain: %s" % ka[:1])


def env_table(html):
    """The page's environment table without its "report file" row (the
    file given, wherever the test put it)."""
    env = html[html.find('id="environment"'):html.find('id="figures"')]
    return re.sub(r"<tr><th>report file</th>.*?</tr>", "", env)


def test_merged_env():
    crypto = base()
    crypto["results"] = [r for r in crypto["results"]
                         if r["suite"] == "crypto"]
    crypto["run"]["command_line"] = [
        "crypto", "--sizes", "16,16384", "--json",
        "/tmp/hbsuite.AbCdEf/crypto.json"]
    crypto["run"]["steal"] = {"seconds": 0.25, "share": 0.01}
    hs = base()
    hs["results"] = [r for r in hs["results"] if r["suite"] == "handshake"]
    hs["run"]["command_line"] = [
        "handshake", "-n", "100", "--crypto",
        "/tmp/hbsuite.AbCdEf/crypto.json", "--json",
        "/tmp/hbsuite.AbCdEf/handshake.json"]
    hs["run"]["steal"] = {"seconds": 0.5, "share": 0.03}
    parts = [write(crypto, "part-crypto.json"), write(hs, "part-hs.json")]
    out = os.path.join(WORK, "merged-parts.json")
    p = subprocess.run([sys.executable, os.path.join(
        SCRIPTS, "merge_reports.py"), out] + parts, capture_output=True,
        text=True, timeout=120)
    check(p.returncode == 0, "merge: %s" % p.stderr)
    rc, msg = validate(out)
    check(rc == 0, "merged report with run parts: %s" % msg)
    doc = json.load(open(out)) if p.returncode == 0 else {"run": {}}
    rp = doc["run"].get("parts") or []
    check(len(rp) == 2 and rp[1].get("steal", {}).get("seconds") == 0.5 and
          rp[0]["command_line"][0] == "crypto",
          "parts keep their run: %s" % rp)
    check(abs(doc["run"].get("steal", {}).get("seconds", 0) - 0.75) < 1e-9,
          "merged steal: %s" % doc["run"].get("steal"))
    html, _ = page_of(out, "fig-merged")
    env = env_table(html)
    check("command line (crypto)" in env and "command line (handshake)"
          in env and "httpsbench crypto --sizes 16,16384" in env and
          "httpsbench handshake -n 100" in env,
          "environment lacks each part's command line")
    check("/tmp/" not in env and "hbsuite" not in env,
          "environment shows a temporary path")
    check("Steal time" in html and "crypto 250 ms" in html and
          "handshake 500 ms" in html, "steal per part missing")
    # a report merged before (parts: bare command lines) still reads
    doc["run"]["parts"] = [r["command_line"] for r in rp]
    html, _ = page_of(write(doc, "merged-old.json"), "fig-merged-old")
    env = env_table(html)
    check("command line (handshake)" in env and "/tmp/" not in env,
          "old merged parts")


def crypto_doc(stream, gnutls_seal=None, gnutls_ecdsa=None):
    """report-small with aes-128-gcm/stream/16384 results (stream:
    {backend: samples}) and, optionally, other samples for GnuTLS's
    seal/16384 and ecdsa-p256/sign."""
    doc = as_v2(base())
    tmpl = [r for r in doc["results"] if r["name"] ==
            "aes-128-gcm/seal/16384" and r["backend"] == "openssl"][0]
    for be, samples in stream.items():
        r = json.loads(json.dumps(tmpl))
        r.update(name="aes-128-gcm/stream/16384", backend=be)
        r["params"]["operation"] = "stream"
        doc["results"].append(r)
        set_stats(r, samples)
    for name, samples in (("aes-128-gcm/seal/16384", gnutls_seal),
                          ("ecdsa-p256/sign", gnutls_ecdsa)):
        if samples:
            set_stats([r for r in doc["results"] if r["name"] == name and
                       r["backend"] == "gnutls"][0], samples)
    return doc


def set_stats(r, samples):
    """samples, and stats with the interval of 5: min and max (93.75%)."""
    s = sorted(samples)
    r["samples"] = list(samples)
    r["stats"].update(median=s[len(s) // 2], ci_low=s[0], ci_high=s[-1],
                      ci_level=0.9375, n=len(s), min=s[0], max=s[-1])


def summary_html(html):
    return html[html.find('id="summary"'):html.find('id="environment"')]


def test_crypto_findings():
    """The crypto summary's comparisons all go through findings.compare /
    ranking (verdict): stated only when the intervals separate; seal
    above stream is noise; AES-128-GCM's seal speed once on the page."""
    G = 1e9
    # OpenSSL: stream [4.4, 4.6] G above seal [3.92, 4.12] G, apart: a
    # cost of records. GnuTLS: stream [3.0, 3.1] G below seal [3.43,
    # 3.605] G, apart: impossible, noise.
    doc = crypto_doc({"openssl": [4.5 * G, 4.4 * G, 4.6 * G, 4.45 * G,
                                  4.55 * G],
                      "gnutls": [3.05 * G, 3.0 * G, 3.1 * G, 3.02 * G,
                                 3.08 * G]})
    path = write(doc, "crypto-apart.json")
    summ = summary_of(path)
    every = " ".join(str(f) for f in summ.all())
    check("on OpenSSL they run at 89% of the speed of one long message"
          in every, "seal below stream, apart: cost not stated: %s" % every)
    check("GnuTLS measured 115% of one long message" in every and
          "the extra work of a record rules out: measurement noise, not a "
          "finding" in every and "on GnuTLS 115%" not in every,
          "seal above stream stated as a finding: %s" % every)
    check("16 KiB records of AES-128-GCM sealed one at a time" in every,
          "record size not in binary units: %s" % every)
    # the seal ranking: OpenSSL [3.92, 4.12] G apart from GnuTLS [3.43,
    # 3.605] G; ECDSA P-256 against RSA-2048 apart on both
    check("OpenSSL 3.73 [3.65, 3.84] GiB/s; GnuTLS 3.26 [3.19, 3.36] GiB/s "
          "(slower than OpenSSL)" in every, "seal ranking: %s" % every)
    check("ECDSA P-256 on OpenSSL signs 20 times as fast as RSA-2048" in
          every and "ECDSA P-256 on GnuTLS 16 times" in every,
          "ECDSA against RSA, apart: %s" % every)
    check(re.search(r"One RSA-2048 signature costs the CPU time of "
                    r"encrypting 1\.91 \[1\.81, 2\] MiB on OpenSSL", every),
          "equivalence without the range its intervals allow: %s" % every)
    html, out = page_of(path, "fig-crypto-apart")
    svg = html_mod.unescape(open(os.path.join(out, "crypto-aead.svg"))
                            .read())
    check("OpenSSL 3.0.11" in svg and "openssl OpenSSL" not in svg and
          "GnuTLS 3.7.9" in svg, "figure footer names a library twice")
    env = env_table(html)
    check("OpenSSL 3.0.11" in env and "OpenSSL OpenSSL" not in env and
          "mbedTLS mbed TLS" not in env, "environment names a library "
          "twice")
    summ_html = summary_html(html)
    check(summ_html.count("3.73 [3.65, 3.84] GiB/s") == 1,
          "AES-128-GCM seal/16384 stated %d times in the summary" %
          summ_html.count("3.73 [3.65, 3.84] GiB/s"))
    check("e+0" not in summ_html, "a number with an exponent")
    derived = html[html.find("one public-key operation in KiB"):]
    derived = derived[:derived.find("</table>")]
    check("KiB of AES-128-GCM" in derived and "cipher speed" not in derived
          and "GiB/s" not in derived and "aes-128-gcm/seal/16384" in
          derived, "derived table repeats the cipher speed: %s" % derived)

    # overlapping: GnuTLS seal [3.8, 4.2] G against OpenSSL's [3.92, 4.12]
    # G, its ECDSA [980, 1030] against its RSA [980, 1030], seal and
    # stream of both within each other's intervals
    doc = crypto_doc({"openssl": [4.0 * G, 3.9 * G, 4.1 * G, 3.95 * G,
                                  4.05 * G]},
                     gnutls_seal=[4.0 * G, 3.8 * G, 4.2 * G, 3.9 * G,
                                  4.1 * G],
                     gnutls_ecdsa=[1000.0, 980.0, 1030.0, 990.0, 1010.0])
    every = " ".join(str(f) for f in summary_of(write(
        doc, "crypto-overlap.json")).all())
    check("(no significant difference from OpenSSL: intervals overlap, "
          "within noise)" in every and "slower than OpenSSL" not in every,
          "overlapping seal speeds ranked: %s" % every)
    check("no significant difference between ECDSA P-256 on GnuTLS and "
          "RSA-2048 (intervals overlap" in every and
          "on GnuTLS 1 times" not in every and "ECDSA P-256 on OpenSSL "
          "signs 20 times as fast" in every,
          "overlapping ECDSA/RSA: %s" % every)
    check("no significant difference between OpenSSL and one long message"
          in every and "of the speed of one long message" not in every,
          "overlapping seal/stream: %s" % every)

    sys.path.insert(0, SCRIPTS)
    from hbreport import units, findings as F
    from hbreport.page import lib_version
    check(units.fmt_ci(952, 911, 1060, "requests/s") ==
          "952 [911, 1060] requests/s", "exponent in a bound: %s" %
          units.fmt_ci(952, 911, 1060, "requests/s"))
    check(units.size_adj(16) == "16-byte" and units.size_adj(16384) ==
          "16 KiB", "size_adj")
    check(units.fmt_bytes(52.8) == "53 bytes" and
          units.fmt_bytes(2e6) == "1.91 MiB", "fmt_bytes")
    check(lib_version("openssl", "OpenSSL 3.0.19") == "OpenSSL 3.0.19" and
          lib_version("mbedtls", "mbed TLS 2.28.3") == "mbed TLS 2.28.3"
          and lib_version("gnutls", "3.7.9") == "GnuTLS 3.7.9",
          "library named twice")
    check(F.pretty("openssl-3.5") == "OpenSSL 3.5" and
          lib_version("openssl-3.5", "3.5.0") == "OpenSSL 3.5.0",
          "a library set scripts/libs built")
    # the crypto group: comparisons before equivalences and key cost
    crypto = [fs for s_, fs in summary_of(path).groups if s_ == "crypto"]
    ranks = [f.rank for f in (crypto[0] if crypto else [])]
    check(ranks and ranks == sorted(ranks), "crypto group order %s" % ranks)
    # single measurements (memory, n = 1) named apart from the levels
    how = " ".join(summary_of(TPUT).how)
    check(re.search(r"\d+ single measurements? without an interval", how)
          and "0.0%" not in how, "how to read: levels %s" % how)
    a = F.Q("A", 10.0, 9.0, 11.0, 0.75, "ops/s")
    b = F.Q("B", 12.0, 10.5, 13.0, 0.75, "ops/s")
    c = F.Q("C", 20.0, 19.0, 21.0, 0.75, "ops/s")
    check(F.verdict(a, b) == F.NOISE and F.verdict(a, c) == F.SEPARATE and
          F.verdict(a, F.Q("D", 5.0, None, None, None, "ops/s")) ==
          F.NO_INTERVAL, "verdict")


def test_ratio_verdicts():
    """CSV: each stated ratio with the summary's verdict on its two
    intervals."""
    import csv
    import io
    rows = {}
    for what, a in (("apart", [9800, 10000, 10200]),
                    ("overlap", [27000, 30000, 33000])):
        doc = tput()
        set_cell(doc, "keepalive/1024", "plain", [29000, 30000, 31000])
        set_cell(doc, "keepalive/1024", "openssl", a, vs_plain=a[1] / 3e4)
        rc, so, se = run("export", "--format", "csv",
                         write(doc, "verdict-%s.json" % what))
        rows[what] = [r for r in csv.DictReader(io.StringIO(so))
                      if r["name"] == "keepalive/1024"]
    got = {w: {r["backend"]: r["vs_plain_verdict"] for r in rs}
           for w, rs in rows.items()}
    check(got["apart"].get("openssl") == "separate" and
          got["overlap"].get("openssl") == "within noise" and
          got["apart"].get("plain") == "", "vs_plain_verdict: %s" % got)
    rc, so, se = run("export", "--format", "csv", TPUT)
    cu = [r for r in csv.DictReader(io.StringIO(so))
          if r["name"].startswith("curl:") and r["vs_ours"]]
    check(cu and all(r["vs_ours_verdict"] in ("separate", "within noise")
                     for r in cu), "vs_ours_verdict: %s" % cu[:1])


def described(schema, node):
    """{property: its description} of a schema node (properties only)."""
    return {k: v.get("description", "") for k, v in
            (node.get("properties") or {}).items()}


def test_crypto_schema():
    """Every field a crypto run writes (run, result, params) is in the
    schema with a description; wrong values are refused."""
    out = os.path.join(WORK, "crypto-fresh.json")
    rc, so, se = run("crypto", "--backend", "openssl", "--filter",
                     "^(aes-128-gcm/seal|x25519)", "--sizes", "16",
                     "--seconds", "0.01", "--repetitions", "2",
                     "--quiet", "--json", out)
    if not check(rc == 0 and os.path.exists(out), "crypto run: exit %d %s"
                 % (rc, se)):
        return
    check(validate(out)[0] == 0, "fresh crypto report invalid: %s"
          % validate(out)[1])
    with open(os.path.join(SRC, "schemas", "report.schema.json")) as f:
        schema = json.load(f)
    D = schema["definitions"]
    crypto = D["result"]["allOf"][1]["then"]
    res = dict(described(schema, D["result"]))
    res.update(described(schema, crypto))
    params = described(schema, crypto["properties"]["params"])
    runp = described(schema, schema["properties"]["run"])
    doc = json.load(open(out))
    new = ("wall_s", "cpu_s", "rate_basis", "noisy")
    for r in doc["results"]:
        for k in r:
            check(k in res, "result field %s not in the schema" % k)
        for k in r["params"]:
            check(params.get(k), "params.%s not described" % k)
    check(all(k in doc["results"][0] for k in new),
          "fresh result lacks %s" % [k for k in new
                                     if k not in doc["results"][0]])
    for k in new:
        check(res.get(k), "%s not described: %r" % (k, res.get(k)))
    check("seconds" in res["wall_s"] and "seconds" in res["cpu_s"] and
          "fraction" in params["max_cv"], "units missing from descriptions")
    for k in doc["run"]:
        check(k in runp, "run.%s not in the schema" % k)
    for k in ("steal", "cpu_mhz_start", "cpu_mhz_end", "cpu_mhz_source"):
        check(k in doc["run"], "run lacks %s" % k)
    st = D["steal"]["properties"]
    check("seconds" in st["seconds"]["description"] and "fraction" in
          st["share"]["description"] and "MHz" in D["cpu_mhz"][
              "description"], "steal / MHz units not described")
    for what, change in (
            ("rate_basis bogus", lambda r: r.update(rate_basis=["bogus"])),
            ("noisy a string", lambda r: r.update(noisy="yes")),
            ("max_cv negative", lambda r: r["params"].update(max_cv=-1))):
        bad = json.load(open(out))
        change(bad["results"][0])
        check(validate(write(bad, "crypto-bad.json"))[0] != 0,
              "schema accepts %s" % what)
    bad = json.load(open(out))
    bad["run"]["steal"] = {"seconds": 1.0, "share": 2}
    check(validate(write(bad, "crypto-bad.json"))[0] != 0,
          "schema accepts a steal share above 1")


CASE = "tls1.3-full-ecdsa-p256-x25519"


def read_text(path):
    """The file's text, "" when there is none."""
    if not os.path.exists(path):
        return ""
    with open(path) as f:
        return f.read()


def sweep_report(src, key, points, fill, name):
    """The report of base() with src's three phases at each point of a
    sweep ("CASE@KEY<point>/PHASE"); fill(r, point) completes each
    tls_handshake result. (exit status, stderr, the output folder)."""
    doc = base()
    for v in points:
        for ph in ("tcp_connect", "tls_handshake", "first_request"):
            r = json.loads(json.dumps(src))
            r["name"] = "%s@%s%g/%s" % (CASE, key, v, ph)
            if ph == "tls_handshake":
                r["params"]["sweep_case"] = CASE
                fill(r, v)
            doc["results"].append(r)
    out = os.path.join(WORK, "fig-" + name)
    rc, so, se = run("report", write(doc, name + ".json"), "--out", out)
    return rc, se, out


def with_h2(doc):
    """doc (the throughput fixture) with HTTP/2 cells of 10 streams next to
    keepalive/1024: plain's h2c at 60k requests/s, OpenSSL's h2 at 20k,
    both server-bound; HTTP/1.1 at 30k and 10k."""
    set_cell(doc, "keepalive/1024", "plain", [29000, 30000, 31000])
    set_cell(doc, "keepalive/1024", "openssl", [9800, 10000, 10200],
             vs_plain=1 / 3.0, vs_plain_note=None)
    for be, samples, proto in (("plain", [59000, 60000, 61000], "h2c"),
                               ("openssl", [19800, 20000, 20200], "h2")):
        src = [r for r in doc["results"] if r["name"] == "keepalive/1024"
               and r["backend"] == be][0]
        r = json.loads(json.dumps(src))
        r["name"] = "keepalive/1024/h2x10"
        r["params"].update(http="2", h2_streams=10, pipeline=1)
        r["achieved"].update(protocol=proto, http="2",
                             alpn="h2" if proto == "h2" else None,
                             h2_streams_per_connection=10,
                             server_h2_streams=3000.0)
        doc["results"].append(r)
        extra = {} if be == "plain" else {"vs_plain": 1 / 3.0,
                                          "vs_plain_note": None}
        set_cell(doc, "keepalive/1024/h2x10", be, samples, **extra)
    for r in doc["results"]:
        if r["name"] in ("keepalive/1024", "close/1024"):
            r["params"].update(http="1.1", h2_streams=None)
            r["achieved"].update(protocol="http/1.1", http="1.1", alpn=None)
    return doc


def test_http2_rows():
    """HTTP/2 throughput cells (params.http "2", h2_streams, named
    MODE/SIZE/h2xN) are valid reports, get their own labelled figure rows
    and their own summary line against plain's h2c cell of the same
    streams, and the HTTP/1.1 line says its version; the schema describes
    the new fields and refuses wrong values."""
    doc = with_h2(tput())
    path = write(doc, "h2-rows.json")
    rc, out = validate(path)
    check(rc == 0, "report with HTTP/2 cells invalid: %s" % out)
    every = [str(f) for f in summary_of(path).all()]
    h2 = [f for f in every if f.startswith("HTTPS over HTTP/2 with 10 "
                                           "streams")]
    h1 = [f for f in every if f.startswith("HTTPS keep-alive over HTTP/1.1")]
    check(len(h2) == 1 and "h2 against h2c" in h2[0] and
          "OpenSSL reaches 33% of plain HTTP's requests/s" in h2[0],
          "HTTP/2 summary line: %s" % every)
    check(len(h1) == 1 and "OpenSSL reaches 33%" in h1[0] and
          "HTTP/2" not in h1[0], "HTTP/1.1 summary line: %s" % every)
    html, out_dir = page_of(path, "fig-h2")
    svg = os.path.join(out_dir, "http-vs-https.svg")
    text = open(svg).read() if os.path.exists(svg) else ""
    check("HTTP/2 (10 streams/connection)" in text and
          "keepalive, HTTP/1.1" in text,
          "the HTTP vs HTTPS figure lacks its labelled HTTP/2 row")
    check("over HTTP/2 with 10 streams" in html, "page lacks the HTTP/2 line")
    # an HTTP/1.1-only report keeps its rows unlabelled
    plain_svg = os.path.join(WORK, "fig", "http-vs-https.svg")
    if os.path.exists(plain_svg):
        check("HTTP/2" not in open(plain_svg).read(),
              "an HTTP/1.1-only figure mentions HTTP/2")
    with open(os.path.join(SRC, "schemas", "report.schema.json")) as f:
        schema = json.load(f)
    D = schema["definitions"]
    ach = described(schema, D["result"]["properties"]["achieved"])
    for k in ("alpn", "protocol", "http", "h2_streams_per_connection",
              "server_h2_streams"):
        check(ach.get(k), "achieved.%s not described" % k)
    tp = [e["then"] for e in D["result"]["allOf"]
          if e["if"]["properties"].get("suite", {}).get("const") ==
          "throughput"]
    tpp = described(schema, tp[0]["properties"]["params"]) if tp else {}
    check(tpp.get("http") and tpp.get("h2_streams"),
          "throughput params.http / h2_streams not described")
    for what, change in (
            ("params.http 3", lambda r: r["params"].update(http="3")),
            ("h2_streams 0", lambda r: r["params"].update(h2_streams=0)),
            ("achieved.http 2.0", lambda r: r["achieved"].update(
                http="2.0"))):
        bad = with_h2(tput())
        change([r for r in bad["results"]
                if r["name"] == "keepalive/1024/h2x10"][0])
        check(validate(write(bad, "h2-bad.json"))[0] != 0,
              "schema accepts %s" % what)


def test_rtt_sweep():
    """handshake --rtt-sweep results (params.sweep_rtt_ms, ttfb_ms) get
    the TTFB-against-RTT figure with a panel per case; the first point
    stays in the phases figure, the others do not; a report without a
    sweep has no such figure."""
    src = [r for r in base()["results"] if r["suite"] == "handshake" and
           r["name"] == CASE + "/tls_handshake"][0]

    def rtt_point(r, rtt):
        r["params"]["sweep_rtt_ms"] = rtt
        r["ttfb_ms"] = 1.0 + 3 * rtt
        r["rtts_expected"] = 3
        r["link_measured"] = {"echo_rtt_ms": {
            "n": 3, "failed": 0, "median": rtt + 0.05,
            "min": rtt, "max": rtt + 0.1,
            "samples": [rtt, rtt + 0.05, rtt + 0.1]}}

    rc, se, out = sweep_report(src, "rtt", (0, 25, 100), rtt_point, "sweep")
    check(rc == 0, "sweep report exit %d: %s" % (rc, se))
    text = read_text(os.path.join(out, "rtt-sweep.svg"))
    check(CASE + " (3 RTT)" in text,
          "the sweep figure has the case's panel with its round trips")
    phases = read_text(os.path.join(out, "handshake-phases.svg"))
    check("@rtt0" in phases and "@rtt25" not in phases,
          "the phases figure keeps the sweep's first point only")
    check(not os.path.exists(os.path.join(WORK, "fig", "rtt-sweep.svg")),
          "no sweep figure without a sweep")

    # a loss sweep: percentiles of the time to first byte per point
    def loss_point(r, loss):
        r["params"]["sweep_loss_pct"] = loss
        r["ttfb_ms"] = 31.0
        r["ttfb_percentiles_ms"] = {"n": 20, "p50": 31.0,
                                    "p90": 33.0 + 100 * loss,
                                    "p99": 35.0 + 200 * loss,
                                    "max": 35.0 + 200 * loss}

    rc, se, out = sweep_report(src, "loss", (0, 5), loss_point, "loss")
    check(rc == 0, "loss sweep report exit %d: %s" % (rc, se))
    text = read_text(os.path.join(out, "loss-sweep.svg"))
    check("p99" in text and CASE in text and
          not os.path.exists(os.path.join(out, "rtt-sweep.svg")),
          "the loss sweep gets its percentile figure (and no RTT figure)")


def rate_sweep_doc():
    """The throughput fixture as a throughput --rate-sweep 10,100,1000
    report: plain's and OpenSSL's keepalive/1024 cell at 1 KiB and 1 MiB
    bodies at each rate (NAME@rateN, params.sweep_rate_mbit, bytes_per_s,
    goodput_mbit, goodput_of_link, bound), one link per point. At 1 MiB:
    10 Mbit/s, plain above the link's rate (too few responses in the
    window); 100 Mbit/s, OpenSSL 80 against plain 95 Mbit/s (intervals
    separate); 1000 Mbit/s, 700 against 705 (they overlap). Every cell is
    bound by neither CPU but OpenSSL's 1 MiB cell at 1000 Mbit/s, which
    is server-bound."""
    doc = tput()
    goodput = {  # (rate, bytes, backend): median Mbit/s, interval +-
        (10, 1024, "plain"): (3.0, 0.1), (10, 1024, "openssl"): (2.8, 0.1),
        (10, 1 << 20, "plain"): (11.0, 0.2),
        (10, 1 << 20, "openssl"): (9.0, 0.2),
        (100, 1024, "plain"): (30.0, 1), (100, 1024, "openssl"): (28.0, 1),
        (100, 1 << 20, "plain"): (95.0, 1),
        (100, 1 << 20, "openssl"): (80.0, 1),
        (1000, 1024, "plain"): (50.0, 2),
        (1000, 1024, "openssl"): (45.0, 2),
        (1000, 1 << 20, "plain"): (705.0, 20),
        (1000, 1 << 20, "openssl"): (700.0, 20)}
    cells = []
    for (rate, size, be), (mbit, pm) in sorted(goodput.items()):
        src = [r for r in doc["results"] if r["name"] == "keepalive/1024"
               and r["backend"] == be][0]
        r = copy.deepcopy(src)
        r["name"] = "keepalive/%d@rate%d" % (size, rate)
        r["params"].update(bytes=size, sweep_rate_mbit=float(rate))
        bps = [(mbit + d) * 1e6 / 8 for d in (-pm, 0, pm)]
        r["bytes_per_s"]["samples"] = bps
        r["bytes_per_s"]["stats"].update(median=bps[1], ci_low=bps[0],
                                         ci_high=bps[2], ci_level=0.75,
                                         n=3, min=bps[0], max=bps[2])
        r["goodput_mbit"] = mbit
        r["goodput_of_link"] = mbit / rate
        r["bound"] = "server" if (rate, size, be) == (
            1000, 1 << 20, "openssl") else "neither"
        r.pop("vs_plain", None)
        r["vs_plain_note"] = "not server-bound"
        cells.append(r)
    doc["results"] = cells
    doc["link_sweep"] = [{"sweep_rate_mbit": float(rate), "configured": {
        "profile": None, "rtt_ms": 20,
        "client_to_server": {"delay_ms": 10, "rate_mbit": rate},
        "server_to_client": {"delay_ms": 10, "rate_mbit": rate,
                             "loss": {"model": "bernoulli",
                                      "mean_pct": 0}}}}
        for rate in (10, 100, 1000)]
    return doc


def test_goodput():
    """throughput --rate-sweep results get the goodput figure: a panel per
    link rate (% of the link's rate and Mbit/s against body size), HTTP
    against HTTPS, each point marked by what bound its cell (only the
    bounds present in the legend); the summary states HTTPS goodput as a
    share of HTTP's per rate only where the intervals separate, and not
    at all where a cell passed the link's rate; the HTTP-vs-HTTPS figure
    keeps the fastest point. A report without a link rate has no goodput
    figure, and the page says why (test_report)."""
    sys.path.insert(0, SCRIPTS)
    from hbreport import units
    check(units.fmt(92.3e6, "bit/s") == "92.3 Mbit/s" and
          units.fmt(2.5e4, "requests/s") == "25 k requests/s",
          "bit/s takes its prefix without a space, other units with one")
    path = write(rate_sweep_doc(), "rate-sweep.json")
    html, out = page_of(path, "fig-goodput")
    svg = read_text(os.path.join(out, "goodput.svg"))
    png = os.path.join(out, "goodput.png")
    check(os.path.exists(png) and os.path.getsize(png) > 1000 and
          open(png, "rb").read(8) == b"\x89PNG\r\n\x1a\n",
          "the goodput figure has a PNG")
    check(svg and all("%d Mbit/s link, RTT 20 ms" % r in svg
                      for r in (10, 100, 1000)),
          "the goodput figure has a panel per link rate, with its RTT")
    check("of the link's rate" in svg and "Mbit/s" in svg and
          "response body size (keepalive)" in svg,
          "the goodput figure's axes: share of the link, Mbit/s, body size")
    check("neither CPU saturated" in svg and "server-bound" in svg and
          "client-bound" not in svg and "noise:" not in svg,
          "the legend names the bounds present, and only those")
    check('data-key="goodput:' in html and
          "Goodput over the emulated link" in html and
          "what bound the cell over its measured window" in html,
          "the page holds the goodput figure with its caption")
    check("Of the rate sweep, the 1000 Mbit/s link's cells only" in html
          and "the 1000 Mbit/s link's cells. What bound each of the 4 "
          "cells" in html, "the HTTP-vs-HTTPS figure and its how-to-read "
          "line keep the sweep's fastest point")
    check("What bound each of the 12 cells: 11 neither, 1 server" in html,
          "how to read the goodput figure names its cells' bounds")
    every = [str(f) for f in summary_of(path).all()]
    g = {rate: [t for t in every if t.startswith(
        "Goodput over a %d Mbit/s link" % rate)] for rate in (10, 100,
                                                              1000)}
    check(len(g[100]) == 1 and "OpenSSL reaches 84% of plain HTTP's "
          "goodput (80 [79, 81] Mbit/s); plain HTTP 95 [94, 96] Mbit/s"
          in g[100][0] and "1 MiB responses" in g[100][0] and
          "plain HTTP neither, OpenSSL neither" in g[100][0],
          "separate intervals: HTTPS goodput stated as a share of "
          "HTTP's, with the bounds: %s" % g[100])
    check(len(g[1000]) == 1 and "no significant difference between "
          "OpenSSL and plain HTTP" in g[1000][0] and "reaches" not in
          g[1000][0] and "OpenSSL server" in g[1000][0],
          "overlapping intervals: no share stated: %s" % g[1000])
    check(len(g[10]) == 1 and "not compared: plain HTTP 110% of the "
          "link's rate" in g[10][0] and "reaches" not in g[10][0],
          "a cell above the link's rate is not compared: %s" % g[10])
    check(not os.path.exists(os.path.join(WORK, "fig", "goodput.svg")),
          "no goodput figure without a rate sweep")


def wire_doc():
    """The throughput fixture with bytes on the wire per request (the
    fields throughput writes since #13) in its keepalive and close cells
    at 1 KiB, and the same cells again at 1 MiB: plain HTTP and OpenSSL,
    three runs each, with OpenSSL's wire_vs_plain against plain's same
    cell. keep-alive: 1 KiB 1176 against 1201 bytes (2.1% more), 1 MiB
    1048742 against 1050118 (0.1% more, but few responses per window:
    each cell's wire_resolution 0.5%, not resolved); close: 1 KiB 1214
    against 2905 (139% more), 1 MiB 1048760 against 1050600 (0.2%
    more); every other cell's resolution 0.01%."""
    doc = tput()
    wire = {("keepalive", 1024, "plain"): (1125, 51),
            ("keepalive", 1024, "openssl"): (1147, 54),
            ("keepalive", 1 << 20, "plain"): (1048690, 52),
            ("keepalive", 1 << 20, "openssl"): (1050064, 54),
            ("close", 1024, "plain"): (1144, 70),
            ("close", 1024, "openssl"): (2546, 359),
            ("close", 1 << 20, "plain"): (1048690, 70),
            ("close", 1 << 20, "openssl"): (1050241, 359)}
    out = []
    for r in doc["results"]:
        out.append(r)
        key = (r["params"].get("mode"), 1 << 20, r["backend"])
        if r["name"] in ("keepalive/1024", "close/1024") and key in wire:
            big = copy.deepcopy(r)
            big["name"] = "%s/%d" % key[:2]
            big["params"]["bytes"] = key[1]
            out.append(big)
    doc["results"] = out
    cells = {}
    for (mode, size, be), (pin, pout) in wire.items():
        r = [c for c in out if c["name"] == "%s/%d" % (mode, size) and
             c["backend"] == be][0]
        reqs = [1000, 1001, 1002]
        for key, per in (("wire_bytes_in_per_request", pin),
                         ("wire_bytes_out_per_request", pout),
                         ("wire_bytes_per_request", pin + pout)):
            r[key] = {"samples": [per] * 3, "stats": {
                "median": per, "mean": per, "stddev": 0, "min": per,
                "max": per, "ci_low": per, "ci_high": per,
                "ci_level": 0.75, "n": 3, "cv": 0}}
        r["wire_counts"] = {"bytes_in": [pin * n for n in reqs],
                            "bytes_out": [pout * n for n in reqs],
                            "requests": reqs, "in_flight_max": 1,
                            "scope": "TCP/IP headers not included"}
        r["wire_resolution"] = 0.005 if (mode, size) == (
            "keepalive", 1 << 20) else 0.0001
        cells[(mode, size, be)] = r
    for (mode, size, be), r in cells.items():
        if be == "plain":
            continue
        b = cells[(mode, size, "plain")]
        r["wire_vs_plain"] = {k: r[f]["stats"]["median"] /
                              b[f]["stats"]["median"] for k, f in (
            ("in", "wire_bytes_in_per_request"),
            ("out", "wire_bytes_out_per_request"),
            ("total", "wire_bytes_per_request"))}
        r["wire_vs_plain"].update(baseline=b["name"], resolution=(
            r["wire_resolution"] + b["wire_resolution"]))
    return doc


def test_wire():
    """Bytes on the wire per request (synthetic): the HTTP-vs-HTTPS figure
    gets a column of HTTPS's bytes per request as % of plain HTTP's, its
    caption saying TCP/IP headers are not included; the summary says per
    mode, at 1 KiB and the largest body, how many % more bytes HTTPS
    sends than plain HTTP. A report without the fields (older) gets
    neither, and still renders."""
    path = write(wire_doc(), "wire.json")
    vrc, vout = hbtest.validate(path)
    check(vrc == 0, "the wire fixture is a valid report: %s" % vout[-300:])
    html, out = page_of(path, "fig-wire")
    svg = read_text(os.path.join(out, "http-vs-https.svg"))
    check(svg and "bytes on the wire per request" in svg and
          "(no TCP/IP headers)" in svg,
          "the HTTP-vs-HTTPS figure has the bytes-on-the-wire column")
    check("Bytes on the wire (right)" in html and "TCP/IP headers not "
          "included" in html, "its caption says what is counted")
    every = [str(f) for f in summary_of(path).all()]
    w = {m: [t for t in every if t.startswith(
        "Bytes on the wire per request, " + m)] for m in (
        "keep-alive", "with a new connection per request")}
    ka, cl = w["keep-alive"], w["with a new connection per request"]
    check(len(ka) == 1 and "TCP/IP headers not included" in ka[0] and
          "with 1 KiB responses HTTPS sends 2.1% more bytes than plain "
          "HTTP on OpenSSL (1.17 KiB against 1.15 KiB)" in ka[0],
          "keep-alive: HTTPS's extra bytes at 1 KiB: %s" % ka)
    check(len(ka) == 1 and "with 1 MiB responses no difference the counts "
          "resolve on OpenSSL (" in ka[0] and "within 1%)" in ka[0] and
          "0.1% more" not in ka[0],
          "keep-alive, 1 MiB: 0.1%% within the counts' 1%% is not "
          "stated: %s" % ka)
    check(len(cl) == 1 and "with 1 KiB responses HTTPS sends 139% more "
          "bytes than plain HTTP on OpenSSL (2.84 KiB against 1.19 KiB)"
          in cl[0] and "with 1 MiB responses HTTPS sends 0.2% more bytes "
          "than plain HTTP on OpenSSL" in cl[0],
          "close: the handshake's bytes at 1 KiB: %s" % cl)
    import csv
    import io
    rc, so, se = run("export", "--format", "csv", path)
    ka = [r for r in csv.DictReader(io.StringIO(so))
          if r["name"] == "keepalive/1024" and r["backend"] == "openssl"]
    check(rc == 0 and ka and ka[0]["wire_bytes_in_per_request"] == "1147"
          and ka[0]["wire_bytes_per_request"] == "1201" and
          abs(float(ka[0]["wire_vs_plain"]) - 1201 / 1176.0) < 1e-9 and
          ka[0]["wire_resolution"] == "0.0001",
          "csv: the wire columns: %s" % ka[:1])
    old = tput()
    check(not any(k.startswith("wire") for r in old["results"] for k in r),
          "the fixture predates the wire fields")
    path = write(old, "wire-old.json")
    html, out = page_of(path, "fig-wire-old")
    svg = read_text(os.path.join(out, "http-vs-https.svg"))
    check(svg and "bytes on the wire" not in svg and
          "Bytes on the wire" not in html,
          "an older report without the fields: no column, no sentence")


def test_version_findings():
    """Two versions of one library in a report (issue #14): a Debian
    library and a set scripts/libs built. The summary states a
    version-vs-version difference for handshake and crypto figures only
    where the two intervals separate (findings.verdict); overlapping ones
    are counted as within noise, never stated; a set whose Debian library
    is absent gets no comparison."""
    doc = base()
    doc["backends"] += [
        {"name": "openssl-3.5", "version": "OpenSSL 3.5.7 1 Jul 2025"},
        {"name": "gnutls-3.8", "version": "3.8.9"},
        {"name": "wolfssl-5.7", "version": "5.7.2"}]
    add = []
    for r in doc["results"]:
        if r["suite"] in ("crypto", "handshake") and \
                r["backend"] in ("openssl", "gnutls"):
            c = copy.deepcopy(r)
            c["backend"] = r["backend"] + ("-3.5" if r["backend"] ==
                                           "openssl" else "-3.8")
            add.append(c)
        if r["suite"] == "crypto" and r["backend"] == "mbedtls":
            c = copy.deepcopy(r)
            c["backend"] = "wolfssl-5.7"  # its Debian library is absent
            add.append(c)
    doc["results"] += add
    # OpenSSL 3.5: the TLS 1.3 full handshake phase takes half the time
    # and X25519 runs twice as fast (separate); the resumed handshake 2%
    # slower (inside both intervals: noise)
    scale(doc, "tls1.3-full-ecdsa-p256-x25519/tls_handshake", "openssl-3.5",
          0.5)
    scale(doc, "x25519/exchange", "openssl-3.5", 2.0)
    scale(doc, "tls1.3-ticket-ecdsa-p256-x25519/tls_handshake",
          "openssl-3.5", 1.02)
    summ = summary_of(write(doc, "versions.json"))
    every = [str(f) for f in summ.all()]
    vs = [t for t in every if "(one library, two versions)" in t]
    hs = [t for t in vs if t.startswith("OpenSSL 3.5.7 against OpenSSL "
                                        "3.0.11 (one library, two "
                                        "versions), handshakes")]
    cr = [t for t in vs if t.startswith("OpenSSL 3.5.7 against OpenSSL "
                                        "3.0.11 (one library, two "
                                        "versions), crypto")]
    check(len(hs) == 1 and "TLS 1.3 full handshake with ECDSA P-256 "
          "(x25519) (handshake phase): OpenSSL 3.5.7 is faster, taking 50% "
          "of the time of OpenSSL 3.0.11" in hs[0] and "resumed" not in
          hs[0] and "2 more within noise" in hs[0],
          "the separate handshake difference stated, the overlapping "
          "ones counted: %s" % hs)
    check(len(cr) == 1 and "X25519 key exchange: OpenSSL 3.5.7 is faster,"
          " at 200% of the rate of OpenSSL 3.0.11" in cr[0] and
          "RSA-2048" not in cr[0], "the separate crypto difference "
          "stated, the equal ones not: %s" % cr)
    g = [t for t in vs if t.startswith("GnuTLS 3.8.9 against GnuTLS "
                                       "3.7.9")]
    check(g and all("no significant difference" in t and " is faster"
                    not in t and " is slower" not in t for t in g),
          "identical versions: no difference stated: %s" % g)
    check(not [t for t in vs if "wolfSSL" in t],
          "no comparison without the Debian library: %s" % vs)
    check(any(t in [str(f) for f in summ.top] for t in hs + cr) and
          not [f for f in summ.top if str(f) in g],
          "a separated version difference can be a top finding; "
          "no-difference ones are not")
    sys.path.insert(0, SCRIPTS)
    from hbreport import findings as F, load as L
    check(F.version_pairs(L.load(write(doc, "versions.json"))) ==
          [("openssl", "openssl-3.5"), ("gnutls", "gnutls-3.8")],
          "version pairs found by name")


def main():
    os.makedirs(WORK, exist_ok=True)
    for t in (test_mwu, test_paired_verdicts, test_export, test_versions, test_bad_input,
              test_compare, test_report, test_findings, test_spectrum_units,
              test_compare_env, test_compare_vs_plain,
              test_csv_columns, test_merged_env,
              test_crypto_findings, test_ratio_verdicts, test_crypto_schema,
              test_rtt_sweep, test_goodput, test_wire, test_http2_rows,
              test_version_findings):
        t()
    return hbtest.finish()


if __name__ == "__main__":
    sys.exit(main())
