/*
 * Resolve a parsed URI's host and port to a socket address (getaddrinfo;
 * may block on DNS). Thread role: control.
 */
#ifndef RILL_NET_RESOLVE_H
#define RILL_NET_RESOLVE_H

#include <sys/socket.h>

#include "net/uri.h"

/* RILL_OK or RILL_ERESOLVE. IPv4 is preferred for a name with both. */
int resolve_uri(const struct rill_uri *uri, struct sockaddr_storage *out);

#endif /* RILL_NET_RESOLVE_H */
