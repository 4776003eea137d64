import Experiments
import Federation
import Tasks
import Foundation

/// `murmur data`: make and check federated text folders.
let dataCommand = Command(
    name: "data",
    summary: "Generate, prepare and check federated text datasets and device traces (docs/formats.md).",
    subcommands: [synthLMCommand, synthASRCommand, vocabCommand, checkCommand, traceCommand, importLEAFCommand])

private let synthLMCommand: Command = {
    var command = Command(
        name: "synth-lm",
        summary: """
            Write a synthetic federated text folder (vocab.txt + users.jsonl): Zipf vocabulary, per-user topics,
            bigram word order, heavy-tailed sentences per user. Deterministic in --seed and --language-seed;
            folders with the same language seed and different seeds share the language (train / validation).
            """)
    command.signature.options = [
        .init(name: "users", valueName: "N", help: "number of users", defaultValue: "2000"),
        .init(name: "vocab", valueName: "V", help: "vocabulary size, 4 special tokens included", defaultValue: "10000"),
        .init(name: "seed", valueName: "S", help: "seed of the users", defaultValue: "0"),
        .init(name: "language-seed", valueName: "S", help: "seed of the language", defaultValue: "12345"),
        .init(name: "topics", valueName: "K", help: "number of topics", defaultValue: "40"),
        .init(name: "max-sentences", valueName: "M", help: "cap on sentences per user", defaultValue: "64"),
        .init(name: "out", valueName: "DIR", help: "the folder to write (required)", defaultValue: nil),
    ]
    command.action = { arguments, console in
        func integer(_ name: String, _ range: ClosedRange<Int>) throws -> Int {
            try parsePositiveInteger(arguments.value(name)!, option: name, command: "data synth-lm", range: range)
        }
        func seed(_ name: String) throws -> UInt64 {
            guard let value = UInt64(arguments.value(name)!) else {
                throw CommandLineError.invalidValue(command: "data synth-lm", option: "--" + name,
                                                    value: arguments.value(name)!, allowed: "a non-negative integer")
            }
            return value
        }
        guard let out = arguments.value("out") else {
            throw CommandLineError.missingOption(command: "data synth-lm", option: "--out", valueName: "DIR", help: "the folder to write", example: "data/train")
        }
        let language = SyntheticLanguage(vocabularySize: try integer("vocab", 8...1_000_000),
                                         topics: try integer("topics", 2...10_000), seed: try seed("language-seed"))
        let population = SyntheticPopulation(language: language, users: try integer("users", 1...100_000_000),
                                             seed: try seed("seed"), maxSentences: try integer("max-sentences", 1...100_000))
        try DatasetWriter.write(population, to: out)
        console.write("{\"out\":\"\(out)\",\"users\":\(population.userCount),\"vocab\":\(language.vocabularySize)}")
        return 0
    }
    return command
}()

private let vocabCommand: Command = {
    var command = Command(
        name: "vocab",
        summary: "Build vocab.txt from raw-text users: the four special tokens, then the most frequent words.")
    command.signature.positionals = [("USERS", "a users.jsonl whose lines have \"text\": [sentences]", true)]
    command.signature.options = [
        .init(name: "size", valueName: "V", help: "vocabulary size, special tokens included", defaultValue: "10000"),
        .init(name: "out", valueName: "FILE", help: "where to write (default: vocab.txt beside USERS)", defaultValue: nil),
    ]
    command.action = { arguments, console in
        let users = arguments.positionals[0]
        let size = try parsePositiveInteger(arguments.value("size")!, option: "size", command: "data vocab",
                                             range: 5...10_000_000)
        let vocabulary = try DatasetWriter.buildVocabulary(fromTextUsers: users, size: size)
        let out = arguments.value("out") ?? URL(fileURLWithPath: users).deletingLastPathComponent()
            .appendingPathComponent("vocab.txt").path
        try Data(vocabulary.fileText.utf8).write(to: URL(fileURLWithPath: out), options: .atomic)
        console.write("{\"out\":\"\(out)\",\"tokens\":\(vocabulary.count)}")
        return 0
    }
    return command
}()

private let checkCommand: Command = {
    var command = Command(name: "check", summary: "Read every user of a federated text folder; report the first bad line.")
    command.signature.positionals = [("DIR", "a folder with vocab.txt and users.jsonl", true)]
    command.action = { arguments, console in
        let counts = try FederatedTextFolder(path: arguments.positionals[0]).validateAll()
        console.write("{\"users\":\(counts.users),\"sentences\":\(counts.sentences),\"tokens\":\(counts.tokens)}")
        return 0
    }
    return command
}()

private let traceCommand: Command = {
    var command = Command(
        name: "trace",
        summary: """
            Write a diurnal device trace (JSONL): each client gets a device class by the given weights, a time \
            zone, and its class's availability day by day — overnight charging windows, heavy-tailed daytime \
            sessions, failures. Deterministic in --seed; the sample in clients/traces/ was made with it.
            """)
    let classes = Scenario.defaultMixText
    command.signature.options = [
        .init(name: "clients", valueName: "N", help: "number of clients", defaultValue: "1000"),
        .init(name: "days", valueName: "D", help: "days the trace spans", defaultValue: "3"),
        .init(name: "seed", valueName: "S", help: "seed of the classes, time zones and availability", defaultValue: "0"),
        .init(name: "classes", valueName: "NAME=W,…", help: "device classes (standard names or profile .json files) "
              + "and their weights", defaultValue: classes),
        .init(name: "time-zones", valueName: "H,…", help: "UTC offsets in hours the clients are spread over",
              defaultValue: DeviceMix.worldTimeZones.map { $0 == $0.rounded() ? String(Int($0)) : String($0) }
                .joined(separator: ",")),
        .init(name: "out", valueName: "FILE", help: "the trace file to write (required)", defaultValue: nil),
    ]
    command.action = { arguments, console in
        let name = "data trace"
        guard let out = arguments.value("out") else {
            throw CommandLineError.missingOption(command: name, option: "--out", valueName: "FILE", help: "the trace file to write", example: "my-trace.jsonl")
        }
        let clients = try parsePositiveInteger(arguments.value("clients")!, option: "clients", command: name,
                                                range: 1...10_000_000)
        let days = try parsePositiveInteger(arguments.value("days")!, option: "days", command: name, range: 1...365)
        guard let seed = UInt64(arguments.value("seed")!) else {
            throw CommandLineError.invalidValue(command: name, option: "--seed", value: arguments.value("seed")!,
                                                allowed: "a non-negative integer")
        }
        var zones: [Double] = []
        for text in arguments.value("time-zones")!.split(separator: ",") {
            guard let hours = Double(text), (-12...14).contains(hours) else {
                throw CommandLineError.invalidValue(command: name, option: "--time-zones", value: String(text),
                                                    allowed: "UTC offsets in hours within [-12, 14], e.g. -5,0,8")
            }
            zones.append(hours)
        }
        let mix = try Scenario.deviceMix(classes: arguments.value("classes")!, timeZoneHours: zones)
        let trace = TraceGenerator.generate(mix: mix, clients: clients, days: days, seed: seed)
        try Data(trace.jsonLines(profiles: DeviceProfiles.standardByName).utf8).write(to: URL(fileURLWithPath: out),
                                                                                      options: .atomic)
        let windows = trace.clients.reduce(0) { $0 + $1.availability.windows.count }
        console.write("{\"out\":\"\(out)\",\"clients\":\(clients),\"days\":\(days),\"windows\":\(windows)}")
        return 0
    }
    return command
}()
