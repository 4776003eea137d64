/// Scenarios compiled into the tool, so `murmur run` and `murmur bench round` work with no file at all.
package enum EmbeddedScenarios {
    /// `scenarios/quickstart.json` (a test checks they agree): what `murmur run` runs with no argument.
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
  "evaluation": { "every": 20, "targetPerplexity": 85 },
  "output": { "directory": "../runs", "checkpointEvery": 20 }
}
"""#

    /// `scenarios/stackoverflow-shape.json` (a test checks they agree): what `murmur bench round` times.
    package static let stackOverflowShape = #"""
{
  "name": "stackoverflow-shape",
  "seed": 0,
  "rounds": 300,
  "data": {
    "source": "synthetic",
    "users": 1000000,
    "validationUsers": 200,
    "vocabularySize": 10000,
    "maxSentencesPerUser": 64
  },
  "model": { "kind": "lstm", "embeddingSize": 96, "hiddenSize": 256 },
  "clients": {
    "cohortSize": 400,
    "localEpochs": 1,
    "maxSentences": 64,
    "batchSize": 16,
    "sequenceLength": 20,
    "optimizer": "sgd",
    "learningRate": 0.3,
    "weighting": "user"
  },
  "server": {
    "optimizer": "fedadam",
    "learningRate": 0.1,
    "beta1": 0.9,
    "beta2": 0.99,
    "adaptivity": 0.01,
    "warmupRounds": 50
  },
  "evaluation": { "every": 10, "users": 200 },
  "output": { "directory": "../runs", "checkpointEvery": 10 }
}
"""#
}
