package io.scanstream.core.contract;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

class KafkaAccessTest {

    private static Set<String> topics(String user, KafkaAccess.Operation operation) {
        return KafkaAccess.principal(user).grants().stream()
                .filter(g -> g.type() == KafkaAccess.ResourceType.TOPIC && g.pattern() == KafkaAccess.PatternType.LITERAL)
                .filter(g -> g.operations().contains(operation)).map(KafkaAccess.Grant::name).collect(Collectors.toSet());
    }

    @Test
    void onlyIngestAndDevicesWriteRawScansAndOnlyIngestReadsThem() {
        for (KafkaAccess.Principal p : KafkaAccess.principals()) {
            boolean reads = topics(p.user(), KafkaAccess.Operation.READ).contains(Topics.SCANS_ARRIVED);
            boolean writes = topics(p.user(), KafkaAccess.Operation.WRITE).contains(Topics.SCANS_ARRIVED);
            assertThat(reads).as(p.user() + " reads raw scans").isEqualTo(p.user().equals(KafkaAccess.INGEST));
            assertThat(writes).as(p.user() + " writes raw scans")
                    .isEqualTo(List.of(KafkaAccess.INGEST, KafkaAccess.DEVICE).contains(p.user()));
        }
    }

    @Test
    void onlyTrainingPublishesModelsAndOnlyTheClinicianToolAndTheWorkstationLabel() {
        for (KafkaAccess.Principal p : KafkaAccess.principals()) {
            assertThat(topics(p.user(), KafkaAccess.Operation.WRITE).contains(Topics.MODELS_PUBLISHED)).as(p.user())
                    .isEqualTo(p.user().equals(KafkaAccess.TRAINING));
            assertThat(topics(p.user(), KafkaAccess.Operation.WRITE).contains(Topics.SCANS_LABELS)).as(p.user())
                    .isEqualTo(List.of(KafkaAccess.CLINICIAN_TOOL, KafkaAccess.REVIEW).contains(p.user()));
        }
    }

    @Test
    void renamedTopicsAreGrantedUnderTheirNewNames() {
        var renamed = KafkaAccess.principals(name -> name.equals(Topics.SCANS_ARRIVED) ? "ct.arrived" : name);
        assertThat(renamed.get(0).grants().get(0).name()).isEqualTo("ct.arrived");
    }

    @Test
    void scansArrivedRetentionIsShortByDefaultAndConfigurable() {
        assertThat(Topics.ARRIVED.configs().get("retention.ms")).isEqualTo(String.valueOf(3L * 24 * 3600 * 1000));
        assertThat(Topics.all(java.time.Duration.ofHours(1))).filteredOn(t -> t.name().equals(Topics.SCANS_ARRIVED))
                .singleElement().satisfies(t -> assertThat(t.configs()).containsEntry("retention.ms", "3600000")
                        .containsEntry("max.message.bytes", String.valueOf(Topics.SCAN_MAX_MESSAGE_BYTES)));
    }
}
