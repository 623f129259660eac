/* httpsbench-link's command line (link_args.h). */
#include "link_args.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void hb_link_args_init(struct hb_link_args *a)
{
  memset(a, 0, sizeof(*a));
  hb_link_cfg_init(&a->cfg);
  a->ready = "listening on";
  a->ready_timeout_s = 60;
}

static int no_value(const char *name)
{
  static const char *const flags[] = { "hold", "quiet", "no-realtime",
                                       "no-ready", "reorder", NULL };
  int i;

  for(i = 0; flags[i]; i++)
    if(!strcmp(name, flags[i]))
      return 1;
  return 0;
}

static int parse(struct hb_link_args *a, int argc, char **argv,
                 char *why, size_t whylen)
{
  int i;

  for(i = 1; i < argc; i++) {
    char name[64];
    const char *arg = argv[i], *val = NULL, *eq;
    int r, j;
    if(!strcmp(arg, "--help") || !strcmp(arg, "-h"))
      return 1;
    if(!strcmp(arg, "--server")) {
      a->srv_argv = &argv[i + 1];
      for(j = i + 1; j < argc && strcmp(argv[j], "--"); j++)
        ;
      if(j == argc) {
        snprintf(why, whylen, "--server needs a command ending with '--'");
        return -1;
      }
      if(j == i + 1) {
        snprintf(why, whylen, "--server needs a command");
        return -1;
      }
      argv[j] = NULL;
      i = j;
      continue;
    }
    if(!strcmp(arg, "--client")) {
      if(i + 1 >= argc) {
        snprintf(why, whylen, "--client needs a command");
        return -1;
      }
      a->cli_argv = &argv[i + 1];
      break;
    }
    if(strncmp(arg, "--", 2)) {
      snprintf(why, whylen, "unexpected argument '%s'", arg);
      return -1;
    }
    eq = strchr(arg, '=');
    snprintf(name, sizeof(name), "%.*s",
             (int)(eq ? (size_t)(eq - arg - 2) : strlen(arg + 2)), arg + 2);
    if(eq)
      val = eq + 1;
    if(no_value(name)) {
      if(val) {
        snprintf(why, whylen, "--%s takes no value", name);
        return -1;
      }
    } else if(!val) {
      if(i + 1 >= argc) {
        snprintf(why, whylen, "--%s needs a value", name);
        return -1;
      }
      val = argv[++i];
    }
    r = hb_link_parse(&a->cfg, name, val, why, whylen);
    if(r < 0)
      return -1;
    if(r > 0)
      continue;
    if(!strcmp(name, "hold"))
      a->hold = 1;
    else if(!strcmp(name, "quiet"))
      a->quiet = 1;
    else if(!strcmp(name, "no-realtime"))
      a->no_realtime = 1;
    else if(!strcmp(name, "no-ready"))
      a->no_ready = 1;
    else if(!strcmp(name, "stats"))
      a->stats_path = val;
    else if(!strcmp(name, "ready"))
      a->ready = val;
    else if(!strcmp(name, "measure")) {
      char *e;
      long n = strtol(val, &e, 10);
      if(*e || !*val || n < 0 || n > 10000) {
        snprintf(why, whylen, "bad value for --measure: '%s' (want 0 to "
                 "10000)", val);
        return -1;
      }
      a->measure_n = (int)n;
    } else if(!strcmp(name, "ready-timeout")) {
      char *e;
      double s = strtod(val, &e);
      if(*e || !*val || !(s > 0 && s <= 3600)) {
        snprintf(why, whylen, "bad value for --ready-timeout: '%s' (want 0 "
                 "to 3600 s)", val);
        return -1;
      }
      a->ready_timeout_s = s;
    } else {
      snprintf(why, whylen, "unknown option '--%s'", name);
      return -1;
    }
  }
  if(a->hold && (a->cli_argv || a->srv_argv)) {
    snprintf(why, whylen, "--hold runs no commands");
    return -1;
  }
  if(!a->hold && !a->cli_argv) {
    snprintf(why, whylen, "nothing to run: give --client CMD (or --hold)");
    return -1;
  }
  return 0;
}

int hb_link_args_parse(struct hb_link_args *a, int argc, char **argv,
                       char *why, size_t whylen)
{
  int rc = parse(a, argc, argv, why, whylen);

  if(rc < 0)
    hb_link_one_line(why);
  return rc;
}
