"""Generators: 20000 suspended generators in every state (not started,
suspended in a yield, in a yield-from chain three deep, generator
expressions, un-awaited coroutines, async generators), each with locals."""

PREFIXES = ("prog_generators.",)
CLASS = "prog_generators.State"


class State:
    def __init__(self, i):
        self.i = i


def leaf(i):
    st = State(i)
    buf = [st] * 3
    yield st
    yield buf


def middle(i):
    tag = "mid-%d" % i
    yield from leaf(i)
    yield tag


def top(i):
    yield from middle(i)


async def coro(i):
    return State(i)


async def agen(i):
    yield State(i)


def main(checkpoint):
    gens = []
    for i in range(4000):
        gens.append(leaf(i))                 # not started
        g = leaf(i)
        next(g)                              # suspended
        gens.append(g)
        t = top(i)
        next(t)                              # yield-from chain
        gens.append(t)
        gens.append(x * 2 for x in range(i % 10))
        gens.append(coro(i))
    ags = [agen(i) for i in range(2000)]
    checkpoint()
    for c in gens:
        if hasattr(c, "close"):
            c.close()
    return {"generators": len(gens), "asyncgens": len(ags)}
