/* A program's commands, the front end's and every engine's, run by one
 * main: `PROGRAM COMMAND ARGS...`. */
#ifndef HB_COMMAND_H
#define HB_COMMAND_H

#include <stdio.h>

typedef struct hb_command {
  const char *name;
  int (*run)(int argc, char **argv); /* argv[0]: the command's name */
  int measures; /* idle CPUs poll while it runs (hb/envinfo.h) */
} hb_command;

/* A program's main: stdout line-buffered (tables and messages of several
 * processes may share a pipe or log and must not cut each other at a
 * buffer boundary), SIGINT/SIGTERM handled (hb/sig.h); no command:
 * usage on stderr and exit 2; --help or -h: usage on stdout, 0; else
 * the command of cmds (ended by a NULL name) named by argv[1], after
 * asking idle CPUs to poll when it measures (the engines it starts
 * inherit the request). An unknown command exits 2 after "PROG: unknown
 * command 'X' (HINT)", or the usage on stderr when hint is NULL. */
int hb_main(int argc, char **argv, const hb_command *cmds,
            void (*usage)(FILE *), const char *prog, const char *hint);

#endif
