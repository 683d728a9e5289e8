package io.scanstream.service.config;

import io.scanstream.core.contract.Topics;
import io.smallrye.config.PropertiesConfigSource;

import java.util.Map;

/**
 * Publishes the contract's message-size limits as configuration, so that application.properties can size Kafka
 * clients and HTTP bodies by reference instead of restating numbers: {@code scanstream.limits.scan-message-bytes}
 * (a raw scan's record) and {@code scanstream.limits.model-message-bytes} (a model version's record), both from
 * {@link Topics}. The lowest ordinal: anything an operator sets wins.
 */
public class ContractLimitsConfigSource extends PropertiesConfigSource {

    static final String SCAN_MESSAGE_BYTES = "scanstream.limits.scan-message-bytes";
    static final String MODEL_MESSAGE_BYTES = "scanstream.limits.model-message-bytes";
    private static final int ORDINAL = 50;

    public ContractLimitsConfigSource() {
        super(Map.of(SCAN_MESSAGE_BYTES, String.valueOf(Topics.SCAN_MAX_MESSAGE_BYTES),
                MODEL_MESSAGE_BYTES, String.valueOf(Topics.MODEL_MAX_MESSAGE_BYTES)), "scanstream-contract-limits",
                ORDINAL);
    }
}
