/*
 * berth-fsutil: the filesystem calls Node has no API for, used while applying image layers:
 * mknod (overlay whiteouts are char devices 0/0; layers may carry device nodes and fifos) and
 * lsetxattr (trusted.overlay.opaque, security.capability, ...). No policy lives here: berthd
 * decides what to create; this only refuses paths that could leave the root it was started in.
 *
 * Usage: berth-fsutil <root>      (batch mode; chdir(root), then serve requests from stdin)
 * Request:  fields terminated by NUL, e.g.
 *   "mknod\0<relpath>\0<mode, octal incl. type bits>\0<major>\0<minor>\0"
 *   "setxattr\0<relpath>\0<name>\0<value as hex>\0"
 * Reply per request, in order: "0\n" on success, "<errno> <text>\n" on failure.
 * Paths are relative to <root>; absolute paths and ".." components are refused (EPERM).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/xattr.h>
#include <unistd.h>

#define MAX_FIELD (1 << 20)

static char *read_field(void) {
  static char *buf = NULL;
  static size_t cap = 0;
  size_t len = 0;
  int c;
  while ((c = getchar()) != EOF) {
    if (len + 1 >= cap) {
      if (cap >= MAX_FIELD) return NULL;
      cap = cap ? cap * 2 : 256;
      buf = realloc(buf, cap);
      if (!buf) return NULL;
    }
    if (c == 0) {
      buf[len] = 0;
      return strdup(buf);
    }
    buf[len++] = (char)c;
  }
  return NULL;
}

static int safe_path(const char *p) {
  if (p[0] == '/' || p[0] == 0) return 0;
  const char *s = p;
  while (*s) {
    const char *e = strchr(s, '/');
    size_t n = e ? (size_t)(e - s) : strlen(s);
    if (n == 2 && s[0] == '.' && s[1] == '.') return 0;
    if (!e) break;
    s = e + 1;
  }
  return 1;
}

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static void reply(int err) {
  if (err == 0) fputs("0\n", stdout);
  else printf("%d %s\n", err, strerror(err));
  fflush(stdout);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: berth-fsutil <root>\n");
    return 2;
  }
  if (chdir(argv[1]) != 0) {
    perror("berth-fsutil: chdir");
    return 1;
  }
  umask(0);
  for (;;) {
    char *cmd = read_field();
    if (!cmd) return 0;
    if (strcmp(cmd, "mknod") == 0) {
      char *path = read_field(), *mode = read_field(), *maj = read_field(), *min = read_field();
      if (!path || !mode || !maj || !min) return 1;
      int err = 0;
      if (!safe_path(path)) err = EPERM;
      else if (mknod(path, (mode_t)strtoul(mode, NULL, 8), makedev(strtoul(maj, NULL, 10), strtoul(min, NULL, 10))) != 0) err = errno;
      reply(err);
      free(path), free(mode), free(maj), free(min);
    } else if (strcmp(cmd, "setxattr") == 0) {
      char *path = read_field(), *name = read_field(), *hex = read_field();
      if (!path || !name || !hex) return 1;
      size_t n = strlen(hex) / 2;
      unsigned char *val = malloc(n + 1);
      int err = 0;
      if (!val) return 1;
      for (size_t i = 0; i < n; i++) {
        int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) err = EINVAL;
        val[i] = (unsigned char)((hi << 4) | lo);
      }
      if (!err && !safe_path(path)) err = EPERM;
      if (!err && lsetxattr(path, name, val, n, 0) != 0) err = errno;
      reply(err);
      free(val), free(path), free(name), free(hex);
    } else {
      reply(EINVAL);
    }
    free(cmd);
  }
}
