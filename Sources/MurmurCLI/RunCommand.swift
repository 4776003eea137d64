import Foundation
import Kernels
import Learning

/// `murmur run [SCENARIO]`: runs a scenario. Federated scenarios arrive with issue 4; until then, with no
/// scenario, it runs the embedded default: the LSTM LM trained centrally on a synthetic corpus the tool
/// makes itself, printing held-out perplexity against the corpus's unigram perplexity each epoch.
let runCommand: Command = {
    var command = Command(
        name: "run",
        summary: """
            Run a scenario. Without SCENARIO, runs the embedded default: an LSTM language model trained on a
            synthetic Markov corpus (vocab 500, 6000 sentences), one JSON line per epoch.
            """)
    command.signature.positionals = [("SCENARIO", "a scenario file (federated scenarios: issue 4)", false)]
    command.signature.options = [
        .init(name: "epochs", valueName: "N", help: "epochs of the embedded default", defaultValue: "3"),
        .init(name: "seed", valueName: "S", help: "random seed", defaultValue: "0"),
    ]
    command.action = { arguments, console in
        if arguments.positionals.first != nil {
            throw CommandLineError.notYetAvailable(command: "run SCENARIO", issue: "issue 4")
        }
        let epochs = try parsePositiveIntegers(arguments.value("epochs")!, option: "epochs", command: "run", range: 1...1000)[0]
        guard let seed = UInt64(arguments.value("seed")!) else {
            throw CommandLineError.invalidValue(command: "run", option: "--seed", value: arguments.value("seed")!,
                                                allowed: "a non-negative integer")
        }
        runEmbeddedDefault(epochs: epochs, seed: seed, console: console)
        return 0
    }
    return command
}()

private func runEmbeddedDefault(epochs: Int, seed: UInt64, console: Console) {
    let corpus = SyntheticCorpus(vocabularySize: 500, sentences: 6000, seed: seed)
    let train = corpus.batches(steps: 20, batchSize: 16, sentences: 0..<5000)
    let heldOut = corpus.batches(steps: 20, batchSize: 100, sentences: 5000..<6000)
    let unigram = SyntheticCorpus.unigramPerplexity(of: heldOut)
    let model = LSTMLanguageModel(configuration: .init(vocabularySize: 500, embeddingSize: 64, hiddenSize: 128), seed: seed)
    let optimizer = OptimizerConfiguration.adam().makeOptimizer(layout: model.parameters.layout)
    let clock = ContinuousClock()
    let start = clock.now
    console.writeError("murmur run: embedded default — LSTM LM on a synthetic corpus (unigram perplexity "
        + "\(rounded(unigram, digits: 2))); federated scenarios arrive with issue 4")
    for epoch in 1...epochs {
        var training = SoftmaxCrossEntropy.Result(negativeLogLikelihood: 0, count: 0)
        for batch in train {
            let result = model.lossAndGradient(batch, pool: nil)
            training.negativeLogLikelihood += result.negativeLogLikelihood
            training.count += result.count
            optimizer.step(parameters: &model.parameters, gradients: model.gradients, learningRate: 0.005)
        }
        var evaluation = LanguageModelEvaluation()
        for batch in heldOut { model.evaluate(batch, into: &evaluation, pool: nil) }
        let elapsed = clock.now - start
        let wallSeconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        let fields: [(String, Double)] = [
            ("epoch", Double(epoch)), ("trainLoss", rounded(training.mean, digits: 4)),
            ("validationPerplexity", rounded(evaluation.perplexity, digits: 2)),
            ("unigramPerplexity", rounded(unigram, digits: 2)),
            ("top1Accuracy", rounded(evaluation.top1Accuracy, digits: 4)), ("wallSeconds", rounded(wallSeconds, digits: 2)),
        ]
        console.write("{" + fields.map { "\"\($0.0)\":\($0.0 == "epoch" ? String(Int($0.1)) : String($0.1))" }
            .joined(separator: ",") + "}")
    }
}
