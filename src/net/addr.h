/*
 * Socket addresses as text, for logs and metrics: "IP:PORT" for IPv4,
 * "[IP]:PORT" for IPv6, "?" for anything else. Thread role: any.
 */
#ifndef RILL_NET_ADDR_H
#define RILL_NET_ADDR_H

#include <stddef.h>
#include <sys/socket.h>

/* Write `ss` into buf (cap bytes, always NUL-terminated when cap > 0). */
void addr_format(const struct sockaddr_storage *ss, char *buf, size_t cap);

/*
 * The local address this host sends to `dest` from (the kernel's route:
 * connect() of a throwaway UDP socket, then getsockname; nothing is sent).
 * RILL_OK or RILL_ENETWORK (no route). Thread role: control.
 */
int addr_route_source(const struct sockaddr *dest, struct sockaddr_storage *out);

#endif /* RILL_NET_ADDR_H */
