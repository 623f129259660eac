/* TLS connection table for OpenSSL 3 and, compiled a second time with
 * -DHB_BORINGSSL=1 against BoringSSL's headers, for BoringSSL.
 *
 * The library does the socket I/O itself through a socket BIO on the
 * caller's fd (SSL_set_fd; an OpenSSL client holding its Finished
 * writes through a BIO of ours instead, see ot_holds); the BIOs'
 * counters give the raw byte counts (copied into the layer's connection
 * base, hb/tls_layer.h, for info), and SSL_read/SSL_write move data
 * straight between the caller's buffer and the record layer. Both
 * libraries keep their RNG, session cache and ticket keys thread-safe
 * internally, so one SSL_CTX serves every thread without locks of ours.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#if defined(HB_BORINGSSL) && !defined(OPENSSL_IS_BORINGSSL)
#error "HB_BORINGSSL is set but these are not BoringSSL's headers"
#endif

#ifdef OPENSSL_IS_BORINGSSL
#define OT_BSSL 1
#define OT_LIB "BoringSSL"
#define OT_NAME "boringssl"
#else
#define OT_LIB "OpenSSL"
#define OT_NAME "openssl"
#endif

#include "hb/alloc.h"
#include "hb/tls_groups.h"
#include "hb/tls_layer.h"
#include "openssl_err.h"

/* Record content types the trace reports; record headers serve only to
 * spot a received CCS, TLS 1.3 inner content types are dropped. */
#define OT_CT_CCS 20
#define OT_CT_ALERT 21
#define OT_CT_HANDSHAKE 22
#define OT_CT_HEADER SSL3_RT_HEADER /* pseudo type: a record header */

struct hb_tls_ctx {
  SSL_CTX *ssl;
  int server;
  int verify;            /* verify_peer */
  uint32_t max_early;    /* server: max_early_data */
  hb_tls_msg_fn on_msg;
  void *msg_arg;
  hb_alpn_list alpn;     /* cfg.alpn */
  int alpn_strict;
#ifndef OT_BSSL
  BIO_METHOD *hold_meth; /* client with cfg.hold_finished: the write BIO */
#endif
};

struct hb_tls_conn {
  hb_tls_base base;      /* fd, counters, last errno, trace */
  SSL *ssl;
  hb_tls_ctx *ctx;
  SSL_SESSION *last;     /* client: newest session the server gave us */
  int up;                /* handshake completed (OpenSSL forgets this
                            once a fatal error puts it back "in init") */
  int failed;            /* a fatal error: nothing more may be sent */
  int shut;              /* our close_notify is out */
  int rx_ccs;            /* trace: a received CCS seen in its header */
  int early_sent;        /* client: write_early put data out */
#ifndef OT_BSSL
  /* OpenSSL server with early data: until SSL_read_early_data says
   * FINISH, early data is read with it (and answered with
   * SSL_write_early_data); what the handshake read waits in ebuf */
  int early;
  unsigned char *ebuf;
  size_t elen, eoff;
  /* client with cfg.hold_finished: the handshake's last flight, kept
   * back by the write BIO (ot_hold_write) until the next write, read or
   * shutdown; held[hoff, hlen) is still to go */
  unsigned char *held;
  size_t hlen, hoff, hcap;
  int in_hs;             /* inside ot_handshake: only there is it held */
#endif
};

struct hb_tls_session {
  SSL_SESSION *sess;
};

/* The table's groups (hb/tls_groups.h) the library has: IANA id, the
 * library's name and NID. */
static const struct {
  unsigned id;
  const char *lib;
  int nid;
} ot_groups[] = {
  { HB_GROUP_X25519, "X25519", NID_X25519 },
  { HB_GROUP_P256, "P-256", NID_X9_62_prime256v1 },
  { HB_GROUP_P384, "P-384", NID_secp384r1 },
  { HB_GROUP_P521, "P-521", NID_secp521r1 },
#ifndef OT_BSSL
  { HB_GROUP_X448, "X448", NID_X448 },
  { HB_GROUP_FFDHE2048, "ffdhe2048", NID_ffdhe2048 },
  { HB_GROUP_FFDHE3072, "ffdhe3072", NID_ffdhe3072 },
  { HB_GROUP_FFDHE4096, "ffdhe4096", NID_ffdhe4096 },
  { HB_GROUP_FFDHE6144, "ffdhe6144", NID_ffdhe6144 },
  { HB_GROUP_FFDHE8192, "ffdhe8192", NID_ffdhe8192 },
#if OPENSSL_VERSION_NUMBER >= 0x30500000L /* ML-KEM hybrids */
  { HB_GROUP_X25519MLKEM768, "X25519MLKEM768", NID_undef },
  { HB_GROUP_P256MLKEM768, "SecP256r1MLKEM768", NID_undef },
  { HB_GROUP_P384MLKEM1024, "SecP384r1MLKEM1024", NID_undef },
#endif
#elif defined(SSL_CURVE_X25519KYBER768) /* BoringSSL 14: Kyber drafts */
  { HB_GROUP_X25519KYBER768, "X25519Kyber", NID_X25519Kyber768 },
  { HB_GROUP_P256KYBER768, "P256Kyber", NID_P256Kyber768 },
#endif
};
#define OT_NGROUPS (sizeof(ot_groups) / sizeof(ot_groups[0]))

/* TLS 1.2 suites with RSA key transport: the AEAD ones. */
#define OT_RSA_KX_CIPHERS \
  "AES128-GCM-SHA256:AES256-GCM-SHA384"

/* OpenSSL's names for hb_tls_ciphers: the TLS 1.3 suite, the TLS 1.2
 * ECDHE suites and the RSA key transport suite with that AEAD (NULL: none
 * exists). */
static const struct {
  const char *tls13;
  const char *ecdhe;
  const char *rsa_kx;
} ot_ciphers[HB_TLS_NCIPHERS] = {
  { "TLS_AES_128_GCM_SHA256",
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256",
    "AES128-GCM-SHA256" },
  { "TLS_AES_256_GCM_SHA384",
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384",
    "AES256-GCM-SHA384" },
  { "TLS_CHACHA20_POLY1305_SHA256",
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305", NULL }
};

/* The library's text for code. BoringSSL's reasons are identifiers
 * (CERTIFICATE_VERIFY_FAILED): put them in words like OpenSSL's, keeping
 * the code. */
static void ot_reason(unsigned long code, char *buf, size_t len)
{
#ifdef OT_BSSL
  const char *r = ERR_reason_error_string(code);
  size_t i;

  if(!r || len < 32) {
    ERR_error_string_n(code, buf, len);
    return;
  }
  for(i = 0; r[i] && i < len - 24; i++)
    buf[i] = r[i] == '_' ? ' ' :
             (char)(r[i] >= 'A' && r[i] <= 'Z' ? r[i] - 'A' + 'a' : r[i]);
  snprintf(buf + i, len - i, " (error:%08lx)", code);
#else
  ERR_error_string_n(code, buf, len);
#endif
}

int hb_ossl_fail(hb_err *err, int status, const char *fmt, ...)
{
  char lib[256];
  unsigned long code = ERR_get_error();
  va_list ap;

  if(code)
    ot_reason(code, lib, sizeof(lib));
  else
    snprintf(lib, sizeof(lib), "%s", OT_LIB " queued no error");
  ERR_clear_error();
  if(!err)
    return status;
  va_start(ap, fmt);
  vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
  va_end(ap);
  hb_err_append(err, "%s", lib);
  return status;
}

static int ot_global_init(hb_err *err)
{
#ifdef OT_BSSL
  CRYPTO_library_init();
#else
  if(!OPENSSL_init_ssl(OPENSSL_INIT_LOAD_SSL_STRINGS |
                       OPENSSL_INIT_LOAD_CRYPTO_STRINGS, NULL))
    return hb_ossl_fail(err, HB_ERROR, "OPENSSL_init_ssl failed");
#endif
  return HB_OK;
}

/* ---- trace and session callbacks ---- */

static void ot_msg_cb(int write_p, int version, int content_type,
                      const void *buf, size_t len, SSL *ssl, void *arg)
{
  hb_tls_conn *c = SSL_get_app_data(ssl);
  const unsigned char *p = buf;
  int hs_type = -1;

  if(!c || !c->base.on_msg)
    return;
  if(content_type == OT_CT_HEADER) {
    /* OpenSSL 3.0 reports no received ChangeCipherSpec; its record
     * header is the only trace of it */
    if(write_p || len < 5 || p[0] != OT_CT_CCS)
      return;
    c->rx_ccs = 1;
    hb_tls_trace(&c->base, 0, OT_CT_CCS, -1, ((size_t)p[3] << 8) | p[4]);
    return;
  }
  if(content_type == OT_CT_CCS && !write_p && c->rx_ccs) {
    c->rx_ccs = 0; /* reported from its header already */
    return;
  }
  if(content_type != OT_CT_CCS && content_type != OT_CT_ALERT &&
     content_type != OT_CT_HANDSHAKE)
    return;
  if(content_type == OT_CT_HANDSHAKE) {
    if(len < 1)
      return;
    hs_type = p[0];
  }
  hb_tls_trace(&c->base, write_p ? 1 : 0, content_type, hs_type, len);
}

/* Client: called once a session becomes resumable (TLS 1.2 after the
 * handshake, TLS 1.3 for each NewSessionTicket). Keeping the newest one
 * here is what lets TLS 1.3 resume: SSL_get1_session may return the
 * ticketless handshake session. Returning 1 keeps the reference. */
static int ot_new_session_cb(SSL *ssl, SSL_SESSION *sess)
{
  hb_tls_conn *c = SSL_get_app_data(ssl);

  if(!c || !SSL_SESSION_is_resumable(sess))
    return 0;
  if(c->last)
    SSL_SESSION_free(c->last);
  c->last = sess;
  return 1;
}

/* ---- context ---- */

/* cfg.groups -> "X25519:P-256"; tls12: P-256 and P-384 follow for the
 * ECDSA certificates (see ot_set_ciphers). */
static int ot_groups_list(const char *in, int tls12, char *out,
                          size_t outlen, hb_err *err)
{
  static const unsigned cert[] = { HB_GROUP_P256, HB_GROUP_P384 };
  const hb_group *want[HB_GROUPS_MAX];
  unsigned ids[HB_GROUPS_MAX + 2];
  size_t i, k, n, used = 0;
  int rc;

  rc = hb_groups_parse(in, want, HB_GROUPS_MAX, &n, err);
  if(rc)
    return rc;
  for(i = 0; i < n; i++)
    ids[i] = want[i]->id;
  for(k = 0; tls12 && k < 2; k++) {
    for(i = 0; i < n && ids[i] != cert[k]; i++)
      ;
    if(i == n)
      ids[n++] = cert[k];
  }
  for(i = 0; i < n; i++) {
    for(k = 0; k < OT_NGROUPS && ot_groups[k].id != ids[i]; k++)
      ;
    if(k == OT_NGROUPS)
      return hb_err_set(err, HB_UNSUPPORTED, "%s has no key exchange "
                        "group %s", OT_LIB, hb_group_name(ids[i]));
    used += (size_t)snprintf(out + used, outlen - used, "%s%s",
                             used ? ":" : "", ot_groups[k].lib);
    if(used >= outlen)
      return hb_err_set(err, HB_ERROR, "group list too long: %s", in);
  }
  return HB_OK;
}

static int ot_set_versions(SSL_CTX *sctx, const hb_tls_config *cfg,
                           hb_err *err)
{
  int max = cfg->max_version;

  if(cfg->rsa_kx) {
    /* RSA key transport exists only up to TLS 1.2 */
    if(cfg->min_version > HB_TLS_1_2)
      return hb_err_set(err, HB_ERROR, "rsa_kx needs TLS 1.2 but the "
                        "minimum version is 0x%04x", cfg->min_version);
    if(!max || max > HB_TLS_1_2)
      max = HB_TLS_1_2;
  }
  if(cfg->min_version &&
     !SSL_CTX_set_min_proto_version(sctx, (uint16_t)cfg->min_version))
    return hb_ossl_fail(err, HB_ERROR, "cannot set minimum version 0x%04x",
                   cfg->min_version);
  if(max && !SSL_CTX_set_max_proto_version(sctx, (uint16_t)max))
    return hb_ossl_fail(err, HB_ERROR, "cannot set maximum version 0x%04x",
                   max);
  return HB_OK;
}

/* cfg.cipher: only that AEAD, in the TLS 1.3 suite and the TLS 1.2
 * ECDHE suites (with rsa_kx, the RSA key transport suite instead). */
static int ot_set_cipher(SSL_CTX *sctx, const hb_tls_config *cfg,
                         hb_err *err)
{
  const char *list;
  size_t i;
#ifndef OT_BSSL
  STACK_OF(SSL_CIPHER) *have;
  int k, n;
#endif
  int rc = hb_tls_cipher_find(cfg, &i, err);

  if(rc != HB_OK)
    return rc;
  list = cfg->rsa_kx ? ot_ciphers[i].rsa_kx : ot_ciphers[i].ecdhe;
#ifdef OT_BSSL
  /* TLS 1.2 only: this BoringSSL has no API for its TLS 1.3 suites (no
   * SSL_CTX_set_ciphersuites, no compliance policy, no AES hardware
   * override). Its client always offers AES-128-GCM, AES-256-GCM and
   * ChaCha20-Poly1305 (ChaCha20 first without AES instructions); its
   * server takes the first of the client's list (ChaCha20 whenever
   * offered, without AES instructions). So a peer pinned to one suite
   * gets it, but between two BoringSSL ends TLS 1.3 is not pinned:
   * info.cipher says what was used. Strict: a TLS 1.2 suite the library
   * lacks fails here. */
  if(!SSL_CTX_set_strict_cipher_list(sctx, list))
    return hb_ossl_fail(err, HB_UNSUPPORTED, "%s lacks the TLS 1.2 suites "
                        "%s", OT_LIB, list);
#else
  if(!SSL_CTX_set_cipher_list(sctx, list))
    return hb_ossl_fail(err, HB_UNSUPPORTED, "%s lacks the TLS 1.2 suites "
                        "%s", OT_LIB, list);
  /* an unknown TLS 1.3 name is skipped silently: look for it */
  if(!SSL_CTX_set_ciphersuites(sctx, ot_ciphers[i].tls13))
    return hb_ossl_fail(err, HB_UNSUPPORTED, "%s rejected the TLS 1.3 "
                        "suite %s", OT_LIB, ot_ciphers[i].tls13);
  have = SSL_CTX_get_ciphers(sctx);
  n = have ? sk_SSL_CIPHER_num(have) : 0;
  for(k = 0; k < n; k++)
    if(SSL_CIPHER_get_protocol_id(sk_SSL_CIPHER_value(have, k)) ==
       hb_tls_ciphers[i].tls13)
      break;
  if(k == n)
    return hb_err_set(err, HB_UNSUPPORTED, "%s has no TLS 1.3 suite %s",
                      OT_LIB, ot_ciphers[i].tls13);
#endif
  return HB_OK;
}

static int ot_set_ciphers(SSL_CTX *sctx, const hb_tls_config *cfg,
                          hb_err *err)
{
  char list[160];
  int rc;

  if(cfg->cipher) {
    rc = ot_set_cipher(sctx, cfg, err);
    if(rc)
      return rc;
  }
  else if(cfg->rsa_kx) {
#ifdef OT_BSSL
    /* strict: fails when the library dropped one of the suites */
    if(!SSL_CTX_set_strict_cipher_list(sctx, OT_RSA_KX_CIPHERS))
#else
    if(!SSL_CTX_set_cipher_list(sctx, OT_RSA_KX_CIPHERS))
#endif
      return hb_ossl_fail(err, HB_UNSUPPORTED, "%s has no RSA key transport "
                     "suites (%s)", OT_LIB, OT_RSA_KX_CIPHERS);
  }
  if(cfg->groups) {
    /* In TLS 1.2 the groups list also names the curves an ECDSA
     * certificate may use: keep P-256 and P-384 after the requested key
     * exchange groups, or an x25519-only list refuses every ECDSA
     * certificate. The first group both sides list is still the one used
     * for the key exchange (info.group tells which was). */
    rc = ot_groups_list(cfg->groups, !cfg->max_version ||
                        cfg->max_version <= HB_TLS_1_2, list, sizeof(list),
                        err);
    if(rc)
      return rc;
    if(!SSL_CTX_set1_curves_list(sctx, list))
      return hb_ossl_fail(err, HB_ERROR, "cannot set groups %s", list);
  }
#ifdef OT_BSSL
  {
    /* BoringSSL leaves Ed25519 out of its default verify list */
    static const uint16_t prefs[] = {
      SSL_SIGN_ECDSA_SECP256R1_SHA256, SSL_SIGN_RSA_PSS_RSAE_SHA256,
      SSL_SIGN_RSA_PKCS1_SHA256, SSL_SIGN_ECDSA_SECP384R1_SHA384,
      SSL_SIGN_RSA_PSS_RSAE_SHA384, SSL_SIGN_RSA_PKCS1_SHA384,
      SSL_SIGN_RSA_PSS_RSAE_SHA512, SSL_SIGN_RSA_PKCS1_SHA512,
      SSL_SIGN_ED25519
    };
    if(!SSL_CTX_set_verify_algorithm_prefs(sctx, prefs,
                                           sizeof(prefs) / sizeof(*prefs)))
      return hb_ossl_fail(err, HB_ERROR, "cannot set verify algorithms");
  }
#endif
  return HB_OK;
}

static int ot_no_verify(X509_STORE_CTX *store, void *arg)
{
  return 1;
}

static int ot_set_certs(SSL_CTX *sctx, const hb_tls_config *cfg,
                        hb_err *err)
{
  if(cfg->server && (!cfg->cert_file || !cfg->key_file))
    return hb_err_set(err, HB_ERROR, "a TLS server needs cert_file and "
                      "key_file");
  if(cfg->cert_file) {
    if(!SSL_CTX_use_certificate_chain_file(sctx, cfg->cert_file))
      return hb_ossl_fail(err, HB_ERROR, "cannot load certificate chain %s",
                     cfg->cert_file);
    if(!cfg->key_file)
      return hb_err_set(err, HB_ERROR, "cert_file %s without key_file",
                        cfg->cert_file);
    if(!SSL_CTX_use_PrivateKey_file(sctx, cfg->key_file,
                                    SSL_FILETYPE_PEM))
      return hb_ossl_fail(err, HB_ERROR, "cannot load private key %s",
                     cfg->key_file);
    if(!SSL_CTX_check_private_key(sctx))
      return hb_ossl_fail(err, HB_ERROR, "key %s does not match certificate "
                     "%s", cfg->key_file, cfg->cert_file);
  }
  if(!cfg->verify_peer) {
    SSL_CTX_set_verify(sctx, SSL_VERIFY_NONE, NULL);
    /* VERIFY_NONE still builds and checks the chain, then ignores the
     * result: skip that work outright */
    if(!cfg->server)
      SSL_CTX_set_cert_verify_callback(sctx, ot_no_verify, NULL);
    return HB_OK;
  }
  if(cfg->ca_file) {
    if(!SSL_CTX_load_verify_locations(sctx, cfg->ca_file, NULL))
      return hb_ossl_fail(err, HB_ERROR, "cannot load CA file %s",
                     cfg->ca_file);
  }
  else if(cfg->server)
    return hb_err_set(err, HB_ERROR, "a server verifying clients needs "
                      "ca_file");
  else if(!SSL_CTX_set_default_verify_paths(sctx))
    return hb_ossl_fail(err, HB_ERROR, "cannot load the default CA store");
  if(cfg->server) {
    STACK_OF(X509_NAME) *names = SSL_load_client_CA_file(cfg->ca_file);

    if(!names)
      return hb_ossl_fail(err, HB_ERROR, "cannot read CA names from %s",
                     cfg->ca_file);
    SSL_CTX_set_client_CA_list(sctx, names);
    SSL_CTX_set_verify(sctx, SSL_VERIFY_PEER |
                       SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
  }
  else
    SSL_CTX_set_verify(sctx, SSL_VERIFY_PEER, NULL);
  return HB_OK;
}

static void ot_set_resumption(SSL_CTX *sctx, const hb_tls_config *cfg)
{
  static const unsigned char sid_ctx[] = "httpsbench";

  if(!cfg->server) {
    /* sessions reach us through the callback; no cache in the ctx */
    SSL_CTX_set_session_cache_mode(sctx, SSL_SESS_CACHE_CLIENT |
                                   SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_sess_set_new_cb(sctx, ot_new_session_cb);
    return;
  }
  /* needed for resumption once client certificates are involved */
  SSL_CTX_set_session_id_context(sctx, sid_ctx, sizeof(sid_ctx) - 1);
  /* OpenSSL's anti-replay for 0-RTT makes its tickets stateful: each
   * one lives in the server's cache and is good for one early-data use */
  SSL_CTX_set_session_cache_mode(sctx, cfg->session_cache ||
                                 cfg->max_early_data ?
                                 SSL_SESS_CACHE_SERVER :
                                 SSL_SESS_CACHE_OFF);
  if(!cfg->tickets) {
    /* no 1.2 tickets; no 1.3 tickets of either kind (OpenSSL would
     * otherwise issue stateful 1.3 tickets from the session cache) */
    SSL_CTX_set_options(sctx, SSL_OP_NO_TICKET);
    SSL_CTX_set_num_tickets(sctx, 0);
  }
}

/* Server: the first of our protocols the client offers; with none in
 * common, refuse (strict) or go on without ALPN. */
static int ot_alpn_select(SSL *ssl, const unsigned char **out,
                          unsigned char *outlen, const unsigned char *in,
                          unsigned int inlen, void *arg)
{
  const hb_tls_ctx *ctx = arg;
  int i = hb_alpn_select(&ctx->alpn, in, inlen);

  (void)ssl;
  if(i < 0)
    return ctx->alpn_strict ? SSL_TLSEXT_ERR_ALERT_FATAL
                            : SSL_TLSEXT_ERR_NOACK;
  *out = (const unsigned char *)ctx->alpn.names[i];
  *outlen = ctx->alpn.len[i];
  return SSL_TLSEXT_ERR_OK;
}

static int ot_set_alpn(hb_tls_ctx *ctx, const hb_tls_config *cfg,
                       hb_err *err)
{
  int rc = hb_alpn_parse(cfg->alpn, &ctx->alpn, err);

  if(rc || !ctx->alpn.n)
    return rc;
  ctx->alpn_strict = cfg->alpn_strict;
  if(cfg->server) {
    SSL_CTX_set_alpn_select_cb(ctx->ssl, ot_alpn_select, ctx);
    return HB_OK;
  }
  /* 0 is success here, unlike the rest of the API */
  if(SSL_CTX_set_alpn_protos(ctx->ssl, ctx->alpn.wire,
                             (unsigned)ctx->alpn.wire_len))
    return hb_ossl_fail(err, HB_ERROR, "SSL_CTX_set_alpn_protos failed");
  return HB_OK;
}

#ifndef OT_BSSL
/* ---- client: the Finished leaves with the request ----
 *
 * A client's handshake ends with its Finished (TLS 1.3, and a resumed
 * TLS 1.2 handshake); its request follows at once: two writes, two
 * segments, and the server may wake for the first alone. With
 * cfg.hold_finished the write BIO keeps that last flight back, only
 * inside ot_handshake, and sends it in one sendmsg with whatever is
 * written next (the request, or close_notify); ot_read sends it before
 * reading, so nothing can wait for it. Reads stay on a socket BIO.
 * OpenSSL buffers a flight's records during the handshake and hands
 * them down in one BIO write when the flight is complete. */

/* The flight being written ends the handshake. */
static int ot_holds(const hb_tls_conn *c)
{
  return c->in_hs && SSL_get_state(c->ssl) == TLS_ST_CW_FINISHED &&
         (SSL_version(c->ssl) == TLS1_3_VERSION ||
          SSL_session_reused(c->ssl));
}

static int ot_hold_append(hb_tls_conn *c, const char *data, size_t len)
{
  if(c->hlen + len > c->hcap) {
    size_t cap = c->hlen + len < 512 ? 512 : c->hlen + len;
    unsigned char *p = hb_realloc(c->held, cap);

    if(!p)
      return -1;
    c->held = p;
    c->hcap = cap;
  }
  memcpy(c->held + c->hlen, data, len);
  c->hlen += len;
  return 0;
}

static void ot_held_sent(hb_tls_conn *c, size_t n)
{
  c->hoff += n;
  if(c->hoff == c->hlen)
    c->hoff = c->hlen = 0;
}

/* BIO write: held bytes first, in the same sendmsg. */
static int ot_hold_write(BIO *b, const char *data, int len)
{
  hb_tls_conn *c = BIO_get_data(b);
  size_t rest = c->hlen - c->hoff, n = 0;
  struct iovec v[2];
  hb_io io;

  BIO_clear_retry_flags(b);
  if(len <= 0)
    return 0;
  if(ot_holds(c) && !ot_hold_append(c, data, (size_t)len))
    return len;
  v[0].iov_base = c->held + c->hoff;
  v[0].iov_len = rest;
  v[1].iov_base = (void *)data;
  v[1].iov_len = (size_t)len;
  io = hb_sock_writev(&c->base, rest ? v : v + 1, rest ? 2 : 1, 0, &n);
  if(io == HB_IO_OK && n > rest) {
    ot_held_sent(c, rest);
    return (int)(n - rest);
  }
  if(io == HB_IO_OK) { /* part of the held bytes only */
    ot_held_sent(c, n);
    io = HB_IO_WANT_WRITE;
  }
  if(io == HB_IO_WANT_WRITE)
    BIO_set_retry_write(b);
  else
    errno = c->base.sys_errno; /* for ot_io, as a socket BIO leaves it */
  return -1;
}

static long ot_hold_ctrl(BIO *b, int cmd, long num, void *ptr)
{
  (void)b;
  (void)num;
  (void)ptr;
  return cmd == BIO_CTRL_FLUSH; /* the held flight stays held */
}

static int ot_hold_meth_new(hb_tls_ctx *ctx, hb_err *err)
{
  /* no BIO_get_new_index(): its indexes run out after 127 */
  ctx->hold_meth = BIO_meth_new(BIO_TYPE_SOURCE_SINK,
                                "httpsbench held Finished");
  if(!ctx->hold_meth || !BIO_meth_set_write(ctx->hold_meth, ot_hold_write) ||
     !BIO_meth_set_ctrl(ctx->hold_meth, ot_hold_ctrl))
    return hb_ossl_fail(err, HB_ERROR, "BIO_meth_new failed");
  return HB_OK;
}

/* Sends what ot_hold_write kept back. */
static hb_io ot_flush_held(hb_tls_conn *c, const char *what, hb_err *err)
{
  while(c->hoff < c->hlen) {
    size_t n = 0;
    hb_io io = hb_sock_write(&c->base, c->held + c->hoff,
                             c->hlen - c->hoff, &n);

    if(io == HB_IO_WANT_WRITE)
      return io;
    if(io != HB_IO_OK) {
      c->failed = 1;
      return hb_sock_fail(&c->base, io, what, err);
    }
    ot_held_sent(c, n);
  }
  return HB_IO_OK;
}
#endif

static void ot_ctx_free(hb_tls_ctx *ctx)
{
  if(!ctx)
    return;
  SSL_CTX_free(ctx->ssl);
#ifndef OT_BSSL
  BIO_meth_free(ctx->hold_meth);
#endif
  free(ctx);
}

static int ot_ctx_new(const hb_tls_config *cfg, hb_tls_ctx **out,
                      hb_err *err)
{
  hb_tls_ctx *ctx = NULL;
  int rc;

  *out = NULL;
  rc = ot_global_init(err);
  if(rc)
    return rc;
  ctx = calloc(1, sizeof(*ctx));
  if(!ctx)
    return hb_err_set(err, HB_ERROR, "out of memory");
  ctx->server = cfg->server;
  ctx->verify = cfg->verify_peer;
  ctx->on_msg = cfg->on_msg;
  ctx->msg_arg = cfg->msg_arg;
  ERR_clear_error();
  ctx->ssl = SSL_CTX_new(TLS_method());
  if(!ctx->ssl) {
    rc = hb_ossl_fail(err, HB_ERROR, "SSL_CTX_new failed");
    goto out;
  }
  /* partial writes: *n tells the caller what went out; the caller may
   * retry from a moved pointer */
  SSL_CTX_set_mode(ctx->ssl, SSL_MODE_ENABLE_PARTIAL_WRITE |
                   SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  SSL_CTX_set_options(ctx->ssl, SSL_OP_NO_RENEGOTIATION);
  rc = ot_set_versions(ctx->ssl, cfg, err);
  if(!rc)
    rc = ot_set_ciphers(ctx->ssl, cfg, err);
  if(!rc)
    rc = ot_set_certs(ctx->ssl, cfg, err);
  if(!rc)
    rc = ot_set_alpn(ctx, cfg, err);
  if(rc)
    goto out;
  ot_set_resumption(ctx->ssl, cfg);
  if(cfg->server && cfg->max_early_data) {
    if(!cfg->tickets) {
      rc = hb_err_set(err, HB_ERROR, "%s: early data needs tickets",
                      OT_NAME);
      goto out;
    }
    ctx->max_early = cfg->max_early_data;
#ifdef OT_BSSL
    /* BoringSSL's limit is its own (14336 bytes), not configurable */
    SSL_CTX_set_early_data_enabled(ctx->ssl, 1);
#else
    if(!SSL_CTX_set_max_early_data(ctx->ssl, cfg->max_early_data) ||
       !SSL_CTX_set_recv_max_early_data(ctx->ssl, cfg->max_early_data)) {
      rc = hb_ossl_fail(err, HB_ERROR, "SSL_CTX_set_max_early_data failed");
      goto out;
    }
#endif
  }
  if(cfg->on_msg) {
    SSL_CTX_set_msg_callback(ctx->ssl, ot_msg_cb);
    SSL_CTX_set_msg_callback_arg(ctx->ssl, ctx);
  }
#ifndef OT_BSSL
  if(!cfg->server && cfg->hold_finished) {
    rc = ot_hold_meth_new(ctx, err);
    if(rc)
      goto out;
  }
#endif
  *out = ctx;
  ctx = NULL;
out:
  ot_ctx_free(ctx);
  return rc;
}

/* ---- connection ---- */

/* Client: SNI for names, and the name or address the certificate must
 * match when verifying. */
static int ot_set_host(hb_tls_conn *c, const char *sni, hb_err *err)
{
  unsigned char addr[16];
  char ip[64];
  X509_VERIFY_PARAM *param;
  int is_ip;

  if(!sni) {
    if(c->ctx->verify)
      return hb_err_set(err, HB_ERROR, "verify_peer needs a host name to "
                        "check the certificate against");
    return HB_OK;
  }
  is_ip = hb_tls_ip_literal(sni, addr, ip, sizeof(ip)) != 0;
  if(!is_ip && !SSL_set_tlsext_host_name(c->ssl, sni))
    return hb_ossl_fail(err, HB_ERROR, "cannot set SNI %s", sni);
  if(!c->ctx->verify)
    return HB_OK;
  param = SSL_get0_param(c->ssl);
  if(is_ip) {
    if(!X509_VERIFY_PARAM_set1_ip_asc(param, ip))
      return hb_ossl_fail(err, HB_ERROR, "cannot verify IP address %s", sni);
    return HB_OK;
  }
  X509_VERIFY_PARAM_set_hostflags(param,
                                  X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  if(!X509_VERIFY_PARAM_set1_host(param, sni, strlen(sni)))
    return hb_ossl_fail(err, HB_ERROR, "cannot verify host name %s", sni);
  return HB_OK;
}

static void ot_conn_free(hb_tls_conn *c)
{
  if(!c)
    return;
  if(c->ssl) {
#ifndef OT_BSSL
    /* OpenSSL drops (and marks unresumable) the session of a connection
     * freed before close_notify went out; only a failed one deserves
     * that, so the rest count as shut down */
    if(!c->failed && c->up)
      SSL_set_shutdown(c->ssl, SSL_get_shutdown(c->ssl) |
                       SSL_SENT_SHUTDOWN);
#endif
    SSL_free(c->ssl);
  }
  if(c->last)
    SSL_SESSION_free(c->last);
#ifndef OT_BSSL
  free(c->ebuf);
  free(c->held);
#endif
  free(c);
}

/* Client: the library reads what the socket has, not a record header and
 * then its body: one read per response or flight instead of two per
 * record. Safe as callers read until HB_IO_WANT_READ (tls.h); off while
 * early data is out, whose answer may come with the server's Finished
 * while the caller waits for the handshake only (ot_read turns it back
 * on). BoringSSL has no such switch: the call does nothing there. */
static void ot_read_ahead(hb_tls_conn *c)
{
  SSL_set_read_ahead(c->ssl, 1);
}

/* The connection's BIOs on fd, neither closing it when freed: a socket
 * BIO, or one to read and ours to write (cfg.hold_finished). */
static int ot_set_io(hb_tls_conn *c, int fd, hb_err *err)
{
#ifndef OT_BSSL
  if(c->ctx->hold_meth) {
    BIO *r = BIO_new_socket(fd, BIO_NOCLOSE);
    BIO *w = BIO_new(c->ctx->hold_meth);

    if(!r || !w) {
      BIO_free(r);
      BIO_free(w);
      return hb_ossl_fail(err, HB_ERROR, "BIO_new failed");
    }
    BIO_set_data(w, c);
    BIO_set_init(w, 1);
    SSL_set_bio(c->ssl, r, w);
    c->hlen = c->hoff = 0;
    return HB_OK;
  }
#endif
  if(!SSL_set_fd(c->ssl, fd))
    return hb_ossl_fail(err, HB_ERROR, "SSL_set_fd(%d) failed", fd);
  return HB_OK;
}

static int ot_conn_new(hb_tls_ctx *ctx, int fd, const char *sni,
                       hb_tls_conn **out, hb_err *err)
{
  hb_tls_conn *c;
  int rc = HB_OK;

  *out = NULL;
  c = hb_calloc(1, sizeof(*c));
  if(!c)
    return hb_err_set(err, HB_ERROR, "out of memory");
  c->ctx = ctx;
  hb_tls_base_init(&c->base, fd, ctx->on_msg, ctx->msg_arg);
  ERR_clear_error();
  c->ssl = SSL_new(ctx->ssl);
  if(!c->ssl) {
    rc = hb_ossl_fail(err, HB_ERROR, "SSL_new failed");
    goto out;
  }
  rc = ot_set_io(c, fd, err);
  if(rc)
    goto out;
  SSL_set_app_data(c->ssl, c);
  if(ctx->server) {
    SSL_set_accept_state(c->ssl);
#ifndef OT_BSSL
    c->early = ctx->max_early > 0;
#endif
  }
  else {
    SSL_set_connect_state(c->ssl);
    ot_read_ahead(c);
    rc = ot_set_host(c, sni, err);
  }
out:
  if(rc) {
    ot_conn_free(c);
    return rc;
  }
  *out = c;
  return HB_OK;
}

/* Adds why certificate verification failed, when it did. */
static void ot_verify_detail(hb_tls_conn *c, hb_err *err)
{
  long v = SSL_get_verify_result(c->ssl);

  if(v != X509_V_OK)
    hb_err_append(err, "%s", X509_verify_cert_error_string(v));
}

/* The handshake ran to its end, not just to where a server may read
 * early data and answer it. */
static int ot_done(hb_tls_conn *c)
{
#ifdef OT_BSSL
  return c->up && !SSL_in_early_data(c->ssl);
#else
  return c->up && !c->early;
#endif
}

/* Maps an SSL_* return value ret <= 0 to hb_io; sys is errno right after
 * the call. */
static hb_io ot_io(hb_tls_conn *c, int ret, int sys, const char *what,
                   hb_err *err)
{
  int e = SSL_get_error(c->ssl, ret);
  int done = ot_done(c);
  unsigned long code;

  switch(e) {
  case SSL_ERROR_WANT_READ:
    return HB_IO_WANT_READ;
  case SSL_ERROR_WANT_WRITE:
    return HB_IO_WANT_WRITE;
  case SSL_ERROR_ZERO_RETURN:
    if(done)
      return HB_IO_CLOSED;
    c->failed = 1;
    hb_err_set(err, HB_ERROR, "%s: peer sent close_notify during the "
               "handshake", what);
    return HB_IO_ERROR;
  case SSL_ERROR_SYSCALL:
    c->failed = 1;
    ERR_clear_error();
    c->base.sys_errno = sys;
    if(hb_tls_base_was_reset(&c->base)) {
      hb_err_set(err, HB_ERROR, "%s: connection reset (%s)", what,
                 strerror(sys));
      return HB_IO_RESET;
    }
    if(sys)
      break;
    goto eof;
  case SSL_ERROR_SSL:
    c->failed = 1;
    code = ERR_peek_error();
#ifdef SSL_R_UNEXPECTED_EOF_WHILE_READING
    if(ERR_GET_LIB(code) == ERR_LIB_SSL &&
       ERR_GET_REASON(code) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
      ERR_clear_error();
      goto eof;
    }
#endif
    hb_ossl_fail(err, HB_ERROR, "%s failed", what);
    if(ERR_GET_LIB(code) == ERR_LIB_SSL &&
       ERR_GET_REASON(code) == SSL_R_CERTIFICATE_VERIFY_FAILED)
      ot_verify_detail(c, err);
    return HB_IO_ERROR;
#ifdef OT_BSSL
  case SSL_ERROR_EARLY_DATA_REJECTED:
    c->failed = 1;
    hb_err_set(err, HB_ERROR, "%s: the server rejected the early data "
               "before all of it was written", what);
    return HB_IO_ERROR;
#endif
  default:
    c->failed = 1;
    hb_ossl_fail(err, HB_ERROR, "%s: unexpected SSL_get_error %d", what, e);
    return HB_IO_ERROR;
  }
  hb_err_set(err, HB_ERROR, "%s: %s", what, strerror(sys));
  return HB_IO_ERROR;
eof:
  if(done) {
    /* a FIN without close_notify still ends the stream (see tls.h) */
    hb_err_set(err, HB_OK, "peer closed without close_notify");
    return HB_IO_CLOSED;
  }
  hb_err_set(err, HB_ERROR, "%s: connection closed by peer during the "
             "handshake", what);
  return HB_IO_ERROR;
}

#ifndef OT_BSSL
/* OpenSSL server: reads early data into ebuf while there is some. HB_IO_OK
 * with c->early still set: early data waits in ebuf; with c->early clear:
 * there is no (more) early data, the handshake goes on as usual. */
static hb_io ot_pull_early(hb_tls_conn *c, const char *what, hb_err *err)
{
  size_t cap = c->ctx->max_early, got, room;
  unsigned char tmp[2048];
  int r, sys;
  hb_io io;

  while(c->elen < cap) {
    room = cap - c->elen < sizeof(tmp) ? cap - c->elen : sizeof(tmp);
    ERR_clear_error();
    errno = 0;
    got = 0;
    r = SSL_read_early_data(c->ssl, tmp, room, &got);
    sys = errno;
    if(r == SSL_READ_EARLY_DATA_SUCCESS) {
      /* the buffer only for connections that bring early data */
      if(got && !c->ebuf && !(c->ebuf = hb_malloc(cap))) {
        c->failed = 1;
        hb_err_set(err, HB_ERROR, "out of memory for early data");
        return HB_IO_ERROR;
      }
      memcpy(c->ebuf + c->elen, tmp, got);
      c->elen += got;
      continue;
    }
    if(r == SSL_READ_EARLY_DATA_FINISH) {
      c->early = 0;
      return HB_IO_OK;
    }
    io = ot_io(c, 0, sys, what, err);
    if((io == HB_IO_WANT_READ || io == HB_IO_WANT_WRITE) &&
       c->elen > c->eoff)
      return HB_IO_OK; /* answer what came; the rest follows */
    return io;
  }
  return HB_IO_OK;
}
#endif

static hb_io ot_handshake(hb_tls_conn *c, hb_err *err)
{
  int r, sys;

  if(c->failed) {
    hb_err_set(err, HB_ERROR, "TLS handshake: connection already failed");
    return HB_IO_ERROR;
  }
#ifndef OT_BSSL
  if(c->early) {
    hb_io io = ot_pull_early(c, "TLS handshake", err);

    if(io != HB_IO_OK)
      return io;
    if(c->early) {
      c->up = 1; /* the request is here; the client's Finished later */
      return HB_IO_OK;
    }
  }
#endif
  for(;;) {
    ERR_clear_error();
    errno = 0;
#ifndef OT_BSSL
    c->in_hs = 1;
#endif
    r = SSL_do_handshake(c->ssl);
    sys = errno;
#ifndef OT_BSSL
    c->in_hs = 0;
#endif
#ifdef OT_BSSL
    /* a client returns early once its early data may go out (see
     * ot_write_early); called again, it goes on with the handshake. A
     * server returning early has early data to read: that is the point */
    if(r == 1 && !c->ctx->server && SSL_in_early_data(c->ssl))
      continue;
    if(r <= 0 && SSL_get_error(c->ssl, r) ==
       SSL_ERROR_EARLY_DATA_REJECTED) {
      SSL_reset_early_data_reject(c->ssl); /* full or 1-RTT from here */
      continue;
    }
#endif
    break;
  }
  if(r == 1) {
    c->up = 1;
    return HB_IO_OK;
  }
  return ot_io(c, r, sys, "TLS handshake", err);
}

#ifndef OT_BSSL
/* OpenSSL's one call for early data either way: a client's 0-RTT data, a
 * server's 0.5-RTT answer to it. */
static hb_io ot_early_write(hb_tls_conn *c, const void *buf, size_t len,
                            size_t *n, const char *what, hb_err *err)
{
  int r, sys;

  ERR_clear_error();
  errno = 0;
  r = SSL_write_early_data(c->ssl, buf, len, n);
  sys = errno;
  if(r == 1)
    return HB_IO_OK;
  *n = 0;
  return ot_io(c, r, sys, what, err);
}
#endif

/* Client: the request as 0-RTT data, with the ClientHello. */
static hb_io ot_write_early(hb_tls_conn *c, const void *buf, size_t len,
                            size_t *n, hb_err *err)
{
  SSL_SESSION *sess = SSL_get_session(c->ssl);
#ifdef OT_BSSL
  int r, sys;
#endif

  *n = 0;
  if(c->ctx->server || c->up || !len) {
    hb_err_set(err, HB_ERROR, "early data: only a client sends it, "
               "before its handshake");
    return HB_IO_ERROR;
  }
#ifdef OT_BSSL
  if(!c->early_sent) {
    if(!sess || !SSL_SESSION_early_data_capable(sess))
      return HB_IO_OK;
    SSL_set_early_data_enabled(c->ssl, 1);
  }
  if(!SSL_in_early_data(c->ssl)) {
    ERR_clear_error();
    errno = 0;
    r = SSL_do_handshake(c->ssl);
    sys = errno;
    if(r <= 0)
      return ot_io(c, r, sys, "TLS early data", err);
    if(!SSL_in_early_data(c->ssl))
      return HB_IO_OK; /* the library decided against it */
  }
  c->early_sent = 1;
  if(len > INT_MAX)
    len = INT_MAX;
  ERR_clear_error();
  errno = 0;
  r = SSL_write(c->ssl, buf, (int)len);
  sys = errno;
  if(r > 0) {
    *n = (size_t)r;
    return HB_IO_OK;
  }
  return ot_io(c, r, sys, "TLS early data", err);
#else
  if(!c->early_sent &&
     (!sess || SSL_SESSION_get_max_early_data(sess) < len))
    return HB_IO_OK;
  c->early_sent = 1;
  SSL_set_read_ahead(c->ssl, 0); /* see ot_read_ahead */
  return ot_early_write(c, buf, len, n, "TLS early data", err);
#endif
}

static hb_io ot_read(hb_tls_conn *c, void *buf, size_t len, size_t *n,
                     hb_err *err)
{
  int r, sys;

  *n = 0;
  if(!len)
    return HB_IO_OK;
#ifndef OT_BSSL
  if(c->early && c->eoff == c->elen) {
    hb_io io = ot_pull_early(c, "TLS read", err);

    if(io != HB_IO_OK)
      return io;
  }
  if(c->eoff < c->elen) {
    *n = c->elen - c->eoff < len ? c->elen - c->eoff : len;
    memcpy(buf, c->ebuf + c->eoff, *n);
    c->eoff += *n;
    if(c->eoff == c->elen) {
      c->eoff = c->elen = 0;
      if(!c->early) {
        free(c->ebuf); /* early data is over for this connection */
        c->ebuf = NULL;
      }
    }
    return HB_IO_OK;
  }
#endif
#ifndef OT_BSSL
  if(c->early_sent && c->up && !SSL_get_read_ahead(c->ssl))
    ot_read_ahead(c); /* the handshake with early data is over */
  if(c->hoff < c->hlen) {
    hb_io io = ot_flush_held(c, "TLS read", err);

    if(io != HB_IO_OK)
      return io;
  }
#endif
  if(len > INT_MAX)
    len = INT_MAX;
  ERR_clear_error();
  errno = 0;
  r = SSL_read(c->ssl, buf, (int)len);
  sys = errno;
  if(r > 0) {
    c->up = 1; /* SSL_read may have run the handshake itself */
    *n = (size_t)r;
    return HB_IO_OK;
  }
  return ot_io(c, r, sys, "TLS read", err);
}

static hb_io ot_write(hb_tls_conn *c, const void *buf, size_t len,
                      size_t *n, hb_err *err)
{
  int r, sys;

  *n = 0;
  if(!len)
    return HB_IO_OK;
#ifndef OT_BSSL
  if(c->early) /* the answer to early data, before the client's Finished */
    return ot_early_write(c, buf, len, n, "TLS write", err);
#endif
  if(len > INT_MAX)
    len = INT_MAX;
  ERR_clear_error();
  errno = 0;
  r = SSL_write(c->ssl, buf, (int)len);
  sys = errno;
  if(r > 0) {
    c->up = 1;
    *n = (size_t)r;
    return HB_IO_OK;
  }
  return ot_io(c, r, sys, "TLS write", err);
}

static hb_io ot_shutdown(hb_tls_conn *c, hb_err *err)
{
  int r, sys;

  /* after a fatal error or before a handshake there is no session to
   * close: nothing to send (nor in the middle of one: OpenSSL refuses a
   * close_notify before the client's Finished) */
  if(c->failed || c->shut || !ot_done(c))
    return HB_IO_OK;
  ERR_clear_error();
  errno = 0;
  r = SSL_shutdown(c->ssl);
  sys = errno;
  if(r >= 0) {
    /* 0: ours sent, theirs not seen; calling again would wait for it */
    c->shut = 1;
    return HB_IO_OK;
  }
  return ot_io(c, r, sys, "TLS shutdown", err);
}

static const char *ot_group_name(SSL *ssl)
{
#ifdef OT_BSSL
  return hb_group_name(SSL_get_curve_id(ssl)); /* the IANA id */
#elif OPENSSL_VERSION_NUMBER >= 0x30200000L
  /* by name: hybrid groups have no NID */
  const char *name = SSL_get0_group_name(ssl);
  const hb_group *g = name ? hb_group_find(name, strlen(name)) : NULL;
  return g ? g->name : "";
#else
  int nid = SSL_get_negotiated_group(ssl);
  size_t i;

  for(i = 0; i < OT_NGROUPS; i++)
    if(ot_groups[i].nid == nid)
      return hb_group_name(ot_groups[i].id);
  return "";
#endif
}

static int ot_info(hb_tls_conn *c, hb_tls_info *info)
{
  const SSL_CIPHER *cipher;
  const char *name = NULL;

  c->base.bytes_in = (uint64_t)BIO_number_read(SSL_get_rbio(c->ssl));
#ifndef OT_BSSL
  /* ours counts what went out (hb_sock_*): a held Finished is not yet */
  if(!c->ctx->hold_meth)
#endif
    c->base.bytes_out = (uint64_t)BIO_number_written(SSL_get_wbio(c->ssl));
  hb_tls_base_info(&c->base, info);
  if(!c->up)
    return HB_OK;
  info->version = SSL_version(c->ssl);
  cipher = SSL_get_current_cipher(c->ssl);
  if(cipher) {
    name = SSL_CIPHER_standard_name(cipher);
    if(!name)
      name = SSL_CIPHER_get_name(cipher);
  }
  snprintf(info->cipher, sizeof(info->cipher), "%s", name ? name : "");
  snprintf(info->group, sizeof(info->group), "%s",
           ot_group_name(c->ssl));
  info->resumed = SSL_session_reused(c->ssl) ? 1 : 0;
#ifdef OT_BSSL
  if(SSL_early_data_accepted(c->ssl))
#else
  if(SSL_get_early_data_status(c->ssl) == SSL_EARLY_DATA_ACCEPTED)
#endif
    info->early_data = HB_EARLY_ACCEPTED;
  else if(c->early_sent)
    info->early_data = HB_EARLY_REJECTED;
  return HB_OK;
}

static size_t ot_alpn_get(hb_tls_conn *c, char *out, size_t len)
{
  const unsigned char *p = NULL;
  unsigned n = 0;

  SSL_get0_alpn_selected(c->ssl, &p, &n);
  return hb_alpn_copy(p, n, out, len);
}

/* ---- client sessions ---- */

static int ot_session_get(hb_tls_conn *c, hb_tls_session **out,
                          hb_err *err)
{
  SSL_SESSION *sess;
  hb_tls_session *s;

  *out = NULL;
  if(c->ctx->server)
    return HB_OK;
  if(c->last) {
    sess = c->last;
    SSL_SESSION_up_ref(sess);
  }
  else
    sess = SSL_get1_session(c->ssl); /* e.g. a resumed TLS 1.2 one */
  if(!sess)
    return HB_OK;
  if(!SSL_SESSION_is_resumable(sess)) {
    SSL_SESSION_free(sess);
    return HB_OK;
  }
  s = malloc(sizeof(*s));
  if(!s) {
    SSL_SESSION_free(sess);
    return hb_err_set(err, HB_ERROR, "out of memory");
  }
  s->sess = sess;
  *out = s;
  return HB_OK;
}

static int ot_session_set(hb_tls_conn *c, hb_tls_session *s, hb_err *err)
{
  if(!s)
    return HB_OK;
  ERR_clear_error();
  if(!SSL_set_session(c->ssl, s->sess))
    return hb_ossl_fail(err, HB_ERROR, "SSL_set_session failed");
  return HB_OK;
}

static void ot_session_free(hb_tls_session *s)
{
  if(!s)
    return;
  SSL_SESSION_free(s->sess);
  free(s);
}

/* One symbol for both builds: each engine links one of the two. */
/* A finished connection, ready for the next socket (see tls.h). */
static int ot_conn_reuse(hb_tls_conn *c, int fd, const char *sni,
                         hb_err *err)
{
  int rc;

  if(c->failed || !c->up)
    return hb_err_set(err, HB_ERROR, "only a connection that completed "
                      "cleanly can be reused");
#ifndef OT_BSSL
  /* as in ot_conn_free: keep the session it made resumable */
  SSL_set_shutdown(c->ssl, SSL_get_shutdown(c->ssl) | SSL_SENT_SHUTDOWN);
#endif
  ERR_clear_error();
  if(!SSL_clear(c->ssl))
    return hb_ossl_fail(err, HB_ERROR, "SSL_clear failed");
  SSL_set_session(c->ssl, NULL); /* SSL_clear keeps it: offer none */
#ifdef OT_BSSL
  if(!c->ctx->server)
    SSL_set_early_data_enabled(c->ssl, 0); /* write_early turns it on */
#endif
  if(c->last) {
    SSL_SESSION_free(c->last);
    c->last = NULL;
  }
  c->up = c->failed = c->shut = c->rx_ccs = c->early_sent = 0;
  hb_tls_base_reset(&c->base, fd);
#ifndef OT_BSSL
  c->early = c->ctx->server && c->ctx->max_early > 0;
  c->elen = c->eoff = 0;
#endif
  rc = ot_set_io(c, fd, err);
  if(rc)
    return rc;
  if(c->ctx->server) {
    SSL_set_accept_state(c->ssl);
    return HB_OK;
  }
  SSL_set_connect_state(c->ssl);
  ot_read_ahead(c);
  return ot_set_host(c, sni, err);
}

const hb_tls_ops hb_openssl_tls = {
  OT_NAME,
  HB_TLS_SUP_TLS13 | HB_TLS_SUP_TICKETS | HB_TLS_SUP_SESSION_ID |
  HB_TLS_SUP_GROUPS | HB_TLS_SUP_RSA_KX | HB_TLS_SUP_TRACE |
  HB_TLS_SUP_EARLY_DATA | HB_TLS_SUP_ALPN | HB_TLS_SUP_ALPN_FALLBACK
#ifndef OT_BSSL
  | HB_TLS_SUP_HOLD_FINISHED
#endif
  ,
  ot_ctx_new, ot_ctx_free, ot_conn_new, ot_handshake,
  ot_read, ot_write, ot_shutdown, ot_info, ot_conn_free,
  ot_session_get, ot_session_set, ot_session_free, ot_conn_reuse,
  ot_write_early, NULL,
  NULL, NULL, /* writev, sendfile: records need the bytes in memory */
  ot_alpn_get
};
