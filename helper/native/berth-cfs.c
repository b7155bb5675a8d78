/*
 * berth-cfs: a container's filesystem, with every path resolved INSIDE the container's root by
 * openat2(RESOLVE_IN_ROOT) (symlinks, "..", absolute link targets all stay in the root), for
 * docker cp, export and the app's Files tab. No policy lives here: berthd decides what to read,
 * what to write and with which owners; this process only executes it on file descriptors.
 *
 * Usage:
 *   berth-cfs root <dir>   the root is <dir> (e.g. /proc/<pid>/root of a running container: its
 *                          mount namespace, volumes included, is reached through that fd)
 *   berth-cfs mount        a stopped container: read a mount plan from stdin, then unshare a
 *                          private mount namespace (nothing is ever mounted on the host), mount
 *                          the overlay and the binds into it, and use it as the root. Plan lines:
 *                            overlay\0<target dir>\0<mount data>\0<cwd or empty>\0
 *                            bind\0<host source>\0<dest in root>\0<ro 0|1>\0<dir 0|1>\0
 *                            tmpfs\0<dest in root>\0<mount data>\0
 *                            end\0
 *                          A missing bind/tmpfs mount point is created (0755), as a start would.
 * Requests (fields NUL-terminated), each answered in order; errors are "E <errno> <text>\n":
 *   stat\0<path>\0<follow 0|1>\0           -> "0 <T> <mode> <uid> <gid> <size> <mtime s> <ns> <link hex|->\n"
 *   walk\0<path>\0<follow>\0<content 0|1>\0<maxdepth>\0<xdev 0|1>\0<skip fs magics hex,...>\0
 *        -> one record per entry, depth-first, names sorted (strcmp):
 *           "<T> <mode> <uid> <gid> <size> <mtime s> <ns> <major> <minor> <dev> <ino> <nlink> <rel hex|-> <link hex|->\n"
 *           followed, for T=f with content, by exactly <size> bytes; then ".\n" (or "E ...\n").
 *           T: f d l c b p (sockets are skipped). Directories on a skipped filesystem, or (xdev) on
 *           another mount than the start, are listed but not entered.
 *   wbegin\0<dest dir>\0                    -> later paths are relative to <dest dir> (in the root)
 *   mkdir\0<rel>\0<mode>\0<uid>\0<gid>\0<flags>\0
 *   file\0<rel>\0<mode>\0<uid>\0<gid>\0<mtime s>\0<ns>\0<size>\0<flags>\0  + <size> raw bytes
 *   symlink\0<rel>\0<target>\0<uid>\0<gid>\0<mtime s>\0<ns>\0<flags>\0
 *   link\0<rel>\0<target rel>\0<flags>\0
 *   mknod\0<rel>\0<mode incl. type>\0<major>\0<minor>\0<uid>\0<gid>\0<mtime s>\0<ns>\0<flags>\0
 *   times\0<rel>\0<mtime s>\0<ns>\0          (directories' mtimes, sent last)
 *        each -> "0\n". flags: 1 = refuse to replace a directory with a non-directory (and the
 *        reverse) (noOverwriteDirNonDir); 2 = mkdir only if missing (leave an existing dir as is).
 *        The final component is never followed: an existing non-directory (or a directory when
 *        the new entry is not one) is removed first, then created with O_EXCL|O_NOFOLLOW.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/openat2.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <unistd.h>

#define MAX_FIELD (1 << 20)
#define F_NO_OVERWRITE_DIR_NON_DIR 1
#define F_IF_MISSING 2

static int root_fd = -1;
static int dest_fd = -1;
static char *dest_path = NULL;

/* ---- output ----------------------------------------------------------------------------- */
/* Large: a walk packs many small files into one write; replies to pipelined write requests are
   batched (flushed only before this process would block reading stdin). */
static char outbuf[1 << 20];
#define SMALL_FILE (128 << 10)
static size_t out_len = 0;

static void out_flush(void) {
  size_t off = 0;
  while (off < out_len) {
    ssize_t w = write(1, outbuf + off, out_len - off);
    if (w < 0) {
      if (errno == EINTR) continue;
      _exit(3); /* berthd went away */
    }
    off += (size_t)w;
  }
  out_len = 0;
}

static void out_write(const void *p, size_t n) {
  if (out_len + n > sizeof outbuf) out_flush();
  if (n > sizeof outbuf) {
    size_t off = 0;
    while (off < n) {
      ssize_t w = write(1, (const char *)p + off, n - off);
      if (w < 0) {
        if (errno == EINTR) continue;
        _exit(3);
      }
      off += (size_t)w;
    }
    return;
  }
  memcpy(outbuf + out_len, p, n);
  out_len += n;
}

/* ---- buffered stdin (fields, then raw bytes spliced straight into files) ---------------- */
static char inbuf[1 << 16];
static size_t in_pos = 0, in_len = 0;

static int in_fill(void) {
  if (in_pos < in_len) return 1;
  /* About to block on berthd: hand it every reply written so far first. */
  if (out_len > 0) out_flush();
  ssize_t n;
  do n = read(0, inbuf, sizeof inbuf);
  while (n < 0 && errno == EINTR);
  if (n <= 0) return 0;
  in_pos = 0;
  in_len = (size_t)n;
  return 1;
}

static char *read_field(void) {
  static char *buf = NULL;
  static size_t cap = 0;
  size_t len = 0;
  for (;;) {
    if (!in_fill()) return NULL;
    char c = inbuf[in_pos++];
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
    buf[len++] = c;
  }
}

/* Copies exactly n bytes of stdin to fd (fd < 0: discard). Returns 0, or -1 on EOF (fatal). */
static int copy_in(int fd, uint64_t n, int *err) {
  while (n > 0 && in_pos < in_len) {
    size_t k = in_len - in_pos < n ? in_len - in_pos : (size_t)n;
    if (fd >= 0 && !*err) {
      size_t off = 0;
      while (off < k) {
        ssize_t w = write(fd, inbuf + in_pos + off, k - off);
        if (w < 0) {
          if (errno == EINTR) continue;
          *err = errno;
          break;
        }
        off += (size_t)w;
      }
    }
    in_pos += k;
    n -= k;
  }
  if (n > 0 && out_len > 0) out_flush(); /* splice below blocks on stdin */
  while (n > 0) {
    ssize_t m = -1;
    if (fd >= 0 && !*err) {
      m = splice(0, NULL, fd, NULL, n > (1 << 20) ? (1 << 20) : (size_t)n, SPLICE_F_MOVE);
      if (m < 0 && errno != EINVAL) {
        if (errno == EINTR) continue;
        *err = errno;
      }
    }
    if (m < 0) {
      /* splice unsupported for this target (or discarding after an error): go through the buffer */
      if (!in_fill()) return -1;
      size_t k = in_len - in_pos < n ? in_len - in_pos : (size_t)n;
      if (fd >= 0 && !*err) {
        size_t off = 0;
        while (off < k) {
          ssize_t w = write(fd, inbuf + in_pos + off, k - off);
          if (w < 0) {
            if (errno == EINTR) continue;
            *err = errno;
            break;
          }
          off += (size_t)w;
        }
      }
      in_pos += k;
      n -= k;
      continue;
    }
    if (m == 0) return -1;
    n -= (uint64_t)m;
  }
  return 0;
}

static void out_str(const char *s) { out_write(s, strlen(s)); }

static void out_hex(const char *s, size_t n) {
  static const char digits[] = "0123456789abcdef";
  if (n == 0) {
    out_str("-");
    return;
  }
  char tmp[256];
  size_t t = 0;
  for (size_t i = 0; i < n; i++) {
    if (t + 2 > sizeof tmp) {
      out_write(tmp, t);
      t = 0;
    }
    tmp[t++] = digits[(unsigned char)s[i] >> 4];
    tmp[t++] = digits[(unsigned char)s[i] & 15];
  }
  out_write(tmp, t);
}

static void reply_err(int err) {
  char line[256];
  snprintf(line, sizeof line, "E %d %s\n", err, strerror(err));
  out_str(line);
}

static void reply_ok(void) { out_str("0\n"); }

/* ---- resolution --------------------------------------------------------------------------- */
static int resolve(int base, const char *path, int flags) {
  struct open_how how;
  memset(&how, 0, sizeof how);
  how.flags = (uint64_t)(flags | O_CLOEXEC);
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  const char *p = path[0] ? path : ".";
  long fd;
  do fd = syscall(SYS_openat2, base, p, &how, sizeof how);
  while (fd < 0 && errno == EAGAIN);
  return (int)fd;
}

static char type_char(mode_t m) {
  if (S_ISREG(m)) return 'f';
  if (S_ISDIR(m)) return 'd';
  if (S_ISLNK(m)) return 'l';
  if (S_ISCHR(m)) return 'c';
  if (S_ISBLK(m)) return 'b';
  if (S_ISFIFO(m)) return 'p';
  return 's';
}

static ssize_t link_of(int fd, char *buf, size_t cap) {
  ssize_t n = readlinkat(fd, "", buf, cap - 1);
  if (n < 0) return -1;
  buf[n] = 0;
  return n;
}

static void do_stat(const char *path, int follow) {
  int fd = resolve(root_fd, path, O_PATH | (follow ? 0 : O_NOFOLLOW));
  if (fd < 0) return reply_err(errno);
  struct stat st;
  if (fstatat(fd, "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0) {
    int e = errno;
    close(fd);
    return reply_err(e);
  }
  char line[256], target[4096];
  ssize_t tl = S_ISLNK(st.st_mode) ? link_of(fd, target, sizeof target) : 0;
  close(fd);
  snprintf(line, sizeof line, "0 %c %o %u %u %lld %lld %ld ", type_char(st.st_mode), (unsigned)(st.st_mode & 07777), st.st_uid, st.st_gid, (long long)st.st_size,
           (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
  out_str(line);
  out_hex(target, tl > 0 ? (size_t)tl : 0);
  out_str("\n");
  out_flush();
}

/* ---- walk --------------------------------------------------------------------------------- */
struct walk_opts {
  int content;
  int maxdepth;
  int xdev;
  uint64_t mnt_id;
  long skip[16];
  int nskip;
};

static int mnt_id_of(int fd, uint64_t *out) {
  struct statx sx;
  if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &sx) < 0) return -1;
  if (!(sx.stx_mask & STATX_MNT_ID)) return -1;
  *out = sx.stx_mnt_id;
  return 0;
}

static int cmp_names(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Emits `fd` (an O_PATH|O_NOFOLLOW fd of the entry) and, for directories, what is below it. */
static void walk_fd(int fd, const char *rel, int depth, struct walk_opts *o) {
  struct stat st;
  if (fstatat(fd, "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0) return;
  if (S_ISSOCK(st.st_mode)) return;
  int datafd = -1;
  if (S_ISREG(st.st_mode) && o->content) {
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    datafd = open(proc, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (datafd < 0) return; /* unreadable: left out, as it vanished */
    if (fstat(datafd, &st) < 0) {
      close(datafd);
      return;
    }
  }
  char target[4096];
  ssize_t tl = S_ISLNK(st.st_mode) ? link_of(fd, target, sizeof target) : 0;
  char line[320];
  snprintf(line, sizeof line, "%c %o %u %u %lld %lld %ld %u %u %llu %llu %llu ", type_char(st.st_mode), (unsigned)(st.st_mode & 07777), st.st_uid, st.st_gid,
           S_ISREG(st.st_mode) ? (long long)st.st_size : 0LL, (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec, major(st.st_rdev), minor(st.st_rdev),
           (unsigned long long)st.st_dev, (unsigned long long)st.st_ino, (unsigned long long)st.st_nlink);
  out_str(line);
  out_hex(rel, strlen(rel));
  out_str(" ");
  out_hex(target, tl > 0 ? (size_t)tl : 0);
  out_str("\n");
  if (datafd >= 0) {
    /* Exactly st_size bytes: a file that shrinks meanwhile is padded with zeros, one that grows is cut. */
    uint64_t left = (uint64_t)st.st_size;
    /* Small files are read straight into the output buffer (one read, no write of their own);
       large ones are spliced to the pipe after what is buffered. */
    if (left <= SMALL_FILE) {
      if (out_len + left > sizeof outbuf) out_flush();
      while (left > 0) {
        ssize_t r = read(datafd, outbuf + out_len, (size_t)left);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) {
          memset(outbuf + out_len, 0, (size_t)left);
          out_len += (size_t)left;
          left = 0;
          break;
        }
        out_len += (size_t)r;
        left -= (uint64_t)r;
      }
    }
    if (left > 0) out_flush();
    while (left > 0) {
      ssize_t n = splice(datafd, NULL, 1, NULL, left > (1 << 20) ? (1 << 20) : (size_t)left, SPLICE_F_MOVE);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        char buf[65536];
        ssize_t r = n < 0 ? read(datafd, buf, left > sizeof buf ? sizeof buf : (size_t)left) : 0;
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) {
          memset(buf, 0, sizeof buf);
          while (left > 0) {
            size_t k = left > sizeof buf ? sizeof buf : (size_t)left;
            out_write(buf, k);
            left -= k;
          }
          break;
        }
        out_write(buf, (size_t)r);
        out_flush();
        left -= (uint64_t)r;
        continue;
      }
      left -= (uint64_t)n;
    }
    close(datafd);
  }
  if (!S_ISDIR(st.st_mode) || depth >= o->maxdepth) return;
  int dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return;
  struct statfs sf;
  if (o->nskip > 0 && fstatfs(dfd, &sf) == 0) {
    for (int i = 0; i < o->nskip; i++)
      if ((long)sf.f_type == o->skip[i]) {
        close(dfd);
        return;
      }
  }
  if (o->xdev && depth > 0) {
    uint64_t id;
    if (mnt_id_of(dfd, &id) == 0 && id != o->mnt_id) {
      close(dfd);
      return;
    }
  }
  DIR *d = fdopendir(dfd);
  if (!d) {
    close(dfd);
    return;
  }
  size_t n = 0, cap = 64;
  char **names = malloc(cap * sizeof *names);
  struct dirent *e;
  while (names && (e = readdir(d)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    if (n == cap) {
      cap *= 2;
      char **nn = realloc(names, cap * sizeof *names);
      if (!nn) break;
      names = nn;
    }
    names[n++] = strdup(e->d_name);
  }
  if (names) qsort(names, n, sizeof *names, cmp_names);
  size_t rl = strlen(rel);
  for (size_t i = 0; names && i < n; i++) {
    if (!names[i]) continue;
    int cfd = openat(dirfd(d), names[i], O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (cfd >= 0) {
      size_t nl = strlen(names[i]);
      char *child = malloc(rl + nl + 2);
      if (child) {
        if (rl) {
          memcpy(child, rel, rl);
          child[rl] = '/';
          memcpy(child + rl + 1, names[i], nl + 1);
        } else {
          memcpy(child, names[i], nl + 1);
        }
        walk_fd(cfd, child, depth + 1, o);
        free(child);
      }
      close(cfd);
    }
    free(names[i]);
  }
  free(names);
  closedir(d);
}

static void do_walk(const char *path, int follow, struct walk_opts *o) {
  int fd = resolve(root_fd, path, O_PATH | (follow ? 0 : O_NOFOLLOW));
  if (fd < 0) return reply_err(errno);
  if (mnt_id_of(fd, &o->mnt_id) < 0) o->mnt_id = 0;
  walk_fd(fd, "", 0, o);
  close(fd);
  out_str(".\n");
  out_flush();
}

/* ---- writes ------------------------------------------------------------------------------- */
static int rm_rf_at(int parent, const char *name) {
  struct stat st;
  if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0) return errno == ENOENT ? 0 : -1;
  if (!S_ISDIR(st.st_mode)) return unlinkat(parent, name, 0);
  int dfd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dfd < 0) return -1;
  DIR *d = fdopendir(dfd);
  if (!d) {
    close(dfd);
    return -1;
  }
  struct dirent *e;
  int rc = 0;
  while ((e = readdir(d)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    if (rm_rf_at(dirfd(d), e->d_name) < 0) rc = -1;
  }
  closedir(d);
  if (rc < 0) return -1;
  return unlinkat(parent, name, AT_REMOVEDIR);
}

static char *cached_parent = NULL;
static int cached_parent_fd = -1;

/* The directory holding `rel` (resolved in the root from the destination) and its last component. */
static int parent_of(const char *rel, const char **base) {
  const char *slash = strrchr(rel, '/');
  *base = slash ? slash + 1 : rel;
  size_t plen = slash ? (size_t)(slash - rel) : 0;
  if (cached_parent && strlen(cached_parent) == plen && strncmp(cached_parent, rel, plen) == 0) return cached_parent_fd;
  if (cached_parent_fd >= 0) close(cached_parent_fd);
  free(cached_parent);
  cached_parent = NULL;
  cached_parent_fd = -1;
  size_t dl = strlen(dest_path);
  char *full = malloc(dl + plen + 2);
  if (!full) return -1;
  memcpy(full, dest_path, dl);
  full[dl] = '/';
  memcpy(full + dl + 1, rel, plen);
  full[dl + 1 + plen] = 0;
  int fd = resolve(root_fd, full, O_PATH | O_DIRECTORY);
  free(full);
  if (fd < 0) return -1;
  cached_parent = strndup(rel, plen);
  cached_parent_fd = fd;
  return fd;
}

static void forget_parent(void) {
  if (cached_parent_fd >= 0) close(cached_parent_fd);
  free(cached_parent);
  cached_parent = NULL;
  cached_parent_fd = -1;
}

/* Makes room for a new entry; returns 0, 1 (an existing directory is kept), or -errno. */
static int make_room(int parent, const char *base, int new_is_dir, int flags) {
  struct stat st;
  if (fstatat(parent, base, &st, AT_SYMLINK_NOFOLLOW) < 0) return errno == ENOENT ? 0 : -errno;
  int is_dir = S_ISDIR(st.st_mode);
  if (flags & F_NO_OVERWRITE_DIR_NON_DIR) {
    if (is_dir && !new_is_dir) return -EISDIR;
    if (!is_dir && new_is_dir) return -ENOTDIR;
  }
  if (is_dir && new_is_dir) return 1;
  /* Removing a directory may remove the cached parent's subtree; the cache only holds ancestors. */
  if (rm_rf_at(parent, base) < 0) return -errno;
  return 0;
}

static int set_owner_times(int parent, const char *base, uid_t uid, gid_t gid, long long sec, long nsec, int times) {
  if (fchownat(parent, base, uid, gid, AT_SYMLINK_NOFOLLOW) < 0) return errno;
  if (times) {
    struct timespec ts[2] = {{sec, nsec}, {sec, nsec}};
    if (utimensat(parent, base, ts, AT_SYMLINK_NOFOLLOW) < 0) return errno;
  }
  return 0;
}

static int op_mkdir(const char *rel, mode_t mode, uid_t uid, gid_t gid, int flags) {
  const char *base;
  int parent = parent_of(rel, &base);
  if (parent < 0) return errno;
  if (flags & F_IF_MISSING) {
    /* An implied parent: whatever already leads to a directory there (a symlink too, followed in the root) is kept. */
    size_t dl = strlen(dest_path), rl = strlen(rel);
    char *full = malloc(dl + rl + 2);
    if (!full) return ENOMEM;
    snprintf(full, dl + rl + 2, "%s/%s", dest_path, rel);
    int fd = resolve(root_fd, full, O_PATH | O_DIRECTORY);
    free(full);
    if (fd >= 0) {
      close(fd);
      return 0;
    }
  }
  int r = make_room(parent, base, 1, flags);
  if (r < 0) return -r;
  if (r == 0 && mkdirat(parent, base, 0700) < 0) return errno;
  int dfd = openat(parent, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dfd < 0) return errno;
  int err = 0;
  if (fchown(dfd, uid, gid) < 0) err = errno;
  else if (fchmod(dfd, mode & 07777) < 0) err = errno;
  close(dfd);
  return err;
}

static int op_file(const char *rel, mode_t mode, uid_t uid, gid_t gid, long long sec, long nsec, uint64_t size, int flags, int *fatal) {
  const char *base;
  int err = 0;
  int parent = parent_of(rel, &base);
  int fd = -1;
  if (parent < 0) err = errno;
  if (!err) {
    int r = make_room(parent, base, 0, flags);
    if (r < 0) err = -r;
  }
  if (!err) {
    fd = openat(parent, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) err = errno;
  }
  if (copy_in(fd, size, &err) < 0) *fatal = 1;
  if (fd >= 0) {
    if (!err && fchown(fd, uid, gid) < 0) err = errno;
    /* chmod after chown: chown clears setuid/setgid. */
    if (!err && fchmod(fd, mode & 07777) < 0) err = errno;
    struct timespec ts[2] = {{sec, nsec}, {sec, nsec}};
    if (!err && futimens(fd, ts) < 0) err = errno;
    close(fd);
  }
  return err;
}

static int op_symlink(const char *rel, const char *target, uid_t uid, gid_t gid, long long sec, long nsec, int flags) {
  const char *base;
  int parent = parent_of(rel, &base);
  if (parent < 0) return errno;
  int r = make_room(parent, base, 0, flags);
  if (r < 0) return -r;
  if (symlinkat(target, parent, base) < 0) return errno;
  return set_owner_times(parent, base, uid, gid, sec, nsec, 1);
}

static int op_link(const char *rel, const char *target_rel, int flags) {
  size_t dl = strlen(dest_path), tl = strlen(target_rel);
  char *full = malloc(dl + tl + 2);
  if (!full) return ENOMEM;
  snprintf(full, dl + tl + 2, "%s/%s", dest_path, target_rel);
  int tfd = resolve(root_fd, full, O_PATH | O_NOFOLLOW);
  free(full);
  if (tfd < 0) return errno;
  const char *base;
  int parent = parent_of(rel, &base);
  int err = 0;
  if (parent < 0) err = errno;
  if (!err) {
    int r = make_room(parent, base, 0, flags);
    if (r < 0) err = -r;
  }
  if (!err && linkat(tfd, "", parent, base, AT_EMPTY_PATH) < 0) err = errno;
  close(tfd);
  return err;
}

static int op_mknod(const char *rel, mode_t mode, unsigned maj, unsigned min, uid_t uid, gid_t gid, long long sec, long nsec, int flags) {
  const char *base;
  int parent = parent_of(rel, &base);
  if (parent < 0) return errno;
  int r = make_room(parent, base, 0, flags);
  if (r < 0) return -r;
  if (mknodat(parent, base, mode, makedev(maj, min)) < 0) return errno;
  int err = set_owner_times(parent, base, uid, gid, sec, nsec, 1);
  if (!err && fchmodat(parent, base, mode & 07777, 0) < 0) err = errno;
  return err;
}

static int op_times(const char *rel, long long sec, long nsec) {
  const char *base;
  int parent = parent_of(rel, &base);
  if (parent < 0) return errno;
  struct timespec ts[2] = {{sec, nsec}, {sec, nsec}};
  if (utimensat(parent, base[0] ? base : ".", ts, AT_SYMLINK_NOFOLLOW) < 0) return errno;
  return 0;
}

/* ---- mount mode --------------------------------------------------------------------------- */
static void die(const char *what) {
  fprintf(stderr, "berth-cfs: %s: %s\n", what, strerror(errno));
  exit(1);
}

/* Resolves (creating if missing) a mount point inside the root; returns an O_PATH fd. */
static int mountpoint(const char *dest, int dir) {
  int fd = resolve(root_fd, dest, O_PATH);
  if (fd >= 0) return fd;
  if (errno != ENOENT) return -1;
  /* Create missing components one at a time, each resolved in the root. */
  char *copy = strdup(dest);
  if (!copy) return -1;
  char *p = copy;
  while (*p == '/') p++;
  for (;;) {
    char *slash = strchr(p, '/');
    if (slash) *slash = 0;
    int last = slash == NULL || slash[1] == 0;
    int exists = resolve(root_fd, copy, O_PATH);
    if (exists >= 0) close(exists);
    else {
      char *cut = strrchr(copy, '/');
      int pfd;
      const char *name;
      if (cut) {
        *cut = 0;
        pfd = resolve(root_fd, copy[0] ? copy : "/", O_PATH | O_DIRECTORY);
        *cut = '/';
        name = cut + 1;
      } else {
        pfd = resolve(root_fd, ".", O_PATH | O_DIRECTORY);
        name = copy;
      }
      if (pfd < 0) {
        free(copy);
        return -1;
      }
      int rc;
      if (last && !dir) {
        rc = mknodat(pfd, name, S_IFREG | 0755, 0);
      } else {
        rc = mkdirat(pfd, name, 0755);
      }
      close(pfd);
      if (rc < 0 && errno != EEXIST) {
        free(copy);
        return -1;
      }
    }
    if (!slash || last) break;
    *slash = '/';
    p = slash + 1;
  }
  free(copy);
  return resolve(root_fd, dest, O_PATH);
}

static void mount_plan(void) {
  if (unshare(CLONE_NEWNS) < 0) die("unshare mount namespace");
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) die("make / private");
  for (;;) {
    char *kind = read_field();
    if (!kind) die("mount plan: unexpected end");
    if (strcmp(kind, "end") == 0) {
      free(kind);
      break;
    }
    if (strcmp(kind, "overlay") == 0) {
      char *target = read_field(), *data = read_field(), *cwd = read_field();
      if (!target || !data || !cwd) die("mount plan: overlay");
      int here = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (cwd[0] && chdir(cwd) < 0) die("chdir overlay cwd");
      if (mount("overlay", target, "overlay", 0, data) < 0) die("mount overlay");
      if (here >= 0) {
        if (fchdir(here) < 0) die("fchdir");
        close(here);
      }
      root_fd = open(target, O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (root_fd < 0) die("open root");
      free(target), free(data), free(cwd);
    } else if (strcmp(kind, "bind") == 0) {
      char *src = read_field(), *dest = read_field(), *ro = read_field(), *dir = read_field();
      if (!src || !dest || !ro || !dir || root_fd < 0) die("mount plan: bind");
      int fd = mountpoint(dest, dir[0] == '1');
      if (fd < 0) die("bind mount point");
      char proc[64];
      snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
      if (mount(src, proc, NULL, MS_BIND | MS_REC, NULL) < 0) die("bind mount");
      close(fd);
      if (ro[0] == '1') {
        fd = resolve(root_fd, dest, O_PATH);
        if (fd < 0) die("bind mount point (ro)");
        snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
        if (mount(NULL, proc, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_REC, NULL) < 0) die("bind remount ro");
        close(fd);
      }
      free(src), free(dest), free(ro), free(dir);
    } else if (strcmp(kind, "tmpfs") == 0) {
      char *dest = read_field(), *data = read_field();
      if (!dest || !data || root_fd < 0) die("mount plan: tmpfs");
      int fd = mountpoint(dest, 1);
      if (fd < 0) die("tmpfs mount point");
      char proc[64];
      snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
      if (mount("tmpfs", proc, "tmpfs", 0, data) < 0) die("mount tmpfs");
      close(fd);
      free(dest), free(data);
    } else {
      errno = EINVAL;
      die("mount plan: unknown kind");
    }
    free(kind);
  }
  if (root_fd < 0) {
    errno = EINVAL;
    die("mount plan without an overlay");
  }
  /* The root fd was opened before the binds; reopen so lookups see the finished tree. */
  int fresh = resolve(root_fd, "/", O_PATH | O_DIRECTORY);
  if (fresh < 0) die("reopen root");
  close(root_fd);
  root_fd = fresh;
}

#define NUM(s) strtoll((s), NULL, 10)

/* `root <dir> <fsuid> <fsgid>`: a remapped container's view (its layers idmapped), written as its
   root's host ids, which the idmapped mounts can store (host root cannot be: EOVERFLOW). setfsuid
   away from 0 clears the file capabilities from the effective set; they are raised again. */
static void set_fsids(const char *uid, const char *gid) {
  setfsgid((gid_t)strtoul(gid, NULL, 10));
  setfsuid((uid_t)strtoul(uid, NULL, 10));
  struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
  struct __user_cap_data_struct data[2];
  if (syscall(SYS_capget, &hdr, data) < 0) die("capget");
  data[0].effective = data[0].permitted;
  data[1].effective = data[1].permitted;
  if (syscall(SYS_capset, &hdr, data) < 0) die("capset");
}

int main(int argc, char **argv) {
  if ((argc == 3 || argc == 5) && strcmp(argv[1], "root") == 0) {
    root_fd = open(argv[2], O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root_fd < 0) die("open root");
    if (argc == 5) set_fsids(argv[3], argv[4]);
  } else if (argc == 2 && strcmp(argv[1], "mount") == 0) {
    mount_plan();
  } else {
    fprintf(stderr, "usage: berth-cfs root <dir> [<fsuid> <fsgid>] | berth-cfs mount\n");
    return 2;
  }
  umask(0);
  out_str("ready\n");
  out_flush();
  for (;;) {
    char *cmd = read_field();
    if (!cmd) return 0;
    char *f[10] = {0};
    int nf = 0;
    if (strcmp(cmd, "stat") == 0) nf = 2;
    else if (strcmp(cmd, "walk") == 0) nf = 6;
    else if (strcmp(cmd, "wbegin") == 0) nf = 1;
    else if (strcmp(cmd, "mkdir") == 0) nf = 5;
    else if (strcmp(cmd, "file") == 0) nf = 8;
    else if (strcmp(cmd, "symlink") == 0) nf = 7;
    else if (strcmp(cmd, "link") == 0) nf = 3;
    else if (strcmp(cmd, "mknod") == 0) nf = 9;
    else if (strcmp(cmd, "times") == 0) nf = 3;
    else if (strcmp(cmd, "wend") == 0) nf = 0;
    else {
      reply_err(EINVAL);
      free(cmd);
      continue;
    }
    for (int i = 0; i < nf; i++) {
      f[i] = read_field();
      if (!f[i]) return 1;
    }
    if (strcmp(cmd, "stat") == 0) {
      do_stat(f[0], f[1][0] == '1');
    } else if (strcmp(cmd, "walk") == 0) {
      struct walk_opts o = {.content = f[2][0] == '1', .maxdepth = (int)NUM(f[3]), .xdev = f[4][0] == '1', .nskip = 0};
      char *s = f[5];
      while (*s && o.nskip < 16) {
        o.skip[o.nskip++] = strtol(s, &s, 16);
        if (*s == ',') s++;
        else break;
      }
      do_walk(f[0], f[1][0] == '1', &o);
    } else if (strcmp(cmd, "wbegin") == 0) {
      forget_parent();
      if (dest_fd >= 0) close(dest_fd);
      free(dest_path);
      dest_path = strdup(f[0]);
      dest_fd = resolve(root_fd, f[0], O_PATH | O_DIRECTORY);
      if (dest_fd < 0) reply_err(errno);
      else reply_ok();
    } else if (dest_fd < 0 && strcmp(cmd, "wend") != 0) {
      if (strcmp(cmd, "file") == 0) {
        int e = 0;
        if (copy_in(-1, (uint64_t)NUM(f[6]), &e) < 0) return 1;
      }
      reply_err(EBADF);
    } else if (strcmp(cmd, "mkdir") == 0) {
      int e = op_mkdir(f[0], (mode_t)strtoul(f[1], NULL, 8), (uid_t)NUM(f[2]), (gid_t)NUM(f[3]), (int)NUM(f[4]));
      e ? reply_err(e) : reply_ok();
    } else if (strcmp(cmd, "file") == 0) {
      int fatal = 0;
      int e = op_file(f[0], (mode_t)strtoul(f[1], NULL, 8), (uid_t)NUM(f[2]), (gid_t)NUM(f[3]), NUM(f[4]), (long)NUM(f[5]), (uint64_t)NUM(f[6]), (int)NUM(f[7]), &fatal);
      if (fatal) return 1;
      e ? reply_err(e) : reply_ok();
    } else if (strcmp(cmd, "symlink") == 0) {
      int e = op_symlink(f[0], f[1], (uid_t)NUM(f[2]), (gid_t)NUM(f[3]), NUM(f[4]), (long)NUM(f[5]), (int)NUM(f[6]));
      e ? reply_err(e) : reply_ok();
    } else if (strcmp(cmd, "link") == 0) {
      int e = op_link(f[0], f[1], (int)NUM(f[2]));
      e ? reply_err(e) : reply_ok();
    } else if (strcmp(cmd, "mknod") == 0) {
      int e = op_mknod(f[0], (mode_t)strtoul(f[1], NULL, 8), (unsigned)NUM(f[2]), (unsigned)NUM(f[3]), (uid_t)NUM(f[4]), (gid_t)NUM(f[5]), NUM(f[6]), (long)NUM(f[7]), (int)NUM(f[8]));
      e ? reply_err(e) : reply_ok();
    } else if (strcmp(cmd, "times") == 0) {
      int e = op_times(f[0], NUM(f[1]), (long)NUM(f[2]));
      e ? reply_err(e) : reply_ok();
    } else if (strcmp(cmd, "wend") == 0) {
      forget_parent();
      if (dest_fd >= 0) close(dest_fd);
      dest_fd = -1;
      reply_ok();
    }
    for (int i = 0; i < nf; i++) free(f[i]);
    free(cmd);
  }
}
