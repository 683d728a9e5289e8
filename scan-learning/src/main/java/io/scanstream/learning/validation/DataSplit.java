package io.scanstream.learning.validation;

import java.util.List;

/** A training and a validation part, disjoint by patient. */
public record DataSplit<T>(List<T> train, List<T> validation) {

    public DataSplit {
        train = List.copyOf(train);
        validation = List.copyOf(validation);
    }
}
