/* The enforcer around the evaluator: identities, /proc probes, the fanotify loop, event records. */
#ifndef EG_CORE_H
#define EG_CORE_H

#include <sys/stat.h>
#include <sys/types.h>

#include "eg.h"

enum { EG_HASH_OK = 0, EG_HASH_ERROR = 1, EG_HASH_LATE = 2 };

/* identity.c */
bool eg_cache_get(const struct stat *st, uint8_t sha[32]);
void eg_cache_put(const struct stat *st, const uint8_t sha[32]);
void eg_cache_clear(void);
void eg_cache_stats(uint64_t *hits, uint64_t *misses);
int eg_hash_fd(int fd, uint8_t sha[32], double deadline_ms);
int eg_identity_of(int fd, const struct stat *st, uint8_t sha[32], double deadline_ms);
void eg_hash_later(int fd, const struct stat *st);
double eg_now_mono_ms(void);

/* decide.c: the script an interpreter execution names, resolved (spec §3), if any */
bool eg_script_of(const eg_table *t, const eg_facts *f, char *out, size_t cap);

/* What the enforcer saw and decided, handed to JavaScript through a bounded queue. */
enum { EG_STAGE_EXEC = 0, EG_STAGE_LIBC = 1 };
enum { EG_OUTCOME_DECIDED = 0, EG_OUTCOME_DEADLINE = 1, EG_OUTCOME_ERROR = 2 };

typedef struct {
  char *path;
  bool has_sha;
  uint8_t sha[32];
  bool admin_only, has_pkg, pkg_verified;
  char *pkg_name;
} eg_rec_subject;

typedef struct eg_record {
  struct eg_record *next;
  double time_ms;
  uint8_t stage, outcome;
  int32_t pid, ppid;
  int64_t uid, gid;
  char *args; /* NUL-separated */
  uint32_t args_len, argc;
  bool has_args;
  char *cwd, *user_name, *group_name;
  char **groups;
  uint32_t n_groups;
  uint8_t stdin_kind;
  eg_rec_subject program, script, parent;
  eg_rec_subject ancestors[EG_MAX_ANCESTORS];
  uint32_t n_ancestors;
  eg_result result;
  char *rule_id, *exception_id, *window_id, *never_block_id;
  double latency_us;
  char *error;
} eg_record;

/* probe.c */
typedef struct eg_probe eg_probe; /* the facts of one execution and the memory behind them */
eg_probe *eg_probe_new(void);
void eg_probe_free(eg_probe *p);
eg_facts *eg_probe_facts(eg_probe *p);
/* Fills the probe from /proc for a process that is opening its C library (post-exec check). */
int eg_probe_process(eg_probe *p, const eg_table *t, pid_t pid, double deadline_ms, int *late_fd, struct stat *late_st);
/* Fills the probe for a file being executed (exec-time check): program only. */
int eg_probe_exec(eg_probe *p, const eg_table *t, pid_t pid, int fd, double deadline_ms, struct stat *st);
/* The user of an exec-time check that is decided in full (read only then: most exec checks are not). */
void eg_probe_exec_user(eg_probe *p, const eg_table *t, pid_t pid);
/* Adds the script (resolved from the arguments) with its hash and provenance. */
int eg_probe_script(eg_probe *p, const eg_table *t, pid_t pid, double deadline_ms);
eg_record *eg_probe_record(eg_probe *p, const eg_result *r, uint8_t stage, uint8_t outcome, double latency_us);
void eg_record_free(eg_record *r);
bool eg_admin_only(const char *root, const char *path, const struct stat *file);

#endif
