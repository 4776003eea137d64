/// One client's side of SecAgg / SecAgg+ (Bonawitz et al. 2017, Fig. 4; Bell et al. 2020, Alg. 2):
/// it holds its two X25519 key pairs, its self-mask seed and the shares its neighbours gave it, and
/// answers each server message with its own. Any check that fails throws: the client aborts, which
/// the server sees as a dropout.
///
/// Wire formats (little-endian; every message inside an `Envelope` on the client's channel):
/// - advertiseKeys → server: c_pk (32) ‖ s_pk (32)
/// - server → shareKeys: n ‖ (id ‖ c_pk ‖ s_pk)ⁿ for the neighbours that advertised
/// - shareKeys → server: n ‖ (v ‖ len ‖ AES-GCM(u ‖ v ‖ share of s_sk ‖ share of b))ⁿ
/// - server → maskedInput: n ‖ (v ‖ len ‖ ciphertext from v)ⁿ
/// - maskedInput → server: the masked vector, bit-packed
/// - server → unmasking: n ‖ idsⁿ of clients whose masked input arrived
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

    /// - Parameter channelKey: the key of this client's channel with the server (see `Envelope`).
    package init(id: UInt32, parameters: SecureAggregationParameters, channelKey: [UInt8]) throws(ProtocolError) {
        self.id = id
        self.parameters = parameters
        self.channelKey = channelKey
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

    /// Sends the two public keys (share encryption, masking).
    package func advertiseKeys() throws(ProtocolError) -> Envelope {
        try timed { () throws(ProtocolError) in
            try send(encryptionKey.publicKey + maskingKey.publicKey, step: .advertiseKeys)
        }
    }

    // MARK: - Step 1: share keys

    /// Reads the neighbours' advertised keys and sends each, encrypted, its shares of this client's
    /// masking key and self-mask seed (t-of-|neighbours present|).
    package func shareKeys(roster: Envelope) throws(ProtocolError) -> Envelope {
        try timed { () throws(ProtocolError) in
            var reader = ByteReader(try receive(roster, step: .shareKeys))
            let allowed = Set(neighbours)
            for _ in 0..<Int(try reader.uint32()) {
                let v = try reader.uint32()
                let keys = (encryption: try reader.bytes(32), masking: try reader.bytes(32))
                guard allowed.contains(v), neighbourKeys[v] == nil else { throw .malformed }
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

    // MARK: - Step 3: unmasking

    /// Reveals, for each neighbour that shared with it, the share of its self-mask seed if its masked
    /// input arrived, else the share of its masking key — never both for one neighbour, and only once.
    package func unmask(request: Envelope) throws(ProtocolError) -> Envelope {
        try timed { () throws(ProtocolError) in
            var reader = ByteReader(try receive(request, step: .unmasking))
            var survivors = Set<UInt32>()
            for _ in 0..<Int(try reader.uint32()) { survivors.insert(try reader.uint32()) }
            try reader.finish()
            guard !revealed else { throw .unsafeRequest("a second unmasking request") }
            guard survivors.count >= parameters.threshold else {
                throw .tooFewSurvivors(step: .maskedInput, survivors: survivors.count, threshold: parameters.threshold)
            }
            guard survivors.contains(id) else { throw .unsafeRequest("this client's own input is not among the survivors") }
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

    // MARK: - Channel

    private func send(_ payload: [UInt8], step: SecureAggregationStep) throws(ProtocolError) -> Envelope {
        let envelope = try Envelope.seal(payload, key: channelKey, round: round, step: step, sender: id, recipient: Envelope.serverID)
        bytesSent += envelope.byteCount
        return envelope
    }

    private func receive(_ envelope: Envelope, step: SecureAggregationStep) throws(ProtocolError) -> [UInt8] {
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
