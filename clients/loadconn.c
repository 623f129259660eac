/* The load generator's engine: one epoll loop per thread, each connection
 * a small state machine over the transport table (plain TCP or a TLS
 * library, the loop does not know which).
 *
 * Per request in steady keep-alive: one write of pre-formatted bytes, one
 * or more reads into the thread's large buffer, the head parsed in place,
 * no allocation and no epoll_ctl (EPOLLIN stays armed, level-triggered;
 * EPOLLOUT only while a connect or a write waits).
 *
 * A connection waiting for a time (open-loop schedule, retry after an
 * error) sits in a min-heap ordered by that time.
 *
 * --pipeline N: a connection writes a batch of N requests in one write
 * and reads the N responses in order; the next batch goes when all are
 * in. Every response's latency counts from the batch's write (as wrk's
 * pipeline script). A response saying Connection: close, or a failure,
 * ends the batch: the failed request is counted in its error category,
 * the batch's unanswered requests are neither successes nor errors (with
 * -n their slots go back to the run), and the connection is made again. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "hb/clock.h"
#include "hb/loadstats.h"
#include "hb/sig.h"
#include "load.h"
#include "loadconn.h"

static void lc_start(ld_conn *c, uint64_t now);
static void lc_handshake(ld_conn *c);

/* ---- waiting connections: a binary min-heap on wake ---- */

static void heap_set(ld_thread *t, size_t i, ld_conn *c)
{
  t->heap[i] = c;
  c->heap_i = (long)i;
}

static void heap_push(ld_thread *t, ld_conn *c, uint64_t wake)
{
  size_t i = t->heap_n++;

  c->wake = wake;
  while(i) {
    size_t up = (i - 1) / 2;

    if(t->heap[up]->wake <= wake)
      break;
    heap_set(t, i, t->heap[up]);
    i = up;
  }
  heap_set(t, i, c);
}

static ld_conn *heap_pop(ld_thread *t)
{
  ld_conn *top = t->heap[0], *last = t->heap[--t->heap_n];
  size_t i = 0, n = t->heap_n;

  top->heap_i = -1;
  if(!n)
    return top;
  for(;;) {
    size_t l = 2 * i + 1, m = i;

    if(l < n && t->heap[l]->wake < last->wake)
      m = l;
    if(l + 1 < n && t->heap[l + 1]->wake <
       (m == i ? last->wake : t->heap[m]->wake))
      m = l + 1;
    if(m == i)
      break;
    heap_set(t, i, t->heap[m]);
    i = m;
  }
  heap_set(t, i, last);
  return top;
}

/* ---- helpers ---- */

static uint64_t lc_thread_cpu(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* --burn-us: spins until ns of this thread's own CPU time have passed. */
void lc_burn(uint64_t ns)
{
  uint64_t t0 = lc_thread_cpu();

  while(lc_thread_cpu() - t0 < ns)
    ;
}

int lc_arm(ld_conn *c, unsigned ev)
{
  struct epoll_event e;

  if(c->armed == ev)
    return 0;
  memset(&e, 0, sizeof(e));
  e.events = ev;
  e.data.ptr = c;
  if(epoll_ctl(c->t->ep, c->armed ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, c->fd,
               &e))
    return -1;
  c->armed = ev;
  return 0;
}

/* Open loop: connection g's k-th send is due at start + (g + k*C) / R, so
 * all connections together send at the constant rate R. */
uint64_t lc_sched(const ld_conn *c)
{
  const ld_shared *sh = c->t->sh;

  return sh->start + (uint64_t)(((double)c->gidx / (double)sh->o->conns +
                                 (double)c->k) * sh->interval_ns);
}

/* Adds the connection's socket byte counts and closes it; clean: after a
 * complete exchange, so a TLS close_notify is in order. */
void lc_close(ld_conn *c, int clean)
{
  const hb_tls_ops *ops = c->t->sh->ops;

  if(c->h2)
    lh2_free(c);
  if(c->tls) {
    hb_tls_info info;
    hb_err err;

    if(clean && c->t->sh->tls)
      ops->shutdown(c->tls, &err); /* best effort close_notify */
    if(ops->info(c->tls, &info) == HB_OK) {
      if(info.bytes_in > c->wire_in0)
        c->t->st.wire_in += info.bytes_in - c->wire_in0;
      if(info.bytes_out > c->wire_out0)
        c->t->st.wire_out += info.bytes_out - c->wire_out0;
    }
    c->wire_in0 = c->wire_out0 = 0;
    if(clean && ops->conn_reuse && !c->spare)
      c->spare = c->tls; /* its next socket skips the library's setup */
    else
      ops->conn_free(c->tls);
    c->tls = NULL;
  }
  if(c->fd >= 0)
    close(c->fd); /* also leaves the epoll set */
  c->fd = -1;
  c->armed = 0;
}

/* When a connection tries again after an error or a completed request. */
void lc_wake(ld_conn *c, uint64_t wake)
{
  if(c->heap_i < 0)
    heap_push(c->t, c, wake);
}

void lc_next(ld_conn *c, uint64_t now, uint64_t backoff)
{
  uint64_t wake = now + backoff;

  c->state = LC_IDLE;
  if(c->t->sh->o->rate > 0) {
    if(!c->t->sh->o->http2) /* HTTP/2 counts k as it claims */
      c->k++;
    if(lc_sched(c) > wake)
      wake = lc_sched(c);
  }
  if(c->heap_i < 0)
    heap_push(c->t, c, wake);
}

/* -n: takes up to want of the run's request slots; how many it got
 * (want without -n). */
unsigned lc_claim(ld_conn *c, unsigned want)
{
  ld_shared *sh = c->t->sh;
  long long cur, take;

  if(!sh->o->requests)
    return want;
  cur = atomic_load(&sh->claimed);
  do {
    if(cur >= sh->o->requests)
      return 0;
    take = sh->o->requests - cur;
    if(take > (long long)want)
      take = want;
  } while(!atomic_compare_exchange_weak(&sh->claimed, &cur, cur + take));
  return (unsigned)take;
}

/* Drops the slots still held: requests of a batch cut short, never
 * answered, neither successes nor errors; -n hands them out again. */
void lc_release(ld_conn *c)
{
  if(c->slot && c->t->sh->o->requests)
    atomic_fetch_sub(&c->t->sh->claimed, (long long)c->slot);
  c->slot = 0;
}

/* Counts a failure, closes the connection and schedules a retry (never
 * directly: a server refusing at once must not recurse). While no
 * connection was ever made, connect failures also count against the
 * run's budget (3 per connection, -c): when it is spent, the run stops
 * (nobody listens there; retrying for the whole -d would say nothing). */
void lc_fail(ld_conn *c, int cat, const char *fmt, ...)
{
  ld_shared *sh = c->t->sh;
  ld_stats *st = &c->t->st;

  if(!st->errmsg[cat][0]) {
    char msg[sizeof(st->errmsg[cat])];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    hb_load_fail(st, cat, msg);
  }
  else
    st->errors[cat]++;
  if(c->slot) { /* the request being made failed; a batch's others: */
    st->requests++;
    c->slot--;
    if(sh->o->http2) { /* streams in flight were sent: all failed */
      st->requests += c->slot;
      st->errors[cat] += c->slot;
      c->slot = 0;
    }
    lc_release(c);
  }
  c->pend = 0;
  if(cat == HB_LE_CONNECT &&
     !atomic_load_explicit(&sh->connected, memory_order_relaxed) &&
     atomic_fetch_add(&sh->connect_fails, 1) + 1 >= sh->connect_budget)
    atomic_store(&sh->gave_up, 1);
  lc_close(c, 0);
  lc_next(c, hb_now_ns(), cat == HB_LE_CONNECT ? LC_BACKOFF_NS : 0);
}

/* ---- connect, handshake, send ---- */

static void lc_connect(ld_conn *c, uint64_t now)
{
  const ld_opts *o = c->t->sh->o;
  int one = 1;

  c->fd = socket(o->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
                 SOCK_CLOEXEC, 0);
  if(c->fd < 0) {
    lc_fail(c, HB_LE_CONNECT, "socket: %s", strerror(errno));
    return;
  }
  setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  c->t_phase = now;
  c->deadline = now + c->t->sh->timeout_ns;
  c->state = LC_CONNECT;
  if(connect(c->fd, (const struct sockaddr *)&o->addr, o->addrlen) &&
     errno != EINPROGRESS) {
    lc_fail(c, HB_LE_CONNECT, "connect to %s: %s", o->url.hostport,
            strerror(errno));
    return;
  }
  if(lc_arm(c, EPOLLOUT))
    lc_fail(c, HB_LE_CONNECT, "epoll_ctl: %s", strerror(errno));
}

static void lc_connected(ld_conn *c)
{
  const ld_shared *sh = c->t->sh;
  int soerr = 0;
  socklen_t len = sizeof(soerr);
  uint64_t now = hb_now_ns();
  hb_err err = { "" };

  if(getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &len) || soerr) {
    lc_fail(c, HB_LE_CONNECT, "connect to %s: %s", sh->o->url.hostport,
            strerror(soerr ? soerr : errno));
    return;
  }
  hb_hdr_record(c->t->st.connect, now - c->t_phase);
  c->t->st.conns++;
  if(!atomic_load_explicit(&c->t->sh->connected, memory_order_relaxed))
    atomic_store(&c->t->sh->connected, 1);
  if(c->spare) {
    if(sh->ops->conn_reuse(c->spare, c->fd, sh->o->url.host, &err) ==
       HB_OK)
      c->tls = c->spare;
    else
      sh->ops->conn_free(c->spare);
    c->spare = NULL;
  }
  if(!c->tls &&
     sh->ops->conn_new(sh->ctx, c->fd, sh->o->url.host, &c->tls, &err)) {
    c->tls = NULL;
    lc_fail(c, sh->tls ? HB_LE_TLS : HB_LE_CONNECT, "%s", err.msg);
    return;
  }
  if(sh->tls && sh->o->resume && c->sess)
    sh->ops->session_set(c->tls, c->sess, &err); /* best effort */
  c->state = LC_HANDSHAKE;
  c->t_phase = now;
  lc_handshake(c);
}

static void lc_write(ld_conn *c);

static void lc_send(ld_conn *c, uint64_t now)
{
  ld_stats *st = &c->t->st;

  if(c->t->sh->o->rate > 0) {
    uint64_t lag = now > c->t_sched ? now - c->t_sched : 0;

    if(lag > LC_LATE_NS)
      st->late++;
    if(lag > st->max_lag)
      st->max_lag = lag;
  }
  else
    c->t_sched = now;
  c->t_sent = now;
  c->t_first = 0;
  c->deadline = now + c->t->sh->timeout_ns;
  c->batch = c->slot; /* one request, or a pipelined batch of them */
  c->answered = 0;
  c->wpos = 0;
  c->wlen = c->batch * c->t->sh->o->req_len;
  c->rs = RS_HEAD;
  c->head_len = 0;
  c->body = 0;
  st->sent += c->batch;
  c->state = LC_WRITE;
  lc_write(c);
}

static void lc_handshake(ld_conn *c)
{
  const ld_shared *sh = c->t->sh;
  ld_stats *st = &c->t->st;
  hb_err err = { "" };
  hb_io r = sh->ops->handshake(c->tls, &err);
  uint64_t now;

  if(r == HB_IO_WANT_READ || r == HB_IO_WANT_WRITE) {
    if(lc_arm(c, r == HB_IO_WANT_READ ? EPOLLIN : EPOLLOUT))
      lc_fail(c, HB_LE_TLS, "epoll_ctl: %s", strerror(errno));
    return;
  }
  if(r != HB_IO_OK) {
    lc_fail(c, HB_LE_TLS, "TLS handshake: %s", r == HB_IO_CLOSED ?
            "connection closed by the server" : err.msg);
    return;
  }
  now = hb_now_ns();
  if(sh->tls) {
    hb_tls_info info;

    hb_hdr_record(st->handshake, now - c->t_phase);
    st->handshakes++;
    if(sh->ops->info(c->tls, &info) == HB_OK) {
      if(info.resumed)
        st->resumed++;
      if(!st->have_tls) {
        snprintf(st->tls_version, sizeof(st->tls_version), "%s",
                 info.version == HB_TLS_1_3 ? "TLSv1.3" :
                 info.version == HB_TLS_1_2 ? "TLSv1.2" : "unknown");
        snprintf(st->tls_cipher, sizeof(st->tls_cipher), "%s", info.cipher);
        snprintf(st->tls_group, sizeof(st->tls_group), "%s", info.group);
        st->have_tls = 1;
      }
    }
    c->want_sess = sh->o->resume;
  }
  if(sh->o->http2)
    lh2_open(c, now);
  else
    lc_send(c, now);
}

/* Starts the next request (or batch): claims slots, connects if
 * needed. */
static void lc_start(ld_conn *c, uint64_t now)
{
  unsigned got;

  if(c->state == LC_DONE) /* HTTP/2 open loop: a wake left over */
    return;
  if(c->h2) { /* a live HTTP/2 session: streams come and go in it */
    lh2_resume(c, now);
    return;
  }
  got = lc_claim(c, (unsigned)c->t->sh->o->pipeline);
  if(!got) {
    if(!c->t->sh->o->hold)
      lc_close(c, 1); /* idle: after a complete exchange, if open */
    c->state = LC_DONE;
    c->t->ndone++;
    return;
  }
  c->slot = got;
  if(c->t->sh->o->rate > 0)
    c->t_sched = lc_sched(c); /* latency counts from the schedule */
  if(c->t->sh->o->http2) { /* the session's first stream, once up */
    c->pend = 1;
    if(c->t->sh->o->rate > 0)
      c->k++;
  }
  if(c->fd < 0)
    lc_connect(c, now);
  else
    lc_send(c, now);
}

static void lc_write(ld_conn *c)
{
  const ld_shared *sh = c->t->sh;
  hb_err err = { "" };

  while(c->wpos < c->wlen) {
    size_t n = 0;
    hb_io r;

    r = sh->ops->write(c->tls, sh->o->req + c->wpos, c->wlen - c->wpos, &n,
                       &err);
    if(r == HB_IO_OK) {
      c->wpos += n;
      continue;
    }
    if(r == HB_IO_WANT_WRITE || r == HB_IO_WANT_READ) {
      if(lc_arm(c, r == HB_IO_WANT_READ ? EPOLLIN : EPOLLOUT))
        lc_fail(c, HB_LE_WRITE, "epoll_ctl: %s", strerror(errno));
      return;
    }
    if(r == HB_IO_RESET)
      lc_fail(c, HB_LE_RESET, "%s", err.msg);
    else
      lc_fail(c, HB_LE_WRITE, "%s", r == HB_IO_CLOSED ?
              "connection closed while sending the request" : err.msg);
    return;
  }
  c->state = LC_READ;
  if(lc_arm(c, EPOLLIN))
    lc_fail(c, HB_LE_READ, "epoll_ctl: %s", strerror(errno));
}

/* ---- the response ---- */

/* A response is in. Returns 0 when the batch waits for more responses
 * (the state is ready for the next), 1 when the connection is done with
 * its batch. */
static int lc_complete(ld_conn *c, uint64_t now)
{
  const ld_shared *sh = c->t->sh;
  ld_stats *st = &c->t->st;

  st->requests++;
  st->responses++;
  c->slot--;
  c->answered++;
  if(!st->protocol[0]) /* parsed as such: whatever ALPN said */
    memcpy(st->protocol, "http/1.1", sizeof("http/1.1"));
  if(c->status >= 200 && c->status <= 299) {
    st->ok++;
    st->bytes_body += c->body;
    hb_hdr_record(st->latency, now - c->t_sched);
    hb_hdr_record(st->ttfb, c->t_first - c->t_sent);
  }
  else {
    char msg[64];

    snprintf(msg, sizeof(msg), "HTTP status %d", c->status);
    hb_load_fail(st, HB_LE_STATUS, msg);
  }
  if(c->want_sess) { /* TLS 1.3 tickets come after the handshake */
    hb_tls_session *s = NULL;
    hb_err err;

    c->want_sess = 0;
    if(sh->ops->session_get(c->tls, &s, &err) == HB_OK && s) {
      if(c->sess)
        sh->ops->session_free(c->sess);
      c->sess = s;
    }
  }
  if(sh->o->burn_us)
    lc_burn((uint64_t)sh->o->burn_us * 1000);
  if(c->answered < c->batch && c->keep_alive) {
    c->rs = RS_HEAD; /* the batch's next response */
    c->head_len = 0;
    c->body = 0;
    c->t_first = 0;
    return 0;
  }
  lc_release(c); /* Connection: close cut the batch short */
  if(!c->keep_alive || sh->o->close)
    lc_close(c, 1);
  c->state = LC_IDLE;
  if(sh->o->rate > 0) {
    c->k++;
    if(lc_sched(c) > now) {
      heap_push(c->t, c, lc_sched(c));
      return 1;
    }
  }
  /* closed loop, or busy past its slot: send once this batch of events
   * is handled, so the server gets our requests in bursts too (as wrk's
   * do) rather than woken for each */
  c->t->ready[c->t->nready++] = c;
  return 1;
}

/* Response head: framing from the parser; 1xx interim heads skipped.
 * Returns bytes of data used, or -1 after lc_fail. */
static long lc_head(ld_conn *c, char *data, size_t n)
{
  hb_http_response res;
  const char *hp = data;
  size_t hl = n, had = c->head_len;
  int r;

  if(had) { /* the head came in pieces: gather it */
    size_t take = n < sizeof(c->head) - had ? n : sizeof(c->head) - had;

    memcpy(c->head + had, data, take);
    c->head_len += take;
    hp = c->head;
    hl = c->head_len;
  }
  r = hb_http_parse_response(hp, hl, &res);
  if(r == HB_HTTP_INCOMPLETE) {
    if(hl >= sizeof(c->head)) {
      lc_fail(c, HB_LE_READ, "response head over %zu bytes", sizeof(c->head));
      return -1;
    }
    if(!had) {
      memcpy(c->head, data, n);
      c->head_len = n;
    }
    return (long)n;
  }
  if(r < 0) {
    lc_fail(c, HB_LE_READ, "malformed response head: \"%.*s\"",
            (int)(hl < 40 ? hl : 40), hp);
    return -1;
  }
  if((size_t)r < had) { /* cannot happen with a consistent parser */
    lc_fail(c, HB_LE_READ, "response head parser went backwards");
    return -1;
  }
  c->head_len = 0;
  if(res.status >= 100 && res.status <= 199)
    return (long)((size_t)r - had); /* interim: parse the next head */
  c->status = res.status;
  c->keep_alive = res.keep_alive;
  if(res.chunked) {
    c->rs = RS_CHUNKED;
    memset(&c->ck, 0, sizeof(c->ck));
  }
  else if(res.content_length >= 0 || c->status == 204 || c->status == 304) {
    c->rs = RS_LEN;
    c->body_left = res.content_length > 0 ? res.content_length : 0;
  }
  else { /* no length: the body ends when the server closes */
    c->rs = RS_EOF;
    c->keep_alive = 0;
  }
  return (long)((size_t)r - had);
}

/* Feeds response bytes. Returns -1 after lc_fail, 0 when all n were used
 * and more are needed, 1 when the response is complete: *rest, *rest_n
 * are then the bytes after it. Those are the next responses of a
 * pipelined batch; after the batch's last response (and without
 * --pipeline) they break the framing: a read error. */
static int lc_parse(ld_conn *c, char *data, size_t n, char **rest,
                    size_t *rest_n)
{
  int more = c->answered + 1 < c->batch;

  while(n && c->rs == RS_HEAD) {
    long used = lc_head(c, data, n);

    if(used < 0)
      return -1;
    data += used;
    n -= (size_t)used;
  }
  if(c->rs == RS_HEAD)
    return 0;
  if(c->rs == RS_LEN) {
    size_t take = n;

    if((uint64_t)n > (uint64_t)c->body_left) {
      if(!more) {
        lc_fail(c, HB_LE_READ, "body longer than its Content-Length");
        return -1;
      }
      take = (size_t)c->body_left;
    }
    c->body += take;
    c->body_left -= (int64_t)take;
    if(c->body_left)
      return 0;
    *rest = data + take;
    *rest_n = n - take;
  }
  else if(c->rs == RS_CHUNKED) {
    size_t len = n;
    ssize_t left = hb_http_decode_chunked(&c->ck, data, &len);

    c->body += len;
    if(left == HB_HTTP_INCOMPLETE)
      return 0;
    if(left < 0) {
      lc_fail(c, HB_LE_READ, "bad chunk in the response body");
      return -1;
    }
    if(left > 0 && !more) {
      lc_fail(c, HB_LE_READ, "bytes after the last chunk");
      return -1;
    }
    *rest = data + len; /* the decoder moved them there */
    *rest_n = (size_t)left;
  }
  else {
    c->body += n;
    return 0;
  }
  return 1;
}

static void lc_read(ld_conn *c)
{
  const ld_shared *sh = c->t->sh;
  ld_thread *t = c->t;
  hb_err err = { "" };

  for(;;) {
    size_t n = 0, left;
    uint64_t now;
    char *data;
    hb_io r;

    r = sh->ops->read(c->tls, t->buf, t->bufsize, &n, &err);
    if(r == HB_IO_WANT_READ)
      return;
    if(r == HB_IO_WANT_WRITE) { /* TLS wants to send first */
      if(lc_arm(c, EPOLLIN | EPOLLOUT))
        lc_fail(c, HB_LE_READ, "epoll_ctl: %s", strerror(errno));
      return;
    }
    if(r == HB_IO_CLOSED) {
      if(c->rs == RS_EOF) {
        lc_complete(c, hb_now_ns());
        return;
      }
      lc_fail(c, HB_LE_READ, c->t_first ? "connection closed mid-response"
              : "connection closed before the response");
      return;
    }
    if(r != HB_IO_OK) {
      lc_fail(c, r == HB_IO_RESET ? HB_LE_RESET : HB_LE_READ, "%s",
              err.msg);
      return;
    }
    now = hb_now_ns();
    t->st.bytes_in += n;
    data = t->buf;
    left = n;
    while(left) { /* one response, or several of a pipelined batch */
      char *rest = NULL;
      size_t rest_n = 0;
      int pr;

      if(!c->t_first)
        c->t_first = now;
      pr = lc_parse(c, data, left, &rest, &rest_n);
      if(pr < 0)
        return;
      if(!pr)
        break;
      if(lc_complete(c, now))
        return; /* done with the batch: the next starts after this turn */
      data = rest;
      left = rest_n;
    }
  }
}

/* Readable while no request is out: the server closed an idle
 * keep-alive connection (fine), or sent bytes nobody asked for. */
static void lc_idle_read(ld_conn *c)
{
  const ld_shared *sh = c->t->sh;
  hb_err err = { "" };
  size_t n = 0;
  hb_io r;

  r = sh->ops->read(c->tls, c->t->buf, c->t->bufsize, &n, &err);
  if(r == HB_IO_WANT_READ || r == HB_IO_WANT_WRITE)
    return;
  if(r == HB_IO_OK) {
    char msg[80];

    snprintf(msg, sizeof(msg), "%zu bytes from the server between "
             "responses", n);
    hb_load_fail(&c->t->st, HB_LE_READ, msg);
  }
  lc_close(c, 0); /* reconnects at its next start */
}

static void lc_event(ld_conn *c, unsigned ev)
{
  switch(c->state) {
  case LC_CONNECT: lc_connected(c); break;
  case LC_HANDSHAKE: lc_handshake(c); break;
  case LC_WRITE: lc_write(c); break;
  case LC_READ:
    if(c->armed & EPOLLOUT && ev & EPOLLOUT)
      lc_arm(c, EPOLLIN);
    lc_read(c);
    break;
  case LC_IDLE:
    if(c->fd >= 0)
      lc_idle_read(c);
    break;
  case LC_H2: lh2_event(c, ev); break;
  default: break;
  }
}

static void lc_timeouts(ld_thread *t, uint64_t now)
{
  static const char *const what[] = {
    "", "connect", "TLS handshake", "request write", "response"
  };
  unsigned i;

  for(i = 0; i < t->n; i++) {
    ld_conn *c = &t->conns[i];

    if(c->state >= LC_CONNECT && c->state <= LC_READ && now > c->deadline)
      lc_fail(c, HB_LE_TIMEOUT, "%s timed out after %g s", what[c->state],
              t->sh->o->timeout);
    else if(c->state == LC_H2)
      lh2_timeouts(c, now);
  }
}

/* --busy-poll: asks without waiting until something is ready or the
 * poll time (at most ns) has passed; its thread CPU counts in poll_ns
 * within the window. */
static int lc_poll(ld_thread *t, struct epoll_event *ev, uint64_t ns)
{
  uint64_t poll = (uint64_t)t->sh->o->busy_poll_us * 1000, c0, end;
  int n;

  if(ns < poll)
    poll = ns;
  c0 = lc_thread_cpu();
  end = hb_now_ns() + poll;
  do
    n = epoll_wait(t->ep, ev, LC_EVENTS, 0);
  while(!n && hb_now_ns() < end);
  if(t->window)
    t->poll_ns += lc_thread_cpu() - c0;
  return n;
}

/* --nap: looks without waiting, then sleeps on a timer (never on the
 * sockets, so no sender has to wake this thread) until something is
 * ready or ns have passed. */
static int lc_nap(ld_thread *t, struct epoll_event *ev, uint64_t ns)
{
  uint64_t end = hb_now_ns() + ns, nap = (uint64_t)t->sh->o->nap_us * 1000;
  int n;

  for(;;) {
    struct timespec d;
    uint64_t now;

    n = epoll_wait(t->ep, ev, LC_EVENTS, 0);
    now = hb_now_ns();
    if(n || now >= end)
      return n;
    d.tv_sec = 0;
    d.tv_nsec = (long)(end - now < nap ? end - now : nap);
    nanosleep(&d, NULL);
  }
}

/* epoll_pwait2 waits in ns (open-loop sends need better than 1 ms);
 * epoll_wait, rounding up, where the kernel lacks it. */
static int lc_wait(ld_thread *t, struct epoll_event *ev, uint64_t ns)
{
  static atomic_int no_pwait2;
  struct timespec ts;
  int n;

  if(t->sh->o->nap_us && ns)
    return lc_nap(t, ev, ns);
  if(t->sh->o->busy_poll_us && ns) {
    n = lc_poll(t, ev, ns);
    if(n)
      return n;
    ns -= ns < (uint64_t)t->sh->o->busy_poll_us * 1000 ? ns
          : (uint64_t)t->sh->o->busy_poll_us * 1000;
    if(!ns)
      return 0;
  }

  if(!no_pwait2) {
    ts.tv_sec = (time_t)(ns / 1000000000u);
    ts.tv_nsec = (long)(ns % 1000000000u);
    n = epoll_pwait2(t->ep, ev, LC_EVENTS, &ts, NULL);
    if(n >= 0 || errno != ENOSYS)
      return n;
    no_pwait2 = 1;
  }
  return epoll_wait(t->ep, ev, LC_EVENTS, (int)((ns + 999999) / 1000000));
}

/* ---- the thread ---- */

/* The measured window begins for this thread (--warmup; at once
 * without): what the warm-up counted goes. Requests in flight now count
 * in the window when they complete (latency from their start in the
 * warm-up), as those in flight at the deadline do not count at all; a
 * connection open now counts its socket bytes from here. */
static void lc_window(ld_thread *t)
{
  unsigned i;

  hb_load_stats_reset(&t->st);
  for(i = 0; i < t->n; i++) {
    ld_conn *c = &t->conns[i];
    hb_tls_info info;

    c->wire_in0 = c->wire_out0 = 0;
    if(c->tls && t->sh->ops->info(c->tls, &info) == HB_OK) {
      c->wire_in0 = info.bytes_in;
      c->wire_out0 = info.bytes_out;
    }
  }
  t->cpu0 = lc_thread_cpu();
  t->poll_ns = 0;
  t->window = 1;
}

int ld_thread_init(ld_thread *t)
{
  unsigned i;

  t->ep = epoll_create1(EPOLL_CLOEXEC);
  t->bufsize = LC_READ_BUF;
  t->buf = malloc(t->bufsize);
  t->conns = calloc(t->n, sizeof(*t->conns));
  /* arrays of pointers to connections */
  /* NOLINTNEXTLINE(bugprone-sizeof-expression) */
  t->heap = calloc(t->n, sizeof(*t->heap));
  /* NOLINTNEXTLINE(bugprone-sizeof-expression) */
  t->ready = calloc(t->n, sizeof(*t->ready));
  if(hb_load_stats_init(&t->st) || t->ep < 0 || !t->buf || !t->conns ||
     !t->heap || !t->ready)
    return -1;
  for(i = 0; i < t->n; i++) {
    ld_conn *c = &t->conns[i];

    c->t = t;
    c->fd = -1;
    c->heap_i = -1;
    c->gidx = t->first + i;
  }
  return 0;
}

void *ld_thread_run(void *arg)
{
  ld_thread *t = arg;
  ld_shared *sh = t->sh;
  struct epoll_event ev[LC_EVENTS];
  uint64_t now = hb_now_ns(), next_scan = now + LC_SCAN_NS;
  unsigned i;

  t->cpu0 = lc_thread_cpu(); /* the warm-up's, if the window never comes */
  /* --nap: a timer slack of 1 us, not the default 50 us (this thread's) */
  if(sh->o->nap_us)
    prctl(PR_SET_TIMERSLACK, 1000UL, 0UL, 0UL, 0UL);
  for(i = 0; i < t->n; i++) {
    ld_conn *c = &t->conns[i];

    if(sh->o->rate > 0)
      heap_push(t, c, lc_sched(c));
    else
      heap_push(t, c, now);
  }
  while(t->ndone < t->n && !hb_interrupted() &&
        !atomic_load_explicit(&sh->gave_up, memory_order_relaxed)) {
    uint64_t wait;
    int n, j;

    now = hb_now_ns();
    if(!t->window && now >= sh->wstart)
      lc_window(t);
    if(sh->end && now >= sh->end)
      break;
    while(t->heap_n && t->heap[0]->wake <= now)
      lc_start(heap_pop(t), now);
    if(now >= next_scan) {
      lc_timeouts(t, now);
      next_scan = now + LC_SCAN_NS;
    }
    wait = next_scan;
    if(!t->window && sh->wstart < wait)
      wait = sh->wstart;
    if(t->heap_n && t->heap[0]->wake < wait)
      wait = t->heap[0]->wake;
    if(sh->end && sh->end < wait)
      wait = sh->end;
    now = hb_now_ns();
    n = lc_wait(t, ev, wait > now ? wait - now : 0);
    if(n < 0 && errno != EINTR)
      break;
    for(j = 0; j < n; j++)
      lc_event(ev[j].data.ptr, ev[j].events);
    if(t->nready) {
      size_t k;

      now = hb_now_ns();
      for(k = 0; k < t->nready; k++)
        lc_start(t->ready[k], now);
      t->nready = 0;
    }
  }
  t->cpu_s = (double)(lc_thread_cpu() - t->cpu0) / 1e9;
  return NULL;
}

/* Closes what is still open (abandoned in-flight requests are neither
 * successes nor errors) and frees the thread's memory but its stats. */
void ld_thread_free(ld_thread *t)
{
  unsigned i;

  for(i = 0; t->conns && i < t->n; i++) {
    ld_conn *c = &t->conns[i];

    lc_close(c, 0);
    if(c->spare)
      t->sh->ops->conn_free(c->spare);
    if(c->sess)
      t->sh->ops->session_free(c->sess);
  }
  if(t->ep >= 0)
    close(t->ep);
  free(t->conns);
  free(t->heap);
  free(t->ready);
  free(t->buf);
  t->conns = NULL;
  t->heap = NULL;
  t->ready = NULL;
  t->buf = NULL;
  t->ep = -1;
}
