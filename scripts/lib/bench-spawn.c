/* bench-spawn LOG CMD [ARG...] -- runs CMD once, its stdout and stderr to LOG, and prints
 * "WALL_SECONDS MAXRSS_KIB EXIT_CODE" on stdout.
 *
 * What bench-validate.sh times each run with, in place of bash's clock around
 * `/usr/bin/time CMD >LOG`: the wall here is from just before fork to the child reaped
 * (CLOCK_MONOTONIC), so it leaves out bash's fork and GNU time's own exec, ~1 ms of the
 * 1.6 ms that `/usr/bin/time /bin/true` took there. Peak RSS is the child's ru_maxrss from
 * wait4, what GNU time's %M reports; this process is as small as GNU time, so the floor a
 * forked child starts from is the same (~1 MiB). LOG is truncated before the clock starts.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: bench-spawn LOG CMD [ARG...]\n");
        return 2;
    }
    int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) { perror(argv[1]); return 2; }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid_t pid = fork();
    if (pid < 0) { perror("fork"); return 2; }
    if (pid == 0) {
        dup2(fd, 1);
        dup2(fd, 2);
        execvp(argv[2], argv + 2);
        dprintf(2, "bench-spawn: cannot run %s\n", argv[2]);
        _exit(127);
    }
    int status = 0;
    struct rusage usage;
    while (wait4(pid, &status, 0, &usage) < 0) {
        if (errno != EINTR) { perror("wait4"); return 2; }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double wall = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    printf("%.6f %ld %d\n", wall, usage.ru_maxrss, code);
    return 0;
}
