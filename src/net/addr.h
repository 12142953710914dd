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

#endif /* RILL_NET_ADDR_H */
