/*
 * Address resolution with getaddrinfo. Literal addresses never touch DNS
 * (AI_NUMERICHOST), so tests on 127.0.0.1 need no resolver.
 */
#include "net/resolve.h"

#include <netdb.h>
#include <rill/status.h>
#include <stdio.h>
#include <string.h>

int resolve_uri(const struct rill_uri *uri, struct sockaddr_storage *out)
{
  struct addrinfo hints, *res = NULL, *ai, *pick = NULL;
  char port[8];

  memset(&hints, 0, sizeof(hints));
  hints.ai_family = uri->family_hint;
  hints.ai_socktype = SOCK_DGRAM;
  hints.ai_flags = AI_NUMERICSERV | (uri->family_hint != AF_UNSPEC ? AI_NUMERICHOST : 0);
  snprintf(port, sizeof(port), "%u", (unsigned)uri->port);
  if (getaddrinfo(uri->host, port, &hints, &res) != 0 || !res)
    return RILL_ERESOLVE;
  for (ai = res; ai; ai = ai->ai_next) {
    if (ai->ai_family == AF_INET) {
      pick = ai;
      break;
    }
    if (ai->ai_family == AF_INET6 && !pick)
      pick = ai;
  }
  if (!pick || pick->ai_addrlen > sizeof(*out)) {
    freeaddrinfo(res);
    return RILL_ERESOLVE;
  }
  memset(out, 0, sizeof(*out));
  memcpy(out, pick->ai_addr, pick->ai_addrlen);
  freeaddrinfo(res);
  return RILL_OK;
}
