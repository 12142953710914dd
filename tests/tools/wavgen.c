/*
 * wavgen: write a deterministic test signal for integration and interop tests.
 *
 * The signal is built frame by frame in int16 and written either through
 * libsndfile (16-bit PCM; container chosen by the file extension) or as raw
 * s16le to a file or stdout. Every channel carries
 *
 *     round(amp * 32767 * sin(2*pi*freq*n/rate))
 *
 * (channel 2 uses --freq2 when given), the same formula as the shared roc
 * vectors, where n counts frames from the start of the signal. Optional
 * extras, each independent of the others:
 *   --counter        the last channel carries n & 0xffff as int16 instead,
 *                    so every frame is identifiable after transport;
 *   --delay-frames   that many frames of digital silence before the signal
 *                    (n starts at 0 after them), like a receiver's start-up;
 *   --gap-at/-len    a stretch of the signal replaced by exact zeros on all
 *                    channels (the timeline is kept), like a lost packet run;
 *   --noise          white Gaussian noise of the given RMS (full scale = 1.0)
 *                    added to the tone channels, from a seeded xorshift64*
 *                    generator, so files are reproducible.
 * Samples are clipped to the int16 range. Nothing here depends on rill.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sndfile.h>

#define ARG_PROG "wavgen"
#include "arg_parse.h"

#define WAVGEN_BLOCK_FRAMES 4096
#define WAVGEN_MAX_CHANNELS 64
#define WAVGEN_MAX_RATE 768000
#define WAVGEN_MAX_SECONDS 3600.0

struct wavgen_opts {
  const char *out_path; /* borrowed from argv; NULL or "-" = stdout (raw) */
  int raw;
  long rate;
  long channels;
  double duration_s;
  double freq_hz;
  double freq2_hz; /* 0 = same as freq_hz */
  double amp;
  int counter;
  long long delay_frames;
  double gap_at_s;  /* < 0: no gap */
  double gap_len_s;
  double noise_rms;
  uint64_t seed;
};

static void usage(FILE *f)
{
  fprintf(f,
    "usage: wavgen -o FILE [options]\n"
    "       wavgen --raw [-o FILE|-] [options]\n"
    "Write a test signal: a sine on every channel, 16-bit.\n"
    "\n"
    "  -o, --output FILE     output file; format by extension: .wav (WAV),\n"
    "                        .aif/.aiff (AIFF), .flac (FLAC), all 16-bit PCM;\n"
    "                        .raw/.s16/.pcm or '-' (stdout) write raw s16le\n"
    "      --raw             write raw s16le interleaved (to stdout unless -o)\n"
    "      --rate HZ         sample rate (default 44100)\n"
    "      --channels N      channel count, 1..%d (default 2)\n"
    "      --duration SEC    signal length in seconds, decimal (default 1.0)\n"
    "      --freq HZ         sine frequency on every channel (default 440)\n"
    "      --freq2 HZ        different sine frequency on channel 2\n"
    "      --amp A           sine amplitude, 0..1 of full scale (default 0.5)\n"
    "      --counter         last channel = frame counter n & 0xffff as int16\n"
    "      --delay-frames N  N frames of exact silence before the signal\n"
    "      --gap-at SEC      replace the signal from SEC (counted from the\n"
    "                        signal start, after the delay) with zeros...\n"
    "      --gap-len SEC     ...for SEC seconds (both options needed)\n"
    "      --noise RMS       add white Gaussian noise of that RMS (full\n"
    "                        scale 1.0) to the sine channels\n"
    "      --seed S          noise generator seed (default 1)\n"
    "  -h, --help            this text\n"
    "\n"
    "Output length = delay + round(duration * rate) frames. Exit 0 on\n"
    "success, 2 on a usage error, 1 on an I/O error.\n",
    WAVGEN_MAX_CHANNELS);
}

/* xorshift64* (Vigna); the state must not be 0. */
static uint64_t rng_next(uint64_t *s)
{
  uint64_t x = *s;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  *s = x;
  return x * UINT64_C(2685821657736338717);
}

/* Uniform in (0, 1]: never 0, so log() below is finite. */
static double rng_unit(uint64_t *s)
{
  return ((double)(rng_next(s) >> 11) + 1.0) * (1.0 / 9007199254740992.0);
}

static double rng_gauss(uint64_t *s)
{
  const double two_pi = 6.283185307179586476925286766559;
  double u1 = rng_unit(s);
  double u2 = rng_unit(s);
  return sqrt(-2.0 * log(u1)) * cos(two_pi * u2);
}

static int16_t clip16(double v)
{
  double r = nearbyint(v);
  if (r > 32767.0) {
    return 32767;
  }
  if (r < -32768.0) {
    return -32768;
  }
  return (int16_t)r;
}

static int ends_with(const char *s, const char *suffix)
{
  size_t n = strlen(s);
  size_t k = strlen(suffix);
  return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

/* Returns the libsndfile major format for the extension, 0 for raw, -1 unknown. */
static int format_for_path(const char *path)
{
  if (ends_with(path, ".wav")) {
    return SF_FORMAT_WAV;
  }
  if (ends_with(path, ".aif") || ends_with(path, ".aiff")) {
    return SF_FORMAT_AIFF;
  }
  if (ends_with(path, ".flac")) {
    return SF_FORMAT_FLAC;
  }
  if (ends_with(path, ".raw") || ends_with(path, ".s16") || ends_with(path, ".pcm")) {
    return 0;
  }
  return -1;
}

static int parse_args(int argc, char **argv, struct wavgen_opts *o)
{
  enum {
    OPT_RAW = 256, OPT_RATE, OPT_CHANNELS, OPT_DURATION, OPT_FREQ, OPT_FREQ2,
    OPT_AMP, OPT_COUNTER, OPT_DELAY, OPT_GAP_AT, OPT_GAP_LEN, OPT_NOISE, OPT_SEED
  };
  static const struct option longopts[] = {
    {"output", required_argument, NULL, 'o'},
    {"raw", no_argument, NULL, OPT_RAW},
    {"rate", required_argument, NULL, OPT_RATE},
    {"channels", required_argument, NULL, OPT_CHANNELS},
    {"duration", required_argument, NULL, OPT_DURATION},
    {"freq", required_argument, NULL, OPT_FREQ},
    {"freq2", required_argument, NULL, OPT_FREQ2},
    {"amp", required_argument, NULL, OPT_AMP},
    {"counter", no_argument, NULL, OPT_COUNTER},
    {"delay-frames", required_argument, NULL, OPT_DELAY},
    {"gap-at", required_argument, NULL, OPT_GAP_AT},
    {"gap-len", required_argument, NULL, OPT_GAP_LEN},
    {"noise", required_argument, NULL, OPT_NOISE},
    {"seed", required_argument, NULL, OPT_SEED},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
  };
  long long ll = 0;
  int have_gap_len = 0;

  opterr = 0;
  for (;;) {
    int c = getopt_long(argc, argv, ":o:h", longopts, NULL);
    if (c == -1) {
      break;
    }
    switch (c) {
    case 'o':
      o->out_path = optarg;
      break;
    case OPT_RAW:
      o->raw = 1;
      break;
    case OPT_RATE:
      if (parse_ll("--rate", optarg, 1, WAVGEN_MAX_RATE, &ll) != 0) {
        return -1;
      }
      o->rate = (long)ll;
      break;
    case OPT_CHANNELS:
      if (parse_ll("--channels", optarg, 1, WAVGEN_MAX_CHANNELS, &ll) != 0) {
        return -1;
      }
      o->channels = (long)ll;
      break;
    case OPT_DURATION:
      if (parse_double("--duration", optarg, 0.0, WAVGEN_MAX_SECONDS, &o->duration_s) != 0) {
        return -1;
      }
      break;
    case OPT_FREQ:
      if (parse_double("--freq", optarg, 0.0, WAVGEN_MAX_RATE, &o->freq_hz) != 0) {
        return -1;
      }
      break;
    case OPT_FREQ2:
      if (parse_double("--freq2", optarg, 0.0, WAVGEN_MAX_RATE, &o->freq2_hz) != 0) {
        return -1;
      }
      break;
    case OPT_AMP:
      if (parse_double("--amp", optarg, 0.0, 1.0, &o->amp) != 0) {
        return -1;
      }
      break;
    case OPT_COUNTER:
      o->counter = 1;
      break;
    case OPT_DELAY:
      if (parse_ll("--delay-frames", optarg, 0, INT32_MAX, &o->delay_frames) != 0) {
        return -1;
      }
      break;
    case OPT_GAP_AT:
      if (parse_double("--gap-at", optarg, 0.0, WAVGEN_MAX_SECONDS, &o->gap_at_s) != 0) {
        return -1;
      }
      break;
    case OPT_GAP_LEN:
      if (parse_double("--gap-len", optarg, 0.0, WAVGEN_MAX_SECONDS, &o->gap_len_s) != 0) {
        return -1;
      }
      have_gap_len = 1;
      break;
    case OPT_NOISE:
      if (parse_double("--noise", optarg, 0.0, 1.0, &o->noise_rms) != 0) {
        return -1;
      }
      break;
    case OPT_SEED:
      if (parse_ll("--seed", optarg, 0, INT64_MAX, &ll) != 0) {
        return -1;
      }
      o->seed = (uint64_t)ll;
      break;
    case 'h':
      usage(stdout);
      exit(0);
    case ':':
      fprintf(stderr, "wavgen: option %s needs a value (see --help)\n", argv[optind - 1]);
      return -1;
    default:
      fprintf(stderr, "wavgen: unknown option '%s' (see --help)\n", argv[optind - 1]);
      return -1;
    }
  }
  if (optind < argc) {
    fprintf(stderr, "wavgen: unexpected argument '%s' (see --help)\n", argv[optind]);
    return -1;
  }
  if (o->out_path == NULL && !o->raw) {
    fprintf(stderr, "wavgen: no output: give -o FILE, or --raw for stdout (see --help)\n");
    return -1;
  }
  if ((o->gap_at_s >= 0.0) != (have_gap_len != 0)) {
    fprintf(stderr, "wavgen: --gap-at and --gap-len go together\n");
    return -1;
  }
  if (o->freq_hz * 2.0 > (double)o->rate || o->freq2_hz * 2.0 > (double)o->rate) {
    fprintf(stderr, "wavgen: frequency above Nyquist (rate/2 = %g Hz)\n", (double)o->rate / 2.0);
    return -1;
  }
  if (o->out_path != NULL && strcmp(o->out_path, "-") != 0 && !o->raw) {
    if (format_for_path(o->out_path) < 0) {
      fprintf(stderr,
              "wavgen: -o %s: unknown extension; use .wav, .aiff, .flac, .raw or --raw\n",
              o->out_path);
      return -1;
    }
  }
  return 0;
}

/* Fills `frames` interleaved frames starting at output frame `first`. */
static void render(const struct wavgen_opts *o, long long first, long frames, int16_t *buf,
                   uint64_t *rng, long long gap_begin, long long gap_end)
{
  const double two_pi = 6.283185307179586476925286766559;
  const long ch = o->channels;
  const double scale = o->amp * 32767.0;

  for (long i = 0; i < frames; i++) {
    int16_t *fr = buf + (size_t)i * (size_t)ch;
    long long t = first + i;
    if (t < o->delay_frames) {
      memset(fr, 0, sizeof(*fr) * (size_t)ch);
      continue;
    }
    long long n = t - o->delay_frames;
    if (n >= gap_begin && n < gap_end) {
      memset(fr, 0, sizeof(*fr) * (size_t)ch);
      continue;
    }
    for (long c = 0; c < ch; c++) {
      if (o->counter && c == ch - 1) {
        fr[c] = (int16_t)(uint16_t)(n & 0xffff);
        continue;
      }
      double f = (c == 1 && o->freq2_hz > 0.0) ? o->freq2_hz : o->freq_hz;
      /* n * f reduced modulo rate keeps the phase exact for long files. */
      double phase = fmod((double)n * f, (double)o->rate) / (double)o->rate;
      double v = scale * sin(two_pi * phase);
      if (o->noise_rms > 0.0) {
        v += o->noise_rms * 32767.0 * rng_gauss(rng);
      }
      fr[c] = clip16(v);
    }
  }
}

int main(int argc, char **argv)
{
  struct wavgen_opts o = {
    .rate = 44100, .channels = 2, .duration_s = 1.0, .freq_hz = 440.0,
    .amp = 0.5, .gap_at_s = -1.0, .seed = 1,
  };
  int rc = 1;
  int16_t *buf = NULL;
  unsigned char *bytes = NULL;
  SNDFILE *snd = NULL;
  FILE *raw = NULL;
  int raw_is_stdout = 0;

  if (parse_args(argc, argv, &o) != 0) {
    return 2;
  }

  long long signal_frames = llround(o.duration_s * (double)o.rate);
  long long total = o.delay_frames + signal_frames;
  long long gap_begin = -1;
  long long gap_end = -1;
  if (o.gap_at_s >= 0.0) {
    gap_begin = llround(o.gap_at_s * (double)o.rate);
    gap_end = gap_begin + llround(o.gap_len_s * (double)o.rate);
  }
  uint64_t rng = o.seed ^ UINT64_C(0x9e3779b97f4a7c15);
  if (rng == 0) {
    rng = 1;
  }

  int to_raw = o.raw || o.out_path == NULL || strcmp(o.out_path, "-") == 0 ||
               format_for_path(o.out_path) == 0;
  if (to_raw) {
    if (o.out_path == NULL || strcmp(o.out_path, "-") == 0) {
      raw = stdout;
      raw_is_stdout = 1;
    } else {
      raw = fopen(o.out_path, "wb");
      if (raw == NULL) {
        fprintf(stderr, "wavgen: cannot create %s: %s\n", o.out_path, strerror(errno));
        goto out;
      }
    }
  } else {
    SF_INFO info;
    memset(&info, 0, sizeof(info));
    info.samplerate = (int)o.rate;
    info.channels = (int)o.channels;
    info.format = format_for_path(o.out_path) | SF_FORMAT_PCM_16;
    if (!sf_format_check(&info)) {
      fprintf(stderr, "wavgen: %s: libsndfile cannot write this format with %ld channels\n",
              o.out_path, o.channels);
      goto out;
    }
    snd = sf_open(o.out_path, SFM_WRITE, &info);
    if (snd == NULL) {
      fprintf(stderr, "wavgen: cannot create %s: %s\n", o.out_path, sf_strerror(NULL));
      goto out;
    }
  }

  size_t samples = (size_t)WAVGEN_BLOCK_FRAMES * (size_t)o.channels;
  buf = malloc(samples * sizeof(*buf));
  bytes = malloc(samples * 2);
  if (buf == NULL || bytes == NULL) {
    fprintf(stderr, "wavgen: out of memory\n");
    goto out;
  }

  for (long long pos = 0; pos < total; pos += WAVGEN_BLOCK_FRAMES) {
    long n = (long)((total - pos) < WAVGEN_BLOCK_FRAMES ? (total - pos) : WAVGEN_BLOCK_FRAMES);
    render(&o, pos, n, buf, &rng, gap_begin, gap_end);
    size_t count = (size_t)n * (size_t)o.channels;
    if (raw != NULL) {
      for (size_t i = 0; i < count; i++) {
        uint16_t u = (uint16_t)buf[i];
        bytes[2 * i] = (unsigned char)(u & 0xff);
        bytes[2 * i + 1] = (unsigned char)(u >> 8);
      }
      if (fwrite(bytes, 2, count, raw) != count) {
        fprintf(stderr, "wavgen: write error: %s\n", strerror(errno));
        goto out;
      }
    } else if (sf_writef_short(snd, buf, n) != n) {
      fprintf(stderr, "wavgen: write error: %s\n", sf_strerror(snd));
      goto out;
    }
  }
  rc = 0;

out:
  if (snd != NULL && sf_close(snd) != 0 && rc == 0) {
    fprintf(stderr, "wavgen: error closing %s\n", o.out_path);
    rc = 1;
  }
  if (raw != NULL) {
    int err = raw_is_stdout ? fflush(raw) : fclose(raw);
    if (err != 0 && rc == 0) {
      fprintf(stderr, "wavgen: error closing output: %s\n", strerror(errno));
      rc = 1;
    }
  }
  free(bytes);
  free(buf);
  return rc;
}
