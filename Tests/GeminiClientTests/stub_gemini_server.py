#!/usr/bin/env python3
"""A stub Gemini REST server for GeminiClientTests: an independent peer.

Verifies every private request on its own with hmac/hashlib/base64 (API.md §2): known
X-GEMINI-APIKEY, signature = hex HMAC-SHA384(secret, base64 text), payload `request` equal
to the URL path, nonce strictly greater than the key's previous one, Content-Length 0 and
an empty body. Records arrival order and how many private requests overlapped, and answers
with fixture-shaped bodies (API.md §3) or with injected faults.

Usage: stub_gemini_server.py --key KEY --secret SECRET [--latency-ms N]
Prints the ephemeral port on stdout, serves until stdin closes.

Control (not Gemini API):
  POST /_control/faults  JSON list of faults, consumed in order by matching private requests:
      {"path": "/v1/balances" (optional), "kind": "error", "status": 406, "reason": "...", "message": "..."}
      {"kind": "text", "status": 503, "body": "..."}
      {"kind": "delay", "seconds": 2.0}      (then the normal answer)
      {"kind": "close"}                      (read the request, close without replying)
  GET  /_control/log     {"private": [...], "public": [...], "violations": [...], "max_in_flight": n}
"""
import argparse, base64, binascii, hashlib, hmac, json, socket, sys, threading, time
from decimal import Decimal, InvalidOperation
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit, parse_qsl

LOCK = threading.Lock()
STATE = {"last_nonce": {}, "private": [], "public": [], "violations": [], "faults": [],
         "in_flight": 0, "max_in_flight": 0, "next_order_id": 73751560172006688}
KEYS = {}
LATENCY = 0.0

ORDER_FIELDS = {"exchange": "gemini", "is_hidden": False, "was_forced": False}

def order_status(order_id, **kw):
    base = {"order_id": str(order_id), "id": str(order_id), "symbol": "btcusd", "exchange": "gemini",
            "avg_execution_price": "400.00", "side": "buy", "type": "exchange limit",
            "timestamp": "1494870642", "timestampms": 1494870642156, "is_live": False,
            "is_cancelled": False, "is_hidden": False, "was_forced": False, "executed_amount": "3",
            "remaining_amount": "0", "options": [], "price": "400.00", "original_amount": "3"}
    base.update(kw)
    return base

MYTRADES = [
    {"price": "3648.09", "amount": "0.0027343246", "timestamp": 1547232911, "timestampms": 1547232911021, "type": "Buy", "aggressor": True, "fee_currency": "USD", "fee_amount": "0.024937655575035", "tid": 107317526, "order_id": "107317524", "exchange": "gemini", "is_clearing_fill": False, "symbol": "BTCUSD"},
    {"price": "3633.00", "amount": "0.00423677", "timestamp": 1547220640, "timestampms": 1547220640195, "type": "Buy", "aggressor": False, "fee_currency": "USD", "fee_amount": "0.038480463525", "tid": 106921823, "order_id": "106817811", "exchange": "gemini", "is_clearing_fill": False, "symbol": "BTCUSD"},
]

def private_answer(path, p):
    if path == "/v1/order/new":
        with LOCK:
            oid = STATE["next_order_id"]; STATE["next_order_id"] += 1
        body = {"order_id": str(oid), "id": str(oid), "symbol": p["symbol"], "exchange": "gemini",
                "avg_execution_price": "0.00", "side": p["side"], "type": p["type"],
                "timestamp": "1547220404", "timestampms": 1547220404836, "is_live": True,
                "is_cancelled": False, "is_hidden": False, "was_forced": False, "executed_amount": "0",
                "remaining_amount": p["amount"], "client_order_id": p["client_order_id"],
                "options": p.get("options", []), "price": p["price"], "original_amount": p["amount"]}
        if "stop_price" in p:
            body["stop_price"] = p["stop_price"]
        return 200, body
    if path == "/v1/order/cancel":
        return 200, order_status(p["order_id"], avg_execution_price="3632.85101103", timestamp="1495742383",
                                 timestampms=1495742383345, is_cancelled=True, executed_amount="3.7610296649",
                                 remaining_amount="1.2389703351", reason="Requested", price="2960.00",
                                 original_amount="5")
    if path == "/v1/order/cancel/session":
        return 200, {"result": "ok", "details": {"cancelRejects": [], "cancelledOrders": [330429106, 330429079, 330429082]}}
    if path == "/v1/order/cancel/all":
        return 200, {"result": "ok", "details": {"cancelRejects": [330429345], "cancelledOrders": []}}
    if path == "/v1/order/status":
        extra = {}
        if "client_order_id" in p:
            extra["client_order_id"] = p["client_order_id"]
        if p.get("include_trades"):
            extra["trades"] = [MYTRADES[0]]
        status = order_status(p.get("order_id", 123456789012345), **extra)
        # By client_order_id Gemini answers with every matching order: an array (API.md 3.4).
        return 200, [status] if "client_order_id" in p else status
    if path == "/v1/orders":
        return 200, [
            {"order_id": "107421210", "id": "107421210", "symbol": "ethusd", "exchange": "gemini", "avg_execution_price": "0.00", "side": "sell", "type": "exchange limit", "timestamp": "1547241628", "timestampms": 1547241628042, "is_live": True, "is_cancelled": False, "is_hidden": False, "was_forced": False, "executed_amount": "0", "remaining_amount": "1", "options": [], "price": "125.51", "original_amount": "1"},
            {"order_id": "107421205", "id": "107421205", "symbol": "ethusd", "exchange": "gemini", "avg_execution_price": "125.41", "side": "buy", "type": "exchange limit", "timestamp": "1547241626", "timestampms": 1547241626991, "is_live": True, "is_cancelled": False, "is_hidden": False, "was_forced": False, "executed_amount": "0.029147", "remaining_amount": "0.970853", "options": [], "price": "125.42", "original_amount": "1"}]
    if path == "/v1/mytrades":
        return 200, MYTRADES
    if path == "/v1/balances":
        return 200, [
            {"type": "exchange", "currency": "BTC", "amount": "5.0", "available": "4.5", "availableForWithdrawal": "4.5", "pendingWithdrawal": "0.25", "pendingDeposit": "0.25"},
            {"type": "exchange", "currency": "USD", "amount": "15000.00", "available": "5000.00", "availableForWithdrawal": "5000.00"},
            {"type": "exchange", "currency": "ETH", "amount": "10.0", "available": "10.0", "availableForWithdrawal": "10.0"}]
    if path == "/v1/notionalvolume":
        return 200, {"web_maker_fee_bps": 25, "web_taker_fee_bps": 35, "web_auction_fee_bps": 25,
                     "api_maker_fee_bps": 10, "api_taker_fee_bps": 35, "api_auction_fee_bps": 20,
                     "fix_maker_fee_bps": 10, "fix_taker_fee_bps": 35, "fix_auction_fee_bps": 20,
                     "notional_30d_volume": 150, "last_updated_ms": 1551371446000, "date": "2019-02-28",
                     "notional_1d_volume": [{"date": "2019-02-22", "notional_volume": 75},
                                            {"date": "2019-02-14", "notional_volume": 75}]}
    if path == "/v1/roles":
        return 200, {"isAuditor": False, "isFundManager": False, "isTrader": True}
    if path == "/v1/heartbeat":
        return 200, {"result": "ok"}
    return 404, {"result": "error", "reason": "EndpointNotFound", "message": "no such endpoint " + path}

# Public bodies as raw text, so number spellings like 1e-8 reach the client unchanged.
PUBLIC = {
    "/v1/symbols": '["btcusd","ethbtc","ethusd","btcgusdperp"]',
    "/v1/symbols/details/btcusd": '{"symbol":"BTCUSD","base_currency":"BTC","quote_currency":"USD","tick_size":1e-8,"quote_increment":0.01,"min_order_size":"0.00001","status":"open","wrap_enabled":false,"product_type":"spot","contract_type":"vanilla","contract_price_currency":"USD"}',
    "/v1/pubticker/btcusd": '{"bid":"977.59","ask":"977.35","last":"977.65","volume":{"BTC":"2210.505328803","USD":"2135477.463379586263","timestamp":1483018200000}}',
    "/v2/ticker/btcusd": '{"symbol":"BTCUSD","open":"9121.76","high":"9440.66","low":"9106.51","close":"9347.66","changes":["9365.1","9386.16","9373.41"],"bid":"9345.70","ask":"9347.67"}',
    "/v1/book/btcusd": '{"bids":[{"price":"3607.85","amount":"6.643373","timestamp":"1547147541"}],"asks":[{"price":"3607.86","amount":"14.68205084","timestamp":"1547147541"}]}',
    "/v1/trades/btcusd": '[{"timestamp":1547146811,"timestampms":1547146811357,"tid":5335307668,"price":"3610.85","amount":"0.27413495","exchange":"gemini","type":"buy","broken":false}]',
    "/v2/candles/btcusd/1hr": '[[1559755800000,7781.6,7820.23,7776.56,7819.39,34.7624802159],[1559752200000,7781.6,7829.46,7776.56,7817.28,43.4228281059]]',
}

def take_fault(path):
    with LOCK:
        for i, fault in enumerate(STATE["faults"]):
            if fault.get("path") in (None, path):
                return STATE["faults"].pop(i)
    return None

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send_body(self, status, body, content_type="application/json"):
        data = body.encode() if isinstance(body, str) else json.dumps(body, separators=(",", ":")).encode()
        self.uncount()
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def uncount(self):
        # Leaves the in-flight count *before* the reply is written: once the client has the
        # reply it may send the next request, which must not be seen as overlapping.
        if getattr(self, "counted", False):
            self.counted = False
            with LOCK:
                STATE["in_flight"] -= 1

    def error(self, status, reason, message):
        self.send_body(status, {"result": "error", "reason": reason, "message": message})

    def do_GET(self):
        url = urlsplit(self.path)
        if url.path == "/_control/log":
            with LOCK:
                snapshot = {k: STATE[k] for k in ("private", "public", "violations", "max_in_flight")}
                self.send_body(200, snapshot)
            return
        with LOCK:
            STATE["public"].append({"path": url.path, "query": url.query})
        body = PUBLIC.get(url.path)
        if body is None:
            self.error(400, "Bad Request", "Supplied value 'x' is not a valid symbol.")
        else:
            self.send_body(200, body)

    def do_POST(self):
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(length) if length > 0 else b""
        if url.path == "/_control/faults":
            with LOCK:
                STATE["faults"].extend(json.loads(raw))
            self.send_body(200, {"result": "ok"})
            return
        with LOCK:
            STATE["in_flight"] += 1
            STATE["max_in_flight"] = max(STATE["max_in_flight"], STATE["in_flight"])
        self.counted = True
        try:
            self.private(url, raw)
        finally:
            self.uncount()

    def violation(self, status, reason, message):
        with LOCK:
            STATE["violations"].append({"path": self.path, "reason": reason, "message": message})
        self.error(status, reason, message)

    def private(self, url, raw):
        if self.headers.get("Content-Length") != "0" or raw:
            return self.violation(400, "InvalidJson", "Content-Length must be 0 and the body empty")
        key = self.headers.get("X-GEMINI-APIKEY")
        b64 = self.headers.get("X-GEMINI-PAYLOAD")
        sig = self.headers.get("X-GEMINI-SIGNATURE")
        if key is None:
            return self.violation(400, "MissingApikeyHeader", "no X-GEMINI-APIKEY")
        if b64 is None:
            return self.violation(400, "MissingPayloadHeader", "no X-GEMINI-PAYLOAD")
        if sig is None:
            return self.violation(400, "MissingSignatureHeader", "no X-GEMINI-SIGNATURE")
        secret = KEYS.get(key)
        if secret is None:
            return self.violation(400, "InvalidApiKey", "unknown key")
        expected = hmac.new(secret.encode(), b64.encode(), hashlib.sha384).hexdigest()
        if not hmac.compare_digest(expected, sig):
            return self.violation(400, "InvalidSignature", "signature does not match payload")
        try:
            payload = json.loads(base64.b64decode(b64, validate=True))
        except (binascii.Error, ValueError) as e:
            return self.violation(400, "InvalidJson", "payload: %s" % e)
        if payload.get("request") != url.path:
            return self.violation(400, "EndpointMismatch", "request %r != path %r" % (payload.get("request"), url.path))
        try:
            nonce = Decimal(str(payload["nonce"]))
        except (KeyError, InvalidOperation):
            return self.violation(400, "MissingNonce", "nonce missing or not a number")
        with LOCK:
            last = STATE["last_nonce"].get(key)
            fresh = last is None or nonce > last
            if fresh:
                STATE["last_nonce"][key] = nonce
            seq = len(STATE["private"])
            STATE["private"].append({"seq": seq, "path": url.path, "nonce": str(payload["nonce"]),
                                     "payload": payload, "accepted": fresh})
        if not fresh:
            return self.violation(400, "InvalidNonce",
                                  "Nonce '%s' has not increased since your last call to the Gemini API." % payload["nonce"])
        if LATENCY:
            time.sleep(LATENCY)
        fault = take_fault(url.path)
        if fault is not None:
            with LOCK:
                STATE["private"][seq]["fault"] = fault["kind"]
            kind = fault["kind"]
            if kind == "error":
                return self.error(fault["status"], fault["reason"], fault.get("message", fault["reason"]))
            if kind == "text":
                return self.send_body(fault["status"], fault["body"], "text/html")
            if kind == "close":
                self.close_connection = True
                try:
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                return
            if kind == "delay":
                time.sleep(fault["seconds"])
        status, body = private_answer(url.path, payload)
        self.send_body(status, body)

class Server(ThreadingHTTPServer):
    daemon_threads = True

    def get_request(self):
        conn, addr = super().get_request()
        # Nagle + delayed ACK would add ~40 ms to every keep-alive reply.
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return conn, addr

def main():
    global LATENCY
    parser = argparse.ArgumentParser()
    parser.add_argument("--key", required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--latency-ms", type=float, default=2.0)
    args = parser.parse_args()
    KEYS[args.key] = args.secret
    LATENCY = args.latency_ms / 1000.0
    server = Server(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stdin.read()  # the test closes stdin (or dies) to stop us

if __name__ == "__main__":
    main()
