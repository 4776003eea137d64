import Foundation
import Kernels

/// `murmur bench gemm`: GFLOP/s of the packed GEMM on the shapes of the LSTM LM, on 1 and 2 threads.
let benchGEMMCommand: Command = {
    var command = Command(
        name: "gemm",
        summary: """
            GFLOP/s of C = op(A)·op(B) for M×K×N = 320×96×10000, 10000×320×96 (op(A)=Aᵀ), 320×256×1024 and
            1024×1024×1024. With --reference numpy, also times NumPy's matmul (OpenBLAS) in a child process
            with the same threads and prints our ratio to it; --kernel all times every micro-kernel variant
            the CPU supports.
            """)
    command.signature.options = [
        .init(name: "threads", valueName: "LIST", help: "thread counts to measure", defaultValue: "1,2"),
        .init(name: "seconds", valueName: "S", help: "time spent timing each case", defaultValue: "1"),
        .init(name: "reference", valueName: "NAME", help: "also time a reference: none or numpy",
              defaultValue: "none"),
        .init(name: "kernel", valueName: "NAME", help: "micro-kernel variant: chosen, all, or a variant's name",
              defaultValue: "chosen"),
    ]
    command.action = { arguments, console in
        let threads = try parsePositiveIntegers(arguments.value("threads")!, option: "threads",
                                                command: "bench gemm", range: 1...64)
        let seconds = try parsePositiveDouble(arguments.value("seconds")!, option: "seconds", command: "bench gemm")
        let reference = arguments.value("reference")!
        guard reference == "none" || reference == "numpy" else {
            throw CommandLineError.invalidValue(command: "bench gemm", option: "--reference", value: reference,
                                                allowed: "none, numpy")
        }
        let kernelName = arguments.value("kernel")!
        let kernels = kernelName == "chosen" ? [GEMMKernel.chosen]
            : kernelName == "all" ? GEMMKernel.supported : GEMMKernel.supported.filter { $0.name == kernelName }
        guard !kernels.isEmpty else {
            throw CommandLineError.invalidValue(command: "bench gemm", option: "--kernel", value: kernelName,
                                                allowed: (["chosen", "all"] + GEMMKernel.supported.map(\.name)).joined(separator: ", "))
        }
        console.writeError("gemm micro-kernel: \(gemmMicroKernelName)")
        for threadCount in threads {
            let pool = ThreadPool(threadCount: threadCount)
            let references = reference == "numpy"
                ? try NumPyReference.measure(shapes: GEMMBenchCase.all, threads: threadCount, seconds: seconds)
                : [:]
            for benchCase in GEMMBenchCase.all {
                for kernel in kernels {
                    let result = benchCase.measure(pool: pool, seconds: seconds, kernel: kernel)
                    var line = "{\"kernel\":\"gemm\",\"m\":\(benchCase.m),\"k\":\(benchCase.k),\"n\":\(benchCase.n),"
                        + "\"transA\":\(benchCase.transposeA),\"transB\":\(benchCase.transposeB),"
                        + "\"threads\":\(threadCount),\"gflops\":\(rounded(result.bestGFLOPS)),"
                        + "\"medianGflops\":\(rounded(result.medianGFLOPS)),\"variant\":\"\(kernel.name)\""
                    if let openBLAS = references[benchCase.label] {
                        line += ",\"referenceGflops\":\(rounded(openBLAS)),\"reference\":\"numpy-openblas\""
                            + ",\"ratio\":\(rounded(result.bestGFLOPS / openBLAS, digits: 3))"
                    }
                    console.write(line + "}")
                }
            }
        }
        return 0
    }
    return command
}()

/// One GEMM shape of the benchmark.
struct GEMMBenchCase {
    let m: Int, k: Int, n: Int, transposeA: Bool, transposeB: Bool

    static let all = [
        GEMMBenchCase(m: 320, k: 96, n: 10000, transposeA: false, transposeB: false),
        GEMMBenchCase(m: 10000, k: 320, n: 96, transposeA: true, transposeB: false),
        GEMMBenchCase(m: 320, k: 256, n: 1024, transposeA: false, transposeB: false),
        GEMMBenchCase(m: 1024, k: 1024, n: 1024, transposeA: false, transposeB: false),
    ]

    var label: String { "\(m)x\(k)x\(n)\(transposeA ? "tA" : "")\(transposeB ? "tB" : "")" }

    /// Times repeated products (after warm-up) for about `seconds`; returns best and median GFLOP/s.
    func measure(pool: ThreadPool, seconds: Double, kernel: GEMMKernel = .chosen) -> (bestGFLOPS: Double, medianGFLOPS: Double) {
        let a = AlignedBuffer(count: m * k), b = AlignedBuffer(count: k * n), c = AlignedBuffer(count: m * n)
        var random = RandomStream(seed: 1, keys: [UInt64(m), UInt64(k), UInt64(n)])
        random.fillUniform(UnsafeMutableBufferPointer(start: a.pointer, count: m * k), low: -1, high: 1)
        random.fillUniform(UnsafeMutableBufferPointer(start: b.pointer, count: k * n), low: -1, high: 1)
        let run = {
            gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 1,
                 a: a.pointer, lda: transposeA ? m : k, b: b.pointer, ldb: transposeB ? k : n,
                 beta: 0, c: c.pointer, ldc: n, pool: pool, kernel: kernel)
        }
        let times = repeatTimed(seconds: seconds, minimumRepeats: 5, warmUp: 3, run)
        let flops = 2.0 * Double(m) * Double(k) * Double(n)
        return (flops / times.first! / 1e9, flops / times[times.count / 2] / 1e9)
    }
}

/// The best GFLOP/s of the packed GEMM on the LSTM's 320 × 256 × 1024 gate product (its fastest shape)
/// with `pool`'s threads: the peak that `bench train` and `bench round` state their utilisation against.
func measuredGEMMPeakGFLOPS(pool: ThreadPool, seconds: Double = 0.5) -> Double {
    GEMMBenchCase(m: 320, k: 256, n: 1024, transposeA: false, transposeB: false)
        .measure(pool: pool, seconds: seconds).bestGFLOPS
}

/// Runs `body` `warmUp` times, then repeatedly for at least `seconds` and `minimumRepeats` times;
/// returns the sorted durations in seconds.
func repeatTimed(seconds: Double, minimumRepeats: Int, warmUp: Int, _ body: () -> Void) -> [Double] {
    for _ in 0..<warmUp { body() }
    var times: [Double] = []
    let clock = ContinuousClock()
    let deadline = clock.now + .milliseconds(Int(seconds * 1000))
    while clock.now < deadline || times.count < minimumRepeats {
        let start = clock.now
        body()
        let elapsed = clock.now - start
        times.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
    }
    return times.sorted()
}

func rounded(_ value: Double, digits: Int = 1) -> Double {
    let scale = pow(10, Double(digits))
    return (value * scale).rounded() / scale
}
