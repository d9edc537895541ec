/*
 * File identity: sha256 of the content, remembered per (device, inode, size, mtime, ctime). Any
 * write to a file changes its mtime or ctime (and a chmod or rename changes ctime), so a cached
 * hash is never reused for changed content; a tampered binary of the same size at an allowed path
 * is hashed again on its next execution. SHA-256 comes from the OpenSSL that Node.js carries.
 */
#include <errno.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core.h"

#define CACHE_SLOTS 16384 /* power of two */

typedef struct {
  dev_t dev;
  ino_t ino;
  off_t size;
  struct timespec mtime, ctime;
  uint8_t sha[32];
  bool used;
} slot;

static slot cache[CACHE_SLOTS];
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t hits, misses;

static size_t slot_of(const struct stat *st) {
  uint64_t h = (uint64_t)st->st_ino * 0x9E3779B97F4A7C15ull ^ (uint64_t)st->st_dev * 0xC2B2AE3D27D4EB4Full;
  return (size_t)(h >> 32) & (CACHE_SLOTS - 1);
}

static bool same(const slot *s, const struct stat *st) {
  return s->used && s->dev == st->st_dev && s->ino == st->st_ino && s->size == st->st_size &&
         s->mtime.tv_sec == st->st_mtim.tv_sec && s->mtime.tv_nsec == st->st_mtim.tv_nsec &&
         s->ctime.tv_sec == st->st_ctim.tv_sec && s->ctime.tv_nsec == st->st_ctim.tv_nsec;
}

bool eg_cache_get(const struct stat *st, uint8_t sha[32]) {
  pthread_mutex_lock(&cache_lock);
  slot *s = &cache[slot_of(st)];
  bool hit = same(s, st);
  if (hit) memcpy(sha, s->sha, 32);
  if (hit) hits++;
  else misses++;
  pthread_mutex_unlock(&cache_lock);
  return hit;
}

void eg_cache_put(const struct stat *st, const uint8_t sha[32]) {
  pthread_mutex_lock(&cache_lock);
  slot *s = &cache[slot_of(st)];
  s->dev = st->st_dev;
  s->ino = st->st_ino;
  s->size = st->st_size;
  s->mtime = st->st_mtim;
  s->ctime = st->st_ctim;
  memcpy(s->sha, sha, 32);
  s->used = true;
  pthread_mutex_unlock(&cache_lock);
}

void eg_cache_clear(void) {
  pthread_mutex_lock(&cache_lock);
  memset(cache, 0, sizeof cache);
  pthread_mutex_unlock(&cache_lock);
}

void eg_cache_stats(uint64_t *h, uint64_t *m) {
  pthread_mutex_lock(&cache_lock);
  *h = hits;
  *m = misses;
  pthread_mutex_unlock(&cache_lock);
}

static double mono_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/*
 * Hashes an open file from offset 0 with pread (the descriptor's position is left alone). Returns
 * EG_HASH_OK, EG_HASH_ERROR, or EG_HASH_LATE when `deadline_ms` (monotonic) passed first: the caller
 * then answers with the fail mode rather than keep a process waiting.
 */
int eg_hash_fd(int fd, uint8_t sha[32], double deadline_ms) {
  static __thread uint8_t buf[1 << 17];
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  if (!ctx) return EG_HASH_ERROR;
  int rc = EG_HASH_OK;
  if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) rc = EG_HASH_ERROR;
  off_t off = 0;
  while (rc == EG_HASH_OK) {
    ssize_t n = pread(fd, buf, sizeof buf, off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) rc = EG_HASH_ERROR;
    else if (n == 0) break;
    else {
      EVP_DigestUpdate(ctx, buf, (size_t)n);
      off += n;
      if (deadline_ms > 0 && mono_ms() > deadline_ms) rc = EG_HASH_LATE;
    }
  }
  unsigned int len = 0;
  if (rc == EG_HASH_OK && EVP_DigestFinal_ex(ctx, sha, &len) != 1) rc = EG_HASH_ERROR;
  EVP_MD_CTX_free(ctx);
  return rc;
}

int eg_identity_of(int fd, const struct stat *st, uint8_t sha[32], double deadline_ms) {
  if (eg_cache_get(st, sha)) return EG_HASH_OK;
  int rc = eg_hash_fd(fd, sha, deadline_ms);
  if (rc == EG_HASH_OK) eg_cache_put(st, sha);
  return rc;
}

double eg_now_mono_ms(void) { return mono_ms(); }

/* A file too large to hash before the deadline is finished here, off the verdict path, so that its
 * next execution finds the hash in the cache. At most two such threads run at once. */
typedef struct {
  int fd;
  struct stat st;
} late_job;

static volatile int late_running;

static void *finish_late(void *arg) {
  late_job *j = arg;
  uint8_t sha[32];
  if (eg_hash_fd(j->fd, sha, 0) == EG_HASH_OK) eg_cache_put(&j->st, sha);
  close(j->fd);
  free(j);
  __atomic_sub_fetch(&late_running, 1, __ATOMIC_SEQ_CST);
  return NULL;
}

void eg_hash_later(int fd, const struct stat *st) {
  if (__atomic_add_fetch(&late_running, 1, __ATOMIC_SEQ_CST) > 2) {
    __atomic_sub_fetch(&late_running, 1, __ATOMIC_SEQ_CST);
    return;
  }
  late_job *j = malloc(sizeof *j);
  int dup_fd = j ? dup(fd) : -1;
  pthread_t th;
  pthread_attr_t attr;
  if (!j || dup_fd < 0) goto undo;
  j->fd = dup_fd;
  j->st = *st;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  if (pthread_create(&th, &attr, finish_late, j) == 0) {
    pthread_attr_destroy(&attr);
    return;
  }
  pthread_attr_destroy(&attr);
undo:
  if (dup_fd >= 0) close(dup_fd);
  free(j);
  __atomic_sub_fetch(&late_running, 1, __ATOMIC_SEQ_CST);
}
