import Foundation

/// Times NumPy's `matmul` (OpenBLAS sgemm) on the benchmark shapes in a child `python3` process, so that
/// `murmur bench gemm --reference numpy` prints our speed as a ratio to it, measured in the same command.
/// Python is used only here, to time a reference; never in the product's computations or tests.
enum NumPyReference {
    /// The script run by `python3 -c`; prints `label best_gflops` per shape.
    static let script = """
        import sys, time
        import numpy as np
        seconds = float(sys.argv[1])
        for spec in sys.argv[2:]:
            label, m, k, n, ta, tb = spec.split(":")
            m, k, n = int(m), int(k), int(n)
            rng = np.random.default_rng(0)
            a = rng.standard_normal((k, m) if ta == "1" else (m, k), dtype=np.float32)
            b = rng.standard_normal((n, k) if tb == "1" else (k, n), dtype=np.float32)
            A = a.T if ta == "1" else a
            B = b.T if tb == "1" else b
            c = np.empty((m, n), np.float32)
            for _ in range(3):
                np.matmul(A, B, out=c)
            times = []
            end = time.perf_counter() + seconds
            while time.perf_counter() < end or len(times) < 5:
                t0 = time.perf_counter(); np.matmul(A, B, out=c); times.append(time.perf_counter() - t0)
            print(label, 2.0 * m * k * n / min(times) / 1e9, flush=True)
        """

    /// Best GFLOP/s per case label, with OpenBLAS limited to `threads` threads.
    static func measure(shapes: [GEMMBenchCase], threads: Int, seconds: Double) throws -> [String: Double] {
        var environment = ProcessInfo.processInfo.environment
        for name in ["OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"] { environment[name] = "\(threads)" }
        let arguments = ["-c", script, String(seconds)] + shapes.map {
            "\($0.label):\($0.m):\($0.k):\($0.n):\($0.transposeA ? 1 : 0):\($0.transposeB ? 1 : 0)"
        }
        var result: [String: Double] = [:]
        for line in try PythonReference.lines(arguments: arguments, environment: environment, library: "numpy") {
            result[line.label] = line.value
        }
        return result
    }
}

/// A benchmark that could not run as asked.
enum BenchError: Error, CustomStringConvertible {
    case referenceUnavailable(String)

    var description: String {
        switch self {
        case let .referenceUnavailable(reason): return "bench: reference unavailable: \(reason)"
        }
    }
}
