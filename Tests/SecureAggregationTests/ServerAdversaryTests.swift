import SecureAggregation
import Testing

/// A server that tampers with the keys it relays at advertiseKeys → shareKeys. Under the malicious-
/// server model every advertised key is signed by its owner's long-term key, so the recipient refuses
/// a swapped or forged one; the semi-honest protocol would encrypt its shares to the server's key.
@Suite struct ServerAdversaryTests {
    typealias Run = SecureAggregationProtocolTests

    /// What the server does to the first neighbour's entry in client 1's roster.
    static func tamper(_ kind: String, attacker: [UInt8]) -> ServerAdversary {
        ServerAdversary(advertisedKeys: { recipient, keys in
            guard recipient == 1 else { return keys }
            var changed = keys
            switch kind {
            case "encryption key swapped": changed[0].encryption = attacker
            case "masking key swapped": changed[0].masking = attacker
            case "keys of two neighbours exchanged":
                (changed[0].encryption, changed[1].encryption) = (changed[1].encryption, changed[0].encryption)
                (changed[0].masking, changed[1].masking) = (changed[1].masking, changed[0].masking)
            default: changed[0].signature[5] ^= 0x01  // "signature forged"
            }
            return changed
        })
    }

    @Test(arguments: ["encryption key swapped", "masking key swapped", "keys of two neighbours exchanged", "signature forged"])
    func tamperedAdvertisedKeyIsRejected(kind: String) throws {
        let setup = Run.Setup()
        let first = Run.parameters(setup).graph.neighbours(of: 1)[0]
        let attacker = try KeyAgreementPrivateKey().publicKey
        let inputs = Run.inputs(setup, seed: 31)
        let (session, outcome) = try Run.run(setup, inputs: inputs, adversary: Self.tamper(kind, attacker: attacker))
        #expect(session.clientAborts[1] == .invalidSignature(client: first))
        #expect(!session.server.survivors[1].contains(1))  // client 1 sent no shares
        #expect(try outcome.get() == Run.plainSum(inputs, of: Run.everyone.subtracting([1]), bits: 32))
    }

    /// Without signatures client 1 takes the server's key for its neighbour's and sends it shares
    /// encrypted under it (it only fails later, when the neighbour's box to it does not open): the
    /// check above is what stops that.
    @Test func semiHonestClientAcceptsASwappedKey() throws {
        let setup = Run.Setup(threatModel: .semiHonest)
        let attacker = try KeyAgreementPrivateKey().publicKey
        let (session, _) = try Run.run(setup, inputs: Run.inputs(setup, seed: 32),
                                            adversary: Self.tamper("encryption key swapped", attacker: attacker))
        #expect(session.server.survivors[1].contains(1))
        #expect(session.clientAborts[1] == .authentication(client: Run.parameters(setup).graph.neighbours(of: 1)[0]))
    }

    /// The signed advertisement costs 64 bytes up and 64 per neighbour down; the report says so.
    @Test func signaturesAddTheirBytesToTheReport() throws {
        let honest = Run.Setup(), semiHonest = Run.Setup(threatModel: .semiHonest)
        let (signed, _) = try Run.run(honest, inputs: Run.inputs(honest, seed: 33))
        let (plain, _) = try Run.run(semiHonest, inputs: Run.inputs(semiHonest, seed: 33))
        let a = signed.report, b = plain.report
        #expect(a.threatModel == .maliciousServer && b.threatModel == .semiHonest)
        for index in 0..<12 {
            // Up: 64 (signed keys) + the consistency round's signature envelope, and no more.
            #expect(a.bytesSent[index] - b.bytesSent[index] == 64 + a.consistencyBytesSent[index])
            #expect(a.consistencyBytesSent[index] == Envelope.headerCount + AuthenticatedEncryption.overhead + 64)
        }
        #expect(b.consistencyBytesSent.allSatisfy { $0 == 0 } && b.consistencySigners == nil)
    }
}
