import Testing
@testable import CastorBacktest

/// The plot's axis labels: small values stay visible and no value can trap.
@Suite struct BacktestPlotLabelTests {
    @Test func labelsKeepSmallValuesAndSurviveAnyMagnitude() {
        #expect(BacktestPlot.fmt(0.002) == "0.002")
        #expect(BacktestPlot.fmt(65000.25) == "65000.2")
        #expect(BacktestPlot.fmt(-1.81955166) == "-1.81955")
        #expect(BacktestPlot.fmt(1e300) == "1e+300")
        #expect(BacktestPlot.fmt(.infinity) == "inf")
        #expect(BacktestPlot.fmt(.nan) == "nan")
    }
}
