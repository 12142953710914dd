/*
 * FEC reader (see fec_reader.h). One codec per receiver: the network thread
 * is the only decoder, so the rs8m tables (about 98 KiB) or the ldpc
 * workspace exist once, with the decoder's pointer arrays beside them.
 *
 * A block becomes "done" when all its source symbols are present or
 * restored (its buffers are released at once; later symbols of it are
 * ignored), or when it is abandoned. Decoding is tried whenever a symbol
 * arrives at a block that has lost source symbols and holds at least k
 * symbols: rs8m then always succeeds; ldpc may need a few more, and what it
 * restores on the way is kept and delivered at once.
 */
#include "pipeline/fec_reader.h"

#include <rill/status.h>
#include <string.h>

#include "core/mem.h"
#include "fec/ldpc.h"
#include "fec/rs8m.h"

typedef atomic_uint_least64_t counter_t;

struct fec_block {
  bool open;
  bool done;
  uint32_t sbn;
  uint16_t k;
  uint16_t n;            /* symbols in the block: rs8m 255; ldpc 0 until a repair tells */
  uint32_t symbol_bytes;
  uint16_t sources;      /* source symbols present (received or restored) */
  uint16_t symbols;      /* all symbols present */
  uint16_t tried_at;     /* `symbols` at the last failed decode: no retry before more */
  struct rill_buffer *buf[FEC_READER_MAX_N]; /* owned references, by ESI */
  uint16_t offset[FEC_READER_MAX_N];         /* symbol start in buf->data */
};

struct fec_session {
  struct fec_block blocks[FEC_READER_OPEN_BLOCKS];
  counter_t recovered, unrecoverable, repair_received, repair_dropped;
};

struct fec_reader {
  struct rill_arena *arena;    /* borrowed */
  struct rill_limiter *global; /* borrowed */
  size_t self_bytes;
  enum fec_scheme scheme;
  struct rill_pool *buffers;   /* borrowed: the context's */
  uint32_t max_sessions;
  struct fec_session *sessions; /* owned, inside this allocation */
  struct rs8m_codec *rs;        /* owned, inside this allocation (rs8m) */
  struct ldpc_codec ldpc;       /* workspace inside this allocation (ldpc) */
  /* Decoder arguments, network thread. */
  const uint8_t *symbols[FEC_READER_MAX_N];
  uint8_t *restore[FEC_READER_MAX_N];
  struct rill_buffer *restore_buf[FEC_READER_MAX_N];
  bool restored[FEC_READER_MAX_N];
  counter_t recovered, unrecoverable, repair_received, repair_dropped;
};

static void bump(counter_t *c)
{
  atomic_fetch_add_explicit(c, 1, memory_order_relaxed);
}

static uint64_t load(const counter_t *c)
{
  return atomic_load_explicit(c, memory_order_relaxed);
}

static size_t align16(size_t n)
{
  return (n + 15) & ~(size_t)15;
}

int fec_reader_create(struct rill_arena *arena, struct rill_limiter *global,
                      enum fec_scheme scheme, struct rill_pool *buffers, uint32_t max_sessions,
                      struct fec_reader **out)
{
  size_t head = align16(sizeof(struct fec_reader)), sess, codec = 0, total;
  struct fec_reader *fr;
  uint32_t i;
  int status;

  *out = NULL;
  if (!buffers || max_sessions == 0 || max_sessions > 65536 ||
      (scheme != FEC_SCHEME_RS8M && scheme != FEC_SCHEME_LDPC))
    return RILL_EINVAL;
  sess = align16(sizeof(struct fec_session) * max_sessions);
  if (scheme == FEC_SCHEME_RS8M) {
    codec = sizeof(struct rs8m_codec);
  } else {
    status = ldpc_workspace_bytes(FEC_READER_MAX_N - LDPC_MIN_R, FEC_READER_MAX_N - 1, &codec);
    if (status != RILL_OK)
      return status;
  }
  total = head + sess + codec;
  status = mem_alloc(arena, global, total, (void **)&fr);
  if (status != RILL_OK)
    return status;
  memset(fr, 0, head + sess);
  fr->arena = arena;
  fr->global = global;
  fr->self_bytes = total;
  fr->scheme = scheme;
  fr->buffers = buffers;
  fr->max_sessions = max_sessions;
  fr->sessions = (struct fec_session *)(void *)((uint8_t *)fr + head);
  for (i = 0; i < max_sessions; i++) {
    struct fec_session *fs = &fr->sessions[i];
    atomic_init(&fs->recovered, 0);
    atomic_init(&fs->unrecoverable, 0);
    atomic_init(&fs->repair_received, 0);
    atomic_init(&fs->repair_dropped, 0);
  }
  atomic_init(&fr->recovered, 0);
  atomic_init(&fr->unrecoverable, 0);
  atomic_init(&fr->repair_received, 0);
  atomic_init(&fr->repair_dropped, 0);
  if (scheme == FEC_SCHEME_RS8M) {
    fr->rs = (struct rs8m_codec *)(void *)((uint8_t *)fr + head + sess);
    rs8m_codec_init(fr->rs);
  } else {
    status = ldpc_codec_init(&fr->ldpc, (uint8_t *)fr + head + sess, codec,
                             FEC_READER_MAX_N - LDPC_MIN_R, FEC_READER_MAX_N - 1);
    if (status != RILL_OK) {
      mem_free(arena, global, fr, total);
      return status;
    }
  }
  *out = fr;
  return RILL_OK;
}

static void block_release(struct fec_block *b)
{
  size_t i;
  for (i = 0; i < FEC_READER_MAX_N; i++) {
    if (b->buf[i]) {
      buffer_unref(b->buf[i]);
      b->buf[i] = NULL;
    }
  }
}

static void block_clear(struct fec_block *b)
{
  block_release(b);
  b->open = false;
  b->done = false;
  b->sources = b->symbols = b->tried_at = 0;
}

void fec_reader_session_release(struct fec_reader *fr, uint32_t slot)
{
  size_t j;
  if (!fr || slot >= fr->max_sessions)
    return;
  for (j = 0; j < FEC_READER_OPEN_BLOCKS; j++)
    block_clear(&fr->sessions[slot].blocks[j]);
}

void fec_reader_session_start(struct fec_reader *fr, uint32_t slot)
{
  struct fec_session *fs;
  if (!fr || slot >= fr->max_sessions)
    return;
  fec_reader_session_release(fr, slot);
  fs = &fr->sessions[slot];
  atomic_store_explicit(&fs->recovered, 0, memory_order_relaxed);
  atomic_store_explicit(&fs->unrecoverable, 0, memory_order_relaxed);
  atomic_store_explicit(&fs->repair_received, 0, memory_order_relaxed);
  atomic_store_explicit(&fs->repair_dropped, 0, memory_order_relaxed);
}

void fec_reader_destroy(struct fec_reader *fr)
{
  uint32_t i;
  if (!fr)
    return;
  for (i = 0; i < fr->max_sessions; i++)
    fec_reader_session_release(fr, i);
  mem_free(fr->arena, fr->global, fr, fr->self_bytes);
}

enum fec_scheme fec_reader_scheme(const struct fec_reader *fr)
{
  return fr->scheme;
}

/* Close a block: a block left with sources missing is unrecoverable. */
static void block_abandon(struct fec_reader *fr, struct fec_session *fs, struct fec_block *b)
{
  if (b->open && !b->done && b->sources < b->k) {
    bump(&fs->unrecoverable);
    bump(&fr->unrecoverable);
  }
  block_clear(b);
}

/*
 * The open block for `sbn`, opening one if `sbn` is newer than the oldest
 * open block (which is then abandoned) or a slot is free; NULL for a
 * symbol of a block older than every open one.
 */
static struct fec_block *block_for(struct fec_reader *fr, struct fec_session *fs, uint32_t sbn,
                                   uint16_t k, uint32_t symbol_bytes)
{
  struct fec_block *oldest = NULL, *free_b = NULL, *b;
  size_t j;
  for (j = 0; j < FEC_READER_OPEN_BLOCKS; j++) {
    b = &fs->blocks[j];
    if (!b->open) {
      free_b = free_b ? free_b : b;
      continue;
    }
    if (b->sbn == sbn)
      return b;
    if (!oldest || fec_sbn_diff(fr->scheme, b->sbn, oldest->sbn) < 0)
      oldest = b;
  }
  if (!free_b) {
    if (fec_sbn_diff(fr->scheme, sbn, oldest->sbn) < 0)
      return NULL; /* late: its block is gone */
    block_abandon(fr, fs, oldest);
    free_b = oldest;
  }
  b = free_b;
  b->open = true;
  b->done = false;
  b->sbn = sbn;
  b->k = k;
  b->n = fr->scheme == FEC_SCHEME_RS8M ? FEC_RS8M_N : 0;
  b->symbol_bytes = symbol_bytes;
  b->sources = b->symbols = b->tried_at = 0;
  return b;
}

/* Run the decoder on `b` and deliver what it restores. */
static void block_decode(struct fec_reader *fr, struct fec_session *fs, struct fec_block *b,
                         struct rill_limiter *scope, fec_deliver_cb cb, void *user,
                         int64_t now_ns)
{
  size_t i, n = b->n, got = 0;
  int status;

  for (i = 0; i < n; i++) {
    fr->symbols[i] = b->buf[i] ? b->buf[i]->data + b->offset[i] : NULL;
    if (i < b->k) {
      fr->restore[i] = NULL;
      fr->restore_buf[i] = NULL;
      fr->restored[i] = false;
    }
  }
  for (i = 0; i < b->k; i++) {
    if (b->buf[i])
      continue;
    fr->restore_buf[i] = buffer_alloc(fr->buffers, scope);
    if (!fr->restore_buf[i])
      goto release; /* no memory now: a later symbol tries again */
    fr->restore[i] = fr->restore_buf[i]->data;
    got++;
  }
  if (fr->scheme == FEC_SCHEME_RS8M)
    status = rs8m_decode(fr->rs, b->k, n, b->symbol_bytes, fr->symbols, fr->restore, fr->restored);
  else
    status = ldpc_decode(&fr->ldpc, b->k, n, b->symbol_bytes, fr->symbols, fr->restore,
                         fr->restored);
  for (i = 0; i < b->k; i++) {
    struct rill_buffer *rb = fr->restore_buf[i];
    if (!rb)
      continue;
    fr->restore_buf[i] = NULL;
    if (status != RILL_OK && status != RILL_EUNRECOVERABLE) {
      buffer_unref(rb);
      continue;
    }
    if (!fr->restored[i]) {
      buffer_unref(rb);
      continue;
    }
    rb->len_bytes = b->symbol_bytes;
    b->buf[i] = rb;
    b->offset[i] = 0;
    b->sources++;
    b->symbols++;
    buffer_ref(rb); /* one for the block, one for the receiver */
    if (cb(user, rb, b->symbol_bytes, now_ns)) {
      bump(&fs->recovered);
      bump(&fr->recovered);
    }
  }
  if (status == RILL_OK || b->sources == b->k) {
    b->done = true;
    block_release(b);
  } else if (status != RILL_EUNRECOVERABLE) {
    /* The block does not fit this codec (k or n too large): give up on it. */
    bump(&fs->unrecoverable);
    bump(&fr->unrecoverable);
    b->done = true;
    block_release(b);
  } else {
    b->tried_at = b->symbols;
  }
  return;

release:
  for (i = 0; i < b->k; i++) {
    if (fr->restore_buf[i]) {
      buffer_unref(fr->restore_buf[i]);
      fr->restore_buf[i] = NULL;
    }
  }
  (void)got;
}

/* A symbol was added to `b`: finish the block or decode if it can. */
static void block_progress(struct fec_reader *fr, struct fec_session *fs, struct fec_block *b,
                           struct rill_limiter *scope, fec_deliver_cb cb, void *user,
                           int64_t now_ns)
{
  if (b->sources == b->k) {
    b->done = true;
    block_release(b);
    return;
  }
  if (b->n == 0 || b->symbols < b->k || b->symbols == b->tried_at)
    return;
  block_decode(fr, fs, b, scope, cb, user, now_ns);
}

void fec_reader_on_source(struct fec_reader *fr, uint32_t slot, struct rill_buffer *buf,
                          const struct fec_payload_id *id, size_t symbol_bytes,
                          struct rill_limiter *scope, fec_deliver_cb cb, void *user,
                          int64_t now_ns)
{
  struct fec_session *fs;
  struct fec_block *b;
  if (!fr || slot >= fr->max_sessions || id->k > FEC_READER_MAX_N || symbol_bytes > UINT16_MAX)
    return;
  fs = &fr->sessions[slot];
  b = block_for(fr, fs, id->sbn, id->k, (uint32_t)symbol_bytes);
  /* A source packet that does not fit its block still plays; FEC ignores it. */
  if (!b || b->done || b->k != id->k || b->symbol_bytes != symbol_bytes || b->buf[id->esi])
    return;
  buffer_ref(buf);
  b->buf[id->esi] = buf;
  b->offset[id->esi] = 0;
  b->sources++;
  b->symbols++;
  block_progress(fr, fs, b, scope, cb, user, now_ns);
}

void fec_reader_on_repair(struct fec_reader *fr, uint32_t slot, struct rill_buffer *buf,
                          const struct fec_payload_id *id, size_t symbol_offset,
                          struct rill_limiter *scope, fec_deliver_cb cb, void *user,
                          int64_t now_ns)
{
  struct fec_session *fs;
  struct fec_block *b;
  size_t symbol_bytes = buf->len_bytes - symbol_offset;

  if (!fr || slot >= fr->max_sessions) {
    buffer_unref(buf);
    return;
  }
  fs = &fr->sessions[slot];
  bump(&fs->repair_received);
  bump(&fr->repair_received);
  /* rs8m: every repair ESI < 255 fits; ldpc: n from the header must fit. */
  if (id->esi >= FEC_READER_MAX_N || id->k > FEC_READER_MAX_N ||
      (fr->scheme == FEC_SCHEME_LDPC && id->n > FEC_READER_MAX_N))
    goto drop;
  b = block_for(fr, fs, id->sbn, id->k, (uint32_t)symbol_bytes);
  if (!b)
    goto drop;
  if (b->done)
    goto ignore; /* complete or restored already: not needed */
  if (b->k != id->k || b->symbol_bytes != symbol_bytes || b->buf[id->esi] ||
      (fr->scheme == FEC_SCHEME_LDPC && b->n != 0 && b->n != id->n))
    goto drop;
  if (!buffer_recharge(buf, scope))
    goto drop;
  if (fr->scheme == FEC_SCHEME_LDPC)
    b->n = id->n;
  b->buf[id->esi] = buf;
  b->offset[id->esi] = (uint16_t)symbol_offset;
  b->symbols++;
  block_progress(fr, fs, b, scope, cb, user, now_ns);
  return;

drop:
  bump(&fs->repair_dropped);
  bump(&fr->repair_dropped);
ignore:
  buffer_unref(buf);
}

void fec_reader_count_orphan_repair(struct fec_reader *fr)
{
  bump(&fr->repair_dropped);
}

static void read_stats(const counter_t *rec, const counter_t *unrec, const counter_t *rr,
                       const counter_t *rd, struct fec_reader_stats *out)
{
  out->recovered = load(rec);
  out->unrecoverable = load(unrec);
  out->repair_received = load(rr);
  out->repair_dropped = load(rd);
}

void fec_reader_session_stats(const struct fec_reader *fr, uint32_t slot,
                              struct fec_reader_stats *out)
{
  const struct fec_session *fs;
  memset(out, 0, sizeof(*out));
  if (!fr || slot >= fr->max_sessions)
    return;
  fs = &fr->sessions[slot];
  read_stats(&fs->recovered, &fs->unrecoverable, &fs->repair_received, &fs->repair_dropped, out);
}

void fec_reader_total_stats(const struct fec_reader *fr, struct fec_reader_stats *out)
{
  memset(out, 0, sizeof(*out));
  if (!fr)
    return;
  read_stats(&fr->recovered, &fr->unrecoverable, &fr->repair_received, &fr->repair_dropped, out);
}
