/* The crypto table: one per TLS library, filled in lib/backends/<name>.c.
 *
 * Core code (timing harness, suite driver, tests) calls primitives only
 * through this table and never includes a TLS library header. A backend
 * that lacks a primitive returns HB_UNSUPPORTED from the constructor
 * (*_new / *_keygen) with the reason in err; it never leaves a pointer NULL.
 *
 * Object types are opaque: each backend defines the structs privately. */
#ifndef HB_CRYPTO_H
#define HB_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "hb/err.h"

typedef enum hb_md_alg {
  HB_MD5,
  HB_SHA1,
  HB_SHA256,
  HB_SHA384,
  HB_HMAC_SHA256, /* keyed: key of any length, 32 bytes in the suite */
  HB_MD_COUNT
} hb_md_alg;

typedef enum hb_aead_alg {
  HB_AES128_GCM,        /* key 16 */
  HB_AES256_GCM,        /* key 32 */
  HB_CHACHA20_POLY1305, /* key 32 */
  HB_AEAD_COUNT
} hb_aead_alg;

typedef enum hb_sig_alg {
  HB_RSA2048, /* PKCS#1 v1.5 with SHA-256; also RSA encrypt/decrypt */
  HB_RSA3072,
  HB_RSA4096,
  HB_ECDSA_P256, /* SHA-256, DER signature */
  HB_ECDSA_P384, /* SHA-384, DER signature */
  HB_ED25519,    /* pure Ed25519 */
  HB_MLDSA65,    /* FIPS 204 ML-DSA-65, pure (message in), hedged */
  HB_SIG_COUNT
} hb_sig_alg;

typedef enum hb_kex_alg {
  HB_X25519,    /* public value: 32 raw bytes */
  HB_ECDH_P256, /* public value: 65-byte uncompressed point */
  HB_KEX_COUNT
} hb_kex_alg;

/* Key encapsulation: the post-quantum half of a hybrid TLS key exchange
 * (X25519MLKEM768 sends an ML-KEM-768 public key, the server answers with
 * a ciphertext). Kyber-768 is the round-3 submission that the draft
 * X25519Kyber768 group used: a different algorithm from ML-KEM-768 (other
 * hashing of the shared secret), never reported under its name. */
typedef enum hb_kem_alg {
  HB_MLKEM512,  /* FIPS 203 */
  HB_MLKEM768,
  HB_MLKEM1024,
  HB_KYBER768,  /* round-3 Kyber768 (pre-standard) */
  HB_KEM_COUNT
} hb_kem_alg;

#define HB_AEAD_NONCE_LEN 12
#define HB_AEAD_TAG_LEN 16
#define HB_MD_MAX_LEN 64
#define HB_SIG_MAX_LEN 3309 /* ML-DSA-65; RSA-4096 is 512 */
#define HB_KEX_PUB_MAX_LEN 133
#define HB_KEX_SECRET_MAX_LEN 66
#define HB_KEM_PUB_MAX_LEN 1568 /* ML-KEM-1024 encapsulation key */
#define HB_KEM_CT_MAX_LEN 1568  /* ML-KEM-1024 ciphertext */
#define HB_KEM_SECRET_LEN 32    /* every KEM here */

typedef struct hb_md hb_md;     /* digest or HMAC context */
typedef struct hb_aead hb_aead; /* keyed AEAD context */
typedef struct hb_cbc hb_cbc;   /* keyed AES-128-CBC, no padding */
typedef struct hb_pkey hb_pkey; /* a generated key pair */
typedef struct hb_kex hb_kex;   /* one side's ephemeral key pair */
typedef struct hb_kex_peer hb_kex_peer; /* a parsed peer public value */
typedef struct hb_kem hb_kem;   /* a KEM key pair: decapsulates */
typedef struct hb_kem_peer hb_kem_peer; /* a parsed KEM public key */

typedef struct hb_crypto_ops {
  const char *name; /* short backend name, e.g. "openssl" */

  /* Runtime version string of the library (not the header's). */
  const char *(*version)(void);

  /* Called once per process before any other entry; may be a no-op. */
  int (*global_init)(hb_err *err);

  /* Digest / MAC. key is used only by HB_HMAC_SHA256. md_oneshot computes
   * the whole digest of in (reusing ctx, as a TLS stack would) into out,
   * which holds hb_md_size(alg) bytes. */
  int (*md_new)(hb_md_alg alg, const uint8_t *key, size_t keylen,
                hb_md **out, hb_err *err);
  int (*md_oneshot)(hb_md *ctx, const uint8_t *in, size_t len, uint8_t *out,
                    hb_err *err);
  void (*md_free)(hb_md *ctx);

  /* AEAD with a 12-byte nonce and a 16-byte tag appended to the
   * ciphertext. seal writes len + 16 bytes to out; open takes len
   * including the tag, writes len - 16 bytes, returns HB_EVERIFY on a bad
   * tag. The key is fixed at aead_new; nonce and ad change per call.
   * seal may work in place (out == in), as a TLS record layer does. */
  int (*aead_new)(hb_aead_alg alg, const uint8_t *key, hb_aead **out,
                  hb_err *err);
  int (*aead_seal)(hb_aead *ctx, const uint8_t *nonce, const uint8_t *ad,
                   size_t adlen, const uint8_t *in, size_t len, uint8_t *out,
                   hb_err *err);
  int (*aead_open)(hb_aead *ctx, const uint8_t *nonce, const uint8_t *ad,
                   size_t adlen, const uint8_t *in, size_t len, uint8_t *out,
                   hb_err *err);
  void (*aead_free)(hb_aead *ctx);

  /* Raw AES-128-CBC (len a multiple of 16, no padding), used by the core
   * to compose TLS 1.2's encrypt-then-MAC aes-128-cbc-hmac-sha256. */
  int (*cbc_new)(const uint8_t *key16, int encrypt, hb_cbc **out,
                 hb_err *err);
  int (*cbc_crypt)(hb_cbc *ctx, const uint8_t *iv16, const uint8_t *in,
                   size_t len, uint8_t *out, hb_err *err);
  void (*cbc_free)(hb_cbc *ctx);

  /* Signatures. sign hashes msg as hb_sig_alg says and signs; *siglen is
   * the capacity of sig on entry and the length written on return.
   * verify returns HB_OK, or HB_EVERIFY for a signature that does not
   * verify. Keys are generated fresh (RSA e = 65537). */
  int (*sig_keygen)(hb_sig_alg alg, hb_pkey **out, hb_err *err);
  int (*sign)(hb_pkey *key, const uint8_t *msg, size_t len, uint8_t *sig,
              size_t *siglen, hb_err *err);
  int (*verify)(hb_pkey *key, const uint8_t *msg, size_t len,
                const uint8_t *sig, size_t siglen, hb_err *err);
  /* RSA PKCS#1 v1.5 encryption with the public key and decryption with
   * the private key: TLS 1.2's RSA key transport of a 48-byte pre-master
   * secret. HB_UNSUPPORTED for non-RSA keys. *outlen: capacity in, length
   * out. */
  int (*rsa_encrypt)(hb_pkey *key, const uint8_t *in, size_t len,
                     uint8_t *out, size_t *outlen, hb_err *err);
  int (*rsa_decrypt)(hb_pkey *key, const uint8_t *in, size_t len,
                     uint8_t *out, size_t *outlen, hb_err *err);
  void (*pkey_free)(hb_pkey *key);

  /* Ephemeral key agreement, in the three steps a handshake takes:
   * kex_keygen makes a key pair and writes its public value to pub
   * (*publen: capacity in, length out); kex_peer parses and validates the
   * peer's public value; kex_derive computes the shared secret (*secretlen
   * likewise). The suite times derive alone (the scalar multiplication,
   * as the libraries' own speed tools do) and keygen + peer + derive as
   * one full exchange. */
  int (*kex_keygen)(hb_kex_alg alg, hb_kex **out, uint8_t *pub,
                    size_t *publen, hb_err *err);
  int (*kex_peer)(hb_kex_alg alg, const uint8_t *pub, size_t publen,
                  hb_kex_peer **out, hb_err *err);
  int (*kex_derive)(hb_kex *ctx, hb_kex_peer *peer, uint8_t *secret,
                    size_t *secretlen, hb_err *err);
  void (*kex_free)(hb_kex *ctx);
  void (*kex_peer_free)(hb_kex_peer *peer);

  /* Optional (NULL: the library cannot; HB_UNSUPPORTED: not for this
   * algorithm, err says why). Encrypts len more bytes of one long message
   * under an all-zero nonce: no per-record nonce, AD or tag, so the
   * cipher's raw speed, which is what `openssl speed -evp
   * chacha20-poly1305` times; set beside seal it shows what each record's
   * set-up costs. A seal or open ends the message; the next call starts a
   * new one. len: a multiple of 64 but for the last call of a message. */
  int (*aead_stream)(hb_aead *ctx, const uint8_t *in, size_t len,
                     uint8_t *out, hb_err *err);

  /* Optional (NULL: not offered). Installs a new key of the same
   * algorithm in an existing context, as a TLS stack does for each new
   * traffic key (TLS 1.3: handshake and application keys, KeyUpdate):
   * the key schedule and, for GCM, the GHASH tables. seal and open use
   * it from then on; the cost timed is one direction's. `openssl speed
   * -evp aes-128-gcm` pays it for every record. */
  int (*aead_rekey)(hb_aead *ctx, const uint8_t *key, hb_err *err);

  /* Key encapsulation, in the steps of a hybrid TLS 1.3 handshake: the
   * client's kem_keygen makes a key pair and writes its encoded public
   * key to pub (*publen: capacity in, length out); the server's kem_peer
   * parses and checks that key and kem_encaps writes a ciphertext and the
   * HB_KEM_SECRET_LEN-byte shared secret (*ctlen, *secretlen likewise);
   * the client's kem_decaps recovers the secret. A ciphertext that was
   * changed still decapsulates, to another secret (implicit rejection):
   * HB_OK, not HB_EVERIFY. A library or build without alg returns
   * HB_UNSUPPORTED from kem_keygen and kem_peer, saying why. The suite
   * times keygen, encaps and decaps alone (as `openssl speed` does) and
   * kem_peer + kem_encaps as the server's share of one exchange. */
  int (*kem_keygen)(hb_kem_alg alg, hb_kem **out, uint8_t *pub,
                    size_t *publen, hb_err *err);
  int (*kem_peer)(hb_kem_alg alg, const uint8_t *pub, size_t publen,
                  hb_kem_peer **out, hb_err *err);
  int (*kem_encaps)(hb_kem_peer *peer, uint8_t *ct, size_t *ctlen,
                    uint8_t *secret, size_t *secretlen, hb_err *err);
  int (*kem_decaps)(hb_kem *key, const uint8_t *ct, size_t ctlen,
                    uint8_t *secret, size_t *secretlen, hb_err *err);
  void (*kem_free)(hb_kem *key);
  void (*kem_peer_free)(hb_kem_peer *peer);

  /* Known answers (FIPS 203 vectors), never timed: kem_keygen_seed makes
   * the key pair of the 64-byte seed d || z, as kem_keygen does
   * otherwise; kem_encaps_m encapsulates with the 32-byte message m
   * instead of fresh randomness. NULL where the library has no such
   * entry (all but OpenSSL 3.5 here); HB_UNSUPPORTED for an alg without
   * one. */
  int (*kem_keygen_seed)(hb_kem_alg alg, const uint8_t *seed,
                         size_t seedlen, hb_kem **out, uint8_t *pub,
                         size_t *publen, hb_err *err);
  int (*kem_encaps_m)(hb_kem_peer *peer, const uint8_t *m, size_t mlen,
                      uint8_t *ct, size_t *ctlen, uint8_t *secret,
                      size_t *secretlen, hb_err *err);
} hb_crypto_ops;

/* Names and sizes; lib/core/crypto_names.c. */
const char *hb_md_name(hb_md_alg alg);     /* "sha256", "hmac-sha256" */
size_t hb_md_size(hb_md_alg alg);
const char *hb_aead_name(hb_aead_alg alg); /* "aes-128-gcm" */
size_t hb_aead_key_size(hb_aead_alg alg);
const char *hb_sig_name(hb_sig_alg alg);   /* "rsa-2048", "ecdsa-p256" */
int hb_sig_is_rsa(hb_sig_alg alg);
const char *hb_kex_name(hb_kex_alg alg);   /* "x25519", "ecdh-p256" */
const char *hb_kem_name(hb_kem_alg alg);   /* "ml-kem-768", "kyber-768" */
size_t hb_kem_pub_size(hb_kem_alg alg);    /* encoded public key */
size_t hb_kem_ct_size(hb_kem_alg alg);     /* ciphertext */

/* The buffer checks of a backend's KEM entries, each HB_OK or HB_ERROR
 * with the message: room for alg's public key (keygen), a public key of
 * its size (peer), room for its ciphertext and secret (encaps), a
 * ciphertext of its size and room for the secret (decaps). */
int hb_kem_check_keygen(hb_kem_alg alg, size_t publen, hb_err *err);
int hb_kem_check_peer(hb_kem_alg alg, size_t publen, hb_err *err);
int hb_kem_check_encaps(hb_kem_alg alg, size_t ctlen, size_t secretlen,
                        hb_err *err);
int hb_kem_check_decaps(hb_kem_alg alg, size_t ctlen, size_t secretlen,
                        hb_err *err);

#endif
