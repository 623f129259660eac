/* httpsbench handshake: what setting up an HTTPS connection costs, phase by
 * phase (set-up, TCP connect, TLS handshake, first request, close), for each
 * version x resumption x certificate x group, per library - next to the
 * crypto floor: the public-key operations the handshake cannot avoid.
 *
 * Per case the server engine (--server-backend) starts pinned to one CPU,
 * the client engine's `handshake` runs pinned to the other; in capacity
 * mode the load engine opens a new connection per request instead. */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frontend.h"
#include "hb/backend.h"
#include "hb/certs.h"
#include "hb/cli.h"
#include "hb/opts.h"
#include "argvec.h"
#include "engine_run.h"
#include "link_fe.h"
#include "remote.h"
#include "hb/report.h"
#include "results.h"
#include "hb/sig.h"
#include "hb/tls_groups.h"
#include "hb/tls_layer.h"

typedef struct hs_case {
  char label[96];
  const char *tls;       /* "1.2", "1.3" or NULL for TCP only */
  const char *cert_type;
  const char *group;     /* the server's (the one achieved) */
  const char *client_groups; /* the client's offer when it differs
                              * (a colon list, its first group gets the
                              * key share), else NULL: group */
  int hrr;               /* the client's key share is not the server's
                          * group: a HelloRetryRequest is the protocol */
  const char *resume;    /* none, id, ticket */
  int rsa_kx;
  int early;             /* TLS 1.3 0-RTT early data */
  const char *alpn;      /* --alpn offered by the client, or NULL */
  double sweep_v;        /* a sweep's point (RTT ms, loss %), else -1 */
  char base[96];         /* the label without the sweep point */
} hs_case;

#define HS_SWEEP_MAX 16

typedef struct hs_args {
  const char *backends[HB_BACKEND_MAX];
  int nbackends;
  const char *server_backend, *connect, *json, *cacert, *crypto_json;
  const char *path;      /* the request of every connection */
  hs_case one;
  int matrix, insecure, trace, quiet, mtls;
  long n, conns, reps;
  long nap;              /* --nap: capacity mode's load --nap US, or 0 */
  double seconds;
  double gap_ms;         /* --gap: idle before each connection, or 0 */
  int server_cpu, client_cpu;
  double sweep[HS_SWEEP_MAX]; /* --rtt-sweep (ms) / --loss-sweep (%) */
  int nsweep;
  const char *sweep_kind;     /* "rtt", "loss", or NULL */
  const char *cases;     /* --cases: the matrix's cases to run, or NULL */
  const char *alpn;      /* --alpn: what the client offers, or NULL */
  rm_roles rm;           /* over hosts (remote_hs.c), else all NULL */
} hs_args;

static void case_label(hs_case *c)
{
  c->sweep_v = -1;
  if(!c->tls)
    snprintf(c->label, sizeof(c->label), "tcp");
  else
    snprintf(c->label, sizeof(c->label), "tls%s-%s-%s-%s%s%s", c->tls,
             !strcmp(c->resume, "none") ? "full" : c->resume, c->cert_type,
             c->group, c->rsa_kx ? "-rsakx" : "", c->early ? "-0rtt" : "");
  if(c->tls && c->hrr) {
    size_t l = strlen(c->label);
    snprintf(c->label + l, sizeof(c->label) - l, "-hrr");
  }
  memcpy(c->base, c->label, sizeof(c->base));
}

/* --rtt-sweep LIST (ms, 0..60000) or --loss-sweep LIST (%, 0..100): at
 * most HS_SWEEP_MAX points, ascending and distinct (a figure's x axis);
 * one sweep per run */
static int parse_sweep(const char *kind, double max, const char *v,
                       hs_args *a, char *why, size_t size)
{
  const char *p = v;

  if(a->sweep_kind && strcmp(a->sweep_kind, kind)) {
    snprintf(why, size, "one sweep per run (--%s-sweep was given)",
             a->sweep_kind);
    return -1;
  }
  a->sweep_kind = kind;
  a->nsweep = 0;
  while(*p) {
    char *e;
    double r = strtod(p, &e);
    if(e == p || (*e && *e != ',') || !isfinite(r) || r < 0 ||
       r > max || a->nsweep == HS_SWEEP_MAX ||
       (a->nsweep && r <= a->sweep[a->nsweep - 1])) {
      snprintf(why, size, "'%s' is not an ascending list of %s "
               "(0..%g, at most %d)", v, !strcmp(kind, "rtt") ? "RTTs in ms"
               : "loss percentages", max, HS_SWEEP_MAX);
      return -1;
    }
    a->sweep[a->nsweep++] = r;
    p = *e ? e + 1 : e;
    if(*e && !*p) {
      snprintf(why, size, "'%s' ends in a comma", v);
      return -1;
    }
  }
  if(!a->nsweep) {
    snprintf(why, size, "no point given");
    return -1;
  }
  return 0;
}

static int opt_rtt_sweep(const char *v, void *dest, char *why, size_t size)
{
  return parse_sweep("rtt", 60000, v, dest, why, size);
}

static int opt_loss_sweep(const char *v, void *dest, char *why, size_t size)
{
  return parse_sweep("loss", 100, v, dest, why, size);
}

static int opt_server_backend(const char *v, void *dest, char *why,
                              size_t size)
{
  const char *sel[1];

  (void)why;
  (void)size;
  hb_select_backends("handshake", v, 0, sel, 1); /* exits when bad */
  *(const char **)dest = sel[0];
  return 0;
}

static int opt_path(const char *v, void *dest, char *why, size_t size)
{
  if(v[0] != '/' || strpbrk(v, " \r\n\t") || strlen(v) > 200) {
    snprintf(why, size, "'%s' is not an absolute path without spaces "
             "(200 bytes at most)", v);
    return -1;
  }
  *(const char **)dest = v;
  return 0;
}

static int opt_alpn(const char *v, void *dest, char *why, size_t size)
{
  hb_alpn_list l;
  hb_err e = { "" };

  if(hb_alpn_parse(v, &l, &e) || !l.n) {
    snprintf(why, size, "%s", e.msg[0] ? e.msg : "empty list");
    return -1;
  }
  *(const char **)dest = v;
  return 0;
}

/* --alpn on the cases (after --cases chose them by their plain labels):
 * the label says what was offered, -h2 (-h2c over TCP: prior knowledge)
 * when h2 comes first, -http1.1 when http/1.1 does, else -alpn. The 0-RTT
 * case keeps HTTP/1.1 (its early data is an HTTP/1.1 request). */
static void apply_alpn(hs_case *c, int n, const char *alpn)
{
  size_t first = alpn ? strcspn(alpn, ",") : 0;
  int i, h2 = first == 2 && !strncmp(alpn, "h2", 2);
  int h11 = first == 8 && !strncmp(alpn, "http/1.1", 8);

  for(i = 0; alpn && i < n; i++) {
    size_t l = strlen(c[i].label);
    if(c[i].early || (!c[i].tls && !h2))
      continue;
    c[i].alpn = alpn;
    snprintf(c[i].label + l, sizeof(c[i].label) - l, "%s", !c[i].tls
             ? "-h2c" : h2 ? "-h2" : h11 ? "-http1.1" : "-alpn");
    memcpy(c[i].base, c[i].label, sizeof(c[i].base));
  }
}

static int opt_tls(const char *v, void *dest, char *why, size_t size)
{
  hs_args *a = dest;

  if(!strcmp(v, "tcp"))
    a->one.tls = NULL;
  else if(!strcmp(v, "1.2") || !strcmp(v, "1.3"))
    a->one.tls = v;
  else {
    snprintf(why, size, "'%s' is not 1.2, 1.3 or tcp", v);
    return -1;
  }
  a->matrix = 0;
  return 0;
}

/* --group: any spelling the group table knows; the crypto model (the
 * exchange and KEM cases) covers x25519, p256, p384 and the 768-bit
 * hybrids (dest: the table's name) */
static int opt_group(const char *v, void *dest, char *why, size_t size)
{
  static const char *const ok[] = { "x25519", "p256", "p384",
    "x25519mlkem768", "p256mlkem768", "x25519kyber768", "p256kyber768",
    "p384kyber768", NULL };
  const hb_group *g = hb_group_find(v, strlen(v));
  int i;

  for(i = 0; g && ok[i]; i++)
    if(!strcmp(g->name, ok[i])) {
      *(const char **)dest = g->name;
      return 0;
    }
  snprintf(why, size, "'%s' is not x25519, p256, p384, x25519mlkem768, "
           "p256mlkem768, x25519kyber768, p256kyber768 or p384kyber768", v);
  return -1;
}

/* --client-groups: the client's offer, a colon list of the table's
 * names (its first group gets the key share); dest: a canonical list */
static int opt_client_groups(const char *v, void *dest, char *why,
                             size_t size)
{
  static char names[HB_GROUPS_MAX * 24];
  const hb_group *g[HB_GROUPS_MAX];
  hb_err err = { "" };
  size_t n, k, used = 0;

  if(hb_groups_parse(v, g, HB_GROUPS_MAX, &n, &err) != HB_OK) {
    snprintf(why, size, "%s", err.msg);
    return -1;
  }
  for(k = 0; k < n; k++)
    used += (size_t)snprintf(names + used, sizeof(names) - used, "%s%s",
                             k ? ":" : "", g[k]->name);
  *(const char **)dest = names;
  return 0;
}

/* 1 when a TLS 1.3 client offering list (its first group gets the key
 * share) meets a server of group: the server must ask again (HRR). */
static int hrr_expected(const char *tls, const char *list, const char *group)
{
  size_t n;

  if(!tls || strcmp(tls, "1.3") || !list)
    return 0;
  n = strcspn(list, ":");
  return strlen(group) != n || strncmp(list, group, n);
}

static int opt_cert_type(const char *v, void *dest, char *why, size_t size)
{
  if(!hb_cert_type_valid(v)) {
    snprintf(why, size, "unknown type '%s' (known: %s)", v, HB_CERT_TYPES);
    return -1;
  }
  *(const char **)dest = v;
  return 0;
}

static void parse(int argc, char **argv, hs_args *a)
{
  static const char *const resumes[] = { "none", "id", "ticket", NULL };
  const char *backend = "all", *hosts = NULL;
  const hb_opt opts[] = {
    { "backend", 0, HB_OPT_STRING, &backend, "LIST|all",
      "client backend(s) (default all built)", 0, 0, NULL, NULL, NULL },
    { "server-backend", 0, HB_OPT_CALL, &a->server_backend, "NAME",
      "server backend (default: the client's)", 0, 0, NULL,
      opt_server_backend, NULL },
    { "connect", 0, HB_OPT_STRING, &a->connect, "HOST:PORT",
      "measure that server instead of ours", 0, 0, NULL, NULL, NULL },
    { "path", 0, HB_OPT_CALL, &a->path, "PATH",
      "the request each connection makes\n(default /bytes/0, which only "
      "our server\nknows; e.g. / for another server)", 0, 0, NULL,
      opt_path, NULL },
    { "tls", 0, HB_OPT_CALL, a, "1.2|1.3|tcp",
      "one case instead of the matrix", 0, 0, NULL, opt_tls, NULL },
    { "cert-type", 0, HB_OPT_CALL, &a->one.cert_type, "TYPE",
      HB_CERT_TYPES "\n(default ecdsa-p256)", 0, 0, NULL, opt_cert_type,
      NULL },
    { "group", 0, HB_OPT_CALL, &a->one.group, "GROUP",
      "key exchange: x25519 (default), p256, p384, or a hybrid:\n"
      "x25519mlkem768, p256mlkem768, x25519kyber768, p256kyber768,\n"
      "p384kyber768", 0, 0,
      NULL, opt_group, NULL },
    { "client-groups", 0, HB_OPT_CALL, &a->one.client_groups, "G[:G...]",
      "the client's offer when it differs from\n--group (the server's): "
      "its first group\ngets the key share, so x25519:p256 with\n--group "
      "p256 is a HelloRetryRequest case\n(TLS 1.3: one round trip more)",
      0, 0, NULL, opt_client_groups, NULL },
    { "resume", 0, HB_OPT_ENUM, &a->one.resume, "none|id|ticket",
      "(default none)", 0, 0, resumes, NULL, NULL },
    { "rsa-kx", 0, HB_OPT_FLAG, &a->one.rsa_kx, NULL,
      "TLS 1.2 RSA key transport", 0, 0, NULL, NULL, NULL },
    { "early-data", 0, HB_OPT_FLAG, &a->one.early, NULL,
      "TLS 1.3 0-RTT: with --resume ticket, the\nrequest rides in the "
      "ClientHello (latency\nmode only, also in the matrix; the\nserver "
      "accepts 16 KiB)", 0, 0, NULL, NULL, NULL },
    { "alpn", 0, HB_OPT_CALL, &a->alpn, "LIST",
      "ALPN the client offers, in order (h2,http/1.1;\nlatency mode): "
      "the first request is HTTP/2\nwhen the server selects h2, and the "
      "report\nsays what was agreed (achieved.alpn,\nachieved.protocol); "
      "with h2 first the TCP\nbaseline's request is h2c; labels end "
      "-h2,\n-h2c, -http1.1 or -alpn", 0, 0, NULL, opt_alpn, NULL },
    { "mtls", 0, HB_OPT_FLAG, &a->mtls, NULL,
      "mutual TLS (client certificate)", 0, 0, NULL, NULL, NULL },
    { NULL, 'n', HB_OPT_INT, &a->n, "COUNT",
      "connections in latency mode (default 200)", 1, 10000000, NULL,
      NULL, "a count >= 1" },
    { NULL, 'c', HB_OPT_INT, &a->conns, "N",
      "capacity mode (with -d): handshakes/s with\nN concurrent "
      "connections", 1, 100000, NULL, NULL, "a count >= 1" },
    { NULL, 'd', HB_OPT_SECONDS, &a->seconds, "SECONDS",
      "capacity mode: the duration of each run", 0, 3600, NULL, NULL,
      "a duration" },
    { "nap", 0, HB_OPT_INT, &a->nap, "US",
      "capacity mode: the client sleeps US\nmicroseconds on a timer when "
      "no socket is\nready (load --nap), not in epoll, so the\nserver "
      "never pays for waking it (0..1000,\ndefault 0)", 0, 1000, NULL, NULL,
      "a number of microseconds (0..1000)" },
    { "gap", 0, HB_OPT_DOUBLE, &a->gap_ms, "MS",
      "latency mode: idle time before each\nconnection, outside every "
      "phase, so that\nloopback connections are as spaced (and\ncaches "
      "as cold) as over a link (0: none)", 0, 60000, NULL,
      NULL, NULL },
    { "repetitions", 0, HB_OPT_INT, &a->reps, "N",
      "capacity runs per case (default 3)", 1, 100, NULL, NULL, "1..100" },
    { "cacert", 0, HB_OPT_STRING, &a->cacert, "FILE",
      "trust anchor (default: the suite's root)", 0, 0, NULL, NULL, NULL },
    { "insecure", 0, HB_OPT_FLAG, &a->insecure, NULL,
      "no certificate verification", 0, 0, NULL, NULL, NULL },
    { "crypto", 0, HB_OPT_STRING, &a->crypto_json, "FILE",
      "crypto report for the floor (default: a\nshort crypto run of the "
      "needed operations)", 0, 0, NULL, NULL, NULL },
    { "trace", 0, HB_OPT_FLAG, &a->trace, NULL,
      "print the traced handshake", 0, 0, NULL, NULL, NULL },
    { "json", 0, HB_OPT_STRING, &a->json, "FILE", "write the report", 0, 0,
      NULL, NULL, NULL },
    { "server-cpu", 0, HB_OPT_CALL, &a->server_cpu, "N",
      "CPU of the server (default 0)", 0, 0, NULL, hb_opt_cpu, NULL },
    { "client-cpu", 0, HB_OPT_CALL, &a->client_cpu, "N",
      "CPU of the client (default 1)", 0, 0, NULL, hb_opt_cpu, NULL },
    { "quiet", 0, HB_OPT_FLAG, &a->quiet, NULL, "no progress on stderr", 0,
      0, NULL, NULL, NULL },
    HB_FE_LINK_OPTS,
    { "cases", 0, HB_OPT_STRING, &a->cases, "LIST",
      "only these cases of the default matrix, by\nlabel (tcp, "
      "tls1.3-full-ecdsa-p256-x25519,\n...; a wrong one lists them)", 0, 0,
      NULL, NULL, NULL },
    RM_OPTS(&hosts, &a->rm),
    { "rtt-sweep", 0, HB_OPT_CALL, a, "LIST",
      "every case at each RTT of LIST (ms, e.g.\n0,10,25,50,100,200), one "
      "emulated link per\npoint (other link options apply to each): time\n"
      "to first byte against RTT in one report", 0, 0, NULL, opt_rtt_sweep,
      NULL },
    { "loss-sweep", 0, HB_OPT_CALL, a, "LIST",
      "every case at each loss % of LIST (e.g.\n0,1,2,5,10; with --rtt or "
      "--link): percentiles\nof the time to first byte against loss, where"
      "\nretransmission timeouts show as tails", 0, 0, NULL,
      opt_loss_sweep, NULL },
    { NULL, 0, HB_OPT_END, NULL, NULL, NULL, 0, 0, NULL, NULL, NULL }
  };
  const hb_opts spec = { "handshake",
    "usage: httpsbench handshake [options]\n"
    "\n"
    "TCP connect vs TLS 1.2 vs TLS 1.3, full vs resumed, per certificate\n"
    "and key-exchange group, each phase timed apart, with the message\n"
    "sequence of one handshake and the crypto floor beside the measured\n"
    "CPU. Without --tls, runs the default matrix (TCP only; TLS 1.2 and\n"
    "1.3 full with ecdsa-p256 and rsa-2048 over x25519; TLS 1.2 ticket\n"
    "and TLS 1.3 PSK resumption, TLS 1.3 PSK with the request as\n"
    "0-RTT early data, and TLS 1.3 full over the hybrids x25519mlkem768,\n"
    "x25519kyber768 and p384kyber768; two HelloRetryRequest cases: an\n"
    "x25519 key share to a P-256-only server, and x25519mlkem768 first\n"
    "to an x25519-only one) for every backend.\n"
    "\n"
    "Over hosts (--hosts FILE, or --server-host with --client-hosts):\n"
    "the server engine on its host, the handshake engine on every client\n"
    "host at once over ssh, every phase merged from the union of their\n"
    "samples; capacity mode (-c, -d) with one start per run, handshakes/s\n"
    "the sum of the hosts' rates; a host that fails is named and the\n"
    "rest kept (partial, exit 1). The clients verify the server against\n"
    "the root at the same path on every host (its certificate must name\n"
    "the address they dial: scripts/gen-certs --san) unless --insecure.\n"
    "\n", NULL, opts };
  hb_err err = { "" };
  int first, i, n;

  memset(a, 0, sizeof(*a));
  a->n = 200;
  a->reps = 3;
  a->client_cpu = 1;
  a->matrix = 1;
  a->one.cert_type = "ecdsa-p256";
  a->one.group = "x25519";
  a->one.resume = "none";
  a->path = "/bytes/0";
  first = hb_opts_parse(&spec, argc, argv);
  if(first < argc)
    hb_usage_fail("handshake", "unexpected argument '%s'", argv[first]);
  hb_fe_link_after_parse("handshake");
  rm_opts_check("handshake", hosts, &a->rm);
  if(a->rm.server_host &&
     (a->connect || hb_fe_link_wanted() || a->nsweep))
    hb_usage_fail("handshake", "over hosts: not with %s (the network is "
                  "real and the server ours)", a->connect ? "--connect"
                  : a->nsweep ? "a sweep" : "an emulated link");
  if(a->cases && !a->matrix)
    hb_usage_fail("handshake", "--cases selects from the default matrix: "
                  "not with --tls");
  if(a->nsweep && hb_fe_link_given(!strcmp(a->sweep_kind, "rtt")
                                    ? HB_LINK_GIVEN_RTT
                                    : HB_LINK_GIVEN_LOSS |
                                      HB_LINK_GIVEN_BURST))
    hb_usage_fail("handshake", "--%s-sweep and --%s contradict",
                  a->sweep_kind, a->sweep_kind);
  if(a->nsweep && a->connect)
    hb_usage_fail("handshake", "--connect and a sweep contradict (the "
                  "link joins our own server and client)");
  if(a->connect && hb_fe_link_wanted())
    hb_usage_fail("handshake", "--connect and a link option contradict "
                  "(the link joins our own server and client)");
  if((a->conns > 0) != (a->seconds > 0))
    hb_usage_fail("handshake", "capacity mode needs both -c and -d");
  if(a->cacert && a->insecure)
    hb_usage_fail("handshake", "--cacert and --insecure contradict");
  if(a->nap && !a->conns)
    hb_usage_fail("handshake", "--nap is for capacity mode (-c, -d)");
  if(a->gap_ms > 0 && a->conns)
    hb_usage_fail("handshake", "--gap is for latency mode (-n), not -c");
  if(a->one.client_groups && !a->one.tls)
    hb_usage_fail("handshake", "--client-groups needs --tls 1.2|1.3 (the "
                  "matrix has its HelloRetryRequest cases)");
  if(a->one.rsa_kx && a->one.tls && strcmp(a->one.tls, "1.2"))
    hb_usage_fail("handshake", "--rsa-kx exists only in TLS 1.2");
  if(a->one.early && (!a->one.tls || strcmp(a->one.tls, "1.3") ||
                      strcmp(a->one.resume, "ticket")))
    hb_usage_fail("handshake", "--early-data needs --tls 1.3 and --resume "
                  "ticket");
  if(a->alpn && a->conns)
    hb_usage_fail("handshake", "--alpn is measured in latency mode only "
                  "(not with -c/-d)");
  if(a->alpn && a->one.early && strstr(a->alpn, "h2"))
    hb_usage_fail("handshake", "--early-data sends an HTTP/1.1 request: "
                  "not with h2 in --alpn");
  if(a->one.early && a->conns)
    hb_usage_fail("handshake", "--early-data is measured in latency mode "
                  "only (not with -c/-d)");
  if(a->connect) {
    const char *host, *port;
    size_t hlen, plen;
    long p;
    if(hb_hostport_split(a->connect, strlen(a->connect), &host, &hlen,
                         &port, &plen) || !hlen || !port ||
       hb_parse_port(port, plen, 1, &p))
      hb_usage_fail("handshake", "--connect: '%s' is not HOST:PORT",
                    a->connect);
  }
  a->one.hrr = hrr_expected(a->one.tls, a->one.client_groups,
                            a->one.group);
  n = hb_select_backends("handshake", backend, 0, a->backends,
                         HB_BACKEND_MAX);
  /* plain has no TLS: only the TCP baseline runs on it */
  for(i = 0; i < n; i++)
    if(!strcmp(a->backends[i], "plain")) {
      memmove(&a->backends[i], &a->backends[i + 1],
              (size_t)(n - i - 1) * sizeof(a->backends[0]));
      n--;
      i--;
    }
  a->nbackends = n;
  if(n == 0 && (a->matrix || a->one.tls))
    hb_usage_fail("handshake", "--backend: no TLS backend selected");
  if(a->json && hb_report_check_path(a->json, &err) != HB_OK)
    hb_usage_fail("handshake", "--json: %s", err.msg);
  case_label(&a->one);
}

/* The default matrix (issue: kept short, every backend), after the TCP
 * baseline; each row says all of its case. */
static const struct hs_row {
  const char *tls, *cert, *resume;
  int early;
  const char *group;     /* the server's; NULL: x25519 */
  const char *client;    /* the client's offer; NULL: the same */
} matrix[] = {
  { "1.2", "ecdsa-p256", "none", 0, NULL, NULL },
  { "1.3", "ecdsa-p256", "none", 0, NULL, NULL },
  { "1.2", "rsa-2048", "none", 0, NULL, NULL },
  { "1.3", "rsa-2048", "none", 0, NULL, NULL },
  { "1.2", "ecdsa-p256", "ticket", 0, NULL, NULL },
  { "1.3", "ecdsa-p256", "ticket", 0, NULL, NULL },
  { "1.3", "ecdsa-p256", "ticket", 1, NULL, NULL },
  /* post-quantum hybrids, where a library has them (the rest say
   * unsupported): FIPS 203 ML-KEM (OpenSSL 3.5), the Kyber draft
   * (BoringSSL 14); the trace has their ClientHello and flight sizes */
  { "1.3", "ecdsa-p256", "none", 0, "x25519mlkem768", NULL },
  { "1.3", "ecdsa-p256", "none", 0, "x25519kyber768", NULL },
  { "1.3", "ecdsa-p256", "none", 0, "p384kyber768", NULL }, /* wolfSSL */
  /* HelloRetryRequest (one round trip more): the client's key share is
   * x25519 while the server takes P-256 only; and a hybrid client
   * (ML-KEM share first) falling back to a classical-only server. A
   * client that sends shares for more than its first group (GnuTLS: one
   * per kind) makes no HRR: the trace says so and the count follows it */
  { "1.3", "ecdsa-p256", "none", 0, "p256", "x25519:p256" },
  { "1.3", "ecdsa-p256", "none", 0, "x25519", "x25519mlkem768:x25519" },
};
#define HS_MATRIX (sizeof(matrix) / sizeof(matrix[0]))

/* 1 when label is an item of the comma-separated list (NULL: all). */
static int listed(const char *list, const char *label)
{
  size_t n = strlen(label);
  const char *p = list;

  if(!list)
    return 1;
  for(; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
    if(!strncmp(p, label, n) && (p[n] == ',' || !p[n]))
      return 1;
  return 0;
}

/* The TCP baseline and the matrix, those --cases names (every item must
 * name one: a usage error otherwise, listing them). */
static int matrix_cases(hs_case *out, const char *only)
{
  hs_case all[1 + HS_MATRIX];
  char known[1024] = "";
  const char *p;
  size_t i;
  int n = 0;

  memset(all, 0, sizeof(all));
  case_label(&all[0]);
  for(i = 0; i < HS_MATRIX; i++) {
    hs_case *c = &all[i + 1];
    c->tls = matrix[i].tls;
    c->cert_type = matrix[i].cert;
    c->group = matrix[i].group ? matrix[i].group : "x25519";
    c->resume = matrix[i].resume;
    c->early = matrix[i].early;
    c->client_groups = matrix[i].client;
    c->hrr = hrr_expected(c->tls, c->client_groups, c->group);
    case_label(c);
  }
  for(i = 0; i < 1 + HS_MATRIX; i++) {
    size_t l = strlen(known);
    snprintf(known + l, sizeof(known) - l, "%s%s", l ? ", " : "",
             all[i].label);
    if(listed(only, all[i].label))
      out[n++] = all[i];
  }
  for(p = only; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL) {
    size_t len = strcspn(p, ",");
    for(i = 0; i < 1 + HS_MATRIX; i++)
      if(strlen(all[i].label) == len && !strncmp(all[i].label, p, len))
        break;
    if(i == 1 + HS_MATRIX)
      hb_usage_fail("handshake", "--cases: '%.*s' is not a case of the "
                    "matrix (%s)", (int)len, p, known);
  }
  return n;
}

static int server_start(const hs_args *a, const char *backend,
                        const hs_case *c, const hb_cert_paths *certs,
                        hb_server *s, hb_err *err)
{
  hb_argv args = HB_ARGV_INIT;
  int rc;

  if(c->tls && a->rm.server_host) {
    /* over hosts: our set's files, at the same path on the server host
     * (its engine would otherwise make or find a set of its own, which
     * the clients' trust anchor need not sign) */
    hb_argv_opt(&args, "--cert", certs->chain);
    hb_argv_opt(&args, "--key", certs->key);
  }
  else if(c->tls)
    hb_argv_opt(&args, "--cert-type", c->cert_type);
  if(c->tls) {
    hb_argv_opt(&args, "--tls", c->tls);
    hb_argv_opt(&args, "--groups", c->group);
    hb_argv_opt(&args, "--resume", !strcmp(c->resume, "none") ? "off"
                : c->resume);
    if(c->rsa_kx)
      hb_argv_add(&args, "--rsa-kx");
    if(c->early)
      hb_argv_opt(&args, "--early-data", "16384");
    if(a->mtls)
      hb_argv_opt(&args, "--client-ca", certs->root);
  }
  hb_fe_link_side = HB_FE_SIDE_SERVER;
  rc = a->rm.server_host ? rm_server_start(&a->rm, backend, a->server_cpu,
                                           &args, s, err)
                         : hb_server_start(backend, &args, a->server_cpu, s,
                                           err);
  hb_fe_link_side = HB_FE_SIDE_NONE;
  hb_argv_free(&args);
  return rc;
}

/* The connections a handshake engine made in all, by its own report
 * (warm-up, measured and traced); NaN when it did not say. */
static double engine_connections(json_t *r)
{
  json_t *e = json_object_get(r, "engine_connections");
  double n = 0;
  const char *k[] = { "warmup", "measured", "traced" };
  size_t i;

  for(i = 0; i < 3; i++) {
    json_t *v = json_object_get(e, k[i]);
    if(!json_is_integer(v))
      return NAN;
    n += (double)json_integer_value(v);
  }
  return n;
}

/* The server's CPU (us) per handshake between two snapshots, over what
 * it counted between them: handshakes (TLS) or connections (TCP, where
 * it counts no handshakes); NaN when none. */
static double srv_cpu_per_hs(const hs_case *c, const hb_srv_snap *s0,
                             const hb_srv_snap *s1)
{
  double n = c->tls ? s1->handshakes - s0->handshakes
                    : s1->connections - s0->connections;

  return n > 0 ? (s1->cpu_ns - s0->cpu_ns) / 1e3 / n : NAN;
}

/* HOST:PORT the clients dial: --connect's, the server host's address
 * over hosts, else ours (or the link's). */
static void server_target(const hs_args *a, const hb_server *s, char *buf,
                          size_t size)
{
  snprintf(buf, size, "%s", a->connect ? a->connect : "");
  if(a->rm.server_host) {
    char addr[256];
    rm_addr(&a->rm, addr, sizeof(addr));
    snprintf(buf, size, strchr(addr, ':') ? "[%s]:%d" : "%s:%d", addr,
             s->port);
  }
  else if(!a->connect)
    snprintf(buf, size, "%s:%d", hb_fe_link_host(), s->port);
}

/* The client's verification and mutual TLS (latency and capacity mode,
 * local or over hosts, where the paths are the same on every host):
 * --insecure, or --cacert (given, else the suite's root); with --mtls
 * the suite's client certificate and key, which the server's
 * --client-ca (the same root) verifies. */
static void client_tls_args(hb_argv *av, const hs_args *a,
                            const hb_cert_paths *certs)
{
  if(a->insecure)
    hb_argv_add(av, "--insecure");
  else
    hb_argv_opt(av, "--cacert", a->cacert ? a->cacert : certs->root);
  if(a->mtls) {
    hb_argv_opt(av, "--client-cert", certs->client_chain);
    hb_argv_opt(av, "--client-key", certs->client_key);
  }
}

/* Latency mode: the client engine's `handshake`, one connection at a
 * time; server CPU per connection from its snapshots around it. */
static int run_latency(const hs_args *a, const char *cb, const hs_case *c,
                       const hb_server *s, const hb_cert_paths *certs,
                       const char *tmp, json_t *report, hb_err *err)
{
  char path[4200], target[300], label[128];
  hb_argv av = HB_ARGV_INIT;
  char *const *argv;
  hb_srv_snap snap0, snap1;
  int have_snap;
  int rc;
  json_t *r, *part, *link_m;

  if(hb_engine_path(c->tls ? cb : "plain", path, sizeof(path)))
    return hb_err_set(err, HB_ERROR, "no engine for %s", cb);
  server_target(a, s, target, sizeof(target));
  hb_argv_add(&av, path);
  hb_argv_add(&av, "handshake");
  hb_argv_add(&av, target);
  hb_argv_add(&av, "-n");
  hb_argv_addf(&av, "%ld", a->n);
  hb_argv_opt(&av, "--label", c->label);
  if(!a->rm.server_host) /* over hosts: the report comes back over ssh */
    hb_argv_opt(&av, "--json", tmp);
  hb_argv_opt(&av, "--path", a->path);
  if(a->gap_ms > 0)
    hb_argv_addf(&av, "--gap=%g", a->gap_ms);
  if(c->alpn)
    hb_argv_opt(&av, "--alpn", c->alpn);
  if(!c->tls)
    hb_argv_add(&av, "--plain");
  else {
    hb_argv_opt(&av, "--tls", c->tls);
    hb_argv_opt(&av, "--group", c->client_groups ? c->client_groups
                : c->group);
    hb_argv_opt(&av, "--resume", c->resume);
    hb_argv_opt(&av, "--cert-type", c->cert_type);
    if(c->rsa_kx)
      hb_argv_add(&av, "--rsa-kx");
    if(c->early)
      hb_argv_add(&av, "--early-data");
    client_tls_args(&av, a, certs);
    if(a->trace)
      hb_argv_add(&av, "--trace");
  }
  argv = hb_argv_get(&av, err);
  if(!argv) {
    hb_argv_free(&av);
    return HB_ERROR;
  }
  unlink(tmp);
  link_m = hb_fe_link_measure(); /* the link as it is before the case */
  have_snap = s->pid > 0 && hb_server_snapshot(s, &snap0, err) == HB_OK;
  hb_fe_link_side = HB_FE_SIDE_CLIENT;
  if(a->rm.server_host) /* every client host at once, merged */
    rc = hs_remote_run(&a->rm, argv, a->client_cpu, a->n, s,
                       have_snap ? &snap0 : NULL, report, err);
  else
    rc = a->trace ? hb_engine_exec_pinned(argv, a->client_cpu)
                  : hb_engine_exec_quiet(argv, a->client_cpu);
  hb_fe_link_side = HB_FE_SIDE_NONE;
  hb_argv_free(&av);
  have_snap = have_snap && hb_server_snapshot(s, &snap1, err) == HB_OK;
  if(a->rm.server_host && rc != HB_OK) {
    json_decref(link_m);
    return hb_err_set(err, HB_ERROR, "%s handshake %s over hosts: %s", cb,
                      c->label, err->msg);
  }
  if(!a->rm.server_host) {
    part = hb_report_load(tmp, err);
    if(!part) {
      json_decref(link_m);
      return hb_err_set(err, HB_ERROR, "%s handshake %s: engine exited %d "
                        "(%s)", cb, c->label, rc, err->msg);
    }
    hb_res_merge(report, part);
    json_decref(part);
  }
  snprintf(label, sizeof(label), "%s/%s", c->label,
           c->tls ? "tls_handshake" : "total");
  r = hb_res_find(report, NULL, c->tls ? cb : "plain", label);
  if(r && c->client_groups) { /* the server's side of the offer */
    json_t *p = json_object_get(r, "params");
    json_object_set_new(p, "server_groups", json_string(c->group));
    json_object_set_new(p, "hrr_case", json_boolean(c->hrr));
  }
  if(r && link_m)
    json_object_set(r, "link_measured", link_m);
  json_decref(link_m);
  if(r && have_snap) {
    /* the server's CPU (ns clock) over the engine's whole run, warm-up
     * and traced connections included, over the connections the server
     * itself accepted in that time; beside it the connections the engine
     * says it made (warm-up, measured, traced), which should agree */
    double conns = snap1.connections - snap0.connections;
    double made = engine_connections(r);
    json_object_set_new(r, "server_cpu_us_per_connection", hb_json_num(
      conns > 0 ? (snap1.cpu_ns - snap0.cpu_ns) / 1e3 / conns : NAN));
    json_object_set_new(r, "server_connections", hb_json_num(conns));
    json_object_set_new(r, "client_connections", hb_json_num(made));
    if(!isnan(made) && made != conns && !a->quiet)
      fprintf(stderr, "handshake: warning: %s %s: the server counted %.0f "
              "connections, the client made %.0f\n", cb, c->label, conns,
              made);
  }
  if(r && have_snap && c->tls) {
    /* the server's own clock, accept to handshake completion, averaged
     * over the handshakes it completed in the engine's run */
    double hs = snap1.handshakes - snap0.handshakes;
    json_object_set_new(r, "server_handshake_us", hb_json_num(
      hs > 0 && snap0.handshake_ns >= 0 && snap1.handshake_ns >= 0
      ? (snap1.handshake_ns - snap0.handshake_ns) / 1e3 / hs : NAN));
    json_object_set_new(r, "server_handshakes", hb_json_num(hs));
  }
  if(r && have_snap && a->rm.server_host) {
    /* over hosts, from the server host (its window: from just before
     * the clients' common start to after their ends, hs_remote_run):
     * its CPU per handshake by its own count, as capacity mode's, and
     * how busy its CPU was in all */
    json_object_set_new(r, "server_cpu_us_per_handshake", hb_json_num(
      srv_cpu_per_hs(c, &snap0, &snap1)));
    json_object_set_new(r, "server_cpu_busy", hb_json_num(
      hb_srv_host_busy(&snap0, &snap1)));
  }
  return HB_OK;
}

/* Capacity mode: the load engine with a new connection per request,
 * after a warm-up of HS_WARMUP seconds; over hosts on every client host
 * at once (remote_hs.c), one common start per run. */
#define HS_WARMUP 0.5
#define HS_WARMUP_S "0.5"

/* One run's figures from the load results r[0..n) of clients that ran
 * together (one locally; over hosts one per host, NULL: the host
 * failed): what they say they made in their measured windows, TLS
 * handshakes or, on TCP (no handshakes counted), connections, summed;
 * the rate the sum of each one's count over its own window (by its
 * clock, not -d: the windows are concurrent); the clients' CPU in their
 * windows over that count (not per response: a handshake whose request
 * failed has none); the achieved TLS parameters where they agree
 * (hs_agree). Each client's own figures go into hosts[i] when given. */
typedef struct hs_cap {
  double hs, resumed, rate, cpu_s;
  json_t *achieved;
} hs_cap;

static void cap_figures(const hs_case *c, json_t **r, int n, json_t *hosts,
                        hs_cap *f)
{
  int i;

  memset(f, 0, sizeof(*f));
  for(i = 0; i < n; i++) {
    json_t *el = json_object_get(r[i], "elapsed_s"), *ach;
    double h, rate;

    if(!r[i])
      continue;
    h = hb_res_num(r[i], "counts", c->tls ? "handshakes" : "connections");
    rate = json_is_number(el) && json_number_value(el) > 0
           ? h / json_number_value(el) : NAN;
    f->hs += h;
    f->resumed += hb_res_num(r[i], "counts", "resumed");
    f->rate += rate;
    f->cpu_s += hb_res_num(r[i], "cpu", "window_s");
    ach = json_object_get(r[i], "tls") ? json_deep_copy(json_object_get(
          r[i], "tls")) : json_object();
    if(!json_is_object(ach)) { /* TCP: null */
      json_decref(ach);
      ach = json_object();
    }
    json_object_set(ach, "protocol", json_object_get(r[i], "protocol"));
    if(!f->achieved)
      f->achieved = json_deep_copy(ach);
    else
      hs_agree(f->achieved, ach);
    if(hosts) {
      json_t *e = json_array_get(hosts, (size_t)i);
      json_object_set_new(e, c->tls ? "handshakes" : "connections",
                          hb_json_num(h));
      json_object_set_new(e, "handshakes_per_s", hb_json_num(rate));
      json_object_set_new(e, "elapsed_s", hb_json_num(
                          hb_res_num(r[i], "elapsed_s", NULL)));
      json_object_set_new(e, "resumed", hb_json_num(
                          hb_res_num(r[i], "counts", "resumed")));
      json_object_set_new(e, "client_cpu_us_per_handshake", hb_json_num(
        h > 0 ? hb_res_num(r[i], "cpu", "window_s") * 1e6 / h : NAN));
      json_object_set(e, "achieved", ach);
    }
    json_decref(ach);
  }
}

static void run_capacity(const hs_args *a, const char *cb, const hs_case *c,
                         const hb_server *s, const hb_cert_paths *certs,
                         const char *tmp, json_t *report)
{
  char path[4200], url[400], target[300], name[128];
  double rates[100], srv[100], cli[100], resumed = 0, hs = 0, nap = NAN;
  int rep, n = 0, partial = 0;
  hb_err err = { "" };
  json_t *res, *runs = a->rm.server_host ? json_array() : NULL;
  json_t *achieved = NULL;

  hb_engine_path(c->tls ? cb : "plain", path, sizeof(path));
  server_target(a, s, target, sizeof(target));
  snprintf(url, sizeof(url), "%s://%s%s", c->tls ? "https" : "http", target,
           a->path);
  for(rep = 0; rep < a->reps && !hb_interrupted(); rep++) {
    rm_win w;
    json_t *parts[RM_MAX_HOSTS], *part = NULL, *run = NULL;
    int pid, fd = -1, np = 1, i;
    hb_argv av = HB_ARGV_INIT;
    char *const *argv;
    hs_cap f;

    memset(&w, 0, sizeof(w));
    w.s = s;
    parts[0] = NULL;
    hb_argv_add(&av, path);
    hb_argv_add(&av, "load");
    hb_argv_add(&av, url);
    hb_argv_add(&av, "--close");
    hb_argv_add(&av, "-c");
    hb_argv_addf(&av, "%ld", a->conns);
    hb_argv_add(&av, "-d");
    hb_argv_addf(&av, "%g", a->seconds);
    if(!runs) /* over hosts: the report comes back over ssh */
      hb_argv_opt(&av, "--json", tmp);
    hb_argv_add(&av, "--marks");
    hb_argv_opt(&av, "--warmup", HS_WARMUP_S);
    if(a->nap) {
      hb_argv_add(&av, "--nap");
      hb_argv_addf(&av, "%ld", a->nap);
    }
    if(c->tls) {
      hb_argv_opt(&av, "--tls", c->tls);
      hb_argv_opt(&av, "--resume", strcmp(c->resume, "none") ? "on"
                  : "off");
      client_tls_args(&av, a, certs);
    }
    argv = hb_argv_get(&av, &err);
    if(runs && argv) {
      /* every client host at once; the server's window snapshots when
       * the last has begun its measured window and when the first ends
       * it (as throughput over hosts) */
      json_t *e;
      size_t k, l = 0;
      char why[600] = "";

      if(!hs_remote_capacity(&a->rm, argv, a->client_cpu,
                             HS_WARMUP + a->seconds, s, c->tls != NULL, &w,
                             parts, &run)) {
        json_array_foreach(json_object_get(run, "hosts"), k, e)
          if(l + 1 < sizeof(why))
            l += (size_t)snprintf(why + l, sizeof(why) - l, "%s%s: %s",
                                  l ? "; " : "", hb_res_str(e, "host"),
                                  hb_res_str(e, "error"));
        hb_err_set(&err, HB_ERROR, "no client host measured run %d: %s",
                   rep + 1, why);
      }
      np = (int)json_array_size(json_object_get(run, "hosts"));
    }
    else if(argv) {
      unlink(tmp);
      /* the window after the warm-up, marked by the client; the server's
       * snapshots at its edges */
      hb_fe_link_side = HB_FE_SIDE_CLIENT;
      pid = hb_engine_spawn(argv, a->client_cpu, &fd);
      hb_fe_link_side = HB_FE_SIDE_NONE;
      if(pid > 0) {
        w.state = s->pid > 0 &&
                  hb_wait_mark(fd, "mark start", HS_WARMUP + 30) == 0 &&
                  hb_server_snapshot(s, &w.s0, &err) == HB_OK &&
                  hb_wait_mark(fd, "mark end", a->seconds + 30) == 0 &&
                  hb_server_snapshot(s, &w.s1, &err) == HB_OK ? 2 : 3;
        hb_wait_mark(fd, "", -1); /* drains the summary */
        close(fd);
        hb_engine_wait(pid);
      }
      part = hb_report_load(tmp, &err);
      parts[0] = json_array_get(json_object_get(part, "results"), 0);
    }
    hb_argv_free(&av);
    for(i = 0; i < np && !parts[i]; i++)
      ;
    if(i == np) { /* nothing measured: the hosts' entries say why */
      if(run) {
        partial = 1;
        json_array_append_new(runs, run);
      }
      json_decref(part);
      break;
    }
    cap_figures(c, parts, np, json_object_get(run, "hosts"), &f);
    for(i = 0; i < np; i++) { /* how the clients waited, as they said */
      double v = hb_res_num(json_object_get(parts[i], "params"), "nap_us",
                            NULL);
      if(!isnan(v) && !(nap >= v))
        nap = v;
    }
    hs += f.hs;
    resumed += f.resumed;
    rates[n] = f.rate;
    /* the server's CPU per handshake over the measured window */
    srv[n] = w.state == 2 ? srv_cpu_per_hs(c, &w.s0, &w.s1) : NAN;
    cli[n] = f.hs > 0 ? f.cpu_s * 1e6 / f.hs : NAN;
    if(!achieved)
      achieved = json_incref(f.achieved);
    else
      hs_agree(achieved, f.achieved);
    json_decref(f.achieved);
    n++;
    if(run) {
      json_object_set_new(run, c->tls ? "handshakes" : "connections",
                          hb_json_num(f.hs));
      json_object_set_new(run, "handshakes_per_s", hb_json_num(f.rate));
      json_object_set_new(run, "server_cpu_us_per_handshake",
                          hb_json_num(srv[n - 1]));
      partial |= json_is_true(json_object_get(run, "partial"));
      json_array_append_new(runs, run);
      for(i = 0; i < np; i++)
        json_decref(parts[i]);
    }
    json_decref(part);
  }
  snprintf(name, sizeof(name), "%s/capacity", c->label);
  res = hb_report_add_result(report, "handshake", name, c->tls ? cb
                             : "plain", "handshakes/s");
  json_object_set_new(json_object_get(res, "params"), "connections",
                      json_integer(a->conns));
  json_object_set_new(json_object_get(res, "params"), "seconds",
                      json_real(a->seconds));
  json_object_set_new(json_object_get(res, "params"), "resume",
                      json_string(c->resume ? c->resume : "none"));
  json_object_set_new(json_object_get(res, "params"), "path",
                      json_string(a->path));
  json_object_set_new(json_object_get(res, "params"), "verify",
                      json_string(!c->tls ? "none" : a->insecure
                                  ? "insecure" : "chain"));
  json_object_set_new(json_object_get(res, "params"), "mutual_tls",
                      json_boolean(c->tls && a->mtls));
  json_object_set_new(json_object_get(res, "params"), "nap_us",
                      json_integer(a->nap));
  if(n) {
    json_t *o = json_object(), *arr = json_array();
    int i;
    hb_result_set_samples(res, rates, (size_t)n);
    /* one rate per run: the runs are the independent units */
    json_object_set_new(json_object_get(res, "stats"), "ci_method",
                        json_string("repetitions"));
    for(i = 0; i < n; i++)
      json_array_append_new(arr, hb_json_num(srv[i]));
    json_object_set_new(o, "samples", arr);
    json_object_set_new(res, "server_cpu_us_per_handshake", o);
    o = json_object();
    arr = json_array();
    for(i = 0; i < n; i++)
      json_array_append_new(arr, hb_json_num(cli[i]));
    json_object_set_new(o, "samples", arr);
    json_object_set_new(res, "client_cpu_us_per_handshake", o);
    json_object_set_new(res, "handshakes", hb_json_num(hs));
    json_object_set_new(res, "resumed", hb_json_num(resumed));
    json_object_set_new(res, "achieved", achieved ? achieved
                        : json_object());
    json_object_set_new(json_object_get(res, "achieved"), "client_nap_us",
                        hb_json_num(nap));
    achieved = NULL;
  }
  json_decref(achieved);
  if(runs) {
    /* clients per host (-c each), every run's hosts and the server's own
     * counts; a host lost in a run makes the result partial */
    json_object_set_new(json_object_get(res, "params"), "client_hosts",
                        json_integer((json_int_t)json_array_size(
                          json_object_get(json_array_get(runs, 0),
                                          "hosts"))));
    json_object_set_new(res, "remote", json_pack("{s:o,s:b}", "runs", runs,
                                                 "partial", partial));
    if(partial)
      hb_res_warn(res, json_string("partial: a client host measured "
                  "nothing in a run (named in remote.runs[].hosts); the "
                  "others' counts and rates are summed"));
  }
  hb_result_set_status(res, n ? HB_OK : HB_ERROR, err.msg[0] ? err.msg
                       : "no capacity run finished");
}

/* Crypto figures (us per operation) for backend, from --crypto FILE or a
 * short run of the crypto engine over the operations the cases need. */
static json_t *crypto_figures(const hs_args *a, const char *backend,
                              const char *tmp)
{
  json_t *rep, *r, *fig = json_object();
  char path[4200];
  hb_argv av = HB_ARGV_INIT;
  char *const *argv;
  hb_err err = { "" };
  size_t i;

  if(a->crypto_json)
    rep = hb_report_load(a->crypto_json, &err);
  else {
    if(hb_engine_path(backend, path, sizeof(path)))
      return fig;
    hb_argv_add(&av, path);
    hb_argv_add(&av, "crypto");
    hb_argv_opt(&av, "--filter", "^((rsa-(2048|3072|4096)|ecdsa-p(256|384)|"
                "ed25519)/(sign|verify|encrypt|decrypt)|(x25519|ecdh-p256)/"
                "exchange)$");
    hb_argv_opt(&av, "--seconds", "0.05");
    hb_argv_opt(&av, "--repetitions", "3");
    hb_argv_opt(&av, "--json", tmp);
    unlink(tmp);
    argv = hb_argv_get(&av, &err);
    if(argv)
      hb_engine_exec_quiet(argv, a->client_cpu);
    hb_argv_free(&av);
    rep = hb_report_load(tmp, &err);
  }
  if(!rep)
    return fig;
  json_array_foreach(json_object_get(rep, "results"), i, r) {
    double m = hb_res_median(r);
    if(strcmp(hb_res_str(r, "backend"), backend) ||
       strcmp(hb_res_str(r, "suite"), "crypto") || !(m > 0))
      continue;
    json_object_set_new(fig, hb_res_str(r, "name"), json_real(1e6 / m));
  }
  json_decref(rep);
  return fig;
}

/* The public-key work each side cannot avoid, priced with the figures. */
static json_t *crypto_floor(const hs_case *c, json_t *cfig, json_t *sfig)
{
  json_t *f = json_object(), *ops = json_array();
  char sign[64], verify[64], enc[64], dec[64], kex[64];
  char kgen[64] = "", kenc[64] = "", kdec[64] = "";
  int full = !strcmp(c->resume, "none"), tls13 = !strcmp(c->tls, "1.3");
  double cl = 0, sv = 0;
  int missing = 0;
  struct { const char *side, *op; int count; } need[12];
  int n = 0, i;

  snprintf(sign, sizeof(sign), "%s/sign", c->cert_type);
  snprintf(verify, sizeof(verify), "%s/verify", c->cert_type);
  snprintf(enc, sizeof(enc), "%s/encrypt", c->cert_type);
  snprintf(dec, sizeof(dec), "%s/decrypt", c->cert_type);
  /* a hybrid: its classical half, and the KEM (client keygen and
   * decaps, server encaps) */
  snprintf(kex, sizeof(kex), "%s/exchange", !strncmp(c->group, "x25519", 6)
           ? "x25519" : !strncmp(c->group, "p256", 4) ? "ecdh-p256"
           : "ecdh-p384"); /* no ecdh-p384 case yet: its floor is null */
  if(strstr(c->group, "mlkem768") || strstr(c->group, "kyber768")) {
    const char *kem = strstr(c->group, "mlkem") ? "ml-kem-768"
                                                : "kyber-768";

    snprintf(kgen, sizeof(kgen), "%s/keygen", kem);
    snprintf(kenc, sizeof(kenc), "%s/encaps", kem);
    snprintf(kdec, sizeof(kdec), "%s/decaps", kem);
  }
  if(full && c->rsa_kx) {
    need[n].side = "server"; need[n].op = dec; need[n++].count = 1;
    need[n].side = "client"; need[n].op = enc; need[n++].count = 1;
    /* the chain: leaf signed by the intermediate, that by the root */
    need[n].side = "client"; need[n].op = verify; need[n++].count = 2;
  }
  else if(full) {
    need[n].side = "server"; need[n].op = sign; need[n++].count = 1;
    need[n].side = "server"; need[n].op = kex; need[n++].count = 1;
    /* CertificateVerify (1.3) or ServerKeyExchange (1.2), then chain */
    need[n].side = "client"; need[n].op = verify; need[n++].count = 3;
    need[n].side = "client"; need[n].op = kex; need[n++].count = 1;
  }
  else if(tls13) { /* psk_dhe_ke: a fresh key exchange, no signature */
    need[n].side = "server"; need[n].op = kex; need[n++].count = 1;
    need[n].side = "client"; need[n].op = kex; need[n++].count = 1;
  }
  if(kgen[0] && (full || tls13)) {
    need[n].side = "client"; need[n].op = kgen; need[n++].count = 1;
    need[n].side = "server"; need[n].op = kenc; need[n++].count = 1;
    need[n].side = "client"; need[n].op = kdec; need[n++].count = 1;
  }
  for(i = 0; i < n; i++) {
    int client = !strcmp(need[i].side, "client");
    json_t *v = json_object_get(client ? cfig : sfig, need[i].op), *o;
    double us = json_is_number(v) ? json_number_value(v) : NAN;
    o = json_object();
    json_object_set_new(o, "side", json_string(need[i].side));
    json_object_set_new(o, "operation", json_string(need[i].op));
    json_object_set_new(o, "count", json_integer(need[i].count));
    json_object_set_new(o, "us_each", hb_json_num(us));
    json_array_append_new(ops, o);
    if(isnan(us))
      missing = 1;
    else if(client)
      cl += us * need[i].count;
    else
      sv += us * need[i].count;
  }
  json_object_set_new(f, "operations", ops);
  json_object_set_new(f, "client_us", missing ? json_null() : hb_json_num(cl));
  json_object_set_new(f, "server_us", missing ? json_null() : hb_json_num(sv));
  return f;
}

/* A case the server's library cannot run (mbedTLS and TLS 1.3, wolfSSL
 * and RSA key transport...): one result saying so, with the reason. */
static void unsupported_case(json_t *report, const char *cb,
                             const hs_case *c, const char *why)
{
  char name[128];
  json_t *r, *p;

  snprintf(name, sizeof(name), "%s/tls_handshake", c->label);
  r = hb_report_add_result(report, "handshake", name, cb, "us");
  p = json_object_get(r, "params");
  json_object_set_new(p, "tls_version", json_string(c->tls));
  json_object_set_new(p, "resume", json_string(c->resume));
  json_object_set_new(p, "cert_type", json_string(c->cert_type));
  json_object_set_new(p, "group", json_string(c->group));
  hb_result_set_status(r, HB_UNSUPPORTED, why);
}

static void attach_floor(json_t *report, const char *b, const hs_case *c,
                         json_t *cfig, json_t *sfig)
{
  char name[128];
  json_t *r, *f, *cpu;
  double fc, fs;

  snprintf(name, sizeof(name), "%s/tls_handshake", c->label);
  r = hb_res_find(report, NULL, b, name);
  if(!r)
    return;
  f = crypto_floor(c, cfig, sfig);
  fc = json_number_value(json_object_get(f, "client_us"));
  fs = json_number_value(json_object_get(f, "server_us"));
  cpu = json_object_get(r, "client_cpu_us_per_handshake");
  json_object_set_new(f, "client_measured_us", json_is_number(cpu)
                      ? json_copy(cpu) : json_null());
  json_object_set_new(f, "client_ratio", json_is_number(cpu) && fc > 0
                      ? hb_json_num(json_number_value(cpu) / fc)
                      : json_null());
  cpu = json_object_get(r, "server_cpu_us_per_connection");
  json_object_set_new(f, "server_measured_us", json_is_number(cpu)
                      ? json_copy(cpu) : json_null());
  json_object_set_new(f, "server_ratio", json_is_number(cpu) && fs > 0
                      ? hb_json_num(json_number_value(cpu) / fs)
                      : json_null());
  json_object_set_new(r, "crypto_floor", f);
}

static double phase(json_t *report, const char *b, const char *label,
                    const char *ph)
{
  char name[160];

  snprintf(name, sizeof(name), "%s/%s", label, ph);
  return hb_res_median(hb_res_find(report, NULL, b, name));
}

static void print_table(json_t *report, const hs_case *cases, int ncases,
                        const hs_args *a)
{
  int i, b;

  printf("%-36s %-10s %7s %8s %8s %8s %8s %8s %8s %7s %8s %8s %8s %8s\n",
         "case (median us)", "backend", "setup", "tcp", "tls", "srv hs",
         "request", "close", "total", "resumed", "cli cpu", "floor",
         "srv cpu", "floor");
  for(i = 0; i < ncases; i++)
    for(b = 0; b < (cases[i].tls ? a->nbackends : 1); b++) {
      const char *be = cases[i].tls ? a->backends[b] : "plain";
      char name[160], res[32] = "-", srv_hs[32] = "-";
      double v;
      json_t *r, *ach, *f;
      snprintf(name, sizeof(name), "%s/%s", cases[i].label,
               cases[i].tls ? "tls_handshake" : "total");
      r = hb_res_find(report, NULL, be, name);
      if(!r)
        continue;
      if(strcmp(json_string_value(json_object_get(r, "status")), "ok")) {
        printf("%-36s %-10s %s: %s\n", cases[i].label, be,
               json_string_value(json_object_get(r, "status")),
               json_string_value(json_object_get(r, "error")));
        continue;
      }
      ach = json_object_get(r, "achieved");
      if(json_is_object(ach) && cases[i].tls)
        snprintf(res, sizeof(res), "%lld/%lld", (long long)
                 json_integer_value(json_object_get(ach, "resumed")),
                 (long long)json_integer_value(json_object_get(ach,
                                                               "offered")));
      f = json_object_get(r, "crypto_floor");
      v = hb_res_num(r, "server_handshake_us", NULL);
      if(cases[i].tls && !isnan(v))
        snprintf(srv_hs, sizeof(srv_hs), "%.1f", v);
      printf("%-36s %-10s %7.1f %8.1f %8.1f %8s %8.1f %8.1f %8.1f %7s "
             "%8.1f %8.1f %8.1f %8.1f\n", cases[i].label, be,
             phase(report, be, cases[i].label, "setup"),
             phase(report, be, cases[i].label, "tcp_connect"),
             cases[i].tls ? phase(report, be, cases[i].label,
                                  "tls_handshake") : 0.0,
             srv_hs,
             phase(report, be, cases[i].label, "first_request"),
             phase(report, be, cases[i].label, "close"),
             phase(report, be, cases[i].label, "total"), res,
             json_number_value(json_object_get(r,
                                               "client_cpu_us_per_handshake")),
             json_number_value(json_object_get(f, "client_us")),
             json_number_value(json_object_get(r,
                                               "server_cpu_us_per_connection")),
             json_number_value(json_object_get(f, "server_us")));
      if(cases[i].alpn) {
        const char *ag = hb_res_str(ach, "alpn"), *pr = hb_res_str(ach,
                                                               "protocol");
        printf("%-36s %-10s ALPN offered %s: %s%s, first request %s\n", "",
               be, cases[i].alpn, cases[i].tls ? "agreed " : "none over TCP",
               cases[i].tls ? (ag[0] ? ag : "none") : "", pr[0] ? pr : "?");
      }
      if(json_object_get(ach, "early_data_sent"))
        printf("%-36s %-10s 0-RTT: the server took the early data of %lld "
               "of %lld connections that sent it\n", "", be, (long long)
               json_integer_value(json_object_get(ach,
                                                  "early_data_accepted")),
               (long long)json_integer_value(json_object_get(ach,
                                                  "early_data_sent")));
    }
  printf("total: the sum of the phases, per connection (medians do not "
         "add up exactly); srv hs: the server's mean time from accept to "
         "handshake completion, its own clock (TLS 1.2 completes on its "
         "Finished, 1.3 on the client's); cpu: measured CPU per "
         "connection; floor: the public-key operations that side must do "
         "(from the crypto suite).\n");
}

/* The traced handshake of every TLS case on the wire: the group
 * achieved, the ClientHello's size, a HelloRetryRequest, and each
 * side's first flight (bytes, TCP segments that carried data). */
static void print_wire(json_t *report, const hs_case *cases, int ncases,
                       const hs_args *a)
{
  int i, b, head = 0;

  for(i = 0; i < ncases; i++)
    for(b = 0; cases[i].tls && b < a->nbackends; b++) {
      const char *be = a->backends[b];
      char name[160], cf[32] = "-", sf[32] = "-";
      json_t *r, *t, *ff, *ch;
      snprintf(name, sizeof(name), "%s/tls_handshake", cases[i].label);
      r = hb_res_find(report, NULL, be, name);
      t = json_object_get(r, "trace");
      ch = json_object_get(t, "client_hello_bytes");
      if(!json_is_integer(ch))
        continue;
      if(!head++)
        printf("\non the wire (the traced handshake; flight: bytes/TCP "
               "segments with data, the client's first and the server's "
               "answer)\n%-36s %-10s %-15s %7s %4s %4s %11s %11s\n",
               "case", "backend", "group", "CH B", "HRR", "RTs",
               "client fl", "server fl");
      ff = json_object_get(t, "first_flight");
      if(json_is_object(ff)) {
        snprintf(cf, sizeof(cf), "%lld/%lld", (long long)
                 json_integer_value(json_object_get(ff, "client_bytes")),
                 (long long)json_integer_value(json_object_get(ff,
                                                 "client_segments")));
        snprintf(sf, sizeof(sf), "%lld/%lld", (long long)
                 json_integer_value(json_object_get(ff, "server_bytes")),
                 (long long)json_integer_value(json_object_get(ff,
                                                 "server_segments")));
      }
      printf("%-36s %-10s %-15s %7lld %4s %4lld %11s %11s\n",
             cases[i].label, be, json_string_value(json_object_get(
               json_object_get(r, "achieved"), "group")) ?
             json_string_value(json_object_get(json_object_get(r,
               "achieved"), "group")) : "-",
             (long long)json_integer_value(ch),
             json_is_true(json_object_get(t, "hello_retry_request")) ?
             "yes" : "no",
             (long long)json_integer_value(json_object_get(t,
                                                           "round_trips")),
             cf, sf);
    }
}

/* With a link: time to the first response byte (TCP connect + TLS
 * handshake + first request, medians) in round trips of the link as
 * measured before the case, beside the count the protocol needs: TCP +
 * request 2, TLS 1.2 full 4, resumed 3, TLS 1.3 full or PSK 3, 0-RTT 2,
 * and one more after a HelloRetryRequest. More than half an RTT off is
 * flagged. The HRR is the traced handshake's when the result has a trace
 * (a client that sends a share the server takes makes none), else the
 * case's design. */
static int hrr_happened(const hs_case *c, json_t *r)
{
  json_t *h = json_object_get(json_object_get(r, "trace"),
                              "hello_retry_request");

  return json_is_boolean(h) ? json_is_true(h) : c->hrr;
}

static int expected_rtts(const hs_case *c, json_t *r)
{
  if(!c->tls || c->early)
    return 2;
  return (!strcmp(c->tls, "1.2") && !strcmp(c->resume, "none") ? 4 : 3) +
         hrr_happened(c, r);
}

static int cmp_double(const void *x, const void *y)
{
  double a = *(const double *)x, b = *(const double *)y;

  return (a > b) - (a < b);
}

/* Percentiles (nearest rank) of the time to first byte per connection:
 * the sum of its tcp_connect, tls_handshake and first_request samples
 * (the engine keeps every phase's samples in connection order). NULL
 * when a phase has none. */
static json_t *ttfb_percentiles(json_t *report, const char *be,
                                const hs_case *c)
{
  static const char *const ph[3] = { "tcp_connect", "tls_handshake",
                                     "first_request" };
  static const double q[3] = { 0.5, 0.9, 0.99 };
  static const char *const qn[3] = { "p50", "p90", "p99" };
  json_t *smp[3], *o;
  size_t n = (size_t)-1, i;
  double *v;
  int k;

  for(k = 0; k < 3; k++) {
    char name[160];
    smp[k] = NULL;
    if(k == 1 && !c->tls)
      continue;
    snprintf(name, sizeof(name), "%s/%s", c->label, ph[k]);
    smp[k] = json_object_get(hb_res_find(report, NULL, be, name),
                             "samples");
    if(!json_is_array(smp[k]))
      return NULL;
    if(json_array_size(smp[k]) < n)
      n = json_array_size(smp[k]);
  }
  if(!n || n == (size_t)-1)
    return NULL;
  v = calloc(n, sizeof(*v));
  if(!v)
    return NULL;
  for(i = 0; i < n; i++)
    for(k = 0; k < 3; k++)
      if(smp[k])
        v[i] += json_number_value(json_array_get(smp[k], i)) / 1e3;
  qsort(v, n, sizeof(*v), cmp_double);
  o = json_object();
  json_object_set_new(o, "n", json_integer((json_int_t)n));
  for(k = 0; k < 3; k++) {
    size_t rank = (size_t)ceil(q[k] * (double)n);
    json_object_set_new(o, qn[k], hb_json_num(v[rank ? rank - 1 : 0]));
  }
  json_object_set_new(o, "max", hb_json_num(v[n - 1]));
  free(v);
  return o;
}

static void link_rtts(json_t *report, const hs_case *cases, int ncases,
                      const hs_args *a)
{
  int i, b;

  printf("\nround trips to the first response byte (ttfb = tcp + tls + "
         "request medians, CPU time included; rtt: ICMP echo median before "
         "the case; no count below 1 ms)\n");
  printf("%-36s %-10s %10s %8s %7s %8s\n", "case", "backend", "ttfb ms",
         "rtt ms", "rtts", "expected");
  for(i = 0; i < ncases; i++)
    for(b = 0; b < (cases[i].tls ? a->nbackends : 1); b++) {
      const char *be = cases[i].tls ? a->backends[b] : "plain";
      const hs_case *c = &cases[i];
      char name[160];
      double ttfb, rtt, n;
      json_t *r;
      snprintf(name, sizeof(name), "%s/%s", c->label,
               c->tls ? "tls_handshake" : "total");
      r = hb_res_find(report, NULL, be, name);
      if(!r || strcmp(hb_res_str(r, "status"), "ok"))
        continue;
      rtt = hb_res_num(json_object_get(r, "link_measured"), "echo_rtt_ms",
                       "median");
      ttfb = (phase(report, be, c->label, "tcp_connect") +
              (c->tls ? phase(report, be, c->label, "tls_handshake") : 0) +
              phase(report, be, c->label, "first_request")) / 1e3;
      /* below 1 ms the count says nothing: CPU time is most of it */
      n = rtt >= 1 ? ttfb / rtt : NAN;
      json_object_set_new(r, "ttfb_ms", hb_json_num(ttfb));
      {
        json_t *pc = ttfb_percentiles(report, be, c);
        if(pc)
          json_object_set_new(r, "ttfb_percentiles_ms", pc);
      }
      json_object_set_new(r, "rtts_measured", hb_json_num(n));
      json_object_set_new(r, "rtts_expected",
                          json_integer(expected_rtts(c, r)));
      json_object_set_new(r, "rtts_off", json_boolean(
        !isnan(n) && fabs(n - expected_rtts(c, r)) > 0.5));
      if(c->sweep_v >= 0) { /* the sweep's point and its case */
        json_object_set_new(json_object_get(r, "params"), a->sweep_kind &&
                            !strcmp(a->sweep_kind, "loss")
                            ? "sweep_loss_pct" : "sweep_rtt_ms",
                            json_real(c->sweep_v));
        json_object_set_new(json_object_get(r, "params"), "sweep_case",
                            json_string(c->base));
      }
      printf("%-36s %-10s %10.3f %8.3f %7.2f %8d%s%s\n", c->label, be,
             ttfb, rtt, n, expected_rtts(c, r),
             !isnan(n) && fabs(n - expected_rtts(c, r)) > 0.5
             ? "  OFF by more than half an RTT (see --trace)" : "",
             c->hrr != hrr_happened(c, r) ? (c->hrr ? "  (no HRR: the "
               "client's first flight had a share the server takes)"
               : "  (an HRR the case did not ask for)") : "");
    }
}

/* One pass over the cases (a sweep's point): server, client, crypto
 * floor per case and backend. Returns 1 if a case failed. */
static int run_cases(const hs_args *a, const hs_case *cases, int ncases,
                     json_t *report, json_t *figs, const char *tmp,
                     const char *ctmp)
{
  int i, b, rc, failed = 0;
  hb_err err = { "" };

  for(i = 0; i < ncases && !hb_interrupted(); i++) {
    const hs_case *c = &cases[i];
    for(b = 0; b < (c->tls ? a->nbackends : 1) && !hb_interrupted(); b++) {
      const char *cb = c->tls ? a->backends[b] : "plain";
      const char *sb = c->tls && a->server_backend ? a->server_backend : cb;
      hb_cert_paths certs;
      hb_server s;
      memset(&s, 0, sizeof(s));
      if(!a->quiet)
        fprintf(stderr, "handshake: %s client %s server %s\n", c->label, cb,
                a->connect ? a->connect : sb);
      rc = hb_certs_ensure(c->cert_type ? c->cert_type : "ecdsa-p256",
                           &certs, &err);
      if(rc == HB_OK && !a->connect)
        rc = server_start(a, sb, c, &certs, &s, &err);
      if(rc == HB_UNSUPPORTED)
        unsupported_case(report, cb, c, err.msg);
      else if(rc != HB_OK ||
              run_latency(a, cb, c, &s, &certs, tmp, report, &err)
                != HB_OK) {
        fprintf(stderr, "httpsbench handshake: %s\n", err.msg);
        failed = 1;
      }
      else if(a->conns && !c->early) /* the load generator sends no
                                        early data: latency mode only */
        run_capacity(a, cb, c, &s, &certs, tmp, report);
      hb_server_stop(&s);
      if(c->tls && !a->rm.server_host) { /* the floor is this machine's:
                                            not over hosts */
        if(!json_object_get(figs, cb))
          json_object_set_new(figs, cb, crypto_figures(a, cb, ctmp));
        if(!json_object_get(figs, sb))
          json_object_set_new(figs, sb, crypto_figures(a, sb, ctmp));
        attach_floor(report, cb, c, json_object_get(figs, cb),
                     json_object_get(figs, a->connect ? "" : sb));
      }
    }
  }
  return failed;
}

/* --rtt-sweep: time to first byte per case and backend at each point,
 * beside what the round trips predict from the 0 ms point (or the
 * first): k x RTT + ttfb there. */
static void print_sweep(json_t *report, const hs_case *cases, int nbase,
                        int npoints, const hs_args *a)
{
  int i, b, p;

  printf("\ntime to first byte (ms) against the configured RTT "
         "(--rtt-sweep; in [ ]: k x measured RTT + the first point's "
         "ttfb, k = the case's expected round trips)\n");
  printf("%-36s %-10s", "case", "backend");
  for(p = 0; p < npoints; p++)
    printf(" %15.4g", a->sweep[p]);
  printf("\n");
  for(i = 0; i < nbase; i++)
    for(b = 0; b < (cases[i].tls ? a->nbackends : 1); b++) {
      const char *be = cases[i].tls ? a->backends[b] : "plain";
      double t0 = NAN, r0 = NAN;
      printf("%-36s %-10s", cases[i].base, be);
      for(p = 0; p < npoints; p++) {
        const hs_case *c = &cases[p * nbase + i];
        char name[160], cell[32] = "-";
        json_t *r;
        double t, rtt;
        snprintf(name, sizeof(name), "%s/%s", c->label,
                 c->tls ? "tls_handshake" : "total");
        r = hb_res_find(report, NULL, be, name);
        t = hb_res_num(r, "ttfb_ms", NULL);
        rtt = json_number_value(json_object_get(json_object_get(
                json_object_get(r, "link_measured"), "echo_rtt_ms"),
                "median"));
        if(r && !isnan(t) && isnan(t0)) {
          t0 = t;
          r0 = rtt;
        }
        if(r && !isnan(t))
          snprintf(cell, sizeof(cell), "%.2f [%.2f]", t, t0 +
                   expected_rtts(c, r) * (rtt - r0));
        printf(" %15s", cell);
      }
      printf("\n");
    }
}

/* --loss-sweep: percentiles of the time to first byte per connection,
 * per case and backend at each loss point. */
static void print_loss_sweep(json_t *report, const hs_case *cases,
                             int nbase, int npoints, const hs_args *a)
{
  int i, b, p;

  printf("\ntime to first byte per connection (ms), p50 / p99, against "
         "the loss each way (--loss-sweep)\n");
  printf("%-36s %-10s", "case", "backend");
  for(p = 0; p < npoints; p++) {
    char h[32];
    snprintf(h, sizeof(h), "%g%%", a->sweep[p]);
    printf(" %17s", h);
  }
  printf("\n");
  for(i = 0; i < nbase; i++)
    for(b = 0; b < (cases[i].tls ? a->nbackends : 1); b++) {
      const char *be = cases[i].tls ? a->backends[b] : "plain";
      printf("%-36s %-10s", cases[i].base, be);
      for(p = 0; p < npoints; p++) {
        const hs_case *c = &cases[p * nbase + i];
        char name[160], cell[40] = "-";
        json_t *pc;
        snprintf(name, sizeof(name), "%s/%s", c->label,
                 c->tls ? "tls_handshake" : "total");
        pc = json_object_get(hb_res_find(report, NULL, be, name),
                             "ttfb_percentiles_ms");
        if(pc)
          snprintf(cell, sizeof(cell), "%.1f / %.1f",
                   json_number_value(json_object_get(pc, "p50")),
                   json_number_value(json_object_get(pc, "p99")));
        printf(" %17s", cell);
      }
      printf("\n");
    }
  printf("connections that failed have no time (see each case's errors); "
         "a TCP SYN lost waits the kernel's initial 1 s timeout, a lost "
         "handshake flight at least 200 ms\n");
}

/* Over hosts: where each role ran, and every result a host was lost
 * from or that no host measured (1 when there is one; the first one's
 * warning, naming the hosts, printed). */
static int over_hosts(json_t *report, const hs_args *a)
{
  json_t *r;
  size_t k;
  int partial = 0;

  printf("over hosts: server on %s, the handshake engine on %s at once "
         "(-n %ld each), every phase merged from the union of their "
         "samples", a->rm.server_host, a->rm.client_hosts, a->n);
  if(a->conns)
    printf("; capacity: the load engine on every host at once (-c %ld "
           "each), handshakes/s the sum of the hosts' rates", a->conns);
  printf("; the clients %s%s; no crypto floor (it would be this "
         "machine's).\n", a->insecure ? "do not verify the certificate "
         "(--insecure)" : "verify the certificate", a->mtls
         ? ", with a client certificate (--mtls)" : "");
  json_array_foreach(json_object_get(report, "results"), k, r)
    if(json_is_true(json_object_get(json_object_get(r, "remote"),
                                    "partial")) ||
       (json_object_get(r, "remote") &&
        strcmp(hb_res_str(r, "status"), "ok"))) {
      if(!partial++)
        printf("%s\n", json_string_value(json_array_get(
               json_object_get(r, "warnings"), json_array_size(
               json_object_get(r, "warnings")) - 1)));
    }
  return partial > 0;
}

int hb_cmd_handshake(int argc, char **argv)
{
  hs_args a;
  hs_case base[1 + HS_MATRIX], *cases;
  int nbase = 0, ncases = 0, npoints, i, p, failed = 0;
  json_t *report, *figs = json_object(), *sweep = NULL;
  char tmpdir[] = "/tmp/httpsbench.XXXXXX", tmp[64], ctmp[64], why[800];

  parse(argc, argv, &a);
  if(a.matrix)
    nbase = matrix_cases(base, a.cases);
  else
    base[nbase++] = a.one;
  apply_alpn(base, nbase, a.alpn);
  /* a sweep runs every case at each point, labelled CASE@rttN */
  npoints = a.nsweep ? a.nsweep : 1;
  cases = calloc((size_t)npoints * (size_t)nbase, sizeof(*cases));
  if(!cases) {
    json_decref(figs);
    return 1;
  }
  for(p = 0; p < npoints; p++)
    for(i = 0; i < nbase; i++) {
      hs_case *c = &cases[p * nbase + i];
      *c = base[i];
      if(a.nsweep) {
        c->sweep_v = a.sweep[p];
        snprintf(c->label, sizeof(c->label), "%.60s@%s%g", c->base,
                 a.sweep_kind, a.sweep[p]);
      }
    }
  if(!mkdtemp(tmpdir)) {
    fprintf(stderr, "httpsbench handshake: cannot create a temporary "
            "directory\n");
    free(cases);
    json_decref(figs);
    return 1;
  }
  hb_server_log_set(tmpdir);
  snprintf(tmp, sizeof(tmp), "%s/hs.json", tmpdir);
  snprintf(ctmp, sizeof(ctmp), "%s/crypto.json", tmpdir);
  report = hb_report_new(argc, argv);
  if(a.rm.server_host &&
     hs_remote_prepare(&a.rm, a.nbackends ? a.backends[0] : "plain",
                       a.quiet, report)) {
    fprintf(stderr, "httpsbench handshake: a host is not reachable or its "
            "engine does not run (see above): nothing measured\n");
    hb_report_finish(report, "handshake", a.json, 0);
    json_decref(report);
    json_decref(figs);
    free(cases);
    rmdir(tmpdir);
    return 1;
  }
  if(a.nsweep)
    sweep = json_array();
  for(p = 0; p < npoints && !hb_interrupted(); p++) {
    if(a.nsweep) {
      hb_fe_link_set(a.sweep_kind, a.sweep[p]);
      if(!a.quiet)
        fprintf(stderr, "handshake: sweep point %d/%d: %s %g\n", p + 1,
                npoints, a.sweep_kind, a.sweep[p]);
    }
    if((a.nsweep || hb_fe_link_wanted()) &&
       hb_fe_link_start(why, sizeof(why))) {
      fprintf(stderr, "httpsbench handshake: %s\n", why);
      if(!p) { /* nothing measured: no report */
        json_decref(report);
        json_decref(figs);
        json_decref(sweep);
        free(cases);
        rmdir(tmpdir);
        return 1;
      }
      failed = 1;
      break;
    }
    failed |= run_cases(&a, cases + p * nbase, nbase, report, figs, tmp,
                        ctmp);
    ncases += nbase;
    if(a.nsweep) {
      json_t *l = hb_fe_link_stop();
      if(l) {
        json_object_set_new(l, !strcmp(a.sweep_kind, "rtt")
                            ? "sweep_rtt_ms" : "sweep_loss_pct",
                            json_real(a.sweep[p]));
        json_array_append_new(sweep, l);
      }
    }
  }
  unlink(tmp);
  unlink(ctmp);
  json_decref(figs);
  print_table(report, cases, ncases, &a);
  print_wire(report, cases, ncases, &a);
  if(hb_fe_link_wanted() || a.nsweep) {
    link_rtts(report, cases, ncases, &a);
    if(a.nsweep) {
      if(!strcmp(a.sweep_kind, "rtt"))
        print_sweep(report, cases, nbase, ncases / nbase, &a);
      else
        print_loss_sweep(report, cases, nbase, ncases / nbase, &a);
      json_object_set_new(report, "link_sweep", sweep);
    }
    else
      json_object_set_new(report, "link", hb_fe_link_stop());
  }
  free(cases);
  if(a.rm.server_host && over_hosts(report, &a))
    failed = 1; /* a host lost: the results say which */
  fflush(stdout);
  hb_server_log_flush();
  rmdir(tmpdir);
  if(hb_report_finish(report, "handshake", a.json, hb_interrupted() != 0))
    failed = 1;
  if(!hb_interrupted() && hb_res_all_failed(report, why, sizeof(why))) {
    fprintf(stderr, "httpsbench handshake: %s\n", why);
    failed = 1;
  }
  json_decref(report);
  return hb_interrupted() ? HB_EXIT_INTERRUPTED : failed ? 1 : 0;
}
