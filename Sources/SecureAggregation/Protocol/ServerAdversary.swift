/// A server that departs from the protocol where it can gain from lying, for tests of the malicious-
/// server variant: each hook sees what an honest server would send one client and returns what the
/// lying server sends instead. The envelopes are still sealed on the real channel, as a malicious
/// server would; only their content lies. Hooks left nil behave honestly.
package struct ServerAdversary: Sendable {
    /// advertiseKeys → shareKeys: the neighbours' keys (and signatures) relayed to `recipient`.
    package var advertisedKeys: (@Sendable (_ recipient: UInt32, _ keys: [AdvertisedKeys]) -> [AdvertisedKeys])?
    /// The survivor set U3 claimed to `recipient` (at the consistency check, or at unmasking under
    /// the semi-honest model); the honest value is the set whose masked inputs arrived.
    package var survivorSet: (@Sendable (_ recipient: UInt32, _ survivors: Set<UInt32>) -> Set<UInt32>)?
    /// The consistency signatures forwarded to `recipient` with its unmasking request.
    package var forwardedSignatures: (@Sendable (_ recipient: UInt32, _ signatures: [SurvivorSignature]) -> [SurvivorSignature])?

    package init(advertisedKeys: (@Sendable (_ recipient: UInt32, _ keys: [AdvertisedKeys]) -> [AdvertisedKeys])? = nil,
                 survivorSet: (@Sendable (_ recipient: UInt32, _ survivors: Set<UInt32>) -> Set<UInt32>)? = nil,
                 forwardedSignatures: (@Sendable (_ recipient: UInt32, _ signatures: [SurvivorSignature]) -> [SurvivorSignature])? = nil) {
        self.advertisedKeys = advertisedKeys
        self.survivorSet = survivorSet
        self.forwardedSignatures = forwardedSignatures
    }
}

/// One client's advertised keys as the server relays them: its id, its two X25519 public keys, and
/// (malicious-server variant) its Ed25519 signature over them; empty under the semi-honest model.
package struct AdvertisedKeys: Sendable, Equatable {
    package var client: UInt32
    package var encryption: [UInt8]
    package var masking: [UInt8]
    package var signature: [UInt8]

    package init(client: UInt32, encryption: [UInt8], masking: [UInt8], signature: [UInt8]) {
        self.client = client
        self.encryption = encryption
        self.masking = masking
        self.signature = signature
    }
}
