#!/usr/bin/env python3
"""A syslog-over-TLS collector for tests (RFC 5425): octet-counted frames, one JSON line per message.

usage: syslog_tls_receiver.py CERT KEY OUT [--client-ca CA] [--port PORT]
Prints "listening PORT" once bound to 127.0.0.1 (on a port the kernel picks unless --port is given).
"""
import base64, json, socket, ssl, sys, threading

cert, key, out = sys.argv[1:4]
client_ca = sys.argv[sys.argv.index("--client-ca") + 1] if "--client-ca" in sys.argv else None
port = int(sys.argv[sys.argv.index("--port") + 1]) if "--port" in sys.argv else 0

context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.minimum_version = ssl.TLSVersion.TLSv1_2
context.load_cert_chain(cert, key)
if client_ca:
    context.verify_mode = ssl.CERT_REQUIRED
    context.load_verify_locations(client_ca)

lock = threading.Lock()

def serve(connection):
    peer = connection.getpeercert()
    reader = connection.makefile("rb")
    while True:
        length = b""
        while True:
            c = reader.read(1)
            if not c:
                return
            if c == b" ":
                break
            if not c.isdigit() or len(length) > 6:
                print("bad frame", flush=True)
                return
            length += c
        message = reader.read(int(length))
        line = json.dumps({"message": base64.b64encode(message).decode(), "tls": connection.version(),
                           "client": bool(peer)})
        with lock, open(out, "a") as f:
            f.write(line + "\n")

listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", port))
listener.listen(16)
print("listening", listener.getsockname()[1], flush=True)
while True:
    raw, _ = listener.accept()
    try:
        tls = context.wrap_socket(raw, server_side=True)
    except (ssl.SSLError, OSError) as error:
        print("handshake refused:", error, flush=True)
        raw.close()
        continue
    threading.Thread(target=serve, args=(tls,), daemon=True).start()
