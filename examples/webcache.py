"""A small "web service" whose memory grows: the bundled memtrack example.

It simulates a server that handles requests for a few minutes of traffic:
users log in (Session objects in a dict), requests are parsed (Request
objects with header dicts and query strings), responses are rendered and
kept in a response cache that is never pruned (the leak), and a small tree
of Route objects refers back to its parent (a reference cycle).

    python3 examples/webcache.py [OUTPUT.mp] [--requests N]
                                 [--later NEW.mp [--more M]]

writes a heap dump with memtrack.dump() (default webcache.mp) and prints the
summary.  Open it with:  memtrack-tui OUTPUT.mp

With --later, the service then handles M more requests (default 3000) and
writes a second dump NEW.mp: readers move on to newer articles (1500 new
ones every 6000 requests), so the cache grows by their pages between the two
dumps.  Compare them with:  memtrack-tui OUTPUT.mp NEW.mp
"""

import sys
import threading

import memtrack


class User:
    def __init__(self, uid, name):
        self.uid = uid
        self.name = name
        self.roles = ["reader"] if uid % 7 else ["reader", "admin"]


class Session:
    __slots__ = ("token", "user", "hits")

    def __init__(self, token, user):
        self.token = token
        self.user = user
        self.hits = 0


class Request:
    def __init__(self, path, query, headers):
        self.path = path
        self.query = query
        self.headers = headers


class Response:
    def __init__(self, status, body):
        self.status = status
        self.body = body
        self.headers = {"content-type": "text/html", "content-length": str(len(body))}


class Route:
    def __init__(self, name, parent=None):
        self.name = name
        self.parent = parent  # child -> parent and parent -> children: a cycle
        self.children = []
        if parent is not None:
            parent.children.append(self)


class ResponseCache:
    """Caches rendered pages by URL and never evicts: memory grows."""

    def __init__(self):
        self.entries = {}
        self.hits = 0
        self.misses = 0

    def get(self, key, render):
        resp = self.entries.get(key)
        if resp is None:
            self.misses += 1
            resp = self.entries[key] = render()
        else:
            self.hits += 1
        return resp


def build_routes():
    root = Route("/")
    for section in ("articles", "users", "search", "static"):
        sec = Route(section, root)
        for i in range(5):
            Route("%s-%d" % (section, i), sec)
    return root


def serve(n_requests, state=None, first=0):
    """Handles requests first .. first + n_requests - 1 with the service's
    state (users, sessions, cache, log): a new one when None."""
    if state is None:
        users = {uid: User(uid, "user%04d" % uid) for uid in range(200)}
        state = (users, {}, ResponseCache(), [])
    users, sessions, cache, log = state
    for i in range(first, first + n_requests):
        uid = i % len(users)
        token = "tok-%08x" % (uid * 2654435761 % 2**32)
        sess = sessions.get(token)
        if sess is None:
            sess = sessions[token] = Session(token, users[uid])
        sess.hits += 1
        # readers read the newest 1500 articles: 1500 more every 6000
        # requests, and the cache keeps the pages of the old ones too
        path = "/articles/%d" % (i % 1500 + 1500 * (i // 6000))
        req = Request(path, {"page": str(i % 3), "ref": "home"},
                      {"user-agent": "bench/1.0", "x-request-id": str(i)})
        resp = cache.get((path, req.query["page"]),
                         lambda: Response(200, ("<h1>%s</h1>" % path) * 8))
        if i % 50 == 0:
            log.append("%s %d %s" % (req.path, resp.status, sess.user.name))
    return state


def report(out, summary):
    print("memtrack: wrote %s (%d bytes): %d objects of %d bytes, %d edges, in %.3f s"
          % (out, summary.file_bytes, summary.objects, summary.heap_bytes,
             summary.edges, summary.seconds))


def main(argv):
    out = "webcache.mp"
    n = 6000
    later, more = None, 3000
    args = list(argv[1:])
    while args:
        a = args.pop(0)
        if a == "--requests":
            n = int(args.pop(0))
        elif a == "--later":
            later = args.pop(0)
        elif a == "--more":
            more = int(args.pop(0))
        else:
            out = a
    routes = build_routes()
    state = serve(n)
    # A worker thread that holds a local of its own while the dump runs.
    ready, done = threading.Event(), threading.Event()

    def worker():
        pending = [Request("/queued/%d" % i, {}, {}) for i in range(10)]
        ready.set()
        done.wait()
        return pending

    t = threading.Thread(target=worker, name="worker")
    t.start()
    ready.wait()
    report(out, memtrack.dump(out))
    if later:
        # the same process some requests later: the two dumps compare
        # object by object (same pid and start time)
        serve(more, state, n)
        report(later, memtrack.dump(later))
    done.set()
    t.join()
    return routes, state


if __name__ == "__main__":
    main(sys.argv)
