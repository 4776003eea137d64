/// Best-path CTC decoding: the most probable class at every frame, repeats merged, blanks dropped
/// (Graves et al. 2006, §3.2). Fast and usually close to beam search for a well-trained model, but it
/// picks the likeliest path, not the likeliest labelling (which sums over paths; `CTCPrefixBeamSearch`).
package enum CTCGreedyDecoder {
    // logits: [frames, classes] (log-softmax or raw: the argmax is the same) → labels
    package static func decode(logits: UnsafePointer<Float>, frames: Int, classes: Int, blank: Int32 = 0) -> [Int32] {
        var labels: [Int32] = []
        var previous: Int32 = -1
        for t in 0..<frames {
            let row = logits + t * classes
            var best = 0
            for k in 1..<classes where row[k] > row[best] { best = k }  // first maximum on ties
            let symbol = Int32(best)
            if symbol != blank && symbol != previous { labels.append(symbol) }
            previous = symbol
        }
        return labels
    }
}
