import Foundation

// murmur-fuzz: the parsers' fuzzing harnesses (docs/reliability.md, "Fuzzing").
//
//     murmur-fuzz <harness> [-v] <file or folder>…    replay inputs (a plain build: the corpus, a crash file)
//     murmur-fuzz <harness> [libFuzzer flags] [corpus folders]    fuzz (the FUZZING build made by .ci/fuzz)
//     murmur-fuzz seeds <folder>                   write the generated seeds (WAV files, checkpoints)
//     murmur-fuzz list                             the harnesses

let arguments = CommandLine.arguments
/// Says what is wrong with the command line and exits with status 2.
func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("murmur-fuzz: \(message)\n".utf8))
    exit(2)
}

switch arguments.dropFirst().first {
case nil, "list", "--help", "-h":
    print("usage: murmur-fuzz <harness> <inputs…> | murmur-fuzz seeds <folder>; harnesses:")
    for harness in Harness.all {
        print("  " + harness.name.padding(toLength: 11, withPad: " ", startingAt: 0) + " " + harness.summary)
    }
case "seeds":
    guard arguments.count == 3 else { fail("seeds needs one folder, e.g. murmur-fuzz seeds Fuzz/Corpus") }
    do { try SeedFiles.write(under: arguments[2]) } catch { fail("cannot write the seeds: \(error)") }
case let name?:
    guard let harness = Harness.named(name) else {
        fail("no harness '\(name)'; one of \(Harness.all.map(\.name).joined(separator: ", "))")
    }
    _ = Scratch.shared  // made now, so the exit handler below never makes it
    atexit { try? FileManager.default.removeItem(atPath: Scratch.shared.folder) }
    #if FUZZING
    exit(LibFuzzer.run(harness, arguments: Array(arguments.dropFirst(2))))
    #else
    exit(Replay.run(harness, inputs: Array(arguments.dropFirst(2))))
    #endif
}
