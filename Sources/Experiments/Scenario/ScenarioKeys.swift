import Foundation

/// Every scenario key with its default, allowed values and meaning: the one list that
/// `murmur scenario keys` prints, that docs/scenarios.md's tables are generated from (a test checks the
/// committed file equals the generated tables), and that `ScenarioReader.finish` consults to tell a
/// misspelt key from one that only applies to another choice.
///
/// Why a table beside the readers: the readers' defaults and ranges are code paths (a default of
/// `rounds/10`, a range that depends on the population), which a person reads better as the short
/// text here. Tests tie the two together: every key a reader resolves in any of the ready scenarios
/// and their variants is in this table, every key here is resolved by one of them, and every literal
/// default here is the one the readers fill in.
package struct ScenarioKey: Sendable, Equatable {
    /// The section's dotted path ("" for the top level, "privacy", …).
    package let section: String
    /// The key column as docs/scenarios.md shows it, in Markdown (`` `beta1`, `beta2` ``).
    package let display: String
    package let defaultText: String
    package let allowed: String
    package let meaning: String

    init(_ section: String, _ display: String, default defaultText: String, allowed: String, meaning: String) {
        self.section = section
        self.display = display
        self.defaultText = defaultText
        self.allowed = allowed
        self.meaning = meaning
    }

    /// The keys this row describes, relative to the section (`adaptiveClipping.targetQuantile`); a name
    /// written `.shareKeys` continues the previous name's parent.
    package var names: [String] {
        var result: [String] = []
        for (index, part) in display.split(separator: "`", omittingEmptySubsequences: false).enumerated() where index % 2 == 1 {
            var name = String(part)
            if name.hasPrefix("."), let previous = result.last, let dot = previous.lastIndex(of: ".") {
                name = String(previous[..<dot]) + name
            }
            result.append(name)
        }
        return result
    }

    /// The keys' full dotted paths (`privacy.adaptiveClipping.targetQuantile`).
    package var paths: [String] { names.map { section.isEmpty ? $0 : section + "." + $0 } }
}

extension ScenarioKey {
    /// The sections in the order docs/scenarios.md presents them.
    package static let sections = ["", "data", "model", "clients", "peu", "lora", "server", "evaluation", "privacy",
                                   "secureAggregation", "devices", "central", "output"]

    /// The rows of one section (`section` may name a nested object, `privacy.adaptiveClipping`, whose rows
    /// are those of its parent that start with its name).
    package static func rows(in section: String) -> [ScenarioKey] {
        if sections.contains(section) { return all.filter { $0.section == section } }
        return all.filter { row in row.paths.contains { $0.hasPrefix(section + ".") } }
    }

    /// The keys a section accepts under any choice (`server` takes `momentum` only with fedavgm, but
    /// takes it): those of its rows, relative to `section`, first level only.
    package static func names(in section: String) -> Set<String> {
        var result = Set<String>()
        for row in all {
            for path in row.paths where path.hasPrefix(section.isEmpty ? "" : section + ".") {
                let relative = section.isEmpty ? path : String(path.dropFirst(section.count + 1))
                result.insert(String(relative.split(separator: ".")[0]))
            }
        }
        return result
    }

    /// A section's table in Markdown, as docs/scenarios.md has it.
    package static func markdown(section: String) -> String {
        var lines = ["| key | default | allowed | meaning |", "| --- | --- | --- | --- |"]
        for row in rows(in: section) {
            let cells = [row.display, row.defaultText, row.allowed, row.meaning]
            lines.append("|" + cells.map { $0.isEmpty ? " " : " \($0) " }.joined(separator: "|") + "|")
        }
        return lines.joined(separator: "\n")
    }

    /// A section's keys as plain text for a terminal: the full key path, its default and allowed values on
    /// one line, the meaning indented below.
    package static func plainText(section: String) -> String {
        func plain(_ text: String) -> String { text.replacingOccurrences(of: "`", with: "") }
        var lines: [String] = []
        for row in rows(in: section) {
            let key = row.paths.count == 1 ? row.paths[0] : plain(row.display).split(separator: ",").enumerated().map { index, part in
                index == 0 && !section.isEmpty ? section + "." + part.trimmingCharacters(in: .whitespaces)
                    : part.trimmingCharacters(in: .whitespaces)
            }.joined(separator: ", ")
            lines.append("\(key)  default \(plain(row.defaultText)); allowed \(plain(row.allowed))")
            if !row.meaning.isEmpty { lines.append("    " + plain(row.meaning)) }
        }
        return lines.joined(separator: "\n")
    }
}

extension ScenarioKey {
    /// Every key, section by section (docs/scenarios.md's tables are generated from these rows).
    package static let all: [ScenarioKey] = [
        // top level
        .init("", "`name`", default: "file name without `.json`", allowed: "letters, digits, `-_.`",
              meaning: "names the run folder"),
        .init("", "`seed`", default: "0", allowed: "0…2³¹−1",
              meaning: "fixes the run: initial model, cohorts, client shuffles"),
        .init("", "`rounds`", default: "20", allowed: "1…10⁶",
              meaning: "federated rounds"),
        .init("", "`task`", default: "`languageModelling`", allowed: "`languageModelling`, `speechRecognition`",
              meaning: "what clients train: next-token language models on text users, or speech recognisers on speakers (docs/asr.md); the keys marked speech apply to the second"),
        // data
        .init("data", "`source`", default: "`synthetic` (speech: `files`)", allowed: "`synthetic`, `files`",
              meaning: "where users come from; speech reads speaker folders (`speakers.jsonl` + WAV, docs/asr.md)"),
        .init("data", "`maxSentencesPerUser`", default: "64", allowed: "1…10⁵",
              meaning: "synthetic: cap on sentences generated per user"),
        .init("data", "`users`", default: "10000", allowed: "1…10⁸",
              meaning: "synthetic: training population, generated on demand"),
        .init("data", "`validationUsers`", default: "200", allowed: "1…10⁶",
              meaning: "synthetic: held-out population"),
        .init("data", "`vocabularySize`", default: "10000", allowed: "8…10⁶",
              meaning: "synthetic: tokens, the 4 special ones included"),
        .init("data", "`topics`", default: "40", allowed: "2…10⁴",
              meaning: "synthetic: topics users mix"),
        .init("data", "`zipfExponent`", default: "1.1", allowed: "0…4",
              meaning: "synthetic: slope of the word frequencies"),
        .init("data", "`languageSeed`", default: "12345", allowed: "0…2³¹−1",
              meaning: "synthetic: the language (shared by training and validation)"),
        .init("data", "`userSeed`", default: "0", allowed: "0…2³¹−1",
              meaning: "synthetic: the training users"),
        .init("data", "`validationSeed`", default: "1", allowed: "0…2³¹−1, ≠ `userSeed`",
              meaning: "synthetic: the validation users"),
        .init("data", "`trainPath`", default: "— (required)", allowed: "a folder",
              meaning: "files: federated text folder (docs/formats.md), or for speech a speaker folder, relative to the scenario"),
        .init("data", "`validationPath`", default: "— (required)", allowed: "a folder",
              meaning: "files: held-out users; same `vocab.txt` as `trainPath`"),
        .init("data", "`unigram`", default: "`rank`", allowed: "`rank`, `heldOut`",
              meaning: "public word frequencies for PEU and the sampled losses: 1/rank over the vocabulary's order, or add-one counts of the validation users' targets (docs/peu.md)"),
        // model
        .init("model", "`kind`", default: "`lstm` (speech: `ctcTransformer`)", allowed: "`lstm`, `transformer`; speech: `ctcTransformer`",
              meaning: ""),
        .init("model", "`embeddingSize`", default: "96", allowed: "1…4096",
              meaning: "lstm: tied input/output embedding width"),
        .init("model", "`hiddenSize`", default: "256", allowed: "1…8192",
              meaning: "lstm: LSTM cells (projected back to the embedding width)"),
        .init("model", "`lstmBiases`", default: "1", allowed: "1, 2",
              meaning: "lstm: gate bias tensors; 2 trains `bias_ih_l0` and `bias_hh_l0` apart as torch.nn.LSTM does (their sum learns twice as fast; docs/formats.md)"),
        .init("model", "`width`", default: "64 (speech: 144)", allowed: "4…4096",
              meaning: "transformer, speech: model width"),
        .init("model", "`heads`", default: "4", allowed: "1…64, divides `width`",
              meaning: "transformer, speech"),
        .init("model", "`layers`", default: "2 (speech: 4)", allowed: "1…48",
              meaning: "transformer, speech: blocks"),
        .init("model", "`maxSteps`", default: "32", allowed: "2…4096, ≥ `clients.sequenceLength`",
              meaning: "transformer: positions"),
        .init("model", "`dropout`", default: "0", allowed: "0…0.9",
              meaning: "transformer, speech"),
        .init("model", "`features`", default: "80", allowed: "8…512",
              meaning: "speech: log-mel filters a 10 ms frame (25 ms windows)"),
        .init("model", "`convolutionWidth`", default: "144", allowed: "1…4096",
              meaning: "speech: channels of the convolutional subsampling"),
        .init("model", "`convolutionKernel`", default: "7", allowed: "1…63",
              meaning: "speech: frames each convolution sees"),
        .init("model", "`convolutionStride`", default: "3", allowed: "1…8",
              meaning: "speech: subsampling of each convolution (100 frames a second become 33 with one of stride 3)"),
        .init("model", "`convolutionLayers`", default: "1", allowed: "1…4",
              meaning: "speech: convolutions before the encoder (CTC needs as many frames as characters and repeats)"),
        .init("model", "`feedForwardWidth`", default: "4·width", allowed: "1…65536",
              meaning: "speech: hidden units of each block's feed-forward layer"),
        .init("model", "`norm`", default: "`preNorm`", allowed: "`preNorm`, `postNorm`",
              meaning: "speech: layer norm before each sublayer (x + f(LN x)) or after the residual (LN(x + f x)); post-LN needs a warm start in FL (FL4ASR Table 7)"),
        .init("model", "`ctcWeight`", default: "1", allowed: "(0, 1]",
              meaning: "speech: λ of the loss λ·CTC + (1 − λ)·attention decoder; 1 is pure CTC, with no decoder"),
        .init("model", "`decoderLayers`", default: "1", allowed: "1…12",
              meaning: "speech, ctcWeight < 1: blocks of the attention decoder"),
        .init("model", "`initialWeights`", default: "none", allowed: "a run folder or its `checkpoint.bin`, or a PyTorch state dict `.safetensors` (docs/formats.md), relative to the scenario's folder",
              meaning: "start from these weights instead of the seed's random ones (a warm start; `murmur train-central` makes a seed model)"),
        // clients
        .init("clients", "`sampling`", default: "`fixed`", allowed: "`fixed`, `poisson`",
              meaning: "cohort without replacement, or each user with probability q"),
        .init("clients", "`cohortSize`", default: "50", allowed: "1…10⁶, ≤ population",
              meaning: "fixed: users a round"),
        .init("clients", "`samplingRate`", default: "0.001", allowed: "(0, 1]",
              meaning: "poisson: q"),
        .init("clients", "`userOrder`", default: "none", allowed: "a file, one user id or index a line, relative to the scenario",
              meaning: "fixed: take users in this order, `cohortSize` a round, wrapping around (pfl-research's `--write-order`); not with `privacy` or `devices`"),
        .init("clients", "`localEpochs`", default: "1", allowed: "1…1000",
              meaning: "passes over the client's rows"),
        .init("clients", "`maxSentences`", default: "64", allowed: "1…10⁵",
              meaning: "a client trains on its first S sentences"),
        .init("clients", "`batchSize`", default: "16", allowed: "1…4096",
              meaning: "rows (speech: utterances) a local step"),
        .init("clients", "`sequenceLength`", default: "20", allowed: "2…4096",
              meaning: "tokens a row: `<bos>`+sentence → sentence+`<eos>`, padded"),
        .init("clients", "`optimizer`", default: "`sgd`", allowed: "`sgd`, `adam`, `adagrad`, `lamb`, `lars`",
              meaning: "local optimizer, fresh state per task"),
        .init("clients", "`learningRate`", default: "0.3 (speech: 0.1)", allowed: "(0, 100]",
              meaning: "local learning rate"),
        .init("clients", "`gradientClipNorm`", default: "none", allowed: "> 0",
              meaning: "each local step's gradient scaled to this L2 norm at most (not DP's clip, which bounds the whole update)"),
        .init("clients", "`momentum`", default: "0 (lars: 0.9)", allowed: "0…0.999",
              meaning: "sgd, lars: heavy-ball momentum"),
        .init("clients", "`proximalMu`", default: "0", allowed: "0…1000",
              meaning: "FedProx μ (Li et al. 2020); 0 is off"),
        .init("clients", "`weighting`", default: "`user`", allowed: "`user`, `token`",
              meaning: "a client's weight in the average"),
        .init("clients", "`shuffle`", default: "true", allowed: "true, false",
              meaning: "shuffle rows each epoch (keyed by seed, round, user)"),
        .init("clients", "`loss`", default: "`softmax`", allowed: "`softmax`, `sampledSoftmax`, `nce`",
              meaning: "training loss over the tied output (lstm only for the sampled two); evaluation is always the exact softmax (docs/peu.md)"),
        .init("clients", "`lossSamples`", default: "min(256, V−2)", allowed: "1…V−2",
              meaning: "sampledSoftmax, nce: noise words a step, shared by the batch"),
        .init("clients", "`memoryLimitBytes`", default: "none", allowed: "1…2⁵⁰",
              meaning: "a task whose computed peak memory exceeds it is refused and counted (`clients.refusedForMemory`)"),
        .init("clients", "`maxUtterances`", default: "64", allowed: "1…10⁵",
              meaning: "speech: a client trains on its first U utterances"),
        .init("clients", "`maxUtteranceSeconds`", default: "30", allowed: "0.1…600",
              meaning: "speech: longer utterances are left out of training"),
        .init("clients", "`batchSeconds`", default: "none", allowed: "0.1…3600",
              meaning: "speech: a local step takes as many utterances as fit in this many seconds once padded to the longest (instead of `batchSize`)"),
        .init("clients", "`specAugment`", default: "false", allowed: "true, false",
              meaning: "speech: SpecAugment masks in training, 2 × F = 30 and 10 × p = 0.1, T = 50 (the FL4ASR companion's)"),
        // peu
        .init("peu", "`rows`", default: "— (required)", allowed: "1…V−1",
              meaning: "embedding rows each round trains and sends"),
        .init("peu", "`rule`", default: "`sampled`", allowed: "`top`, `sampled`, `mixed`",
              meaning: "the m most frequent; m drawn ∝ frequency^power without replacement, fresh each round; or the top `topRows` plus sampled"),
        .init("peu", "`topRows`", default: "rows/2", allowed: "1…rows−1",
              meaning: "mixed: rows always trained"),
        .init("peu", "`power`", default: "1", allowed: "0…4",
              meaning: "sampled, mixed: exponent on the frequencies (0 is uniform)"),
        // lora
        .init("lora", "`rank`", default: "8", allowed: "1…smallest side of an adapted matrix",
              meaning: "r"),
        .init("lora", "`alpha`", default: "2·rank", allowed: "(0, 10⁴]",
              meaning: "α; the adapter's scale is α/r"),
        .init("lora", "`server`", default: "`keep`", allowed: "`keep`, `merge`",
              meaning: "keep adapters in the global model, or fold them into the base after every round and restart them"),
        // server
        .init("server", "`optimizer`", default: "`fedavg`", allowed: "`fedavg`, `fedavgm`, `fedadam`, `fedyogi`, `fedadagrad`, `lamb`, `lars`",
              meaning: "central optimizer (Reddi et al. 2021)"),
        .init("server", "`learningRate`", default: "1 for fedavg, else 0.01", allowed: "(0, 100]",
              meaning: "server learning rate"),
        .init("server", "`momentum`", default: "0.9", allowed: "0…0.999",
              meaning: "fedavgm, lars"),
        .init("server", "`beta1`, `beta2`", default: "0.9, 0.99", allowed: "0…0.999, 0…0.9999",
              meaning: "fedadam, fedyogi, lamb"),
        .init("server", "`adaptivity`", default: "0.001", allowed: "(0, 10]",
              meaning: "τ (ε) of the adaptive servers"),
        .init("server", "`warmupRounds`", default: "0", allowed: "0…10⁶",
              meaning: "linear warm-up of the server rate; one longer than the run only ramps part-way (so `--set rounds=…` alone can shorten a run)"),
        .init("server", "`decay`", default: "`none`", allowed: "`none`, `cosine`, `step`, `exponential`",
              meaning: "after warm-up"),
        .init("server", "`minimumFactor`", default: "0", allowed: "0…1",
              meaning: "cosine: final rate as a fraction"),
        .init("server", "`decayStart`", default: "as `warmupRounds`", allowed: "0…10⁶",
              meaning: "exponential: the round the decay starts from"),
        .init("server", "`decayRate`, `decayTransitionRounds`", default: "0.5, rounds/3", allowed: "(0, 1], ≥ 1",
              meaning: "exponential: the rate is multiplied by decayRate every decayTransitionRounds rounds, continuously (TF's ExponentialDecay, as ml-pfl4asr)"),
        .init("server", "`decayEvery`, `decayFactor`", default: "rounds/3, 0.5", allowed: "≥ 1, (0, 1]",
              meaning: "step decay"),
        // evaluation
        .init("evaluation", "`every`", default: "rounds/10", allowed: "0…10⁶",
              meaning: "evaluate every k rounds (and at round 0 and the last); 0 is never"),
        .init("evaluation", "`users`", default: "200", allowed: "1…10⁶",
              meaning: "first users of the validation population"),
        .init("evaluation", "`batchSize`", default: "`clients.batchSize` (speech: 16)", allowed: "1…4096",
              meaning: "rows (speech: utterances, sorted by length) an evaluation batch"),
        .init("evaluation", "`beamWidth`", default: "1", allowed: "1…256",
              meaning: "speech: CTC prefix beam search with this many beams; 1 decodes greedily"),
        .init("evaluation", "`target`", default: "—", allowed: "`{\"metric\": NAME, \"value\": X}`",
              meaning: "the summary's `timeToTarget`: the first evaluation round whose metric `NAME` (one of the task's; default its primary) reaches X (at or below it when lower is better), with its simulated hours and wall seconds"),
        .init("evaluation", "`targetPerplexity`", default: "—", allowed: "> 1",
              meaning: "a language task's synonym for `target` with metric `validationPerplexity` (give one or the other)"),
        // privacy
        .init("privacy", "`mechanism`", default: "`gaussian`", allowed: "`gaussian`, `laplace`, `localGaussian`, `localLaplace`, `discreteGaussian`, `skellam`, `dpftrl`",
              meaning: "where noise is added and of which kind (docs/privacy.md)"),
        .init("privacy", "`clipping`", default: "`flat`", allowed: "`flat`, `perLayer`, `perLayerDimension`",
              meaning: "L2 clipping of the whole update, or each of the L tensors to clipBound/√L (FL4ASR's `uniform`), or each tensor of d_h values to clipBound·√(d_h/d) (its `dim`); Laplace mechanisms clip L1"),
        .init("privacy", "`clipBound`", default: "1.0", allowed: "> 0",
              meaning: "the clip bound C (the sensitivity)"),
        .init("privacy", "`epsilon`", default: "—", allowed: "> 0",
              meaning: "target ε: the noise is calibrated so the planned rounds spend at most this; also the budget the run stops at"),
        .init("privacy", "`noiseMultiplier`", default: "—", allowed: "> 0",
              meaning: "z = noise std / C; given instead of (or with) `epsilon`, which then only stops the run"),
        .init("privacy", "`delta`", default: "required", allowed: "(0, 1)",
              meaning: "δ of the guarantee"),
        .init("privacy", "`accountant`", default: "`pld` (`rdp` for integer mechanisms)", allowed: "`pld`, `rdp`",
              meaning: "how ε is computed"),
        .init("privacy", "`noiseCohortSize`", default: "—", allowed: "1…users",
              meaning: "pfl's option: noise as if this many users were sampled; ε is for that cohort, `epsilonAsRun` for the real one"),
        .init("privacy", "`maxParticipations`", default: "— (no cap)", allowed: "1…10⁶",
              meaning: "k: each user takes part in at most this many rounds (sampling leaves it out after); ε is then accounted from the cap, without amplification (docs/privacy.md)"),
        .init("privacy", "`minSeparation`", default: "1", allowed: "1…10⁶",
              meaning: "b: at least this many rounds between two participations of one user"),
        .init("privacy", "`matrixFactorization`", default: "`tree`", allowed: "`tree`, `banded`",
              meaning: "dpftrl's noise correlation: binary-tree aggregation, or a banded Toeplitz square root (docs/privacy.md)"),
        .init("privacy", "`bands`", default: "minSeparation", allowed: "1…rounds",
              meaning: "bands of the banded factorisation (≤ minSeparation keeps the sensitivity exact)"),
        .init("privacy", "`adaptiveClipping.targetQuantile`", default: "0.5", allowed: "0…1",
              meaning: "fraction of updates the bound should hold (Andrew et al. 2021)"),
        .init("privacy", "`adaptiveClipping.learningRate`", default: "0.2", allowed: "> 0",
              meaning: "geometric step of the bound per round"),
        .init("privacy", "`adaptiveClipping.countNoise`", default: "cohort/20", allowed: "> z/2",
              meaning: "noise std on the count of users within the bound"),
        .init("privacy", "`audit.canaries`", default: "required (or `fraction`)", allowed: "2…users",
              meaning: "m: users given a canary (a random sentence), each included with probability ½ by a keyed coin; a `privacy` section holding only `audit` audits a run without DP (docs/privacy.md)"),
        .init("privacy", "`audit.fraction`", default: "—", allowed: "(0, 1]",
              meaning: "m as a fraction of the training users, instead of `canaries`"),
        .init("privacy", "`audit.repetitions`", default: "1", allowed: "1…1000",
              meaning: "copies of its canary an including user holds"),
        .init("privacy", "`audit.words`", default: "min(8, sequenceLength − 1)", allowed: "1…sequenceLength − 1",
              meaning: "words of a canary, uniform over the vocabulary"),
        .init("privacy", "`audit.candidates`", default: "1000", allowed: "1…10⁶",
              meaning: "random sentences exposure ranks each canary among (exposure is capped at log₂(candidates + 1))"),
        .init("privacy", "`audit.guessIncluded`, `.guessExcluded`", default: "m/4 each", allowed: "0…m, sum ≥ 1",
              meaning: "k₊ best-scored canaries guessed included, k₋ worst guessed excluded (Steinke et al. 2023)"),
        .init("privacy", "`audit.confidence`", default: "0.95", allowed: "(0, 1)",
              meaning: "1 − β of the ε lower bound"),
        .init("privacy", "`audit.delta`", default: "1e-05", allowed: "(0, 1)",
              meaning: "δ of the bound for a run without DP (a DP run uses privacy.delta)"),
        .init("privacy", "`audit.seed`", default: "seed", allowed: "0…2³¹−1",
              meaning: "keys the host users, coins, canaries and candidates"),
        // secureAggregation
        .init("secureAggregation", "`protocol`", default: "`secaggplus`", allowed: "`secagg`, `secaggplus`",
              meaning: "SecAgg's complete graph, or SecAgg+'s random k-regular graph (docs/secure-aggregation.md)"),
        .init("secureAggregation", "`neighbours`", default: "Bell et al. bound, even", allowed: "2…10⁵",
              meaning: "SecAgg+'s k (capped at cohort − 1); unset: the least k meeting Bell et al. 2020's bound at σ 40, η 20, 5% corrupt, 5% (or the set rate) dropping (docs/secure-aggregation.md); `secaggplus` only"),
        .init("secureAggregation", "`threatModel`", default: "`maliciousServer`", allowed: "`semiHonest`, `maliciousServer`",
              meaning: "`maliciousServer`: signed keys and the consistency check, so a server lying about dropouts unmasks nobody (costs CPU, docs/secure-aggregation.md); `semiHonest`: an honest-but-curious server"),
        .init("secureAggregation", "`thresholdFraction`", default: "0.5", allowed: "[0, 1)",
              meaning: "shares needed to reconstruct: ⌊fraction · neighbours⌋ + 1"),
        .init("secureAggregation", "`bits`", default: "32", allowed: "8…32",
              meaning: "the ring Z_2^bits; checked against the largest planned cohort"),
        .init("secureAggregation", "`clipBound`", default: "required without `privacy`", allowed: "> 0",
              meaning: "L2 bound updates are clipped to before quantisation; not allowed with `privacy`, whose bound is used"),
        .init("secureAggregation", "`dropoutRate`", default: "0", allowed: "[0, 1)",
              meaning: "probability a client drops during the round, spread evenly over the four steps"),
        .init("secureAggregation", "`dropoutRates.advertiseKeys`, `.shareKeys`, `.maskedInput`, `.unmasking`", default: "0", allowed: "[0, 1)",
              meaning: "per step: probability that a client still in drops at it (instead of `dropoutRate`)"),
        // devices
        .init("devices", "`classes`", default: "the standard mix", allowed: "`{name: weight}`",
              meaning: "device classes in proportion: standard names (`clients/*.json`) or profile files ending in `.json`, relative to the scenario"),
        .init("devices", "`timeZones`", default: "12 populous offsets", allowed: "list of hours in [−12, 14]",
              meaning: "UTC offsets clients are spread over uniformly"),
        .init("devices", "`trace`", default: "—", allowed: "a JSONL path",
              meaning: "replay this trace instead (client i holds user i's data); excludes `classes` and `timeZones`"),
        .init("devices", "`overSelection`", default: "1.3", allowed: "1…10",
              meaning: "select ⌈overSelection · cohortSize⌉ of the available clients; keep the first cohortSize reports"),
        .init("devices", "`deadlineSeconds`", default: "600", allowed: "(0, 86400]",
              meaning: "a task not reported this long after it started is dropped"),
        .init("devices", "`selectionSeconds`", default: "60", allowed: "0…86400",
              meaning: "the server's check-in window before tasks start"),
        // output
        // central
        .init("central", "`steps`", default: "1000", allowed: "1…10⁷",
              meaning: "`murmur train-central`: optimizer steps of central training (a seed model for `model.initialWeights`)"),
        .init("central", "`usersPerStep`", default: "4", allowed: "1…4096",
              meaning: "users whose batches a step averages (by targets), trained side by side on the threads"),
        .init("central", "`batchSize`", default: "as `clients.batchSize`", allowed: "1…4096",
              meaning: "examples of each user a step takes"),
        .init("central", "`optimizer`", default: "`adam`", allowed: "`sgd`, `adam`, `adagrad`, `lamb`",
              meaning: ""),
        .init("central", "`momentum`", default: "0.9", allowed: "0…0.999",
              meaning: "sgd: heavy-ball momentum"),
        .init("central", "`learningRate`", default: "0.001", allowed: "(0, 100]",
              meaning: ""),
        .init("central", "`warmupSteps`", default: "0", allowed: "0…10⁷",
              meaning: "linear warm-up of the rate"),
        .init("central", "`decay`", default: "`none`", allowed: "`none`, `cosine`",
              meaning: "after warm-up"),
        .init("central", "`minimumFactor`", default: "0", allowed: "0…1",
              meaning: "cosine: final rate as a fraction"),
        .init("central", "`gradientClipNorm`", default: "none", allowed: "> 0",
              meaning: "each step's gradient scaled to this L2 norm at most"),
        .init("central", "`trainPath`", default: "`data.trainPath`", allowed: "a folder of the data's kind",
              meaning: "files, speech: the users it trains on — give a pool apart from the federated users for a seed start"),
        .init("central", "`userSeed`", default: "2", allowed: "0…2³¹−1, ≠ `data.userSeed`, `data.validationSeed`",
              meaning: "synthetic: the central users, from the same language as the federated ones"),
        .init("central", "`seedStart`", default: "false", allowed: "`true`, `false` (not with `model.initialWeights`)",
              meaning: "`murmur run` trains this seed model first (kept in `<output.directory>/seeds/` and reused by every run that would train the same one) and starts the rounds from it"),
        .init("central", "`evaluateEvery`", default: "steps/10", allowed: "0…10⁷",
              meaning: "evaluate on the held-out users every k steps (and at the last); a metrics line and a checkpoint each time"),
        .init("output", "`directory`", default: "`runs` in the current folder", allowed: "a path, relative to the scenario's folder",
              meaning: "run folders go in `directory/name` (`name-2`, … if taken)"),
        .init("output", "`tensorboard`", default: "false", allowed: "`true`, `false`",
              meaning: "also write metrics as a TensorBoard event file in the run folder, round by round (`murmur report --tensorboard` writes one afterwards)"),
        .init("output", "`tensorNorms`", default: "false", allowed: "`true`, `false`",
              meaning: "measure every client update's norm tensor by tensor before clipping; each metrics line gets `clientUpdateNorms` (the cohort's mean and largest per tensor) and the report a chart by layer kind"),
        .init("output", "`checkpointEvery`", default: "rounds/10", allowed: "1…10⁶",
              meaning: "write `checkpoint.bin` every k rounds and at the end"),
    ]
}
