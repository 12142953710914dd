/*
 * Status codes returned by every fallible rill function.
 *
 * The enum, the names and the messages come from one table, RILL_STATUS_MAP.
 * The table is append-only: numbers never change meaning between versions.
 * RILL_OK is 0; every error is negative.
 */
#ifndef RILL_STATUS_H
#define RILL_STATUS_H

#include <rill/export.h>

#ifdef __cplusplus
extern "C" {
#endif

/* XX(name, number, message) */
#define RILL_STATUS_MAP(XX)                                                     \
  XX(OK, 0, "success")                                                          \
  XX(EINVAL, -1, "invalid argument")                                            \
  XX(ENOMEM, -2, "out of memory: the system allocator failed")                 \
  XX(EBUDGET, -3, "memory budget exhausted")                                    \
  XX(EFULL, -4, "queue or ring is full")                                        \
  XX(EEMPTY, -5, "no data available yet")                                       \
  XX(EOVERFLOW, -6, "size computation overflows")                               \
  XX(EBUSY, -7, "resource still in use")                                        \
  XX(EMALFORMED, -8, "malformed packet")                                        \
  XX(EUNSUPPORTED, -9, "unsupported format or version")                         \
  XX(ENOSPC, -10, "output buffer too small")                                    \
  XX(EADDRINUSE, -11, "address already in use")                                 \
  XX(ENETWORK, -12, "network operation failed")                                 \
  XX(ERESOLVE, -13, "cannot resolve host name")                                 \
  XX(ESTATE, -14, "operation not allowed in this state")                       \
  XX(EUNRECOVERABLE, -15, "not enough FEC symbols to restore the lost ones")

enum rill_status {
#define RILL_STATUS_ENUM_(name, num, msg) RILL_##name = (num),
  RILL_STATUS_MAP(RILL_STATUS_ENUM_)
#undef RILL_STATUS_ENUM_
};

/*
 * Short symbolic name of a status ("RILL_EBUDGET"); "RILL_UNKNOWN" for a
 * number not in the table. Never NULL; the string is static.
 * Thread role: any.
 */
RILL_API const char *rill_status_name(int status);

/*
 * Human-readable message for a status; "unknown status" for a number not in
 * the table. Never NULL; the string is static.
 * Thread role: any.
 */
RILL_API const char *rill_status_message(int status);

#ifdef __cplusplus
}
#endif

#endif /* RILL_STATUS_H */
