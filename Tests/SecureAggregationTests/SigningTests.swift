import SecureAggregation
import Testing

/// Ed25519 through OpenSSL against RFC 8032's known answers, and the failures a verifier must catch.
@Suite struct SigningTests {
    struct Vector: Sendable, CustomTestStringConvertible {
        var name: String
        var privateKey: String
        var publicKey: String
        var message: String
        var signature: String
        var testDescription: String { name }
    }

    /// RFC 8032 §7.1, TEST 1-3 (empty, one-byte and two-byte messages).
    static let rfc8032: [Vector] = [
        Vector(name: "TEST 1",
               privateKey: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
               publicKey: "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
               message: "",
               signature: "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"),
        Vector(name: "TEST 2",
               privateKey: "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
               publicKey: "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
               message: "72",
               signature: "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"),
        Vector(name: "TEST 3",
               privateKey: "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
               publicKey: "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
               message: "af82",
               signature: "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"),
    ]

    /// The public key and the (deterministic) signature are RFC 8032's, and the signature verifies.
    @Test(arguments: rfc8032)
    func ed25519MatchesRFC8032(vector: Vector) throws {
        let key = try SigningPrivateKey(rawPrivateKey: bytes(vector.privateKey))
        #expect(hex(key.publicKey) == vector.publicKey)
        let signature = try key.signature(for: bytes(vector.message))
        #expect(hex(signature) == vector.signature)
        let verifier = try SigningPublicKey(rawRepresentation: bytes(vector.publicKey))
        #expect(try verifier.isValidSignature(bytes(vector.signature), for: bytes(vector.message)))
    }

    /// A changed signature byte, a changed message, another key, a truncated signature: all rejected.
    @Test(arguments: rfc8032)
    func ed25519RejectsWhatItDidNotSign(vector: Vector) throws {
        let verifier = try SigningPublicKey(rawRepresentation: bytes(vector.publicKey))
        let signature = bytes(vector.signature), message = bytes(vector.message)
        for index in [0, 31, 32, 63] {
            var changed = signature
            changed[index] ^= 0x01
            #expect(try !verifier.isValidSignature(changed, for: message), "byte \(index) flipped")
        }
        #expect(try !verifier.isValidSignature(signature, for: message + [0]))
        #expect(try !verifier.isValidSignature(Array(signature.dropLast()), for: message))
        let other = try SigningPrivateKey().verificationKey()
        #expect(try !other.isValidSignature(signature, for: message))
    }

    @Test func freshKeysSignAndVerify() throws {
        let key = try SigningPrivateKey(), message = Array("murmur secagg survivors".utf8)
        let signature = try key.signature(for: message)
        #expect(signature.count == Signing.signatureCount)
        #expect(try key.verificationKey().isValidSignature(signature, for: message))
        #expect(try key.signature(for: message) == signature)  // Ed25519 is deterministic
        #expect(try SigningPrivateKey().publicKey != key.publicKey)
    }

    @Test func wrongLengthKeysAreRefused() {
        #expect(throws: CryptoError.invalidLength(what: "an Ed25519 public key", expected: 32, actual: 31)) {
            try SigningPublicKey(rawRepresentation: [UInt8](repeating: 1, count: 31))
        }
        #expect(throws: CryptoError.invalidLength(what: "an Ed25519 private key", expected: 32, actual: 33)) {
            try SigningPrivateKey(rawPrivateKey: [UInt8](repeating: 1, count: 33))
        }
    }
}
