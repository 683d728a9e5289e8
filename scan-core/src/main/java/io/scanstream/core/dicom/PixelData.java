package io.scanstream.core.dicom;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Where the pixel data element's value lies in the (possibly inflated) dataset buffer: no copy is made while
 * parsing. Native pixel data is one range; encapsulated (compressed) pixel data is a list of fragments, the basic
 * offset table left out.
 */
public sealed interface PixelData permits PixelData.Native, PixelData.Encapsulated {

    /** Total bytes of pixel data (fragments summed). */
    long byteCount();

    /**
     * sha256 (hex) of the pixel data value: the content hash of a DICOM scan. It does not change when the
     * surrounding attributes are re-encoded or removed (de-identification), so the same instance has the same hash
     * whichever path brought it.
     */
    String sha256();

    record Native(byte[] buffer, int offset, int length) implements PixelData {
        @Override
        public long byteCount() {
            return length;
        }

        @Override
        public String sha256() {
            MessageDigest digest = Sha256Digest.create();
            digest.update(buffer, offset, length);
            return HexFormat.of().formatHex(digest.digest());
        }

        @Override
        public String toString() {
            return "Native[" + length + " bytes]";
        }
    }

    record Fragment(int offset, int length) {
    }

    record Encapsulated(byte[] buffer, List<Fragment> fragments) implements PixelData {
        public Encapsulated {
            fragments = List.copyOf(fragments);
        }

        @Override
        public long byteCount() {
            long total = 0;
            for (Fragment f : fragments) {
                total += f.length();
            }
            return total;
        }

        @Override
        public String sha256() {
            MessageDigest digest = Sha256Digest.create();
            for (Fragment f : fragments) {
                digest.update(buffer, f.offset(), f.length());
            }
            return HexFormat.of().formatHex(digest.digest());
        }

        /** The fragments of the single frame, joined (a frame may span several fragments). */
        public byte[] joined() {
            byte[] out = new byte[(int) byteCount()];
            int at = 0;
            for (Fragment f : fragments) {
                System.arraycopy(buffer, f.offset(), out, at, f.length());
                at += f.length();
            }
            return out;
        }

        @Override
        public String toString() {
            return "Encapsulated[" + fragments.size() + " fragments, " + byteCount() + " bytes]";
        }
    }

    /** A fresh SHA-256 digest. */
    final class Sha256Digest {
        private Sha256Digest() {
        }

        static MessageDigest create() {
            try {
                return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every JVM has SHA-256", e);
            }
        }
    }
}
