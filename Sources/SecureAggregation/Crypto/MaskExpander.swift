/// The masking PRG: expands a 16-byte seed into a stream of ring elements with AES-128 in counter
/// mode, and adds or subtracts that stream into a vector (Bonawitz et al. 2017, §4: the self mask
/// PRG(b_u) and the pairwise masks ±PRG(s_uv)).
///
/// A ring of at most 16 bits takes each mask element from 2 keystream bytes, a wider one from 4, so
/// a narrow ring halves the AES work; either way the element is uniform mod 2^bits (2^bits divides
/// 2^16 or 2^32). Element i of a mask starts at keystream byte i·width, so any slice can be generated
/// on its own (the counter starts at that byte's AES block): the server unmasks a long vector in slices
/// on several threads. One expander owns its keystream workspace and its cipher contexts, allocated
/// once and re-keyed for every mask, so a client's masking allocates nothing; keep one per thread
/// (the session and the round hand them out from free lists, reused across clients and rounds).
///
/// The masks are applied without extra passes: the vector is walked once, an 8 KiB chunk at a time,
/// and every mask's keystream for that chunk is generated into L1 and added straight into it, so the
/// vector is read and written once in all (not once per mask) and no mask is ever held whole.
package struct MaskExpander: ~Copyable {
    package static let seedCount = 16
    /// Keystream bytes per OpenSSL call: 8 KiB, so it and the vector chunk it is added to (16 or 8 KiB)
    /// stay in a 32 KiB L1 while every mask passes over them.
    static let chunkBytes = 8_192
    private let keystream: UnsafeMutableRawBufferPointer
    /// A chunk of zeros to encrypt (CTR mode's output is then the keystream itself).
    private let zeros: UnsafeMutableRawBufferPointer
    /// One cipher context per mask of the largest call so far, re-keyed on each use.
    private let contexts = CipherContexts()

    /// Allocates the keystream workspace (cipher contexts are made on first use and kept).
    package init() throws(CryptoError) {
        keystream = .allocate(byteCount: Self.chunkBytes, alignment: 64)
        zeros = .allocate(byteCount: Self.chunkBytes, alignment: 64)
        zeros.initializeMemory(as: UInt8.self, repeating: 0)
    }

    deinit {
        keystream.deallocate()
        zeros.deallocate()
    }

    /// Whether a mask is added (the self mask, and pairwise masks towards higher ids) or subtracted.
    package enum Sign: Sendable { case plus, minus }

    /// Keystream bytes per mask element for a ring of `bits`.
    package static func elementBytes(bits: Int) -> Int { bits <= 16 ? 2 : 4 }

    /// The slice granularity: a slice must start on an AES block, 16 bytes of keystream.
    package static func sliceAlignment(bits: Int) -> Int { 16 / elementBytes(bits: bits) }

    /// vector[j] ±= mask[startElement + j] (mod 2^32) for every j.
    package func apply(seed: [UInt8], sign: Sign, to vector: UnsafeMutableBufferPointer<UInt32>, startElement: Int = 0,
                       bits: Int = 32) throws(CryptoError) {
        try apply([(seed, sign)], to: vector, startElement: startElement, bits: bits)
    }

    /// Applies several masks at once, chunk by chunk: each chunk of the vector stays in cache while
    /// every mask's keystream for it is added, so the vector is read and written once, not once per
    /// mask. `startElement` must be a multiple of `sliceAlignment(bits:)`.
    package func apply(_ masks: [(seed: [UInt8], sign: Sign)], to vector: UnsafeMutableBufferPointer<UInt32>,
                       startElement: Int = 0, bits: Int = 32) throws(CryptoError) {
        let width = Self.elementBytes(bits: bits)
        precondition(startElement % Self.sliceAlignment(bits: bits) == 0, "a mask slice starts on an AES block")
        let ciphers = try contexts.reserve(masks.count)
        let block = UInt64(startElement * width / 16)
        for (index, mask) in masks.enumerated() {
            guard mask.seed.count == Self.seedCount else {
                throw .invalidLength(what: "a mask seed", expected: 16, actual: mask.seed.count)
            }
            try ciphers[index].start(key: mask.seed, block: block)
        }
        let chunkElements = Self.chunkBytes / width
        var done = 0
        let total = vector.count
        while done < total {
            let count = min(chunkElements, total &- done)
            let bytes = UnsafeMutableRawBufferPointer(rebasing: keystream[0..<(count &* width)])
            let out = UnsafeMutableBufferPointer(rebasing: vector[done..<(done &+ count)])
            for index in masks.indices {
                try ciphers[index].keystream(into: bytes, zeros: UnsafeRawBufferPointer(zeros))
                Self.accumulate(UnsafeRawBufferPointer(bytes), width: width, sign: masks[index].sign, into: out)
            }
            done &+= count
        }
    }

    /// Fills `vector` with the keystream of `seed` as 32-bit words (random words for stochastic rounding).
    package func fill(seed: [UInt8], into vector: UnsafeMutableBufferPointer<UInt32>) throws(CryptoError) {
        guard seed.count == Self.seedCount else { throw .invalidLength(what: "a seed", expected: 16, actual: seed.count) }
        let cipher = try contexts.reserve(1)[0]
        try cipher.start(key: seed, block: 0)
        let raw = UnsafeMutableRawBufferPointer(vector)
        var done = 0
        while done < raw.count {
            let count = min(Self.chunkBytes, raw.count &- done)
            try cipher.keystream(into: UnsafeMutableRawBufferPointer(rebasing: raw[done..<(done &+ count)]), zeros: UnsafeRawBufferPointer(zeros))
            done &+= count
        }
    }

    /// out[i] ±= keystream element i (16- or 32-bit elements), 16 lanes at a time in explicit SIMD
    /// (loads of the keystream and the chunk, a widening add, one store), then the tail; one loop per
    /// case so nothing is decided inside. Integer arithmetic: the same bits as the scalar loop.
    private static func accumulate(_ bytes: UnsafeRawBufferPointer, width: Int, sign: Sign, into out: UnsafeMutableBufferPointer<UInt32>) {
        let count = out.count
        guard count > 0, let source = bytes.baseAddress, let base = out.baseAddress else { return }
        let target = UnsafeMutableRawPointer(base)
        let lanes = 16, whole = count / lanes * lanes
        if width == 2 {
            let words = bytes.assumingMemoryBound(to: UInt16.self)
            switch sign {
            case .plus:
                for index in stride(from: 0, to: whole, by: lanes) {
                    let mask = SIMD16<UInt32>(truncatingIfNeeded: source.loadUnaligned(fromByteOffset: index &* 2, as: SIMD16<UInt16>.self))
                    let sum = target.loadUnaligned(fromByteOffset: index &* 4, as: SIMD16<UInt32>.self) &+ mask
                    target.storeBytes(of: sum, toByteOffset: index &* 4, as: SIMD16<UInt32>.self)
                }
                for index in whole..<count { out[index] &+= UInt32(words[index]) }
            case .minus:
                for index in stride(from: 0, to: whole, by: lanes) {
                    let mask = SIMD16<UInt32>(truncatingIfNeeded: source.loadUnaligned(fromByteOffset: index &* 2, as: SIMD16<UInt16>.self))
                    let sum = target.loadUnaligned(fromByteOffset: index &* 4, as: SIMD16<UInt32>.self) &- mask
                    target.storeBytes(of: sum, toByteOffset: index &* 4, as: SIMD16<UInt32>.self)
                }
                for index in whole..<count { out[index] &-= UInt32(words[index]) }
            }
        } else {
            let words = bytes.assumingMemoryBound(to: UInt32.self)
            switch sign {
            case .plus:
                for index in stride(from: 0, to: whole, by: lanes) {
                    let mask = source.loadUnaligned(fromByteOffset: index &* 4, as: SIMD16<UInt32>.self)
                    let sum = target.loadUnaligned(fromByteOffset: index &* 4, as: SIMD16<UInt32>.self) &+ mask
                    target.storeBytes(of: sum, toByteOffset: index &* 4, as: SIMD16<UInt32>.self)
                }
                for index in whole..<count { out[index] &+= words[index] }
            case .minus:
                for index in stride(from: 0, to: whole, by: lanes) {
                    let mask = source.loadUnaligned(fromByteOffset: index &* 4, as: SIMD16<UInt32>.self)
                    let sum = target.loadUnaligned(fromByteOffset: index &* 4, as: SIMD16<UInt32>.self) &- mask
                    target.storeBytes(of: sum, toByteOffset: index &* 4, as: SIMD16<UInt32>.self)
                }
                for index in whole..<count { out[index] &-= words[index] }
            }
        }
    }
}

/// The cipher contexts an expander keeps between calls (a class, so a borrowed expander can grow it;
/// used by one thread at a time, like its expander).
private final class CipherContexts {
    private var contexts: [AESCTRContext] = []

    /// At least `count` contexts, made once and kept.
    func reserve(_ count: Int) throws(CryptoError) -> [AESCTRContext] {
        while contexts.count < count { contexts.append(try AESCTRContext()) }
        return contexts
    }
}
