/* The list of crypto measurements, in report order. */
#include <stdio.h>
#include <stdlib.h>

#include "hb/cli.h"
#include "hb/crypto_cases.h"

static int add(hb_crypto_case *list, size_t *n, const char *filter,
               hb_case_kind kind, int alg, const char *algorithm,
               const char *op, size_t bytes)
{
  hb_crypto_case *c = &list[*n];
  int m;

  if(bytes)
    snprintf(c->name, sizeof(c->name), "%s/%s/%zu", algorithm, op, bytes);
  else
    snprintf(c->name, sizeof(c->name), "%s/%s", algorithm, op);
  m = hb_regex_match(filter, c->name);
  if(m < 0)
    return -1;
  if(m) {
    c->kind = kind;
    c->alg = alg;
    c->algorithm = algorithm;
    c->operation = op;
    c->bytes = bytes;
    (*n)++;
  }
  return 0;
}

int hb_crypto_cases(const size_t *sizes, int nsizes, const char *filter,
                    hb_crypto_case **out, size_t *count)
{
  size_t cap = (size_t)nsizes * (HB_AEAD_COUNT * 3 + 2 + HB_MD_COUNT) +
               HB_AEAD_COUNT + HB_SIG_COUNT * 4 + HB_KEX_COUNT * 3 +
               HB_KEM_COUNT * 4;
  hb_crypto_case *l = calloc(cap, sizeof(*l));
  size_t n = 0;
  int a, i, rc = 0;

  if(!l)
    return -1;
  for(a = 0; a < HB_AEAD_COUNT; a++) {
    rc |= add(l, &n, filter, HB_CASE_REKEY, a, hb_aead_name(a), "rekey", 0);
    for(i = 0; i < nsizes; i++) {
      rc |= add(l, &n, filter, HB_CASE_SEAL, a, hb_aead_name(a), "seal",
                sizes[i]);
      rc |= add(l, &n, filter, HB_CASE_OPEN, a, hb_aead_name(a), "open",
                sizes[i]);
      /* streaming interfaces take whole 64-byte blocks until the last
       * call of a message (nettle's ChaCha20-Poly1305 asserts it) */
      if(sizes[i] % 64 == 0)
        rc |= add(l, &n, filter, HB_CASE_STREAM, a, hb_aead_name(a),
                  "stream", sizes[i]);
    }
  }
  for(i = 0; i < nsizes; i++) {
    rc |= add(l, &n, filter, HB_CASE_CBC_SEAL, 0, HB_CBC_HMAC_NAME, "seal",
              sizes[i]);
    rc |= add(l, &n, filter, HB_CASE_CBC_OPEN, 0, HB_CBC_HMAC_NAME, "open",
              sizes[i]);
  }
  for(a = 0; a < HB_MD_COUNT; a++)
    for(i = 0; i < nsizes; i++)
      rc |= add(l, &n, filter, HB_CASE_MD, a, hb_md_name(a),
                a == HB_HMAC_SHA256 ? "mac" : "digest", sizes[i]);
  for(a = 0; a < HB_SIG_COUNT; a++) {
    rc |= add(l, &n, filter, HB_CASE_SIGN, a, hb_sig_name(a), "sign", 0);
    rc |= add(l, &n, filter, HB_CASE_VERIFY, a, hb_sig_name(a), "verify",
              0);
    if(hb_sig_is_rsa(a)) {
      rc |= add(l, &n, filter, HB_CASE_RSA_ENC, a, hb_sig_name(a),
                "encrypt", 0);
      rc |= add(l, &n, filter, HB_CASE_RSA_DEC, a, hb_sig_name(a),
                "decrypt", 0);
    }
  }
  for(a = 0; a < HB_KEX_COUNT; a++) {
    rc |= add(l, &n, filter, HB_CASE_KEYGEN, a, hb_kex_name(a), "keygen", 0);
    rc |= add(l, &n, filter, HB_CASE_DERIVE, a, hb_kex_name(a), "derive", 0);
    rc |= add(l, &n, filter, HB_CASE_EXCHANGE, a, hb_kex_name(a),
              "exchange", 0);
  }
  for(a = 0; a < HB_KEM_COUNT; a++) {
    rc |= add(l, &n, filter, HB_CASE_KEM_KEYGEN, a, hb_kem_name(a), "keygen",
              0);
    rc |= add(l, &n, filter, HB_CASE_ENCAPS, a, hb_kem_name(a), "encaps", 0);
    rc |= add(l, &n, filter, HB_CASE_DECAPS, a, hb_kem_name(a), "decaps", 0);
    rc |= add(l, &n, filter, HB_CASE_KEM_EXCHANGE, a, hb_kem_name(a),
              "exchange", 0);
  }
  if(rc) {
    free(l);
    return -1;
  }
  *out = l;
  *count = n;
  return 0;
}
