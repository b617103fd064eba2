#!/usr/bin/env python3
"""Independent RFC 6455 peer for CastorWebSocket's tests.

Usage: ws_peer.py MODE [--tls CERT KEY]
Prints "PORT <n>" once listening on an ephemeral 127.0.0.1 port, then "REPORT ..." lines
describing what the server observed. The `websockets` package (a strict RFC 6455
implementation) serves the normal modes; raw-* modes write hand-made bytes to exercise
failures that a correct server library refuses to produce.
"""
import asyncio
import base64
import hashlib
import http
import json
import ssl
import struct
import sys

try:
    import websockets
    from websockets.asyncio.server import serve
    from websockets.exceptions import ConnectionClosed
except ImportError as exc:  # the Swift test turns this into a failure
    print(f"MISSING websockets: {exc}", flush=True)
    sys.exit(3)

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def report(*parts):
    print("REPORT", *parts, flush=True)


async def handler(ws, mode):
    try:
        if mode == "echo":
            async for msg in ws:
                await ws.send(msg)
        elif mode == "headers":
            req = ws.request
            await ws.send(json.dumps({
                "path": req.path,
                "apikey": req.headers.get("X-GEMINI-APIKEY"),
                "payload": req.headers.get("X-GEMINI-PAYLOAD"),
                "version": req.headers.get("Sec-WebSocket-Version"),
            }))
            async for _ in ws:
                pass
        elif mode == "fragmented":
            await ws.send(["frag-one|", "frag-two|", "frag-three"])
            await ws.send([b"\x00\x01", b"\x02", b"\x03\xff"])
            async for _ in ws:
                pass
        elif mode == "ping":
            waiter = await ws.ping(b"castor-ping")
            await asyncio.wait_for(waiter, 5)
            report("PONG_RECEIVED")
            await ws.send("pong-seen")
            async for _ in ws:
                pass
        elif mode == "server-close":
            await ws.send("bye-soon")
            await ws.close(1001, "going away")
        elif mode == "big":
            await ws.send("x" * 4096)
            async for _ in ws:
                pass
        elif mode == "big-fragmented":
            # Each frame is under the client's 1024-byte limit; the message is not.
            await ws.send(["small|", "y" * 400])
            await ws.send(["x" * 400, "x" * 400, "x" * 400, "x" * 400])
            async for _ in ws:
                pass
    except ConnectionClosed:
        pass
    finally:
        rcvd = ws.protocol.close_rcvd
        if rcvd is not None:
            report("CLOSE", rcvd.code, rcvd.reason)
        else:
            report("CLOSE", "none")


def reject(connection, request):
    if request.path.startswith("/forbidden"):
        body = json.dumps({"result": "error", "reason": "InvalidSignature", "message": "bad signature"})
        return connection.respond(http.HTTPStatus.FORBIDDEN, body)
    return None


async def raw_client(reader, writer, mode):
    head = await reader.readuntil(b"\r\n\r\n")
    if mode == "raw-silent":
        # Never answer the upgrade: the client's handshake timeout must fire.
        await reader.read()
        report("CLIENT_GONE")
        writer.close()
        return
    key = ""
    for line in head.decode().split("\r\n"):
        if line.lower().startswith("sec-websocket-key:"):
            key = line.split(":", 1)[1].strip()
    accept = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()
    if mode == "raw-bad-accept":
        accept = base64.b64encode(b"not the right accept").decode()
    writer.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  f"Sec-WebSocket-Accept: {accept}\r\n\r\n").encode())
    if mode == "raw-bad-utf8":
        writer.write(bytes([0x81, 0x04]) + b"ab\xff\xfe")
    elif mode == "raw-masked":
        mask = b"\x01\x02\x03\x04"
        payload = bytes(b ^ mask[i % 4] for i, b in enumerate(b"hi"))
        writer.write(bytes([0x81, 0x82]) + mask + payload)
    elif mode == "raw-rsv":
        writer.write(bytes([0xC1, 0x02]) + b"hi")  # RSV1 set without a negotiated extension
    elif mode == "raw-bad-opcode":
        writer.write(bytes([0x83, 0x00]))
    elif mode == "raw-leftover":
        # Frame bytes in the same write as the 101 response: the client must not lose them.
        writer.write(bytes([0x81, 0x05]) + b"early")
    await writer.drain()
    # Report the close frame the client sends back (client frames are masked).
    try:
        hdr = await asyncio.wait_for(reader.readexactly(2), 5)
        opcode, length = hdr[0] & 0x0F, hdr[1] & 0x7F
        mask = await reader.readexactly(4) if hdr[1] & 0x80 else b"\0\0\0\0"
        data = bytes(b ^ mask[i % 4] for i, b in enumerate(await reader.readexactly(length)))
        if opcode == 8 and len(data) >= 2:
            report("CLOSE", struct.unpack("!H", data[:2])[0], data[2:].decode(errors="replace"))
        else:
            report("FRAME", opcode, data.decode(errors="replace"))
    except (asyncio.IncompleteReadError, asyncio.TimeoutError, ConnectionError):
        report("CLOSE", "none")
    writer.close()


async def main():
    mode = sys.argv[1]
    ctx = None
    if "--tls" in sys.argv:
        i = sys.argv.index("--tls")
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(sys.argv[i + 1], sys.argv[i + 2])
    if mode.startswith("raw-"):
        server = await asyncio.start_server(lambda r, w: raw_client(r, w, mode), "127.0.0.1", 0, ssl=ctx)
    else:
        server = await serve(lambda ws: handler(ws, mode), "127.0.0.1", 0, ssl=ctx,
                             process_request=reject, ping_interval=None)
    port = server.sockets[0].getsockname()[1]
    print(f"PORT {port}", flush=True)
    # Runs until the test terminates it (or stdin closes).
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.read)


asyncio.run(main())
