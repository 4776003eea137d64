import Federation
import Kernels
import Learning

/// The smallest task there is: each user holds a few points in R⁴, the model is one point w, and a
/// point x costs ½‖w − x‖². The round trains it like any other task, which shows that the core needs
/// nothing of a language model, and keeps the tests of the privacy budget fast.
struct MeanEstimationTask: FederatedTask {
    static let width = 4

    struct User: Sendable {
        var points: [[Float]]
    }

    struct Points: LocalDataset {
        var points: [[Float]]
        var exampleCount: Int { points.count }
        var targetCount: Int { points.count }
    }

    final class Model: TrainableModel {
        var parameters: ParameterSet
        var gradients: ParameterSet

        init(layout: ParameterLayout) {
            parameters = ParameterSet(layout: layout)
            gradients = ParameterSet(layout: layout)
        }

        func beginTraining(randomSeed: UInt64) {}

        /// ½‖w − x‖² summed over the batch; the gradient of its mean is w − mean(x).
        func lossAndGradient(_ batch: [[Float]]) -> BatchLoss {
            let w = parameters.flat.scalars
            var gradient = [Float](repeating: 0, count: w.count), loss = 0.0
            for point in batch {
                for i in w.indices {
                    let difference = w[i] - point[i]
                    gradient[i] += difference / Float(batch.count)
                    loss += 0.5 * Double(difference * difference)
                }
            }
            gradients = ParameterSet(layout: parameters.layout, flat: Tensor(shape: [w.count], values: gradient))
            return BatchLoss(sum: loss, count: batch.count)
        }
    }

    struct Evaluation: TaskEvaluation {
        var squaredError = 0.0
        var count = 0
        mutating func add(_ other: Evaluation) {
            squaredError += other.squaredError
            count += other.count
        }
        var values: [String: Double] { ["meanSquaredError": count == 0 ? 0 : squaredError / Double(count)] }
    }

    var modelShape: ModelShape {
        var layout = ParameterLayout()
        layout.add("w", shape: [Self.width])
        return ModelShape(layout: layout, adaptableMatrices: [], selectableRows: nil)
    }

    func makeModel(seed: UInt64) -> Model { Model(layout: modelShape.layout) }
    func localData(for user: User) -> Points { Points(points: user.points) }
    func batch(_ data: Points, examples indices: ArraySlice<Int>) -> [[Float]] { indices.map { data.points[$0] } }

    func trainingCost(of data: Points, batchSize: Int, model: Model) -> (flops: Double, workspaceBytes: Int) {
        (Double(3 * Self.width * data.points.count), 0)
    }

    func evaluationBatches(users: [User], batchSize: Int) -> [[[Float]]] {
        let points = users.flatMap(\.points)
        return stride(from: 0, to: points.count, by: batchSize).map { Array(points[$0..<min($0 + batchSize, points.count)]) }
    }

    func evaluate(_ batch: [[Float]], model: Model, into evaluation: inout Evaluation) {
        let w = model.parameters.flat.scalars
        for point in batch {
            evaluation.squaredError += zip(w, point).reduce(0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) }
            evaluation.count += 1
        }
    }

    var metrics: [TaskMetric] { [TaskMetric(name: "meanSquaredError", lowerIsBetter: true, label: "mean squared error")] }
    var rowFrequencies: UnigramDistribution? { nil }
}

/// Users of the mean-estimation task: user i holds 1–4 points scattered around (1, 2, 3, 4), drawn from
/// a stream keyed by i.
struct PointPopulation: Population {
    var userCount: Int
    var origin: String { "points (\(userCount) users)" }

    func user(at index: Int) throws(DataError) -> MeanEstimationTask.User {
        var stream = RandomStream(seed: 5, keys: [UInt64(index)])
        let count = 1 + stream.uniformInt(below: 4)
        return MeanEstimationTask.User(points: (0..<count).map { _ in
            (0..<MeanEstimationTask.width).map { Float($0 + 1) + Float(stream.normal()) }
        })
    }
}
