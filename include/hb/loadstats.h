/* The counters of a load run and how they are shown. Our load generator
 * (clients/load*.c) and libcurl's (clients/curl/load.c) fill the same
 * struct, so both print the same summary and write the same "load"
 * result; only their options and their first summary line differ. */
#ifndef HB_LOADSTATS_H
#define HB_LOADSTATS_H

#include <jansson.h>
#include <stdint.h>

#include "hb/hdr.h"

/* Error categories. A failed request is counted in exactly one and is
 * never a latency sample:
 *   connect  socket() or connect() failed (refused, unreachable, EMFILE)
 *   tls      the TLS handshake failed (any reason, resets included)
 *   read     EOF before the response was complete (mid-head or mid-body,
 *            including a body shorter than its Content-Length), a
 *            malformed status line or head, a bad chunk, more bytes than
 *            the framing allows (body longer than its Content-Length), or
 *            another read error
 *   write    the request could not be sent (EPIPE, closed)
 *   timeout  connect, handshake or response not done within --timeout
 *   status   a complete response with a status outside 2xx
 *   reset    ECONNRESET while sending or reading a request */
enum { HB_LE_CONNECT, HB_LE_TLS, HB_LE_READ, HB_LE_WRITE, HB_LE_TIMEOUT,
       HB_LE_STATUS, HB_LE_RESET, HB_LE_COUNT };

extern const char *const hb_load_error_names[HB_LE_COUNT];

/* One thread's counters (merged at the end). Comments say what each is a
 * subset of. */
typedef struct hb_load_stats {
  uint64_t requests;    /* attempts finished: responses + failed */
  uint64_t sent;        /* requests whose first write was made */
  uint64_t responses;   /* complete responses, any status */
  uint64_t ok;          /* subset of responses: 2xx (latency samples) */
  uint64_t bytes_body;  /* body bytes of complete responses */
  uint64_t bytes_in;    /* every response byte read (head + body) */
  uint64_t wire_in, wire_out; /* socket bytes, TLS records included */
  uint64_t conns;       /* TCP connections established */
  uint64_t handshakes;  /* TLS handshakes completed (0 for http) */
  uint64_t resumed;     /* subset of handshakes */
  uint64_t errors[HB_LE_COUNT];
  uint64_t late;        /* open loop: sends over 1 ms behind schedule */
  uint64_t max_lag;     /* ns: the worst of those */
  char errmsg[HB_LE_COUNT][320]; /* the first message of each category */
  int have_tls;         /* the first handshake's, once there was one: */
  char tls_version[16], tls_cipher[80], tls_group[32];
  hb_hdr *latency, *connect, *handshake, *ttfb;
} hb_load_stats;

/* 0, or -1 when out of memory (free what was made with _free). */
int hb_load_stats_init(hb_load_stats *st);
void hb_load_stats_free(hb_load_stats *st);
void hb_load_stats_merge(hb_load_stats *dst, const hb_load_stats *src);
/* Counts a failure of category cat; its first message is kept. */
void hb_load_fail(hb_load_stats *st, int cat, const char *msg);
/* The start of the measured window (--warmup): counters, error messages
 * and histograms back to zero. The TLS parameters seen stay: they
 * describe the connections the window goes on using. */
void hb_load_stats_reset(hb_load_stats *st);

/* The first error message kept, or "no request completed". */
const char *hb_load_first_error(const hb_load_stats *st);

/* How the run as a whole went. */
typedef struct hb_load_run {
  double elapsed;        /* s: the measured window (after any warm-up) */
  double user_s, sys_s;  /* the client process's CPU over the window */
  double cpu_s;          /* the client's worker threads' CPU over the
                            window (CLOCK_THREAD_CPUTIME_ID, summed) */
  long threads;
  double target_rate;    /* open loop requests/s; 0 closed loop */
  int tls;               /* the URL was https: handshakes apply */
  int interrupted;
} hb_load_run;

#define HB_LOAD_MAX_WARN 8

/* After the caller's first line: latency, connect, handshake and TTFB
 * phases, the counts, the errors, the rate, the spectrum (if asked), the
 * throughput, the CPU, then the warnings. Per-request CPU and the
 * utilization come from run->cpu_s. */
void hb_load_print(const hb_load_stats *st, const hb_load_run *run,
                   int spectrum, char warnings[][300], int nwarn);

/* The run as result "requests" of suite "load" in rep (backend listed by
 * the caller); params is taken over. Besides the counts, histograms and
 * errors: "elapsed_s" (the window), "bytes_per_s" (body bytes of complete
 * 2xx responses over elapsed_s), "cpu" {user_s, sys_s (process),
 * utilization (process CPU over elapsed_s x threads), window_s (run->cpu_s),
 * util (window_s over elapsed_s x threads), per_request_us (window_s over
 * complete responses)} and "tls" {version, cipher, group} once a handshake
 * completed (else null). */
json_t *hb_load_result(json_t *rep, const char *backend, json_t *params,
                       const hb_load_stats *st, const hb_load_run *run,
                       char warnings[][300], int nwarn);

#endif
