/*
 * Regular expressions through PCRE2, the engine closest to JavaScript's among those every Debian
 * host already has (libpcre2-8-0 is a dependency of grep). The development headers are often not
 * installed, so when <pcre2.h> is missing the few entry points used here are declared from the
 * stable PCRE2 10.x ABI; the build links the runtime library by its soname.
 *
 * JavaScript semantics the options below reproduce: `$` matches only at the very end
 * (DOLLAR_ENDONLY), `.` stops at any line terminator (NEWLINE_ANY), no multi-line mode, and with the
 * `u` flag patterns are read as UTF-8.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eg.h"

#if defined(__has_include) && __has_include(<pcre2.h>)
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#else
typedef struct pcre2_real_code_8 pcre2_code_8;
typedef struct pcre2_real_match_data_8 pcre2_match_data_8;
typedef struct pcre2_real_compile_context_8 pcre2_compile_context_8;
typedef struct pcre2_real_general_context_8 pcre2_general_context_8;
typedef struct pcre2_real_match_context_8 pcre2_match_context_8;
typedef unsigned char PCRE2_UCHAR8;
typedef const PCRE2_UCHAR8 *PCRE2_SPTR8;
typedef size_t PCRE2_SIZE;
pcre2_code_8 *pcre2_compile_8(PCRE2_SPTR8, PCRE2_SIZE, uint32_t, int *, PCRE2_SIZE *, pcre2_compile_context_8 *);
void pcre2_code_free_8(pcre2_code_8 *);
pcre2_match_data_8 *pcre2_match_data_create_8(uint32_t, pcre2_general_context_8 *);
void pcre2_match_data_free_8(pcre2_match_data_8 *);
int pcre2_match_8(const pcre2_code_8 *, PCRE2_SPTR8, PCRE2_SIZE, PCRE2_SIZE, uint32_t, pcre2_match_data_8 *,
                  pcre2_match_context_8 *);
int pcre2_get_error_message_8(int, PCRE2_UCHAR8 *, PCRE2_SIZE);
pcre2_compile_context_8 *pcre2_compile_context_create_8(pcre2_general_context_8 *);
void pcre2_compile_context_free_8(pcre2_compile_context_8 *);
int pcre2_set_newline_8(pcre2_compile_context_8 *, uint32_t);
int pcre2_jit_compile_8(pcre2_code_8 *, uint32_t);
#define pcre2_code pcre2_code_8
#define pcre2_match_data pcre2_match_data_8
#define pcre2_compile_context pcre2_compile_context_8
#define pcre2_compile pcre2_compile_8
#define pcre2_code_free pcre2_code_free_8
#define pcre2_match_data_create pcre2_match_data_create_8
#define pcre2_match_data_free pcre2_match_data_free_8
#define pcre2_match pcre2_match_8
#define pcre2_get_error_message pcre2_get_error_message_8
#define pcre2_compile_context_create pcre2_compile_context_create_8
#define pcre2_compile_context_free pcre2_compile_context_free_8
#define pcre2_set_newline pcre2_set_newline_8
#define pcre2_jit_compile pcre2_jit_compile_8
#define PCRE2_CASELESS 0x00000008u
#define PCRE2_DOLLAR_ENDONLY 0x00000010u
#define PCRE2_UTF 0x00080000u
#define PCRE2_MATCH_INVALID_UTF 0x04000000u
#define PCRE2_NEWLINE_ANY 4
#define PCRE2_JIT_COMPLETE 0x00000001u
#define PCRE2_ERROR_NOMATCH (-1)
typedef PCRE2_UCHAR8 PCRE2_UCHAR;
typedef PCRE2_SPTR8 PCRE2_SPTR;
#endif

struct eg_regex {
  pcre2_code *code;
};

/* One match-data block per thread: the enforcer thread and JavaScript callers never share one. */
static __thread pcre2_match_data *match_data;

eg_regex *eg_regex_compile(const char *pattern, bool caseless, bool utf, bool jit, char *err, size_t errlen) {
  pcre2_compile_context *cc = pcre2_compile_context_create(NULL);
  if (!cc) {
    snprintf(err, errlen, "out of memory");
    return NULL;
  }
  pcre2_set_newline(cc, PCRE2_NEWLINE_ANY);
  uint32_t opts = PCRE2_DOLLAR_ENDONLY | (caseless ? PCRE2_CASELESS : 0) | (utf ? PCRE2_UTF | PCRE2_MATCH_INVALID_UTF : 0);
  int code;
  PCRE2_SIZE off;
  pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, strlen(pattern), opts, &code, &off, cc);
  pcre2_compile_context_free(cc);
  if (!re) {
    PCRE2_UCHAR msg[160];
    pcre2_get_error_message(code, msg, sizeof msg);
    snprintf(err, errlen, "regex /%s/ at %zu: %s", pattern, (size_t)off, (const char *)msg);
    return NULL;
  }
  /* JIT for patterns on the hot path (arguments, paths, locations); compiling it costs more than it
   * saves for patterns rarely matched (catalogue names, proxy patterns). Best effort: without JIT the
   * interpreter matches. */
  if (jit) pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
  eg_regex *r = malloc(sizeof *r);
  if (!r) {
    pcre2_code_free(re);
    snprintf(err, errlen, "out of memory");
    return NULL;
  }
  r->code = re;
  return r;
}

bool eg_regex_test(eg_regex *re, const char *subject, size_t len) {
  if (!re) return false;
  if (!match_data) {
    match_data = pcre2_match_data_create(1, NULL);
    if (!match_data) return false;
  }
  return pcre2_match(re->code, (PCRE2_SPTR)subject, len, 0, 0, match_data, NULL) >= 0;
}

void eg_regex_free(eg_regex *re) {
  if (!re) return;
  pcre2_code_free(re->code);
  free(re);
}
