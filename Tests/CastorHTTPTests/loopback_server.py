#!/usr/bin/env python3
"""Loopback HTTP/1.1 keep-alive peer for CastorHTTPTests.

Prints the port it listens on (127.0.0.1, ephemeral) as the first stdout line, then
serves until stdin closes (so it dies with the test process).

  --tls DIR   generate a throwaway CA and a server certificate for 127.0.0.1/localhost
              with the openssl CLI into DIR (DIR/ca.pem, DIR/capath/ hashed), serve HTTPS.

Endpoints (any method):
  /echo                 200, JSON {method, path, headers: [[name, value]...], body}
  /connections          200, JSON {count}: TCP connections accepted so far
  /hits?path=/x         200, JSON {count}: requests seen for path /x
  /delay?ms=N           wait N ms, then 200 JSON {delayed: N}
  /close                read the request, close the socket without answering
  /status?code=C&reason=R   status C with {"result":"error","reason":R,"message":...}
"""
import json
import os
import socket
import ssl
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

lock = threading.Lock()
connections = 0
hits = {}


def make_certs(directory):
    def run(*args):
        subprocess.run(["openssl", *args], check=True, cwd=directory,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    run("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
        "-subj", "/CN=Castor Test CA %d" % os.getpid(),
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    run("req", *ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost")
    with open(os.path.join(directory, "ext.cnf"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n"
                "keyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n")
    run("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "ext.cnf")
    capath = os.path.join(directory, "capath")
    os.makedirs(capath, exist_ok=True)
    with open(os.path.join(directory, "ca.pem")) as src, open(os.path.join(capath, "ca.pem"), "w") as dst:
        dst.write(src.read())
    run("rehash", capath)


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def get_request(self):
        global connections
        conn, addr = super().get_request()
        # Headers and body go out in two writes; without this, Nagle plus the client's
        # delayed ACK adds ~40 ms to every keep-alive response.
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with lock:
            connections += 1
        return conn, addr

    def handle_error(self, request, client_address):
        pass  # peers that hang up early are part of the tests


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, obj):
        data = json.dumps(obj).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def handle_any(self):
        url = urlparse(self.path)
        query = parse_qs(url.query)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        with lock:
            hits[url.path] = hits.get(url.path, 0) + 1
        if url.path == "/echo":
            self.reply(200, {"method": self.command, "path": self.path,
                             "headers": [[k, v] for k, v in self.headers.items()],
                             "body": body.decode("utf-8", "replace")})
        elif url.path == "/connections":
            with lock:
                count = connections
            self.reply(200, {"count": count})
        elif url.path == "/hits":
            with lock:
                count = hits.get(query["path"][0], 0)
            self.reply(200, {"count": count})
        elif url.path == "/delay":
            ms = int(query["ms"][0])
            time.sleep(ms / 1000)
            self.reply(200, {"delayed": ms})
        elif url.path == "/close":
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        elif url.path == "/status":
            code = int(query["code"][0])
            reason = query.get("reason", ["System"])[0]
            self.reply(code, {"result": "error", "reason": reason,
                              "message": "test error %d %s" % (code, reason)})
        else:
            self.reply(404, {"result": "error", "reason": "EndpointNotFound", "message": url.path})

    do_GET = do_POST = do_DELETE = handle_any


def main():
    server = Server(("127.0.0.1", 0), Handler)
    if len(sys.argv) == 3 and sys.argv[1] == "--tls":
        make_certs(sys.argv[2])
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(os.path.join(sys.argv[2], "server.pem"),
                                os.path.join(sys.argv[2], "server.key"))
        server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(server.server_address[1], flush=True)
    sys.stdin.read()  # EOF when the test process goes away
    os._exit(0)


if __name__ == "__main__":
    main()
