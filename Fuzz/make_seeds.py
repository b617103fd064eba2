#!/usr/bin/env python3
"""Writes the small seed corpora under Fuzz/corpus/<target>/ from the shared Gemini
fixtures (/work/shared/gemini/fixtures) and shapes used in the unit tests. Re-running it
is harmless (seeds are named by content hash); fuzz.sh then grows and minimizes them."""
import hashlib, json, os, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIX = os.environ.get("GEMINI_FIXTURES", "/work/shared/gemini/fixtures")

def put(target, data):
    if isinstance(data, str):
        data = data.encode()
    d = os.path.join(ROOT, "Fuzz", "corpus", target)
    os.makedirs(d, exist_ok=True)
    name = "seed-" + hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)

def load(name):
    p = os.path.join(FIX, name)
    return json.load(open(p)) if os.path.exists(p) else {}

docs = load("gemini_docs_examples.json")
compact = lambda v: json.dumps(v, separators=(",", ":"))

# --- md_v2: v2 market data, one message per line -------------------------------------
v2 = docs.get("ws_marketdata_v2", {})
for k, v in v2.items():
    put("md_v2", compact(v["msg"]))
    put("md_v2", json.dumps(v["msg"], indent=1))
snap = {"type": "l2_updates", "symbol": "BTCUSD",
        "changes": [["buy", "9122.04", "0.00121425"], ["buy", "9122.03", "1.5"], ["sell", "9122.07", "0.98942292"],
                    ["sell", "9122.1", "2"]],
        "trades": [{"type": "trade", "symbol": "BTCUSD", "event_id": 169841458, "timestamp": 1560976400428,
                    "price": "9122.04", "quantity": "0.0073173", "side": "sell", "tid": 2840140800042677}],
        "auction_events": []}
put("md_v2", compact(snap) + "\n" + '{"type":"l2_updates","symbol":"BTCUSD","changes":[["buy","9122.03","0"],["sell","9122.05","3.25"]]}')
put("md_v2", '{"type":"l2_updates","symbol":"ETHUSD","changes":[["buy","1234.5","10"]]}\n'
             '{ "symbol" : "ETHUSD", "changes" : [ [ "sell", "1235", "1.000" ] ], "type" : "l2_updates" }')
put("md_v2", '{"type":"l2_updates","symbol":"BTCUSD","changes":[["sell","12345678.12345678","123456789.123456789"]]}')
put("md_v2", '{"type":"l2_updates","symbol":"BTCUSD","changes":[["buy",1e-8,"1E2"],["sell","2.5e3",0]]}')
put("md_v2", '{"type":"candles_1m_updates","symbol":"BTCUSD","changes":[[1561054500000,9350.18,9358.35,9350.18,9355.51,2.07]]}')
put("md_v2", '{"type":"heartbeat","timestamp":1624493666869}\n{"result":"error","reason":"InvalidJson","message":"bad"}')
put("md_v2", '{"type":"auction_indicative","symbol":"BTCUSD","time_ms":1,"result":"success","highest_bid_price":"1","lowest_ask_price":"2","collar_price":"1.5","indicative_price":"1.5","indicative_quantity":"1"}')
put("md_v2", '{"type":"l2_updates","symbol":"BTC\\u0055SD","changes":[["b\\u0075y","1","1"]]}')
put("md_v2", '{"type":"l2_updates","symbol":"BTCUSD","changes":[["buy","1","1"]]}')
put("md_v2", '{"type":"l2_updates","symbol":"BTCUSD","changes":[]}')

# --- exact_decimal: whitespace-separated decimals -------------------------------------
for s in ["3633.00 3633", "-0.5 1e-8", "1E-8 2.5e3 0.00000001", "99999999999999999999999999999999999999 1",
          "-99999999999999999999999999999999999999 -1", "0.00000000000000000000000000000000000001 10",
          "123456789012345678.9 0.1 3", "1e38 1e-38", "0e-1000 7", "18446744073709551616 18446744073709551615.5",
          "9223372036854775808 -9223372036854775808", "0.3 0.1 -0.2"]:
    put("exact_decimal", s)

# --- order_events: frames, one per line; @0 / @1 stand for the harness's own client ids --
oe = docs.get("ws_order_events_v1", {})
for k, v in oe.items():
    m = v.get("msg", v)
    put("order_events", compact(m))
koh = load("kohuhu_order_events.json").get("messages", {})
frames = []
for k, v in koh.items():
    put("order_events", compact(v))
    frames.append(v)
gct = load("gocryptotrader_ws_messages.json").get("messages", [])
for v in gct:
    m = v.get("message") if isinstance(v, dict) else None
    if m is not None:
        put("order_events", compact(m))
ack = {"type": "subscription_ack", "accountId": 5, "subscriptionId": "ws-order-events-5-x", "symbolFilter": [],
       "apiSessionFilter": [], "eventTypeFilter": []}
acc = {"type": "accepted", "order_id": "1001", "event_id": "1002", "client_order_id": "@0", "api_session": "k",
       "symbol": "btcusd", "side": "buy", "order_type": "exchange limit", "timestamp": "1700000000",
       "timestampms": 1700000000000, "is_live": True, "is_cancelled": False, "is_hidden": False,
       "original_amount": "1", "remaining_amount": "1", "price": "100.00", "socket_sequence": 0}
fill = dict(acc, type="fill", event_id="1003", executed_amount="0.4", remaining_amount="0.6", socket_sequence=1,
            fill={"trade_id": "1004", "liquidity": "Maker", "price": "100.00", "amount": "0.4", "fee": "0.04",
                  "fee_currency": "USD"})
canc = dict(acc, type="cancelled", event_id="1005", is_live=False, is_cancelled=True, socket_sequence=2,
            reason="Requested")
hb = {"type": "heartbeat", "timestampms": 1700000001000, "sequence": 0, "socket_sequence": 3, "trace_id": "t"}
put("order_events", "\n".join(compact(x) for x in [ack, [acc], [fill], [canc], hb]))
put("order_events", "\n".join(compact(x) for x in [ack, [dict(acc, type="initial", client_order_id="@1")], [acc, fill], hb]))
put("order_events", compact({"result": "error", "reason": "MissingRole", "message": "x"}))

# --- rest: byte 0 picks the decoder, byte 1 the HTTP status, the rest is the body -----
REST_KINDS = ["orderStatus", "orderStatusMatches", "orderList", "myTrades", "balances", "symbolDetails",
              "cancelAll", "notionalVolume", "pubTicker", "tickerV2", "candles", "publicTrades",
              "orderBook", "roles", "resultOK", "errorBody"]
def rest(kind, body, status=0):
    put("rest", bytes([REST_KINDS.index(kind), status]) + (body if isinstance(body, bytes) else compact(body).encode()))
endpoint_kind = {"GET /v1/symbols/details/BTCUSD": "symbolDetails", "GET /v1/pubticker/BTCUSD": "pubTicker",
                 "GET /v2/ticker/BTCUSD": "tickerV2", "GET /v1/book/BTCUSD": "orderBook",
                 "GET /v1/trades/BTCUSD": "publicTrades", "GET /v2/candles/BTCUSD/15m": "candles",
                 "POST /v1/order/new": "orderStatus", "POST /v1/order/cancel": "orderStatus",
                 "POST /v1/order/cancel/all": "cancelAll", "POST /v1/order/cancel/session": "cancelAll",
                 "POST /v1/order/status": "orderStatus", "POST /v1/order/status (client_order_id)": "orderStatusMatches",
                 "POST /v1/orders": "orderList", "POST /v1/orders/history": "orderList", "POST /v1/mytrades": "myTrades",
                 "POST /v1/notionalvolume": "notionalVolume", "POST /v1/balances": "balances",
                 "POST /v1/heartbeat": "resultOK", "POST /v1/roles": "roles"}
for k, v in docs.get("rest", {}).items():
    if k in endpoint_kind and "response" in v:
        rest(endpoint_kind[k], v["response"])
for k, v in docs.get("errors", {}).items():
    body = v.get("response", v.get("body", v))
    rest("errorBody", body, 1)
    rest("orderStatus", body, 0)
rest("orderStatus", b"<html><body>502 Bad Gateway</body></html>", 5)
rest("orderList", b"null")
rest("myTrades", [{"price": "3648.09", "amount": "0.0027343246", "timestamp": 1547232911, "timestampms": 1547232911273,
                   "type": "Buy", "aggressor": True, "fee_currency": "USD", "fee_amount": "0.024937655575035",
                   "tid": 107317526, "order_id": "107317524", "exchange": "gemini", "is_auction_fill": False,
                   "client_order_id": "cx-abc-000000000001", "symbol": "btcusd"}])

# --- ws_handshake: byte 0 = mode (0 URL, 1 handshake response, 2 request headers) ----
for u in ["wss://api.gemini.com/v2/marketdata", "ws://127.0.0.1:8080/v1/order/events?heartbeat=true",
          "ws://[::1]:9000/x#frag", "ws://localhost/", "wss://user@host/", "ws://10.0.0.1/", "ws://127.1/",
          "WSS://API.GEMINI.COM:443?x=1", "ws://[0:0:0:0:0:0:0:1]:65535"]:
    put("ws_handshake", b"\x00" + u.encode())
accept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
ok = ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      f"Sec-WebSocket-Accept: {accept}\r\n\r\n\x81\x02hi")
put("ws_handshake", b"\x01\x07" + ok.encode())
put("ws_handshake", b"\x01\x00" + b"HTTP/1.1 403 Forbidden\r\nContent-Length: 40\r\nContent-Type: application/json\r\n\r\n"
    b'{"result":"error","reason":"MissingRole"}')
put("ws_handshake", b"\x01\x03" + b"HTTP/1.1 101 OK\r\nupgrade: WebSocket\r\nconnection: keep-alive, upgrade\r\n"
    b"sec-websocket-accept: " + accept.encode() + b"\r\nsec-websocket-extensions: permessage-deflate\r\n\r\n")
put("ws_handshake", b"\x02" + b"X-GEMINI-APIKEY: abc\nX-GEMINI-PAYLOAD: eyJ9\nX-GEMINI-SIGNATURE: 00ff")

# --- config: TOML files ----------------------------------------------------------------
ex = os.path.join(ROOT, "examples", "castor.toml")
if os.path.exists(ex):
    put("config", open(ex, "rb").read())
put("config", '[venue]\nname = "sandbox"\n[engine]\nshutdown_timeout = 10000000000\n')
put("config", '[[strategy]]\nname = "t"\nkind = "twap"\nsymbol = "BTCUSD"\n[strategy.params]\nduration = "1e38h"\nsize = "0.5"\n')
put("config", '[risk]\nkill_switch = true\nmax_order_notional = "1e30"\n[risk.limits.BTCUSD]\nmax_position = "-1"\n')
