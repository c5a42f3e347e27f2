"""Four threads mutate shared containers (insert, replace, delete records;
grow and shrink lists) while the main thread dumps; quiesce() stops them
before heapy's comparison."""
import threading

PREFIXES = ("prog_threads.",)
CLASS = "prog_threads.Record"


class Record:
    __slots__ = ("key", "payload", "next")

    def __init__(self, key, payload, nxt=None):
        self.key, self.payload, self.next = key, payload, nxt


class Session:
    def __init__(self, n):
        self.n = n
        self.items = {}


def worker(k, table, lists, stop):
    i = 0
    while not stop.is_set():
        key = (k, i % 5000)
        table[key] = Record(key, ["p%d" % i, i], table.get(key))
        if i % 3 == 0:
            table.pop((k, (i * 7) % 5000), None)
        lst = lists[i % len(lists)]
        lst.append(Session(i))
        if len(lst) > 50:
            del lst[:25]
        i += 1


def main(checkpoint):
    table = {}
    for i in range(60000):
        table[("init", i)] = Record(i, "x" * (i % 20))
    lists = [[] for _ in range(100)]
    stop = threading.Event()
    threads = [threading.Thread(target=worker, args=(k, table, lists, stop))
               for k in range(4)]
    for t in threads:
        t.start()
    import time
    time.sleep(0.3)          # let them run and mutate

    def quiesce():
        stop.set()
        for t in threads:
            t.join()
    checkpoint(quiesce=quiesce)
    return {"records": len(table)}
