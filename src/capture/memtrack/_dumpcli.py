"""Placeholder of the lead's foundation for issue 12: its owner replaces it."""

import sys


def main(argv):
    sys.stderr.write("memtrack: this command is not built yet\n")
    return 2
