#if MPI
import Experiments
import Federation
import Foundation
import Kernels
import Learning
import Privacy
import Tasks

/// What a rank other than 0 runs under `--backend mpi`: its share of every round's training and a replica
/// of the server state, and nothing else — no held-out evaluation, no metrics, checkpoints or report
/// (rank 0 evaluates and writes the run folder; its files are the run's, bit for bit).
///
/// It starts where rank 0 starts (the checkpoint rank 0 resumes from, sent by rank 0, so nodes need no
/// shared run folder; or the scenario's initial weights) and runs rounds until the run ends the way rank
/// 0's does: the scenario's rounds done, the ε budget or the device trace ending the run (the same on
/// every rank, being computed from the same keyed streams), or rank 0 stopping early at a round boundary
/// (a signal), which the next round's first collective says (docs/distributed.md, "Failures").
struct ReplicaRun {
    let scenario: Scenario
    let threads: Int
    let group: any ProcessGroup
    /// The checkpoint rank 0 resumes from (nil: the run starts afresh).
    let checkpoint: TrainingCheckpoint?

    func run() throws {
        switch scenario.task {
        case let .languageModelling(configuration):
            let setup = try scenario.languageModellingSetup(configuration)
            try run(setup.task, population: setup.training)
        case let .speechRecognition(configuration):
            let setup = try scenario.speechRecognitionSetup(configuration)
            try run(setup.task, population: setup.training)
        }
    }

    private func run<Task: FederatedTask>(_ task: Task, population: any Population<Task.User>) throws {
        let s = scenario
        let training = FederatedTraining(task: task, configuration: s.training, population: population, privacy: s.privacy,
                                         secureAggregation: s.secureAggregation,
                                         fleet: try s.makeFleet(population: population.userCount), pool: ThreadPool(threadCount: threads))
        if let checkpoint {
            try training.restore(checkpoint)
        } else if let path = s.initialWeights, InitialWeights.isStateDict(path) {
            try training.start(fromModelWeights: try InitialWeights.stateDictWeights(path: path, layout: s.task.modelShape.layout))
        } else if let path = s.initialWeights {
            try training.start(fromModelWeights: try TrainingCheckpoint.read(from: URL(fileURLWithPath: path)).parameters)
        }
        do {
            while training.completedRounds < s.rounds {
                let result: RoundResult
                do {
                    result = try training.runRound()
                } catch is PrivacyBudgetExhausted {
                    break  // rank 0 ends the run here too: the round released nothing
                } catch is SimulationError {
                    break  // the trace has no client left, on every rank
                }
                try FaultInjection.reach(.round)
                if result.budgetExhausted { break }  // the last round the ε budget allows
            }
        } catch let error as DistributedError {
            guard case .runEnded = error else { throw error }
            return  // rank 0 stopped at a round boundary and has already posted that its run ended
        }
        try DistributedRun.finish(group)
    }
}
#endif
