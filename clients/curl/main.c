/* httpsbench-curl: the engine that runs libcurl, the real-world client.
 * Normally started by the front end (`httpsbench probe`, `httpsbench load
 * --client curl`, the throughput driver's curl row); usable on its own. */
#include <stdio.h>
#include <string.h>

#include "curl_engine.h"
#include "hb/cli.h"
#include "hb/envinfo.h"
#include "hb/sig.h"

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

int main(int argc, char **argv)
{
  int rc;

  if(argc < 2) {
    cm_usage(stderr);
    return HB_EXIT_USAGE;
  }
  if(!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
    cm_usage(stdout);
    return 0;
  }
  if(!strcmp(argv[1], "version")) {
    /* first line: the TLS library, as the reports name the version */
    printf("%s\nlibcurl/%s\n", cu_tls_library(), cu_libcurl_version());
    return 0;
  }
  if(strcmp(argv[1], "probe") && strcmp(argv[1], "load")) {
    fprintf(stderr, "httpsbench-curl: unknown command '%s' (version, "
            "probe, load)\n", argv[1]);
    return HB_EXIT_USAGE;
  }
  hb_signals_install();
  hb_cpu_idle_poll(); /* see hb/envinfo.h */
  if(curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    fprintf(stderr, "httpsbench-curl: libcurl failed to initialize\n");
    return 1;
  }
  if(!strcmp(argv[1], "probe"))
    rc = cu_probe_main(argc - 1, argv + 1);
  else
    rc = cu_load_main(argc - 1, argv + 1);
  curl_global_cleanup();
  return rc;
}
