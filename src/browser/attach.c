/* memtrack-tui --attach: runs the dump command of the memtrack package
 * (attach.h) and reads the path it prints. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "attach.h"

#ifndef MT_PYTHON
#define MT_PYTHON "python3"
#endif
#ifndef MT_PKGDIR
#define MT_PKGDIR ""
#endif

int mt_attach_valid_pid(const char *s)
{
	long v = 0;
	if (!*s)
		return 0;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9' || p - s > 8)
			return 0;
		v = v * 10 + (*p - '0');
	}
	return v > 0 && v <= 4194304;
}

/* PYTHONPATH for the command: the package's directory first. */
static char *python_path(const char *pkgdir)
{
	const char *old = getenv("PYTHONPATH");
	size_t n = strlen(pkgdir) + (old ? strlen(old) : 0) + 2;
	char *s = malloc(n);
	if (!s)
		return NULL;
	if (old && *old && *pkgdir)
		snprintf(s, n, "%s:%s", pkgdir, old);
	else
		snprintf(s, n, "%s", *pkgdir ? pkgdir : (old ? old : ""));
	return s;
}

/* A memtrack-tui run from its build tree uses that tree's package
 * (python/memtrack/ beside the program, or beside its .libs/), not an
 * installed one of another version: dir gets it, or nothing (0). */
static int build_tree_pkgdir(char *dir, size_t n)
{
	char exe[4096];
	ssize_t k = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (k <= 0)
		return 0;
	exe[k] = '\0';
	char *slash = strrchr(exe, '/');
	if (!slash)
		return 0;
	*slash = '\0';
	static const char *const rel[] = {"/python", "/../python"};
	for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
		char probe[4200];
		snprintf(probe, sizeof probe, "%s%s/memtrack/__init__.py", exe,
			 rel[i]);
		if (access(probe, R_OK) == 0 &&
		    (size_t)snprintf(dir, n, "%s%s", exe, rel[i]) < n)
			return 1;
	}
	return 0;
}

int mt_attach_dump(const char *progname, const char *pid, char **path)
{
	const char *py = getenv("MEMTRACK_PYTHON");
	const char *pkg = getenv("MEMTRACK_PYTHONPATH");
	char tree[4200];
	if (!py || !*py)
		py = MT_PYTHON;
	if (!pkg)
		pkg = build_tree_pkgdir(tree, sizeof tree) ? tree : MT_PKGDIR;
	char *pp = python_path(pkg);
	int fd[2];
	if (!pp || pipe(fd) != 0) {
		fprintf(stderr, "%s: --attach: %s\n", progname,
			pp ? strerror(errno) : "out of memory");
		free(pp);
		return 1;
	}
	fflush(NULL);
	pid_t child = fork();
	if (child < 0) {
		fprintf(stderr, "%s: --attach: cannot fork: %s\n", progname,
			strerror(errno));
		close(fd[0]);
		close(fd[1]);
		free(pp);
		return 1;
	}
	if (child == 0) {
		dup2(fd[1], STDOUT_FILENO);
		close(fd[0]);
		close(fd[1]);
		if (*pp)
			setenv("PYTHONPATH", pp, 1);
		execlp(py, py, "-m", "memtrack", "dump", "--pid", pid,
		       "--directory", ".", (char *)NULL);
		fprintf(stderr, "%s: --attach: cannot run %s: %s\n", progname,
			py, strerror(errno));
		_exit(127);
	}
	free(pp);
	close(fd[1]);
	char buf[4096];
	size_t len = 0;
	for (;;) {
		ssize_t r = read(fd[0], buf + len, sizeof buf - 1 - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
		if (len == sizeof buf - 1)
			break;
	}
	close(fd[0]);
	buf[len] = '\0';
	int st;
	while (waitpid(child, &st, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		/* the command said why (or the exec failure above) */
		if (WIFSIGNALED(st))
			fprintf(stderr, "%s: --attach: %s died of signal %d\n",
				progname, py, WTERMSIG(st));
		return 1;
	}
	char *nl = strchr(buf, '\n');
	if (nl)
		*nl = '\0';
	if (!buf[0]) {
		fprintf(stderr, "%s: --attach: %s printed no dump path\n",
			progname, py);
		return 1;
	}
	*path = strdup(buf);
	if (!*path) {
		fprintf(stderr, "%s: out of memory\n", progname);
		return 1;
	}
	return 0;
}
