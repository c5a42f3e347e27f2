/* detach.h - the process the shell waits for ends when the browser is done
 * with the terminal, not when the kernel has taken its memory back.
 *
 * At 80M objects the browser holds about 9 GB; the kernel takes 0.6-1.4 s
 * to free it after the last screen, and the shell's prompt waits for
 * that.  So on a big dump the browser runs in a child: the parent, which
 * the shell waits for, only waits for the child's exit status (sent
 * through a pipe once the terminal is restored and the last message
 * written) and exits with it at once, while the child goes on freeing.
 * A child that dies without sending its status (a signal, a crash) is
 * waited for and its end passed on: the same status, or the same signal.
 * The parent ignores SIGINT and SIGQUIT (the child decides), passes
 * SIGTERM and SIGHUP on to the child, and stops with it on ^Z (both are
 * in the terminal's foreground group).  The child gets SIGHUP if the
 * parent dies first (Linux).
 */
#ifndef MEMTRACK_BROWSER_DETACH_H
#define MEMTRACK_BROWSER_DETACH_H

/* Forks, before anything big is allocated and before any thread.  In the
 * parent it does not return (it exits with the child's status); in the
 * child it returns the descriptor for mt_detach_done.  -1 when no child
 * was made (no pipe, no fork): the caller goes on in one process. */
int mt_detach_start(void);

/* In the child, once nothing more will be written to the terminal: sends
 * status to the parent (stdout and stderr flushed first) and sets *fd to
 * -1; from then on the child only frees and exits (signals that would
 * end it are ignored, so that no handler draws on the shell's screen).
 * Nothing when *fd is -1. */
void mt_detach_done(int *fd, int status);

#endif
