/*
 * ExecGuard native core: the decision table (a policy specialised for one host by the TypeScript
 * lowering in src/table.ts), the facts of one execution, and the evaluator that implements
 * spec/semantics.md over them. Everything here runs on the enforcer's own thread: no allocation
 * that can fail silently, no locks held across I/O, nothing that waits on JavaScript.
 */
#ifndef EG_H
#define EG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct eg_regex eg_regex; /* a compiled PCRE2 pattern with its match data */

typedef struct {
  char **items;
  uint32_t n;
} eg_strlist;

typedef struct {
  eg_regex **items;
  uint32_t n;
} eg_relist;

/* ---- catalogue (Linux view) ---- */
typedef struct {
  eg_strlist inline_flags, script_flags, stdin_flags, value_flags;
  bool first_operand, ci_flags, prefixes, clustered;
} eg_interp;

typedef struct {
  eg_relist patterns;
} eg_proxy;

typedef struct {
  char *name;
  int32_t interp, proxy;
  bool loader, has_system;
  eg_strlist system_dirs;
} eg_name_info;

/* ---- identities and matches ---- */
enum { ID_SHA = 1, ID_PATH = 2, ID_PKG = 4, ID_NAME = 8, ID_SIGNER = 16 };

typedef struct {
  uint32_t has;
  uint8_t (*sha)[32]; /* sorted, for bsearch */
  uint32_t n_sha;
  eg_relist paths;
  uint8_t pkg_manager; /* 0 any, 1 dpkg, 2 rpm */
  bool pkg_has_names;
  eg_strlist pkg_names;
  eg_strlist names; /* lower-case */
} eg_identity;

typedef struct {
  int32_t program, script, parent, ancestor; /* identity index or -1 */
  bool has_args, has_any, has_all, has_none;
  eg_relist any, all, none;
  bool has_user;
  eg_strlist user_names, user_ids, user_groups;
  int8_t inline_code, stdin_script, proxy_use, masquerade, user_writable; /* -1 unset */
  uint8_t approves; /* content kind it approves: EG_CONTENT_* or 0 */
} eg_match;

typedef struct {
  char *id;
  uint32_t match;
} eg_rule;

typedef struct {
  char *id;
  double not_before, expires;
  uint32_t match;
} eg_exception;

typedef struct {
  char *id;
  double start, end;
  bool default_deny, enforcement;
  uint32_t *relaxed; /* deny rule indices */
  uint32_t n_relaxed;
} eg_window;

typedef struct {
  char *id;
  uint32_t identity;
} eg_never;

enum { EG_MODE_LEARN = 0, EG_MODE_AUDIT = 1, EG_MODE_ENFORCE = 2 };
enum { EG_NEEDS_PARENT = 1, EG_NEEDS_ANCESTORS = 2, EG_NEEDS_USER = 4, EG_NEEDS_PKG = 8, EG_NEEDS_ADMIN = 16 };

typedef struct {
  uint32_t uid;
  char *name;
} eg_account;

typedef struct {
  char *path;
  char *name;
  uint8_t manager; /* 1 dpkg, 2 rpm (as in identities) */
  uint8_t sha[32];
} eg_pkgfile; /* a package-owned file whose content matched the package record when the agent loaded it */

typedef struct {
  uint8_t sha[32];
  char *name;
} eg_content_name; /* an interpreter, loader or proxy binary in a system directory, by content */

typedef struct eg_table {
  uint8_t mode, fail_closed, needs;
  char *scope_id;
  eg_interp *interps;
  uint32_t n_interps;
  eg_proxy *proxies;
  uint32_t n_proxies;
  eg_name_info *names; /* sorted by name */
  uint32_t n_names;
  eg_regex **interp_patterns;
  int32_t *interp_pattern_target;
  uint32_t n_interp_patterns;
  eg_regex *loader_re, *user_writable_re;
  eg_identity *ids;
  uint32_t n_ids;
  eg_match *matches;
  uint32_t n_matches;
  eg_rule *deny, *allow;
  uint32_t n_deny, n_allow;
  eg_exception *exceptions;
  uint32_t n_exceptions;
  eg_window *windows;
  uint32_t n_windows;
  eg_never *never;
  uint32_t n_never;
  eg_account *users, *groups; /* sorted by uid/gid */
  uint32_t n_users, n_groups;
  eg_pkgfile *pkgfiles; /* sorted by path */
  uint32_t n_pkgfiles;
  eg_content_name *content_names; /* sorted by sha, then name */
  uint32_t n_content_names;
} eg_table;

/* ---- facts of one execution ---- */
enum { EG_STDIN_ABSENT = 0, EG_STDIN_TTY, EG_STDIN_PIPE, EG_STDIN_FILE, EG_STDIN_SOCKET, EG_STDIN_NULL, EG_STDIN_UNKNOWN };
enum { EG_CONTENT_NONE = 0, EG_CONTENT_INLINE = 1, EG_CONTENT_SCRIPT = 2, EG_CONTENT_STDIN = 3 };

typedef struct {
  bool present;
  const char *path; /* forward slashes */
  const char *name; /* process.name, used when there is no path */
  bool has_sha;
  uint8_t sha[32];
  bool has_pkg, pkg_verified;
  uint8_t pkg_manager; /* 1 dpkg, 2 rpm */
  const char *pkg_name;
  bool admin_only;
  /* The name of the host's interpreter, loader or proxy binary with this exact content (spec §3
   * "Names"), so a renamed copy is still classified as what it is. */
  const char *content_name;
} eg_subject;

#define EG_MAX_ANCESTORS 16
#define EG_MAX_GROUPS 64

typedef struct {
  double now;
  eg_subject program;
  bool has_args;
  const char *const *args;
  uint32_t argc;
  const char *command_line;
  const char *cwd;
  eg_subject file;          /* file.* (the script the sensor resolved), when present */
  eg_subject script_prov;   /* execguard.script provenance, for a script named by the arguments */
  uint8_t stdin_kind;
  bool inline_forced, loader_forced, memfd_forced;
  eg_subject parent;
  eg_subject ancestors[EG_MAX_ANCESTORS];
  uint32_t n_ancestors;
  const char *user_name, *user_id, *group_name;
  const char *groups[EG_MAX_GROUPS];
  uint32_t n_groups;
} eg_facts;

enum { EG_BY_NON_OVERRIDABLE = 0, EG_BY_EXCEPTION, EG_BY_DENY_RULE, EG_BY_ALLOW_RULE, EG_BY_WINDOW, EG_BY_DEFAULT };
enum { EG_EFFECT_ALLOWED = 0, EG_EFFECT_DENIED, EG_EFFECT_WOULD_DENY };

typedef struct {
  bool allow;
  uint8_t effect, decided_by;
  const char *rule_id, *exception_id, *window_id, *never_block_id;
  /* facts, for the event record */
  uint8_t content;
  int32_t interp;
  bool loader, memfd, proxy, masquerade, user_writable;
  char script_path[4096]; /* the resolved script named by the arguments, when content is script */
  bool has_script_path;
} eg_result;

/* table.c */
eg_table *eg_table_load(const uint8_t *buf, size_t len, char *err, size_t errlen);
void eg_table_free(eg_table *t);
const eg_name_info *eg_name_lookup(const eg_table *t, const char *lower_name);
const eg_pkgfile *eg_pkgfile_lookup(const eg_table *t, const char *path);
/* The content name of a file with this sha256: `basename` when it is one of the names, else the first. */
const char *eg_content_name_of(const eg_table *t, const uint8_t sha[32], const char *basename);
const char *eg_account_name(const eg_account *list, uint32_t n, uint32_t id);

/* regex.c */
eg_regex *eg_regex_compile(const char *pattern, bool caseless, bool utf, bool jit, char *err, size_t errlen);
bool eg_regex_test(eg_regex *re, const char *subject, size_t len);
void eg_regex_free(eg_regex *re);

/* decide.c */
void eg_decide(const eg_table *t, const eg_facts *f, eg_result *out);
/* Could any rule, exception, window or never-block entry let this program run? (exec-time check) */
bool eg_program_could_run(const eg_table *t, const eg_facts *f);
void eg_argument_string(const eg_facts *f, char *out, size_t cap);
bool eg_parse_interpreter(const eg_interp *in, const char *const *args, uint32_t argc, bool *inl, const char **script,
                          bool *stdin_flag);
void eg_resolve_script(const char *script, const char *cwd, char *out, size_t cap);
bool eg_hex_to_sha(const char *hex, uint8_t out[32]);

#endif
