/*
 * Summaries of repeated allowed executions. The first allowed execution of a program with given
 * arguments, script and verdict is recorded in full; identical ones within the window are only
 * counted, and when the window ends one record carries the count and the time of the last. A plant
 * host runs the same few commands all day (polling scripts, HMI helpers): a full record each time
 * costs the host CPU on every execution and the server storage, and says nothing new.
 *
 * "Identical" is compared field by field against the stored record, never by hash alone: crafted
 * arguments cannot make an execution pass for another one and go unrecorded. The user and the parent
 * are part of it: the same allowed command started by another user or from another program (a web
 * server, say) is evidence of its own and gets its own record. Denied and would-deny
 * executions are never summarised. Slots are few and bounded; an execution that finds none is
 * recorded in full.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

#define SLOTS 4096
#define PROBES 8

typedef struct {
  eg_record *tmpl; /* the recorded execution, NULL when the slot is free */
  uint64_t hash;
  uint32_t count; /* identical executions since the record, not recorded one by one */
  double since, last;
} slot;

static slot table[SLOTS];
static double window_ms;
/* The loop thread is the only user, but a loop abandoned by the watchdog may still be running. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static uint64_t mix(uint64_t h, const void *data, size_t n) {
  const uint8_t *p = data;
  for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 0x100000001b3ULL;
  return h;
}

static uint64_t mix_str(uint64_t h, const char *s) { return s ? mix(h, s, strlen(s) + 1) : mix(h, "", 1); }

static const char *const *args_of(const eg_facts *f, uint32_t *argc) {
  *argc = f->has_args ? f->argc : 0;
  return f->args;
}

static uint64_t key_hash(const eg_facts *f, const eg_result *r, uint8_t stage) {
  uint64_t h = 0xcbf29ce484222325ULL;
  h = mix(h, &stage, 1);
  h = mix_str(h, f->program.path);
  h = mix_str(h, r->rule_id);
  uint32_t argc;
  const char *const *args = args_of(f, &argc);
  for (uint32_t i = 0; i < argc; i++) h = mix_str(h, args[i]);
  h = mix_str(h, f->user_id);
  h = mix_str(h, f->parent.present ? f->parent.path : NULL);
  return mix_str(h, f->file.path);
}

static bool same_str(const char *a, const char *b) { return (!a && !b) || (a && b && strcmp(a, b) == 0); }

static bool same_subject(const eg_rec_subject *a, const eg_subject *b) {
  if (!b->present) return !a->path;
  return same_str(a->path, b->path) && a->has_sha == b->has_sha && (!a->has_sha || memcmp(a->sha, b->sha, 32) == 0) &&
         a->admin_only == b->admin_only && a->has_pkg == b->has_pkg && a->pkg_verified == b->pkg_verified &&
         (!a->has_pkg || a->pkg_manager == b->pkg_manager);
}

static bool same_args(const eg_record *t, const eg_facts *f) {
  if (t->has_args != f->has_args) return false;
  if (!f->has_args) return true;
  if (t->argc != f->argc || !t->args) return false;
  const char *a = t->args;
  for (uint32_t i = 0; i < f->argc; i++) {
    if (strcmp(a, f->args[i]) != 0) return false;
    a += strlen(a) + 1;
  }
  return true;
}

/* The record keeps the uid as a number, the facts as the decimal string rules match on (NULL: unknown). */
static bool same_user(const eg_record *t, const eg_facts *f) {
  if (!f->user_id) return t->uid < 0;
  char *end;
  long long uid = strtoll(f->user_id, &end, 10);
  return *end == 0 && uid == t->uid;
}

static bool same(const eg_record *t, const eg_facts *f, const eg_result *r, uint8_t stage) {
  return same_user(t, f) && same_subject(&t->parent, &f->parent) && t->stage == stage && t->result.effect == r->effect && t->result.decided_by == r->decided_by &&
         same_str(t->rule_id, r->rule_id) && same_str(t->exception_id, r->exception_id) &&
         same_str(t->window_id, r->window_id) && same_subject(&t->program, &f->program) &&
         same_subject(&t->script, &f->file) && same_args(t, f);
}

void eg_summary_configure(double ms) {
  pthread_mutex_lock(&lock);
  window_ms = ms;
  pthread_mutex_unlock(&lock);
}

bool eg_summary_repeat(const eg_facts *f, const eg_result *r, uint8_t stage, double now) {
  if (r->effect != EG_EFFECT_ALLOWED) return false;
  uint64_t h = key_hash(f, r, stage);
  bool hit = false;
  pthread_mutex_lock(&lock);
  if (window_ms > 0) {
    for (uint32_t i = 0; i < PROBES && !hit; i++) {
      slot *s = &table[(h + i) % SLOTS];
      if (s->tmpl && s->hash == h && now - s->since < window_ms && same(s->tmpl, f, r, stage)) {
        s->count++;
        s->last = now;
        hit = true;
      }
    }
  }
  pthread_mutex_unlock(&lock);
  return hit;
}

/* The summary of a slot whose window is over (NULL when nothing repeated); the slot is freed. */
static eg_record *close_slot(slot *s) {
  eg_record *out = NULL;
  if (s->count > 0) {
    out = s->tmpl;
    out->repeats = s->count;
    out->first_ms = s->since;
    out->time_ms = s->last;
  } else eg_record_free(s->tmpl);
  memset(s, 0, sizeof *s);
  return out;
}

eg_record *eg_summary_remember(const eg_facts *f, const eg_result *r, uint8_t stage, const eg_record *rec, double now) {
  if (r->effect != EG_EFFECT_ALLOWED || !rec) return NULL;
  uint64_t h = key_hash(f, r, stage);
  eg_record *closed = NULL;
  pthread_mutex_lock(&lock);
  if (window_ms > 0) {
    slot *target = NULL;
    for (uint32_t i = 0; i < PROBES && !target; i++) {
      slot *s = &table[(h + i) % SLOTS];
      if (!s->tmpl) target = s;
      else if (now - s->since >= window_ms) {
        closed = close_slot(s);
        target = s;
      }
    }
    eg_record *copy = target ? eg_record_clone(rec) : NULL;
    if (copy) *target = (slot){.tmpl = copy, .hash = h, .since = now, .last = now};
  }
  pthread_mutex_unlock(&lock);
  return closed;
}

eg_record *eg_summary_flush(double now, bool all) {
  eg_record *head = NULL;
  pthread_mutex_lock(&lock);
  for (uint32_t i = 0; i < SLOTS; i++) {
    slot *s = &table[i];
    if (!s->tmpl || (!all && now - s->since < window_ms)) continue;
    eg_record *r = close_slot(s);
    if (r) {
      r->next = head;
      head = r;
    }
  }
  pthread_mutex_unlock(&lock);
  return head;
}
