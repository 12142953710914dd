/*
 * Corpus replay driver for fuzz targets, used when libFuzzer is not linked
 * (any compiler, and the ctest fuzz_*_corpus tests).
 *
 * Usage: <target>_corpus PATH...
 * Each PATH is a file or a directory (not recursive; names starting with '.'
 * are skipped). Every file is read into a buffer of exactly its size, so that
 * an out-of-bounds read is caught by ASan like under libFuzzer, and passed to
 * LLVMFuzzerTestOneInput once. Prints "N inputs ran". Exits non-zero if a
 * path cannot be read or a directory holds no file: an empty corpus would
 * make the test pass while testing nothing. A failed invariant aborts inside
 * the target.
 *
 * This is a test tool, not library code: it allocates and does I/O freely.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* Optional in a target, as with libFuzzer. */
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static int run_file(const char *path)
{
  FILE *f = fopen(path, "rb");
  uint8_t *buf = NULL;
  long size;
  int rc = -1;

  if (f == NULL) {
    perror(path);
    return -1;
  }
  if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
    perror(path);
    goto close_file;
  }
  /* malloc(0) may return NULL; a 1-byte buffer still traps reads past size 0. */
  buf = malloc(size > 0 ? (size_t)size : 1);
  if (buf == NULL) {
    fprintf(stderr, "%s: out of memory\n", path);
    goto close_file;
  }
  if (size > 0 && fread(buf, 1, (size_t)size, f) != (size_t)size) {
    fprintf(stderr, "%s: short read\n", path);
    goto free_buf;
  }
  LLVMFuzzerTestOneInput(buf, (size_t)size);
  rc = 0;
free_buf:
  free(buf);
close_file:
  fclose(f);
  return rc;
}

/* Run every regular file in `dir`; returns the count, or -1 on error. */
static long run_dir(const char *dir)
{
  DIR *d = opendir(dir);
  struct dirent *e;
  long count = 0;

  if (d == NULL) {
    perror(dir);
    return -1;
  }
  while ((e = readdir(d)) != NULL) {
    char path[4096];
    struct stat st;
    if (e->d_name[0] == '.')
      continue;
    if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= (int)sizeof(path)) {
      fprintf(stderr, "%s/%s: path too long\n", dir, e->d_name);
      count = -1;
      break;
    }
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
      continue;
    if (run_file(path) != 0) {
      count = -1;
      break;
    }
    count++;
  }
  closedir(d);
  return count;
}

int main(int argc, char **argv)
{
  long total = 0;
  int i;

  if (LLVMFuzzerInitialize != NULL)
    LLVMFuzzerInitialize(&argc, &argv);
  if (argc < 2) {
    fprintf(stderr, "usage: %s CORPUS_DIR_OR_FILE...\n", argv[0]);
    return 2;
  }
  for (i = 1; i < argc; i++) {
    struct stat st;
    long n;
    if (stat(argv[i], &st) != 0) {
      perror(argv[i]);
      return 1;
    }
    if (S_ISDIR(st.st_mode)) {
      n = run_dir(argv[i]);
      if (n < 0)
        return 1;
      if (n == 0) {
        fprintf(stderr, "%s: no corpus files\n", argv[i]);
        return 1;
      }
    } else {
      if (run_file(argv[i]) != 0)
        return 1;
      n = 1;
    }
    total += n;
  }
  printf("%ld inputs ran\n", total);
  return 0;
}
