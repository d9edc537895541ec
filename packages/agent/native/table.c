/*
 * Reads the binary decision table written by src/table.ts. The format is a flat sequence of
 * little-endian fields (u8, i8, u32, i32, f64, length-prefixed strings); every read is bounds-checked
 * and any inconsistency rejects the whole table, so a truncated or corrupted table can never be
 * half-applied. Strings become NUL-terminated copies; regexes are compiled here, once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eg.h"

typedef struct {
  const uint8_t *p, *end;
  char *err;
  size_t errlen;
  bool bad;
} rd;

static void fail(rd *r, const char *what) {
  if (!r->bad) snprintf(r->err, r->errlen, "decision table: %s", what);
  r->bad = true;
}

static bool need(rd *r, size_t n) {
  if (r->bad) return false;
  if ((size_t)(r->end - r->p) < n) {
    fail(r, "truncated");
    return false;
  }
  return true;
}

static uint8_t u8(rd *r) { return need(r, 1) ? *r->p++ : 0; }
static int8_t i8(rd *r) { return (int8_t)u8(r); }

static uint32_t u32(rd *r) {
  if (!need(r, 4)) return 0;
  uint32_t v = (uint32_t)r->p[0] | (uint32_t)r->p[1] << 8 | (uint32_t)r->p[2] << 16 | (uint32_t)r->p[3] << 24;
  r->p += 4;
  return v;
}
static int32_t i32(rd *r) { return (int32_t)u32(r); }

static double f64(rd *r) {
  double d = 0;
  if (!need(r, 8)) return 0;
  memcpy(&d, r->p, 8);
  r->p += 8;
  return d;
}

/* A count of items that each take at least `min` bytes: rejects absurd counts before allocating. */
static uint32_t count(rd *r, size_t min) {
  uint32_t n = u32(r);
  if (!r->bad && min > 0 && (size_t)(r->end - r->p) / min < n) {
    fail(r, "count exceeds the table size");
    return 0;
  }
  return n;
}

static void *alloc(rd *r, size_t n, size_t size) {
  if (r->bad || n == 0) return NULL;
  void *v = calloc(n, size);
  if (!v) fail(r, "out of memory");
  return v;
}

static char *str(rd *r) {
  uint32_t n = u32(r);
  if (!need(r, n)) return NULL;
  char *s = malloc((size_t)n + 1);
  if (!s) {
    fail(r, "out of memory");
    return NULL;
  }
  memcpy(s, r->p, n);
  s[n] = 0;
  r->p += n;
  if (strlen(s) != n) {
    free(s);
    fail(r, "string with a NUL byte");
    return NULL;
  }
  return s;
}

static void strlist(rd *r, eg_strlist *out) {
  out->n = count(r, 4);
  out->items = alloc(r, out->n, sizeof(char *));
  for (uint32_t i = 0; i < out->n && !r->bad; i++) out->items[i] = str(r);
}

static eg_regex *regex(rd *r, bool caseless, bool utf, bool jit) {
  char *src = str(r);
  if (!src) return NULL;
  eg_regex *re = NULL;
  if (*src) {
    char msg[256];
    re = eg_regex_compile(src, caseless, utf, jit, msg, sizeof msg);
    if (!re) fail(r, msg);
  }
  free(src);
  return re;
}

static void relist(rd *r, eg_relist *out, bool caseless, bool utf, bool jit) {
  out->n = count(r, 4);
  out->items = alloc(r, out->n, sizeof(eg_regex *));
  for (uint32_t i = 0; i < out->n && !r->bad; i++) out->items[i] = regex(r, caseless, utf, jit);
}

static int32_t index_or_none(rd *r, uint32_t limit) {
  int32_t v = i32(r);
  if (v < -1 || (v >= 0 && (uint32_t)v >= limit)) fail(r, "index out of range");
  return v;
}

static int cmp_sha(const void *a, const void *b) { return memcmp(a, b, 32); }
static int cmp_name(const void *a, const void *b) {
  return strcmp(((const eg_name_info *)a)->name, ((const eg_name_info *)b)->name);
}
static int cmp_account(const void *a, const void *b) {
  uint32_t x = ((const eg_account *)a)->uid, y = ((const eg_account *)b)->uid;
  return x < y ? -1 : x > y;
}
static int cmp_content_name(const void *a, const void *b) {
  const eg_content_name *x = a, *y = b;
  int c = memcmp(x->sha, y->sha, 32);
  return c ? c : strcmp(x->name, y->name);
}

static int cmp_pkgfile(const void *a, const void *b) {
  return strcmp(((const eg_pkgfile *)a)->path, ((const eg_pkgfile *)b)->path);
}

static void identity(rd *r, eg_identity *id) {
  id->has = u8(r);
  if (id->has & ID_SHA) {
    id->n_sha = count(r, 32);
    id->sha = alloc(r, id->n_sha, 32);
    if (need(r, (size_t)id->n_sha * 32) && id->sha) {
      memcpy(id->sha, r->p, (size_t)id->n_sha * 32);
      r->p += (size_t)id->n_sha * 32;
      qsort(id->sha, id->n_sha, 32, cmp_sha);
    }
  }
  if (id->has & ID_PATH) {
    id->paths.n = count(r, 5);
    id->paths.items = alloc(r, id->paths.n, sizeof(eg_regex *));
    for (uint32_t i = 0; i < id->paths.n && !r->bad; i++) {
      bool ci = u8(r);
      id->paths.items[i] = regex(r, ci, false, true);
    }
  }
  if (id->has & ID_PKG) {
    id->pkg_manager = u8(r);
    id->pkg_has_names = u8(r);
    strlist(r, &id->pkg_names);
  }
  if (id->has & ID_NAME) strlist(r, &id->names);
}

static void match(rd *r, eg_match *m, uint32_t n_ids) {
  m->program = index_or_none(r, n_ids);
  m->script = index_or_none(r, n_ids);
  m->parent = index_or_none(r, n_ids);
  m->ancestor = index_or_none(r, n_ids);
  m->has_args = u8(r);
  if (m->has_args) {
    bool cs = u8(r);
    m->has_any = u8(r);
    relist(r, &m->any, !cs, true, true);
    m->has_all = u8(r);
    relist(r, &m->all, !cs, true, true);
    m->has_none = u8(r);
    relist(r, &m->none, !cs, true, true);
  }
  m->has_user = u8(r);
  if (m->has_user) {
    strlist(r, &m->user_names);
    strlist(r, &m->user_ids);
    strlist(r, &m->user_groups);
  }
  m->inline_code = i8(r);
  m->stdin_script = i8(r);
  m->proxy_use = i8(r);
  m->masquerade = i8(r);
  m->user_writable = i8(r);
  m->approves = u8(r);
}

static uint32_t match_index(rd *r, uint32_t n) {
  uint32_t v = u32(r);
  if (v >= n) fail(r, "match index out of range");
  return v;
}

static void accounts(rd *r, eg_account **out, uint32_t *n) {
  *n = count(r, 8);
  *out = alloc(r, *n, sizeof(eg_account));
  for (uint32_t i = 0; i < *n && !r->bad; i++) {
    (*out)[i].uid = u32(r);
    (*out)[i].name = str(r);
  }
  if (!r->bad && *n) qsort(*out, *n, sizeof(eg_account), cmp_account);
}

eg_table *eg_table_load(const uint8_t *buf, size_t len, char *err, size_t errlen) {
  rd r = {buf, buf + len, err, errlen, false};
  eg_table *t = calloc(1, sizeof *t);
  if (!t) {
    snprintf(err, errlen, "out of memory");
    return NULL;
  }
  if (!need(&r, 4) || memcmp(r.p, "EGT1", 4) != 0) fail(&r, "bad magic (not an ExecGuard decision table v1)");
  r.p += 4;
  t->mode = u8(&r);
  t->fail_closed = u8(&r);
  t->needs = u8(&r);
  if (t->mode > EG_MODE_ENFORCE) fail(&r, "bad mode");
  t->scope_id = str(&r);

  t->n_interps = count(&r, 20);
  t->interps = alloc(&r, t->n_interps, sizeof(eg_interp));
  for (uint32_t i = 0; i < t->n_interps && !r.bad; i++) {
    eg_interp *in = &t->interps[i];
    strlist(&r, &in->inline_flags);
    strlist(&r, &in->script_flags);
    strlist(&r, &in->stdin_flags);
    strlist(&r, &in->value_flags);
    in->first_operand = u8(&r);
    in->ci_flags = u8(&r);
    in->prefixes = u8(&r);
    in->clustered = u8(&r);
  }
  t->n_proxies = count(&r, 4);
  t->proxies = alloc(&r, t->n_proxies, sizeof(eg_proxy));
  for (uint32_t i = 0; i < t->n_proxies && !r.bad; i++) relist(&r, &t->proxies[i].patterns, true, false, false);
  t->n_names = count(&r, 16);
  t->names = alloc(&r, t->n_names, sizeof(eg_name_info));
  for (uint32_t i = 0; i < t->n_names && !r.bad; i++) {
    eg_name_info *n = &t->names[i];
    n->name = str(&r);
    n->interp = index_or_none(&r, t->n_interps);
    n->proxy = index_or_none(&r, t->n_proxies);
    n->loader = u8(&r);
    n->has_system = u8(&r);
    strlist(&r, &n->system_dirs);
  }
  if (!r.bad && t->n_names) qsort(t->names, t->n_names, sizeof(eg_name_info), cmp_name);
  t->n_interp_patterns = count(&r, 8);
  t->interp_patterns = alloc(&r, t->n_interp_patterns, sizeof(eg_regex *));
  t->interp_pattern_target = alloc(&r, t->n_interp_patterns, sizeof(int32_t));
  for (uint32_t i = 0; i < t->n_interp_patterns && !r.bad; i++) {
    t->interp_patterns[i] = regex(&r, false, false, false);
    t->interp_pattern_target[i] = index_or_none(&r, t->n_interps);
  }
  t->loader_re = regex(&r, false, false, false);
  t->user_writable_re = regex(&r, true, false, true);

  t->n_ids = count(&r, 1);
  t->ids = alloc(&r, t->n_ids, sizeof(eg_identity));
  for (uint32_t i = 0; i < t->n_ids && !r.bad; i++) identity(&r, &t->ids[i]);
  t->n_matches = count(&r, 26);
  t->matches = alloc(&r, t->n_matches, sizeof(eg_match));
  for (uint32_t i = 0; i < t->n_matches && !r.bad; i++) match(&r, &t->matches[i], t->n_ids);

  eg_rule **lists[2] = {&t->deny, &t->allow};
  uint32_t *counts[2] = {&t->n_deny, &t->n_allow};
  for (int k = 0; k < 2; k++) {
    *counts[k] = count(&r, 8);
    *lists[k] = alloc(&r, *counts[k], sizeof(eg_rule));
    for (uint32_t i = 0; i < *counts[k] && !r.bad; i++) {
      (*lists[k])[i].id = str(&r);
      (*lists[k])[i].match = match_index(&r, t->n_matches);
    }
  }
  t->n_exceptions = count(&r, 24);
  t->exceptions = alloc(&r, t->n_exceptions, sizeof(eg_exception));
  for (uint32_t i = 0; i < t->n_exceptions && !r.bad; i++) {
    eg_exception *x = &t->exceptions[i];
    x->id = str(&r);
    x->not_before = f64(&r);
    x->expires = f64(&r);
    x->match = match_index(&r, t->n_matches);
  }
  t->n_windows = count(&r, 26);
  t->windows = alloc(&r, t->n_windows, sizeof(eg_window));
  for (uint32_t i = 0; i < t->n_windows && !r.bad; i++) {
    eg_window *w = &t->windows[i];
    w->id = str(&r);
    w->start = f64(&r);
    w->end = f64(&r);
    w->default_deny = u8(&r);
    w->enforcement = u8(&r);
    w->n_relaxed = count(&r, 4);
    w->relaxed = alloc(&r, w->n_relaxed, sizeof(uint32_t));
    for (uint32_t j = 0; j < w->n_relaxed && !r.bad; j++) {
      w->relaxed[j] = u32(&r);
      if (w->relaxed[j] >= t->n_deny) fail(&r, "relaxed rule out of range");
    }
  }
  t->n_never = count(&r, 8);
  t->never = alloc(&r, t->n_never, sizeof(eg_never));
  for (uint32_t i = 0; i < t->n_never && !r.bad; i++) {
    t->never[i].id = str(&r);
    t->never[i].identity = u32(&r);
    if (t->never[i].identity >= t->n_ids) fail(&r, "never-block identity out of range");
  }
  accounts(&r, &t->users, &t->n_users);
  accounts(&r, &t->groups, &t->n_groups);
  t->n_pkgfiles = count(&r, 41);
  t->pkgfiles = alloc(&r, t->n_pkgfiles, sizeof(eg_pkgfile));
  for (uint32_t i = 0; i < t->n_pkgfiles && !r.bad; i++) {
    t->pkgfiles[i].path = str(&r);
    t->pkgfiles[i].name = str(&r);
    t->pkgfiles[i].manager = u8(&r);
    if (need(&r, 32)) {
      memcpy(t->pkgfiles[i].sha, r.p, 32);
      r.p += 32;
    }
  }
  if (!r.bad && t->n_pkgfiles) qsort(t->pkgfiles, t->n_pkgfiles, sizeof(eg_pkgfile), cmp_pkgfile);
  t->n_content_names = count(&r, 36);
  t->content_names = alloc(&r, t->n_content_names, sizeof(eg_content_name));
  for (uint32_t i = 0; i < t->n_content_names && !r.bad; i++) {
    if (need(&r, 32)) {
      memcpy(t->content_names[i].sha, r.p, 32);
      r.p += 32;
    }
    t->content_names[i].name = str(&r);
  }
  if (!r.bad && t->n_content_names)
    qsort(t->content_names, t->n_content_names, sizeof(eg_content_name), cmp_content_name);
  if (!r.bad && r.p != r.end) fail(&r, "trailing bytes");
  if (r.bad) {
    eg_table_free(t);
    return NULL;
  }
  return t;
}

static void free_strlist(eg_strlist *l) {
  for (uint32_t i = 0; i < l->n && l->items; i++) free(l->items[i]);
  free(l->items);
}
static void free_relist(eg_relist *l) {
  for (uint32_t i = 0; i < l->n && l->items; i++) eg_regex_free(l->items[i]);
  free(l->items);
}

void eg_table_free(eg_table *t) {
  if (!t) return;
  free(t->scope_id);
  for (uint32_t i = 0; i < t->n_interps && t->interps; i++) {
    free_strlist(&t->interps[i].inline_flags);
    free_strlist(&t->interps[i].script_flags);
    free_strlist(&t->interps[i].stdin_flags);
    free_strlist(&t->interps[i].value_flags);
  }
  free(t->interps);
  for (uint32_t i = 0; i < t->n_proxies && t->proxies; i++) free_relist(&t->proxies[i].patterns);
  free(t->proxies);
  for (uint32_t i = 0; i < t->n_names && t->names; i++) {
    free(t->names[i].name);
    free_strlist(&t->names[i].system_dirs);
  }
  free(t->names);
  for (uint32_t i = 0; i < t->n_interp_patterns && t->interp_patterns; i++) eg_regex_free(t->interp_patterns[i]);
  free(t->interp_patterns);
  free(t->interp_pattern_target);
  eg_regex_free(t->loader_re);
  eg_regex_free(t->user_writable_re);
  for (uint32_t i = 0; i < t->n_ids && t->ids; i++) {
    free(t->ids[i].sha);
    free_relist(&t->ids[i].paths);
    free_strlist(&t->ids[i].pkg_names);
    free_strlist(&t->ids[i].names);
  }
  free(t->ids);
  for (uint32_t i = 0; i < t->n_matches && t->matches; i++) {
    eg_match *m = &t->matches[i];
    free_relist(&m->any);
    free_relist(&m->all);
    free_relist(&m->none);
    free_strlist(&m->user_names);
    free_strlist(&m->user_ids);
    free_strlist(&m->user_groups);
  }
  free(t->matches);
  for (uint32_t i = 0; i < t->n_deny && t->deny; i++) free(t->deny[i].id);
  free(t->deny);
  for (uint32_t i = 0; i < t->n_allow && t->allow; i++) free(t->allow[i].id);
  free(t->allow);
  for (uint32_t i = 0; i < t->n_exceptions && t->exceptions; i++) free(t->exceptions[i].id);
  free(t->exceptions);
  for (uint32_t i = 0; i < t->n_windows && t->windows; i++) {
    free(t->windows[i].id);
    free(t->windows[i].relaxed);
  }
  free(t->windows);
  for (uint32_t i = 0; i < t->n_never && t->never; i++) free(t->never[i].id);
  free(t->never);
  for (uint32_t i = 0; i < t->n_users && t->users; i++) free(t->users[i].name);
  free(t->users);
  for (uint32_t i = 0; i < t->n_groups && t->groups; i++) free(t->groups[i].name);
  free(t->groups);
  for (uint32_t i = 0; i < t->n_pkgfiles && t->pkgfiles; i++) {
    free(t->pkgfiles[i].path);
    free(t->pkgfiles[i].name);
  }
  free(t->pkgfiles);
  for (uint32_t i = 0; i < t->n_content_names && t->content_names; i++) free(t->content_names[i].name);
  free(t->content_names);
  free(t);
}

const eg_name_info *eg_name_lookup(const eg_table *t, const char *lower_name) {
  eg_name_info key = {.name = (char *)lower_name};
  return t->n_names ? bsearch(&key, t->names, t->n_names, sizeof(eg_name_info), cmp_name) : NULL;
}

const eg_pkgfile *eg_pkgfile_lookup(const eg_table *t, const char *path) {
  eg_pkgfile key = {.path = (char *)path};
  return t->n_pkgfiles ? bsearch(&key, t->pkgfiles, t->n_pkgfiles, sizeof(eg_pkgfile), cmp_pkgfile) : NULL;
}

const char *eg_content_name_of(const eg_table *t, const uint8_t sha[32], const char *basename) {
  uint32_t lo = 0, hi = t->n_content_names;
  while (lo < hi) { /* the first entry with this sha */
    uint32_t mid = lo + (hi - lo) / 2;
    if (memcmp(t->content_names[mid].sha, sha, 32) < 0) lo = mid + 1;
    else hi = mid;
  }
  const char *first = NULL;
  for (uint32_t i = lo; i < t->n_content_names && memcmp(t->content_names[i].sha, sha, 32) == 0; i++) {
    if (!first) first = t->content_names[i].name;
    if (basename && strcmp(t->content_names[i].name, basename) == 0) return basename;
  }
  return first;
}

const char *eg_account_name(const eg_account *list, uint32_t n, uint32_t id) {
  eg_account key = {.uid = id};
  const eg_account *a = n ? bsearch(&key, list, n, sizeof(eg_account), cmp_account) : NULL;
  return a ? a->name : NULL;
}
