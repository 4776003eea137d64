#if FUZZING
import CLibFuzzer
import Foundation

/// Runs libFuzzer's loop over a harness (the FUZZING build only: it links libclang_rt.fuzzer_no_main).
enum LibFuzzer {
    /// The harness the C callback calls; set once, before the loop starts.
    nonisolated(unsafe) private static var current: Harness?

    /// Passes `arguments` (libFuzzer's flags and corpus folders) to libFuzzer's driver; its exit status.
    static func run(_ harness: Harness, arguments: [String]) -> Int32 {
        current = harness
        var argv: [UnsafeMutablePointer<CChar>?] = ([CommandLine.arguments[0]] + arguments).map { strdup($0) } + [nil]
        var argc = Int32(arguments.count + 1)
        return argv.withUnsafeMutableBufferPointer { buffer in
            var pointer = buffer.baseAddress
            return LLVMFuzzerRunDriver(&argc, &pointer) { data, size in
                _ = LibFuzzer.current!.run(size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size)))
                return 0
            }
        }
    }
}
#endif
