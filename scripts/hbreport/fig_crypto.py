"""Figures of the crypto and handshake suites. Each builder takes a Report
and returns a Figure, or None when the report has nothing for it."""
from . import load as L
from . import plot as P

AEAD_OPS = ("seal", "open")
MIB = 1.0 / (1 << 20)
PHASES = (("setup", "set-up", "#deebf7"),
          ("tcp_connect", "TCP connect", "#9ecae1"),
          ("tls_handshake", "TLS handshake", "#3182bd"),
          ("first_request", "first request", "#fdae6b"),
          ("close", "close", "#bdbdbd"))


def _backends(results):
    out = []
    for r in results:
        if r["backend"] not in out:
            out.append(r["backend"])
    return out


def _triple(r, scale=1.0):
    """(median, ci low, ci high) scaled, or None when not ok."""
    if not r or not L.ok(r):
        return None
    lo, hi = L.ci(r)
    return (L.median(r) * scale, lo * scale if lo is not None else None,
            hi * scale if hi is not None else None)


def _sized(rep, ops):
    return [r for r in rep.of_suite("crypto")
            if r["params"].get("operation") in ops and
            isinstance(r["params"].get("bytes"), int)]


def sized_figure(rep, key, ops, title, caption):
    """caption may name the CI as %(ci)s: '75.0% CI' for 3 samples."""
    rs = _sized(rep, ops)
    if not any(L.ok(r) for r in rs):
        return None
    ci = L.ci_name(rs)
    algs = []
    for r in rs:
        if r["params"]["algorithm"] not in algs:
            algs.append(r["params"]["algorithm"])
    cols = min(2, len(algs))
    rows = (len(algs) + cols - 1) // cols
    fig = P.new_figure(5.2 * cols + 0.4, 3.2 * rows + 0.9)
    for i, alg in enumerate(algs):
        ax = fig.add_subplot(rows, cols, i + 1)
        mine = [r for r in rs if r["params"]["algorithm"] == alg]
        sizes = sorted({r["params"]["bytes"] for r in mine})
        for b in _backends(mine):
            for op in ops:
                pts = [(r["params"]["bytes"], _triple(r, MIB))
                       for r in mine if r["backend"] == b and
                       r["params"]["operation"] == op]
                pts = sorted((x, t) for x, t in pts if t)
                if not pts:
                    continue
                xs = [x for x, _ in pts]
                v = [t[0] for _, t in pts]
                ax.errorbar(xs, v, yerr=P.errbars(v, [t[1] for _, t in pts],
                                                  [t[2] for _, t in pts]),
                            color=P.color(b), marker="o" if op == ops[0]
                            else "s", ms=3.5, lw=1.2, capsize=2,
                            ls="-" if op == ops[0] else "--")
                # a ring around a result still noisy after re-measuring
                rings = [(x, t[0]) for x, t in pts if any(
                    r.get("noisy") for r in mine if r["backend"] == b and
                    r["params"]["operation"] == op and
                    r["params"]["bytes"] == x)]
                if rings:
                    ax.plot([x for x, _ in rings], [y for _, y in rings],
                            ls="none", marker="o", ms=9, mfc="none",
                            mec=P.color(b), mew=1)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xticks(sizes)
        ax.set_xticklabels([P.bytes_label(s) for s in sizes])
        ax.minorticks_off()
        ax.set_title(alg)
        P.plain_axis(ax, "y")
        ax.set_xlabel("record size (log)")
        ax.set_ylabel("MiB/s (log)")
    P.legend(fig, _backends(rs), [("-", ops[0]), ("--", ops[1])]
             if len(ops) > 1 else [], whisker=ci + " of the median")
    if any(L.ok(r) and r.get("noisy") for r in rs):
        caption += (" Ringed: results whose repetitions still spread more "
                    "than the limit after being measured again (noisy): "
                    "an ordering they show may be noise.")
    return P.finish(fig, rep, key, title, caption % {"ci": ci})


def aead(rep):
    return sized_figure(
        rep, "crypto-aead", AEAD_OPS,
        "Record protection throughput against record size",
        "Median MiB/s of sealing (solid) and opening (dashed) one record, "
        "per library, with the %(ci)s of the median; log axes.")


def digests(rep):
    return sized_figure(
        rep, "crypto-digest", ("digest", "mac"),
        "Digest and MAC throughput against input size",
        "Median MiB/s per library with the %(ci)s of the median.")


SIG_OPS = ("sign", "verify", "encrypt", "decrypt")
KEX_OPS = ("keygen", "derive", "exchange", "encaps", "decaps")


def _ops_figure(rep, ops_wanted, key, title, caption):
    """Grouped bars of ops/s, one row per result name that some library
    measured; rows no library here has (every one unsupported or failed)
    are left out and named in the caption (the table gives the reasons)."""
    rs = [r for r in rep.of_suite("crypto") if r["unit"] == "ops/s" and
          r["params"].get("operation") in ops_wanted]
    if not any(L.ok(r) for r in rs):
        return None
    ops, none, bes = [], [], _backends(rs)
    for r in rs:
        if r["name"] in ops or r["name"] in none:
            continue
        if any(L.ok(x) for x in rs if x["name"] == r["name"]):
            ops.append(r["name"])
        else:
            none.append(r["name"])
    series = [(b, {r["name"]: _triple(r) for r in rs if r["backend"] == b})
              for b in bes]
    fig = P.new_figure(10, 1.5 + 0.11 * len(ops) * max(2, len(bes)))
    ax = fig.add_subplot(1, 1, 1)
    P.hbars(ax, ops, series, log=True)
    P.plain_axis(ax, "x", count=True)
    ax.set_xlabel("operations per second (log)")
    P.legend(fig, [], patches=[(P.color(b), b) for b in bes],
             whisker=L.ci_name(rs) + " of the median")
    if none:
        caption += (" Left out, no library here has them: %s."
                    % ", ".join(none))
    return P.finish(fig, rep, key, title, caption)


def asymmetric(rep):
    return _ops_figure(
        rep, SIG_OPS, "crypto-asymmetric",
        "Signatures and RSA operations per second",
        "Median operations per second of each signature, verification "
        "and RSA key-transport operation per library; n/a: unsupported or "
        "failed (the table below gives the reason).")


def kex(rep):
    return _ops_figure(
        rep, KEX_OPS, "crypto-kex",
        "Key exchange operations per second: ECDH and post-quantum KEMs",
        "Median operations per second per library. X25519 and ECDH: "
        "keygen, derive (the shared secret alone) and exchange (keygen + "
        "parsing the peer's value + derive: either side's cost). ML-KEM "
        "and Kyber: keygen and decaps are the client's, encaps the "
        "server's primitive; exchange is the server's whole side (parsing "
        "the client's public key + encapsulating), the client's is keygen "
        "+ decaps. A hybrid X25519MLKEM768 handshake pays both the X25519 "
        "and the ML-KEM-768 rows. Kyber-768 is the pre-standard round-3 "
        "algorithm (the draft X25519Kyber768 group), not ML-KEM-768. n/a: "
        "unsupported or failed (the table below gives the reason).")


def derived(rep):
    d = [e for e in rep.doc.get("derived") or []
         if isinstance(e.get("bytes"), (int, float))]
    if not d:
        return None
    ciphers, ops, bes = [], [], []
    for e in d:
        for lst, v in ((ciphers, e["cipher"]), (ops, e["operation"]),
                       (bes, e["backend"])):
            if v not in lst:
                lst.append(v)
    fig = P.new_figure(5.2 * len(ciphers) + 0.4,
                       1.5 + 0.13 * len(ops) * max(2, len(bes)))
    for i, c in enumerate(ciphers):
        ax = fig.add_subplot(1, len(ciphers), i + 1)
        series = [(b, {e["operation"]: (e["bytes"] / 1024.0, None, None)
                       for e in d if e["backend"] == b and
                       e["cipher"] == c}) for b in bes]
        handles = P.hbars(ax, ops, series, log=True,
                          value_fmt=lambda v: "%.0f" % v)
        ax.set_title("bytes of %s" % c)
        P.plain_axis(ax, "x")
        ax.set_xlabel("KiB encrypted in the same CPU time (log)")
        ax.margins(x=0.15)
        if i == 0:
            ax.legend(handles=handles, loc="lower right")
    return P.finish(fig, rep, "crypto-equivalence",
                    "One public-key operation in bytes of bulk encryption",
                    "KiB of AEAD encryption (largest record size measured) "
                    "that cost the same CPU time as one signature, "
                    "decryption or key exchange: operation time / "
                    "encryption time per byte, from the medians.")


def _sweep_first(rep):
    """The suffixes ("@rttN", "@lossN") of the sweeps' first points."""
    out = []
    for kind, key in (("rtt", "sweep_rtt_ms"), ("loss", "sweep_loss_pct")):
        pts = sorted({r["params"][key] for r in _sweep(rep, key)})
        if pts:
            out.append("@%s%g" % (kind, pts[0]))
    return out


def _cases(rep):
    """[(case, [backend...])] of the handshake latency results; of an RTT
    sweep only the first point (the sweep has its own figure)."""
    cases = []
    first = _sweep_first(rep)
    for r in rep.of_suite("handshake"):
        if "/" not in r["name"] or r["unit"] != "us":
            continue
        case = r["name"].rsplit("/", 1)[0]
        if ("@rtt" in case or "@loss" in case) and \
                not any(case.endswith(f) for f in first):
            continue
        found = [c for c in cases if c[0] == case]
        if not found:
            cases.append((case, []))
            found = [cases[-1]]
        if r["backend"] not in found[0][1]:
            found[0][1].append(r["backend"])
    return cases


def handshake_phases(rep):
    """The stacked medians of the phases (a connection's total is the sum
    of its phases); each segment ends in the whisker of its own median's
    CI, and the label is what the bar's length is: the sum of the phase
    medians (the median total, a different statistic, is in the tables)."""
    cases = _cases(rep)
    if not cases:
        return None
    ci = L.ci_name([rep.find("handshake", "%s/%s" % (case, ph), b)
                    for case, bes in cases for b in bes
                    for ph, _, _ in PHASES])
    # over an emulated link: dotted lines at multiples of the measured
    # RTT (the median echo RTT of the cases), so round trips can be counted
    echoes = sorted(e for e in (_echo(r) for r in rep.of_suite("handshake"))
                    if isinstance(e, (int, float)) and e >= 1)
    rtt_us = 1000.0 * echoes[len(echoes) // 2] if echoes else None
    heights = [0.8 + 0.32 * len(b) for _, b in cases]
    fig = P.new_figure(10, sum(heights) + 1.0)
    grid = fig.add_gridspec(len(cases), 1, height_ratios=heights)
    for i, (case, bes) in enumerate(cases):
        ax = fig.add_subplot(grid[i, 0])
        for y, b in enumerate(bes):
            left, right, drawn = 0.0, 0.0, 0
            for k, (ph, label, col) in enumerate(PHASES):
                t = _triple(rep.find("handshake", "%s/%s" % (case, ph), b))
                if not t:
                    continue
                ax.barh(y, t[0], left=left, color=col, height=0.6)
                left += t[0]
                drawn += 1
                if t[1] is not None and t[2] is not None:
                    # staggered in the bar, so that overlapping whiskers
                    # still tell their phases apart
                    dy = 0.4 * k / max(1, len(PHASES) - 1) - 0.2
                    ax.errorbar([left], [y + dy], xerr=P.errbars(
                        [t[0]], [t[1]], [t[2]]), fmt="none",
                        color="#000000", capsize=2, lw=0.8)
                    right = max(right, left + t[2] - t[0])
            if drawn:
                ax.text(max(left, right), y, "  sum %.0f us" % left,
                        va="center", fontsize=7)
            else:
                r = rep.find("handshake", case + "/total", b) or \
                    rep.find("handshake", case + "/tls_handshake", b)
                ax.text(0, y, " %s" % (r["status"] if r else "missing"),
                        va="center", fontsize=7, color="#aa0000")
        ax.set_yticks(range(len(bes)))
        ax.set_yticklabels(bes)
        ax.invert_yaxis()
        ax.set_title(case, loc="left", fontsize=9)
        ax.margins(x=0.14)
        if rtt_us:
            hi = ax.get_xlim()[1]
            k = 1
            while k * rtt_us < hi and k <= 40:
                ax.axvline(k * rtt_us, color="#555555", lw=0.6, ls=":")
                k += 1
        ax.grid(axis="y", visible=False)
        if i == len(cases) - 1:
            ax.set_xlabel("microseconds (phase medians stacked; label: "
                          "their sum; whiskers: %s of each phase's "
                          "median%s)" % (ci, "; dotted: the measured RTT, "
                                         "%.1f ms, and its multiples"
                                         % (rtt_us / 1000) if rtt_us
                                         else ""))
    P.legend(fig, [], patches=[(col, label) for _, label, col in PHASES])
    return P.finish(fig, rep, "handshake-phases",
                    "Connection set-up, phase by phase",
                    "Median time of each phase of a new connection (set-up "
                    "of the socket and TLS object, TCP connect, TLS "
                    "handshake, first request, close) per case (TLS "
                    "version, full or resumed, certificate, key exchange) "
                    "and library, stacked; each connection's total is the "
                    "sum of its phases, the label the sum of the phase "
                    "medians (the bar's length). Each whisker, at the end "
                    "of its phase, is the %s of that phase's median, over "
                    "batches of consecutive connections where the report "
                    "says so (stats.ci_method). Over an emulated link, "
                    "dotted lines mark multiples of the measured RTT (the "
                    "cases' median echo RTT), so each phase's round trips "
                    "can be counted." % ci)


def handshake_rate(rep):
    """Handshakes per second from capacity runs only (results
    "<case>/capacity", unit handshakes/s): concurrent connections against
    one server. One connection at a time gives a latency, not a capacity;
    a report without capacity runs has no such figure."""
    cap = [r for r in rep.of_suite("handshake")
           if r["unit"] == "handshakes/s" and
           r["name"].endswith("/capacity")]
    rows = [(r["name"].rsplit("/", 1)[0], r["backend"], _triple(r))
            for r in cap]
    if not any(t for _, _, t in rows):
        return None
    ci = L.ci_name(cap)
    conns = sorted({r["params"].get("connections") for r in cap
                    if isinstance(r["params"].get("connections"), int)})
    secs = sorted({r["params"].get("seconds") for r in cap
                   if isinstance(r["params"].get("seconds"), (int, float))})
    how = "capacity runs%s%s: new connections, each one request, against " \
        "one server, the median of the runs with its %s" % (
            " with %s concurrent connections" % "/".join(
                str(c) for c in conns) if conns else "",
            " for %s s each" % "/".join("%g" % v for v in secs)
            if secs else "", ci)
    cases = []
    bes = []
    for c, b, _ in rows:
        if c not in cases:
            cases.append(c)
        if b not in bes:
            bes.append(b)
    series = [(b, {c: t for c, bb, t in rows if bb == b}) for b in bes]
    fig = P.new_figure(10, 1.3 + 0.12 * len(cases) * max(2, len(bes)))
    ax = fig.add_subplot(1, 1, 1)
    handles = P.hbars(ax, cases, series, log=True,
                      value_fmt=lambda v: "%.0f" % v)
    ax.set_xlabel("handshakes per second, capacity runs (log); whiskers: "
                  "%s" % ci)
    ax.margins(x=0.1)
    ax.legend(handles=handles, loc="lower right")
    return P.finish(fig, rep, "handshake-rate", "Handshakes per second",
                    "Per library and case, from " + how + ". Drawn only "
                    "from capacity runs (results <case>/capacity): the "
                    "inverse of one connection's latency is not a "
                    "capacity.")


def _sweep(rep, key="sweep_rtt_ms"):
    """The handshake results of a sweep's points (handshake --rtt-sweep:
    params.sweep_rtt_ms, --loss-sweep: params.sweep_loss_pct), with
    ttfb_ms."""
    return [r for r in rep.of_suite("handshake")
            if isinstance(r["params"].get(key), (int, float))
            and L.ok(r) and isinstance(r.get("ttfb_ms"), (int, float))]


def _echo(r):
    m = ((r.get("link_measured") or {}).get("echo_rtt_ms") or {})
    return m.get("median")


def rtt_sweep(rep):
    """Time to first byte against the configured RTT, a panel per case, a
    line per library; dashed, what the case's round trips predict from
    the first point: ttfb there + k x (measured RTT - its RTT there)."""
    rs = _sweep(rep)
    if not rs:
        return None
    cases = []
    for r in rs:
        if r["params"]["sweep_case"] not in cases:
            cases.append(r["params"]["sweep_case"])
    cols = min(3, len(cases))
    rows = (len(cases) + cols - 1) // cols
    fig = P.new_figure(max(8.0, 4.0 * cols), 3.0 * rows + 1.2)
    backends = _backends(rs)
    for i, case in enumerate(cases):
        ax = fig.add_subplot(rows, cols, i + 1)
        for b in backends:
            pts = sorted((r["params"]["sweep_rtt_ms"], r["ttfb_ms"],
                          _echo(r), r.get("rtts_expected"))
                         for r in rs if r["backend"] == b and
                         r["params"]["sweep_case"] == case)
            if not pts:
                continue
            x = [p[0] for p in pts]
            ax.plot(x, [p[1] for p in pts], marker="o", ms=3,
                    color=P.color(b), lw=1.5)
            k, e0, t0 = pts[0][3], pts[0][2], pts[0][1]
            if isinstance(k, int) and all(p[2] is not None for p in pts):
                ax.plot(x, [t0 + k * (p[2] - e0) for p in pts], ls="--",
                        color=P.color(b), lw=0.9)
        k = [r.get("rtts_expected") for r in rs
             if r["params"]["sweep_case"] == case]
        ax.set_title("%s (%s RTT)" % (case, k[0] if k else "?"),
                     loc="left", fontsize=8)
        ax.set_xlabel("configured RTT (ms)", fontsize=8)
        ax.set_ylabel("time to first byte (ms)", fontsize=8)
    P.legend(fig, backends, styles=[("-", "measured (median phases)"),
                                    ("--", "expected: k RTT + first "
                                     "point")])
    return P.finish(fig, rep, "rtt-sweep",
                    "Time to first byte against round-trip time",
                    "Each case (TCP, TLS 1.2 and 1.3, full, resumed, "
                    "0-RTT) over the emulated link at each RTT of the "
                    "sweep (handshake --rtt-sweep): time to the first "
                    "response byte, the sum of the TCP connect, TLS "
                    "handshake and first request medians. Dashed: what "
                    "the case's round trips predict, its time at the "
                    "sweep's first point plus k times the echo RTT "
                    "measured before each point (less the first's); k "
                    "(in the title) is 2 for TCP and 0-RTT, 3 for TLS 1.3 "
                    "and TLS 1.2 resumed, 4 for TLS 1.2 full. A line above "
                    "its dashed line spends more round trips than the "
                    "protocol needs.")


def loss_sweep(rep):
    """Percentiles of the time to first byte per connection against the
    loss each way (handshake --loss-sweep), a panel per case, a colour
    per library, a line style per percentile."""
    rs = [r for r in _sweep(rep, "sweep_loss_pct")
          if isinstance(r.get("ttfb_percentiles_ms"), dict)]
    if not rs:
        return None
    cases = []
    for r in rs:
        if r["params"]["sweep_case"] not in cases:
            cases.append(r["params"]["sweep_case"])
    cols = min(3, len(cases))
    rows = (len(cases) + cols - 1) // cols
    fig = P.new_figure(max(8.0, 4.0 * cols), 3.0 * rows + 1.2)
    backends = _backends(rs)
    styles = (("p50", "-"), ("p90", "--"), ("p99", ":"))
    rtt = sorted({(r.get("link_measured") or {}).get("echo_rtt_ms", {})
                  .get("median") or 0 for r in rs})
    for i, case in enumerate(cases):
        ax = fig.add_subplot(rows, cols, i + 1)
        for b in backends:
            pts = sorted((r["params"]["sweep_loss_pct"],
                          r["ttfb_percentiles_ms"]) for r in rs
                         if r["backend"] == b and
                         r["params"]["sweep_case"] == case)
            for q, ls in styles:
                xy = [(x, p.get(q)) for x, p in pts
                      if isinstance(p.get(q), (int, float))]
                if xy:
                    ax.plot([x for x, _ in xy], [y for _, y in xy],
                            ls=ls, marker="o", ms=2.5, color=P.color(b),
                            lw=1.3)
        ax.set_yscale("log")
        ax.set_title(case, loc="left", fontsize=8)
        ax.set_xlabel("loss each way (%)", fontsize=8)
        ax.set_ylabel("time to first byte (ms)", fontsize=8)
    P.legend(fig, backends, styles=[(ls, q) for q, ls in styles])
    return P.finish(fig, rep, "loss-sweep",
                    "Time to first byte against packet loss",
                    "Each case over the emulated link at each loss rate of "
                    "the sweep (handshake --loss-sweep, the same loss each "
                    "way; echo RTT measured %.1f to %.1f ms): the 50th, "
                    "90th and 99th percentiles of the time to the first "
                    "response byte per connection (its TCP connect, TLS "
                    "handshake and first request; connections that failed "
                    "have none), on a log scale. A lost SYN costs the "
                    "kernel's initial 1 s retransmission timeout, a lost "
                    "handshake flight at least 200 ms: the tails."
                    % (rtt[0], rtt[-1]))
