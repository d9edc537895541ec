#ifndef EG_ENFORCER_H
#define EG_ENFORCER_H

#include "core.h"

typedef struct {
  const char *const *watch; /* mounts marked for FAN_OPEN_EXEC_PERM */
  uint32_t n_watch;
  const char *const *libc; /* C library files marked for FAN_OPEN_PERM (post-exec check) */
  uint32_t n_libc;
  double deadline_ms, watchdog_ms;
  uint32_t record_cap;
  double summary_ms; /* window for summarising repeated allowed executions; 0: record each one */
} eg_start_options;

typedef struct {
  bool running;
  uint64_t decisions, allowed, denied, would_deny, deadline_misses, errors;
  uint64_t records_dropped, kernel_overflows, table_swaps, restarts, generation;
  uint32_t queued;
  double p50_us, p99_us, max_latency_us;
  uint64_t cache_hits, cache_misses;
} eg_stats;

int eg_enforcer_start(const eg_start_options *o, eg_table *t, char *err, size_t errlen);
void eg_enforcer_set_table(eg_table *t);
void eg_enforcer_stop(void);
eg_record *eg_enforcer_take(uint32_t max);
void eg_enforcer_stats(eg_stats *out);

/* decide.c */
bool eg_is_loader(const eg_table *t, const char *path);

#endif
