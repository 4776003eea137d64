import Experiments
import MurmurCLI
import Synchronization
import Testing

/// Every command-line mistake gets one pinned line and the right exit status; help is there for each command.
@Suite struct CommandLineTests {
    /// Runs the tool in-process and captures what it wrote.
    static func run(_ arguments: [String]) -> (status: Int32, output: String, errors: String) {
        let output = Mutex(""), errors = Mutex("")
        let console = Console(write: { line in output.withLock { $0 += line + "\n" } },
                              writeError: { line in errors.withLock { $0 += line + "\n" } })
        let status = MurmurCommandLine.run(arguments, console: console)
        return (status, output.withLock { $0 }, errors.withLock { $0 })
    }

    struct ErrorCase: CustomTestStringConvertible, Sendable {
        let arguments: [String]
        let message: String
        let status: Int32
        var testDescription: String { arguments.joined(separator: " ") }
    }

    @Test(arguments: [
        ErrorCase(arguments: ["rnu"], message: "murmur: unknown command 'rnu'; did you mean 'run'?", status: 64),
        ErrorCase(arguments: ["frobnicate"],
                  message: "murmur: unknown command 'frobnicate'; available: run, train-central, sweep, compare, report, replay, scenario, privacy, data, export, bench",
                  status: 64),
        ErrorCase(arguments: ["bench", "gemn"], message: "murmur: bench: unknown command 'gemn'; did you mean 'gemm'?",
                  status: 64),
        ErrorCase(arguments: ["bench", "gemm", "--thread", "1"],
                  message: "murmur: bench gemm: unknown option '--thread'; did you mean '--threads'?", status: 64),
        ErrorCase(arguments: ["bench", "gemm", "--threads"],
                  message: "murmur: bench gemm: option '--threads' needs a value (LIST: thread counts to measure)", status: 64),
        ErrorCase(arguments: ["bench", "gemm", "--threads", "0,x"],
                  message: "murmur: bench gemm: option '--threads': '0,x' is not valid; allowed: comma-separated integers in 1...64",
                  status: 64),
        ErrorCase(arguments: ["bench", "train", "--seconds=-1"],
                  message: "murmur: bench train: option '--seconds': '-1' is not valid; allowed: a positive number", status: 64),
        ErrorCase(arguments: ["bench", "gemm", "extra"],
                  message: "murmur: bench gemm: unexpected argument 'extra'; see 'murmur bench gemm --help'", status: 64),
        ErrorCase(arguments: ["replay", "trace.jsonl"],
                  message: "murmur: replay: missing argument SCENARIO; see 'murmur replay --help'", status: 64),
        ErrorCase(arguments: ["data", "trace", "--classes", "mid-phone=1,wach=2", "--out", "/tmp/never.jsonl"],
                  message: "murmur: wach: did you mean 'watch'? not a standard class (high-end-phone, laptop, low-end-phone, "
                      + "mid-phone, smart-speaker, watch) nor a profile file ending in .json", status: 65),
        ErrorCase(arguments: ["data", "trace", "--days", "0", "--out", "/tmp/never.jsonl"],
                  message: "murmur: data trace: option '--days': '0' is not valid; allowed: an integer in 1...365",
                  status: 64),
        ErrorCase(arguments: ["run", "no/such.json"],
                  message: "murmur: no/such.json: no such file (scenarios are JSON files, e.g. scenarios/quickstart.json)",
                  status: 65),
        ErrorCase(arguments: ["run", "--set", "clients.cohortSise=3"],
                  message: "murmur: scenarios/quickstart.json (embedded): clients.cohortSise: unknown key; did you mean 'cohortSize'? "
                      + "(cohortSize applies to sampling fixed, samplingRate to poisson, momentum to optimizer sgd)",
                  status: 65),
        ErrorCase(arguments: ["sweep"], message: "murmur: sweep: missing argument SCENARIO; see 'murmur sweep --help'", status: 64),
        ErrorCase(arguments: ["sweep", "scenarios/none.json", "--grid", "rounds=1,2"],
                  message: "murmur: scenarios/none.json: no such file (scenarios are JSON files, e.g. scenarios/privacy-sweep.json)",
                  status: 65),
        ErrorCase(arguments: ["compare", "x.json", "--jobs", "3"],
                  message: "murmur: compare: option '--jobs': '3' is not valid; allowed: an integer in 1...2", status: 64),
        ErrorCase(arguments: ["report", "/nonexistent"],
                  message: "murmur: report: /nonexistent: neither a run folder (no metrics.jsonl) nor a sweep or compare folder "
                      + "(no experiment.json)", status: 64),
        ErrorCase(arguments: ["--verbose"], message: "murmur: unknown option '--verbose'; see 'murmur --help'",
                  status: 64),
    ])
    func mistakesGetOneLine(_ errorCase: ErrorCase) {
        let result = Self.run(errorCase.arguments)
        #expect(result.status == errorCase.status)
        #expect(result.errors == errorCase.message + "\n")
        #expect(result.output.isEmpty)
    }

    @Test(arguments: [["--help"], ["run", "--help"], ["bench", "-h"], ["bench", "gemm", "--help"], ["help", "bench"],
                      ["privacy", "--help"]])
    func helpIsShownWithStatusZero(_ arguments: [String]) {
        let result = Self.run(arguments)
        #expect(result.status == 0)
        #expect(result.output.hasPrefix("usage: murmur"))
        #expect(result.errors.isEmpty)
    }

    @Test func parserReadsOptionsFlagsAndPositionals() throws {
        var signature = CommandSignature()
        signature.positionals = [("FILE", "", true)]
        signature.options = [.init(name: "set", valueName: "K=V", help: "", defaultValue: nil),
                             .init(name: "seed", valueName: "S", help: "", defaultValue: "0")]
        signature.flags = [.init(name: "json", help: "")]
        let parsed = try parseArguments(["a.json", "--set=x.y=1", "--json"], signature: signature, command: "t")
        #expect(parsed.positionals == ["a.json"])
        #expect(parsed.values == ["set": "x.y=1", "seed": "0"])
        #expect(parsed.flags == ["json"])
        #expect(throws: CommandLineError.missingArgument(command: "t", name: "FILE")) {
            try parseArguments([], signature: signature, command: "t")
        }
        #expect(editDistance("kitten", "sitting") == 3)
    }
}
