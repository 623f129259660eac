/* The handshake client's parts (clients/handshake*.c): options, one timed
 * connection, the traced connection and the report. Internal to the
 * engine; the entry point is hb_handshake_main (include/hb/suites.h). */
#ifndef HB_CLIENT_HANDSHAKE_H
#define HB_CLIENT_HANDSHAKE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "hb/err.h"
#include "hb/hdr.h"
#include "hb/stats.h"
#include "hb/tls.h"

/* The timed phases of one connection, in order, then their sum: set-up
 * (socket, TLS object, the session offered), TCP connect, TLS handshake,
 * first request, close. They meet end to end, so total is their sum. */
enum {
  HS_SETUP, HS_TCP, HS_TLS, HS_REQ, HS_CLOSE, HS_TOTAL, HS_NPHASE
};

/* A phase's CI comes from HS_BATCHES consecutive batches of connections
 * (fewer connections: one per batch), each batch's median one unit. */
#define HS_BATCHES 10

/* Failure categories (measurement guide): never a latency sample. */
enum {
  HS_F_CONNECT, HS_F_TLS, HS_F_READ, HS_F_WRITE, HS_F_TIMEOUT,
  HS_F_STATUS, HS_F_RESET, HS_NFAIL
};

/* How one connection ended. */
enum {
  HS_DONE = 0,     /* every phase completed: a sample */
  HS_FAILED,       /* result.fail says which category */
  HS_STOPPED       /* SIGINT/SIGTERM: neither sample nor failure */
};

extern const char *const hs_phase_names[HS_NPHASE];
extern const char *const hs_fail_names[HS_NFAIL];

typedef struct hs_opts {
  const char *target;        /* HOST:PORT as given */
  char host[256];            /* without brackets */
  char port[16];
  long count, warmup;
  int plain;                 /* TCP only: hb_plain_tls */
  int version;               /* HB_TLS_1_2 / HB_TLS_1_3, 0 for plain */
  const char *group;
  int rsa_kx;
  int resume;                /* HS_RESUME_* */
  int early_data;            /* send the request as TLS 1.3 0-RTT data */
  const char *cacert;        /* NULL: the library's default store */
  int insecure;
  const char *sni;
  const char *client_cert, *client_key;
  const char *path;
  const char *json;
  const char *label;
  const char *cert_type;
  int trace;                 /* print the traced handshake */
  const char *alpn;          /* --alpn: offered in this order, or NULL */
  int h2c;                   /* plain TCP, h2 first in --alpn: h2c with
                                prior knowledge */
  double timeout;            /* seconds per connection */
  double gap_ms;             /* idle before each connection (--gap) */
  double start_at;           /* --start-at: Unix time to begin, 0: now */
  double started_at;         /* when it began (the real clock) */
  int stop_on_eof;           /* --stop-on-eof */
} hs_opts;

enum { HS_RESUME_NONE, HS_RESUME_ID, HS_RESUME_TICKET };

/* One traced handshake message. */
typedef struct hs_msg {
  uint64_t t_ns;             /* since connect() started */
  int sent;
  int content_type, hs_type;
  size_t len;
  int in_handshake;          /* before the handshake completed */
} hs_msg;

#define HS_MAX_MSGS 64

typedef struct hs_trace {
  uint64_t t0;               /* connect start (after the set-up); set by
                                hs_connect_once */
  int hs_done;               /* handshake completed: later messages are
                                post-handshake (TLS 1.3 tickets...) */
  int n, dropped;
  hs_msg msgs[HS_MAX_MSGS];
  /* first flight each way, from the socket's TCP_INFO (so whatever the
   * library's call boundaries): the client's ends when the first message
   * from the server is processed, the server's when the client sends its
   * next handshake message (or completes); bytes the kernel sent or
   * received by then, and the segments that carried data */
  int fd;                    /* the traced connection's socket, or -1 */
  int ff_state;              /* 0 client's going out, 1 server's, 2 done */
  int ff_ok;                 /* TCP_INFO answered with these counts */
  uint64_t ff_out_bytes, ff_in_bytes;
  uint32_t ff_out_segs, ff_in_segs;
} hs_trace;

/* The handshake completed: ends a first flight still open. */
void hs_trace_flight_end(hs_trace *t);

/* The hb_tls_msg_fn that fills an hs_trace (arg). */
void hs_trace_msg(void *arg, int sent, int content_type, int hs_type,
                  size_t len);

/* Where to connect, resolved once before any timing. */
typedef struct hs_target {
  struct sockaddr_storage addr;
  socklen_t addrlen;
} hs_target;

/* What one connection measured and learnt. */
typedef struct hs_conn {
  uint64_t ns[HS_NPHASE];
  int fail;                  /* HS_F_* when it failed */
  hb_err err;                /* why it failed */
  hb_tls_info info;          /* right after the handshake completed */
  int offered;               /* a session was offered */
  int early_sent;            /* the request went out as early data */
  char alpn[32];             /* the library's ALPN result ("": none) */
  char proto[16];            /* the first request's: http/1.1, h2, h2c */
  hb_tls_session *next;      /* session for the next connection, or NULL */
} hs_conn;

/* Connects, handshakes (offering sess if non-NULL), requests o->path,
 * closes; fills r. trace (may be NULL) gets its t0 and hs_done. Returns
 * HS_DONE, HS_FAILED or HS_STOPPED. The caller frees r->next. */
int hs_connect_once(const hb_tls_ops *T, hb_tls_ctx *ctx,
                    const hs_target *tg, const hs_opts *o,
                    hb_tls_session *sess, hs_trace *trace, hs_conn *r);

/* Resolves o->host / o->port into tg (of several addresses, the first
 * that accepts a connection); HB_ERROR with err on failure. */
int hs_resolve(const hs_opts *o, hs_target *tg, hb_err *err);

/* "ClientHello", "ChangeCipherSpec"... for a traced message; HRR is a
 * received ServerHello followed by a sent ClientHello (index i in t). */
const char *hs_msg_name(const hs_trace *t, int i);

/* Round trips before the client may send data: maximal runs of received
 * handshake messages (content type 22) before the handshake completed. */
int hs_round_trips(const hs_trace *t);

/* The report's "trace" object for a completed traced connection. */
json_t *hs_trace_json(const hs_trace *t, const hs_conn *r);

/* Prints the sequence as readable lines. */
void hs_trace_print(const hs_trace *t, const hs_conn *r);

/* Everything one run measured. */
typedef struct hs_run {
  const hb_tls_ops *T;
  const char *backend;         /* report name of the transport */
  int status;                  /* setup: HB_OK, HB_UNSUPPORTED, HB_ERROR */
  hb_err err;
  char cacert[4200];           /* --cacert, or the suite's root */
  hb_tls_config cfg;
  hb_tls_ctx *ctx;
  hs_target tg;
  hb_tls_session *sess;        /* offered to the next connection */
  double *samples[HS_NPHASE];  /* us */
  hb_hdr *hdr[HS_NPHASE];      /* ns */
  size_t nok;
  long warmed;                 /* warm-up connections made (unmeasured) */
  long attempted;              /* measured connections, failed ones too */
  long trace_made;             /* connections made for the trace: 0 or 1 */
  long fails[HS_NFAIL];
  char why[HS_NFAIL][512];     /* first reason per category */
  long offered, resumed;
  long early_sent, early_accepted; /* --early-data */
  long resumed_no_early;       /* resumed, yet the ticket allowed none */
  hb_tls_info first;           /* achieved, from the first success */
  char alpn[32], proto[16];    /* the first success's (hs_conn's) */
  int varied;                  /* a later connection achieved otherwise */
  double cpu_s;
  json_t *trace;               /* the report's "trace" object */
  hs_trace *tr;                /* the traced connection, for --trace */
  hs_conn tconn;
  int traced;                  /* tr and tconn hold a completed one */
  int interrupted;
} hs_run;

/* Why the run failed: the commonest category's first reason, with its
 * count. */
void hs_failure(const hs_run *run, char *buf, size_t size);

/* A phase's statistics over its n samples (every connection), with the
 * median's CI over the medians of *batches consecutive batches (see
 * HS_BATCHES) instead of over the connections; -1 for n == 0. */
int hs_stats(const double *samples, size_t n, hb_stats *st, size_t *batches);

/* The terminal summary (table, achieved line, failures, warnings);
 * returns the exit status the results deserve (0 or 1). */
int hs_print(const hs_opts *o, const hs_run *run);

/* One result per phase into report. */
void hs_results(const hs_opts *o, const hs_run *run, json_t *report);

/* "TLSv1.3", "TLSv1.2", or "0x0302" into buf. */
const char *hs_version_name(int version, char *buf, size_t size);

#endif
