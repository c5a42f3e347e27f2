"""Placeholder until its part of the ClassTracker / process log work lands."""


class ClassTracker:
    """Not built yet: this placeholder only reserves the name in the package."""

    def __init__(self, *args, **kwargs):
        raise NotImplementedError("memtrack.ClassTracker is not built yet")
