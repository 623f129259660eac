"""Open-loop latency: which results have it, at what offered rate, and
what fraction of each server's capacity that rate is.

Only open-loop latency is drawn as a spectrum: a closed-loop client
waits for each response before sending the next request, so a stall
delays the requests that should have been sent meanwhile and they are
never timed (coordinated omission). Open-loop results are throughput's
cost cells ("cost:MODE/SIZE", sent at params.rate) and load results run
with -R (params.model "open", params.target_rate)."""
from . import load as L
from . import units


def median_run(r):
    """The latency histogram of the run whose sample is the median (the
    histograms of runs cannot be merged from percentiles)."""
    lat = r.get("latency")
    if isinstance(lat, dict):
        return lat
    if not isinstance(lat, list) or not lat:
        return None
    s = r.get("samples") or []
    order = sorted((v, i) for i, v in enumerate(s[:len(lat)])
                   if isinstance(v, (int, float)))
    if order:
        pick = order[(len(order) - 1) // 2][1]
        if isinstance(lat[pick], dict):
            return lat[pick]
    return next((h for h in lat if isinstance(h, dict)), None)


def capacity(rep, r):
    """The closed-loop cell of a cost cell's mode and size on the same
    server with our client (its measured requests/s), or None."""
    cell = rep.find("throughput", r["name"][len("cost:"):], r["backend"])
    return cell if cell and L.ok(cell) else None


def panels(rep):
    """[{title, rate, lines: [(backend, histogram, fraction or None,
    capacity result or None)], basis}] of every open-loop result with a
    histogram, cost cells first (in report order)."""
    out, by_name = [], {}
    for r in rep.of_suite("throughput"):
        if not r["name"].startswith("cost:") or not L.ok(r):
            continue
        h = median_run(r)
        if not h or not h.get("count"):
            continue
        rate = r["params"].get("rate")
        cap = capacity(rep, r)
        frac = rate / L.median(cap) if cap and isinstance(
            rate, (int, float)) and L.median(cap) else None
        p = by_name.get(r["name"])
        if p is None:
            mode, _, size = r["name"][len("cost:"):].partition("/")
            p = by_name[r["name"]] = {
                "name": r["name"], "rate": rate,
                "what": "%s, %s" % (mode, units.size_label(size)
                                     if size.isdigit() else size),
                "basis": r["params"].get("rate_basis"), "lines": []}
            out.append(p)
        p["lines"].append((L.backend_label(r), h, frac, cap))
    for r in rep.of_suite("load"):
        p = r["params"]
        h = r.get("latency")
        if p.get("model") != "open" or not isinstance(h, dict) or \
                not h.get("count"):
            continue
        out.append({"name": r["name"], "rate": p.get("target_rate"),
                    "what": "load %s" % p.get("url", ""), "basis": None,
                    "lines": [(r["backend"], h, None, None)]})
    return out


def title(p):
    """'keepalive, 1 KiB: open loop at 4.97 k requests/s (50% of
    openssl's capacity, 17% of plain's)'."""
    rate = p["rate"]
    t = "%s: open loop at %s" % (p["what"], units.fmt(rate, "requests/s")
                                 if isinstance(rate, (int, float))
                                 else "an unstated rate")
    fr = ["%.0f%% of %s's" % (100 * f, b) for b, _, f, _ in p["lines"]
          if f is not None]
    if fr:
        fr[0] += " capacity"
        t += " (%s)" % ", ".join(fr)
    return t
