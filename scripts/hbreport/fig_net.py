"""Figures of the throughput and load suites: latency spectrum, HTTP
against HTTPS, CPU per request, goodput over an emulated link's rates,
server memory per connection."""
import textwrap

from matplotlib.ticker import FixedLocator, NullLocator

from . import load as L
from . import openloop as OL
from . import plot as P
from . import units

NINES = [(2, "50%"), (10, "90%"), (100, "99%"),
         (1e3, "99.9%"), (1e4, "99.99%"), (1e5, "99.999%"),
         (1e6, "99.9999%")]


def _cells(rep, every_rate=False):
    """Throughput results that are cells ("mode/bytes") of our own load
    generator: not memory, not another client's rows ("curl:..."); of a
    rate sweep the fastest link's point only, unless every_rate."""
    rs = [r for r in rep.of_suite("throughput")
          if not r["name"].startswith("memory/") and
          ":" not in r["name"] and
          isinstance(r["params"].get("bytes"), int)]
    return rs if every_rate else L.fastest_point(rs)


def _point_note(cells):
    """What the caption of a figure drawn from _cells says of a rate
    sweep: which point it shows."""
    rates = {L.sweep_rate(r) for r in cells if L.sweep_rate(r)}
    return " Of the rate sweep, the %g Mbit/s link's cells only (the " \
        "goodput figure draws every rate)." % max(rates) if rates else ""


def _spectrum_points(h):
    xs, ys = [], []
    for value, pct, _ in h.get("spectrum") or []:
        if pct < 100:
            xs.append(1.0 / (1.0 - pct / 100.0))
            ys.append(value / 1000.0)
    return xs, ys


def spectrum(rep):
    """Open-loop latency only (throughput's cost cells, load -R): a
    closed-loop spectrum hides stalls (coordinated omission), so a report
    without open-loop results has no spectrum figure."""
    panels = OL.panels(rep)
    if not panels:
        return None
    cols = min(2, len(panels))
    rows = (len(panels) + cols - 1) // cols
    fig = P.new_figure(5.6 * cols + 0.4, 3.2 * rows + 0.9)
    top = 1
    for i, p in enumerate(panels):
        ax = fig.add_subplot(rows, cols, i + 1)
        for b, h, _, _ in p["lines"]:
            xs, ys = _spectrum_points(h)
            if xs:
                ax.plot(xs, ys, color=P.color(b), lw=1.3, label=b,
                        ls="--" if b == "plain" else "-")
                top = max(top, xs[-1])
        ax.set_xscale("log")
        ax.set_yscale("log")
        ticks = [(x, t) for x, t in NINES if x <= top * 10]
        ax.xaxis.set_major_locator(FixedLocator([x for x, _ in ticks]))
        ax.set_xticklabels([t for _, t in ticks])
        ax.xaxis.set_minor_locator(NullLocator())
        P.plain_axis(ax, "y")
        ax.set_title("\n".join(textwrap.wrap(OL.title(p), 62)), fontsize=8)
        ax.set_xlabel("percentile")
        ax.set_ylabel("latency (ms, log)")
    bes = []
    for p in panels:
        bes += [b for b, _, _, _ in p["lines"] if b not in bes]
    P.legend(fig, sorted(bes, key=lambda b: b != "plain"))
    bases = sorted({p["basis"] for p in panels if p["basis"]})
    return P.finish(fig, rep, "latency-spectrum",
                    "Latency percentile spectrum, open loop",
                    "Request latency (from each request's scheduled send "
                    "time) against percentile on a 1/(1-p) axis (each "
                    "tick a further nine), at a fixed offered rate; the "
                    "fraction is of each server's closed-loop requests/s "
                    "in the same mode and size; for cost cells the run "
                    "with the median server CPU per request%s." % (
                        " (rate: %s)" % "; ".join(bases) if bases else ""))


def _cell_backends(cells):
    out = []
    for r in cells:
        if r["backend"] not in out:
            out.append(r["backend"])
    return out


def _http2(r):
    """HTTP/2 streams per connection of an HTTP/2 cell, else None."""
    p = r["params"]
    return p.get("h2_streams") or 1 if str(p.get("http")) == "2" else None


def _row(r, versions=False):
    """A figure row: the mode, with the HTTP version labelled when the
    report has HTTP/2 cells (versions): HTTP/2 rows per stream count."""
    m = r["params"].get("mode", r["name"].split("/")[0])
    n = _http2(r)
    if n:
        return "%s, HTTP/2 (%d stream%s/connection)" % (
            m, n, "" if n == 1 else "s")
    return "%s, HTTP/1.1" % m if versions else m


def _modes(cells):
    versions = any(_http2(r) for r in cells)
    out = []
    for r in cells:
        m = _row(r, versions)
        if m not in out:
            out.append(m)
    return out


def _series_triple(obj, scale=1.0):
    if not isinstance(obj, dict) or L.median(obj) is None:
        return None
    lo, hi = L.ci(obj)
    return (L.median(obj) * scale,
            lo * scale if lo is not None else None,
            hi * scale if hi is not None else None)


def _line_panel(ax, cells, mode, getter, log=True):
    versions = any(_http2(r) for r in cells)
    mine = [r for r in cells if _row(r, versions) == mode]
    sizes = sorted({r["params"]["bytes"] for r in mine})
    pos = {s: i for i, s in enumerate(sizes)}
    bes = []
    for r in mine:
        if r["backend"] not in bes:
            bes.append(r["backend"])
    for b in bes:
        pts = []
        for r in mine:
            if r["backend"] != b or r["status"] != "ok":
                continue
            t = getter(r)
            if t and (not log or t[0] > 0):
                pts.append((pos[r["params"]["bytes"]], t))
        pts.sort()
        if not pts:
            continue
        v = [t[0] for _, t in pts]
        ax.errorbar([x for x, _ in pts], v, yerr=P.errbars(
            v, [t[1] for _, t in pts], [t[2] for _, t in pts]),
            color=P.color(b), marker="o", ms=3.5, lw=1.2, capsize=2,
            ls="--" if b == "plain" else "-",
            label="plain HTTP" if b == "plain" else b)
    ax.set_xticks(range(len(sizes)))
    ax.set_xticklabels([P.bytes_label(s) for s in sizes])
    ax.set_xlabel("payload size (%s)" % mode)
    if log:
        ax.set_yscale("log")


def _vs_plain(rep):
    def get(r):
        base = rep.find("throughput", r["name"], "plain")
        mb = L.median(base) if base else None
        if "bound" in r and r.get("vs_plain") is None:
            return None  # not server-bound (or invalid): no ratio drawn
        m = L.median(r)
        if not mb or m is None:
            return None
        lo, hi = L.ci(r)
        return (100 * m / mb, 100 * lo / mb if lo is not None else None,
                100 * hi / mb if hi is not None else None)
    return get


def _wire_vs_plain(rep):
    """A getter: a cell's bytes on the wire per request (in + out) as %
    of its plain HTTP baseline's (wire_vs_plain.baseline), the median
    with the cell's interval over the baseline's median; None for plain
    cells and cells without a baseline (older reports: no such fields)."""
    def get(r):
        v = r.get("wire_vs_plain")
        if r["backend"] == "plain" or not isinstance(v, dict):
            return None
        base = rep.find("throughput", v.get("baseline"), "plain")
        mb = L.median((base or {}).get("wire_bytes_per_request"))
        return _series_triple(r.get("wire_bytes_per_request"),
                              100.0 / mb) if mb else None
    return get


def http_https(rep):
    cells = _cells(rep)
    if not any(L.ok(r) for r in cells):
        return None
    modes = _modes(cells)
    wire = any(isinstance(r.get("wire_vs_plain"), dict) for r in cells)
    fig = P.new_figure(19.5 if wire else 15, 3.4 * len(modes) + 0.9)
    bmax = max([L.median(r.get("bytes_per_s")) or 0 for r in cells
                if isinstance(r.get("bytes_per_s"), dict)] or [0])
    bscale, bunit = units.scale(bmax, "bytes/s")
    cols = [("requests/s (log)", lambda r: _series_triple(r), True, True),
            ("payload %s (log)" % bunit,
             lambda r: _series_triple(r.get("bytes_per_s"), bscale), True,
             False),
            ("% of plain HTTP requests/s (server-bound cells)",
             _vs_plain(rep), False, False)]
    if wire:
        cols.append(("bytes on the wire per request,\n% of plain HTTP's "
                     "(no TCP/IP headers)", _wire_vs_plain(rep), False,
                     False))
    for i, m in enumerate(modes):
        for j, (label, getter, log, count) in enumerate(cols):
            ax = fig.add_subplot(len(modes), len(cols),
                                 len(cols) * i + j + 1)
            _line_panel(ax, cells, m, getter, log)
            P.plain_axis(ax, "y", count)
            ax.set_ylabel(label)
            if j >= 2:
                ax.axhline(100, color="#444444", ls="--", lw=1)
                ax.set_ylim(bottom=0)
            if j == 3:  # room above a line at 100-102%
                ax.set_ylim(0, max(ax.get_ylim()[1], 100) * 1.1)
    ci = L.ci_name(cells + [r.get("bytes_per_s") for r in cells])
    P.legend(fig, _cell_backends(cells), whisker=ci + " of the median")
    return P.finish(fig, rep, "http-vs-https",
                    "HTTP versus HTTPS: requests/s and %s" % bunit,
                    "Medians of the runs with their %s per payload "
                    "size; plain HTTP (dashed) is the baseline. "
                    "keepalive: requests on open connections; close: a "
                    "new connection (and handshake) per request. HTTP/2 "
                    "rows: h2 by ALPN over TLS against h2c (prior "
                    "knowledge) over plain TCP, with the streams open at "
                    "once per connection.%s%s" % (
                        ci, _point_note(cells), _WIRE_NOTE if wire else ""))


_WIRE_NOTE = (" Bytes on the wire (right): what the client's sockets read "
              "and wrote per request in the measured window (TLS records "
              "and handshakes; TCP/IP headers not included), as a share "
              "of plain HTTP's for the same cell, from the load engine's "
              "counts, whatever bound the cells.")


def cpu(rep):
    cells = _cells(rep)
    if not any(isinstance(r.get("server_cpu_us_per_request"), dict)
               for r in cells):
        return None
    modes = _modes(cells)
    fig = P.new_figure(10.5, 3.4 * len(modes) + 0.9)
    cols = [("server CPU us/request (log)", "server_cpu_us_per_request"),
            ("client CPU us/request (log)", "client_cpu_us_per_request")]
    for i, m in enumerate(modes):
        for j, (label, key) in enumerate(cols):
            ax = fig.add_subplot(len(modes), 2, 2 * i + j + 1)
            _line_panel(ax, cells, m,
                        lambda r, k=key: _series_triple(r.get(k)))
            P.plain_axis(ax, "y")
            ax.set_ylabel(label)
    ci = L.ci_name([r.get(k) for r in cells for _, k in cols])
    P.legend(fig, _cell_backends(cells), whisker=ci + " of the median")
    return P.finish(fig, rep, "cpu-per-request", "CPU time per request",
                    "Server (one thread) and load generator CPU time per "
                    "request, medians with their %s; plain HTTP "
                    "dashed.%s" % (ci, _point_note(cells)))


# what bound a cell (its "bound", from CPU use over the measured window)
# as a marker: (bound, marker, legend text)
BOUND_MARKS = (
    ("neither", "o", "neither CPU saturated: the link or round trips"),
    ("server", "s", "server-bound (its CPU)"),
    ("client", "^", "client-bound (its CPU)"),
    ("noise", "X", "noise: other processes took the CPUs"),
    (None, "D", "bound not recorded"))


def _mark(r):
    b = r.get("bound")
    for name, m, _ in BOUND_MARKS:
        if name == b:
            return m
    return BOUND_MARKS[-1][1]


def goodput_cells(rep):
    """Our load generator's ok cells over a link with a rate (every point
    of throughput --rate-sweep, or one --rate/--link run), with goodput."""
    return [r for r in _cells(rep, every_rate=True)
            if L.ok(r) and isinstance(r.get("goodput_mbit"), (int, float))
            and L.link_rate(rep, r) and
            isinstance(r.get("bytes_per_s"), dict)]


def _link_title(rep, rate):
    c = L.link_configured(rep, rate) or {}
    parts = ["%g Mbit/s link" % rate]
    if isinstance(c.get("rtt_ms"), (int, float)):
        parts.append("RTT %g ms" % c["rtt_ms"])
    loss = ((c.get("server_to_client") or {}).get("loss") or {}).get(
        "mean_pct")
    if isinstance(loss, (int, float)) and loss > 0:
        parts.append("loss %g%%" % loss)
    if c.get("profile"):
        parts.append(str(c["profile"]))
    return ", ".join(parts)


def goodput(rep):
    """Goodput (response body bytes received per second) against body
    size over the emulated link: a panel per link rate (columns) and mode
    (rows), a line per library, plain HTTP dashed; the left axis in % of
    the link's rate, the right in Mbit/s; each point's marker says what
    bound the cell."""
    cells = goodput_cells(rep)
    if not cells:
        return None
    rates = sorted({L.link_rate(rep, r) for r in cells})
    modes = _modes(cells)
    versions = any(_http2(r) for r in cells)
    fig = P.new_figure(max(8.0, 4.4 * len(rates)), 3.3 * len(modes) + 1.3)
    backends = sorted(_cell_backends(cells), key=lambda b: b != "plain")
    seen = set()
    for i, m in enumerate(modes):
        mine = [r for r in cells if _row(r, versions) == m]
        sizes = sorted({r["params"]["bytes"] for r in mine})
        pos = {sz: k for k, sz in enumerate(sizes)}
        for j, rate in enumerate(rates):
            ax = fig.add_subplot(len(modes), len(rates),
                                 len(rates) * i + j + 1)
            top = 105.0
            for b in backends:
                pts = sorted((pos[r["params"]["bytes"]], _series_triple(
                    r["bytes_per_s"], 800.0 / 1e6 / rate), _mark(r))
                    for r in mine if r["backend"] == b and
                    L.link_rate(rep, r) == rate)
                pts = [p for p in pts if p[1]]
                if not pts:
                    continue
                v = [t[0] for _, t, _ in pts]
                top = max([top] + [t[2] or t[0] for _, t, _ in pts])
                ax.errorbar([x for x, _, _ in pts], v, yerr=P.errbars(
                    v, [t[1] for _, t, _ in pts], [t[2] for _, t, _ in pts]),
                    color=P.color(b), lw=1.2, capsize=2,
                    ls="--" if b == "plain" else "-")
                for x, t, mk in pts:
                    seen.add(mk)
                    ax.plot([x], [t[0]], ls="none", marker=mk, ms=5,
                            color=P.color(b))
            ax.axhline(100, color="#444444", ls=":", lw=1)
            ax.set_ylim(0, top * 1.08)
            ax.set_xticks(range(len(sizes)))
            ax.set_xticklabels([P.bytes_label(sz) for sz in sizes])
            ax.set_xlim(-0.4, len(sizes) - 0.6)
            ax.set_xlabel("response body size (%s)" % m, fontsize=8)
            ax.set_ylabel("% of the link's rate", fontsize=8)
            ax.set_title(_link_title(rep, rate), loc="left", fontsize=8)
            right = ax.twinx()
            right.set_ylim(0, top * 1.08 * rate / 100.0)
            right.grid(False)
            right.set_ylabel("Mbit/s", fontsize=8)
            P.plain_axis(right, "y")
    ci = L.ci_name([r["bytes_per_s"] for r in cells])
    P.legend(fig, backends, styles=[(":", "the link's rate")],
             markers=[(mk, text) for _, mk, text in BOUND_MARKS
                      if mk in seen], whisker=ci + " of the median")
    return P.finish(fig, rep, "goodput",
                    "Goodput over the emulated link: HTTP versus HTTPS",
                    "Response body bytes received per second (medians of "
                    "the runs with their %s) against the body size, as a "
                    "share of the link's configured rate server to client "
                    "(left axis; dotted: all of it) and in Mbit/s (right "
                    "axis), a panel per link rate (throughput --rate-sweep) "
                    "and mode; plain HTTP dashed. Each point's marker says "
                    "what bound the cell over its measured window, from the "
                    "CPU use of server and client: neither saturated (the "
                    "link or the round trips set the rate), the server's or "
                    "the client's CPU, or noise (other processes took the "
                    "CPUs; over a link the emulator and the kernel's packet "
                    "path are such processes). Goodput counts whole "
                    "responses in the window: with few of them (large "
                    "bodies on a slow link) it can pass the link's rate."
                    % ci)


def memory(rep):
    rs = [r for r in rep.of_suite("throughput")
          if r["name"].startswith("memory/")]
    if not any(L.ok(r) for r in rs):
        return None
    names, bes = [], []
    for r in rs:
        if r["name"] not in names:
            names.append(r["name"])
        if r["backend"] not in bes:
            bes.append(r["backend"])
    unit = rs[0]["unit"]
    scale, shown = (1 / 1024.0, "KiB" + unit[5:]) \
        if unit.startswith("bytes") else (1.0, unit)

    def tri(r):
        if not L.ok(r):
            return None
        lo, hi = L.ci(r)
        return (L.median(r) * scale, lo * scale if lo is not None else None,
                hi * scale if hi is not None else None)
    series = [(b, {r["name"]: tri(r) for r in rs if r["backend"] == b})
              for b in bes]
    fig = P.new_figure(10, 1.4 + 0.13 * len(names) * max(2, len(bes)))
    ax = fig.add_subplot(1, 1, 1)
    handles = P.hbars(ax, names, series, value_fmt=lambda v: "%.1f" % v)
    ax.set_xlabel(shown + " (median, whisker: %s)" % L.ci_name(rs))
    ax.margins(x=0.15)
    ax.legend(handles=handles, loc="lower right")
    return P.finish(fig, rep, "memory-per-connection",
                    "Server memory per connection",
                    "Resident memory the server holds per open idle "
                    "connection, per library.")

