"""python3 -m memtrack run [OPTIONS] script.py [ARGS...]
python3 -m memtrack run [OPTIONS] -m MODULE [ARGS...]

Runs a program as `python3 script.py ARGS` (or `python3 -m MODULE ARGS`)
would, with memtrack.dump_on_signal installed (SIGUSR2 by default), and
with --dump-at-exit a foreground dump when the program's code ends
(normally, by an exception or by sys.exit), while its globals are still
alive (doc/capture.md, "Dumps on a signal, a memory bound, or at exit").
The exit status is the program's; an uncaught exception is shown as Python
shows it.  Errors of the command line: one line on stderr, exit status 2.
"""

import os
import signal
import sys

PROG = "python3 -m memtrack run"

USAGE = """\
usage: %s [--dump-at-exit PATH] [--signal SIG] [--directory DIR]
       [--foreground] (script.py | -m MODULE) [ARGS...]

Run a Python program with dumps on a signal and, optionally, at its exit.

options:
  --dump-at-exit PATH  a dump to PATH when the program's code ends
  --signal SIG         the signal that makes a dump (a name such as USR1,
                       SIGUSR1, or a number; default SIGUSR2; 'none': no
                       signal handler)
  --directory DIR      where the signal's dumps go (default: the current
                       directory), named PROG.PID.YYYYMMDD-HHMMSS.SEQ.mp
  --foreground         the signal's dumps stop the program for the walk
                       (default: a forked background dump)
  -m MODULE            run a module, as python3 -m MODULE does
""" % PROG


class _Usage(Exception):
    pass


def _signal_number(text):
    """SIG's number from 'USR1', 'SIGUSR1', 'usr1' or '12'; None for
    'none'."""
    t = text.strip()
    if t.lower() == "none":
        return None
    if t.isdigit():
        n = int(t)
        valid = getattr(signal, "valid_signals", None)
        if valid is not None and n not in valid():
            raise _Usage("unknown signal %r" % text)
        return n
    name = t.upper()
    if not name.startswith("SIG"):
        name = "SIG" + name
    n = getattr(signal.Signals, name, None) if name.isidentifier() else None
    if n is None:
        raise _Usage("unknown signal %r" % text)
    return int(n)


def _parse(argv):
    """(options dict, 'script' or 'module', target, args)."""
    opts = {"dump_at_exit": None, "signal": signal.SIGUSR2,
            "directory": ".", "background": True}
    takes = {"--dump-at-exit": "dump_at_exit", "--signal": "signal",
             "--directory": "directory"}
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in ("-h", "--help"):
            sys.stdout.write(USAGE)
            raise SystemExit(0)
        if a == "--foreground":
            opts["background"] = False
            i += 1
            continue
        key, val = a, None
        if a.startswith("--") and "=" in a:
            key, val = a.split("=", 1)
        if key in takes:
            if val is None:
                if i + 1 >= len(argv):
                    raise _Usage("%s needs a value" % key)
                val = argv[i + 1]
                i += 1
            i += 1
            if key == "--signal":
                opts["signal"] = _signal_number(val)
            elif not val:
                raise _Usage("%s needs a value" % key)
            else:
                opts[takes[key]] = val
            continue
        if a == "-m":
            if i + 1 >= len(argv):
                raise _Usage("-m needs a module name")
            return opts, "module", argv[i + 1], argv[i + 2:]
        if a.startswith("-m") and len(a) > 2:
            return opts, "module", a[2:], argv[i + 1:]
        if a == "--":
            i += 1
            break
        if a.startswith("-") and a != "-":
            raise _Usage("unknown option %r (try --help)" % a)
        break
    if i >= len(argv):
        raise _Usage("no script to run (try --help)")
    return opts, "script", argv[i], argv[i + 1:]


def _trim(tb):
    """The traceback from the program's first frame (its __main__ code),
    without this runner's and runpy's frames, as `python3 script.py`
    shows it."""
    t = tb
    while t is not None:
        if t.tb_frame.f_globals.get("__name__") == "__main__":
            return t
        t = t.tb_next
    return None  # a SyntaxError of the program: no frame of it


def _run_script(path, args):
    """Runs the file as __main__; returns the module (its globals) or
    raises what the program raised.  OSError opening it: _Usage."""
    import builtins
    import io
    import types
    from importlib.machinery import SourceFileLoader

    try:
        with io.open_code(path) as f:
            source = f.read()
    except OSError as e:
        raise _Usage("can't open file %r: [Errno %d] %s"
                     % (os.path.abspath(path), e.errno, e.strerror))
    # as python3 (3.9+): __file__ and the code's file name absolute,
    # sys.argv[0] as given
    full = os.path.abspath(path)
    mod = types.ModuleType("__main__")
    mod.__file__ = full
    mod.__cached__ = None
    mod.__loader__ = SourceFileLoader("__main__", full)
    mod.__builtins__ = builtins
    sys.modules["__main__"] = mod
    sys.argv[:] = [path] + list(args)
    # as python3 script.py: the script's directory (symbolic links
    # resolved) replaces the current directory python3 -m put first,
    # unless -P / PYTHONSAFEPATH (3.11+) asked for neither
    if not getattr(sys.flags, "safe_path", False):
        sys.path[0] = os.path.dirname(os.path.realpath(path))
    code = compile(source, full, "exec", dont_inherit=True)
    exec(code, mod.__dict__)
    return mod


def _run_module(name, args):
    import runpy

    # as python3 -m: sys.path[0] is the current directory (already so for
    # python3 -m memtrack), argv[0] the module's file (runpy sets it)
    sys.argv[:] = [name] + list(args)
    return runpy.run_module(name, run_name="__main__", alter_sys=True)


def _dump_at_exit(path):
    """The foreground dump at exit: False (and one line) when it failed."""
    import memtrack

    try:
        memtrack.dump(path)
        return True
    except Exception as e:
        sys.stderr.write("memtrack run: dump at exit to %s failed: %s\n"
                         % (path, e))
        return False


def main(argv):
    try:
        opts, kind, target, args = _parse(argv)
        if kind == "script" and not os.path.exists(target):
            raise _Usage("can't open file %r: [Errno 2] No such file or "
                         "directory" % os.path.abspath(target))
        if kind == "module":
            import importlib.util

            try:
                found = importlib.util.find_spec(target)
            except (ImportError, ValueError) as e:
                found, why = None, str(e)
            else:
                why = "No module named %r" % target
            if found is None:
                raise _Usage(why)
        import memtrack

        exit_path = opts["dump_at_exit"]
        if exit_path is not None:
            exit_path = os.path.abspath(exit_path)
        if opts["signal"] is not None:
            try:
                memtrack.dump_on_signal(opts["signal"], opts["directory"],
                                        background=opts["background"])
            except (OSError, ValueError) as e:
                raise _Usage(str(e))
    except _Usage as e:
        sys.stderr.write("memtrack run: %s\n" % e)
        return 2
    sys.stderr.flush()
    # the program's objects stay alive until the dump at exit: the module
    # (or runpy's globals), the exception and its traceback's frames
    status = 0
    held = None
    try:
        if kind == "script":
            held = _run_script(target, args)
        else:
            held = _run_module(target, args)
    except _Usage as e:
        sys.stderr.write("memtrack run: %s\n" % e)
        return 2
    except SystemExit as e:
        held = e
        status = e.code
    except BaseException as e:
        held = e
        # the display takes the exception's own traceback
        e.__traceback__ = _trim(e.__traceback__)
        sys.excepthook(type(e), e, e.__traceback__)
        status = 1
        if isinstance(e, KeyboardInterrupt):
            status = -signal.SIGINT
    if exit_path is not None:
        _dump_at_exit(exit_path)
    del held
    if status == -signal.SIGINT:
        # as python3 does after an uncaught KeyboardInterrupt: die of
        # SIGINT, so the parent sees it
        sys.stdout.flush()
        sys.stderr.flush()
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)
        status = 130
    return status
