import Kernels

/// A task whose users can carry canaries: what `privacy.audit` needs from a task to measure what a run
/// memorises (a language task's canary is a random sentence; speech would need synthesised utterances).
///
/// The round never sees this protocol: canaries enter through the population (`CanaryPopulation`) and
/// are scored once after training (`CanaryAudit`), so an audited run trains exactly as any other.
package protocol CanaryAuditable: FederatedTask {
    associatedtype Canary: Sendable

    /// A fresh random canary of `words` words drawn from `stream`: the same draw for every canary and
    /// candidate, so all come from one randomness space (what exposure ranks within).
    func makeCanary(words: Int, using stream: inout RandomStream) -> Canary

    /// `user` with `canary` added `repetitions` times, placed so local training always uses it.
    func inserting(_ canary: Canary, repetitions: Int, into user: User) -> User

    /// The model's log-perplexity of each canary (−log-likelihood in nats, lower: more likely), in order.
    func logPerplexities(of canaries: [Canary], model: Model) -> [Double]
}
