/* Signals: SIGINT/SIGTERM set a flag that long loops poll, so a run stops
 * between measurements and still writes a valid report. SIGPIPE is ignored
 * (a peer that goes away is an EPIPE error, not a crash). */
#ifndef HB_SIG_H
#define HB_SIG_H

#include <stddef.h>

void hb_signals_install(void);
int hb_interrupted(void);       /* the signal number, or 0 */

/* Clients run by a coordinator on other hosts (--stop-on-eof,
 * --start-at of load and handshake). hb_stop_on_eof: a thread reads
 * standard input to its end, then raises SIGTERM (the same flag, the same
 * partial report), so no client outlives its coordinator's connection.
 * hb_start_at: sleeps until Unix time at (the real clock; 0: now), in
 * slices so a signal ends the wait; *started is when it returned. Both
 * return 0, or -1 with why (size bytes). */
int hb_stop_on_eof(char *why, size_t size);
int hb_start_at(double at, double *started, char *why, size_t size);
double hb_realtime(void);       /* CLOCK_REALTIME, seconds */

#endif
