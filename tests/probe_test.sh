#!/usr/bin/env bash
# libcurl as the client (the curl engine) against our own servers on
# loopback: `httpsbench probe` over HTTP and HTTPS with new and reused
# connections (a reused run shows one handshake, not N), TLS versions,
# --resolve, verification with our CA and without it (curl's certificate
# error), an expired certificate, a URL that never answers (exit 1, the
# report written with its errors), `httpsbench load --client curl` (the
# right number of body bytes, keep-alive and close), the curl row of
# `httpsbench throughput`, bad input (one line, exit 2, nothing written)
# and SIGINT. Every report must validate. No timings.
# usage: probe_test.sh BUILD_DIR SOURCE_DIR
set -u
build=$1 src=$2
pass=0 fail=0
ok()  { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
finish() {
  echo "probe: $pass passed, $fail failed"
  [ $fail -eq 0 ]
  exit
}
. "$src/scripts/lib/python.sh"
if ! hb_find_python; then bad "no python3 with jsonschema"; finish; fi
HB=$build/httpsbench
if [ ! -x "$build/httpsbench-curl" ]; then
  bad "$build/httpsbench-curl was not built"; finish
fi
tmp=$(mktemp -d /tmp/hbprobe.XXXXXX)
PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null
  done
  rm -rf "$tmp"
}
trap cleanup EXIT
certs=${HTTPSBENCH_CERT_DIR:-$build/certs}
export HTTPSBENCH_CERT_DIR=$certs
if ! bash "$src/scripts/gen-certs" "$certs" ecdsa-p256 >"$tmp/gen.log" 2>&1
then
  bad "gen-certs: $(tail -2 "$tmp/gen.log")"; finish
fi
C=$certs/ecdsa-p256

# start_server NAME ENGINE [options]: sets the variable NAME to the port
start_server() {
  local var=$1 eng=$2 log=$tmp/$1.log i port=; shift 2
  "$build/httpsbench-$eng" server --listen 127.0.0.1:0 "$@" >"$log" 2>&1 &
  PIDS+=($!)
  for i in $(seq 1 100); do
    port=$(sed -n 's/.*listening on .*:\([0-9][0-9]*\).*/\1/p' "$log" |
           head -1)
    [ -n "$port" ] && break
    sleep 0.1
  done
  [ -n "$port" ] || { bad "$eng server did not start: $(tail -2 "$log")"
                      finish; }
  printf -v "$var" %s "$port"
}
start_server P plain
start_server T openssl --cert-type ecdsa-p256
start_server X openssl --cert "$C/expired-chain.pem" \
  --key "$C/expired-key.pem"

validate() { "$HB_PYTHON" "$src/scripts/validate_report.py" "$@" >/dev/null; }

# py FILE EXPR: prints EXPR with r = the report, res = its results,
# total = the results named .../total, one = the first result
py() {
  "$HB_PYTHON" - "$1" "$2" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
res = r["results"]
total = [x for x in res if x["name"].endswith("/total")]
one = res[0] if res else {}
print(eval(sys.argv[2]))
PY
}

# expect FILE EXPR WANT WHAT
expect() {
  local got
  got=$(py "$1" "$2" 2>&1)
  if [ "$got" = "$3" ]; then ok; else bad "$4: $2 = '$got', want '$3'"; fi
}

# run NAME WANT_RC CMD...: stdout/stderr to $tmp/NAME.out/.err
run() {
  local name=$1 want=$2 rc; shift 2
  timeout 60 "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
  rc=$?
  if [ "$want" = nonzero ]; then
    [ $rc -ne 0 ] && [ $rc -ne 124 ] && ok ||
      bad "$name: exit $rc, want non-zero ($(head -1 "$tmp/$name.err"))"
  elif [ $rc -eq "$want" ]; then ok
  else bad "$name: exit $rc, want $want ($(head -2 "$tmp/$name.err"))"
  fi
}

report_ok() { # NAME: the report exists and validates
  if [ -f "$tmp/$1.json" ] && validate "$tmp/$1.json"; then ok
  else bad "$1: no valid report"; fi
}

one_line() { # NAME PATTERN: exactly one line on stderr, matching
  local n
  n=$(wc -l <"$tmp/$1.err")
  [ "$n" -eq 1 ] && ok || bad "$1: $n lines on stderr: $(cat "$tmp/$1.err")"
  grep -q -- "$2" "$tmp/$1.err" && ok ||
    bad "$1: stderr lacks '$2': $(cat "$tmp/$1.err")"
  [ ! -e "$tmp/$1.json" ] && ok || bad "$1: a report was written"
}

N=5
HU=http://127.0.0.1:$P/bytes/1000
SU=https://127.0.0.1:$T/bytes/1000

# ---- probe over HTTP and HTTPS, new and reused connections ----
run http_new 0 "$HB" probe "$HU" -n $N --json "$tmp/http_new.json"
report_ok http_new
expect "$tmp/http_new.json" "len(res)" 6 "http: no tls phase"
expect "$tmp/http_new.json" "(one['suite'], one['backend'], one['unit'])" \
  "('probe', 'curl', 'us')" "http result"
expect "$tmp/http_new.json" "r['backends'][0]['name']" curl "backend"
expect "$tmp/http_new.json" \
  "[len(x['samples']) for x in res] == [$N] * 6" True "samples"
expect "$tmp/http_new.json" \
  "(total[0]['counts']['ok'], total[0]['counts']['connections'])" \
  "($N, $N)" "http new connections"
expect "$tmp/http_new.json" "total[0]['counts']['bytes_body']" \
  $((N * 1000)) "http body bytes"
expect "$tmp/http_new.json" "total[0]['tls']" None "http has no tls"
grep -q "ttfb" "$tmp/http_new.out" && ok || bad "http_new: no table"

run http_reuse 0 "$HB" probe "$HU" -n $N --reuse --json \
  "$tmp/http_reuse.json"
report_ok http_reuse
expect "$tmp/http_reuse.json" "total[0]['counts']['connections']" 1 \
  "http reuse: one connection"
expect "$tmp/http_reuse.json" "one['params']['connection']" reuse "params"

run https_new 0 "$HB" probe "$SU" -n $N --cacert "$C/root.pem" --json \
  "$tmp/https_new.json"
report_ok https_new
expect "$tmp/https_new.json" "len(res)" 7 "https phases"
expect "$tmp/https_new.json" "[x['name'].split('/')[-1] for x in res]" \
  "['dns', 'connect', 'tls', 'pretransfer', 'ttfb', 'transfer', 'total']" \
  "phase names"
expect "$tmp/https_new.json" "total[0]['counts']['handshakes']" $N \
  "https new: a handshake per request"
expect "$tmp/https_new.json" "total[0]['tls']['version'][:5]" TLSv1 \
  "https tls version"
expect "$tmp/https_new.json" "bool(total[0]['tls']['cipher'])" True \
  "https cipher"
# curl's default over TLS offers h2 by ALPN, and our server takes it
expect "$tmp/https_new.json" "total[0]['http_version']" 2 \
  "http version: h2 chosen by ALPN"

run https_reuse 0 "$HB" probe "$SU" -n $N --reuse --cacert "$C/root.pem" \
  --json "$tmp/https_reuse.json"
report_ok https_reuse
expect "$tmp/https_reuse.json" \
  "(total[0]['counts']['ok'], total[0]['counts']['handshakes'])" \
  "($N, 1)" "https reuse: one handshake, not $N"

for v in 1.2 1.3; do
  run "tls$v" 0 "$HB" probe "$SU" -n 2 --tls $v --http1.1 \
    --cacert "$C/root.pem" --json "$tmp/tls$v.json"
  report_ok "tls$v"
  expect "$tmp/tls$v.json" "total[0]['tls']['version']" "TLSv$v" "--tls $v"
  expect "$tmp/tls$v.json" "total[0]['http_version']" 1.1 \
    "--http1.1: http/1.1 by ALPN"
done

# ---- the protocol negotiated with our server, as libcurl reports it ----
# --http2 over TLS: h2 by ALPN; the table says so too
run h2_tls 0 "$HB" probe "$SU" -n 2 --http2 --cacert "$C/root.pem" \
  --json "$tmp/h2_tls.json"
report_ok h2_tls
expect "$tmp/h2_tls.json" "total[0]['http_version']" 2 "--http2: h2 by ALPN"
expect "$tmp/h2_tls.json" "(total[0]['counts']['ok'], \
  total[0]['counts']['bytes_body'], one['params']['http'])" \
  "(2, 2000, '2')" "--http2: answers, bytes and the version asked"
grep -q "HTTP/2" "$tmp/h2_tls.out" && ok ||
  bad "h2_tls: the table does not say HTTP/2: $(head -5 "$tmp/h2_tls.out")"
# over plain TCP: h2c by prior knowledge (our server has no Upgrade)
run h2c 0 "$HB" probe "$HU" -n 2 --http2-prior-knowledge --json \
  "$tmp/h2c.json"
report_ok h2c
expect "$tmp/h2c.json" "(total[0]['http_version'], \
  total[0]['counts']['bytes_body'])" "('2', 2000)" \
  "--http2-prior-knowledge: h2c"
# a server without h2 in its ALPN list: curl's h2 offer ends in HTTP/1.1
start_server N openssl --cert-type ecdsa-p256 --no-h2
run h2_no 0 "$HB" probe "https://127.0.0.1:$N/bytes/1000" -n 2 --http2 \
  --cacert "$C/root.pem" --json "$tmp/h2_no.json"
report_ok h2_no
expect "$tmp/h2_no.json" "(total[0]['http_version'], \
  total[0]['counts']['ok'])" "('1.1', 2)" \
  "--http2 against a server without h2: http/1.1 by ALPN"
run h2_both 2 "$HB" probe "$SU" --http1.1 --http2-prior-knowledge

run resolve 0 "$HB" probe "https://probe.invalid:$T/bytes/10" -n 2 \
  --insecure --resolve "probe.invalid:$T:127.0.0.1" --json \
  "$tmp/resolve.json"
report_ok resolve
expect "$tmp/resolve.json" "total[0]['counts']['ok']" 2 "--resolve"

run two 0 "$HB" probe "$HU" "$SU" -n 2 --cacert "$C/root.pem" --json \
  "$tmp/two.json"
report_ok two
expect "$tmp/two.json" "len(res)" 13 "two URLs"

# A URL that never answered: exit 1, one line naming the failure, and
# the report written all the same, its results status "error" with the
# categories and curl's messages.
# failed NAME CATEGORY PATTERN [URL]: after `run NAME 1 ...`
failed() {
  local n
  n=$(grep -c "^httpsbench probe: .*requests failed: $2: " "$tmp/$1.err")
  [ "$n" -eq 1 ] && ok || bad "$1: no one failure line: $(cat "$tmp/$1.err")"
  grep -q -- "$3" "$tmp/$1.err" && ok ||
    bad "$1: stderr lacks '$3': $(cat "$tmp/$1.err")"
  report_ok "$1"
  expect "$tmp/$1.json" "sorted({x['status'] for x in res
    if x['params']['url'] == '${4:-}' or not '${4:-}'})" "['error']" \
    "$1: status"
  expect "$tmp/$1.json" "all(x['error'].startswith('$2: ') and
    x['errors']['$2'] > 0 and x['error_messages']['$2'] for x in res
    if x['params']['url'] == '${4:-}' or not '${4:-}')" True \
    "$1: categories and messages"
}

# ---- verification: without our CA curl refuses, with a reason ----
run noca 1 "$HB" probe "$SU" -n 2 --json "$tmp/noca.json"
failed noca certificate "SSL certificate problem"
run expired 1 "$HB" probe "https://127.0.0.1:$X/" -n 2 \
  --cacert "$C/root.pem" --json "$tmp/expired.json"
failed expired certificate \
  "certificate: SSL certificate problem: certificate has expired"
run status404 1 "$HB" probe "http://127.0.0.1:$P/nothere" -n 2 \
  --json "$tmp/status404.json"
failed status404 http "http: the server answered HTTP 404"
# one URL dead, the next still measured
run onedead 1 "$HB" probe http://127.0.0.1:1/ "$HU" -n 2 \
  --json "$tmp/onedead.json"
failed onedead connect "connect: Failed to connect" http://127.0.0.1:1/
expect "$tmp/onedead.json" "sorted({x['status'] for x in res
  if x['params']['url'] == '$HU'})" "['ok']" "onedead: the live URL"

# ---- bad input: one line, exit 2, nothing written ----
run scheme 2 "$HB" probe ftp://127.0.0.1/ --json "$tmp/scheme.json"
one_line scheme "unsupported scheme 'ftp'"
run malformed 2 "$HB" probe "http://exa mple/" --json "$tmp/malformed.json"
one_line malformed "is not a valid URL"
run nourl 2 "$HB" probe "not a url" --json "$tmp/nourl.json"
one_line nourl "is not a valid URL"
run badport 2 "$HB" probe http://127.0.0.1:99999/ --json "$tmp/badport.json"
one_line badport "is not a valid URL"
run refused 1 "$HB" probe http://127.0.0.1:1/ -n 2 --json \
  "$tmp/refused.json"
failed refused connect "connect: Failed to connect"
run badopt 2 "$HB" probe "$HU" --frobnicate --json "$tmp/badopt.json"
one_line badopt "unknown option"
run novalue 2 "$HB" probe "$HU" -n
one_line novalue "probe: -n needs a value"
run help 0 "$HB" probe --help
grep -q -- "--reuse" "$tmp/help.out" && ok || bad "probe --help"

# ---- SIGINT: stops, still writes a valid report marked interrupted ----
# (large bodies: few samples; its own process group, so a hung engine can
# be killed with the front end)
setsid "$HB" probe "http://127.0.0.1:$P/bytes/4000000" -n 1000000 \
  --json "$tmp/int.json" >/dev/null 2>"$tmp/int.err" &
ipid=$!
sleep 1
kill -INT $ipid # the front end only: it passes the signal on
for i in $(seq 1 300); do kill -0 $ipid 2>/dev/null || break; sleep 0.1; done
kill -9 -- -$ipid 2>/dev/null
wait $ipid
rc=$?
[ $rc -eq 130 ] && ok || bad "SIGINT: exit $rc, want 130"
report_ok int
expect "$tmp/int.json" "r['run']['interrupted']" True "interrupted flag"

# ---- load --client curl: bytes, keep-alive and close ----
run load_http 0 "$HB" load --client curl "$HU" -n 40 -c 4 --json \
  "$tmp/load_http.json"
report_ok load_http
expect "$tmp/load_http.json" \
  "(one['suite'], one['name'], one['backend'], one['status'])" \
  "('load', 'requests', 'curl', 'ok')" "load result"
expect "$tmp/load_http.json" \
  "[one['counts'][k] for k in ('requests', 'responses_2xx', 'bytes_body')]" \
  "[40, 40, 40000]" "load: 40 requests of 1000 bytes"
expect "$tmp/load_http.json" "1 <= one['counts']['connections'] <= 4" True \
  "load keep-alive connections"
expect "$tmp/load_http.json" "sum(one['errors'].values())" 0 "load errors"
expect "$tmp/load_http.json" "one['counts']['bytes_wire_in'] >= 40000" \
  True "wire bytes"

run load_https 0 "$HB" load --client curl "$SU" -n 20 -c 2 --close \
  --cacert "$C/root.pem" --json "$tmp/load_https.json"
report_ok load_https
expect "$tmp/load_https.json" \
  "[one['counts'][k] for k in ('bytes_body', 'connections', 'handshakes')]" \
  "[20000, 20, 20]" "load --close: a handshake per request"
expect "$tmp/load_https.json" "one['phases']['tls_handshake']['count']" 20 \
  "handshake phase"

# same report fields as our own load generator
run load_ours 0 "$build/httpsbench-plain" load "$HU" -n 10 -c 1 --json \
  "$tmp/load_ours.json"
"$HB_PYTHON" - "$tmp/load_ours.json" "$tmp/load_http.json" \
  >"$tmp/keys.out" <<'PY'
import json, sys
def keys(o, p=""):
    s = set()
    if isinstance(o, dict):
        for k, v in o.items():
            if k != "spectrum":
                s.add(p + k)
                s |= keys(v, p + k + ".")
    return s
a, b = (json.load(open(f))["results"][0] for f in sys.argv[1:3])
print(sorted(keys(a) - keys(b)))
PY
[ "$(cat "$tmp/keys.out")" = "[]" ] && ok ||
  bad "curl load report lacks fields: $(cat "$tmp/keys.out")"

run load_noca 2 "$HB" load --client curl "$SU" -n 2 --json \
  "$tmp/load_noca.json"
one_line load_noca "give --cacert"
run load_backend 2 "$HB" load --client curl --backend openssl "$SU" -n 2 \
  --insecure --json "$tmp/load_backend.json"
one_line load_backend "no --backend"
run load_client 2 "$HB" load --client wget "$HU" -n 2 --json \
  "$tmp/load_client.json"
one_line load_client "is not httpsbench or curl"
run load_scheme 2 "$HB" load --client curl gopher://127.0.0.1/ -n 2 \
  --json "$tmp/load_scheme.json"
one_line load_scheme "unsupported scheme"

# ---- the curl row of throughput (plain only: a second at most) ----
run tp 0 "$HB" throughput --backend plain --sizes 1000 --modes keepalive \
  -d 0.2 --repetitions 1 -c 2 --idle-conns 0 --quiet --json "$tmp/tp.json"
report_ok tp
expect "$tmp/tp.json" \
  "[(x['name'], x['params'].get('server_backend')) for x in res
    if x['backend'] == 'curl']" \
  "[('curl:keepalive/1000', 'plain')]" "throughput curl row"
expect "$tmp/tp.json" "'curl' in [b['name'] for b in r['backends']]" True \
  "throughput curl backend"
run tp_off 0 "$HB" throughput --backend plain --sizes 0 --modes keepalive \
  -d 0.1 --repetitions 1 -c 1 --idle-conns 0 --quiet --curl off \
  --json "$tmp/tp_off.json"
expect "$tmp/tp_off.json" "[x['backend'] for x in res]" "['plain']" \
  "--curl off"

finish
