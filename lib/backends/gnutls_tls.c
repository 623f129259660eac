/* The GnuTLS backend's TLS connection table (include/hb/tls.h) over
 * GnuTLS 3.7 (gnutls/gnutls.h).
 *
 * GnuTLS does the socket I/O through our push/pull functions on the
 * caller's non-blocking fd, which use the layer's socket calls
 * (hb/tls_layer.h: counting, reset, record scanner). GnuTLS reads a
 * record as two exact reads (header, then body), so after the handshake
 * the pull function reads ahead into a per-connection buffer: one recv
 * usually brings a whole record. During the handshake it reads exactly
 * what GnuTLS asks for, so that nothing (say the request the client
 * sends right behind its Finished) waits in our buffer once the
 * handshake returns; after it, data can stay in the buffer only while
 * read() returns data, and the caller reads until HB_IO_WANT_READ.
 *
 * A context holds the credentials and the priority cache, which GnuTLS
 * lets several threads share, the ticket key (read-only) and the
 * server's session-ID cache, which has its own lock. */
#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gnutls/gnutls.h>

#include "hb/alloc.h"
#include "hb/err.h"
#include "hb/tls_groups.h"
#include "hb/tls_layer.h"

#define GT_RBUF (16384 + 512)   /* a whole record and the next header */
#define GT_DIRECT 4096          /* reads this big go straight to GnuTLS */
#define GT_SPINS 64             /* bound on retries inside one call */
#define GT_CACHE_SLOTS 16384    /* server session-ID cache entries */
#define GT_PRIO_LEN 512
#define GT_TQ 16                /* sent handshake messages not yet seen */
#define GT_AR_SLOTS 16384       /* 0-RTT anti-replay entries */
#define GT_AR_KEY 96

typedef struct gt_slot {
  unsigned char id[GNUTLS_MAX_SESSION_ID];
  unsigned idlen;               /* 0: empty */
  unsigned char *data;          /* packed session, malloc'd */
  unsigned size;
} gt_slot;

/* One ClientHello seen with early data (anti-replay). */
typedef struct gt_ar_slot {
  unsigned char key[GT_AR_KEY];
  unsigned len;                 /* 0: empty */
  time_t expires;
} gt_ar_slot;

struct hb_tls_ctx {
  int server;
  uint32_t max_early;           /* server: max_early_data */
  gnutls_anti_replay_t ar;      /* server with early data */
  gt_ar_slot *ar_seen;          /* guarded by lock */
  int verify;
  int tickets;
  hb_tls_msg_fn on_msg;
  void *msg_arg;
  gnutls_certificate_credentials_t cred;
  gnutls_priority_t prio;
  gnutls_datum_t ticket_key;    /* server with tickets */
  gt_slot *cache;               /* server with session_cache */
  pthread_mutex_t lock;         /* guards cache */
  int have_lock;
  hb_alpn_list alpn;            /* cfg.alpn */
  gnutls_datum_t alpn_d[HB_ALPN_MAX];
  unsigned alpn_flags;
};

struct hb_tls_conn {
  hb_tls_base base;             /* fd, counters, socket state, trace */
  hb_tls_ctx *ctx;
  gnutls_session_t s;
  int done;                     /* handshake complete */
  int bye_sent;
  int early_sent;               /* client: write_early queued data */
  int early_read;               /* server: early data taken */
  char host[256];               /* verify_cert keeps a pointer to it */
  unsigned char ip[16];
  gnutls_typed_vdata_st vdata;
  size_t tq_len[GT_TQ];         /* trace: sent messages, in order */
  int tq_type[GT_TQ];
  unsigned tqn;
  size_t credit;                /* plaintext handshake bytes sent */
  size_t rpos, rlen;            /* read-ahead window in rbuf */
  unsigned char rbuf[GT_RBUF];
};

struct hb_tls_session {
  gnutls_datum_t data;
};

/* ---- error text ---- */

static int gt_fail(hb_err *err, const char *what, int rc)
{
  return hb_err_set(err, HB_ERROR, "gnutls: %s failed: %s (%d)", what,
                    gnutls_strerror(rc), rc);
}

/* Our words for the verification status bits, then GnuTLS's sentence. */
static void gt_verify_text(hb_tls_conn *c, hb_err *err)
{
  static const struct {
    unsigned bit;
    const char *words;
  } bits[] = {
    { GNUTLS_CERT_SIGNER_NOT_FOUND, "unable to get local issuer "
      "certificate (issuer unknown)" },
    { GNUTLS_CERT_UNEXPECTED_OWNER, "hostname mismatch" },
    { GNUTLS_CERT_EXPIRED, "certificate expired" },
    { GNUTLS_CERT_NOT_ACTIVATED, "certificate not yet valid" },
    { GNUTLS_CERT_REVOKED, "certificate revoked" },
    { GNUTLS_CERT_SIGNATURE_FAILURE, "bad signature" },
    { GNUTLS_CERT_INSECURE_ALGORITHM, "insecure algorithm" },
    { GNUTLS_CERT_SIGNER_NOT_CA, "issuer is not a CA" },
    { GNUTLS_CERT_PURPOSE_MISMATCH, "key purpose mismatch" },
  };
  unsigned status = gnutls_session_get_verify_cert_status(c->s);
  gnutls_datum_t txt = { NULL, 0 };
  char words[256] = "";
  size_t i, used = 0;

  for(i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
    if(!(status & bits[i].bit))
      continue;
    used += (size_t)snprintf(words + used, sizeof(words) - used, "%s%s",
                             used ? ", " : "", bits[i].words);
    if(used >= sizeof(words))
      break;
  }
  if(!words[0])
    snprintf(words, sizeof(words), "not trusted");
  if(gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509,
                                                  &txt, 0) < 0)
    txt.data = NULL;
  hb_err_set(err, HB_ERROR, "gnutls: certificate verify failed: %s (%s)",
             words, txt.data ? (const char *)txt.data : "no details");
  gnutls_free(txt.data);
}

/* ---- trace ----
 *
 * The handshake hook reports handshake messages: received ones before
 * GnuTLS parses them (its post hook may see a consumed buffer), sent
 * ones once built. It skips ChangeCipherSpec, so a scan of the record
 * headers on the wire reports those. GnuTLS builds a whole flight before
 * sending it, so the sent messages wait in a small queue until their
 * records leave: TLS 1.2 handshake records release messages by size (a
 * record may hold several), TLS 1.3 encrypted records release them all.
 * Alerts are reported from GnuTLS's return codes and our own sends. */

static void gt_trace(hb_tls_conn *c, int sent, int type, int hs, size_t len)
{
  hb_tls_trace(&c->base, sent, type, hs, len);
}

/* Reports queued sent messages while the credit covers them (all of
 * them if all is set). */
static void gt_tq_release(hb_tls_conn *c, int all)
{
  unsigned i = 0;

  while(i < c->tqn && (all || c->tq_len[i] <= c->credit)) {
    c->credit = c->tq_len[i] < c->credit ? c->credit - c->tq_len[i] : 0;
    gt_trace(c, 1, 22, c->tq_type[i], c->tq_len[i]);
    i++;
  }
  if(all || i == c->tqn)
    c->credit = 0; /* what is left was framing, padding or a tag */
  memmove(c->tq_len, c->tq_len + i, (c->tqn - i) * sizeof(c->tq_len[0]));
  memmove(c->tq_type, c->tq_type + i, (c->tqn - i) * sizeof(c->tq_type[0]));
  c->tqn -= i;
}

static void gt_tq_add(hb_tls_conn *c, int hs, size_t len)
{
  if(c->tqn == GT_TQ)
    gt_tq_release(c, 1);
  c->tq_type[c->tqn] = hs;
  c->tq_len[c->tqn] = len;
  c->tqn++;
}

/* A record header crossed the socket (the layer's scanner). */
static void gt_record(void *arg, int sent, const hb_rec_event *ev)
{
  hb_tls_conn *c = arg;
  int type = ev->content_type;
  size_t len = ev->len;

  if(ev->kind != HB_REC_HEADER)
    return;
  if(!sent) {
    if(type == 20)
      gt_trace(c, 0, 20, -1, len);
    return;
  }
  if(type == 20) {
    gt_trace(c, 1, 20, -1, len); /* what follows waits for its record */
    return;
  }
  if(type == 22) {
    c->credit += len;
    gt_tq_release(c, 0);
    return;
  }
  gt_tq_release(c, 1);
}

/* len counts the 4-byte header: the whole message as on the wire. */
static int gt_hook(gnutls_session_t s, unsigned htype, unsigned when,
                   unsigned incoming, const gnutls_datum_t *msg)
{
  hb_tls_conn *c = gnutls_session_get_ptr(s);
  size_t len = (msg ? msg->size : 0) + 4;
  int hs = (int)htype;

  if(htype == GNUTLS_HANDSHAKE_CHANGE_CIPHER_SPEC ||
     (incoming ? when != GNUTLS_HOOK_PRE : when != GNUTLS_HOOK_POST))
    return 0;
  if(htype == GNUTLS_HANDSHAKE_HELLO_RETRY_REQUEST)
    hs = GNUTLS_HANDSHAKE_SERVER_HELLO; /* its wire type */
  else if(htype == GNUTLS_HANDSHAKE_CLIENT_HELLO_V2)
    hs = GNUTLS_HANDSHAKE_CLIENT_HELLO;
  if(incoming)
    gt_trace(c, 0, 22, hs, len);
  else
    gt_tq_add(c, hs, len);
  return 0;
}

static void gt_alert_in(hb_tls_conn *c)
{
  gt_trace(c, 0, 21, -1, 2);
}

static void gt_alert_out(hb_tls_conn *c)
{
  if(!c->base.on_msg)
    return;
  gt_tq_release(c, 1);
  gt_trace(c, 1, 21, -1, 2);
}

/* Sends an alert and traces it if it left. */
static void gt_alert(hb_tls_conn *c, gnutls_alert_level_t level,
                     gnutls_alert_description_t desc)
{
  if(gnutls_alert_send(c->s, level, desc) == 0)
    gt_alert_out(c);
}

/* ---- transport: push/pull through the layer's socket calls ---- */

/* What GnuTLS wants from a push or pull: bytes, 0 for EOF, or -1 with
 * the errno set on the session. */
static ssize_t gt_sock(hb_tls_conn *c, hb_io io, size_t n)
{
  if(io == HB_IO_OK)
    return (ssize_t)n;
  if(io == HB_IO_CLOSED)
    return 0;
  gnutls_transport_set_errno(c->s, io == HB_IO_WANT_READ ||
                             io == HB_IO_WANT_WRITE ? EAGAIN :
                             c->base.sys_errno);
  return -1;
}

static ssize_t gt_recv(hb_tls_conn *c, void *buf, size_t len)
{
  size_t n;
  hb_io io = hb_sock_read(&c->base, buf, len, &n);

  return gt_sock(c, io, n);
}

static ssize_t gt_pull(gnutls_transport_ptr_t p, void *buf, size_t len)
{
  hb_tls_conn *c = p;
  size_t n;
  ssize_t r;

  if(c->rpos == c->rlen) {
    /* handshake: exact reads (see the top); big reads: no copy */
    if(!c->done || len >= GT_DIRECT)
      return gt_recv(c, buf, len);
    r = gt_recv(c, c->rbuf, sizeof(c->rbuf));
    if(r <= 0)
      return r;
    c->rpos = 0;
    c->rlen = (size_t)r;
  }
  n = c->rlen - c->rpos;
  if(n > len)
    n = len;
  memcpy(buf, c->rbuf + c->rpos, n);
  c->rpos += n;
  return (ssize_t)n;
}

/* GnuTLS calls this only when asked to wait; we never block. */
static int gt_pull_timeout(gnutls_transport_ptr_t p, unsigned ms)
{
  hb_tls_conn *c = p;
  struct pollfd pfd;

  if(c->rpos < c->rlen)
    return 1;
  pfd.fd = c->base.fd;
  pfd.events = POLLIN;
  pfd.revents = 0;
  return poll(&pfd, 1, 0);
}

/* giovec_t is struct iovec's twin (GnuTLS says so). */
static ssize_t gt_push(gnutls_transport_ptr_t p, const giovec_t *iov,
                       int iovcnt)
{
  hb_tls_conn *c = p;
  size_t n;
  hb_io io = hb_sock_writev(&c->base, (const struct iovec *)iov, iovcnt, 0,
                            &n);

  return gt_sock(c, io, n);
}

/* ---- server session-ID cache (gnutls_db_* callbacks) ---- */

static gt_slot *gt_slot_for(hb_tls_ctx *ctx, const gnutls_datum_t *key)
{
  uint32_t h = 2166136261u; /* FNV-1a over the session ID */
  unsigned i;

  for(i = 0; i < key->size; i++)
    h = (h ^ key->data[i]) * 16777619u;
  return &ctx->cache[h % GT_CACHE_SLOTS];
}

static int gt_slot_match(const gt_slot *sl, const gnutls_datum_t *key)
{
  return sl->idlen && sl->idlen == key->size &&
         !memcmp(sl->id, key->data, key->size);
}

/* A newer session evicts whatever shares its slot. */
static int gt_db_store(void *p, gnutls_datum_t key, gnutls_datum_t data)
{
  hb_tls_ctx *ctx = p;
  unsigned char *copy;
  gt_slot *sl;

  if(!key.size || key.size > GNUTLS_MAX_SESSION_ID || !data.size)
    return -1;
  copy = malloc(data.size);
  if(!copy)
    return -1;
  memcpy(copy, data.data, data.size);
  pthread_mutex_lock(&ctx->lock);
  sl = gt_slot_for(ctx, &key);
  free(sl->data);
  memcpy(sl->id, key.data, key.size);
  sl->idlen = key.size;
  sl->data = copy;
  sl->size = data.size;
  pthread_mutex_unlock(&ctx->lock);
  return 0;
}

/* GnuTLS frees what we return with gnutls_free, and checks expiry. */
static gnutls_datum_t gt_db_fetch(void *p, gnutls_datum_t key)
{
  hb_tls_ctx *ctx = p;
  gnutls_datum_t out = { NULL, 0 };
  gt_slot *sl;

  if(!key.size || key.size > GNUTLS_MAX_SESSION_ID)
    return out;
  pthread_mutex_lock(&ctx->lock);
  sl = gt_slot_for(ctx, &key);
  if(gt_slot_match(sl, &key)) {
    out.data = gnutls_malloc(sl->size);
    if(out.data) {
      memcpy(out.data, sl->data, sl->size);
      out.size = sl->size;
    }
  }
  pthread_mutex_unlock(&ctx->lock);
  return out;
}

static int gt_db_remove(void *p, gnutls_datum_t key)
{
  hb_tls_ctx *ctx = p;
  gt_slot *sl;
  int rc = -1;

  if(!key.size || key.size > GNUTLS_MAX_SESSION_ID)
    return -1;
  pthread_mutex_lock(&ctx->lock);
  sl = gt_slot_for(ctx, &key);
  if(gt_slot_match(sl, &key)) {
    free(sl->data);
    memset(sl, 0, sizeof(*sl));
    rc = 0;
  }
  pthread_mutex_unlock(&ctx->lock);
  return rc;
}

/* GnuTLS's anti-replay asks us to remember each ClientHello that
 * carried early data until its ticket's window ends: a second one is a
 * replay (GNUTLS_E_DB_ENTRY_EXISTS) and loses its early data. A slot is
 * reused when its entry expired or when another hashes to it, which can
 * forget an entry early: good enough for a benchmark, not for a bank. */
static int gt_ar_add(void *p, time_t exp, const gnutls_datum_t *key,
                     const gnutls_datum_t *data)
{
  hb_tls_ctx *ctx = p;
  uint32_t h = 2166136261u;
  gt_ar_slot *sl;
  unsigned i;
  int rc = 0;

  (void)data;
  if(!key->size || key->size > GT_AR_KEY)
    return GNUTLS_E_DB_ERROR;
  for(i = 0; i < key->size; i++)
    h = (h ^ key->data[i]) * 16777619u;
  pthread_mutex_lock(&ctx->lock);
  sl = &ctx->ar_seen[h % GT_AR_SLOTS];
  if(sl->len == key->size && !memcmp(sl->key, key->data, key->size) &&
     sl->expires >= time(NULL))
    rc = GNUTLS_E_DB_ENTRY_EXISTS;
  else {
    memcpy(sl->key, key->data, key->size);
    sl->len = key->size;
    sl->expires = exp;
  }
  pthread_mutex_unlock(&ctx->lock);
  return rc;
}

/* ---- context ---- */

static int gt_add(char *buf, const char *s, hb_err *err)
{
  size_t used = strlen(buf);

  if(used + strlen(s) + 1 > GT_PRIO_LEN)
    return hb_err_set(err, HB_ERROR, "gnutls: priority string too long");
  memcpy(buf + used, s, strlen(s) + 1);
  return HB_OK;
}

/* The table's groups (hb/tls_groups.h) as GnuTLS's. */
static const struct {
  uint16_t id;
  gnutls_group_t g;
} gt_group_map[] = {
  { HB_GROUP_X25519, GNUTLS_GROUP_X25519 },
  { HB_GROUP_P256, GNUTLS_GROUP_SECP256R1 },
  { HB_GROUP_P384, GNUTLS_GROUP_SECP384R1 },
  { HB_GROUP_P521, GNUTLS_GROUP_SECP521R1 },
  { HB_GROUP_X448, GNUTLS_GROUP_X448 },
  { HB_GROUP_FFDHE2048, GNUTLS_GROUP_FFDHE2048 },
  { HB_GROUP_FFDHE3072, GNUTLS_GROUP_FFDHE3072 },
  { HB_GROUP_FFDHE4096, GNUTLS_GROUP_FFDHE4096 },
  { HB_GROUP_FFDHE6144, GNUTLS_GROUP_FFDHE6144 },
  { HB_GROUP_FFDHE8192, GNUTLS_GROUP_FFDHE8192 }
};
#define GT_NGROUPS (sizeof(gt_group_map) / sizeof(gt_group_map[0]))

/* cfg.groups -> ":-GROUP-ALL:+GROUP-X25519:+GROUP-SECP256R1", in the
 * caller's order, which is the order of preference and key shares. */
static int gt_groups(const char *list, char *prio, hb_err *err)
{
  const hb_group *want[HB_GROUPS_MAX];
  const gnutls_group_t *have;
  gnutls_group_t g;
  char item[64];
  size_t i, k, n;
  int rc;

  rc = hb_groups_parse(list, want, HB_GROUPS_MAX, &n, err);
  if(!rc)
    rc = gt_add(prio, ":-GROUP-ALL", err);
  for(i = 0; !rc && i < n; i++) {
    for(k = 0; k < GT_NGROUPS && gt_group_map[k].id != want[i]->id; k++)
      ;
    g = k < GT_NGROUPS ? gt_group_map[k].g : GNUTLS_GROUP_INVALID;
    /* the groups this GnuTLS implements */
    for(have = gnutls_group_list(); g && *have && *have != g; have++)
      ;
    if(!g || !*have)
      return hb_err_set(err, HB_UNSUPPORTED, "gnutls: this GnuTLS has no "
                        "group %s", want[i]->name);
    snprintf(item, sizeof(item), ":+GROUP-%s", gnutls_group_get_name(g));
    rc = gt_add(prio, item, err);
  }
  return rc;
}

/* cfg.cipher -> ":-CIPHER-ALL:+AES-128-GCM": that AEAD alone, in every
 * suite the rest of the priority string allows (the TLS 1.3 suite, the
 * TLS 1.2 ECDHE suites, or with rsa_kx the RSA key transport one). */
static int gt_cipher(const hb_tls_config *cfg, char *prio, hb_err *err)
{
  /* GnuTLS's names for hb_tls_ciphers */
  static const char *const names[HB_TLS_NCIPHERS] = {
    "AES-128-GCM", "AES-256-GCM", "CHACHA20-POLY1305"
  };
  const gnutls_cipher_algorithm_t *have;
  gnutls_cipher_algorithm_t id;
  char item[64];
  size_t i;
  int rc = hb_tls_cipher_find(cfg, &i, err);

  if(rc != HB_OK)
    return rc;
  /* the library's list of the ciphers it implements */
  id = gnutls_cipher_get_id(names[i]);
  for(have = gnutls_cipher_list(); id != GNUTLS_CIPHER_UNKNOWN && *have;
      have++)
    if(*have == id)
      break;
  if(id == GNUTLS_CIPHER_UNKNOWN || !*have)
    return hb_err_set(err, HB_UNSUPPORTED, "gnutls: this GnuTLS does not "
                      "implement %s", names[i]);
  snprintf(item, sizeof(item), ":-CIPHER-ALL:+%s", names[i]);
  return gt_add(prio, item, err);
}

/* NORMAL, minus the versions outside [min, max], the groups not listed,
 * the ciphers but cfg.cipher, and with rsa_kx every key exchange but RSA
 * (and TLS 1.3, which has no RSA key transport). */
static int gt_priority(const hb_tls_config *cfg, char *prio, hb_err *err)
{
  int lo = cfg->min_version, hi = cfg->max_version, rc;

  if((lo && lo != HB_TLS_1_2 && lo != HB_TLS_1_3) ||
     (hi && hi != HB_TLS_1_2 && hi != HB_TLS_1_3))
    return hb_err_set(err, HB_ERROR, "gnutls: versions must be 0, 0x0303 "
                      "or 0x0304, not 0x%04x..0x%04x", lo, hi);
  if(lo && hi && lo > hi)
    return hb_err_set(err, HB_ERROR, "gnutls: min_version 0x%04x is above "
                      "max_version 0x%04x", lo, hi);
  if(cfg->rsa_kx && lo == HB_TLS_1_3)
    return hb_err_set(err, HB_ERROR, "gnutls: rsa_kx needs TLS 1.2, but "
                      "min_version is TLS 1.3");
  strcpy(prio, "NORMAL");
  rc = HB_OK;
  if(lo)
    rc = gt_add(prio, ":-VERS-TLS1.0:-VERS-TLS1.1", err);
  if(!rc && lo == HB_TLS_1_3)
    rc = gt_add(prio, ":-VERS-TLS1.2", err);
  if(!rc && (hi == HB_TLS_1_2 || cfg->rsa_kx))
    rc = gt_add(prio, ":-VERS-TLS1.3", err);
  if(!rc && cfg->groups)
    rc = gt_groups(cfg->groups, prio, err);
  if(!rc && cfg->rsa_kx)
    rc = gt_add(prio, ":-KX-ALL:+RSA", err);
  if(!rc && cfg->cipher)
    rc = gt_cipher(cfg, prio, err);
  return rc;
}

static void gt_ctx_free(hb_tls_ctx *ctx)
{
  unsigned i;

  if(!ctx)
    return;
  if(ctx->cache) {
    for(i = 0; i < GT_CACHE_SLOTS; i++)
      free(ctx->cache[i].data);
    free(ctx->cache);
  }
  if(ctx->ar)
    gnutls_anti_replay_deinit(ctx->ar);
  free(ctx->ar_seen);
  if(ctx->have_lock)
    pthread_mutex_destroy(&ctx->lock);
  if(ctx->ticket_key.data) {
    gnutls_memset(ctx->ticket_key.data, 0, ctx->ticket_key.size);
    gnutls_free(ctx->ticket_key.data);
  }
  if(ctx->prio)
    gnutls_priority_deinit(ctx->prio);
  if(ctx->cred)
    gnutls_certificate_free_credentials(ctx->cred);
  free(ctx);
  gnutls_global_deinit();
}

static int gt_load_certs(hb_tls_ctx *ctx, const hb_tls_config *cfg,
                         hb_err *err)
{
  int rc;

  if(cfg->server && (!cfg->cert_file || !cfg->key_file))
    return hb_err_set(err, HB_ERROR, "gnutls: a server needs cert_file and "
                      "key_file");
  if(cfg->cert_file && !cfg->key_file)
    return hb_err_set(err, HB_ERROR, "gnutls: cert_file %s without "
                      "key_file", cfg->cert_file);
  if(cfg->cert_file) {
    rc = gnutls_certificate_set_x509_key_file2(ctx->cred, cfg->cert_file,
                                               cfg->key_file,
                                               GNUTLS_X509_FMT_PEM, NULL, 0);
    if(rc < 0)
      return hb_err_set(err, HB_ERROR, "gnutls: loading %s / %s failed: %s",
                        cfg->cert_file, cfg->key_file, gnutls_strerror(rc));
  }
  if(!cfg->verify_peer)
    return HB_OK;
  if(cfg->ca_file)
    rc = gnutls_certificate_set_x509_trust_file(ctx->cred, cfg->ca_file,
                                                GNUTLS_X509_FMT_PEM);
  else if(cfg->server)
    return hb_err_set(err, HB_ERROR, "gnutls: verify_peer on a server "
                      "needs ca_file (the client certificates' CA)");
  else
    rc = gnutls_certificate_set_x509_system_trust(ctx->cred);
  if(rc < 0)
    return hb_err_set(err, HB_ERROR, "gnutls: loading trust anchors %s "
                      "failed: %s", cfg->ca_file ? cfg->ca_file : "(system)",
                      gnutls_strerror(rc));
  if(rc == 0)
    return hb_err_set(err, HB_ERROR, "gnutls: no certificate found in %s",
                      cfg->ca_file ? cfg->ca_file : "the system store");
  return HB_OK;
}

/* ALPN: the list as datums; a server chooses by its own order and, when
 * strict, refuses a client with nothing in common. */
static int gt_alpn_init(hb_tls_ctx *ctx, const hb_tls_config *cfg,
                        hb_err *err)
{
  int i, rc = hb_alpn_parse(cfg->alpn, &ctx->alpn, err);

  if(rc)
    return rc;
  for(i = 0; i < ctx->alpn.n; i++) {
    ctx->alpn_d[i].data = (unsigned char *)ctx->alpn.names[i];
    ctx->alpn_d[i].size = ctx->alpn.len[i];
  }
  if(cfg->server)
    ctx->alpn_flags = GNUTLS_ALPN_SERVER_PRECEDENCE |
                      (cfg->alpn_strict ? GNUTLS_ALPN_MANDATORY : 0);
  return HB_OK;
}

static int gt_ctx_new(const hb_tls_config *cfg, hb_tls_ctx **out,
                      hb_err *err)
{
  char prio[GT_PRIO_LEN];
  const char *errpos = NULL;
  hb_tls_ctx *ctx;
  int rc, result;

  *out = NULL;
  rc = gnutls_global_init();
  if(rc < 0)
    return gt_fail(err, "gnutls_global_init", rc);
  ctx = calloc(1, sizeof(*ctx));
  if(!ctx) {
    gnutls_global_deinit();
    return hb_err_set(err, HB_ERROR, "gnutls: out of memory for a context");
  }
  ctx->server = cfg->server;
  ctx->verify = cfg->verify_peer;
  ctx->tickets = cfg->server && cfg->tickets;
  ctx->on_msg = cfg->on_msg;
  ctx->msg_arg = cfg->msg_arg;

  result = gt_priority(cfg, prio, err);
  if(result)
    goto out;
  rc = gnutls_priority_init(&ctx->prio, prio, &errpos);
  if(rc < 0) {
    ctx->prio = NULL;
    result = hb_err_set(err, HB_ERROR, "gnutls: priority \"%s\" rejected "
                        "at \"%s\": %s", prio, errpos ? errpos : "?",
                        gnutls_strerror(rc));
    goto out;
  }
  rc = gnutls_certificate_allocate_credentials(&ctx->cred);
  if(rc < 0) {
    ctx->cred = NULL;
    result = gt_fail(err, "gnutls_certificate_allocate_credentials", rc);
    goto out;
  }
  result = gt_load_certs(ctx, cfg, err);
  if(!result)
    result = gt_alpn_init(ctx, cfg, err);
  if(result)
    goto out;
  if(ctx->tickets) {
    rc = gnutls_session_ticket_key_generate(&ctx->ticket_key);
    if(rc < 0) {
      ctx->ticket_key.data = NULL;
      result = gt_fail(err, "gnutls_session_ticket_key_generate", rc);
      goto out;
    }
  }
  if(cfg->server && cfg->max_early_data) {
    if(!ctx->tickets) {
      result = hb_err_set(err, HB_ERROR, "gnutls: early data needs "
                          "tickets");
      goto out;
    }
    ctx->max_early = cfg->max_early_data;
    ctx->ar_seen = calloc(GT_AR_SLOTS, sizeof(*ctx->ar_seen));
    rc = gnutls_anti_replay_init(&ctx->ar);
    if(rc < 0) {
      ctx->ar = NULL;
      result = gt_fail(err, "gnutls_anti_replay_init", rc);
      goto out;
    }
    if(!ctx->ar_seen) {
      result = hb_err_set(err, HB_ERROR, "gnutls: out of memory for the "
                          "anti-replay table");
      goto out;
    }
    gnutls_anti_replay_set_add_function(ctx->ar, gt_ar_add);
    gnutls_anti_replay_set_ptr(ctx->ar, ctx);
  }
  if(cfg->server && (cfg->session_cache || ctx->ar)) {
    if(cfg->session_cache) {
      ctx->cache = calloc(GT_CACHE_SLOTS, sizeof(*ctx->cache));
      if(!ctx->cache) {
        result = hb_err_set(err, HB_ERROR, "gnutls: out of memory for the "
                            "session cache");
        goto out;
      }
    }
    if(pthread_mutex_init(&ctx->lock, NULL)) {
      result = hb_err_set(err, HB_ERROR, "gnutls: pthread_mutex_init "
                          "failed");
      goto out;
    }
    ctx->have_lock = 1;
  }
  *out = ctx;
  ctx = NULL;
out:
  gt_ctx_free(ctx);
  return result;
}

/* ---- connections ---- */

static void gt_conn_free(hb_tls_conn *c)
{
  if(!c)
    return;
  if(c->s)
    gnutls_deinit(c->s);
  free(c);
}

/* Client: SNI unless sni is an IP literal; verification of the chain
 * and of the name (DNS SAN) or address (IP SAN). */
static int gt_client_setup(hb_tls_conn *c, const char *sni, hb_err *err)
{
  int is_ip = 0, rc;

  if(sni) {
    if(strlen(sni) >= sizeof(c->host))
      return hb_err_set(err, HB_ERROR, "gnutls: host name too long");
    strcpy(c->host, sni);
    is_ip = hb_tls_ip_literal(sni, c->ip, NULL, 0);
    if(!is_ip) {
      rc = gnutls_server_name_set(c->s, GNUTLS_NAME_DNS, c->host,
                                  strlen(c->host));
      if(rc < 0)
        return gt_fail(err, "gnutls_server_name_set", rc);
    }
  }
  if(!c->ctx->verify)
    return HB_OK;
  if(is_ip) {
    c->vdata.type = GNUTLS_DT_IP_ADDRESS;
    c->vdata.data = c->ip;
    c->vdata.size = (unsigned)is_ip;
    gnutls_session_set_verify_cert2(c->s, &c->vdata, 1, 0);
  }
  else
    gnutls_session_set_verify_cert(c->s, sni ? c->host : NULL, 0);
  return HB_OK;
}

static int gt_server_setup(hb_tls_conn *c, hb_err *err)
{
  hb_tls_ctx *ctx = c->ctx;
  int rc;

  if(ctx->verify) {
    gnutls_certificate_server_set_request(c->s, GNUTLS_CERT_REQUIRE);
    gnutls_session_set_verify_cert(c->s, NULL, 0);
  }
  if(ctx->tickets) {
    rc = gnutls_session_ticket_enable_server(c->s, &ctx->ticket_key);
    if(rc < 0)
      return gt_fail(err, "gnutls_session_ticket_enable_server", rc);
  }
  if(ctx->ar) {
    rc = gnutls_record_set_max_early_data_size(c->s, ctx->max_early);
    if(rc < 0)
      return gt_fail(err, "gnutls_record_set_max_early_data_size", rc);
    gnutls_anti_replay_enable(c->s, ctx->ar);
  }
  if(ctx->cache) {
    gnutls_db_set_ptr(c->s, ctx);
    gnutls_db_set_store_function(c->s, gt_db_store);
    gnutls_db_set_retrieve_function(c->s, gt_db_fetch);
    gnutls_db_set_remove_function(c->s, gt_db_remove);
  }
  return HB_OK;
}

static int gt_conn_new(hb_tls_ctx *ctx, int fd, const char *sni,
                       hb_tls_conn **out, hb_err *err)
{
  unsigned flags = GNUTLS_NONBLOCK | GNUTLS_NO_SIGNAL;
  hb_tls_conn *c;
  int rc, result = HB_OK;

  *out = NULL;
  c = hb_calloc(1, sizeof(*c));
  if(!c)
    return hb_err_set(err, HB_ERROR, "gnutls: out of memory for a "
                      "connection");
  c->ctx = ctx;
  hb_tls_base_init(&c->base, fd, ctx->on_msg, ctx->msg_arg);
  if(ctx->on_msg) {
    c->base.scan = gt_record;
    c->base.scan_arg = c;
  }
  flags |= ctx->server ? GNUTLS_SERVER : GNUTLS_CLIENT;
  if(ctx->server && !ctx->tickets)
    flags |= GNUTLS_NO_TICKETS;
  /* a client needs it to keep the ticket's early-data allowance; it
   * sends early data only when write_early queued some */
  if(ctx->ar || !ctx->server)
    flags |= GNUTLS_ENABLE_EARLY_DATA;
  rc = gnutls_init(&c->s, flags);
  if(rc < 0) {
    c->s = NULL;
    result = gt_fail(err, "gnutls_init", rc);
    goto out;
  }
  gnutls_session_set_ptr(c->s, c);
  rc = gnutls_priority_set(c->s, ctx->prio);
  if(rc < 0) {
    result = gt_fail(err, "gnutls_priority_set", rc);
    goto out;
  }
  rc = gnutls_credentials_set(c->s, GNUTLS_CRD_CERTIFICATE, ctx->cred);
  if(rc < 0) {
    result = gt_fail(err, "gnutls_credentials_set", rc);
    goto out;
  }
  gnutls_transport_set_ptr(c->s, c);
  gnutls_transport_set_pull_function(c->s, gt_pull);
  gnutls_transport_set_pull_timeout_function(c->s, gt_pull_timeout);
  gnutls_transport_set_vec_push_function(c->s, gt_push);
  gnutls_handshake_set_timeout(c->s, 0); /* the caller keeps time */
  if(ctx->on_msg)
    gnutls_handshake_set_hook_function(c->s, GNUTLS_HANDSHAKE_ANY,
                                       GNUTLS_HOOK_BOTH, gt_hook);
  if(ctx->alpn.n) {
    /* copies the names into the session */
    rc = gnutls_alpn_set_protocols(c->s, ctx->alpn_d,
                                   (unsigned)ctx->alpn.n, ctx->alpn_flags);
    if(rc < 0) {
      result = gt_fail(err, "gnutls_alpn_set_protocols", rc);
      goto out;
    }
  }
  if(ctx->server)
    result = gt_server_setup(c, err);
  else
    result = gt_client_setup(c, sni, err);
  if(result)
    goto out;
  *out = c;
  c = NULL;
out:
  gt_conn_free(c);
  return result;
}

/* A transport failure: HB_IO_RESET or HB_IO_ERROR with words in err;
 * HB_IO_OK if rc is not one. */
static hb_io gt_transport_err(hb_tls_conn *c, int rc, const char *when,
                              hb_err *err)
{
  int e = c->base.sys_errno;

  if(hb_tls_base_was_reset(&c->base)) {
    hb_err_set(err, HB_ERROR, "gnutls: connection reset by peer %s (%s)",
               when, strerror(e));
    return HB_IO_RESET;
  }
  if(rc == GNUTLS_E_PREMATURE_TERMINATION || c->base.eof)
    hb_err_set(err, HB_ERROR, "gnutls: peer closed the connection %s: %s",
               when, gnutls_strerror(rc));
  else if(rc == GNUTLS_E_PULL_ERROR || rc == GNUTLS_E_PUSH_ERROR)
    hb_err_set(err, HB_ERROR, "gnutls: socket error %s: %s (%s)", when,
               e ? strerror(e) : "?", gnutls_strerror(rc));
  else
    return HB_IO_OK;
  return HB_IO_ERROR;
}

/* A fatal result: err gets the reason; the peer gets the matching alert
 * unless it sent one or the socket is gone. */
static hb_io gt_fatal(hb_tls_conn *c, int rc, const char *when, hb_err *err)
{
  gnutls_alert_description_t a;
  hb_io io = gt_transport_err(c, rc, when, err);
  int level;

  if(io != HB_IO_OK)
    return io;
  if(rc == GNUTLS_E_FATAL_ALERT_RECEIVED) {
    a = gnutls_alert_get(c->s);
    gt_alert_in(c);
    hb_err_set(err, HB_ERROR, "gnutls: peer sent fatal alert %s: %s (%d)",
               when, gnutls_alert_get_name(a), (int)a);
    return HB_IO_ERROR;
  }
  if(rc == GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR)
    gt_verify_text(c, err);
  else
    hb_err_set(err, HB_ERROR, "gnutls: %s: %s (%d)", when,
               gnutls_strerror(rc), rc);
  a = (gnutls_alert_description_t)gnutls_error_to_alert(rc, &level);
  if((int)a >= 0)
    gt_alert(c, (gnutls_alert_level_t)level, a);
  return HB_IO_ERROR;
}

/* GNUTLS_E_AGAIN without our socket saying EAGAIN (a record consumed
 * internally, such as a TLS 1.3 ticket) means: call again. */
static int gt_blocked(hb_tls_conn *c, hb_io *io)
{
  if(gnutls_record_get_direction(c->s)) {
    *io = HB_IO_WANT_WRITE;
    return 1;
  }
  *io = HB_IO_WANT_READ;
  return c->base.again;
}

static hb_io gt_handshake(hb_tls_conn *c, hb_err *err)
{
  hb_io io = HB_IO_WANT_READ;
  int i, rc;

  if(c->done)
    return HB_IO_OK;
  for(i = 0; i < GT_SPINS; i++) {
    c->base.again = 0;
    rc = gnutls_handshake(c->s);
    if(rc == GNUTLS_E_SUCCESS) {
      c->done = 1;
      return HB_IO_OK;
    }
    if(rc == GNUTLS_E_AGAIN) {
      if(gt_blocked(c, &io))
        return io;
      continue;
    }
    if(rc == GNUTLS_E_WARNING_ALERT_RECEIVED) {
      gt_alert_in(c);
      continue;
    }
    if(rc == GNUTLS_E_INTERRUPTED)
      continue;
    return gt_fatal(c, rc, "during the handshake", err);
  }
  return io;
}

static hb_io gt_read(hb_tls_conn *c, void *buf, size_t len, size_t *n,
                     hb_err *err)
{
  hb_io io = HB_IO_WANT_READ;
  ssize_t r;
  int i;

  *n = 0;
  if(c->ctx->ar && c->done && !c->early_read) {
    /* the server's handshake ends after the client's Finished: early
     * data waits in the session, apart from the ordinary records */
    r = gnutls_record_recv_early_data(c->s, buf, len);
    if(r > 0) {
      *n = (size_t)r;
      return HB_IO_OK;
    }
    c->early_read = 1;
  }
  for(i = 0; i < GT_SPINS; i++) {
    c->base.again = 0;
    r = gnutls_record_recv(c->s, buf, len);
    if(r > 0) {
      *n = (size_t)r;
      return HB_IO_OK;
    }
    if(r == 0) {
      gt_alert_in(c);
      return HB_IO_CLOSED; /* close_notify */
    }
    switch(r) {
    case GNUTLS_E_AGAIN:
      if(gt_blocked(c, &io))
        return io;
      break;
    case GNUTLS_E_INTERRUPTED:
      break;
    case GNUTLS_E_WARNING_ALERT_RECEIVED:
      gt_alert_in(c);
      break;
    case GNUTLS_E_REHANDSHAKE:
      /* TLS 1.2 renegotiation: refused, the connection goes on */
      gt_alert(c, GNUTLS_AL_WARNING, GNUTLS_A_NO_RENEGOTIATION);
      break;
    case GNUTLS_E_PREMATURE_TERMINATION:
      if(c->base.sys_errno != ECONNRESET) {
        hb_err_set(err, HB_OK, "gnutls: EOF without close_notify "
                   "(unclean close)");
        return HB_IO_CLOSED;
      }
      return gt_fatal(c, (int)r, "while reading", err);
    default:
      return gt_fatal(c, (int)r, "while reading", err);
    }
  }
  return io;
}

/* Sends as many records as the socket takes. If it stops taking them
 * mid-record, GnuTLS keeps that record, the bytes it holds are not
 * counted in *n, and the caller's next write (same bytes) flushes it. */
static hb_io gt_write(hb_tls_conn *c, const void *buf, size_t len,
                      size_t *n, hb_err *err)
{
  const unsigned char *p = buf;
  size_t sent = 0;
  ssize_t r;

  *n = 0;
  while(sent < len) {
    r = gnutls_record_send(c->s, p + sent, len - sent);
    if(r > 0) {
      sent += (size_t)r;
      continue;
    }
    if(r == GNUTLS_E_INTERRUPTED)
      continue;
    if(r == GNUTLS_E_AGAIN)
      break;
    return gt_fatal(c, (int)r, "while writing", err);
  }
  *n = sent;
  if(sent || !len)
    return HB_IO_OK;
  return gnutls_record_get_direction(c->s) ? HB_IO_WANT_WRITE :
         HB_IO_WANT_READ;
}

static hb_io gt_shutdown(hb_tls_conn *c, hb_err *err)
{
  int rc;

  if(c->bye_sent)
    return HB_IO_OK;
  do
    rc = gnutls_bye(c->s, GNUTLS_SHUT_WR);
  while(rc == GNUTLS_E_INTERRUPTED);
  if(rc == GNUTLS_E_AGAIN)
    return gnutls_record_get_direction(c->s) ? HB_IO_WANT_WRITE :
           HB_IO_WANT_READ;
  if(rc < 0) {
    hb_io io = gt_transport_err(c, rc, "sending close_notify", err);

    if(io != HB_IO_OK)
      return io;
    gt_fail(err, "gnutls_bye", rc);
    return HB_IO_ERROR;
  }
  c->bye_sent = 1;
  gt_alert_out(c);
  return HB_IO_OK;
}

/* Our name of the group used (GnuTLS's, lower-cased, for one outside
 * the table); "" for none. */
static void gt_group_name(gnutls_session_t s, char *out, size_t size)
{
  gnutls_group_t g = gnutls_group_get(s);
  const char *name;
  size_t i;

  out[0] = '\0';
  if(!g)
    return;
  for(i = 0; i < GT_NGROUPS; i++) {
    if(gt_group_map[i].g == g) {
      snprintf(out, size, "%s", hb_group_name(gt_group_map[i].id));
      return;
    }
  }
  name = gnutls_group_get_name(g);
  for(i = 0; name && name[i] && i + 1 < size; i++)
    out[i] = (char)tolower((unsigned char)name[i]);
  out[name ? i : 0] = '\0';
}

static int gt_info(hb_tls_conn *c, hb_tls_info *info)
{
  gnutls_protocol_t v;
  const char *suite;

  hb_tls_base_info(&c->base, info);
  if(!c->done)
    return HB_OK;
  v = gnutls_protocol_get_version(c->s);
  info->version = v == GNUTLS_TLS1_3 ? HB_TLS_1_3 :
                  v == GNUTLS_TLS1_2 ? HB_TLS_1_2 : 0;
  suite = gnutls_ciphersuite_get(c->s);
  if(!suite)
    suite = gnutls_cipher_suite_get_name(gnutls_kx_get(c->s),
                                         gnutls_cipher_get(c->s),
                                         gnutls_mac_get(c->s));
  snprintf(info->cipher, sizeof(info->cipher), "%s", suite ? suite : "");
  gt_group_name(c->s, info->group, sizeof(info->group));
  info->resumed = gnutls_session_is_resumed(c->s) ? 1 : 0;
  if(gnutls_session_get_flags(c->s) & GNUTLS_SFLAGS_EARLY_DATA)
    info->early_data = HB_EARLY_ACCEPTED;
  else if(c->early_sent)
    info->early_data = HB_EARLY_REJECTED;
  return HB_OK;
}

/* Client: queues the request; gnutls_handshake sends it with the
 * ClientHello when the session allows that much early data. */
static hb_io gt_write_early(hb_tls_conn *c, const void *buf, size_t len,
                            size_t *n, hb_err *err)
{
  size_t max;
  ssize_t r;

  *n = 0;
  if(c->ctx->server || c->done || !len) {
    hb_err_set(err, HB_ERROR, "gnutls: early data: only a client sends "
               "it, before its handshake");
    return HB_IO_ERROR;
  }
  /* the ticket's allowance; GnuTLS 3.7 leaves its default, 2^32 - 1, when
   * the ticket had no early_data extension, and would send anyway */
  max = gnutls_record_get_max_early_data_size(c->s);
  if(max < len || max >= UINT32_MAX)
    return HB_IO_OK;
  r = gnutls_record_send_early_data(c->s, buf, len);
  if(r < 0) {
    gt_fail(err, "gnutls_record_send_early_data", (int)r);
    return HB_IO_ERROR;
  }
  c->early_sent = 1;
  /* GnuTLS 3.7 queues all of it and returns 0, later versions the length */
  *n = r > 0 ? (size_t)r : len;
  return HB_IO_OK;
}

/* ---- client resumption ---- */

/* TLS 1.3 resumes only with a ticket, which gnutls_session_get_data2
 * would otherwise wait for; TLS 1.2 with a ticket or a session ID. */
static int gt_session_get(hb_tls_conn *c, hb_tls_session **out,
                          hb_err *err)
{
  hb_tls_session *sess;
  gnutls_datum_t id = { NULL, 0 };
  unsigned flags;
  int rc;

  *out = NULL;
  if(c->ctx->server || !c->done)
    return hb_err_set(err, HB_ERROR, "gnutls: session_get needs a client "
                      "connection after its handshake");
  flags = gnutls_session_get_flags(c->s);
  if(!(flags & GNUTLS_SFLAGS_SESSION_TICKET)) {
    if(gnutls_protocol_get_version(c->s) == GNUTLS_TLS1_3)
      return HB_OK;
    if(gnutls_session_get_id2(c->s, &id) < 0 || !id.size)
      return HB_OK;
  }
  sess = calloc(1, sizeof(*sess));
  if(!sess)
    return hb_err_set(err, HB_ERROR, "gnutls: out of memory for a "
                      "session");
  rc = gnutls_session_get_data2(c->s, &sess->data);
  if(rc < 0) {
    free(sess);
    return gt_fail(err, "gnutls_session_get_data2", rc);
  }
  *out = sess;
  return HB_OK;
}

static int gt_session_set(hb_tls_conn *c, hb_tls_session *s, hb_err *err)
{
  int rc;

  if(!s)
    return HB_OK;
  rc = gnutls_session_set_data(c->s, s->data.data, s->data.size);
  if(rc < 0)
    return gt_fail(err, "gnutls_session_set_data", rc);
  return HB_OK;
}

static void gt_session_free(hb_tls_session *s)
{
  if(!s)
    return;
  if(s->data.data) {
    gnutls_memset(s->data.data, 0, s->data.size);
    gnutls_free(s->data.data);
  }
  free(s);
}

static size_t gt_alpn_get(hb_tls_conn *c, char *out, size_t len)
{
  gnutls_datum_t p = { NULL, 0 };

  if(gnutls_alpn_get_selected_protocol(c->s, &p) < 0)
    return hb_alpn_copy(NULL, 0, out, len);
  return hb_alpn_copy(p.data, p.size, out, len);
}

const hb_tls_ops hb_gnutls_tls = {
  "gnutls",
  HB_TLS_SUP_TLS13 | HB_TLS_SUP_TICKETS | HB_TLS_SUP_SESSION_ID |
  HB_TLS_SUP_GROUPS | HB_TLS_SUP_RSA_KX | HB_TLS_SUP_TRACE |
  HB_TLS_SUP_EARLY_DATA | HB_TLS_SUP_ALPN | HB_TLS_SUP_ALPN_FALLBACK,
  gt_ctx_new, gt_ctx_free, gt_conn_new, gt_handshake, gt_read, gt_write,
  gt_shutdown, gt_info, gt_conn_free,
  gt_session_get, gt_session_set, gt_session_free,
  NULL, /* conn_reuse */
  gt_write_early, NULL,
  NULL, NULL, /* writev, sendfile: records need the bytes in memory */
  gt_alpn_get
};
