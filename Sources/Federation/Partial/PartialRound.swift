/// One round of partial training as a client sees it: the update space and the round's embedding rows.
package struct PartialRound: Sendable {
    package var space: UpdateSpace
    package var rows: [Int32]

    package init(space: UpdateSpace, rows: [Int32]) {
        self.space = space
        self.rows = rows
    }
}
