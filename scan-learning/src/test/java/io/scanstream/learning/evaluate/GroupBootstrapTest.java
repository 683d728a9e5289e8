package io.scanstream.learning.evaluate;

import io.scanstream.model.metrics.RocCurve;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class GroupBootstrapTest {

    @Test
    void intervalsContainTheEstimateAndNarrowWithMoreGroups() {
        GroupBootstrap bootstrap = new GroupBootstrap(400, 0.95, 3);
        Data small = data(40, 1);
        Data large = data(400, 1);

        GroupBootstrap.Figures few = bootstrap.figures(small.scores, small.covid, small.groups, 0.5);
        GroupBootstrap.Figures many = bootstrap.figures(large.scores, large.covid, large.groups, 0.5);

        assertThat(few.auc().estimate()).isEqualTo(RocCurve.of(small.scores, small.covid).auc());
        assertThat(few.auc().lower()).isLessThanOrEqualTo(few.auc().estimate());
        assertThat(few.auc().upper()).isGreaterThanOrEqualTo(few.auc().estimate());
        assertThat(many.auc().upper() - many.auc().lower()).isLessThan(few.auc().upper() - few.auc().lower());
        assertThat(few.resamples()).isEqualTo(400);
        assertThat(few.groups()).isEqualTo(10);
    }

    @Test
    void resamplingGroupsGivesWiderIntervalsThanResamplingRows() {
        Data d = data(200, 2);
        List<String> rowsAsGroups = new ArrayList<>();
        for (int i = 0; i < d.scores.length; i++) {
            rowsAsGroups.add("row" + i);
        }
        GroupBootstrap bootstrap = new GroupBootstrap(400, 0.95, 5);

        double byGroup = width(bootstrap.figures(d.scores, d.covid, d.groups, 0.5).auc());
        double byRow = width(bootstrap.figures(d.scores, d.covid, rowsAsGroups, 0.5).auc());

        // rows within a group are correlated (they share the group's offset): the honest interval is wider
        assertThat(byGroup).isGreaterThan(byRow);
    }

    @Test
    void theSameSeedGivesTheSameIntervals() {
        Data d = data(80, 3);
        assertThat(new GroupBootstrap(200, 0.9, 7).figures(d.scores, d.covid, d.groups, 0.5))
                .isEqualTo(new GroupBootstrap(200, 0.9, 7).figures(d.scores, d.covid, d.groups, 0.5));
    }

    private static double width(GroupBootstrap.Interval i) {
        return i.upper() - i.lower();
    }

    private record Data(double[] scores, boolean[] covid, List<String> groups) {
    }

    /** Groups of 4 rows sharing a label and a random offset of their scores. */
    private static Data data(int n, long seed) {
        Random random = new Random(seed);
        double[] scores = new double[n];
        boolean[] covid = new boolean[n];
        List<String> groups = new ArrayList<>();
        double offset = 0;
        for (int i = 0; i < n; i++) {
            if (i % 4 == 0) {
                offset = random.nextGaussian();
            }
            covid[i] = (i / 4) % 2 == 0;
            scores[i] = 1 / (1 + Math.exp(-(offset + random.nextGaussian() * 0.3 + (covid[i] ? 1 : 0))));
            groups.add("g" + i / 4);
        }
        return new Data(scores, covid, groups);
    }
}
