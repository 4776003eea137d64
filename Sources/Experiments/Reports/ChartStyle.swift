/// How one series is drawn: colour, dash and marker, chosen so series stay distinguishable without
/// colour vision.
///
/// The colours are Okabe & Ito's palette ("Color Universal Design", 2008), distinguishable under the
/// common colour-vision deficiencies; yellow comes last because it is faint on white. Each style also
/// has its own marker shape, and past eight series the dash pattern changes, so no two styles of a
/// chart depend on hue alone.
package struct ChartStyle: Sendable, Equatable {
    /// The index of the series' variant; styles repeat nothing until 8 × 4 variants.
    package let index: Int

    package init(index: Int) { self.index = index }

    /// The first style of reference lines (a baseline, a non-private run): black, dashed, after the
    /// variants' solid styles.
    package static let referenceIndex = 14

    static let palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#C9B800"]
    static let dashes = ["", "6 3", "2 3", "8 3 2 3"]

    /// Marker shapes, cycled with the colours so neighbouring styles differ in shape too.
    package enum Marker: Sendable, CaseIterable { case circle, square, triangle, diamond }

    package var colour: String { Self.palette[index % Self.palette.count] }
    package var dash: String { Self.dashes[(index / Self.palette.count) % Self.dashes.count] }
    package var marker: Marker { Marker.allCases[index % Marker.allCases.count] }

    /// SVG for this style's marker centred at (x, y).
    func markerSVG(x: Double, y: Double, size: Double = 3.5) -> String {
        let (cx, cy) = (ReportFormat.pixel(x), ReportFormat.pixel(y))
        switch marker {
        case .circle:
            return "<circle cx=\"\(cx)\" cy=\"\(cy)\" r=\"\(ReportFormat.pixel(size))\"/>"
        case .square:
            return "<rect x=\"\(ReportFormat.pixel(x - size))\" y=\"\(ReportFormat.pixel(y - size))\" "
                + "width=\"\(ReportFormat.pixel(2 * size))\" height=\"\(ReportFormat.pixel(2 * size))\"/>"
        case .triangle:
            let s = size * 1.25
            return "<polygon points=\"\(cx),\(ReportFormat.pixel(y - s)) \(ReportFormat.pixel(x - s)),\(ReportFormat.pixel(y + s * 0.8)) "
                + "\(ReportFormat.pixel(x + s)),\(ReportFormat.pixel(y + s * 0.8))\"/>"
        case .diamond:
            let s = size * 1.3
            return "<polygon points=\"\(cx),\(ReportFormat.pixel(y - s)) \(ReportFormat.pixel(x + s)),\(cy) "
                + "\(cx),\(ReportFormat.pixel(y + s)) \(ReportFormat.pixel(x - s)),\(cy)\"/>"
        }
    }
}
