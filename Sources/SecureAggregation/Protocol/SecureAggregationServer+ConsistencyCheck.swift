import Synchronization

/// The server's half of the consistency check (malicious-server model; Bonawitz et al. 2017, Fig. 4
/// round 3): U3 to every survivor, their signatures back. Forwarding the signatures is part of the
/// unmasking request (`unmaskingRequests`).
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
}
