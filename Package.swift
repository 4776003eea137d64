// swift-tools-version:6.1
// Murmur: a federated-learning simulator with differential privacy. See ../shared/DESIGN.md and docs/.
import PackageDescription

let package = Package(
    name: "Murmur",
    products: [
        .executable(name: "murmur", targets: ["murmur"]),
    ],
    // `swift build --traits MPI`: the MPI backend, `mpirun -np P murmur run … --backend mpi` (docs/distributed.md).
    // Off by default, so the default build needs no MPI.
    traits: [
        .trait(name: "MPI", description: "Spread rounds over MPI ranks (needs Open MPI: libopenmpi-dev)."),
    ],
    targets: [
        // MARK: - System and C libraries
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        // Open MPI, only for the trait MPI; its handles are macros, wrapped by Sources/CMPI/shim.h.
        .systemLibrary(name: "CMPI", pkgConfig: "ompi-c", providers: [.apt(["libopenmpi-dev"])]),
        // The GEMM micro-kernels: AVX2/FMA variants compiled with per-function target attributes and
        // chosen at run time, so a plain `swift build` is portable and still fast (docs/architecture.md).
        .target(name: "CKernels"),

        // MARK: - Library targets (each imports only the ones it names)
        .target(name: "Kernels", dependencies: ["CKernels"]),
        .target(name: "Learning", dependencies: ["Kernels"]),
        .target(name: "Privacy", dependencies: ["Kernels"]),
        .target(name: "SecureAggregation", dependencies: ["Kernels", "COpenSSL"]),
        .target(name: "Federation", dependencies: ["Learning", "Privacy", "SecureAggregation",
                                                   .target(name: "CMPI", condition: .when(traits: ["MPI"]))]),
        // What differs between workloads (language modelling; speech next), behind Federation's task protocols.
        .target(name: "Tasks", dependencies: ["Federation", "Learning", "Kernels"]),
        .target(name: "Experiments", dependencies: ["Tasks", "Federation", "Privacy", "SecureAggregation", "Learning"]),
        // The command line lives in a library so that its parser and commands are testable.
        .target(name: "MurmurCLI", dependencies: ["Experiments", "Tasks", "Federation", "Learning", "Privacy", "SecureAggregation", "Kernels"]),
        .executableTarget(name: "murmur", dependencies: ["MurmurCLI"]),

        // MARK: - Fuzzing (docs/reliability.md): `murmur-fuzz <harness> <files…>` replays inputs through a
        // parser; built by .ci/fuzz with -D FUZZING and sanitizers, the same harness runs under libFuzzer.
        .systemLibrary(name: "CLibFuzzer", path: "Fuzz/CLibFuzzer"),
        .executableTarget(name: "murmur-fuzz", dependencies: ["CLibFuzzer", "Experiments", "Tasks", "Federation"],
                          path: "Fuzz/Sources/murmur-fuzz"),

        // MARK: - Tests
        // glibc's count of bytes in use, for the test that checks a client's computed peak memory.
        .target(name: "CHeapProbe"),
        .target(name: "MurmurTestSupport", dependencies: ["Kernels", "CHeapProbe"]),
        .testTarget(name: "COpenSSLTests", dependencies: ["COpenSSL"]),
        .testTarget(name: "KernelsTests", dependencies: ["Kernels", "MurmurTestSupport"]),
        .testTarget(name: "LearningTests", dependencies: ["Learning", "MurmurTestSupport"]),
        .testTarget(name: "PrivacyTests", dependencies: ["Privacy", "Kernels", "MurmurTestSupport"]),
        .testTarget(name: "SecureAggregationTests", dependencies: ["SecureAggregation", "Kernels", "MurmurTestSupport"]),
        .testTarget(name: "FederationTests", dependencies: ["Federation", "Tasks", "Learning", "Kernels", "Privacy", "SecureAggregation", "MurmurTestSupport"]),
        .testTarget(name: "TasksTests", dependencies: ["Tasks", "Federation", "Learning", "Kernels", "MurmurTestSupport"]),
        // Fingerprints/ holds recorded metrics the tests read by path.
        .testTarget(name: "ExperimentsTests", dependencies: ["Experiments", "Tasks", "Federation", "Learning", "Privacy", "SecureAggregation", "Kernels"],
                    exclude: ["Fingerprints"]),
        .testTarget(name: "MurmurCLITests", dependencies: ["MurmurCLI", "Experiments"]),
    ]
)

// MARK: - Settings shared by every Swift target
for target in package.targets where target.type != .system && !["CKernels", "CHeapProbe"].contains(target.name) {
    target.swiftSettings = (target.swiftSettings ?? []) + [
        .enableUpcomingFeature("ExistentialAny"),  // every existential spelled `any`, visible in review
        .enableUpcomingFeature("MemberImportVisibility"),
    ]
}
