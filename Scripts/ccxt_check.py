#!/usr/bin/env python3
"""Checks that an unmodified ccxt `gemini` client works against Castor's simulator.

Usage:
    castor sim --listen 127.0.0.1:8765        # prints api_key / api_secret / admin_token
    python3 Scripts/ccxt_check.py --url http://127.0.0.1:8765 --api-key KEY --api-secret SECRET \
        --sim-admin-token TOKEN

Only ccxt's URLs are changed (every `urls['api']` entry points at the simulator). Liquidity comes
from the simulator's synthetic market; without it, a second account is created through the
simulator's own `/sim/accounts` endpoint to quote (it needs the admin token from the
simulator's `sim.ready` line, sent as `X-Sim-Admin-Token`). Prints PASS/FAIL per
step and exits non-zero if any step fails.
"""
import argparse
import json
import os
import secrets
import sys
import time
import traceback
import urllib.request

import ccxt


def make_exchange(url, key, secret):
    exchange = ccxt.gemini({"apiKey": key, "secret": secret, "enableRateLimit": True})
    for name in list(exchange.urls["api"].keys()):
        exchange.urls["api"][name] = url
    # ccxt reads market precisions from the exchange website's currencyData block
    # (urls['api']['webExchange']); the simulator serves that block at GET /.
    # Market loading stays ccxt's default (/v1/symbols + the website's tradingPairs). With
    # fetchDetailsForAllSymbols ccxt would read contract_price_currency, which Gemini's docs
    # show for spot pairs too, as a swap marker and name the pair BTC/USD:USD.
    return exchange


def sim_post(url, path, body, admin_token):
    if not admin_token:
        raise RuntimeError("the simulator's /sim/ endpoints need --sim-admin-token (admin_token in castor sim's sim.ready line)")
    request = urllib.request.Request(url + path, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json", "X-Sim-Admin-Token": admin_token})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default=os.environ.get("CASTOR_SIM_URL", "http://127.0.0.1:8765"))
    parser.add_argument("--api-key", default=os.environ.get("CASTOR_SIM_API_KEY", "account-castorsim000000001"))
    parser.add_argument("--api-secret", default=os.environ.get("CASTOR_SIM_API_SECRET"))
    parser.add_argument("--sim-admin-token", default=os.environ.get("CASTOR_SIM_ADMIN_TOKEN"),
                        help="the simulator's admin token (only needed without its synthetic market)")
    parser.add_argument("--symbol", default="BTC/USD")
    args = parser.parse_args()
    if not args.api_secret:
        parser.error("--api-secret (or CASTOR_SIM_API_SECRET) is required")

    failures = 0
    state = {}

    def step(name, fn):
        nonlocal failures
        try:
            detail = fn()
            print(f"PASS {name}" + (f": {detail}" if detail else ""))
            return True
        except Exception as error:  # noqa: BLE001 - report every failure and keep going
            failures += 1
            print(f"FAIL {name}: {type(error).__name__}: {error}")
            if os.environ.get("CCXT_CHECK_TRACE"):
                traceback.print_exc()
            return False

    trader = make_exchange(args.url, args.api_key, args.api_secret)
    maker_key = "account-ccxtmaker" + secrets.token_hex(5)
    maker_secret = secrets.token_hex(24)
    symbol = args.symbol

    def load_markets():
        markets = trader.load_markets()
        assert symbol in markets, list(markets)
        return f"{len(markets)} markets: {', '.join(sorted(markets))}"

    def ensure_liquidity():
        book = trader.fetch_order_book(symbol)
        if book["bids"] and book["asks"]:
            return f"synthetic market quoting {book['bids'][0][0]} / {book['asks'][0][0]}"
        # No synthetic market: a second account (created via the simulator's /sim/accounts) quotes.
        sim_post(args.url, "/sim/accounts", {"name": "ccxt-maker-" + maker_key[-6:],
                                             "balances": {"USD": "1000000", "BTC": "100", "ETH": "1000"},
                                             "keys": [{"key": maker_key, "secret": maker_secret}]},
                 args.sim_admin_token)
        maker = make_exchange(args.url, maker_key, maker_secret)
        maker.load_markets()
        maker.create_order(symbol, "limit", "buy", 0.5, 29900)
        maker.create_order(symbol, "limit", "sell", 0.5, 30100)
        return f"second account {maker_key} quoting 29900 / 30100"

    def fetch_ticker():
        ticker = trader.fetch_ticker(symbol)
        assert ticker["bid"] and ticker["ask"] and ticker["bid"] < ticker["ask"], ticker
        state["bid"], state["ask"] = ticker["bid"], ticker["ask"]
        return f"bid {ticker['bid']} ask {ticker['ask']} last {ticker['last']}"

    def fetch_order_book():
        book = trader.fetch_order_book(symbol)
        assert book["bids"] and book["asks"] and book["bids"][0][0] < book["asks"][0][0], book
        return f"{len(book['bids'])} bids, {len(book['asks'])} asks, best {book['bids'][0][0]} / {book['asks'][0][0]}"

    def fetch_balance():
        balance = trader.fetch_balance()
        assert balance["USD"]["free"] > 0, balance["USD"]
        state["btc_before"] = balance["BTC"]["total"] if "BTC" in balance else 0
        return f"USD free {balance['USD']['free']}, BTC total {state['btc_before']}"

    def create_limit_order():
        price = float(trader.price_to_precision(symbol, state["bid"] * 0.8))
        order = trader.create_order(symbol, "limit", "buy", 0.01, price, {"clientOrderId": "ccxt-check-1"})
        assert order["id"] and order["status"] == "open", order
        state["order_id"] = order["id"]
        return f"order {order['id']} {order['status']} at {price}"

    def open_orders():
        orders = trader.fetch_open_orders(symbol)
        ids = [o["id"] for o in orders]
        assert state["order_id"] in ids, ids
        return f"{len(orders)} open, includes {state['order_id']}"

    def cancel():
        result = trader.cancel_order(state["order_id"], symbol)
        assert result["status"] == "canceled", result
        remaining = [o["id"] for o in trader.fetch_open_orders(symbol)]
        assert state["order_id"] not in remaining, remaining
        return f"order {state['order_id']} canceled"

    def fill_and_my_trades():
        ask = trader.fetch_ticker(symbol)["ask"]
        price = float(trader.price_to_precision(symbol, ask * 1.002))
        order = trader.create_order(symbol, "limit", "buy", 0.002, price,
                                    {"clientOrderId": "ccxt-check-2", "timeInForce": "IOC"})
        assert order["filled"] == 0.002, order
        state["filled"] = order["filled"]
        trades = trader.fetch_my_trades(symbol)
        mine = [t for t in trades if t["order"] == order["id"]]
        assert mine and sum(t["amount"] for t in mine) == 0.002 and mine[0]["side"] == "buy", trades
        return f"order {order['id']} {order['status']} filled {order['filled']} in {len(mine)} trade(s) @ {mine[0]['price']}, fee {mine[0]['fee']}"

    def balance_after():
        balance = trader.fetch_balance()
        delta = balance["BTC"]["total"] - state["btc_before"]
        assert abs(delta - state["filled"]) < 1e-12, delta
        return f"BTC +{delta:.8f}"

    step("load_markets", load_markets)
    step("liquidity", ensure_liquidity)
    step("fetch_ticker", fetch_ticker)
    step("fetch_order_book", fetch_order_book)
    step("fetch_balance", fetch_balance)
    if step("create_order (limit buy)", create_limit_order):
        step("fetch_open_orders", open_orders)
        step("cancel_order", cancel)
    step("marketable order + fetch_my_trades", fill_and_my_trades)
    step("fetch_balance after fill", balance_after)
    print("RESULT:", "PASS" if failures == 0 else f"FAIL ({failures} step(s) failed)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
