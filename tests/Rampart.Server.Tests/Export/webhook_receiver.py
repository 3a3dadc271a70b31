#!/usr/bin/env python3
"""An HTTPS webhook receiver for tests: each POST is written as one JSON line (headers, base64 body).

usage: webhook_receiver.py CERT KEY OUT PORT SECRET   (PORT 0: the kernel picks; prints "listening PORT")
Verifies each request with the recipe of docs/export.md and answers 401 to one that fails it.
"""
import base64, hashlib, hmac, http.server, json, ssl, sys, threading, time

cert, key, out, port, secret = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5].encode()
lock = threading.Lock()
TOLERANCE = 300  # seconds


def verified(headers, body):
    """The receiver's recipe: timestamp within the tolerance, then HMAC-SHA256 over TIMESTAMP "." BODY."""
    timestamp = headers.get("X-Rampart-Timestamp", "")
    signature = headers.get("X-Rampart-Signature", "")
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > TOLERANCE:
        return False
    expected = "v1=" + hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature)

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        if length > 1024 * 1024:
            self.send_response(413); self.send_header("Content-Length", "0"); self.end_headers(); return
        body = self.rfile.read(length)
        ok = verified(self.headers, body)
        line = json.dumps({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()},
                           "body": base64.b64encode(body).decode(), "verified": ok})
        with lock, open(out, "a") as f:
            f.write(line + "\n")
        self.send_response(200 if ok else 401); self.send_header("Content-Length", "0"); self.end_headers()

    def log_message(self, *args):
        pass

server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.minimum_version = ssl.TLSVersion.TLSv1_2
context.load_cert_chain(cert, key)
server.socket = context.wrap_socket(server.socket, server_side=True)
print("listening", server.server_address[1], flush=True)
server.serve_forever()
