package io.scanstream.local;

import io.scanstream.core.contract.ClinicalLabel;
import io.scanstream.core.dataset.ManifestEntry;
import io.scanstream.core.dataset.ScanManifest;
import io.scanstream.core.imaging.ImageFormat;
import io.scanstream.core.synthetic.SyntheticCtGenerator;
import io.scanstream.core.synthetic.SyntheticScan;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;

/** Where the simulated device's scans come from: the synthetic generator, or a folder of real images. */
interface ScanSource {

    DeviceScan next(long index);

    String describe();

    /** Synthetic phantoms; a share of them deliberately damaged so that rejections show up. */
    static ScanSource synthetic(long seed, double badShare) {
        SyntheticCtGenerator generator = new SyntheticCtGenerator(seed);
        return new ScanSource() {
            @Override
            public DeviceScan next(long index) {
                SyntheticScan scan = generator.scan(index);
                SplittableRandom rnd = new SplittableRandom(seed * 31 + index);
                if (rnd.nextDouble() < badShare) {
                    byte[] damaged = rnd.nextBoolean()
                            ? Arrays.copyOf(scan.bytes(), scan.bytes().length / 2)
                            : randomBytes(rnd, 4096);
                    return new DeviceScan(scan.scanId(), scan.patientRef(), null, scan.contentType(), damaged, null);
                }
                return new DeviceScan(scan.scanId(), scan.patientRef(), scan.label(), scan.contentType(), scan.bytes(),
                        null);
            }

            @Override
            public String describe() {
                return "synthetic CT phantoms (seed " + seed + ", " + Math.round(badShare * 100) + "% damaged)";
            }
        };
    }

    /** The images of a data set folder in a seeded random order, again and again, each send a new scan id. */
    static ScanSource folder(Path dir, long seed) {
        List<ManifestEntry> entries;
        try {
            entries = new ArrayList<>(ScanManifest.read(dir));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir.resolve(ScanManifest.FILE_NAME), e);
        }
        if (entries.isEmpty()) {
            throw new IllegalArgumentException(dir + " lists no images");
        }
        Collections.shuffle(entries, new Random(seed));
        return new ScanSource() {
            @Override
            public DeviceScan next(long index) {
                ManifestEntry entry = entries.get((int) (index % entries.size()));
                byte[] bytes;
                try {
                    bytes = Files.readAllBytes(entry.file());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                // A device knows what it acquired: it declares the real format, whatever the file is named.
                ImageFormat format = ImageFormat.sniff(bytes);
                String id = "replay-" + seed + "-" + index;
                return new DeviceScan(id, entry.patientId(), entry.label(), format.mediaType(), bytes, entry.origin());
            }

            @Override
            public String describe() {
                long covid = entries.stream().filter(e -> e.label() == ClinicalLabel.COVID).count();
                return entries.size() + " images from " + dir + " (" + covid + " COVID)";
            }
        };
    }

    private static byte[] randomBytes(SplittableRandom rnd, int n) {
        byte[] bytes = new byte[n];
        for (int i = 0; i < n; i++) {
            bytes[i] = (byte) rnd.nextInt(256);
        }
        bytes[0] = 0x42;
        return bytes;
    }
}
