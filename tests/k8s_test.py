#!/usr/bin/env python3
"""The Kubernetes path (issue #16, deploy/kubernetes/): checked here
without a cluster.

usage: k8s_test.py BUILD_DIR
- The manifest as `run --render` fills it parses as YAML (Debian's
  python3-yaml) into a server Pod, a Service and an indexed Job, with the
  fields the API requires of each (apiVersion, kind, metadata.name, the
  containers' names and images), no field left unfilled; the Service
  selects the server Pod by its labels and targets its named port; the
  clients dial the Service's name and port; the Job is Indexed with
  completions = parallelism = --clients; the commands name the chosen
  engine, which this build has. A cluster's client-side dry run needs an
  API server to map kinds, so it is not run (the test says so).
- The gathering: two real load engines' reports, each wrapped in a pod
  log (engine messages before it, between the markers the Job prints),
  merged by `run --from-logs`: the merged counts are the sums, one host
  per pod; a log without a report is named and left out.
- Bad usage: exit 2, one line.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

import hbtest
from hbtest import check

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from load_test import Engine  # noqa: E402

RUN = os.path.join(hbtest.SRC, "deploy", "kubernetes", "run")


def need(obj, *path):
    for k in path:
        if not isinstance(obj, dict) or k not in obj:
            return None
        obj = obj[k]
    return obj


def manifest_checks(build):
    backend = "openssl" if os.path.exists(
        os.path.join(build, "httpsbench-openssl")) else "plain"
    rc, so, se = hbtest.run(["bash", RUN, "--render", "--image",
                             "registry.example/httpsbench:test", "--backend",
                             backend, "--clients", "4", "-c", "8"])
    if not check(rc == 0, "render: exit 0: %s" % se.strip()):
        return
    check(not re.search(r"@[A-Z_]+@", so),
          "every @FIELD@ filled")
    docs = [d for d in yaml.safe_load_all(so) if d is not None]
    kinds = [d.get("kind") for d in docs]
    if not check(kinds == ["Pod", "Service", "Job"],
                 "a Pod, a Service and a Job: %s" % kinds):
        return
    pod, svc, job = docs
    for d in docs:
        check(isinstance(d.get("apiVersion"), str) and
              isinstance(need(d, "metadata", "name"), str),
              "%s: apiVersion and metadata.name" % d["kind"])
    check(job["apiVersion"] == "batch/v1" and pod["apiVersion"] == "v1" and
          svc["apiVersion"] == "v1", "API versions")
    spec = job["spec"]
    check(spec.get("completionMode") == "Indexed" and
          spec.get("completions") == 4 and spec.get("parallelism") == 4,
          "indexed Job of 4: %s" % spec)
    tmpl = need(spec, "template", "spec")
    check(tmpl and tmpl.get("restartPolicy") == "Never",
          "Job pods never restart (a rerun would not start with the others)")
    conts = (need(pod, "spec", "containers") or []) + \
        ((tmpl or {}).get("containers") or [])
    check(len(conts) == 2 and all(isinstance(c.get("name"), str) and
                                  isinstance(c.get("image"), str) and
                                  c["image"] for c in conts),
          "containers have names and images")
    labels = need(pod, "metadata", "labels") or {}
    sel = need(svc, "spec", "selector") or {}
    check(sel and all(labels.get(k) == v for k, v in sel.items()),
          "the Service selects the server Pod: %s vs %s" % (sel, labels))
    sport = (need(svc, "spec", "ports") or [{}])[0]
    cport = (need(conts[0], "ports") or [{}])[0] if conts else {}
    check(sport.get("targetPort") == cport.get("name") and
          isinstance(cport.get("containerPort"), int),
          "the Service targets the server's named port")
    client_cmd = " ".join(conts[1].get("command", []) +
                          conts[1].get("args", [])) if len(conts) > 1 else ""
    server_cmd = " ".join(conts[0].get("command", [])) if conts else ""
    want_url = "https://%s:%d/" % (need(svc, "metadata", "name"),
                                   sport.get("port", -1))
    check(want_url in client_cmd, "clients dial %s: %s" % (want_url,
                                                           client_cmd))
    check("0.0.0.0:%s" % cport.get("containerPort") in server_cmd,
          "the server listens on its container port")
    check("-c 8" in client_cmd and "--start-at" in client_cmd and
          "httpsbench-report-begin" in client_cmd,
          "clients: -c, a common start and the report markers")
    eng = "/opt/httpsbench/httpsbench-" + backend
    check(server_cmd.startswith(eng) and eng in client_cmd and
          os.path.exists(os.path.join(build, "httpsbench-" + backend)),
          "the engine named is one this build has")
    if shutil.which("kubectl"):
        print("k8s: kubectl is here, but its client-side dry run needs an "
              "API server to map kinds: not run")
    else:
        print("k8s: no kubectl: the manifest is checked as YAML here")
    rc, _, se = hbtest.run(["bash", "-n", RUN])
    check(rc == 0, "run: bash -n: %s" % se.strip())


def gather_checks(build, tmp):
    srv = Engine(build, "plain")
    try:
        if not check(srv.port, "server on 127.0.0.1"):
            return
        logs = os.path.join(tmp, "logs")
        os.mkdir(logs)
        reports = []
        procs = []
        for i in range(2):
            p = os.path.join(tmp, "r%d.json" % i)
            reports.append(p)
            procs.append(subprocess.Popen(
                [os.path.join(build, "httpsbench-plain"), "load",
                 srv.url("/bytes/512"), "-c", "2", "-n", "400", "--json", p],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        check([p.wait(timeout=120) for p in procs] == [0, 0],
              "two load engines exit 0")
    finally:
        srv.stop()
    for i, p in enumerate(reports):
        with open(os.path.join(logs, "client-%d.log" % i), "w") as f:
            f.write("httpsbench-plain load: engine messages first\n")
            f.write("httpsbench-report-begin %d\n" % i)
            f.write(open(p).read())
            f.write("\nhttpsbench-report-end\n")
    with open(os.path.join(logs, "client-2.log"), "w") as f:
        f.write("a pod that died before its report\n")
    out = os.path.join(tmp, "out")
    env = dict(os.environ, HTTPSBENCH=os.path.join(build, "httpsbench"))
    p = subprocess.run(["bash", RUN, "--from-logs", logs, "--out", out],
                       capture_output=True, text=True, timeout=120, env=env)
    check(p.returncode == 0, "from-logs: exit 0: %s" % p.stderr.strip())
    check("client 2: no report" in p.stderr,
          "the pod without a report is named: %s" % p.stderr.strip())
    try:
        m = json.load(open(os.path.join(out, "merged.json")))["results"][0]
    except (OSError, ValueError, IndexError, KeyError) as e:
        check(False, "merged report: %s" % e)
        return
    ins = [json.load(open(p))["results"][0] for p in reports]
    check(m["counts"]["requests"] == 800 ==
          sum(r["counts"]["requests"] for r in ins),
          "merged requests = the pods' sum: %s" % m["counts"]["requests"])
    check([h["label"] for h in m["hosts"]] == ["pod-0", "pod-1"],
          "one host per pod: %s" % [h["label"] for h in m["hosts"]])


def main():
    build = sys.argv[1]
    tmp = tempfile.mkdtemp(prefix="hb-k8s.")
    try:
        manifest_checks(build)
        gather_checks(build, tmp)
        for args in (["--clients", "x", "--image", "i"], ["--image"],
                     ["--frob"], ["--render"], ["-d", "soon", "--image",
                                                "i"]):
            rc, so, se = hbtest.run(["bash", RUN] + args)
            check(rc == 2 and len(se.strip().splitlines()) == 1,
                  "usage %s: exit 2, one line (%d: %s)" % (args, rc, se))
        rc, so, _ = hbtest.run(["bash", RUN, "--help"])
        check(rc == 0 and "usage:" in so, "--help")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return hbtest.finish("k8s")


if __name__ == "__main__":
    sys.exit(main())
