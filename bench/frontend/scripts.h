/* The front end's commands written as scripts (scripts/report, compare,
 * export): found in $HTTPSBENCH_SCRIPTS_DIR, the source tree the binary
 * was built from, or ../../scripts beside the binary (build/<type>/). */
#ifndef HB_SCRIPTS_H
#define HB_SCRIPTS_H

#include <stddef.h>

/* Path of scripts/<name> into buf; 0 when it exists and is readable. */
int hb_script_path(const char *name, char *buf, size_t size);

/* Replaces the process with `bash scripts/<name> argv[1..]`; returns only
 * on failure, after one line on stderr, with exit status 2. */
int hb_script_exec(const char *name, int argc, char **argv);

#endif
