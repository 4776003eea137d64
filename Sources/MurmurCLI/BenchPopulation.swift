import Experiments
import Federation
import Foundation
import Kernels
import Tasks

/// `murmur bench population`: what a file-backed population of 10⁶ users costs — the first open (one
/// streaming pass that indexes `users.jsonl` and caches the index beside it), a second open (from the
/// cache), peak memory, and the seconds to read and prepare 1,000 sampled clients (optionally also to
/// train them in a stackoverflow-shape round).
///
/// The figures are rates and sizes printed by the program (STYLE: no timed tests); issue 22 asks for
/// seconds to index, an instant second start and bounded memory (docs/scaling.md records the figures).
let benchPopulationCommand: Command = {
    var command = Command(
        name: "population",
        summary: """
            Index time, start-up time from the cached index, peak RSS and seconds per 1,000 clients of a
            file-backed population (a `murmur data synth-lm` folder); --train also times a stackoverflow-shape round.
            """)
    command.signature.options = [
        .init(name: "data", valueName: "DIR", help: "a federated text folder (vocab.txt + users.jsonl)", defaultValue: nil),
        .init(name: "clients", valueName: "N", help: "clients read and prepared", defaultValue: "1000"),
        .init(name: "train", valueName: "N", help: "also time one round with a cohort of N from the folder (0: no)",
              defaultValue: "0"),
        .init(name: "threads", valueName: "T", help: "threads for the round", defaultValue: "2"),
    ]
    command.action = { arguments, console in
        guard let data = arguments.value("data") else {
            throw CommandLineError.missingOption(command: "bench population", option: "--data", valueName: "DIR",
                                                 help: "a federated text folder", example: "data/users-1m")
        }
        let clients = try parsePositiveInteger(arguments.value("clients")!, option: "clients", command: "bench population",
                                               range: 1...1_000_000)
        let trainCohort = try parsePositiveInteger(arguments.value("train")!, option: "train", command: "bench population",
                                                   range: 0...100_000)
        let threads = try parsePositiveInteger(arguments.value("threads")!, option: "threads", command: "bench population",
                                               range: 1...256)
        let folder = URL(fileURLWithPath: data).standardizedFileURL.path
        let clock = ContinuousClock()
        func timed<T>(_ body: () throws -> T) rethrows -> (T, Double) {
            let start = clock.now
            let value = try body()
            return (value, seconds(clock.now - start))
        }
        // The first open indexes (the cache is removed first), the second reads the cache.
        try? FileManager.default.removeItem(atPath: folder + "/users.jsonl.index")
        let (cold, indexSeconds) = try timed { try FederatedTextFolder(path: folder) }
        let (warm, startSeconds) = try timed { try FederatedTextFolder(path: folder) }
        let fileBytes = (try? FileManager.default.attributesOfItem(atPath: cold.usersPath)[.size] as? Int) ?? 0
        let scenario = try Scenario(json: Data(EmbeddedScenarios.stackOverflowShape.utf8),
                                    file: "stackoverflow-shape (embedded)",
                                    overrides: ["clients.cohortSize=\(max(trainCohort, 1))", "server.warmupRounds=0",
                                                "data={\"source\": \"files\", \"trainPath\": \"\(folder)\", \"validationPath\": \"\(folder)\"}"])
        guard let language = scenario.languageModelling else { preconditionFailure("stackoverflow-shape is a language scenario") }
        let task = LanguageModellingTask(configuration: language)
        let cohort = CohortSampling.fixedSize(min(clients, warm.userCount)).cohort(round: 1, population: warm.userCount, seed: 0)
        let (tokens, loadSeconds) = try timed {
            try cohort.reduce(0) { $0 + task.localData(for: try warm.user(at: $1)).targetCount }
        }
        var round = ""
        if trainCohort > 0 {
            let training = FederatedTraining(task: task, configuration: scenario.training, population: warm,
                                             pool: ThreadPool(threadCount: threads))
            let (_, roundSeconds) = try timed { try training.runRound() }
            round = ",\"trainCohort\":\(trainCohort),\"threads\":\(threads),\"roundSeconds\":\(rounded(roundSeconds, digits: 2)),"
                + "\"roundSecondsPer1000Clients\":\(rounded(roundSeconds * 1000 / Double(trainCohort), digits: 2))"
        }
        let memory = processMemory()
        console.write("{\"bench\":\"population\",\"users\":\(warm.userCount),\"fileMiB\":\(rounded(Double(fileBytes) / 1_048_576)),"
            + "\"indexSeconds\":\(rounded(indexSeconds, digits: 3)),\"startSeconds\":\(rounded(startSeconds, digits: 3)),"
            + "\"fromCache\":\(warm.indexFromCache),\"clients\":\(cohort.count),\"clientTokens\":\(tokens),"
            + "\"loadSecondsPer1000Clients\":\(rounded(loadSeconds * 1000 / Double(cohort.count), digits: 3))\(round),"
            + "\"rssMiB\":\(rounded(memory.current)),\"peakRssMiB\":\(rounded(memory.peak))}")
        return 0
    }
    return command
}()

/// The process's resident memory now and at its peak, in MiB (VmRSS and VmHWM of /proc/self/status;
/// zero where there is no /proc).
func processMemory() -> (current: Double, peak: Double) {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return (0, 0) }
    func field(_ name: String) -> Double {
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }),
              let kilobytes = line.split(separator: " ").dropFirst().first.flatMap({ Double($0) }) else { return 0 }
        return kilobytes / 1024
    }
    return (field("VmRSS"), field("VmHWM"))
}
