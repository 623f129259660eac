/* The suite's own certificates (scripts/gen-certs): a root CA, an
 * intermediate and a leaf for localhost/127.0.0.1/::1 per key type, kept in
 * $HTTPSBENCH_CERT_DIR or <engine dir>/certs and made on first use. */
#ifndef HB_CERTS_H
#define HB_CERTS_H

#include <stddef.h>

#include "hb/err.h"

#define HB_CERT_TYPES \
  "rsa-2048, rsa-3072, rsa-4096, ecdsa-p256, ecdsa-p384, ed25519"

typedef struct hb_cert_paths {
  char dir[4096];
  char chain[4200];      /* leaf + intermediate */
  char key[4200];
  char root[4200];       /* trust anchor for clients */
  char client_chain[4200], client_key[4200];
  char expired_chain[4200], expired_key[4200];
  char wronghost_chain[4200], wronghost_key[4200];
} hb_cert_paths;

int hb_cert_type_valid(const char *type);

/* Fills paths for type, generating the set when missing. */
int hb_certs_ensure(const char *type, hb_cert_paths *p, hb_err *err);

#endif
