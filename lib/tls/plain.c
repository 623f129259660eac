/* Plain TCP as a transport table: the baseline every TLS figure is
 * compared with. The socket calls are the layer's (hb_sock_*); writev
 * and sendfile give the server its zero-copy paths. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "hb/alloc.h"
#include "hb/tls_layer.h"

struct hb_tls_ctx {
  int unused;
};

struct hb_tls_conn {
  hb_tls_base base;
};

static int plain_ctx_new(const hb_tls_config *cfg, hb_tls_ctx **out,
                         hb_err *err)
{
  *out = NULL;
  if(cfg->alpn && *cfg->alpn) /* HTTP/2 over TCP is by prior knowledge */
    return hb_err_set(err, HB_UNSUPPORTED, "plain TCP has no ALPN");
  *out = calloc(1, sizeof(**out));
  return *out ? HB_OK : hb_err_set(err, HB_ERROR, "out of memory");
}

static void plain_ctx_free(hb_tls_ctx *ctx)
{
  free(ctx);
}

static int plain_conn_new(hb_tls_ctx *ctx, int fd, const char *sni,
                          hb_tls_conn **out, hb_err *err)
{
  *out = hb_malloc(sizeof(**out));
  if(!*out)
    return hb_err_set(err, HB_ERROR, "out of memory");
  hb_tls_base_init(&(*out)->base, fd, NULL, NULL);
  return HB_OK;
}

static hb_io plain_handshake(hb_tls_conn *c, hb_err *err)
{
  return HB_IO_OK;
}

/* Words for a failed call: the errno's, as the socket gave it. */
static hb_io plain_io(hb_tls_conn *c, hb_io io, const char *what,
                      hb_err *err)
{
  if(io == HB_IO_ERROR || io == HB_IO_RESET)
    hb_sock_fail(&c->base, io, what, err);
  return io;
}

static hb_io plain_read(hb_tls_conn *c, void *buf, size_t len, size_t *n,
                        hb_err *err)
{
  return plain_io(c, hb_sock_read(&c->base, buf, len, n), "read", err);
}

static hb_io plain_write(hb_tls_conn *c, const void *buf, size_t len,
                         size_t *n, hb_err *err)
{
  return plain_io(c, hb_sock_write(&c->base, buf, len, n), "write", err);
}

static hb_io plain_writev(hb_tls_conn *c, const struct iovec *iov,
                          int iovcnt, int more, size_t *n, hb_err *err)
{
  return plain_io(c, hb_sock_writev(&c->base, iov, iovcnt, more, n),
                  "write", err);
}

static hb_io plain_sendfile(hb_tls_conn *c, int fd, off_t *off, size_t len,
                            size_t *n, hb_err *err)
{
  return plain_io(c, hb_sock_sendfile(&c->base, fd, off, len, n), "write",
                  err);
}

static hb_io plain_shutdown(hb_tls_conn *c, hb_err *err)
{
  if(shutdown(c->base.fd, SHUT_WR) && errno != ENOTCONN) {
    hb_err_set(err, HB_ERROR, "shutdown: %s", strerror(errno));
    return HB_IO_ERROR;
  }
  return HB_IO_OK;
}

static int plain_info(hb_tls_conn *c, hb_tls_info *info)
{
  hb_tls_base_info(&c->base, info);
  return HB_OK;
}

static void plain_conn_free(hb_tls_conn *c)
{
  free(c);
}

static int plain_session_get(hb_tls_conn *c, hb_tls_session **out,
                             hb_err *err)
{
  *out = NULL;
  return HB_OK;
}

static int plain_session_set(hb_tls_conn *c, hb_tls_session *s, hb_err *err)
{
  return HB_OK;
}

static void plain_session_free(hb_tls_session *s)
{
}

const hb_tls_ops hb_plain_tls = {
  "plain", HB_TLS_SUP_UNBUFFERED,
  plain_ctx_new, plain_ctx_free, plain_conn_new, plain_handshake,
  plain_read, plain_write, plain_shutdown, plain_info, plain_conn_free,
  plain_session_get, plain_session_set, plain_session_free,
  NULL, /* conn_reuse: a new socket needs no state */
  NULL, /* write_early */
  "plain TCP has no TLS, so no early data",
  plain_writev, plain_sendfile,
  NULL /* alpn_get: HTTP/2 over TCP is by prior knowledge */
};
