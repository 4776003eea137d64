import Experiments
import Federation
import Foundation
import Kernels
import SecureAggregation
import Tasks

/// `murmur bench round`: seconds per federated round of the stackoverflow-shape scenario and client
/// tokens per second, against pfl-research's figure on the same model, data shape and cohort.
///
/// The reference is the peer's measurement (../shared/peer/README.md: pfl-research 0.6 with PyTorch,
/// cohort 50, 2-core AMD EPYC, median 0.94 s a round with DP, 0.82 s without), since pfl does not run
/// inside this process. With `--data DIR` the rounds read the same files as the peer's run
/// (make_lm_data.py or `murmur data synth-lm` output); otherwise synthetic users made on demand.
let benchRoundCommand: Command = {
    var command = Command(
        name: "round",
        summary: """
            Seconds per round and client tokens per second of the stackoverflow-shape scenario (LSTM LM, vocab
            10000, embedding 96, hidden 256, local SGD, central FedAdam), against pfl-research's 0.82 s a round
            (no DP; 0.94 s with DP) measured on the same 2-core machine class.
            """)
    command.signature.options = [
        .init(name: "cohort", valueName: "N", help: "clients per round", defaultValue: "50"),
        .init(name: "rounds", valueName: "R", help: "rounds timed, after one warm-up round", defaultValue: "5"),
        .init(name: "threads", valueName: "LIST", help: "thread counts to time", defaultValue: "1,2"),
        .init(name: "data", valueName: "DIR", help: "a federated text folder to read users from", defaultValue: nil),
        .init(name: "secure", valueName: "LIST", help: "none, secagg, secaggplus: aggregation to time (ratios against none)",
              defaultValue: "none"),
        .init(name: "bits", valueName: "B", help: "ring bits for secure aggregation (8-32)", defaultValue: "32"),
        .init(name: "threat-model", valueName: "M", help: "secure aggregation against a maliciousServer or semiHonest one",
              defaultValue: "maliciousServer"),
        .init(name: "neighbours", valueName: "K",
              help: "SecAgg+ neighbours (default: Bell et al. 2020's bound at σ = 40, η = 20, 5% corrupted, 5% dropping)",
              defaultValue: nil),
    ]
    command.action = { arguments, console in
        let cohort = try parsePositiveIntegers(arguments.value("cohort")!, option: "cohort", command: "bench round",
                                               range: 1...100_000)[0]
        let rounds = try parsePositiveIntegers(arguments.value("rounds")!, option: "rounds", command: "bench round",
                                               range: 1...1000)[0]
        let threadCounts = try parsePositiveIntegers(arguments.value("threads")!, option: "threads",
                                                     command: "bench round", range: 1...64)
        var overrides = ["clients.cohortSize=\(cohort)", "server.warmupRounds=0"]
        if let data = arguments.value("data") {
            let path = URL(fileURLWithPath: data).standardizedFileURL.path
            overrides += ["data={\"source\": \"files\", \"trainPath\": \"\(path)\", \"validationPath\": \"\(path)\"}"]
        }
        let secureKinds = arguments.value("secure")!.split(separator: ",").map(String.init)
        for kind in secureKinds where !["none", "secagg", "secaggplus"].contains(kind) {
            throw CommandLineError.invalidValue(command: "bench round", option: "--secure", value: kind,
                                                allowed: "none, secagg, secaggplus")
        }
        let bits = try parsePositiveIntegers(arguments.value("bits")!, option: "bits", command: "bench round", range: 8...32)[0]
        let threatModel = arguments.value("threat-model")!
        guard ["maliciousServer", "semiHonest"].contains(threatModel) else {
            throw CommandLineError.invalidValue(command: "bench round", option: "--threat-model", value: threatModel,
                                                allowed: "maliciousServer, semiHonest")
        }
        let neighbours = try arguments.value("neighbours").map {
            try parsePositiveIntegers($0, option: "neighbours", command: "bench round", range: 2...100_000)[0]
        }
        var plainSeconds: [Int: Double] = [:]
        for kind in secureKinds {
            var kindOverrides = overrides
            if kind != "none" {
                let k = kind == "secaggplus" ? neighbours.map { ", \"neighbours\": \($0)" } ?? "" : ""
                kindOverrides.append("secureAggregation={\"protocol\": \"\(kind)\", \"clipBound\": 1.0, \"bits\": \(bits)\(k), \"threatModel\": \"\(threatModel)\"}")
            }
            let scenario = try Scenario(json: Data(EmbeddedScenarios.stackOverflowShape.utf8),
                                        file: "stackoverflow-shape (embedded)", overrides: kindOverrides)
            guard case let .languageModelling(language) = scenario.task else { preconditionFailure("a language scenario") }
            let setup = try scenario.languageModellingSetup(language)
            for threads in threadCounts {
                let training = FederatedTraining(task: setup.task, configuration: scenario.training, population: setup.training,
                                                 secureAggregation: scenario.secureAggregation,
                                                 pool: ThreadPool(threadCount: threads))
                _ = try training.runRound()
                var times: [Double] = [], tokens = 0, rows = 0
                let clock = ContinuousClock()
                for _ in 0..<rounds {
                    let start = clock.now
                    let result = try training.runRound()
                    times.append(seconds(clock.now - start))
                    tokens += result.statistics.lossTargets
                    rows += result.statistics.examples
                }
                let median = times.sorted()[times.count / 2], total = times.reduce(0, +)
                // Client training's useful work (stackoverflow shape: embedding 96, hidden 256, vocab 10000):
                // forward + backward ≈ 3 × 2 × the multiply-adds, the LSTM over padded rows, the output
                // layer over counted ones; against the GEMM's peak on as many threads, measured here.
                let (e, h, v) = (96.0, 256.0, 10_000.0)
                let paddedTokens = Double(rows * language.sequenceLength)
                let trainingFLOPs = 6 * (paddedTokens * (e * 4 * h + h * 4 * h + h * e) + Double(tokens) * e * v)
                let achieved = trainingFLOPs / total / 1e9
                let peak = measuredGEMMPeakGFLOPS(pool: training.pool)
                if kind == "none" { plainSeconds[threads] = median }
                let overhead = plainSeconds[threads].map { ",\"overheadVsPlain\":\(rounded(median / $0 - 1, digits: 3))" } ?? ""
                var ring = ""
                if let secure = scenario.secureAggregation {
                    // The graph the rounds used, and the bound's parameters behind it.
                    let graph = secure.graphParameters(clientCount: cohort), (γ, δ) = secure.assumedFractions(clientCount: cohort)
                    ring = "\"bits\":\(bits),\"threatModel\":\"\(secure.threatModel.rawValue)\",\"neighbours\":\(graph.degree),"
                        + "\"threshold\":\(graph.threshold),\"kFrom\":\"\(secure.neighbours == nil ? "bound" : "option")\","
                        + "\"sigma\":\(HararyParameters.defaultSecurity),\"eta\":\(HararyParameters.defaultCorrectness),"
                        + "\"corruption\":\(γ),\"dropout\":\(δ),"
                }
                console.write("{\"bench\":\"round\",\"aggregation\":\"\(kind)\",\(ring)\"cohort\":\(cohort),\"threads\":\(threads),"
                    + "\"rounds\":\(rounds),\"secondsPerRound\":\(rounded(median, digits: 3)),"
                    + "\"clientTokensPerSecond\":\(Int(Double(tokens) / total)),"
                    + "\"paddedTokensPerSecond\":\(Int(paddedTokens / total)),"
                    + "\"trainingGflops\":\(rounded(achieved)),\"gemmPeakGflops\":\(rounded(peak)),"
                    + "\"utilisation\":\(rounded(achieved / peak, digits: 3)),\"variant\":\"\(gemmMicroKernelName)\","
                    + "\"speedupVsPflNoDP\":\(rounded(0.82 / median, digits: 2)),"
                    + "\"speedupVsPflDP\":\(rounded(0.94 / median, digits: 2))\(overhead),"
                    + "\"data\":\"\(arguments.value("data") ?? "synthetic")\"}")
            }
        }
        return 0
    }
    return command
}()
