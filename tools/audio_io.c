/*
 * libsndfile for files; raw s16le through stdio for "-".
 *
 * Scaling. rill's integer payloads scale by powers of two (s16 = x * 2^15),
 * and libsndfile reads integer files the same way, but it writes floats to
 * integer files with a 0x7FFF factor, which would change every sample by up
 * to one step. So floats are written as 32-bit integers (x * 2^31, clamped),
 * which libsndfile narrows to the file's width by shifting: a stream of
 * 16-bit audio goes from file to file bit for bit.
 */
#include "audio_io.h"

#include <errno.h>
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct audio_file {
  SNDFILE *snd;      /* NULL for raw */
  FILE *raw;         /* stdin or stdout for raw */
  uint32_t channels;
  int16_t *scratch;  /* raw conversion buffer */
  int32_t *wide;     /* conversion buffer for libsndfile writes */
  size_t wide_samples;
  size_t scratch_frames;
  int failed;
};

static struct audio_file *new_file(uint32_t channels)
{
  struct audio_file *f = calloc(1, sizeof(*f));
  if (f)
    f->channels = channels;
  return f;
}

static int ensure_scratch(struct audio_file *f, size_t frames)
{
  if (f->scratch_frames >= frames)
    return 0;
  free(f->scratch);
  f->scratch = malloc(frames * f->channels * sizeof(int16_t));
  f->scratch_frames = f->scratch ? frames : 0;
  return f->scratch ? 0 : -1;
}

struct audio_file *audio_open_read(const char *path, uint32_t raw_rate, uint32_t raw_channels,
                                   uint32_t *rate, uint32_t *channels, char *err, size_t err_cap)
{
  struct audio_file *f;
  SF_INFO info;
  if (strcmp(path, "-") == 0) {
    f = new_file(raw_channels);
    if (!f) {
      snprintf(err, err_cap, "out of memory");
      return NULL;
    }
    f->raw = stdin;
    *rate = raw_rate;
    *channels = raw_channels;
    return f;
  }
  memset(&info, 0, sizeof(info));
  SNDFILE *snd = sf_open(path, SFM_READ, &info);
  if (!snd) {
    snprintf(err, err_cap, "cannot read '%s': %s", path, sf_strerror(NULL));
    return NULL;
  }
  if (info.channels < 1 || info.samplerate < 1) {
    snprintf(err, err_cap, "'%s' has no audio", path);
    sf_close(snd);
    return NULL;
  }
  f = new_file((uint32_t)info.channels);
  if (!f) {
    sf_close(snd);
    snprintf(err, err_cap, "out of memory");
    return NULL;
  }
  f->snd = snd;
  *rate = (uint32_t)info.samplerate;
  *channels = (uint32_t)info.channels;
  return f;
}

/* The major format whose usual extension matches `ext`. */
static int major_for_extension(const char *ext)
{
  SF_FORMAT_INFO fi;
  int count = 0, i;
  if (strcasecmp(ext, "raw") == 0 || strcasecmp(ext, "pcm") == 0)
    return SF_FORMAT_RAW;
  if (strcasecmp(ext, "aif") == 0)
    return SF_FORMAT_AIFF;
  if (strcasecmp(ext, "ogg") == 0 || strcasecmp(ext, "oga") == 0 || strcasecmp(ext, "opus") == 0)
    return SF_FORMAT_OGG;
  sf_command(NULL, SFC_GET_FORMAT_MAJOR_COUNT, &count, sizeof(count));
  for (i = 0; i < count; i++) {
    fi.format = i;
    if (sf_command(NULL, SFC_GET_FORMAT_MAJOR, &fi, sizeof(fi)) == 0 && fi.extension &&
        strcasecmp(fi.extension, ext) == 0)
      return fi.format;
  }
  return 0;
}

struct audio_file *audio_open_write(const char *path, uint32_t rate, uint32_t channels, char *err,
                                    size_t err_cap)
{
  static const int subtypes[] = {SF_FORMAT_PCM_16, SF_FORMAT_VORBIS, SF_FORMAT_FLOAT};
  struct audio_file *f;
  const char *dot;
  SF_INFO info;
  SNDFILE *snd = NULL;
  int major;
  size_t i;

  if (strcmp(path, "-") == 0) {
    f = new_file(channels);
    if (!f) {
      snprintf(err, err_cap, "out of memory");
      return NULL;
    }
    f->raw = stdout;
    return f;
  }
  dot = strrchr(path, '.');
  major = dot ? major_for_extension(dot + 1) : 0;
  if (!major) {
    snprintf(err, err_cap, "cannot tell the format of '%s' from its extension (use .wav, .flac, "
             ".aiff, .ogg, .raw or - for raw s16le on stdout)", path);
    return NULL;
  }
  for (i = 0; i < sizeof(subtypes) / sizeof(subtypes[0]) && !snd; i++) {
    memset(&info, 0, sizeof(info));
    info.samplerate = (int)rate;
    info.channels = (int)channels;
    info.format = major | subtypes[i];
    if (!sf_format_check(&info))
      continue;
    snd = sf_open(path, SFM_WRITE, &info);
    if (!snd) {
      snprintf(err, err_cap, "cannot write '%s': %s", path, sf_strerror(NULL));
      return NULL;
    }
  }
  if (!snd) {
    snprintf(err, err_cap, "no sample format for '%s' at %u Hz, %u channels", path, rate,
             channels);
    return NULL;
  }
  f = new_file(channels);
  if (!f) {
    sf_close(snd);
    snprintf(err, err_cap, "out of memory");
    return NULL;
  }
  f->snd = snd;
  return f;
}

long audio_read(struct audio_file *f, float *samples, size_t frames)
{
  size_t got, i;
  if (f->snd)
    return (long)sf_readf_float(f->snd, samples, (sf_count_t)frames);
  if (ensure_scratch(f, frames) != 0)
    return -1;
  got = fread(f->scratch, sizeof(int16_t) * f->channels, frames, f->raw);
  if (got < frames && ferror(f->raw))
    return -1;
  for (i = 0; i < got * f->channels; i++) {
    uint16_t u = (uint16_t)f->scratch[i];
    const uint8_t *b = (const uint8_t *)&u;
    int16_t le = (int16_t)(uint16_t)(b[0] | (b[1] << 8)); /* s16le whatever the host order */
    samples[i] = (float)le / 32768.0f;
  }
  return (long)got;
}

int audio_write(struct audio_file *f, const float *samples, size_t frames)
{
  size_t i, n = frames * f->channels;
  if (f->snd) {
    if (f->wide_samples < n) {
      free(f->wide);
      f->wide = malloc(n * sizeof(int32_t));
      f->wide_samples = f->wide ? n : 0;
      if (!f->wide)
        return -1;
    }
    for (i = 0; i < n; i++) {
      double x = (double)samples[i] * 2147483648.0;
      if (!(x > -2147483648.0))
        x = samples[i] != samples[i] ? 0.0 : -2147483648.0;
      if (x > 2147483647.0)
        x = 2147483647.0;
      f->wide[i] = (int32_t)x;
    }
    if (sf_writef_int(f->snd, f->wide, (sf_count_t)frames) != (sf_count_t)frames) {
      f->failed = 1;
      return -1;
    }
    return 0;
  }
  if (ensure_scratch(f, frames) != 0)
    return -1;
  for (i = 0; i < frames * f->channels; i++) {
    float x = samples[i];
    long v;
    uint8_t *b = (uint8_t *)&f->scratch[i];
    if (!(x > -1.0f))
      x = x != x ? 0.0f : -1.0f;
    if (x > 1.0f)
      x = 1.0f;
    v = lroundf(x * 32768.0f);
    if (v > 32767)
      v = 32767;
    b[0] = (uint8_t)(v & 0xff);
    b[1] = (uint8_t)((v >> 8) & 0xff);
  }
  if (fwrite(f->scratch, sizeof(int16_t) * f->channels, frames, f->raw) != frames ||
      fflush(f->raw) != 0) {
    f->failed = 1;
    return -1;
  }
  return 0;
}

int audio_close(struct audio_file *f)
{
  int failed;
  if (!f)
    return 0;
  failed = f->failed;
  if (f->snd && sf_close(f->snd) != 0)
    failed = 1;
  free(f->scratch);
  free(f->wide);
  free(f);
  return failed ? -1 : 0;
}
