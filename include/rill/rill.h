/*
 * rill: real-time audio streaming over RTP/UDP with bounded memory.
 * Umbrella header: includes every public header.
 */
#ifndef RILL_H
#define RILL_H

#include <rill/export.h>
#include <rill/status.h>

#endif /* RILL_H */
