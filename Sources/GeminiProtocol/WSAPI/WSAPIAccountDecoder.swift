import CastorCore

/// Decodes the frames of the authenticated account socket: replies, `orderUpdate` and
/// `balanceUpdate` events (WS-API.md §3.2, §3.7–3.8). Keys are case-sensitive (`s`/`S`,
/// `z`/`Z`, `p`/`P` are different fields). An order event must carry `i` as a decimal
/// Int64 and `X`: without them it cannot be matched to an order, and dropping it could
/// lose a fill, so the frame is an error (the socket reconnects and REST reconciles).
public enum WSAPIAccountDecoder {
    public static func decode(_ bytes: [UInt8]) throws(WSAPIDecodingError) -> WSAPIAccountMessage {
        try WSAPIDecodingError.converting { try bytes.withUnsafeBytes { raw in try decodeFrame(raw) } }
    }

    private static func decodeFrame(_ raw: UnsafeRawBufferPointer) throws -> WSAPIAccountMessage {
        var c = JSONCursor(raw)
        let objectStart = try c.openFrameObject()
        var event: String?
        var idAt = -1, errorAt = -1, resultAt = -1, rowsAt = -1, limitsAt = -1
        var status: Int64?
        var orderID: Int64?, orderIDAt = -1
        var clientOrderID: String?, symbol: String?, sideText: String?, orderType: String?, statusText: String?
        var reason: String?
        var price, stopPrice, quantity, remaining, executed, lastPrice, fee: ExactDecimal?
        var tradeID, eventTime, updateTime: Int64?
        var isMaker: Bool?
        var badField: (String, Int)?
        func check<T>(_ value: T?, _ name: String, _ at: Int) -> T? {
            if value == nil, badField == nil { badField = (name, at) }
            return value
        }
        var more = c.containerHasMembers(closing: 0x7D)
        while more {
            let key = try c.readKey()
            c.skipWhitespace()
            let at = c.position
            // `null` means absent, like an omitted field.
            if c.current == 0x6E {
                try c.skipValue()
                more = try c.containerContinues(closing: 0x7D)
                continue
            }
            switch c.shortKey(key) {
            case 0x65: event = try c.wsText() // e
            case 0x45: eventTime = try c.wsInteger() // E
            case 0x73: symbol = check(try c.wsText(), "s", at) // s
            case 0x69: orderIDAt = at; orderID = try c.wsInteger() // i
            case 0x63: clientOrderID = try c.wsText() // c
            case 0x53: sideText = try c.wsText() // S
            case 0x6F: orderType = try c.wsText() // o
            case 0x58: statusText = check(try c.wsText(), "X", at) // X
            case 0x70: price = check(try c.wsDecimal(), "p", at) // p
            case 0x50: stopPrice = check(try c.wsDecimal(), "P", at) // P
            case 0x71: quantity = check(try c.wsDecimal(), "q", at) // q
            case 0x7A: remaining = check(try c.wsDecimal(), "z", at) // z
            case 0x5A: executed = check(try c.wsDecimal(), "Z", at) // Z
            case 0x4C: lastPrice = check(try c.wsDecimal(), "L", at) // L
            case 0x74: tradeID = check(try c.wsInteger(), "t", at) // t
            case 0x6E: fee = check(try c.wsDecimal(), "n", at) // n
            case 0x6D: isMaker = check(try c.wsBool(), "m", at) // m
            case 0x72: reason = try c.wsText() // r
            case 0x54: updateTime = try c.wsInteger() // T
            case 0x42: rowsAt = at; try c.skipValue() // B
            case 0x6964: idAt = at; try c.skipValue() // id
            default:
                if c.string(key, equals: "status") { status = try c.wsInteger() }
                else if c.string(key, equals: "error") { errorAt = at; try c.skipValue() }
                else if c.string(key, equals: "result") { resultAt = at; try c.skipValue() }
                else if c.string(key, equals: "rateLimits") { limitsAt = at; try c.skipValue() }
                else { try c.skipValue() }
            }
            more = try c.containerContinues(closing: 0x7D)
        }
        try c.expectEnd()

        if idAt >= 0, let status {
            var reply = try WSAPIMarketDecoder.reply(&c, idAt: idAt, status: status, errorAt: errorAt, resultAt: resultAt)
            if limitsAt >= 0 { reply.rateLimits = try rateLimits(&c, at: limitsAt) }
            return .reply(reply)
        }
        if event == "balanceUpdate" {
            return .balanceUpdate(try balances(&c, rowsAt: rowsAt, objectStart: objectStart,
                                               eventTimeMs: eventTime.map(WSAPIMarketDecoder.milliseconds)))
        }
        guard event == "orderUpdate" || (event == nil && statusText != nil && orderIDAt >= 0) else { return .other }
        if let (name, at) = badField { throw WSAPIDecodingError.invalidValue(name, offset: at) }
        guard orderIDAt >= 0 else { throw WSAPIDecodingError.missingField("i", offset: objectStart) }
        guard let orderID, orderID >= 0 else { throw WSAPIDecodingError.invalidValue("i", offset: orderIDAt) }
        guard let statusText else { throw WSAPIDecodingError.missingField("X", offset: objectStart) }
        guard let symbol, !symbol.isEmpty else { throw WSAPIDecodingError.missingField("s", offset: objectStart) }
        let side: Side? = switch sideText?.uppercased() {
        case "BUY": .buy
        case "SELL": .sell
        default: nil
        }
        for (value, name) in [(quantity, "q"), (remaining, "z"), (executed, "Z"), (fee, "n")] where value?.isNegative == true {
            throw WSAPIDecodingError.invalidValue(name, offset: objectStart)
        }
        return .orderUpdate(WSAPIOrderUpdate(
            orderID: orderID, clientOrderID: clientOrderID, symbol: symbol.uppercased(), side: side, orderType: orderType,
            status: WSAPIOrderUpdate.Status(statusText), price: price, stopPrice: stopPrice, quantity: quantity,
            remaining: remaining, executedField: executed, lastPrice: lastPrice, tradeID: tradeID, fee: fee,
            isMaker: isMaker, reason: reason, eventTimeNs: eventTime, updateTimeNs: updateTime))
    }

    /// `[{"rateLimitType":…,"interval":…,"intervalNum":…,"limit":…,"count":…}, …]`; entries
    /// missing a field are left out (the figures are informative).
    private static func rateLimits(_ c: inout JSONCursor, at: Int) throws -> [WSAPIRateLimit] {
        c.position = at
        c.skipWhitespace()
        guard c.current == 0x5B else { return [] }
        c.position += 1
        var out: [WSAPIRateLimit] = []
        var more = c.containerHasMembers(closing: 0x5D)
        while more {
            c.skipWhitespace()
            if c.current == 0x7B {
                c.position += 1
                var type: String?, interval: String?, number: Int64?, limit: Int64?, count: Int64?
                var fields = c.containerHasMembers(closing: 0x7D)
                while fields {
                    let key = try c.readKey()
                    if c.string(key, equals: "rateLimitType") { type = try c.wsText() }
                    else if c.string(key, equals: "interval") { interval = try c.wsText() }
                    else if c.string(key, equals: "intervalNum") { number = try c.wsInteger() }
                    else if c.string(key, equals: "limit") { limit = try c.wsInteger() }
                    else if c.string(key, equals: "count") { count = try c.wsInteger() }
                    else { try c.skipValue() }
                    fields = try c.containerContinues(closing: 0x7D)
                }
                if let type, let interval, let number, let limit {
                    out.append(WSAPIRateLimit(type: type, interval: interval, intervalCount: number, limit: limit, count: count ?? 0))
                }
            } else {
                try c.skipValue()
            }
            more = try c.containerContinues(closing: 0x5D)
        }
        return out
    }

    private static func balances(_ c: inout JSONCursor, rowsAt: Int, objectStart: Int,
                                 eventTimeMs: Int64?) throws -> WSAPIBalanceUpdate {
        var rows: [WSAPIBalanceUpdate.Row] = []
        guard rowsAt >= 0 else { return WSAPIBalanceUpdate(rows: [], eventTimeMs: eventTimeMs) }
        c.position = rowsAt
        c.skipWhitespace()
        guard c.current == 0x5B else { throw WSAPIDecodingError.invalidValue("B", offset: rowsAt) }
        c.position += 1
        var more = c.containerHasMembers(closing: 0x5D)
        while more {
            c.skipWhitespace()
            let rowAt = c.position
            guard c.current == 0x7B else { throw WSAPIDecodingError.invalidValue("B", offset: rowAt) }
            c.position += 1
            var currency: String?
            var available, total: ExactDecimal?
            var fields = c.containerHasMembers(closing: 0x7D)
            while fields {
                let key = try c.readKey()
                switch c.shortKey(key) {
                case 0x61: currency = try c.wsText() // a
                case 0x66: available = try c.wsDecimal() // f
                case 0x63: total = try c.wsDecimal() // c
                default: try c.skipValue()
                }
                fields = try c.containerContinues(closing: 0x7D)
            }
            guard let currency, !currency.isEmpty, let available, !available.isNegative, total?.isNegative != true else {
                throw WSAPIDecodingError.invalidValue("B", offset: rowAt)
            }
            rows.append(.init(currency: currency.uppercased(), available: available, total: total))
            more = try c.containerContinues(closing: 0x5D)
        }
        return WSAPIBalanceUpdate(rows: rows, eventTimeMs: eventTimeMs)
    }
}
