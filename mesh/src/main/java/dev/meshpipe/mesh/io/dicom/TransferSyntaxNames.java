package dev.meshpipe.mesh.io.dicom;

import java.util.Map;

/** Names of transfer syntaxes, so an error can say "JPEG Baseline (1.2.840.10008.1.2.4.50)". */
final class TransferSyntaxNames {
    private static final Map<String, String> NAMES = Map.ofEntries(
            Map.entry("1.2.840.10008.1.2", "Implicit VR Little Endian"),
            Map.entry("1.2.840.10008.1.2.1", "Explicit VR Little Endian"),
            Map.entry("1.2.840.10008.1.2.1.99", "Deflated Explicit VR Little Endian"),
            Map.entry("1.2.840.10008.1.2.2", "Explicit VR Big Endian"),
            Map.entry("1.2.840.10008.1.2.5", "RLE Lossless"),
            Map.entry("1.2.840.10008.1.2.4.50", "JPEG Baseline"),
            Map.entry("1.2.840.10008.1.2.4.51", "JPEG Extended"),
            Map.entry("1.2.840.10008.1.2.4.57", "JPEG Lossless"),
            Map.entry("1.2.840.10008.1.2.4.70", "JPEG Lossless SV1"),
            Map.entry("1.2.840.10008.1.2.4.80", "JPEG-LS Lossless"),
            Map.entry("1.2.840.10008.1.2.4.81", "JPEG-LS Near-Lossless"),
            Map.entry("1.2.840.10008.1.2.4.90", "JPEG 2000 Lossless"),
            Map.entry("1.2.840.10008.1.2.4.91", "JPEG 2000"),
            Map.entry("1.2.840.10008.1.2.4.201", "HTJ2K Lossless"),
            Map.entry("1.2.840.10008.1.2.4.202", "HTJ2K Lossless RPCL"),
            Map.entry("1.2.840.10008.1.2.4.203", "HTJ2K"),
            Map.entry("1.2.840.10008.1.2.4.100", "MPEG2"),
            Map.entry("1.2.840.10008.1.2.4.102", "MPEG-4 AVC/H.264"),
            Map.entry("1.2.840.10008.1.2.4.201.1", "HTJ2K"));

    private TransferSyntaxNames() {}

    static String describe(String uid) {
        String clean = uid == null ? "" : uid.length() > 64 ? uid.substring(0, 64) : uid;
        String name = NAMES.get(clean);
        // A builder, not +: each + site is linked on first use, which a cold read would pay for.
        return new StringBuilder(80).append(name == null ? "unknown" : name).append(" (").append(clean).append(')').toString();
    }
}
