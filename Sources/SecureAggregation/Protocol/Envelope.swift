/// One protocol message on the wire: a clear header and a body sealed with AES-256-GCM under the
/// sender's channel key, the header as associated data.
///
/// The channel models the authenticated, encrypted link (TLS in deployments) that Bonawitz et al.
/// assume between each client and the server. Because the header is authenticated, a message
/// replayed from another round or step, redirected to another recipient, or changed in any byte
/// fails to open; a sender outside the roster has no channel key at all.
package struct Envelope: Sendable, Equatable {
    package static let serverID: UInt32 = 0
    static let version: UInt8 = 1
    /// version, round, step, sender, recipient.
    package static let headerCount = 1 + 8 + 1 + 4 + 4

    package var round: UInt64
    package var step: UInt8
    package var sender: UInt32
    package var recipient: UInt32
    /// nonce ‖ ciphertext ‖ tag.
    package var sealedBody: [UInt8]

    /// Bytes on the wire.
    package var byteCount: Int { Self.headerCount + sealedBody.count }

    var header: [UInt8] {
        var writer = ByteWriter(capacity: Self.headerCount)
        writer.append(Self.version)
        writer.append(round)
        writer.append(step)
        writer.append(sender)
        writer.append(recipient)
        return writer.bytes
    }

    /// The envelope of `payload` from `sender` to `recipient` at `step`, sealed under the channel `key`.
    package static func seal(_ payload: [UInt8], key: [UInt8], round: UInt64, step: MessageStep,
                             sender: UInt32, recipient: UInt32) throws(ProtocolError) -> Envelope {
        var envelope = Envelope(round: round, step: step.rawValue, sender: sender, recipient: recipient, sealedBody: [])
        do {
            envelope.sealedBody = try AuthenticatedEncryption.seal(payload, key: key, associatedData: envelope.header)
        } catch { throw .crypto(error) }
        return envelope
    }

    /// The payload, after checking that the header is for this round and step and that the body opens.
    package func open(key: [UInt8], round expectedRound: UInt64, step expectedStep: MessageStep)
        throws(ProtocolError) -> [UInt8] {
        guard round == expectedRound else { throw .wrongRound(expected: expectedRound, got: round) }
        guard step == expectedStep.rawValue else { throw .wrongStep(expected: expectedStep, got: step) }
        do {
            return try AuthenticatedEncryption.open(sealedBody, key: key, associatedData: header)
        } catch {
            throw .authentication(client: sender)
        }
    }
}

/// The HKDF `info` strings that bind each derived key to its purpose, round and parties.
enum KeyPurpose {
    static func info(_ label: String, round: UInt64, _ first: UInt32, _ second: UInt32 = 0) -> [UInt8] {
        var writer = ByteWriter()
        writer.append(bytes: Array("murmur secagg \(label)".utf8))
        writer.append(round)
        writer.append(first)
        writer.append(second)
        return writer.bytes
    }

    /// The key of client `id`'s channel with the server, from their X25519 secret.
    static func channelKey(secret: [UInt8], round: UInt64, client id: UInt32) throws(CryptoError) -> [UInt8] {
        try KeyDerivation.hkdfSHA256(secret: secret, info: info("channel", round: round, id),
                                     outputCount: AuthenticatedEncryption.keyCount)
    }

    /// The key that encrypts shares between u and v (the same both ways).
    static func shareKey(secret: [UInt8], round: UInt64, _ u: UInt32, _ v: UInt32) throws(CryptoError) -> [UInt8] {
        try KeyDerivation.hkdfSHA256(secret: secret, info: info("shares", round: round, min(u, v), max(u, v)),
                                     outputCount: AuthenticatedEncryption.keyCount)
    }

    /// The seed of the pairwise mask between u and v.
    static func maskSeed(secret: [UInt8], round: UInt64, _ u: UInt32, _ v: UInt32) throws(CryptoError) -> [UInt8] {
        try KeyDerivation.hkdfSHA256(secret: secret, info: info("mask", round: round, min(u, v), max(u, v)),
                                     outputCount: MaskExpander.seedCount)
    }

    /// Client u adds PRG(s_uv) towards higher ids and subtracts it towards lower ones, so each pair cancels.
    static func pairSign(client u: UInt32, neighbour v: UInt32) -> MaskExpander.Sign { u < v ? .plus : .minus }
}
