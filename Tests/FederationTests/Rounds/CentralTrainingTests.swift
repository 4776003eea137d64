import Federation
import Kernels
import Learning
import Testing

/// Central training (`murmur train-central`'s seed models) on the mean-estimation task: it converges to
/// the population's mean, gives the same bits on 1 and 2 threads, and a step's gradient is the mean over
/// all of its batches' targets.
@Suite struct CentralTrainingTests {
    static func training(threads: Int, steps: Int = 0, configure: (inout CentralTrainingConfiguration) -> Void = { _ in })
        -> CentralTraining<MeanEstimationTask> {
        var configuration = CentralTrainingConfiguration()
        configuration.optimizer = .sgd()
        configuration.learningRate = 0.5
        configuration.usersPerStep = 3
        configuration.batchSize = 2
        configuration.seed = 7
        configure(&configuration)
        let training = CentralTraining(task: MeanEstimationTask(), population: PointPopulation(userCount: 40),
                                       configuration: configuration, pool: ThreadPool(threadCount: threads))
        for _ in 0..<steps { _ = try! training.step() }
        return training
    }

    @Test func convergesToThePopulationMean() throws {
        let training = Self.training(threads: 1, steps: 300)
        let w = training.parameters.flat.scalars
        for (i, value) in w.enumerated() { #expect(abs(Double(value) - Double(i + 1)) < 0.35, "w[\(i)] = \(value)") }
    }

    @Test func isBitIdenticalOnOneAndTwoThreads() {
        let one = Self.training(threads: 1, steps: 25), two = Self.training(threads: 2, steps: 25)
        #expect(one.parameters == two.parameters)
        #expect(one.checkpoint == two.checkpoint)
    }

    /// One SGD step at rate 1 from w = 0 moves w to the mean of the step's points: each shard's gradient
    /// is weighted by its points, not averaged per shard.
    @Test func aStepAveragesOverTargetsNotShards() throws {
        let training = Self.training(threads: 2) { $0.learningRate = 1; $0.batchSize = 4; $0.usersPerStep = 40 }
        let loss = try training.step()
        // 40 users per step of 40 users: every user once, all their points (at most 4 each).
        var points: [[Float]] = []
        for user in 0..<40 { points += try PointPopulation(userCount: 40).user(at: user).points }
        #expect(loss.count == points.count)
        let w = training.parameters.flat.scalars
        for i in w.indices {
            let mean = points.reduce(0.0) { $0 + Double($1[i]) } / Double(points.count)
            #expect(abs(Double(w[i]) - mean) < 1e-5)
        }
    }

    @Test func clipsEachStepsGradient() throws {
        let training = Self.training(threads: 1) { $0.learningRate = 1; $0.gradientClipNorm = 0.5 }
        _ = try training.step()
        #expect(abs(training.parameters.l2Norm() - 0.5) < 1e-6)  // from w = 0 the step is the clipped gradient
    }
}
