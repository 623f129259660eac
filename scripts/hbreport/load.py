"""Loading and validating reports.

A report that fails gives one line, "FILE: problem", through ReportError:
unreadable file, truncated or invalid JSON, an unknown schema major
version, missing fields (the schema's own check, schemas/report.schema.json,
when the jsonschema module is there; the required fields otherwise) or
no results at all.

Schema 1.x and 2.x are read alike: the median's confidence interval is
ci95_low/ci95_high in 1.x and ci_low/ci_high in 2.x, and its coverage
ci_level (in 2.x always; in 1.x when written, else computed here from n).
"""
import json
import math
import os
import re
from fractions import Fraction

KNOWN_MAJORS = (1, 2)
CI_TARGET = 0.95  # the coverage lib/core/stats.c aims at
TOP_FIELDS = ("schema_version", "tool", "run", "environment", "backends",
              "results")
RESULT_FIELDS = ("suite", "name", "backend", "params", "unit", "samples",
                 "stats", "status")
HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMA = os.path.join(HERE, "..", "..", "schemas", "report.schema.json")


class ReportError(Exception):
    """One line naming the file and the problem."""

    def __init__(self, path, problem):
        Exception.__init__(self, "%s: %s" % (path, problem))
        self.path = path
        self.problem = problem


class Report:
    """A validated report and what readers ask of it."""

    def __init__(self, path, doc, label):
        self.path = path
        self.doc = doc
        self.label = label
        self.results = doc["results"]
        self.env = doc["environment"]
        self.tool = doc["tool"]

    def suites(self):
        seen = []
        for r in self.results:
            if r["suite"] not in seen:
                seen.append(r["suite"])
        return seen

    def of_suite(self, suite):
        return [r for r in self.results if r["suite"] == suite]

    def find(self, suite, name, backend):
        """The result of suite, name and backend (a backend label, see
        backend_label)."""
        for r in self.results:
            if key(r) == (suite, name, backend):
                return r
        return None

    def versions(self):
        """{backend: library version} in report order."""
        out = {}
        for b in self.doc.get("backends", []):
            out.setdefault(b["name"], b["version"])
        return out

    def commit(self):
        c = self.tool.get("git_commit") or "unknown"
        short = c[:12] if re.match(r"^[0-9a-f]{40}$", c) else c
        return short + (" (dirty)" if self.tool.get("git_dirty") else "")


def backend_label(r):
    """The backend, or "client@server" for a result measured with another
    client against a backend's server (throughput's curl rows: backend
    "curl", params.server_backend the server), which would otherwise share
    suite, name and backend with its neighbours."""
    p = r.get("params")
    sb = p.get("server_backend") if isinstance(p, dict) else None
    if isinstance(sb, str) and sb != r["backend"]:
        return "%s@%s" % (r["backend"], sb)
    return r["backend"]


def key(r):
    """What identifies a result across reports: suite, name, backend."""
    return (r["suite"], r["name"], backend_label(r))


def median(r):
    """The result's median, or None when it has none."""
    st = r.get("stats") if isinstance(r, dict) else None
    v = st.get("median") if isinstance(st, dict) else None
    return v if isinstance(v, (int, float)) and math.isfinite(v) else None


def ci(r):
    """(low, high) of the median's confidence interval, either schema."""
    st = r.get("stats") if isinstance(r, dict) else None
    if not isinstance(st, dict):
        return None, None
    if "ci_low" in st or "ci_high" in st:
        return st.get("ci_low"), st.get("ci_high")
    return st.get("ci95_low"), st.get("ci95_high")


def _median_ci_rank(n):
    """(j, coverage) of lib/core/stats.c's interval of the median with n
    samples: [x(j), x(n+1-j)] for the largest j whose 1 - 2 P(B <= j-1),
    B ~ Binomial(n, 1/2), is at least 95% (j = 1 when none is), counted
    exactly."""
    below = 1  # sum of C(n, i) for i < j
    best = (1, Fraction(2 ** (n - 1) - below, 2 ** (n - 1)))
    for j in range(2, n // 2 + 1):
        below += math.comb(n, j - 1)
        cov = Fraction(2 ** (n - 1) - below, 2 ** (n - 1))
        if cov < CI_TARGET:
            break
        best = (j, cov)
    return best


def median_ci_coverage(n):
    """The coverage lib/core/stats.c's interval achieves with n samples
    (_median_ci_rank). None for n < 1."""
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        return None
    return float(_median_ci_rank(n)[1])


def median_ci(values):
    """The interval of the median of values by lib/core/stats.c's rule:
    (low, high, coverage); NaNs and 0 coverage for no values."""
    s = sorted(values)
    if not s:
        return float("nan"), float("nan"), 0.0
    j, cov = _median_ci_rank(len(s))
    return s[j - 1], s[len(s) - j], float(cov)


def ci_level(r):
    """The coverage of the result's (or series') interval as a fraction:
    stats.ci_level, or for 1.x reports without it the coverage computed
    from n. None when there are no stats."""
    st = r.get("stats") if isinstance(r, dict) else None
    if not isinstance(st, dict):
        return None
    v = st.get("ci_level")
    if isinstance(v, (int, float)) and not isinstance(v, bool) and \
            math.isfinite(v):
        return v
    return median_ci_coverage(st.get("n"))


def fmt_level(level):
    """0.9375 -> '93.8%': one decimal, never rounded up to 95.0% or 100.0%
    from below (as hb_fmt_level); '?' when unknown."""
    if level is None:
        return "?"
    pct = 100.0 * level
    if level < 0.95 and pct >= 94.95:
        pct = 94.9
    elif level < 1 and pct >= 99.95:
        pct = 99.9
    return "%.1f%%" % pct


def levels_text(objs):
    """The coverage of the intervals of results or series (those with a
    median): '75.0%', or '75.0% to 96.9%' when their sample counts differ;
    None when there is none."""
    lv = sorted({ci_level(o) for o in objs if isinstance(o, dict) and
                 o.get("status", "ok") == "ok" and median(o) is not None}
                - {None})
    if not lv:
        return None
    lo, hi = fmt_level(lv[0]), fmt_level(lv[-1])
    return lo if lo == hi else "%s to %s" % (lo, hi)


def ci_name(objs):
    """'75.0% CI' (or '75.0% to 96.9% CI') for labels; 'CI' alone when no
    level is known."""
    t = levels_text(objs)
    return "%s CI" % t if t else "CI"


def ok(r):
    return r.get("status") == "ok" and median(r) is not None


def sweep_rate(r):
    """The link rate (Mbit/s) of a throughput --rate-sweep point the
    result was measured at (params.sweep_rate_mbit), else None."""
    v = r["params"].get("sweep_rate_mbit")
    return v if isinstance(v, (int, float)) and v > 0 else None


def fastest_point(rs):
    """rs without the results of a rate sweep's slower points: figures and
    findings made for one cell per mode and size draw the fastest link's
    (the goodput figure draws every point)."""
    rates = [sweep_rate(r) for r in rs if sweep_rate(r)]
    top = max(rates) if rates else None
    return [r for r in rs if sweep_rate(r) in (None, top)]


def link_configured(rep, rate=None):
    """The configured link (link.configured, or the rate sweep's point at
    rate: link_sweep[].configured); None when there is none."""
    if rate is not None:
        for pt in rep.doc.get("link_sweep") or []:
            if isinstance(pt, dict) and pt.get("sweep_rate_mbit") == rate:
                return pt.get("configured")
    link = rep.doc.get("link")
    return link.get("configured") if isinstance(link, dict) else None


def link_rate(rep, r):
    """The rate (Mbit/s, server to client: the way the bodies go) of the
    link a throughput result crossed: its sweep point's, else the run's
    link's; None on loopback or a link without a rate."""
    v = sweep_rate(r)
    if v:
        return v
    c = link_configured(rep) or {}
    v = (c.get("server_to_client") or {}).get("rate_mbit")
    return v if isinstance(v, (int, float)) and v > 0 else None


def _reject_constant(name):
    raise ValueError("non-JSON number %s" % name)


def _is_prefix(text):
    """Does text end inside a string or an open array or object, with
    nothing wrong before that (a file cut short)?"""
    stack, in_str, esc = [], False, False
    pairs = {"]": "[", "}": "{"}
    for ch in text:
        if in_str:
            if esc:
                esc = False
            elif ch == "\\":
                esc = True
            elif ch == '"':
                in_str = False
        elif ch == '"':
            in_str = True
        elif ch in "[{":
            stack.append(ch)
        elif ch in "]}":
            if not stack or stack.pop() != pairs[ch]:
                return False
    return in_str or bool(stack)


def _parse(path, text):
    if not text.strip():
        raise ReportError(path, "empty file (no JSON)")
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as e:
        if _is_prefix(text):
            raise ReportError(path, "truncated JSON: the document ends at "
                              "byte %d before it is complete (%s)"
                              % (len(text.encode()), e.msg))
        raise ReportError(path, "invalid JSON at line %d column %d: %s"
                          % (e.lineno, e.colno, e.msg))
    except ValueError as e:
        raise ReportError(path, "invalid JSON: %s" % e)


def _check_version(path, doc):
    if not isinstance(doc, dict):
        raise ReportError(path, "not a report: the top level is a JSON %s,"
                          " not an object" % type(doc).__name__)
    v = doc.get("schema_version")
    if v is None:
        raise ReportError(path, "missing field 'schema_version' (not an "
                          "httpsbench report?)")
    m = re.match(r"^([0-9]+)\.([0-9]+)$", v) if isinstance(v, str) else None
    if not m:
        raise ReportError(path, "schema_version %r is not MAJOR.MINOR"
                          % (v,))
    if int(m.group(1)) not in KNOWN_MAJORS:
        raise ReportError(path, "unknown schema major version %s "
                          "(schema_version %s; this reader knows %s)"
                          % (m.group(1), v, " and ".join(
                              "%d.x" % k for k in KNOWN_MAJORS)))


def _where(doc, path_parts):
    """'results/3 (crypto rsa-2048/sign openssl)/stats' for messages."""
    parts = [str(p) for p in path_parts]
    if len(parts) >= 2 and parts[0] == "results":
        try:
            r = doc["results"][int(parts[1])]
            tag = " ".join(str(r.get(k)) for k in ("suite", "name",
                                                   "backend")
                           if isinstance(r, dict) and k in r)
            if tag:
                parts[1] = "%s (%s)" % (parts[1], tag)
        except (IndexError, ValueError, TypeError, KeyError):
            pass
    return "/".join(parts) or "top level"


def _required(path, doc):
    """The required fields, without jsonschema: the same words."""
    missing = [f for f in TOP_FIELDS if f not in doc]
    if missing:
        raise ReportError(path, "missing field%s %s" % (
            "s" if len(missing) > 1 else "",
            ", ".join("'%s'" % f for f in missing)))
    if not isinstance(doc["results"], list):
        raise ReportError(path, "results: not an array")
    for i, r in enumerate(doc["results"]):
        if not isinstance(r, dict):
            raise ReportError(path, "results/%d: not an object" % i)
        missing = [f for f in RESULT_FIELDS if f not in r]
        if missing:
            raise ReportError(path, "%s: missing field%s %s" % (
                _where(doc, ["results", i]), "s" if len(missing) > 1
                else "", ", ".join("'%s'" % f for f in missing)))


def _schema_check(path, doc):
    try:
        import jsonschema
    except ImportError:
        return
    with open(SCHEMA) as f:
        schema = json.load(f)
    v = jsonschema.Draft7Validator(schema)
    errors = list(v.iter_errors(doc))
    if not errors:
        return
    e = jsonschema.exceptions.best_match(errors)
    if e.validator == "required":
        m = re.match(r"^'(.*)' is a required property$", e.message)
        what = "missing field '%s'" % m.group(1) if m else e.message
    else:
        what = e.message
        if len(what) > 160:
            what = what[:157] + "..."
    more = " (and %d more problems)" % (len(errors) - 1) if len(errors) > 1 \
        else ""
    raise ReportError(path, "%s: %s%s" % (_where(doc, e.absolute_path),
                                          what, more))


def load(path, label=None):
    """The validated Report at path, or ReportError."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise ReportError(path, "cannot read: %s" % (e.strerror or e))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ReportError(path, "not UTF-8 text (byte %d)" % e.start)
    doc = _parse(path, text)
    _check_version(path, doc)
    _required(path, doc)
    if not doc["results"]:
        raise ReportError(path, "no results (the results array is empty)")
    _schema_check(path, doc)
    if label is None:
        label = os.path.splitext(os.path.basename(path))[0]
    return Report(path, doc, label)


def load_all(paths):
    """(reports, errors): every report that validates, and one ReportError
    per file that does not. Labels are made unique (the file name, then
    its directory, then a number)."""
    reports, errors = [], []
    for p in paths:
        try:
            reports.append(load(p))
        except ReportError as e:
            errors.append(e)
    names = [r.label for r in reports]
    for r in reports:
        if names.count(r.label) > 1:
            parent = os.path.basename(os.path.dirname(
                os.path.abspath(r.path)))
            r.label = "%s/%s" % (parent, r.label)
    seen = {}
    for r in reports:
        n = seen.get(r.label, 0)
        seen[r.label] = n + 1
        if n:
            r.label = "%s#%d" % (r.label, n + 1)
    return reports, errors
