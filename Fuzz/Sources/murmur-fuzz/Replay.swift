import Foundation

/// Hands saved inputs to a harness without libFuzzer: in a plain build, so a crash file or the corpus can
/// be rerun (under a debugger, or in CI when the sanitizer build is skipped). A crash ends the process.
enum Replay {
    /// Runs every file named, and every file in every folder named (with `-v` first, saying what each one
    /// gave); returns the exit status.
    static func run(_ harness: Harness, inputs: [String]) -> Int32 {
        let verbose = inputs.first == "-v"
        let inputs = verbose ? Array(inputs.dropFirst()) : inputs
        guard !inputs.isEmpty else {
            FileHandle.standardError.write(Data("murmur-fuzz: give input files or folders to replay\n".utf8))
            return 2
        }
        var count = 0, refused = 0
        for input in inputs {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: input, isDirectory: &isDirectory) else {
                FileHandle.standardError.write(Data("murmur-fuzz: \(input): no such file or folder\n".utf8))
                return 2
            }
            let files = isDirectory.boolValue
                ? ((try? FileManager.default.contentsOfDirectory(atPath: input)) ?? []).sorted().map { input + "/" + $0 }
                : [input]
            for file in files {
                guard let data = FileManager.default.contents(atPath: file) else { continue }  // a subfolder
                if verbose { FileHandle.standardOutput.write(Data("\(file): ".utf8)) }  // unbuffered: a crash shows it
                let error = harness.run([UInt8](data))
                if error != nil { refused += 1 }
                if verbose { print(error.map { "refused: \($0)" } ?? "accepted") }
                count += 1
            }
        }
        print("murmur-fuzz \(harness.name): \(count) inputs replayed, none crashed; "
            + "\(count - refused) accepted, \(refused) refused")
        return 0
    }
}
