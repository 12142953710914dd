/*
 * rill: real-time audio streaming over RTP/UDP with bounded memory.
 * Umbrella header: includes every public header.
 */
#ifndef RILL_H
#define RILL_H

#include <rill/export.h>
#include <rill/log.h>
#include <rill/status.h>
#include <rill/context.h>
#include <rill/endpoint.h>
#include <rill/encoding.h>
#include <rill/metrics.h>
#include <rill/receiver.h>
#include <rill/sender.h>
#include <rill/discovery.h>
#include <rill/version.h>

#endif /* RILL_H */
