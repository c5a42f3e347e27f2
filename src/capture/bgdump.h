/* Background dumps: dump(path, background=True) walks the heap in a forked
 * child while the program goes on (bgdump.c).
 *
 * module.c prepares everything that may run Python code (collection,
 * plugin selection, header), then calls mt_bgdump_start, which forks with a
 * raw fork() and runs module.c's child function in the child.  The child
 * runs no Python code: it walks the copy-on-write image, writes the dump
 * through the usual writer, sends one report through a pipe
 * (mt_bgdump_send_result) and _exit()s.  In the parent a reaper thread (C,
 * never holds the GIL) reads the pipe to its end and waitpid()s the child,
 * so no child is left a zombie, whether or not the handle is waited for.
 * The handle (type BackgroundDump) only reads what the reaper stored.
 */
#ifndef MT_CAPTURE_BGDUMP_H
#define MT_CAPTURE_BGDUMP_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stddef.h>
#include <stdint.h>

/* The child's report: this struct, then `text_len` bytes of text: the
 * names of the plugins used, then the warnings, each string ended by a NUL
 * (nplugins + nwarnings strings). */
typedef struct mt_bgdump_out {
	uint32_t magic;	   /* MT_BGDUMP_MAGIC */
	int32_t status;	   /* mt_status of the walk */
	int32_t sys_errno; /* errno of an MT_IO failure, else 0 */
	uint32_t nplugins, nwarnings, text_len;
	uint64_t objects, edges, bytes, heap_bytes, reachable;
	double seconds; /* the child's walk, wall time */
	char reason[480];
} mt_bgdump_out;

#define MT_BGDUMP_MAGIC 0x6d744247u
/* Bound of the text after the report: far below a pipe's capacity, so the
 * child's write never waits for a reader. */
#define MT_BGDUMP_TEXT_MAX 16384

/* Runs in the child; never returns (ends with _exit).  `fd` is the pipe
 * to the parent. */
typedef void (*mt_bgdump_child_fn)(void *arg, int fd);

/* NULL when a background dump may run here, else why not (a
 * free-threaded build, a subinterpreter, no fork()). */
const char *mt_bgdump_refusal(void);

/* Forks.  In the child: SIGINT and SIGTERM default, SIGPIPE ignored, every
 * file descriptor but 0, 1, 2 and the pipe closed, then fn(arg, fd).  In
 * the parent: a new BackgroundDump for the child, or NULL with an
 * exception (OSError with the errno of pipe, thread or fork).  `report`:
 * nobody will wait (dump(_report=True)); `t0` (CLOCK_MONOTONIC seconds):
 * when the dump() call began, for the handle's pause. */
PyObject *mt_bgdump_start(const char *path, int report, double t0,
			  mt_bgdump_child_fn fn, void *arg);

/* Sets the handle's pause (seconds of the dump() call, measured by the
 * caller once it has cleaned up after the fork). */
void mt_bgdump_set_pause(PyObject *handle, double pause);

/* Child side.  Ends the child (_exit: no atexit handler, no stdio flush,
 * no Python finalisation: the program's, not ours).  The one exit of the
 * capture library. */
_Noreturn void mt_bgdump_child_exit(int status);
/* Child side.  Tells the parent the temporary file's path (removed by
 * the parent when the child is killed before it could remove it). */
void mt_bgdump_send_tmp(int fd, const char *tmp);
/* Sends the report (text as described above, cut at MT_BGDUMP_TEXT_MAX on a
 * string boundary).  Async-signal-safe (write(2) only). */
void mt_bgdump_send_result(int fd, mt_bgdump_out *o, const char *text,
			   size_t len);

/* Background dumps of this process whose child has not been reaped yet. */
int mt_bgdump_active(void);

/* module.c: a Record (dict with attribute access) of n (key, value) pairs,
 * values new references (a NULL value: NULL, every value released). */
PyObject *mt_py_record_of(size_t n, const char *const *keys, PyObject **vals);
/* module.c: the dump() exception of a failure (OSError with errno and path
 * for an I/O error with an errno, MemoryError, RuntimeError...), from the
 * child's status, errno and formatted reason.  Returns NULL. */
PyObject *mt_py_dump_failure(int status, int sys_errno, const char *reason,
			     const char *path);
/* module.c: after a successful dump, the process logs' marker. */
void mt_py_dump_done(const char *path);

#endif
