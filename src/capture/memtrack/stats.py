"""Placeholder until its part of the ClassTracker / process log work lands."""


class Stats:
    """Not built yet: this placeholder only reserves the name in the package."""

    def __init__(self, *args, **kwargs):
        raise NotImplementedError("memtrack.Stats is not built yet")


class ConsoleStats:
    """Not built yet: this placeholder only reserves the name in the package."""

    def __init__(self, *args, **kwargs):
        raise NotImplementedError("memtrack.ConsoleStats is not built yet")


class HtmlStats:
    """Not built yet: this placeholder only reserves the name in the package."""

    def __init__(self, *args, **kwargs):
        raise NotImplementedError("memtrack.HtmlStats is not built yet")
