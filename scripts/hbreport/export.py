"""httpsbench export --format csv|bmf|gab|hdr FILE.json [--out FILE]

- csv: one row per result (every status), numbers as in the report; the
  median's CI in columns ci_low, ci_high and its coverage in ci_level
  (for schema 1.x reports: ci95_low/ci95_high, and ci_level computed from
  n when the report lacks it). After params and error: server_backend
  (the server's library: params.server_backend for another client's rows
  such as curl's, else the backend for throughput and handshake results),
  bound and bound_reason (what limited a throughput cell), valid, the
  ratios vs_plain (stated only for server-bound cells), vs_plain_raw,
  vs_plain_note and vs_ours, vs_plain_verdict and vs_ours_verdict (for
  a ratio stated: "separate" when the result's interval and that of
  what it is divided by do not overlap, "within noise" when they do,
  "no interval" without both; the summary's test, findings.verdict),
  and the CPU per request in microseconds
  (server_cpu_us_per_request, client_cpu_us_per_request: the medians of
  those series, or of cost cells' ns series); then a throughput cell's
  bytes on the wire per request (wire_bytes_in_per_request, _out_, their
  sum wire_bytes_per_request: medians; TCP/IP headers not included),
  wire_vs_plain (the sum over plain HTTP's same cell) and
  wire_resolution; empty where a result has none.
- bmf: Bencher Metric Format, {bench: {measure: {value, lower_value,
  upper_value, ci_level}}}: bench "suite/name/backend", value the median,
  the bounds its CI and ci_level the coverage that CI achieves (Bencher
  reads the first three and ignores the extra key). Time units go to
  Bencher's built-in "latency" measure
  in nanoseconds, ops/s to "throughput"; other units to a measure named
  after the unit ("bytes-per-second"). Series a result carries beside its
  samples (throughput's bytes_per_s, CPU per request) are extra measures.
- gab: github-action-benchmark's custom format, [{name, unit, value, range,
  extra}], range "± half-width (75.0% CI)": the larger side of the CI and
  the coverage it achieves; extra repeats the CI. That action
  wants one direction per file: --only higher|lower keeps the results
  where bigger (rates) or smaller (times, sizes) is better.
- hdr: every latency histogram in the report as HdrHistogram's percentile
  text (Value Percentile TotalCount 1/(1-Percentile), the #[Mean..] and
  #[Max..] footer), values in microseconds, one block per histogram under
  a "# suite name backend: what" title.
Results that are not ok have no value: csv lists them, the others skip
them. Exit 0, or 2 for bad usage or an invalid report (one line).
"""
import csv
import io
import json
import math
import re
import sys

from . import findings as F
from . import load as L
from . import units
from .cli import usage_fail, write_atomic

STAT_KEYS = ("median", "ci_low", "ci_high", "ci_level", "mean",
             "stddev", "min", "max", "cv", "n")
EXTRA_KEYS = ("bound", "bound_reason", "valid", "vs_plain", "vs_plain_raw",
              "vs_plain_note", "vs_ours")
WIRE_KEYS = ("wire_bytes_in_per_request", "wire_bytes_out_per_request",
             "wire_bytes_per_request", "wire_vs_plain", "wire_resolution")
CSV_HEAD = ("suite", "name", "backend", "unit", "status") + STAT_KEYS + \
    ("samples", "params", "error", "server_backend") + EXTRA_KEYS + \
    ("vs_plain_verdict", "vs_ours_verdict",
     "server_cpu_us_per_request", "client_cpu_us_per_request") + WIRE_KEYS


def _num(v):
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return repr(v)


def server_backend(r):
    """The library of the server a result was measured against."""
    sb = r["params"].get("server_backend")
    if isinstance(sb, str):
        return sb
    return r["backend"] if r["suite"] in ("throughput", "handshake") else ""


def cpu_us(r, side):
    """Median CPU per request of one side in us, or None."""
    us = L.median(r.get("%s_cpu_us_per_request" % side) or {})
    if us is not None:
        return us
    ns = L.median(r.get("%s_ns_per_request" % side) or {})
    return float("%.12g" % (ns / 1000.0)) if ns is not None else None


def ratio_verdicts(rep, r):
    """(vs_plain_verdict, vs_ours_verdict): findings.verdict of the
    result against what its ratio divides by (plain HTTP's cell of the
    same name; our load generator's cell against the same server), for
    a ratio the result states; '' where it states none."""
    out = []
    for k, ref in (("vs_plain", lambda: rep.find(
            r["suite"], r["name"], "plain")), ("vs_ours", lambda: rep.find(
            r["suite"], r["name"].split(":", 1)[-1], server_backend(r)))):
        if not isinstance(r.get(k), (int, float)) or \
                isinstance(r.get(k), bool) or not L.ok(r):
            out.append("")
            continue
        out.append(F.verdict(r, ref()))
    return out


def wire(r):
    """The WIRE_KEYS columns: bytes on the wire per request (medians of
    the runs), wire_vs_plain's total and wire_resolution; empty where a
    result has none (older reports, other suites)."""
    out = [_num(L.median(r.get(k) or {})) for k in WIRE_KEYS[:3]]
    v = r.get("wire_vs_plain")
    return out + [_num(v.get("total") if isinstance(v, dict) else None),
                  _num(r.get("wire_resolution"))]


def _cell(v):
    return v if isinstance(v, str) else _num(v)


def to_csv(rep):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_HEAD)
    for r in rep.results:
        st = dict(r.get("stats") or {})
        if st:  # either schema's names, the level computed if missing
            st["ci_low"], st["ci_high"] = L.ci(r)
            st["ci_level"] = L.ci_level(r)
        w.writerow([r["suite"], r["name"], r["backend"], r["unit"],
                    r["status"]] + [_num(st.get(k)) for k in STAT_KEYS] +
                   [";".join(_num(s) for s in r["samples"]),
                    json.dumps(r["params"], sort_keys=True,
                               separators=(",", ":")),
                    r.get("error", ""), server_backend(r)] +
                   [_cell(r.get(k)) for k in EXTRA_KEYS] +
                   ratio_verdicts(rep, r) +
                   [_num(cpu_us(r, "server")), _num(cpu_us(r, "client"))]
                   + wire(r))
    return buf.getvalue()


def _slug(text):
    s = text.replace("/s", "-per-second").replace("/", "-per-")
    return re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-")[:64]


def _scaled(v, scale):
    # 12 significant digits: 20.1 us is 20100 ns, not 20100.000000000004
    return v if scale == 1.0 else float("%.12g" % (v * scale))


def _metric(value, lo, hi, level, scale=1.0):
    m = {"value": _scaled(value, scale)}
    if isinstance(lo, (int, float)) and math.isfinite(lo):
        m["lower_value"] = _scaled(lo, scale)
    if isinstance(hi, (int, float)) and math.isfinite(hi):
        m["upper_value"] = _scaled(hi, scale)
    if len(m) > 1 and level is not None:
        m["ci_level"] = level
    return m


def _series(r):
    """(key, stats) of the series a result carries beside its samples."""
    for k in sorted(r):
        v = r[k]
        if isinstance(v, dict) and isinstance(v.get("stats"), dict) and \
                L.median(v) is not None:
            yield k, v


def bench_name(r):
    return "%s/%s/%s" % L.key(r)


def to_bmf(rep):
    out = {}
    for r in rep.results:
        if not L.ok(r):
            continue
        lo, hi = L.ci(r)
        level = L.ci_level(r)
        unit = r["unit"]
        if units.is_time(unit):
            scale = units.TIME_UNITS[unit.split("/")[0]] * 1e9
            measures = {"latency": _metric(L.median(r), lo, hi, level,
                                           scale)}
        elif unit == "ops/s":
            measures = {"throughput": _metric(L.median(r), lo, hi, level)}
        else:
            measures = {_slug(unit): _metric(L.median(r), lo, hi, level)}
        for key, s in _series(r):
            slo, shi = L.ci(s)
            slug = key.replace("_", "-")
            if slug.endswith("-per-s"):
                slug += "econd"
            measures[slug] = _metric(
                L.median(s), slo, shi, L.ci_level(s))
        out[bench_name(r)] = measures
    return json.dumps(out, indent=2, sort_keys=False) + "\n"


def to_gab(rep, only=None):
    out = []
    for r in rep.results:
        if not L.ok(r):
            continue
        lower = units.lower_is_better(r["unit"])
        if (only == "higher" and lower) or (only == "lower" and not lower):
            continue
        med = L.median(r)
        lo, hi = L.ci(r)
        st = r["stats"]
        half = max(abs(med - lo) if lo is not None else 0,
                   abs(hi - med) if hi is not None else 0)
        level = L.fmt_level(L.ci_level(r))
        extra = "median of %d; %s CI [%s, %s]; %s is better" % (
            st["n"], level, _num(lo), _num(hi),
            "smaller" if lower else "bigger")
        out.append({"name": bench_name(r), "unit": r["unit"],
                    "value": med, "range": "\u00b1 %.4g (%s CI)" % (
                        half, level), "extra": extra})
    return json.dumps(out, indent=2, ensure_ascii=False) + "\n"


def histograms(rep):
    """(title, histogram) for every latency histogram in the report."""
    for r in rep.results:
        tag = "%s %s %s" % L.key(r)
        lat = r.get("latency")
        if isinstance(lat, dict):
            yield tag + ": latency", lat
        elif isinstance(lat, list):
            for i, h in enumerate(lat):
                if isinstance(h, dict):
                    yield tag + ": latency, run %d of %d" % (i + 1,
                                                              len(lat)), h
        phases = r.get("phases")
        if isinstance(phases, dict):
            for k, h in phases.items():
                # "request" is the same histogram as "latency"
                if k != "request" and isinstance(h, dict):
                    yield tag + ": " + k, h
        if isinstance(r.get("histogram"), dict):
            yield tag + ": histogram", r["histogram"]


def _hdr_block(title, h):
    lines = ["# %s (values in %s)" % (title, h.get("unit", "us")),
             "%12s %14s %10s %14s" % ("Value", "Percentile", "TotalCount",
                                      "1/(1-Percentile)"), ""]
    for row in h.get("spectrum") or []:
        value, pct, count = row[0], row[1] / 100.0, row[2]
        if pct < 1:
            lines.append("%12.3f %2.12f %10d %14.2f" % (
                value, pct, count, 1 / (1 - pct)))
        else:
            lines.append("%12.3f %2.12f %10d" % (value, pct, count))
    f = lambda v: v if isinstance(v, (int, float)) else float("nan")
    lines.append("#[Mean    = %12.3f, StdDeviation   = %12.3f]" % (
        f(h.get("mean")), f(h.get("stddev"))))
    lines.append("#[Max     = %12.3f, Total count    = %12d]" % (
        f(h.get("max")), h.get("count") or 0))
    return "\n".join(lines) + "\n"


def to_hdr(rep):
    blocks = [_hdr_block(t, h) for t, h in histograms(rep)
              if h.get("count")]
    return "\n".join(blocks)


def main(argv):
    fmt = path = out = only = None
    args = list(argv)
    while args:
        a = args.pop(0)
        if a in ("-h", "--help"):
            sys.stdout.write(__doc__)
            return 0
        if a in ("--format", "--out", "--only"):
            if not args:
                usage_fail("export", "%s needs a value" % a)
            v = args.pop(0)
            if a == "--format":
                fmt = v
            elif a == "--out":
                out = v
            else:
                only = v
        elif a.startswith("--format="):
            fmt = a.split("=", 1)[1]
        elif a.startswith("-"):
            usage_fail("export", "unknown option '%s'" % a)
        elif path is None:
            path = a
        else:
            usage_fail("export", "one report at a time ('%s' is extra)"
                       % a)
    if fmt not in ("csv", "bmf", "gab", "hdr"):
        usage_fail("export", "--format: %s (one of csv, bmf, gab, hdr)"
                   % ("'%s' is unknown" % fmt if fmt else "missing"))
    if only not in (None, "higher", "lower"):
        usage_fail("export", "--only: '%s' is not higher or lower" % only)
    if only and fmt != "gab":
        usage_fail("export", "--only applies to --format gab")
    if path is None:
        usage_fail("export", "no report given")
    try:
        rep = L.load(path)
    except L.ReportError as e:
        print("httpsbench export: %s" % e, file=sys.stderr)
        return 2
    text = {"csv": to_csv, "bmf": to_bmf, "hdr": to_hdr}.get(
        fmt, lambda r: to_gab(r, only))(rep)
    if out:
        write_atomic(out, text.encode("utf-8"))
    else:
        sys.stdout.write(text)
    return 0
