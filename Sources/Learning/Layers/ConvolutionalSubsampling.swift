import Kernels

/// The acoustic front end that shortens a feature sequence before the encoder: strided 1-D
/// convolutions, each followed by GELU, so T input frames become ⌊(T − k)/s⌋ + 1 after each layer
/// (with kernel 7 and stride 3, 100 frames a second become 32). Fewer frames make attention cheaper,
/// and CTC still needs at least as many output frames as characters plus repeats, which is what bounds
/// the total stride (Gulati et al. 2020, "Conformer", §2.1; the companion's kernel 7, stride 3).
///
/// Forward keeps, per layer, the im2col patches, the pre-activations and the activations in one
/// workspace laid out by `Workspace`, which backward reads; nothing is allocated per step.
package struct ConvolutionalSubsampling: Sendable {
    package let layers: [Conv1D]

    package init(layers: [Conv1D]) {
        precondition(!layers.isEmpty, "ConvolutionalSubsampling: no layers")
        for (a, b) in zip(layers, layers.dropFirst()) {
            precondition(b.inputs == a.outputs, "ConvolutionalSubsampling: \(a.outputs) channels into \(b.inputs)")
        }
        self.layers = layers
    }

    /// Adds `kernels.count` layers of `width` channels (with biases) to `layout` and returns the stack.
    package static func add(to layout: inout ParameterLayout, prefix: String, inputs: Int, width: Int,
                            kernels: [Int], strides: [Int]) -> ConvolutionalSubsampling {
        precondition(kernels.count == strides.count, "ConvolutionalSubsampling: \(kernels.count) kernels, \(strides.count) strides")
        var channels = inputs
        let layers = zip(kernels, strides).enumerated().map { index, shape in
            let (kernel, stride) = shape
            defer { channels = width }
            return Conv1D(inputs: channels, outputs: width, kernel: kernel, stride: stride,
                          weight: layout.add("\(prefix).\(index).weight", shape: [width, kernel, channels]),
                          bias: layout.add("\(prefix).\(index).bias", shape: [width]))
        }
        return ConvolutionalSubsampling(layers: layers)
    }

    /// Channels out.
    package var outputs: Int { layers.last!.outputs }

    /// Frames out for `frames` in.
    package func outputFrames(_ frames: Int) -> Int { layers.reduce(frames) { $1.outputFrames($0) } }

    /// Where each layer's saved tensors sit in the workspace, for `batch` sequences of `frames`.
    package struct Workspace {
        package var framesIn: [Int] = []  // per layer
        package var patches: [Int] = []  // offsets
        package var preActivations: [Int] = []
        package var activations: [Int] = []
        /// Floats forward fills and backward reads.
        package var count = 0
        /// Backward's own scratch: the largest layer's patch gradient, then two activation gradients.
        package var patchScratch = 0
        package var activationScratch = 0
        /// Floats of backward's scratch.
        package var scratchCount: Int { patchScratch + 2 * activationScratch }

        package init(_ stack: ConvolutionalSubsampling, batch: Int, frames: Int) {
            var t = frames
            for layer in stack.layers {
                let out = layer.outputFrames(t)
                framesIn.append(t)
                patches.append(count); count += batch * out * layer.patchWidth
                preActivations.append(count); count += batch * out * layer.outputs
                activations.append(count); count += batch * out * layer.outputs
                patchScratch = max(patchScratch, batch * out * layer.patchWidth)
                activationScratch = max(activationScratch, batch * max(t * layer.inputs, out * layer.outputs))
                t = out
            }
        }
    }

    // x: [batch, frames, inputs] → the last layer's activations in workspace: [batch, outputFrames, outputs]
    // (returned); workspace: [Workspace.count]
    @discardableResult
    package func forward(x: UnsafePointer<Float>, batch: Int, frames: Int, parameters: UnsafePointer<Float>,
                         workspace: UnsafeMutablePointer<Float>, pool: ThreadPool? = nil) -> UnsafeMutablePointer<Float> {
        let plan = Workspace(self, batch: batch, frames: frames)
        var input = x
        for (index, layer) in layers.enumerated() {
            let pre = workspace + plan.preActivations[index], act = workspace + plan.activations[index]
            layer.forward(x: input, batch: batch, frames: plan.framesIn[index], parameters: parameters, out: pre,
                          patches: workspace + plan.patches[index], pool: pool)
            let count = batch * layer.outputFrames(plan.framesIn[index]) * layer.outputs
            for i in 0..<count { act[i] = Elementwise.gelu(pre[i]) }
            input = UnsafePointer(act)
        }
        return workspace + plan.activations[layers.count - 1]
    }

    // dOut: [batch, outputFrames, outputs]; parameter gradients accumulated; dX: [batch, frames, inputs]
    // overwritten if given; workspace: as forward left it; scratch: [Workspace.scratchCount]
    package func backward(dOut: UnsafePointer<Float>, batch: Int, frames: Int, parameters: UnsafePointer<Float>,
                          gradients: UnsafeMutablePointer<Float>, dX: UnsafeMutablePointer<Float>?,
                          workspace: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>,
                          pool: ThreadPool? = nil) {
        let plan = Workspace(self, batch: batch, frames: frames)
        let patchScratch = scratch, gradientA = scratch + plan.patchScratch, gradientB = gradientA + plan.activationScratch
        // upstream: d(activation of layer index); the loop turns it into d(pre-activation) in place, then
        // into d(input of the layer), written to the other buffer (or dX for the first layer).
        var upstream = gradientA, other = gradientB
        let last = layers.count - 1
        upstream.update(from: dOut, count: batch * layers[last].outputFrames(plan.framesIn[last]) * layers[last].outputs)
        for index in stride(from: last, through: 0, by: -1) {
            let layer = layers[index], t = plan.framesIn[index]
            let pre = workspace + plan.preActivations[index], count = batch * layer.outputFrames(t) * layer.outputs
            for i in 0..<count { upstream[i] *= Elementwise.geluDerivative(pre[i]) }
            let target: UnsafeMutablePointer<Float>? = index == 0 ? dX : other
            layer.backward(patches: workspace + plan.patches[index], dOut: upstream, batch: batch, frames: t,
                           parameters: parameters, gradients: gradients, dX: target, scratch: patchScratch, pool: pool)
            swap(&upstream, &other)
        }
    }
}
