// berth-devfilter <cgroup-dir> < program
//
// cgroup v2's device controller is a BPF program attached to the cgroup. Node cannot call bpf(2),
// so this loads the program berthd compiled (runtime/cgroups/device-filter-bpf.ts: raw
// instructions on stdin) and attaches it to the container's cgroup. It decides nothing itself.
// The attachment outlives this process: the kernel keeps it until the cgroup is removed.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_INSNS 4096

static int sys_bpf(int cmd, union bpf_attr *attr) {
  return (int)syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static int load(const unsigned char *prog, size_t len, char *log, uint32_t log_size) {
  union bpf_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  attr.insns = (uint64_t)(uintptr_t)prog;
  attr.insn_cnt = (uint32_t)(len / 8);
  attr.license = (uint64_t)(uintptr_t) "Apache";
  if (log != NULL) {
    attr.log_buf = (uint64_t)(uintptr_t)log;
    attr.log_size = log_size;
    attr.log_level = 1;
  }
  return sys_bpf(BPF_PROG_LOAD, &attr);
}

int main(int argc, char **argv) {
  static unsigned char prog[MAX_INSNS * 8 + 1];
  static char log[1 << 16];
  if (argc != 2) {
    fprintf(stderr, "usage: berth-devfilter <cgroup-dir> < program\n");
    return 2;
  }
  size_t n = 0;
  ssize_t r;
  while (n < sizeof prog && (r = read(0, prog + n, sizeof prog - n)) != 0) {
    if (r < 0) {
      if (errno == EINTR) continue;
      perror("berth-devfilter: read");
      return 2;
    }
    n += (size_t)r;
  }
  if (n == 0 || n % 8 != 0 || n > MAX_INSNS * 8) {
    fprintf(stderr, "berth-devfilter: a program is 1 to %d instructions of 8 bytes, got %zu bytes\n", MAX_INSNS, n);
    return 2;
  }
  int prog_fd = load(prog, n, NULL, 0);
  if (prog_fd < 0) {
    int err = errno;
    // Load again with the verifier's log, only to say why.
    load(prog, n, log, sizeof log);
    fprintf(stderr, "berth-devfilter: loading the device filter: %s\n%s", strerror(err), log);
    return 1;
  }
  int cg_fd = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (cg_fd < 0) {
    fprintf(stderr, "berth-devfilter: %s: %s\n", argv[1], strerror(errno));
    return 1;
  }
  union bpf_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.target_fd = (uint32_t)cg_fd;
  attr.attach_bpf_fd = (uint32_t)prog_fd;
  attr.attach_type = BPF_CGROUP_DEVICE;
  attr.attach_flags = BPF_F_ALLOW_MULTI;
  if (sys_bpf(BPF_PROG_ATTACH, &attr) < 0) {
    fprintf(stderr, "berth-devfilter: attaching to %s: %s\n", argv[1], strerror(errno));
    return 1;
  }
  return 0;
}
