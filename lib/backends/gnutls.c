/* The GnuTLS backend: hb_crypto_ops over GnuTLS 3.7 (gnutls/crypto.h,
 * gnutls/abstract.h), with key agreement through nettle/hogweed.
 *
 * Every context is built in its constructor (key schedule, handles, key
 * pairs); the per-call functions only set a nonce or IV and run the
 * primitive, as GnuTLS's own record layer and handshake do. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>
#include <gnutls/abstract.h>

#include <nettle/curve25519.h>
#include <nettle/ecc.h>
#include <nettle/ecc-curve.h>
#include <nettle/version.h>

#include "hb/backend.h"
#include "hb/crypto.h"
#include "hb/err.h"

#define GTLS_P256_LEN 32 /* bytes in one P-256 coordinate */

struct hb_md {
  hb_md_alg alg;
  gnutls_hash_hd_t hash; /* plain digests */
  gnutls_hmac_hd_t hmac; /* HB_HMAC_SHA256 */
};

struct hb_aead {
  gnutls_aead_cipher_hd_t h;
  hb_aead_alg alg;
  uint8_t key[32];
  gnutls_cipher_hd_t sh; /* aead_stream's message, when streaming */
  int streaming;
};

struct hb_cbc {
  gnutls_cipher_hd_t h;
  int encrypt;
};

struct hb_pkey {
  hb_sig_alg alg;
  gnutls_privkey_t priv;
  gnutls_pubkey_t pub;
  gnutls_sign_algorithm_t sign; /* fixes hash and padding */
};

struct hb_kex {
  hb_kex_alg alg;
  uint8_t priv[CURVE25519_SIZE]; /* x25519 */
  int have_ecc;                  /* key and pt below are initialised */
  struct ecc_scalar key;         /* ecdh-p256 private scalar */
  struct ecc_point pt;           /* our public point, then k * peer */
};

struct hb_kex_peer {
  hb_kex_alg alg;
  uint8_t pub[CURVE25519_SIZE]; /* x25519 */
  int have_ecc;
  struct ecc_point pt; /* ecdh-p256, validated on the curve */
};

/* Records a failed GnuTLS call: our words, then gnutls_strerror. */
static int gtls_fail(hb_err *err, const char *what, int rc)
{
  return hb_err_set(err, HB_ERROR, "gnutls: %s failed: %s (%d)", what,
                    gnutls_strerror(rc), rc);
}

static gnutls_datum_t gtls_datum(const uint8_t *p, size_t len)
{
  gnutls_datum_t d;
  d.data = (unsigned char *)p; /* GnuTLS only reads it */
  d.size = (unsigned int)len;
  return d;
}

static const char *gtls_version(void)
{
  static char buf[64];
  if(!buf[0])
    snprintf(buf, sizeof(buf), "%s (nettle %d.%d)",
             gnutls_check_version(NULL), nettle_version_major(),
             nettle_version_minor());
  return buf;
}

static int gtls_global_init(hb_err *err)
{
  int rc = gnutls_global_init();
  if(rc < 0)
    return gtls_fail(err, "gnutls_global_init", rc);
  return HB_OK;
}

/* ---- digests and HMAC ---- */

static int gtls_md_new(hb_md_alg alg, const uint8_t *key, size_t keylen,
                       hb_md **out, hb_err *err)
{
  static const gnutls_digest_algorithm_t dig[] = {
    GNUTLS_DIG_MD5, GNUTLS_DIG_SHA1, GNUTLS_DIG_SHA256, GNUTLS_DIG_SHA384
  };
  hb_md *md;
  int rc, result = HB_OK;

  *out = NULL;
  if((unsigned)alg >= HB_MD_COUNT)
    return hb_err_set(err, HB_ERROR, "gnutls: unknown digest %d", alg);
  md = calloc(1, sizeof(*md));
  if(!md)
    return hb_err_set(err, HB_ERROR, "gnutls: out of memory for %s",
                      hb_md_name(alg));
  md->alg = alg;
  if(alg == HB_HMAC_SHA256) {
    rc = gnutls_hmac_init(&md->hmac, GNUTLS_MAC_SHA256, key, keylen);
    if(rc < 0) {
      md->hmac = NULL;
      result = gtls_fail(err, "gnutls_hmac_init(hmac-sha256)", rc);
      goto out;
    }
  }
  else {
    rc = gnutls_hash_init(&md->hash, dig[alg]);
    if(rc < 0) {
      md->hash = NULL;
      result = hb_err_set(err, HB_ERROR, "gnutls: gnutls_hash_init(%s) "
                          "failed: %s", hb_md_name(alg), gnutls_strerror(rc));
      goto out;
    }
  }
  *out = md;
  md = NULL;
out:
  free(md);
  return result;
}

/* gnutls_hash_output and gnutls_hmac_output reset the context (the HMAC
 * one to the keyed state), so each call digests exactly `in`. */
static int gtls_md_oneshot(hb_md *ctx, const uint8_t *in, size_t len,
                           uint8_t *out, hb_err *err)
{
  int rc;

  if(ctx->hmac) {
    rc = gnutls_hmac(ctx->hmac, in, len);
    gnutls_hmac_output(ctx->hmac, out);
    if(rc < 0)
      return gtls_fail(err, "gnutls_hmac", rc);
  }
  else {
    rc = gnutls_hash(ctx->hash, in, len);
    gnutls_hash_output(ctx->hash, out);
    if(rc < 0)
      return gtls_fail(err, "gnutls_hash", rc);
  }
  return HB_OK;
}

static void gtls_md_free(hb_md *ctx)
{
  if(!ctx)
    return;
  if(ctx->hmac)
    gnutls_hmac_deinit(ctx->hmac, NULL);
  if(ctx->hash)
    gnutls_hash_deinit(ctx->hash, NULL);
  free(ctx);
}

/* ---- AEAD ---- */

/* By hb_aead_alg. */
static const gnutls_cipher_algorithm_t gtls_aead_ciph[HB_AEAD_COUNT] = {
  GNUTLS_CIPHER_AES_128_GCM, GNUTLS_CIPHER_AES_256_GCM,
  GNUTLS_CIPHER_CHACHA20_POLY1305
};

/* The key of a context, new or live: a new handle, as GnuTLS's record
 * layer makes one per key epoch. gnutls_aead_cipher_set_key (3.7.5) would be cheaper, but in 3.7.9 an
 * AES-GCM handle rekeyed with it seals differently from a new handle
 * with the same key and cannot open the new handle's records (test_crypto
 * caught it); ChaCha20-Poly1305 was fine. */
static int gtls_aead_rekey(hb_aead *ctx, const uint8_t *key, hb_err *err)
{
  gnutls_datum_t k = gtls_datum(key, hb_aead_key_size(ctx->alg));
  gnutls_aead_cipher_hd_t h;
  int rc;

  ctx->streaming = 0;
  rc = gnutls_aead_cipher_init(&h, gtls_aead_ciph[ctx->alg], &k);
  if(rc < 0)
    return hb_err_set(err, HB_ERROR, "gnutls: gnutls_aead_cipher_init(%s) "
                      "failed: %s", hb_aead_name(ctx->alg),
                      gnutls_strerror(rc));
  if(ctx->h)
    gnutls_aead_cipher_deinit(ctx->h);
  ctx->h = h;
  memcpy(ctx->key, key, hb_aead_key_size(ctx->alg));
  return HB_OK;
}

static int gtls_aead_new(hb_aead_alg alg, const uint8_t *key, hb_aead **out,
                         hb_err *err)
{
  hb_aead *ctx;
  int rc;

  *out = NULL;
  if((unsigned)alg >= HB_AEAD_COUNT)
    return hb_err_set(err, HB_ERROR, "gnutls: unknown AEAD %d", alg);
  ctx = calloc(1, sizeof(*ctx));
  if(!ctx)
    return hb_err_set(err, HB_ERROR, "gnutls: out of memory for %s",
                      hb_aead_name(alg));
  ctx->alg = alg;
  rc = gtls_aead_rekey(ctx, key, err);
  if(rc != HB_OK) {
    free(ctx);
    return rc;
  }
  *out = ctx;
  return HB_OK;
}

/* gnutls_aead_cipher_encrypt, not encryptv2: v2 works in place, which
 * would cost a copy of in to out per record here. */
static int gtls_aead_seal(hb_aead *ctx, const uint8_t *nonce,
                          const uint8_t *ad, size_t adlen, const uint8_t *in,
                          size_t len, uint8_t *out, hb_err *err)
{
  size_t outlen = len + HB_AEAD_TAG_LEN;
  int rc;

  ctx->streaming = 0;
  rc = gnutls_aead_cipher_encrypt(ctx->h, nonce, HB_AEAD_NONCE_LEN, ad,
                                      adlen, HB_AEAD_TAG_LEN, in, len, out,
                                      &outlen);
  if(rc < 0)
    return gtls_fail(err, "gnutls_aead_cipher_encrypt", rc);
  return HB_OK;
}

static int gtls_aead_open(hb_aead *ctx, const uint8_t *nonce,
                          const uint8_t *ad, size_t adlen, const uint8_t *in,
                          size_t len, uint8_t *out, hb_err *err)
{
  size_t outlen = len >= HB_AEAD_TAG_LEN ? len - HB_AEAD_TAG_LEN : 0;
  int rc;

  ctx->streaming = 0;
  rc = gnutls_aead_cipher_decrypt(ctx->h, nonce, HB_AEAD_NONCE_LEN, ad,
                                      adlen, HB_AEAD_TAG_LEN, in, len, out,
                                      &outlen);
  if(rc == GNUTLS_E_DECRYPTION_FAILED)
    return hb_err_set(err, HB_EVERIFY, "gnutls: AEAD tag does not verify: "
                      "%s", gnutls_strerror(rc));
  if(rc < 0)
    return gtls_fail(err, "gnutls_aead_cipher_decrypt", rc);
  return HB_OK;
}

static void gtls_aead_free(hb_aead *ctx)
{
  if(!ctx)
    return;
  gnutls_aead_cipher_deinit(ctx->h);
  if(ctx->sh)
    gnutls_cipher_deinit(ctx->sh);
  gnutls_memset(ctx->key, 0, sizeof(ctx->key));
  free(ctx);
}

/* One long message through GnuTLS's classic cipher API, which takes AEAD
 * ciphers a chunk at a time (a new handle per message). */
static int gtls_aead_stream(hb_aead *ctx, const uint8_t *in, size_t len,
                            uint8_t *out, hb_err *err)
{
  static const uint8_t zero[HB_AEAD_NONCE_LEN];
  gnutls_datum_t k, iv;
  int rc;

  if(!ctx->streaming) {
    if(ctx->sh)
      gnutls_cipher_deinit(ctx->sh);
    ctx->sh = NULL;
    k = gtls_datum(ctx->key, hb_aead_key_size(ctx->alg));
    iv = gtls_datum(zero, sizeof(zero));
    rc = gnutls_cipher_init(&ctx->sh, gtls_aead_ciph[ctx->alg], &k, &iv);
    if(rc < 0) {
      ctx->sh = NULL;
      return gtls_fail(err, "gnutls_cipher_init", rc);
    }
    ctx->streaming = 1;
  }
  rc = gnutls_cipher_encrypt2(ctx->sh, in, len, out, len);
  if(rc < 0)
    return gtls_fail(err, "gnutls_cipher_encrypt2", rc);
  return HB_OK;
}

/* ---- AES-128-CBC ---- */

static int gtls_cbc_new(const uint8_t *key16, int encrypt, hb_cbc **out,
                        hb_err *err)
{
  gnutls_datum_t k = gtls_datum(key16, 16);
  hb_cbc *ctx;
  int rc, result = HB_OK;

  *out = NULL;
  ctx = calloc(1, sizeof(*ctx));
  if(!ctx)
    return hb_err_set(err, HB_ERROR, "gnutls: out of memory for CBC");
  ctx->encrypt = encrypt;
  rc = gnutls_cipher_init(&ctx->h, GNUTLS_CIPHER_AES_128_CBC, &k, NULL);
  if(rc < 0) {
    result = gtls_fail(err, "gnutls_cipher_init(aes-128-cbc)", rc);
    goto out;
  }
  *out = ctx;
  ctx = NULL;
out:
  free(ctx);
  return result;
}

static int gtls_cbc_crypt(hb_cbc *ctx, const uint8_t *iv16,
                          const uint8_t *in, size_t len, uint8_t *out,
                          hb_err *err)
{
  int rc;

  /* the prototype lacks const; GnuTLS copies the IV and leaves it alone */
  gnutls_cipher_set_iv(ctx->h, (void *)iv16, 16);
  if(ctx->encrypt)
    rc = gnutls_cipher_encrypt2(ctx->h, in, len, out, len);
  else
    rc = gnutls_cipher_decrypt2(ctx->h, in, len, out, len);
  if(rc < 0)
    return gtls_fail(err, ctx->encrypt ? "gnutls_cipher_encrypt2" :
                     "gnutls_cipher_decrypt2", rc);
  return HB_OK;
}

static void gtls_cbc_free(hb_cbc *ctx)
{
  if(!ctx)
    return;
  gnutls_cipher_deinit(ctx->h);
  free(ctx);
}

/* ---- signatures and RSA key transport ---- */

static int gtls_sig_keygen(hb_sig_alg alg, hb_pkey **out, hb_err *err)
{
  static const struct {
    gnutls_pk_algorithm_t pk;
    unsigned bits;
    gnutls_sign_algorithm_t sign;
  } kt[] = {
    { GNUTLS_PK_RSA, 2048, GNUTLS_SIGN_RSA_SHA256 },
    { GNUTLS_PK_RSA, 3072, GNUTLS_SIGN_RSA_SHA256 },
    { GNUTLS_PK_RSA, 4096, GNUTLS_SIGN_RSA_SHA256 },
    { GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1),
      GNUTLS_SIGN_ECDSA_SHA256 },
    { GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP384R1),
      GNUTLS_SIGN_ECDSA_SHA384 },
    { GNUTLS_PK_EDDSA_ED25519,
      GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_ED25519),
      GNUTLS_SIGN_EDDSA_ED25519 },
  };
  hb_pkey *k;
  const char *what;
  int rc, result = HB_OK;

  *out = NULL;
  if((unsigned)alg >= HB_SIG_COUNT)
    return hb_err_set(err, HB_ERROR, "gnutls: unknown key type %d", alg);
  if(alg == HB_MLDSA65)
    return hb_err_set(err, HB_UNSUPPORTED, "%s: GnuTLS %s offers no ML-DSA "
                      "through its public API", hb_sig_name(alg),
                      gnutls_check_version(NULL));
  k = calloc(1, sizeof(*k));
  if(!k)
    return hb_err_set(err, HB_ERROR, "gnutls: out of memory for %s",
                      hb_sig_name(alg));
  k->alg = alg;
  k->sign = kt[alg].sign;

  what = "gnutls_privkey_init";
  rc = gnutls_privkey_init(&k->priv);
  if(rc < 0)
    goto out;
  /* RSA keys get e = 65537, GnuTLS's fixed public exponent */
  what = "gnutls_privkey_generate2";
  rc = gnutls_privkey_generate2(k->priv, kt[alg].pk, kt[alg].bits, 0,
                                NULL, 0);
  if(rc < 0)
    goto out;
  what = "gnutls_pubkey_init";
  rc = gnutls_pubkey_init(&k->pub);
  if(rc < 0)
    goto out;
  what = "gnutls_pubkey_import_privkey";
  rc = gnutls_pubkey_import_privkey(k->pub, k->priv, 0, 0);
  if(rc < 0)
    goto out;
  *out = k;
  k = NULL;
out:
  if(k) {
    result = hb_err_set(err, HB_ERROR, "gnutls: %s for %s failed: %s",
                        what, hb_sig_name(alg), gnutls_strerror(rc));
    if(k->pub)
      gnutls_pubkey_deinit(k->pub);
    if(k->priv)
      gnutls_privkey_deinit(k->priv);
    free(k);
  }
  return result;
}

/* Copies a GnuTLS-allocated result into the caller's buffer. */
static int gtls_take(gnutls_datum_t *d, uint8_t *out, size_t *outlen,
                     const char *what, hb_err *err)
{
  if(d->size > *outlen)
    return hb_err_set(err, HB_ERROR, "gnutls: %s gave %u bytes, room for "
                      "%zu", what, d->size, *outlen);
  memcpy(out, d->data, d->size);
  *outlen = d->size;
  return HB_OK;
}

/* sign_data2 hashes msg with the algorithm's digest (on the stack, no
 * context to keep) and signs that digest; GnuTLS itself signs TLS
 * handshakes this way. It allocates the signature, which we copy out. */
static int gtls_sign(hb_pkey *key, const uint8_t *msg, size_t len,
                     uint8_t *sig, size_t *siglen, hb_err *err)
{
  gnutls_datum_t data = gtls_datum(msg, len), s = { NULL, 0 };
  int rc, result;

  rc = gnutls_privkey_sign_data2(key->priv, key->sign, 0, &data, &s);
  if(rc < 0) {
    result = hb_err_set(err, HB_ERROR, "gnutls: %s signing failed: %s",
                        hb_sig_name(key->alg), gnutls_strerror(rc));
    goto out;
  }
  result = gtls_take(&s, sig, siglen, "gnutls_privkey_sign_data2", err);
out:
  gnutls_free(s.data);
  return result;
}

static int gtls_verify(hb_pkey *key, const uint8_t *msg, size_t len,
                       const uint8_t *sig, size_t siglen, hb_err *err)
{
  gnutls_datum_t data = gtls_datum(msg, len), s = gtls_datum(sig, siglen);
  int rc = gnutls_pubkey_verify_data2(key->pub, key->sign, 0, &data, &s);

  if(rc >= 0)
    return HB_OK;
  /* a DER signature too damaged to parse does not verify either */
  if(rc == GNUTLS_E_PK_SIG_VERIFY_FAILED || rc == GNUTLS_E_ASN1_DER_ERROR ||
     rc == GNUTLS_E_ASN1_TAG_ERROR || rc == GNUTLS_E_ASN1_DER_OVERFLOW ||
     rc == GNUTLS_E_ASN1_TYPE_ANY_ERROR ||
     rc == GNUTLS_E_ASN1_SYNTAX_ERROR)
    return hb_err_set(err, HB_EVERIFY, "gnutls: %s signature does not "
                      "verify: %s", hb_sig_name(key->alg),
                      gnutls_strerror(rc));
  return hb_err_set(err, HB_ERROR, "gnutls: %s verification failed: %s",
                    hb_sig_name(key->alg), gnutls_strerror(rc));
}

static int gtls_rsa_encrypt(hb_pkey *key, const uint8_t *in, size_t len,
                            uint8_t *out, size_t *outlen, hb_err *err)
{
  gnutls_datum_t pt = gtls_datum(in, len), ct = { NULL, 0 };
  int rc, result;

  if(!hb_sig_is_rsa(key->alg))
    return hb_err_set(err, HB_UNSUPPORTED, "gnutls: RSA encryption needs "
                      "an RSA key, not %s", hb_sig_name(key->alg));
  rc = gnutls_pubkey_encrypt_data(key->pub, 0, &pt, &ct);
  if(rc < 0) {
    result = gtls_fail(err, "gnutls_pubkey_encrypt_data", rc);
    goto out;
  }
  result = gtls_take(&ct, out, outlen, "gnutls_pubkey_encrypt_data", err);
out:
  gnutls_free(ct.data);
  return result;
}

static int gtls_rsa_decrypt(hb_pkey *key, const uint8_t *in, size_t len,
                            uint8_t *out, size_t *outlen, hb_err *err)
{
  gnutls_datum_t ct = gtls_datum(in, len), pt = { NULL, 0 };
  int rc, result;

  if(!hb_sig_is_rsa(key->alg))
    return hb_err_set(err, HB_UNSUPPORTED, "gnutls: RSA decryption needs "
                      "an RSA key, not %s", hb_sig_name(key->alg));
  rc = gnutls_privkey_decrypt_data(key->priv, 0, &ct, &pt);
  if(rc < 0) {
    result = gtls_fail(err, "gnutls_privkey_decrypt_data", rc);
    goto out;
  }
  result = gtls_take(&pt, out, outlen, "gnutls_privkey_decrypt_data", err);
out:
  if(pt.data)
    gnutls_memset(pt.data, 0, pt.size);
  gnutls_free(pt.data);
  return result;
}

static void gtls_pkey_free(hb_pkey *key)
{
  if(!key)
    return;
  gnutls_pubkey_deinit(key->pub);
  gnutls_privkey_deinit(key->priv);
  free(key);
}

/* ---- key agreement ---- */

/* GnuTLS 3.7 exports no key agreement; nettle runs its handshakes' ECDH. */

/* nettle_random_func over gnutls_rnd; ctx is an int that keeps the first
 * failure. On failure the bytes are set non-zero so that nettle's
 * rejection loop ends and the caller can report the error. */
static void gtls_nettle_rnd(void *ctx, size_t len, uint8_t *dst)
{
  int *status = ctx;
  int rc = gnutls_rnd(GNUTLS_RND_KEY, dst, len);
  if(rc < 0) {
    memset(dst, 1, len);
    if(*status >= 0)
      *status = rc;
  }
}

/* Our link line has hogweed but not GMP, so no mpz_init: coordinates move
 * between bytes and limbs here, the inputs handed to nettle as read-only
 * MPZ_ROINIT_N views, the outputs read from struct ecc_point's affine
 * x || y limbs (ecc_size() limbs each, see nettle/ecc.h). */
static void gtls_be_to_limbs(const uint8_t *be, mp_limb_t *l, size_t n)
{
  size_t i;
  memset(l, 0, n * sizeof(*l));
  for(i = 0; i < GTLS_P256_LEN; i++)
    l[i / sizeof(mp_limb_t)] |= (mp_limb_t)be[GTLS_P256_LEN - 1 - i] <<
                                (8 * (i % sizeof(mp_limb_t)));
}

static void gtls_limbs_to_be(const mp_limb_t *l, uint8_t *be)
{
  size_t i;
  for(i = 0; i < GTLS_P256_LEN; i++)
    be[GTLS_P256_LEN - 1 - i] =
      (uint8_t)(l[i / sizeof(mp_limb_t)] >> (8 * (i % sizeof(mp_limb_t))));
}

/* Limb count of l without its high zero limbs, as MPZ_ROINIT_N wants. */
static mp_size_t gtls_limbs_used(const mp_limb_t *l, mp_size_t n)
{
  while(n > 0 && !l[n - 1])
    n--;
  return n;
}

#define GTLS_P256_LIMBS \
  ((GTLS_P256_LEN + sizeof(mp_limb_t) - 1) / sizeof(mp_limb_t))

static int gtls_kex_keygen(hb_kex_alg alg, hb_kex **out, uint8_t *pub,
                           size_t *publen, hb_err *err)
{
  const struct ecc_curve *curve = nettle_get_secp_256r1();
  hb_kex *ctx;
  mp_size_t n;
  int rc = 0, result = HB_OK;

  *out = NULL;
  if((unsigned)alg >= HB_KEX_COUNT)
    return hb_err_set(err, HB_ERROR, "gnutls: unknown key exchange %d", alg);
  if(*publen < (alg == HB_X25519 ? CURVE25519_SIZE : 1 + 2 * GTLS_P256_LEN))
    return hb_err_set(err, HB_ERROR, "gnutls: %zu bytes is too small for the "
                      "%s public value", *publen, hb_kex_name(alg));
  ctx = calloc(1, sizeof(*ctx));
  if(!ctx)
    return hb_err_set(err, HB_ERROR, "gnutls: out of memory for %s",
                      hb_kex_name(alg));
  ctx->alg = alg;

  if(alg == HB_X25519) {
    rc = gnutls_rnd(GNUTLS_RND_KEY, ctx->priv, sizeof(ctx->priv));
    if(rc < 0) {
      result = gtls_fail(err, "gnutls_rnd(x25519 key)", rc);
      goto out;
    }
    curve25519_mul_g(pub, ctx->priv); /* nettle clamps the scalar */
    *publen = CURVE25519_SIZE;
  }
  else {
    n = ecc_size(curve);
    if((size_t)n != GTLS_P256_LIMBS) {
      result = hb_err_set(err, HB_ERROR, "gnutls: nettle's P-256 has %ld "
                          "limbs, expected %zu", (long)n, GTLS_P256_LIMBS);
      goto out;
    }
    ecc_scalar_init(&ctx->key, curve);
    ecc_point_init(&ctx->pt, curve);
    ctx->have_ecc = 1;
    ecc_scalar_random(&ctx->key, &rc, gtls_nettle_rnd);
    if(rc < 0) {
      result = gtls_fail(err, "gnutls_rnd(ecdh-p256 key)", rc);
      goto out;
    }
    ecc_point_mul_g(&ctx->pt, &ctx->key);
    pub[0] = 0x04; /* uncompressed */
    gtls_limbs_to_be(ctx->pt.p, pub + 1);
    gtls_limbs_to_be(ctx->pt.p + n, pub + 1 + GTLS_P256_LEN);
    *publen = 1 + 2 * GTLS_P256_LEN;
  }
  *out = ctx;
  ctx = NULL;
out:
  if(ctx) {
    if(ctx->have_ecc) {
      ecc_point_clear(&ctx->pt);
      ecc_scalar_clear(&ctx->key);
    }
    free(ctx);
  }
  return result;
}

static int gtls_kex_peer(hb_kex_alg alg, const uint8_t *pub, size_t publen,
                         hb_kex_peer **out, hb_err *err)
{
  mp_limb_t xl[GTLS_P256_LIMBS], yl[GTLS_P256_LIMBS];
  hb_kex_peer *peer;
  int result = HB_OK;

  *out = NULL;
  if((unsigned)alg >= HB_KEX_COUNT)
    return hb_err_set(err, HB_ERROR, "gnutls: unknown key exchange %d", alg);
  if(alg == HB_X25519 && publen != CURVE25519_SIZE)
    return hb_err_set(err, HB_ERROR, "gnutls: x25519 public value is %zu "
                      "bytes, not 32", publen);
  if(alg == HB_ECDH_P256 &&
     (publen != 1 + 2 * GTLS_P256_LEN || pub[0] != 0x04))
    return hb_err_set(err, HB_ERROR, "gnutls: ecdh-p256 public value is "
                      "not a 65-byte uncompressed point");
  peer = calloc(1, sizeof(*peer));
  if(!peer)
    return hb_err_set(err, HB_ERROR, "gnutls: out of memory for %s",
                      hb_kex_name(alg));
  peer->alg = alg;

  if(alg == HB_X25519)
    memcpy(peer->pub, pub, CURVE25519_SIZE);
  else {
    gtls_be_to_limbs(pub + 1, xl, GTLS_P256_LIMBS);
    gtls_be_to_limbs(pub + 1 + GTLS_P256_LEN, yl, GTLS_P256_LIMBS);
    {
      mpz_t x = MPZ_ROINIT_N(xl, gtls_limbs_used(xl, GTLS_P256_LIMBS));
      mpz_t y = MPZ_ROINIT_N(yl, gtls_limbs_used(yl, GTLS_P256_LIMBS));
      ecc_point_init(&peer->pt, nettle_get_secp_256r1());
      peer->have_ecc = 1;
      /* checks 0 <= x, y < p and the curve equation */
      if(!ecc_point_set(&peer->pt, x, y)) {
        result = hb_err_set(err, HB_ERROR, "gnutls: ecdh-p256 peer value "
                            "rejected: nettle ecc_point_set says the point"
                            " is not on the curve");
        goto out;
      }
    }
  }
  *out = peer;
  peer = NULL;
out:
  if(peer) {
    if(peer->have_ecc)
      ecc_point_clear(&peer->pt);
    free(peer);
  }
  return result;
}

static int gtls_kex_derive(hb_kex *ctx, hb_kex_peer *peer, uint8_t *secret,
                           size_t *secretlen, hb_err *err)
{
  static const uint8_t zero[CURVE25519_SIZE];

  if(peer->alg != ctx->alg)
    return hb_err_set(err, HB_ERROR, "gnutls: %s key with a %s peer",
                      hb_kex_name(ctx->alg), hb_kex_name(peer->alg));
  if(*secretlen < 32)
    return hb_err_set(err, HB_ERROR, "gnutls: %zu bytes is too small for "
                      "the %s secret", *secretlen, hb_kex_name(ctx->alg));
  if(ctx->alg == HB_X25519) {
    curve25519_mul(secret, ctx->priv, peer->pub);
    /* RFC 7748 6.1: a low-order peer gives zero, which TLS refuses */
    if(!memcmp(secret, zero, sizeof(zero)))
      return hb_err_set(err, HB_ERROR, "gnutls: x25519 peer value is of "
                        "low order: nettle curve25519_mul gave all zeros");
  }
  else {
    /* the product overwrites our public point, no longer needed */
    ecc_point_mul(&ctx->pt, &ctx->key, &peer->pt);
    gtls_limbs_to_be(ctx->pt.p, secret);
  }
  *secretlen = 32;
  return HB_OK;
}

static void gtls_kex_free(hb_kex *ctx)
{
  if(!ctx)
    return;
  if(ctx->have_ecc) {
    ecc_point_clear(&ctx->pt);
    ecc_scalar_clear(&ctx->key);
  }
  gnutls_memset(ctx->priv, 0, sizeof(ctx->priv));
  free(ctx);
}

static void gtls_kex_peer_free(hb_kex_peer *peer)
{
  if(!peer)
    return;
  if(peer->have_ecc)
    ecc_point_clear(&peer->pt);
  free(peer);
}

/* ---- key encapsulation and ML-DSA: none in GnuTLS's public API ---- */

static int gtls_no_kem(hb_kem_alg alg, hb_err *err)
{
  if((unsigned)alg >= HB_KEM_COUNT)
    return hb_err_set(err, HB_ERROR, "unknown KEM %d", (int)alg);
  return hb_err_set(err, HB_UNSUPPORTED, "%s: GnuTLS %s offers no %s "
                    "through its public crypto API", hb_kem_name(alg),
                    gnutls_check_version(NULL),
                    alg == HB_KYBER768 ? "round-3 Kyber" : "ML-KEM");
}

static int gtls_kem_keygen(hb_kem_alg alg, hb_kem **out, uint8_t *pub,
                           size_t *publen, hb_err *err)
{
  (void)pub;
  (void)publen;
  *out = NULL;
  return gtls_no_kem(alg, err);
}

static int gtls_kem_peer(hb_kem_alg alg, const uint8_t *pub, size_t publen,
                         hb_kem_peer **out, hb_err *err)
{
  (void)pub;
  (void)publen;
  *out = NULL;
  return gtls_no_kem(alg, err);
}

/* never reached: no key or peer is ever made */
static int gtls_kem_encaps(hb_kem_peer *p, uint8_t *ct, size_t *ctlen,
                           uint8_t *secret, size_t *secretlen, hb_err *err)
{
  (void)p, (void)ct, (void)ctlen, (void)secret, (void)secretlen;
  return hb_err_set(err, HB_ERROR, "gnutls: no KEM");
}

static int gtls_kem_decaps(hb_kem *k, const uint8_t *ct, size_t ctlen,
                           uint8_t *secret, size_t *secretlen, hb_err *err)
{
  (void)k, (void)ct, (void)ctlen, (void)secret, (void)secretlen;
  return hb_err_set(err, HB_ERROR, "gnutls: no KEM");
}

static void gtls_kem_free(hb_kem *k)
{
  (void)k;
}

static void gtls_kem_peer_free(hb_kem_peer *p)
{
  (void)p;
}

static const hb_crypto_ops gtls_crypto = {
  "gnutls",
  gtls_version,
  gtls_global_init,
  gtls_md_new,
  gtls_md_oneshot,
  gtls_md_free,
  gtls_aead_new,
  gtls_aead_seal,
  gtls_aead_open,
  gtls_aead_free,
  gtls_cbc_new,
  gtls_cbc_crypt,
  gtls_cbc_free,
  gtls_sig_keygen,
  gtls_sign,
  gtls_verify,
  gtls_rsa_encrypt,
  gtls_rsa_decrypt,
  gtls_pkey_free,
  gtls_kex_keygen,
  gtls_kex_peer,
  gtls_kex_derive,
  gtls_kex_free,
  gtls_kex_peer_free,
  gtls_aead_stream,
  gtls_aead_rekey,
  gtls_kem_keygen,
  gtls_kem_peer,
  gtls_kem_encaps,
  gtls_kem_decaps,
  gtls_kem_free,
  gtls_kem_peer_free,
  NULL, NULL
};

extern const hb_tls_ops hb_gnutls_tls; /* gnutls_tls.c */

#ifndef HB_BACKEND_NAME
#define HB_BACKEND_NAME "gnutls"
#endif
const hb_backend hb_linked_backend = { HB_BACKEND_NAME, "GnuTLS", &gtls_crypto,
                                       &hb_gnutls_tls, HB_BACKEND_ORIGIN };
