"""twisted: the epoll reactor running a TCP echo server with 200 client
connections open, a web Site with a resource tree, 5000 pending Deferreds
with callback chains, DeferredLists, delayed calls and a LoopingCall; the
dump runs from a reactor callback."""
from twisted.internet import defer, protocol, reactor, task
from twisted.web import resource, server

PREFIXES = ("twisted.", "prog_twisted.")
CLASS = "twisted.internet.defer.Deferred"


class Echo(protocol.Protocol):
    def dataReceived(self, data):
        self.transport.write(data)


class Client(protocol.Protocol):
    def connectionMade(self):
        self.factory.connected.append(self)
        self.transport.write(b"hello %d" % len(self.factory.connected))
        if len(self.factory.connected) == self.factory.n:
            self.factory.ready.callback(None)


class Page(resource.Resource):
    isLeaf = True

    def __init__(self, n):
        super().__init__()
        self.n = n

    def render_GET(self, request):
        return b"page %d" % self.n


def main(checkpoint):
    facts = {}
    sf = protocol.ServerFactory()
    sf.protocol = Echo
    port = reactor.listenTCP(0, sf, interface="127.0.0.1")
    root = resource.Resource()
    for i in range(300):
        sub = resource.Resource()
        root.putChild(b"d%d" % i, sub)
        for j in range(10):
            sub.putChild(b"p%d" % j, Page(j))
    site = server.Site(root)
    web = reactor.listenTCP(0, site, interface="127.0.0.1")
    cf = protocol.ClientFactory()
    cf.protocol = Client
    cf.connected, cf.n, cf.ready = [], 200, defer.Deferred()
    for _ in range(cf.n):
        reactor.connectTCP("127.0.0.1", port.getHost().port, cf)
    pending = []
    for i in range(5000):
        d = defer.Deferred()
        d.addCallback(lambda r, i=i: r + [i]).addErrback(lambda f: None)
        pending.append(d)
    lists = [defer.DeferredList(pending[k:k + 50]) for k in range(0, 5000, 50)]
    delayed = [reactor.callLater(3600, lambda: None) for _ in range(500)]
    loop = task.LoopingCall(lambda: None)
    loop.start(3600)

    def ready(_):
        checkpoint()
        facts["connections"] = len(cf.connected)
        for d in pending:
            d.callback([])
        for c in delayed:
            c.cancel()
        loop.stop()
        for c in cf.connected:
            c.transport.loseConnection()
        port.stopListening()
        web.stopListening()
        reactor.callLater(0.1, reactor.stop)

    def failed(f):
        facts["error"] = str(f)
        reactor.stop()
    cf.ready.addCallbacks(ready, failed)
    reactor.callLater(60, failed, "timeout")
    reactor.run(installSignalHandlers=False)
    if "error" in facts:
        raise RuntimeError(facts["error"])
    facts["lists"] = len(lists)
    return facts
