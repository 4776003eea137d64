import Kernels
import SecureAggregation
import Synchronization
import Testing

/// The protocol end to end: the secure sum equals the plain sum of the same ring inputs, bit for bit,
/// over exactly the clients whose masked input arrived — with dropouts at every step and with
/// messages tampered with, replayed, from another round or from a stranger.
@Suite struct SecureAggregationProtocolTests {
    static let pool = ThreadPool(threadCount: 2)

    struct Setup {
        var clients = 12
        var degree: Int? = 6  // nil: SecAgg's complete graph
        var threshold = 3
        var length = 1_003
        var bits = 32
        var round: UInt64 = 5
        var threatModel: SecureAggregationThreatModel = .maliciousServer
    }

    static func inputs(_ setup: Setup, seed: UInt64 = 1) -> [[UInt32]] {
        var stream = RandomStream(seed: seed)
        let mask: UInt32 = setup.bits == 32 ? .max : (1 << UInt32(setup.bits)) - 1
        return (0..<setup.clients).map { _ in (0..<setup.length).map { _ in stream.nextUInt32() & mask } }
    }

    /// Every client of the default setup.
    static let everyone = Set((1...12).map(UInt32.init))

    /// Whether `envelope` is a masked input (from `sender`, if given).
    static func isMaskedInput(_ envelope: Envelope, from sender: UInt32? = nil) -> Bool {
        (sender == nil || envelope.sender == sender) && envelope.step == UInt8(SecureAggregationStep.maskedInput.rawValue)
    }

    static func plainSum(_ inputs: [[UInt32]], of ids: Set<UInt32>, bits: Int) -> [UInt32] {
        let mask: UInt32 = bits == 32 ? .max : (1 << UInt32(bits)) - 1
        var sum = [UInt32](repeating: 0, count: inputs[0].count)
        for id in ids { for index in sum.indices { sum[index] &+= inputs[Int(id) - 1][index] } }
        return sum.map { $0 & mask }
    }

    /// The parameters of `setup`: its graph is drawn from a stream keyed by the round, so a test can
    /// build the same graph before the run (to aim an attack at a neighbourhood).
    static func parameters(_ setup: Setup) -> SecureAggregationParameters {
        var stream = RandomStream(seed: 99, keys: [setup.round])
        let graph = setup.degree.map { MaskingGraph.harary(clientCount: setup.clients, degree: $0, stream: &stream) }
            ?? .complete(clientCount: setup.clients)
        return SecureAggregationParameters(round: setup.round, graph: graph, threshold: setup.threshold,
                                           vectorLength: setup.length, bits: setup.bits, threatModel: setup.threatModel)
    }

    /// Runs one instance and returns the session and its outcome.
    static func run(_ setup: Setup, inputs: [[UInt32]], dropouts: [Int: SecureAggregationStep] = [:],
                    interceptor: MessageInterceptor? = nil, signingKeys: [SigningPrivateKey]? = nil,
                    adversary: ServerAdversary? = nil) throws -> (SecureAggregationSession, Result<[UInt32], ProtocolError>) {
        let parameters = Self.parameters(setup)
        let drops = (1...setup.clients).map { dropouts[$0] }
        let session = try SecureAggregationSession(parameters: parameters, dropouts: drops, pool: pool, interceptor: interceptor,
                                                   signingKeys: signingKeys, adversary: adversary)
        session.setUp()
        pool.forEachDynamically(count: setup.clients) { index, _ in
            guard session.isTraining(index) else { return }
            var input = inputs[index]
            input.withUnsafeMutableBufferPointer { session.submit(index, input: $0) }
        }
        return (session, session.finish())
    }

    @Test(arguments: [nil, 6] as [Int?], [nil, .advertiseKeys, .shareKeys, .maskedInput, .unmasking] as [SecureAggregationStep?])
    func secureSumEqualsPlainSumWithDropouts(degree: Int?, step: SecureAggregationStep?) throws {
        try Self.checkSumWithDropouts(Setup(degree: degree), step: step)
        try Self.checkSumWithDropouts(Setup(degree: degree, threatModel: .semiHonest), step: step)
    }

    static func checkSumWithDropouts(_ setup: Setup, step: SecureAggregationStep?) throws {
        let inputs = Self.inputs(setup)
        let dropped = [3, 8]
        let dropouts = step.map { step in Dictionary(uniqueKeysWithValues: dropped.map { ($0, step) }) } ?? [:]
        let (session, outcome) = try run(setup, inputs: inputs, dropouts: dropouts)
        // Clients that drop at unmasking have already sent their input: it is in the sum.
        let inputDropped = step.map { $0.rawValue <= SecureAggregationStep.maskedInput.rawValue } ?? false
        let expected = Self.everyone.subtracting(inputDropped ? dropped.map(UInt32.init) : [])
        #expect(session.includedClients == expected)
        #expect(try outcome.get() == plainSum(inputs, of: expected, bits: 32))
        #expect(session.report.survivors[2] == expected.count)
        #expect(session.server.exposedClients.isEmpty)
        // Under the malicious-server model exactly the survivors that did not drop at unmasking sign.
        let signers = expected.count - (step == .unmasking ? dropped.count : 0)
        #expect(session.report.consistencySigners == (setup.threatModel == .maliciousServer ? signers : nil))
    }

    /// A client that drops after sharing its keys but before its masked input arrives: its pairwise
    /// masks are removed with its reconstructed key, and its input is not in the sum.
    @Test func droppedClientsInputNeverEntersTheSum() throws {
        let setup = Setup(clients: 10, degree: nil, threshold: 4, bits: 20)
        let inputs = Self.inputs(setup, seed: 4)
        let (session, outcome) = try Self.run(setup, inputs: inputs, dropouts: [7: .maskedInput])
        let others = Set((1...10).map(UInt32.init)).subtracting([7])
        let sum = try outcome.get()
        #expect(sum == Self.plainSum(inputs, of: others, bits: 20))
        #expect(sum != Self.plainSum(inputs, of: others.union([7]), bits: 20))
        #expect(!session.includedClients.contains(7))
    }

    /// Rings of every width: narrow ones (≤ 16 bits) take 2 keystream bytes a mask element; the server
    /// unmasks in slices on 2 threads, which must start on AES blocks for either width.
    @Test(arguments: [8, 12, 16, 17, 24, 32])
    func secureSumIsExactInEveryRingWidth(bits: Int) throws {
        let setup = Setup(length: 10_007, bits: bits)
        let inputs = Self.inputs(setup, seed: UInt64(bits))
        let (_, outcome) = try Self.run(setup, inputs: inputs, dropouts: [2: .maskedInput, 9: .unmasking])
        #expect(try outcome.get() == Self.plainSum(inputs, of: Self.everyone.subtracting([2]), bits: bits))
    }

    @Test func tooFewSurvivorsFailCleanly() throws {
        let setup = Setup(clients: 6, degree: nil, threshold: 4)
        let drops: [Int: SecureAggregationStep] = [1: .maskedInput, 2: .maskedInput, 3: .maskedInput]
        let (session, outcome) = try Self.run(setup, inputs: Self.inputs(setup), dropouts: drops)
        #expect(throws: ProtocolError.tooFewSurvivors(step: .maskedInput, survivors: 3, threshold: 4)) { try outcome.get() }
        #expect(session.report.failure != nil)
    }

    /// Interceptors that damage client 4's masked input in different ways; each is rejected, client 4
    /// counts as dropped, and the sum is exactly everyone else's.
    @Test(arguments: ["tampered", "redirected", "relabelled step"])
    func damagedMaskedInputIsRejected(kind: String) throws {
        let setup = Setup()
        let inputs = Self.inputs(setup, seed: 2)
        let interceptor: MessageInterceptor = { envelope in
            guard Self.isMaskedInput(envelope, from: 4) else { return [envelope] }
            var changed = envelope
            switch kind {
            case "tampered": changed.sealedBody[40] ^= 0x80
            case "redirected": changed.recipient = 9
            default: changed.step = UInt8(SecureAggregationStep.unmasking.rawValue)
            }
            return [changed]
        }
        let (session, outcome) = try Self.run(setup, inputs: inputs, interceptor: interceptor)
        let others = Self.everyone.subtracting([4])
        #expect(try outcome.get() == Self.plainSum(inputs, of: others, bits: 32))
        #expect(session.report.rejectedMessages >= 1)
    }

    /// A message delivered twice counts once; the copy is rejected as a duplicate.
    @Test func replayedMessageCountsOnce() throws {
        let setup = Setup()
        let inputs = Self.inputs(setup, seed: 3)
        let interceptor: MessageInterceptor = { envelope in
            Self.isMaskedInput(envelope, from: 6) ? [envelope, envelope] : [envelope]
        }
        let (session, outcome) = try Self.run(setup, inputs: inputs, interceptor: interceptor)
        #expect(try outcome.get() == Self.plainSum(inputs, of: Self.everyone, bits: 32))
        #expect(session.rejections.contains(.duplicate(client: 6, step: .maskedInput)))
    }

    /// Client 5's masked input from round 5, replayed in round 6 in place of its real one — as it was,
    /// or with its header rewritten to round 6 — is rejected, and client 5 counts as dropped.
    @Test(arguments: [false, true])
    func messageFromAnotherRoundIsRejected(rewriteHeader: Bool) throws {
        let setup = Setup()
        let captured = Mutex<Envelope?>(nil)
        _ = try Self.run(setup, inputs: Self.inputs(setup), interceptor: { envelope in
            if Self.isMaskedInput(envelope, from: 5) { captured.withLock { $0 = envelope } }
            return [envelope]
        })
        var next = setup
        next.round = 6
        let inputs = Self.inputs(next, seed: 6)
        let old = try #require(captured.withLock { $0 })
        let (session, outcome) = try Self.run(next, inputs: inputs, interceptor: { envelope in
            guard Self.isMaskedInput(envelope, from: 5) else { return [envelope] }
            var replay = old
            if rewriteHeader { replay.round = 6 }
            return [replay]
        })
        #expect(try outcome.get() == Self.plainSum(inputs, of: Self.everyone.subtracting([5]), bits: 32))
        let expected: ProtocolError = rewriteHeader ? .authentication(client: 5) : .wrongRound(expected: 6, got: 5)
        #expect(session.rejections.contains(expected))
    }

    /// A message from a sender that is not on the roster is rejected and changes nothing.
    @Test func unknownClientIsRejected() throws {
        let setup = Setup()
        let inputs = Self.inputs(setup, seed: 8)
        let interceptor: MessageInterceptor = { envelope in
            guard Self.isMaskedInput(envelope, from: 2) else { return [envelope] }
            var stranger = envelope
            stranger.sender = 99
            return [envelope, stranger]
        }
        let (session, outcome) = try Self.run(setup, inputs: inputs, interceptor: interceptor)
        #expect(try outcome.get() == Self.plainSum(inputs, of: Self.everyone, bits: 32))
        #expect(session.rejections.contains(.unknownClient(99)))
    }

    /// A server message to a client that is damaged in transit makes that client abort (it cannot
    /// trust the step), which the round absorbs as one more dropout.
    @Test func damagedServerMessageMakesTheClientDrop() throws {
        let setup = Setup()
        let inputs = Self.inputs(setup, seed: 9)
        let interceptor: MessageInterceptor = { envelope in
            guard envelope.recipient == 10, Self.isMaskedInput(envelope) else { return [envelope] }
            var changed = envelope
            changed.sealedBody[20] ^= 1
            return [changed]
        }
        let (session, outcome) = try Self.run(setup, inputs: inputs, interceptor: interceptor)
        #expect(!session.includedClients.contains(10))
        #expect(try outcome.get() == Self.plainSum(inputs, of: Self.everyone.subtracting([10]), bits: 32))
    }

    @Test func hararyGraphIsRegularAndSymmetric() {
        var stream = RandomStream(seed: 3)
        let graph = MaskingGraph.harary(clientCount: 50, degree: 8, stream: &stream)
        for id in 1...50 {
            let neighbours = graph.neighbours(of: UInt32(id))
            #expect(neighbours.count == 8)
            #expect(!neighbours.contains(UInt32(id)))
            for v in neighbours { #expect(graph.neighbours(of: v).contains(UInt32(id))) }
        }
        #expect(MaskingGraph.harary(clientCount: 6, degree: 8, stream: &stream) == .complete(clientCount: 6))
    }
}
