#!/usr/bin/env bash
# The command line as a user meets it: help, bad usage (one line, exit 2,
# nothing written), reports that validate against the schema, every
# primitive present for every backend, and SIGINT leaving a valid report.
# usage: cli_test.sh BUILD_BIN_DIR SOURCE_DIR
set -u
bin=$1 src=$2
hb=$bin/httpsbench
. "$src/scripts/lib/python.sh"
hb_find_python || { echo "FAIL: no python3 with jsonschema"; exit 1; }
tmp=$(mktemp -d /tmp/hbcli.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

ok()  { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
validate() { "$HB_PYTHON" "$src/scripts/validate_report.py" "$@" >/dev/null; }

# --- help on every command ---
for args in "--help" "crypto --help" "backends --help"; do
  if $hb $args >"$tmp/out" 2>&1 && grep -q usage "$tmp/out"; then ok
  else bad "httpsbench $args"; fi
done
# the engines of the backends (httpsbench-curl is libcurl's own client)
engines=""
for e in "$bin"/httpsbench-*; do
  case ${e##*/} in httpsbench-curl) ;; *) engines="$engines $e" ;; esac
done
for e in $engines; do
  if "$e" --help >/dev/null 2>&1; then ok; else bad "$e --help"; fi
done

# --- bad usage: exit 2, one line naming the problem, no report ---
usage_case() { # expected-word args...
  local want=$1; shift
  rm -f "$tmp/u.json"
  "$@" >"$tmp/out" 2>"$tmp/err"
  local rc=$? lines
  lines=$(wc -l <"$tmp/err")
  if [ $rc -ne 2 ]; then bad "$* exited $rc, want 2"
  elif [ "$lines" -ne 1 ]; then bad "$*: $lines lines on stderr, want 1"
  elif ! grep -qF -- "$want" "$tmp/err"; then
    bad "$*: message does not name '$want': $(cat "$tmp/err")"
  elif [ -e "$tmp/u.json" ] || ls "$tmp"/.u.json* >/dev/null 2>&1; then
    bad "$*: wrote a file"
  else ok; fi
}
J="--json $tmp/u.json"
usage_case "nosuch" $hb crypto --backend nosuch $J
usage_case "--bogus" $hb crypto --bogus $J
usage_case "--sizes" $hb crypto --sizes 0,abc $J
usage_case "--sizes" $hb crypto --sizes 16, $J
usage_case "--repetitions" $hb crypto --repetitions 0 $J
usage_case "--repetitions" $hb crypto --repetitions many $J
usage_case "--seconds" $hb crypto --seconds -1 $J
usage_case "--filter" $hb crypto --filter '(' $J
usage_case "--filter" $hb crypto --filter no-such-result $J
usage_case "plain" $hb crypto --backend plain $J
usage_case "--json" $hb crypto --json "$tmp/no/such/dir/u.json"
usage_case "--json" $hb crypto --json "$tmp/"
usage_case "unexpected" $hb crypto extra $J
usage_case "frobnicate" $hb frobnicate
usage_case "--json" $hb backends --json "$tmp/no/dir.json"
usage_case "--early-data" $hb handshake --tls 1.2 --resume ticket \
  --early-data $J
usage_case "--early-data" $hb handshake --tls 1.3 --early-data $J
usage_case "--early-data" $hb handshake --tls 1.3 --resume ticket \
  --early-data -c 2 -d 1 $J
for e in $engines; do
  usage_case "--sizes" "$e" crypto --sizes abc $J
  usage_case "--json" "$e" crypto
done

# --- backends: every backend listed, built ones with a version ---
if $hb backends --json "$tmp/b.json" >"$tmp/out" && validate "$tmp/b.json"
then ok; else bad "backends --json"; fi
for name in openssl boringssl gnutls wolfssl mbedtls plain; do
  grep -q "^$name " "$tmp/out" && ok || bad "backends does not list $name"
done
built=$(awk '$2 == "yes" && $1 != "plain" {print $1}' "$tmp/out")
[ -n "$built" ] && ok || bad "no TLS backend built"

# --- a short full run: every primitive through every backend ---
nlist=$($hb crypto --list --sizes 16 | wc -l)
if $hb crypto --quiet --sizes 16 --seconds 0.01 --repetitions 2 \
     --json "$tmp/c.json" >"$tmp/table" 2>"$tmp/err"; then ok
else bad "crypto run failed: $(tail -3 "$tmp/err")"; fi
validate "$tmp/c.json" && ok || bad "crypto report does not validate"
grep -q "One public-key operation costs" "$tmp/table" && ok ||
  bad "no equivalence table printed"
"$HB_PYTHON" - "$tmp/c.json" "$nlist" $built <<'PY' && ok || bad "coverage"
import json, sys
rep = json.load(open(sys.argv[1])); want = int(sys.argv[2])
errs = []
for b in sys.argv[3:]:
    rs = [r for r in rep["results"] if r["backend"] == b]
    if len(rs) != want:
        errs.append("%s: %d results, want %d" % (b, len(rs), want))
    for r in rs:
        if r["status"] == "error":
            errs.append("%s %s: %s" % (b, r["name"], r.get("error")))
        if r["status"] == "unsupported" and not r.get("error"):
            errs.append("%s %s: unsupported without reason" % (b, r["name"]))
        if r["status"] == "ok" and len(r["samples"]) != 2:
            errs.append("%s %s: %d samples" % (b, r["name"], len(r["samples"])))
    if not any(d["backend"] == b and d["bytes"] for d in rep["derived"]):
        errs.append("%s: no derived equivalence" % b)
if {x["name"] for x in rep["backends"]} != set(sys.argv[3:]):
    errs.append("backends list differs")
for e in errs: print("  " + e)
sys.exit(1 if errs else 0)
PY

# --- each engine alone writes a valid report ---
for b in $built; do
  if "$bin/httpsbench-$b" crypto --filter '^sha256/' --sizes 64 \
       --seconds 0.01 --repetitions 1 --json "$tmp/e-$b.json" 2>/dev/null &&
     validate "$tmp/e-$b.json"; then ok; else bad "engine $b report"; fi
done

# --- SIGINT: to the process group (Ctrl-C) and to the front end alone ---
sigint_case() { # how
  rm -f "$tmp/i.json"
  setsid $hb crypto --quiet --seconds 0.3 --repetitions 3 \
    --json "$tmp/i.json" >/dev/null 2>"$tmp/ierr" &
  local pid=$! rc i
  sleep 2.5
  if [ "$1" = group ]; then kill -INT -- "-$pid"; else kill -INT "$pid"; fi
  for i in $(seq 1 100); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
  wait $pid; rc=$?
  if [ $rc -ne 130 ]; then bad "SIGINT ($1): exit $rc, want 130"; return; fi
  if ! validate "$tmp/i.json"; then bad "SIGINT ($1): invalid report"; return
  fi
  "$HB_PYTHON" -c 'import json,sys; r=json.load(open(sys.argv[1]));
sys.exit(0 if r["run"]["interrupted"] is True and r["results"] else 1)' \
    "$tmp/i.json" && ok || bad "SIGINT ($1): not marked interrupted/empty"
  ls -a "$tmp" | grep -q '\.i\.json\.tmp' && bad "SIGINT ($1): temp left"
}
sigint_case group
sigint_case frontend

echo "cli: $pass passed, $fail failed"
[ $fail -eq 0 ]
