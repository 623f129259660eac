/* A backend: the tables one TLS library (or plain TCP) fills.
 *
 * Each engine executable links exactly one backend file, which defines
 * hb_linked_backend; linking two would be a duplicate-symbol error, which is
 * what keeps OpenSSL and BoringSSL out of one process. */
#ifndef HB_BACKEND_H
#define HB_BACKEND_H

#include "hb/crypto.h"
#include "hb/tls.h"

typedef struct hb_backend {
  const char *name;            /* "openssl", "boringssl", "gnutls", ... */
  const char *library;         /* human name: "OpenSSL", "BoringSSL" */
  const hb_crypto_ops *crypto; /* NULL for plain TCP */
  const hb_tls_ops *tls;       /* NULL until a backend implements TLS */
  const char *origin;          /* where the library came from */
} hb_backend;

/* A backend file compiled for a library set of scripts/libs gets its
 * name ("openssl-3.5") and origin from the build. */
#ifndef HB_BACKEND_ORIGIN
#define HB_BACKEND_ORIGIN "Debian 12 package"
#endif

extern const hb_backend hb_linked_backend;

/* Every backend the project knows, in report order, built or not: Debian
 * 12's libraries and plain TCP. Library sets built by scripts/libs
 * ("openssl-3.5") come after their Debian library when built. */
#define HB_BACKEND_NAMES \
  { "openssl", "boringssl", "gnutls", "wolfssl", "mbedtls", "plain" }
#define HB_BACKEND_COUNT 6
/* At most this many engines in one run (Debian's, sets, plain). */
#define HB_BACKEND_MAX 32

#endif
