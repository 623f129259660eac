/* The TLS connection table for mbedTLS 2.28 (Debian) and 3.6 (a
 * scripts/libs set), one file: MB3 (MBEDTLS_VERSION_NUMBER) chooses the
 * 3.x calls. What is said below of 2.28 holds for 3.6 in TLS 1.2; 3.6
 * adds TLS 1.3 (when built with MBEDTLS_SSL_PROTO_TLS1_3), see "TLS 1.3
 * in 3.6" further down.
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
#include <mbedtls/version.h>
#include <mbedtls/x509_crt.h>

#include "hb/alloc.h"
#include "hb/tls_groups.h"
#include "hb/tls_layer.h"

#if MBEDTLS_VERSION_NUMBER >= 0x03000000
#define MB3 1
#include <mbedtls/debug.h>
#include <psa/crypto.h>
#if defined(MBEDTLS_SSL_PROTO_TLS1_3)
#define MB13 1
#else
#define MB13 0
#endif
#else
#define MB3 0
#define MB13 0
#endif
#if MB13 && defined(MBEDTLS_SSL_EARLY_DATA)
#define MB_EARLY 1 /* TLS 1.3 0-RTT: scripts/libs builds 3.6 with it */
#else
#define MB_EARLY 0
#endif
#ifndef MBEDTLS_PRIVATE /* 2.28: the fields are public */
#define MBEDTLS_PRIVATE(m) m
#endif
#if MB3 /* 3.x folded these into broader codes */
#define MB_ERR_GROUP MBEDTLS_ERR_SSL_HANDSHAKE_FAILURE
#define MB_ERR_VERSION MBEDTLS_ERR_SSL_BAD_PROTOCOL_VERSION
#define MB_ERR_NO_SUITE MBEDTLS_ERR_SSL_HANDSHAKE_FAILURE
#define MB_NO_SUITE_TEXT ": handshake failure (no shared cipher, group or " \
                         "signature algorithm?)"
#else
#define MB_NO_SUITE_TEXT ": no shared cipher"
#define MB_ERR_GROUP MBEDTLS_ERR_SSL_BAD_HS_SERVER_KEY_EXCHANGE
#define MB_ERR_VERSION MBEDTLS_ERR_SSL_BAD_HS_PROTOCOL_VERSION
#define MB_ERR_NO_SUITE MBEDTLS_ERR_SSL_NO_USABLE_CIPHERSUITE
#endif

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
#if MB3
  uint16_t groups[MB_NGROUPS + 1]; /* TLS ids, 0-terminated */
#else
  mbedtls_ecp_group_id groups[MB_NGROUPS + 1];
#endif
  int allowed[MB_NGROUPS]; /* TLS ids of the groups asked for */
  size_t nallowed;
  int server;
  hb_tls_msg_fn on_msg;
  void *msg_arg;
  hb_tls_conn *traced;     /* MB3 with on_msg: the connection whose
                              library debug lines make the trace */
#if MB_EARLY
  /* client: conf with early data on, for the connections write_early
   * starts (on in conf itself, 3.6 would announce early data in every
   * resumption whose ticket allows it, data or not). A shallow copy of
   * conf made last in set-up: it shares conf's objects, is never freed */
  mbedtls_ssl_config conf_early;
#endif
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
  /* the server's plaintext ServerHello(s), parsed from the bytes (TLS 1.3
   * says its group, resumption and HelloRetryRequest only there) */
  unsigned char shbuf[2048];
  size_t shhave;
  int shdone, shseen;   /* stop looking / ServerHellos parsed */
  int sh13;             /* supported_versions chose TLS 1.3 */
  int hrr;              /* a HelloRetryRequest came (group: its choice) */
  int psk;              /* ServerHello took a pre_shared_key: resumed */
#if MB13
  mbedtls_ssl_session *t13; /* the newest TLS 1.3 ticket received */
#endif
  int early_phase;      /* server: early data came, client Finished not */
  int early_seen;       /* server: early data was accepted */
  int early_tried;      /* client: write_early ran on this connection */
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
  char buf[256];

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
    snprintf(buf, sizeof(buf), "%s: alert received: %s%s", what,
             mb_alert_name(c->ssl.MBEDTLS_PRIVATE(in_msg)[1]),
             /* mbedTLS 3.6 answers a ClientHello without a version of
              * its own with handshake_failure, not protocol_version */
             !c->ctx->server && !c->shseen &&
             c->ssl.MBEDTLS_PRIVATE(in_msg)[1] == MB_HS_FAILURE ?
             " before any ServerHello (no TLS version, cipher suite or "
             "group in common?)" : "");
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
             ret == MB_ERR_VERSION ?
             ": protocol version" :
             ret == MBEDTLS_ERR_SSL_NO_CLIENT_CERTIFICATE ?
             ": peer did not return a certificate" :
             ret == MB_ERR_NO_SUITE ?
             MB_NO_SUITE_TEXT : "");
  }
  mb_fail(err, HB_ERROR, ret, buf);
  return HB_IO_ERROR;
}

/* ---- the record stream, watched in the I/O callbacks ---- */

/* The HelloRetryRequest's fixed random (RFC 8446 4.1.3). */
static const unsigned char mb_hrr_random[32] = {
  0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02,
  0x1E, 0x65, 0xB8, 0x91, 0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E,
  0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C
};

static int mb_group_ok(const hb_tls_ctx *ctx, int id);

/* One ServerHello body (p, n): version, key_share group, PSK, HRR. */
static void mb_parse_sh(hb_tls_conn *c, const unsigned char *p, size_t n)
{
  size_t off, sidlen, extlen, end, t, l;
  int hrr;

  if(n < 38)
    return;
  hrr = !memcmp(p + 2, mb_hrr_random, 32);
  sidlen = p[34];
  off = 35 + sidlen + 3; /* session id, cipher suite, compression */
  if(off + 2 > n)
    return;
  extlen = (size_t)p[off] << 8 | p[off + 1];
  off += 2;
  end = off + extlen < n ? off + extlen : n;
  c->hrr |= hrr;
  while(off + 4 <= end) {
    t = (size_t)p[off] << 8 | p[off + 1];
    l = (size_t)p[off + 2] << 8 | p[off + 3];
    off += 4;
    if(off + l > end)
      break;
    if(t == 43 && l == 2) /* supported_versions: the chosen one */
      c->sh13 = (p[off] << 8 | p[off + 1]) == HB_TLS_1_3;
    else if(t == 51 && l >= 2) /* key_share: group first (HRR: only) */
      c->group = p[off] << 8 | p[off + 1];
    else if(t == 41) /* pre_shared_key: the server took one */
      c->psk = 1;
    off += l;
  }
  if(c->sh13 && c->group && !mb_group_ok(c->ctx, c->group) &&
     !c->ctx->server)
    c->bad_group = 1; /* the client fails in mb_recv */
  if(!hrr)
    c->shdone = 1;
}

/* Bytes from the server (received by a client, sent by a server): kept
 * until the ServerHello after any HelloRetryRequest has been parsed, or
 * the first encrypted record. Handshake messages are parsed when whole
 * inside the bytes kept, even if their record is longer than the buffer
 * (TLS 1.2: ServerHello and Certificate may share one). */
static void mb_sh_feed(hb_tls_conn *c, const unsigned char *buf, size_t n)
{
  size_t room = sizeof(c->shbuf) - c->shhave, off = 0, rl, ho, hl, end;
  int seen = 0;

  if(c->shdone || c->hs_done)
    return;
  if(n > room)
    n = room;
  memcpy(c->shbuf + c->shhave, buf, n);
  c->shhave += n;
  while(off + 5 <= c->shhave && !c->shdone) {
    const unsigned char *r = c->shbuf + off;

    rl = (size_t)r[3] << 8 | r[4];
    if(r[0] == MB_CT_HANDSHAKE) {
      end = off + 5 + rl < c->shhave ? off + 5 + rl : c->shhave;
      for(ho = off + 5; ho + 4 <= end; ho += 4 + hl) {
        hl = (size_t)c->shbuf[ho + 1] << 16 |
             (size_t)c->shbuf[ho + 2] << 8 | c->shbuf[ho + 3];
        if(ho + 4 + hl > end)
          break;
        if(c->shbuf[ho] == MB_HS_SERVER_HELLO && ++seen > c->shseen) {
          c->shseen = seen;
          mb_parse_sh(c, c->shbuf + ho + 4, hl);
        }
      }
    }
    else if(r[0] != MB_CT_CCS) /* encrypted (23) or an alert: done */
      c->shdone = 1;
    off += 5 + rl;
  }
  if(c->shhave == sizeof(c->shbuf))
    c->shdone = 1;
}

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

  /* MB3 traces handshake messages and sent CCS from the library's
   * debug lines (mb_dbg): the scanner adds received CCS and alerts */
  int dbg = MB3 && c->ctx->traced == c;

  switch(ev->kind) {
  case HB_REC_HEADER:
    if(ev->content_type == MB_CT_CCS && !(dbg && sent))
      hb_tls_trace(&c->base, sent, MB_CT_CCS, -1, ev->len);
    else if(ev->content_type == MB_CT_ALERT)
      hb_tls_trace(&c->base, sent, MB_CT_ALERT, -1, 2);
    /* TLS 1.2: the one encrypted handshake message is Finished */
    else if(ev->content_type == MB_CT_HANDSHAKE && ev->encrypted &&
            !c->hs_done && !dbg)
      hb_tls_trace(&c->base, sent, MB_CT_HANDSHAKE, MB_HS_FINISHED,
                   MB_FINISHED_LEN);
    break;
  case HB_REC_MESSAGE:
    if(!dbg)
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
   * is in the library's list only for certificates: stop it unsent. Only
   * before our ChangeCipherSpec: after it the Finished is a handshake
   * record too, whose bytes 5 and 9 are ciphertext (with ChaCha20, no
   * explicit nonce: 12 and 3 once in 65536 handshakes) */
  if(c->ctx->server && !c->hs_done && !c->base.tx.ccs &&
     !c->base.tx.rec_have && len >= 12 && buf[0] == MB_CT_HANDSHAKE &&
     buf[5] == MB_HS_SERVER_KX && buf[9] == 3 &&
     ((size_t)buf[3] << 8 | buf[4]) ==
     ((size_t)buf[6] << 16 | (size_t)buf[7] << 8 | buf[8]) + 4) {
    id = buf[10] << 8 | buf[11];
    if(!mb_group_ok(c->ctx, id)) {
      c->group = id;
      c->bad_group = 2;
      return MB_ERR_GROUP;
    }
  }
  io = hb_sock_write(&c->base, buf, len, &n);
  if(io == HB_IO_OK && c->ctx->server)
    mb_sh_feed(c, buf, n);
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

  if(io == HB_IO_OK && !c->ctx->server)
    mb_sh_feed(c, buf, n);
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

#if MB13
/* 3.6 with TLS 1.3: 1.2 and 1.3, the library's default range. */
static int mb_versions(const hb_tls_config *cfg, hb_err *err)
{
  int min = cfg->min_version ? cfg->min_version : HB_TLS_1_2;
  int max = cfg->max_version ? cfg->max_version : HB_TLS_1_3;

  if((min != HB_TLS_1_2 && min != HB_TLS_1_3) ||
     (max != HB_TLS_1_2 && max != HB_TLS_1_3) || min > max)
    return hb_err_set(err, HB_UNSUPPORTED, "TLS version range 0x%04x.."
                      "0x%04x: only TLS 1.2 and 1.3 are available", min,
                      max);
  return HB_OK;
}
#else
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
#endif

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
      return hb_err_set(err, HB_UNSUPPORTED, "group %s: mbedTLS %s "
                        "negotiates only x25519, p256, p384 and p521 here "
                        "(ECDHE; no FFDHE groups, no x448, no ML-KEM)",
                        want[i]->name, MBEDTLS_VERSION_STRING);
#if MB3
    ctx->groups[i] = (uint16_t)mb_group_tab[j].tls_id;
#else
    ctx->groups[i] = mb_group_tab[j].id;
#endif
    ctx->allowed[i] = want[i]->id;
  }
  ctx->nallowed = n;
  for(i = 1; i < MB_NGROUPS; i++) { /* ECDSA curves, for certificates */
    for(j = 0; j < ctx->nallowed && ctx->allowed[j] != mb_group_tab[i].tls_id;
        j++)
      ;
#if MB3
    if(j == ctx->nallowed)
      ctx->groups[n++] = (uint16_t)mb_group_tab[i].tls_id;
  }
  ctx->groups[n] = 0;
  mbedtls_ssl_conf_groups(&ctx->conf, ctx->groups);
#else
    if(j == ctx->nallowed)
      ctx->groups[n++] = mb_group_tab[i].id;
  }
  ctx->groups[n] = MBEDTLS_ECP_DP_NONE;
  mbedtls_ssl_conf_curves(&ctx->conf, ctx->groups);
#endif
  return HB_OK;
}

/* Loads PEM certificates into crt, or else a private key into key;
 * EdDSA and other unknown algorithms are "unsupported", not errors. */
static int mb_load(hb_tls_ctx *ctx, const char *file,
                   mbedtls_x509_crt *crt, mbedtls_pk_context *key,
                   hb_err *err)
{
  char what[512];
  int ret, high, rc;

  if(!file)
    return hb_err_set(err, HB_ERROR, "a file is missing: a certificate "
                      "needs its key, verify_peer a ca_file");
#if MB3 /* the key's blinding draws random numbers */
  ret = crt ? mbedtls_x509_crt_parse_file(crt, file) :
              mbedtls_pk_parse_keyfile(key, file, NULL,
                                       mbedtls_ctr_drbg_random, &ctx->drbg);
#else
  (void)ctx;
  ret = crt ? mbedtls_x509_crt_parse_file(crt, file) :
              mbedtls_pk_parse_keyfile(key, file, NULL);
#endif
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
  snprintf(what, sizeof(what), "loading %s%s%s%s", file,
           rc == HB_ERROR ? "" : ": an algorithm mbedTLS ",
           rc == HB_ERROR ? "" : MBEDTLS_VERSION_STRING,
           rc == HB_ERROR ? "" : " lacks (EdDSA?)");
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
 * with ChaCha20-Poly1305); 3.6 with TLS 1.3 also that AEAD's TLS 1.3
 * suite. */
static const int mb_aes128_suites[] = {
#if MB13
  MBEDTLS_TLS1_3_AES_128_GCM_SHA256,
#endif
  MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
  MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
  0
};
static const int mb_aes256_suites[] = {
#if MB13
  MBEDTLS_TLS1_3_AES_256_GCM_SHA384,
#endif
  MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
  MBEDTLS_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
  0
};
static const int mb_chacha_suites[] = {
#if MB13
  MBEDTLS_TLS1_3_CHACHA20_POLY1305_SHA256,
#endif
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

/* in hb_tls_ciphers' order */
static const struct {
  const int *ecdhe, *rsa_kx;
} mb_cipher_tab[HB_TLS_NCIPHERS] = {
  { mb_aes128_suites, mb_aes128_rsa_kx },
  { mb_aes256_suites, mb_aes256_rsa_kx },
  { mb_chacha_suites, NULL }
};

/* The suite list for cfg.cipher; every suite in it must be in this build
 * (mbedTLS would skip a missing one without a word). */
static int mb_ciphers(const hb_tls_config *cfg, const int **out,
                      hb_err *err)
{
  const int *list;
  size_t i;
  int rc = hb_tls_cipher_find(cfg, &i, err);

  if(rc != HB_OK)
    return rc;
  list = cfg->rsa_kx ? mb_cipher_tab[i].rsa_kx : mb_cipher_tab[i].ecdhe;
  for(i = 0; list[i]; i++)
    if(!mbedtls_ssl_ciphersuite_from_id(list[i]))
      return hb_err_set(err, HB_UNSUPPORTED, "cipher %s: this mbedTLS "
                        "build lacks suite 0x%04X", cfg->cipher,
                        (unsigned)list[i]);
  *out = list;
  return HB_OK;
}

#if MB13
/* TLS 1.3 in 3.6 has no message callback and its handshake is encrypted
 * after ServerHello, so the record scanner cannot see the messages: the
 * trace comes from the library's own debug lines instead (a context with
 * a trace only; every other conf has no f_dbg and formats nothing).
 * Received: "handshake message: msglen = M, type = T, hslen = H" (level
 * 3), once per message, decrypted. Sent: "=> write handshake message"
 * (level 2), when out_msg holds the message (or a ChangeCipherSpec). */
static void mb_dbg(void *arg, int level, const char *file, int line,
                   const char *str)
{
  hb_tls_ctx *ctx = arg;
  hb_tls_conn *c = ctx->traced;
  size_t msglen, hslen;
  unsigned type;
  const char *m;

  (void)level, (void)file, (void)line;
  if(!c || c->hs_done)
    return;
  /* with MBEDTLS_THREADING_C each line starts with "<ssl pointer>: " */
  if((m = strstr(str, "handshake message: msglen = ")) &&
     sscanf(m, "handshake message: msglen = %zu, type = %u, hslen = %zu",
            &msglen, &type, &hslen) == 3)
    hb_tls_trace(&c->base, 0, MB_CT_HANDSHAKE, (int)type, hslen);
  else if(strstr(str, "=> write handshake message")) {
    const mbedtls_ssl_context *ssl = &c->ssl;

    if(ssl->MBEDTLS_PRIVATE(out_msgtype) == MB_CT_CCS)
      hb_tls_trace(&c->base, 1, MB_CT_CCS, -1, 1);
    else
      hb_tls_trace(&c->base, 1, MB_CT_HANDSHAKE,
                   ssl->MBEDTLS_PRIVATE(out_msg)[0],
                   ssl->MBEDTLS_PRIVATE(out_msglen));
  }
}
#endif
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
#if MB13
  mbedtls_ssl_conf_min_tls_version(&ctx->conf,
    cfg->min_version == HB_TLS_1_3 ? MBEDTLS_SSL_VERSION_TLS1_3
                                   : MBEDTLS_SSL_VERSION_TLS1_2);
  mbedtls_ssl_conf_max_tls_version(&ctx->conf,
    cfg->max_version == HB_TLS_1_2 ? MBEDTLS_SSL_VERSION_TLS1_2
                                   : MBEDTLS_SSL_VERSION_TLS1_3);
  if(ctx->on_msg) { /* the trace: the library's handshake debug lines */
    mbedtls_ssl_conf_dbg(&ctx->conf, mb_dbg, ctx);
    mbedtls_debug_set_threshold(3); /* only a conf with f_dbg pays */
  }
#elif MB3
  mbedtls_ssl_conf_min_tls_version(&ctx->conf, MBEDTLS_SSL_VERSION_TLS1_2);
  mbedtls_ssl_conf_max_tls_version(&ctx->conf, MBEDTLS_SSL_VERSION_TLS1_2);
#else
  mbedtls_ssl_conf_min_version(&ctx->conf, MBEDTLS_SSL_MAJOR_VERSION_3,
                               MBEDTLS_SSL_MINOR_VERSION_3);
  mbedtls_ssl_conf_max_version(&ctx->conf, MBEDTLS_SSL_MAJOR_VERSION_3,
                               MBEDTLS_SSL_MINOR_VERSION_3);
#endif
  if(cfg->server || cfg->cert_file || cfg->key_file) {
    rc = mb_load(ctx, cfg->cert_file, &ctx->own, NULL, err);
    if(!rc)
      rc = mb_load(ctx, cfg->key_file, NULL, &ctx->key, err);
    if(rc)
      return rc;
    ret = mbedtls_ssl_conf_own_cert(&ctx->conf, &ctx->own, &ctx->key);
    if(ret)
      return mb_fail(err, HB_ERROR, ret, "setting the certificate");
  }
  if(cfg->verify_peer) {
    rc = mb_load(ctx, cfg->ca_file, &ctx->ca, NULL, err);
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
#if MB13 /* 3.6 ignores TLS 1.3 tickets unless asked to hand them over */
    mbedtls_ssl_conf_tls13_enable_signal_new_session_tickets(&ctx->conf,
      MBEDTLS_SSL_TLS1_3_SIGNAL_NEW_SESSION_TICKETS_ENABLED);
#endif
#if MB_EARLY
    ctx->conf_early = ctx->conf;
    mbedtls_ssl_conf_early_data(&ctx->conf_early,
                                MBEDTLS_SSL_EARLY_DATA_ENABLED);
#endif
    return HB_OK;
  }
  if(cfg->max_early_data) {
#if MB_EARLY
    mbedtls_ssl_conf_early_data(&ctx->conf, MBEDTLS_SSL_EARLY_DATA_ENABLED);
    mbedtls_ssl_conf_max_early_data_size(&ctx->conf, cfg->max_early_data);
#else
    return hb_err_set(err, HB_UNSUPPORTED, "early data (0-RTT): not in "
                      "this mbedTLS build or backend");
#endif
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
#if MB3
  {
    psa_status_t st = psa_crypto_init(); /* TLS 1.3's crypto goes via PSA */

    if(st != PSA_SUCCESS)
      return hb_err_set(err, HB_ERROR, "psa_crypto_init failed (PSA "
                        "status %d)", (int)st);
  }
#endif
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
  if(c->ctx->traced == c)
    c->ctx->traced = NULL;
#if MB13
  if(c->t13) {
    mbedtls_ssl_session_free(c->t13);
    free(c->t13);
  }
#endif
  mbedtls_ssl_free(&c->ssl);
  free(c);
}

static int mb_conn_new(hb_tls_ctx *ctx, int fd, const char *sni,
                       hb_tls_conn **out, hb_err *err)
{
  hb_tls_conn *c;
  int ret, client_sni = !ctx->server && sni && *sni;

  *out = NULL;
  c = hb_calloc(1, sizeof(*c));
  if(!c)
    return hb_err_set(err, HB_ERROR, "out of memory");
  mbedtls_ssl_init(&c->ssl);
  c->ctx = ctx;
  hb_tls_base_init(&c->base, fd, ctx->on_msg, ctx->msg_arg);
  c->base.scan = mb_scan; /* through the handshake, and for a trace */
  c->base.scan_arg = c;
  if(ctx->on_msg && MB13)
    ctx->traced = c; /* a traced context makes one connection at a time */
  ret = mbedtls_ssl_setup(&c->ssl, &ctx->conf);
  if(ret)
    goto out;
  mbedtls_ssl_set_bio(&c->ssl, c, mb_send, mb_recv, NULL);
#if MB_EARLY
  /* 3.6.6 skips the early data it rejects only up to the new session's
   * max_early_data_size, which a full handshake (a ticket it cannot
   * read) leaves at 0 until it writes a ticket: it then fails with
   * unexpected_message on the first early record. The configured limit
   * from the start, as the ticket will say; a resumption copies the
   * ticket's own over it. */
  if(ctx->server && ctx->conf.MBEDTLS_PRIVATE(early_data_enabled) &&
     c->ssl.MBEDTLS_PRIVATE(session_negotiate))
    c->ssl.MBEDTLS_PRIVATE(session_negotiate)->
      MBEDTLS_PRIVATE(max_early_data_size) =
      ctx->conf.MBEDTLS_PRIVATE(max_early_data_size);
#endif
  /* no SNI for addresses (RFC 6066), and 2.28 cannot match them: we do,
   * in a callback that runs only when verifying */
  if(client_sni)
    c->iplen = (size_t)hb_tls_ip_literal(sni, c->ip, NULL, 0);
  if(client_sni && c->iplen) {
    mbedtls_ssl_set_verify(&c->ssl, mb_verify_ip, c);
#if MB3 /* 3.6 refuses to verify unless told there is no name to match */
    ret = mbedtls_ssl_set_hostname(&c->ssl, NULL);
#endif
  }
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
#if MB_EARLY
  /* a server with early data to read: mb_read takes it, and completes the
   * handshake after it (3.6 sends no 0.5-RTT data: an answer waits for
   * the client's Finished) */
  if(ret == MBEDTLS_ERR_SSL_RECEIVED_EARLY_DATA) {
    c->early_phase = c->early_seen = 1;
    return HB_IO_OK;
  }
  if(!ret)
    c->early_phase = 0;
#endif
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
#if MB_EARLY
  while(c->early_phase) {
    ret = mbedtls_ssl_read_early_data(&c->ssl, buf, len);
    if(ret > 0) {
      *n = (size_t)ret;
      return HB_IO_OK;
    }
    if(ret != MBEDTLS_ERR_SSL_CANNOT_READ_EARLY_DATA)
      return mb_result(c, ret, "reading early data failed", err);
    c->early_phase = 0; /* none buffered: on with the handshake */
    r = mb_handshake(c, err);
    if(r != HB_IO_OK)
      return r;
  }
#endif
  r = mb_handshake(c, err);
  if(r != HB_IO_OK)
    return r;
  ret = mbedtls_ssl_read(&c->ssl, buf, len);
#if MB13
  /* a TLS 1.3 ticket: keep it (the newest) and read on. 3.6 answers the
   * record that carries one with WANT_READ, the ticket waiting in its
   * buffer for the next call: call again at once, or the caller would
   * wait on a socket with nothing more to come */
  for(;;) {
    mbedtls_ssl_session *t;
    int r2;

    if(ret == MBEDTLS_ERR_SSL_WANT_READ && !c->ctx->server &&
       c->ssl.MBEDTLS_PRIVATE(state) ==
       MBEDTLS_SSL_TLS1_3_NEW_SESSION_TICKET) {
      ret = mbedtls_ssl_read(&c->ssl, buf, len);
      continue;
    }
    if(ret != MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET)
      break;
    t = calloc(1, sizeof(*t));
    if(!t) {
      hb_err_set(err, HB_ERROR, "out of memory");
      return HB_IO_ERROR;
    }
    mbedtls_ssl_session_init(t);
    r2 = mbedtls_ssl_get_session(&c->ssl, t);
    if(r2) {
      mbedtls_ssl_session_free(t);
      free(t);
      mb_fail(err, HB_ERROR, r2, "keeping a TLS 1.3 ticket");
      return HB_IO_ERROR;
    }
    if(c->t13) {
      mbedtls_ssl_session_free(c->t13);
      free(c->t13);
    }
    c->t13 = t;
    ret = mbedtls_ssl_read(&c->ssl, buf, len);
  }
#endif
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
  if(c->early_phase) { /* more early data came first: read it first */
    hb_err_set(err, HB_ERROR, "TLS write: early data still unread");
    return HB_IO_ERROR;
  }
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
  else if(c->ssl.MBEDTLS_PRIVATE(out_left)) {
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
  if(ret == MBEDTLS_ERR_SSL_WANT_WRITE && !c->wpend && c->ssl.MBEDTLS_PRIVATE(out_left)) {
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
  ret = c->ssl.MBEDTLS_PRIVATE(out_left) ? mbedtls_ssl_close_notify(&c->ssl) : 0;
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
  if(!c->hs_done && !c->early_seen)
    return HB_OK;
#if MB_EARLY
  if(c->ctx->server)
    info->early_data = c->early_seen ? HB_EARLY_ACCEPTED : HB_EARLY_NONE;
  else if(c->early_tried)
    switch(mbedtls_ssl_get_early_data_status(&c->ssl)) {
    case MBEDTLS_SSL_EARLY_DATA_STATUS_ACCEPTED:
      info->early_data = HB_EARLY_ACCEPTED;
      break;
    case MBEDTLS_SSL_EARLY_DATA_STATUS_REJECTED:
      info->early_data = HB_EARLY_REJECTED;
      break;
    default:
      break;
    }
#endif
  v = mbedtls_ssl_get_version(&c->ssl);
  info->version = !strcmp(v, "TLSv1.2") ? HB_TLS_1_2 :
                  !strcmp(v, "TLSv1.3") ? HB_TLS_1_3 : 0;
  /* mbedTLS names are the IANA names with '-' for '_', but for TLS 1.3's
   * ("TLS1-3-AES-128-GCM-SHA256": TLS_AES_128_GCM_SHA256) */
  suite = mbedtls_ssl_get_ciphersuite(&c->ssl);
  if(suite && !strncmp(suite, "TLS1-3-", 7))
    snprintf(info->cipher, sizeof(info->cipher), "TLS_%s", suite + 7);
  else
    snprintf(info->cipher, sizeof(info->cipher), "%s", suite ? suite : "");
  for(p = info->cipher; *p; p++)
    if(*p == '-')
      *p = '_';
  if(info->version == HB_TLS_1_3) {
    /* from the ServerHello: its key_share, its pre_shared_key (a
     * psk_ke resumption would have no key share: no group) */
    snprintf(info->group, sizeof(info->group), "%s",
             hb_group_name((unsigned)c->group));
    info->resumed = c->psk;
    return HB_OK;
  }
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
#if MB13
  if(mbedtls_ssl_get_version_number(&c->ssl) == MBEDTLS_SSL_VERSION_TLS1_3) {
    /* the ticket mb_read kept, if one came; 1.3 has no session IDs */
    if(!c->t13) {
      free(s);
      return HB_OK;
    }
    s->s = *c->t13; /* the struct moves: its pointers go with it */
    free(c->t13);
    c->t13 = NULL;
    *out = s;
    return HB_OK;
  }
#endif
  mbedtls_ssl_session_init(&s->s);
  ret = mbedtls_ssl_get_session(&c->ssl, &s->s);
  /* neither a session ID nor a ticket: nothing to resume */
  if(!ret && (s->s.MBEDTLS_PRIVATE(id_len) ||
              s->s.MBEDTLS_PRIVATE(ticket_len))) {
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

#if MB_EARLY
/* Client 0-RTT: the connection switches to the early-data conf before
 * its first handshake step, then the library writes the ClientHello and
 * the data. A session that allows none: nothing sent, *n = 0. */
static hb_io mb_write_early(hb_tls_conn *c, const void *buf, size_t len,
                            size_t *n, hb_err *err)
{
  int ret;

  *n = 0;
  if(c->ctx->server || c->hs_done) {
    hb_err_set(err, HB_ERROR, "write_early: a client, before the "
               "handshake");
    return HB_IO_ERROR;
  }
  if(!c->early_tried) {
    c->early_tried = 1;
    c->ssl.MBEDTLS_PRIVATE(conf) = &c->ctx->conf_early;
  }
  ret = mbedtls_ssl_write_early_data(&c->ssl, buf, len);
  if(ret >= 0) {
    *n = (size_t)ret;
    return HB_IO_OK;
  }
  if(ret == MBEDTLS_ERR_SSL_CANNOT_WRITE_EARLY_DATA)
    return HB_IO_OK; /* the ticket allows none: the request goes later */
  return mb_result(c, ret, "writing early data failed", err);
}
#endif

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
    HB_TLS_SUP_RSA_KX | HB_TLS_SUP_TRACE | (MB13 ? HB_TLS_SUP_TLS13 : 0) |
    (MB_EARLY ? HB_TLS_SUP_EARLY_DATA : 0) | MB_SUP_ALPN,
  mb_ctx_new, mb_ctx_free, mb_conn_new, mb_handshake, mb_read, mb_write,
  mb_shutdown, mb_info, mb_conn_free, mb_session_get, mb_session_set,
  mb_session_free,
  NULL, /* conn_reuse */
#if MB_EARLY
  mb_write_early,
#else
  NULL, /* write_early */
#endif
#if MB_EARLY
  NULL,
#elif MB13
  "this backend does not drive mbedTLS 3.6's early data (0-RTT) calls "
  "yet (mbedtls_ssl_write_early_data / read_early_data)",
#else
  "mbedTLS 2.28 has no TLS 1.3, so no 0-RTT early data",
#endif
  NULL, NULL, /* writev, sendfile: records need the bytes in memory */
  mb_alpn_get
};
