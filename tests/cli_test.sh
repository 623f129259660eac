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
# an interval is named by the coverage it achieves, never "95%" for all
if $hb crypto --help 2>&1 | grep -q "95%"; then
  bad "crypto --help calls every interval 95%"
else ok; fi
# the engines of the backends (httpsbench-curl is libcurl's own client,
# httpsbench-link the link emulator: tests/link_test.py checks it)
engines=""
for e in "$bin"/httpsbench-*; do
  case ${e##*/} in httpsbench-curl|httpsbench-link) ;;
    *) engines="$engines $e" ;; esac
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
usage_case "--max-cv" $hb crypto --max-cv 0 $J
usage_case "--max-cv" $hb crypto --max-cv -5 $J
usage_case "--max-cv" $hb crypto --max-cv 5% $J
usage_case "--max-repetitions" $hb crypto --max-repetitions 0 $J
usage_case "--max-repetitions" $hb crypto --max-repetitions lots $J
usage_case "--max-repetitions" $hb crypto --repetitions 4 \
  --max-repetitions 3 $J
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
  usage_case "--max-cv" "$e" crypto --max-cv nan $J
  usage_case "--max-repetitions" "$e" crypto --max-repetitions -1 $J
  usage_case "--max-repetitions" "$e" crypto --repetitions 3 \
    --max-repetitions 2 $J
done

# --- a value missing at the end of the line: named, not "unknown" ---
needs() { # option args...: "httpsbench <cmd>: <option> needs a value"
  local opt=$1; shift
  usage_case ": $opt needs a value" "$@"
}
for o in --seconds --repetitions --sizes --filter --backend --json \
         --max-cv --max-repetitions; do
  needs $o $hb crypto $o
done
needs --seconds $hb crypto --quiet --seconds
for o in -n -c -d --connect --path --tls --backend --server-backend \
         --json --crypto --repetitions; do
  needs $o $hb handshake $o
done
needs --json $hb backends --json
needs --backend $hb server --backend
needs --backend $hb load http://127.0.0.1:1/ --backend
needs --client $hb load http://127.0.0.1:1/ --client
# the engine's own options, through the front end
usage_case "needs a value" $hb server --listen
usage_case "needs a value" $hb load http://127.0.0.1:1/ -c
if [ -x "$bin/httpsbench-curl" ]; then
  needs --json $hb probe http://127.0.0.1:1/ --json
  needs -n $hb probe http://127.0.0.1:1/ -n
  needs --timeout $hb probe http://127.0.0.1:1/ --timeout
fi
for e in $engines; do
  needs --seconds "$e" crypto --json "$tmp/u.json" --seconds
  needs --repetitions "$e" crypto --json "$tmp/u.json" --repetitions
  needs --max-cv "$e" crypto --json "$tmp/u.json" --max-cv
  needs -n "$e" handshake 127.0.0.1:1 -n
  needs --path "$e" handshake 127.0.0.1:1 --path
done
usage_case "unknown option '--bogus'" $hb handshake --bogus $J
usage_case "--path" $hb handshake --path relative $J
usage_case "--gap" $hb handshake --gap -1 $J
usage_case "--gap" $hb handshake --gap 5 -c 2 -d 1 $J
needs --gap $hb handshake --gap

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
     --max-repetitions 2 --json "$tmp/c.json" >"$tmp/table" 2>"$tmp/err"
then ok
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
        if r["status"] != "ok":
            continue
        # each repetition's wall and thread CPU seconds, how its rate was
        # taken, and whether the case stayed noisy
        w, c, how = r.get("wall_s"), r.get("cpu_s"), r.get("rate_basis")
        if not (isinstance(w, list) and isinstance(c, list) and
                isinstance(how, list) and
                len(w) == len(c) == len(how) == len(r["samples"])):
            errs.append("%s %s: wall_s/cpu_s/rate_basis" % (b, r["name"]))
        elif not all(0 < y <= x + 1e-3 and x >= 0.01 and h in ("wall", "cpu")
                     for x, y, h in zip(w, c, how)):
            errs.append("%s %s: times %s %s %s" % (b, r["name"], w, c, how))
        if not isinstance(r.get("noisy"), bool):
            errs.append("%s %s: noisy not a boolean" % (b, r["name"]))
    if not any(d["backend"] == b and d["bytes"] for d in rep["derived"]):
        errs.append("%s: no derived equivalence" % b)
if {x["name"] for x in rep["backends"]} != set(sys.argv[3:]):
    errs.append("backends list differs")
run = rep["run"]
# several libraries: their engines side by side, sweeps in turn; 0.01 s
# repetitions in slices of 0.005 s
if run.get("engines") != ("interleaved" if len(sys.argv) > 4 else
                          "sequential"):
    errs.append("run.engines %s" % run.get("engines"))
if any(r["params"].get("slices") != 2 for r in rep["results"]
       if r["status"] == "ok"):
    errs.append("params.slices not 2")
if "steal" not in run or not ("cpu_mhz_start" in run and
                              "cpu_mhz_end" in run):
    errs.append("run lacks steal or CPU clock rates: %s" % sorted(run))
st = run.get("steal")
if isinstance(st, dict) and not (st["seconds"] >= 0 and
                                 0 <= st["share"] <= 1):
    errs.append("steal %s" % st)
for e in errs: print("  " + e)
sys.exit(1 if errs else 0)
PY

# --- a case spread more than --max-cv is measured again, up to
# --max-repetitions, then marked noisy (in the report and the table) ---
if $hb crypto --backend "$(echo $built | cut -d' ' -f1)" --quiet \
     --filter '^sha256/' --sizes 64 --seconds 0.01 --repetitions 2 \
     --max-cv 0.000001 --max-repetitions 4 --json "$tmp/n.json" \
     >"$tmp/table" 2>"$tmp/err" &&
   "$HB_PYTHON" -c 'import json,sys; r=json.load(open(sys.argv[1]));
x=[x for x in r["results"] if x["status"] == "ok"]
sys.exit(0 if x and all(len(y["samples"]) == 4 and y["noisy"] is True and
         y["stats"]["cv"] > 1e-8 for y in x) else 1)' "$tmp/n.json" &&
   grep -q "^sha256/digest/64 .* noisy$" "$tmp/table" &&
   grep -q "measured again, up to 4 repetitions" "$tmp/table"; then ok
else bad "re-measuring noisy cases: $(tail -3 "$tmp/table") $(tail -1 "$tmp/err")"
fi

# --- each engine alone writes a valid report ---
for b in $built; do
  if "$bin/httpsbench-$b" crypto --filter '^sha256/' --sizes 64 \
       --seconds 0.01 --repetitions 1 --json "$tmp/e-$b.json" 2>/dev/null &&
     validate "$tmp/e-$b.json"; then ok; else bad "engine $b report"; fi
done

# --- --sequential: one library after the other, the same results ---
if $hb crypto --sequential --quiet --filter '^sha256/digest/64$' --sizes 64 \
     --seconds 0.01 --repetitions 2 --max-repetitions 2 \
     --json "$tmp/seq.json" >/dev/null 2>"$tmp/err" &&
   "$HB_PYTHON" -c 'import json,sys; r=json.load(open(sys.argv[1]));
ok=[x for x in r["results"] if x["status"] == "ok"]
sys.exit(0 if r["run"]["engines"] == "sequential" and
         len(ok) == len(sys.argv) - 2 and
         all(len(x["samples"]) == 2 for x in ok) else 1)' "$tmp/seq.json" \
     $built; then ok
else bad "crypto --sequential: $(tail -1 "$tmp/err")"; fi

# --- an engine's --paced protocol: a line per sweep, then it waits for
# "go"; the sweeps take slice q / R of repetition q % R; the end of its
# input stops it as interrupted, with the repetitions it completed ---
"$HB_PYTHON" - "$bin/httpsbench-$(echo $built | cut -d' ' -f1)" "$tmp" \
  "$src/scripts/validate_report.py" <<'PY' && ok || bad "engine --paced"
import json, os, select, subprocess, sys
eng, tmp, validator = sys.argv[1:4]
errs = []
def start(out, slices):
    return subprocess.Popen(
        [eng, "crypto", "--paced", "--json", out, "--filter",
         "^sha256/digest/64$", "--sizes", "64", "--seconds", "0.004",
         "--repetitions", "2", "--max-repetitions", "2", "--slices",
         str(slices)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL, text=True)
out = os.path.join(tmp, "paced.json")
p = start(out, 3)
seen = []
line = p.stdout.readline()
# it waits: nothing more within 0.3 s, no report yet
if select.select([p.stdout], [], [], 0.3)[0] or os.path.exists(out):
    errs.append("did not wait for go")
while line.startswith("sweep "):
    seen.append(tuple(int(v) for v in line.split()[1:3]))
    p.stdin.write("go\n"); p.stdin.flush()
    line = p.stdout.readline()
p.stdin.close()
rc = p.wait(timeout=60)
want = [(0, 0), (1, 0), (0, 1), (1, 1), (0, 2), (1, 2)]
if seen != want:
    errs.append("sweeps %s, want %s" % (seen, want))
if rc != 0:
    errs.append("exit %d after the last sweep" % rc)
else:
    r = json.load(open(out))
    x = r["results"][0]
    if len(x["samples"]) != 2 or x["params"]["slices"] != 3 or \
       r["run"]["interrupted"]:
        errs.append("report: %s" % x)
    if subprocess.call([sys.executable, validator, out],
                       stdout=subprocess.DEVNULL) != 0:
        errs.append("report does not validate")
# input closed after one sweep (one slice each): interrupted, one sample
out2 = os.path.join(tmp, "paced2.json")
p = start(out2, 1)
p.stdout.readline()
p.stdin.write("go\n"); p.stdin.flush()
p.stdout.readline()
p.stdin.close()
rc = p.wait(timeout=60)
try:
    r = json.load(open(out2))
    x = r["results"][0]
    if rc == 0 or not r["run"]["interrupted"] or len(x["samples"]) != 1:
        errs.append("input closed: exit %d, %s, %s" % (
            rc, r["run"]["interrupted"], x.get("samples")))
except (OSError, ValueError, IndexError, KeyError) as e:
    errs.append("input closed: exit %d, no report (%s)" % (rc, e))
for e in errs: print("  paced: " + e)
sys.exit(1 if errs else 0)
PY

# --- backend names in any case ---
first=$(echo $built | cut -d' ' -f1)
FIRST=$(echo "$first" | tr a-z A-Z)
if $hb crypto --backend "$FIRST" --filter '^sha256/' --sizes 64 --quiet \
     --seconds 0.01 --repetitions 1 --json "$tmp/case.json" >/dev/null \
     2>"$tmp/err" &&
   "$HB_PYTHON" -c 'import json,sys; r=json.load(open(sys.argv[1]));
sys.exit(0 if [b["name"] for b in r["backends"]] == [sys.argv[2]] else 1)' \
     "$tmp/case.json" "$first"; then ok
else bad "crypto --backend $FIRST: $(tail -1 "$tmp/err")"; fi
if $hb load --backend PLAIN --help >"$tmp/out" 2>&1 &&
   grep -q "httpsbench-plain load --help" "$tmp/out"; then ok
else bad "load --backend PLAIN --help: $(head -2 "$tmp/out")"; fi

# --- server and load --help: ours (--backend), then the engine's ---
help_case() { # command [args...]
  local cmd=$1; shift
  if ! $hb "$cmd" "$@" --help >"$tmp/out" 2>"$tmp/err"; then
    bad "$cmd $* --help: exit non-zero: $(head -1 "$tmp/err")"
  elif ! head -1 "$tmp/out" | grep -q "^usage: httpsbench $cmd "; then
    bad "$cmd $* --help: first line $(head -1 "$tmp/out")"
  elif grep -q "^usage: httpsbench-" "$tmp/out"; then
    bad "$cmd $* --help: the engine's usage line is shown"
  elif ! grep -q "^  --backend NAME" "$tmp/out" &&
       ! grep -q "no --backend" "$tmp/out"; then
    bad "$cmd $* --help: --backend not explained"
  elif ! grep -q "^The engine's options (httpsbench-" "$tmp/out"; then
    bad "$cmd $* --help: no engine options"
  else ok; fi
}
help_case server
grep -q -- "--listen HOST:PORT" "$tmp/out" && ok ||
  bad "server --help lacks the engine's --listen"
help_case load
grep -q -- "--connections N" "$tmp/out" && ok ||
  bad "load --help lacks the engine's --connections"
help_case load --backend "$FIRST"
[ -x "$bin/httpsbench-curl" ] && help_case load --client curl

# --- every measurement failed: exit 1, one line saying why ---
port=$("$HB_PYTHON" -c 'import socket; s=socket.socket();
s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])') # closed again
all_failed() { # name args...: exit 1, the reason last, a valid report
  local name=$1 rc; shift
  rm -f "$tmp/$name.json"
  "$@" --json "$tmp/$name.json" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  if [ $rc -ne 1 ]; then bad "$name: exit $rc, want 1"
  elif ! tail -1 "$tmp/err" | grep -q ": every measurement failed"; then
    bad "$name: last line: $(tail -1 "$tmp/err")"
  elif ! validate "$tmp/$name.json"; then bad "$name: report invalid"
  elif ! "$HB_PYTHON" -c 'import json,sys; r=json.load(open(sys.argv[1]));
sys.exit(0 if r["results"] and all(x["status"] == "error" and x["error"]
         for x in r["results"]) else 1)' "$tmp/$name.json"; then
    bad "$name: results are not all errors with a reason"
  else ok; fi
}
all_failed hs-tcp $hb handshake --connect "127.0.0.1:$port" --tls tcp -n 2 \
  --quiet
grep -q "connect" "$tmp/err" && ok || bad "hs-tcp: reason lacks connect"
all_failed hs-tls $hb handshake --connect "127.0.0.1:$port" --tls 1.2 \
  --backend "$FIRST" -n 2 --crypto /dev/null --quiet
# an engine that dies: the front end's error result
mkdir -p "$tmp/fake"
printf '#!/bin/sh\nexit 1\n' >"$tmp/fake/httpsbench-$first"
chmod +x "$tmp/fake/httpsbench-$first"
all_failed crypto-dead env HTTPSBENCH_ENGINE_DIR="$tmp/fake" $hb crypto \
  --backend "$first" --sizes 16 --filter '^sha256/' --quiet

# --- progress: rewritten in place on a terminal only, else whole lines ---
"$bin/httpsbench-$first" crypto --progress --filter '^sha256/' --sizes 64 \
  --seconds 0.01 --repetitions 2 --json "$tmp/p.json" 2>"$tmp/err"
if grep -q $'\r' "$tmp/err"; then bad "engine progress: a CR in a file"
elif [ "$(grep -c '^\[.* round [12]/2\] 1 cases$' "$tmp/err")" -ne 2 ]; then
  bad "engine progress: $(head -3 "$tmp/err")"
else ok; fi

# --- scripts/lib/deps.sh: one line, or the log's tail and non-zero ---
fb=$tmp/fakebin
mkdir -p "$fb" "$tmp/ws/build" "$tmp/ws2"
cat >"$fb/dpkg-query" <<'SH'
#!/bin/sh
for p; do :; done
case " $FAKE_MISSING " in *" $p "*) exit 1 ;; esac
printf 'install ok installed'
SH
cat >"$fb/apt-get" <<'SH'
#!/bin/sh
i=0
while [ $i -lt 200 ]; do i=$((i + 1)); echo "apt-get $1: line $i"; done
exit ${FAKE_APT_RC:-0}
SH
cat >"$fb/id" <<'SH'
#!/bin/sh
[ "$1" = -u ] && { echo 0; exit 0; }
exec /usr/bin/id "$@"
SH
chmod +x "$fb"/*
deps() { # dir apt-rc
  (cd "$1" && PATH="$fb:$PATH" FAKE_MISSING="cmake git" FAKE_APT_RC=$2 \
     bash -c '. "$1" && hb_install_deps' _ "$src/scripts/lib/deps.sh") \
    >"$tmp/dout" 2>"$tmp/derr"
}
deps "$tmp/ws" 0
rc=$?
if [ $rc -ne 0 ]; then bad "deps: exit $rc: $(tail -2 "$tmp/derr")"
elif [ -s "$tmp/dout" ] || [ "$(wc -l <"$tmp/derr")" -ne 1 ] ||
     [ "$(cat "$tmp/derr")" != \
       "installing 2 Debian packages (log: build/install.log)" ]; then
  bad "deps: printed $(cat "$tmp/dout" "$tmp/derr" | head -3)"
elif ! grep -q "apt-get install: line 200" "$tmp/ws/build/install.log"; then
  bad "deps: apt's output is not in the log"
else ok; fi
deps "$tmp/ws2" 100 # no build/ yet: a log in /tmp; apt-get fails
rc=$?
dlog=$(sed -n '1s/.*(log: \(.*\))$/\1/p' "$tmp/derr")
if [ $rc -eq 0 ]; then bad "deps: a failed apt-get returned 0"
elif [ "${dlog#/tmp/}" = "$dlog" ] || [ ! -f "$dlog" ]; then
  bad "deps: log '$dlog' is not a file in /tmp"
elif [ "$(wc -l <"$tmp/derr")" -ne 32 ] ||
     [ "$(tail -1 "$tmp/derr")" != "apt-get update: line 200" ]; then
  bad "deps failure: $(wc -l <"$tmp/derr") lines: $(sed -n 2p "$tmp/derr")"
else ok; fi
[ -n "$dlog" ] && rm -f "$dlog"

# --- a new run's files under results/ are ignored, tracked ones stay ---
if git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
  if git -C "$src" check-ignore -q --no-index results/new-run.json &&
     git -C "$src" check-ignore -q --no-index results/new-run/fig.svg; then ok
  else bad "results/: a new run's files are not ignored"; fi
  tracked=$(git -C "$src" ls-files results | head -1)
  if [ -z "$tracked" ] || ! git -C "$src" check-ignore -q "$tracked"; then ok
  else bad "results/: the tracked $tracked is reported ignored"; fi
fi

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
