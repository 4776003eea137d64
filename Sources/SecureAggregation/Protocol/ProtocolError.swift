/// Why a protocol message was rejected or a round could not produce its sum.
package enum ProtocolError: Error, Equatable, CustomStringConvertible {
    /// A message did not parse (truncated, padded, a field out of range).
    case malformed
    /// A message's header names another round.
    case wrongRound(expected: UInt64, got: UInt64)
    /// A message arrived at a step where it does not belong.
    case wrongStep(expected: MessageStep, got: UInt8)
    /// A message names a sender that is not in this round's roster.
    case unknownClient(UInt32)
    /// A second message from the same client at the same step (a replay).
    case duplicate(client: UInt32, step: MessageStep)
    /// A sealed message failed authentication (tampered, or sealed under another key).
    case authentication(client: UInt32)
    /// Fewer than the threshold remained at a step.
    case tooFewSurvivors(step: MessageStep, survivors: Int, threshold: Int)
    /// A dropped client's key or a survivor's self-mask seed could not be reconstructed.
    case cannotReconstruct(client: UInt32, shares: Int, threshold: Int)
    /// The protocol asked a client to reveal both secrets of one neighbour; it refused (and dropped).
    case unsafeRequest(String)
    /// A signature by `client` did not verify: advertised keys swapped or forged, or a consistency
    /// signature forged, over another survivor set or from another round (malicious-server variant).
    case invalidSignature(client: UInt32)
    /// A consistency signature came from a client outside the survivor set it claims to vouch for.
    case notASurvivor(signer: UInt32)
    /// Too few holders of `neighbour`'s shares signed the survivor set this client was shown: the server
    /// showed clients different sets, so the client reveals nothing.
    case inconsistentSurvivors(neighbour: UInt32, signatures: Int, threshold: Int)
    case crypto(CryptoError)

    /// A protocol error from whatever a step threw (its own checks or a cryptographic failure).
    init(_ error: any Error) {
        switch error {
        case let error as ProtocolError: self = error
        case let error as CryptoError: self = .crypto(error)
        default: self = .malformed
        }
    }

    package var description: String {
        switch self {
        case .malformed: "a message did not parse"
        case let .wrongRound(expected, got): "a message for round \(got) arrived in round \(expected)"
        case let .wrongStep(expected, got): "a message for step \(got) arrived at step \(expected.rawValue) (\(expected))"
        case let .unknownClient(id): "a message from client \(id), which is not in this round"
        case let .duplicate(client, step): "a second \(step) message from client \(client)"
        case let .authentication(client): "a message from client \(client) failed authentication"
        case let .tooFewSurvivors(step, survivors, threshold):
            "only \(survivors) clients survived \(step), below the threshold of \(threshold)"
        case let .cannotReconstruct(client, shares, threshold):
            "client \(client)'s secret has \(shares) shares, below the threshold of \(threshold)"
        case let .unsafeRequest(why): "unsafe unmasking request: \(why)"
        case let .invalidSignature(client): "a signature by client \(client) did not verify"
        case let .notASurvivor(signer): "a consistency signature by client \(signer), which is not in the survivor set"
        case let .inconsistentSurvivors(neighbour, signatures, threshold):
            "only \(signatures) of client \(neighbour)'s neighbours signed this survivor set, below the threshold of \(threshold)"
        case let .crypto(error): "\(error)"
        }
    }
}

/// The four steps of SecAgg (Bonawitz et al. 2017, Fig. 4), in order.
package enum SecureAggregationStep: Int, Sendable, Codable, CaseIterable, CustomStringConvertible {
    /// Each client sends two X25519 public keys (share encryption, masking).
    case advertiseKeys
    /// Each client sends its neighbours, encrypted, Shamir shares of its masking key and self-mask seed.
    case shareKeys
    /// Each client sends its quantised input plus its self mask and ± pairwise masks.
    case maskedInput
    /// Survivors reveal shares: self-mask seeds of survivors, masking keys of the dropped. Under the
    /// malicious-server model a consistency check comes first (`MessageStep.consistencyCheck`); a client
    /// that drops at unmasking sends nothing in either.
    case unmasking

    package var description: String {
        switch self {
        case .advertiseKeys: "advertiseKeys"
        case .shareKeys: "shareKeys"
        case .maskedInput: "maskedInput"
        case .unmasking: "unmasking"
        }
    }
}
