import Foundation

/// Which Murmur made a run: its version, and the commit of the checkout the binary sits in.
///
/// The commit is read at run time with `git rev-parse HEAD` in the folder holding the executable (a
/// SwiftPM build lives in `<checkout>/.build/…`), with "+ local changes" when tracked files differ from it,
/// and "unknown" when the binary is not in a checkout or git is missing. Why not embed it at build time:
/// SwiftPM has no cheap hook for that, and a generated file could go stale; the cost is that a binary
/// rebuilt after a `git pull` but not yet rebuilt reports the new commit. No network is used.
package enum MurmurBuild {
    /// The release, as `murmur --version` prints it.
    package static let version = "0.1.0"

    /// The commit, looked up once per process.
    package static let commit: String = lookUpCommit()

    /// "0.1.0, commit 5463ca3… (+ local changes)" for reports and run folders.
    package static var description: String { "Murmur \(version), commit \(commit)" }

    /// The folder of the running executable, for finding its checkout.
    private static var executableFolder: URL? {
        let path = Bundle.main.executablePath ?? CommandLine.arguments.first ?? ""
        guard !path.isEmpty else { return nil }
        return URL(fileURLWithPath: path).resolvingSymlinksInPath().deletingLastPathComponent()
    }

    private static func lookUpCommit() -> String {
        guard let folder = executableFolder, let head = git(["rev-parse", "HEAD"], in: folder),
              head.count == 40, head.allSatisfy(\.isHexDigit) else { return "unknown" }
        let changes = git(["status", "--porcelain", "--untracked-files=no"], in: folder) ?? ""
        return head + (changes.isEmpty ? "" : " (+ local changes)")
    }

    /// Runs git in `folder` and returns its trimmed output, or nil if git is missing or fails.
    private static func git(_ arguments: [String], in folder: URL) -> String? {
        let candidates = ["/usr/bin/git", "/usr/local/bin/git", "/opt/homebrew/bin/git", "/bin/git"]
        guard let executable = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["-C", folder.path] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
