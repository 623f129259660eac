/* The curl engine (httpsbench-curl): libcurl as the real-world client.
 *
 * main.c dispatches the subcommands, probe.c times single requests through
 * the easy interface, load.c drives many connections through the multi
 * interface, common.c holds what both share. This engine links libcurl
 * (and the OpenSSL libcurl was built with, for the negotiated version and
 * cipher), never one of our backends: it is its own executable. */
#ifndef HB_CLIENTS_CURL_ENGINE_H
#define HB_CLIENTS_CURL_ENGINE_H

#include <curl/curl.h>
#include <stddef.h>

/* What every transfer of both commands is configured with. */
typedef struct cu_opts {
  int tls_version;      /* 0 (curl's default), 12 or 13 */
  const char *cacert;   /* NULL: the system's trust store */
  int insecure;
  double timeout;       /* seconds per request, whole transfer */
  struct curl_slist *resolve; /* --resolve HOST:PORT:ADDR entries */
} cu_opts;

/* The negotiated TLS parameters of a handle's current connection. */
typedef struct cu_tls_info {
  int have;
  int resumed;
  char version[32], cipher[80], group[32];
} cu_tls_info;

/* An absolute http:// or https:// URL that libcurl accepts; 0 with
 * *https set, -1 with why. */
int cu_url_check(const char *text, int *https, char *why, size_t whylen);

/* HOST:PORT:ADDR as curl's --resolve takes it; 0 when well formed. */
int cu_resolve_check(const char *entry);

/* The options both commands declare (hb/opts.h): --tls's choices, and
 * --timeout's check (dest a double *: 0.001 to 3600 seconds). */
extern const char *const cu_tls_versions[]; /* "1.2", "1.3", NULL */
int cu_opt_timeout(const char *value, void *dest, char *why, size_t size);

/* Applies o to h (TLS version, trust, timeout, resolve, no signals). */
CURLcode cu_apply_opts(CURL *h, const cu_opts *o);

/* Fills out from the connection h is using now (call it while the
 * transfer runs, e.g. from a header callback); out->have stays 0 when
 * the connection has no TLS or the TLS library is not OpenSSL. */
void cu_tls_info_get(CURL *h, cu_tls_info *out);

/* The TLS library libcurl was built with ("OpenSSL/3.0.17"). */
const char *cu_tls_library(void);

/* libcurl's version number ("7.88.1"). */
const char *cu_libcurl_version(void);

/* Non-zero when this libcurl speaks HTTP/2. */
int cu_has_http2(void);

/* Transfer progress callback: aborts the transfer on SIGINT/SIGTERM. */
int cu_progress(void *p, curl_off_t dt, curl_off_t dn, curl_off_t ut,
                curl_off_t un);

/* "1.1", "2" ... from CURLINFO_HTTP_VERSION; "?" when unknown. */
const char *cu_http_version_name(long v);

/* Subcommands; argv[0] is the subcommand. */
int cu_probe_main(int argc, char **argv);
int cu_load_main(int argc, char **argv);

#endif
