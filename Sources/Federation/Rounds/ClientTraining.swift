import Learning

/// How a sampled client trains locally, whatever the task: what a scenario's `clients` section sets
/// apart from sampling and the task's own keys (a language task's rows, a speech task's features).
///
/// The defaults are pfl-research's StackOverflow LM baseline: one epoch in batches of 16, SGD at
/// learning rate 0.3, updates weighted by user.
package struct ClientTraining: Sendable, Equatable, Codable {
    /// How a client's update counts in the weighted average.
    package enum Weighting: String, Sendable, Equatable, Codable, CaseIterable {
        /// Every client counts once (what user-level differential privacy needs).
        case user
        /// A client counts by its number of training targets — tokens, characters (FedAvg of McMahan et
        /// al. 2017).
        case token
    }

    package var localEpochs = 1
    /// Examples (rows, utterances) a local step trains on.
    package var batchSize = 16
    package var optimizer: OptimizerConfiguration = .sgd()
    package var learningRate: Float = 0.3
    /// μ of FedProx's proximal term (μ/2)‖w − w_global‖² (Li et al. 2020); 0 turns it off.
    package var proximalMu: Float = 0
    /// Each local step's gradient is scaled to at most this L2 norm before the optimizer step (nil: not
    /// clipped). Not differential privacy's clip, which bounds the whole update.
    package var gradientClipNorm: Double?
    package var weighting = Weighting.user
    /// Whether a client shuffles its rows each epoch (from a stream keyed by seed, round and user).
    package var shuffle = true
    /// Clients whose task's peak memory exceeds this refuse it (nil: no cap; with devices, each device's
    /// own memory caps it as well).
    package var memoryLimitBytes: Int?

    package init() {}
}

/// What one client's local training produced, as it enters the update pipeline.
package struct ClientUpdate: Sendable {
    /// The client's position in the round's cohort (the order of aggregation).
    package var cohortPosition: Int
    package var userIndex: Int
    /// Local model minus global model, over the parameters the client sends.
    package var delta: ParameterSet
    /// Its weight in the average (1 per user, or its token count).
    package var weight: Double
    /// Whether the update's norm was within the clip bound, for adaptive clipping (nil without it).
    package var withinClipBound: Bool?
    package var statistics: ClientStatistics

    package init(cohortPosition: Int, userIndex: Int, delta: ParameterSet, weight: Double, statistics: ClientStatistics) {
        self.cohortPosition = cohortPosition
        self.userIndex = userIndex
        self.delta = delta
        self.weight = weight
        self.statistics = statistics
    }
}

/// Counts from one client's local training.
package struct ClientStatistics: Sendable, Equatable, Codable {
    /// Summed training loss over all local steps, and the targets it was summed over (every epoch's).
    package var lossSum = 0.0
    package var lossTargets = 0
    /// Distinct training targets in the client's data (tokens, characters), and its examples.
    package var targets = 0
    package var examples = 0
    package var steps = 0
    /// Each tensor's update norm (before clipping), summed over the clients counted, and its largest;
    /// empty unless the run records them (`FederatedTrainingConfiguration.recordsTensorNorms`).
    package var tensorNormSums: [Double] = []
    package var tensorNormMaxima: [Double] = []
    /// Clients whose tensor norms the sums hold.
    package var tensorNormClients = 0

    package init() {}

    /// Adds another client's counts (summed in cohort order by the caller, for determinism).
    package mutating func add(_ other: ClientStatistics) {
        lossSum += other.lossSum
        lossTargets += other.lossTargets
        targets += other.targets
        examples += other.examples
        steps += other.steps
        guard other.tensorNormClients > 0 else { return }
        if tensorNormClients == 0 {
            tensorNormSums = other.tensorNormSums
            tensorNormMaxima = other.tensorNormMaxima
        } else {
            for i in tensorNormSums.indices {
                tensorNormSums[i] += other.tensorNormSums[i]
                tensorNormMaxima[i] = max(tensorNormMaxima[i], other.tensorNormMaxima[i])
            }
        }
        tensorNormClients += other.tensorNormClients
    }

    /// Records one client's update, tensor by tensor: what `tensorNormSums` and `tensorNormMaxima` start from.
    package mutating func recordTensorNorms(of update: ParameterSet) {
        tensorNormSums = update.tensorNorms()
        tensorNormMaxima = tensorNormSums
        tensorNormClients = 1
    }

    /// Mean training loss per counted target.
    package var meanLoss: Double { lossTargets == 0 ? 0 : lossSum / Double(lossTargets) }
}
