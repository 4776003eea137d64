import Synchronization

/// The server's half of the consistency check (malicious-server model; Bonawitz et al. 2017, Fig. 4
/// round 3) — U3 to every survivor, their signatures back — and the unmasking requests built on the
/// survivor set it stated (with the signatures forwarded, under that model).
extension SecureAggregationServer {
    /// The consistency-check request for each client whose masked input arrived: U3 (Bonawitz et al.
    /// 2017, Fig. 4 round 3), as the adversary, if any, would state it.
    package func consistencyRequests() throws(ProtocolError) -> [Envelope] {
        precondition(signed, "the consistency check belongs to the malicious-server model")
        return try consistencyTimed { () throws(ProtocolError) in
            let survivors = try claimSurvivorSets()
            return try survivors.map { (u) throws(ProtocolError) in
                try send(Self.survivorSetPayload(state.withLock { $0.claimed[u]! }), to: u, step: .consistencyCheck, consistency: true)
            }
        }
    }

    /// Accepts each survivor's signature over the set it was shown (U4); throws if fewer than t signed.
    package func collectConsistencySignatures(_ envelopes: [Envelope]) throws(ProtocolError) {
        try consistencyTimed { () throws(ProtocolError) in
            let (survivors, claimed) = state.withLock { ($0.maskedInputs, $0.claimed) }
            for envelope in envelopes {
                guard let signature = accept(envelope, step: .consistencyCheck, from: survivors) else { continue }
                let u = envelope.sender
                let statement = SignedStatement.survivorSet(session: round, survivors: claimed[u] ?? [])
                guard signature.count == Signing.signatureCount,
                      (try? verificationKeys!.isValid(signature, by: u, over: statement)) == true else {
                    reject(.invalidSignature(client: u))
                    continue
                }
                state.withLock { $0.consistencySignatures[u] = signature }
            }
            let signers = state.withLock { state in
                state.consistencyChecked = true
                return state.consistencySignatures.count
            }
            try require(signers, after: .consistencyCheck)
        }
    }

    /// The unmasking request for each client that goes on: semi-honest, every client whose masked input
    /// arrived, told U3; malicious-server, every client that signed, sent the signatures it needs
    /// (`ConsistencyCheck.signatures`), which the forwarding counts as consistency-check bytes.
    package func unmaskingRequests() throws(ProtocolError) -> [Envelope] {
        guard signed else {
            return try timed { () throws(ProtocolError) in
                try claimSurvivorSets().map { (u) throws(ProtocolError) in
                    try send(Self.survivorSetPayload(state.withLock { $0.claimed[u]! }), to: u, step: .unmasking)
                }
            }
        }
        return try consistencyTimed { () throws(ProtocolError) in
            let collected = state.withLock { $0.consistencySignatures }
            return try collected.keys.sorted().map { (u) throws(ProtocolError) in
                var forwarded = ConsistencyCheck.signatures(for: u, graph: parameters.graph, collected: collected)
                if let lie = adversary?.forwardedSignatures { forwarded = lie(u, forwarded) }
                var writer = ByteWriter(capacity: 4 + forwarded.count * (4 + Signing.signatureCount))
                writer.append(UInt32(forwarded.count))
                for entry in forwarded {
                    writer.append(entry.signer)
                    writer.append(bytes: entry.signature)
                }
                return try send(writer.bytes, to: u, step: .unmasking, consistency: true)
            }
        }
    }

    /// Fixes the survivor set stated to each client whose masked input arrived (U3, or the adversary's
    /// lie) and returns those clients in order; throws if fewer than t.
    private func claimSurvivorSets() throws(ProtocolError) -> [UInt32] {
        let survivors = state.withLock { $0.maskedInputs }
        try require(survivors.count, after: .maskedInput)
        let claims = survivors.sorted().map { u in (u, (adversary?.survivorSet?(u, survivors) ?? survivors).sorted()) }
        state.withLock { state in for (u, claim) in claims { state.claimed[u] = claim } }
        return claims.map(\.0)
    }

    /// n ‖ idsⁿ: a survivor set on the wire.
    private static func survivorSetPayload(_ survivors: [UInt32]) -> [UInt8] {
        var writer = ByteWriter(capacity: 4 + 4 * survivors.count)
        writer.append(UInt32(survivors.count))
        for u in survivors { writer.append(u) }
        return writer.bytes
    }
}
