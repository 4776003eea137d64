extension SpeechRecognitionModel {
    /// The recogniser's sizes and its loss mix.
    ///
    /// Defaults follow the quickstart encoder (a small Conformer-free transformer-CTC, the shape of the
    /// FL4ASR companion's model scaled down): one convolution of kernel 7, stride 3 over 80 log-mels, a
    /// 144-wide, 4-head, 4-layer pre-LN encoder with a 576-wide FFN, and 30 classes (blank + a–z, space,
    /// apostrophe, hyphen).
    package struct Configuration: Sendable, Equatable, Codable {
        package var featureWidth: Int
        /// Blank (class 0) plus the characters.
        package var classes: Int
        /// Channels of every subsampling convolution.
        package var convolutionWidth: Int
        package var convolutionKernels: [Int]
        package var convolutionStrides: [Int]
        /// The encoder's model dimension.
        package var width: Int
        package var heads: Int
        /// Encoder blocks.
        package var layers: Int
        package var feedForwardWidth: Int
        package var normPlacement: NormPlacement
        /// Residual dropout rate in the encoder blocks (0 = none).
        package var dropout: Float
        /// λ in λ·CTC + (1 − λ)·attention; 1 is pure CTC and builds no decoder at all.
        package var ctcWeight: Double
        /// Decoder blocks (used only when `ctcWeight` < 1); the decoder shares the encoder's width, heads and FFN width.
        package var decoderLayers: Int
        /// The longest utterance, in input frames, the model expects: the sinusoidal position table is
        /// built for it up front (longer utterances still work; the table grows once).
        package var maxFrames: Int

        package init(featureWidth: Int = 80, classes: Int = 30, convolutionWidth: Int = 144, convolutionKernels: [Int] = [7],
                     convolutionStrides: [Int] = [3], width: Int = 144, heads: Int = 4, layers: Int = 4, feedForwardWidth: Int = 576,
                     normPlacement: NormPlacement = .preNorm, dropout: Float = 0, ctcWeight: Double = 1, decoderLayers: Int = 1,
                     maxFrames: Int = 3000) {
            self.featureWidth = featureWidth
            self.classes = classes
            self.convolutionWidth = convolutionWidth
            self.convolutionKernels = convolutionKernels
            self.convolutionStrides = convolutionStrides
            self.width = width
            self.heads = heads
            self.layers = layers
            self.feedForwardWidth = feedForwardWidth
            self.normPlacement = normPlacement
            self.dropout = dropout
            self.ctcWeight = ctcWeight
            self.decoderLayers = decoderLayers
            self.maxFrames = maxFrames
        }

        /// Whether the model has an attention decoder.
        package var hasDecoder: Bool { ctcWeight < 1 }
    }
}
