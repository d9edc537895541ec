/*
 * The facts of one execution, read from /proc while the process waits for its verdict. Only
 * /proc, the event's own descriptor and files named by the process are opened — never the C
 * library (that open would wait for this very thread). Before the verdict only what the table
 * needs is read; what the record adds is read after the answer (eg_probe_complete).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core.h"

#define CMDLINE_CAP 65536
#define MAX_ARGS 4096

typedef struct {
  char path[4096];
  struct stat st;
} image;

struct eg_probe {
  eg_facts f;
  char exe[4096], cwd[4096], script[4096], parent_exe[4096];
  char anc_exe[EG_MAX_ANCESTORS][1024];
  char *cmdline;
  const char *argv[MAX_ARGS];
  char uid_str[24];
  int32_t pid, ppid;
  int64_t uid, gid;
  uint32_t gids[EG_MAX_GROUPS];
  uint32_t n_gids;
  bool have_user, have_context; /* read already for this event */
};

eg_probe *eg_probe_new(void) {
  eg_probe *p = calloc(1, sizeof *p);
  if (p) p->cmdline = malloc(CMDLINE_CAP + 1);
  if (p && !p->cmdline) {
    free(p);
    return NULL;
  }
  return p;
}

void eg_probe_free(eg_probe *p) {
  if (!p) return;
  free(p->cmdline);
  free(p);
}

eg_facts *eg_probe_facts(eg_probe *p) { return &p->f; }

static ssize_t read_link(const char *link, char *out, size_t cap) {
  ssize_t n = readlink(link, out, cap - 1);
  if (n < 0) {
    out[0] = 0;
    return -1;
  }
  out[n] = 0;
  return n;
}

static ssize_t read_small(const char *path, char *out, size_t cap) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  size_t got = 0;
  while (got < cap) {
    ssize_t n = read(fd, out + got, cap - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += (size_t)n;
  }
  close(fd);
  return (ssize_t)got;
}

/*
 * Administrator-only (spec §4 path identities; the inventory's writability rules): the file and
 * every directory above it are owned by root and writable by nobody else (group root counts as
 * administrators); in a sticky directory an entry owned by root cannot be replaced by others.
 */
bool eg_admin_only(const char *root, const char *path, const struct stat *file) {
  if (file->st_uid != 0 || ((file->st_mode & 020) && file->st_gid != 0) || (file->st_mode & 002)) return false;
  char buf[8192];
  int n = snprintf(buf, sizeof buf, "%s%s", root ? root : "", path);
  if (n <= 0 || (size_t)n >= sizeof buf) return false;
  size_t root_len = root ? strlen(root) : 0;
  uid_t entry_uid = file->st_uid;
  for (;;) {
    char *slash = strrchr(buf + root_len, '/');
    if (!slash) return false;
    if (slash == buf + root_len) slash[1] = 0; /* the root directory itself */
    else *slash = 0;
    struct stat d;
    if (lstat(buf, &d) != 0) return false;
    if (d.st_uid != 0) return false;
    if (d.st_mode & S_ISVTX) {
      if (entry_uid != 0) return false;
    } else if (((d.st_mode & 030) == 030 && d.st_gid != 0) || (d.st_mode & 003) == 003) {
      return false;
    }
    entry_uid = d.st_uid;
    if (slash == buf + root_len) return true;
  }
}

static void subject_provenance(const eg_table *t, eg_subject *s, const char *root, const struct stat *st) {
  if (t->n_content_names && s->has_sha) {
    const char *slash = s->path ? strrchr(s->path, '/') : NULL;
    s->content_name = eg_content_name_of(t, s->sha, slash ? slash + 1 : s->path);
  }
  if (t->needs & EG_NEEDS_ADMIN) s->admin_only = s->path && eg_admin_only(root, s->path, st);
  if ((t->needs & EG_NEEDS_PKG) && s->path && s->has_sha) {
    const eg_pkgfile *pf = eg_pkgfile_lookup(t, s->path);
    if (pf) {
      s->has_pkg = true;
      s->pkg_manager = pf->manager;
      s->pkg_name = pf->name;
      s->pkg_verified = memcmp(pf->sha, s->sha, 32) == 0;
    }
  }
}

/*
 * The image a /proc/PID/exe link points to: its path, and its identity when `want_sha`. stat()
 * through the link finds a cached hash without opening the file; only a miss opens and hashes it.
 */
static int image_of(const eg_table *t, pid_t pid, char *path, size_t cap, eg_subject *s, bool want_sha, double deadline,
                    int *late_fd, struct stat *late_st) {
  char link[64];
  snprintf(link, sizeof link, "/proc/%d/exe", pid);
  if (read_link(link, path, cap) < 0) return -1;
  s->present = true;
  s->path = path;
  if (!want_sha) return 0;
  struct stat st;
  int rc = 0;
  if (stat(link, &st) != 0) return 0; /* e.g. a kernel thread: no identity */
  if (eg_cache_get(&st, s->sha)) s->has_sha = true;
  else {
    int fd = open(link, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) != 0) {
      if (fd >= 0) close(fd);
      return 0;
    }
    int h = eg_identity_of(fd, &st, s->sha, deadline);
    s->has_sha = h == EG_HASH_OK;
    if (h == EG_HASH_LATE) {
      rc = 1;
      if (late_fd) {
        *late_fd = dup(fd);
        *late_st = st;
      }
    }
    close(fd);
  }
  char root[64];
  snprintf(root, sizeof root, "/proc/%d/root", pid);
  subject_provenance(t, s, root, &st);
  return rc;
}

static void read_status(eg_probe *p, pid_t pid) {
  char buf[4096], path[64];
  snprintf(path, sizeof path, "/proc/%d/status", pid);
  ssize_t n = read_small(path, buf, sizeof buf - 1);
  p->ppid = -1;
  p->uid = p->gid = -1;
  if (n <= 0) return;
  buf[n] = 0;
  char *s;
  if ((s = strstr(buf, "\nPPid:"))) p->ppid = (int32_t)strtol(s + 6, NULL, 10);
  if ((s = strstr(buf, "\nUid:"))) p->uid = strtoll(s + 5, NULL, 10);
  if ((s = strstr(buf, "\nGid:"))) p->gid = strtoll(s + 5, NULL, 10);
  p->n_gids = 0;
  if ((s = strstr(buf, "\nGroups:"))) {
    char *q = s + 8;
    while (p->n_gids < EG_MAX_GROUPS) {
      char *end;
      long g = strtol(q, &end, 10);
      if (end == q) break;
      p->gids[p->n_gids++] = (uint32_t)g;
      q = end;
    }
  }
}

static uint8_t stdin_kind(pid_t pid) {
  char link[64], target[256];
  snprintf(link, sizeof link, "/proc/%d/fd/0", pid);
  if (read_link(link, target, sizeof target) < 0) return EG_STDIN_ABSENT;
  if (strncmp(target, "pipe:", 5) == 0) return EG_STDIN_PIPE;
  if (strncmp(target, "socket:", 7) == 0) return EG_STDIN_SOCKET;
  if (strcmp(target, "/dev/null") == 0) return EG_STDIN_NULL;
  if (strncmp(target, "/dev/pts/", 9) == 0 || strncmp(target, "/dev/tty", 8) == 0 || strcmp(target, "/dev/console") == 0)
    return EG_STDIN_TTY;
  if (target[0] == '/') return EG_STDIN_FILE;
  return EG_STDIN_UNKNOWN;
}

static void users(eg_probe *p, const eg_table *t) {
  eg_facts *f = &p->f;
  snprintf(p->uid_str, sizeof p->uid_str, "%lld", (long long)p->uid);
  f->user_id = p->uid >= 0 ? p->uid_str : NULL;
  f->user_name = p->uid >= 0 ? eg_account_name(t->users, t->n_users, (uint32_t)p->uid) : NULL;
  f->group_name = p->gid >= 0 ? eg_account_name(t->groups, t->n_groups, (uint32_t)p->gid) : NULL;
  f->n_groups = 0;
  for (uint32_t i = 0; i < p->n_gids; i++) {
    const char *name = eg_account_name(t->groups, t->n_groups, p->gids[i]);
    if (name) f->groups[f->n_groups++] = name;
  }
}

static void reset(eg_probe *p, pid_t pid) {
  memset(&p->f, 0, sizeof p->f);
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  p->f.now = (double)ts.tv_sec * 1e3 + (double)(ts.tv_nsec / 1000000);
  p->pid = pid;
  p->exe[0] = p->cwd[0] = p->script[0] = p->parent_exe[0] = 0;
  p->ppid = -1;
  p->uid = p->gid = -1;
  p->n_gids = 0;
  p->have_user = p->have_context = false;
}

static void parent_and_ancestors(eg_probe *p, const eg_table *t, double deadline) {
  eg_facts *f = &p->f;
  if (p->ppid <= 0 || f->parent.present) return;
  image_of(t, p->ppid, p->parent_exe, sizeof p->parent_exe, &f->parent, true, deadline, NULL, NULL);
  if (!(t->needs & EG_NEEDS_ANCESTORS)) return;
  eg_probe up;
  pid_t cur = p->ppid;
  for (uint32_t i = 0; i < EG_MAX_ANCESTORS; i++) {
    read_status(&up, cur);
    if (up.ppid <= 0) break;
    cur = up.ppid;
    eg_subject *a = &f->ancestors[f->n_ancestors];
    memset(a, 0, sizeof *a);
    if (image_of(t, cur, p->anc_exe[i], sizeof p->anc_exe[i], a, true, deadline, NULL, NULL) < 0) break;
    f->n_ancestors++;
  }
}

static void context(eg_probe *p, pid_t pid) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/cwd", pid);
  if (read_link(path, p->cwd, sizeof p->cwd) >= 0) p->f.cwd = p->cwd;
  p->f.stdin_kind = stdin_kind(pid);
  p->have_context = true;
}

static void user_of(eg_probe *p, const eg_table *t, pid_t pid) {
  read_status(p, pid);
  users(p, t);
  p->have_user = true;
}

/*
 * Before the verdict only what the table can use is read: the image and its arguments always; the
 * working directory and standard input for interpreters (relative scripts, scripts on stdin); the
 * user, parent and ancestors when a rule names them. Each /proc read costs microseconds the
 * process waits for; the rest of the record is read by eg_probe_complete once it runs.
 */
int eg_probe_process(eg_probe *p, const eg_table *t, pid_t pid, double deadline, int *late_fd, struct stat *late_st) {
  reset(p, pid);
  eg_facts *f = &p->f;
  int rc = image_of(t, pid, p->exe, sizeof p->exe, &f->program, true, deadline, late_fd, late_st);
  if (rc < 0) return -1;
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/cmdline", pid);
  ssize_t n = read_small(path, p->cmdline, CMDLINE_CAP);
  if (n >= 0) {
    p->cmdline[n] = 0;
    uint32_t argc = 0;
    for (ssize_t i = 0; i < n && argc < MAX_ARGS;) {
      p->argv[argc++] = p->cmdline + i;
      i += (ssize_t)strlen(p->cmdline + i) + 1;
    }
    f->has_args = true;
    f->args = p->argv;
    f->argc = argc;
  }
  if (eg_is_interpreter(t, f)) context(p, pid);
  if (t->needs & (EG_NEEDS_USER | EG_NEEDS_PARENT | EG_NEEDS_ANCESTORS)) user_of(p, t, pid);
  if (t->needs & (EG_NEEDS_PARENT | EG_NEEDS_ANCESTORS)) parent_and_ancestors(p, t, deadline);
  return rc;
}

void eg_probe_complete(eg_probe *p, const eg_table *t, uint8_t stage) {
  double deadline = eg_now_mono_ms() + 50;
  if (!p->have_user) user_of(p, t, p->pid);
  if (stage == EG_STAGE_LIBC) {
    if (!p->have_context) context(p, p->pid);
    parent_and_ancestors(p, t, deadline);
  }
}

int eg_probe_script(eg_probe *p, const eg_table *t, pid_t pid, double deadline) {
  eg_facts *f = &p->f;
  if (!eg_script_of(t, f, p->script, sizeof p->script)) return 0;
  f->file.present = true;
  f->file.path = p->script;
  char full[8192], root[64];
  snprintf(root, sizeof root, "/proc/%d/root", pid);
  snprintf(full, sizeof full, "%s%s", root, p->script);
  int fd = open(full, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) return 0; /* a script that cannot be read has no identity: no script identity matches */
  struct stat st;
  int rc = 0;
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
    int h = eg_identity_of(fd, &st, f->file.sha, deadline);
    f->file.has_sha = h == EG_HASH_OK;
    if (h == EG_HASH_LATE) {
      eg_hash_later(fd, &st);
      rc = 1;
    }
    subject_provenance(t, &f->file, root, &st);
  }
  close(fd);
  return rc;
}

int eg_probe_exec(eg_probe *p, const eg_table *t, pid_t pid, int fd, double deadline, struct stat *st) {
  reset(p, pid);
  eg_facts *f = &p->f;
  char link[64];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  if (read_link(link, p->exe, sizeof p->exe) < 0) return -1;
  f->program.present = true;
  f->program.path = p->exe;
  if (fstat(fd, st) != 0) return -1;
  int h = eg_identity_of(fd, st, f->program.sha, deadline);
  f->program.has_sha = h == EG_HASH_OK;
  subject_provenance(t, &f->program, NULL, st);
  return h == EG_HASH_LATE ? 1 : 0;
}

void eg_probe_exec_user(eg_probe *p, const eg_table *t, pid_t pid) { user_of(p, t, pid); }

/* ---- records ---- */
static char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

static void rec_subject(eg_rec_subject *out, const eg_subject *s) {
  if (!s->present) return;
  out->path = dup_or_null(s->path);
  out->has_sha = s->has_sha;
  memcpy(out->sha, s->sha, 32);
  out->admin_only = s->admin_only;
  out->has_pkg = s->has_pkg;
  out->pkg_manager = s->pkg_manager;
  out->pkg_verified = s->pkg_verified;
  out->pkg_name = dup_or_null(s->pkg_name);
  out->content_name = dup_or_null(s->content_name);
}

eg_record *eg_probe_record(eg_probe *p, const eg_result *r, uint8_t stage, uint8_t outcome, double latency_us) {
  eg_record *rec = calloc(1, sizeof *rec);
  if (!rec) return NULL;
  const eg_facts *f = &p->f;
  rec->time_ms = f->now;
  rec->stage = stage;
  rec->outcome = outcome;
  rec->pid = p->pid;
  rec->ppid = p->ppid;
  rec->uid = p->uid;
  rec->gid = p->gid;
  rec->has_args = f->has_args;
  if (f->has_args) {
    size_t len = 0;
    for (uint32_t i = 0; i < f->argc; i++) len += strlen(f->args[i]) + 1;
    rec->args = malloc(len ? len : 1);
    if (rec->args) {
      size_t o = 0;
      for (uint32_t i = 0; i < f->argc; i++) {
        size_t l = strlen(f->args[i]) + 1;
        memcpy(rec->args + o, f->args[i], l);
        o += l;
      }
      rec->args_len = (uint32_t)len;
      rec->argc = f->argc;
    }
  }
  rec->cwd = dup_or_null(f->cwd);
  rec->user_name = dup_or_null(f->user_name);
  rec->group_name = dup_or_null(f->group_name);
  if (f->n_groups) {
    rec->groups = calloc(f->n_groups, sizeof(char *));
    for (uint32_t i = 0; rec->groups && i < f->n_groups; i++) rec->groups[i] = dup_or_null(f->groups[i]);
    rec->n_groups = rec->groups ? f->n_groups : 0;
  }
  rec->stdin_kind = f->stdin_kind;
  rec_subject(&rec->program, &f->program);
  rec_subject(&rec->script, &f->file);
  rec_subject(&rec->parent, &f->parent);
  for (uint32_t i = 0; i < f->n_ancestors; i++) rec_subject(&rec->ancestors[i], &f->ancestors[i]);
  rec->n_ancestors = f->n_ancestors;
  rec->result = *r;
  rec->rule_id = dup_or_null(r->rule_id);
  rec->exception_id = dup_or_null(r->exception_id);
  rec->window_id = dup_or_null(r->window_id);
  rec->never_block_id = dup_or_null(r->never_block_id);
  rec->result.rule_id = rec->result.exception_id = rec->result.window_id = rec->result.never_block_id = NULL;
  rec->latency_us = latency_us;
  return rec;
}

static void free_subject(eg_rec_subject *s) {
  free(s->path);
  free(s->pkg_name);
  free(s->content_name);
}

void eg_record_free(eg_record *r) {
  if (!r) return;
  free(r->args);
  free(r->cwd);
  free(r->user_name);
  free(r->group_name);
  for (uint32_t i = 0; i < r->n_groups; i++) free(r->groups[i]);
  free(r->groups);
  free_subject(&r->program);
  free_subject(&r->script);
  free_subject(&r->parent);
  for (uint32_t i = 0; i < r->n_ancestors; i++) free_subject(&r->ancestors[i]);
  free(r->rule_id);
  free(r->exception_id);
  free(r->window_id);
  free(r->never_block_id);
  free(r->error);
  free(r);
}

static char *dup_args(const char *a, uint32_t len) {
  char *out = a ? malloc(len ? len : 1) : NULL;
  if (out && len) memcpy(out, a, len);
  return out;
}

static void copy_subject(eg_rec_subject *out, const eg_rec_subject *s) {
  *out = *s;
  out->path = dup_or_null(s->path);
  out->pkg_name = dup_or_null(s->pkg_name);
  out->content_name = dup_or_null(s->content_name);
}

eg_record *eg_record_clone(const eg_record *r) {
  eg_record *c = malloc(sizeof *c);
  if (!c) return NULL;
  *c = *r;
  c->next = NULL;
  c->args = dup_args(r->args, r->args_len);
  c->cwd = dup_or_null(r->cwd);
  c->user_name = dup_or_null(r->user_name);
  c->group_name = dup_or_null(r->group_name);
  c->groups = r->n_groups ? calloc(r->n_groups, sizeof(char *)) : NULL;
  c->n_groups = c->groups ? r->n_groups : 0;
  for (uint32_t i = 0; i < c->n_groups; i++) c->groups[i] = dup_or_null(r->groups[i]);
  copy_subject(&c->program, &r->program);
  copy_subject(&c->script, &r->script);
  copy_subject(&c->parent, &r->parent);
  for (uint32_t i = 0; i < r->n_ancestors; i++) copy_subject(&c->ancestors[i], &r->ancestors[i]);
  c->rule_id = dup_or_null(r->rule_id);
  c->exception_id = dup_or_null(r->exception_id);
  c->window_id = dup_or_null(r->window_id);
  c->never_block_id = dup_or_null(r->never_block_id);
  c->error = dup_or_null(r->error);
  return c;
}
