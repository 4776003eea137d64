import Kernels
import SecureAggregation
import Synchronization
import Testing

/// The consistency check of the malicious-server variant (Bonawitz et al. 2017, Fig. 4 round 3; per
/// neighbourhood for SecAgg+): a server that shows clients different survivor sets is caught and the
/// clients shown the lie reveal nothing; forged, replayed and non-member signatures are refused; and
/// an honest run that loses clients inside the check still sums exactly.
@Suite struct ConsistencyCheckTests {
    typealias Run = SecureAggregationProtocolTests

    /// The attack: the server has client 12's masked input (it is in the sum) but tells a few of 12's
    /// neighbours that 12 dropped, to collect shares of 12's masking key while others reveal its self-
    /// mask seed; it forwards each group only the signatures that match the set that group saw.
    /// Complete graph: 12 clients, t = 7, lie to 4 of them; SecAgg+: degree 6, t = 4, lie to 2 of 12's
    /// 6 neighbours (small enough that the others can still finish the round).
    static func attack(degree: Int?, threatModel: SecureAggregationThreatModel) -> (Run.Setup, Set<UInt32>, ServerAdversary) {
        let setup = Run.Setup(degree: degree, threshold: degree == nil ? 7 : 4, threatModel: threatModel)
        let victim: UInt32 = 12
        let liedTo = Set(Run.parameters(setup).graph.neighbours(of: victim).prefix(degree == nil ? 4 : 2))
        let adversary = ServerAdversary(
            survivorSet: { recipient, survivors in liedTo.contains(recipient) ? survivors.subtracting([victim]) : survivors },
            forwardedSignatures: { recipient, signatures in
                signatures.filter { liedTo.contains($0.signer) == liedTo.contains(recipient) }
            })
        return (setup, liedTo, adversary)
    }

    @Test(arguments: [nil, 6] as [Int?])
    func serverShowingDifferentSurvivorSetsIsRefused(degree: Int?) throws {
        let (setup, liedTo, adversary) = Self.attack(degree: degree, threatModel: .maliciousServer)
        let inputs = Run.inputs(setup, seed: 21)
        let (session, outcome) = try Run.run(setup, inputs: inputs, adversary: adversary)
        // Every client shown the lie refused to unmask: too few of a neighbour's holders signed its set.
        for id in liedTo {
            guard case .inconsistentSurvivors = session.clientAborts[id] else {
                Issue.record("client \(id) should refuse, got \(String(describing: session.clientAborts[id]))")
                continue
            }
        }
        // The server got no share of 12's masking key, so it learns nothing beyond the honest sum.
        #expect(session.server.revealedShareCounts(of: 12).maskingKey == 0)
        #expect(session.server.exposedClients.isEmpty)
        #expect(session.report.survivors[3] == setup.clients - liedTo.count)
        #expect(try outcome.get() == Run.plainSum(inputs, of: Run.everyone, bits: 32))
    }

    /// The same lie against the semi-honest protocol goes through: the clients told "12 dropped" hand
    /// over shares of 12's masking key although 12's input is in the sum — what the check prevents.
    @Test(arguments: [nil, 6] as [Int?])
    func semiHonestClientsFallForTheSameLie(degree: Int?) throws {
        let (setup, liedTo, adversary) = Self.attack(degree: degree, threatModel: .semiHonest)
        let inputs = Run.inputs(setup, seed: 21)
        let (session, outcome) = try Run.run(setup, inputs: inputs, adversary: adversary)
        #expect(session.clientAborts.isEmpty)
        #expect(session.server.revealedShareCounts(of: 12).maskingKey == liedTo.count)
        #expect(try outcome.get() == Run.plainSum(inputs, of: Run.everyone, bits: 32))
    }

    /// A cruder server forwards every signature: each client then holds signatures over a set other than
    /// its own, which do not verify, and nobody reveals anything.
    @Test(arguments: [nil, 6] as [Int?])
    func signaturesOverAnotherSetAreRejected(degree: Int?) throws {
        var (setup, liedTo, adversary) = Self.attack(degree: degree, threatModel: .maliciousServer)
        adversary.forwardedSignatures = nil
        let (session, outcome) = try Run.run(setup, inputs: Run.inputs(setup, seed: 22), adversary: adversary)
        #expect(throws: ProtocolError.tooFewSurvivors(step: .unmasking, survivors: 0, threshold: setup.threshold)) { try outcome.get() }
        for id in Run.everyone {
            guard case .invalidSignature(let signer) = session.clientAborts[id] else {
                Issue.record("client \(id) should refuse, got \(String(describing: session.clientAborts[id]))")
                continue
            }
            // Each refuses over a signature by someone shown the other view.
            #expect(liedTo.contains(signer) != liedTo.contains(id))
        }
        for v in Run.everyone { #expect(session.server.revealedShareCounts(of: v) == (0, 0)) }
    }

    /// Tampering with the signatures forwarded to client 1: a changed byte, a signature of the same set
    /// from the previous round (same long-term keys), a valid signature by a client not in U3 (a dropped
    /// client colluding with the server). Client 1 refuses; the others finish with the exact sum.
    @Test(arguments: ["forged", "previous round", "non-member"])
    func badForwardedSignatureMakesTheClientRefuse(kind: String) throws {
        let keys = try (0..<12).map { _ in try SigningPrivateKey() }
        var setup = Run.Setup()
        let captured = Mutex<[SurvivorSignature]>([])
        if kind == "previous round" {
            let capture = ServerAdversary(forwardedSignatures: { recipient, signatures in
                if recipient == 1 { captured.withLock { $0 = signatures } }
                return signatures
            })
            _ = try Run.run(setup, inputs: Run.inputs(setup), signingKeys: keys, adversary: capture)
            setup.round = 6
        }
        let dropouts: [Int: SecureAggregationStep] = kind == "non-member" ? [3: .maskedInput] : [:]
        let included = kind == "non-member" ? Run.everyone.subtracting([3]) : Run.everyone
        let stranger = try keys[2].signature(for: SignedStatement.survivorSet(session: setup.round, survivors: included.sorted()))
        let adversary = ServerAdversary(forwardedSignatures: { recipient, signatures in
            guard recipient == 1 else { return signatures }
            switch kind {
            case "forged":
                var changed = signatures
                changed[2].signature[10] ^= 0x20
                return changed
            case "previous round": return captured.withLock { $0 }
            default: return signatures + [SurvivorSignature(signer: 3, signature: stranger)]
            }
        })
        let inputs = Run.inputs(setup, seed: 23)
        let (session, outcome) = try Run.run(setup, inputs: inputs, dropouts: dropouts, signingKeys: keys, adversary: adversary)
        let expected: ProtocolError = switch kind {
        case "forged": .invalidSignature(client: 3)
        case "previous round": .invalidSignature(client: 1)
        default: .notASurvivor(signer: 3)
        }
        #expect(session.clientAborts[1] == expected)
        #expect(session.clientAborts.count == 1)
        #expect(session.report.survivors[3] == included.count - 1)
        #expect(try outcome.get() == Run.plainSum(inputs, of: included, bits: 32))
    }

    /// Honest runs that lose clients inside the extra round: a signature lost on the way (the client
    /// leaves U4, its input stays in the sum), a signer whose shares never arrive.
    @Test(arguments: [nil, 6] as [Int?], [MessageStep.consistencyCheck, .unmasking])
    func clientsLostInTheConsistencyRoundStillGiveTheExactSum(degree: Int?, lost: MessageStep) throws {
        let setup = Run.Setup(degree: degree)
        let inputs = Run.inputs(setup, seed: 24)
        let interceptor: MessageInterceptor = { envelope in
            envelope.step == lost.rawValue && (envelope.sender == 4 || envelope.sender == 9) ? [] : [envelope]
        }
        let (session, outcome) = try Run.run(setup, inputs: inputs, interceptor: interceptor)
        #expect(try outcome.get() == Run.plainSum(inputs, of: Run.everyone, bits: 32))
        #expect(session.report.consistencySigners == (lost == .consistencyCheck ? 10 : 12))
        #expect(session.report.survivors[3] == 10)
        // Every client asked to unmask paid for the check (one that is not asked leaves the report).
        let asked = (0..<12).filter { lost == .unmasking || ($0 != 3 && $0 != 8) }
        #expect(asked.allSatisfy { session.report.consistencyBytesSent[$0] > 0 && session.report.consistencyBytesReceived[$0] > 0 })
        #expect(session.report.consistencyServerBytesSent > 0)
    }

    /// The client's test on its own, over a complete graph of 5 with t = 3.
    @Test func verifyCountsDistinctValidMemberSignatures() throws {
        let keys = try (0..<5).map { _ in try SigningPrivateKey() }
        var published: [UInt32: [UInt8]] = [:]
        for (index, key) in keys.enumerated() { published[UInt32(index + 1)] = key.publicKey }
        let pki = try PublicKeyInfrastructure(verificationKeys: published)
        let graph = MaskingGraph.complete(clientCount: 5), survivors: [UInt32] = [1, 2, 3, 4]
        let statement = SignedStatement.survivorSet(session: 9, survivors: survivors)
        let all = try survivors.map { SurvivorSignature(signer: $0, signature: try keys[Int($0) - 1].signature(for: statement)) }
        func verify(_ signatures: [SurvivorSignature], for neighbours: [UInt32] = [2, 3, 4, 5]) throws {
            try ConsistencyCheck.verify(signatures, survivors: survivors, session: 9, revealingFor: neighbours, graph: graph,
                                        threshold: 3, verificationKeys: pki)
        }
        try verify(all)
        // Client 2's holders are 1, 3, 4, 5: with only 1, 2, 3 signing, two of them vouch for it.
        #expect(throws: ProtocolError.inconsistentSurvivors(neighbour: 2, signatures: 2, threshold: 3)) { try verify(Array(all.prefix(3))) }
        try verify(Array(all.prefix(3)), for: [4, 5])
        #expect(throws: ProtocolError.malformed) { try verify(all + [all[0]]) }
        let other = try keys[0].signature(for: SignedStatement.survivorSet(session: 9, survivors: [1, 2, 3, 4, 5]))
        #expect(throws: ProtocolError.invalidSignature(client: 1)) {
            try verify([SurvivorSignature(signer: 1, signature: other)] + all.dropFirst())
        }
        #expect(throws: ProtocolError.invalidSignature(client: 4)) {
            try verify(Array(all.prefix(3)) + [SurvivorSignature(signer: 4, signature: all[2].signature)])
        }
        #expect(throws: ProtocolError.notASurvivor(signer: 5)) {
            try verify(all + [SurvivorSignature(signer: 5, signature: try keys[4].signature(for: statement))])
        }
        #expect(SecureAggregationParameters(round: 1, graph: graph, threshold: 3, vectorLength: 1, bits: 8).thresholdIsMajority)
        #expect(!SecureAggregationParameters(round: 1, graph: graph, threshold: 2, vectorLength: 1, bits: 8).thresholdIsMajority)
    }
}
