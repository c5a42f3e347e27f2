/* detach.c - the browser in a child, the shell's process only waiting for
 * its status (detach.h). */
#include "config.h"

#include "detach.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

static volatile sig_atomic_t child_pid;

static void pass_on(int sig)
{
	if (child_pid > 0)
		kill((pid_t)child_pid, sig);
}

/* The parent: waits for the child's status byte, else for its end. */
static _Noreturn void wait_child(pid_t pid, int rfd)
{
	struct sigaction sa = {0};
	unsigned char st;
	ssize_t r;
	int ws;

	child_pid = pid;
	sa.sa_handler = SIG_IGN;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	sa.sa_handler = pass_on;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	do
		r = read(rfd, &st, 1);
	while (r < 0 && errno == EINTR);
	if (r == 1) /* the child is done: its memory is the kernel's affair */
		_exit(st);
	/* no status: it died; its end is ours */
	while (waitpid(pid, &ws, 0) < 0)
		if (errno != EINTR)
			_exit(1);
	if (WIFEXITED(ws))
		_exit(WEXITSTATUS(ws));
	if (WIFSIGNALED(ws)) {
		int sig = WTERMSIG(ws);
		sigset_t set;
		sa.sa_handler = SIG_DFL;
		sigaction(sig, &sa, NULL);
		sigemptyset(&set);
		sigaddset(&set, sig);
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		raise(sig);
		_exit(128 + sig);
	}
	_exit(1);
}

int mt_detach_start(void)
{
	int p[2];
	pid_t parent = getpid(), pid;

	if (pipe(p))
		return -1;
	fflush(NULL); /* nothing buffered is written twice */
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid > 0) {
		close(p[1]);
		wait_child(pid, p[0]);
	}
	close(p[0]);
	(void)fcntl(p[1], F_SETFD, FD_CLOEXEC);
#ifdef __linux__
	/* a parent killed outright must not leave us on its terminal */
	(void)prctl(PR_SET_PDEATHSIG, SIGHUP);
	if (getppid() != parent)
		raise(SIGHUP);
#else
	(void)parent;
#endif
	return p[1];
}

void mt_detach_done(int *fd, int status)
{
	struct sigaction sa = {0};
	unsigned char st = (unsigned char)status;
	ssize_t r;

	if (*fd < 0)
		return;
	fflush(stdout);
	fflush(stderr);
#ifdef __linux__
	(void)prctl(PR_SET_PDEATHSIG, 0);
#endif
	sa.sa_handler = SIG_IGN;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGTSTP, &sa, NULL);
	sigaction(SIGWINCH, &sa, NULL);
	do
		r = write(*fd, &st, 1);
	while (r < 0 && errno == EINTR);
	close(*fd);
	*fd = -1;
}
