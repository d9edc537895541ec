/**
 * Basenames of the Linux dynamic loader. Running the loader directly (`ld-linux-x86-64.so.2 ./prog`)
 * executes a program without an exec of that program, so execution control never sees it; the
 * engine denies it unconditionally. Regexes are whole-name (anchored) over lower-case basenames.
 */
export const loaderPatterns: readonly string[] = [
  // glibc: ld-linux.so.2 (i386), ld-linux-x86-64.so.2, ld-linux-aarch64.so.1, ld-linux-armhf.so.3 …
  '^ld-linux(?:-[a-z0-9_-]+)?\\.so(?:\\.[0-9]+)*$',
  // glibc before 2.34 also installed the versioned file, e.g. ld-2.31.so.
  '^ld-[0-9]+(?:\\.[0-9]+)*\\.so$',
  // Generic names: ld.so (the traditional link), ld64.so.1/.2 (ppc64, s390x).
  '^ld\\.so(?:\\.[0-9]+)*$',
  '^ld64\\.so(?:\\.[0-9]+)*$',
  // musl: ld-musl-x86_64.so.1, ld-musl-armhf.so.1 …
  '^ld-musl-[a-z0-9_]+\\.so\\.1$',
];
