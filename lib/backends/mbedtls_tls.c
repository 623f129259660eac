/* The TLS connection table for mbedTLS 2.28.
 *
 * mbedTLS does its socket I/O through our send/recv callbacks on the
 * caller's non-blocking fd, which use the layer's socket calls
 * (hb/tls_layer.h). 2.28 has no handshake message callback, no "session
 * reused" query and no way to ask for the key-exchange group, but in TLS
 * 1.2 the handshake is plaintext up to ChangeCipherSpec: the layer's
 * record scanner, watching the bytes cross the socket, gives the trace,
 * the group (the named curve in ServerKeyExchange) and the resumption
 * verdict (a server flight without ServerHelloDone is an abbreviated
 * handshake) to mb_scan. After the handshake it runs only for a trace.
 *
 * Not here: TLS 1.3 (2.28 has at most an experimental prototype), EdDSA,
 * 0-RTT. IP literals are not sent as SNI; we match them against the
 * certificate's iPAddress names ourselves, as 2.28 knows only dNSName.
 *
 * Threads: config, certificates and key are read-only once set up; the
 * CTR_DRBG, session cache and ticket keys lock themselves in a library
 * built with MBEDTLS_THREADING_C (checked below). */
#include <stdlib.h>
#include <string.h>

#include <mbedtls/asn1.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/ssl_cache.h>
#include <mbedtls/ssl_ticket.h>
#include <mbedtls/x509_crt.h>

#include "hb/tls_groups.h"
#include "hb/tls_layer.h"

#if !defined(MBEDTLS_THREADING_C)
#error "mbedTLS without MBEDTLS_THREADING_C: RNG and caches need locks"
#endif

#define MB_CACHE_ENTRIES 2048  /* the library's cache is a linked list */
#define MB_TICKET_LIFE 86400   /* seconds; also the key rotation period */

/* The table's groups (hb/tls_groups.h) this backend offers; the ECDSA
 * certificate curves follow x25519. */
static const struct {
  mbedtls_ecp_group_id id;
  int tls_id; /* IANA NamedGroup */
} mb_group_tab[] = {
  { MBEDTLS_ECP_DP_CURVE25519, HB_GROUP_X25519 },
  { MBEDTLS_ECP_DP_SECP256R1, HB_GROUP_P256 },
  { MBEDTLS_ECP_DP_SECP384R1, HB_GROUP_P384 },
  { MBEDTLS_ECP_DP_SECP521R1, HB_GROUP_P521 }
};
#define MB_NGROUPS (sizeof(mb_group_tab) / sizeof(mb_group_tab[0]))

/* TLS record content types and handshake message types we look for. */
enum { MB_CT_CCS = 20, MB_CT_ALERT = 21, MB_CT_HANDSHAKE = 22 };
enum { MB_HS_SERVER_HELLO = 2, MB_HS_SERVER_KX = 12, MB_HS_SERVER_DONE = 14,
       MB_HS_FINISHED = 20 };
#define MB_FINISHED_LEN 16  /* TLS 1.2: 4-byte header + 12 verify_data */
#define MB_ERR_GROUP MBEDTLS_ERR_SSL_BAD_HS_SERVER_KEY_EXCHANGE
#define MB_FATAL MBEDTLS_SSL_ALERT_LEVEL_FATAL
#define MB_HS_FAILURE MBEDTLS_SSL_ALERT_MSG_HANDSHAKE_FAILURE

struct hb_tls_ctx {
  mbedtls_ssl_config conf;
  mbedtls_entropy_context entropy;
  mbedtls_ctr_drbg_context drbg;
  mbedtls_x509_crt own, ca;
  mbedtls_pk_context key;
  mbedtls_ssl_cache_context cache;
  mbedtls_ssl_ticket_context ticket;
  mbedtls_ecp_group_id groups[MB_NGROUPS + 1];
  int allowed[MB_NGROUPS]; /* TLS ids of the groups asked for */
  size_t nallowed;
  int server;
  hb_tls_msg_fn on_msg;
  void *msg_arg;
  hb_alpn_list alpn;       /* cfg.alpn; conf keeps alpn.ptrs */
};

struct hb_tls_conn {
  hb_tls_base base;     /* fd, counters, socket state, trace, scanner */
  mbedtls_ssl_context ssl;
  hb_tls_ctx *ctx;
  int hs_done, close_sent;
  int saw_sh, saw_shd;  /* the server's ServerHello / ServerHelloDone */
  int group;            /* TLS NamedGroup from ServerKeyExchange */
  int bad_group;        /* ... not in ctx->allowed: 1, 2 once reported */
  size_t wpend;         /* length of a record mbedTLS holds unsent */
  unsigned char ip[16]; /* the peer's address when sni is an IP literal */
  size_t iplen;
};

struct hb_tls_session {
  mbedtls_ssl_session s;
};

/* ---- errors ---- */

static int mb_fail(hb_err *err, int status, int ret, const char *what)
{
  char text[160];

  mbedtls_strerror(ret, text, sizeof(text));
  hb_err_set(err, status, "%s", what);
  hb_err_append(err, "mbedTLS: %s (-0x%04X)", text, (unsigned)-ret);
  return status;
}

static const char *mb_alert_name(int a)
{
  static const struct { int code; const char *name; } names[] = {
    { 10, "unexpected message" }, { 20, "bad record mac" },
    { 40, "handshake failure" }, { 42, "bad certificate" },
    { 43, "unsupported certificate" }, { 44, "certificate revoked" },
    { 45, "certificate expired" }, { 46, "certificate unknown" },
    { 47, "illegal parameter" }, { 48, "unknown CA" },
    { 50, "decode error" }, { 51, "decrypt error" },
    { 70, "protocol version" }, { 71, "insufficient security" },
    { 80, "internal error" }, { 112, "unrecognized name" }
  };
  size_t i;

  for(i = 0; i < sizeof(names) / sizeof(names[0]); i++)
    if(names[i].code == a)
      return names[i].name;
  return "alert";
}

/* Our words for the verification flags, in the usual phrasing, then the
 * library's. */
static void mb_verify_fail(hb_tls_conn *c, int ret, const char *what,
                           hb_err *err)
{
  static const struct { uint32_t flag; const char *why; } map[] = {
    { MBEDTLS_X509_BADCERT_NOT_TRUSTED,
      "unable to get local issuer certificate" },
    { MBEDTLS_X509_BADCERT_CN_MISMATCH, "hostname mismatch" },
    { MBEDTLS_X509_BADCERT_EXPIRED, "certificate expired" },
    { MBEDTLS_X509_BADCERT_FUTURE, "certificate not yet valid" },
    { MBEDTLS_X509_BADCERT_KEY_USAGE, "key usage not allowed" },
    { MBEDTLS_X509_BADCERT_EXT_KEY_USAGE, "extended key usage not allowed" }
  };
  uint32_t flags = mbedtls_ssl_get_verify_result(&c->ssl);
  char why[160] = "", info[512], *p;
  size_t i, n = 0;

  for(i = 0; i < sizeof(map) / sizeof(map[0]); i++)
    if((flags & map[i].flag) && n < sizeof(why))
      n += (size_t)snprintf(why + n, sizeof(why) - n, "%s%s",
                            n ? ", " : ": ", map[i].why);
  hb_err_set(err, HB_ERROR, "%s: certificate verify failed%s", what, why);
  if(mbedtls_x509_crt_verify_info(info, sizeof(info), "", flags) < 0)
    info[0] = '\0';
  for(p = info; *p; p++)
    if(*p == '\n')
      *p = p[1] ? ';' : '\0';
  hb_err_append(err, "mbedTLS: %s (-0x%04X)", info, (unsigned)-ret);
}

/* Maps a library result to hb_io, explaining failures in err. */
static hb_io mb_result(hb_tls_conn *c, int ret, const char *what,
                       hb_err *err)
{
  char buf[128];

  switch(ret) {
  case MBEDTLS_ERR_SSL_WANT_READ:
    return HB_IO_WANT_READ;
  case MBEDTLS_ERR_SSL_WANT_WRITE:
    return HB_IO_WANT_WRITE;
  case MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY:
  case MBEDTLS_ERR_SSL_CONN_EOF:
    if(!c->hs_done) {
      hb_err_set(err, HB_ERROR, "%s: connection closed by the peer", what);
      return HB_IO_ERROR;
    }
    if(ret == MBEDTLS_ERR_SSL_CONN_EOF)
      hb_err_set(err, HB_ERROR, "connection closed without close_notify");
    return HB_IO_CLOSED;
  case MBEDTLS_ERR_NET_CONN_RESET:
  case MBEDTLS_ERR_NET_RECV_FAILED:
  case MBEDTLS_ERR_NET_SEND_FAILED:
    hb_err_set(err, HB_ERROR, "%s: %s: %s", what,
               ret == MBEDTLS_ERR_NET_CONN_RESET ? "connection reset" :
               ret == MBEDTLS_ERR_NET_RECV_FAILED ? "recv" : "send",
               strerror(c->base.sys_errno));
    return ret == MBEDTLS_ERR_NET_CONN_RESET ? HB_IO_RESET : HB_IO_ERROR;
  case MBEDTLS_ERR_X509_CERT_VERIFY_FAILED:
    mb_verify_fail(c, ret, what, err);
    return HB_IO_ERROR;
  case MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE:
    /* in_msg still holds the alert: level, description */
    snprintf(buf, sizeof(buf), "%s: alert received: %s", what,
             mb_alert_name(c->ssl.in_msg[1]));
    break;
  case MB_ERR_GROUP:
    if(c->bad_group) {
      hb_err_set(err, HB_ERROR, "%s: key exchange group %s (%d) is not "
                 "one of the configured groups", what,
                 hb_group_name((unsigned)c->group), c->group);
      return HB_IO_ERROR;
    }
    /* fall through */
  default:
    snprintf(buf, sizeof(buf), "%s%s", what,
             ret == MBEDTLS_ERR_SSL_BAD_HS_PROTOCOL_VERSION ?
             ": protocol version" :
             ret == MBEDTLS_ERR_SSL_NO_CLIENT_CERTIFICATE ?
             ": peer did not return a certificate" :
             ret == MBEDTLS_ERR_SSL_NO_USABLE_CIPHERSUITE ?
             ": no shared cipher" : "");
  }
  mb_fail(err, HB_ERROR, ret, buf);
  return HB_IO_ERROR;
}

/* ---- the record stream, watched in the I/O callbacks ---- */

static int mb_group_ok(const hb_tls_ctx *ctx, int id)
{
  size_t i;

  for(i = 0; i < ctx->nallowed; i++)
    if(ctx->allowed[i] == id)
      return 1;
  return 0;
}

/* The layer's record scanner saw a record or handshake message go by. */
static void mb_scan(void *arg, int sent, const hb_rec_event *ev)
{
  hb_tls_conn *c = arg;
  const unsigned char *p = ev->peek;

  switch(ev->kind) {
  case HB_REC_HEADER:
    if(ev->content_type == MB_CT_CCS)
      hb_tls_trace(&c->base, sent, MB_CT_CCS, -1, ev->len);
    else if(ev->content_type == MB_CT_ALERT)
      hb_tls_trace(&c->base, sent, MB_CT_ALERT, -1, 2);
    /* TLS 1.2: the one encrypted handshake message is Finished */
    else if(ev->content_type == MB_CT_HANDSHAKE && ev->encrypted &&
            !c->hs_done)
      hb_tls_trace(&c->base, sent, MB_CT_HANDSHAKE, MB_HS_FINISHED,
                   MB_FINISHED_LEN);
    break;
  case HB_REC_MESSAGE:
    hb_tls_trace(&c->base, sent, MB_CT_HANDSHAKE, ev->hs_type, ev->len);
    if(sent == c->ctx->server) { /* from the server */
      c->saw_sh |= ev->hs_type == MB_HS_SERVER_HELLO;
      c->saw_shd |= ev->hs_type == MB_HS_SERVER_DONE;
    }
    break;
  case HB_REC_PEEK:
    /* ECParameters: curve_type 3 (named_curve), then the group */
    if(ev->hs_type == MB_HS_SERVER_KX && ev->len >= 3 && p[0] == 3 &&
       !c->group) {
      c->group = p[1] << 8 | p[2];
      if(!mb_group_ok(c->ctx, c->group))
        c->bad_group = 1; /* the client fails in mb_recv */
    }
    break;
  }
}

/* What mbedTLS wants from a send or recv: bytes, 0 for EOF, or its
 * error code. */
static int mb_sock(hb_io io, size_t n, int want, int fail)
{
  switch(io) {
  case HB_IO_OK:
    return (int)n;
  case HB_IO_CLOSED:
    return 0;
  case HB_IO_WANT_READ:
  case HB_IO_WANT_WRITE:
    return want;
  case HB_IO_RESET:
    return MBEDTLS_ERR_NET_CONN_RESET;
  default:
    return fail;
  }
}

static int mb_send(void *arg, const unsigned char *buf, size_t len)
{
  hb_tls_conn *c = arg;
  size_t n;
  hb_io io;
  int id;

  /* Server: our ServerKeyExchange (its own record) may name a curve that
   * is in the library's list only for certificates: stop it unsent */
  if(c->ctx->server && !c->hs_done && !c->base.tx.rec_have && len >= 12 &&
     buf[0] == MB_CT_HANDSHAKE && buf[5] == MB_HS_SERVER_KX && buf[9] == 3) {
    id = buf[10] << 8 | buf[11];
    if(!mb_group_ok(c->ctx, id)) {
      c->group = id;
      c->bad_group = 2;
      return MB_ERR_GROUP;
    }
  }
  io = hb_sock_write(&c->base, buf, len, &n);
  return mb_sock(io, n, MBEDTLS_ERR_SSL_WANT_WRITE,
                 MBEDTLS_ERR_NET_SEND_FAILED);
}

/* mbedTLS asks for exactly the bytes it needs (header, then body), so
 * nothing is read ahead of it. */
static int mb_recv(void *arg, unsigned char *buf, size_t len)
{
  hb_tls_conn *c = arg;
  size_t n;
  hb_io io = hb_sock_read(&c->base, buf, len, &n);

  if((io == HB_IO_OK || io == HB_IO_CLOSED) && c->bad_group == 1) {
    c->bad_group = 2; /* once; then the alert may go out */
    return MB_ERR_GROUP;
  }
  /* 0: EOF, which mbedTLS reports as CONN_EOF */
  return mb_sock(io, n, MBEDTLS_ERR_SSL_WANT_READ,
                 MBEDTLS_ERR_NET_RECV_FAILED);
}

/* ---- IP literals: matched against the certificate's iPAddress SANs ---- */

#define MB_SEQ (MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE)

static int mb_san_has_ip(const mbedtls_x509_crt *crt,
                         const unsigned char *ip, size_t iplen)
{
  unsigned char *p = crt->v3_ext.p, *end, *ext_end, *names_end;
  size_t len;
  int crit, tag;

  if(!p)
    return 0;
  end = p + crt->v3_ext.len;
  if(mbedtls_asn1_get_tag(&p, end, &len, MB_SEQ))
    return 0;
  while(p < end) {
    if(mbedtls_asn1_get_tag(&p, end, &len, MB_SEQ))
      return 0;
    ext_end = p + len;
    if(mbedtls_asn1_get_tag(&p, ext_end, &len, MBEDTLS_ASN1_OID))
      return 0;
    if(len != MBEDTLS_OID_SIZE(MBEDTLS_OID_SUBJECT_ALT_NAME) ||
       memcmp(p, MBEDTLS_OID_SUBJECT_ALT_NAME, len)) {
      p = ext_end;
      continue;
    }
    p += len;
    (void)mbedtls_asn1_get_bool(&p, ext_end, &crit); /* optional */
    if(mbedtls_asn1_get_tag(&p, ext_end, &len, MBEDTLS_ASN1_OCTET_STRING) ||
       mbedtls_asn1_get_tag(&p, ext_end, &len, MB_SEQ))
      return 0;
    names_end = p + len;
    while(p < names_end) {
      tag = *p++;
      if(mbedtls_asn1_get_len(&p, names_end, &len))
        return 0;
      /* iPAddress [7] IMPLICIT OCTET STRING */
      if(tag == (MBEDTLS_ASN1_CONTEXT_SPECIFIC | 7) && len == iplen &&
         !memcmp(p, ip, iplen))
        return 1;
      p += len;
    }
    return 0;
  }
  return 0;
}

static int mb_verify_ip(void *arg, mbedtls_x509_crt *crt, int depth,
                        uint32_t *flags)
{
  hb_tls_conn *c = arg;

  if(depth == 0 && !mb_san_has_ip(crt, c->ip, c->iplen))
    *flags |= MBEDTLS_X509_BADCERT_CN_MISMATCH;
  return 0;
}

/* ---- contexts ---- */

static int mb_versions(const hb_tls_config *cfg, hb_err *err)
{
  int min = cfg->min_version ? cfg->min_version : HB_TLS_1_2;
  int max = cfg->max_version ? cfg->max_version : HB_TLS_1_2;

  if(min == HB_TLS_1_3)
    return hb_err_set(err, HB_UNSUPPORTED, "TLS 1.3: mbedTLS 2.28 has "
#if defined(MBEDTLS_SSL_PROTO_TLS1_3_EXPERIMENTAL)
                      "only an experimental, incomplete TLS 1.3 prototype"
#else
                      "no TLS 1.3 (MBEDTLS_SSL_PROTO_TLS1_3_EXPERIMENTAL "
                      "is off in this build)"
#endif
                      );
  if(min != HB_TLS_1_2 || (max != HB_TLS_1_2 && max != HB_TLS_1_3))
    return hb_err_set(err, HB_UNSUPPORTED, "TLS version range 0x%04x.."
                      "0x%04x: only TLS 1.2 is available", min, max);
  return HB_OK; /* a max of 1.3 just means 1.2 here */
}

/* The library's curve list is also what the client offers and what
 * either side accepts for the peer's ECDSA certificate: we append the
 * certificate curves after the groups asked for, and refuse a
 * ServerKeyExchange with a group outside them (mb_scan, mb_send). */
static int mb_groups(hb_tls_ctx *ctx, const char *list, hb_err *err)
{
  const hb_group *want[HB_GROUPS_MAX];
  size_t n, i, j;
  int rc;

  /* no list: modern order, not 2.28's default with secp521r1 first */
  rc = hb_groups_parse(list ? list : "x25519:p256:p384:p521", want,
                       HB_GROUPS_MAX, &n, err);
  if(rc)
    return rc;
  for(i = 0; i < n; i++) {
    for(j = 0; j < MB_NGROUPS && mb_group_tab[j].tls_id != want[i]->id; j++)
      ;
    if(j == MB_NGROUPS)
      return hb_err_set(err, HB_UNSUPPORTED, "group %s: mbedTLS 2.28 "
                        "negotiates only x25519, p256, p384 and p521 here "
                        "(TLS 1.2 ECDHE; no FFDHE groups, no x448)",
                        want[i]->name);
    ctx->groups[i] = mb_group_tab[j].id;
    ctx->allowed[i] = want[i]->id;
  }
  ctx->nallowed = n;
  for(i = 1; i < MB_NGROUPS; i++) { /* ECDSA curves, for certificates */
    for(j = 0; j < ctx->nallowed && ctx->groups[j] != mb_group_tab[i].id;
        j++)
      ;
    if(j == ctx->nallowed)
      ctx->groups[n++] = mb_group_tab[i].id;
  }
  ctx->groups[n] = MBEDTLS_ECP_DP_NONE;
  mbedtls_ssl_conf_curves(&ctx->conf, ctx->groups);
  return HB_OK;
}

/* Loads PEM certificates into crt, or else a private key into key;
 * EdDSA and other unknown algorithms are "unsupported", not errors. */
static int mb_load(const char *file, mbedtls_x509_crt *crt,
                   mbedtls_pk_context *key, hb_err *err)
{
  char what[512];
  int ret, high, rc;

  if(!file)
    return hb_err_set(err, HB_ERROR, "a file is missing: a certificate "
                      "needs its key, verify_peer a ca_file");
  ret = crt ? mbedtls_x509_crt_parse_file(crt, file) :
              mbedtls_pk_parse_keyfile(key, file, NULL);
  if(ret > 0)
    return hb_err_set(err, HB_ERROR, "%d certificate(s) in %s could not "
                      "be parsed", ret, file);
  if(!ret)
    return HB_OK;
  high = -ret & 0xFF80;
  rc = ret == MBEDTLS_ERR_PK_UNKNOWN_PK_ALG ||
       high == -MBEDTLS_ERR_X509_UNKNOWN_SIG_ALG ||
       high == -MBEDTLS_ERR_X509_FEATURE_UNAVAILABLE ?
       HB_UNSUPPORTED : HB_ERROR;
  snprintf(what, sizeof(what), "loading %s%s", file, rc == HB_ERROR ? "" :
           ": an algorithm mbedTLS 2.28 lacks (EdDSA?)");
  return mb_fail(err, rc, ret, what);
}

static void mb_ctx_free(hb_tls_ctx *ctx)
{
  if(!ctx)
    return;
  mbedtls_ssl_config_free(&ctx->conf);
  mbedtls_ssl_cache_free(&ctx->cache);
  mbedtls_ssl_ticket_free(&ctx->ticket);
  mbedtls_x509_crt_free(&ctx->own);
  mbedtls_x509_crt_free(&ctx->ca);
  mbedtls_pk_free(&ctx->key);
  mbedtls_ctr_drbg_free(&ctx->drbg);
  mbedtls_entropy_free(&ctx->entropy);
  free(ctx);
}

/* TLS 1.2 RSA key transport suites only. */
static const int mb_rsa_kx_suites[] = {
  MBEDTLS_TLS_RSA_WITH_AES_128_GCM_SHA256,
  MBEDTLS_TLS_RSA_WITH_AES_256_GCM_SHA384,
  0
};

/* cfg.cipher: the TLS 1.2 suites with that AEAD, ECDHE (ECDSA and RSA
 * certificates) and with rsa_kx the RSA key transport one (TLS has none
 * with ChaCha20-Poly1305). 2.28 has no TLS 1.3 suites to pin. */
static const int mb_aes128_suites[] = {
  MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
  MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
  0
};
static const int mb_aes256_suites[] = {
  MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
  MBEDTLS_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
  0
};
static const int mb_chacha_suites[] = {
  MBEDTLS_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
  MBEDTLS_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
  0
};
static const int mb_aes128_rsa_kx[] = {
  MBEDTLS_TLS_RSA_WITH_AES_128_GCM_SHA256,
  0
};
static const int mb_aes256_rsa_kx[] = {
  MBEDTLS_TLS_RSA_WITH_AES_256_GCM_SHA384,
  0
};

static const struct {
  const char *name;
  const int *ecdhe, *rsa_kx;
} mb_cipher_tab[] = {
  { "aes-128-gcm", mb_aes128_suites, mb_aes128_rsa_kx },
  { "aes-256-gcm", mb_aes256_suites, mb_aes256_rsa_kx },
  { "chacha20-poly1305", mb_chacha_suites, NULL }
};
#define MB_NCIPHERS (sizeof(mb_cipher_tab) / sizeof(mb_cipher_tab[0]))

/* The suite list for cfg.cipher; every suite in it must be in this build
 * (mbedTLS would skip a missing one without a word). */
static int mb_ciphers(const hb_tls_config *cfg, const int **out,
                      hb_err *err)
{
  const int *list;
  size_t i;

  for(i = 0; i < MB_NCIPHERS; i++)
    if(!strcmp(mb_cipher_tab[i].name, cfg->cipher))
      break;
  if(i == MB_NCIPHERS)
    return hb_err_set(err, HB_ERROR, "unknown cipher '%s' (want "
                      "aes-128-gcm, aes-256-gcm, chacha20-poly1305)",
                      cfg->cipher);
  list = cfg->rsa_kx ? mb_cipher_tab[i].rsa_kx : mb_cipher_tab[i].ecdhe;
  if(!list)
    return hb_err_set(err, HB_UNSUPPORTED, "cipher %s with rsa_kx: TLS "
                      "has no RSA key transport suite with that AEAD",
                      cfg->cipher);
  for(i = 0; list[i]; i++)
    if(!mbedtls_ssl_ciphersuite_from_id(list[i]))
      return hb_err_set(err, HB_UNSUPPORTED, "cipher %s: this mbedTLS "
                        "build lacks suite 0x%04X", cfg->cipher,
                        (unsigned)list[i]);
  *out = list;
  return HB_OK;
}

/* ALPN. A server chooses by its own order; with nothing in common it
 * always refuses the client (no_application_protocol), strict or not:
 * no HB_TLS_SUP_ALPN_FALLBACK. */
static int mb_alpn(hb_tls_ctx *ctx, const hb_tls_config *cfg, hb_err *err)
{
  int rc = hb_alpn_parse(cfg->alpn, &ctx->alpn, err);

  if(rc || !ctx->alpn.n)
    return rc;
#ifdef MBEDTLS_SSL_ALPN
  rc = mbedtls_ssl_conf_alpn_protocols(&ctx->conf, ctx->alpn.ptrs);
  if(rc)
    return mb_fail(err, HB_ERROR, rc, "mbedtls_ssl_conf_alpn_protocols");
  return HB_OK;
#else
  return hb_err_set(err, HB_UNSUPPORTED, "mbedtls: built without "
                    "MBEDTLS_SSL_ALPN");
#endif
}

static int mb_ctx_setup(hb_tls_ctx *ctx, const hb_tls_config *cfg,
                        hb_err *err)
{
  static const unsigned char pers[] = "httpsbench tls";
  const int *suites = NULL;
  int ret, rc;

  if(cfg->cipher) {
    rc = mb_ciphers(cfg, &suites, err);
    if(rc)
      return rc;
  }
  ret = mbedtls_ctr_drbg_seed(&ctx->drbg, mbedtls_entropy_func,
                              &ctx->entropy, pers, sizeof(pers) - 1);
  if(ret)
    return mb_fail(err, HB_ERROR, ret, "seeding the CTR_DRBG");
  ret = mbedtls_ssl_config_defaults(&ctx->conf, cfg->server ?
                                    MBEDTLS_SSL_IS_SERVER :
                                    MBEDTLS_SSL_IS_CLIENT,
                                    MBEDTLS_SSL_TRANSPORT_STREAM,
                                    MBEDTLS_SSL_PRESET_DEFAULT);
  if(ret)
    return mb_fail(err, HB_ERROR, ret, "mbedtls_ssl_config_defaults");
  mbedtls_ssl_conf_rng(&ctx->conf, mbedtls_ctr_drbg_random, &ctx->drbg);
  mbedtls_ssl_conf_min_version(&ctx->conf, MBEDTLS_SSL_MAJOR_VERSION_3,
                               MBEDTLS_SSL_MINOR_VERSION_3);
  mbedtls_ssl_conf_max_version(&ctx->conf, MBEDTLS_SSL_MAJOR_VERSION_3,
                               MBEDTLS_SSL_MINOR_VERSION_3);
  if(cfg->server || cfg->cert_file || cfg->key_file) {
    rc = mb_load(cfg->cert_file, &ctx->own, NULL, err);
    if(!rc)
      rc = mb_load(cfg->key_file, NULL, &ctx->key, err);
    if(rc)
      return rc;
    ret = mbedtls_ssl_conf_own_cert(&ctx->conf, &ctx->own, &ctx->key);
    if(ret)
      return mb_fail(err, HB_ERROR, ret, "setting the certificate");
  }
  if(cfg->verify_peer) {
    rc = mb_load(cfg->ca_file, &ctx->ca, NULL, err);
    if(rc)
      return rc;
    mbedtls_ssl_conf_ca_chain(&ctx->conf, &ctx->ca, NULL);
  }
  mbedtls_ssl_conf_authmode(&ctx->conf, cfg->verify_peer ?
                            MBEDTLS_SSL_VERIFY_REQUIRED :
                            MBEDTLS_SSL_VERIFY_NONE);
  rc = mb_groups(ctx, cfg->groups, err);
  if(!rc)
    rc = mb_alpn(ctx, cfg, err);
  if(rc)
    return rc;
  if(suites)
    mbedtls_ssl_conf_ciphersuites(&ctx->conf, suites);
  else if(cfg->rsa_kx)
    mbedtls_ssl_conf_ciphersuites(&ctx->conf, mb_rsa_kx_suites);
  if(!cfg->server) {
    mbedtls_ssl_conf_session_tickets(&ctx->conf,
                                     MBEDTLS_SSL_SESSION_TICKETS_ENABLED);
    return HB_OK;
  }
  if(cfg->session_cache) {
    mbedtls_ssl_cache_set_max_entries(&ctx->cache, MB_CACHE_ENTRIES);
    mbedtls_ssl_conf_session_cache(&ctx->conf, &ctx->cache,
                                   mbedtls_ssl_cache_get,
                                   mbedtls_ssl_cache_set);
  }
  if(cfg->tickets) {
    ret = mbedtls_ssl_ticket_setup(&ctx->ticket, mbedtls_ctr_drbg_random,
                                   &ctx->drbg, MBEDTLS_CIPHER_AES_256_GCM,
                                   MB_TICKET_LIFE);
    if(ret)
      return mb_fail(err, HB_ERROR, ret, "setting up session tickets");
    mbedtls_ssl_conf_session_tickets_cb(&ctx->conf, mbedtls_ssl_ticket_write,
                                        mbedtls_ssl_ticket_parse,
                                        &ctx->ticket);
  }
  return HB_OK;
}

static int mb_ctx_new(const hb_tls_config *cfg, hb_tls_ctx **out,
                      hb_err *err)
{
  hb_tls_ctx *ctx;
  int rc;

  *out = NULL;
  rc = mb_versions(cfg, err);
  if(rc)
    return rc;
  ctx = calloc(1, sizeof(*ctx));
  if(!ctx)
    return hb_err_set(err, HB_ERROR, "out of memory");
  mbedtls_ssl_config_init(&ctx->conf);
  mbedtls_entropy_init(&ctx->entropy);
  mbedtls_ctr_drbg_init(&ctx->drbg);
  mbedtls_x509_crt_init(&ctx->own);
  mbedtls_x509_crt_init(&ctx->ca);
  mbedtls_pk_init(&ctx->key);
  mbedtls_ssl_cache_init(&ctx->cache);
  mbedtls_ssl_ticket_init(&ctx->ticket);
  ctx->server = cfg->server;
  ctx->on_msg = cfg->on_msg;
  ctx->msg_arg = cfg->msg_arg;
  rc = mb_ctx_setup(ctx, cfg, err);
  if(rc) {
    mb_ctx_free(ctx);
    return rc;
  }
  *out = ctx;
  return HB_OK;
}

/* ---- connections ---- */

static void mb_conn_free(hb_tls_conn *c)
{
  if(!c)
    return;
  mbedtls_ssl_free(&c->ssl);
  free(c);
}

static int mb_conn_new(hb_tls_ctx *ctx, int fd, const char *sni,
                       hb_tls_conn **out, hb_err *err)
{
  hb_tls_conn *c;
  int ret, client_sni = !ctx->server && sni && *sni;

  *out = NULL;
  c = calloc(1, sizeof(*c));
  if(!c)
    return hb_err_set(err, HB_ERROR, "out of memory");
  mbedtls_ssl_init(&c->ssl);
  c->ctx = ctx;
  hb_tls_base_init(&c->base, fd, ctx->on_msg, ctx->msg_arg);
  c->base.scan = mb_scan; /* through the handshake, and for a trace */
  c->base.scan_arg = c;
  ret = mbedtls_ssl_setup(&c->ssl, &ctx->conf);
  if(ret)
    goto out;
  mbedtls_ssl_set_bio(&c->ssl, c, mb_send, mb_recv, NULL);
  /* no SNI for addresses (RFC 6066), and 2.28 cannot match them: we do,
   * in a callback that runs only when verifying */
  if(client_sni)
    c->iplen = (size_t)hb_tls_ip_literal(sni, c->ip, NULL, 0);
  if(client_sni && c->iplen)
    mbedtls_ssl_set_verify(&c->ssl, mb_verify_ip, c);
  else if(client_sni)
    ret = mbedtls_ssl_set_hostname(&c->ssl, sni);
out:
  if(ret) {
    mb_conn_free(c);
    return mb_fail(err, HB_ERROR, ret, "setting up the connection");
  }
  *out = c;
  return HB_OK;
}

static hb_io mb_handshake(hb_tls_conn *c, hb_err *err)
{
  int ret;

  if(c->hs_done)
    return HB_IO_OK;
  ret = mbedtls_ssl_handshake(&c->ssl);
  /* the library refuses a missing client certificate silently (RFC 5246
   * 7.4.6 says handshake_failure), our client's group check too (the
   * server's would first flush the ServerKeyExchange it stopped) */
  if(ret == MBEDTLS_ERR_SSL_NO_CLIENT_CERTIFICATE ||
     (ret == MB_ERR_GROUP && c->bad_group && !c->ctx->server))
    (void)mbedtls_ssl_send_alert_message(&c->ssl, MB_FATAL, MB_HS_FAILURE);
  if(ret)
    return mb_result(c, ret, "TLS handshake failed", err);
  c->hs_done = 1;
  if(!c->base.on_msg)
    c->base.scan = NULL; /* the handshake told us what we need */
  return HB_IO_OK;
}

static hb_io mb_read(hb_tls_conn *c, void *buf, size_t len, size_t *n,
                     hb_err *err)
{
  int ret;
  hb_io r;

  *n = 0;
  r = mb_handshake(c, err);
  if(r != HB_IO_OK)
    return r;
  ret = mbedtls_ssl_read(&c->ssl, buf, len);
  if(ret > 0) {
    *n = (size_t)ret;
    return HB_IO_OK;
  }
  if(ret == 0) /* EOF without close_notify */
    ret = MBEDTLS_ERR_SSL_CONN_EOF;
  return mb_result(c, ret, "TLS read failed", err);
}

/* mbedTLS wants a write that returned WANT_WRITE repeated with the same
 * length, and it answers a retry with that length without checking: we
 * remember the length of the record it holds (wpend). */
static hb_io mb_write(hb_tls_conn *c, const void *buf, size_t len,
                      size_t *n, hb_err *err)
{
  size_t want = len;
  int ret, max;
  hb_io r;

  *n = 0;
  r = mb_handshake(c, err);
  if(r != HB_IO_OK)
    return r;
  if(c->wpend) {
    if(len < c->wpend) {
      hb_err_set(err, HB_ERROR, "TLS write retried with %zu bytes after "
                 "%zu were queued", len, c->wpend);
      return HB_IO_ERROR;
    }
    want = c->wpend;
  }
  else if(!len)
    return HB_IO_OK;
  else if(c->ssl.out_left) {
    /* someone else's record (an alert) waits: flush it, or mbedTLS would
     * count it as ours */
    ret = mbedtls_ssl_write(&c->ssl, buf, 0);
    if(ret < 0)
      return mb_result(c, ret, "TLS write failed", err);
  }
  ret = mbedtls_ssl_write(&c->ssl, buf, want);
  if(ret >= 0) {
    c->wpend = 0;
    *n = (size_t)ret;
    return HB_IO_OK;
  }
  if(ret == MBEDTLS_ERR_SSL_WANT_WRITE && !c->wpend && c->ssl.out_left) {
    max = mbedtls_ssl_get_max_out_record_payload(&c->ssl);
    c->wpend = max > 0 && (size_t)max < want ? (size_t)max : want;
  }
  return mb_result(c, ret, "TLS write failed", err);
}

static hb_io mb_shutdown(hb_tls_conn *c, hb_err *err)
{
  int ret;

  /* with output pending, close_notify only flushes it: so flush, then
   * queue the alert once (it stays queued when the send would block) */
  ret = c->ssl.out_left ? mbedtls_ssl_close_notify(&c->ssl) : 0;
  if(!ret && !c->close_sent) {
    c->close_sent = 1;
    ret = mbedtls_ssl_close_notify(&c->ssl);
  }
  if(ret)
    return mb_result(c, ret, "sending close_notify failed", err);
  return HB_IO_OK;
}

static int mb_info(hb_tls_conn *c, hb_tls_info *info)
{
  const char *v, *suite;
  char *p;

  hb_tls_base_info(&c->base, info);
  if(!c->hs_done)
    return HB_OK;
  v = mbedtls_ssl_get_version(&c->ssl);
  info->version = !strcmp(v, "TLSv1.2") ? HB_TLS_1_2 :
                  !strcmp(v, "TLSv1.3") ? HB_TLS_1_3 : 0;
  /* mbedTLS names are the IANA names with '-' for '_' */
  suite = mbedtls_ssl_get_ciphersuite(&c->ssl);
  snprintf(info->cipher, sizeof(info->cipher), "%s", suite ? suite : "");
  for(p = info->cipher; *p; p++)
    if(*p == '-')
      *p = '_';
  if(strstr(info->cipher, "ECDHE"))
    snprintf(info->group, sizeof(info->group), "%s",
             hb_group_name((unsigned)c->group));
  /* a full TLS 1.2 handshake always has ServerHelloDone */
  info->resumed = c->saw_sh && !c->saw_shd;
  return HB_OK;
}

/* ---- client resumption ---- */

static void mb_session_free(hb_tls_session *s)
{
  if(!s)
    return;
  mbedtls_ssl_session_free(&s->s);
  free(s);
}

static int mb_session_get(hb_tls_conn *c, hb_tls_session **out,
                          hb_err *err)
{
  hb_tls_session *s;
  int ret;

  *out = NULL;
  if(c->ctx->server || !c->hs_done)
    return hb_err_set(err, HB_ERROR, "session_get: only for clients, "
                      "after the handshake");
  s = calloc(1, sizeof(*s));
  if(!s)
    return hb_err_set(err, HB_ERROR, "out of memory");
  mbedtls_ssl_session_init(&s->s);
  ret = mbedtls_ssl_get_session(&c->ssl, &s->s);
  /* neither a session ID nor a ticket: nothing to resume */
  if(!ret && (s->s.id_len || s->s.ticket_len)) {
    *out = s;
    return HB_OK;
  }
  mb_session_free(s);
  if(ret)
    return mb_fail(err, HB_ERROR, ret, "mbedtls_ssl_get_session");
  return HB_OK;
}

static int mb_session_set(hb_tls_conn *c, hb_tls_session *s, hb_err *err)
{
  int ret = mbedtls_ssl_set_session(&c->ssl, &s->s);

  if(ret) /* also refuses servers */
    return mb_fail(err, HB_ERROR, ret, "mbedtls_ssl_set_session");
  return HB_OK;
}

static size_t mb_alpn_get(hb_tls_conn *c, char *out, size_t len)
{
#ifdef MBEDTLS_SSL_ALPN
  const char *p = mbedtls_ssl_get_alpn_protocol(&c->ssl);

  return hb_alpn_copy(p, p ? strlen(p) : 0, out, len);
#else
  (void)c;
  return hb_alpn_copy(NULL, 0, out, len);
#endif
}

#ifdef MBEDTLS_SSL_ALPN
#define MB_SUP_ALPN HB_TLS_SUP_ALPN
#else
#define MB_SUP_ALPN 0u
#endif

const hb_tls_ops hb_mbedtls_tls = {
  "mbedtls",
  HB_TLS_SUP_TICKETS | HB_TLS_SUP_SESSION_ID | HB_TLS_SUP_GROUPS |
    HB_TLS_SUP_RSA_KX | HB_TLS_SUP_TRACE | MB_SUP_ALPN,
  mb_ctx_new, mb_ctx_free, mb_conn_new, mb_handshake, mb_read, mb_write,
  mb_shutdown, mb_info, mb_conn_free, mb_session_get, mb_session_set,
  mb_session_free,
  NULL, /* conn_reuse */
  NULL, /* write_early */
  "mbedTLS 2.28 has no TLS 1.3, so no 0-RTT early data",
  NULL, NULL, /* writev, sendfile: records need the bytes in memory */
  mb_alpn_get
};
