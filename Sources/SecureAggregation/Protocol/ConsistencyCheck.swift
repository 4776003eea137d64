/// The consistency check of the malicious-server variant, both halves: which signatures the server
/// forwards to a client, and the test the client applies before it reveals any share.
///
/// Bonawitz et al. 2017 (§4, Fig. 4 round 3): after the masked inputs, the server sends every survivor
/// the set U3; each signs (session, U3) and returns the signature; the server forwards the signatures
/// it collected, and a client reveals shares only if enough members of U3 signed the same U3 it did.
/// Applied per neighbourhood, in the spirit of Bell et al. 2020 (SecAgg+): the secrets at stake when
/// u reveals are those of its neighbours v, whose shares only N(v) hold; so u requires, for every
/// neighbour v whose share it is about to reveal, at least t valid signatures over its own set from
/// members of N(v) ∩ U3. For the complete graph N(v) is everyone but v.
///
/// Why it stops a server that lies about dropouts: to unmask v the server needs t shares of v's
/// self-mask seed (from holders told "v survived") and t of its masking key (from holders told "v
/// dropped"). An honest holder signs one set only, so each view would need t signatures by holders
/// of v's shares; when 2t > |N(v)| + c (c: clients colluding with the server among N(v)) the two
/// groups of signers cannot both exist, and clients shown the minority view refuse outright.
package enum ConsistencyCheck {
    /// The signatures the server forwards to `u`: those of signers in N(v) for some neighbour v of u
    /// (every signer, for the complete graph), in increasing order of signer.
    package static func signatures(for u: UInt32, graph: MaskingGraph, collected: [UInt32: [UInt8]]) -> [SurvivorSignature] {
        let signers: [UInt32]
        if graph.degree >= graph.clientCount - 1 {
            signers = collected.keys.sorted()
        } else {
            var relevant = Set<UInt32>()
            for v in graph.neighbours(of: u) { relevant.formUnion(graph.neighbours(of: v)) }
            signers = relevant.filter { collected[$0] != nil }.sorted()
        }
        return signers.map { SurvivorSignature(signer: $0, signature: collected[$0]!) }
    }

    /// The client's test: every forwarded signature is by a distinct member of `survivors` and valid
    /// over (session, survivors); and for each neighbour in `revealingFor`, at least `threshold` of the
    /// signers are its neighbours.
    /// - Throws: `.notASurvivor` for a signer outside the set; `.invalidSignature` for a signature that
    ///   does not verify (forged, over another set, or another round's); `.inconsistentSurvivors` when a
    ///   neighbour's holders did not sign this set in enough numbers; `.malformed` for a repeated signer.
    package static func verify(_ signatures: [SurvivorSignature], survivors: [UInt32], session: UInt64,
                               revealingFor neighbours: [UInt32], graph: MaskingGraph, threshold: Int,
                               verificationKeys: PublicKeyInfrastructure) throws(ProtocolError) {
        let statement = SignedStatement.survivorSet(session: session, survivors: survivors)
        let members = Set(survivors)
        var signers = Set<UInt32>()
        for entry in signatures {
            guard signers.insert(entry.signer).inserted else { throw .malformed }
            guard members.contains(entry.signer) else { throw .notASurvivor(signer: entry.signer) }
            let valid: Bool
            do throws(CryptoError) { valid = try verificationKeys.isValid(entry.signature, by: entry.signer, over: statement) } catch { throw .crypto(error) }
            guard valid else { throw .invalidSignature(client: entry.signer) }
        }
        for v in neighbours {
            let count = graph.neighbours(of: v).reduce(0) { $0 + (signers.contains($1) ? 1 : 0) }
            guard count >= threshold else { throw .inconsistentSurvivors(neighbour: v, signatures: count, threshold: threshold) }
        }
    }
}

/// One client's consistency-check signature over the survivor set it was shown.
package struct SurvivorSignature: Sendable, Equatable {
    package var signer: UInt32
    package var signature: [UInt8]

    package init(signer: UInt32, signature: [UInt8]) {
        self.signer = signer
        self.signature = signature
    }
}
