/* Locating (and, the first time, generating) the suite's certificates. */
#include "hb/certs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *const types[] = {
  "rsa-2048", "rsa-3072", "rsa-4096", "ecdsa-p256", "ecdsa-p384", "ed25519",
  NULL
};

int hb_cert_type_valid(const char *type)
{
  int i;

  for(i = 0; types[i]; i++)
    if(!strcmp(types[i], type))
      return 1;
  return 0;
}

static int cert_dir(char *buf, size_t size)
{
  const char *env = getenv("HTTPSBENCH_CERT_DIR");
  char self[4096];
  ssize_t n;

  if(env && *env) {
    snprintf(buf, size, "%s", env);
    return 0;
  }
  n = readlink("/proc/self/exe", self, sizeof(self) - 1);
  if(n < 0)
    return -1;
  self[n] = '\0';
  *strrchr(self, '/') = '\0';
  snprintf(buf, size, "%s/certs", self);
  return 0;
}

int hb_certs_ensure(const char *type, hb_cert_paths *p, hb_err *err)
{
  struct stat st;
  char base[4096], mark[4200];

  if(!hb_cert_type_valid(type))
    return hb_err_set(err, HB_ERROR, "unknown certificate type '%s' (known:"
                      " %s)", type, HB_CERT_TYPES);
  if(cert_dir(base, sizeof(base)))
    return hb_err_set(err, HB_ERROR, "cannot locate the certificate "
                      "directory");
  snprintf(p->dir, sizeof(p->dir), "%s/%s", base, type);
#define PATH(f, name) snprintf(p->f, sizeof(p->f), "%s/%s", p->dir, name)
  PATH(chain, "chain.pem");
  PATH(key, "key.pem");
  PATH(root, "root.pem");
  PATH(client_chain, "client-chain.pem");
  PATH(client_key, "client-key.pem");
  PATH(expired_chain, "expired-chain.pem");
  PATH(expired_key, "expired-key.pem");
  PATH(wronghost_chain, "wronghost-chain.pem");
  PATH(wronghost_key, "wronghost-key.pem");
#undef PATH
  /* link-san6: sets made before leaves named 10.77.0.2 and fd77::2 are
   * remade */
  snprintf(mark, sizeof(mark), "%s/link-san6", p->dir);
  if(stat(p->wronghost_chain, &st) != 0 || stat(mark, &st) != 0) {
    pid_t pid;
    int status = -1;
    char script[4200];

    snprintf(script, sizeof(script), "%s/scripts/gen-certs", HB_SOURCE_DIR);
    pid = fork();
    if(pid == 0) {
      execl("/bin/bash", "bash", script, base, type, (char *)NULL);
      _exit(127);
    }
    if(pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
       WEXITSTATUS(status) != 0 || stat(p->wronghost_chain, &st) != 0)
      return hb_err_set(err, HB_ERROR, "could not generate %s certificates"
                        " in %s with %s", type, base, script);
  }
  return HB_OK;
}
