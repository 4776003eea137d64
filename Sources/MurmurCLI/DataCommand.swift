import Federation
import Foundation

/// `murmur data`: make and check federated text folders.
let dataCommand = Command(
    name: "data",
    summary: "Generate, prepare and check federated text datasets (docs/formats.md).",
    subcommands: [synthLMCommand, vocabCommand, checkCommand])

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
            try parsePositiveIntegers(arguments.value(name)!, option: name, command: "data synth-lm", range: range)[0]
        }
        func seed(_ name: String) throws -> UInt64 {
            guard let value = UInt64(arguments.value(name)!) else {
                throw CommandLineError.invalidValue(command: "data synth-lm", option: "--" + name,
                                                    value: arguments.value(name)!, allowed: "a non-negative integer")
            }
            return value
        }
        guard let out = arguments.value("out") else {
            throw CommandLineError.missingValue(command: "data synth-lm", option: "--out", valueName: "DIR")
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
        let size = try parsePositiveIntegers(arguments.value("size")!, option: "size", command: "data vocab",
                                             range: 5...10_000_000)[0]
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
