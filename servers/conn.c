/* One connection's state machine: TLS handshake, reading request heads
 * (pipelined ones answered in order), dropping request bodies, writing
 * responses, and closing - gracefully or not.
 *
 * Every connection goes through the hb_tls_ops table, plain TCP too
 * (lib/tls/plain.c). Where the table has writev and sendfile (plain TCP)
 * a body in memory goes out with its head in one writev and a large
 * /bytes body by sendfile, without a copy; otherwise (TLS) the head and
 * the first body bytes are copied into one buffer so one record carries
 * both.
 * epoll is level-triggered: a connection is armed for EPOLLIN while it
 * waits for requests and for EPOLLOUT only while a response is stuck.
 *
 * bytes_body counts body bytes as a write call accepts them (socket or TLS
 * library), not when a response completes: a snapshot taken in the middle
 * of a large response sees the part already written. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "hb/alloc.h"
#include "hb/clock.h"
#include "server.h"

enum { FLUSH_DONE, FLUSH_BLOCKED, FLUSH_DEAD };

static void conn_fail(srv_conn *c, srv_err e, const char *detail)
{
  srv_count(c->w, e, detail);
  srv_conn_close(c);
}

/* ---- transport ---- */

/* Which error category a failed call is: a reset is a reset. */
static srv_err conn_err(hb_io io, srv_err other)
{
  return io == HB_IO_RESET ? SRV_ERR_RESET : other;
}

static hb_io conn_recv(srv_conn *c, char *buf, size_t len, size_t *n,
                       srv_err *e, hb_err *err)
{
  hb_io io = c->w->s->ops->read(c->tls, buf, len, n, err);

  *e = conn_err(io, SRV_ERR_READ);
  return io;
}

static hb_io conn_send(srv_conn *c, const char *buf, size_t len, size_t *n,
                       srv_err *e, hb_err *err)
{
  hb_io io = c->w->s->ops->write(c->tls, buf, len, n, err);

  *e = conn_err(io, SRV_ERR_WRITE);
  return io;
}

/* When the transport waits (want-read or want-write, in any state: a
 * TLS write can need a read and a read a write), arms epoll for what it
 * waits for and 1; else 0. */
static int conn_wait(srv_conn *c, hb_io io)
{
  if(io != HB_IO_WANT_WRITE && io != HB_IO_WANT_READ)
    return 0;
  srv_set_events(c, io == HB_IO_WANT_WRITE ? EPOLLOUT : EPOLLIN);
  return 1;
}

/* After a zero-copy call that did not move bytes: FLUSH_BLOCKED (armed
 * for what the transport waits for) or FLUSH_DEAD. */
static int conn_stuck(srv_conn *c, hb_io io, const hb_err *err)
{
  if(conn_wait(c, io))
    return FLUSH_BLOCKED;
  conn_fail(c, conn_err(io, SRV_ERR_WRITE), err->msg);
  return FLUSH_DEAD;
}

/* ---- writing a response ---- */

/* Where body byte `off` of the pattern lives; up to one period follows. */
static const char *conn_pattern(srv_conn *c, uint64_t off)
{
  return c->w->s->pattern + off % SRV_PERIOD;
}

/* Copies up to `room` body bytes to dst (the first record). */
static int conn_body_copy(srv_conn *c, char *dst, size_t room, size_t *got)
{
  srv_resp *r = &c->r;
  uint64_t left = r->len - r->off;
  size_t k = left < room ? (size_t)left : room;
  ssize_t n;

  *got = 0;
  if(!k)
    return 0;
  switch(r->kind) {
  case BODY_PATTERN:
    memcpy(dst, conn_pattern(c, r->off), k);
    break;
  case BODY_MEM:
    memcpy(dst, r->mem + r->off, k);
    break;
  case BODY_FILE:
    do
      n = pread(r->file, dst, k, (off_t)r->off);
    while(n < 0 && errno == EINTR);
    if(n <= 0) {
      srv_count(c->w, SRV_ERR_FILE, n < 0 ? strerror(errno) :
                "file shrank while being served");
      return -1;
    }
    k = (size_t)n;
    break;
  default:
    k = 0;
  }
  r->off += k;
  *got = k;
  return 0;
}

/* The next piece for the table path: 1 ready, 0 response done, -1 error */
static int conn_next_piece(srv_conn *c)
{
  srv_resp *r = &c->r;
  uint64_t left;
  size_t got;

  if(!r->started) {
    r->started = 1;
    if(!r->obuf) {
      r->obuf = srv_obuf_get(c->w);
      if(!r->obuf) {
        srv_count(c->w, SRV_ERR_OOM, "response buffer");
        return -1;
      }
    }
    memcpy(r->obuf, c->head, r->head_len);
    r->head_off = r->head_len;
    if(conn_body_copy(c, r->obuf + r->head_len, SRV_OBUF - r->head_len,
                      &got))
      return -1;
    r->wptr = r->obuf;
    r->wlen = r->head_len + got;
    r->whead = r->head_len;
    return 1;
  }
  left = r->len - r->off;
  if(!left)
    return 0;
  if(r->kind == BODY_PATTERN) {
    r->wptr = conn_pattern(c, r->off);
    r->wlen = left < SRV_WCHUNK ? (size_t)left : SRV_WCHUNK;
    r->off += r->wlen;
    return 1;
  }
  if(r->kind == BODY_MEM) {
    r->wptr = r->mem + r->off;
    r->wlen = (size_t)left;
    r->off = r->len;
    return 1;
  }
  if(conn_body_copy(c, r->obuf, SRV_OBUF, &got))
    return -1;
  r->wptr = r->obuf;
  r->wlen = got;
  return 1;
}

/* TLS, or files: through conn_send, one buffer at a time. */
static int conn_flush_buf(srv_conn *c)
{
  srv_resp *r = &c->r;
  srv_err e = SRV_ERR_WRITE;
  hb_err err = { "" };

  for(;;) {
    size_t n;
    hb_io io;

    if(!r->wlen) {
      int rc = conn_next_piece(c);
      if(rc == 0)
        return FLUSH_DONE;
      if(rc < 0) {
        srv_conn_close(c);
        return FLUSH_DEAD;
      }
    }
    io = conn_send(c, r->wptr, r->wlen, &n, &e, &err);
    if(io == HB_IO_OK) {
      size_t h = n < r->whead ? n : r->whead;
      r->whead -= h;
      SRV_ADD(c->w->bytes_body, n - h);
      r->wptr += n;
      r->wlen -= n;
      srv_touch(c);
      continue;
    }
    if(conn_wait(c, io))
      return FLUSH_BLOCKED;
    conn_fail(c, io == HB_IO_CLOSED ? SRV_ERR_RESET : e,
              io == HB_IO_CLOSED ? "peer closed while we wrote" : err.msg);
    return FLUSH_DEAD;
  }
}

/* A large /bytes body where the table has sendfile: the head (held
 * back by MSG_MORE), then sendfile from the pattern's memfd - no copy
 * into the socket. */
static int conn_flush_sendfile(srv_conn *c)
{
  const hb_tls_ops *ops = c->w->s->ops;
  srv_resp *r = &c->r;

  for(;;) {
    hb_err err = { "" };
    size_t n;
    hb_io io;

    if(r->head_off < r->head_len) {
      struct iovec iov;

      iov.iov_base = c->head + r->head_off;
      iov.iov_len = r->head_len - r->head_off;
      io = ops->writev(c->tls, &iov, 1, 1, &n, &err);
      r->head_off += n;
    }
    else if(r->off < r->len) {
      off_t o = (off_t)(r->off % SRV_PERIOD);
      uint64_t left = r->len - r->off;

      /* the memfd holds two periods: never short of bytes */
      io = ops->sendfile(c->tls, c->w->s->patfd, &o, left < SRV_PERIOD ?
                         (size_t)left : SRV_PERIOD, &n, &err);
      r->off += n;
      SRV_ADD(c->w->bytes_body, n);
    }
    else
      return FLUSH_DONE;
    if(io != HB_IO_OK)
      return conn_stuck(c, io, &err);
    srv_touch(c);
  }
}

/* A body in memory where the table has writev: head and body in one
 * call. */
static int conn_flush_vec(srv_conn *c)
{
  srv_resp *r = &c->r;

  for(;;) {
    struct iovec iov[4];
    uint64_t off = r->off, left = r->len - r->off;
    size_t hl = r->head_len - r->head_off, k, sent;
    hb_err err = { "" };
    int n = 0;
    hb_io io;

    if(hl) {
      iov[n].iov_base = c->head + r->head_off;
      iov[n++].iov_len = hl;
    }
    while(left && n < 4) {
      k = left < SRV_PERIOD ? (size_t)left : SRV_PERIOD;
      iov[n].iov_base = (void *)(r->kind == BODY_MEM ? r->mem + off :
                                 conn_pattern(c, off));
      iov[n++].iov_len = k;
      off += k;
      left -= k;
    }
    if(!n)
      return FLUSH_DONE;
    io = c->w->s->ops->writev(c->tls, iov, n, 0, &sent, &err);
    if(io != HB_IO_OK)
      return conn_stuck(c, io, &err);
    k = sent < hl ? sent : hl;
    r->head_off += k;
    r->off += (uint64_t)(sent - k);
    SRV_ADD(c->w->bytes_body, (uint64_t)(sent - k));
    srv_touch(c);
  }
}

static int conn_flush(srv_conn *c)
{
  const hb_tls_ops *ops = c->w->s->ops;

  if(ops->sendfile && c->r.kind == BODY_PATTERN && c->w->s->patfd >= 0 &&
     c->r.len >= SRV_SENDFILE_MIN)
    return conn_flush_sendfile(c);
  if(ops->writev && c->r.kind != BODY_FILE)
    return conn_flush_vec(c);
  return conn_flush_buf(c);
}

/* ---- closing ---- */

void srv_conn_close(srv_conn *c)
{
  srv_worker *w = c->w;

  srv_timer_unlink(c);
  srv_response_reset(c);
  srv_h2_free(c);
  w->s->ops->conn_free(c->tls);
  close(c->fd);       /* also leaves the epoll set */
  if(c->in != c->small)
    free(c->in);
  atomic_fetch_sub(&w->s->live, 1);
  if(w->nfree_conns < 256) {
    c->next = w->free_conns;
    w->free_conns = c;
    w->nfree_conns++;
  }
  else
    free(c);
}

/* After the last response: close now when the peer has nothing more in
 * flight, else half-close and read what it still sends for a while, so
 * unread bytes do not turn our close into a reset that eats the reply. */
void srv_conn_finish_close(srv_conn *c, int linger)
{
  hb_err err;

  /* close_notify (plain TCP: a FIN); best effort */
  c->w->s->ops->shutdown(c->tls, &err);
  if(!linger) {
    srv_conn_close(c);
    return;
  }
  c->state = ST_LINGER;
  c->in_off = c->in_len = 0;
  srv_timer_list(c, LIST_LINGER);
  srv_set_events(c, EPOLLIN);
}

static void conn_linger(srv_conn *c)
{
  int rounds;

  for(rounds = 0; rounds < 16; rounds++) {
    srv_err e;
    hb_err err;
    size_t n;
    hb_io io = conn_recv(c, c->in, c->in_cap, &n, &e, &err);

    if(io == HB_IO_WANT_READ)
      return;
    if(io != HB_IO_OK) {
      srv_conn_close(c);
      return;
    }
  }
}

/* ---- reading requests ---- */

/* Room to read into: compacts, and grows once when a head is split. */
static size_t conn_in_space(srv_conn *c)
{
  size_t avail = c->in_len - c->in_off;

  if(!avail)
    c->in_off = c->in_len = 0;
  else if(c->in_off && c->in_cap - c->in_len < 512) {
    memmove(c->in, c->in + c->in_off, avail);
    c->in_off = 0;
    c->in_len = avail;
  }
  if(c->in_len == c->in_cap && c->in == c->small) {
    char *big = hb_malloc(SRV_IN_BIG);
    if(!big)
      return 0;
    memcpy(big, c->in + c->in_off, avail);
    c->in = big;
    c->in_cap = SRV_IN_BIG;
    c->in_off = 0;
    c->in_len = avail;
  }
  return c->in_cap - c->in_len;
}

static srv_err conn_status_err(int status)
{
  switch(status) {
  case 413: return SRV_ERR_BODY_TOO_LARGE;
  case 414: return SRV_ERR_URI_TOO_LONG;
  case 431: return SRV_ERR_HEAD_TOO_LARGE;
  case 501: return SRV_ERR_NOT_IMPLEMENTED;
  case 505: return SRV_ERR_BAD_VERSION;
  default: return SRV_ERR_BAD_REQUEST;
  }
}

static const char *conn_status_why(int status)
{
  switch(status) {
  case 414: return "request URI over 4096 bytes";
  case 431: return "request head over 8192 bytes or 64 headers";
  case 501: return "unknown Transfer-Encoding";
  case 505: return "HTTP version other than 1.0 and 1.1";
  default:
    return "malformed request head (syntax, NUL/CTL/DEL, folding, bad or "
           "conflicting Content-Length / Transfer-Encoding)";
  }
}

/* A final error reply: whatever else is buffered is dropped. */
static void conn_refuse(srv_conn *c, int status, srv_err e,
                        const char *detail)
{
  srv_count(c->w, e, detail);
  srv_respond_error(c, status);
  c->linger = 1;
  c->in_off = c->in_len;
  c->phase = PH_RESPOND;
}

/* --stall-ms: the request that takes the count past --stall-after waits
 * here, once, before it is answered; the whole event loop stops. */
static void conn_stall(srv_conn *c)
{
  srv *s = c->w->s;
  struct timespec ts;

  if(atomic_load_explicit(&s->stall_seen, memory_order_relaxed) >
     s->stall_after || atomic_fetch_add(&s->stall_seen, 1) != s->stall_after)
    return;
  ts.tv_sec = (time_t)(s->stall_ns / 1000000000u);
  ts.tv_nsec = (long)(s->stall_ns % 1000000000u);
  while(nanosleep(&ts, &ts) && errno == EINTR)
    ;
  c->w->now = hb_now_ns();
}

/* --burn-us: spins until this thread has used burn_ns more CPU. */
static void conn_burn(uint64_t burn_ns)
{
  struct timespec ts;
  uint64_t start, now;

  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  start = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
  do {
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    now = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
  } while(now - start < burn_ns);
}

/* A request head: 1 when a response is ready (or waits for the body),
 * 0 when more bytes are needed. */
static int conn_parse(srv_conn *c)
{
  hb_http_request *q = &c->w->req;
  size_t avail = c->in_len - c->in_off;
  int rc;

  if(!avail)
    return 0;
  /* an incomplete head can only end (or go wrong) at a new line */
  if(c->scanned && avail < HB_HTTP_MAX_HEAD &&
     !memchr(c->in + c->in_off + c->scanned, '\n', avail - c->scanned)) {
    c->scanned = avail;
    return 0;
  }
  rc = hb_http_parse_request(c->in + c->in_off, avail, q);
  if(rc == HB_HTTP_INCOMPLETE) {
    c->scanned = avail;
    return 0;
  }
  c->scanned = 0;
  SRV_ADD(c->w->requests, 1);
  if(c->w->s->stall_ns)
    conn_stall(c);
  if(rc < 0) {
    conn_refuse(c, -rc, conn_status_err(-rc), conn_status_why(-rc));
    return 1;
  }
  c->in_off += (size_t)rc;
  if(q->content_length > (int64_t)SRV_MAX_BODY) {
    conn_refuse(c, 413, SRV_ERR_BODY_TOO_LARGE, "Content-Length over "
                "1 MiB");
    return 1;
  }
  srv_route(c, q);
  if(c->w->s->burn_ns)
    conn_burn(c->w->s->burn_ns);
  c->phase = PH_RESPOND;
  if(q->content_length > 0) {
    c->chunked = 0;
    c->body_left = (uint64_t)q->content_length;
    c->phase = PH_BODY;
  }
  else if(q->chunked) {
    c->chunked = 1;
    c->body_seen = 0;
    memset(&c->chunk, 0, sizeof(c->chunk));
    c->phase = PH_BODY;
  }
  return 1;
}

/* Drops request body bytes: 1 when the body is over, 0 for more. */
static int conn_body(srv_conn *c)
{
  size_t avail = c->in_len - c->in_off, n = avail;
  ssize_t rc;

  if(!c->chunked) {
    size_t k = (uint64_t)avail < c->body_left ? avail : (size_t)c->body_left;
    c->in_off += k;
    c->body_left -= k;
    if(k)
      srv_touch(c);
    if(c->body_left)
      return 0;
    c->phase = PH_RESPOND;
    return 1;
  }
  if(!avail)
    return 0;
  rc = hb_http_decode_chunked(&c->chunk, c->in + c->in_off, &n);
  if(rc == -1) {
    conn_refuse(c, 400, SRV_ERR_BAD_CHUNK, "bad chunk size or framing");
    return 1;
  }
  c->body_seen += n;
  if(c->body_seen > SRV_MAX_BODY) {
    conn_refuse(c, 413, SRV_ERR_BODY_TOO_LARGE, "chunked body over 1 MiB");
    return 1;
  }
  srv_touch(c);
  if(rc == HB_HTTP_INCOMPLETE) {
    c->in_off = c->in_len;  /* all consumed; the decoder keeps its place */
    return 0;
  }
  c->in_off += n;           /* the leftover follows the decoded bytes */
  c->in_len = c->in_off + (size_t)rc;
  c->phase = PH_RESPOND;
  return 1;
}

/* Back to reading after a response; 0 when the connection is closing. */
static int conn_done(srv_conn *c)
{
  int linger = c->linger || c->in_len > c->in_off;

  srv_response_reset(c);
  if(c->close_after) {
    srv_conn_finish_close(c, linger);
    return 0;
  }
  c->state = ST_READ;
  c->phase = PH_HEAD;
  srv_touch(c);
  return 1;
}

/* Plain TCP with --h2c, a connection's first bytes: the HTTP/2 client
 * preface (prior knowledge)? 1 yes, 0 no (HTTP/1.1), -1 too few bytes
 * to tell. */
static int conn_is_preface(const srv_conn *c)
{
  static const char pri[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
  size_t avail = c->in_len - c->in_off;
  size_t k = avail < sizeof(pri) - 1 ? avail : sizeof(pri) - 1;

  if(memcmp(c->in + c->in_off, pri, k))
    return 0;
  return k == sizeof(pri) - 1 ? 1 : -1;
}

/* Serves what is buffered. 1: waiting for input; 0: blocked or gone. */
static int conn_process(srv_conn *c)
{
  if(c->h2c_check && c->in_len > c->in_off) {
    int pre = conn_is_preface(c);

    if(pre < 0)
      return 1;
    c->h2c_check = 0;
    if(pre) {
      srv_h2_start(c, c->in + c->in_off, c->in_len - c->in_off);
      return 0;
    }
  }
  for(;;) {
    if(c->phase == PH_HEAD && !conn_parse(c))
      return 1;
    if(c->phase == PH_BODY && !conn_body(c))
      return 1;
    c->state = ST_WRITE;
    if(conn_flush(c) != FLUSH_DONE)
      return 0;
    if(!conn_done(c))
      return 0;
  }
}

static void conn_read(srv_conn *c)
{
  int rounds;

  for(rounds = 0; ; rounds++) {
    size_t space = conn_in_space(c), n;
    srv_err e = SRV_ERR_READ;
    hb_err err = { "" };
    hb_io io;

    if(!space) {
      conn_fail(c, SRV_ERR_OOM, "request buffer");
      return;
    }
    io = conn_recv(c, c->in + c->in_len, space, &n, &e, &err);
    switch(io) {
    case HB_IO_OK:
      c->in_len += n;
      if(!conn_process(c))
        return;
      /* level-triggered: a short read of a transport that keeps nothing
       * back (plain TCP) drained the socket, and a busy one gets its turn
       * again next round; TLS must read until WANT_READ or bytes could
       * wait unseen inside the library */
      if((c->w->s->ops->supports & HB_TLS_SUP_UNBUFFERED) &&
         (n < space || rounds == 3)) {
        srv_set_events(c, EPOLLIN);
        return;
      }
      break;
    case HB_IO_WANT_READ:
    case HB_IO_WANT_WRITE:
      conn_wait(c, io);
      return;
    case HB_IO_CLOSED:
      if(c->in_len > c->in_off || c->phase != PH_HEAD)
        srv_count(c->w, SRV_ERR_TRUNCATED, "peer closed inside a request");
      srv_conn_close(c);
      return;
    default:
      conn_fail(c, e, err.msg);
      return;
    }
  }
}

/* Counts a completed handshake and its time since accept (the server's
 * side: a full TLS 1.2 handshake completes when the server has sent its
 * Finished, TLS 1.3 when it has read the client's); the first one's
 * parameters are kept for the snapshots.
 * (With early data this is when the library lets us read, which may be
 * before the client's Finished.) */
static void conn_handshake_done(srv_conn *c)
{
  srv_worker *w = c->w;
  srv *s = w->s;
  hb_tls_info info;
  int zero = 0;

  memset(&info, 0, sizeof(info));
  if(s->ops->info(c->tls, &info) == 0 && info.resumed)
    SRV_ADD(w->resumed, 1);
  SRV_ADD(w->handshake_ns, hb_now_ns() - c->t_accept);
  SRV_ADD(w->handshakes, 1);
  if(atomic_load_explicit(&s->tls_state, memory_order_relaxed) == 0 &&
     atomic_compare_exchange_strong(&s->tls_state, &zero, 1)) {
    s->tls_first = info;
    atomic_store_explicit(&s->tls_state, 2, memory_order_release);
  }
}

static void conn_handshake(srv_conn *c)
{
  hb_err err = { "" };
  hb_io io = c->w->s->ops->handshake(c->tls, &err);

  switch(io) {
  case HB_IO_OK:
    conn_handshake_done(c);
    if(c->w->s->h2.enabled) {
      char proto[16];

      hb_tls_alpn(c->w->s->ops, c->tls, proto, sizeof(proto));
      if(!strcmp(proto, "h2")) {
        srv_h2_start(c, NULL, 0);
        return;
      }
    }
    c->state = ST_READ;
    conn_read(c);
    return;
  case HB_IO_WANT_READ:
  case HB_IO_WANT_WRITE:
    conn_wait(c, io);
    return;
  case HB_IO_CLOSED:
    conn_fail(c, SRV_ERR_TLS_EOF, "peer closed during the handshake");
    return;
  default:
    conn_fail(c, SRV_ERR_TLS_HANDSHAKE, err.msg);
    return;
  }
}

void srv_conn_event(srv_conn *c, uint32_t events)
{
  switch(c->state) {
  case ST_HANDSHAKE:
    conn_handshake(c);
    break;
  case ST_READ:
    conn_read(c);
    break;
  case ST_WRITE:
    if(conn_flush(c) != FLUSH_DONE || !conn_done(c))
      break;
    /* pipelined requests may be buffered (and, for TLS, inside the
     * library, where epoll cannot see them) */
    if(conn_process(c)) {
      if(c->w->s->ops->supports & HB_TLS_SUP_UNBUFFERED)
        srv_set_events(c, EPOLLIN);
      else
        conn_read(c);
    }
    break;
  case ST_H2:
    srv_h2_event(c);
    break;
  default:
    conn_linger(c);
  }
}

void srv_conn_timeout(srv_conn *c)
{
  if(c->state == ST_LINGER) {
    srv_conn_close(c);
    return;
  }
  if(c->state == ST_HANDSHAKE)
    srv_count(c->w, SRV_ERR_HANDSHAKE_TIMEOUT, "no handshake within "
              "--idle-timeout");
  else if(c->state == ST_H2)
    srv_count(c->w, SRV_ERR_IDLE_TIMEOUT, "no HTTP/2 progress within "
              "--idle-timeout");
  else if(c->state == ST_WRITE)
    srv_count(c->w, SRV_ERR_WRITE_TIMEOUT, "peer stopped reading for "
              "--idle-timeout");
  else if(c->in_len > c->in_off || c->phase != PH_HEAD)
    srv_count(c->w, SRV_ERR_HEAD_TIMEOUT, "request not complete within "
              "--idle-timeout (slow client)");
  else
    srv_count(c->w, SRV_ERR_IDLE_TIMEOUT, "no request within "
              "--idle-timeout");
  srv_conn_close(c);
}

void srv_conn_start(srv_worker *w, int fd)
{
  srv *s = w->s;
  srv_conn *c = w->free_conns;
  hb_err err = { "" };
  uint64_t t_accept = hb_now_ns();

  if(c) {
    w->free_conns = c->next;
    w->nfree_conns--;
  }
  else {
    c = hb_malloc(sizeof(*c));
    if(!c) {
      srv_count(w, SRV_ERR_OOM, "connection");
      goto fail;
    }
  }
  memset(c, 0, offsetof(srv_conn, head));
  c->w = w;
  c->fd = fd;
  c->t_accept = t_accept;
  c->r.file = -1;
  c->in = c->small;
  c->in_cap = SRV_IN_SMALL;
  /* chosen once: plain TCP has no handshake to run or count */
  c->state = s->plain ? ST_READ : ST_HANDSHAKE;
  c->h2c_check = s->plain && s->h2.h2c;
  /* TCP_NODELAY comes from the listener (Linux copies it on accept) */
  if(s->ops->conn_new(s->ctx, fd, NULL, &c->tls, &err)) {
    srv_count(w, SRV_ERR_TLS_SETUP, err.msg);
    goto fail;
  }
  c->list = -1;
  srv_timer_list(c, LIST_IDLE);
  SRV_ADD(w->conns, 1);
  /* the request (or ClientHello) is usually there already; whatever
   * has to wait registers with epoll then (srv_set_events) */
  srv_conn_event(c, EPOLLIN);
  return;

fail:
  free(c);
  close(fd);
  atomic_fetch_sub(&s->live, 1);
}
