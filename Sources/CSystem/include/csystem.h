#ifndef CSYSTEM_H
#define CSYSTEM_H
#include <pthread.h>
#include <sys/types.h>

/// Starts `argv[0]` (an absolute path) in a new process group (its pid), so the whole tree it
/// forks can be signalled at once. `envp` may be NULL (inherit). `cwd` may be NULL. `uid`/`gid`
/// of -1 keep ours. stdin is /dev/null; stdout and stderr go to `out_fd` and `err_fd` (-1:
/// /dev/null). Signal dispositions and the mask are reset in the child.
/// Returns the pid, or -errno when the program could not be started (exec errors are reported
/// through a close-on-exec pipe, so a missing program is an error here, not an exit status).
pid_t cspawn(const char *const argv[], const char *const envp[], const char *cwd,
             long uid, long gid, int out_fd, int err_fd);

/// pipe2(fds, O_CLOEXEC): both ends close on exec (Glibc's module does not export pipe2).
int cspawn_pipe(int fds[2]);

/// Sets glibc's allocator up for a short batch run that builds a large heap once (compiling a
/// catalog): one arena (unless two threads allocate at once), a generous top pad and trim threshold (fewer brk/mprotect calls), large
/// blocks from the heap rather than fresh mmaps, and a heap of `reserve_bytes` marked for
/// transparent huge pages (a 2 MiB page fault instead of 512 small ones). Memory is only
/// committed when touched. Returns 0, or -1 when the heap could not be grown (harmless).
int csys_tune_malloc_for_batch(long reserve_bytes, int one_arena);

/// For a thread with its own allocator arena (diff compiles its two sides on two threads):
/// marks that arena's heap for transparent huge pages, as the batch tuning does for the main
/// heap. Returns 0 (also when the thread uses the main heap), or -1.
int csys_advise_thread_heap(void);

/// A new thread starts on its creator's CPU and, while the creator keeps running, waits
/// there for the scheduler to move it: one tick, ~4 ms on these machines, with the other CPU
/// idle all along (measured: 3.8 ms from pthread_create to the thread's first instruction, 0.1–
/// 0.6 ms with this). `csys_spread_threads_init` (once, on the main thread, before any other
/// thread) records the CPUs the process may use; `csys_thread_attr_elsewhere` then sets a new
/// thread's affinity to those but the caller's current one, and `csys_thread_affinity_restore`,
/// run first in the new thread, gives it back all of them. Each returns 0 when it did nothing
/// (one CPU, no mask), 1 when it did.
int csys_spread_threads_init(void);
int csys_thread_attr_elsewhere(pthread_attr_t *attr);
int csys_thread_affinity_restore(void);
/// This thread's CPU (sched_getcpu); how many CPUs its affinity allows; pins it to its current
/// CPU and returns that CPU, or -1. (Glibc's module does not export the _GNU_SOURCE calls.)
int csys_current_cpu(void);
int csys_thread_cpu_count(void);
int csys_pin_to_current_cpu(void);

#endif
