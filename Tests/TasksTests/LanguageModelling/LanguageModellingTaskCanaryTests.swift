import Federation
import Kernels
import Learning
import Tasks
import Testing

/// The language task's canaries and the audit's placement of them: random words of the vocabulary, put
/// first in their host's sentences, only for the included canaries, the same on every call.
@Suite struct LanguageModellingTaskCanaryTests {
    static let task = LanguageModellingTask(configuration: .init(model: .lstm(.init(vocabularySize: 50, embeddingSize: 4,
                                                                                      hiddenSize: 8))))
    static let users = SyntheticPopulation(language: SyntheticLanguage(vocabularySize: 50, seed: 1), users: 30, seed: 2)

    @Test func canariesAreWordsOfTheVocabulary() {
        var stream = RandomStream(seed: 4)
        let canaries = (0..<200).map { _ in Self.task.makeCanary(words: 7, using: &stream) }
        #expect(canaries.allSatisfy { $0.count == 7 && $0.allSatisfy { (4..<50).contains($0) } })
        #expect(Set(canaries.joined()).count == 46)  // every word is drawn (1400 draws of 46)
    }

    @Test func insertionPutsTheCopiesFirst() throws {
        let user = try Self.users.user(at: 3)
        let carrier = Self.task.inserting([9, 8, 7], repetitions: 3, into: user)
        #expect(carrier.sentences == [[9, 8, 7], [9, 8, 7], [9, 8, 7]] + user.sentences && carrier.name == user.name)
    }

    @Test func onlyIncludedCanariesReachTheirHosts() throws {
        var configuration = CanaryAuditConfiguration(canaries: 12, delta: 1e-5, seed: 9)
        configuration.repetitions = 2
        let audit = CanaryAudit(task: Self.task, configuration: configuration, userCount: Self.users.userCount)
        #expect(Set(audit.hosts).count == 12 && audit.hosts.allSatisfy { (0..<30).contains($0) })
        #expect(audit.included.contains(true) && audit.included.contains(false))
        let again = CanaryAudit(task: Self.task, configuration: configuration, userCount: Self.users.userCount)
        #expect(again.hosts == audit.hosts && again.canaries == audit.canaries && again.included == audit.included)
        let population = audit.population(wrapping: Self.users)
        for index in 0..<30 {
            let (plain, seen) = (try Self.users.user(at: index), try population.user(at: index))
            if let canary = audit.hosts.firstIndex(of: index), audit.included[canary] {
                #expect(seen.sentences == [audit.canaries[canary], audit.canaries[canary]] + plain.sentences)
            } else {
                #expect(seen == plain)
            }
        }
    }

    @Test func logPerplexityIsTheRowsSummedLoss() {
        let model = Self.task.makeModel(seed: 1)
        let canary: [Int32] = [5, 6, 7]
        var evaluation = LanguageModelEvaluation()
        model.base.evaluate(SentenceRows(sentences: [canary], steps: 20).batch(rows: [0]), into: &evaluation, pool: nil)
        #expect(Self.task.logPerplexities(of: [canary, canary], model: model) == [evaluation.negativeLogLikelihood,
                                                                                  evaluation.negativeLogLikelihood])
        #expect(evaluation.tokens == 4)  // three words and <eos>
    }
}
