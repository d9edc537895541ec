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
/* decide.c: is the program an interpreter (so its working directory and stdin can matter)? */
bool eg_is_interpreter(const eg_table *t, const eg_facts *f);

/* What the enforcer saw and decided, handed to JavaScript through a bounded queue. */
enum { EG_STAGE_EXEC = 0, EG_STAGE_LIBC = 1 };
enum { EG_OUTCOME_DECIDED = 0, EG_OUTCOME_DEADLINE = 1, EG_OUTCOME_ERROR = 2 };

typedef struct {
  char *path;
  bool has_sha;
  uint8_t sha[32];
  bool admin_only, has_pkg, pkg_verified;
  uint8_t pkg_manager; /* 1 dpkg, 2 rpm */
  char *pkg_name;
  char *content_name;
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
  uint32_t repeats; /* a summary: identical allowed executions after the first, the last at time_ms */
  double first_ms;  /* a summary: when the first of them was recorded */
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
/* After the verdict, for the record: the facts the verdict did not need (user, directory, stdin, parent). */
void eg_probe_complete(eg_probe *p, const eg_table *t, uint8_t stage);
/* Adds the script (resolved from the arguments) with its hash and provenance. */
int eg_probe_script(eg_probe *p, const eg_table *t, pid_t pid, double deadline_ms);
eg_record *eg_probe_record(eg_probe *p, const eg_result *r, uint8_t stage, uint8_t outcome, double latency_us);
void eg_record_free(eg_record *r);
eg_record *eg_record_clone(const eg_record *r);

/* summary.c: repeated allowed executions, counted instead of recorded one by one (window 0: off) */
void eg_summary_configure(double window_ms);
/* Counts the execution when an identical one was recorded within the window; true then. */
bool eg_summary_repeat(const eg_facts *f, const eg_result *r, uint8_t stage, double now_ms);
/* Remembers a recorded execution; returns the summary of a slot it closed, if any. */
eg_record *eg_summary_remember(const eg_facts *f, const eg_result *r, uint8_t stage, const eg_record *rec, double now_ms);
/* The summaries of windows that are over (all of them when `all`), as a list. */
eg_record *eg_summary_flush(double now_ms, bool all);
bool eg_admin_only(const char *root, const char *path, const struct stat *file);

#endif
