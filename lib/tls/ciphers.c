/* The AEADs a configuration may pin (hb_tls_config.cipher), with the
 * IANA ids of the suites that carry them (hb/tls_layer.h). */
#include <string.h>

#include "hb/tls_layer.h"

const hb_tls_cipher hb_tls_ciphers[HB_TLS_NCIPHERS] = {
  { "aes-128-gcm", 0x1301, 0xC02B, 0xC02F, 0x009C },
  { "aes-256-gcm", 0x1302, 0xC02C, 0xC030, 0x009D },
  { "chacha20-poly1305", 0x1303, 0xCCA9, 0xCCA8, 0 }
};

const char *const hb_tls_cipher_names[HB_TLS_NCIPHERS + 1] = {
  "aes-128-gcm", "aes-256-gcm", "chacha20-poly1305", NULL
};

int hb_tls_cipher_find(const hb_tls_config *cfg, size_t *index,
                       hb_err *err)
{
  size_t i;

  for(i = 0; i < HB_TLS_NCIPHERS; i++)
    if(!strcmp(hb_tls_ciphers[i].name, cfg->cipher))
      break;
  if(i == HB_TLS_NCIPHERS)
    return hb_err_set(err, HB_ERROR, "unknown cipher '%s' (want "
                      "aes-128-gcm, aes-256-gcm, chacha20-poly1305)",
                      cfg->cipher);
  if(cfg->rsa_kx && !hb_tls_ciphers[i].rsa_kx)
    return hb_err_set(err, HB_UNSUPPORTED, "cipher %s with rsa_kx: TLS "
                      "has no RSA key transport suite with that AEAD",
                      cfg->cipher);
  *index = i;
  return HB_OK;
}
