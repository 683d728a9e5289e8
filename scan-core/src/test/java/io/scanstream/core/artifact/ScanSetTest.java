package io.scanstream.core.artifact;

import io.scanstream.core.contract.Json;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ScanSetTest {

    @Test
    void holdsExactlyTheIdsItWasMadeOf() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            ids.add("scan-" + i);
        }
        ScanSet set = ScanSet.of(ids);

        assertThat(set.count()).isEqualTo(5000);
        assertThat(ids).allMatch(set::contains);
        assertThat(set.contains("scan-5000")).isFalse();
        assertThat(set.membership().test("scan-17")).isTrue();
        assertThat(ScanSet.of(List.of("a", "a", "b")).count()).isEqualTo(2);
    }

    @Test
    void travelsAsJsonInsideAVersionAndUnitesWithAnother() throws Exception {
        ScanSet a = ScanSet.of(List.of("x1", "x2"));
        ScanSet b = ScanSet.of(List.of("x2", "x3"));

        ScanSet read = Json.read(Json.write(a), ScanSet.class);

        assertThat(read).isEqualTo(a);
        assertThat(a.union(b).count()).isEqualTo(3);
        assertThat(a.union(b).contains("x3")).isTrue();
        assertThat(ScanSet.EMPTY.contains("x1")).isFalse();
    }

    @Test
    void refusesHashesThatDoNotMatchTheCount() {
        assertThatThrownBy(() -> new ScanSet(2, "AAAAAAAAAAA=")).isInstanceOf(IllegalArgumentException.class);
    }
}
