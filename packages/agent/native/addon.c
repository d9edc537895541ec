/* N-API surface of the native core: tables, one-off decisions (tests, explain), the enforcer. */
#include <node_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "enforcer.h"

#define CHECK(call)                                                       \
  do {                                                                    \
    if ((call) != napi_ok) {                                              \
      napi_throw_error(env, "EG_NAPI", "N-API call failed: " #call);      \
      return NULL;                                                        \
    }                                                                     \
  } while (0)

static napi_value throw_msg(napi_env env, const char *code, const char *msg) {
  napi_throw_error(env, code, msg);
  return NULL;
}

static bool buffer_arg(napi_env env, napi_value v, void **data, size_t *len) {
  bool is = false;
  napi_is_buffer(env, v, &is);
  if (!is) return false;
  return napi_get_buffer_info(env, v, data, len) == napi_ok;
}

/* Tables hold compiled regexes outside V8's heap; telling V8 their weight lets it collect them in time. */
static void free_table(napi_env env, void *data, void *hint) {
  int64_t unused;
  napi_adjust_external_memory(env, -(int64_t)(intptr_t)hint, &unused);
  eg_table_free(data);
}

static eg_table *table_from(napi_env env, napi_value v) {
  void *data;
  size_t len;
  if (!buffer_arg(env, v, &data, &len)) {
    napi_throw_type_error(env, "EG_ARG", "expected a Buffer holding a decision table");
    return NULL;
  }
  char err[512];
  eg_table *t = eg_table_load(data, len, err, sizeof err);
  if (!t) napi_throw_error(env, "EG_TABLE", err);
  return t;
}

static napi_value load_table(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], out;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1) return throw_msg(env, "EG_ARG", "loadTable(buffer)");
  eg_table *t = table_from(env, argv[0]);
  if (!t) return NULL;
  size_t len = 0;
  void *data;
  buffer_arg(env, argv[0], &data, &len);
  int64_t weight = (int64_t)len * 64, unused;
  napi_adjust_external_memory(env, weight, &unused);
  CHECK(napi_create_external(env, t, free_table, (void *)(intptr_t)weight, &out));
  return out;
}

/* ---- facts buffer (src/facts-codec.ts) ---- */
typedef struct {
  const uint8_t *p, *end;
  char *arena;
  size_t used, cap;
  bool bad;
} frd;

static uint8_t fu8(frd *r) {
  if (r->p >= r->end) {
    r->bad = true;
    return 0;
  }
  return *r->p++;
}
static uint32_t fu32(frd *r) {
  uint32_t v = 0;
  for (int i = 0; i < 4; i++) v |= (uint32_t)fu8(r) << (8 * i);
  return v;
}
static double ff64(frd *r) {
  double d = 0;
  if (r->end - r->p < 8) {
    r->bad = true;
    return 0;
  }
  memcpy(&d, r->p, 8);
  r->p += 8;
  return d;
}
static const char *fstr(frd *r) {
  uint32_t n = fu32(r);
  if (r->bad || (size_t)(r->end - r->p) < n || r->used + n + 1 > r->cap) {
    r->bad = true;
    return "";
  }
  char *s = r->arena + r->used;
  memcpy(s, r->p, n);
  s[n] = 0;
  r->p += n;
  r->used += n + 1;
  return s;
}
static const char *fopt(frd *r) { return fu8(r) ? fstr(r) : NULL; }

static void fsubject(frd *r, eg_subject *s) {
  s->present = fu8(r);
  if (!s->present) return;
  s->path = fopt(r);
  s->name = fopt(r);
  s->has_sha = fu8(r);
  if (s->has_sha) {
    const char *hex = fstr(r);
    s->has_sha = eg_hex_to_sha(hex, s->sha);
  }
  s->has_pkg = fu8(r);
  if (s->has_pkg) {
    s->pkg_manager = fu8(r);
    s->pkg_name = fstr(r);
    s->pkg_verified = fu8(r);
  }
  s->admin_only = fu8(r);
  s->content_name = fopt(r);
}

static napi_value set_str(napi_env env, napi_value obj, const char *key, const char *val) {
  napi_value v;
  if (val) napi_create_string_utf8(env, val, NAPI_AUTO_LENGTH, &v);
  else napi_get_null(env, &v);
  napi_set_named_property(env, obj, key, v);
  return obj;
}
static void set_bool(napi_env env, napi_value obj, const char *key, bool val) {
  napi_value v;
  napi_get_boolean(env, val, &v);
  napi_set_named_property(env, obj, key, v);
}
static void set_num(napi_env env, napi_value obj, const char *key, double val) {
  napi_value v;
  napi_create_double(env, val, &v);
  napi_set_named_property(env, obj, key, v);
}

static const char *EFFECTS[] = {"allowed", "denied", "would-deny"};
static const char *DECIDED_BY[] = {"non-overridable", "exception", "deny-rule", "allow-rule", "maintenance-window",
                                   "default-deny"};
static const char *CONTENT[] = {"none", "inline", "script", "stdin"};
static const char *STDIN[] = {NULL, "tty", "pipe", "file", "socket", "null", "unknown"};

static napi_value result_object(napi_env env, const eg_result *r, const char *rule, const char *exc, const char *win,
                                const char *nb) {
  napi_value o;
  napi_create_object(env, &o);
  set_str(env, o, "verdict", r->allow ? "allow" : "deny");
  set_str(env, o, "effect", EFFECTS[r->effect]);
  set_str(env, o, "decidedBy", DECIDED_BY[r->decided_by]);
  set_str(env, o, "ruleId", rule);
  set_str(env, o, "exceptionId", exc);
  set_str(env, o, "windowId", win);
  set_str(env, o, "neverBlockId", nb);
  set_str(env, o, "content", CONTENT[r->content]);
  set_bool(env, o, "loader", r->loader);
  set_bool(env, o, "memfd", r->memfd);
  set_bool(env, o, "proxyUse", r->proxy);
  set_bool(env, o, "masquerade", r->masquerade);
  set_bool(env, o, "userWritableLocation", r->user_writable);
  set_str(env, o, "scriptPath", r->has_script_path ? r->script_path : NULL);
  return o;
}

static napi_value decide(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  void *tp = NULL;
  if (argc < 2 || napi_get_value_external(env, argv[0], &tp) != napi_ok || !tp)
    return throw_msg(env, "EG_ARG", "decide(table, factsBuffer)");
  void *data;
  size_t len;
  if (!buffer_arg(env, argv[1], &data, &len)) return throw_msg(env, "EG_ARG", "facts must be a Buffer");
  frd r = {data, (const uint8_t *)data + len, malloc(len + 1024), 0, len + 1024, false};
  if (!r.arena) return throw_msg(env, "EG_OOM", "out of memory");
  eg_facts *f = calloc(1, sizeof *f);
  const char **args = NULL;
  if (!f || r.end - r.p < 4 || memcmp(r.p, "EGF1", 4) != 0) r.bad = true;
  else {
    r.p += 4;
    f->now = ff64(&r);
    fsubject(&r, &f->program);
    f->has_args = fu8(&r);
    if (f->has_args) {
      f->argc = fu32(&r);
      if (!r.bad && f->argc <= (size_t)(r.end - r.p) / 4) {
        args = calloc(f->argc ? f->argc : 1, sizeof(char *));
        for (uint32_t i = 0; args && i < f->argc; i++) args[i] = fstr(&r);
        f->args = args;
      } else r.bad = true;
    }
    f->command_line = fopt(&r);
    f->cwd = fopt(&r);
    fsubject(&r, &f->file);
    fsubject(&r, &f->script_prov);
    f->stdin_kind = fu8(&r);
    f->inline_forced = fu8(&r);
    f->loader_forced = fu8(&r);
    f->memfd_forced = fu8(&r);
    fsubject(&r, &f->parent);
    f->n_ancestors = fu32(&r);
    if (f->n_ancestors > EG_MAX_ANCESTORS) r.bad = true;
    for (uint32_t i = 0; !r.bad && i < f->n_ancestors; i++) fsubject(&r, &f->ancestors[i]);
    f->user_name = fopt(&r);
    f->user_id = fopt(&r);
    f->group_name = fopt(&r);
    f->n_groups = fu32(&r);
    if (f->n_groups > EG_MAX_GROUPS) r.bad = true;
    for (uint32_t i = 0; !r.bad && i < f->n_groups; i++) f->groups[i] = fstr(&r);
    if (r.p != r.end) r.bad = true;
  }
  napi_value out = NULL;
  if (r.bad) {
    napi_throw_error(env, "EG_FACTS", "malformed facts buffer");
  } else {
    eg_result res;
    eg_decide(tp, f, &res);
    out = result_object(env, &res, res.rule_id, res.exception_id, res.window_id, res.never_block_id);
  }
  free(args);
  free(f);
  free(r.arena);
  return out;
}

/* ---- enforcer ---- */
static char **string_array(napi_env env, napi_value obj, const char *key, uint32_t *n) {
  napi_value arr;
  bool is = false;
  *n = 0;
  if (napi_get_named_property(env, obj, key, &arr) != napi_ok) return NULL;
  napi_is_array(env, arr, &is);
  if (!is) return NULL;
  napi_get_array_length(env, arr, n);
  char **out = calloc(*n ? *n : 1, sizeof(char *));
  for (uint32_t i = 0; out && i < *n; i++) {
    napi_value el;
    size_t l = 0;
    napi_get_element(env, arr, i, &el);
    napi_get_value_string_utf8(env, el, NULL, 0, &l);
    out[i] = malloc(l + 1);
    if (out[i]) napi_get_value_string_utf8(env, el, out[i], l + 1, &l);
  }
  return out;
}

static double number_prop(napi_env env, napi_value obj, const char *key) {
  napi_value v;
  double d = 0;
  if (napi_get_named_property(env, obj, key, &v) == napi_ok) napi_get_value_double(env, v, &d);
  return d;
}

static void free_strings(char **s, uint32_t n) {
  for (uint32_t i = 0; s && i < n; i++) free(s[i]);
  free(s);
}

static napi_value start(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 2) return throw_msg(env, "EG_ARG", "start(options, tableBuffer)");
  eg_table *t = table_from(env, argv[1]);
  if (!t) return NULL;
  uint32_t nw, nl;
  char **watch = string_array(env, argv[0], "watch", &nw);
  char **libc = string_array(env, argv[0], "libc", &nl);
  eg_start_options o = {(const char *const *)watch, nw, (const char *const *)libc, nl,
                        number_prop(env, argv[0], "deadlineMs"), number_prop(env, argv[0], "watchdogMs"),
                        (uint32_t)number_prop(env, argv[0], "recordCap"), number_prop(env, argv[0], "summaryMs")};
  char err[512];
  int rc = eg_enforcer_start(&o, t, err, sizeof err);
  free_strings(watch, nw);
  free_strings(libc, nl);
  if (rc != 0) {
    eg_table_free(t);
    return throw_msg(env, "EG_START", err);
  }
  return NULL;
}

static napi_value set_table(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1) return throw_msg(env, "EG_ARG", "setTable(buffer)");
  eg_table *t = table_from(env, argv[0]);
  if (t) eg_enforcer_set_table(t);
  return NULL;
}

static napi_value stop(napi_env env, napi_callback_info info) {
  (void)env;
  (void)info;
  eg_enforcer_stop();
  return NULL;
}

static void hex(const uint8_t sha[32], char out[65]) {
  static const char *d = "0123456789abcdef";
  for (int i = 0; i < 32; i++) {
    out[2 * i] = d[sha[i] >> 4];
    out[2 * i + 1] = d[sha[i] & 15];
  }
  out[64] = 0;
}

static napi_value subject_object(napi_env env, const eg_rec_subject *s) {
  napi_value o;
  if (!s->path) {
    napi_get_null(env, &o);
    return o;
  }
  napi_create_object(env, &o);
  set_str(env, o, "path", s->path);
  char h[65];
  if (s->has_sha) hex(s->sha, h);
  set_str(env, o, "sha256", s->has_sha ? h : NULL);
  set_bool(env, o, "adminOnly", s->admin_only);
  if (s->content_name) set_str(env, o, "contentName", s->content_name);
  if (s->has_pkg) {
    napi_value p;
    napi_create_object(env, &p);
    set_str(env, p, "manager", s->pkg_manager == 2 ? "rpm" : "dpkg");
    set_str(env, p, "name", s->pkg_name);
    set_bool(env, p, "verified", s->pkg_verified);
    napi_set_named_property(env, o, "package", p);
  }
  return o;
}

static napi_value record_object(napi_env env, const eg_record *r) {
  napi_value o, v;
  napi_create_object(env, &o);
  set_num(env, o, "time", r->time_ms);
  set_str(env, o, "stage", r->stage == EG_STAGE_EXEC ? "exec" : "libc");
  set_str(env, o, "outcome", r->outcome == EG_OUTCOME_DECIDED ? "decided" : r->outcome == EG_OUTCOME_DEADLINE ? "deadline" : "error");
  set_num(env, o, "pid", r->pid);
  set_num(env, o, "ppid", r->ppid);
  set_num(env, o, "uid", (double)r->uid);
  set_num(env, o, "gid", (double)r->gid);
  if (r->has_args && r->args) {
    napi_create_array_with_length(env, r->argc, &v);
    const char *a = r->args;
    for (uint32_t i = 0; i < r->argc; i++) {
      napi_value s;
      napi_create_string_utf8(env, a, NAPI_AUTO_LENGTH, &s);
      napi_set_element(env, v, i, s);
      a += strlen(a) + 1;
    }
  } else napi_get_null(env, &v);
  napi_set_named_property(env, o, "args", v);
  set_str(env, o, "cwd", r->cwd);
  set_str(env, o, "user", r->user_name);
  set_str(env, o, "group", r->group_name);
  napi_create_array_with_length(env, r->n_groups, &v);
  for (uint32_t i = 0; i < r->n_groups; i++) {
    napi_value s;
    napi_create_string_utf8(env, r->groups[i] ? r->groups[i] : "", NAPI_AUTO_LENGTH, &s);
    napi_set_element(env, v, i, s);
  }
  napi_set_named_property(env, o, "groups", v);
  set_str(env, o, "stdin", STDIN[r->stdin_kind]);
  napi_set_named_property(env, o, "program", subject_object(env, &r->program));
  napi_set_named_property(env, o, "script", subject_object(env, &r->script));
  napi_set_named_property(env, o, "parent", subject_object(env, &r->parent));
  napi_create_array_with_length(env, r->n_ancestors, &v);
  for (uint32_t i = 0; i < r->n_ancestors; i++) napi_set_element(env, v, i, subject_object(env, &r->ancestors[i]));
  napi_set_named_property(env, o, "ancestors", v);
  napi_set_named_property(env, o, "decision",
                          result_object(env, &r->result, r->rule_id, r->exception_id, r->window_id, r->never_block_id));
  set_num(env, o, "latencyUs", r->latency_us);
  set_num(env, o, "repeats", r->repeats);
  if (r->repeats) set_num(env, o, "firstTime", r->first_ms);
  return o;
}

static napi_value take(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], arr;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  double max = 4096;
  if (argc >= 1) napi_get_value_double(env, argv[0], &max);
  eg_record *r = eg_enforcer_take(max > 0 ? (uint32_t)max : 4096);
  CHECK(napi_create_array(env, &arr));
  uint32_t i = 0;
  while (r) {
    eg_record *next = r->next;
    napi_set_element(env, arr, i++, record_object(env, r));
    eg_record_free(r);
    r = next;
  }
  return arr;
}

static napi_value stats(napi_env env, napi_callback_info info) {
  (void)info;
  eg_stats s;
  eg_enforcer_stats(&s);
  napi_value o;
  napi_create_object(env, &o);
  set_bool(env, o, "running", s.running);
  set_num(env, o, "decisions", (double)s.decisions);
  set_num(env, o, "allowed", (double)s.allowed);
  set_num(env, o, "denied", (double)s.denied);
  set_num(env, o, "wouldDeny", (double)s.would_deny);
  set_num(env, o, "deadlineMisses", (double)s.deadline_misses);
  set_num(env, o, "errors", (double)s.errors);
  set_num(env, o, "recordsDropped", (double)s.records_dropped);
  set_num(env, o, "kernelOverflows", (double)s.kernel_overflows);
  set_num(env, o, "tableSwaps", (double)s.table_swaps);
  set_num(env, o, "restarts", (double)s.restarts);
  set_num(env, o, "queued", s.queued);
  set_num(env, o, "p50Us", s.p50_us);
  set_num(env, o, "p99Us", s.p99_us);
  set_num(env, o, "maxLatencyUs", s.max_latency_us);
  set_num(env, o, "cacheHits", (double)s.cache_hits);
  set_num(env, o, "cacheMisses", (double)s.cache_misses);
  return o;
}

static napi_value cache_clear(napi_env env, napi_callback_info info) {
  (void)env;
  (void)info;
  eg_cache_clear();
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"loadTable", NULL, load_table, NULL, NULL, NULL, napi_default, NULL},
      {"decide", NULL, decide, NULL, NULL, NULL, napi_default, NULL},
      {"start", NULL, start, NULL, NULL, NULL, napi_default, NULL},
      {"setTable", NULL, set_table, NULL, NULL, NULL, napi_default, NULL},
      {"stop", NULL, stop, NULL, NULL, NULL, napi_default, NULL},
      {"take", NULL, take, NULL, NULL, NULL, napi_default, NULL},
      {"stats", NULL, stats, NULL, NULL, NULL, napi_default, NULL},
      {"clearCache", NULL, cache_clear, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
