/*
 * raw-listener — the physical floor for bench:exec: a minimal fanotify permission listener.
 *
 *   raw-listener --outer-mntns 'mnt:[N]' --mount DIR [--filesystem] [--libc PATH] [--deny PATH]
 *                [--refuse-inode DEV:INO]...
 *
 *   FAN_CLASS_CONTENT; FAN_OPEN_EXEC_PERM on the mount holding DIR (FAN_MARK_MOUNT, or
 *   FAN_MARK_FILESYSTEM with --filesystem — only ever on a scratch file system created inside the
 *   bench's private mount namespace). Every event is answered FAN_ALLOW at once, except, with
 *   --deny PATH, an exec of that file (compared by device and inode), answered FAN_DENY.
 *   --libc PATH adds FAN_OPEN_PERM on that one inode: the cost of ExecGuard's post-exec check (the
 *   new image's loader opening the C library). PATH must be a bind-mounted private copy: the
 *   listener refuses any --refuse-inode (the harness passes the host's real libc) and refuses to
 *   run at all in the mount namespace named by --outer-mntns (the harness's own, readlink of
 *   /proc/self/ns/mnt taken outside the bench namespace).
 *
 *   Prints "ready" on stdout once the marks are in place. SIGTERM/SIGINT or the death of its
 *   parent end it; on exit the kernel lets pending and future accesses through (fail-open).
 *   On exit prints "events=N denied=M" on stderr.
 *
 * Build: cc -O2 -Wall -Wextra -o raw-listener raw-listener.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

static volatile sig_atomic_t stop;
static void on_signal(int sig) {
  (void)sig;
  stop = 1;
}

static void die(const char *what, const char *detail) {
  fprintf(stderr, "raw-listener: %s%s%s: %s\n", what, detail ? " " : "", detail ? detail : "", strerror(errno));
  exit(2);
}

int main(int argc, char **argv) {
  const char *mount = NULL, *libc = NULL, *deny = NULL, *outer_ns = NULL;
  int filesystem = 0;
  unsigned long long refuse_dev[8], refuse_ino[8];
  int n_refuse = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--mount") == 0 && i + 1 < argc)
      mount = argv[++i];
    else if (strcmp(argv[i], "--libc") == 0 && i + 1 < argc)
      libc = argv[++i];
    else if (strcmp(argv[i], "--deny") == 0 && i + 1 < argc)
      deny = argv[++i];
    else if (strcmp(argv[i], "--outer-mntns") == 0 && i + 1 < argc)
      outer_ns = argv[++i];
    else if (strcmp(argv[i], "--filesystem") == 0)
      filesystem = 1;
    else if (strcmp(argv[i], "--refuse-inode") == 0 && i + 1 < argc && n_refuse < 8) {
      if (sscanf(argv[++i], "%llu:%llu", &refuse_dev[n_refuse], &refuse_ino[n_refuse]) != 2) {
        fprintf(stderr, "raw-listener: --refuse-inode wants DEV:INO\n");
        return 2;
      }
      n_refuse++;
    } else {
      fprintf(stderr, "usage: raw-listener --mount DIR [--filesystem] [--libc PATH] [--deny PATH] [--refuse-inode DEV:INO] --outer-mntns mnt:[N]\n");
      return 2;
    }
  }
  if (!mount) {
    fprintf(stderr, "raw-listener: --mount is required\n");
    return 2;
  }

  /* Safety: never in the caller's (host's) mount namespace: every mark must be on a mount that
     exists only inside the bench's private namespace. */
  char self_ns[64] = "";
  if (readlink("/proc/self/ns/mnt", self_ns, sizeof self_ns - 1) < 0) die("readlink", "/proc/self/ns/mnt");
  if (!outer_ns || strcmp(self_ns, outer_ns) == 0) {
    fprintf(stderr, "raw-listener: refusing to run outside a private mount namespace (--outer-mntns %s, here %s)\n",
            outer_ns ? outer_ns : "missing", self_ns);
    return 2;
  }

  prctl(PR_SET_PDEATHSIG, SIGTERM);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal; /* no SA_RESTART: read() returns EINTR */
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);

  dev_t deny_dev = 0;
  ino_t deny_ino = 0;
  if (deny) {
    struct stat st;
    if (stat(deny, &st) != 0) die("stat", deny);
    deny_dev = st.st_dev;
    deny_ino = st.st_ino;
  }

  int fd = fanotify_init(FAN_CLASS_CONTENT | FAN_CLOEXEC, O_RDONLY | O_LARGEFILE | O_CLOEXEC);
  if (fd < 0) die("fanotify_init", NULL);
  if (fanotify_mark(fd, FAN_MARK_ADD | (filesystem ? FAN_MARK_FILESYSTEM : FAN_MARK_MOUNT), FAN_OPEN_EXEC_PERM,
                    AT_FDCWD, mount) != 0)
    die("fanotify_mark", mount);
  if (libc) {
    struct stat st;
    if (stat(libc, &st) != 0) die("stat", libc);
    for (int i = 0; i < n_refuse; i++)
      if ((unsigned long long)st.st_dev == refuse_dev[i] && (unsigned long long)st.st_ino == refuse_ino[i]) {
        fprintf(stderr, "raw-listener: %s is the host's C library (%llu:%llu), not a private copy; refusing\n", libc,
                refuse_dev[i], refuse_ino[i]);
        return 2;
      }
    if (fanotify_mark(fd, FAN_MARK_ADD, FAN_OPEN_PERM, AT_FDCWD, libc) != 0) die("fanotify_mark", libc);
  }
  printf("ready\n");
  fflush(stdout);

  long events = 0, denied = 0;
  char buf[8192] __attribute__((aligned(__alignof__(struct fanotify_event_metadata))));
  while (!stop) {
    ssize_t len = read(fd, buf, sizeof buf);
    if (len < 0) {
      if (errno == EINTR) continue;
      die("read", NULL);
    }
    struct fanotify_event_metadata *m = (struct fanotify_event_metadata *)buf;
    for (; FAN_EVENT_OK(m, len); m = FAN_EVENT_NEXT(m, len)) {
      if (m->vers != FANOTIFY_METADATA_VERSION) {
        fprintf(stderr, "raw-listener: fanotify metadata version mismatch\n");
        return 2;
      }
      if (m->fd < 0) continue;
      struct fanotify_response r = {.fd = m->fd, .response = FAN_ALLOW};
      if (deny && (m->mask & FAN_OPEN_EXEC_PERM)) {
        struct stat st;
        if (fstat(m->fd, &st) == 0 && st.st_dev == deny_dev && st.st_ino == deny_ino) {
          r.response = FAN_DENY;
          denied++;
        }
      }
      if (write(fd, &r, sizeof r) != (ssize_t)sizeof r) die("write response", NULL);
      close(m->fd);
      events++;
    }
  }
  close(fd);
  fprintf(stderr, "raw-listener: events=%ld denied=%ld\n", events, denied);
  return 0;
}
