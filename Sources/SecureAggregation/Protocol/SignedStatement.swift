/// The byte strings clients sign with their long-term Ed25519 keys in the malicious-server variant.
///
/// Each starts with its own label and the session id (the training round every participant agrees
/// on, as in every key's HKDF info), so a signature made for one purpose or one round verifies for
/// no other; the signer is fixed by the verification key that checks it.
package enum SignedStatement {
    /// What client `u` signs when it advertises its keys: label ‖ session ‖ u ‖ c_pk ‖ s_pk, binding
    /// both X25519 public keys to u and to this session (Bonawitz et al. 2017, Fig. 4 round 0).
    package static func advertisedKeys(session: UInt64, client u: UInt32, encryption: [UInt8], masking: [UInt8]) -> [UInt8] {
        var writer = ByteWriter(capacity: 64 + 2 * 32)
        writer.append(bytes: Array("murmur secagg advertised keys v1".utf8))
        writer.append(session)
        writer.append(u)
        writer.append(bytes: encryption)
        writer.append(bytes: masking)
        return writer.bytes
    }

    /// What a client signs in the consistency check: label ‖ session ‖ |U3| ‖ U3 in increasing order
    /// (Bonawitz et al. 2017, Fig. 4 round 3). `survivors` must be sorted.
    package static func survivorSet(session: UInt64, survivors: [UInt32]) -> [UInt8] {
        var writer = ByteWriter(capacity: 48 + 4 * survivors.count)
        writer.append(bytes: Array("murmur secagg survivor set v1".utf8))
        writer.append(session)
        writer.append(UInt32(survivors.count))
        for id in survivors { writer.append(id) }
        return writer.bytes
    }
}
