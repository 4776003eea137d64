import Foundation

/// One point of a series, with an optional error bar of ± `spread`.
package struct ChartPoint: Sendable, Equatable {
    package var x: Double
    package var y: Double
    package var spread: Double?

    package init(x: Double, y: Double, spread: Double? = nil) {
        self.x = x
        self.y = y
        self.spread = spread
    }
}

/// One line of a chart; series that share a `legend` label are one legend entry (a variant's repeats).
package struct ChartSeries: Sendable, Equatable {
    package var name: String
    package var legend: String
    package var style: ChartStyle
    package var points: [ChartPoint]

    package init(name: String, legend: String, style: ChartStyle, points: [ChartPoint]) {
        self.name = name
        self.legend = legend
        self.style = style
        self.points = points
    }
}

/// A line chart drawn as a self-contained SVG: labelled axes with grid lines, one `<g class="series">`
/// per series, error bars where points have a spread, and a legend below the plot.
///
/// The SVG scales to its container (`viewBox`, no fixed width), so one drawing serves a phone and a wide
/// screen; every series also carries a `<title>`, which browsers show on hover without any script.
package struct LineChart: Sendable {
    package var title: String
    package var series: [ChartSeries]
    package var xLabel: String
    package var yLabel: String
    package var yScale: ChartAxis.Scale = .linear
    /// Draw markers at every point (as for charts of few points, such as utility against ε); otherwise
    /// curves of more than 12 points carry about eight.
    package var markers = false

    package init(title: String, xLabel: String, yLabel: String, yScale: ChartAxis.Scale = .linear, markers: Bool = false,
                 series: [ChartSeries]) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.yScale = yScale
        self.markers = markers
        self.series = series
    }

    static let width = 560.0
    static let plotHeight = 260.0
    static let margin = (left: 66.0, right: 20.0, top: 14.0, bottom: 50.0)
    static let characterWidth = 7.4  // at the 13 px legend font; an estimate good enough to wrap the legend

    /// The chart as an `<svg>` element.
    package func svg() -> String {
        let points = series.flatMap(\.points)
        let xAxis = ChartAxis(label: xLabel, scale: .linear, covering: points.map(\.x))
        let yAxis = ChartAxis(label: yLabel, scale: yScale,
                              covering: points.flatMap { [$0.y - ($0.spread ?? 0), $0.y + ($0.spread ?? 0), $0.y] })
        let m = Self.margin
        let plotLeft = m.left, plotRight = Self.width - m.right
        let plotTop = m.top, plotBottom = m.top + Self.plotHeight
        func px(_ x: Double) -> Double { plotLeft + xAxis.fraction(x) * (plotRight - plotLeft) }
        func py(_ y: Double) -> Double { plotBottom - yAxis.fraction(y) * (plotBottom - plotTop) }

        let legendRows = legendLayout(width: Self.width - m.left - m.right)
        let height = plotBottom + m.bottom + Double(legendRows.count) * 22 + 6
        var out = "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(Self.width)) \(Int(height))\" "
            + "role=\"img\" aria-label=\"\(ReportFormat.escaped(title))\" font-family=\"system-ui, sans-serif\" font-size=\"13\">\n"
        out += "<title>\(ReportFormat.escaped(title))</title>\n"
        out += "<rect class=\"plot-area\" x=\"\(plotLeft)\" y=\"\(plotTop)\" width=\"\(plotRight - plotLeft)\" "
            + "height=\"\(Self.plotHeight)\" fill=\"#ffffff\" stroke=\"#888888\"/>\n"

        out += "<g class=\"axis x\" stroke=\"#dddddd\">\n"
        for tick in xAxis.ticks {
            let x = ReportFormat.pixel(px(tick))
            out += "<line x1=\"\(x)\" y1=\"\(plotTop)\" x2=\"\(x)\" y2=\"\(plotBottom)\"/>"
            out += "<text x=\"\(x)\" y=\"\(plotBottom + 16)\" text-anchor=\"middle\" fill=\"#333333\" stroke=\"none\">"
                + "\(ReportFormat.compact(tick))</text>\n"
        }
        out += "<text class=\"axis-label\" x=\"\(ReportFormat.pixel((plotLeft + plotRight) / 2))\" y=\"\(plotBottom + 40)\" "
            + "text-anchor=\"middle\" fill=\"#111111\" stroke=\"none\" font-size=\"14\">\(ReportFormat.escaped(xLabel))</text>\n</g>\n"

        out += "<g class=\"axis y\" stroke=\"#dddddd\">\n"
        for tick in yAxis.ticks {
            let y = ReportFormat.pixel(py(tick))
            out += "<line x1=\"\(plotLeft)\" y1=\"\(y)\" x2=\"\(plotRight)\" y2=\"\(y)\"/>"
            out += "<text x=\"\(plotLeft - 6)\" y=\"\(y)\" dy=\"0.32em\" text-anchor=\"end\" fill=\"#333333\" stroke=\"none\">"
                + "\(ReportFormat.compact(tick))</text>\n"
        }
        let yLabelText = yScale == .logarithmic ? yLabel + " (log scale)" : yLabel
        out += "<text class=\"axis-label\" transform=\"translate(16 \(ReportFormat.pixel((plotTop + plotBottom) / 2))) rotate(-90)\" "
            + "text-anchor=\"middle\" fill=\"#111111\" stroke=\"none\" font-size=\"14\">\(ReportFormat.escaped(yLabelText))</text>\n</g>\n"

        for line in series {
            out += seriesSVG(line, x: px, y: py)
        }
        out += legendSVG(rows: legendRows, top: plotBottom + m.bottom, left: plotLeft)
        out += "</svg>"
        return out
    }

    private func seriesSVG(_ line: ChartSeries, x px: (Double) -> Double, y py: (Double) -> Double) -> String {
        let style = line.style
        var out = "<g class=\"series\" data-name=\"\(ReportFormat.escaped(line.name))\" stroke=\"\(style.colour)\" fill=\"\(style.colour)\">"
        out += "<title>\(ReportFormat.escaped(line.name))</title>\n"
        var path = "", penDown = false
        for point in line.points {
            guard point.x.isFinite, point.y.isFinite, yScale == .linear || point.y > 0 else {
                penDown = false
                continue
            }
            path += (penDown ? " L" : (path.isEmpty ? "M" : " M")) + "\(ReportFormat.pixel(px(point.x))) \(ReportFormat.pixel(py(point.y)))"
            penDown = true
        }
        if !path.isEmpty {
            out += "<path d=\"\(path)\" fill=\"none\" stroke-width=\"2\" stroke-linejoin=\"round\""
                + (style.dash.isEmpty ? "" : " stroke-dasharray=\"\(style.dash)\"") + "/>\n"
        }
        // Long curves get a few markers, staggered by style, so lines can be told apart by shape as well as colour.
        let markerEvery = markers || line.points.count <= 12 ? 1 : max(1, line.points.count / 8)
        let markerOffset = markerEvery > 1 ? (style.index * max(1, markerEvery / 4)) % markerEvery : 0
        for (position, point) in line.points.enumerated() where point.x.isFinite && point.y.isFinite {
            if let spread = point.spread, spread > 0 {
                let x = px(point.x), low = py(max(point.y - spread, yScale == .linear ? -.infinity : point.y / 10)), high = py(point.y + spread)
                let (left, right) = (ReportFormat.pixel(x - 4), ReportFormat.pixel(x + 4))
                out += "<path class=\"error-bar\" d=\"M\(ReportFormat.pixel(x)) \(ReportFormat.pixel(low)) V\(ReportFormat.pixel(high)) "
                    + "M\(left) \(ReportFormat.pixel(low)) H\(right) M\(left) \(ReportFormat.pixel(high)) H\(right)\" fill=\"none\" stroke-width=\"1.5\"/>\n"
            }
            if position % markerEvery == markerOffset && (yScale == .linear || point.y > 0) {
                out += style.markerSVG(x: px(point.x), y: py(point.y))
            }
        }
        return out + "</g>\n"
    }

    /// The legend's entries (one per distinct label, in first-seen order) broken into rows that fit.
    private func legendLayout(width: Double) -> [[(label: String, style: ChartStyle, x: Double)]] {
        var entries: [(String, ChartStyle)] = []
        for line in series where !entries.contains(where: { $0.0 == line.legend }) { entries.append((line.legend, line.style)) }
        var rows: [[(label: String, style: ChartStyle, x: Double)]] = []
        var row: [(label: String, style: ChartStyle, x: Double)] = [], x = 0.0
        for (label, style) in entries {
            let entryWidth = 34 + Double(label.count) * Self.characterWidth + 18
            if x + entryWidth > width && !row.isEmpty {
                rows.append(row)
                (row, x) = ([], 0)
            }
            row.append((label, style, x))
            x += entryWidth
        }
        if !row.isEmpty { rows.append(row) }
        return rows
    }

    private func legendSVG(rows: [[(label: String, style: ChartStyle, x: Double)]], top: Double, left: Double) -> String {
        var out = "<g class=\"legend\">\n"
        for (rowIndex, row) in rows.enumerated() {
            let y = top + Double(rowIndex) * 22 + 8
            for entry in row {
                let x = left + entry.x
                out += "<g class=\"legend-entry\" stroke=\"\(entry.style.colour)\" fill=\"\(entry.style.colour)\">"
                out += "<line x1=\"\(ReportFormat.pixel(x))\" y1=\"\(ReportFormat.pixel(y))\" x2=\"\(ReportFormat.pixel(x + 26))\" "
                    + "y2=\"\(ReportFormat.pixel(y))\" stroke-width=\"2\"" + (entry.style.dash.isEmpty ? "" : " stroke-dasharray=\"\(entry.style.dash)\"") + "/>"
                out += entry.style.markerSVG(x: x + 13, y: y)
                out += "<text x=\"\(ReportFormat.pixel(x + 32))\" y=\"\(ReportFormat.pixel(y))\" dy=\"0.32em\" fill=\"#111111\" stroke=\"none\">"
                    + "\(ReportFormat.escaped(entry.label))</text></g>\n"
            }
        }
        return out + "</g>\n"
    }
}
