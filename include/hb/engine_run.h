/* Starting engine processes from the front end: one per TLS library. */
#ifndef HB_ENGINE_RUN_H
#define HB_ENGINE_RUN_H

#include <stddef.h>

/* Path of the engine executable for backend (next to the running
 * httpsbench, or in $HTTPSBENCH_ENGINE_DIR) into buf; 0 if it exists. */
int hb_engine_path(const char *backend, char *buf, size_t size);

/* Runs argv (argv[0] is the engine path) and waits. SIGINT/SIGTERM that
 * reach the front end are passed on to the child, which then finishes its
 * report. Returns the exit status, 128+signal if killed, -1 if it could
 * not start. */
int hb_engine_exec(char *const argv[]);

/* Runs argv and captures the first line of its stdout into out. */
int hb_engine_capture(char *const argv[], char *out, size_t size);

#endif
