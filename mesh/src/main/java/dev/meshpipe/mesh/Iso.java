package dev.meshpipe.mesh;

/** Where the surface is cut: the volume's own default, Otsu's threshold, or a given value. */
public sealed interface Iso {
    /** 0 for signed-distance volumes (synthetic specs); for scans, the same as {@link Auto}. */
    Iso DEFAULT = new Default();
    /** Otsu's threshold, or halfway between the values a two- or three-valued mask holds ({@link AutoIso}). */
    Iso AUTO = new Auto();

    static Iso of(double value) {
        return new Value(value);
    }

    record Default() implements Iso {}

    record Auto() implements Iso {}

    record Value(double value) implements Iso {
        public Value {
            if (!Double.isFinite(value)) {
                throw new MeshException(MeshError.INVALID_PARAMETER, "iso must be finite");
            }
        }
    }
}
