"""The HTML report: one self-contained file (figures inline as base64 SVG,
no network), with the environment, headline findings, the figures (a
column per report) and a table of every result (a column group per
report). A script at the end checks that every figure decoded and writes
the outcome into #hb-check, for people and for the browser test."""
import base64
import html
import math
import os
import shlex

from . import load as L
from . import units
from .findings import cipher_name, findings, lib_version, pretty

SUITE_ORDER = ("crypto", "handshake", "throughput", "load", "probe")

CSS = """
body{font:14px/1.45 "DejaVu Sans",Arial,sans-serif;margin:0 auto;
max-width:1500px;padding:0 18px 40px;color:#222}
h1{margin:18px 0 4px}h2{border-bottom:1px solid #ccc;margin-top:34px}
table{border-collapse:collapse;font-size:12px;margin:8px 0 18px}
th,td{border:1px solid #ddd;padding:2px 6px;vertical-align:top}
th{background:#f3f3f3;text-align:left}td.n{text-align:right;
white-space:nowrap}td.bad{color:#a00}tr:nth-child(even) td{background:#fafafa}
.row{display:flex;flex-wrap:wrap;gap:14px}
figure{flex:1 1 600px;min-width:0;margin:0 0 12px;border:1px solid #e4e4e4;
padding:6px}figure img{max-width:100%;height:auto;display:block}
figcaption{font-size:12px;color:#444}.skip{color:#777}
.small{font-size:12px;color:#555}#hb-check{font-size:11px;color:#777}
nav a{margin-right:12px}code{font-size:12px}
"""

CHECK_JS = """
window.addEventListener('load', function () {
  var figs = document.querySelectorAll('figure.hb-fig');
  var good = 0, bad = [];
  for (var i = 0; i < figs.length; i++) {
    var img = figs[i].querySelector('img');
    if (img && img.complete && img.naturalWidth > 0 &&
        img.naturalHeight > 0)
      good++;
    else
      bad.push(figs[i].getAttribute('data-key'));
  }
  var el = document.getElementById('hb-check');
  var want = parseInt(el.getAttribute('data-figures'), 10);
  var errs = window.hbErrors || [];
  var ok = bad.length === 0 && errs.length === 0 && good === want &&
           figs.length === want;
  el.setAttribute('data-state', ok ? 'ok' : 'bad');
  el.textContent = (ok ? 'hb-check ok: ' : 'hb-check FAILED: ') + good +
    ' of ' + want + ' figures rendered' +
    (bad.length ? '; missing or empty: ' + bad.join(', ') : '') +
    (errs.length ? '; errors: ' + errs.join('; ') : '');
});
"""

ERR_JS = ("window.hbErrors=[];window.addEventListener('error',function(e)"
          "{window.hbErrors.push(String(e.message||(e.target&&e.target."
          "tagName)||e.type))},true);")


SUITE_TITLES = {"crypto": "Crypto", "handshake": "Handshakes",
                "throughput": "Throughput", "load": "Load",
                "probe": "Probe (libcurl)"}
SUBCOMMANDS = ("crypto", "throughput", "handshake", "load", "probe",
               "server", "backends")
TEMP_DIRS = ("/tmp/", "/var/tmp/", "/dev/shm/")


def esc(s):
    return html.escape(str(s), quote=True)


def _is_temp(arg):
    return isinstance(arg, str) and arg.startswith(TEMP_DIRS)


def command_text(cl):
    """A part's command line as it can be read later: the --json target
    and other temporary paths (deleted when the run ended) left out."""
    out, i = [], 0
    while i < len(cl):
        a = cl[i]
        if a == "--json" and i + 1 < len(cl) and _is_temp(cl[i + 1]):
            i += 2
            continue
        if a.startswith("--json=") and _is_temp(a[len("--json="):]):
            i += 1
            continue
        opt, eq, val = a.partition("=")
        if _is_temp(a):
            a = "<temporary %s>" % os.path.basename(a)
        elif eq and opt.startswith("--") and _is_temp(val):
            a = "%s=<temporary %s>" % (opt, os.path.basename(val))
        else:
            a = shlex.quote(a)
        out.append(a)
        i += 1
    return "httpsbench " + " ".join(out)


def command_lines(rep):
    """[(row name, text)]: each part's command line (a merged report's
    run.parts, either objects with command_line, start and end or bare
    command lines), else the report's own."""
    run = rep.doc.get("run") or {}
    parts = run.get("parts")
    if not isinstance(parts, list) or not parts:
        parts = [{"command_line": run.get("command_line") or []}]
    out, seen = [], {}
    for p in parts:
        p = p if isinstance(p, dict) else {"command_line": p}
        cl = [a for a in p.get("command_line") or [] if isinstance(a, str)]
        name = cl[0] if cl and cl[0] in SUBCOMMANDS else None
        key = "command line" + (" (%s)" % name if name else "")
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > 1:
            key += " #%d" % seen[key]
        text = command_text(cl)
        if p.get("start") and p.get("end"):
            text += "   [%s to %s%s]" % (p["start"], p["end"],
                                         ", interrupted" if
                                         p.get("interrupted") else "")
        out.append((key, text))
    return out


def _summary_html(rep, several):
    s = findings(rep)
    out = ["<h3>%s</h3>" % esc(rep.label)] if several else []
    if s.top:
        out.append('<h4>Top findings</h4><ol class="hb-top">%s</ol>' %
                   "".join("<li>%s</li>" % esc(f) for f in s.top))
    else:
        out.append('<p class="skip">No finding with an interval could be '
                   "computed.</p>")
    out.append('<h4>How to read this page</h4><ul class="hb-how small">'
               "%s</ul>" % "".join("<li>%s</li>" % esc(t) for t in s.how))
    for suite, fs in s.groups:
        out.append('<h4>%s</h4><ul class="hb-group" data-suite="%s">%s'
                   "</ul>" % (esc(SUITE_TITLES.get(suite, suite)),
                              esc(suite), "".join("<li>%s</li>" % esc(f)
                                                  for f in fs)))
    return "\n".join(out)


def _idle(idle):
    """environment.cpu_idle as a phrase: whether idle CPUs polled (PM QoS
    latency limit 0) or halted, the cpuidle driver, and why not held."""
    if not isinstance(idle, dict):
        return "not recorded"
    lim = idle.get("latency_limit_us")
    how = ("polled (PM QoS latency limit 0 us%s)" % (
        ", held by httpsbench" if idle.get("held") else ", held by another "
        "process") if idle.get("polling") else
        "halted: no cpuidle driver applies the PM QoS limit (%s)" % (
            "%d us" % lim if isinstance(lim, int) else "unreadable")
        if lim == 0 and idle.get("driver") in (None, "none") else
        "halted as the system decides (PM QoS limit %s)" % (
            "%d us" % lim if isinstance(lim, int) else "unreadable"))
    if idle.get("driver"):
        how += "; cpuidle driver %s" % idle["driver"]
    if idle.get("why_not"):
        how += "; not held: %s" % idle["why_not"]
    return how


def _num(v, form):
    return form % v if isinstance(v, (int, float)) and \
        not isinstance(v, bool) else "n/a"


def origins(rep):
    """{backend: where its library came from} (backends[].origin)."""
    return {b.get("name"): b.get("origin") for b in rep.doc.get(
        "backends") or [] if isinstance(b, dict) and
        isinstance(b.get("origin"), str)}


def _env_rows(reports):
    def g(rep, *path):
        v = rep.doc
        for p in path:
            v = v.get(p) if isinstance(v, dict) else None
        return v

    def mem(rep):
        m = g(rep, "environment", "memory_bytes")
        return "%.1f GiB" % (m / 2 ** 30) if isinstance(m, int) else "n/a"

    rows = [
        ("report file", lambda r: r.path),
        ("suites", lambda r: ", ".join("%s (%d results)" % (
            s, len(r.of_suite(s))) for s in r.suites())),
        ("tool", lambda r: "%s %s" % (g(r, "tool", "name"),
                                      g(r, "tool", "version"))),
        ("git commit", lambda r: r.commit()),
        ("build", lambda r: "%s, %s %s" % (
            g(r, "tool", "build_type"), g(r, "tool", "compiler"),
            g(r, "tool", "flags") or "")),
        ("run", lambda r: "%s to %s%s" % (
            g(r, "run", "start"), g(r, "run", "end"),
            " (interrupted)" if g(r, "run", "interrupted") else "")),
        ("CPU", lambda r: "%s, %s logical CPUs, %s, TSC %s" % (
            g(r, "environment", "cpu_model"),
            g(r, "environment", "logical_cpus"),
            _num(g(r, "environment", "cpu_mhz"), "%.0f MHz"),
            _num(g(r, "environment", "tsc_ghz"), "%.3f GHz"))),
        ("CPU flags", lambda r: " ".join(
            g(r, "environment", "cpu_flags") or [])),
        ("memory", mem),
        ("kernel / OS", lambda r: "%s / %s" % (
            g(r, "environment", "kernel"), g(r, "environment", "os"))),
        ("governor", lambda r: g(r, "environment", "governor")),
        ("idle CPUs", lambda r: _idle(g(r, "environment", "cpu_idle"))),
        ("load average", lambda r: " ".join(
            "%.2f" % v for v in g(r, "environment", "load_average") or [])),
        ("host", lambda r: g(r, "environment", "hostname")),
        ("libraries", lambda r: "; ".join(
            lib_version(b, v) + (" (%s)" % origins(r)[b] if origins(r).get(b)
                                 else "")
            for b, v in r.versions().items())),
    ]
    cmd_rows = []
    for rep in reports:
        for name, _ in command_lines(rep):
            if name not in cmd_rows:
                cmd_rows.append(name)
    at = [n for n, _ in rows].index("run") + 1
    rows[at:at] = [(name, lambda r, n=name: dict(command_lines(r)).get(
        n, "-")) for name in cmd_rows]
    out = []
    for name, f in rows:
        out.append("<tr><th>%s</th>%s</tr>" % (esc(name), "".join(
            "<td>%s</td>" % esc(f(r) if f(r) is not None else "n/a")
            for r in reports)))
    return "\n".join(out)


def _cell(r, first):
    if r is None:
        return '<td colspan="4" class="skip">-</td>'
    if not L.ok(r):
        return '<td colspan="4" class="bad">%s: %s</td>' % (
            esc(r["status"]), esc(r.get("error", "")))
    st = r["stats"]
    lo, hi = L.ci(r)
    cv = st.get("cv")
    ratio = ""
    if first is not None and L.ok(first) and L.median(first):
        ratio = "%.3f" % (L.median(r) / L.median(first))
    unit = r["unit"]
    if unit == "fraction":
        med, lo, hi, unit = [100 * v if isinstance(v, (int, float))
                             else v for v in (L.median(r), lo, hi)] + ["%"]
    else:
        med = L.median(r)
    bound = r.get("bound")
    return ('<td class="n">%s</td><td class="n">%s %s</td>'
            '<td class="n">%s%s%s%s</td><td class="n">%s</td>' % (
                esc(units.fmt(med, unit)), esc(units.fmt_range(
                    lo, hi, unit, med)), esc(L.fmt_level(L.ci_level(r))),
                st.get("n"),
                ", cv %.1f%%" % (100 * cv) if isinstance(
                    cv, (int, float)) and math.isfinite(cv) else "",
                ", %s-bound" % esc(bound) if isinstance(bound, str) else "",
                ", noisy" if r.get("noisy") is True else "", ratio))


def _series_rows(r):
    """Pseudo-results for the series a result carries (bytes/s, CPU)."""
    for k in sorted(r):
        v = r[k]
        if isinstance(v, dict) and isinstance(v.get("stats"), dict):
            unit = "bytes/s" if k == "bytes_per_s" else \
                "us" if "_us_" in k else "ns" if "_ns_" in k else \
                "requests/s" if k.endswith("_rate") else \
                "fraction" if k.endswith(("_util", "_busy")) else \
                "bytes/connection" if k.endswith("_per_connection") or \
                "_bytes_per_connection" in k else ""
            yield k, {"status": "ok", "stats": v["stats"], "unit": unit,
                      "samples": v.get("samples", [])}


def _results_table(reports, suite):
    reports = [r for r in reports if r.of_suite(suite)]
    keys = []
    for rep in reports:
        for r in rep.of_suite(suite):
            k = (r["name"], L.backend_label(r))
            if k not in keys:
                keys.append(k)
    if not keys:
        return ""
    head = "".join('<th colspan="4">%s</th>' % esc(r.label)
                   for r in reports)
    sub = "".join("<th>median</th><th>CI, level</th><th>n</th><th>%s</th>"
                  % ("" if i == 0 else "/ first") for i in range(
                      len(reports)))
    rows = []
    for name, b in keys:
        found = [rep.find(suite, name, b) for rep in reports]
        unit = next((r["unit"] for r in found if r), "")
        rows.append("<tr><td>%s</td><td>%s</td><td>%s</td>%s</tr>" % (
            esc(name), esc(b), esc(unit), "".join(
                _cell(r, found[0] if i else None)
                for i, r in enumerate(found))))
        extra = {}
        for i, r in enumerate(found):
            for k, pseudo in _series_rows(r or {}):
                extra.setdefault(k, [None] * len(found))[i] = pseudo
        for k, ps in extra.items():
            unit = next((p["unit"] for p in ps if p), "")
            rows.append("<tr><td>%s &middot; %s</td><td>%s</td><td>%s</td>"
                        "%s</tr>" % (esc(name), esc(k), esc(b), esc(unit),
                                     "".join(_cell(p, ps[0] if i else None)
                                             for i, p in enumerate(ps))))
    return ('<table><tr><th rowspan="2">result</th><th rowspan="2">backend'
            '</th><th rowspan="2">unit</th>%s</tr><tr>%s</tr>\n%s</table>'
            % (head, sub, "\n".join(rows)))


def _derived_table(rep):
    """Bytes of bulk encryption per public-key operation: a row per
    library and operation, a column per cipher. The speeds it divides
    (the operation's ops/s, the cipher's seal at its largest record) are
    stated once, in the results table: the caption names those rows."""
    d = [e for e in rep.doc.get("derived") or [] if isinstance(e, dict)]
    if not d:
        return ""
    ciphers, rows = [], []
    for e in d:
        if e["cipher"] not in ciphers:
            ciphers.append(e["cipher"])
        if (e["backend"], e["operation"]) not in rows:
            rows.append((e["backend"], e["operation"]))
    cell = {(e["backend"], e["operation"], e["cipher"]): e for e in d}
    srcs = sorted({e.get("cipher_result") for e in d
                   if isinstance(e.get("cipher_result"), str)})

    def kib(e):
        v = e.get("bytes") if e else None
        return "%.1f" % (v / 1024) if isinstance(v, (int, float)) else "n/a"

    body = "".join("<tr><td>%s</td><td>%s</td>%s</tr>" % (
        esc(b), esc(op), "".join("<td class='n'>%s</td>" % esc(kib(
            cell.get((b, op, c)))) for c in ciphers)) for b, op in rows)
    return ("<h4>%s: one public-key operation in KiB of encryption</h4>"
            "<p class='small'>KiB of each cipher's sealing that take the CPU "
            "time of one operation: the operation's median time over the "
            "cipher's median time per byte, from the rows %s and the "
            "operation's row in the table below.</p>"
            "<table><tr><th>backend</th><th>operation</th>%s</tr>%s</table>"
            % (esc(rep.label), esc(", ".join(srcs) or "n/a"), "".join(
                "<th>KiB of %s</th>" % esc(cipher_name(c)) for c in ciphers),
               body))


def _figure_html(fig, label, link, caption=None):
    """caption: the figure's own, when it differs from its section's (the
    CI's coverage depends on each report's sample counts)."""
    data = base64.b64encode(fig.svg.encode("utf-8")).decode("ascii")
    links = ""
    if link:
        links = ' &middot; <a href="%s.svg">SVG</a> <a href="%s.png">PNG' \
                '</a>' % (esc(link), esc(link))
    return ('<figure class="hb-fig" data-key="%s"><img alt="%s" src="data:'
            'image/svg+xml;base64,%s"><figcaption>%s%s%s</figcaption>'
            '</figure>' % (esc(fig.key + ":" + label), esc(fig.title), data,
                           esc(label), links, ": " + esc(caption)
                           if caption else ""))


def render(reports, sections, title, links):
    """sections: [(title, caption, [(report, Figure)], skip reason)];
    links: {(key, label): relative path stem or None}."""
    nfig = sum(len(figs) for _, _, figs, _ in sections)
    out = ['<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width">',
           "<title>%s</title><script>%s</script><style>%s</style></head>"
           % (esc(title), ERR_JS, CSS), "<body>",
           "<h1>%s</h1>" % esc(title),
           '<p class="small">From %s. Every figure and number below comes '
           "from the JSON report%s alone.</p>" % (
               ", ".join("<code>%s</code>" % esc(r.path) for r in reports),
               "s" if len(reports) > 1 else ""),
           '<nav><a href="#summary">Summary</a><a href="#environment">'
           'Environment</a><a href="#figures">Figures</a><a href="#results">'
           "Results</a></nav>", '<h2 id="summary">Summary</h2>']
    for rep in reports:
        out.append(_summary_html(rep, len(reports) > 1))
    out.append('<h2 id="environment">Environment</h2>')
    out.append("<table><tr><th></th>%s</tr>%s</table>" % ("".join(
        "<th>%s</th>" % esc(r.label) for r in reports), _env_rows(reports)))
    out.append('<h2 id="figures">Figures</h2>')
    skipped = []
    for stitle, caption, figs, reason in sections:
        if not figs:
            skipped.append((stitle, reason))
            continue
        out.append("<h3>%s</h3><p class='small'>%s</p><div class='row'>"
                   % (esc(stitle), esc(caption)))
        for rep, fig in figs:
            out.append(_figure_html(fig, rep.label,
                                    links.get((fig.key, rep.label)),
                                    fig.caption if fig.caption != caption
                                    else None))
        out.append("</div>")
    if skipped:
        out.append("<h3>Skipped figures</h3><ul class='skip'>%s</ul>"
                   % "".join("<li>%s: %s</li>" % (esc(t), esc(r))
                             for t, r in skipped))
    out.append('<h2 id="results">Results</h2>')
    suites = [s for s in SUITE_ORDER if any(r.of_suite(s) for r in reports)]
    suites += [s for rep in reports for s in rep.suites()
               if s not in suites]
    for s in suites:
        out.append("<h3>%s</h3>" % esc(s))
        if s == "crypto":
            out.extend(_derived_table(r) for r in reports)
        out.append(_results_table(reports, s))
    out.append('<p id="hb-check" data-state="pending" data-figures="%d">'
               "hb-check pending: the figure check needs JavaScript</p>"
               % nfig)
    out.append("<script>%s</script></body></html>\n" % CHECK_JS)
    return "\n".join(out)
