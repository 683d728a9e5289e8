package io.scanstream.review.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.net.URI;
import java.time.Duration;

/**
 * The review service's settings ({@code review.*}, environment {@code REVIEW_*}); docs/review.md lists them.
 */
@ConfigMapping(prefix = "review")
public interface ReviewConfig {

    View view();

    Services services();

    interface View {
        /** Predicted scans the worklist keeps (the newest ones); about 500 bytes of heap each. */
        @WithDefault("100000")
        int capacity();

        /** Decoded images kept in memory for the pages (50 KB each). */
        @WithDefault("256")
        int imageCacheSize();

        /** How long a page waits for an image read from scans.preprocessed. */
        @WithDefault("5s")
        Duration imageFetchTimeout();
    }

    interface Services {
        /** training-service's API (models, rollback, runs and reports). */
        @WithDefault("http://localhost:8083")
        URI training();

        /** inference-service's API (the version served, explanations). */
        @WithDefault("http://localhost:8082")
        URI inference();

        @WithDefault("10s")
        Duration timeout();
    }
}
