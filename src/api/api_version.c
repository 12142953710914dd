/* Public version query: the version the library was built as (generated rill/version.h). */
#include <rill/version.h>

const char *rill_version(void)
{
  return RILL_VERSION_STRING;
}

unsigned int rill_version_number(void)
{
  return RILL_VERSION_NUMBER;
}
