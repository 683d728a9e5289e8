package io.scanstream.core.contract;

import java.util.Map;

/**
 * A topic of the contract: its default name, how many partitions it gets by default and the topic-level
 * configs it must be created with. The local stack, the test broker, Kubernetes' KafkaTopic resources and the
 * compose file are all checked against these values.
 */
public record TopicSpec(String name, int partitions, Map<String, String> configs) {

    public TopicSpec {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("topic name must not be blank");
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be >= 1, got " + partitions);
        }
        configs = Map.copyOf(configs);
    }

    /** Compacted, alone or with deletion ({@code compact,delete}). */
    public boolean compacted() {
        String policy = configs.getOrDefault("cleanup.policy", "");
        return java.util.Arrays.asList(policy.split(",")).contains("compact");
    }

    /** The same topic with another partition count (local stacks use fewer, production more). */
    public TopicSpec withPartitions(int count) {
        return new TopicSpec(name, count, configs);
    }
}
