/* The crypto case list: which measurements exist (shared by the front
 * end, which lists and filters them, and the engines, which run them). */
#ifndef HB_CRYPTO_CASES_H
#define HB_CRYPTO_CASES_H

#include <stddef.h>

#include "hb/crypto.h"

typedef enum hb_case_kind {
  HB_CASE_MD,         /* digest or HMAC of `bytes` */
  HB_CASE_SEAL,       /* AEAD seal of `bytes` */
  HB_CASE_OPEN,       /* AEAD open of `bytes` (+ tag) */
  HB_CASE_STREAM,     /* `bytes` more of one long AEAD message: no
                         per-record nonce, AD or tag */
  HB_CASE_REKEY,      /* install a new AEAD key in a context */
  HB_CASE_CBC_SEAL,   /* TLS 1.2 encrypt-then-MAC: CBC then HMAC */
  HB_CASE_CBC_OPEN,   /* HMAC check then CBC decrypt */
  HB_CASE_SIGN,
  HB_CASE_VERIFY,
  HB_CASE_RSA_ENC,    /* public-key encryption of a pre-master secret */
  HB_CASE_RSA_DEC,
  HB_CASE_KEYGEN,     /* ephemeral key pair */
  HB_CASE_DERIVE,     /* shared secret from a parsed peer value */
  HB_CASE_EXCHANGE,   /* keygen + parse peer + derive: one side's cost */
  HB_CASE_KEM_KEYGEN, /* KEM key pair and encoded public key (client) */
  HB_CASE_ENCAPS,     /* encapsulate to a parsed public key */
  HB_CASE_DECAPS,     /* decapsulate a ciphertext (client) */
  HB_CASE_KEM_EXCHANGE /* parse the public key + encapsulate: the
                          server's share, as x25519/exchange is */
} hb_case_kind;

typedef struct hb_crypto_case {
  char name[80];         /* "aes-128-gcm/seal/16384" */
  hb_case_kind kind;
  int alg;               /* hb_md_alg, hb_aead_alg, hb_sig_alg, hb_kex_alg,
                            hb_kem_alg */
  const char *algorithm; /* "aes-128-gcm" */
  const char *operation; /* "seal" */
  size_t bytes;          /* 0 for per-operation cases */
} hb_crypto_case;

#define HB_CBC_HMAC_NAME "aes-128-cbc-hmac-sha256"
#define HB_DEFAULT_SIZES "16,256,1350,8192,16384"

/* Every case for these sizes whose name matches filter (an extended
 * regex, or NULL). *out is malloc'ed. Returns 0, or -1 for a bad regex. */
int hb_crypto_cases(const size_t *sizes, int nsizes, const char *filter,
                    hb_crypto_case **out, size_t *n);

#endif
