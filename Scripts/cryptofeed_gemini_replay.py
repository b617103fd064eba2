#!/usr/bin/env python3
"""Times cryptofeed's Gemini market data v2 handler on a recording, without a network.

The reference figure for `castor replay FILE`: the same file, one message per line (an
optional `<unix time>: ` receive-time prefix, `#` comments and blank lines skipped), each
line handed as text to `Gemini.message_handler` (its JSON parse, then `_book` into its
order book or `_trade`), with no callbacks registered. Only the handling is timed: the
file is read and the prefixes stripped first. Prints messages, seconds and messages/s.

    pip install cryptofeed
    python3 Scripts/cryptofeed_gemini_replay.py /tmp/l2.txt
"""
import sys
import time

from cryptofeed.defines import L2_BOOK, TRADES
from cryptofeed.exchanges.gemini import Gemini
from cryptofeed.types import OrderBook


def lines_of(path):
    out = []
    with open(path, "rb") as f:
        for raw in f:
            line = raw.strip()
            if not line or line.startswith(b"#"):
                continue
            if line[:1].isdigit():
                colon = line.find(b": ")
                if colon < 0:
                    continue
                line = line[colon + 2:].lstrip()
            if line.startswith(b"{"):
                out.append(line.decode())
    return out


def symbols_of(lines):
    seen = []
    for line in lines:
        at = line.find('"symbol":"')
        if at >= 0:
            end = line.find('"', at + 10)
            name = line[at + 10:end]
            if name not in seen:
                seen.append(name)
    return seen


def feed_for(symbols):
    # A Gemini feed without its constructor, which would ask Gemini's REST API for the
    # symbol list: only what message_handler, _book and _trade read.
    g = Gemini.__new__(Gemini)
    g.exchange_symbol_mapping = {s: s for s in symbols}
    g.normalized_symbol_mapping = {s: s for s in symbols}
    g.ignore_invalid_instruments = False
    g.subscription = {L2_BOOK: list(symbols), TRADES: list(symbols)}
    g.cross_check = False
    g.max_depth = 0
    g.callbacks = {L2_BOOK: [], TRADES: []}
    g._l2_book = {s: OrderBook(g.id, s, max_depth=0) for s in symbols}
    return g


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: cryptofeed_gemini_replay.py FILE")
    lines = lines_of(sys.argv[1])
    g = feed_for(symbols_of(lines))
    handler = g.message_handler
    start = time.perf_counter()
    for line in lines:
        # The handler never really awaits (no callbacks), so one send runs it to the end.
        coro = handler(line, None, 0.0)
        try:
            coro.send(None)
        except StopIteration:
            pass
        else:
            raise RuntimeError("handler awaited")
    seconds = time.perf_counter() - start
    books = ", ".join(f"{s} bids {len(b.book.bids)} asks {len(b.book.asks)}" for s, b in g._l2_book.items())
    print(books)
    print(f"messages: {len(lines)}  seconds: {seconds:.6f}  messages/s: {int(len(lines) / seconds)}")


if __name__ == "__main__":
    main()
