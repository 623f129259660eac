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
 *   reset    ECONNRESET while sending or reading a request
 * HTTP/2 (timeouts, status, connect, tls, read, write, reset as above; a
 * connection failing fails every stream open on it):
 *   stream_reset  the server reset the stream (RST_STREAM), by error
 *                 code in hb_load_stats.rst_codes
 *   goaway        the server's GOAWAY with an error code (one per
 *                 GOAWAY); GOAWAY with NO_ERROR is a graceful close:
 *                 counted in goaways, the streams it did not take count
 *                 nowhere and are made again on a new connection
 *   protocol      ALPN did not select h2 (--http2 over TLS: the run
 *                 stops), or nghttp2 found the server's HTTP/2 wrong
 *                 (a malformed response, a body not matching its
 *                 content-length, a connection error) */
enum { HB_LE_CONNECT, HB_LE_TLS, HB_LE_READ, HB_LE_WRITE, HB_LE_TIMEOUT,
       HB_LE_STATUS, HB_LE_RESET, HB_LE_STREAM_RESET, HB_LE_GOAWAY,
       HB_LE_PROTOCOL, HB_LE_COUNT };

/* HTTP/2 error codes (RFC 9113, 7): 0x0 NO_ERROR .. 0xd
 * HTTP_1_1_REQUIRED; one more slot for any other code. */
#define HB_H2_CODES 15
extern const char *const hb_h2_code_names[HB_H2_CODES];

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
  uint64_t goaways;     /* HTTP/2: GOAWAY frames received, any code */
  uint64_t rst_codes[HB_H2_CODES]; /* errors[HB_LE_STREAM_RESET] by the
                           reset's error code (last: other codes) */
  uint64_t max_lag;     /* ns: the worst of those */
  char errmsg[HB_LE_COUNT][320]; /* the first message of each category */
  int have_tls;         /* the first handshake's, once there was one: */
  char tls_version[16], tls_cipher[80], tls_group[32];
  char protocol[16];    /* the first connection's, as negotiated or
                           spoken: "http/1.1", "h2" (ALPN), "h2c"; "" */
  uint32_t peer_streams; /* HTTP/2: the server's
                           SETTINGS_MAX_CONCURRENT_STREAMS, first seen */
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

/* A closed-loop window that completed fewer than HB_LOAD_COARSE
 * requests per connection: its connections tend to finish in waves (they
 * start together and each costs the same), so a short window catches a
 * whole number of waves and its rate is coarse, or catches none ("no
 * request completed"). Writes the warning into w (300 bytes) and returns
 * 1, or returns 0. */
#define HB_LOAD_COARSE 4
int hb_load_coarse_warning(const hb_load_stats *st, long conns,
                           double elapsed, char *w);

/* How the run as a whole went. */
typedef struct hb_load_run {
  double elapsed;        /* s: the measured window (after any warm-up) */
  double user_s, sys_s;  /* the client process's CPU over the window */
  double cpu_s;          /* the client's worker threads' CPU over the
                            window (CLOCK_THREAD_CPUTIME_ID, summed) */
  double poll_s;         /* of cpu_s, busy-polling for events while none
                            was ready (load --busy-poll; 0 without) */
  long threads;
  double target_rate;    /* open loop requests/s; 0 closed loop */
  int tls;               /* the URL was https: handshakes apply */
  int interrupted;
} hb_load_run;

#define HB_LOAD_MAX_WARN 8

/* The summary's first line, up to what the caller adds: "Running open
 * loop|closed loop, keep-alive|a connection per request[ test] @ URL",
 * then "  N requests, ", "  S s after W s of warm-up, " or "  S s, " (the
 * line left open). */
void hb_load_print_start(int open_loop, int close, long long requests,
                         double duration, double warmup, const char *url);

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
 * complete responses), busy_poll_s (run->poll_s), per_request_us_without_poll
 * (window_s - busy_poll_s over complete responses)} and "tls" {version, cipher, group} once a handshake
 * completed (else null), "protocol" (st->protocol or null), "goaways" and
 * "stream_resets" {CODE_NAME: count} (the non-zero rst_codes). */
json_t *hb_load_result(json_t *rep, const char *backend, json_t *params,
                       const hb_load_stats *st, const hb_load_run *run,
                       char warnings[][300], int nwarn);

#endif
