/* The TLS connection table (sketch for the handshake and throughput work).
 *
 * Modelled on a transport table: the event loop sees only hb_io results and
 * never knows whether a connection is plain TCP or which library runs TLS.
 * Not yet filled by any backend: hb_backend.tls is NULL until it is. */
#ifndef HB_TLS_H
#define HB_TLS_H

#include <stddef.h>
#include <sys/types.h>

#include "hb/err.h"

typedef enum hb_io {
  HB_IO_OK = 0,     /* progress made; n bytes moved */
  HB_IO_WANT_READ,  /* arm EPOLLIN and call again */
  HB_IO_WANT_WRITE, /* arm EPOLLOUT and call again */
  HB_IO_CLOSED,     /* orderly close (close_notify or FIN) */
  HB_IO_ERROR       /* fatal; err says why, with the library's text */
} hb_io;

typedef struct hb_tls_ctx hb_tls_ctx;   /* per process: certs, tickets */
typedef struct hb_tls_conn hb_tls_conn; /* per connection */

typedef struct hb_tls_config {
  int server;            /* 1 server, 0 client */
  int min_version;       /* 0x0303 TLS 1.2, 0x0304 TLS 1.3, 0 any */
  int max_version;
  const char *cert_file; /* PEM chain, server (or client for mTLS) */
  const char *key_file;
  const char *ca_file;   /* trust anchor; NULL with insecure = no verify */
  int insecure;
  const char *groups;    /* "x25519", "p256", ... or NULL for default */
  int resume;            /* 0 off, 1 session id, 2 ticket */
} hb_tls_config;

typedef struct hb_tls_info {
  int version;           /* as negotiated */
  char cipher[64];
  char group[32];
  int resumed;
} hb_tls_info;

typedef struct hb_tls_ops {
  int (*ctx_new)(const hb_tls_config *cfg, hb_tls_ctx **out, hb_err *err);
  void (*ctx_free)(hb_tls_ctx *ctx);
  int (*conn_new)(hb_tls_ctx *ctx, int fd, const char *sni,
                  hb_tls_conn **out, hb_err *err);
  hb_io (*handshake)(hb_tls_conn *c, hb_err *err);
  hb_io (*read)(hb_tls_conn *c, void *buf, size_t len, size_t *n,
                hb_err *err);
  hb_io (*write)(hb_tls_conn *c, const void *buf, size_t len, size_t *n,
                 hb_err *err);
  hb_io (*shutdown)(hb_tls_conn *c, hb_err *err); /* sends close_notify */
  int (*info)(hb_tls_conn *c, hb_tls_info *info);
  void (*conn_free)(hb_tls_conn *c);
} hb_tls_ops;

#endif
