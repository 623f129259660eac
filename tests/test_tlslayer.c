/* The layer under the TLS backends (lib/tls/): the group table and its
 * colon-list parser, the socket calls (EOF, would-block, a reset made by
 * a peer closing with SO_LINGER 0) and the record scanner, which must give
 * the same events for a stream fed whole, one byte at a time and split in
 * two at every position. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"
#include "hb/tls_groups.h"
#include "hb/tls_layer.h"

/* ---- groups ---- */

/* Parses list; want: our names joined by ':' ("" for a failure). */
static void group_case(const char *list, const char *want)
{
  const hb_group *g[HB_GROUPS_MAX];
  char got[256] = "";
  hb_err err = { "" };
  size_t n = 99, i, used = 0;
  int rc = hb_groups_parse(list, g, HB_GROUPS_MAX, &n, &err);

  for(i = 0; !rc && i < n; i++)
    used += (size_t)snprintf(got + used, sizeof(got) - used, "%s%s",
                             i ? ":" : "", g[i]->name);
  CHECK(!strcmp(got, want), "'%s': got '%s' (rc %d, %s), want '%s'",
        list ? list : "(null)", got, rc, err.msg, want);
  CHECK(!rc == !!want[0], "'%s': rc %d", list ? list : "(null)", rc);
  CHECK(!rc || (err.msg[0] && n == 0), "'%s': a failure without words "
        "or with %zu groups", list ? list : "(null)", n);
}

static void test_groups(void)
{
  char many[256] = "";
  const hb_group *g[HB_GROUPS_MAX];
  hb_err err = { "" };
  size_t n, i;

  group_case("x25519", "x25519");
  group_case("x25519:p256:p384", "x25519:p256:p384");
  group_case("p384:x25519", "p384:x25519"); /* order kept */
  /* aliases and case */
  group_case("secp256r1:prime256v1:P-256:P256", "p256");
  group_case("X25519:SECP384R1:p-521:Curve448", "x25519:p384:p521:x448");
  group_case("secp521r1:FFDHE2048:ffdhe8192", "p521:ffdhe2048:ffdhe8192");
  group_case("x25519:x25519", "x25519"); /* listed twice counts once */
  /* failures */
  group_case("x25519:p257", "");
  group_case("brainpool", "");
  group_case("x25519::p256", "");
  group_case(":x25519", "");
  group_case("x25519:", "");
  group_case(":", "");
  group_case("", "");
  group_case(NULL, "");
  group_case("x2551", "");      /* a prefix is not a name */
  group_case("x25519x", "");
  for(i = 0; i < HB_GROUPS_MAX; i++)
    strcat(many, i ? ":p256" : "p256");
  group_case(many, "p256");     /* 16 items: the most allowed */
  strcat(many, ":p384");
  group_case(many, "");         /* 17 */
  CHECK(hb_groups_parse("x25519:p256:p384", g, 2, &n, &err) == HB_ERROR,
        "3 items into room for 2");
  CHECK(strstr(err.msg, "more than 2"), "too long: '%s'", err.msg);
  CHECK(hb_groups_parse("x25519:nope", g, 4, &n, &err) == HB_ERROR &&
        strstr(err.msg, "'nope'") && strstr(err.msg, "p256"),
        "unknown: '%s'", err.msg);

  CHECK(hb_group_find("P-384", 5) && hb_group_find("P-384", 5)->id == 24,
        "P-384");
  CHECK(hb_group_find("p256:x", 4) && hb_group_find("p256:x", 4)->id == 23,
        "length bounds the name");
  CHECK(!hb_group_find("", 0), "empty name");
  CHECK(!strcmp(hb_group_name(29), "x25519") &&
        !strcmp(hb_group_name(23), "p256") &&
        !strcmp(hb_group_name(260), "ffdhe8192") &&
        !strcmp(hb_group_name(4588), "x25519mlkem768") &&
        !strcmp(hb_group_name(4660), ""), "names by id");
  CHECK(hb_group_by_id(30) == hb_group_find("x448", 4), "by id");
  for(i = 0; i < 300; i++) { /* every name in the table is its own */
    const hb_group *x = hb_group_by_id((unsigned)i);
    if(x)
      CHECK(hb_group_find(x->name, strlen(x->name)) == x &&
            strstr(hb_groups_known, x->name), "%s", x->name);
  }
}

/* ---- socket calls ---- */

/* A connected loopback TCP pair, both non-blocking. */
static int tcp_pair(int fds[2])
{
  struct sockaddr_in a;
  socklen_t alen = sizeof(a);
  int l = socket(AF_INET, SOCK_STREAM, 0), ok = 0, i;

  fds[0] = fds[1] = -1;
  memset(&a, 0, sizeof(a));
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if(l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 1) ||
     getsockname(l, (struct sockaddr *)&a, &alen))
    goto out;
  fds[0] = socket(AF_INET, SOCK_STREAM, 0);
  if(fds[0] < 0 || connect(fds[0], (struct sockaddr *)&a, sizeof(a)))
    goto out;
  fds[1] = accept(l, NULL, NULL);
  if(fds[1] < 0)
    goto out;
  for(i = 0; i < 2; i++)
    fcntl(fds[i], F_SETFL, fcntl(fds[i], F_GETFL) | O_NONBLOCK);
  ok = 1;
out:
  if(l >= 0)
    close(l);
  return ok ? 0 : -1;
}

static void wait_readable(int fd)
{
  struct pollfd p = { fd, POLLIN, 0 };

  poll(&p, 1, 2000);
}

static int scanned_records;

static void count_records(void *arg, int sent, const hb_rec_event *ev)
{
  if(ev->kind == HB_REC_HEADER)
    scanned_records++;
}

static void test_sock(void)
{
  static const unsigned char rec[] = { 23, 3, 3, 0, 2, 'h', 'i' };
  unsigned char buf[65536];
  struct linger lg = { 1, 0 };
  struct iovec iov[2];
  hb_tls_base a, b;
  int fds[2];
  size_t n, total;
  hb_io io;

  if(tcp_pair(fds)) {
    CHECK(0, "no loopback TCP pair: %s", strerror(errno));
    return;
  }
  hb_tls_base_init(&a, fds[0], NULL, NULL);
  hb_tls_base_init(&b, fds[1], NULL, NULL);

  /* would block: nothing to read */
  io = hb_sock_read(&b, buf, sizeof(buf), &n);
  CHECK(io == HB_IO_WANT_READ && n == 0 && b.again && !b.eof &&
        !b.sys_errno, "empty socket: io %d n %zu", io, n);

  /* bytes, counted, and scanned when asked */
  a.scan = count_records;
  scanned_records = 0;
  io = hb_sock_write(&a, rec, sizeof(rec), &n);
  CHECK(io == HB_IO_OK && n == sizeof(rec) && a.bytes_out == sizeof(rec),
        "write: io %d n %zu", io, n);
  CHECK(scanned_records == 1, "%d records scanned", scanned_records);
  wait_readable(fds[1]);
  iov[0].iov_base = buf;
  iov[0].iov_len = 3;
  iov[1].iov_base = buf + 3;
  iov[1].iov_len = 100;
  io = hb_sock_readv(&b, iov, 2, &n);
  CHECK(io == HB_IO_OK && n == sizeof(rec) && b.bytes_in == sizeof(rec) &&
        !memcmp(buf, rec, sizeof(rec)), "readv: io %d n %zu", io, n);
  io = hb_sock_read(&b, buf, 0, &n);
  CHECK(io == HB_IO_OK && n == 0 && !b.eof, "a read of 0 bytes is no EOF");

  /* would block: a full socket */
  memset(buf, 'x', sizeof(buf));
  total = 0;
  a.scan = NULL;
  do {
    iov[0].iov_base = buf;
    iov[0].iov_len = sizeof(buf);
    io = hb_sock_writev(&a, iov, 1, 0, &n);
    total += n;
  } while(io == HB_IO_OK && total < (256u << 20));
  CHECK(io == HB_IO_WANT_WRITE && a.again && !a.sys_errno,
        "full socket: io %d after %zu bytes", io, total);
  CHECK(a.bytes_out == sizeof(rec) + total, "bytes_out %llu",
        (unsigned long long)a.bytes_out);

  close(fds[0]);
  close(fds[1]);

  /* EOF: the peer's FIN after what it sent */
  if(tcp_pair(fds)) {
    CHECK(0, "no second loopback TCP pair");
    return;
  }
  hb_tls_base_init(&a, fds[0], NULL, NULL);
  hb_tls_base_init(&b, fds[1], NULL, NULL);
  io = hb_sock_write(&a, "ok", 2, &n);
  CHECK(io == HB_IO_OK && n == 2, "write: io %d", io);
  shutdown(fds[0], SHUT_WR);
  wait_readable(fds[1]);
  io = hb_sock_read(&b, buf, sizeof(buf), &n);
  CHECK(io == HB_IO_OK && n == 2, "data before FIN: io %d n %zu", io, n);
  wait_readable(fds[1]);
  io = hb_sock_read(&b, buf, sizeof(buf), &n);
  CHECK(io == HB_IO_CLOSED && n == 0 && b.eof && !b.sys_errno,
        "FIN: io %d", io);
  close(fds[0]);
  close(fds[1]);

  /* reset: the peer closes with SO_LINGER 0, which sends an RST */
  if(tcp_pair(fds)) {
    CHECK(0, "no third loopback TCP pair");
    return;
  }
  hb_tls_base_init(&b, fds[1], NULL, NULL);
  CHECK(!setsockopt(fds[0], SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)),
        "SO_LINGER: %s", strerror(errno));
  close(fds[0]);
  wait_readable(fds[1]);
  io = hb_sock_read(&b, buf, sizeof(buf), &n);
  CHECK(io == HB_IO_RESET && b.sys_errno == ECONNRESET && !b.eof &&
        hb_tls_base_was_reset(&b), "RST: io %d errno %d", io, b.sys_errno);
  /* the connection is gone: a write is a reset too (EPIPE), and no
   * SIGPIPE kills us */
  io = hb_sock_write(&b, "x", 1, &n);
  CHECK(io == HB_IO_RESET && (b.sys_errno == EPIPE ||
        b.sys_errno == ECONNRESET), "write after RST: io %d errno %d", io,
        b.sys_errno);
  close(fds[1]);
  b.sys_errno = EBADF;
  CHECK(!hb_tls_base_was_reset(&b), "EBADF is no reset");

  /* any other errno is an error */
  hb_tls_base_init(&a, -1, NULL, NULL);
  io = hb_sock_read(&a, buf, 1, &n);
  CHECK(io == HB_IO_ERROR && a.sys_errno == EBADF, "bad fd: io %d", io);
}

/* ---- record scanner ---- */

#define MAXEV 64

typedef struct evlog {
  int n;
  struct {
    int sent, kind, ct, enc, hs;
    size_t len;
    unsigned char peek[HB_REC_PEEK_LEN];
  } e[MAXEV];
} evlog;

static void log_event(void *arg, int sent, const hb_rec_event *ev)
{
  evlog *l = arg;

  if(l->n == MAXEV)
    return;
  memset(&l->e[l->n], 0, sizeof(l->e[0]));
  l->e[l->n].sent = sent;
  l->e[l->n].kind = ev->kind;
  l->e[l->n].ct = ev->content_type;
  l->e[l->n].enc = ev->kind == HB_REC_HEADER ? ev->encrypted : 0;
  l->e[l->n].hs = ev->kind == HB_REC_HEADER ? -1 : ev->hs_type;
  l->e[l->n].len = ev->len;
  if(ev->kind == HB_REC_PEEK)
    memcpy(l->e[l->n].peek, ev->peek, ev->len);
  l->n++;
}

/* A TLS 1.2 flight as a server sends it, and more: two messages in one
 * record, a message split over two records, a message with an empty
 * body, then CCS, the encrypted Finished, application data, an empty
 * record and an alert. */
static const unsigned char stream[] = {
  22, 3, 3, 0, 14,                  /* record: 14 bytes */
  2, 0, 0, 6, 3, 3, 9, 9, 9, 9,     /* ServerHello, body 6 */
  11, 0, 0, 3,                      /* Certificate, header only here */
  22, 3, 3, 0, 3,                   /* record: 3 bytes */
  7, 7, 7,                          /* ... Certificate body */
  22, 3, 3, 0, 12,                  /* record: 12 bytes */
  12, 0, 0, 4, 3, 0, 29, 5,         /* ServerKeyExchange: named x25519 */
  14, 0, 0, 0,                      /* ServerHelloDone, empty */
  20, 3, 3, 0, 1, 1,                /* ChangeCipherSpec */
  22, 3, 3, 0, 6, 1, 2, 3, 4, 5, 6, /* encrypted Finished */
  23, 3, 3, 0, 3, 'a', 'b', 'c',    /* application data */
  23, 3, 3, 0, 0,                   /* empty record */
  21, 3, 3, 0, 2, 1, 0              /* alert */
};

static int same_events(const evlog *a, const evlog *b)
{
  return a->n == b->n && !memcmp(a->e, b->e, (size_t)a->n * sizeof(a->e[0]));
}

static void test_records(void)
{
  static const struct {
    int kind, ct, enc, hs;
    size_t len;
  } want[] = {
    { HB_REC_HEADER, 22, 0, -1, 14 },
    { HB_REC_MESSAGE, 22, 0, 2, 10 },
    { HB_REC_PEEK, 22, 0, 2, 4 },
    { HB_REC_MESSAGE, 22, 0, 11, 7 },
    { HB_REC_HEADER, 22, 0, -1, 3 },
    { HB_REC_PEEK, 22, 0, 11, 3 },
    { HB_REC_HEADER, 22, 0, -1, 12 },
    { HB_REC_MESSAGE, 22, 0, 12, 8 },
    { HB_REC_PEEK, 22, 0, 12, 4 },
    { HB_REC_MESSAGE, 22, 0, 14, 4 },
    { HB_REC_HEADER, 20, 0, -1, 1 },
    { HB_REC_HEADER, 22, 1, -1, 6 },
    { HB_REC_HEADER, 23, 1, -1, 3 },
    { HB_REC_HEADER, 23, 1, -1, 0 },
    { HB_REC_HEADER, 21, 1, -1, 2 },
  };
  static const unsigned char ske[] = { 3, 0, 29, 5 };
  size_t nwant = sizeof(want) / sizeof(want[0]), i, cut;
  hb_rec_scan s;
  evlog whole, other;

  memset(&s, 0, sizeof(s));
  memset(&whole, 0, sizeof(whole));
  hb_rec_feed(&s, 1, stream, sizeof(stream), log_event, &whole);
  CHECK(whole.n == (int)nwant, "%d events, want %zu", whole.n, nwant);
  for(i = 0; i < nwant && i < (size_t)whole.n; i++)
    CHECK(whole.e[i].kind == want[i].kind && whole.e[i].ct == want[i].ct &&
          whole.e[i].enc == want[i].enc && whole.e[i].hs == want[i].hs &&
          whole.e[i].len == want[i].len && whole.e[i].sent == 1,
          "event %zu: kind %d ct %d enc %d hs %d len %zu", i,
          whole.e[i].kind, whole.e[i].ct, whole.e[i].enc, whole.e[i].hs,
          whole.e[i].len);
  CHECK(whole.n > 8 && !memcmp(whole.e[8].peek, ske, sizeof(ske)),
        "ServerKeyExchange peek");
  CHECK(whole.n > 5 && !memcmp(whole.e[5].peek, "\7\7\7", 3),
        "a peek across records");
  CHECK(s.ccs && !s.rec_have && !s.hs_have, "state at the end");

  /* one byte at a time */
  memset(&s, 0, sizeof(s));
  memset(&other, 0, sizeof(other));
  for(i = 0; i < sizeof(stream); i++)
    hb_rec_feed(&s, 1, stream + i, 1, log_event, &other);
  CHECK(same_events(&whole, &other), "byte by byte: %d events", other.n);

  /* split in two at every position (0 and the end: an empty piece) */
  for(cut = 0; cut <= sizeof(stream); cut++) {
    memset(&s, 0, sizeof(s));
    memset(&other, 0, sizeof(other));
    hb_rec_feed(&s, 1, stream, cut, log_event, &other);
    hb_rec_feed(&s, 1, stream + cut, sizeof(stream) - cut, log_event,
                &other);
    CHECK(same_events(&whole, &other), "split at %zu: %d events", cut,
          other.n);
  }
}

/* ---- IP literals ---- */

static void test_ip(void)
{
  unsigned char a[16];
  char text[64];

  CHECK(hb_tls_ip_literal("192.0.2.1", a, text, sizeof(text)) == 4 &&
        a[0] == 192 && a[3] == 1 && !strcmp(text, "192.0.2.1"), "IPv4");
  CHECK(hb_tls_ip_literal("::1", a, NULL, 0) == 16 && a[15] == 1, "::1");
  CHECK(hb_tls_ip_literal("[::1]", a, text, sizeof(text)) == 16 &&
        !strcmp(text, "::1"), "[::1] -> %s", text);
  CHECK(hb_tls_ip_literal("localhost", a, text, sizeof(text)) == 0,
        "a name");
  CHECK(hb_tls_ip_literal("[localhost]", a, NULL, 0) == 0, "[name]");
  CHECK(hb_tls_ip_literal("1.2.3", a, NULL, 0) == 0, "short IPv4");
  CHECK(hb_tls_ip_literal("[::1]", a, text, 3) == 0, "text too small");
}

/* The cipher table: every name found at its place, the names list in
 * the same order; an unknown name and rsa_kx with ChaCha20 refused. */
static void test_ciphers(void)
{
  hb_tls_config cfg;
  hb_err err;
  size_t i, at;

  memset(&cfg, 0, sizeof(cfg));
  for(i = 0; i < HB_TLS_NCIPHERS; i++) {
    cfg.cipher = hb_tls_ciphers[i].name;
    at = 99;
    CHECK(hb_tls_cipher_find(&cfg, &at, &err) == HB_OK && at == i,
          "%s: at %zu", cfg.cipher, at);
    CHECK(!strcmp(hb_tls_cipher_names[i], cfg.cipher), "names[%zu]", i);
    CHECK(hb_tls_ciphers[i].tls13 == 0x1301 + i, "%s: TLS 1.3 id",
          cfg.cipher);
  }
  CHECK(hb_tls_cipher_names[HB_TLS_NCIPHERS] == NULL, "names end");
  cfg.cipher = "AES-128-GCM";
  CHECK(hb_tls_cipher_find(&cfg, &at, &err) == HB_ERROR &&
        strstr(err.msg, "unknown cipher"), "case: %s", err.msg);
  cfg.rsa_kx = 1;
  cfg.cipher = "aes-256-gcm";
  CHECK(hb_tls_cipher_find(&cfg, &at, &err) == HB_OK && at == 1,
        "aes-256-gcm with rsa_kx");
  cfg.cipher = "chacha20-poly1305";
  CHECK(hb_tls_cipher_find(&cfg, &at, &err) == HB_UNSUPPORTED &&
        strstr(err.msg, "RSA key transport"), "chacha with rsa_kx: %s",
        err.msg);
}

int main(void)
{
  test_groups();
  test_ciphers();
  test_ip();
  test_sock();
  test_records();
  return test_summary("tlslayer");
}
