import Kernels
import Synchronization

/// The network between clients and server: given a message in flight, what arrives (nothing, the
/// message, a changed one, or it and a replay). Tests use it to tamper; the default delivers.
package typealias MessageInterceptor = @Sendable (Envelope) -> [Envelope]

/// One secure-aggregation instance over a cohort: enrols the clients (a channel key each with the
/// server), runs the four steps with clients dropping where `dropouts` says, and returns the sum of
/// exactly the inputs that arrived, or why there is none. Under the malicious-server model (the
/// parameters' default) clients sign with long-term Ed25519 keys — the caller's, or fresh ones the
/// session makes, standing in for a PKI — and a consistency check runs before unmasking.
///
/// It is split so that training fits between the steps, as on devices: `setUp()` runs advertiseKeys
/// and shareKeys, `submit` masks and uploads one client's input (clients in parallel, on the caller's
/// threads), `finish()` runs unmasking and reconstructs. Which clients survive is decided by
/// `dropouts` and by the checks, never by thread timing, so the sum is deterministic.
package final class SecureAggregationSession: @unchecked Sendable {
    // @unchecked: `clients` and `forwarded` are written in setUp (one task per slot, then a barrier)
    // and only read after; `submit` touches one client per call; the rest is behind Mutexes.
    package let parameters: SecureAggregationParameters
    private let pool: ThreadPool
    private let dropouts: [SecureAggregationStep?]
    private let interceptor: MessageInterceptor?
    package let server: SecureAggregationServer
    private var clients: [SecureAggregationClient?]
    private var forwarded: [Envelope?]
    private let accumulators: [RingAccumulator]
    private let freeAccumulators: Mutex<[RingAccumulator]>
    /// Mask expanders (keystream workspace and cipher contexts) handed to `submit`'s threads, one in
    /// use per thread, so masking allocates nothing per client.
    private let freeExpanders = Mutex<[MaskWorkspace]>([])
    package private(set) var failure: ProtocolError?
    /// Why each client that aborted after enrolment did so (a failed check, or no message for it): the
    /// first reason only.
    private let aborts = Mutex<[UInt32: ProtocolError]>([:])

    /// - Parameters:
    ///   - dropouts: for each client (id − 1), the step at which it drops (sends nothing from that step
    ///     on), or nil.
    ///   - signingKeys: each client's long-term Ed25519 key (by id − 1) under the malicious-server
    ///     model; nil makes fresh ones (their verification keys form the PKI handed to every client).
    ///   - adversary: a server that lies where the hooks say (tests); nil is an honest server.
    package init(parameters: SecureAggregationParameters, dropouts: [SecureAggregationStep?], pool: ThreadPool,
                 interceptor: MessageInterceptor? = nil, signingKeys: [SigningPrivateKey]? = nil,
                 adversary: ServerAdversary? = nil) throws(ProtocolError) {
        precondition(dropouts.count == parameters.clientCount)
        precondition(signingKeys == nil || signingKeys!.count == parameters.clientCount)
        self.parameters = parameters
        self.pool = pool
        self.dropouts = dropouts
        self.interceptor = interceptor
        let n = parameters.clientCount
        let malicious = parameters.threatModel == .maliciousServer
        // The long-term identities and the PKI that publishes them (malicious-server model only).
        var identities: [SigningPrivateKey]? = nil
        var pki: PublicKeyInfrastructure? = nil
        if malicious {
            let keys: [SigningPrivateKey]
            if let signingKeys { keys = signingKeys } else { keys = try Self.freshSigningKeys(count: n, pool: pool) }
            identities = keys
            var published: [UInt32: [UInt8]] = [:]
            for (index, key) in keys.enumerated() { published[UInt32(index + 1)] = key.publicKey }
            do { pki = try PublicKeyInfrastructure(verificationKeys: published) } catch { throw .crypto(error) }
        }
        // Enrolment: each client agrees a channel key with the server (the channel of a deployment),
        // and makes its two key pairs; in parallel, as the key generation is the bulk of it.
        let serverKey: KeyAgreementPrivateKey
        do { serverKey = try KeyAgreementPrivateKey() } catch { throw .crypto(error) }
        let enrolled = Mutex([(channelKey: [UInt8], client: SecureAggregationClient)?](repeating: nil, count: n))
        let enrolmentFailure = Mutex<ProtocolError?>(nil)
        pool.forEachDynamically(count: n) { index, _ in
            do throws(ProtocolError) {
                let id = UInt32(index + 1)
                var secret: [UInt8]
                do throws(CryptoError) { secret = try KeyAgreementPrivateKey().sharedSecret(with: serverKey.publicKey) } catch { throw .crypto(error) }
                defer { cleanse(&secret) }
                let channelKey: [UInt8]
                do throws(CryptoError) { channelKey = try KeyPurpose.channelKey(secret: secret, round: parameters.round, client: id) } catch { throw .crypto(error) }
                let client = try SecureAggregationClient(id: id, parameters: parameters, channelKey: channelKey,
                                                         signingKey: identities?[index], verificationKeys: pki)
                enrolled.withLock { $0[index] = (channelKey, client) }
            } catch {
                enrolmentFailure.withLock { $0 = error }
            }
        }
        if let error = enrolmentFailure.withLock({ $0 }) { throw error }
        let members = enrolled.withLock { $0.map { $0! } }
        var roster: [UInt32: [UInt8]] = [:]
        for (index, member) in members.enumerated() { roster[UInt32(index + 1)] = member.channelKey }
        server = SecureAggregationServer(parameters: parameters, channelKeys: roster, verificationKeys: pki, adversary: adversary)
        clients = members.map(\.client)
        forwarded = Array(repeating: nil, count: n)
        accumulators = (0..<pool.threadCount).map { _ in RingAccumulator(length: parameters.vectorLength) }
        freeAccumulators = Mutex(accumulators)
    }

    /// n fresh Ed25519 keys, made in parallel (the session's stand-in for clients' enrolled identities).
    private static func freshSigningKeys(count n: Int, pool: ThreadPool) throws(ProtocolError) -> [SigningPrivateKey] {
        let made = Mutex([SigningPrivateKey?](repeating: nil, count: n))
        let failure = Mutex<CryptoError?>(nil)
        pool.forEachDynamically(count: n) { index, _ in
            do throws(CryptoError) {
                let key = try SigningPrivateKey()
                made.withLock { $0[index] = key }
            } catch {
                failure.withLock { $0 = error }
            }
        }
        if let error = failure.withLock({ $0 }) { throw .crypto(error) }
        return made.withLock { $0.map { $0! } }
    }

    // MARK: - Steps

    /// advertiseKeys and shareKeys for every client; afterwards `isMasking` says who goes on.
    package func setUp() {
        let n = parameters.clientCount
        do throws(ProtocolError) {
            let advertisements = forEachClient(at: .advertiseKeys) { client, _ throws(ProtocolError) in try client.advertiseKeys() }
            let rosters = try server.collectAdvertisedKeys(deliver(advertisements))
            let byRecipient = index(deliver(rosters))
            let shares = forEachClient(at: .shareKeys) { client, index throws(ProtocolError) in
                guard let roster = byRecipient[UInt32(index + 1)] else { throw .unknownClient(UInt32(index + 1)) }
                return try client.shareKeys(roster: roster)
            }
            let forwards = index(deliver(try server.collectShares(deliver(shares))))
            for index in 0..<n { forwarded[index] = forwards[UInt32(index + 1)] }
        } catch {
            failure = error
        }
    }

    /// Whether client `index` (id − 1) is still in the round after setUp, so it trains: it may yet
    /// drop at maskedInput, after training.
    package func isTraining(_ index: Int) -> Bool {
        failure == nil && clients[index] != nil && forwarded[index] != nil
    }

    /// Client `index` masks `input` (its ring-encoded update, overwritten) and uploads it; the server
    /// checks it and adds it to the sum. Safe to call for different clients on different threads.
    package func submit(_ index: Int, input: UnsafeMutableBufferPointer<UInt32>) {
        guard isTraining(index), dropouts[index] != .maskedInput, let client = clients[index] else { return }
        let envelope: Envelope
        do throws(ProtocolError) {
            let workspace: MaskWorkspace
            if let free = freeExpanders.withLock({ $0.popLast() }) { workspace = free } else {
                do { workspace = try MaskWorkspace() } catch { throw .crypto(error) }
            }
            defer { freeExpanders.withLock { $0.append(workspace) } }
            envelope = try client.maskedInput(forwardedShares: forwarded[index]!, input: input, expander: workspace.expander)
        } catch {
            aborts.withLock { if $0[UInt32(index + 1)] == nil { $0[UInt32(index + 1)] = error } }
            return  // the client aborts: the server sees a dropout
        }
        for message in deliver([envelope]) {
            let accumulator = freeAccumulators.withLock { $0.removeLast() }
            server.receiveMaskedInput(message, into: accumulator)
            freeAccumulators.withLock { $0.append(accumulator) }
        }
    }

    /// The consistency check (malicious-server model), unmasking and reconstruction: the sum mod 2^bits
    /// of the inputs that arrived, or why not.
    package func finish() -> Result<[UInt32], ProtocolError> {
        if let failure { return .failure(failure) }
        do throws(ProtocolError) {
            if parameters.threatModel == .maliciousServer {
                let checks = index(deliver(try server.consistencyRequests()))
                let signatures = forEachClient(at: .unmasking) { client, index throws(ProtocolError) in
                    guard let request = checks[UInt32(index + 1)] else { throw .unknownClient(UInt32(index + 1)) }
                    return try client.consistencyCheck(request: request)
                }
                try server.collectConsistencySignatures(deliver(signatures))
            }
            let requests = index(deliver(try server.unmaskingRequests()))
            let responses = forEachClient(at: .unmasking) { client, index throws(ProtocolError) in
                guard let request = requests[UInt32(index + 1)] else { throw .unknownClient(UInt32(index + 1)) }
                return try client.unmask(request: request)
            }
            return .success(try server.finish(unmaskingResponses: deliver(responses), accumulators: accumulators, pool: pool))
        } catch {
            failure = error
            return .failure(error)
        }
    }

    /// The ids (1...n) whose inputs are in the sum.
    package var includedClients: Set<UInt32> { server.survivors[SecureAggregationStep.maskedInput.rawValue] }

    /// Why each client that aborted did so, by id: a check that failed (a bad signature, an
    /// inconsistent survivor set, an unsafe request) or a step with no message for it.
    package var clientAborts: [UInt32: ProtocolError] { aborts.withLock { $0 } }

    package var report: SecureAggregationReport {
        SecureAggregationReport(
            clients: parameters.clientCount, survivors: server.survivors.map(\.count), failure: failure.map { "\($0)" },
            rejectedMessages: server.rejections.count,
            bytesSent: clients.map { $0?.bytesSent ?? 0 }, bytesReceived: clients.map { $0?.bytesReceived ?? 0 },
            clientComputeSeconds: clients.map { $0?.computeSeconds ?? 0 },
            serverComputeSeconds: server.computeSeconds, serverBytesSent: server.bytesSent,
            threatModel: parameters.threatModel, consistencySigners: server.consistencySigners?.count,
            consistencyBytesSent: clients.map { $0?.consistencyBytesSent ?? 0 },
            consistencyBytesReceived: clients.map { $0?.consistencyBytesReceived ?? 0 },
            consistencyClientComputeSeconds: clients.map { $0?.consistencyComputeSeconds ?? 0 },
            consistencyServerComputeSeconds: server.consistencyComputeSeconds, consistencyServerBytesSent: server.consistencyBytesSent)
    }

    /// The rejections the server recorded (for tests and diagnostics).
    package var rejections: [ProtocolError] { server.rejections }

    // MARK: - Plumbing

    /// Runs `body` for every live client that does not drop at `step`, in parallel; a client whose
    /// step throws aborts (is removed). Returns the messages in client order.
    private func forEachClient(at step: SecureAggregationStep,
                               _ body: @escaping (SecureAggregationClient, Int) throws(ProtocolError) -> Envelope) -> [Envelope] {
        let n = parameters.clientCount
        let outcomes = Mutex([Envelope?](repeating: nil, count: n))
        let aborted = Mutex([Int]())
        pool.forEachDynamically(count: n) { index, _ in
            guard let client = clients[index] else { return }
            if let drop = dropouts[index], drop.rawValue <= step.rawValue { return }
            do throws(ProtocolError) {
                let envelope = try body(client, index)
                outcomes.withLock { $0[index] = envelope }
            } catch {
                aborted.withLock { $0.append(index) }
                aborts.withLock { if $0[UInt32(index + 1)] == nil { $0[UInt32(index + 1)] = error } }
            }
        }
        for index in aborted.withLock({ $0 }) { clients[index] = nil }
        return outcomes.withLock { $0.compactMap { $0 } }
    }

    private func deliver(_ envelopes: [Envelope]) -> [Envelope] {
        guard let interceptor else { return envelopes }
        return envelopes.flatMap(interceptor)
    }

    /// Server-to-client messages by recipient (the first one each, as a client reads one per step).
    private func index(_ envelopes: [Envelope]) -> [UInt32: Envelope] {
        var result: [UInt32: Envelope] = [:]
        for envelope in envelopes where result[envelope.recipient] == nil { result[envelope.recipient] = envelope }
        return result
    }
}

/// A `MaskExpander` in a class, so free lists can hold it (the expander itself is non-copyable).
package final class MaskWorkspace: @unchecked Sendable {
    // @unchecked: used by one thread at a time (taken from and returned to a Mutex-guarded list).
    package let expander: MaskExpander

    package init() throws(CryptoError) { expander = try MaskExpander() }
}
