import Kernels
import Learning
import Privacy
import SecureAggregation
import Synchronization

/// One round's secure aggregation, from the federated side: it decides who drops where (from the
/// run's keyed streams), quantises each client's processed update into the ring, drives the protocol
/// session, and turns the secure sum back into the round's `Aggregate`.
///
/// Real-valued updates are randomly rotated first (`RandomRotation`, shared by the round's clients),
/// so the ring's scale is set by a rotated coordinate's bound, C·√(2 ln(2/β)/B), not by C; the
/// integer DP mechanisms' updates go into the ring as they are. Clients quantise with stochastic
/// rounding keyed by (seed, round, user), dropouts are drawn the
/// same way, and the ring sum does not depend on the order inputs arrive: so a run with secure
/// aggregation is as bit-reproducible as one without, even though every key is fresh randomness.
package final class SecureAggregationRound: @unchecked Sendable {
    // @unchecked: the per-client slots are written once each, by the thread running that client,
    // and read after the round's barrier; the session synchronises itself.
    package let session: SecureAggregationSession
    private let quantization: RingQuantization
    /// Nil for the integer mechanisms, whose integers are summed as they are.
    private let rotation: RandomRotation?
    private let layout: ParameterLayout
    private let tensorRanges: [Range<Int>]
    private let clipBound: Double?
    private let context: RoundContext
    private var weights: [Double]
    private var withinClipBound: [Bool?]
    /// Per-thread encoding workspaces, taken by `submit` and returned after.
    private let workspaces = Mutex<[EncodingWorkspace]>([])

    /// Sets the round up and runs the protocol's first two steps (key advertisement and sharing),
    /// which on devices happen before training.
    ///
    /// - Parameters:
    ///   - privacy: the run's DP step, if any: its clip bound bounds the values; the integer
    ///     mechanisms' values are already integers and their summed noise needs headroom.
    ///   - forcedDropouts: steps at which clients drop regardless of the dropout rates (a device that
    ///     refused the task or did not report in simulated time), by cohort position; the earlier of
    ///     this and the drawn step applies.
    package init(configuration c: SecureAggregationConfiguration, context: RoundContext, layout: ParameterLayout,
                 privacy: DifferentialPrivacy?, forcedDropouts: [SecureAggregationStep?]? = nil, pool: ThreadPool) throws {
        let n = context.cohortSize
        self.context = context
        self.layout = layout
        tensorRanges = layout.entries.map(\.range)
        clipBound = privacy == nil ? (c.clipBound ?? 1) : nil  // with DP, its step has clipped already
        var rotationStream = RandomStream(seed: context.seed, keys: [0x5EC_2074, UInt64(context.round)])
        rotation = privacy?.configuration.mechanism.isInteger == true ? nil
            : RandomRotation(dimension: layout.count, stream: &rotationStream)
        quantization = try Self.ringQuantization(c, cohortSize: n, expectedCohort: context.expectedCohortSize,
                                                 dimension: layout.count, privacy: privacy?.configuration,
                                                 clipBound: privacy?.clipBound ?? c.clipBound ?? 1)
        var graphStream = RandomStream(seed: context.seed, keys: [0x5EC_A66, UInt64(context.round)])
        // k and t: Bell et al.'s bound unless the scenario sets k (SecureAggregationConfiguration.graphParameters).
        let choice = c.graphParameters(clientCount: n, plannedDropouts: forcedDropouts?.count { $0 != nil } ?? 0)
        let graph: MaskingGraph = choice.complete ? .complete(clientCount: n)
            : .harary(clientCount: n, degree: choice.degree, stream: &graphStream)
        let fromBound = !choice.complete && c.neighbours == nil
        let parameters = SecureAggregationParameters(
            round: UInt64(context.round), graph: graph,
            threshold: fromBound ? choice.threshold : SecureAggregationDefaults.threshold(degree: graph.degree, fraction: c.thresholdFraction),
            vectorLength: rotation?.paddedDimension ?? layout.count, bits: c.bits, threatModel: c.threatModel)
        let dropouts = (0..<n).map { position -> SecureAggregationStep? in
            var stream = RandomStream(seed: context.seed, keys: [0x5EC_D409, UInt64(context.round), UInt64(position)])
            let drawn = SecureAggregationStep.allCases.first { stream.bernoulli(c.dropoutRates[$0.rawValue]) }
            guard let forced = forcedDropouts?[position] else { return drawn }
            return drawn.map { min($0.rawValue, forced.rawValue) }.flatMap(SecureAggregationStep.init(rawValue:)) ?? forced
        }
        session = try SecureAggregationSession(parameters: parameters, dropouts: dropouts, pool: pool)
        weights = Array(repeating: 0, count: n)
        withinClipBound = Array(repeating: nil, count: n)
        session.setUp()
    }

    /// The ring encoding for a cohort of `cohortSize`: rotated values within their bound (see the type),
    /// scaled so that the cohort's sum cannot wrap. For the integer DP mechanisms the values are already integers (scale
    /// 1) and the ring must also hold the summed noise, to 14 standard deviations (a wrap then has
    /// probability below 10⁻⁴⁴ per coordinate).
    package static func ringQuantization(_ c: SecureAggregationConfiguration, cohortSize n: Int, expectedCohort: Double,
                                         dimension: Int, privacy: PrivacyConfiguration?, clipBound: Double)
        throws(QuantizationError) -> RingQuantization {
        guard let privacy, privacy.mechanism.isInteger else {
            return try RingQuantization.forSum(bits: c.bits, contributors: n,
                                               valueBound: RandomRotation.coordinateBound(l2Bound: clipBound, dimension: dimension))
        }
        let scale = PrivacyConfiguration.integerScale(bound: clipBound, dimension: dimension)
        let share = PrivacyConfiguration.integerShare(noiseMultiplier: privacy.noiseMultiplier, dimension: dimension,
                                                      expectedCohort: expectedCohort)
        return try RingQuantization.forSum(bits: c.bits, contributors: n, valueBound: scale * clipBound + 1,
                                           noiseMargin: 14 * share * Double(n).squareRoot(), integerValues: true)
    }

    /// Bytes of the masked vector one client uploads: the (rotated, padded) update bit-packed in the ring.
    package static func maskedInputBytes(_ c: SecureAggregationConfiguration, layout: ParameterLayout,
                                         privacy: PrivacyConfiguration?) -> Int {
        let length = privacy?.mechanism.isInteger == true ? layout.count
            : RandomRotation.paddedDimension(dimension: layout.count)
        return BitPacking.byteCount(elements: length, bits: c.bits)
    }

    /// Whether the client at `position` is still in the round, so it trains.
    package func isTraining(_ position: Int) -> Bool { session.isTraining(position) }

    /// Quantises the client's processed update and submits it through the protocol, on the client's
    /// own thread right after its training (so it overlaps the other threads' training). It works in a
    /// workspace from the round's free list — one per thread at a time, reused across clients — so no
    /// client allocates its own vectors.
    package func submit(_ update: ClientUpdate) {
        let position = update.cohortPosition
        weights[position] = update.weight
        withinClipBound[position] = update.withinClipBound
        var stream = RandomStream(seed: context.seed, keys: [0x5EC_0A47, UInt64(context.round), UInt64(update.userIndex)])
        let roundingSeed = RingQuantization.roundingSeed(&stream)
        let workspace: EncodingWorkspace
        if let free = workspaces.withLock({ $0.popLast() }) { workspace = free } else {
            guard let made = try? EncodingWorkspace(ringLength: session.parameters.vectorLength,
                                                   valueLength: rotation?.paddedDimension ?? layout.count) else { return }
            workspace = made  // OpenSSL could not make a cipher context: the client drops
        }
        defer { workspaces.withLock { $0.append(workspace) } }
        // The update is copied into the workspace (clipping works in place) and rotated there.
        let dimension = layout.count
        let values = UnsafeMutableBufferPointer(rebasing: workspace.values[0..<dimension])
        update.delta.withUnsafeBufferPointer { _ = values.update(fromContentsOf: $0) }
        if let clipBound { _ = UpdateClipping.flatL2(bound: clipBound).clip(values, tensorRanges: tensorRanges) }
        var input = UnsafeBufferPointer(values)
        if let rotation {
            rotation.rotateInPlace(workspace.values)
            input = UnsafeBufferPointer(workspace.values)
        }
        do {
            try quantization.encode(input, into: workspace.ring, roundingSeed: roundingSeed, expander: workspace.mask.expander)
        } catch {
            return  // OpenSSL failed on this client: it drops
        }
        session.submit(position, input: workspace.ring)
    }

    /// Unmasks and decodes the sum: the aggregate of exactly the clients whose input arrived, or nil
    /// if the protocol failed (too few survivors), in which case the report says why.
    package func finish() -> Aggregate? {
        guard case let .success(ring) = session.finish() else { return nil }
        var aggregate = Aggregate(layout: layout)
        var decoded = [Float](repeating: 0, count: ring.count)
        decoded.withUnsafeMutableBufferPointer { decoded in
            ring.withUnsafeBufferPointer { quantization.decode($0, into: decoded) }
            aggregate.sum.withUnsafeMutableBufferPointer { values in
                if let rotation { rotation.unrotate(decoded, into: values) } else { _ = values.update(fromContentsOf: decoded) }
            }
        }
        for id in session.includedClients.sorted() {
            aggregate.count(weight: weights[Int(id) - 1], withinClipBound: withinClipBound[Int(id) - 1])
        }
        aggregate.normaliser = aggregate.totalWeight
        return aggregate
    }

    package var report: SecureAggregationReport { session.report }
}

extension SecureAggregationRound: UpdateAggregator {
    /// Nothing to do in cohort order: each input was masked and sent by `submit` on its client's thread,
    /// and the protocol's sum does not depend on the order inputs arrive.
    package func add(_ update: ClientUpdate) {}

    package var secureAggregationReport: SecureAggregationReport? { report }
}

/// One thread's vectors for encoding a client's update: its (rotated, padded) float values and its
/// ring elements, allocated once and reused by every client the thread encodes, with a mask expander.
final class EncodingWorkspace: @unchecked Sendable {
    // @unchecked: used by one thread at a time (taken from and returned to a Mutex-guarded list).
    let ring: UnsafeMutableBufferPointer<UInt32>
    let values: UnsafeMutableBufferPointer<Float>
    let mask: MaskWorkspace

    init(ringLength: Int, valueLength: Int) throws(CryptoError) {
        mask = try MaskWorkspace()
        // Both are overwritten whole before they are read.
        ring = .allocate(capacity: ringLength)
        values = .allocate(capacity: valueLength)
    }

    deinit {
        ring.deallocate()
        values.deallocate()
    }
}
