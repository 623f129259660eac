"""What a unit means for a reader: which way is better, how to print it.

Printed units are plain: bytes with binary prefixes (B, KiB, MiB, GiB:
"28.3 MiB/s", "3.8 KiB/connection"), counts with k and M ("12.3 k
requests/s"), times in s, ms, us or ns. An interval is printed in its
median's prefix: "9.95 [9.76, 10.2] k requests/s"."""
import math

TIME_UNITS = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}
SIZE_UNITS = ("bytes", "B", "KiB", "MiB", "bytes/connection")
# a cost over plain HTTP's in the same repetition (throughput cost cells'
# server_ns_vs_plain): a cost, so smaller is better
VS_PLAIN = "x plain"
BYTE_BASES = {"bytes": 1, "B": 1, "KiB": 1 << 10, "MiB": 1 << 20,
              "GiB": 1 << 30}
BINARY = ((1 << 40, "Ti"), (1 << 30, "Gi"), (1 << 20, "Mi"), (1 << 10, "Ki"))
DECIMAL = ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k"))


def lower_is_better(unit):
    """Latency-like (time) and memory units: smaller is better. Rates
    (anything per second) and everything else: bigger is better."""
    u = (unit or "").strip()
    if u.endswith("/s"):
        return False
    if is_time(u) or u == VS_PLAIN:
        return True
    return u in SIZE_UNITS or u.split("/")[0] in SIZE_UNITS


def _time_parts(unit):
    """'us' -> ('', 'us', ''); 'server ns/request' -> ('server', 'ns',
    '/request'); None when the unit is not a time."""
    words = (unit or "").strip().split(" ")
    last = words[-1]
    base = last.split("/")[0]
    if base not in TIME_UNITS:
        return None
    return " ".join(words[:-1]), base, last[len(base):]


def is_time(unit):
    return _time_parts(unit) is not None


def is_bytes(unit):
    return (unit or "").split("/")[0].strip() in BYTE_BASES


def _finite(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and \
        math.isfinite(v)


def scale(ref, unit):
    """(factor, printed unit) that print values of unit in ref's prefix:
    (2 ** -20, 'MiB/s') for 3e7 bytes/s, (1e-3, 'k requests/s') for 12345
    requests/s, (1e-3, 'us') for 1500 ns."""
    unit = unit or ""
    a = abs(ref) if _finite(ref) else 0.0
    t = _time_parts(unit)
    if t:
        words, base, rest = t
        sec = a * TIME_UNITS[base]
        for name in ("s", "ms", "us", "ns"):
            if sec >= TIME_UNITS[name] or name == "ns":
                shown = name + rest + (" (%s)" % words if words else "")
                return TIME_UNITS[base] / TIME_UNITS[name], shown
    if is_bytes(unit):
        base = unit.split("/")[0].strip()
        rest = unit[len(unit.split("/")[0]):]
        b = a * BYTE_BASES[base]
        for div, p in BINARY:
            if b >= div:
                return BYTE_BASES[base] / float(div), p + "B" + rest
        return float(BYTE_BASES[base]), "B" + rest
    for div, p in DECIMAL:
        if a >= div:  # 'k requests/s', but 'Mbit/s'
            return 1.0 / div, ("%s%s%s" % (p, "" if unit.startswith("bit")
                                           else " ", unit)).strip()
    return 1.0, unit


def _num(v, digits):
    """digits significant digits, never an exponent: 1060 stays '1060'
    (not '1.06e+03') when a bound passes the median's prefix."""
    if v != 0 and abs(v) >= 10 ** digits:
        return "%.0f" % float("%.*g" % (digits, v))
    return "%.*g" % (digits, v)


def si(v, digits=3):
    """1234567 -> '1.23 M'; None/NaN -> 'n/a' (a count without unit)."""
    return fmt(v, "", digits)


def fmt(v, unit, digits=3):
    """A value with its unit: '1.23 GiB/s', '45.6 k ops/s', '12.3 us'."""
    if not _finite(v):
        return "n/a"
    f, shown = scale(v, unit)
    return ("%s %s" % (_num(v * f, digits), shown)).strip()


def fmt_range(lo, hi, unit, ref=None, digits=3):
    """'[9.76, 10.2] k requests/s': both bounds in ref's prefix (the
    median's; the larger bound's when ref is None); 'n/a' bounds when
    missing."""
    if ref is None or not _finite(ref):
        ref = max([abs(v) for v in (lo, hi) if _finite(v)] or [0.0])
    f, shown = scale(ref, unit)
    return ("[%s, %s] %s" % tuple(
        [_num(v * f, digits) if _finite(v) else "n/a" for v in (lo, hi)] +
        [shown])).strip()


def fmt_ci(med, lo, hi, unit, digits=3):
    """'9.95 [9.76, 10.2] k requests/s': a median and its interval in one
    prefix."""
    if not _finite(med):
        return "n/a"
    f, shown = scale(med, unit)
    b = [_num(v * f, digits) if _finite(v) else "n/a" for v in (lo, hi)]
    return ("%s [%s, %s] %s" % (_num(med * f, digits), b[0], b[1],
                                shown)).strip()


def size_label(n):
    """0 -> '0 bytes', 1350 -> '1350 bytes', 16384 -> '16 KiB'."""
    n = int(n)
    for div, unit in ((1 << 20, "MiB"), (1 << 10, "KiB")):
        if n >= div and n % div == 0:
            return "%d %s" % (n // div, unit)
    return "%d bytes" % n


def size_adj(n):
    """A size before a noun: 16 -> '16-byte', 16384 -> '16 KiB'
    ('16-byte records', '16 KiB records')."""
    t = size_label(n)
    return t[:-len(" bytes")] + "-byte" if t.endswith(" bytes") else t


def fmt_bytes(v, digits=3):
    """An amount of bytes: whole bytes below 1 KiB ('10 bytes'), binary
    prefixes above ('1.35 MiB')."""
    if not _finite(v):
        return "n/a"
    if abs(v) < 1024:
        return "%.0f bytes" % v
    return fmt(v, "bytes", digits)
