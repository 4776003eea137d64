import Experiments
import Foundation
import Testing

/// The report of a sweep: self-contained, with one series per run in each curve, a legend entry per
/// variant, and utility plotted against ε for private runs.
@Suite struct ExperimentReportTests {
    /// A privacy sweep with `sweep.reference` (the run without privacy): the table lists it with no ε,
    /// and the utility plot draws its final perplexity as the non-private reference line.
    @Test func privacySweepDrawsItsNonPrivateReference() throws {
        let file = try ExperimentPlanTests.scenarioFile(extra: #""sweep": {"reference": {"name": "no privacy", "set": {"privacy": null}}}"#)
        let plan = try ExperimentPlan.sweep(
            scenarioFile: file, grid: ["privacy.epsilon=1,4"], repeats: 1,
            overrides: ["rounds=2", "privacy.delta=1e-3", "privacy.clipBound=1", "privacy.noiseCohortSize=100"])
        #expect(plan.variants.map(\.label) == ["epsilon=1", "epsilon=4", "no privacy"])
        let folder = ScenarioRunnerTests.folder()
        _ = try ExperimentRunnerTests.run(plan, folder: folder)
        let table = ExperimentTable(try ExperimentResults.load(folder: folder))
        #expect(table.rows.map { $0.epsilon == nil } == [false, false, true] && table.rows[2].coordinates == ["–"])
        let html = try String(contentsOfFile: folder + "/report.html", encoding: .utf8)
        let body = try #require(html.range(of: "<main>").flatMap { start in
            html.range(of: "</main>").map { String(html[start.lowerBound..<$0.upperBound]) }
        })
        let page = try #require(SVGStructure.parse(body))
        #expect(page.withClass("series").contains { $0.attributes["data-name"]?.hasPrefix("non-private run (") == true })
    }

    @Test func privacySweepReportHasEveryRunAndUtilityAgainstEpsilon() throws {
        let file = try ExperimentPlanTests.scenarioFile()
        let plan = try ExperimentPlan.sweep(
            scenarioFile: file, grid: ["privacy.epsilon=1,4"], repeats: 2,
            overrides: ["rounds=3", "privacy.delta=1e-3", "privacy.clipBound=1", "privacy.noiseCohortSize=100"])
        let folder = ScenarioRunnerTests.folder()
        _ = try ExperimentRunnerTests.run(plan, folder: folder)
        let html = try String(contentsOfFile: folder + "/report.html", encoding: .utf8)
        #expect(!html.lowercased().contains("<script") && !html.contains("src=") && !html.contains("<link"))
        #expect(html.contains("<meta name=\"viewport\""))
        // The body is XHTML-clean apart from the doctype, so libxml2 can check all of it.
        let body = try #require(html.range(of: "<main>").flatMap { start in
            html.range(of: "</main>").map { String(html[start.lowerBound..<$0.upperBound]) }
        })
        let page = try #require(SVGStructure.parse(body))
        let charts = page.elements.filter { $0.name == "svg" }
        #expect(charts.count == 5)  // utility vs ε, validation perplexity, top-1 accuracy, training loss, ε by round
        let titles = page.elements.filter { $0.name == "h3" }.count
        #expect(titles == 5)
        let series = page.withClass("series")
        // Utility vs ε: one series (no other axis) of two points with error bars, and the unigram baseline as a
        // line; each of the four curves: one series per run.
        #expect(series.count == 2 + 4 * plan.runs.count)
        #expect(page.withClass("legend-entry").count == 2 + 4 * plan.variants.count)
        #expect(series.contains { $0.attributes["data-name"]?.hasPrefix("unigram baseline (") == true })
        #expect(page.withClass("error-bar").count == 2)
        let table = ExperimentTable(try ExperimentResults.load(folder: folder))
        // The noise cohort's ε is the calibrated target; ε as run (the real cohort's) is larger, and is plotted.
        let accounted = table.rows.map { $0.noiseCohortEpsilon!.mean }, asRun = table.rows.map { $0.epsilon!.mean }
        #expect(abs(accounted[0] - 1) < 0.01 && abs(accounted[1] - 4) < 0.01)
        #expect(zip(asRun, accounted).allSatisfy { $0 > $1 } && table.rows.allSatisfy { $0.noiseCohort?.hasSuffix(" of 200 users") == true })
        #expect(table.headings.contains("ε as run") && table.headings.contains("ε for the noise cohort"))
        #expect(table.markdown.contains(" for a cohort of 100 of 200 users |") && table.csv.contains("epsilonAsRunMean"))
        #expect(page.texts.contains { $0.hasPrefix("ε as run (δ = 0.001)") })
        // Asked for, the plot uses the noise cohort's ε instead.
        let results = try ExperimentResults.load(folder: folder)
        let accountedPage = ExperimentReport.html(results, table: table, epsilonAxis: .accounted)
        #expect(accountedPage.contains("ε for a cohort of 100 of 200 users (δ = 0.001)"))
    }

    @Test func reportRedrawsFromTheFilesAlone() throws {
        let plan = try ExperimentRunnerTests.plan(), folder = ScenarioRunnerTests.folder()
        _ = try ExperimentRunnerTests.run(plan, folder: folder)
        let before = try String(contentsOfFile: folder + "/report.html", encoding: .utf8)
        try FileManager.default.removeItem(atPath: folder + "/report.html")
        try FileManager.default.removeItem(atPath: folder + "/table.csv")
        try ExperimentReport.write(folder: folder)
        #expect(try String(contentsOfFile: folder + "/report.html", encoding: .utf8) == before)
        #expect(FileManager.default.fileExists(atPath: folder + "/table.csv"))
        // A numeric sweep without privacy plots the final primary metric against the swept value.
        #expect(before.contains("Final validation perplexity against clients.learningRate"))
    }

    @Test func aRunFolderGetsItsOwnReport() throws {
        let folder = ScenarioRunnerTests.folder()
        _ = try ScenarioRunnerTests.run(folder: folder)
        let html = try String(contentsOfFile: folder + "/report.html", encoding: .utf8)
        let body = try #require(html.range(of: "<main>").flatMap { start in
            html.range(of: "</main>").map { String(html[start.lowerBound..<$0.upperBound]) }
        })
        let page = try #require(SVGStructure.parse(body))
        #expect(page.elements.filter { $0.name == "svg" }.count == 2)  // perplexity and loss; no privacy
        #expect(page.withClass("series").count == 3)  // the run's perplexity and loss, and the unigram baseline
        #expect(throws: RunError.self) { try RunReport.html(folder: folder + "/nothing-here") }
    }
}
