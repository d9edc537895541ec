/*
 * The fanotify loop. One thread reads permission events and answers each from the decision table:
 *   - FAN_OPEN_EXEC_PERM on the watched mounts: a file is being executed. Static ELF images are
 *     decided in full here (no later check exists for them); dynamic images are denied only when no
 *     rule, exception, window or never-block entry could let the program run, otherwise the
 *     decision waits for the second check. Scripts (#!) and the loader are left to that check.
 *   - FAN_OPEN_PERM on the C library's inode(s): the new image is opening libc, so /proc already
 *     shows its executable and arguments, and it has run none of its own code: the full decision.
 * Nothing on this path waits for JavaScript: records go to a bounded queue that JavaScript drains,
 * and when it is full records are counted and dropped, never waited for. A watchdog thread replaces
 * a stuck loop: it detaches the fanotify group (the kernel then allows what was pending — the host
 * never hangs) and starts a fresh group and loop with the same marks.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/fanotify.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "enforcer.h"

#define MAX_MARKS 64
#define LAT_BUCKETS 64

typedef struct {
  char *watch[MAX_MARKS];
  uint32_t n_watch;
  char *libc[MAX_MARKS];
  uint32_t n_libc;
  double deadline_ms, watchdog_ms;
  uint32_t record_cap;
} config;

static struct {
  pthread_mutex_t lock; /* guards the record queue, the config and the lifecycle fields */
  bool running;
  config cfg;
  int fan_fd, stop_fd;
  pthread_t loop, watchdog;
  uint64_t generation;
  eg_table *table;   /* owned by the loop thread */
  eg_table *pending; /* swapped in by the loop between events */
  eg_record *head, *tail;
  uint32_t queued;
  eg_stats stats;
  uint64_t lat_hist[LAT_BUCKETS];
  double in_flight_since; /* monotonic ms, 0 when idle */
  int in_flight_fd;       /* the event the loop is deciding */
  double heartbeat;
  pid_t self;
  bool keep_tables; /* after a watchdog restart an abandoned loop may still read old tables */
} S = {.lock = PTHREAD_MUTEX_INITIALIZER, .fan_fd = -1, .stop_fd = -1};

static double mono(void) { return eg_now_mono_ms(); }

static void enqueue(eg_record *r) {
  if (!r) return;
  pthread_mutex_lock(&S.lock);
  if (S.queued >= S.cfg.record_cap) {
    S.stats.records_dropped++;
    pthread_mutex_unlock(&S.lock);
    eg_record_free(r);
    return;
  }
  if (S.tail) S.tail->next = r;
  else S.head = r;
  S.tail = r;
  S.queued++;
  pthread_mutex_unlock(&S.lock);
}

static void enqueue_all(eg_record *list) {
  while (list) {
    eg_record *next = list->next;
    list->next = NULL;
    enqueue(list);
    list = next;
  }
}

static double wall_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (double)ts.tv_sec * 1e3 + (double)(ts.tv_nsec / 1000000);
}

eg_record *eg_enforcer_take(uint32_t max) {
  pthread_mutex_lock(&S.lock);
  eg_record *first = S.head, *last = NULL, *cur = S.head;
  uint32_t n = 0;
  while (cur && n < max) {
    last = cur;
    cur = cur->next;
    n++;
  }
  if (last) {
    last->next = NULL;
    S.head = cur;
    if (!cur) S.tail = NULL;
    S.queued -= n;
  } else first = NULL;
  pthread_mutex_unlock(&S.lock);
  return first;
}

static void count(const eg_result *r, uint8_t outcome, double us) {
  pthread_mutex_lock(&S.lock);
  S.stats.decisions++;
  if (outcome == EG_OUTCOME_DEADLINE) S.stats.deadline_misses++;
  if (outcome == EG_OUTCOME_ERROR) S.stats.errors++;
  if (r->effect == EG_EFFECT_DENIED) S.stats.denied++;
  else if (r->effect == EG_EFFECT_WOULD_DENY) S.stats.would_deny++;
  else S.stats.allowed++;
  int b = 0;
  for (double v = us; v >= 2 && b < LAT_BUCKETS - 1; v /= 1.25) b++;
  S.lat_hist[b]++;
  if (us > S.stats.max_latency_us) S.stats.max_latency_us = us;
  pthread_mutex_unlock(&S.lock);
}

static double percentile(double q) {
  uint64_t total = 0, seen = 0;
  for (int i = 0; i < LAT_BUCKETS; i++) total += S.lat_hist[i];
  if (!total) return 0;
  for (int i = 0; i < LAT_BUCKETS; i++) {
    seen += S.lat_hist[i];
    if ((double)seen >= q * (double)total) {
      double v = 2;
      for (int k = 1; k < i; k++) v *= 1.25;
      return i == 0 ? 1 : v;
    }
  }
  return S.stats.max_latency_us;
}

void eg_enforcer_stats(eg_stats *out) {
  pthread_mutex_lock(&S.lock);
  *out = S.stats;
  out->running = S.running;
  out->queued = S.queued;
  out->p50_us = percentile(0.5);
  out->p99_us = percentile(0.99);
  out->generation = S.generation;
  pthread_mutex_unlock(&S.lock);
  eg_cache_stats(&out->cache_hits, &out->cache_misses);
}

/* ---- ELF: does the image name an interpreter (PT_INTERP)? ---- */
typedef enum { IMG_OTHER, IMG_SCRIPT, IMG_ELF_STATIC, IMG_ELF_DYNAMIC } image_kind;

static image_kind kind_of(int fd) {
  uint8_t h[64];
  ssize_t n = pread(fd, h, sizeof h, 0);
  if (n >= 2 && h[0] == '#' && h[1] == '!') return IMG_SCRIPT;
  if (n < 64 || memcmp(h, "\x7f" "ELF", 4) != 0 || h[4] != 2 /* 64-bit */ || h[5] != 1 /* little-endian */) {
    return n >= 4 && memcmp(h, "\x7f" "ELF", 4) == 0 ? IMG_ELF_DYNAMIC /* unusual ELF: the libc check decides */ : IMG_OTHER;
  }
  uint64_t phoff;
  uint16_t phentsize, phnum;
  memcpy(&phoff, h + 32, 8);
  memcpy(&phentsize, h + 54, 2);
  memcpy(&phnum, h + 56, 2);
  if (phentsize < 4 || phnum > 512) return IMG_ELF_DYNAMIC;
  for (uint16_t i = 0; i < phnum; i++) {
    uint32_t type;
    if (pread(fd, &type, 4, (off_t)(phoff + (uint64_t)i * phentsize)) != 4) return IMG_ELF_DYNAMIC;
    if (type == 3 /* PT_INTERP */) return IMG_ELF_DYNAMIC;
  }
  return IMG_ELF_STATIC;
}

static const eg_result FAIL_RESULT = {0};

static void respond(int fan_fd, int fd, bool allow);

/*
 * Failpoint for the watchdog test: when EXECGUARD_FAILPOINT_STALL names a path, deciding an
 * execution of that program stalls the loop for ten seconds, as a hung read on a network file
 * system would. Read once at start; unset in production (root sets the agent's environment).
 */
static char *stall_path;

static void maybe_stall(const char *path) {
  if (stall_path && path && strcmp(stall_path, path) == 0) {
    free(stall_path);
    stall_path = NULL; /* once: the replacement loop must not stall on the retry */
    struct timespec ts = {10, 0};
    nanosleep(&ts, NULL);
  }
}

/* What one permission event decided, kept until the kernel has its answer and the record is made. */
typedef struct {
  bool allow, record;
  uint8_t stage, outcome;
  eg_result r;
  double us;
} verdict;

/*
 * Decides one permission event.
 *
 * A file too large to hash before the deadline is decided with its hash unknown — exactly what the
 * engine does for an event without a hash: no sha256 identity matches it, so a hash-based allow
 * does not apply until the background hash lands, and padding a binary to make hashing slow buys an
 * attacker nothing. The fail mode answers what cannot be decided at all: a process whose /proc
 * vanished or cannot be read, and (through the watchdog) an event the loop is stuck on.
 */
static verdict decide_event(eg_probe *probe, const eg_table *t, const struct fanotify_event_metadata *md, double start) {
  double deadline = start + S.cfg.deadline_ms;
  verdict v = {.allow = true, .stage = (md->mask & FAN_OPEN_EXEC_PERM) ? EG_STAGE_EXEC : EG_STAGE_LIBC};
  v.outcome = EG_OUTCOME_DECIDED;
  int rc;
  if (v.stage == EG_STAGE_EXEC) {
    image_kind k = kind_of(md->fd);
    if (k == IMG_SCRIPT || k == IMG_OTHER) return v; /* decided when the interpreter opens libc */
    struct stat st;
    rc = eg_probe_exec(probe, t, md->pid, md->fd, deadline, &st);
    if (rc == 1) eg_hash_later(md->fd, &st);
    /* The loader itself is opened this way for every dynamic execution: not a direct invocation. */
    if (rc >= 0 && eg_is_loader(t, eg_probe_facts(probe)->program.path)) return v;
    if (rc >= 0 && k == IMG_ELF_DYNAMIC && eg_program_could_run(t, eg_probe_facts(probe))) return v;
    if (rc >= 0 && (t->needs & EG_NEEDS_USER)) eg_probe_exec_user(probe, t, md->pid);
  } else {
    int late_fd = -1;
    struct stat late_st;
    rc = eg_probe_process(probe, t, md->pid, deadline, &late_fd, &late_st);
    if (late_fd >= 0) {
      eg_hash_later(late_fd, &late_st);
      close(late_fd);
    }
    if (rc >= 0 && eg_probe_script(probe, t, md->pid, deadline) == 1) rc = 1;
  }
  maybe_stall(eg_probe_facts(probe)->program.path);
  if (rc < 0) {
    v.r = FAIL_RESULT;
    v.r.allow = !t->fail_closed;
    v.r.effect = v.r.allow ? EG_EFFECT_ALLOWED : EG_EFFECT_DENIED;
    v.outcome = EG_OUTCOME_ERROR;
  } else {
    eg_decide(t, eg_probe_facts(probe), &v.r);
    if (rc == 1) v.outcome = EG_OUTCOME_DEADLINE;
  }
  v.us = (mono() - start) * 1000.0;
  count(&v.r, v.outcome, v.us);
  v.allow = v.r.effect != EG_EFFECT_DENIED;
  v.record = true;
  return v;
}

/*
 * The record of a decided event. An allowed process is answered first and its record completed
 * while it runs; a denied or would-deny one is completed before the answer, because that evidence
 * matters most and a denied process is gone as soon as it has its answer.
 */
static void record(eg_probe *probe, const eg_table *t, const verdict *v, int fan_fd, int fd) {
  const eg_facts *f = eg_probe_facts(probe);
  bool early = v->r.effect != EG_EFFECT_ALLOWED, decided = v->outcome == EG_OUTCOME_DECIDED;
  if (early && v->outcome != EG_OUTCOME_ERROR) eg_probe_complete(probe, t, v->stage);
  respond(fan_fd, fd, v->allow);
  if (!early && v->outcome != EG_OUTCOME_ERROR) eg_probe_complete(probe, t, v->stage);
  /* A repeat is known only once the user and the parent are read (after the answer): then it is counted, not recorded. */
  if (!early && decided && eg_summary_repeat(f, &v->r, v->stage, f->now)) return;
  eg_record *rec = eg_probe_record(probe, &v->r, v->stage, v->outcome, v->us);
  if (!early && decided) enqueue_all(eg_summary_remember(f, &v->r, v->stage, rec, f->now));
  enqueue(rec);
}

static void respond(int fan_fd, int fd, bool allow) {
  struct fanotify_response resp = {.fd = fd, .response = allow ? FAN_ALLOW : FAN_DENY};
  while (write(fan_fd, &resp, sizeof resp) < 0 && errno == EINTR) {
  }
}

typedef struct {
  int fan_fd;
  uint64_t generation;
} loop_arg;

static void *loop(void *arg) {
  loop_arg a = *(loop_arg *)arg;
  free(arg);
  eg_probe *probe = eg_probe_new();
  /* Every execution on the host waits for this thread: it runs ahead of the agent's JavaScript and
   * of ordinary processes (a nice value, not a real-time class: a runaway loop cannot starve the
   * host, and the watchdog still runs). Without CAP_SYS_NICE the call fails and nothing changes. */
  if (setpriority(PRIO_PROCESS, (id_t)gettid(), -10) != 0) {
  }
  static __thread char buf[65536] __attribute__((aligned(__alignof__(struct fanotify_event_metadata))));
  struct pollfd pfd[2] = {{.fd = a.fan_fd, .events = POLLIN}, {.fd = S.stop_fd, .events = POLLIN}};
  for (;;) {
    pthread_mutex_lock(&S.lock);
    bool current = S.running && S.generation == a.generation;
    S.heartbeat = mono();
    if (current && S.pending) {
      if (!S.keep_tables) eg_table_free(S.table);
      S.table = S.pending;
      S.pending = NULL;
      S.stats.table_swaps++;
    }
    const eg_table *t = S.table;
    pthread_mutex_unlock(&S.lock);
    if (!current) break;
    int pr = poll(pfd, 2, 200);
    if (pr < 0 && errno != EINTR) break;
    if (pr == 0) enqueue_all(eg_summary_flush(wall_ms(), false)); /* idle: windows that are over */
    if (pr <= 0) continue;
    if (pfd[1].revents) break;
    ssize_t len = read(a.fan_fd, buf, sizeof buf);
    if (len <= 0) {
      if (len < 0 && (errno == EAGAIN || errno == EINTR)) continue;
      break;
    }
    struct fanotify_event_metadata *md = (struct fanotify_event_metadata *)buf;
    for (; FAN_EVENT_OK(md, len); md = FAN_EVENT_NEXT(md, len)) {
      if (md->vers != FANOTIFY_METADATA_VERSION) break;
      if (md->mask & FAN_Q_OVERFLOW) {
        pthread_mutex_lock(&S.lock);
        S.stats.kernel_overflows++;
        pthread_mutex_unlock(&S.lock);
        continue;
      }
      if (md->fd < 0) continue;
      if (md->mask & (FAN_OPEN_EXEC_PERM | FAN_OPEN_PERM)) {
        verdict v = {.allow = true};
        if (md->pid != S.self && t && probe) {
          double start = mono();
          pthread_mutex_lock(&S.lock);
          if (S.generation == a.generation) {
            S.in_flight_since = start;
            S.in_flight_fd = md->fd;
          }
          pthread_mutex_unlock(&S.lock);
          v = decide_event(probe, t, md, start);
          if (v.record) record(probe, t, &v, a.fan_fd, md->fd);
          pthread_mutex_lock(&S.lock);
          if (S.generation == a.generation) S.in_flight_since = 0; /* an abandoned loop must not clear the new one's */
          pthread_mutex_unlock(&S.lock);
        }
        if (!v.record) respond(a.fan_fd, md->fd, v.allow);
      }
      close(md->fd);
    }
  }
  eg_probe_free(probe);
  return NULL;
}

/* ---- marks and groups ---- */
static int open_group(char *err, size_t errlen) {
  int fd = fanotify_init(FAN_CLASS_CONTENT | FAN_CLOEXEC | FAN_UNLIMITED_QUEUE | FAN_NONBLOCK,
                         O_RDONLY | O_LARGEFILE | O_CLOEXEC);
  if (fd < 0) {
    snprintf(err, errlen, "fanotify_init: %s (needs CAP_SYS_ADMIN and CONFIG_FANOTIFY_ACCESS_PERMISSIONS)", strerror(errno));
    return -1;
  }
  for (uint32_t i = 0; i < S.cfg.n_watch; i++) {
    if (fanotify_mark(fd, FAN_MARK_ADD | FAN_MARK_MOUNT, FAN_OPEN_EXEC_PERM, AT_FDCWD, S.cfg.watch[i]) != 0) {
      snprintf(err, errlen, "fanotify_mark(mount %s): %s", S.cfg.watch[i], strerror(errno));
      close(fd);
      return -1;
    }
  }
  for (uint32_t i = 0; i < S.cfg.n_libc; i++) {
    if (fanotify_mark(fd, FAN_MARK_ADD, FAN_OPEN_PERM, AT_FDCWD, S.cfg.libc[i]) != 0) {
      snprintf(err, errlen, "fanotify_mark(libc %s): %s", S.cfg.libc[i], strerror(errno));
      close(fd);
      return -1;
    }
  }
  return fd;
}

static int start_loop(int fan_fd) {
  loop_arg *a = malloc(sizeof *a);
  if (!a) return -1;
  a->fan_fd = fan_fd;
  a->generation = S.generation;
  return pthread_create(&S.loop, NULL, loop, a);
}

/*
 * A loop stuck on one event for longer than watchdog_ms (a process in uninterruptible sleep while
 * its /proc is read, a script on a hung network file system) is abandoned: /dev/null takes the
 * group's descriptor number, which drops the last reference to the group, and the kernel allows
 * every pending event. A new group with the same marks and a new loop take over.
 */
static void *watchdog(void *unused) {
  (void)unused;
  for (;;) {
    struct timespec ts = {0, 50 * 1000 * 1000};
    nanosleep(&ts, NULL);
    pthread_mutex_lock(&S.lock);
    if (!S.running) {
      pthread_mutex_unlock(&S.lock);
      return NULL;
    }
    bool stuck = S.in_flight_since > 0 && mono() - S.in_flight_since > S.cfg.watchdog_ms;
    if (!stuck) {
      pthread_mutex_unlock(&S.lock);
      continue;
    }
    /* A new group with the same marks starts first, so no execution goes unmediated in between. */
    int old_fd = S.fan_fd;
    S.generation++;
    S.in_flight_since = 0;
    S.stats.restarts++;
    S.keep_tables = true;
    pthread_detach(S.loop); /* the stuck thread exits on its own when its system call returns */
    char err[256];
    int fd = open_group(err, sizeof err);
    if (fd >= 0) {
      S.fan_fd = fd;
      if (start_loop(fd) != 0) S.stats.errors++;
    } else {
      S.stats.errors++;
    }
    /* The stuck event, and every event queued behind it in the old group, get the fail mode (no I/O:
     * whatever stalled the loop could stall this thread too). */
    bool allow = !(S.table && S.table->fail_closed);
    respond(old_fd, S.in_flight_fd, allow);
    static char pending[16384] __attribute__((aligned(__alignof__(struct fanotify_event_metadata))));
    ssize_t len;
    while ((len = read(old_fd, pending, sizeof pending)) > 0) {
      struct fanotify_event_metadata *md = (struct fanotify_event_metadata *)pending;
      for (; FAN_EVENT_OK(md, len); md = FAN_EVENT_NEXT(md, len)) {
        if (md->fd < 0) continue;
        if (md->mask & (FAN_OPEN_EXEC_PERM | FAN_OPEN_PERM)) respond(old_fd, md->fd, allow || md->pid == S.self);
        close(md->fd);
        S.stats.deadline_misses++;
      }
    }
    /* /dev/null takes the old group's descriptor number: the group is released (the kernel allows
     * anything still pending there, which the new group decides as well) and the stuck loop, when it
     * wakes, writes its answers to /dev/null. The number is never reused while that loop may run. */
    int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (devnull >= 0) {
      dup3(devnull, old_fd, O_CLOEXEC);
      close(devnull);
    }
    pthread_mutex_unlock(&S.lock);
  }
}

int eg_enforcer_start(const eg_start_options *o, eg_table *t, char *err, size_t errlen) {
  pthread_mutex_lock(&S.lock);
  if (S.running) {
    pthread_mutex_unlock(&S.lock);
    snprintf(err, errlen, "the enforcer is already running");
    return -1;
  }
  memset(&S.cfg, 0, sizeof S.cfg);
  for (uint32_t i = 0; i < o->n_watch && i < MAX_MARKS; i++) S.cfg.watch[S.cfg.n_watch++] = strdup(o->watch[i]);
  for (uint32_t i = 0; i < o->n_libc && i < MAX_MARKS; i++) S.cfg.libc[S.cfg.n_libc++] = strdup(o->libc[i]);
  S.cfg.deadline_ms = o->deadline_ms > 0 ? o->deadline_ms : 250;
  S.cfg.watchdog_ms = o->watchdog_ms > 0 ? o->watchdog_ms : 2000;
  S.cfg.record_cap = o->record_cap > 0 ? o->record_cap : 65536;
  eg_summary_configure(o->summary_ms > 0 ? o->summary_ms : 0);
  S.self = getpid();
  free(stall_path);
  stall_path = getenv("EXECGUARD_FAILPOINT_STALL") ? strdup(getenv("EXECGUARD_FAILPOINT_STALL")) : NULL;
  memset(&S.stats, 0, sizeof S.stats);
  memset(S.lat_hist, 0, sizeof S.lat_hist);
  S.stop_fd = eventfd(0, EFD_CLOEXEC);
  int fd = S.stop_fd >= 0 ? open_group(err, errlen) : -1;
  if (fd < 0) {
    if (S.stop_fd < 0) snprintf(err, errlen, "eventfd: %s", strerror(errno));
    else close(S.stop_fd);
    S.stop_fd = -1;
    pthread_mutex_unlock(&S.lock);
    return -1;
  }
  S.fan_fd = fd;
  S.table = t;
  S.pending = NULL;
  S.running = true;
  S.generation++;
  int rc = start_loop(fd);
  if (rc == 0) rc = pthread_create(&S.watchdog, NULL, watchdog, NULL);
  pthread_mutex_unlock(&S.lock);
  if (rc != 0) {
    snprintf(err, errlen, "pthread_create failed");
    eg_enforcer_stop();
    return -1;
  }
  return 0;
}

void eg_enforcer_set_table(eg_table *t) {
  pthread_mutex_lock(&S.lock);
  if (S.pending) eg_table_free(S.pending);
  S.pending = t;
  pthread_mutex_unlock(&S.lock);
}

void eg_enforcer_stop(void) {
  pthread_mutex_lock(&S.lock);
  if (!S.running) {
    pthread_mutex_unlock(&S.lock);
    return;
  }
  S.running = false;
  pthread_t loop_thread = S.loop, dog = S.watchdog;
  uint64_t one = 1;
  if (write(S.stop_fd, &one, sizeof one) < 0) {
    /* the loop also notices `running` at its next poll timeout */
  }
  pthread_mutex_unlock(&S.lock);
  pthread_join(dog, NULL);
  pthread_join(loop_thread, NULL);
  enqueue_all(eg_summary_flush(wall_ms(), true));
  pthread_mutex_lock(&S.lock);
  close(S.fan_fd); /* releasing the group allows anything still pending */
  close(S.stop_fd);
  S.fan_fd = S.stop_fd = -1;
  if (!S.keep_tables) eg_table_free(S.table);
  eg_table_free(S.pending);
  S.table = S.pending = NULL;
  for (uint32_t i = 0; i < S.cfg.n_watch; i++) free(S.cfg.watch[i]);
  for (uint32_t i = 0; i < S.cfg.n_libc; i++) free(S.cfg.libc[i]);
  S.cfg.n_watch = S.cfg.n_libc = 0;
  pthread_mutex_unlock(&S.lock);
}
