import Kernels
import Learning

/// One user's data made ready for local training: examples the trainer batches and shuffles.
package protocol LocalDataset: Sendable {
    /// Examples local training iterates over (a language task's rows, a speech task's utterances).
    var exampleCount: Int { get }
    /// Targets the loss counts (tokens, characters): what `weighting: token` weights an update by, and
    /// what a device trace's share of training data counts.
    var targetCount: Int { get }
}

/// What differs between federated workloads: the kind of user, the model, how a user's data becomes
/// local batches, what a round of local training costs, and how a model is evaluated.
///
/// Everything else — sampling, client training, clipping, noise, masking, aggregation, the server
/// optimizer, accounting, devices, checkpoints — is written once, generic over this protocol
/// (`FederatedTraining`), as pfl-research's `FederatedAveraging` runs any `pfl.model` on any
/// `pfl.data` dataset. A new task adds files under `Sources/Tasks` and touches nothing here.
package protocol FederatedTask: Sendable {
    associatedtype User: Sendable
    associatedtype Model: TrainableModel
    associatedtype LocalData: LocalDataset
    associatedtype Evaluation: TaskEvaluation

    /// The model's layout and the tensors partial training may single out, without building a model.
    var modelShape: ModelShape { get }

    /// A model with fresh weights drawn from `seed` (the same seed gives the same weights), set up to
    /// train as the task says (its loss).
    func makeModel(seed: UInt64) -> Model

    /// A user's data prepared for training.
    func localData(for user: User) -> LocalData

    /// The examples at `indices` of `data`, in that order, as one training batch.
    func batch(_ data: LocalData, examples indices: ArraySlice<Int>) -> Model.Batch

    /// How one epoch's `order` of `data`'s examples is cut into local steps: ranges of positions in
    /// `order`, covering it in order. By default runs of `batchSize` examples; a speech task may batch
    /// by seconds of audio instead, so a step's padded workspace stays bounded whatever the lengths.
    func localSteps(of data: LocalData, order: [Int], batchSize: Int) -> [Range<Int>]

    /// What one epoch of training on `data` in batches of `batchSize` costs on `model`'s shape: the
    /// multiply-adds of every step, and the bytes of the largest step's workspace (activations, their
    /// gradients, scratch), as the model allocates them.
    func trainingCost(of data: LocalData, batchSize: Int, model: Model) -> (flops: Double, workspaceBytes: Int)

    /// Held-out users' data cut into evaluation batches of about `batchSize` examples.
    func evaluationBatches(users: [User], batchSize: Int) -> [Model.Batch]

    /// Forward only: adds `batch`'s outcome to `evaluation`.
    func evaluate(_ batch: Model.Batch, model: Model, into evaluation: inout Evaluation)

    /// The metrics an evaluation yields; the first is the primary one (what targets, sweeps and
    /// reports rank by).
    var metrics: [TaskMetric] { get }

    /// Public frequencies of the rows of `modelShape.selectableRows`, which partial embedding updates
    /// choose rows by (nil: the task offers none, so PEU cannot run).
    var rowFrequencies: UnigramDistribution? { get }

    /// Reference values of the metrics that need no federated training (a language task's unigram
    /// perplexity), computed from `training`'s users and the held-out batches.
    func baselines(training: any Population<User>, heldOut: HeldOutEvaluation<Self>) throws(DataError) -> [TaskBaseline]
}

extension FederatedTask {
    /// The metric targets and reports rank by.
    package var primaryMetric: TaskMetric { metrics[0] }

    /// Runs of `batchSize` examples.
    package func localSteps(of data: LocalData, order: [Int], batchSize: Int) -> [Range<Int>] {
        Self.runs(of: order.count, batchSize: batchSize)
    }

    /// 0..<count cut into runs of `batchSize` (the last one shorter): the default local steps, which a
    /// task that batches otherwise falls back to.
    package static func runs(of count: Int, batchSize: Int) -> [Range<Int>] {
        stride(from: 0, to: count, by: batchSize).map { $0..<min($0 + batchSize, count) }
    }

    /// No baselines, unless the task has some.
    package func baselines(training: any Population<User>, heldOut: HeldOutEvaluation<Self>) throws(DataError)
        -> [TaskBaseline] { [] }
}
