package io.scanstream.training.domain;

import io.scanstream.core.contract.ScanPreprocessed;

import java.util.Map;
import java.util.Set;

/** The preprocessed scans of given ids (full-network training needs pixels, not embeddings). */
@FunctionalInterface
public interface ScanImages {

    /** The latest preprocessed record of each id that has one; ids without one are absent from the map. */
    Map<String, ScanPreprocessed> read(Set<String> scanIds);
}
