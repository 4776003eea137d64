import Kernels
import Synchronization

/// The server's side of SecAgg / SecAgg+: it relays keys and encrypted shares, sums masked inputs
/// as they arrive, and in the end reconstructs what it needs to remove the masks — survivors' self-
/// mask seeds, dropped clients' masking keys — from at least t shares each (Bonawitz et al. 2017,
/// Fig. 4, round 4). Under the malicious-server model it also checks the clients' signatures on
/// their keys, runs the consistency check (round 3: U3 out, signatures in, signatures forwarded) and
/// asks only the clients that signed to unmask.
///
/// Every message is checked before it counts: this round, this step, a sender on the roster that
/// completed the previous step, no second message per step, and a body that authenticates (and, where
/// signed, a valid signature). A message that fails is recorded and its sender treated as dropped for
/// that step and after. An `adversary` makes the server lie where the hooks say (tests only).
package final class SecureAggregationServer: Sendable {
    let parameters: SecureAggregationParameters
    private let channelKeys: [UInt32: [UInt8]]
    let verificationKeys: PublicKeyInfrastructure?
    let adversary: ServerAdversary?
    /// Internal, not private, for the consistency check's extension (SecureAggregationServer+ConsistencyCheck.swift).
    let state = Mutex(State())

    struct State: ~Copyable {
        /// U1: clients whose keys arrived, with those keys and their signatures (empty if unsigned).
        var advertised: [UInt32: (encryption: [UInt8], masking: [UInt8], signature: [UInt8])] = [:]
        /// U2: clients whose shares arrived, with the boxes they address to each neighbour.
        var shareBoxes: [UInt32: [UInt32: [UInt8]]] = [:]
        /// U2 as a set, fixed once shares are collected (every masked input is checked against it).
        var sharers = Set<UInt32>()
        /// U3: clients whose masked input is in the sum.
        var maskedInputs = Set<UInt32>()
        /// The survivor set the server stated to each client (U3 itself, unless it lies).
        var claimed: [UInt32: [UInt32]] = [:]
        /// U4 (malicious-server model): the clients whose consistency signature arrived, with it.
        var consistencySignatures: [UInt32: [UInt8]] = [:]
        var consistencyChecked = false
        /// U5: the shares each responding client revealed, by the client they belong to.
        var revealedSeedShares: [UInt32: [SecretShare]] = [:]
        var revealedKeyShares: [UInt32: [SecretShare]] = [:]
        var responders = Set<UInt32>()
        /// Senders already heard from (accepted or not) at each step.
        var heard: [Set<UInt32>] = Array(repeating: [], count: MessageStep.allCases.count)
        var rejections: [ProtocolError] = []
        var computeSeconds = 0.0
        var bytesSent = 0
        /// The consistency check's share of the two above (its requests and the forwarded signatures).
        var consistencyComputeSeconds = 0.0
        var consistencyBytesSent = 0
    }

    /// - Parameters:
    ///   - channelKeys: each enrolled client's channel key (the roster; anyone else is unknown).
    ///   - verificationKeys: the PKI; required under the malicious-server model.
    ///   - adversary: where the server lies (tests of the malicious-server variant); nil is honest.
    package init(parameters: SecureAggregationParameters, channelKeys: [UInt32: [UInt8]],
                 verificationKeys: PublicKeyInfrastructure? = nil, adversary: ServerAdversary? = nil) {
        precondition(parameters.threatModel == .semiHonest || verificationKeys != nil, "the malicious-server model needs the PKI")
        self.parameters = parameters
        self.channelKeys = channelKeys
        self.verificationKeys = parameters.threatModel == .maliciousServer ? verificationKeys : nil
        self.adversary = adversary
    }

    var signed: Bool { verificationKeys != nil }

    var round: UInt64 { parameters.round }
    var threshold: Int { parameters.threshold }

    /// Messages rejected so far, with the reason.
    package var rejections: [ProtocolError] { state.withLock { $0.rejections } }
    /// CPU seconds the server has spent, summed over its threads.
    package var computeSeconds: Double { state.withLock { $0.computeSeconds } }
    /// Bytes the server has sent.
    package var bytesSent: Int { state.withLock { $0.bytesSent } }
    /// The consistency check's part of `computeSeconds` and `bytesSent`.
    package var consistencyComputeSeconds: Double { state.withLock { $0.consistencyComputeSeconds } }
    package var consistencyBytesSent: Int { state.withLock { $0.consistencyBytesSent } }

    /// The clients that completed each step so far, as the server saw it: advertiseKeys, shareKeys,
    /// maskedInput (U3, whose inputs are summed) and unmasking (the clients that revealed shares).
    package var survivors: [Set<UInt32>] {
        state.withLock { state in
            [Set(state.advertised.keys), Set(state.shareBoxes.keys), state.maskedInputs, state.responders]
        }
    }

    /// The clients whose consistency signature the server accepted (U4), nil before the check ran or
    /// without one (semi-honest model).
    package var consistencySigners: Set<UInt32>? {
        state.withLock { $0.consistencyChecked ? Set($0.consistencySignatures.keys) : nil }
    }

    /// How many shares of client `v`'s self-mask seed and of its masking key the server was given.
    package func revealedShareCounts(of v: UInt32) -> (selfMaskSeed: Int, maskingKey: Int) {
        state.withLock { ($0.revealedSeedShares[v]?.count ?? 0, $0.revealedKeyShares[v]?.count ?? 0) }
    }

    /// The clients the server could unmask individually: it holds at least t shares of both their
    /// self-mask seed and their masking key. Empty in every run the protocol protects.
    package var exposedClients: Set<UInt32> {
        state.withLock { state in
            Set(state.revealedSeedShares.keys.filter { v in
                (state.revealedSeedShares[v]?.count ?? 0) >= threshold && (state.revealedKeyShares[v]?.count ?? 0) >= threshold
            })
        }
    }

    // MARK: - Step 0: collect keys, send each client its neighbours' keys

    /// Accepts the advertised keys (U1) and returns, for each client in U1, the keys of its neighbours in
    /// U1; throws if fewer than the threshold advertised.
    package func collectAdvertisedKeys(_ envelopes: [Envelope]) throws(ProtocolError) -> [Envelope] {
        try timed { () throws(ProtocolError) in
            for envelope in envelopes {
                guard let payload = accept(envelope, step: .advertiseKeys, from: nil) else { continue }
                guard payload.count == (signed ? 64 + Signing.signatureCount : 64) else { reject(.malformed); continue }
                let keys = (Array(payload[0..<32]), Array(payload[32..<64]), Array(payload[64...]))
                if let verificationKeys {
                    let statement = SignedStatement.advertisedKeys(session: round, client: envelope.sender, encryption: keys.0,
                                                                   masking: keys.1)
                    guard (try? verificationKeys.isValid(keys.2, by: envelope.sender, over: statement)) == true else {
                        reject(.invalidSignature(client: envelope.sender))
                        continue
                    }
                }
                state.withLock { $0.advertised[envelope.sender] = keys }
            }
            let advertised = state.withLock { $0.advertised }
            try require(advertised.count, after: .advertiseKeys)
            return try advertised.keys.sorted().map { (u) throws(ProtocolError) in
                var entries = parameters.graph.neighbours(of: u).compactMap { v in
                    advertised[v].map { AdvertisedKeys(client: v, encryption: $0.encryption, masking: $0.masking, signature: $0.signature) }
                }
                if let lie = adversary?.advertisedKeys { entries = lie(u, entries) }
                var writer = ByteWriter()
                writer.append(UInt32(entries.count))
                for entry in entries {
                    writer.append(entry.client)
                    writer.append(bytes: entry.encryption)
                    writer.append(bytes: entry.masking)
                    if signed { writer.append(bytes: entry.signature) }
                }
                return try send(writer.bytes, to: u, step: .shareKeys)
            }
        }
    }

    // MARK: - Step 1: collect encrypted shares, forward them

    /// Accepts each client's encrypted shares — exactly one box per neighbour in U1 — (U2) and returns,
    /// for each client in U2, the boxes addressed to it by its neighbours in U2.
    package func collectShares(_ envelopes: [Envelope]) throws(ProtocolError) -> [Envelope] {
        try timed { () throws(ProtocolError) in
            let advertised = state.withLock { $0.advertised }
            for envelope in envelopes {
                guard let payload = accept(envelope, step: .shareKeys, from: Set(advertised.keys)) else { continue }
                let u = envelope.sender
                do {
                    var reader = ByteReader(payload)
                    var boxes: [UInt32: [UInt8]] = [:]
                    for _ in 0..<Int(try reader.uint32()) {
                        let v = try reader.uint32()
                        boxes[v] = try reader.block()
                    }
                    try reader.finish()
                    // Exactly one box for each neighbour that advertised keys.
                    let expected = Set(parameters.graph.neighbours(of: u).filter { advertised[$0] != nil })
                    guard Set(boxes.keys) == expected else { throw ProtocolError.malformed }
                    state.withLock { $0.shareBoxes[u] = boxes }
                } catch {
                    reject(ProtocolError(error))
                }
            }
            let shared = state.withLock { state in
                state.sharers = Set(state.shareBoxes.keys)
                return state.shareBoxes
            }
            try require(shared.count, after: .shareKeys)
            return try shared.keys.sorted().map { (u) throws(ProtocolError) in
                var writer = ByteWriter()
                let senders = parameters.graph.neighbours(of: u).filter { shared[$0] != nil }
                writer.append(UInt32(senders.count))
                for v in senders {
                    writer.append(v)
                    writer.append(block: shared[v]![u]!)
                }
                return try send(writer.bytes, to: u, step: .maskedInput)
            }
        }
    }

    // MARK: - Step 2: sum masked inputs as they arrive (thread-safe)

    /// Checks one masked input and, if it is good, adds it into `accumulator`; false if rejected.
    @discardableResult
    package func receiveMaskedInput(_ envelope: Envelope, into accumulator: RingAccumulator) -> Bool {
        let start = ThreadCPUClock.seconds()
        defer { let spent = ThreadCPUClock.seconds() - start; state.withLock { $0.computeSeconds += spent } }
        let sharers = state.withLock { $0.sharers }
        guard let payload = accept(envelope, step: .maskedInput, from: sharers) else { return false }
        guard payload.count == BitPacking.byteCount(elements: parameters.vectorLength, bits: parameters.bits) else {
            reject(.malformed)
            return false
        }
        let sum = accumulator.sum
        payload.withUnsafeBytes { bytes in
            if parameters.bits == 32 {
                // Whole words on the wire: add them straight from the message.
                for index in 0..<sum.count { sum[index] &+= bytes.loadUnaligned(fromByteOffset: 4 &* index, as: UInt32.self) }
            } else if parameters.bits == 16 {
                for index in 0..<sum.count { sum[index] &+= UInt32(bytes.loadUnaligned(fromByteOffset: 2 &* index, as: UInt16.self)) }
            } else {
                _ = BitPacking.unpack(bytes, bits: parameters.bits, into: accumulator.scratch)
                let input = accumulator.scratch
                for index in 0..<sum.count { sum[index] &+= input[index] }
            }
        }
        _ = state.withLock { $0.maskedInputs.insert(envelope.sender) }
        return true
    }

    // MARK: - Step 3: ask survivors for shares, reconstruct, unmask

    /// Reads the revealed shares, reconstructs every secret needed, removes all masks from the
    /// accumulated sum and returns Σ x_u mod 2^bits over exactly the clients whose masked input arrived.
    package func finish(unmaskingResponses: [Envelope], accumulators: [RingAccumulator], pool: ThreadPool)
        throws(ProtocolError) -> [UInt32] {
        let seeds = try timed { () throws(ProtocolError) in try unmaskingSeeds(unmaskingResponses) }
        let length = parameters.vectorLength
        var total = [UInt32](repeating: 0, count: length)
        // Slices start on AES blocks, so each thread expands only its part of every mask.
        let alignment = MaskExpander.sliceAlignment(bits: parameters.bits)
        let parts = max(1, min(pool.threadCount, length / alignment))
        let failure = Mutex<CryptoError?>(nil)
        total.withUnsafeMutableBufferPointer { total in
            pool.forEachDynamically(count: parts) { part, _ in
                let start = ThreadCPUClock.seconds()
                let lower = (length / alignment) * part / parts * alignment
                let upper = part == parts - 1 ? length : (length / alignment) * (part + 1) / parts * alignment
                let slice = UnsafeMutableBufferPointer(rebasing: total[lower..<upper])
                for accumulator in accumulators {
                    for index in lower..<upper { slice[index - lower] &+= accumulator.sum[index] }
                }
                do throws(CryptoError) {
                    let expander = try MaskExpander()
                    try expander.apply(seeds, to: slice, startElement: lower, bits: parameters.bits)
                } catch {
                    failure.withLock { $0 = error }
                }
                let spent = ThreadCPUClock.seconds() - start
                state.withLock { $0.computeSeconds += spent }
            }
        }
        if let error = failure.withLock({ $0 }) { throw .crypto(error) }
        let mask: UInt32 = parameters.bits == 32 ? .max : (1 << UInt32(parameters.bits)) - 1
        for index in total.indices { total[index] &= mask }
        return total
    }

    /// The masks to remove: −PRG(b_v) for each survivor v, and for each dropped v the opposite of
    /// every surviving neighbour's ±PRG(s_uv).
    private func unmaskingSeeds(_ responses: [Envelope]) throws(ProtocolError) -> [(seed: [UInt8], sign: MaskExpander.Sign)] {
        let (survivors, shared, advertised, claimed) = state.withLock { ($0.maskedInputs, $0.shareBoxes, $0.advertised, $0.claimed) }
        let eligible = signed ? Set(state.withLock { $0.consistencySignatures.keys }) : survivors
        let keyChunks = ShamirSharing.chunkCount(secretBytes: 32), seedChunks = ShamirSharing.chunkCount(secretBytes: MaskExpander.seedCount)
        for envelope in responses {
            guard let payload = accept(envelope, step: .unmasking, from: eligible) else { continue }
            let u = envelope.sender
            let told = Set(claimed[u] ?? [])
            do {
                var reader = ByteReader(payload)
                var seedShares: [(UInt32, SecretShare)] = [], keyShares: [(UInt32, SecretShare)] = []
                for _ in 0..<Int(try reader.uint32()) {
                    let v = try reader.uint32()
                    let kind = try reader.uint8()
                    // A client may only reveal, for a neighbour that shared with it, the secret its status calls for.
                    guard shared[v]?[u] != nil, kind == (told.contains(v) ? 0 : 1) else { throw ProtocolError.malformed }
                    let share = try reader.share(chunks: kind == 0 ? seedChunks : keyChunks)
                    guard share.x == UInt64(u) else { throw ProtocolError.malformed }
                    if kind == 0 { seedShares.append((v, share)) } else { keyShares.append((v, share)) }
                }
                try reader.finish()
                state.withLock { state in
                    state.responders.insert(u)
                    for (v, share) in seedShares { state.revealedSeedShares[v, default: []].append(share) }
                    for (v, share) in keyShares { state.revealedKeyShares[v, default: []].append(share) }
                }
            } catch {
                reject(ProtocolError(error))
            }
        }
        let (seedShares, keyShares, responders) = state.withLock { ($0.revealedSeedShares, $0.revealedKeyShares, $0.responders) }
        try require(responders.count, after: .unmasking)
        var seeds: [(seed: [UInt8], sign: MaskExpander.Sign)] = []
        for v in survivors.sorted() {
            let shares = (seedShares[v] ?? []).sorted { $0.x < $1.x }
            do {
                seeds.append((try ShamirSharing.reconstruct(shares, threshold: threshold, byteCount: MaskExpander.seedCount), .minus))
            } catch {
                throw .cannotReconstruct(client: v, shares: shares.count, threshold: threshold)
            }
        }
        for v in shared.keys.sorted() where !survivors.contains(v) {
            let shares = (keyShares[v] ?? []).sorted { $0.x < $1.x }
            let key: KeyAgreementPrivateKey
            do {
                var raw = try ShamirSharing.reconstruct(shares, threshold: threshold, byteCount: 32)
                defer { cleanse(&raw) }
                key = try KeyAgreementPrivateKey(rawPrivateKey: raw)
            } catch {
                throw .cannotReconstruct(client: v, shares: shares.count, threshold: threshold)
            }
            // The reconstructed key must be the one v advertised: wrong shares cannot pass unnoticed.
            guard key.publicKey == advertised[v]?.masking else {
                throw .cannotReconstruct(client: v, shares: shares.count, threshold: threshold)
            }
            for u in parameters.graph.neighbours(of: v) where survivors.contains(u) {
                do {
                    var secret = try key.sharedSecret(with: advertised[u]!.masking)
                    defer { cleanse(&secret) }
                    let seed = try KeyPurpose.maskSeed(secret: secret, round: round, u, v)
                    // u applied pairSign(u, v); remove it with the opposite sign.
                    seeds.append((seed, KeyPurpose.pairSign(client: u, neighbour: v) == .plus ? .minus : .plus))
                } catch {
                    throw .crypto(error)
                }
            }
        }
        return seeds
    }

    // MARK: - Checks and channel

    /// The payload of `envelope` if it may count at `step` (see the type's comment), else nil after
    /// recording why. `eligible` is who completed the previous step (nil: anyone on the roster).
    func accept(_ envelope: Envelope, step: MessageStep, from eligible: Set<UInt32>?) -> [UInt8]? {
        let sender = envelope.sender
        guard let key = channelKeys[sender], eligible?.contains(sender) ?? true else {
            reject(.unknownClient(sender))
            return nil
        }
        guard envelope.recipient == Envelope.serverID else {
            reject(.malformed)
            return nil
        }
        let firstTime = state.withLock { $0.heard[Int(step.rawValue)].insert(sender).inserted }
        guard firstTime else {
            reject(.duplicate(client: sender, step: step))
            return nil
        }
        do {
            return try envelope.open(key: key, round: round, step: step)
        } catch {
            reject(error)
            return nil
        }
    }

    func reject(_ error: ProtocolError) {
        state.withLock { $0.rejections.append(error) }
    }

    func require(_ count: Int, after step: MessageStep) throws(ProtocolError) {
        guard count >= threshold else { throw .tooFewSurvivors(step: step, survivors: count, threshold: threshold) }
    }

    func send(_ payload: [UInt8], to client: UInt32, step: MessageStep, consistency: Bool = false) throws(ProtocolError) -> Envelope {
        let envelope = try Envelope.seal(payload, key: channelKeys[client]!, round: round, step: step,
                                         sender: Envelope.serverID, recipient: client)
        state.withLock { state in
            state.bytesSent += envelope.byteCount
            if consistency { state.consistencyBytesSent += envelope.byteCount }
        }
        return envelope
    }

    /// `timed`, also counting the time as the consistency check's.
    func consistencyTimed<T>(_ body: () throws(ProtocolError) -> T) throws(ProtocolError) -> T {
        let start = ThreadCPUClock.seconds()
        defer {
            let spent = ThreadCPUClock.seconds() - start
            state.withLock { state in
                state.computeSeconds += spent
                state.consistencyComputeSeconds += spent
            }
        }
        return try body()
    }

    func timed<T>(_ body: () throws(ProtocolError) -> T) throws(ProtocolError) -> T {
        let start = ThreadCPUClock.seconds()
        defer { let spent = ThreadCPUClock.seconds() - start; state.withLock { $0.computeSeconds += spent } }
        return try body()
    }
}
