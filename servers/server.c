/* `httpsbench-<backend> server`: options, listeners, the TLS context, the
 * worker threads, and what is printed at exit. See server.h for the
 * parts. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nghttp2/nghttp2.h>

#include "hb/backend.h"
#include "hb/certs.h"
#include "hb/cli.h"
#include "hb/opts.h"
#include "hb/sig.h"
#include "hb/suites.h"
#include "hb/tls_groups.h"
#include "hb/tls_layer.h"
#include "server.h"

#define SRV_NAME(id, name) name,
const char *const srv_err_names[SRV_ERR_COUNT] = { SRV_ERRORS(SRV_NAME) };
#undef SRV_NAME

typedef struct srv_opts {
  const char *listen, *root, *tls, *cert, *key, *cert_type, *groups;
  const char *client_ca, *cipher;
  int resume;          /* 0 off, 1 on, 2 session IDs only, 3 tickets only */
  int rsa_kx, threads, usage, tls_given;
  long max_conns, early_data, burn_us, stall_ms, stall_after;
  double idle;
  const char *alpn;    /* --alpn, or NULL: by --no-h2 */
  int alpn_strict, no_h2;
  long h2_streams, h2_window, h2_header_list;
} srv_opts;

static char srv_prog[96] = "httpsbench server";
static atomic_int srv_seen[SRV_ERR_COUNT];
static volatile sig_atomic_t srv_snap_wanted;  /* SIGUSR1 seen */

static void srv_on_usr1(int sig)
{
  (void)sig;
  srv_snap_wanted = 1;
}

/* Counts an error; the first of each category is also said on stderr. */
void srv_count(srv_worker *w, srv_err e, const char *detail)
{
  SRV_ADD(w->errors[e], 1);
  if(!atomic_exchange(&srv_seen[e], 1))
    fprintf(stderr, "%s: %s: %s (first one; more are only counted)\n",
            srv_prog, srv_err_names[e], detail);
}

/* A worker cannot go on: everybody stops, and the exit status says so. */
void srv_stop_all(srv *s)
{
  uint64_t one = 1;

  atomic_store(&s->failed, 1);
  if(write(s->stopfd, &one, sizeof(one)) < 0)
    perror("eventfd");
  kill(getpid(), SIGTERM);  /* wakes the main thread */
}

/* What --help says before the options. */
static void srv_help_head(char *buf, size_t size)
{
  snprintf(buf, size,
"usage: httpsbench-%s server [options]\n"
"HTTP/1.1 and HTTP/2 server for the throughput suites, over %s. HTTP/2\n"
"is h2 by ALPN over TLS, and h2c with prior knowledge over plain TCP (a\n"
"connection whose first bytes are the HTTP/2 client preface). Prints one line,\n"
"`listening on HOST:PORT`, once it accepts (over TLS with the suite's\n"
"certificate, followed by ` (CA certificate for clients: PATH)` on the\n"
"same line); stops cleanly on SIGINT/TERM. Each SIGUSR1 prints one JSON\n"
"line, cumulative counters since start (readers take differences):\n"
"  {\"snapshot\":1,\"t_ns\" (CLOCK_MONOTONIC),\"cpu_ns\" (process CPU),\n"
"  \"cpu_user_s\",\"cpu_sys_s\",\"rss_bytes\" (VmRSS),\"live\" (open now),\n"
"  \"connections\",\"requests\" (HTTP/2: streams answered),\"handshakes\",\n"
"  \"handshake_ns\" (their time from accept to completion, summed),\n"
"  \"resumed\",\"bytes_body\" (body bytes taken by writes; HTTP/2: DATA\n"
"  payload produced),\"h2_connections\",\"h2_streams\",\"tls\":{\"version\",\"cipher\",\"group\"}\n"
"  of the first handshake or null,\"errors\":{...}}\n"
"Signals sent before the previous line is out may merge into one.\n"
"  GET /bytes/N     N bytes (0 .. 64 MiB; byte i is i %% 251)\n"
"  GET /__stats     the --usage JSON, now\n"
"  GET /FILE        a regular file under --root\n"
"  HEAD works on each; other methods get 405, unknown paths 404.\n"
"options:\n",
    hb_linked_backend.name, hb_linked_backend.tls &&
    hb_linked_backend.tls != &hb_plain_tls ? hb_linked_backend.library :
    "plain TCP");
}

/* The HTTP/2 section's closing note (its limits are compiled in). */
static void srv_help_h2(char *buf, size_t size)
{
  snprintf(buf, size,
"  Refused and counted (errors): more than 8 CONTINUATION frames after a\n"
"  HEADERS, SETTINGS/PING over %d then %d/s or acknowledgements piling up\n"
"  past 1000, RST_STREAM over %d then %d/s (rapid reset): GOAWAY\n"
"  ENHANCE_YOUR_CALM; bad frames and a bad preface: GOAWAY PROTOCOL_ERROR\n"
"  (or the code RFC 9113 gives).",
    SRV_H2_CTRL_BURST, SRV_H2_CTRL_RATE, SRV_H2_RST_BURST, SRV_H2_RST_RATE);
}

/* --cert-type: one of the suite's certificate types. */
static int srv_opt_cert_type(const char *v, void *dest, char *why,
                             size_t size)
{
  if(!hb_cert_type_valid(v)) {
    snprintf(why, size, "'%s' is not one of %s", v, HB_CERT_TYPES);
    return -1;
  }
  *(const char **)dest = v;
  return 0;
}

/* --groups: a colon list of the group table's names. */
static int srv_opt_groups(const char *v, void *dest, char *why, size_t size)
{
  const hb_group *g[HB_GROUPS_MAX];
  hb_err err;
  size_t n;

  if(hb_groups_parse(v, g, HB_GROUPS_MAX, &n, &err)) {
    snprintf(why, size, "%s", err.msg);
    return -1;
  }
  *(const char **)dest = v;
  return 0;
}

/* --alpn: a non-empty protocol list. */
static int srv_opt_alpn(const char *v, void *dest, char *why, size_t size)
{
  hb_alpn_list l;
  hb_err e;

  if(hb_alpn_parse(v, &l, &e) || !l.n) {
    snprintf(why, size, "%s", l.n ? e.msg : "empty list");
    return -1;
  }
  *(const char **)dest = v;
  return 0;
}

/* "HOST:PORT" or "[V6]:PORT" into host and port strings. */
static int srv_split_addr(const char *s, char *host, size_t hsize,
                          char *port, size_t psize)
{
  const char *h, *p;
  size_t hl, pl;
  long v;

  if(hb_hostport_split(s, strlen(s), &h, &hl, &p, &pl) || !hl ||
     hl >= hsize || !p || hb_parse_port(p, pl, 0, &v))
    return -1;
  memcpy(host, h, hl);
  host[hl] = '\0';
  snprintf(port, psize, "%ld", v);
  return 0;
}

static const char *const srv_tls_versions[] = { "1.2", "1.3", "any", NULL };
static const char *const srv_resumes[] = { "off", "on", "id", "ticket",
                                           NULL };

static void srv_parse(int argc, char **argv, srv_opts *o)
{
  static char head[2048], h2note[512], cert_help[512];
  const char *resume = NULL;
  long threads = 1;
  int i, first;
  const hb_opt opts[] = {
    { "listen", 0, HB_OPT_STRING, &o->listen, "HOST:PORT",
      "address to listen on (default 127.0.0.1:0,\nthe port picked by the "
      "kernel; IPv6 as\n[::1]:0)", 0, 0, NULL, NULL, NULL },
    { "threads", 0, HB_OPT_INT, &threads, "N",
      "workers, each with its own epoll set and\nSO_REUSEPORT listener "
      "(default 1)", 1, 256, NULL, NULL, "1..256" },
    { "root", 0, HB_OPT_STRING, &o->root, "DIR",
      "also serve regular files under DIR ('..'\nand anything not a "
      "regular file: 404)", 0, 0, NULL, NULL, NULL },
    { "max-conns", 0, HB_OPT_INT, &o->max_conns, "N",
      "open connections at most; more are\naccepted and closed at once, "
      "and counted\n(default 10000)", 1, 10000000, NULL, NULL,
      "a count >= 1" },
    { "idle-timeout", 0, HB_OPT_SECONDS, &o->idle, "S",
      "close a connection without progress for S\nseconds, or whose "
      "handshake or request head\ntakes longer than that (default 60)", 0,
      86400, NULL, NULL, "a positive number of seconds" },
    { "usage", 0, HB_OPT_FLAG, &o->usage, NULL,
      "at exit, print one JSON line to stdout:\n{\"cpu_ns\",\"cpu_user_s\","
      "\"cpu_sys_s\",\n\"max_rss_bytes\",\"connections\",\"requests\",\n"
      "\"handshakes\",\"handshake_ns\",\"resumed\",\n\"bytes_body\","
      "\"errors\":{...}}", 0, 0, NULL, NULL, NULL },
    { "burn-us", 0, HB_OPT_INT, &o->burn_us, "N",
      "after routing each request, spin until the\nworker thread has used "
      "N more microseconds\nof CPU (0 .. 1000000, default 0): a CPU-bound"
      "\nserver", 0, 1000000, NULL, NULL, "0..1000000 microseconds" },
    { "stall-ms", 0, HB_OPT_INT, &o->stall_ms, "MS",
      "once, when the server (all workers) has\nanswered --stall-after "
      "requests, the worker\nthat gets the next one sleeps MS "
      "milliseconds\nbefore answering it; its event loop stops\n"
      "meanwhile (0 .. 3600000, default 0: never)", 0, 3600000, NULL, NULL,
      "0..3600000 milliseconds" },
    { "stall-after", 0, HB_OPT_INT, &o->stall_after, "N",
      "requests answered before the stall\n(default 100)", 0, 1000000000,
      NULL, NULL, "a count 0..1000000000" },
    { NULL, 0, HB_OPT_TEXT, NULL, NULL, "  --help                   this "
      "text\nHTTP/2 (nghttp2):", 0, 0, NULL, NULL, NULL },
    { "no-h2", 0, HB_OPT_FLAG, &o->no_h2, NULL,
      "HTTP/1.1 only: no h2 in ALPN, no h2c", 0, 0, NULL, NULL, NULL },
    { "h2-max-streams", 0, HB_OPT_INT, &o->h2_streams, "N",
      "SETTINGS_MAX_CONCURRENT_STREAMS (default\n100; more at once are "
      "refused with\nRST_STREAM REFUSED_STREAM)", 1, 1000000, NULL, NULL,
      "1..1000000" },
    { "h2-window", 0, HB_OPT_INT, &o->h2_window, "BYTES",
      "SETTINGS_INITIAL_WINDOW_SIZE and the\nconnection's receive window"
      "\n(65535 .. 2147483647, default 65535)", 65535, 2147483647.0, NULL,
      NULL, "65535..2147483647 bytes" },
    { "h2-max-header-list", 0, HB_OPT_INT, &o->h2_header_list, "BYTES",
      "SETTINGS_MAX_HEADER_LIST_SIZE; a request\nover it gets 431 (1024 .. "
      "1048576, default\n16384)", 1024, 1048576, NULL, NULL,
      "1024..1048576 bytes" },
    { NULL, 0, HB_OPT_TEXT, NULL, NULL, h2note, 0, 0, NULL, NULL, NULL },
    { NULL, 0, HB_OPT_TEXT, NULL, NULL, "TLS (engines with a TLS library; "
      "the plain engine ignores these):", 0, 0, NULL, NULL, NULL },
    { "tls", 0, HB_OPT_ENUM, &o->tls, "1.2|1.3|any",
      "protocol version (default any: 1.2 or\nnewer)", 0, 0,
      srv_tls_versions, NULL, NULL },
    { "cert", 0, HB_OPT_STRING, &o->cert, "FILE",
      "certificate chain, PEM, leaf first (with\n--key)", 0, 0, NULL, NULL,
      NULL },
    { "key", 0, HB_OPT_STRING, &o->key, "FILE", "its private key, PEM", 0,
      0, NULL, NULL, NULL },
    { "cert-type", 0, HB_OPT_CALL, &o->cert_type, "TYPE", cert_help, 0, 0,
      NULL, srv_opt_cert_type, NULL },
    { "cipher", 0, HB_OPT_ENUM, &o->cipher, "AEAD",
      "the only AEAD offered: aes-128-gcm,\naes-256-gcm or "
      "chacha20-poly1305 (default:\nthe library's list)", 0, 0, hb_tls_cipher_names,
      NULL, NULL },
    { "groups", 0, HB_OPT_CALL, &o->groups, "LIST",
      "key-exchange groups, a colon list of\nx25519, p256, p384, p521, "
      "x448,\nffdhe2048..8192 (aliases such as secp256r1,\nprime256v1, "
      "P-256; any case; default: the\nlibrary's)", 0, 0, NULL,
      srv_opt_groups, NULL },
    { "resume", 0, HB_OPT_ENUM, &resume, "on|off|id|ticket",
      "session cache and tickets (default on);\nid: TLS 1.2 session IDs "
      "only; ticket:\ntickets (TLS 1.2 tickets, TLS 1.3 PSK) only", 0, 0,
      srv_resumes, NULL, "on, off, id or ticket" },
    { "rsa-kx", 0, HB_OPT_FLAG, &o->rsa_kx, NULL,
      "TLS 1.2 RSA key transport suites only\n(needs an RSA certificate)",
      0, 0, NULL, NULL, NULL },
    { "client-ca", 0, HB_OPT_STRING, &o->client_ca, "FILE",
      "require a client certificate issued under\nFILE", 0, 0, NULL, NULL,
      NULL },
    { "alpn", 0, HB_OPT_CALL, &o->alpn, "LIST",
      "ALPN protocols accepted, in the server's\norder of preference "
      "(default h2,http/1.1;\nhttp/1.1 with --no-h2); a client offering\n"
      "none gets HTTP/1.1", 0, 0, NULL, srv_opt_alpn, NULL },
    { "alpn-strict", 0, HB_OPT_FLAG, &o->alpn_strict, NULL,
      "refuse (alert no_application_protocol) a\nclient that offers ALPN "
      "with nothing in\ncommon; without it such a client gets\nHTTP/1.1 "
      "(mbedTLS always refuses it)", 0, 0, NULL, NULL, NULL },
    { "early-data", 0, HB_OPT_INT, &o->early_data, "BYTES",
      "accept up to BYTES of TLS 1.3 0-RTT early\ndata on resumption "
      "(needs tickets); the\nrequest in it is answered before the\n"
      "client's Finished where the library allows\n(OpenSSL, BoringSSL); "
      "OpenSSL's anti-replay\nneeds its session cache, so TLS 1.2 clients"
      "\nmay then resume by session ID too", 1, 1048576, NULL, NULL,
      "1..1048576 bytes" },
    { NULL, 0, HB_OPT_END, NULL, NULL, NULL, 0, 0, NULL, NULL, NULL }
  };
  const hb_opts spec = { "server", head, "Request bodies up to 1 MiB are "
                         "read and dropped; larger ones get 413.\n", opts };

  memset(o, 0, sizeof(*o));
  o->listen = "127.0.0.1:0";
  o->max_conns = 10000;
  o->idle = 60;
  o->stall_after = 100;
  o->h2_streams = 100;
  o->h2_window = 65535;
  o->h2_header_list = 16384;
  srv_help_head(head, sizeof(head));
  srv_help_h2(h2note, sizeof(h2note));
  snprintf(cert_help, sizeof(cert_help), "use the suite's own certificate "
           "of TYPE\ninstead (default ecdsa-p256; made in\n"
           "$HTTPSBENCH_CERT_DIR or <engine dir>/certs\non first use):\n%s",
           HB_CERT_TYPES);
  first = hb_opts_parse(&spec, argc, argv);
  if(first < argc)
    hb_usage_fail("server", "unexpected argument '%s'", argv[first]);
  o->threads = (int)threads;
  /* the TLS options: given ones make the plain engine say it ignores
   * them */
  o->tls_given = o->tls || o->cert || o->key || o->cert_type ||
                 o->groups || resume || o->client_ca || o->rsa_kx ||
                 o->early_data || o->cipher || o->alpn || o->alpn_strict;
  if(!o->tls)
    o->tls = "any";
  o->resume = 1;
  for(i = 0; resume && srv_resumes[i]; i++)
    if(!strcmp(resume, srv_resumes[i]))
      o->resume = i; /* srv_resumes is in srv_opts.resume's order */
  if(o->early_data && (o->resume == 0 || o->resume == 2))
    hb_usage_fail("server", "--early-data needs tickets (--resume on or "
                  "ticket)");
  if(o->early_data && !strcmp(o->tls, "1.2"))
    hb_usage_fail("server", "--early-data exists only in TLS 1.3");
  if(!o->cert != !o->key)
    hb_usage_fail("server", "--cert and --key go together");
  if(o->cert && o->cert_type)
    hb_usage_fail("server", "--cert-type and --cert exclude each other");
  if(!o->cert_type)
    o->cert_type = "ecdsa-p256";
  if(!o->alpn)
    o->alpn = o->no_h2 ? "http/1.1" : "h2,http/1.1";
  {
    char host[256], port[16];
    if(srv_split_addr(o->listen, host, sizeof(host), port, sizeof(port)))
      hb_usage_fail("server", "--listen: '%s' is not HOST:PORT (IPv6: "
                    "[ADDR]:PORT)", o->listen);
  }
}

/* n listeners on one address; the first picks the port for the rest. */
/* ca: the suite CA that verifies our certificate, said on the same line
 * (drivers parse the port with sscanf "listening on %*[^:]:%d"), or "" */
static int srv_listeners(const srv_opts *o, const char *ca, int *fds, int n,
                         hb_err *err)
{
  struct addrinfo hints, *ai = NULL;
  struct sockaddr_storage ss;
  socklen_t sl = sizeof(ss);
  char host[256], port[16], text[INET6_ADDRSTRLEN];
  int i, one = 1, rc;

  if(srv_split_addr(o->listen, host, sizeof(host), port, sizeof(port)))
    return hb_err_set(err, HB_ERROR, "--listen: '%s' is not HOST:PORT",
                      o->listen);
  memset(&hints, 0, sizeof(hints));
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  rc = getaddrinfo(host, port, &hints, &ai);
  if(rc)
    return hb_err_set(err, HB_ERROR, "--listen %s: %s", o->listen,
                      gai_strerror(rc));
  for(i = 0; i < n; i++) {
    int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK |
                    SOCK_CLOEXEC, 0);
    if(fd < 0) {
      hb_err_set(err, HB_ERROR, "socket: %s", strerror(errno));
      goto out;
    }
    fds[i] = fd;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    /* accepted sockets inherit it: no setsockopt per connection */
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if(n > 1)
      setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
    if(bind(fd, i ? (struct sockaddr *)&ss : ai->ai_addr,
            i ? sl : ai->ai_addrlen) || listen(fd, SOMAXCONN)) {
      hb_err_set(err, HB_ERROR, "listen on %s: %s", o->listen,
                 strerror(errno));
      goto out;
    }
    if(i == 0 && getsockname(fd, (struct sockaddr *)&ss, &sl)) {
      hb_err_set(err, HB_ERROR, "getsockname: %s", strerror(errno));
      goto out;
    }
  }
  /* n >= 1 (--threads 1..256): getsockname filled ss at i == 0 */
  /* NOLINTNEXTLINE(clang-analyzer-core.UndefinedBinaryOperatorResult) */
  if(ss.ss_family == AF_INET6) {
    struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
    inet_ntop(AF_INET6, &a->sin6_addr, text, sizeof(text));
    printf("listening on [%s]:%u", text, ntohs(a->sin6_port));
  }
  else {
    struct sockaddr_in *a = (struct sockaddr_in *)&ss;
    inet_ntop(AF_INET, &a->sin_addr, text, sizeof(text));
    printf("listening on %s:%u", text, ntohs(a->sin_port));
  }
  if(*ca)
    printf(" (CA certificate for clients: %s)", ca);
  printf("\n");
out:
  freeaddrinfo(ai);
  return i == n ? HB_OK : HB_ERROR;
}

/* ca (size bytes) gets the suite root when the suite's certificate is
 * used, else "". */
static int srv_tls_setup(srv *s, const srv_opts *o, char *ca, size_t size,
                         hb_err *err)
{
  hb_tls_config cfg;
  hb_cert_paths paths;
  const hb_tls_ops *ops = s->ops;

  memset(&cfg, 0, sizeof(cfg));
  cfg.server = 1;
  cfg.min_version = HB_TLS_1_2;
  if(!strcmp(o->tls, "1.2"))
    cfg.max_version = HB_TLS_1_2;
  else if(!strcmp(o->tls, "1.3"))
    cfg.min_version = cfg.max_version = HB_TLS_1_3;
  if(cfg.min_version == HB_TLS_1_3 && !(ops->supports & HB_TLS_SUP_TLS13))
    return hb_err_set(err, HB_UNSUPPORTED, "%s has no TLS 1.3", ops->name);
  if(o->groups && !(ops->supports & HB_TLS_SUP_GROUPS))
    return hb_err_set(err, HB_UNSUPPORTED, "%s cannot select key-exchange"
                      " groups", ops->name);
  if(o->cert) {
    cfg.cert_file = o->cert;
    cfg.key_file = o->key;
  }
  else {
    if(hb_certs_ensure(o->cert_type, &paths, err) != HB_OK)
      return HB_ERROR;
    cfg.cert_file = paths.chain;
    cfg.key_file = paths.key;
    snprintf(ca, size, "%s", paths.root);
  }
  cfg.ca_file = o->client_ca;
  cfg.verify_peer = o->client_ca != NULL;
  cfg.groups = o->groups;
  cfg.cipher = o->cipher;
  cfg.session_cache = o->resume == 1 || o->resume == 2;
  cfg.tickets = o->resume == 1 || o->resume == 3;
  cfg.rsa_kx = o->rsa_kx;
  cfg.max_early_data = (uint32_t)o->early_data;
  if(o->early_data && !(ops->supports & HB_TLS_SUP_EARLY_DATA))
    return hb_err_set(err, HB_UNSUPPORTED, "%s", hb_tls_early_data_gap(ops));
  if(o->rsa_kx && !(ops->supports & HB_TLS_SUP_RSA_KX))
    return hb_err_set(err, HB_UNSUPPORTED, "%s offers no RSA key transport"
                      " suites", ops->name);
  if(ops->supports & HB_TLS_SUP_ALPN) {
    cfg.alpn = o->alpn;
    cfg.alpn_strict = o->alpn_strict;
    if(!o->alpn_strict && !(ops->supports & HB_TLS_SUP_ALPN_FALLBACK))
      fprintf(stderr, "%s: %s refuses a client whose ALPN offer has "
              "nothing in common with '%s' (no fallback to HTTP/1.1 "
              "without ALPN)\n", srv_prog, ops->name, o->alpn);
  }
  else if(!o->no_h2)
    fprintf(stderr, "%s: %s has no ALPN: HTTP/1.1 only over TLS\n",
            srv_prog, ops->name);
  return ops->ctx_new(&cfg, &s->ctx, err);
}

/* The /bytes pattern, in a memfd when possible so plain TCP can
 * sendfile it; mapped for everything else. */
static char *srv_pattern_make(int *fd)
{
  size_t len = 2 * (size_t)SRV_PERIOD;
  int mfd = memfd_create("httpsbench-pattern", MFD_CLOEXEC);
  char *p;

  *fd = -1;
  if(mfd >= 0) {
    if(ftruncate(mfd, (off_t)len) == 0) {
      p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
      if(p != MAP_FAILED) {
        srv_pattern_fill(p);
        *fd = mfd;
        return p;
      }
    }
    close(mfd);
  }
  p = malloc(len);
  if(p)
    srv_pattern_fill(p);
  return p;
}

static void srv_pattern_free(char *p, int fd)
{
  if(fd >= 0) {
    munmap(p, 2 * (size_t)SRV_PERIOD);
    close(fd);
  }
  else
    free(p);
}

/* More descriptors for --max-conns; the hard limit is the ceiling. */
static void srv_raise_nofile(void)
{
  struct rlimit rl;

  if(getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
}

/* One SIGUSR1 snapshot line on stdout. */
static void srv_snapshot(srv *s)
{
  char buf[SRV_STATS_MAX];

  srv_stats_json(s, 1, buf, sizeof(buf));
  printf("%s\n", buf);
  fflush(stdout);
}

static void srv_summary(srv *s, int usage)
{
  char buf[SRV_STATS_MAX];
  uint64_t conns = 0, reqs = 0, errs[SRV_ERR_COUNT];
  int i, e, any = 0;

  memset(errs, 0, sizeof(errs));
  for(i = 0; i < s->nworkers; i++) {
    conns += SRV_GET(s->workers[i].conns);
    reqs += SRV_GET(s->workers[i].requests);
    for(e = 0; e < SRV_ERR_COUNT; e++)
      errs[e] += SRV_GET(s->workers[i].errors[e]);
  }
  fprintf(stderr, "%s: stopped after %llu connections, %llu requests; "
          "errors:", srv_prog, (unsigned long long)conns,
          (unsigned long long)reqs);
  for(e = 0; e < SRV_ERR_COUNT; e++)
    if(errs[e]) {
      fprintf(stderr, " %s %llu", srv_err_names[e],
              (unsigned long long)errs[e]);
      any = 1;
    }
  fprintf(stderr, "%s\n", any ? "" : " none");
  if(usage) {
    srv_stats_json(s, 0, buf, sizeof(buf));
    printf("%s\n", buf);
    fflush(stdout);
  }
}

int hb_server_main(int argc, char **argv)
{
  srv_opts o;
  srv s;
  hb_err err = { "" };
  int *fds = NULL, i, rc = 1;
  sigset_t block, old;
  struct sigaction sa;
  char ca[sizeof(((hb_cert_paths *)0)->root)] = "";

  hb_signals_install();
  /* before anything is printed: SIGUSR1's default would kill us */
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = srv_on_usr1;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigaction(SIGUSR1, &sa, NULL);
  snprintf(srv_prog, sizeof(srv_prog), "httpsbench-%s server",
           hb_linked_backend.name);
  srv_parse(argc, argv, &o);
  memset(&s, 0, sizeof(s));
  s.prog = srv_prog;
  s.rootfd = -1;
  s.stopfd = -1;
  s.patfd = -1;
  s.ops = hb_linked_backend.tls;
  s.plain = s.ops == &hb_plain_tls;
  s.max_conns = o.max_conns;
  s.idle_ns = (uint64_t)(o.idle * 1e9);
  s.linger_ns = s.idle_ns < SRV_LINGER_NS ? s.idle_ns : SRV_LINGER_NS;
  s.burn_ns = (uint64_t)o.burn_us * 1000u;
  s.stall_ns = (uint64_t)o.stall_ms * 1000000u;
  s.stall_after = (uint64_t)o.stall_after;
  {
    hb_alpn_list l;
    int i2;

    s.h2.enabled = 0;
    if(!o.no_h2 && !hb_alpn_parse(o.alpn, &l, &err))
      for(i2 = 0; i2 < l.n; i2++)
        if(!strcmp(l.names[i2], "h2"))
          s.h2.enabled = 1;
  }
  s.h2.h2c = !o.no_h2;
  s.h2.max_streams = (uint32_t)o.h2_streams;
  s.h2.window = (uint32_t)o.h2_window;
  s.h2.max_header_list = (uint32_t)o.h2_header_list;
  if(srv_h2_callbacks(&s.h2.callbacks) || srv_h2_option(&s.h2,
                                                        &s.h2.option)) {
    fprintf(stderr, "%s: out of memory (nghttp2)\n", srv_prog);
    return 1;
  }
  if(!s.ops) {
    fprintf(stderr, "%s: the %s backend has no TLS connection table yet; "
            "no server\n", srv_prog, hb_linked_backend.name);
    return 1;
  }
  if(s.plain && o.tls_given)
    fprintf(stderr, "%s: plain TCP: TLS options ignored\n", srv_prog);
  if(o.root) {
    s.rootfd = open(o.root, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if(s.rootfd < 0)
      hb_usage_fail("server", "--root: %s: %s", o.root, strerror(errno));
  }
  srv_raise_nofile();

  s.pattern = srv_pattern_make(&s.patfd);
  s.workers = calloc((size_t)o.threads, sizeof(*s.workers));
  fds = malloc((size_t)o.threads * sizeof(*fds));
  for(i = 0; fds && i < o.threads; i++) /* `out:` closes them */
    fds[i] = -1;
  if(!s.pattern || !s.workers || !fds) {
    fprintf(stderr, "%s: out of memory\n", srv_prog);
    goto out;
  }
  for(i = 0; i < o.threads; i++) {
    s.workers[i].ep = s.workers[i].lfd = -1;
  }
  if(s.plain) {
    hb_tls_config cfg;

    memset(&cfg, 0, sizeof(cfg));
    cfg.server = 1;
    if(s.ops->ctx_new(&cfg, &s.ctx, &err) != HB_OK) {
      fprintf(stderr, "%s: %s\n", srv_prog, err.msg);
      goto out;
    }
  }
  else {
    int trc = srv_tls_setup(&s, &o, ca, sizeof(ca), &err);
    if(trc != HB_OK) {
      fprintf(stderr, "%s: TLS setup: %s\n", srv_prog, err.msg);
      /* drivers read stdout: tell them why there is no "listening" */
      printf("%s: %s\n", trc == HB_UNSUPPORTED ? "unsupported" : "error",
             err.msg);
      fflush(stdout);
      goto out;
    }
  }
  s.stopfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if(s.stopfd < 0) {
    fprintf(stderr, "%s: eventfd: %s\n", srv_prog, strerror(errno));
    goto out;
  }
  if(srv_listeners(&o, ca, fds, o.threads, &err) != HB_OK) {
    fprintf(stderr, "%s: %s\n", srv_prog, err.msg);
    goto out;
  }
  for(i = 0; i < o.threads; i++) {
    int bad;

    s.nworkers = i + 1;
    bad = srv_worker_init(&s, &s.workers[i], i, fds[i]);
    fds[i] = -1;  /* the worker owns it now */
    if(bad) {
      fprintf(stderr, "%s: epoll: %s\n", srv_prog, strerror(errno));
      goto out;
    }
  }
  fflush(stdout);

  /* workers never see SIGINT/SIGTERM/SIGUSR1: the main thread waits for
   * them, and takes them only inside sigsuspend */
  sigemptyset(&block);
  sigaddset(&block, SIGINT);
  sigaddset(&block, SIGTERM);
  sigaddset(&block, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &block, &old);
  for(i = 0; i < s.nworkers; i++) {
    if(pthread_create(&s.workers[i].thread, NULL, srv_worker_run,
                      &s.workers[i])) {
      fprintf(stderr, "%s: cannot start worker %d\n", srv_prog, i);
      atomic_store(&s.failed, 1);
      break;
    }
    s.workers[i].started = 1;
  }
  sigdelset(&old, SIGINT);
  sigdelset(&old, SIGTERM);
  sigdelset(&old, SIGUSR1);
  for(;;) {
    /* a snapshot reads the workers' atomics only: they never wait */
    if(srv_snap_wanted) {
      srv_snap_wanted = 0;
      srv_snapshot(&s);
    }
    if(hb_interrupted() || atomic_load(&s.failed))
      break;
    sigsuspend(&old);
  }
  pthread_sigmask(SIG_SETMASK, &old, NULL);

  {
    uint64_t one = 1;
    if(write(s.stopfd, &one, sizeof(one)) < 0)
      perror("eventfd");
  }
  for(i = 0; i < s.nworkers; i++)
    if(s.workers[i].started)
      pthread_join(s.workers[i].thread, NULL);
  if(srv_snap_wanted)  /* came with the stop: still one line for it */
    srv_snapshot(&s);
  for(i = 0; i < s.nworkers; i++)
    srv_worker_free(&s.workers[i]);
  srv_summary(&s, o.usage);
  rc = atomic_load(&s.failed) ? 1 : 0;

out:
  if(s.workers)
    for(i = 0; i < s.nworkers; i++)
      srv_worker_free(&s.workers[i]);
  if(fds)
    for(i = 0; i < o.threads; i++)
      if(fds[i] >= 0)
        close(fds[i]);
  if(s.ctx)
    s.ops->ctx_free(s.ctx);
  if(s.stopfd >= 0)
    close(s.stopfd);
  if(s.rootfd >= 0)
    close(s.rootfd);
  free(fds);
  free(s.workers);
  nghttp2_session_callbacks_del(s.h2.callbacks);
  nghttp2_option_del(s.h2.option);
  if(s.pattern)
    srv_pattern_free(s.pattern, s.patfd);
  return rc;
}
