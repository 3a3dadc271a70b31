#!/usr/bin/env python3
"""An HTTPS webhook receiver for tests: each POST is written as one JSON line (headers, base64 body).

usage: webhook_receiver.py CERT KEY OUT PORT   (PORT 0: the kernel picks; prints "listening PORT")
"""
import base64, http.server, json, ssl, sys, threading

cert, key, out, port = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
lock = threading.Lock()

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        if length > 1024 * 1024:
            self.send_response(413); self.send_header("Content-Length", "0"); self.end_headers(); return
        body = self.rfile.read(length)
        line = json.dumps({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()},
                           "body": base64.b64encode(body).decode()})
        with lock, open(out, "a") as f:
            f.write(line + "\n")
        self.send_response(200); self.send_header("Content-Length", "0"); self.end_headers()

    def log_message(self, *args):
        pass

server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.minimum_version = ssl.TLSVersion.TLSv1_2
context.load_cert_chain(cert, key)
server.socket = context.wrap_socket(server.socket, server_side=True)
print("listening", server.server_address[1], flush=True)
server.serve_forever()
