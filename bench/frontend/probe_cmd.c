/* httpsbench probe URL [URL...]: libcurl, as a real client, times any
 * HTTP(S) endpoint phase by phase (clients/curl/probe.c).
 *
 * The curl engine makes the requests and prints the timeline; the front
 * end gives it a temporary report and writes the one asked for once the
 * engine wrote it: also when a URL never answered (exit 1; its results
 * have status "error" and say why), never after bad usage. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frontend.h"
#include "hb/cli.h"
#include "argvec.h"
#include "engine_run.h"
#include "hb/report.h"
#include "results.h"
#include "link_fe.h"

static int pc_finish(const char *tmp, const char *json, int interrupted,
                     int argc, char **argv)
{
  json_t *rep, *cmd = json_array();
  hb_err err = { "" };
  int i, rc;

  rep = hb_report_load(tmp, &err);
  if(!rep) {
    json_decref(cmd);
    fprintf(stderr, "httpsbench probe: the curl engine wrote no report: "
            "%s\n", err.msg);
    return 1;
  }
  /* the command the user typed, not the engine's */
  for(i = 0; i < argc; i++)
    json_array_append_new(cmd, json_string(argv[i]));
  json_object_set_new(json_object_get(rep, "run"), "command_line", cmd);
  rc = hb_report_finish(rep, "probe", json, interrupted);
  json_decref(rep);
  return rc;
}

int hb_cmd_probe(int argc, char **argv)
{
  const char *json = NULL;
  char path[4200], tmpdir[] = "/tmp/httpsbench.XXXXXX", tmp[64];
  hb_argv av = HB_ARGV_INIT;
  char *const *args;
  char **typed;
  hb_err err = { "" };
  int i, rc, typed_n, help = 0;

  if(hb_engine_path("curl", path, sizeof(path))) {
    fprintf(stderr, "httpsbench probe: the curl engine was not built "
            "(libcurl was missing at configure time; Debian: "
            "libcurl4-openssl-dev)\n");
    return 1;
  }
  /* the command as typed, for the report, then the link options out */
  typed = calloc((size_t)argc + 1, sizeof(*typed));
  if(!typed)
    return 1;
  memcpy(typed, argv, (size_t)argc * sizeof(*argv));
  typed_n = argc;
  argc = hb_fe_link_strip("probe", argc, argv, 0);
  for(i = 1; i < argc; i++)
    if(!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
      help = 1;
  if(hb_fe_link_wanted() && !help) {
    /* across the link: the engine's own arguments, --json included, and
     * our OpenSSL server behind the link (libcurl uses OpenSSL here) */
    hb_argv_add(&av, path);
    hb_argv_add(&av, "probe");
    for(i = 1; i < argc; i++)
      hb_argv_add(&av, argv[i]);
    args = hb_argv_get(&av, &err);
    rc = args ? hb_fe_link_client_run("probe", (char **)args, "openssl",
                                      typed_n, typed) : 1;
    hb_argv_free(&av);
    free(typed);
    return rc;
  }
  free(typed);
  hb_argv_add(&av, path);
  hb_argv_add(&av, "probe");
  for(i = 1; i < argc; i++) {
    if(!strcmp(argv[i], "--json")) {
      if(i + 1 == argc)
        hb_usage_fail("probe", "--json needs a value");
      json = argv[++i];
    }
    else if(!strncmp(argv[i], "--json=", 7))
      json = argv[i] + 7;
    else
      hb_argv_add(&av, argv[i]);
  }
  if(json && hb_report_check_path(json, &err) != HB_OK)
    hb_usage_fail("probe", "--json: %s", err.msg);
  if(json) {
    if(!mkdtemp(tmpdir)) {
      hb_argv_free(&av);
      fprintf(stderr, "httpsbench probe: cannot create a temporary "
              "directory\n");
      return 1;
    }
    snprintf(tmp, sizeof(tmp), "%s/probe.json", tmpdir);
    hb_argv_opt(&av, "--json", tmp);
  }
  args = hb_argv_get(&av, &err);
  rc = args ? hb_engine_exec(args) : -1;
  if(rc < 0) {
    fprintf(stderr, "httpsbench probe: cannot run %s%s%s\n", path,
            args ? "" : ": ", args ? "" : err.msg);
    rc = 1;
  }
  hb_argv_free(&av);
  if(help && rc == 0) {
    hb_fe_link_help(stdout);
    printf("  With a link option every URL's host is 127.0.0.1, "
           "localhost or [::1]\n  (IPv6): our OpenSSL server (plain for "
           "http) runs behind the link and\n  the report records the link as configured and "
           "as measured before the run.\n");
  }
  if(json) {
    /* 1: a URL never answered, and the report says so */
    if(rc == 0 || rc == HB_EXIT_INTERRUPTED ||
       (rc == 1 && access(tmp, F_OK) == 0)) {
      int w = pc_finish(tmp, json, rc == HB_EXIT_INTERRUPTED, argc, argv);
      if(w)
        rc = w;
    }
    unlink(tmp);
    rmdir(tmpdir);
  }
  return rc;
}
