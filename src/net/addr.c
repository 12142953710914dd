/*
 * Socket addresses as text: see addr.h.
 */
#include "net/addr.h"

#include <arpa/inet.h>
#include <rill/status.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

size_t addr_len(const struct sockaddr *sa)
{
  return sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
}

void addr_store(struct sockaddr_storage *out, const struct sockaddr *sa)
{
  memset(out, 0, sizeof(*out));
  memcpy(out, sa, addr_len(sa));
}

bool addr_same_host(const struct sockaddr *a, const struct sockaddr *b)
{
  if (a->sa_family != b->sa_family)
    return false;
  if (a->sa_family == AF_INET)
    return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
           ((const struct sockaddr_in *)b)->sin_addr.s_addr;
  if (a->sa_family == AF_INET6)
    return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
                  &((const struct sockaddr_in6 *)b)->sin6_addr, sizeof(struct in6_addr)) == 0;
  return false;
}

bool addr_equal(const struct sockaddr *a, const struct sockaddr *b)
{
  if (!addr_same_host(a, b))
    return false;
  if (a->sa_family == AF_INET)
    return ((const struct sockaddr_in *)a)->sin_port == ((const struct sockaddr_in *)b)->sin_port;
  return ((const struct sockaddr_in6 *)a)->sin6_port ==
         ((const struct sockaddr_in6 *)b)->sin6_port;
}

void addr_format(const struct sockaddr_storage *ss, char *buf, size_t cap)
{
  char host[INET6_ADDRSTRLEN] = "?";
  if (cap == 0)
    return;
  if (ss->ss_family == AF_INET) {
    const struct sockaddr_in *a = (const struct sockaddr_in *)(const void *)ss;
    inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
    snprintf(buf, cap, "%s:%u", host, (unsigned)ntohs(a->sin_port));
  } else if (ss->ss_family == AF_INET6) {
    const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)(const void *)ss;
    inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
    snprintf(buf, cap, "[%s]:%u", host, (unsigned)ntohs(a->sin6_port));
  } else {
    snprintf(buf, cap, "?");
  }
}

int addr_route_source(const struct sockaddr *dest, struct sockaddr_storage *out)
{
  socklen_t len = sizeof(*out);
  int status = RILL_ENETWORK;
  int fd = socket(dest->sa_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return RILL_ENETWORK;
  memset(out, 0, sizeof(*out));
  if (connect(fd, dest, dest->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                                     : sizeof(struct sockaddr_in)) == 0 &&
      getsockname(fd, (struct sockaddr *)out, &len) == 0)
    status = RILL_OK;
  close(fd);
  return status;
}
