package io.scanstream.training.domain;

/**
 * The backbone training works with: the backbone of the version in service (the configured bootstrap file before
 * any version names a published one), which head runs train on and fine-tuning starts from, so that a new head
 * always fits what inference serves. One is loaded at a time; a fine-tuning run adds the network it trains.
 */
public interface Backbones {

    /** The backbone of the version in service, loaded (replacing the previous one) when the version changed it. */
    Backbone current();

    /** The loaded backbone in words, without loading anything (for the API and health). */
    record Info(String id, boolean pretrained, String source, int trainedOn) {
    }

    Info info();

    /** The id of the configured bootstrap backbone (versions on it are servable only while it stays configured). */
    String bootstrapId();
}
