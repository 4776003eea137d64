import Experiments
import Foundation
import Testing

/// Chart drawing: nice ticks, and an SVG that is well-formed with axes, a group per series and a legend.
@Suite struct LineChartTests {
    @Test func linearTicksAreNiceAndCoverTheData() {
        let axis = ChartAxis(label: "round", scale: .linear, covering: [0, 37, 200])
        #expect(axis.ticks == [0, 50, 100, 150, 200] && axis.lower == 0 && axis.upper == 200)
        let small = ChartAxis(label: "ε", scale: .linear, covering: [0.52, 7.9])
        #expect(small.ticks.first! <= 0.52 && small.ticks.last! >= 7.9 && small.ticks.count >= 4 && small.ticks.count <= 9)
        let flat = ChartAxis(label: "x", scale: .linear, covering: [3, 3])
        #expect(flat.lower < 3 && flat.upper > 3)
    }

    @Test func logTicksFollowTheSpan() {
        let wide = ChartAxis(label: "ppl", scale: .logarithmic, covering: [53, 1100])
        #expect(wide.ticks == [50, 100, 200, 500, 1000, 2000])
        let narrow = ChartAxis(label: "ppl", scale: .logarithmic, covering: [38, 70, -1])  // non-positive values are ignored
        #expect(narrow.ticks == [30, 40, 50, 60, 70])
        #expect(abs(narrow.fraction(narrow.lower)) < 1e-12 && abs(narrow.fraction(narrow.upper) - 1) < 1e-12)
    }

    @Test func svgHasAxesASeriesGroupPerSeriesAndALegendPerLabel() throws {
        let series = (0..<5).map { index in
            ChartSeries(name: "run \(index)", legend: "variant \(index / 2)", style: ChartStyle(index: index / 2),
                        points: (0...10).map { ChartPoint(x: Double($0), y: 100 / Double($0 + index + 1), spread: index == 4 ? 0.5 : nil) })
        }
        let chart = LineChart(title: "Perplexity <&> \"quoted\"", xLabel: "round", yLabel: "perplexity", yScale: .logarithmic,
                              series: series)
        let svg = try #require(SVGStructure.parse(chart.svg()))
        #expect(svg.withClass("axis").count == 2 && svg.withClass("x").count == 1 && svg.withClass("y").count == 1)
        #expect(svg.withClass("axis-label").count == 2)
        let groups = svg.withClass("series")
        #expect(groups.map { $0.attributes["data-name"]! } == (0..<5).map { "run \($0)" })
        #expect(svg.elements.filter { $0.name == "path" && $0.isInside("series") && !$0.classes.contains("error-bar") }.count == 5)
        #expect(svg.withClass("error-bar").count == 11)
        #expect(svg.withClass("legend-entry").count == 3)
        #expect(Set(groups.map { $0.attributes["stroke"]! }).count == 3)  // one colour per variant
        #expect(svg.texts.contains("Perplexity <&> \"quoted\""))  // escaped in the file, intact when read
        #expect(svg.texts.contains("perplexity (log scale)") && svg.texts.contains("round"))
    }

    @Test func stylesDifferBeyondColour() {
        let styles = (0..<33).map(ChartStyle.init(index:))
        #expect(Set(styles.prefix(8).map(\.colour)).count == 8)
        #expect(styles[0].marker != styles[1].marker && styles[8].dash != styles[0].dash)
        #expect(Set(styles.prefix(32).map { "\($0.colour)|\($0.dash)" }).count == 32)
    }
}

/// Numbers as the tables and axes print them.
@Suite struct ReportFormatTests {
    @Test func numbersAreShortAndExact() {
        #expect(ReportFormat.significant(1e-5, digits: 3) == "1e-5" && ReportFormat.significant(2.5e-7, digits: 3) == "2.5e-7")
        #expect(ReportFormat.significant(9.996e-6, digits: 3) == "1e-5")
        #expect(ReportFormat.significant(53.14159, digits: 4) == "53.14" && ReportFormat.significant(0.5, digits: 4) == "0.5")
        #expect(ReportFormat.significant(-0.00001, digits: 2) == "-1e-5" && ReportFormat.significant(1200, digits: 2) == "1200")
        #expect(ReportFormat.compact(20_000) == "20k" && ReportFormat.compact(3.44e9) == "3.44G" && ReportFormat.compact(150) == "150")
        #expect(ReportFormat.bytes(3_441_284_352) == "3.44 GB" && ReportFormat.bytes(684) == "684 B")
        #expect(ReportFormat.escaped("a<b & \"c\"") == "a&lt;b &amp; &quot;c&quot;")
    }
}
