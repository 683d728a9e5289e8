package io.scanstream.core.artifact;

import io.scanstream.core.integrity.Sha256;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A backbone's weights cut into chunks for Kafka, and put together again. A backbone of any size travels: an
 * 87 MB ResNet-34 in 87 chunks of 1 MiB as well as a 9 MB MobileNetV2 in 9. Assembly refuses, with a reason,
 * anything that is not exactly the weights the manifest describes: missing chunks, chunks of the wrong size,
 * a different sha256.
 */
public final class BackboneChunks {

    /** 1 MiB: well under any broker's message limit, few records per backbone. */
    public static final int DEFAULT_CHUNK_BYTES = 1 << 20;

    private BackboneChunks() {
    }

    /** How many chunks of {@code chunkBytes} (the last one shorter) hold {@code sizeBytes}. */
    public static int count(long sizeBytes, int chunkBytes) {
        return (int) ((sizeBytes + chunkBytes - 1) / chunkBytes);
    }

    public static List<byte[]> split(byte[] weights, int chunkBytes) {
        List<byte[]> chunks = new ArrayList<>();
        for (int from = 0; from < weights.length; from += chunkBytes) {
            chunks.add(Arrays.copyOfRange(weights, from, Math.min(weights.length, from + chunkBytes)));
        }
        return chunks;
    }

    /** The outcome of an assembly: the weights, or why not. */
    public sealed interface Assembly permits Complete, Incomplete, Corrupt {
    }

    public record Complete(byte[] weights) implements Assembly {
    }

    /** Not all chunks (yet): {@code missing} lists the first few absent indices. */
    public record Incomplete(int present, int expected, List<Integer> missing) implements Assembly {
    }

    public record Corrupt(String reason) implements Assembly {
    }

    /** Collects one backbone's chunks as they arrive, in any order; a later chunk of an index replaces an earlier. */
    public static final class Assembler {
        private final TreeMap<Integer, byte[]> chunks = new TreeMap<>();
        private long bytes;

        public void chunk(int index, byte[] value) {
            byte[] old = value == null ? chunks.remove(index) : chunks.put(index, value);
            bytes += (value == null ? 0 : value.length) - (old == null ? 0 : old.length);
        }

        public long bytesHeld() {
            return bytes;
        }

        public Assembly assemble(BackboneManifest manifest) {
            List<Integer> missing = new ArrayList<>();
            for (int i = 0; i < manifest.chunks() && missing.size() < 10; i++) {
                if (!chunks.containsKey(i)) {
                    missing.add(i);
                }
            }
            if (!missing.isEmpty()) {
                return new Incomplete((int) chunks.keySet().stream().filter(i -> i < manifest.chunks()).count(),
                        manifest.chunks(), missing);
            }
            if (bytes != manifest.sizeBytes() || chunks.lastKey() >= manifest.chunks()) {
                return new Corrupt("chunks hold " + bytes + " bytes in " + chunks.size() + " chunks; the manifest says "
                        + manifest.sizeBytes() + " in " + manifest.chunks());
            }
            byte[] weights = new byte[Math.toIntExact(manifest.sizeBytes())];
            int at = 0;
            for (int i = 0; i < manifest.chunks(); i++) {
                byte[] chunk = chunks.get(i);
                boolean last = i == manifest.chunks() - 1;
                if (!last && chunk.length != manifest.chunkBytes()) {
                    return new Corrupt("chunk " + i + " has " + chunk.length + " bytes, not " + manifest.chunkBytes());
                }
                System.arraycopy(chunk, 0, weights, at, chunk.length);
                at += chunk.length;
            }
            String sha = Sha256.hex(weights);
            if (!sha.equalsIgnoreCase(manifest.sha256())) {
                return new Corrupt("the assembled weights hash to " + sha + ", the manifest says " + manifest.sha256());
            }
            return new Complete(weights);
        }

        public Optional<Integer> highestIndex() {
            return chunks.isEmpty() ? Optional.empty() : Optional.of(chunks.lastKey());
        }
    }
}
