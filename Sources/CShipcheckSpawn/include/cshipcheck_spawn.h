#ifndef CSHIPCHECK_SPAWN_H
#define CSHIPCHECK_SPAWN_H

#include <stddef.h>
#include <sys/types.h>

/// Starts `argv[0]` (searched in PATH when it has no slash) in a new process group,
/// with default signal dispositions, an empty signal mask, `cwd` as its working
/// directory (NULL keeps ours) and the given descriptors as stdin, stdout and stderr.
/// Returns 0 and sets `*pid`, or an errno value.
int shipcheck_spawn(const char *const argv[], const char *const envp[], const char *cwd,
                    int stdin_fd, int stdout_fd, int stderr_fd, pid_t *pid);

/// waitpid(pid, &status, WNOHANG): 0 while running, -1 on error, pid once exited.
/// On exit, `*exit_code` holds the exit status or -1, `*signal` the terminating signal or 0.
int shipcheck_try_wait(pid_t pid, int *exit_code, int *signal);

/// A pipe whose both ends close on exec (and, on Linux, of 1 MiB when allowed); 0 or an errno value.
int shipcheck_pipe(int fds[2]);

/// How many of `count` bytes equal `byte` (vectorised by the C compiler).
size_t shipcheck_count_byte(const unsigned char *bytes, size_t count, unsigned char byte);

#endif
