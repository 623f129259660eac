"""Headline findings, computed from a report's numbers: plain sentences
for the top of the HTML page. Every number is a median from the report
(or a ratio of two medians)."""
import re

from . import load as L
from . import units

PRETTY = {"openssl": "OpenSSL", "boringssl": "BoringSSL",
          "gnutls": "GnuTLS", "wolfssl": "wolfSSL", "mbedtls": "mbedTLS",
          "plain": "plain TCP", "curl": "curl"}
OP_NAMES = {"rsa-2048/sign": "RSA-2048 signature",
            "rsa-2048/decrypt": "RSA-2048 decryption",
            "ecdsa-p256/sign": "ECDSA P-256 signature",
            "ed25519/sign": "Ed25519 signature",
            "x25519/exchange": "X25519 key exchange"}
CERTS = {"ecdsa-p256": "ECDSA P-256", "ecdsa-p384": "ECDSA P-384",
         "rsa-2048": "RSA-2048", "rsa-3072": "RSA-3072",
         "rsa-4096": "RSA-4096", "ed25519": "Ed25519"}
CASE_RE = re.compile(r"^tls(1\.[23])-(full|id|ticket)-(.+)-(x25519|p256|"
                     r"p384)(-rsakx)?$")


def pretty(b):
    return PRETTY.get(b, b)


def case_text(case):
    """'tls1.3-full-ecdsa-p256-x25519' -> 'TLS 1.3 full handshake with
    ECDSA P-256 (x25519)'."""
    m = CASE_RE.match(case)
    if not m:
        return "TCP connection" if case == "tcp" else case
    kind = "full handshake" if m.group(2) == "full" else \
        "resumed handshake (%s)" % (
            "session ID" if m.group(2) == "id" else
            "session ticket" if m.group(1) == "1.2" else "PSK")
    return "TLS %s %s with %s (%s%s)" % (
        m.group(1), kind, CERTS.get(m.group(3), m.group(3)), m.group(4),
        ", RSA key transport" if m.group(5) else "")


def _join(parts):
    return ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 \
        else (parts[0] if parts else "")


def _crypto(rep):
    out = []
    d = [e for e in rep.doc.get("derived") or []
         if isinstance(e.get("bytes"), (int, float))]
    for op, what in OP_NAMES.items():
        for cipher in ("aes-128-gcm", "chacha20-poly1305"):
            es = [e for e in d if e["operation"] == op and
                  e["cipher"] == cipher]
            if not es:
                continue
            if cipher == "chacha20-poly1305" and op != "rsa-2048/sign":
                continue
            parts = ["%.0f KiB on %s" % (e["bytes"] / 1024,
                                         pretty(e["backend"])) for e in es]
            out.append("One %s costs the CPU time of encrypting %s with "
                       "%s." % (what, _join(parts), cipher.upper()))
    seal = [r for r in rep.of_suite("crypto") if L.ok(r) and
            r["params"].get("algorithm") == "aes-128-gcm" and
            r["params"].get("operation") == "seal"]
    if seal:
        big = max(r["params"]["bytes"] for r in seal)
        rs = sorted((r for r in seal if r["params"]["bytes"] == big),
                    key=L.median, reverse=True)
        out.append("AES-128-GCM sealing %d-byte records: %s." % (
            big, _join(["%s %s" % (pretty(r["backend"]),
                                   units.fmt(L.median(r), "bytes/s"))
                        for r in rs])))
    for cipher in ("aes-128-gcm", "chacha20-poly1305"):
        out += _record_cost(rep, cipher)
    out += _key_cost(rep, "aes-128-gcm")
    parts = []
    for b in _backends(rep, "crypto"):
        e = rep.find("crypto", "ecdsa-p256/sign", b)
        r = rep.find("crypto", "rsa-2048/sign", b)
        if e and r and L.ok(e) and L.ok(r):
            parts.append("%.1f times on %s" % (L.median(e) / L.median(r),
                                                 pretty(b)))
    if parts:
        out.append("ECDSA P-256 signs faster than RSA-2048: %s."
                   % _join(parts))
    return out


def _record_cost(rep, cipher):
    """Seal (a nonce and tag per record) against stream (one message) at
    the largest size both have: what each record's set-up costs."""
    sizes = [r["params"]["bytes"] for r in rep.of_suite("crypto")
             if L.ok(r) and r["name"].startswith(cipher + "/stream/")]
    if not sizes:
        return []
    big = max(sizes)
    parts = []
    for b in _backends(rep, "crypto"):
        seal = rep.find("crypto", "%s/seal/%d" % (cipher, big), b)
        stream = rep.find("crypto", "%s/stream/%d" % (cipher, big), b)
        if seal and stream and L.ok(seal) and L.ok(stream):
            parts.append("%.0f%%%s on %s" % (
                100 * L.median(seal) / L.median(stream),
                "" if parts else " of the speed of one long message",
                pretty(b)))
    if not parts:
        return []
    return ["Sealed one at a time (a nonce and a tag each, as TLS does), "
            "%d-byte %s records run at %s." % (big, cipher.upper(),
                                               _join(parts))]


def _key_cost(rep, cipher):
    """What installing a traffic key costs, in time and in bytes sealed."""
    seals = [r for r in rep.of_suite("crypto") if L.ok(r) and
             r["name"].startswith(cipher + "/seal/")]
    if not seals:
        return []
    big = max(r["params"]["bytes"] for r in seals)
    parts = []
    for b in _backends(rep, "crypto"):
        k = rep.find("crypto", cipher + "/rekey", b)
        seal = rep.find("crypto", "%s/seal/%d" % (cipher, big), b)
        if k and seal and L.ok(k) and L.ok(seal):
            parts.append("%s on %s (%.0f bytes of sealing)" % (
                units.fmt(1 / L.median(k), "s"), pretty(b),
                L.median(seal) / L.median(k)))
    if not parts:
        return []
    return ["Installing a new %s key, which each side of a TLS 1.3 "
            "connection does at least four times, takes %s."
            % (cipher.upper(), _join(parts))]


def _backends(rep, suite):
    out = []
    for r in rep.of_suite(suite):
        if r["backend"] not in out:
            out.append(r["backend"])
    return out


def _handshake(rep):
    out = []
    tcp = rep.find("handshake", "tcp/tcp_connect", "plain")
    tcp_us = L.median(tcp) if tcp and L.ok(tcp) else None
    cases = []
    for r in rep.of_suite("handshake"):
        case = r["name"].rsplit("/", 1)[0]
        if CASE_RE.match(case) and case not in cases:
            cases.append(case)
    for case in cases:
        rs = [r for r in rep.of_suite("handshake")
              if r["name"] == case + "/tls_handshake" and L.ok(r)]
        if not rs:
            continue
        if tcp_us:
            parts = ["%.0f times%s on %s" % (
                L.median(r) / tcp_us, " a TCP connect" if i == 0 else "",
                pretty(r["backend"])) for i, r in enumerate(rs)]
            out.append("A %s costs %s (%s; TCP connect %s)."
                       % (case_text(case), _join(parts), _join(
                           ["%s %s" % (pretty(r["backend"]),
                                       units.fmt(L.median(r), "us"))
                            for r in rs]), units.fmt(tcp_us, "us")))
        else:
            out.append("A %s takes %s." % (case_text(case), _join(
                ["%s on %s" % (units.fmt(L.median(r), "us"),
                               pretty(r["backend"])) for r in rs])))
        m = CASE_RE.match(case)
        if m.group(2) != "full":
            full = "tls%s-full-%s-%s%s" % (m.group(1), m.group(3),
                                           m.group(4), m.group(5) or "")
            parts = []
            for r in rs:
                f = rep.find("handshake", full + "/tls_handshake",
                             r["backend"])
                if f and L.ok(f):
                    parts.append("%.0f%%%s on %s" % (
                        100 * L.median(r) / L.median(f),
                        "" if parts else " of the full handshake's time",
                        pretty(r["backend"])))
            if parts:
                out.append("Resumed, the TLS %s handshake takes %s."
                           % (m.group(1), _join(parts)))
    out += _zero_rtt(rep)
    cap = [r for r in rep.of_suite("handshake")
           if r["unit"] == "handshakes/s" and L.ok(r)]
    if cap:
        best = max(cap, key=L.median)
        out.append("Most handshakes per second: %s with %s (%s)." % (
            pretty(best["backend"]), best["name"].rsplit("/", 1)[0],
            units.fmt(L.median(best), "handshakes/s")))
    return out


def _to_response(rep, case, backend):
    """Connect, handshake and first response: the phase medians added."""
    total = 0.0
    for phase in ("tcp_connect", "tls_handshake", "first_request"):
        r = rep.find("handshake", "%s/%s" % (case, phase), backend)
        if not r or not L.ok(r):
            return None
        total += L.median(r)
    return total


def _zero_rtt(rep):
    """The PSK case with and without the request as 0-RTT early data."""
    out = []
    for case in sorted({r["name"].rsplit("/", 1)[0]
                        for r in rep.of_suite("handshake")
                        if r["name"].endswith("-0rtt/tls_handshake")}):
        base = case[:-len("-0rtt")]
        if not CASE_RE.match(base):
            continue
        parts = []
        for r in rep.of_suite("handshake"):
            if r["name"] != case + "/tls_handshake" or not L.ok(r):
                continue
            with0 = _to_response(rep, case, r["backend"])
            without = _to_response(rep, base, r["backend"])
            a = r.get("achieved") or {}
            if with0 is None or without is None:
                continue
            parts.append("%s instead of %s on %s (early data accepted on "
                         "%s of %s connections)" % (
                             units.fmt(with0, "us"), units.fmt(without, "us"),
                             pretty(r["backend"]),
                             a.get("early_data_accepted", "?"),
                             a.get("early_data_sent", "?")))
        if parts:
            out.append("With the request sent as 0-RTT early data, a %s "
                       "has its response (connect, handshake and first "
                       "request, medians added) after %s." % (
                           case_text(base), _join(parts)))
    return out


def _closest(cells, mode, target):
    sizes = sorted({r["params"]["bytes"] for r in cells
                    if r["params"].get("mode") == mode})
    if not sizes:
        return None
    return min(sizes, key=lambda s: (abs(s - target), s))


def _throughput(rep):
    out = []
    cells = [r for r in rep.of_suite("throughput")
             if isinstance(r["params"].get("bytes"), int) and
             ":" not in r["name"] and not r["name"].startswith("memory/")]
    for mode, what in (("keepalive", "keep-alive"),
                       ("close", "with a new connection per request")):
        size = _closest(cells, mode, 1024)
        if size is None:
            continue
        name = "%s/%d" % (mode, size)
        base = rep.find("throughput", name, "plain")
        rs = [r for r in cells if r["name"] == name and L.ok(r) and
              r["backend"] != "plain"]
        if not base or not L.ok(base) or not rs:
            continue
        # a ratio is stated only for server-bound cells (the driver sets
        # vs_plain then); older reports without "bound" keep the plain
        # quotient
        stated, held = [], []
        for r in rs:
            v = r.get("vs_plain")
            if "bound" not in r and L.median(base):
                v = L.median(r) / L.median(base)
            if v is not None:
                stated.append("%.0f%% on %s" % (100 * v,
                                                  pretty(r["backend"])))
            else:
                held.append("%s (%s)" % (pretty(r["backend"]), r.get(
                    "vs_plain_note") or "no ratio"))
        bound = base.get("bound")
        if stated:
            out.append("HTTPS %s, %s responses, reaches %s of plain "
                       "HTTP's requests/s (plain HTTP: %s%s)."
                       % (what, units.size_label(size), _join(stated),
                          units.fmt(L.median(base), "requests/s"),
                          ", %s-bound" % bound if bound else ""))
        if held:
            out.append("HTTPS/HTTP %s, %s: no ratio stated for %s."
                       % (what, units.size_label(size), _join(held)))
        cpu = [(r["backend"], L.median(r.get("server_cpu_us_per_request")
                                       or {}))
               for r in [base] + rs]
        cpu = [(b, v) for b, v in cpu if v is not None]
        if len(cpu) > 1:
            out.append("Server CPU per request (%s, %s): %s." % (
                what, units.size_label(size), _join(
                    ["%s %s" % (pretty(b), units.fmt(v, "us"))
                     for b, v in cpu])))
    costs = []
    for r in rep.of_suite("throughput"):
        if r["name"].startswith("cost:") and r["name"] not in costs:
            costs.append(r["name"])
    for name in costs:
        rs = [r for r in rep.of_suite("throughput")
              if r["name"] == name and L.ok(r)]
        if not rs:
            continue
        rate = rs[0]["params"].get("rate")
        out.append("Server CPU per request at one offered load (%s, %s "
                   "requests/s, open loop): %s." % (
                       name[5:], "%.0f" % rate if rate else "?",
                       _join(["%s %s" % (pretty(r["backend"]), units.fmt(
                           L.median(r) / 1e3, "us")) for r in rs])))
    names = []
    for r in rep.of_suite("throughput"):
        if r["name"].startswith("memory/") and r["name"] not in names:
            names.append(r["name"])
    for name in names:
        rs = [r for r in rep.of_suite("throughput")
              if r["name"] == name and L.ok(r)]
        if rs:
            out.append("Server memory per idle connection (%s): %s." % (
                name, _join(["%s %s" % (pretty(r["backend"]), units.fmt(
                    L.median(r), r["unit"]).replace("/connection", ""))
                    for r in rs])))
    return out


def _load(rep):
    out = []
    for r in rep.of_suite("load"):
        if not L.ok(r):
            continue
        lat = r.get("latency") or {}
        p99 = lat.get("p99")
        out.append("Load generator (%s) against %s: %s, p99 latency %s." % (
            pretty(r["backend"]), r["params"].get("url", "?"),
            units.fmt(L.median(r), "requests/s"),
            units.fmt(p99 / 1000.0, "ms") if isinstance(
                p99, (int, float)) else "n/a"))
    return out


def findings(rep):
    out = _crypto(rep) + _handshake(rep) + _throughput(rep) + _load(rep)
    bad = [r for r in rep.results if r["status"] != "ok"]
    if bad:
        kinds = {}
        for r in bad:
            kinds[r["status"]] = kinds.get(r["status"], 0) + 1
        out.append("%d of %d results are not ok (%s); the tables give each "
                   "reason." % (len(bad), len(rep.results), ", ".join(
                       "%d %s" % (n, k) for k, n in sorted(kinds.items()))))
    if rep.doc["run"].get("interrupted"):
        out.append("This run was interrupted: some measurements are "
                   "missing.")
    return out
