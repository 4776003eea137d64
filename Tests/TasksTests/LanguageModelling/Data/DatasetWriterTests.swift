import Federation
import Tasks
import Foundation
import Testing

/// Written datasets read back as what was generated; vocabularies rank words by count.
@Suite struct DatasetWriterTests {
    @Test func syntheticFolderReadsBackUserForUser() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("murmur-syn-\(UUID().uuidString)").path
        let population = SyntheticPopulation(language: SyntheticLanguage(vocabularySize: 100, seed: 5), users: 40, seed: 2)
        try DatasetWriter.write(population, to: folder)
        let read = try FederatedTextFolder(path: folder)
        #expect(read.userCount == 40 && read.vocabularySize == 100)
        for index in [0, 17, 39] { #expect(try read.user(at: index) == population.user(at: index)) }
    }

    @Test func vocabularyKeepsTheMostFrequentWords() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("murmur-text-\(UUID().uuidString).jsonl").path
        try """
            {"user": "a", "text": ["b a a", "c a"]}
            {"user": "b", "text": ["b d"]}
            """.write(toFile: file, atomically: true, encoding: .utf8)
        let vocabulary = try DatasetWriter.buildVocabulary(fromTextUsers: file, size: 6)
        #expect(vocabulary.tokens == ["<pad>", "<unk>", "<bos>", "<eos>", "a", "b"])
    }
}
