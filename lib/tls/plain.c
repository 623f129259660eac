/* Plain TCP as a transport table: the baseline every TLS figure is
 * compared with. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hb/tls.h"

struct hb_tls_ctx {
  int unused;
};

struct hb_tls_conn {
  int fd;
  uint64_t in, out;
};

static int plain_ctx_new(const hb_tls_config *cfg, hb_tls_ctx **out,
                         hb_err *err)
{
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
  *out = calloc(1, sizeof(**out));
  if(!*out)
    return hb_err_set(err, HB_ERROR, "out of memory");
  (*out)->fd = fd;
  return HB_OK;
}

static hb_io plain_handshake(hb_tls_conn *c, hb_err *err)
{
  return HB_IO_OK;
}

static hb_io sock_error(const char *what, hb_err *err)
{
  if(errno == EAGAIN || errno == EWOULDBLOCK)
    return what[0] == 'r' ? HB_IO_WANT_READ : HB_IO_WANT_WRITE;
  hb_err_set(err, HB_ERROR, "%s: %s", what, strerror(errno));
  return HB_IO_ERROR;
}

static hb_io plain_read(hb_tls_conn *c, void *buf, size_t len, size_t *n,
                        hb_err *err)
{
  ssize_t r;

  do
    r = recv(c->fd, buf, len, 0);
  while(r < 0 && errno == EINTR);
  *n = 0;
  if(r == 0)
    return HB_IO_CLOSED;
  if(r < 0)
    return sock_error("read", err);
  c->in += (uint64_t)r;
  *n = (size_t)r;
  return HB_IO_OK;
}

static hb_io plain_write(hb_tls_conn *c, const void *buf, size_t len,
                         size_t *n, hb_err *err)
{
  ssize_t r;

  do
    r = send(c->fd, buf, len, MSG_NOSIGNAL);
  while(r < 0 && errno == EINTR);
  *n = 0;
  if(r < 0)
    return sock_error("write", err);
  c->out += (uint64_t)r;
  *n = (size_t)r;
  return HB_IO_OK;
}

static hb_io plain_shutdown(hb_tls_conn *c, hb_err *err)
{
  if(shutdown(c->fd, SHUT_WR) && errno != ENOTCONN) {
    hb_err_set(err, HB_ERROR, "shutdown: %s", strerror(errno));
    return HB_IO_ERROR;
  }
  return HB_IO_OK;
}

static int plain_info(hb_tls_conn *c, hb_tls_info *info)
{
  memset(info, 0, sizeof(*info));
  info->bytes_in = c->in;
  info->bytes_out = c->out;
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
  "plain", 0,
  plain_ctx_new, plain_ctx_free, plain_conn_new, plain_handshake,
  plain_read, plain_write, plain_shutdown, plain_info, plain_conn_free,
  plain_session_get, plain_session_set, plain_session_free,
  NULL, /* conn_reuse: a new socket needs no state */
  NULL, /* write_early */
  "plain TCP has no TLS, so no early data"
};
