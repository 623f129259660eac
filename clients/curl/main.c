/* httpsbench-curl: the engine that runs libcurl, the real-world client.
 * Normally started by the front end (`httpsbench probe`, `httpsbench load
 * --client curl`, the throughput driver's curl row); usable on its own. */
#include <stdio.h>
#include <string.h>

#include "curl_engine.h"
#include "hb/cli.h"
#include "hb/command.h"

static void cm_usage(FILE *f)
{
  fprintf(f,
    "usage: httpsbench-curl version\n"
    "       httpsbench-curl probe URL [URL...] [options] (see probe "
    "--help)\n"
    "       httpsbench-curl load URL [options]           (see load --help)\n"
    "Engine running libcurl (%s, %s); normally started by `httpsbench`.\n",
    cu_libcurl_version(), cu_tls_library());
}

static int cm_version(int argc, char **argv)
{
  (void)argc;
  (void)argv;
  /* first line: the TLS library, as the reports name the version */
  printf("%s\nlibcurl/%s\n", cu_tls_library(), cu_libcurl_version());
  return 0;
}

/* probe and load: inside libcurl's global state */
static int cm_run(int argc, char **argv)
{
  int rc;

  if(curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    fprintf(stderr, "httpsbench-curl: libcurl failed to initialize\n");
    return 1;
  }
  rc = !strcmp(argv[0], "probe") ? cu_probe_main(argc, argv)
                                 : cu_load_main(argc, argv);
  curl_global_cleanup();
  return rc;
}

int main(int argc, char **argv)
{
  static const hb_command cmds[] = {
    { "version", cm_version, 0 },
    { "probe", cm_run, 1 },
    { "load", cm_run, 1 },
    { NULL, NULL, 0 }
  };

  return hb_main(argc, argv, cmds, cm_usage, "httpsbench-curl",
                 "version, probe, load");
}
