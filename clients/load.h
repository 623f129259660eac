/* The load generator's parts (clients/): options and URL (load.c,
 * url.c), the per-thread event loop and connection state machine
 * (loadconn.c), the summary and the JSON report (loadout.c). */
#ifndef HB_CLIENTS_LOAD_H
#define HB_CLIENTS_LOAD_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/socket.h>

#include "hb/hdr.h"
#include "hb/http.h"
#include "hb/loadstats.h"
#include "hb/tls.h"

#define LD_MAX_HEADERS 64

/* Error categories: HB_LE_* (hb/loadstats.h). */

typedef struct ld_url {
  int https;
  int port;
  char host[256];      /* without brackets: name to resolve and SNI */
  char hostport[300];  /* as written in the URL, for the Host header */
  char path[HB_HTTP_MAX_URI];
} ld_url;

typedef struct ld_opts {
  const char *url_text;
  ld_url url;
  struct sockaddr_storage addr;
  socklen_t addrlen;
  long conns, threads;
  double duration;       /* seconds measured; 0 with -n */
  double warmup;         /* --warmup: seconds run before the window (-d) */
  long long requests;    /* -n; 0 with -d */
  double rate;           /* -R requests/s; 0 = closed loop */
  double timeout;        /* seconds per request */
  double hold;           /* --hold: one request per connection, then keep
                            them all open and idle this long (0: off) */
  int close, resume, insecure, latency;
  int marks;             /* --marks: "mark start" / "mark end" on stdout */
  int procstat;          /* --procstat: a /proc/stat line before each */
  long pipeline;         /* --pipeline: requests written per batch */
  long burn_us;          /* --burn-us: thread CPU spun per response */
  long busy_poll_us;     /* --busy-poll: poll this long before sleeping */
  long nap_us;           /* --nap: sleep on a timer, not on the sockets */
  int finished_alone;    /* --finished-alone: no cfg.hold_finished */
  int http2;             /* --http2: h2 by ALPN over TLS, h2c with prior
                            knowledge over plain TCP */
  long streams;          /* -m: streams open per connection (HTTP/2) */
  void *h2;              /* what the HTTP/2 sessions share (loadh2.c) */
  int tls_version;       /* 0 (library default), HB_TLS_1_2, HB_TLS_1_3 */
  const char *cipher;    /* --cipher: hb_tls_config.cipher, or NULL */
  double start_at;       /* --start-at: Unix time (s) to begin, 0: now */
  double started_at;     /* Unix time (s) it began (after the wait) */
  int watch_stdin;       /* --stop-on-eof: EOF on stdin stops the run */
  const char *cacert, *json;
  const char *client_cert, *client_key; /* mutual TLS, or NULL */
  const char *headers[LD_MAX_HEADERS];
  int nheaders;
  char *req;             /* the request bytes, built once: pipeline
                            copies back to back */
  size_t req_len;        /* of one copy */
} ld_opts;

/* Run-wide state, read-only for the threads but for the atomics. */
typedef struct ld_shared {
  const ld_opts *o;
  const hb_tls_ops *ops;
  hb_tls_ctx *ctx;
  int tls;               /* ops is a TLS library, not plain TCP */
  uint64_t start;        /* ns: the open-loop schedule starts here */
  uint64_t wstart;       /* ns: the measured window starts (start +
                            warm-up) */
  uint64_t end;          /* ns: -d deadline (wstart + -d), 0 with -n */
  uint64_t timeout_ns;
  double interval_ns;    /* open loop: between one connection's sends */
  atomic_llong claimed;  /* -n: request slots handed out */
  /* Failing fast: while no connection was ever made, connect failures
   * are counted run-wide; at connect_budget every thread stops. */
  atomic_int connected;  /* a TCP connection was made once */
  atomic_llong connect_fails;
  long long connect_budget;
  atomic_int gave_up;
  atomic_int no_h2;      /* --http2 over TLS: ALPN did not select h2; the
                            run stops (gave_up set too) */
} ld_shared;

/* One thread's counters, merged at the end (hb/loadstats.h). */
typedef hb_load_stats ld_stats;

struct ld_conn;

typedef struct ld_thread {
  ld_shared *sh;
  pthread_t tid;
  unsigned first, n;    /* global index of the first connection, count */
  struct ld_conn *conns;
  struct ld_conn **heap; /* connections waiting for a time, min-heap */
  size_t heap_n;
  struct ld_conn **ready; /* to start after this batch of events */
  size_t nready;
  unsigned ndone;       /* connections with nothing left to do */
  int ep;
  char *buf;            /* one large read buffer per thread */
  size_t bufsize;
  ld_stats st;
  int window;           /* st covers the measured window: reset done */
  uint64_t cpu0;        /* ns of thread CPU when the window began */
  double cpu_s;         /* thread CPU over the window (at the end) */
  uint64_t poll_ns;     /* of it, busy-polling for events (--busy-poll) */
  int failed;           /* could not start; why in st.errmsg[LE_CONNECT] */
} ld_thread;

/* url.c */
int ld_url_parse(const char *s, ld_url *u, char *why, size_t whylen);
int ld_resolve(ld_opts *o, char *why, size_t whylen);
int ld_build_request(ld_opts *o);

/* loadconn.c: allocates the thread's connections, runs the loop until the
 * deadline, the request count, or a signal; pthread start routine. */
int ld_thread_init(ld_thread *t);
void *ld_thread_run(void *arg);
void ld_thread_free(ld_thread *t);


/* loadout.c */
typedef struct ld_result {
  ld_stats st;
  hb_load_run run;       /* the outcome as the summary and report take
                            it: window, CPU, threads, rate, interrupted */
  int windowed;          /* 0: the run ended in its warm-up, and the
                            figures cover the warm-up */
  int gave_up;           /* stopped: no connection could be made */
  int no_h2;             /* stopped: ALPN did not select h2 */
} ld_result;

void ld_print_summary(const ld_shared *sh, const ld_result *r,
                      char warnings[][300], int nwarn);
int ld_write_report(int argc, char **argv, const ld_shared *sh,
                    const ld_result *r, char warnings[][300], int nwarn);

#endif
