/// A named quantity a task's evaluation yields, and which way is better.
///
/// The name is the key it has in `metrics.jsonl`, `summary.json` and a scenario's `evaluation.target`
/// (e.g. `validationPerplexity`, `wordErrorRate`), so it is one identifier with no spaces.
package struct TaskMetric: Sendable, Equatable, Hashable, Codable {
    package var name: String
    /// True for losses, perplexity and error rates; false for accuracies.
    package var lowerIsBetter: Bool
    /// A few words for tables and reports ("validation perplexity").
    package var label: String
    /// Shown beside the primary metric in experiment tables and run summaries (top-1 accuracy, CER).
    package var isHeadline: Bool

    package init(name: String, lowerIsBetter: Bool, label: String, isHeadline: Bool = false) {
        self.name = name
        self.lowerIsBetter = lowerIsBetter
        self.label = label
        self.isHeadline = isHeadline
    }

    /// Whether the metric is a fraction shown as a percentage: accuracies and error rates (by their names,
    /// `…Accuracy`, `…Rate`), not losses or perplexity.
    package var isFraction: Bool { name.hasSuffix("Accuracy") || name.hasSuffix("Rate") }

    /// Whether `value` is at least as good as `target`.
    package func reaches(_ value: Double, target: Double) -> Bool { lowerIsBetter ? value <= target : value >= target }

    /// The better of two values.
    package func better(_ a: Double, _ b: Double) -> Double { lowerIsBetter ? min(a, b) : max(a, b) }
}

/// Evaluation totals accumulated over batches, which yield the task's named metrics.
///
/// Totals (not averages) are accumulated so that batches evaluated on different threads can be added
/// in a fixed order, which keeps the metrics independent of the thread count.
package protocol TaskEvaluation: Sendable {
    init()
    /// Adds another accumulator's totals (callers add in batch order).
    mutating func add(_ other: Self)
    /// The metrics by name: every name of the task's `metrics`.
    var values: [String: Double] { get }
}

/// A reference value of a metric that needs no federated training, which a trained model should beat
/// (the unigram perplexity of a language task).
package struct TaskBaseline: Sendable, Equatable, Codable {
    /// What the baseline is ("unigram").
    package var name: String
    /// The metric it is a value of.
    package var metric: String
    package var value: Double

    package init(name: String, metric: String, value: Double) {
        self.name = name
        self.metric = metric
        self.value = value
    }
}
