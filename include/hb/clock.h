/* Monotonic time and the TSC rate used for cycles-per-byte figures. */
#ifndef HB_CLOCK_H
#define HB_CLOCK_H

#include <stdint.h>

/* Nanoseconds on CLOCK_MONOTONIC; never wall-clock time. */
uint64_t hb_now_ns(void);

/* TSC ticks per nanosecond, measured against CLOCK_MONOTONIC over ~20 ms,
 * or 0 when the CPU has no invariant TSC (then no cycles/byte is shown). */
double hb_tsc_ghz(void);

/* UTC time as ISO 8601 ("2026-11-27T09:33:35Z") into buf. */
void hb_utc_iso8601(char *buf, unsigned long size);

/* CPU time of this process (self) or of waited-for children, seconds. */
void hb_cpu_times(int children, double *user, double *sys);

#endif
