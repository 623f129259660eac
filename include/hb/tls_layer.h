/* The layer every TLS backend sits on (lib/tls/), as curl's vtls is for
 * its backends: what is the same for every library is written here once.
 *
 * - hb_tls_base: the part of a connection every backend has (socket,
 *   byte counters, why the socket stopped, trace state). Each backend's
 *   struct hb_tls_conn embeds it as its FIRST member, so generic code
 *   may look at any connection through it.
 * - hb_sock_*: the one place that calls the socket for a library that
 *   does its I/O through our callbacks (GnuTLS, mbedTLS, wolfSSL) and for
 *   plain TCP: EINTR retried, would-block, EOF and reset told apart, the
 *   bytes counted and, when asked, fed to the record scanner.
 * - hb_rec_feed: an incremental scanner of the TLS record stream (record
 *   headers, and the handshake messages of plaintext handshake records)
 *   for traces of libraries without a message callback. It keeps its
 *   place between calls, so records and messages may be split anyhow.
 *
 * The group table is apart (hb/tls_groups.h): the front end uses it too.
 * No TLS library header here. */
#ifndef HB_TLS_LAYER_H
#define HB_TLS_LAYER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "hb/tls.h"

/* ---- the AEADs a configuration may pin (cfg.cipher) ---- */

/* Each with the IANA ids of the suites that carry it; the backends keep
 * their library's names for them in this order. */
typedef struct hb_tls_cipher {
  const char *name;       /* ours: "aes-128-gcm" */
  uint16_t tls13;         /* the TLS 1.3 suite */
  uint16_t ecdsa, rsa;    /* the TLS 1.2 ECDHE-ECDSA and ECDHE-RSA suites */
  uint16_t rsa_kx;        /* the TLS 1.2 RSA key transport suite; 0 when
                             TLS has none (ChaCha20-Poly1305) */
} hb_tls_cipher;

#define HB_TLS_NCIPHERS 3
extern const hb_tls_cipher hb_tls_ciphers[HB_TLS_NCIPHERS];
/* their names, NULL-ended (an option's choices) */
extern const char *const hb_tls_cipher_names[HB_TLS_NCIPHERS + 1];

/* cfg.cipher's place in hb_tls_ciphers. Errors: an unknown name
 * (HB_ERROR), rsa_kx with an AEAD that no RSA key transport suite
 * carries (HB_UNSUPPORTED). */
int hb_tls_cipher_find(const hb_tls_config *cfg, size_t *index,
                       hb_err *err);

/* ---- record scanner ---- */

#define HB_REC_PEEK_LEN 4 /* message body bytes a HB_REC_PEEK shows */

enum {
  HB_REC_HEADER = 1, /* a record header went by */
  HB_REC_MESSAGE,    /* a handshake message header in a plaintext
                        handshake record (before this direction's CCS) */
  HB_REC_PEEK        /* the first bytes of that message's body */
};

typedef struct hb_rec_event {
  int kind;                  /* HB_REC_* */
  int content_type;          /* the record's: 20 CCS, 21 alert, 22 ... */
  int encrypted;             /* HEADER: a ChangeCipherSpec record went
                                before it in this direction */
  int hs_type;               /* MESSAGE, PEEK: handshake message type */
  size_t len;                /* HEADER: record body bytes; MESSAGE: the
                                message with its 4-byte header; PEEK:
                                bytes at peek (min(body, PEEK_LEN)) */
  const unsigned char *peek; /* PEEK */
} hb_rec_event;

/* sent: 1 for bytes we sent, 0 for bytes received. */
typedef void (*hb_rec_fn)(void *arg, int sent, const hb_rec_event *ev);

/* One direction of the stream; all zero to start. */
typedef struct hb_rec_scan {
  unsigned char rec[5], hs[4], peek[HB_REC_PEEK_LEN];
  unsigned rec_have, hs_have, peek_have, peek_want;
  size_t rec_left, hs_left;
  int ccs;                   /* ChangeCipherSpec seen */
} hb_rec_scan;

/* Feeds n more bytes of one direction; fn gets the events they finish. */
void hb_rec_feed(hb_rec_scan *s, int sent, const void *p, size_t n,
                 hb_rec_fn fn, void *arg);

/* ---- connection base ---- */

typedef struct hb_tls_base {
  int fd;                    /* the caller's non-blocking socket */
  uint64_t bytes_in;         /* raw bytes read from fd */
  uint64_t bytes_out;        /* raw bytes written to fd */
  int sys_errno;             /* errno of the last failed socket call
                                (would-block aside), 0 if none */
  int eof;                   /* a read saw the peer's FIN */
  int again;                 /* a socket call would have blocked since
                                the owner last cleared this */
  hb_tls_msg_fn on_msg;      /* trace: cfg.on_msg, or NULL */
  void *msg_arg;
  hb_rec_fn scan;            /* non-NULL: bytes crossing fd through the
                                hb_sock_* calls go to the scanner */
  void *scan_arg;
  hb_rec_scan rx, tx;        /* received, sent */
} hb_tls_base;

/* Zeroes b and sets its socket and trace callback. */
void hb_tls_base_init(hb_tls_base *b, int fd, hb_tls_msg_fn on_msg,
                      void *msg_arg);

/* A new socket for the same connection (conn_reuse): state cleared,
 * trace callback and scanner kept. */
void hb_tls_base_reset(hb_tls_base *b, int fd);

/* Reports one message to the trace, if there is one. */
void hb_tls_trace(const hb_tls_base *b, int sent, int content_type,
                  int hs_type, size_t len);

/* info: zeroed, with the base's byte counts (the start of every
 * backend's info()). */
void hb_tls_base_info(const hb_tls_base *b, hb_tls_info *info);

/* The last socket failure was the peer resetting the connection
 * (ECONNRESET, or EPIPE: writing to a connection it reset). */
int hb_tls_base_was_reset(const hb_tls_base *b);

/* ---- socket I/O ----
 *
 * One call on b->fd, EINTR retried, bytes counted (and scanned):
 *   HB_IO_OK          *n bytes moved (> 0 unless len was 0; a write may
 *                     move fewer than asked)
 *   HB_IO_WANT_READ / HB_IO_WANT_WRITE  would block; b->again set to 1
 *   HB_IO_CLOSED      read only: the peer's FIN; b->eof set
 *   HB_IO_RESET       ECONNRESET / EPIPE; b->sys_errno set
 *   HB_IO_ERROR       any other errno; b->sys_errno set
 * Writes use MSG_NOSIGNAL: a reset peer is a result, not a SIGPIPE. */
hb_io hb_sock_read(hb_tls_base *b, void *buf, size_t len, size_t *n);
hb_io hb_sock_readv(hb_tls_base *b, const struct iovec *iov, int iovcnt,
                    size_t *n);
hb_io hb_sock_write(hb_tls_base *b, const void *buf, size_t len,
                    size_t *n);
/* more: the caller has more to send at once (MSG_MORE). */
hb_io hb_sock_writev(hb_tls_base *b, const struct iovec *iov, int iovcnt,
                     int more, size_t *n);
/* Up to len bytes of file in_fd from *off, advanced (not scanned). */
hb_io hb_sock_sendfile(hb_tls_base *b, int in_fd, off_t *off, size_t len,
                       size_t *n);

/* A client's host name that is an IP literal ("192.0.2.1", "::1",
 * "[::1]"): 4 or 16, the address in addr and, with text, the literal
 * without brackets (size bytes at most); 0 for a host name (no SNI for
 * those, RFC 6066: they are matched against iPAddress names). */
int hb_tls_ip_literal(const char *name, unsigned char addr[16], char *text,
                      size_t size);

/* ---- ALPN (RFC 7301) ---- */

#define HB_ALPN_MAX 8          /* protocols in one list */
#define HB_ALPN_NAME_MAX 32    /* bytes in one protocol name */

/* One cfg.alpn list in the shapes the libraries take. Points into
 * itself (ptrs): never copy one, keep it where it was parsed (in the
 * context, which outlives its connections). */
typedef struct hb_alpn_list {
  int n;                                    /* 0: no ALPN */
  char names[HB_ALPN_MAX][HB_ALPN_NAME_MAX + 1];
  unsigned char len[HB_ALPN_MAX];           /* strlen(names[i]) */
  const char *ptrs[HB_ALPN_MAX + 1];        /* names, NULL-terminated */
  unsigned char wire[HB_ALPN_MAX * (HB_ALPN_NAME_MAX + 1)];
  size_t wire_len;                          /* ProtocolNameList body:
                                               each name after its length
                                               byte, in order */
  char comma[HB_ALPN_MAX * (HB_ALPN_NAME_MAX + 1)]; /* "h2,http/1.1" */
} hb_alpn_list;

/* Parses a comma list (NULL or "": n = 0). Empty names, names over
 * HB_ALPN_NAME_MAX bytes, more than HB_ALPN_MAX names and duplicates
 * are errors. */
int hb_alpn_parse(const char *text, hb_alpn_list *out, hb_err *err);

/* Server selection: the first of ours (server preference) that is in
 * the client's ProtocolNameList body (offer, len bytes); its index, or
 * -1 when nothing is in common or offer is malformed. */
int hb_alpn_select(const hb_alpn_list *ours, const unsigned char *offer,
                   size_t len);

/* Copies the negotiated protocol (p, n bytes, may be NULL) into out as
 * alpn_get promises; returns the length copied. */
size_t hb_alpn_copy(const void *p, size_t n, char *out, size_t len);

/* err gets "what: <strerror of b->sys_errno>"; returns io. */
hb_io hb_sock_fail(const hb_tls_base *b, hb_io io, const char *what,
                   hb_err *err);

#endif
