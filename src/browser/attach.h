/* memtrack-tui --attach PID: dump a running Python process first.
 *
 * Runs `PYTHON -m memtrack dump --pid PID --directory .` (doc/attach.md),
 * the interpreter and the package's directory being the configured ones
 * (MT_PYTHON, MT_PKGDIR; the build tree's python/ when the program runs
 * from its build tree) unless MEMTRACK_PYTHON and MEMTRACK_PYTHONPATH
 * say otherwise, and reads the path of the dump it wrote from its
 * standard output.  The command's messages (its summary, or its one-line
 * error) go to our stderr as they are.  Part of the program, not of a
 * library: it may print.
 */
#ifndef MT_BROWSER_ATTACH_H
#define MT_BROWSER_ATTACH_H

/* Whether s is a process id (decimal digits, 1 .. 2^22). */
int mt_attach_valid_pid(const char *s);

/* Dumps process pid into the current directory.  Returns 0 and *path (a
 * malloc'd string, the caller frees), or 1 after a one-line message on
 * stderr (the command's own, or progname's when it could not run). */
int mt_attach_dump(const char *progname, const char *pid, char **path);

#endif
