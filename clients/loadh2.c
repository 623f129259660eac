/* --http2: the load generator's HTTP/2 connections. nghttp2 does the
 * framing, HPACK and flow control as a client session; this file moves
 * its bytes through the transport table (plain TCP: h2c with prior
 * knowledge; TLS: h2 as ALPN selected) and keeps the books: a stream is
 * a request, counted as HTTP/1.1's are (latency from its send, or from
 * its schedule in the open loop, into the same histograms).
 *
 * Each connection keeps up to -m streams open (fewer when the server's
 * SETTINGS_MAX_CONCURRENT_STREAMS is lower; one until the server's
 * SETTINGS say what its limit is); in the closed loop a closed
 * stream is replaced as soon as the bytes that closed it are handled, in
 * the open loop a connection opens its streams on its schedule (R / C per
 * second each), a send waiting for a free stream being late. All output
 * nghttp2 has is written after each batch of input, so one write carries
 * many frames.
 *
 * How streams end (hb/loadstats.h): complete (any status), reset by the
 * server (stream_reset, by code), refused by a GOAWAY (not processed:
 * counted nowhere, made again on a new connection), cut by nghttp2
 * (protocol), past --timeout (timeout; RST_STREAM CANCEL sent). A
 * connection that fails fails its open streams, each in the failure's
 * category. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>

#include <nghttp2/nghttp2.h>

#include "hb/clock.h"
#include "loadconn.h"

/* Receive windows we grant: large, so flow control paces nothing on a
 * benchmark's bodies (the server's send rate is what is measured). */
#define LH2_STREAM_WINDOW (1 << 24)
#define LH2_CONN_WINDOW (1 << 30)

typedef struct lh2_stream {
  int32_t id;
  int rst;              /* the server sent RST_STREAM */
  int dead;             /* already counted (timeout): the close only
                           frees it */
  int status;           /* the final :status, 0 until one came */
  uint64_t t_sched;     /* latency origin (send, or open-loop schedule) */
  uint64_t t_sent, t_first, deadline, body;
} lh2_stream;

struct ld_h2 {
  nghttp2_session *s;
  lh2_stream *st;       /* -m records */
  unsigned *freei;      /* indexes of free records */
  unsigned nfree;
  unsigned active;      /* streams open (records in use) */
  uint8_t *wbuf;        /* nghttp2's output, frames gathered so that
                           one write carries many (nghttp2 hands them
                           out one at a time) */
  size_t wcap, wlen, woff; /* its size, bytes in it, bytes written */
  uint64_t now;         /* when the bytes being fed were read */
  int goaway;           /* the server sent GOAWAY: no new streams */
  int settings;         /* the server's SETTINGS came: its stream limit
                           is known */
  int closing;          /* being deleted: callbacks count nothing */
  uint32_t local_err;   /* error code + 1 of a GOAWAY nghttp2 sent */
  uint64_t closes;      /* streams closed so far (sending RST_STREAM
                           closes one while output is written) */
};

/* What a run's sessions share, built once (lh2_prepare). */
typedef struct lh2_run {
  nghttp2_session_callbacks *cb;
  nghttp2_nv *nv;
  size_t nvlen;
  char *names;          /* -H names in lower case (HTTP/2 wants them so) */
} lh2_run;

static lh2_stream *lh2_get(nghttp2_session *s, int32_t id)
{
  return nghttp2_session_get_stream_user_data(s, id);
}

static unsigned lh2_code(uint32_t code)
{
  return code < HB_H2_CODES - 1 ? code : HB_H2_CODES - 1;
}

/* ---- the session's callbacks (user_data: the ld_conn) ---- */

static int cb_begin_headers(nghttp2_session *s, const nghttp2_frame *f,
                            void *ud)
{
  ld_conn *c = ud;
  lh2_stream *x = lh2_get(s, f->hd.stream_id);

  if(f->hd.type == NGHTTP2_HEADERS && x && !x->t_first)
    x->t_first = c->h2->now;
  return 0;
}

static int cb_header(nghttp2_session *s, const nghttp2_frame *f,
                     const uint8_t *name, size_t namelen,
                     const uint8_t *value, size_t valuelen, uint8_t flags,
                     void *ud)
{
  lh2_stream *x = lh2_get(s, f->hd.stream_id);

  (void)flags;
  (void)ud;
  /* nghttp2 checked it is three digits (a malformed one resets) */
  if(x && namelen == 7 && !memcmp(name, ":status", 7) && valuelen == 3)
    x->status = (value[0] - '0') * 100 + (value[1] - '0') * 10 +
                (value[2] - '0');
  return 0;
}

static int cb_data(nghttp2_session *s, uint8_t flags, int32_t id,
                   const uint8_t *data, size_t len, void *ud)
{
  lh2_stream *x = lh2_get(s, id);

  (void)flags;
  (void)data;
  (void)ud;
  if(x)
    x->body += len;
  return 0;
}

static int cb_frame_recv(nghttp2_session *s, const nghttp2_frame *f,
                         void *ud)
{
  ld_conn *c = ud;
  ld_stats *st = &c->t->st;

  switch(f->hd.type) {
  case NGHTTP2_SETTINGS:
    if(f->hd.flags & NGHTTP2_FLAG_ACK)
      break;
    c->h2->settings = 1;
    if(!st->peer_streams)
      st->peer_streams = nghttp2_session_get_remote_settings(s,
                           NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS);
    if(!st->protocol[0]) /* the server spoke HTTP/2 */
      snprintf(st->protocol, sizeof(st->protocol), "%s",
               c->t->sh->tls ? "h2" : "h2c");
    break;
  case NGHTTP2_RST_STREAM: {
    lh2_stream *x = lh2_get(s, f->hd.stream_id);

    if(x)
      x->rst = 1;
    break;
  }
  case NGHTTP2_GOAWAY:
    st->goaways++;
    c->h2->goaway = 1;
    if(f->goaway.error_code != NGHTTP2_NO_ERROR) {
      char msg[200];

      snprintf(msg, sizeof(msg), "GOAWAY from the server: %s (0x%x)%s%.*s",
               hb_h2_code_names[lh2_code(f->goaway.error_code)],
               f->goaway.error_code, f->goaway.opaque_data_len ? ": " : "",
               (int)(f->goaway.opaque_data_len < 80
                     ? f->goaway.opaque_data_len : 80),
               (const char *)f->goaway.opaque_data);
      hb_load_fail(st, HB_LE_GOAWAY, msg);
    }
    break;
  default: break;
  }
  return 0;
}

static int cb_frame_send(nghttp2_session *s, const nghttp2_frame *f,
                         void *ud)
{
  ld_conn *c = ud;

  (void)s;
  if(f->hd.type == NGHTTP2_GOAWAY && !c->h2->local_err)
    c->h2->local_err = f->goaway.error_code + 1;
  return 0;
}

/* A stream ended: count it (once) and free its record. */
static int cb_stream_close(nghttp2_session *s, int32_t id, uint32_t code,
                           void *ud)
{
  ld_conn *c = ud;
  struct ld_h2 *h = c->h2;
  ld_shared *sh = c->t->sh;
  ld_stats *st = &c->t->st;
  lh2_stream *x = lh2_get(s, id);
  char msg[120];

  if(!x || h->closing)
    return 0;
  nghttp2_session_set_stream_user_data(s, id, NULL);
  h->freei[h->nfree++] = (unsigned)(x - h->st);
  h->active--;
  h->closes++;
  x->id = 0;
  if(x->dead)
    return 0;
  c->slot--;
  if(code == NGHTTP2_NO_ERROR && x->status >= 200) {
    st->requests++;
    st->responses++;
    if(x->status <= 299) {
      st->ok++;
      st->bytes_body += x->body;
      hb_hdr_record(st->latency, h->now - x->t_sched);
      hb_hdr_record(st->ttfb, x->t_first - x->t_sent);
    }
    else {
      snprintf(msg, sizeof(msg), "HTTP status %d", x->status);
      hb_load_fail(st, HB_LE_STATUS, msg);
    }
    if(c->want_sess) { /* TLS 1.3 tickets come after the handshake */
      hb_tls_session *ss = NULL;
      hb_err err;

      c->want_sess = 0;
      if(sh->ops->session_get(c->tls, &ss, &err) == HB_OK && ss) {
        if(c->sess)
          sh->ops->session_free(c->sess);
        c->sess = ss;
      }
    }
    if(sh->o->burn_us)
      lc_burn((uint64_t)sh->o->burn_us * 1000);
    return 0;
  }
  if(x->rst) {
    st->requests++;
    st->rst_codes[lh2_code(code)]++;
    snprintf(msg, sizeof(msg), "stream reset by the server: %s (0x%x)",
             hb_h2_code_names[lh2_code(code)], code);
    hb_load_fail(st, HB_LE_STREAM_RESET, msg);
  }
  else if(code == NGHTTP2_REFUSED_STREAM) {
    /* above a GOAWAY's last stream: the server never processed it, as a
     * pipelined request cut short; -n hands the slot out again */
    if(sh->o->requests)
      atomic_fetch_sub(&sh->claimed, 1);
  }
  else {
    st->requests++;
    snprintf(msg, sizeof(msg), "stream closed by nghttp2: %s (0x%x)%s",
             hb_h2_code_names[lh2_code(code)], code,
             code == NGHTTP2_NO_ERROR ? ", no response" : "");
    hb_load_fail(st, HB_LE_PROTOCOL, msg);
  }
  return 0;
}

/* ---- the run's request ---- */

/* Header fields HTTP/2 forbids (RFC 9113, 8.2.2); Host is :authority. */
static int lh2_dropped(const char *name, size_t n)
{
  static const char *const drop[] = {
    "connection", "keep-alive", "proxy-connection", "transfer-encoding",
    "upgrade", "host"
  };
  size_t i;

  for(i = 0; i < sizeof(drop) / sizeof(drop[0]); i++)
    if(strlen(drop[i]) == n && !strncasecmp(name, drop[i], n))
      return 1;
  return 0;
}

static void lh2_nv(nghttp2_nv *nv, const char *name, size_t namelen,
                   const char *value, size_t valuelen)
{
  /* nghttp2's nv is not const, but with NO_COPY it only reads them */
  nv->name = (uint8_t *)name;
  nv->namelen = namelen;
  nv->value = (uint8_t *)value;
  nv->valuelen = valuelen;
  nv->flags = NGHTTP2_NV_FLAG_NO_COPY_NAME | NGHTTP2_NV_FLAG_NO_COPY_VALUE;
}

int lh2_prepare(ld_opts *o)
{
  lh2_run *r = calloc(1, sizeof(*r));
  const char *auth = o->url.hostport;
  size_t authlen = strlen(auth), names = 0, pos = 0, k;
  int i;

  if(!r)
    return -1;
  o->h2 = r;
  for(i = 0; i < o->nheaders; i++)
    names += strlen(o->headers[i]) + 1;
  r->names = malloc(names + 1);
  r->nv = calloc((size_t)o->nheaders + 4, sizeof(*r->nv));
  if(!r->names || !r->nv || nghttp2_session_callbacks_new(&r->cb))
    return -1;
  nghttp2_session_callbacks_set_on_begin_headers_callback(r->cb,
                                                          cb_begin_headers);
  nghttp2_session_callbacks_set_on_header_callback(r->cb, cb_header);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(r->cb, cb_data);
  nghttp2_session_callbacks_set_on_frame_recv_callback(r->cb,
                                                       cb_frame_recv);
  nghttp2_session_callbacks_set_on_frame_send_callback(r->cb,
                                                       cb_frame_send);
  nghttp2_session_callbacks_set_on_stream_close_callback(r->cb,
                                                         cb_stream_close);
  k = 4;
  for(i = 0; i < o->nheaders; i++) {
    const char *h = o->headers[i], *colon = strchr(h, ':'), *v;
    size_t n = (size_t)(colon - h), j;

    v = colon + 1;
    while(*v == ' ' || *v == '\t')
      v++;
    if(n == 4 && !strncasecmp(h, "host", 4)) {
      auth = v;
      authlen = strlen(v);
    }
    if(lh2_dropped(h, n))
      continue;
    for(j = 0; j < n; j++)
      r->names[pos + j] = (char)(h[j] >= 'A' && h[j] <= 'Z' ? h[j] + 32
                                                             : h[j]);
    lh2_nv(&r->nv[k++], r->names + pos, n, v, strlen(v));
    pos += n + 1;
  }
  lh2_nv(&r->nv[0], ":method", 7, "GET", 3);
  lh2_nv(&r->nv[1], ":scheme", 7, o->url.https ? "https" : "http",
         o->url.https ? 5 : 4);
  lh2_nv(&r->nv[2], ":authority", 10, auth, authlen);
  lh2_nv(&r->nv[3], ":path", 5, o->url.path, strlen(o->url.path));
  r->nvlen = k;
  return 0;
}

void lh2_unprepare(ld_opts *o)
{
  lh2_run *r = o->h2;

  if(!r)
    return;
  if(r->cb)
    nghttp2_session_callbacks_del(r->cb);
  free(r->nv);
  free(r->names);
  free(r);
  o->h2 = NULL;
}

/* ---- the connection ---- */

void lh2_free(ld_conn *c)
{
  struct ld_h2 *h = c->h2;

  if(!h)
    return;
  h->closing = 1; /* its open streams are the caller's to count */
  nghttp2_session_del(h->s);
  free(h->st);
  free(h->freei);
  free(h->wbuf);
  free(h);
  c->h2 = NULL;
}

/* Gathers nghttp2's pending frames into the write buffer, up to about
 * LH2_WBATCH bytes (a frame is never split). 0, or -1 after lc_fail. */
#define LH2_WBATCH 16384
static int lh2_gather(ld_conn *c)
{
  struct ld_h2 *h = c->h2;

  h->wlen = h->woff = 0;
  while(h->wlen < LH2_WBATCH) {
    const uint8_t *p;
    ssize_t got = nghttp2_session_mem_send(h->s, &p);

    if(got < 0) {
      lc_fail(c, HB_LE_PROTOCOL, "nghttp2: %s", nghttp2_strerror((int)got));
      return -1;
    }
    if(!got)
      break;
    if(h->wlen + (size_t)got > h->wcap) {
      size_t cap = h->wlen + (size_t)got > LH2_WBATCH ?
                   h->wlen + (size_t)got : LH2_WBATCH;
      uint8_t *b = realloc(h->wbuf, cap);

      if(!b) {
        lc_fail(c, HB_LE_WRITE, "out of memory for %zu bytes of output",
                cap);
        return -1;
      }
      h->wbuf = b;
      h->wcap = cap;
    }
    memcpy(h->wbuf + h->wlen, p, (size_t)got);
    h->wlen += (size_t)got;
  }
  return 0;
}

/* Writes what nghttp2 has to send, its frames gathered into as few
 * writes as the buffer allows (one write per frame made a syscall per
 * request); EPOLLOUT only while the socket is full. A write the TLS
 * library could not finish is retried with the same bytes. 0, or -1
 * after lc_fail. */
static int lh2_flush(ld_conn *c)
{
  const hb_tls_ops *ops = c->t->sh->ops;
  struct ld_h2 *h = c->h2;
  hb_err err = { "" };

  for(;;) {
    size_t n = 0;
    hb_io r;

    if(h->woff == h->wlen) {
      if(lh2_gather(c))
        return -1;
      if(!h->wlen)
        break;
    }
    r = ops->write(c->tls, h->wbuf + h->woff, h->wlen - h->woff, &n, &err);
    if(r == HB_IO_OK) {
      h->woff += n;
      continue;
    }
    if(r == HB_IO_WANT_WRITE || r == HB_IO_WANT_READ) {
      if(lc_arm(c, r == HB_IO_WANT_WRITE ? EPOLLIN | EPOLLOUT : EPOLLIN)) {
        lc_fail(c, HB_LE_WRITE, "epoll_ctl: %s", strerror(errno));
        return -1;
      }
      return 0;
    }
    if(r == HB_IO_RESET)
      lc_fail(c, HB_LE_RESET, "%s", err.msg);
    else
      lc_fail(c, HB_LE_WRITE, "%s", r == HB_IO_CLOSED ?
              "connection closed while sending" : err.msg);
    return -1;
  }
  if(lc_arm(c, EPOLLIN)) {
    lc_fail(c, HB_LE_WRITE, "epoll_ctl: %s", strerror(errno));
    return -1;
  }
  return 0;
}

/* One request on a new stream; its slot is held. 0, or -1 after
 * lc_fail. */
static int lh2_submit(ld_conn *c, uint64_t sched, uint64_t now)
{
  const ld_shared *sh = c->t->sh;
  const lh2_run *r = sh->o->h2;
  struct ld_h2 *h = c->h2;
  ld_stats *st = &c->t->st;
  unsigned i = h->freei[--h->nfree];
  lh2_stream *x = &h->st[i];
  int32_t id;

  memset(x, 0, sizeof(*x));
  if(sh->o->rate > 0) {
    uint64_t lag = now > sched ? now - sched : 0;

    if(lag > LC_LATE_NS)
      st->late++;
    if(lag > st->max_lag)
      st->max_lag = lag;
  }
  x->t_sched = sched;
  x->t_sent = now;
  x->deadline = now + sh->timeout_ns;
  id = nghttp2_submit_request(h->s, NULL, r->nv, r->nvlen, NULL, x);
  if(id < 0) {
    h->nfree++;
    lc_fail(c, HB_LE_PROTOCOL, "nghttp2: cannot open a stream: %s",
            nghttp2_strerror(id));
    return -1;
  }
  x->id = id;
  h->active++;
  st->sent++;
  return 0;
}

/* Opens the streams that may go now. 1 when -n has no request left for
 * this connection, 0 otherwise, -1 after lc_fail. */
static int lh2_fill(ld_conn *c, uint64_t now)
{
  const ld_opts *o = c->t->sh->o;
  struct ld_h2 *h = c->h2;
  uint32_t limit = (uint32_t)o->streams, peer;

  peer = nghttp2_session_get_remote_settings(h->s,
           NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS);
  if(peer < limit)
    limit = peer;
  if(!h->settings) /* one stream until the server's limit is known: more
                      could be refused (nghttp2 assumes 100 until then) */
    limit = 1;
  while(!h->goaway && h->active < limit) {
    uint64_t sched = now;

    if(c->pend) { /* claimed before connecting */
      c->pend = 0;
      if(o->rate > 0)
        sched = c->t_sched;
    }
    else {
      if(o->rate > 0 && lc_sched(c) > now)
        break;
      if(!lc_claim(c, 1))
        return 1;
      c->slot++;
      if(o->rate > 0) {
        sched = lc_sched(c);
        c->k++;
      }
    }
    if(lh2_submit(c, sched, now))
      return -1;
  }
  if(o->rate > 0 && !h->goaway && h->active < limit)
    lc_wake(c, lc_sched(c)); /* the next send's turn */
  return 0;
}

/* After input, a timer or a timeout: new streams, output, and whether
 * the connection is over. */
static void lh2_after(ld_conn *c, uint64_t now)
{
  struct ld_h2 *h = c->h2;
  uint64_t closes;
  int fill;

  do { /* a stream closed by our own output frees room for another */
    closes = h->closes;
    fill = lh2_fill(c, now);
    if(fill < 0 || lh2_flush(c))
      return;
  } while(h->closes != closes && fill == 0 && !h->goaway);
  if(!nghttp2_session_want_read(h->s) && !nghttp2_session_want_write(h->s)) {
    if(h->local_err) {
      uint32_t code = h->local_err - 1;

      lc_fail(c, HB_LE_PROTOCOL, "nghttp2 ended the connection: %s (0x%x)",
              hb_h2_code_names[lh2_code(code)], code);
    }
    else if(c->slot)
      lc_fail(c, HB_LE_GOAWAY, "the session ended with %u streams open",
              c->slot);
    else {
      lc_close(c, 1);
      lc_next(c, now, 0);
    }
    return;
  }
  if(h->goaway && !h->active) { /* graceful: go on with a new one */
    lc_close(c, 1);
    lc_next(c, now, 0);
    return;
  }
  if(fill == 1 && !h->active) { /* -n: nothing left to ask */
    lc_close(c, 1);
    c->state = LC_DONE;
    c->t->ndone++;
  }
}

void lh2_open(ld_conn *c, uint64_t now)
{
  const ld_shared *sh = c->t->sh;
  const lh2_run *r = sh->o->h2;
  nghttp2_settings_entry iv[2] = {
    { NGHTTP2_SETTINGS_ENABLE_PUSH, 0 },
    { NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, LH2_STREAM_WINDOW }
  };
  struct ld_h2 *h;
  unsigned i, m = (unsigned)sh->o->streams;
  int rv;

  if(sh->tls) { /* what the TLS library says was agreed */
    char alpn[32];
    ld_stats *st = &c->t->st;

    hb_tls_alpn(sh->ops, c->tls, alpn, sizeof(alpn));
    if(strcmp(alpn, "h2")) {
      ld_shared *wsh = c->t->sh;

      lc_fail(c, HB_LE_PROTOCOL, "--http2: the server selected %s%s%s by "
              "ALPN, not h2", alpn[0] ? "\"" : "no protocol", alpn,
              alpn[0] ? "\"" : "");
      atomic_store(&wsh->no_h2, 1);
      atomic_store(&wsh->gave_up, 1);
      return;
    }
    if(!st->protocol[0])
      memcpy(st->protocol, "h2", sizeof("h2"));
  }
  h = calloc(1, sizeof(*h));
  if(!h || !(h->st = calloc(m, sizeof(*h->st))) ||
     !(h->freei = calloc(m, sizeof(*h->freei)))) {
    if(h)
      free(h->st);
    free(h);
    lc_fail(c, HB_LE_PROTOCOL, "out of memory for an HTTP/2 session");
    return;
  }
  for(i = 0; i < m; i++)
    h->freei[i] = m - 1 - i;
  h->nfree = m;
  rv = nghttp2_session_client_new(&h->s, r->cb, c);
  if(!rv)
    rv = nghttp2_submit_settings(h->s, NGHTTP2_FLAG_NONE, iv, 2);
  if(!rv)
    rv = nghttp2_session_set_local_window_size(h->s, NGHTTP2_FLAG_NONE, 0,
                                               LH2_CONN_WINDOW);
  c->h2 = h;
  c->state = LC_H2;
  if(rv) {
    lc_fail(c, HB_LE_PROTOCOL, "nghttp2: %s", nghttp2_strerror(rv));
    return;
  }
  h->now = now;
  lh2_after(c, now);
}

void lh2_resume(ld_conn *c, uint64_t now)
{
  c->h2->now = now;
  lh2_after(c, now);
}

/* Feeds what the socket has to nghttp2. 0, or -1 when the connection was
 * closed here (lc_fail, or a clean close and a new start). */
static int lh2_read(ld_conn *c)
{
  const ld_shared *sh = c->t->sh;
  ld_thread *t = c->t;
  struct ld_h2 *h = c->h2;
  hb_err err = { "" };

  for(;;) {
    size_t n = 0;
    ssize_t used;
    hb_io r = sh->ops->read(c->tls, t->buf, t->bufsize, &n, &err);

    if(r == HB_IO_WANT_READ)
      return 0;
    if(r == HB_IO_WANT_WRITE) { /* TLS wants to send first */
      if(lc_arm(c, EPOLLIN | EPOLLOUT)) {
        lc_fail(c, HB_LE_READ, "epoll_ctl: %s", strerror(errno));
        return -1;
      }
      return 0;
    }
    if(r == HB_IO_CLOSED) {
      if(!c->slot) { /* an idle connection closed: a new one later */
        lc_close(c, 0);
        lc_next(c, hb_now_ns(), 0);
      }
      else
        lc_fail(c, HB_LE_READ, "connection closed with %u streams open",
                c->slot);
      return -1;
    }
    if(r != HB_IO_OK) {
      lc_fail(c, r == HB_IO_RESET ? HB_LE_RESET : HB_LE_READ, "%s",
              err.msg);
      return -1;
    }
    h->now = hb_now_ns();
    t->st.bytes_in += n;
    used = nghttp2_session_mem_recv(h->s, (const uint8_t *)t->buf, n);
    if(used < 0) {
      lc_fail(c, HB_LE_PROTOCOL, "HTTP/2 from the server: %s",
              nghttp2_strerror((int)used));
      return -1;
    }
    /* plain TCP keeps nothing back: a short read drained the socket */
    if(sh->ops->supports & HB_TLS_SUP_UNBUFFERED && n < t->bufsize)
      return 0;
  }
}

void lh2_event(ld_conn *c, unsigned ev)
{
  if(ev & (EPOLLIN | EPOLLERR | EPOLLHUP) && lh2_read(c))
    return;
  lh2_after(c, hb_now_ns());
}

void lh2_timeouts(ld_conn *c, uint64_t now)
{
  struct ld_h2 *h = c->h2;
  ld_stats *st = &c->t->st;
  unsigned i, late = 0;

  for(i = 0; i < (unsigned)c->t->sh->o->streams; i++) {
    lh2_stream *x = &h->st[i];
    char msg[80];

    if(!x->id || x->dead || now <= x->deadline)
      continue;
    x->dead = 1;
    c->slot--;
    st->requests++;
    snprintf(msg, sizeof(msg), "response timed out after %g s",
             c->t->sh->o->timeout);
    hb_load_fail(st, HB_LE_TIMEOUT, msg);
    nghttp2_submit_rst_stream(h->s, NGHTTP2_FLAG_NONE, x->id,
                              NGHTTP2_CANCEL);
    late++;
  }
  if(late) {
    h->now = now;
    lh2_after(c, now);
  }
}
