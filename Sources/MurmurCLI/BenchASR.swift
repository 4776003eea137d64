import Foundation
import Kernels
import Learning

/// `murmur bench asr`: utterance-seconds trained per second by the speech recogniser, against PyTorch.
let benchASRCommand: Command = {
    var command = Command(
        name: "asr",
        summary: """
            Utterance-seconds of audio trained per second by the quickstart speech encoder (conv 144 wide,
            kernel 7, stride 3; width 144, 4 heads, 4 pre-LN layers, FFN 576; CTC over 30 classes) on
            batches of 8 utterances × 4 s with 40 characters each: forward, backward and an SGD step, once
            per thread count. When `python3 -c "import torch"` works, scripts/bench_asr_torch.py times the
            same model in PyTorch on the same CPU in the same command and the line gains its rate and our
            ratio to it (> 1: Murmur is faster).
            """)
    command.signature.options = [
        .init(name: "threads", valueName: "N,...", help: "thread counts to time", defaultValue: "1,2"),
        .init(name: "seconds", valueName: "S", help: "time spent timing each case", defaultValue: "3"),
        .init(name: "reference", valueName: "NAME", help: "auto (torch when importable), torch or none", defaultValue: "auto"),
        .init(name: "torch-script", valueName: "PATH", help: "the PyTorch script (default: scripts/bench_asr_torch.py found "
                  + "from the working directory or the executable)", defaultValue: ""),
    ]
    command.action = { arguments, console in
        let threadCounts = try parsePositiveIntegers(arguments.value("threads")!, option: "threads", command: "bench asr", range: 1...64)
        let seconds = try parsePositiveDouble(arguments.value("seconds")!, option: "seconds", command: "bench asr")
        let reference = arguments.value("reference")!
        guard ["auto", "torch", "none"].contains(reference) else {
            throw CommandLineError.invalidValue(command: "bench asr", option: "--reference", value: reference,
                                                allowed: "auto, torch or none")
        }
        let (utterances, frames, labelLength) = (8, 400, 40)
        let configuration = SpeechRecognitionModel.Configuration()
        let batch = benchSpeechBatch(utterances: utterances, frames: frames, labelLength: labelLength,
                                     featureWidth: configuration.featureWidth, classes: configuration.classes)
        var torchRates: [Int: Double] = [:]
        if reference != "none" {
            do {
                torchRates = try TorchASRReference.measure(threads: threadCounts, seconds: seconds, batch: utterances, frames: frames,
                                                           labels: labelLength, script: arguments.value("torch-script")!)
            } catch {
                if reference == "torch" { throw error }
                console.write("{\"bench\":\"asr\",\"reference\":\"none\",\"note\":\"\(error)\"}")
            }
        }
        for threads in threadCounts {
            let model = SpeechRecognitionModel(configuration: configuration, seed: 1)
            let optimizer = OptimizerConfiguration.sgd().makeOptimizer(layout: model.parameters.layout)
            let pool = threads > 1 ? ThreadPool(threadCount: threads) : nil
            let times = repeatTimed(seconds: seconds, minimumRepeats: 5, warmUp: 3) {
                _ = model.lossAndGradient(batch, pool: pool)
                optimizer.step(parameters: &model.parameters, gradients: model.gradients, learningRate: 1e-3)
            }
            let median = times[times.count / 2]
            let audioSeconds = Double(utterances * frames) / 100
            let rate = audioSeconds / median
            let gflops = model.trainingFLOPs(batch: utterances, frames: frames, labelLength: labelLength) / median / 1e9
            var line = "{\"bench\":\"asr\",\"width\":\(configuration.width),\"heads\":\(configuration.heads),"
                + "\"layers\":\(configuration.layers),\"feedForward\":\(configuration.feedForwardWidth),\"batch\":\(utterances),"
                + "\"secondsPerUtterance\":\(frames / 100),\"threads\":\(threads),"
                + "\"utteranceSecondsPerSecond\":\(rounded(rate)),\"msPerStep\":\(rounded(median * 1000, digits: 2)),"
                + "\"gflops\":\(rounded(gflops)),\"workspaceMB\":\(rounded(Double(model.allocatedWorkspaceBytes) / 1e6))"
            if let torch = torchRates[threads] {
                line += ",\"reference\":\"pytorch\",\"referenceUtteranceSecondsPerSecond\":\(rounded(torch)),"
                    + "\"ratio\":\(rounded(rate / torch, digits: 2))"
            }
            console.write(line + "}")
        }
        return 0
    }
    return command
}()

/// A fixed random batch of `utterances` full-length utterances (no padding) with random characters.
private func benchSpeechBatch(utterances: Int, frames: Int, labelLength: Int, featureWidth: Int, classes: Int) -> SpeechBatch {
    var stream = RandomStream(seed: 3, keys: [0xA5B])
    var features = [Float](repeating: 0, count: utterances * frames * featureWidth)
    features.withUnsafeMutableBufferPointer { stream.fillNormal($0) }
    let labels = (0..<utterances).map { _ in (0..<labelLength).map { _ in Int32(1 + stream.uniformInt(below: classes - 1)) } }
    return SpeechBatch(features: features, frameCounts: [Int](repeating: frames, count: utterances), labels: labels,
                       maxFrames: frames, featureWidth: featureWidth)
}

/// Runs scripts/bench_asr_torch.py in a child `python3` and reads its utterance-seconds per second per
/// thread count. Python is used only here, to time a reference.
enum TorchASRReference {
    static func measure(threads: [Int], seconds: Double, batch: Int, frames: Int, labels: Int, script: String) throws -> [Int: Double] {
        guard let path = script.isEmpty ? locateScript() : script else {
            throw BenchError.referenceUnavailable("scripts/bench_asr_torch.py not found; pass --torch-script PATH")
        }
        let lines = try PythonReference.lines(
            arguments: [path, String(seconds), threads.map(String.init).joined(separator: ","), String(batch), String(frames),
                        String(labels)],
            library: "torch")
        var result: [Int: Double] = [:]
        for line in lines { if let count = Int(line.label) { result[count] = line.value } }
        return result
    }

    /// scripts/bench_asr_torch.py under the working directory or any folder above the executable.
    private static func locateScript() -> String? {
        let relative = "scripts/bench_asr_torch.py"
        var candidates = [FileManager.default.currentDirectoryPath]
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 {
            candidates.append(folder.path)
            folder = folder.deletingLastPathComponent()
        }
        return candidates.map { $0 + "/" + relative }.first { FileManager.default.fileExists(atPath: $0) }
    }
}
