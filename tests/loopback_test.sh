#!/usr/bin/env bash
# Our load generator against our server over loopback, for plain HTTP and
# every TLS library: keep-alive and a connection per request, every default
# payload size; the response count and body bytes must be exact and no
# error counted. Then the throughput driver end to end (short), its report
# validated. No timing is asserted.
# usage: loopback_test.sh BUILD_DIR SOURCE_DIR
set -u
build=$1 src=$2
. "$src/scripts/lib/python.sh"
. "$src/tests/lib.sh"
hb_find_python || { echo "FAIL: no python3 with jsonschema"; exit 1; }
tmp=$(mktemp -d /tmp/hbloop.XXXXXX)
srv_pid=
cleanup() { [ -n "$srv_pid" ] && kill "$srv_pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
pass=0 fail=0
ok()  { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
export HTTPSBENCH_CERT_DIR=$build/certs

start_server() { # engine
  "$build/httpsbench-$1" server --listen 127.0.0.1:0 --cert-type ecdsa-p256 \
    >"$tmp/srv.out" 2>"$tmp/srv.err" &
  srv_pid=$!
  port=$(hb_listen_port "$tmp/srv.out" "$srv_pid")
  [ -n "$port" ]
}

engines="plain$(hb_tls_engines "$build")"

n=12
for b in $engines; do
  if ! start_server "$b"; then
    bad "$b: server did not start: $(cat "$tmp/srv.err")"
    continue
  fi
  scheme=https extra="--cacert $build/certs/ecdsa-p256/root.pem"
  [ "$b" = plain ] && scheme=http extra=
  for mode in keepalive close; do
    flag=; [ $mode = close ] && flag=--close
    for size in 0 1024 16384 102400 1048576; do
      rm -f "$tmp/l.json"
      "$build/httpsbench-$b" load "$scheme://127.0.0.1:$port/bytes/$size" \
        -n $n -c 3 $flag $extra --json "$tmp/l.json" >/dev/null 2>"$tmp/err"
      rc=$?
      if [ $rc -ne 0 ]; then
        bad "$b $mode $size: load exited $rc: $(tail -2 "$tmp/err")"
        continue
      fi
      "$HB_PYTHON" - "$tmp/l.json" $n $size $mode "$b" <<'PY' && ok ||
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
n, size, mode, b = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
c, errs = r["counts"], sum(r["errors"].values())
why = []
if c["responses_2xx"] != n: why.append("%d responses" % c["responses_2xx"])
if c["bytes_body"] != n * size: why.append("%d body bytes" % c["bytes_body"])
if errs: why.append("errors %s" % r["errors"])
if b != "plain" and mode == "close" and c["handshakes"] != n:
    why.append("%d handshakes for %d requests" % (c["handshakes"], n))
if b != "plain" and mode == "keepalive" and c["handshakes"] > 3:
    why.append("%d handshakes on 3 kept-alive connections" % c["handshakes"])
if r["latency"]["count"] != n: why.append("latency count %d" % r["latency"]["count"])
if why: print("  " + "; ".join(why))
sys.exit(1 if why else 0)
PY
        bad "$b $mode $size: counts wrong"
      "$HB_PYTHON" "$src/scripts/validate_report.py" "$tmp/l.json" \
        >/dev/null && ok || bad "$b $mode $size: report invalid"
    done
  done
  stop_server && ok || bad "$b: server did not stop cleanly"
done

# The throughput driver, short: one TLS library against plain, both
# modes, memory slope, cost cell, curl row when built; table and valid
# report, every cell with what bound it. Four connections, not the
# default 32: a closed loop's connections finish in waves (they start
# together and cost alike), and with a new TLS connection per request
# through libcurl (1.1-2.9 ms of client CPU each, measured with builds
# running beside it; the window's counts came in multiples of 32) one
# wave of 32 can outlast the 0.3 s window, which then completes no
# request (stop 24's CI); four make the waves eight times shorter.
tb=$(echo $engines | awk '{print $2}')
if [ -n "$tb" ]; then
  "$build/httpsbench" throughput --backend "$tb" --sizes 1k -d 0.3 -c 4 \
    --repetitions 2 --cost-repetitions 2 --idle-conns 10,30 \
    --memory-repetitions 1 --quiet \
    --json "$tmp/tp.json" \
    >"$tmp/tp.out" 2>"$tmp/tp.err"
  rc=$?
  # a failed run names its failed results (status, error), not only the
  # server log's last lines
  [ $rc -eq 0 ] && ok || bad "throughput exited $rc: $(tail -3 "$tmp/tp.err")
$("$HB_PYTHON" -c 'import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    if r["status"] != "ok": print("  ", r["backend"], r["name"], r["status"], r.get("error"))' "$tmp/tp.json" 2>&1)"
  "$HB_PYTHON" "$src/scripts/validate_report.py" "$tmp/tp.json" >/dev/null &&
    ok || bad "throughput report invalid"
  "$HB_PYTHON" - "$tmp/tp.json" "$tb" <<'PY' && ok || bad "throughput cells"
import json, sys
rep, tb = json.load(open(sys.argv[1])), sys.argv[2]
rs = {(r["backend"], r["name"]): r for r in rep["results"]}
need = [(b, n) for b in ("plain", tb)
        for n in ("keepalive/1024", "close/1024", "memory/idle-10-30",
                  "cost:keepalive/1024")]
why = [str(k) for k in need if k not in rs or rs[k]["status"] != "ok"]
r = rs.get((tb, "keepalive/1024"))
if r and not (r.get("vs_plain_raw") or 0) > 0: why.append("no HTTPS/HTTP ratio")
if r and r.get("vs_plain") is None and not r.get("vs_plain_note"):
    why.append("a ratio neither stated nor explained")
# noise: other processes took the CPUs (a loaded CI machine); stated, so
# it passes: the check is that every cell says what bound it
if r and r.get("bound") not in ("server", "client", "neither", "noise"):
    why.append("bound %s" % r.get("bound"))
if r and len(r["samples"]) != 2: why.append("samples %d" % len(r["samples"]))
# the cost cells ran round-robin (each repetition both servers), and the
# TLS cell's CPU per request over plain's is paired by repetition
c, p = rs.get((tb, "cost:keepalive/1024")), rs.get(("plain", "cost:keepalive/1024"))
if c and p and c["status"] == p["status"] == "ok":
    cs, ps = (x["server_ns_per_request"]["samples"] for x in (c, p))
    vs = (c.get("server_ns_vs_plain") or {}).get("samples") or []
    if c["params"].get("order") != "round-robin": why.append("cost order")
    if len(vs) != 2 or any(abs(v - a / b) > 1e-9 * (a / b)
                           for v, a, b in zip(vs, cs, ps)):
        why.append("cost vs plain %s, cells %s / %s" % (vs, cs, ps))
    if "server_ns_vs_plain" in p: why.append("plain's cost vs itself")
if why: print("  missing or failed: " + ", ".join(why))
sys.exit(1 if why else 0)
PY
  grep -q "vs HTTP" "$tmp/tp.out" && ok || bad "no throughput table printed"
fi

echo "loopback: $pass passed, $fail failed"
[ $fail -eq 0 ]
