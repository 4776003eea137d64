import Federation
import Foundation
import Tasks

/// `murmur data import-leaf DIR --task shakespeare|sent140 --out FOLDER`: LEAF's sharded JSON users as a
/// federated text folder (`LEAFConverter`).
let importLEAFCommand: Command = {
    var command = Command(
        name: "import-leaf",
        summary: """
            Convert a LEAF benchmark split (sharded JSON: users, num_samples, user_data) into a federated text \
            folder: shakespeare as next-character sentences, sent140 as next-word tweets. Streams shard by \
            shard; convert the test split with --vocab-from the training folder so both share one vocab.txt.
            """)
    command.signature.positionals = [("DIR", "a LEAF data folder (its .json shards, e.g. data/train) or one shard", true)]
    command.signature.options = [
        .init(name: "task", valueName: "TASK", help: "shakespeare or sent140 (required)", defaultValue: nil),
        .init(name: "out", valueName: "FOLDER", help: "the federated text folder to write (required)", defaultValue: nil),
        .init(name: "vocab", valueName: "V", help: "vocabulary size, 4 special tokens included", defaultValue: "10000"),
        .init(name: "vocab-from", valueName: "FOLDER", help: "use this folder's vocab.txt instead of counting",
              defaultValue: nil),
        .init(name: "chunk", valueName: "N", help: "shakespeare: characters a sentence", defaultValue: "80"),
    ]
    command.action = { arguments, console in
        let name = "data import-leaf"
        guard let taskName = arguments.value("task") else {
            throw CommandLineError.missingOption(command: name, option: "--task", valueName: "TASK",
                                                 help: "the LEAF benchmark", example: "shakespeare")
        }
        guard let task = LEAFConverter.Task(rawValue: taskName) else {
            throw CommandLineError.invalidValue(command: name, option: "--task", value: taskName,
                                                allowed: LEAFConverter.Task.allCases.map(\.rawValue).joined(separator: ", "))
        }
        guard let out = arguments.value("out") else {
            throw CommandLineError.missingOption(command: name, option: "--out", valueName: "FOLDER",
                                                 help: "the folder to write", example: "data/shakespeare-train")
        }
        var converter = LEAFConverter(task: task)
        converter.vocabularySize = try parsePositiveInteger(arguments.value("vocab")!, option: "vocab", command: name,
                                                            range: 5...10_000_000)
        converter.chunkLength = try parsePositiveInteger(arguments.value("chunk")!, option: "chunk", command: name,
                                                         range: 1...100_000)
        let vocabulary = try arguments.value("vocab-from").map { folder throws(DataError) in
            try Vocabulary.load(from: URL(fileURLWithPath: folder).appendingPathComponent("vocab.txt"))
        }
        let counts = try converter.convert(from: arguments.positionals[0], to: out, vocabulary: vocabulary)
        console.write("{\"out\":\"\(out)\",\"task\":\"\(task.rawValue)\",\"shards\":\(counts.shards),\"users\":\(counts.users),"
            + "\"sentences\":\(counts.sentences),\"tokens\":\(counts.tokens),\"vocab\":\(counts.vocabulary)}")
        return 0
    }
    return command
}()
