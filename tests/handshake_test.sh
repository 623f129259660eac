#!/usr/bin/env bash
# The handshake client against each TLS backend's own server: full and
# resumed handshakes in TLS 1.2 and 1.3 (resumption verified through the
# report's achieved counts), the traced message order per version, the
# TLS 1.3 0-RTT early data (accepted, verified by the counts and the
# trace, between every pair of libraries that have it), the failures a
# client must name (wrong host, untrusted CA, expired
# certificate, version mismatch, a server that declines to resume), plain
# TCP, the driver's --path against another server, bad usage and SIGINT.
# Every report must validate. No timings.
# usage: handshake_test.sh BUILD_DIR SOURCE_DIR
# HB_HS_SERVER=openssl uses `openssl s_server -www` instead of our server.
set -u
build=$1 src=$2
pass=0 fail=0 skip=0
ok()  { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
finish() {
  local note=""
  [ $skip -gt 0 ] && note=" ($skip backends skipped)"
  echo "handshake: $pass passed, $fail failed$note"
  [ $fail -eq 0 ]
  exit
}
. "$src/scripts/lib/python.sh"
. "$src/tests/lib.sh"
if ! hb_find_python; then bad "no python3 with jsonschema"; finish; fi
tmp=$(mktemp -d /tmp/hbhs.XXXXXX)
SPID=
stop_server() {
  if [ -n "$SPID" ]; then
    kill "$SPID" 2>/dev/null
    wait "$SPID" 2>/dev/null
  fi
  SPID=
}
trap 'stop_server; rm -rf "$tmp"' EXIT
certs=${HTTPSBENCH_CERT_DIR:-$build/certs}
export HTTPSBENCH_CERT_DIR=$certs
if ! bash "$src/scripts/gen-certs" "$certs" ecdsa-p256 ecdsa-p384 \
     >"$tmp/gen.log" 2>&1; then
  bad "gen-certs: $(tail -2 "$tmp/gen.log")"; finish
fi
C=$certs/ecdsa-p256
N=4 # measured connections per run

validate() { "$HB_PYTHON" "$src/scripts/validate_report.py" "$@" >/dev/null; }

# Starts a server; our options (--tls, --resume, --cert/--key; --plain
# for TCP) are translated for s_server. Sets PORT and SPID.
start_server() { # engine [options]
  local eng=$1 log=$tmp/server.log i; shift
  stop_server
  : >"$log"
  if [ "${HB_HS_SERVER:-}" = openssl ]; then
    local a=(-accept 127.0.0.1:0 -www -cert "$C/chain.pem"
             -cert_chain "$C/chain.pem" -key "$C/key.pem")
    while [ $# -gt 0 ]; do
      case $1 in
        --tls) [ "$2" = any ] || a+=(-tls${2/./_}); shift ;;
        --resume) [ "$2" = off ] && a+=(-no_ticket -no_cache); shift ;;
        --cert) a+=(-cert "$2" -cert_chain "$2"); shift ;;
        --key) a+=(-key "$2"); shift ;;
        --plain) a=(PLAIN) ;;
      esac
      shift
    done
    if [ "${a[0]}" = PLAIN ]; then
      (cd "$tmp" && exec "$HB_PYTHON" -m http.server --bind 127.0.0.1 0) \
        >"$log" 2>&1 &
    else
      openssl s_server "${a[@]}" >"$log" 2>&1 &
    fi
  else
    [ "${1:-}" = --plain ] && shift # the plain engine serves TCP anyway
    "$eng" server --listen 127.0.0.1:0 "$@" >"$log" 2>&1 &
  fi
  SPID=$!
  for i in $(seq 1 100); do
    PORT=$(sed -n -e 's/.*listening on .*:\([0-9][0-9]*\).*/\1/p' \
      -e 's/^ACCEPT .*:\([0-9][0-9]*\)$/\1/p' \
      -e 's/^Serving HTTP on .* port \([0-9][0-9]*\).*/\1/p' "$log" |
      head -1)
    [ -n "$PORT" ] && return 0
    kill -0 "$SPID" 2>/dev/null || break
    sleep 0.1
  done
  bad "$eng server did not start: $(tail -2 "$log")"
  stop_server
  return 1
}

# The report checks, in Python: check.py REPORT MODE N [ARG]
cat >"$tmp/check.py" <<'PY'
import json, os, re, sys
rep = json.load(open(sys.argv[1])); mode = sys.argv[2]; n = int(sys.argv[3])
arg = sys.argv[4] if len(sys.argv) > 4 else ""
res = [r for r in rep["results"] if r["suite"] == "handshake"]
errs = []
phases = ["setup", "tcp_connect", "tls_handshake", "first_request", "close",
          "total"]
if [r["name"].split("/")[-1] for r in res] != phases:
    errs.append("results %s" % [r["name"] for r in res])
by = {r["name"].split("/")[-1]: r for r in res}
def sums_check():
    """Every connection's phases add up to its total (1 us: rounding);
    the CI is over batches of connections, every sample kept."""
    cols = [by[p]["samples"] for p in phases]
    if len({len(c) for c in cols}) != 1:
        errs.append("phases hold different sample counts"); return
    for i, row in enumerate(zip(*cols)):
        if abs(row[-1] - sum(row[:-1])) > 1:
            errs.append("connection %d: total %.3f, phases add to %.3f"
                        % (i, row[-1], sum(row[:-1]))); return
    for p in phases:
        st = by[p]["stats"] or {}
        if st.get("ci_method") != "batch_means" or \
                st.get("ci_batches") != min(10, st.get("n", 0)):
            errs.append("%s: ci_method %s, ci_batches %s" % (
                p, st.get("ci_method"), st.get("ci_batches")))
EXPECT = {
  "1.3-full": "s:ClientHello r:ServerHello r:EncryptedExtensions "
              "r:Certificate r:CertificateVerify r:Finished s:Finished",
  "1.3-resumed": "s:ClientHello r:ServerHello r:EncryptedExtensions "
                 "r:Finished s:Finished",
  "1.2-full": "s:ClientHello r:ServerHello r:Certificate "
              "r:ServerKeyExchange r:ServerHelloDone s:ClientKeyExchange "
              "s:ChangeCipherSpec s:Finished r:ChangeCipherSpec r:Finished",
  "1.2-resumed": "s:ClientHello r:ServerHello r:ChangeCipherSpec "
                 "r:Finished s:ChangeCipherSpec s:Finished",
  "1.3-0rtt": "s:ClientHello r:ServerHello r:EncryptedExtensions "
              "r:Finished s:EndOfEarlyData s:Finished",
}
def trace_check(t, ver, resumed, early=False):
    if not t.get("supported"):
        if not t.get("reason"):
            errs.append("trace unsupported without a reason")
        return
    if t.get("error"):
        errs.append("traced connection failed: %s" % t["error"]); return
    seq = [("s:" if m["direction"] == "sent" else "r:") + m["name"]
           for m in t["messages"] if m["during_handshake"]]
    # optional messages: 1.3 middlebox CCS, 1.2 tickets
    seq = [s for s in seq if not (ver == "1.3" and s.endswith("CCS"))
           and not (ver == "1.3" and s.endswith("ChangeCipherSpec"))
           and not s.endswith("NewSessionTicket")]
    # HB_EARLY_SLACK (below): the traced connection's early data may be
    # refused too; it then is an ordinary resumption, one round trip
    if early and os.environ.get("HB_EARLY_SLACK", "0") != "0" and \
            t.get("early_data") == "rejected":
        early = False
    key = "%s-%s" % (ver, "0rtt" if early else
                     "resumed" if resumed else "full")
    if " ".join(seq) != EXPECT[key]:
        errs.append("trace %s: %s" % (key, " ".join(seq)))
    want_rt = 2 if key == "1.2-full" else 0 if early else 1
    if early and t.get("early_data") != "accepted":
        errs.append("trace early_data %s" % t.get("early_data"))
    if t["round_trips"] != want_rt:
        errs.append("round_trips %s, want %d" % (t["round_trips"], want_rt))
    if t["resumed"] != resumed:
        errs.append("traced connection resumed=%s" % t["resumed"])
    if not (t["handshake_bytes_sent"] > 0 and
            t["handshake_bytes_received"] > 0):
        errs.append("no handshake byte counts")
if mode.startswith("ok-") or mode == "fallback":
    for r in res:
        if r["status"] != "ok":
            errs.append("%s: %s %s" % (r["name"], r["status"], r.get("error")))
        elif len(r["samples"]) != n:
            errs.append("%s: %d samples" % (r["name"], len(r["samples"])))
    if not errs:
        sums_check()
    a = by.get("tls_handshake", {}).get("achieved", {})
    if mode.startswith("ok-"):
        ver, kind = mode[3:].split("-")
        if a.get("version") != "TLSv" + ver:
            errs.append("achieved version %s" % a.get("version"))
        if kind in ("resumed", "0rtt") and not (a.get("offered") == n and
                                                a.get("resumed") == n):
            errs.append("resumed %s of %s offered, want %d of %d" %
                        (a.get("resumed"), a.get("offered"), n, n))
        # HB_EARLY_SLACK: early data that a server may refuse (see the
        # cross-library 0-RTT loop); all must be sent, the rest accepted
        slack = int(os.environ.get("HB_EARLY_SLACK", "0"))
        if kind == "0rtt" and not (a.get("early_data_sent") == n and
                                   (a.get("early_data_accepted") or 0) >=
                                   n - slack):
            errs.append("early data accepted %s of %s sent, want %d of %d"
                        % (a.get("early_data_accepted"),
                           a.get("early_data_sent"), n - slack, n))
        if kind == "full" and a.get("resumed"):
            errs.append("resumed %s without --resume" % a["resumed"])
        trace_check(by.get("tls_handshake", {}).get("trace") or {}, ver,
                    kind != "full", kind == "0rtt")
    elif a.get("resumed") == n and a.get("offered") == n:
        errs.append("the server declined but every session resumed")
elif mode == "plain":
    for r in res:
        if r["status"] != "ok" or len(r["samples"]) != n:
            errs.append("%s: %s" % (r["name"], r.get("error")))
    if not errs:
        sums_check()
    if by.get("tls_handshake", {}).get("trace", {}).get("supported") \
            is not False:
        errs.append("plain trace should be unsupported")
elif mode.startswith("fail-"):
    cat = mode[5:]
    for r in res:
        if r["status"] != "error" or r["samples"]:
            errs.append("%s: status %s" % (r["name"], r["status"]))
        elif not re.search(arg, r["error"], re.I):
            errs.append("%s: reason does not say /%s/: %s" %
                        (r["name"], arg, r["error"]))
        if r.get("errors", {}).get(cat) != n:
            errs.append("%s: errors %s" % (r["name"], r.get("errors")))
elif mode == "interrupted":
    if rep["run"]["interrupted"] is not True:
        errs.append("run.interrupted is not true")
for e in errs[:6]:
    print("    " + e)
sys.exit(1 if errs else 0)
PY

# hs NAME WANT_RC MODE [REGEX] -- handshake args
hs() {
  local name=$1 want=$2 mode=$3 arg=$4 rc; shift 5
  timeout 120 "$eng" handshake "127.0.0.1:$PORT" -n $N --warmup 1 \
    --json "$tmp/$name.json" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
  rc=$?
  if [ $rc -ne "$want" ]; then
    bad "$b $name: exit $rc, want $want: $(tail -2 "$tmp/$name.err")"
  elif ! validate "$tmp/$name.json"; then
    bad "$b $name: report does not validate"
  elif ! "$HB_PYTHON" "$tmp/check.py" "$tmp/$name.json" "$mode" $N \
         "$arg" >"$tmp/check.out"; then
    bad "$b $name ($mode):"; cat "$tmp/check.out"
  else ok; return 0
  fi
  return 1
}

# the failure line: one per category, naming it, with the count
fail_line() { # name category
  if grep -q "^handshake: $2: .* ($N of $N)\$" "$tmp/$1.err"; then ok
  else bad "$b $1: no '$2' failure line: $(head -2 "$tmp/$1.err")"; fi
}

# alpn_check NAME OFFERED ALPN PROTOCOL: the report's params.alpn,
# achieved.alpn and achieved.protocol, and the achieved line
alpn_check() {
  local got
  got=$("$HB_PYTHON" -c 'import json, sys
r = [x for x in json.load(open(sys.argv[1]))["results"]
     if x["name"].endswith("/tls_handshake")][0]
print(r["params"]["alpn"], r["achieved"]["alpn"], r["achieved"]["protocol"],
      r["name"].split("/")[0].endswith("-alpn"))' "$tmp/$1.json" 2>&1)
  if [ "$got" = "$2 $3 $4 True" ]; then ok
  else bad "$b $1: alpn, achieved alpn, protocol, label: $got"; fi
  grep -q "; ALPN $3, first request $4;" "$tmp/$1.out" && ok ||
    bad "$b $1: achieved line: $(grep achieved "$tmp/$1.out")"
}

engines=$(hb_tls_engines "$build") tested="" early=""

for b in $engines; do
  eng=$build/httpsbench-$b
  # an engine whose backend has no TLS table yet says so: skip it
  "$eng" handshake 127.0.0.1:9 --tls 1.3 -n 1 --warmup 0 --timeout 1 \
    --json "$tmp/probe.json" >"$tmp/probe.out" 2>&1
  if grep -q "no TLS connection table" "$tmp/probe.out"; then
    echo "SKIP: $b has no TLS connection table"
    skip=$((skip + 1))
    continue
  fi
  A=(--cert-type ecdsa-p256)
  tested="$tested $b"
  # the failure cases use TLS 1.3 where the library has it
  V=1.3
  if grep -q "unsupported: .*TLS 1.3" "$tmp/probe.out"; then
    echo "SKIP: $b has no TLS 1.3: $(cat "$tmp/probe.out")"
    V=1.2
  else
    [ -z "${v13:-}" ] && v13=$b
  fi

  start_server "$eng" --cert-type ecdsa-p256 --tls any --resume on ||
    continue
  if [ $V = 1.3 ]; then
    hs t13-full 0 ok-1.3-full "" -- --tls 1.3 "${A[@]}"
    # --gap: idle before each connection, the same phases, and the
    # report says how long
    if hs t13-gap 0 ok-1.3-full "" -- --tls 1.3 --gap 2.5 "${A[@]}"; then
      "$HB_PYTHON" -c 'import json, sys
r = [x for x in json.load(open(sys.argv[1]))["results"]
     if x["name"].endswith("/tls_handshake")][0]
sys.exit(r["params"]["gap_ms"] != 2.5)' "$tmp/t13-gap.json" && ok ||
        bad "$b --gap 2.5: params.gap_ms not 2.5"
    fi
    hs t13-ticket 0 ok-1.3-resumed "" -- --tls 1.3 --resume ticket \
      "${A[@]}"
  fi
  # 0-RTT. Against a server that allows none, the client sends none; a
  # library without it says why, as client and as server; the rest get
  # a server that takes early data
  "$eng" handshake "127.0.0.1:$PORT" --tls 1.3 --resume ticket \
    --early-data -n 1 "${A[@]}" >"$tmp/ed.out" 2>&1
  if grep -q "unsupported: " "$tmp/ed.out"; then
    grep -q "unsupported: .*\(early data\|TLS 1.3\)" "$tmp/ed.out" && ok ||
      bad "$b --early-data: $(head -2 "$tmp/ed.out")"
    timeout 20 "$eng" server --listen 127.0.0.1:0 --early-data 16384 \
      >"$tmp/edsrv.log" 2>&1
    grep -q "unsupported: .*\(early data\|TLS 1.3\)" "$tmp/edsrv.log" &&
      ok || bad "$b server --early-data: $(head -2 "$tmp/edsrv.log")"
  elif ! grep -q "early data accepted 0 of 0 sent" "$tmp/ed.out"; then
    bad "$b --early-data against a server without it: $(grep achieved \
      "$tmp/ed.out")"
  elif [ "${HB_HS_SERVER:-}" != openssl ]; then
    ok
    if start_server "$eng" --cert-type ecdsa-p256 --tls any --resume on \
         --early-data 16384; then
      early="$early $b"
      hs t13-0rtt 0 ok-1.3-0rtt "" -- --tls 1.3 --resume ticket \
        --early-data "${A[@]}"
    fi
    start_server "$eng" --cert-type ecdsa-p256 --tls any --resume on ||
      continue
  fi
  hs t12-full 0 ok-1.2-full "" -- --tls 1.2 "${A[@]}"
  hs t12-ticket 0 ok-1.2-resumed "" -- --tls 1.2 --resume ticket "${A[@]}"
  hs t12-id 0 ok-1.2-resumed "" -- --tls 1.2 --resume id "${A[@]}"
  # ALPN: h2 offered first and selected by our server (h2,http/1.1), the
  # first request then over HTTP/2; only http/1.1 offered: HTTP/1.1. The
  # report says what the library agreed (achieved.alpn, .protocol)
  if [ "${HB_HS_SERVER:-}" != openssl ]; then
    hs alpn-h2 0 ok-$V-full "" -- --tls $V --alpn h2,http/1.1 "${A[@]}" &&
      alpn_check alpn-h2 h2,http/1.1 h2 h2
    hs alpn-h11 0 ok-$V-full "" -- --tls $V --alpn http/1.1 "${A[@]}" &&
      alpn_check alpn-h11 http/1.1 http/1.1 http/1.1
  fi
  hs untrusted 1 fail-tls 'verif|trust|issuer|unknown|signer' -- \
    --tls $V --cacert "$certs/ecdsa-p384/root.pem" &&
    fail_line untrusted tls
  hs wrongsni 1 fail-tls 'host|name|match' -- --tls $V --sni \
    wrong.invalid "${A[@]}" && fail_line wrongsni tls

  start_server "$eng" --cert "$C/wronghost-chain.pem" \
    --key "$C/wronghost-key.pem" &&
  hs wronghost 1 fail-tls 'host|name|match' -- --tls $V "${A[@]}" &&
    fail_line wronghost tls

  start_server "$eng" --cert "$C/expired-chain.pem" \
    --key "$C/expired-key.pem" &&
  hs expired 1 fail-tls 'expire' -- --tls 1.2 "${A[@]}" &&
    fail_line expired tls

  # version mismatch: a TLS 1.2-only server; without TLS 1.3 of its own,
  # a 1.2 client against another library's 1.3-only server
  if [ $V = 1.3 ]; then
    start_server "$eng" --cert-type ecdsa-p256 --tls 1.2 &&
    hs mismatch 1 fail-tls 'version|protocol' -- --tls 1.3 "${A[@]}" &&
      fail_line mismatch tls
  elif [ -n "${v13:-}" ]; then
    start_server "$build/httpsbench-$v13" --cert-type ecdsa-p256 --tls 1.3 &&
    hs mismatch 1 fail-tls 'version|protocol' -- --tls 1.2 "${A[@]}" &&
      fail_line mismatch tls
  fi

  # a server that does not resume: the fallback shows, with a warning
  if start_server "$eng" --cert-type ecdsa-p256 --tls any --resume off &&
     hs declined 0 fallback "" -- --tls 1.2 --resume ticket "${A[@]}"; then
    grep -q "^handshake: warning: " "$tmp/declined.err" && ok ||
      bad "$b declined: no warning line"
  fi
  stop_server
done

# --- 0-RTT across libraries: every client against every other's server ---
for sb in $early; do
  start_server "$build/httpsbench-$sb" --cert-type ecdsa-p256 --tls any \
    --resume on --early-data 16384 || { bad "$sb 0-RTT server"; continue; }
  for b in $early; do
    [ "$b" = "$sb" ] && continue
    eng=$build/httpsbench-$b
    # GnuTLS's server refuses early data whose ticket age, as the client
    # states it, exceeds its own (gnutls anti_replay.c: ILLEGAL_PARAMETER,
    # no log line; seen as an ASSERT at GNUTLS_DEBUG_LEVEL=4, 18 of 150).
    # The mbedTLS 3.6 client states the age as the difference of two
    # whole-millisecond clock readings, which can exceed the true age by
    # up to 1 ms, the server truncates the true age: on loopback, where
    # the two ages differ by microseconds, a share of attempts is refused
    # (9 of 30 runs of 4 refused 1-2). Their interop, not ours: for that
    # pair any number may be refused, every attempt must still be sent and
    # resumed. Every other pair must accept all.
    slack=0
    [ "$b" = mbedtls-3.6 ] && [ "$sb" = gnutls ] && slack=$N
    HB_EARLY_SLACK=$slack hs "x0rtt-$sb-$b" 0 ok-1.3-0rtt "" -- --tls 1.3 \
      --resume ticket --early-data --cert-type ecdsa-p256
  done
done
stop_server

# --- the driver: starts the 0-RTT server itself, merges the report ---
if [ -n "$early" ] && [ "${HB_HS_SERVER:-}" != openssl ]; then
  b=$(echo $early | cut -d' ' -f1)
  timeout 300 "$build/httpsbench" handshake --backend "$b" --tls 1.3 \
    --resume ticket --early-data -n $N --quiet \
    --json "$tmp/drv.json" >"$tmp/drv.out" 2>"$tmp/drv.err"
  rc=$?
  if [ $rc -ne 0 ]; then bad "driver --early-data: exit $rc: $(tail -2 \
    "$tmp/drv.err")"
  elif ! validate "$tmp/drv.json"; then bad "driver report invalid"
  elif ! "$HB_PYTHON" - "$tmp/drv.json" $N <<'PY'
import json, sys
rep = json.load(open(sys.argv[1])); n = int(sys.argv[2])
r = [x for x in rep["results"] if x["name"].endswith("-0rtt/tls_handshake")]
a = r[0]["achieved"] if r else {}
sys.exit(0 if a.get("early_data_accepted") == n and
         a.get("early_data_sent") == n and r[0]["params"]["early_data"]
         else 1)
PY
  then bad "driver --early-data: $(grep -i "0-RTT\|tls1.3" "$tmp/drv.out")"
  else ok; fi
fi

# --- the driver's default matrix, short: in every case each connection's
# phases add up to its total, and the server's handshake time is there ---
if [ -n "$tested" ] && [ "${HB_HS_SERVER:-}" != openssl ]; then
  b=$(echo ${early:-$tested} | cut -d' ' -f1)
  timeout 600 "$build/httpsbench" handshake --backend "$b" -n $N --quiet \
    --json "$tmp/matrix.json" >"$tmp/matrix.out" 2>"$tmp/matrix.err"
  rc=$?
  if [ $rc -ne 0 ]; then bad "driver matrix: exit $rc: $(tail -2 \
    "$tmp/matrix.err")"
  elif ! validate "$tmp/matrix.json"; then bad "driver matrix: invalid report"
  elif ! "$HB_PYTHON" - "$tmp/matrix.json" $N >"$tmp/check.out" <<'PY'
import json, sys
rep = json.load(open(sys.argv[1])); n = int(sys.argv[2])
PH = ["setup", "tcp_connect", "tls_handshake", "first_request", "close"]
res = {(r["name"], r["backend"]): r for r in rep["results"]}
errs, cases = [], 0
for (name, be), r in res.items():
    if not name.endswith("/total") or r["status"] != "ok":
        continue
    case = name[:-len("/total")]
    cases += 1
    cols = [res[(case + "/" + p, be)]["samples"] for p in PH]
    for i, row in enumerate(zip(*cols)):
        if abs(r["samples"][i] - sum(row)) > 1:
            errs.append("%s %s connection %d: total %.3f, phases %.3f" % (
                case, be, i, r["samples"][i], sum(row)))
    if r["stats"].get("ci_method") != "batch_means":
        errs.append("%s: ci_method %s" % (name, r["stats"].get("ci_method")))
    # the engine says what it made; the server counted the same
    h = res[(case + ("/total" if case == "tcp" else "/tls_handshake"), be)]
    ec = h.get("engine_connections") or {}
    if ec.get("warmup") != 5 or ec.get("measured") != n or \
            ec.get("traced") not in (0, 1) or \
            h.get("client_connections") != sum(ec.values()) or \
            h.get("server_connections") != h.get("client_connections"):
        errs.append("%s: engine_connections %s, client %s, server %s" % (
            case, ec, h.get("client_connections"),
            h.get("server_connections")))
    if case != "tcp":
        h = res[(case + "/tls_handshake", be)]
        us, hs = h.get("server_handshake_us"), h.get("server_handshakes")
        if not (isinstance(us, (int, float)) and us > 0 and
                isinstance(hs, (int, float)) and hs >= n):
            errs.append("%s: server_handshake_us %s over %s" % (case, us, hs))
if cases < 2:
    errs.append("only %d cases measured" % cases)
for e in errs[:6]:
    print("    " + e)
sys.exit(1 if errs else 0)
PY
  then bad "driver matrix:"; cat "$tmp/check.out"
  elif ! grep -q "srv hs" "$tmp/matrix.out"; then
    bad "driver matrix: no srv hs column"
  else ok; fi
fi

# --- capacity mode (-c, -d): the rate counts what the load engine says
# it made, TLS handshakes or, on TCP, connections (a TCP case once read
# the engine's handshake count, which TCP lacks, and showed 0/s); --nap
# reaches the load engine (its report says it napped), and without it
# the engine says 0 ---
if [ -n "$tested" ] && [ "${HB_HS_SERVER:-}" != openssl ]; then
  b=$(echo $tested | cut -d' ' -f1)
  for t in tcp 1.3; do
    nap=0
    [ $t = 1.3 ] && nap=30
    napopt=()
    [ $nap -gt 0 ] && napopt=(--nap $nap)
    timeout 120 "$build/httpsbench" handshake --backend "$b" --tls $t \
      -n 2 -c 2 -d 0.3 --repetitions 1 --quiet --json "$tmp/cap.json" \
      "${napopt[@]}" >"$tmp/cap.out" 2>"$tmp/cap.err"
    rc=$?
    if [ $rc -ne 0 ]; then bad "capacity $t: exit $rc: $(tail -2 \
      "$tmp/cap.err")"
    elif ! validate "$tmp/cap.json"; then bad "capacity $t: invalid report"
    elif ! "$HB_PYTHON" - "$tmp/cap.json" $nap >"$tmp/check.out" <<'PY'
import json, math, sys
rep = json.load(open(sys.argv[1]))
nap = int(sys.argv[2])
r = [x for x in rep["results"] if x["name"].endswith("/capacity")]
if len(r) != 1:
    print("    %d capacity results" % len(r)); sys.exit(1)
r = r[0]
cli = (r.get("client_cpu_us_per_handshake") or {}).get("samples") or [None]
ok = (r["status"] == "ok" and len(r["samples"]) == 1 and
      r["samples"][0] > 0 and r.get("handshakes", 0) > 0 and
      isinstance(cli[0], (int, float)) and cli[0] > 0)
if not ok:
    print("    %s: %s %s, %s made, client cpu %s" % (
        r["name"], r["status"], r["samples"], r.get("handshakes"), cli))
elif (r["params"].get("nap_us") != nap or
      r.get("achieved", {}).get("client_nap_us") != nap):
    print("    %s: --nap %d, params.nap_us %s, the engine said %s" % (
        r["name"], nap, r["params"].get("nap_us"),
        r.get("achieved", {}).get("client_nap_us")))
    ok = False
sys.exit(0 if ok else 1)
PY
    then bad "capacity $t:"; cat "$tmp/check.out"
    else ok; fi
  done
fi

# --- plain TCP: the baseline, through the plain engine ---
eng=$build/httpsbench-plain b=plain
if [ -x "$eng" ] && start_server "$eng" --plain; then
  P=()
  [ "${HB_HS_SERVER:-}" = openssl ] && P=(--path /)
  hs tcp 0 plain "" -- --plain "${P[@]}"
  grep -q "^achieved: plain TCP" "$tmp/tcp.out" && ok ||
    bad "plain: no achieved line"
  # the driver against another server: --path is every connection's
  # request (recorded in params); a path it does not serve fails every
  # connection: exit 1 and one line saying why
  if [ "${HB_HS_SERVER:-}" != openssl ]; then
    drv() { # name want-rc path
      timeout 60 "$build/httpsbench" handshake --connect "127.0.0.1:$PORT" \
        --tls tcp -n $N --path "$3" --quiet --json "$tmp/$1.json" \
        >"$tmp/$1.out" 2>"$tmp/$1.err"
      local rc=$?
      [ $rc -eq "$2" ] && ok || bad "driver --path $3: exit $rc, want $2"
      validate "$tmp/$1.json" && ok || bad "driver --path $3: invalid report"
    }
    drv path10 0 /bytes/10
    "$HB_PYTHON" -c 'import json,sys; r=json.load(open(sys.argv[1]));
sys.exit(0 if all(x["status"] == "ok" and x["params"]["path"] == "/bytes/10"
         for x in r["results"]) and r["results"] else 1)' \
      "$tmp/path10.json" && ok || bad "driver --path: params.path"
    drv path404 1 /nothere
    tail -1 "$tmp/path404.err" |
      grep -q "every measurement failed.*status.*404.*/nothere" && ok ||
      bad "driver --path /nothere: $(tail -1 "$tmp/path404.err")"
  fi
  stop_server
fi

# --- the driver with --alpn: our server selects h2, the TLS case's first
# request is HTTP/2, the TCP baseline's h2c; labels and table say so ---
if [ -n "${v13:-}" ] && [ "${HB_HS_SERVER:-}" != openssl ]; then
  for c in "1.3 tls1.3-full-ecdsa-p256-x25519-h2 h2 h2 $v13" \
           "tcp tcp-h2c None h2c plain"; do
    set -- $c
    timeout 120 "$build/httpsbench" handshake --backend "$v13" --tls "$1" \
      --alpn h2,http/1.1 -n $N --quiet --json "$tmp/dalpn.json" \
      >"$tmp/dalpn.out" 2>"$tmp/dalpn.err"
    rc=$?
    got=$("$HB_PYTHON" -c 'import json, sys
r = json.load(open(sys.argv[1]))["results"]
t = [x for x in r if x["name"] == sys.argv[2] + "/" + (
     "total" if sys.argv[2].startswith("tcp") else "tls_handshake")][0]
print(t["status"], t["backend"], t["achieved"]["alpn"],
      t["achieved"]["protocol"])' "$tmp/dalpn.json" "$2" 2>&1)
    if [ $rc -eq 0 ] && [ "$got" = "ok $5 $3 $4" ] &&
       validate "$tmp/dalpn.json"; then ok
    else bad "driver --alpn --tls $1: exit $rc, $got $(tail -1 "$tmp/dalpn.err")"
    fi
    grep -q "ALPN offered h2,http/1.1: .*first request $4" "$tmp/dalpn.out" &&
      ok || bad "driver --alpn --tls $1: no ALPN line in the table"
  done
  timeout 20 "$build/httpsbench" handshake --alpn "" >/dev/null \
    2>"$tmp/u.err"
  [ $? -eq 2 ] && [ "$(wc -l <"$tmp/u.err")" -eq 1 ] && ok ||
    bad "driver --alpn '': $(cat "$tmp/u.err")"
fi

# --- bad usage: one line, exit 2, no report ---
eng=$build/httpsbench-plain
for args in "127.0.0.1:1 --tls 1.4" "nohostport --plain" \
            "127.0.0.1:1 --plain --tls 1.3" "127.0.0.1:1 --plain -n 0" \
            "127.0.0.1:1 --plain --timeout x" "127.0.0.1:1 --plain --bogus" \
            "127.0.0.1:1 --plain --cert-type rsa-1" \
            "127.0.0.1:1 --plain --cacert $tmp/none.pem" \
            "127.0.0.1:1 --plain --json $tmp/no/dir.json" \
            "127.0.0.1:1 --plain --alpn ," "127.0.0.1:1 --plain --gap 0" \
            "127.0.0.1:1 --plain --gap x"; do
  rm -f "$tmp/u.json"
  j=(--json "$tmp/u.json")
  case $args in *--json*) j=() ;; esac
  # shellcheck disable=SC2086
  "$eng" handshake $args "${j[@]}" >/dev/null 2>"$tmp/u.err"
  rc=$?
  if [ $rc -ne 2 ] || [ "$(wc -l <"$tmp/u.err")" -ne 1 ] ||
     [ -e "$tmp/u.json" ]; then
    bad "usage '$args': exit $rc, $(wc -l <"$tmp/u.err") lines"
  else ok; fi
done
for b in $engines; do
  "$build/httpsbench-$b" handshake 127.0.0.1:1 --tls 1.3 --resume id \
    >/dev/null 2>&1
  [ $? -eq 2 ] && ok || bad "$b: --resume id with --tls 1.3 accepted"
  for args in "--tls 1.2 --resume ticket" "--tls 1.3 --resume none"; do
    # shellcheck disable=SC2086
    "$build/httpsbench-$b" handshake 127.0.0.1:1 $args --early-data \
      >/dev/null 2>"$tmp/u.err"
    rc=$?
    [ $rc -eq 2 ] && grep -q -- "--early-data" "$tmp/u.err" && ok ||
      bad "$b: --early-data with $args: exit $rc"
  done
  for args in "--resume off" "--resume id" "--tls 1.2" ""; do
    # shellcheck disable=SC2086
    timeout 10 "$build/httpsbench-$b" server --listen 127.0.0.1:0 $args \
      --early-data 0 >/dev/null 2>"$tmp/u.err"
    rc=$?
    [ $rc -eq 2 ] && [ "$(wc -l <"$tmp/u.err")" -eq 1 ] && ok ||
      bad "$b: server $args --early-data 0: exit $rc"
  done
  timeout 10 "$build/httpsbench-$b" server --listen 127.0.0.1:0 \
    --resume off --early-data 16384 >/dev/null 2>"$tmp/u.err"
  rc=$?
  [ $rc -eq 2 ] && grep -q "needs tickets" "$tmp/u.err" && ok ||
    bad "$b: server --resume off --early-data: exit $rc"
done

# --- SIGINT: stops, writes what finished, exit 130 ---
b=plain srv=(--plain) cli=(--plain)
[ "${HB_HS_SERVER:-}" = openssl ] && cli+=(--path /)
if [ -n "$tested" ]; then
  b=$(echo $tested | cut -d' ' -f1)
  srv=(--cert-type ecdsa-p256) cli=(--tls 1.3 --cert-type ecdsa-p256)
fi
eng=$build/httpsbench-$b
if [ -x "$eng" ] && start_server "$eng" "${srv[@]}"; then
  "$eng" handshake "127.0.0.1:$PORT" -n 1000000 --warmup 0 "${cli[@]}" \
    --json "$tmp/int.json" >/dev/null 2>&1 &
  cpid=$!
  sleep 1.5
  kill -INT $cpid
  for i in $(seq 1 100); do kill -0 $cpid 2>/dev/null || break; sleep 0.1
  done
  wait $cpid
  rc=$?
  if [ $rc -ne 130 ]; then bad "$b SIGINT: exit $rc, want 130"
  elif ! validate "$tmp/int.json"; then bad "$b SIGINT: invalid report"
  elif ! "$HB_PYTHON" "$tmp/check.py" "$tmp/int.json" interrupted 0; then
    bad "$b SIGINT: not marked interrupted"
  else ok; fi
  stop_server
fi

# --- post-quantum hybrid key exchange (OpenSSL 3.5, a scripts/libs set) ---
# achieved group read from the library; a hybrid-plus-classical server
# falls back for a classical client; a PQ-only offer from a library
# without ML-KEM is a clear "unsupported".
pq=$build/httpsbench-openssl-3.5
group_of() { "$HB_PYTHON" -c 'import json,sys
r=[x for x in json.load(open(sys.argv[1]))["results"] if x["status"]=="ok"]
print(r[0]["achieved"]["group"] if r else "none")' "$1"; }
# the traced handshake's size and shape: "GROUP CH_BYTES HRR RT CB SB"
# (group; ClientHello bytes; whether a HelloRetryRequest came; round
# trips; first flight bytes of client and server, with their data
# segments checked to be at least one each)
shape_of() { "$HB_PYTHON" -c 'import json,sys
r=[x for x in json.load(open(sys.argv[1]))["results"]
   if x["status"]=="ok" and x.get("trace")]
t=r[0]["trace"] if r else {}
ff=t.get("first_flight") or {}
ok=ff.get("client_segments",0)>=1 and ff.get("server_segments",0)>=1
print(r[0]["achieved"]["group"] if r else "none", t.get("client_hello_bytes"),
      t.get("hello_retry_request"), t.get("round_trips"),
      ff.get("client_bytes") if ok else "nosegs", ff.get("server_bytes"))' "$1"; }
# pq_check NAME REPORT WANT_GROUP WANT_HRR MIN_CH MAX_CH
pq_check() {
  local s; s=$(shape_of "$2" 2>/dev/null)
  read -r g ch hrr rt cb sb <<<"$s"
  if [ "$g" != "$3" ] || [ "$hrr" != "$4" ] ||
     ! [ "${ch:-0}" -ge "$5" ] 2>/dev/null || ! [ "$ch" -le "$6" ] ||
     [ "$cb" = nosegs ] || ! [ "$cb" -gt "$ch" ] ||
     [ "$rt" != "$([ "$4" = True ] && echo 2 || echo 1)" ]; then
    bad "$1: group/ClientHello/HRR/round trips/flights '$s', want $3, $5..$6 bytes, HRR $4"
  else ok; fi
}
if [ ! -x "$pq" ]; then
  echo "handshake: no openssl-3.5 engine (scripts/libs): PQ checks skipped"
  skip=$((skip + 1))
elif [ "${HB_HS_SERVER:-}" != openssl ] &&
     start_server "$pq" --tls 1.3 --groups x25519mlkem768:x25519; then
  "$pq" handshake "127.0.0.1:$PORT" -n 2 --tls 1.3 --group x25519mlkem768 \
    --cacert "$C/root.pem" --json "$tmp/pq.json" >"$tmp/pq.out" 2>&1
  g=$(group_of "$tmp/pq.json" 2>/dev/null)
  [ "$g" = x25519mlkem768 ] && validate "$tmp/pq.json" && ok ||
    bad "openssl-3.5 hybrid: achieved group '$g': $(tail -1 "$tmp/pq.out")"
  # the ML-KEM-768 key share (1184 bytes) makes the ClientHello
  pq_check "openssl-3.5 hybrid pair" "$tmp/pq.json" x25519mlkem768 False \
    1216 4000
  "$build/httpsbench-openssl" handshake "127.0.0.1:$PORT" -n 2 --tls 1.3 \
    --cacert "$C/root.pem" --json "$tmp/pq0.json" >"$tmp/pq.out" 2>&1
  g=$(group_of "$tmp/pq0.json" 2>/dev/null)
  [ "$g" = x25519 ] && ok ||
    bad "openssl 3.0 against a hybrid+x25519 server: group '$g'"
  # its x25519 share is one the server takes: no HelloRetryRequest
  pq_check "openssl 3.0 vs hybrid+x25519 server" "$tmp/pq0.json" x25519 \
    False 100 1000
  "$build/httpsbench-openssl" handshake "127.0.0.1:$PORT" -n 2 --tls 1.3 \
    --group x25519mlkem768 --cacert "$C/root.pem" >"$tmp/pq.out" 2>&1
  grep -q "unsupported: OpenSSL has no key exchange group x25519mlkem768" \
    "$tmp/pq.out" && ok ||
    bad "openssl 3.0 offering only x25519mlkem768: $(tail -1 "$tmp/pq.out")"
  stop_server
  # the other way round: the 3.5 client against Debian's 3.0 server
  # (x25519 and the classical groups). Hybrid then x25519: the key share
  # sent is the hybrid's, so the server asks again (HelloRetryRequest)
  # and x25519 is achieved after two round trips; hybrid only: no group
  # in common, a clear handshake failure
  if start_server "$build/httpsbench-openssl" --tls 1.3; then
    "$pq" handshake "127.0.0.1:$PORT" -n 2 --tls 1.3 --cacert "$C/root.pem" \
      --group x25519mlkem768:x25519 --json "$tmp/pq1.json" >"$tmp/pq.out" 2>&1
    validate "$tmp/pq1.json" && ok || bad "pq1 report does not validate"
    pq_check "openssl-3.5 hybrid+x25519 vs 3.0 server" "$tmp/pq1.json" \
      x25519 True 1216 4000
    "$pq" handshake "127.0.0.1:$PORT" -n 2 --tls 1.3 --cacert "$C/root.pem" \
      --group x25519mlkem768 --json "$tmp/pq2.json" >"$tmp/pq.out" 2>&1
    rc=$?
    [ $rc -eq 1 ] && grep -q "handshake: tls: .*handshake failure (2 of 2)" \
      "$tmp/pq.out" && validate "$tmp/pq2.json" && ok ||
      bad "openssl-3.5 PQ-only vs 3.0 server: exit $rc: $(tail -1 "$tmp/pq.out")"
    stop_server
  fi
fi
# BoringSSL 14's pre-standard hybrid (the draft X25519Kyber768) between
# two boringssl-14 engines: achieved, its Kyber share in the ClientHello
bq=$build/httpsbench-boringssl-14
if [ ! -x "$bq" ]; then
  echo "handshake: no boringssl-14 engine (scripts/libs): Kyber draft skipped"
  skip=$((skip + 1))
elif [ "${HB_HS_SERVER:-}" != openssl ] &&
     start_server "$bq" --tls 1.3 --groups x25519kyber768:x25519; then
  "$bq" handshake "127.0.0.1:$PORT" -n 2 --tls 1.3 --group x25519kyber768 \
    --cacert "$C/root.pem" --json "$tmp/ky.json" >"$tmp/ky.out" 2>&1
  validate "$tmp/ky.json" && ok || bad "boringssl-14 kyber: invalid report"
  pq_check "boringssl-14 x25519kyber768 pair" "$tmp/ky.json" x25519kyber768 \
    False 1216 4000
  stop_server
fi
# wolfSSL 5.7's experimental round-3 Kyber hybrid (P384_KYBER_LEVEL3, the
# Open Quantum Safe code point) between two wolfssl-5.7 engines; wolfSSL
# has no message callback, so the group only
wq=$build/httpsbench-wolfssl-5.7
if [ ! -x "$wq" ]; then
  echo "handshake: no wolfssl-5.7 engine (scripts/libs): Kyber hybrid skipped"
  skip=$((skip + 1))
elif [ "${HB_HS_SERVER:-}" != openssl ] &&
     start_server "$wq" --tls 1.3 --groups p384kyber768:x25519; then
  "$wq" handshake "127.0.0.1:$PORT" -n 2 --tls 1.3 --group p384kyber768 \
    --cacert "$C/root.pem" --json "$tmp/wk.json" >"$tmp/wk.out" 2>&1
  g=$(group_of "$tmp/wk.json" 2>/dev/null)
  [ "$g" = p384kyber768 ] && validate "$tmp/wk.json" && ok ||
    bad "wolfssl-5.7 Kyber hybrid: group '$g': $(tail -1 "$tmp/wk.out")"
  stop_server
fi
finish
