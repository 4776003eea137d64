import Federation
import Kernels
import Learning
import Privacy
import Tasks
import Testing

/// The FL4ASR diagnostics: per-tensor client update norms before clipping, and the server's average
/// update before and after its central noise.
@Suite struct TensorNormSummaryTests {
    static func configuration(cohort: Int) -> FederatedTrainingConfiguration {
        var configuration = FederatedTrainingTests.configuration()
        configuration.sampling = .fixedSize(cohort)
        configuration.server = ServerOptimization()  // FedAvg, rate 1: the applied update is the average
        configuration.client.weighting = .user
        configuration.recordsTensorNorms = true
        return configuration
    }

    /// With one client and no privacy the server applies that client's update, so the tensors' norms
    /// compose to the applied update's: √(Σ‖Δₜ‖²) = ‖Δ‖, and the cohort's mean and largest coincide.
    @Test func oneClientsTensorNormsComposeToTheAppliedUpdatesNorm() throws {
        let training = FederatedTraining(task: FederatedTrainingTests.task, configuration: Self.configuration(cohort: 1),
                                         population: FederatedTrainingTests.population, pool: ThreadPool(threadCount: 1))
        let result = try training.runRound()
        let norms = try #require(result.clientUpdateNorms)
        #expect(norms.map(\.name) == training.updateLayout.entries.map(\.name))
        #expect(norms.allSatisfy { $0.mean == $0.max })
        let composed = norms.reduce(0) { $0 + $1.mean * $1.mean }.squareRoot()
        #expect(abs(composed - result.updateNorm) <= 1e-5 * result.updateNorm)
        #expect(result.updateNormBeforeNoise == nil)
    }

    /// Over a cohort the largest is at least the mean for every tensor, and the figures do not depend
    /// on the threads (they are summed in cohort order).
    @Test func cohortSummariesAreOrderedAndThreadIndependent() throws {
        func run(threads: Int) throws -> [TensorNormSummary] {
            let training = FederatedTraining(task: FederatedTrainingTests.task, configuration: Self.configuration(cohort: 7),
                                             population: FederatedTrainingTests.population, pool: ThreadPool(threadCount: threads))
            return try #require(try training.runRound().clientUpdateNorms)
        }
        let one = try run(threads: 1), two = try run(threads: 2)
        #expect(one == two)
        #expect(one.allSatisfy { $0.max >= $0.mean && $0.mean > 0 })
        #expect(one.contains { $0.max > $0.mean })
    }

    /// Under central Gaussian noise with a bound no update reaches, the average before noise is the
    /// clipped (here: unchanged) sum over the expected cohort, and the noise makes the average larger.
    @Test func updateNormBeforeNoiseIsTheNoiselessAverage() throws {
        var privacy = PrivacyConfiguration()
        privacy.clipBound = 1e6
        privacy.noiseMultiplier = 1e-3
        let training = FederatedTraining(task: FederatedTrainingTests.task, configuration: Self.configuration(cohort: 1),
                                         population: FederatedTrainingTests.population, privacy: privacy,
                                         pool: ThreadPool(threadCount: 1))
        let result = try training.runRound()
        let norms = try #require(result.clientUpdateNorms)
        let composed = norms.reduce(0) { $0 + $1.mean * $1.mean }.squareRoot()
        let before = try #require(result.updateNormBeforeNoise)
        #expect(abs(before - composed) <= 1e-5 * composed)
        #expect(result.updateNorm > before)  // σ·C·√d = 10³·√d ≫ ‖Δ‖
    }

    @Test func tensorKindsFollowTheModelsNames() {
        #expect(TensorNormSummary.kind(of: "encoder.block0.norm1.gamma") == "layer norm")
        #expect(TensorNormSummary.kind(of: "encoder.block2.attention.qkv.weight") == "attention")
        #expect(TensorNormSummary.kind(of: "encoder.block2.feedForward.expand.bias") == "feed-forward")
        #expect(TensorNormSummary.kind(of: "subsampling.0.weight") == "convolution")
        #expect(TensorNormSummary.kind(of: "lstm.recurrentWeight") == "LSTM")
        #expect(TensorNormSummary.kind(of: "embedding.weight") == "embedding")
        #expect(TensorNormSummary.kind(of: "ctc.weight") == "projection and output")
    }
}
