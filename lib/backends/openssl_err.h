/* The one error helper of the OpenSSL/BoringSSL backend, shared by its
 * crypto table (openssl.c) and TLS table (openssl_tls.c); defined in
 * openssl_tls.c. Each engine links one of the two builds. */
#ifndef HB_BACKENDS_OPENSSL_ERR_H
#define HB_BACKENDS_OPENSSL_ERR_H

#include "hb/err.h"

/* Formats our words, then appends the library's first queued error (in
 * words, BoringSSL's identifiers too), and empties the queue so the next
 * failure reports its own cause. Returns status. */
int hb_ossl_fail(hb_err *err, int status, const char *fmt, ...)
  __attribute__((format(printf, 3, 4)));

#endif
