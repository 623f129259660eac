/* The connection base and the socket calls every callback-based backend
 * and plain TCP share (include/hb/tls_layer.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>

#include "hb/tls_layer.h"

void hb_tls_base_init(hb_tls_base *b, int fd, hb_tls_msg_fn on_msg,
                      void *msg_arg)
{
  memset(b, 0, sizeof(*b));
  b->fd = fd;
  b->on_msg = on_msg;
  b->msg_arg = msg_arg;
}

void hb_tls_base_reset(hb_tls_base *b, int fd)
{
  hb_tls_msg_fn on_msg = b->on_msg;
  hb_rec_fn scan = b->scan;
  void *msg_arg = b->msg_arg, *scan_arg = b->scan_arg;

  hb_tls_base_init(b, fd, on_msg, msg_arg);
  b->scan = scan;
  b->scan_arg = scan_arg;
}

void hb_tls_trace(const hb_tls_base *b, int sent, int content_type,
                  int hs_type, size_t len)
{
  if(b->on_msg)
    b->on_msg(b->msg_arg, sent, content_type, hs_type, len);
}

void hb_tls_base_info(const hb_tls_base *b, hb_tls_info *info)
{
  memset(info, 0, sizeof(*info));
  info->bytes_in = b->bytes_in;
  info->bytes_out = b->bytes_out;
}

int hb_tls_base_was_reset(const hb_tls_base *b)
{
  return b->sys_errno == ECONNRESET || b->sys_errno == EPIPE;
}

/* The result of one socket call that returned r (errno when r < 0). */
static hb_io sock_result(hb_tls_base *b, ssize_t r, hb_io want, size_t *n)
{
  *n = 0;
  if(r > 0) {
    *n = (size_t)r;
    return HB_IO_OK;
  }
  if(r == 0) {
    if(want == HB_IO_WANT_WRITE)
      return HB_IO_OK;
    b->eof = 1;
    return HB_IO_CLOSED;
  }
  if(errno == EAGAIN || errno == EWOULDBLOCK) {
    b->again = 1;
    return want;
  }
  b->sys_errno = errno;
  return hb_tls_base_was_reset(b) ? HB_IO_RESET : HB_IO_ERROR;
}

static void sock_scan_iov(hb_tls_base *b, int sent, const struct iovec *iov,
                          int iovcnt, size_t n)
{
  size_t k;
  int i;

  for(i = 0; i < iovcnt && n; i++) {
    k = iov[i].iov_len < n ? iov[i].iov_len : n;
    hb_rec_feed(sent ? &b->tx : &b->rx, sent, iov[i].iov_base, k, b->scan,
                b->scan_arg);
    n -= k;
  }
}

hb_io hb_sock_read(hb_tls_base *b, void *buf, size_t len, size_t *n)
{
  ssize_t r;
  hb_io io;

  if(!len) {
    *n = 0;
    return HB_IO_OK;
  }
  do
    r = recv(b->fd, buf, len, 0);
  while(r < 0 && errno == EINTR);
  io = sock_result(b, r, HB_IO_WANT_READ, n);
  b->bytes_in += *n;
  if(*n && b->scan)
    hb_rec_feed(&b->rx, 0, buf, *n, b->scan, b->scan_arg);
  return io;
}

hb_io hb_sock_readv(hb_tls_base *b, const struct iovec *iov, int iovcnt,
                    size_t *n)
{
  ssize_t r;
  hb_io io;

  do
    r = readv(b->fd, iov, iovcnt);
  while(r < 0 && errno == EINTR);
  io = sock_result(b, r, HB_IO_WANT_READ, n);
  b->bytes_in += *n;
  if(*n && b->scan)
    sock_scan_iov(b, 0, iov, iovcnt, *n);
  return io;
}

hb_io hb_sock_write(hb_tls_base *b, const void *buf, size_t len, size_t *n)
{
  ssize_t r;
  hb_io io;

  do
    r = send(b->fd, buf, len, MSG_NOSIGNAL);
  while(r < 0 && errno == EINTR);
  io = sock_result(b, r, HB_IO_WANT_WRITE, n);
  b->bytes_out += *n;
  if(*n && b->scan)
    hb_rec_feed(&b->tx, 1, buf, *n, b->scan, b->scan_arg);
  return io;
}

/* sendmsg rather than writev: MSG_NOSIGNAL spares us SIGPIPE. */
hb_io hb_sock_writev(hb_tls_base *b, const struct iovec *iov, int iovcnt,
                     int more, size_t *n)
{
  struct msghdr m;
  ssize_t r;
  hb_io io;

  memset(&m, 0, sizeof(m));
  m.msg_iov = (struct iovec *)iov;
  m.msg_iovlen = (size_t)iovcnt;
  do
    r = sendmsg(b->fd, &m, MSG_NOSIGNAL | (more ? MSG_MORE : 0));
  while(r < 0 && errno == EINTR);
  io = sock_result(b, r, HB_IO_WANT_WRITE, n);
  b->bytes_out += *n;
  if(*n && b->scan)
    sock_scan_iov(b, 1, iov, iovcnt, *n);
  return io;
}

hb_io hb_sock_sendfile(hb_tls_base *b, int in_fd, off_t *off, size_t len,
                       size_t *n)
{
  ssize_t r;
  hb_io io;

  do
    r = sendfile(b->fd, in_fd, off, len);
  while(r < 0 && errno == EINTR);
  if(r == 0 && len) {
    /* the file ended before len: the caller's mistake, not the peer's */
    errno = EIO;
    r = -1;
  }
  io = sock_result(b, r, HB_IO_WANT_WRITE, n);
  b->bytes_out += *n;
  return io;
}

int hb_tls_ip_literal(const char *name, unsigned char addr[16], char *text,
                      size_t size)
{
  char buf[64];
  size_t len = strlen(name);

  if(len >= 2 && name[0] == '[' && name[len - 1] == ']') {
    name++;
    len -= 2;
  }
  if(len >= sizeof(buf) || (text && len >= size))
    return 0;
  memcpy(buf, name, len);
  buf[len] = '\0';
  if(text)
    memcpy(text, buf, len + 1);
  if(inet_pton(AF_INET, buf, addr) == 1)
    return 4;
  return inet_pton(AF_INET6, buf, addr) == 1 ? 16 : 0;
}

hb_io hb_sock_fail(const hb_tls_base *b, hb_io io, const char *what,
                   hb_err *err)
{
  hb_err_set(err, HB_ERROR, "%s: %s", what, strerror(b->sys_errno));
  return io;
}
