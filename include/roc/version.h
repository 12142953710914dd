/* Version of the roc API this library implements: roc-toolkit 0.4.0. */
#ifndef ROC_VERSION_H_
#define ROC_VERSION_H_

#include "roc/platform.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ROC_VERSION_MAJOR 0
#define ROC_VERSION_MINOR 4
#define ROC_VERSION_PATCH 0

/* One comparable number for a version triple. */
#define ROC_VERSION_CODE(major, minor, patch) ((major)*1000000 + (minor)*1000 + (patch))
#define ROC_VERSION ROC_VERSION_CODE(ROC_VERSION_MAJOR, ROC_VERSION_MINOR, ROC_VERSION_PATCH)

typedef struct roc_version {
  unsigned int major;
  unsigned int minor;
  unsigned int patch;
  unsigned int code; /* ROC_VERSION_CODE(major, minor, patch) */
} roc_version;

/* The API version of the library in use (0.4.0). Thread role: any. */
ROC_API void roc_version_load(roc_version *version);

#ifdef __cplusplus
}
#endif

#endif /* ROC_VERSION_H_ */
