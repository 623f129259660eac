/* The load generator's URL: parsing, address resolution and the request
 * bytes every connection sends (--pipeline copies of them). */
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "hb/cli.h"
#include "load.h"

/* Bytes that would break the request line or the Host header; bytes
 * above 0x7f too, as a request-target is ASCII (our server answers 400:
 * found by tests/fuzz/fuzz_url.c), so they must be percent-encoded. */
static int url_bad_char(const char *s, size_t n)
{
  size_t i;

  for(i = 0; i < n; i++)
    if((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f)
      return 1;
  return 0;
}

int ld_url_parse(const char *s, ld_url *u, char *why, size_t whylen)
{
  const char *p, *auth, *end, *colon = NULL;
  size_t alen, hlen, plen, clen = 0;

  memset(u, 0, sizeof(*u));
  if(!strncasecmp(s, "http://", 7)) {
    auth = s + 7;
    u->port = 80;
  }
  else if(!strncasecmp(s, "https://", 8)) {
    auth = s + 8;
    u->https = 1;
    u->port = 443;
  }
  else {
    p = strstr(s, "://");
    if(p)
      snprintf(why, whylen, "unsupported scheme '%.*s' in '%s' (http or "
               "https)", (int)(p - s) > 20 ? 20 : (int)(p - s), s, s);
    else
      snprintf(why, whylen, "'%s' is not a URL (http://HOST:PORT/path)", s);
    return -1;
  }
  end = auth + strcspn(auth, "/?#");
  alen = (size_t)(end - auth);
  if(memchr(auth, '@', alen)) {
    snprintf(why, whylen, "user names in URLs are not supported: '%s'", s);
    return -1;
  }
  switch(hb_hostport_split(auth, alen, &p, &hlen, &colon, &clen)) {
  case -1:
    snprintf(why, whylen, "bad IPv6 address in '%s'", s);
    return -1;
  case -2:
    snprintf(why, whylen, "bad host in '%s'", s);
    return -1;
  }
  if(!hlen || hlen >= sizeof(u->host) || url_bad_char(p, hlen)) {
    snprintf(why, whylen, "no valid host in '%s'", s);
    return -1;
  }
  memcpy(u->host, p, hlen);
  if(colon) {
    long port;

    if(!clen || clen > 5) {
      snprintf(why, whylen, "bad port in '%s'", s);
      return -1;
    }
    if(hb_parse_port(colon, clen, 1, &port)) {
      snprintf(why, whylen, "bad port '%.*s' in '%s' (1..65535)",
               (int)clen, colon, s);
      return -1;
    }
    u->port = (int)port;
  }
  snprintf(u->hostport, sizeof(u->hostport), "%.*s", (int)alen, auth);
  plen = strcspn(end, "#");
  if(url_bad_char(end, plen)) {
    snprintf(why, whylen, "spaces, control or non-ASCII bytes in the path "
             "of '%s' (percent-encode them)", s);
    return -1;
  }
  if(plen + 2 > sizeof(u->path)) {
    snprintf(why, whylen, "path longer than %d bytes", HB_HTTP_MAX_URI);
    return -1;
  }
  if(!plen || end[0] != '/') /* "" or "?q": the origin's root */
    snprintf(u->path, sizeof(u->path), "/%.*s", (int)plen, end);
  else
    snprintf(u->path, sizeof(u->path), "%.*s", (int)plen, end);
  return 0;
}

/* Can we connect to ai within a second? Used only to choose among several
 * addresses (localhost: ::1 and 127.0.0.1), as a server often listens on
 * one of them only. */
static int url_probe(const struct addrinfo *ai)
{
  struct pollfd pfd;
  int fd, ok = 0, soerr = 0;
  socklen_t len = sizeof(soerr);

  fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if(fd < 0)
    return 0;
  if(connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
    ok = 1;
  else {
    pfd.fd = fd;
    pfd.events = POLLOUT;
    if(poll(&pfd, 1, 1000) == 1 &&
       !getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) && !soerr)
      ok = 1;
  }
  close(fd);
  return ok;
}

int ld_resolve(ld_opts *o, char *why, size_t whylen)
{
  struct addrinfo hints, *res = NULL, *ai, *pick;
  char port[8];
  int rc;

  memset(&hints, 0, sizeof(hints));
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  snprintf(port, sizeof(port), "%d", o->url.port);
  rc = getaddrinfo(o->url.host, port, &hints, &res);
  if(rc) {
    snprintf(why, whylen, "cannot resolve '%s': %s", o->url.host,
             gai_strerror(rc));
    return -1;
  }
  pick = res;
  if(res->ai_next)
    for(ai = res; ai; ai = ai->ai_next)
      if(url_probe(ai)) {
        pick = ai;
        break;
      }
  memcpy(&o->addr, pick->ai_addr, pick->ai_addrlen);
  o->addrlen = pick->ai_addrlen;
  freeaddrinfo(res);
  return 0;
}

/* Does -H give a header of this name? */
static int url_has_header(const ld_opts *o, const char *name)
{
  size_t n = strlen(name);
  int i;

  for(i = 0; i < o->nheaders; i++)
    if(!strncasecmp(o->headers[i], name, n) && o->headers[i][n] == ':')
      return 1;
  return 0;
}

int ld_build_request(ld_opts *o)
{
  size_t size = strlen(o->url.path) + strlen(o->url.hostport) + 200;
  size_t len;
  int i;
  char *r;

  for(i = 0; i < o->nheaders; i++)
    size += strlen(o->headers[i]) + 2;
  r = malloc(size);
  if(!r)
    return -1;
  len = (size_t)snprintf(r, size, "GET %s HTTP/1.1\r\n", o->url.path);
  if(!url_has_header(o, "host"))
    len += (size_t)snprintf(r + len, size - len, "Host: %s\r\n",
                            o->url.hostport);
  /* nothing else unless asked (-H): the same request wrk sends, so a
   * comparison loads the server with identical work */
  if(o->close && !url_has_header(o, "connection"))
    len += (size_t)snprintf(r + len, size - len, "Connection: close\r\n");
  for(i = 0; i < o->nheaders; i++)
    len += (size_t)snprintf(r + len, size - len, "%s\r\n", o->headers[i]);
  len += (size_t)snprintf(r + len, size - len, "\r\n");
  o->req_len = len;
  if(o->pipeline > 1) { /* a batch is one write of back-to-back copies */
    char *p = realloc(r, len * (size_t)o->pipeline);
    long k;

    if(!p) {
      free(r);
      return -1;
    }
    r = p;
    for(k = 1; k < o->pipeline; k++)
      memcpy(r + (size_t)k * len, r, len);
  }
  o->req = r;
  return 0;
}
