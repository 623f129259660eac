/* wolfSSL backend: the crypto table over the native wolfCrypt API.
 *
 * All setup (AES key schedules and GHASH tables, the ChaCha20 key, HMAC
 * pads, key pairs, per-key hash contexts) happens in the constructors; the
 * per-call functions only set a nonce or IV, hash, and run the primitive,
 * as wolfSSL's own record layer and handshake do. One WC_RNG serves the
 * whole process; wolfCrypt's RNG is not thread-safe, so the table is meant
 * for one thread at a time, as an engine uses it.
 *
 * Post-quantum primitives follow the build's options.h: wolfSSL's own
 * Kyber (WOLFSSL_WC_KYBER, experimental) is round-3 Kyber unless built
 * with WOLFSSL_ML_KEM, so 5.7's --enable-kyber gives kyber-768, never
 * ml-kem-768. Its ML-DSA (dilithium) is not driven here. */
#include <wolfssl/options.h>

#include <wolfssl/ssl.h>
#include <wolfssl/wolfcrypt/aes.h>
#include <wolfssl/wolfcrypt/asn_public.h>
#include <wolfssl/wolfcrypt/chacha.h>
#include <wolfssl/wolfcrypt/chacha20_poly1305.h>
#include <wolfssl/wolfcrypt/curve25519.h>
#include <wolfssl/wolfcrypt/ecc.h>
#include <wolfssl/wolfcrypt/ed25519.h>
#include <wolfssl/wolfcrypt/error-crypt.h>
#include <wolfssl/wolfcrypt/hash.h>
#include <wolfssl/wolfcrypt/hmac.h>
#include <wolfssl/wolfcrypt/poly1305.h>
#include <wolfssl/wolfcrypt/random.h>
#include <wolfssl/wolfcrypt/rsa.h>
#include <wolfssl/wolfcrypt/wc_port.h>
#if defined(WOLFSSL_HAVE_KYBER) && defined(WOLFSSL_WC_KYBER)
#include <wolfssl/wolfcrypt/kyber.h>
#include <wolfssl/wolfcrypt/wc_kyber.h>
#if !defined(WOLFSSL_ML_KEM) && defined(WOLFSSL_KYBER768)
#define WOLF_KYBER 1 /* round-3 Kyber768 through wc_KyberKey_* */
#endif
#endif

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hb/backend.h"

#if !defined(HAVE_AESGCM) || !defined(HAVE_CHACHA) || \
    !defined(HAVE_POLY1305) || !defined(HAVE_ECC) || \
    !defined(HAVE_CURVE25519) || !defined(HAVE_ED25519) || \
    !defined(WOLFSSL_KEY_GEN) || !defined(WOLFSSL_SHA384)
#error "this wolfSSL build lacks a primitive the backend needs"
#endif

/* The process-wide RNG: key generation, RSA blinding, ECDSA nonces. */
static WC_RNG wolf_rng;
static int wolf_rng_ready;

/* Fills err with our words, then wolfCrypt's text for code. */
static int __attribute__((format(printf, 4, 5)))
wolf_fail(hb_err *err, int status, int code, const char *fmt, ...)
{
  char what[256];
  va_list ap;

  va_start(ap, fmt);
  vsnprintf(what, sizeof(what), fmt, ap);
  va_end(ap);
  hb_err_set(err, status, "%s", what);
  hb_err_append(err, "wolfCrypt: %s (%d)", wc_GetErrorString(code), code);
  return status;
}

/* wolfCrypt takes 32-bit lengths. */
static word32 wolf_len32(size_t len)
{
  return len > UINT32_MAX ? UINT32_MAX : (word32)len;
}

static const char *wolf_version(void)
{
  return wolfSSL_lib_version();
}

static void wolf_cleanup(void)
{
  /* frees the RNG's DRBG and wolfCrypt's fixed-point ECC cache */
  wc_FreeRng(&wolf_rng);
  wolfCrypt_Cleanup();
}

static int wolf_global_init(hb_err *err)
{
  int rc;

  if(wolf_rng_ready)
    return HB_OK;
  rc = wolfCrypt_Init();
  if(rc)
    return wolf_fail(err, HB_ERROR, rc, "wolfCrypt_Init failed");
  rc = wc_InitRng(&wolf_rng);
  if(rc) {
    wolfCrypt_Cleanup();
    return wolf_fail(err, HB_ERROR, rc, "wc_InitRng failed");
  }
  wolf_rng_ready = 1;
  if(atexit(wolf_cleanup))
    return wolf_fail(err, HB_ERROR, MEMORY_E, "atexit failed");
  return HB_OK;
}

/* ---- digests and HMAC ---- */

static const enum wc_HashType wolf_md_type[HB_MD_COUNT] = {
  WC_HASH_TYPE_MD5, WC_HASH_TYPE_SHA, WC_HASH_TYPE_SHA256,
  WC_HASH_TYPE_SHA384, WC_HASH_TYPE_SHA256
};

struct hb_md {
  hb_md_alg alg;
  int ready; /* u needs its Free */
  union {
    wc_HashAlg hash;
    Hmac hmac;
  } u;
};

static void wolf_md_free(hb_md *ctx)
{
  if(!ctx)
    return;
  if(ctx->ready && ctx->alg == HB_HMAC_SHA256)
    wc_HmacFree(&ctx->u.hmac);
  else if(ctx->ready)
    wc_HashFree(&ctx->u.hash, wolf_md_type[ctx->alg]);
  free(ctx);
}

static int wolf_md_new(hb_md_alg alg, const uint8_t *key, size_t keylen,
                       hb_md **out, hb_err *err)
{
  hb_md *ctx;
  const char *what = "wc_HashInit";
  int rc;

  *out = NULL;
  ctx = calloc(1, sizeof(*ctx));
  if(!ctx)
    return wolf_fail(err, HB_ERROR, MEMORY_E, "%s: out of memory",
                     hb_md_name(alg));
  ctx->alg = alg;
  if(alg == HB_HMAC_SHA256) {
    what = "wc_HmacInit";
    rc = wc_HmacInit(&ctx->u.hmac, NULL, INVALID_DEVID);
    if(rc)
      goto out;
    ctx->ready = 1;
    /* the keyed pads are computed here, once, not per message */
    what = "wc_HmacSetKey";
    rc = wc_HmacSetKey(&ctx->u.hmac, WC_SHA256, key, wolf_len32(keylen));
  }
  else
    rc = wc_HashInit(&ctx->u.hash, wolf_md_type[alg]);
  if(rc)
    goto out;
  ctx->ready = 1;
  *out = ctx;
  return HB_OK;

out:
  wolf_md_free(ctx);
  return wolf_fail(err, HB_ERROR, rc, "%s: %s failed", hb_md_name(alg),
                   what);
}

/* Every wolfCrypt hash Final re-initialises its context, and wc_HmacFinal
 * leaves the keyed pads ready for the next message, so each call digests
 * just its own input with no separate re-init. */
static int wolf_md_oneshot(hb_md *ctx, const uint8_t *in, size_t len,
                           uint8_t *out, hb_err *err)
{
  enum wc_HashType type = wolf_md_type[ctx->alg];
  word32 n = (word32)len;
  int rc;

  if(len > UINT32_MAX)
    return wolf_fail(err, HB_ERROR, BUFFER_E, "%s: input too long",
                     hb_md_name(ctx->alg));
  if(ctx->alg == HB_HMAC_SHA256) {
    rc = wc_HmacUpdate(&ctx->u.hmac, in, n);
    if(!rc)
      rc = wc_HmacFinal(&ctx->u.hmac, out);
  }
  else {
    rc = wc_HashUpdate(&ctx->u.hash, type, in, n);
    if(!rc)
      rc = wc_HashFinal(&ctx->u.hash, type, out);
  }
  if(rc)
    return wolf_fail(err, HB_ERROR, rc, "%s: digest failed",
                     hb_md_name(ctx->alg));
  return HB_OK;
}

/* ---- AEAD ---- */

struct hb_aead {
  hb_aead_alg alg;
  int ready;       /* aes needs wc_AesFree */
  Aes aes;         /* AES-GCM: key schedule and GHASH table */
  ChaCha chacha;   /* ChaCha20: keyed once, nonce set per record */
  Poly1305 poly;   /* keyed per record from ChaCha20 block 0 */
  int streaming;   /* in the middle of an aead_stream message */
};

static void wolf_aead_free(hb_aead *ctx)
{
  if(!ctx)
    return;
  if(ctx->ready)
    wc_AesFree(&ctx->aes);
  memset(ctx, 0, sizeof(*ctx));
  free(ctx);
}

/* The key of a context, new or live. */
static int wolf_aead_rekey(hb_aead *ctx, const uint8_t *key, hb_err *err)
{
  int rc;

  ctx->streaming = 0;
  if(ctx->alg == HB_CHACHA20_POLY1305)
    rc = wc_Chacha_SetKey(&ctx->chacha, key, CHACHA_MAX_KEY_SZ);
  else
    rc = wc_AesGcmSetKey(&ctx->aes, key, (word32)hb_aead_key_size(ctx->alg));
  if(rc)
    return wolf_fail(err, HB_ERROR, rc, "%s: %s failed",
                     hb_aead_name(ctx->alg),
                     ctx->alg == HB_CHACHA20_POLY1305 ? "wc_Chacha_SetKey"
                     : "wc_AesGcmSetKey");
  return HB_OK;
}

static int wolf_aead_new(hb_aead_alg alg, const uint8_t *key,
                         hb_aead **out, hb_err *err)
{
  hb_aead *ctx;
  int rc;

  *out = NULL;
  ctx = calloc(1, sizeof(*ctx));
  if(!ctx)
    return wolf_fail(err, HB_ERROR, MEMORY_E, "%s: out of memory",
                     hb_aead_name(alg));
  ctx->alg = alg;
  if(alg != HB_CHACHA20_POLY1305) {
    rc = wc_AesInit(&ctx->aes, NULL, INVALID_DEVID);
    if(rc) {
      wolf_aead_free(ctx);
      return wolf_fail(err, HB_ERROR, rc, "%s: wc_AesInit failed",
                       hb_aead_name(alg));
    }
    ctx->ready = 1;
  }
  rc = wolf_aead_rekey(ctx, key, err);
  if(rc != HB_OK) {
    wolf_aead_free(ctx);
    return rc;
  }
  *out = ctx;
  return HB_OK;
}

/* RFC 8439 per record, as wolfSSL's TLS layer does it: block 0 of the
 * keystream keys Poly1305, encryption starts at block 1. */
static int wolf_chacha_start(hb_aead *ctx, const uint8_t *nonce)
{
  uint8_t block[CHACHA_CHUNK_BYTES] = { 0 };
  int rc;

  rc = wc_Chacha_SetIV(&ctx->chacha, nonce, 0);
  if(!rc)
    rc = wc_Chacha_Process(&ctx->chacha, block, block, sizeof(block));
  if(!rc)
    rc = wc_Poly1305SetKey(&ctx->poly, block, CHACHA_MAX_KEY_SZ);
  if(!rc)
    rc = wc_Chacha_SetIV(&ctx->chacha, nonce, 1);
  return rc;
}

static int wolf_aead_seal(hb_aead *ctx, const uint8_t *nonce,
                          const uint8_t *ad, size_t adlen,
                          const uint8_t *in, size_t len, uint8_t *out,
                          hb_err *err)
{
  word32 n = (word32)len;
  int rc;

  ctx->streaming = 0;
  if(len > UINT32_MAX - HB_AEAD_TAG_LEN || adlen > UINT32_MAX)
    return wolf_fail(err, HB_ERROR, BUFFER_E, "%s seal: input too long",
                     hb_aead_name(ctx->alg));
  if(ctx->alg == HB_CHACHA20_POLY1305) {
    rc = wolf_chacha_start(ctx, nonce);
    if(!rc && n)
      rc = wc_Chacha_Process(&ctx->chacha, out, in, n);
    if(!rc)
      rc = wc_Poly1305_MAC(&ctx->poly, ad, (word32)adlen, out, n,
                           out + len, HB_AEAD_TAG_LEN);
  }
  else
    rc = wc_AesGcmEncrypt(&ctx->aes, out, in, n, nonce, HB_AEAD_NONCE_LEN,
                          out + len, HB_AEAD_TAG_LEN, ad, (word32)adlen);
  if(rc)
    return wolf_fail(err, HB_ERROR, rc, "%s seal failed",
                     hb_aead_name(ctx->alg));
  return HB_OK;
}

static int wolf_aead_open(hb_aead *ctx, const uint8_t *nonce,
                          const uint8_t *ad, size_t adlen,
                          const uint8_t *in, size_t len, uint8_t *out,
                          hb_err *err)
{
  uint8_t tag[HB_AEAD_TAG_LEN];
  word32 n;
  int rc;

  ctx->streaming = 0;
  if(len < HB_AEAD_TAG_LEN)
    return wolf_fail(err, HB_EVERIFY, BUFFER_E,
                     "%s open: input shorter than the tag",
                     hb_aead_name(ctx->alg));
  if(len > UINT32_MAX || adlen > UINT32_MAX)
    return wolf_fail(err, HB_ERROR, BUFFER_E, "%s open: input too long",
                     hb_aead_name(ctx->alg));
  n = (word32)(len - HB_AEAD_TAG_LEN);
  if(ctx->alg == HB_CHACHA20_POLY1305) {
    rc = wolf_chacha_start(ctx, nonce);
    if(!rc)
      rc = wc_Poly1305_MAC(&ctx->poly, ad, (word32)adlen, in, n, tag,
                           sizeof(tag));
    if(!rc)
      rc = wc_ChaCha20Poly1305_CheckTag(in + n, tag);
    if(!rc && n)
      rc = wc_Chacha_Process(&ctx->chacha, out, in, n);
  }
  else
    rc = wc_AesGcmDecrypt(&ctx->aes, out, in, n, nonce, HB_AEAD_NONCE_LEN,
                          in + n, HB_AEAD_TAG_LEN, ad, (word32)adlen);
  if(rc == MAC_CMP_FAILED_E || rc == AES_GCM_AUTH_E)
    return wolf_fail(err, HB_EVERIFY, rc, "%s open: bad tag",
                     hb_aead_name(ctx->alg));
  if(rc)
    return wolf_fail(err, HB_ERROR, rc, "%s open failed",
                     hb_aead_name(ctx->alg));
  return HB_OK;
}

/* One long message: ChaCha20 and Poly1305 carried on from one call to
 * the next (wolfSSL's ChaChaPoly_Aead does the same), or AES-GCM's
 * streaming interface (WOLFSSL_AESGCM_STREAM, built by Debian). */
static int wolf_aead_stream(hb_aead *ctx, const uint8_t *in, size_t len,
                            uint8_t *out, hb_err *err)
{
  static const uint8_t zero[HB_AEAD_NONCE_LEN];
  int rc = 0;

  if(len > UINT32_MAX)
    return wolf_fail(err, HB_ERROR, BUFFER_E, "%s: input too long",
                     hb_aead_name(ctx->alg));
  if(!ctx->streaming) {
    if(ctx->alg == HB_CHACHA20_POLY1305)
      rc = wolf_chacha_start(ctx, zero);
    else
      rc = wc_AesGcmEncryptInit(&ctx->aes, NULL, 0, zero, sizeof(zero));
    if(rc)
      return wolf_fail(err, HB_ERROR, rc, "%s: starting a message failed",
                       hb_aead_name(ctx->alg));
    ctx->streaming = 1;
  }
  if(ctx->alg == HB_CHACHA20_POLY1305) {
    rc = len ? wc_Chacha_Process(&ctx->chacha, out, in, (word32)len) : 0;
    if(!rc)
      rc = wc_Poly1305Update(&ctx->poly, out, (word32)len);
  }
  else
    rc = wc_AesGcmEncryptUpdate(&ctx->aes, out, in, (word32)len, NULL, 0);
  if(rc)
    return wolf_fail(err, HB_ERROR, rc, "%s: stream update failed",
                     hb_aead_name(ctx->alg));
  return HB_OK;
}

/* ---- AES-128-CBC ---- */

struct hb_cbc {
  Aes aes;
  int encrypt;
  int ready;
};

static void wolf_cbc_free(hb_cbc *ctx)
{
  if(!ctx)
    return;
  if(ctx->ready)
    wc_AesFree(&ctx->aes);
  memset(ctx, 0, sizeof(*ctx));
  free(ctx);
}

static int wolf_cbc_new(const uint8_t *key16, int encrypt, hb_cbc **out,
                        hb_err *err)
{
  hb_cbc *ctx;
  const char *what = "wc_AesInit";
  int rc;

  *out = NULL;
  ctx = calloc(1, sizeof(*ctx));
  if(!ctx)
    return wolf_fail(err, HB_ERROR, MEMORY_E, "aes-128-cbc: out of memory");
  ctx->encrypt = encrypt;
  rc = wc_AesInit(&ctx->aes, NULL, INVALID_DEVID);
  if(rc)
    goto out;
  ctx->ready = 1;
  what = "wc_AesSetKey";
  rc = wc_AesSetKey(&ctx->aes, key16, AES_128_KEY_SIZE, NULL,
                    encrypt ? AES_ENCRYPTION : AES_DECRYPTION);
  if(rc)
    goto out;
  *out = ctx;
  return HB_OK;

out:
  wolf_cbc_free(ctx);
  return wolf_fail(err, HB_ERROR, rc, "aes-128-cbc: %s failed", what);
}

static int wolf_cbc_crypt(hb_cbc *ctx, const uint8_t *iv16,
                          const uint8_t *in, size_t len, uint8_t *out,
                          hb_err *err)
{
  int rc;

  if(len > UINT32_MAX)
    return wolf_fail(err, HB_ERROR, BUFFER_E, "aes-128-cbc: input too long");
  rc = wc_AesSetIV(&ctx->aes, iv16);
  if(!rc && ctx->encrypt)
    rc = wc_AesCbcEncrypt(&ctx->aes, out, in, (word32)len);
  else if(!rc)
    rc = wc_AesCbcDecrypt(&ctx->aes, out, in, (word32)len);
  if(rc)
    return wolf_fail(err, HB_ERROR, rc, "aes-128-cbc %s of %zu bytes failed",
                     ctx->encrypt ? "encryption" : "decryption", len);
  return HB_OK;
}

/* ---- signatures and RSA key transport ---- */

struct hb_pkey {
  hb_sig_alg alg;
  int key_ready;   /* k needs its Free */
  int hash_ready;  /* h needs its Free */
  enum wc_HashType htype; /* SHA-384 for P-384, else SHA-256 */
  word32 hlen;
  int hash_oid;    /* RSA: DigestInfo OID of SHA-256 */
  word32 sig_len;  /* RSA: modulus bytes */
  wc_HashAlg h;    /* per-key message hash, reused per call */
  union {
    RsaKey rsa;
    ecc_key ecc;
    ed25519_key ed;
  } k;
};

static void wolf_pkey_free(hb_pkey *key)
{
  if(!key)
    return;
  if(key->hash_ready)
    wc_HashFree(&key->h, key->htype);
  if(key->key_ready && hb_sig_is_rsa(key->alg))
    wc_FreeRsaKey(&key->k.rsa);
  else if(key->key_ready && key->alg == HB_ED25519)
    wc_ed25519_free(&key->k.ed);
  else if(key->key_ready)
    wc_ecc_free(&key->k.ecc);
  free(key);
}

/* Makes the key pair of key->alg; on failure *what names the call. */
static int wolf_pkey_make(hb_pkey *key, const char **what)
{
  static const int rsa_bits[] = { 2048, 3072, 4096 };
  int rc;

  if(hb_sig_is_rsa(key->alg)) {
    *what = "wc_InitRsaKey";
    rc = wc_InitRsaKey(&key->k.rsa, NULL);
    if(rc)
      return rc;
    key->key_ready = 1;
    *what = "wc_MakeRsaKey";
    rc = wc_MakeRsaKey(&key->k.rsa, rsa_bits[key->alg - HB_RSA2048],
                       WC_RSA_EXPONENT, &wolf_rng);
    if(rc)
      return rc;
    /* private operations are blinded, which needs an RNG on the key */
    *what = "wc_RsaSetRNG";
    rc = wc_RsaSetRNG(&key->k.rsa, &wolf_rng);
    if(rc)
      return rc;
    *what = "wc_RsaEncryptSize";
    rc = wc_RsaEncryptSize(&key->k.rsa);
    if(rc <= 0)
      return rc ? rc : BAD_FUNC_ARG;
    key->sig_len = (word32)rc;
    key->hash_oid = wc_GetCTC_HashOID(WC_SHA256);
    return 0;
  }
  if(key->alg == HB_ED25519) {
    *what = "wc_ed25519_init";
    rc = wc_ed25519_init(&key->k.ed);
    if(rc)
      return rc;
    key->key_ready = 1;
    *what = "wc_ed25519_make_key";
    return wc_ed25519_make_key(&wolf_rng, ED25519_KEY_SIZE, &key->k.ed);
  }
  *what = "wc_ecc_init";
  rc = wc_ecc_init(&key->k.ecc);
  if(rc)
    return rc;
  key->key_ready = 1;
  *what = "wc_ecc_make_key_ex";
  if(key->alg == HB_ECDSA_P384)
    return wc_ecc_make_key_ex(&wolf_rng, 48, &key->k.ecc, ECC_SECP384R1);
  return wc_ecc_make_key_ex(&wolf_rng, 32, &key->k.ecc, ECC_SECP256R1);
}

static int wolf_sig_keygen(hb_sig_alg alg, hb_pkey **out, hb_err *err)
{
  hb_pkey *key;
  const char *what = "hash init";
  int rc = 0;

  *out = NULL;
  key = calloc(1, sizeof(*key));
  if(!key)
    return wolf_fail(err, HB_ERROR, MEMORY_E, "%s: out of memory",
                     hb_sig_name(alg));
  key->alg = alg;
  if(alg == HB_MLDSA65) {
    free(key);
#ifdef HAVE_DILITHIUM
    return hb_err_set(err, HB_UNSUPPORTED, "%s: this backend does not "
                      "drive wolfSSL %s's dilithium (ML-DSA) yet",
                      hb_sig_name(alg), wolfSSL_lib_version());
#else
    return hb_err_set(err, HB_UNSUPPORTED, "%s: wolfSSL %s was built "
                      "without ML-DSA (--enable-dilithium, experimental)",
                      hb_sig_name(alg), wolfSSL_lib_version());
#endif
  }
  if(alg != HB_ED25519) { /* Ed25519 hashes inside the signature */
    key->htype = alg == HB_ECDSA_P384 ? WC_HASH_TYPE_SHA384 :
                 WC_HASH_TYPE_SHA256;
    key->hlen = (word32)wc_HashGetDigestSize(key->htype);
    rc = wc_HashInit(&key->h, key->htype);
    if(rc)
      goto out;
    key->hash_ready = 1;
  }
  rc = wolf_pkey_make(key, &what);
  if(rc)
    goto out;
  *out = key;
  return HB_OK;

out:
  wolf_pkey_free(key);
  return wolf_fail(err, HB_ERROR, rc, "%s key generation: %s failed",
                   hb_sig_name(alg), what);
}

/* Hashes msg with the key's reused context (Final resets it). */
static int wolf_pkey_hash(hb_pkey *key, const uint8_t *msg, size_t len,
                          uint8_t *md)
{
  int rc;

  if(len > UINT32_MAX)
    return BUFFER_E;
  rc = wc_HashUpdate(&key->h, key->htype, msg, (word32)len);
  if(!rc)
    rc = wc_HashFinal(&key->h, key->htype, md);
  return rc;
}

static int wolf_sign(hb_pkey *key, const uint8_t *msg, size_t len,
                     uint8_t *sig, size_t *siglen, hb_err *err)
{
  uint8_t md[WC_SHA384_DIGEST_SIZE], info[WC_SHA384_DIGEST_SIZE + 32];
  word32 infolen, sl = wolf_len32(*siglen);
  const char *what = "hashing";
  int rc;

  if(key->alg == HB_ED25519) {
    what = "wc_ed25519_sign_msg";
    rc = len > UINT32_MAX ? BUFFER_E :
         wc_ed25519_sign_msg(msg, (word32)len, sig, &sl, &key->k.ed);
    goto out;
  }
  rc = wolf_pkey_hash(key, msg, len, md);
  if(rc)
    goto out;
  if(hb_sig_is_rsa(key->alg)) {
    /* PKCS#1 v1.5: sign the DER DigestInfo, as a TLS stack does */
    infolen = wc_EncodeSignature(info, md, key->hlen, key->hash_oid);
    what = "wc_RsaSSL_Sign";
    rc = wc_RsaSSL_Sign(info, infolen, sig, sl, &key->k.rsa, &wolf_rng);
    if(rc > 0) {
      sl = (word32)rc;
      rc = 0;
    }
    else if(!rc)
      rc = RSA_BUFFER_E;
  }
  else {
    what = "wc_ecc_sign_hash";
    rc = wc_ecc_sign_hash(md, key->hlen, sig, &sl, &wolf_rng,
                          &key->k.ecc);
  }

out:
  if(rc)
    return wolf_fail(err, HB_ERROR, rc, "%s sign: %s failed",
                     hb_sig_name(key->alg), what);
  *siglen = sl;
  return HB_OK;
}

/* Codes by which verification says "this signature is malformed or
 * wrong", as opposed to a failure of the library itself. */
static int wolf_bad_sig(hb_sig_alg alg, int rc)
{
  if(rc == SIG_VERIFY_E)
    return 1;
  if(alg == HB_ED25519) /* wrong length, or S not below the group order */
    return rc == BAD_FUNC_ARG;
  if(hb_sig_is_rsa(alg))
    return rc == RSA_PAD_E || rc == BAD_PADDING_E || rc == RSA_BUFFER_E ||
           rc == RSA_OUT_OF_RANGE_E;
  /* ECDSA: DER that does not parse, r or s zero or not below n */
  return (rc <= ASN_PARSE_E && rc >= ASN_NO_PEM_HEADER) ||
         rc == ASN_ECC_KEY_E || rc == MP_VAL || rc == MP_ZERO_E ||
         rc == ECC_OUT_OF_RANGE_E || rc == BUFFER_E;
}

static int wolf_verify(hb_pkey *key, const uint8_t *msg, size_t len,
                       const uint8_t *sig, size_t siglen, hb_err *err)
{
  uint8_t md[WC_SHA384_DIGEST_SIZE], info[WC_SHA384_DIGEST_SIZE + 32];
  uint8_t buf[HB_SIG_MAX_LEN], *dec = NULL;
  word32 infolen, sl = wolf_len32(siglen);
  const char *what;
  int rc, ok = 0;

  if(key->alg == HB_ED25519) {
    what = "wc_ed25519_verify_msg";
    rc = len > UINT32_MAX ? BUFFER_E :
         wc_ed25519_verify_msg(sig, sl, msg, (word32)len, &ok, &key->k.ed);
    goto out;
  }
  rc = wolf_pkey_hash(key, msg, len, md);
  if(rc)
    return wolf_fail(err, HB_ERROR, rc, "%s verify: hashing failed",
                     hb_sig_name(key->alg));
  if(hb_sig_is_rsa(key->alg)) {
    what = "wc_RsaSSL_VerifyInline";
    if(siglen != key->sig_len || siglen > sizeof(buf)) {
      rc = RSA_BUFFER_E;
      goto out;
    }
    /* the inline form works in our buffer: no allocation per call */
    memcpy(buf, sig, siglen);
    rc = wc_RsaSSL_VerifyInline(buf, sl, &dec, &key->k.rsa);
    if(rc < 0)
      goto out;
    infolen = wc_EncodeSignature(info, md, key->hlen, key->hash_oid);
    ok = (word32)rc == infolen && !memcmp(dec, info, infolen);
    rc = 0;
  }
  else {
    what = "wc_ecc_verify_hash";
    rc = wc_ecc_verify_hash(sig, sl, md, key->hlen, &ok, &key->k.ecc);
  }

out:
  if(rc && !wolf_bad_sig(key->alg, rc))
    return wolf_fail(err, HB_ERROR, rc, "%s verify: %s failed",
                     hb_sig_name(key->alg), what);
  if(rc || !ok)
    return wolf_fail(err, HB_EVERIFY, rc ? rc : SIG_VERIFY_E,
                     "%s signature does not verify", hb_sig_name(key->alg));
  return HB_OK;
}

static int wolf_rsa_encrypt(hb_pkey *key, const uint8_t *in, size_t len,
                            uint8_t *out, size_t *outlen, hb_err *err)
{
  int rc;

  if(!hb_sig_is_rsa(key->alg))
    return wolf_fail(err, HB_UNSUPPORTED, BAD_FUNC_ARG,
                     "RSA encryption needs an RSA key, not %s",
                     hb_sig_name(key->alg));
  rc = wc_RsaPublicEncrypt(in, wolf_len32(len), out, wolf_len32(*outlen),
                           &key->k.rsa, &wolf_rng);
  if(rc <= 0)
    return wolf_fail(err, HB_ERROR, rc ? rc : RSA_BUFFER_E,
                     "%s: wc_RsaPublicEncrypt failed",
                     hb_sig_name(key->alg));
  *outlen = (size_t)rc;
  return HB_OK;
}

static int wolf_rsa_decrypt(hb_pkey *key, const uint8_t *in, size_t len,
                            uint8_t *out, size_t *outlen, hb_err *err)
{
  uint8_t buf[HB_SIG_MAX_LEN], *dec = NULL;
  int rc;

  if(!hb_sig_is_rsa(key->alg))
    return wolf_fail(err, HB_UNSUPPORTED, BAD_FUNC_ARG,
                     "RSA decryption needs an RSA key, not %s",
                     hb_sig_name(key->alg));
  if(len > sizeof(buf))
    return wolf_fail(err, HB_ERROR, RSA_BUFFER_E,
                     "%s: ciphertext of %zu bytes is too long",
                     hb_sig_name(key->alg), len);
  /* decrypt in place in our buffer: no allocation per call */
  memcpy(buf, in, len);
  rc = wc_RsaPrivateDecryptInline(buf, (word32)len, &dec, &key->k.rsa);
  if(rc >= 0 && (size_t)rc > *outlen)
    rc = RSA_BUFFER_E;
  if(rc < 0)
    return wolf_fail(err, HB_ERROR, rc,
                     "%s: wc_RsaPrivateDecryptInline failed",
                     hb_sig_name(key->alg));
  memcpy(out, dec, (size_t)rc);
  *outlen = (size_t)rc;
  return HB_OK;
}

/* ---- ephemeral key agreement ---- */

typedef union wolf_kex_key {
  curve25519_key x25519;
  ecc_key p256;
} wolf_kex_key;

/* Either side of an exchange, first in hb_kex and hb_kex_peer: alg's
 * key, ready once initialised (then freed with it). */
typedef struct wolf_kex_side {
  hb_kex_alg alg;
  int ready;
  wolf_kex_key k;
} wolf_kex_side;

struct hb_kex {
  wolf_kex_side s;
};

struct hb_kex_peer {
  wolf_kex_side s;
};

/* Frees the side (allocated by wolf_kex_side_new) with its key. */
static void wolf_kex_side_free(wolf_kex_side *s)
{
  if(!s)
    return;
  if(s->ready && s->alg == HB_X25519)
    wc_curve25519_free(&s->k.x25519);
  else if(s->ready)
    wc_ecc_free(&s->k.p256);
  free(s);
}

/* A side of size bytes (sizeof an hb_kex or hb_kex_peer, which begin
 * with it) for alg, its key initialised; NULL with err set, the failure
 * named after the step ("key generation", ...). */
static wolf_kex_side *wolf_kex_side_new(hb_kex_alg alg, size_t size,
                                        const char *step, hb_err *err)
{
  wolf_kex_side *s = calloc(1, size);
  int rc;

  if(!s) {
    wolf_fail(err, HB_ERROR, MEMORY_E, "%s: out of memory",
              hb_kex_name(alg));
    return NULL;
  }
  s->alg = alg;
  rc = alg == HB_X25519 ? wc_curve25519_init(&s->k.x25519) :
       wc_ecc_init(&s->k.p256);
  if(rc) {
    free(s);
    wolf_fail(err, HB_ERROR, rc, "%s %s: key init failed", hb_kex_name(alg),
              step);
    return NULL;
  }
  s->ready = 1;
  return s;
}

static void wolf_kex_free(hb_kex *ctx)
{
  wolf_kex_side_free(ctx ? &ctx->s : NULL);
}

static void wolf_kex_peer_free(hb_kex_peer *peer)
{
  wolf_kex_side_free(peer ? &peer->s : NULL);
}

static int wolf_kex_keygen(hb_kex_alg alg, hb_kex **out, uint8_t *pub,
                           size_t *publen, hb_err *err)
{
  hb_kex *ctx;
  wolf_kex_key *k;
  word32 pl = wolf_len32(*publen);
  const char *what;
  int rc;

  *out = NULL;
  ctx = (hb_kex *)wolf_kex_side_new(alg, sizeof(*ctx), "key generation",
                                    err);
  if(!ctx)
    return HB_ERROR;
  k = &ctx->s.k;
  if(alg == HB_X25519) {
    what = "wc_curve25519_make_key";
    rc = wc_curve25519_make_key(&wolf_rng, CURVE25519_KEYSIZE,
                                &k->x25519);
    if(rc)
      goto out;
    /* RFC 7748 byte order, as on the wire */
    what = "wc_curve25519_export_public_ex";
    rc = wc_curve25519_export_public_ex(&k->x25519, pub, &pl,
                                        EC25519_LITTLE_ENDIAN);
    if(rc)
      goto out;
  }
  else {
    /* the timing-resistant shared secret needs an RNG on the key */
    what = "wc_ecc_set_rng";
    rc = wc_ecc_set_rng(&k->p256, &wolf_rng);
    if(rc)
      goto out;
    what = "wc_ecc_make_key_ex";
    rc = wc_ecc_make_key_ex(&wolf_rng, 32, &k->p256, ECC_SECP256R1);
    if(rc)
      goto out;
    what = "wc_ecc_export_x963";
    rc = wc_ecc_export_x963(&k->p256, pub, &pl);
    if(rc)
      goto out;
  }
  *publen = pl;
  *out = ctx;
  return HB_OK;

out:
  wolf_kex_free(ctx);
  return wolf_fail(err, HB_ERROR, rc, "%s key generation: %s failed",
                   hb_kex_name(alg), what);
}

static int wolf_kex_peer(hb_kex_alg alg, const uint8_t *pub, size_t publen,
                         hb_kex_peer **out, hb_err *err)
{
  hb_kex_peer *peer;
  wolf_kex_key *k;
  word32 pl = wolf_len32(publen);
  const char *what;
  int rc;

  *out = NULL;
  peer = (hb_kex_peer *)wolf_kex_side_new(alg, sizeof(*peer),
                                          "peer public value rejected", err);
  if(!peer)
    return HB_ERROR;
  k = &peer->s.k;
  if(alg == HB_X25519) {
    what = "wc_curve25519_check_public";
    rc = wc_curve25519_check_public(pub, pl, EC25519_LITTLE_ENDIAN);
    if(rc)
      goto out;
    what = "wc_curve25519_import_public_ex";
    rc = wc_curve25519_import_public_ex(pub, pl, &k->x25519,
                                        EC25519_LITTLE_ENDIAN);
    if(rc)
      goto out;
  }
  else {
    what = "wc_ecc_import_x963_ex";
    rc = wc_ecc_import_x963_ex(pub, pl, &k->p256, ECC_SECP256R1);
    if(rc)
      goto out;
    /* the on-curve check TLS stacks do on a key share (the full
     * wc_ecc_check_key adds an order check costing a scalar mult) */
    what = "wc_ecc_point_is_on_curve";
    rc = wc_ecc_point_is_on_curve(&k->p256.pubkey, k->p256.idx);
    if(rc)
      goto out;
  }
  *out = peer;
  return HB_OK;

out:
  wolf_kex_peer_free(peer);
  return wolf_fail(err, HB_ERROR, rc, "%s peer public value rejected: "
                   "%s failed", hb_kex_name(alg), what);
}

static int wolf_kex_derive(hb_kex *ctx, hb_kex_peer *peer, uint8_t *secret,
                           size_t *secretlen, hb_err *err)
{
  word32 sl = wolf_len32(*secretlen);
  int rc;

  if(ctx->s.alg != peer->s.alg)
    return wolf_fail(err, HB_ERROR, BAD_FUNC_ARG,
                     "%s key with a %s peer", hb_kex_name(ctx->s.alg),
                     hb_kex_name(peer->s.alg));
  if(ctx->s.alg == HB_X25519)
    rc = wc_curve25519_shared_secret_ex(&ctx->s.k.x25519, &peer->s.k.x25519,
                                        secret, &sl, EC25519_LITTLE_ENDIAN);
  else
    rc = wc_ecc_shared_secret(&ctx->s.k.p256, &peer->s.k.p256, secret, &sl);
  if(rc)
    return wolf_fail(err, HB_ERROR, rc, "%s: shared secret failed",
                     hb_kex_name(ctx->s.alg));
  *secretlen = sl;
  return HB_OK;
}

/* ---- key encapsulation ---- */

struct hb_kem {
  hb_kem_alg alg;
#ifdef WOLF_KYBER
  KyberKey k;
#endif
};

struct hb_kem_peer {
  hb_kem_alg alg;
#ifdef WOLF_KYBER
  KyberKey k;
#endif
};

/* Whether this build has alg; if not, says why. */
static int wolf_kem_check(hb_kem_alg alg, hb_err *err)
{
  const char *name = hb_kem_name(alg), *v = wolfSSL_lib_version();

  if((unsigned)alg >= HB_KEM_COUNT)
    return hb_err_set(err, HB_ERROR, "unknown KEM %d", (int)alg);
#ifdef WOLF_KYBER
  if(alg == HB_KYBER768)
    return HB_OK;
  return hb_err_set(err, HB_UNSUPPORTED, "%s: wolfSSL %s was built with "
                    "round-3 Kyber, not ML-KEM (WOLFSSL_ML_KEM unset): "
                    "see kyber-768", name, v);
#elif defined(WOLFSSL_HAVE_KYBER)
  return hb_err_set(err, HB_UNSUPPORTED, "%s: this backend does not drive "
                    "this wolfSSL %s KEM build (liboqs or ML-KEM) yet",
                    name, v);
#else
  return hb_err_set(err, HB_UNSUPPORTED, "%s: wolfSSL %s was built "
                    "without post-quantum KEMs (--enable-kyber, "
                    "experimental)", name, v);
#endif
}

static void wolf_kem_free(hb_kem *k)
{
  if(!k)
    return;
#ifdef WOLF_KYBER
  wc_KyberKey_Free(&k->k);
#endif
  free(k);
}

static void wolf_kem_peer_free(hb_kem_peer *p)
{
  if(!p)
    return;
#ifdef WOLF_KYBER
  wc_KyberKey_Free(&p->k);
#endif
  free(p);
}

static int wolf_kem_keygen(hb_kem_alg alg, hb_kem **out, uint8_t *pub,
                           size_t *publen, hb_err *err)
{
  int rc = wolf_kem_check(alg, err);

  *out = NULL;
  if(rc != HB_OK)
    return rc;
#ifdef WOLF_KYBER
  {
    word32 pl = (word32)hb_kem_pub_size(alg);
    const char *what = "wc_KyberKey_Init";
    hb_kem *k;

    if(hb_kem_check_keygen(alg, *publen, err) != HB_OK)
      return HB_ERROR;
    k = calloc(1, sizeof(*k));
    if(!k)
      return wolf_fail(err, HB_ERROR, MEMORY_E, "%s: out of memory",
                       hb_kem_name(alg));
    k->alg = alg;
    rc = wc_KyberKey_Init(KYBER768, &k->k, NULL, INVALID_DEVID);
    if(!rc) {
      what = "wc_KyberKey_MakeKey";
      rc = wc_KyberKey_MakeKey(&k->k, &wolf_rng);
    }
    if(!rc) {
      what = "wc_KyberKey_EncodePublicKey";
      rc = wc_KyberKey_EncodePublicKey(&k->k, pub, pl);
    }
    if(rc) {
      wolf_kem_free(k);
      return wolf_fail(err, HB_ERROR, rc, "%s key generation: %s failed",
                       hb_kem_name(alg), what);
    }
    *publen = pl;
    *out = k;
  }
#else
  (void)pub;
  (void)publen;
#endif
  return HB_OK;
}

static int wolf_kem_peer(hb_kem_alg alg, const uint8_t *pub, size_t publen,
                         hb_kem_peer **out, hb_err *err)
{
  int rc = wolf_kem_check(alg, err);

  *out = NULL;
  if(rc != HB_OK)
    return rc;
#ifdef WOLF_KYBER
  {
    hb_kem_peer *p;

    if(hb_kem_check_peer(alg, publen, err) != HB_OK)
      return HB_ERROR;
    p = calloc(1, sizeof(*p));
    if(!p)
      return wolf_fail(err, HB_ERROR, MEMORY_E, "%s: out of memory",
                       hb_kem_name(alg));
    p->alg = alg;
    rc = wc_KyberKey_Init(KYBER768, &p->k, NULL, INVALID_DEVID);
    if(!rc)
      rc = wc_KyberKey_DecodePublicKey(&p->k, pub, (word32)publen);
    if(rc) {
      wolf_kem_peer_free(p);
      return wolf_fail(err, HB_ERROR, rc, "%s: public key rejected",
                       hb_kem_name(alg));
    }
    *out = p;
  }
#else
  (void)pub;
  (void)publen;
#endif
  return HB_OK;
}

static int wolf_kem_encaps(hb_kem_peer *p, uint8_t *ct, size_t *ctlen,
                           uint8_t *secret, size_t *secretlen, hb_err *err)
{
  const char *name = hb_kem_name(p->alg);
  int rc;

  if(hb_kem_check_encaps(p->alg, *ctlen, *secretlen, err) != HB_OK)
    return HB_ERROR;
#ifdef WOLF_KYBER
  rc = wc_KyberKey_Encapsulate(&p->k, ct, secret, &wolf_rng);
#else
  rc = NOT_COMPILED_IN;
#endif
  if(rc)
    return wolf_fail(err, HB_ERROR, rc, "%s: encapsulation failed", name);
  *ctlen = hb_kem_ct_size(p->alg);
  *secretlen = HB_KEM_SECRET_LEN;
  return HB_OK;
}

static int wolf_kem_decaps(hb_kem *k, const uint8_t *ct, size_t ctlen,
                           uint8_t *secret, size_t *secretlen, hb_err *err)
{
  const char *name = hb_kem_name(k->alg);
  int rc;

  if(hb_kem_check_decaps(k->alg, ctlen, *secretlen, err) != HB_OK)
    return HB_ERROR;
#ifdef WOLF_KYBER
  rc = wc_KyberKey_Decapsulate(&k->k, secret, ct, (word32)ctlen);
#else
  rc = NOT_COMPILED_IN;
#endif
  if(rc)
    return wolf_fail(err, HB_ERROR, rc, "%s: decapsulation failed", name);
  *secretlen = HB_KEM_SECRET_LEN;
  return HB_OK;
}

static const hb_crypto_ops wolf_crypto = {
  .name = "wolfssl",
  .version = wolf_version,
  .global_init = wolf_global_init,
  .md_new = wolf_md_new,
  .md_oneshot = wolf_md_oneshot,
  .md_free = wolf_md_free,
  .aead_new = wolf_aead_new,
  .aead_seal = wolf_aead_seal,
  .aead_open = wolf_aead_open,
  .aead_free = wolf_aead_free,
  .cbc_new = wolf_cbc_new,
  .cbc_crypt = wolf_cbc_crypt,
  .cbc_free = wolf_cbc_free,
  .sig_keygen = wolf_sig_keygen,
  .sign = wolf_sign,
  .verify = wolf_verify,
  .rsa_encrypt = wolf_rsa_encrypt,
  .rsa_decrypt = wolf_rsa_decrypt,
  .pkey_free = wolf_pkey_free,
  .kex_keygen = wolf_kex_keygen,
  .kex_peer = wolf_kex_peer,
  .kex_derive = wolf_kex_derive,
  .kex_free = wolf_kex_free,
  .kex_peer_free = wolf_kex_peer_free,
  .aead_stream = wolf_aead_stream,
  .aead_rekey = wolf_aead_rekey,
  .kem_keygen = wolf_kem_keygen,
  .kem_peer = wolf_kem_peer,
  .kem_encaps = wolf_kem_encaps,
  .kem_decaps = wolf_kem_decaps,
  .kem_free = wolf_kem_free,
  .kem_peer_free = wolf_kem_peer_free,
};

extern const hb_tls_ops hb_wolfssl_tls; /* wolfssl_tls.c */

#ifndef HB_BACKEND_NAME
#define HB_BACKEND_NAME "wolfssl"
#endif
const hb_backend hb_linked_backend = { HB_BACKEND_NAME, "wolfSSL", &wolf_crypto,
                                       &hb_wolfssl_tls, HB_BACKEND_ORIGIN };
