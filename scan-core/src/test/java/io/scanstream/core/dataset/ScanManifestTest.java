package io.scanstream.core.dataset;

import io.scanstream.core.contract.ClinicalLabel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ScanManifestTest {

    @Test
    void readsEntriesTakingFileNamesLiterally(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("manifest.csv"), """
                file,label,patient_or_source_id,split,width,height,bytes
                covid/2020.02.10-p6-52%0.png,covid,Patient 1,train,725,551,333798
                noncovid/12%2.jpg,noncovid,src-9,val,115,61,4000
                """);
        List<ManifestEntry> entries = ScanManifest.read(dir);
        assertThat(entries).hasSize(2);
        assertThat(entries.get(0).file()).isEqualTo(dir.resolve("covid/2020.02.10-p6-52%0.png"));
        assertThat(entries.get(0).label()).isEqualTo(ClinicalLabel.COVID);
        assertThat(entries.get(0).patientId()).isEqualTo("Patient 1");
        assertThat(entries.get(1).label()).isEqualTo(ClinicalLabel.NON_COVID);
        assertThat(entries.get(1).split()).isEqualTo("val");
        assertThat(entries.get(1).width()).isEqualTo(115);
    }

    @Test
    void refusesAnotherHeaderOrAnUnknownLabel(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("manifest.csv"), "a,b\n");
        assertThatThrownBy(() -> ScanManifest.read(dir)).isInstanceOf(IOException.class).hasMessageContaining("header");
        Files.writeString(dir.resolve("manifest.csv"),
                "file,label,patient_or_source_id,split,width,height,bytes\nx.png,flu,p,train,1,1,1\n");
        assertThatThrownBy(() -> ScanManifest.read(dir)).isInstanceOf(IOException.class).hasMessageContaining("flu");
    }
}
