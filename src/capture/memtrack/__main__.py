"""python3 -m memtrack COMMAND [ARGS...]: memtrack's command-line tools.

Each command is one row of COMMANDS: its name, the module of this package
that implements it (with a main(argv) -> exit status), and a one-line
summary.  A new command is one row and one module.
"""

import importlib
import sys

COMMANDS = [
    # name, module, summary
    ("log", "_logcli", "log another process's memory over time (JSON lines)"),
    ("dump", "_dumpcli", "dump a running Python process that never imported memtrack"),
    ("run", "_runcli", "run a script with dumps on a signal or at its exit"),
]


def usage(out):
    out.write("usage: python3 -m memtrack COMMAND [ARGS...]\n\ncommands:\n")
    for name, _, summary in COMMANDS:
        out.write("  %-8s %s\n" % (name, summary))
    out.write("\n'python3 -m memtrack COMMAND --help' describes a command.\n")


def main(argv):
    if not argv or argv[0] in ("-h", "--help"):
        usage(sys.stdout if argv else sys.stderr)
        return 0 if argv else 2
    for name, module, _ in COMMANDS:
        if argv[0] == name:
            mod = importlib.import_module("memtrack." + module)
            return mod.main(argv[1:])
    sys.stderr.write("memtrack: unknown command %r (try: python3 -m memtrack "
                     "--help)\n" % argv[0])
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
