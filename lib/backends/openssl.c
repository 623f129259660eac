/* Crypto table for OpenSSL 3 and, compiled a second time with
 * -DHB_BORINGSSL=1 against BoringSSL's headers, for BoringSSL.
 *
 * Everything a TLS stack sets up once per key or per connection (algorithm
 * fetch, key schedule, cipher and signature contexts) is done in the
 * constructors; the per-call functions only set a nonce or hash a message
 * and run the primitive. Where the two libraries differ, BoringSSL is
 * driven through the APIs its own speed tool times: EVP_AEAD for AEADs,
 * X25519() and ED25519_sign() for the curve25519 primitives, KYBER_*()
 * for its draft Kyber768.
 *
 * Post-quantum primitives follow the headers, so one file compiles
 * against every version: OpenSSL 3.5 and later have ML-KEM and ML-DSA
 * through EVP (OSSL_PQ); BoringSSL with <openssl/kyber.h> (its API 19,
 * Debian's android-libboringssl 14) has round-3 Kyber768 only, which is
 * reported as kyber-768, never as ML-KEM (OSSL_KYBER). Whatever a build
 * lacks is HB_UNSUPPORTED with the version that lacks it. */
#include <limits.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#if defined(HB_BORINGSSL) && !defined(OPENSSL_IS_BORINGSSL)
#error "HB_BORINGSSL is set but these are not BoringSSL's headers"
#endif

#ifdef OPENSSL_IS_BORINGSSL
#define OSSL_BSSL 1
#include <openssl/aead.h>
#include <openssl/curve25519.h>
#include <openssl/ec_key.h>
#include <openssl/hmac.h>
#include <openssl/mem.h>
#if defined(__has_include)
#if __has_include(<openssl/kyber.h>)
#include <openssl/bytestring.h>
#include <openssl/kyber.h>
#define OSSL_KYBER 1
#endif
#endif
typedef const EVP_MD ossl_md_t;         /* static method tables */
typedef const EVP_CIPHER ossl_cipher_t;
#define ossl_md_put(md) ((void)(md))
#define ossl_cipher_put(c) ((void)(c))
#else
#include <openssl/core_names.h>
#include <openssl/params.h>
typedef EVP_MD ossl_md_t;               /* fetched, reference counted */
typedef EVP_CIPHER ossl_cipher_t;
#define ossl_md_put(md) EVP_MD_free(md)
#define ossl_cipher_put(c) EVP_CIPHER_free(c)
#if OPENSSL_VERSION_NUMBER >= 0x30500000L
#define OSSL_PQ 1 /* ML-KEM and ML-DSA providers (OpenSSL 3.5) */
#endif
#if OPENSSL_VERSION_NUMBER >= 0x30400000L
/* EVP_PKEY_sign_message_init (3.4). From 3.5 a one-shot EVP_DigestSign
 * marks its context finished, so pure signatures (Ed25519, ML-DSA) use
 * message-signing contexts instead, reusable as `openssl speed` does */
#define OSSL_MSG_SIGN 1
#endif
#endif

#include "hb/backend.h"
#include "openssl_err.h"

#define OSSL_TAG HB_AEAD_TAG_LEN

struct hb_md {
  hb_md_alg alg;
  ossl_md_t *md;
  EVP_MD_CTX *ctx;   /* plain digests */
#ifdef OSSL_BSSL
  HMAC_CTX *hmac;
#else
  EVP_MAC *mac;
  EVP_MAC_CTX *hmac;
#endif
};

struct hb_aead {
  hb_aead_alg alg;
#ifdef OSSL_BSSL
  EVP_AEAD_CTX *ctx;
#else
  EVP_CIPHER *cipher;
  EVP_CIPHER_CTX *enc; /* keyed once each; only the nonce changes */
  EVP_CIPHER_CTX *dec;
  int streaming;       /* enc is in the middle of an aead_stream message */
  int dec_stale;       /* aead_rekey keyed enc only; dec takes key first */
  uint8_t key[32];
#endif
};

struct hb_cbc {
  ossl_cipher_t *cipher;
  EVP_CIPHER_CTX *ctx;
};

struct hb_pkey {
  hb_sig_alg alg;
  EVP_PKEY *pkey;
  ossl_md_t *md;       /* SHA-256 / SHA-384; NULL for Ed25519 */
  EVP_MD_CTX *hash;    /* reused to hash each message */
  EVP_PKEY_CTX *sctx;  /* sign / verify the digest */
  EVP_PKEY_CTX *vctx;
  EVP_PKEY_CTX *ectx;  /* RSA only: PKCS#1 v1.5 encrypt / decrypt */
  EVP_PKEY_CTX *dctx;
#ifdef OSSL_BSSL
  uint8_t ed_pub[32];
  uint8_t ed_priv[64];
#else
  EVP_MD_CTX *ed_sign; /* Ed25519, ML-DSA (pure signatures, no digest
                          step): one-shot sign / verify contexts */
  EVP_MD_CTX *ed_verify;
#endif
};

struct hb_kex {
  hb_kex_alg alg;
  EVP_PKEY *pkey;       /* unused for BoringSSL X25519 */
  EVP_PKEY_CTX *derive;
  uint64_t peer_id;     /* the peer set on derive (0: none yet) */
#ifdef OSSL_BSSL
  uint8_t priv[32];
#endif
};

struct hb_kex_peer {
  hb_kex_alg alg;
  uint64_t id;          /* unique per peer value, never reused */
  EVP_PKEY *pkey;       /* unused for BoringSSL X25519 */
#ifdef OSSL_BSSL
  uint8_t raw[32];
#endif
};

static const char *ossl_version(void)
{
  /* BoringSSL has no version number: this says "BoringSSL" there */
  return OpenSSL_version(OPENSSL_VERSION);
}

static int ossl_global_init(hb_err *err)
{
#ifdef OSSL_BSSL
  CRYPTO_library_init();
#else
  if(!OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CRYPTO_STRINGS, NULL))
    return hb_ossl_fail(err, HB_ERROR, "OPENSSL_init_crypto failed");
#endif
  return HB_OK;
}

/* Digest lookup: a static table in BoringSSL, an explicit fetch (done
 * once per context, never per call) in OpenSSL 3. */
static ossl_md_t *ossl_md_get(hb_md_alg alg)
{
#ifdef OSSL_BSSL
  switch(alg) {
  case HB_MD5: return EVP_md5();
  case HB_SHA1: return EVP_sha1();
  case HB_SHA384: return EVP_sha384();
  default: return EVP_sha256();
  }
#else
  static const char *const names[HB_MD_COUNT] = {
    "MD5", "SHA1", "SHA256", "SHA384", "SHA256"
  };
  return EVP_MD_fetch(NULL, names[alg], NULL);
#endif
}

/* Whole digest of in, re-initialising the reused context. */
static int ossl_digest(EVP_MD_CTX *ctx, const EVP_MD *md, const uint8_t *in,
                       size_t len, uint8_t *out, unsigned int *outlen)
{
  return EVP_DigestInit_ex(ctx, md, NULL) > 0 &&
         EVP_DigestUpdate(ctx, in, len) > 0 &&
         EVP_DigestFinal_ex(ctx, out, outlen) > 0;
}

static void ossl_md_free(hb_md *m)
{
  if(!m)
    return;
  EVP_MD_CTX_free(m->ctx);
#ifdef OSSL_BSSL
  HMAC_CTX_free(m->hmac);
#else
  EVP_MAC_CTX_free(m->hmac);
  EVP_MAC_free(m->mac);
#endif
  ossl_md_put(m->md);
  free(m);
}

static int ossl_md_new(hb_md_alg alg, const uint8_t *key, size_t keylen,
                       hb_md **out, hb_err *err)
{
  hb_md *m;
  int rc = HB_ERROR;

  *out = NULL;
  m = calloc(1, sizeof(*m));
  if(!m)
    return hb_err_set(err, HB_ERROR, "%s: out of memory", hb_md_name(alg));
  m->alg = alg;
  if(alg == HB_HMAC_SHA256) {
#ifdef OSSL_BSSL
    m->hmac = HMAC_CTX_new();
    if(!m->hmac || !HMAC_Init_ex(m->hmac, key, keylen, EVP_sha256(), NULL))
      goto out;
#else
    char digest[] = "SHA256";
    OSSL_PARAM params[2];

    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
                                                 digest, 0);
    params[1] = OSSL_PARAM_construct_end();
    m->mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    if(!m->mac)
      goto out;
    m->hmac = EVP_MAC_CTX_new(m->mac);
    if(!m->hmac || !EVP_MAC_init(m->hmac, key, keylen, params))
      goto out;
#endif
  }
  else {
    m->md = ossl_md_get(alg);
    m->ctx = EVP_MD_CTX_new();
    if(!m->md || !m->ctx || EVP_DigestInit_ex(m->ctx, m->md, NULL) <= 0)
      goto out;
  }
  rc = HB_OK;
out:
  if(rc) {
    hb_ossl_fail(err, rc, "%s: setting up the context failed",
              hb_md_name(alg));
    ossl_md_free(m);
    m = NULL;
  }
  *out = m;
  return rc;
}

static int ossl_md_oneshot(hb_md *m, const uint8_t *in, size_t len,
                           uint8_t *out, hb_err *err)
{
  int ok;

  if(m->alg == HB_HMAC_SHA256) {
#ifdef OSSL_BSSL
    unsigned int n;

    /* NULL key and digest: restart from the precomputed key state */
    ok = HMAC_Init_ex(m->hmac, NULL, 0, NULL, NULL) &&
         HMAC_Update(m->hmac, in, len) && HMAC_Final(m->hmac, out, &n);
#else
    size_t n;

    ok = EVP_MAC_init(m->hmac, NULL, 0, NULL) &&
         EVP_MAC_update(m->hmac, in, len) &&
         EVP_MAC_final(m->hmac, out, &n, hb_md_size(m->alg));
#endif
  }
  else
    ok = ossl_digest(m->ctx, m->md, in, len, out, NULL);
  if(!ok)
    return hb_ossl_fail(err, HB_ERROR, "%s: digest failed",
                     hb_md_name(m->alg));
  return HB_OK;
}

static void ossl_aead_free(hb_aead *a)
{
  if(!a)
    return;
#ifdef OSSL_BSSL
  EVP_AEAD_CTX_free(a->ctx);
#else
  EVP_CIPHER_CTX_free(a->enc);
  EVP_CIPHER_CTX_free(a->dec);
  EVP_CIPHER_free(a->cipher);
#endif
  free(a);
}

static int ossl_aead_new(hb_aead_alg alg, const uint8_t *key, hb_aead **out,
                         hb_err *err)
{
  hb_aead *a;
  int rc = HB_ERROR;

  *out = NULL;
  a = calloc(1, sizeof(*a));
  if(!a)
    return hb_err_set(err, HB_ERROR, "%s: out of memory",
                      hb_aead_name(alg));
  a->alg = alg;
#ifdef OSSL_BSSL
  {
    const EVP_AEAD *aead;

    switch(alg) {
    case HB_AES128_GCM: aead = EVP_aead_aes_128_gcm(); break;
    case HB_AES256_GCM: aead = EVP_aead_aes_256_gcm(); break;
    default: aead = EVP_aead_chacha20_poly1305(); break;
    }
    a->ctx = EVP_AEAD_CTX_new(aead, key, hb_aead_key_size(alg), OSSL_TAG);
    if(!a->ctx)
      goto out;
  }
#else
  {
    static const char *const names[HB_AEAD_COUNT] = {
      "AES-128-GCM", "AES-256-GCM", "ChaCha20-Poly1305"
    };

    a->cipher = EVP_CIPHER_fetch(NULL, names[alg], NULL);
    a->enc = EVP_CIPHER_CTX_new();
    a->dec = EVP_CIPHER_CTX_new();
    if(!a->cipher || !a->enc || !a->dec)
      goto out;
    /* the default nonce length of all three is the 12 bytes we use */
    if(!EVP_EncryptInit_ex(a->enc, a->cipher, NULL, key, NULL) ||
       !EVP_DecryptInit_ex(a->dec, a->cipher, NULL, key, NULL))
      goto out;
  }
#endif
  rc = HB_OK;
out:
  if(rc) {
    hb_ossl_fail(err, rc, "%s: setting up the key failed", hb_aead_name(alg));
    ossl_aead_free(a);
    a = NULL;
  }
  *out = a;
  return rc;
}

static int ossl_aead_seal(hb_aead *a, const uint8_t *nonce,
                          const uint8_t *ad, size_t adlen, const uint8_t *in,
                          size_t len, uint8_t *out, hb_err *err)
{
  const char *name = hb_aead_name(a->alg);
#ifdef OSSL_BSSL
  size_t n;

  if(!EVP_AEAD_CTX_seal(a->ctx, out, &n, len + OSSL_TAG, nonce,
                        HB_AEAD_NONCE_LEN, in, len, ad, adlen))
    return hb_ossl_fail(err, HB_ERROR, "%s: EVP_AEAD_CTX_seal failed", name);
#else
  int n;

  if(len > INT_MAX || adlen > INT_MAX)
    return hb_err_set(err, HB_ERROR, "%s: %zu bytes is too long for EVP",
                      name, len > adlen ? len : adlen);
  /* stream modes: Update writes all len bytes, Final none */
  a->streaming = 0;
  if(!EVP_EncryptInit_ex(a->enc, NULL, NULL, NULL, nonce) ||
     (adlen && !EVP_EncryptUpdate(a->enc, NULL, &n, ad, (int)adlen)) ||
     (len && !EVP_EncryptUpdate(a->enc, out, &n, in, (int)len)) ||
     !EVP_EncryptFinal_ex(a->enc, out + len, &n) ||
     !EVP_CIPHER_CTX_ctrl(a->enc, EVP_CTRL_AEAD_GET_TAG, OSSL_TAG,
                          out + len))
    return hb_ossl_fail(err, HB_ERROR, "%s: encryption failed", name);
#endif
  return HB_OK;
}

static int ossl_aead_open(hb_aead *a, const uint8_t *nonce,
                          const uint8_t *ad, size_t adlen, const uint8_t *in,
                          size_t len, uint8_t *out, hb_err *err)
{
  const char *name = hb_aead_name(a->alg);
#ifdef OSSL_BSSL
  size_t n;
  unsigned long code;
#else
  int n;
#endif

  if(len < OSSL_TAG)
    return hb_err_set(err, HB_ERROR, "%s: %zu bytes cannot hold a tag",
                      name, len);
#ifdef OSSL_BSSL
  if(EVP_AEAD_CTX_open(a->ctx, out, &n, len - OSSL_TAG, nonce,
                       HB_AEAD_NONCE_LEN, in, len, ad, adlen))
    return HB_OK;
  code = ERR_peek_error();
  if(ERR_GET_LIB(code) == ERR_LIB_CIPHER &&
     ERR_GET_REASON(code) == CIPHER_R_BAD_DECRYPT)
    return hb_ossl_fail(err, HB_EVERIFY, "%s: tag does not verify", name);
  return hb_ossl_fail(err, HB_ERROR, "%s: EVP_AEAD_CTX_open failed", name);
#else
  if(len > INT_MAX || adlen > INT_MAX)
    return hb_err_set(err, HB_ERROR, "%s: %zu bytes is too long for EVP",
                      name, len > adlen ? len : adlen);
  len -= OSSL_TAG;
  if(a->dec_stale) {
    if(!EVP_DecryptInit_ex(a->dec, NULL, NULL, a->key, NULL))
      return hb_ossl_fail(err, HB_ERROR, "%s: setting the key failed", name);
    a->dec_stale = 0;
  }
  if(!EVP_DecryptInit_ex(a->dec, NULL, NULL, NULL, nonce) ||
     !EVP_CIPHER_CTX_ctrl(a->dec, EVP_CTRL_AEAD_SET_TAG, OSSL_TAG,
                          (void *)(in + len)) ||
     (adlen && !EVP_DecryptUpdate(a->dec, NULL, &n, ad, (int)adlen)) ||
     (len && !EVP_DecryptUpdate(a->dec, out, &n, in, (int)len)))
    return hb_ossl_fail(err, HB_ERROR, "%s: decryption failed", name);
  /* the only check left in Final is the tag comparison */
  if(EVP_DecryptFinal_ex(a->dec, out + len, &n) <= 0)
    return hb_ossl_fail(err, HB_EVERIFY, "%s: tag does not verify", name);
  return HB_OK;
#endif
}

/* The sealing context takes the key (one direction, as a TLS stack keys
 * its write side); the opening one takes it at its next use. What
 * `openssl speed -evp aes-128-gcm` does before every record. */
static int ossl_aead_rekey(hb_aead *a, const uint8_t *key, hb_err *err)
{
  const char *name = hb_aead_name(a->alg);
#ifdef OSSL_BSSL
  const EVP_AEAD *aead = EVP_AEAD_CTX_aead(a->ctx);

  EVP_AEAD_CTX_cleanup(a->ctx);
  if(!EVP_AEAD_CTX_init(a->ctx, aead, key, hb_aead_key_size(a->alg),
                        OSSL_TAG, NULL))
    return hb_ossl_fail(err, HB_ERROR, "%s: EVP_AEAD_CTX_init failed", name);
#else
  a->streaming = 0;
  if(!EVP_EncryptInit_ex(a->enc, NULL, NULL, key, NULL))
    return hb_ossl_fail(err, HB_ERROR, "%s: setting the key failed", name);
  memcpy(a->key, key, hb_aead_key_size(a->alg));
  a->dec_stale = 1;
#endif
  return HB_OK;
}

/* One long message through the same context: what `openssl speed -evp`
 * times for ChaCha20-Poly1305. BoringSSL's EVP_AEAD seals whole records
 * only. */
static int ossl_aead_stream(hb_aead *a, const uint8_t *in, size_t len,
                            uint8_t *out, hb_err *err)
{
  const char *name = hb_aead_name(a->alg);
#ifdef OSSL_BSSL
  (void)in;
  (void)len;
  (void)out;
  return hb_err_set(err, HB_UNSUPPORTED, "%s: BoringSSL's EVP_AEAD seals "
                    "whole records only, no streaming", name);
#else
  static const uint8_t zero[HB_AEAD_NONCE_LEN];
  int n;

  if(len > INT_MAX)
    return hb_err_set(err, HB_ERROR, "%s: %zu bytes is too long for EVP",
                      name, len);
  if(!a->streaming && !EVP_EncryptInit_ex(a->enc, NULL, NULL, NULL, zero))
    return hb_ossl_fail(err, HB_ERROR, "%s: starting a message failed",
                        name);
  a->streaming = 1;
  if(len && !EVP_EncryptUpdate(a->enc, out, &n, in, (int)len))
    return hb_ossl_fail(err, HB_ERROR, "%s: EVP_EncryptUpdate failed",
                        name);
  return HB_OK;
#endif
}

static void ossl_cbc_free(hb_cbc *c)
{
  if(!c)
    return;
  EVP_CIPHER_CTX_free(c->ctx);
  ossl_cipher_put(c->cipher);
  free(c);
}

static int ossl_cbc_new(const uint8_t *key16, int encrypt, hb_cbc **out,
                        hb_err *err)
{
  hb_cbc *c;
  int rc = HB_ERROR;

  *out = NULL;
  c = calloc(1, sizeof(*c));
  if(!c)
    return hb_err_set(err, HB_ERROR, "aes-128-cbc: out of memory");
#ifdef OSSL_BSSL
  c->cipher = EVP_aes_128_cbc();
#else
  c->cipher = EVP_CIPHER_fetch(NULL, "AES-128-CBC", NULL);
#endif
  c->ctx = EVP_CIPHER_CTX_new();
  if(!c->cipher || !c->ctx)
    goto out;
  if(!EVP_CipherInit_ex(c->ctx, c->cipher, NULL, key16, NULL, !!encrypt) ||
     !EVP_CIPHER_CTX_set_padding(c->ctx, 0))
    goto out;
  rc = HB_OK;
out:
  if(rc) {
    hb_ossl_fail(err, rc, "aes-128-cbc: setting up the key failed");
    ossl_cbc_free(c);
    c = NULL;
  }
  *out = c;
  return rc;
}

static int ossl_cbc_crypt(hb_cbc *c, const uint8_t *iv16, const uint8_t *in,
                          size_t len, uint8_t *out, hb_err *err)
{
  int n = 0;

  if(len % 16 || len > INT_MAX)
    return hb_err_set(err, HB_ERROR, "aes-128-cbc: length %zu is not a "
                      "whole number of blocks (or too long)", len);
  /* enc -1: keep the direction and key schedule, load the new IV */
  if(!EVP_CipherInit_ex(c->ctx, NULL, NULL, NULL, iv16, -1))
    return hb_ossl_fail(err, HB_ERROR, "aes-128-cbc: setting the IV failed");
  if(len && !EVP_CipherUpdate(c->ctx, out, &n, in, (int)len))
    return hb_ossl_fail(err, HB_ERROR, "aes-128-cbc: EVP_CipherUpdate failed");
  if((size_t)n != len)
    return hb_err_set(err, HB_ERROR, "aes-128-cbc: %d of %zu bytes "
                      "processed", n, len);
  return HB_OK;
}

/* Key generation shared by signatures and key exchange: RSA of param
 * bits (e = 65537, both libraries' default), EC on curve NID param, or
 * X25519 / Ed25519. NULL on failure, the cause left in the error queue. */
static EVP_PKEY *ossl_keygen(int type, int param)
{
  EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_id(type, NULL);
  EVP_PKEY *pkey = NULL;

  if(!pctx || EVP_PKEY_keygen_init(pctx) <= 0 ||
     (type == EVP_PKEY_RSA &&
      EVP_PKEY_CTX_set_rsa_keygen_bits(pctx, param) <= 0) ||
     (type == EVP_PKEY_EC &&
      EVP_PKEY_CTX_set_ec_paramgen_curve_nid(pctx, param) <= 0) ||
     EVP_PKEY_keygen(pctx, &pkey) <= 0) {
    EVP_PKEY_free(pkey);
    pkey = NULL;
  }
  EVP_PKEY_CTX_free(pctx);
  return pkey;
}

/* Why a post-quantum algorithm (family "ML-KEM", "ML-DSA", "Kyber") is
 * missing from this build. */
static int ossl_no_pq(hb_err *err, const char *name, const char *family)
{
#ifdef OSSL_BSSL
  int headers = 0; /* a newer BoringSSL whose API is not driven here */
#if defined(__has_include)
#if __has_include(<openssl/mlkem.h>)
  headers |= !strcmp(family, "ML-KEM");
#endif
#if __has_include(<openssl/mldsa.h>)
  headers |= !strcmp(family, "ML-DSA");
#endif
#endif
  if(headers)
    return hb_err_set(err, HB_UNSUPPORTED, "%s: BoringSSL (API %d) has "
                      "%s, which this backend does not drive yet", name,
                      BORINGSSL_API_VERSION, family);
#ifdef OSSL_KYBER
  if(!strcmp(family, "ML-KEM"))
    return hb_err_set(err, HB_UNSUPPORTED, "%s: BoringSSL (API %d) has no "
                      "ML-KEM, only the draft Kyber768 (kyber-768)", name,
                      BORINGSSL_API_VERSION);
#endif
  return hb_err_set(err, HB_UNSUPPORTED, "%s: BoringSSL (API %d) has no %s",
                    name, BORINGSSL_API_VERSION, family);
#else
  const char *v = OpenSSL_version(OPENSSL_VERSION_STRING);

  if(!strcmp(family, "Kyber"))
    return hb_err_set(err, HB_UNSUPPORTED, "%s: OpenSSL %s has no round-3 "
                      "Kyber%s", name, v,
#ifdef OSSL_PQ
                      ", only the standard ML-KEM"
#else
                      ""
#endif
                      );
  return hb_err_set(err, HB_UNSUPPORTED, "%s: OpenSSL %s has no %s (3.5 "
                    "adds it)", name, v, family);
#endif
}

#ifdef OSSL_PQ
/* A key pair of an algorithm OpenSSL knows by name only (ML-DSA,
 * ML-KEM): fetched from the provider, as the TLS stack does it; with
 * seed non-NULL, ML-KEM's from its 64-byte seed d || z (FIPS 203 known
 * answers) through OSSL_PKEY_PARAM_ML_KEM_SEED. */
static EVP_PKEY *ossl_pq_keygen(const char *name, const uint8_t *seed,
                                size_t seedlen)
{
  EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_from_name(NULL, name, NULL);
  EVP_PKEY *pkey = NULL;
  OSSL_PARAM par[2];

  memset(par, 0, sizeof(par));
  if(seed) {
    par[0] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_ML_KEM_SEED,
                                               (void *)seed, seedlen);
    par[1] = OSSL_PARAM_construct_end();
  }
  if(!pctx || EVP_PKEY_keygen_init(pctx) <= 0 ||
     (seed && EVP_PKEY_CTX_set_params(pctx, par) <= 0) ||
     EVP_PKEY_keygen(pctx, &pkey) <= 0) {
    EVP_PKEY_free(pkey);
    pkey = NULL;
  }
  EVP_PKEY_CTX_free(pctx);
  return pkey;
}
#endif

static const struct {
  int type;       /* EVP_PKEY_* */
  int param;      /* RSA bits or curve NID */
  hb_md_alg hash; /* what sign hashes with; unused for Ed25519 */
} ossl_sigs[HB_SIG_COUNT] = {
  { EVP_PKEY_RSA, 2048, HB_SHA256 },
  { EVP_PKEY_RSA, 3072, HB_SHA256 },
  { EVP_PKEY_RSA, 4096, HB_SHA256 },
  { EVP_PKEY_EC, NID_X9_62_prime256v1, HB_SHA256 },
  { EVP_PKEY_EC, NID_secp384r1, HB_SHA384 },
  { EVP_PKEY_ED25519, 0, HB_SHA256 },
  { 0, 0, HB_SHA256 }, /* ML-DSA-65: by name, ossl_pq_keygen */
};

enum { OSSL_SIGN, OSSL_VERIFY, OSSL_ENCRYPT, OSSL_DECRYPT };

/* A context for one operation on k, created once per key and reused by
 * every call: digest type and PKCS#1 v1.5 padding are set here. */
static EVP_PKEY_CTX *ossl_op_ctx(hb_pkey *k, int op)
{
  EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new(k->pkey, NULL);
  int ok = 0;

  if(!pctx)
    return NULL;
  switch(op) {
  case OSSL_SIGN: ok = EVP_PKEY_sign_init(pctx) > 0; break;
  case OSSL_VERIFY: ok = EVP_PKEY_verify_init(pctx) > 0; break;
  case OSSL_ENCRYPT: ok = EVP_PKEY_encrypt_init(pctx) > 0; break;
  default: ok = EVP_PKEY_decrypt_init(pctx) > 0; break;
  }
  if(ok && (op == OSSL_SIGN || op == OSSL_VERIFY))
    ok = EVP_PKEY_CTX_set_signature_md(pctx, k->md) > 0;
  if(ok && hb_sig_is_rsa(k->alg))
    ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) > 0;
  if(!ok) {
    EVP_PKEY_CTX_free(pctx);
    pctx = NULL;
  }
  return pctx;
}

static void ossl_pkey_free(hb_pkey *k)
{
  if(!k)
    return;
  EVP_PKEY_CTX_free(k->sctx);
  EVP_PKEY_CTX_free(k->vctx);
  EVP_PKEY_CTX_free(k->ectx);
  EVP_PKEY_CTX_free(k->dctx);
  EVP_MD_CTX_free(k->hash);
#ifdef OSSL_BSSL
  OPENSSL_cleanse(k->ed_priv, sizeof(k->ed_priv));
#else
  EVP_MD_CTX_free(k->ed_sign);
  EVP_MD_CTX_free(k->ed_verify);
#endif
  ossl_md_put(k->md);
  EVP_PKEY_free(k->pkey);
  free(k);
}

static int ossl_sig_keygen(hb_sig_alg alg, hb_pkey **out, hb_err *err)
{
  const char *what = "allocation";
  hb_pkey *k;
  int rc = HB_ERROR;

  *out = NULL;
  k = calloc(1, sizeof(*k));
  if(!k)
    goto out;
  k->alg = alg;
  what = "key generation";
  if(alg == HB_MLDSA65) {
#ifdef OSSL_PQ
    k->pkey = ossl_pq_keygen("ML-DSA-65", NULL, 0);
#else
    rc = ossl_no_pq(err, hb_sig_name(alg), "ML-DSA");
    goto out;
#endif
  }
#ifdef OSSL_BSSL
  if(alg == HB_ED25519) {
    ED25519_keypair(k->ed_pub, k->ed_priv);
    rc = HB_OK;
    goto out;
  }
#endif
  if(!k->pkey)
    k->pkey = ossl_keygen(ossl_sigs[alg].type, ossl_sigs[alg].param);
  if(!k->pkey)
    goto out;
  what = "setting up the signing contexts";
#ifndef OSSL_BSSL
  if(alg == HB_ED25519 || alg == HB_MLDSA65) {
#ifdef OSSL_MSG_SIGN
    k->sctx = EVP_PKEY_CTX_new_from_pkey(NULL, k->pkey, NULL);
    k->vctx = EVP_PKEY_CTX_new_from_pkey(NULL, k->pkey, NULL);
    if(k->sctx && k->vctx &&
       EVP_PKEY_sign_message_init(k->sctx, NULL, NULL) > 0 &&
       EVP_PKEY_verify_message_init(k->vctx, NULL, NULL) > 0)
      rc = HB_OK;
    goto out;
#endif
    /* pure EdDSA has no digest step: one-shot contexts, set up once */
    k->ed_sign = EVP_MD_CTX_new();
    k->ed_verify = EVP_MD_CTX_new();
    if(k->ed_sign && k->ed_verify &&
       EVP_DigestSignInit(k->ed_sign, NULL, NULL, NULL, k->pkey) > 0 &&
       EVP_DigestVerifyInit(k->ed_verify, NULL, NULL, NULL, k->pkey) > 0)
      rc = HB_OK;
    goto out;
  }
#endif
  k->md = ossl_md_get(ossl_sigs[alg].hash);
  k->hash = EVP_MD_CTX_new();
  if(!k->md || !k->hash)
    goto out;
  k->sctx = ossl_op_ctx(k, OSSL_SIGN);
  k->vctx = ossl_op_ctx(k, OSSL_VERIFY);
  if(!k->sctx || !k->vctx)
    goto out;
  if(hb_sig_is_rsa(alg)) {
    what = "setting up the encryption contexts";
    k->ectx = ossl_op_ctx(k, OSSL_ENCRYPT);
    k->dctx = ossl_op_ctx(k, OSSL_DECRYPT);
    if(!k->ectx || !k->dctx)
      goto out;
  }
  rc = HB_OK;
out:
  if(rc == HB_UNSUPPORTED) {
    ossl_pkey_free(k);
    k = NULL;
  }
  else if(rc) {
    hb_ossl_fail(err, rc, "%s: %s failed", hb_sig_name(alg), what);
    ossl_pkey_free(k);
    k = NULL;
  }
  *out = k;
  return rc;
}

static int ossl_sign(hb_pkey *k, const uint8_t *msg, size_t len,
                     uint8_t *sig, size_t *siglen, hb_err *err)
{
  const char *name = hb_sig_name(k->alg);
  uint8_t dgst[EVP_MAX_MD_SIZE];
  unsigned int dlen;

  if(k->alg == HB_ED25519 || k->alg == HB_MLDSA65) {
#ifdef OSSL_BSSL
    if(*siglen < 64)
      return hb_err_set(err, HB_ERROR, "%s: signature buffer of %zu bytes "
                        "is too small", name, *siglen);
    if(!ED25519_sign(sig, msg, len, k->ed_priv))
      return hb_ossl_fail(err, HB_ERROR, "%s: ED25519_sign failed", name);
    *siglen = 64;
#elif defined(OSSL_MSG_SIGN)
    if(EVP_PKEY_sign(k->sctx, sig, siglen, msg, len) <= 0)
      return hb_ossl_fail(err, HB_ERROR, "%s: EVP_PKEY_sign failed", name);
#else
    /* before 3.4 a one-shot context may sign again (see OSSL_MSG_SIGN) */
    if(EVP_DigestSign(k->ed_sign, sig, siglen, msg, len) <= 0)
      return hb_ossl_fail(err, HB_ERROR, "%s: EVP_DigestSign failed", name);
#endif
    return HB_OK;
  }
  if(!ossl_digest(k->hash, k->md, msg, len, dgst, &dlen))
    return hb_ossl_fail(err, HB_ERROR, "%s: hashing the message failed",
                     name);
  if(EVP_PKEY_sign(k->sctx, sig, siglen, dgst, dlen) <= 0)
    return hb_ossl_fail(err, HB_ERROR, "%s: EVP_PKEY_sign failed", name);
  return HB_OK;
}

/* Any failure of the check itself means the signature is bad: the
 * contexts were proven at keygen, only sig and msg vary here. */
static int ossl_verify(hb_pkey *k, const uint8_t *msg, size_t len,
                       const uint8_t *sig, size_t siglen, hb_err *err)
{
  const char *name = hb_sig_name(k->alg);
  uint8_t dgst[EVP_MAX_MD_SIZE];
  unsigned int dlen;
  int ok;

  if(k->alg == HB_ED25519 || k->alg == HB_MLDSA65) {
#ifdef OSSL_BSSL
    ok = siglen == 64 && ED25519_verify(msg, len, sig, k->ed_pub);
#elif defined(OSSL_MSG_SIGN)
    ok = EVP_PKEY_verify(k->vctx, sig, siglen, msg, len) == 1;
#else
    ok = EVP_DigestVerify(k->ed_verify, sig, siglen, msg, len) == 1;
#endif
  }
  else {
    if(!ossl_digest(k->hash, k->md, msg, len, dgst, &dlen))
      return hb_ossl_fail(err, HB_ERROR, "%s: hashing the message failed",
                       name);
    ok = EVP_PKEY_verify(k->vctx, sig, siglen, dgst, dlen) == 1;
  }
  if(!ok)
    return hb_ossl_fail(err, HB_EVERIFY, "%s: signature does not verify",
                     name);
  return HB_OK;
}

static int ossl_rsa_encrypt(hb_pkey *k, const uint8_t *in, size_t len,
                            uint8_t *out, size_t *outlen, hb_err *err)
{
  if(!k->ectx)
    return hb_err_set(err, HB_UNSUPPORTED, "rsa_encrypt: %s is not an "
                      "RSA key", hb_sig_name(k->alg));
  if(EVP_PKEY_encrypt(k->ectx, out, outlen, in, len) <= 0)
    return hb_ossl_fail(err, HB_ERROR, "%s: EVP_PKEY_encrypt failed",
                     hb_sig_name(k->alg));
  return HB_OK;
}

static int ossl_rsa_decrypt(hb_pkey *k, const uint8_t *in, size_t len,
                            uint8_t *out, size_t *outlen, hb_err *err)
{
  /* the libraries want room for a whole modulus; out need only fit the
   * plaintext, so decrypt on the stack and copy */
  uint8_t buf[HB_SIG_MAX_LEN];
  size_t n = sizeof(buf);
  int rc = HB_OK;

  if(!k->dctx)
    return hb_err_set(err, HB_UNSUPPORTED, "rsa_decrypt: %s is not an "
                      "RSA key", hb_sig_name(k->alg));
  if(EVP_PKEY_decrypt(k->dctx, buf, &n, in, len) <= 0)
    return hb_ossl_fail(err, HB_ERROR, "%s: EVP_PKEY_decrypt failed",
                     hb_sig_name(k->alg));
  if(n > *outlen)
    rc = hb_err_set(err, HB_ERROR, "%s: %zu-byte plaintext does not fit "
                    "in %zu bytes", hb_sig_name(k->alg), n, *outlen);
  else {
    memcpy(out, buf, n);
    *outlen = n;
  }
  OPENSSL_cleanse(buf, n);
  return rc;
}

static void ossl_kex_free(hb_kex *x)
{
  if(!x)
    return;
  EVP_PKEY_CTX_free(x->derive);
  EVP_PKEY_free(x->pkey);
#ifdef OSSL_BSSL
  OPENSSL_cleanse(x->priv, sizeof(x->priv));
#endif
  free(x);
}

/* The uncompressed point of a P-256 key. */
static int ossl_ec_pub(EVP_PKEY *pkey, uint8_t *pub, size_t *publen)
{
#ifdef OSSL_BSSL
  const EC_KEY *ec = EVP_PKEY_get0_EC_KEY(pkey);
  size_t n;

  if(!ec)
    return 0;
  n = EC_POINT_point2oct(EC_KEY_get0_group(ec), EC_KEY_get0_public_key(ec),
                         POINT_CONVERSION_UNCOMPRESSED, pub, *publen, NULL);
  *publen = n;
  return n != 0;
#else
  return EVP_PKEY_get_octet_string_param(pkey,
                                         OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY,
                                         pub, *publen, publen) > 0;
#endif
}

static int ossl_kex_keygen(hb_kex_alg alg, hb_kex **out, uint8_t *pub,
                           size_t *publen, hb_err *err)
{
  const char *what = "allocation";
  hb_kex *x;
  int rc = HB_ERROR;

  *out = NULL;
  if(*publen < (alg == HB_X25519 ? 32u : 65u))
    return hb_err_set(err, HB_ERROR, "%s: public value buffer of %zu "
                      "bytes is too small", hb_kex_name(alg), *publen);
  x = calloc(1, sizeof(*x));
  if(!x)
    goto out;
  x->alg = alg;
  what = "key generation";
#ifdef OSSL_BSSL
  if(alg == HB_X25519) {
    X25519_keypair(pub, x->priv);
    *publen = 32;
    rc = HB_OK;
    goto out;
  }
#endif
  if(alg == HB_X25519)
    x->pkey = ossl_keygen(EVP_PKEY_X25519, 0);
  else
    x->pkey = ossl_keygen(EVP_PKEY_EC, NID_X9_62_prime256v1);
  if(!x->pkey)
    goto out;
  what = "encoding the public value";
  if(alg == HB_X25519 ?
     EVP_PKEY_get_raw_public_key(x->pkey, pub, publen) <= 0 :
     !ossl_ec_pub(x->pkey, pub, publen))
    goto out;
  what = "setting up the derive context";
  x->derive = EVP_PKEY_CTX_new(x->pkey, NULL);
  if(!x->derive || EVP_PKEY_derive_init(x->derive) <= 0)
    goto out;
  rc = HB_OK;
out:
  if(rc) {
    hb_ossl_fail(err, rc, "%s: %s failed", hb_kex_name(alg), what);
    ossl_kex_free(x);
    x = NULL;
  }
  *out = x;
  return rc;
}

static void ossl_kex_peer_free(hb_kex_peer *p)
{
  if(!p)
    return;
  EVP_PKEY_free(p->pkey);
  free(p);
}

/* A P-256 public key from its uncompressed point; the library refuses a
 * point that is not on the curve while decoding it. */
static EVP_PKEY *ossl_ec_peer(const uint8_t *pub, size_t publen)
{
  EVP_PKEY *pkey = NULL;
#ifdef OSSL_BSSL
  EC_KEY *ec = EC_KEY_new_by_curve_name(NID_X9_62_prime256v1);
  EC_POINT *pt = ec ? EC_POINT_new(EC_KEY_get0_group(ec)) : NULL;

  if(pt &&
     EC_POINT_oct2point(EC_KEY_get0_group(ec), pt, pub, publen, NULL) &&
     EC_KEY_set_public_key(ec, pt)) {
    pkey = EVP_PKEY_new();
    if(pkey && EVP_PKEY_assign_EC_KEY(pkey, ec))
      ec = NULL; /* owned by pkey now */
    else {
      EVP_PKEY_free(pkey);
      pkey = NULL;
    }
  }
  EC_POINT_free(pt);
  EC_KEY_free(ec);
#else
  EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
  char group[] = "P-256";
  OSSL_PARAM params[3];

  params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
                                               group, 0);
  params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY,
                                                (void *)pub, publen);
  params[2] = OSSL_PARAM_construct_end();
  if(!pctx || EVP_PKEY_fromdata_init(pctx) <= 0 ||
     EVP_PKEY_fromdata(pctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0) {
    EVP_PKEY_free(pkey);
    pkey = NULL;
  }
  EVP_PKEY_CTX_free(pctx);
#endif
  return pkey;
}

static atomic_uint_fast64_t ossl_peer_ids;

static int ossl_kex_peer(hb_kex_alg alg, const uint8_t *pub, size_t publen,
                         hb_kex_peer **out, hb_err *err)
{
  const char *name = hb_kex_name(alg);
  size_t want = alg == HB_X25519 ? 32 : 65;
  hb_kex_peer *p;

  *out = NULL;
  if(publen != want || (alg == HB_ECDH_P256 && pub[0] != 0x04))
    return hb_err_set(err, HB_ERROR, "%s: peer value is not a %zu-byte "
                      "%s public value", name, want,
                      alg == HB_X25519 ? "raw" : "uncompressed");
  p = calloc(1, sizeof(*p));
  if(!p)
    return hb_err_set(err, HB_ERROR, "%s: out of memory", name);
  p->alg = alg;
  p->id = atomic_fetch_add(&ossl_peer_ids, 1) + 1;
#ifdef OSSL_BSSL
  if(alg == HB_X25519) {
    memcpy(p->raw, pub, 32);
    *out = p;
    return HB_OK;
  }
#endif
  if(alg == HB_X25519)
    p->pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, pub, 32);
  else
    p->pkey = ossl_ec_peer(pub, publen);
  if(!p->pkey) {
    hb_ossl_fail(err, HB_ERROR, "%s: peer public value rejected", name);
    ossl_kex_peer_free(p);
    return HB_ERROR;
  }
  *out = p;
  return HB_OK;
}

static int ossl_kex_derive(hb_kex *x, hb_kex_peer *p, uint8_t *secret,
                           size_t *secretlen, hb_err *err)
{
  const char *name = hb_kex_name(x->alg);
  int ok;

  if(p->alg != x->alg)
    return hb_err_set(err, HB_ERROR, "%s: peer value is for %s", name,
                      hb_kex_name(p->alg));
  if(*secretlen < 32)
    return hb_err_set(err, HB_ERROR, "%s: secret buffer of %zu bytes is "
                      "too small", name, *secretlen);
#ifdef OSSL_BSSL
  if(x->alg == HB_X25519) {
    if(!X25519(secret, x->priv, p->raw))
      return hb_ossl_fail(err, HB_ERROR, "%s: peer value is of small order",
                       name);
    *secretlen = 32;
    return HB_OK;
  }
  /* the peer goes into the context once, as `openssl speed` does; a new
   * peer value (a new exchange) sets it again */
  ok = x->peer_id == p->id ||
       EVP_PKEY_derive_set_peer(x->derive, p->pkey) > 0;
#else
  /* kex_peer decoded and checked the value already; skip OpenSSL's
   * second, full public-key check (a scalar multiplication for EC) */
  ok = x->peer_id == p->id ||
       EVP_PKEY_derive_set_peer_ex(x->derive, p->pkey, 0) > 0;
#endif
  if(!ok)
    return hb_ossl_fail(err, HB_ERROR, "%s: setting the peer key failed",
                     name);
  x->peer_id = p->id;
  if(EVP_PKEY_derive(x->derive, secret, secretlen) <= 0)
    return hb_ossl_fail(err, HB_ERROR, "%s: EVP_PKEY_derive failed", name);
  return HB_OK;
}

/* ---- key encapsulation ---- */

struct hb_kem {
  hb_kem_alg alg;
  EVP_PKEY *pkey;
  EVP_PKEY_CTX *decaps; /* set up once per key pair */
#ifdef OSSL_KYBER
  struct KYBER_private_key priv;
#endif
};

struct hb_kem_peer {
  hb_kem_alg alg;
  EVP_PKEY *pkey;
  EVP_PKEY_CTX *encaps; /* set up once per public key */
#ifdef OSSL_KYBER
  struct KYBER_public_key pub;
#endif
};

/* Whether this build has alg; if not, says why. */
static int ossl_kem_check(hb_kem_alg alg, hb_err *err)
{
  const char *name = hb_kem_name(alg);

  if((unsigned)alg >= HB_KEM_COUNT)
    return hb_err_set(err, HB_ERROR, "unknown KEM %d", (int)alg);
  if(alg == HB_KYBER768) {
#ifdef OSSL_KYBER
    return HB_OK;
#else
    return ossl_no_pq(err, name, "Kyber");
#endif
  }
#ifdef OSSL_PQ
  return HB_OK;
#else
  return ossl_no_pq(err, name, "ML-KEM");
#endif
}

#ifdef OSSL_PQ
static const char *const ossl_kem_names[HB_KEM_COUNT] = {
  "ML-KEM-512", "ML-KEM-768", "ML-KEM-1024", NULL
};
#endif

static void ossl_kem_free(hb_kem *k)
{
  if(!k)
    return;
  EVP_PKEY_CTX_free(k->decaps);
  EVP_PKEY_free(k->pkey);
  OPENSSL_cleanse(k, sizeof(*k));
  free(k);
}

static void ossl_kem_peer_free(hb_kem_peer *p)
{
  if(!p)
    return;
  EVP_PKEY_CTX_free(p->encaps);
  EVP_PKEY_free(p->pkey);
  free(p);
}

static int ossl_kem_keygen_any(hb_kem_alg alg, const uint8_t *seed,
                               size_t seedlen, hb_kem **out, uint8_t *pub,
                               size_t *publen, hb_err *err);

static int ossl_kem_keygen(hb_kem_alg alg, hb_kem **out, uint8_t *pub,
                           size_t *publen, hb_err *err)
{
  return ossl_kem_keygen_any(alg, NULL, 0, out, pub, publen, err);
}


#ifdef OSSL_PQ
static int ossl_kem_keygen_seed(hb_kem_alg alg, const uint8_t *seed,
                                size_t seedlen, hb_kem **out, uint8_t *pub,
                                size_t *publen, hb_err *err)
{
  *out = NULL;
  if(alg == HB_KYBER768 || seedlen != 64)
    return hb_err_set(err, alg == HB_KYBER768 ? HB_UNSUPPORTED : HB_ERROR,
                      "%s: no key generation from a %zu-byte seed here",
                      hb_kem_name(alg), seedlen);
  return ossl_kem_keygen_any(alg, seed, seedlen, out, pub, publen, err);
}
#endif

/* seed: NULL for fresh randomness */
static int ossl_kem_keygen_any(hb_kem_alg alg, const uint8_t *seed,
                               size_t seedlen, hb_kem **out, uint8_t *pub,
                               size_t *publen, hb_err *err)
{
  const char *what = "allocation";
  hb_kem *k;
  int rc;

  (void)seed; /* without OSSL_PQ: none */
  (void)seedlen;

  *out = NULL;
  rc = ossl_kem_check(alg, err);
  if(rc != HB_OK)
    return rc;
  if(hb_kem_check_keygen(alg, *publen, err) != HB_OK)
    return HB_ERROR;
  rc = HB_ERROR;
  k = calloc(1, sizeof(*k));
  if(!k)
    goto out;
  k->alg = alg;
  what = "key generation";
#ifdef OSSL_KYBER
  if(alg == HB_KYBER768) {
    KYBER_generate_key(pub, &k->priv);
    *publen = KYBER_PUBLIC_KEY_BYTES;
    rc = HB_OK;
    goto out;
  }
#endif
#ifdef OSSL_PQ
  k->pkey = ossl_pq_keygen(ossl_kem_names[alg], seed, seedlen);
  if(!k->pkey)
    goto out;
  what = "encoding the public key";
  if(EVP_PKEY_get_raw_public_key(k->pkey, pub, publen) <= 0)
    goto out;
  what = "setting up the decapsulation context";
  k->decaps = EVP_PKEY_CTX_new_from_pkey(NULL, k->pkey, NULL);
  if(!k->decaps || EVP_PKEY_decapsulate_init(k->decaps, NULL) <= 0)
    goto out;
  rc = HB_OK;
#endif
out:
  if(rc) {
    hb_ossl_fail(err, rc, "%s: %s failed", hb_kem_name(alg), what);
    ossl_kem_free(k);
    k = NULL;
  }
  *out = k;
  return rc;
}

/* Parses the peer's encoded public key; OpenSSL 3.5 checks that its
 * coefficients are reduced (FIPS 203's encapsulation key check) while
 * decoding, BoringSSL while parsing. */
static int ossl_kem_peer(hb_kem_alg alg, const uint8_t *pub, size_t publen,
                         hb_kem_peer **out, hb_err *err)
{
  const char *name = hb_kem_name(alg);
  hb_kem_peer *p;
  int rc;

  *out = NULL;
  rc = ossl_kem_check(alg, err);
  if(rc != HB_OK)
    return rc;
  if(hb_kem_check_peer(alg, publen, err) != HB_OK)
    return HB_ERROR;
  p = calloc(1, sizeof(*p));
  if(!p)
    return hb_err_set(err, HB_ERROR, "%s: out of memory", name);
  p->alg = alg;
  rc = HB_ERROR;
#ifdef OSSL_KYBER
  if(alg == HB_KYBER768) {
    CBS cbs;

    CBS_init(&cbs, pub, publen);
    if(KYBER_parse_public_key(&p->pub, &cbs))
      rc = HB_OK;
  }
#endif
#ifdef OSSL_PQ
  p->pkey = EVP_PKEY_new_raw_public_key_ex(NULL, ossl_kem_names[alg], NULL,
                                           pub, publen);
  if(p->pkey) {
    p->encaps = EVP_PKEY_CTX_new_from_pkey(NULL, p->pkey, NULL);
    if(p->encaps && EVP_PKEY_encapsulate_init(p->encaps, NULL) > 0)
      rc = HB_OK;
  }
#endif
  if(rc) {
    ossl_kem_peer_free(p);
    return hb_ossl_fail(err, rc, "%s: public key rejected", name);
  }
  *out = p;
  return HB_OK;
}

static int ossl_kem_encaps(hb_kem_peer *p, uint8_t *ct, size_t *ctlen,
                           uint8_t *secret, size_t *secretlen, hb_err *err)
{
  const char *name = hb_kem_name(p->alg);

  if(hb_kem_check_encaps(p->alg, *ctlen, *secretlen, err) != HB_OK)
    return HB_ERROR;
#ifdef OSSL_KYBER
  if(p->alg == HB_KYBER768) {
    KYBER_encap(ct, secret, HB_KEM_SECRET_LEN, &p->pub);
    *ctlen = KYBER_CIPHERTEXT_BYTES;
    *secretlen = HB_KEM_SECRET_LEN;
    return HB_OK;
  }
#endif
#ifdef OSSL_PQ
  if(EVP_PKEY_encapsulate(p->encaps, ct, ctlen, secret, secretlen) > 0)
    return HB_OK;
#endif
  return hb_ossl_fail(err, HB_ERROR, "%s: EVP_PKEY_encapsulate failed",
                      name);
}

#ifdef OSSL_PQ
/* Encapsulation with a given 32-byte m (FIPS 203 known answers), through
 * OSSL_KEM_PARAM_IKME. */
static int ossl_kem_encaps_m(hb_kem_peer *p, const uint8_t *m, size_t mlen,
                             uint8_t *ct, size_t *ctlen, uint8_t *secret,
                             size_t *secretlen, hb_err *err)
{
  const char *name = hb_kem_name(p->alg);

  if(p->alg == HB_KYBER768 || mlen != 32)
    return hb_err_set(err, p->alg == HB_KYBER768 ? HB_UNSUPPORTED
                      : HB_ERROR, "%s: no encapsulation with a given "
                      "%zu-byte message here", name, mlen);
  if(hb_kem_check_encaps(p->alg, *ctlen, *secretlen, err) != HB_OK)
    return HB_ERROR;
  {
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_pkey(NULL, p->pkey, NULL);
    OSSL_PARAM par[2];
    int ok;

    par[0] = OSSL_PARAM_construct_octet_string(OSSL_KEM_PARAM_IKME,
                                               (void *)m, mlen);
    par[1] = OSSL_PARAM_construct_end();
    ok = c && EVP_PKEY_encapsulate_init(c, par) > 0 &&
         EVP_PKEY_encapsulate(c, ct, ctlen, secret, secretlen) > 0;
    EVP_PKEY_CTX_free(c);
    if(ok)
      return HB_OK;
  }
  return hb_ossl_fail(err, HB_ERROR, "%s: EVP_PKEY_encapsulate with a "
                      "given message failed", name);
}
#endif

static int ossl_kem_decaps(hb_kem *k, const uint8_t *ct, size_t ctlen,
                           uint8_t *secret, size_t *secretlen, hb_err *err)
{
  const char *name = hb_kem_name(k->alg);

  if(hb_kem_check_decaps(k->alg, ctlen, *secretlen, err) != HB_OK)
    return HB_ERROR;
#ifdef OSSL_KYBER
  if(k->alg == HB_KYBER768) {
    KYBER_decap(secret, HB_KEM_SECRET_LEN, ct, &k->priv);
    *secretlen = HB_KEM_SECRET_LEN;
    return HB_OK;
  }
#endif
#ifdef OSSL_PQ
  if(EVP_PKEY_decapsulate(k->decaps, secret, secretlen, ct, ctlen) > 0)
    return HB_OK;
#endif
  return hb_ossl_fail(err, HB_ERROR, "%s: EVP_PKEY_decapsulate failed",
                      name);
}

static const hb_crypto_ops ossl_crypto = {
#ifdef OSSL_BSSL
  "boringssl",
#else
  "openssl",
#endif
  ossl_version, ossl_global_init,
  ossl_md_new, ossl_md_oneshot, ossl_md_free,
  ossl_aead_new, ossl_aead_seal, ossl_aead_open, ossl_aead_free,
  ossl_cbc_new, ossl_cbc_crypt, ossl_cbc_free,
  ossl_sig_keygen, ossl_sign, ossl_verify, ossl_rsa_encrypt,
  ossl_rsa_decrypt, ossl_pkey_free,
  ossl_kex_keygen, ossl_kex_peer, ossl_kex_derive, ossl_kex_free,
  ossl_kex_peer_free, ossl_aead_stream, ossl_aead_rekey,
  ossl_kem_keygen, ossl_kem_peer, ossl_kem_encaps, ossl_kem_decaps,
  ossl_kem_free, ossl_kem_peer_free,
#ifdef OSSL_PQ
  ossl_kem_keygen_seed, ossl_kem_encaps_m
#else
  NULL, NULL
#endif
};

extern const hb_tls_ops hb_openssl_tls; /* openssl_tls.c */

#ifdef OSSL_BSSL
#ifndef HB_BACKEND_NAME
#define HB_BACKEND_NAME "boringssl"
#endif
const hb_backend hb_linked_backend = {
  HB_BACKEND_NAME, "BoringSSL", &ossl_crypto, &hb_openssl_tls,
  HB_BACKEND_ORIGIN
};
#else
#ifndef HB_BACKEND_NAME
#define HB_BACKEND_NAME "openssl"
#endif
const hb_backend hb_linked_backend = {
  HB_BACKEND_NAME, "OpenSSL", &ossl_crypto, &hb_openssl_tls,
  HB_BACKEND_ORIGIN
};
#endif
