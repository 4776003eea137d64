import Federation
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
            Also prints the step's GFLOP/s and its utilisation: that against the GEMM's best GFLOP/s measured in
            the same command on as many threads (the 320×256×1024 gate product), for the median step and for
            the best one (best against best: on a busy machine the median counts other programs' time too).
            A second line times a resource-constrained client's step on the same
            batches — partial embedding updates (--peu-rows rows trained) with NCE (--nce-samples noise words),
            the trained vector gathered, stepped and written back — and its speed-up over the full-softmax step.
            """)
    command.signature.options = [
        .init(name: "threads", valueName: "N", help: "threads for the step's kernels", defaultValue: "1"),
        .init(name: "seconds", valueName: "S", help: "time spent timing", defaultValue: "3"),
        .init(name: "vocab", valueName: "V", help: "vocabulary size", defaultValue: "10000"),
        .init(name: "peu-rows", valueName: "R", help: "embedding rows the PEU+NCE step trains", defaultValue: "5000"),
        .init(name: "nce-samples", valueName: "K", help: "noise words of the PEU+NCE step", defaultValue: "256"),
    ]
    command.action = { arguments, console in
        let threads = try parsePositiveIntegers(arguments.value("threads")!, option: "threads", command: "bench train",
                                                range: 1...64)[0]
        let seconds = try parsePositiveDouble(arguments.value("seconds")!, option: "seconds", command: "bench train")
        let vocabulary = try parsePositiveIntegers(arguments.value("vocab")!, option: "vocab", command: "bench train",
                                                   range: 8...1_000_000)[0]
        let peuRows = try parsePositiveIntegers(arguments.value("peu-rows")!, option: "peu-rows", command: "bench train",
                                                range: 1...(vocabulary - 1))[0]
        let samples = try parsePositiveIntegers(arguments.value("nce-samples")!, option: "nce-samples",
                                                command: "bench train", range: 1...1_000_000)[0]
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
        let peak = measuredGEMMPeakGFLOPS(pool: pool ?? ThreadPool(threadCount: 1))
        console.write(
            "{\"bench\":\"train\",\"model\":\"lstm\",\"vocab\":\(vocabulary),\"embedding\":96,\"hidden\":256,"
                + "\"batch\":\(batchSize),\"steps\":\(steps),\"threads\":\(threads),"
                + "\"tokensPerSecond\":\(Int(tokens / median)),\"msPerStep\":\(rounded(median * 1000, digits: 3)),"
                + "\"bestMsPerStep\":\(rounded(times[0] * 1000, digits: 3)),\"gflops\":\(rounded(gflops)),"
                + "\"gemmPeakGflops\":\(rounded(peak)),\"utilisation\":\(rounded(gflops / peak, digits: 3)),"
                + "\"bestUtilisation\":\(rounded(gflops * median / times[0] / peak, digits: 3)),"
                + "\"variant\":\"\(gemmMicroKernelName)\"}")

        // The resource-constrained client's step: NCE over the tied output, PEU's rows and the dense tensors
        // as the trained vector (what ClientTrainer does each step under partial training).
        let unigram = UnigramDistribution.rank(vocabularySize: vocabulary)
        model.useTrainingLoss(.noiseContrastive(samples: samples), noise: unigram)
        model.beginTraining(randomSeed: 1)
        let space = UpdateSpace(shape: LSTMLanguageModel.shape(of: model.configuration),
                                partial: PartialTraining(embeddingRows: EmbeddingRowSelection(rows: peuRows)))
        let rows = EmbeddingRowSelection(rows: peuRows).rows(round: 1, seed: 1, unigram: unigram)
        let state = model.parameters
        var trained = space.extract(from: state, rows: rows), gradient = ParameterSet(layout: trained.layout)
        let partialOptimizer = OptimizerConfiguration.sgd().makeOptimizer(layout: trained.layout)
        let partialTimes = repeatTimed(seconds: seconds, minimumRepeats: 5, warmUp: 3) {
            _ = model.lossAndGradient(batches[next % batches.count], pool: pool)
            space.gradient(from: model.gradients, update: trained, rows: rows, into: &gradient)
            partialOptimizer.step(parameters: &trained, gradients: gradient, learningRate: 0.3)
            space.write(trained, rows: rows, state: state, into: &model.parameters)
            next += 1
        }
        let partialMedian = partialTimes[partialTimes.count / 2]
        console.write(
            "{\"bench\":\"train\",\"model\":\"lstm\",\"objective\":\"peu+nce\",\"vocab\":\(vocabulary),"
                + "\"peuRows\":\(peuRows),\"nceSamples\":\(samples),\"trainedParameters\":\(space.trainedCount),"
                + "\"threads\":\(threads),\"tokensPerSecond\":\(Int(tokens / partialMedian)),"
                + "\"msPerStep\":\(rounded(partialMedian * 1000, digits: 3)),"
                + "\"speedupVsFullSoftmax\":\(rounded(median / partialMedian, digits: 2))}")
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
