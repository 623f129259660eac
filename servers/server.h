/* The HTTP/1.1 server (`httpsbench-<backend> server`): types shared by
 * server.c (options, main), loop.c (workers, accept, timers), conn.c (one
 * connection's state machine) and respond.c (responses).
 *
 * Each worker thread owns an epoll set, an SO_REUSEPORT listener and its
 * connections; nothing on the request path is shared between threads
 * except the read-only pattern buffer, the live-connection count, the
 * first handshake's hb_tls_info (written once) and, with --stall-ms only,
 * the stall's request count. Counters are per worker (srv_counter): the
 * main thread sums them for /__stats, --usage and SIGUSR1 snapshots. */
#ifndef HB_SERVER_H
#define HB_SERVER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "hb/http.h"
#include "hb/tls.h"

#define SRV_MAX_BYTES (64ull << 20) /* largest GET /bytes/N */
#define SRV_MAX_BODY (1u << 20)     /* request bodies above: 413 */
#define SRV_OBUF 16384              /* one TLS record: head + body start */
#define SRV_WCHUNK (256u << 10)     /* body bytes per TLS write call */
#define SRV_IN_SMALL 2048           /* read buffer inside the connection */
#define SRV_IN_BIG (HB_HTTP_MAX_HEAD + 8192) /* once a head is split */
#define SRV_HEAD_CAP 256            /* response head */
#define SRV_SENDFILE_MIN (64u << 10) /* bigger bodies by ops->sendfile */
#define SRV_LINGER_NS 2000000000ull /* reading after a final error reply */
#define SRV_STATS_MAX 4096          /* /__stats, --usage, snapshot JSON */
#define SRV_H2_CTRL_BURST 1000      /* HTTP/2 SETTINGS+PING frames ... */
#define SRV_H2_CTRL_RATE 100        /* ... then this many per second */
#define SRV_H2_RST_BURST 1000       /* RST_STREAM frames received ... */
#define SRV_H2_RST_RATE 33          /* ... then per second */

/* The body of GET /bytes/N: byte i is i % 251. The buffer holds two
 * periods, so any piece of up to one period starting at (i % period) is
 * contiguous: 2 MiB serve any N without copying or a per-size buffer. */
#define SRV_PATTERN_MOD 251u
#define SRV_PERIOD (SRV_PATTERN_MOD * 4096u)

/* Error categories: name in the JSON and on stderr. */
#define SRV_ERRORS(X)                                                  \
  X(ACCEPT, "accept")                /* accept() failed otherwise */   \
  X(EMFILE, "emfile")                /* out of file descriptors */     \
  X(MAX_CONNS, "max_conns")          /* over --max-conns: closed */    \
  X(OOM, "out_of_memory")                                              \
  X(TLS_SETUP, "tls_setup")          /* library refused a connection */\
  X(TLS_HANDSHAKE, "tls_handshake")  /* handshake failed */            \
  X(TLS_EOF, "tls_handshake_eof")    /* peer left mid-handshake */     \
  X(HANDSHAKE_TIMEOUT, "handshake_timeout")                            \
  X(HEAD_TIMEOUT, "head_timeout")    /* request head too slow */       \
  X(IDLE_TIMEOUT, "idle_timeout")    /* no request on an open conn */  \
  X(WRITE_TIMEOUT, "write_timeout")  /* peer stopped reading */        \
  X(RESET, "reset")                  /* ECONNRESET / EPIPE */          \
  X(READ, "read")                                                      \
  X(WRITE, "write")                                                    \
  X(TRUNCATED, "truncated")          /* EOF inside a request */        \
  X(FILE, "file")                    /* reading a --root file */       \
  X(BAD_REQUEST, "bad_request")      /* 400 */                         \
  X(BAD_CHUNK, "bad_chunk")          /* 400 from the chunked body */   \
  X(BODY_TOO_LARGE, "body_too_large") /* 413 */                        \
  X(URI_TOO_LONG, "uri_too_long")    /* 414 */                         \
  X(HEAD_TOO_LARGE, "head_too_large") /* 431 */                        \
  X(NOT_IMPLEMENTED, "not_implemented") /* 501 */                      \
  X(BAD_VERSION, "bad_version")      /* 505 */                         \
  X(H2_PREFACE, "h2_bad_preface")    /* not the client preface */      \
  X(H2_PROTOCOL, "h2_protocol")      /* GOAWAY for a protocol error */ \
  X(H2_CTRL_FLOOD, "h2_settings_ping_flood") /* ENHANCE_YOUR_CALM */   \
  X(H2_RESET_FLOOD, "h2_rapid_reset") /* RST_STREAM flood */           \
  X(H2_CONT_FLOOD, "h2_continuation_flood")                           \
  X(H2_HEADERS_TOO_LARGE, "h2_headers_too_large") /* 431 */

#define SRV_ENUM(id, name) SRV_ERR_##id,
typedef enum srv_err { SRV_ERRORS(SRV_ENUM) SRV_ERR_COUNT } srv_err;
#undef SRV_ENUM

extern const char *const srv_err_names[SRV_ERR_COUNT];

/* A counter one worker writes and any thread may read. */
typedef _Atomic uint64_t srv_counter;
#define SRV_ADD(ctr, v)                                                 \
  atomic_store_explicit(&(ctr), atomic_load_explicit(&(ctr),           \
                        memory_order_relaxed) + (v), memory_order_relaxed)
#define SRV_GET(ctr) atomic_load_explicit(&(ctr), memory_order_relaxed)

enum { BODY_NONE, BODY_PATTERN, BODY_MEM, BODY_FILE };

/* The response being written. */
typedef struct srv_resp {
  int kind;                /* BODY_* */
  uint64_t len;            /* body bytes to send (0 for HEAD) */
  uint64_t off;            /* body bytes handed to a write so far */
  const char *mem;         /* BODY_MEM */
  char *owned;             /* malloc'd BODY_MEM, freed when done */
  int file;                /* BODY_FILE descriptor, -1 */
  size_t head_len, head_off;
  char *obuf;              /* borrowed SRV_OBUF buffer, or NULL */
  const char *wptr;        /* pending write, retried unchanged */
  size_t wlen;
  size_t whead;            /* head bytes at the front of wptr */
  int started;             /* first write (head + body start) made */
  int status;              /* what the head says: status code, */
  const char *ctype;       /* Content-Type, */
  size_t ctype_len;
  uint64_t clen;           /* Content-Length (HEAD: of the GET) */
} srv_resp;

enum { ST_HANDSHAKE, ST_READ, ST_WRITE, ST_LINGER, ST_H2 };
enum { PH_HEAD, PH_BODY, PH_RESPOND };
enum { LIST_IDLE, LIST_LINGER, LIST_COUNT };

struct srv_worker;
typedef struct srv_h2 srv_h2;  /* h2.c: one HTTP/2 session */
struct nghttp2_session_callbacks;
struct nghttp2_option;

/* HTTP/2 settings (server options). */
typedef struct srv_h2_conf {
  int enabled;                   /* ALPN offers h2 (TLS) */
  int h2c;                       /* plain TCP: prior knowledge */
  uint32_t max_streams;          /* SETTINGS_MAX_CONCURRENT_STREAMS */
  uint32_t window;               /* SETTINGS_INITIAL_WINDOW_SIZE, and
                                    the connection's receive window */
  uint32_t max_header_list;      /* SETTINGS_MAX_HEADER_LIST_SIZE */
  struct nghttp2_session_callbacks *callbacks; /* shared, read-only */
  struct nghttp2_option *option;
} srv_h2_conf;

typedef struct srv_conn {
  struct srv_conn *prev, *next;  /* timer list, oldest first */
  struct srv_worker *w;
  hb_tls_conn *tls;              /* the transport: TLS or plain TCP */
  int fd;
  int state;                     /* ST_* */
  int phase;                     /* PH_* while reading requests */
  int list;                      /* LIST_* */
  uint32_t armed;                /* epoll events registered */
  uint64_t stamp;                /* last progress that counts, ns */
  uint64_t t_accept;             /* accepted (hb_now_ns), for handshake_ns */
  int close_after;               /* close once this response is out */
  int http10;                    /* answer keep-alive explicitly */
  int linger;                    /* refused: read on after the reply */
  int h2c_check;                 /* plain TCP, first bytes: preface? */
  srv_h2 *h2;                    /* ST_H2: the session */
  /* input: requests at in[in_off .. in_len) */
  char *in;
  size_t in_off, in_len, in_cap;
  size_t scanned;                /* bytes of an incomplete head seen */
  /* request body being read and dropped */
  int chunked;
  uint64_t body_left, body_seen;
  hb_http_chunked chunk;
  srv_resp r;
  char head[SRV_HEAD_CAP];
  char small[SRV_IN_SMALL];
} srv_conn;

struct srv;

typedef struct srv_worker {
  struct srv *s;
  int id;
  int ep;                        /* epoll */
  int lfd;                       /* listener */
  int listening;                 /* lfd in the epoll set */
  uint64_t listen_resume;        /* when to take it back (EMFILE) */
  pthread_t thread;
  int started;
  uint64_t now;                  /* hb_now_ns() after each wait */
  srv_conn *head[LIST_COUNT], *tail[LIST_COUNT];
  srv_conn *free_conns;          /* recycled, linked through next */
  unsigned nfree_conns;
  char *free_obufs;              /* recycled SRV_OBUF buffers */
  unsigned nfree_obufs;
  hb_http_request req;
  srv_counter conns;             /* connections accepted and served */
  srv_counter requests;          /* responses started */
  srv_counter handshakes;        /* TLS handshakes completed */
  srv_counter resumed;           /* of those, resumed sessions */
  srv_counter handshake_ns;      /* of those, accept to completion, ns */
  srv_counter bytes_body;        /* body bytes accepted by a write */
  srv_counter h2_conns;          /* connections that spoke HTTP/2 */
  srv_counter h2_streams;        /* HTTP/2 request streams opened */
  srv_counter errors[SRV_ERR_COUNT];
} srv_worker;

typedef struct srv {
  const char *prog;              /* "httpsbench-<backend> server" */
  const hb_tls_ops *ops;
  hb_tls_ctx *ctx;
  int plain;                     /* plain TCP: no handshake, no TLS
                                    options */
  char *pattern;                 /* 2 * SRV_PERIOD bytes */
  int patfd;                     /* the same in a memfd, or -1 */
  int rootfd;                    /* --root, or -1 */
  int stopfd;                    /* eventfd: readable = stop */
  long max_conns;
  atomic_long live;              /* open connections, all workers */
  uint64_t idle_ns;
  uint64_t linger_ns;
  atomic_int failed;             /* a worker could not go on */
  uint64_t burn_ns;              /* --burn-us: thread CPU per request */
  uint64_t stall_ns;             /* --stall-ms, 0: none */
  uint64_t stall_after;          /* --stall-after */
  atomic_ullong stall_seen;      /* requests counted for the stall */
  /* hb_tls_info of the first completed handshake: the worker that moves
   * tls_state from 0 to 1 fills it, then stores 2; readers need 2 */
  atomic_int tls_state;
  hb_tls_info tls_first;
  srv_worker *workers;
  int nworkers;
  srv_h2_conf h2;
} srv;

/* server.c */
void srv_count(srv_worker *w, srv_err e, const char *detail);
void srv_stop_all(srv *s);

/* loop.c */
int srv_worker_init(srv *s, srv_worker *w, int id, int lfd);
void *srv_worker_run(void *arg);
void srv_worker_free(srv_worker *w);
void srv_touch(srv_conn *c);
void srv_timer_list(srv_conn *c, int list);
void srv_timer_unlink(srv_conn *c);
void srv_set_events(srv_conn *c, uint32_t events);
char *srv_obuf_get(srv_worker *w);
void srv_obuf_put(srv_worker *w, char *b);

/* conn.c */
void srv_conn_start(srv_worker *w, int fd);
void srv_conn_event(srv_conn *c, uint32_t events);
void srv_conn_timeout(srv_conn *c);
void srv_conn_close(srv_conn *c);
/* close_notify (FIN), then close now or, linger, after reading on. */
void srv_conn_finish_close(srv_conn *c, int linger);

/* h2.c */
int srv_h2_callbacks(struct nghttp2_session_callbacks **out);
int srv_h2_option(const srv_h2_conf *conf, struct nghttp2_option **out);
/* Makes c an HTTP/2 connection; pre: bytes already read (n may be 0).
 * c may be closed on return. */
int srv_h2_start(srv_conn *c, const char *pre, size_t n);
void srv_h2_event(srv_conn *c);
void srv_h2_free(srv_conn *c);

/* respond.c */
void srv_pattern_fill(char *buf);
void srv_route(srv_conn *c, const hb_http_request *q);
void srv_respond_error(srv_conn *c, int status);
void srv_response_reset(srv_conn *c);
/* The counters as one JSON object (no newline): /__stats and --usage
 * (snapshot 0), or a SIGUSR1 snapshot line (snapshot 1); reads atomics
 * only. Returns the length, < size. */
size_t srv_stats_json(srv *s, int snapshot, char *buf, size_t size);

#endif
