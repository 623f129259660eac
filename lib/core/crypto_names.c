/* Names and sizes of the primitives, shared by every backend and report. */
#include "hb/crypto.h"

static const char *const md_names[HB_MD_COUNT] = {
  "md5", "sha1", "sha256", "sha384", "hmac-sha256"
};
static const size_t md_sizes[HB_MD_COUNT] = { 16, 20, 32, 48, 32 };
static const char *const aead_names[HB_AEAD_COUNT] = {
  "aes-128-gcm", "aes-256-gcm", "chacha20-poly1305"
};
static const size_t aead_keys[HB_AEAD_COUNT] = { 16, 32, 32 };
static const char *const sig_names[HB_SIG_COUNT] = {
  "rsa-2048", "rsa-3072", "rsa-4096", "ecdsa-p256", "ecdsa-p384", "ed25519",
  "ml-dsa-65"
};
static const char *const kex_names[HB_KEX_COUNT] = { "x25519", "ecdh-p256" };
static const char *const kem_names[HB_KEM_COUNT] = {
  "ml-kem-512", "ml-kem-768", "ml-kem-1024", "kyber-768"
};
/* FIPS 203 table 3; round-3 Kyber768 has ML-KEM-768's sizes */
static const size_t kem_pub[HB_KEM_COUNT] = { 800, 1184, 1568, 1184 };
static const size_t kem_ct[HB_KEM_COUNT] = { 768, 1088, 1568, 1088 };

const char *hb_md_name(hb_md_alg alg) { return md_names[alg]; }
size_t hb_md_size(hb_md_alg alg) { return md_sizes[alg]; }
const char *hb_aead_name(hb_aead_alg alg) { return aead_names[alg]; }
size_t hb_aead_key_size(hb_aead_alg alg) { return aead_keys[alg]; }
const char *hb_sig_name(hb_sig_alg alg) { return sig_names[alg]; }
int hb_sig_is_rsa(hb_sig_alg alg) { return alg <= HB_RSA4096; }
const char *hb_kex_name(hb_kex_alg alg) { return kex_names[alg]; }
const char *hb_kem_name(hb_kem_alg alg) { return kem_names[alg]; }
size_t hb_kem_pub_size(hb_kem_alg alg) { return kem_pub[alg]; }
size_t hb_kem_ct_size(hb_kem_alg alg) { return kem_ct[alg]; }

int hb_kem_check_keygen(hb_kem_alg alg, size_t publen, hb_err *err)
{
  if(publen < kem_pub[alg])
    return hb_err_set(err, HB_ERROR, "%s: public key buffer of %zu bytes "
                      "is too small", kem_names[alg], publen);
  return HB_OK;
}

int hb_kem_check_peer(hb_kem_alg alg, size_t publen, hb_err *err)
{
  if(publen != kem_pub[alg])
    return hb_err_set(err, HB_ERROR, "%s: public key of %zu bytes, not %zu",
                      kem_names[alg], publen, kem_pub[alg]);
  return HB_OK;
}

int hb_kem_check_encaps(hb_kem_alg alg, size_t ctlen, size_t secretlen,
                        hb_err *err)
{
  if(ctlen < kem_ct[alg] || secretlen < HB_KEM_SECRET_LEN)
    return hb_err_set(err, HB_ERROR, "%s: buffers of %zu and %zu bytes are "
                      "too small", kem_names[alg], ctlen, secretlen);
  return HB_OK;
}

int hb_kem_check_decaps(hb_kem_alg alg, size_t ctlen, size_t secretlen,
                        hb_err *err)
{
  if(ctlen != kem_ct[alg])
    return hb_err_set(err, HB_ERROR, "%s: ciphertext of %zu bytes, not %zu",
                      kem_names[alg], ctlen, kem_ct[alg]);
  if(secretlen < HB_KEM_SECRET_LEN)
    return hb_err_set(err, HB_ERROR, "%s: secret buffer of %zu bytes is "
                      "too small", kem_names[alg], secretlen);
  return HB_OK;
}
