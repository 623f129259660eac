/* The link as measured: TCP connect times and ICMP echo round trips from
 * the client namespace to the server namespace, taken by a child process
 * while the emulator keeps forwarding. */
#ifndef HB_LINK_PROBE_H
#define HB_LINK_PROBE_H

#include "netns.h"

/* Starts the probe child (n connects, n echoes); its result, one JSON
 * object, arrives on *out_fd followed by EOF. Returns its pid or -1. */
int probe_start(const struct link_side *client,
                const struct link_side *server, int n, int *out_fd);

#endif
