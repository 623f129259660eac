/* Runs one crypto case through a backend's table under the timing harness.
 *
 * Set-up (keys, contexts, a sealed record to open, a signature to verify)
 * happens before timing; the timed function does only the operation. Key
 * pairs are cached across cases, since generating RSA-4096 keys is slow
 * and not what is measured. */
#include <stdlib.h>
#include <string.h>

#include "crypto_suite.h"

#define MSG_LEN 64     /* signed message: a hash input, like a transcript */
#define PMS_LEN 48     /* TLS 1.2 pre-master secret */
#define TLS_HDR 13     /* sequence number + record header, MAC'ed in TLS */

typedef struct bench {
  const hb_crypto_ops *c;
  const hb_crypto_case *cs;
  hb_md *md;
  hb_aead *aead;
  hb_cbc *cbc;
  hb_pkey *key;
  hb_kex *kex;
  hb_kex_peer *peer;
  uint8_t peer_pub[HB_KEX_PUB_MAX_LEN];
  size_t peer_len;
  hb_kem *kem;             /* the client's key pair */
  hb_kem_peer *kem_peer;   /* its public key as the server parsed it */
  uint8_t kem_pub[HB_KEM_PUB_MAX_LEN];
  size_t kem_pub_len;
  uint8_t *in, *out, *aux; /* input, output, a prepared record */
  size_t in_len, aux_len;
  uint64_t streamed;       /* bytes in the current stream message */
  uint8_t nonce[HB_AEAD_NONCE_LEN], iv[16];
  uint8_t keys[2][32];     /* rekey alternates between two keys */
  uint8_t msg[MSG_LEN];
} bench;

static hb_pkey *key_cache[HB_SIG_COUNT];

static int get_key(const hb_crypto_ops *c, int alg, hb_pkey **key,
                   hb_err *err)
{
  int rc;

  if(!key_cache[alg]) {
    rc = c->sig_keygen(alg, &key_cache[alg], err);
    if(rc != HB_OK)
      return rc;
  }
  *key = key_cache[alg];
  return HB_OK;
}

void hb_crypto_suite_cleanup(const hb_crypto_ops *c)
{
  int a;

  for(a = 0; a < HB_SIG_COUNT; a++)
    if(key_cache[a]) {
      c->pkey_free(key_cache[a]);
      key_cache[a] = NULL;
    }
}

static int run_md(void *arg, uint64_t n, hb_err *err)
{
  bench *b = arg;
  uint64_t i;

  for(i = 0; i < n; i++) {
    int rc = b->c->md_oneshot(b->md, b->in, b->in_len, b->out, err);
    if(rc != HB_OK)
      return rc;
  }
  return HB_OK;
}

static int run_seal(void *arg, uint64_t n, hb_err *err)
{
  bench *b = arg;
  uint64_t i;

  for(i = 0; i < n; i++) {
    int rc;
    /* a fresh nonce per record, as TLS derives one from the sequence.
     * Out of place, as bssl speed does: openssl speed seals in place,
     * which on VAES CPUs is measurably slower (see scripts/fidelity) */
    b->nonce[11] = (uint8_t)i;
    rc = b->c->aead_seal(b->aead, b->nonce, b->msg, TLS_HDR, b->in,
                         b->in_len, b->out, err);
    if(rc != HB_OK)
      return rc;
  }
  return HB_OK;
}

/* One message of any length: what `openssl speed -evp chacha20-poly1305`
 * times. A seal of one block ends it every GiB, before a GCM counter
 * could run out. */
static int run_stream(void *arg, uint64_t n, hb_err *err)
{
  bench *b = arg;
  uint64_t i;

  for(i = 0; i < n; i++) {
    int rc;

    if(b->streamed > ((uint64_t)1 << 30)) {
      rc = b->c->aead_seal(b->aead, b->nonce, b->msg, TLS_HDR, b->in, 16,
                           b->out, err);
      if(rc != HB_OK)
        return rc;
      b->streamed = 0;
    }
    rc = b->c->aead_stream(b->aead, b->in, b->in_len, b->out, err);
    if(rc != HB_OK)
      return rc;
    b->streamed += b->in_len;
  }
  return HB_OK;
}

/* A new key each time, alternating two so no library can skip the work
 * for an unchanged key. */
static int run_rekey(void *arg, uint64_t n, hb_err *err)
{
  bench *b = arg;
  uint64_t i;

  for(i = 0; i < n; i++) {
    int rc = b->c->aead_rekey(b->aead, b->keys[i & 1], err);
    if(rc != HB_OK)
      return rc;
  }
  return HB_OK;
}

static int run_open(void *arg, uint64_t n, hb_err *err)
{
  bench *b = arg;
  uint64_t i;

  for(i = 0; i < n; i++) {
    int rc = b->c->aead_open(b->aead, b->nonce, b->msg, TLS_HDR, b->aux,
                             b->aux_len, b->out, err);
    if(rc != HB_OK)
      return rc == HB_EVERIFY ? hb_err_set(err, HB_ERROR, "open rejected "
                                           "a valid record") : rc;
  }
  return HB_OK;
}

/* Encrypt-then-MAC (RFC 7366): out = header | CBC(padded in) | HMAC over
 * header and ciphertext. The padded length follows TLS: at least one
 * padding byte. */
static size_t cbc_padded(size_t len)
{
  return (len / 16 + 1) * 16;
}

static int run_cbc_seal(void *arg, uint64_t n, hb_err *err)
{
  bench *b = arg;
  size_t ct = cbc_padded(b->in_len);
  uint64_t i;

  for(i = 0; i < n; i++) {
    int rc = b->c->cbc_crypt(b->cbc, b->iv, b->in, ct, b->out + TLS_HDR,
                             err);
    if(rc == HB_OK)
      rc = b->c->md_oneshot(b->md, b->out, TLS_HDR + ct,
                            b->out + TLS_HDR + ct, err);
    if(rc != HB_OK)
      return rc;
  }
  return HB_OK;
}

static int run_cbc_open(void *arg, uint64_t n, hb_err *err)
{
  bench *b = arg;
  size_t ct = cbc_padded(b->in_len);
  uint8_t mac[HB_MD_MAX_LEN];
  uint64_t i;

  for(i = 0; i < n; i++) {
    int rc = b->c->md_oneshot(b->md, b->aux, TLS_HDR + ct, mac, err);
    if(rc != HB_OK)
      return rc;
    if(memcmp(mac, b->aux + TLS_HDR + ct, 32))
      return hb_err_set(err, HB_ERROR, "MAC of a valid record differs");
    rc = b->c->cbc_crypt(b->cbc, b->iv, b->aux + TLS_HDR, ct, b->out, err);
    if(rc != HB_OK)
      return rc;
  }
  return HB_OK;
}

static int run_sign(void *arg, uint64_t n, hb_err *err)
{
  bench *b = arg;
  uint64_t i;

  for(i = 0; i < n; i++) {
    size_t sl = HB_SIG_MAX_LEN;
    int rc = b->c->sign(b->key, b->msg, MSG_LEN, b->out, &sl, err);
    if(rc != HB_OK)
      return rc;
  }
  return HB_OK;
}

static int run_verify(void *arg, uint64_t n, hb_err *err)
{
  bench *b = arg;
  uint64_t i;

  for(i = 0; i < n; i++) {
    int rc = b->c->verify(b->key, b->msg, MSG_LEN, b->aux, b->aux_len, err);
    if(rc != HB_OK)
      return rc == HB_EVERIFY ? hb_err_set(err, HB_ERROR, "a valid "
                                           "signature did not verify") : rc;
  }
  return HB_OK;
}

static int run_rsa_enc(void *arg, uint64_t n, hb_err *err)
{
  bench *b = arg;
  uint64_t i;

  for(i = 0; i < n; i++) {
    size_t ol = HB_SIG_MAX_LEN;
    int rc = b->c->rsa_encrypt(b->key, b->msg, PMS_LEN, b->out, &ol, err);
    if(rc != HB_OK)
      return rc;
  }
  return HB_OK;
}

static int run_rsa_dec(void *arg, uint64_t n, hb_err *err)
{
  bench *b = arg;
  uint64_t i;

  for(i = 0; i < n; i++) {
    size_t ol = HB_SIG_MAX_LEN;
    int rc = b->c->rsa_decrypt(b->key, b->aux, b->aux_len, b->out, &ol,
                               err);
    if(rc != HB_OK)
      return rc;
  }
  return HB_OK;
}

static int run_keygen(void *arg, uint64_t n, hb_err *err)
{
  bench *b = arg;
  uint64_t i;

  for(i = 0; i < n; i++) {
    hb_kex *k = NULL;
    size_t pl = HB_KEX_PUB_MAX_LEN;
    int rc = b->c->kex_keygen(b->cs->alg, &k, b->out, &pl, err);
    if(rc != HB_OK)
      return rc;
    b->c->kex_free(k);
  }
  return HB_OK;
}

static int run_derive(void *arg, uint64_t n, hb_err *err)
{
  bench *b = arg;
  uint64_t i;

  for(i = 0; i < n; i++) {
    size_t sl = HB_KEX_SECRET_MAX_LEN;
    int rc = b->c->kex_derive(b->kex, b->peer, b->out, &sl, err);
    if(rc != HB_OK)
      return rc;
  }
  return HB_OK;
}

static int run_exchange(void *arg, uint64_t n, hb_err *err)
{
  bench *b = arg;
  uint64_t i;

  for(i = 0; i < n; i++) {
    hb_kex *k = NULL;
    hb_kex_peer *p = NULL;
    uint8_t pub[HB_KEX_PUB_MAX_LEN];
    size_t pl = sizeof(pub), sl = HB_KEX_SECRET_MAX_LEN;
    int rc = b->c->kex_keygen(b->cs->alg, &k, pub, &pl, err);
    if(rc == HB_OK)
      rc = b->c->kex_peer(b->cs->alg, b->peer_pub, b->peer_len, &p, err);
    if(rc == HB_OK)
      rc = b->c->kex_derive(k, p, b->out, &sl, err);
    if(p)
      b->c->kex_peer_free(p);
    if(k)
      b->c->kex_free(k);
    if(rc != HB_OK)
      return rc;
  }
  return HB_OK;
}

static int run_kem_keygen(void *arg, uint64_t n, hb_err *err)
{
  bench *b = arg;
  uint64_t i;

  for(i = 0; i < n; i++) {
    hb_kem *k = NULL;
    size_t pl = HB_KEM_PUB_MAX_LEN;
    int rc = b->c->kem_keygen(b->cs->alg, &k, b->out, &pl, err);
    if(rc != HB_OK)
      return rc;
    b->c->kem_free(k);
  }
  return HB_OK;
}

static int run_encaps(void *arg, uint64_t n, hb_err *err)
{
  bench *b = arg;
  uint8_t secret[HB_KEM_SECRET_LEN];
  uint64_t i;

  for(i = 0; i < n; i++) {
    size_t cl = HB_KEM_CT_MAX_LEN, sl = sizeof(secret);
    int rc = b->c->kem_encaps(b->kem_peer, b->out, &cl, secret, &sl, err);
    if(rc != HB_OK)
      return rc;
  }
  return HB_OK;
}

static int run_decaps(void *arg, uint64_t n, hb_err *err)
{
  bench *b = arg;
  uint8_t secret[HB_KEM_SECRET_LEN];
  uint64_t i;

  for(i = 0; i < n; i++) {
    size_t sl = sizeof(secret);
    int rc = b->c->kem_decaps(b->kem, b->aux, b->aux_len, secret, &sl,
                              err);
    if(rc != HB_OK)
      return rc;
  }
  return HB_OK;
}

/* The server's share of a hybrid exchange's KEM half: parse the client's
 * key share, encapsulate to it. */
static int run_kem_exchange(void *arg, uint64_t n, hb_err *err)
{
  bench *b = arg;
  uint8_t secret[HB_KEM_SECRET_LEN];
  uint64_t i;

  for(i = 0; i < n; i++) {
    hb_kem_peer *p = NULL;
    size_t cl = HB_KEM_CT_MAX_LEN, sl = sizeof(secret);
    int rc = b->c->kem_peer(b->cs->alg, b->kem_pub, b->kem_pub_len, &p,
                            err);
    if(rc == HB_OK)
      rc = b->c->kem_encaps(p, b->out, &cl, secret, &sl, err);
    if(p)
      b->c->kem_peer_free(p);
    if(rc != HB_OK)
      return rc;
  }
  return HB_OK;
}

/* A key pair, its public key parsed, and one ciphertext in aux; the two
 * sides' secrets must agree before anything is timed. */
static int setup_kem(bench *b, hb_err *err)
{
  const hb_crypto_ops *c = b->c;
  int alg = b->cs->alg;
  uint8_t s1[HB_KEM_SECRET_LEN], s2[HB_KEM_SECRET_LEN];
  size_t l1 = sizeof(s1), l2 = sizeof(s2);
  int rc;

  b->kem_pub_len = sizeof(b->kem_pub);
  rc = c->kem_keygen(alg, &b->kem, b->kem_pub, &b->kem_pub_len, err);
  if(rc == HB_OK)
    rc = c->kem_peer(alg, b->kem_pub, b->kem_pub_len, &b->kem_peer, err);
  b->aux_len = HB_KEM_CT_MAX_LEN;
  if(rc == HB_OK)
    rc = c->kem_encaps(b->kem_peer, b->aux, &b->aux_len, s1, &l1, err);
  if(rc == HB_OK)
    rc = c->kem_decaps(b->kem, b->aux, b->aux_len, s2, &l2, err);
  if(rc == HB_OK && (l1 != l2 || memcmp(s1, s2, l1)))
    rc = hb_err_set(err, HB_ERROR, "%s: decapsulation gave another "
                    "secret than encapsulation", b->cs->algorithm);
  return rc;
}

/* Builds keys and inputs for the case; returns the function to time. */
static int setup(bench *b, hb_bench_fn *fn, hb_err *err)
{
  const hb_crypto_case *cs = b->cs;
  const hb_crypto_ops *c = b->c;
  static const uint8_t key[64] = "httpsbench symmetric key material, 64 "
                                 "bytes long, not secret.";
  size_t ct = cbc_padded(cs->bytes), i, l;
  int rc;

  b->in_len = cs->bytes;
  l = cs->bytes + TLS_HDR + 64 + HB_SIG_MAX_LEN;
  b->in = calloc(1, l);
  b->out = calloc(1, l);
  b->aux = calloc(1, l);
  if(!b->in || !b->out || !b->aux)
    return hb_err_set(err, HB_ERROR, "out of memory");
  for(i = 0; i < cs->bytes; i++)
    b->in[i] = (uint8_t)(i * 131 + 7);
  for(i = 0; i < MSG_LEN; i++)
    b->msg[i] = (uint8_t)(i + 1);

  switch(cs->kind) {
  case HB_CASE_MD:
    *fn = run_md;
    return c->md_new(cs->alg, key, 32, &b->md, err);
  case HB_CASE_SEAL:
  case HB_CASE_OPEN:
  case HB_CASE_STREAM:
  case HB_CASE_REKEY:
    rc = c->aead_new(cs->alg, key, &b->aead, err);
    if(rc != HB_OK)
      return rc;
    *fn = cs->kind == HB_CASE_SEAL ? run_seal : run_open;
    b->aux_len = cs->bytes + HB_AEAD_TAG_LEN;
    if(cs->kind == HB_CASE_REKEY) {
      if(!c->aead_rekey)
        return hb_err_set(err, HB_UNSUPPORTED, "%s: this backend offers no "
                          "way to change a context's key", cs->algorithm);
      for(i = 0; i < sizeof(b->keys[1]); i++)
        b->keys[0][i] = key[i], b->keys[1][i] = (uint8_t)(key[i] ^ 0x5a);
      *fn = run_rekey;
      return c->aead_rekey(b->aead, b->keys[1], err);
    }
    if(cs->kind == HB_CASE_STREAM) {
      if(!c->aead_stream)
        return hb_err_set(err, HB_UNSUPPORTED, "%s: no streaming AEAD "
                          "interface in this backend", cs->algorithm);
      *fn = run_stream;
      return c->aead_stream(b->aead, b->in, cs->bytes, b->out, err);
    }
    return c->aead_seal(b->aead, b->nonce, b->msg, TLS_HDR, b->in,
                        cs->bytes, b->aux, err);
  case HB_CASE_CBC_SEAL:
  case HB_CASE_CBC_OPEN:
    rc = c->md_new(HB_HMAC_SHA256, key + 16, 32, &b->md, err);
    if(rc == HB_OK)
      rc = c->cbc_new(key, 1, &b->cbc, err);
    if(rc != HB_OK)
      return rc;
    memcpy(b->out, b->msg, TLS_HDR);
    rc = run_cbc_seal(b, 1, err);
    if(rc != HB_OK)
      return rc;
    memcpy(b->aux, b->out, TLS_HDR + ct + 32);
    if(cs->kind == HB_CASE_CBC_SEAL) {
      *fn = run_cbc_seal;
      return HB_OK;
    }
    c->cbc_free(b->cbc);
    b->cbc = NULL;
    *fn = run_cbc_open;
    return c->cbc_new(key, 0, &b->cbc, err);
  case HB_CASE_SIGN:
  case HB_CASE_VERIFY:
    rc = get_key(c, cs->alg, &b->key, err);
    if(rc != HB_OK)
      return rc;
    b->aux_len = HB_SIG_MAX_LEN;
    *fn = cs->kind == HB_CASE_SIGN ? run_sign : run_verify;
    return c->sign(b->key, b->msg, MSG_LEN, b->aux, &b->aux_len, err);
  case HB_CASE_RSA_ENC:
  case HB_CASE_RSA_DEC:
    rc = get_key(c, cs->alg, &b->key, err);
    if(rc != HB_OK)
      return rc;
    b->aux_len = HB_SIG_MAX_LEN;
    *fn = cs->kind == HB_CASE_RSA_ENC ? run_rsa_enc : run_rsa_dec;
    return c->rsa_encrypt(b->key, b->msg, PMS_LEN, b->aux, &b->aux_len,
                          err);
  case HB_CASE_KEYGEN:
  case HB_CASE_DERIVE:
  case HB_CASE_EXCHANGE: {
    hb_kex *other = NULL;
    uint8_t pub[HB_KEX_PUB_MAX_LEN];
    size_t pl = sizeof(pub);
    b->peer_len = sizeof(b->peer_pub);
    rc = c->kex_keygen(cs->alg, &other, b->peer_pub, &b->peer_len, err);
    if(rc != HB_OK)
      return rc;
    c->kex_free(other);
    rc = c->kex_keygen(cs->alg, &b->kex, pub, &pl, err);
    if(rc == HB_OK)
      rc = c->kex_peer(cs->alg, b->peer_pub, b->peer_len, &b->peer, err);
    *fn = cs->kind == HB_CASE_KEYGEN ? run_keygen
          : cs->kind == HB_CASE_DERIVE ? run_derive : run_exchange;
    return rc;
  }
  case HB_CASE_KEM_KEYGEN:
  case HB_CASE_ENCAPS:
  case HB_CASE_DECAPS:
  case HB_CASE_KEM_EXCHANGE:
    *fn = cs->kind == HB_CASE_KEM_KEYGEN ? run_kem_keygen
          : cs->kind == HB_CASE_ENCAPS ? run_encaps
          : cs->kind == HB_CASE_DECAPS ? run_decaps : run_kem_exchange;
    return setup_kem(b, err);
  }
  return hb_err_set(err, HB_ERROR, "unknown case kind");
}

static void teardown(bench *b)
{
  if(b->md)
    b->c->md_free(b->md);
  if(b->aead)
    b->c->aead_free(b->aead);
  if(b->cbc)
    b->c->cbc_free(b->cbc);
  if(b->peer)
    b->c->kex_peer_free(b->peer);
  if(b->kex)
    b->c->kex_free(b->kex);
  if(b->kem_peer)
    b->c->kem_peer_free(b->kem_peer);
  if(b->kem)
    b->c->kem_free(b->kem);
  free(b->in);
  free(b->out);
  free(b->aux);
}

int hb_crypto_run_case(const hb_crypto_ops *ops, const hb_crypto_case *cs,
                       const hb_bench_opts *opts, double *rates,
                       hb_err *err)
{
  bench b;
  hb_bench_fn fn = NULL;
  int rc, r;

  memset(&b, 0, sizeof(b));
  b.c = ops;
  b.cs = cs;
  rc = setup(&b, &fn, err);
  if(rc == HB_OK)
    rc = hb_bench_run(fn, &b, opts, rates, NULL, err);
  if(rc == HB_OK && cs->bytes)
    for(r = 0; r < opts->repetitions; r++)
      rates[r] *= (double)cs->bytes;
  teardown(&b);
  return rc;
}
