/* The linked backend's TLS table against itself over loopback: full and
 * resumed handshakes in TLS 1.2 and 1.3 (resumption verified, not
 * assumed), data both ways, the handshake trace, groups, mutual TLS,
 * close_notify, one pinned AEAD (cfg.cipher), and the failures a client
 * must report (wrong host, untrusted CA, expired certificate, version
 * mismatch, no shared cipher). One process, both sides non-blocking,
 * driven by poll with bounded time. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <signal.h>
#include <unistd.h>

#include "check.h"
#include "hb/backend.h"
#include "hb/certs.h"
#include "hb/clock.h"
#include "hb/tls_layer.h"

extern const hb_tls_ops HB_TLS_TABLE;
static const hb_tls_ops *T = &HB_TLS_TABLE;
static int lfd = -1, lport;

/* Cert types a library cannot serve (name as in reports). */
static const struct { const char *backend, *type, *why; } no_cert[] = {
  { "mbedtls", "ed25519", "mbedTLS 2.28 has no EdDSA" },
};

static int cert_ok(const char *type)
{
  size_t i;
  for(i = 0; i < sizeof(no_cert) / sizeof(no_cert[0]); i++)
    if(!strcmp(no_cert[i].backend, T->name) && !strcmp(no_cert[i].type, type))
      return 0;
  return 1;
}

/* Libraries whose TLS 1.3 suites cfg.cipher cannot restrict. */
static const struct { const char *backend, *why; } no_tls13_pin[] = {
  { "boringssl", "this BoringSSL has no API for its TLS 1.3 suites" },
};

static const char *tls13_pin_gap(void)
{
  size_t i;
  for(i = 0; i < sizeof(no_tls13_pin) / sizeof(no_tls13_pin[0]); i++)
    if(!strcmp(no_tls13_pin[i].backend, T->name))
      return no_tls13_pin[i].why;
  return NULL;
}

typedef struct side {
  hb_tls_conn *c;
  int fd;
  int done;     /* handshake finished */
  int failed;
  hb_io want;
  hb_err err;
} side;

static void sides_close(side *cl, side *sv)
{
  if(cl->c)
    T->conn_free(cl->c);
  if(sv->c)
    T->conn_free(sv->c);
  close(cl->fd);
  close(sv->fd);
}

typedef struct trace {
  int n;
  int sent[64], ct[64], hs[64];
} trace;

static void on_msg(void *arg, int sent, int content_type, int hs_type,
                   size_t len)
{
  trace *t = arg;
  if(t->n < 64) {
    t->sent[t->n] = sent;
    t->ct[t->n] = content_type;
    t->hs[t->n] = hs_type;
    t->n++;
  }
}

static void listen_once(void)
{
  struct sockaddr_in a;
  socklen_t l = sizeof(a);
  int one = 1;

  lfd = socket(AF_INET, SOCK_STREAM, 0);
  memset(&a, 0, sizeof(a));
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if(bind(lfd, (struct sockaddr *)&a, sizeof(a)) || listen(lfd, 16) ||
     getsockname(lfd, (struct sockaddr *)&a, &l)) {
    perror("listen");
    exit(1);
  }
  lport = ntohs(a.sin_port);
}

/* A connected pair of non-blocking sockets over 127.0.0.1. */
static void tcp_pair(int *cfd, int *sfd)
{
  struct sockaddr_in a;
  int one = 1;

  memset(&a, 0, sizeof(a));
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons((uint16_t)lport);
  *cfd = socket(AF_INET, SOCK_STREAM, 0);
  if(connect(*cfd, (struct sockaddr *)&a, sizeof(a))) {
    perror("connect");
    exit(1);
  }
  *sfd = accept(lfd, NULL, NULL);
  fcntl(*cfd, F_SETFL, O_NONBLOCK);
  fcntl(*sfd, F_SETFL, O_NONBLOCK);
  setsockopt(*cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  setsockopt(*sfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

static void wait_io(side *a, side *b)
{
  struct pollfd p[2];
  side *s[2] = { a, b };
  int i;

  for(i = 0; i < 2; i++) {
    p[i].fd = s[i]->fd;
    p[i].events = s[i]->want == HB_IO_WANT_WRITE ? POLLOUT : POLLIN;
    p[i].revents = 0;
  }
  poll(p, 2, 20);
}

static void step(side *s)
{
  hb_io r;

  if(s->done || s->failed)
    return;
  r = T->handshake(s->c, &s->err);
  if(r == HB_IO_OK)
    s->done = 1;
  else if(r == HB_IO_WANT_READ || r == HB_IO_WANT_WRITE)
    s->want = r;
  else
    s->failed = 1;
}

/* Both handshakes to completion or failure; 5 s at most. */
static void handshake_pair(side *cl, side *sv)
{
  uint64_t end = hb_now_ns() + 5000000000ull;

  while(hb_now_ns() < end) {
    step(cl);
    step(sv);
    if((cl->done && sv->done) || cl->failed || sv->failed) {
      /* let the other side see the alert, briefly */
      if(cl->failed || sv->failed) {
        int i;
        for(i = 0; i < 10 && !(cl->failed && sv->failed); i++) {
          wait_io(cl, sv);
          step(cl);
          step(sv);
        }
      }
      return;
    }
    wait_io(cl, sv);
  }
}

/* Moves n bytes from one side to the other, checking every byte. */
static int transfer(side *from, side *to, size_t n)
{
  uint8_t *src = malloc(n ? n : 1), *dst = malloc(n ? n : 1);
  size_t sent = 0, got = 0, i, k;
  uint64_t end = hb_now_ns() + 10000000000ull;
  int ok = 0;

  for(i = 0; i < n; i++)
    src[i] = (uint8_t)(i * 7 + n);
  while((sent < n || got < n) && hb_now_ns() < end) {
    hb_io r;
    from->want = to->want = HB_IO_WANT_READ;
    if(sent < n) {
      r = T->write(from->c, src + sent, n - sent, &k, &from->err);
      if(r == HB_IO_OK)
        sent += k;
      else if(r == HB_IO_WANT_WRITE)
        from->want = r;
      else if(r != HB_IO_WANT_READ)
        goto out;
    }
    for(;;) {
      r = T->read(to->c, dst + got, n - got ? n - got : 1, &k, &to->err);
      if(r != HB_IO_OK)
        break;
      got += k;
      if(got >= n)
        break;
    }
    if(r == HB_IO_ERROR || r == HB_IO_RESET || r == HB_IO_CLOSED)
      goto out;
    if(sent < n || got < n)
      wait_io(from, to);
  }
  ok = sent == n && got == n && !memcmp(src, dst, n);
out:
  free(src);
  free(dst);
  return ok;
}

typedef struct conf {
  const char *type;
  int version;       /* 0 = any */
  int client_min;    /* override */
  int server_max;    /* override */
  int resume_cache, resume_tickets;
  const char *groups;
  const char *chain, *key;   /* server: NULL = the valid leaf */
  const char *ca;            /* client: NULL = the type's root */
  const char *sni;           /* NULL = "localhost" */
  int mtls, client_cert;
  trace *ctrace;
  uint32_t early;            /* server: max_early_data */
  const char *ccipher, *scipher; /* cfg.cipher of client / server */
  int rsa_kx;                /* both sides */
  const char *calpn, *salpn; /* cfg.alpn of client / server */
  int alpn_strict;           /* server */
  int hold;                  /* client: cfg.hold_finished */
} conf;

typedef struct run {
  int ok;          /* both handshakes done */
  int client_failed, server_failed;
  hb_err cerr, serr;
  hb_tls_info ci, si;
  hb_tls_session *session; /* out: from the client after data */
  char calpn[40], salpn[40]; /* ALPN each side saw negotiated */
} run;

static int make_ctx(const conf *c, int server, hb_cert_paths *p,
                    hb_tls_ctx **ctx, hb_err *err)
{
  hb_tls_config cfg;

  memset(&cfg, 0, sizeof(cfg));
  cfg.server = server;
  cfg.min_version = c->version;
  cfg.max_version = c->version;
  if(server && c->server_max)
    cfg.max_version = c->server_max;
  if(!server && c->client_min) {
    cfg.min_version = c->client_min;
    cfg.max_version = 0;
  }
  cfg.groups = c->groups;
  cfg.cipher = server ? c->scipher : c->ccipher;
  cfg.rsa_kx = c->rsa_kx;
  cfg.alpn = server ? c->salpn : c->calpn;
  cfg.alpn_strict = server && c->alpn_strict;
  if(server) {
    cfg.cert_file = c->chain ? c->chain : p->chain;
    cfg.key_file = c->key ? c->key : p->key;
    cfg.session_cache = c->resume_cache;
    cfg.tickets = c->resume_tickets;
    cfg.max_early_data = c->early;
    cfg.verify_peer = c->mtls;
    cfg.ca_file = c->mtls ? p->root : NULL;
  }
  else {
    cfg.verify_peer = 1;
    cfg.ca_file = c->ca ? c->ca : p->root;
    if(c->client_cert) {
      cfg.cert_file = p->client_chain;
      cfg.key_file = p->client_key;
    }
    cfg.hold_finished = c->hold;
    if(c->ctrace) {
      cfg.on_msg = on_msg;
      cfg.msg_arg = c->ctrace;
    }
  }
  return T->ctx_new(&cfg, ctx, err);
}

typedef struct ctxs {
  hb_tls_ctx *c, *s;
  hb_cert_paths p;
} ctxs;

static int ctxs_new(const conf *c, ctxs *x, hb_err *err)
{
  int rc;

  memset(x, 0, sizeof(*x));
  rc = hb_certs_ensure(c->type, &x->p, err);
  if(rc == HB_OK)
    rc = make_ctx(c, 1, &x->p, &x->s, err);
  if(rc == HB_OK)
    rc = make_ctx(c, 0, &x->p, &x->c, err);
  return rc;
}

static void ctxs_free(ctxs *x)
{
  if(x->c)
    T->ctx_free(x->c);
  if(x->s)
    T->ctx_free(x->s);
  x->c = x->s = NULL;
}

/* Reads until the peer's close_notify (or 2 s). */
static hb_io read_to_close(side *s, hb_err *err)
{
  uint8_t b[64];
  size_t k;
  hb_io r;
  uint64_t end = hb_now_ns() + 2000000000ull;

  do {
    r = T->read(s->c, b, sizeof(b), &k, err);
    if(r == HB_IO_WANT_READ || r == HB_IO_WANT_WRITE) {
      s->want = r;
      wait_io(s, s);
    }
  } while(r != HB_IO_CLOSED && r != HB_IO_ERROR && r != HB_IO_RESET &&
          hb_now_ns() < end);
  return r;
}

/* One connection over existing contexts: handshake, 5 bytes server ->
 * client (so TLS 1.3 tickets get read), a session taken, data both ways,
 * then close_notify. */
static void connect_once(const conf *c, ctxs *x, hb_tls_session *resume,
                         size_t bytes, run *out)
{
  side cl, sv;
  hb_err err = { "" };
  int rc;

  memset(out, 0, sizeof(*out));
  memset(&cl, 0, sizeof(cl));
  memset(&sv, 0, sizeof(sv));
  tcp_pair(&cl.fd, &sv.fd);
  rc = T->conn_new(x->s, sv.fd, NULL, &sv.c, &err);
  if(rc == HB_OK)
    rc = T->conn_new(x->c, cl.fd, c->sni ? c->sni : "localhost", &cl.c,
                     &err);
  CHECK(rc == HB_OK, "conn_new: %s", err.msg);
  if(rc == HB_OK && resume)
    CHECK(T->session_set(cl.c, resume, &err) == HB_OK, "session_set: %s",
          err.msg);
  if(rc == HB_OK) {
    handshake_pair(&cl, &sv);
    out->client_failed = cl.failed;
    out->server_failed = sv.failed;
    out->cerr = cl.err;
    out->serr = sv.err;
    out->ok = cl.done && sv.done;
  }
  if(out->ok) {
    CHECK(transfer(&sv, &cl, 5), "5 bytes server->client: %s / %s",
          sv.err.msg, cl.err.msg);
    T->info(cl.c, &out->ci);
    T->info(sv.c, &out->si);
    hb_tls_alpn(T, cl.c, out->calpn, sizeof(out->calpn));
    hb_tls_alpn(T, sv.c, out->salpn, sizeof(out->salpn));
    if(T->session_get(cl.c, &out->session, &err) != HB_OK)
      CHECK(0, "session_get: %s", err.msg);
    if(bytes) {
      CHECK(transfer(&cl, &sv, bytes), "%zu bytes client->server: %s / %s",
            bytes, cl.err.msg, sv.err.msg);
      CHECK(transfer(&sv, &cl, bytes), "%zu bytes server->client: %s / %s",
            bytes, sv.err.msg, cl.err.msg);
    }
    {
      hb_io r = T->shutdown(cl.c, &err);
      CHECK(r == HB_IO_OK || r == HB_IO_WANT_WRITE, "shutdown: %s",
            err.msg);
      r = read_to_close(&sv, &err);
      CHECK(r == HB_IO_CLOSED, "server did not see close_notify (%d: %s)",
            r, err.msg);
    }
  }
  sides_close(&cl, &sv);
}

/* A whole test connection with its own contexts. An unsupported
 * configuration (a library lacking a feature) is not a failure. */
static int connect_fresh(const conf *c, size_t bytes, run *r)
{
  ctxs x;
  hb_err err = { "" };
  int rc = ctxs_new(c, &x, &err);

  memset(r, 0, sizeof(*r));
  CHECK(rc == HB_OK, "%s contexts: %s", c->type, err.msg);
  if(rc == HB_OK)
    connect_once(c, &x, NULL, bytes, r);
  ctxs_free(&x);
  return rc;
}

static const char *vname(int v)
{
  return v == HB_TLS_1_3 ? "TLS1.3" : v == HB_TLS_1_2 ? "TLS1.2" : "any";
}

static void test_full(const char *type, int version)
{
  conf c = { 0 };
  run r;

  c.type = type;
  c.version = version;
  if(connect_fresh(&c, 1 << 20, &r) != HB_OK)
    return;
  CHECK(r.ok, "%s %s handshake failed: client '%s' server '%s'", type,
        vname(version), r.cerr.msg, r.serr.msg);
  if(!r.ok)
    return;
  CHECK(r.ci.version == version && r.si.version == version,
        "%s: negotiated %x/%x, want %x", type, r.ci.version, r.si.version,
        version);
  CHECK(r.ci.cipher[0] && !strcmp(r.ci.cipher, r.si.cipher),
        "cipher '%s' vs '%s'", r.ci.cipher, r.si.cipher);
  CHECK(!r.ci.resumed && !r.si.resumed, "%s: a first handshake resumed",
        type);
  CHECK(r.ci.bytes_out > 0 && r.si.bytes_in > 0, "wire bytes not counted");
  CHECK(r.ci.bytes_in >= 5, "client counted %llu bytes in",
        (unsigned long long)r.ci.bytes_in);
  if(r.session)
    T->session_free(r.session);
  printf("  %-10s %s: %s %s\n", type, vname(version), r.ci.cipher,
         r.ci.group);
}

/* Resumption through one pair of contexts (the server's cache and ticket
 * keys live there): verified on both sides. With the server's resumption
 * off, the offered session must fall back to a full handshake, and say
 * so. */
static void test_resume(int version, int cache, int tickets)
{
  conf c = { 0 };
  run r1, r2;
  ctxs x;
  hb_err err = { "" };
  int on = cache || tickets;
  const char *kind = tickets ? "ticket" : cache ? "session-id" : "off";

  c.type = "ecdsa-p256";
  c.version = version;
  c.resume_cache = cache;
  c.resume_tickets = tickets;
  if(ctxs_new(&c, &x, &err) != HB_OK) {
    CHECK(0, "resume %s ctx: %s", kind, err.msg);
    ctxs_free(&x);
    return;
  }
  connect_once(&c, &x, NULL, 0, &r1);
  if(on)
    CHECK(r1.ok && r1.session != NULL, "%s %s: no resumable session (%s)",
          vname(version), kind, r1.cerr.msg);
  if(r1.session) {
    connect_once(&c, &x, r1.session, 0, &r2);
    T->session_free(r1.session);
    if(r2.session)
      T->session_free(r2.session);
    CHECK(r2.ok, "%s %s second handshake failed: %s / %s", vname(version),
          kind, r2.cerr.msg, r2.serr.msg);
    CHECK(r2.ci.resumed == on && r2.si.resumed == on,
          "%s %s: resumed client=%d server=%d, want %d", vname(version),
          kind, r2.ci.resumed, r2.si.resumed, on);
    printf("  resume %s %-10s: resumed client=%d server=%d\n",
           vname(version), kind, r2.ci.resumed, r2.si.resumed);
  }
  ctxs_free(&x);
}

/* One resumed connection whose request goes out as 0-RTT data, to server
 * context srv: what became of it on both sides, and the request arriving
 * once, whether the server took it early or the client sent it again. */
static void early_once(const char *what, hb_tls_ctx *cli, hb_tls_ctx *srv,
                       hb_tls_session *sess, int want_accepted)
{
  static const char req[] = "GET /early HTTP/1.1\r\nHost: x\r\n\r\n";
  side cl, sv;
  hb_err err = { "" };
  hb_tls_info ci, si;
  size_t n = 0, k;
  hb_io r;

  memset(&cl, 0, sizeof(cl));
  memset(&sv, 0, sizeof(sv));
  tcp_pair(&cl.fd, &sv.fd);
  CHECK(T->conn_new(srv, sv.fd, NULL, &sv.c, &err) == HB_OK &&
        T->conn_new(cli, cl.fd, "localhost", &cl.c, &err) == HB_OK &&
        T->session_set(cl.c, sess, &err) == HB_OK, "%s: %s", what, err.msg);
  if(!sv.c || !cl.c)
    goto out;
  do
    r = T->write_early(cl.c, req + n, sizeof(req) - 1 - n, &k, &cl.err);
  while(r == HB_IO_OK && k && (n += k) < sizeof(req) - 1);
  CHECK(r == HB_IO_OK && n == sizeof(req) - 1, "%s: write_early %d, %zu "
        "bytes: %s", what, r, n, cl.err.msg);
  handshake_pair(&cl, &sv);
  CHECK(cl.done && sv.done, "%s: handshake: %s / %s", what, cl.err.msg,
        sv.err.msg);
  if(!cl.done || !sv.done)
    goto out;
  T->info(cl.c, &ci);
  T->info(sv.c, &si);
  CHECK(ci.early_data == (want_accepted ? HB_EARLY_ACCEPTED
                                        : HB_EARLY_REJECTED),
        "%s: client says early data %d", what, ci.early_data);
  CHECK(si.early_data == (want_accepted ? HB_EARLY_ACCEPTED : HB_EARLY_NONE),
        "%s: server says early data %d", what, si.early_data);
  CHECK(ci.resumed == want_accepted, "%s: resumed %d", what, ci.resumed);
  if(want_accepted) {
    /* the server reads the request that came with the ClientHello */
    char got[sizeof(req)];
    uint64_t end = hb_now_ns() + 5000000000ull;

    n = 0;
    while(n < sizeof(req) - 1 && hb_now_ns() < end) {
      r = T->read(sv.c, got + n, sizeof(req) - 1 - n, &k, &sv.err);
      if(r == HB_IO_OK)
        n += k;
      else if(r == HB_IO_WANT_READ || r == HB_IO_WANT_WRITE) {
        sv.want = r;
        cl.want = HB_IO_WANT_READ;
        wait_io(&cl, &sv);
      }
      else
        break;
    }
    CHECK(n == sizeof(req) - 1 && !memcmp(got, req, n), "%s: the server "
          "read %zu early bytes: %s", what, n, sv.err.msg);
  }
  /* ordinary data both ways afterwards; a refused request would show up
   * here as stray bytes ahead of it */
  CHECK(transfer(&cl, &sv, 1000) && transfer(&sv, &cl, 1000),
        "%s: data after 0-RTT: %s / %s", what, cl.err.msg, sv.err.msg);
out:
  sides_close(&cl, &sv);
}

/* TLS 1.3 0-RTT: accepted by the server whose ticket it is; refused (and
 * so counted, and skipped by the server) by another server, which cannot
 * read that ticket and makes a full handshake. */
static void test_early_data(void)
{
  conf c = { 0 };
  ctxs x;
  hb_tls_ctx *other = NULL;
  hb_err err = { "" };
  run r1;

  c.type = "ecdsa-p256";
  c.version = HB_TLS_1_3;
  c.resume_tickets = 1;
  c.early = 16384;
  if(ctxs_new(&c, &x, &err) != HB_OK ||
     make_ctx(&c, 1, &x.p, &other, &err) != HB_OK) {
    CHECK(0, "0-RTT contexts: %s", err.msg);
    goto out;
  }
  connect_once(&c, &x, NULL, 0, &r1);
  CHECK(r1.ok && r1.session, "0-RTT: no session from the first handshake");
  if(!r1.session)
    goto out;
  /* a ticket goes into one 0-RTT attempt only (RFC 8446 8.1; OpenSSL's
   * client fails a second one): each attempt gets its own */
  early_once("0-RTT accepted", x.c, x.s, r1.session, 1);
  T->session_free(r1.session);
  connect_once(&c, &x, NULL, 0, &r1);
  CHECK(r1.ok && r1.session, "0-RTT: no second session");
  if(!r1.session)
    goto out;
  early_once("0-RTT refused", x.c, other, r1.session, 0);
  T->session_free(r1.session);
  printf("  0-RTT: accepted by the ticket's server, refused by another\n");
out:
  if(other)
    T->ctx_free(other);
  ctxs_free(&x);
}

/* The client's view of the handshake, in order: each expected message
 * must appear after the previous one. */
static void test_trace(int version)
{
  static const int v13[][2] = { { 1, 1 }, { 0, 2 }, { 0, 8 }, { 0, 11 },
                                { 0, 15 }, { 0, 20 }, { 1, 20 } };
  static const int v12[][2] = { { 1, 1 }, { 0, 2 }, { 0, 11 }, { 0, 12 },
                                { 0, 14 }, { 1, 16 }, { 1, 20 },
                                { 0, 20 } };
  const int (*want)[2] = version == HB_TLS_1_3 ? v13 : v12;
  size_t nwant = version == HB_TLS_1_3 ? 7 : 8, w = 0;
  trace t;
  conf c = { 0 };
  run r;
  int i;

  memset(&t, 0, sizeof(t));
  c.type = "ecdsa-p256";
  c.version = version;
  c.ctrace = &t;
  connect_fresh(&c, 0, &r);
  if(r.session)
    T->session_free(r.session);
  for(i = 0; i < t.n && w < nwant; i++)
    if(t.ct[i] == 22 && t.sent[i] == want[w][0] && t.hs[i] == want[w][1])
      w++;
  CHECK(r.ok && w == nwant, "%s trace: matched %zu of %zu expected "
        "messages in order (%d recorded)", vname(version), w, nwant, t.n);
  printf("  trace %s: %d messages:", vname(version), t.n);
  for(i = 0; i < t.n; i++)
    printf(" %s%d/%d", t.sent[i] ? ">" : "<", t.ct[i], t.hs[i]);
  printf("\n");
}

/* A handshake that must fail, with a reason. */
static void expect_failure(const char *what, conf *c)
{
  run r;

  if(connect_fresh(c, 0, &r) != HB_OK)
    return;
  if(r.session)
    T->session_free(r.session);
  CHECK(!r.ok, "%s: handshake succeeded", what);
  CHECK(!r.ok && (r.client_failed || r.server_failed) &&
        (r.cerr.msg[0] || r.serr.msg[0]), "%s: no failure reason", what);
  printf("  %s refused: %s%s%s\n", what, r.cerr.msg,
         r.serr.msg[0] ? " | server: " : "", r.serr.msg);
}

/* Whether a suite name has the AEAD cipher (our name) in it, in any
 * library's spelling: upper case without '_' and '-', "AES_128_GCM",
 * "AES128-GCM" and "AES-128-GCM" all read AES128GCM. */
static int names_aead(const char *suite, const char *cipher)
{
  static const struct { const char *hb, *key; } keys[] = {
    { "aes-128-gcm", "AES128GCM" }, { "aes-256-gcm", "AES256GCM" },
    { "chacha20-poly1305", "CHACHA20" },
  };
  char norm[64];
  size_t i, n = 0;

  for(i = 0; suite[i] && n + 1 < sizeof(norm); i++)
    if(suite[i] != '_' && suite[i] != '-')
      norm[n++] = (char)(suite[i] >= 'a' && suite[i] <= 'z' ?
                         suite[i] - 'a' + 'A' : suite[i]);
  norm[n] = '\0';
  for(i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
    if(!strcmp(keys[i].hb, cipher))
      return strstr(norm, keys[i].key) != NULL;
  return 0;
}

/* One AEAD pinned on the client (ccipher), the server (scipher) or both
 * (the same one): the handshake uses it (in TLS 1.3 only where the
 * library can restrict its suites), data goes both ways. */
static void test_cipher(const char *type, const char *ccipher,
                        const char *scipher, int version, int rsa_kx)
{
  const char *gap = version == HB_TLS_1_3 ? tls13_pin_gap() : NULL;
  const char *cipher = ccipher ? ccipher : scipher;
  const char *who = !scipher ? " client" : !ccipher ? " server" : "";
  conf c = { 0 };
  run r;

  c.type = type;
  c.version = version;
  c.ccipher = ccipher;
  c.scipher = scipher;
  c.rsa_kx = rsa_kx;
  if(connect_fresh(&c, 16384, &r) != HB_OK)
    return;
  if(r.session)
    T->session_free(r.session);
  CHECK(r.ok, "cipher%s %s %s %s%s: handshake failed: client '%s' server "
        "'%s'", who, cipher, type, vname(version), rsa_kx ? " rsa_kx" : "",
        r.cerr.msg, r.serr.msg);
  if(!r.ok)
    return;
  CHECK(r.ci.version == version && r.si.version == version,
        "cipher %s: negotiated %x/%x, want %x", cipher, r.ci.version,
        r.si.version, version);
  CHECK(!strcmp(r.ci.cipher, r.si.cipher), "cipher '%s' vs '%s'",
        r.ci.cipher, r.si.cipher);
  if(!gap)
    CHECK(names_aead(r.ci.cipher, cipher), "pinned%s to %s (%s %s), got "
          "'%s'", who, cipher, type, vname(version), r.ci.cipher);
  if(rsa_kx)
    CHECK(!strstr(r.ci.cipher, "ECDHE"), "rsa_kx with %s: got '%s'",
          cipher, r.ci.cipher);
  printf("  cipher%s %-17s %-10s %s%s: %s%s%s%s\n", who, cipher, type,
         vname(version), rsa_kx ? " rsa_kx" : "", r.ci.cipher,
         gap ? " (not pinned: " : "", gap ? gap : "", gap ? ")" : "");
}

static void test_ciphers(int tls13)
{
  static const char *ciphers[] = { "aes-128-gcm", "aes-256-gcm",
                                   "chacha20-poly1305", NULL };
  static const char *types[] = { "ecdsa-p256", "rsa-2048", NULL };
  hb_tls_ctx *ctx = NULL;
  hb_cert_paths p;
  hb_err err = { "" };
  conf c = { 0 };
  int i, j, rc;

  for(i = 0; ciphers[i]; i++) {
    for(j = 0; types[j]; j++) {
      test_cipher(types[j], ciphers[i], ciphers[i], HB_TLS_1_2, 0);
      if(tls13)
        test_cipher(types[j], ciphers[i], ciphers[i], HB_TLS_1_3, 0);
    }
    /* each side on its own: the other one's default list has it */
    test_cipher("ecdsa-p256", ciphers[i], NULL, HB_TLS_1_2, 0);
    test_cipher("ecdsa-p256", NULL, ciphers[i], HB_TLS_1_2, 0);
    if(tls13) {
      test_cipher("ecdsa-p256", ciphers[i], NULL, HB_TLS_1_3, 0);
      test_cipher("ecdsa-p256", NULL, ciphers[i], HB_TLS_1_3, 0);
    }
  }
  /* no AEAD in common: the handshake fails */
  c.type = "ecdsa-p256";
  c.ccipher = "aes-128-gcm";
  c.scipher = "chacha20-poly1305";
  c.version = HB_TLS_1_2;
  expect_failure("aes-128-gcm client, chacha20-poly1305 server, TLS1.2",
                 &c);
  if(tls13 && !tls13_pin_gap()) {
    c.version = HB_TLS_1_3;
    expect_failure("aes-128-gcm client, chacha20-poly1305 server, TLS1.3",
                   &c);
  }
  else if(tls13)
    printf("  no TLS1.3 cipher mismatch test: %s\n", tls13_pin_gap());
  /* RSA key transport: its one suite with the AEAD; ChaCha20 has none */
  if(T->supports & HB_TLS_SUP_RSA_KX) {
    test_cipher("rsa-2048", "aes-128-gcm", "aes-128-gcm", HB_TLS_1_2, 1);
    test_cipher("rsa-2048", "aes-256-gcm", "aes-256-gcm", HB_TLS_1_2, 1);
  }
  memset(&c, 0, sizeof(c));
  c.type = "rsa-2048";
  c.version = HB_TLS_1_2;
  c.rsa_kx = 1;
  c.ccipher = "chacha20-poly1305";
  CHECK(hb_certs_ensure(c.type, &p, &err) == HB_OK, "certs: %s", err.msg);
  rc = make_ctx(&c, 0, &p, &ctx, &err);
  CHECK(rc == HB_UNSUPPORTED && err.msg[0], "chacha20-poly1305 with "
        "rsa_kx: %d '%s'", rc, err.msg);
  if(ctx)
    T->ctx_free(ctx);
  ctx = NULL;
  /* a name no backend knows */
  memset(&c, 0, sizeof(c));
  c.type = "rsa-2048";
  c.scipher = "rc4";
  err.msg[0] = '\0';
  rc = make_ctx(&c, 1, &p, &ctx, &err);
  CHECK(rc == HB_ERROR && strstr(err.msg, "unknown cipher"), "cipher rc4: "
        "%d '%s'", rc, err.msg);
  if(ctx)
    T->ctx_free(ctx);
  printf("  cipher rc4: %s\n", err.msg);
}

static void test_bad_handshakes(int tls13)
{
  hb_cert_paths p, other;
  hb_err err = { "" };
  conf c = { 0 };

  if(hb_certs_ensure("ecdsa-p256", &p, &err) != HB_OK ||
     hb_certs_ensure("rsa-2048", &other, &err) != HB_OK) {
    CHECK(0, "certs: %s", err.msg);
    return;
  }
  c.type = "ecdsa-p256";
  c.chain = p.wronghost_chain;
  c.key = p.wronghost_key;
  expect_failure("wrong host name", &c);
  memset(&c, 0, sizeof(c));
  c.type = "ecdsa-p256";
  c.ca = other.root;
  expect_failure("untrusted CA", &c);
  memset(&c, 0, sizeof(c));
  c.type = "ecdsa-p256";
  c.chain = p.expired_chain;
  c.key = p.expired_key;
  expect_failure("expired certificate", &c);
  if(tls13) {
    memset(&c, 0, sizeof(c));
    c.type = "ecdsa-p256";
    c.server_max = HB_TLS_1_2;
    c.client_min = HB_TLS_1_3;
    expect_failure("version mismatch", &c);
  }
  memset(&c, 0, sizeof(c));
  c.type = "ecdsa-p256";
  c.mtls = 1;
  expect_failure("missing client certificate", &c);
}

/* One ALPN case: client offers coffer, the server accepts
 * "h2,http/1.1"; want is the protocol both must see ("" none), or NULL
 * for a refused handshake. */
static void alpn_case(int version, const char *coffer, int strict,
                      const char *want)
{
  conf c = { 0 };
  run r;
  char what[96];

  c.type = "ecdsa-p256";
  c.version = version;
  c.salpn = "h2,http/1.1";
  c.calpn = coffer;
  c.alpn_strict = strict;
  snprintf(what, sizeof(what), "ALPN %s offer '%s'%s", vname(version),
           coffer ? coffer : "(none)", strict ? " strict" : "");
  if(!want) {
    expect_failure(what, &c);
    return;
  }
  connect_fresh(&c, 0, &r);
  CHECK(r.ok, "%s: %s / %s", what, r.cerr.msg, r.serr.msg);
  CHECK(!r.ok || (!strcmp(r.calpn, want) && !strcmp(r.salpn, want)),
        "%s: want '%s', client saw '%s', server '%s'", what, want,
        r.calpn, r.salpn);
  if(r.ok)
    printf("  %s: '%s'\n", what, r.calpn);
  if(r.session)
    T->session_free(r.session);
}

static void test_alpn(int version)
{
  int fallback = (T->supports & HB_TLS_SUP_ALPN_FALLBACK) != 0;

  alpn_case(version, "h2,http/1.1", 0, "h2");
  alpn_case(version, "h2", 0, "h2");
  alpn_case(version, "http/1.1", 0, "http/1.1");
  alpn_case(version, "http/1.1,h2", 0, "h2");
  alpn_case(version, NULL, 0, "");
  alpn_case(version, NULL, 1, "");
  /* nothing in common: no protocol (the client speaks HTTP/1.1), or a
   * refusal where the library always refuses */
  alpn_case(version, "spdy/1,foo", 0, fallback ? "" : NULL);
  alpn_case(version, "spdy/1,foo", 1, NULL);
}

static void test_alpn_lists(void)
{
  static const char *bad[] = { "h2,,x", ",h2", "h2,", "h2,h2",
    "a,b,c,d,e,f,g,h,i", "0123456789abcdef0123456789abcdef0", NULL };
  hb_alpn_list l;
  hb_err err = { "" };
  static const unsigned char offer[] = "\x08http/1.1\x02h2";
  int i;

  CHECK(hb_alpn_parse("h2,http/1.1", &l, &err) == HB_OK && l.n == 2 &&
        l.wire_len == 12 && !memcmp(l.wire, "\x02h2\x08http/1.1", 12) &&
        !strcmp(l.comma, "h2,http/1.1") && !strcmp(l.ptrs[1], "http/1.1")
        && !l.ptrs[2], "ALPN list h2,http/1.1: %s", err.msg);
  CHECK(hb_alpn_select(&l, offer, sizeof(offer) - 1) == 0,
        "server preference: h2 before the client's http/1.1");
  CHECK(hb_alpn_select(&l, offer, 5) == -1, "a cut offer is refused");
  CHECK(hb_alpn_select(&l, (const unsigned char *)"\x03foo", 4) == -1,
        "nothing in common");
  CHECK(hb_alpn_parse(NULL, &l, &err) == HB_OK && l.n == 0, "no list");
  for(i = 0; bad[i]; i++)
    CHECK(hb_alpn_parse(bad[i], &l, &err) == HB_ERROR && err.msg[0],
          "ALPN list '%s' accepted", bad[i]);
}

/* Whether s's socket has bytes to read within ms milliseconds. */
static int readable(const side *s, int ms)
{
  struct pollfd p;

  p.fd = s->fd;
  p.events = POLLIN;
  p.revents = 0;
  return poll(&p, 1, ms) == 1 && (p.revents & POLLIN);
}

/* Reads exactly n bytes at s into buf (2 s at most); 1 if it got them. */
static int read_n(side *s, uint8_t *buf, size_t n)
{
  size_t got = 0, k;
  uint64_t end = hb_now_ns() + 2000000000ull;

  while(got < n && hb_now_ns() < end) {
    hb_io r = T->read(s->c, buf + got, n - got, &k, &s->err);

    if(r == HB_IO_OK)
      got += k;
    else if(r == HB_IO_WANT_READ || r == HB_IO_WANT_WRITE) {
      s->want = r;
      wait_io(s, s);
    }
    else
      break;
  }
  return got == n;
}

/* cfg.hold_finished, one connection: the client's handshake ends with
 * its Finished held back (nothing reaches the server), then `how` sends
 * it: 'w' the first write (the Finished leaves with it), 'r' a read,
 * 's' close_notify; the server's handshake must then complete. A TLS 1.2
 * full handshake, where the server's Finished comes last, is never held:
 * both sides finish as usual. */
static void hold_once(const conf *c, ctxs *x, hb_tls_session *resume,
                      int held, int how, const char *what)
{
  side cl, sv;
  hb_err err = { "" };
  uint8_t b[5];
  uint64_t end = hb_now_ns() + 5000000000ull;
  hb_io r;

  memset(&cl, 0, sizeof(cl));
  memset(&sv, 0, sizeof(sv));
  tcp_pair(&cl.fd, &sv.fd);
  if(T->conn_new(x->s, sv.fd, NULL, &sv.c, &err) != HB_OK ||
     T->conn_new(x->c, cl.fd, "localhost", &cl.c, &err) != HB_OK ||
     (resume && T->session_set(cl.c, resume, &err) != HB_OK)) {
    CHECK(0, "hold %s: %s", what, err.msg);
    sides_close(&cl, &sv);
    return;
  }
  while(!cl.done && !cl.failed && !sv.failed && hb_now_ns() < end) {
    step(&cl);
    if(!cl.done) {
      step(&sv);
      wait_io(&cl, &sv);
    }
  }
  CHECK(cl.done, "hold %s: the client's handshake: %s / %s", what,
        cl.err.msg, sv.err.msg);
  if(!cl.done) {
    sides_close(&cl, &sv);
    return;
  }
  if(!held) { /* the server had the client's Finished before its own */
    handshake_pair(&cl, &sv);
    CHECK(sv.done, "hold %s: the server's handshake did not end: %s",
          what, sv.err.msg);
    CHECK(transfer(&cl, &sv, 5), "hold %s: data after it", what);
    sides_close(&cl, &sv);
    return;
  }
  if(resume) {
    hb_tls_info ci;

    T->info(cl.c, &ci);
    CHECK(ci.resumed, "hold %s: the handshake did not resume", what);
  }
  /* a short look: a wrongly sent Finished is there by then on loopback,
   * and a held one never is (this cannot fail when it is held) */
  CHECK(!readable(&sv, 50), "hold %s: the client's Finished was sent "
        "before anything else", what);
  step(&sv);
  CHECK(!sv.done, "hold %s: the server's handshake ended without the "
        "client's Finished", what);
  if(how == 'w') {
    size_t k = 0;

    r = T->write(cl.c, "ping!", 5, &k, &cl.err);
    CHECK(r == HB_IO_OK && k == 5, "hold %s: write %d: %s", what, r,
          cl.err.msg);
  }
  else if(how == 'r') {
    size_t k = 0;

    r = T->read(cl.c, b, sizeof(b), &k, &cl.err);
    CHECK(r == HB_IO_WANT_READ, "hold %s: read with nothing to read gave "
          "%d: %s", what, r, cl.err.msg);
  }
  else {
    r = T->shutdown(cl.c, &cl.err);
    CHECK(r == HB_IO_OK, "hold %s: shutdown %d: %s", what, r, cl.err.msg);
  }
  CHECK(readable(&sv, 2000), "hold %s: nothing reached the server", what);
  handshake_pair(&cl, &sv);
  CHECK(sv.done, "hold %s: the server's handshake did not end: %s", what,
        sv.err.msg);
  if(sv.done && how == 'w')
    CHECK(read_n(&sv, b, 5) && !memcmp(b, "ping!", 5),
          "hold %s: the server did not read what came with the Finished: "
          "%s", what, sv.err.msg);
  if(sv.done && how == 'r')
    CHECK(transfer(&sv, &cl, 5), "hold %s: data after it", what);
  if(sv.done && how == 's') {
    r = read_to_close(&sv, &err);
    CHECK(r == HB_IO_CLOSED, "hold %s: the server saw %d, not "
          "close_notify: %s", what, r, err.msg);
  }
  sides_close(&cl, &sv);
}

static void test_hold_finished(int tls13)
{
  conf c = { 0 };
  ctxs x;
  hb_err err = { "" };
  run r;
  static const char how[] = "wrs";
  int i;

  c.type = "ecdsa-p256";
  c.hold = 1;
  c.resume_cache = 1;
  c.version = HB_TLS_1_2;
  if(ctxs_new(&c, &x, &err) == HB_OK) {
    hold_once(&c, &x, NULL, 0, 'w', "TLS1.2 full");
    connect_once(&c, &x, NULL, 0, &r); /* a session, not held: full */
    CHECK(r.ok && r.session, "hold: a TLS 1.2 session: %s", r.cerr.msg);
    if(r.session) {
      for(i = 0; how[i]; i++)
        hold_once(&c, &x, r.session, 1, how[i], "TLS1.2 resumed");
      T->session_free(r.session);
    }
  }
  else
    CHECK(0, "hold contexts: %s", err.msg);
  ctxs_free(&x);
  if(tls13) {
    c.version = HB_TLS_1_3;
    c.resume_cache = 0;
    if(ctxs_new(&c, &x, &err) == HB_OK)
      for(i = 0; how[i]; i++)
        hold_once(&c, &x, NULL, 1, how[i], "TLS1.3");
    else
      CHECK(0, "hold contexts: %s", err.msg);
    ctxs_free(&x);
  }
  printf("  hold_finished: the client's Finished waits for its write, "
         "read or close_notify\n");
}

static void test_misc(void)
{
  conf c = { 0 };
  run r;

  c.type = "ecdsa-p256";
  c.sni = "127.0.0.1";
  connect_fresh(&c, 0, &r);
  CHECK(r.ok, "verification against the IP SAN failed: %s", r.cerr.msg);
  if(r.session)
    T->session_free(r.session);

  memset(&c, 0, sizeof(c));
  c.type = "ecdsa-p256";
  c.mtls = 1;
  c.client_cert = 1;
  connect_fresh(&c, 16384, &r);
  CHECK(r.ok, "mutual TLS failed: %s / %s", r.cerr.msg, r.serr.msg);
  if(r.session)
    T->session_free(r.session);

  if(T->supports & HB_TLS_SUP_GROUPS) {
    static const char *g[] = { "x25519", "p256", "p384", NULL };
    int i;
    for(i = 0; g[i]; i++) {
      memset(&c, 0, sizeof(c));
      c.type = "ecdsa-p256";
      c.groups = g[i];
      connect_fresh(&c, 0, &r);
      CHECK(r.ok, "group %s: %s / %s", g[i], r.cerr.msg, r.serr.msg);
      CHECK(!r.ok || !r.ci.group[0] || !strcmp(r.ci.group, g[i]),
            "asked for group %s, got %s", g[i], r.ci.group);
      if(r.session)
        T->session_free(r.session);
    }
  }
}

int main(void)
{
  static const char *types[] = { "ecdsa-p256", "rsa-2048", "ed25519",
                                 "ecdsa-p384", NULL };
  int i, tls13 = (T->supports & HB_TLS_SUP_TLS13) != 0;

  signal(SIGPIPE, SIG_IGN);
  listen_once();
  printf("%s TLS, supports 0x%x\n", T->name, T->supports);
  for(i = 0; types[i]; i++) {
    if(!cert_ok(types[i]))
      continue;
    test_full(types[i], HB_TLS_1_2);
    if(tls13)
      test_full(types[i], HB_TLS_1_3);
  }
  test_resume(HB_TLS_1_2, 1, 0);
  test_resume(HB_TLS_1_2, 0, 1);
  test_resume(HB_TLS_1_2, 0, 0);
  if(tls13) {
    test_resume(HB_TLS_1_3, 0, 1);
    test_resume(HB_TLS_1_3, 0, 0);
  }
  if(T->supports & HB_TLS_SUP_TRACE) {
    test_trace(HB_TLS_1_2);
    if(tls13)
      test_trace(HB_TLS_1_3);
  }
  else
    printf("  %s has no handshake message callback: no trace\n", T->name);
  if(T->supports & HB_TLS_SUP_EARLY_DATA)
    test_early_data();
  else
    printf("  %s has no 0-RTT early data\n", T->name);
  test_bad_handshakes(tls13);
  test_alpn_lists();
  if(T->supports & HB_TLS_SUP_ALPN) {
    test_alpn(HB_TLS_1_2);
    if(tls13)
      test_alpn(HB_TLS_1_3);
  }
  else {
    hb_tls_ctx *ctx = NULL;
    hb_tls_config cfg = { 0 };
    hb_err err = { "" };

    cfg.alpn = "h2";
    CHECK(T->ctx_new(&cfg, &ctx, &err) == HB_UNSUPPORTED,
          "%s has no ALPN yet took a list", T->name);
    if(ctx)
      T->ctx_free(ctx);
    printf("  %s has no ALPN: %s\n", T->name, err.msg);
  }
  test_ciphers(tls13);
  test_misc();
  if(T->supports & HB_TLS_SUP_HOLD_FINISHED)
    test_hold_finished(tls13);
  close(lfd);
  return test_summary("tls");
}
