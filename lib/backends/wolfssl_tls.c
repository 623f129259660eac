/* wolfSSL backend: the TLS connection table (include/hb/tls.h).
 *
 * wolfSSL does its socket I/O through our callbacks, which use the
 * layer's socket calls (hb/tls_layer.h: counting, why the socket stopped:
 * EAGAIN, EOF, reset). wolfSSL
 * asks for exactly one record header, then exactly one record body, so a
 * plain recv() per request costs two system calls per record; the receive
 * callback instead reads with readv() into wolfSSL's buffer plus a small
 * read-ahead area, so most records arrive in one call and a small request
 * and the next record header come in together.
 *
 * Threads: one WOLFSSL_CTX serves many threads. Each WOLFSSL has its own
 * RNG; the session cache, the ticket key and the CA table are guarded by
 * wolfSSL's own locks (this build is not SINGLE_THREADED); the one
 * per-thread cache wolfCrypt keeps is freed at thread exit (below). */
#include <wolfssl/options.h>

#include <wolfssl/ssl.h>
#include <wolfssl/error-ssl.h>
#include <wolfssl/wolfcrypt/ecc.h>
#include <wolfssl/wolfcrypt/error-crypt.h>

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hb/alloc.h"
#include "hb/tls_groups.h"
#include "hb/tls_layer.h"

#if !defined(OPENSSL_EXTRA) || !defined(HAVE_SESSION_TICKET) || \
    !defined(HAVE_SUPPORTED_CURVES) || !defined(HAVE_SNI)
#error "this wolfSSL build lacks a feature the TLS backend needs"
#endif

#ifdef WOLFSSL_TLS13
#define WL_SUP_TLS13 HB_TLS_SUP_TLS13
#else
#define WL_SUP_TLS13 0
#endif

/* Static RSA key transport suites exist only with WOLFSSL_STATIC_RSA. */
#ifdef WOLFSSL_STATIC_RSA
#define WL_SUP_RSA_KX HB_TLS_SUP_RSA_KX
#else
#define WL_SUP_RSA_KX 0
#endif

/* Read-ahead per connection: holds the next record header and a small
 * record; larger records go straight into wolfSSL's buffer. */
#define WL_READ_AHEAD 8192

struct hb_tls_ctx {
  WOLFSSL_CTX *ctx;
  int server;
  unsigned groups; /* configured groups, bit i for wl_groups[i]; 0: any */
  hb_alpn_list alpn;    /* cfg.alpn */
  unsigned char alpn_opt; /* WOLFSSL_ALPN_*_ON_MISMATCH */
};

struct hb_tls_conn {
  hb_tls_base base; /* fd, counters, why the socket stopped */
  WOLFSSL *ssl;
  hb_tls_ctx *ctx;
  int done;        /* handshake finished */
  int shut_sent;   /* close_notify handed to the socket */
  hb_io rstop;     /* what ended reading (closed, reset, error), 0 */
  size_t ra_off, ra_len; /* unread read-ahead bytes */
  unsigned char ra[WL_READ_AHEAD];
};

/* ---- process-wide initialisation ---- */

static pthread_once_t wl_once = PTHREAD_ONCE_INIT;
static int wl_init_rc;

#ifdef FP_ECC
/* wolfCrypt's fixed-point ECC cache lives in thread-local storage and
 * only wc_ecc_fp_free() in the owning thread frees it: a thread that ran
 * a handshake gets this destructor for its exit. */
static pthread_key_t wl_thread_key;
static int wl_thread_key_ok;

static void wl_thread_exit(void *unused)
{
  wc_ecc_fp_free();
}

static void wl_thread_mark(void)
{
  if(wl_thread_key_ok && !pthread_getspecific(wl_thread_key))
    pthread_setspecific(wl_thread_key, &wl_thread_key_ok);
}
#else
static void wl_thread_mark(void)
{
}
#endif

static void wl_cleanup(void)
{
  wolfSSL_Cleanup();
}

/* wolfSSL_Init and the wolfCrypt_Init of the crypto table both count
 * their callers, so either order is safe; the once-guard keeps our own
 * call single when threads make contexts at once. */
static void wl_init_once(void)
{
#ifdef FP_ECC
  wl_thread_key_ok = !pthread_key_create(&wl_thread_key, wl_thread_exit);
#endif
  wl_init_rc = wolfSSL_Init();
  if(wl_init_rc == WOLFSSL_SUCCESS)
    atexit(wl_cleanup);
}

/* ---- errors ---- */

/* wolfSSL's own text for one of its (negative) error codes. */
static const char *wl_reason(int code, char *buf, size_t len)
{
  wolfSSL_ERR_error_string_n((unsigned long)code, buf, (unsigned long)len);
  return buf;
}

/* Our words for the certificate and negotiation failures users meet. */
static const char *wl_words(int code)
{
  switch(code) {
  case ASN_NO_SIGNER_E:
    return "certificate verify failed: unable to get local issuer "
           "certificate";
  case ASN_AFTER_DATE_E:
    return "certificate verify failed: certificate expired";
  case ASN_BEFORE_DATE_E:
    return "certificate verify failed: certificate not yet valid";
  case ASN_SIG_CONFIRM_E:
    return "certificate verify failed: certificate signature failure";
  case DOMAIN_NAME_MISMATCH:
    return "certificate verify failed: hostname mismatch";
  case IPADDR_MISMATCH:
    return "certificate verify failed: hostname mismatch (IP address)";
  case VERIFY_CERT_ERROR:
    return "certificate verify failed";
  case NO_PEER_CERT:
    return "peer did not return a certificate";
  case VERSION_ERROR:
    return "protocol version not accepted";
  case MATCH_SUITE_ERROR:
    return "no shared cipher suite";
  case ECC_CURVE_ERROR:
    return "no shared key exchange group";
  default:
    return NULL;
  }
}

/* Fills err with our words and wolfSSL's reason: code when it is an
 * error code, else the first one in this thread's error queue. */
static int __attribute__((format(printf, 4, 5)))
wl_ctx_fail(hb_err *err, int status, int code, const char *fmt, ...)
{
  char what[256], buf[WOLFSSL_MAX_ERROR_SZ];
  unsigned long e;
  va_list ap;

  va_start(ap, fmt);
  vsnprintf(what, sizeof(what), fmt, ap);
  va_end(ap);
  hb_err_set(err, status, "%s", what);
  if(code >= 0) {
    e = wolfSSL_ERR_get_error();
    code = -(int)(e & 0xffffff); /* the queue holds them negated */
    wolfSSL_ERR_clear_error();
    if(!e)
      return status;
  }
  hb_err_append(err, "wolfSSL: %s (%d)", wl_reason(code, buf, sizeof(buf)),
                code);
  return status;
}

/* The peer's close or a socket failure behind a failed call, if that is
 * what stopped it; HB_IO_OK if not. A FIN after the handshake is a close
 * (an unclean one, noted in err), before it a failure. */
static hb_io wl_io_closed(hb_tls_conn *c, int code, const char *what,
                          hb_err *err)
{
  int e = c->base.sys_errno;

  if(e == ECONNRESET) {
    hb_err_set(err, HB_ERROR, "%s failed: connection reset by peer", what);
    return HB_IO_RESET;
  }
  if(code == WOLFSSL_ERROR_ZERO_RETURN || c->base.eof) {
    if(c->done) {
      if(code != WOLFSSL_ERROR_ZERO_RETURN)
        hb_err_set(err, HB_OK, "peer closed without close_notify");
      return HB_IO_CLOSED;
    }
    hb_err_set(err, HB_ERROR, "%s failed: connection closed by peer",
               what);
    return HB_IO_ERROR;
  }
  if(e) {
    hb_err_set(err, HB_ERROR, "%s failed: socket: %s", what, strerror(e));
    return hb_tls_base_was_reset(&c->base) ? HB_IO_RESET : HB_IO_ERROR;
  }
  return HB_IO_OK;
}

/* Turns a failed wolfSSL call on c into an hb_io, filling err. */
static hb_io wl_io_fail(hb_tls_conn *c, int ret, const char *what,
                        hb_err *err)
{
  WOLFSSL_ALERT_HISTORY ah;
  char buf[WOLFSSL_MAX_ERROR_SZ];
  const char *words, *alert;
  long vr;
  hb_io io;
  int code = wolfSSL_get_error(c->ssl, ret);

  if(code == WOLFSSL_ERROR_WANT_READ)
    return HB_IO_WANT_READ;
  if(code == WOLFSSL_ERROR_WANT_WRITE)
    return HB_IO_WANT_WRITE;
  /* the reason is in code; keep the thread's error queue from filling */
  wolfSSL_ERR_clear_error();
  /* a fatal alert is the reason even when the peer hung up after it */
  if(code != FATAL_ERROR) {
    io = wl_io_closed(c, code, what, err);
    if(io != HB_IO_OK)
      return io;
  }
  words = wl_words(code);
  vr = wolfSSL_get_verify_result(c->ssl);
  if(words)
    hb_err_set(err, HB_ERROR, "%s failed: %s", what, words);
  else if(vr)
    hb_err_set(err, HB_ERROR, "%s failed: certificate verify failed: %s",
               what, wolfSSL_X509_verify_cert_error_string(vr));
  else
    hb_err_set(err, HB_ERROR, "%s failed", what);
  if(code == FATAL_ERROR && wolfSSL_get_alert_history(c->ssl, &ah) ==
     WOLFSSL_SUCCESS && ah.last_rx.code >= 0) {
    /* wolfSSL's alert names stop short of TLS 1.3's */
    alert = wolfSSL_alert_desc_string_long(ah.last_rx.code);
    if(!alert)
      alert = ah.last_rx.code == 116 ? "certificate_required" : "unknown";
    hb_err_append(err, "peer sent alert: %s (%d)", alert, ah.last_rx.code);
  }
  hb_err_append(err, "wolfSSL: %s (%d)", wl_reason(code, buf, sizeof(buf)),
                code);
  return HB_IO_ERROR;
}

/* ---- socket I/O callbacks ---- */

/* The callback's answer once the socket has nothing more to give. */
static int wl_recv_stop(hb_tls_conn *c)
{
  switch(c->rstop) {
  case HB_IO_CLOSED:
    return WOLFSSL_CBIO_ERR_CONN_CLOSE;
  case HB_IO_RESET:
    return WOLFSSL_CBIO_ERR_CONN_RST;
  case HB_IO_ERROR:
    return WOLFSSL_CBIO_ERR_GENERAL;
  default:
    return WOLFSSL_CBIO_ERR_WANT_READ;
  }
}

/* Gives wolfSSL up to sz bytes: first from the read-ahead, then with one
 * readv() filling its buffer and refilling the read-ahead behind it. EOF
 * and errors stick, so one seen behind buffered bytes is not lost. */
static int wl_recv(WOLFSSL *ssl, char *buf, int sz, void *arg)
{
  hb_tls_conn *c = arg;
  struct iovec iov[2];
  size_t want = (size_t)sz, got = 0, r;
  hb_io io;

  if(c->ra_len) {
    got = want < c->ra_len ? want : c->ra_len;
    memcpy(buf, c->ra + c->ra_off, got);
    c->ra_off += got;
    c->ra_len -= got;
    if(got == want)
      return (int)got;
  }
  if(c->rstop)
    return got ? (int)got : wl_recv_stop(c);
  iov[0].iov_base = buf + got;
  iov[0].iov_len = want - got;
  iov[1].iov_base = c->ra;
  iov[1].iov_len = sizeof(c->ra);
  io = hb_sock_readv(&c->base, iov, 2, &r);
  if(io == HB_IO_OK) {
    if(r > iov[0].iov_len) {
      c->ra_off = 0;
      c->ra_len = r - iov[0].iov_len;
      r = iov[0].iov_len;
    }
    return (int)(got + r);
  }
  if(io != HB_IO_WANT_READ)
    c->rstop = io;
  return got ? (int)got : wl_recv_stop(c);
}

static int wl_send(WOLFSSL *ssl, char *buf, int sz, void *arg)
{
  hb_tls_conn *c = arg;
  size_t n;
  hb_io io = hb_sock_write(&c->base, buf, (size_t)sz, &n);

  switch(io) {
  case HB_IO_OK:
    return (int)n;
  case HB_IO_WANT_WRITE:
    return WOLFSSL_CBIO_ERR_WANT_WRITE;
  case HB_IO_RESET:
    return c->base.sys_errno == EPIPE ? WOLFSSL_CBIO_ERR_CONN_CLOSE :
           WOLFSSL_CBIO_ERR_CONN_RST;
  default:
    return WOLFSSL_CBIO_ERR_GENERAL;
  }
}

/* ---- context ---- */

static int wl_version(int v, int *out)
{
  if(v == HB_TLS_1_2)
    *out = TLS1_2_VERSION;
#ifdef WOLFSSL_TLS13
  else if(v == HB_TLS_1_3)
    *out = TLS1_3_VERSION;
#endif
  else
    return -1;
  return 0;
}

static int wl_set_versions(hb_tls_ctx *t, const hb_tls_config *cfg,
                           hb_err *err)
{
  int v;

  if(cfg->min_version) {
    if(wl_version(cfg->min_version, &v))
      return hb_err_set(err, HB_UNSUPPORTED,
                        "minimum TLS version 0x%04x not supported",
                        cfg->min_version);
    if(wolfSSL_CTX_set_min_proto_version(t->ctx, v) != WOLFSSL_SUCCESS)
      return hb_err_set(err, HB_ERROR, "cannot set minimum TLS version "
                        "0x%04x", cfg->min_version);
  }
  if(cfg->max_version) {
    if(wl_version(cfg->max_version, &v))
      return hb_err_set(err, HB_UNSUPPORTED,
                        "maximum TLS version 0x%04x not supported",
                        cfg->max_version);
    if(wolfSSL_CTX_set_max_proto_version(t->ctx, v) != WOLFSSL_SUCCESS)
      return hb_err_set(err, HB_ERROR, "cannot set maximum TLS version "
                        "0x%04x", cfg->max_version);
  }
  return HB_OK;
}

/* The table's groups (hb/tls_groups.h) this backend offers: the IANA
 * id (which is also wolfSSL's), the name wolfSSL's curve lists take and
 * the one wolfSSL_get_curve_name() gives. */
static const struct {
  int id;
  const char *wolf, *curve;
} wl_groups[] = {
  { WOLFSSL_ECC_X25519, "X25519", "X25519" },
  { WOLFSSL_ECC_SECP256R1, "P-256", "SECP256R1" },
  { WOLFSSL_ECC_SECP384R1, "P-384", "SECP384R1" },
  { WOLFSSL_ECC_SECP521R1, "P-521", "SECP521R1" },
#ifdef WOLFSSL_HAVE_KYBER
  /* experimental round-3 Kyber hybrid (a scripts/libs build), TLS 1.3
   * only: not in the curve list, which takes ECC curves only */
  { WOLFSSL_P384_KYBER_LEVEL3, NULL, "P384_KYBER_LEVEL3" },
#endif
};
#define WL_NGROUPS (sizeof(wl_groups) / sizeof(wl_groups[0]))

/* cfg.groups -> wolfSSL's three group settings: the curve list (which
 * a TLS 1.2 server chooses from), the supported_groups extension a client
 * sends, and the TLS 1.3 key share preference. */
static int wl_set_groups(hb_tls_ctx *t, const char *list, hb_err *err)
{
  const hb_group *want[HB_GROUPS_MAX];
  char names[64];
  int ids[WL_NGROUPS], rc;
  size_t n, used = 0, i, k;

  rc = hb_groups_parse(list, want, HB_GROUPS_MAX, &n, err);
  if(rc)
    return rc;
  for(k = 0; k < n; k++) {
    for(i = 0; i < WL_NGROUPS && wl_groups[i].id != want[k]->id; i++)
      ;
    if(i == WL_NGROUPS)
      return hb_err_set(err, HB_UNSUPPORTED, "group %s: this backend "
                        "offers wolfSSL only x25519, p256, p384 and p521%s",
                        want[k]->name, WL_NGROUPS > 4 ?
                        " (and Kyber as p384kyber768)" : "");
    t->groups |= 1u << i;
    ids[k] = wl_groups[i].id;
    if(wl_groups[i].wolf)
      used += (size_t)snprintf(names + used, sizeof(names) - used, "%s%s",
                               used ? ":" : "", wl_groups[i].wolf);
    rc = wolfSSL_CTX_UseSupportedCurve(t->ctx, (word16)wl_groups[i].id);
    if(rc != WOLFSSL_SUCCESS)
      return wl_ctx_fail(err, HB_ERROR, rc, "cannot use group");
  }
  if(used && wolfSSL_CTX_set1_curves_list(t->ctx, names) != WOLFSSL_SUCCESS)
    return hb_err_set(err, HB_ERROR, "wolfSSL rejected groups %s", names);
  rc = wolfSSL_CTX_set_groups(t->ctx, ids, (int)n);
  if(rc != WOLFSSL_SUCCESS)
    return wl_ctx_fail(err, HB_ERROR, rc, "cannot set groups");
  return HB_OK;
}

/* The group the handshake used, as an index into wl_groups, or -1. */
static int wl_group(hb_tls_conn *c)
{
  const char *name = wolfSSL_get_curve_name(c->ssl);
  size_t i;

  for(i = 0; name && i < WL_NGROUPS; i++)
    if(!strcmp(name, wl_groups[i].curve))
      return (int)i;
  return -1;
}

/* wolfSSL gives no reason for a file it cannot open: say it first. */
static int wl_readable(const char *what, const char *path, hb_err *err)
{
  if(path && access(path, R_OK))
    return hb_err_set(err, HB_ERROR, "%s %s: %s", what, path,
                      strerror(errno));
  return HB_OK;
}

static int wl_set_certs(hb_tls_ctx *t, const hb_tls_config *cfg,
                        hb_err *err)
{
  int rc, mode;

  if(wl_readable("certificate chain", cfg->cert_file, err) ||
     wl_readable("private key", cfg->key_file, err) ||
     wl_readable("CA file", cfg->ca_file, err))
    return HB_ERROR;
  if(cfg->cert_file) {
    rc = wolfSSL_CTX_use_certificate_chain_file(t->ctx, cfg->cert_file);
    if(rc != WOLFSSL_SUCCESS)
      return wl_ctx_fail(err, HB_ERROR, rc, "cannot load certificate "
                         "chain %s", cfg->cert_file);
    rc = wolfSSL_CTX_use_PrivateKey_file(t->ctx, cfg->key_file ?
                                         cfg->key_file : cfg->cert_file,
                                         WOLFSSL_FILETYPE_PEM);
    if(rc != WOLFSSL_SUCCESS)
      return wl_ctx_fail(err, HB_ERROR, rc, "cannot load private key %s",
                         cfg->key_file ? cfg->key_file : cfg->cert_file);
    if(wolfSSL_CTX_check_private_key(t->ctx) != WOLFSSL_SUCCESS)
      return hb_err_set(err, HB_ERROR, "private key %s does not match "
                        "certificate %s", cfg->key_file, cfg->cert_file);
  }
  else if(cfg->server)
    return hb_err_set(err, HB_ERROR, "a server needs cert_file");
  if(cfg->ca_file) {
    rc = wolfSSL_CTX_load_verify_locations(t->ctx, cfg->ca_file, NULL);
    if(rc != WOLFSSL_SUCCESS)
      return wl_ctx_fail(err, HB_ERROR, rc, "cannot load CA file %s",
                         cfg->ca_file);
  }
  else if(cfg->verify_peer && !cfg->server) {
    rc = wolfSSL_CTX_load_system_CA_certs(t->ctx);
    if(rc != WOLFSSL_SUCCESS)
      return wl_ctx_fail(err, HB_ERROR, rc, "no ca_file and the system "
                         "CA certificates do not load");
  }
  else if(cfg->verify_peer)
    return hb_err_set(err, HB_ERROR, "verify_peer on a server needs "
                      "ca_file");
  if(!cfg->verify_peer)
    mode = WOLFSSL_VERIFY_NONE;
  else if(cfg->server)
    mode = WOLFSSL_VERIFY_PEER | WOLFSSL_VERIFY_FAIL_IF_NO_PEER_CERT;
  else
    mode = WOLFSSL_VERIFY_PEER;
  wolfSSL_CTX_set_verify(t->ctx, mode, NULL);
  return HB_OK;
}

static int wl_set_rsa_kx(hb_tls_ctx *t, const hb_tls_config *cfg,
                         hb_err *err)
{
#ifdef WOLFSSL_STATIC_RSA
  if(cfg->max_version == HB_TLS_1_3 || cfg->min_version == HB_TLS_1_3)
    return hb_err_set(err, HB_ERROR, "rsa_kx needs TLS 1.2");
  if(wolfSSL_CTX_set_max_proto_version(t->ctx, TLS1_2_VERSION) !=
     WOLFSSL_SUCCESS ||
     wolfSSL_CTX_set_cipher_list(t->ctx, "AES128-GCM-SHA256:"
                                 "AES256-GCM-SHA384:AES128-SHA256:"
                                 "AES256-SHA256") != WOLFSSL_SUCCESS)
    return hb_err_set(err, HB_UNSUPPORTED, "wolfSSL rejected the static "
                      "RSA key transport suites");
  return HB_OK;
#else
  return hb_err_set(err, HB_UNSUPPORTED, "RSA key transport: this wolfSSL "
                    "build has no static RSA cipher suites "
                    "(built without WOLFSSL_STATIC_RSA)");
#endif
}

/* wolfSSL's names for hb_tls_ciphers: the suites with that AEAD, TLS
 * 1.3, TLS 1.2 ECDHE-ECDSA and ECDHE-RSA, RSA key transport (NULL: TLS
 * has none). */
static const struct {
  const char *tls13, *ecdsa, *rsa, *rsa_kx;
} wl_ciphers[HB_TLS_NCIPHERS] = {
  { "TLS13-AES128-GCM-SHA256",
    "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256",
    "AES128-GCM-SHA256" },
  { "TLS13-AES256-GCM-SHA384",
    "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384",
    "AES256-GCM-SHA384" },
  { "TLS13-CHACHA20-POLY1305-SHA256",
    "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305", NULL }
};

/* Whether name is in the colon list have. */
static int wl_listed(const char *have, const char *name)
{
  size_t len = strlen(name);
  const char *p = have;

  while((p = strstr(p, name)) != NULL) {
    if((p == have || p[-1] == ':') && (p[len] == ':' || !p[len]))
      return 1;
    p += len;
  }
  return 0;
}

/* cfg.cipher: only that AEAD (with rsa_kx, its RSA key transport suite
 * alone). wolfSSL skips names it lacks without a word, so each one is
 * first looked up among the suites this build has. */
static int wl_set_cipher(hb_tls_ctx *t, const hb_tls_config *cfg,
                         hb_err *err)
{
  const char *want[3];
  char have[8192], list[160];
  size_t i, k, n = 0, used = 0;
  int rc;

  rc = hb_tls_cipher_find(cfg, &i, err);
  if(rc != HB_OK)
    return rc;
  if(cfg->rsa_kx)
    want[n++] = wl_ciphers[i].rsa_kx;
  else {
#ifdef WOLFSSL_TLS13
    want[n++] = wl_ciphers[i].tls13;
#endif
    want[n++] = wl_ciphers[i].ecdsa;
    want[n++] = wl_ciphers[i].rsa;
  }
  rc = wolfSSL_get_ciphers(have, (int)sizeof(have));
  if(rc != WOLFSSL_SUCCESS)
    return wl_ctx_fail(err, HB_ERROR, rc, "cannot list wolfSSL's suites");
  for(k = 0; k < n; k++) {
    if(!wl_listed(have, want[k]))
      return hb_err_set(err, HB_UNSUPPORTED, "cipher %s: this wolfSSL "
                        "build has no suite %s", cfg->cipher, want[k]);
    used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s",
                             k ? ":" : "", want[k]);
  }
  /* one list with TLS 1.3 and 1.2 names replaces both */
  rc = wolfSSL_CTX_set_cipher_list(t->ctx, list);
  if(rc != WOLFSSL_SUCCESS)
    return wl_ctx_fail(err, HB_ERROR, rc, "wolfSSL rejected the cipher "
                       "list %s", list);
  return HB_OK;
}

/* Server: session-ID cache and tickets on or off (the cache is wolfSSL's
 * process-wide one, 33 sessions in this build); client: offer tickets
 * and keep sessions out of that cache (the caller holds them through
 * session_get). */
static int wl_set_resumption(hb_tls_ctx *t, const hb_tls_config *cfg,
                             hb_err *err)
{
  long mode = WOLFSSL_SESS_CACHE_OFF;

  if(!cfg->server) {
    if(wolfSSL_CTX_UseSessionTicket(t->ctx) != WOLFSSL_SUCCESS)
      return hb_err_set(err, HB_ERROR, "cannot enable session tickets");
    wolfSSL_CTX_set_session_cache_mode(t->ctx, mode);
    return HB_OK;
  }
  if(cfg->session_cache)
    mode = WOLFSSL_SESS_CACHE_SERVER;
  wolfSSL_CTX_set_session_cache_mode(t->ctx, mode);
  if(!cfg->tickets) {
    if(wolfSSL_CTX_NoTicketTLSv12(t->ctx) != WOLFSSL_SUCCESS)
      return hb_err_set(err, HB_ERROR, "cannot disable TLS 1.2 tickets");
#ifdef WOLFSSL_TLS13
    /* this one returns 0 on success */
    {
      int r13 = wolfSSL_CTX_no_ticket_TLSv13(t->ctx);
      if(r13 != 0)
        return hb_err_set(err, HB_ERROR, "cannot disable TLS 1.3 tickets "
                          "(wolfSSL error %d)", r13);
    }
#endif
  }
  return HB_OK;
}

static void wl_ctx_free(hb_tls_ctx *t)
{
  if(!t)
    return;
  if(t->ctx)
    wolfSSL_CTX_free(t->ctx);
  free(t);
}

static int wl_alpn_select(WOLFSSL *ssl, const unsigned char **out,
                          unsigned char *outlen, const unsigned char *in,
                          unsigned int inlen, void *arg)
{
  const hb_tls_ctx *t = arg;
  int i = hb_alpn_select(&t->alpn, in, inlen);

  (void)ssl;
  if(i < 0) /* 5.7 acts on this; 5.5 goes on to its own matching */
    return t->alpn_opt == WOLFSSL_ALPN_FAILED_ON_MISMATCH ?
           SSL_TLSEXT_ERR_ALERT_FATAL : SSL_TLSEXT_ERR_NOACK;
  *out = (const unsigned char *)t->alpn.names[i];
  *outlen = t->alpn.len[i];
  return SSL_TLSEXT_ERR_OK;
}

static int wl_ctx_new(const hb_tls_config *cfg, hb_tls_ctx **out,
                      hb_err *err)
{
  hb_tls_ctx *t;
  WOLFSSL_METHOD *method;
  int rc;

  *out = NULL;
  pthread_once(&wl_once, wl_init_once);
  wolfSSL_ERR_clear_error(); /* so a failure below reads its own */
  if(wl_init_rc != WOLFSSL_SUCCESS)
    return wl_ctx_fail(err, HB_ERROR, wl_init_rc, "wolfSSL_Init failed");
  t = calloc(1, sizeof(*t));
  if(!t)
    return hb_err_set(err, HB_ERROR, "out of memory");
  t->server = cfg->server;
  rc = HB_ERROR;
  /* the "any version" methods; min and max narrow them below */
  method = cfg->server ? wolfSSLv23_server_method() :
           wolfSSLv23_client_method();
  t->ctx = method ? wolfSSL_CTX_new(method) : NULL;
  if(!t->ctx) {
    hb_err_set(err, HB_ERROR, "wolfSSL_CTX_new failed");
    goto out;
  }
  /* resumption first: wolfSSL 5.7 refuses to turn TLS 1.3 tickets off
   * (BAD_FUNC_ARG) once a version range has narrowed the method */
  rc = wl_set_resumption(t, cfg, err);
  if(!rc)
    rc = wl_set_versions(t, cfg, err);
  if(!rc && cfg->rsa_kx)
    rc = wl_set_rsa_kx(t, cfg, err);
  if(!rc && cfg->cipher)
    rc = wl_set_cipher(t, cfg, err);
  if(!rc)
    rc = wl_set_certs(t, cfg, err);
  if(!rc && cfg->groups)
    rc = wl_set_groups(t, cfg->groups, err);
  if(!rc)
    rc = hb_alpn_parse(cfg->alpn, &t->alpn, err);
  if(rc)
    goto out;
  /* only a strict server fails; a client goes on whatever the server
   * answers */
  t->alpn_opt = cfg->server && cfg->alpn_strict ?
                WOLFSSL_ALPN_FAILED_ON_MISMATCH :
                WOLFSSL_ALPN_CONTINUE_ON_MISMATCH;
  /* wolfSSL's own matching takes the client's first; the callback,
   * tried before it, chooses by ours (when it finds nothing, 5.7 takes
   * its answer, 5.5's own matching finds nothing either and applies
   * alpn_opt) */
  if(cfg->server && t->alpn.n)
    wolfSSL_CTX_set_alpn_select_cb(t->ctx, wl_alpn_select, t);
  wolfSSL_CTX_SetIORecv(t->ctx, wl_recv);
  wolfSSL_CTX_SetIOSend(t->ctx, wl_send);
  /* a whole flight in one send() rather than one per message */
  wolfSSL_CTX_set_group_messages(t->ctx);
  *out = t;
  return HB_OK;

out:
  wl_ctx_free(t);
  return rc;
}

/* ---- connections ---- */

static void wl_conn_free(hb_tls_conn *c)
{
  if(!c)
    return;
  if(c->ssl)
    wolfSSL_free(c->ssl);
  free(c);
}

/* wolfSSL matches an IPv6 SAN against the text it makes of it: eight
 * groups of four hex digits. */
static void wl_ip6_text(const unsigned char *a, char *out, size_t len)
{
  snprintf(out, len, "%02x%02x:%02x%02x:%02x%02x:%02x%02x:%02x%02x:"
           "%02x%02x:%02x%02x:%02x%02x", a[0], a[1], a[2], a[3], a[4], a[5],
           a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14], a[15]);
}

/* Client: SNI and host name check for a name, IP SAN check for an
 * address (which is never sent as SNI). */
static int wl_set_peer_name(hb_tls_conn *c, const char *sni, hb_err *err)
{
  unsigned char addr[16];
  char text[64], ip6[40];
  const char *ip = NULL;
  int verify = wolfSSL_get_verify_mode(c->ssl) != WOLFSSL_VERIFY_NONE;

  switch(hb_tls_ip_literal(sni, addr, text, sizeof(text))) {
  case 4:
    ip = text;
    break;
  case 16:
    wl_ip6_text(addr, ip6, sizeof(ip6));
    ip = ip6;
    break;
  }
  if(!ip && wolfSSL_UseSNI(c->ssl, WOLFSSL_SNI_HOST_NAME, sni,
                           (word16)strlen(sni)) != WOLFSSL_SUCCESS)
    return hb_err_set(err, HB_ERROR, "cannot set SNI %s", sni);
  if(!verify)
    return HB_OK;
  if(ip && wolfSSL_X509_VERIFY_PARAM_set1_ip_asc(wolfSSL_get0_param(c->ssl),
                                                 ip) != WOLFSSL_SUCCESS)
    return hb_err_set(err, HB_ERROR, "cannot set IP address %s to verify",
                      sni);
  if(!ip && wolfSSL_check_domain_name(c->ssl, sni) != WOLFSSL_SUCCESS)
    return hb_err_set(err, HB_ERROR, "cannot set host name %s to verify",
                      sni);
  return HB_OK;
}

static int wl_conn_new(hb_tls_ctx *t, int fd, const char *sni,
                       hb_tls_conn **out, hb_err *err)
{
  hb_tls_conn *c;
  int rc = HB_ERROR;

  *out = NULL;
  c = hb_malloc(sizeof(*c));
  if(!c)
    return hb_err_set(err, HB_ERROR, "out of memory");
  /* the read-ahead area needs no clearing */
  memset(c, 0, offsetof(hb_tls_conn, ra));
  hb_tls_base_init(&c->base, fd, NULL, NULL); /* no trace */
  c->ctx = t;
  c->ssl = wolfSSL_new(t->ctx);
  if(!c->ssl) {
    hb_err_set(err, HB_ERROR, "wolfSSL_new failed");
    goto out;
  }
  wolfSSL_SetIOReadCtx(c->ssl, c);
  wolfSSL_SetIOWriteCtx(c->ssl, c);
  /* the list is copied into the connection */
  if(t->alpn.n &&
     wolfSSL_UseALPN(c->ssl, t->alpn.comma, (unsigned)strlen(t->alpn.comma),
                     t->alpn_opt) != WOLFSSL_SUCCESS) {
    hb_err_set(err, HB_ERROR, "wolfSSL_UseALPN(%s) failed", t->alpn.comma);
    goto out;
  }
  if(!t->server && sni && *sni) {
    rc = wl_set_peer_name(c, sni, err);
    if(rc)
      goto out;
  }
  *out = c;
  return HB_OK;

out:
  wl_conn_free(c);
  return rc;
}

static hb_io wl_handshake(hb_tls_conn *c, hb_err *err)
{
  int ret, g;

  if(c->done)
    return HB_IO_OK;
  wl_thread_mark();
  ret = c->ctx->server ? wolfSSL_accept(c->ssl) : wolfSSL_connect(c->ssl);
  if(ret != WOLFSSL_SUCCESS)
    return wl_io_fail(c, ret, "TLS handshake", err);
  /* a wolfSSL TLS 1.2 server with no group in common falls back to its
   * own, and the wolfSSL client takes it: refuse that here */
  g = wl_group(c);
  if(c->ctx->groups && g >= 0 && !(c->ctx->groups & 1u << g)) {
    hb_err_set(err, HB_ERROR, "TLS handshake failed: peer chose key "
               "exchange group %s, which is not configured",
               hb_group_name((unsigned)wl_groups[g].id));
    return HB_IO_ERROR;
  }
  c->done = 1;
  return HB_IO_OK;
}

static hb_io wl_read(hb_tls_conn *c, void *buf, size_t len, size_t *n,
                     hb_err *err)
{
  int ret;

  *n = 0;
  if(!len)
    return HB_IO_OK;
  ret = wolfSSL_read(c->ssl, buf, len > INT_MAX ? INT_MAX : (int)len);
  if(ret > 0) {
    *n = (size_t)ret;
    return HB_IO_OK;
  }
  return wl_io_fail(c, ret, "TLS read", err);
}

/* After WANT_WRITE wolfSSL keeps the record it had encrypted and must be
 * called again with the same buffer; it then reports the whole length. */
static hb_io wl_write(hb_tls_conn *c, const void *buf, size_t len,
                      size_t *n, hb_err *err)
{
  int ret;

  *n = 0;
  if(!len)
    return HB_IO_OK;
  ret = wolfSSL_write(c->ssl, buf, len > INT_MAX ? INT_MAX : (int)len);
  if(ret > 0) {
    *n = (size_t)ret;
    return HB_IO_OK;
  }
  return wl_io_fail(c, ret, "TLS write", err);
}

static hb_io wl_shutdown(hb_tls_conn *c, hb_err *err)
{
  int ret;

  if(c->shut_sent)
    return HB_IO_OK;
  /* 0 (not done: peer's close_notify not seen) or 1: ours is sent */
  ret = wolfSSL_shutdown(c->ssl);
  if(ret < 0)
    return wl_io_fail(c, ret, "TLS shutdown", err);
  c->shut_sent = 1;
  return HB_IO_OK;
}

static int wl_info(hb_tls_conn *c, hb_tls_info *info)
{
  const char *name = NULL;
  WOLFSSL_CIPHER *cipher;
  int suite, g;

  hb_tls_base_info(&c->base, info);
  if(!c->done)
    return HB_OK;
  info->version = wolfSSL_version(c->ssl);
  suite = wolfSSL_get_current_cipher_suite(c->ssl);
  if(suite >= 0)
    name = wolfSSL_get_cipher_name_iana_from_suite(
        (unsigned char)(suite >> 8), (unsigned char)suite);
  if(!name) {
    cipher = wolfSSL_get_current_cipher(c->ssl);
    name = cipher ? wolfSSL_CIPHER_get_name(cipher) : NULL;
  }
  snprintf(info->cipher, sizeof(info->cipher), "%s", name ? name : "");
  g = wl_group(c);
  if(g >= 0)
    snprintf(info->group, sizeof(info->group), "%s",
             hb_group_name((unsigned)wl_groups[g].id));
  info->resumed = wolfSSL_session_reused(c->ssl) == 1;
  return HB_OK;
}

/* ---- client sessions ---- */

static int wl_session_get(hb_tls_conn *c, hb_tls_session **out,
                          hb_err *err)
{
  WOLFSSL_SESSION *s;

  *out = NULL;
  if(c->ctx->server)
    return hb_err_set(err, HB_ERROR, "session_get is for clients");
  if(!c->done)
    return HB_OK;
  s = wolfSSL_get1_session(c->ssl);
  if(!s)
    return HB_OK;
  /* a TLS 1.3 session needs a ticket; a 1.2 one a ticket or an ID */
  if(!wolfSSL_SESSION_is_resumable(s)) {
    wolfSSL_SESSION_free(s);
    return HB_OK;
  }
  *out = (hb_tls_session *)s;
  return HB_OK;
}

static int wl_session_set(hb_tls_conn *c, hb_tls_session *s, hb_err *err)
{
  int rc;

  if(!s)
    return HB_OK;
  rc = wolfSSL_set_session(c->ssl, (WOLFSSL_SESSION *)s);
  if(rc != WOLFSSL_SUCCESS)
    return wl_ctx_fail(err, HB_ERROR, rc, "wolfSSL_set_session failed");
  return HB_OK;
}

static void wl_session_free(hb_tls_session *s)
{
  if(s)
    wolfSSL_SESSION_free((WOLFSSL_SESSION *)s);
}

static size_t wl_alpn_get(hb_tls_conn *c, char *out, size_t len)
{
  char *p = NULL;
  unsigned short n = 0;

  if(wolfSSL_ALPN_GetProtocol(c->ssl, &p, &n) != WOLFSSL_SUCCESS)
    return hb_alpn_copy(NULL, 0, out, len);
  return hb_alpn_copy(p, n, out, len);
}

const hb_tls_ops hb_wolfssl_tls = {
  "wolfssl",
  WL_SUP_TLS13 | HB_TLS_SUP_TICKETS | HB_TLS_SUP_SESSION_ID |
  HB_TLS_SUP_GROUPS | WL_SUP_RSA_KX | HB_TLS_SUP_ALPN |
  HB_TLS_SUP_ALPN_FALLBACK,
  wl_ctx_new, wl_ctx_free, wl_conn_new, wl_handshake, wl_read, wl_write,
  wl_shutdown, wl_info, wl_conn_free, wl_session_get, wl_session_set,
  wl_session_free,
  NULL, /* conn_reuse */
  NULL, /* write_early */
#ifdef WOLFSSL_EARLY_DATA
  /* the tuned 5.7 set has it (scripts/libs: --enable-earlydata); this
   * backend does not drive wolfSSL_write_early_data/read_early_data yet */
  "0-RTT early data: not implemented in httpsbench's wolfSSL backend "
  "(this wolfSSL build has WOLFSSL_EARLY_DATA)",
#else
  "Debian's wolfSSL is built without WOLFSSL_EARLY_DATA: no 0-RTT early "
  "data",
#endif
  NULL, NULL, /* writev, sendfile: records need the bytes in memory */
  wl_alpn_get
};
