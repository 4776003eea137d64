/// Scenarios compiled into the tool, so `murmur run` works with no file at all.
package enum EmbeddedScenarios {
    /// `scenarios/quickstart.json`, byte for byte (a test checks they agree): what `murmur run` runs
    /// with no argument.
    package static let quickstart = #"""
{
  "name": "quickstart",
  "seed": 0,
  "rounds": 200,
  "data": {
    "source": "synthetic",
    "users": 20000,
    "validationUsers": 200,
    "vocabularySize": 1000
  },
  "model": { "kind": "lstm", "embeddingSize": 64, "hiddenSize": 128 },
  "clients": {
    "cohortSize": 50,
    "localEpochs": 1,
    "batchSize": 16,
    "optimizer": "sgd",
    "learningRate": 0.5
  },
  "server": { "optimizer": "fedadam", "learningRate": 0.1, "beta2": 0.99, "adaptivity": 0.01 },
  "evaluation": { "every": 20 },
  "output": { "directory": "runs", "checkpointEvery": 20 }
}
"""#
}
