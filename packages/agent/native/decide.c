/*
 * spec/semantics.md §3–§7 over one host's decision table: the same decision as the TypeScript
 * engine's decide() for Linux executions (the differential test in src/differential.test.ts holds
 * the two together). Host selectors, appliesTo and scopes were resolved when the table was built
 * for this host; what is left depends on the execution and on the time.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

#define ARGSTR_CAP 65536

bool eg_hex_to_sha(const char *hex, uint8_t out[32]) {
  if (!hex || strlen(hex) != 64) return false;
  for (int i = 0; i < 32; i++) {
    int v = 0;
    for (int k = 0; k < 2; k++) {
      char c = hex[2 * i + k];
      int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
      if (d < 0) return false;
      v = v * 16 + d;
    }
    out[i] = (uint8_t)v;
  }
  return true;
}

static void lower_copy(const char *s, char *out, size_t cap) {
  size_t i = 0;
  for (; s[i] && i + 1 < cap; i++) out[i] = (char)tolower((unsigned char)s[i]);
  out[i] = 0;
}

static bool list_has(const eg_strlist *l, const char *s) {
  for (uint32_t i = 0; i < l->n; i++)
    if (strcmp(l->items[i], s) == 0) return true;
  return false;
}

static bool list_has_ci(const eg_strlist *l, const char *s) {
  for (uint32_t i = 0; i < l->n; i++)
    if (strcasecmp(l->items[i], s) == 0) return true;
  return false;
}

static const char *basename_of(const char *path) {
  const char *s = strrchr(path, '/');
  return s ? s + 1 : path;
}

/* ---- argument string (spec §3: arguments after args[0] joined by one space) ---- */
void eg_argument_string(const eg_facts *f, char *out, size_t cap) {
  size_t n = 0;
  out[0] = 0;
  if (f->has_args) {
    for (uint32_t i = 1; i < f->argc; i++) {
      const char *a = f->args[i];
      size_t l = strlen(a);
      if (i > 1 && n + 1 < cap) out[n++] = ' ';
      if (n + l >= cap) l = cap - n - 1;
      memcpy(out + n, a, l);
      n += l;
    }
    out[n] = 0;
    return;
  }
  const char *s = f->command_line;
  if (!s) return;
  while (isspace((unsigned char)*s)) s++;
  const char *rest;
  if (*s == '"') {
    const char *end = strchr(s + 1, '"');
    if (!end) return;
    rest = end + 1;
  } else {
    const char *sp = s;
    while (*sp && !isspace((unsigned char)*sp)) sp++;
    if (!*sp) return;
    rest = sp + 1;
  }
  while (isspace((unsigned char)*rest)) rest++;
  size_t l = strlen(rest);
  if (l >= cap) l = cap - 1;
  memcpy(out, rest, l);
  out[l] = 0;
}

/* ---- interpreter arguments (spec §3, script content) ---- */
static bool flag_eq(const eg_interp *in, const char *a, const char *b) {
  return in->ci_flags ? strcasecmp(a, b) == 0 : strcmp(a, b) == 0;
}

static bool flag_prefix(const eg_interp *in, const char *s, const char *prefix, size_t n) {
  return in->ci_flags ? strncasecmp(s, prefix, n) == 0 : strncmp(s, prefix, n) == 0;
}

static bool names_flag(const eg_interp *in, const char *a, const char *f) {
  size_t la = strlen(a), lf = strlen(f);
  return flag_eq(in, a, f) || (in->prefixes && la >= 3 && la <= lf && flag_prefix(in, f, a, la));
}

static char fold(const eg_interp *in, char c) { return in->ci_flags ? (char)tolower((unsigned char)c) : c; }

static bool is_value_letter(const eg_interp *in, char c) {
  char v[3] = {'-', c, 0};
  for (uint32_t i = 0; i < in->value_flags.n; i++)
    if (flag_eq(in, in->value_flags.items[i], v)) return true;
  return false;
}

static bool in_cluster(const eg_interp *in, const char *a, const char *f) {
  size_t la = strlen(a);
  if (!in->clustered || strlen(f) != 2 || f[0] != '-' || la < 3 || a[0] != '-' || a[1] == '-') return false;
  char letter = fold(in, f[1]);
  for (size_t i = 1; i < la; i++) {
    char c = a[i];
    if (fold(in, c) == letter) return true;
    if (!isalpha((unsigned char)c) || is_value_letter(in, c)) return false;
  }
  return false;
}

static bool is_inline_flag(const eg_interp *in, const char *a) {
  size_t la = strlen(a);
  for (uint32_t i = 0; i < in->inline_flags.n; i++) {
    const char *f = in->inline_flags.items[i];
    size_t lf = strlen(f);
    if (names_flag(in, a, f) || in_cluster(in, a, f)) return true;
    if (la > lf && flag_prefix(in, a, f, lf) && a[lf] == '=') return true;
    if (!in->prefixes && !in->clustered && lf == 2 && la > 2 && flag_prefix(in, a, f, 2) && strncmp(a, "--", 2) != 0)
      return true;
  }
  return false;
}

static bool any_names(const eg_interp *in, const eg_strlist *l, const char *a, bool cluster) {
  for (uint32_t i = 0; i < l->n; i++)
    if (names_flag(in, a, l->items[i]) || (cluster && in_cluster(in, a, l->items[i]))) return true;
  return false;
}

bool eg_parse_interpreter(const eg_interp *in, const char *const *args, uint32_t argc, bool *inl, const char **script,
                          bool *stdin_flag) {
  *inl = false;
  *script = NULL;
  *stdin_flag = false;
  for (uint32_t i = 1; i < argc; i++) {
    const char *a = args[i];
    if (strcmp(a, "--") == 0) {
      if (in->first_operand && i + 1 < argc && args[i + 1][0]) *script = args[i + 1];
      return true;
    }
    if (is_inline_flag(in, a)) {
      *inl = true;
      return true;
    }
    if (any_names(in, &in->script_flags, a, false)) {
      *script = i + 1 < argc ? args[i + 1] : NULL;
      return true;
    }
    if (any_names(in, &in->stdin_flags, a, true)) {
      *stdin_flag = true;
      return true;
    }
    if (any_names(in, &in->value_flags, a, false)) {
      i++;
      continue;
    }
    if (a[0] == '-') continue; /* Linux platform: "/" never introduces an option */
    if (in->first_operand) {
      *script = a;
      return true;
    }
  }
  return true;
}

void eg_resolve_script(const char *script, const char *cwd, char *out, size_t cap) {
  char joined[8192];
  size_t n = 0;
  for (const char *p = script; *p && n + 1 < sizeof joined; p++) joined[n++] = *p == '\\' ? '/' : *p;
  joined[n] = 0;
  bool drive = isalpha((unsigned char)joined[0]) && joined[1] == ':' && joined[2] == '/';
  if (joined[0] == '/' || drive || !cwd || !*cwd) {
    snprintf(out, cap, "%s", joined);
    return;
  }
  char full[8192];
  size_t cl = strlen(cwd);
  while (cl > 0 && (cwd[cl - 1] == '/' || cwd[cl - 1] == '\\')) cl--;
  size_t k = 0;
  for (size_t i = 0; i < cl && k + 1 < sizeof full; i++) full[k++] = cwd[i] == '\\' ? '/' : cwd[i];
  size_t jl = strlen(joined);
  if (k + 1 + jl >= sizeof full) jl = sizeof full - k - 2;
  full[k++] = '/';
  memcpy(full + k, joined, jl);
  full[k + jl] = 0;
  /* fold "." and ".." segment by segment; the first segment is kept as is ("" for absolute paths) */
  const char *segs[1024];
  size_t lens[1024];
  size_t ns = 0;
  const char *s = full;
  bool first = true;
  while (ns < 1024) {
    const char *e = strchr(s, '/');
    size_t l = e ? (size_t)(e - s) : strlen(s);
    bool skip = (l == 1 && s[0] == '.') || (l == 0 && !first);
    if (!skip) {
      if (l == 2 && s[0] == '.' && s[1] == '.') {
        if (ns > 1) ns--;
      } else {
        segs[ns] = s;
        lens[ns++] = l;
      }
    }
    first = false;
    if (!e) break;
    s = e + 1;
  }
  if (ns == 1 && lens[0] == 0) {
    snprintf(out, cap, "/");
    return;
  }
  size_t o = 0;
  for (size_t i = 0; i < ns && o + 1 < cap; i++) {
    if (i > 0 && o + 1 < cap) out[o++] = '/';
    size_t l = lens[i] < cap - o - 1 ? lens[i] : cap - o - 1;
    memcpy(out + o, segs[i], l);
    o += l;
  }
  out[o] = 0;
}

/* ---- identities (spec §4) ---- */
static bool sha_in(const eg_identity *id, const uint8_t sha[32]) {
  size_t lo = 0, hi = id->n_sha;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    int c = memcmp(id->sha[mid], sha, 32);
    if (c == 0) return true;
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  return false;
}

static bool identity_matches(const eg_identity *id, const eg_subject *s) {
  if (!s->present) return false;
  if ((id->has & ID_SHA) && (!s->has_sha || !sha_in(id, s->sha))) return false;
  if (id->has & ID_SIGNER) return false; /* no Linux subject carries a code signature */
  if (id->has & ID_PKG) {
    if (!s->has_pkg || !s->pkg_verified) return false;
    if (id->pkg_manager != 0 && id->pkg_manager != s->pkg_manager) return false;
    if (id->pkg_has_names && !list_has(&id->pkg_names, s->pkg_name ? s->pkg_name : "")) return false;
  }
  if (id->has & ID_PATH) {
    if (!s->path) return false;
    bool hit = false;
    for (uint32_t i = 0; i < id->paths.n && !hit; i++) hit = eg_regex_test(id->paths.items[i], s->path, strlen(s->path));
    if (!hit || !s->admin_only) return false;
  }
  if (id->has & ID_NAME) {
    const char *raw = s->path ? basename_of(s->path) : s->name;
    if (!raw) return false;
    char base[512], content[512] = "";
    lower_copy(raw, base, sizeof base);
    if (s->content_name) lower_copy(s->content_name, content, sizeof content);
    if (!list_has(&id->names, base) && !(content[0] && list_has(&id->names, content))) return false;
  }
  return true;
}

/* ---- facts (spec §3) ---- */
typedef struct {
  const eg_table *t;
  const eg_facts *f;
  const eg_subject *program;
  eg_subject script;
  bool has_script;
  char script_path[4096];
  uint8_t content;
  int32_t interp;
  bool loader, memfd, proxy, masquerade, user_writable;
  const char *argstr;
  char *argbuf;
} eval;

static const char *argstr(eval *e) {
  if (!e->argstr) {
    e->argbuf = malloc(ARGSTR_CAP);
    if (!e->argbuf) return "";
    eg_argument_string(e->f, e->argbuf, ARGSTR_CAP);
    e->argstr = e->argbuf;
  }
  return e->argstr;
}

/* The interpreter a (lower-case) base name is: the catalogue's entry, else the first name pattern. */
static int32_t interpreter_of(const eg_table *t, const eg_name_info *info, const char *base) {
  if (info) return info->interp;
  size_t bl = strlen(base);
  for (uint32_t i = 0; i < t->n_interp_patterns; i++)
    if (eg_regex_test(t->interp_patterns[i], base, bl)) return t->interp_pattern_target[i];
  return -1;
}

/* Is a (lower-case) name a loader: the catalogue's entry, else the loader pattern. */
static bool loader_of(const eg_table *t, const eg_name_info *info, const char *name) {
  return info ? info->loader : eg_regex_test(t->loader_re, name, strlen(name));
}

bool eg_is_interpreter(const eg_table *t, const eg_facts *f) {
  const eg_subject *p = &f->program;
  const char *raw = p->path ? basename_of(p->path) : p->name;
  char name[512];
  if (raw) {
    lower_copy(raw, name, sizeof name);
    if (interpreter_of(t, eg_name_lookup(t, name), name) >= 0) return true;
  }
  if (!p->content_name) return false;
  lower_copy(p->content_name, name, sizeof name);
  return interpreter_of(t, eg_name_lookup(t, name), name) >= 0;
}

/* Does the argument string match one of proxy `i`'s patterns? */
static bool proxy_matches(eval *e, int32_t i) {
  if (i < 0) return false;
  const char *a = argstr(e);
  size_t al = strlen(a);
  const eg_relist *pl = &e->t->proxies[i].patterns;
  for (uint32_t k = 0; k < pl->n; k++)
    if (eg_regex_test(pl->items[k], a, al)) return true;
  return false;
}

static void derive(eval *e) {
  const eg_table *t = e->t;
  const eg_facts *f = e->f;
  const eg_subject *p = &f->program;
  const char *path = p->path;
  char base[512] = "", dir[4096] = "";
  const char *raw_base = path ? basename_of(path) : p->name;
  if (raw_base) lower_copy(raw_base, base, sizeof base);
  if (path) {
    const char *slash = strrchr(path, '/');
    if (slash == path) snprintf(dir, sizeof dir, "/");
    else if (slash) {
      size_t l = (size_t)(slash - path) < sizeof dir - 1 ? (size_t)(slash - path) : sizeof dir - 1;
      lower_copy(path, dir, l + 1);
    }
  }
  const eg_name_info *info = raw_base ? eg_name_lookup(t, base) : NULL;
  e->interp = raw_base ? interpreter_of(t, info, base) : -1;
  int32_t proxy = -1;
  if (raw_base) e->loader = loader_of(t, info, base);
  if (info) {
    proxy = info->proxy;
    if (path && info->has_system && !list_has(&info->system_dirs, dir)) e->masquerade = true;
  }
  /* The content name is the program's second name (like a PE original name): a renamed copy of an
   * interpreter, loader or proxy binary is still one, and being renamed is masquerade. */
  char content[512] = "";
  if (p->content_name) lower_copy(p->content_name, content, sizeof content);
  if (content[0] && !(raw_base && strcmp(content, base) == 0)) {
    const eg_name_info *cinfo = eg_name_lookup(t, content);
    if (e->interp < 0) e->interp = interpreter_of(t, cinfo, content);
    if (!e->loader) e->loader = loader_of(t, cinfo, content);
    if (raw_base) e->masquerade = true;
    if (cinfo && cinfo->proxy != proxy) e->proxy = proxy_matches(e, cinfo->proxy);
  }
  e->loader = e->loader || f->loader_forced;
  e->memfd = f->memfd_forced || (path && (strncmp(path, "/memfd:", 7) == 0 || strncmp(path, "memfd:", 6) == 0));
  e->user_writable = path && eg_regex_test(t->user_writable_re, path, strlen(path));

  e->content = EG_CONTENT_NONE;
  if (e->interp >= 0) {
    bool inl, stdin_flag;
    const char *script;
    static const char *const no_args[1] = {""};
    eg_parse_interpreter(&t->interps[e->interp], f->has_args ? f->args : no_args, f->has_args ? f->argc : 0, &inl,
                         &script, &stdin_flag);
    uint8_t in = f->stdin_kind;
    if (inl || f->inline_forced) e->content = EG_CONTENT_INLINE;
    else if ((f->file.present && f->file.path) || script) {
      e->content = EG_CONTENT_SCRIPT;
      e->has_script = true;
      if (f->file.present && f->file.path) e->script = f->file;
      else {
        e->script = f->script_prov;
        e->script.present = true;
        e->script.has_sha = false;
        eg_resolve_script(script, f->cwd, e->script_path, sizeof e->script_path);
        e->script.path = e->script_path;
      }
    } else if (in == EG_STDIN_PIPE || in == EG_STDIN_FILE || in == EG_STDIN_SOCKET ||
               (stdin_flag && in != EG_STDIN_TTY)) {
      e->content = EG_CONTENT_STDIN;
    }
  }
  if (!e->proxy) e->proxy = proxy_matches(e, proxy);
}

/* ---- conditions (spec §5) ---- */
static bool tri(int8_t want, bool have) { return want < 0 || (want == 1) == have; }

static bool any_re(const eg_relist *l, const char *s, size_t n) {
  for (uint32_t i = 0; i < l->n; i++)
    if (eg_regex_test(l->items[i], s, n)) return true;
  return false;
}

static bool user_holds(const eg_match *m, const eg_facts *f) {
  if (f->user_name && *f->user_name && list_has_ci(&m->user_names, f->user_name)) return true;
  if (f->user_id && *f->user_id && list_has(&m->user_ids, f->user_id)) return true;
  if (f->group_name && *f->group_name && list_has_ci(&m->user_groups, f->group_name)) return true;
  for (uint32_t i = 0; i < f->n_groups; i++)
    if (f->groups[i] && *f->groups[i] && list_has_ci(&m->user_groups, f->groups[i])) return true;
  return false;
}

static bool holds(eval *e, const eg_match *m) {
  const eg_table *t = e->t;
  const eg_facts *f = e->f;
  if (!tri(m->inline_code, e->content == EG_CONTENT_INLINE)) return false;
  if (!tri(m->stdin_script, e->content == EG_CONTENT_STDIN)) return false;
  if (!tri(m->proxy_use, e->proxy)) return false;
  if (!tri(m->masquerade, e->masquerade)) return false;
  if (!tri(m->user_writable, e->user_writable)) return false;
  if (m->program >= 0 && !identity_matches(&t->ids[m->program], e->program)) return false;
  if (m->has_args) {
    const char *a = argstr(e);
    size_t al = strlen(a);
    if (m->has_any && !any_re(&m->any, a, al)) return false;
    if (m->has_all)
      for (uint32_t i = 0; i < m->all.n; i++)
        if (!eg_regex_test(m->all.items[i], a, al)) return false;
    if (m->has_none && any_re(&m->none, a, al)) return false;
  }
  if (m->script >= 0 && (!e->has_script || !identity_matches(&t->ids[m->script], &e->script))) return false;
  if (m->parent >= 0 && (!f->parent.present || !identity_matches(&t->ids[m->parent], &f->parent))) return false;
  if (m->ancestor >= 0) {
    bool hit = f->parent.present && identity_matches(&t->ids[m->ancestor], &f->parent);
    for (uint32_t i = 0; i < f->n_ancestors && !hit; i++) {
      eg_subject a = f->ancestors[i];
      a.has_pkg = false; /* ancestors carry no provenance (spec §5: identity over the recorded image) */
      a.admin_only = false;
      hit = identity_matches(&t->ids[m->ancestor], &a);
    }
    if (!hit) return false;
  }
  if (m->has_user && !user_holds(m, f)) return false;
  return true;
}

/* ---- precedence (spec §6) and effect (spec §7) ---- */
static bool window_active(const eg_window *w, double now) { return w->start <= now && now < w->end; }

static bool window_relaxes(const eg_window *w, uint32_t rule) {
  for (uint32_t i = 0; i < w->n_relaxed; i++)
    if (w->relaxed[i] == rule) return true;
  return false;
}

static void set(eg_result *r, bool allow, uint8_t by, const char *rule) {
  r->allow = allow;
  r->decided_by = by;
  r->rule_id = rule;
}

static void verdict(eval *e, eg_result *r) {
  const eg_table *t = e->t;
  double now = e->f->now;
  if (e->loader) return set(r, false, EG_BY_NON_OVERRIDABLE, "builtin:loader-invocation");
  if (e->memfd) return set(r, false, EG_BY_NON_OVERRIDABLE, "builtin:memfd-exec");

  for (uint32_t i = 0; i < t->n_exceptions; i++) {
    const eg_exception *x = &t->exceptions[i];
    const eg_match *m = &t->matches[x->match];
    if (now < x->not_before || now >= x->expires) continue;
    if (e->content != EG_CONTENT_NONE && m->approves != e->content) continue;
    if (!holds(e, m)) continue;
    r->exception_id = x->id;
    return set(r, true, EG_BY_EXCEPTION, x->id);
  }

  const char *relaxed_by = NULL;
  for (uint32_t i = 0; i < t->n_deny; i++) {
    if (!holds(e, &t->matches[t->deny[i].match])) continue;
    const eg_window *relaxing = NULL;
    for (uint32_t w = 0; w < t->n_windows && !relaxing; w++)
      if (window_active(&t->windows[w], now) && window_relaxes(&t->windows[w], i)) relaxing = &t->windows[w];
    if (relaxing) {
      if (!relaxed_by) relaxed_by = relaxing->id;
      continue;
    }
    r->window_id = relaxed_by;
    return set(r, false, EG_BY_DENY_RULE, t->deny[i].id);
  }

  const eg_rule *program_rule = NULL, *content_rule = NULL, *both = NULL;
  for (uint32_t i = 0; i < t->n_allow && !both; i++) {
    const eg_rule *rule = &t->allow[i];
    const eg_match *m = &t->matches[rule->match];
    bool approves_program = m->program >= 0;
    bool approves_content = e->content != EG_CONTENT_NONE && m->approves == e->content;
    if (!approves_program && !approves_content) continue;
    if (!holds(e, m)) continue;
    if (e->content == EG_CONTENT_NONE || (approves_program && approves_content)) both = rule;
    else if (approves_program) {
      if (!program_rule) program_rule = rule;
    } else if (!content_rule) content_rule = rule;
  }
  const eg_rule *winner = both ? both : program_rule && content_rule ? content_rule : NULL;
  if (winner) {
    r->window_id = relaxed_by;
    return set(r, true, EG_BY_ALLOW_RULE, winner->id);
  }
  for (uint32_t w = 0; w < t->n_windows; w++) {
    if (window_active(&t->windows[w], now) && t->windows[w].default_deny) {
      r->window_id = t->windows[w].id;
      return set(r, true, EG_BY_WINDOW, t->windows[w].id);
    }
  }
  r->window_id = relaxed_by;
  set(r, false, EG_BY_DEFAULT, "default-deny");
}

void eg_decide(const eg_table *t, const eg_facts *f, eg_result *r) {
  memset(r, 0, sizeof *r);
  eval e = {.t = t, .f = f, .program = &f->program};
  derive(&e);
  verdict(&e, r);
  r->effect = EG_EFFECT_ALLOWED;
  if (!r->allow) {
    r->effect = EG_EFFECT_DENIED;
    if (t->mode != EG_MODE_ENFORCE) r->effect = EG_EFFECT_WOULD_DENY;
    else if (r->decided_by != EG_BY_NON_OVERRIDABLE) {
      const eg_window *relaxing = NULL;
      for (uint32_t w = 0; w < t->n_windows && !relaxing; w++)
        if (window_active(&t->windows[w], f->now) && t->windows[w].enforcement) relaxing = &t->windows[w];
      if (relaxing) {
        r->effect = EG_EFFECT_WOULD_DENY;
        r->window_id = relaxing->id;
      } else {
        for (uint32_t i = 0; i < t->n_never; i++) {
          if (identity_matches(&t->ids[t->never[i].identity], &f->program)) {
            r->effect = EG_EFFECT_WOULD_DENY;
            r->never_block_id = t->never[i].id;
            break;
          }
        }
      }
    }
  }
  r->content = e.content;
  r->interp = e.interp;
  r->loader = e.loader;
  r->memfd = e.memfd;
  r->proxy = e.proxy;
  r->masquerade = e.masquerade;
  r->user_writable = e.user_writable;
  if (e.has_script && e.script.path) {
    snprintf(r->script_path, sizeof r->script_path, "%s", e.script.path);
    r->has_script_path = true;
  }
  free(e.argbuf);
}

bool eg_program_could_run(const eg_table *t, const eg_facts *f) {
  if (t->mode != EG_MODE_ENFORCE) return true;
  for (uint32_t w = 0; w < t->n_windows; w++)
    if (window_active(&t->windows[w], f->now) && (t->windows[w].default_deny || t->windows[w].enforcement)) return true;
  for (uint32_t i = 0; i < t->n_never; i++)
    if (identity_matches(&t->ids[t->never[i].identity], &f->program)) return true;
  for (uint32_t i = 0; i < t->n_exceptions; i++) {
    const eg_match *m = &t->matches[t->exceptions[i].match];
    if (m->program < 0 || identity_matches(&t->ids[m->program], &f->program)) return true;
  }
  for (uint32_t i = 0; i < t->n_allow; i++) {
    const eg_match *m = &t->matches[t->allow[i].match];
    if (m->program >= 0 && identity_matches(&t->ids[m->program], &f->program)) return true;
  }
  return false;
}

bool eg_script_of(const eg_table *t, const eg_facts *f, char *out, size_t cap) {
  eval e = {.t = t, .f = f, .program = &f->program};
  derive(&e);
  bool found = e.content == EG_CONTENT_SCRIPT && e.has_script && e.script.path;
  if (found) snprintf(out, cap, "%s", e.script.path);
  free(e.argbuf);
  return found;
}

bool eg_is_loader(const eg_table *t, const char *path) {
  if (!path) return false;
  char base[512];
  lower_copy(basename_of(path), base, sizeof base);
  return loader_of(t, eg_name_lookup(t, base), base);
}
