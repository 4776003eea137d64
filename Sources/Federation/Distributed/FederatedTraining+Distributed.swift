import Foundation
import Kernels
import Learning
import SecureAggregation

extension FederatedTraining {
    /// The cohort training of a round spread over `group`'s ranks, with the result bit for bit that of
    /// one process (`trainCohort`): each rank trains the positions `CohortSplit` gives it on its own
    /// threads; the other ranks send each processed update (weighted and clipped as on one process) to
    /// rank 0 as it finishes, in the rank's cohort order; rank 0 adds every update to the aggregator in
    /// cohort order — its own and the received ones interleaved — so the float sum is taken in exactly
    /// the one-process order. The aggregate and the cohort's statistics are then broadcast, and every
    /// rank runs the same server step on the same bits (privacy noise comes from keyed streams).
    ///
    /// Before training, the ranks compare a hash of the model they start from, so replicas that drifted
    /// apart (different CPUs or builds) stop the run rather than silently differ.
    ///
    /// Secure aggregation: the protocol's key steps run on every rank (their randomness is keyed), and
    /// rank 0 hosts every client's masking party, so its sum is the one-process sum; ranks share only
    /// the training. Rank 0 masks its own clients on its training threads and the received ones on this
    /// thread, never more at once than its pool has threads (the session's accumulators, one a thread).
    func trainCohortDistributed(_ plan: RoundPlan<Task.LocalData>, partial: PartialRound?, context: RoundContext,
                                aggregator: DistributedAggregator, group: any ProcessGroup) throws -> ClientStatistics {
        let c = configuration
        let global = parameters
        // The round's first collective: the same model everywhere, rank 0 still running, stop requests.
        try DistributedRun.enterRound(group, fingerprint: global.withUnsafeBufferPointer(Self.fingerprint), round: context.round)

        let split = CohortSplit(ranks: group.size)
        let count = plan.cohort.count
        let trains = (0..<count).map { aggregator.isTraining($0) && plan.fates[$0] == .reported }
        let mine = split.positions(of: group.rank, cohortSize: count).filter { trains[$0] }
        let mailbox = UpdateMailbox<ClientUpdate>(window: 2 * pool.threadCount + 2)
        let isRoot = group.rank == 0
        // Rank 0 submits from its training threads and, for the other ranks' updates, from this one; a
        // secure aggregator has one ring accumulator per pool thread, so at most that many submit at once.
        let submitting = DispatchSemaphore(value: pool.threadCount)
        let submit = { (update: ClientUpdate) in
            submitting.wait()
            aggregator.submit(update)
            submitting.signal()
        }
        // The training threads run beside this one, which alone talks to the other ranks.
        let job = UncheckedSendable {
            self.pool.forEachDynamically(count: mine.count) { ordinal, worker in
                mailbox.waitForRoom(ordinal)
                let position = mine[ordinal]
                var update = self.trainers[worker].train(
                    plan.data[position], userIndex: plan.cohort[position], cohortPosition: position, global: global,
                    configuration: c.client, round: context.round, seed: c.seed, partial: partial,
                    measuringTensorNorms: c.recordsTensorNorms)
                self.privacy?.processClient(&update, context: context)
                if isRoot { submit(update) }
                mailbox.put(update, at: ordinal)
            }
        }
        // On an error this thread returns at once (the command line then ends the job); the training
        // thread is left waiting for room that never comes.
        let finished = DispatchSemaphore(value: 0)
        let thread = Thread { job.body(); finished.signal() }
        thread.stackSize = 16 << 20
        thread.start()

        var statistics = ClientStatistics()
        var header = [UInt64](repeating: 0, count: UpdateHeader.words)
        if isRoot {
            var received = ParameterSet(layout: updateLayout)
            for position in 0..<count where trains[position] {
                let owner = split.owner(of: position)
                var update: ClientUpdate
                if owner == 0 {
                    update = mailbox.takeNext()
                } else {
                    try header.withUnsafeMutableBytes { bytes in try group.receive(into: bytes, from: owner, tag: 0) }
                    try received.withUnsafeMutableBufferPointer { values in
                        try group.receive(into: UnsafeMutableRawBufferPointer(values), from: owner, tag: 0)
                    }
                    update = try UpdateHeader.decode(header, delta: received, position: position, round: context.round)
                    if c.recordsTensorNorms {
                        // The client's tensor norms follow its vector (output.tensorNorms): one Double a tensor.
                        var norms = [Double](repeating: 0, count: updateLayout.entries.count)
                        try norms.withUnsafeMutableBytes { bytes in try group.receive(into: bytes, from: owner, tag: 0) }
                        (update.statistics.tensorNormSums, update.statistics.tensorNormMaxima) = (norms, norms)
                        update.statistics.tensorNormClients = 1
                    }
                    submit(update)
                }
                statistics.add(update.statistics)
                aggregator.add(update)
            }
        } else {
            for _ in mine {
                let update = mailbox.takeNext()
                header = UpdateHeader.encode(update)
                try header.withUnsafeBytes { bytes in try group.send(bytes, to: 0, tag: 0) }
                try update.delta.withUnsafeBufferPointer { values in
                    try group.send(UnsafeRawBufferPointer(values), to: 0, tag: 0)
                }
                if c.recordsTensorNorms {
                    try update.statistics.tensorNormSums.withUnsafeBytes { bytes in try group.send(bytes, to: 0, tag: 0) }
                }
            }
        }
        finished.wait()
        try aggregator.share(statistics: &statistics, layout: updateLayout)
        return statistics
    }

    /// A 64-bit hash of the float bits (not cryptographic: it tells replicas apart, nothing more).
    private static func fingerprint(_ values: UnsafeBufferPointer<Float>) -> UInt64 {
        var hash: UInt64 = 0x9E37_79B9_7F4A_7C15
        for value in values { hash = (hash ^ UInt64(value.bitPattern)) &* 0x0000_0100_0000_01B3 }
        return hash
    }
}

/// The aggregator of a distributed round: on rank 0 it passes everything to the round's aggregator;
/// at the end of the cohort it broadcasts rank 0's aggregate, so every rank's `finish` returns it.
package final class DistributedAggregator: UpdateAggregator {
    private let inner: any UpdateAggregator
    private let group: any ProcessGroup
    private var shared: Aggregate?
    private var isShared = false

    package init(wrapping inner: any UpdateAggregator, group: any ProcessGroup) {
        self.inner = inner
        self.group = group
    }

    package func isTraining(_ position: Int) -> Bool { inner.isTraining(position) }
    package func submit(_ update: ClientUpdate) { inner.submit(update) }
    package func add(_ update: ClientUpdate) { inner.add(update) }
    package var secureAggregationReport: SecureAggregationReport? { inner.secureAggregationReport }

    package func finish() -> Aggregate? {
        precondition(isShared, "DistributedAggregator: finish before the cohort was shared")
        return shared
    }

    /// Rank 0 finishes the round's aggregator and broadcasts the aggregate and `statistics`; the
    /// other ranks receive them.
    func share(statistics: inout ClientStatistics, layout: ParameterLayout) throws {
        let aggregate = group.rank == 0 ? inner.finish() : nil
        // Header: present, totalWeight, contributors, normaliser, countWithinClipBound, then the statistics.
        var words = [UInt64](repeating: 0, count: 10)
        if let aggregate {
            words[0] = 1
            words[1] = aggregate.totalWeight.bitPattern
            words[2] = UInt64(aggregate.contributors)
            words[3] = aggregate.normaliser.bitPattern
            words[4] = aggregate.countWithinClipBound.bitPattern
        }
        words[5] = statistics.lossSum.bitPattern
        words[6] = UInt64(statistics.lossTargets)
        words[7] = UInt64(statistics.targets)
        words[8] = UInt64(statistics.examples)
        words[9] = UInt64(statistics.steps)
        try broadcastWords(&words)
        statistics.lossSum = Double(bitPattern: words[5])
        statistics.lossTargets = Int(words[6])
        statistics.targets = Int(words[7])
        statistics.examples = Int(words[8])
        statistics.steps = Int(words[9])
        shared = nil
        isShared = true
        guard words[0] == 1 else { return }
        var sum = aggregate?.sum ?? ParameterSet(layout: layout)
        try broadcastVector(&sum)
        var result = Aggregate(layout: ParameterLayout())
        result.sum = sum
        result.totalWeight = Double(bitPattern: words[1])
        result.contributors = Int(words[2])
        result.normaliser = Double(bitPattern: words[3])
        result.countWithinClipBound = Double(bitPattern: words[4])
        shared = result
    }

    private func broadcastWords(_ words: inout [UInt64]) throws {
        let group = self.group
        try words.withUnsafeMutableBytes { bytes in try group.broadcast(bytes, root: 0) }
    }

    private func broadcastVector(_ vector: inout ParameterSet) throws {
        let group = self.group
        try vector.withUnsafeMutableBufferPointer { values in try group.broadcast(UnsafeMutableRawBufferPointer(values), root: 0) }
    }
}

/// The fixed-size header sent before each client's update vector: what `ClientUpdate` holds besides
/// the vector, as nine 64-bit words.
enum UpdateHeader {
    static let words = 9

    static func encode(_ update: ClientUpdate) -> [UInt64] {
        let clip: UInt64 = switch update.withinClipBound { case nil: 0; case false?: 1; case true?: 2 }
        let s = update.statistics
        return [UInt64(update.cohortPosition), UInt64(update.userIndex), update.weight.bitPattern, clip,
                s.lossSum.bitPattern, UInt64(s.lossTargets), UInt64(s.targets), UInt64(s.examples), UInt64(s.steps)]
    }

    static func decode(_ words: [UInt64], delta: ParameterSet, position: Int, round: Int) throws(DistributedError) -> ClientUpdate {
        guard Int(words[0]) == position else {
            throw .unexpectedMessage(round: round, position: position, detail: "the update received is position \(words[0])'s")
        }
        var statistics = ClientStatistics()
        statistics.lossSum = Double(bitPattern: words[4])
        (statistics.lossTargets, statistics.targets, statistics.examples, statistics.steps) =
            (Int(words[5]), Int(words[6]), Int(words[7]), Int(words[8]))
        var update = ClientUpdate(cohortPosition: position, userIndex: Int(words[1]), delta: delta,
                                  weight: Double(bitPattern: words[2]), statistics: statistics)
        update.withinClipBound = words[3] == 0 ? nil : words[3] == 2
        return update
    }
}

/// A closure handed to another thread whose captures the caller keeps alive and does not touch until
/// the thread signals it is done.
private struct UncheckedSendable: @unchecked Sendable {
    let body: () -> Void
}
