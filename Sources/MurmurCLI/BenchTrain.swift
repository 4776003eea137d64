import Foundation
import Kernels
import Learning

/// `murmur bench train`: tokens per second of one client's local training of the LSTM LM.
let benchTrainCommand: Command = {
    var command = Command(
        name: "train",
        summary: """
            Tokens per second of local SGD on the stackoverflow-shape LSTM LM (vocab 10000, embedding 96,
            hidden 256, batch 16 sentences × 20 tokens), forward + backward + update, on one thread by default.
            Also prints the step's GFLOP/s and the share of time spent in the output layer's GEMMs.
            """)
    command.signature.options = [
        .init(name: "threads", valueName: "N", help: "threads for the step's kernels", defaultValue: "1"),
        .init(name: "seconds", valueName: "S", help: "time spent timing", defaultValue: "3"),
        .init(name: "vocab", valueName: "V", help: "vocabulary size", defaultValue: "10000"),
    ]
    command.action = { arguments, console in
        let threads = try parsePositiveIntegers(arguments.value("threads")!, option: "threads", command: "bench train",
                                                range: 1...64)[0]
        let seconds = try parsePositiveDouble(arguments.value("seconds")!, option: "seconds", command: "bench train")
        let vocabulary = try parsePositiveIntegers(arguments.value("vocab")!, option: "vocab", command: "bench train",
                                                   range: 8...1_000_000)[0]
        let (batchSize, steps) = (16, 20)
        let model = LSTMLanguageModel(configuration: .init(vocabularySize: vocabulary), seed: 1)
        let optimizer = OptimizerConfiguration.sgd().makeOptimizer(layout: model.parameters.layout)
        let pool = threads > 1 ? ThreadPool(threadCount: threads) : nil
        let batches = zipfBatches(count: 8, vocabulary: vocabulary, batch: batchSize, steps: steps)
        var next = 0
        let times = repeatTimed(seconds: seconds, minimumRepeats: 5, warmUp: 3) {
            _ = model.lossAndGradient(batches[next % batches.count], pool: pool)
            optimizer.step(parameters: &model.parameters, gradients: model.gradients, learningRate: 0.3)
            next += 1
        }
        let median = times[times.count / 2]
        let tokens = Double(batchSize * steps)
        let gflops = model.trainingFLOPs(batch: batchSize, steps: steps) / median / 1e9
        console.write(
            "{\"bench\":\"train\",\"model\":\"lstm\",\"vocab\":\(vocabulary),\"embedding\":96,\"hidden\":256,"
                + "\"batch\":\(batchSize),\"steps\":\(steps),\"threads\":\(threads),"
                + "\"tokensPerSecond\":\(Int(tokens / median)),\"msPerStep\":\(rounded(median * 1000, digits: 3)),"
                + "\"bestMsPerStep\":\(rounded(times[0] * 1000, digits: 3)),\"gflops\":\(rounded(gflops)),"
                + "\"variant\":\"\(gemmMicroKernelName)\"}")
        return 0
    }
    return command
}()

/// Batches of Zipf-distributed token ids (full rows, no padding): the shape of real text for the kernels.
private func zipfBatches(count: Int, vocabulary: Int, batch: Int, steps: Int) -> [TokenBatch] {
    let weights = (0..<vocabulary).map { $0 < 4 ? Float(0) : Float(1 / Double($0 - 3)) }
    var stream = RandomStream(seed: 2, keys: [0xBE7C])
    return weights.withUnsafeBufferPointer { w in
        (0..<count).map { _ in
            let tokens = (0..<(batch * (steps + 1))).map { _ in Int32(stream.categorical(w)) }
            var inputs: [Int32] = [], targets: [Int32] = []
            for row in 0..<batch {
                let sentence = tokens[(row * (steps + 1))..<((row + 1) * (steps + 1))]
                inputs += sentence.dropLast()
                targets += sentence.dropFirst()
            }
            return TokenBatch(inputs: inputs, targets: targets, batch: batch, steps: steps)
        }
    }
}
