/*
 * Intrusive circular doubly linked list (in the manner of libuv's queue.h).
 * Nodes live inside the objects they link; linking never allocates.
 * Not thread-safe: each list is owned by one thread role.
 */
#ifndef RILL_CORE_LIST_H
#define RILL_CORE_LIST_H

#include <stdbool.h>
#include <stddef.h>

struct rill_list {
  struct rill_list *next; /* borrowed */
  struct rill_list *prev; /* borrowed */
};

#define RILL_CONTAINER_OF(ptr, type, field) \
  ((type *)(void *)((char *)(ptr)-offsetof(type, field)))

static inline void list_init(struct rill_list *head)
{
  head->next = head;
  head->prev = head;
}

static inline bool list_empty(const struct rill_list *head)
{
  return head->next == head;
}

static inline void list_insert_head(struct rill_list *head, struct rill_list *node)
{
  node->next = head->next;
  node->prev = head;
  head->next->prev = node;
  head->next = node;
}

static inline void list_insert_tail(struct rill_list *head, struct rill_list *node)
{
  node->prev = head->prev;
  node->next = head;
  head->prev->next = node;
  head->prev = node;
}

static inline void list_remove(struct rill_list *node)
{
  node->prev->next = node->next;
  node->next->prev = node->prev;
  node->next = node;
  node->prev = node;
}

static inline struct rill_list *list_head(const struct rill_list *head)
{
  return list_empty(head) ? NULL : head->next;
}

static inline struct rill_list *list_tail(const struct rill_list *head)
{
  return list_empty(head) ? NULL : head->prev;
}

#endif /* RILL_CORE_LIST_H */
