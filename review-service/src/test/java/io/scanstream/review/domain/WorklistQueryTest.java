package io.scanstream.review.domain;

import io.scanstream.core.contract.PredictedLabel;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WorklistQueryTest {

    @Test
    void readsThePagesParametersWithDefaultsForWhatIsBlank() {
        WorklistQuery q = WorklistQuery.parse("non_covid", "0.1", " ", "v3", "", "yes", "UNCERTAIN", "2", "20");
        assertThat(q.label()).isEqualTo(PredictedLabel.NON_COVID);
        assertThat(q.minProbability()).isEqualTo(0.1);
        assertThat(q.maxProbability()).isNull();
        assertThat(q.modelVersion()).isEqualTo("v3");
        assertThat(q.device()).isNull();
        assertThat(q.labelled()).isTrue();
        assertThat(q.order()).isEqualTo(WorklistQuery.Order.UNCERTAIN);
        assertThat(q.page()).isEqualTo(2);
        assertThat(q.size()).isEqualTo(20);
        WorklistQuery d = WorklistQuery.parse(null, null, null, null, null, null, null, null, null);
        assertThat(d.order()).isEqualTo(WorklistQuery.Order.NEWEST);
        assertThat(d.size()).isEqualTo(WorklistQuery.DEFAULT_PAGE_SIZE);
    }

    @Test
    void refusesBadValuesNamingTheParameter() {
        assertThatThrownBy(() -> WorklistQuery.parse("maybe", null, null, null, null, null, null, null, null))
                .hasMessageContaining("label");
        assertThatThrownBy(() -> WorklistQuery.parse(null, "x", null, null, null, null, null, null, null))
                .hasMessageContaining("min");
        assertThatThrownBy(() -> WorklistQuery.parse(null, "0.8", "0.2", null, null, null, null, null, null))
                .hasMessageContaining("above max");
        assertThatThrownBy(() -> WorklistQuery.parse(null, null, "1.5", null, null, null, null, null, null))
                .hasMessageContaining("max");
        assertThatThrownBy(() -> WorklistQuery.parse(null, null, null, null, null, "perhaps", null, null, null))
                .hasMessageContaining("labelled");
        assertThatThrownBy(() -> WorklistQuery.parse(null, null, null, null, null, null, "random", null, null))
                .hasMessageContaining("order");
        assertThatThrownBy(() -> WorklistQuery.parse(null, null, null, null, null, null, null, "-1", null))
                .hasMessageContaining("page");
        assertThatThrownBy(() -> WorklistQuery.parse(null, null, null, null, null, null, null, null, "100000"))
                .hasMessageContaining("size");
    }
}
