/*
 * Status names and messages, generated from RILL_STATUS_MAP so that the enum,
 * the name and the message can never disagree.
 */
#include <rill/status.h>

const char *rill_status_name(int status)
{
  switch (status) {
#define RILL_STATUS_NAME_(name, num, msg) \
  case (num):                             \
    return "RILL_" #name;
    RILL_STATUS_MAP(RILL_STATUS_NAME_)
#undef RILL_STATUS_NAME_
  }
  return "RILL_UNKNOWN";
}

const char *rill_status_message(int status)
{
  switch (status) {
#define RILL_STATUS_MSG_(name, num, msg) \
  case (num):                            \
    return msg;
    RILL_STATUS_MAP(RILL_STATUS_MSG_)
#undef RILL_STATUS_MSG_
  }
  return "unknown status";
}
