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

/* Starts argv, pinned to CPU cpu (-1: anywhere); with out_fd non-NULL its
 * stdout goes to a pipe whose read end is returned there. Returns the pid
 * or -1. */
int hb_engine_spawn(char *const argv[], int cpu, int *out_fd);

/* Starts argv with its standard input and output on pipes: the write
 * end of its input into *in_fd, the read end of its output into *out_fd.
 * Returns the pid or -1. */
int hb_engine_spawn_io(char *const argv[], int *in_fd, int *out_fd);
/* The same with the child's stderr appended to errlog: a server's
 * per-category messages would otherwise interleave with the tables. */
int hb_engine_spawn_log(char *const argv[], int cpu, int *out_fd,
                        const char *errlog);

/* Waits for pid, passing SIGINT/SIGTERM on; returns as hb_engine_exec. */
int hb_engine_wait(int pid);

/* Runs argv pinned to cpu and waits. */
int hb_engine_exec_pinned(char *const argv[], int cpu);

/* The same with the child's stdout discarded (its report goes to a file;
 * its terminal summary would interleave with ours). */
int hb_engine_exec_quiet(char *const argv[], int cpu);

/* Reads one line from fd into buf within timeout_ms; 0 on success. */
int hb_read_line(int fd, char *buf, size_t size, int timeout_ms);

/* CPU seconds and resident memory (VmRSS, VmHWM) of a running process. */
int hb_proc_usage(int pid, double *user_s, double *sys_s, long *rss_bytes,
                  long *hwm_bytes);

/* Runs argv and captures the first line of its stdout into out. */
int hb_engine_capture(char *const argv[], char *out, size_t size);

#endif
