/* The TLS connection table: one per library, in lib/backends/<lib>_tls.c;
 * plain TCP fills the same table (lib/tls/plain.c). What the backends
 * share (connection base, socket calls, record scanner) is in
 * hb/tls_layer.h, the group names in hb/tls_groups.h.
 *
 * The event loop sees only hb_io results and never knows whether a
 * connection is plain TCP or which library runs TLS. Every function is
 * non-blocking on a non-blocking socket the caller owns (the backend does
 * the socket I/O on it, counting the bytes); a caller reads until
 * HB_IO_WANT_READ, so nothing stays buffered unseen inside the library.
 *
 * Threads: one hb_tls_ctx may be used by several threads at once, each
 * with its own connections; a connection is used by one thread at a time. */
#ifndef HB_TLS_H
#define HB_TLS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "hb/err.h"

#define HB_TLS_1_2 0x0303
#define HB_TLS_1_3 0x0304

typedef enum hb_io {
  HB_IO_OK = 0,     /* progress made; *n bytes moved (> 0 for read) */
  HB_IO_WANT_READ,  /* wait for EPOLLIN and call again */
  HB_IO_WANT_WRITE, /* wait for EPOLLOUT and call again */
  HB_IO_CLOSED,     /* peer closed: close_notify, or a FIN after the
                       handshake (an unclean EOF, noted in err) */
  HB_IO_ERROR,      /* fatal; err says why, with the library's text */
  HB_IO_RESET       /* fatal: the peer reset the connection (ECONNRESET,
                       or EPIPE on a write); err says so */
} hb_io;

/* Optional features (hb_tls_ops.supports). */
#define HB_TLS_SUP_TLS13      (1u << 0)
#define HB_TLS_SUP_TICKETS    (1u << 1) /* session tickets (1.2) / PSK (1.3) */
#define HB_TLS_SUP_SESSION_ID (1u << 2) /* TLS 1.2 server-side session cache */
#define HB_TLS_SUP_GROUPS     (1u << 3) /* key-exchange group selection */
#define HB_TLS_SUP_RSA_KX     (1u << 4) /* TLS 1.2 RSA key transport suites */
#define HB_TLS_SUP_TRACE      (1u << 5) /* handshake message callback */
#define HB_TLS_SUP_EARLY_DATA (1u << 6) /* TLS 1.3 0-RTT */
#define HB_TLS_SUP_UNBUFFERED (1u << 7) /* read keeps nothing back: a short
                                           read means the socket is
                                           drained (plain TCP) */
#define HB_TLS_SUP_ALPN       (1u << 8) /* ALPN (RFC 7301): cfg.alpn and
                                           ops.alpn_get */
#define HB_TLS_SUP_ALPN_FALLBACK (1u << 9) /* server, alpn_strict 0: a
                                           client with no protocol in
                                           common is served without ALPN;
                                           without this bit the library
                                           refuses it (alert 120) */
#define HB_TLS_SUP_HOLD_FINISHED (1u << 10) /* cfg.hold_finished */

typedef struct hb_tls_ctx hb_tls_ctx;         /* certs, caches, settings */
typedef struct hb_tls_conn hb_tls_conn;       /* one connection */
typedef struct hb_tls_session hb_tls_session; /* client: resumable state */

/* Handshake message trace: called for every handshake message (and
 * ChangeCipherSpec / alert) sent or received. content_type is the TLS
 * record content type (20 CCS, 21 alert, 22 handshake), hs_type the
 * handshake message type (1 ClientHello, 2 ServerHello, 4
 * NewSessionTicket, 8 EncryptedExtensions, 11 Certificate, 12
 * ServerKeyExchange, 13 CertificateRequest, 14 ServerHelloDone, 15
 * CertificateVerify, 16 ClientKeyExchange, 20 Finished, 24 KeyUpdate) or
 * -1 for non-handshake records; len the message length in bytes,
 * including the 4-byte handshake header. */
typedef void (*hb_tls_msg_fn)(void *arg, int sent, int content_type,
                              int hs_type, size_t len);

typedef struct hb_tls_config {
  int server;            /* 1 server, 0 client */
  int min_version;       /* HB_TLS_1_2, HB_TLS_1_3, or 0: library default */
  int max_version;
  const char *cert_file; /* PEM: leaf first, then intermediates */
  const char *key_file;  /* PEM private key */
  const char *ca_file;   /* trust anchor (client: server's CA; server:
                            client certificates' CA for mutual TLS) */
  int verify_peer;       /* client: verify chain and host name (sni) or
                            fail; server: require a client certificate */
  const char *groups;    /* colon list of hb/tls_groups.h names, in order
                            of preference ("x25519:p256"), or NULL */
  int rsa_kx;            /* TLS 1.2: only RSA key transport cipher suites */
  const char *cipher;    /* "aes-128-gcm", "aes-256-gcm" or
                            "chacha20-poly1305": the only AEAD offered or
                            accepted (TLS 1.3 suite, and the TLS 1.2 ECDHE
                            suites with it), or NULL: the library's list.
                            A backend lacking the AEAD fails ctx_new with
                            HB_UNSUPPORTED. BoringSSL cannot restrict its
                            TLS 1.3 suites (only 1.2): a pinned peer still
                            forces the suite; info.cipher says what ran. */
  int session_cache;     /* server: TLS 1.2 session-ID cache */
  int tickets;           /* server: issue tickets (1.2 tickets, 1.3 PSK) */
  uint32_t max_early_data; /* server: accept up to this many bytes of TLS
                            1.3 early data (0-RTT) on resumption, and say
                            so in its tickets; 0 refuses early data.
                            Needs tickets and HB_TLS_SUP_EARLY_DATA. */
  const char *alpn;      /* ALPN: comma list of protocol names
                            ("h2,http/1.1"), or NULL: none. Client: offered
                            in this order; server: accepted, chosen in this
                            order (the server's preference) among those the
                            client offers. Needs HB_TLS_SUP_ALPN (ctx_new
                            fails with HB_UNSUPPORTED otherwise). */
  int alpn_strict;       /* server: a client offering ALPN with nothing in
                            common is refused (no_application_protocol
                            alert); 0: the handshake goes on with no
                            protocol selected (HTTP/1.1 by default), where
                            the backend has HB_TLS_SUP_ALPN_FALLBACK */
  int hold_finished;     /* client: the handshake's last flight (its
                            Finished) waits inside the library and leaves
                            in one segment with the next write (the
                            request) or before the next read or
                            close_notify. Where HB_TLS_SUP_HOLD_FINISHED;
                            others ignore it. The caller must write, read
                            or shut down after the handshake. */
  hb_tls_msg_fn on_msg;  /* NULL: no trace */
  void *msg_arg;
} hb_tls_config;

typedef struct hb_tls_info {
  int version;           /* HB_TLS_1_2 / HB_TLS_1_3 as negotiated */
  char cipher[64];       /* IANA or library name of the suite */
  char group[32];        /* key-exchange group, "" if unknown/none */
  int resumed;           /* 1 if this handshake resumed a session */
  int early_data;        /* HB_EARLY_*: client, what became of the data
                            write_early sent; server, whether early data
                            was accepted on this connection */
  uint64_t bytes_in;     /* raw bytes read from the socket so far */
  uint64_t bytes_out;    /* raw bytes written to the socket so far */
} hb_tls_info;

/* hb_tls_info.early_data */
#define HB_EARLY_NONE     0 /* none sent / none offered */
#define HB_EARLY_ACCEPTED 1
#define HB_EARLY_REJECTED 2 /* sent, but the server did not process it:
                               the client must send it again */

typedef struct hb_tls_ops {
  const char *name;
  unsigned supports;     /* HB_TLS_SUP_* */

  int (*ctx_new)(const hb_tls_config *cfg, hb_tls_ctx **out, hb_err *err);
  void (*ctx_free)(hb_tls_ctx *ctx);

  /* sni: client only, the host name to send and verify (may be NULL). */
  int (*conn_new)(hb_tls_ctx *ctx, int fd, const char *sni,
                  hb_tls_conn **out, hb_err *err);
  hb_io (*handshake)(hb_tls_conn *c, hb_err *err);
  hb_io (*read)(hb_tls_conn *c, void *buf, size_t len, size_t *n,
                hb_err *err);
  /* May move fewer than len bytes (*n, typically a few 16 KiB records);
   * after HB_IO_WANT_WRITE, call again with the same unsent data. */
  hb_io (*write)(hb_tls_conn *c, const void *buf, size_t len, size_t *n,
                 hb_err *err);
  /* Sends close_notify (plain TCP: shutdown(SHUT_WR)); does not wait for
   * the peer's. HB_IO_OK once sent. */
  hb_io (*shutdown)(hb_tls_conn *c, hb_err *err);
  int (*info)(hb_tls_conn *c, hb_tls_info *info);
  void (*conn_free)(hb_tls_conn *c); /* does not close fd */

  /* Client resumption. session_get after the first application data was
   * read (TLS 1.3 tickets arrive after the handshake); *out NULL when the
   * server offered nothing resumable. session_set before handshake. */
  int (*session_get)(hb_tls_conn *c, hb_tls_session **out, hb_err *err);
  int (*session_set)(hb_tls_conn *c, hb_tls_session *s, hb_err *err);
  void (*session_free)(hb_tls_session *s);

  /* Optional (may be NULL): makes a connection that ended cleanly ready
   * for a new socket, keeping the library's allocations (OpenSSL 3's
   * SSL_new costs as much as a resumed handshake's own work; wrk reuses
   * its SSL objects the same way). Any previous session is dropped: the
   * caller offers one with session_set. On failure the caller frees c. */
  int (*conn_reuse)(hb_tls_conn *c, int fd, const char *sni, hb_err *err);

  /* TLS 1.3 0-RTT (NULL without HB_TLS_SUP_EARLY_DATA).
   * Client: after session_set, before handshake: sends buf with the
   * ClientHello as early data. HB_IO_OK with *n == len once it is out;
   * HB_IO_OK with *n == 0 when the session does not allow early data
   * (nothing sent). Then handshake as usual; afterwards info.early_data
   * says whether the server took it (HB_EARLY_REJECTED: send it again).
   * Server: nothing to call. With cfg.max_early_data the server's
   * handshake may return HB_IO_OK before the client's Finished has
   * arrived, as soon as early data can be read: read returns it, write
   * sends the answer at once (0.5-RTT data), and the library completes
   * the handshake inside later reads. */
  hb_io (*write_early)(hb_tls_conn *c, const void *buf, size_t len,
                       size_t *n, hb_err *err);
  /* Without write_early: why, one sentence for reports (may be NULL). */
  const char *early_data_gap;

  /* Optional (NULL where a backend cannot): plain TCP's zero-copy paths,
   * with write's contract. writev gathers iov into one socket write;
   * more: the caller sends more at once (MSG_MORE). sendfile moves up to
   * len bytes of file fd from *off (advanced) to the socket. */
  hb_io (*writev)(hb_tls_conn *c, const struct iovec *iov, int iovcnt,
                  int more, size_t *n, hb_err *err);
  hb_io (*sendfile)(hb_tls_conn *c, int fd, off_t *off, size_t len,
                    size_t *n, hb_err *err);

  /* ALPN (NULL without HB_TLS_SUP_ALPN): after the handshake, the
   * protocol the two sides agreed on into out (NUL-terminated, cut to
   * len - 1); returns its length, 0 when none was negotiated. Cheap:
   * the server calls it once per connection. Use hb_tls_alpn(). */
  size_t (*alpn_get)(hb_tls_conn *c, char *out, size_t len);
} hb_tls_ops;

/* The negotiated ALPN protocol ("" when none or the backend has none). */
static inline size_t hb_tls_alpn(const hb_tls_ops *ops, hb_tls_conn *c,
                                 char *out, size_t len)
{
  if(len)
    out[0] = '\0';
  if(!ops->alpn_get || !len)
    return 0;
  return ops->alpn_get(c, out, len);
}

/* Why ops has no early data, one sentence ("" when it has it). */
static inline const char *hb_tls_early_data_gap(const hb_tls_ops *ops)
{
  if(ops->supports & HB_TLS_SUP_EARLY_DATA)
    return "";
  return ops->early_data_gap ? ops->early_data_gap
                             : "no 0-RTT early data in this backend";
}

/* Plain TCP in the same shape (always linked; lib/tls/plain.c). */
extern const hb_tls_ops hb_plain_tls;

#endif
