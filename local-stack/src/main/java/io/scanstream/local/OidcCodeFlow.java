package io.scanstream.local;

import java.net.URI;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The OIDC authorization code flow of the local sign-in (plain Java, the HTTP side is {@link LocalSignIn}): the
 * registered clients and their secrets, which redirect URIs they may use, and one-time codes that expire. A
 * browser is only ever sent back to a registered client on this machine (a loopback redirect URI), so the local
 * provider cannot be used to send a code elsewhere.
 */
final class OidcCodeFlow {

    static final Duration CODE_LIFETIME = Duration.ofSeconds(60);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** What a code stands for, until it is exchanged once. */
    record Grant(String user, List<String> roles, String clientId, String redirectUri, String nonce, Instant expiresAt) {
    }

    private final Map<String, String> clientSecrets;
    private final Map<String, Grant> codes = new ConcurrentHashMap<>();
    private final Clock clock;

    OidcCodeFlow(Map<String, String> clientSecrets, Clock clock) {
        this.clientSecrets = Map.copyOf(clientSecrets);
        this.clock = clock;
    }

    /** Empty when the request may go on; otherwise why not (shown to the person, never sent to the redirect URI). */
    Optional<String> checkAuthorizationRequest(String responseType, String clientId, String redirectUri) {
        if (clientId == null || !clientSecrets.containsKey(clientId)) {
            return Optional.of("unknown client_id '" + clientId + "'");
        }
        if (!loopback(redirectUri)) {
            return Optional.of("redirect_uri must be an http(s) URI on localhost or 127.0.0.1, got '" + redirectUri + "'");
        }
        if (!"code".equals(responseType)) {
            return Optional.of("response_type must be 'code' (the authorization code flow), got '" + responseType + "'");
        }
        return Optional.empty();
    }

    /** A fresh one-time code for a person who signed in. */
    String issueCode(String user, List<String> roles, String clientId, String redirectUri, String nonce) {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        String code = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        codes.put(code, new Grant(user, List.copyOf(roles), clientId, redirectUri, nonce,
                clock.instant().plus(CODE_LIFETIME)));
        return code;
    }

    /**
     * Exchanges a code: the client's secret must match, the code must be unused, unexpired, issued to this client
     * for this redirect URI. A code is gone after its first exchange, whether that succeeds or not.
     *
     * @return the grant, or empty (the token endpoint answers {@code invalid_grant} / {@code invalid_client})
     */
    Optional<Grant> exchange(String clientId, String clientSecret, String code, String redirectUri) {
        if (!authenticClient(clientId, clientSecret) || code == null) {
            return Optional.empty();
        }
        Grant grant = codes.remove(code);
        if (grant == null || clock.instant().isAfter(grant.expiresAt()) || !grant.clientId().equals(clientId)
                || !grant.redirectUri().equals(redirectUri)) {
            return Optional.empty();
        }
        return Optional.of(grant);
    }

    boolean authenticClient(String clientId, String clientSecret) {
        String expected = clientId == null ? null : clientSecrets.get(clientId);
        return expected != null && clientSecret != null
                && MessageDigest.isEqual(expected.getBytes(), clientSecret.getBytes());
    }

    static boolean loopback(String redirectUri) {
        if (redirectUri == null) {
            return false;
        }
        try {
            URI uri = new URI(redirectUri);
            return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
                    && ("localhost".equals(uri.getHost()) || "127.0.0.1".equals(uri.getHost()))
                    && uri.getRawFragment() == null;
        } catch (java.net.URISyntaxException e) {
            return false;
        }
    }
}
