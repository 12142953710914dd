/*
 * Socket addresses: their length, copies, comparisons, and as text for logs
 * and metrics: "IP:PORT" for IPv4, "[IP]:PORT" for IPv6, "?" for anything
 * else. Thread role: any.
 */
#ifndef RILL_NET_ADDR_H
#define RILL_NET_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

/* The length of `sa` by its family (IPv6 or else IPv4), for bind, sendto and copies. */
size_t addr_len(const struct sockaddr *sa);

/* Copy `sa` into `out`, the rest of `out` zeroed. */
void addr_store(struct sockaddr_storage *out, const struct sockaddr *sa);

/* Same family and IP address, ports aside. */
bool addr_same_host(const struct sockaddr *a, const struct sockaddr *b);

/* Same family, IP address and port. */
bool addr_equal(const struct sockaddr *a, const struct sockaddr *b);

/* Write `ss` into buf (cap bytes, always NUL-terminated when cap > 0). */
void addr_format(const struct sockaddr_storage *ss, char *buf, size_t cap);

/*
 * The local address this host sends to `dest` from (the kernel's route:
 * connect() of a throwaway UDP socket, then getsockname; nothing is sent).
 * RILL_OK or RILL_ENETWORK (no route). Thread role: control.
 */
int addr_route_source(const struct sockaddr *dest, struct sockaddr_storage *out);

#endif /* RILL_NET_ADDR_H */
