/*
 * berth-init: Berth's `--init` (dockerd's docker-init / tini role). Bind-mounted read-only at
 * /sbin/docker-init and run as PID 1:  /sbin/docker-init -- argv...
 *
 * It starts argv as its child, forwards every catchable signal to it, reaps all zombies that are
 * re-parented to it, and exits with the child's status (128+signal when the child was killed).
 * As PID 1 it has handlers (via sigwait) for everything, so `docker stop`'s SIGTERM reaches the
 * child at once instead of being ignored by the kernel's PID-1 protection.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
  int first = 1;
  if (first < argc && strcmp(argv[first], "--") == 0) first++;
  if (first >= argc) {
    fprintf(stderr, "usage: docker-init -- command [args...]\n");
    return 2;
  }
  sigset_t all, old;
  sigfillset(&all);
  sigprocmask(SIG_BLOCK, &all, &old);

  pid_t child = fork();
  if (child < 0) {
    perror("docker-init: fork");
    return 1;
  }
  if (child == 0) {
    /* Own process group, in the foreground of the terminal if there is one, so the tty's
       Ctrl-C goes to the program (and not twice: once from the tty, once forwarded by us). */
    setpgid(0, 0);
    if (isatty(0)) {
      signal(SIGTTOU, SIG_IGN);
      tcsetpgrp(0, getpgrp());
      signal(SIGTTOU, SIG_DFL);
    }
    sigprocmask(SIG_SETMASK, &old, NULL);
    execvp(argv[first], argv + first);
    fprintf(stderr, "docker-init: exec %s: %s\n", argv[first], strerror(errno));
    _exit(errno == ENOENT ? 127 : 126);
  }
  for (;;) {
    siginfo_t si;
    int sig = sigwaitinfo(&all, &si);
    if (sig < 0) continue;
    if (sig != SIGCHLD) {
      /* SIGTTIN/SIGTTOU/SIGTSTP for ourselves make no sense: forward like tini does. */
      kill(child, sig);
      continue;
    }
    int status;
    pid_t p;
    while ((p = waitpid(-1, &status, WNOHANG)) > 0) {
      if (p != child) continue;
      if (WIFEXITED(status)) return WEXITSTATUS(status);
      if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    }
  }
}
