/* The crypto table for mbedTLS 2.28 (Debian) and 3.6 (a scripts/libs
 * set): the same file, the API differences chosen at compile time by
 * MBEDTLS_VERSION_NUMBER (MB3 below). 3.x wants psa_crypto_init() before
 * anything that may go through PSA; global_init calls it.
 *
 * Every object holds the library's own low-level context (md, gcm,
 * chachapoly, aes, rsa, ecdsa, ecp), keyed or loaded in the constructor,
 * so that the per-call functions are the single library call a TLS stack
 * makes per record or per handshake step. Randomness comes from one
 * CTR_DRBG per process, seeded from the entropy module in global_init.
 *
 * Neither 2.28 nor 3.6 has EdDSA, ML-DSA or a KEM: HB_ED25519, HB_MLDSA65
 * and every hb_kem_alg are HB_UNSUPPORTED. */
#include <stdlib.h>
#include <string.h>

#include <mbedtls/aes.h>
#include <mbedtls/bignum.h>
#include <mbedtls/chachapoly.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecdh.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/gcm.h>
#include <mbedtls/md.h>
#include <mbedtls/rsa.h>
#include <mbedtls/sha256.h>
#include <mbedtls/sha512.h>
#include <mbedtls/version.h>

#if MBEDTLS_VERSION_NUMBER >= 0x03000000
#define MB3 1
#include <psa/crypto.h>
#else
#define MB3 0
#endif

#include "hb/backend.h"

#define MBED_KEX_SECRET_LEN 32 /* X25519 output, P-256 x-coordinate */

struct hb_md {
  mbedtls_md_context_t md;
  int hmac;
};

struct hb_aead {
  hb_aead_alg alg;
  int streaming;   /* the context is in the middle of an aead_stream */
  union {
    mbedtls_gcm_context gcm;
    mbedtls_chachapoly_context cp;
  } u;
};

struct hb_cbc {
  mbedtls_aes_context aes;
  int mode; /* MBEDTLS_AES_ENCRYPT or MBEDTLS_AES_DECRYPT */
};

struct hb_pkey {
  hb_sig_alg alg;
  int is_rsa;
  union {
    mbedtls_rsa_context rsa;
    mbedtls_ecdsa_context ec;
  } u;
};

struct hb_kex {
  hb_kex_alg alg;
  mbedtls_ecp_group grp;
  mbedtls_mpi d; /* our private scalar */
  mbedtls_mpi z; /* shared secret, kept to reuse its limbs */
};

struct hb_kex_peer {
  hb_kex_alg alg;
  mbedtls_ecp_group grp;
  mbedtls_ecp_point Q;
};

/* The process's random generator; set up once by mbed_global_init. */
static mbedtls_entropy_context mbed_entropy;
static mbedtls_ctr_drbg_context mbed_drbg;
static int mbed_rng_ready;

/* Fills err with our words and mbedTLS's text for ret; returns status. */
static int mbed_fail(hb_err *err, int status, int ret, const char *what)
{
  char text[160];

  mbedtls_strerror(ret, text, sizeof(text));
  hb_err_set(err, status, "%s", what);
  hb_err_append(err, "mbedTLS: %s (-0x%04X)", text, (unsigned)-ret);
  return status;
}

static const char *mbed_version(void)
{
  static char buf[32];

  if(!buf[0])
    mbedtls_version_get_string_full(buf);
  return buf;
}

static int mbed_global_init(hb_err *err)
{
  static const unsigned char pers[] = "httpsbench";
  int ret;

  if(mbed_rng_ready)
    return HB_OK;
#if MB3
  {
    psa_status_t st = psa_crypto_init();

    if(st != PSA_SUCCESS)
      return hb_err_set(err, HB_ERROR, "psa_crypto_init failed (PSA "
                        "status %d)", (int)st);
  }
#endif
  mbedtls_entropy_init(&mbed_entropy);
  mbedtls_ctr_drbg_init(&mbed_drbg);
  ret = mbedtls_ctr_drbg_seed(&mbed_drbg, mbedtls_entropy_func,
                              &mbed_entropy, pers, sizeof(pers) - 1);
  if(ret) {
    mbedtls_ctr_drbg_free(&mbed_drbg);
    mbedtls_entropy_free(&mbed_entropy);
    return mbed_fail(err, HB_ERROR, ret, "seeding the CTR_DRBG failed");
  }
  mbed_rng_ready = 1;
  return HB_OK;
}

/* ---- digests and HMAC ---- */

static int mbed_md_new(hb_md_alg alg, const uint8_t *key, size_t keylen,
                       hb_md **out, hb_err *err)
{
  mbedtls_md_type_t type;
  const mbedtls_md_info_t *info;
  hb_md *ctx = NULL;
  int ret, rc = HB_ERROR;

  *out = NULL;
  switch(alg) {
  case HB_MD5: type = MBEDTLS_MD_MD5; break;
  case HB_SHA1: type = MBEDTLS_MD_SHA1; break;
  case HB_SHA256: type = MBEDTLS_MD_SHA256; break;
  case HB_SHA384: type = MBEDTLS_MD_SHA384; break;
  case HB_HMAC_SHA256: type = MBEDTLS_MD_SHA256; break;
  default:
    return hb_err_set(err, HB_ERROR, "unknown digest %d", (int)alg);
  }
  info = mbedtls_md_info_from_type(type);
  if(!info)
    return hb_err_set(err, HB_UNSUPPORTED,
                      "this mbedTLS build lacks %s", hb_md_name(alg));
  ctx = calloc(1, sizeof(*ctx));
  if(!ctx)
    return hb_err_set(err, HB_ERROR, "out of memory");
  mbedtls_md_init(&ctx->md);
  ctx->hmac = alg == HB_HMAC_SHA256;
  ret = mbedtls_md_setup(&ctx->md, info, ctx->hmac);
  if(ret) {
    mbed_fail(err, HB_ERROR, ret, "mbedtls_md_setup failed");
    goto out;
  }
  if(ctx->hmac) {
    ret = mbedtls_md_hmac_starts(&ctx->md, key, keylen);
    if(ret) {
      mbed_fail(err, HB_ERROR, ret, "setting the HMAC key failed");
      goto out;
    }
  }
  *out = ctx;
  ctx = NULL;
  rc = HB_OK;
out:
  if(ctx) {
    mbedtls_md_free(&ctx->md);
    free(ctx);
  }
  return rc;
}

static int mbed_md_oneshot(hb_md *ctx, const uint8_t *in, size_t len,
                           uint8_t *out, hb_err *err)
{
  int ret;

  if(ctx->hmac) {
    ret = mbedtls_md_hmac_reset(&ctx->md);
    if(!ret)
      ret = mbedtls_md_hmac_update(&ctx->md, in, len);
    if(!ret)
      ret = mbedtls_md_hmac_finish(&ctx->md, out);
  }
  else {
    ret = mbedtls_md_starts(&ctx->md);
    if(!ret)
      ret = mbedtls_md_update(&ctx->md, in, len);
    if(!ret)
      ret = mbedtls_md_finish(&ctx->md, out);
  }
  if(ret)
    return mbed_fail(err, HB_ERROR, ret, "digest failed");
  return HB_OK;
}

static void mbed_md_free(hb_md *ctx)
{
  if(!ctx)
    return;
  mbedtls_md_free(&ctx->md);
  free(ctx);
}

/* ---- AEAD ---- */

static void mbed_aead_free(hb_aead *ctx)
{
  if(!ctx)
    return;
  if(ctx->alg == HB_CHACHA20_POLY1305)
    mbedtls_chachapoly_free(&ctx->u.cp);
  else
    mbedtls_gcm_free(&ctx->u.gcm);
  free(ctx);
}

/* The key of a context, new or live (GCM's setkey sets up its cipher
 * context again, as mbedTLS's TLS layer pays per key). */
static int mbed_aead_rekey(hb_aead *ctx, const uint8_t *key, hb_err *err)
{
  int ret;

  ctx->streaming = 0;
  if(ctx->alg == HB_CHACHA20_POLY1305)
    ret = mbedtls_chachapoly_setkey(&ctx->u.cp, key);
  else
    ret = mbedtls_gcm_setkey(&ctx->u.gcm, MBEDTLS_CIPHER_ID_AES, key,
                             ctx->alg == HB_AES128_GCM ? 128 : 256);
  if(ret)
    return mbed_fail(err, HB_ERROR, ret, "setting the AEAD key failed");
  return HB_OK;
}

static int mbed_aead_new(hb_aead_alg alg, const uint8_t *key, hb_aead **out,
                         hb_err *err)
{
  hb_aead *ctx;
  int rc = HB_ERROR;

  *out = NULL;
  if((int)alg < 0 || (int)alg >= HB_AEAD_COUNT)
    return hb_err_set(err, HB_ERROR, "unknown AEAD %d", (int)alg);
  ctx = calloc(1, sizeof(*ctx));
  if(!ctx)
    return hb_err_set(err, HB_ERROR, "out of memory");
  ctx->alg = alg;
  if(alg == HB_CHACHA20_POLY1305)
    mbedtls_chachapoly_init(&ctx->u.cp);
  else
    mbedtls_gcm_init(&ctx->u.gcm);
  if(mbed_aead_rekey(ctx, key, err) != HB_OK)
    goto out;
  *out = ctx;
  ctx = NULL;
  rc = HB_OK;
out:
  mbed_aead_free(ctx);
  return rc;
}

static int mbed_aead_seal(hb_aead *ctx, const uint8_t *nonce,
                          const uint8_t *ad, size_t adlen, const uint8_t *in,
                          size_t len, uint8_t *out, hb_err *err)
{
  int ret;

  ctx->streaming = 0;
  if(ctx->alg == HB_CHACHA20_POLY1305)
    ret = mbedtls_chachapoly_encrypt_and_tag(&ctx->u.cp, len, nonce, ad,
                                             adlen, in, out, out + len);
  else
    ret = mbedtls_gcm_crypt_and_tag(&ctx->u.gcm, MBEDTLS_GCM_ENCRYPT, len,
                                    nonce, HB_AEAD_NONCE_LEN, ad, adlen, in,
                                    out, HB_AEAD_TAG_LEN, out + len);
  if(ret)
    return mbed_fail(err, HB_ERROR, ret, "AEAD seal failed");
  return HB_OK;
}

static int mbed_aead_open(hb_aead *ctx, const uint8_t *nonce,
                          const uint8_t *ad, size_t adlen, const uint8_t *in,
                          size_t len, uint8_t *out, hb_err *err)
{
  size_t n;
  int ret;

  ctx->streaming = 0;
  if(len < HB_AEAD_TAG_LEN)
    return hb_err_set(err, HB_EVERIFY, "AEAD input shorter than the tag");
  n = len - HB_AEAD_TAG_LEN;
  if(ctx->alg == HB_CHACHA20_POLY1305) {
    ret = mbedtls_chachapoly_auth_decrypt(&ctx->u.cp, n, nonce, ad, adlen,
                                          in + n, in, out);
    if(ret == MBEDTLS_ERR_CHACHAPOLY_AUTH_FAILED)
      return mbed_fail(err, HB_EVERIFY, ret, "AEAD tag did not verify");
  }
  else {
    ret = mbedtls_gcm_auth_decrypt(&ctx->u.gcm, n, nonce, HB_AEAD_NONCE_LEN,
                                   ad, adlen, in + n, HB_AEAD_TAG_LEN, in,
                                   out);
    if(ret == MBEDTLS_ERR_GCM_AUTH_FAILED)
      return mbed_fail(err, HB_EVERIFY, ret, "AEAD tag did not verify");
  }
  if(ret)
    return mbed_fail(err, HB_ERROR, ret, "AEAD open failed");
  return HB_OK;
}

/* One long message: starts, then updates of the same context. */
static int mbed_aead_stream(hb_aead *ctx, const uint8_t *in, size_t len,
                            uint8_t *out, hb_err *err)
{
  static const uint8_t zero[HB_AEAD_NONCE_LEN];
  int ret = 0;

  if(!ctx->streaming) {
    if(ctx->alg == HB_CHACHA20_POLY1305)
      ret = mbedtls_chachapoly_starts(&ctx->u.cp, zero,
                                      MBEDTLS_CHACHAPOLY_ENCRYPT);
    else
  #if MB3
      ret = mbedtls_gcm_starts(&ctx->u.gcm, MBEDTLS_GCM_ENCRYPT, zero,
                               sizeof(zero));
#else
      ret = mbedtls_gcm_starts(&ctx->u.gcm, MBEDTLS_GCM_ENCRYPT, zero,
                               sizeof(zero), NULL, 0);
#endif
    if(ret)
      return mbed_fail(err, HB_ERROR, ret, "starting a message failed");
    ctx->streaming = 1;
  }
  if(ctx->alg == HB_CHACHA20_POLY1305)
    ret = mbedtls_chachapoly_update(&ctx->u.cp, len, in, out);
  else {
#if MB3
    size_t n = 0;

    /* every call but a message's last is a multiple of 64 bytes: the
     * output is exactly the input (3.x's rule for output_size = len) */
    ret = mbedtls_gcm_update(&ctx->u.gcm, in, len, out, len, &n);
#else
    ret = mbedtls_gcm_update(&ctx->u.gcm, len, in, out);
#endif
  }
  if(ret)
    return mbed_fail(err, HB_ERROR, ret, "AEAD update failed");
  return HB_OK;
}

/* ---- AES-128-CBC ---- */

static void mbed_cbc_free(hb_cbc *ctx)
{
  if(!ctx)
    return;
  mbedtls_aes_free(&ctx->aes);
  free(ctx);
}

static int mbed_cbc_new(const uint8_t *key16, int encrypt, hb_cbc **out,
                        hb_err *err)
{
  hb_cbc *ctx;
  int ret, rc = HB_ERROR;

  *out = NULL;
  ctx = calloc(1, sizeof(*ctx));
  if(!ctx)
    return hb_err_set(err, HB_ERROR, "out of memory");
  mbedtls_aes_init(&ctx->aes);
  ctx->mode = encrypt ? MBEDTLS_AES_ENCRYPT : MBEDTLS_AES_DECRYPT;
  if(encrypt)
    ret = mbedtls_aes_setkey_enc(&ctx->aes, key16, 128);
  else
    ret = mbedtls_aes_setkey_dec(&ctx->aes, key16, 128);
  if(ret) {
    mbed_fail(err, HB_ERROR, ret, "setting the AES key failed");
    goto out;
  }
  *out = ctx;
  ctx = NULL;
  rc = HB_OK;
out:
  mbed_cbc_free(ctx);
  return rc;
}

static int mbed_cbc_crypt(hb_cbc *ctx, const uint8_t *iv16,
                          const uint8_t *in, size_t len, uint8_t *out,
                          hb_err *err)
{
  unsigned char iv[16]; /* mbedTLS advances the IV in place */
  int ret;

  memcpy(iv, iv16, sizeof(iv));
  ret = mbedtls_aes_crypt_cbc(&ctx->aes, ctx->mode, len, iv, in, out);
  if(ret)
    return mbed_fail(err, HB_ERROR, ret, "AES-128-CBC failed");
  return HB_OK;
}

/* ---- signatures and RSA key transport ---- */

static void mbed_pkey_free(hb_pkey *key)
{
  if(!key)
    return;
  if(key->is_rsa)
    mbedtls_rsa_free(&key->u.rsa);
  else
    mbedtls_ecdsa_free(&key->u.ec);
  free(key);
}

static int mbed_sig_keygen(hb_sig_alg alg, hb_pkey **out, hb_err *err)
{
  hb_pkey *key = NULL;
  unsigned int bits = 0;
  mbedtls_ecp_group_id gid = MBEDTLS_ECP_DP_NONE;
  int ret, rc = HB_ERROR;

  *out = NULL;
  switch(alg) {
  case HB_RSA2048: bits = 2048; break;
  case HB_RSA3072: bits = 3072; break;
  case HB_RSA4096: bits = 4096; break;
  case HB_ECDSA_P256: gid = MBEDTLS_ECP_DP_SECP256R1; break;
  case HB_ECDSA_P384: gid = MBEDTLS_ECP_DP_SECP384R1; break;
  case HB_ED25519:
    return hb_err_set(err, HB_UNSUPPORTED, "%s: %s has no EdDSA",
                      hb_sig_name(alg), mbed_version());
  case HB_MLDSA65:
    return hb_err_set(err, HB_UNSUPPORTED, "%s: %s has no ML-DSA",
                      hb_sig_name(alg), mbed_version());
  default:
    return hb_err_set(err, HB_ERROR, "unknown signature %d", (int)alg);
  }
  if(mbed_global_init(err))
    return HB_ERROR;
  key = calloc(1, sizeof(*key));
  if(!key)
    return hb_err_set(err, HB_ERROR, "out of memory");
  key->alg = alg;
  key->is_rsa = bits != 0;
  if(key->is_rsa) {
#if MB3
    mbedtls_rsa_init(&key->u.rsa); /* PKCS#1 v1.5 by default */
#else
    mbedtls_rsa_init(&key->u.rsa, MBEDTLS_RSA_PKCS_V15, 0);
#endif
    ret = mbedtls_rsa_gen_key(&key->u.rsa, mbedtls_ctr_drbg_random,
                              &mbed_drbg, bits, 65537);
  }
  else {
    mbedtls_ecdsa_init(&key->u.ec);
    ret = mbedtls_ecdsa_genkey(&key->u.ec, gid, mbedtls_ctr_drbg_random,
                               &mbed_drbg);
  }
  if(ret) {
    mbed_fail(err, HB_ERROR, ret, "key generation failed");
    goto out;
  }
  *out = key;
  key = NULL;
  rc = HB_OK;
out:
  mbed_pkey_free(key);
  return rc;
}

/* Hashes msg as the key's algorithm says; returns the digest length. */
static size_t mbed_sig_hash(const hb_pkey *key, const uint8_t *msg,
                            size_t len, unsigned char *hash,
                            mbedtls_md_type_t *type, int *ret)
{
  if(key->alg == HB_ECDSA_P384) {
    *type = MBEDTLS_MD_SHA384;
#if MB3
    *ret = mbedtls_sha512(msg, len, hash, 1);
#else
    *ret = mbedtls_sha512_ret(msg, len, hash, 1);
#endif
    return 48;
  }
  *type = MBEDTLS_MD_SHA256;
#if MB3
  *ret = mbedtls_sha256(msg, len, hash, 0);
#else
  *ret = mbedtls_sha256_ret(msg, len, hash, 0);
#endif
  return 32;
}

static int mbed_sign(hb_pkey *key, const uint8_t *msg, size_t len,
                     uint8_t *sig, size_t *siglen, hb_err *err)
{
  unsigned char hash[64], der[MBEDTLS_ECDSA_MAX_LEN];
  mbedtls_md_type_t type;
  size_t hlen, n;
  int ret;

  hlen = mbed_sig_hash(key, msg, len, hash, &type, &ret);
  if(ret)
    return mbed_fail(err, HB_ERROR, ret, "hashing the message failed");
  if(key->is_rsa) {
    n = mbedtls_rsa_get_len(&key->u.rsa);
    if(*siglen < n)
      return hb_err_set(err, HB_ERROR, "signature buffer too small "
                        "(%zu < %zu)", *siglen, n);
#if MB3
    ret = mbedtls_rsa_pkcs1_sign(&key->u.rsa, mbedtls_ctr_drbg_random,
                                 &mbed_drbg, type, (unsigned int)hlen, hash,
                                 sig);
#else
    ret = mbedtls_rsa_pkcs1_sign(&key->u.rsa, mbedtls_ctr_drbg_random,
                                 &mbed_drbg, MBEDTLS_RSA_PRIVATE, type,
                                 (unsigned int)hlen, hash, sig);
#endif
    if(ret)
      return mbed_fail(err, HB_ERROR, ret, "RSA signing failed");
    *siglen = n;
    return HB_OK;
  }
  /* write_signature takes no capacity: sign into a buffer big enough for
   * any curve, then copy out */
#if MB3
  ret = mbedtls_ecdsa_write_signature(&key->u.ec, type, hash, hlen, der,
                                      sizeof(der), &n,
                                      mbedtls_ctr_drbg_random, &mbed_drbg);
#else
  ret = mbedtls_ecdsa_write_signature(&key->u.ec, type, hash, hlen, der, &n,
                                      mbedtls_ctr_drbg_random, &mbed_drbg);
#endif
  if(ret)
    return mbed_fail(err, HB_ERROR, ret, "ECDSA signing failed");
  if(*siglen < n)
    return hb_err_set(err, HB_ERROR, "signature buffer too small "
                      "(%zu < %zu)", *siglen, n);
  memcpy(sig, der, n);
  *siglen = n;
  return HB_OK;
}

/* Whether a verify error means "the signature is bad" rather than a
 * failure of the library. High-level codes carry a low-level one added
 * (e.g. ECP_BAD_INPUT_DATA + an ASN.1 code for malformed DER). */
static int mbed_is_bad_sig(int ret)
{
  int high = -((-ret) & 0xFF80);

  return ret == MBEDTLS_ERR_RSA_VERIFY_FAILED ||
         ret == MBEDTLS_ERR_RSA_INVALID_PADDING ||
         ret == (MBEDTLS_ERR_RSA_PUBLIC_FAILED +
                 MBEDTLS_ERR_MPI_BAD_INPUT_DATA) ||
         high == MBEDTLS_ERR_ECP_VERIFY_FAILED ||
         high == MBEDTLS_ERR_ECP_SIG_LEN_MISMATCH ||
         high == MBEDTLS_ERR_ECP_BAD_INPUT_DATA;
}

static int mbed_verify(hb_pkey *key, const uint8_t *msg, size_t len,
                       const uint8_t *sig, size_t siglen, hb_err *err)
{
  unsigned char hash[64];
  mbedtls_md_type_t type;
  size_t hlen;
  int ret;

  hlen = mbed_sig_hash(key, msg, len, hash, &type, &ret);
  if(ret)
    return mbed_fail(err, HB_ERROR, ret, "hashing the message failed");
  if(key->is_rsa) {
    if(siglen != mbedtls_rsa_get_len(&key->u.rsa))
      return hb_err_set(err, HB_EVERIFY, "RSA signature has length %zu, "
                        "not the modulus length", siglen);
#if MB3
    ret = mbedtls_rsa_pkcs1_verify(&key->u.rsa, type, (unsigned int)hlen,
                                   hash, sig);
#else
    ret = mbedtls_rsa_pkcs1_verify(&key->u.rsa, NULL, NULL,
                                   MBEDTLS_RSA_PUBLIC, type,
                                   (unsigned int)hlen, hash, sig);
#endif
  }
  else
    ret = mbedtls_ecdsa_read_signature(&key->u.ec, hash, hlen, sig, siglen);
  if(!ret)
    return HB_OK;
  if(mbed_is_bad_sig(ret))
    return mbed_fail(err, HB_EVERIFY, ret, "signature did not verify");
  return mbed_fail(err, HB_ERROR, ret, "signature verification failed");
}

static int mbed_rsa_encrypt(hb_pkey *key, const uint8_t *in, size_t len,
                            uint8_t *out, size_t *outlen, hb_err *err)
{
  size_t n;
  int ret;

  if(!key->is_rsa)
    return hb_err_set(err, HB_UNSUPPORTED, "%s key cannot do RSA "
                      "encryption", hb_sig_name(key->alg));
  n = mbedtls_rsa_get_len(&key->u.rsa);
  if(*outlen < n)
    return hb_err_set(err, HB_ERROR, "RSA output buffer too small "
                      "(%zu < %zu)", *outlen, n);
#if MB3
  ret = mbedtls_rsa_pkcs1_encrypt(&key->u.rsa, mbedtls_ctr_drbg_random,
                                  &mbed_drbg, len, in, out);
#else
  ret = mbedtls_rsa_pkcs1_encrypt(&key->u.rsa, mbedtls_ctr_drbg_random,
                                  &mbed_drbg, MBEDTLS_RSA_PUBLIC, len, in,
                                  out);
#endif
  if(ret)
    return mbed_fail(err, HB_ERROR, ret, "RSA encryption failed");
  *outlen = n;
  return HB_OK;
}

static int mbed_rsa_decrypt(hb_pkey *key, const uint8_t *in, size_t len,
                            uint8_t *out, size_t *outlen, hb_err *err)
{
  size_t n;
  int ret;

  if(!key->is_rsa)
    return hb_err_set(err, HB_UNSUPPORTED, "%s key cannot do RSA "
                      "decryption", hb_sig_name(key->alg));
  if(len != mbedtls_rsa_get_len(&key->u.rsa))
    return hb_err_set(err, HB_ERROR, "RSA ciphertext has length %zu, "
                      "not the modulus length", len);
#if MB3
  ret = mbedtls_rsa_pkcs1_decrypt(&key->u.rsa, mbedtls_ctr_drbg_random,
                                  &mbed_drbg, &n, in, out, *outlen);
#else
  ret = mbedtls_rsa_pkcs1_decrypt(&key->u.rsa, mbedtls_ctr_drbg_random,
                                  &mbed_drbg, MBEDTLS_RSA_PRIVATE, &n, in,
                                  out, *outlen);
#endif
  if(ret)
    return mbed_fail(err, HB_ERROR, ret, "RSA decryption failed");
  *outlen = n;
  return HB_OK;
}

/* ---- ephemeral key agreement ---- */

static int mbed_kex_group(hb_kex_alg alg, mbedtls_ecp_group *grp,
                          hb_err *err)
{
  mbedtls_ecp_group_id gid;
  int ret;

  switch(alg) {
  case HB_X25519: gid = MBEDTLS_ECP_DP_CURVE25519; break;
  case HB_ECDH_P256: gid = MBEDTLS_ECP_DP_SECP256R1; break;
  default:
    return hb_err_set(err, HB_ERROR, "unknown key exchange %d", (int)alg);
  }
  ret = mbedtls_ecp_group_load(grp, gid);
  if(ret)
    return mbed_fail(err, HB_ERROR, ret, "loading the curve failed");
  return HB_OK;
}

static void mbed_kex_free(hb_kex *ctx)
{
  if(!ctx)
    return;
  mbedtls_ecp_group_free(&ctx->grp);
  mbedtls_mpi_free(&ctx->d);
  mbedtls_mpi_free(&ctx->z);
  free(ctx);
}

static int mbed_kex_keygen(hb_kex_alg alg, hb_kex **out, uint8_t *pub,
                           size_t *publen, hb_err *err)
{
  hb_kex *ctx = NULL;
  mbedtls_ecp_point Q;
  size_t n;
  int ret, rc = HB_ERROR;

  *out = NULL;
  mbedtls_ecp_point_init(&Q);
  if(mbed_global_init(err))
    goto out;
  ctx = calloc(1, sizeof(*ctx));
  if(!ctx) {
    hb_err_set(err, HB_ERROR, "out of memory");
    goto out;
  }
  ctx->alg = alg;
  mbedtls_ecp_group_init(&ctx->grp);
  mbedtls_mpi_init(&ctx->d);
  mbedtls_mpi_init(&ctx->z);
  if(mbed_kex_group(alg, &ctx->grp, err))
    goto out;
  ret = mbedtls_ecp_gen_keypair(&ctx->grp, &ctx->d, &Q,
                                mbedtls_ctr_drbg_random, &mbed_drbg);
  if(ret) {
    mbed_fail(err, HB_ERROR, ret, "key pair generation failed");
    goto out;
  }
  /* X25519 writes the raw 32-byte u-coordinate; P-256 04 || X || Y */
  ret = mbedtls_ecp_point_write_binary(&ctx->grp, &Q,
                                       MBEDTLS_ECP_PF_UNCOMPRESSED, &n, pub,
                                       *publen);
  if(ret) {
    mbed_fail(err, HB_ERROR, ret, "writing the public value failed");
    goto out;
  }
  *publen = n;
  *out = ctx;
  ctx = NULL;
  rc = HB_OK;
out:
  mbedtls_ecp_point_free(&Q);
  mbed_kex_free(ctx);
  return rc;
}

static void mbed_kex_peer_free(hb_kex_peer *peer)
{
  if(!peer)
    return;
  mbedtls_ecp_group_free(&peer->grp);
  mbedtls_ecp_point_free(&peer->Q);
  free(peer);
}

static int mbed_kex_peer(hb_kex_alg alg, const uint8_t *pub, size_t publen,
                         hb_kex_peer **out, hb_err *err)
{
  hb_kex_peer *peer;
  int ret, rc = HB_ERROR;

  *out = NULL;
  peer = calloc(1, sizeof(*peer));
  if(!peer)
    return hb_err_set(err, HB_ERROR, "out of memory");
  peer->alg = alg;
  mbedtls_ecp_group_init(&peer->grp);
  mbedtls_ecp_point_init(&peer->Q);
  if(mbed_kex_group(alg, &peer->grp, err))
    goto out;
  ret = mbedtls_ecp_point_read_binary(&peer->grp, &peer->Q, pub, publen);
  if(ret) {
    mbed_fail(err, HB_ERROR, ret, "parsing the peer's public value failed");
    goto out;
  }
  ret = mbedtls_ecp_check_pubkey(&peer->grp, &peer->Q);
  if(ret) {
    mbed_fail(err, HB_ERROR, ret, "the peer's public value is invalid");
    goto out;
  }
  *out = peer;
  peer = NULL;
  rc = HB_OK;
out:
  mbed_kex_peer_free(peer);
  return rc;
}

static int mbed_kex_derive(hb_kex *ctx, hb_kex_peer *peer, uint8_t *secret,
                           size_t *secretlen, hb_err *err)
{
  int ret;

  if(peer->alg != ctx->alg)
    return hb_err_set(err, HB_ERROR, "peer value is for %s, key for %s",
                      hb_kex_name(peer->alg), hb_kex_name(ctx->alg));
  if(*secretlen < MBED_KEX_SECRET_LEN)
    return hb_err_set(err, HB_ERROR, "secret buffer too small (%zu)",
                      *secretlen);
  ret = mbedtls_ecdh_compute_shared(&ctx->grp, &ctx->z, &peer->Q, &ctx->d,
                                    mbedtls_ctr_drbg_random, &mbed_drbg);
  if(ret)
    return mbed_fail(err, HB_ERROR, ret, "computing the shared secret "
                     "failed");
  /* RFC 7748 output is little-endian; ECDH's x-coordinate big-endian */
  if(ctx->alg == HB_X25519)
    ret = mbedtls_mpi_write_binary_le(&ctx->z, secret, MBED_KEX_SECRET_LEN);
  else
    ret = mbedtls_mpi_write_binary(&ctx->z, secret, MBED_KEX_SECRET_LEN);
  if(ret)
    return mbed_fail(err, HB_ERROR, ret, "writing the shared secret "
                     "failed");
  *secretlen = MBED_KEX_SECRET_LEN;
  return HB_OK;
}

/* ---- key encapsulation: none in mbedTLS ---- */

static int mbed_no_kem(hb_kem_alg alg, hb_err *err)
{
  if((unsigned)alg >= HB_KEM_COUNT)
    return hb_err_set(err, HB_ERROR, "unknown KEM %d", (int)alg);
  return hb_err_set(err, HB_UNSUPPORTED, "%s: %s has no %s",
                    hb_kem_name(alg), mbed_version(),
                    alg == HB_KYBER768 ? "round-3 Kyber" : "ML-KEM");
}

static int mbed_kem_keygen(hb_kem_alg alg, hb_kem **out, uint8_t *pub,
                           size_t *publen, hb_err *err)
{
  (void)pub;
  (void)publen;
  *out = NULL;
  return mbed_no_kem(alg, err);
}

static int mbed_kem_peer(hb_kem_alg alg, const uint8_t *pub, size_t publen,
                         hb_kem_peer **out, hb_err *err)
{
  (void)pub;
  (void)publen;
  *out = NULL;
  return mbed_no_kem(alg, err);
}

/* never reached: no key or peer is ever made */
static int mbed_kem_encaps(hb_kem_peer *p, uint8_t *ct, size_t *ctlen,
                           uint8_t *secret, size_t *secretlen, hb_err *err)
{
  (void)p, (void)ct, (void)ctlen, (void)secret, (void)secretlen;
  return hb_err_set(err, HB_ERROR, "mbedtls: no KEM");
}

static int mbed_kem_decaps(hb_kem *k, const uint8_t *ct, size_t ctlen,
                           uint8_t *secret, size_t *secretlen, hb_err *err)
{
  (void)k, (void)ct, (void)ctlen, (void)secret, (void)secretlen;
  return hb_err_set(err, HB_ERROR, "mbedtls: no KEM");
}

static void mbed_kem_free(hb_kem *k)
{
  (void)k;
}

static void mbed_kem_peer_free(hb_kem_peer *p)
{
  (void)p;
}

static const hb_crypto_ops mbed_crypto = {
  "mbedtls",
  mbed_version,
  mbed_global_init,
  mbed_md_new,
  mbed_md_oneshot,
  mbed_md_free,
  mbed_aead_new,
  mbed_aead_seal,
  mbed_aead_open,
  mbed_aead_free,
  mbed_cbc_new,
  mbed_cbc_crypt,
  mbed_cbc_free,
  mbed_sig_keygen,
  mbed_sign,
  mbed_verify,
  mbed_rsa_encrypt,
  mbed_rsa_decrypt,
  mbed_pkey_free,
  mbed_kex_keygen,
  mbed_kex_peer,
  mbed_kex_derive,
  mbed_kex_free,
  mbed_kex_peer_free,
  mbed_aead_stream,
  mbed_aead_rekey,
  mbed_kem_keygen,
  mbed_kem_peer,
  mbed_kem_encaps,
  mbed_kem_decaps,
  mbed_kem_free,
  mbed_kem_peer_free,
  NULL, NULL
};

extern const hb_tls_ops hb_mbedtls_tls; /* mbedtls_tls.c */

#ifndef HB_BACKEND_NAME
#define HB_BACKEND_NAME "mbedtls"
#endif
const hb_backend hb_linked_backend = { HB_BACKEND_NAME, "mbedTLS", &mbed_crypto,
                                       &hb_mbedtls_tls, HB_BACKEND_ORIGIN };
