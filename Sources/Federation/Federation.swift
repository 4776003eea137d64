// The Federation target: filled by its own issue (see ../shared/DESIGN.md and the open issues).
// It exists now so that the package has the design's shape and its dependency arrows from day one.
import Kernels
