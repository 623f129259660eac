"""Headline findings, computed from a report's numbers: plain sentences
for the top of the HTML page. Every number is a median from the report
(or a ratio of two medians).

findings() gives a Summary: at most six top findings, each citing its
interval and level; a short "how to read this page" (what bound each
figure, the noise measured); the rest grouped by suite. Every comparative
sentence goes through compare(), which states the comparison only when
the two confidence intervals separate and otherwise says there is no
significant difference."""
import math
import re

from . import load as L
from . import openloop as OL
from . import units

PRETTY = {"openssl": "OpenSSL", "boringssl": "BoringSSL",
          "gnutls": "GnuTLS", "wolfssl": "wolfSSL", "mbedtls": "mbedTLS",
          "plain": "plain TCP", "curl": "curl"}
OP_NAMES = {"rsa-2048/sign": "RSA-2048 signature",
            "rsa-2048/decrypt": "RSA-2048 decryption",
            "ecdsa-p256/sign": "ECDSA P-256 signature",
            "ed25519/sign": "Ed25519 signature",
            "ml-dsa-65/sign": "ML-DSA-65 signature",
            "x25519/exchange": "X25519 key exchange",
            "ml-kem-768/exchange": "ML-KEM-768 key exchange (the server's "
                                   "side: parse and encapsulate)"}
CERTS = {"ecdsa-p256": "ECDSA P-256", "ecdsa-p384": "ECDSA P-384",
         "rsa-2048": "RSA-2048", "rsa-3072": "RSA-3072",
         "rsa-4096": "RSA-4096", "ed25519": "Ed25519"}
CASE_RE = re.compile(r"^tls(1\.[23])-(full|id|ticket)-(.+)-(x25519|p256|"
                     r"p384)(-rsakx)?$")


def pretty(b):
    """'openssl' -> 'OpenSSL'; a library set scripts/libs built,
    'openssl-3.5' -> 'OpenSSL 3.5'."""
    if b in PRETTY:
        return PRETTY[b]
    name, dash, ver = str(b).partition("-")
    return "%s %s" % (PRETTY[name], ver) if dash and name in PRETTY else b


def lib_version(backend, version):
    """'OpenSSL 3.0.19 27 Jan 2026', not 'OpenSSL OpenSSL 3.0.19 ...':
    the library's name once, whether or not its version string has it."""
    name = pretty(backend).split(" ")[0]  # 'openssl-3.5': 'OpenSSL'
    flat = lambda t: "".join(str(t).split()).lower()
    return str(version) if flat(version).startswith(flat(name)) else \
        "%s %s" % (name, version)


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


class Finding:
    """One sentence of the summary: its suite, how high it ranks (lower
    first) and whether it cites an interval (only those can be top
    findings)."""

    def __init__(self, text, suite, rank=9.0, interval=False):
        self.text = text
        self.suite = suite
        self.rank = rank
        self.interval = interval

    def __str__(self):
        return self.text

    def __repr__(self):
        return "Finding(%r)" % self.text


class Q:
    """A median with its confidence interval and that interval's level:
    what a comparison compares. ratio: this quantity over the one it is
    compared with, when the report states it (vs_plain, vs_ours)."""

    def __init__(self, label, median, lo, hi, level, unit, ratio=None):
        self.label, self.median, self.lo, self.hi = label, median, lo, hi
        self.level, self.unit, self.ratio = level, unit, ratio

    @classmethod
    def of(cls, label, obj, unit=None, ratio=None):
        """From a result or a series (a dict with stats); None when it has
        no median."""
        if not isinstance(obj, dict) or L.median(obj) is None or \
                obj.get("status", "ok") != "ok":
            return None
        lo, hi = L.ci(obj)
        return cls(label, L.median(obj), lo, hi, L.ci_level(obj),
                   unit if unit is not None else obj.get("unit", ""),
                   ratio)

    def has_interval(self):
        """An interval worth the name: both bounds, around the median, at
        a stated coverage above zero (one sample gives [x, x] at 0%)."""
        return all(isinstance(v, (int, float)) and math.isfinite(v)
                   for v in (self.lo, self.hi)) and \
            self.lo <= self.median <= self.hi and \
            isinstance(self.level, (int, float)) and self.level > 0

    def value(self, level=True):
        """'9.95 [9.76, 10.2] k requests/s (75.0% CI)'."""
        if not self.has_interval():
            return units.fmt(self.median, self.unit) + " (no interval)"
        return units.fmt_ci(self.median, self.lo, self.hi, self.unit) + (
            " (%s CI)" % L.fmt_level(self.level) if level else "")

    def text(self, level=True):
        return ("%s %s" % (self.label, self.value(level))).strip()


def separated(a, b):
    """Do the two intervals not overlap? False when either has none."""
    return a.has_interval() and b.has_interval() and \
        (a.lo > b.hi or a.hi < b.lo)


SEPARATE, NOISE, NO_INTERVAL = "separate", "within noise", "no interval"


def verdict(a, b):
    """The one test every comparison of two medians goes through (the
    summary, compare and export): SEPARATE when the two confidence
    intervals do not overlap (only then may the comparison be stated),
    NOISE when they overlap, NO_INTERVAL when either lacks one. a and b:
    Q objects, or results/series (dicts with stats)."""
    a = a if isinstance(a, Q) or a is None else Q.of("", a)
    b = b if isinstance(b, Q) or b is None else Q.of("", b)
    if not (a and b and a.has_interval() and b.has_interval()):
        return NO_INTERVAL
    return SEPARATE if separated(a, b) else NOISE


def _more(a, b):
    unit = a.unit or ""
    if units.is_time(unit):
        return "faster" if a.median < b.median else "slower"
    if unit.endswith("/s"):
        return "faster" if a.median > b.median else "slower"
    return "higher" if a.median > b.median else "lower"


def _cap(s):
    return s[:1].upper() + s[1:]


def compare(a, b, claim, context="", suite="", rank=9.0, then=None,
            impossible=None, a_stated=False):
    """The one way a comparative sentence ("A is faster than B", "X% of
    HTTP", "N times a TCP connect") is made. a: a Q or a list of them;
    b: the Q each is compared with, or a list as long as a (pairs).
    claim: what is said of an a whose interval separates from its b's,
    with {a} and {b} (labels), {pct} ("34%"), {times} ("3.2 times"),
    {more} ("faster"/"slower" by the unit: rates higher, times lower);
    the ratio is a.ratio when the report states it, else the quotient of
    the medians. then: the shorter claim of the clauses after the first
    ("on {a} {times}"). Where the intervals overlap (or one is missing)
    the clause says "no significant difference" (within noise) instead.
    impossible: (direction, why) for an ordering the work done rules
    out ("higher": a above b cannot be real): such a clause, even with
    separate intervals, is stated as noise, never as a finding. Every
    value follows with its interval and level, except a's with
    a_stated (stated in another finding: each figure once). A Finding,
    or None when there is nothing to compare."""
    qs = a if isinstance(a, (list, tuple)) else [a]
    shared = not isinstance(b, (list, tuple))
    pairs = [(q, b if shared else bb) for q, bb in
             zip(qs, [b] * len(qs) if shared else b) if q and
             (b if shared else bb)]
    if not pairs:
        return None
    every = [q for p in pairs for q in p]
    lv = {L.fmt_level(q.level) for q in every if q.has_interval()}
    one = len(lv) == 1 and all(q.has_interval() for q in every)
    clauses, stated = [], 0
    for q, r in pairs:
        val = q.value(not one) if shared else "%s; %s %s" % (
            q.value(not one), r.label, r.value(not one))
        if a_stated:
            val = r.text(not one) if not shared else "above"
        v = verdict(q, r)
        k = q.ratio if q.ratio is not None else q.median / r.median \
            if r.median else float("nan")
        if v == SEPARATE and impossible and \
                (q.median > r.median) == (impossible[0] == "higher"):
            clauses.append("%s measured %s of %s (%s), which %s: "
                           "measurement noise, not a finding" % (
                               q.label, "%.0f%%" % (100 * k), r.label,
                               val, impossible[1]))
        elif v == SEPARATE:
            said = claim if not stated or not then else then
            clauses.append("%s (%s)" % (said.format(
                a=q.label, b=r.label, pct="%.0f%%" % (100 * k),
                times="%s times" % _times(k), more=_more(q, r)), val))
            stated += 1
        else:
            clauses.append("no significant difference between %s and %s "
                           "(%s: %s)" % (
                               q.label, r.label,
                               "intervals overlap, within noise"
                               if v == NOISE else "no interval to compare",
                               val))
    ref = pairs[0][1]
    text = _cap(context + "; ".join(clauses))
    if shared:
        text += "; %s" % ref.text(not one)
    text += "%s." % ("; %s CIs" % lv.pop() if one else "")
    return Finding(text, suite, rank + (0 if stated else 0.5),
                   all(q.has_interval() for q in every))


def ranking(qs, context, suite="", rank=9.0, noisy=()):
    """Values of one quantity side by side, best first, each stated once
    with its interval: each after the first says whether it is {more}
    than the one before it (their intervals separate) or within noise of
    it, through verdict(). noisy: labels to mark "(noisy)". A Finding, or
    None without values."""
    qs = [q for q in qs if q]
    if not qs:
        return None
    lower = units.lower_is_better(qs[0].unit)
    qs = sorted(qs, key=lambda q: q.median, reverse=not lower)
    lv = {L.fmt_level(q.level) for q in qs if q.has_interval()}
    one = len(lv) == 1 and all(q.has_interval() for q in qs)
    parts = []
    for i, q in enumerate(qs):
        t = q.text(not one) + (" (noisy)" if q.label in noisy else "")
        if i:
            p = qs[i - 1]
            v = verdict(q, p)
            t += " (%s than %s)" % (_more(q, p), p.label) if v == SEPARATE \
                else " (no significant difference from %s: %s)" % (
                    p.label, "intervals overlap, within noise"
                    if v == NOISE else "no interval to compare")
        parts.append(t)
    return Finding(_cap(context + "; ".join(parts)) + "%s." % (
        "; %s CIs" % lv.pop() if one else ""), suite, rank,
        all(q.has_interval() for q in qs))


def _times(r):
    return "%.2g" % r if r < 10 else "%.0f" % r


CIPHERS = {"aes-128-gcm": "AES-128-GCM", "aes-256-gcm": "AES-256-GCM",
           "chacha20-poly1305": "ChaCha20-Poly1305"}


def cipher_name(c):
    return CIPHERS.get(c, c.upper())


def _quotient(num, den):
    """(median, low, high) of num / den: the quotient of the medians and
    the range the two intervals allow (num.lo / den.hi to num.hi /
    den.lo); bounds None without both intervals."""
    m = num.median / den.median if den.median else float("nan")
    if not (num.has_interval() and den.has_interval()) or den.lo <= 0:
        return m, None, None
    return m, num.lo / den.hi, num.hi / den.lo


def _crypto(rep):
    """The crypto suite's findings other than the seal ranking (see
    _crypto_compare): what a public-key operation costs in bytes of
    encryption, seal against stream, key installation, ECDSA against
    RSA, and how many results stayed noisy."""
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
            parts, ranged = [], False
            for e in es:
                num = Q.of("", rep.find("crypto", e.get("cipher_result") or
                                        "", e["backend"]))
                den = Q.of("", rep.find("crypto", op, e["backend"]))
                m, lo, hi = _quotient(num, den) if num and den else (
                    e["bytes"], None, None)
                parts.append("%s on %s" % (units.fmt(m, "bytes") if lo is
                                           None else units.fmt_ci(
                                               m, lo, hi, "bytes"),
                                           pretty(e["backend"])))
                ranged = ranged or lo is not None
            out.append(Finding(
                "One %s costs the CPU time of encrypting %s with %s%s." % (
                    what, _join(parts), cipher_name(cipher),
                    " (in brackets the range the two results' intervals "
                    "allow)" if ranged else ""), "crypto", 9.5))
    for cipher in ("aes-128-gcm", "chacha20-poly1305"):
        out += _record_cost(rep, cipher)
    out += _key_cost(rep, "aes-128-gcm")
    ecdsa, rsa = [], []
    for b in _backends(rep, "crypto"):
        e = rep.find("crypto", "ecdsa-p256/sign", b)
        r = rep.find("crypto", "rsa-2048/sign", b)
        if e and r and L.ok(e) and L.ok(r):
            ecdsa.append(Q.of("ECDSA P-256 on %s" % pretty(b), e))
            rsa.append(Q.of("RSA-2048", r))
    f = compare(ecdsa, rsa, "{a} signs {times} as fast as {b}",
                "Signatures, ECDSA P-256 against RSA-2048: ", "crypto", 6,
                then="{a} {times}")
    if f:
        out.append(f)
    # results still spread after being measured again (the page's "how
    # to read" gives the spread of all and the steal time)
    ok = [r for r in rep.of_suite("crypto") if L.ok(r)]
    noisy = [r for r in ok if r.get("noisy")]
    if noisy:
        cv = [r["params"].get("max_cv") for r in noisy
              if isinstance(r["params"].get("max_cv"), (int, float))]
        out.append(Finding(
            "%d of %d crypto results stayed noisy (repetitions spread "
            "more than %s, even measured again): their medians are less "
            "certain, and an ordering they show may be noise." % (
                len(noisy), len(ok),
                "%g%%" % (100 * max(cv)) if cv else "the limit"),
            "crypto", 9.7))
    # comparisons first, then equivalences, key cost, noise
    return sorted(out, key=lambda f: f.rank)


def _seal_size(rep):
    """The record size of _crypto_compare's ranking (the largest
    AES-128-GCM seal), or None."""
    return max([r["params"]["bytes"] for r in rep.of_suite("crypto")
                if L.ok(r) and r["params"].get("algorithm") ==
                "aes-128-gcm" and r["params"].get("operation") == "seal"
                and isinstance(r["params"].get("bytes"), int)] or [None])


def _record_cost(rep, cipher):
    """Seal (a nonce and tag per record) against stream (one message) at
    the largest size both have: what each record's set-up costs. A sealed
    record does the stream's work and more, so seal above stream's
    speed is noise (or a noisy machine), never a finding: compare() says
    so."""
    sizes = [r["params"]["bytes"] for r in rep.of_suite("crypto")
             if L.ok(r) and r["name"].startswith(cipher + "/stream/")]
    if not sizes:
        return []
    big = max(sizes)
    seals, streams = [], []
    for b in _backends(rep, "crypto"):
        seal = rep.find("crypto", "%s/seal/%d" % (cipher, big), b)
        stream = rep.find("crypto", "%s/stream/%d" % (cipher, big), b)
        if not (seal and stream and L.ok(seal) and L.ok(stream)):
            continue
        noisy = seal.get("noisy") or stream.get("noisy")
        seals.append(Q.of("%s%s" % (pretty(b), " (noisy)" if noisy else ""),
                          seal))
        streams.append(Q.of("one long message", stream))
    # the AES-128-GCM seal speeds at that size are in the ranking
    ranked = cipher == "aes-128-gcm" and big == _seal_size(rep)
    f = compare(seals, streams, "on {a} they run at {pct} of the speed of "
                "{b}", "%s records of %s sealed one at a time (a nonce and "
                "a tag each, as TLS does%s) against one long message: " % (
                    units.size_adj(big), cipher_name(cipher),
                    "; their speeds above" if ranked else ""),
                "crypto", 7, then="on {a} {pct}",
                impossible=("higher", "the extra work of a record rules "
                            "out"), a_stated=ranked)
    return [f] if f else []


def _key_cost(rep, cipher):
    """What installing a traffic key costs, in time and in bytes sealed
    (no comparison: one quantity in two units)."""
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
            parts.append("%s on %s (the time of sealing %s%s)" % (
                units.fmt(1 / L.median(k), "s"), pretty(b),
                units.fmt_bytes(L.median(seal) / L.median(k)),
                "; noisy" if k.get("noisy") or seal.get("noisy") else ""))
    if not parts:
        return []
    return [Finding("Installing a new %s key, which each side of a TLS 1.3 "
                    "connection does at least four times, takes %s (medians)."
                    % (cipher_name(cipher), _join(parts)), "crypto", 9.6)]


def _backends(rep, suite):
    out = []
    for r in rep.of_suite(suite):
        if r["backend"] not in out:
            out.append(r["backend"])
    return out


def _crypto_compare(rep):
    """AES-128-GCM sealing of the largest records, every library ranked
    by ranking() (each figure once, each step only when the intervals
    separate): the crypto suite's top finding."""
    seal = [r for r in rep.of_suite("crypto") if L.ok(r) and
            r["params"].get("algorithm") == "aes-128-gcm" and
            r["params"].get("operation") == "seal" and
            isinstance(r["params"].get("bytes"), int)]
    if not seal:
        return []
    big = max(r["params"]["bytes"] for r in seal)
    rs = [r for r in seal if r["params"]["bytes"] == big]
    f = ranking([Q.of(pretty(r["backend"]), r) for r in rs],
                "AES-128-GCM sealing %s records: " % units.size_adj(big),
                "crypto", 3, noisy={pretty(r["backend"]) for r in rs
                                    if r.get("noisy")})
    return [f] if f else []


def _pq_compare(rep):
    """The post-quantum half of a hybrid exchange against the classical
    half, per library that has both: ML-KEM-768's server side (parse the
    client's key, encapsulate) against one X25519 exchange."""
    mlkem, x25519 = [], []
    for b in _backends(rep, "crypto"):
        m = rep.find("crypto", "ml-kem-768/exchange", b)
        x = rep.find("crypto", "x25519/exchange", b)
        if m and x and L.ok(m) and L.ok(x):
            mlkem.append(Q.of("ML-KEM-768 on %s" % pretty(b), m))
            x25519.append(Q.of("X25519", x))
    if not mlkem:
        return []
    return [compare(mlkem, x25519, "{a} runs {times} as many exchanges per "
                    "second as {b}", "The post-quantum half of an "
                    "X25519MLKEM768 handshake (server side: parse the "
                    "client's key and encapsulate) against its X25519 "
                    "half: ", "crypto", 4, then="{a} {times}")]


def _handshake(rep):
    out = []
    tcp = Q.of("a TCP connect", rep.find("handshake", "tcp/tcp_connect",
                                         "plain"))
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
        m = CASE_RE.match(case)
        full = m.group(2) == "full"
        ctx = "A %s: " % case_text(case)
        qs = [Q.of(pretty(r["backend"]), r) for r in rs]
        if tcp:
            out.append(compare(qs, tcp, "on {a} it takes {times} {b}", ctx,
                               "handshake",
                               1 if full and m.group(1) == "1.3" else 4,
                               then="on {a} {times}"))
        else:
            out.append(Finding(ctx + ", ".join(q.text() for q in qs) + ".",
                               "handshake", 6,
                               all(q.has_interval() for q in qs)))
        if full:
            continue
        fname = "tls%s-full-%s-%s%s/tls_handshake" % (
            m.group(1), m.group(3), m.group(4), m.group(5) or "")
        fulls = [Q.of("full", rep.find("handshake", fname, r["backend"]))
                 for r in rs]
        f = compare([Q.of(pretty(r["backend"]), r) for r in rs], fulls,
                    "on {a} it takes {pct} of the full handshake's time",
                    "A %s: " % case_text(case), "handshake", 2,
                    then="on {a} {pct}")
        if f:
            out.append(f)
    out += _zero_rtt(rep)

    # TLS 1.3 against TLS 1.2, same kind, certificate and group: the
    # whole connection compared, then why they differ, from the traced
    # handshakes (which flight ends the client's handshake phase, what
    # the server sends after it) and the server's own handshake time
    def shape(r):
        """(round trips, the side whose flight ended the client's
        handshake, that flight's names, the server's handshake messages
        after the handshake, tickets inside it), or None untraced."""
        t = r.get("trace") or {}
        msgs = [m for m in t.get("messages") or []
                if m.get("content_type") in (20, 22)]
        during = [m for m in msgs if m.get("during_handshake")]
        if not t.get("supported") or not during:
            return None
        side, last = during[-1]["direction"], []
        for m in reversed(during):
            if m["direction"] != side:
                break
            last.insert(0, m["name"])
        post = [m["name"] for m in msgs if not m.get("during_handshake")
                and m["direction"] == "received"]
        return (t.get("round_trips"), side, last, post,
                [m["name"] for m in during if m["direction"] == "received"]
                .count("NewSessionTicket"))

    def how(ver, sh):
        rt, side, last, post, tix = sh
        nst = post.count("NewSessionTicket")
        if side == "received":
            return ("the TLS %s client waits %s round trip%s and its "
                    "handshake phase ends when the server's %s arrive%s%s, "
                    "so the server's handshake work is inside it and the "
                    "server is done once it has sent them" % (
                        ver, rt, "" if rt == 1 else "s", _join(last),
                        "s" if len(last) == 1 else "",
                        " (its session ticket among them)" if tix else ""))
        return ("the TLS %s client waits %s round trip%s and its handshake "
                "phase ends when it sends its own %s: the server's work on "
                "them%s in first_request, and the server's handshake lasts "
                "until it has read the client's Finished" % (
                    ver, rt, "" if rt == 1 else "s", _join(last),
                    " and the %d NewSessionTicket message%s it sends after "
                    "the handshake fall" % (nst, "" if nst == 1 else "s")
                    if nst else " falls"))

    def us(r, key=None):
        v = L.median(r) if key is None else r.get(key)
        return units.fmt(v, "us") if isinstance(v, (int, float)) else "n/a"

    for case in cases:
        m = CASE_RE.match(case)
        if m.group(1) != "1.3" or m.group(2) not in ("full", "ticket") or \
                m.group(5):
            continue
        old = "tls1.2" + case[len("tls1.3"):]
        pairs = []
        for r in rep.of_suite("handshake"):
            if r["name"] != case + "/tls_handshake" or not L.ok(r):
                continue
            o = rep.find("handshake", old + "/tls_handshake", r["backend"])
            if o and L.ok(o):
                pairs.append((r["backend"], r, o))
        if not pairs:
            continue
        what = "full handshake" if m.group(2) == "full" else \
            "resumed handshake (TLS 1.3 PSK, TLS 1.2 session ticket)"
        what += " with %s (%s)" % (CERTS.get(m.group(3), m.group(3)),
                                   m.group(4))
        f = compare([Q.of(pretty(b), rep.find("handshake", case + "/total",
                                              b)) for b, _, _ in pairs],
                    [Q.of("TLS 1.2", rep.find("handshake", old + "/total",
                                              b)) for b, _, _ in pairs],
                    "on {a} it takes {pct} of {b}'s time",
                    "A whole connection (set-up to close), TLS 1.3 "
                    "against TLS 1.2, %s: " % what, "handshake", 2.5,
                    then="on {a} {pct}")
        if f:
            out.append(f)
        traced = [(b, shape(r), shape(o)) for b, r, o in pairs
                  if shape(r) and shape(o)]
        nums = []
        for b, r, o in pairs:
            fl = [(x.get("crypto_floor") or {}) for x in (r, o)]
            floor = ""
            if (fl[0].get("client_us"), fl[0].get("server_us")) != \
                    (fl[1].get("client_us"), fl[1].get("server_us")) and \
                    all(isinstance(x.get(k), (int, float)) for x in fl
                        for k in ("client_us", "server_us")):
                floor = ", public-key floor (the crypto each side must " \
                    "do) client %s against %s, server %s against %s" % tuple(
                        units.fmt(x[k], "us") if x[k] else "none"
                        for k in ("client_us", "server_us") for x in fl)
            first = [rep.find("handshake", c + "/first_request", b)
                     for c in (case, old)]
            resp = [_to_response(rep, c, b) for c in (case, old)]
            srv = [us(x, "server_handshake_us") for x in (r, o)]
            nums.append(
                "%s: handshake phase %s against %s, first request %s "
                "against %s, to the response %s against %s%s%s" % (
                    pretty(b), us(r), us(o),
                    us(first[0]) if first[0] and L.ok(first[0]) else "n/a",
                    us(first[1]) if first[1] and L.ok(first[1]) else "n/a",
                    units.fmt(resp[0], "us"), units.fmt(resp[1], "us"),
                    ", the server's handshake %s against %s" % tuple(srv)
                    if srv != ["n/a", "n/a"] else "", floor))
        if traced:
            b, new13, old12 = traced[0]
            why = "From %s's traced handshakes: %s; %s." % (
                pretty(b), how("1.2", old12), how("1.3", new13))
            other = [pretty(x) for x, n3, o2 in traced[1:]
                     if (n3[:3], o2[:3]) != (new13[:3], old12[:3])]
            if other:
                why += " (The traces of %s differ in their flights.)" % \
                    _join(other)
        else:
            why = "No traced handshake of this pair (the library has no " \
                "message callback), so only the phases show where the " \
                "time goes."
        server = str(pairs[0][1]["params"].get("server") or "")
        loop = ""
        if server.startswith(("127.", "[::1]", "localhost")) and traced \
                and isinstance(traced[0][1][0], int) and \
                isinstance(traced[0][2][0], int) and \
                traced[0][1][0] < traced[0][2][0]:
            loop = " Over loopback a round trip is cheap (a TCP connect " \
                "takes %s), so the one TLS 1.3 saves buys little." % (
                    units.fmt(tcp.median, "us") if tcp else "n/a")
        out.append(Finding(
            "Why TLS 1.3 and TLS 1.2 differ, %s.%s %s TLS 1.3 against "
            "TLS 1.2 (phase medians; the server's handshake from accept "
            "to completion on its own clock, the mean over the run): %s."
            % (what, loop, why, "; ".join(nums)), "handshake", 4.5))

    cap = sorted((r for r in rep.of_suite("handshake")
                  if r["unit"] == "handshakes/s" and
                  r["name"].endswith("/capacity") and L.ok(r)),
                 key=L.median, reverse=True)
    if cap:
        # capacity runs only: 1 / latency is not a rate the server can
        # sustain
        conns = sorted({r["params"].get("connections") for r in cap
                        if isinstance(r["params"].get("connections"), int)})
        src = "from capacity runs (%s concurrent connections, a new one " \
            "per request)" % ("/".join(str(c) for c in conns) or "?")
        qs = [Q.of("%s (%s)" % (pretty(r["backend"]),
                                r["name"].rsplit("/", 1)[0]), r)
              for r in cap]
        if len(qs) > 1:
            out.append(compare(qs[0], qs[1], "{a} is {more} than {b}",
                               "Most handshakes per second, %s: " % src,
                               "handshake", 3))
        else:
            out.append(Finding("Handshakes per second, %s: %s." % (
                src, qs[0].text()), "handshake", 3, qs[0].has_interval()))
    return out


def _to_response(rep, case, backend):
    """Set-up, connect, handshake and first response: the phase medians
    added (reports before the set-up phase have none); None when one is
    missing."""
    total = 0.0
    for phase in ("setup", "tcp_connect", "tls_handshake", "first_request"):
        r = rep.find("handshake", "%s/%s" % (case, phase), backend)
        if phase == "setup" and r is None:
            continue
        if not r or not L.ok(r):
            return None
        total += L.median(r)
    return total


def _zero_rtt(rep):
    """A whole connection (connect to close) with and without the request
    as 0-RTT early data."""
    out = []
    for case in sorted({r["name"].rsplit("/", 1)[0]
                        for r in rep.of_suite("handshake")
                        if r["name"].endswith("-0rtt/tls_handshake")}):
        base = case[:-len("-0rtt")]
        if not CASE_RE.match(base):
            continue
        withs, withouts = [], []
        for r in rep.of_suite("handshake"):
            if r["name"] != case + "/tls_handshake" or not L.ok(r):
                continue
            be = r["backend"]
            a = r.get("achieved") or {}
            withs.append(Q.of(
                "%s (early data accepted on %s of %s connections)"
                % (pretty(be), a.get("early_data_accepted", "?"),
                   a.get("early_data_sent", "?")),
                rep.find("handshake", case + "/total", be)))
            withouts.append(Q.of("without", rep.find(
                "handshake", base + "/total", be)))
        f = compare(withs, withouts, "on {a} it takes {pct} of the time "
                    "it takes {b}", "A whole connection (connect, "
                    "handshake, first request, close) of a %s with the "
                    "request sent as 0-RTT early data: " % case_text(base),
                    "handshake", 3, then="on {a} {pct}")
        if f:
            out.append(f)
    return out


def _h2_streams(r):
    """HTTP/2 streams per connection of a throughput cell, None for
    HTTP/1.1 (and reports from before the version was recorded)."""
    p = r["params"]
    return (p.get("h2_streams") or 1) if str(p.get("http")) == "2" else None


def _closest(cells, mode, target, h2=None):
    sizes = sorted({r["params"]["bytes"] for r in cells
                    if r["params"].get("mode") == mode and
                    _h2_streams(r) == h2})
    if not sizes:
        return None
    return min(sizes, key=lambda s: (abs(s - target), s))


MODES = (("keepalive", "keep-alive"),
         ("close", "with a new connection per request"))


def _throughput(rep):
    out = []
    cells = [r for r in rep.of_suite("throughput")
             if isinstance(r["params"].get("bytes"), int) and
             ":" not in r["name"] and not r["name"].startswith("memory/")]
    # HTTP/1.1 first, then HTTP/2 (keep-alive) per stream count: each
    # against plain's cell of the same version and streams (h2c)
    h2s = sorted({_h2_streams(r) for r in cells if _h2_streams(r)})
    variants = [(m, w + (" over HTTP/1.1" if h2s else ""), None)
                for m, w in MODES]
    variants += [("keepalive", "over HTTP/2 with %d stream%s per "
                  "connection (h2 against h2c)" % (n, "" if n == 1
                                                   else "s"), n)
                 for n in h2s]
    for mode, what, h2 in variants:
        size = _closest(cells, mode, 1024, h2)
        if size is None:
            continue
        name = "%s/%d" % (mode, size) + ("/h2x%d" % h2 if h2 else "")
        base = rep.find("throughput", name, "plain")
        rs = [r for r in cells if r["name"] == name and L.ok(r) and
              r["backend"] != "plain"]
        if not base or not L.ok(base) or not rs:
            continue
        ctx = "HTTPS %s, %s responses: " % (what, units.size_label(size))
        qb = Q.of("plain HTTP", base)
        # a ratio is stated only for server-bound cells (the driver sets
        # vs_plain then) and only when the intervals separate; older
        # reports without "bound" keep the plain quotient
        held, qs = [], []
        for r in rs:
            v = r.get("vs_plain")
            if "bound" in r and v is None:
                held.append("%s (%s)" % (pretty(r["backend"]), r.get(
                    "vs_plain_note") or "no ratio"))
            else:
                qs.append(Q.of(pretty(r["backend"]), r, ratio=v))
        f = compare(qs, qb, "{a} reaches {pct} of {b}'s requests/s", ctx,
                    "throughput", 3 if h2 else 1 if mode == "keepalive"
                    else 2, then="{a} {pct}")
        if f:
            out.append(f)
        if held:
            out.append(Finding("HTTPS/HTTP %s, %s: no ratio stated for %s."
                               % (what, units.size_label(size),
                                  _join(held)), "throughput"))
        f = compare([Q.of(pretty(r["backend"]),
                          r.get("server_cpu_us_per_request"), "us")
                     for r in rs],
                    Q.of("plain HTTP", base.get("server_cpu_us_per_request"),
                         "us"),
                    "on {a} it takes {times} the CPU time of {b}",
                    "Server CPU per request (%s, %s, closed loop): " % (
                        what, units.size_label(size)), "throughput", 5,
                    then="on {a} {times}")
        if f:
            out.append(f)
    out += _goodput(rep)
    out += _wire(rep)
    out += _cost(rep)
    out += _curl(rep)
    names = []
    for r in rep.of_suite("throughput"):
        if r["name"].startswith("memory/") and r["name"] not in names:
            names.append(r["name"])
    for name in names:
        rs = [r for r in rep.of_suite("throughput")
              if r["name"] == name and L.ok(r)]
        if rs:
            out.append(Finding(
                "Server memory per idle connection (%s; values side by "
                "side, not compared): %s." % (name, _join([
                    "%s %s" % (pretty(r["backend"]), units.fmt(
                        L.median(r), r["unit"]).replace("/connection", ""))
                    for r in rs])), "throughput", 7))
    return out


def _more_bytes(share):
    """'2.1% more', '140% more', '3.0% fewer' for a ratio of bytes."""
    d = 100 * (share - 1)
    return "%s%% %s" % (("%.1f" if abs(d) < 10 else "%.0f") % abs(d),
                        "more" if d >= 0 else "fewer")


def _pct(share):
    """A small share as a percentage: '0.13%', '2.1%', '15%'."""
    p = 100 * share
    return ("%.2g%%" if p < 10 else "%.0f%%") % p


def _wire(rep):
    """Bytes on the wire per request, HTTPS against plain HTTP, one
    sentence per mode (HTTP/1.1 cells of our load generator; of a rate
    sweep the fastest point): at the size closest to 1 KiB and at the
    largest body, each library's share over plain's same cell, from the
    cells' wire_vs_plain (measured counts, TCP/IP headers not
    included); a difference within what the window's ends can move the
    counts (wire_vs_plain.resolution) is said to be unresolved. Older
    reports without the fields get none."""
    out = []
    cells = L.fastest_point([
        r for r in rep.of_suite("throughput")
        if isinstance(r["params"].get("bytes"), int) and ":" not in
        r["name"] and not r["name"].startswith("memory/") and L.ok(r) and
        _h2_streams(r) is None and isinstance(r.get("wire_vs_plain"), dict)
        and isinstance(r["wire_vs_plain"].get("total"), (int, float))])
    modes = []
    for r in cells:
        if r["params"].get("mode") not in modes:
            modes.append(r["params"].get("mode"))
    for mode in modes:
        mine = [r for r in cells if r["params"].get("mode") == mode]
        sizes = sorted({r["params"]["bytes"] for r in mine})
        small = min(sizes, key=lambda s: (abs(s - 1024), s))
        parts = []
        for size in sorted({small, sizes[-1]}):
            more, unresolved = [], []
            for r in mine:
                if r["params"]["bytes"] != size:
                    continue
                v = r["wire_vs_plain"]
                base = rep.find("throughput", v.get("baseline"), "plain")
                mb = L.median((base or {}).get("wire_bytes_per_request"))
                m = L.median(r.get("wire_bytes_per_request"))
                res = v.get("resolution")
                res = res if isinstance(res, (int, float)) else 0
                shown = "%s against %s" % (units.fmt(m, "bytes"),
                                           units.fmt(mb, "bytes")) \
                    if m and mb else ""
                if abs(v["total"] - 1) <= res:
                    # the window's ends can move the counts this far
                    unresolved.append("%s (%s%swithin %s)" % (
                        pretty(r["backend"]), shown, ", " if shown else "",
                        _pct(res)))
                else:
                    more.append("%s%s on %s%s" % (
                        _more_bytes(v["total"]), "" if more else
                        " bytes than plain HTTP", pretty(r["backend"]),
                        " (%s)" % shown if shown else ""))
            said = []
            if more:
                said.append("HTTPS sends " + _join(more))
            if unresolved:
                said.append("no difference the counts resolve on " +
                            _join(unresolved))
            if said:
                parts.append("with %s responses %s" % (
                    units.size_label(size), ", and ".join(said)))
        if parts:
            out.append(Finding(
                "Bytes on the wire per request, %s (what the client read "
                "and wrote on its sockets in the measured window: TLS "
                "records, and the handshakes of connections made in it; "
                "TCP/IP headers not included; against plain HTTP's same "
                "cell): %s." % (
                    dict(MODES).get(mode, mode), "; ".join(parts)),
                "throughput", 6))
    return out


def _goodput_q(label, r):
    """A cell's goodput (its bytes_per_s median and interval, in bit/s)
    as a Q; None without one."""
    s = r.get("bytes_per_s")
    if not isinstance(s, dict) or L.median(s) is None:
        return None
    lo, hi = L.ci(s)
    return Q(label, 8 * L.median(s), 8 * lo if lo is not None else None,
             8 * hi if hi is not None else None, L.ci_level(s), "bit/s")


def _goodput(rep):
    """Over a link with a rate (throughput --rate-sweep, or one --rate
    run): each library's goodput as a share of plain HTTP's at each rate,
    per mode, at the largest body size, with what bound each cell."""
    out = []
    cells = [r for r in rep.of_suite("throughput")
             if isinstance(r["params"].get("bytes"), int) and
             ":" not in r["name"] and not r["name"].startswith("memory/")
             and L.ok(r) and isinstance(r.get("goodput_mbit"), (int, float))
             and L.link_rate(rep, r)]
    rates = sorted({L.link_rate(rep, r) for r in cells})
    modes = []
    for r in cells:
        if r["params"].get("mode") not in modes:
            modes.append(r["params"].get("mode"))
    for mode in modes:
        for rate in rates:
            at = [r for r in cells if r["params"].get("mode") == mode and
                  L.link_rate(rep, r) == rate and _h2_streams(r) is None]
            base = [r for r in at if r["backend"] == "plain"]
            if not base:
                continue
            size = max(r["params"]["bytes"] for r in base)
            base = [r for r in base if r["params"]["bytes"] == size][0]
            rs = [r for r in at if r["params"]["bytes"] == size and
                  r["backend"] != "plain"]
            if not rs:
                continue
            bound = ", ".join("%s %s" % (pretty(r["backend"]) if r is not
                                         base else "plain HTTP",
                                         r.get("bound") or "not recorded")
                              for r in [base] + rs)
            ctx = "Goodput over a %g Mbit/s link (%s, %s responses; what " \
                "bound each cell: %s): " % (
                    rate, dict(MODES).get(mode, mode),
                    units.size_label(size), bound)
            over = ["%s %.0f%%" % (pretty(r["backend"]) if r is not base
                                   else "plain HTTP",
                                   100 * r["goodput_mbit"] / rate)
                    for r in [base] + rs if r["goodput_mbit"] > rate]
            if over:
                # more body bytes than the link carries: too few whole
                # responses in the window, not a goodput to compare
                out.append(Finding(_cap(ctx + "not compared: %s of the "
                                        "link's rate, more than it can "
                                        "carry; the measured window held "
                                        "too few whole responses (a "
                                        "longer -d resolves it)." %
                                        _join(over)), "throughput", 8))
                continue
            f = compare([_goodput_q(pretty(r["backend"]), r) for r in rs],
                        _goodput_q("plain HTTP", base),
                        "{a} reaches {pct} of {b}'s goodput", ctx,
                        "throughput", 4, then="{a} {pct}",
                        impossible=("higher", "HTTPS cannot beat: it "
                                    "sends more bytes per response over "
                                    "the same link"))
            if f:
                out.append(f)
    return out


def _cost(rep):
    """Cost cells: server CPU per request at one offered rate every
    server sustains (open loop), each library against plain HTTP (or,
    without it, the cheapest)."""
    out, names = [], []
    for r in rep.of_suite("throughput"):
        if r["name"].startswith("cost:") and r["name"] not in names:
            names.append(r["name"])
    for name in names:
        rs = sorted((r for r in rep.of_suite("throughput")
                     if r["name"] == name and L.ok(r)), key=L.median)
        if not rs:
            continue
        rate = rs[0]["params"].get("rate")
        mode, _, size = name[len("cost:"):].partition("/")
        ctx = "Server CPU per request at one offered load (%s, %s, %s, " \
            "open loop): " % (mode, units.size_label(size) if size.isdigit()
                              else size, units.fmt(rate, "requests/s"))
        ref = next((r for r in rs if r["backend"] == "plain"), rs[0])
        qr = Q.of("plain HTTP" if ref["backend"] == "plain" else
                  pretty(ref["backend"]), ref)
        others = [r for r in rs if r is not ref]
        if not others:
            out.append(Finding(ctx + qr.text() + ".", "throughput", 6,
                               qr.has_interval()))
        paired = [(r, r.get("server_ns_vs_plain")) for r in others]
        if others and ref["backend"] == "plain" and all(
                isinstance(v, dict) and L.median(v) for _, v in paired):
            out.append(_cost_paired(ctx, qr, paired))
        elif others:
            out.append(compare([Q.of(pretty(L.backend_label(r)), r)
                                for r in others], qr,
                               "{a} takes {times} the server CPU time of "
                               "{b}", ctx, "throughput", 1.5,
                               then="{a} {times}"))
    return out


def _cost_paired(ctx, qr, paired):
    """Cost cells that ran round-robin with plain: each library's server
    CPU per request over plain's, the median of the repetitions' paired
    ratios with its interval; a finding where that interval excludes 1."""
    clauses, levels, sep = [], set(), 0
    for r, v in sorted(paired, key=lambda p: L.median(p[1])):
        k, (lo, hi), lv = L.median(v), L.ci(v), L.ci_level(v)
        label = pretty(L.backend_label(r))
        has = all(isinstance(x, (int, float)) for x in (lo, hi)) and \
            lv is not None and lv > 0
        levels.add(L.fmt_level(lv))
        val = "%s [%s, %s]" % (_times(k), _times(lo), _times(hi)) if has \
            else "%s (no interval)" % _times(k)
        if has and (lo > 1 or hi < 1):
            clauses.append("%s %s times" % (label, val))
            sep += 1
        else:
            clauses.append("%s no significant difference from plain HTTP "
                           "(%s: the interval reaches 1)" % (label, val))
    return Finding(_cap(ctx + "%s; server CPU per request over plain "
                        "HTTP's, paired by repetition (the servers took "
                        "turns in each): " % qr.text() + "; ".join(clauses))
                   + "%s." % ("; %s CIs" % levels.pop()
                              if len(levels) == 1 else ""),
                   "throughput", 1 if sep else 1.5, sep > 0)


def _curl(rep):
    """libcurl as the client against our load generator, per server."""
    out = []
    for r in rep.of_suite("throughput"):
        if not r["name"].startswith("curl:") or not L.ok(r):
            continue
        server = r["params"].get("server_backend") or "?"
        ours = rep.find("throughput", r["name"][len("curl:"):], server)
        qo = Q.of("our load generator", ours)
        if not qo:
            continue
        mode, _, size = r["name"][len("curl:"):].partition("/")
        noisy = [c for c in (r, ours) if c.get("bound") == "noise"]
        if noisy:
            out.append(Finding(
                "Against the %s server (%s, %s): libcurl against our load "
                "generator not compared (%s noise-bound: other processes "
                "took the CPUs)." % (pretty(server), mode,
                                     units.size_label(size)
                                     if size.isdigit() else size,
                                     " and ".join(
                                         "libcurl's cell" if c is r else
                                         "our cell" for c in noisy)),
                "throughput", 8))
            continue
        out.append(compare(
            Q.of("libcurl", r, ratio=r.get("vs_ours")), qo,
            "{a} reaches {pct} of {b}'s requests/s",
            "Against the %s server (%s, %s): " % (
                pretty(server), mode, units.size_label(size)
                if size.isdigit() else size), "throughput", 8))
    return out


def _load(rep):
    out = []
    for r in rep.of_suite("load"):
        if not L.ok(r):
            continue
        lat = r.get("latency") or {}
        p99 = lat.get("p99")
        p = r["params"]
        q = Q.of("", r)
        loop = "open loop at %s" % units.fmt(p.get("target_rate"),
                                             "requests/s") \
            if p.get("model") == "open" else "closed loop"
        out.append(Finding(
            "Load generator (%s, %s) against %s: %s, p99 latency %s." % (
                pretty(r["backend"]), loop, p.get("url", "?"),
                q.text().strip(), units.fmt(p99, "us") if isinstance(
                    p99, (int, float)) else "n/a"), "load", 5,
            q.has_interval()))
    return out


def _cv_text(rep, suite):
    cvs = []
    for r in rep.of_suite(suite):
        st = r.get("stats") if L.ok(r) else None
        cv = st.get("cv") if isinstance(st, dict) else None
        if isinstance(cv, (int, float)) and math.isfinite(cv) and \
                (st.get("n") or 0) > 1:
            cvs.append((cv, "%s %s" % (r["name"], L.backend_label(r))))
    if not cvs:
        return None
    cvs.sort()
    med = cvs[(len(cvs) - 1) // 2][0]
    over = len([c for c, _ in cvs if c > 0.05])
    return "%s median %.1f%%, largest %.1f%% (%s)%s" % (
        suite, 100 * med, 100 * cvs[-1][0], cvs[-1][1],
        ", %d of %d above 5%%" % (over, len(cvs)) if over else "")


def how_to_read(rep):
    """What bound each figure and how noisy the machine was: short lines
    for the top of the page."""
    out = []
    if rep.doc["run"].get("interrupted"):
        out.append("This run was interrupted: some measurements are "
                   "missing.")
    bad = [r for r in rep.results if r["status"] != "ok"]
    if bad:
        kinds = {}
        for r in bad:
            kinds[r["status"]] = kinds.get(r["status"], 0) + 1
        out.append("%d of %d results are not ok (%s); the tables give each "
                   "reason." % (len(bad), len(rep.results), ", ".join(
                       "%d %s" % (n, k) for k, n in sorted(kinds.items()))))
    single = [r for r in rep.results if L.ok(r) and
              (r["stats"].get("n") or 0) < 2]
    lv = L.levels_text([r for r in rep.results if r not in single])
    out.append("Numbers are medians of the repetitions with [low, high], "
               "the distribution-free confidence interval of the median "
               "at the coverage it achieves with that many samples (%s "
               "in this report%s). A comparison (faster, slower, X%% of, "
               "N times) is stated only when the two intervals do not "
               "overlap; otherwise the summary says there is no "
               "significant difference (within noise)." % (
                   lv or "no level", "; %d single measurement%s without "
                   "an interval" % (len(single), "" if len(single) == 1
                                    else "s") if single else ""))
    suites = rep.suites()
    if "crypto" in suites:
        out.append("Crypto figures: each library's CPU speed on one thread "
                   "(no network, no second process): bound by the CPU "
                   "alone.")
        out += _crypto_method(rep)
    if "handshake" in suites:
        cap = any(r["unit"] == "handshakes/s" for r in
                  rep.of_suite("handshake"))
        out.append("Handshake figures: new connections over loopback one "
                   "at a time, each phase timed by the client%s." % (
                       "; handshakes/s from capacity runs (concurrent "
                       "connections, bound by the server's or client's "
                       "CPU)" if cap else ""))
    cells = L.fastest_point([r for r in rep.of_suite("throughput")
                             if isinstance(r["params"].get("bytes"), int)
                             and not r["name"].startswith(("memory/",
                                                           "cost:"))])
    if cells:
        bounds = {}
        for r in cells:
            if "bound" in r:
                bounds[r["bound"]] = bounds.get(r["bound"], 0) + 1
        rates = [L.sweep_rate(r) for r in cells if L.sweep_rate(r)]
        if bounds:
            order = ("server", "client", "neither", "noise", "unknown")
            out.append(
                "HTTP versus HTTPS and CPU per request: closed loop (each "
                "connection waits for its response)%s. What bound each of "
                "the %d cells: %s. A ratio to plain HTTP is stated, and "
                "drawn in the %%-of-HTTP panel, only for server-bound "
                "cells (the server's CPU was the limit); the tables give "
                "each cell's bound." % (
                    "; of the rate sweep, the %g Mbit/s link's cells"
                    % max(rates) if rates else "", len(cells), ", ".join(
                    "%d %s" % (bounds[b], b) for b in
                    sorted(bounds, key=lambda b: (
                        order.index(b) if b in order else 9, b)))))
        else:
            out.append("HTTP versus HTTPS and CPU per request: closed "
                       "loop; this report does not say what bound each "
                       "cell (an older version), so ratios are shown as "
                       "measured, whatever limited them.")
    out += _goodput_how(rep)
    panels = OL.panels(rep)
    if panels:
        out.append("Latency spectrum: open loop only (latency from each "
                   "request's scheduled send time): %s." % "; ".join(
                       OL.title(p) for p in panels))
    elif rep.of_suite("throughput") or rep.of_suite("load"):
        out.append("Latency spectrum: not drawn, this report has no "
                   "open-loop latency (throughput's cost cells or load "
                   "-R); closed-loop latency hides stalls (coordinated "
                   "omission).")
    mem = [r for r in rep.of_suite("throughput")
           if r["name"].startswith("memory/") and L.ok(r)]
    if mem:
        p = mem[0]["params"]
        how = "the slope of the server's resident memory between %s and " \
            "%s idle connections" % (p["connections_low"],
                                     p["connections_high"]) \
            if "connections_low" in p else \
            "resident memory holding the idle connections minus before"
        out.append("Memory per connection: %s." % how)
    cv = [t for t in (_cv_text(rep, s) for s in suites) if t]
    if cv:
        out.append("Noise, the spread of each result's repetitions "
                   "(coefficient of variation): %s." % "; ".join(cv))
    out += _cpu_basis(rep)
    out += _steal(rep)
    noisy = [r["name"] for r in rep.of_suite("throughput")
             if r["backend"] == "plain" and r.get("noisy") is True]
    if noisy:
        out.append("Plain HTTP baselines still noisy after repeating: %s."
                   % _join(noisy))
    la = rep.env.get("load_average")
    if la:
        out.append("Load average when the run started: %s (%s logical "
                   "CPUs)." % (", ".join("%.2f" % v for v in la),
                               rep.env.get("logical_cpus", "?")))
    return out


def _goodput_how(rep):
    """How to read the goodput figure: the rates, and what bound its
    cells (the cells' own classification, from CPU use)."""
    cells = [r for r in rep.of_suite("throughput")
             if isinstance(r.get("goodput_mbit"), (int, float)) and
             ":" not in r["name"] and L.link_rate(rep, r)]
    if not cells:
        return []
    rates = sorted({L.link_rate(rep, r) for r in cells})
    bounds = {}
    for r in cells:
        b = r.get("bound") or "not recorded"
        bounds[b] = bounds.get(b, 0) + 1
    return ["Goodput: response body bytes received per second over the "
            "emulated link at %s Mbit/s (configured, server to client), "
            "closed loop. What bound each of the %d cells: %s (marked per "
            "point in the figure). A cell that saturated neither CPU was "
            "set by the link or its round trips; over a link the emulator "
            "(httpsbench-link) and the kernel's packet path run beside "
            "server and client and count as other processes (noise). "
            "HTTPS goodput is stated as a share of plain HTTP's only "
            "where the two intervals separate." % (
                ", ".join("%g" % v for v in rates), len(cells),
                ", ".join("%d %s" % (n, b) for b, n in sorted(
                    bounds.items(), key=lambda x: -x[1])))]


def _crypto_method(rep):
    """How the crypto repetitions were taken: in slices spread over the
    run, the libraries' engines in turn or one after the other."""
    ks = {r["params"].get("slices") for r in rep.of_suite("crypto")
          if L.ok(r) and isinstance(r["params"].get("slices"), int)}
    if not ks or max(ks) < 2:
        return []
    secs = {r["params"].get("seconds") for r in rep.of_suite("crypto")
            if L.ok(r)}
    k = max(ks)
    sl = ("of %s " % units.fmt(max(secs) / k, "s")
          if all(isinstance(x, (int, float)) for x in secs) else "")
    how = {"interleaved": "the libraries' engines side by side, taking "
           "their passes over the cases in turn, so a slow spell of the "
           "machine falls on every library alike",
           "sequential": "one library after the other"}.get(
               rep.doc.get("run", {}).get("engines"))
    return ["Crypto repetitions: each in %d slices %sspread over the run "
            "(pass q measures one slice of every case), so every "
            "repetition averages over the whole run%s." % (
                k, sl, "; " + how if how else "")]


def _cpu_basis(rep):
    """Crypto repetitions whose thread was held off its CPU (the rate
    then taken over its CPU time, rate_basis "cpu")."""
    basis = [b for r in rep.of_suite("crypto") if L.ok(r)
             for b in r.get("rate_basis") or []]
    cpu = basis.count("cpu")
    if not cpu:
        return []
    return ["Crypto repetitions held off their CPU (the thread got less "
            "than 97%% of the wall-clock time: preempted, or the time "
            "stolen): %d of %d, their rates taken over the thread's CPU "
            "time instead; many of them mean a busy machine." % (
                cpu, len(basis))]


def _runs(rep):
    """[(suite or None, run object)]: a merged report's parts (those kept
    as objects), else the run itself."""
    run = rep.doc["run"]
    parts = [p for p in run.get("parts") or [] if isinstance(p, dict)]
    out = []
    for p in parts or [run]:
        cl = p.get("command_line") or []
        out.append((cl[0] if cl and isinstance(cl[0], str) and
                    cl[0].isalpha() else None, p))
    return out


def _mhz(v):
    v = [x for x in v or [] if isinstance(x, (int, float))]
    if not v:
        return None
    lo, hi = min(v), max(v)
    return "%.0f MHz" % lo if round(lo) == round(hi) else \
        "%.0f to %.0f MHz" % (lo, hi)


def _steal(rep):
    """Steal time where the report has it: the run's (or each part's)
    run.steal, and the throughput cells' steal_s; the CPUs' clock rates
    at the start and the end."""
    out, parts = [], []
    for suite, run in _runs(rep):
        if "steal" not in run:
            continue
        st = run["steal"]
        who = suite or "the run"
        if isinstance(st, dict) and isinstance(st.get("seconds"),
                                               (int, float)):
            share = st.get("share")
            parts.append("%s %s%s" % (who, units.fmt(st["seconds"], "s"),
                                      " (%.2f%% of all CPU time)" % (
                                          100 * share) if isinstance(
                                          share, (int, float)) else ""))
        else:
            parts.append("%s not readable" % who)
    cells = [(r.get("steal_s"), "%s %s" % (r["name"], L.backend_label(r)))
             for r in rep.of_suite("throughput")
             if isinstance(r.get("steal_s"), (int, float))]
    if cells:
        worst = max(cells)
        parts.append("at most %s in one throughput cell (%s)" % (
            units.fmt(worst[0], "s"), worst[1]))
    if parts:
        out.append("Steal time (CPU time the hypervisor gave to others): "
                   "%s." % "; ".join(parts))
    elif rep.of_suite("throughput") or rep.of_suite("crypto") or \
            rep.of_suite("handshake"):
        out.append("Steal time: not recorded in this report.")
    clocks = []
    for suite, run in _runs(rep):
        a, b = _mhz(run.get("cpu_mhz_start")), _mhz(run.get("cpu_mhz_end"))
        if a or b:
            clocks.append("%s%s at the start, %s at the end" % (
                suite + " " if suite else "", a or "n/a", b or "n/a"))
    if clocks:
        out.append("CPU clock rates: %s." % "; ".join(clocks))
    return out


class Summary:
    """top: at most TOP findings citing intervals; how: how to read the
    page; groups: [(suite, [Finding])] of the rest, in suite order."""

    def __init__(self, top, how, groups):
        self.top, self.how, self.groups = top, how, groups

    def all(self):
        return list(self.top) + [f for _, fs in self.groups for f in fs]


# crypto figures a version comparison covers: the handshake's public-key
# operations and key encapsulation (the largest AES-GCM seal is added)
VERSION_OPS = ("x25519/exchange", "ecdh-p256/exchange", "ecdsa-p256/sign",
               "ecdsa-p256/verify", "ed25519/sign", "rsa-2048/sign",
               "rsa-2048/verify", "rsa-2048/decrypt", "ml-kem-768/keygen",
               "ml-kem-768/encaps", "ml-kem-768/decaps",
               "ml-kem-768/exchange", "ml-dsa-65/sign", "ml-dsa-65/verify")


def version_pairs(rep):
    """(older, newer) backends of one library at two versions: a Debian
    library and a set scripts/libs built ('openssl' and 'openssl-3.5',
    'boringssl' and 'boringssl-14'), both in the report."""
    names = []
    for b in (rep.doc.get("backends") or []):
        if isinstance(b, dict) and b.get("name") not in names:
            names.append(b.get("name"))
    for r in rep.doc.get("results") or []:
        if r.get("backend") not in names:
            names.append(r.get("backend"))
    return [(n.partition("-")[0], n) for n in names
            if isinstance(n, str) and "-" in n and
            n.partition("-")[0] in PRETTY and n.partition("-")[0] in names]


def _version_label(rep, backend):
    """'OpenSSL 3.5.7' from the report's version string, else pretty()."""
    for b in rep.doc.get("backends") or []:
        if isinstance(b, dict) and b.get("name") == backend and \
                b.get("version"):
            v = [w for w in str(b["version"]).split()
                 if re.match(r"^v?\d+\.\d+", w)]
            if v:
                return "%s %s" % (pretty(backend).split(" ")[0], v[0])
    return pretty(backend)


def _versions(rep):
    """Version against version of one library (issue #14): its handshake
    and crypto figures side by side, each difference stated only when the
    two intervals separate (verdict()); the rest counted as within noise
    or without an interval, never stated as a difference."""
    out = []
    for old, new in version_pairs(rep):
        lo, ln = _version_label(rep, old), _version_label(rep, new)
        for suite in ("handshake", "crypto"):
            names = []
            for r in rep.of_suite(suite):
                n = r["name"]
                if n in names or r["backend"] != new or not L.ok(r):
                    continue
                if suite == "handshake" and not (
                        n.endswith("/tls_handshake") or
                        n.endswith("/capacity")):
                    continue
                if suite == "crypto" and n not in VERSION_OPS and not (
                        n.startswith("aes-128-gcm/seal/") and
                        r["params"].get("bytes") == _seal_size(rep)):
                    continue
                names.append(n)
            said, noise, none = [], 0, 0
            for n in names:
                qn = Q.of(ln, rep.find(suite, n, new))
                qo = Q.of(lo, rep.find(suite, n, old))
                if not (qn and qo):
                    continue
                v = verdict(qn, qo)
                if v != SEPARATE:
                    noise += v == NOISE
                    none += v == NO_INTERVAL
                    continue
                case, _, what = n.rpartition("/")
                label = ("%s (%s)" % (case_text(case), "handshakes/s"
                                      if what == "capacity" else
                                      "handshake phase")
                         if suite == "handshake" else
                         OP_NAMES.get(n, n))
                said.append("%s: %s is %s, %s %s of %s of %s (%s; %s)" % (
                    label, ln, _more(qn, qo), "taking" if
                    units.is_time(qn.unit) else "at",
                    "%.0f%%" % (100 * qn.median / qo.median),
                    "the time" if units.is_time(qn.unit) else "the rate",
                    lo, qn.value(), qo.text()))
            if not said and not noise and not none:
                continue
            rest = []
            if noise:
                rest.append("%d %s within noise (intervals overlap)" % (
                    noise, "more" if said else "figures"))
            if none:
                rest.append("%d without an interval to compare" % none)
            text = "%s against %s (one library, two versions), %s: %s" % (
                ln, lo, "handshakes" if suite == "handshake"
                else "crypto", "; ".join(said) if said
                else "no significant difference")
            out.append(Finding(text + ("; " + ", ".join(rest) if rest
                                       else "") + ".", suite,
                               5 if said else 9.4, bool(said)))
    return out


TOP = 6
SUITE_ORDER = ("crypto", "handshake", "throughput", "load", "probe")


def _pick_top(found):
    """At most TOP findings with intervals, the best ranked of each suite
    first, then by rank."""
    cands = sorted((f for f in found if f.interval),
                   key=lambda f: (f.rank, found.index(f)))
    top = []
    for most in (1, 2, TOP):  # the best of each suite, two each, any
        for f in cands:
            if len(top) < TOP and f not in top and \
                    len([t for t in top if t.suite == f.suite]) < most:
                top.append(f)
    return sorted(top, key=lambda f: (f.rank, found.index(f)))


def findings(rep):
    """The page's summary of one report: a Summary."""
    found = _crypto_compare(rep) + _pq_compare(rep) + _crypto(rep)
    found += _handshake(rep) + _versions(rep) + _throughput(rep) + \
        _load(rep)
    top = _pick_top(found)
    groups = []
    for s in list(SUITE_ORDER) + [s for s in rep.suites()
                                  if s not in SUITE_ORDER]:
        fs = [f for f in found if f.suite == s and f not in top]
        if fs:
            groups.append((s, fs))
    return Summary(top, how_to_read(rep), groups)
