package io.scanstream.core.privacy;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PatientPseudonymizerTest {

    private final PatientPseudonymizer pseudonymizer = new PatientPseudonymizer("a-test-key-of-enough-length");

    @Test
    void givesTheSamePatientTheSamePseudonym() {
        assertThat(pseudonymizer.pseudonymise("MRN-0042")).isEqualTo(pseudonymizer.pseudonymise("MRN-0042"));
        assertThat(pseudonymizer.pseudonymise(" MRN-0042 ")).isEqualTo(pseudonymizer.pseudonymise("MRN-0042"));
    }

    @Test
    void separatesPatientsAndHidesTheReference() {
        String a = pseudonymizer.pseudonymise("MRN-0042");
        assertThat(a).isNotEqualTo(pseudonymizer.pseudonymise("MRN-0043")).doesNotContain("0042").matches("p-[0-9a-f]{32}");
    }

    @Test
    void dependsOnTheKey() {
        assertThat(new PatientPseudonymizer("another-key-of-enough-length").pseudonymise("MRN-0042"))
                .isNotEqualTo(pseudonymizer.pseudonymise("MRN-0042"));
    }

    @Test
    void refusesAShortKey() {
        assertThatThrownBy(() -> new PatientPseudonymizer("short")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PatientPseudonymizer(null)).isInstanceOf(IllegalArgumentException.class);
    }
}
