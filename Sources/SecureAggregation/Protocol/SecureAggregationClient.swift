/// One client's side of SecAgg / SecAgg+ (Bonawitz et al. 2017, Fig. 4; Bell et al. 2020, Alg. 2):
/// it holds its two X25519 key pairs, its self-mask seed and the shares its neighbours gave it, and
/// answers each server message with its own. Any check that fails throws: the client aborts, which
/// the server sees as a dropout.
///
/// Under the malicious-server model (`SecureAggregationThreatModel`) it also holds a long-term
/// Ed25519 key and the others' verification keys: it signs what it advertises, checks every
/// neighbour's signature before using its keys, signs the survivor set it is shown, and reveals
/// nothing until `ConsistencyCheck` passes.
///
/// Wire formats (little-endian; every message inside an `Envelope` on the client's channel; σ only
/// under the malicious-server model):
/// - advertiseKeys → server: c_pk (32) ‖ s_pk (32) ‖ σ(advertised keys) (64)
/// - server → shareKeys: n ‖ (id ‖ c_pk ‖ s_pk ‖ σ)ⁿ for the neighbours that advertised
/// - shareKeys → server: n ‖ (v ‖ len ‖ AES-GCM(u ‖ v ‖ share of s_sk ‖ share of b))ⁿ
/// - server → maskedInput: n ‖ (v ‖ len ‖ ciphertext from v)ⁿ
/// - maskedInput → server: the masked vector, bit-packed
/// - server → consistencyCheck: n ‖ idsⁿ of clients whose masked input arrived (U3)
/// - consistencyCheck → server: σ(session, U3) (64)
/// - server → unmasking: semi-honest, n ‖ idsⁿ (U3); malicious-server, m ‖ (signer ‖ σ)ᵐ
/// - unmasking → server: n ‖ (v ‖ kind ‖ share)ⁿ, kind 0 = v's self-mask seed, 1 = v's masking key
package final class SecureAggregationClient: @unchecked Sendable {
    // @unchecked: a client is driven by one thread at a time (the session runs each step for all
    // clients in parallel, one task per client, with a barrier between steps).
    package let id: UInt32
    private let parameters: SecureAggregationParameters
    private let channelKey: [UInt8]
    private let encryptionKey: KeyAgreementPrivateKey
    private let maskingKey: KeyAgreementPrivateKey
    private var selfMaskSeed: [UInt8]
    /// The long-term identity and the PKI (malicious-server model only).
    private let signingKey: SigningPrivateKey?
    private let verificationKeys: PublicKeyInfrastructure?
    /// The survivor set this client signed at the consistency check (it signs one, once).
    private var signedSurvivors: [UInt32]?
    /// The advertised keys of the neighbours that took part in advertiseKeys.
    private var neighbourKeys: [UInt32: (encryption: [UInt8], masking: [UInt8])] = [:]
    /// The key that encrypts shares with each neighbour, agreed once in shareKeys and reused to open theirs.
    private var shareKeys: [UInt32: [UInt8]] = [:]
    /// Shares the client holds, by the neighbour who made them (exactly N(u) ∩ U2).
    private var heldShares: [UInt32: (maskingKey: SecretShare, selfMaskSeed: SecretShare)] = [:]
    /// Whether the client has already revealed shares (it answers one unmasking request, once).
    private var revealed = false
    /// Bytes this client put on and took off the wire, and the CPU time it spent in the protocol.
    package private(set) var bytesSent = 0
    package private(set) var bytesReceived = 0
    package private(set) var computeSeconds = 0.0
    /// The part of those three spent on the consistency check: its request and signature, the
    /// forwarded signatures (the malicious-server unmasking request) and verifying them.
    package private(set) var consistencyBytesSent = 0
    package private(set) var consistencyBytesReceived = 0
    package private(set) var consistencyComputeSeconds = 0.0

    /// - Parameters:
    ///   - channelKey: the key of this client's channel with the server (see `Envelope`).
    ///   - signingKey: the client's long-term Ed25519 key; required under the malicious-server model.
    ///   - verificationKeys: every client's verification key; required under the malicious-server model.
    package init(id: UInt32, parameters: SecureAggregationParameters, channelKey: [UInt8],
                 signingKey: SigningPrivateKey? = nil, verificationKeys: PublicKeyInfrastructure? = nil) throws(ProtocolError) {
        precondition(parameters.threatModel == .semiHonest || (signingKey != nil && verificationKeys != nil),
                     "the malicious-server model needs a signing key and the PKI")
        self.id = id
        self.parameters = parameters
        self.channelKey = channelKey
        self.signingKey = parameters.threatModel == .maliciousServer ? signingKey : nil
        self.verificationKeys = parameters.threatModel == .maliciousServer ? verificationKeys : nil
        let start = ThreadCPUClock.seconds()
        do {
            encryptionKey = try KeyAgreementPrivateKey()
            maskingKey = try KeyAgreementPrivateKey()
            selfMaskSeed = try SecureRandom.bytes(MaskExpander.seedCount)
        } catch { throw .crypto(error) }
        computeSeconds += ThreadCPUClock.seconds() - start
    }

    deinit {
        cleanse(&selfMaskSeed)
        for v in shareKeys.keys { cleanse(&shareKeys[v]!) }
    }

    private var round: UInt64 { parameters.round }
    private var neighbours: [UInt32] { parameters.graph.neighbours(of: id) }

    // MARK: - Step 0: advertise keys

    /// Sends the two public keys (share encryption, masking), signed under the malicious-server model.
    package func advertiseKeys() throws(ProtocolError) -> Envelope {
        try timed { () throws(ProtocolError) in
            var payload = encryptionKey.publicKey + maskingKey.publicKey
            if let signingKey {
                let statement = SignedStatement.advertisedKeys(session: round, client: id, encryption: encryptionKey.publicKey,
                                                               masking: maskingKey.publicKey)
                do throws(CryptoError) { payload += try signingKey.signature(for: statement) } catch { throw .crypto(error) }
            }
            return try send(payload, step: .advertiseKeys)
        }
    }

    // MARK: - Step 1: share keys

    /// Reads the neighbours' advertised keys — under the malicious-server model, after checking each
    /// one's signature: a swapped or forged key makes the client abort — and sends each, encrypted, its
    /// shares of this client's masking key and self-mask seed (t-of-|neighbours present|).
    package func shareKeys(roster: Envelope) throws(ProtocolError) -> Envelope {
        try timed { () throws(ProtocolError) in
            var reader = ByteReader(try receive(roster, step: .shareKeys))
            let allowed = Set(neighbours)
            for _ in 0..<Int(try reader.uint32()) {
                let v = try reader.uint32()
                let keys = (encryption: try reader.bytes(32), masking: try reader.bytes(32))
                guard allowed.contains(v), neighbourKeys[v] == nil else { throw .malformed }
                if let verificationKeys {
                    let signature = try reader.bytes(Signing.signatureCount)
                    let statement = SignedStatement.advertisedKeys(session: round, client: v, encryption: keys.encryption,
                                                                   masking: keys.masking)
                    let valid: Bool
                    do throws(CryptoError) { valid = try verificationKeys.isValid(signature, by: v, over: statement) } catch { throw .crypto(error) }
                    guard valid else { throw .invalidSignature(client: v) }
                }
                neighbourKeys[v] = keys
            }
            try reader.finish()
            let holders = neighbourKeys.keys.sorted()
            guard holders.count >= parameters.threshold else {
                throw .tooFewSurvivors(step: .advertiseKeys, survivors: holders.count, threshold: parameters.threshold)
            }
            let points = holders.map(UInt64.init)
            do {
                var secret = try maskingKey.rawPrivateKey()
                defer { cleanse(&secret) }
                let keyShares = try ShamirSharing.split(secret, threshold: parameters.threshold, points: points)
                let seedShares = try ShamirSharing.split(selfMaskSeed, threshold: parameters.threshold, points: points)
                var writer = ByteWriter()
                writer.append(UInt32(holders.count))
                for (index, v) in holders.enumerated() {
                    var plaintext = ByteWriter()
                    plaintext.append(id)
                    plaintext.append(v)
                    plaintext.append(keyShares[index])
                    plaintext.append(seedShares[index])
                    var secret = try encryptionKey.sharedSecret(with: neighbourKeys[v]!.encryption)
                    let key = try KeyPurpose.shareKey(secret: secret, round: round, id, v)
                    cleanse(&secret)
                    shareKeys[v] = key
                    writer.append(v)
                    writer.append(block: try AuthenticatedEncryption.seal(plaintext.bytes, key: key,
                                                                          associatedData: Self.shareAssociatedData(round, from: id, to: v)))
                }
                return try send(writer.bytes, step: .shareKeys)
            } catch {
                throw ProtocolError(error)
            }
        }
    }

    // MARK: - Step 2: masked input

    /// Opens the shares forwarded from neighbours, then masks `input` in place —
    /// y = x + PRG(b_u) + Σ_{v>u} PRG(s_uv) − Σ_{v<u} PRG(s_uv) over the neighbours that shared — and
    /// sends it bit-packed. Any share that fails to open aborts the client: it cannot know who tampered.
    package func maskedInput(forwardedShares: Envelope, input: UnsafeMutableBufferPointer<UInt32>,
                             expander: borrowing MaskExpander) throws(ProtocolError) -> Envelope {
        precondition(input.count == parameters.vectorLength)
        let start = ThreadCPUClock.seconds()
        defer { computeSeconds += ThreadCPUClock.seconds() - start }
        var reader = ByteReader(try receive(forwardedShares, step: .maskedInput))
        let keyChunks = ShamirSharing.chunkCount(secretBytes: 32), seedChunks = ShamirSharing.chunkCount(secretBytes: MaskExpander.seedCount)
        do {
            for _ in 0..<Int(try reader.uint32()) {
                let v = try reader.uint32()
                let box = try reader.block()
                guard let key = shareKeys[v], heldShares[v] == nil else { throw ProtocolError.malformed }
                let plaintext: [UInt8]
                do {
                    plaintext = try AuthenticatedEncryption.open(box, key: key, associatedData: Self.shareAssociatedData(round, from: v, to: id))
                } catch { throw ProtocolError.authentication(client: v) }
                var inner = ByteReader(plaintext)
                guard try inner.uint32() == v, try inner.uint32() == id else { throw ProtocolError.malformed }
                let keyShare = try inner.share(chunks: keyChunks), seedShare = try inner.share(chunks: seedChunks)
                try inner.finish()
                guard keyShare.x == UInt64(id), seedShare.x == UInt64(id) else { throw ProtocolError.malformed }
                heldShares[v] = (keyShare, seedShare)
            }
            try reader.finish()
            guard heldShares.count >= parameters.threshold else {
                throw ProtocolError.tooFewSurvivors(step: .shareKeys, survivors: heldShares.count, threshold: parameters.threshold)
            }
            var masks: [(seed: [UInt8], sign: MaskExpander.Sign)] = [(selfMaskSeed, .plus)]
            for v in heldShares.keys.sorted() {
                var secret = try maskingKey.sharedSecret(with: neighbourKeys[v]!.masking)
                defer { cleanse(&secret) }
                masks.append((try KeyPurpose.maskSeed(secret: secret, round: round, id, v), KeyPurpose.pairSign(client: id, neighbour: v)))
            }
            try expander.apply(masks, to: input, bits: parameters.bits)
            for index in masks.indices { cleanse(&masks[index].seed) }
        } catch {
            throw ProtocolError(error)
        }
        let packed = BitPacking.pack(UnsafeBufferPointer(input), bits: parameters.bits)
        return try send(packed, step: .maskedInput)
    }

    // MARK: - Step 3a: consistency check (malicious-server model)

    /// Signs (session, U3) for the survivor set the server shows it, after the checks unmasking makes
    /// (at least t survivors, this client among them); it signs one set, once.
    package func consistencyCheck(request: Envelope) throws(ProtocolError) -> Envelope {
        guard let signingKey else { throw .wrongStep(expected: .unmasking, got: request.step) }
        let start = ThreadCPUClock.seconds(), received = bytesReceived, sent = bytesSent
        defer {
            let spent = ThreadCPUClock.seconds() - start
            computeSeconds += spent
            consistencyComputeSeconds += spent
            consistencyBytesReceived += bytesReceived - received
            consistencyBytesSent += bytesSent - sent
        }
        let survivors = try readSurvivorSet(try receive(request, step: .consistencyCheck))
        guard signedSurvivors == nil else { throw .unsafeRequest("a second consistency check") }
        signedSurvivors = survivors
        let signature: [UInt8]
        do throws(CryptoError) { signature = try signingKey.signature(for: SignedStatement.survivorSet(session: round, survivors: survivors)) } catch {
            throw .crypto(error)
        }
        return try send(signature, step: .consistencyCheck)
    }

    // MARK: - Step 3: unmasking

    /// Reveals, for each neighbour that shared with it, the share of its self-mask seed if its masked
    /// input arrived, else the share of its masking key — never both for one neighbour, and only once.
    /// Under the malicious-server model "arrived" means in the set this client signed, and it reveals
    /// nothing unless the forwarded signatures pass `ConsistencyCheck.verify`.
    package func unmask(request: Envelope) throws(ProtocolError) -> Envelope {
        try timed { () throws(ProtocolError) in
            let payload = try receive(request, step: .unmasking)
            guard !revealed else { throw .unsafeRequest("a second unmasking request") }
            let survivors: Set<UInt32>
            if let verificationKeys {
                // The whole request is the forwarded signatures: its bytes and checking it are the check's cost.
                let start = ThreadCPUClock.seconds()
                defer { consistencyComputeSeconds += ThreadCPUClock.seconds() - start }
                consistencyBytesReceived += request.byteCount
                guard let signed = signedSurvivors else { throw .unsafeRequest("unmasking before a consistency check") }
                var reader = ByteReader(payload)
                var signatures: [SurvivorSignature] = []
                for _ in 0..<Int(try reader.uint32()) {
                    signatures.append(SurvivorSignature(signer: try reader.uint32(), signature: try reader.bytes(Signing.signatureCount)))
                }
                try reader.finish()
                try ConsistencyCheck.verify(signatures, survivors: signed, session: round, revealingFor: heldShares.keys.sorted(),
                                            graph: parameters.graph, threshold: parameters.threshold, verificationKeys: verificationKeys)
                survivors = Set(signed)
            } else {
                survivors = Set(try readSurvivorSet(payload))
            }
            revealed = true
            var writer = ByteWriter()
            writer.append(UInt32(heldShares.count))
            for v in heldShares.keys.sorted() {
                let survived = survivors.contains(v)
                writer.append(v)
                writer.append(UInt8(survived ? 0 : 1))
                writer.append(survived ? heldShares[v]!.selfMaskSeed : heldShares[v]!.maskingKey)
            }
            return try send(writer.bytes, step: .unmasking)
        }
    }

    /// U3 as the server states it (n ‖ idsⁿ, increasing), after checking it holds at least t clients,
    /// this one among them.
    private func readSurvivorSet(_ payload: [UInt8]) throws(ProtocolError) -> [UInt32] {
        var reader = ByteReader(payload)
        let count = Int(try reader.uint32())
        guard count <= parameters.clientCount else { throw .malformed }
        var survivors: [UInt32] = []
        for _ in 0..<count {
            let v = try reader.uint32()
            guard (1...UInt32(parameters.clientCount)).contains(v), v > (survivors.last ?? 0) else { throw .malformed }
            survivors.append(v)
        }
        try reader.finish()
        guard survivors.count >= parameters.threshold else {
            throw .tooFewSurvivors(step: .maskedInput, survivors: survivors.count, threshold: parameters.threshold)
        }
        guard survivors.contains(id) else { throw .unsafeRequest("this client's own input is not among the survivors") }
        return survivors
    }

    // MARK: - Channel

    private func send(_ payload: [UInt8], step: MessageStep) throws(ProtocolError) -> Envelope {
        let envelope = try Envelope.seal(payload, key: channelKey, round: round, step: step, sender: id, recipient: Envelope.serverID)
        bytesSent += envelope.byteCount
        return envelope
    }

    private func receive(_ envelope: Envelope, step: MessageStep) throws(ProtocolError) -> [UInt8] {
        bytesReceived += envelope.byteCount
        guard envelope.sender == Envelope.serverID, envelope.recipient == id else { throw .malformed }
        return try envelope.open(key: channelKey, round: round, step: step)
    }

    private func timed<T>(_ body: () throws(ProtocolError) -> T) throws(ProtocolError) -> T {
        let start = ThreadCPUClock.seconds()
        defer { computeSeconds += ThreadCPUClock.seconds() - start }
        return try body()
    }

    static func shareAssociatedData(_ round: UInt64, from u: UInt32, to v: UInt32) -> [UInt8] {
        var writer = ByteWriter()
        writer.append(round)
        writer.append(u)
        writer.append(v)
        return writer.bytes
    }
}
