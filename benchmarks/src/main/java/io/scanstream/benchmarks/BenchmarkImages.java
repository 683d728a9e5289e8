package io.scanstream.benchmarks;

import io.scanstream.core.dataset.ManifestEntry;
import io.scanstream.core.dataset.ScanManifest;
import io.scanstream.core.imaging.DecodeLimits;
import io.scanstream.core.imaging.GreyImage;
import io.scanstream.core.imaging.ScanPreprocessor;
import io.scanstream.core.synthetic.SyntheticCtGenerator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The images benchmarks run on: the real COVID-CT slices when the data folder is there (property
 * {@code scanstream.data.dir}, default {@code ../shared/data/covid-ct}), else synthetic phantoms in the generator's
 * spread of sizes and pixel types. Says which, loudly: numbers on the two are not comparable.
 */
public final class BenchmarkImages {

    public static final String DATA_DIR_PROPERTY = "scanstream.data.dir";

    private BenchmarkImages() {
    }

    public static Path dataDir() {
        return Path.of(System.getProperty(DATA_DIR_PROPERTY, "../shared/data/covid-ct"));
    }

    /** Encoded images, as devices send them. */
    public static List<byte[]> load(String source, int syntheticCount) throws IOException {
        Path dir = dataDir();
        if (source.equals("real")) {
            if (!Files.isRegularFile(dir.resolve(ScanManifest.FILE_NAME))) {
                throw new IllegalStateException("source=real needs the COVID-CT folder at " + dir.toAbsolutePath()
                        + " (set -D" + DATA_DIR_PROPERTY + "=PATH); run with -p source=synthetic without it");
            }
            List<byte[]> images = new ArrayList<>();
            for (ManifestEntry entry : ScanManifest.read(dir)) {
                images.add(Files.readAllBytes(entry.file()));
            }
            System.err.printf("benchmark images: %d real slices from %s%n", images.size(), dir.toAbsolutePath());
            return images;
        }
        SyntheticCtGenerator generator = new SyntheticCtGenerator(2026);
        List<byte[]> images = new ArrayList<>();
        for (int i = 0; i < syntheticCount; i++) {
            images.add(generator.scan(i).bytes());
        }
        System.err.printf("benchmark images: %d synthetic phantoms%n", images.size());
        return images;
    }

    /** The same images through the shared preprocessor (as ingest and training see them); 120 phantoms if synthetic. */
    public static List<GreyImage> preprocessed(String source) throws IOException {
        ScanPreprocessor preprocessor = new ScanPreprocessor(DecodeLimits.DEFAULT);
        List<GreyImage> images = new ArrayList<>();
        for (byte[] encoded : load(source, 120)) {
            if (preprocessor.preprocess(encoded) instanceof ScanPreprocessor.Result.Accepted a) {
                images.add(a.scan().image());
            }
        }
        return images;
    }
}
