/*
 * Audio file input and output for the tools: any format libsndfile reads or
 * writes (chosen by the file name's extension when writing), or raw s16le on
 * stdin/stdout when the name is "-". Samples are interleaved float32.
 */
#ifndef RILL_TOOLS_AUDIO_IO_H
#define RILL_TOOLS_AUDIO_IO_H

#include <stddef.h>
#include <stdint.h>

struct audio_file;

/*
 * Open `path` for reading ("-": raw s16le from stdin at `raw_rate` Hz and
 * `raw_channels` channels). On success *rate and *channels tell the file's.
 * Returns NULL with a one-line message in err.
 */
struct audio_file *audio_open_read(const char *path, uint32_t raw_rate, uint32_t raw_channels,
                                   uint32_t *rate, uint32_t *channels, char *err, size_t err_cap);

/*
 * Open `path` for writing at `rate` and `channels` ("-": raw s16le to
 * stdout). The format comes from the extension (.wav 16-bit PCM, .flac,
 * .aiff, .ogg, .raw ...). NULL with a message in err.
 */
struct audio_file *audio_open_write(const char *path, uint32_t rate, uint32_t channels, char *err,
                                    size_t err_cap);

/* Read up to `frames` frames; returns frames read, 0 at the end, -1 on error. */
long audio_read(struct audio_file *f, float *samples, size_t frames);

/* Write `frames` frames; returns 0, or -1 on error (e.g. a closed pipe). */
int audio_write(struct audio_file *f, const float *samples, size_t frames);

/* Finish and close; returns 0 or -1 if the last writes failed. */
int audio_close(struct audio_file *f);

#endif /* RILL_TOOLS_AUDIO_IO_H */
