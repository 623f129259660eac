/* load and probe across the emulated link (issue #13): the link joins
 * only our own namespaces, so a URL names what to ask our server for
 * (scheme and path); our server of the same library runs behind the
 * link, the client engine in front of it, and the engine's report gets
 * the link as configured and as measured just before the run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "argvec.h"
#include "engine_run.h"
#include "frontend.h"
#include "hb/certs.h"
#include "hb/cli.h"
#include "hb/report.h"
#include "results.h"
#include "hb/sig.h"
#include "link_fe.h"

/* The scheme length (7 or 8) of an http(s) URL, else 0. */
static size_t scheme_len(const char *a)
{
  if(!strncmp(a, "http://", 7))
    return 7;
  if(!strncmp(a, "https://", 8))
    return 8;
  return 0;
}

/* The path of url after its authority, when the host is our loopback;
 * NULL otherwise. */
static const char *local_path(const char *url)
{
  const char *h = url + scheme_len(url), *p = h + strcspn(h, "/?#");
  size_t hl;

  if(*h == '[')
    hl = strcspn(h, "]") + 1;
  else
    hl = strcspn(h, ":/?#");
  if(!((hl == 9 && !strncmp(h, "127.0.0.1", 9)) ||
       (hl == 9 && !strncmp(h, "localhost", 9)) ||
       (hl == 5 && !strncmp(h, "[::1]", 5))))
    return NULL;
  return p;
}

static int has_arg(char **args, const char *name)
{
  size_t n = strlen(name);
  int i;

  for(i = 1; args[i]; i++)
    if(!strncmp(args[i], name, n) && (!args[i][n] || args[i][n] == '='))
      return 1;
  return 0;
}

int hb_fe_link_client_run(const char *cmd, char **args,
                          const char *tls_backend, int argc, char **argv)
{
  char tmpdir[] = "/tmp/httpsbench.XXXXXX", tmp[64], why[800];
  const char *json = NULL;
  int i, https = -1, v6 = -1, rc;
  hb_argv av = HB_ARGV_INIT, sv = HB_ARGV_INIT;
  char *const *cargs;
  hb_cert_paths certs;
  hb_server s;
  hb_err err = { "" };
  json_t *m, *rep, *link, *r, *line;
  size_t k;

  for(i = 1; args[i]; i++) {
    size_t sl = scheme_len(args[i]);
    if(!strcmp(args[i], "--json") && args[i + 1])
      json = args[++i];
    else if(!strncmp(args[i], "--json=", 7))
      json = args[i] + 7;
    else if(sl) {
      if(!local_path(args[i]))
        hb_usage_fail(cmd, "with a link option the URL names our own "
                      "server behind the link (host 127.0.0.1, "
                      "localhost or [::1]; the link joins only our namespaces), not "
                      "'%s'", args[i]);
      if(https >= 0 && https != (sl == 8))
        hb_usage_fail(cmd, "with a link option the URLs are all http or "
                      "all https (one server behind the link)");
      https = sl == 8;
      /* [::1]: the server's IPv6 address across the link */
      if(v6 >= 0 && v6 != (args[i][sl] == '['))
        hb_usage_fail(cmd, "with a link option the URLs are all IPv4 "
                      "(127.0.0.1, localhost) or all IPv6 ([::1])");
      v6 = args[i][sl] == '[';
    }
  }
  if(v6 == 1)
    hb_fe_ipv6 = 1;
  if(https < 0)
    hb_usage_fail(cmd, "no http(s) URL given");
  if(json && hb_report_check_path(json, &err) != HB_OK)
    hb_usage_fail(cmd, "--json: %s", err.msg);
  if(https && !tls_backend)
    hb_usage_fail(cmd, "no TLS engine to serve https behind the link");
  if(hb_certs_ensure("ecdsa-p256", &certs, &err) != HB_OK) {
    fprintf(stderr, "httpsbench %s: %s\n", cmd, err.msg);
    return 1;
  }
  if(!mkdtemp(tmpdir)) {
    fprintf(stderr, "httpsbench %s: cannot create a temporary directory\n",
            cmd);
    return 1;
  }
  hb_server_log_set(tmpdir);
  snprintf(tmp, sizeof(tmp), "%s/client.json", tmpdir);
  if(hb_fe_link_start(why, sizeof(why))) {
    fprintf(stderr, "httpsbench %s: %s\n", cmd, why);
    rmdir(tmpdir);
    return 1;
  }
  if(https)
    hb_argv_opt(&sv, "--cert-type", "ecdsa-p256");
  memset(&s, 0, sizeof(s));
  hb_fe_link_side = HB_FE_SIDE_SERVER;
  rc = hb_server_start(https ? tls_backend : "plain", &sv, 0, &s, &err);
  hb_fe_link_side = HB_FE_SIDE_NONE;
  hb_argv_free(&sv);
  if(rc != HB_OK) {
    fprintf(stderr, "httpsbench %s: %s\n", cmd, err.msg);
    json_decref(hb_fe_link_stop());
    hb_server_log_flush();
    rmdir(tmpdir);
    return 1;
  }
  for(i = 0; args[i]; i++) {
    if(i && (!strcmp(args[i], "--json") && args[i + 1])) {
      hb_argv_opt(&av, "--json", tmp);
      i++;
    }
    else if(i && !strncmp(args[i], "--json=", 7))
      hb_argv_opt(&av, "--json", tmp);
    else if(i && scheme_len(args[i]))
      hb_argv_addf(&av, "%.*s%s:%d%s", (int)scheme_len(args[i]), args[i],
                   hb_fe_link_host(), s.port, local_path(args[i]));
    else
      hb_argv_add(&av, args[i]);
  }
  if(https && !has_arg(args, "--cacert") && !has_arg(args, "--insecure"))
    hb_argv_opt(&av, "--cacert", certs.root);
  cargs = hb_argv_get(&av, &err);
  m = hb_fe_link_measure(); /* the link as it is before the run */
  unlink(tmp);
  hb_fe_link_side = HB_FE_SIDE_CLIENT;
  rc = cargs ? hb_engine_exec(cargs) : -1;
  hb_fe_link_side = HB_FE_SIDE_NONE;
  hb_argv_free(&av);
  if(rc < 0) {
    fprintf(stderr, "httpsbench %s: cannot run %s%s%s\n", cmd, args[0],
            cargs ? "" : ": ", cargs ? "" : err.msg);
    rc = 1;
  }
  hb_server_stop(&s);
  link = hb_fe_link_stop();
  hb_server_log_flush();
  if(link)
    json_object_set(link, "measured_before_run", m ? m : json_null());
  rep = json ? hb_report_load(tmp, &err) : NULL;
  if(json && !rep) {
    fprintf(stderr, "httpsbench %s: the engine wrote no report: %s\n", cmd,
            err.msg);
    rc = rc ? rc : 1;
  }
  else if(rep) {
    line = json_array();
    for(i = 0; i < argc; i++)
      json_array_append_new(line, json_string(argv[i]));
    json_object_set_new(json_object_get(rep, "run"), "command_line", line);
    json_array_foreach(json_object_get(rep, "results"), k, r)
      if(m)
        json_object_set(r, "link_measured", m);
    json_object_set(rep, "link", link ? link : json_null());
    if(hb_report_finish(rep, cmd, json, hb_interrupted() != 0))
      rc = rc ? rc : 1;
    json_decref(rep);
  }
  json_decref(m);
  json_decref(link);
  unlink(tmp);
  rmdir(tmpdir);
  return rc;
}
