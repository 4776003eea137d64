import Kernels

/// Layer normalisation over the last dimension with a learned scale and shift (Ba, Kiros & Hinton 2016).
///
/// Backward uses the closed form dx = rstd·(dn − mean(dn) − n·mean(dn·n)) with n the normalised input
/// and dn = dy·γ (llm.c's `layernorm_backward`).
package struct LayerNorm: Sendable {
    package let width: Int
    package let gamma: ParameterLayout.Entry
    package let beta: ParameterLayout.Entry
    package let epsilon: Float = 1e-5

    package init(width: Int, gamma: ParameterLayout.Entry, beta: ParameterLayout.Entry) {
        precondition(gamma.count == width && beta.count == width, "LayerNorm: parameter sizes")
        self.width = width
        self.gamma = gamma
        self.beta = beta
    }

    // x: [rows, width] → out: [rows, width]; mean, rstd: [rows] kept for backward
    package func forward(x: UnsafePointer<Float>, rows: Int, parameters: UnsafePointer<Float>,
                         out: UnsafeMutablePointer<Float>, mean: UnsafeMutablePointer<Float>,
                         rstd: UnsafeMutablePointer<Float>) {
        let g = parameters + gamma.offset, b = parameters + beta.offset, n = width
        for r in 0..<rows {
            let row = x + r * n, result = out + r * n
            let m = Reductions.sum(UnsafeBufferPointer(start: row, count: n)) / Float(n)
            var variance: Float = 0
            for j in 0..<n { variance += (row[j] - m) * (row[j] - m) }
            let s = 1 / (variance / Float(n) + epsilon).squareRoot()
            for j in 0..<n { result[j] = (row[j] - m) * s * g[j] + b[j] }
            mean[r] = m
            rstd[r] = s
        }
    }

    // x, dOut: [rows, width]; dγ, dβ accumulated; dX overwritten
    package func backward(x: UnsafePointer<Float>, dOut: UnsafePointer<Float>, rows: Int,
                          mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>, parameters: UnsafePointer<Float>,
                          gradients: UnsafeMutablePointer<Float>, dX: UnsafeMutablePointer<Float>) {
        let g = parameters + gamma.offset, dg = gradients + gamma.offset, db = gradients + beta.offset, n = width
        for r in 0..<rows {
            let row = x + r * n, upstream = dOut + r * n, result = dX + r * n
            let m = mean[r], s = rstd[r]
            var meanDn: Float = 0, meanDnN: Float = 0
            for j in 0..<n {
                let normalised = (row[j] - m) * s, dn = upstream[j] * g[j]
                meanDn += dn
                meanDnN += dn * normalised
            }
            meanDn /= Float(n)
            meanDnN /= Float(n)
            for j in 0..<n {
                let normalised = (row[j] - m) * s, dn = upstream[j] * g[j]
                dg[j] += upstream[j] * normalised
                db[j] += upstream[j]
                result[j] = s * (dn - meanDn - normalised * meanDnN)
            }
        }
    }
}
