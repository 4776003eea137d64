import Foundation

/// The devices part of a run's report: each class's participation as a table, and the share of each
/// round's reports by class as a chart, so a bias toward fast or always-available devices shows.
enum DeviceReport {
    /// One row per class, in descending share of the fleet.
    static func classTable(_ devices: DeviceSummary) -> String {
        let names = devices.classes.keys.sorted {
            (devices.classes[$0]!.fleetShare, $1) > (devices.classes[$1]!.fleetShare, $0)
        }
        let rows = names.map { name -> [String] in
            let entry = devices.classes[name]!, totals = entry.totals
            func percent(_ value: Double) -> String { ReportFormat.significant(100 * value, digits: 3) + "%" }
            return [name, String(entry.fleetClients), percent(entry.fleetShare), String(totals.selected), String(totals.reported),
                    String(totals.late), String(totals.droppedForTime), String(totals.droppedForMemory),
                    String(totals.droppedForAvailability), ReportFormat.bytes(Double(totals.bytesUp)),
                    ReportFormat.bytes(Double(totals.bytesDown)), percent(entry.shareOfTrainingData)]
        }
        return ReportPage.table(headings: ["class", "clients", "share of fleet", "selected", "reported", "late",
                                           "dropped: time", "memory", "availability", "bytes up", "bytes down",
                                           "share of training data"], rows: rows)
            + "<p class=\"meta\">Summed over the run's rounds. Late clients finished in time but after the cohort was "
            + "full; dropped ones were too slow for the deadline, could not fit the task in memory, or went offline. "
            + "Compare a class's share of the fleet with its share of the data the model learnt from.</p>\n"
    }

    /// The number of clients of each class that reported, round by round (nil without devices).
    static func participationChart(_ metrics: [RoundMetrics]) -> String? {
        let rounds = metrics.filter { $0.devices != nil }
        guard !rounds.isEmpty else { return nil }
        var names: [String] = []
        for line in rounds { for name in line.devices!.classes.keys.sorted() where !names.contains(name) { names.append(name) } }
        let series = names.enumerated().map { index, name in
            ChartSeries(name: name, legend: name, style: ChartStyle(index: index), points: rounds.map {
                ChartPoint(x: Double($0.round), y: Double($0.devices!.classes[name]?.reported ?? 0))
            })
        }
        return ReportPage.figure(LineChart(title: "Reports by device class", xLabel: "round", yLabel: "clients reported",
                                           markers: true, series: series),
                                 caption: "How many clients of each class made it into each round's aggregate.")
    }
}
