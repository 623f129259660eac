/* Running the commands written as scripts: report, compare, export. */
#include "scripts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hb/cli.h"

static int scr_try(const char *dir, const char *name, char *buf,
                   size_t size)
{
  snprintf(buf, size, "%s/%s", dir, name);
  return access(buf, R_OK) == 0 ? 0 : -1;
}

int hb_script_path(const char *name, char *buf, size_t size)
{
  const char *env = getenv("HTTPSBENCH_SCRIPTS_DIR");
  char self[4096], dir[4200];
  ssize_t n;

  if(env && *env)
    return scr_try(env, name, buf, size);
  if(scr_try(HB_SOURCE_DIR "/scripts", name, buf, size) == 0)
    return 0;
  /* a tree moved after the build: build/<type>/httpsbench */
  n = readlink("/proc/self/exe", self, sizeof(self) - 1);
  if(n < 0)
    return -1;
  self[n] = '\0';
  *strrchr(self, '/') = '\0';
  snprintf(dir, sizeof(dir), "%s/../../scripts", self);
  return scr_try(dir, name, buf, size);
}

int hb_script_exec(const char *name, int argc, char **argv)
{
  char path[4300];
  char **args;
  int i;

  if(hb_script_path(name, path, sizeof(path))) {
    fprintf(stderr, "httpsbench %s: cannot find scripts/%s (set "
            "HTTPSBENCH_SCRIPTS_DIR to the source tree's scripts/)\n", name,
            name);
    return HB_EXIT_USAGE;
  }
  args = calloc((size_t)argc + 2, sizeof(*args));
  if(!args)
    return HB_EXIT_USAGE;
  args[0] = "bash";
  args[1] = path;
  for(i = 1; i < argc; i++)
    args[i + 1] = argv[i];
  args[argc + 1] = NULL;
  execvp("bash", args);
  fprintf(stderr, "httpsbench %s: cannot run bash %s\n", name, path);
  free(args);
  return HB_EXIT_USAGE;
}
