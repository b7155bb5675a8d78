/*
 * berth-getxattr: reads extended attributes, which Node has no API for. Used when berthd turns a
 * layer's overlay `diff` directory back into a layer tar for push: an opaque directory carries
 * `trusted.overlay.opaque=y` (exported as a `.wh..wh..opq` entry), and file capabilities live in
 * `security.capability`. No policy lives here: berthd decides which attributes it asks for.
 *
 * Usage: berth-getxattr <root> <name>...   (chdir(root), then serve requests from stdin)
 * Request:  a relative path terminated by NUL.
 * Reply per request, in order: one line with, for each <name>, the value as hex, or "-" when the
 * attribute is absent (ENODATA) or unsupported, or "=" for an empty value; fields separated by
 * spaces. A field "!<errno>" means the path could not be read (the line ends there). Absolute
 * paths and ".." components are refused with "!1" (EPERM).
 * The final path component is never followed (lgetxattr).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/xattr.h>
#include <unistd.h>

#define MAX_PATH_LEN (1 << 16)
#define MAX_VALUE (1 << 16)

static int read_path(char *buf, size_t cap) {
  size_t len = 0;
  int c;
  while ((c = getchar()) != EOF) {
    if (c == 0) {
      buf[len] = 0;
      return 1;
    }
    if (len + 1 >= cap) return -1;
    buf[len++] = (char)c;
  }
  return 0;
}

static int path_ok(const char *p) {
  if (p[0] == '/' || p[0] == 0) return 0;
  const char *s = p;
  while (*s) {
    const char *slash = strchr(s, '/');
    size_t n = slash ? (size_t)(slash - s) : strlen(s);
    if (n == 2 && s[0] == '.' && s[1] == '.') return 0;
    if (!slash) break;
    s = slash + 1;
  }
  return 1;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: berth-getxattr <root> <name>...\n");
    return 2;
  }
  if (chdir(argv[1]) != 0) {
    fprintf(stderr, "berth-getxattr: chdir %s: %s\n", argv[1], strerror(errno));
    return 1;
  }
  static char path[MAX_PATH_LEN];
  static unsigned char value[MAX_VALUE];
  static const char hex[] = "0123456789abcdef";
  int r;
  while ((r = read_path(path, sizeof path)) == 1) {
    if (!path_ok(path)) {
      printf("!%d\n", EPERM);
      fflush(stdout);
      continue;
    }
    int failed = 0;
    for (int i = 2; i < argc && !failed; i++) {
      ssize_t n = lgetxattr(path, argv[i], value, sizeof value);
      if (i > 2) putchar(' ');
      if (n < 0) {
        if (errno == ENODATA || errno == ENOTSUP) {
          putchar('-');
          continue;
        }
        printf("!%d", errno);
        failed = 1;
        continue;
      }
      if (n == 0) {
        /* An empty value still exists; write a lone "=" so it differs from "absent". */
        putchar('=');
        continue;
      }
      for (ssize_t j = 0; j < n; j++) {
        putchar(hex[value[j] >> 4]);
        putchar(hex[value[j] & 15]);
      }
    }
    putchar('\n');
    fflush(stdout);
  }
  if (r < 0) {
    fprintf(stderr, "berth-getxattr: path too long\n");
    return 1;
  }
  return 0;
}
