"""httpsbench compare BASE.json NEW.json [--threshold 5%] [--alpha 0.05]

For every result present in both reports (same suite, name and backend;
another client's rows against a backend's server count as backend
"client@server", e.g. curl@openssl):
the medians with their CIs and the coverage each CI achieves (75.0% with
3 samples, 93.8% with 5; schema 1.x reports too), the ratio new/base of
the medians, the two-sided Mann-Whitney U test on the raw samples
(p-value), and a verdict:
- faster / slower (better / worse for units that are not times or
  rates) when p < alpha AND the median moved by more than the threshold
  AND the two medians' confidence intervals do not overlap (the test
  every comparison of the page's summary passes too, findings.verdict);
  which way is better depends on the unit: times (ns, us, ms, s),
  sizes and costs over plain ("x plain" rows, below) lower, rates
  (anything per second) higher;
- within noise when the test and the threshold say so but the
  intervals overlap (or one is missing): not counted as worse;
- no significant change otherwise;
- now failing when a result that was ok in BASE is not ok in NEW;
- not comparable when the two ran with a different params.nap_us (how
  the client waited changes the server's CPU per request); a cost
  cell's offered rate (params.rate) that differs by more than 1% is
  named after the verdict: its cost was taken at another load.
Results present in only one report are listed. A throughput cost cell
that has its server CPU over plain HTTP's of the same repetition
(server_ns_vs_plain) gets a second row, "NAME (x plain)": that ratio,
which a machine that changed speed between the two runs moves less
than the absolute figure.

Before the table it checks that the two runs can be compared: when the
CPU model, the kernel, a library's version (of a backend both reports
have) or the build type differ, it warns on stderr naming each field and
both values, and exits 3 (not comparable) after printing the comparison.

Exit status: 3 when the reports are not comparable (see above; it wins
over 1), 1 when something got significantly worse beyond the threshold
(or is now failing), 0 otherwise, 2 for bad usage or an invalid report.
--threshold takes a percentage ("5%" or "5"; default 5%).
Few samples limit what the test can show: 3 repetitions against 3 can
never give p < 0.05 (the smallest exact p is 0.1); the output says so.
"""
import math
import sys

from . import findings as F
from . import load as L
from . import mwu
from . import units
from .cli import usage_fail


def parse_threshold(text):
    t = text.strip()
    if t.endswith("%"):
        t = t[:-1]
    try:
        v = float(t)
    except ValueError:
        usage_fail("compare", "--threshold: '%s' is not a percentage"
                   % text)
    if not math.isfinite(v) or v < 0 or v >= 1000:
        usage_fail("compare", "--threshold: '%s' is not in [0%%, 1000%%)"
                   % text)
    return v / 100.0


def parse_alpha(text):
    try:
        v = float(text)
    except ValueError:
        v = -1
    if not 0 < v < 1:
        usage_fail("compare", "--alpha: '%s' is not in (0, 1)" % text)
    return v


_key = L.key
NOT_COMPARABLE = 3


def env_differences(base, new):
    """[(field, base value, new value)] of what makes two runs not
    comparable: CPU model, kernel, the version of each library both
    reports have, build type, whether idle CPUs polled (a halted vCPU
    takes tens to hundreds of microseconds to wake: loopback latency and
    rates move by multiples; reports without the field are taken as is)."""
    out = []

    def polling(r):
        idle = r.env.get("cpu_idle")
        return idle.get("polling") if isinstance(idle, dict) else None

    for field, get in (
            ("CPU model", lambda r: r.env.get("cpu_model")),
            ("kernel", lambda r: r.env.get("kernel")),
            ("idle CPUs polling", polling),
            ("build type", lambda r: r.tool.get("build_type"))):
        a, b = get(base), get(new)
        if a != b:
            out.append((field, a, b))
    vb, vn = base.versions(), new.versions()
    for lib in vb:
        if lib in vn and vb[lib] != vn[lib]:
            out.append(("%s version" % lib, vb[lib], vn[lib]))
    return out


def _samples(r):
    return [s for s in r["samples"]
            if isinstance(s, (int, float)) and math.isfinite(s)]


def compare_one(b, n, threshold, alpha):
    """A dict describing the comparison of one result."""
    row = {"key": _key(b), "unit": b["unit"], "base": b, "new": n}
    if not L.ok(b) or not L.ok(n):
        if L.ok(b):
            row["verdict"] = "now failing"
            row["worse"] = True
        else:
            row["verdict"] = "not comparable (%s -> %s)" % (
                b["status"], n["status"])
            row["worse"] = False
        return row
    pb, pn = b.get("params") or {}, n.get("params") or {}
    nb, nn = pb.get("nap_us") or 0, pn.get("nap_us") or 0
    if nb != nn:
        row["verdict"] = "not comparable (nap_us %g -> %g)" % (nb, nn)
        row["worse"] = False
        return row
    # the client's Finished alone or with the request: the server then
    # reads one segment fewer per connection (absent: alone, as before);
    # load says it in params, throughput in achieved
    def held(r, p):
        return bool(p.get("hold_finished") or
                    (r.get("achieved") or {}).get("client_hold_finished"))
    hb_, hn = held(b, pb), held(n, pn)
    if hb_ != hn:
        row["verdict"] = "not comparable (hold_finished %s -> %s)" % (
            str(hb_).lower(), str(hn).lower())
        row["worse"] = False
        return row
    mb, mn = L.median(b), L.median(n)
    row["ratio"] = mn / mb if mb else float("nan")
    test = mwu.mann_whitney(_samples(b), _samples(n))
    row["p"] = test[1] if test else float("nan")
    row["method"] = test[2] if test else "none"
    change = row["ratio"] - 1 if mb else float("nan")
    lower = units.lower_is_better(b["unit"])
    better = (change < 0) if lower else (change > 0)
    sig = row["p"] < alpha and abs(change) > threshold
    # the summary's test too: a change is stated only when the two
    # medians' intervals separate
    row["intervals"] = F.verdict(b, n)
    timeish = units.is_time(b["unit"]) or b["unit"].endswith("/s")
    if sig and row["intervals"] == F.SEPARATE:
        word = ("faster" if better else "slower") if timeish else \
            ("better" if better else "worse")
        row["verdict"] = "%s (%+.1f%%)" % (word, 100 * change)
    elif sig:
        row["verdict"] = "within noise (%+.1f%%, %s)" % (
            100 * change, "intervals overlap" if row["intervals"] ==
            F.NOISE else "no interval")
        sig = False
    else:
        row["verdict"] = "no significant change"
    row["worse"] = sig and not better
    rb, rn = pb.get("rate"), pn.get("rate")
    if isinstance(rb, (int, float)) and isinstance(rn, (int, float)) and \
            rb > 0 and abs(rn / rb - 1) > 0.01:
        row["verdict"] += " [offered %.4g -> %.4g requests/s]" % (rb, rn)
    return row


def _ci_text(r):
    lo, hi = L.ci(r)
    return "%s %s" % (units.fmt_ci(L.median(r), lo, hi, r["unit"]),
                      L.fmt_level(L.ci_level(r)))


def _vs_plain(r):
    """A cost cell's paired ratio to plain HTTP as a result of its own,
    or None."""
    s = r.get("server_ns_vs_plain")
    if not isinstance(s, dict) or not s.get("samples") or \
            not isinstance(s.get("stats"), dict):
        return None
    d = dict(r)
    d.update(name=r["name"] + " (x plain)", unit=units.VS_PLAIN,
             samples=s["samples"], stats=s.get("stats"))
    return d


def _with_vs_plain(results):
    out = []
    for r in results:
        out.append(r)
        v = _vs_plain(r)
        if v:
            out.append(v)
    return out


def run(base, new, threshold, alpha, out=sys.stdout):
    bmap = {_key(r): r for r in _with_vs_plain(base.results)}
    nmap = {_key(r): r for r in _with_vs_plain(new.results)}
    rows = [compare_one(bmap[k], nmap[k], threshold, alpha)
            for k in bmap if k in nmap]
    w = out.write
    for tag, rep in (("base", base), ("new ", new)):
        w("%s: %s  commit %s  %s  %s\n" % (
            tag, rep.path, rep.commit(), rep.env.get("cpu_model"),
            rep.doc["run"].get("start")))
    diffs = env_differences(base, new)
    for field, a, b in diffs:
        w("NOT COMPARABLE: %s differs: base %r, new %r\n" % (field, a, b))
    w("threshold %g%%, alpha %g, Mann-Whitney U two-sided\n\n"
      % (100 * threshold, alpha))
    w("%-52s %-12s %-38s %-38s %8s %8s  %s\n" % (
        "result", "unit", "base median [CI] level", "new median [CI] level",
        "new/base", "p", "verdict"))
    small = set()
    for row in rows:
        s, nm, be = row["key"]
        label = "%s %s %s" % (s, nm, be)
        if "ratio" in row:
            w("%-52s %-12s %-38s %-38s %8.3f %8.3g  %s\n" % (
                label, row["unit"], _ci_text(row["base"]),
                _ci_text(row["new"]), row["ratio"], row["p"],
                row["verdict"]))
            n1, n2 = len(_samples(row["base"])), len(_samples(row["new"]))
            if mwu.smallest_p(n1, n2) >= alpha:
                small.add((n1, n2))
        else:
            w("%-52s %-12s %-38s %-38s %8s %8s  %s\n" % (
                label, row["unit"], row["base"]["status"],
                row["new"]["status"], "-", "-", row["verdict"]))
    for n1, n2 in sorted(small):
        w("note: with %d samples against %d the smallest possible p is "
          "%.3g, so no change can be significant at alpha %g (run more "
          "repetitions)\n" % (n1, n2, mwu.smallest_p(n1, n2), alpha))
    only_b = [k for k in bmap if k not in nmap]
    only_n = [k for k in nmap if k not in bmap]
    for tag, keys in (("base", only_b), ("new", only_n)):
        if keys:
            w("only in %s (%d):\n" % (tag, len(keys)))
            for k in keys:
                w("  %s %s %s\n" % k)
    worse = [r for r in rows if r["worse"]]
    better = [r for r in rows if r["verdict"].startswith(("faster",
                                                          "better"))]
    nc = len([r for r in rows if r["verdict"].startswith("not comp")])
    w("\n%d compared: %d worse, %d better, %d without significant change"
      ", %d not comparable; %d only in base, %d only in new\n" % (
          len(rows), len(worse), len(better),
          len(rows) - len(worse) - len(better) - nc, nc, len(only_b),
          len(only_n)))
    if diffs:
        w("not comparable: %s differ%s between the two runs (exit status "
          "%d)\n" % (", ".join(f for f, _, _ in diffs),
                     "s" if len(diffs) == 1 else "", NOT_COMPARABLE))
        return rows, NOT_COMPARABLE
    return rows, 1 if worse else 0


def main(argv):
    threshold, alpha, paths = 0.05, 0.05, []
    args = list(argv)
    while args:
        a = args.pop(0)
        if a in ("-h", "--help"):
            sys.stdout.write(__doc__)
            return 0
        if a in ("--threshold", "--alpha"):
            if not args:
                usage_fail("compare", "%s needs a value" % a)
            v = args.pop(0)
            if a == "--threshold":
                threshold = parse_threshold(v)
            else:
                alpha = parse_alpha(v)
        elif a.startswith("--threshold="):
            threshold = parse_threshold(a.split("=", 1)[1])
        elif a.startswith("-") and a != "-":
            usage_fail("compare", "unknown option '%s'" % a)
        else:
            paths.append(a)
    if len(paths) != 2:
        usage_fail("compare", "needs BASE.json and NEW.json (got %d "
                   "report%s)" % (len(paths), "" if len(paths) == 1
                                  else "s"))
    reports, errors = L.load_all(paths)
    for e in errors:
        print("httpsbench compare: %s" % e, file=sys.stderr)
    if errors:
        return 2
    for field, a, b in env_differences(reports[0], reports[1]):
        print("httpsbench compare: warning: not comparable: %s differs "
              "(base %s: %r; new %s: %r)" % (field, reports[0].path, a,
                                             reports[1].path, b),
              file=sys.stderr)
    _, rc = run(reports[0], reports[1], threshold, alpha)
    return rc
