#ifndef CSYSTEM_H
#define CSYSTEM_H
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

#endif
