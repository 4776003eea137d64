import Federation

/// The report's update-norm charts: the server's average update before and after central noise, and
/// the clients' update norms by layer kind (runs with `output.tensorNorms`).
///
/// Both are the diagnostics of Azam et al. 2023 (FL4ASR): how much of the pseudo-gradient the noise
/// is, and how unevenly the layers move — the reason per-layer clipping and layer-wise optimizers help.
enum UpdateNormReport {
    /// The charts' figures for these metrics lines ("" when the lines carry neither diagnostic).
    static func figures(_ metrics: [RoundMetrics]) -> String {
        var figures = ""
        let before = ChartPoint.byRound(metrics, \.updateNormBeforeNoise)
        if !before.isEmpty {
            let after = ChartPoint.byRound(metrics) { $0.updateNormBeforeNoise == nil ? nil : $0.updateNorm }
            let series = [ChartSeries(name: "before noise", legend: "before noise", style: ChartStyle(index: 0), points: before),
                          ChartSeries(name: "after noise", legend: "after noise", style: ChartStyle(index: 1), points: after)]
            figures += ReportPage.figure(LineChart(title: "Server pseudo-gradient", xLabel: "round", yLabel: "‖average update‖",
                                                   yScale: .suited(to: before + after), series: series),
                                         caption: "The L2 norm of the average update the server applies, before and after the central noise.")
        }
        let kinds = kindMeans(metrics)
        if !kinds.isEmpty {
            let series = kinds.enumerated().map { index, kind in
                ChartSeries(name: kind.name, legend: kind.name, style: ChartStyle(index: index), points: kind.points)
            }
            figures += ReportPage.figure(LineChart(title: "Client update norms by layer kind", xLabel: "round",
                                                   yLabel: "mean ‖update‖ per tensor", yScale: .logarithmic, series: series),
                                         caption: "Each tensor's client update norm before clipping, averaged over the cohort and then over "
                                             + "the tensors of each kind (the metrics lines' `clientUpdateNorms` hold every tensor's mean and largest).")
        }
        return figures
    }

    /// Per layer kind, in order of first appearance by name, the mean over its tensors of the cohort's mean norm, by round.
    static func kindMeans(_ metrics: [RoundMetrics]) -> [(name: String, points: [ChartPoint])] {
        var order: [String] = []
        var points: [String: [ChartPoint]] = [:]
        for line in metrics {
            guard let norms = line.clientUpdateNorms, !norms.isEmpty else { continue }
            var sums: [String: (total: Double, count: Int)] = [:]
            for name in norms.keys.sorted() {
                let kind = TensorNormSummary.kind(of: name)
                if points[kind] == nil, !order.contains(kind) { order.append(kind) }
                sums[kind, default: (0, 0)].total += norms[name]!.mean
                sums[kind, default: (0, 0)].count += 1
            }
            for (kind, sum) in sums { points[kind, default: []].append(ChartPoint(x: Double(line.round), y: sum.total / Double(sum.count))) }
        }
        return order.map { ($0, points[$0] ?? []) }
    }
}
