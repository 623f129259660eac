/* Two named network namespaces, each with a TUN device whose other end
 * is a file descriptor held by the emulator in the original namespace. */
#ifndef HB_LINK_NETNS_H
#define HB_LINK_NETNS_H

#include <stddef.h>

#define LINK_CLIENT_ADDR "10.77.0.1"
#define LINK_SERVER_ADDR "10.77.0.2"
/* the same devices' IPv6 addresses (fd77::/64, unique local) */
#define LINK_CLIENT_ADDR6 "fd77::1"
#define LINK_SERVER_ADDR6 "fd77::2"
#define LINK_DEV "hbl0"
#define LINK_NS_PREFIX "hblink-"

struct link_side {
  char name[64];   /* under /run/netns */
  int ns_fd;       /* the namespace */
  int tun_fd;      /* packets the side sends come out here */
  int mounted;
};

/* Why the emulator cannot run here (no CAP_NET_ADMIN, no /dev/net/tun),
 * or NULL if it can. */
const char *link_env_problem(void);

/* Removes namespaces named LINK_NS_PREFIX<pid>-* whose emulator process
 * is gone (one killed with SIGKILL cannot clean up). */
void link_sweep_stale(void);

/* Creates the namespace "LINK_NS_PREFIX<pid>-<role>", its TUN device with
 * address local and peer, and returns to the original namespace.
 * 0 on success; else -1 with a reason in why. */
int link_side_create(struct link_side *s, const char *role,
                     const char *local, const char *peer, char *why,
                     size_t whylen);

/* Closes the device and removes the name; safe to call twice. */
void link_side_destroy(struct link_side *s);

/* In a child: enters the side's namespace (0 on success). */
int link_side_enter(const struct link_side *s);

#endif
