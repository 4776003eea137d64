/// The HTML page around a report's tables and charts: one self-contained file, no scripts, no fonts
/// or styles from elsewhere, laid out for a phone (one column, tables scroll sideways) and a wide
/// screen (charts two to a row).
package enum ReportPage {
    /// A complete HTML document with `title` and the given body markup.
    package static func html(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="generator" content="murmur">
        <title>\(ReportFormat.escaped(title))</title>
        <style>
        \(style)
        </style>
        </head>
        <body>
        <main>
        \(body)
        </main>
        </body>
        </html>

        """
    }

    /// A figure holding `chart`, with a caption that says what is plotted.
    package static func figure(_ chart: LineChart, caption: String) -> String {
        "<figure>\n<h3>\(ReportFormat.escaped(chart.title))</h3>\n\(chart.svg())\n"
            + "<figcaption>\(ReportFormat.escaped(caption))</figcaption>\n</figure>\n"
    }

    /// An HTML table with a header row; the first column is a row heading.
    package static func table(headings: [String], rows: [[String]], numericFrom: Int = 1) -> String {
        var out = "<div class=\"table-wrap\"><table>\n<thead><tr>"
        for (index, heading) in headings.enumerated() {
            out += "<th scope=\"col\"\(index >= numericFrom ? " class=\"number\"" : "")>\(ReportFormat.escaped(heading))</th>"
        }
        out += "</tr></thead>\n<tbody>\n"
        for row in rows {
            out += "<tr>"
            for (index, cell) in row.enumerated() {
                out += index == 0 ? "<th scope=\"row\">\(ReportFormat.escaped(cell))</th>"
                    : "<td\(index >= numericFrom ? " class=\"number\"" : "")>\(ReportFormat.escaped(cell))</td>"
            }
            out += "</tr>\n"
        }
        return out + "</tbody></table></div>\n"
    }

    static let style = """
        :root { color-scheme: light; }
        body { margin: 0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; line-height: 1.45;
               color: #1b1b1b; background: #f6f6f4; }
        main { max-width: 1400px; margin: 0 auto; padding: 1rem; }
        h1 { font-size: 1.45rem; margin: 0.4rem 0; overflow-wrap: anywhere; }
        h2 { font-size: 1.15rem; margin: 1.6rem 0 0.5rem; }
        h3 { font-size: 1rem; margin: 0 0 0.4rem; }
        p, dl { margin: 0.4rem 0; }
        .warning { color: #8a1c00; background: #fff1ec; border: 1px solid #e6b8a8; border-radius: 6px; padding: 0.5rem 0.75rem; }
        details { margin: 0.6rem 0; }
        summary { cursor: pointer; color: #333; }
        .meta { color: #444; font-size: 0.92rem; overflow-wrap: anywhere; }
        .table-wrap { overflow-x: auto; background: #fff; border: 1px solid #ddd; border-radius: 6px; }
        table { border-collapse: collapse; width: 100%; font-size: 0.9rem; font-variant-numeric: tabular-nums; }
        th, td { padding: 0.35rem 0.6rem; border-bottom: 1px solid #eee; text-align: left; white-space: nowrap; }
        thead th { background: #f0f0ee; border-bottom: 1px solid #ccc; }
        .number { text-align: right; }
        .charts { display: grid; grid-template-columns: 1fr; gap: 1rem; }
        @media (min-width: 1000px) { .charts { grid-template-columns: 1fr 1fr; } }
        figure { margin: 0; padding: 0.75rem; background: #fff; border: 1px solid #ddd; border-radius: 6px; min-width: 0; }
        figure svg { display: block; width: 100%; height: auto; }
        figcaption { font-size: 0.85rem; color: #444; margin-top: 0.3rem; }
        """
}
