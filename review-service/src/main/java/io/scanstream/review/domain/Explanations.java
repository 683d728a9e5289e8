package io.scanstream.review.domain;

import io.scanstream.core.imaging.GreyImage;

import java.util.Optional;

/**
 * Port: the saliency of a prediction (Grad-CAM on the network of the version that made it), computed by
 * inference-service ({@code POST /explanations}): the service that serves a version is the one that has its
 * weights loaded, so the review service carries no DJL.
 */
public interface Explanations {

    /**
     * @param modelVersion the version the prediction carries (null: UNDETERMINED)
     * @param bearer       the signed-in user's access token, passed on
     * @throws RemoteServiceException when inference cannot be reached or answers with an error
     */
    Explanation explain(String scanId, String modelVersion, GreyImage image, Optional<String> bearer);

    sealed interface Explanation {
    }

    /** The cam grid, row-major, values in [0, 1]. */
    record Computed(String scanId, String modelVersion, String backboneId, String layer, double probability,
                    int gridWidth, int gridHeight, float[] cam) implements Explanation {
    }

    /** 409: that version is no longer (or not yet) served; {@code servedVersion} may be null. */
    record VersionNotServed(String error, String servedVersion) implements Explanation {
    }
}
