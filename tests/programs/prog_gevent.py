"""gevent and greenlet: 3000 gevent greenlets blocked on an Event, a Queue
and sleeps, each holding its own Task object in its (suspended) frame, plus
500 plain python3-greenlet greenlets switched out mid-function."""
import gevent
import gevent.event
import gevent.queue
import greenlet

PREFIXES = ("gevent.", "greenlet.", "prog_gevent.")
CLASS = "prog_gevent.Task"
MIN_COUNT = 3500
HEAPY_DIFFS = {
    r"(dict of )?prog_gevent\.Task|gevent\._gevent_c_waiter\.Waiter|gevent\.libev\.corecext\.timer":
        "held only by suspended greenlets' frames: greenlet's tp_traverse does not visit "
        "them, so heapy never reaches them; memtrack walks the saved frames",
    r"gevent\._gevent_cgreenlet\._dummy_event":
        "heapy reaches it from each Greenlet through tp_traverse (.??); memtrack's dump "
        "has no edge from a gevent Greenlet besides gr_frame and __dict__ (capture gap)",
}


class Task:
    def __init__(self, i):
        self.i = i
        self.buf = ["t%d" % i] * 4


def work(i, ev, q, started):
    t = Task(i)
    started.append(i)
    if i % 3 == 0:
        ev.wait()
    elif i % 3 == 1:
        q.get()
    else:
        gevent.sleep(1000)
    return t


def plain(i, parent_switch):
    t = Task(-i)
    parent_switch(t)
    return t


def main(checkpoint):
    ev = gevent.event.Event()
    q = gevent.queue.Queue()
    started = []
    gs = [gevent.spawn(work, i, ev, q, started) for i in range(3000)]
    while len(started) < len(gs):     # the hub starts them in batches
        gevent.sleep(0.01)
    main_g = greenlet.getcurrent()
    plains = []
    for i in range(500):
        g = greenlet.greenlet(plain)
        g.switch(i, main_g.switch)
        plains.append(g)
    checkpoint()
    gevent.killall(gs)
    for g in plains:
        g.throw(greenlet.GreenletExit)
    return {"greenlets": len(gs) + len(plains)}
