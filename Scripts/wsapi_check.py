#!/usr/bin/env python3
"""Checks `castor sim`'s new WebSocket API with an independent client (PyPI `websockets`).

Start the simulator with a time-based key (the WebSocket API accepts no other), e.g.

    castor sim --time-nonce --api-secret SECRET          # prints ws_api in its sim.ready line
    python3 Scripts/wsapi_check.py --url ws://127.0.0.1:PORT --api-key account-castorsim000000001 --api-secret SECRET

It signs the upgrade as WS-API.md §1.4 says (X-GEMINI-NONCE = epoch seconds, X-GEMINI-PAYLOAD
= base64 of that text, X-GEMINI-SIGNATURE = hex HMAC-SHA384 of the payload under the secret),
then on one `?snapshot=-1` connection: conninfo, subscribe to BTCUSD depth and the account's
orders and balances, follows the diff chain (U == previous u) for a few seconds of the
synthetic market, places a resting maker-or-cancel order and a crossing one, cancels the
resting one, and pings. Prints PASS/FAIL per check; exit status 1 if any failed.
"""
import argparse
import asyncio
import base64
import hashlib
import hmac
import json
import sys
import time

from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

FAILED = []


def check(name, ok, detail=""):
    print(("PASS " if ok else "FAIL ") + name + (f"  ({detail})" if detail else ""))
    if not ok:
        FAILED.append(name)


def signed_headers(key, secret, nonce):
    payload = base64.b64encode(str(nonce).encode()).decode()
    signature = hmac.new(secret.encode(), payload.encode(), hashlib.sha384).hexdigest()
    return {"X-GEMINI-APIKEY": key, "X-GEMINI-NONCE": str(nonce), "X-GEMINI-PAYLOAD": payload,
            "X-GEMINI-SIGNATURE": signature}


class Conn:
    def __init__(self, ws):
        self.ws = ws
        self.frames = []

    async def pump(self, seconds):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            try:
                text = await asyncio.wait_for(self.ws.recv(), timeout=max(0.01, end - time.monotonic()))
            except asyncio.TimeoutError:
                return
            self.frames.append(json.loads(text))

    async def call(self, rid, method, params=None, seconds=5):
        request = {"id": rid, "method": method}
        if params is not None:
            request["params"] = params
        start = len(self.frames)
        await self.ws.send(json.dumps(request))
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            for frame in self.frames[start:]:
                if frame.get("id") == rid and "status" in frame:
                    return frame
            await self.pump(0.05)
        raise TimeoutError(f"no reply to {method} id {rid}")

    def after(self, start, predicate):
        return [f for f in self.frames[start:] if predicate(f)]


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True, help="the ws_api URL from castor sim's sim.ready line")
    parser.add_argument("--api-key", required=True)
    parser.add_argument("--api-secret", required=True)
    args = parser.parse_args()

    # The spec's own test vector (WS-API.md §1.4).
    vector = signed_headers("k", "conformance-api-secret", 1700000000)
    check("test vector", vector["X-GEMINI-PAYLOAD"] == "MTcwMDAwMDAwMA==" and vector["X-GEMINI-SIGNATURE"] ==
          "7f81f96295cafbec4e74bbc30cf54015d665b73a49bec7f7f310f52ed6271f92f86103c32ef8e72bb32da21a811446fe")

    # A bad signature is refused at the upgrade with 401 and a JSON reason.
    nonce = int(time.time()) + 1
    bad = signed_headers(args.api_key, args.api_secret + "x", nonce)
    try:
        async with connect(args.url + "/", additional_headers=bad):
            check("bad signature refused", False, "upgrade accepted")
    except InvalidStatus as error:
        body = json.loads(error.response.body or b"{}")
        check("bad signature refused", error.response.status_code == 401 and body.get("reason") == "InvalidSignature",
              f"{error.response.status_code} {body}")

    headers = signed_headers(args.api_key, args.api_secret, nonce)
    async with connect(args.url + "/?snapshot=-1", additional_headers=headers) as ws:
        c = Conn(ws)
        info = await c.call(7, "conninfo")
        kinds = [(r["rateLimitType"], r["interval"], r["intervalNum"], r["limit"]) for r in info.get("rateLimits", [])]
        check("conninfo shape", kinds == [("REQUEST_WEIGHT", "SECOND", 10, 7000), ("ORDERS", "SECOND", 10, 3500),
                                          ("ORDERS", "DAY", 1, 10000000), ("CONNECTION_ATTEMPTS", "MINUTE", 5, 300)],
              json.dumps(info))
        start = len(c.frames)
        ack = await c.call(1, "subscribe", ["btcusd@depth@100ms", "orders@account", "balances@account"])
        check("subscribe ack", ack == {"id": 1, "status": 200}, json.dumps(ack))
        depth = c.after(start, lambda f: f.get("e") == "depthUpdate")
        ack_index = c.frames.index(ack)
        check("snapshot before ack", bool(depth) and c.frames.index(depth[0]) < ack_index)
        snap = depth[0] if depth else {}
        check("snapshot U == u, sorted, padded",
              snap.get("U") == snap.get("u") and snap.get("s") == "btcusd"
              and [float(p) for p, _ in snap.get("b", [])] == sorted((float(p) for p, _ in snap.get("b", [])), reverse=True)
              and all(len(p.split(".")[1]) == 2 and len(q.split(".")[1]) == 8 for p, q in snap.get("b", []) + snap.get("a", [])),
              f"U={snap.get('U')} best bid={snap.get('b', [[None]])[0]} best ask={snap.get('a', [[None]])[0]}")
        await c.pump(3)
        depth = [f for f in c.frames if f.get("e") == "depthUpdate"]
        chain = all(b["U"] == a["u"] and b["u"] > b["U"] for a, b in zip(depth, depth[1:]))
        check("diff chain U == previous u", len(depth) > 3 and chain, f"{len(depth) - 1} diffs in 3 s")

        best_bid = float(depth[-1]["b"][0][0]) if depth[-1]["b"] else float(snap["b"][0][0])
        book = (await c.call(9, "depth", {"symbol": "btcusd", "limit": 1}))["result"]
        best_bid, best_ask = float(book["bids"][0][0]), float(book["asks"][0][0])
        low = f"{best_bid * 0.9:.2f}"
        start = len(c.frames)
        placed = await c.call(2, "order.place", {"symbol": "btcusd", "side": "BUY", "type": "LIMIT", "timeInForce": "MOC",
                                                 "price": low, "quantity": "0.001", "clientOrderId": "py-rest-1"})
        await c.pump(0.5)
        new = c.after(start, lambda f: f.get("e") == "orderUpdate" and f.get("X") == "NEW")
        check("order.place: 200 without result, then NEW", placed == {"id": 2, "status": 200} and bool(new)
              and c.frames.index(placed) < c.frames.index(new[0]), json.dumps(new[:1]))
        order_id = new[0]["i"] if new else 0

        start = len(c.frames)
        cross = await c.call(3, "order.place", {"symbol": "btcusd", "side": "BUY", "type": "LIMIT", "timeInForce": "MOC",
                                                "price": f"{best_ask:.2f}", "quantity": "0.001"})
        await c.pump(0.5)
        cancelled = c.after(start, lambda f: f.get("X") == "CANCELED" and f.get("r") == "MakerOrCancelWouldTake")
        check("MOC crossing: CANCELED MakerOrCancelWouldTake", cross.get("status") == 200 and bool(cancelled),
              json.dumps(cancelled[:1]))

        start = len(c.frames)
        taker = await c.call(4, "order.place", {"symbol": "btcusd", "side": "BUY", "type": "LIMIT", "timeInForce": "IOC",
                                                "price": f"{best_ask * 1.01:.2f}", "quantity": "0.001"})
        await c.pump(0.5)
        fills = c.after(start, lambda f: f.get("X") in ("FILLED", "PARTIALLY_FILLED"))
        balances = c.after(start, lambda f: f.get("e") == "balanceUpdate")
        check("IOC crossing fills", taker.get("status") == 200 and bool(fills) and all(
            isinstance(f["t"], int) and "L" in f and "Z" in f and "n" in f for f in fills), json.dumps(fills[:1]))
        check("balanceUpdate after the fill", bool(balances) and {b["a"] for b in balances[0]["B"]} == {"BTC", "USD"},
              json.dumps(balances[:1]))

        start = len(c.frames)
        reply = await c.call(5, "order.cancel", {"orderId": str(order_id)})
        await c.pump(0.3)
        gone = c.after(start, lambda f: f.get("X") == "CANCELED" and f.get("i") == order_id)
        again = await c.call(6, "order.cancel", {"orderId": str(order_id)})
        check("order.cancel, then again -1013", reply == {"id": 5, "status": 200} and bool(gone)
              and again.get("error") == {"code": -1013, "msg": "Invalid parameters - order not found or already filled"},
              json.dumps(again))
        unknown = await c.call("x", "nosuch")
        check("unknown method -1020", unknown == {"id": "x", "status": 400, "error": {"code": -1020, "msg": "Unsupported operation"}})
        pong = await ws.ping()
        await asyncio.wait_for(pong, 5)
        check("protocol ping answered", True)
        print(f"order id {order_id} (> 2^53: {order_id > 2 ** 53}), last update id {depth[-1]['u']}, "
              f"{len(c.frames)} frames received")
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
