/* One main for the front end and the engines (hb/command.h). */
#include <string.h>

#include "hb/cli.h"
#include "hb/command.h"
#include "hb/envinfo.h"
#include "hb/sig.h"

int hb_main(int argc, char **argv, const hb_command *cmds,
            void (*usage)(FILE *), const char *prog, const char *hint)
{
  const hb_command *c;

  setvbuf(stdout, NULL, _IOLBF, 0);
  hb_signals_install();
  if(argc < 2) {
    usage(stderr);
    return HB_EXIT_USAGE;
  }
  if(!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
    usage(stdout);
    return 0;
  }
  for(c = cmds; c->name; c++)
    if(!strcmp(argv[1], c->name)) {
      if(c->measures)
        hb_cpu_idle_poll();
      return c->run(argc - 1, argv + 1);
    }
  if(hint)
    fprintf(stderr, "%s: unknown command '%s' (%s)\n", prog, argv[1], hint);
  else
    usage(stderr);
  return HB_EXIT_USAGE;
}
