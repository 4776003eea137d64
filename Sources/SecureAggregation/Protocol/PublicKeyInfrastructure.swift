/// Every client's long-term Ed25519 verification key, by id: the public-key infrastructure Bonawitz et
/// al. 2017 assume for the malicious-server variant (§4), through which each client knows the others'
/// keys. In a simulation the session hands it out; in a deployment it would come from a directory the
/// server cannot rewrite.
package struct PublicKeyInfrastructure: Sendable {
    private let keys: [UInt32: SigningPublicKey]

    /// The infrastructure of the given raw 32-byte verification keys.
    /// - Throws: `.invalidLength` or `.openSSL` if a key does not parse.
    package init(verificationKeys: [UInt32: [UInt8]]) throws(CryptoError) {
        var keys: [UInt32: SigningPublicKey] = [:]
        for (id, raw) in verificationKeys { keys[id] = try SigningPublicKey(rawRepresentation: raw) }
        self.keys = keys
    }

    /// Whether `signature` is client `signer`'s signature over `statement`; false for a client the
    /// infrastructure does not know.
    package func isValid(_ signature: [UInt8], by signer: UInt32, over statement: [UInt8]) throws(CryptoError) -> Bool {
        guard let key = keys[signer] else { return false }
        return try key.isValidSignature(signature, for: statement)
    }
}
