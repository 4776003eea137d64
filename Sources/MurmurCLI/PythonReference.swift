import Foundation

/// Runs a benchmark's Python reference (NumPy's GEMM, PyTorch's recogniser) and reads the lines it
/// prints, `LABEL VALUE` each. Python appears only here and in the scripts it runs — never in the
/// product's own computation (the ground rules); a missing interpreter or library is a
/// `BenchError.referenceUnavailable` the bench reports instead of its ratio.
enum PythonReference {
    /// The (label, value) lines `python3 arguments…` prints.
    /// - Parameter library: what the reference needs, named in the error when python3 fails.
    static func lines(arguments: [String], environment: [String: String]? = nil, library: String) throws
        -> [(label: String, value: Double)] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        if let environment { process.environment = environment }
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        do { try process.run() } catch { throw BenchError.referenceUnavailable("cannot start python3: \(error)") }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let reason = errorText.split(separator: "\n").last.map(String.init) ?? "exit \(process.terminationStatus)"
            throw BenchError.referenceUnavailable("python3 with \(library) failed: \(reason)")
        }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { line in
            let parts = line.split(separator: " ")
            guard parts.count >= 2, let value = Double(parts[1]) else { return nil }
            return (String(parts[0]), value)
        }
    }
}
