/* The load generator's connection, shared by its HTTP/1.1 state machine
 * (loadconn.c) and its HTTP/2 sessions (loadh2.c): the struct and the
 * few steps both use (arm epoll, claim and release request slots, fail,
 * close, schedule the next start). */
#ifndef HB_CLIENTS_LOADCONN_H
#define HB_CLIENTS_LOADCONN_H

#include <stdint.h>

#include "load.h"

#define LC_READ_BUF (256 * 1024)
#define LC_EVENTS 256
#define LC_SCAN_NS 10000000ull     /* timeout scan every 10 ms */
#define LC_BACKOFF_NS 10000000ull  /* retry a failed connect after 10 ms */
#define LC_LATE_NS 1000000ull      /* open loop: "late" is over 1 ms */

/* LC_H2: an HTTP/2 session is up; its streams have their own states. */
enum { LC_IDLE, LC_CONNECT, LC_HANDSHAKE, LC_WRITE, LC_READ, LC_DONE,
       LC_H2 };
enum { RS_HEAD, RS_LEN, RS_CHUNKED, RS_EOF };

struct ld_h2; /* loadh2.c */

typedef struct ld_conn {
  ld_thread *t;
  int fd;
  int state;
  unsigned armed;        /* epoll events registered; 0 = not added */
  hb_tls_conn *tls;
  hb_tls_session *sess;  /* to resume the next connection with */
  hb_tls_conn *spare;    /* a cleanly closed TLS connection to reuse */
  unsigned slot;         /* request slots held: each counts in requests
                            once answered or failed (HTTP/2: the open
                            streams, plus one claimed before connecting
                            while pend) */
  unsigned batch;        /* requests written in this batch (1 without
                            --pipeline) */
  unsigned answered;     /* complete responses of this batch */
  uint64_t wire_in0, wire_out0; /* socket bytes before the window, of a
                            connection open when it began */
  int want_sess;         /* fetch a session after the first response */
  uint64_t gidx, k;      /* global index; open loop: request number */
  uint64_t wake;         /* when to start (while in the heap) */
  long heap_i;           /* position in the heap, -1 if not there */
  uint64_t t_phase;      /* connect / handshake start */
  uint64_t t_sched;      /* latency origin: schedule or first write */
  uint64_t t_sent, t_first, deadline;
  size_t wpos, wlen;
  int rs;                /* response state */
  int status, keep_alive;
  int64_t body_left;
  uint64_t body;
  hb_http_chunked ck;
  struct ld_h2 *h2;      /* --http2: the session while connected */
  int pend;              /* --http2: a slot claimed before connecting,
                            its schedule in t_sched (open loop) */
  size_t head_len;       /* head bytes kept while it comes in pieces */
  char head[HB_HTTP_MAX_HEAD];
} ld_conn;

/* loadconn.c */
int lc_arm(ld_conn *c, unsigned ev);
uint64_t lc_sched(const ld_conn *c);
unsigned lc_claim(ld_conn *c, unsigned want);
void lc_release(ld_conn *c);
void lc_close(ld_conn *c, int clean);
void lc_next(ld_conn *c, uint64_t now, uint64_t backoff);
void lc_wake(ld_conn *c, uint64_t wake); /* a start at wake, if none */
void lc_fail(ld_conn *c, int cat, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void lc_burn(uint64_t ns);

/* loadh2.c: the HTTP/2 side of a connection.
 * lh2_prepare: once per run, the request's header list (-H included);
 * -1 out of memory. lh2_open: after the handshake, checks ALPN (TLS),
 * starts the session and the first streams; after a failure it has
 * called lc_fail. lh2_resume: a live connection's turn (open-loop
 * schedule): opens the streams due. lh2_event: epoll readiness.
 * lh2_timeouts: resets the streams past their deadline. lh2_free: drops
 * the session (from lc_close; open streams are the caller's to count). */
int lh2_prepare(ld_opts *o);
void lh2_unprepare(ld_opts *o);
void lh2_open(ld_conn *c, uint64_t now);
void lh2_resume(ld_conn *c, uint64_t now);
void lh2_event(ld_conn *c, unsigned ev);
void lh2_timeouts(ld_conn *c, uint64_t now);
void lh2_free(ld_conn *c);

#endif
