/* ALPN lists (RFC 7301) in the shapes the libraries take, and the
 * server's choice by its own preference (include/hb/tls_layer.h). */
#include <string.h>

#include "hb/tls_layer.h"

int hb_alpn_parse(const char *text, hb_alpn_list *out, hb_err *err)
{
  const char *p = text;
  size_t w = 0, c = 0;

  memset(out, 0, sizeof(*out));
  if(!text || !*text)
    return HB_OK;
  for(;;) {
    const char *end = strchr(p, ',');
    size_t n = end ? (size_t)(end - p) : strlen(p);
    int i;

    if(!n)
      return hb_err_set(err, HB_ERROR, "ALPN list '%s': empty name", text);
    if(n > HB_ALPN_NAME_MAX)
      return hb_err_set(err, HB_ERROR, "ALPN list '%s': a name over %d "
                        "bytes", text, HB_ALPN_NAME_MAX);
    if(out->n == HB_ALPN_MAX)
      return hb_err_set(err, HB_ERROR, "ALPN list '%s': over %d names",
                        text, HB_ALPN_MAX);
    for(i = 0; i < out->n; i++)
      if(out->len[i] == n && !memcmp(out->names[i], p, n))
        return hb_err_set(err, HB_ERROR, "ALPN list '%s': '%.*s' twice",
                          text, (int)n, p);
    memcpy(out->names[out->n], p, n);
    out->names[out->n][n] = '\0';
    out->len[out->n] = (unsigned char)n;
    out->ptrs[out->n] = out->names[out->n];
    out->wire[w++] = (unsigned char)n;
    memcpy(out->wire + w, p, n);
    w += n;
    if(c)
      out->comma[c++] = ',';
    memcpy(out->comma + c, p, n);
    c += n;
    out->n++;
    if(!end)
      break;
    p = end + 1;
  }
  out->wire_len = w;
  out->comma[c] = '\0';
  out->ptrs[out->n] = NULL;
  return HB_OK;
}

int hb_alpn_select(const hb_alpn_list *ours, const unsigned char *offer,
                   size_t len)
{
  int i;

  for(i = 0; i < ours->n; i++) {
    size_t off = 0;

    while(off < len) {
      size_t n = offer[off];

      if(n == 0 || n > len - off - 1)
        return -1; /* malformed: refuse to pick from it */
      if(n == ours->len[i] && !memcmp(offer + off + 1, ours->names[i], n))
        return i;
      off += 1 + n;
    }
  }
  return -1;
}

size_t hb_alpn_copy(const void *p, size_t n, char *out, size_t len)
{
  if(!len)
    return 0;
  if(!p)
    n = 0;
  if(n > len - 1)
    n = len - 1;
  if(n)
    memcpy(out, p, n);
  out[n] = '\0';
  return n;
}
