/* Fuzz target: the load generator's URL and host:port parser
 * (ld_url_parse, clients/url.c) and the request it builds.
 *
 * Properties: a refusal always says why; an accepted URL has a host with
 * no blank or control byte, a port in 1..65535, a path starting with '/',
 * every field terminated inside its array; the URL written again from the
 * parse (scheme://hostport path) parses to the same thing; and the
 * request the load generator sends for it is one our own server's parser
 * accepts, with that path and Host. */
#include "fuzz.h"
#include "load.h"

static void check_same(const ld_url *a, const ld_url *b)
{
  FZ_ASSERT(a->https == b->https && a->port == b->port);
  FZ_ASSERT(!strcmp(a->host, b->host));
  FZ_ASSERT(!strcmp(a->hostport, b->hostport));
  FZ_ASSERT(!strcmp(a->path, b->path));
}

static void check_request(const ld_url *u)
{
  static ld_opts o;
  static hb_http_request req;
  int rc;
  size_t i;

  memset(&o, 0, sizeof(o));
  o.url = *u;
  o.pipeline = 1;
  FZ_ASSERT(ld_build_request(&o) == 0);
  rc = hb_http_parse_request(o.req, o.req_len, &req);
  FZ_ASSERT(rc > 0 && (size_t)rc == o.req_len);
  FZ_ASSERT(req.path_len == strlen(u->path) &&
            !memcmp(req.path, u->path, req.path_len));
  FZ_ASSERT(req.num_headers == 1 && req.headers[0].name_len == 4);
  i = strlen(u->hostport);
  FZ_ASSERT(req.headers[0].value_len == i &&
            !memcmp(req.headers[0].value, u->hostport, i));
  free(o.req);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static ld_url u, again;
  static char text[sizeof(u.hostport) + sizeof(u.path) + 16];
  char why[512], *s = malloc(size + 1);
  size_t i;
  int rc;

  if(!s)
    abort();
  memcpy(s, data, size);
  s[size] = 0;
  why[0] = 0;
  rc = ld_url_parse(s, &u, why, sizeof(why));
  FZ_ASSERT(rc == 0 || rc == -1);
  if(rc) {
    FZ_ASSERT(why[0] != 0);
    free(s);
    return 0;
  }
  FZ_ASSERT(u.https == 0 || u.https == 1);
  FZ_ASSERT(u.port >= 1 && u.port <= 65535);
  FZ_ASSERT(memchr(u.host, 0, sizeof(u.host)) && u.host[0]);
  FZ_ASSERT(memchr(u.hostport, 0, sizeof(u.hostport)));
  FZ_ASSERT(memchr(u.path, 0, sizeof(u.path)) && u.path[0] == '/');
  for(i = 0; u.host[i]; i++)
    FZ_ASSERT((unsigned char)u.host[i] > ' ' && u.host[i] != 0x7f);
  /* hostport is the host as written: it contains the host */
  FZ_ASSERT(strstr(u.hostport, u.host) != NULL);

  snprintf(text, sizeof(text), "%s://%s%s", u.https ? "https" : "http",
           u.hostport, u.path);
  FZ_ASSERT(ld_url_parse(text, &again, why, sizeof(why)) == 0);
  check_same(&u, &again);
  check_request(&u);
  free(s);
  return 0;
}
