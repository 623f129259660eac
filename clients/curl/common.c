/* What the probe and the load mode share: URL and --resolve checks, the
 * options every transfer gets, the negotiated TLS parameters, libcurl's
 * features. The only file of the engine that sees OpenSSL: libcurl hands
 * out its SSL pointer, and the version and cipher are read from it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#ifdef HB_CURL_OPENSSL
#include <openssl/ssl.h>
#endif

#include "curl_engine.h"
#include "hb/cli.h"
#include "hb/sig.h"

int cu_url_check(const char *text, int *https, char *why, size_t whylen)
{
  CURLU *u = curl_url();
  CURLUcode uc;
  char *scheme = NULL, *host = NULL;
  int rc = -1;

  if(!u) {
    snprintf(why, whylen, "out of memory");
    return -1;
  }
  /* any scheme parses: ours is the clearer message for the wrong one */
  uc = curl_url_set(u, CURLUPART_URL, text, CURLU_NON_SUPPORT_SCHEME);
  if(uc) {
    snprintf(why, whylen, "'%s' is not a valid URL: %s", text,
             curl_url_strerror(uc));
    goto out;
  }
  if(curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) || !scheme) {
    snprintf(why, whylen, "'%s' has no scheme (http:// or https://)",
             text);
    goto out;
  }
  if(strcasecmp(scheme, "http") && strcasecmp(scheme, "https")) {
    snprintf(why, whylen, "unsupported scheme '%.20s' in '%s' (http or "
             "https)", scheme, text);
    goto out;
  }
  /* "http:host" or "http:/x" parse; a request needs a host */
  if(curl_url_get(u, CURLUPART_HOST, &host, 0) || !host || !host[0] ||
     strncasecmp(text + strlen(scheme), "://", 3)) {
    snprintf(why, whylen, "no host in '%s' (http://HOST:PORT/path)", text);
    goto out;
  }
  *https = !strcasecmp(scheme, "https");
  rc = 0;
out:
  curl_free(scheme);
  curl_free(host);
  curl_url_cleanup(u);
  return rc;
}

const char *const cu_tls_versions[] = { "1.2", "1.3", NULL };

int cu_opt_timeout(const char *value, void *dest, char *why, size_t size)
{
  double t;

  if(hb_parse_seconds(value, 3600, &t) || t < 0.001) {
    snprintf(why, size, "'%s' is not a number of seconds (0.001 to 3600)",
             value);
    return -1;
  }
  *(double *)dest = t;
  return 0;
}

int cu_resolve_check(const char *entry)
{
  const char *host, *port, *addr;
  size_t hlen, plen;
  long v;

  /* HOST:PORT:ADDR, HOST possibly [IPv6] */
  if(hb_hostport_split(entry, strlen(entry), &host, &hlen, &port, &plen) ||
     !hlen || !port)
    return -1;
  addr = memchr(port, ':', plen);
  if(!addr || !addr[1] || hb_parse_port(port, (size_t)(addr - port), 1, &v))
    return -1;
  return 0;
}

CURLcode cu_apply_opts(CURL *h, const cu_opts *o)
{
  CURLcode rc = CURLE_OK;
  long ver = CURL_SSLVERSION_DEFAULT;

  if(o->tls_version == 12)
    ver = CURL_SSLVERSION_TLSv1_2 | CURL_SSLVERSION_MAX_TLSv1_2;
  else if(o->tls_version == 13)
    ver = CURL_SSLVERSION_TLSv1_3 | CURL_SSLVERSION_MAX_TLSv1_3;
#define CU_SET(opt, val) \
  do { if(!rc) rc = curl_easy_setopt(h, opt, val); } while(0)
  CU_SET(CURLOPT_NOSIGNAL, 1L);
  CU_SET(CURLOPT_PROTOCOLS_STR, "http,https");
  CU_SET(CURLOPT_SSLVERSION, ver);
  if(o->cacert)
    CU_SET(CURLOPT_CAINFO, o->cacert);
  if(o->insecure) {
    CU_SET(CURLOPT_SSL_VERIFYPEER, 0L);
    CU_SET(CURLOPT_SSL_VERIFYHOST, 0L);
  }
  CU_SET(CURLOPT_TIMEOUT_MS, (long)(o->timeout * 1000));
  if(o->resolve)
    CU_SET(CURLOPT_RESOLVE, o->resolve);
  /* the progress callback is how a signal stops a running transfer */
  CU_SET(CURLOPT_XFERINFOFUNCTION, cu_progress);
  CU_SET(CURLOPT_NOPROGRESS, 0L);
#undef CU_SET
  return rc;
}

void cu_tls_info_get(CURL *h, cu_tls_info *out)
{
  struct curl_tlssessioninfo *ti = NULL;

  memset(out, 0, sizeof(*out));
  if(curl_easy_getinfo(h, CURLINFO_TLS_SSL_PTR, &ti) != CURLE_OK || !ti ||
     ti->backend != CURLSSLBACKEND_OPENSSL || !ti->internals)
    return;
#ifdef HB_CURL_OPENSSL
  {
    SSL *ssl = ti->internals;
    const char *c = SSL_get_cipher_name(ssl);
    const char *g = NULL;
    int nid = SSL_get_negotiated_group(ssl);

    if(nid)
      g = SSL_group_to_name(ssl, nid);
    snprintf(out->version, sizeof(out->version), "%s",
             SSL_get_version(ssl));
    snprintf(out->cipher, sizeof(out->cipher), "%s", c ? c : "");
    snprintf(out->group, sizeof(out->group), "%s", g ? g : "");
    out->resumed = SSL_session_reused(ssl) == 1;
    out->have = 1;
  }
#endif
}

const char *cu_tls_library(void)
{
  const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);

  return v->ssl_version && v->ssl_version[0] ? v->ssl_version
         : "no TLS library";
}

const char *cu_libcurl_version(void)
{
  return curl_version_info(CURLVERSION_NOW)->version;
}

int cu_has_http2(void)
{
  return (curl_version_info(CURLVERSION_NOW)->features &
          CURL_VERSION_HTTP2) != 0;
}

int cu_progress(void *p, curl_off_t dt, curl_off_t dn, curl_off_t ut,
                curl_off_t un)
{
  return hb_interrupted() ? 1 : 0;
}

const char *cu_http_version_name(long v)
{
  switch(v) {
  case CURL_HTTP_VERSION_1_0: return "1.0";
  case CURL_HTTP_VERSION_1_1: return "1.1";
  case CURL_HTTP_VERSION_2_0: return "2";
  case CURL_HTTP_VERSION_3: return "3";
  default: return "?";
  }
}
