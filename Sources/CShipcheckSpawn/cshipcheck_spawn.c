#define _GNU_SOURCE
#include "cshipcheck_spawn.h"

#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

int shipcheck_spawn(const char *const argv[], const char *const envp[], const char *cwd,
                    int stdin_fd, int stdout_fd, int stderr_fd, pid_t *pid) {
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    int rc = posix_spawn_file_actions_init(&actions);
    if (rc != 0) return rc;
    rc = posix_spawnattr_init(&attr);
    if (rc != 0) { posix_spawn_file_actions_destroy(&actions); return rc; }

    posix_spawn_file_actions_adddup2(&actions, stdin_fd, 0);
    posix_spawn_file_actions_adddup2(&actions, stdout_fd, 1);
    posix_spawn_file_actions_adddup2(&actions, stderr_fd, 2);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
    // The child gets stdin, stdout and stderr only: no listening socket, database connection or
    // pipe of ours may leak into a check (or outlive us in one of its children).
    rc = posix_spawn_file_actions_addclosefrom_np(&actions, 3);
    if (rc != 0) goto done;
#endif
    if (cwd != NULL) {
        rc = posix_spawn_file_actions_addchdir_np(&actions, cwd);
        if (rc != 0) goto done;
    }

    sigset_t all, none;
    sigfillset(&all);
    sigemptyset(&none);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

    rc = posix_spawnp(pid, argv[0], &actions, &attr, (char *const *)argv, (char *const *)envp);
done:
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&actions);
    return rc;
}

int shipcheck_try_wait(pid_t pid, int *exit_code, int *signal) {
    int status = 0;
    pid_t r;
    do {
        r = waitpid(pid, &status, WNOHANG);
    } while (r < 0 && errno == EINTR);
    if (r <= 0) return r;
    *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    *signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    return r;
}

int shipcheck_pipe(int fds[2]) {
#ifdef __linux__
    // Atomic: no concurrent spawn can inherit a half-made pipe.
    if (pipe2(fds, O_CLOEXEC) != 0) return errno;
    // A loud check then writes in steps of 1 MiB rather than 64 KiB: far fewer context switches.
    // Best effort: pipe-max-size or the user's pipe pages may refuse it, and 64 KiB still works.
    (void)fcntl(fds[0], F_SETPIPE_SZ, 1 << 20);
    return 0;
#endif
    if (pipe(fds) != 0) return errno;
    for (int i = 0; i < 2; i++) {
        if (fcntl(fds[i], F_SETFD, FD_CLOEXEC) != 0) {
            int err = errno;
            close(fds[0]);
            close(fds[1]);
            return err;
        }
    }
    return 0;
}
