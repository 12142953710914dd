/*
 * wavcheck: measure a received audio file and assert properties, for
 * integration and interop tests driven by shell scripts.
 *
 * The file (anything libsndfile reads, or raw s16le) is loaded whole; one
 * channel is analysed. Every measured value is printed on its own line as
 * key=value on stdout, then "wavcheck: OK" or "wavcheck: FAIL <reasons>";
 * the exit status is 0 or 1 (2 for usage and I/O errors).
 *
 * Measurements on the analysed channel x (samples scaled to full scale 1.0):
 *  - signal span: from the first to the last sample with |x| > threshold
 *    (1e-3 by default); frames before it are leading_silence_frames.
 *  - gaps: runs of exact zeros inside the signal span. max_gap_frames is the
 *    longest run; gap_frames/gap_count cover the runs of >= 32 frames
 *    (what a lost packet leaves behind, as opposed to a zero crossing).
 *    Trailing silence after the signal is not a gap.
 *  - rms/peak over the file, or from the signal start with
 *    --skip-leading-silence.
 *  - frequency: a Hann-windowed FFT over up to 2^18 frames (about 6 s at
 *    44.1 kHz, at least 1 s when the signal is that long) from the middle of
 *    the signal span, zero-padded 2x; the strongest bin is refined by
 *    parabolic interpolation of the log magnitude (error well below 0.1 bin,
 *    i.e. < 0.05 Hz for a 2 s tone).
 *  - against a reference (--ref): the lag L with x[n + L] ~ ref[n] is found
 *    by cross-correlation. Candidates come from an FFT correlation of the
 *    reference (from its signal start; up to about 90 s at 44.1 kHz, 4M-point
 *    FFT) against x over the lag window; the 16 strongest local maxima are
 *    then re-scored by an exact direct sum over the whole overlap, so the lag
 *    is the exact integer-sample maximum. The correlation is not normalised on purpose:
 *    the onset and the end of the signal make the true lag win over lags
 *    that are whole periods away (a pure tone alone is ambiguous modulo its
 *    period; a --counter channel, via --align-channel, is not).
 *    Then over the overlap minus 50 ms at each end (and minus gap runs with
 *    --ignore-gaps): gain = sum(ref*x)/sum(x*x) (least squares; 1 with
 *    --no-gain-fit) and snr_db = 10 log10(sum ref^2 / sum (ref - gain*x)^2),
 *    capped at 200 dB.
 * Nothing here depends on rill.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sndfile.h>

#define ARG_PROG "wavcheck"
#include "arg_parse.h"

#define WC_GAP_MIN_FRAMES 32
#define WC_FREQ_MAX_FRAMES (1L << 18)
#define WC_CORR_MAX_FFT (1L << 22)
#define WC_CORR_CANDIDATES 16
#define WC_SNR_CAP_DB 200.0
#define WC_EDGE_S 0.050
#define WC_MAX_RATE 768000
#define WC_MAX_CHANNELS 64

/* A loaded file: interleaved samples scaled to full scale 1.0. */
struct pcm {
  float *data; /* owned */
  long long frames;
  int rate;
  int channels;
};

struct wc_opts {
  const char *path;     /* borrowed from argv */
  const char *ref_path; /* borrowed from argv; NULL = no reference */
  int raw;
  long raw_rate;    /* 0 = not given */
  long raw_channels;
  int channel;
  int ref_channel;   /* -1 = same as channel */
  int align_channel; /* -1 = the analysed channels */
  int skip_leading;
  double threshold;
  int have_freq;
  double freq_hz;
  double freq_tol_hz;
  int have_freq_tol;
  double min_snr_db;
  int have_min_snr;
  double lag_window_s;
  double ref_duration_s; /* 0 = the whole reference */
  int gain_fit;
  int ignore_gaps;
  long long min_frames; /* -1 = unchecked */
  long long max_frames;
  long long max_gap_frames;
  double min_rms;
  int have_min_rms;
  int have_expect_lag;
  long long expect_lag;
  long long lag_tol;
};

/* Failure reasons, appended as the checks run. */
struct reasons {
  char text[1024];
  size_t len;
};

static void usage(FILE *f)
{
  fprintf(f,
    "usage: wavcheck [options] FILE\n"
    "Measure one channel of FILE, print key=value lines, then\n"
    "'wavcheck: OK' (exit 0) or 'wavcheck: FAIL <reasons>' (exit 1).\n"
    "Usage and I/O errors exit 2.\n"
    "\n"
    "Input:\n"
    "      --raw                 FILE is raw s16le ('-' = stdin); also implied\n"
    "                            by a .raw/.s16/.pcm extension; needs:\n"
    "      --rate HZ             sample rate of raw input\n"
    "      --channels N          channel count of raw input\n"
    "      --channel N           channel to analyse, from 0 (default 0)\n"
    "      --skip-leading-silence  measure rms/peak from the first sample with\n"
    "                            |x| > threshold, and centre the lag search on\n"
    "                            the difference of the two files' silences\n"
    "      --threshold X         silence threshold, full scale 1.0 (default 1e-3)\n"
    "Checks (each only when given):\n"
    "      --freq HZ             estimated frequency must be within --freq-tol\n"
    "      --freq-tol HZ         tolerance for --freq (default 1)\n"
    "      --min-frames N        total length at least N frames\n"
    "      --max-frames N        total length at most N frames\n"
    "      --max-gap-frames N    no run of exact zeros inside the signal longer\n"
    "                            than N frames\n"
    "      --min-rms X           rms (full scale 1.0) at least X\n"
    "Reference comparison:\n"
    "      --ref REF             reference file (libsndfile, or raw by extension\n"
    "                            with --rate/--channels); same sample rate\n"
    "      --ref-channel N       reference channel (default: --channel)\n"
    "      --align-channel N     find the lag on channel N of both files\n"
    "                            (default: the analysed channels)\n"
    "      --ref-duration SEC    use only the reference's first SEC seconds (from\n"
    "                            its signal start): the SNR of the best-matching\n"
    "                            stretch of that length\n"
    "      --lag-window SEC      search lags within +-SEC (default 2; at most\n"
    "                            2^20 frames, about 23 s at 44.1 kHz)\n"
    "      --min-snr DB          SNR against the aligned reference at least DB\n"
    "      --no-gain-fit         use gain 1 instead of the least-squares gain\n"
    "      --ignore-gaps         leave gap runs (>= %d zeros) out of the SNR\n"
    "      --expect-lag N        lag must be N frames...\n"
    "      --lag-tol N           ...give or take N (default 0)\n"
    "  -h, --help                this text\n"
    "\n"
    "lag_frames = L such that FILE[n + L] matches REF[n] (positive: FILE is late).\n",
    WC_GAP_MIN_FRAMES);
}

static void fail(struct reasons *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void fail(struct reasons *r, const char *fmt, ...)
{
  va_list ap;
  if (r->len + 2 >= sizeof(r->text)) {
    return;
  }
  if (r->len > 0) {
    r->text[r->len++] = ';';
    r->text[r->len++] = ' ';
    r->text[r->len] = '\0';
  }
  va_start(ap, fmt);
  int n = vsnprintf(r->text + r->len, sizeof(r->text) - r->len, fmt, ap);
  va_end(ap);
  if (n > 0) {
    r->len += (size_t)n;
    if (r->len >= sizeof(r->text)) {
      r->len = sizeof(r->text) - 1;
    }
  }
}

static int ends_with(const char *s, const char *suffix)
{
  size_t n = strlen(s);
  size_t k = strlen(suffix);
  return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

static int is_raw_path(const char *path)
{
  return strcmp(path, "-") == 0 || ends_with(path, ".raw") || ends_with(path, ".s16") ||
         ends_with(path, ".pcm");
}

static int parse_args(int argc, char **argv, struct wc_opts *o)
{
  enum {
    OPT_RAW = 256, OPT_RATE, OPT_CHANNELS, OPT_CHANNEL, OPT_SKIP, OPT_THRESHOLD,
    OPT_FREQ, OPT_FREQ_TOL, OPT_MIN_FRAMES, OPT_MAX_FRAMES, OPT_MAX_GAP, OPT_MIN_RMS,
    OPT_REF, OPT_REF_CHANNEL, OPT_ALIGN_CHANNEL, OPT_LAG_WINDOW, OPT_REF_DURATION, OPT_MIN_SNR,
    OPT_NO_GAIN, OPT_IGNORE_GAPS, OPT_EXPECT_LAG, OPT_LAG_TOL
  };
  static const struct option longopts[] = {
    {"raw", no_argument, NULL, OPT_RAW},
    {"rate", required_argument, NULL, OPT_RATE},
    {"channels", required_argument, NULL, OPT_CHANNELS},
    {"channel", required_argument, NULL, OPT_CHANNEL},
    {"skip-leading-silence", no_argument, NULL, OPT_SKIP},
    {"threshold", required_argument, NULL, OPT_THRESHOLD},
    {"freq", required_argument, NULL, OPT_FREQ},
    {"freq-tol", required_argument, NULL, OPT_FREQ_TOL},
    {"min-frames", required_argument, NULL, OPT_MIN_FRAMES},
    {"max-frames", required_argument, NULL, OPT_MAX_FRAMES},
    {"max-gap-frames", required_argument, NULL, OPT_MAX_GAP},
    {"min-rms", required_argument, NULL, OPT_MIN_RMS},
    {"ref", required_argument, NULL, OPT_REF},
    {"ref-channel", required_argument, NULL, OPT_REF_CHANNEL},
    {"align-channel", required_argument, NULL, OPT_ALIGN_CHANNEL},
    {"lag-window", required_argument, NULL, OPT_LAG_WINDOW},
    {"ref-duration", required_argument, NULL, OPT_REF_DURATION},
    {"min-snr", required_argument, NULL, OPT_MIN_SNR},
    {"no-gain-fit", no_argument, NULL, OPT_NO_GAIN},
    {"ignore-gaps", no_argument, NULL, OPT_IGNORE_GAPS},
    {"expect-lag", required_argument, NULL, OPT_EXPECT_LAG},
    {"lag-tol", required_argument, NULL, OPT_LAG_TOL},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
  };
  long long ll = 0;
  int have_lag_tol = 0;
  int have_lag_window = 0;

  opterr = 0;
  for (;;) {
    int c = getopt_long(argc, argv, ":h", longopts, NULL);
    if (c == -1) {
      break;
    }
    switch (c) {
    case OPT_RAW:
      o->raw = 1;
      break;
    case OPT_RATE:
      if (parse_ll("--rate", optarg, 1, WC_MAX_RATE, &ll) != 0) {
        return -1;
      }
      o->raw_rate = (long)ll;
      break;
    case OPT_CHANNELS:
      if (parse_ll("--channels", optarg, 1, WC_MAX_CHANNELS, &ll) != 0) {
        return -1;
      }
      o->raw_channels = (long)ll;
      break;
    case OPT_CHANNEL:
      if (parse_ll("--channel", optarg, 0, WC_MAX_CHANNELS - 1, &ll) != 0) {
        return -1;
      }
      o->channel = (int)ll;
      break;
    case OPT_SKIP:
      o->skip_leading = 1;
      break;
    case OPT_THRESHOLD:
      if (parse_double("--threshold", optarg, 0.0, 1.0, &o->threshold) != 0) {
        return -1;
      }
      break;
    case OPT_FREQ:
      if (parse_double("--freq", optarg, 0.0, WC_MAX_RATE, &o->freq_hz) != 0) {
        return -1;
      }
      o->have_freq = 1;
      break;
    case OPT_FREQ_TOL:
      if (parse_double("--freq-tol", optarg, 0.0, WC_MAX_RATE, &o->freq_tol_hz) != 0) {
        return -1;
      }
      o->have_freq_tol = 1;
      break;
    case OPT_MIN_FRAMES:
      if (parse_ll("--min-frames", optarg, 0, INT64_MAX, &o->min_frames) != 0) {
        return -1;
      }
      break;
    case OPT_MAX_FRAMES:
      if (parse_ll("--max-frames", optarg, 0, INT64_MAX, &o->max_frames) != 0) {
        return -1;
      }
      break;
    case OPT_MAX_GAP:
      if (parse_ll("--max-gap-frames", optarg, 0, INT64_MAX, &o->max_gap_frames) != 0) {
        return -1;
      }
      break;
    case OPT_MIN_RMS:
      if (parse_double("--min-rms", optarg, 0.0, 2.0, &o->min_rms) != 0) {
        return -1;
      }
      o->have_min_rms = 1;
      break;
    case OPT_REF:
      o->ref_path = optarg;
      break;
    case OPT_REF_CHANNEL:
      if (parse_ll("--ref-channel", optarg, 0, WC_MAX_CHANNELS - 1, &ll) != 0) {
        return -1;
      }
      o->ref_channel = (int)ll;
      break;
    case OPT_ALIGN_CHANNEL:
      if (parse_ll("--align-channel", optarg, 0, WC_MAX_CHANNELS - 1, &ll) != 0) {
        return -1;
      }
      o->align_channel = (int)ll;
      break;
    case OPT_LAG_WINDOW:
      if (parse_double("--lag-window", optarg, 0.0, 600.0, &o->lag_window_s) != 0) {
        return -1;
      }
      have_lag_window = 1;
      break;
    case OPT_REF_DURATION:
      if (parse_double("--ref-duration", optarg, 0.001, 600.0, &o->ref_duration_s) != 0) {
        return -1;
      }
      break;
    case OPT_MIN_SNR:
      if (parse_double("--min-snr", optarg, -WC_SNR_CAP_DB, WC_SNR_CAP_DB, &o->min_snr_db) != 0) {
        return -1;
      }
      o->have_min_snr = 1;
      break;
    case OPT_NO_GAIN:
      o->gain_fit = 0;
      break;
    case OPT_IGNORE_GAPS:
      o->ignore_gaps = 1;
      break;
    case OPT_EXPECT_LAG:
      if (parse_ll("--expect-lag", optarg, -INT32_MAX, INT32_MAX, &o->expect_lag) != 0) {
        return -1;
      }
      o->have_expect_lag = 1;
      break;
    case OPT_LAG_TOL:
      if (parse_ll("--lag-tol", optarg, 0, INT32_MAX, &o->lag_tol) != 0) {
        return -1;
      }
      have_lag_tol = 1;
      break;
    case 'h':
      usage(stdout);
      exit(0);
    case ':':
      fprintf(stderr, "wavcheck: option %s needs a value (see --help)\n", argv[optind - 1]);
      return -1;
    default:
      fprintf(stderr, "wavcheck: unknown option '%s' (see --help)\n", argv[optind - 1]);
      return -1;
    }
  }
  if (optind != argc - 1) {
    fprintf(stderr, optind >= argc ? "wavcheck: no input FILE (see --help)\n"
                                   : "wavcheck: exactly one input FILE expected (see --help)\n");
    return -1;
  }
  o->path = argv[optind];
  if (o->have_freq_tol && !o->have_freq) {
    fprintf(stderr, "wavcheck: --freq-tol needs --freq\n");
    return -1;
  }
  if (have_lag_tol && !o->have_expect_lag) {
    fprintf(stderr, "wavcheck: --lag-tol needs --expect-lag\n");
    return -1;
  }
  if (o->ref_path == NULL && (o->have_min_snr || o->have_expect_lag || o->ignore_gaps ||
                              o->ref_channel >= 0 || o->align_channel >= 0 ||
                              have_lag_window || o->ref_duration_s > 0.0 || !o->gain_fit)) {
    fprintf(stderr,
            "wavcheck: --min-snr, --expect-lag, --ignore-gaps, --ref-channel, "
            "--align-channel, --lag-window, --ref-duration and --no-gain-fit need --ref\n");
    return -1;
  }
  int need_raw_format = o->raw || is_raw_path(o->path) ||
                        (o->ref_path != NULL && is_raw_path(o->ref_path));
  if (need_raw_format && (o->raw_rate == 0 || o->raw_channels == 0)) {
    fprintf(stderr, "wavcheck: raw input needs --rate and --channels\n");
    return -1;
  }
  if (!need_raw_format && (o->raw_rate != 0 || o->raw_channels != 0)) {
    fprintf(stderr, "wavcheck: --rate/--channels apply to raw input only (see --raw)\n");
    return -1;
  }
  if (o->min_frames >= 0 && o->max_frames >= 0 && o->min_frames > o->max_frames) {
    fprintf(stderr, "wavcheck: --min-frames is above --max-frames\n");
    return -1;
  }
  return 0;
}

static int pcm_grow(struct pcm *p, long long *cap_frames, long long need_frames)
{
  if (need_frames <= *cap_frames) {
    return 0;
  }
  long long cap = *cap_frames > 0 ? *cap_frames : 65536;
  while (cap < need_frames) {
    cap *= 2;
  }
  if ((unsigned long long)cap > SIZE_MAX / ((size_t)p->channels * sizeof(float))) {
    return -1;
  }
  size_t bytes = (size_t)cap * (size_t)p->channels * sizeof(float);
  float *d = realloc(p->data, bytes);
  if (d == NULL) {
    return -1;
  }
  p->data = d;
  *cap_frames = cap;
  return 0;
}

static int load_raw(const char *path, long rate, long channels, struct pcm *p)
{
  FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
  unsigned char buf[8192];
  long long cap = 0;
  long long samples = 0;
  unsigned char carry = 0;
  int have_carry = 0;
  int rc = -1;

  if (f == NULL) {
    fprintf(stderr, "wavcheck: cannot open %s: %s\n", path, strerror(errno));
    return -1;
  }
  p->rate = (int)rate;
  p->channels = (int)channels;
  for (;;) {
    size_t n = fread(buf, 1, sizeof(buf), f);
    if (n == 0) {
      break;
    }
    size_t i = 0;
    if (pcm_grow(p, &cap, (samples + (long long)n / 2 + 2) / channels + 1) != 0) {
      fprintf(stderr, "wavcheck: out of memory reading %s\n", path);
      goto out;
    }
    if (have_carry) {
      int16_t s = (int16_t)(uint16_t)(carry | (uint16_t)(buf[0] << 8));
      p->data[samples++] = (float)s / 32768.0f;
      have_carry = 0;
      i = 1;
    }
    for (; i + 1 < n; i += 2) {
      int16_t s = (int16_t)(uint16_t)(buf[i] | (uint16_t)(buf[i + 1] << 8));
      p->data[samples++] = (float)s / 32768.0f;
    }
    if (i < n) {
      carry = buf[i];
      have_carry = 1;
    }
  }
  if (ferror(f)) {
    fprintf(stderr, "wavcheck: read error on %s\n", path);
    goto out;
  }
  if (have_carry || samples % channels != 0) {
    fprintf(stderr, "wavcheck: warning: %s: ignoring a trailing partial frame\n", path);
  }
  p->frames = samples / channels;
  rc = 0;
out:
  if (f != stdin) {
    fclose(f);
  }
  return rc;
}

static int load_sndfile(const char *path, struct pcm *p)
{
  SF_INFO info;
  memset(&info, 0, sizeof(info));
  SNDFILE *snd = sf_open(path, SFM_READ, &info);
  long long cap = 0;
  if (snd == NULL) {
    fprintf(stderr, "wavcheck: cannot open %s: %s\n", path, sf_strerror(NULL));
    return -1;
  }
  if (info.channels < 1 || info.channels > WC_MAX_CHANNELS || info.samplerate < 1) {
    fprintf(stderr, "wavcheck: %s: unsupported layout (%d channels, %d Hz)\n", path,
            info.channels, info.samplerate);
    sf_close(snd);
    return -1;
  }
  p->rate = info.samplerate;
  p->channels = info.channels;
  p->frames = 0;
  for (;;) {
    if (pcm_grow(p, &cap, p->frames + 4096) != 0) {
      fprintf(stderr, "wavcheck: out of memory reading %s\n", path);
      sf_close(snd);
      return -1;
    }
    sf_count_t n = sf_readf_float(snd, p->data + (size_t)p->frames * (size_t)p->channels, 4096);
    if (n <= 0) {
      break;
    }
    p->frames += n;
  }
  if (sf_error(snd) != SF_ERR_NO_ERROR) {
    fprintf(stderr, "wavcheck: read error on %s: %s\n", path, sf_strerror(snd));
    sf_close(snd);
    return -1;
  }
  sf_close(snd);
  return 0;
}

static int load(const char *path, int raw, long rate, long channels, struct pcm *p)
{
  memset(p, 0, sizeof(*p));
  if (raw || is_raw_path(path)) {
    return load_raw(path, rate, channels, p);
  }
  return load_sndfile(path, p);
}

/* One channel as doubles; at least one element is allocated. */
static double *channel_of(const struct pcm *p, int ch)
{
  double *x = malloc(((size_t)p->frames + 1) * sizeof(*x));
  if (x == NULL) {
    return NULL;
  }
  for (long long i = 0; i < p->frames; i++) {
    x[i] = p->data[(size_t)i * (size_t)p->channels + (size_t)ch];
  }
  return x;
}

/* In-place iterative radix-2 FFT; n is a power of two; sign -1 forward, +1 inverse
 * (unscaled). */
static int fft(double *re, double *im, size_t n, int sign)
{
  const double two_pi = 6.283185307179586476925286766559;
  double *cs = malloc((n / 2 + 1) * 2 * sizeof(*cs));
  if (cs == NULL) {
    return -1;
  }
  double *sn = cs + n / 2 + 1;
  for (size_t k = 0; k <= n / 2; k++) {
    cs[k] = cos(two_pi * (double)k / (double)n);
    sn[k] = sin(two_pi * (double)k / (double)n);
  }
  for (size_t i = 1, j = 0; i < n; i++) {
    size_t bit = n >> 1;
    for (; j & bit; bit >>= 1) {
      j ^= bit;
    }
    j ^= bit;
    if (i < j) {
      double t = re[i];
      re[i] = re[j];
      re[j] = t;
      t = im[i];
      im[i] = im[j];
      im[j] = t;
    }
  }
  for (size_t len = 2; len <= n; len <<= 1) {
    size_t half = len / 2;
    size_t step = n / len;
    for (size_t i = 0; i < n; i += len) {
      for (size_t k = 0; k < half; k++) {
        double wr = cs[k * step];
        double wi = (double)sign * sn[k * step];
        size_t a = i + k;
        size_t b = a + half;
        double tr = re[b] * wr - im[b] * wi;
        double ti = re[b] * wi + im[b] * wr;
        re[b] = re[a] - tr;
        im[b] = im[a] - ti;
        re[a] += tr;
        im[a] += ti;
      }
    }
  }
  free(cs);
  return 0;
}

static size_t next_pow2(size_t n)
{
  size_t m = 1;
  while (m < n) {
    m <<= 1;
  }
  return m;
}

/* Frequency of the strongest spectral peak of x[begin, end); NAN if too short.
 * Returns -1 on allocation failure. */
static int estimate_freq(const double *x, long long begin, long long end, int rate,
                         double *out_hz, long long *out_window)
{
  const double two_pi = 6.283185307179586476925286766559;
  long long len = end - begin;
  *out_hz = NAN;
  *out_window = 0;
  if (len < 64) {
    return 0;
  }
  long long w = len < WC_FREQ_MAX_FRAMES ? len : WC_FREQ_MAX_FRAMES;
  long long off = begin + (len - w) / 2;
  size_t n = next_pow2((size_t)w) * 2;
  double *re = calloc(n * 2, sizeof(*re));
  if (re == NULL) {
    return -1;
  }
  double *im = re + n;
  for (long long i = 0; i < w; i++) {
    double hann = 0.5 - 0.5 * cos(two_pi * ((double)i + 0.5) / (double)w);
    re[i] = x[off + i] * hann;
  }
  if (fft(re, im, n, -1) != 0) {
    free(re);
    return -1;
  }
  size_t best = 1;
  double best_mag = -1.0;
  for (size_t k = 1; k < n / 2; k++) {
    double m = re[k] * re[k] + im[k] * im[k];
    if (m > best_mag) {
      best_mag = m;
      best = k;
    }
  }
  double delta = 0.0;
  if (best > 1 && best + 1 < n / 2 && best_mag > 0.0) {
    /* Power ratios: log of |X|^2 is 2 log |X|; the factor cancels in delta. */
    double a = log(re[best - 1] * re[best - 1] + im[best - 1] * im[best - 1] + 1e-300);
    double b = log(best_mag);
    double c = log(re[best + 1] * re[best + 1] + im[best + 1] * im[best + 1] + 1e-300);
    double den = a - 2.0 * b + c;
    if (den < 0.0) {
      delta = 0.5 * (a - c) / den;
    }
  }
  *out_hz = ((double)best + delta) * (double)rate / (double)n;
  *out_window = w;
  free(re);
  return 0;
}

/* Exact sum over the overlap of ref[n] * x[n + lag]. */
static double corr_at(const double *ref, long long nr, const double *x, long long nx,
                      long long lag)
{
  long long n0 = lag < 0 ? -lag : 0;
  long long n1 = nx - lag < nr ? nx - lag : nr;
  double s = 0.0;
  for (long long n = n0; n < n1; n++) {
    s += ref[n] * x[n + lag];
  }
  return s;
}

/*
 * Best lag in [lmin, lmax]: FFT correlation of ref[rs, rs + lr) against x for
 * candidates, exact re-scoring of the strongest local maxima. lr is the rest of
 * the reference, capped so that the FFT has at most WC_CORR_MAX_FFT points
 * (64 MiB); the caller keeps the window below that. Returns -1 on allocation
 * failure.
 */
static int find_lag(const double *ref, long long nr, const double *x, long long nx,
                    long long rs, long long lmin, long long lmax, long long *out_lag)
{
  long long span = lmax - lmin + 1;
  long long lr_cap = WC_CORR_MAX_FFT - span + 1;
  long long lr = nr - rs < lr_cap ? nr - rs : lr_cap;
  long long lx = span - 1 + lr;
  size_t m = next_pow2((size_t)(lx > 2 ? lx : 2));
  long long cand[WC_CORR_CANDIDATES];
  double cand_v[WC_CORR_CANDIDATES];
  int ncand = 0;

  double *re = calloc(m * 2, sizeof(*re));
  if (re == NULL) {
    return -1;
  }
  double *im = re + m;
  /* Two real signals in one complex FFT: re = x segment, im = ref segment. */
  for (long long i = 0; i < lx; i++) {
    long long xi = rs + lmin + i;
    re[i] = (xi >= 0 && xi < nx) ? x[xi] : 0.0;
  }
  for (long long j = 0; j < lr; j++) {
    im[j] = ref[rs + j];
  }
  if (fft(re, im, m, -1) != 0) {
    free(re);
    return -1;
  }
  for (size_t k = 0; k <= m / 2; k++) {
    size_t k2 = (m - k) & (m - 1);
    double a = re[k], b = im[k], c = re[k2], d = im[k2];
    double xr = 0.5 * (a + c), xim = 0.5 * (b - d); /* X[k] */
    double rr = 0.5 * (b + d), rim = 0.5 * (c - a); /* R[k] */
    double pr = xr * rr + xim * rim;                 /* X * conj(R) */
    double pim = xim * rr - xr * rim;
    re[k] = pr;
    im[k] = pim;
    re[k2] = pr;
    im[k2] = -pim;
  }
  if (fft(re, im, m, +1) != 0) {
    free(re);
    return -1;
  }
  /* re[d] / m = sum_j ref[rs + j] * x[rs + lmin + j + d], lag = lmin + d. */
  for (long long d = 0; d < span; d++) {
    double v = re[d];
    double left = d > 0 ? re[d - 1] : -INFINITY;
    double right = d + 1 < span ? re[d + 1] : -INFINITY;
    if (v < left || v < right) {
      continue;
    }
    if (ncand < WC_CORR_CANDIDATES) {
      cand[ncand] = lmin + d;
      cand_v[ncand] = v;
      ncand++;
      continue;
    }
    int worst = 0;
    for (int i = 1; i < ncand; i++) {
      if (cand_v[i] < cand_v[worst]) {
        worst = i;
      }
    }
    if (v > cand_v[worst]) {
      cand[worst] = lmin + d;
      cand_v[worst] = v;
    }
  }
  free(re);

  long long best = lmin;
  double best_v = -INFINITY;
  for (int i = 0; i < ncand; i++) {
    double v = corr_at(ref, nr, x, nx, cand[i]);
    if (v > best_v || (v == best_v && llabs(cand[i]) < llabs(best))) {
      best_v = v;
      best = cand[i];
    }
  }
  *out_lag = best;
  return 0;
}

int main(int argc, char **argv)
{
  struct wc_opts o = {
    .raw_rate = 0, .ref_channel = -1, .align_channel = -1, .threshold = 1e-3,
    .freq_tol_hz = 1.0, .lag_window_s = 2.0, .gain_fit = 1,
    .min_frames = -1, .max_frames = -1, .max_gap_frames = -1,
  };
  struct pcm in = {0};
  struct pcm ref = {0};
  struct reasons why = {{0}, 0};
  double *x = NULL;
  double *r = NULL;
  double *xa = NULL; /* align channels, may alias x/r */
  double *ra = NULL;
  unsigned char *gap_mask = NULL;
  int rc = 2;

  if (parse_args(argc, argv, &o) != 0) {
    return 2;
  }
  if (load(o.path, o.raw, o.raw_rate, o.raw_channels, &in) != 0) {
    goto out;
  }
  if (o.channel >= in.channels) {
    fprintf(stderr, "wavcheck: --channel %d but %s has %d channel(s)\n", o.channel, o.path,
            in.channels);
    goto out;
  }
  x = channel_of(&in, o.channel);
  if (x == NULL) {
    fprintf(stderr, "wavcheck: out of memory\n");
    goto out;
  }
  const long long nx = in.frames;

  printf("file=%s\n", o.path);
  printf("rate=%d\n", in.rate);
  printf("channels=%d\n", in.channels);
  printf("frames=%lld\n", nx);
  printf("duration_s=%.6f\n", (double)nx / (double)in.rate);
  printf("channel=%d\n", o.channel);

  /* Signal span. */
  long long first = nx;
  long long last = -1;
  for (long long i = 0; i < nx; i++) {
    if (fabs(x[i]) > o.threshold) {
      if (first == nx) {
        first = i;
      }
      last = i;
    }
  }
  long long signal_frames = last >= first ? last - first + 1 : 0;
  printf("leading_silence_frames=%lld\n", first);
  printf("trailing_silence_frames=%lld\n", last >= 0 ? nx - 1 - last : 0);
  printf("signal_frames=%lld\n", signal_frames);

  /* Gaps inside the signal span. */
  if (o.ignore_gaps) {
    gap_mask = calloc((size_t)nx + 1, 1);
    if (gap_mask == NULL) {
      fprintf(stderr, "wavcheck: out of memory\n");
      goto out;
    }
  }
  long long max_gap = 0;
  long long gap_frames = 0;
  long long gap_count = 0;
  for (long long i = first; i <= last;) {
    if (x[i] != 0.0) {
      i++;
      continue;
    }
    long long j = i;
    while (j <= last && x[j] == 0.0) {
      j++;
    }
    long long run = j - i;
    if (run > max_gap) {
      max_gap = run;
    }
    if (run >= WC_GAP_MIN_FRAMES) {
      gap_frames += run;
      gap_count++;
      if (gap_mask != NULL) {
        memset(gap_mask + i, 1, (size_t)run);
      }
    }
    i = j;
  }
  printf("max_gap_frames=%lld\n", max_gap);
  printf("gap_frames=%lld\n", gap_frames);
  printf("gap_count=%lld\n", gap_count);

  /* Level. */
  long long from = o.skip_leading ? first : 0;
  double sum2 = 0.0;
  double peak = 0.0;
  for (long long i = from; i < nx; i++) {
    sum2 += x[i] * x[i];
    if (fabs(x[i]) > peak) {
      peak = fabs(x[i]);
    }
  }
  double rms = nx > from ? sqrt(sum2 / (double)(nx - from)) : 0.0;
  printf("rms=%.6f\n", rms);
  printf("peak=%.6f\n", peak);

  /* Frequency. */
  double freq = NAN;
  long long freq_window = 0;
  if (signal_frames > 0 && estimate_freq(x, first, last + 1, in.rate, &freq, &freq_window) != 0) {
    fprintf(stderr, "wavcheck: out of memory\n");
    goto out;
  }
  printf("freq_hz=%.3f\n", freq);
  printf("freq_window_frames=%lld\n", freq_window);

  if (o.min_frames >= 0 && nx < o.min_frames) {
    fail(&why, "frames=%lld<%lld", nx, o.min_frames);
  }
  if (o.max_frames >= 0 && nx > o.max_frames) {
    fail(&why, "frames=%lld>%lld", nx, o.max_frames);
  }
  if (o.max_gap_frames >= 0 && max_gap > o.max_gap_frames) {
    fail(&why, "max_gap_frames=%lld>%lld", max_gap, o.max_gap_frames);
  }
  if (o.have_min_rms && !(rms >= o.min_rms)) {
    fail(&why, "rms=%.6f<%.6f", rms, o.min_rms);
  }
  if (o.have_freq && !(fabs(freq - o.freq_hz) <= o.freq_tol_hz)) {
    fail(&why, "freq_hz=%.3f not in %.3f+-%.3f", freq, o.freq_hz, o.freq_tol_hz);
  }

  if (o.ref_path != NULL) {
    if (load(o.ref_path, 0, o.raw_rate, o.raw_channels, &ref) != 0) {
      goto out;
    }
    int rch = o.ref_channel >= 0 ? o.ref_channel : o.channel;
    if (rch >= ref.channels) {
      fprintf(stderr, "wavcheck: reference channel %d but %s has %d channel(s)\n", rch,
              o.ref_path, ref.channels);
      goto out;
    }
    if (o.align_channel >= in.channels || o.align_channel >= ref.channels) {
      fprintf(stderr, "wavcheck: --align-channel %d is missing in one of the files\n",
              o.align_channel);
      goto out;
    }
    if (ref.rate != in.rate) {
      fprintf(stderr, "wavcheck: sample rates differ: %s %d Hz, %s %d Hz\n", o.path, in.rate,
              o.ref_path, ref.rate);
      goto out;
    }
    r = channel_of(&ref, rch);
    if (r == NULL) {
      fprintf(stderr, "wavcheck: out of memory\n");
      goto out;
    }
    xa = x;
    ra = r;
    if (o.align_channel >= 0) {
      xa = channel_of(&in, o.align_channel);
      ra = channel_of(&ref, o.align_channel);
      if (xa == NULL || ra == NULL) {
        fprintf(stderr, "wavcheck: out of memory\n");
        goto out;
      }
    }
    long long nr = ref.frames;

    /* Reference signal start on the align channel: the correlation segment starts
     * there, and with --skip-leading-silence the search is centred on the
     * difference of both files' silences. */
    long long ref_first = 0;
    while (ref_first < nr && fabs(ra[ref_first]) <= o.threshold) {
      ref_first++;
    }
    long long x_first = 0;
    while (x_first < nx && fabs(xa[x_first]) <= o.threshold) {
      x_first++;
    }
    if (o.ref_duration_s > 0.0 && ref_first < nr) {
      long long keep = llround(o.ref_duration_s * (double)ref.rate);
      if (nr - ref_first > keep) {
        nr = ref_first + keep;
      }
    }
    printf("ref_file=%s\n", o.ref_path);
    printf("ref_frames=%lld\n", nr);
    printf("ref_channel=%d\n", rch);
    printf("align_channel=%d\n", o.align_channel >= 0 ? o.align_channel : o.channel);

    if (ref_first >= nr) {
      fail(&why, "reference channel is silent");
    } else if (x_first >= nx) {
      fail(&why, "no signal to align");
    }
    if (ref_first >= nr || x_first >= nx) {
      printf("snr_db=%.2f\n", -WC_SNR_CAP_DB);
      goto verdict;
    }

    long long center = o.skip_leading ? x_first - ref_first : 0;
    long long win = llround(o.lag_window_s * (double)in.rate);
    long long lmin = center - win;
    long long lmax = center + win;
    long long lag = 0;
    if (2 * win + 1 > WC_CORR_MAX_FFT / 2) {
      fprintf(stderr, "wavcheck: --lag-window %g s is too large at %d Hz\n", o.lag_window_s,
              in.rate);
      goto out;
    }
    if (find_lag(ra, nr, xa, nx, ref_first, lmin, lmax, &lag) != 0) {
      fprintf(stderr, "wavcheck: out of memory\n");
      goto out;
    }
    printf("lag_search_min=%lld\n", lmin);
    printf("lag_search_max=%lld\n", lmax);
    printf("lag_frames=%lld\n", lag);
    if (win > 0 && (lag == lmin || lag == lmax)) {
      fail(&why, "lag_frames=%lld at the search window edge", lag);
    }
    if (o.have_expect_lag && llabs(lag - o.expect_lag) > o.lag_tol) {
      fail(&why, "lag_frames=%lld not in %lld+-%lld", lag, o.expect_lag, o.lag_tol);
    }

    /* SNR over the overlap in reference time, minus the edges. */
    long long n0 = lag < 0 ? -lag : 0;
    long long n1 = nx - lag < nr ? nx - lag : nr;
    long long overlap = n1 > n0 ? n1 - n0 : 0;
    long long edge = llround(WC_EDGE_S * (double)in.rate);
    printf("overlap_frames=%lld\n", overlap);
    double srr = 0.0, srx = 0.0, sxx = 0.0;
    long long used = 0;
    for (long long n = n0 + edge; n < n1 - edge; n++) {
      if (gap_mask != NULL && gap_mask[n + lag]) {
        continue;
      }
      double xv = x[n + lag];
      srr += r[n] * r[n];
      srx += r[n] * xv;
      sxx += xv * xv;
      used++;
    }
    double gain = 1.0;
    if (o.gain_fit) {
      gain = sxx > 0.0 ? srx / sxx : 0.0;
    }
    double err = 0.0;
    for (long long n = n0 + edge; n < n1 - edge; n++) {
      if (gap_mask != NULL && gap_mask[n + lag]) {
        continue;
      }
      double e = r[n] - gain * x[n + lag];
      err += e * e;
    }
    double snr = -WC_SNR_CAP_DB;
    if (srr > 0.0) {
      snr = err > 0.0 ? 10.0 * log10(srr / err) : WC_SNR_CAP_DB;
      if (snr > WC_SNR_CAP_DB) {
        snr = WC_SNR_CAP_DB;
      }
      if (snr < -WC_SNR_CAP_DB) {
        snr = -WC_SNR_CAP_DB;
      }
    }
    printf("snr_frames=%lld\n", used);
    printf("gain=%.6f\n", gain);
    printf("snr_db=%.2f\n", snr);
    if (used == 0) {
      fail(&why, "no overlap with the reference beyond the %.0f ms edges", WC_EDGE_S * 1000.0);
    } else if (srr <= 0.0) {
      fail(&why, "reference is silent over the overlap");
    }
    if (o.have_min_snr && !(snr >= o.min_snr_db)) {
      fail(&why, "snr_db=%.2f<%.2f", snr, o.min_snr_db);
    }
  }

verdict:
  if (why.len == 0) {
    printf("wavcheck: OK\n");
    rc = 0;
  } else {
    printf("wavcheck: FAIL %s\n", why.text);
    rc = 1;
  }

out:
  if (xa != x) {
    free(xa);
  }
  if (ra != r) {
    free(ra);
  }
  free(gap_mask);
  free(r);
  free(x);
  free(ref.data);
  free(in.data);
  if (fflush(stdout) != 0 && rc != 2) {
    rc = 2;
  }
  return rc;
}
