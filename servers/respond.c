/* What the server answers: routing, response heads (no printf on the hot
 * path), error replies, --root files, and the counters' JSON (/__stats,
 * --usage and the SIGUSR1 snapshots share srv_stats_json). A response is
 * only described here (head in c->head, body in c->r); conn.c writes it. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "hb/alloc.h"
#include "hb/clock.h"
#include "server.h"

#define OCTET "application/octet-stream"
#define TEXT "text/plain"
#define JSON "application/json"

void srv_pattern_fill(char *buf)
{
  size_t i;

  for(i = 0; i < 2 * (size_t)SRV_PERIOD; i++)
    buf[i] = (char)(i % SRV_PATTERN_MOD);
}

static char *rsp_put(char *p, const char *s, size_t n)
{
  memcpy(p, s, n);
  return p + n;
}

#define PUTS(p, lit) rsp_put(p, lit, sizeof(lit) - 1)

static char *rsp_put_u64(char *p, uint64_t v)
{
  char tmp[20];
  int i = 0;

  do {
    tmp[i++] = (char)('0' + v % 10);
    v /= 10;
  } while(v);
  while(i)
    *p++ = tmp[--i];
  return p;
}

#define SERVER "\r\nServer: httpsbench\r\nContent-Type: "

/* Status line and the fixed headers up to the Content-Type value. */
static char *rsp_status(char *p, int code)
{
  switch(code) {
  case 200: return PUTS(p, "HTTP/1.1 200 OK" SERVER);
  case 400: return PUTS(p, "HTTP/1.1 400 Bad Request" SERVER);
  case 404: return PUTS(p, "HTTP/1.1 404 Not Found" SERVER);
  case 405: return PUTS(p, "HTTP/1.1 405 Method Not Allowed" SERVER);
  case 413: return PUTS(p, "HTTP/1.1 413 Content Too Large" SERVER);
  case 414: return PUTS(p, "HTTP/1.1 414 URI Too Long" SERVER);
  case 431:
    return PUTS(p, "HTTP/1.1 431 Request Header Fields Too Large" SERVER);
  case 501: return PUTS(p, "HTTP/1.1 501 Not Implemented" SERVER);
  case 505: return PUTS(p, "HTTP/1.1 505 HTTP Version Not Supported" SERVER);
  default: return PUTS(p, "HTTP/1.1 500 Internal Server Error" SERVER);
  }
}

/* The whole head into c->head; at most ~200 bytes. */
static void rsp_head(srv_conn *c, int code, const char *type,
                     size_t type_len, uint64_t clen)
{
  char *p = rsp_status(c->head, code);

  p = rsp_put(p, type, type_len);
  p = PUTS(p, "\r\nContent-Length: ");
  p = rsp_put_u64(p, clen);
  if(code == 405)
    p = PUTS(p, "\r\nAllow: GET, HEAD");
  if(c->close_after)
    p = PUTS(p, "\r\nConnection: close");
  else if(c->http10)
    p = PUTS(p, "\r\nConnection: keep-alive");
  p = PUTS(p, "\r\n\r\n");
  c->r.head_len = (size_t)(p - c->head);
  c->r.head_off = 0;
  c->r.status = code;
  c->r.ctype = type;
  c->r.ctype_len = type_len;
  c->r.clen = clen;
}

void srv_response_reset(srv_conn *c)
{
  srv_resp *r = &c->r;

  if(r->owned)
    free(r->owned);
  if(r->file >= 0)
    close(r->file);
  if(r->obuf)
    srv_obuf_put(c->w, r->obuf);
  memset(r, 0, sizeof(*r));
  r->file = -1;
}

static const char *rsp_text(int code, size_t *len)
{
#define T(s) do { *len = sizeof(s) - 1; return s; } while(0)
  switch(code) {
  case 400: T("400 Bad Request\n");
  case 404: T("404 Not Found\n");
  case 405: T("405 Method Not Allowed\n");
  case 413: T("413 Content Too Large\n");
  case 414: T("414 URI Too Long\n");
  case 431: T("431 Request Header Fields Too Large\n");
  case 501: T("501 Not Implemented\n");
  case 505: T("505 HTTP Version Not Supported\n");
  default: T("500 Internal Server Error\n");
  }
#undef T
}

/* A short text reply; the connection's fate is already in close_after. */
static void rsp_simple(srv_conn *c, int code, int head_only)
{
  size_t n;
  const char *text = rsp_text(code, &n);

  srv_response_reset(c);
  rsp_head(c, code, TEXT, sizeof(TEXT) - 1, n);
  c->r.kind = BODY_MEM;
  c->r.mem = text;
  c->r.len = head_only ? 0 : n;
}

void srv_respond_error(srv_conn *c, int status)
{
  c->close_after = 1;
  rsp_simple(c, status, 0);
}

/* N of /bytes/N: digits only, at most SRV_MAX_BYTES. */
static int rsp_size(const char *s, size_t n, uint64_t *out)
{
  uint64_t v = 0;
  size_t i;

  if(n == 0 || n > 12)
    return -1;
  for(i = 0; i < n; i++) {
    if(s[i] < '0' || s[i] > '9')
      return -1;
    v = v * 10 + (uint64_t)(s[i] - '0');
  }
  if(v > SRV_MAX_BYTES)
    return -1;
  *out = v;
  return 0;
}

/* Opens name under the root without leaving it. */
static int rsp_open_beneath(int rootfd, const char *name)
{
  struct open_how how;
  long fd;

  memset(&how, 0, sizeof(how));
  how.flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  fd = syscall(SYS_openat2, rootfd, name, &how, sizeof(how));
  if(fd < 0 && errno == ENOSYS) /* before Linux 5.6: no symlinks at all */
    fd = openat(rootfd, name, O_RDONLY | O_CLOEXEC | O_NONBLOCK |
                O_NOCTTY | O_NOFOLLOW);
  return (int)fd;
}

/* A regular file under --root; 0 when there is none (the caller says
 * 404). ".." anywhere is refused outright. */
static int rsp_file(srv_conn *c, const char *path, size_t plen,
                    int head_only)
{
  char name[HB_HTTP_MAX_URI + 1];
  struct stat st;
  int fd;

  if(plen < 2 || path[0] != '/' || memmem(path, plen, "..", 2))
    return 0;
  memcpy(name, path + 1, plen - 1);
  name[plen - 1] = '\0';
  fd = rsp_open_beneath(c->w->s->rootfd, name);
  if(fd < 0)
    return 0;
  if(fstat(fd, &st) || !S_ISREG(st.st_mode)) {
    close(fd);
    return 0;
  }
  rsp_head(c, 200, OCTET, sizeof(OCTET) - 1, (uint64_t)st.st_size);
  if(head_only || st.st_size == 0) {
    close(fd);
    return 1;
  }
  c->r.kind = BODY_FILE;
  c->r.file = fd;
  c->r.len = (uint64_t)st.st_size;
  return 1;
}

static void rsp_stats(srv_conn *c, int head_only)
{
  char *buf = hb_malloc(SRV_STATS_MAX);
  size_t n;

  if(!buf) {
    srv_count(c->w, SRV_ERR_OOM, "stats reply");
    srv_respond_error(c, 500);
    return;
  }
  n = srv_stats_json(c->w->s, 0, buf, SRV_STATS_MAX);
  buf[n++] = '\n';
  rsp_head(c, 200, JSON, sizeof(JSON) - 1, n);
  c->r.kind = BODY_MEM;
  c->r.owned = buf;
  c->r.mem = buf;
  c->r.len = head_only ? 0 : n;
}

void srv_route(srv_conn *c, const hb_http_request *q)
{
  const char *path = q->path, *qm;
  size_t plen = q->path_len;
  int head_only;
  uint64_t n;

  srv_response_reset(c);
  c->close_after = !q->keep_alive;
  c->http10 = q->minor_version == 0;
  if(q->method_len == 3 && !memcmp(q->method, "GET", 3))
    head_only = 0;
  else if(q->method_len == 4 && !memcmp(q->method, "HEAD", 4))
    head_only = 1;
  else {
    rsp_simple(c, 405, 0);
    return;
  }
  qm = memchr(path, '?', plen);
  if(qm)
    plen = (size_t)(qm - path);

  if(plen > 7 && !memcmp(path, "/bytes/", 7)) {
    if(rsp_size(path + 7, plen - 7, &n)) {
      rsp_simple(c, 400, head_only);
      return;
    }
    rsp_head(c, 200, OCTET, sizeof(OCTET) - 1, n);
    c->r.kind = BODY_PATTERN;
    c->r.len = head_only ? 0 : n;
    return;
  }
  if(plen == 8 && !memcmp(path, "/__stats", 8)) {
    rsp_stats(c, head_only);
    return;
  }
  if(c->w->s->rootfd >= 0 && rsp_file(c, path, plen, head_only))
    return;
  rsp_simple(c, 404, head_only);
}

/* Appends to a bounded buffer; once full, the rest is dropped. */
typedef struct rsp_out {
  char *buf;
  size_t size, n;
} rsp_out;

static void rsp_printf(rsp_out *o, const char *fmt, ...)
  __attribute__((format(printf, 2, 3)));

static void rsp_printf(rsp_out *o, const char *fmt, ...)
{
  va_list ap;
  int k;

  if(o->n + 1 >= o->size)
    return;
  va_start(ap, fmt);
  k = vsnprintf(o->buf + o->n, o->size - o->n, fmt, ap);
  va_end(ap);
  if(k > 0)
    o->n += (size_t)k;
  if(o->n >= o->size)
    o->n = o->size - 1;
}

/* A library's name as a JSON string, or null when empty. */
static void rsp_json_str(rsp_out *o, const char *v)
{
  if(!*v) {
    rsp_printf(o, "null");
    return;
  }
  rsp_printf(o, "\"");
  for(; *v; v++) {
    unsigned char ch = (unsigned char)*v;
    if(ch == '"' || ch == '\\')
      rsp_printf(o, "\\%c", ch);
    else if(ch < 0x20 || ch == 0x7f)
      rsp_printf(o, "\\u%04x", ch);
    else
      rsp_printf(o, "%c", ch);
  }
  rsp_printf(o, "\"");
}

/* The resident set now (VmRSS), bytes; 0 when /proc cannot tell. */
static uint64_t rsp_rss_now(void)
{
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  unsigned long long kb = 0;

  while(f && fgets(line, sizeof(line), f))
    if(sscanf(line, "VmRSS: %llu kB", &kb) == 1)
      break;
  if(f)
    fclose(f);
  return (uint64_t)kb * 1024;
}

static uint64_t rsp_clock_ns(clockid_t id)
{
  struct timespec ts;

  if(clock_gettime(id, &ts))
    return 0;
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

size_t srv_stats_json(srv *s, int snapshot, char *buf, size_t size)
{
  uint64_t conns = 0, reqs = 0, hs = 0, hs_ns = 0, res = 0, body = 0;
  uint64_t h2c = 0, h2s = 0;
  uint64_t errs[SRV_ERR_COUNT], t_ns, cpu_ns;
  rsp_out o = { buf, size, 0 };
  double user, sys;
  struct rusage ru;
  int i, e;

  memset(errs, 0, sizeof(errs));
  for(i = 0; i < s->nworkers; i++) {
    srv_worker *w = &s->workers[i];
    conns += SRV_GET(w->conns);
    reqs += SRV_GET(w->requests);
    hs += SRV_GET(w->handshakes);
    hs_ns += SRV_GET(w->handshake_ns);
    res += SRV_GET(w->resumed);
    body += SRV_GET(w->bytes_body);
    h2c += SRV_GET(w->h2_conns);
    h2s += SRV_GET(w->h2_streams);
    for(e = 0; e < SRV_ERR_COUNT; e++)
      errs[e] += SRV_GET(w->errors[e]);
  }
  t_ns = hb_now_ns();
  cpu_ns = rsp_clock_ns(CLOCK_PROCESS_CPUTIME_ID);
  hb_cpu_times(0, &user, &sys);
  if(snapshot)
    rsp_printf(&o, "{\"snapshot\":1,\"t_ns\":%llu,",
               (unsigned long long)t_ns);
  else
    rsp_printf(&o, "{");
  rsp_printf(&o, "\"cpu_ns\":%llu,\"cpu_user_s\":%.6f,\"cpu_sys_s\":%.6f,",
             (unsigned long long)cpu_ns, user, sys);
  if(snapshot)
    rsp_printf(&o, "\"rss_bytes\":%llu,\"live\":%ld,",
               (unsigned long long)rsp_rss_now(), atomic_load(&s->live));
  else {
    getrusage(RUSAGE_SELF, &ru);
    rsp_printf(&o, "\"max_rss_bytes\":%llu,",
               (unsigned long long)ru.ru_maxrss * 1024);
  }
  rsp_printf(&o, "\"connections\":%llu,\"requests\":%llu,\"handshakes\":"
             "%llu,\"handshake_ns\":%llu,\"resumed\":%llu,"
             "\"bytes_body\":%llu,", (unsigned long long)conns,
             (unsigned long long)reqs, (unsigned long long)hs,
             (unsigned long long)hs_ns, (unsigned long long)res,
             (unsigned long long)body);
  rsp_printf(&o, "\"h2_connections\":%llu,\"h2_streams\":%llu,",
             (unsigned long long)h2c, (unsigned long long)h2s);
  if(snapshot) {
    rsp_printf(&o, "\"tls\":");
    if(atomic_load_explicit(&s->tls_state, memory_order_acquire) == 2) {
      const hb_tls_info *t = &s->tls_first;
      rsp_printf(&o, "{\"version\":");
      if(t->version == HB_TLS_1_3)
        rsp_printf(&o, "\"TLSv1.3\"");
      else if(t->version == HB_TLS_1_2)
        rsp_printf(&o, "\"TLSv1.2\"");
      else if(t->version)
        rsp_printf(&o, "\"0x%04x\"", (unsigned)t->version);
      else
        rsp_printf(&o, "null");
      rsp_printf(&o, ",\"cipher\":");
      rsp_json_str(&o, t->cipher);
      rsp_printf(&o, ",\"group\":");
      rsp_json_str(&o, t->group);
      rsp_printf(&o, "},");
    }
    else
      rsp_printf(&o, "null,");
  }
  rsp_printf(&o, "\"errors\":{");
  for(e = 0; e < SRV_ERR_COUNT; e++)
    rsp_printf(&o, "%s\"%s\":%llu", e ? "," : "", srv_err_names[e],
               (unsigned long long)errs[e]);
  rsp_printf(&o, "}}");
  return o.n;
}
