import Foundation
import Learning
import Testing

/// `murmur export`, `model.initialWeights` from safetensors, `clients.userOrder` and `data import-leaf`, end to
/// end through the command line on a tiny federated text folder.
@Suite struct InteropCommandTests {
    /// A folder with a 20-user synthetic text folder in `data/`.
    static func workspace() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("murmur-interop-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let made = CommandLineTests.run(["data", "synth-lm", "--users", "20", "--vocab", "30", "--out",
                                         folder.appendingPathComponent("data").path])
        #expect(made.status == 0, "\(made.errors)")
        return folder
    }

    static func scenario(model: String, extra: String = "", rounds: Int = 2) -> String {
        #"{"rounds": \#(rounds), "data": {"source": "files", "trainPath": "data", "validationPath": "data"}, "#
            + #""model": \#(model), "clients": {"cohortSize": 4}, "evaluation": {"every": 1}\#(extra)}"#
    }

    /// Runs scenario `text` (written beside the data) into `folder/name`; returns the run folder.
    static func run(_ text: String, name: String, in folder: URL) throws -> String {
        let file = folder.appendingPathComponent(name + ".json"), out = folder.appendingPathComponent(name).path
        try Data(text.utf8).write(to: file)
        let result = CommandLineTests.run(["run", file.path, "--out", out])
        #expect(result.status == 0, "\(result.errors)")
        return out
    }

    /// validationPerplexity of the run's metrics lines, in order.
    static func perplexities(_ run: String) throws -> [Double] {
        try String(contentsOfFile: run + "/metrics.jsonl", encoding: .utf8).split(separator: "\n").compactMap {
            (try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["validationPerplexity"] as? Double
        }
    }

    /// Export then seed a new run from the file: the new run scores, before its first round, exactly what the
    /// exported run scored after its last (the same weights, bit for bit, on the same users), for each model family.
    /// With `lstmBiases` 2 the trained bias_hh_l0 is written as it is (not zero) and read back into its own tensor.
    @Test(arguments: [#"{"embeddingSize": 8, "hiddenSize": 16}"#, #"{"embeddingSize": 8, "hiddenSize": 16, "lstmBiases": 2}"#,
                      #"{"kind": "transformer", "width": 8, "heads": 2, "layers": 1, "maxSteps": 20}"#])
    func exportSeedsARunWithTheSameModel(_ model: String) throws {
        let folder = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        let trained = try Self.run(Self.scenario(model: model), name: "trained", in: folder)
        let file = folder.appendingPathComponent("model.safetensors").path
        let exported = CommandLineTests.run(["export", trained, "--format", "safetensors", "--out", file])
        #expect(exported.status == 0, "\(exported.errors)")
        let tensors = try SafeTensors.read(contentsOf: file)
        if model.contains("transformer") {
            #expect(tensors.tensor(named: "transformer.h.0.attn.c_attn.weight")?.shape == [24, 8])
            #expect(tensors.tensor(named: "lm_head.weight") != nil)
        } else {
            #expect(tensors.tensors.map(\.name) == ["_embeddings.weight", "_lstm.weight_ih_l0", "_lstm.weight_hh_l0",
                                                    "_lstm.bias_ih_l0", "_lstm.bias_hh_l0", "_intermediate.weight",
                                                    "_intermediate.bias"])
            #expect(tensors.tensor(named: "_embeddings.weight")?.shape == [30, 8])
            let recurrentBias = try #require(tensors.tensor(named: "_lstm.bias_hh_l0")).values
            #expect(recurrentBias.allSatisfy { $0 == 0 } == !model.contains("lstmBiases"))
        }
        #expect(tensors.metadata["murmur.round"] == "2")
        let seededModel = String(model.dropLast()) + #", "initialWeights": "model.safetensors"}"#
        let seeded = try Self.run(Self.scenario(model: seededModel, rounds: 1), name: "seeded", in: folder)
        #expect(try Self.perplexities(seeded).first == Self.perplexities(trained).last)
    }

    /// LoRA adapters: kept as `<name>.lora_A` / `.lora_B` with their rank and α, or merged into the weights —
    /// the merged model is the one the run evaluated.
    @Test func loraAdaptersAreKeptOrMerged() throws {
        let folder = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = #"{"embeddingSize": 8, "hiddenSize": 16}"#
        let trained = try Self.run(Self.scenario(model: model, extra: #", "lora": {"rank": 2}"#), name: "lora", in: folder)
        let kept = folder.appendingPathComponent("kept.safetensors").path
        #expect(CommandLineTests.run(["export", trained, "--out", kept, "--lora", "keep"]).status == 0)
        let keptFile = try SafeTensors.read(contentsOf: kept)
        #expect(keptFile.tensor(named: "_lstm.weight_ih_l0.lora_A")?.shape == [2, 8])
        #expect(keptFile.tensor(named: "_intermediate.weight.lora_B")?.shape == [8, 2])
        #expect(keptFile.metadata["lora_rank"] == "2" && keptFile.metadata["lora_alpha"] == "4.0")
        let merged = folder.appendingPathComponent("merged.safetensors").path
        #expect(CommandLineTests.run(["export", trained + "/checkpoint.bin", "--out", merged]).status == 0)
        let mergedFile = try SafeTensors.read(contentsOf: merged)
        #expect(mergedFile.tensors.count == 7 && mergedFile.tensor(named: "_lstm.weight_ih_l0") != keptFile.tensor(named: "_lstm.weight_ih_l0"))
        let seeded = try Self.run(Self.scenario(model: #"{"embeddingSize": 8, "hiddenSize": 16, "initialWeights": "merged.safetensors"}"#,
                                                rounds: 1), name: "seeded", in: folder)
        #expect(try Self.perplexities(seeded).first == Self.perplexities(trained).last)
    }

    /// A state dict of another shape is refused before anything runs, one problem a line.
    @Test func aMisfittingStateDictListsEveryMismatch() throws {
        let folder = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        let trained = try Self.run(Self.scenario(model: #"{"embeddingSize": 8, "hiddenSize": 16}"#), name: "t", in: folder)
        let file = folder.appendingPathComponent("m.safetensors").path
        #expect(CommandLineTests.run(["export", trained, "--out", file]).status == 0)
        let scenario = folder.appendingPathComponent("bigger.json")
        try Data(Self.scenario(model: #"{"embeddingSize": 8, "hiddenSize": 12, "initialWeights": "m.safetensors"}"#).utf8)
            .write(to: scenario)
        let result = CommandLineTests.run(["run", scenario.path, "--out", folder.appendingPathComponent("b").path])
        #expect(result.status != 0)
        #expect(result.errors.contains("model.initialWeights: \(file) does not fit this lstm model (names as in docs/formats.md):\n"
            + "  _lstm.weight_ih_l0: shape [64, 8] in the file, [48, 8] in this model\n"
            + "  _lstm.weight_hh_l0: shape [64, 16] in the file, [48, 12] in this model\n"))
    }

    /// Users in a given order (names, as pfl_lm.py --write-order writes them); the run is the same as with
    /// the same order given as indices, and differs from a sampled one.
    @Test func userOrderByNamesOrIndices() throws {
        let folder = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        let users = try String(contentsOfFile: folder.appendingPathComponent("data/users.jsonl").path, encoding: .utf8)
            .split(separator: "\n").map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])["user"] as? String }
        let indices = [7, 3, 19, 0, 12, 5, 8, 1]
        try Data((indices.map { users[$0]! }.joined(separator: "\n") + "\n").utf8).write(to: folder.appendingPathComponent("names.txt"))
        try Data((indices.map(String.init).joined(separator: "\n") + "\n").utf8).write(to: folder.appendingPathComponent("indices.txt"))
        let model = #"{"embeddingSize": 8, "hiddenSize": 16}"#
        func ordered(_ file: String) -> String {
            Self.scenario(model: model, rounds: 3).replacingOccurrences(of: #""cohortSize": 4"#,
                                                                        with: #""cohortSize": 4, "userOrder": "\#(file)""#)
        }
        let byName = try Self.perplexities(try Self.run(ordered("names.txt"), name: "names", in: folder))
        let byIndex = try Self.perplexities(try Self.run(ordered("indices.txt"), name: "indices", in: folder))
        let sampled = try Self.perplexities(try Self.run(Self.scenario(model: model, rounds: 3), name: "sampled", in: folder))
        #expect(byName == byIndex && byName.count == 4)
        #expect(byName.last != sampled.last)
        let private_ = folder.appendingPathComponent("private.json")
        try Data(ordered("names.txt").replacingOccurrences(of: #""evaluation""#,
                                                           with: #""privacy": {"noiseMultiplier": 1, "delta": 1e-5}, "evaluation""#).utf8)
            .write(to: private_)
        let refused = CommandLineTests.run(["run", private_.path])
        #expect(refused.errors.contains("clients.userOrder: cannot be combined with privacy: a fixed order gives no privacy "
            + "amplification by sampling"))
    }

    /// A LEAF-format sample converts and trains a few rounds.
    @Test func leafSampleConvertsAndTrains() throws {
        let folder = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        let leaf = folder.appendingPathComponent("leaf")
        try FileManager.default.createDirectory(at: leaf, withIntermediateDirectories: true)
        let text = "Now is the winter of our discontent made glorious summer by this sun of York"
        let window = 10
        let chars = Array(text)
        let xs = (0..<(chars.count - window)).map { "\"" + String(chars[$0..<($0 + window)]) + "\"" }
        let ys = (0..<(chars.count - window)).map { "\"" + String(chars[$0 + window]) + "\"" }
        let users = (0..<6).map { "u\($0)" }
        let shard = #"{"users": [\#(users.map { "\"\($0)\"" }.joined(separator: ", "))], "num_samples": [], "user_data": {"#
            + users.map { #""\#($0)": {"x": [\#(xs.joined(separator: ", "))], "y": [\#(ys.joined(separator: ", "))]}"# }
                .joined(separator: ", ") + "}}"
        try Data(shard.utf8).write(to: leaf.appendingPathComponent("all_data_0.json"))
        let converted = CommandLineTests.run(["data", "import-leaf", leaf.path, "--task", "shakespeare", "--chunk", "19",
                                              "--out", folder.appendingPathComponent("chars").path])
        #expect(converted.status == 0, "\(converted.errors)")
        #expect(converted.output.contains(#""users":6,"sentences":24,"tokens":\#(6 * chars.count)"#))
        let scenario = Self.scenario(model: #"{"embeddingSize": 8, "hiddenSize": 16}"#, rounds: 3)
            .replacingOccurrences(of: #""data", "validationPath": "data""#, with: #""chars", "validationPath": "chars""#)
        let run = try Self.run(scenario, name: "leaf-run", in: folder)
        let curve = try Self.perplexities(run)
        #expect(curve.count == 4 && curve.last! < curve.first!)
    }
}
