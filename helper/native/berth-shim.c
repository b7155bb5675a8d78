/*
 * berth-shim: per-container (and per-exec) monitor of Berth.
 *
 *   berth-shim run  <state-dir>    start a container described by the plan read from stdin
 *   berth-shim exec <state-dir>    start a process inside a running container (plan on stdin too)
 *
 * The plan is computed in TypeScript (helper/src/runtime/spec/plan.ts); this program holds NO policy:
 * it performs the listed operations in order. Plan format: one record per line, fields separated by
 * TAB, `\\`, `\t`, `\n` escaped in fields. See plan.ts for the list of keys.
 *
 * Process model: the launched process forks the monitor and exits at once; the monitor (setsid,
 * stdio on /dev/null once ready) forks the user's process into new namespaces and stays behind:
 * it holds the pty master or the stdio pipes, writes the json-file log, serves the unix socket
 * `<state-dir>/m.sock`, and writes `<state-dir>/exit.json` (atomically) when the process is gone.
 * Readiness is reported on the launcher's stdout as one line: "ready <monitor-pid> <pid>" or
 * "error <message>".
 *
 * Socket protocol (both directions): frames of [type u8][length u32 BE][payload].
 *   client -> monitor: 'A' attach (payload u8 flags: 1 stdin, 2 stdout, 4 stderr, 8 close-stdin-on-end;
 *                      answered 'A' "ok")
 *                      'I' stdin bytes   'C' stdin end   'R' resize (u16 rows, u16 cols)
 *                      'K' kill (u32 signal)            'S' start (release the barrier)
 *   monitor -> client: 'H' hello "<created|running|exited> <pid> <monitor-pid>" (on connect)
 *                      1 stdout bytes  2 stderr bytes   'K' "0" or error text
 *                      'S' "ok" or "error <message>"    'X' exit record (JSON, as exit.json)
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/close_range.h>
#include <linux/openat2.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define MAX_CLIENTS 32
#define MAX_FRAME (64 * 1024)
#define READ_CHUNK (32 * 1024)
#define LOG_LINE_MAX (16 * 1024)
#define PAUSE_BYTES (1024 * 1024)
#define MAX_FIELDS 8

/* ------------------------------------------------------------------ plan */

struct rec {
  char *f[MAX_FIELDS];
  int n;
};

static struct rec *recs;
static int nrecs;

static char *unescape(char *s) {
  char *w = s, *r = s;
  while (*r) {
    if (*r == '\\' && r[1]) {
      r++;
      *w++ = *r == 't' ? '\t' : *r == 'n' ? '\n' : *r;
      r++;
    } else {
      *w++ = *r++;
    }
  }
  *w = 0;
  return s;
}

/* The plan arrives on stdin (read to EOF): no file to write, rename and read back per start. */
static int load_plan(int fd) {
  size_t cap = 4096, len = 0;
  char *buf = malloc(cap);
  for (;;) {
    if (len + 1 >= cap) buf = realloc(buf, cap *= 2);
    ssize_t n = read(fd, buf + len, cap - len - 1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -1;
    if (n == 0) break;
    len += (size_t)n;
  }
  if (len == 0) {
    errno = ENODATA;
    return -1;
  }
  buf[len] = 0;
  int lines = 1;
  for (size_t i = 0; i < len; i++) lines += buf[i] == '\n';
  recs = calloc((size_t)lines, sizeof *recs);
  char *save = NULL;
  for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    struct rec *r = &recs[nrecs++];
    char *p = line;
    while (p && r->n < MAX_FIELDS) {
      char *tab = strchr(p, '\t');
      if (tab) *tab = 0;
      r->f[r->n++] = unescape(p);
      p = tab ? tab + 1 : NULL;
    }
  }
  return 0;
}

static const char *plan_get(const char *key) {
  for (int i = 0; i < nrecs; i++)
    if (strcmp(recs[i].f[0], key) == 0) return recs[i].n > 1 ? recs[i].f[1] : "";
  return NULL;
}

static long long plan_num(const char *key, long long dflt) {
  const char *v = plan_get(key);
  return v ? strtoll(v, NULL, 0) : dflt;
}

static const char *fld(struct rec *r, int i) { return i < r->n ? r->f[i] : ""; }

/* ------------------------------------------------------------------ small utils */

static int write_all(int fd, const void *buf, size_t len) {
  const char *p = buf;
  while (len) {
    ssize_t n = write(fd, p, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

static void rfc3339(char *out, size_t cap, const struct timespec *ts) {
  struct tm tm;
  gmtime_r(&ts->tv_sec, &tm);
  snprintf(out, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
           tm.tm_hour, tm.tm_min, tm.tm_sec, ts->tv_nsec);
}

/* ------------------------------------------------------------------ child side */

static int g_sync = -1; /* SOCK_SEQPACKET to the monitor, CLOEXEC */

static void send_msg(const char *fmt, ...) {
  char buf[4096];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if (n >= (int)sizeof buf) n = sizeof buf - 1;
  while (send(g_sync, buf, (size_t)n, MSG_NOSIGNAL) < 0 && errno == EINTR) {
  }
}

/* Report a setup failure in runc's words (the caller formats the detail) and die. */
__attribute__((noreturn, format(printf, 1, 2))) static void fail(const char *fmt, ...) {
  char buf[3500];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  send_msg("error %s", buf);
  _exit(127);
}

static int open_in_root(int rootfd, const char *path, int flags) {
  struct open_how how;
  memset(&how, 0, sizeof how);
  how.flags = (unsigned long long)(flags | O_CLOEXEC);
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  while (*path == '/') path++;
  if (!*path) path = ".";
  return (int)syscall(SYS_openat2, rootfd, path, &how, sizeof how);
}

/* mkdir -p inside the root, resolving symlinks within it (never escaping). */
static void mkdir_in_root(int rootfd, const char *path, mode_t mode) {
  char buf[4096];
  snprintf(buf, sizeof buf, "%s", path);
  for (char *p = buf + 1;; p++) {
    if (*p == '/' || *p == 0) {
      char saved = *p;
      *p = 0;
      int fd = open_in_root(rootfd, buf, O_PATH | O_DIRECTORY);
      if (fd < 0 && errno == ENOENT) {
        char *slash = strrchr(buf, '/');
        *slash = 0;
        int parent = open_in_root(rootfd, buf[0] ? buf : "/", O_PATH | O_DIRECTORY);
        *slash = '/';
        if (parent < 0) fail("mkdir %s: %s", buf, strerror(errno));
        if (mkdirat(parent, slash + 1, mode) < 0 && errno != EEXIST) fail("mkdir %s: %s", buf, strerror(errno));
        close(parent);
      } else if (fd < 0) {
        fail("mkdir %s: %s", buf, strerror(errno));
      } else {
        close(fd);
      }
      *p = saved;
      if (!saved) break;
    }
  }
}

/* Open (creating as a dir or an empty file when missing) a mount target inside the root. */
static int target_fd(int rootfd, const char *path, int want_dir) {
  int fd = open_in_root(rootfd, path, O_PATH);
  if (fd >= 0 || errno != ENOENT) return fd;
  char parent[4096];
  snprintf(parent, sizeof parent, "%s", path);
  char *slash = strrchr(parent, '/');
  if (!slash) return -1;
  *slash = 0;
  if (parent[0]) mkdir_in_root(rootfd, parent, 0755);
  int pfd = open_in_root(rootfd, parent[0] ? parent : "/", O_PATH | O_DIRECTORY);
  if (pfd < 0) return -1;
  if (want_dir) {
    if (mkdirat(pfd, slash + 1, 0755) < 0 && errno != EEXIST) {
      close(pfd);
      return -1;
    }
  } else {
    int f = openat(pfd, slash + 1, O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (f < 0 && errno != EEXIST) {
      close(pfd);
      return -1;
    }
    if (f >= 0) close(f);
  }
  close(pfd);
  return open_in_root(rootfd, path, O_PATH);
}

static void fdpath(char *out, size_t cap, int fd) { snprintf(out, cap, "/proc/self/fd/%d", fd); }

/* Remount a freshly mounted target with extra flags (read-only binds), keeping its locked flags. */
static void remount_flags(int rootfd, const char *target, unsigned long flags) {
  int fd = open_in_root(rootfd, target, O_PATH);
  if (fd < 0) fail("remount %s: %s", target, strerror(errno));
  char p[64];
  fdpath(p, sizeof p, fd);
  struct statvfs sv;
  unsigned long keep = 0;
  if (statvfs(p, &sv) == 0) keep = sv.f_flag & (MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY);
  if (mount(NULL, p, NULL, MS_REMOUNT | MS_BIND | keep | flags, NULL) < 0)
    fail("remount %s: %s", target, strerror(errno));
  close(fd);
}

/* mount <flags> <fstype> <source> <target> <data> <propagation-flags> */
static void op_mount(int rootfd, struct rec *r) {
  unsigned long flags = strtoul(fld(r, 1), NULL, 0);
  const char *fstype = fld(r, 2), *src = fld(r, 3), *target = fld(r, 4), *data = fld(r, 5);
  unsigned long prop = strtoul(fld(r, 6), NULL, 0);
  int want_dir = 1;
  if (flags & MS_BIND) {
    struct stat st;
    if (stat(src, &st) < 0) fail("error mounting \"%s\" to rootfs at \"%s\": stat %s: %s", src, target, src, strerror(errno));
    want_dir = S_ISDIR(st.st_mode);
  }
  int fd = target_fd(rootfd, target, want_dir);
  if (fd < 0) fail("error mounting \"%s\" to rootfs at \"%s\": %s", src, target, strerror(errno));
  char p[64];
  fdpath(p, sizeof p, fd);
  unsigned long first = (flags & MS_BIND) ? (flags & (MS_BIND | MS_REC)) : flags;
  if (mount(src, p, fstype[0] ? fstype : NULL, first, data[0] ? data : NULL) < 0)
    fail("error mounting \"%s\" to rootfs at \"%s\": %s", src, target, strerror(errno));
  close(fd);
  if ((flags & MS_BIND) && (flags & ~(MS_BIND | MS_REC))) remount_flags(rootfd, target, flags & ~(MS_BIND | MS_REC));
  if (prop) {
    fd = open_in_root(rootfd, target, O_PATH);
    fdpath(p, sizeof p, fd);
    if (fd < 0 || mount(NULL, p, NULL, prop, NULL) < 0) fail("propagation of %s: %s", target, strerror(errno));
    close(fd);
  }
}

static void op_mknod(int rootfd, struct rec *r) {
  const char *target = fld(r, 1);
  mode_t mode = (mode_t)strtoul(fld(r, 2), NULL, 0);
  dev_t dev = makedev(strtoul(fld(r, 3), NULL, 0), strtoul(fld(r, 4), NULL, 0));
  char parent[4096];
  snprintf(parent, sizeof parent, "%s", target);
  char *slash = strrchr(parent, '/');
  *slash = 0;
  int pfd = open_in_root(rootfd, parent[0] ? parent : "/", O_PATH | O_DIRECTORY);
  if (pfd < 0) fail("mknod %s: %s", target, strerror(errno));
  unlinkat(pfd, slash + 1, 0);
  if (mknodat(pfd, slash + 1, mode, dev) < 0) fail("mknod %s: %s", target, strerror(errno));
  /* fchmodat: the umask must not narrow the device's mode. */
  if (fchmodat(pfd, slash + 1, mode & 07777, 0) < 0) fail("chmod %s: %s", target, strerror(errno));
  /* A host device keeps its owner (e.g. root:kvm), as runc creates it. */
  if (r->n > 6 && fchownat(pfd, slash + 1, (uid_t)strtoul(fld(r, 5), NULL, 10), (gid_t)strtoul(fld(r, 6), NULL, 10), AT_SYMLINK_NOFOLLOW) < 0)
    fail("chown %s: %s", target, strerror(errno));
  close(pfd);
}

static void op_symlink(int rootfd, struct rec *r) {
  const char *to = fld(r, 1), *path = fld(r, 2);
  char parent[4096];
  snprintf(parent, sizeof parent, "%s", path);
  char *slash = strrchr(parent, '/');
  *slash = 0;
  int pfd = open_in_root(rootfd, parent[0] ? parent : "/", O_PATH | O_DIRECTORY);
  if (pfd < 0) fail("symlink %s: %s", path, strerror(errno));
  if (symlinkat(to, pfd, slash + 1) < 0 && errno != EEXIST) fail("symlink %s: %s", path, strerror(errno));
  close(pfd);
}

static void do_pivot(const char *rootfs) {
  int oldroot = open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  int newroot = open(rootfs, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (oldroot < 0 || newroot < 0) fail("pivot_root: open: %s", strerror(errno));
  if (fchdir(newroot) < 0) fail("pivot_root: chdir: %s", strerror(errno));
  if (syscall(SYS_pivot_root, ".", ".") < 0) fail("pivot_root %s", strerror(errno));
  if (fchdir(oldroot) < 0) fail("pivot_root: chdir old: %s", strerror(errno));
  /* Slave first so the detach does not propagate to the host. */
  if (mount("", ".", NULL, MS_SLAVE | MS_REC, NULL) < 0) fail("pivot_root: make old root rslave: %s", strerror(errno));
  if (umount2(".", MNT_DETACH) < 0) fail("pivot_root: unmount old root: %s", strerror(errno));
  if (chdir("/") < 0) fail("chdir /: %s", strerror(errno));
  close(oldroot);
  close(newroot);
}

static void op_mask(int rootfd, const char *path) {
  int fd = open_in_root(rootfd, path, O_PATH);
  if (fd < 0) {
    if (errno == ENOENT) return;
    fail("mask %s: %s", path, strerror(errno));
  }
  struct stat st;
  char p[64];
  fdpath(p, sizeof p, fd);
  if (fstat(fd, &st) < 0) fail("mask %s: %s", path, strerror(errno));
  int rc = S_ISDIR(st.st_mode) ? mount("tmpfs", p, "tmpfs", MS_RDONLY, NULL) : mount("/dev/null", p, NULL, MS_BIND, NULL);
  if (rc < 0) fail("mask %s: %s", path, strerror(errno));
  close(fd);
}

static void op_ropath(int rootfd, const char *path) {
  int fd = open_in_root(rootfd, path, O_PATH);
  if (fd < 0) {
    if (errno == ENOENT) return;
    fail("readonly path %s: %s", path, strerror(errno));
  }
  char p[64];
  fdpath(p, sizeof p, fd);
  if (mount(p, p, NULL, MS_BIND | MS_REC, NULL) < 0) fail("readonly path %s: %s", path, strerror(errno));
  close(fd);
  remount_flags(rootfd, path, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
}

static void lo_up(void) {
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  strcpy(ifr.ifr_name, "lo");
  if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) < 0) fail("lo: %s", strerror(errno));
  ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
  if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0) fail("lo up: %s", strerror(errno));
  close(s);
}

static int g_pty_slave = -1;

/* Open a pty in the (new) devpts of the container, pass the master to the monitor. */
static void op_pty(void) {
  int m = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (m < 0) fail("open /dev/ptmx: %s", strerror(errno));
  if (unlockpt(m) < 0) fail("unlockpt: %s", strerror(errno));
  int s = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (s < 0) {
    char name[128];
    if (ptsname_r(m, name, sizeof name) != 0) fail("ptsname: %s", strerror(errno));
    s = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (s < 0) fail("open %s: %s", name, strerror(errno));
  }
  struct winsize ws = {.ws_row = (unsigned short)plan_num("rows", 24), .ws_col = (unsigned short)plan_num("cols", 80)};
  ioctl(s, TIOCSWINSZ, &ws);
  char cbuf[CMSG_SPACE(sizeof(int))];
  memset(cbuf, 0, sizeof cbuf);
  char byte[] = "pty";
  struct iovec iov = {.iov_base = byte, .iov_len = 3};
  struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf};
  struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c), &m, sizeof(int));
  if (sendmsg(g_sync, &mh, MSG_NOSIGNAL) < 0) fail("send pty: %s", strerror(errno));
  close(m);
  g_pty_slave = s;
}

static void op_console(int rootfd, const char *path) {
  if (g_pty_slave < 0) return;
  int fd = target_fd(rootfd, path, 0);
  if (fd < 0) fail("console %s: %s", path, strerror(errno));
  char p[64], s[64];
  fdpath(p, sizeof p, fd);
  fdpath(s, sizeof s, g_pty_slave);
  /* The slave fd is a regular devpts file: bind it (by fd path) like runc does. */
  if (mount(s, p, NULL, MS_BIND, NULL) < 0) fail("bind console: %s", strerror(errno));
  close(fd);
}

/* Go's exec.LookPath semantics and runc's wording (the CLI keys exit codes off these texts). */
static const char *lookup(const char *file, char **envp, char *out, size_t cap) {
  struct stat st;
  if (strchr(file, '/')) {
    if (stat(file, &st) < 0) fail("exec: \"%s\": stat %s: %s", file, file, strerror(errno));
    if (S_ISDIR(st.st_mode)) fail("exec: \"%s\": is a directory", file);
    if (!(st.st_mode & 0111)) fail("exec: \"%s\": permission denied", file);
    return file;
  }
  const char *path = NULL;
  for (char **e = envp; *e; e++)
    if (strncmp(*e, "PATH=", 5) == 0) path = *e + 5;
  if (!path) path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  int saw_denied = 0;
  while (1) {
    const char *colon = strchr(path, ':');
    size_t len = colon ? (size_t)(colon - path) : strlen(path);
    snprintf(out, cap, "%.*s/%s", (int)len, len ? path : ".", file);
    if (stat(out, &st) == 0 && !S_ISDIR(st.st_mode)) {
      if (st.st_mode & 0111) return out;
      saw_denied = 1;
    }
    if (!colon) break;
    path = colon + 1;
  }
  if (saw_denied) fail("exec: \"%s\": permission denied", file);
  fail("exec: \"%s\": executable file not found in $PATH", file);
}

/* The AppArmor profile berthd chose (runtime/spec/apparmor): the kernel switches to it at the
   execve below. Before no_new_privs and seccomp, as runc does. */
static void apply_apparmor(void) {
  const char *profile = plan_get("apparmor");
  if (!profile) return;
  char buf[512];
  int n = snprintf(buf, sizeof buf, "exec %s", profile);
  if (n < 0 || (size_t)n >= sizeof buf) fail("apparmor: profile name too long");
  int fd = open("/proc/self/attr/apparmor/exec", O_WRONLY | O_CLOEXEC);
  if (fd < 0) fd = open("/proc/self/attr/exec", O_WRONLY | O_CLOEXEC);
  if (fd < 0) fail("apparmor: open attr/exec: %s", strerror(errno));
  if (write(fd, buf, (size_t)n) != n) fail("apparmor failed to apply profile %s: %s", profile, strerror(errno));
  close(fd);
}

/* The seccomp filter: rules computed in TypeScript (runtime/spec/seccomp/resolve.ts), handed to
   libseccomp as they come. Loaded while still root with CAP_SYS_ADMIN (before the credentials
   change, as runc does without no_new_privs), so libseccomp must not set no_new_privs itself:
   that stays the container's choice (`nonewprivs`). */
static void load_seccomp(void) {
  const char *def = plan_get("seccomp");
  if (!def) return;
  scmp_filter_ctx ctx = seccomp_init((uint32_t)strtoul(def, NULL, 0));
  if (!ctx) fail("seccomp: cannot initialise the filter");
  int rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
  if (rc < 0) fail("seccomp: %s", strerror(-rc));
  for (int i = 0; i < nrecs; i++) {
    struct rec *r = &recs[i];
    if (strcmp(r->f[0], "scarch") == 0) {
      rc = seccomp_arch_add(ctx, (uint32_t)strtoul(fld(r, 1), NULL, 0));
      if (rc < 0 && rc != -EEXIST) fail("seccomp: add arch %s: %s", fld(r, 1), strerror(-rc));
      continue;
    }
    if (strcmp(r->f[0], "scrule") != 0) continue;
    /* A name no arch of this kernel knows is skipped, as runc does (profiles list every arch's calls). */
    int nr = seccomp_syscall_resolve_name(fld(r, 2));
    if (nr == __NR_SCMP_ERROR) continue;
    struct scmp_arg_cmp cmp[6];
    unsigned n = 0;
    for (const char *p = fld(r, 3); *p && n < 6;) {
      char *end;
      cmp[n].arg = (unsigned)strtoul(p, &end, 10);
      cmp[n].op = (enum scmp_compare)strtoul(end + 1, &end, 10);
      cmp[n].datum_a = strtoull(end + 1, &end, 10);
      cmp[n].datum_b = strtoull(end + 1, &end, 10);
      n++;
      p = *end == ',' ? end + 1 : end;
    }
    rc = seccomp_rule_add_array(ctx, (uint32_t)strtoul(fld(r, 1), NULL, 0), nr, n, cmp);
    if (rc < 0) fail("seccomp: rule for %s: %s", fld(r, 2), strerror(-rc));
  }
  rc = seccomp_load(ctx);
  if (rc < 0) fail("seccomp: load filter: %s", strerror(-rc));
  seccomp_release(ctx);
}

static void apply_creds(void) {
  unsigned long long caps = strtoull(plan_get("caps") ? plan_get("caps") : "0", NULL, 0);
  int last = 40;
  FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");
  if (f) {
    if (fscanf(f, "%d", &last) != 1) last = 40;
    fclose(f);
  }
  if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) fail("keepcaps: %s", strerror(errno));
  for (int c = 0; c <= last; c++)
    if (!(caps & (1ULL << c)) && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
      fail("drop bounding cap %d: %s", c, strerror(errno));
  gid_t groups[256];
  int ng = 0;
  const char *g = plan_get("groups");
  for (const char *p = g; p && *p && ng < 256;) {
    groups[ng++] = (gid_t)strtoul(p, (char **)&p, 10);
    if (*p == ',') p++;
  }
  if (setgroups((size_t)ng, groups) < 0) fail("setgroups: %s", strerror(errno));
  if (setgid((gid_t)plan_num("gid", 0)) < 0) fail("setgid: %s", strerror(errno));
  if (setuid((uid_t)plan_num("uid", 0)) < 0) fail("setuid: %s", strerror(errno));
  struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
  struct __user_cap_data_struct data[2];
  memset(data, 0, sizeof data);
  data[0].effective = data[0].permitted = (uint32_t)caps;
  data[1].effective = data[1].permitted = (uint32_t)(caps >> 32);
  if (syscall(SYS_capset, &hdr, data) < 0) fail("capset: %s", strerror(errno));
  prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
  prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
  if (plan_get("nonewprivs") && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) fail("no_new_privs: %s", strerror(errno));
}

/* HostConfig.OomScoreAdj: a property of this process, inherited by everything it execs and forks
   (runc writes it in nsexec too). Lowering it needs CAP_SYS_RESOURCE: before the creds change. */
static void apply_oom_score_adj(void) {
  const char *v = plan_get("oomscoreadj");
  if (!v) return;
  int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
  ssize_t len = (ssize_t)strlen(v);
  if (fd < 0 || write(fd, v, (size_t)len) != len) fail("write oom_score_adj %s: %s", v, strerror(errno));
  close(fd);
}

/* HostConfig.Ulimits: `rlimit <resource> <soft> <hard>`, while still privileged (raising a hard
   limit needs CAP_SYS_RESOURCE) and after the setup, which a low nofile must not starve. */
static void apply_rlimits(void) {
  for (int i = 0; i < nrecs; i++) {
    struct rec *r = &recs[i];
    if (strcmp(r->f[0], "rlimit") != 0) continue;
    int res = (int)strtol(fld(r, 1), NULL, 10);
    struct rlimit rl = {.rlim_cur = (rlim_t)strtoull(fld(r, 2), NULL, 10), .rlim_max = (rlim_t)strtoull(fld(r, 3), NULL, 10)};
    if (setrlimit(res, &rl) < 0) fail("error setting rlimit type %d: %s", res, strerror(errno));
  }
}

/* `--ipc container:<id>`: the donor's /dev/shm, cloned from its mount namespace before this child
   makes its own (a bind across mount namespaces is refused; a detached clone is not), and moved
   onto the new root's /dev/shm by the `shmmove` op. */
static int g_shm_tree = -1;

static void clone_donor_shm(void) {
  const char *donor = plan_get("shmfrom");
  if (!donor) return;
  int self = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
  int other = open(donor, O_RDONLY | O_CLOEXEC);
  if (self < 0 || other < 0) fail("open mount namespace %s: %s", donor, strerror(errno));
  if (setns(other, CLONE_NEWNS) < 0) fail("join mount namespace %s: %s", donor, strerror(errno));
  g_shm_tree = (int)syscall(SYS_open_tree, AT_FDCWD, "/dev/shm", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
  int e = errno;
  if (setns(self, CLONE_NEWNS) < 0) fail("return to mount namespace: %s", strerror(errno));
  if (g_shm_tree < 0) fail("clone /dev/shm of %s: %s", donor, strerror(e));
  close(self);
  close(other);
}

static void op_shmmove(int rootfd, const char *target) {
  if (g_shm_tree < 0) fail("shmmove %s: no /dev/shm cloned", target);
  int fd = target_fd(rootfd, target, 1);
  if (fd < 0) fail("shmmove %s: %s", target, strerror(errno));
  if (syscall(SYS_move_mount, g_shm_tree, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    fail("mount the shared /dev/shm at %s: %s", target, strerror(errno));
  close(fd);
  close(g_shm_tree);
  g_shm_tree = -1;
}

/* ------------------------------------------------------------- user namespace */

/* `uidmap`/`gidmap <container> <host> <size>` records: the container's user namespace. The monitor
   creates it (before its pid namespace, which a short-lived helper would otherwise become PID 1 of)
   with a helper child that unshares CLONE_NEWUSER and waits while the monitor writes its maps. Its
   fd is kept: the idmapped mounts take it and the container process joins it last. */
static int g_userns = -1;

static int write_map(pid_t pid, const char *kind) {
  char path[64], buf[4096];
  size_t len = 0;
  for (int i = 0; i < nrecs; i++) {
    if (strcmp(recs[i].f[0], kind) != 0) continue;
    int n = snprintf(buf + len, sizeof buf - len, "%s %s %s\n", fld(&recs[i], 1), fld(&recs[i], 2), fld(&recs[i], 3));
    if (n < 0 || (size_t)n >= sizeof buf - len) return -1;
    len += (size_t)n;
  }
  snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, strcmp(kind, "uidmap") == 0 ? "uid_map" : "gid_map");
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  int ok = write(fd, buf, len) == (ssize_t)len;
  int e = errno;
  close(fd);
  errno = e;
  return ok ? 0 : -1;
}

/* `usernsowns <clone flags>`: namespaces (the plan says which) the container gets new are created by
   the helper inside the user namespace, so the user namespace owns them (as under runc) and container
   root's capabilities apply there. The child enters them with setns as host root, which may enter
   the namespaces of any descendant user namespace, so its setup (mqueue, sethostname) is unchanged. */
static int g_owned_ns[3] = {-1, -1, -1};
static const struct { int flag; const char *name; } OWNED_NS[3] = {{CLONE_NEWNET, "net"}, {CLONE_NEWUTS, "uts"}, {CLONE_NEWIPC, "ipc"}};

/* `from` (an open user namespace fd, or -1 for a new one with the plan's maps). */
static int make_userns(int from, char *err, size_t cap) {
  int owned = (int)plan_num("usernsowns", 0);
  int p[2];
  if (pipe2(p, O_CLOEXEC) < 0) return snprintf(err, cap, "pipe: %s", strerror(errno)), -1;
  pid_t h = fork();
  if (h < 0) return snprintf(err, cap, "fork: %s", strerror(errno)), -1;
  if (h == 0) {
    close(p[0]);
    char m[1 + sizeof(int)];
    m[0] = (from >= 0 ? setns(from, CLONE_NEWUSER) : unshare(CLONE_NEWUSER)) == 0 ? 'u' : 'e';
    if (m[0] == 'u' && owned && unshare(owned) < 0) m[0] = 'n';
    int e = errno;
    memcpy(m + 1, &e, sizeof e);
    if (write(p[1], m, sizeof m) != (ssize_t)sizeof m) _exit(1);
    pause();
    _exit(0);
  }
  close(p[1]);
  char m[1 + sizeof(int)] = {0};
  int rc = -1, e = 0;
  char path[64];
  int got = read(p[0], m, sizeof m) == (ssize_t)sizeof m;
  memcpy(&e, m + 1, sizeof e);
  if (!got) snprintf(err, cap, "user namespace helper died");
  else if (m[0] == 'e') snprintf(err, cap, "%s user namespace: %s", from >= 0 ? "join" : "create", strerror(e));
  else if (m[0] == 'n') snprintf(err, cap, "create namespaces in the user namespace: %s", strerror(e));
  else if (from < 0 && write_map(h, "uidmap") < 0) snprintf(err, cap, "write uid_map: %s", strerror(errno));
  else if (from < 0 && write_map(h, "gidmap") < 0) snprintf(err, cap, "write gid_map: %s", strerror(errno));
  else {
    rc = 0;
    if (from >= 0) g_userns = from;
    else {
      snprintf(path, sizeof path, "/proc/%d/ns/user", (int)h);
      if ((g_userns = open(path, O_RDONLY | O_CLOEXEC)) < 0) rc = -1;
    }
    for (int i = 0; i < 3 && rc == 0; i++) {
      if (!(owned & OWNED_NS[i].flag)) continue;
      snprintf(path, sizeof path, "/proc/%d/ns/%s", (int)h, OWNED_NS[i].name);
      if ((g_owned_ns[i] = open(path, O_RDONLY | O_CLOEXEC)) < 0) rc = -1;
    }
    if (rc < 0) snprintf(err, cap, "open %s: %s", path, strerror(errno));
  }
  close(p[0]);
  kill(h, SIGKILL);
  waitpid(h, NULL, 0);
  return rc;
}

/* The child's side: enter the namespaces made in the user namespace (in place of unsharing them). */
static void enter_owned_ns(void) {
  for (int i = 0; i < 3; i++) {
    if (g_owned_ns[i] < 0) continue;
    if (setns(g_owned_ns[i], OWNED_NS[i].flag) < 0) fail("join %s namespace: %s", OWNED_NS[i].name, strerror(errno));
    close(g_owned_ns[i]);
    g_owned_ns[i] = -1;
  }
}

/* A detached clone of `src`, idmapped through the container's user namespace (and read-only). */
static int idmapped_clone(const char *src, int readonly) {
  int fd = (int)syscall(SYS_open_tree, AT_FDCWD, src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
  if (fd < 0) return -1;
  struct mount_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.attr_set = MOUNT_ATTR_IDMAP | (readonly ? MOUNT_ATTR_RDONLY : 0);
  attr.userns_fd = (unsigned long long)g_userns;
  if (syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH, &attr, sizeof attr) < 0) {
    int e = errno;
    close(fd);
    errno = e;
    return -1;
  }
  return fd;
}

/* `idmap <path>`: over-mount a host directory (an image layer, the container's layer dir) with an
   idmapped view of itself, in this mount namespace only, before the overlay takes it as a layer:
   the stored files stay unshifted and appear shifted to the container. */
static void op_idmap(const char *path) {
  if (g_userns < 0) fail("idmap %s: no user namespace", path);
  int fd = idmapped_clone(path, 0);
  if (fd < 0) fail("idmapped mount of %s: %s", path, strerror(errno));
  if (syscall(SYS_move_mount, fd, "", AT_FDCWD, path, MOVE_MOUNT_F_EMPTY_PATH) < 0) fail("mount idmapped %s: %s", path, strerror(errno));
  close(fd);
}

/* `idbind <source> <target> <ro>`: a bind (volume, /etc/hosts…) whose stored owners are container
   ids, idmapped so the container sees them as stored. */
static void op_idbind(int rootfd, struct rec *r) {
  const char *src = fld(r, 1), *target = fld(r, 2);
  struct stat st;
  if (stat(src, &st) < 0) fail("error mounting \"%s\" to rootfs at \"%s\": stat %s: %s", src, target, src, strerror(errno));
  int mfd = idmapped_clone(src, strcmp(fld(r, 3), "1") == 0);
  if (mfd < 0) fail("error mounting \"%s\" to rootfs at \"%s\": idmapped mount: %s", src, target, strerror(errno));
  int tfd = target_fd(rootfd, target, S_ISDIR(st.st_mode));
  if (tfd < 0) fail("error mounting \"%s\" to rootfs at \"%s\": %s", src, target, strerror(errno));
  if (syscall(SYS_move_mount, mfd, "", tfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    fail("error mounting \"%s\" to rootfs at \"%s\": %s", src, target, strerror(errno));
  close(mfd);
  close(tfd);
}

/* `fsroot <uid> <gid>`: set up the container as its root's host ids, so what the setup creates in
   the (idmapped) root and the overlay's own work files are stored as container root. setfsuid away
   from 0 clears the file capabilities from the effective set; they are raised again. */
static void apply_fsroot(void) {
  for (int i = 0; i < nrecs; i++) {
    if (strcmp(recs[i].f[0], "fsroot") != 0) continue;
    setfsgid((gid_t)strtoul(fld(&recs[i], 2), NULL, 10));
    setfsuid((uid_t)strtoul(fld(&recs[i], 1), NULL, 10));
    struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    struct __user_cap_data_struct data[2];
    if (syscall(SYS_capget, &hdr, data) < 0) fail("capget: %s", strerror(errno));
    data[0].effective = data[0].permitted;
    data[1].effective = data[1].permitted;
    if (syscall(SYS_capset, &hdr, data) < 0) fail("capset: %s", strerror(errno));
  }
}

struct stdio_fds {
  int in, out, err; /* child ends; -1 with a tty */
};

__attribute__((noreturn)) static void child_main(int is_exec, const char *rootfs, struct stdio_fds io) {
  sigset_t all;
  sigemptyset(&all);
  sigprocmask(SIG_SETMASK, &all, NULL);
  for (int s = 1; s < NSIG; s++) signal(s, SIG_DFL);

  char msg[64];
  ssize_t n = recv(g_sync, msg, sizeof msg - 1, 0);
  if (n <= 0) _exit(1);

  /* v1 cgroups: move this (single-threaded) process itself by writing "0" to each `tasks` file.
     Moving only the calling thread lets the kernel skip the global threadgroup lock, whose
     write side waits for an RCU grace period (6-26 ms per container here); a cgroup.procs
     write of our pid by the monitor pays it. Before setns/unshare: the paths are host paths. */
  for (int i = 0; i < nrecs; i++) {
    if (strcmp(recs[i].f[0], "cgroupself") != 0) continue;
    const char *path = fld(&recs[i], 1);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    int ok = fd >= 0 && write(fd, "0", 1) == 1;
    int e = errno;
    if (fd >= 0) close(fd);
    if (!ok) fail("join cgroup %s: %s", path, strerror(e));
  }
  apply_oom_score_adj();
  apply_fsroot();

  int rootfd = -1, rootdir = -1;
  int nsfds[8], nns = 0;
  if (!is_exec) {
    /* `--network container:<id>`: join that container's netns (a host path: before unshare). */
    for (int i = 0; i < nrecs; i++) {
      if (strcmp(recs[i].f[0], "joinns") != 0) continue;
      int fd = open(fld(&recs[i], 1), O_RDONLY | O_CLOEXEC);
      if (fd < 0 || setns(fd, 0) < 0) fail("join %s: %s", fld(&recs[i], 1), strerror(errno));
      close(fd);
    }
    clone_donor_shm();
    int flags = (int)plan_num("unshare", 0);
    if (flags && unshare(flags) < 0) fail("unshare: %s", strerror(errno));
    enter_owned_ns();
    unsigned long prop = strtoul(plan_get("rootprop") ? plan_get("rootprop") : "0", NULL, 0);
    if (prop && mount("", "/", NULL, prop, NULL) < 0) fail("make / %lx: %s", prop, strerror(errno));
    for (int i = 0; i < nrecs; i++)
      if (strcmp(recs[i].f[0], "idmap") == 0) op_idmap(fld(&recs[i], 1));
    for (int i = 0; i < nrecs; i++) {
      struct rec *r = &recs[i];
      if (strcmp(r->f[0], "rootmount") != 0) continue;
      const char *cwd = fld(r, 4);
      if (cwd[0] && chdir(cwd) < 0) fail("chdir %s: %s", cwd, strerror(errno));
      if (mount(fld(r, 2), rootfs, fld(r, 1), 0, fld(r, 3)) < 0) fail("mount rootfs %s: %s", rootfs, strerror(errno));
      if (chdir("/") < 0) fail("chdir /: %s", strerror(errno));
    }
    if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0) fail("bind rootfs: %s", strerror(errno));
    rootfd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0) fail("open rootfs: %s", strerror(errno));
  } else {
    /* Open every namespace and the root first: /proc/<pid> is a host path until mnt is joined. */
    for (int i = 0; i < nrecs && nns < 8; i++) {
      if (strcmp(recs[i].f[0], "setns") != 0) continue;
      nsfds[nns] = open(fld(&recs[i], 1), O_RDONLY | O_CLOEXEC);
      if (nsfds[nns] < 0) fail("open %s: %s", fld(&recs[i], 1), strerror(errno));
      nns++;
    }
    const char *root = plan_get("root");
    if (root && (rootdir = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) fail("open %s: %s", root, strerror(errno));
    for (int i = 0; i < nns; i++)
      if (setns(nsfds[i], 0) < 0) fail("setns: %s", strerror(errno));
    if (rootdir >= 0 && (fchdir(rootdir) < 0 || chroot(".") < 0 || chdir("/") < 0)) fail("enter root: %s", strerror(errno));
    rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  }

  for (int i = 0; i < nrecs; i++) {
    struct rec *r = &recs[i];
    const char *k = r->f[0];
    if (strcmp(k, "mount") == 0) op_mount(rootfd, r);
    else if (strcmp(k, "idbind") == 0) op_idbind(rootfd, r);
    else if (strcmp(k, "remount") == 0) remount_flags(rootfd, fld(r, 2), strtoul(fld(r, 1), NULL, 0));
    else if (strcmp(k, "mkdir") == 0) mkdir_in_root(rootfd, fld(r, 1), (mode_t)strtoul(fld(r, 2), NULL, 0));
    else if (strcmp(k, "mknod") == 0) op_mknod(rootfd, r);
    else if (strcmp(k, "symlink") == 0) op_symlink(rootfd, r);
    else if (strcmp(k, "pivot") == 0) {
      close(rootfd);
      do_pivot(rootfs);
      rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    } else if (strcmp(k, "mask") == 0) op_mask(rootfd, fld(r, 1));
    else if (strcmp(k, "ropath") == 0) op_ropath(rootfd, fld(r, 1));
    else if (strcmp(k, "rootro") == 0) {
      if (mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) < 0) fail("remount / ro: %s", strerror(errno));
    } else if (strcmp(k, "hostname") == 0) {
      if (sethostname(fld(r, 1), strlen(fld(r, 1))) < 0) fail("sethostname: %s", strerror(errno));
    } else if (strcmp(k, "domainname") == 0) {
      if (setdomainname(fld(r, 1), strlen(fld(r, 1))) < 0) fail("setdomainname: %s", strerror(errno));
    } else if (strcmp(k, "lo") == 0) lo_up();
    else if (strcmp(k, "pty") == 0) op_pty();
    else if (strcmp(k, "console") == 0) op_console(rootfd, fld(r, 1));
    else if (strcmp(k, "shmmove") == 0) op_shmmove(rootfd, fld(r, 1));
  }
  if (rootfd >= 0) close(rootfd);
  /* Last: every namespace was set up (and joined) as host root, those of `usernsowns` owned by this
     user namespace and the others by the initial one; from here on the process's ids and
     capabilities are the container's. */
  if (g_userns >= 0 && setns(g_userns, CLONE_NEWUSER) < 0) fail("join user namespace: %s", strerror(errno));

  /* stdio and session */
  if (setsid() < 0 && errno != EPERM) fail("setsid: %s", strerror(errno));
  if (g_pty_slave >= 0) {
    if (ioctl(g_pty_slave, TIOCSCTTY, 0) < 0) fail("TIOCSCTTY: %s", strerror(errno));
    io.in = io.out = io.err = g_pty_slave;
  }
  if (dup2(io.in, 0) < 0 || dup2(io.out, 1) < 0 || dup2(io.err, 2) < 0) fail("dup2: %s", strerror(errno));

  const char *cwd = plan_get("cwd");
  if (cwd && chdir(cwd) < 0) fail("chdir to cwd (\"%s\") set in config.json failed: %s", cwd, strerror(errno));

  apply_rlimits();
  apply_apparmor();
  load_seccomp();
  apply_creds();

  int argc = 0, envc = 0;
  for (int i = 0; i < nrecs; i++) {
    argc += strcmp(recs[i].f[0], "arg") == 0;
    envc += strcmp(recs[i].f[0], "env") == 0;
  }
  char **argv = calloc((size_t)argc + 1, sizeof *argv), **envp = calloc((size_t)envc + 1, sizeof *envp);
  argc = envc = 0;
  for (int i = 0; i < nrecs; i++) {
    if (strcmp(recs[i].f[0], "arg") == 0) argv[argc++] = (char *)fld(&recs[i], 1);
    if (strcmp(recs[i].f[0], "env") == 0) envp[envc++] = (char *)fld(&recs[i], 1);
  }
  if (!argc) fail("no command specified");
  char pathbuf[4096];
  const char *exe = lookup(argv[0], envp, pathbuf, sizeof pathbuf);

  /* Everything but 0-2 (and the CLOEXEC sync socket) must not leak into the container. */
  syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC);
  send_msg("ready");
  n = recv(g_sync, msg, sizeof msg - 1, 0);
  if (n <= 0) _exit(1);
  execve(exe, argv, envp);
  int e = errno;
  send_msg("error exec: \"%s\": %s", argv[0], strerror(e));
  _exit(e == ENOENT ? 127 : 126);
}

/* ------------------------------------------------------------------ monitor */

struct buf {
  char *p;
  size_t off, len, cap;
};

static void buf_append(struct buf *b, const void *data, size_t n) {
  if (b->off && b->off == b->len) b->off = b->len = 0;
  if (b->len + n > b->cap) {
    if (b->off) {
      memmove(b->p, b->p + b->off, b->len - b->off);
      b->len -= b->off;
      b->off = 0;
    }
    if (b->len + n > b->cap) {
      size_t cap = b->cap ? b->cap : 4096;
      while (cap < b->len + n) cap *= 2;
      b->p = realloc(b->p, cap);
      b->cap = cap;
    }
  }
  memcpy(b->p + b->len, data, n);
  b->len += n;
}

static size_t buf_pending(const struct buf *b) { return b->len - b->off; }

static void buf_free(struct buf *b) {
  free(b->p);
  memset(b, 0, sizeof *b);
}

/* Shrink idle buffers so a quiet monitor gives its memory back. */
static void buf_trim(struct buf *b) {
  if (buf_pending(b) == 0 && b->cap > 65536) buf_free(b);
}

struct client {
  int fd;
  int flags; /* 1 stdin 2 stdout 4 stderr 8 close-stdin-on-end */
  int attached, wants_start;
  struct buf in, out;
};

static struct client clients[MAX_CLIENTS];
static int listen_fd = -1, sig_fd = -1, dir_fd = -1, log_fd = -1;
static int out_fd[3] = {-1, -1, -1}; /* [1] stdout / pty master, [2] stderr */
static int stdin_fd = -1, stdin_closing = 0, is_tty = 0;
static struct buf stdin_pending;
static pid_t child_pid = -1;
static int state = 0; /* 0 created, 1 running, 2 exited */
static int child_status = 0;
static struct timespec started_at, finished_at;
static char linebuf[3][LOG_LINE_MAX];
static size_t linelen[3];

static void client_close(struct client *c) {
  if (c->fd < 0) return;
  close(c->fd);
  c->fd = -1;
  buf_free(&c->in);
  buf_free(&c->out);
}

static void client_flush(struct client *c) {
  while (c->fd >= 0 && buf_pending(&c->out)) {
    ssize_t n = send(c->fd, c->out.p + c->out.off, buf_pending(&c->out), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN) client_close(c);
      return;
    }
    c->out.off += (size_t)n;
  }
  if (c->fd >= 0) buf_trim(&c->out);
}

static void frame(struct client *c, int type, const void *data, size_t len) {
  if (c->fd < 0) return;
  unsigned char h[5] = {(unsigned char)type, (unsigned char)(len >> 24), (unsigned char)(len >> 16),
                        (unsigned char)(len >> 8), (unsigned char)len};
  buf_append(&c->out, h, 5);
  if (len) buf_append(&c->out, data, len);
  client_flush(c);
}

static void frame_str(struct client *c, int type, const char *s) { frame(c, type, s, strlen(s)); }

/*
 * Log rotation (json-file max-size/max-file, set by the engine): before a line is written, a file
 * at or past log_max bytes becomes <log>.1 (older ones shift up to <log>.<log_files-1>, the
 * oldest dropped) and a new one is opened; with one file the log is truncated instead. Same
 * check-then-write order as moby's LogFile, so a file can pass the limit by one line.
 */
static const char *log_path;
static long long log_max = 0, log_files = 1, log_size = 0;
/* json-file `attrs` (labels/env log options): a JSON object the engine rendered, same on every line. */
static const char *log_attrs = NULL;
static char *log_out = NULL;
static size_t log_out_cap = 0;

static void log_rotate(void) {
  char from[4096], to[4096];
  if (log_files > 1) {
    for (long long i = log_files - 1; i > 1; i--) {
      snprintf(to, sizeof to, "%s.%lld", log_path, i);
      snprintf(from, sizeof from, "%s.%lld", log_path, i - 1);
      if (rename(from, to) < 0 && errno != ENOENT) return;
    }
    snprintf(to, sizeof to, "%s.1", log_path);
    if (rename(log_path, to) < 0) return;
  }
  int fd = open(log_path, O_WRONLY | O_APPEND | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0) return; /* keep writing to the old file rather than lose output */
  close(log_fd);
  log_fd = fd;
  log_size = 0;
}

/* json-file log: one {"log","stream","time"} object per line, dockerd's format. */
static void log_emit(int stream, const char *data, size_t len, const char *ts) {
  if (log_fd < 0) return;
  if (log_max > 0 && log_size >= log_max) log_rotate();
  char *out = log_out;
  size_t o = 0;
  o += (size_t)snprintf(out, log_out_cap, "{\"log\":\"");
  for (size_t i = 0; i < len; i++) {
    unsigned char ch = (unsigned char)data[i];
    if (ch == '"' || ch == '\\') {
      out[o++] = '\\';
      out[o++] = (char)ch;
    } else if (ch == '\n') {
      out[o++] = '\\';
      out[o++] = 'n';
    } else if (ch == '\r') {
      out[o++] = '\\';
      out[o++] = 'r';
    } else if (ch == '\t') {
      out[o++] = '\\';
      out[o++] = 't';
    } else if (ch < 0x20 || ch == 0x7f) {
      o += (size_t)snprintf(out + o, 7, "\\u%04x", ch);
    } else {
      out[o++] = (char)ch;
    }
  }
  /* log_out_cap holds the escaped line (6 bytes per input byte at most), the attrs and this tail. */
  o += (size_t)snprintf(out + o, log_out_cap - o, "\",\"stream\":\"%s\"%s%s,\"time\":\"%s\"}\n", stream == 2 ? "stderr" : "stdout",
                        log_attrs ? ",\"attrs\":" : "", log_attrs ? log_attrs : "", ts);
  if (write_all(log_fd, out, o) == 0) log_size += (long long)o;
}

static void log_data(int stream, const char *data, size_t len) {
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  char ts[64];
  rfc3339(ts, sizeof ts, &now);
  while (len) {
    const char *nl = memchr(data, '\n', len);
    size_t take = nl ? (size_t)(nl - data) + 1 : len;
    if (linelen[stream] + take > LOG_LINE_MAX) take = LOG_LINE_MAX - linelen[stream];
    memcpy(linebuf[stream] + linelen[stream], data, take);
    linelen[stream] += take;
    data += take;
    len -= take;
    if (linebuf[stream][linelen[stream] - 1] == '\n' || linelen[stream] == LOG_LINE_MAX) {
      log_emit(stream, linebuf[stream], linelen[stream], ts);
      linelen[stream] = 0;
    }
  }
}

static void log_flush_partial(void) {
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  char ts[64];
  rfc3339(ts, sizeof ts, &now);
  for (int s = 1; s <= 2; s++)
    if (linelen[s]) {
      log_emit(s, linebuf[s], linelen[s], ts);
      linelen[s] = 0;
    }
}

static int output_paused(void) {
  for (int i = 0; i < MAX_CLIENTS; i++)
    if (clients[i].fd >= 0 && buf_pending(&clients[i].out) > PAUSE_BYTES) return 1;
  return 0;
}

static void read_output(int stream) {
  static char chunk[READ_CHUNK];
  ssize_t n = read(out_fd[stream], chunk, sizeof chunk);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
  if (n <= 0) { /* EOF, or EIO on a pty whose slaves are all closed */
    close(out_fd[stream]);
    out_fd[stream] = -1;
    return;
  }
  log_data(stream, chunk, (size_t)n);
  int bit = stream == 2 ? 4 : 2;
  for (int i = 0; i < MAX_CLIENTS; i++)
    if (clients[i].fd >= 0 && clients[i].attached && (clients[i].flags & bit)) frame(&clients[i], stream, chunk, (size_t)n);
}

static void close_stdin(void) {
  if (stdin_fd >= 0 && !is_tty) {
    close(stdin_fd);
    stdin_fd = -1;
  }
  buf_free(&stdin_pending);
  stdin_closing = 0;
}

static void stdin_write(const char *data, size_t len) {
  if (stdin_fd < 0) return;
  if (!buf_pending(&stdin_pending)) {
    ssize_t n = write(stdin_fd, data, len);
    if (n < 0 && errno != EAGAIN && errno != EINTR) {
      close_stdin();
      return;
    }
    if (n > 0) {
      data += n;
      len -= (size_t)n;
    }
  }
  if (len) buf_append(&stdin_pending, data, len);
}

static void flush_stdin(void) {
  while (stdin_fd >= 0 && buf_pending(&stdin_pending)) {
    ssize_t n = write(stdin_fd, stdin_pending.p + stdin_pending.off, buf_pending(&stdin_pending));
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) return;
      close_stdin();
      return;
    }
    stdin_pending.off += (size_t)n;
  }
  buf_trim(&stdin_pending);
  if (stdin_closing && !buf_pending(&stdin_pending)) close_stdin();
}

static int sync_fd = -1;
static char start_error[4096];
static int started_ok = 0;

static void reply_start(const char *msg) {
  for (int i = 0; i < MAX_CLIENTS; i++)
    if (clients[i].fd >= 0 && clients[i].wants_start) {
      clients[i].wants_start = 0;
      frame_str(&clients[i], 'S', msg);
    }
}

/* The child's side of the sync socket closes on execve (CLOEXEC): EOF = started. */
static void read_sync(void) {
  char msg[4200];
  ssize_t n = recv(sync_fd, msg, sizeof msg - 1, 0);
  if (n < 0 && errno == EINTR) return;
  if (n > 0) {
    msg[n] = 0;
    if (strncmp(msg, "error ", 6) == 0) snprintf(start_error, sizeof start_error, "%.4000s", msg);
    return;
  }
  close(sync_fd);
  sync_fd = -1;
  if (start_error[0]) {
    reply_start(start_error);
  } else {
    /* A fast process may already be reaped (state 2) when the EOF is seen: it still started. */
    started_ok = 1;
    if (state == 0) state = 1;
    reply_start("ok");
  }
}

/* `sysctl <path under /proc/sys> <value>` records, written at start: after the engine has plumbed
   the network (an interface's sysctl needs its eth0, as with runc, which writes them late in its
   init), before the process runs. The child cannot do it by then (its capabilities are gone), so a
   helper joins its net, ipc and uts namespaces: /proc/sys resolves those per task. */
/* errno text as Go (runc) words it, lower case: the CLI's exit code keys off "no such file or directory". */
static const char *go_errtext(int e) {
  static char b[128];
  snprintf(b, sizeof b, "%s", strerror(e));
  b[0] = (char)tolower((unsigned char)b[0]);
  return b;
}

/* fork() into this monitor's own pid namespace. After unshare(CLONE_NEWPID) every child of the
   monitor lands in the container's namespace; a helper there would take PID 2 and show up in the
   container (`sleep & sleep` got PIDs 1 and 3). The monitor's active namespace is its own, so it can
   set pid_for_children back for one fork and then return it to the container's. */
static pid_t fork_outside_pidns(void) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/ns/pid", (int)child_pid);
  int own = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
  int container = open(path, O_RDONLY | O_CLOEXEC);
  int moved = own >= 0 && container >= 0 && setns(own, CLONE_NEWPID) == 0;
  pid_t h = fork();
  if (h != 0 && moved) setns(container, CLONE_NEWPID);
  if (h != 0) {
    if (own >= 0) close(own);
    if (container >= 0) close(container);
  }
  return h;
}

static int write_sysctls(char *err, size_t cap) {
  int have = 0;
  for (int i = 0; i < nrecs && !have; i++) have = strcmp(recs[i].f[0], "sysctl") == 0;
  if (!have) return 0;
  int ep[2];
  if (pipe2(ep, O_CLOEXEC) < 0) {
    snprintf(err, cap, "sysctl: pipe: %s", strerror(errno));
    return -1;
  }
  pid_t h = fork_outside_pidns();
  if (h < 0) {
    snprintf(err, cap, "sysctl: fork: %s", strerror(errno));
    close(ep[0]);
    close(ep[1]);
    return -1;
  }
  if (h == 0) {
    static const char *const ns[] = {"net", "ipc", "uts"};
    int fds[3];
    char path[4200];
    for (int i = 0; i < 3; i++) {
      snprintf(path, sizeof path, "/proc/%d/ns/%s", (int)child_pid, ns[i]);
      fds[i] = open(path, O_RDONLY | O_CLOEXEC);
      if (fds[i] < 0) {
        dprintf(ep[1], "open %s: %s", path, go_errtext(errno));
        _exit(1);
      }
    }
    for (int i = 0; i < 3; i++)
      if (setns(fds[i], 0) < 0) {
        dprintf(ep[1], "setns %s: %s", ns[i], go_errtext(errno));
        _exit(1);
      }
    for (int i = 0; i < nrecs; i++) {
      struct rec *r = &recs[i];
      if (strcmp(r->f[0], "sysctl") != 0) continue;
      snprintf(path, sizeof path, "/proc/sys/%s", fld(r, 1));
      int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
      if (fd < 0 || write_all(fd, fld(r, 2), strlen(fld(r, 2))) < 0) {
        dprintf(ep[1], "%s %s: %s", fd < 0 ? "open" : "write", path, go_errtext(errno));
        _exit(1);
      }
      close(fd);
    }
    _exit(0);
  }
  close(ep[1]);
  int st = 0;
  while (waitpid(h, &st, 0) < 0 && errno == EINTR) {
  }
  ssize_t n = read(ep[0], err, cap - 1);
  close(ep[0]);
  if (WIFEXITED(st) && WEXITSTATUS(st) == 0) return 0;
  err[n > 0 ? n : 0] = 0;
  if (!err[0]) snprintf(err, cap, "sysctl: helper failed (status %d)", st);
  return -1;
}

static void handle_frame(struct client *c, int type, const unsigned char *p, size_t len) {
  switch (type) {
  case 'A':
    /* Ack first: output frames for this client only follow the ack, so an attach that resolved
       before 'S' was sent sees everything the process prints. */
    frame_str(c, 'A', "ok");
    c->attached = 1;
    c->flags = len ? p[0] : 6;
    break;
  case 'I':
    if ((c->flags & 1) && !stdin_closing) stdin_write((const char *)p, len);
    break;
  case 'C':
    if ((c->flags & 1) && (c->flags & 8)) {
      stdin_closing = 1;
      flush_stdin();
    }
    break;
  case 'R':
    if (len >= 4 && is_tty && out_fd[1] >= 0) {
      struct winsize ws = {.ws_row = (unsigned short)(p[0] << 8 | p[1]), .ws_col = (unsigned short)(p[2] << 8 | p[3])};
      ioctl(out_fd[1], TIOCSWINSZ, &ws);
    }
    break;
  case 'K': {
    int sig = len >= 4 ? (int)((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]) : SIGKILL;
    if (state == 2) {
      frame_str(c, 'K', "process already finished");
    } else if (kill(child_pid, sig) < 0) {
      frame_str(c, 'K', strerror(errno));
    } else {
      frame_str(c, 'K', "0");
    }
    break;
  }
  case 'S':
    if (started_ok) {
      frame_str(c, 'S', "ok");
    } else if (state == 2 || sync_fd < 0) {
      frame_str(c, 'S', start_error[0] ? start_error : "error container has exited");
    } else {
      c->wants_start = 1;
      char err[4000];
      if (write_sysctls(err, sizeof err) < 0) {
        /* Answered with this error once the child's end of the sync socket closes (read_sync). */
        snprintf(start_error, sizeof start_error, "error %s", err);
        kill(child_pid, SIGKILL);
        break;
      }
      clock_gettime(CLOCK_REALTIME, &started_at);
      send(sync_fd, "start", 5, MSG_NOSIGNAL);
    }
    break;
  }
}

static void client_read(struct client *c) {
  char tmp[READ_CHUNK];
  ssize_t n = recv(c->fd, tmp, sizeof tmp, MSG_DONTWAIT);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
  if (n <= 0) {
    client_close(c);
    return;
  }
  buf_append(&c->in, tmp, (size_t)n);
  while (buf_pending(&c->in) >= 5) {
    unsigned char *h = (unsigned char *)c->in.p + c->in.off;
    size_t len = (size_t)h[1] << 24 | (size_t)h[2] << 16 | (size_t)h[3] << 8 | h[4];
    if (len > MAX_FRAME) {
      client_close(c);
      return;
    }
    if (buf_pending(&c->in) < 5 + len) break;
    c->in.off += 5 + len;
    handle_frame(c, h[0], h + 5, len);
    if (c->fd < 0) return;
  }
  buf_trim(&c->in);
}

static void client_accept(void) {
  int fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (fd < 0) return;
  for (int i = 0; i < MAX_CLIENTS; i++) {
    if (clients[i].fd >= 0) continue;
    memset(&clients[i], 0, sizeof clients[i]);
    clients[i].fd = fd;
    char hello[96];
    snprintf(hello, sizeof hello, "%s %d %d", state == 0 ? "created" : state == 1 ? "running" : "exited", (int)child_pid,
             (int)getpid());
    frame_str(&clients[i], 'H', hello);
    return;
  }
  close(fd);
}

static long oom_kills(void) {
  const char *path = plan_get("oomfile");
  if (!path) return 0;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  char b[2048];
  ssize_t n = read(fd, b, sizeof b - 1);
  close(fd);
  if (n <= 0) return 0;
  b[n] = 0;
  char *p = strstr(b, "oom_kill ");
  return p ? strtol(p + 9, NULL, 10) : 0;
}

static void finish(void) {
  log_flush_partial();
  int code = 0, sig = 0;
  if (WIFEXITED(child_status)) code = WEXITSTATUS(child_status);
  else if (WIFSIGNALED(child_status)) {
    sig = WTERMSIG(child_status);
    code = 128 + sig;
  }
  char started[64] = "", finished[64];
  if (started_at.tv_sec) rfc3339(started, sizeof started, &started_at);
  rfc3339(finished, sizeof finished, &finished_at);
  char json[512];
  int len = snprintf(json, sizeof json,
                     "{\"exitCode\":%d,\"signal\":%d,\"oomKills\":%ld,\"startedAt\":\"%s\",\"finishedAt\":\"%s\",\"started\":%s}\n",
                     code, sig, oom_kills(), started, finished, started_ok ? "true" : "false");
  /* temp + rename keeps the record atomic for a berthd that reads it at any moment or after a
     crash (the page cache outlives processes). No fsync: surviving a power loss is not needed
     (dockerd does not sync these either), and on a busy disk each fsync cost 1-2 s of exit
     latency before the clients heard of the exit. */
  int fd = openat(dir_fd, "exit.json.tmp", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd >= 0) {
    write_all(fd, json, (size_t)len);
    close(fd);
    renameat(dir_fd, "exit.json.tmp", dir_fd, "exit.json");
  }
  if (sync_fd >= 0) reply_start(start_error[0] ? start_error : "error container has exited");
  unlinkat(dir_fd, "m.sock", 0);
  for (int i = 0; i < MAX_CLIENTS; i++) {
    struct client *c = &clients[i];
    if (c->fd < 0) continue;
    frame(c, 'X', json, (size_t)len - 1);
    /* Give a slow reader a bounded chance to take the tail of the output. */
    int flags = fcntl(c->fd, F_GETFL);
    fcntl(c->fd, F_SETFL, flags & ~O_NONBLOCK);
    struct timeval tv = {.tv_sec = 5, .tv_usec = 0};
    setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (buf_pending(&c->out)) write_all(c->fd, c->out.p + c->out.off, buf_pending(&c->out));
    shutdown(c->fd, SHUT_WR);
    client_close(c);
  }
  exit(0);
}

static void reap(void) {
  struct signalfd_siginfo si;
  while (read(sig_fd, &si, sizeof si) == sizeof si) {
  }
  int st;
  pid_t p;
  while ((p = waitpid(-1, &st, WNOHANG)) > 0) {
    if (p == child_pid) {
      child_status = st;
      state = 2;
      clock_gettime(CLOCK_REALTIME, &finished_at);
      close_stdin();
    }
  }
}

static void event_loop(void) {
  struct pollfd pfd[MAX_CLIENTS + 8];
  struct timespec deadline = {0, 0};
  for (;;) {
    if (state == 2) {
      struct timespec now;
      clock_gettime(CLOCK_MONOTONIC, &now);
      if (!deadline.tv_sec) deadline.tv_sec = now.tv_sec + 2;
      if ((out_fd[1] < 0 && out_fd[2] < 0) || now.tv_sec >= deadline.tv_sec) finish();
    }
    int n = 0, paused = output_paused();
    pfd[n++] = (struct pollfd){.fd = listen_fd, .events = POLLIN};
    pfd[n++] = (struct pollfd){.fd = sig_fd, .events = POLLIN};
    pfd[n++] = (struct pollfd){.fd = sync_fd, .events = POLLIN};
    pfd[n++] = (struct pollfd){.fd = paused ? -1 : out_fd[1], .events = POLLIN};
    pfd[n++] = (struct pollfd){.fd = paused ? -1 : out_fd[2], .events = POLLIN};
    pfd[n++] = (struct pollfd){.fd = buf_pending(&stdin_pending) ? stdin_fd : -1, .events = POLLOUT};
    int base = n;
    int stdin_busy = buf_pending(&stdin_pending) > 0;
    for (int i = 0; i < MAX_CLIENTS; i++) {
      struct client *c = &clients[i];
      short ev = 0;
      if (c->fd >= 0) {
        if (!stdin_busy) ev |= POLLIN;
        if (buf_pending(&c->out)) ev |= POLLOUT;
      }
      pfd[n++] = (struct pollfd){.fd = c->fd >= 0 ? c->fd : -1, .events = ev};
    }
    int rc = poll(pfd, (nfds_t)n, state == 2 ? 200 : -1);
    if (rc < 0 && errno != EINTR) exit(3);
    if (rc <= 0) continue;
    if (pfd[1].revents) reap();
    if (pfd[3].revents && out_fd[1] >= 0) read_output(1);
    if (pfd[4].revents && out_fd[2] >= 0) read_output(2);
    if (pfd[2].revents && sync_fd >= 0) read_sync();
    if (pfd[5].revents) flush_stdin();
    for (int i = 0; i < MAX_CLIENTS; i++) {
      struct client *c = &clients[i];
      short re = pfd[base + i].revents;
      if (c->fd < 0 || !re) continue;
      if (re & POLLOUT) client_flush(c);
      if (c->fd >= 0 && (re & (POLLIN | POLLHUP | POLLERR))) client_read(c);
    }
    if (pfd[0].revents) client_accept();
  }
}

static int recv_fd(int sock, char *msg, size_t cap, int *fd_out) {
  char cbuf[CMSG_SPACE(sizeof(int))];
  struct iovec iov = {.iov_base = msg, .iov_len = cap - 1};
  struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf};
  ssize_t n;
  do n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n <= 0) return (int)n;
  msg[n] = 0;
  for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) memcpy(fd_out, CMSG_DATA(c), sizeof(int));
  return (int)n;
}

static int report_fd = 1;

__attribute__((noreturn)) static void report_fail(const char *fmt, ...) {
  char buf[4200];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf - 2, fmt, ap);
  va_end(ap);
  if (n < 0) n = 0;
  if (n > (int)sizeof buf - 2) n = sizeof buf - 2;
  for (int i = 0; i < n; i++)
    if (buf[i] == '\n') buf[i] = ' ';
  buf[n++] = '\n';
  write_all(report_fd, "error ", 6);
  write_all(report_fd, buf, (size_t)n);
  if (dir_fd >= 0) unlinkat(dir_fd, "m.sock", 0);
  exit(1);
}

int main(int argc, char **argv) {
  if (argc != 3 || (strcmp(argv[1], "run") != 0 && strcmp(argv[1], "exec") != 0)) {
    fprintf(stderr, "usage: berth-shim run|exec <state-dir>\n");
    return 2;
  }
  int is_exec = strcmp(argv[1], "exec") == 0;
  /* Inherit nothing but stdio from whoever launched us. */
  syscall(SYS_close_range, 3, ~0U, 0);
  signal(SIGPIPE, SIG_IGN);
  signal(SIGHUP, SIG_IGN);
  dir_fd = open(argv[2], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0) report_fail("open state dir %s: %s", argv[2], strerror(errno));
  if (load_plan(0) < 0) report_fail("read plan: %s", strerror(errno));

  /* Daemonise: the launcher returns at once; the monitor is reparented away from berthd. */
  pid_t p = fork();
  if (p < 0) report_fail("fork: %s", strerror(errno));
  if (p > 0) _exit(0);
  setsid();
  for (int i = 0; i < MAX_CLIENTS; i++) clients[i].fd = -1;

  /* Bind relative to the state dir: socket paths are limited to 108 bytes, state dirs are not. */
  listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  struct sockaddr_un sa = {.sun_family = AF_UNIX};
  strcpy(sa.sun_path, "m.sock");
  if (fchdir(dir_fd) < 0) report_fail("chdir state dir: %s", strerror(errno));
  int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (probe >= 0 && connect(probe, (struct sockaddr *)&sa, sizeof sa) == 0) {
    dir_fd = -1; /* not ours to unlink */
    report_fail("a monitor is already running in %s", argv[2]);
  }
  if (probe >= 0) close(probe);
  unlink("m.sock");
  if (bind(listen_fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(listen_fd, 16) < 0)
    report_fail("listen on m.sock: %s", strerror(errno));
  if (chdir("/") < 0) report_fail("chdir /: %s", strerror(errno));

  const char *logp = plan_get("log");
  if (logp && logp[0]) {
    log_fd = open(logp, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (log_fd < 0) report_fail("open log %s: %s", logp, strerror(errno));
    struct stat lst;
    if (fstat(log_fd, &lst) == 0) log_size = lst.st_size;
    log_path = logp;
    log_max = plan_num("logmax", 0);
    log_files = plan_num("logfiles", 1);
    log_attrs = plan_get("logattrs");
    if (log_attrs && !log_attrs[0]) log_attrs = NULL;
    log_out_cap = LOG_LINE_MAX * 6 + 256 + (log_attrs ? strlen(log_attrs) : 0);
    log_out = malloc(log_out_cap);
    if (!log_out) report_fail("log buffer: %s", strerror(errno));
  }
  is_tty = plan_num("tty", 0) != 0;
  int open_stdin = plan_num("stdin", 0) != 0;
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) report_fail("socketpair: %s", strerror(errno));
  struct stdio_fds io = {-1, -1, -1};
  int pin[2] = {-1, -1}, pout[2] = {-1, -1}, perr[2] = {-1, -1};
  if (!is_tty) {
    if (open_stdin) {
      if (pipe2(pin, O_CLOEXEC) < 0) report_fail("pipe: %s", strerror(errno));
      io.in = pin[0];
      stdin_fd = pin[1];
    } else {
      io.in = open("/dev/null", O_RDONLY | O_CLOEXEC);
    }
    if (pipe2(pout, O_CLOEXEC) < 0 || pipe2(perr, O_CLOEXEC) < 0) report_fail("pipe: %s", strerror(errno));
    io.out = pout[1];
    io.err = perr[1];
    out_fd[1] = pout[0];
    out_fd[2] = perr[0];
  }

  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGCHLD);
  sigprocmask(SIG_BLOCK, &mask, NULL);
  sig_fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);

  if (plan_get("uidmap")) {
    char err[512];
    const char *from = plan_get("usernsfrom");
    int fromfd = -1;
    /* Sharing another container's net/ipc/pid namespace: its user namespace too (as dockerd). */
    if (from && (fromfd = open(from, O_RDONLY | O_CLOEXEC)) < 0) report_fail("open %s: %s", from, strerror(errno));
    if (from && !plan_num("usernsowns", 0)) g_userns = fromfd;
    else if (make_userns(fromfd, err, sizeof err) < 0) report_fail("%s", err);
  }
  /* The pid namespace is entered by the monitor (it only affects its children). */
  const char *pidns = plan_get("pidns");
  if (pidns) {
    int fd = open(pidns, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || setns(fd, CLONE_NEWPID) < 0) report_fail("setns %s: %s", pidns, strerror(errno));
    close(fd);
  } else if (plan_num("newpid", 0) && unshare(CLONE_NEWPID) < 0) {
    report_fail("unshare pid namespace: %s", strerror(errno));
  }
  const char *rootfs = plan_get("rootfs");
  child_pid = fork();
  if (child_pid < 0) report_fail("fork: %s", strerror(errno));
  if (child_pid == 0) {
    g_sync = sv[1];
    close(sv[0]);
    child_main(is_exec, rootfs ? rootfs : "/", io);
  }
  /* The child holds the namespaces it enters; the monitor has no use for them. */
  for (int i = 0; i < 3; i++)
    if (g_owned_ns[i] >= 0) close(g_owned_ns[i]);
  close(sv[1]);
  sync_fd = sv[0];
  if (io.in >= 0) close(io.in);
  if (io.out >= 0) close(io.out);
  if (io.err >= 0) close(io.err);

  /* Join the cgroups (paths are policy from the plan) while the child waits. */
  char pidstr[32];
  int pidlen = snprintf(pidstr, sizeof pidstr, "%d", (int)child_pid);
  for (int i = 0; i < nrecs; i++) {
    if (strcmp(recs[i].f[0], "cgroup") != 0) continue;
    int fd = open(fld(&recs[i], 1), O_WRONLY | O_CLOEXEC);
    int ok = fd >= 0 && write(fd, pidstr, (size_t)pidlen) == pidlen;
    int e = errno;
    if (fd >= 0) close(fd);
    if (!ok) {
      kill(child_pid, SIGKILL);
      waitpid(child_pid, NULL, 0);
      report_fail("join cgroup %s: %s", fld(&recs[i], 1), strerror(e));
    }
  }
  send(sync_fd, "go", 2, MSG_NOSIGNAL);

  /* Wait for the child's setup: "pty" (with the master fd), then "ready" or "error …". */
  for (;;) {
    char msg[4200];
    int fd = -1;
    int n = recv_fd(sync_fd, msg, sizeof msg, &fd);
    if (n <= 0) {
      int st = 0;
      waitpid(child_pid, &st, 0);
      report_fail("container init exited during setup (status %d)", st);
    }
    if (strcmp(msg, "pty") == 0 && fd >= 0) {
      out_fd[1] = fd;
      stdin_fd = open_stdin ? dup(fd) : -1;
      fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
      continue;
    }
    if (strncmp(msg, "error ", 6) == 0) {
      waitpid(child_pid, NULL, 0);
      report_fail("%s", msg + 6);
    }
    if (strcmp(msg, "ready") == 0) break;
  }
  if (stdin_fd >= 0) fcntl(stdin_fd, F_SETFL, fcntl(stdin_fd, F_GETFL) | O_NONBLOCK | O_CLOEXEC);
  for (int s = 1; s <= 2; s++)
    if (out_fd[s] >= 0) fcntl(out_fd[s], F_SETFL, fcntl(out_fd[s], F_GETFL) | O_NONBLOCK);

  char pidfile[32];
  int plen = snprintf(pidfile, sizeof pidfile, "%d %d\n", (int)getpid(), (int)child_pid);
  int pf = openat(dir_fd, "pids.tmp", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (pf >= 0) {
    write_all(pf, pidfile, (size_t)plen);
    close(pf);
    renameat(dir_fd, "pids.tmp", dir_fd, "pids");
  }
  char ready[64];
  int rlen = snprintf(ready, sizeof ready, "ready %d %d\n", (int)getpid(), (int)child_pid);
  write_all(report_fd, ready, (size_t)rlen);
  int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
  dup2(devnull, 0);
  dup2(devnull, 1);
  dup2(devnull, 2);
  close(devnull);
  event_loop();
  return 0;
}
