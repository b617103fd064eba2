"""A webhook receiver for the alert tests: prints its port, then appends each POST body
(one line) to the file named by its first argument and answers 204. Exits when its stdin
closes (the test process ended), like the other test peers, or after 3 minutes."""
import http.server
import os
import sys
import threading

OUT = sys.argv[1]


class Sink(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with open(OUT, "ab") as f:
            f.write(body.replace(b"\n", b" ") + b"\n")
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


server = http.server.HTTPServer(("127.0.0.1", 0), Sink)
print(server.server_address[1], flush=True)
threading.Thread(target=server.serve_forever, daemon=True).start()
# Also bounded in time: a child of the test (castor) may hold the stdin pipe open.
threading.Timer(180, lambda: os._exit(0)).start()
sys.stdin.read()
os._exit(0)
