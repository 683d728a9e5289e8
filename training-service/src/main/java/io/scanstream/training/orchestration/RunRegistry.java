package io.scanstream.training.orchestration;

import io.scanstream.training.domain.TrainingRun;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The recent runs of this process, for the API: the newest {@code capacity}, looked up by id. Thread-safe. */
final class RunRegistry {

    private final Map<String, TrainingRun> runs;

    RunRegistry(int capacity) {
        this.runs = Collections.synchronizedMap(new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, TrainingRun> eldest) {
                return size() > capacity;
            }
        });
    }

    void add(TrainingRun run) {
        runs.put(run.id(), run);
    }

    Optional<TrainingRun> find(String id) {
        return Optional.ofNullable(runs.get(id));
    }

    /** Latest first. */
    List<TrainingRun> recent() {
        List<TrainingRun> all;
        synchronized (runs) {
            all = new ArrayList<>(runs.values());
        }
        Collections.reverse(all);
        return all;
    }
}
