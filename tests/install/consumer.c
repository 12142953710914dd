/*
 * A program built against an installed rill (tests/install/install_consumer.sh):
 * reports the library's version and the headers', opens and closes a
 * context with a config from rill_context_config_init, and defines
 * functions named like rill's internal ones (pool_alloc, limiter_init),
 * which must neither clash with the library nor be replaced by it.
 */
#include <rill/rill.h>
#include <stdio.h>
#include <string.h>

int pool_alloc(void);
int limiter_init(void);

int pool_alloc(void)
{
  return 42;
}

int limiter_init(void)
{
  return 7;
}

int main(void)
{
  struct rill_context_config config;
  struct rill_context *ctx = NULL;
  int status;

  printf("rill %s (headers %s)\n", rill_version(), RILL_VERSION_STRING);
  if (rill_version_number() != RILL_VERSION_NUMBER || strcmp(rill_version(), RILL_VERSION_STRING))
    printf("version mismatch: library 0x%06x, headers 0x%06x\n", rill_version_number(),
           (unsigned)RILL_VERSION_NUMBER);
  rill_context_config_init(&config);
  config.max_mem_bytes = (size_t)8 << 20;
  if ((status = rill_context_open(&config, &ctx)) != RILL_OK) {
    printf("open: %s\n", rill_status_name(status));
    return 1;
  }
  if ((status = rill_context_close(ctx)) != RILL_OK) {
    printf("close: %s\n", rill_status_name(status));
    return 1;
  }
  printf("context: ok\n");
  printf("own pool_alloc %d, limiter_init %d\n", pool_alloc(), limiter_init());
  return 0;
}
