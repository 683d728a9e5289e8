package io.scanstream.system;

/**
 * The pseudonymisation key of the end-to-end tests: fixed, so that the pseudonyms, and with them the training
 * service's validation split (a keyed hash of the groups' names), are the same in every run. A generated key made
 * the split, and whether validation held both classes, change from run to run. A test value only: it must never
 * be used anywhere else.
 */
final class SystemTestKeys {

    static final String PSEUDONYMISATION = "341b8a3580a34fb022f0d558fc90633d4295f3624ae3f94c74bedb542d6270fb";

    private SystemTestKeys() {
    }
}
