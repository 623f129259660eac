"""httpsbench report FILE.json [FILE.json...] --out DIR [--html FILE]
                  [--title TEXT]

Validates every report, then writes to DIR the figures (SVG and PNG) drawn
from the JSON alone, and an HTML page (default DIR/report.html) holding
the environment, headline findings, every figure inline and a table of
every result. Several reports (two machines, two commits, or the crypto,
throughput and handshake reports of one run) go side by side: a column
per report. Figures of suites absent from the reports are skipped and the
page says so. Nothing is written when a report fails validation: each
failure is one line naming the file and the problem, exit status 2.
"""
import os
import sys

from . import load as L
from .cli import check_out_path, usage_fail, write_atomic

# (key, section title, why skipped when no report has it, builder name)
KINDS = [
    ("crypto-aead", "Crypto: record protection against record size",
     "no crypto results with seal/open operations", "fig_crypto.aead"),
    ("crypto-asymmetric", "Crypto: signatures and RSA per second",
     "no signature or RSA results", "fig_crypto.asymmetric"),
    ("crypto-kex", "Crypto: key exchange (ECDH, ML-KEM) per second",
     "no key-exchange or KEM results", "fig_crypto.kex"),
    ("crypto-equivalence",
     "Crypto: bytes of AES-GCM per signature or key exchange",
     "no 'derived' table (the crypto suite writes it)",
     "fig_crypto.derived"),
    ("crypto-digest", "Crypto: digests and MAC",
     "no crypto digest or MAC results", "fig_crypto.digests"),
    ("handshake-phases", "Handshakes: latency per phase",
     "no handshake results", "fig_crypto.handshake_phases"),
    ("rtt-sweep", "Handshakes: time to first byte against RTT",
     "no RTT sweep (handshake --rtt-sweep over the emulated link)",
     "fig_crypto.rtt_sweep"),
    ("loss-sweep", "Handshakes: time to first byte against loss",
     "no loss sweep (handshake --loss-sweep over the emulated link)",
     "fig_crypto.loss_sweep"),
    ("handshake-rate", "Handshakes per second",
     "no handshake capacity runs (handshake -c N -d S)",
     "fig_crypto.handshake_rate"),
    ("latency-spectrum", "Latency percentile spectrum (open loop)",
     "no open-loop latency (throughput's cost cells or load -R; "
     "closed-loop latency hides stalls, coordinated omission, so it is "
     "not drawn)", "fig_net.spectrum"),
    ("http-vs-https", "HTTP versus HTTPS", "no throughput results",
     "fig_net.http_https"),
    ("goodput", "Goodput over the emulated link",
     "no goodput over a link with a rate (throughput --rate-sweep, or "
     "--rate or --link)", "fig_net.goodput"),
    ("cpu-per-request", "CPU per request",
     "no throughput results with CPU per request", "fig_net.cpu"),
    ("memory-per-connection", "Server memory per connection",
     "no throughput results named memory/... (written when the throughput"
     " suite measures idle connections)", "fig_net.memory"),
]


def parse(argv):
    files, out, page, title = [], None, None, None
    args = list(argv)
    while args:
        a = args.pop(0)
        if a in ("-h", "--help"):
            sys.stdout.write(__doc__)
            raise SystemExit(0)
        if a in ("--out", "--html", "--title"):
            if not args:
                usage_fail("report", "%s needs a value" % a)
            v = args.pop(0)
            if a == "--out":
                out = v
            elif a == "--html":
                page = v
            else:
                title = v
        elif a.startswith("--out="):
            out = a.split("=", 1)[1]
        elif a.startswith("-"):
            usage_fail("report", "unknown option '%s'" % a)
        else:
            files.append(a)
    if not files:
        usage_fail("report", "no report given")
    if not out:
        usage_fail("report", "--out DIR is required")
    check_out_path("report", "--out", out, is_dir=True)
    if page is None:
        page = os.path.join(out, "report.html")
    else:
        check_out_path("report", "--html", page)
    return files, out, page, title


def build(reports):
    """[(title, caption, [(report, Figure)], skip reason)] per kind."""
    from . import fig_crypto, fig_net
    mods = {"fig_crypto": fig_crypto, "fig_net": fig_net}
    sections = []
    for key, title, why, fn in KINDS:
        mod, name = fn.split(".")
        figs = []
        for rep in reports:
            f = getattr(mods[mod], name)(rep)
            if f is not None:
                figs.append((rep, f))
        caption = figs[0][1].caption if figs else ""
        sections.append((title, caption, figs,
                         "%s in these reports" % why))
    return sections


def main(argv):
    files, out, page, title = parse(argv)
    reports, errors = L.load_all(files)
    for e in errors:
        print("httpsbench report: %s" % e, file=sys.stderr)
    if errors:
        return 2
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        print("httpsbench report: the matplotlib module is missing "
              "(apt-get install python3-matplotlib)", file=sys.stderr)
        return 2
    from . import page as P
    sections = build(reports)
    os.makedirs(out, exist_ok=True)
    links, written = {}, 0
    pagedir = os.path.dirname(os.path.abspath(page))
    for _, _, figs, _ in sections:
        for rep, f in figs:
            stem = f.key if len(reports) == 1 else "%s-%d" % (
                f.key, reports.index(rep) + 1)
            path = os.path.join(out, stem)
            write_atomic(path + ".svg", f.svg.encode("utf-8"))
            write_atomic(path + ".png", f.png)
            links[(f.key, rep.label)] = os.path.relpath(path, pagedir)
            written += 1
    if title is None:
        title = "httpsbench report: " + ", ".join(r.label for r in reports)
    write_atomic(page, P.render(reports, sections, title, links)
                 .encode("utf-8"))
    skipped = [t for t, _, figs, _ in sections if not figs]
    print("report: %s (%d figure%s in %s%s)" % (
        page, written, "" if written == 1 else "s", out,
        "; skipped: " + ", ".join(skipped) if skipped else ""))
    return 0
