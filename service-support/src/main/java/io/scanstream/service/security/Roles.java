package io.scanstream.service.security;

/**
 * The roles every HTTP endpoint of ScanStream is checked against (the {@code groups} claim of the bearer token, or
 * the role a device certificate maps to). The matrix of which role may call what is in docs/security.md; each
 * resource names its roles with {@code @RolesAllowed}, and endpoints without roles are denied
 * ({@code quarkus.security.jaxrs.deny-unannotated-endpoints}).
 */
public final class Roles {

    /** An imaging device or PACS that sends scans ({@code POST /scans}, {@code POST /studies}). */
    public static final String DEVICE = "device";
    /** A clinician who reads what the model serves and how it was trained. */
    public static final String CLINICIAN = "clinician";
    /** Who runs the system: starts training runs, reads everything a clinician reads. */
    public static final String OPERATOR = "operator";

    private Roles() {
    }
}
