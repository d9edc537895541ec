{
  "targets": [
    {
      "target_name": "execguard_core",
      "sources": [
        "native/addon.c",
        "native/decide.c",
        "native/enforcer.c",
        "native/identity.c",
        "native/probe.c",
        "native/regex.c",
        "native/summary.c",
        "native/table.c"
      ],
      "cflags": ["-std=gnu11", "-O2", "-Wall", "-Wextra", "-Wno-unused-parameter", "-fvisibility=hidden"],
      "libraries": ["-l:libpcre2-8.so.0", "-lpthread"]
    }
  ]
}
