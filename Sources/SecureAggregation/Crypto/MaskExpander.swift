/// The masking PRG: expands a 16-byte seed into a stream of 32-bit ring elements with AES-128 in
/// counter mode, and adds or subtracts that stream into a vector (Bonawitz et al. 2017, §4: the
/// self mask PRG(b_u) and the pairwise masks ±PRG(s_uv)).
///
/// Element i of a mask is keystream word i, so any slice can be generated on its own (the counter
/// starts at block i/4): the server unmasks a long vector in slices on several threads. Masks live in
/// Z_2^32; a ring Z_2^bits with bits < 32 takes them mod 2^bits, which stays uniform since 2^bits
/// divides 2^32. One expander owns a keystream workspace, allocated once; keep one per thread.
package struct MaskExpander: ~Copyable {
    package static let seedCount = 16
    /// Elements per OpenSSL call: 16 KiB of keystream, which stays in L1 for the add.
    static let chunkElements = 4_096
    private let keystream: UnsafeMutableBufferPointer<UInt32>
    /// A chunk of zeros to encrypt (CTR mode's output is then the keystream itself).
    private let zeros: UnsafeMutableBufferPointer<UInt32>

    package init() throws(CryptoError) {
        keystream = .allocate(capacity: Self.chunkElements)
        zeros = .allocate(capacity: Self.chunkElements)
        zeros.initialize(repeating: 0)
    }

    deinit {
        keystream.deallocate()
        zeros.deallocate()
    }

    /// Whether a mask is added (the self mask, and pairwise masks towards higher ids) or subtracted.
    package enum Sign: Sendable { case plus, minus }

    /// vector[j] ±= mask[startElement + j] (mod 2^32) for every j. `startElement` must be a multiple of 4.
    package func apply(seed: [UInt8], sign: Sign, to vector: UnsafeMutableBufferPointer<UInt32>, startElement: Int = 0)
        throws(CryptoError) {
        try apply([(seed, sign)], to: vector, startElement: startElement)
    }

    /// Applies several masks at once, chunk by chunk: each chunk of the vector stays in cache while
    /// every mask's keystream for it is added, so the vector is read and written once, not once per mask.
    package func apply(_ masks: [(seed: [UInt8], sign: Sign)], to vector: UnsafeMutableBufferPointer<UInt32>,
                       startElement: Int = 0) throws(CryptoError) {
        precondition(startElement % 4 == 0, "a mask slice starts on an AES block (4 elements)")
        var ciphers: [(AESCTRContext, Sign)] = []
        ciphers.reserveCapacity(masks.count)
        for (seed, sign) in masks {
            guard seed.count == Self.seedCount else { throw .invalidLength(what: "a mask seed", expected: 16, actual: seed.count) }
            let cipher = try AESCTRContext()
            try cipher.start(key: seed, block: UInt64(startElement / 4))
            ciphers.append((cipher, sign))
        }
        var done = 0
        let total = vector.count
        while done < total {
            let count = min(Self.chunkElements, total &- done)
            let words = UnsafeMutableBufferPointer(rebasing: keystream[0..<count])
            let out = UnsafeMutableBufferPointer(rebasing: vector[done..<(done &+ count)])
            for (cipher, sign) in ciphers {
                try cipher.keystream(into: UnsafeMutableRawBufferPointer(words), zeros: UnsafeRawBufferPointer(zeros))
                switch sign {
                case .plus: for index in 0..<count { out[index] &+= words[index] }
                case .minus: for index in 0..<count { out[index] &-= words[index] }
                }
            }
            done &+= count
        }
    }
}
