#!/usr/bin/env python3
"""An independent peer for Castor's client of Gemini's new WebSocket API, built on PyPI's
`websockets` server (not on Castor's code). It serves one scripted scenario per mode on an
ephemeral loopback port, prints that port as its first stdout line, and exits when stdin
closes.

It checks what the client sends byte for byte: the upgrade's path and authentication
headers (recomputing the HMAC-SHA384 signature itself, WS-API.md section 1.4) and the exact
request frames. Any mismatch closes the connection with code 4000 and the reason, which the
test sees as the adapter's disconnect cause.

  market               public socket: snapshots, diffs, a stale frame, a gap, the resync
  account KEY SECRET   authenticated socket: subscribe, order entry, events, balances
"""
import asyncio, base64, hashlib, hmac, json, sys, time

import websockets
from websockets.asyncio.server import serve

MODE = sys.argv[1]
KEY = sys.argv[2] if len(sys.argv) > 2 else ""
SECRET = sys.argv[3] if len(sys.argv) > 3 else ""


class Mismatch(Exception):
    pass


def expect(condition, reason):
    if not condition:
        raise Mismatch(reason[:120])


CONNINFO_LIMITS = [{"rateLimitType": "REQUEST_WEIGHT", "interval": "SECOND", "intervalNum": 10, "limit": 7000, "count": 3},
                   {"rateLimitType": "CONNECTION_ATTEMPTS", "interval": "MINUTE", "intervalNum": 5, "limit": 300, "count": 1}]


async def receive(ws, pings):
    """The next request that is not a `ping` or `conninfo` (those are answered here)."""
    while True:
        text = await ws.recv()
        request = json.loads(text)
        if request.get("method") == "ping":
            pings.append(request["id"])
            await ws.send(json.dumps({"id": request["id"], "status": 200}))
            continue
        if request.get("method") == "conninfo":
            await ws.send(json.dumps({"id": request["id"], "status": 200, "rateLimits": CONNINFO_LIMITS}))
            continue
        return text, request


async def market(ws):
    expect(ws.request.path == "/?snapshot=-1", "path %r" % ws.request.path)
    pings = []
    text, _ = await receive(ws, pings)
    expected = '{"id":1,"method":"subscribe","params":["btcusd@depth@100ms","btcusd@trade","ethusd@depth@100ms","ethusd@trade"]}'
    expect(text == expected, "subscribe frame %s" % text)
    # Snapshots before the ack (WS-API.md 2.2), zero-padded, sorted.
    await ws.send('{"e":"depthUpdate","E":1789456740173524809,"s":"btcusd","U":100,"u":100,'
                  '"b":[["60000.00","0.50000000"],["59990.00","0.25000000"]],"a":[["60100.00","0.40000000"]]}')
    await ws.send('{"e":"depthUpdate","E":1789456740173524810,"s":"ethusd","U":101,"u":101,'
                  '"b":[["3000.00","1.00000000"]],"a":[["3001.00","2.00000000"]]}')
    await ws.send('{"id":1,"status":200}')
    # A diff (unsorted, a removal), a trade without `e`, a repeat (stale), a gap on ethusd.
    await ws.send('{"e":"depthUpdate","E":1789456740273524809,"s":"btcusd","U":100,"u":105,'
                  '"b":[["59995.00","1.10000000"],["59990.00","0.00000000"]],"a":[["60050.00","0.10000000"]]}')
    await ws.send('{"E":1789456740283524809,"s":"btcusd","t":2840141014190422,"p":"60050.00","q":"0.0100","m":false}')
    await ws.send('{"e":"depthUpdate","E":1789456740273524809,"s":"btcusd","U":100,"u":105,'
                  '"b":[["59995.00","9.00000000"]],"a":[]}')
    await ws.send('{"e":"depthUpdate","E":1789456740373524809,"s":"ethusd","U":120,"u":130,'
                  '"b":[["2999.00","5.00000000"]],"a":[]}')
    # The client resyncs ethusd alone: unsubscribe, then subscribe, on this connection.
    text, unsub = await receive(ws, pings)
    expect(unsub.get("method") == "unsubscribe" and unsub.get("params") == ["ethusd@depth@100ms"], "resync %s" % text)
    text, sub = await receive(ws, pings)
    expect(sub.get("method") == "subscribe" and sub.get("params") == ["ethusd@depth@100ms"], "resubscribe %s" % text)
    # A frame of the old subscription before the unsubscribe's reply: dropped by the client.
    await ws.send('{"e":"depthUpdate","E":1789456740383524809,"s":"ethusd","U":130,"u":131,'
                  '"b":[["2998.00","7.00000000"]],"a":[]}')
    await ws.send(json.dumps({"id": unsub["id"], "status": 200}))
    await ws.send(json.dumps({"id": sub["id"], "status": 200}))
    await ws.send('{"e":"depthUpdate","E":1789456740473524809,"s":"ethusd","U":140,"u":140,'
                  '"b":[["3002.00","3.00000000"]],"a":[["3003.00","4.00000000"]]}')
    await ws.send('{"e":"depthUpdate","E":1789456740573524809,"s":"btcusd","U":105,"u":106,'
                  '"b":[],"a":[["60100.00","0.30000000"]]}')
    while True:
        await receive(ws, pings)


def check_auth(request):
    headers = request.headers
    nonce = headers.get("X-GEMINI-NONCE", "")
    payload = headers.get("X-GEMINI-PAYLOAD", "")
    signature = headers.get("X-GEMINI-SIGNATURE", "")
    expect(headers.get("X-GEMINI-APIKEY") == KEY, "api key %r" % headers.get("X-GEMINI-APIKEY"))
    expect(len(nonce) == 10 and nonce.isdigit(), "nonce %r is not ten epoch-second digits" % nonce)
    expect(abs(int(nonce) - time.time()) <= 30, "nonce %s is not within 30 s" % nonce)
    expect(payload == base64.b64encode(nonce.encode()).decode(), "payload %r" % payload)
    good = hmac.new(SECRET.encode(), payload.encode(), hashlib.sha384).hexdigest()
    expect(signature == good, "signature %r" % signature)
    return int(nonce)


async def account(ws):
    expect(ws.request.path == "/?cancelOnDisconnect=true", "path %r" % ws.request.path)
    check_auth(ws.request)
    pings = []
    text, _ = await receive(ws, pings)
    expect(text == '{"id":1,"method":"subscribe","params":["orders@account","balances@account"]}', "subscribe %s" % text)
    await ws.send('{"id":1,"status":200}')

    # 1: placed; its NEW event arrives before the reply; then a partial fill and a balance.
    text, place = await receive(ws, pings)
    p = place.get("params", {})
    expect(place.get("method") == "order.place" and p == {
        "symbol": "btcusd", "side": "BUY", "type": "LIMIT", "timeInForce": "MOC", "price": "60000.5",
        "quantity": "0.25", "clientOrderId": "peer-1"}, "place %s" % text)
    await ws.send('{"e":"orderUpdate","E":1759291847686856569,"s":"BTCUSD","i":73797746498585286,"c":"peer-1",'
                  '"S":"BUY","o":"LIMIT","X":"NEW","p":"60000.50","q":"0.25000000","z":"0.25000000","T":1759291847686856569}')
    await ws.send(json.dumps({"id": place["id"], "status": 200}))
    await ws.send('{"e":"orderUpdate","E":1759291847700000000,"s":"BTCUSD","i":73797746498585286,"c":"peer-1","S":"BUY",'
                  '"o":"LIMIT","X":"PARTIALLY_FILLED","p":"60000.50","q":"0.25000000","z":"0.15000000","Z":"0.10000000",'
                  '"L":"60000.50","t":298374652910473625,"n":"0.60","m":true,"T":1759291847700000000}')
    await ws.send('{"e":"balanceUpdate","E":1768250434780,"u":1768250421600,"B":[{"a":"USD","f":"207.39","c":"300.00"}]}')

    # 2: acknowledged, but no order event ever: the client must call it ambiguous.
    text, place2 = await receive(ws, pings)
    expect(place2.get("method") == "order.place" and place2["params"].get("clientOrderId") == "peer-2", "place 2 %s" % text)
    await ws.send(json.dumps({"id": place2["id"], "status": 200}))

    # 3: refused.
    text, place3 = await receive(ws, pings)
    expect(place3.get("method") == "order.place" and place3["params"].get("clientOrderId") == "peer-3", "place 3 %s" % text)
    await ws.send(json.dumps({"id": place3["id"], "status": 400, "error": {"code": -2010, "msg": "InsufficientFunds"}}))

    # The cancel of order 1, by its exchange id as a string; CANCELED with the cumulative Z.
    text, cancel = await receive(ws, pings)
    expect(cancel.get("method") == "order.cancel" and cancel.get("params") == {"orderId": "73797746498585286"},
           "cancel %s" % text)
    await ws.send(json.dumps({"id": cancel["id"], "status": 200}))
    await ws.send('{"e":"orderUpdate","E":1759291847731455006,"s":"BTCUSD","i":73797746498585286,"c":"peer-1",'
                  '"X":"CANCELED","Z":"0.10000000","T":1759291847731455006}')
    while True:
        await receive(ws, pings)


async def handler(ws):
    try:
        await (market(ws) if MODE == "market" else account(ws))
    except Mismatch as e:
        await ws.close(4000, str(e))
    except websockets.ConnectionClosed:
        pass


async def main():
    async with serve(handler, "127.0.0.1", 0) as server:
        port = server.sockets[0].getsockname()[1]
        print(port, flush=True)
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, sys.stdin.read)


asyncio.run(main())
