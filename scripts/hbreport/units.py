"""What a unit means for a reader: which way is better, how to print it."""
import math

TIME_UNITS = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}
SIZE_UNITS = ("bytes", "B", "KiB", "MiB", "bytes/connection")


def lower_is_better(unit):
    """Latency-like (time) and memory units: smaller is better. Rates
    (anything per second) and everything else: bigger is better."""
    u = (unit or "").strip()
    if u.endswith("/s"):
        return False
    if u in TIME_UNITS or u.split("/")[0] in TIME_UNITS:
        return True
    return u in SIZE_UNITS or u.split("/")[0] in SIZE_UNITS


def is_time(unit):
    return (unit or "").split("/")[0] in TIME_UNITS


def _si_parts(v, digits):
    a = abs(v)
    for div, p in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if a >= div:
            return "%.*g" % (digits, v / div), p
    return "%.*g" % (digits, v), ""


def _finite(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and \
        math.isfinite(v)


def si(v, digits=3):
    """1234567 -> '1.23 M'; None/NaN -> 'n/a'."""
    if not _finite(v):
        return "n/a"
    num, p = _si_parts(v, digits)
    return "%s %s" % (num, p) if p else num


def fmt(v, unit, digits=3):
    """A value with its unit: '1.23 GB/s', '45.6 k ops/s', '12.3 us'."""
    if not _finite(v):
        return "n/a"
    if is_time(unit):
        sec = v * TIME_UNITS[unit.split("/")[0]]
        for name in ("s", "ms", "us", "ns"):
            if abs(sec) >= TIME_UNITS[name] or name == "ns":
                return "%.*g %s%s" % (digits, sec / TIME_UNITS[name], name,
                                      unit[len(unit.split("/")[0]):])
    if unit in SIZE_UNITS and unit.startswith("bytes"):
        # memory: binary prefixes
        for div, p in ((1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")):
            if abs(v) >= div:
                return "%.*g %s%s" % (digits, v / div, p, unit[5:])
        return "%.*g B%s" % (digits, v, unit[5:])
    num, p = _si_parts(v, digits)
    if unit.startswith("bytes"):
        return "%s %sB%s" % (num, p, unit[5:])
    return "%s %s %s" % (num, p, unit) if p else "%s %s" % (num, unit)


def size_label(n):
    """0 -> '0 bytes', 1350 -> '1350 bytes', 16384 -> '16 KiB'."""
    n = int(n)
    for div, unit in ((1 << 20, "MiB"), (1 << 10, "KiB")):
        if n >= div and n % div == 0:
            return "%d %s" % (n // div, unit)
    return "%d bytes" % n
