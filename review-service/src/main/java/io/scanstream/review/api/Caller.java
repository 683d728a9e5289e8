package io.scanstream.review.api;

import io.quarkus.oidc.AccessTokenCredential;
import io.quarkus.security.identity.SecurityIdentity;
import io.scanstream.service.security.Roles;

import java.util.Optional;
import java.util.Set;

/**
 * The signed-in person as the pages need them: the name a label carries ({@code labelledBy}), the roles, and the
 * access token the other services are called with (absent only where tests sign in without a provider).
 */
public record Caller(String name, Set<String> roles, Optional<String> accessToken) {

    public static Caller of(SecurityIdentity identity) {
        AccessTokenCredential token = identity.getCredential(AccessTokenCredential.class);
        return new Caller(identity.getPrincipal().getName(), identity.getRoles(),
                Optional.ofNullable(token).map(AccessTokenCredential::getToken));
    }

    public boolean operator() {
        return roles.contains(Roles.OPERATOR);
    }
}
