/// Who takes part in a round and with what: the cohort, each selected client's data and task cost, and
/// each one's fate — decided before anyone trains, from costs that do not depend on the weights.
///
/// Without devices every fate is `reported`, or `droppedForMemory` for a task over the scenario's
/// memory cap; with devices the round's `RoundSchedule` in simulated time decides.
package struct RoundPlan<LocalData: LocalDataset> {
    package var round: Int
    /// User indices, in cohort order (the order of aggregation).
    package var cohort: [Int]
    /// Each selected client's data, by cohort position (loaded to cost its task; training reuses it).
    package var data: [LocalData]
    package var costs: [ClientTaskCost]
    package var fates: [ClientFate]
    /// The round in simulated time (runs with devices).
    package var schedule: RoundSchedule?
    /// The sampling as the accountant sees it: with devices, a fixed-size draw among those available.
    package var sampling: CohortSampling
    /// The population the cohort was drawn from (with devices, the clients available then).
    package var populationSize: Int
}
