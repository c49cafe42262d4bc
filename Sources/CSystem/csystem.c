// System calls Swift cannot reach through Glibc: allocator tuning for batch commands, and a fork/exec shim: posix_spawn cannot change the user or (portably) the directory, and Swift
// cannot call fork safely. Only async-signal-safe calls happen between fork and exec.
#define _GNU_SOURCE
#include "csystem.h"
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

extern char **environ;

pid_t cspawn(const char *const argv[], const char *const envp[], const char *cwd,
             long uid, long gid, int out_fd, int err_fd) {
    int report[2];
    if (pipe2(report, O_CLOEXEC) != 0) return -errno;
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        close(report[0]);
        close(report[1]);
        return -e;
    }
    if (pid == 0) {
        int err = 0;
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        for (int s = 1; s < 32; s++) {
            if (s != SIGKILL && s != SIGSTOP) signal(s, SIG_DFL);
        }
        setpgid(0, 0);
        int devnull = open("/dev/null", O_RDWR);
        dup2(devnull, 0);
        dup2(out_fd >= 0 ? out_fd : devnull, 1);
        dup2(err_fd >= 0 ? err_fd : devnull, 2);
        if (cwd && chdir(cwd) != 0) err = errno;
        if (!err && gid >= 0 && (setgroups(0, NULL) != 0 || setgid((gid_t)gid) != 0)) err = errno;
        if (!err && uid >= 0 && setuid((uid_t)uid) != 0) err = errno;
        if (!err) {
            execve(argv[0], (char *const *)argv, envp ? (char *const *)envp : environ);
            err = errno;
        }
        (void)!write(report[1], &err, sizeof err);
        _exit(127);
    }
    close(report[1]);
    int childErr = 0;
    ssize_t n;
    do { n = read(report[0], &childErr, sizeof childErr); } while (n < 0 && errno == EINTR);
    close(report[0]);
    if (n == (ssize_t)sizeof childErr) {
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
        return -childErr;
    }
    return pid;
}

int cspawn_pipe(int fds[2]) { return pipe2(fds, O_CLOEXEC); }

#include <malloc.h>
#include <stdint.h>
#include <sys/mman.h>

int csys_tune_malloc_for_batch(long reserve_bytes, int one_arena) {
    if (one_arena) mallopt(M_ARENA_MAX, 1);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
    mallopt(M_MMAP_THRESHOLD, 32 << 20); /* glibc's maximum */
    char *before = sbrk(0);
    if (before == (char *)-1) return -1;
    /* One growth of the heap by the whole reserve: a block larger than the free top forces
       it, and freeing the block gives it back to the top chunk, which the trim threshold
       keeps. Only the pages at the block's two ends are touched. */
    mallopt(M_TOP_PAD, (int)reserve_bytes);
    /* volatile: a compiler may drop a malloc whose block is only freed */
    static void *volatile block;
    block = malloc(4 << 20);
    mallopt(M_TOP_PAD, 64 << 20);
    if (block == NULL) return -1;
    free(block);
    char *after = sbrk(0);
    if (after == (char *)-1 || after <= before) return -1;
    uintptr_t huge = 2u << 20;
    uintptr_t start = ((uintptr_t)before + huge - 1) & ~(huge - 1);
    uintptr_t end = (uintptr_t)after & ~(huge - 1);
    if (end > start) madvise((void *)start, end - start, MADV_HUGEPAGE);
    return 0;
}

int csys_advise_thread_heap(void) {
    /* glibc gives each thread past the first an arena in its own heap: a 64 MiB-aligned
       reservation (HEAP_MAX_SIZE on 64-bit) that grows in place. Marking the whole
       reservation for huge pages covers what this thread will allocate there. */
    static void *volatile probe;
    probe = malloc(64);
    if (probe == NULL) return -1;
    uintptr_t p = (uintptr_t)probe;
    free(probe);
    char *brk_end = sbrk(0);
    if (brk_end != (char *)-1 && p < (uintptr_t)brk_end) return 0; /* the main arena: done */
    uintptr_t heap_max = 64u << 20;
    return madvise((void *)(p & ~(heap_max - 1)), heap_max, MADV_HUGEPAGE);
}

#include <sched.h>

static cpu_set_t spread_allowed;
static int spread_on;

int csys_spread_threads_init(void) {
    if (sched_getaffinity(0, sizeof spread_allowed, &spread_allowed) != 0) return 0;
    spread_on = CPU_COUNT(&spread_allowed) > 1;
    return spread_on;
}

int csys_thread_attr_elsewhere(pthread_attr_t *attr) {
    if (!spread_on) return 0;
    int here = sched_getcpu();
    if (here < 0 || here >= CPU_SETSIZE || !CPU_ISSET(here, &spread_allowed)) return 0;
    cpu_set_t elsewhere = spread_allowed;
    CPU_CLR(here, &elsewhere);
    return pthread_attr_setaffinity_np(attr, sizeof elsewhere, &elsewhere) == 0;
}

int csys_thread_affinity_restore(void) {
    if (!spread_on) return 0;
    return sched_setaffinity(0, sizeof spread_allowed, &spread_allowed) == 0;
}

int csys_current_cpu(void) { return sched_getcpu(); }

int csys_thread_cpu_count(void) {
    cpu_set_t s;
    return sched_getaffinity(0, sizeof s, &s) == 0 ? CPU_COUNT(&s) : -1;
}

int csys_pin_to_current_cpu(void) {
    int here = sched_getcpu();
    if (here < 0 || here >= CPU_SETSIZE) return -1;
    cpu_set_t s;
    CPU_ZERO(&s);
    CPU_SET(here, &s);
    return sched_setaffinity(0, sizeof s, &s) == 0 ? here : -1;
}
