/* Namespaces and TUN devices through system calls only (no `ip`): the
 * namespace is made with unshare, named by a bind mount under
 * /run/netns (as iproute2 does, so `ip netns exec` works during a run),
 * and the TUN device is opened inside it before returning. */
#include "netns.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <net/route.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define NETNS_DIR "/run/netns"

const char *link_env_problem(void)
{
  struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
  struct __user_cap_data_struct d[2];
  int fd;

  memset(d, 0, sizeof(d));
  if(syscall(SYS_capget, &h, d) ||
     !(d[CAP_NET_ADMIN / 32].effective & (1u << (CAP_NET_ADMIN % 32))) ||
     !(d[CAP_SYS_ADMIN / 32].effective & (1u << (CAP_SYS_ADMIN % 32))))
    return "needs CAP_NET_ADMIN and CAP_SYS_ADMIN (run as root)";
  fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
  if(fd < 0)
    return "cannot open /dev/net/tun (no TUN support here)";
  close(fd);
  return NULL;
}

void link_sweep_stale(void)
{
  DIR *dir = opendir(NETNS_DIR);
  struct dirent *e;
  char path[512];
  size_t plen = strlen(LINK_NS_PREFIX);

  if(!dir)
    return;
  while((e = readdir(dir))) {
    long pid;
    char *end;
    if(strncmp(e->d_name, LINK_NS_PREFIX, plen))
      continue;
    pid = strtol(e->d_name + plen, &end, 10);
    if(pid <= 0 || *end != '-' || kill((pid_t)pid, 0) == 0 ||
       errno != ESRCH)
      continue;
    snprintf(path, sizeof(path), NETNS_DIR "/%s", e->d_name);
    umount2(path, MNT_DETACH);
    unlink(path);
  }
  closedir(dir);
}

static int set_addr(int sock, unsigned long req, const char *ip)
{
  struct ifreq ifr;
  struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;

  memset(&ifr, 0, sizeof(ifr));
  snprintf(ifr.ifr_name, IFNAMSIZ, "%s", LINK_DEV);
  sin->sin_family = AF_INET;
  inet_pton(AF_INET, ip, &sin->sin_addr);
  return ioctl(sock, req, &ifr);
}

static int up(int sock, const char *dev)
{
  struct ifreq ifr;

  memset(&ifr, 0, sizeof(ifr));
  snprintf(ifr.ifr_name, IFNAMSIZ, "%s", dev);
  if(ioctl(sock, SIOCGIFFLAGS, &ifr))
    return -1;
  ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
  return ioctl(sock, SIOCSIFFLAGS, &ifr);
}

/* IPv6 on, quietly: no duplicate address detection (an address is
 * usable at once), no router solicitations or advertisements taken, no
 * link-local address (so no multicast listener reports for it). The
 * "default" settings apply to the device made next. A kernel without
 * IPv6 leaves the files absent: the link is then IPv4 only. */
static void quiet_ipv6(void)
{
  static const char *const k[][2] = {
    { "default/disable_ipv6", "0" }, { "all/disable_ipv6", "0" },
    { "default/accept_dad", "0" }, { "default/dad_transmits", "0" },
    { "default/router_solicitations", "0" }, { "default/accept_ra", "0" },
    { "default/autoconf", "0" }, { "default/addr_gen_mode", "1" } };
  char path[128];
  size_t i;

  for(i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
    int fd;
    snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s", k[i][0]);
    fd = open(path, O_WRONLY | O_CLOEXEC);
    if(fd >= 0) {
      if(write(fd, k[i][1], strlen(k[i][1])) < 0) {
        /* optional, as above */
      }
      close(fd);
    }
  }
}

/* The device's IPv6 address, prefix /64 (its route through the device);
 * 0 also when the kernel has no IPv6 (the link is then IPv4 only). */
static int set_addr6(const char *ip)
{
  struct in6_ifreq {       /* linux/ipv6.h's, which clashes with libc's */
    struct in6_addr addr;
    uint32_t prefixlen;
    int ifindex;
  } r;
  struct ifreq ifr;
  int sock = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc;

  if(sock < 0)
    return errno == EAFNOSUPPORT ? 0 : -1;
  memset(&ifr, 0, sizeof(ifr));
  snprintf(ifr.ifr_name, IFNAMSIZ, "%s", LINK_DEV);
  memset(&r, 0, sizeof(r));
  inet_pton(AF_INET6, ip, &r.addr);
  r.prefixlen = 64;
  rc = ioctl(sock, SIOCGIFINDEX, &ifr);
  if(!rc) {
    r.ifindex = ifr.ifr_ifindex;
    rc = ioctl(sock, SIOCSIFADDR, &r);
  }
  close(sock);
  return rc;
}

/* Inside the new namespace: device, addresses, loopback. */
static int setup_inside(struct link_side *s, const char *local,
                        const char *peer, char *why, size_t whylen)
{
  struct ifreq ifr;
  int sock;

  quiet_ipv6();
  s->tun_fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if(s->tun_fd < 0) {
    snprintf(why, whylen, "open /dev/net/tun: %s", strerror(errno));
    return -1;
  }
  memset(&ifr, 0, sizeof(ifr));
  ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
  snprintf(ifr.ifr_name, IFNAMSIZ, "%s", LINK_DEV);
  if(ioctl(s->tun_fd, TUNSETIFF, &ifr)) {
    snprintf(why, whylen, "TUNSETIFF: %s", strerror(errno));
    return -1;
  }
  sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if(sock < 0) {
    snprintf(why, whylen, "socket: %s", strerror(errno));
    return -1;
  }
  memset(&ifr, 0, sizeof(ifr));
  snprintf(ifr.ifr_name, IFNAMSIZ, "%s", LINK_DEV);
  ifr.ifr_mtu = 1500;
  if(ioctl(sock, SIOCSIFMTU, &ifr) ||
     set_addr(sock, SIOCSIFADDR, local) ||
     set_addr(sock, SIOCSIFDSTADDR, peer) ||
     up(sock, LINK_DEV) || up(sock, "lo") ||
     set_addr6(!strcmp(local, LINK_CLIENT_ADDR) ? LINK_CLIENT_ADDR6
               : LINK_SERVER_ADDR6)) {
    snprintf(why, whylen, "configuring %s: %s", LINK_DEV, strerror(errno));
    close(sock);
    return -1;
  }
  close(sock);
  return 0;
}

int link_side_create(struct link_side *s, const char *role,
                     const char *local, const char *peer, char *why,
                     size_t whylen)
{
  char path[256];
  int orig, fd, rc = -1;

  memset(s, 0, sizeof(*s));
  s->ns_fd = s->tun_fd = -1;
  snprintf(s->name, sizeof(s->name), LINK_NS_PREFIX "%ld-%s",
           (long)getpid(), role);
  orig = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  if(orig < 0) {
    snprintf(why, whylen, "open /proc/self/ns/net: %s", strerror(errno));
    return -1;
  }
  if(unshare(CLONE_NEWNET)) {
    snprintf(why, whylen, "unshare(CLONE_NEWNET): %s", strerror(errno));
    close(orig);
    return -1;
  }
  s->ns_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  if(s->ns_fd < 0) {
    snprintf(why, whylen, "open new namespace: %s", strerror(errno));
    goto out;
  }
  /* the name: an empty file with the namespace bind-mounted on it */
  mkdir(NETNS_DIR, 0755);
  snprintf(path, sizeof(path), NETNS_DIR "/%s", s->name);
  fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
  if(fd < 0) {
    snprintf(why, whylen, "create %s: %s", path, strerror(errno));
    goto out;
  }
  close(fd);
  if(mount("/proc/self/ns/net", path, "none", MS_BIND, NULL)) {
    snprintf(why, whylen, "bind mount %s: %s", path, strerror(errno));
    unlink(path);
    goto out;
  }
  s->mounted = 1;
  rc = setup_inside(s, local, peer, why, whylen);
out:
  if(setns(orig, CLONE_NEWNET) && rc == 0) {
    snprintf(why, whylen, "back to the original namespace: %s",
             strerror(errno));
    rc = -1;
  }
  close(orig);
  if(rc)
    link_side_destroy(s);
  return rc;
}

void link_side_destroy(struct link_side *s)
{
  char path[256];

  if(s->tun_fd >= 0)
    close(s->tun_fd);
  if(s->ns_fd >= 0)
    close(s->ns_fd);
  s->tun_fd = s->ns_fd = -1;
  if(s->mounted) {
    snprintf(path, sizeof(path), NETNS_DIR "/%s", s->name);
    umount2(path, MNT_DETACH);
    unlink(path);
    s->mounted = 0;
  }
}

int link_side_enter(const struct link_side *s)
{
  return setns(s->ns_fd, CLONE_NEWNET);
}
