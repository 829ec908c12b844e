"""A small forwarding HTTP proxy: what stands between Ansible and Segura on many real networks.

- ``CONNECT host:port`` (HTTPS): opens a TCP connection to the target, answers 200 and relays
  bytes both ways until either side closes. The proxy never sees inside the TLS tunnel.
- ``GET http://host:port/path`` (absolute URI, plain HTTP): forwards the request to the target
  and relays the answer.

It counts CONNECTs and forwarded requests per target ``"host:port"`` so a test can tell which
requests went through it. Threaded, bound to 127.0.0.1 on a free port; a context manager.
"""

import collections
import http.client
import select
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

# Hop-by-hop headers: they describe one connection, so a proxy never passes them on.
HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "proxy-authorization", "proxy-authenticate",
              "te", "trailer", "transfer-encoding", "upgrade"}
UPSTREAM_TIMEOUT = 30
RELAY_CHUNK = 65536


class ProxyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "forward-proxy"
    sys_version = ""

    def log_message(self, format, *args):  # noqa: A002 - base class signature
        pass  # quiet: the counters are what the tests read

    # ---- HTTPS: tunnel
    def do_CONNECT(self):  # noqa: N802 - http.server naming
        host, _colon, port = self.path.rpartition(":")
        self.server.count("connects", self.path)
        try:
            upstream = socket.create_connection((host, int(port)), timeout=UPSTREAM_TIMEOUT)
        except (OSError, ValueError) as exc:
            return self.send_error(502, "Cannot reach %s: %s" % (self.path, exc))
        self.send_response(200, "Connection established")
        self.end_headers()
        self.close_connection = True  # after the tunnel, this connection is done
        with upstream:
            self._relay(self.connection, upstream)

    def _relay(self, client, upstream):
        """Copy bytes both ways until one side closes or the proxy stops."""
        sockets = [client, upstream]
        while not self.server.stopping.is_set():
            readable, _writable, failed = select.select(sockets, [], sockets, 0.5)
            if failed:
                return
            for source in readable:
                try:
                    data = source.recv(RELAY_CHUNK)
                except OSError:
                    return
                if not data:
                    return
                (upstream if source is client else client).sendall(data)

    # ---- plain HTTP: absolute-URI forwarding
    def do_GET(self):  # noqa: N802 - http.server naming
        target = urlsplit(self.path)
        if target.scheme != "http" or not target.hostname:
            return self.send_error(400, "This is a proxy: send an absolute http:// URI or CONNECT")
        address = "%s:%s" % (target.hostname, target.port or 80)
        self.server.count("forwarded", address)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {name: value for name, value in self.headers.items() if name.lower() not in HOP_BY_HOP}
        path = target.path or "/"
        if target.query:
            path += "?" + target.query
        upstream = http.client.HTTPConnection(target.hostname, target.port or 80, timeout=UPSTREAM_TIMEOUT)
        try:
            upstream.request(self.command, path, body=body or None, headers=headers)
            answer = upstream.getresponse()
            payload = answer.read()
        except OSError as exc:
            return self.send_error(502, "Cannot reach %s: %s" % (address, exc))
        finally:
            upstream.close()
        self.send_response(answer.status, answer.reason)
        for name, value in answer.getheaders():
            if name.lower() not in HOP_BY_HOP and name.lower() != "content-length":
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_GET


class ProxyServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # open tunnels must not delay shutdown

    def __init__(self):
        super().__init__(("127.0.0.1", 0), ProxyHandler)
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.counts = {"connects": collections.Counter(), "forwarded": collections.Counter()}

    def count(self, kind, target):
        with self.lock:
            self.counts[kind][target] += 1

    def handle_error(self, request, client_address):
        pass  # a client dropping a tunnel is normal, not a test failure


class ForwardProxy(object):
    """``with ForwardProxy() as proxy:`` -> ``proxy.url``, ``proxy.connects()``, ``proxy.forwarded()``."""

    def __init__(self):
        self.server = None
        self.thread = None

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.server.server_address[1]

    def connects(self):
        """CONNECTs received, by target ``"host:port"``."""
        with self.server.lock:
            return dict(self.server.counts["connects"])

    def forwarded(self):
        """Plain HTTP requests forwarded, by target ``"host:port"``."""
        with self.server.lock:
            return dict(self.server.counts["forwarded"])

    def start(self):
        self.server = ProxyServer()
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)
        self.thread.start()
        return self

    def stop(self):
        self.server.stopping.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()
