package io.scanstream.local;

import io.scanstream.core.contract.ClinicalLabel;
import io.scanstream.core.dataset.ManifestEntry;
import io.scanstream.core.dataset.ScanManifest;
import io.scanstream.core.dicom.DicomPseudonyms;
import io.scanstream.core.dicom.SyntheticDicom;
import io.scanstream.core.imaging.DecodeLimits;
import io.scanstream.core.imaging.DecodeResult;
import io.scanstream.core.imaging.GreyImage;
import io.scanstream.core.imaging.ImageFormat;
import io.scanstream.core.imaging.ScanDecoder;
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

    /**
     * The same scans as DICOM, as a CT scanner sends them: each slice (synthetic phantom or real image, as full
     * resolution grey) becomes a CT Image Storage instance whose Hounsfield units invert the lung window, uncompressed,
     * JPEG lossless and RLE in turn; {@code ce_id} is its SOP Instance UID, the patient is in PatientID as well as
     * {@code ce_subject}. The simulation holds ingest's pseudonymisation key, as a hospital's clinicians' tool would,
     * so it knows the scan id (the pseudonymised SOP Instance UID) that predictions and labels carry. Damaged scans
     * stay damaged: they are sent truncated.
     */
    static ScanSource dicom(ScanSource images, String pseudonymisationKey) {
        DicomPseudonyms pseudonyms = new DicomPseudonyms(pseudonymisationKey);
        ScanDecoder decoder = new ScanDecoder(DecodeLimits.DEFAULT);
        SyntheticDicom.Compression[] compressions = SyntheticDicom.Compression.values();
        return new ScanSource() {
            @Override
            public DeviceScan next(long index) {
                DeviceScan scan = images.next(index);
                String patient = scan.patientRef() == null ? "anonymous" : scan.patientRef();
                SyntheticDicom.Identifiers ids = SyntheticDicom.Identifiers.of(patient, scan.scanId());
                DecodeResult decoded = decoder.decode(scan.bytes());
                byte[] bytes;
                if (decoded instanceof DecodeResult.Decoded d) {
                    GreyImage grey = d.scan().image();
                    bytes = SyntheticDicom.ctSlice(grey, ids, compressions[(int) (index % compressions.length)]);
                } else {
                    // A damaged image: a damaged DICOM of a small slice.
                    byte[] whole = SyntheticDicom.ctSlice(new GreyImage(64, 64, new byte[64 * 64]), ids,
                            SyntheticDicom.Compression.NONE);
                    bytes = Arrays.copyOf(whole, whole.length / 2);
                }
                return new DeviceScan(pseudonyms.uid(ids.sopInstanceUid()), ids.sopInstanceUid(), scan.patientRef(),
                        scan.truth(), ImageFormat.DICOM.mediaType(), bytes, scan.origin());
            }

            @Override
            public String describe() {
                return images.describe() + ", sent as DICOM CT slices (uncompressed, JPEG lossless, RLE)";
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
