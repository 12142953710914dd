/*
 * Built against an installed librill-roc.so the way a roc-toolkit program
 * is built against roc (-I include/rill-roc -L lib/rill-roc -lroc), and run
 * with LD_LIBRARY_PATH=lib/rill-roc: prints the API version and opens and
 * closes a context.
 */
#include <roc/context.h>
#include <roc/version.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
  roc_version v;
  roc_context_config cfg;
  roc_context *ctx = NULL;
  roc_version_load(&v);
  printf("roc %u.%u.%u\n", v.major, v.minor, v.patch);
  memset(&cfg, 0, sizeof(cfg));
  if (roc_context_open(&cfg, &ctx) != 0 || roc_context_close(ctx) != 0)
    return 1;
  printf("context: ok\n");
  return 0;
}
