/* httpsbench-link's command line, parsed without printing or exiting so
 * that tests and fuzzing can call it; main.c prints the help or the
 * one-line usage error and exits. */
#ifndef HB_LINK_ARGS_H
#define HB_LINK_ARGS_H

#include <stddef.h>

#include "link_opts.h"

struct hb_link_args {
  struct hb_link_cfg cfg;
  char **srv_argv, **cli_argv; /* into argv, NULL-terminated */
  int hold, measure_n, quiet, no_ready, no_realtime;
  const char *stats_path, *ready;
  double ready_timeout_s;
};

/* The defaults: no link option, ready "listening on" within 60 s. */
void hb_link_args_init(struct hb_link_args *a);

/* Parses argv[1..]: 0 when done, 1 for --help / -h, -1 for bad usage with
 * a one-line reason in why. The "--" ending --server's command is
 * replaced by NULL in argv (it ends that command's argv). */
int hb_link_args_parse(struct hb_link_args *a, int argc, char **argv,
                       char *why, size_t whylen);

#endif
