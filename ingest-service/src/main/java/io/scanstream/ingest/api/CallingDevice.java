package io.scanstream.ingest.api;

import io.quarkus.security.identity.SecurityIdentity;
import org.eclipse.microprofile.jwt.JsonWebToken;

import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.security.auth.x500.X500Principal;
import java.util.Optional;

/**
 * Which device is calling, from its authenticated identity, so that an HTTP device cannot publish scans under another
 * device's name ({@code ce-source}): a bearer token names its device in the claim {@code ingest.auth.device-claim}
 * (default {@code device}), else in its subject; a client certificate (mutual TLS) names it in its CN, as
 * {@code /devices/<CN>}. docs/security.md, "Devices".
 */
final class CallingDevice {

    static final String CERTIFICATE_DEVICE_PREFIX = "/devices/";

    private CallingDevice() {
    }

    static Optional<String> of(SecurityIdentity identity, String claim) {
        if (identity == null || identity.isAnonymous()) {
            return Optional.empty();
        }
        if (identity.getPrincipal() instanceof JsonWebToken jwt) {
            Object device = jwt.getClaim(claim);
            if (device != null && !device.toString().isBlank()) {
                return Optional.of(unquote(device.toString()));
            }
            return Optional.ofNullable(jwt.getSubject()).or(() -> Optional.ofNullable(jwt.getName()));
        }
        if (identity.getPrincipal() instanceof X500Principal certificate) {
            return commonName(certificate).map(cn -> CERTIFICATE_DEVICE_PREFIX + cn);
        }
        return Optional.ofNullable(identity.getPrincipal().getName());
    }

    /**
     * Why {@code source} may not be used by this caller, or empty when it names the caller's device. A caller whose
     * device cannot be told is refused too.
     */
    static Optional<String> refusal(SecurityIdentity identity, String claim, String source) {
        Optional<String> device = of(identity, claim);
        if (device.isEmpty()) {
            return Optional.of("the caller's identity names no device");
        }
        if (!device.get().equals(source)) {
            return Optional.of("ce-source " + source + " is not the calling device (" + device.get()
                    + "): a device publishes only under its own name");
        }
        return Optional.empty();
    }

    private static Optional<String> commonName(X500Principal principal) {
        try {
            for (Rdn rdn : new LdapName(principal.getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    return Optional.of(rdn.getValue().toString());
                }
            }
        } catch (InvalidNameException e) {
            // not a distinguished name: no device
        }
        return Optional.empty();
    }

    private static String unquote(String value) {
        return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
                ? value.substring(1, value.length() - 1) : value;
    }
}
