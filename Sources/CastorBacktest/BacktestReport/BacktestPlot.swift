import Foundation
import CastorCore

/// `--plot FILE.svg`: the equity curve, the first traded symbol's mid and its position over
/// engine time, three panels stacked, written as SVG text (opens in any browser). Values
/// become pixel coordinates here only (display, never money).
public enum BacktestPlot {
    public static func svg(_ report: BacktestReport, width: Int = 960, panelHeight: Int = 200) -> String {
        let samples = report.curve.samples
        let margin = 60, gap = 30
        let height = 3 * panelHeight + 4 * gap
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" font-family=\"sans-serif\" font-size=\"12\">\n"
        out += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        out += "<text x=\"\(margin)\" y=\"16\">\(escape(report.strategy)): total \(report.total), max drawdown \(report.maxDrawdown), \(report.fills) fills</text>\n"
        let panels: [(String, String, [ExactDecimal?])] = [
            ("equity (realized - fees + unrealized)", "#1f77b4", samples.map(\.equity)),
            ("mid", "#2ca02c", samples.map(\.mid)),
            ("position", "#d62728", samples.map(\.position)),
        ]
        guard let t0 = samples.first?.timeMs, let t1 = samples.last?.timeMs else { return out + "<text x=\"\(margin)\" y=\"60\">no samples</text>\n</svg>\n" }
        let span = Double(max(1, t1 - t0))
        for (k, (title, colour, values)) in panels.enumerated() {
            let top = gap + k * (panelHeight + gap) + 10
            let numbers = values.map { $0.flatMap { Double($0.description) } }
            let present = numbers.compactMap { $0 }
            let lo = present.min() ?? 0, hi = present.max() ?? 1
            let range = hi > lo ? hi - lo : 1
            out += "<text x=\"\(margin)\" y=\"\(top - 4)\">\(escape(title))  [\(fmt(lo)) … \(fmt(hi))]</text>\n"
            out += "<rect x=\"\(margin)\" y=\"\(top)\" width=\"\(width - 2 * margin)\" height=\"\(panelHeight)\" fill=\"none\" stroke=\"#ccc\"/>\n"
            var points: [String] = []
            for (i, v) in numbers.enumerated() {
                guard let v else { continue }
                let x = Double(margin) + Double(samples[i].timeMs - t0) / span * Double(width - 2 * margin)
                let y = Double(top) + (1 - (v - lo) / range) * Double(panelHeight)
                points.append("\(fmt(x)),\(fmt(y))")
            }
            out += "<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"1.2\" points=\"\(points.joined(separator: " "))\"/>\n"
        }
        out += "<text x=\"\(margin)\" y=\"\(height - 8)\">engine time: \(BacktestReport.seconds(t1 - t0)) s of recording</text>\n"
        return out + "</svg>\n"
    }

    /// Six significant digits, any magnitude (an axis label: small positions stay visible,
    /// and no value, however large or not finite, can trap).
    static func fmt(_ v: Double) -> String {
        String(format: "%.6g", v)
    }

    private static func escape(_ s: String) -> String {
        s.replacingAll("&", "&amp;").replacingAll("<", "&lt;").replacingAll(">", "&gt;")
    }
}

extension String {
    fileprivate func replacingAll(_ a: Character, _ b: String) -> String {
        var out = ""
        for c in self { if c == a { out += b } else { out.append(c) } }
        return out
    }
}
