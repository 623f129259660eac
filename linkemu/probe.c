/* Link probes. The listening socket is made in the server namespace and
 * never accepts: the kernel completes the TCP handshake itself, and it
 * answers ICMP echo itself, so no server process adds its own time. */
#include "probe.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PROBE_TIMEOUT_MS 5000

static uint64_t now_ns(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int cmp_dbl(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return x < y ? -1 : x > y;
}

static void print_series(FILE *f, const char *name, double *v, int n,
                         int failed)
{
  int i;

  fprintf(f, "\"%s\":{\"n\":%d,\"failed\":%d,", name, n, failed);
  if(n) {
    qsort(v, (size_t)n, sizeof(*v), cmp_dbl);
    fprintf(f, "\"median\":%.6f,\"min\":%.6f,\"max\":%.6f,",
            n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2, v[0],
            v[n - 1]);
  } else
    fprintf(f, "\"median\":null,\"min\":null,\"max\":null,");
  fprintf(f, "\"samples\":[");
  for(i = 0; i < n; i++)
    fprintf(f, "%s%.6f", i ? "," : "", v[i]);
  fprintf(f, "]}");
}

static double connect_once(const struct sockaddr_in *to)
{
  int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  struct linger lg = { 1, 0 };
  struct pollfd p;
  uint64_t t0;
  double ms = -1;
  int err = 0;
  socklen_t el = sizeof(err);

  if(s < 0)
    return -1;
  t0 = now_ns();
  if(connect(s, (const struct sockaddr *)to, sizeof(*to)) &&
     errno != EINPROGRESS)
    goto out;
  p.fd = s;
  p.events = POLLOUT;
  if(poll(&p, 1, PROBE_TIMEOUT_MS) == 1 &&
     !getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &el) && !err)
    ms = (double)(now_ns() - t0) / 1e6;
out:
  /* a reset, not a FIN exchange: nothing lingers into the next probe */
  setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
  close(s);
  return ms;
}

static uint16_t csum(const void *data, size_t len)
{
  const uint8_t *b = data;
  uint32_t sum = 0;
  size_t i;

  for(i = 0; i + 1 < len; i += 2)
    sum += (uint32_t)(b[i] << 8 | b[i + 1]);
  if(len & 1)
    sum += (uint32_t)b[len - 1] << 8;
  while(sum >> 16)
    sum = (sum & 0xffff) + (sum >> 16);
  return htons((uint16_t)~sum);
}

static double echo_once(int s, const struct sockaddr_in *to, uint16_t id,
                        uint16_t seq)
{
  unsigned char pkt[64], in[1500];
  struct icmphdr *h = (struct icmphdr *)pkt;
  uint64_t t0 = now_ns();

  memset(pkt, 0, sizeof(pkt));
  h->type = ICMP_ECHO;
  h->un.echo.id = htons(id);
  h->un.echo.sequence = htons(seq);
  h->checksum = csum(pkt, sizeof(pkt));
  if(sendto(s, pkt, sizeof(pkt), 0, (const struct sockaddr *)to,
            sizeof(*to)) < 0)
    return -1;
  for(;;) {
    struct pollfd p = { s, POLLIN, 0 };
    int left = PROBE_TIMEOUT_MS - (int)((now_ns() - t0) / 1000000);
    ssize_t n;
    struct iphdr *ip = (struct iphdr *)in;
    struct icmphdr *r;
    if(left <= 0 || poll(&p, 1, left) != 1)
      return -1;
    n = recv(s, in, sizeof(in), 0);
    if(n < (ssize_t)sizeof(*ip) ||
       n < (ssize_t)(ip->ihl * 4u + sizeof(*r)))
      continue;
    r = (struct icmphdr *)(in + ip->ihl * 4);
    if(r->type == ICMP_ECHOREPLY && ntohs(r->un.echo.id) == id &&
       ntohs(r->un.echo.sequence) == seq)
      return (double)(now_ns() - t0) / 1e6;
  }
}

static void run(const struct link_side *client,
                const struct link_side *server, int n, FILE *out)
{
  struct sockaddr_in to;
  double *conn = calloc((size_t)n, sizeof(double));
  double *echo = calloc((size_t)n, sizeof(double));
  int nc = 0, ne = 0, i, ls, is;
  socklen_t tl = sizeof(to);

  memset(&to, 0, sizeof(to));
  to.sin_family = AF_INET;
  inet_pton(AF_INET, LINK_SERVER_ADDR, &to.sin_addr);
  if(!conn || !echo || link_side_enter(server))
    goto fail;
  ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if(ls < 0 || bind(ls, (struct sockaddr *)&to, sizeof(to)) ||
     listen(ls, 4096) || getsockname(ls, (struct sockaddr *)&to, &tl))
    goto fail;
  if(link_side_enter(client))
    goto fail;
  is = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
  for(i = 0; i < n; i++) {
    double c = connect_once(&to), e = is >= 0
               ? echo_once(is, &to, (uint16_t)getpid(), (uint16_t)i) : -1;
    if(c >= 0)
      conn[nc++] = c;
    if(e >= 0)
      echo[ne++] = e;
  }
  fprintf(out, "{");
  print_series(out, "tcp_connect_ms", conn, nc, n - nc);
  fprintf(out, ",");
  print_series(out, "echo_rtt_ms", echo, ne, n - ne);
  fprintf(out, "}");
  return;
fail:
  fprintf(out, "{\"error\":\"probe setup: %s\"}", strerror(errno));
}

int probe_start(const struct link_side *client,
                const struct link_side *server, int n, int *out_fd)
{
  int fds[2];
  pid_t pid;

  if(pipe2(fds, O_CLOEXEC))
    return -1;
  pid = fork();
  if(pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return -1;
  }
  if(pid == 0) {
    FILE *f;
    sigset_t all;
    sigemptyset(&all);
    sigprocmask(SIG_SETMASK, &all, NULL);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    close(fds[0]);
    close(client->tun_fd); /* the devices go when the emulator closes */
    close(server->tun_fd);
    f = fdopen(fds[1], "w");
    if(f) {
      run(client, server, n, f);
      fclose(f);
    }
    _exit(0);
  }
  close(fds[1]);
  *out_fd = fds[0];
  return pid;
}
