#!/usr/bin/env python3
"""The front end's reports keep their shape (issue #18, "no behaviour
change"): fixed short runs of every command that writes a report, each
report reduced to its SHAPE and compared field by field with the shape
committed in tests/data/shape/.

usage: shape_test.py BUILD_DIR SOURCE_DIR WORK_DIR [--record]
  --record writes the shapes instead of comparing (run it only on a tree
  whose reports are known good, with every backend built).

A shape maps each field path to a descriptor. Results are keyed by
suite|name|backend (and backends by name), not by position, so a path
reads results[crypto|sha256/16|openssl].stats.median. What is compared:
- every field path that exists, and the kind of its value: object,
  string, bool, number (integer and real alike, and null with them: a
  ratio with no denominator is null by design, and whether a run had one
  depends on the machine), array of numbers (any length: samples), array
  of objects (the union of its elements' shapes);
- the value of every string and bool: names, statuses, units, suites,
  cases, parameters, negotiated versions, ciphers, groups, trace messages.
What is NOT compared, because it depends on the machine, the build or
the moment rather than on the code's behaviour (the field must still
exist with the same kind):
- every number (rates, times, counts, sizes, ports);
- the values under tool (commit, compiler, flags), run (times, command
  line with temporary paths) and environment (CPU, kernel, load);
- backends[].version and .origin (the installed library's version text
  and package);
- params.server and params.cacert (a port, a temporary path);
- the throughput cell's bound, bound_reason and vs_plain_note (what bound
  a cell depends on the machine's load: server, client, noise or
  neither, and the note quotes utilisations), the crypto noisy flag and
  rate_basis (a result's spread, and whether the thread was preempted),
  and the handshake achieved.varied flag (whether two connections
  negotiated differently).
A command's exit status must be the same as recorded. Only the five
Debian libraries' engines (those built), plain and curl are compared:
library sets (scripts/libs: openssl-3.5, ...) exist on some machines
only, and backends this tree did not build are dropped from the
expected shape (said on stdout).
Stdlib only.
"""
import json
import os
import subprocess
import sys

BUILD, SRC, WORK = (os.path.abspath(a) for a in sys.argv[1:4])
RECORD = "--record" in sys.argv[4:]
HB = os.path.join(BUILD, "httpsbench")
DATA = os.path.join(SRC, "tests", "data", "shape")
ALL = ("openssl", "boringssl", "gnutls", "wolfssl", "mbedtls")

# keys whose string/bool VALUE is volatile, wherever they appear in a
# result (the field itself is still compared)
VOLATILE_KEYS = {"server", "cacert", "bound", "bound_reason", "varied",
                 "vs_plain_note", "noisy", "rate_basis"}
# keys that are there or not depending on what was measured: a throughput
# cell gets vs_plain_note only when its ratio is not stated (the cell or
# its baseline not server-bound, a noisy baseline), valid only when it is
# invalid; both sides drop them
JUDGED_KEYS = {"vs_plain_note", "valid"}
# top-level objects whose every value is volatile
VOLATILE_TOP = {"tool", "run", "environment"}


def built(b):
    return os.access(os.path.join(BUILD, "httpsbench-" + b), os.X_OK)


BUILT = [b for b in ALL if built(b)]


def pick(*want):
    """The wanted backends that were built, as a --backend list."""
    return ",".join(b for b in want if b in BUILT)


def commands():
    """name -> argument list after `httpsbench`; FILE is the report."""
    tls2 = pick("openssl", "gnutls") or pick(*ALL)
    return {
        "backends": ["backends", "--json", "FILE"],
        "crypto": ["crypto", "--backend", pick(*ALL), "--filter",
                   "^(sha256|x25519)/", "--sizes", "16", "--seconds",
                   "0.01", "--repetitions", "3", "--json", "FILE"],
        "handshake-tcp": ["handshake", "--tls", "tcp", "-n", "3", "--quiet",
                          "--json", "FILE"],
        "handshake-tls13": ["handshake", "--backend", tls2, "--tls", "1.3",
                            "-n", "3", "--quiet", "--json", "FILE"],
        "handshake-tls12-ticket": ["handshake", "--backend", tls2, "--tls",
                                   "1.2", "--resume", "ticket", "-n", "3",
                                   "--quiet", "--json", "FILE"],
        "throughput": ["throughput", "--backend", tls2.split(",")[0],
                       "--sizes", "0", "--modes", "keepalive,close", "-d",
                       "0.2", "--warmup", "0.1", "--repetitions", "1",
                       "--idle-conns", "0", "--curl", "off", "--cost",
                       "off", "-c", "2", "--quiet", "--json", "FILE"],
    }


def kind(v):
    if isinstance(v, bool):
        return "bool"
    if v is None or isinstance(v, (int, float)):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "array"
    return "object"


def walk(v, path, out, volatile):
    k = kind(v)
    if k == "object":
        out.setdefault(path, set()).add("object")
        for key in sorted(v):
            walk(v[key], path + "." + key, out,
                 volatile or key in VOLATILE_KEYS)
        return
    if k == "array":
        kinds = {kind(e) for e in v}
        if kinds <= {"number"}:
            out.setdefault(path, set()).add("array of numbers")
            return
        if kinds == {"array"}:   # e.g. a histogram spectrum: rows of numbers
            out.setdefault(path, set()).add("array of arrays")
            return
        out.setdefault(path, set()).add("array")
        for e in v:
            walk(e, path + "[]", out, volatile)
        return
    if k in ("string", "bool") and not volatile:
        out.setdefault(path, set()).add("%s=%s" % (k, json.dumps(v)))
    else:
        out.setdefault(path, set()).add(k)


def keyed(items, keyf):
    """An array of objects as a dict keyed by keyf; repeats get #2, #3."""
    d = {}
    for it in items:
        k = keyf(it)
        n, kk = 1, k
        while kk in d:
            n += 1
            kk = "%s#%d" % (k, n)
        d[kk] = it
    return d


def shape(report):
    out = {}
    for top in sorted(report):
        v = report[top]
        if top == "results":
            v = keyed(v, lambda r: "%s|%s|%s" % (
                r.get("suite"), r.get("name"), r.get("backend")))
            out["results"] = {"object"}
            for key in sorted(v):
                walk(v[key], "results[%s]" % key, out, False)
        elif top == "backends":
            v = keyed(v, lambda b: b.get("name"))
            out["backends"] = {"object"}
            for key in sorted(v):
                walk(v[key], "backends[%s]" % key, out, False)
                for k in ("version", "origin"):
                    if k in v[key]:
                        out["backends[%s].%s" % (key, k)] = {"string"}
        else:
            walk(v, top, out, top in VOLATILE_TOP)
    return {p: sorted(s) for p, s in out.items()}


def backend_of(path):
    """The backend a results[...] / backends[...] path belongs to."""
    for pre in ("results[", "backends["):
        if path.startswith(pre):
            key = path[len(pre):path.index("]")]
            return key.split("#")[0].split("|")[-1]
    return None


def judged(path):
    return path.rsplit(".", 1)[-1] in JUDGED_KEYS


def elsewhere(path):
    """A path of a backend outside the comparison: one of the five not
    built here, or a library set (openssl-3.5, ...) that only some
    machines build (scripts/libs)."""
    b = backend_of(path)
    return b is not None and b not in BUILT and b not in ("plain", "curl")


def run(name, args):
    out = os.path.join(WORK, name + ".json")
    if os.path.exists(out):
        os.unlink(out)
    argv = [HB] + [out if a == "FILE" else a for a in args]
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, timeout=600)
    rep = None
    if os.path.exists(out):
        with open(out) as f:
            rep = json.load(f)
    return p, rep


def main():
    os.makedirs(WORK, exist_ok=True)
    if RECORD:
        os.makedirs(DATA, exist_ok=True)
        missing = [b for b in ALL if b not in BUILT]
        if missing:
            sys.exit("record: not every backend is built (%s)"
                     % ", ".join(missing))
    skipped = [b for b in ALL if b not in BUILT]
    if skipped:
        print("note: not built, dropped from the expected shapes: %s"
              % ", ".join(skipped))
    bad = 0
    for name, args in commands().items():
        p, rep = run(name, args)
        if rep is None:
            print("FAIL %s: no report (exit %d): %s" % (
                name, p.returncode, p.stderr[-500:]))
            bad += 1
            continue
        got = {"exit": p.returncode, "shape": shape(rep)}
        if RECORD:
            got["shape"] = {k: v for k, v in got["shape"].items()
                            if not elsewhere(k)}
        path = os.path.join(DATA, name + ".json")
        if RECORD:
            with open(path, "w") as f:
                json.dump(got, f, indent=1, sort_keys=True)
                f.write("\n")
            print("recorded %s: %d fields" % (name, len(got["shape"])))
            continue
        with open(path) as f:
            want = json.load(f)
        diffs = []
        if want["exit"] != got["exit"]:
            diffs.append("exit status: want %d, got %d (%s)" % (
                want["exit"], got["exit"], p.stderr[-300:]))
        ws = {k: v for k, v in want["shape"].items()
              if not elsewhere(k) and not judged(k)}
        gs = {k: v for k, v in got["shape"].items()
              if not elsewhere(k) and not judged(k)}
        for k in sorted(set(ws) | set(gs)):
            if k not in gs:
                diffs.append("- %s: %s (missing)" % (k, " | ".join(ws[k])))
            elif k not in ws:
                diffs.append("+ %s: %s (new)" % (k, " | ".join(gs[k])))
            elif ws[k] != gs[k]:
                diffs.append("~ %s: want %s, got %s" % (
                    k, " | ".join(ws[k]), " | ".join(gs[k])))
        if diffs:
            bad += 1
            print("FAIL %s: %d differences from %s" % (name, len(diffs),
                                                       path))
            for d in diffs[:60]:
                print("  " + d)
            if len(diffs) > 60:
                print("  ... and %d more" % (len(diffs) - 60))
        else:
            print("ok %s: %d fields" % (name, len(gs)))
    if bad:
        print("%d command(s) changed their report's shape" % bad)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
