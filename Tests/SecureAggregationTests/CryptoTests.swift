import Testing
import SecureAggregation

/// The OpenSSL wrappers against published known-answer vectors, and their failure modes.
@Suite struct CryptoTests {
    /// RFC 7748 §6.1: Alice's private key with Bob's public key.
    @Test func x25519MatchesRFC7748() throws {
        let alice = try KeyAgreementPrivateKey(rawPrivateKey: bytes("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"))
        #expect(hex(alice.publicKey) == "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a")
        let secret = try alice.sharedSecret(with: bytes("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"))
        #expect(hex(secret) == "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742")
        #expect(try alice.rawPrivateKey() == bytes("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"))
    }

    /// RFC 5869 Appendix A.1 (HKDF-SHA256, basic test case).
    @Test func hkdfMatchesRFC5869() throws {
        let okm = try KeyDerivation.hkdfSHA256(secret: bytes("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"),
                                               salt: bytes("000102030405060708090a0b0c"), info: bytes("f0f1f2f3f4f5f6f7f8f9"),
                                               outputCount: 42)
        #expect(hex(okm) == "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865")
    }

    /// McGrew & Viega, "The Galois/Counter Mode of Operation", test case 14 (AES-256, zero key and IV).
    @Test func aesGCMMatchesMcGrewViega() throws {
        let box = try AuthenticatedEncryption.seal([UInt8](repeating: 0, count: 16), key: [UInt8](repeating: 0, count: 32),
                                                   nonce: [UInt8](repeating: 0, count: 12), associatedData: [])
        #expect(hex(Array(box[12...])) == "cea7403d4d606b6e074ec5d3baf39d18" + "d0d1c8a799996bf0265b98b5d48ab919")
    }

    @Test func sealedBoxOpensOnlyWithItsKeyAndHeader() throws {
        let key = try SecureRandom.bytes(32), message = Array("shares for client 7".utf8), header = Array("round 3".utf8)
        let box = try AuthenticatedEncryption.seal(message, key: key, associatedData: header)
        #expect(try AuthenticatedEncryption.open(box, key: key, associatedData: header) == message)
        #expect(throws: CryptoError.authenticationFailed) {
            try AuthenticatedEncryption.open(box, key: try SecureRandom.bytes(32), associatedData: header)
        }
        #expect(throws: CryptoError.authenticationFailed) {
            try AuthenticatedEncryption.open(box, key: key, associatedData: Array("round 4".utf8))
        }
        var tampered = box
        tampered[15] ^= 1
        #expect(throws: CryptoError.authenticationFailed) { try AuthenticatedEncryption.open(tampered, key: key, associatedData: header) }
    }

    /// Any slice of a mask, generated on its own, equals that slice of the whole mask; plus then minus cancels.
    @Test func maskSlicesAgreeWithTheWholeMask() throws {
        let seed = try SecureRandom.bytes(16), expander = try MaskExpander()
        var whole = [UInt32](repeating: 0, count: 40_003)
        try whole.withUnsafeMutableBufferPointer { try expander.apply(seed: seed, sign: .plus, to: $0) }
        var slice = [UInt32](repeating: 0, count: 20_001)
        try slice.withUnsafeMutableBufferPointer { try expander.apply(seed: seed, sign: .plus, to: $0, startElement: 20_000) }
        #expect(slice[...] == whole[20_000..<40_001])
        try whole.withUnsafeMutableBufferPointer { try expander.apply(seed: seed, sign: .minus, to: $0) }
        #expect(whole.allSatisfy { $0 == 0 })
        // Each bit of the keystream is set about half the time.
        let ones = slice.reduce(0) { $0 + $1.nonzeroBitCount }
        #expect(abs(Double(ones) / Double(32 * slice.count) - 0.5) < 0.005)
    }

    /// Narrow rings take 2-byte mask elements: a slice starting at an 8-element boundary matches.
    @Test func narrowMaskSlicesAgreeWithTheWholeMask() throws {
        let seed = try SecureRandom.bytes(16), expander = try MaskExpander()
        var whole = [UInt32](repeating: 0, count: 30_000), slice = [UInt32](repeating: 0, count: 9_992)
        try whole.withUnsafeMutableBufferPointer { try expander.apply(seed: seed, sign: .plus, to: $0, bits: 16) }
        try slice.withUnsafeMutableBufferPointer { try expander.apply(seed: seed, sign: .plus, to: $0, startElement: 20_008, bits: 16) }
        #expect(slice[...] == whole[20_008...])
        #expect(whole.allSatisfy { $0 <= UInt32(UInt16.max) })
        #expect(MaskExpander.sliceAlignment(bits: 16) == 8 && MaskExpander.sliceAlignment(bits: 17) == 4)
    }

    /// The first mask words are AES-128 of the counter blocks 0, 1, …: AES-CTR of zeros under the NIST key.
    @Test func maskIsAESCounterModeKeystream() throws {
        // FIPS-197 Appendix C.1 / SP 800-38A F.1.1 key; AES-128(key, 0^128) computed by OpenSSL `enc -aes-128-ecb`.
        let key = bytes("2b7e151628aed2a6abf7158809cf4f3c")
        var words = [UInt32](repeating: 0, count: 4)
        try words.withUnsafeMutableBufferPointer { try MaskExpander().apply(seed: key, sign: .plus, to: $0) }
        let keystream = words.flatMap { word in (0..<4).map { UInt8(truncatingIfNeeded: word >> (8 * UInt32($0))) } }
        #expect(hex(keystream) == "7df76b0c1ab899b33e42f047b91b546f")
    }
}

func bytes(_ hex: String) -> [UInt8] {
    var result = [UInt8](), characters = Array(hex)
    while characters.count >= 2 {
        result.append(UInt8(String(characters[0..<2]), radix: 16)!)
        characters.removeFirst(2)
    }
    return result
}

func hex(_ bytes: [UInt8]) -> String {
    bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
}
