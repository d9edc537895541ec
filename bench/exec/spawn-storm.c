/*
 * spawn-storm — per-exec wall time of a posix_spawn storm, for `npm run bench:exec`.
 *
 *   spawn-storm prepare --dir DIR --src /bin/true --cold N
 *       DIR/hot         one copy of SRC (executed over and over: every identity cache is hot)
 *       DIR/cold/NNNNNN N copies of SRC, each a distinct inode whose content is SRC plus an
 *                       8-byte little-endian trailer (i + 1), so no two hashes are equal and
 *                       neither an inode-keyed nor a hash-keyed cache can help
 *       DIR/denied      SRC plus the trailer "EG-DENY!" (executable; the policy denies it)
 *       DIR/noexec      SRC, mode 0644 (the kernel's own EACCES: the floor for a deny)
 *     Trailers must stay in step with bench/exec.mjs, which computes the same hashes.
 *
 *   spawn-storm run --dir DIR [--n N] [--warmup W] [--phases hot,cold,denied,noexec]
 *       Warm-up: W spawns of DIR/hot, not recorded. Then per phase N spawns, each timed with
 *       CLOCK_MONOTONIC around posix_spawn() + waitpid(). Cold uses DIR/cold/0..N-1 (each once).
 *       Prints one JSON object: per phase n, p50/p90/p99/mean/min/max in microseconds, how many
 *       spawns failed with EACCES/EPERM (denied), failed otherwise, or exited non-zero.
 *
 * Build: cc -O2 -Wall -Wextra -o spawn-storm spawn-storm.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static void die(const char *what) {
  fprintf(stderr, "spawn-storm: %s: %s\n", what, strerror(errno));
  exit(2);
}

static const char *arg(int argc, char **argv, const char *name, const char *def) {
  for (int i = 2; i + 1 < argc; i++)
    if (strcmp(argv[i], name) == 0) return argv[i + 1];
  return def;
}

static unsigned char *slurp(const char *path, size_t *len) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) die(path);
  struct stat st;
  if (fstat(fd, &st) != 0) die(path);
  unsigned char *buf = malloc((size_t)st.st_size + 8);
  if (!buf) die("malloc");
  size_t got = 0;
  while (got < (size_t)st.st_size) {
    ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
    if (r <= 0) die(path);
    got += (size_t)r;
  }
  close(fd);
  *len = got;
  return buf;
}

static void put(const char *path, const unsigned char *a, size_t alen, const unsigned char *b, size_t blen,
                mode_t mode) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) die(path);
  if (write(fd, a, alen) != (ssize_t)alen) die(path);
  if (blen && write(fd, b, blen) != (ssize_t)blen) die(path);
  if (fchmod(fd, mode) != 0) die(path);
  if (close(fd) != 0) die(path);
}

static int prepare(int argc, char **argv) {
  const char *dir = arg(argc, argv, "--dir", NULL);
  const char *src = arg(argc, argv, "--src", "/bin/true");
  long cold = atol(arg(argc, argv, "--cold", "5000"));
  if (!dir || cold < 0) {
    fprintf(stderr, "usage: spawn-storm prepare --dir DIR [--src FILE] [--cold N]\n");
    return 2;
  }
  size_t len;
  unsigned char *img = slurp(src, &len);
  char path[4096];
  snprintf(path, sizeof path, "%s/hot", dir);
  put(path, img, len, NULL, 0, 0755);
  snprintf(path, sizeof path, "%s/denied", dir);
  put(path, img, len, (const unsigned char *)"EG-DENY!", 8, 0755);
  snprintf(path, sizeof path, "%s/noexec", dir);
  put(path, img, len, NULL, 0, 0644);
  snprintf(path, sizeof path, "%s/cold", dir);
  if (mkdir(path, 0755) != 0 && errno != EEXIST) die(path);
  for (long i = 0; i < cold; i++) {
    unsigned char trailer[8];
    uint64_t v = (uint64_t)i + 1;
    for (int k = 0; k < 8; k++) trailer[k] = (unsigned char)(v >> (8 * k));
    snprintf(path, sizeof path, "%s/cold/%06ld", dir, i);
    put(path, img, len, trailer, 8, 0755);
  }
  free(img);
  return 0;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Nearest-rank percentile of a sorted array. */
static double pct(const double *s, long n, double p) {
  if (n == 0) return 0;
  long k = (long)(p / 100.0 * (double)n + 0.999999999) - 1;
  if (k < 0) k = 0;
  if (k >= n) k = n - 1;
  return s[k];
}

struct tally {
  long denied, failed, nonzero;
};

/* One timed spawn; returns microseconds. */
static double spawn_once(const char *path, struct tally *t) {
  char *const av[] = {(char *)path, NULL};
  struct timespec a, b;
  pid_t pid;
  clock_gettime(CLOCK_MONOTONIC, &a);
  int rc = posix_spawn(&pid, path, NULL, NULL, av, environ);
  int status = 0;
  if (rc == 0) {
    while (waitpid(pid, &status, 0) < 0)
      if (errno != EINTR) die("waitpid");
  }
  clock_gettime(CLOCK_MONOTONIC, &b);
  if (t) {
    if (rc == EACCES || rc == EPERM)
      t->denied++;
    else if (rc != 0)
      t->failed++;
    else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
      t->nonzero++;
  }
  return (double)(b.tv_sec - a.tv_sec) * 1e6 + (double)(b.tv_nsec - a.tv_nsec) / 1e3;
}

static int run(int argc, char **argv) {
  const char *dir = arg(argc, argv, "--dir", NULL);
  long n = atol(arg(argc, argv, "--n", "5000"));
  long warm = atol(arg(argc, argv, "--warmup", "500"));
  char phases[256];
  snprintf(phases, sizeof phases, "%s", arg(argc, argv, "--phases", "hot,cold,denied"));
  if (!dir || n <= 0 || warm < 0) {
    fprintf(stderr, "usage: spawn-storm run --dir DIR [--n N] [--warmup W] [--phases hot,cold,denied,noexec]\n");
    return 2;
  }
  char hot[4096], path[4096];
  snprintf(hot, sizeof hot, "%s/hot", dir);
  for (long i = 0; i < warm; i++) spawn_once(hot, NULL);

  double *us = malloc(sizeof(double) * (size_t)n);
  if (!us) die("malloc");
  printf("{\"n\":%ld,\"warmup\":%ld,\"phases\":{", n, warm);
  int first = 1;
  for (char *save = NULL, *ph = strtok_r(phases, ",", &save); ph; ph = strtok_r(NULL, ",", &save)) {
    struct tally t = {0, 0, 0};
    for (long i = 0; i < n; i++) {
      if (strcmp(ph, "cold") == 0)
        snprintf(path, sizeof path, "%s/cold/%06ld", dir, i);
      else
        snprintf(path, sizeof path, "%s/%s", dir, ph);
      us[i] = spawn_once(path, &t);
    }
    double sum = 0;
    for (long i = 0; i < n; i++) sum += us[i];
    qsort(us, (size_t)n, sizeof(double), cmp_double);
    printf("%s\"%s\":{\"n\":%ld,\"p50\":%.1f,\"p90\":%.1f,\"p99\":%.1f,\"mean\":%.1f,\"min\":%.1f,\"max\":%.1f,"
           "\"denied\":%ld,\"failed\":%ld,\"nonzero\":%ld}",
           first ? "" : ",", ph, n, pct(us, n, 50), pct(us, n, 90), pct(us, n, 99), sum / (double)n, us[0],
           us[n - 1], t.denied, t.failed, t.nonzero);
    fflush(stdout);
    first = 0;
  }
  printf("}}\n");
  free(us);
  return 0;
}

int main(int argc, char **argv) {
  if (argc >= 2 && strcmp(argv[1], "prepare") == 0) return prepare(argc, argv);
  if (argc >= 2 && strcmp(argv[1], "run") == 0) return run(argc, argv);
  fprintf(stderr, "usage: spawn-storm prepare|run --dir DIR …\n");
  return 2;
}
