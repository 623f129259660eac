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
#include "hb/tls.h"

#define LD_MAX_HEADERS 64

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
enum { LE_CONNECT, LE_TLS, LE_READ, LE_WRITE, LE_TIMEOUT, LE_STATUS,
       LE_RESET, LE_COUNT };

extern const char *const ld_error_names[LE_COUNT];

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
  double duration;       /* seconds; 0 with -n */
  long long requests;    /* -n; 0 with -d */
  double rate;           /* -R requests/s; 0 = closed loop */
  double timeout;        /* seconds per request */
  double hold;           /* --hold: one request per connection, then keep
                            them all open and idle this long (0: off) */
  int close, resume, insecure, latency;
  int tls_version;       /* 0 (library default), HB_TLS_1_2, HB_TLS_1_3 */
  const char *cacert, *json;
  const char *headers[LD_MAX_HEADERS];
  int nheaders;
  char *req;             /* the request bytes, built once */
  size_t req_len;
} ld_opts;

/* Run-wide state, read-only for the threads but for the atomics. */
typedef struct ld_shared {
  const ld_opts *o;
  const hb_tls_ops *ops;
  hb_tls_ctx *ctx;
  int tls;               /* ops is a TLS library, not plain TCP */
  uint64_t start;        /* ns: the open-loop schedule starts here */
  uint64_t end;          /* ns: -d deadline, 0 with -n */
  uint64_t timeout_ns;
  double interval_ns;    /* open loop: between one connection's sends */
  atomic_llong claimed;  /* -n: request slots handed out */
} ld_shared;

/* One thread's counters; merged at the end. Comments say what each is a
 * subset of. */
typedef struct ld_stats {
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
  uint64_t errors[LE_COUNT];
  uint64_t late;        /* open loop: sends over 1 ms behind schedule */
  uint64_t max_lag;     /* ns: the worst of those */
  char errmsg[LE_COUNT][200]; /* the first message of each category */
  hb_tls_info tls;      /* the first handshake's, when have_tls */
  int have_tls;
  hb_hdr *latency, *connect, *handshake, *ttfb;
} ld_stats;

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

int ld_stats_init(ld_stats *st);
void ld_stats_free(ld_stats *st);
void ld_stats_merge(ld_stats *dst, const ld_stats *src);

/* loadout.c */
typedef struct ld_result {
  ld_stats st;
  double elapsed;        /* s */
  double user_s, sys_s;
  int interrupted;
} ld_result;

void ld_print_summary(const ld_shared *sh, const ld_result *r,
                      char warnings[][300], int nwarn);
int ld_write_report(int argc, char **argv, const ld_shared *sh,
                    const ld_result *r, char warnings[][300], int nwarn);

#endif
